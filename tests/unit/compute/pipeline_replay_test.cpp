// Chains the kernels as COINr's uncertainty runs do — Treat(winmax) → Normalise(n_minmax or
// n_zscore with iMeta directions) → Aggregate(a_amean or a_gmean, one weight table at every
// level) — and compares the Index with runs of ../shared/oracle/coinr-asem-ua-n100/scores.csv.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "compute.hpp"
#include "oracle_csv.hpp"

namespace gpsi::compute {
namespace {

using test::Csv;
using test::Near;

std::string Ua(const std::string& file) {
  return std::string(GPSI_TEST_DATA) + "/../oracle/coinr-asem-ua-n100/" + file;
}

void ReplayRun(int run) {
  SCOPED_TRACE("run " + std::to_string(run));
  const Csv design = test::ReadCsv(Ua("design.csv"));
  const auto& d = design.rows.at(static_cast<std::size_t>(run - 1));
  ASSERT_EQ(d[design.Col("column")], "r_" + std::to_string(run));
  const int winmax = static_cast<int>(Csv::Num(d[design.Col("winmax")]));
  const bool zscore = d[design.Col("norm_f_n")] == "n_zscore";
  const double p1 = Csv::Num(d[design.Col("norm_p1")]), p2 = Csv::Num(d[design.Col("norm_p2")]);
  const std::string weight_set = d[design.Col("weight_set")];
  const AggMethod agg = d[design.Col("f_ag")] == "a_gmean" ? AggMethod::kGeometric : AggMethod::kArithmetic;

  std::map<std::string, double> weight;
  const Csv nw = test::ReadCsv(Ua("noisy_weights.csv"));
  for (const auto& row : nw.rows)
    if (row[0] == weight_set) weight[row[1]] = Csv::Num(row[3]);
  std::map<std::string, int> dir;
  const Csv meta = test::ReadCsv(std::string(GPSI_TEST_DATA) + "/asem/iMeta.csv");
  for (const auto& row : meta.rows) {
    dir[row[meta.Col("iCode")]] = static_cast<int>(Csv::Num(row[meta.Col("Direction")]));
    if (!weight.count(row[meta.Col("iCode")])) weight[row[meta.Col("iCode")]] = Csv::Num(row[meta.Col("Weight")]);
  }

  std::vector<std::string> codes, units;
  Matrix x = test::ReadDset("dset_Screened.csv", codes, &units);
  const Csv lin = test::ReadCsv(test::Oracle("lineage.csv"));
  std::vector<std::string> names = codes;
  for (std::size_t level = 1; level < lin.header.size(); ++level)
    for (const auto& row : lin.rows)
      if (std::find(names.begin(), names.end(), row[level]) == names.end()) names.push_back(row[level]);
  std::map<std::string, std::size_t> col;
  for (std::size_t c = 0; c < names.size(); ++c) col[names[c]] = c;
  Matrix w(x.rows(), names.size());
  for (std::size_t c = 0; c < codes.size(); ++c) {
    TreatJrc(x.Col(c), winmax);
    const NormSpec spec{zscore ? NormMethod::kZScore : NormMethod::kMinMax, p1, p2};
    ASSERT_TRUE(Normalise(x.Col(c), dir.at(codes[c]), spec).ok());
    std::copy(x.Col(c).begin(), x.Col(c).end(), w.Col(c).begin());
  }
  for (std::size_t level = 1; level < lin.header.size(); ++level) {
    const auto children = test::LineageChildren(lin, level, col);
    for (const auto& [parent, ch] : children) {
      std::vector<double> wt;
      for (std::size_t c : ch) wt.push_back(weight.at(names[c]));
      ASSERT_FALSE(Aggregate(w, ch, wt, agg, 0, w.Col(col.at(parent))));
    }
  }
  const Csv scores = test::ReadCsv(Ua("scores.csv"));
  const int sc = scores.Col("r_" + std::to_string(run));
  ASSERT_GE(sc, 0);
  for (const auto& row : scores.rows) {
    const std::size_t r = std::find(units.begin(), units.end(), row[0]) - units.begin();
    ASSERT_LT(r, units.size());
    EXPECT_TRUE(Near(w(r, col.at("Index")), Csv::Num(row[sc]))) << row[0];
  }
}

TEST(ComputePipeline, ReplaysCoinrUaRuns) {
  // 1: minmax 1–100 + amean; 2: minmax + gmean; 3: zscore(10, 2) + gmean; 50 and 100 as checked
  // in the oracle README.
  for (int run : {1, 2, 3, 17, 50, 100}) ReplayRun(run);
}

}  // namespace
}  // namespace gpsi::compute
