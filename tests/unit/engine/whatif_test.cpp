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

//! Every row and node of `w` equals the build `b`: scores to the bit, ranks exactly.
void ExpectEqualsBuild(const WhatIfResult& w, const BuildResult& b) {
  ASSERT_EQ(w.scores.cols(), b.method.nodes.size());
  for (std::size_t q = 0; q < w.rows.size(); ++q) {
    std::size_t r = w.rows[q];
    for (std::size_t i = 0; i < b.method.nodes.size(); ++i) {
      const std::string where = b.row_unit[r] + " " + std::to_string(b.row_year[r]) + " " + b.method.nodes[i].code;
      EXPECT_TRUE(Same(w.scores(q, i), b.scores(r, i))) << where << ": " << w.scores(q, i) << " vs " << b.scores(r, i);
      EXPECT_EQ(w.ranks[i][q], b.ranks[i][r]) << where;
    }
  }
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
  ASSERT_FALSE(b.row_unit.empty());
  auto w = WhatIf(b, {});
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->rows.size(), b.row_unit.size());
  EXPECT_EQ(w->weights, b.weights);
  ExpectEqualsBuild(*w, b);
  // The same weights given explicitly change nothing either.
  std::map<std::string, double> same;
  for (std::size_t i = 0; i < b.method.nodes.size(); ++i) {
    if (!b.method.nodes[i].parent.empty()) same[b.method.nodes[i].code] = b.weights[i];
  }
  auto w2 = WhatIf(b, same);
  ASSERT_TRUE(w2) << w2.error().message;
  ExpectEqualsBuild(*w2, b);
}

TEST_F(WhatIfTest, OneYearIsThatYearsRowsOfTheBuild) {
  const BuildResult& b = *nominal_;
  int year = b.row_year.back();
  auto w = WhatIf(b, {}, year);
  ASSERT_TRUE(w) << w.error().message;
  std::size_t n = 0;
  for (int y : b.row_year) n += y == year ? 1 : 0;
  EXPECT_EQ(w->rows.size(), n);
  for (auto r : w->rows) EXPECT_EQ(b.row_year[r], year);
  ExpectEqualsBuild(*w, b);
}

TEST_F(WhatIfTest, OtherWeightsEqualABuildWithThoseWeights) {
  const BuildResult& b = *nominal_;
  // A dimension, a sub-dimension and an indicator, one of them switched off.
  const std::map<std::string, double> weights{{"Conn", 3}, {"Political", 0}, {"LPI", 2.5}, {"Environ", 0.25}};
  std::vector<std::string> sets;
  for (const auto& [code, v] : weights) sets.push_back("weight." + code + "=" + std::to_string(v));
  BuildResult ref = BuildAsem(sets);
  ASSERT_EQ(ref.row_unit, b.row_unit);
  auto w = WhatIf(b, weights);
  ASSERT_TRUE(w) << w.error().message;
  ExpectEqualsBuild(*w, ref);
  // Not vacuous: the index ranks moved for some unit.
  const std::size_t top = b.method.nodes.size() - 1;
  std::size_t moved = 0;
  for (std::size_t q = 0; q < w->rows.size(); ++q) moved += w->ranks[top][q] != b.ranks[top][w->rows[q]] ? 1 : 0;
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
