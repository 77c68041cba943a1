// #/methodology: the method as the server reads it (GET /api/v1/meta): its version; the tree of
// index → dimensions → indicators with weights, direction, what each reads and its fallback series;
// who is ranked (eligibility); the pipeline; the coverage rule; the uncertainty settings; the
// validation of the version (GET /api/v1/validation, when the server publishes one); the sources
// with tier and licence.
import * as api from '../api';
import { errorBox, h, loading } from '../dom';
import { eligibilityRule, shiftReason } from '../eligibility';
import { hasKey, lang, nm, numberFmt, t } from '../i18n';
import type { Page } from '../page';

const f2 = (v: number | null | undefined) => numberFmt(v, 2);
const f3 = (v: number | null | undefined) => numberFmt(v, 3);
const interval = (lo: number | null, hi: number | null) => (lo == null || hi == null ? '—' : `[${f3(lo)}, ${f3(hi)}]`);

//! A table in its own sideways-scrolling box (the page never scrolls sideways on a phone).
function scrollTable(label: string, testid: string, head: string[], rows: HTMLElement[], caption?: string): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': label },
    h(
      'table',
      { class: 'data', 'data-testid': testid },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows),
    ),
  );
}

const td = (col: string, v: string | number | Node, num = false) => h('td', { 'data-col': col, class: num ? 'num' : null }, v);

//! The "Validation · 验证" section from /api/v1/validation.
function validationSection(v: api.Validation, meta: api.Meta, units: api.Unit[]): HTMLElement[] {
  const node = (c: string) => nm(api.nodeByCode(meta, c)) || c;
  const nodeCell = (c: string) => h('span', {}, node(c), ' ', h('code', {}, c));
  const out: HTMLElement[] = [h('p', { class: 'hint' }, t('val.intro', { version: v.method_version }))];

  // Coverage per year.
  out.push(
    h('h3', {}, t('val.coverage')),
    scrollTable(t('val.coverage'), 'val-coverage', [t('common.year'), t('val.scored'), t('val.ranked'), t('val.popshare'), t('val.imputed')],
      v.coverage.map((c) => h('tr', { 'data-year': c.year },
        h('th', { scope: 'row' }, String(c.year)),
        td('scored', c.scored, true), td('ranked', c.ranked, true),
        td('population_share', f3(c.population_share), true), td('mean_imputed_share', f3(c.mean_imputed_share), true)))),
  );

  // External measures: for each measure and node, the latest year with a ρ.
  const latest = new Map<string, api.Validation['externals'][number]>();
  for (const e of v.externals) {
    if (e.rho == null) continue;
    const k = `${e.id}\u0000${e.node}`;
    const cur = latest.get(k);
    if (!cur || e.year > cur.year) latest.set(k, e);
  }
  out.push(h('h3', {}, t('val.externals')), h('p', { class: 'hint' }, t('val.externals.hint')));
  out.push(
    scrollTable(t('val.externals'), 'val-externals', [t('val.measure'), t('val.node'), t('val.year'), 'n', t('val.rho'), t('val.ci')],
      [...latest.values()].map((e) => h('tr', { 'data-id': e.id, 'data-node': e.node, 'data-year': e.year },
        h('th', { scope: 'row', class: 'wrap' }, nm(e)),
        td('node', nodeCell(e.node)),
        td('year', `${e.year} (${e.external_year})`, true),
        td('n', e.n, true), td('rho', f3(e.rho), true), td('interval', interval(e.lo, e.hi), true)))),
  );

  // Known groups of the latest year.
  const gYear = v.known_groups.reduce((y, g) => Math.max(y, g.year), -Infinity);
  const groups = v.known_groups.filter((g) => g.year === gYear);
  const variant = (s: string) => {
    if (s === 'index') return t('val.variant.index');
    const m = /^index without (.+)$/.exec(s);
    return m ? t('val.variant.without', { codes: m[1].split(', ').map(node).join(lang() === 'zh' ? '、' : ', ') }) : s;
  };
  if (groups.length) {
    out.push(h('h3', {}, t('val.groups', { year: gYear })), h('p', { class: 'hint' }, t('val.groups.hint')));
    out.push(
      scrollTable(t('val.groups', { year: gYear }), 'val-groups', [t('val.check'), t('val.variant'), t('val.groups.n'), t('val.auc'), t('val.ci'), t('val.holds')],
        groups.map((g) => h('tr', { 'data-id': g.id, 'data-variant': g.variant, 'data-year': g.year },
          h('th', { scope: 'row', class: 'wrap' }, nm(g)),
          h('td', { 'data-col': 'variant', class: 'wrap' }, variant(g.variant)),
          td('n', `${g.n_low} / ${g.n_high}`, true),
          td('auc', f3(g.auc), true), td('interval', interval(g.lo, g.hi), true),
          h('td', { 'data-col': 'holds', class: g.holds ? 'holds' : 'fails' }, g.holds ? `✓ ${t('common.yes')}` : `✗ ${t('common.no')}`)))),
    );
  }

  // Coherence of the index and each dimension (latest year).
  if (v.coherence.length) {
    const cYear = v.coherence[0].year;
    out.push(h('h3', {}, t('val.coherence', { year: cYear })), h('p', { class: 'hint' }, t('val.coherence.hint')));
    out.push(
      scrollTable(t('val.coherence', { year: cYear }), 'val-coherence', [t('val.node'), t('val.units'), t('val.alpha'), t('val.pc1'), t('val.r2')],
        v.coherence.map((c) => h('tr', { 'data-node': c.node, 'data-year': c.year },
          h('th', { scope: 'row', title: c.children.join(', ') }, nodeCell(c.node)),
          td('units', c.units, true), td('alpha', f2(c.alpha), true), td('pc1_share', f2(c.pc1_share), true), td('r2_with_index', f2(c.r2_with_index), true)))),
    );
  }

  // Negative correlations within one aggregate.
  out.push(h('h3', {}, t('val.negative')));
  out.push(
    v.negative_correlations.length
      ? h('ul', { class: 'negatives', 'data-testid': 'val-negative' }, v.negative_correlations.map((c) => h('li', { 'data-year': c.year },
          t('val.negative.item', { year: c.year, parent: node(c.parent), a: node(c.a), b: node(c.b), r: f2(c.r) }),
          (lang() === 'zh' ? c.explanation_zh || c.explanation_en : c.explanation_en || c.explanation_zh) ? h('span', { class: 'src-note' }, lang() === 'zh' ? c.explanation_zh || c.explanation_en : c.explanation_en || c.explanation_zh) : null)))
      : h('p', { 'data-testid': 'val-negative' }, t('val.negative.none')),
  );

  // The largest rank shifts from the previous version.
  const byCode = new Map(units.flatMap((u) => [[u.code, u], [u.iso3, u]] as [string, api.Unit][]));
  const sYear = v.largest_shifts[0]?.year ?? v.latest_year;
  if (v.previous_version) {
    const vars = { previous: v.previous_version, version: v.method_version, year: sYear };
    out.push(h('h3', {}, t('val.shifts', vars)));
    out.push(
      scrollTable(t('val.shifts', vars), 'val-shifts', [t('common.country'), t('val.rank.previous', vars), t('val.rank.now', vars), t('val.change'), t('val.reason')],
        v.largest_shifts.map((s) => {
          const u = byCode.get(s.unit);
          const change = s.rank_previous - s.rank;
          return h('tr', { 'data-unit': s.unit },
            h('th', { scope: 'row' }, h('a', { href: `#/country/${u?.iso3 || s.unit}` }, u ? nm(u) : s.name)),
            td('rank_previous', s.rank_previous, true), td('rank', s.rank, true),
            h('td', { 'data-col': 'change', class: `num chg ${change > 0 ? 'chg-up' : change < 0 ? 'chg-down' : 'chg-0'}` }, change > 0 ? `▲ ${change}` : change < 0 ? `▼ ${-change}` : '0'),
            h('td', { 'data-col': 'reason', class: 'wrap' }, shiftReason(s.reason, node)));
        })),
    );
  } else {
    out.push(h('p', {}, t('val.shifts.none')));
  }
  return out;
}

export const methodologyPage: Page = (root, ctx) => {
  root.append(h('h1', {}, t('method.heading')), loading());
  api
    .meta()
    .then((m) => {
      if (!ctx.alive()) return;
      const byCode = new Map(m.nodes.map((n) => [n.code, n]));
      const top = api.indexNode(m);
      const children = (n: api.MetaNode) => (n.children.length ? n.children : m.nodes.filter((c) => c.parent === n.code).map((c) => c.code)).map((c) => byCode.get(c)).filter((c): c is api.MetaNode => !!c);

      // Share of the index: the node's weight over its scored siblings', down the tree.
      const share = new Map<string, number>([[top.code, 1]]);
      const walk = (n: api.MetaNode) => {
        const kids = children(n);
        const total = kids.filter((k) => !k.monitor).reduce((s, k) => s + (k.weight ?? 0), 0);
        for (const k of kids) {
          share.set(k.code, k.monitor || total <= 0 ? 0 : (share.get(n.code)! * (k.weight ?? 0)) / total);
          walk(k);
        }
      };
      walk(top);

      const dir = (d: number | null) => (d === 1 ? `↑ ${t('dir.up')}` : d === -1 ? `↓ ${t('dir.down')}` : null);
      const reads = (codes: string[], sum: boolean) => `${t('method.reads')} ${sum ? `${t('method.sum')} ${codes.join(' + ')}` : codes.join(', ')}`;
      const fallbacks = (n: api.MetaNode) =>
        (n.fallback ?? []).map((fb, k) =>
          h(
            'div',
            { class: 'node-fallback', 'data-testid': `fallback-${n.code}`, 'data-series': k + 1 },
            h('strong', {}, t('method.fallback', { k: k + 1 })),
            lang() === 'zh' ? `（${t('method.fallback.when')}）：` : ` (${t('method.fallback.when')}): `,
            [reads(fb.reads, fb.sum), fb.denominator ? `${t('method.denominator')} ${fb.denominator}` : null, `${t('method.adjust')} × ${fb.adjust}`].filter(Boolean).join(' · '),
            fb.note ? h('span', { class: 'src-note' }, fb.note) : null,
          ),
        );
      const item = (n: api.MetaNode): HTMLElement => {
        const kids = children(n);
        const facts = [
          n !== top ? `${t('method.weight')} ${n.weight}` : null,
          n !== top && !n.monitor ? `${t('method.share')} ${((share.get(n.code) ?? 0) * 100).toFixed(1)} %` : null,
          n.indicator ? dir(n.direction) : null,
          n.reads.length ? reads(n.reads, n.sum) : null,
          n.denominator ? `${t('method.denominator')} ${n.denominator}` : null,
        ].filter(Boolean);
        return h(
          'li',
          { 'data-node': n.code, class: n.indicator ? 'ind' : 'agg' },
          h('span', { class: 'node-name' }, nm(n)), ' ', h('code', {}, n.code),
          n.monitor ? h('span', { class: 'badge' }, t('profile.monitor')) : null,
          facts.length ? h('span', { class: 'node-facts' }, ` — ${facts.join(' · ')}`) : null,
          n.source_note ? h('div', { class: 'node-source' }, n.source_note) : null,
          fallbacks(n),
          kids.length ? h('ul', {}, kids.map(item)) : null,
        );
      };

      const pipeline = Object.entries(m.pipeline);
      const iv = m.intervals;
      const validation = h('section', { 'data-testid': 'validation', class: 'validation' }, h('h2', {}, t('val.heading')));
      root.replaceChildren(
        h('h1', {}, t('method.heading')),
        h(
          'div',
          { 'data-testid': 'methodology', class: 'methodology' },
          m.partial ? h('p', { class: 'notice' }, t('common.meta.missing')) : null,
          h('p', { class: 'method-version', 'data-testid': 'method-version' }, h('strong', {}, nm(m.index)), ' · ', h('span', { class: 'version-badge' }, t('method.version.line', { version: m.index.version || '—' }))),
          h('p', { class: 'sub' }, `${t('footer.run')} `, h('code', {}, m.index.run), ` · ${t('method.years')} ${m.years[0]}–${m.years[m.years.length - 1]}`),
          m.index.method_hash ? h('p', { class: 'hashes' }, `${t('method.hashes')}: `, h('code', {}, m.index.method_hash.slice(0, 16)), ' / ', h('code', {}, m.index.data_hash.slice(0, 16))) : null,
          h('section', {}, h('h2', {}, t('method.framework')), h('ul', { class: 'tree', 'data-testid': 'method-tree' }, item(top))),
          m.partial ? null : h('section', {}, h('h2', {}, t('method.eligibility')), h('p', { 'data-testid': 'method-eligibility' }, eligibilityRule(m))),
          pipeline.length
            ? h('section', {}, h('h2', {}, t('method.pipeline')), h('dl', { class: 'pipeline', 'data-testid': 'method-pipeline' }, pipeline.flatMap(([k, v]) => {
                const key = `step.${k}`;
                return [h('dt', {}, hasKey(key) ? t(key) : k, ' ', h('code', {}, k)), h('dd', {}, h('code', {}, String(v)))];
              })))
            : null,
          m.index.coverage_rule ? h('section', {}, h('h2', {}, t('method.coverage')), h('p', { 'data-testid': 'method-coverage' }, m.index.coverage_rule)) : null,
          h('section', {}, h('h2', {}, t('method.intervals')), h('p', {}, iv ? t('method.intervals.text', { samples: iv.samples, seed: iv.seed, level: Math.round(iv.level * 100) }) : t('method.intervals.none'))),
          validation,
          h(
            'section',
            {},
            h('h2', {}, t('method.sources')),
            h('p', { class: 'hint' }, t('method.tiers')),
            h(
              'div',
              { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('method.sources') },
              h(
                'table',
                { class: 'data sources', 'data-testid': 'method-sources' },
                h('thead', {}, h('tr', {}, [t('method.publisher'), t('profile.tier'), t('profile.licence'), t('method.release'), t('method.retrieved')].map((x) => h('th', { scope: 'col' }, x)))),
                h(
                  'tbody',
                  {},
                  m.sources.map((s) =>
                    h(
                      'tr',
                      { 'data-source': s.key },
                      h('th', { scope: 'row' }, s.url && /^https?:\/\//.test(s.url) ? h('a', { href: s.url, rel: 'noopener noreferrer' }, s.publisher) : s.publisher, ' ', h('code', {}, s.key)),
                      h('td', { class: 'num' }, s.tier),
                      h('td', {}, s.licence),
                      h('td', { class: 'date' }, s.release),
                      h('td', { class: 'date' }, s.retrieved),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      );

      if (!m.validation) {
        validation.append(h('p', { class: 'muted' }, t('val.unavailable')));
        window.__gpsi.ready = true;
        return;
      }
      validation.append(loading());
      Promise.all([api.validation(), api.units()])
        .then(([v, us]) => {
          if (!ctx.alive()) return;
          validation.replaceChildren(h('h2', {}, t('val.heading')), ...validationSection(v, m, us));
          validation.dataset.loaded = 'true';
          window.__gpsi.ready = true;
        })
        .catch((e) => {
          if (ctx.alive()) validation.replaceChildren(h('h2', {}, t('val.heading')), errorBox(e));
        });
    })
    .catch((e) => {
      if (ctx.alive()) root.replaceChildren(h('h1', {}, t('method.heading')), h('div', { 'data-testid': 'methodology' }, errorBox(e)));
    });
};
