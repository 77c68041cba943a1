// The what-if page (#/whatif): moving a dimension's weight slider re-ranks the units exactly as
// POST /api/v1/whatif says for the same weights; reset goes back to the method's ranks.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { poll, suite } from './harness.mjs';

const s = suite('whatif');
const TABLE = '[data-testid=whatif-table]';
const SLIDERS = 'input[type=range][data-testid^=weight-]';

//! unit → data-rank of the table rows.
const shownRanks = (page) => page.$$eval(`${TABLE} tbody tr[data-unit]`,
  (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.unit, tr.dataset.rank ?? ''])));
//! code → value of every weight slider on the page.
const sliderWeights = (page) => page.$$eval(SLIDERS,
  (els) => Object.fromEntries(els.map((e) => [e.dataset.testid.slice('weight-'.length), Number(e.value)])));

//! The rows where the table and the API's answer differ (missing, extra or another rank).
function differences(shown, rows, key) {
  const diff = [];
  const want = Object.fromEntries(rows.map((r) => [r.unit, r[key] === null ? '' : String(r[key])]));
  for (const [u, r] of Object.entries(want)) if (shown[u] !== r) diff.push(`${u}: shown ${shown[u]}, API ${r}`);
  for (const u of Object.keys(shown)) if (!(u in want)) diff.push(`${u}: shown, not in the API's rows`);
  return diff;
}

async function selectedYear(page, meta) {
  // The contract names no year control on this page; the dashboard's is whatif-year.
  for (const id of ['whatif-year', 'year-select']) {
    const year = page.locator(`[data-testid=${id}]`);
    if ((await year.count()) > 0) return Number(await year.inputValue());
  }
  return meta.latest_year;
}

it('has one slider per dimension, at the method weight, and shows the method ranking', async () => {
  const meta = await s.api('/api/v1/meta');
  const page = await s.page();
  await s.open(page, '#/whatif', `${TABLE} tbody tr[data-unit]`);
  const weights = await sliderWeights(page);
  assert.deepEqual(Object.keys(weights).sort(), [...meta.dimensions].sort(), 'a weight slider per dimension');
  for (const d of meta.dimensions) {
    const node = meta.nodes.find((n) => n.code === d);
    assert.ok(Math.abs(weights[d] - node.weight) < 1e-9, `slider ${d} = ${weights[d]}, method weight ${node.weight}`);
  }
  const base = await s.post('/api/v1/whatif', { weights: {}, year: await selectedYear(page, meta) });
  const ok = await poll(async () => differences(await shownRanks(page), base.rows, 'base_rank').length === 0);
  assert.ok(ok, differences(await shownRanks(page), base.rows, 'base_rank').slice(0, 20).join('\n'));
  assert.deepEqual(s.pageErrors(page), []);
});

it('moving weight sliders changes every rank exactly as POST /api/v1/whatif says', async () => {
  const meta = await s.api('/api/v1/meta');
  const page = await s.page();
  await s.open(page, '#/whatif', `${TABLE} tbody tr[data-unit]`);
  const [d0, d1] = meta.dimensions;
  // The first dimension to its maximum, the second to zero: a large, certain change of ranks.
  const s0 = page.locator(`input[type=range][data-testid=weight-${d0}]`);
  await s0.fill(await s0.getAttribute('max') ?? '5');
  await page.locator(`input[type=range][data-testid=weight-${d1}]`).fill('0');
  const weights = await sliderWeights(page);
  assert.notEqual(weights[d1], meta.nodes.find((n) => n.code === d1).weight, `slider ${d1} did not move`);
  const year = await selectedYear(page, meta);
  const answer = await s.post('/api/v1/whatif', { weights, year });
  assert.ok(answer.rows.some((r) => r.change !== null && r.change !== 0), 'these weights change no rank: the test would prove nothing');
  const ok = await poll(async () => differences(await shownRanks(page), answer.rows, 'rank').length === 0, 20_000);
  assert.ok(ok, `weights ${JSON.stringify(weights)}, year ${year}:\n${differences(await shownRanks(page), answer.rows, 'rank').slice(0, 20).join('\n')}`);
  // The change column: the API's change with its sign (▲/+ up, ▼/−/- down).
  const changes = await page.$$eval(`${TABLE} tbody tr[data-unit]`,
    (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.unit, tr.querySelector('td[data-col=change]')?.textContent.trim() ?? null])));
  for (const r of answer.rows) {
    if (r.change === null || r.change === 0) continue;
    const text = changes[r.unit];
    assert.ok(text !== null, `no change cell for ${r.unit}`);
    const n = Number((/\d+/.exec(text) ?? ['NaN'])[0]);
    const down = /[▼↓\-−–]/.test(text);
    assert.equal(down ? -n : n, r.change, `change of ${r.unit}: '${text}'`);
  }
  await page.locator('[data-testid=whatif-reset]').click();
  const base = await s.post('/api/v1/whatif', { weights: {}, year });
  const reset = await poll(async () => differences(await shownRanks(page), base.rows, 'base_rank').length === 0);
  assert.ok(reset, `after reset:\n${differences(await shownRanks(page), base.rows, 'base_rank').slice(0, 20).join('\n')}`);
  const after = await sliderWeights(page);
  for (const d of meta.dimensions) {
    assert.ok(Math.abs(after[d] - meta.nodes.find((n) => n.code === d).weight) < 1e-9, `reset slider ${d} = ${after[d]}`);
  }
  assert.deepEqual(s.pageErrors(page), []);
});
