// The method version, the validation and the eligibility rule of GPSI 2026.2 on the dashboard:
// the methodology page against /api/v1/meta and /api/v1/validation (gpsi serve --validation, the
// browser.store fixture) in English and Chinese; the version on every page; the ranking without
// unranked countries (flag n) and with the d mark; the profile's not-ranked notice; the origin of
// DR Congo's homicide values (the WHO fallback series).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { suite, tableRows } from './harness.mjs';

const s = suite('validation');
const CJK = /[\u3400-\u9fff]/;
const LANGS = [['en', ''], ['zh', '?lang=zh']];
const ROUTES = ['#/map', '#/ranking', '#/country/CHN', '#/compare?units=CHN,USA', '#/whatif', '#/downloads', '#/methodology'];

// The page's number formats (web/src/pages/methodology.ts): '—' for null, else fixed decimals.
const fx = (v, d) => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(d));
const iv = (lo, hi) => (lo == null || hi == null ? '—' : `[${fx(lo, 3)}, ${fx(hi, 3)}]`);
const group = (n) => Math.round(n).toLocaleString('en-US');

//! The rows of a validation table: {attrs: data-* of the <tr>, head: the row's <th>, cells: {col: text}}.
function rowsOf(page, testid) {
  return page.$$eval(`[data-testid=${testid}] tbody tr`, (trs) => trs.map((tr) => {
    const cells = {};
    for (const td of tr.querySelectorAll('td[data-col]')) cells[td.dataset.col] = td.textContent.trim();
    return { attrs: { ...tr.dataset }, head: tr.querySelector('th')?.textContent.trim() ?? '', cells };
  }));
}

async function openMethodology(query) {
  const page = await s.page();
  await s.open(page, '#/methodology', '[data-testid=validation][data-loaded]', query);
  return page;
}

it('the method version of /api/v1/meta is on every page, and clearly on the methodology page', async () => {
  const meta = await s.api('/api/v1/meta');
  const version = meta.index.version;
  assert.match(version, /^\d{4}\.\d+$/, `meta.index.version '${version}'`);
  const page = await s.page();
  const failures = [];
  for (const route of ROUTES) {
    await s.open(page, route, '[data-testid=version]');
    // Same-document navigations: wait for this route's shell, then for the version to be filled in.
    await page.waitForFunction(([r, v]) => window.__gpsi.route === r.slice(2).split(/[/?]/)[0]
      && document.querySelector('[data-testid=version]')?.textContent === v, [route, version], { timeout: 10_000 }).catch(() => {});
    const header = (await page.locator('[data-testid=version]').textContent()).trim();
    const footer = await page.locator('footer').innerText();
    if (header !== version) failures.push(`${route}: header version '${header}'`);
    if (!footer.includes(`GPSI ${version}`)) failures.push(`${route}: footer lacks 'GPSI ${version}': ${footer.slice(0, 120)}`);
  }
  assert.deepEqual(failures, []);
  await s.open(page, '#/methodology', '[data-testid=method-version]');
  assert.ok((await page.locator('[data-testid=method-version]').innerText()).includes(`Method version ${version}`));
  assert.deepEqual(s.pageErrors(page), []);
});

it('the methodology page states the eligibility rule and the fallback series of /api/v1/meta, in both languages', async () => {
  const meta = await s.api('/api/v1/meta');
  const e = meta.eligibility;
  assert.ok(e && e.min_population > 0 && e.max_missing_dimensions >= 0, `meta.eligibility ${JSON.stringify(e)}`);
  const withFallback = meta.nodes.filter((n) => n.fallback.length);
  assert.ok(withFallback.some((n) => n.code === 'homicide'), 'homicide has a fallback series in meta');
  for (const [lang, query] of LANGS) {
    const page = await openMethodology(query);
    const rule = await page.locator('[data-testid=method-eligibility]').innerText();
    assert.ok(rule.includes(group(e.min_population)), `${lang}: rule lacks ${group(e.min_population)}: ${rule}`);
    assert.ok(rule.includes(`${meta.dimensions.length}`) && rule.includes(`${e.max_missing_dimensions}`), `${lang}: rule lacks the dimension limit: ${rule}`);
    if (lang === 'en') assert.match(rule, /at least 1,000,000 inhabitants .* no more than 1 of its 4 dimensions without a score.* marked n, without a rank/s);
    else assert.ok(CJK.test(rule) && rule.includes('n'), `zh rule: ${rule}`);
    for (const n of withFallback) {
      const boxes = page.locator(`[data-testid=fallback-${n.code}]`);
      assert.equal(await boxes.count(), n.fallback.length, `${lang}: fallback boxes of ${n.code}`);
      for (const [k, fb] of n.fallback.entries()) {
        const text = await boxes.nth(k).innerText();
        for (const want of [fb.note, `× ${fb.adjust}`, ...fb.reads]) assert.ok(text.includes(want), `${lang}: fallback ${k + 1} of ${n.code} lacks '${want}': ${text}`);
      }
    }
    assert.deepEqual(s.pageErrors(page), []);
  }
});

it('the validation tables show the numbers of /api/v1/validation, in both languages', async () => {
  const meta = await s.api('/api/v1/meta');
  assert.equal(meta.validation, true, 'meta.validation: the server was started with --validation');
  const v = await s.api('/api/v1/validation');
  assert.equal(v.method_version, meta.index.version, 'the validation is of the method served');
  assert.ok(v.coverage.length && v.externals.length && v.known_groups.length && v.coherence.length && v.largest_shifts.length, 'validation.json has every section');
  const nodeName = (code, lang) => meta.nodes.find((n) => n.code === code)[lang === 'zh' ? 'name_zh' : 'name_en'];

  for (const [lang, query] of LANGS) {
    const page = await openMethodology(query);
    const name = (o) => (lang === 'zh' ? o.name_zh : o.name_en);
    const heading = await page.locator('[data-testid=validation] h2').first().innerText();
    assert.equal(heading, lang === 'zh' ? '验证' : 'Validation');

    // Coverage: every year, counts and shares.
    const cov = await rowsOf(page, 'val-coverage');
    assert.deepEqual(cov.map((r) => Number(r.attrs.year)), v.coverage.map((c) => c.year), `${lang}: coverage years`);
    v.coverage.forEach((c, i) => {
      assert.deepEqual(cov[i].cells, { scored: String(c.scored), ranked: String(c.ranked), population_share: fx(c.population_share, 3), mean_imputed_share: fx(c.mean_imputed_share, 3) }, `${lang}: coverage ${c.year}`);
    });

    // External measures: each measure × node once, at the latest year with a ρ.
    const latest = new Map();
    for (const x of v.externals) if (x.rho != null && (!latest.has(`${x.id}/${x.node}`) || x.year > latest.get(`${x.id}/${x.node}`).year)) latest.set(`${x.id}/${x.node}`, x);
    const ext = await rowsOf(page, 'val-externals');
    assert.deepEqual(ext.map((r) => `${r.attrs.id}/${r.attrs.node}`).sort(), [...latest.keys()].sort(), `${lang}: external rows`);
    for (const r of ext) {
      const x = latest.get(`${r.attrs.id}/${r.attrs.node}`);
      assert.equal(r.head, name(x), `${lang}: measure name of ${x.id}`);
      assert.ok(r.cells.node.includes(nodeName(x.node, lang)), `${lang}: node of ${x.id}/${x.node}: ${r.cells.node}`);
      assert.deepEqual([r.cells.year, r.cells.n, r.cells.rho, r.cells.interval], [`${x.year} (${x.external_year})`, String(x.n), fx(x.rho, 3), iv(x.lo, x.hi)], `${lang}: ${x.id}/${x.node}`);
    }

    // Known groups of the latest year.
    const gYear = Math.max(...v.known_groups.map((g) => g.year));
    const groups = v.known_groups.filter((g) => g.year === gYear);
    const kg = await rowsOf(page, 'val-groups');
    assert.equal(kg.length, groups.length, `${lang}: known-group rows of ${gYear}`);
    groups.forEach((g, i) => {
      const r = kg[i];
      assert.deepEqual([r.attrs.id, r.attrs.variant, r.attrs.year], [g.id, g.variant, String(gYear)]);
      assert.equal(r.head, name(g), `${lang}: check name of ${g.id}`);
      const holds = lang === 'zh' ? (g.holds ? '✓ 是' : '✗ 否') : (g.holds ? '✓ yes' : '✗ no');
      assert.deepEqual([r.cells.n, r.cells.auc, r.cells.interval, r.cells.holds], [`${g.n_low} / ${g.n_high}`, fx(g.auc, 3), iv(g.lo, g.hi), holds], `${lang}: ${g.id} ${g.variant}`);
    });

    // Coherence of the index and each dimension.
    const co = await rowsOf(page, 'val-coherence');
    assert.deepEqual(co.map((r) => r.attrs.node), v.coherence.map((c) => c.node), `${lang}: coherence rows`);
    v.coherence.forEach((c, i) => {
      assert.ok(co[i].head.includes(nodeName(c.node, lang)), `${lang}: coherence node ${c.node}: ${co[i].head}`);
      assert.deepEqual(co[i].cells, { units: String(c.units), alpha: fx(c.alpha, 2), pc1_share: fx(c.pc1_share, 2), r2_with_index: fx(c.r2_with_index, 2) }, `${lang}: coherence ${c.node}`);
    });

    // Negative correlations: a line saying there are none, or one item each.
    const neg = page.locator('[data-testid=val-negative]');
    if (v.negative_correlations.length === 0) {
      assert.equal(await neg.evaluate((el) => el.tagName), 'P', `${lang}: no negative correlations: a line`);
      const text = await neg.innerText();
      assert.ok(lang === 'zh' ? text.startsWith('无') : text.startsWith('None'), `${lang}: '${text}'`);
    } else {
      assert.equal(await neg.locator('li').count(), v.negative_correlations.length, `${lang}: negative correlations`);
    }

    // The ten largest rank shifts from the previous version, in order, with their reasons.
    const sh = await rowsOf(page, 'val-shifts');
    assert.deepEqual(sh.map((r) => r.attrs.unit), v.largest_shifts.map((x) => x.unit), `${lang}: shift rows`);
    v.largest_shifts.forEach((x, i) => {
      const r = sh[i];
      const change = x.rank_previous - x.rank;
      assert.deepEqual([r.cells.rank_previous, r.cells.rank, r.cells.change], [String(x.rank_previous), String(x.rank), change > 0 ? `▲ ${change}` : change < 0 ? `▼ ${-change}` : '0'], `${lang}: shift of ${x.unit}`);
      // The reason's score changes (+27.4, -6.0) are shown; dimension codes are named.
      for (const num of x.reason.match(/[+-]\d+\.\d/g) ?? []) assert.ok(r.cells.reason.includes(num), `${lang}: reason of ${x.unit} lacks ${num}: ${r.cells.reason}`);
      assert.equal(CJK.test(r.cells.reason), lang === 'zh', `${lang}: reason of ${x.unit} in the page's language: ${r.cells.reason}`);
    });
    const shiftsTitle = await page.locator('[data-testid=validation] h3').last().innerText();
    assert.ok(shiftsTitle.includes(v.previous_version), `${lang}: shifts heading names ${v.previous_version}: ${shiftsTitle}`);
    assert.deepEqual(s.pageErrors(page), []);
  }
});

it('the ranking has no country flagged n, notes how many are not ranked, and marks d', async () => {
  const meta = await s.api('/api/v1/meta');
  const year = meta.latest_year;
  const scores = await s.api(`/api/v1/scores?year=${year}`);
  const iso = new Map((await s.api('/api/v1/units')).units.map((u) => [u.code, u.iso3 || u.code]));
  const n = scores.rows.filter((r) => r.flags.includes('n')).map((r) => iso.get(r.unit));
  const d = scores.rows.filter((r) => r.flags.includes('d')).map((r) => iso.get(r.unit));
  assert.ok(n.length > 0, `some units are flagged n in ${year}`);
  assert.ok(d.length > 0, `some unit is flagged d in ${year}`);
  // A d unit really has exactly one of the dimensions without a score.
  const dims = await Promise.all(meta.dimensions.map((c) => s.api(`/api/v1/scores?year=${year}&code=${c}`)));
  const missing = (u) => dims.filter((x) => x.rows.find((r) => iso.get(r.unit) === u)?.value == null).length;
  assert.equal(missing(d[0]), 1, `${d[0]} (flag d) misses one dimension`);

  for (const [lang, query] of LANGS) {
    const page = await s.page();
    await s.open(page, '#/ranking', '[data-testid=ranking-table] tbody tr[data-unit]', query);
    await page.waitForSelector('[data-testid=unranked-note]:not([hidden])');
    const rows = await tableRows(page, '[data-testid=ranking-table]');
    assert.deepEqual(rows.map((r) => r.unit).filter((u) => n.includes(u)), [], `${lang}: units flagged n in the ranked list`);
    assert.equal(await page.locator('[data-testid=ranking-table] .flag-n').count(), 0, `${lang}: n marks in the table`);
    assert.equal(rows.length, scores.rows.length - n.length, `${lang}: every other unit is listed`);
    for (const u of d) {
      const marks = await page.locator(`[data-testid=ranking-table] tr[data-unit="${u}"] td[data-col=coverage] abbr`).evaluateAll((as) => as.map((a) => a.dataset.flag));
      assert.ok(marks.includes('d'), `${lang}: ${u} lacks the d mark (${marks.join('')})`);
    }
    const legend = await page.locator('[data-testid=flag-legend]').innerText();
    for (const f of ['i', 'x', 't', 'f', 'd']) assert.ok(new RegExp(`(^|\\s)${f}\\s`).test(legend), `${lang}: legend lacks ${f}: ${legend}`);
    assert.ok(lang === 'zh' ? legend.includes('替代序列') && legend.includes('缺一个维度') : legend.includes('fallback') && legend.includes('one dimension missing'), `${lang} legend: ${legend}`);
    const note = page.locator('[data-testid=unranked-note]');
    assert.equal(await note.getAttribute('data-count'), String(n.length));
    const text = await note.innerText();
    assert.ok(text.includes(String(n.length)) && text.includes(String(year)), `${lang}: note '${text}'`);
    // The reasons are the build's counts (meta.coverage), which add up to the units flagged n.
    const cov = meta.coverage.find((c) => c.year === year);
    assert.ok(cov, `meta.coverage has ${year}`);
    const byPop = cov.not_ranked_population;
    const byDims = cov.not_ranked_dimensions;
    assert.equal(byPop + byDims, n.length, 'meta.coverage counts every unit flagged n');
    assert.equal(n.filter((u) => missing(u) > meta.eligibility.max_missing_dimensions).length <= byDims, true);
    const reasons = await page.locator('[data-testid=unranked-reasons]').innerText();
    const min = group(meta.eligibility.min_population);
    if (byPop) assert.ok(reasons.includes(lang === 'zh' ? `人口少于 ${min} 或无人口数据（${byPop} 个）` : `fewer than ${min} inhabitants or no population figure (${byPop})`), `${lang}: reasons '${reasons}'`);
    if (byDims) assert.ok(reasons.includes(lang === 'zh' ? `（${byDims} 个）` : `without a score (${byDims})`), `${lang}: reasons '${reasons}'`);
    const listed = await page.locator('[data-testid=unranked-note] li[data-unranked]').evaluateAll((ls) => ls.map((l) => l.dataset.unranked));
    assert.deepEqual(listed.sort(), [...n].sort(), `${lang}: the note lists the unranked units`);
    assert.deepEqual(s.pageErrors(page), []);
  }
});

it('a country not ranked in a year says why on its profile', async () => {
  const meta = await s.api('/api/v1/meta');
  const scores = await s.api(`/api/v1/scores?year=${meta.latest_year}`);
  const unit = scores.rows.find((r) => r.flags.includes('n')).unit;
  const profile = await s.api(`/api/v1/units/${unit}`);
  const year = profile.series.at(-1);
  assert.equal(year.ranked, false);
  const m = /^\S+ (\d+) below (\d+)$/.exec(year.not_ranked_reason);
  assert.ok(m, `a population reason: '${year.not_ranked_reason}'`);
  for (const [lang, query] of LANGS) {
    const page = await s.page();
    await s.open(page, `#/country/${profile.unit.iso3}`, '[data-testid=not-ranked]:not([hidden])', query);
    const text = await page.locator('[data-testid=not-ranked]').innerText();
    for (const want of [String(year.year), group(Number(m[1])), group(Number(m[2]))]) assert.ok(text.includes(want), `${lang}: '${text}' lacks ${want}`);
    assert.ok(lang === 'zh' ? text.includes('不参与排名') : text.startsWith(`Not ranked in ${year.year}: population`), `${lang}: '${text}'`);
    assert.equal(await page.locator('.card[data-node] .flag-n').count() > 0, true, `${lang}: the cards carry the n mark`);
    assert.deepEqual(s.pageErrors(page), []);
  }
  // A ranked year has no such notice.
  const page = await s.page();
  await s.open(page, '#/country/CHN', '[data-testid=indicator-table] tr[data-indicator]');
  assert.equal(await page.locator('[data-testid=not-ranked]').isVisible(), false);
});

it('the DR Congo profile shows that its homicide values come from the WHO fallback series', async () => {
  const meta = await s.api('/api/v1/meta');
  const fb = meta.nodes.find((n) => n.code === 'homicide').fallback[0];
  const profile = await s.api('/api/v1/units/COD');
  const values = profile.indicators.find((i) => i.code === 'homicide').values;
  const carried = values.filter((v) => v.origin?.series === 1 && v.origin.how === 'carried').at(-1);
  const observed = values.filter((v) => v.origin?.series === 1 && v.origin.how === 'observed').at(-1);
  assert.ok(carried && observed, 'COD homicide has observed and carried values from fallback 1');
  const who = meta.sources.find((x) => `${x.key}@${x.release}` === observed.origin.source);
  assert.ok(who, `meta lists the source ${observed.origin.source}`);
  for (const [lang, query] of LANGS) {
    const page = await s.page();
    for (const v of [carried, observed]) {
      await s.open(page, `#/country/COD?year=${v.year}`, '[data-testid=indicator-table] tr[data-indicator=homicide]', query);
      await page.waitForFunction((y) => document.querySelector('[data-testid=indicator-table] caption')?.textContent.includes(String(y)), v.year);
      const cell = page.locator('[data-testid=indicator-table] tr[data-indicator=homicide] td[data-col=origin]');
      assert.equal(await cell.getAttribute('data-series'), '1', `${lang} ${v.year}: series`);
      const text = await cell.innerText();
      const how = v.origin.how === 'carried'
        ? (lang === 'zh' ? `沿用 ${v.origin.data_year} 年数值` : `carried from ${v.origin.data_year}`)
        : (lang === 'zh' ? `${v.origin.data_year} 年观测值` : `observed in ${v.origin.data_year}`);
      for (const want of [lang === 'zh' ? '替代序列 1' : 'fallback 1', fb.note, v.origin.code, v.origin.source, how]) {
        assert.ok(text.includes(want), `${lang} ${v.year}: origin cell lacks '${want}': ${text}`);
      }
      const source = await page.locator('[data-testid=indicator-table] tr[data-indicator=homicide] td[data-col=source]').innerText();
      assert.ok(source.includes(who.publisher), `${lang} ${v.year}: source '${source}' is not ${who.publisher}`);
      const flags = await page.locator('[data-testid=indicator-table] tr[data-indicator=homicide] abbr').evaluateAll((as) => as.map((a) => a.dataset.flag));
      assert.ok(flags.includes('f'), `${lang} ${v.year}: homicide lacks the f mark (${flags.join('')})`);
    }
    assert.deepEqual(s.pageErrors(page), []);
  }
});

it('a terrorism score lists every stored record of its five-year window in its origin', async () => {
  const profile = await s.api('/api/v1/units/IRQ');
  const ind = profile.indicators.find((i) => i.values.some((v) => v.origin?.how === 'gti'));
  assert.ok(ind, 'IRQ has a GTI-style score');
  const v = ind.values.filter((x) => x.origin?.how === 'gti' && x.origin.records.length > 1).at(-1);
  assert.ok(v, `${ind.code}: a score made from several records`);
  const years = new Set(v.origin.records.map((r) => r.data_year));
  assert.ok(years.size > 1 && [...years].every((y) => y <= v.year && y > v.year - 5), `window years ${[...years]}`);
  for (const r of v.origin.records) assert.match(r.file_sha256, /^[0-9a-f]{64}$/);
  const page = await s.page();
  await s.open(page, `#/country/IRQ?year=${v.year}`, `[data-testid=indicator-table] tr[data-indicator=${ind.code}]`);
  await page.waitForFunction((y) => document.querySelector('[data-testid=indicator-table] caption')?.textContent.includes(String(y)), v.year);
  const cell = page.locator(`[data-testid=indicator-table] tr[data-indicator=${ind.code}] td[data-col=origin]`);
  assert.equal(await cell.getAttribute('data-records'), String(v.origin.records.length));
  const title = await cell.getAttribute('title');
  for (const r of v.origin.records) assert.ok(title.includes(`${r.code} ${r.data_year}`), `title lacks ${r.code} ${r.data_year}`);
  assert.deepEqual(s.pageErrors(page), []);
});
