// A campaign's results as the API gives them to the caller's seat (docs/evaluation.md, "Results"):
// the ranking under the four aggregations side by side with each application's bootstrap
// probability of selection (the borderline group highlighted), the reliability, and the judges'
// severities and biases (the secretariat only: the API leaves `judges` empty for other seats).
import type { Campaign, EvalResults } from '../api';
import { h } from '../dom';
import { lang, numberFmt, pctFmt, t } from '../i18n';

type Standing = EvalResults['applications'][number]['standings'][string];

//! The aggregation the ranking is ordered by: the mixed model's fair average, when computed.
const RECOMMENDED = 'model';

const methodName = (m: string) => (['mean', 'median', 'standardised', 'model'].includes(m) ? t(`camp.method.${m}` as 'camp.method.mean') : m);

function table(testid: string, head: (string | HTMLElement)[], rows: HTMLElement[]): HTMLElement {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'data', 'data-testid': testid },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows)));
}

//! A standing's total with the selected mark (✓, and a word for screen readers) or the ineligible
//! one, and its rank beside it (one cell per method keeps the four side by side on a laptop screen).
function standingCell(method: string, s: Standing | undefined): HTMLElement {
  const mark = s?.selected ? h('span', { class: 'selected-mark', title: t('camp.selected') }, ' ✓', h('span', { class: 'sr-only' }, t('camp.selected'))) : null;
  const ineligible = s && !s.eligible ? h('span', { class: 'ineligible', title: t('camp.ineligible') }, ' ✗', h('span', { class: 'sr-only' }, t('camp.ineligible'))) : null;
  return h('td', { class: 'num' },
    h('span', { 'data-col': `${method}-total`, 'data-selected': s?.selected ? 'true' : 'false' }, numberFmt(s?.total, 2)), mark, ineligible,
    s ? h('span', { class: 'rank', 'data-col': `${method}-rank`, title: t('camp.rank') }, String(s.rank)) : null);
}

function rankingTable(r: EvalResults): HTMLElement {
  const order = r.methods.includes(RECOMMENDED) ? RECOMMENDED : r.methods[0];
  const apps = [...r.applications].sort((a, b) => (a.standings[order]?.rank ?? Infinity) - (b.standings[order]?.rank ?? Infinity) || a.code.localeCompare(b.code));
  const head = [t('camp.application'), t('camp.org'), t('camp.country'),
    ...r.methods.map((m) => h('span', {}, methodName(m), m === RECOMMENDED ? h('small', { class: 'recommended' }, ` (${t('camp.recommended')})`) : null)),
    t('camp.probability'), t('camp.sheets')];
  const rows = apps.map((a) => h('tr', { 'data-code': a.code, 'data-borderline': a.borderline ? 'true' : 'false', class: a.borderline ? 'borderline' : null },
    h('th', { scope: 'row' }, a.code, a.project ? h('small', { class: 'project' }, ` ${a.project}`) : null), h('td', {}, a.org), h('td', {}, a.country),
    r.methods.map((m) => standingCell(m, a.standings[m])),
    h('td', { class: 'num' }, h('span', { 'data-col': 'probability' }, pctFmt(a.probability, 1)), a.borderline ? h('span', { class: 'borderline-tag' }, ` ${t('camp.borderline')}`) : null),
    h('td', { class: 'num', 'data-col': 'sheets' }, String(a.sheets))));
  return table('results', head, rows);
}

function reliabilityBlock(r: EvalResults): HTMLElement {
  const rel = r.reliability;
  const icc = table('icc', [t('camp.icc.form'), 'ICC', t('camp.icc.interval'), 'F', 'df', 'p'], rel.icc.map((f) => h('tr', { 'data-form': f.form, class: f.form === 'ICC2' ? 'carried' : null },
    h('th', { scope: 'row' }, f.form, f.form === 'ICC2' ? h('small', {}, ` (${t('camp.icc.carried')})`) : null),
    h('td', { class: 'num', 'data-col': 'icc' }, numberFmt(f.icc, 3)),
    h('td', { class: 'num', 'data-col': 'interval' }, `[${numberFmt(f.lower, 3)}, ${numberFmt(f.upper, 3)}]`),
    h('td', { class: 'num' }, numberFmt(f.f, 2)), h('td', { class: 'num' }, `${numberFmt(f.df1, 0)}, ${numberFmt(f.df2, 1)}`),
    h('td', { class: 'num' }, f.p == null ? '—' : f.p < 0.001 ? '< 0.001' : f.p.toFixed(3)))));
  const fact = (testid: string, label: string, value: string) => [h('dt', {}, label), h('dd', { 'data-testid': testid }, value)];
  return h('section', { 'data-testid': 'reliability' },
    h('h3', {}, t('camp.reliability')),
    h('dl', { class: 'facts' },
      fact('alpha', t('camp.alpha'), numberFmt(rel.alpha, 3)),
      fact('panel', t('camp.panel', { n: numberFmt(rel.judges_per_application, 1) }), numberFmt(rel.panel, 3)),
      fact('judges-075', t('camp.needed', { r: '0.75' }), numberFmt(rel.judges_for_075, 0)),
      fact('judges-090', t('camp.needed', { r: '0.9' }), numberFmt(rel.judges_for_090, 0)),
      fact('variances', t('camp.variances'), `${t('camp.var.applications')} ${numberFmt(rel.variance.applications, 3)} · ${t('camp.var.judges')} ${numberFmt(rel.variance.judges, 3)} · ${t('camp.var.residual')} ${numberFmt(rel.variance.residual, 3)}`)),
    h('p', { class: 'hint' }, t('camp.icc.hint')), icc);
}

function judgesTable(r: EvalResults, c: Campaign): HTMLElement {
  const names = r.criteria.map((code) => {
    const k = c.scoring.criteria.find((x) => x.code === code);
    return k ? (lang() === 'zh' ? k.zh : k.en) : code;
  });
  return h('section', {},
    h('h3', {}, t('camp.judges.effects')), h('p', { class: 'hint' }, t('camp.judges.hint')),
    table('judge-effects', [t('camp.judge'), t('camp.sheets'), t('camp.mean_given'), t('camp.severity'), ...names.map((n) => t('camp.bias', { criterion: n }))],
      r.judges.map((j) => h('tr', { 'data-judge': j.login },
        h('th', { scope: 'row' }, j.login), h('td', { class: 'num' }, String(j.sheets)), h('td', { class: 'num' }, numberFmt(j.mean_given, 2)),
        h('td', { class: 'num', 'data-col': 'severity' }, numberFmt(j.severity, 3)),
        j.bias.map((b) => h('td', { class: 'num' }, numberFmt(b, 3)))))));
}

//! Everything of `c.results` the seat was given.
export function resultsView(c: Campaign, r: EvalResults): HTMLElement {
  const [low, high] = r.bootstrap.borderline;
  return h('section', { class: 'campaign-results', 'data-testid': 'campaign-results' },
    h('h2', {}, t('camp.results')),
    h('p', { class: 'hint' }, t('camp.results.hint', { select: r.select, replicates: r.bootstrap.replicates, low: pctFmt(low, 0), high: pctFmt(high, 0) })),
    rankingTable(r),
    h('p', { class: 'legend' }, h('span', { class: 'borderline-swatch', 'aria-hidden': 'true' }), ` ${t('camp.borderline.legend', { low: pctFmt(low, 0), high: pctFmt(high, 0) })}`),
    r.reliability ? reliabilityBlock(r) : null,
    r.judges.length ? judgesTable(r, c) : null,
    h('p', { class: 'hint' }, `${t('camp.fingerprints')}: `, h('code', { 'data-testid': 'rules-hash' }, r.rules_sha256.slice(0, 16)), ' · ', h('code', {}, r.sheets_sha256.slice(0, 16))));
}
