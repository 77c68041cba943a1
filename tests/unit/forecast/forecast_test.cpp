// The forecast module: R forecast's naive and rwf(drift) as the oracle (run through Rscript, to
// 1e-9), the proper scores against their definitions, the models' supports and seeding, and a
// backtest on a fixture whose best model is known.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "forecast.hpp"
#include "test_util.hpp"

namespace gpsi::forecast {
namespace {

constexpr double NA = kNa;

using test::RunR;

std::string RVector(const std::vector<double>& y) {
  std::string s = "c(";
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (i) s += ",";
    s += IsNa(y[i]) ? "NA" : fmt::format("{:.17g}", y[i]);
  }
  return s + ")";
}

//! R's forecasts of y at horizons 1..3: per horizon the mean and the 80 % and 95 % upper bounds.
std::vector<std::array<double, 3>> RForecast(const std::string& fn, const std::vector<double>& y) {
  const std::string out = RunR("suppressMessages(library(forecast)); f <- " + fn + "(" + RVector(y) +
                               ", h = 3); cat(sprintf(\"%.17g %.17g %.17g\\n\", f$mean, f$upper[, 1], f$upper[, 2]), "
                               "sep = \"\")");
  std::istringstream in(out);
  std::vector<std::array<double, 3>> rows;
  std::array<double, 3> r{};
  while (in >> r[0] >> r[1] >> r[2]) rows.push_back(r);
  return rows;
}

void ExpectLikeR(const std::string& fn, const std::vector<double>& y) {
  const auto want = RForecast(fn, y);
  ASSERT_EQ(want.size(), 3u) << "Rscript with the forecast package (r-cran-forecast, make setup) is needed";
  const auto got = fn == "naive" ? Naive(y, 3) : Drift(y, 3);
  const double z80 = 1.2815515655446004, z95 = 1.959963984540054;  // R qnorm(0.9), qnorm(0.975)
  for (std::size_t h = 0; h < 3; ++h) {
    SCOPED_TRACE(fn + " " + RVector(y) + " h=" + std::to_string(h + 1));
    EXPECT_NEAR(got[h].mean, want[h][0], 1e-9);
    EXPECT_NEAR(got[h].mean + z80 * got[h].se, want[h][1], 1e-9);
    EXPECT_NEAR(got[h].mean + z95 * got[h].se, want[h][2], 1e-9);
  }
}

const std::vector<std::vector<double>> kSeries{
    {3, 5, 4, 8, 7, 9},
    {3, 5, NA, 8, 7, 9},             // a gap: the change across it counts as one step (R lagwalk)
    {NA, NA, 12.5, 11.25, 13, NA},   // leading and trailing gaps
    {1.5, 1.5, 1.5, 2.5, 0.5, 1.5},  // drift exactly 0: R divides by n, not n − 1
    {0.031, 0.029, 0.035, 0.04, 0.038, 0.041, 0.05, 0.047, 0.052, 0.06},
};

TEST(ForecastOracle, NaiveIsRForecastNaive) {
  for (const auto& y : kSeries) ExpectLikeR("naive", y);
}

TEST(ForecastOracle, DriftIsRForecastRwfWithDrift) {
  for (const auto& y : kSeries) {
    const auto want = RForecast("(function(y, h) rwf(y, h = h, drift = TRUE))", y);
    ASSERT_EQ(want.size(), 3u);
    const auto got = Drift(y, 3);
    for (std::size_t h = 0; h < 3; ++h) {
      EXPECT_NEAR(got[h].mean, want[h][0], 1e-9) << RVector(y);
      EXPECT_NEAR(got[h].mean + 1.2815515655446004 * got[h].se, want[h][1], 1e-9) << RVector(y);
    }
  }
}

TEST(ForecastOracle, NoValueOrNoChangeGivesNaN) {
  EXPECT_TRUE(IsNa(Naive(std::vector<double>{NA, NA}, 1)[0].mean));
  EXPECT_TRUE(IsNa(Naive(std::vector<double>{4}, 1)[0].mean));
  EXPECT_TRUE(IsNa(Drift(std::vector<double>{4, 5}, 1)[0].mean));  // one change: no variance
}

// ---- scores -----------------------------------------------------------------------------------

TEST(ForecastScores, CrpsIsTheEnergyFormOfTheDraws) {
  // By definition E|X − y| − ½E|X − X'| over the empirical distribution, pair by pair.
  const std::vector<double> x{-1.5, 0.25, 0.5, 2, 7};
  for (double y : {-3.0, 0.3, 2.0, 10.0}) {
    double a = 0, b = 0;
    for (double xi : x) a += std::fabs(xi - y);
    for (double xi : x) {
      for (double xj : x) b += std::fabs(xi - xj);
    }
    const double n = static_cast<double>(x.size());
    EXPECT_NEAR(Crps(x, y), a / n - b / (2 * n * n), 1e-12) << y;
  }
  EXPECT_DOUBLE_EQ(Crps(std::vector<double>{4, 4, 4}, 1), 3);  // a point forecast: its absolute error
}

TEST(ForecastScores, IntervalScorePenalisesMissesByTwoOverAlpha) {
  EXPECT_DOUBLE_EQ(IntervalScore(1, 3, 2, 0.1), 2);
  EXPECT_DOUBLE_EQ(IntervalScore(1, 3, 0, 0.1), 2 + 20 * 1);
  EXPECT_DOUBLE_EQ(IntervalScore(1, 3, 4.5, 0.1), 2 + 20 * 1.5);
}

TEST(ForecastScores, IgnoranceUsesTheBinOfTheOutcomeWithOnePseudoDraw) {
  const std::vector<double> edges{1, 10};  // bins (−∞,1) [1,10) [10,∞)
  const std::vector<double> draws{0, 0, 5, 5, 5, 20};
  // Outcome 7 is in the middle bin: 3 draws of 6, plus ⅓ of one pseudo-draw, over 7.
  EXPECT_NEAR(Ignorance(draws, edges, 7), -std::log2((3 + 1.0 / 3) / 7), 1e-12);
  EXPECT_NEAR(Ignorance(draws, edges, 100), -std::log2((1 + 1.0 / 3) / 7), 1e-12);
  EXPECT_GT(Ignorance(std::vector<double>{20, 20}, edges, 0), 0);  // an empty bin is not infinite
}

TEST(ForecastScores, AveragePrecisionIsScikitLearns) {
  // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.8333…
  EXPECT_NEAR(AveragePrecision(std::vector<double>{0.1, 0.4, 0.35, 0.8}, std::vector<int>{0, 0, 1, 1}), 5.0 / 6, 1e-12);
  EXPECT_DOUBLE_EQ(AveragePrecision(std::vector<double>{0.9, 0.1}, std::vector<int>{1, 0}), 1);
  EXPECT_TRUE(IsNa(AveragePrecision(std::vector<double>{0.9}, std::vector<int>{0})));
}

TEST(ForecastScores, SummaryIsRType7) {
  std::vector<double> d{5, 1, 4, 2, 3};
  const Summary s = Summarise(d);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.p05, 1.2);
  EXPECT_DOUBLE_EQ(s.p95, 4.8);
}

// ---- models -----------------------------------------------------------------------------------

//! units × years of a noisy trend per unit (level a_u + b·t + noise), from a fixed seed.
SeriesPanel Trend(std::size_t units, double slope, double noise, Scale scale = {}) {
  SeriesPanel p(units, 2000, 25, scale);
  Rng rng(7, 1);
  for (std::size_t u = 0; u < units; ++u) {
    const double level = 20 + 2.0 * static_cast<double>(u % 10);
    for (int t = 0; t < 25; ++t) p.at_mut(u, 2000 + t) = level + slope * t + noise * (rng.Uniform() - 0.5);
  }
  return p;
}

TEST(ForecastModels, DrawsKeepToTheSupport) {
  SeriesPanel p(3, 2000, 6, {Support::kCount});
  for (int y = 2000; y < 2006; ++y) {
    p.at_mut(0, y) = 0, p.at_mut(1, y) = 3 + (y % 2) * 7, p.at_mut(2, y) = 250 + 40 * (y % 3);
  }
  const Fit fit = Fit::At(p, 2005, {});
  std::vector<double> d(500);
  for (Model m : kModels) {
    for (std::size_t u = 0; u < 3; ++u) {
      Rng rng(1, Stream(u, 2005, 2, m));
      fit.Draw(m, u, 2, rng, d);
      for (double v : d) {
        ASSERT_GE(v, 0) << ToString(m);
        ASSERT_EQ(v, std::round(v)) << ToString(m);
      }
    }
  }
  Scale bounded{Support::kBounded, 0, 10};
  SeriesPanel b = Trend(20, 0.5, 4, bounded);
  for (auto& v : b.y) v = std::clamp(v / 4, 0.0, 10.0);
  const Fit fb = Fit::At(b, 2020, {});
  for (Model m : {Model::kNoChange, Model::kDrift, Model::kPooled, Model::kEnsemble}) {
    Rng rng(1, 2);
    fb.Draw(m, 0, 3, rng, d);
    for (double v : d) ASSERT_TRUE(v >= 0 && v <= 10) << ToString(m) << " " << v;
  }
}

TEST(ForecastModels, AUnitAtTheFloorOfABoundedScaleIsForecastThere) {
  // 30 units at 0 on a 0–10 score all along and 10 that move: the pooled model's draws for a unit
  // at the floor must include the floor itself (its logit is clamped, and must come back to 0).
  SeriesPanel p(40, 2000, 20, {Support::kBounded, 0, 10});
  Rng rng(5, 5);
  for (std::size_t u = 0; u < 40; ++u) {
    for (int y = 2000; y < 2020; ++y) p.at_mut(u, y) = u < 30 ? 0.0 : 2 + 6 * rng.Uniform();
  }
  const Fit f = Fit::At(p, 2019, {});
  std::vector<double> d(400);
  Rng r(1, 1);
  f.Draw(Model::kPooled, 0, 1, r, d);
  const std::size_t at_floor = static_cast<std::size_t>(std::count(d.begin(), d.end(), 0.0));
  EXPECT_GT(at_floor, 300u);
  for (double v : d) EXPECT_TRUE(v >= 0 && v <= 10);
}

TEST(ForecastModels, OnlyYearsUpToTheOriginAreRead) {
  SeriesPanel p = Trend(30, 1, 1);
  SeriesPanel cut = p;
  for (std::size_t u = 0; u < p.units; ++u) {
    for (int y = 2016; y <= p.last_year(); ++y) cut.at_mut(u, y) = 1e6;  // the future, poisoned
  }
  const Fit a = Fit::At(p, 2015, {}), b = Fit::At(cut, 2015, {});
  std::vector<double> da(200), db(200);
  for (Model m : kModels) {
    if (!Applies(m, p.scale.support)) continue;
    Rng ra(3, 4), rb(3, 4);
    a.Draw(m, 5, 2, ra, da);
    b.Draw(m, 5, 2, rb, db);
    EXPECT_EQ(da, db) << ToString(m);
  }
}

TEST(ForecastModels, TheSameSeedGivesTheSameDraws) {
  const SeriesPanel p = Trend(15, 0.3, 2);
  const Fit f = Fit::At(p, 2018, {});
  std::vector<double> a(100), b(100), c(100);
  Rng r1(9, Stream(2, 2018, 1, Model::kEnsemble)), r2(9, Stream(2, 2018, 1, Model::kEnsemble)),
      r3(10, Stream(2, 2018, 1, Model::kEnsemble));
  f.Draw(Model::kEnsemble, 2, 1, r1, a);
  f.Draw(Model::kEnsemble, 2, 1, r2, b);
  f.Draw(Model::kEnsemble, 2, 1, r3, c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(ForecastModels, UnitsWithoutARecentValueAreNotForecast) {
  SeriesPanel p(2, 2000, 10);
  p.at_mut(0, 2009) = 1, p.at_mut(1, 2001) = 1;
  const Fit f = Fit::At(p, 2009, {});
  EXPECT_TRUE(f.Forecastable(0));
  EXPECT_FALSE(f.Forecastable(1));  // 8 years old: beyond max_age
}

// ---- the backtest -----------------------------------------------------------------------------

TEST(ForecastBacktest, OnSteadyTrendsDriftAndThePooledModelBeatNoChange) {
  // 40 units on a common upward trend with little noise: a model that learns the trend (drift,
  // pooled) must beat the random walk without drift, significantly, at every horizon; bootstraps of
  // past levels, which lag the trend, must lose to it.
  const SeriesPanel p = Trend(40, 1.0, 0.5);
  BacktestConfig cfg;
  cfg.first_origin = 2012, cfg.last_origin = 2020, cfg.draws = 300, cfg.bootstrap = 500;
  const auto lines = Backtest(p, {}, cfg);
  auto line = [&](Model m, int h) {
    for (const auto& l : lines) {
      if (l.model == m && l.horizon == h) return l;
    }
    ADD_FAILURE() << "no line for " << ToString(m);
    return ScoreLine{};
  };
  const auto no_change = static_cast<std::size_t>(Model::kNoChange);
  for (int h = 1; h <= 3; ++h) {
    EXPECT_EQ(line(Model::kNoChange, h).n, 40u * 9u) << h;  // every unit, every origin
    for (Model m : {Model::kDrift, Model::kPooled}) {
      const ScoreLine l = line(m, h);
      EXPECT_LT(l.crps, line(Model::kNoChange, h).crps) << ToString(m) << " h=" << h;
      EXPECT_LT(l.diff[no_change], 0) << ToString(m);
      EXPECT_LT(l.p_value[no_change], 0.05) << ToString(m) << " h=" << h;
    }
    EXPECT_GT(line(Model::kOwnBootstrap, h).crps, line(Model::kNoChange, h).crps) << h;
    EXPECT_TRUE(IsNa(line(Model::kNoChange, h).diff[no_change]));
  }
  EXPECT_GT(line(Model::kPooled, 1).cover90, 0.8);
}

TEST(ForecastScoreboard, EventsGetTheBrierScoreAndAveragePrecisionOfTheDrawsShare) {
  // Two models over four cells with the event "≥ 25": the first puts 3 of 4 draws on the right
  // side every time, the second always 1 of 4 on the wrong side… i.e. the opposite.
  Scoreboard board({Model::kNoChange, Model::kPooled}, 1, {});
  const Scoreboard::Event event{25, true};
  for (int cell = 0; cell < 4; ++cell) {
    const bool happens = cell % 2 == 0;
    const double y = happens ? 30 : 10;
    std::vector<std::vector<double>> draws{
        happens ? std::vector<double>{30, 30, 30, 10} : std::vector<double>{10, 10, 10, 30},
        happens ? std::vector<double>{10, 10, 10, 30} : std::vector<double>{30, 30, 30, 10}};
    board.Add(2010 + cell, 1, draws, y, event);
  }
  std::vector<std::vector<double>> plain{{1.0}, {1.0}};
  board.Add(2015, 1, plain, 1.0);  // a cell without an event
  const auto lines = board.Lines(100, 1);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].events, 2u);
  EXPECT_DOUBLE_EQ(lines[0].brier, 0.0625);  // (0.75 − 1)² and (0.25 − 0)², four times
  EXPECT_DOUBLE_EQ(lines[1].brier, 0.5625);
  EXPECT_DOUBLE_EQ(lines[0].aupr, 1);
  EXPECT_DOUBLE_EQ(lines[1].aupr, 0.5);  // ranked last, both events: precision 2/4 at recall 1
  EXPECT_EQ(lines[0].n, 5u);
}

TEST(ForecastBacktest, KnownAnswersOnExactLinearTrends) {
  // Every unit on an exact line y = 10u + 2 + 0.5·t. Known answers, h years ahead:
  // - drift forecasts the line exactly (every change is 0.5: σ = 0): CRPS 0, every interval covers;
  // - no-change is Gaussian around the last value with σ = 0.5 (the mean squared change), so its
  //   CRPS is the Gaussian's at z = (y − μ)/(σ√h) = √h: σ√h·(z(2Φ(z) − 1) + 2φ(z) − 1/√π);
  // - the own-history bootstrap resamples the last 10 values: its CRPS is that of their uniform
  //   distribution, 0.5·(E|X − y| − ½E|X − X'|) with X uniform over 0..9 steps below the last.
  SeriesPanel p(6, 2000, 20);
  for (std::size_t u = 0; u < 6; ++u) {
    for (int t = 0; t < 20; ++t) p.at_mut(u, 2000 + t) = 10.0 * static_cast<double>(u) + 2 + 0.5 * t;
  }
  BacktestConfig cfg;
  cfg.first_origin = 2010, cfg.last_origin = 2015, cfg.draws = 4000, cfg.bootstrap = 200;
  cfg.models = {Model::kNoChange, Model::kDrift, Model::kOwnBootstrap};
  const auto lines = Backtest(p, {}, cfg);
  ASSERT_EQ(lines.size(), 9u);
  const double pi = std::acos(-1.0);
  for (const auto& l : lines) {
    SCOPED_TRACE(std::string(ToString(l.model)) + " h=" + std::to_string(l.horizon));
    EXPECT_EQ(l.n, 6u * 6u);
    const double h = l.horizon;
    if (l.model == Model::kDrift) {
      EXPECT_NEAR(l.crps, 0, 1e-9);
      EXPECT_EQ(l.cover90, 1);
    } else if (l.model == Model::kNoChange) {
      const double s = 0.5 * std::sqrt(h), z = std::sqrt(h);
      const double phi = std::exp(-z * z / 2) / std::sqrt(2 * pi), cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
      const double want = s * (z * (2 * cdf - 1) + 2 * phi - 1 / std::sqrt(pi));
      EXPECT_NEAR(l.crps, want, 0.03 * want);  // 4,000 draws: within 3 %
    } else {
      // Steps below the last value: k = 0..9; the outcome is h steps above it.
      double miss = 0, spread = 0;
      for (int k = 0; k < 10; ++k) {
        miss += 0.5 * (h + k) / 10;
        for (int j = 0; j < 10; ++j) spread += 0.5 * std::abs(k - j) / 100;
      }
      const double want = miss - spread / 2;
      EXPECT_NEAR(l.crps, want, 0.02 * want);
      EXPECT_EQ(l.cover90, 0);  // the outcome lies above every past value
    }
  }
  // Drift is better than no-change on every cell, so significantly; the p-value is the bootstrap's floor.
  const auto& drift = lines[3];
  ASSERT_EQ(drift.model, Model::kDrift);
  EXPECT_LT(drift.diff[static_cast<std::size_t>(Model::kNoChange)], 0);
  EXPECT_NEAR(drift.p_value[static_cast<std::size_t>(Model::kNoChange)], 1.0 / 201, 1e-12);
}

}  // namespace
}  // namespace gpsi::forecast
