// Unit tests of Normalise (COINr n_minmax, n_zscore, n_rank, n_prank, n_goalposts, n_dist2max,
// plus the GPI band), and a replay of COINr's min-max 0–100 normalisation on the ASEM example.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

#include "compute.hpp"
#include "oracle_csv.hpp"

namespace gpsi::compute {
namespace {

using test::Csv;
using test::Near;

TEST(ComputeNormalise, MinMaxWithDirectionAndMissing) {
  std::vector<double> x = {2, kNa, 4, 6, 10};
  ASSERT_TRUE(Normalise(x, 1, {NormMethod::kMinMax, 0, 100}).ok());
  EXPECT_EQ(x[0], 0);
  EXPECT_TRUE(IsNa(x[1]));
  EXPECT_EQ(x[2], 25);
  EXPECT_EQ(x[3], 50);
  EXPECT_EQ(x[4], 100);
  std::vector<double> y = {2, 4, 6, 10};
  ASSERT_TRUE(Normalise(y, -1, {NormMethod::kMinMax, 1, 5}).ok());
  EXPECT_EQ(y[0], 5);  // the lowest raw value is best
  EXPECT_EQ(y[1], 4);
  EXPECT_EQ(y[3], 1);
}

TEST(ComputeNormalise, ZeroRangeIsRefused) {
  std::vector<double> x = {3, 3, kNa, 3};
  const std::vector<double> orig = x;
  Status s = Normalise(x, -1, {NormMethod::kMinMax, 0, 100});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kUncomputable);
  EXPECT_NE(s.error().message.find("range is 0"), std::string::npos);
  EXPECT_EQ(x[0], 3);  // column left as it was
  for (NormMethod m : {NormMethod::kDistFrontier, NormMethod::kGoalposts, NormMethod::kBand5, NormMethod::kZScore}) {
    std::vector<double> z = {3, 3, 3};
    Status t = Normalise(z, 1, {m, 0, 1});
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error().code, Errc::kUncomputable);
    EXPECT_EQ(z[0], 3);
  }
  // With explicit goalposts a constant column is fine.
  std::vector<double> g = {3, 3, 3};
  ASSERT_TRUE(Normalise(g, 1, {NormMethod::kGoalposts, 0, 100}, Goalposts{0, 6}).ok());
  EXPECT_EQ(g[0], 50);
}

TEST(ComputeNormalise, AllMissingStaysMissing) {
  std::vector<double> x = {kNa, kNa};
  EXPECT_TRUE(Normalise(x, 1, {NormMethod::kMinMax, 0, 100}).ok());
  EXPECT_TRUE(IsNa(x[0]) && IsNa(x[1]));
}

TEST(ComputeNormalise, BadParameters) {
  std::vector<double> x = {1, 2, 3};
  EXPECT_EQ(Normalise(x, 0, {NormMethod::kMinMax, 0, 100}).error().code, Errc::kBadMethod);
  EXPECT_EQ(Normalise(x, 1, {NormMethod::kZScore, 0, 0}).error().code, Errc::kBadMethod);
  EXPECT_EQ(Normalise(x, 1, {NormMethod::kZScore, 0, -1}).error().code, Errc::kBadMethod);
  EXPECT_EQ(Normalise(x, 1, {NormMethod::kMinMax, kNa, 100}).error().code, Errc::kBadMethod);
  EXPECT_EQ(Normalise(x, 1, {NormMethod::kGoalposts, 0, 1}, Goalposts{2, 2}).error().code, Errc::kBadMethod);
  EXPECT_EQ(x[0], 1);
}

TEST(ComputeNormalise, ZScoreUsesSampleSd) {
  // {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, sample sd √(32/7).
  std::vector<double> x = {2, 4, 4, 4, 5, 5, 7, 9, kNa};
  ASSERT_TRUE(Normalise(x, 1, {NormMethod::kZScore, 10, 2}).ok());
  const double sd = std::sqrt(32.0 / 7.0);
  EXPECT_TRUE(Near(x[0], (2 - 5) / sd * 2 + 10, 1e-15));
  EXPECT_TRUE(Near(x[7], (9 - 5) / sd * 2 + 10, 1e-15));
  EXPECT_EQ(x[4], 10);
  EXPECT_TRUE(IsNa(x[8]));
  std::vector<double> y = {1, 2, 3};
  ASSERT_TRUE(Normalise(y, -1, {NormMethod::kZScore, 0, 1}).ok());
  EXPECT_TRUE(Near(y[0], 1, 1e-15));  // (−1 − (−2)) / 1
  EXPECT_TRUE(Near(y[2], -1, 1e-15));
  std::vector<double> one = {kNa, 4};
  EXPECT_EQ(Normalise(one, 1, {NormMethod::kZScore, 0, 1}).error().code, Errc::kUncomputable);
}

TEST(ComputeNormalise, RankTiesGetMinimum) {
  std::vector<double> x = {10, 20, 20, kNa, 5, 30};
  ASSERT_TRUE(Normalise(x, 1, {NormMethod::kRank, 0, 0}).ok());
  EXPECT_EQ(x[0], 2);
  EXPECT_EQ(x[1], 3);
  EXPECT_EQ(x[2], 3);
  EXPECT_TRUE(IsNa(x[3]));
  EXPECT_EQ(x[4], 1);
  EXPECT_EQ(x[5], 5);
  std::vector<double> y = {10, 20, 20, kNa, 5, 30};
  ASSERT_TRUE(Normalise(y, -1, {NormMethod::kRank, 0, 0}).ok());
  EXPECT_EQ(y[5], 1);
  EXPECT_EQ(y[1], 2);
  EXPECT_EQ(y[2], 2);
  EXPECT_EQ(y[0], 4);
  EXPECT_EQ(y[4], 5);
}

TEST(ComputeNormalise, PercentileRank) {
  // (rank − 1) / (n − 1) with n = 5 non-missing.
  std::vector<double> x = {10, 20, 20, kNa, 5, 30};
  ASSERT_TRUE(Normalise(x, 1, {NormMethod::kPercentile, 0, 0}).ok());
  EXPECT_EQ(x[4], 0);
  EXPECT_EQ(x[0], 0.25);
  EXPECT_EQ(x[1], 0.5);
  EXPECT_EQ(x[2], 0.5);
  EXPECT_EQ(x[5], 1);
  std::vector<double> one = {kNa, 4};
  EXPECT_EQ(Normalise(one, 1, {NormMethod::kPercentile, 0, 0}).error().code, Errc::kUncomputable);
}

TEST(ComputeNormalise, GoalpostsBothDirections) {
  // Raw goalposts 10 (lower) and 30 (upper), scale 100, clipped.
  std::vector<double> x = {5, 10, 15, 30, 40, kNa};
  ASSERT_TRUE(Normalise(x, 1, {NormMethod::kGoalposts, 0, 100}, Goalposts{10, 30}).ok());
  EXPECT_EQ(x[0], 0);
  EXPECT_EQ(x[1], 0);
  EXPECT_EQ(x[2], 25);
  EXPECT_EQ(x[3], 100);
  EXPECT_EQ(x[4], 100);
  EXPECT_TRUE(IsNa(x[5]));
  // Direction −1: the upper goalpost maps to 0 and the lower to 1 (COINr iMeta goalposts).
  std::vector<double> y = {5, 10, 15, 30, 40};
  ASSERT_TRUE(Normalise(y, -1, {NormMethod::kGoalposts, 0, 1}, Goalposts{10, 30}).ok());
  EXPECT_EQ(y[0], 1);
  EXPECT_EQ(y[1], 1);
  EXPECT_EQ(y[2], 0.75);
  EXPECT_EQ(y[3], 0);
  EXPECT_EQ(y[4], 0);
  // Without goalposts: the column's own range.
  std::vector<double> z = {2, 4, 6};
  ASSERT_TRUE(Normalise(z, -1, {NormMethod::kGoalposts, 0, 10}).ok());
  EXPECT_EQ(z[0], 10);
  EXPECT_EQ(z[1], 5);
  EXPECT_EQ(z[2], 0);
}

TEST(ComputeNormalise, DistToFrontier) {
  std::vector<double> x = {2, 4, 10};
  ASSERT_TRUE(Normalise(x, 1, {NormMethod::kDistFrontier, 0, 1}).ok());
  EXPECT_EQ(x[0], 0);
  EXPECT_EQ(x[1], 0.25);
  EXPECT_EQ(x[2], 1);
}

TEST(ComputeNormalise, Band5) {
  std::vector<double> x = {0, 10, 25, 50, 60};
  ASSERT_TRUE(Normalise(x, 1, {NormMethod::kBand5, 0, 0}, Goalposts{10, 50}).ok());
  EXPECT_EQ(x[0], 1);
  EXPECT_EQ(x[1], 1);
  EXPECT_EQ(x[2], 2.5);
  EXPECT_EQ(x[3], 5);
  EXPECT_EQ(x[4], 5);
  std::vector<double> y = {0, 10, 25, 50, 60};
  ASSERT_TRUE(Normalise(y, -1, {NormMethod::kBand5, 0, 0}, Goalposts{10, 50}).ok());
  EXPECT_EQ(y[0], 5);
  EXPECT_EQ(y[2], 3.5);
  EXPECT_EQ(y[4], 1);
  std::vector<double> z = {2, 4, 10};
  ASSERT_TRUE(Normalise(z, 1, {NormMethod::kBand5, 0, 0}).ok());
  EXPECT_EQ(z[0], 1);
  EXPECT_EQ(z[1], 2);
  EXPECT_EQ(z[2], 5);
}

// COINr Normalise(dset = "Treated", n_minmax, l_u = c(0, 100)) with iMeta directions.
TEST(ComputeNormalise, ReplaysCoinrAsemMinMax) {
  std::vector<std::string> codes, codes_n;
  Matrix x = test::ReadDset("dset_Treated.csv", codes);
  const Matrix expected = test::ReadDset("dset_Normalised.csv", codes_n);
  ASSERT_EQ(codes, codes_n);
  const Csv meta = test::ReadCsv(std::string(GPSI_TEST_DATA) + "/asem/iMeta.csv");
  std::map<std::string, int> dir;
  for (const auto& row : meta.rows)
    dir[row[meta.Col("iCode")]] = static_cast<int>(Csv::Num(row[meta.Col("Direction")]));
  for (std::size_t c = 0; c < x.cols(); ++c) {
    SCOPED_TRACE(codes[c]);
    ASSERT_TRUE(dir.count(codes[c]));
    ASSERT_TRUE(Normalise(x.Col(c), dir[codes[c]], {NormMethod::kMinMax, 0, 100}).ok());
    for (std::size_t r = 0; r < x.rows(); ++r) EXPECT_TRUE(Near(x(r, c), expected(r, c)));
  }
}

}  // namespace
}  // namespace gpsi::compute
