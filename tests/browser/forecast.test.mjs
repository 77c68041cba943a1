// Forecasts and early warnings in the dashboard, each number against the API's answer:
// the profile's fan chart and outlook table (/api/v1/forecasts?unit=&code=), the warnings page
// (#/warnings, /api/v1/warnings with its severity and rule filters), the map's P(deterioration)
// layer (/api/v1/forecasts?code=&year=), in English and Chinese; and a server that publishes no
// forecasts (--forecast-draws 0): notices, no errors.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { paths, poll, startServer, stopServer, suite } from './harness.mjs';

const s = suite('forecast');
const CJK = /[\u3400-\u9fff]/;
const FAN = '[data-testid=fan-chart]';
const OUTLOOK = '[data-testid=outlook-table]';
const WARN = '[data-testid=warnings-table]';
let meta; // /api/v1/meta, read once (after the suite's server is up)
let units; // code and ISO3 → unit of /api/v1/units

async function load() {
  meta ??= await s.api('/api/v1/meta');
  if (!units) {
    units = new Map();
    for (const u of (await s.api('/api/v1/units')).units) {
      units.set(u.code, u);
      if (u.iso3) units.set(u.iso3, u);
    }
  }
  return { meta, units, index: meta.nodes.reduce((a, b) => (b.level > a.level ? b : a)).code };
}

//! The numbers of a cell's text ("44 [40–58]", "6.3 %", "6.3%") in order.
const numbers = (text) => (text.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
//! |shown − want| within half a unit of the last decimal shown.
function close(text, want, what, scale = 1) {
  const m = text.match(/-?\d+(?:\.(\d+))?/);
  assert.ok(m, `${what}: no number in '${text}'`);
  const decimals = (m[1] ?? '').length;
  assert.ok(Math.abs(Number(m[0]) - want * scale) <= 0.5 * 10 ** -decimals + 1e-9, `${what}: shown '${text}', API ${want}`);
}

//! The fan chart's x axis and series data by id, read from the chart the page drew (window.__gpsi.fan).
const fanData = (page) => page.evaluate(() => {
  const o = window.__gpsi.fan.getOption();
  return { years: o.xAxis[0].data.map(Number), series: Object.fromEntries(o.series.map((x) => [x.id, x.data])) };
});

async function openProfile(iso3, query = '') {
  const page = await s.page();
  await s.open(page, `#/country/${iso3}`, `${OUTLOOK} tr[data-year]`, query);
  await page.waitForFunction((q) => document.querySelector(q)?.dataset.code && document.querySelectorAll(`${q} svg path`).length >= 3, FAN);
  return page;
}

//! Every forecast year of `rows` is drawn with the row's median, p05/p25 as the bands' bases and
//! p95/p75 as their tops; other years carry no forecast, and the history is the profile's series.
function assertFan(fan, rows, profile, code, origin) {
  const want = new Map(rows.map((r) => [r.year, r]));
  assert.ok(rows.length > 0, `no forecast rows of ${code}`);
  const at = (id, y) => fan.series[id][fan.years.indexOf(y)];
  for (const r of rows) {
    assert.ok(fan.years.includes(r.year), `year ${r.year} of ${code} not on the x axis`);
    assert.equal(at('median', r.year), r.median, `median ${code} ${r.year}`);
    assert.equal(at('p05', r.year), r.p05, `p05 ${code} ${r.year}`);
    assert.equal(at('p25', r.year), r.p25, `p25 ${code} ${r.year}`);
    assert.ok(Math.abs(r.p05 + at('band90', r.year) - r.p95) < 1e-9, `p95 ${code} ${r.year}: ${r.p05} + ${at('band90', r.year)} vs ${r.p95}`);
    assert.ok(Math.abs(r.p25 + at('band50', r.year) - r.p75) < 1e-9, `p75 ${code} ${r.year}: ${r.p25} + ${at('band50', r.year)} vs ${r.p75}`);
  }
  for (const y of fan.years) {
    if (want.has(y)) continue;
    for (const id of ['p05', 'band90', 'p25', 'band50']) assert.equal(at(id, y), '-', `${id} drawn in ${y}, which has no forecast`);
    // The median line starts at the origin's observed score.
    if (y !== origin) assert.equal(at('median', y), '-', `median drawn in ${y}`);
  }
  for (const yr of profile.series) {
    const v = yr.scores[code]?.value ?? null;
    assert.equal(at('history', yr.year), v ?? '-', `history ${code} ${yr.year}`);
  }
  const last = profile.series.find((x) => x.year === origin)?.scores[code]?.value;
  if (last != null) assert.equal(at('median', origin), last, 'the median line starts at the origin year\'s score');
}

//! The outlook table against the API's outlook rows: one tr[data-year] per forecast year, P(deterioration)
//! as a percentage (exact value in the title), rank median and 90 % interval.
async function assertOutlook(page, outlook) {
  const shown = await page.$$eval(`${OUTLOOK} tbody tr[data-year]`, (trs) => trs.map((tr) => ({
    year: Number(tr.dataset.year),
    pdet: tr.querySelector('td[data-col=p_deterioration]').textContent.trim(),
    pdetTitle: tr.querySelector('td[data-col=p_deterioration]').title,
    pbottom: tr.querySelector('td[data-col=p_bottom]').textContent.trim(),
    rank: tr.querySelector('td[data-col=rank]').textContent.trim(),
  })));
  const rows = [...outlook].sort((a, b) => a.year - b.year);
  assert.deepEqual(shown.map((r) => r.year), rows.map((r) => r.year), 'a row per outlook year');
  for (const [i, r] of rows.entries()) {
    const c = shown[i];
    if (r.p_deterioration == null) assert.equal(c.pdet, '—');
    else {
      assert.match(c.pdet, /%$/, `P(deterioration) ${r.year} as a percentage: '${c.pdet}'`);
      close(c.pdet, r.p_deterioration, `P(deterioration) ${r.year}`, 100);
      assert.equal(Number(c.pdetTitle), r.p_deterioration, `exact P(deterioration) ${r.year} in the title`);
    }
    if (r.p_bottom != null) close(c.pbottom, r.p_bottom, `P(bottom) ${r.year}`, 100);
    if (r.rank_median == null) assert.equal(c.rank, '—');
    else {
      const [med, lo, hi] = numbers(c.rank);
      for (const [x, want, what] of [[med, r.rank_median, 'median'], [lo, r.rank_p05, 'p05'], [hi, r.rank_p95, 'p95']]) {
        assert.ok(Math.abs(x - want) <= 0.05 + 1e-9, `rank ${what} ${r.year}: shown ${x} in '${c.rank}', API ${want}`);
      }
    }
  }
}

it('the profile of China: the fan chart is the index forecast, the outlook table its outlook', async () => {
  const { index } = await load();
  const fc = await s.api(`/api/v1/forecasts?unit=CHN&code=${index}`);
  const profile = await s.api('/api/v1/units/CHN');
  assert.ok(fc.rows.every((r) => r.code === index), 'code filters the rows');
  assert.deepEqual([...new Set(fc.rows.map((r) => r.year))].sort(), Array.from({ length: fc.horizon }, (_, k) => fc.origin + 1 + k), 'a row per forecast year');
  const page = await openProfile('CHN');
  assert.equal(await page.locator(FAN).getAttribute('data-code'), index);
  assertFan(await fanData(page), fc.rows, profile, index, fc.origin);
  await assertOutlook(page, fc.outlook);
  const caption = await page.locator('[data-testid=outlook-caption]').innerText();
  const last = fc.outlook[0];
  assert.ok(caption.includes(String(fc.origin)) && caption.includes(last.last_score.toFixed(1)) && caption.includes(String(last.last_rank)),
    `caption names the origin, the last score and rank: '${caption}'`);
  assert.ok(!/\{\w+\}/.test(caption), `placeholders left in '${caption}'`);
  assert.deepEqual(s.pageErrors(page), []);
});

it('the fan chart\'s PNG button downloads a PNG under the server\'s Content-Security-Policy', async () => {
  const page = await s.page();
  await s.open(page, '#/country/CHN', `${FAN}[data-code]`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=png-fan-chart]')]);
  assert.equal(download.suggestedFilename(), 'gpsi-fan-chart.png');
  const bytes = fs.readFileSync(await download.path());
  assert.deepEqual([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG', 'a PNG file');
  assert.deepEqual(s.pageErrors(page), []);
});

it('the fan chart switches to a dimension and shows that dimension\'s forecast rows', async () => {
  const { meta: m } = await load();
  const profile = await s.api('/api/v1/units/AFG');
  const page = await openProfile('AFG');
  const options = await page.$$eval('select[data-testid=fan-node] option', (os) => os.map((o) => o.value));
  assert.deepEqual(options.slice(1), m.dimensions, 'the index, then its dimensions');
  for (const dim of m.dimensions.slice(0, 2)) {
    await page.selectOption('select[data-testid=fan-node]', dim);
    await page.waitForFunction(([q, d]) => document.querySelector(q)?.dataset.code === d, [FAN, dim]);
    const fc = await s.api(`/api/v1/forecasts?unit=AFG&code=${dim}`);
    assertFan(await fanData(page), fc.rows, profile, dim, fc.origin);
  }
  // The outlook stays the index's.
  await assertOutlook(page, (await s.api('/api/v1/forecasts?unit=AFG')).outlook);
  assert.deepEqual(s.pageErrors(page), []);
});

it('?lang=zh: the outlook in Chinese, with the same numbers', async () => {
  const { index } = await load();
  const fc = await s.api(`/api/v1/forecasts?unit=CHN&code=${index}`);
  const page = await openProfile('CHN', '?lang=zh');
  const heads = await page.$$eval(`${OUTLOOK} thead th`, (ths) => ths.map((x) => x.textContent));
  assert.ok(heads.every((x) => CJK.test(x)), `Chinese headers: ${heads.join(' | ')}`);
  const section = await page.locator('[data-testid=outlook]').innerText();
  assert.ok(section.includes('展望') && section.includes('恶化'), 'outlook section in Chinese');
  const names = await page.evaluate(() => window.__gpsi.fan.getOption().series.map((x) => x.name).filter(Boolean));
  assert.ok(names.length >= 4 && names.every((x) => CJK.test(x) || /%/.test(x)), `series names in Chinese: ${names.join(' | ')}`);
  await assertOutlook(page, fc.outlook);
  assert.ok((await page.locator(`${OUTLOOK} td[data-col=p_deterioration]`).first().innerText()).endsWith('%'));
  assert.deepEqual(s.pageErrors(page), []);
});

//! The warnings table's rows: data attributes and each td[data-col]'s text and title.
const warnRows = (page) => page.$$eval(`${WARN} tbody tr[data-unit]`, (trs) => trs.map((tr) => {
  const cells = {};
  for (const td of tr.querySelectorAll('td[data-col]')) cells[td.dataset.col] = { text: td.textContent.trim(), title: td.title, href: td.querySelector('a')?.getAttribute('href') ?? null };
  return { unit: tr.dataset.unit, id: tr.dataset.id, severity: tr.dataset.severity, rule: tr.dataset.rule, period: tr.dataset.period, cells };
}));
const key = (r) => `${r.unit}/${r.id}/${r.period}`;

//! Every row of the table is the API's row in the same place, with its numbers and evidence.
async function assertWarnings(page, api, lang = 'en') {
  const { meta: m } = await load();
  const shown = await warnRows(page);
  assert.deepEqual(shown.map(key), api.rows.map(key), 'the API\'s rows, in its order');
  for (const [i, w] of api.rows.entries()) {
    const c = shown[i].cells;
    const what = `${key(w)}`;
    assert.equal(shown[i].severity, w.severity, `severity ${what}`);
    assert.equal(shown[i].rule, w.rule, `rule ${what}`);
    const u = units.get(w.unit);
    assert.ok(u, `unit ${w.unit} of the warning is in /api/v1/units`);
    assert.equal(c.country.text, lang === 'zh' ? u.name_zh : u.name_en, `country ${what}`);
    assert.equal(c.country.href, `#/country/${u.iso3 || u.code}`, `link ${what}`);
    assert.ok(c.rule.text.includes(w.id), `rule id ${what}`);
    assert.equal(c.period.text, w.period, `period ${what}`);
    for (const col of ['value', 'baseline', 'score']) {
      if (w[col] == null) assert.equal(c[col].text, '—', `${col} ${what}`);
      else {
        assert.equal(Number(c[col].title), w[col], `exact ${col} ${what} in the title`);
        close(c[col].text, w[col], `${col} ${what}`, c[col].text.endsWith('%') ? 100 : 1);
      }
    }
    if (w.source && w.rule !== 'forecast') {
      assert.ok(c.source.text.includes(w.source), `source ${what}: '${c.source.text}'`);
      const src = m.sources.find((x) => `${x.key}@${x.release}` === w.source);
      if (src) assert.ok(c.source.text.includes(src.publisher), `publisher of ${w.source} ${what}`);
    }
    assert.equal(c.file_sha256.title, w.file_sha256, `file sha256 ${what}`);
    if (w.file_sha256) assert.ok(c.file_sha256.text.startsWith(w.file_sha256.slice(0, 12)), `short sha256 ${what}`);
    assert.equal(c.line.text, w.line > 0 ? String(w.line) : '—', `line ${what}`);
    assert.equal(c.message.text, w.message, `message ${what}`);
  }
}

async function openWarnings(query = '', route = '#/warnings') {
  const page = await s.page();
  await s.open(page, route, `${WARN} tbody`, query);
  await page.waitForFunction(() => window.__gpsi.ready === true);
  return page;
}

it('the warnings page lists the API\'s warnings in order, with their evidence, and the method\'s rules', async () => {
  const api = await s.api('/api/v1/warnings');
  assert.ok(api.rows.length > 0, 'the demo data give warnings');
  const page = await openWarnings();
  await assertWarnings(page, api);
  const rules = await page.$$eval('[data-testid=warn-rules] tbody tr[data-id]', (trs) => trs.map((tr) => ({ id: tr.dataset.id, rule: tr.dataset.rule, text: tr.textContent })));
  assert.deepEqual(rules.map((r) => `${r.id}:${r.rule}`), api.rules.map((r) => `${r.id}:${r.rule}`), 'warn-rules: a row per rule');
  for (const r of api.rules) {
    const text = rules.find((x) => x.id === r.id).text;
    if (r.reads) assert.ok(text.includes(r.reads), `rule ${r.id} names what it reads`);
    if (r.rule === 'surge' || r.rule === 'threshold') assert.ok(text.includes(String(r.window)) && text.includes(String(r.min)), `rule ${r.id}: window and min in '${text}'`);
    if (r.rule === 'forecast') assert.ok(text.includes(String(r.p)), `rule ${r.id}: p in '${text}'`);
  }
  assert.match(await page.locator('[data-testid=nav-warnings]').getAttribute('aria-current'), /page/);
  assert.deepEqual(s.pageErrors(page), []);
});

it('the severity and rule filters show exactly the API\'s filtered warnings, and the hash keeps them', async () => {
  const page = await openWarnings();
  const choose = async (testid, value) => {
    await page.selectOption(`select[data-testid=${testid}]`, value);
  };
  const check = async (severity, rule) => {
    const q = new URLSearchParams(Object.entries({ severity, rule }).filter(([, v]) => v)).toString();
    const api = await s.api(`/api/v1/warnings${q ? `?${q}` : ''}`);
    const want = api.rows.map(key).join();
    assert.ok(await poll(async () => (await warnRows(page)).map(key).join() === want, 5000), `rows for severity=${severity} rule=${rule}`);
    await assertWarnings(page, api);
    assert.equal(await page.evaluate(() => location.hash), `#/warnings${q ? `?${q}` : ''}`);
    return api.rows.length;
  };
  const total = (await s.api('/api/v1/warnings')).rows.length;
  await choose('warn-filter-severity', 'high');
  const high = await check('high', '');
  assert.ok(high > 0 && high < total, `high: ${high} of ${total}`);
  await choose('warn-filter-rule', 'threshold');
  await check('high', 'threshold');
  await choose('warn-filter-severity', '');
  for (const rule of ['surge', 'forecast', 'anomaly']) {
    await choose('warn-filter-rule', rule);
    await check('', rule);
  }
  await choose('warn-filter-rule', '');
  assert.equal(await check('', ''), total);
  // A linked filter opens filtered.
  const linked = await openWarnings('', '#/warnings?severity=medium&rule=surge');
  assert.equal(await linked.locator('select[data-testid=warn-filter-severity]').inputValue(), 'medium');
  await assertWarnings(linked, await s.api('/api/v1/warnings?severity=medium&rule=surge'));
  assert.deepEqual(s.pageErrors(page), []);
  assert.deepEqual(s.pageErrors(linked), []);
});

it('a warning\'s country link opens its profile', async () => {
  const api = await s.api('/api/v1/warnings');
  const { units: us } = await load();
  const w = api.rows[0];
  const u = us.get(w.unit);
  const page = await openWarnings();
  await page.locator(`${WARN} tbody tr[data-unit="${w.unit}"][data-id="${w.id}"] td[data-col=country] a`).first().click();
  await page.waitForFunction((h) => location.hash === h, `#/country/${u.iso3 || u.code}`, { timeout: 10_000 });
  await page.waitForFunction((n) => document.querySelector('[data-testid=profile-title]')?.textContent.includes(n), u.name_en);
  await page.waitForSelector(`${OUTLOOK} tr[data-year]`);
  assert.deepEqual(s.pageErrors(page), []);
});

it('?lang=zh: the warnings page in Chinese, with the same rows', async () => {
  const api = await s.api('/api/v1/warnings');
  const page = await openWarnings('?lang=zh');
  await assertWarnings(page, api, 'zh');
  const badges = await page.$$eval(`${WARN} tbody td[data-col=severity]`, (tds) => [...new Set(tds.map((x) => x.textContent.trim()))]);
  assert.ok(badges.every((b) => ['高', '中', '低'].includes(b)), `severity badges in Chinese: ${badges.join(' ')}`);
  const kinds = await page.$$eval('[data-testid=warn-rules] td[data-col=rule]', (tds) => tds.map((x) => x.textContent.trim()));
  assert.ok(kinds.every((k) => CJK.test(k)), `rule kinds in Chinese: ${kinds.join(' ')}`);
  assert.ok(CJK.test(await page.locator('[data-testid=nav-warnings]').innerText()), 'navigation in Chinese');
  const options = await page.$$eval('select[data-testid=warn-filter-rule] option', (os) => os.map((o) => o.textContent));
  assert.ok(options.every((o) => CJK.test(o)), `rule filter in Chinese: ${options.join(' | ')}`);
  assert.deepEqual(s.pageErrors(page), []);
});

//! The map's data as unit code → value, through /api/v1/units' m49 (as the chart names countries).
// ECharts lists every region of the map; those without data have no finite value.
const mapValues = (page) => page.evaluate(() => window.__gpsi.map.getOption().series[0].data.filter((d) => Number.isFinite(d.value)).map((d) => [d.name, d.value]));

//! The legend top the page should use (web/src/pages/map.ts): the next 5 % step at or above the
//! highest P(deterioration) of that year, at least 5 %; recomputed here from the API's numbers.
function legendTop(fc, year) {
  const ps = fc.outlook.filter((r) => r.year === year && r.p_deterioration != null).map((r) => r.p_deterioration);
  return Math.max(0.05, Math.ceil(Math.max(0, ...ps) * 20 - 1e-9) / 20);
}

async function openDeterioration(query = '') {
  const { index } = await load();
  const page = await s.page();
  await s.open(page, '#/map', '[data-testid=map]', query);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=map] svg path').length >= 150);
  await page.waitForFunction(() => !document.querySelector('[data-testid=map-layer] option[value=deterioration]').disabled);
  await page.selectOption('select[data-testid=map-layer]', 'deterioration');
  await page.waitForFunction(() => document.querySelector('[data-testid=map]')?.dataset.layer === 'deterioration');
  const all = await s.api(`/api/v1/forecasts?code=${index}`);
  const year = all.origin + 1;
  const fc = await s.api(`/api/v1/forecasts?code=${index}&year=${year}`);
  return { page, fc, year };
}

function assertLayer(shown, fc) {
  const byM49 = new Map([...units.values()].filter((u) => u.m49).map((u) => [String(u.m49).padStart(3, '0'), u]));
  const want = new Map(fc.outlook.filter((r) => r.p_deterioration != null && units.get(r.unit)?.m49).map((r) => [units.get(r.unit).code, r.p_deterioration]));
  const got = new Map(shown.map(([m49, v]) => [byM49.get(m49)?.code ?? `m49 ${m49}`, v]));
  assert.ok(want.size > 100, `outlook rows with P(deterioration): ${want.size}`);
  const diff = [];
  for (const [u, p] of want) if (got.get(u) !== p) diff.push(`${u}: map ${got.get(u)}, API ${p}`);
  for (const u of got.keys()) if (!want.has(u)) diff.push(`${u}: on the map, not in the API's outlook`);
  assert.deepEqual(diff, []);
}

it('the map\'s P(deterioration) layer shows the outlook of the first forecast year, and switches back', async () => {
  const { index } = await load();
  const { page, fc, year } = await openDeterioration();
  assert.equal(fc.origin + 1, year);
  assert.equal(await page.locator('[data-testid=map]').getAttribute('data-year'), String(year));
  assertLayer(await mapValues(page), fc);
  const vm = await page.evaluate(() => window.__gpsi.map.getOption().visualMap[0]);
  // The legend runs from 0 to the next 5 % step at or above the highest probability.
  const top = legendTop(fc, year);
  assert.equal(vm.min, 0);
  assert.ok(Math.abs(vm.max - top) < 1e-12, `legend top ${vm.max} vs ${top}`);
  assert.deepEqual(vm.text, [`${Math.round(top * 100)} %`, '0 %']);
  assert.ok(await page.locator('[data-testid=dimension-select]').isDisabled(), 'the node select is for the scores');
  const hint = await page.locator('[data-testid=map-hint]').innerText();
  assert.ok(hint.includes(String(year)) && hint.includes(String(fc.deterioration)), `hint: '${hint}'`);
  // The tooltip of China: its P(deterioration).
  const china = fc.outlook.find((r) => units.get(r.unit)?.iso3 === 'CHN');
  const tip = await page.evaluate((m49) => {
    const chart = window.__gpsi.map;
    return chart.getOption().tooltip[0].formatter({ name: m49 });
  }, String(units.get('CHN').m49).padStart(3, '0'));
  assert.ok(tip.includes(`${(china.p_deterioration * 100).toFixed(1)} %`), `tooltip: ${tip}`);

  await page.selectOption('select[data-testid=map-layer]', 'score');
  await page.waitForFunction(() => document.querySelector('[data-testid=map]')?.dataset.layer === 'score');
  const y = await page.locator('[data-testid=map]').getAttribute('data-year');
  const node = await page.locator('select[data-testid=dimension-select]').inputValue();
  assert.equal(node, index);
  const scores = await s.api(`/api/v1/scores?year=${y}&code=${node}`);
  const want = new Map(scores.rows.filter((r) => r.value != null && units.get(r.unit)?.m49).map((r) => [String(units.get(r.unit).m49).padStart(3, '0'), r.value]));
  const shown = new Map(await mapValues(page));
  assert.deepEqual([...shown].sort(), [...want].sort(), 'back to the scores');
  assert.deepEqual(s.pageErrors(page), []);
});

it('?lang=zh: the P(deterioration) layer in Chinese, with the same values', async () => {
  const { page, fc, year } = await openDeterioration('?lang=zh');
  assertLayer(await mapValues(page), fc);
  const label = await page.locator('select[data-testid=map-layer] option[value=deterioration]').innerText();
  assert.ok(CJK.test(label) && label.includes(String(year)), `layer option: '${label}'`);
  assert.ok(CJK.test(await page.locator('[data-testid=map-hint]').innerText()));
  const vm = await page.evaluate(() => window.__gpsi.map.getOption().visualMap[0]);
  assert.deepEqual(vm.text, [`${Math.round(legendTop(fc, year) * 100)}%`, '0%']);
  assert.deepEqual(s.pageErrors(page), []);
});

it('at 375 px the outlook, the warnings and the layer fit the screen (tables scroll in their own box)', async () => {
  const page = await s.page({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const routes = [
    ['#/country/CHN', `${OUTLOOK} tr[data-year]`],
    ['#/warnings', `${WARN} tbody tr[data-unit]`],
    ['#/map?layer=deterioration', '[data-testid=map][data-layer=deterioration]'],
  ];
  const failures = [];
  for (const lang of ['', '?lang=zh']) {
    for (const [route, ready] of routes) {
      await page.goto('about:blank');
      await s.open(page, route, ready, lang);
      await page.waitForTimeout(500); // charts resize after the first frame
      const w = await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
      if (w > 376) failures.push(`${lang}${route}: scrollWidth ${w}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(s.pageErrors(page), []);
});

it('a server without forecasts (--forecast-draws 0): notices instead of the outlook, the warnings and the layer', async () => {
  await load();
  const server = await startServer(s.db, path.join(paths.artefacts, 'forecast-none-server.log'), 300_000, ['--forecast-draws', '0']);
  try {
    for (const p of ['forecasts', 'warnings']) {
      const r = await fetch(`${server.base}/api/v1/${p}`);
      assert.equal(r.status, 404, `/api/v1/${p} without forecasts`);
    }
    const page = await s.page();
    await page.goto(`${server.base}/#/country/CHN`);
    await page.waitForSelector('[data-testid=forecast-none]');
    await page.waitForSelector('[data-testid=indicator-table] tr[data-indicator]');
    assert.equal(await page.locator(FAN).count(), 0);
    await page.goto(`${server.base}/#/warnings`);
    await page.waitForSelector('[data-testid=warnings-none]');
    await page.goto(`${server.base}/#/map?layer=deterioration`);
    // Back to the scores, with a notice; the layer's option stays off.
    await page.waitForFunction(() => document.querySelector('[data-testid=map]')?.dataset.layer === 'score');
    await page.waitForSelector('[data-testid=forecast-none]');
    assert.ok(await page.evaluate(() => document.querySelector('[data-testid=map-layer] option[value=deterioration]').disabled), 'the layer is off');
    assert.deepEqual(s.pageErrors(page), []);
  } finally {
    await stopServer(server.proc);
  }
});
