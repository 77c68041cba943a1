// The steps of a build after the read, for forecast years: each draw of a country's indicators
// carried to its dimension and index scores and its eligibility, as the build computes them.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "built.hpp"
#include "convert.hpp"
#include "tail.hpp"

namespace gpsi::engine::detail {

using compute::IsNa;
using compute::kNa;

//! The method's steps after the read, for one unit's forecast year, as a build takes them:
//! denominated scale → carried values (locf) → screen → goalposts → aggregate → eligibility.
//! Exact for methods in which a unit's scores depend on its own values alone (imputation none or
//! locf, no treatment, goalposts); Of refuses the others.
class ForecastTail {
 public:
  static Result<ForecastTail> Of(const Built& b) {
    const auto& m = b.method;
    const auto& pl = m.pipeline;
    const bool own = pl.impute == method::Impute::kNone || pl.impute == method::Impute::kLocf;
    std::string why;
    if (!own) why = "pipeline.impute is " + method::ImputeText(pl) + " (forecasts need none or locf)";
    if (pl.treat_winmax >= 0) why = "pipeline.treat is jrc (forecasts need none)";
    if (NormOf(pl).method != compute::NormMethod::kGoalposts) why = "pipeline.normalise is not goalposts";
    for (const auto& n : m.nodes) {
      if (n.indicator && !n.monitor && !(n.goal_lo && n.goal_hi)) why = n.code + " has no goalposts";
    }
    if (!why.empty()) {
      return Error{Errc::kUsage,
                   fmt::format("forecast carries draws to the index only when each country's scores depend on its "
                               "own values alone: {}",
                               why)};
    }
    ForecastTail t;
    t.b_ = &b, t.tree_ = TreeOf(m);
    for (const auto& n : m.nodes) {
      if (n.indicator) t.cols_.push_back(&n);
    }
    return t;
  }

  //! Scores the forecast year `year` of the unit of build row `row` (its row in the origin year)
  //! for every draw: `display` holds each indicator column's draws on the display scale (empty for
  //! none). Fills `scores` (draws × nodes) and `ranked` (per draw). Column by column, as the build
  //! runs its steps over rows; goalposts and locf make each draw's result its own.
  void Score(std::size_t row, int year, const std::vector<std::vector<double>>& display, compute::Matrix& scores,
             std::vector<char>& ranked) const {
    const Built& b = *b_;
    const auto& m = b.method;
    const std::size_t ni = cols_.size(), draws = scores.rows();
    const auto carried = Carried(row, year);
    std::vector<std::size_t> scored(draws, 0), raw(draws, 0), with_value(draws, 0);
    for (std::size_t node = 0; node < scores.cols(); ++node) std::ranges::fill(scores.Col(node), kNa);
    for (std::size_t j = 0; j < ni; ++j) {
      const method::Node& n = *cols_[j];
      if (n.monitor) continue;  // outside the index; not forecast
      auto x = scores.Col(static_cast<std::size_t>(Node(j)));
      for (std::size_t d = 0; d < draws; ++d) {
        double v = display[j].empty() ? kNa : (n.log ? std::log1p(display[j][d]) : display[j][d]);
        ++scored[d], raw[d] += IsNa(v) ? 0 : 1;
        if (IsNa(v)) v = carried[j];
        with_value[d] += IsNa(v) ? 0 : 1;
        x[d] = v;
      }
      (void)compute::Normalise(x, n.direction, NormOf(m.pipeline), compute::Goalposts{*n.goal_lo, *n.goal_hi});
    }
    std::vector<char> excluded(draws);
    for (std::size_t d = 0; d < draws; ++d) {
      const auto share = [&](std::size_t k) {
        return scored[d] ? static_cast<double>(k) / static_cast<double>(scored[d]) : 0.0;
      };
      excluded[d] = ScreenedOut(m.pipeline.screen_before_impute ? share(raw[d]) : share(with_value[d]), m.pipeline);
      if (!excluded[d]) continue;
      for (std::size_t node = 0; node < scores.cols(); ++node) scores(d, node) = kNa;
    }
    // The build's aggregation kernel over the draws as rows (no mean can fail on goalposts in [0, 100]).
    (void)compute::AggregateTree(tree_, b.weights, scores);
    const auto dims = m.Children(m.Top());
    for (std::size_t d = 0; d < draws; ++d) {
      RowStatus st;
      st.population = b.status[row].population;
      st.excluded = excluded[d];
      for (int dim : dims) st.dimensions_missing += IsNa(scores(d, static_cast<std::size_t>(dim))) ? 1 : 0;
      Decide(m, st);
      ranked[d] = st.ranked ? 1 : 0;
    }
  }

 private:
  //! The node of indicator column j.
  int Node(std::size_t j) const { return static_cast<int>(cols_[j] - b_->method.nodes.data()); }

  //! Per indicator column, the value locf would carry into `year` for the unit of `row`: its latest
  //! value read (before imputation) no older than the column's carry; NaN when none.
  std::vector<double> Carried(std::size_t row, int year) const {
    const Built& b = *b_;
    const auto& pl = b.method.pipeline;
    std::vector<double> out(cols_.size(), kNa);
    if (pl.impute != method::Impute::kLocf) return out;
    for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
      // Only what was read by the origin (the year of `row`).
      if (b.row_unit[r] != b.row_unit[row] || b.row_year[r] > b.row_year[row]) continue;
      for (std::size_t j = 0; j < cols_.size(); ++j) {
        const int carry = cols_[j]->carry >= 0 ? cols_[j]->carry : pl.locf_years;
        const double v = b.denominated(r, j);
        if (!IsNa(v) && b.row_year[r] >= year - carry) out[j] = v;  // rows run by year: the latest wins
      }
    }
    return out;
  }

  const Built* b_ = nullptr;
  compute::Tree tree_;
  std::vector<const method::Node*> cols_;
};

}  // namespace gpsi::engine::detail
