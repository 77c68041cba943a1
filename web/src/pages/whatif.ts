// #/whatif: a weight slider per dimension; every change re-ranks at once through
// POST /api/v1/whatif (debounced, the previous request aborted) and the table shows the engine's
// ranks and the change from the method's ranking.
import * as api from '../api';
import { debounce, errorBox, h, labelledSelect, loading } from '../dom';
import { nm, numberFmt, t } from '../i18n';
import type { Page } from '../page';
import { buildYears, latestYear, state } from '../state';

function changeCell(c: number | null): HTMLElement {
  if (c == null) return h('span', { class: 'muted' }, '—');
  if (c === 0) return h('span', { class: 'chg chg-0' }, '0');
  return h('span', { class: c > 0 ? 'chg chg-up' : 'chg chg-down' }, h('span', { 'aria-hidden': 'true' }, c > 0 ? '▲' : '▼'), c > 0 ? `+${c}` : String(c));
}

export const whatifPage: Page = (root, ctx) => {
  root.append(h('h1', {}, t('whatif.heading')), loading());
  let controller: AbortController | undefined;
  api
    .meta()
    .then((meta) => {
      if (!ctx.alive()) return;
      const dims = meta.dimensions;
      const base: Record<string, number> = Object.fromEntries(dims.map((d) => [d, api.nodeByCode(meta, d)?.weight ?? 1]));
      const weights: Record<string, number> = { ...base, ...(state.weights ?? {}) };
      const years = buildYears(meta);
      if (state.whatifYear == null || !years.includes(state.whatifYear)) state.whatifYear = latestYear(meta);

      const status = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite', 'data-testid': 'whatif-status' });
      const errors = h('div');
      const movers = h('div', { class: 'movers' });
      const tbody = h('tbody');
      const table = h(
        'table',
        { class: 'data whatif', 'data-testid': 'whatif-table' },
        h('caption', {}, t('whatif.caption')),
        h(
          'thead',
          {},
          h('tr', {}, [
            h('th', { scope: 'col', 'data-col': 'rank' }, t('common.rank')),
            h('th', { scope: 'col', 'data-col': 'change' }, t('whatif.change')),
            h('th', { scope: 'col', 'data-col': 'name' }, t('common.country')),
            h('th', { scope: 'col', 'data-col': 'score' }, t('whatif.newscore')),
            h('th', { scope: 'col', 'data-col': 'base_rank' }, t('whatif.base')),
            h('th', { scope: 'col', 'data-col': 'base_score' }, t('whatif.basescore')),
          ]),
        ),
        tbody,
      );

      const sliders = dims.map((d) => {
        const id = `w-${d}`;
        const out = h('output', { for: id, class: 'w-out' }, weights[d].toFixed(1));
        const input = h('input', { type: 'range', id, min: 0, max: 5, step: 0.1, value: weights[d], 'data-testid': `weight-${d}`, 'data-dimension': d });
        input.addEventListener('input', () => {
          weights[d] = Number(input.value);
          out.textContent = weights[d].toFixed(1);
          state.weights = { ...weights };
          status.textContent = t('whatif.updating');
          request();
        });
        return { d, input, out, el: h('div', { class: 'field field-range weight' }, h('label', { for: id }, `${nm(api.nodeByCode(meta, d)) || d} · ${t('whatif.weight')}`), input, out) };
      });
      const reset = h('button', { type: 'button', 'data-testid': 'whatif-reset', onclick: () => {
        for (const s of sliders) {
          weights[s.d] = base[s.d];
          s.input.value = String(base[s.d]);
          s.out.textContent = base[s.d].toFixed(1);
        }
        state.weights = undefined;
        void run();
      } }, t('whatif.reset'));
      const yearSel = labelledSelect('wi-year', t('common.year'), years.map((y): [string, string] => [String(y), String(y)]), String(state.whatifYear), 'whatif-year', (v) => {
        state.whatifYear = Number(v);
        void run();
      });

      root.replaceChildren(
        h('h1', {}, t('whatif.heading')),
        h('p', { class: 'hint' }, t('whatif.intro')),
        meta.partial ? h('p', { class: 'notice' }, t('common.meta.missing')) : '',
        h('div', { class: 'controls weights' }, sliders.map((s) => s.el)),
        h('div', { class: 'controls' }, yearSel, h('div', { class: 'field field-button' }, reset)),
        status,
        errors,
        movers,
        h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('whatif.heading') }, table),
      );

      let seq = 0;
      async function run(): Promise<void> {
        controller?.abort();
        controller = new AbortController();
        const my = ++seq;
        status.textContent = t('whatif.updating');
        try {
          const res = await api.whatif({ weights: { ...weights }, year: state.whatifYear }, controller.signal);
          if (!ctx.alive() || my !== seq) return;
          errors.replaceChildren();
          tbody.replaceChildren(
            ...res.rows.map((r) =>
              h(
                'tr',
                { 'data-unit': r.unit, 'data-rank': r.rank ?? null, class: r.rank == null ? 'unranked' : null },
                h('td', { 'data-col': 'rank', class: 'num' }, r.rank ?? '—'),
                h('td', { 'data-col': 'change', class: 'num' }, changeCell(r.change)),
                h('td', { 'data-col': 'name' }, h('a', { href: `#/country/${r.unit}` }, nm(r) || r.unit)),
                h('td', { 'data-col': 'score', class: 'num' }, numberFmt(r.value)),
                h('td', { 'data-col': 'base_rank', class: 'num' }, r.base_rank ?? '—'),
                h('td', { 'data-col': 'base_score', class: 'num' }, numberFmt(r.base_value)),
              ),
            ),
          );
          const moved = res.rows.filter((r) => r.change != null && r.change !== 0).sort((a, b) => Math.abs(b.change!) - Math.abs(a.change!));
          movers.replaceChildren(
            moved.length
              ? h('p', {}, h('strong', {}, `${t('whatif.movers')}: `), moved.slice(0, 6).flatMap((r, i) => [i ? ', ' : '', `${nm(r) || r.unit} `, changeCell(r.change)]))
              : '',
          );
          status.textContent = res.rows.some((r) => r.rank != null) ? `${t('whatif.updated')} (${res.year})` : t('whatif.allzero');
          window.__gpsi.ready = true;
        } catch (e) {
          if (e instanceof DOMException && e.name === 'AbortError') return;
          if (ctx.alive() && my === seq) {
            errors.replaceChildren(errorBox(e));
            status.textContent = '';
          }
        }
      }
      const request = debounce(() => void run(), 150);
      void run();
    })
    .catch((e) => {
      if (ctx.alive()) root.replaceChildren(h('h1', {}, t('whatif.heading')), errorBox(e));
    });
  return () => controller?.abort();
};
