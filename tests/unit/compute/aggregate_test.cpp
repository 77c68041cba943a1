// Unit tests of Aggregate (COINr a_amean, a_gmean, a_hmean, dat_thresh; weighted median) and
// RankDesc, and a replay of COINr's arithmetic aggregation of the ASEM example.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "compute.hpp"
#include "oracle_csv.hpp"

namespace gpsi::compute {
namespace {

using test::Csv;
using test::Near;

Matrix Rows(const std::vector<std::vector<double>>& rows) {
  Matrix m(rows.size(), rows.empty() ? 0 : rows[0].size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[r].size(); ++c) m(r, c) = rows[r][c];
  return m;
}

const std::vector<std::size_t> kAll3 = {0, 1, 2};

TEST(ComputeAggregate, ArithmeticDropsMissingAndRescales) {
  Matrix m = Rows({{1, 2, 3}, {4, kNa, 8}, {kNa, kNa, kNa}});
  std::vector<double> w = {1, 2, 1}, out(3);
  EXPECT_FALSE(Aggregate(m, kAll3, w, AggMethod::kArithmetic, 0, out));
  EXPECT_EQ(out[0], 2);  // (1 + 4 + 3) / 4
  EXPECT_EQ(out[1], 6);  // (4 + 8) / 2
  EXPECT_TRUE(IsNa(out[2]));
}

TEST(ComputeAggregate, DataThreshold) {
  Matrix m = Rows({{1, kNa, kNa}, {1, 2, kNa}, {1, 2, 3}});
  std::vector<double> w = {1, 1, 1}, out(3);
  EXPECT_FALSE(Aggregate(m, kAll3, w, AggMethod::kArithmetic, 2.0 / 3.0, out));
  EXPECT_TRUE(IsNa(out[0]));
  EXPECT_EQ(out[1], 1.5);
  EXPECT_EQ(out[2], 2);
}

TEST(ComputeAggregate, SubsetOfColumns) {
  Matrix m = Rows({{100, 1, 7, 3}});
  std::vector<std::size_t> ch = {1, 3};
  std::vector<double> w = {3, 1}, out(1);
  EXPECT_FALSE(Aggregate(m, ch, w, AggMethod::kArithmetic, 0, out));
  EXPECT_EQ(out[0], 1.5);
}

TEST(ComputeAggregate, Geometric) {
  Matrix m = Rows({{1, 4, 16}, {2, kNa, 8}});
  std::vector<double> w = {1, 1, 1}, out(2);
  EXPECT_FALSE(Aggregate(m, kAll3, w, AggMethod::kGeometric, 0, out));
  EXPECT_TRUE(Near(out[0], 4, 1e-15));
  EXPECT_TRUE(Near(out[1], 4, 1e-15));
  std::vector<double> w2 = {2, 0, 1};  // (1²·16)^(1/3)
  EXPECT_FALSE(Aggregate(m, kAll3, w2, AggMethod::kGeometric, 0, out));
  EXPECT_TRUE(Near(out[0], std::cbrt(16.0), 1e-15));
}

TEST(ComputeAggregate, GeometricOverZeroIsBadCell) {
  Matrix m = Rows({{1, 2, 3}, {4, 0, 8}, {-1, 1, 1}});
  std::vector<double> w = {1, 1, 1}, out(3);
  auto bad = Aggregate(m, kAll3, w, AggMethod::kGeometric, 0, out);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->row, 1u);
  EXPECT_EQ(bad->col, 1u);
  EXPECT_EQ(bad->value, 0);
  // A row below the data threshold is never evaluated, as in COINr.
  Matrix n = Rows({{kNa, 0, kNa}, {1, 1, 1}});
  EXPECT_FALSE(Aggregate(n, kAll3, w, AggMethod::kGeometric, 0.5, out));
  EXPECT_TRUE(IsNa(out[0]));
}

TEST(ComputeAggregate, Harmonic) {
  Matrix m = Rows({{1, 2, 4}, {-2, kNa, 2}});
  std::vector<double> w = {1, 1, 2}, out(2);
  EXPECT_FALSE(Aggregate(m, kAll3, w, AggMethod::kHarmonic, 0, out));
  EXPECT_EQ(out[0], 2);                  // 4 / (1 + 0.5 + 0.5)
  EXPECT_TRUE(Near(out[1], 3.0 / 0.5));  // COINr allows negatives: 3 / (−0.5 + 1)
  Matrix z = Rows({{1, 0, 1}});
  auto bad = Aggregate(z, kAll3, w, AggMethod::kHarmonic, 0, out);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->col, 1u);
}

TEST(ComputeAggregate, WeightedMedian) {
  Matrix m = Rows({{3, 1, 2}, {1, 2, kNa}, {10, 1, 2}, {5, 1, 2}});
  std::vector<double> eq = {1, 1, 1}, out(4);
  EXPECT_FALSE(Aggregate(m, kAll3, eq, AggMethod::kMedian, 0, out));
  EXPECT_EQ(out[0], 2);    // R median(c(3, 1, 2))
  EXPECT_EQ(out[1], 1.5);  // even count: mean of the middle two
  EXPECT_EQ(out[2], 2);
  std::vector<double> w = {3, 1, 1};  // cumulative by x: 1→1, 2→2, x₀→5 ≥ 2.5
  EXPECT_FALSE(Aggregate(m, kAll3, w, AggMethod::kMedian, 0, out));
  EXPECT_EQ(out[0], 3);
  EXPECT_EQ(out[1], 1);                // weights 3 vs 1: 1 carries 3/4
  std::vector<double> w0 = {0, 1, 1};  // zero weight ignored: median of {1, 2}
  EXPECT_FALSE(Aggregate(m, kAll3, w0, AggMethod::kMedian, 0, out));
  EXPECT_EQ(out[3], 1.5);
}

TEST(ComputeAggregate, RankDescTiesShareLowest) {
  std::vector<double> x = {50, 70, kNa, 70, 10, 90};
  std::vector<int> r = RankDesc(x);
  EXPECT_EQ(r, (std::vector<int>{4, 2, 0, 2, 5, 1}));
  EXPECT_TRUE(RankDesc(std::vector<double>{}).empty());
}

// COINr Aggregate(dset = "Normalised", a_amean, weights all 1) through lineage.csv.
TEST(ComputeAggregate, ReplaysCoinrAsemArithmetic) {
  std::vector<std::string> codes, codes_a;
  const Matrix norm = test::ReadDset("dset_Normalised.csv", codes);
  const Matrix agg = test::ReadDset("dset_Aggregated.csv", codes_a);
  const Csv lin = test::ReadCsv(test::Oracle("lineage.csv"));
  std::map<std::string, std::size_t> col;
  for (std::size_t c = 0; c < codes_a.size(); ++c) col[codes_a[c]] = c;
  Matrix work(norm.rows(), codes_a.size());
  for (std::size_t c = 0; c < codes.size(); ++c)
    for (std::size_t r = 0; r < norm.rows(); ++r) work(r, col.at(codes[c])) = norm(r, c);
  for (std::size_t level = 1; level < lin.header.size(); ++level) {
    const auto children = test::LineageChildren(lin, level, col);
    for (const auto& [parent, ch] : children) {
      SCOPED_TRACE(parent);
      std::vector<double> w(ch.size(), 1.0);
      const std::size_t pc = col.at(parent);
      ASSERT_FALSE(Aggregate(work, ch, w, AggMethod::kArithmetic, 0, work.Col(pc)));
      for (std::size_t r = 0; r < work.rows(); ++r) EXPECT_TRUE(Near(work(r, pc), agg(r, pc)));
    }
  }
}

}  // namespace
}  // namespace gpsi::compute

namespace gpsi::compute {
namespace {

//! COINr's definitions row by row, summing in long double as R's sum does: the values a build
//! must give to the bit, whatever order the kernel reads the matrix in.
double ReferenceRow(const Matrix& x, std::size_t r, const std::vector<std::size_t>& kids, const std::vector<double>& w,
                    AggMethod how, double min_share) {
  std::size_t present = 0;
  long double sw = 0, s = 0;
  for (std::size_t k = 0; k < kids.size(); ++k) {
    if (IsNa(x(r, kids[k]))) continue;
    ++present;
    sw += w[k];
  }
  if (present == 0 || static_cast<double>(present) / static_cast<double>(kids.size()) < min_share) return kNa;
  for (std::size_t k = 0; k < kids.size(); ++k) {
    const double v = x(r, kids[k]);
    if (IsNa(v)) continue;
    s += how == AggMethod::kGeometric ? w[k] * std::log(v) : (w[k] / static_cast<double>(sw)) * v;
  }
  return how == AggMethod::kGeometric ? std::exp(static_cast<double>(s) / static_cast<double>(sw))
                                      : static_cast<double>(s);
}

// Random panels with and without missing cells (the kernel's one-pass and two-pass paths), cached
// logarithms or not: the exact sums are the reference's bits, the fast ones within 1e-13.
TEST(ComputeAggregate, ExactSumsAreRsBitsAndFastSumsAreClose) {
  std::uint64_t state = 12345;
  auto uniform = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1p-53;
  };
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t rows = 1 + static_cast<std::size_t>(uniform() * 60),
                      cols = 1 + static_cast<std::size_t>(uniform() * 9);
    const bool gaps = trial % 2 == 1;
    Matrix x(rows, cols);
    Matrix logs(rows, cols);
    for (std::size_t c = 0; c < cols; ++c) {
      for (std::size_t r = 0; r < rows; ++r) {
        x(r, c) = gaps && uniform() < 0.2 ? kNa : 0.5 + 99.5 * uniform();
        logs(r, c) = std::log(x(r, c));
      }
    }
    std::vector<std::size_t> kids(cols);
    std::vector<double> w(cols);
    std::vector<const double*> child_logs(cols);
    for (std::size_t c = 0; c < cols; ++c) {
      kids[c] = c;
      w[c] = 0.1 + uniform();
      child_logs[c] = logs.Col(c).data();
    }
    const double min_share = trial % 3 == 0 ? 0.5 : 0;
    for (AggMethod how : {AggMethod::kArithmetic, AggMethod::kGeometric}) {
      std::vector<double> exact(rows), cached(rows), fast(rows);
      ASSERT_FALSE(Aggregate(x, kids, w, how, min_share, exact));
      ASSERT_FALSE(Aggregate(x, kids, w, how, min_share, cached, child_logs));
      ASSERT_FALSE(Aggregate(x, kids, w, how, min_share, fast, child_logs, Sum::kFast));
      for (std::size_t r = 0; r < rows; ++r) {
        const double want = ReferenceRow(x, r, kids, w, how, min_share);
        if (IsNa(want)) {
          EXPECT_TRUE(IsNa(exact[r]) && IsNa(cached[r]) && IsNa(fast[r]));
          continue;
        }
        EXPECT_EQ(exact[r], want) << "trial " << trial << " row " << r;
        EXPECT_EQ(cached[r], want) << "trial " << trial << " row " << r;
        EXPECT_NEAR(fast[r], want, 1e-13 * std::fabs(want)) << "trial " << trial << " row " << r;
      }
    }
  }
}

TEST(ComputeAggregate, GeometricZeroIsTheFirstBadCellRowByRow) {
  // Row 2's zero comes first in row order although column 0's zero (row 3) is met first by column.
  Matrix m = Rows({{1, 2}, {3, 4}, {5, 0}, {0, 6}});
  std::vector<double> w = {1, 1}, out(4);
  auto bad = Aggregate(m, std::vector<std::size_t>{0, 1}, w, AggMethod::kGeometric, 0, out);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->row, 2u);
  EXPECT_EQ(bad->col, 1u);
}

TEST(ComputeAggregate, RankWithinRanksEachBlockAlone) {
  Matrix m = Rows({{5}, {7}, {kNa}, {7}, {1}, {9}});
  std::vector<int> out(6, -1);
  std::vector<std::vector<std::size_t>> blocks{{0, 1, 2}, {3, 5}};  // row 4 is in no block
  RankWithin(m, 0, blocks, out);
  EXPECT_EQ(out, (std::vector<int>{2, 1, 0, 2, 0, 1}));
}

}  // namespace
}  // namespace gpsi::compute
