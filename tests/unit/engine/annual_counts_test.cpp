// A lag-weighted per-capita indicator's counts (Built::annual): each year's own value before the
// window — the stored record, the method's fill in a year the source covers, nothing otherwise —
// while the raw value is the window's weighted mean. Forecasts read them as `<code>.count`.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "detail/built.hpp"
#include "engine.hpp"
#include "test_util.hpp"

namespace gpsi::engine {
namespace {

using test::TempDir;

TEST(AnnualCounts, AreEachYearsOwnValueBeforeTheWindow) {
  TempDir dir;
  // deaths: FRA every year 2010–2020 but 2016 (covered by DEU's record: fill 0); DEU only in 2016.
  std::map<int, int> fra_deaths;
  std::string csv = "unit,year,indicator,value\n";
  for (int y = 2010; y <= 2020; ++y) {
    for (const char* u : {"FRA", "DEU"}) csv += fmt::format("{},{},pop,1000000\n", u, y);
    if (y != 2016) csv += fmt::format("FRA,{},deaths,{}\n", y, fra_deaths[y] = 3 * (y - 2009));
  }
  csv += "DEU,2016,deaths,7\n";
  test::WriteFile(dir / "data.csv", csv);
  test::WriteFile(dir / "method.toml", R"(
[index]
id = "annual-counts"
version = "test"

[pipeline]
normalise = "goalposts"
years = "2014:2020"
min_units = 1

[[node]]
code = "INDEX"

[[indicator]]
code = "d"
parent = "INDEX"
reads = ["deaths"]
fill = 0
lag_weights = [2, 1]
denominator = "pop"
transform = "per-100k"
direction = -1
goalposts = [0, 100]
)");
  BuildConfig cfg;
  cfg.db_path = dir / "s.db";
  cfg.method_path = dir / "method.toml";
  ASSERT_TRUE(Ingest(IngestConfig{cfg.db_path, {dir / "data.csv"}}).ok());
  auto built = detail::BuildIndex(cfg);
  ASSERT_TRUE(built.ok()) << built.error().Format();
  const detail::Built& b = *built;
  ASSERT_EQ(b.annual.cols(), 1u);
  std::size_t fra = 0;
  for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
    const int y = b.row_year[r];
    SCOPED_TRACE(b.row_unit[r] + " " + std::to_string(y));
    if (b.row_unit[r] == "FRA") {
      const double own = y == 2016 ? 0 : fra_deaths[y];  // 2016: no record, the source covers it: fill
      const double before = y - 1 == 2016 ? 0 : fra_deaths[y - 1];
      EXPECT_EQ(b.annual(r, 0), own);
      EXPECT_DOUBLE_EQ(b.raw(r, 0), (2 * own + before) / 3);  // the window, weights 2 and 1
      ++fra;
    } else {
      // DEU's one record; every other covered unit-year is filled (the store knows every country).
      EXPECT_EQ(b.annual(r, 0), b.row_unit[r] == "DEU" && y == 2016 ? 7 : 0);
    }
  }
  EXPECT_EQ(fra, 7u);  // 2014–2020

  // The forecast gives the counts as their own series, beside the rate.
  ForecastConfig fc;
  fc.build = cfg;
  fc.draws = 50;
  fc.horizon = 1;
  fc.model = "no-change";
  auto f = Forecast(fc);
  ASSERT_TRUE(f.ok()) << f.error().Format();
  std::map<std::string, int> codes;
  for (const auto& row : f->rows) ++codes[row.code];
  EXPECT_GT(codes["d.count"], 0);
  EXPECT_EQ(codes["d.count"], codes["d"]);
}

}  // namespace
}  // namespace gpsi::engine
