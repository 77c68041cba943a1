// #/warnings[?severity=&rule=]: the early warnings on the latest data (/api/v1/warnings, gpsi warn):
// the method's rules in words, then every warning — severity, country, rule, period, value, baseline,
// statistic and its evidence (source release and publisher, file SHA-256, line) — filtered by
// severity and kind of rule. The filters live in the hash so a filtered list can be linked.
import * as api from '../api';
import { errorBox, h, labelledSelect, loading } from '../dom';
import { hasKey, nm, numberFmt, pctFmt, t, valueFmt } from '../i18n';
import type { Page } from '../page';

const SEVERITIES = ['high', 'medium', 'low'] as const;
const KINDS = ['threshold', 'surge', 'anomaly', 'forecast'] as const;

const kindName = (k: string) => (hasKey(`warn.kind.${k}`) ? t(`warn.kind.${k}` as 'warn.kind.surge') : k);
const sevName = (s: string) => (hasKey(`warn.sev.${s}`) ? t(`warn.sev.${s}` as 'warn.sev.high') : s);

//! The rule's condition in words, with its parameters (those of its kind only).
function condition(r: api.WarnRule): string {
  const key = `warn.cond.${r.rule}`;
  return hasKey(key) ? t(key, { window: r.window ?? '', min: valueFmt(r.min), factor: valueFmt(r.factor), z: valueFmt(r.z), p: valueFmt(r.p) }) : r.rule;
}

function badge(severity: string): HTMLElement {
  return h('span', { class: `sev sev-${severity}`, 'data-severity': severity }, sevName(severity));
}

export const warningsPage: Page = (root, ctx) => {
  const heading = () => h('h1', {}, t('warn.heading'));
  root.append(heading(), loading());
  Promise.all([api.meta(), api.units(), api.warnings()])
    .then(([meta, units, w]) => {
      if (!ctx.alive()) return;
      const byCode = new Map<string, api.Unit>();
      for (const u of units) {
        byCode.set(u.code, u);
        if (u.iso3) byCode.set(u.iso3, u);
      }
      const index = api.indexNode(meta);
      // From the hash (#/warnings?severity=high&rule=surge); anything else means no filter.
      const pick = (v: string | null, of: readonly string[]) => (v && of.includes(v) ? v : '');
      const filter = { severity: pick(ctx.query.get('severity'), SEVERITIES), rule: pick(ctx.query.get('rule'), KINDS) };

      const tbody = h('tbody');
      const count = h('p', { class: 'count', role: 'status', 'data-testid': 'warn-count' });
      const onFilter = (key: 'severity' | 'rule') => (v: string) => {
        filter[key] = v;
        // Kept in the hash without a hashchange (which would rebuild the page).
        const q = new URLSearchParams(Object.entries(filter).filter(([, x]) => x));
        const qs = q.toString();
        history.replaceState(null, '', `#/warnings${qs ? `?${qs}` : ''}`);
        fill();
      };
      const sevSel = labelledSelect('warn-sev', t('warn.severity'), [['', t('warn.sev.all')], ...SEVERITIES.map((s): [string, string] => [s, sevName(s)])], filter.severity, 'warn-filter-severity', onFilter('severity'));
      const kindSel = labelledSelect('warn-kind', t('warn.kind'), [['', t('warn.kind.all')], ...KINDS.map((k): [string, string] => [k, kindName(k)])], filter.rule, 'warn-filter-rule', onFilter('rule'));
      const cols = ['severity', 'country', 'rule', 'period', 'value', 'baseline', 'score', 'source', 'file_sha256', 'line', 'message'] as const;
      const labels = [t('warn.severity'), t('common.country'), t('warn.rule'), t('warn.period'), t('warn.value'), t('warn.baseline'), t('warn.score'), t('profile.source'), t('warn.file'), t('profile.line'), t('warn.message')];
      const table = h(
        'table',
        { class: 'data warnings', 'data-testid': 'warnings-table' },
        h('caption', {}, t('warn.caption')),
        h('thead', {}, h('tr', {}, cols.map((c, i) => h('th', { scope: 'col', 'data-col': c }, labels[i])))),
        tbody,
      );
      root.replaceChildren(
        heading(),
        h('p', { class: 'hint' }, t('warn.intro', { origin: w.origin })),
        h('h2', {}, t('warn.rules')),
        rulesTable(w.rules, nm(index) || index.code),
        h('h2', {}, t('warn.heading')),
        h('div', { class: 'controls' }, sevSel, kindSel),
        count,
        h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('warn.heading') }, table),
      );

      function fill(): void {
        // The API's order (high severity first) is kept; the filters only leave rows out.
        const shown = w.rows.filter((r) => (!filter.severity || r.severity === filter.severity) && (!filter.rule || r.rule === filter.rule));
        tbody.replaceChildren(...shown.map((r) => row(r, byCode.get(r.unit), meta, w.rules)));
        count.textContent = shown.length ? t('warn.count', { n: shown.length, total: w.rows.length }) : t('warn.empty');
        window.__gpsi.ready = true;
      }
      fill();
    })
    .catch((e) => {
      if (!ctx.alive()) return;
      root.replaceChildren(heading(), api.notPublished(e) ? h('p', { class: 'notice', 'data-testid': 'warnings-none' }, t('warn.none')) : errorBox(e));
    });
};

//! The method's [[warn]] rules: id, kind, what each reads, when it fires, and its severity.
function rulesTable(rules: api.WarnRule[], indexName: string): HTMLElement {
  const tr = (r: api.WarnRule) =>
    h(
      'tr',
      { 'data-id': r.id, 'data-rule': r.rule },
      h('td', { 'data-col': 'id' }, h('code', {}, r.id)),
      h('td', { 'data-col': 'rule' }, kindName(r.rule)),
      h('td', { 'data-col': 'reads' }, r.reads ? h('code', {}, r.reads) : r.rule === 'forecast' ? indexName : '—'),
      h('td', { 'data-col': 'condition' }, condition(r)),
      h('td', { 'data-col': 'severity' }, badge(r.severity)),
    );
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('warn.rules') },
    h(
      'table',
      { class: 'data warn-rules', 'data-testid': 'warn-rules' },
      h('caption', { class: 'sr-only' }, t('warn.rules')),
      h('thead', {}, h('tr', {}, [t('warn.rule'), t('warn.kind'), t('warn.reads'), t('warn.cond'), t('warn.severity')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rules.map(tr)),
    ),
  );
}

//! One warning: tr[data-unit][data-id], a td[data-col] per column; numbers exactly in their titles.
function row(r: api.Warning, u: api.Unit | undefined, meta: api.Meta, rules: api.WarnRule[]): HTMLElement {
  const forecast = r.rule === 'forecast';
  const num = (col: string, v: number | null, fmt: (x: number | null) => string) =>
    h('td', { class: 'num', 'data-col': col, title: v == null ? null : String(v) }, fmt(v));
  // A probability (the forecast rule's value) reads best as a percentage.
  const prob = (x: number | null) => pctFmt(x);
  const rule = rules.find((x) => x.id === r.id);
  return h(
    'tr',
    { 'data-unit': r.unit, 'data-id': r.id, 'data-severity': r.severity, 'data-rule': r.rule, 'data-period': r.period },
    h('td', { 'data-col': 'severity' }, badge(r.severity)),
    h('td', { 'data-col': 'country' }, u ? h('a', { href: `#/country/${u.iso3 || u.code}` }, nm(u)) : r.unit),
    h('td', { 'data-col': 'rule', title: rule ? condition(rule) : null }, h('code', {}, r.id), h('span', { class: 'src-note' }, kindName(r.rule))),
    h('td', { class: 'num', 'data-col': 'period' }, r.period),
    num('value', r.value, forecast ? prob : valueFmt),
    num('baseline', r.baseline, forecast ? (x) => numberFmt(x) : valueFmt),
    num('score', r.score, forecast ? prob : valueFmt),
    sourceCell(r, meta),
    h('td', { 'data-col': 'file_sha256', title: r.file_sha256 || null }, r.file_sha256 ? h('code', {}, `${r.file_sha256.slice(0, 12)}…`) : '—'),
    h('td', { class: 'num', 'data-col': 'line' }, r.line > 0 ? String(r.line) : '—'),
    // The engine writes its sentences in English.
    h('td', { 'data-col': 'message', lang: 'en' }, r.message),
  );
}

//! The record's source release and its publisher (meta.sources); a forecast warning has the model.
function sourceCell(r: api.Warning, meta: api.Meta): HTMLElement {
  if (r.rule === 'forecast' && !r.file_sha256) {
    return h('td', { 'data-col': 'source' }, t('warn.fromforecast'), r.source ? h('span', { class: 'src-note' }, h('code', {}, r.source)) : null);
  }
  if (!r.source) return h('td', { 'data-col': 'source' }, '—');
  const key = r.source.split('@')[0];
  const src = meta.sources.find((x) => `${x.key}@${x.release}` === r.source) ?? meta.sources.find((x) => x.key === key);
  return h('td', { 'data-col': 'source' }, h('code', {}, r.source), src ? h('span', { class: 'src-note', 'data-publisher': src.key }, src.publisher) : null);
}
