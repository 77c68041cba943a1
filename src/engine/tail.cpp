// The build's terms for the shared aggregate → rank tail (detail/tail.hpp).
#include "detail/tail.hpp"

#include <fmt/format.h>

#include <map>

namespace gpsi::engine::detail {

std::vector<std::vector<std::size_t>> RankBlocks(const detail::Built& b, std::span<const std::size_t> rows) {
  std::map<int, std::vector<std::size_t>> by_year;
  for (std::size_t q = 0; q < rows.size(); ++q) {
    if (b.status[rows[q]].ranked) by_year[b.row_year[rows[q]]].push_back(q);
  }
  std::vector<std::vector<std::size_t>> out;
  for (auto& [year, positions] : by_year) out.push_back(std::move(positions));
  return out;
}

void Decide(const method::Method& m, RowStatus& st) {
  const auto& e = m.eligibility;
  st.ranked = false;
  if (st.excluded) {
    st.why = RowStatus::Reason::kScreenedOut;
    st.reason = "screened out (too little data)";
    return;
  }
  if (!e.population.empty() && e.min_population > 0 && (IsNa(st.population) || st.population < e.min_population)) {
    st.why = RowStatus::Reason::kPopulation;
    st.reason = IsNa(st.population) ? fmt::format("no {} for the year", e.population)
                                    : fmt::format("population {:.0f} below {:.0f}", st.population, e.min_population);
    return;
  }
  if (e.max_missing_dimensions >= 0 && st.dimensions_missing > e.max_missing_dimensions) {
    st.why = RowStatus::Reason::kDimensions;
    st.reason = fmt::format("{} of {} dimensions without a score (at most {} allowed)", st.dimensions_missing,
                            m.Children(m.Top()).size(), e.max_missing_dimensions);
    return;
  }
  st.ranked = true;
}

Error AggregateError(const method::Method& m, const compute::BadAggregate& bad, const std::string& row) {
  return Error{Errc::kUncomputable,
               fmt::format("cannot aggregate {} for {}: {} = {} is not allowed under the {} mean",
                           m.nodes[bad.node].code, row, m.nodes[bad.cell.col].code, FormatNumber(bad.cell.value),
                           bad.method == compute::AggMethod::kGeometric ? "geometric" : "harmonic")};
}

std::string RowName(const detail::Built& b, std::size_t r) {
  return b.has_years ? fmt::format("{} {}", b.row_unit[r], b.row_year[r]) : b.row_unit[r];
}

}  // namespace gpsi::engine::detail
