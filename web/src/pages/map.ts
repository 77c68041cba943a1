// #/map[?layer=deterioration]: world choropleth of one node (the index or a dimension) in one year,
// with a year slider; or, as a second layer, each country's probability that its index deteriorates
// in the first forecast year (the outlook of /api/v1/forecasts). Countries are world-atlas
// countries-110m features, matched by their `id` (ISO 3166 numeric) to the unit's `m49`.
import * as api from '../api';
import { chartFigure, makeChart } from '../charts';
import { errorBox, h, loading } from '../dom';
import { nm, numberFmt, pctFmt, t } from '../i18n';
import type { Page } from '../page';
import { latestYear, state, yearsAndNodes } from '../state';
import { loadWorld, mapSeries } from '../world';

//! A continuous legend from `min` to `max` with its end labels and colours (low to high).
function legend(min: number, max: number, text: [string, string], colors: string[], narrow: boolean) {
  return {
    type: 'continuous',
    min,
    max,
    calculable: false,
    orient: narrow ? 'horizontal' : 'vertical',
    left: narrow ? 'center' : 8,
    bottom: 4,
    itemHeight: narrow ? 140 : 120,
    text,
    inRange: { color: colors },
  };
}

// Sequential, colour-blind-safe (viridis-like): dark = less secure, light = more secure.
const SCORE_COLORS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
// Magma, light to dark: dark = more likely to deteriorate, as dark is less secure on the score layer.
const RISK_COLORS = ['#fcfdbf', '#fc8961', '#b73779', '#51127c', '#000004'];

type Layer = 'score' | 'deterioration';

//! The top of the P(deterioration) legend: the next 5 % step at or above the highest, at least 5 %.
function legendTop(ps: number[]): number {
  return Math.max(0.05, Math.ceil(Math.max(0, ...ps) * 20 - 1e-9) / 20);
}

//! The index's forecasts for the first forecast year (its outlook rows come along). The build's
//! latest year is taken to be the forecast origin; if the server says otherwise, asked again.
function firstYearForecast(meta: api.Meta): Promise<api.Forecasts> {
  const code = api.indexNode(meta).code;
  const guess = latestYear(meta) + 1;
  return api
    .forecasts({ code, year: guess })
    .catch((e) => (api.notPublished(e) ? Promise.reject(e) : api.forecasts({ code })))
    .then((f) => (f.origin + 1 === guess || !f.outlook.length ? f : api.forecasts({ code, year: f.origin + 1 })));
}

export const mapPage: Page = (root, ctx) => {
  root.append(h('h1', {}, t('map.heading')), loading());
  Promise.all([api.meta(), api.units(), loadWorld()])
    .then(([meta, units]) => {
      if (!ctx.alive()) return;
      const { years, nodes } = yearsAndNodes(meta);
      const byCode = new Map(units.map((u) => [u.code, u]));
      const byM49 = new Map(units.filter((u) => u.m49).map((u) => [String(u.m49).padStart(3, '0'), u]));
      const unitOf = (c: string) => byCode.get(c) ?? units.find((u) => u.iso3 === c);
      const q = ctx.query.get('layer');
      if (q === 'deterioration' || q === 'score') state.layer = q;
      // Asked for at once, so the layer's option says whether it is there.
      const forecast = firstYearForecast(meta);

      const yearOut = h('output', { for: 'map-year', class: 'year-out', 'aria-live': 'polite' }, String(state.year));
      const slider = h('input', {
        type: 'range',
        id: 'map-year',
        'data-testid': 'year-slider',
        min: years[0],
        max: years[years.length - 1],
        step: 1,
        value: state.year,
        'aria-valuetext': String(state.year),
        disabled: years.length < 2,
      });
      const select = h(
        'select',
        { id: 'map-node', 'data-testid': 'dimension-select' },
        nodes.map((c) => h('option', { value: c, selected: c === state.node }, nm(api.nodeByCode(meta, c)) || c)),
      );
      const detOption = h('option', { value: 'deterioration', disabled: true }, t('map.layer.det', { year: latestYear(meta) + 1 }));
      const layerSel = h('select', { id: 'map-layer', 'data-testid': 'map-layer' }, h('option', { value: 'score' }, t('map.layer.score')), detOption);
      layerSel.value = state.layer;
      const fig = chartFigure('map', t('map.chart'), 'chart-map');
      const figTitle = fig.figure.querySelector('figcaption span')!;
      const status = h('div', { class: 'map-status' });
      const lists = h('div', { class: 'toplists' });
      const hint = h('p', { class: 'hint', 'data-testid': 'map-hint' });
      root.replaceChildren(
        h('h1', {}, t('map.heading')),
        meta.partial ? h('p', { class: 'notice' }, t('common.meta.missing')) : '',
        h(
          'div',
          { class: 'controls' },
          h('div', { class: 'field field-range' }, h('label', { for: 'map-year' }, t('common.year')), slider, yearOut),
          h('div', { class: 'field' }, h('label', { for: 'map-node' }, t('common.node')), select),
          h('div', { class: 'field' }, h('label', { for: 'map-layer' }, t('map.layer')), layerSel),
        ),
        hint,
        fig.figure,
        status,
        lists,
      );

      const chart = makeChart(fig.el);
      fig.setChart(chart);
      window.__gpsi.map = chart;
      const narrow = () => fig.el.clientWidth < 600;
      chart.on('click', (p) => {
        const u = byM49.get(String((p as { name?: string }).name));
        if (u) location.hash = `#/country/${u.iso3 || u.code}`;
      });
      const m49 = (u: api.Unit) => String(u.m49).padStart(3, '0');
      const link = (u: api.Unit | undefined, code: string, text: string) =>
        [h('a', { href: `#/country/${u?.iso3 || code}` }, nm(u) || code), ` ${text}`];

      //! The choropleth of `data` (M49 code → value) on `visualMap`, with `tip(unit, escaped name)` as
      //! each country's tooltip.
      function paint(data: { name: string; value: number | null }[], tip: (u: api.Unit, name: string) => string, visualMap: ReturnType<typeof legend>): void {
        chart.setOption(
          {
            animation: false,
            tooltip: {
              trigger: 'item',
              formatter: (p: { name: string }) => {
                const u = byM49.get(p.name);
                return u ? tip(u, nm(u).replace(/[<>&]/g, '')) : '';
              },
            },
            visualMap,
            series: mapSeries(data, narrow()),
          },
          { replaceMerge: ['series'] },
        );
      }

      function drawScores(s: Awaited<ReturnType<typeof api.scores>>): void {
        const rows = new Map(s.rows.map((r) => [r.unit, r]));
        const data = s.rows.filter((r) => r.value != null && byCode.get(r.unit)?.m49).map((r) => ({ name: m49(byCode.get(r.unit)!), value: r.value }));
        hint.replaceChildren(t('map.intro'), ' ', h('a', { href: '#/ranking' }, t('map.keyboard')));
        figTitle.textContent = t('map.chart');
        paint(
          data,
          (u, name) => {
            const r = rows.get(u.code);
            return r?.value != null
              ? `<b>${name}</b><br/>${t('common.score')}: ${numberFmt(r.value)}<br/>${t('common.rank')}: ${r.rank ?? (r.flags?.includes('n') ? t('flag.n') : '—')}`
              : `<b>${name}</b><br/>${t('common.notscored')}`;
          },
          legend(0, 100, ['100', '0'], SCORE_COLORS, narrow()),
        );
        const ranked = s.rows.filter((r) => r.rank != null).sort((a, b) => a.rank! - b.rank!);
        // value = the rank, so tied units show the same number.
        const item = (r: api.ScoreRow) => h('li', { value: r.rank }, link(byCode.get(r.unit), r.unit, numberFmt(r.value)));
        lists.replaceChildren(
          h('section', {}, h('h2', {}, t('map.top')), h('ol', {}, ranked.slice(0, 10).map(item))),
          h('section', {}, h('h2', {}, t('map.bottom')), h('ol', {}, ranked.slice(-10).map(item))),
        );
      }

      //! P(deterioration) in the first forecast year, as the data's probabilities (0–1) on a legend from
      //! 0 to the next 5 % step above the highest (probabilities of a few per cent would be pale on 0–100 %).
      function drawDeterioration(f: api.Forecasts): void {
        const year = f.origin + 1;
        const outlook = f.outlook.filter((r) => r.year === year);
        const rows = new Map(outlook.map((r) => [unitOf(r.unit)?.code ?? r.unit, r]));
        const data = outlook
          .filter((r) => r.p_deterioration != null && unitOf(r.unit)?.m49)
          .map((r) => ({ name: m49(unitOf(r.unit)!), value: r.p_deterioration }));
        const top = legendTop(outlook.flatMap((r) => (r.p_deterioration == null ? [] : [r.p_deterioration])));
        hint.replaceChildren(t('map.det.intro', { d: f.deterioration, origin: f.origin, year, model: f.model, draws: f.draws }));
        figTitle.textContent = `${t('map.det.chart')} · ${year}`;
        const rank = (r: api.OutlookRow) => (r.rank_median == null ? '—' : `${Math.round(r.rank_median)} [${Math.round(r.rank_p05!)}–${Math.round(r.rank_p95!)}]`);
        paint(
          data,
          (u, name) => {
            const r = rows.get(u.code);
            return r?.p_deterioration != null
              ? `<b>${name}</b><br/>${t('fc.pdet')} ${year}: ${pctFmt(r.p_deterioration)}<br/>${t('fc.last', { year: f.origin })}: ${numberFmt(r.last_score)}<br/>${t('fc.rank')}: ${rank(r)}`
              : `<b>${name}</b><br/>${t('common.nodata')}`;
          },
          legend(0, top, [pctFmt(top, 0), pctFmt(0, 0)], RISK_COLORS, narrow()),
        );
        const highest = outlook.filter((r) => r.p_deterioration != null).sort((a, b) => b.p_deterioration! - a.p_deterioration!).slice(0, 10);
        lists.replaceChildren(h('section', {}, h('h2', {}, t('map.det.top')), h('ol', {}, highest.map((r) => h('li', {}, link(unitOf(r.unit), r.unit, pctFmt(r.p_deterioration)))))));
      }

      let seq = 0;
      const draw = async () => {
        const my = ++seq;
        const layer: Layer = state.layer;
        // The year and node choose the scores only.
        slider.disabled = years.length < 2 || layer === 'deterioration';
        select.disabled = layer === 'deterioration';
        try {
          if (layer === 'deterioration') {
            const f = await forecast;
            if (!ctx.alive() || my !== seq) return;
            drawDeterioration(f);
            fig.el.dataset.year = String(f.origin + 1);
          } else {
            const s = await api.scores(state.year!, state.node!);
            if (!ctx.alive() || my !== seq) return;
            drawScores(s);
            fig.el.dataset.year = String(s.year);
          }
          fig.el.dataset.layer = layer;
          status.replaceChildren();
          window.__gpsi.ready = true;
        } catch (e) {
          if (!ctx.alive() || my !== seq) return;
          if (layer === 'deterioration' && api.notPublished(e)) {
            // No forecasts here: back to the scores, and say so.
            state.layer = 'score';
            layerSel.value = 'score';
            void draw().then(() => status.replaceChildren(h('p', { class: 'notice', 'data-testid': 'forecast-none' }, t('fc.none'))));
          } else status.replaceChildren(errorBox(e));
        }
      };

      forecast.then(
        (f) => {
          if (!ctx.alive()) return;
          detOption.disabled = false;
          detOption.textContent = t('map.layer.det', { year: f.origin + 1 });
        },
        () => {
          if (ctx.alive()) detOption.textContent = t('map.layer.det.off');
        },
      );
      slider.addEventListener('input', () => {
        state.year = Number(slider.value);
        yearOut.textContent = slider.value;
        slider.setAttribute('aria-valuetext', slider.value);
        void draw();
      });
      select.addEventListener('change', () => {
        state.node = select.value;
        void draw();
      });
      layerSel.addEventListener('change', () => {
        state.layer = layerSel.value === 'deterioration' ? 'deterioration' : 'score';
        void draw();
      });
      void draw();
    })
    .catch((e) => {
      if (ctx.alive()) root.replaceChildren(h('h1', {}, t('map.heading')), errorBox(e));
    });
};
