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
#include "model.hpp"

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
//! the two-sided p-value of R's cor.test on those pairs, which COINr's get_pvals (get_corr's pval
//! option) reports: Pearson t = r·√(n−2)/√(1−r²) on n−2 df (NA for n < 3); Spearman r on average
//! ranks, p by AS 89 (exact for n ≤ 9, Edgeworth above) without ties and n ≤ 1290, else by the
//! t approximation (NA for n < 2 or a constant column).
Corr Correlate(std::span<const double> x, std::span<const double> y, CorrMethod method);

//! Spearman's p-value as R's cor.test reports it for rho over n pairs (`ties`: some value repeats).
double SpearmanPValue(double rho, std::size_t n, bool ties);

//! Cronbach's alpha of the columns as COINr get_cronbach: from the pairwise-complete covariance
//! matrix C (R cov(use = "pairwise.complete.obs")), α = k²·mean(C_ij, i≠j) / ΣC_ij
//! (= k/(k−1)·(1 − Σ var(x_i) / var(Σ x_i)) without missing values); NA for k < 2.
double CronbachAlpha(const Matrix& x, std::span<const std::size_t> cols);

using compute::QuantileType7;

// ==== validation against external measures (gpsi validate) =====================================

//! Rng stream base of the validation bootstraps, apart from the Sobol and Monte Carlo streams.
inline constexpr std::uint64_t kValidationStream = 0x7A11DA7E00000000ULL;

using gpsi::Interval;  //!< a statistic with its bootstrap interval (model.hpp)

//! Spearman's ρ over the complete pairs of x and y (Correlate), with a percentile bootstrap
//! interval at `level` (R type-7 quantiles) over `bootstrap` resamples of the pairs with
//! replacement; resample b is drawn from Rng(seed, kValidationStream + b). Resamples whose ρ is
//! undefined (a constant column) are left out. Fewer than 3 pairs: NaN.
Interval SpearmanInterval(std::span<const double> x, std::span<const double> y, std::size_t bootstrap,
                          std::uint64_t seed, double level = 0.95);

//! The probability that a member of group `low` scores below a member of group `high`, ties
//! counting one half: AUC = U / (n_low·n_high), the Mann–Whitney statistic (0.5 = no separation).
//! Bootstrap interval as SpearmanInterval, resampling each group apart (stratified). NaN values
//! are dropped; an empty group gives NaN.
Interval AucInterval(std::span<const double> low, std::span<const double> high, std::size_t bootstrap,
                     std::uint64_t seed, double level = 0.95);

// ==== Sobol sensitivity =========================================================================

//! Rng stream bases of the Sobol analysis, apart from each other and from small run-indexed
//! streams so that one seed can serve the design, the bootstrap and the Monte Carlo runs.
inline constexpr std::uint64_t kSobolDesignStream = 0x5A17E11100000000ULL;
inline constexpr std::uint64_t kSobolBootstrapStream = 0xB0075A1700000000ULL;

//! Saltelli (2010) design: two N × k base matrices A and B of uniform [0, 1) numbers (from
//! core::Rng with the seed), and for each input i the matrix A_B^(i) = A with column i from B.
//! Run r of the N·(k+2) runs is row r % N of A (block 0), B (block 1), or A_B^(block−2).
//! Row j of A is the first k draws of Rng(seed, kSobolDesignStream + 2j), row j of B those of
//! Rng(seed, kSobolDesignStream + 2j + 1): the whole design is fixed by (seed, N, k) at
//! construction, Inputs() is a pure const lookup (any thread may ask for any run in any order),
//! and row j does not depend on N, nor its first k' columns on k ≥ k'.
class SaltelliDesign {
 public:
  SaltelliDesign(std::size_t n, std::size_t k, std::uint64_t seed);
  std::size_t n() const { return n_; }
  std::size_t k() const { return k_; }
  std::size_t runs() const { return n_ * (k_ + 2); }
  //! The k inputs of run r, each in [0, 1).
  void Inputs(std::size_t run, std::span<double> out) const;
  //! Element (row, col) of A and of B.
  double A(std::size_t row, std::size_t col) const { return a_[row * k_ + col]; }
  double B(std::size_t row, std::size_t col) const { return b_[row * k_ + col]; }

 private:
  std::size_t n_, k_;
  std::vector<double> a_, b_;
};

using gpsi::SobolIndex;  //!< Sobol indices with their intervals (model.hpp)

//! Sobol indices from the outputs y of a SaltelliDesign's runs (in run order): first order by
//! Saltelli et al. (2010), S_i = mean((f(B) − f₀)·(f(A_B^i) − f(A))) / V; total effect by
//! Jansen (1999), ST_i = mean((f(A) − f(A_B^i))²)/2 / V; f₀ and V the mean
//! and population variance (divisor 2N, as SALib's np.var) of f over A and B together. Centring
//! f(B) by f₀ (as SALib does) leaves E[S_i] unchanged and removes the f₀·mean(f(A_B^i) − f(A))
//! noise term, which dominates for outputs far from zero such as ranks. A row j with any non-finite
//! f_A[j], f_B[j], f_AB^i[j] is left out; N is then the number of complete rows. If V is zero (to
//! rounding: V ≤ 64·ε·max|f|²) the indices are undefined and stay NaN. Intervals: percentile
//! (R type 7) interval at `level` over `bootstrap` resamples of the N rows with replacement,
//! resample b drawn from Rng(seed, kSobolBootstrapStream + b), so every output analysed with the
//! same seed and N sees the same resamples; resamples with V = 0 are left out; no resamples, no
//! interval (NaN). Cost: O(N·k) for the estimates, O(bootstrap·N·k) for the intervals (≈ 0.25 s
//! per output at N = 10⁴, k = 10, 1000 resamples; outputs are independent, so run them in parallel).
std::vector<SobolIndex> SobolIndices(std::span<const double> y, std::size_t n, std::size_t k,
                                     std::size_t bootstrap = 1000, std::uint64_t seed = 1, double level = 0.90);

//! Streaming point estimates of the same indices (no intervals): add the design's rows in any
//! order — row j is f_A[j], f_B[j] and f(A_B^i)[j] for every i — from per-thread accumulators that
//! are merged; memory is O(k) instead of the N·(k+2) outputs SobolIndices needs. Bootstrap
//! intervals need every row's values, so an engine that wants them keeps the outputs instead.
class SobolAccumulator {
 public:
  explicit SobolAccumulator(std::size_t k);
  std::size_t k() const { return k_; }
  //! Complete rows added, and rows skipped for a non-finite value.
  std::size_t rows() const { return rows_; }
  std::size_t skipped() const { return skipped_; }
  //! Adds design row j: f(A)[j], f(B)[j] and f_ab[i] = f(A_B^i)[j] for i < k.
  void Add(double f_a, double f_b, std::span<const double> f_ab);
  //! Adds another accumulator's rows (same k).
  void Merge(const SobolAccumulator& other);
  //! The point estimates as SobolIndices gives them (equal up to rounding); intervals NaN.
  std::vector<SobolIndex> Indices() const;

 private:
  void Reshift(double shift);
  std::size_t k_, rows_ = 0, skipped_ = 0;
  double shift_ = 0, max_abs_ = 0;  //!< sums are of f − shift; max |f| over A and B
  std::vector<double> sums_;        //!< Σa, Σb, Σa², Σb², then per input Σd, Σb·d, Σd²
};

// ==== Monte Carlo uncertainty ===================================================================

//! What a Monte Carlo run recomputes: the imputed, screened indicator data (one matrix per
//! imputation alternative; rows are the scored unit-years), the framework tree, and the blocks
//! (years) within which ranks — and, by year, normalisation — are taken.
struct Scenario {
  std::vector<Matrix> data;    //!< per imputation alternative: rows × indicators
  std::vector<int> row_block;  //!< per row: its block (year) index, 0 … blocks−1
  std::size_t blocks = 1;
  bool normalise_by_block = false;                           //!< pipeline.panel = by-year
  std::vector<int> direction;                                //!< per indicator
  std::vector<std::optional<compute::Goalposts>> goalposts;  //!< per indicator
  compute::Tree tree;                                        //!< nominal aggregation per node; indicators first
  std::vector<double> weights;                               //!< nominal weight per node
};

//! The choices of one run.
struct RunChoice {
  std::size_t data = 0;  //!< imputation alternative
  int winmax = -1;       //!< −1 = no treatment
  compute::NormSpec norm;
  std::vector<double> weights;                  //!< per node
  std::optional<compute::AggMethod> aggregate;  //!< all aggregates, when set; else the nominal per node
  int excluded = -1;                            //!< indicator left out, −1 = none
};

//! Runs a Scenario under many RunChoices. Treated and normalised data are cached per
//! (imputation, winmax, normalisation): a Monte Carlo run mostly re-aggregates. Safe to call
//! Run from several threads once Prepare has seen every combination.
class Runner {
 public:
  explicit Runner(const Scenario& s);
  //! Computes the cached data of one (data, winmax, norm) combination; call for each before Run.
  Status Prepare(std::size_t data, int winmax, const compute::NormSpec& norm);
  //! Scores (rows × nodes) of one run; the first offending cell makes it fail (kUncomputable).
  Status Run(const RunChoice& c, Matrix& scores) const;
  //! Ranks of node `node` within each block (1 = best, ties share the lowest, 0 = missing).
  void Rank(const Matrix& scores, std::size_t node, std::span<int> out) const;
  const Scenario& scenario() const { return s_; }

 private:
  struct Cached {
    std::size_t data;
    int winmax;
    compute::NormSpec norm;
    Matrix normalised;
    Matrix logs;                    //!< ln of each normalised value (for geometric means)
    std::vector<bool> nonpositive;  //!< per indicator: some value ≤ 0 (no geometric mean)
  };
  const Cached* Find(std::size_t data, int winmax, const compute::NormSpec& norm) const;
  const Scenario& s_;
  std::vector<std::vector<std::size_t>> block_rows_;  //!< per block: its rows
  std::vector<Cached> cache_;
};

//! Streaming statistics over runs for every (node, row): rank histogram (exact quantiles), and
//! score sums in 2^−40 fixed point, so results do not depend on how runs are split between
//! threads or processes. Memory: nodes × rows × (block size + 1) counts, flat in the run count.
class RankStats {
 public:
  RankStats(std::size_t nodes, std::size_t rows, std::size_t max_rank);
  static constexpr std::size_t kMaxRuns = 0xffffffffu;  //!< runs one instance can count
  void Add(std::size_t node, std::size_t row, int rank, double score);
  //! Add for every row of one node: ranks[r] and scores[r] (a Monte Carlo run's column).
  void AddColumn(std::size_t node, std::span<const int> ranks, std::span<const double> scores);
  void Merge(const RankStats& other);
  std::size_t runs(std::size_t node, std::size_t row) const { return count_[Index(node, row)]; }
  double MeanRank(std::size_t node, std::size_t row) const;
  //! Rank quantile as R's quantile(type = 7) over the runs' ranks (missing ranks ignored).
  double RankQuantile(std::size_t node, std::size_t row, double p) const;
  double MeanScore(std::size_t node, std::size_t row) const;
  double SdScore(std::size_t node, std::size_t row) const;
  //! The whole state as integers (for sending between MPI ranks), and its merge.
  std::vector<std::int64_t> Serialize() const;
  Status MergeSerialized(std::span<const std::int64_t> data);

 private:
  std::size_t Index(std::size_t node, std::size_t row) const { return node * rows_ + row; }
  std::size_t nodes_, rows_, bins_;
  //! Per (node, row, rank) and per (node, row): runs counted. 32 bits (4.29e9 runs per process,
  //! checked by the callers) halve the histogram that every run touches at random.
  std::vector<std::uint32_t> hist_, count_;
  //! Per (node, row): Σ score in 2^−40 and Σ score² in 2^−20 fixed point (128-bit integers);
  //! exact, so the order of runs does not matter.
  __extension__ std::vector<__int128> sum_, square_;
};

}  // namespace gpsi::analysis
