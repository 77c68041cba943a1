// Global Terrorism Index impact score: weighted counts, five-year window, logarithmic banding.
#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "compute.hpp"

namespace gpsi::compute {

double TerrorAnnual(std::span<const double> counts, std::span<const double> weights) {
  double a = 0;
  for (std::size_t c = 0; c < counts.size() && c < weights.size(); ++c) {
    if (weights[c] == 0) continue;  // a component weighted 0 does not need data
    if (IsNa(counts[c])) return kNa;
    a += weights[c] * counts[c];
  }
  return a;
}

double TerrorWeighted(std::span<const double> annual, std::span<const double> lag_weights, double divisor) {
  if (!(divisor > 0) || annual.size() < lag_weights.size()) return kNa;
  double s = 0;
  for (std::size_t k = 0; k < lag_weights.size(); ++k) {
    if (lag_weights[k] == 0) continue;
    if (IsNa(annual[k])) return kNa;
    s += lag_weights[k] * annual[k];
  }
  return s / divisor;
}

double TerrorBand(double s, double max, double top, double step) {
  if (IsNa(s)) return kNa;
  if (s <= 0) return 0;
  if (!(max > 0)) return top;  // only reachable with a fixed maximum of 0, which callers reject
  double g = top * std::log1p(s) / std::log1p(max);
  g = std::clamp(g, 0.0, top);
  if (step > 0) {
    // Round down to the band; the small tolerance keeps a value that sits on a cut-off (up to
    // rounding of the logs) in the band it reaches, e.g. the maximum itself in the top band.
    g = std::floor(g / step + 1e-9) * step;
    g = std::min(g, top);
  }
  return g;
}

std::vector<double> TerrorBandColumn(std::span<double> s, std::span<const int> block, double top, double step,
                                     double fixed_max) {
  std::map<int, double> max_of;
  if (!(fixed_max > 0)) {
    for (std::size_t r = 0; r < s.size(); ++r) {
      if (IsNa(s[r])) continue;
      auto [it, fresh] = max_of.emplace(block[r], s[r]);
      if (!fresh) it->second = std::max(it->second, s[r]);
    }
  }
  std::vector<double> used(s.size(), kNa);
  for (std::size_t r = 0; r < s.size(); ++r) {
    if (fixed_max > 0) {
      used[r] = fixed_max;
    } else if (auto it = max_of.find(block[r]); it != max_of.end()) {
      used[r] = it->second;
    }
    if (IsNa(s[r])) continue;
    // A block whose maximum is 0 had no impact at all: every score is 0, not 0/0.
    s[r] = used[r] > 0 ? TerrorBand(s[r], used[r], top, step) : 0.0;
  }
  return used;
}

}  // namespace gpsi::compute
