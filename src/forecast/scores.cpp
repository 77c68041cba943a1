// Proper scores of forecasts given as draws: CRPS, ignorance on fixed bins, the interval score,
// and the average precision of event probabilities.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "forecast.hpp"

namespace gpsi::forecast {

double Crps(std::span<const double> sorted, double y) {
  const std::size_t n = sorted.size();
  if (n == 0 || IsNa(y)) return kNa;
  long double spread = 0, miss = 0;
  for (std::size_t i = 0; i < n; ++i) {
    miss += std::fabs(sorted[i] - y);
    spread +=
        static_cast<long double>(sorted[i]) * (2.0L * static_cast<long double>(i) - static_cast<long double>(n) + 1);
  }
  const auto nn = static_cast<long double>(n);
  return static_cast<double>(miss / nn - spread / (nn * nn));
}

double IntervalScore(double lo, double hi, double y, double alpha) {
  double s = hi - lo;
  if (y < lo) s += 2 / alpha * (lo - y);
  if (y > hi) s += 2 / alpha * (y - hi);
  return s;
}

double Ignorance(std::span<const double> draws, std::span<const double> edges, double y) {
  if (draws.empty() || IsNa(y)) return kNa;
  // Bin b holds values in [edges[b−1], edges[b]); bin 0 is below the first edge.
  auto bin = [&](double v) {
    return static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin());
  };
  const std::size_t target = bin(y);
  std::size_t in = 0;
  for (double v : draws) in += bin(v) == target ? 1 : 0;
  const auto bins = static_cast<double>(edges.size() + 1);
  const double p = (static_cast<double>(in) + 1 / bins) / (static_cast<double>(draws.size()) + 1);
  return -std::log2(p);
}

double AveragePrecision(std::span<const double> p, std::span<const int> outcome) {
  const std::size_t n = std::min(p.size(), outcome.size());
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
  std::size_t positives = 0;
  for (std::size_t i = 0; i < n; ++i) positives += outcome[i] != 0 ? 1 : 0;
  if (positives == 0) return kNa;
  // Σ (Rₖ − Rₖ₋₁)·Pₖ over the distinct thresholds: tied probabilities enter together.
  double ap = 0, hits = 0;
  double last_recall = 0;
  for (std::size_t k = 0; k < n;) {
    std::size_t j = k;
    for (; j < n && p[order[j]] == p[order[k]]; ++j) hits += outcome[order[j]] != 0 ? 1 : 0;
    const double recall = hits / static_cast<double>(positives);
    const double precision = hits / static_cast<double>(j);
    ap += (recall - last_recall) * precision;
    last_recall = recall;
    k = j;
  }
  return ap;
}

Summary Summarise(std::span<double> draws) {
  Summary s;
  if (draws.empty()) return s;
  std::sort(draws.begin(), draws.end());
  s.mean = compute::Mean(draws);
  s.median = compute::QuantileType7(draws, 0.5);
  s.p05 = compute::QuantileType7(draws, 0.05);
  s.p25 = compute::QuantileType7(draws, 0.25);
  s.p75 = compute::QuantileType7(draws, 0.75);
  s.p95 = compute::QuantileType7(draws, 0.95);
  return s;
}

}  // namespace gpsi::forecast
