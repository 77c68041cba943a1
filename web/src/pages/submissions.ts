// The member platform's pages: #/submissions (my organisation's, or the secretariat's review
// queue), #/upload (a file with its validation report) and #/submission/ID (rows beside the index's
// and the UN's values, flags to comment, the review steps the holder may take, the audit trail).
import type { Flag, HeldSubmission, Session, Submission, SubmissionDetail, Upload } from '../api';
import { h, errorBox, loading } from '../dom';
import { t, valueFmt } from '../i18n';
import type { Page, PageContext } from '../page';
import { send, session } from '../session';

//! Runs `fn` once the session is known, or shows the way to log in.
export function withSession(root: HTMLElement, ctx: PageContext, fn: (who: Session) => void): void {
  const wait = loading();
  root.append(wait);
  session().then(
    (who) => {
      if (!ctx.alive()) return;
      wait.remove();
      if (!who) {
        root.append(h('p', { 'data-testid': 'need-login' }, t('members.needlogin'), ' ', h('a', { href: '#/login' }, t('login.heading'))));
        window.__gpsi.ready = true;
        return;
      }
      fn(who);
    },
    (e) => wait.replaceWith(errorBox(e)),
  );
}

const state = (s: string) => h('span', { class: `state state-${s}`, 'data-state': s }, t(`state.${s}` as 'state.draft'));

function listTable(list: Submission[], testid: string): HTMLElement {
  if (list.length === 0) return h('p', { 'data-testid': `${testid}-empty` }, t('members.none'));
  return h('div', { class: 'table-scroll' }, h('table', { class: 'data', 'data-testid': testid },
    h('thead', {}, h('tr', {}, ['#', t('sub.org'), t('sub.dataset'), t('sub.state'), t('sub.note'), t('sub.updated')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, list.map((s) => h('tr', { 'data-id': s.id },
      h('td', {}, h('a', { href: `#/submission/${s.id}` }, String(s.id))), h('td', {}, s.org), h('td', {}, s.dataset),
      h('td', {}, state(s.state)), h('td', {}, s.note), h('td', {}, s.updated))))));
}

export const submissionsPage: Page = (root, ctx) => {
  root.append(h('h1', {}, t('members.heading')));
  withSession(root, ctx, (who) => {
    const links = [h('a', { href: '#/login' }, t('login.account'))];
    if (who.permissions.includes('submit')) links.push(h('a', { href: '#/upload', 'data-testid': 'to-upload' }, t('upload.heading')));
    if (who.permissions.includes('admin')) links.push(h('a', { href: '#/admin', 'data-testid': 'to-admin' }, t('admin.heading')));
    root.append(h('p', { class: 'member-links' }, links.flatMap((l, i) => (i ? [' · ', l] : [l]))));
    // The server says whose turn each one is (`awaits`) and which steps are open (`actions`).
    send<{ submissions: HeldSubmission[] }>('GET', 'submissions').then(
      ({ submissions }) => {
        if (!ctx.alive()) return;
        root.append(h('h2', {}, t('members.queue')), listTable(submissions.filter((s) => s.awaits), 'queue'),
          h('h2', {}, t('members.all')), listTable(submissions, 'submissions'));
        window.__gpsi.ready = true;
      },
      (e) => root.append(errorBox(e)),
    );
  });
};

function quarantineTable(rows: Upload['quarantine']): HTMLElement {
  if (rows.length === 0) return h('p', {}, t('upload.clean'));
  return h('table', { class: 'data', 'data-testid': 'quarantine' },
    h('thead', {}, h('tr', {}, [t('q.line'), t('q.column'), t('q.reason'), t('q.detail')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((q) => h('tr', { 'data-line': q.line }, h('td', {}, String(q.line)), h('td', {}, String(q.column)), h('td', {}, q.reason), h('td', {}, q.detail)))));
}

export const uploadPage: Page = (root, ctx) => {
  root.append(h('h1', {}, t('upload.heading')));
  withSession(root, ctx, () => {
    const dataset = h('input', { id: 'dataset', required: true, 'data-testid': 'upload-dataset', placeholder: 'CRIME' });
    const note = h('input', { id: 'note', 'data-testid': 'upload-note' });
    const file = h('input', { id: 'file', type: 'file', required: true, 'data-testid': 'upload-file' });
    const descriptor = h('input', { id: 'descriptor', type: 'file', accept: '.toml', 'data-testid': 'upload-descriptor', 'aria-describedby': 'descriptor-hint' });
    const report = h('div', { 'aria-live': 'polite', 'data-testid': 'upload-report' });
    root.append(h('p', {}, t('upload.intro')), h('form', { class: 'member-form', 'data-testid': 'upload-form', onsubmit: async (ev: Event) => {
      ev.preventDefault();
      report.replaceChildren(loading());
      const f = file.files?.[0];
      if (!f) return;
      const q = new URLSearchParams({ dataset: dataset.value, name: f.name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\./, '_') });
      if (note.value) q.set('note', note.value);
      try {
        // A file read with a descriptor goes as a form with both; a canonical one as itself.
        const d = descriptor.files?.[0];
        let body: Blob | FormData = f;
        if (d) {
          body = new FormData();
          body.append('file', f);
          body.append('descriptor', d);
        }
        const up = await send<Upload>('POST', `submissions?${q}`, body);
        report.replaceChildren(
          h('p', { 'data-testid': 'upload-done' }, t('upload.done', { rows: up.rows, accepted: up.accepted }), ' ', h('a', { href: `#/submission/${up.id}`, 'data-testid': 'upload-link' }, t('upload.open', { id: up.id }))),
          quarantineTable(up.quarantine));
      } catch (e) {
        report.replaceChildren(errorBox(e));
      }
    } },
    h('label', { for: 'dataset' }, t('upload.dataset')), dataset,
    h('label', { for: 'file' }, t('upload.file')), file,
    h('label', { for: 'descriptor' }, t('upload.descriptor')), descriptor,
    h('p', { id: 'descriptor-hint', class: 'hint' }, t('upload.descriptor_hint')),
    h('label', { for: 'note' }, t('upload.note')), note,
    h('button', { type: 'submit', 'data-testid': 'upload-submit' }, t('upload.submit'))), report);
    window.__gpsi.ready = true;
  });
};

const diff = (v: number | null | undefined, ref: number | null | undefined) =>
  v == null || ref == null || ref === 0 ? '—' : `${(((v - ref) / Math.abs(ref)) * 100).toFixed(1)} %`;

function rowsTable(d: SubmissionDetail): HTMLElement {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'data', 'data-testid': 'rows' },
    h('thead', {}, h('tr', {}, [t('common.country'), t('sub.indicator'), t('common.year'), t('sub.value'), t('sub.published'), t('sub.diff'), t('sub.un'), t('sub.diff')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, d.rows.map((r) => h('tr', { 'data-unit': r.unit, 'data-year': r.year },
      h('td', {}, r.unit), h('td', {}, r.indicator), h('td', {}, String(r.year)), h('td', { class: 'num', 'data-col': 'value' }, valueFmt(r.value)),
      h('td', { class: 'num', 'data-col': 'published', title: r.published_source }, valueFmt(r.published)), h('td', { class: 'num', 'data-col': 'published-diff' }, diff(r.value, r.published)),
      h('td', { class: 'num', 'data-col': 'un' }, valueFmt(r.un)), h('td', { class: 'num', 'data-col': 'un-diff' }, diff(r.value, r.un)))))));
}

function flagList(d: SubmissionDetail, reload: () => void): HTMLElement {
  if (d.flags.length === 0) return h('p', {}, t('sub.noflags'));
  return h('ul', { class: 'flag-list', 'data-testid': 'flags' }, d.flags.map((f: Flag) => {
    const text = h('input', { 'aria-label': t('sub.comment'), value: f.comment, 'data-testid': `flag-text-${f.flag}` });
    const save = h('button', { type: 'button', 'data-testid': `flag-save-${f.flag}`, onclick: async () => {
      try {
        await send('POST', `submissions/${d.id}/flags/${f.flag}`, { text: text.value });
        reload();
      } catch (e) {
        save.after(errorBox(e));
      }
    } }, t('sub.comment.save'));
    return h('li', { 'data-flag': f.flag, 'data-kind': f.kind },
      h('strong', {}, t(`flag.${f.kind}` as 'flag.outlier')), ` ${f.unit} ${f.indicator} ${f.year}: ${valueFmt(f.value)} (${t('sub.reference')} ${valueFmt(f.reference)})`,
      f.comment ? h('p', { class: 'comment' }, `${f.commented_by}: ${f.comment}`) : null,
      d.comments ? h('span', {}, text, save) : null);
  }));
}

function trailTable(d: SubmissionDetail): HTMLElement {
  return h('table', { class: 'data', 'data-testid': 'trail' },
    h('thead', {}, h('tr', {}, [t('trail.at'), t('trail.actor'), t('trail.origin'), t('trail.action')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, d.trail.map((e) => h('tr', { 'data-action': e.action }, h('td', {}, e.at), h('td', {}, e.actor), h('td', {}, e.origin), h('td', {}, e.action)))));
}

export const submissionPage: Page = (root, ctx) => {
  const id = Number(ctx.rest[0]);
  withSession(root, ctx, () => {
    const body = h('div', {});
    root.append(body);
    const reload = () => send<SubmissionDetail>('GET', `submissions/${id}`).then((d) => {
      if (!ctx.alive()) return;
      const reason = h('input', { 'aria-label': t('sub.reason'), 'data-testid': 'step-reason', placeholder: t('sub.reason') });
      const out = h('div', { 'aria-live': 'polite' });
      const buttons = d.actions.map((step) => h('button', { type: 'button', 'data-testid': `step-${step}`, onclick: async () => {
        try {
          await send('POST', `submissions/${id}/${step}`, step === 'return' ? { reason: reason.value } : {});
          reload();
        } catch (e) {
          out.replaceChildren(errorBox(e));
        }
      } }, t(`step.${step}` as 'step.submit')));
      body.replaceChildren(h('div', {},
        h('h1', { 'data-testid': 'submission-title' }, t('sub.heading', { id: d.id }), ' ', state(d.state)),
        h('p', {}, `${d.org} · ${d.dataset} · ${t('sub.submitter')}: ${d.submitter}${d.approver ? ` · ${t('sub.approver')}: ${d.approver}` : ''}${d.reason ? ` · ${t('sub.reason')}: ${d.reason}` : ''}`),
        buttons.length ? h('div', { class: 'steps', 'data-testid': 'steps' }, buttons, buttons.some((b) => b.dataset.testid === 'step-return') ? reason : null) : null, out,
        h('h2', {}, t('sub.rows')), rowsTable(d),
        d.quarantine.length ? [h('h2', {}, t('upload.quarantine')), quarantineTable(d.quarantine)] : null,
        h('h2', {}, t('sub.flags')), flagList(d, reload),
        h('h2', {}, t('sub.trail')), trailTable(d)));
      window.__gpsi.ready = true;
    }, (e) => body.replaceChildren(errorBox(e)));
    reload();
  });
};
