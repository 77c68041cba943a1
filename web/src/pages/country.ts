// #/country/ISO3: one country's profile: dimension radar, index and dimensions over time, the
// outlook (fan chart of the forecasts, P(deterioration) and rank interval; outlook.ts), whether
// and why it is not ranked in a year, and every indicator with its value, source, origin (own series
// or fallback, source release, data year), tier, licence and flags.
import * as api from '../api';
import { chartFigure, makeChart, PALETTE } from '../charts';
import { errorBox, flagLegend, flagMarks, h, labelledSelect, loading } from '../dom';
import { notRankedReason } from '../eligibility';
import { hasKey, lang, nm, numberFmt, regionName, t } from '../i18n';
import { renderOutlook } from '../outlook';
import type { Page } from '../page';
import { latestYear } from '../state';

//! Breaks a label into lines of about `n` characters at spaces (CJK names: every n characters).
function wrap(s: string, n: number): string {
  if (s.length <= n) return s;
  if (!s.includes(' ')) return !/[\u3000-\u9fff]/.test(s) ? s : s.match(new RegExp(`.{1,${n}}`, 'g'))!.join('\n');
  const lines: string[] = [];
  let cur = '';
  for (const w of s.split(' ')) {
    if (cur && (cur + ' ' + w).length > n) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  return [...lines, cur].join('\n');
}

const fmtRaw = (v: number | null) =>
  v == null ? '—' : Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v === 0 || Math.abs(v) >= 0.01 ? v.toFixed(2) : v.toPrecision(2);

type Ind = api.Profile['indicators'][number];
type IndValue = Ind['values'][number];

//! The provenance of one indicator-year. `sources` lists every stored value of the codes the
//! indicator reads, of its fallback series *and* of the denominators (population), so the value's
//! own source is the chosen value of a code of the series `origin` names (the indicator's own
//! reads, or its k-th fallback); the denominator's is shown apart. A value carried forward, or a
//! lag-weighted window, was read in another year (`origin.data_year`): that year's sources are used.
//! Without `origin` (an older server) a value with no source of its own year is taken to be carried
//! from the latest earlier year with one.
function provenance(ind: Ind, node: api.MetaNode | undefined, year: number, meta: api.Meta) {
  const at = (y: number) => ind.values.find((x) => x.year === y);
  const v = at(year);
  const origin = v?.origin ?? null;
  const series = origin?.series ?? 0;  // null for an imputed value: it was read from no series
  const fallback = series > 0 ? node?.fallback?.[series - 1] : undefined;
  const reads = new Set(fallback ? fallback.reads : (node?.reads ?? []));
  const den = fallback ? fallback.denominator : (node?.denominator ?? '');
  const isRead = (x: api.SourceValue) => (reads.size ? reads.has(x.indicator) : x.indicator !== den);
  let from: IndValue | undefined = v;
  let chosen: api.SourceValue[];
  if (origin) {
    // An imputed value has no record of its own: none of the year's sources is its source.
    if (origin.data_year == null) from = undefined;
    else if (origin.data_year !== year) from = at(origin.data_year);
    chosen = (from?.sources ?? []).filter((x) => isRead(x) && x.chosen);
  } else {
    chosen = (v?.sources ?? []).filter((x) => isRead(x) && x.chosen);
    if (!chosen.length && v?.raw != null) {
      from = ind.values
        .filter((x) => x.year < year && !x.imputed && x.sources.some((y) => isRead(y) && y.chosen))
        .sort((a, b) => b.year - a.year)[0];
      chosen = (from?.sources ?? []).filter((x) => isRead(x) && x.chosen);
    }
  }
  // A value read before the build's first year has no sources in the profile: the origin's release.
  const release = origin && !chosen.length ? meta.sources.find((x) => `${x.key}@${x.release}` === origin.source) : undefined;
  // Every other stored value of the cell, shown beside the one used (a member's value beside the UN's).
  const others = (from?.sources ?? []).filter((x) => isRead(x) && !x.chosen);
  const denominator = den && chosen.length ? (from?.sources ?? []).find((x) => x.indicator === den && x.chosen) : undefined;
  const uniq = <T,>(xs: T[]) => [...new Set(xs)];
  return {
    v,
    origin,
    fallback,
    known: chosen.length > 0 || !!release,
    carriedFrom: !origin && from && from !== v ? from.year : null,
    others,
    denominator,
    publisher: release ? `${release.publisher} (${release.release})` : uniq(chosen.map((x) => `${x.publisher}${x.release ? ` (${x.release})` : ''}`)).join('; '),
    tier: release ? String(release.tier) : uniq(chosen.map((x) => x.tier)).join(', '),
    licence: release ? release.licence : uniq(chosen.map((x) => x.licence)).join('; '),
    flags: uniq(chosen.map((x) => x.flags).filter(Boolean)).join(', '),
    title: chosen.map((x) => `${x.indicator} = ${x.value} · ${x.source} · sha256 ${x.file_sha256.slice(0, 12)} · ${t('profile.line')} ${x.line}`).join('\n') || null,
  };
}

//! The values of a cell that the index does not use, each with its publisher, release and tier:
//! listed beside the one it uses, never hidden behind it.
function otherSources(others: api.SourceValue[]): HTMLElement {
  return h(
    'ul',
    { class: 'other-sources', 'data-testid': 'other-sources', 'aria-label': t('profile.othersources') },
    others.map((x) =>
      h(
        'li',
        { 'data-source': x.source, 'data-tier': x.tier, title: `${x.indicator} · ${x.source}@${x.release} · sha256 ${x.file_sha256.slice(0, 12)} · ${t('profile.line')} ${x.line}` },
        h('span', { class: 'num' }, fmtRaw(x.value)),
        ` · ${x.publisher}${x.release ? ` (${x.release})` : ''} · ${t('profile.tier')} ${x.tier}`,
      ),
    ),
  );
}

//! The origin cell: which series (own, or fallback k with its note), the stored code and source
//! release read, and how and from which year (observed, carried from 2019, …); an imputed value
//! names its imputation. The stored records a value was made from are listed in its title.
function originCell(pv: ReturnType<typeof provenance>): HTMLElement {
  const o = pv.origin;
  if (!o) return h('td', { 'data-col': 'origin' }, pv.carriedFrom != null ? h('span', { class: 'src-note' }, t('profile.carried', { year: pv.carriedFrom })) : '—');
  if (o.series == null) {
    return h('td', { 'data-col': 'origin', 'data-how': o.how }, h('span', { class: 'src-note origin-how' }, t('origin.how.imputed', { by: o.imputed_by ?? '' })));
  }
  const how = `origin.how.${o.how}`;
  const records = o.records.map((r) => `${r.code} ${r.data_year} · ${r.source} · sha256 ${r.file_sha256.slice(0, 12)} · ${t('profile.line')} ${r.line}`);
  return h(
    'td',
    {
      'data-col': 'origin',
      'data-series': o.series,
      'data-how': o.how,
      'data-records': o.records.length,
      class: o.series > 0 ? 'origin-fallback' : null,
      title: records.length > 1 ? `${t('origin.records', { n: records.length })}\n${records.join('\n')}` : null,
    },
    h('strong', {}, o.series > 0 ? t('origin.fallback', { k: o.series }) : t('origin.own')),
    pv.fallback && pv.fallback.adjust !== 1 ? ` · × ${pv.fallback.adjust}` : null,
    pv.fallback?.note ? h('span', { class: 'src-note origin-note' }, pv.fallback.note) : null,
    h('span', { class: 'src-note' }, h('code', {}, o.code), ` · ${t('origin.source')} `, h('code', {}, o.source)),
    h('span', { class: 'src-note origin-how' }, hasKey(how) ? t(how, { year: o.data_year ?? '' }) : `${o.how} ${o.data_year ?? ''}`),
  );
}

export const countryPage: Page = (root, ctx) => {
  const id = ctx.rest[0] ?? '';
  root.append(h('h1', { 'data-testid': 'profile-title' }, id), loading());
  // The code is checked against /units first: an unknown one gets a message, not a 404 request.
  Promise.all([api.meta(), api.units()])
    .then(([meta, units]) => {
      const u = units.find((x) => [x.iso3, x.code].some((c) => c && c.toUpperCase() === id.toUpperCase()));
      if (!u) throw new Error(`${t('profile.unknown')} (${id})`);
      return Promise.all([meta, api.profile(u.iso3 || u.code)]);
    })
    .then(([meta, p]) => {
      if (!ctx.alive()) return;
      const index = api.indexNode(meta);
      const dims = meta.dimensions.length ? meta.dimensions : [...new Set(p.indicators.map((i) => i.parent))];
      const nodeName = (c: string) => nm(api.nodeByCode(meta, c)) || c;
      const years = p.series.map((s) => s.year);
      const scored = p.series.filter((s) => !s.excluded && s.scores[index.code]?.value != null);
      let year = (scored.length ? scored[scored.length - 1] : p.series[p.series.length - 1])?.year ?? latestYear(meta);
      const qy = Number(ctx.query.get('year'));
      if (years.includes(qy)) year = qy;

      const title = h('h1', { 'data-testid': 'profile-title' }, nm(p.unit));
      const sub = h('p', { class: 'sub' }, `${p.unit.iso3} · ${regionName(p.unit.region_code, p.unit.region)}${p.unit.subregion ? ` · ${regionName(p.unit.subregion_code ?? '', p.unit.subregion)}` : ''}`);
      const summary = h('div', { class: 'cards' });
      const radar = chartFigure('profile-radar', t('profile.radar'), 'chart-radar');
      const series = chartFigure('profile-series', t('profile.series'), 'chart-series');
      const tableWrap = h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('profile.indicators') });
      const yearSel = labelledSelect('pf-year', t('common.year'), years.map((y): [string, string] => [String(y), String(y)]), String(year), 'profile-year', (v) => {
        year = Number(v);
        drawYear();
      });
      const note = h('p', { class: 'notice', hidden: true }, t('profile.excluded'));
      const notRanked = h('p', { class: 'notice', 'data-testid': 'not-ranked', hidden: true });
      const outlook = h('section', { class: 'outlook-section', 'data-testid': 'outlook' });
      root.replaceChildren(
        title,
        sub,
        h(
          'div',
          { class: 'controls' },
          yearSel,
          h('p', { class: 'field-link' }, h('a', { href: `#/compare?units=${p.unit.iso3}` }, t('profile.compare'))),
          // The one-page PDF profile exists for a unit ranked in the build's latest year.
          p.series.some((r) => r.ranked && r.year === latestYear(meta))
            ? h('p', { class: 'field-link' }, h('a', { href: api.apiUrl(`reports/${lang()}/profiles/${p.unit.iso3}`), type: 'application/pdf', 'data-testid': 'profile-pdf' }, t('profile.pdf')))
            : null,
        ),
        note,
        notRanked,
        summary,
        h('div', { class: 'grid2' }, radar.figure, series.figure),
        outlook,
        h('h2', {}, t('profile.indicators')),
        flagLegend(['i', 'x', 't', 'f', 'd', 'n']),
        tableWrap,
      );

      const radarChart = makeChart(radar.el);
      radar.setChart(radarChart);
      const seriesChart = makeChart(series.el);
      series.setChart(seriesChart);

      const narrow = series.el.clientWidth < 600;
      // Time series: index and each dimension over every year of the build.
      const lineNodes = [index.code, ...dims];
      seriesChart.setOption({
        animation: false,
        color: PALETTE,
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toFixed(1) : '—') },
        legend: { top: 0 },
        grid: { left: 40, right: 16, top: narrow ? 84 : 48, bottom: 24 },
        xAxis: { type: 'category', data: years.map(String) },
        yAxis: { type: 'value', min: 0, max: 100 },
        series: lineNodes.map((c, i) => ({
          name: nodeName(c),
          type: 'line',
          symbolSize: 6,
          lineStyle: { width: i === 0 ? 3 : 1.5 },
          data: p.series.map((s) => s.scores[c]?.value ?? '-'),
        })),
      });

      function drawYear(): void {
        const s = p.series.find((x) => x.year === year);
        note.hidden = !s?.excluded;
        // Scored but not ranked (the method's eligibility): say why.
        const unranked = !!s && !s.excluded && s.ranked === false;
        notRanked.hidden = !unranked;
        notRanked.textContent = unranked ? t('profile.notranked', { year, reason: notRankedReason(s.not_ranked_reason) }) : '';
        const first = p.series.find((x) => x.scores[index.code]?.value != null);
        const card = (c: string, big: boolean) => {
          const sc = s?.scores[c];
          const interval = sc?.p05 != null && sc?.p95 != null ? ` [${Math.round(sc.p05)}–${Math.round(sc.p95)}]` : '';
          return h(
            'div',
            { class: big ? 'card card-big' : 'card', 'data-node': c },
            h('div', { class: 'card-label' }, nodeName(c)),
            h('div', { class: 'card-value' }, numberFmt(sc?.value)),
            h('div', { class: 'card-rank' }, `${t('common.rank')} ${sc?.rank ?? '—'}${interval}`, ' ', flagMarks(sc?.flags)),
          );
        };
        summary.replaceChildren(card(index.code, true), ...dims.map((c) => card(c, false)));

        const vals = (x: typeof s) => dims.map((c) => x?.scores[c]?.value ?? '-');
        radarChart.setOption(
          {
            animation: false,
            color: PALETTE,
            tooltip: { trigger: 'item' },
            legend: { bottom: 0 },
            radar: {
              indicator: dims.map((c) => ({ name: wrap(nodeName(c), narrow ? 10 : 18), max: 100, min: 0 })),
              radius: narrow ? '52%' : '62%',
              center: ['50%', '48%'],
              axisName: { color: '#333' },
            },
            series: [
              {
                type: 'radar',
                data: [
                  { name: String(year), value: vals(s), areaStyle: { opacity: 0.25 } },
                  ...(first && first.year !== year ? [{ name: String(first.year), value: vals(first), lineStyle: { type: 'dashed' as const } }] : []),
                ],
              },
            ],
          },
          { replaceMerge: ['series'] },
        );

        const dirText = (d: number | null) => (d === 1 ? `↑ ${t('dir.up')}` : d === -1 ? `↓ ${t('dir.down')}` : '');
        const rows = p.indicators.map((ind) => {
          const pv = provenance(ind, api.nodeByCode(meta, ind.code), year, meta);
          const v = pv.v;
          const sc = s?.scores[ind.code];
          const none = !pv.known;
          return h(
            'tr',
            { 'data-indicator': ind.code, class: ind.monitor ? 'monitor' : null },
            h('th', { scope: 'row' }, nm(ind), ' ', h('code', {}, ind.code), ind.monitor ? h('span', { class: 'badge' }, t('profile.monitor')) : null),
            h('td', {}, nodeName(ind.parent)),
            h('td', { class: 'num' }, fmtRaw(v?.raw ?? null)),
            h('td', { class: 'num' }, numberFmt(v?.score ?? sc?.value)),
            h('td', { class: 'dir' }, dirText(ind.direction)),
            h(
              'td',
              { title: pv.title, 'data-col': 'source' },
              none ? '—' : pv.publisher,
              pv.others.length ? otherSources(pv.others) : null,
              pv.denominator ? h('span', { class: 'src-note' }, `${t('profile.per')} ${pv.denominator.publisher}`) : null,
            ),
            originCell(pv),
            h('td', { class: 'num', 'data-col': 'tier' }, none ? '—' : pv.tier),
            h('td', { 'data-col': 'licence' }, none ? '—' : pv.licence),
            h('td', {}, flagMarks(`${sc?.flags ?? ''}${v?.imputed ? 'i' : ''}`), pv.flags ? h('span', { class: 'muted' }, ` ${pv.flags}`) : null),
          );
        });
        tableWrap.replaceChildren(
          h(
            'table',
            { class: 'data indicators', 'data-testid': 'indicator-table' },
            h('caption', {}, `${t('profile.indicators')} · ${year}`),
            h(
              'thead',
              {},
              h('tr', {}, [t('profile.indicator'), t('profile.dimension'), t('profile.raw'), t('common.score'), t('profile.direction'), t('profile.source'), t('profile.origin'), t('profile.tier'), t('profile.licence'), t('profile.flags')].map((x) => h('th', { scope: 'col' }, x))),
            ),
            h('tbody', {}, rows),
          ),
        );
        window.__gpsi.ready = true;
      }
      drawYear();
      // Loaded on its own: the profile does not wait for the forecasts, nor fail without them.
      renderOutlook(outlook, meta, p.unit, p.series, ctx.alive);
    })
    .catch((e) => {
      if (ctx.alive()) root.replaceChildren(h('h1', { 'data-testid': 'profile-title' }, id), errorBox(e), h('p', {}, h('a', { href: '#/ranking' }, t('nav.ranking'))));
    });
};
