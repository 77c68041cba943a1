// `gpsi audit` through the CLI: COINr's ASEM example and the default GPSI method on the shared
// data; every table of docs/audit.md with its layout, determinism, and clear errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

using Row = std::vector<std::string>;

const std::vector<std::string> kTables = {
    "correlations.csv", "corr_with_parent.csv", "corr_with_index.csv", "cronbach.csv",
    "pca.csv",          "pca_weights.csv",      "flags.csv",           "summary.txt"};

std::string AsemArgs() {
  return " --coinr-data " + Quote(Data("asem/iData.csv")) + " --coinr-meta " + Quote(Data("asem/iMeta.csv")) +
         " --set pipeline.denominate=on --set pipeline.impute=group-mean:EurAsia_group"
         " --set pipeline.screen=na:0.9 --set pipeline.treat=jrc:5"
         " --set pipeline.normalise=minmax:0:100 --set pipeline.aggregate=arithmetic";
}

//! One store with every shared data set for the GPSI method, as the build tests make it.
class AuditCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = SharedStore();
    ASSERT_FALSE(db_.empty());
  }
  static RunResult AuditGpsi(const std::string& out, const std::string& extra = "", const std::string& global = "") {
    return Gpsi(global + " --db " + Quote(db_) + " audit --method " +
                Quote(std::string(GPSI_TESTS_DIR) + "/../methods/gpsi.toml") + " --out " + Quote(out) + " " + extra);
  }
  static std::string db_;
};
std::string AuditCli::db_;

TEST_F(AuditCli, AsemTablesHaveTheirLayoutsAndAreByteIdenticalOnRerun) {
  TempDir out;
  RunResult r = Gpsi("audit" + AsemArgs() + " --out " + Quote(out / "a"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& f : kTables) EXPECT_TRUE(std::filesystem::exists(out / ("a/" + f))) << f;
  for (int level = 1; level <= 3; ++level) {
    for (const char* m : {"pearson", "spearman"}) {
      std::string name = "a/corr_" + std::string(m) + "_level" + std::to_string(level) + ".csv";
      EXPECT_TRUE(std::filesystem::exists(out / name)) << name;
    }
  }
  EXPECT_FALSE(std::filesystem::exists(out / "a/corr_pearson_level4.csv"));  // the index alone

  // Level-1 matrix: 49 indicators, symmetric, unit diagonal.
  auto mat = Csv(ReadFile(out / "a/corr_pearson_level1.csv"));
  ASSERT_EQ(mat.size(), 50u);
  ASSERT_EQ(mat[0].size(), 50u);
  EXPECT_EQ(mat[0][0], "code");
  for (std::size_t i = 1; i < mat.size(); ++i) {
    EXPECT_EQ(mat[i][0], mat[0][i]);
    EXPECT_EQ(mat[i][i], "1");
    for (std::size_t j = 1; j < mat.size(); ++j) EXPECT_EQ(mat[i][j], mat[j][i]) << i << "," << j;
  }

  auto pairs = Csv(ReadFile(out / "a/correlations.csv"));
  EXPECT_EQ(pairs[0], (Row{"year", "level", "a", "b", "method", "r", "p", "n"}));
  // Levels 1–3 have 49, 8 and 2 nodes: C(49,2) + C(8,2) + C(2,2) pairs, two methods each.
  EXPECT_EQ(pairs.size(), 1u + 2u * (1176u + 28u + 1u));
  for (std::size_t i = 1; i < pairs.size(); ++i) {
    EXPECT_EQ(pairs[i][0], "2018");  // the ASEM table's Time column
    EXPECT_EQ(pairs[i][7], "51");    // units left after screening
    double p = std::stod(pairs[i][6]);
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
  }

  auto parent = Csv(ReadFile(out / "a/corr_with_parent.csv"));
  EXPECT_EQ(parent[0], (Row{"year", "level", "code", "parent", "method", "r", "p", "n"}));
  EXPECT_EQ(parent.size(), 1u + 2u * (49u + 8u + 2u));
  auto index = Csv(ReadFile(out / "a/corr_with_index.csv"));
  EXPECT_EQ(index[0], (Row{"year", "level", "code", "method", "r", "p", "n"}));
  EXPECT_EQ(index.size(), 1u + 2u * (49u + 8u + 2u));

  auto cron = Csv(ReadFile(out / "a/cronbach.csv"));
  EXPECT_EQ(cron[0], (Row{"year", "level", "code", "k", "alpha", "children"}));
  ASSERT_EQ(cron.size(), 12u);  // 8 pillars, 2 sub-indices, the index
  EXPECT_EQ(cron.back()[2], "Index");
  for (std::size_t i = 1; i < cron.size(); ++i) {
    double a = std::stod(cron[i][4]);
    EXPECT_GT(a, -1.0) << cron[i][2];
    EXPECT_LT(a, 1.0) << cron[i][2];
  }

  auto pca = Csv(ReadFile(out / "a/pca.csv"));
  EXPECT_EQ(pca[0], (Row{"year", "level", "code", "rows", "component", "sdev", "variance_share", "cumulative_share",
                         "child", "loading"}));
  // The last component's cumulative share of each group is 1.
  std::map<std::string, double> last_cumulative;
  for (std::size_t i = 1; i < pca.size(); ++i) last_cumulative[pca[i][2]] = std::stod(pca[i][7]);
  EXPECT_EQ(last_cumulative.size(), 11u);
  for (const auto& [g, c] : last_cumulative) EXPECT_NEAR(c, 1.0, 1e-12) << g;

  auto w = Csv(ReadFile(out / "a/pca_weights.csv"));
  EXPECT_EQ(w[0], (Row{"year", "level", "code", "group", "weight"}));
  EXPECT_EQ(w.size(), 1u + 49u + 8u + 2u);

  auto flags = Csv(ReadFile(out / "a/flags.csv"));
  EXPECT_EQ(flags[0], (Row{"year", "flag", "level", "a", "b", "group", "r"}));
  for (std::size_t i = 1; i < flags.size(); ++i) {
    const std::set<std::string> kinds{"negative_within_group", "collinear", "negative_with_parent"};
    EXPECT_TRUE(kinds.count(flags[i][1])) << flags[i][1];
    double r = std::stod(flags[i][6]);
    EXPECT_TRUE(flags[i][1] == "collinear" ? std::fabs(r) > 0.92 : r < 0) << flags[i][3] << " " << flags[i][4];
  }
  std::string summary = ReadFile(out / "a/summary.txt");
  EXPECT_NE(summary.find("Cronbach"), std::string::npos);
  EXPECT_NE(summary.find("PC1"), std::string::npos);
  EXPECT_NE(summary.find("Flags"), std::string::npos);

  // Same inputs, same bytes.
  ASSERT_EQ(Gpsi("-q audit" + AsemArgs() + " --out " + Quote(out / "b")).exit_code, 0);
  for (const auto& e : std::filesystem::directory_iterator(out / "a")) {
    std::string name = e.path().filename().string();
    EXPECT_EQ(ReadFile(e.path().string()), ReadFile(out / ("b/" + name))) << name;
  }
}

TEST_F(AuditCli, PThresholdBlanksOnlyInsignificantCorrelations) {
  TempDir out;
  ASSERT_EQ(Gpsi("-q audit" + AsemArgs() + " --p-threshold 0.05 --out " + Quote(out / "a")).exit_code, 0);
  auto pairs = Csv(ReadFile(out / "a/correlations.csv"));
  std::size_t blank = 0;
  for (std::size_t i = 1; i < pairs.size(); ++i) {
    double p = std::stod(pairs[i][6]);
    EXPECT_EQ(pairs[i][5].empty(), p > 0.05) << pairs[i][2] << " " << pairs[i][3];
    blank += pairs[i][5].empty() ? 1 : 0;
  }
  EXPECT_GT(blank, 0u);
  RunResult bad = Gpsi("audit" + AsemArgs() + " --p-threshold 2 --out " + Quote(out / "b"));
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST_F(AuditCli, DefaultMethodAuditsTheLatestYearOrTheOneAsked) {
  TempDir out;
  RunResult r = AuditGpsi(out / "a", "", "--json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["year"], 2023);
  EXPECT_GE(j["units"].get<int>(), 150);
  auto cron = Csv(ReadFile(out / "a/cronbach.csv"));
  std::set<std::string> groups;
  for (std::size_t i = 1; i < cron.size(); ++i) {
    EXPECT_EQ(cron[i][0], "2023");
    groups.insert(cron[i][2]);
  }
  for (const char* d : {"crime", "terrorism", "cyber", "road", "GPSI"}) EXPECT_TRUE(groups.count(d)) << d;
  auto parent = Csv(ReadFile(out / "a/corr_with_parent.csv"));
  ASSERT_GT(parent.size(), 1u);
  EXPECT_EQ(parent[1][0], "2023");
  EXPECT_TRUE(std::filesystem::exists(out / "a/summary.txt"));

  RunResult y = AuditGpsi(out / "b", "--year 2021", "--json");
  ASSERT_EQ(y.exit_code, 0) << y.err;
  EXPECT_EQ(nlohmann::json::parse(y.out)["year"], 2021);
  EXPECT_EQ(Csv(ReadFile(out / "b/cronbach.csv"))[1][0], "2021");
  RunResult none = AuditGpsi(out / "c", "--year 1890");
  EXPECT_EQ(none.exit_code, 2) << none.err;
}

TEST_F(AuditCli, BadInputIsAUsageOrInputError) {
  TempDir out;
  RunResult key = AuditGpsi(out / "a", "--set pipeline.frobnicate=1");
  EXPECT_EQ(key.exit_code, 2) << key.err;
  EXPECT_NE(key.err.find("pipeline.frobnicate"), std::string::npos) << key.err;
  RunResult value = Gpsi("audit" + AsemArgs() + " --set pipeline.treat=jrc:x --out " + Quote(out / "b"));
  EXPECT_TRUE(value.exit_code == 2 || value.exit_code == 3) << value.exit_code << " " << value.err;
  EXPECT_FALSE(std::filesystem::exists(out / "b/summary.txt"));
  RunResult noout = Gpsi("audit" + AsemArgs());
  EXPECT_EQ(noout.exit_code, 2) << noout.err;
  RunResult year = Gpsi("audit" + AsemArgs() + " --year 2017 --out " + Quote(out / "c"));
  EXPECT_EQ(year.exit_code, 2) << year.err;
}

}  // namespace
}  // namespace gpsi::test
