// A judge's side of a campaign: the queue of their assigned applications (sealed or not), and the
// scoring form of one application (#/campaigns/<key>/<application>): each criterion with its rubric
// anchors and a score on the campaign's scale, a comment, and, for a revision of a sealed sheet, the
// reason the rules demand. Only the judge's own sheets are shown, whatever else the API gives.
import type { Campaign, CampaignScoring, Session, Sheet } from '../api';
import { h, errorBox } from '../dom';
import { lang, t } from '../i18n';
import { send } from '../session';

//! The newest revision of `judge`'s sheet of `app`, if sealed.
export function latestSheet(c: Campaign, app: string, judge: string): Sheet | undefined {
  return c.sheets.filter((s) => s.application === app && s.judge === judge).reduce<Sheet | undefined>((a, s) => (!a || s.revision > a.revision ? s : a), undefined);
}

//! The scores the scale allows: scale_min, scale_min + step, … up to scale_max.
function scalePoints(s: CampaignScoring): number[] {
  const n = Math.round((s.scale_max - s.scale_min) / s.step);
  return Array.from({ length: n + 1 }, (_, i) => Number((s.scale_min + i * s.step).toFixed(6)));
}

export function judgeQueue(c: Campaign, who: Session): HTMLElement {
  const mine = c.assignment.filter(([, judge]) => judge === who.login).map(([app]) => app);
  if (mine.length === 0) return h('p', { 'data-testid': 'queue-empty' }, t('camp.queue.empty'));
  const rows = mine.map((app) => {
    const sheet = latestSheet(c, app, who.login);
    const a = c.applications.find((x) => x.code === app);
    return h('tr', { 'data-code': app, 'data-sealed': sheet ? 'true' : 'false' },
      h('th', { scope: 'row' }, h('a', { href: `#/campaigns/${encodeURIComponent(c.key)}/${encodeURIComponent(app)}`, 'data-testid': `score-${app}` }, app)),
      h('td', {}, a?.project ?? ''), h('td', {}, a?.country ?? ''),
      h('td', {}, sheet ? t('camp.sealed.rev', { revision: sheet.revision, at: sheet.sealed_at }) : t('camp.unsealed')));
  });
  return h('section', {}, h('h2', {}, t('camp.queue')),
    h('p', {}, t('camp.queue.count', { sealed: mine.filter((app) => latestSheet(c, app, who.login)).length, total: mine.length })),
    h('div', { class: 'table-scroll' }, h('table', { class: 'data', 'data-testid': 'queue' },
      h('thead', {}, h('tr', {}, [t('camp.application'), t('camp.project'), t('camp.country'), t('camp.sheet')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows))));
}

function sealedNote(s: Sheet): HTMLElement {
  return h('div', { class: 'sealed', 'data-testid': 'sheet-sealed', 'data-revision': s.revision },
    h('p', {}, t('camp.sealed.rev', { revision: s.revision, at: s.sealed_at })),
    h('p', {}, 'SHA-256: ', h('code', { 'data-testid': 'sheet-hash' }, s.sha256)),
    s.reason ? h('p', {}, `${t('camp.reason')}: ${s.reason}`) : null);
}

//! The form that seals (or revises) `who`'s sheet of `app`; `reload` shows the campaign after it.
export function scoringForm(c: Campaign, app: string, who: Session, reload: () => void): HTMLElement {
  if (!c.assignment.some(([a, judge]) => a === app && judge === who.login)) return h('p', { 'data-testid': 'not-assigned' }, t('camp.notassigned'));
  const sheet = latestSheet(c, app, who.login);
  const points = scalePoints(c.scoring);
  const zh = lang() === 'zh';
  const inputs = c.scoring.criteria.map((k, i) => h('select', { id: `score-${k.code}`, 'data-testid': `score-${k.code}`, required: true },
    h('option', { value: '' }, '—'),
    points.map((p) => h('option', { value: String(p), selected: sheet?.scores[i] === p }, String(p)))));
  const comment = h('textarea', { id: 'sheet-comment', 'data-testid': 'sheet-comment', rows: 3 });
  comment.value = sheet?.comment ?? '';
  const reason = h('input', { id: 'sheet-reason', 'data-testid': 'sheet-reason' });
  const out = h('div', { 'aria-live': 'polite' });
  const open = c.state === 'scoring' || c.state === 'panel';
  const criteria = c.scoring.criteria.map((k, i) => h('fieldset', { class: 'criterion', 'data-criterion': k.code },
    h('legend', {}, zh ? k.zh : k.en, h('small', {}, ` · ${t('camp.minimum', { min: k.minimum })}`)),
    h('ol', { class: 'rubric', 'data-testid': `rubric-${k.code}` }, k.rubric.map((a) => h('li', { 'data-score': a.score }, h('strong', {}, String(a.score)), ' ', zh ? a.zh : a.en))),
    h('label', { for: inputs[i].id }, t('camp.score', { min: c.scoring.scale_min, max: c.scoring.scale_max, step: c.scoring.step })), inputs[i]));
  const submit = async (ev: Event) => {
    ev.preventDefault();
    // A revision must say why (the server refuses one without); ask before posting.
    if (sheet && !reason.value.trim()) {
      out.replaceChildren(h('p', { class: 'error', role: 'alert', 'data-testid': 'reason-needed' }, t('camp.reason.needed')));
      reason.focus();
      return;
    }
    if (inputs.some((x) => x.value === '')) {
      out.replaceChildren(h('p', { class: 'error', role: 'alert', 'data-testid': 'scores-needed' }, t('camp.scores.needed')));
      return;
    }
    try {
      await send<Sheet>('POST', `campaigns/${encodeURIComponent(c.key)}/sheets/${encodeURIComponent(app)}`,
        { scores: inputs.map((x) => Number(x.value)), comment: comment.value, ...(sheet ? { reason: reason.value } : {}) });
      reload();
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  };
  return h('section', {},
    h('h2', { 'data-testid': 'sheet-title' }, t('camp.sheet.heading', { app })),
    sheet ? sealedNote(sheet) : h('p', { 'data-testid': 'sheet-unsealed' }, t('camp.unsealed')),
    open ? h('form', { class: 'sheet-form', 'data-testid': 'sheet-form', onsubmit: submit }, criteria,
      h('label', { for: comment.id }, t('camp.comment')), comment,
      sheet ? [h('label', { for: reason.id }, t('camp.reason')), reason, h('p', { class: 'hint' }, t('camp.reason.hint'))] : null,
      h('button', { type: 'submit', 'data-testid': 'seal' }, sheet ? t('camp.revise') : t('camp.seal')), out) : h('p', { class: 'notice' }, t('camp.closed')),
    h('p', {}, h('a', { href: `#/campaigns/${encodeURIComponent(c.key)}`, 'data-testid': 'back-to-queue' }, t('camp.back'))));
}
