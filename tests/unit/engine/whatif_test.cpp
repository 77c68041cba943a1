// engine::WhatIf on COINr's ASEM tables (four levels, missing values, a screen): with the build's own
// weights it reproduces the build exactly; with other weights it equals a build of the method with
// those weights set (`--set weight.CODE=…`). Hand-computed what-ifs (weights, one year, every weight
// of the index 0) and refused weights and years are golden cases (tests/golden/whatif-*).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine.hpp"

namespace gpsi::engine {
namespace {

std::string Asem(const std::string& file) {
  return std::string(GPSI_TEST_DATA) + "/asem/" + file;
}

BuildResult BuildAsem(const std::vector<std::string>& sets) {
  BuildConfig c;
  c.coinr_data = Asem("iData.csv");
  c.coinr_meta = Asem("iMeta.csv");
  c.sets = sets;
  auto b = Build(c);
  if (!b) ADD_FAILURE() << b.error().message;
  return b ? std::move(*b) : BuildResult{};
}

bool Same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

//! Every row and node of `w` equals the build `b`: scores to the bit, ranks and flags exactly.
void ExpectEqualsBuild(const WhatIfResult& w, const BuildResult& b) {
  ASSERT_EQ(w.scores.cols(), b.method.nodes.size());
  for (std::size_t q = 0; q < w.rows.size(); ++q) {
    std::size_t r = w.rows[q];
    for (std::size_t i = 0; i < b.method.nodes.size(); ++i) {
      const UnitYear& row = b.panel.row(r);
      const std::string where = row.unit + " " + std::to_string(row.year) + " " + b.method.nodes[i].code;
      const Score &got = w.scores.at(q, i), &want = b.scores.at(r, i);
      EXPECT_TRUE(Same(got.value, want.value)) << where << ": " << got.value << " vs " << want.value;
      EXPECT_EQ(got.rank, want.rank) << where;
      EXPECT_EQ(got.flags, want.flags) << where;
    }
  }
}

//! The weights a build used, per node.
std::vector<double> Weights(const BuildResult& b) {
  std::vector<double> out;
  for (const auto& n : b.method.nodes) out.push_back(n.weight);
  return out;
}

//! The build's years, per row.
std::vector<int> RowYears(const BuildResult& b) {
  std::vector<int> out;
  for (const auto& row : b.panel.row_keys()) out.push_back(row.year);
  return out;
}

class WhatIfTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { nominal_ = new BuildResult(BuildAsem({})); }
  static void TearDownTestSuite() {
    delete nominal_;
    nominal_ = nullptr;
  }
  static BuildResult* nominal_;
};
BuildResult* WhatIfTest::nominal_ = nullptr;

TEST_F(WhatIfTest, OwnWeightsReproduceTheBuild) {
  const BuildResult& b = *nominal_;
  ASSERT_GT(b.panel.rows(), 0u);
  auto w = WhatIf(b, {});
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->rows.size(), b.panel.rows());
  EXPECT_EQ(w->weights, Weights(b));
  ExpectEqualsBuild(*w, b);
  // The same weights given explicitly change nothing either.
  std::map<std::string, double> same;
  for (std::size_t i = 0; i < b.method.nodes.size(); ++i) {
    if (!b.method.nodes[i].parent.empty()) same[b.method.nodes[i].code] = b.method.nodes[i].weight;
  }
  auto w2 = WhatIf(b, same);
  ASSERT_TRUE(w2) << w2.error().message;
  ExpectEqualsBuild(*w2, b);
}

TEST_F(WhatIfTest, OneYearIsThatYearsRowsOfTheBuild) {
  const BuildResult& b = *nominal_;
  const std::vector<int> years = RowYears(b);
  int year = years.back();
  auto w = WhatIf(b, {}, year);
  ASSERT_TRUE(w) << w.error().message;
  std::size_t n = 0;
  for (int y : years) n += y == year ? 1 : 0;
  EXPECT_EQ(w->rows.size(), n);
  for (auto r : w->rows) EXPECT_EQ(years[r], year);
  ExpectEqualsBuild(*w, b);
}

TEST_F(WhatIfTest, OtherWeightsEqualABuildWithThoseWeights) {
  const BuildResult& b = *nominal_;
  // A dimension, a sub-dimension and an indicator, one of them switched off.
  const std::map<std::string, double> weights{{"Conn", 3}, {"Political", 0}, {"LPI", 2.5}, {"Environ", 0.25}};
  std::vector<std::string> sets;
  for (const auto& [code, v] : weights) sets.push_back("weight." + code + "=" + std::to_string(v));
  BuildResult ref = BuildAsem(sets);
  ASSERT_EQ(ref.panel.rows(), b.panel.rows());
  for (std::size_t r = 0; r < b.panel.rows(); ++r) ASSERT_EQ(ref.panel.row(r).unit, b.panel.row(r).unit);
  auto w = WhatIf(b, weights);
  ASSERT_TRUE(w) << w.error().message;
  ExpectEqualsBuild(*w, ref);
  // Not vacuous: the index ranks moved for some unit.
  const std::size_t top = b.method.top();
  std::size_t moved = 0;
  for (std::size_t q = 0; q < w->rows.size(); ++q) {
    moved += w->scores.rank(q, top) != b.scores.rank(w->rows[q], top) ? 1 : 0;
  }
  EXPECT_GT(moved, 0u);
  for (const auto& [code, v] : weights) {
    for (std::size_t i = 0; i < b.method.nodes.size(); ++i) {
      if (b.method.nodes[i].code == code) {
        EXPECT_EQ(w->weights[i], v) << code;
      }
    }
  }
}

}  // namespace
}  // namespace gpsi::engine
