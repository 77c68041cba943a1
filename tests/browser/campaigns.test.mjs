// The excellent-practice evaluation's pages (#/campaigns), one seat's journey each, in a copy of
// the store with the accounts of tests/api/make_store.mjs and, as in tests/api/access_matrix.mjs,
// judges jill, jack, joan and jim and applicant ann (of acme), each with a password. The campaign
// is set up through the CLI with its tokens (six applications, A1 acme's, three judges each) and
// opened; every sheet is sealed through the CLI but one of jill's, which she seals through the
// page. Then: jill revises it (blocked without a reason); sam sets a second campaign up through the
// page, closes the first and reads its results and reliability in English and Chinese; ann sees
// no results before publication and her own after sam publishes through the page. A third
// campaign (DECL) stays at set-up, assigned, for the judges' declarations of conflicts: jill
// declares one of her assigned applications through the page, which drops the assignment, withdraws it,
// and sees the form give way to her queue once sam assigns again and opens scoring.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { kMemberPassword } from '../api/make_store.mjs';
import { horizontalExtent, makeMembers, paths, poll, repo, suite } from './harness.mjs';

const KEY = 'practice-test';
const JUDGES = ['jill', 'jack', 'joan', 'jim'];
const CRITERIA = ['security_system', 'social_responsibility', 'cultural_integration', 'common_development'];
// Each application's quality, each judge's severity and each criterion's offset: sheets that differ
// by judge, so the model, the reliability and the judges' effects have something to show.
const QUALITY = { A1: 4.5, A2: 4.25, A3: 3.5, A4: 3, A5: 2.5, A6: 4 };
const SEVERITY = { jill: 0, jack: -0.5, joan: 0.5, jim: 0 };
const OFFSET = [0, 0, -0.5, 0.5];
const CJK = /[\u3400-\u9fff]/;
let assigned = {}; // login → the applications assigned to them
let pending = ''; // the application jill seals through the page
const DECL = 'declare-test';
// DECL's applications: jill (listed with org "panel", in CHE; the rules bar the same country) is
// in conflict with D1 by organisation and D2 by country; the other judges with none.
const DECL_APPS = [['D1', 'panel', 'KEN'], ['D2', 'delta', 'CHE'], ['D3', 'eta', 'PAK'], ['D4', 'theta', 'BRA'], ['D5', 'iota', 'EGY'], ['D6', 'kappa', 'LAO']];
let declaring = ''; // the application assigned to jill in DECL that she declares a conflict with

//! The shipped rules with a smaller selection and bootstrap, so closing takes a moment.
const rules = () => fs.readFileSync(path.join(repo, 'methods/evaluation/overseas-practice.toml'), 'utf8')
  .replace(/^select = \d+/m, 'select = 2').replace(/^bootstrap = \d+/m, 'bootstrap = 200');

function score(app, judge, k, i) {
  const noise = ((i * 7 + JUDGES.indexOf(judge) * 3 + k) % 3) - 1;
  const v = QUALITY[app] + SEVERITY[judge] + OFFSET[k] + noise * 0.5;
  return Math.min(5, Math.max(0, Math.round(v * 2) / 2));
}

function prepare(db) {
  makeMembers(db);
  const dir = path.dirname(db);
  const run = (args, input) => execFileSync(paths.binary, ['--db', db, ...args],
    { input, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, GPSI_DB: '' } }).toString();
  const tokens = JSON.parse(fs.readFileSync(path.join(dir, 'tokens.json'), 'utf8'));
  run(['org', 'add', 'acme', '--kind', 'think-tank', '--name-en', 'Acme (an applicant)']);
  for (const [login, org] of [...JUDGES.map((j) => [j, 'us-fbi']), ['ann', 'acme']]) {
    run(['user', 'add', login, '--org', org, '--role', 'reader', '--password-stdin'], `${kMemberPassword}\n`);
    tokens[login] = run(['token', 'create', login]).split('\n')[0].trim();
  }
  const tokenFile = (login) => {
    const f = path.join(dir, `token-${login}`);
    fs.writeFileSync(f, tokens[login], { mode: 0o600 });
    return f;
  };
  const as = (login, args) => run(['evaluation', '--token-file', tokenFile(login), ...args]);
  const write = (name, text) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
  const orgs = ['acme', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
  const countries = ['KEN', 'PAK', 'BRA', 'EGY', 'SRB', 'LAO'];
  const apps = Object.keys(QUALITY).map((code, i) => `${code},${orgs[i]},${countries[i]},Project ${code},${code}.pdf`);
  as('sam', ['create', KEY, '--rules', write('rules.toml', rules())]);
  as('sam', ['entries', KEY, '--applications', write('apps.csv', `code,org,country,project,documents\n${apps.join('\n')}\n`),
    '--judges', write('judges.csv', `login,org,country,declared\n${JUDGES.map((j) => `${j},panel,CHE,`).join('\n')}\n`)]);
  as('sam', ['assign', KEY]);
  as('sam', ['open', KEY]);
  const shown = JSON.parse(run(['--json', 'evaluation', '--token-file', tokenFile('sam'), 'show', KEY]));
  assigned = Object.fromEntries(JUDGES.map((j) => [j, shown.assignment.filter(([, judge]) => judge === j).map(([app]) => app)]));
  pending = assigned.jill[0];
  prepareDeclarations(run, as, write, tokenFile);
  for (const judge of JUDGES) {
    const rows = assigned[judge].filter((app) => !(judge === 'jill' && app === pending))
      .map((app) => [app, ...CRITERIA.map((_, k) => score(app, judge, k, Object.keys(QUALITY).indexOf(app)))].join(','));
    as(judge, ['score', KEY, '--file', write(`sheets-${judge}.csv`, `application,${CRITERIA.join(',')}\n${rows.join('\n')}\n`)]);
  }
}

//! DECL: created, its entries set and assigned, left at set-up for the judges to declare.
function prepareDeclarations(run, as, write, tokenFile) {
  as('sam', ['create', DECL, '--rules', write('rules-decl.toml', rules().replace(/^same_country = false/m, 'same_country = true'))]);
  const apps = DECL_APPS.map(([code, org, country]) => `${code},${org},${country},Project ${code},`);
  const judges = [['jill', 'panel', 'CHE'], ['jack', 'jury', 'FRA'], ['joan', 'jury', 'DEU'], ['jim', 'jury', 'ITA']];
  as('sam', ['entries', DECL, '--applications', write('apps-decl.csv', `code,org,country,project,documents\n${apps.join('\n')}\n`),
    '--judges', write('judges-decl.csv', `login,org,country,declared\n${judges.map((j) => `${j.join(',')},`).join('\n')}\n`)]);
  as('sam', ['assign', DECL]);
  const shown = JSON.parse(run(['--json', 'evaluation', '--token-file', tokenFile('sam'), 'show', DECL]));
  declaring = shown.assignment.find(([, judge]) => judge === 'jill')[0];
}

const s = suite('campaigns', { prepare });

const loginAs = (login) => s.login(login, kMemberPassword);

//! What sticks out sideways at a 375 px viewport (a phone); '' when nothing.
async function overflowOnPhone(page) {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.waitForTimeout(200);
  const w = await horizontalExtent(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  const doc = Math.max(w.doc, w.body);
  return doc > 376 ? `scrollWidth ${doc}; widest ${w.widest} to ${w.right}` : '';
}

const stateOf = (page) => page.locator('[data-testid=campaign-title] [data-state]').getAttribute('data-state');
const texts = (page, selector) => page.$$eval(selector, (els) => els.map((e) => e.textContent.trim()));

it('only accounts with a seat get the evaluation link', async () => {
  const alice = await loginAs('alice');
  await alice.waitForSelector('[data-testid=nav-submissions]');
  await alice.waitForTimeout(500);
  assert.equal(await alice.locator('[data-testid=nav-campaigns]').count(), 0, 'alice has no seat');
  const jill = await loginAs('jill');
  await jill.waitForSelector('[data-testid=nav-campaigns]');
  assert.deepEqual(s.pageErrors(alice), []);
  assert.deepEqual(s.pageErrors(jill), []);
});

it('a judge sees only their queue, the rubric, seals a sheet and revises it with a reason', async () => {
  const page = await loginAs('jill');
  await page.click('[data-testid=nav-campaigns]');
  await page.waitForSelector(`[data-testid=campaigns] tr[data-key=${KEY}][data-seat=judge]`);
  await page.click(`[data-testid=campaign-${KEY}]`);
  await page.waitForSelector('[data-testid=queue]');
  const queue = await page.$$eval('[data-testid=queue] tbody tr', (trs) => trs.map((tr) => [tr.dataset.code, tr.dataset.sealed]));
  assert.deepEqual(queue.map(([code]) => code).sort(), [...assigned.jill].sort(), 'her assigned applications, no others');
  assert.deepEqual(queue.filter(([, sealed]) => sealed === 'false').map(([code]) => code), [pending]);
  // No other judge's sheets, no results, no progress of the panel.
  for (const hidden of ['judge-progress', 'campaign-results', 'steps']) assert.equal(await page.locator(`[data-testid=${hidden}]`).count(), 0, hidden);

  await page.click(`[data-testid=score-${pending}]`);
  await page.waitForSelector('[data-testid=sheet-form]');
  const anchors = await texts(page, '[data-testid=rubric-security_system] li');
  assert.equal(anchors.length, 6, 'one anchor per score 0–5');
  assert.match(anchors[3], /^3\s+A documented system/);
  const options = await page.$$eval('[data-testid=score-security_system] option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(options, ['0', '0.5', '1', '1.5', '2', '2.5', '3', '3.5', '4', '4.5', '5']);
  for (const [i, code] of CRITERIA.entries()) await page.selectOption(`[data-testid=score-${code}]`, String(3.5 + (i % 2) * 0.5));
  await page.fill('[data-testid=sheet-comment]', 'A clear plan, drilled twice a year.');
  await page.click('[data-testid=seal]');
  await page.waitForSelector('[data-testid=sheet-sealed][data-revision="1"]');
  assert.match(await page.locator('[data-testid=sheet-hash]').innerText(), /^[0-9a-f]{64}$/);
  const first = await page.locator('[data-testid=sheet-hash]').innerText();
  await s.screenshot(page, 'sheet-form');
  assert.equal(await overflowOnPhone(page), '', 'the score sheet fits a phone');

  // A revision without a reason is stopped before it is posted; with one it is sealed as revision 2.
  await page.selectOption('[data-testid=score-common_development]', '2.5');
  await page.click('[data-testid=seal]');
  await page.waitForSelector('[data-testid=reason-needed]');
  assert.equal(await page.locator('[data-testid=sheet-sealed]').getAttribute('data-revision'), '1');
  await page.fill('[data-testid=sheet-reason]', 'Re-read the drills report.');
  await page.click('[data-testid=seal]');
  await page.waitForSelector('[data-testid=sheet-sealed][data-revision="2"]');
  const second = await page.locator('[data-testid=sheet-hash]').innerText();
  assert.match(second, /^[0-9a-f]{64}$/);
  assert.notEqual(second, first);
  // The rubric in the page's language.
  await page.click('[data-testid=lang-switch]');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await page.waitForSelector('[data-testid=rubric-security_system] li');
  assert.match((await texts(page, '[data-testid=rubric-security_system] li'))[3], /^3\s+体系成文/);
  await page.click('[data-testid=back-to-queue]');
  await page.waitForSelector(`[data-testid=queue] tr[data-code=${pending}][data-sealed=true]`);
  assert.deepEqual(s.pageErrors(page), []);
});

it('the secretariat sets a campaign up through the page: rules, entries as CSV, assignment and loads', async () => {
  const page = await loginAs('sam');
  await s.open(page, '#/campaigns', '[data-testid=camp-create]');
  await page.fill('[data-testid=camp-key]', 'setup-test');
  await page.fill('[data-testid=camp-rules]', rules());
  await page.click('[data-testid=camp-create-submit]');
  await page.waitForSelector('[data-testid=entries-form]');
  assert.equal(await stateOf(page), 'setup');
  assert.equal(await page.locator('[data-testid=step-close]').isDisabled(), true);
  await page.fill('[data-testid=entries-applications]', 'code,org,country,project,documents\nB1,beta,KEN,Road,b1.pdf;b1-annex.pdf\nB2,gamma,PAK,Port,\nB3,delta,BRA,Rail,\nB4,"eps, ltd",EGY,Grid,\n');
  await page.setInputFiles('[data-testid=entries-judges-file]', { name: 'judges.csv', mimeType: 'text/csv',
    buffer: Buffer.from('login,org,country,declared\njill,panel,CHE,B1\njack,panel,CHE,\njoan,panel,CHE,\njim,panel,CHE,\n') });
  await page.waitForFunction(() => document.querySelector('[data-testid=entries-judges]').value.includes('jim'));
  await page.click('[data-testid=entries-submit]');
  await page.waitForSelector('[data-testid=judge-progress] tr[data-judge=jim]');
  assert.equal(await page.locator('[data-testid=judge-progress] tr[data-judge=jill] [data-col=declared]').innerText(), 'B1');
  assert.equal(await page.locator('[data-testid=applications] tr[data-code=B4] td').first().innerText(), 'eps, ltd');
  await page.click('[data-testid=step-assign]');
  await page.waitForSelector('[data-testid=progress][data-assigned="12"]');
  const loads = (await texts(page, '[data-testid=judge-progress] [data-col=assigned]')).map(Number);
  assert.equal(loads.reduce((a, b) => a + b, 0), 12);
  assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `balanced loads ${loads}`);
  const b1 = await page.locator('[data-testid=applications] tr[data-code=B1] [data-col=judges]').innerText();
  assert.ok(!b1.split(' ').includes('jill'), `jill declared a conflict with B1: ${b1}`);
  assert.equal(await page.locator('[data-testid=step-open]').isEnabled(), true);
  assert.deepEqual(s.pageErrors(page), []);
});

it('the secretariat follows the progress, closes and reads the results and reliability in en and zh', async () => {
  const page = await loginAs('sam');
  await s.open(page, `#/campaigns/${KEY}`, '[data-testid=progress]');
  assert.equal(await stateOf(page), 'scoring');
  const progress = page.locator('[data-testid=progress]');
  assert.equal(await progress.getAttribute('data-sealed'), '18');
  assert.equal(await progress.getAttribute('data-assigned'), '18');
  const sealed = await page.$$eval('[data-testid=judge-progress] tbody tr', (trs) => trs.map((tr) => [tr.dataset.judge,
    tr.querySelector('[data-col=assigned]').textContent, tr.querySelector('[data-col=sealed]').textContent]));
  assert.deepEqual(sealed.map(([j]) => j).sort(), [...JUDGES].sort());
  for (const [j, a, n] of sealed) assert.equal(a, n, `${j}: every assigned sheet sealed`);
  assert.equal(await page.locator('[data-testid=step-publish]').isDisabled(), true, 'no publishing before the panel');
  assert.equal(await page.locator('[data-testid=step-assign]').isDisabled(), true);

  await page.click('[data-testid=step-close]');
  await page.waitForSelector('[data-testid=results] tbody tr', { timeout: 60_000 });
  assert.equal(await stateOf(page), 'panel');
  assert.equal((await fetch(`${s.base}/api/v1/campaigns/${KEY}`)).status, 404, 'the public sees nothing before publication');
  const rows = await page.$$eval('[data-testid=results] tbody tr', (trs) => trs.map((tr) => ({ code: tr.dataset.code, borderline: tr.dataset.borderline,
    cols: Object.fromEntries([...tr.querySelectorAll('[data-col]')].map((td) => [td.dataset.col, td.textContent.trim()])) })));
  assert.equal(rows.length, 6);
  for (const m of ['mean', 'median', 'standardised', 'model']) {
    assert.ok(rows.every((r) => /^\d+\.\d{2}/.test(r.cols[`${m}-total`])), `${m} totals`);
  }
  assert.deepEqual(rows.map((r) => Number(r.cols['model-rank'])), [1, 2, 3, 4, 5, 6], 'ordered by the fair average');
  assert.equal(await page.locator('[data-testid=results] [data-col=model-total][data-selected=true]').count(), 2);
  assert.ok(rows.every((r) => /%$/.test(r.cols.probability)));
  const borderline = rows.filter((r) => r.borderline === 'true');
  assert.ok(borderline.length > 0, 'A2 is close to the cut: some application is borderline');
  assert.equal(await page.locator('[data-testid=results] tr.borderline').count(), borderline.length, 'the borderline group highlighted');
  for (const r of borderline) {
    const p = Number(r.cols.probability.replace(/[ %]/g, ''));
    assert.ok(p > 10 && p < 90, `${r.code}: ${r.cols.probability} is inside the borderline band`);
  }
  const forms = await page.$$eval('[data-testid=icc] tbody tr', (trs) => trs.map((tr) => tr.dataset.form));
  assert.equal(forms.length, 6);
  assert.ok(forms.includes('ICC2'));
  assert.match(await page.locator('[data-testid=icc] tr[data-form=ICC2] [data-col=interval]').innerText(), /^\[-?\d\.\d{3}, -?\d\.\d{3}\]$/);
  for (const id of ['alpha', 'panel', 'judges-075', 'judges-090']) assert.match(await page.locator(`[data-testid=${id}]`).innerText(), /\d|—/);
  assert.equal(await page.locator('[data-testid=judge-effects] tbody tr').count(), 4);
  await s.screenshot(page, 'results-en');
  assert.equal(await overflowOnPhone(page), '', 'the results fit a phone (tables scroll in their box)');

  await page.click('[data-testid=lang-switch]');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await page.waitForSelector('[data-testid=reliability]');
  assert.match(await page.locator('[data-testid=campaign-title]').innerText(), CJK);
  assert.match(await page.locator('[data-testid=results] thead').innerText(), /公平均分/);
  assert.match(await page.locator('[data-testid=reliability] h3').innerText(), /信度/);
  assert.equal(await page.locator('[data-testid=results] tbody tr').count(), 6);
  assert.deepEqual(s.pageErrors(page), []);
});

it('an applicant sees no results before publication, and its own once the secretariat publishes', async () => {
  const ann = await loginAs('ann');
  await s.open(ann, `#/campaigns/${KEY}`, '[data-testid=my-applications]');
  assert.deepEqual(await ann.$$eval('[data-testid=my-applications] tbody tr', (trs) => trs.map((tr) => tr.dataset.code)), ['A1']);
  await ann.waitForSelector('[data-testid=results-pending]');
  assert.equal(await ann.locator('[data-testid=campaign-results]').count(), 0);
  await s.screenshot(ann, 'applicant-pending');

  const sam = await loginAs('sam');
  await s.open(sam, `#/campaigns/${KEY}`, '[data-testid=step-publish]');
  await sam.click('[data-testid=step-publish]');
  assert.ok(await poll(async () => (await stateOf(sam).catch(() => '')) === 'published'));
  assert.equal(await sam.locator('[data-testid=step-publish]').isDisabled(), true);

  await s.open(ann, `#/campaigns/${KEY}?reload=1`, '[data-testid=campaign-results]');
  const rows = await ann.$$eval('[data-testid=results] tbody tr', (trs) => trs.map((tr) => ({ code: tr.dataset.code,
    selected: tr.querySelector('[data-col=model-total]').dataset.selected })));
  assert.ok(rows.some((r) => r.code === 'A1'), 'her own application');
  assert.ok(rows.every((r) => r.code === 'A1' || r.selected === 'true'), `only hers and the selected ones: ${JSON.stringify(rows)}`);
  assert.equal(await ann.locator('[data-testid=judge-effects]').count(), 0, 'no judges’ effects for an applicant');
  assert.equal(await ann.locator('[data-testid=results-pending]').count(), 0);
  await s.screenshot(ann, 'applicant-published');
  assert.deepEqual(s.pageErrors(ann), []);
  assert.deepEqual(s.pageErrors(sam), []);
});

//! The codes of the rows of the table `testid`.
const codes = (page, testid) => page.$$eval(`[data-testid=${testid}] tbody tr`, (trs) => trs.map((tr) => tr.dataset.code));

it('a judge declares a conflict at set-up through the checkboxes, the secretariat sees it, and it can be withdrawn', async () => {
  const jill = await loginAs('jill');
  await s.open(jill, `#/campaigns/${DECL}`, '[data-testid=declare-form]');
  assert.equal(await stateOf(jill), 'setup');
  assert.deepEqual(await codes(jill, 'declare-applications'), ['D3', 'D4', 'D5', 'D6'], 'all but D1 (her organisation) and D2 (her country)');
  assert.ok(['D3', 'D4', 'D5', 'D6'].includes(declaring), `jill is assigned ${declaring}`);
  await jill.waitForSelector('[data-testid=declared-none]');
  for (const hidden of ['queue', 'judge-progress', 'steps', 'entries-form']) assert.equal(await jill.locator(`[data-testid=${hidden}]`).count(), 0, hidden);
  assert.match(await jill.locator(`label[for=conflict-${declaring}]`).innerText(), /I have a conflict of interest with this application/);

  await jill.check(`[data-testid=conflict-${declaring}]`);
  await jill.click('[data-testid=declare-submit]');
  await jill.waitForSelector(`[data-testid=declared] li[data-code=${declaring}]`);
  await jill.waitForSelector('[data-testid=declare-done]');
  assert.deepEqual(await texts(jill, '[data-testid=declared] li code'), [declaring]);
  assert.ok(!(await codes(jill, 'declare-applications')).includes(declaring), 'a declared application leaves the list');
  await s.screenshot(jill, 'declaration');
  assert.equal(await overflowOnPhone(jill), '', 'the declaration fits a phone');
  // In Chinese, the checkbox's words.
  await jill.click('[data-testid=lang-switch]');
  await jill.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await jill.waitForSelector('[data-testid=declare-form]');
  assert.match(await jill.locator('[data-testid=declare-applications] tbody label').first().innerText(), /本人与该申报存在利益冲突/);

  // The secretariat sees the declaration; it met jill's assignment to it, so the assignment is
  // dropped (all of it: the secretariat assigns again).
  const sam = await loginAs('sam');
  await s.open(sam, `#/campaigns/${DECL}`, '[data-testid=judge-progress] tr[data-judge=jill]');
  assert.equal(await sam.locator('[data-testid=judge-progress] tr[data-judge=jill] [data-col=declared]').innerText(), declaring);
  assert.equal(await sam.locator('[data-testid=progress]').getAttribute('data-assigned'), '0');
  assert.equal(await sam.locator(`[data-testid=applications] tr[data-code=${declaring}] [data-col=judges]`).innerText(), '');

  // Withdrawn: the application is back in jill's list and the secretariat's page says so.
  await jill.click(`[data-testid=withdraw-${declaring}]`);
  await jill.waitForSelector('[data-testid=declared-none]');
  await jill.waitForSelector(`[data-testid=declare-applications] tr[data-code=${declaring}]`);
  assert.deepEqual(await codes(jill, 'declare-applications'), ['D3', 'D4', 'D5', 'D6']);
  await sam.reload();
  await sam.waitForSelector('[data-testid=judge-progress] tr[data-judge=jill]');
  assert.equal(await sam.locator('[data-testid=judge-progress] tr[data-judge=jill] [data-col=declared]').innerText(), '—');

  // Assigned again and opened: jill's page shows her queue, no longer the form.
  await sam.click('[data-testid=step-assign]');
  await sam.waitForSelector('[data-testid=progress][data-assigned="18"]');
  await sam.click('[data-testid=step-open]');
  assert.ok(await poll(async () => (await stateOf(sam).catch(() => '')) === 'scoring'));
  await jill.reload();
  await jill.waitForSelector('[data-testid=queue]');
  assert.equal(await jill.locator('[data-testid=declare-form]').count(), 0);
  assert.equal(await jill.locator('[data-testid=declaration]').count(), 0);
  assert.deepEqual(s.pageErrors(jill), []);
  assert.deepEqual(s.pageErrors(sam), []);
});
