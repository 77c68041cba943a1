// The monthly anomaly rule's track record (gpsi warn --backtest --surges) on GDELT files made by
// bench/gen_surges.py: 40 countries, 2019-01 to 2023-12, Poisson counts of violent events with
// levels from 20 to 100 a month, seasonality and trend, and surges injected at known months. The
// store is made the way real files would be (gpsi init, gpsi events --period month), and the rule
// is the one methods/gpsi.toml ships.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_util.hpp"

namespace gpsi {
namespace {

using test::Csv;
using test::Gpsi;
using test::Quote;
using test::ReadFile;
using test::RunResult;
using test::TempDir;
using test::WriteFile;

constexpr int kCountries = 40;
constexpr int kScoredMonths = 48;  // --origins 2020:2023; 2019 is the 12-month window before them

//! The shipped method's [[warn]] block with the id `id`, up to the blank line after it.
std::string ShippedRule(const std::string& id) {
  const std::string toml = ReadFile(std::string(GPSI_TESTS_DIR) + "/../methods/gpsi.toml");
  const auto at = toml.find("[[warn]]\nid = \"" + id + "\"");
  if (at == std::string::npos) return "";
  return toml.substr(at, toml.find("\n\n", at) - at) + "\n";
}

//! One backtest row of warn_skill.csv, as numbers.
struct Skill {
  std::size_t cells = 0, warnings = 0, events = 0, hits = 0;
  double precision = 0, recall = 0;
};

class WarnCliSurges : public ::testing::Test {
 protected:
  //! Generates the event files and their truth once, and ingests them into a fresh store.
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    const std::string cmd =
        fmt::format("/usr/bin/python3 {} {} {} --seed 15 --countries {} --levels 20:100 --other 0.1",
                    Quote(std::string(GPSI_TESTS_DIR) + "/../bench/gen_surges.py"), Quote(GPSI_TEST_DATA),
                    Quote(*dir_ / "gen"), kCountries);
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const std::string db = "--db " + Quote(*dir_ / "s.db");
    RunResult r = Gpsi(db + " init --reference " + Quote(GPSI_TEST_DATA));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = Gpsi(db + " events --period month --out " + Quote(*dir_ / "events.csv") + " " +
             Quote(*dir_ / "gen/events.export.CSV"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string rule = ShippedRule("violent-events");
    ASSERT_NE(rule.find("rule = \"anomaly\""), std::string::npos) << rule;
    WriteFile(*dir_ / "m.toml", R"([index]
id = "surges"
version = "test"

[[node]]
code = "I"

[[indicator]]
code = "a"
parent = "I"
reads = ["gdelt_violent_events_m01"]

)" + rule);
    // The truth split by size: the large surges, the small ones, and the whole file (with the
    // generator's extra columns, which gpsi ignores).
    std::string large = "unit,period\n", small = "unit,period\n";
    const auto truth = Csv(ReadFile(*dir_ / "gen/surges.csv"));
    for (std::size_t i = 1; i < truth.size(); ++i) {
      (truth[i][2] == "large" ? large : small) += truth[i][0] + "," + truth[i][1] + "\n";
      (truth[i][2] == "large" ? large_ : small_) += 1;
    }
    WriteFile(*dir_ / "large.csv", large);
    WriteFile(*dir_ / "small.csv", small);
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static RunResult Backtest(const std::string& args, const std::string& out) {
    return Gpsi("--db " + Quote(*dir_ / "s.db") + " warn --method " + Quote(*dir_ / "m.toml") +
                " --backtest --origins 2020:2023 " + args + " --out " + Quote(out));
  }

  //! The anomaly rule's row of a backtest against the truth file `truth`.
  static Skill Scored(const std::string& truth) {
    TempDir out;
    const RunResult r = Backtest("--surges " + Quote(truth), out / "b");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto rows = Csv(ReadFile(out / "b/warn_skill.csv"));
    EXPECT_EQ(rows.size(), 2u);
    if (rows.size() != 2) return {};
    EXPECT_EQ(rows[1][0], "violent-events");
    EXPECT_EQ(rows[1][1], "anomaly");
    const auto& k = rows[1];
    return Skill{std::stoul(k[2]),
                 std::stoul(k[3]),
                 std::stoul(k[4]),
                 std::stoul(k[5]),
                 k[6].empty() ? 0 : std::stod(k[6]),
                 k[7].empty() ? 0 : std::stod(k[7])};
  }

  static std::unique_ptr<TempDir> dir_;
  static int large_, small_;
};

std::unique_ptr<TempDir> WarnCliSurges::dir_;
int WarnCliSurges::large_ = 0, WarnCliSurges::small_ = 0;

TEST_F(WarnCliSurges, TheIngestCountsEveryGeneratedViolentEventUnderTheTruthsUnits) {
  std::map<std::pair<std::string, std::string>, std::string> stored;
  for (const auto& row : Csv(ReadFile(*dir_ / "events.csv"))) {
    if (row.size() == 4 && row[2] == "gdelt_violent_events") stored[{row[0], row[1]}] = row[3];
  }
  const auto counts = Csv(ReadFile(*dir_ / "gen/counts.csv"));
  ASSERT_EQ(counts.size(), 1u + kCountries * 60);
  EXPECT_EQ(stored.size(), counts.size() - 1);
  for (std::size_t i = 1; i < counts.size(); ++i) {
    const std::pair<std::string, std::string> cell(counts[i][0], counts[i][1]);
    EXPECT_EQ(stored[cell], counts[i][2]) << cell.first << " " << cell.second;
  }
  const auto truth = Csv(ReadFile(*dir_ / "gen/surges.csv"));
  for (std::size_t i = 1; i < truth.size(); ++i) {
    const std::pair<std::string, std::string> cell(truth[i][0], truth[i][1]);
    EXPECT_EQ(stored.count(cell), 1u) << cell.first << " " << cell.second;  // a unit-month of the store
  }
  EXPECT_GT(large_, 40);  // ~2.3 surges per country, 2 in 3 large: the bounds below need a few dozen
  EXPECT_GT(small_, 15);
}

TEST_F(WarnCliSurges, TheAnomalyRuleFindsTheLargeSurgesAndMissesTheUndetectableOnes) {
  // The derivation, for the shipped rule (z ≥ 3 against the 12 months before, sd at least √mean):
  // - A large surge multiplies λ by 3 to 6. The weakest possible one, ×3 at a seasonal trough
  //   (−20 %) and the trend's low end of the lowest level (λ ≈ 12.5 against a window mean of ≈ 16
  //   and sd ≈ 4.5), needs 29 events of a Poisson(37.5): P ≈ 0.93. Typical ones are 8+ sds out.
  //   Recall < 0.8 would take 12 misses in ~60, P < 0.006 even if every surge were the weakest.
  // - A small surge adds 0.5 to 1 Poisson sd. Firing needs 2+ more sds of noise (the rule's sd is
  //   at least the Poisson one): P ≈ 0.02–0.05 each (a seasonal peak adds little: the window's sd
  //   holds the seasonality). Recall > 0.25 would take 8 of ~30, P < 1e-4 at 0.05.
  // - A month without a surge fires when a 12-month z reaches 3: at most a t(11) tail, 0.006
  //   (the Poisson floor on the sd makes it smaller). That is ≤ ~12 false alarms in ~1,860 months
  //   against ~60 hits, so precision < 0.5 would take 5 times the bound.
  const Skill large = Scored(*dir_ / "large.csv"), small = Scored(*dir_ / "small.csv");
  const Skill all = Scored(*dir_ / "gen/surges.csv");
  const double base_rate = static_cast<double>(large.events) / static_cast<double>(large.cells);

  EXPECT_EQ(large.cells, static_cast<std::size_t>(kCountries * kScoredMonths));  // every month has events
  EXPECT_EQ(large.events, static_cast<std::size_t>(large_));                     // every surge is in 2020–2023
  EXPECT_EQ(small.events, static_cast<std::size_t>(small_));
  EXPECT_EQ(all.events, large.events + small.events);  // the generator's extra columns are ignored
  EXPECT_EQ(all.hits, large.hits + small.hits);
  EXPECT_EQ(large.warnings, small.warnings);  // the truth changes the scores, never the warnings

  EXPECT_GE(large.recall, 0.8) << large.hits << " of " << large.events;
  EXPECT_GE(large.precision, 0.5) << large.hits << " of " << large.warnings;
  EXPECT_GE(large.precision, 10 * base_rate) << base_rate;
  EXPECT_LE(small.recall, 0.25) << small.hits << " of " << small.events;
  std::printf(
      "large surges: %zu cells, %zu surges, %zu warnings, %zu hits (precision %.3f, recall %.3f); "
      "small surges: %zu of %zu found\n",
      large.cells, large.events, large.warnings, large.hits, large.precision, large.recall, small.hits, small.events);
}

TEST_F(WarnCliSurges, WithoutSurgesTheAnomalyRuleIsNotScoredAndTheSummarySaysWhy) {
  TempDir out;
  const RunResult r = Gpsi("--db " + Quote(*dir_ / "s.db") + " --json warn --method " + Quote(*dir_ / "m.toml") +
                           " --backtest --origins 2020:2023 --out " + Quote(out / "b"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["skill"].empty());
  ASSERT_EQ(j["unscored"].size(), 1u);
  EXPECT_NE(j["unscored"][0].get<std::string>().find("violent-events (anomaly)"), std::string::npos);
  EXPECT_NE(j["unscored"][0].get<std::string>().find("--surges"), std::string::npos);
  EXPECT_EQ(Csv(ReadFile(out / "b/warn_skill.csv")).size(), 1u);  // the header alone

  const RunResult text = Backtest("", out / "t");
  EXPECT_NE(text.out.find("not scored: violent-events"), std::string::npos) << text.out;
  // --surges is a backtest's truth, and scores anomaly rules only: usage errors otherwise.
  const RunResult latest = Gpsi("--db " + Quote(*dir_ / "s.db") + " warn --method " + Quote(*dir_ / "m.toml") +
                                " --surges " + Quote(*dir_ / "large.csv") + " --out " + Quote(out / "l"));
  EXPECT_EQ(latest.exit_code, 2) << latest.err;
  std::string annual = ReadFile(*dir_ / "m.toml");
  annual = annual.substr(0, annual.find("[[warn]]")) + ShippedRule("terror-level");
  WriteFile(out / "annual.toml", annual);
  const RunResult none = Gpsi("--db " + Quote(*dir_ / "s.db") + " warn --method " + Quote(out / "annual.toml") +
                              " --backtest --surges " + Quote(*dir_ / "large.csv") + " --out " + Quote(out / "a"));
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_NE(none.err.find("the method has none"), std::string::npos) << none.err;
}

TEST_F(WarnCliSurges, AMalformedSurgesFileIsRefusedAndNothingIsWritten) {
  TempDir out;
  const std::vector<std::pair<std::string, std::string>> bad{
      {"unit,month\nDEU,2021-03\n", "needs the columns unit and period"},
      {"unit,period\nDEU,2021-13\n", ":2:2: error: period \"2021-13\" is not a month YYYY-MM"},
      {"unit,period\nDEU,2021-3\n", "period \"2021-3\" is not a month"},
      {"unit,period\nDEU,2021-03\nDEU,March 2021\n", ":3:2: error: period \"March 2021\""},
      {"unit,period\nGM,2021-03\n", ":2:1: error: unit \"GM\" is not a country"},  // FIPS, not the store's ISO3
      {"unit,period\nDEU,2021-03,5\n", "row has 3 fields but the header has 2"},
      {"", "file is empty"},
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const std::string file = out / fmt::format("bad{}.csv", i), dest = out / fmt::format("o{}", i);
    WriteFile(file, bad[i].first);
    const RunResult r = Backtest("--surges " + Quote(file), dest);
    EXPECT_EQ(r.exit_code, 3) << bad[i].first;
    EXPECT_NE(r.err.find(bad[i].second), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dest)) << bad[i].first;
  }
  const RunResult missing = Backtest("--surges " + Quote(out / "none.csv"), out / "n");
  EXPECT_EQ(missing.exit_code, 3) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(out / "n"));
}

}  // namespace
}  // namespace gpsi
