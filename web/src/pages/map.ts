// #/map: world choropleth of one node (the index or a dimension) in one year, with a year slider.
// Countries are world-atlas countries-110m features, matched by their `id` (ISO 3166 numeric) to
// the unit's `m49`.
import { feature } from 'topojson-client';
import type { FeatureCollection, Geometry } from 'geojson';
import type { GeometryCollection, Topology } from 'topojson-specification';
import worldUrl from 'world-atlas/countries-110m.json?url';
import * as api from '../api';
import { chartFigure, echarts, makeChart } from '../charts';
import { errorBox, h, loading } from '../dom';
import { nm, numberFmt, t } from '../i18n';
import type { Page } from '../page';
import { state, yearsAndNodes } from '../state';

//! Rings of countries-110m that cross 180° (Russia, Fiji) jump from +180 to -180 and would be
//! drawn as a stripe across the whole map: their western points are moved east by 360°.
function unwrapAntimeridian(g: Geometry | null): void {
  if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) return;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const ring of polys.flat()) {
    if (!ring.some((pt, k) => k > 0 && Math.abs(pt[0] - ring[k - 1][0]) > 180)) continue;
    for (const pt of ring) if (pt[0] < 0) pt[0] += 360;
  }
}

let worldPromise: Promise<void> | undefined;

//! Registers the "world" map once: features carry their ISO numeric id as the `m49` property.
function loadWorld(): Promise<void> {
  worldPromise ??= fetch(worldUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`world map: HTTP ${r.status}`);
      return r.json() as Promise<Topology<{ countries: GeometryCollection<{ name: string }> }>>;
    })
    .then((topo) => {
      const fc = feature(topo, topo.objects.countries) as FeatureCollection;
      // Antarctica (010) has no scores and takes a fifth of the height.
      fc.features = fc.features.filter((f) => f.id !== '010');
      for (const f of fc.features) unwrapAntimeridian(f.geometry);
      for (const f of fc.features) f.properties = { ...(f.properties ?? {}), m49: f.id == null ? `x-${f.properties?.name}` : String(f.id) };
      echarts.registerMap('world', fc as never);
    });
  worldPromise.catch(() => (worldPromise = undefined));
  return worldPromise;
}

export const mapPage: Page = (root, ctx) => {
  root.append(h('h1', {}, t('map.heading')), loading());
  Promise.all([api.meta(), api.units(), loadWorld()])
    .then(([meta, units]) => {
      if (!ctx.alive()) return;
      const { years, nodes } = yearsAndNodes(meta);
      const byCode = new Map(units.map((u) => [u.code, u]));
      const byM49 = new Map(units.filter((u) => u.m49).map((u) => [String(u.m49).padStart(3, '0'), u]));

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
      const fig = chartFigure('map', t('map.chart'), 'chart-map');
      const status = h('div', { class: 'map-status' });
      const lists = h('div', { class: 'toplists' });
      root.replaceChildren(
        h('h1', {}, t('map.heading')),
        meta.partial ? h('p', { class: 'notice' }, t('common.meta.missing')) : '',
        h(
          'div',
          { class: 'controls' },
          h('div', { class: 'field field-range' }, h('label', { for: 'map-year' }, t('common.year')), slider, yearOut),
          h('div', { class: 'field' }, h('label', { for: 'map-node' }, t('common.node')), select),
        ),
        h('p', { class: 'hint' }, t('map.intro'), ' ', h('a', { href: '#/ranking' }, t('map.keyboard'))),
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

      let seq = 0;
      const draw = async () => {
        const my = ++seq;
        const year = state.year!;
        const node = state.node!;
        try {
          const s = await api.scores(year, node);
          if (!ctx.alive() || my !== seq) return;
          const rows = new Map(s.rows.map((r) => [r.unit, r]));
          const data = s.rows
            .filter((r) => r.value != null && byCode.get(r.unit)?.m49)
            .map((r) => ({ name: String(byCode.get(r.unit)!.m49).padStart(3, '0'), value: r.value }));
          chart.setOption(
            {
              animation: false,
              tooltip: {
                trigger: 'item',
                formatter: (p: { name: string }) => {
                  const u = byM49.get(p.name);
                  if (!u) return '';
                  const r = rows.get(u.code);
                  const name = nm(u).replace(/[<>&]/g, '');
                  return r?.value != null
                    ? `<b>${name}</b><br/>${t('common.score')}: ${numberFmt(r.value)}<br/>${t('common.rank')}: ${r.rank ?? (r.flags?.includes('n') ? t('flag.n') : '—')}`
                    : `<b>${name}</b><br/>${t('common.notscored')}`;
                },
              },
              visualMap: {
                type: 'continuous',
                min: 0,
                max: 100,
                calculable: false,
                orient: narrow() ? 'horizontal' : 'vertical',
                left: narrow() ? 'center' : 8,
                bottom: 4,
                itemHeight: narrow() ? 140 : 120,
                text: ['100', '0'],
                // Sequential, colour-blind-safe (viridis-like): dark = less secure, light = more secure.
                inRange: { color: ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'] },
              },
              series: [
                {
                  type: 'map',
                  map: 'world',
                  nameProperty: 'm49',
                  roam: false,
                  left: 0,
                  right: 0,
                  top: 0,
                  bottom: narrow() ? 48 : 0,
                  selectedMode: false,
                  label: { show: false },
                  emphasis: { label: { show: false }, itemStyle: { areaColor: '#f28e2b' } },
                  itemStyle: { areaColor: '#d9d9d9', borderColor: '#ffffff', borderWidth: 0.5 },
                  data,
                },
              ],
            },
            { replaceMerge: ['series'] },
          );
          const ranked = s.rows.filter((r) => r.rank != null).sort((a, b) => a.rank! - b.rank!);
          const item = (r: api.ScoreRow) => {
            const u = byCode.get(r.unit);
            // value = the rank, so tied units show the same number.
            return h('li', { value: r.rank }, h('a', { href: `#/country/${u?.iso3 || r.unit}` }, nm(u) || r.unit), ` ${numberFmt(r.value)}`);
          };
          lists.replaceChildren(
            h('section', {}, h('h2', {}, t('map.top')), h('ol', {}, ranked.slice(0, 10).map(item))),
            h('section', {}, h('h2', {}, t('map.bottom')), h('ol', {}, ranked.slice(-10).map(item))),
          );
          status.replaceChildren();
          window.__gpsi.ready = true;
        } catch (e) {
          if (ctx.alive() && my === seq) status.replaceChildren(errorBox(e));
        }
      };

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
      void draw();
    })
    .catch((e) => {
      if (ctx.alive()) root.replaceChildren(h('h1', {}, t('map.heading')), errorBox(e));
    });
};
