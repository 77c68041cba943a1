// Unit tests of the descriptive statistics (R mean, median, sd; COINr skew, kurt), DataShare
// (COINr get_data_avail) and Denominate.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "compute.hpp"
#include "oracle_csv.hpp"

namespace gpsi::compute {
namespace {

using test::Near;

TEST(ComputeStats, MeanMedianSd) {
  std::vector<double> x = {2, 4, kNa, 4, 4, 5, 5, 7, 9};
  EXPECT_EQ(Mean(x), 5);
  EXPECT_EQ(Median(x), 4.5);
  EXPECT_TRUE(Near(SampleSd(x), std::sqrt(32.0 / 7.0), 1e-15));
  std::vector<double> odd = {3, kNa, 1, 2};
  EXPECT_EQ(Median(odd), 2);
  std::vector<double> none = {kNa, kNa};
  EXPECT_TRUE(std::isnan(Mean(none)));
  EXPECT_TRUE(std::isnan(Median(none)));
  EXPECT_TRUE(std::isnan(SampleSd(std::vector<double>{1})));
  // R's two-pass mean is exact where a naive sum is not.
  std::vector<double> tenth(10, 0.1);
  EXPECT_EQ(Mean(tenth), 0.1);
}

TEST(ComputeStats, SkewKurtHandComputed) {
  // {1,2,3,4,10}: d = (−3,−2,−1,0,6), Σd² = 50, Σd³ = 180, Σd⁴ = 1394, n = 5.
  // G1 = √5·180/50^1.5·√20/3, G2 = (6·(5·1394/2500 − 3) + 6)·4/6 = 3.152.
  std::vector<double> x = {1, kNa, 2, 3, 4, 10};
  EXPECT_TRUE(Near(Skew(x), std::sqrt(5.0) * 180 / std::pow(50.0, 1.5) * std::sqrt(20.0) / 3, 1e-14));
  EXPECT_TRUE(Near(Kurt(x), 3.152, 1e-14));
  std::vector<double> sym = {1, 2, 3};
  EXPECT_EQ(Skew(sym), 0);
  EXPECT_TRUE(std::isnan(Skew(std::vector<double>{1, 2})));
  EXPECT_TRUE(std::isnan(Kurt(sym)));
  EXPECT_TRUE(std::isnan(Skew(std::vector<double>{4, 4, 4, 4})));
}

TEST(ComputeStats, DataShare) {
  Matrix m(3, 3);
  m(0, 0) = 1, m(0, 1) = 2, m(0, 2) = 3;
  m(1, 0) = 1;
  std::vector<std::size_t> all = {0, 1, 2}, two = {1, 2};
  std::vector<double> s = DataShare(m, all);
  EXPECT_EQ(s[0], 1);
  EXPECT_EQ(s[1], 1.0 - 2.0 / 3.0);
  EXPECT_EQ(s[2], 0);
  EXPECT_EQ(DataShare(m, two)[1], 0);
}

TEST(ComputeStats, Denominate) {
  std::vector<double> x = {10, 10, kNa, 10, 6};
  std::vector<double> den = {4, 0, 2, kNa, 3000};
  Denominate(x, den, 1000);
  EXPECT_EQ(x[0], 2500);
  EXPECT_TRUE(IsNa(x[1]));  // zero denominator refused
  EXPECT_TRUE(IsNa(x[2]));
  EXPECT_TRUE(IsNa(x[3]));
  EXPECT_EQ(x[4], 2);
}

TEST(Quantile, IsRType7) {
  // R: quantile(c(1, 2, 4, 8), c(0, 0.1, 0.5, 1), type = 7) = 1, 1.3, 3, 8.
  const std::vector<double> v{1, 2, 4, 8};
  EXPECT_DOUBLE_EQ(QuantileType7(v, 0), 1);
  EXPECT_DOUBLE_EQ(QuantileType7(v, 0.1), 1.3);
  EXPECT_DOUBLE_EQ(QuantileType7(v, 0.5), 3);
  EXPECT_DOUBLE_EQ(QuantileType7(v, 1), 8);
  EXPECT_TRUE(IsNa(QuantileType7({}, 0.5)));
}

}  // namespace
}  // namespace gpsi::compute
