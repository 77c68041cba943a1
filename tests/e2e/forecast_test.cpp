// gpsi forecast on the real data: forecasts.csv for the default method, its determinism, the
// backtest's scoreboard, and clear refusals of bad options.
#include <fmt/format.h>
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
using test::Quote;
using test::ReadFile;
using test::RunResult;
using test::SharedStore;
using test::TempDir;
using test::WriteFile;

std::string Method() {
  return std::string(GPSI_TESTS_DIR) + "/../methods/gpsi.toml";
}

std::string Forecast(const std::string& args) {
  return "--db " + Quote(SharedStore()) + " forecast --method " + Quote(Method()) + " " + args;
}

TEST(ForecastCli, ForecastsEveryIndicatorPastTheLastYearWithOrderedQuantiles) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir;
  const RunResult r = Gpsi(Forecast("--draws 400 --horizon 2 --out " + Quote(dir / "f")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = Csv(ReadFile(dir / "f/forecasts.csv"));
  ASSERT_GT(rows.size(), 1000u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"unit", "code", "year", "mean", "median", "p05", "p25", "p75", "p95"}));
  std::set<std::string> codes, years;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    codes.insert(row[1]), years.insert(row[2]);
    const double p05 = std::stod(row[5]), p25 = std::stod(row[6]), med = std::stod(row[4]), p75 = std::stod(row[7]),
                 p95 = std::stod(row[8]);
    ASSERT_TRUE(p05 <= p25 && p25 <= med && med <= p75 && p75 <= p95) << row[0] << " " << row[1] << " " << row[2];
    if (row[1] == "road_deaths" || row[1] == "homicide") {
      ASSERT_GE(p05, 0) << row[0];  // rates stay ≥ 0
    }
    if (row[1] == "gci") {
      ASSERT_LE(p95, 100) << row[0];  // a score keeps to its scale
    }
  }
  EXPECT_EQ(years, (std::set<std::string>{"2024", "2025"}));  // the method's last year is 2023
  EXPECT_TRUE(codes.count("homicide") && codes.count("road_deaths") && codes.count("terror_deaths"));
  EXPECT_FALSE(codes.count("violent_events"));  // monitors are not forecast
  for (const char* aggregate : {"GPSI", "crime", "terrorism", "cyber", "road"}) EXPECT_TRUE(codes.count(aggregate));
  // The deaths themselves, with count distributions; for the lag-weighted terrorism indicators
  // each year's own deaths, not the window's mean.
  for (const char* count : {"conflict_deaths.count", "terror_deaths.count", "civilian_killings.count"}) {
    EXPECT_TRUE(codes.count(count)) << count;
  }
}

TEST(ForecastCli, TheOutlookGivesProbabilitiesAndRankIntervalsOfTheRankedCountries) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir;
  const RunResult r = Gpsi(Forecast("--draws 300 --out " + Quote(dir / "f")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = Csv(ReadFile(dir / "f/outlook.csv"));
  ASSERT_GT(rows.size(), 300u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"unit", "year", "last_score", "last_rank", "p_deterioration", "p_bottom",
                                               "rank_median", "rank_p05", "rank_p95"}));
  std::size_t likely_bottom = 0, ranked = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (row[5].empty()) continue;  // never ranked in a draw (too small, too little data)
    ++ranked;
    const double pd = std::stod(row[4]), pb = std::stod(row[5]);
    EXPECT_TRUE(pd >= 0 && pd <= 1 && pb >= 0 && pb <= 1) << row[0];
    EXPECT_LE(std::stod(row[7]), std::stod(row[6])) << row[0];
    EXPECT_LE(std::stod(row[6]), std::stod(row[8])) << row[0];
    // A country ranked among the last 10 now is, more often than not, in the bottom 20 next year.
    if (row[1] == "2024" && !row[3].empty() && std::stoi(row[3]) > 150) {
      EXPECT_GT(pb, 0.5) << row[0];
      ++likely_bottom;
    }
  }
  EXPECT_GT(ranked, 400u);  // ~150 countries × 3 years
  EXPECT_GT(likely_bottom, 0u);
}

TEST(ForecastCli, SameSeedSameForecastsWhateverTheThreads) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir;
  ASSERT_EQ(Gpsi(Forecast("--draws 200 --seed 5 --threads 1 --out " + Quote(dir / "a"))).exit_code, 0);
  ASSERT_EQ(Gpsi(Forecast("--draws 200 --seed 5 --threads 2 --out " + Quote(dir / "b"))).exit_code, 0);
  ASSERT_EQ(Gpsi(Forecast("--draws 200 --seed 6 --threads 2 --out " + Quote(dir / "c"))).exit_code, 0);
  EXPECT_EQ(ReadFile(dir / "a/forecasts.csv"), ReadFile(dir / "b/forecasts.csv"));
  EXPECT_NE(ReadFile(dir / "a/forecasts.csv"), ReadFile(dir / "c/forecasts.csv"));
}

TEST(ForecastCli, BacktestScoresEveryModelOnTheSameCells) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir;
  const RunResult r =
      Gpsi("--json " + Forecast("--backtest --origins 2015:2019 --draws 200 --out " + Quote(dir / "b")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["headline"].empty());
  const auto rows = Csv(ReadFile(dir / "b/scoreboard.csv"));
  ASSERT_GT(rows.size(), 1u);
  std::map<std::string, std::size_t> col;
  for (std::size_t c = 0; c < rows[0].size(); ++c) col[rows[0][c]] = c;
  // Within an indicator and horizon, every model scored the same number of cells.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> n;
  std::size_t scored = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    n[{row[col["code"]], row[col["horizon"]]}].insert(row[col["n"]]);
    if (row[col["n"]] == "0") continue;
    ++scored;
    const double crps = std::stod(row[col["crps"]]), cover = std::stod(row[col["cover90"]]);
    EXPECT_GE(crps, 0);
    EXPECT_TRUE(cover >= 0 && cover <= 1);
    EXPECT_TRUE(row[col["crps_minus_" + row[col["model"]]]].empty());  // no difference from itself
  }
  EXPECT_GT(scored, 20u);
  for (const auto& [k, sizes] : n) EXPECT_EQ(sizes.size(), 1u) << k.first << " h=" << k.second;
  // Events: the index falling by forecast.deterioration, and a count series reaching
  // forecast.count_event (UCDP's 25 deaths); Brier scores in [0, 1], with the events counted.
  std::set<std::string> with_events;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (row[col["brier"]].empty()) continue;
    with_events.insert(row[col["code"]]);
    const double brier = std::stod(row[col["brier"]]);
    EXPECT_TRUE(brier >= 0 && brier <= 1) << row[col["code"]];
    EXPECT_FALSE(row[col["events"]].empty());
  }
  EXPECT_EQ(with_events,
            (std::set<std::string>{"GPSI", "conflict_deaths.count", "terror_deaths.count", "civilian_killings.count"}));
}

TEST(ForecastCli, BadOptionsAreUsageErrors) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir;
  for (const char* bad : {"--model crystal-ball", "--backtest --origins 2019-2010", "--backtest --origins 2019:2010",
                          "--horizon 0", "--draws 3"}) {
    const RunResult r = Gpsi(Forecast(std::string(bad) + " --out " + Quote(dir / "x")));
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("error:"), std::string::npos) << bad;
  }
}

TEST(WarnCli, WarningsCarryTheirRuleAndEvidence) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir;
  const RunResult r =
      Gpsi("--db " + Quote(SharedStore()) + " warn --method " + Quote(Method()) + " --out " + Quote(dir / "w"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = Csv(ReadFile(dir / "w/warnings.csv"));
  ASSERT_GT(rows.size(), 5u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"unit", "id", "rule", "severity", "code", "period", "value", "baseline",
                                               "score", "source", "file_sha256", "line", "message"}));
  std::set<std::string> rules;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& w = rows[i];
    rules.insert(w[2]);
    const double value = std::stod(w[6]), baseline = std::stod(w[7]);
    if (w[2] == "threshold") {
      EXPECT_GT(value, baseline) << w[0] << " " << w[1];
    }
    if (w[2] == "surge") {
      EXPECT_GE(value, 2 * baseline) << w[0] << " " << w[1];
    }
    if (w[2] == "threshold" || w[2] == "surge") {
      EXPECT_EQ(w[10].size(), 64u) << w[0];     // the file the value was read from …
      EXPECT_GT(std::stoll(w[11]), 0) << w[0];  // … and its line
    }
    if (i > 1) {  // high severity first
      auto rank = [](const std::string& sev) { return sev == "high" ? 0 : sev == "medium" ? 1 : 2; };
      EXPECT_LE(rank(rows[i - 1][3]), rank(w[3]));
    }
  }
  EXPECT_TRUE(rules.count("threshold") && rules.count("surge"));
}

TEST(WarnCli, TheBacktestScoresEachRuleAgainstTheIndexFallingTheYearAfter) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir;
  const RunResult r = Gpsi("--db " + Quote(SharedStore()) + " warn --method " + Quote(Method()) +
                           " --backtest --origins 2012:2019 --draws 200 --out " + Quote(dir / "b"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = Csv(ReadFile(dir / "b/warn_skill.csv"));
  ASSERT_EQ(rows[0],
            (std::vector<std::string>{"id", "rule", "cells", "warnings", "events", "hits", "precision", "recall"}));
  std::set<std::string> ids;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ids.insert(rows[i][0]);
    const auto cells = std::stoul(rows[i][2]), warnings = std::stoul(rows[i][3]), events = std::stoul(rows[i][4]),
               hits = std::stoul(rows[i][5]);
    EXPECT_GT(cells, 100u);
    EXPECT_LE(hits, std::min(warnings, events));
    if (warnings > 0) {
      EXPECT_DOUBLE_EQ(std::stod(rows[i][6]), static_cast<double>(hits) / static_cast<double>(warnings));
    }
  }
  // Every rule but the monthly anomaly one, which has no monthly history here.
  EXPECT_EQ(ids,
            (std::set<std::string>{"conflict-level", "conflict-surge", "terror-level", "terror-surge", "outlook"}));
}

TEST(WarnCli, TheAnomalyRuleReadsMonthlyCountsAndAMethodWithoutRulesIsAUsageError) {
  TempDir dir;
  // Monthly counts as gpsi events --period month stores them: <code>_mMM per year; a spike in the
  // last month of one country.
  std::string csv = "unit,year,indicator,value\n";
  for (const char* unit : {"FRA", "DEU"}) {
    for (int y = 2019; y <= 2021; ++y) {
      for (int mo = 1; mo <= 12; ++mo) {
        const bool spike = std::string(unit) == "FRA" && y == 2021 && mo == 12;
        csv += fmt::format("{},{},violent_m{:02},{}\n", unit, y, mo, spike ? 90 : 20 + (mo % 3));
      }
    }
  }
  WriteFile(dir / "events.csv", csv);
  const std::string db = "--db " + Quote(dir / "s.db");
  ASSERT_EQ(Gpsi(db + " ingest " + Quote(dir / "events.csv")).exit_code, 0);
  const std::string base = R"([index]
id = "warn-case"
version = "test"

[[node]]
code = "I"

[[indicator]]
code = "a"
parent = "I"
reads = ["violent_m01"]
)";
  WriteFile(dir / "none.toml", base);
  const RunResult none = Gpsi(db + " warn --method " + Quote(dir / "none.toml") + " --out " + Quote(dir / "o"));
  EXPECT_EQ(none.exit_code, 2) << none.err;

  WriteFile(dir / "m.toml", base + R"(
[[warn]]
id = "spike"
rule = "anomaly"
reads = "violent"
window = 12
z = 3
severity = "low"
)");
  for (const char* bad : {"--origins 2019-2010", "--origins 2019:2010 --backtest"}) {
    const RunResult b = Gpsi(db + " warn --method " + Quote(dir / "m.toml") + " " + bad + " --out " + Quote(dir / "o"));
    EXPECT_EQ(b.exit_code, 2) << bad << ": " << b.err;
  }
  const RunResult r = Gpsi(db + " warn --method " + Quote(dir / "m.toml") + " --out " + Quote(dir / "o"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = Csv(ReadFile(dir / "o/warnings.csv"));
  ASSERT_EQ(rows.size(), 2u) << ReadFile(dir / "o/warnings.csv");
  EXPECT_EQ(rows[1][0], "FRA");
  EXPECT_EQ(rows[1][4], "violent_m12");
  EXPECT_EQ(rows[1][5], "2021-12");
  EXPECT_EQ(rows[1][6], "90");
}

}  // namespace
}  // namespace gpsi
