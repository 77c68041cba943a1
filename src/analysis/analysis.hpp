// gpsi analysis: the audit of an index — coherence (correlations, Cronbach's alpha, PCA),
// Monte Carlo uncertainty analysis with rank intervals, and Sobol sensitivity indices.
// Pure computation over compute::Matrix; the engine reads data and writes files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compute.hpp"
#include "core.hpp"

namespace gpsi::analysis {

using compute::Matrix;

// ==== coherence =================================================================================

enum class CorrMethod { kPearson, kSpearman };

//! A correlation with its two-sided p-value and the number of complete pairs used.
struct Corr {
  double r = compute::kNa;
  double p = compute::kNa;
  std::size_t n = 0;
};

//! Correlation of x and y over the pairs where both are present (R cor(use = "pairwise")), with
//! the p-value COINr's get_corr reports for it (see coherence.cpp for the exact test).
Corr Correlate(std::span<const double> x, std::span<const double> y, CorrMethod method);

//! Cronbach's alpha of the columns over complete rows (COINr get_cronbach):
//! α = k/(k−1)·(1 − Σ var(x_i) / var(Σ x_i)).
double CronbachAlpha(const Matrix& x, std::span<const std::size_t> cols);

//! Principal components of the columns over complete rows, centred and scaled (R prcomp with
//! scale. = TRUE, as COINr get_PCA).
struct Pca {
  std::size_t rows_used = 0;
  std::vector<double> variance_share;          //!< per component, descending, sums to 1
  std::vector<std::vector<double>> loadings;   //!< [component][column] (R's rotation)
  std::vector<double> weights;                 //!< COINr's PCA weights for the columns
};
Result<Pca> PrincipalComponents(const Matrix& x, std::span<const std::size_t> cols);

// ==== Sobol sensitivity =========================================================================

//! Saltelli (2010) design: two N × k base matrices A and B of uniform [0, 1) numbers (from
//! core::Rng with the seed), and for each input i the matrix A_B^(i) = A with column i from B.
//! Run r of the N·(k+2) runs is row r % N of A (block 0), B (block 1), or A_B^(block−2).
class SaltelliDesign {
 public:
  SaltelliDesign(std::size_t n, std::size_t k, std::uint64_t seed);
  std::size_t n() const { return n_; }
  std::size_t k() const { return k_; }
  std::size_t runs() const { return n_ * (k_ + 2); }
  //! The k inputs of run r, each in [0, 1).
  void Inputs(std::size_t run, std::span<double> out) const;

 private:
  std::size_t n_, k_;
  std::vector<double> a_, b_;
};

//! First-order and total-effect Sobol indices of one input, with bootstrap confidence intervals.
struct SobolIndex {
  double first = compute::kNa, total = compute::kNa;
  double first_lo = compute::kNa, first_hi = compute::kNa;  //!< percentile bootstrap interval
  double total_lo = compute::kNa, total_hi = compute::kNa;
};

//! Sobol indices from the outputs y of a SaltelliDesign's runs (in run order): first order by
//! Saltelli et al. (2010), S_i = mean(f(B)·(f(A_B^i) − f(A))) / V; total effect by Jansen (1999),
//! ST_i = mean((f(A) − f(A_B^i))²)/2 / V; V the variance of f over A and B together. Intervals:
//! `bootstrap` resamples of the N rows (seeded), at the given confidence level.
std::vector<SobolIndex> SobolIndices(std::span<const double> y, std::size_t n, std::size_t k,
                                     std::size_t bootstrap = 1000, std::uint64_t seed = 1, double level = 0.90);

}  // namespace gpsi::analysis
