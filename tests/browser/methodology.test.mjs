// The methodology page (#/methodology) is generated from /api/v1/meta: every node of the framework
// and every source (with its tier and licence) is on it.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { suite } from './harness.mjs';

const s = suite('methodology');

async function methodologyText() {
  const page = await s.page();
  await s.open(page, '#/methodology', '[data-testid=methodology]');
  const meta = await s.api('/api/v1/meta');
  // Wait for the page to fill in from /api/v1/meta: the last node's name is there.
  const last = meta.nodes.at(-1);
  await page.waitForFunction((n) => document.querySelector('[data-testid=methodology]')?.innerText.includes(n), last.name_en, { timeout: 15_000 })
    .catch(() => {});
  return { page, meta, text: await page.locator('[data-testid=methodology]').innerText() };
}

it('lists every node of /api/v1/meta with its name and weight', async () => {
  const { page, meta, text } = await methodologyText();
  assert.ok(meta.nodes.length > 5, 'meta has the framework');
  const missing = meta.nodes.filter((n) => !text.includes(n.name_en)).map((n) => `${n.code} (${n.name_en})`);
  assert.deepEqual(missing, [], 'nodes whose name is not on the methodology page');
  const weights = [...new Set(meta.nodes.filter((n) => n.parent).map((n) => String(n.weight)))];
  const noWeight = weights.filter((w) => !text.includes(w));
  assert.deepEqual(noWeight, [], 'weights not shown');
  assert.deepEqual(s.pageErrors(page), []);
});

it('lists every source with its publisher, tier and licence', async () => {
  const { page, meta, text } = await methodologyText();
  assert.ok(meta.sources.length > 0, 'meta lists sources');
  const missing = meta.sources.filter((x) => !text.includes(x.publisher) || !text.includes(x.licence) || !text.includes(String(x.tier)))
    .map((x) => `${x.key}: ${x.publisher} / tier ${x.tier} / ${x.licence}`);
  assert.deepEqual(missing, [], 'sources not on the methodology page');
  assert.deepEqual(s.pageErrors(page), []);
});
