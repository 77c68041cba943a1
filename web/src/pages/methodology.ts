// #/methodology: the method as the server reads it (GET /api/v1/meta): the tree of index →
// dimensions → indicators with weights, direction and sources; the pipeline; the coverage rule;
// the uncertainty settings; the sources with tier and licence.
import * as api from '../api';
import { errorBox, h, loading } from '../dom';
import { hasKey, nm, t } from '../i18n';
import type { Page } from '../page';

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
        const total = kids.filter((k) => !k.monitor).reduce((s, k) => s + k.weight, 0);
        for (const k of kids) {
          share.set(k.code, k.monitor || total <= 0 ? 0 : (share.get(n.code)! * k.weight) / total);
          walk(k);
        }
      };
      walk(top);

      const dir = (d: number | null) => (d === 1 ? `↑ ${t('dir.up')}` : d === -1 ? `↓ ${t('dir.down')}` : null);
      const item = (n: api.MetaNode): HTMLElement => {
        const kids = children(n);
        const facts = [
          n !== top ? `${t('method.weight')} ${n.weight}` : null,
          n !== top && !n.monitor ? `${t('method.share')} ${((share.get(n.code) ?? 0) * 100).toFixed(1)} %` : null,
          n.indicator ? dir(n.direction) : null,
          n.reads.length ? `${t('method.reads')} ${n.reads.join(', ')}` : null,
          n.denominator ? `${t('method.denominator')} ${n.denominator}` : null,
        ].filter(Boolean);
        return h(
          'li',
          { 'data-node': n.code, class: n.indicator ? 'ind' : 'agg' },
          h('span', { class: 'node-name' }, nm(n)), ' ', h('code', {}, n.code),
          n.monitor ? h('span', { class: 'badge' }, t('profile.monitor')) : null,
          facts.length ? h('span', { class: 'node-facts' }, ` — ${facts.join(' · ')}`) : null,
          n.source_note ? h('div', { class: 'node-source' }, n.source_note) : null,
          kids.length ? h('ul', {}, kids.map(item)) : null,
        );
      };

      const pipeline = Object.entries(m.pipeline);
      const iv = m.intervals;
      root.replaceChildren(
        h('h1', {}, t('method.heading')),
        h(
          'div',
          { 'data-testid': 'methodology', class: 'methodology' },
          m.partial ? h('p', { class: 'notice' }, t('common.meta.missing')) : null,
          h('p', { class: 'sub' }, `${nm(m.index)} · ${t('method.version')} ${m.index.version || '—'} · ${t('footer.run')} `, h('code', {}, m.index.run), ` · ${t('method.years')} ${m.years[0]}–${m.years[m.years.length - 1]}`),
          m.index.method_hash ? h('p', { class: 'hashes' }, `${t('method.hashes')}: `, h('code', {}, m.index.method_hash.slice(0, 16)), ' / ', h('code', {}, m.index.data_hash.slice(0, 16))) : null,
          h('section', {}, h('h2', {}, t('method.framework')), h('ul', { class: 'tree', 'data-testid': 'method-tree' }, item(top))),
          pipeline.length
            ? h('section', {}, h('h2', {}, t('method.pipeline')), h('dl', { class: 'pipeline', 'data-testid': 'method-pipeline' }, pipeline.flatMap(([k, v]) => {
                const key = `step.${k}`;
                return [h('dt', {}, hasKey(key) ? t(key) : k, ' ', h('code', {}, k)), h('dd', {}, h('code', {}, String(v)))];
              })))
            : null,
          m.index.coverage_rule ? h('section', {}, h('h2', {}, t('method.coverage')), h('p', { 'data-testid': 'method-coverage' }, m.index.coverage_rule)) : null,
          h('section', {}, h('h2', {}, t('method.intervals')), h('p', {}, iv ? t('method.intervals.text', { samples: iv.samples, seed: iv.seed, level: Math.round(iv.level * 100) }) : t('method.intervals.none'))),
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
      window.__gpsi.ready = true;
    })
    .catch((e) => {
      if (ctx.alive()) root.replaceChildren(h('h1', {}, t('method.heading')), h('div', { 'data-testid': 'methodology' }, errorBox(e)));
    });
};
