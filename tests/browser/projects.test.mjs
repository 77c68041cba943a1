// Project risk sheets (#/risk/projects, #/risk/projects/ID; docs/risk.md "Projects on the platform"):
// erin, a submitter of the enterprise cn-example-roads, has examples/projects/ke-machakos-road.toml
// assessed through the dashboard's form (a broken file first: the server's message is shown); the
// list shows it with its residual rating and a stale badge (its validity ended on 2020-04-29); its
// sheet has the STALE banner, a map with the site's marker, a radius circle that scales with the
// map and the nearby GDELT events (their tooltip: date, distance, CAMEO root), a register whose
// numbers are the API's, and PDF links in both languages; in Chinese
// the headings and the project's name are Chinese. finn, of another enterprise, sees no project
// and "not found" for erin's. In a copy of the store, served with --risk-method methods/risk.toml.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { paths, poll, repo, suite } from './harness.mjs';

const PASSWORD = 'project sheets password';
const FILE = path.join(repo, 'examples/projects/ke-machakos-road.toml');
const NAME_ZH = '内罗毕—马查科斯公路改扩建';
const CJK = /[\u3400-\u9fff]/;

//! The GDELT sample's event points (the store's ingest keeps none; the sample project's overlay
//! finds its events among them), and two enterprises with a submitter each: erin of cn-example-roads
//! (the sample's enterprise), finn of cn-mines.
function prepare(db) {
  const run = (args, input) => execFileSync(paths.binary, ['--db', db, ...args],
    { input, stdio: [input ? 'pipe' : 'ignore', 'ignore', 'inherit'], env: { ...process.env, GPSI_DB: '' } });
  const gdelt = path.join(paths.data, 'events_gdelt_sample');
  run(['-q', 'events', ...fs.readdirSync(gdelt).filter((f) => f.endsWith('.export.CSV')).map((f) => path.join(gdelt, f))]);
  run(['org', 'add', 'cn-example-roads', '--kind', 'enterprise', '--name-en', 'Roads Co']);
  run(['org', 'add', 'cn-mines', '--kind', 'enterprise', '--name-en', 'Mines Co']);
  run(['user', 'add', 'erin', '--org', 'cn-example-roads', '--role', 'member-submitter', '--password-stdin'], `${PASSWORD}\n`);
  run(['user', 'add', 'finn', '--org', 'cn-mines', '--role', 'member-submitter', '--password-stdin'], `${PASSWORD}\n`);
}

const s = suite('projects', { prepare, extra: ['--risk-method', path.join(repo, 'methods/risk.toml')] });
let id = 0; // erin's kept sheet

//! JSON of an API GET with the page's session cookie; fails unless 200.
async function apiAs(page, p) {
  const r = await page.request.get(s.base + p);
  assert.equal(r.status(), 200, `GET ${p}: ${await r.text()}`);
  return r.json();
}

it('erin has the sample project assessed; the list shows its residual rating and a stale badge', async () => {
  const page = await s.login('erin', PASSWORD);
  await s.open(page, '#/risk/projects', '[data-testid=project-upload]');
  await page.waitForSelector('[data-testid=project-list-empty]');
  // A broken file: the server's message is shown, and the page stays.
  await page.setInputFiles('[data-testid=project-file]', { name: 'broken.toml', mimeType: 'application/toml', buffer: Buffer.from('[project]\nid = \n') });
  await page.click('[data-testid=project-submit]');
  await page.waitForSelector('[data-testid=project-upload-report] .error');
  assert.match(await page.locator('[data-testid=project-upload-report]').innerText(), /422 bad-project/);

  await page.setInputFiles('[data-testid=project-file]', FILE);
  await page.click('[data-testid=project-submit]');
  await page.waitForFunction(() => /^#\/risk\/projects\/\d+$/.test(location.hash));
  id = Number(/#\/risk\/projects\/(\d+)/.exec(page.url())[1]);
  await page.waitForSelector('[data-testid=project-register]');

  const { projects } = await apiAs(page, '/api/v1/risk/projects');
  assert.equal(projects.length, 1);
  const p = projects[0];
  assert.equal(p.id, id);
  assert.equal(p.stale, true, 'valid until 2020-04-29: stale today');
  await s.open(page, '#/risk/projects', '[data-testid=project-row]');
  const row = page.locator(`[data-testid=project-row][data-id="${id}"]`);
  assert.equal(await page.locator('[data-testid=project-row]').count(), 1);
  assert.equal(await row.locator('td[data-col=name] a').innerText(), 'Nairobi–Machakos road upgrade');
  assert.equal(await row.locator('td[data-col=name] a').getAttribute('href'), `#/risk/projects/${id}`);
  assert.equal(await row.locator('[data-testid=project-stale-badge]').count(), 1);
  assert.equal(await row.locator('td[data-col=valid_until]').innerText(), p.valid_until);
  assert.equal(await row.locator('td[data-col=type]').innerText(), 'transport');
  assert.match(await row.locator('td[data-col=country]').innerText(), /Kenya \(KEN\)/);
  assert.equal(await row.locator('td[data-col=residual] [data-testid=rating-score]').innerText(), String(p.residual.score));
  assert.match(await row.locator('td[data-col=residual]').innerText(), new RegExp(`${p.residual.score}\\s+${p.residual.rating_en}`));
  assert.deepEqual(s.pageErrors(page), []);
});

it('the sheet: STALE banner, the map with the site and a radius circle that scales, the register as the API has it, PDFs', async () => {
  assert.ok(id > 0, 'the upload test ran first');
  const page = await s.login('erin', PASSWORD);
  await s.open(page, `#/risk/projects/${id}`, '[data-testid=project-register]');
  const kept = await apiAs(page, `/api/v1/risk/projects/${id}`);
  const sheet = kept.sheet;
  assert.ok(kept.stale);

  const banner = await page.locator('[data-testid=project-stale]').innerText();
  assert.match(banner, /STALE/);
  const fired = sheet.triggers.filter((x) => x.fired);
  assert.ok(fired.some((x) => x.kind === 'validity'), `the validity trigger fired: ${JSON.stringify(sheet.triggers)}`);
  for (const x of fired) assert.ok(banner.includes(x.en), `banner '${banner}' lists '${x.en}'`);
  assert.match(await page.locator('[data-testid=project-title]').innerText(), /Nairobi–Machakos road upgrade/);

  // The map: the site's marker, the circle of radius_km around it (geo-anchored), the route and the events.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=project-map] svg path').length > 20);
  const geom = () => page.evaluate(() => {
    const chart = window.__gpsi.map;
    const series = Object.fromEntries(chart.getOption().series.map((x) => [x.id, x]));
    const site = series.site.data[0];
    const px = (c) => chart.convertToPixel({ geoIndex: 0 }, c);
    const centre = px(site);
    const r = series.radius.data[0].coords.map((c) => Math.hypot(px(c)[0] - centre[0], px(c)[1] - centre[1]));
    return { site, centre, rMin: Math.min(...r), rMax: Math.max(...r), route: series.route.data[0].coords.length, events: series.events.data.length,
      width: chart.getWidth(), height: chart.getHeight() };
  });
  const g = await geom();
  assert.deepEqual(g.site, [sheet.project.site.lon, sheet.project.site.lat]);
  assert.equal(g.route, sheet.project.route.length);
  assert.equal(g.events, sheet.overlay.events.length);
  assert.ok(g.centre[0] > 0 && g.centre[0] < g.width && g.centre[1] > 0 && g.centre[1] < g.height, `site in view: ${JSON.stringify(g)}`);
  assert.ok(g.rMin > 20 && g.rMax < g.width, `zoomed on the site: circle of ${g.rMin}–${g.rMax} px`);
  assert.ok(g.rMax / g.rMin < 1.15, `a circle, not a flat ellipse: ${g.rMin}–${g.rMax} px`);
  await page.evaluate(() => window.__gpsi.map.dispatchAction({ type: 'geoRoam', geoIndex: 0, zoom: 2, originX: 10, originY: 10 }));
  const z = await geom();
  assert.ok(Math.abs(z.rMin / g.rMin - 2) < 0.1, `the circle scales with the map: ${g.rMin} → ${z.rMin} px`);
  await page.evaluate(() => window.__gpsi.map.dispatchAction({ type: 'geoRoam', geoIndex: 0, zoom: 0.5, originX: 10, originY: 10 }));
  assert.ok(sheet.overlay.events.length > 0, 'the GDELT sample has events near the site');
  {
    const ev = sheet.overlay.events[0];
    await page.evaluate(() => {
      const chart = window.__gpsi.map;
      chart.dispatchAction({ type: 'showTip', seriesIndex: chart.getOption().series.findIndex((x) => x.id === 'events'), dataIndex: 0 });
    });
    assert.ok(await poll(async () => (await page.locator('[data-testid=project-map]').innerText()).includes(ev.date), 5_000), 'the event tooltip shows its date');
    const tip = await page.locator('[data-testid=project-map]').innerText();
    assert.match(tip, new RegExp(`CAMEO root: ${ev.root_code}`));
  }

  // The register: every threat's numbers as the API's sheet has them.
  const rows = await page.$$eval('[data-testid=project-register] tbody tr[data-threat]', (trs) => trs.map((tr) => {
    const cell = (c) => tr.querySelector(`[data-col=${c}]`);
    const m = (k) => ({ likelihood: Number(cell(`${k}-likelihood`).textContent), impact: Number(cell(`${k}-impact`).textContent),
      score: Number(cell(`${k}-score`).querySelector('[data-testid=rating-score]').textContent), rating: Number(cell(`${k}-score`).dataset.rating),
      text: cell(`${k}-score`).textContent.trim() });
    return { id: tr.dataset.threat, inherent: m('inherent'), residual: m('residual') };
  }));
  assert.deepEqual(rows.map((r) => r.id), sheet.threats.map((x) => x.id));
  for (const [k, x] of sheet.threats.entries()) {
    for (const which of ['inherent', 'residual']) {
      const { text, ...nums } = rows[k][which];
      const want = x[which];
      assert.deepEqual(nums, { likelihood: want.likelihood, impact: want.impact, score: want.score, rating: want.rating }, `${x.id} ${which}`);
      assert.ok(text.endsWith(want.rating_en), `${x.id} ${which}: '${text}' names ${want.rating_en}`);
    }
    const inPlace = await page.$$eval(`[data-testid=project-threat][data-threat="${x.id}"] li[data-control]`,
      (lis) => lis.map((li) => [li.dataset.control, li.dataset.inPlace === 'true', li.textContent.includes('✓')]));
    assert.deepEqual(inPlace, x.controls.map((c) => [c.id, c.in_place, c.in_place]), `${x.id} controls`);
  }
  const head = await page.locator('[data-testid=project-head]').innerText();
  assert.ok(head.includes(`${sheet.residual.score}`) && head.includes(sheet.residual.rating_en), `head '${head}'`);

  for (const lang of ['en', 'zh']) {
    const href = await page.locator(`[data-testid=project-pdf-${lang}]`).evaluate((a) => a.href);
    assert.ok(href.endsWith(`/api/v1/risk/projects/${id}?format=pdf&lang=${lang}`), href);
    const r = await page.request.get(href);
    assert.equal(r.status(), 200, `${href}: ${r.status()}`);
    assert.equal((await r.body()).subarray(0, 4).toString(), '%PDF', `${href} is a PDF`);
  }
  assert.deepEqual(s.pageErrors(page), []);
});

it('in Chinese: the headings, the project name and the ratings', async () => {
  assert.ok(id > 0, 'the upload test ran first');
  const page = await s.login('erin', PASSWORD);
  await s.open(page, '#/risk/projects', '[data-testid=project-row]', '?lang=zh');
  const row = page.locator(`[data-testid=project-row][data-id="${id}"]`);
  assert.equal(await row.locator('td[data-col=name] a').innerText(), NAME_ZH);
  assert.match(await row.locator('[data-testid=project-stale-badge]').innerText(), CJK);
  await row.locator('td[data-col=name] a').click();
  await page.waitForSelector('[data-testid=project-register]');
  const kept = await apiAs(page, `/api/v1/risk/projects/${id}`);
  assert.ok((await page.locator('[data-testid=project-title]').innerText()).includes(NAME_ZH));
  assert.equal(await page.locator('[data-testid=project-register-section] h2').innerText(), '威胁清单');
  for (const h2 of await page.locator('main section > h2').allInnerTexts()) assert.match(h2, CJK, `heading '${h2}'`);
  assert.match(await page.locator('[data-testid=project-stale]').innerText(), /已失效/);
  const first = kept.sheet.threats[0];
  assert.equal(await page.locator(`[data-testid=project-register] tr[data-threat="${first.id}"] [data-col=threat]`).innerText(), first.name_zh);
  assert.ok((await page.locator('[data-testid=project-head]').innerText()).includes(kept.sheet.residual.rating_zh));
  assert.deepEqual(s.pageErrors(page), []);
});

it('another enterprise sees no project and "not found" for erin\'s; no login, no list', async () => {
  assert.ok(id > 0, 'the upload test ran first');
  const page = await s.login('finn', PASSWORD);
  await s.open(page, '#/risk/projects', '[data-testid=project-list-empty]');
  assert.deepEqual((await apiAs(page, '/api/v1/risk/projects')).projects, []);
  await s.open(page, `#/risk/projects/${id}`, '[data-testid=project-notfound]');
  assert.equal(await page.locator('[data-testid=project-register]').count(), 0);
  assert.deepEqual(s.pageErrors(page), []);

  const anon = await s.page();
  await s.open(anon, '#/risk/projects', '[data-testid=need-login]');
  await s.open(anon, `#/risk/projects/${id}`, '[data-testid=need-login]');
  assert.deepEqual(s.pageErrors(anon), []);
});

it('the country risk page links to the project sheets', async () => {
  const page = await s.page();
  await s.open(page, '#/risk', '[data-testid=to-projects]');
  await page.click('[data-testid=to-projects]');
  await page.waitForFunction(() => location.hash === '#/risk/projects' && window.__gpsi.route === 'risk/projects');
  await page.waitForSelector('[data-testid=need-login]');
  assert.deepEqual(s.pageErrors(page), []);
});
