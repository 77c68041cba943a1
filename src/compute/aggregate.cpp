// Row-wise aggregation of sibling columns (COINr Aggregate with a_amean, a_gmean, a_hmean) and
// the descending rank used for every published score.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

#include "compute.hpp"

namespace gpsi::compute {

namespace {

//! Weighted median of (x, w) pairs; see AggMethod::kMedian.
double WeightedMedian(std::vector<std::pair<double, double>>& xw) {
  std::erase_if(xw, [](const auto& p) { return p.second == 0; });
  if (xw.empty()) return kNa;
  std::sort(xw.begin(), xw.end());
  long double total = 0;
  for (const auto& p : xw) total += p.second;
  const long double half = total / 2;
  long double cum = 0;
  for (std::size_t k = 0; k < xw.size(); ++k) {
    cum += xw[k].second;
    if (cum == half && k + 1 < xw.size()) {
      return static_cast<double>((static_cast<long double>(xw[k].first) + xw[k + 1].first) / 2);
    }
    if (cum >= half) return xw[k].first;
  }
  return xw.back().first;
}

}  // namespace

std::optional<BadCell> Aggregate(const Matrix& x, std::span<const std::size_t> children,
                                 std::span<const double> weights, AggMethod method, double min_share,
                                 std::span<double> out) {
  const std::size_t nc = children.size();
  assert(weights.size() == nc && out.size() >= x.rows());
  std::vector<std::pair<double, double>> xw;
  xw.reserve(nc);
  for (std::size_t r = 0; r < x.rows() && r < out.size(); ++r) {
    std::size_t present = 0;
    for (std::size_t c : children) present += IsNa(x(r, c)) ? 0 : 1;
    // COINr: NA when sum(!is.na(x)) / length(x) < dat_thresh, before the function is called.
    if (present == 0 || static_cast<double>(present) / static_cast<double>(nc) < min_share) {
      out[r] = kNa;
      continue;
    }
    switch (method) {
      case AggMethod::kArithmetic: {
        long double sw = 0;
        for (std::size_t k = 0; k < nc; ++k)
          if (!IsNa(x(r, children[k]))) sw += weights[k];
        const double swd = static_cast<double>(sw);
        long double s = 0;
        for (std::size_t k = 0; k < nc; ++k) {
          const double v = x(r, children[k]);
          if (!IsNa(v)) s += (weights[k] / swd) * v;  // COINr rescales w to sum 1 first
        }
        out[r] = static_cast<double>(s);
        break;
      }
      case AggMethod::kGeometric: {
        long double swl = 0, sw = 0;
        for (std::size_t k = 0; k < nc; ++k) {
          const double v = x(r, children[k]);
          if (IsNa(v)) continue;
          if (v <= 0) return BadCell{r, children[k], v};
          swl += weights[k] * std::log(v);
          sw += weights[k];
        }
        out[r] = std::exp(static_cast<double>(swl) / static_cast<double>(sw));
        break;
      }
      case AggMethod::kHarmonic: {
        long double sw = 0, swx = 0;
        for (std::size_t k = 0; k < nc; ++k) {
          const double v = x(r, children[k]);
          if (IsNa(v)) continue;
          if (v == 0) return BadCell{r, children[k], v};
          sw += weights[k];
          swx += weights[k] / v;
        }
        out[r] = static_cast<double>(sw) / static_cast<double>(swx);
        break;
      }
      case AggMethod::kMedian: {
        xw.clear();
        for (std::size_t k = 0; k < nc; ++k) {
          const double v = x(r, children[k]);
          if (!IsNa(v)) xw.emplace_back(v, weights[k]);
        }
        out[r] = WeightedMedian(xw);
        break;
      }
    }
  }
  return std::nullopt;
}

std::vector<int> RankDesc(std::span<const double> x) {
  std::vector<std::size_t> idx;
  idx.reserve(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!IsNa(x[i])) idx.push_back(i);
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return x[a] > x[b]; });
  std::vector<int> rank(x.size(), 0);
  for (std::size_t k = 0; k < idx.size(); ++k)
    rank[idx[k]] = (k > 0 && x[idx[k]] == x[idx[k - 1]]) ? rank[idx[k - 1]] : static_cast<int>(k + 1);
  return rank;
}

}  // namespace gpsi::compute
