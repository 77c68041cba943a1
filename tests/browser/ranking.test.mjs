// The ranking (#/ranking): its rows, sorting, region filter and search, each compared with the
// API's answers (/api/v1/scores for ranks and values, /api/v1/units for names and regions).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { poll, suite, tableRows } from './harness.mjs';

const s = suite('ranking');
const TABLE = '[data-testid=ranking-table]';
const collator = new Intl.Collator('en');
let units; // ISO3/code → unit of /api/v1/units, read once (after the suite's server is up)

async function loadUnits() {
  if (!units) {
    units = new Map();
    for (const u of (await s.api('/api/v1/units')).units) {
      units.set(u.code, u);
      if (u.iso3) units.set(u.iso3, u);
    }
  }
}

//! The ranking page with its rows loaded, and the API's scores of the year it shows.
async function openRanking() {
  await loadUnits();
  const page = await s.page();
  await s.open(page, '#/ranking', `${TABLE} tbody tr[data-unit]`);
  const year = await page.locator('[data-testid=year-select]').inputValue();
  const scores = await s.api(`/api/v1/scores?year=${encodeURIComponent(year)}`);
  // Rows are keyed as the table keys them: by ISO3 where the unit has one, else by unit code.
  scores.rows = scores.rows.map((r) => ({ ...r, unit: unitOf(r.unit)?.iso3 || r.unit }));
  const byUnit = new Map(scores.rows.map((r) => [r.unit, r]));
  return { page, year, scores, byUnit };
}

const unitOf = (code) => units.get(code);
const ranked = (scores) => scores.rows.filter((r) => r.rank !== null);
const sameSet = (a, b) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

function monotone(values, cmp) {
  const up = values.every((v, i) => i === 0 || cmp(values[i - 1], v) <= 0);
  const down = values.every((v, i) => i === 0 || cmp(values[i - 1], v) >= 0);
  return up ? 'asc' : down ? 'desc' : null;
}

async function clickSort(page, id) {
  const before = (await tableRows(page, TABLE)).map((r) => r.unit).join();
  await page.locator(`[data-testid=${id}]`).click();
  await poll(async () => (await tableRows(page, TABLE)).map((r) => r.unit).join() !== before, 5000);
  return tableRows(page, TABLE);
}

it('lists every ranked unit of the year with its rank and score', async () => {
  const { page, scores, byUnit } = await openRanking();
  const rows = await tableRows(page, TABLE);
  const shown = rows.map((r) => r.unit);
  const missing = ranked(scores).map((r) => r.unit).filter((u) => !shown.includes(u));
  assert.deepEqual(missing, [], 'ranked units of /api/v1/scores missing from the table');
  const unknown = shown.filter((u) => !byUnit.has(u));
  assert.deepEqual(unknown, [], 'table rows that /api/v1/scores does not have');
  for (const r of rows) {
    const api = byUnit.get(r.unit);
    if (api.rank !== null) assert.equal(r.cells.rank, String(api.rank), `rank of ${r.unit}`);
    assert.ok(r.cells.name.includes(unitOf(r.unit).name_en), `name of ${r.unit}: '${r.cells.name}'`);
    if (api.value !== null) {
      // The shown score, to the precision it is shown with.
      const text = r.cells.score.replace(/[^\d.\-]/g, '');
      const decimals = (text.split('.')[1] ?? '').length;
      assert.ok(Math.abs(Number(text) - api.value) <= 0.5 * 10 ** -decimals + 1e-9, `score of ${r.unit}: '${r.cells.score}' vs ${api.value}`);
    }
  }
  assert.deepEqual(s.pageErrors(page), []);
});

it('sorts by rank, name and score, and reverses on a second click', async () => {
  const { page, byUnit } = await openRanking();

  let rows = await clickSort(page, 'sort-name');
  let names = rows.map((r) => unitOf(r.unit).name_en);
  const nameOrder = monotone(names, collator.compare);
  assert.ok(nameOrder, `not sorted by name: ${names.slice(0, 12).join(' | ')} …`);
  const firstByName = rows.map((r) => r.unit);
  rows = await clickSort(page, 'sort-name');
  assert.deepEqual(rows.map((r) => r.unit), [...firstByName].reverse(), 'a second click on sort-name reverses the order');

  rows = await clickSort(page, 'sort-score');
  // Units without a score go last in either direction.
  const scored = rows.filter((r) => byUnit.get(r.unit).value !== null);
  assert.deepEqual(rows.slice(0, scored.length).map((r) => r.unit), scored.map((r) => r.unit), 'unscored rows last');
  const values = scored.map((r) => byUnit.get(r.unit).value);
  const scoreOrder = monotone(values, (a, b) => a - b);
  assert.ok(scoreOrder, `not sorted by /api/v1/scores value: ${values.slice(0, 12).join(', ')} …`);
  rows = await clickSort(page, 'sort-score');
  const values2 = rows.filter((r) => byUnit.get(r.unit).value !== null).map((r) => byUnit.get(r.unit).value);
  assert.equal(monotone(values2, (a, b) => a - b), scoreOrder === 'asc' ? 'desc' : 'asc', 'a second click on sort-score reverses it');

  rows = await clickSort(page, 'sort-rank');
  let ranks = rows.map((r) => byUnit.get(r.unit).rank).filter((x) => x !== null);
  let rankOrder = monotone(ranks, (a, b) => a - b);
  if (rankOrder !== 'asc') {
    rows = await clickSort(page, 'sort-rank');
    ranks = rows.map((r) => byUnit.get(r.unit).rank).filter((x) => x !== null);
    rankOrder = monotone(ranks, (a, b) => a - b);
  }
  assert.equal(rankOrder, 'asc', `rank order: ${ranks.slice(0, 12).join(', ')} …`);
  assert.deepEqual(s.pageErrors(page), []);
});

it('the region filter leaves exactly the units of that region', async () => {
  const { page, scores } = await openRanking();
  const all = (await tableRows(page, TABLE)).map((r) => r.unit);
  const options = await page.$$eval('select[data-testid=region-filter] option', (os) => os.map((o) => o.value));
  assert.ok(options.includes(''), 'region-filter has the "" (all) option');
  const regions = options.filter((v) => v !== '');
  assert.ok(regions.length >= 5, `region-filter options: ${options.join(', ')}`);
  // Asia (M49 142) when offered, else the first region.
  for (const region of [regions.includes('142') ? '142' : regions[0], regions.at(-1)]) {
    await page.locator('select[data-testid=region-filter]').selectOption(region);
    // The rows of /api/v1/scores in that region per /api/v1/units: the ranked ones and those listed
    // without a score (flag x), as the unfiltered table shows them; not those the method does not
    // rank (flag n), which the table leaves out.
    const expected = scores.rows.filter((r) => !r.flags.includes('n')).map((r) => r.unit).filter((u) => unitOf(u)?.region_code === region);
    assert.ok(ranked(scores).some((r) => unitOf(r.unit)?.region_code === region), `no ranked unit in region ${region}`);
    const got = await poll(async () => {
      const shown = (await tableRows(page, TABLE)).map((r) => r.unit);
      return sameSet(shown, expected) ? shown : null;
    }, 5000);
    const shown = (await tableRows(page, TABLE)).map((r) => r.unit);
    assert.ok(got, `region ${region}: shown ${shown.length} [${shown.filter((u) => !expected.includes(u)).join(',')} extra; ${expected.filter((u) => !shown.includes(u)).join(',')} missing]`);
  }
  await page.locator('select[data-testid=region-filter]').selectOption('');
  const back = await poll(async () => sameSet((await tableRows(page, TABLE)).map((r) => r.unit), all), 5000);
  assert.ok(back, 'the "" option shows every row again');
  assert.deepEqual(s.pageErrors(page), []);
});

it('search keeps the units whose name matches', async () => {
  const { page, scores } = await openRanking();
  const search = page.locator('input[data-testid=ranking-search]');
  for (const q of ['land', 'China']) {
    await search.fill(q);
    const want = ranked(scores).map((r) => r.unit).filter((u) => unitOf(u).name_en.toLowerCase().includes(q.toLowerCase()));
    assert.ok(want.length > 0, `no ranked unit has '${q}' in its name`);
    const matches = (u) => [u.name_en, u.name_zh, u.iso3, u.code].some((x) => x && x.toLowerCase().includes(q.toLowerCase()));
    const ok = await poll(async () => {
      const shown = (await tableRows(page, TABLE)).map((r) => r.unit);
      return want.every((u) => shown.includes(u)) && shown.every((u) => matches(unitOf(u)));
    }, 5000);
    const shown = (await tableRows(page, TABLE)).map((r) => r.unit);
    assert.ok(ok, `search '${q}': shown [${shown.join(',')}], expected at least [${want.join(',')}] and nothing else`);
  }
  await search.fill('');
  const all = ranked(scores).map((r) => r.unit);
  const again = await poll(async () => {
    const shown = (await tableRows(page, TABLE)).map((r) => r.unit);
    return all.every((u) => shown.includes(u));
  }, 5000);
  assert.ok(again, 'an empty search shows every row again');
  assert.deepEqual(s.pageErrors(page), []);
});
