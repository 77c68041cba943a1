// A 375 px wide phone: no page scrolls sideways (tables and charts fit or scroll inside their own
// box). One screenshot per route.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { horizontalExtent, suite } from './harness.mjs';

const s = suite('mobile');
const WIDTH = 375;
// Each route with the element that shows its data has been drawn (the methodology page: once the
// validation tables are in); the routes with the widest text again in Chinese.
const ROUTES = [
  ['#/map', '[data-testid=map] svg path'],
  ['#/ranking', '[data-testid=unranked-note]:not([hidden])'],
  ['#/country/CHN', '[data-testid=indicator-table] tr[data-indicator]'],
  ['#/country/COD', '[data-testid=indicator-table] td[data-col=origin][data-series="1"]'],
  ['#/compare?units=CHN,USA', '[data-testid=compare-table]'],
  ['#/whatif', '[data-testid=whatif-table] tbody tr[data-unit]'],
  ['#/warnings', '[data-testid=warnings-table] tbody tr[data-unit]'],
  ['#/downloads', 'a[data-testid^=download-]'],
  ['#/methodology', '[data-testid=validation][data-loaded] [data-testid=val-shifts]'],
];
const ZH = ['#/ranking', '#/country/COD', '#/methodology'];

for (const [lang, routes] of [['en', ROUTES], ['zh', ROUTES.filter(([r]) => ZH.includes(r))]]) {
  it(`no route overflows a 375 px viewport horizontally (${lang})`, async () => {
    const page = await s.page({ viewport: { width: WIDTH, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const failures = [];
    for (const [route, ready] of routes) {
      try {
        // A fresh document per route: the ready element is then this route's.
        await page.goto('about:blank');
        await s.open(page, route, ready, lang === 'zh' ? '?lang=zh' : '');
        await page.waitForTimeout(500); // charts resize after the first frame
        const w = await horizontalExtent(page);
        if (w.doc > WIDTH + 1 || w.body > WIDTH + 1) failures.push(`${route}: scrollWidth ${w.doc} (body ${w.body}) > ${WIDTH}; widest ${w.widest} to ${w.right}`);
        await s.screenshot(page, `route-${lang}-${route}`);
      } catch (e) {
        failures.push(`${route}: ${e.message.split('\n')[0]}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(s.pageErrors(page), []);
  });
}
