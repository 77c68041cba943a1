// Choices kept while moving between pages (not persisted): the year and node shown on the map and
// in the ranking, the ranking's filters, the what-if weights.

export const state = {
  year: undefined as number | undefined,
  node: undefined as string | undefined,
  region: '',
  search: '',
  sort: { key: 'rank' as 'rank' | 'name' | 'score', asc: true },
  weights: undefined as Record<string, number> | undefined,
  whatifYear: undefined as number | undefined,
};
