// The member platform's pages, one role's journey each: alice (the FBI's submitter) logs in,
// uploads a file and sees its validation report, submits it and comments its flags, and uploads
// a file of her own layout with its descriptor; bob (the FBI's approver) approves it; sam (the
// secretariat) finds it in the review queue beside the UN's values, accepts and publishes it, and
// reads its audit trail; root (administrator) adds an account and issues and revokes a token,
// and adds, changes, disables and enables an organisation; no one else reaches the admin page.
// In a copy of the store, with the accounts of tests/api/make_store.mjs.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { kMemberPassword } from '../api/make_store.mjs';
import { makeMembers, poll, suite } from './harness.mjs';

const s = suite('members', { prepare: (db) => makeMembers(db) });
// The FBI's 2017–2019 homicide rates, 2019 raised to about twice UNODC's: validation flags it.
const FILE = 'unit,year,indicator,value\nUSA,2017,homicide_rate,5.3\nUSA,2018,homicide_rate,5.0\nUSA,2019,homicide_rate,9.9\n';
// A member's own layout (one column per measure) and the descriptor that reads it (docs/descriptors.md).
const OWN_LAYOUT = 'iso3,year,rate\nUSA,2015,4.9\nUSA,2016,5.4\n';
const OWN_DESCRIPTOR = `[source]
key = "fbi-own"
publisher = "U.S. FBI"
tier = 2
release = "2024"
[match]
files = ["*.csv"]
[table]
layout = "long"
[unit]
column = "iso3"
[year]
column = "year"
[[indicator]]
code = "homicide_rate"
column = "rate"
`;
const CJK = /[\u3400-\u9fff]/;
let id = 0; // the submission the journey follows

async function loginAs(login) {
  const page = await s.login(login, kMemberPassword);
  await page.waitForSelector('[data-testid=submissions], [data-testid=submissions-empty]');
  return page;
}

const stateOf = (page) => page.locator('[data-testid=submission-title] [data-state]').getAttribute('data-state');
async function step(page, name, want) {
  await page.click(`[data-testid=step-${name}]`);
  assert.ok(await poll(async () => (await stateOf(page).catch(() => '')) === want), `${name}: not ${want} but ${await stateOf(page)}`);
}

it('a wrong password is refused and nothing of the platform shows', async () => {
  const page = await s.page();
  await s.open(page, '#/login', '[data-testid=login-form]');
  await page.fill('[data-testid=login-name]', 'alice');
  await page.fill('[data-testid=login-password]', 'not the password');
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=login-error]');
  await s.open(page, '#/submissions', '[data-testid=need-login]');
  assert.deepEqual(s.pageErrors(page), []);
});

it('alice uploads a file, reads its validation report, submits it and comments its flags', async () => {
  const page = await loginAs('alice');
  assert.match(await page.locator('[data-testid=account]').innerText(), /alice/);
  await page.click('[data-testid=to-upload]');
  await page.waitForSelector('[data-testid=upload-form]');
  await page.fill('[data-testid=upload-dataset]', 'CRIME');
  await page.fill('[data-testid=upload-note]', 'UCR estimates, browser test');
  await page.setInputFiles('[data-testid=upload-file]', { name: 'fbi.csv', mimeType: 'text/csv', buffer: Buffer.from(FILE) });
  await page.click('[data-testid=upload-submit]');
  await page.waitForSelector('[data-testid=upload-done]');
  assert.match(await page.locator('[data-testid=upload-done]').innerText(), /3\D+3/);
  await page.click('[data-testid=upload-link]');
  await page.waitForSelector('[data-testid=submission-title]');
  id = Number(/#\/submission\/(\d+)/.exec(page.url())[1]);
  assert.equal(await stateOf(page), 'draft');
  await step(page, 'submit', 'validated');
  const flags = await page.$$eval('[data-testid=flags] li', (lis) => lis.map((li) => li.dataset.flag));
  assert.ok(flags.length > 0, 'the 2019 value is flagged');
  for (const f of flags) {
    await page.fill(`[data-testid=flag-text-${f}]`, 'the FBI counts differently; see the note');
    await page.click(`[data-testid=flag-save-${f}]`);
    await page.waitForFunction((x) => document.querySelector(`[data-flag="${x}"] .comment`), f);
  }
  assert.equal(await page.locator('[data-testid=step-approve]').count(), 0, 'a submitter does not approve');
  assert.deepEqual(s.pageErrors(page), []);
});

it('alice uploads a file in her own layout with the descriptor that reads it; a broken one says where', async () => {
  const page = await loginAs('alice');
  await page.click('[data-testid=to-upload]');
  await page.waitForSelector('[data-testid=upload-form]');
  const upload = async (descriptor) => {
    await page.fill('[data-testid=upload-dataset]', 'CRIME');
    await page.setInputFiles('[data-testid=upload-file]', { name: 'rates 2016.csv', mimeType: 'text/csv', buffer: Buffer.from(OWN_LAYOUT) });
    await page.setInputFiles('[data-testid=upload-descriptor]', { name: 'mine.toml', mimeType: 'application/toml', buffer: Buffer.from(descriptor) });
    await page.click('[data-testid=upload-submit]');
    await page.waitForSelector('[data-testid=upload-report] :is([data-testid=upload-done], [role=alert], .error)');
    return page.locator('[data-testid=upload-report]').innerText();
  };
  assert.match(await upload('[source]\nkey = \n'), /descriptor mine\.toml line 2/);
  assert.match(await upload(OWN_DESCRIPTOR), /2\D+2/, 'two rows read, two accepted');
  await page.click('[data-testid=upload-link]');
  await page.waitForSelector('[data-testid=rows] tr[data-year="2016"]');
  assert.deepEqual(s.pageErrors(page), []);
});

it('bob approves it; then sam finds it in the queue beside the UN value, accepts and publishes it', async () => {
  assert.ok(id > 0, 'the upload test ran first');
  const bob = await loginAs('bob');
  await s.open(bob, `#/submission/${id}`, '[data-testid=step-approve]');
  await step(bob, 'approve', 'approved');

  const sam = await loginAs('sam');
  await sam.waitForSelector(`[data-testid=queue] tr[data-id="${id}"]`);
  await sam.click(`[data-testid=queue] tr[data-id="${id}"] a`);
  await sam.waitForSelector('[data-testid=rows] tr[data-year="2019"]');
  const detail = await (await fetch(`${s.base}/api/v1/units/USA`)).ok; // the public API is up
  assert.ok(detail);
  const row = sam.locator('[data-testid=rows] tr[data-year="2019"]');
  const value = Number(await row.locator('[data-col=value]').innerText());
  const un = Number(await row.locator('[data-col=un]').innerText());
  assert.equal(value, 9.9);
  assert.ok(un > 3 && un < 7, `UNODC's 2019 rate beside it: ${un}`);
  assert.match(await row.locator('[data-col=un-diff]').innerText(), /^\d+\.\d %$/);
  await step(sam, 'accept', 'accepted');
  await step(sam, 'publish', 'published');
  const trail = await sam.$$eval('[data-testid=trail] tr[data-action]', (trs) => trs.map((tr) => tr.dataset.action));
  for (const a of ['submission.upload', 'submission.submit', 'submission.approve', 'submission.accept', 'submission.publish']) {
    assert.ok(trail.includes(a), `${a} in the trail: ${trail.join(', ')}`);
  }
  assert.deepEqual(s.pageErrors(sam), []);
});

it('the submission page switches to Chinese', async () => {
  const page = await loginAs('sam');
  await s.open(page, `#/submission/${id || 1}`, '[data-testid=submission-title]');
  await page.click('[data-testid=lang-switch]');
  await page.waitForSelector('[data-testid=submission-title]');
  assert.ok(await poll(async () => CJK.test(await page.locator('main').innerText())), 'Chinese headings');
  assert.match(await page.locator('main h2').first().innerText(), CJK);
});

it('only root administers: an account added, a token issued once and revoked', async () => {
  const alice = await loginAs('alice');
  await s.open(alice, '#/admin', '[data-testid=admin-denied]');
  const page = await loginAs('root');
  await page.click('[data-testid=to-admin]');
  await page.waitForSelector('[data-testid=admin-users] tr[data-login=alice]');
  await page.fill('[data-testid=admin-user-login]', 'carla');
  await page.fill('[data-testid=admin-user-org]', 'us-fbi');
  await page.selectOption('[data-testid=admin-user-role]', 'member-approver');
  await page.click('[data-testid=admin-user-form] button[type=submit]');
  await page.waitForSelector('[data-testid=admin-users] tr[data-login=carla]');
  await page.fill('[data-testid=admin-token-login]', 'carla');
  await page.click('[data-testid=admin-token-form] button[type=submit]');
  const secret = (await page.locator('[data-testid=token-secret] code').innerText()).trim();
  assert.match(secret, /^gpsi_[A-Za-z0-9_-]{43}$/);
  const ok = await fetch(`${s.base}/api/v1/submissions`, { headers: { Authorization: `Bearer ${secret}` } });
  assert.equal(ok.status, 200, 'the new token works');
  await page.reload();
  const suffix = secret.slice(-8);
  await page.waitForSelector(`[data-testid=revoke-${suffix}]`);
  await page.click(`[data-testid=revoke-${suffix}]`);
  await page.waitForSelector(`[data-testid=admin-tokens] tr[data-suffix="${suffix}"]:not(:has([data-testid=revoke-${suffix}]))`);
  const gone = await fetch(`${s.base}/api/v1/submissions`, { headers: { Authorization: `Bearer ${secret}` } });
  assert.equal(gone.status, 401, 'revoked');
  // Logout is one click away from every page (the header's account link), and ends the session.
  await page.click('[data-testid=account]');
  await page.click('[data-testid=logout]');
  await page.waitForSelector('[data-testid=login-form]');
  await s.open(page, '#/admin', '[data-testid=admin-denied]');
  assert.deepEqual(s.pageErrors(page), []);
});

it('root adds an organisation, changes its names, countries and agreements, disables and enables it', async () => {
  const page = await loginAs('root');
  await s.open(page, '#/admin', '[data-testid=admin-org-form]');
  await page.fill('[data-testid=admin-org-key]', 'gb-ho');
  await page.selectOption('[data-testid=admin-org-kind]', 'government');
  await page.fill('[data-testid=admin-org-name-en]', 'Home Office');
  await page.fill('[data-testid=admin-org-countries]', 'GBR');
  await page.click('[data-testid=admin-org-form] button[type=submit]');
  const row = '[data-testid=admin-orgs] tr[data-key=gb-ho]';
  await page.waitForSelector(row);
  await page.selectOption('[data-testid=admin-change-org]', 'gb-ho');
  assert.equal(await page.inputValue('[data-testid=admin-change-name-en]'), 'Home Office', 'the form shows what it holds');
  await page.fill('[data-testid=admin-change-name-zh]', '英国内政部');
  await page.fill('[data-testid=admin-change-countries]', 'GBR IRL');
  await page.fill('[data-testid=admin-change-agreements]', 'CRIME: homicide_rate');
  await page.click('[data-testid=admin-change-form] button[type=submit]');
  await page.waitForSelector(`${row}:has-text("英国内政部")`);
  assert.match(await page.locator(row).innerText(), /GBR IRL[\s\S]*CRIME: homicide_rate/);
  await page.click('[data-testid=disable-org-gb-ho]');
  await page.waitForSelector('[data-testid=enable-org-gb-ho]');
  await page.click('[data-testid=enable-org-gb-ho]');
  await page.waitForSelector('[data-testid=disable-org-gb-ho]');
  // A change the rules refuse is shown, and changes nothing.
  await page.selectOption('[data-testid=admin-change-org]', 'gb-ho');
  await page.fill('[data-testid=admin-change-countries]', 'XXX');
  await page.click('[data-testid=admin-change-form] button[type=submit]');
  await page.waitForSelector('[data-testid=admin-change-form] [role=alert]');
  assert.match(await page.locator(row).innerText(), /GBR IRL/);
  assert.deepEqual(s.pageErrors(page), []);
});
