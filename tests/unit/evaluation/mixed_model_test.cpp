// FitMixed against R's lme4::lmer (run through Rscript) on lme4's Penicillin data, a crossed
// judges × applications × criteria design like the evaluation's and lme4's Dyestuff2 (a variance
// at the boundary 0); then order independence, the input checks and the time of one fit of the
// evaluation's size.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
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

using test::RunR;

//! lmer's optimiser pushed to the optimum: its default tolerances (1e-8) stop short of it, and so
//! does nloptr's own default xtol_rel = 1e-4, which lme4 leaves in place (on Penicillin it stops
//! 1e-4 away in θ, 8e-9 above the minimum).
constexpr const char* kLmerControl =
    "control = lmerControl(optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 0))";

//! A data set as R reads it: the response, the factor columns as labels, the random terms (a
//! column or an interaction "a:b" of columns) and the fixed-effect columns the formula makes.
struct Case {
  std::string formula;
  std::vector<double> y;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> labels;  //!< per column, per observation
  std::vector<std::string> terms;
  std::vector<std::vector<double>> x;
};

//! The labels of a term's levels per observation, as lme4 names them ("a03:c1" for a:b).
std::vector<std::string> TermLabels(const Case& c, const std::string& term) {
  std::vector<std::string> out(c.y.size());
  std::stringstream parts(term);
  std::string part;
  bool first = true;
  while (std::getline(parts, part, ':')) {
    const auto col = std::find(c.columns.begin(), c.columns.end(), part) - c.columns.begin();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] += (first ? "" : ":") + c.labels[col][i];
    first = false;
  }
  return out;
}

//! The case as FitMixed's input, and per factor the label of each level.
MixedData ToData(const Case& c, std::vector<std::vector<std::string>>* names) {
  MixedData d{c.y, c.x, {}};
  for (const std::string& term : c.terms) {
    const auto labels = TermLabels(c, term);
    std::map<std::string, int> index;
    for (const auto& l : labels) index.emplace(l, 0);
    std::vector<std::string> level_names;
    for (auto& [label, i] : index) {
      i = static_cast<int>(level_names.size());
      level_names.push_back(label);
    }
    Factor f{term, {}, static_cast<int>(level_names.size())};
    for (const auto& l : labels) f.level.push_back(index[l]);
    d.factors.push_back(std::move(f));
    if (names) names->push_back(std::move(level_names));
  }
  return d;
}

//! What lmer reports: fixef, VarCorr (with "Residual"), ranef per group and level, REMLcrit.
struct Lmer {
  std::vector<double> fixef;
  std::map<std::string, double> var;
  std::map<std::string, std::map<std::string, double>> ranef;
  double reml = kNa;
};

Lmer RunLmer(const Case& c) {
  const auto path = std::filesystem::temp_directory_path() / fmt::format("gpsi_mixed_{}.csv", ::getpid());
  {
    std::ofstream csv(path);
    csv << "y";
    for (const auto& col : c.columns) csv << "," << col;
    csv << "\n";
    for (std::size_t i = 0; i < c.y.size(); ++i) {
      csv << fmt::format("{:.17g}", c.y[i]);
      for (const auto& l : c.labels) csv << "," << l[i];
      csv << "\n";
    }
  }
  const std::string out =
      RunR("suppressMessages(library(lme4)); d <- read.csv(\"" + path.string() +
           "\", stringsAsFactors = TRUE); m <- suppressMessages(lmer(" + c.formula + ", data = d, REML = TRUE, " +
           kLmerControl +
           ")); fe <- fixef(m); cat(sprintf(\"fixef %s %.17g\\n\", names(fe), fe), sep = \"\"); "
           "vc <- as.data.frame(VarCorr(m)); cat(sprintf(\"var %s %.17g\\n\", vc$grp, vc$vcov), sep = \"\"); "
           "re <- ranef(m); for (g in names(re)) cat(sprintf(\"ranef %s %s %.17g\\n\", g, rownames(re[[g]]), "
           "re[[g]][[1]]), sep = \"\"); cat(sprintf(\"reml %.17g\\n\", REMLcrit(m)))");
  std::filesystem::remove(path);
  Lmer r;
  std::istringstream in(out);
  std::string kind, a, b;
  double v = 0;
  while (in >> kind) {
    if (kind == "fixef" && in >> a >> v) r.fixef.push_back(v);
    if (kind == "var" && in >> a >> v) r.var[a] = v;
    if (kind == "ranef" && in >> a >> b >> v) r.ranef[a][b] = v;
    if (kind == "reml") in >> r.reml;
  }
  return r;
}

//! Fits `c` with FitMixed and lmer and compares every reported number: fixef, ranef and REMLcrit
//! to 1e-6 absolute, the variances to 1e-6 relative when above 1. Returns lmer's fit.
Lmer ExpectLikeLmer(const Case& c) {
  const Lmer want = RunLmer(c);
  EXPECT_FALSE(IsNa(want.reml)) << "Rscript with lme4 (r-cran-lme4, make setup) is needed";
  if (IsNa(want.reml)) return want;
  std::vector<std::vector<std::string>> names;
  auto fit = FitMixed(ToData(c, &names));
  EXPECT_TRUE(fit.ok()) << fit.error().message;
  if (!fit.ok()) return want;
  double worst = 0;
  const auto near = [&](double got, double expected, double scale, const std::string& what) {
    EXPECT_NEAR(got, expected, 1e-6 * scale) << what;
    worst = std::max(worst, std::abs(got - expected) / scale);
  };
  EXPECT_EQ(fit->beta.size(), want.fixef.size());
  for (std::size_t j = 0; j < std::min(fit->beta.size(), want.fixef.size()); ++j)
    near(fit->beta[j], want.fixef[j], 1, "fixef " + std::to_string(j));
  near(fit->sigma2, want.var.at("Residual"), std::max(1.0, want.var.at("Residual")), "sigma2");
  for (std::size_t k = 0; k < c.terms.size(); ++k) {
    const double v = want.var.at(c.terms[k]);
    near(fit->variances[k], v, std::max(1.0, v), "variance " + c.terms[k]);
    const auto& re = want.ranef.at(c.terms[k]);
    EXPECT_EQ(re.size(), names[k].size()) << c.terms[k];
    for (std::size_t l = 0; l < names[k].size(); ++l)
      near(fit->effects[k][l], re.at(names[k][l]), 1, "ranef " + c.terms[k] + " " + names[k][l]);
  }
  near(fit->reml, want.reml, 1, "REMLcrit");
  std::cout << fmt::format("[ lmer     ] {}: max |diff| {:.3g}, {} evaluations\n", c.formula, worst, fit->evaluations);
  return want;
}

//! One of lme4's data sets with a response and factor columns, as R prints it.
Case LmeData(const std::string& data, const std::string& response, const std::vector<std::string>& columns) {
  std::string code = "suppressMessages(library(lme4)); d <- " + data + "; cat(sprintf(\"%.17g";
  for (std::size_t i = 0; i < columns.size(); ++i) code += " %s";
  code += "\\n\", d$" + response;
  for (const auto& col : columns) code += ", as.character(d$" + col + ")";
  code += "), sep = \"\")";
  Case c;
  c.columns = columns;
  c.labels.resize(columns.size());
  std::istringstream in(RunR(code));
  double y = 0;
  while (in >> y) {
    c.y.push_back(y);
    for (auto& l : c.labels) in >> l.emplace_back();
  }
  return c;
}

//! A standard normal draw by Box–Muller from the portable mt19937_64 (the std distributions are not).
double Normal(std::mt19937_64& rng) {
  const double u1 = (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53;
  const double u2 = (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53;
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

//! A crossed design like the evaluation's: each application scored by 3 or 4 of the judges (4
//! when `four`) on every criterion, scores on a half-point scale from quality, profile, severity,
//! bias and noise.
Case Crossed(int apps, int judges, int criteria, std::uint64_t seed, double sd_bias = 0.2, bool four = false) {
  std::mt19937_64 rng(seed);
  std::vector<double> quality(apps), severity(judges);
  std::vector<std::vector<double>> profile(apps, std::vector<double>(criteria)),
      bias(judges, std::vector<double>(criteria));
  for (auto& q : quality) q = 0.6 * Normal(rng);
  for (auto& s : severity) s = 0.4 * Normal(rng);
  for (auto& p : profile)
    for (auto& v : p) v = 0.25 * Normal(rng);
  for (auto& b : bias)
    for (auto& v : b) v = sd_bias * Normal(rng);
  Case c;
  c.formula = "y ~ 0 + crit + (1 | app) + (1 | app:crit) + (1 | judge) + (1 | judge:crit)";
  c.columns = {"app", "crit", "judge"};
  c.labels.resize(3);
  c.terms = {"app", "app:crit", "judge", "judge:crit"};
  c.x.assign(criteria, {});
  for (int a = 0; a < apps; ++a) {
    std::vector<int> panel{a % judges, (a + 1) % judges, (a + 3) % judges};
    if (four || a % 2 == 0) panel.push_back((a + 5) % judges);
    for (int j : panel) {
      for (int k = 0; k < criteria; ++k) {
        const double score = 3 + quality[a] + profile[a][k] + severity[j] + bias[j][k] + 0.35 * Normal(rng);
        c.y.push_back(std::clamp(std::round(2 * score) / 2, 0.0, 5.0));
        c.labels[0].push_back(fmt::format("a{:02}", a));
        c.labels[1].push_back(fmt::format("c{}", k));
        c.labels[2].push_back(fmt::format("j{:02}", j));
        for (int m = 0; m < criteria; ++m) c.x[m].push_back(m == k ? 1.0 : 0.0);
      }
    }
  }
  return c;
}

TEST(MixedModelOracle, PenicillinIsLmer) {
  Case c = LmeData("Penicillin", "diameter", {"plate", "sample"});
  ASSERT_EQ(c.y.size(), 144u) << "Rscript with lme4 (r-cran-lme4, make setup) is needed";
  c.formula = "y ~ 1 + (1 | plate) + (1 | sample)";
  c.terms = {"plate", "sample"};
  c.x = {std::vector<double>(c.y.size(), 1.0)};
  ExpectLikeLmer(c);
}

TEST(MixedModelOracle, CrossedJudgesDesignIsLmer) {
  const Case c = Crossed(20, 8, 4, 7);
  ASSERT_EQ(c.y.size(), 20u * 4 * 7 / 2);
  ExpectLikeLmer(c);
}

TEST(MixedModelOracle, BoundaryVarianceIsZeroLikeLmer) {
  // Dyestuff2 is lme4's example of a singular fit: the batch variance is estimated at 0.
  Case c = LmeData("Dyestuff2", "Yield", {"Batch"});
  ASSERT_EQ(c.y.size(), 30u) << "Rscript with lme4 (r-cran-lme4, make setup) is needed";
  c.formula = "y ~ 1 + (1 | Batch)";
  c.terms = {"Batch"};
  c.x = {std::vector<double>(c.y.size(), 1.0)};
  const Lmer want = ExpectLikeLmer(c);
  EXPECT_EQ(want.var.at("Batch"), 0.0);
  auto fit = FitMixed(ToData(c, nullptr));
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(fit->variances[0], 0.0);
  for (double b : fit->effects[0]) EXPECT_EQ(b, 0.0);
}

TEST(MixedModelOracle, CrossedBoundaryComponentIsZeroLikeLmer) {
  // No judge × criterion bias in the truth: its variance ends on the boundary, the others do not.
  const Case c = Crossed(16, 6, 4, 3, 0.0);
  const Lmer want = ExpectLikeLmer(c);
  EXPECT_LT(want.var.at("judge:crit"), 1e-12);  // lmer stops at θ ~ 1e-11: 0 to any tolerance
  auto fit = FitMixed(ToData(c, nullptr));
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(fit->variances[3], 0.0);
  EXPECT_GT(fit->variances[0], 0.0);
}

TEST(MixedModel, FitDoesNotDependOnTheOrderOfObservations) {
  const Case c = Crossed(20, 8, 4, 11);
  std::vector<std::size_t> order(c.y.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(5));
  Case s = c;
  for (std::size_t i = 0; i < order.size(); ++i) {
    s.y[i] = c.y[order[i]];
    for (std::size_t m = 0; m < c.x.size(); ++m) s.x[m][i] = c.x[m][order[i]];
    for (std::size_t l = 0; l < c.labels.size(); ++l) s.labels[l][i] = c.labels[l][order[i]];
  }
  auto a = FitMixed(ToData(c, nullptr));
  auto b = FitMixed(ToData(s, nullptr));
  ASSERT_TRUE(a.ok() && b.ok());
  for (std::size_t j = 0; j < a->beta.size(); ++j) EXPECT_NEAR(a->beta[j], b->beta[j], 1e-9);
  for (std::size_t k = 0; k < a->variances.size(); ++k) {
    EXPECT_NEAR(a->variances[k], b->variances[k], 1e-9);
    for (std::size_t l = 0; l < a->effects[k].size(); ++l) EXPECT_NEAR(a->effects[k][l], b->effects[k][l], 1e-9);
  }
  EXPECT_NEAR(a->sigma2, b->sigma2, 1e-9);
  EXPECT_NEAR(a->reml, b->reml, 1e-9);
}

//! A small valid model for the input checks to break: 12 observations, an intercept, 2 factors.
MixedData Small() {
  MixedData d;
  d.y = {1, 2, 3, 2, 4, 3, 5, 3, 4, 2, 6, 5};
  d.x = {std::vector<double>(12, 1.0)};
  d.factors = {{"app", {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, 6}, {"judge", {0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2, 0}, 3}};
  return d;
}

void ExpectUsage(const MixedData& d, const std::string& why) {
  auto fit = FitMixed(d);
  ASSERT_FALSE(fit.ok()) << why;
  EXPECT_EQ(fit.error().code, Errc::kUsage) << why;
}

TEST(MixedModel, MalformedInputIsAUsageError) {
  ASSERT_TRUE(FitMixed(Small()).ok());
  MixedData d = Small();
  d.y.clear();
  ExpectUsage(d, "empty y");
  d = Small();
  d.x[0].pop_back();
  ExpectUsage(d, "a fixed-effect column of the wrong length");
  d = Small();
  d.factors[1].level.push_back(0);
  ExpectUsage(d, "a factor of the wrong length");
  d = Small();
  d.factors[0].level[3] = 6;
  ExpectUsage(d, "a level beyond the factor's levels");
  d = Small();
  d.factors[0].level[3] = -1;
  ExpectUsage(d, "a negative level");
  d = Small();
  d.factors[1].levels = 0;
  ExpectUsage(d, "a factor without levels");
  d = Small();
  d.x.push_back(std::vector<double>(12, 2.0));
  ExpectUsage(d, "a rank-deficient X");
  d = Small();
  d.y.resize(1);
  d.x = {{1.0}};
  for (auto& f : d.factors) f.level.resize(1);
  ExpectUsage(d, "n <= p");
  d = Small();
  d.factors.clear();
  ExpectUsage(d, "no factors");
  d = Small();
  d.y[4] = kNa;
  ExpectUsage(d, "a missing response");
  d = Small();
  d.factors[0] = {"obs", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 12};
  ExpectUsage(d, "one level per observation (lme4 stops too)");
  d = Small();
  d.factors[1].level.assign(12, 1);
  ExpectUsage(d, "one observed level (lme4 stops too)");
  d = Small();
  std::fill(d.y.begin(), d.y.end(), 3.0);
  ExpectUsage(d, "y fitted exactly by X");
}

TEST(MixedModel, UnusedLevelsGetZeroEffectsAndChangeNothing) {
  auto a = FitMixed(Small());
  MixedData d = Small();
  d.factors[0].levels = 8;
  auto b = FitMixed(d);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NEAR(a->reml, b->reml, 1e-12);
  EXPECT_EQ(b->effects[0][6], 0.0);
  EXPECT_EQ(b->effects[0][7], 0.0);
}

TEST(MixedModel, EvaluationSizedFitTiming) {
  // The bootstrap's refit: 52 applications × 4 criteria, 4 of 12 judges each (832 scores).
  const MixedData d = ToData(Crossed(52, 12, 4, 1, 0.2, true), nullptr);
  const int reps = 20;
  const auto start = std::chrono::steady_clock::now();
  int evaluations = 0;
  for (int r = 0; r < reps; ++r) {
    auto fit = FitMixed(d);
    ASSERT_TRUE(fit.ok());
    evaluations = fit->evaluations;
  }
  const std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - start;
  std::cout << fmt::format("[ timing   ] {} observations, {} levels: {:.2f} ms per fit, {} evaluations\n", d.y.size(),
                           d.factors[0].levels + d.factors[1].levels + d.factors[2].levels + d.factors[3].levels,
                           ms.count() / reps, evaluations);
}

}  // namespace
}  // namespace gpsi::evaluation
