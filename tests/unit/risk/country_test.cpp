// Unit tests of the country risk rules: INFORM's classes on the published (rounded) score, the
// reliability index, the 3-year trend and the confusion by class, each against figures worked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "risk.hpp"

namespace gpsi::risk {
namespace {

method::RiskSpec Inform() {
  method::RiskSpec s;
  s.class_lower = {2.0, 3.5, 5.0, 6.5};
  s.class_en = {"Very low", "Low", "Medium", "High", "Very high"};
  s.class_zh = {"很低", "低", "中", "高", "很高"};
  return s;
}

TEST(RiskClassify, InformsFiveClassesOnTheOneDecimalScore) {
  const auto s = Inform();
  EXPECT_EQ(Classify(0.0, s), 0);
  EXPECT_EQ(Classify(1.94, s), 0);  // published 1.9
  EXPECT_EQ(Classify(1.96, s), 1);  // published 2.0: Low
  EXPECT_EQ(Classify(2.0, s), 1);
  EXPECT_EQ(Classify(3.44, s), 1);
  EXPECT_EQ(Classify(3.5, s), 2);
  EXPECT_EQ(Classify(4.96, s), 3);  // published 5.0: High
  EXPECT_EQ(Classify(6.44, s), 3);
  EXPECT_EQ(Classify(6.46, s), 4);
  EXPECT_EQ(Classify(10.0, s), 4);
  EXPECT_EQ(Classify(kNa, s), -1);
}

TEST(RiskClassify, TheDecimalsDecideWhereABoundaryFalls) {
  auto s = Inform();
  s.decimals = 2;
  EXPECT_EQ(Classify(4.996, s), 3);  // 5.00
  EXPECT_EQ(Classify(4.994, s), 2);  // 4.99
  s.decimals = 0;
  EXPECT_EQ(Classify(4.6, s), 3);  // 5
  EXPECT_EQ(Classify(4.4, s), 2);  // 4 (3.5 rounds to 4 as well: Medium)
}

TEST(RiskReliability, MissingImputedAndAgeEachCountAThird) {
  const auto s = Inform();  // max_age 5
  // 4 indicators: one missing; of the 3 present, 1 carried 2 years, 1 read 6 years ago (capped at 5).
  const std::vector<Cell> cells{{true, false, 0}, {true, true, 2}, {true, false, 6}, {false, false, 0}};
  const Reliability r = AssessReliability(cells, s);
  EXPECT_DOUBLE_EQ(r.missing, 0.25);
  EXPECT_DOUBLE_EQ(r.imputed, 1.0 / 3);
  EXPECT_DOUBLE_EQ(r.age, (0 + 2.0 / 5 + 1) / 3);
  EXPECT_DOUBLE_EQ(r.mean_age_years, 8.0 / 3);
  EXPECT_DOUBLE_EQ(r.index, 10 * (0.25 + 1.0 / 3 + 1.4 / 3) / 3);
}

TEST(RiskReliability, CompleteFreshDataIsZeroAndNoDataIsTen) {
  const auto s = Inform();
  const std::vector<Cell> fresh(5, Cell{true, false, 0});
  EXPECT_DOUBLE_EQ(AssessReliability(fresh, s).index, 0);
  const std::vector<Cell> none(5, Cell{});
  EXPECT_DOUBLE_EQ(AssessReliability(none, s).index, 10);
  EXPECT_TRUE(IsNa(AssessReliability(none, s).mean_age_years));
  EXPECT_TRUE(IsNa(AssessReliability({}, s).index));
}

TEST(RiskTrend, TheLeastSquaresSlopeOverTheWindow) {
  const auto s = Inform();  // 3 years, band 0.1 a year
  const std::vector<int> years{2019, 2020, 2021, 2022, 2023};
  // The window 2021–2023 only: 5.0, 5.4, 5.5 → slope (5.5 − 5.0) / 2 = 0.25 (x = 0, 1, 2).
  const Trend t = TrendOf(years, std::vector<double>{9, 1, 5.0, 5.4, 5.5}, 2023, s);
  EXPECT_EQ(t.from, 2021);
  EXPECT_EQ(t.to, 2023);
  EXPECT_EQ(t.points, 3u);
  EXPECT_NEAR(t.slope, 0.25, 1e-12);
  EXPECT_NEAR(t.change, 0.5, 1e-12);
  EXPECT_EQ(t.direction, Direction::kRising);
  EXPECT_EQ(TrendOf(years, std::vector<double>{0, 0, 5.0, 4.9, 4.85}, 2023, s).direction, Direction::kStable);
  EXPECT_EQ(TrendOf(years, std::vector<double>{0, 0, 5.0, 4.5, 4.6}, 2023, s).direction, Direction::kFalling);
}

TEST(RiskTrend, BothEndsOfTheWindowAreNeeded) {
  const auto s = Inform();
  const std::vector<int> years{2021, 2022, 2023};
  EXPECT_FALSE(TrendOf(years, std::vector<double>{kNa, 4, 5}, 2023, s).known());
  EXPECT_FALSE(TrendOf(years, std::vector<double>{3, 4, kNa}, 2023, s).known());
  const Trend gap = TrendOf(years, std::vector<double>{3, kNa, 4}, 2023, s);
  ASSERT_TRUE(gap.known());
  EXPECT_NEAR(gap.slope, 0.5, 1e-12);
  EXPECT_EQ(gap.points, 2u);
}

TEST(RiskConfusion, RatesAndTheCutAtEachClass) {
  // Classes 0..2: class 0 has 4 units (0 events), class 1 has 4 (1 event), class 2 has 2 (2 events).
  const std::vector<int> cls{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, -1};
  const std::vector<char> event{0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1};
  const auto by = ConfusionByClass(cls, event, 3);
  ASSERT_EQ(by.size(), 3u);
  EXPECT_EQ(by[0].units, 4u);
  EXPECT_EQ(by[1].events, 1u);
  EXPECT_DOUBLE_EQ(by[1].rate, 0.25);
  EXPECT_DOUBLE_EQ(by[2].rate, 1.0);
  // Class ≥ 2: 2 of 3 events found; no false alarm among the 7 without.
  EXPECT_DOUBLE_EQ(by[2].sensitivity, 2.0 / 3);
  EXPECT_DOUBLE_EQ(by[2].specificity, 1.0);
  // Class ≥ 1: all 3 events; 3 false alarms of 7.
  EXPECT_DOUBLE_EQ(by[1].sensitivity, 1.0);
  EXPECT_DOUBLE_EQ(by[1].specificity, 4.0 / 7);
  EXPECT_DOUBLE_EQ(by[0].sensitivity, 1.0);
  EXPECT_DOUBLE_EQ(by[0].specificity, 0.0);
}

}  // namespace
}  // namespace gpsi::risk
