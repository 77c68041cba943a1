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
