// #/campaigns and #/campaigns/<key>[/<application>]: the excellent-practice evaluation
// (docs/evaluation.md) as the holder's seat sees it. The secretariat lists and creates campaigns,
// enters applications and judges, runs the steps (assign, open, close, publish) and reads the
// assignment, the progress and the results; a judge scores their queue (campaign-judge.ts); an
// applicant sees its applications, and their results once published. What a seat may see is the
// API's to decide: these pages show what it answers and nothing more.
import Papa from 'papaparse';
import type { Campaign, CampaignApplication, CampaignJudge, CampaignSummary, Session } from '../api';
import { h, errorBox } from '../dom';
import { lang, t } from '../i18n';
import type { Page, PageContext } from '../page';
import { send, session } from '../session';
import { resultsView } from './campaign-results';
import { declarationView } from './campaign-conflicts';
import { judgeQueue, latestSheet, scoringForm } from './campaign-judge';
import { withSession } from './submissions';

type State = Campaign['state'];
const STEPS: { action: 'assign' | 'open' | 'close' | 'publish'; when: State }[] = [
  { action: 'assign', when: 'setup' }, { action: 'open', when: 'setup' }, { action: 'close', when: 'scoring' }, { action: 'publish', when: 'panel' }];

const path = (key: string) => `campaigns/${encodeURIComponent(key)}`;
const title = (c: CampaignSummary) => (lang() === 'zh' ? c.title_zh || c.title_en : c.title_en || c.title_zh);
const stateBadge = (s: State) => h('span', { class: `state state-${s}`, 'data-state': s }, t(`camp.state.${s}`));
const isSecretariat = (who: Session) => who.permissions.includes('review');

let seatOf: { login: string; yes: Promise<boolean> } | undefined; // asked once per page load and account

//! Whether `who` has a seat in the evaluation: the secretariat, or a judge or applicant of a
//! campaign the API lists (the nav link to #/campaigns is shown only then).
function hasSeat(who: Session): Promise<boolean> {
  if (isSecretariat(who)) return Promise.resolve(true);
  if (seatOf?.login !== who.login) {
    const yes = send<{ campaigns: CampaignSummary[] }>('GET', 'campaigns').then((list) => list.campaigns.some((c) => c.seat !== 'public'));
    seatOf = { login: who.login, yes };
    yes.catch(() => (seatOf = undefined)); // ask again on the next page rather than keep a failure
  }
  return seatOf.yes;
}

function table(testid: string, head: string[], rows: HTMLElement[]): HTMLElement {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'data', 'data-testid': testid },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows)));
}

//! The rows of a small CSV (a header line, then records; quotes as RFC 4180) as objects by column,
//! every value trimmed and a missing one ''. papaparse reads the records; the header is mapped
//! here rather than with its `header` option, which leaves short rows' columns out.
function parseCsv(text: string): Record<string, string>[] {
  // The delimiter is fixed: guessing could take the ';' between documents for one.
  const { data } = Papa.parse<string[]>(text, { delimiter: ',', skipEmptyLines: 'greedy' });
  const [head, ...body] = data;
  return body.map((r) => Object.fromEntries((head ?? []).map((k, i) => [k.trim(), (r[i] ?? '').trim()])));
}

const list = (s: string | undefined) => (s ?? '').split(';').map((x) => x.trim()).filter(Boolean);
const applicationsOf = (csv: string): CampaignApplication[] => parseCsv(csv).map((r) => ({ code: r.code, org: r.org, country: r.country, project: r.project, documents: list(r.documents) }));
const judgesOf = (csv: string): CampaignJudge[] => parseCsv(csv).map((r) => ({ login: r.login, org: r.org, country: r.country, declared: list(r.declared) }));

//! A textarea with a file input beside it that loads a chosen file's text into it.
function textOrFile(id: string, rows: number): { area: HTMLTextAreaElement; file: HTMLInputElement } {
  const area = h('textarea', { id, 'data-testid': id, rows, spellcheck: 'false' });
  const file = h('input', { type: 'file', 'data-testid': `${id}-file`, 'aria-label': t('camp.file'), onchange: async () => {
    const f = file.files?.[0];
    if (f) area.value = await f.text();
  } });
  return { area, file };
}

//! The secretariat's form for a new campaign: its key and its rules file (TOML), pasted or loaded.
function createForm(): HTMLElement {
  const key = h('input', { id: 'camp-key', 'data-testid': 'camp-key', required: true, pattern: '[a-z0-9-]+' });
  const rules = textOrFile('camp-rules', 10);
  const out = h('div', { 'aria-live': 'polite' });
  return h('form', { class: 'member-form', 'data-testid': 'camp-create', onsubmit: async (ev: Event) => {
    ev.preventDefault();
    try {
      const c = await send<Campaign>('POST', 'campaigns', { key: key.value, rules: rules.area.value });
      location.hash = `#/campaigns/${encodeURIComponent(c.key)}`;
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  } },
  h('label', { for: key.id }, t('camp.key')), key,
  h('label', { for: rules.area.id }, t('camp.rules')), h('div', { class: 'stack' }, rules.area, rules.file),
  h('p', { class: 'hint' }, t('camp.rules.hint')),
  h('button', { type: 'submit', 'data-testid': 'camp-create-submit' }, t('camp.create')), out);
}

function listPage(root: HTMLElement, ctx: PageContext, who: Session): void {
  const body = h('div', {});
  root.append(body);
  send<{ campaigns: CampaignSummary[] }>('GET', 'campaigns').then((r) => {
    if (!ctx.alive()) return;
    const rows = r.campaigns.map((c) => h('tr', { 'data-key': c.key, 'data-seat': c.seat },
      h('th', { scope: 'row' }, h('a', { href: `#/${path(c.key)}`, 'data-testid': `campaign-${c.key}` }, c.key)),
      h('td', {}, title(c)), h('td', {}, stateBadge(c.state)), h('td', {}, t(`camp.seat.${c.seat}`)),
      h('td', { class: 'num', 'data-col': 'progress' }, `${c.sealed} / ${c.assigned}`)));
    body.replaceChildren(
      rows.length ? table('campaigns', [t('camp.key'), t('camp.title'), t('camp.state'), t('camp.seat'), t('camp.progress')], rows)
        : h('p', { 'data-testid': 'campaigns-empty' }, t('camp.none')),
      ...(isSecretariat(who) ? [h('h2', {}, t('camp.new')), createForm()] : []));
    window.__gpsi.ready = true;
  }, (e) => body.replaceChildren(errorBox(e)));
}

//! The buttons of the secretariat's steps, each enabled only in the stage that allows it.
function stepButtons(c: Campaign, out: HTMLElement, show: (c: Campaign) => void): HTMLElement {
  const buttons = STEPS.map(({ action, when }) => h('button', { type: 'button', 'data-testid': `step-${action}`, disabled: c.state !== when, onclick: async () => {
    buttons.forEach((b) => (b.disabled = true));
    out.replaceChildren(h('p', { role: 'status' }, t('camp.working')));
    try {
      show(await send<Campaign>('POST', `${path(c.key)}/${action}`));
    } catch (e) {
      out.replaceChildren(errorBox(e));
      buttons.forEach((b, i) => (b.disabled = c.state !== STEPS[i].when));
    }
  } }, t(`camp.step.${action}`)));
  return h('div', { class: 'steps', 'data-testid': 'steps' }, buttons);
}

//! Applications and judges as CSV (parsed here into the JSON the API takes); each list sent replaces its own.
function entriesForm(c: Campaign, show: (c: Campaign) => void): HTMLElement {
  const apps = textOrFile('entries-applications', 5), judges = textOrFile('entries-judges', 5);
  const out = h('div', { 'aria-live': 'polite' });
  return h('form', { class: 'member-form', 'data-testid': 'entries-form', onsubmit: async (ev: Event) => {
    ev.preventDefault();
    const body: { applications?: CampaignApplication[]; judges?: CampaignJudge[] } = {};
    if (apps.area.value.trim()) body.applications = applicationsOf(apps.area.value);
    if (judges.area.value.trim()) body.judges = judgesOf(judges.area.value);
    try {
      show(await send<Campaign>('POST', `${path(c.key)}/entries`, body));
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  } },
  h('label', { for: apps.area.id }, t('camp.entries.applications')), h('div', { class: 'stack' }, apps.area, apps.file),
  h('p', { class: 'hint' }, 'code,org,country,project,documents'),
  h('label', { for: judges.area.id }, t('camp.entries.judges')), h('div', { class: 'stack' }, judges.area, judges.file),
  h('p', { class: 'hint' }, 'login,org,country,declared'),
  h('button', { type: 'submit', 'data-testid': 'entries-submit' }, t('camp.entries.save')), out);
}

//! Per judge: the load the assignment gives them, their declared conflicts, and how many they sealed.
function judgeProgress(c: Campaign): HTMLElement {
  const rows = c.judges.map((j) => {
    const mine = c.assignment.filter(([, judge]) => judge === j.login);
    const sealed = mine.filter(([app]) => latestSheet(c, app, j.login)).length;
    return h('tr', { 'data-judge': j.login },
      h('th', { scope: 'row' }, j.login), h('td', {}, j.org ?? ''), h('td', {}, j.country ?? ''),
      h('td', { 'data-col': 'declared' }, (j.declared ?? []).join(' ') || '—'),
      h('td', { class: 'num', 'data-col': 'assigned' }, String(mine.length)),
      h('td', { class: 'num', 'data-col': 'sealed' }, String(sealed)));
  });
  return table('judge-progress', [t('camp.judge'), t('camp.org'), t('camp.country'), t('camp.declared'), t('camp.load'), t('camp.sealed')], rows);
}

function applicationsTable(c: Campaign, testid: string): HTMLElement {
  const judgesOfApp = (code: string) => c.assignment.filter(([app]) => app === code).map(([, j]) => j);
  return table(testid, [t('camp.application'), t('camp.org'), t('camp.country'), t('camp.project'), ...(c.seat === 'secretariat' ? [t('camp.assigned')] : [])],
    c.applications.map((a) => h('tr', { 'data-code': a.code },
      h('th', { scope: 'row' }, a.code), h('td', {}, a.org ?? ''), h('td', {}, a.country ?? ''), h('td', {}, a.project ?? ''),
      c.seat === 'secretariat' ? h('td', { 'data-col': 'judges' }, judgesOfApp(a.code).join(' ')) : null)));
}

function secretariatView(c: Campaign, show: (c: Campaign) => void): HTMLElement[] {
  const out = h('div', { 'aria-live': 'polite' });
  const pct = c.assigned ? Math.round((c.sealed / c.assigned) * 100) : 0;
  return [
    stepButtons(c, out, show), out,
    h('h2', {}, t('camp.progress')),
    h('p', { 'data-testid': 'progress', 'data-sealed': c.sealed, 'data-assigned': c.assigned },
      t('camp.progress.text', { sealed: c.sealed, assigned: c.assigned }), ' ',
      h('progress', { max: 100, value: pct, 'aria-label': t('camp.progress') })),
    h('h2', {}, t('camp.assignment')), h('p', { class: 'hint' }, t('camp.assignment.hint')), judgeProgress(c),
    h('h2', {}, t('camp.applications')), applicationsTable(c, 'applications'),
    c.state === 'setup' ? [h('h2', {}, t('camp.entries')), entriesForm(c, show)] : null,
  ].flat().filter((x): x is HTMLElement => x != null);
}

function applicantView(c: Campaign): HTMLElement[] {
  return [h('h2', {}, t('camp.mine')), applicationsTable(c, 'my-applications')];
}

//! A judge declares their conflicts while the campaign is at set-up, then scores their queue.
function judgeView(c: Campaign, who: Session, app: string | undefined, show: (c: Campaign, note?: HTMLElement) => void, load: () => void, note?: HTMLElement): HTMLElement {
  if (c.state === 'setup') return declarationView(c, who, show, note);
  return app ? scoringForm(c, app, who, load) : judgeQueue(c, who);
}

function campaignPage(root: HTMLElement, ctx: PageContext, who: Session, key: string, app: string | undefined): void {
  const body = h('div', {});
  root.append(body);
  // `note`: a confirmation of the post whose answer `c` is, shown in the seat's view.
  const show = (c: Campaign, note?: HTMLElement) => {
    if (!ctx.alive()) return;
    const seatView = c.seat === 'secretariat' ? secretariatView(c, show)
      : c.seat === 'judge' ? [judgeView(c, who, app, show, load, note)]
        : c.seat === 'applicant' ? applicantView(c) : [];
    // Results are in the answer only when the seat may see them; an applicant waits for publication.
    const results = c.results ? resultsView(c, c.results)
      : c.seat === 'applicant' || c.seat === 'public' ? h('p', { class: 'notice', 'data-testid': 'results-pending' }, t('camp.results.pending')) : null;
    body.replaceChildren(
      h('p', {}, h('a', { href: '#/campaigns' }, t('camp.all'))),
      h('h1', { 'data-testid': 'campaign-title' }, title(c), ' ', stateBadge(c.state)),
      h('p', {}, `${t('camp.key')}: ${c.key} · ${t('camp.seat')}: `, h('span', { 'data-testid': 'seat' }, t(`camp.seat.${c.seat}`)),
        c.rules_sha256 ? [` · ${t('camp.rules.hash')}: `, h('code', {}, c.rules_sha256.slice(0, 16))] : null),
      ...seatView, ...(results && !app ? [results] : []));
    window.__gpsi.ready = true;
  };
  const load = () => send<Campaign>('GET', path(key)).then(show, (e) => body.replaceChildren(errorBox(e)));
  load();
}

export const campaignsPage: Page = (root, ctx) => {
  withSession(root, ctx, (who) => {
    const [key, app] = ctx.rest;
    if (key) campaignPage(root, ctx, who, key, app);
    else {
      root.append(h('h1', {}, t('camp.heading')));
      listPage(root, ctx, who);
    }
  });
};

//! Shows the nav link to #/campaigns once the session is known to have a seat.
export function campaignsNav(ul: HTMLElement, link: () => HTMLElement): void {
  session().then((who) => (who ? hasSeat(who) : false)).then((yes) => {
    if (yes && ul.isConnected) ul.append(link());
  }, () => {});
}
