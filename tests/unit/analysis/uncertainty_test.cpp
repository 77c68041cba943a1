// Monte Carlo building blocks: exact rank statistics (R quantile type 7 from histograms, merge
// and serialisation independent of order) and the Runner's aggregation and ranks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "analysis.hpp"

namespace gpsi::analysis {
namespace {

//! R's quantile(x, p, type = 7) computed directly from the sorted sample.
double Type7(std::vector<double> x, double p) {
  std::sort(x.begin(), x.end());
  double h = static_cast<double>(x.size() - 1) * p;
  auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= x.size()) return x[lo];
  return x[lo] + (h - static_cast<double>(lo)) * (x[lo + 1] - x[lo]);
}

TEST(AnalysisRankStats, QuantilesMeanAndScoresMatchTheSample) {
  const std::vector<int> ranks{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9};
  RankStats st(1, 1, 10);
  std::vector<double> as_double, scores;
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    double score = 100.0 / (1 + ranks[i]) + 0.25 * static_cast<double>(i);
    st.Add(0, 0, ranks[i], score);
    as_double.push_back(ranks[i]);
    scores.push_back(score);
  }
  st.Add(0, 0, 0, 1.0);  // a run without a rank (missing) is not counted
  EXPECT_EQ(st.runs(0, 0), ranks.size());
  for (double p : {0.0, 0.05, 0.25, 0.5, 0.9, 0.95, 1.0})
    EXPECT_DOUBLE_EQ(st.RankQuantile(0, 0, p), Type7(as_double, p)) << p;
  double mean = 0;
  for (double r : as_double) mean += r;
  EXPECT_DOUBLE_EQ(st.MeanRank(0, 0), mean / static_cast<double>(ranks.size()));
  double ms = 0, ss = 0;
  for (double s : scores) ms += s;
  ms /= static_cast<double>(scores.size());
  for (double s : scores) ss += (s - ms) * (s - ms);
  EXPECT_NEAR(st.MeanScore(0, 0), ms, 1e-9);
  EXPECT_NEAR(st.SdScore(0, 0), std::sqrt(ss / static_cast<double>(scores.size() - 1)), 1e-5);
}

TEST(AnalysisRankStats, MergeAndSerialisationDoNotDependOnOrder) {
  RankStats all(2, 3, 5), a(2, 3, 5), b(2, 3, 5);
  Rng rng(7);
  for (int run = 0; run < 500; ++run) {
    for (std::size_t node = 0; node < 2; ++node) {
      for (std::size_t row = 0; row < 3; ++row) {
        int rank = 1 + static_cast<int>(rng.Below(5));
        double score = rng.Uniform() * 100 - 20;
        all.Add(node, row, rank, score);
        (run % 3 == 0 ? a : b).Add(node, row, rank, score);
      }
    }
  }
  RankStats merged(2, 3, 5);
  ASSERT_TRUE(merged.MergeSerialized(b.Serialize()).ok());
  merged.Merge(a);
  EXPECT_EQ(merged.Serialize(), all.Serialize());
  RankStats wrong(1, 3, 5);
  EXPECT_FALSE(wrong.MergeSerialized(all.Serialize()).ok());
}

//! Two indicators under one aggregate, two blocks (years) of three rows each.
Scenario Small() {
  Scenario s;
  Matrix x(6, 2);
  const double v[6][2] = {{1, 10}, {2, 30}, {3, 20}, {4, 10}, {5, 50}, {6, 0}};
  for (std::size_t r = 0; r < 6; ++r) {
    for (std::size_t c = 0; c < 2; ++c) x(r, c) = v[r][c];
  }
  x(2, 1) = compute::kNa;  // a missing child: the other's weight takes all
  s.data.push_back(x);
  s.row_block = {0, 0, 0, 1, 1, 1};
  s.blocks = 2;
  s.direction = {1, 1};
  s.goalposts = {std::nullopt, std::nullopt};
  s.tree.indicators = 2;
  s.tree.children = {{}, {}, {0, 1}};
  s.tree.method.assign(3, compute::AggMethod::kArithmetic);
  s.weights = {1, 3, 1};
  return s;
}

TEST(AnalysisRunner, AggregatesWithRescaledWeightsAndRanksWithinBlocks) {
  Scenario s = Small();
  Runner runner(s);
  RunChoice c;
  c.norm = compute::NormSpec{compute::NormMethod::kMinMax, 0, 100};
  c.weights = s.weights;
  ASSERT_TRUE(runner.Prepare(0, -1, c.norm).ok());
  Matrix scores;
  ASSERT_TRUE(runner.Run(c, scores).ok());
  // Pooled min-max: indicator 0 over 1…6, indicator 1 over 0…50.
  auto n0 = [](double v) { return (v - 1) / 5 * 100; };
  auto n1 = [](double v) { return v / 50 * 100; };
  EXPECT_NEAR(scores(0, 2), (n0(1) + 3 * n1(10)) / 4, 1e-12);
  EXPECT_NEAR(scores(2, 2), n0(3), 1e-12);  // only indicator 0 present
  std::vector<int> ranks(6);
  runner.Rank(scores, 2, ranks);
  // Block 0: rows 0,1,2 → scores 15, 65, 40 → ranks 3, 1, 2; block 1 ranked on its own.
  EXPECT_EQ(ranks[0], 3);
  EXPECT_EQ(ranks[1], 1);
  EXPECT_EQ(ranks[2], 2);
  EXPECT_EQ(ranks[4], 1);
  // Excluding indicator 1 leaves indicator 0 alone; a geometric mean over a zero fails.
  c.excluded = 1;
  ASSERT_TRUE(runner.Run(c, scores).ok());
  EXPECT_NEAR(scores(1, 2), n0(2), 1e-12);
  c.excluded = -1;
  c.aggregate = compute::AggMethod::kGeometric;
  auto st = runner.Run(c, scores);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kUncomputable);
}

TEST(AnalysisRunner, RunBeforePrepareIsAnError) {
  Scenario s = Small();
  Runner runner(s);
  RunChoice c;
  c.weights = s.weights;
  Matrix scores;
  EXPECT_FALSE(runner.Run(c, scores).ok());
}

}  // namespace
}  // namespace gpsi::analysis
