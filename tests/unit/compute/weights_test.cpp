// Unit tests of PcaWeights (COINr get_PCA: first principal component loadings of the scaled data,
// with R prcomp's sign).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "compute.hpp"
#include "oracle_csv.hpp"

namespace gpsi::compute {
namespace {

using test::Near;

//! The loadings with the sign that makes the first one positive: prcomp's own sign is LAPACK's
//! (checked against COINr in tests/unit/engine/coherence_asem_test.cpp); these cases check
//! magnitudes and relative signs.
std::vector<double> Canon(std::vector<double> w) {
  if (!w.empty() && w[0] < 0) {
    for (double& x : w) x = -x;
  }
  return w;
}

TEST(ComputeWeights, TwoColumnsAnyCorrelationGiveEqualLoadings) {
  // With two standardised columns the correlation matrix is [[1, ρ], [ρ, 1]] whose leading
  // eigenvector is (1, 1)/√2 for ρ > 0 whatever ρ is.
  Matrix m(5, 2);
  const double a[5] = {1, 2, 3, 4, 5}, b[5] = {2, 1, 4, 3, 6};
  for (std::size_t r = 0; r < 5; ++r) m(r, 0) = a[r], m(r, 1) = b[r];
  std::vector<std::size_t> cols = {0, 1};
  auto w = PcaWeights(m, cols);
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_EQ(w->size(), 2u);
  EXPECT_TRUE(Near(Canon(*w)[0], 1 / std::sqrt(2.0), 1e-12));
  EXPECT_TRUE(Near(Canon(*w)[1], 1 / std::sqrt(2.0), 1e-12));
}

TEST(ComputeWeights, PerfectlyCorrelatedPairPlusNoise) {
  // Columns 0 and 1 perfectly correlated (1 = 3·0 + 2), column 2 uncorrelated with both
  // (orthogonal after centring): correlation matrix [[1,1,0],[1,1,0],[0,0,1]], eigenvalues 2, 1, 0,
  // first PC (1, 1, 0)/√2.
  Matrix m(4, 3);
  const double a[4] = {1, 2, 3, 4}, c[4] = {1, -1, -1, 1};
  for (std::size_t r = 0; r < 4; ++r) m(r, 0) = a[r], m(r, 1) = 3 * a[r] + 2, m(r, 2) = c[r];
  std::vector<std::size_t> cols = {0, 1, 2};
  auto w = PcaWeights(m, cols);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_TRUE(Near(Canon(*w)[0], 1 / std::sqrt(2.0), 1e-12));
  EXPECT_TRUE(Near(Canon(*w)[1], 1 / std::sqrt(2.0), 1e-12));
  EXPECT_LT(std::fabs(Canon(*w)[2]), 1e-12);
}

TEST(ComputeWeights, KnownThreeByThree) {
  // Correlation matrix of these columns: ρ01 = 0.828571…, ρ02 = 0.903508…, ρ12 = 0.542105…; its
  // leading eigenvector (eigenvalue 2.525984…, found by power iteration on R independently of
  // the SVD used here) is the expected loading vector.
  Matrix m(6, 3);
  const double rows[6][3] = {{1, 2, 3}, {2, 1, 5}, {3, 4, 4}, {4, 3, 8}, {5, 6, 7}, {6, 5, 9}};
  for (std::size_t r = 0; r < 6; ++r)
    for (std::size_t c = 0; c < 3; ++c) m(r, c) = rows[r][c];
  std::vector<std::size_t> cols = {0, 1, 2};
  auto w = PcaWeights(m, cols);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(Near(Canon(*w)[0], 0.6261919528041437, 1e-12));
  EXPECT_TRUE(Near(Canon(*w)[1], 0.5398475244445468, 1e-12));
  EXPECT_TRUE(Near(Canon(*w)[2], 0.562537366398382, 1e-12));
  // Flipping one column flips its loading's sign relative to the others.
  for (std::size_t r = 0; r < 6; ++r) m(r, 1) = -m(r, 1);
  auto v = PcaWeights(m, cols);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(Near(Canon(*v)[0], 0.6261919528041437, 1e-12));
  EXPECT_TRUE(Near(Canon(*v)[1], -0.5398475244445468, 1e-12));
}

TEST(ComputeWeights, IncompleteRowsDroppedAndTooFewRefused) {
  Matrix m(5, 2);
  const double a[5] = {1, 2, kNa, 3, 4}, b[5] = {1, 2, 5, 3, kNa};
  for (std::size_t r = 0; r < 5; ++r) m(r, 0) = a[r], m(r, 1) = b[r];
  std::vector<std::size_t> cols = {0, 1};
  auto w = PcaWeights(m, cols);  // 3 complete rows ≥ 2 + 1
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(Near(Canon(*w)[0], 1 / std::sqrt(2.0), 1e-12));
  m(0, 0) = kNa;
  auto bad = PcaWeights(m, cols);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kUncomputable);
  Matrix c(4, 2);
  for (std::size_t r = 0; r < 4; ++r) c(r, 0) = 1, c(r, 1) = static_cast<double>(r);
  auto flat = PcaWeights(c, cols);
  ASSERT_FALSE(flat.ok());
  EXPECT_EQ(flat.error().code, Errc::kUncomputable);
}

}  // namespace
}  // namespace gpsi::compute
