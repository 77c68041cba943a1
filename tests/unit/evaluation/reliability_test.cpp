// Reliability: Icc against psych::ICC (run through Rscript) on Shrout & Fleiss's table, a complete
// and an incomplete table; Krippendorff's α on his published example and against its definition;
// Spearman–Brown and its inverse exactly.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "evaluation.hpp"
#include "test_util.hpp"

namespace gpsi::evaluation {
namespace {

constexpr double NA = kNa;
using Table = std::vector<std::vector<double>>;

using test::RunR;

//! The table as an R matrix, by rows.
std::string RMatrix(const Table& x) {
  std::string s = "matrix(c(";
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = 0; j < x[i].size(); ++j)
      s += (i + j ? "," : "") + (IsNa(x[i][j]) ? std::string("NA") : fmt::format("{:.17g}", x[i][j]));
  return s + fmt::format("), ncol = {}, byrow = TRUE)", x[0].size());
}

//! psych::ICC(x): per form its 7 numbers, then the lme variances (subjects, judges, residual).
//! psych calls lmer with lme4's default optimiser control, whose tolerances stop ~1e-5 short of
//! the REML optimum (xtol_abs = ftol_abs = 1e-8, and nloptr's own xtol_rel = 1e-4, which lme4
//! leaves in place); tightening that default is the only way in, as ICC passes no control.
std::vector<std::vector<double>> RIcc(const Table& x) {
  const std::string out = RunR(
      "suppressMessages(library(psych)); e <- environment(lme4::nloptwrap); "
      "e$defaultControl <- modifyList(e$defaultControl, list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 0)); "
      "r <- suppressMessages(ICC(" +
      RMatrix(x) +
      ")); s <- r$results; cat(sprintf(\"%.17g %.17g %.17g %.17g %.17g %.17g %.17g\\n\", s$ICC, s$F, s$df1, "
      "s$df2, s$p, s[[\"lower bound\"]], s[[\"upper bound\"]]), sep = \"\"); "
      "cat(sprintf(\"%.17g %.17g %.17g\\n\", r$lme[1, 1], r$lme[2, 1], r$lme[3, 1]))");
  std::istringstream in(out);
  std::vector<std::vector<double>> rows;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::vector<double> row;
    for (double v = 0; fields >> v;) row.push_back(v);
    rows.push_back(row);
  }
  return rows;
}

//! Icc(x) against psych::ICC(x) to 1e-6 on every number; prints the largest difference.
void ExpectLikePsych(const Table& x, const std::string& what) {
  SCOPED_TRACE(what);
  const auto want = RIcc(x);
  ASSERT_EQ(want.size(), 7u) << "Rscript with psych and lme4 (r-cran-psych, make setup) is needed";
  auto got = Icc(x);
  ASSERT_TRUE(got.ok()) << got.error().message;
  const char* forms[] = {"ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"};
  const char* fields[] = {"ICC", "F", "df1", "df2", "p", "lower", "upper"};
  ASSERT_EQ(got->forms.size(), 6u);
  double worst = 0;
  for (std::size_t r = 0; r < 6; ++r) {
    const IccValue& v = got->forms[r];
    EXPECT_EQ(v.form, forms[r]);
    const double mine[] = {v.icc, v.f, v.df1, v.df2, v.p, v.lower, v.upper};
    for (std::size_t c = 0; c < 7; ++c) {
      EXPECT_NEAR(mine[c], want[r][c], 1e-6) << forms[r] << " " << fields[c];
      worst = std::max(worst, std::abs(mine[c] - want[r][c]));
    }
  }
  const double vars[] = {got->var_subjects, got->var_judges, got->var_residual};
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_NEAR(vars[c], want[6][c], 1e-6) << "variance " << c;
    worst = std::max(worst, std::abs(vars[c] - want[6][c]));
  }
  EXPECT_EQ(got->subjects, x.size());
  EXPECT_EQ(got->judges, x[0].size());
  std::cout << fmt::format("[ psych    ] {}: max |diff| {:.3g}\n", what, worst);
}

//! A standard normal draw by Box–Muller from the portable mt19937_64 (the std distributions are not).
double Normal(std::mt19937_64& rng) {
  const double u1 = (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53;
  const double u2 = (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53;
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

//! Subjects × judges scores on a half-point scale: subject level, judge severity and noise; each
//! row scored by `per_row` judges (all when 0), a deterministic rotation over the judges.
Table Scores(std::size_t rows, std::size_t judges, std::size_t per_row, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> severity(judges);
  for (auto& s : severity) s = 0.5 * Normal(rng);
  Table x(rows, std::vector<double>(judges, NA));
  for (std::size_t i = 0; i < rows; ++i) {
    const double level = 5 + Normal(rng);
    for (std::size_t j = 0; j < judges; ++j) {
      const std::size_t d = (j + judges - i % judges) % judges;  // the judge's place in this row's rotation
      const bool scores = per_row == 0 || d == 0 || d == 2 || d == 5;
      if (scores) x[i][j] = std::round(2 * (level + severity[j] + 0.7 * Normal(rng))) / 2;
    }
  }
  return x;
}

//! Shrout & Fleiss (1979), Table 2: six targets, four judges (psych's `sf` example).
const Table kShroutFleiss{{9, 2, 5, 8}, {6, 1, 3, 2}, {8, 4, 6, 8}, {7, 1, 2, 6}, {10, 5, 6, 9}, {6, 2, 4, 7}};

TEST(IccOracle, ShroutFleissIsPsych) {
  ExpectLikePsych(kShroutFleiss, "Shrout & Fleiss");
}

TEST(IccOracle, CompleteTableIsPsych) {
  ExpectLikePsych(Scores(12, 5, 0, 17), "complete 12 x 5");
}

TEST(IccOracle, IncompleteTableIsPsych) {
  const Table x = Scores(16, 8, 3, 23);
  for (const auto& row : x) ASSERT_EQ(std::count_if(row.begin(), row.end(), [](double v) { return !IsNa(v); }), 3);
  ExpectLikePsych(x, "incomplete 16 x 8, 3 per row");
}

TEST(Icc, ShroutFleissPublishedValues) {
  // Shrout & Fleiss (1979) Table 4: ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44,
  // ICC(2,4) .62, ICC(3,4) .91 (a balanced table: REML gives the ANOVA mean squares).
  auto t = Icc(kShroutFleiss);
  ASSERT_TRUE(t.ok());
  const double published[] = {0.17, 0.29, 0.71, 0.44, 0.62, 0.91};
  for (std::size_t r = 0; r < 6; ++r) EXPECT_NEAR(t->forms[r].icc, published[r], 0.005) << t->forms[r].form;
  EXPECT_NEAR(t->forms[1].f, 11.027, 0.001);
}

TEST(Icc, BalancedTableGivesTheAnovaComponents) {
  // On a complete table REML's components are the two-way ANOVA's when positive:
  // σ²_s = (MSB − MSE)/k, σ²_j = (MSJ − MSE)/n, σ² = MSE.
  for (const Table& x : {kShroutFleiss, Scores(12, 5, 0, 17)}) {
    const double n = static_cast<double>(x.size()), k = static_cast<double>(x[0].size());
    double grand = 0;
    std::vector<double> row(x.size(), 0), col(x[0].size(), 0);
    for (std::size_t i = 0; i < x.size(); ++i)
      for (std::size_t j = 0; j < x[0].size(); ++j) {
        grand += x[i][j] / (n * k);
        row[i] += x[i][j] / k;
        col[j] += x[i][j] / n;
      }
    double ssb = 0, ssj = 0, sst = 0;
    for (double r : row) ssb += k * (r - grand) * (r - grand);
    for (double c : col) ssj += n * (c - grand) * (c - grand);
    for (const auto& r : x)
      for (double v : r) sst += (v - grand) * (v - grand);
    const double msb = ssb / (n - 1), msj = ssj / (k - 1), mse = (sst - ssb - ssj) / ((n - 1) * (k - 1));
    auto t = Icc(x);
    ASSERT_TRUE(t.ok());
    EXPECT_NEAR(t->var_subjects, (msb - mse) / k, 1e-6);
    EXPECT_NEAR(t->var_judges, (msj - mse) / n, 1e-6);
    EXPECT_NEAR(t->var_residual, mse, 1e-6);
    std::cout << fmt::format("[ anova    ] |diff| {:.3g} {:.3g} {:.3g}\n", t->var_subjects - (msb - mse) / k,
                             t->var_judges - (msj - mse) / n, t->var_residual - mse);
  }
}

TEST(Icc, MalformedTablesAreUsageErrors) {
  const auto usage = [](const Table& x, double alpha, const std::string& why) {
    auto t = Icc(x, alpha);
    ASSERT_FALSE(t.ok()) << why;
    EXPECT_EQ(t.error().code, Errc::kUsage) << why;
  };
  usage({{1, 2, 3}}, 0.05, "one row");
  usage({}, 0.05, "no rows");
  usage({{1}, {2}, {3}}, 0.05, "one column");
  usage({{1, 2, 3}, {2, 3}, {3, 4, 5}}, 0.05, "ragged");
  usage({{1, 2, 3}, {NA, NA, NA}, {3, 4, 5}}, 0.05, "a row without a value");
  usage({{1, NA, 3}, {2, NA, 4}, {3, NA, 5}}, 0.05, "a column without a value");
  usage({{1, 2, 3}, {2, 3, 4}, {3, 4, 5}}, 0, "alpha 0");
  usage({{1, 2, 3}, {2, std::numeric_limits<double>::infinity(), 4}, {3, 4, 5}}, 0.05, "an infinite value");
  usage({{3, 3, 3}, {3, 3, 3}, {3, 3, 3}}, 0.05, "no variation at all");
}

//! Krippendorff (2011), "Computing Krippendorff's alpha-reliability", §C: 4 observers × 12
//! units with missing values, here transposed (units as rows). Unit 12 has one value: unpairable.
const Table kKrippendorff{
    {1, 1, NA, 1}, {2, 2, 3, 2}, {3, 3, 3, 3}, {3, 3, 3, 3},  {2, 2, 2, 2},   {1, 2, 3, 4},
    {4, 4, 4, 4},  {1, 1, 2, 1}, {2, 2, 2, 2}, {NA, 5, 5, 5}, {NA, NA, 1, 1}, {NA, 3, NA, NA},
};

TEST(KrippendorffAlpha, PublishedIntervalExample) {
  // The paper gives α_interval = 0.849; exactly 1 − D_o/D_e = 1 − (13/30)/(112/39) = 951/1120.
  const double a = KrippendorffAlpha(kKrippendorff);
  std::cout << fmt::format("[ alpha    ] Krippendorff 2011: {:.17g}, |diff| from 951/1120 {:.3g}\n", a,
                           std::abs(a - 951.0 / 1120));
  EXPECT_NEAR(a, 0.849, 5e-4);
  EXPECT_NEAR(a, 951.0 / 1120, 1e-15);
}

//! α from its definition, every ordered pair summed (the implementation uses 2 m Σ (v − v̄)²).
double AlphaByPairs(const Table& x) {
  std::vector<std::vector<double>> units;
  for (const auto& row : x) {
    std::vector<double> u;
    for (double v : row)
      if (!IsNa(v)) u.push_back(v);
    if (u.size() >= 2) units.push_back(u);
  }
  std::vector<double> all;
  double d_o = 0;
  for (const auto& u : units) {
    double s = 0;
    for (std::size_t i = 0; i < u.size(); ++i)
      for (std::size_t j = 0; j < u.size(); ++j) s += (u[i] - u[j]) * (u[i] - u[j]);
    d_o += s / static_cast<double>(u.size() - 1);
    all.insert(all.end(), u.begin(), u.end());
  }
  const auto n = static_cast<double>(all.size());
  double d_e = 0;
  for (double a : all)
    for (double b : all) d_e += (a - b) * (a - b);
  return 1 - (d_o / n) / (d_e / (n * (n - 1)));
}

TEST(KrippendorffAlpha, MatchesTheDefinitionOnAnIncompleteTable) {
  const Table x = Scores(30, 8, 3, 5);
  EXPECT_NEAR(KrippendorffAlpha(x), AlphaByPairs(x), 1e-12);
  const Table y = Scores(10, 4, 0, 9);
  EXPECT_NEAR(KrippendorffAlpha(y), AlphaByPairs(y), 1e-12);
}

TEST(KrippendorffAlpha, PerfectAgreementIsOne) {
  EXPECT_DOUBLE_EQ(KrippendorffAlpha({{1, 1, 1}, {3, 3, NA}, {4.5, NA, 4.5}, {NA, 2, 2}}), 1.0);
}

TEST(KrippendorffAlpha, EdgeCasesAreNa) {
  EXPECT_TRUE(IsNa(KrippendorffAlpha({})));
  EXPECT_TRUE(IsNa(KrippendorffAlpha({{1, 2, 3}})));                   // one unit
  EXPECT_TRUE(IsNa(KrippendorffAlpha({{1, 2}, {3, NA}, {NA, 4}})));    // one pairable unit
  EXPECT_TRUE(IsNa(KrippendorffAlpha({{2, 2}, {2, 2, 2}, {2, NA}})));  // no variation: D_e = 0
  EXPECT_TRUE(IsNa(KrippendorffAlpha({{NA, NA}, {NA, NA}})));
}

TEST(SpearmanBrown, ProphecyAndItsInverse) {
  EXPECT_DOUBLE_EQ(SpearmanBrown(0.5, 3), 0.75);
  EXPECT_DOUBLE_EQ(SpearmanBrown(0.3, 1), 0.3);
  EXPECT_DOUBLE_EQ(SpearmanBrown(0.2, 4), 0.8 / 1.6);
  EXPECT_DOUBLE_EQ(JudgesFor(0.5, 0.75), 3);
  EXPECT_DOUBLE_EQ(JudgesFor(0.5, 0.9), 9);
  EXPECT_DOUBLE_EQ(JudgesFor(0.6, 0.6), 1);
  for (double r : {0.1, 0.35, 0.8})
    for (double t : {0.5, 0.75, 0.9}) EXPECT_NEAR(SpearmanBrown(r, JudgesFor(r, t)), t, 1e-12);
}

TEST(SpearmanBrown, JudgesForWithoutReliabilityIsNa) {
  EXPECT_TRUE(IsNa(JudgesFor(0, 0.75)));
  EXPECT_TRUE(IsNa(JudgesFor(-0.2, 0.75)));
  EXPECT_TRUE(IsNa(JudgesFor(NA, 0.75)));
}

}  // namespace
}  // namespace gpsi::evaluation
