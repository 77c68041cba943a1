// Choices kept while moving between pages (not persisted): the year and node shown on the map and
// in the ranking, the map's layer, the ranking's filters, the what-if weights.
import { indexNode, type Meta } from './api';

export const state = {
  year: undefined as number | undefined,
  node: undefined as string | undefined,
  /** The map's layer: the scores of state.year and state.node, or P(deterioration) of the first forecast year. */
  layer: 'score' as 'score' | 'deterioration',
  region: '',
  search: '',
  sort: { key: 'rank' as 'rank' | 'name' | 'score', asc: true },
  weights: undefined as Record<string, number> | undefined,
  whatifYear: undefined as number | undefined,
};

/** The build's years and the nodes the map and the ranking offer (the index, then its dimensions);
 *  keeps `state.year` and `state.node` among them (the latest year and the index by default) and
 *  returns them as chosen. */
/** The build's latest year: null in the API only for single-period data, which has one period, 0. */
export function latestYear(meta: Meta): number {
  return meta.latest_year ?? 0;
}

/** The years a page offers: the build's, or its one period. */
export function buildYears(meta: Meta): number[] {
  return meta.years.length ? meta.years : [latestYear(meta)];
}

export function yearsAndNodes(meta: Meta): { years: number[]; nodes: string[]; year: number; node: string } {
  const index = indexNode(meta);
  const years = buildYears(meta);
  if (state.year == null || !years.includes(state.year)) state.year = latestYear(meta);
  const nodes = [index.code, ...meta.dimensions];
  if (state.node == null || !nodes.includes(state.node)) state.node = index.code;
  return { years, nodes, year: state.year, node: state.node };
}
