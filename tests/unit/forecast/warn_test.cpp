// The early-warning rules against their definitions, and their skill on a generated monthly
// series of event counts with known injected surges.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "forecast.hpp"

namespace gpsi::forecast {
namespace {

constexpr double NA = kNa;

TEST(WarnRules, ThresholdIsALevelNotSeenInTheWindow) {
  const std::vector<double> y{5, 40, 12, NA, 30, 41, 39};
  EXPECT_TRUE(Threshold(y, 5, 5, 25).fires);  // 41 > max(40, 12, 30)
  EXPECT_EQ(Threshold(y, 5, 5, 25).baseline, 40);
  EXPECT_FALSE(Threshold(y, 6, 5, 25).fires);  // 39 < 41
  EXPECT_FALSE(Threshold(y, 5, 5, 50).fires);  // below the minimum
  EXPECT_TRUE(Threshold(y, 5, 3, 25).fires);   // the window: 12, NA, 30
  EXPECT_EQ(Threshold(y, 5, 3, 25).baseline, 30);
  EXPECT_FALSE(Threshold(y, 0, 5, 0).fires);  // nothing before
  EXPECT_FALSE(Threshold(y, 3, 5, 0).fires);  // no value
}

TEST(WarnRules, SurgeIsAcledsDoublingOfTheTrailingMean) {
  const std::vector<double> y{10, 20, 30, 40, 81};
  const Finding f = Surge(y, 4, 4, 2, 25);
  EXPECT_TRUE(f.fires);
  EXPECT_DOUBLE_EQ(f.baseline, 25);
  EXPECT_DOUBLE_EQ(f.score, 81.0 / 25);
  EXPECT_FALSE(Surge(std::vector<double>{10, 20, 30, 40, 49}, 4, 4, 2, 25).fires);  // less than double
  EXPECT_FALSE(Surge(std::vector<double>{0, 0, 0, 4}, 3, 3, 2, 25).fires);          // 0 → 4 is not a surge
  EXPECT_FALSE(Surge(std::vector<double>{NA, 10, 90}, 2, 2, 2, 25).fires);          // one value before
}

TEST(WarnRules, AnomalyIsAZScoreWithAPoissonFloorOnTheSpread) {
  const std::vector<double> flat{9, 9, 9, 9, 9, 9, 21};
  const Finding f = Anomaly(flat, 6, 6, 3, 0);
  EXPECT_DOUBLE_EQ(f.baseline, 9);
  EXPECT_DOUBLE_EQ(f.score, 12.0 / 3);  // sd 0 → √9
  EXPECT_TRUE(f.fires);
  EXPECT_FALSE(Anomaly(std::vector<double>{9, 9, 9, 9, 9, 9, 17}, 6, 6, 3, 0).fires);  // z = 2.67
  const std::vector<double> noisy{10, 30, 10, 30, 10, 30, 45};
  EXPECT_NEAR(Anomaly(noisy, 6, 6, 3, 0).score, (45 - 20) / std::sqrt(600.0 / 5), 1e-12);  // Σd² = 6 · 10²
}

TEST(WarnRules, SkillIsPrecisionAndRecall) {
  const std::vector<char> warned{1, 1, 0, 0, 1}, happened{1, 0, 1, 0, 1};
  const Skill s = ScoreWarnings(warned, happened);
  EXPECT_EQ(s.hits, 2u);
  EXPECT_DOUBLE_EQ(s.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(s.recall, 2.0 / 3);
  EXPECT_TRUE(IsNa(ScoreWarnings(std::vector<char>{0, 0}, std::vector<char>{1, 0}).precision));
}

TEST(WarnRules, TheAnomalyRuleFindsInjectedSurgesInGeneratedMonthlyCounts) {
  // 200 series of 60 months of Poisson(λ) counts, λ from 5 to 200; 40 months get an injected
  // surge (×3). The z ≥ 3 rule over a 12-month baseline must find nearly all of them and fire in
  // fewer than 1 in 200 of the other months (with 40 surges in 9,600 months, that still makes
  // about a third of its warnings false: the base rate, not the rule).
  Rng rng(11, 0);
  std::vector<char> warned, injected;
  for (int s = 0; s < 200; ++s) {
    const double lambda = 5 + s;
    std::vector<double> y(60);
    std::vector<char> surge(60, 0);
    for (int t = 0; t < 60; ++t) {
      // Poisson by inversion (λ ≤ 205: the CDF walk is short enough).
      const double u = rng.Uniform();
      double p = std::exp(-lambda), cdf = p, k = 0;
      while (u > cdf && k < 10 * lambda + 50) ++k, p *= lambda / k, cdf += p;
      y[static_cast<std::size_t>(t)] = k;
    }
    const auto at = static_cast<std::size_t>(24 + (s * 7) % 36);
    if (s % 5 == 0) y[at] *= 3, surge[at] = 1;
    for (std::size_t t = 12; t < 60; ++t) {
      warned.push_back(Anomaly(y, t, 12, 3, 10).fires ? 1 : 0);
      injected.push_back(surge[t]);
    }
  }
  const Skill s = ScoreWarnings(warned, injected);
  EXPECT_EQ(s.events, 40u) << s.warnings << " " << s.hits;
  EXPECT_GT(s.recall, 0.95);
  const double false_alarms = static_cast<double>(s.warnings - s.hits) / static_cast<double>(warned.size() - s.events);
  EXPECT_LT(false_alarms, 0.005);
  EXPECT_GT(s.precision, 0.5);
}

}  // namespace
}  // namespace gpsi::forecast
