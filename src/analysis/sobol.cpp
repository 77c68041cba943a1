// Sobol sensitivity: the Saltelli (2010) sampling design and the Saltelli (2010) first-order /
// Jansen (1999) total-effect estimators with percentile bootstrap intervals.
//
// Every estimate is a function of the same 4 + 3k sums over the design's rows (of a = f_A − c,
// b = f_B − c and d_i = f_AB^i − f_A, for a shift c near the data): Σa, Σb, Σa², Σb², and per input
// Σd_i, Σb·d_i, Σd_i². A bootstrap resample is then a weighting of the rows by their multiplicity,
// so all resamples of a block are one matrix product (rows × terms)ᵀ · (rows × resamples).
#include <Eigen/Dense>
#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "analysis.hpp"

namespace gpsi::analysis {

namespace {

constexpr std::size_t kBase = 4;  // Σa, Σb, Σa², Σb²
std::size_t Terms(std::size_t k) {
  return kBase + 3 * k;
}

// Variance at or below the rounding noise of values of magnitude max_abs counts as zero: the
// indices of an output that is constant up to rounding are undefined, not huge.
double ZeroVariance(double max_abs) {
  return 64 * std::numeric_limits<double>::epsilon() * max_abs * max_abs;
}

// The indices from the sums s (Terms(k) of them, of values shifted by some c) over total weight w.
// The pooled mean f₀ sits at c + delta, so centring b by f₀ instead of c subtracts delta·Σd_i.
void Evaluate(const double* s, double w, std::size_t k, double zero_var, double* first, double* total) {
  const double delta = (s[0] + s[1]) / (2 * w);
  const double var = (s[2] + s[3]) / (2 * w) - delta * delta;
  const bool defined = w > 0 && var > zero_var;
  for (std::size_t i = 0; i < k; ++i) {
    const double* t = s + kBase + 3 * i;
    first[i] = defined ? (t[1] - delta * t[0]) / w / var : compute::kNa;
    total[i] = defined ? t[2] / (2 * w) / var : compute::kNa;
  }
}

// Adds one row's terms to Evaluate's sums; d_i are exact zeros for inputs f ignores, which keeps
// their indices at exactly 0.
void AddRowTerms(double a, double b, const double* ab, double f_a, std::size_t k, double* out) {
  out[0] += a;
  out[1] += b;
  out[2] += a * a;
  out[3] += b * b;
  for (std::size_t i = 0; i < k; ++i) {
    const double d = ab[i] - f_a;
    out[kBase + 3 * i] += d;
    out[kBase + 3 * i + 1] += b * d;
    out[kBase + 3 * i + 2] += d * d;
  }
}

void PercentileInterval(std::vector<double>& values, double level, double& lo, double& hi) {
  std::erase_if(values, [](double v) { return !std::isfinite(v); });
  std::sort(values.begin(), values.end());
  lo = QuantileType7(values, (1 - level) / 2);
  hi = QuantileType7(values, (1 + level) / 2);
}

}  // namespace

// ---- design ------------------------------------------------------------------------------------

SaltelliDesign::SaltelliDesign(std::size_t n, std::size_t k, std::uint64_t seed) : n_(n), k_(k), a_(n * k), b_(n * k) {
  // One stream per row of A and of B, so a row never depends on N or on generation order.
  for (std::size_t j = 0; j < n; ++j) {
    Rng ra(seed, kSobolDesignStream + 2 * j), rb(seed, kSobolDesignStream + 2 * j + 1);
    for (std::size_t i = 0; i < k; ++i) a_[j * k + i] = ra.Uniform();
    for (std::size_t i = 0; i < k; ++i) b_[j * k + i] = rb.Uniform();
  }
}

void SaltelliDesign::Inputs(std::size_t run, std::span<double> out) const {
  assert(run < runs() && out.size() == k_);
  const std::size_t block = run / n_, row = run % n_;
  const double* a = a_.data() + row * k_;
  const double* b = b_.data() + row * k_;
  std::copy(block == 1 ? b : a, (block == 1 ? b : a) + k_, out.begin());
  if (block >= 2) out[block - 2] = b[block - 2];
}

// ---- indices -----------------------------------------------------------------------------------

std::vector<SobolIndex> SobolIndices(std::span<const double> y, std::size_t n, std::size_t k, std::size_t bootstrap,
                                     std::uint64_t seed, double level) {
  std::vector<SobolIndex> result(k);
  assert(y.size() == n * (k + 2) && level > 0 && level < 1);
  if (y.size() != n * (k + 2) || k == 0) return result;
  auto f = [&](std::size_t block, std::size_t row) { return y[block * n + row]; };

  // Complete rows, their pooled mean (the shift) and magnitude.
  std::vector<std::size_t> rows;
  rows.reserve(n);
  double sum = 0, max_abs = 0;
  for (std::size_t j = 0; j < n; ++j) {
    bool complete = true;
    for (std::size_t blk = 0; blk < k + 2 && complete; ++blk) complete = std::isfinite(f(blk, j));
    if (!complete) continue;
    rows.push_back(j);
    sum += f(0, j) + f(1, j);
    max_abs = std::max({max_abs, std::abs(f(0, j)), std::abs(f(1, j))});
  }
  const std::size_t m = rows.size(), terms = Terms(k);
  if (m == 0) return result;
  const double shift = sum / static_cast<double>(2 * m), zero_var = ZeroVariance(max_abs);

  // Row terms, column-major (m × terms) for the resampling product.
  Eigen::MatrixXd t(static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(terms));
  std::vector<double> row(terms), ab(k);
  for (std::size_t r = 0; r < m; ++r) {
    const std::size_t j = rows[r];
    for (std::size_t i = 0; i < k; ++i) ab[i] = f(i + 2, j);
    std::fill(row.begin(), row.end(), 0.0);
    AddRowTerms(f(0, j) - shift, f(1, j) - shift, ab.data(), f(0, j), k, row.data());
    for (std::size_t c = 0; c < terms; ++c) t(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = row[c];
  }

  std::vector<double> first(k), total(k);
  const Eigen::VectorXd sums = t.colwise().sum().transpose();
  Evaluate(sums.data(), static_cast<double>(m), k, zero_var, first.data(), total.data());
  for (std::size_t i = 0; i < k; ++i) result[i].first = first[i], result[i].total = total[i];
  if (bootstrap == 0) return result;

  // Resamples in blocks: counts (m × block) from each resample's own stream, then one product.
  constexpr std::size_t kBlock = 64;
  std::vector<std::vector<double>> boot_first(k), boot_total(k);
  for (auto& v : boot_first) v.reserve(bootstrap);
  for (auto& v : boot_total) v.reserve(bootstrap);
  Eigen::MatrixXd counts(static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(std::min(kBlock, bootstrap)));
  Eigen::MatrixXd block_sums;
  for (std::size_t b0 = 0; b0 < bootstrap; b0 += kBlock) {
    const std::size_t nb = std::min(kBlock, bootstrap - b0);
    counts.setZero();
    for (std::size_t b = 0; b < nb; ++b) {
      Rng rng(seed, kSobolBootstrapStream + b0 + b);
      for (std::size_t r = 0; r < m; ++r)
        counts(static_cast<Eigen::Index>(rng.Below(m)), static_cast<Eigen::Index>(b)) += 1;
    }
    block_sums.noalias() = t.transpose() * counts.leftCols(static_cast<Eigen::Index>(nb));
    for (std::size_t b = 0; b < nb; ++b) {
      Evaluate(block_sums.col(static_cast<Eigen::Index>(b)).data(), static_cast<double>(m), k, zero_var, first.data(),
               total.data());
      for (std::size_t i = 0; i < k; ++i) {
        boot_first[i].push_back(first[i]);
        boot_total[i].push_back(total[i]);
      }
    }
  }
  for (std::size_t i = 0; i < k; ++i) {
    PercentileInterval(boot_first[i], level, result[i].first_lo, result[i].first_hi);
    PercentileInterval(boot_total[i], level, result[i].total_lo, result[i].total_hi);
  }
  return result;
}

// ---- streaming accumulator -----------------------------------------------------------------------

SobolAccumulator::SobolAccumulator(std::size_t k) : k_(k), sums_(Terms(k), 0.0) {}

void SobolAccumulator::Add(double f_a, double f_b, std::span<const double> f_ab) {
  assert(f_ab.size() == k_);
  bool complete = std::isfinite(f_a) && std::isfinite(f_b);
  for (double v : f_ab) complete = complete && std::isfinite(v);
  if (!complete) {
    ++skipped_;
    return;
  }
  // The first row fixes the shift: any value inside the data keeps the sums well conditioned.
  if (rows_ == 0) shift_ = (f_a + f_b) / 2;
  max_abs_ = std::max({max_abs_, std::abs(f_a), std::abs(f_b)});
  AddRowTerms(f_a - shift_, f_b - shift_, f_ab.data(), f_a, k_, sums_.data());
  ++rows_;
}

void SobolAccumulator::Reshift(double shift) {
  // Sums of x − c₁ turned into sums of x − c₂ with Δ = c₁ − c₂: Σ(x+Δ) = Σx + nΔ,
  // Σ(x+Δ)² = Σx² + 2ΔΣx + nΔ², Σ(b+Δ)d = Σbd + ΔΣd; d does not depend on the shift.
  const double delta = shift_ - shift, n = static_cast<double>(rows_);
  sums_[2] += 2 * delta * sums_[0] + n * delta * delta;
  sums_[3] += 2 * delta * sums_[1] + n * delta * delta;
  sums_[0] += n * delta;
  sums_[1] += n * delta;
  for (std::size_t i = 0; i < k_; ++i) sums_[kBase + 3 * i + 1] += delta * sums_[kBase + 3 * i];
  shift_ = shift;
}

void SobolAccumulator::Merge(const SobolAccumulator& other) {
  assert(other.k_ == k_);
  skipped_ += other.skipped_;
  if (other.rows_ == 0) return;
  if (rows_ == 0) {
    const std::size_t skipped = skipped_;
    *this = other;
    skipped_ = skipped;
    return;
  }
  SobolAccumulator o = other;
  o.Reshift(shift_);
  for (std::size_t c = 0; c < sums_.size(); ++c) sums_[c] += o.sums_[c];
  rows_ += o.rows_;
  max_abs_ = std::max(max_abs_, o.max_abs_);
}

std::vector<SobolIndex> SobolAccumulator::Indices() const {
  std::vector<SobolIndex> result(k_);
  if (rows_ == 0) return result;
  std::vector<double> first(k_), total(k_);
  Evaluate(sums_.data(), static_cast<double>(rows_), k_, ZeroVariance(max_abs_), first.data(), total.data());
  for (std::size_t i = 0; i < k_; ++i) result[i].first = first[i], result[i].total = total[i];
  return result;
}

}  // namespace gpsi::analysis
