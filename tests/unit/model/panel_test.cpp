// model::Panel and model::ScoreTable: one row-major layout, with accessors that find rows and
// columns by their keys.
#include <gtest/gtest.h>

#include "model.hpp"

namespace gpsi {
namespace {

Panel TwoYears() {
  return Panel({{"DEU", "Germany", 2020}, {"FRA", "France", 2020}, {"DEU", "Germany", 2021}}, {"a", "b"}, true);
}

TEST(Panel, EveryCellStartsMissingWithoutOrigin) {
  const Panel p = TwoYears();
  ASSERT_EQ(p.rows(), 3u);
  ASSERT_EQ(p.cols(), 2u);
  for (std::size_t r = 0; r < p.rows(); ++r) {
    for (std::size_t c = 0; c < p.cols(); ++c) {
      for (Stage s : {Stage::kRaw, Stage::kDenominated, Stage::kImputed, Stage::kTreated, Stage::kNormalised}) {
        EXPECT_TRUE(IsNa(p.value(s, r, c)));
      }
      EXPECT_TRUE(p.origin(r, c).how.empty());
      EXPECT_EQ(p.origin(r, c).series, -1);
    }
  }
}

TEST(Panel, CellsAreIndependentPerStageRowAndColumn) {
  Panel p = TwoYears();
  p.value(Stage::kRaw, 1, 0) = 1;
  p.value(Stage::kImputed, 1, 0) = 2;
  p.value(Stage::kRaw, 1, 1) = 3;
  p.origin(2, 1).how = "imputed";
  p.origin(2, 1).imputed_by = "mean";
  EXPECT_EQ(p.value(Stage::kRaw, 1, 0), 1);
  EXPECT_EQ(p.value(Stage::kImputed, 1, 0), 2);
  EXPECT_EQ(p.value(Stage::kRaw, 1, 1), 3);
  EXPECT_TRUE(IsNa(p.value(Stage::kRaw, 0, 0)));
  EXPECT_TRUE(IsNa(p.value(Stage::kTreated, 1, 0)));
  EXPECT_EQ(p.origin(2, 1).imputed_by, "mean");
  EXPECT_TRUE(p.origin(2, 0).how.empty());
}

TEST(Panel, FindsRowsByUnitAndYear) {
  const Panel p = TwoYears();
  EXPECT_EQ(p.Find("FRA", 2020), 1u);
  EXPECT_EQ(p.Find("DEU", 2021), 2u);
  EXPECT_FALSE(p.Find("FRA", 2021));
  EXPECT_FALSE(p.Find("ESP", 2020));
  EXPECT_EQ(p.RowsOf("DEU"), (std::vector<std::size_t>{0, 2}));
  EXPECT_TRUE(p.RowsOf("ESP").empty());
  EXPECT_EQ(p.LatestYear(), 2021);
  EXPECT_EQ(p.indicator(1), "b");
  EXPECT_EQ(p.row(1).name, "France");
  EXPECT_EQ(Panel().LatestYear(), 0);
}

TEST(Panel, StagesAreNamedAsStagesCsvNamesThem) {
  EXPECT_EQ(ToString(Stage::kRaw), "raw");
  EXPECT_EQ(ToString(Stage::kDenominated), "denominated");
  EXPECT_EQ(ToString(Stage::kImputed), "imputed");
  EXPECT_EQ(ToString(Stage::kTreated), "treated");
  EXPECT_EQ(ToString(Stage::kNormalised), "normalised");
}

TEST(CellOrigin, OwnDataIsTheUnitsRecordsOrAnInterpolationBetweenThem) {
  auto origin = [](std::string how, std::string by = "") {
    CellOrigin o;
    o.how = std::move(how), o.imputed_by = std::move(by);
    return o;
  };
  EXPECT_FALSE(origin("").OwnData());  // no value
  for (const char* how : {"observed", "sum", "fill", "window", "gti", "carried"}) EXPECT_TRUE(origin(how).OwnData());
  EXPECT_TRUE(origin("imputed", "interpolate").OwnData());
  EXPECT_FALSE(origin("imputed", "mean").OwnData());
  EXPECT_FALSE(origin("imputed", "group-mean:m49_region").OwnData());
}

TEST(ScoreTable, OneScoreRankAndFlagsPerRowAndNode) {
  ScoreTable t(2, {"a", "b", "INDEX"});
  ASSERT_EQ(t.rows(), 2u);
  ASSERT_EQ(t.cols(), 3u);
  EXPECT_TRUE(IsNa(t.value(1, 2)));
  EXPECT_EQ(t.rank(1, 2), 0);
  t.at(1, 2) = Score{42.5, 1, "i"};
  t.at(0, 2).rank = 2;
  EXPECT_EQ(t.value(1, 2), 42.5);
  EXPECT_EQ(t.rank(1, 2), 1);
  EXPECT_EQ(t.flags(1, 2), "i");
  EXPECT_EQ(t.rank(0, 2), 2);
  EXPECT_TRUE(IsNa(t.value(0, 2)));
  EXPECT_EQ(t.Column("INDEX"), 2u);
  EXPECT_EQ(t.node(0), "a");
  EXPECT_FALSE(t.Column("nope"));
}

}  // namespace
}  // namespace gpsi
