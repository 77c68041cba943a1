// The one PCA of gpsi (R prcomp(center = TRUE, scale. = TRUE), COINr get_PCA) on hand-computed
// cases; PcaWeights is its first component. Its signs against COINr's printed results:
// tests/unit/engine/coherence_asem_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "compute.hpp"

namespace gpsi::compute {
namespace {

Matrix FromColumns(const std::vector<std::vector<double>>& cols) {
  Matrix m(cols.front().size(), cols.size());
  for (std::size_t c = 0; c < cols.size(); ++c) {
    for (std::size_t r = 0; r < cols[c].size(); ++r) m(r, c) = cols[c][r];
  }
  return m;
}

TEST(ComputePca, TwoColumnsHaveKnownComponents) {
  // Standardised, two columns with correlation ρ have eigenvalues 1 ± ρ and loadings (1, ±1)/√2.
  Matrix m = FromColumns({{1, 2, 3, 4, 5, 9}, {2, 4, 5, 4, 5, kNa}});
  std::vector<std::size_t> cols{0, 1};
  auto p = PrincipalComponents(m, cols);
  ASSERT_TRUE(p.ok()) << p.error().Format();
  double rho = 6 / std::sqrt(60.0);
  EXPECT_EQ(p->rows_used, 5u);  // the incomplete row is left out, as get_PCA's na.omit
  ASSERT_EQ(p->variance_share.size(), 2u);
  EXPECT_NEAR(p->variance_share[0], (1 + rho) / 2, 1e-12);
  EXPECT_NEAR(p->variance_share[1], (1 - rho) / 2, 1e-12);
  EXPECT_NEAR(p->sdev[0], std::sqrt(1 + rho), 1e-12);
  double h = 1 / std::sqrt(2.0);
  EXPECT_NEAR(std::fabs(p->loadings[0][0]), h, 1e-12);
  EXPECT_NEAR(p->loadings[0][0], p->loadings[0][1], 1e-12);
  EXPECT_NEAR(p->loadings[1][0], -p->loadings[1][1], 1e-12);
  EXPECT_EQ(p->weights, p->loadings[0]);
}

TEST(ComputePca, ThreeColumnsOrthonormalAndErrors) {
  Matrix m = FromColumns({{1, 2, 3, 4, 5, 6}, {2, 1, 4, 3, 6, 5}, {6, 4, 5, 2, 3, 1}});
  std::vector<std::size_t> cols{0, 1, 2};
  auto p = PrincipalComponents(m, cols);
  ASSERT_TRUE(p.ok());
  double sum = 0;
  for (double s : p->variance_share) sum += s;
  EXPECT_NEAR(sum, 1.0, 1e-14);
  EXPECT_GE(p->variance_share[0], p->variance_share[1]);
  for (std::size_t a = 0; a < 3; ++a) {
    for (std::size_t b = 0; b < 3; ++b) {
      double dot = 0;
      for (std::size_t c = 0; c < 3; ++c) dot += p->loadings[a][c] * p->loadings[b][c];
      EXPECT_NEAR(dot, a == b ? 1.0 : 0.0, 1e-12);
    }
  }
  // The total variance of standardised columns is their number: Σ sdev² = 3.
  double var = 0;
  for (double s : p->sdev) var += s * s;
  EXPECT_NEAR(var, 3.0, 1e-12);
  Matrix flat = FromColumns({{1, 2, 3}, {4, 4, 4}});
  std::vector<std::size_t> two{0, 1};
  auto f = PrincipalComponents(flat, two);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, Errc::kUncomputable);
  Matrix few = FromColumns({{1, kNa, 3}, {4, 5, kNa}});
  EXPECT_FALSE(PrincipalComponents(few, two).ok());
}

TEST(ComputePca, WeightsAreTheFirstComponentOfTheSamePca) {
  // pipeline.weights = pca and the audit's PCA are one computation: same numbers, same signs.
  Matrix m = FromColumns({{1, 2, 3, 4, 5, 6}, {2, 1, 4, 3, 6, 5}, {6, 4, 5, 2, 3, 1}});
  std::vector<std::size_t> cols{0, 1, 2};
  auto p = PrincipalComponents(m, cols);
  auto w = PcaWeights(m, cols);
  ASSERT_TRUE(p.ok() && w.ok());
  EXPECT_EQ(*w, p->loadings[0]);
}

}  // namespace
}  // namespace gpsi::compute
