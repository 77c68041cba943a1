// Country risk (#/risk, #/risk/ISO3; docs/risk.md): the map coloured by class with its five-class
// legend, the table riskiest first, each row's class the one its score falls in, a row opening the
// country's sheet (dimensions, indicators, outlook, baseline), in English and Chinese; a phone
// viewport does not scroll sideways. The server runs with --risk-method methods/risk.toml.
import assert from 'node:assert/strict';
import path from 'node:path';
import { it } from 'node:test';
import { horizontalExtent, paths, repo, startServer, stopServer, suite, tableRows } from './harness.mjs';

const s = suite('risk', { extra: ['--risk-method', path.join(repo, 'methods/risk.toml')] });
const ZH_CLASSES = ['很低', '低', '中', '高', '很高'];
const CJK = /[\u3400-\u9fff]/;
const ROWS = '[data-testid=risk-table] tbody tr[data-unit]';

//! A score as published and classed (docs/risk.md): rounded half away from zero to one decimal.
const shown = (v) => (Math.round(v * 10) / 10).toFixed(1);

//! The class a score falls in: the highest whose lower bound (`from`, null = none) its shown value reaches.
function classOf(classes, score) {
  let k = 0;
  for (const c of classes) if (c.from == null || Math.round(score * 10) >= Math.round(c.from * 10)) k = c.class;
  return k;
}

//! The table's rows with their full scores (td[data-score]) and classes (td[data-class]).
function riskRows(page) {
  return page.$$eval(ROWS, (trs) => trs.map((tr) => ({
    unit: tr.dataset.unit,
    rank: tr.dataset.rank === '' ? null : Number(tr.dataset.rank),
    score: Number(tr.querySelector('td[data-col=score]').dataset.score),
    scoreText: tr.querySelector('td[data-col=score]').textContent.trim(),
    cls: Number(tr.querySelector('td[data-col=class]').dataset.class),
    clsText: tr.querySelector('td[data-col=class]').textContent.trim(),
  })));
}

for (const lang of ['en', 'zh']) {
  it(`the map, its 5-class legend and the table riskiest first, classes from the bounds (${lang})`, async () => {
    const api = await s.api('/api/v1/risk/countries');
    assert.equal(api.classes.length, 5);
    const page = await s.page();
    await s.open(page, '#/risk', ROWS, lang === 'zh' ? '?lang=zh' : '');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=risk-map] svg path').length >= 150);

    const legend = await page.$$eval('[data-testid=risk-legend] li[data-class]', (lis) => lis.map((li) => li.textContent.trim()));
    assert.equal(legend.length, 5, `legend: ${legend.join(' | ')}`);
    api.classes.forEach((c, k) => {
      const name = lang === 'zh' ? c.zh : c.en;
      assert.ok(legend[k].startsWith(name), `legend ${k} '${legend[k]}' names ${name}`);
      // The bound is beside the colour: the class's lower bound with one decimal.
      assert.ok(legend[k].includes((c.from ?? 0).toFixed(1)), `legend ${k} '${legend[k]}' shows ${(c.from ?? 0).toFixed(1)}`);
    });
    if (lang === 'zh') assert.deepEqual(legend.map((l) => l.split(' ')[0]), ZH_CLASSES);

    const rows = await riskRows(page);
    assert.equal(rows.length, api.countries.length);
    assert.equal(rows[0].rank, 1, `first row ${rows[0].unit} has rank ${rows[0].rank}`);
    assert.equal(rows[0].unit, api.countries.find((c) => c.rank === 1).unit);
    const ranked = rows.filter((r) => r.rank != null);
    for (let i = 1; i < ranked.length; i++) {
      assert.ok(ranked[i].score <= ranked[i - 1].score, `score descending: ${ranked[i - 1].unit} ${ranked[i - 1].score} then ${ranked[i].unit} ${ranked[i].score}`);
    }
    for (const r of rows) {
      assert.equal(r.scoreText, shown(r.score), `${r.unit}: score shown with one decimal`);
      assert.equal(r.cls, classOf(api.classes, r.score), `${r.unit}: class ${r.cls} for score ${r.score}`);
      const c = api.classes[r.cls];
      assert.equal(r.clsText, lang === 'zh' ? c.zh : c.en, `${r.unit}: class name`);
    }

    // Sorting by score (highest first) orders the whole table.
    await page.click('[data-testid=sort-score]');
    const byScore = await riskRows(page);
    for (let i = 1; i < byScore.length; i++) assert.ok(byScore[i].score <= byScore[i - 1].score, `sorted by score at ${byScore[i].unit}`);
    assert.deepEqual(s.pageErrors(page), []);
  });

  it(`a click on a row opens that country's risk sheet with the same score (${lang})`, async () => {
    const { units } = await s.api('/api/v1/units');
    const page = await s.page();
    await s.open(page, '#/risk', ROWS, lang === 'zh' ? '?lang=zh' : '');
    const [second] = (await riskRows(page)).slice(1, 2);
    const nameText = (await tableRows(page, '[data-testid=risk-table]')).find((r) => r.unit === second.unit).cells.name;
    await page.click(`${ROWS}[data-unit=${second.unit}] td[data-col=score]`);
    await page.waitForFunction((u) => location.hash === `#/risk/${u}`, second.unit);
    await page.waitForSelector('[data-testid=risk-indicators] tbody tr');
    const unit = units.find((u) => u.iso3 === second.unit);
    const title = await page.locator('[data-testid=risk-title]').textContent();
    assert.ok(title.includes(lang === 'zh' ? unit.name_zh : unit.name_en), `heading '${title}'`);
    assert.ok(title.includes(nameText), `heading '${title}' has the table's name '${nameText}'`);
    assert.equal(await page.locator('[data-testid=risk-head] [data-testid=score]').textContent(), second.scoreText);

    const sheet = await s.api(`/api/v1/risk/countries/${second.unit}`);
    assert.equal(await page.locator('[data-testid=risk-dimensions] li[data-dimension]').count(), 3);
    assert.equal(await page.locator('[data-testid=risk-indicators] tbody tr[data-indicator]').count(), sheet.indicators.length);
    const outlook = await page.locator('[data-testid=risk-outlook]').textContent();
    if (sheet.outlook) {
      assert.ok(outlook.includes(shown(sheet.outlook.median)), `outlook '${outlook}' has median ${sheet.outlook.median}`);
      assert.ok(outlook.includes(lang === 'zh' ? sheet.outlook.class_zh : sheet.outlook.class_en), `outlook class in '${outlook}'`);
    }
    const baseline = await page.locator('[data-testid=risk-baseline]').textContent();
    assert.ok(sheet.baseline, 'the server publishes the GPSI baseline');
    assert.ok(baseline.includes(sheet.baseline.score.toFixed(1)), `baseline '${baseline}' has ${sheet.baseline.score}`);
    assert.equal(await page.locator('[data-testid=risk-profile-link]').getAttribute('href'), `#/country/${second.unit}`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=risk-history] svg path').length > 0);
    const head = await page.locator('[data-testid=risk-head]').textContent();
    assert.ok(head.includes(lang === 'zh' ? sheet.risk.class_zh : sheet.risk.class_en), `head '${head}' has the class`);
    if (lang === 'zh') assert.ok(CJK.test(await page.locator('[data-testid=risk-dimensions] h2').textContent()), 'dimension heading in Chinese');
    assert.deepEqual(s.pageErrors(page), []);
  });
}

it('the language switch turns the class names to Chinese', async () => {
  const page = await s.page();
  await s.open(page, '#/risk', ROWS);
  await page.locator('[data-testid=lang-switch]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await page.waitForSelector(ROWS);
  const shown = new Set((await riskRows(page)).map((r) => r.clsText));
  assert.ok([...shown].every((c) => ZH_CLASSES.includes(c)), `classes: ${[...shown].join(', ')}`);
  assert.ok(shown.size >= 3, `several classes shown: ${[...shown].join(', ')}`);
  assert.deepEqual(s.pageErrors(page), []);
});

it('an unknown country gets a notice, not an error', async () => {
  const page = await s.page();
  await s.open(page, '#/risk/XXX', '[data-testid=risk-nosheet]');
  assert.equal(await page.locator('.error').count(), 0);
  assert.deepEqual(s.pageErrors(page), []);
});

it('a server without --risk-method: a notice that no risk sheets are published, not an error', async () => {
  const server = await startServer(s.db, path.join(paths.artefacts, 'risk-none-server.log'), 300_000, ['--intervals', '0']);
  try {
    assert.equal((await fetch(`${server.base}/api/v1/risk/countries`)).status, 404);
    const page = await s.page();
    for (const route of ['#/risk', '#/risk/AFG']) {
      await page.goto(`${server.base}/#/map`);
      await page.goto(`${server.base}/${route}`);
      await page.waitForSelector('[data-testid=risk-none]');
      assert.match(await page.locator('[data-testid=risk-none]').textContent(), /no risk sheets are published on this server/i);
      assert.equal(await page.locator('.error').count(), 0, `${route}: no error box`);
    }
    assert.deepEqual(s.pageErrors(page), []);
  } finally {
    await stopServer(server.proc);
  }
});

for (const route of ['#/risk', '#/risk/AFG']) {
  it(`${route} does not overflow a 375 px viewport horizontally`, async () => {
    const page = await s.page({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await s.open(page, route, route === '#/risk' ? ROWS : '[data-testid=risk-indicators] tbody tr');
    await page.waitForTimeout(500); // charts resize after the first frame
    const w = await horizontalExtent(page);
    assert.ok(w.doc <= 376 && w.body <= 376, `scrollWidth ${w.doc} (body ${w.body}); widest ${w.widest} to ${w.right}`);
    assert.deepEqual(s.pageErrors(page), []);
  });
}
