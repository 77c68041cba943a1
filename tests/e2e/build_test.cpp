// `gpsi build` through the CLI: the default GPSI method on the real shared data, the output
// contract (scores.csv, stages.csv, run.json), reproducibility and the run record. Builds whose
// results or errors can be written down by hand (--set overrides, per-node aggregation, refused
// methods and tables) are golden cases (tests/golden/).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

std::string Method() {
  return std::string(GPSI_TESTS_DIR) + "/../methods/gpsi.toml";
}

std::string Asem(const std::string& file) {
  return std::string(GPSI_TEST_DATA) + "/asem/" + file;
}

//! One store with every shared data set, shared by the tests of this suite.
class BuildCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = SharedStore();
    ASSERT_FALSE(db_.empty());
  }
  static RunResult Build(const std::string& out, const std::string& extra = "") {
    return Gpsi("--db " + Quote(db_) + " build --method " + Quote(Method()) + " --out " + Quote(out) + " " + extra);
  }
  static std::string db_;
};
std::string BuildCli::db_;

TEST_F(BuildCli, DefaultMethodRanksEveryScoredCountryOfTheLatestYear) {
  TempDir out;
  RunResult r = Build(out / "a");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = Csv(ReadFile(out / "a/scores.csv"));
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0], (std::vector<std::string>{"year", "unit", "code", "level", "value", "rank", "flags"}));
  int latest = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) latest = std::max(latest, std::stoi(rows[i][0]));
  EXPECT_EQ(latest, 2023);
  // The index (level 3) of the latest year: every unit without x has a value; those without n also
  // a rank; ranks are 1..n, descending in value, ties sharing the lowest rank.
  std::vector<std::pair<double, int>> ranked;
  std::set<std::string> dims, not_ranked;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& f = rows[i];
    ASSERT_EQ(f.size(), 7u);
    if (f[3] == "2") dims.insert(f[2]);
    if (std::stoi(f[0]) != latest || f[2] != "GPSI") continue;
    EXPECT_EQ(f[3], "3");
    if (f[6].find('x') != std::string::npos) {
      EXPECT_TRUE(f[4].empty() && f[5].empty()) << f[1];
      continue;
    }
    ASSERT_FALSE(f[4].empty()) << f[1];
    if (f[6].find('n') != std::string::npos) {
      EXPECT_TRUE(f[5].empty()) << f[1] << " is flagged n (not ranked) but has a rank";
      not_ranked.insert(f[1]);
      continue;
    }
    ranked.emplace_back(std::stod(f[4]), std::stoi(f[5]));
  }
  // The eligibility rule of [eligibility]: small countries are published, not ranked.
  EXPECT_TRUE(not_ranked.count("FSM") && not_ranked.count("KNA") && not_ranked.count("VAT")) << "micro-states";
  EXPECT_EQ(dims, (std::set<std::string>{"crime", "terrorism", "cyber", "road"}));
  EXPECT_GE(ranked.size(), 150u);
  std::sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    int want = i > 0 && ranked[i].first == ranked[i - 1].first ? ranked[i - 1].second : static_cast<int>(i) + 1;
    EXPECT_EQ(ranked[i].second, want) << i;
  }
  // stages.csv has the four stages of the contract and nothing else.
  auto stages = Csv(ReadFile(out / "a/stages.csv"));
  EXPECT_EQ(stages[0], (std::vector<std::string>{"year", "unit", "code", "stage", "value"}));
  std::set<std::string> kinds;
  for (std::size_t i = 1; i < stages.size(); ++i) kinds.insert(stages[i][3]);
  EXPECT_EQ(kinds, (std::set<std::string>{"raw", "imputed", "treated", "normalised"}));
  // The log says what was carried forward, from which year, and who was screened out.
  std::string log = ReadFile(out / "a/build.log");
  EXPECT_NE(log.find("impute: "), std::string::npos);
  EXPECT_NE(log.find("value)"), std::string::npos);
  EXPECT_NE(log.find("eligibility: "), std::string::npos);  // who is not ranked, and why
  // …and how the terrorism impact score was banded (its maximum and the country-year setting it).
  EXPECT_NE(log.find("gti: terror_impact: all years"), std::string::npos);
}

// The eligibility rule, every year of the default method on the real data: no ranked country lacks
// two dimensions or has fewer than a million people; one missing dimension is flagged d; a country
// not ranked says why in eligibility.csv; coverage.csv counts what scores.csv shows.
TEST_F(BuildCli, NoRankedCountryLacksTwoDimensions) {
  TempDir out;
  RunResult r = Build(out / "a");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::pair<std::string, std::string>, int> missing_dims;  // (year, unit) → dimensions without a value
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> index_row;
  for (const auto& f : Csv(ReadFile(out / "a/scores.csv"))) {
    if (f[3] == "2") missing_dims[{f[0], f[1]}] += f[4].empty() ? 1 : 0;
    if (f[2] == "GPSI") index_row[{f[0], f[1]}] = f;
  }
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> status;
  auto el = Csv(ReadFile(out / "a/eligibility.csv"));
  ASSERT_EQ(el[0], (std::vector<std::string>{"year", "unit", "population", "dimensions_missing", "data_share",
                                             "imputed_share", "fallback_cells", "ranked", "reason"}));
  for (std::size_t i = 1; i < el.size(); ++i) status[{el[i][0], el[i][1]}] = el[i];
  std::map<std::string, int> ranked_per_year;
  std::size_t ranked = 0, flagged_d = 0;
  for (const auto& [key, f] : index_row) {
    if (key.first == "year") continue;
    const auto& st = status.at(key);
    EXPECT_EQ(std::stoi(st[3]), missing_dims[key]) << key.second << " " << key.first;
    if (f[5].empty()) {
      if (f[6].find('x') == std::string::npos) {
        EXPECT_FALSE(st[8].empty()) << key.second << " not ranked without a reason";
      }
      continue;
    }
    ++ranked, ++ranked_per_year[key.first];
    EXPECT_EQ(st[7], "1");
    EXPECT_LE(missing_dims[key], 1) << key.second << " " << key.first << " is ranked with two dimensions missing";
    EXPECT_GE(std::stod(st[2]), 1e6) << key.second << " " << key.first;
    EXPECT_EQ(f[6].find('d') != std::string::npos, missing_dims[key] == 1) << key.second << " " << key.first;
    flagged_d += missing_dims[key] == 1;
  }
  EXPECT_GT(ranked, 1000u);
  EXPECT_GT(flagged_d, 0u);  // before 2020 no country has the cyber dimension
  for (const auto& f : Csv(ReadFile(out / "a/coverage.csv"))) {
    if (f[0] == "year") continue;
    EXPECT_EQ(std::stoi(f[3]), ranked_per_year[f[0]]) << f[0];
    EXPECT_GT(std::stod(f[8]), 0.95) << "population share of the ranked, " << f[0];
  }
}

// Every shipped method version stays buildable (docs/method-changes.md): 2026.1 ranks every scored
// country (no [eligibility]) and never flags f, d or n.
TEST_F(BuildCli, ThePreviousMethodVersionStillBuilds) {
  TempDir out;
  RunResult r =
      Gpsi("--db " + Quote(db_) + " build --method " +
           Quote(std::string(GPSI_TESTS_DIR) + "/../methods/gpsi-2026.1.toml") + " --out " + Quote(out / "v1"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto run = nlohmann::json::parse(ReadFile(out / "v1/run.json"));
  EXPECT_EQ(run["method"]["version"], "2026.1");
  std::size_t ranked = 0;
  for (const auto& f : Csv(ReadFile(out / "v1/scores.csv"))) {
    if (f[0] == "year") continue;
    EXPECT_EQ(f[6].find_first_of("fdn"), std::string::npos) << f[1] << " " << f[2];
    if (f[2] == "GPSI" && f[0] == "2023" && !f[5].empty()) ++ranked;
  }
  EXPECT_GT(ranked, 180u);
}

TEST_F(BuildCli, SameInputsGiveByteIdenticalFilesAndEachRunIsRecorded) {
  TempDir out;
  ASSERT_EQ(Build(out / "a").exit_code, 0);
  ASSERT_EQ(Build(out / "b").exit_code, 0);
  for (const char* f : {"scores.csv", "stages.csv", "build.log"}) {
    EXPECT_EQ(ReadFile(out / ("a/" + std::string(f))), ReadFile(out / ("b/" + std::string(f)))) << f;
  }
  auto a = nlohmann::json::parse(ReadFile(out / "a/run.json"));
  auto b = nlohmann::json::parse(ReadFile(out / "b/run.json"));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a["method"]["hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(a["data"]["hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(a["method"]["id"], "gpsi");
  // Both runs are in the store with the hashes run.json gives.
  std::string q = "sqlite3 " + Quote(db_) + " \"SELECT count(*) FROM runs WHERE method_hash='" +
                  a["method"]["hash"].get<std::string>() + "' AND data_hash='" + a["data"]["hash"].get<std::string>() +
                  "' AND id='" + a["run_id"].get<std::string>() + "'\" > " + Quote(out / "n");
  ASSERT_EQ(std::system(q.c_str()), 0);
  EXPECT_GE(std::stoi(ReadFile(out / "n")), 2);
  RunResult runs = Gpsi("--json --db " + Quote(db_) + " runs");
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  auto list = nlohmann::json::parse(runs.out)["runs"];  // as /api/v1/runs answers
  ASSERT_GE(list.size(), 2u);
  EXPECT_EQ(list.back()["run_id"], a["run_id"]);
  EXPECT_EQ(list.back()["scores_sha256"], a["outputs"]["scores.csv"]);
}

// What --set does to the scores is the golden case store-set-overrides; here, what it does to the run.
TEST_F(BuildCli, SetOverridesChangeTheMethodHashNotTheDataHash) {
  TempDir out;
  ASSERT_EQ(Build(out / "a").exit_code, 0);
  RunResult r = Build(out / "b", "--set pipeline.normalise=minmax:0:100 --set weight.road=2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto a = nlohmann::json::parse(ReadFile(out / "a/run.json"));
  auto b = nlohmann::json::parse(ReadFile(out / "b/run.json"));
  EXPECT_NE(a["method"]["hash"], b["method"]["hash"]);
  EXPECT_EQ(a["data"]["hash"], b["data"]["hash"]);
  EXPECT_EQ(b["weights"]["road"], 2.0);
}

TEST_F(BuildCli, ReadsFallBackToTheNextCodeBeforeFill) {
  // NCSI covers fewer countries than ITU's GCI in 2020: a country without NCSI takes its GCI score,
  // and `fill` applies only where neither has a record.
  TempDir out;
  WriteFile(out / "m.toml", R"([index]
id = "t"
[pipeline]
years = "2020:2020"
[[node]]
code = "top"
[[indicator]]
code = "cyber"
parent = "top"
reads = ["ncsi_score", "itu_gci_score"]
fill = -1
[[indicator]]
code = "gci"
parent = "top"
reads = ["itu_gci_score"]
)");
  RunResult r = Gpsi("--db " + Quote(db_) + " build --method " + Quote(out / "m.toml") + " --out " + Quote(out / "o"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::pair<std::string, std::string>, std::string> raw;
  for (const auto& f : Csv(ReadFile(out / "o/stages.csv"))) {
    if (f.size() == 5 && f[3] == "raw") raw[{f[1], f[2]}] = f[4];
  }
  std::size_t from_gci = 0, filled = 0;
  for (const auto& [key, v] : raw) {
    if (key.second != "cyber") continue;
    auto gci = raw.find({key.first, "gci"});
    if (v == "-1") {
      ++filled;
      EXPECT_EQ(gci, raw.end()) << key.first << " has a GCI score but was filled";
    } else if (gci != raw.end() && gci->second == v) {
      ++from_gci;
    }
  }
  EXPECT_GT(from_gci, 0u);
  EXPECT_GT(filled, 0u);
}

TEST_F(BuildCli, MonitorIndicatorIsRankedButChangesNothingElse) {
  // The default method without its monitors, and the same with a monitor that has data in every
  // year (IHME's homicide rates, broad coverage): every other row of scores.csv must be the same,
  // and the monitor's rows must carry values and ranks.
  std::string text = ReadFile(Method());
  auto cut = text.find("# ---- monitors");
  ASSERT_NE(cut, std::string::npos);
  text.resize(cut);
  TempDir out;
  WriteFile(out / "base.toml", text);
  WriteFile(out / "mon.toml", text + R"(
[[indicator]]
code = "ihme_homicide"
parent = "crime"
role = "monitor"
reads = ["homicide_rate_as"]
direction = -1
)");
  RunResult a =
      Gpsi("--db " + Quote(db_) + " build --method " + Quote(out / "base.toml") + " --out " + Quote(out / "a"));
  RunResult b =
      Gpsi("--db " + Quote(db_) + " build --method " + Quote(out / "mon.toml") + " --out " + Quote(out / "b"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::vector<std::vector<std::string>> other, monitor;
  for (auto& f : Csv(ReadFile(out / "b/scores.csv")))
    (f.size() > 2 && f[2] == "ihme_homicide" ? monitor : other).push_back(f);
  EXPECT_EQ(other, Csv(ReadFile(out / "a/scores.csv")));
  std::size_t ranked = 0;
  for (const auto& f : monitor) ranked += !f[4].empty() && f[5] != "" && f[5] != "0" ? 1 : 0;
  EXPECT_GT(ranked, 500u);
  auto run = nlohmann::json::parse(ReadFile(out / "b/run.json"));
  EXPECT_EQ(run["weights"]["ihme_homicide"].get<double>(), 0.0);  // reported, never aggregated
}

// Hand-computed COINr builds and refused tables are golden cases (tests/golden/coinr-*); here, the
// command line's own usage errors.
TEST(BuildCoinr, MethodAndTablesTogetherOrNoOutAreUsageErrors) {
  TempDir out;
  RunResult both = Gpsi("build --method x.toml --coinr-data " + Quote(Asem("iData.csv")) + " --coinr-meta " +
                        Quote(Asem("iMeta.csv")) + " --out " + Quote(out / "o"));
  EXPECT_EQ(both.exit_code, 2) << both.err;
  RunResult no_out =
      Gpsi("build --coinr-data " + Quote(Asem("iData.csv")) + " --coinr-meta " + Quote(Asem("iMeta.csv")));
  EXPECT_EQ(no_out.exit_code, 2) << no_out.err;
}

TEST(BuildCoinr, JsonSummaryNamesTheRun) {
  TempDir out;
  RunResult r = Gpsi("--json build --coinr-data " + Quote(Asem("iData.csv")) + " --coinr-meta " +
                     Quote(Asem("iMeta.csv")) + " --out " + Quote(out / "o"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["unit_years"], 51);
  EXPECT_EQ(j["scored"], 51);
  auto run = nlohmann::json::parse(ReadFile(out / "o/run.json"));
  EXPECT_EQ(j["run_id"], run["run_id"]);
}

}  // namespace
}  // namespace gpsi::test
