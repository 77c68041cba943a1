// Unit tests of the Global Terrorism Index kernels: the weighted annual impact, the five-year
// window (and what a missing year does), and the logarithmic banding onto 0–10.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "compute.hpp"

namespace gpsi::compute {
namespace {

const std::vector<double> kIep = {1, 3, 0.5, 0.5};  // incidents, deaths, injuries, hostages
const std::vector<double> kLags = {16, 8, 4, 2, 1};

TEST(ComputeTerrorism, AnnualIsTheWeightedSum) {
  // 10 incidents, 20 deaths, 30 injured, 4 hostages: 10 + 60 + 15 + 2.
  EXPECT_DOUBLE_EQ(TerrorAnnual(std::vector<double>{10, 20, 30, 4}, kIep), 87);
  EXPECT_DOUBLE_EQ(TerrorAnnual(std::vector<double>{0, 0, 0, 0}, kIep), 0);
  // Configurable weights: the older editions' hostage-free weighting.
  EXPECT_DOUBLE_EQ(TerrorAnnual(std::vector<double>{10, 20, 30, 4}, std::vector<double>{1, 3, 0.5, 0}), 85);
  EXPECT_DOUBLE_EQ(TerrorAnnual(std::vector<double>{10, 20, 30, 4}, std::vector<double>{1, 3, 0.5, 2}), 93);
}

TEST(ComputeTerrorism, AnnualMissingComponent) {
  EXPECT_TRUE(IsNa(TerrorAnnual(std::vector<double>{10, kNa, 30, 4}, kIep)));
  // A component weighted 0 is not needed.
  EXPECT_DOUBLE_EQ(TerrorAnnual(std::vector<double>{10, 20, 30, kNa}, std::vector<double>{1, 3, 0.5, 0}), 85);
}

TEST(ComputeTerrorism, WeightedWindowIsTheMeanOfTheFiveTerms) {
  // a(t) … a(t−4) = 5, 4, 3, 2, 1: (16·5 + 8·4 + 4·3 + 2·2 + 1·1) / 5 = 129 / 5.
  EXPECT_DOUBLE_EQ(TerrorWeighted(std::vector<double>{5, 4, 3, 2, 1}, kLags, 5), 25.8);
  // A divisor of Σ l = 31 makes it a weighted average instead.
  EXPECT_DOUBLE_EQ(TerrorWeighted(std::vector<double>{7, 7, 7, 7, 7}, kLags, 31), 7);
  // One attack four years ago still counts, with weight 1; the same attack this year weighs 16×.
  EXPECT_DOUBLE_EQ(TerrorWeighted(std::vector<double>{0, 0, 0, 0, 10}, kLags, 5), 2);
  EXPECT_DOUBLE_EQ(TerrorWeighted(std::vector<double>{10, 0, 0, 0, 0}, kLags, 5), 32);
}

TEST(ComputeTerrorism, WeightedWindowWithAMissingYearIsMissing) {
  // A year no source covers (e.g. the GTD's lost 1993, or after a release's last year) is unknown:
  // the window is incomplete and, as the IEP does, the country-year gets no score. A covered year
  // without a record is 0 (the caller passes 0), which is not missing.
  EXPECT_TRUE(IsNa(TerrorWeighted(std::vector<double>{5, 4, kNa, 2, 1}, kLags, 5)));
  EXPECT_TRUE(IsNa(TerrorWeighted(std::vector<double>{kNa, 0, 0, 0, 0}, kLags, 5)));
  EXPECT_DOUBLE_EQ(TerrorWeighted(std::vector<double>{5, 0, 0, 0, 0}, kLags, 5), 16);
  // A year with lag weight 0 is not needed ([0, 1] is a pure one-year lag).
  EXPECT_DOUBLE_EQ(TerrorWeighted(std::vector<double>{kNa, 3}, std::vector<double>{0, 1}, 1), 3);
  // Too short a history, or a bad divisor, is missing rather than a guess.
  EXPECT_TRUE(IsNa(TerrorWeighted(std::vector<double>{5, 4}, kLags, 5)));
  EXPECT_TRUE(IsNa(TerrorWeighted(std::vector<double>{5, 4, 3, 2, 1}, kLags, 0)));
}

TEST(ComputeTerrorism, BandEndsAndShape) {
  const double max = 20000;
  EXPECT_DOUBLE_EQ(TerrorBand(max, max, 10, 0), 10);      // the highest impact scores 10
  EXPECT_EQ(TerrorBand(0, max, 10, 0), 0);                // no impact scores 0
  EXPECT_DOUBLE_EQ(TerrorBand(2 * max, max, 10, 0), 10);  // clipped (fixed maximum)
  // Logarithmic: 1 + s = (1 + max)^(1/2) is half-way.
  EXPECT_NEAR(TerrorBand(std::sqrt(1 + max) - 1, max, 10, 0), 5, 1e-12);
  // log base r = (1 + max)^(1/10): 1 + s = r^3 scores 3.
  const double r = std::pow(1 + max, 0.1);
  EXPECT_NEAR(TerrorBand(std::pow(r, 3) - 1, max, 10, 0), 3, 1e-12);
  EXPECT_TRUE(IsNa(TerrorBand(kNa, max, 10, 0)));
  // Another top.
  EXPECT_DOUBLE_EQ(TerrorBand(max, max, 5, 0), 5);
}

TEST(ComputeTerrorism, BandIsMonotone) {
  double prev = -1;
  for (double s = 0; s <= 30000; s += 7.5) {
    double g = TerrorBand(s, 20000, 10, 0);
    EXPECT_GE(g, prev) << s;
    EXPECT_GE(g, 0);
    EXPECT_LE(g, 10);
    prev = g;
  }
}

TEST(ComputeTerrorism, HalfPointSteps) {
  const double max = 1000, r = std::pow(1 + max, 0.05);  // half-point cut-offs 1 + s = r^n
  for (double s : {0.3, 2.0, 17.0, 123.4, 999.0, 1000.0}) {
    double g = TerrorBand(s, max, 10, 0.5);
    EXPECT_DOUBLE_EQ(g * 2, std::round(g * 2)) << s;  // a multiple of 0.5
    double cont = TerrorBand(s, max, 10, 0);
    EXPECT_LE(g, cont + 1e-12);
    EXPECT_GT(g, cont - 0.5);
  }
  // Just below a cut-off stays in the lower band; on it, the band is reached.
  EXPECT_DOUBLE_EQ(TerrorBand(std::pow(r, 7) - 1 - 1e-6, max, 10, 0.5), 3.0);
  EXPECT_DOUBLE_EQ(TerrorBand(std::pow(r, 7) - 1, max, 10, 0.5), 3.5);
  EXPECT_DOUBLE_EQ(TerrorBand(max, max, 10, 0.5), 10);
}

TEST(ComputeTerrorism, BandColumnPooledAndByBlock) {
  std::vector<double> s = {0, 10, 100, kNa, 5, 50};
  std::vector<int> pooled(6, 0), by_year = {2020, 2020, 2020, 2021, 2021, 2021};
  auto a = s;
  auto used = TerrorBandColumn(a, pooled, 10, 0);
  EXPECT_EQ(a[0], 0);
  EXPECT_DOUBLE_EQ(a[2], 10);  // only the panel's highest scores 10
  EXPECT_LT(a[5], 10);
  EXPECT_TRUE(IsNa(a[3]));
  EXPECT_DOUBLE_EQ(a[1], 10 * std::log(11.0) / std::log(101.0));
  for (double u : used) EXPECT_EQ(u, 100);
  auto b = s;
  used = TerrorBandColumn(b, by_year, 10, 0);
  EXPECT_DOUBLE_EQ(b[2], 10);
  EXPECT_DOUBLE_EQ(b[5], 10);  // each year's highest scores 10
  EXPECT_EQ(used[4], 50);
  // A fixed maximum (the IEP's later code: 20,000) ignores the data's own.
  auto c = s;
  TerrorBandColumn(c, pooled, 10, 0, 20000);
  EXPECT_DOUBLE_EQ(c[2], 10 * std::log(101.0) / std::log(20001.0));
  // A block with no impact at all scores 0 everywhere (not 0/0).
  std::vector<double> z = {0, 0, 0};
  std::vector<int> zb(3, 0);
  TerrorBandColumn(z, zb, 10, 0);
  for (double v : z) EXPECT_EQ(v, 0);
}

}  // namespace
}  // namespace gpsi::compute
