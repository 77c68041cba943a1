// Aggregation of sibling columns (COINr Aggregate with a_amean, a_gmean, a_hmean) over the
// index tree, and the descending rank used for every published and Monte Carlo score.
#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include "compute.hpp"

namespace gpsi::compute {

namespace {

//! Weighted median of (x, w) pairs; see AggMethod::kMedian.
double WeightedMedian(std::vector<std::pair<double, double>>& xw) {
  std::erase_if(xw, [](const auto& p) { return p.second == 0; });
  if (xw.empty()) return kNa;
  std::sort(xw.begin(), xw.end());
  long double total = 0;
  for (const auto& p : xw) total += p.second;
  const long double half = total / 2;
  long double cum = 0;
  for (std::size_t k = 0; k < xw.size(); ++k) {
    cum += xw[k].second;
    if (cum == half && k + 1 < xw.size()) {
      return static_cast<double>((static_cast<long double>(xw[k].first) + xw[k + 1].first) / 2);
    }
    if (cum >= half) return xw[k].first;
  }
  return xw.back().first;
}

//! The children's columns and weights for one aggregation, gathered once. Rows are read across
//! columns (a row's sums stay in registers, in long double as R's sum), so each row's value
//! depends on that row alone.
struct Children {
  std::vector<const double*> col, logs;  //!< per child: its column, and its ln column or nullptr
  std::vector<double> w, w_full;         //!< per child: weight, and w / Σw when every child is present
  double sw_full = 0;                    //!< Σw (long double, rounded) when every child is present
};

const Children& Gather(const Matrix& x, std::span<const std::size_t> children, std::span<const double> weights,
                       std::span<const double* const> child_logs) {
  thread_local Children c;
  const std::size_t nc = children.size();
  c.col.resize(nc);
  c.logs.assign(nc, nullptr);
  c.w.assign(weights.begin(), weights.end());
  long double full = 0;
  for (std::size_t k = 0; k < nc; ++k) {
    c.col[k] = x.Col(children[k]).data();
    if (k < child_logs.size()) c.logs[k] = child_logs[k];
    full += weights[k];
  }
  // A row with every child present sums the same weights in the same order: its rescaled weights
  // are these, computed once instead of a division per cell.
  c.sw_full = static_cast<double>(full);
  c.w_full.resize(nc);
  for (std::size_t k = 0; k < nc; ++k) c.w_full[k] = weights[k] / c.sw_full;
  return c;
}

//! Σ (w/Σw)·x over the present children (COINr rescales w to sum 1 first).
double Arithmetic(const Children& c, std::size_t r, std::size_t present) {
  const std::size_t nc = c.col.size();
  const double* ratio = c.w_full.data();
  thread_local std::vector<double> partial;
  if (present != nc) {
    long double sw = 0;
    for (std::size_t k = 0; k < nc; ++k)
      if (!IsNa(c.col[k][r])) sw += c.w[k];
    partial.resize(nc);
    for (std::size_t k = 0; k < nc; ++k) partial[k] = c.w[k] / static_cast<double>(sw);
    ratio = partial.data();
  }
  // A missing child adds +0, which leaves the sum's bits as they are.
  long double s = 0;
  for (std::size_t k = 0; k < nc; ++k) {
    const double v = c.col[k][r];
    s += IsNa(v) ? 0.0 : ratio[k] * v;
  }
  return static_cast<double>(s);
}

//! Every method for row r (present: its children with a value, above the data threshold); the
//! first offending child, when the method is undefined for the row.
std::optional<std::size_t> Row(const Children& c, AggMethod method, std::size_t r, std::size_t present, double& out) {
  const std::size_t nc = c.col.size();
  switch (method) {
    case AggMethod::kArithmetic: out = Arithmetic(c, r, present); break;
    case AggMethod::kGeometric: {
      long double swl = 0, sw = 0;
      for (std::size_t k = 0; k < nc; ++k) {
        const double v = c.col[k][r];
        if (IsNa(v)) continue;
        if (!c.logs[k] && v <= 0) return k;
        swl += c.w[k] * (c.logs[k] ? c.logs[k][r] : std::log(v));
        sw += c.w[k];
      }
      out = std::exp(static_cast<double>(swl) / static_cast<double>(sw));
      break;
    }
    case AggMethod::kHarmonic: {
      long double sw = 0, swx = 0;
      for (std::size_t k = 0; k < nc; ++k) {
        const double v = c.col[k][r];
        if (IsNa(v)) continue;
        if (v == 0) return k;
        sw += c.w[k];
        swx += c.w[k] / v;
      }
      out = static_cast<double>(sw) / static_cast<double>(swx);
      break;
    }
    case AggMethod::kMedian: {
      thread_local std::vector<std::pair<double, double>> xw;
      xw.clear();
      for (std::size_t k = 0; k < nc; ++k) {
        const double v = c.col[k][r];
        if (!IsNa(v)) xw.emplace_back(v, c.w[k]);
      }
      out = WeightedMedian(xw);
      break;
    }
  }
  return std::nullopt;
}

//! The common case in one pass: every row has every child, so every row's rescaled weights
//! are w_full and its Σw is sw_full. False (nothing written) when a row lacks a child or a value is
//! undefined under a geometric mean.
template <typename Acc>
bool FullRows(const Children& c, AggMethod method, std::span<double> out, std::size_t n) {
  for (const double* x : c.col) {
    if (std::any_of(x, x + n, [](double v) { return IsNa(v); })) return false;
  }
  thread_local std::vector<Acc> s;
  const bool geometric = method == AggMethod::kGeometric;
  s.assign(n, 0);
  for (std::size_t k = 0; k < c.col.size(); ++k) {
    const double* __restrict x = c.col[k];
    const double* __restrict lx = c.logs[k];
    Acc* __restrict sum = s.data();
    if (!geometric) {
      const double w = c.w_full[k];
      for (std::size_t r = 0; r < n; ++r) sum[r] += w * x[r];
    } else if (lx) {
      for (std::size_t r = 0; r < n; ++r) sum[r] += c.w[k] * lx[r];
    } else {
      if (std::any_of(x, x + n, [](double v) { return v <= 0; })) return false;
      for (std::size_t r = 0; r < n; ++r) sum[r] += c.w[k] * std::log(x[r]);
    }
  }
  for (std::size_t r = 0; r < n; ++r) {
    out[r] = geometric ? std::exp(static_cast<double>(s[r]) / c.sw_full) : static_cast<double>(s[r]);
  }
  return true;
}

//! The fast sum with gaps in one pass: Σ w·x (or Σ w·ln x) and Σ w of the present children
//! together, divided at the end — the same means as ExactGaps up to rounding. False when a value is
//! undefined under a geometric mean (Row then finds the first).
bool FastGaps(const Children& c, AggMethod method, double min_share, std::span<double> out, std::size_t n) {
  thread_local std::vector<double> s, sw;
  thread_local std::vector<std::uint32_t> present;
  const bool geometric = method == AggMethod::kGeometric;
  s.assign(n, 0);
  sw.assign(n, 0);
  present.assign(n, 0);
  bool bad = false;
  for (std::size_t k = 0; k < c.col.size(); ++k) {
    const double* __restrict x = c.col[k];
    const double* __restrict lx = geometric ? c.logs[k] : nullptr;
    const double w = c.w[k];
    double* __restrict sum = s.data();
    double* __restrict wsum = sw.data();
    std::uint32_t* __restrict has = present.data();
    for (std::size_t r = 0; r < n; ++r) {
      const double v = x[r];
      double term = v;
      if (lx) {
        term = lx[r];
      } else if (geometric) {
        bad = bad || v <= 0;
        term = std::log(v);
      }
      const bool here = !IsNa(v);
      sum[r] += here ? w * term : 0.0;
      wsum[r] += here ? w : 0.0;
      has[r] += here;
    }
  }
  if (bad) return false;
  const double nc = static_cast<double>(c.col.size());
  for (std::size_t r = 0; r < n; ++r) {
    // COINr: NA when sum(!is.na(x)) / length(x) < dat_thresh, before the function is called.
    if (present[r] == 0 || static_cast<double>(present[r]) / nc < min_share) {
      out[r] = kNa;
    } else {
      out[r] = geometric ? std::exp(s[r] / sw[r]) : s[r] / sw[r];
    }
  }
  return true;
}

//! The exact sum with gaps: arithmetic and geometric means column by column in long double, Row's
//! sums in Row's order, so Row's bits (R's), read contiguously. Undefined cells hand over to Row,
//! which finds the first one row by row.
bool ExactGaps(const Children& c, AggMethod method, double min_share, std::span<double> out, std::size_t n) {
  thread_local std::vector<long double> s, sw;
  thread_local std::vector<double> swd;
  thread_local std::vector<std::uint32_t> present;
  thread_local std::vector<std::uint8_t> ok;
  const std::size_t nc = c.col.size();
  const bool geometric = method == AggMethod::kGeometric;
  s.assign(n, 0);
  sw.assign(n, 0);
  present.assign(n, 0);
  for (std::size_t k = 0; k < nc; ++k) {
    const double* x = c.col[k];
    for (std::size_t r = 0; r < n; ++r) {
      const bool has = !IsNa(x[r]);
      sw[r] += has ? c.w[k] : 0.0;  // + 0 leaves a sum's bits as they are
      present[r] += has;
    }
  }
  ok.resize(n);
  swd.resize(n);
  for (std::size_t r = 0; r < n; ++r) {
    // COINr: NA when sum(!is.na(x)) / length(x) < dat_thresh, before the function is called.
    ok[r] = present[r] != 0 && static_cast<double>(present[r]) / static_cast<double>(nc) >= min_share;
    swd[r] = static_cast<double>(sw[r]);
  }
  for (std::size_t k = 0; k < nc; ++k) {
    const double* x = c.col[k];
    const double w = c.w[k], w_full = c.w_full[k];
    long double* __restrict sum = s.data();
    if (!geometric) {
      for (std::size_t r = 0; r < n; ++r) {
        // COINr rescales w to sum 1 first: w / Σw of the present children (w_full when all are).
        const double ratio = present[r] == nc ? w_full : w / swd[r];
        sum[r] += IsNa(x[r]) ? 0.0 : ratio * x[r];
      }
    } else if (const double* lx = c.logs[k]) {
      for (std::size_t r = 0; r < n; ++r) sum[r] += IsNa(x[r]) ? 0.0 : w * lx[r];
    } else {
      for (std::size_t r = 0; r < n; ++r) {
        const double v = x[r];
        if (IsNa(v) || !ok[r]) continue;
        if (v <= 0) return false;  // undefined: Row finds where
        sum[r] += w * std::log(v);
      }
    }
  }
  for (std::size_t r = 0; r < n; ++r) {
    if (!ok[r]) {
      out[r] = kNa;
    } else {
      out[r] = geometric ? std::exp(static_cast<double>(s[r]) / swd[r]) : static_cast<double>(s[r]);
    }
  }
  return true;
}

}  // namespace

std::optional<BadCell> Aggregate(const Matrix& x, std::span<const std::size_t> children,
                                 std::span<const double> weights, AggMethod method, double min_share,
                                 std::span<double> out, std::span<const double* const> child_logs, Sum sum) {
  assert(weights.size() == children.size() && out.size() >= x.rows());
  const Children& c = Gather(x, children, weights, child_logs);
  const std::size_t n = x.rows(), nc = children.size();
  if (method == AggMethod::kArithmetic || method == AggMethod::kGeometric) {
    const bool done = sum == Sum::kExact
                          ? FullRows<long double>(c, method, out, n) || ExactGaps(c, method, min_share, out, n)
                          : FullRows<double>(c, method, out, n) || FastGaps(c, method, min_share, out, n);
    if (done) return std::nullopt;
  }
  for (std::size_t r = 0; r < n; ++r) {
    std::size_t present = 0;
    for (const double* col : c.col) present += IsNa(col[r]) ? 0 : 1;
    if (present == 0 || static_cast<double>(present) / static_cast<double>(nc) < min_share) {
      out[r] = kNa;
      continue;
    }
    if (auto k = Row(c, method, r, present, out[r])) return BadCell{r, children[*k], c.col[*k][r]};
  }
  return std::nullopt;
}

std::optional<BadAggregate> AggregateNode(const Tree& t, std::size_t node, std::span<const double> weights,
                                          AggMethod how, Matrix& scores, std::span<const double* const> logs, Sum sum) {
  thread_local std::vector<double> w;
  thread_local std::vector<const double*> child_logs;
  const auto& kids = t.children[node];
  w.resize(kids.size());
  child_logs.assign(logs.empty() ? 0 : kids.size(), nullptr);
  for (std::size_t q = 0; q < kids.size(); ++q) {
    w[q] = weights[kids[q]];
    if (!logs.empty()) child_logs[q] = logs[kids[q]];
  }
  if (auto bad = Aggregate(scores, kids, w, how, t.min_share, scores.Col(node), child_logs, sum)) {
    return BadAggregate{node, how, *bad};
  }
  return std::nullopt;
}

std::optional<BadAggregate> AggregateTree(const Tree& t, std::span<const double> weights, Matrix& scores,
                                          std::optional<AggMethod> all, std::span<const double* const> logs, Sum sum) {
  for (std::size_t i = t.indicators; i < t.children.size(); ++i) {
    if (auto bad = AggregateNode(t, i, weights, all.value_or(t.method[i]), scores, logs, sum)) return bad;
  }
  return std::nullopt;
}

namespace {

//! A row's score beside the row, sorted in place of the row alone: the comparisons then read
//! contiguous memory instead of the score column at random.
struct Keyed {
  double v;
  std::uint32_t row;
};

//! Sorts finite keys descending in linear time for spread-out values: a counting sort into
//! 2n buckets over [min, max] (the bucket of a value is monotone in it), then an insertion pass
//! that orders each bucket's few keys. Hand-written because a block of ranks is ~150 scores,
//! re-ranked in every Monte Carlo run for every aggregate and year, where std::sort was most of
//! the time; equal values land in one bucket, so ties end up adjacent as in any sorted order.
void BucketSort(std::vector<Keyed>& keys, std::vector<Keyed>& tmp, std::vector<std::uint32_t>& count) {
  const std::size_t n = keys.size();
  if (n < 2) return;
  double lo = keys[0].v, hi = keys[0].v;
  for (const Keyed& k : keys) lo = std::min(lo, k.v), hi = std::max(hi, k.v);
  const std::size_t buckets = 2 * n;
  const double scale = hi > lo ? static_cast<double>(buckets - 1) / (hi - lo) : 0.0;
  // Bucket 0 holds the highest values: (hi − v) · scale rises as v falls.
  auto bucket = [&](double v) { return std::min(buckets - 1, static_cast<std::size_t>((hi - v) * scale)); };
  count.assign(buckets + 1, 0);
  for (const Keyed& k : keys) ++count[bucket(k.v) + 1];
  for (std::size_t b = 1; b <= buckets; ++b) count[b] += count[b - 1];
  tmp.resize(n);
  for (const Keyed& k : keys) tmp[count[bucket(k.v)]++] = k;
  for (std::size_t i = 1; i < n; ++i) {
    const Keyed x = tmp[i];
    std::size_t j = i;
    for (; j > 0 && x.v > tmp[j - 1].v; --j) tmp[j] = tmp[j - 1];
    tmp[j] = x;
  }
  keys.swap(tmp);
}

}  // namespace

void RankRows(std::span<const double> x, std::span<const std::size_t> rows, std::span<int> out) {
  thread_local std::vector<Keyed> keys, tmp;
  thread_local std::vector<std::uint32_t> count;
  keys.clear();
  bool finite = true;
  for (std::size_t row : rows) {
    const double v = x[row];
    if (IsNa(v)) {
      out[row] = 0;
      continue;
    }
    finite = finite && std::isfinite(v);
    keys.push_back(Keyed{v, static_cast<std::uint32_t>(row)});
  }
  if (finite) {
    BucketSort(keys, tmp, count);
  } else {
    std::sort(keys.begin(), keys.end(), [](const Keyed& a, const Keyed& b) { return a.v > b.v; });
  }
  for (std::size_t k = 0; k < keys.size(); ++k) {
    const bool tie = k > 0 && keys[k].v == keys[k - 1].v;
    out[keys[k].row] = tie ? out[keys[k - 1].row] : static_cast<int>(k) + 1;
  }
}

std::vector<int> RankDesc(std::span<const double> x) {
  std::vector<std::size_t> rows(x.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  std::vector<int> rank(x.size(), 0);
  RankRows(x, rows, rank);
  return rank;
}

void RankWithin(const Matrix& scores, std::size_t node, std::span<const std::vector<std::size_t>> blocks,
                std::span<int> out) {
  std::fill(out.begin(), out.end(), 0);
  for (const auto& rows : blocks) RankRows(scores.Col(node), rows, out);
}

}  // namespace gpsi::compute
