// gpsi validate on the real data: the default method against its plan (methods/validation.toml)
// and the previous version, and the refusals that keep a validation honest.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

using test::Csv;
using test::Gpsi;
using test::Methods;
using test::Quote;
using test::ReadFile;
using test::RunResult;
using test::SharedStore;
using test::TempDir;
using test::WriteFile;

class ValidateCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = std::make_unique<TempDir>();
    const std::string& db = SharedStore();
    if (db.empty()) return;
    run_ = Gpsi("--db " + Quote(db) + " --json validate --method " + Quote(Methods("gpsi.toml")) + " --previous " +
                Quote(Methods("gpsi-2026.1.toml")) + " --bootstrap 200 --out " + Quote((*out_) / "v"));
  }
  static void TearDownTestSuite() { out_.reset(); }
  void SetUp() override { ASSERT_EQ(run_.exit_code, 0) << run_.err; }
  static std::vector<std::vector<std::string>> Table(const std::string& name) {
    return Csv(ReadFile((*out_) / ("v/" + name)));
  }
  static std::unique_ptr<TempDir> out_;
  static RunResult run_;
};
std::unique_ptr<TempDir> ValidateCli::out_;
RunResult ValidateCli::run_;

TEST_F(ValidateCli, WritesEveryTableAndTheSummaryInBothLanguages) {
  auto j = nlohmann::json::parse(run_.out);
  EXPECT_EQ(j["method_version"], "2026.2");
  EXPECT_EQ(j["previous_version"], "2026.1");
  for (const char* f : {"external.csv", "known_groups.csv", "coherence.csv", "correlations.csv", "rank_shifts.csv",
                        "fallbacks.csv", "summary.md", "validation.json"}) {
    EXPECT_FALSE(ReadFile((*out_) / (std::string("v/") + f)).empty()) << f;
  }
  std::string summary = ReadFile((*out_) / "v/summary.md");
  for (const char* heading : {"Coverage · 覆盖范围", "External measures · 外部指标", "Known groups · 已知群组检验",
                              "Dimensions · 维度", "Largest rank shifts from 2026.1"}) {
    EXPECT_NE(summary.find(heading), std::string::npos) << heading;
  }
}

// What the plan promised to check holds, and the direction conventions are right: a sign error in
// the external measures' direction would turn every rho negative.
TEST_F(ValidateCli, EveryKnownGroupHoldsAndEveryExternalMeasureAgrees) {
  auto j = nlohmann::json::parse(run_.out);
  EXPECT_EQ(j["unexplained_negative_correlations"], 0);
  auto groups = Table("known_groups.csv");
  ASSERT_EQ(groups[0], (std::vector<std::string>{"check", "variant", "year", "n_low", "n_high", "median_low",
                                                 "median_high", "auc", "lo95", "hi95", "holds"}));
  std::set<std::string> latest;
  for (std::size_t i = 1; i < groups.size(); ++i) {
    if (groups[i][2] != "2023") continue;
    latest.insert(groups[i][0] + "/" + groups[i][1]);
    EXPECT_EQ(groups[i][10], "1") << groups[i][0] << " " << groups[i][1];
    EXPECT_LE(std::stod(groups[i][8]), std::stod(groups[i][7]));
    EXPECT_GE(std::stod(groups[i][9]), std::stod(groups[i][7]));
  }
  EXPECT_EQ(latest.size(), 4u);  // conflict (index, without the UCDP inputs), income, ldc
  auto ext = Table("external.csv");
  std::set<std::string> measured;
  for (std::size_t i = 1; i < ext.size(); ++i) {
    measured.insert(ext[i][0]);
    if (ext[i][1] == "GPSI") {
      EXPECT_GT(std::stod(ext[i][5]), 0) << ext[i][0] << " " << ext[i][2];
    }
    EXPECT_EQ(std::stoi(ext[i][3]) - std::stoi(ext[i][2]), ext[i][0].rfind("gpi", 0) == 0 ? 1 : 0);
  }
  EXPECT_EQ(measured, (std::set<std::string>{"gpi_overall", "gpi_safety", "wgi_pv", "wgi_rl"}));
}

// The adjust factor written in the method is the inverse of the median ratio validate reports.
TEST_F(ValidateCli, FallbackAgreementIsWhereTheAdjustFactorComesFrom) {
  auto rows = Table("fallbacks.csv");
  ASSERT_EQ(rows.size(), 2u);
  const auto& f = rows[1];
  EXPECT_EQ(f[0], "homicide");
  EXPECT_GT(std::stoi(f[3]), 1000);
  EXPECT_NEAR(std::stod(f[10]), 1 / std::stod(f[5]), 0.005);
  EXPECT_GT(std::stod(f[8]), 0.8);  // the two series rank countries alike
}

// Rank shifts cover every unit ranked by both versions, with a reason.
TEST_F(ValidateCli, RankShiftsGiveAReasonForEveryUnit) {
  auto rows = Table("rank_shifts.csv");
  ASSERT_GT(rows.size(), 1000u);
  EXPECT_EQ(rows[0].front(), "year");
  EXPECT_EQ(rows[0].back(), "reason");
  std::size_t both = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r[2].empty() || r[3].empty()) {
      EXPECT_FALSE(r.back().empty()) << r[1] << " " << r[0];
      continue;
    }
    ++both;
    EXPECT_EQ(std::stoi(r[4]), std::stoi(r[2]) - std::stoi(r[3]));
  }
  EXPECT_GT(both, 1000u);
}

TEST(ValidateRefuses, AnExternalMeasureThatTheMethodReads) {
  const std::string& db = SharedStore();
  ASSERT_FALSE(db.empty());
  TempDir tmp;
  WriteFile(tmp / "plan.toml", "[[external]]\nid = \"self\"\nsource = { store = \"homicide_rate\" }\n");
  RunResult r = Gpsi("--db " + Quote(db) + " validate --method " + Quote(Methods("gpsi.toml")) + " --plan " +
                     Quote(tmp / "plan.toml") + " --out " + Quote(tmp / "v"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("homicide_rate is an input of the method"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp / "v/summary.md"));
  // A plan with a mistake is refused at its place.
  WriteFile(tmp / "bad.toml", "[[external]]\nid = \"x\"\nsource = { store = \"a\", file = \"b\" }\n");
  r = Gpsi("--db " + Quote(db) + " validate --method " + Quote(Methods("gpsi.toml")) + " --plan " +
           Quote(tmp / "bad.toml") + " --out " + Quote(tmp / "v"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("bad.toml:3:10: error:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace gpsi
