// Coherence on the ASEM index built as COINr's standard example: sanity properties of the
// correlations, Cronbach's alpha and PCA, and COINr's "Analysis" vignette results (PCA signs as
// R's prcomp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <tuple>

#include "analysis.hpp"
#include "detail/built.hpp"
#include "engine.hpp"

namespace gpsi::analysis {
namespace {

using compute::PrincipalComponents;

//! The ASEM index built as COINr's build_example_coin().
engine::detail::Built AsemExample() {
  engine::BuildConfig cfg;
  cfg.coinr_data = std::string(GPSI_TEST_DATA) + "/asem/iData.csv";
  cfg.coinr_meta = std::string(GPSI_TEST_DATA) + "/asem/iMeta.csv";
  cfg.sets = {"pipeline.denominate=on", "pipeline.impute=group-mean:EurAsia_group", "pipeline.screen=na:0.9",
              "pipeline.treat=jrc:5",   "pipeline.normalise=minmax:0:100",          "pipeline.aggregate=arithmetic"};
  auto b = engine::detail::BuildIndex(cfg);
  if (!b.ok()) throw Failure(b.error());
  return std::move(*b);
}

TEST(AnalysisCoherenceAsem, StandardPipelineGivesSaneCoherence) {
  const engine::detail::Built built = AsemExample();
  const engine::detail::Built* b = &built;
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

TEST(AnalysisCoherenceAsem, MatchesCoinrAnalysisVignetteOnRawData) {
  // Printed results of COINr's "Analysis" vignette on the example coin's Raw data set (all
  // units): get_corr(iCodes = "Environ", Levels = 1) with its default pval = 0.05,
  // get_cronbach(iCodes = "P2P", Level = 1) and get_PCA(iCodes = "Sust") (weights = PC1 loadings
  // over complete rows, signs as R's prcomp). Compared to the printed digits.
  engine::detail::Built b = AsemExample();
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
