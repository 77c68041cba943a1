// Validation statistics: Spearman's rho and the known-group AUC with their bootstrap intervals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "analysis.hpp"

namespace gpsi::analysis {
namespace {

using compute::IsNa;
using compute::kNa;

TEST(ValidationAuc, IsTheMannWhitneyProbabilityWithTiesCountingHalf) {
  // low {1, 2, 4}, high {3, 4, 5}: pairs low < high: 1<3,1<4,1<5,2<3,2<4,2<5,4<5 = 7, tie 4=4 = ½.
  Interval a = AucInterval(std::vector<double>{1, 2, 4}, std::vector<double>{3, 4, 5}, 0, 1);
  EXPECT_DOUBLE_EQ(a.value, 7.5 / 9);
  EXPECT_EQ(a.n, 6u);
  EXPECT_TRUE(IsNa(a.lo));  // no resamples, no interval
  // Missing values are dropped; an empty group gives NaN.
  Interval b = AucInterval(std::vector<double>{1, kNa}, std::vector<double>{2}, 0, 1);
  EXPECT_DOUBLE_EQ(b.value, 1.0);
  EXPECT_TRUE(IsNa(AucInterval(std::vector<double>{kNa}, std::vector<double>{2}, 10, 1).value));
}

TEST(ValidationAuc, StratifiedBootstrapAsDocumented) {
  const std::vector<double> low{1, 5, 2, 8, 3}, high{4, 9, 6, 7, 10, 2.5};
  Interval got = AucInterval(low, high, 200, 7, 0.9);
  // The contract: resample b draws low then high with replacement from Rng(seed, stream + b).
  std::vector<double> values;
  for (std::size_t b = 0; b < 200; ++b) {
    Rng rng(7, kValidationStream + b);
    std::vector<double> l(low.size()), h(high.size());
    for (auto& v : l) v = low[rng.Below(low.size())];
    for (auto& v : h) v = high[rng.Below(high.size())];
    double u = 0;
    for (double x : l) {
      for (double y : h) u += x < y ? 1.0 : x == y ? 0.5 : 0.0;
    }
    values.push_back(u / static_cast<double>(l.size() * h.size()));
  }
  std::sort(values.begin(), values.end());
  EXPECT_DOUBLE_EQ(got.lo, QuantileType7(values, 0.05));
  EXPECT_DOUBLE_EQ(got.hi, QuantileType7(values, 0.95));
  EXPECT_LE(got.lo, got.value);
  EXPECT_GE(got.hi, got.value);
  // Fully separated groups: 1, and every resample too.
  Interval sep = AucInterval(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5}, 100, 1);
  EXPECT_EQ(sep.value, 1);
  EXPECT_EQ(sep.lo, 1);
  EXPECT_EQ(sep.hi, 1);
}

TEST(ValidationSpearman, PointEstimateIsCorrelateAndTheIntervalIsSeeded) {
  std::vector<double> x, y;
  Rng rng(3);
  for (int i = 0; i < 60; ++i) {
    x.push_back(rng.Uniform());
    y.push_back(x.back() + 0.5 * rng.Uniform());
  }
  x.push_back(kNa), y.push_back(1);  // an incomplete pair is left out
  Interval s = SpearmanInterval(x, y, 300, 11);
  EXPECT_EQ(s.n, 60u);
  std::vector<double> cx(x.begin(), x.end() - 1), cy(y.begin(), y.end() - 1);
  EXPECT_DOUBLE_EQ(s.value, Correlate(cx, cy, CorrMethod::kSpearman).r);
  EXPECT_LT(s.lo, s.value);
  EXPECT_GT(s.hi, s.value);
  EXPECT_GT(s.lo, 0);  // a strong positive association
  Interval again = SpearmanInterval(x, y, 300, 11);
  EXPECT_EQ(again.lo, s.lo);
  EXPECT_EQ(again.hi, s.hi);
  EXPECT_NE(SpearmanInterval(x, y, 300, 12).lo, s.lo);
  // A monotone relation: 1 with a degenerate interval; fewer than 3 pairs: NaN.
  Interval mono = SpearmanInterval(std::vector<double>{1, 2, 3, 4}, std::vector<double>{10, 20, 30, 40}, 50, 1);
  EXPECT_DOUBLE_EQ(mono.value, 1);
  EXPECT_DOUBLE_EQ(mono.lo, 1);
  EXPECT_TRUE(IsNa(SpearmanInterval(std::vector<double>{1, 2}, std::vector<double>{1, 2}, 10, 1).value));
}

}  // namespace
}  // namespace gpsi::analysis
