// The forecast's carry through the method (detail::ForecastTail) is the build's own steps: fed a
// year's values as read, as a single draw, it must give back every aggregate score the build
// computed for that row and the same eligibility, for rows with gaps carried by locf (an
// indicator's own `carry` included), rows screened out and rows not ranked (population, missing
// dimensions). And it refuses methods whose scores depend on other countries.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "detail/forecast_tail.hpp"
#include "engine.hpp"
#include "test_util.hpp"

namespace gpsi::engine {
namespace {

using test::TempDir;

class ForecastTailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string csv = "unit,year,indicator,value\n";
    const char* units[] = {"FRA", "DEU", "ITA", "ESP", "MLT", "PRT"};
    for (int u = 0; u < 6; ++u) {
      for (int y = 2012; y <= 2021; ++y) {
        // MLT is below the population threshold; the others above it.
        csv += fmt::format("{},{},pop,{}\n", units[u], y, u == 4 ? 500000 : 2e6 + 1e6 * u);
        if ((y + u) % 4 != 0) csv += fmt::format("{},{},a_count,{}\n", units[u], y, 40 * u + 3 * (y - 2012) + (y % 3));
        // ITA reports b only up to 2016: its later years miss a dimension or are screened out.
        if ((y + 2 * u) % 3 != 1 && !(u == 2 && y > 2016)) {
          csv += fmt::format("{},{},b_score,{}\n", units[u], y, 20 + 11 * u - 0.5 * (y - 2012));
        }
        // c is a law observed twice (2013 and 2018), carried 5 years by its own `carry`.
        if (y == 2013 || (y == 2018 && u % 2 == 0)) csv += fmt::format("{},{},c_law,{}\n", units[u], y, (u + y) % 6);
      }
    }
    test::WriteFile(dir_ / "data.csv", csv);
    test::WriteFile(dir_ / "method.toml", R"(
[index]
id = "forecast-tail-case"
version = "test"

[pipeline]
impute = "locf:2"
normalise = "goalposts"
screen = "na:0.6"
years = "2015:2021"
min_units = 1

[eligibility]
population = "pop"
min_population = 1000000
max_missing_dimensions = 0

[[node]]
code = "INDEX"

[[node]]
code = "D1"
parent = "INDEX"
weight = 2

[[node]]
code = "D2"
parent = "INDEX"
weight = 1

[[indicator]]
code = "a"
parent = "D1"
reads = ["a_count"]
denominator = "pop"
transform = "log-per-100k"
direction = -1
goalposts = [0, 4.6151205168]

[[indicator]]
code = "b"
parent = "D1"
reads = ["b_score"]
direction = 1
goalposts = [0, 100]

[[indicator]]
code = "c"
parent = "D2"
reads = ["c_law"]
direction = 1
goalposts = [0, 5]
carry = 5
)");
    cfg_.db_path = dir_ / "s.db";
    cfg_.method_path = dir_ / "method.toml";
    auto ingested = Ingest(IngestConfig{cfg_.db_path, {dir_ / "data.csv"}});
    ASSERT_TRUE(ingested.ok()) << ingested.error().Format();
  }
  TempDir dir_;
  BuildConfig cfg_;
};

TEST_F(ForecastTailTest, ReplayingARowsValuesGivesTheBuildsScoresAndEligibility) {
  // The tail carries values from the rows the build kept (a forecast's build reads years back to
  // 1995): the replay reads 2012 on and checks the years whose carry window (5) lies inside.
  BuildConfig cfg = cfg_;
  cfg.sets.push_back("pipeline.years=2012:2021");
  auto built = detail::BuildIndex(cfg);
  ASSERT_TRUE(built.ok()) << built.error().Format();
  const detail::Built& b = *built;
  auto tail = detail::ForecastTail::Of(b);
  ASSERT_TRUE(tail.ok()) << tail.error().Format();
  const auto& nodes = b.method.nodes;
  std::size_t ni = 0;
  for (const auto& n : nodes) ni += n.indicator ? 1 : 0;
  std::size_t ranked = 0, unranked = 0, screened = 0, carried = 0;
  for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
    if (b.row_year[r] < 2017) continue;
    SCOPED_TRACE(b.row_unit[r] + " " + std::to_string(b.row_year[r]));
    // One draw: each value as read, on the display scale (a rate, not its logarithm); none where
    // the build read none.
    std::vector<std::vector<double>> display(ni);
    for (std::size_t j = 0; j < ni; ++j) {
      const double v = b.denominated(r, j);
      if (IsNa(v)) {
        carried += IsNa(b.imputed(r, j)) ? 0 : 1;
        continue;
      }
      display[j] = {nodes[j].log ? std::expm1(v) : v};
    }
    compute::Matrix scores(1, nodes.size());
    std::vector<char> is_ranked(1);
    tail->Score(r, b.row_year[r], display, scores, is_ranked);
    for (std::size_t node = ni; node < nodes.size(); ++node) {
      const double want = b.scores(r, node), got = scores(0, node);
      if (IsNa(want)) {
        EXPECT_TRUE(IsNa(got)) << nodes[node].code;
      } else {
        EXPECT_NEAR(got, want, 1e-9) << nodes[node].code;  // log1p(expm1(x)) may move the last bit
      }
    }
    EXPECT_EQ(is_ranked[0] != 0, b.status[r].ranked) << b.status[r].reason;
    ranked += b.status[r].ranked ? 1 : 0;
    unranked += !b.status[r].ranked && !b.excluded[r] ? 1 : 0;
    screened += b.excluded[r] ? 1 : 0;
  }
  // The fixture reaches every branch.
  EXPECT_GT(ranked, 0u);
  EXPECT_GT(unranked, 0u);
  EXPECT_GT(screened, 0u);
  EXPECT_GT(carried, 0u);
}

TEST_F(ForecastTailTest, MethodsWhoseScoresDependOnOtherCountriesAreRefused) {
  for (const char* set : {"pipeline.normalise=minmax:0:100", "pipeline.impute=mean", "pipeline.treat=jrc:5"}) {
    BuildConfig other = cfg_;
    other.sets.push_back(set);
    auto built = detail::BuildIndex(other);
    ASSERT_TRUE(built.ok()) << set << ": " << built.error().Format();
    auto tail = detail::ForecastTail::Of(*built);
    ASSERT_FALSE(tail.ok()) << set;
    EXPECT_EQ(tail.error().code, Errc::kUsage) << set;
  }
}

}  // namespace
}  // namespace gpsi::engine
