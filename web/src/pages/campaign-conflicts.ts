// A judge's declaration of conflicts of interest while their campaign is at set-up
// (POST campaigns/<key>/conflicts): the applications they may still be given, each with a box to
// tick, and the codes they already declared, each withdrawable. The API lists the applications
// minus those the judge is already in conflict with (declared, same organisation, or same country
// when the rules say so), and gives the judge their own record in `judges`; a declaration
// replaces the previous one, so every post sends the full list.
import type { Campaign, ConflictDeclaration, Session } from '../api';
import { h, errorBox } from '../dom';
import { t } from '../i18n';
import { send } from '../session';

//! The codes `who` has declared, from their own record (the only one a judge is given).
export function declaredBy(c: Campaign, who: Session): string[] {
  return c.judges.find((j) => j.login === who.login)?.declared ?? [];
}

//! Posts the full list of `who`'s conflicts and shows the answer with a confirmation `note`.
async function declare(c: Campaign, codes: string[], note: string, out: HTMLElement, show: (c: Campaign, note?: HTMLElement) => void): Promise<void> {
  const body: ConflictDeclaration = { applications: [...new Set(codes)] };
  try {
    show(await send<Campaign>('POST', `campaigns/${encodeURIComponent(c.key)}/conflicts`, body),
      h('p', { class: 'notice', role: 'status', 'data-testid': 'declare-done' }, note));
  } catch (e) {
    out.replaceChildren(errorBox(e));
  }
}

//! The declared codes, each with a button that withdraws it (posting the list without it).
function declaredList(c: Campaign, mine: string[], out: HTMLElement, show: (c: Campaign, note?: HTMLElement) => void): HTMLElement {
  if (mine.length === 0) return h('p', { 'data-testid': 'declared-none' }, t('camp.declared.none'));
  return h('ul', { class: 'declared', 'data-testid': 'declared' }, mine.map((code) => h('li', { 'data-code': code },
    h('code', {}, code), ' ',
    h('button', { type: 'button', 'data-testid': `withdraw-${code}`, 'aria-label': t('camp.declare.withdraw.label', { app: code }),
      onclick: (ev: Event) => {
        (ev.currentTarget as HTMLButtonElement).disabled = true;
        void declare(c, mine.filter((x) => x !== code), t('camp.declare.withdrawn', { app: code }), out, show);
      } }, t('camp.declare.withdraw')))));
}

//! The applications still listed, each with its "I have a conflict" box; the form posts the
//! declared codes plus the ticked ones.
function declareForm(c: Campaign, mine: string[], out: HTMLElement, show: (c: Campaign, note?: HTMLElement) => void): HTMLElement {
  const boxes = c.applications.map((a) => h('input', { type: 'checkbox', id: `conflict-${a.code}`, 'data-testid': `conflict-${a.code}`, value: a.code }));
  const rows = c.applications.map((a, i) => h('tr', { 'data-code': a.code },
    h('th', { scope: 'row' }, a.code), h('td', {}, a.org ?? ''), h('td', {}, a.country ?? ''), h('td', {}, a.project ?? ''),
    h('td', {}, h('label', { class: 'check', for: boxes[i].id }, boxes[i], ' ', t('camp.declare.conflict')))));
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const ticked = boxes.filter((b) => b.checked).map((b) => b.value);
    const all = [...mine, ...ticked];
    await declare(c, all, t('camp.declare.done', { n: all.length }), out, show);
  };
  return h('form', { 'data-testid': 'declare-form', onsubmit: submit },
    rows.length ? h('div', { class: 'table-scroll' }, h('table', { class: 'data', 'data-testid': 'declare-applications' },
      h('thead', {}, h('tr', {}, [t('camp.application'), t('camp.org'), t('camp.country'), t('camp.project'), t('camp.declare.column')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows)))
      : h('p', { 'data-testid': 'declare-empty' }, t('camp.declare.empty')),
    // Submitting with nothing ticked is a declaration too: no (further) conflict.
    h('button', { type: 'submit', 'data-testid': 'declare-submit' }, t('camp.declare.submit')));
}

//! The judge's set-up view: how declaring works, the form, and what they declared; `note` is
//! the confirmation of the post that led here.
export function declarationView(c: Campaign, who: Session, show: (c: Campaign, note?: HTMLElement) => void, note?: HTMLElement): HTMLElement {
  const mine = declaredBy(c, who);
  const out = h('div', { 'aria-live': 'polite' });
  return h('section', { 'data-testid': 'declaration' },
    h('h2', {}, t('camp.declare')),
    h('p', { class: 'hint' }, t('camp.declare.hint')),
    h('p', { class: 'hint' }, t('camp.declare.listed')),
    note ?? null, out,
    declareForm(c, mine, out, show),
    h('h3', {}, t('camp.declared.mine')),
    declaredList(c, mine, out, show));
}
