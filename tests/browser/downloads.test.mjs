// The downloads page (#/downloads): a CSV and an XLSX link per table of the contract, each
// answering 200 with the right type; the annual report's PDFs, and a country's profile PDF.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { suite } from './harness.mjs';

const s = suite('downloads');
const TABLES = ['scores', 'indicators', 'intervals', 'units', 'sources', 'weights'];
const TYPES = { csv: 'text/csv', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };

it('every download link answers 200 with a CSV or XLSX file', async () => {
  const page = await s.page();
  await s.open(page, '#/downloads', 'a[data-testid^=download-]');
  const failures = [];
  for (const table of TABLES) {
    for (const ext of ['csv', 'xlsx']) {
      const link = page.locator(`a[data-testid=download-${table}-${ext}]`);
      if ((await link.count()) !== 1) {
        failures.push(`download-${table}-${ext}: ${await link.count()} links`);
        continue;
      }
      const href = await link.evaluate((a) => a.href);
      const r = await fetch(href);
      const body = Buffer.from(await r.arrayBuffer());
      const type = r.headers.get('content-type') ?? '';
      if (r.status !== 200) failures.push(`${href}: HTTP ${r.status} ${body.toString().slice(0, 120)}`);
      else if (!type.startsWith(TYPES[ext])) failures.push(`${href}: content-type ${type}`);
      else if (ext === 'xlsx' && body.subarray(0, 2).toString() !== 'PK') failures.push(`${href}: not a zip (XLSX)`);
      else if (ext === 'csv' && !/^[^\n]+,[^\n]+\n/.test(body.toString())) failures.push(`${href}: no CSV header`);
    }
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(s.pageErrors(page), []);
});

it('the report links and a country\'s profile link answer with PDFs of the build', async () => {
  const page = await s.page();
  await s.open(page, '#/downloads', 'a[data-testid=report-zh]');
  const pdf = async (href) => {
    const r = await fetch(href);
    const body = Buffer.from(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('content-type'), magic: body.subarray(0, 5).toString() };
  };
  for (const lang of ['en', 'zh']) {
    const href = await page.locator(`a[data-testid=report-${lang}]`).evaluate((a) => a.href);
    assert.match(href, new RegExp(`/api/v1/reports/${lang}$`));
    assert.deepEqual(await pdf(href), { status: 200, type: 'application/pdf', magic: '%PDF-' }, href);
  }
  await s.open(page, '#/country/CHN', 'a[data-testid=profile-pdf]');
  const profile = await page.locator('a[data-testid=profile-pdf]').evaluate((a) => a.href);
  assert.match(profile, /\/api\/v1\/reports\/(en|zh)\/profiles\/CHN$/);
  assert.deepEqual(await pdf(profile), { status: 200, type: 'application/pdf', magic: '%PDF-' }, profile);
  assert.deepEqual(s.pageErrors(page), []);
});
