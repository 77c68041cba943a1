// Early-warning rules over a series: a level not seen in N points (threshold), a surge against the
// trailing mean (ACLED's +100 %), an anomaly against a rolling baseline (z ≥ 3); and how warnings
// score against what happened.
#include <algorithm>
#include <cmath>

#include "forecast.hpp"

namespace gpsi::forecast {
namespace {

//! The present values of the `window` points before i.
std::vector<double> Before(std::span<const double> y, std::size_t i, std::size_t window) {
  std::vector<double> out;
  for (std::size_t k = i > window ? i - window : 0; k < i; ++k) {
    if (!IsNa(y[k])) out.push_back(y[k]);
  }
  return out;
}

}  // namespace

Finding Threshold(std::span<const double> y, std::size_t i, std::size_t window, double min) {
  Finding f;
  if (i >= y.size() || IsNa(y[i])) return f;
  const auto before = Before(y, i, window);
  f.value = y[i], f.seen = before.size();
  if (before.empty()) return f;
  f.baseline = *std::max_element(before.begin(), before.end());
  f.fires = f.value > f.baseline && f.value >= min;
  return f;
}

Finding Surge(std::span<const double> y, std::size_t i, std::size_t window, double factor, double min) {
  Finding f;
  if (i >= y.size() || IsNa(y[i])) return f;
  const auto before = Before(y, i, window);
  f.value = y[i], f.seen = before.size();
  if (before.size() < 2) return f;
  f.baseline = compute::Mean(before);
  f.score = f.baseline > 0 ? f.value / f.baseline : kNa;
  f.fires = f.value >= min && f.value >= factor * f.baseline && f.value > f.baseline;
  return f;
}

Finding Anomaly(std::span<const double> y, std::size_t i, std::size_t window, double z_min, double min) {
  Finding f;
  if (i >= y.size() || IsNa(y[i])) return f;
  const auto before = Before(y, i, window);
  f.value = y[i], f.seen = before.size();
  if (before.size() < 3) return f;
  f.baseline = compute::Mean(before);
  const double sd = std::max(compute::SampleSd(before), std::sqrt(std::max(f.baseline, 1.0)));
  f.score = (f.value - f.baseline) / sd;
  f.fires = f.value >= min && f.score >= z_min;
  return f;
}

Skill ScoreWarnings(std::span<const char> warned, std::span<const char> happened) {
  Skill s;
  for (std::size_t i = 0; i < std::min(warned.size(), happened.size()); ++i) {
    s.warnings += warned[i] ? 1 : 0, s.events += happened[i] ? 1 : 0, s.hits += warned[i] && happened[i] ? 1 : 0;
  }
  if (s.warnings > 0) s.precision = static_cast<double>(s.hits) / static_cast<double>(s.warnings);
  if (s.events > 0) s.recall = static_cast<double>(s.hits) / static_cast<double>(s.events);
  return s;
}

}  // namespace gpsi::forecast
