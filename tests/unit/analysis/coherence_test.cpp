// Coherence kernels: Pearson and Spearman correlations with R cor.test's p-values, Cronbach's
// alpha (COINr get_cronbach) and PCA (R prcomp, COINr get_PCA) on hand-computed cases, and sanity
// properties of all three on the ASEM index built as COINr's standard example.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <numeric>
#include <tuple>

#include "analysis.hpp"
#include "engine.hpp"

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

TEST(AnalysisCoherencePca, TwoColumnsHaveKnownComponents) {
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

TEST(AnalysisCoherencePca, ThreeColumnsOrthonormalAndErrors) {
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

TEST(AnalysisCoherenceAsem, StandardPipelineGivesSaneCoherence) {
  engine::BuildConfig cfg;
  cfg.coinr_data = std::string(GPSI_TEST_DATA) + "/asem/iData.csv";
  cfg.coinr_meta = std::string(GPSI_TEST_DATA) + "/asem/iMeta.csv";
  cfg.sets = {"pipeline.denominate=on", "pipeline.impute=group-mean:EurAsia_group", "pipeline.screen=na:0.9",
              "pipeline.treat=jrc:5",   "pipeline.normalise=minmax:0:100",          "pipeline.aggregate=arithmetic"};
  auto b = engine::Build(cfg);
  ASSERT_TRUE(b.ok()) << b.error().Format();
  const auto& m = b->method;
  // The screened rows' scores, every node.
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < b->row_unit.size(); ++r) {
    if (!b->excluded[r]) rows.push_back(r);
  }
  Matrix x(rows.size(), m.nodes.size());
  for (std::size_t j = 0; j < m.nodes.size(); ++j) {
    for (std::size_t i = 0; i < rows.size(); ++i) x(i, j) = b->scores(rows[i], j);
  }
  std::size_t aggregates = 0;
  for (std::size_t g = 0; g < m.nodes.size(); ++g) {
    if (m.nodes[g].indicator) continue;
    ++aggregates;
    std::vector<int> kids = m.Children(static_cast<int>(g));
    std::vector<std::size_t> cols(kids.begin(), kids.end());
    SCOPED_TRACE(m.nodes[g].code);
    double alpha = CronbachAlpha(x, cols);
    if (cols.size() >= 2) {
      EXPECT_GT(alpha, -1.0);
      EXPECT_LT(alpha, 1.0);
    }
    auto p = PrincipalComponents(x, cols);
    ASSERT_TRUE(p.ok()) << p.error().Format();
    double sum = 0;
    for (double s : p->variance_share) sum += s;
    EXPECT_NEAR(sum, 1.0, 1e-12);
    EXPECT_EQ(p->weights.size(), cols.size());
    // Most children correlate positively with their own aggregate (an arithmetic mean of them);
    // a few ASEM indicators do not (e.g. TBTs in Instit), which is what the audit flags.
    std::size_t positive = 0;
    for (int k : kids) {
      Corr c = Correlate(x.Col(static_cast<std::size_t>(k)), x.Col(g), CorrMethod::kPearson);
      positive += c.r > 0 ? 1 : 0;
    }
    EXPECT_GT(2 * positive, kids.size());
  }
  EXPECT_EQ(aggregates, 11u);  // 8 pillars, 2 sub-indices, the index
  // The indicator correlation matrix: symmetric, unit diagonal, r in [−1, 1], p in [0, 1].
  std::vector<std::size_t> inds;
  for (std::size_t j = 0; j < m.nodes.size(); ++j) {
    if (m.nodes[j].indicator) inds.push_back(j);
  }
  ASSERT_EQ(inds.size(), 49u);
  for (CorrMethod method : {CorrMethod::kPearson, CorrMethod::kSpearman}) {
    for (std::size_t a : inds) {
      Corr self = Correlate(x.Col(a), x.Col(a), method);
      EXPECT_NEAR(self.r, 1.0, 1e-14);
      for (std::size_t c : inds) {
        if (c <= a) continue;
        Corr ac = Correlate(x.Col(a), x.Col(c), method), ca = Correlate(x.Col(c), x.Col(a), method);
        EXPECT_EQ(ac.r, ca.r);
        EXPECT_EQ(ac.p, ca.p);
        EXPECT_GE(ac.r, -1.0);
        EXPECT_LE(ac.r, 1.0);
        EXPECT_GE(ac.p, 0.0);
        EXPECT_LE(ac.p, 1.0);
        EXPECT_EQ(ac.n, rows.size());
      }
    }
  }
}

//! The ASEM index built as COINr's build_example_coin().
engine::BuildResult AsemExample() {
  engine::BuildConfig cfg;
  cfg.coinr_data = std::string(GPSI_TEST_DATA) + "/asem/iData.csv";
  cfg.coinr_meta = std::string(GPSI_TEST_DATA) + "/asem/iMeta.csv";
  cfg.sets = {"pipeline.denominate=on", "pipeline.impute=group-mean:EurAsia_group", "pipeline.screen=na:0.9",
              "pipeline.treat=jrc:5",   "pipeline.normalise=minmax:0:100",          "pipeline.aggregate=arithmetic"};
  auto b = engine::Build(cfg);
  if (!b.ok()) throw Failure(b.error());
  return std::move(*b);
}

TEST(AnalysisCoherenceAsem, MatchesCoinrAnalysisVignetteOnRawData) {
  // Printed results of COINr's "Analysis" vignette on the example coin's Raw data set (all
  // units): get_corr(iCodes = "Environ", Levels = 1) with its default pval = 0.05,
  // get_cronbach(iCodes = "P2P", Level = 1) and get_PCA(iCodes = "Sust") (weights = PC1 loadings
  // over complete rows, signs as R's prcomp). Compared to the printed digits.
  engine::BuildResult b = AsemExample();
  const auto& m = b.method;
  auto col = [&](const char* code) {
    int i = m.Find(code);
    EXPECT_GE(i, 0) << code;
    return static_cast<std::size_t>(i);
  };
  auto corr = [&](const char* a, const char* c) {
    return Correlate(b.raw.Col(col(a)), b.raw.Col(col(c)), CorrMethod::kPearson);
  };
  EXPECT_NEAR(corr("CO2", "MatCon").r, 0.7222051, 5e-8);
  EXPECT_NEAR(corr("CO2", "PrimEner").r, 0.3268484, 5e-8);
  EXPECT_NEAR(corr("CO2", "Renew").r, -0.5986338, 5e-8);
  EXPECT_NEAR(corr("MatCon", "Renew").r, -0.42, 0.005);
  EXPECT_NEAR(corr("Forest", "Renew").r, 0.35, 0.005);
  // Blanked at p > 0.05 in the vignette; shown ones are significant.
  EXPECT_GT(corr("CO2", "Forest").p, 0.05);
  EXPECT_GT(corr("PrimEner", "Renew").p, 0.05);
  EXPECT_LE(corr("CO2", "PrimEner").p, 0.05);
  EXPECT_LE(corr("Forest", "Renew").p, 0.05);

  // Columns in get_data's order: COINr's lineage table sorts codes alphabetically (no two
  // codes here differ only in case).
  auto kids = [&](const char* group) {
    std::vector<int> k = m.Children(m.Find(group));
    std::vector<std::size_t> cols(k.begin(), k.end());
    std::sort(cols.begin(), cols.end(), [&](std::size_t a, std::size_t c) {
      std::string x = m.nodes[a].code, y = m.nodes[c].code;
      for (auto& ch : x) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      for (auto& ch : y) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return x < y;
    });
    return cols;
  };
  EXPECT_NEAR(CronbachAlpha(b.raw, kids("P2P")), 0.05126659, 5e-9);

  auto environ = PrincipalComponents(b.raw, kids("Environ"));
  ASSERT_TRUE(environ.ok());
  std::vector<double> want_env{-0.581, 0.214, -0.543, -0.313, 0.473};  // CO2 Forest MatCon PrimEner Renew
  std::vector<std::string> env_codes{"CO2", "Forest", "MatCon", "PrimEner", "Renew"};
  auto social = PrincipalComponents(b.raw, kids("Social"));
  ASSERT_TRUE(social.ok());
  std::vector<double> want_sdev{2.2042, 1.1256, 0.9788, 0.78834, 0.77153, 0.56836, 0.42463, 0.36068, 0.25760};
  ASSERT_EQ(social->sdev.size(), want_sdev.size());
  for (std::size_t j = 0; j < want_sdev.size(); ++j) EXPECT_NEAR(social->sdev[j], want_sdev[j], 6e-5) << j;
  EXPECT_NEAR(social->variance_share[0], 0.5398, 6e-5);
  std::vector<double> want_soc{-0.417, -0.324, 0.401, -0.191, 0.302};
  auto susecfin = PrincipalComponents(b.raw, kids("SusEcFin"));
  ASSERT_TRUE(susecfin.ok());
  std::vector<double> want_sus{0.472, 0.451, -0.492, -0.227, -0.53};
  for (auto [pca, want, group] :
       {std::tuple{&*environ, &want_env, "Environ"}, std::tuple{&*social, &want_soc, "Social"},
        std::tuple{&*susecfin, &want_sus, "SusEcFin"}}) {
    std::vector<std::size_t> k = kids(group);
    for (std::size_t c = 0; c < want->size(); ++c) {
      EXPECT_NEAR(pca->weights[c], (*want)[c], 6e-4) << group << " " << m.nodes[k[c]].code;
    }
  }
  std::vector<std::size_t> env = kids("Environ");
  for (std::size_t c = 0; c < env_codes.size(); ++c) EXPECT_EQ(m.nodes[env[c]].code, env_codes[c]);
}

}  // namespace
}  // namespace gpsi::analysis
