// The world map (#/map): ECharts draws every country as an SVG path, and a click on a country
// opens its profile.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { suite } from './harness.mjs';

const s = suite('map');

it('renders the world map as SVG paths with the year slider and dimension select', async () => {
  const page = await s.page();
  await s.open(page, '#/map', '[data-testid=map]');
  // world-atlas countries-110m has 177 countries; allow for merged or dropped small shapes.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=map] svg path').length >= 150);
  assert.equal(await page.locator('input[type=range][data-testid=year-slider]').count(), 1);
  const meta = await s.api('/api/v1/meta');
  const options = await page.$$eval('select[data-testid=dimension-select] option', (os) => os.map((o) => o.value));
  const top = meta.nodes.find((n) => !n.parent)?.code ?? meta.index.id;
  assert.deepEqual([...options].sort(), [top, ...meta.dimensions].sort(), 'dimension-select: the index and its dimensions');
  assert.deepEqual(s.pageErrors(page), []);
});

// A map squeezed to nothing for a moment (hidden, or a layout in flux, as a phone's full-page
// screenshot once did in CI) and back: ECharts must not be asked to draw it at width 0, where its
// map projection has no inverse and throws from the resize observer.
it('a map squeezed to zero width and back throws nothing and is drawn again', async () => {
  const page = await s.page({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  await s.open(page, '#/map', '[data-testid=map] svg path');
  const width = (w) =>
    page.evaluate((w) => {
      document.querySelector('[data-testid=map]').style.width = w;
    }, w);
  await width('0px');
  await page.waitForTimeout(300); // the observer reports after the next frame
  await width('');
  await page.waitForFunction(() => document.querySelector('[data-testid=map] svg')?.getAttribute('width') > 300);
  assert.ok((await page.locator('[data-testid=map] svg path').count()) >= 150);
  assert.deepEqual(s.pageErrors(page), []);
});

it('a click on China opens its profile', async () => {
  const page = await s.page();
  await s.open(page, '#/map', '[data-testid=map]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=map] svg path').length >= 150);
  await page.waitForFunction(() => window.__gpsi && window.__gpsi.map);
  // The screen point of a spot inside China (Qinghai), from the chart's own projection.
  const at = await page.evaluate(([lon, lat]) => {
    const chart = window.__gpsi.map;
    let p = null;
    for (const finder of [{ geoIndex: 0 }, { seriesIndex: 0 }]) {
      try {
        p = chart.convertToPixel(finder, [lon, lat]);
      } catch (e) {
        p = null;
      }
      if (p && Number.isFinite(p[0]) && Number.isFinite(p[1])) break;
    }
    const box = chart.getDom().getBoundingClientRect();
    return p ? { x: box.left + p[0], y: box.top + p[1] } : null;
  }, [96.0, 35.5]);
  assert.ok(at, 'window.__gpsi.map.convertToPixel gave no point for [96, 35.5]');
  await page.mouse.click(at.x, at.y);
  await page.waitForFunction(() => location.hash.startsWith('#/country/'), null, { timeout: 10_000 });
  assert.equal(await page.evaluate(() => location.hash), '#/country/CHN');
  const { units } = await s.api('/api/v1/units');
  const china = units.find((u) => u.iso3 === 'CHN');
  const title = page.locator('[data-testid=profile-title]');
  await title.waitFor();
  await page.waitForFunction((name) => document.querySelector('[data-testid=profile-title]')?.textContent.includes(name), china.name_en);
  assert.match(await title.textContent(), /China/);
  assert.deepEqual(s.pageErrors(page), []);
});
