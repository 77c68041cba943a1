// Country risk: classes, the reliability index, the trend and the confusion by class (risk.hpp).
#include <algorithm>
#include <cmath>

#include "risk.hpp"

namespace gpsi::risk {

int Classify(double score, const method::RiskSpec& spec) {
  if (IsNa(score)) return -1;
  // Classes are read from the published figure: 4.95 is published as 5.0 and so is High, as a
  // reader of the sheet would class it.
  // Compared in units of the last decimal, so no binary fraction decides a class.
  const double scale = std::pow(10.0, spec.decimals);
  const long long shown = std::llround(score * scale);
  int cls = 0;
  for (double lower : spec.class_lower) cls += shown >= std::llround(lower * scale) ? 1 : 0;
  return cls;
}

Reliability AssessReliability(std::span<const Cell> cells, const method::RiskSpec& spec) {
  Reliability r;
  if (cells.empty()) return r;
  std::size_t present = 0, imputed = 0;
  double capped = 0, age = 0;
  for (const Cell& c : cells) {
    if (!c.present) continue;
    ++present;
    imputed += c.imputed ? 1 : 0;
    age += c.age;
    capped += std::min(static_cast<double>(std::max(c.age, 0)), spec.max_age) / spec.max_age;
  }
  r.missing = 1.0 - static_cast<double>(present) / static_cast<double>(cells.size());
  // With nothing present the data is as unreliable as it gets on the other two counts too.
  r.imputed = present ? static_cast<double>(imputed) / static_cast<double>(present) : 1.0;
  r.age = present ? capped / static_cast<double>(present) : 1.0;
  r.mean_age_years = present ? age / static_cast<double>(present) : kNa;
  r.index = 10.0 * (r.missing + r.imputed + r.age) / 3.0;
  return r;
}

const char* DirectionName(Direction d) {
  switch (d) {
    case Direction::kFalling: return "falling";
    case Direction::kRising: return "rising";
    case Direction::kStable: break;
  }
  return "stable";
}

Trend TrendOf(std::span<const int> years, std::span<const double> scores, int year, const method::RiskSpec& spec) {
  Trend t;
  t.to = year;
  t.from = year - spec.trend_years + 1;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  bool first = false, last = false;
  for (std::size_t i = 0; i < years.size() && i < scores.size(); ++i) {
    if (years[i] < t.from || years[i] > t.to || IsNa(scores[i])) continue;
    const double x = years[i] - t.from, y = scores[i];
    sx += x, sy += y, sxx += x * x, sxy += x * y;
    ++t.points;
    first = first || years[i] == t.from;
    last = last || years[i] == t.to;
  }
  // A slope without both ends of the window would be a trend over a shorter one.
  if (t.points < 2 || !first || !last) return t;
  const double n = static_cast<double>(t.points);
  t.slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  t.change = t.slope * (spec.trend_years - 1);
  t.direction = t.slope >= spec.trend_band    ? Direction::kRising
                : t.slope <= -spec.trend_band ? Direction::kFalling
                                              : Direction::kStable;
  return t;
}

std::vector<ClassOutcome> ConfusionByClass(std::span<const int> cls, std::span<const char> event, int classes) {
  std::vector<ClassOutcome> out(static_cast<std::size_t>(std::max(classes, 0)));
  std::size_t all_events = 0, all = 0;
  for (std::size_t i = 0; i < cls.size() && i < event.size(); ++i) {
    if (cls[i] < 0 || cls[i] >= classes) continue;
    ClassOutcome& o = out[static_cast<std::size_t>(cls[i])];
    ++o.units;
    o.events += event[i] ? 1 : 0;
    ++all;
    all_events += event[i] ? 1 : 0;
  }
  // Walk down from the top class: "class ≥ k" accumulates the classes above k.
  std::size_t above_units = 0, above_events = 0;
  for (int k = classes - 1; k >= 0; --k) {
    ClassOutcome& o = out[static_cast<std::size_t>(k)];
    o.cls = k;
    o.rate = o.units ? static_cast<double>(o.events) / static_cast<double>(o.units) : kNa;
    above_units += o.units;
    above_events += o.events;
    const std::size_t negatives = all - all_events, false_pos = above_units - above_events;
    o.sensitivity = all_events ? static_cast<double>(above_events) / static_cast<double>(all_events) : kNa;
    o.specificity = negatives ? 1.0 - static_cast<double>(false_pos) / static_cast<double>(negatives) : kNa;
  }
  return out;
}

}  // namespace gpsi::risk
