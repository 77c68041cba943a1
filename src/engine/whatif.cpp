// Weights changed in memory (engine::WhatIf): the aggregate → rank tail of Build over the stored
// normalised matrix, for the rows of one year or of the whole build.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "detail/built.hpp"
#include "detail/convert.hpp"
#include "detail/tail.hpp"
#include "engine.hpp"

namespace gpsi::engine {
namespace {

std::vector<std::string> NodeCodes(const ScoreTable& t) {
  std::vector<std::string> out;
  for (std::size_t c = 0; c < t.cols(); ++c) out.push_back(t.node(c));
  return out;
}

}  // namespace

Result<WhatIfResult> WhatIf(const BuildResult& result, const std::map<std::string, double>& weights,
                            std::optional<int> year) {
  if (!result.built) return Error{Errc::kInternal, "what-if: the build has no scores to re-aggregate"};
  const detail::Built& b = *result.built;
  const method::Method& m = b.method;
  const std::size_t nn = m.nodes.size();
  if (b.scores.cols() != nn || b.weights.size() != nn || b.ranks.size() != nn) {
    return Error{Errc::kInternal, "what-if: the build has no scores to re-aggregate"};
  }
  WhatIfResult out;
  out.year = year;
  out.weights = b.weights;
  for (const auto& given : weights) {
    const std::string& code = given.first;
    const double w = given.second;
    auto it = std::find_if(m.nodes.begin(), m.nodes.end(), [&](const method::Node& n) { return n.code == code; });
    if (it == m.nodes.end()) return Error{Errc::kUsage, fmt::format("'{}' is not a node of method {}", code, m.id)};
    if (it->parent.empty()) {
      return Error{Errc::kUsage, fmt::format("'{}' is the top node: it has no weight", code)};
    }
    if (it->monitor) {
      return Error{Errc::kUsage, fmt::format("'{}' is a monitor: it is not part of the index", code)};
    }
    if (!std::isfinite(w) || w < 0) {
      return Error{Errc::kUsage, fmt::format("the weight of '{}' must be a finite number ≥ 0", code)};
    }
    out.weights[static_cast<std::size_t>(it - m.nodes.begin())] = w;
  }
  if (auto bad = method::BadWeightSum(m, out.weights)) return Error{Errc::kUsage, *bad};
  if (year && std::find(b.row_year.begin(), b.row_year.end(), *year) == b.row_year.end()) {
    return Error{Errc::kUsage, fmt::format("the build has no year {}", *year)};
  }
  for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
    if (!year || b.row_year[r] == *year) out.rows.push_back(r);
  }
  const std::size_t nr = out.rows.size();

  // Indicator columns: the normalised values as built (Build copies them into its scores).
  compute::Matrix scores(nr, nn);
  std::size_t j = 0;
  for (std::size_t i = 0; i < nn; ++i) {
    if (!m.nodes[i].indicator) continue;
    for (std::size_t q = 0; q < nr; ++q) scores(q, i) = b.normalised(out.rows[q], j);
    ++j;
  }
  // Aggregates and ranks through Build's own tail. A row's aggregate depends on that row alone, so a
  // subset of rows gets exactly the values of the whole build.
  if (auto bad = compute::AggregateTree(detail::TreeOf(m), out.weights, scores)) {
    return detail::AggregateError(m, *bad, detail::RowName(b, out.rows[bad->cell.row]));
  }
  // Eligibility does not depend on weights, and weights do not move an indicator's normalised
  // values: its ranks are the build's (most of the ranking time saved). Nor do weights change a
  // score's flags.
  const auto blocks = detail::RankBlocks(b, out.rows);
  std::vector<int> ranks(nr);
  out.scores = ScoreTable(nr, NodeCodes(result.scores));
  for (std::size_t i = 0; i < nn; ++i) {
    const bool indicator = m.nodes[i].indicator;
    if (!indicator) compute::RankWithin(scores, i, blocks, ranks);
    for (std::size_t q = 0; q < nr; ++q) {
      const Score& built = result.scores.at(out.rows[q], i);
      out.scores.at(q, i) = Score{scores(q, i), indicator ? built.rank : ranks[q], built.flags};
    }
  }
  return out;
}

}  // namespace gpsi::engine
