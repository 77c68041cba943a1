// A small typed wrapper over the gpsi HTTP API v1 (notes/api_contract.md, docs/api.md).
// URLs are relative ("api/v1/…") so the dashboard also works behind a proxy under a sub-path.

import type { components } from './api-types';

// The response types are generated from the server's OpenAPI document (src/server/openapi.json)
// into api-types.ts by openapi-typescript (`npm run api-types`); CI fails when that file is stale.
// Written by hand here: only the names the pages use.
type Schemas = components['schemas'];

export type Unit = Schemas['Unit'];
export type ScoreRow = Schemas['ScoreRow'];
export type MetaNode = Schemas['MetaNode'];
export type Fallback = MetaNode['fallback'][number];
export type Source = Schemas['Source'];
export type Meta = Schemas['Meta'] & {
  /** Set by the dashboard when /meta could not be read and this was pieced together from /scores. */
  partial?: boolean;
};
export type Eligibility = NonNullable<Schemas['Meta']['eligibility']>;
export type YearCoverage = Schemas['Meta']['coverage'][number];
export type NodeScore = Schemas['NodeScore'];
export type SourceValue = Schemas['SourceValue'];
export type Profile = Schemas['Profile'];
export type IndicatorValue = Profile['indicators'][number]['values'][number];
export type Origin = NonNullable<IndicatorValue['origin']>;
export type Validation = Schemas['Validation'];
export type Compare = Schemas['Compare'];
export type WhatIf = Schemas['WhatIf'];
export type WhatIfRow = WhatIf['rows'][number];
export type Forecasts = Schemas['Forecasts'];
export type ForecastRow = Schemas['ForecastRow'];
export type OutlookRow = Schemas['OutlookRow'];
export type Warnings = Schemas['Warnings'];
export type Warning = Schemas['Warning'];
export type WarnRule = Schemas['WarnRule'];
export type Session = Schemas['Session'];
export type Submission = Schemas['Submission'];
export type HeldSubmission = Schemas['HeldSubmission'];
export type SubmissionDetail = Schemas['SubmissionDetail'];
export type Upload = Schemas['Upload'];
export type Flag = Schemas['Flag'];
export type Organisation = Schemas['Organisation'];
export type Account = Schemas['Account'];
export type Token = Schemas['Token'];
export type IssuedToken = Schemas['IssuedToken'];
export type Campaign = Schemas['Campaign'];
export type CampaignSummary = Schemas['CampaignSummary'];
export type CampaignScoring = Schemas['CampaignScoring'];
export type CampaignApplication = Schemas['CampaignApplication'];
export type CampaignJudge = Schemas['CampaignJudge'];
export type ConflictDeclaration = Schemas['ConflictDeclaration'];
export type Sheet = Schemas['Sheet'];
export type EvalResults = Schemas['EvalResults'];

//! An API failure: HTTP status and the error body's code and message (or the transport error).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export function apiUrl(path: string): string {
  return `api/v1/${path.replace(/^\//, '')}`;
}

//! One API request, never cached: its JSON answer, or an ApiError.
export async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path), { ...init, headers: { Accept: 'application/json', ...(init?.headers ?? {}) } });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', String(e instanceof Error ? e.message : e), apiUrl(path));
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'bad-response', `not JSON: ${text.slice(0, 200)}`, apiUrl(path));
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'http', err?.message ?? res.statusText, apiUrl(path));
  }
  return body as T;
}

const cache = new Map<string, Promise<unknown>>();

//! GET a JSON document; answers are cached for the page's life (the server serves one fixed build).
export function get<T>(path: string): Promise<T> {
  let p = cache.get(path) as Promise<T> | undefined;
  if (!p) {
    p = request<T>(path);
    cache.set(path, p);
    p.catch(() => cache.delete(path));
  }
  return p;
}

export function post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return request<T>(path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
    signal,
  });
}

export const health = () => get<{ status: string; engine: string; run: string }>('health');
export const units = () => get<{ units: Unit[] }>('units').then((r) => r.units);
export const scores = (year?: number, code?: string) => {
  const q = new URLSearchParams();
  if (year != null) q.set('year', String(year));
  if (code) q.set('code', code);
  const s = q.toString();
  return get<{ run: string; year: number; code: string; rows: ScoreRow[] }>(`scores${s ? `?${s}` : ''}`);
};
export const profile = (iso3: string) => get<Profile>(`units/${encodeURIComponent(iso3)}`);
export const compare = (codes: string[], year?: number) =>
  get<Compare>(`compare?units=${codes.map(encodeURIComponent).join(',')}${year != null ? `&year=${year}` : ''}`);
export const validation = () => get<Validation>('validation');
//! Forecast distributions and outlook (404 when the server publishes none: callers show a notice).
//! `unit` filters rows and outlook, `code` the rows only, `year` both.
export const forecasts = (q: { unit?: string; code?: string; year?: number } = {}) => {
  const p = new URLSearchParams();
  if (q.unit) p.set('unit', q.unit);
  if (q.code) p.set('code', q.code);
  if (q.year != null) p.set('year', String(q.year));
  const s = p.toString();
  return get<Forecasts>(`forecasts${s ? `?${s}` : ''}`);
};
//! Every early warning, high severity first (404 when none are published); pages filter them.
export const warnings = () => get<Warnings>('warnings');
//! True for the API's "not published here" answer, which pages show as a notice, not an error.
export const notPublished = (e: unknown) => e instanceof ApiError && e.status === 404;
export const whatif = (body: { weights: Record<string, number>; year?: number; code?: string }, signal?: AbortSignal) =>
  post<WhatIf>('whatif', body, signal);

let metaPromise: Promise<Meta> | undefined;

//! The method description; when /meta fails (older server), a partial one from /scores so the
//! map and ranking still work for the index of the latest year.
export function meta(): Promise<Meta> {
  metaPromise ??= get<Meta>('meta').catch(async (): Promise<Meta> => {
    const s = await scores();
    const [h, us] = await Promise.all([health(), units()]);
    const regions = new Map<string, string>();
    for (const u of us) if (u.region_code) regions.set(u.region_code, u.region);
    return {
      index: { id: 'gpsi', name_en: 'Global Public Security Index', name_zh: '全球公共安全指数', version: '', coverage_rule: '', run: h.run, data_hash: '', method_hash: '' },
      pipeline: {},
      years: [s.year],
      latest_year: s.year,
      nodes: [{ code: s.code, name_en: 'Global Public Security Index', name_zh: '全球公共安全指数', parent: '', level: 3, weight: 1, indicator: false, monitor: false, direction: null, reads: [], sum: false, fallback: [], denominator: '', source_note: '', children: [] }],
      dimensions: [],
      eligibility: null,
      validation: false,
      coverage: [],
      sources: [],
      regions: [...regions].map(([code, name]) => ({ code, name })).sort((a, b) => a.code.localeCompare(b.code)),
      intervals: null,
      partial: true,
    };
  });
  return metaPromise;
}

//! The top node of the method (the index).
export function indexNode(m: Meta): MetaNode {
  return m.nodes.reduce((a, b) => (b.level > a.level ? b : a), m.nodes[0]);
}

export function nodeByCode(m: Meta, code: string): MetaNode | undefined {
  return m.nodes.find((n) => n.code === code);
}
