// #/risk: the country-risk map and table (/api/v1/risk/countries); #/risk/ISO3: one country's risk
// sheet (/api/v1/risk/countries/{ISO3}). Scores are 0–10, higher = more risk, rank 1 = riskiest
// (docs/risk.md). Every colour has its number beside it (the score, the class bounds): a colour
// alone is not read reliably (Cox 2008). The map is #/map's world (world.ts), matched by ISO 3166
// numeric id to the unit's m49.
import { MarkAreaComponent } from 'echarts/components';
import type { components } from '../api-types';
import * as api from '../api';
import { chartFigure, echarts, makeChart } from '../charts';
import { errorBox, h, loading } from '../dom';
import { lang, nm, numberFmt, pctFmt, t } from '../i18n';
import type { Page } from '../page';
import { loadWorld, mapSeries } from '../world';

// The class bands of the history chart are mark areas, which charts.ts does not register.
echarts.use([MarkAreaComponent]);

type RiskCountries = components['schemas']['RiskCountries'];
type RiskRow = RiskCountries['countries'][number];
type RiskClass = components['schemas']['RiskClass'];
type CountryRisk = components['schemas']['CountryRisk'];
type RiskScore = components['schemas']['RiskScore'];
type Unit = api.Unit;

const riskCountries = () => api.get<RiskCountries>('risk/countries');
const countryRisk = (iso3: string) => api.get<CountryRisk>(`risk/countries/${encodeURIComponent(iso3)}`);

// Sequential, light → dark red (ColorBrewer Reds): dark = more risk. Grey = no sheet.
export const CLASS_COLORS = ['#fee5d9', '#fcae91', '#fb6a4a', '#de2d26', '#a50f15'];
export const NO_SHEET = '#d9d9d9';

//! A risk score as it is classed (docs/risk.md): rounded half away from zero to one decimal, so the
//! number shown always lies in its class's bounds (toFixed alone may round 6.45 down).
export const riskFmt = (v: number | null | undefined) => (v == null || !Number.isFinite(v) ? '—' : (Math.round(v * 10) / 10).toFixed(1));

//! The class's name in the page language.
const className = (c: RiskClass | undefined) => (c ? (lang() === 'zh' ? c.zh : c.en) : '—');

//! The lowest score of class k (0 for the first) and the highest shown with one decimal.
function bounds(classes: RiskClass[], k: number): [number, number] {
  const lo = classes[k].from ?? 0;
  const next = classes[k + 1]?.from;
  return [lo, next == null ? 10 : next - 0.1];
}

const boundText = (classes: RiskClass[], k: number) => bounds(classes, k).map((v) => v.toFixed(1)).join('–');

//! The legend: a swatch, the class's name and its bounds per class, and the grey of "no sheet".
function classLegend(classes: RiskClass[]): HTMLElement {
  const item = (color: string, text: string, k: number | null) => {
    const sw = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    sw.style.background = color;
    return h('li', { class: 'legend-item', 'data-class': k }, sw, ` ${text}`);
  };
  return h(
    'ul',
    { class: 'legend risk-legend', 'data-testid': 'risk-legend', 'aria-label': t('risk.legend') },
    classes.map((c, k) => item(CLASS_COLORS[k] ?? CLASS_COLORS[CLASS_COLORS.length - 1], `${className(c)} (${boundText(classes, k)})`, c.class)),
    item(NO_SHEET, t('risk.nosheet'), null),
  );
}

const TREND_ARROW = { rising: '↑', stable: '→', falling: '↓' } as const;

function trendText(d: RiskRow['trend']): string {
  return d ? `${TREND_ARROW[d]} ${t(`risk.trend.${d}`)}` : '—';
}

//! A 404 of a country without a sheet ("not-found"), not of a server without sheets ("not-published").
const noSheet = (e: unknown) => e instanceof api.ApiError && e.status === 404 && e.code === 'not-found';

//! The notice for a server without risk sheets or a country without one (404), else the error box.
function failure(e: unknown, id = ''): HTMLElement {
  if (noSheet(e)) return h('p', { class: 'notice', 'data-testid': 'risk-nosheet' }, t('risk.nosheet.country', { id }), ' ', h('a', { href: '#/risk' }, t('risk.back')));
  return api.notPublished(e) ? h('p', { class: 'notice', 'data-testid': 'risk-none' }, t('risk.none')) : errorBox(e);
}

type SortKey = 'rank' | 'name' | 'score' | 'reliability';

//! The risk list joined with the dashboard's units: what the map and the table both look up.
interface Lookup {
  rc: RiskCountries;
  unitOf: (code: string) => Unit | undefined;
  byM49: Map<string, Unit>;
  rows: Map<string, RiskRow>;
  name: (r: RiskRow) => string;
}

function lookup(rc: RiskCountries, units: Unit[]): Lookup {
  const byCode = new Map(units.map((u) => [u.code, u]));
  const unitOf = (c: string) => byCode.get(c) ?? units.find((u) => u.iso3 === c);
  return {
    rc,
    unitOf,
    byM49: new Map(units.filter((u) => u.m49).map((u) => [String(u.m49).padStart(3, '0'), u])),
    rows: new Map(rc.countries.map((r) => [unitOf(r.unit)?.iso3 || r.unit, r])),
    name: (r: RiskRow) => nm(unitOf(r.unit)) || r.name || r.unit,
  };
}

//! The world map coloured by class; a click on a country with a sheet opens it.
function drawMap(el: HTMLElement, lk: Lookup): ReturnType<typeof makeChart> {
  const { rc, unitOf, byM49, rows } = lk;
  const chart = makeChart(el);
  window.__gpsi.map = chart;
  chart.on('click', (p) => {
    const u = byM49.get(String((p as { name?: string }).name));
    if (u && rows.has(u.iso3 || u.code)) location.hash = `#/risk/${u.iso3 || u.code}`;
  });
  const data = rc.countries
    .filter((r) => r.class != null && unitOf(r.unit)?.m49)
    .map((r) => ({ name: String(unitOf(r.unit)!.m49).padStart(3, '0'), value: r.score, itemStyle: { areaColor: CLASS_COLORS[r.class!] } }));
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: 'item',
      formatter: (p: { name: string }) => {
        const u = byM49.get(p.name);
        if (!u) return '';
        const r = rows.get(u.iso3 || u.code);
        const n = nm(u).replace(/[<>&]/g, '');
        return r?.score != null
          ? `<b>${n}</b><br/>${t('risk.score')}: ${riskFmt(r.score)} · ${className(rc.classes[r.class ?? -1])}<br/>${t('common.rank')}: ${r.rank ?? '—'}`
          : `<b>${n}</b><br/>${t('risk.nosheet')}`;
      },
    },
    series: mapSeries(data, false),
  });
  return chart;
}

//! One row of the table: rank, name (a link to the sheet), score, class, trend, reliability.
function tableRow(r: RiskRow, lk: Lookup): HTMLElement {
  const iso = lk.unitOf(r.unit)?.iso3 || r.unit;
  const sw = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  sw.style.background = r.class == null ? NO_SHEET : CLASS_COLORS[r.class];
  return h(
    'tr',
    { 'data-unit': iso, 'data-rank': r.rank ?? '', class: r.rank == null ? 'unranked' : null },
    h('td', { 'data-col': 'rank', class: 'num' }, r.rank ?? '—'),
    h('td', { 'data-col': 'name' }, h('a', { href: `#/risk/${iso}` }, lk.name(r))),
    h('td', { 'data-col': 'score', class: 'num', 'data-score': r.score ?? '' }, riskFmt(r.score)),
    h('td', { 'data-col': 'class', 'data-class': r.class ?? '' }, sw, ` ${className(lk.rc.classes[r.class ?? -1])}`),
    h('td', { 'data-col': 'trend', 'data-trend': r.trend ?? '' }, trendText(r.trend)),
    h('td', { 'data-col': 'reliability', class: 'num' }, numberFmt(r.reliability)),
  );
}

const sortValue = (r: RiskRow, key: SortKey): number | null => (key === 'rank' ? r.rank : key === 'score' ? r.score : r.reliability);

//! The sortable table of every country; a click anywhere on a row opens its sheet.
function riskTable(lk: Lookup): HTMLElement {
  const tbody = h('tbody');
  const thead = h('thead');
  let sort: { key: SortKey; asc: boolean } = { key: 'rank', asc: true };
  const sortBtn = (key: SortKey, label: string) =>
    h('button', { type: 'button', class: 'sort', 'data-testid': `sort-${key}`, onclick: () => {
      // Scores and reliability start with the highest (riskiest, least reliable).
      sort = sort.key === key ? { key, asc: !sort.asc } : { key, asc: key === 'rank' || key === 'name' };
      fill();
    } }, label, h('span', { class: 'sort-ind', 'aria-hidden': 'true' }));
  const th = (key: SortKey | null, label: string, col: string) => h('th', { scope: 'col', 'data-col': col }, key ? sortBtn(key, label) : label);
  thead.append(
    h('tr', {}, th('rank', t('common.rank'), 'rank'), th('name', t('common.country'), 'name'), th('score', t('risk.score'), 'score'), th(null, t('risk.class'), 'class'), th(null, t('risk.trend'), 'trend'), th('reliability', t('risk.reliability'), 'reliability')),
  );

  function fill(): void {
    const collator = new Intl.Collator(lang() === 'zh' ? 'zh-CN' : 'en');
    const dir = sort.asc ? 1 : -1;
    const shown = [...lk.rc.countries].sort((a, b) => {
      if (sort.key === 'name') return dir * collator.compare(lk.name(a), lk.name(b));
      const av = sortValue(a, sort.key);
      const bv = sortValue(b, sort.key);
      // Unranked or unscored countries stay at the bottom, riskiest first.
      if (av == null || bv == null) return av == null && bv == null ? (b.score ?? -1) - (a.score ?? -1) : av == null ? 1 : -1;
      return dir * (av - bv) || collator.compare(lk.name(a), lk.name(b));
    });
    for (const cell of thead.querySelectorAll('th')) {
      const b = cell.querySelector<HTMLButtonElement>('button.sort');
      if (!b) continue;
      const on = b.dataset.testid === `sort-${sort.key}`;
      cell.setAttribute('aria-sort', on ? (sort.asc ? 'ascending' : 'descending') : 'none');
      b.querySelector('.sort-ind')!.textContent = on ? (sort.asc ? '▲' : '▼') : '↕';
    }
    tbody.replaceChildren(...shown.map((r) => tableRow(r, lk)));
  }

  tbody.addEventListener('click', (ev) => {
    const tr = (ev.target as HTMLElement).closest('tr[data-unit]') as HTMLElement | null;
    if (tr && !(ev.target as HTMLElement).closest('a')) location.hash = `#/risk/${tr.dataset.unit}`;
  });
  fill();
  return h('table', { class: 'data', 'data-testid': 'risk-table' }, h('caption', { class: 'sr-only' }, t('risk.heading')), thead, tbody);
}

//! #/risk: the map coloured by class, the legend and the sortable table.
function overview(root: HTMLElement, ctx: Parameters<Page>[1]): void {
  root.append(h('h1', {}, t('risk.heading')), loading());
  Promise.all([riskCountries(), api.units(), loadWorld()])
    .then(([rc, units]) => {
      if (!ctx.alive()) return;
      const lk = lookup(rc, units);
      const fig = chartFigure('risk-map', `${t('risk.map')} · ${rc.year}`, 'chart-map');
      root.replaceChildren(
        h('h1', {}, t('risk.heading')),
        h('p', { class: 'hint' }, t('risk.intro', { year: rc.year, version: rc.method.version })),
        h('p', {}, h('a', { href: '#/risk/projects', 'data-testid': 'to-projects' }, t('risk.projects'))),
        classLegend(rc.classes),
        fig.figure,
        h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('risk.table') }, riskTable(lk)),
      );
      fig.setChart(drawMap(fig.el, lk));
      window.__gpsi.ready = true;
    })
    .catch((e) => {
      if (ctx.alive()) root.replaceChildren(h('h1', {}, t('risk.heading')), failure(e));
    });
}

//! "score · class" of a risk score, with the class's colour beside the number.
export function scoreClass(s: { score: number | null; class: number | null; class_en: string; class_zh: string }): HTMLElement {
  const sw = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  sw.style.background = s.class == null ? NO_SHEET : CLASS_COLORS[s.class];
  return h('span', { 'data-class': s.class ?? '' }, h('strong', { 'data-testid': 'score' }, riskFmt(s.score)), ' ', sw, ` ${lang() === 'zh' ? s.class_zh : s.class_en}`);
}

const section = (title: string, testid: string, ...body: (Node | string)[]) => h('section', { 'data-testid': testid }, h('h2', {}, title), ...body);

function dimensionsList(dims: RiskScore[]): HTMLElement {
  return h(
    'ul',
    { class: 'risk-dims' },
    dims.map((d) => h('li', { 'data-dimension': d.code }, `${nm(d)}: `, scoreClass(d), d.rank != null ? ` · ${t('common.rank')} ${d.rank}` : '')),
  );
}

function indicatorsTable(s: CountryRisk): HTMLElement {
  const dimName = new Map(s.dimensions.map((d) => [d.code, nm(d)]));
  const how = (x: string) => (!x ? t('risk.how.none') : ['observed', 'carried', 'window'].includes(x) ? t(`risk.how.${x}` as 'risk.how.observed') : x);
  const head = [t('risk.indicator'), t('risk.dimension'), t('risk.value'), t('risk.score'), t('risk.datayear'), t('risk.how'), t('risk.source')];
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('risk.indicators') },
    h(
      'table',
      { class: 'data', 'data-testid': 'risk-indicators' },
      h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
      h(
        'tbody',
        {},
        s.indicators.map((i) =>
          h(
            'tr',
            { 'data-indicator': i.code },
            h('td', { 'data-col': 'name' }, nm(i)),
            h('td', { 'data-col': 'dimension' }, dimName.get(i.dimension) ?? i.dimension),
            h('td', { 'data-col': 'value', class: 'num' }, i.value == null ? '—' : String(+i.value.toPrecision(4))),
            h('td', { 'data-col': 'score', class: 'num' }, riskFmt(i.score)),
            h('td', { 'data-col': 'data_year', class: 'num' }, i.data_year ?? '—'),
            h('td', { 'data-col': 'how' }, how(i.how)),
            h('td', { 'data-col': 'source' }, h('code', {}, i.source || '—')),
          ),
        ),
      ),
    ),
  );
}

//! The history on 0–10 with the classes as shaded bands (their names and bounds on the right).
function historyChart(s: CountryRisk): HTMLElement {
  const fig = chartFigure('risk-history', t('risk.history'), 'chart-series');
  queueMicrotask(() => {
    const chart = makeChart(fig.el);
    fig.setChart(chart);
    const bands = s.classes.map((c, k) => {
      const [lo] = bounds(s.classes, k);
      const hi = s.classes[k + 1]?.from ?? 10;
      return [
        { yAxis: lo, itemStyle: { color: CLASS_COLORS[k], opacity: 0.35 }, label: { show: true, position: 'insideRight', color: '#333', formatter: `${className(c)} ${boundText(s.classes, k)}` } },
        { yAxis: hi },
      ];
    });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => riskFmt(v) },
      xAxis: { type: 'category', data: s.history.map((p) => String(p.year)) },
      yAxis: { type: 'value', min: 0, max: 10, interval: 2 },
      series: [
        {
          type: 'line',
          name: t('risk.score'),
          data: s.history.map((p) => p.score),
          itemStyle: { color: '#0d2b45' },
          label: { show: true, formatter: (p: { value: number }) => riskFmt(p.value), fontSize: 10 },
          markArea: { silent: true, data: bands },
        },
      ],
    });
  });
  return fig.figure;
}

function trendPara(s: CountryRisk): HTMLElement {
  const tr = s.trend;
  return h('p', { 'data-testid': 'risk-trend', 'data-trend': tr.direction ?? '' }, t('risk.trend.text', { dir: trendText(tr.direction), from: tr.from, to: tr.to, change: numberFmt(tr.change, 2), slope: numberFmt(tr.slope, 2), n: tr.points }));
}

function reliabilityPara(s: CountryRisk): HTMLElement {
  const r = s.reliability;
  return h(
    'div',
    { 'data-testid': 'risk-reliability' },
    h('p', {}, t('risk.rel.index'), ': ', h('strong', {}, numberFmt(r.index)), ` (${t('risk.rel.scale')})`),
    h(
      'ul',
      {},
      h('li', {}, `${t('risk.rel.missing')}: ${numberFmt(r.missing, 2)} (${r.indicators - r.present}/${r.indicators})`),
      h('li', {}, `${t('risk.rel.imputed')}: ${numberFmt(r.imputed, 2)}`),
      h('li', {}, `${t('risk.rel.age')}: ${numberFmt(r.age, 2)} (${t('risk.rel.meanage', { y: numberFmt(r.mean_age_years) })})`),
    ),
  );
}

function outlookPara(s: CountryRisk): HTMLElement {
  const o = s.outlook;
  if (!o) return h('p', { class: 'notice', 'data-testid': 'risk-outlook' }, t('risk.outlook.none'));
  return h(
    'p',
    { 'data-testid': 'risk-outlook' },
    t('risk.outlook.text', { year: o.year, median: riskFmt(o.median), p05: riskFmt(o.p05), p95: riskFmt(o.p95), cls: lang() === 'zh' ? o.class_zh : o.class_en, p: pctFmt(o.p_rise), by: numberFmt(o.rise_by) }),
  );
}

function baselinePara(s: CountryRisk): HTMLElement {
  const b = s.baseline;
  const link = h('a', { href: `#/country/${s.unit}`, 'data-testid': 'risk-profile-link' }, t('risk.baseline.link'));
  if (!b) return h('p', { 'data-testid': 'risk-baseline' }, t('risk.baseline.none'), ' ', link);
  const interval = b.rank_p05 != null && b.rank_p95 != null ? ` ${t('risk.baseline.interval', { lo: Math.round(b.rank_p05), hi: Math.round(b.rank_p95) })}` : '';
  return h(
    'p',
    { 'data-testid': 'risk-baseline' },
    t('risk.baseline.text', { version: b.version, year: b.year, score: numberFmt(b.score), rank: b.rank ?? '—', ranked: b.ranked }),
    interval,
    ' ',
    link,
  );
}

function warningsList(s: CountryRisk): HTMLElement {
  if (!s.warnings.length) return h('p', { 'data-testid': 'risk-warnings' }, t('risk.warnings.none'));
  return h(
    'ul',
    { 'data-testid': 'risk-warnings' },
    s.warnings.map((w) => h('li', { 'data-severity': w.severity }, h('strong', {}, t(`warn.sev.${w.severity}`)), ` · ${w.period} · ${w.message}`)),
  );
}

//! #/risk/ISO3: the country's risk sheet.
function sheet(root: HTMLElement, ctx: Parameters<Page>[1], id: string): void {
  const heading = (text: string) => h('h1', { 'data-testid': 'risk-title' }, text);
  root.append(heading(id), loading());
  Promise.all([countryRisk(id.toUpperCase()), api.units()])
    .then(([s, units]) => {
      if (!ctx.alive()) return;
      const u = units.find((x) => x.iso3 === s.unit || x.code === s.unit);
      const r = s.risk;
      const rank = r.rank != null ? t('risk.rankof', { rank: r.rank, n: s.ranked }) : t('risk.unranked');
      root.replaceChildren(
        heading(`${nm(u) || s.name} · ${t('risk.sheet')} ${s.year}`),
        h('p', { class: 'sub', 'data-testid': 'risk-head' }, `${nm(r)}: `, scoreClass(r), ` · ${rank}`),
        h('p', { class: 'hint' }, h('a', { href: '#/risk' }, t('risk.back')), ` · ${t('risk.method')} ${s.method.id} ${s.method.version}`),
        section(t('risk.dimensions'), 'risk-dimensions', dimensionsList(s.dimensions)),
        section(t('risk.indicators'), 'risk-indicators-section', indicatorsTable(s)),
        section(t('risk.history'), 'risk-history-section', historyChart(s), trendPara(s)),
        section(t('risk.rel'), 'risk-reliability-section', reliabilityPara(s)),
        section(t('risk.outlook'), 'risk-outlook-section', outlookPara(s)),
        section(t('risk.baseline'), 'risk-baseline-section', baselinePara(s)),
        section(t('risk.warnings'), 'risk-warnings-section', warningsList(s)),
      );
      window.__gpsi.ready = true;
    })
    .catch((e) => {
      if (ctx.alive()) root.replaceChildren(heading(id), failure(e, id));
    });
}

export const riskPage: Page = (root, ctx) => {
  if (ctx.rest[0]) sheet(root, ctx, ctx.rest[0]);
  else overview(root, ctx);
};
