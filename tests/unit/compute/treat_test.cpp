// Unit tests of the JRC/COINr outlier treatment: skew/kurtosis test, winsorisation (ties, side
// switching, overshoot of winmax), the log_CT fallback, and a replay of COINr 1.1.14's Treat on
// the ASEM example (../shared/oracle/coinr-asem-default).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>
#include <vector>

#include "compute.hpp"
#include "oracle_csv.hpp"

namespace gpsi::compute {
namespace {

using test::Csv;
using test::Near;

std::vector<double> Range(int from, int to) {
  std::vector<double> v;
  for (int i = from; i <= to; ++i) v.push_back(i);
  return v;
}

TEST(ComputeTreat, CheckSkewKurtRule) {
  // {1,2,3,4,10}: skew 1.697…, kurt 3.152 → |skew| < 2 passes.
  std::vector<double> x = {1, 2, 3, 4, 10};
  SkewKurt s = CheckSkewKurt(x);
  EXPECT_TRUE(Near(s.skew, 1.697056274847714));
  EXPECT_TRUE(Near(s.kurt, 3.152, 1e-12));
  EXPECT_TRUE(s.pass);
  // Fails only when both thresholds are reached.
  EXPECT_FALSE(CheckSkewKurt(x, 1.5, 3.0).pass);
  EXPECT_TRUE(CheckSkewKurt(x, 1.5, 3.2).pass);
  // Undefined test (constant column, too few values) counts as passed: no treatment.
  std::vector<double> flat = {2, 2, 2, 2, 2};
  EXPECT_TRUE(CheckSkewKurt(flat).pass);
  EXPECT_TRUE(std::isnan(CheckSkewKurt(flat).skew));
  std::vector<double> three = {1, 2, 100};
  EXPECT_TRUE(std::isnan(Kurt(three)));
  EXPECT_TRUE(CheckSkewKurt(three).pass);
}

TEST(ComputeTreat, PassingColumnUntouched) {
  std::vector<double> x = {1, 2, 3, 4, 10};
  const std::vector<double> orig = x;
  TreatReport r = TreatJrc(x, 5);
  EXPECT_EQ(r.nwin, 0);
  EXPECT_TRUE(r.points.empty());
  EXPECT_FALSE(r.log_applied);
  EXPECT_EQ(x, orig);
}

TEST(ComputeTreat, SingleHighOutlier) {
  // COINr's own example: 1..10, 30, 100 → 100 is clipped to 30, then the column passes.
  std::vector<double> x = Range(1, 10);
  x.push_back(30);
  x.push_back(100);
  TreatReport r = TreatJrc(x, 5);
  EXPECT_TRUE(Near(r.before.skew, 3.0632410342394985));
  EXPECT_TRUE(Near(r.before.kurt, 9.741390834569144));
  EXPECT_FALSE(r.before.pass);
  EXPECT_EQ(r.nwin, 1);
  EXPECT_TRUE(r.after.pass);
  EXPECT_TRUE(Near(r.after.skew, 1.7120380600890506));
  EXPECT_TRUE(Near(r.after.kurt, 1.8157805377242044));
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0].row, 11u);
  EXPECT_TRUE(r.points[0].high);
  EXPECT_EQ(r.points[0].before, 100);
  EXPECT_EQ(r.points[0].after, 30);
  EXPECT_EQ(x[11], 30);
  EXPECT_EQ(x[10], 30);
}

TEST(ComputeTreat, LowOutlierClippedAtTheBottom) {
  std::vector<double> x = Range(1, 10);
  x.push_back(30);
  x.push_back(100);
  for (double& v : x) v = -v;
  TreatReport r = TreatJrc(x, 5);
  EXPECT_EQ(r.nwin, 1);
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_FALSE(r.points[0].high);
  EXPECT_EQ(x[11], -30);
  EXPECT_TRUE(Near(r.after.skew, -1.7120380600890506));
}

TEST(ComputeTreat, TiesAreClippedTogether) {
  // 1..20, 100, 100: both maxima go to 20 in one pass, nwin = 2.
  std::vector<double> x = Range(1, 20);
  x.push_back(100);
  x.push_back(100);
  TreatReport r = TreatJrc(x, 5);
  EXPECT_EQ(r.nwin, 2);
  ASSERT_EQ(r.points.size(), 2u);
  EXPECT_EQ(r.points[0].row, 20u);
  EXPECT_EQ(r.points[1].row, 21u);
  EXPECT_EQ(x[20], 20);
  EXPECT_EQ(x[21], 20);
  EXPECT_TRUE(r.after.pass);
  EXPECT_TRUE(Near(r.after.skew, -0.09449573196380336));
}

TEST(ComputeTreat, NwinCanOvershootWinmax) {
  // 1..20, 200, 200, 1000 with winmax 2: pass 1 clips 1000 → 200 (nwin 1, still failing), pass 2
  // clips the three tied 200s → 20 (nwin 3 > winmax), as COINr counts them.
  std::vector<double> x = Range(1, 20);
  x.insert(x.end(), {200, 200, 1000});
  TreatReport r = TreatJrc(x, 2);
  EXPECT_EQ(r.nwin, 3);
  EXPECT_FALSE(r.log_applied);
  EXPECT_TRUE(r.after.pass);
  EXPECT_TRUE(Near(r.after.skew, -0.15569485569268496));
  EXPECT_TRUE(Near(r.after.kurt, -1.3241261912461484));
  ASSERT_EQ(r.points.size(), 3u);
  EXPECT_EQ(r.points[2].before, 1000);
  EXPECT_EQ(r.points[2].after, 20);
  EXPECT_EQ(x[22], 20);
}

TEST(ComputeTreat, LogFallbackOnOriginalColumn) {
  // 1..20, 500, 1000 with winmax 1: one clip is not enough, so log_CT replaces the *original*
  // column: log(x − 1 + 0.01·999).
  std::vector<double> x = Range(1, 20);
  x.insert(x.end(), {500, 1000});
  const std::vector<double> orig = x;
  TreatReport r = TreatJrc(x, 1);
  EXPECT_EQ(r.nwin, 1);
  EXPECT_FALSE(r.after.pass);
  EXPECT_TRUE(Near(r.after.skew, 3.050133471660138));
  EXPECT_TRUE(r.log_applied);
  EXPECT_TRUE(Near(r.after_log.skew, 2.6826681951533584));
  EXPECT_TRUE(Near(r.after_log.kurt, 6.912825179005116));
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_TRUE(Near(x[i], std::log(orig[i] - 1 + 9.99), 1e-15));
  EXPECT_TRUE(Near(x[0], 2.301584592660462));
  EXPECT_TRUE(Near(x[21], 6.916705109501722));
}

TEST(ComputeTreat, WinmaxZeroGoesStraightToLog) {
  std::vector<double> x = Range(1, 19);
  x.push_back(1000);
  TreatReport r = TreatJrc(x, 0);
  EXPECT_EQ(r.nwin, 0);
  EXPECT_TRUE(r.points.empty());
  EXPECT_TRUE(r.log_applied);
  EXPECT_TRUE(Near(x[19], std::log(999 + 9.99)));
}

TEST(ComputeTreat, CheckWinmax) {
  EXPECT_TRUE(CheckWinmax(0).ok());
  EXPECT_TRUE(CheckWinmax(5).ok());
  Status s = CheckWinmax(-1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kBadMethod);
}

TEST(ComputeTreat, MissingValuesIgnoredAndKept) {
  std::vector<double> x = Range(1, 10);
  x.push_back(kNa);
  x.push_back(30);
  x.push_back(100);
  x.push_back(kNa);
  TreatReport r = TreatJrc(x, 5);
  EXPECT_EQ(r.nwin, 1);
  EXPECT_TRUE(Near(r.after.skew, 1.7120380600890506));
  EXPECT_TRUE(IsNa(x[10]));
  EXPECT_TRUE(IsNa(x[13]));
  EXPECT_EQ(x[12], 30);
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0].row, 12u);
}

TEST(ComputeTreat, TooFewValuesLeftUntreated) {
  std::vector<double> x = {1, kNa, 1000};
  TreatReport r = TreatJrc(x, 5);
  EXPECT_EQ(r.nwin, 0);
  EXPECT_FALSE(r.log_applied);
  EXPECT_EQ(x[2], 1000);
}

// Replays COINr 1.1.14's Treat(winmax = 5) on every column of the ASEM Screened data set and
// compares with dset_Treated.csv, treat_details.csv and treated_points_long.csv.
TEST(ComputeTreat, ReplaysCoinrAsemTreat) {
  std::vector<std::string> codes, units, codes_t;
  Matrix x = test::ReadDset("dset_Screened.csv", codes, &units);
  const Matrix expected = test::ReadDset("dset_Treated.csv", codes_t);
  ASSERT_EQ(codes, codes_t);
  ASSERT_EQ(x.rows(), 51u);
  ASSERT_EQ(x.cols(), 49u);
  const Csv details = test::ReadCsv(test::Oracle("treat_details.csv"));
  const Csv points = test::ReadCsv(test::Oracle("treated_points_long.csv"));
  std::map<std::string, const std::vector<std::string>*> by_code;
  for (const auto& row : details.rows) by_code[row[0]] = &row;
  const int c_skew0 = details.Col("check_SkewKurt0.Skew"), c_kurt0 = details.Col("check_SkewKurt0.Kurt");
  const int c_pass0 = details.Col("check_SkewKurt0.Pass"), c_nwin = details.Col("winsorise.nwin");
  const int c_skew1 = details.Col("check_SkewKurt1.Skew"), c_kurt1 = details.Col("check_SkewKurt1.Kurt");
  const int c_pass1 = details.Col("check_SkewKurt1.Pass");
  ASSERT_GE(c_pass1, 0);

  std::size_t n_points = 0, n_treated = 0;
  for (std::size_t c = 0; c < x.cols(); ++c) {
    SCOPED_TRACE(codes[c]);
    ASSERT_TRUE(by_code.count(codes[c]));
    const auto& d = *by_code[codes[c]];
    TreatReport r = TreatJrc(x.Col(c), 5);
    EXPECT_TRUE(Near(r.before.skew, Csv::Num(d[c_skew0])));
    EXPECT_TRUE(Near(r.before.kurt, Csv::Num(d[c_kurt0])));
    EXPECT_EQ(r.before.pass, d[c_pass0] == "TRUE");
    if (d[c_nwin].empty()) {
      EXPECT_EQ(r.nwin, 0);
    } else {
      ++n_treated;
      EXPECT_EQ(r.nwin, static_cast<int>(Csv::Num(d[c_nwin])));
      EXPECT_TRUE(Near(r.after.skew, Csv::Num(d[c_skew1])));
      EXPECT_TRUE(Near(r.after.kurt, Csv::Num(d[c_kurt1])));
      EXPECT_EQ(r.after.pass, d[c_pass1] == "TRUE");
    }
    EXPECT_FALSE(r.log_applied);
    for (std::size_t i = 0; i < x.rows(); ++i) EXPECT_TRUE(Near(x(i, c), expected(i, c))) << units[i];
    for (const TreatedPoint& p : r.points) {
      bool found = false;
      for (const auto& row : points.rows) {
        if (row[0] == units[p.row] && row[1] == codes[c]) {
          found = true;
          EXPECT_EQ(row[2], p.high ? "winhi" : "winlo");
          EXPECT_TRUE(Near(p.before, Csv::Num(row[3])));
          EXPECT_TRUE(Near(p.after, Csv::Num(row[4])));
        }
      }
      EXPECT_TRUE(found) << units[p.row];
    }
    n_points += r.points.size();
  }
  EXPECT_EQ(n_treated, 15u);
  EXPECT_EQ(n_points, points.rows.size());
}

}  // namespace
}  // namespace gpsi::compute
