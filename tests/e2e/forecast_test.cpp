// gpsi forecast on the real data: forecasts.csv for the default method, its determinism, the
// backtest's scoreboard, and clear refusals of bad options.
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
  EXPECT_TRUE(codes.count("conflict_deaths.count"));  // the deaths themselves, with count distributions
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
  EXPECT_EQ(with_events, (std::set<std::string>{"GPSI", "conflict_deaths.count"}));
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

}  // namespace
}  // namespace gpsi
