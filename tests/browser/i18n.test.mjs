// Language: the switch turns <html lang>, the navigation and the country names to Chinese
// (name_zh of /api/v1/units) and back; the choice survives a reload; ?lang=zh opens in Chinese.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { poll, suite, tableRows } from './harness.mjs';

const s = suite('i18n');
const NAV = ['nav-map', 'nav-ranking', 'nav-compare', 'nav-whatif', 'nav-downloads', 'nav-methodology'];
const CJK = /[\u3400-\u9fff]/;
let units; // ISO3 (or code) → unit of /api/v1/units, read once (after the suite's server is up)

async function loadUnits() {
  units ??= new Map((await s.api('/api/v1/units')).units.map((u) => [u.iso3 || u.code, u]));
}

const lang = (page) => page.evaluate(() => document.documentElement.lang);
const navLabels = (page) => Promise.all(NAV.map((id) => page.locator(`[data-testid=${id}]`).innerText()));

//! The ranking's names that do not show the unit's name in `field` (name_en or name_zh).
async function wrongNames(page, field) {
  const rows = await tableRows(page, '[data-testid=ranking-table]');
  if (rows.length === 0) return ['no rows'];
  return rows.filter((r) => !r.cells.name?.includes(units.get(r.unit)[field])).map((r) => `${r.unit}: '${r.cells.name}' lacks '${units.get(r.unit)[field]}'`);
}

it('the language switch changes <html lang>, the navigation and the country names, and is kept', async () => {
  await loadUnits();
  const page = await s.page();
  await s.open(page, '#/ranking', '[data-testid=ranking-table] tbody tr[data-unit]');
  assert.equal(await lang(page), 'en');
  const en = await navLabels(page);
  assert.ok(en.every((t) => t.trim() !== '' && !CJK.test(t)), `English navigation: ${en.join(' | ')}`);
  assert.deepEqual(await wrongNames(page, 'name_en'), []);

  await page.locator('[data-testid=lang-switch]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN', null, { timeout: 10_000 });
  const zh = await navLabels(page);
  zh.forEach((t, i) => {
    assert.ok(CJK.test(t), `${NAV[i]} in Chinese: '${t}'`);
    assert.notEqual(t, en[i], `${NAV[i]} unchanged`);
  });
  assert.ok(await poll(async () => (await wrongNames(page, 'name_zh')).length === 0, 10_000), (await wrongNames(page, 'name_zh')).slice(0, 10).join('\n'));
  const stored = await page.evaluate(() => localStorage.getItem('gpsi.lang'));
  assert.match(stored ?? '', /^zh/, `localStorage gpsi.lang = ${stored}`);

  await page.reload();
  await page.waitForSelector('[data-testid=ranking-table] tbody tr[data-unit]');
  assert.equal(await lang(page), 'zh-CN', 'the choice survives a reload');
  assert.ok(await poll(async () => (await wrongNames(page, 'name_zh')).length === 0, 10_000), 'Chinese names after reload');

  await page.locator('[data-testid=lang-switch]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: 10_000 });
  assert.deepEqual(await navLabels(page), en, 'English navigation again');
  assert.ok(await poll(async () => (await wrongNames(page, 'name_en')).length === 0, 10_000), 'English names again');
  assert.deepEqual(s.pageErrors(page), []);
});

it('?lang=zh opens in Chinese, and the profile title is the Chinese name', async () => {
  await loadUnits();
  const page = await s.page();
  await s.open(page, '#/country/CHN', '[data-testid=profile-title]', '?lang=zh');
  assert.equal(await lang(page), 'zh-CN');
  const china = units.get('CHN');
  assert.equal(china.name_zh, '中国');
  await page.waitForFunction((n) => document.querySelector('[data-testid=profile-title]')?.textContent.includes(n), china.name_zh, { timeout: 10_000 })
    .catch(() => {});
  assert.ok((await page.locator('[data-testid=profile-title]').textContent()).includes('中国'), 'profile-title shows 中国');
  assert.deepEqual(s.pageErrors(page), []);
});
