// The country profile (#/country/ISO3) and the comparison (#/compare?units=…), against
// /api/v1/units/{ISO3} and /api/v1/compare.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { suite } from './harness.mjs';

const s = suite('profile');
//! Waits until the ECharts chart in `sel` has drawn (SVG paths or a canvas).
const chartDrawn = (page, sel) => page.waitForFunction((q) => {
  const el = document.querySelector(q);
  return el && (el.querySelectorAll('svg path').length >= 3 || el.querySelector('canvas'));
}, sel);

it('the profile of China has its title, radar, series and a row per indicator', async () => {
  const profile = await s.api('/api/v1/units/CHN');
  const page = await s.page();
  await s.open(page, '#/country/CHN', '[data-testid=profile-title]');
  await page.waitForFunction((n) => document.querySelector('[data-testid=profile-title]')?.textContent.includes(n), profile.unit.name_en, { timeout: 10_000 })
    .catch(() => {});
  assert.ok((await page.locator('[data-testid=profile-title]').textContent()).includes(profile.unit.name_en));
  await chartDrawn(page, '[data-testid=profile-radar]');
  await chartDrawn(page, '[data-testid=profile-series]');
  await page.waitForSelector('[data-testid=indicator-table] tr[data-indicator]');
  const shown = await page.$$eval('[data-testid=indicator-table] tr[data-indicator]', (trs) => trs.map((t) => t.dataset.indicator));
  assert.deepEqual([...shown].sort(), profile.indicators.map((i) => i.code).sort(), 'a row per indicator of /api/v1/units/CHN');
  assert.deepEqual(s.pageErrors(page), []);
});

it('the comparison of China and the United States shows both', async () => {
  const cmp = await s.api('/api/v1/compare?units=CHN,USA');
  const page = await s.page();
  await s.open(page, '#/compare?units=CHN,USA', '[data-testid=compare-table]');
  await chartDrawn(page, '[data-testid=compare-chart]');
  const names = cmp.units.map((u) => u.name_en);
  await page.waitForFunction((ns) => ns.every((n) => document.querySelector('[data-testid=compare-table]')?.innerText.includes(n)), names, { timeout: 10_000 })
    .catch(() => {});
  const text = await page.locator('[data-testid=compare-table]').innerText();
  for (const n of names) assert.ok(text.includes(n), `compare-table lacks ${n}`);
  assert.deepEqual(s.pageErrors(page), []);
});

it('every other stored value of a cell is listed beside the one the index uses', async () => {
  // USA 2019 has cells with two sources (the GTD's and the IEP's terrorism counts), as a
  // member's published value stands beside the UN agency's.
  const profile = await s.api('/api/v1/units/USA');
  const page = await s.page();
  await s.open(page, '#/country/USA?year=2019', '[data-testid=indicator-table] tr[data-indicator]');
  const listed = await page.$$eval('[data-testid=indicator-table] tr[data-indicator]', (trs) => trs.flatMap((tr) =>
    [...tr.querySelectorAll('[data-testid=other-sources] li')].map((li) => ({
      indicator: tr.dataset.indicator, source: li.dataset.source, value: li.querySelector('.num').textContent,
    }))));
  assert.ok(listed.length > 0, 'no other source listed for USA 2019');
  for (const l of listed) {
    // The shown value is the API's, rounded to the digits shown.
    const decimals = (l.value.split('.')[1] ?? '').length;
    const unused = profile.indicators.find((i) => i.code === l.indicator).values.flatMap((v) => v.sources)
      .filter((x) => !x.chosen && x.source === l.source && Math.abs(Number(l.value) - x.value) <= 0.5 * 10 ** -decimals);
    assert.ok(unused.length > 0, `${l.indicator}: ${l.source} ${l.value} is not an unused value of /api/v1/units/USA`);
  }
  assert.deepEqual(s.pageErrors(page), []);
});
