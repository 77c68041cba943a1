// Coherence kernels: Pearson and Spearman correlations with R cor.test's p-values and Cronbach's
// alpha (COINr get_cronbach) on hand-computed cases. PCA is compute's (tests/unit/compute/pca_test.cpp);
// the three on the ASEM index: tests/unit/engine/coherence_asem_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <numeric>
#include <tuple>

#include "analysis.hpp"

namespace gpsi::analysis {
namespace {

using compute::kNa;

//! Two-sided p of Student's t on 3 degrees of freedom from its closed form:
//! F(t) = 1/2 + (θ + sin θ cos θ)/π, θ = atan(t/√3).
double TwoSidedT3(double t) {
  double th = std::atan(std::fabs(t) / std::sqrt(3.0));
  double upper = 0.5 - (th + std::sin(th) * std::cos(th)) / std::numbers::pi;
  return 2 * upper;
}

Matrix FromColumns(const std::vector<std::vector<double>>& cols) {
  Matrix m(cols.front().size(), cols.size());
  for (std::size_t c = 0; c < cols.size(); ++c) {
    for (std::size_t r = 0; r < cols[c].size(); ++r) m(r, c) = cols[c][r];
  }
  return m;
}

TEST(AnalysisCoherenceCorrelate, PearsonByHandWithMissingValuesDropped) {
  // Complete pairs (1,2) (2,4) (3,5) (4,4) (5,5): Sxy = 6, Sxx = 10, Syy = 6, r = 6/√60;
  // t = r√3/√(1−r²) = 3/√2 on 3 df.
  std::vector<double> x{1, 2, 3, 4, 5, kNa, 7};
  std::vector<double> y{2, 4, 5, 4, 5, 9, kNa};
  Corr c = Correlate(x, y, CorrMethod::kPearson);
  EXPECT_EQ(c.n, 5u);
  EXPECT_NEAR(c.r, 6 / std::sqrt(60.0), 1e-14);
  EXPECT_NEAR(c.p, TwoSidedT3(3 / std::sqrt(2.0)), 1e-12);
  // Symmetric, and a negated variable flips the sign only.
  Corr d = Correlate(y, x, CorrMethod::kPearson);
  EXPECT_DOUBLE_EQ(d.r, c.r);
  std::vector<double> neg(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) neg[i] = -y[i];
  Corr e = Correlate(x, neg, CorrMethod::kPearson);
  EXPECT_NEAR(e.r, -c.r, 1e-15);
  EXPECT_NEAR(e.p, c.p, 1e-15);
}

TEST(AnalysisCoherenceCorrelate, PerfectAndDegenerateCases) {
  std::vector<double> x{1, 2, 3, 4}, y{2, 4, 6, 8}, flat{3, 3, 3, 3};
  Corr c = Correlate(x, y, CorrMethod::kPearson);
  EXPECT_DOUBLE_EQ(c.r, 1.0);
  EXPECT_EQ(c.p, 0.0);
  // A constant variable has no correlation (R: NA with a warning), nor a p-value.
  Corr f = Correlate(x, flat, CorrMethod::kPearson);
  EXPECT_TRUE(std::isnan(f.r));
  EXPECT_TRUE(std::isnan(f.p));
  EXPECT_TRUE(std::isnan(Correlate(x, flat, CorrMethod::kSpearman).p));
  // cor.test needs 3 pairs for Pearson.
  std::vector<double> a{1, 2, kNa}, b{3, 5, 1};
  Corr two = Correlate(a, b, CorrMethod::kPearson);
  EXPECT_EQ(two.n, 2u);
  EXPECT_DOUBLE_EQ(two.r, 1.0);
  EXPECT_TRUE(std::isnan(two.p));
}

TEST(AnalysisCoherenceCorrelate, SpearmanExactWithoutTies) {
  // Ranks differ by (−1, 1, −1, 1, 0): S = 4, rho = 1 − 6·4/(5·24) = 0.8. Permutations of 5 with
  // S ≤ 4: the identity, 4 adjacent swaps and 3 pairs of disjoint adjacent swaps = 8 of 120,
  // so p = 2·8/120 (R: 0.1333).
  std::vector<double> x{10, 20, 30, 40, 50}, y{2, 1, 4, 3, 5};
  Corr c = Correlate(x, y, CorrMethod::kSpearman);
  EXPECT_EQ(c.n, 5u);
  EXPECT_NEAR(c.r, 0.8, 1e-15);
  EXPECT_NEAR(c.p, 16.0 / 120.0, 1e-15);
  // The reversed order: S is the maximum, reached by one permutation only: p = 2/120.
  std::vector<double> rev{5, 4, 3, 2, 1};
  Corr r = Correlate(x, rev, CorrMethod::kSpearman);
  EXPECT_DOUBLE_EQ(r.r, -1.0);
  EXPECT_NEAR(r.p, 2.0 / 120.0, 1e-15);
}

TEST(AnalysisCoherenceCorrelate, SpearmanWithTiesUsesAverageRanksAndT) {
  // Average ranks: x → (1, 2.5, 2.5, 4, 5), y → (2, 1, 3, 4.5, 4.5); ties → t approximation on
  // n − 2 = 3 df. A missing pair is dropped first.
  std::vector<double> x{1, 2, 2, 4, 5, kNa}, y{3, 1, 4, 5, 5, 7};
  Corr c = Correlate(x, y, CorrMethod::kSpearman);
  EXPECT_EQ(c.n, 5u);
  std::vector<double> rx{1, 2.5, 2.5, 4, 5}, ry{2, 1, 3, 4.5, 4.5};
  double mx = 3, my = 3, sxy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < 5; ++i) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) * (rx[i] - mx);
    syy += (ry[i] - my) * (ry[i] - my);
  }
  double rho = sxy / std::sqrt(sxx * syy);
  EXPECT_NEAR(c.r, rho, 1e-14);
  EXPECT_NEAR(c.p, TwoSidedT3(rho * std::sqrt(3.0) / std::sqrt(1 - rho * rho)), 1e-12);
}

TEST(AnalysisCoherenceCorrelate, SpearmanEdgeworthAboveNine) {
  // n = 12 without ties: AS 89's Edgeworth series; it must stay close to the t approximation.
  std::vector<double> x(12), y{3, 1, 2, 6, 5, 4, 9, 7, 8, 12, 10, 11};
  std::iota(x.begin(), x.end(), 1.0);
  Corr c = Correlate(x, y, CorrMethod::kSpearman);
  // S = 26, rho = 1 − 156/1716. This far in the tail AS 89's series falls below 0 and R's prho
  // clamps it: p = 0, where the t approximation gives 4e-5.
  EXPECT_NEAR(c.r, 1 - 156.0 / 1716.0, 1e-15);
  EXPECT_EQ(c.p, 0.0);
  EXPECT_LT(SpearmanPValue(c.r, 12, /*ties=*/true), 1e-4);
  // A weak correlation: p near the middle, still consistent.
  std::vector<double> w{7, 2, 11, 4, 9, 1, 12, 3, 6, 10, 5, 8};
  Corr d = Correlate(x, w, CorrMethod::kSpearman);
  EXPECT_NEAR(d.p, SpearmanPValue(d.r, 12, true), 0.03);
  EXPECT_LE(d.p, 1.0);
}

TEST(AnalysisCoherenceCronbach, ByHandAndWithMissingValues) {
  // Variances 5/3, 4.75/3, 5/3; the row sums (4, 8, 8, 13) have variance 40.75/3:
  // α = 3/2·(1 − 14.75/40.75) = 39/40.75.
  Matrix m = FromColumns({{1, 2, 3, 4}, {2, 3, 3, 5}, {1, 3, 2, 4}});
  std::vector<std::size_t> cols{0, 1, 2};
  EXPECT_NEAR(CronbachAlpha(m, cols), 39.0 / 40.75, 1e-14);
  // One column: undefined.
  std::vector<std::size_t> one{0};
  EXPECT_TRUE(std::isnan(CronbachAlpha(m, one)));
  // A missing cell: COINr uses pairwise-complete covariances, C_ij over the rows where both are
  // present; α = k²·mean(off-diagonal C)/ΣC.
  Matrix g = FromColumns({{1, 2, 3, 4, 5}, {2, 3, 3, 5, kNa}, {1, 3, 2, 4, 6}});
  auto cov = [&](std::size_t i, std::size_t j) {
    double sa = 0, sb = 0, n = 0;
    for (std::size_t r = 0; r < 5; ++r) {
      if (std::isnan(g(r, i)) || std::isnan(g(r, j))) continue;
      sa += g(r, i);
      sb += g(r, j);
      ++n;
    }
    double s = 0;
    for (std::size_t r = 0; r < 5; ++r) {
      if (std::isnan(g(r, i)) || std::isnan(g(r, j))) continue;
      s += (g(r, i) - sa / n) * (g(r, j) - sb / n);
    }
    return s / (n - 1);
  };
  double all = 0, diag = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 3; ++j) all += cov(i, j);
    diag += cov(i, i);
  }
  EXPECT_NEAR(CronbachAlpha(g, cols), 9 * ((all - diag) / 6) / all, 1e-13);
}

}  // namespace
}  // namespace gpsi::analysis
