// Weights changed in memory (engine::WhatIf): the aggregate → rank tail of Build over the stored
// normalised matrix, for the rows of one year or of the whole build.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "detail/convert.hpp"
#include "engine.hpp"

namespace gpsi::engine {

Result<WhatIfResult> WhatIf(const BuildResult& b, const std::map<std::string, double>& weights,
                            std::optional<int> year) {
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
  if (year && std::find(b.row_year.begin(), b.row_year.end(), *year) == b.row_year.end()) {
    return Error{Errc::kUsage, fmt::format("the build has no year {}", *year)};
  }
  for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
    if (!year || b.row_year[r] == *year) out.rows.push_back(r);
  }
  const std::size_t nr = out.rows.size();

  // Indicator columns: the normalised values as built (Build copies them into its scores).
  out.scores = compute::Matrix(nr, nn);
  std::size_t j = 0;
  for (std::size_t i = 0; i < nn; ++i) {
    if (!m.nodes[i].indicator) continue;
    for (std::size_t q = 0; q < nr; ++q) out.scores(q, i) = b.normalised(out.rows[q], j);
    ++j;
  }
  // Aggregates level by level, as Build: nodes are ordered indicators first, then by level. The
  // kernel works row by row, so a subset of rows gets exactly the values of the whole build.
  std::vector<double> w;
  for (std::size_t i = 0; i < nn; ++i) {
    if (m.nodes[i].indicator) continue;
    auto kids = m.Children(static_cast<int>(i));
    std::vector<std::size_t> cols(kids.begin(), kids.end());
    w.clear();
    for (auto c : cols) w.push_back(out.weights[c]);
    method::Aggregate how = m.nodes[i].aggregate.value_or(m.pipeline.aggregate);
    auto bad =
        compute::Aggregate(out.scores, cols, w, detail::AggOf(how), m.pipeline.aggregate_min_share, out.scores.Col(i));
    if (bad) {
      std::size_t r = out.rows[bad->row];
      return Error{
          Errc::kUncomputable,
          fmt::format("cannot aggregate {} for {} {}: {} = {} is not allowed under the {} mean", m.nodes[i].code,
                      b.row_unit[r], b.row_year[r], m.nodes[bad->col].code, FormatNumber(bad->value),
                      how == method::Aggregate::kGeometric ? "geometric" : "harmonic")};
    }
  }
  // Ranks within each year over the ranked rows, as Build (eligibility does not depend on weights).
  // Weights do not move an indicator's normalised values, so its ranks are the build's (most of the
  // ranking time saved).
  std::map<int, std::vector<std::size_t>> blocks;  // year → positions in rows
  for (std::size_t q = 0; q < nr; ++q) {
    if (b.status[out.rows[q]].ranked) blocks[b.row_year[out.rows[q]]].push_back(q);
  }
  out.ranks.assign(nn, std::vector<int>(nr, 0));
  std::vector<double> buf;
  for (std::size_t i = 0; i < nn; ++i) {
    if (m.nodes[i].indicator) {
      for (std::size_t q = 0; q < nr; ++q) out.ranks[i][q] = b.ranks[i][out.rows[q]];
      continue;
    }
    for (const auto& [y, pos] : blocks) {
      buf.resize(pos.size());
      for (std::size_t k = 0; k < pos.size(); ++k) buf[k] = out.scores(pos[k], i);
      auto rk = compute::RankDesc(buf);
      for (std::size_t k = 0; k < pos.size(); ++k) out.ranks[i][pos[k]] = rk[k];
    }
  }
  return out;
}

}  // namespace gpsi::engine
