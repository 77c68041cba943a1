// Unit tests of Impute: column/group mean and median per period (COINr i_mean, i_median,
// i_mean_grp, i_median_grp), LOCF and interpolation along a unit's years, and a replay of
// COINr's i_mean_grp imputation of the ASEM example by EurAsia_group.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "compute.hpp"
#include "oracle_csv.hpp"

namespace gpsi::compute {
namespace {

using test::Csv;
using test::Near;

Matrix Column(const std::vector<double>& v) {
  Matrix m(v.size(), 1);
  for (std::size_t r = 0; r < v.size(); ++r) m(r, 0) = v[r];
  return m;
}

TEST(ComputeImpute, MeanAndMedianPerColumn) {
  Matrix m(4, 2);
  const double a[4] = {1, kNa, 2, 6}, b[4] = {kNa, kNa, kNa, kNa};
  for (std::size_t r = 0; r < 4; ++r) m(r, 0) = a[r], m(r, 1) = b[r];
  Matrix med = m;
  auto cells = Impute(m, {}, {ImputeMethod::kMean});
  ASSERT_EQ(cells.size(), 1u);  // the all-missing column stays missing
  EXPECT_EQ(cells[0].row, 1u);
  EXPECT_EQ(cells[0].col, 0u);
  EXPECT_EQ(m(1, 0), 3);
  EXPECT_EQ(cells[0].value, 3);
  EXPECT_EQ(cells[0].how, "mean of 3 values");
  EXPECT_TRUE(IsNa(m(0, 1)));
  Impute(med, {}, {ImputeMethod::kMedian});
  EXPECT_EQ(med(1, 0), 2);
  Matrix even = Column({1, 4, kNa, 10, 2});
  auto c2 = Impute(even, {}, {ImputeMethod::kMedian});
  EXPECT_EQ(even(2, 0), 3);  // R median of {1, 4, 10, 2}
  EXPECT_EQ(c2[0].how, "median of 4 values");
}

TEST(ComputeImpute, NoneLeavesEverything) {
  Matrix m = Column({1, kNa});
  EXPECT_TRUE(Impute(m, {}, {ImputeMethod::kNone}).empty());
  EXPECT_TRUE(IsNa(m(1, 0)));
}

TEST(ComputeImpute, OnlyWithinPeriod) {
  Matrix m = Column({1, 3, kNa, 10, kNa, 20});
  RowKeys k;
  k.period = {2019, 2019, 2019, 2020, 2020, 2020};
  Impute(m, k, {ImputeMethod::kMean});
  EXPECT_EQ(m(2, 0), 2);
  EXPECT_EQ(m(4, 0), 15);
}

TEST(ComputeImpute, GroupMeanWithEmptyAndUnknownGroup) {
  // groups: 0 = {1, 3, NA}, 1 = {NA, NA} (no value: stays missing), −1 = none.
  Matrix m = Column({1, 3, kNa, kNa, kNa, kNa, 5});
  RowKeys k;
  k.group = {0, 0, 0, 1, 1, -1, 2};
  auto cells = Impute(m, k, {ImputeMethod::kGroupMean});
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(m(2, 0), 2);
  EXPECT_EQ(cells[0].how, "group 0 mean of 2 values");
  EXPECT_TRUE(IsNa(m(3, 0)) && IsNa(m(4, 0)) && IsNa(m(5, 0)));
  Matrix g = Column({1, 3, 8, kNa});
  RowKeys k2;
  k2.group = {4, 4, 4, 4};
  Impute(g, k2, {ImputeMethod::kGroupMedian});
  EXPECT_EQ(g(3, 0), 3);
  // Group method without group keys: nothing to group by.
  Matrix h = Column({1, kNa});
  EXPECT_TRUE(Impute(h, {}, {ImputeMethod::kGroupMean}).empty());
}

RowKeys Series(std::vector<int> unit, std::vector<int> year) {
  RowKeys k;
  k.unit = std::move(unit);
  k.year = std::move(year);
  k.period = k.year;
  return k;
}

TEST(ComputeImpute, LocfWithinAndBeyondK) {
  // Unit 7: 2015 = 5, 2016 NA, 2017 NA, 2019 NA; rows deliberately out of order.
  // Unit 8: 2016 NA (nothing earlier).
  Matrix m = Column({kNa, 5, kNa, kNa, kNa});
  RowKeys k = Series({7, 7, 7, 8, 7}, {2017, 2015, 2016, 2016, 2019});
  Matrix m2 = m;
  auto cells = Impute(m, k, {ImputeMethod::kLocf, 2});
  EXPECT_EQ(m(2, 0), 5);       // 2016: 1 year back
  EXPECT_EQ(m(0, 0), 5);       // 2017: 2 years back
  EXPECT_TRUE(IsNa(m(4, 0)));  // 2019: 4 years back > k, and 2017 was not observed
  EXPECT_TRUE(IsNa(m(3, 0)));
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[0].how, "2015 value");
  auto c1 = Impute(m2, k, {ImputeMethod::kLocf, 1});
  EXPECT_EQ(c1.size(), 1u);
  EXPECT_EQ(m2(2, 0), 5);
  EXPECT_TRUE(IsNa(m2(0, 0)));
  Matrix m3 = Column({kNa, 5});
  EXPECT_TRUE(Impute(m3, Series({1, 1}, {2020, 2019}), {ImputeMethod::kLocf, 0}).empty());
}

TEST(ComputeImpute, LocfPerColumnLimitAndTheCarriedRow) {
  // One unit, 2015 observed in both columns, 2020 missing: column 0 under the pipeline's k = 2
  // stays missing, column 1 with its own limit of 5 years (a law observed once) is carried.
  Matrix m(2, 2);
  m(0, 0) = 1, m(0, 1) = 3;
  m(1, 0) = kNa, m(1, 1) = kNa;
  RowKeys k = Series({1, 1}, {2015, 2020});
  ImputeSpec spec{ImputeMethod::kLocf, 2, {-1, 5}};
  auto cells = Impute(m, k, spec);
  EXPECT_TRUE(IsNa(m(1, 0)));
  EXPECT_EQ(m(1, 1), 3);
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].col, 1u);
  EXPECT_EQ(cells[0].from, 0u);  // the row whose value was carried
  // A per-column limit of 0 carries nothing in that column, whatever k is.
  Matrix m2 = m;
  m2(1, 1) = kNa;
  EXPECT_TRUE(Impute(m2, k, ImputeSpec{ImputeMethod::kLocf, 9, {-1, 0}}).size() == 1);  // column 0 only
  EXPECT_TRUE(IsNa(m2(1, 1)));
  // Interpolated and cross-section cells name no source row.
  Matrix m3 = Column({1, kNa, 3});
  auto lines = Impute(m3, Series({1, 1, 1}, {2015, 2016, 2017}), {ImputeMethod::kInterpolate, 0});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].from, ImputedCell::kNoRow);
}

TEST(ComputeImpute, InterpolateNoExtrapolation) {
  // Unit 1: NA(2014) 2(2015) NA(2016) NA(2017) 8(2018) NA(2019); unit 2: 10(2015) NA(2016) 20(2020).
  Matrix m = Column({kNa, 2, kNa, kNa, 8, kNa, 10, kNa, 20});
  RowKeys k = Series({1, 1, 1, 1, 1, 1, 2, 2, 2}, {2014, 2015, 2016, 2017, 2018, 2019, 2015, 2016, 2020});
  auto cells = Impute(m, k, {ImputeMethod::kInterpolate});
  EXPECT_TRUE(IsNa(m(0, 0)));  // before the first value
  EXPECT_EQ(m(2, 0), 4);
  EXPECT_EQ(m(3, 0), 6);
  EXPECT_TRUE(IsNa(m(5, 0)));  // after the last value
  EXPECT_EQ(m(7, 0), 12);      // uneven gap: 10 + 10·(1/5)
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(cells[0].how, "2015\u20132018 line");
}

TEST(ComputeImpute, AllMissingRow) {
  Matrix m(3, 2);
  m(0, 0) = 1, m(0, 1) = 2, m(2, 0) = 3, m(2, 1) = 6;
  auto cells = Impute(m, {}, {ImputeMethod::kMean});
  EXPECT_EQ(cells.size(), 2u);
  EXPECT_EQ(m(1, 0), 2);
  EXPECT_EQ(m(1, 1), 4);
}

// COINr Impute(dset = "Denominated", f_i = "i_mean_grp", use_group = "EurAsia_group").
TEST(ComputeImpute, ReplaysCoinrAsemGroupMean) {
  std::vector<std::string> codes, codes_i, units;
  Matrix x = test::ReadDset("dset_Denominated.csv", codes, &units);
  const Matrix expected = test::ReadDset("dset_Imputed.csv", codes_i);
  ASSERT_EQ(codes, codes_i);
  const Csv meta = test::ReadCsv(test::Oracle("units.csv"));
  std::map<std::string, std::string> group_of;
  for (const auto& row : meta.rows) group_of[row[meta.Col("uCode")]] = row[meta.Col("EurAsia_group")];
  std::map<std::string, int> group_id;
  RowKeys k;
  for (const std::string& u : units) {
    const std::string& g = group_of.at(u);
    k.group.push_back(group_id.emplace(g, static_cast<int>(group_id.size())).first->second);
  }
  auto cells = Impute(x, k, {ImputeMethod::kGroupMean});
  EXPECT_EQ(cells.size(), 65u);
  for (std::size_t c = 0; c < x.cols(); ++c)
    for (std::size_t r = 0; r < x.rows(); ++r)
      EXPECT_TRUE(Near(x(r, c), expected(r, c))) << codes[c] << " " << units[r];
}

}  // namespace
}  // namespace gpsi::compute
