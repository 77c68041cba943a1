// Monte Carlo uncertainty analysis: re-running the tail of the pipeline (treat → normalise →
// aggregate → rank) under sampled choices, with exact streaming rank statistics.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis.hpp"

namespace gpsi::analysis {
namespace {

__extension__ using I128 = __int128;
using compute::IsNa;
__extension__ using U128 = unsigned __int128;

bool SameNorm(const compute::NormSpec& a, const compute::NormSpec& b) {
  return a.method == b.method && a.p1 == b.p1 && a.p2 == b.p2;
}

constexpr double kFixed = 1099511627776.0;  // 2^40: fixed-point scale of the score sums
constexpr double kSquareFixed = 1048576.0;  // 2^20: of the squared scores

I128 Load(const std::uint64_t* p) {
  return static_cast<I128>((static_cast<U128>(p[0]) << 64) | p[1]);
}

void Store(std::uint64_t* p, I128 v) {
  auto u = static_cast<U128>(v);
  p[0] = static_cast<std::uint64_t>(u >> 64);
  p[1] = static_cast<std::uint64_t>(u);
}

}  // namespace

// ---- Runner -----------------------------------------------------------------------------------

const Runner::Cached* Runner::Find(std::size_t data, int winmax, const compute::NormSpec& norm) const {
  for (const auto& c : cache_) {
    if (c.data == data && c.winmax == winmax && SameNorm(c.norm, norm)) return &c;
  }
  return nullptr;
}

Status Runner::Prepare(std::size_t data, int winmax, const compute::NormSpec& norm) {
  if (Find(data, winmax, norm)) return Ok();
  if (data >= s_.data.size()) return Error{Errc::kInternal, "imputation alternative out of range"};
  const Matrix& x = s_.data[data];
  Matrix out = x;
  // The rows of each block (one block = the pooled panel unless normalising year by year).
  std::vector<std::vector<std::size_t>> blocks(s_.normalise_by_block ? s_.blocks : 1);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    blocks[s_.normalise_by_block ? static_cast<std::size_t>(s_.row_block[r]) : 0].push_back(r);
  }
  std::vector<double> buf;
  for (const auto& rows : blocks) {
    for (std::size_t j = 0; j < s_.tree.indicators; ++j) {
      buf.resize(rows.size());
      for (std::size_t q = 0; q < rows.size(); ++q) buf[q] = x(rows[q], j);
      if (winmax >= 0) compute::TreatJrc(buf, winmax);
      if (auto st = compute::Normalise(buf, s_.direction[j], norm, s_.goalposts[j]); !st) return st.error();
      for (std::size_t q = 0; q < rows.size(); ++q) out(rows[q], j) = buf[q];
    }
  }
  Matrix logs(out.rows(), out.cols());
  std::vector<bool> nonpositive(out.cols(), false);
  for (std::size_t j = 0; j < out.cols(); ++j) {
    for (std::size_t r = 0; r < out.rows(); ++r) {
      double v = out(r, j);
      if (IsNa(v)) continue;
      if (v <= 0) nonpositive[j] = true;
      logs(r, j) = v > 0 ? std::log(v) : compute::kNa;
    }
  }
  cache_.push_back(Cached{data, winmax, norm, std::move(out), std::move(logs), std::move(nonpositive)});
  return Ok();
}

Status Runner::Run(const RunChoice& c, Matrix& scores) const {
  const Cached* base = Find(c.data, c.winmax, c.norm);
  if (!base) return Error{Errc::kInternal, "Runner::Run before Prepare for this combination"};
  const std::size_t rows = base->normalised.rows(), nodes = s_.tree.children.size();
  if (scores.rows() != rows || scores.cols() != nodes) scores = Matrix(rows, nodes);
  // The indicators' normalised columns (and their cached logarithms for geometric means), then the
  // aggregates as every build computes them.
  thread_local std::vector<const double*> logs;
  logs.assign(nodes, nullptr);
  for (std::size_t j = 0; j < s_.tree.indicators; ++j) {
    auto src = base->normalised.Col(j);
    auto dst = scores.Col(j);
    if (static_cast<int>(j) == c.excluded) {
      std::fill(dst.begin(), dst.end(), compute::kNa);
      continue;
    }
    std::copy(src.begin(), src.end(), dst.begin());
    if (!base->nonpositive[j]) logs[j] = base->logs.Col(j).data();
  }
  if (auto bad = compute::AggregateTree(s_.tree, c.weights, scores, c.aggregate, logs, compute::Sum::kFast)) {
    return Error{Errc::kUncomputable, fmt::format("row {}: node {} = {} is not allowed under the mean of node {}",
                                                  bad->cell.row, bad->cell.col, bad->cell.value, bad->node)};
  }
  return Ok();
}

Runner::Runner(const Scenario& s) : s_(s), block_rows_(s.blocks) {
  for (std::size_t r = 0; r < s.row_block.size(); ++r)
    block_rows_[static_cast<std::size_t>(s.row_block[r])].push_back(r);
}

void Runner::Rank(const Matrix& scores, std::size_t node, std::span<int> out) const {
  compute::RankWithin(scores, node, block_rows_, out);
}

// ---- RankStats --------------------------------------------------------------------------------

RankStats::RankStats(std::size_t nodes, std::size_t rows, std::size_t max_rank)
    : nodes_(nodes),
      rows_(rows),
      bins_(max_rank + 1),
      hist_(nodes * rows * (max_rank + 1), 0),
      count_(nodes * rows, 0),
      sum_(nodes * rows, 0),
      square_(nodes * rows, 0) {}

namespace {

//! Σ-ready fixed-point forms of a score: score · 2^40 and score² · 2^20, rounded to integers.
//! Plain int64 conversions when they fit (scores below ~2,900 in magnitude), long double otherwise.
std::pair<I128, I128> Fixed(double score) {
  double a = score * kFixed, q = score * score * kSquareFixed;
  I128 fa = std::fabs(a) < 9e18 ? static_cast<I128>(static_cast<std::int64_t>(a < 0 ? a - 0.5 : a + 0.5))
                                : static_cast<I128>(std::roundl(static_cast<long double>(score) * kFixed));
  I128 fq = q < 9e18 ? static_cast<I128>(static_cast<std::int64_t>(q + 0.5))
                     : static_cast<I128>(std::roundl(static_cast<long double>(score) * score * kSquareFixed));
  return {fa, fq};
}

}  // namespace

void RankStats::Add(std::size_t node, std::size_t row, int rank, double score) {
  std::size_t i = Index(node, row);
  if (rank <= 0 || static_cast<std::size_t>(rank) >= bins_ || std::isnan(score)) return;
  ++hist_[i * bins_ + static_cast<std::size_t>(rank)];
  ++count_[i];
  auto [fa, fq] = Fixed(score);
  sum_[i] += fa;
  square_[i] += fq;
}

void RankStats::AddColumn(std::size_t node, std::span<const int> ranks, std::span<const double> scores) {
  const std::size_t base = Index(node, 0);
  std::uint32_t* hist = hist_.data() + base * bins_;
  for (std::size_t r = 0; r < rows_; ++r, hist += bins_) {
    const int rank = ranks[r];
    const double score = scores[r];
    if (rank <= 0 || static_cast<std::size_t>(rank) >= bins_ || std::isnan(score)) continue;
    ++hist[rank];
    ++count_[base + r];
    auto [fa, fq] = Fixed(score);
    sum_[base + r] += fa;
    square_[base + r] += fq;
  }
}

void RankStats::Merge(const RankStats& o) {
  for (std::size_t i = 0; i < hist_.size(); ++i) hist_[i] += o.hist_[i];
  for (std::size_t i = 0; i < count_.size(); ++i) count_[i] += o.count_[i];
  for (std::size_t i = 0; i < sum_.size(); ++i) sum_[i] += o.sum_[i];
  for (std::size_t i = 0; i < square_.size(); ++i) square_[i] += o.square_[i];
}

double RankStats::MeanRank(std::size_t node, std::size_t row) const {
  std::size_t i = Index(node, row);
  if (count_[i] == 0) return compute::kNa;
  long double s = 0;
  for (std::size_t b = 1; b < bins_; ++b) s += static_cast<long double>(b) * hist_[i * bins_ + b];
  return static_cast<double>(s / count_[i]);
}

double RankStats::RankQuantile(std::size_t node, std::size_t row, double p) const {
  std::size_t i = Index(node, row);
  const auto n = count_[i];
  if (n == 0) return compute::kNa;
  // The k-th smallest rank (0-based) from the histogram's cumulative counts.
  auto order = [&](std::int64_t k) {
    std::int64_t seen = 0;
    for (std::size_t b = 1; b < bins_; ++b) {
      seen += hist_[i * bins_ + b];
      if (seen > k) return static_cast<double>(b);
    }
    return static_cast<double>(bins_ - 1);
  };
  double h = static_cast<double>(n - 1) * p;
  auto lo = static_cast<std::int64_t>(std::floor(h));
  double x = order(lo);
  if (lo + 1 >= n) return x;
  return x + (h - static_cast<double>(lo)) * (order(lo + 1) - x);
}

double RankStats::MeanScore(std::size_t node, std::size_t row) const {
  std::size_t i = Index(node, row);
  if (count_[i] == 0) return compute::kNa;
  return static_cast<double>(static_cast<long double>(sum_[i]) / kFixed / count_[i]);
}

double RankStats::SdScore(std::size_t node, std::size_t row) const {
  std::size_t i = Index(node, row);
  auto n = static_cast<long double>(count_[i]);
  if (count_[i] < 2) return compute::kNa;
  long double s = static_cast<long double>(sum_[i]) / kFixed;
  long double ss = static_cast<long double>(square_[i]) / kSquareFixed;
  long double var = (ss - s * s / n) / (n - 1);
  return var > 0 ? static_cast<double>(std::sqrt(var)) : 0.0;
}

std::vector<std::int64_t> RankStats::Serialize() const {
  std::vector<std::int64_t> out;
  out.reserve(3 + hist_.size() + count_.size() + 4 * sum_.size());
  out.push_back(static_cast<std::int64_t>(nodes_));
  out.push_back(static_cast<std::int64_t>(rows_));
  out.push_back(static_cast<std::int64_t>(bins_));
  out.insert(out.end(), hist_.begin(), hist_.end());
  out.insert(out.end(), count_.begin(), count_.end());
  for (std::size_t i = 0; i < sum_.size(); ++i) {
    std::uint64_t halves[4];
    Store(halves, sum_[i]);
    Store(halves + 2, square_[i]);
    for (auto h : halves) out.push_back(static_cast<std::int64_t>(h));
  }
  return out;
}

Status RankStats::MergeSerialized(std::span<const std::int64_t> d) {
  if (d.size() != 3 + hist_.size() + count_.size() + 4 * sum_.size() || d[0] != static_cast<std::int64_t>(nodes_) ||
      d[1] != static_cast<std::int64_t>(rows_) || d[2] != static_cast<std::int64_t>(bins_)) {
    return Error{Errc::kInternal, "rank statistics of another shape"};
  }
  RankStats o(nodes_, rows_, bins_ - 1);
  std::size_t k = 3;
  for (auto& v : o.hist_) v = static_cast<std::uint32_t>(d[k++]);
  for (auto& v : o.count_) v = static_cast<std::uint32_t>(d[k++]);
  for (std::size_t i = 0; i < o.sum_.size(); ++i, k += 4) {
    std::uint64_t halves[4];
    for (int h = 0; h < 4; ++h) halves[h] = static_cast<std::uint64_t>(d[k + static_cast<std::size_t>(h)]);
    o.sum_[i] = Load(halves);
    o.square_[i] = Load(halves + 2);
  }
  Merge(o);
  return Ok();
}

}  // namespace gpsi::analysis
