// #/ranking: the table of one node's scores in one year: sort, search, region filter, the Monte
// Carlo rank interval beside each rank, and the coverage marks from the flags. Countries the method
// does not rank (flag n, `eligibility` of /api/v1/meta) are left out of the table; a note counts
// them by the reasons the build counted (meta.coverage) and links their profiles.
import * as api from '../api';
import { errorBox, flagLegend, flagMarks, h, labelledSelect, loading } from '../dom';
import { intFmt, lang, nm, numberFmt, regionName, t } from '../i18n';
import type { Page } from '../page';
import { state, yearsAndNodes } from '../state';

type SortKey = 'rank' | 'name' | 'score';

export const rankingPage: Page = (root, ctx) => {
  root.append(h('h1', {}, t('ranking.heading')), loading());
  Promise.all([api.meta(), api.units()])
    .then(([meta, units]) => {
      if (!ctx.alive()) return;
      const { years, nodes, year, node } = yearsAndNodes(meta);
      const byCode = new Map(units.map((u) => [u.code, u]));
      let rows: api.ScoreRow[] = [];

      const search = h('input', {
        type: 'search',
        id: 'rk-search',
        'data-testid': 'ranking-search',
        placeholder: t('ranking.search.placeholder'),
        value: state.search,
        autocomplete: 'off',
      });
      const regions = meta.regions.length ? meta.regions : [...new Map(units.map((u) => [u.region_code, { code: u.region_code, name: u.region }])).values()];
      const regionSel = labelledSelect(
        'rk-region',
        t('common.region'),
        [['', t('common.all')], ...regions.filter((r) => r.code).map((r): [string, string] => [r.code, regionName(r.code, r.name)])],
        state.region,
        'region-filter',
        (v) => {
          state.region = v;
          fill();
        },
      );
      const yearSel = labelledSelect('rk-year', t('common.year'), years.map((y): [string, string] => [String(y), String(y)]), String(year), 'year-select', (v) => {
        state.year = Number(v);
        void load();
      });
      const nodeSel = labelledSelect('rk-node', t('common.node'), nodes.map((c): [string, string] => [c, nm(api.nodeByCode(meta, c)) || c]), node, 'ranking-node', (v) => {
        state.node = v;
        void load();
      });
      search.addEventListener('input', () => {
        state.search = search.value;
        fill();
      });

      const sortBtn = (key: SortKey, label: string) =>
        h('button', { type: 'button', class: 'sort', 'data-testid': `sort-${key}`, onclick: () => {
          state.sort = state.sort.key === key ? { key, asc: !state.sort.asc } : { key, asc: key !== 'score' };
          fill();
        } }, label, h('span', { class: 'sort-ind', 'aria-hidden': 'true' }));
      const th = (key: SortKey | null, label: string, col: string) => h('th', { scope: 'col', 'data-col': col }, key ? sortBtn(key, label) : label);
      const thead = h(
        'thead',
        {},
        h('tr', {}, th('rank', t('common.rank'), 'rank'), th('name', t('common.country'), 'name'), th(null, t('common.region'), 'region'), th('score', t('common.score'), 'score'), th(null, t('common.interval'), 'interval'), th(null, t('common.coverage'), 'coverage')),
      );
      const tbody = h('tbody');
      const table = h('table', { class: 'data ranking', 'data-testid': 'ranking-table' }, h('caption', { class: 'sr-only' }, t('ranking.heading')), thead, tbody);
      const count = h('p', { class: 'count', role: 'status' });
      const status = h('div');
      const unrankedNote = h('div', { class: 'notice unranked-note', 'data-testid': 'unranked-note', hidden: true });

      root.replaceChildren(
        h('h1', {}, t('ranking.heading')),
        meta.partial ? h('p', { class: 'notice' }, t('common.meta.missing')) : '',
        h('div', { class: 'controls' }, yearSel, nodeSel, regionSel, h('div', { class: 'field' }, h('label', { for: 'rk-search' }, t('ranking.search')), search)),
        h('p', { class: 'hint' }, t('ranking.caption')),
        flagLegend(),
        status,
        unrankedNote,
        count,
        h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('ranking.heading') }, table),
      );

      function name(r: api.ScoreRow): string {
        return nm(byCode.get(r.unit)) || r.unit;
      }

      function fill(): void {
        const q = state.search.trim().toLowerCase();
        const shown = rows.filter((r) => {
          const u = byCode.get(r.unit);
          if (state.region && u?.region_code !== state.region) return false;
          if (!q) return true;
          return [r.unit, u?.iso3, u?.name_en, u?.name_zh].some((s) => s?.toLowerCase().includes(q));
        });
        const { key, asc } = state.sort;
        const collator = new Intl.Collator(lang() === 'zh' ? 'zh-CN' : 'en');
        const dir = asc ? 1 : -1;
        shown.sort((a, b) => {
          if (key === 'name') return dir * collator.compare(name(a), name(b));
          const av = key === 'rank' ? a.rank : a.value;
          const bv = key === 'rank' ? b.rank : b.value;
          // Unscored countries stay at the bottom whichever way the column is sorted.
          if (av == null || bv == null) return av == null && bv == null ? collator.compare(name(a), name(b)) : av == null ? 1 : -1;
          return dir * (av - bv) || collator.compare(name(a), name(b));
        });
        for (const cell of thead.querySelectorAll('th')) {
          const b = cell.querySelector<HTMLButtonElement>('button.sort');
          if (!b) continue;
          const on = b.dataset.testid === `sort-${key}`;
          cell.setAttribute('aria-sort', on ? (asc ? 'ascending' : 'descending') : 'none');
          b.querySelector('.sort-ind')!.textContent = on ? (asc ? '▲' : '▼') : '↕';
        }
        tbody.replaceChildren(
          ...shown.map((r) => {
            const u = byCode.get(r.unit);
            const interval = r.p05 != null && r.p95 != null ? `${Math.round(r.p05)}–${Math.round(r.p95)}` : '—';
            return h(
              'tr',
              { 'data-unit': u?.iso3 || r.unit, class: r.rank == null ? 'unranked' : null },
              h('td', { 'data-col': 'rank', class: 'num' }, r.rank ?? '—'),
              h('td', { 'data-col': 'name' }, h('a', { href: `#/country/${u?.iso3 || r.unit}` }, name(r))),
              h('td', { 'data-col': 'region' }, u ? regionName(u.region_code, u.region) : ''),
              h('td', { 'data-col': 'score', class: 'num' }, numberFmt(r.value)),
              h('td', { 'data-col': 'interval', class: 'num', title: r.median != null ? `median ${r.median}` : null }, interval),
              h('td', { 'data-col': 'coverage' }, flagMarks(r.flags)),
            );
          }),
        );
        count.textContent = shown.length ? `${shown.length} ${t('ranking.count')}` : t('ranking.none');
      }

      //! The note on the countries published but not ranked in `year` (flag n), counted by reason as
      //! the build counted them (meta.coverage, the engine's eligibility rule; never re-derived here).
      async function describeUnranked(unranked: api.ScoreRow[], year: number): Promise<HTMLElement[]> {
        if (!unranked.length) return [];
        const c = meta.coverage.find((x) => x.year === year);
        if (!c) return describe(unranked, year, 0, 0, unranked.length);
        const byPop = c.not_ranked_population;
        const byDims = c.not_ranked_dimensions;
        return describe(unranked, year, byPop, byDims, Math.max(0, unranked.length - byPop - byDims));
      }

      function describe(unranked: api.ScoreRow[], year: number, byPop: number, byDims: number, other: number): HTMLElement[] {
        const e = meta.eligibility;
        const dims = meta.dimensions;
        const parts = [
          byPop ? t('ranking.unranked.population', { n: byPop, min: intFmt(e?.min_population) }) : null,
          byDims ? t('ranking.unranked.dimensions', { n: byDims, max: e?.max_missing_dimensions ?? 0, dims: dims.length }) : null,
          other ? t('ranking.unranked.other', { n: other }) : null,
        ].filter((x): x is string => !!x);
        const names = unranked
          .map((r) => ({ r, u: byCode.get(r.unit) }))
          .sort((a, b) => (nm(a.u) || a.r.unit).localeCompare(nm(b.u) || b.r.unit, lang() === 'zh' ? 'zh-CN' : 'en'));
        return [
          h(
            'p',
            {},
            unranked.length === 1 ? t('ranking.unranked.one', { year }) : t('ranking.unranked', { n: unranked.length, year }),
            ' ',
            h('span', { 'data-testid': 'unranked-reasons' }, parts.join(lang() === 'zh' ? '；' : '; ')),
            lang() === 'zh' ? '（' : ' (',
            h('a', { href: '#/methodology' }, t('ranking.unranked.rule')),
            lang() === 'zh' ? '）。' : ').',
          ),
          h(
            'details',
            {},
            h('summary', {}, t('ranking.unranked.list', { year })),
            h('ul', { class: 'unranked-list' }, names.map(({ r, u }) => h('li', { 'data-unranked': u?.iso3 || r.unit }, h('a', { href: `#/country/${u?.iso3 || r.unit}` }, nm(u) || r.unit), ` ${numberFmt(r.value)}`))),
          ),
        ];
      }

      let seq = 0;
      async function load(): Promise<void> {
        const my = ++seq;
        try {
          const s = await api.scores(state.year, state.node);
          if (!ctx.alive() || my !== seq) return;
          // Published but not ranked (flag n): not in the ranked list.
          const unranked = s.rows.filter((r) => r.flags.includes('n'));
          rows = s.rows.filter((r) => !r.flags.includes('n'));
          status.replaceChildren();
          fill();
          const note = await describeUnranked(unranked, s.year);
          if (!ctx.alive() || my !== seq) return;
          unrankedNote.replaceChildren(...note);
          unrankedNote.hidden = !note.length;
          unrankedNote.dataset.count = String(unranked.length);
          window.__gpsi.ready = true;
        } catch (e) {
          if (ctx.alive() && my === seq) status.replaceChildren(errorBox(e));
        }
      }
      void load();
    })
    .catch((e) => {
      if (ctx.alive()) root.replaceChildren(h('h1', {}, t('ranking.heading')), errorBox(e));
    });
};
