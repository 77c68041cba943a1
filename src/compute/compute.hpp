// gpsi compute: pure kernels over dense columns and matrices — denominate, impute, screen, treat,
// normalise, weight, aggregate, rank. No I/O and no knowledge of units or indicators: the engine
// gathers the panel into a Matrix, calls these, and names things in its messages.
//
// Each kernel reproduces the JRC COINr 1.1.14 function named in its brief (see
// ../shared/oracle/README.md); a missing value is NaN throughout, as NA in R.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core.hpp"

namespace gpsi::compute {

//! The missing value (R's NA), as everywhere in gpsi.
using gpsi::IsNa;
using gpsi::kNa;

//! Dense column-major matrix: rows are units (or unit-years), columns indicators or nodes.
class Matrix {
 public:
  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols, double fill = kNa) : rows_(rows), cols_(cols), v_(rows * cols, fill) {}
  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  double& operator()(std::size_t r, std::size_t c) { return v_[c * rows_ + r]; }
  double operator()(std::size_t r, std::size_t c) const { return v_[c * rows_ + r]; }
  std::span<double> Col(std::size_t c) { return {v_.data() + c * rows_, rows_}; }
  std::span<const double> Col(std::size_t c) const { return {v_.data() + c * rows_, rows_}; }

 private:
  std::size_t rows_ = 0, cols_ = 0;
  std::vector<double> v_;
};

// ---- statistics -------------------------------------------------------------------------------

//! Arithmetic mean of the non-missing values (R `mean`: long-double sum plus a correction pass; NaN if none).
double Mean(std::span<const double> x);
//! Median of the non-missing values (R `median`, NaN if none).
double Median(std::span<const double> x);
//! Sample standard deviation, n − 1 denominator (R `sd`), NAs removed.
double SampleSd(std::span<const double> x);
//! Bias-adjusted sample skewness G1 = g1·√(n(n−1))/(n−2) (COINr `skew`, e1071 type 2), NAs removed;
//! NaN with fewer than 3 values (COINr stops) or zero variance.
double Skew(std::span<const double> x);
//! Bias-adjusted excess kurtosis G2 = ((n+1)(g2−3)+6)(n−1)/((n−2)(n−3)) (COINr `kurt`), NAs removed;
//! NaN with fewer than 4 values (COINr stops) or zero variance.
double Kurt(std::span<const double> x);
//! R's type-7 quantile of values sorted ascending: x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) with
//! h = (n − 1)·p (R `quantile`'s default); NaN for none.
double QuantileType7(std::span<const double> sorted, double p);

// ---- denominate -------------------------------------------------------------------------------

//! x ← x / (den / scale), cell by cell (COINr `Denominate` with ScaleFactor); a missing or zero
//! denominator gives NA (R would give Inf/NaN).
void Denominate(std::span<double> x, std::span<const double> den, double scale = 1.0);

// ---- impute -----------------------------------------------------------------------------------

enum class ImputeMethod { kNone, kMean, kMedian, kGroupMean, kGroupMedian, kLocf, kInterpolate };

//! Which rows belong together. `period[r]` groups rows of one year (cross-sectional methods only
//! look within a period); `unit[r]` and `year[r]` order a unit's series (LOCF, interpolation);
//! `group[r]` is the unit group for group methods (−1 = none). Empty vectors mean "all rows one
//! period / no series / no groups".
struct RowKeys {
  std::vector<int> period;
  std::vector<int> unit;
  std::vector<int> year;
  std::vector<int> group;
};

struct ImputeSpec {
  ImputeMethod method = ImputeMethod::kNone;
  int locf_years = 0;  //!< LOCF: carry a value forward at most this many years
  //! LOCF per column: its own limit where ≥ 0 (a stock variable observed rarely, such as a law),
  //! locf_years where −1 or absent.
  std::vector<int> locf_years_by_col;
  int LocfYears(std::size_t col) const {
    return col < locf_years_by_col.size() && locf_years_by_col[col] >= 0 ? locf_years_by_col[col] : locf_years;
  }
};

//! One imputed cell and where its value came from, for the build log.
struct ImputedCell {
  static constexpr std::size_t kNoRow = static_cast<std::size_t>(-1);
  std::size_t row = 0, col = 0;
  double value = kNa;
  std::string how;  //!< e.g. "mean of 48 values", "group 3 median of 12 values", "2019 value", "2018–2021 line"
  std::size_t from = kNoRow;  //!< locf: the row whose observed value was carried (else kNoRow)
};

//! Fills missing cells of `x` in place and lists them. mean/median: the column's mean/median over
//! the rows of the same period (COINr `i_mean`, `i_median`); group-mean/median: over the rows of
//! the same period and group (COINr `i_mean_grp`, `i_median_grp`; a cell whose group has no value,
//! or whose group is −1, stays missing; with no group keys nothing is imputed); locf: the unit's
//! latest earlier *observed* value at most k calendar years back (COINr `impute_panel` "latest",
//! whose max_time counts time points instead; k ≤ 0 imputes nothing); interpolate: linear between
//! the unit's nearest earlier and later observed values, y0 + (y1 − y0)·((t − t0)/(t1 − t0)) as
//! R `approx` (COINr "linear" also copies the end values outwards, rule = 2; we do not extrapolate).
std::vector<ImputedCell> Impute(Matrix& x, const RowKeys& keys, const ImputeSpec& spec);

// ---- screen -----------------------------------------------------------------------------------

//! Share of non-missing cells per row over the given columns (COINr `Screen` byNA `Dat_Avail`).
std::vector<double> DataShare(const Matrix& x, std::span<const std::size_t> cols);

// ---- treat ------------------------------------------------------------------------------------

//! Outcome of COINr's `check_SkewKurt`: passes if |skew| < skew_max OR kurt < kurt_max. When the
//! test is undefined (fewer than 4 values, zero variance) it counts as passed, i.e. untreated:
//! COINr then stops (n < 4) or warns and returns the column untreated (NA test).
struct SkewKurt {
  double skew = kNa, kurt = kNa;
  bool pass = true;
};
SkewKurt CheckSkewKurt(std::span<const double> x, double skew_max = 2.0, double kurt_max = 3.5);

struct TreatedPoint {
  std::size_t row = 0;
  bool high = true;  //!< winhi (clipped at the top) or winlo
  double before = kNa, after = kNa;
};

struct TreatReport {
  SkewKurt before;
  int nwin = 0;              //!< points winsorised (0 if the column passed)
  SkewKurt after;            //!< after winsorisation (== before if nothing was done)
  bool log_applied = false;  //!< the log fallback replaced the column
  SkewKurt after_log;        //!< test on the logged column (COINr check_SkewKurt2), if log_applied
  //! Winsorised cells as COINr's Treated_Points reports them (winhi/winlo, last clip set per side);
  //! `after` is the winsorised value. When log_applied every non-missing cell was replaced.
  std::vector<TreatedPoint> points;
};

//! COINr `Treat` default on one column, in place: if CheckSkewKurt fails, winsorise (COINr
//! `winsorise`: the side is re-chosen from the current skew each pass, all values tied at the
//! extreme are clipped together to the next value) while failing and nwin < winmax; if it still
//! fails, `log_CT` on the original column: log(x − min + 0.01·(max − min)). nwin counts the clipped
//! cells and may overshoot winmax (ties); winmax ≤ 0 goes straight to the log (as in R). If the
//! test becomes undefined the column is returned untreated, as COINr does.
TreatReport TreatJrc(std::span<double> col, int winmax);
//! kBadMethod unless winmax ≥ 0 (COINr's winsorise winmax; 0 = straight to the log fallback), for
//! callers validating a `jrc:<winmax>` choice before treating.
Status CheckWinmax(int winmax);

// ---- normalise --------------------------------------------------------------------------------

enum class NormMethod {
  kMinMax,        //!< (x − min)/(max − min)·(u − l) + l (COINr n_minmax; p1 = l, p2 = u)
  kZScore,        //!< (x − mean)/sd·s + m (COINr n_zscore; p1 = m, p2 = s)
  kRank,          //!< rank, ties get the minimum rank, NA kept (COINr n_rank, ties.method "min")
  kPercentile,    //!< (rank − 1)/(n − 1), rank with ties "min", n non-missing (COINr n_prank)
  kGoalposts,     //!< (x − lo)/(hi − lo) clipped to [0,1], times p2 (COINr n_goalposts, scale = p2)
  kDistFrontier,  //!< 1 − (max − x)/(max − min) (COINr n_dist2max), times p2 (p2 = 1 is COINr)
  kBand5,         //!< Global Peace Index banding: 1 + 4·(x − lo)/(hi − lo) clipped to [1,5] (not in COINr)
};

struct NormSpec {
  NormMethod method = NormMethod::kMinMax;
  double p1 = 0, p2 = 100;
};

//! Goalposts on the raw (pre-direction) scale: lo = lower goalpost, hi = upper goalpost (COINr iMeta
//! goalpost_lower / goalpost_upper); lo must differ from hi.
struct Goalposts {
  double lo = 0, hi = 1;
};

//! Normalises one column in place: x ← x·direction first, as COINr does, then the method.
//! Goalposts (kGoalposts, and kBand5 when given) are on the raw scale; with direction −1 the
//! high goalpost maps to 0 (COINr's iMeta goalposts: gposts = (−hi, −lo) on the flipped data).
//! kGoalposts and kBand5 without goalposts use the column's range. An all-missing column stays
//! missing. Fails with kBadMethod for invalid parameters (direction not ±1, NaN parameters,
//! zscore sd ≤ 0, goalposts lo == hi) and with kUncomputable when the method is undefined for
//! the column (zero range, zero sd, one value for percentiles) where COINr returns NaN + warning.
Status Normalise(std::span<double> col, int direction, const NormSpec& spec,
                 const std::optional<Goalposts>& goalposts = std::nullopt);

// ---- weights ----------------------------------------------------------------------------------

//! Principal components of the columns over complete rows, centred and scaled as R's
//! prcomp(center = TRUE, scale. = TRUE) (COINr get_PCA); min(rows, columns) components. Loadings
//! carry R's signs (LAPACK dgesdd, the routine R's svd calls) when gpsi is built with LAPACK, else
//! each component's largest |loading| is positive. kUncomputable with fewer than 2 complete rows
//! or a constant column (prcomp stops). The one PCA of gpsi: weights and the audit read it.
struct Pca {
  std::size_t rows_used = 0;
  std::vector<double> sdev;                   //!< per component: R's sdev, singular value/√(n−1)
  std::vector<double> variance_share;         //!< per component, descending, sums to 1
  std::vector<std::vector<double>> loadings;  //!< [component][column] (R's rotation)
  std::vector<double> weights;                //!< COINr's PCA weights: the first component's loadings
};
Result<Pca> PrincipalComponents(const Matrix& x, std::span<const std::size_t> cols);

//! PCA weights of sibling columns (COINr `get_PCA`): PrincipalComponents(x, cols).weights, the
//! first component's loadings with prcomp's sign, used unchanged (unit length, may be negative: a
//! weighted mean Σwx/Σw does not change when every weight changes sign). Fails (kUncomputable)
//! with fewer complete rows than columns + 1, or as PrincipalComponents.
Result<std::vector<double>> PcaWeights(const Matrix& x, std::span<const std::size_t> cols);

// ---- aggregate --------------------------------------------------------------------------------

enum class AggMethod {
  kArithmetic,  //!< Σ w·x / Σ w (COINr a_amean)
  kGeometric,   //!< exp(Σ w·log x / Σ w) (COINr a_gmean; any x ≤ 0 is an error)
  kHarmonic,    //!< Σ w / Σ (w/x) (COINr a_hmean; an x == 0 is an error, negatives are allowed)
  //! Weighted median (COINr 1.1.14 has no such aggregator): sort by x, the first x whose cumulative
  //! weight reaches half the total, averaged with the next when it hits exactly half (equal
  //! weights give R `median`); zero-weight children are ignored.
  kMedian,
};

//! A cell that makes an aggregation undefined (e.g. a zero under a geometric mean).
struct BadCell {
  std::size_t row = 0, col = 0;  //!< the matrix row and column (not the position among the children)
  double value = kNa;
};

//! How an aggregation sums. kExact: in long double, as R's sum, so a build's scores are COINr's to
//! the bit (every build and what-if). kFast: in double, which vectorises, within a few units in the
//! last place of kExact (the Monte Carlo runs, where the sums were half the time of a run).
enum class Sum { kExact, kFast };

//! Aggregates `children` of `x` into `out` (one value per row) with `weights` (one per child):
//! per row the weights of missing children are dropped and the rest rescaled (COINr); a row with
//! fewer than `min_share` of its children present gets NA (COINr Aggregate `dat_thresh`), and so
//! does a row with none. Arithmetic: w ← w/Σw, then Σ w·x, as COINr. Returns the first offending
//! cell (row by row) when the method is undefined for a row, and `out` is then incomplete; a row
//! below `min_share` is never checked, as in COINr. `child_logs` (optional, one per child): a
//! column of ln x already computed for a child whose present values are all > 0, or nullptr; the
//! geometric mean then reads it instead of taking the logarithms again (the Monte Carlo's cache).
std::optional<BadCell> Aggregate(const Matrix& x, std::span<const std::size_t> children,
                                 std::span<const double> weights, AggMethod method, double min_share,
                                 std::span<double> out, std::span<const double* const> child_logs = {},
                                 Sum sum = Sum::kExact);

//! The aggregation tree of an index over a rows × nodes score matrix: nodes 0 … indicators − 1 are
//! the indicators; every later node aggregates its children, which all come before it.
struct Tree {
  std::size_t indicators = 0;
  std::vector<std::vector<std::size_t>> children;  //!< per node (empty for an indicator)
  std::vector<AggMethod> method;                   //!< per node: how an aggregate combines its children
  double min_share = 0;                            //!< pipeline.aggregate_min_share (COINr dat_thresh)
};

//! An aggregation the tree cannot compute: the node, how it was aggregated, its first bad cell.
struct BadAggregate {
  std::size_t node = 0;
  AggMethod method = AggMethod::kArithmetic;
  BadCell cell;
};

//! Computes aggregate `node` of `scores` (rows × nodes) from its children with `weights` (per
//! node) under `how` (Aggregate). `logs` (optional, per node): ln of a node's column, as for
//! Aggregate. The one aggregation step of the build, what-if and the Monte Carlo runs.
std::optional<BadAggregate> AggregateNode(const Tree& t, std::size_t node, std::span<const double> weights,
                                          AggMethod how, Matrix& scores, std::span<const double* const> logs = {},
                                          Sum sum = Sum::kExact);

//! Computes every aggregate of `scores` in node order (AggregateNode), each under its own method
//! or, when given, `all`; stops at the first node that cannot be computed.
std::optional<BadAggregate> AggregateTree(const Tree& t, std::span<const double> weights, Matrix& scores,
                                          std::optional<AggMethod> all = std::nullopt,
                                          std::span<const double* const> logs = {}, Sum sum = Sum::kExact);

// ---- rank -------------------------------------------------------------------------------------

//! Ranks descending, ties share the lowest rank (R rank(−x, ties.method = "min")); missing → 0.
std::vector<int> RankDesc(std::span<const double> x);

//! Ranks x[rows[k]] among themselves as RankDesc and writes each into out[rows[k]]; other entries
//! of `out` are left as they are. The one ranking of every published and Monte Carlo rank.
void RankRows(std::span<const double> x, std::span<const std::size_t> rows, std::span<int> out);

//! Ranks column `node` of `scores` within each block of rows (a year's ranked units): out[r] is
//! row r's rank in its block, 0 for a row in no block or with a missing score.
void RankWithin(const Matrix& scores, std::size_t node, std::span<const std::vector<std::size_t>> blocks,
                std::span<int> out);

// ---- terrorism impact (Global Terrorism Index) --------------------------------------------------
//
// The IEP's Global Terrorism Index scores a country-year in three steps (GTI 2023 edition; IEP's
// own R code, githubIEP/econ_gpi 03_scripts/Archive/cleaning_archive/03-calculate-index.R):
//   annual   a(t) = Σ_c w_c·x_c(t)          incidents 1, deaths 3, injuries 0.5, hostages 0.5
//   weighted s(t) = Σ_k l_k·a(t − k) / d     l = 16, 8, 4, 2, 1 and d = 5 (the mean of the 5 terms)
//   banded   g(t) = top·ln(1 + s)/ln(1 + M)  M = the highest s of the edition, so it scores top = 10
// (equivalently log base r = (1 + M)^(1/top) of 1 + s). The report's half-point band table is the
// same curve cut at r^(2n)·…; its scores themselves are not rounded. See docs/terrorism.md.

//! GTI annual impact a = Σ_c w_c·x_c over the components (counts of incidents, deaths, injuries,
//! hostages); NaN if any component with a non-zero weight is NaN. Sizes must match.
double TerrorAnnual(std::span<const double> counts, std::span<const double> weights);

//! GTI weighted impact s(t) = Σ_k l_k·a(t − k) / divisor, with `annual` = a(t), a(t − 1), … (at
//! least as many as `lag_weights`); NaN when any year with a non-zero lag weight is NaN (the IEP
//! drops a country-year whose window is incomplete). divisor > 0 (the IEP: the number of terms).
double TerrorWeighted(std::span<const double> annual, std::span<const double> lag_weights, double divisor);

//! GTI logarithmic banding of one value: top·ln(1 + s)/ln(1 + max), clipped to [0, top]; with
//! step > 0 the result is rounded down to a multiple of step (band cut-offs (1 + max)^(n·step/top)
//! − 1). max ≤ 0 (no impact anywhere) gives 0 for s ≤ 0 and top above. NaN stays NaN.
double TerrorBand(double s, double max, double top, double step);

//! Bands `s` in place, block by block: rows with the same `block[r]` share one reference maximum,
//! the largest non-missing s among them (the IEP pools every year of an edition: one block; one
//! block per year scores each year's worst country top), unless fixed_max > 0 is given. Returns
//! the maximum used per row (NaN where the block has no value).
std::vector<double> TerrorBandColumn(std::span<double> s, std::span<const int> block, double top, double step,
                                     double fixed_max = 0);

}  // namespace gpsi::compute
