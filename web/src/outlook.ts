// The country profile's outlook (/api/v1/forecasts?unit=ISO3&code=…): a fan chart of one node's
// score — its history from the profile, then the forecast median with the bands holding the middle
// 50 % and 90 % of the draws — and the index outlook per forecast year: P(deterioration), P(bottom)
// and the rank interval. A server that publishes no forecasts (404) gets a notice, not an error.
import * as api from './api';
import { chartFigure, makeChart, PALETTE, type Chart } from './charts';
import { errorBox, h, labelledSelect, loading } from './dom';
import { nm, numberFmt, pctFmt, t } from './i18n';

type Series = api.Profile['series'];

// The bands in two solid blues (the 50 % one drawn over the 90 % one), the median in vermilion.
const BAND90 = '#c6dbef';
const BAND50 = '#6baed6';
const MEDIAN = PALETTE[5];

//! A rank quantile: whole, or to one decimal (a median of an even number of draws, an interpolated percentile).
const rankFmt = (v: number | null | undefined) => (v == null || !Number.isFinite(v) ? '—' : String(Math.round(v * 10) / 10));

//! Fills `root` (already in the page) with the outlook of `unit`; `series` is the profile's history.
export function renderOutlook(root: HTMLElement, meta: api.Meta, unit: api.Profile['unit'], series: Series, alive: () => boolean): void {
  const index = api.indexNode(meta);
  const unitQ = unit.iso3 || unit.code;
  const heading = h('h2', {}, t('fc.heading'));
  root.replaceChildren(heading, loading());
  api
    .forecasts({ unit: unitQ, code: index.code })
    .then((first) => {
      if (alive()) build(root, heading, meta, unitQ, series, first, alive);
    })
    .catch((e) => {
      if (!alive()) return;
      root.replaceChildren(heading, api.notPublished(e) ? h('p', { class: 'notice', 'data-testid': 'forecast-none' }, t('fc.none')) : errorBox(e));
    });
}

function build(root: HTMLElement, heading: HTMLElement, meta: api.Meta, unitQ: string, series: Series, first: api.Forecasts, alive: () => boolean): void {
  const index = api.indexNode(meta);
  const nodeName = (c: string) => nm(api.nodeByCode(meta, c)) || c;
  // The index and its dimensions: the aggregates the forecast carries every draw through.
  const nodes = [index.code, ...meta.dimensions];
  const intro = h(
    'p',
    { class: 'hint' },
    t('fc.intro', { from: first.origin + 1, to: first.origin + first.horizon, model: first.model, origin: first.origin, draws: first.draws, seed: first.seed }),
  );
  const fig = chartFigure('fan-chart', t('fc.chart'), 'chart-fan');
  const status = h('div', { class: 'fan-status' });
  let seq = 0;
  const select = labelledSelect('fc-node', t('common.node'), nodes.map((c): [string, string] => [c, nodeName(c)]), index.code, 'fan-node', (code) => {
    const my = ++seq;
    api.forecasts({ unit: unitQ, code }).then(
      (f) => {
        if (alive() && my === seq) drawFan(chart, fig.el, status, f, code, series, nodeName(code));
      },
      (e) => {
        if (alive() && my === seq) status.replaceChildren(errorBox(e));
      },
    );
  });
  root.replaceChildren(heading, intro, h('div', { class: 'controls' }, select), fig.figure, status, outlookTable(first));
  const chart = makeChart(fig.el);
  fig.setChart(chart);
  window.__gpsi.fan = chart;
  fig.el.dataset.unit = unitQ;
  drawFan(chart, fig.el, status, first, index.code, series, nodeName(index.code));
}

//! The fan: history, then median and bands. The bands are stacked lines (p05 + (p95 − p05)), the
//! way ECharts fills between two curves; the median line starts at the last observed score so the
//! forecast visibly continues the history. The element's data-code says which node is drawn.
function drawFan(chart: Chart, el: HTMLElement, status: HTMLElement, f: api.Forecasts, code: string, series: Series, name: string): void {
  const rows = f.rows.filter((r) => r.code === code).sort((a, b) => a.year - b.year);
  const fc = new Map(rows.map((r) => [r.year, r]));
  const hist = new Map(series.map((s) => [s.year, s.scores[code]?.value ?? null]));
  const years = [...new Set([...hist.keys(), ...fc.keys()])].sort((a, b) => a - b);
  const v = (x: number | null | undefined) => (x == null || !Number.isFinite(x) ? '-' : x);
  // A band's height above its base, drawn only where both ends are known.
  const band = (lo: 'p05' | 'p25', hi: 'p75' | 'p95') => (y: number) => {
    const r = fc.get(y);
    return r?.[lo] == null || r[hi] == null ? '-' : r[hi] - r[lo];
  };
  const last = hist.get(f.origin);
  const quiet = { symbol: 'none', lineStyle: { opacity: 0 }, emphasis: { disabled: true } };
  status.replaceChildren(...(rows.length ? [] : [h('p', { class: 'notice', 'data-testid': 'fan-nodata' }, t('fc.nodata', { node: name }))]));
  chart.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis', formatter: (ps: { axisValue: string }[]) => tooltip(Number(ps[0]?.axisValue), hist, fc, name) },
      legend: { top: 0, data: [t('fc.history'), t('fc.median'), { name: t('fc.band50'), icon: 'rect' }, { name: t('fc.band90'), icon: 'rect' }] },
      grid: { left: 40, right: 16, top: el.clientWidth < 600 ? 56 : 36, bottom: 24 },
      xAxis: { type: 'category', boundaryGap: false, data: years.map(String) },
      yAxis: {
        type: 'value',
        scale: true,
        min: (e: { min: number }) => Math.max(0, Math.floor(e.min / 10) * 10),
        max: (e: { max: number }) => Math.min(100, Math.ceil(e.max / 10) * 10),
      },
      series: [
        { id: 'p05', type: 'line', stack: 'b90', data: years.map((y) => v(fc.get(y)?.p05)), ...quiet },
        { id: 'band90', name: t('fc.band90'), type: 'line', stack: 'b90', data: years.map(band('p05', 'p95')), ...quiet, itemStyle: { color: BAND90 }, areaStyle: { color: BAND90, opacity: 1 } },
        { id: 'p25', type: 'line', stack: 'b50', data: years.map((y) => v(fc.get(y)?.p25)), ...quiet },
        { id: 'band50', name: t('fc.band50'), type: 'line', stack: 'b50', data: years.map(band('p25', 'p75')), ...quiet, itemStyle: { color: BAND50 }, areaStyle: { color: BAND50, opacity: 1 } },
        {
          id: 'median',
          name: t('fc.median'),
          type: 'line',
          data: years.map((y) => (y === f.origin && rows.length ? v(last) : v(fc.get(y)?.median))),
          symbolSize: 6,
          itemStyle: { color: MEDIAN },
          lineStyle: { width: 2, type: 'dashed' },
        },
        // Last, so the origin year's observed point is drawn over the median's start.
        { id: 'history', name: t('fc.history'), type: 'line', data: years.map((y) => v(hist.get(y))), symbolSize: 6, itemStyle: { color: PALETTE[0] }, lineStyle: { width: 2.5 } },
      ],
    },
    { replaceMerge: ['series'] },
  );
  el.dataset.code = code;
  el.dataset.origin = String(f.origin);
  el.setAttribute('aria-label', `${t('fc.chart')}: ${name}`);
}

//! The axis tooltip of a year: the score, or the forecast median with both intervals.
function tooltip(year: number, hist: Map<number, number | null>, fc: Map<number, api.ForecastRow>, name: string): string {
  const esc = (s: string) => s.replace(/[<>&]/g, '');
  const r = fc.get(year);
  const lines = [`<b>${esc(name)} · ${year}</b>`];
  const score = hist.get(year);
  if (score != null) lines.push(`${t('fc.history')}: ${numberFmt(score)}`);
  if (r) {
    lines.push(`${t('fc.median')}: ${numberFmt(r.median)}`);
    lines.push(`${t('fc.band50')}: ${numberFmt(r.p25)}–${numberFmt(r.p75)}`);
    lines.push(`${t('fc.band90')}: ${numberFmt(r.p05)}–${numberFmt(r.p95)}`);
  }
  return lines.join('<br/>');
}

//! The index outlook: a row per forecast year (tr[data-year]) with P(deterioration), P(bottom) and
//! the rank's median and 90 % interval; exact values in the cells' titles.
function outlookTable(f: api.Forecasts): HTMLElement {
  const rows = [...f.outlook].sort((a, b) => a.year - b.year);
  const head = rows[0];
  const caption = head
    ? t('fc.outlook.caption', { origin: f.origin, score: numberFmt(head.last_score), rank: head.last_rank ?? '—', d: f.deterioration })
    : t('fc.outlook.none', { origin: f.origin });
  const exact = (x: number | null) => (x == null ? null : String(x));
  const tr = (r: api.OutlookRow) =>
    h(
      'tr',
      { 'data-year': r.year },
      h('th', { scope: 'row', 'data-col': 'year' }, String(r.year)),
      h('td', { class: 'num', 'data-col': 'p_deterioration', title: exact(r.p_deterioration) }, pctFmt(r.p_deterioration)),
      h('td', { class: 'num', 'data-col': 'p_bottom', title: exact(r.p_bottom) }, pctFmt(r.p_bottom)),
      h(
        'td',
        { class: 'num', 'data-col': 'rank', title: r.rank_median == null ? null : `${r.rank_median} [${r.rank_p05}, ${r.rank_p95}]` },
        r.rank_median == null ? '—' : `${rankFmt(r.rank_median)} [${rankFmt(r.rank_p05)}–${rankFmt(r.rank_p95)}]`,
      ),
    );
  return h(
    'div',
    { class: 'outlook' },
    h('h3', {}, t('fc.outlook')),
    h('p', { class: 'hint', 'data-testid': 'outlook-caption' }, caption),
    rows.length
      ? h(
          'div',
          { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('fc.outlook') },
          h(
            'table',
            { class: 'data outlook-table', 'data-testid': 'outlook-table' },
            h('caption', { class: 'sr-only' }, t('fc.outlook')),
            h('thead', {}, h('tr', {}, [t('common.year'), t('fc.pdet'), t('fc.pbottom', { n: f.bottom }), t('fc.rank')].map((x) => h('th', { scope: 'col' }, x)))),
            h('tbody', {}, rows.map(tr)),
          ),
        )
      : null,
  );
}
