// #/compare?units=A,B[&year=Y]: up to five countries side by side (bar chart by node, index over
// time, and a table of scores with rank intervals).
import * as api from '../api';
import { chartFigure, makeChart, PALETTE } from '../charts';
import { errorBox, h, labelledSelect, loading } from '../dom';
import { lang, nm, numberFmt, t } from '../i18n';
import type { Page } from '../page';
import { buildYears, latestYear } from '../state';

const MAX = 5;

function parseUnits(s: string): string[] {
  return [...new Set(s.split(/[\s,;，]+/).map((x) => x.trim().toUpperCase()).filter(Boolean))];
}

export const comparePage: Page = (root, ctx) => {
  const codes = parseUnits(ctx.query.get('units') ?? '');
  const qYear = ctx.query.get('year');
  root.append(h('h1', {}, t('compare.heading')), loading());
  Promise.all([api.meta(), api.units()])
    .then(([meta, units]) => {
      if (!ctx.alive()) return;
      // The codes typed are checked against the units of the build first (ISO3, unit code or a
      // name in either language, any case): unknown ones are named here instead of a 400 answer.
      const lookup = new Map<string, string>();
      for (const u of units) {
        const id = u.iso3 || u.code;
        for (const k of [u.code, u.iso3, u.name_en, u.name_zh]) if (k) lookup.set(k.toUpperCase(), id);
      }
      const unknown = codes.filter((c) => !lookup.has(c));
      const known = [...new Set(codes.filter((c) => lookup.has(c)).map((c) => lookup.get(c)!))];
      const years = buildYears(meta);
      const year = qYear && years.includes(Number(qYear)) ? Number(qYear) : latestYear(meta);
      const go = (list: string[], y = year) => {
        const q = new URLSearchParams();
        if (list.length) q.set('units', list.join(','));
        if (y !== latestYear(meta)) q.set('year', String(y));
        location.hash = `#/compare${q.toString() ? `?${q.toString().replace(/%2C/g, ',')}` : ''}`;
      };

      const input = h('input', { type: 'text', id: 'cmp-units', 'data-testid': 'compare-units', value: codes.join(','), autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'cmp-msg' });
      const msg = h('p', { id: 'cmp-msg', class: 'hint', role: 'status' });
      // Typing a list and leaving the field (or Enter, via the form) compares at once.
      input.addEventListener('change', () => {
        const list = parseUnits(input.value);
        if (list.length > MAX) msg.textContent = t('compare.toomany');
        else if (list.join(',') !== codes.join(',')) go(list);
      });
      const collator = new Intl.Collator(lang() === 'zh' ? 'zh-CN' : 'en');
      const sorted = [...units].sort((a, b) => collator.compare(nm(a), nm(b)));
      const addSel = labelledSelect('cmp-add', t('compare.add'), [['', t('compare.add.placeholder')], ...sorted.map((u): [string, string] => [u.iso3 || u.code, `${nm(u)} (${u.iso3 || u.code})`])], '', 'compare-add', (v) => {
        if (!v) return;
        const list = parseUnits(input.value);
        if (list.length >= MAX) {
          msg.textContent = t('compare.toomany');
          return;
        }
        go([...list, v]);
      });
      const form = h(
        'form',
        { class: 'controls', onsubmit: (ev: Event) => {
          ev.preventDefault();
          const list = parseUnits(input.value);
          if (list.length > MAX) msg.textContent = t('compare.toomany');
          else go(list);
        } },
        h('div', { class: 'field field-wide' }, h('label', { for: 'cmp-units' }, t('compare.units')), input),
        h('div', { class: 'field field-button' }, h('button', { type: 'submit', 'data-testid': 'compare-go' }, t('compare.go'))),
        addSel,
        labelledSelect('cmp-year', t('common.year'), years.map((y): [string, string] => [String(y), String(y)]), String(year), 'compare-year', (v) => go(parseUnits(input.value), Number(v))),
      );
      const body = h('div');
      root.replaceChildren(h('h1', {}, t('compare.heading')), form, msg, body);

      if (unknown.length) msg.textContent = `${t('compare.unknown')}: ${unknown.join(', ')}`;
      if (known.length === 0 || known.length > MAX) {
        if (!unknown.length) msg.textContent = known.length > MAX ? t('compare.toomany') : t('compare.empty');
        body.append(h('div', { class: 'data', 'data-testid': 'compare-table' }));
        return;
      }
      body.append(loading());
      api
        .compare(known, year)
        .then((c) => {
          if (!ctx.alive()) return;
          const nodeName = (code: string) => nm(api.nodeByCode(meta, code)) || code;
          const bars = chartFigure('compare-chart', t('compare.chart'), 'chart-bars');
          const lines = chartFigure('compare-series', t('compare.series'), 'chart-series');
          const chips = h(
            'ul',
            { class: 'chips' },
            c.units.map((u, i) =>
              h(
                'li',
                {},
                h('span', { class: 'swatch', style: `background:${PALETTE[i]}`, 'aria-hidden': 'true' }),
                h('a', { href: `#/country/${u.code}` }, nm(u)),
                ' ',
                h('button', { type: 'button', class: 'chip-x', 'aria-label': `${t('compare.remove')} ${nm(u)}`, onclick: () => go(known.filter((x) => x !== u.code.toUpperCase())) }, '×'),
              ),
            ),
          );
          const table = h(
            'table',
            { class: 'data compare', 'data-testid': 'compare-table' },
            h('caption', {}, `${c.year} · ${t('common.score')} (${t('common.rank')} [${t('common.interval')}])`),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('common.country')), c.nodes.map((n) => h('th', { scope: 'col', 'data-node': n }, nodeName(n))))),
            h(
              'tbody',
              {},
              c.units.map((u) =>
                h(
                  'tr',
                  { 'data-unit': u.code },
                  h('th', { scope: 'row' }, h('a', { href: `#/country/${u.code}` }, nm(u))),
                  c.nodes.map((n) => {
                    const s = u.scores[n];
                    const iv = s?.p05 != null && s?.p95 != null ? ` [${Math.round(s.p05)}–${Math.round(s.p95)}]` : '';
                    return h('td', { class: 'num', 'data-node': n }, h('span', { class: 'v' }, numberFmt(s?.value)), h('span', { class: 'muted' }, ` (${s?.rank ?? '—'}${iv})`));
                  }),
                ),
              ),
            ),
          );
          body.replaceChildren(chips, h('div', { class: 'grid2' }, bars.figure, lines.figure), h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('compare.heading') }, table));

          const barChart = makeChart(bars.el);
          bars.setChart(barChart);
          // Horizontal bars on a phone: the node names need the width.
          const narrow = bars.el.clientWidth < 600;
          const cat = { type: 'category' as const, data: c.nodes.map(nodeName), inverse: narrow, axisLabel: { interval: 0, width: narrow ? 90 : 100, overflow: 'break' as const } };
          const val = { type: 'value' as const, min: 0, max: 100 };
          barChart.setOption({
            animation: false,
            color: PALETTE,
            tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toFixed(1) : '—') },
            legend: { top: 0 },
            grid: { left: narrow ? 96 : 40, right: 12, top: 40, bottom: narrow ? 24 : 44 },
            xAxis: narrow ? val : cat,
            yAxis: narrow ? cat : val,
            series: c.units.map((u) => ({ name: nm(u), type: 'bar', data: c.nodes.map((n) => u.scores[n]?.value ?? '-') })),
          });
          const lineChart = makeChart(lines.el);
          lines.setChart(lineChart);
          const ys = [...new Set(c.units.flatMap((u) => u.series.map((s) => s.year)))].sort();
          lineChart.setOption({
            animation: false,
            color: PALETTE,
            tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toFixed(1) : '—') },
            legend: { top: 0 },
            grid: { left: 40, right: 12, top: 40, bottom: 24 },
            xAxis: { type: 'category', data: ys.map(String) },
            yAxis: { type: 'value', min: 0, max: 100 },
            series: c.units.map((u) => ({ name: nm(u), type: 'line', symbolSize: 6, data: ys.map((y) => u.series.find((s) => s.year === y)?.value ?? '-') })),
          });
          window.__gpsi.ready = true;
        })
        .catch((e) => {
          if (ctx.alive()) body.replaceChildren(errorBox(e));
        });
    })
    .catch((e) => {
      if (ctx.alive()) root.replaceChildren(h('h1', {}, t('compare.heading')), errorBox(e));
    });
};
