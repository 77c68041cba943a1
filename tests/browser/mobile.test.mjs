// A 375 px wide phone: no page scrolls sideways (tables and charts fit or scroll inside their own
// box). One screenshot per route.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { suite } from './harness.mjs';

const s = suite('mobile');
const WIDTH = 375;
const ROUTES = [
  ['#/map', '[data-testid=map] svg path'],
  ['#/ranking', '[data-testid=ranking-table] tbody tr[data-unit]'],
  ['#/country/CHN', '[data-testid=profile-title]'],
  ['#/compare?units=CHN,USA', '[data-testid=compare-table]'],
  ['#/whatif', '[data-testid=whatif-table] tbody tr[data-unit]'],
  ['#/downloads', 'a[data-testid^=download-]'],
  ['#/methodology', '[data-testid=methodology]'],
];

it('no route overflows a 375 px viewport horizontally', async () => {
  const page = await s.page({ viewport: { width: WIDTH, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const failures = [];
  for (const [route, ready] of ROUTES) {
    try {
      await s.open(page, route, ready);
      await page.waitForTimeout(500); // charts resize after the first frame
      const w = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
      if (w.doc > WIDTH + 1 || w.body > WIDTH + 1) failures.push(`${route}: scrollWidth ${w.doc} (body ${w.body}) > ${WIDTH}`);
      await s.screenshot(page, `route-${route}`);
    } catch (e) {
      failures.push(`${route}: ${e.message.split('\n')[0]}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(s.pageErrors(page), []);
});
