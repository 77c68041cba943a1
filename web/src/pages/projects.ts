// #/risk/projects: the project risk sheets the account may see (/api/v1/risk/projects) and the form
// that has a project file assessed; #/risk/projects/ID: one kept sheet (docs/risk.md, "Project
// sheets"): header, a map of the site, its radius, the route and the nearby events, the country
// baseline, the threat register, controls and evidence per threat, triggers, provenance and
// sign-off, and the printed sheet as PDF in either language. Every number is the sheet's; each
// colour has its number beside it, as on #/risk.
import { LinesChart, ScatterChart } from 'echarts/charts';
import { GeoComponent } from 'echarts/components';
import type { components } from '../api-types';
import * as api from '../api';
import { type Chart, chartFigure, echarts, makeChart } from '../charts';
import { errorBox, h, loading } from '../dom';
import { hasKey, lang, numberFmt, t } from '../i18n';
import type { Page, PageContext } from '../page';
import { send } from '../session';
import { CLASS_COLORS, riskFmt, scoreClass } from './risk';
import { withSession } from './submissions';
import { loadWorld } from '../world';

// The site, radius, route and events are drawn on a geo component, which charts.ts does not register.
echarts.use([GeoComponent, LinesChart, ScatterChart]);

type Cell = components['schemas']['MatrixCell'];
interface Point {
  lat: number;
  lon: number;
}
// The sheet as openapi.json gives it (api-types.ts), but its `project`: the project file's canonical
// JSON, an object the document leaves open (docs/risk.md, "Canonical JSON").
interface ProjectFile {
  project: { id: string; enterprise: string; name: string; name_zh?: string; type: string; country: string; start?: string; end?: string };
  site?: Point & { radius_km?: number };
  route?: Point[];
  staff?: { national?: number; expatriate?: number };
}
type Sheet = Omit<components['schemas']['ProjectSheet'], 'project'> & { project: ProjectFile };
// The list and the envelope of a kept sheet as openapi.json gives them (api-types.ts).
type Kept = Omit<components['schemas']['KeptProject'], 'sheet'> & { sheet: Sheet };
type ProjectRow = components['schemas']['RiskProjects']['projects'][number];

// Ratings Low … Very high (0–3), light → dark red as the country classes.
const RATING_COLORS = [CLASS_COLORS[1], CLASS_COLORS[2], CLASS_COLORS[3], CLASS_COLORS[4]];

const zh = () => lang() === 'zh';
const pick = (en: string, cn: string | undefined) => (zh() && cn ? cn : en);
const typeName = (type: string) => (hasKey(`prj.type.${type}`) ? t(`prj.type.${type}` as 'prj.type.other') : type || '—');
const staleBadge = () => h('span', { class: 'badge badge-stale', 'data-testid': 'project-stale-badge' }, t('prj.stale'));

//! "score ■ rating": a risk matrix score with its rating's colour and name beside it.
function rating(c: { score: number; rating: number; rating_en: string; rating_zh: string }): HTMLElement {
  const sw = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  sw.style.background = RATING_COLORS[c.rating] ?? RATING_COLORS[RATING_COLORS.length - 1];
  return h('span', { 'data-rating': c.rating }, h('strong', { 'data-testid': 'rating-score' }, String(c.score)), ' ', sw, ` ${pick(c.rating_en, c.rating_zh)}`);
}

//! The API's "not found" (a sheet the caller may not see) as a notice; no sheets served, as #/risk says; else the error.
function failure(e: unknown, id = ''): HTMLElement {
  if (e instanceof api.ApiError && e.status === 404 && e.code === 'not-found') {
    return h('p', { class: 'notice', 'data-testid': 'project-notfound' }, t('prj.notfound', { id }), ' ', h('a', { href: '#/risk/projects' }, t('prj.back')));
  }
  return api.notPublished(e) ? h('p', { class: 'notice', 'data-testid': 'risk-none' }, t('risk.none')) : errorBox(e);
}

function listTable(rows: ProjectRow[]): HTMLElement {
  if (rows.length === 0) return h('p', { 'data-testid': 'project-list-empty' }, t('prj.none'));
  const head = [t('prj.name'), t('prj.type'), t('prj.country'), t('prj.assessed'), t('prj.valid_until'), t('prj.residual')];
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('prj.list') },
    h(
      'table',
      { class: 'data', 'data-testid': 'project-list' },
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            { 'data-testid': 'project-row', 'data-id': r.id, 'data-project': r.project, 'data-stale': r.stale ? 'true' : 'false' },
            h('td', { 'data-col': 'name' }, h('a', { href: `#/risk/projects/${r.id}` }, pick(r.name, r.name_zh)), r.stale ? staleBadge() : null),
            h('td', { 'data-col': 'type' }, typeName(r.type)),
            h('td', { 'data-col': 'country' }, `${pick(r.country_name, r.country_name_zh) || r.country} (${r.country})`),
            h('td', { 'data-col': 'assessed' }, r.assessed),
            h('td', { 'data-col': 'valid_until' }, r.valid_until),
            h('td', { 'data-col': 'residual', 'data-score': r.residual.score }, rating(r.residual)),
          ),
        ),
      ),
    ),
  );
}

//! The form that posts a project file (TOML or JSON by its extension) and opens its sheet.
function uploadForm(): HTMLElement {
  const file = h('input', { id: 'project-file', type: 'file', required: true, accept: '.toml,.json', 'data-testid': 'project-file' });
  const report = h('div', { 'aria-live': 'polite', 'data-testid': 'project-upload-report' });
  return h(
    'section',
    { 'data-testid': 'project-upload' },
    h('h2', {}, t('prj.upload')),
    h('p', { class: 'hint' }, t('prj.upload.intro')),
    h(
      'form',
      {
        class: 'member-form',
        onsubmit: async (ev: Event) => {
          ev.preventDefault();
          const f = file.files?.[0];
          if (!f) return;
          report.replaceChildren(loading());
          try {
            const type = /\.json$/i.test(f.name) ? 'application/json' : 'application/toml';
            const kept = await send<Kept>('POST', 'risk/projects', new Blob([await f.text()]), type);
            location.hash = `#/risk/projects/${kept.id}`;
          } catch (e) {
            report.replaceChildren(errorBox(e));
          }
        },
      },
      h('label', { for: 'project-file' }, t('prj.upload.file')),
      file,
      h('button', { type: 'submit', 'data-testid': 'project-submit' }, t('prj.upload.submit')),
    ),
    report,
  );
}

//! #/risk/projects: the list, and the form for an account that submits.
function list(root: HTMLElement, ctx: PageContext): void {
  root.append(h('h1', {}, t('prj.heading')));
  withSession(root, ctx, (who) => {
    const body = h('div', {}, loading());
    root.append(h('p', { class: 'hint' }, t('prj.intro')), body);
    send<{ projects: ProjectRow[] }>('GET', 'risk/projects').then(
      ({ projects }) => {
        if (!ctx.alive()) return;
        body.replaceChildren(listTable(projects), who.permissions.includes('submit') ? uploadForm() : '');
        window.__gpsi.ready = true;
      },
      (e) => {
        if (!ctx.alive()) return;
        body.replaceChildren(failure(e));
        window.__gpsi.ready = true;
      },
    );
  });
}

const EARTH_KM = 6371.0088;

//! The circle of `km` around `c` on the sphere, as closed [lon, lat] points every 5°.
function circle(c: Point, km: number, n = 72): [number, number][] {
  const rad = Math.PI / 180;
  const d = km / EARTH_KM;
  const lat = c.lat * rad;
  const out: [number, number][] = [];
  for (let k = 0; k <= n; k++) {
    const b = (2 * Math.PI * k) / n;
    const lat2 = Math.asin(Math.sin(lat) * Math.cos(d) + Math.cos(lat) * Math.sin(d) * Math.cos(b));
    const dlon = Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat), Math.cos(d) - Math.sin(lat) * Math.sin(lat2));
    out.push([c.lon + dlon / rad, lat2 / rad]);
  }
  return out;
}

//! The map zoomed on the site: the radius as a circle on the sphere, the route, the events and
//! the site's marker, all geo-anchored (they follow a zoom or pan). `m49`: the country to shade.
function drawMap(el: HTMLElement, s: Sheet, m49: string | undefined): Chart {
  const p = s.project;
  const site = p.site && Number.isFinite(p.site.lat) && Number.isFinite(p.site.lon) ? p.site : undefined;
  const route = (p.route ?? []).map((q): [number, number] => [q.lon, q.lat]);
  const radius = s.overlay.radius_km || site?.radius_km || 0;
  const ring = site && radius > 0 ? circle(site, radius) : [];
  const all = [...ring, ...route, ...(site ? [[site.lon, site.lat] as [number, number]] : [])];
  const lons = all.map((q) => q[0]);
  const lats = all.map((q) => q[1]);
  // The box of everything drawn, with a margin of half its size (at least half a degree) for the surroundings.
  const pad = (lo: number, hi: number) => Math.max(0.5, (hi - lo) * 0.5);
  const [w, e] = [Math.min(...lons), Math.max(...lons)];
  const [south, north] = [Math.min(...lats), Math.max(...lats)];
  const mid = (south + north) / 2;
  const chart = makeChart(el);
  window.__gpsi.map = chart;
  el.dataset.lat = String(site?.lat ?? '');
  el.dataset.lon = String(site?.lon ?? '');
  el.dataset.radius = String(radius);
  const events = s.overlay.events;
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (q: { seriesId?: string; dataIndex: number }) => {
        if (q.seriesId === 'events') {
          const ev = events[q.dataIndex];
          return `${t('prj.date')}: ${ev.date}<br/>${t('prj.distance')}: ${numberFmt(ev.distance_km, 1)}<br/>${t('prj.root')}: ${ev.root_code}`;
        }
        if (q.seriesId === 'site' && site) return `<b>${t('prj.map.site')}</b><br/>${site.lat.toFixed(4)}, ${site.lon.toFixed(4)}<br/>${t('prj.map.radius', { r: numberFmt(radius, 0) })}`;
        return '';
      },
    },
    geo: {
      map: 'world',
      nameProperty: 'm49',
      roam: true,
      scaleLimit: { min: 0.5, max: 20 },
      // The raw map is plate carrée: stretch it by the latitude's cosine so the site's surroundings keep their shape.
      aspectScale: Math.max(0.2, Math.cos((mid * Math.PI) / 180)),
      boundingCoords: [[w - pad(w, e), north + pad(south, north)], [e + pad(w, e), south - pad(south, north)]],
      silent: true,
      label: { show: false },
      itemStyle: { areaColor: '#eceff1', borderColor: '#9aa5b1', borderWidth: 0.8 },
      regions: m49 ? [{ name: m49, itemStyle: { areaColor: '#f6efd9' } }] : [],
    },
    series: [
      { id: 'radius', type: 'lines', coordinateSystem: 'geo', polyline: true, silent: true, name: t('prj.map.radius', { r: numberFmt(radius, 0) }), lineStyle: { color: '#0072B2', width: 1.5, type: 'dashed', opacity: 1 }, data: ring.length ? [{ coords: ring }] : [] },
      { id: 'route', type: 'lines', coordinateSystem: 'geo', polyline: true, silent: true, name: t('prj.map.route'), lineStyle: { color: '#000000', width: 3, opacity: 0.8 }, data: route.length > 1 ? [{ coords: route }] : [] },
      { id: 'events', type: 'scatter', coordinateSystem: 'geo', name: t('prj.map.events'), symbolSize: 8, itemStyle: { color: '#D55E00', opacity: 0.85, borderColor: '#ffffff', borderWidth: 0.5 }, data: events.map((ev) => [ev.lon, ev.lat]) },
      { id: 'site', type: 'scatter', coordinateSystem: 'geo', name: t('prj.map.site'), symbol: 'pin', symbolSize: 30, z: 5, itemStyle: { color: '#0d2b45' }, data: site ? [[site.lon, site.lat]] : [] },
    ],
  });
  return chart;
}

//! The map's legend: what each mark is.
function mapKey(radius: number): HTMLElement {
  const item = (cls: string, text: string) => h('li', { class: 'legend-item' }, h('span', { class: `key ${cls}`, 'aria-hidden': 'true' }), ` ${text}`);
  return h('ul', { class: 'legend project-key' }, item('key-site', t('prj.map.site')), item('key-radius', t('prj.map.radius', { r: numberFmt(radius, 0) })), item('key-route', t('prj.map.route')), item('key-event', t('prj.map.events')));
}

const section = (title: string, testid: string, ...body: (Node | string | null)[]) => h('section', { 'data-testid': testid }, h('h2', {}, title), ...body);
const dl = (rows: [string, Node | string, string?][]) => h('dl', { class: 'pipeline' }, rows.flatMap(([k, v, id]) => [h('dt', {}, k), h('dd', { 'data-field': id ?? null }, v)]));

function header(k: Kept): HTMLElement {
  const s = k.sheet;
  const p = s.project.project;
  const staff = s.project.staff;
  return dl([
    [t('prj.enterprise'), p.enterprise, 'enterprise'],
    [t('prj.name'), `${pick(p.name, p.name_zh)} (${p.id})`, 'project'],
    [t('prj.type'), typeName(p.type), 'type'],
    [t('prj.country'), `${pick(s.country.name, s.country.name_zh) || p.country} (${p.country})`, 'country'],
    [t('prj.dates'), `${p.start ?? '—'} – ${p.end ?? '—'}`, 'dates'],
    [t('prj.staff'), `${staff?.national ?? '—'} / ${staff?.expatriate ?? '—'}`, 'staff'],
    [t('prj.assessed'), s.assessed, 'assessed'],
    [t('prj.valid_until'), s.valid_until, 'valid_until'],
    [t('prj.next_review'), s.next_review, 'next_review'],
  ]);
}

//! The STALE banner with the triggers that fired, in the page language.
function staleBanner(s: Sheet): HTMLElement {
  const fired = s.triggers.filter((x) => x.fired);
  return h(
    'div',
    { class: 'notice stale-banner', role: 'alert', 'data-testid': 'project-stale' },
    h('strong', {}, t('prj.stale.banner')),
    fired.length ? h('p', {}, `${t('prj.stale.fired')} `, fired.map((x, i) => h('span', { 'data-trigger': x.kind }, i ? '; ' : '', pick(x.en, x.zh)))) : null,
  );
}

function baseline(s: Sheet): HTMLElement {
  const c = s.country;
  const g = c.gpsi;
  const trend = c.trend ? t(`risk.trend.${c.trend}`) : '—';
  return h(
    'div',
    {},
    h('p', { 'data-testid': 'project-baseline' }, `${pick(c.name, c.name_zh) || c.unit} ${c.year}: ${t('risk.score')} `, scoreClass(c),
      t('prj.baseline.rest', { rank: c.rank ?? '—', ranked: c.ranked, trend, reliability: numberFmt(c.reliability) })),
    g && g.score != null ? h('p', {}, t('prj.gpsi', { year: g.year, score: numberFmt(g.score), rank: g.rank ?? '—', ranked: g.ranked }), ' ', h('a', { href: `#/risk/${c.unit}` }, t('risk.sheet'))) : null,
    h('h3', {}, t('prj.warnings')),
    Array.isArray(c.warnings) && c.warnings.length
      ? h('ul', { 'data-testid': 'project-warnings' }, c.warnings.map((x) => h('li', { 'data-severity': x.severity }, h('strong', {}, t(`warn.sev.${x.severity}`)), ` · ${x.period} · ${x.message}`)))
      : h('p', { 'data-testid': 'project-warnings' }, t('risk.warnings.none')),
  );
}

//! The register: per threat, the country score and local events, then likelihood, impact and
//! score with its rating, inherent and residual.
function register(s: Sheet): HTMLElement {
  const cells = (c: Cell, kind: string) => [
    h('td', { class: 'num', 'data-col': `${kind}-likelihood` }, String(c.likelihood)),
    h('td', { class: 'num', 'data-col': `${kind}-impact` }, String(c.impact)),
    h('td', { 'data-col': `${kind}-score`, 'data-score': c.score, 'data-rating': c.rating }, rating(c)),
  ];
  const th = (text: string, attrs: Record<string, string | number> = {}) => h('th', { scope: 'col', ...attrs }, text);
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('prj.register') },
    h(
      'table',
      { class: 'data', 'data-testid': 'project-register' },
      h(
        'thead',
        {},
        h('tr', {}, th(t('prj.threat'), { rowspan: 2 }), th(t('prj.country_score'), { rowspan: 2 }), th(t('prj.local'), { rowspan: 2 }), th(t('prj.inherent'), { colspan: 3, scope: 'colgroup' }), th(t('prj.residual'), { colspan: 3, scope: 'colgroup' })),
        h('tr', {}, [0, 1].flatMap(() => [th(t('prj.likelihood')), th(t('prj.impact')), th(t('prj.score'))])),
      ),
      h(
        'tbody',
        {},
        s.threats.map((x) =>
          h(
            'tr',
            { 'data-threat': x.id },
            h('th', { scope: 'row', 'data-col': 'threat' }, pick(x.name_en, x.name_zh)),
            h('td', { class: 'num', 'data-col': 'country-score' }, riskFmt(x.country_score)),
            h('td', { class: 'num', 'data-col': 'local' }, `${x.local_events} (${numberFmt(x.local_weight, 2)})`),
            cells(x.inherent, 'inherent'),
            cells(x.residual, 'residual'),
          ),
        ),
      ),
    ),
  );
}

//! Per threat: its controls checklist (✓ in place) and the evidence of its numbers.
function threatDetails(s: Sheet): HTMLElement[] {
  return s.threats.map((x) =>
    h(
      'section',
      { class: 'threat', 'data-testid': 'project-threat', 'data-threat': x.id },
      h('h3', {}, pick(x.name_en, x.name_zh)),
      h('h4', {}, t('prj.controls')),
      h(
        'ul',
        { class: 'checklist', 'data-testid': 'project-controls' },
        x.controls.map((c) =>
          h(
            'li',
            { 'data-control': c.id, 'data-in-place': c.in_place ? 'true' : 'false' },
            h('span', { class: c.in_place ? 'check check-on' : 'check', role: 'img', 'aria-label': t(c.in_place ? 'prj.control.in_place' : 'prj.control.missing') }, c.in_place ? '✓' : '☐'),
            ` ${pick(c.en, c.zh)} `,
            h('span', { class: 'muted' }, `(${t(`prj.control.lowers.${c.lowers}` as 'prj.control.lowers.impact', { n: c.steps })})`),
          ),
        ),
      ),
      h('h4', {}, t('prj.evidence')),
      h('ul', { 'data-testid': 'project-evidence' }, x.evidence.map((e) => h('li', { 'data-kind': e.kind }, pick(e.en, e.zh)))),
    ),
  );
}

function overlay(s: Sheet): HTMLElement {
  const o = s.overlay;
  const vars = { n: o.events.length, radius: numberFmt(o.radius_km, 0), from: o.from, to: o.to, all: o.points_in_window, half: numberFmt(o.half_life_days, 0) };
  const head = [t('prj.date'), t('prj.event'), t('prj.root'), t('prj.distance'), t('prj.weight'), t('prj.source')];
  return h(
    'div',
    {},
    h('p', { 'data-testid': 'project-overlay' }, t(o.how === 'radius' ? 'prj.overlay.radius' : 'prj.overlay.area', vars)),
    h('p', { class: 'hint' }, pick(o.sources_note_en, o.sources_note_zh)),
    o.events.length
      ? h(
          'details',
          {},
          h('summary', {}, t('prj.events')),
          h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'data', 'data-testid': 'project-events' },
              h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
              h(
                'tbody',
                {},
                o.events.map((e) =>
                  h('tr', { 'data-event': e.event_id }, h('td', {}, e.date), h('td', {}, `${e.source} ${e.event_id}`), h('td', { class: 'num' }, String(e.root_code)),
                    h('td', { class: 'num' }, numberFmt(e.distance_km, 1)), h('td', { class: 'num' }, numberFmt(e.weight, 2)), h('td', {}, h('code', { title: e.file_sha256 }, `${e.file_sha256.slice(0, 12)}…:${e.line}`))),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}

function triggers(s: Sheet): HTMLElement {
  return h(
    'ul',
    { 'data-testid': 'project-triggers' },
    s.triggers.map((x) => h('li', { 'data-trigger': x.kind, 'data-fired': x.fired ? 'true' : 'false' }, h('strong', { class: x.fired ? 'fired' : 'muted' }, t(x.fired ? 'prj.trigger.fired' : 'prj.trigger.waiting')), ` · ${pick(x.en, x.zh)}`)),
  );
}

function provenance(k: Kept): HTMLElement {
  const s = k.sheet;
  const m = s.provenance.method;
  const code = (v: string) => h('code', {}, v);
  return dl([
    [t('prj.method'), h('span', {}, `${m.id} ${m.version} · `, code(m.hash))],
    [t('prj.data_hash'), code(s.provenance.data_hash)],
    [t('prj.run'), code(s.provenance.run_id)],
    [t('prj.project_sha256'), code(s.project_sha256)],
    [t('prj.sheet_sha256'), code(k.sha256)],
    [t('prj.prepared_by'), s.sign_off.prepared_by, 'prepared_by'],
    [t('prj.prepared_on'), s.sign_off.prepared_on, 'prepared_on'],
    [t('prj.reviewer'), s.sign_off.reviewed_by || t('prj.notreviewed'), 'reviewed_by'],
  ]);
}

//! #/risk/projects/ID: one kept sheet.
function sheet(root: HTMLElement, ctx: PageContext, id: string): void {
  const heading = (text: string) => h('h1', { 'data-testid': 'project-title' }, text);
  root.append(heading(t('prj.heading')));
  withSession(root, ctx, () => {
    const body = h('div', {}, loading());
    root.append(body);
    Promise.all([send<Kept>('GET', `risk/projects/${encodeURIComponent(id)}`), api.units(), loadWorld()])
      .then(([k, units]) => {
        if (!ctx.alive()) return;
        const s = k.sheet;
        const p = s.project.project;
        const u = units.find((x) => x.iso3 === p.country || x.code === p.country);
        const pdf = (l: 'en' | 'zh') =>
          h('a', { class: 'dl', href: api.apiUrl(`risk/projects/${k.id}?format=pdf&lang=${l}`), 'data-testid': `project-pdf-${l}`, target: '_blank', rel: 'noopener', hreflang: l === 'zh' ? 'zh-CN' : 'en' }, t(`prj.pdf.${l}`));
        const top = s.threats.find((x) => x.id === s.residual.threat);
        const fig = chartFigure('project-map', t('prj.map'), 'chart-map');
        const mapped = (s.project.site && Number.isFinite(s.project.site.lat)) || (s.project.route ?? []).length > 0;
        root.replaceChildren(
          heading(t('prj.title', { name: pick(p.name, p.name_zh) })),
          h('p', { class: 'sub', 'data-testid': 'project-head' }, `${p.enterprise} · ${typeName(p.type)} · ${pick(s.country.name, s.country.name_zh) || p.country} · ${t('prj.residual')}: `, rating(s.residual), top ? ` ${t('prj.residual.from', { threat: pick(top.name_en, top.name_zh) })}` : ''),
          h('p', { class: 'hint' }, h('a', { href: '#/risk/projects' }, t('prj.back')), ` · ${t('prj.kept', { revision: k.revision, created: k.created, by: k.created_by, checked: k.checked })}`),
          k.stale || s.stale ? staleBanner(s) : '',
          h('p', { class: 'member-links' }, pdf('en'), ' ', pdf('zh')),
          header(k),
          mapped ? h('div', {}, mapKey(s.overlay.radius_km || s.project.site?.radius_km || 0), fig.figure) : h('p', { class: 'notice' }, t('prj.map.none')),
          section(t('prj.overlay'), 'project-overlay-section', overlay(s)),
          section(t('prj.baseline'), 'project-baseline-section', baseline(s)),
          section(t('prj.register'), 'project-register-section', h('p', { class: 'hint' }, t('prj.register.text')), register(s)),
          section(`${t('prj.controls')} · ${t('prj.evidence')}`, 'project-threats', ...threatDetails(s)),
          section(t('prj.triggers'), 'project-triggers-section', triggers(s)),
          section(t('prj.provenance'), 'project-provenance', provenance(k)),
        );
        if (mapped) fig.setChart(drawMap(fig.el, s, u?.m49 ? String(u.m49).padStart(3, '0') : undefined));
        window.__gpsi.ready = true;
      })
      .catch((e) => {
        if (!ctx.alive()) return;
        body.replaceChildren(failure(e, id));
        window.__gpsi.ready = true;
      });
  });
}

export const projectsPage: Page = (root, ctx) => {
  if (ctx.rest[0]) sheet(root, ctx, ctx.rest[0]);
  else list(root, ctx);
};
