// A small typed wrapper over the gpsi HTTP API v1 (notes/api_contract.md, docs/api.md).
// URLs are relative ("api/v1/…") so the dashboard also works behind a proxy under a sub-path.

export interface Unit {
  code: string;
  name_en: string;
  name_zh: string;
  iso3: string;
  m49?: string | null;
  region_code: string;
  region: string;
  subregion_code?: string;
  subregion?: string;
}

export interface ScoreRow {
  year: number;
  unit: string;
  code: string;
  level: number;
  value: number | null;
  rank: number | null;
  /** i imputed, t treated, x screened out, f from a fallback series, d one dimension missing, n not ranked. */
  flags: string;
  p05?: number | null;
  median?: number | null;
  p95?: number | null;
}

//! A series an indicator reads where its own `reads` have no value (`[[indicator.fallback]]`).
export interface Fallback {
  reads: string[];
  sum: boolean;
  denominator: string;
  /** Level factor onto the indicator's own series (> 0). */
  adjust: number;
  note: string;
}

export interface MetaNode {
  code: string;
  name_en: string;
  name_zh: string;
  parent: string;
  level: number;
  weight: number;
  indicator: boolean;
  monitor: boolean;
  direction: 1 | -1 | null;
  /** Stored codes read in order of preference, or added up when `sum` is true. */
  reads: string[];
  sum: boolean;
  /** Series read, in order, where `reads` has no value. */
  fallback: Fallback[];
  denominator: string;
  source_note: string;
  children: string[];
}

//! Which scored units are ranked (`[eligibility]` of the method).
export interface Eligibility {
  /** The stored code of the population series. */
  population: string;
  /** 0: no population rule. */
  min_population: number;
  /** -1: no limit. */
  max_missing_dimensions: number;
}

export interface Source {
  key: string;
  publisher: string;
  tier: number;
  licence: string;
  url: string;
  release: string;
  retrieved: string;
}

export interface Meta {
  index: {
    id: string;
    name_en: string;
    name_zh: string;
    version: string;
    coverage_rule: string;
    run: string;
    data_hash: string;
    method_hash: string;
  };
  pipeline: Record<string, string | number>;
  years: number[];
  latest_year: number;
  nodes: MetaNode[];
  dimensions: string[];
  /** null when every scored unit is ranked. */
  eligibility: Eligibility | null;
  /** Whether /api/v1/validation answers. */
  validation: boolean;
  /** Per year: units listed, scored and ranked, and why the others are not ranked (the build's coverage.csv). */
  coverage: YearCoverage[];
  sources: Source[];
  regions: { code: string; name: string }[];
  intervals: { samples: number; seed: number; level: number } | null;
  /** Set by the dashboard when /meta could not be read and this was pieced together from /scores. */
  partial?: boolean;
}

export interface YearCoverage {
  year: number;
  units: number;
  scored: number;
  ranked: number;
  not_ranked_population: number;
  not_ranked_dimensions: number;
  population_share: number | null;
  mean_imputed_share: number;
}

export interface NodeScore {
  value: number | null;
  rank: number | null;
  flags?: string;
  p05?: number | null;
  median?: number | null;
  p95?: number | null;
}

export interface SourceValue {
  indicator: string;
  value: number | null;
  source: string;
  publisher: string;
  release: string;
  tier: number;
  licence: string;
  flags: string;
  file_sha256: string;
  line: number;
  chosen: boolean;
}

//! Where the build read an indicator value: series 0 the indicator's own reads, k ≥ 1 its k-th fallback.
export interface Origin {
  series: number;
  /** The stored code read. */
  code: string;
  /** "key@release" (for a GTI-style score: "gti"). */
  source: string;
  how: 'observed' | 'sum' | 'fill' | 'window' | 'gti' | 'carried' | 'coinr';
  data_year: number;
}

export interface IndicatorValue {
  year: number;
  /** On the indicator's scale before any logarithm. */
  raw: number | null;
  imputed: boolean;
  score: number | null;
  origin: Origin | null;
  sources: SourceValue[];
}

export interface Profile {
  run: string;
  unit: Unit;
  series: { year: number; excluded: boolean; ranked: boolean; not_ranked_reason: string; scores: Record<string, NodeScore> }[];
  indicators: {
    code: string;
    name_en: string;
    name_zh: string;
    parent: string;
    direction: 1 | -1 | null;
    monitor: boolean;
    values: IndicatorValue[];
  }[];
}

//! validation.json of `gpsi validate` (GET /api/v1/validation; docs/validation.md).
export interface Validation {
  method_version: string;
  /** Empty without rank shifts. */
  previous_version: string;
  latest_year: number;
  dimensions: string[];
  coverage: { year: number; scored: number; ranked: number; population_share: number | null; mean_imputed_share: number }[];
  externals: { id: string; name_en: string; name_zh: string; node: string; year: number; external_year: number; n: number; rho: number | null; lo: number | null; hi: number | null }[];
  known_groups: { id: string; name_en: string; name_zh: string; variant: string; year: number; n_low: number; n_high: number; auc: number | null; lo: number | null; hi: number | null; holds: boolean }[];
  coherence: { node: string; year: number; units: number; children: string[]; alpha: number | null; pc1_share: number | null; r2_with_index: number | null }[];
  negative_correlations: { year: number; parent: string; a: string; b: string; r: number; explanation_en: string; explanation_zh: string }[];
  largest_shifts: { unit: string; name: string; year: number; rank_previous: number; rank: number; reason: string }[];
}

export interface Compare {
  run: string;
  year: number;
  nodes: string[];
  units: {
    code: string;
    name_en: string;
    name_zh: string;
    scores: Record<string, NodeScore>;
    series: { year: number; value: number | null; rank: number | null }[];
  }[];
}

export interface WhatIfRow {
  unit: string;
  name_en: string;
  name_zh: string;
  value: number | null;
  rank: number | null;
  base_value: number | null;
  base_rank: number | null;
  change: number | null;
}

export interface WhatIf {
  run: string;
  year: number;
  code: string;
  weights: Record<string, number>;
  rows: WhatIfRow[];
}

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

async function request<T>(path: string, init?: RequestInit): Promise<T> {
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
