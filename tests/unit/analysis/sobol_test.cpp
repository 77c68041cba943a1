// Unit tests of the Sobol sensitivity kernels: the Saltelli design's determinism and structure,
// and the Saltelli (2010) / Jansen (1999) estimators against functions with analytic indices —
// Ishigami (Ishigami & Homma 1990; its indices derived from the ANOVA decomposition in the test),
// an additive linear function, a function of one input — plus bootstrap intervals, constant and
// incomplete outputs, and the streaming accumulator.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numbers>
#include <vector>

#include "analysis.hpp"

namespace gpsi::analysis {
namespace {

using Model = std::function<double(std::span<const double>)>;

// Runs the model over every run of the design, in run order.
std::vector<double> Outputs(const SaltelliDesign& d, const Model& f) {
  std::vector<double> y(d.runs()), x(d.k());
  for (std::size_t r = 0; r < d.runs(); ++r) {
    d.Inputs(r, x);
    y[r] = f(x);
  }
  return y;
}

// Ishigami on [−π, π]³ from inputs in [0, 1): f = sin x1 + a sin² x2 + b x3⁴ sin x1.
double Ishigami(std::span<const double> u) {
  constexpr double kA = 7, kB = 0.1, kPi = std::numbers::pi;
  const double x1 = -kPi + 2 * kPi * u[0], x2 = -kPi + 2 * kPi * u[1], x3 = -kPi + 2 * kPi * u[2];
  return std::sin(x1) + kA * std::sin(x2) * std::sin(x2) + kB * std::pow(x3, 4) * std::sin(x1);
}

// ---- design -------------------------------------------------------------------------------------

TEST(AnalysisSobolDesign, SameSeedSameInputsOtherSeedDiffers) {
  const SaltelliDesign d1(64, 5, 42), d2(64, 5, 42), d3(64, 5, 43);
  ASSERT_EQ(d1.runs(), 64u * 7u);
  std::vector<double> x1(5), x2(5), x3(5);
  std::size_t differ = 0;
  for (std::size_t r = 0; r < d1.runs(); ++r) {
    d1.Inputs(r, x1);
    d2.Inputs(r, x2);
    d3.Inputs(r, x3);
    EXPECT_EQ(x1, x2) << "run " << r;
    differ += x1 != x3;
  }
  EXPECT_EQ(differ, d1.runs());
}

TEST(AnalysisSobolDesign, BlocksAreABAndAWithColumnIFromB) {
  constexpr std::size_t kN = 50, kK = 4;
  const SaltelliDesign d(kN, kK, 7);
  std::vector<double> x(kK);
  for (std::size_t j = 0; j < kN; ++j) {
    for (std::size_t c = 0; c < kK; ++c) {
      EXPECT_GE(d.A(j, c), 0.0);
      EXPECT_LT(d.A(j, c), 1.0);
      EXPECT_NE(d.A(j, c), d.B(j, c));
    }
    d.Inputs(j, x);  // block 0: A
    for (std::size_t c = 0; c < kK; ++c) EXPECT_EQ(x[c], d.A(j, c));
    d.Inputs(kN + j, x);  // block 1: B
    for (std::size_t c = 0; c < kK; ++c) EXPECT_EQ(x[c], d.B(j, c));
    for (std::size_t i = 0; i < kK; ++i) {  // block i + 2: A_B^(i)
      d.Inputs((i + 2) * kN + j, x);
      for (std::size_t c = 0; c < kK; ++c) EXPECT_EQ(x[c], c == i ? d.B(j, c) : d.A(j, c)) << j << ' ' << i << ' ' << c;
    }
  }
}

TEST(AnalysisSobolDesign, RowsDoNotDependOnNOrOnLaterColumns) {
  // Each row has its own streams, so growing N or k only appends; this is also why the runs can
  // be split across threads or MPI ranks in any way.
  const SaltelliDesign small(10, 3, 5), big(40, 6, 5);
  for (std::size_t j = 0; j < 10; ++j)
    for (std::size_t c = 0; c < 3; ++c) {
      EXPECT_EQ(small.A(j, c), big.A(j, c));
      EXPECT_EQ(small.B(j, c), big.B(j, c));
    }
}

TEST(AnalysisSobolDesign, UniformMarginals) {
  // Mean 1/2 and variance 1/12 per column, within 4 standard errors.
  constexpr std::size_t kN = 20000;
  const SaltelliDesign d(kN, 3, 11);
  for (std::size_t c = 0; c < 3; ++c) {
    double s = 0, s2 = 0;
    for (std::size_t j = 0; j < kN; ++j) s += d.A(j, c), s2 += d.A(j, c) * d.A(j, c);
    const double mean = s / kN, var = s2 / kN - mean * mean;
    EXPECT_NEAR(mean, 0.5, 4 * std::sqrt(1.0 / 12 / kN));
    EXPECT_NEAR(var, 1.0 / 12, 4 * std::sqrt(1.0 / 180 / kN));  // Var(U²-ish) ≤ 1/180 for U(0,1)
  }
}

// ---- estimators against analytic indices -----------------------------------------------------------

TEST(AnalysisSobolIndices, IshigamiMatchesAnalyticIndices) {
  // Analytic (a = 7, b = 0.1): V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2, V1 = (1 + bπ⁴/5)²/2, V2 = a²/8,
  // V13 = 8b²π⁸/225; S1 = V1/V, S2 = V2/V, S3 = 0, ST1 = (V1+V13)/V, ST2 = S2, ST3 = V13/V.
  constexpr double kA = 7, kB = 0.1, kPi = std::numbers::pi;
  const double pi4 = std::pow(kPi, 4), pi8 = std::pow(kPi, 8);
  const double v = kA * kA / 8 + kB * pi4 / 5 + kB * kB * pi8 / 18 + 0.5;
  const double v1 = 0.5 * (1 + kB * pi4 / 5) * (1 + kB * pi4 / 5), v2 = kA * kA / 8, v13 = 8 * kB * kB * pi8 / 225;
  const double s[3] = {v1 / v, v2 / v, 0}, st[3] = {(v1 + v13) / v, v2 / v, v13 / v};
  ASSERT_NEAR(s[0], 0.3139, 1e-4);
  ASSERT_NEAR(s[1], 0.4424, 1e-4);
  ASSERT_NEAR(st[0], 0.5576, 1e-4);
  ASSERT_NEAR(st[2], 0.2437, 1e-4);

  // N = 2^16 rows (327,680 runs). The standard error of these estimators on Ishigami is about
  // 1.0–1.4/√N ≈ 0.004–0.0055 (bootstrap at N = 2^15 and 2^16 agree with 1/√N scaling), and the
  // test asserts it stays below 0.0065; the absolute tolerance 0.025 is thus ≥ 4 standard errors —
  // a failure means a wrong estimator, not bad luck. Each error is also held to 4 of its own
  // bootstrap standard errors (90% half-width / 1.645).
  const SaltelliDesign d(1 << 16, 3, 2024);
  const auto idx = SobolIndices(Outputs(d, Ishigami), d.n(), 3, 300, 9, 0.90);
  ASSERT_EQ(idx.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_NEAR(idx[i].first, s[i], 0.025);
    EXPECT_NEAR(idx[i].total, st[i], 0.025);
    const double se_first = (idx[i].first_hi - idx[i].first_lo) / 2 / 1.645;
    const double se_total = (idx[i].total_hi - idx[i].total_lo) / 2 / 1.645;
    EXPECT_LT(se_first, 0.0065);
    EXPECT_LT(se_total, 0.0065);
    EXPECT_LE(std::abs(idx[i].first - s[i]), 4 * se_first);
    EXPECT_LE(std::abs(idx[i].total - st[i]), 4 * se_total);
  }
}

TEST(AnalysisSobolIndices, AdditiveLinearFunction) {
  // f = Σ c_i x_i with independent uniform x_i: S_i = ST_i = c_i² / Σ c_j². The standard errors at
  // N = 2^14 are below 0.01 here, so 0.03 is ≥ 3σ for all eight estimates together.
  const std::vector<double> c = {1, 2, 3, 4};
  const double total = 1 + 4 + 9 + 16;
  const SaltelliDesign d(1 << 14, 4, 3);
  const auto idx = SobolIndices(Outputs(d,
                                        [&](std::span<const double> x) {
                                          double f = 0;
                                          for (std::size_t i = 0; i < c.size(); ++i) f += c[i] * x[i];
                                          return f;
                                        }),
                                d.n(), 4, 0);
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_NEAR(idx[i].first, c[i] * c[i] / total, 0.03);
    EXPECT_NEAR(idx[i].total, c[i] * c[i] / total, 0.03);
    EXPECT_TRUE(std::isnan(idx[i].first_lo));  // no bootstrap, no interval
  }
}

TEST(AnalysisSobolIndices, FunctionOfOneInputOnly) {
  // f = sin(2π x₂) + 100 (offset: ranks are far from zero too): S₂ = ST₂ = 1; the others have
  // f(A_B^i) = f(A) exactly, so their indices and intervals are exactly 0.
  const SaltelliDesign d(1 << 13, 4, 17);
  const auto idx = SobolIndices(
      Outputs(d, [](std::span<const double> x) { return std::sin(2 * std::numbers::pi * x[2]) + 100; }), d.n(), 4, 200);
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    if (i == 2) {
      EXPECT_NEAR(idx[i].first, 1.0, 0.03);
      EXPECT_NEAR(idx[i].total, 1.0, 0.03);
    } else {
      EXPECT_EQ(idx[i].first, 0.0);
      EXPECT_EQ(idx[i].total, 0.0);
      EXPECT_EQ(idx[i].first_lo, 0.0);
      EXPECT_EQ(idx[i].total_hi, 0.0);
    }
  }
}

TEST(AnalysisSobolIndices, ShiftOfOutputDoesNotChangeIndices) {
  // Centring by f₀ makes the estimates invariant (to rounding) under f → f + 1000.
  const SaltelliDesign d(4096, 3, 8);
  auto y = Outputs(d, Ishigami);
  const auto a = SobolIndices(y, d.n(), 3, 0);
  for (double& v : y) v += 1000;
  const auto b = SobolIndices(y, d.n(), 3, 0);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(a[i].first, b[i].first, 1e-9);
    EXPECT_NEAR(a[i].total, b[i].total, 1e-9);
  }
}

// ---- bootstrap ----------------------------------------------------------------------------------------

TEST(AnalysisSobolBootstrap, IntervalsContainEstimateShrinkWithNAndAreDeterministic) {
  const SaltelliDesign small(2048, 3, 1), big(32768, 3, 1);
  const auto a = SobolIndices(Outputs(small, Ishigami), small.n(), 3, 400, 5, 0.90);
  const auto b = SobolIndices(Outputs(big, Ishigami), big.n(), 3, 400, 5, 0.90);
  const auto a2 = SobolIndices(Outputs(small, Ishigami), small.n(), 3, 400, 5, 0.90);
  const auto a3 = SobolIndices(Outputs(small, Ishigami), small.n(), 3, 400, 6, 0.90);
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    for (const auto* x : {&a[i], &b[i]}) {
      EXPECT_LE(x->first_lo, x->first);
      EXPECT_GE(x->first_hi, x->first);
      EXPECT_LE(x->total_lo, x->total);
      EXPECT_GE(x->total_hi, x->total);
    }
    // 16× the rows: widths fall by about 4 (1/√N); require at least 2.5.
    EXPECT_LT(b[i].first_hi - b[i].first_lo, (a[i].first_hi - a[i].first_lo) / 2.5);
    EXPECT_LT(b[i].total_hi - b[i].total_lo, (a[i].total_hi - a[i].total_lo) / 2.5);
    EXPECT_EQ(a[i].first_lo, a2[i].first_lo);
    EXPECT_EQ(a[i].total_hi, a2[i].total_hi);
    EXPECT_NE(a[i].first_lo, a3[i].first_lo);
    EXPECT_EQ(a[i].first, a3[i].first);  // the seed only drives the resampling
  }
}

TEST(AnalysisSobolBootstrap, WiderLevelGivesWiderInterval) {
  const SaltelliDesign d(2048, 3, 1);
  const auto y = Outputs(d, Ishigami);
  const auto p90 = SobolIndices(y, d.n(), 3, 400, 5, 0.90), p99 = SobolIndices(y, d.n(), 3, 400, 5, 0.99);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_LT(p99[i].first_lo, p90[i].first_lo);
    EXPECT_GT(p99[i].first_hi, p90[i].first_hi);
  }
}

// ---- degenerate outputs ----------------------------------------------------------------------------------

TEST(AnalysisSobolIndices, ConstantOutputGivesNaN) {
  // V = 0: the indices are 0/0, undefined; they stay NaN (kNa) rather than claim 0 or 1.
  const SaltelliDesign d(256, 3, 2);
  for (double level : {0.0, 37.0}) {
    const std::vector<double> y(d.runs(), level);
    const auto idx = SobolIndices(y, d.n(), 3, 50);
    ASSERT_EQ(idx.size(), 3u);
    for (const auto& s : idx) {
      EXPECT_TRUE(std::isnan(s.first));
      EXPECT_TRUE(std::isnan(s.total));
      EXPECT_TRUE(std::isnan(s.first_lo));
      EXPECT_TRUE(std::isnan(s.total_hi));
    }
  }
}

TEST(AnalysisSobolIndices, RowsWithNonFiniteOutputAreLeftOut) {
  const SaltelliDesign d(1000, 3, 4);
  auto y = Outputs(d, Ishigami);
  // Spoil row 10 in block A_B^(1) and row 20 in block B: both rows drop out entirely.
  y[3 * d.n() + 10] = std::numeric_limits<double>::quiet_NaN();
  y[1 * d.n() + 20] = std::numeric_limits<double>::infinity();
  SobolAccumulator acc(3);
  for (std::size_t j = 0; j < d.n(); ++j) {
    const double ab[3] = {y[2 * d.n() + j], y[3 * d.n() + j], y[4 * d.n() + j]};
    acc.Add(y[j], y[d.n() + j], ab);
  }
  EXPECT_EQ(acc.rows(), 998u);
  EXPECT_EQ(acc.skipped(), 2u);
  const auto idx = SobolIndices(y, d.n(), 3, 0), ref = acc.Indices();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(std::isfinite(idx[i].first));
    EXPECT_NEAR(idx[i].first, ref[i].first, 1e-12);
    EXPECT_NEAR(idx[i].total, ref[i].total, 1e-12);
  }
}

// ---- streaming accumulator -----------------------------------------------------------------------------

TEST(AnalysisSobolAccumulator, MergedRowsInAnyOrderMatchSobolIndices) {
  const SaltelliDesign d(5000, 3, 12);
  std::vector<double> y = Outputs(d, Ishigami);
  for (double& v : y) v += 50;  // far-from-zero outputs, like ranks
  const auto ref = SobolIndices(y, d.n(), 3, 0);
  // Two "threads": odd rows forward, even rows backward, then merged.
  SobolAccumulator odd(3), even(3), empty(3);
  auto add = [&](SobolAccumulator& acc, std::size_t row) {
    const double ab[3] = {y[2 * d.n() + row], y[3 * d.n() + row], y[4 * d.n() + row]};
    acc.Add(y[row], y[d.n() + row], ab);
  };
  for (std::size_t j = 1; j < d.n(); j += 2) add(odd, j);
  for (std::size_t j = d.n(); j-- > 0;)
    if (j % 2 == 0) add(even, j);
  empty.Merge(odd);
  empty.Merge(even);
  EXPECT_EQ(empty.rows(), d.n());
  const auto got = empty.Indices();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(got[i].first, ref[i].first, 1e-10);
    EXPECT_NEAR(got[i].total, ref[i].total, 1e-10);
    EXPECT_TRUE(std::isnan(got[i].first_lo));
  }
}

TEST(AnalysisSobolAccumulator, EmptyAndConstantGiveNaN) {
  SobolAccumulator acc(2);
  EXPECT_TRUE(std::isnan(acc.Indices()[0].first));
  const double ab[2] = {3, 3};
  for (int j = 0; j < 10; ++j) acc.Add(3, 3, ab);
  EXPECT_TRUE(std::isnan(acc.Indices()[1].total));
}

}  // namespace
}  // namespace gpsi::analysis
