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
