// The Monte Carlo's alternative imputations come from one read of the panel (detail::BuildImputations):
// each variant must equal engine::Build of the method with that pipeline.impute, to the byte of
// every output table, data hash and run id included, although the panel is read once with the
// longest lead-in any variant carries from.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "detail/montecarlo.hpp"
#include "engine.hpp"
#include "test_util.hpp"

namespace gpsi::engine {
namespace {

std::string CsvScores(const BuildResult& b) {
  return CsvOf(ScoresTable, b);
}
std::string CsvStages(const BuildResult& b) {
  return CsvOf(StagesTable, b);
}
std::string CsvProvenance(const BuildResult& b) {
  return CsvOf(ProvenanceTable, b);
}
std::string CsvRecords(const BuildResult& b) {
  return CsvOf(RecordsTable, b);
}

using test::TempDir;

//! Two indicators over 2015–2021 with gaps, four countries; the method scores 2019–2021.
class BuildImputationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string csv = "unit,year,indicator,value\n";
    const char* units[] = {"FRA", "DEU", "ITA", "ESP"};
    for (int u = 0; u < 4; ++u) {
      for (int y = 2015; y <= 2021; ++y) {
        // Gaps of different lengths, so locf:1, locf:3 and mean fill different cells: FRA's a has
        // none from 2017 to 2020, which only locf:3 bridges (from 2016, a lead-in year).
        const bool fra_gap = u == 0 && y >= 2017 && y <= 2020;
        if (((y + u) % 3 != 0 || (u == 0 && y == 2016)) && !fra_gap)
          csv += fmt::format("{},{},a_rate,{}\n", units[u], y, 1 + u + 0.25 * (y - 2015));
        if ((y + 2 * u) % 4 != 1) csv += fmt::format("{},{},b_score,{}\n", units[u], y, 10 + 3 * u - 0.5 * (y - 2015));
      }
    }
    test::WriteFile(dir_ / "data.csv", csv);
    test::WriteFile(dir_ / "method.toml", R"(
[index]
id = "imputations-case"
version = "test"

[pipeline]
impute = "locf:1"
normalise = "minmax:0:100"
years = "2019:2021"

[uncertainty]
impute = ["locf:3", "mean", "none", "locf:2"]

[[node]]
code = "INDEX"

[[indicator]]
code = "a"
parent = "INDEX"
reads = ["a_rate"]
direction = -1

[[indicator]]
code = "b"
parent = "INDEX"
reads = ["b_score"]
direction = 1
)");
    cfg_.db_path = dir_ / "s.db";
    cfg_.method_path = dir_ / "method.toml";
    auto ingested = Ingest(IngestConfig{cfg_.db_path, {dir_ / "data.csv"}});
    ASSERT_TRUE(ingested.ok()) << ingested.error().Format();
  }
  TempDir dir_;
  BuildConfig cfg_;
};

TEST_F(BuildImputationsTest, EveryVariantEqualsItsOwnBuild) {
  auto variants = detail::BuildImputations(cfg_, true);
  ASSERT_TRUE(variants.ok()) << variants.error().Format();
  const std::vector<std::string> imputations = {"", "locf:3", "mean", "none", "locf:2"};
  ASSERT_EQ(variants->size(), imputations.size());
  for (std::size_t k = 0; k < imputations.size(); ++k) {
    SCOPED_TRACE(imputations[k].empty() ? "nominal" : imputations[k]);
    BuildConfig own = cfg_;
    if (!imputations[k].empty()) own.sets.push_back("pipeline.impute=" + imputations[k]);
    auto b = Build(own);
    ASSERT_TRUE(b.ok()) << b.error().Format();
    const BuildResult v = detail::View((*variants)[k]);
    EXPECT_EQ(v.data_hash, b->data_hash);
    EXPECT_EQ(v.run_id, b->run_id);
    EXPECT_EQ(CsvScores(v), CsvScores(*b));
    EXPECT_EQ(CsvStages(v), CsvStages(*b));
    EXPECT_EQ(CsvProvenance(v), CsvProvenance(*b));
    EXPECT_EQ(CsvRecords(v), CsvRecords(*b));
    EXPECT_EQ(v.log, b->log);
  }
  // The variants differ where they should: locf:3 fills cells that locf:1 leaves empty.
  auto view = [&](std::size_t k) { return detail::View((*variants)[k]); };
  EXPECT_NE(CsvStages(view(0)), CsvStages(view(1)));
  EXPECT_NE((*variants)[0].data_hash, (*variants)[1].data_hash);  // different lead-in years read
}

TEST_F(BuildImputationsTest, WithoutTheNominalOnlyTheAlternatives) {
  auto variants = detail::BuildImputations(cfg_, false);
  ASSERT_TRUE(variants.ok()) << variants.error().Format();
  ASSERT_EQ(variants->size(), 4u);
  BuildConfig own = cfg_;
  own.sets.push_back("pipeline.impute=mean");
  auto b = Build(own);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(CsvScores(detail::View((*variants)[1])), CsvScores(*b));
}

}  // namespace
}  // namespace gpsi::engine
