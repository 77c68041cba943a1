// gpsi forecast: annual indicator projections as draws, the baselines they must beat, a model that
// learns across countries, proper scores (CRPS, ignorance, interval score) and the rolling-origin
// backtest. Pure computation over dense panels; the engine reads the store and writes files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compute.hpp"
#include "core.hpp"

namespace gpsi::forecast {

using compute::IsNa;
using compute::kNa;

// ==== series ====================================================================================

//! The values a series may take, which its draws keep to.
enum class Support {
  kReal,         //!< any real number
  kNonNegative,  //!< ≥ 0 (rates, shares)
  kCount,        //!< non-negative integers (deaths, incidents): count distributions
  kBounded,      //!< [lo, hi] (a score on a fixed scale)
};

struct Scale {
  Support support = Support::kReal;
  double lo = 0, hi = 0;  //!< kBounded only
};

//! One series per unit over consecutive years, NaN where a year has no value.
struct SeriesPanel {
  int first_year = 0;
  std::size_t years = 0;
  std::size_t units = 0;
  std::vector<double> y;  //!< unit-major: y[u·years + t] is unit u in year first_year + t
  Scale scale;

  SeriesPanel() = default;
  SeriesPanel(std::size_t units, int first_year, std::size_t years, Scale scale = {})
      : first_year(first_year), years(years), units(units), y(units * years, kNa), scale(scale) {}
  int last_year() const { return first_year + static_cast<int>(years) - 1; }
  //! The value of unit u in `year`; NaN outside the panel.
  double at(std::size_t u, int year) const;
  double& at_mut(std::size_t u, int year) { return y[u * years + static_cast<std::size_t>(year - first_year)]; }
  //! Unit u's years first_year..`to` (clipped to the panel).
  std::span<const double> Through(std::size_t u, int to) const;
};

//! Covariates beside a SeriesPanel (same units and years): k context series per unit-year, NaN
//! where missing. Row-major [u][t][k].
struct Context {
  std::size_t k = 0;
  std::vector<double> x;
  std::vector<std::string> names;
  double at(const SeriesPanel& p, std::size_t u, int year, std::size_t j) const;
};

// ==== R forecast's random walks (the oracle-checked baselines) ==================================

//! A Gaussian forecast at one horizon.
struct Gaussian {
  double mean = kNa, se = kNa;
};

//! R forecast::naive(y, h): the last value (carried over trailing gaps), se = σ·√h with
//! σ² = mean of the squared one-step changes (a change across a gap counts as one step, R's
//! lagwalk). Horizons 1..h count from the end of y. NaN where y has no value or no change.
std::vector<Gaussian> Naive(std::span<const double> y, int h);
//! R forecast::rwf(y, h, drift = TRUE): last + h·b with b the mean one-step change,
//! se = √(σ²·h + (h·se_b)²), σ² their variance (n − 1), se_b = σ/√n (lm's intercept).
std::vector<Gaussian> Drift(std::span<const double> y, int h);

// ==== models ====================================================================================

enum class Model {
  kNoChange,         //!< the naive random walk (R naive's Gaussian around the last value)
  kDrift,            //!< the random walk with drift (R rwf(drift = TRUE))
  kOwnBootstrap,     //!< the unit's own last `window` observed values, resampled
  kGlobalBootstrap,  //!< every unit's latest value at the origin, resampled
  kCountLast,        //!< counts: negative binomial (Poisson without overdispersion) around the last value
  kPooled,           //!< a direct h-step panel regression across units with context covariates
  kEnsemble,         //!< an equal mixture of no-change, own-history bootstrap and pooled
};
inline constexpr Model kModels[] = {Model::kNoChange,  Model::kDrift,  Model::kOwnBootstrap, Model::kGlobalBootstrap,
                                    Model::kCountLast, Model::kPooled, Model::kEnsemble};
std::string_view ToString(Model m);
std::optional<Model> ParseModel(std::string_view s);
//! Whether a model applies to a series of this support (kCountLast: counts only).
bool Applies(Model m, Support s);

//! Settings of the models (the method file's [forecast] table).
struct ModelSettings {
  int window = 10;     //!< years of history the bootstraps and the pooled fit look back
  int max_age = 5;     //!< a unit is forecast only when it has a value this recent at the origin
  double ridge = 1.0;  //!< ridge penalty of the pooled regression (on standardised covariates)
  int max_horizon = 3;
};

//! What the models learn from all units at one origin (only data of years ≤ origin): the pool of
//! latest values, the count dispersion and one pooled regression per horizon.
class Fit {
 public:
  //! Fits at `origin` on p and its context series. The Fit reads both while it lives, so they
  //! cannot be temporaries.
  static Fit At(const SeriesPanel& p, const Context& ctx, int origin, const ModelSettings& s);
  //! Fits without context series.
  static Fit At(const SeriesPanel& p, int origin, const ModelSettings& s);
  static Fit At(SeriesPanel&&, const Context&, int, const ModelSettings&) = delete;
  static Fit At(const SeriesPanel&, Context&&, int, const ModelSettings&) = delete;
  static Fit At(SeriesPanel&&, int, const ModelSettings&) = delete;

  int origin() const { return origin_; }
  //! Whether unit u can be forecast at this origin (a value within max_age years).
  bool Forecastable(std::size_t u) const { return last_year_[u] > 0; }
  //! Draws of unit u's value in origin + h from model m, out.size() of them, from rng.
  void Draw(Model m, std::size_t u, int h, Rng& rng, std::span<double> out) const;
  //! The pooled regression's coefficients for horizon h (for tests and docs): intercept first.
  const std::vector<double>& Coefficients(int h) const { return pooled_[static_cast<std::size_t>(h - 1)].beta; }

 private:
  struct Pooled {
    std::vector<double> beta, mean, sd;  //!< on standardised features
    //! In-sample residuals on the transformed scale, ordered by the case's latest value z: a draw
    //! resamples the residuals of the cases nearest in z, since spread depends on the level (a
    //! country at 0 deaths mostly stays there; one at war does not).
    std::vector<double> residuals, level;
  };
  void DrawPooled(std::size_t u, int h, Rng& rng, std::span<double> out) const;
  void DrawCount(std::size_t u, int h, Rng& rng, std::span<double> out) const;
  std::vector<double> Features(std::size_t u, int at) const;

  const SeriesPanel* p_ = nullptr;
  const Context* ctx_ = nullptr;
  ModelSettings s_;
  int origin_ = 0;
  std::vector<int> last_year_;  //!< per unit: its latest year with a value ≤ origin (0: none recent)
  std::vector<double> pool_;    //!< every forecastable unit's latest value
  double dispersion_ = 0;       //!< negative binomial size r (0: Poisson)
  std::vector<Pooled> pooled_;
};

//! Keeps draws on the support: clamps at the bounds, rounds counts.
void Clip(const Scale& s, std::span<double> draws);

// ==== scores ====================================================================================

//! CRPS of the empirical distribution of `sorted` draws at outcome y, exactly:
//! (1/n)Σ|xᵢ − y| − (1/n²)Σᵢ xᵢ(2i − n + 1) over ascending xᵢ, i from 0 (the energy form,
//! properscoring's crps_ensemble as the VIEWS challenge scores it).
double Crps(std::span<const double> sorted, double y);
//! Interval score of [lo, hi] at level 1 − α (Gneiting & Raftery 2007):
//! (hi − lo) + (2/α)(lo − y)·1{y < lo} + (2/α)(y − hi)·1{y > hi}.
double IntervalScore(double lo, double hi, double y, double alpha);
//! Ignorance −log₂ P(bin of y) on fixed bin edges (k edges make k + 1 bins, the outer ones open),
//! the probability being the draws' share with one pseudo-draw spread over the bins (so no bin
//! has probability 0).
double Ignorance(std::span<const double> draws, std::span<const double> edges, double y);
//! Average precision of probabilities p for binary outcomes (the area under the precision–recall
//! curve as scikit-learn's average_precision_score); NaN without a positive outcome.
double AveragePrecision(std::span<const double> p, std::span<const int> outcome);

//! The summary of one forecast's draws, as forecasts.csv gives it.
struct Summary {
  double mean = kNa, median = kNa, p05 = kNa, p25 = kNa, p75 = kNa, p95 = kNa;
};
//! Summarises draws (sorted in place; R type-7 quantiles).
Summary Summarise(std::span<double> draws);

// ==== backtest ==================================================================================

//! One model's scores at one horizon, averaged over every scored (unit, origin).
struct ScoreLine {
  Model model = Model::kNoChange;
  int horizon = 1;
  std::size_t n = 0;
  double crps = kNa, ignorance = kNa, mis90 = kNa, cover50 = kNa, cover90 = kNa;
  //! Where the cells have an event: the Brier score of P(event) (the share of draws in it), the
  //! average precision of P(event) over the cells, and how many cells had the event.
  double brier = kNa, aupr = kNa;
  std::size_t events = 0;
  //! Mean CRPS difference from each baseline (this − baseline; < 0 is better), its one-sided
  //! origin-block bootstrap p-value, by baseline in kModels order (NaN against itself).
  std::vector<double> diff, p_value;
};

//! The scores of many forecast cells of one quantity, by model, horizon and origin: every model
//! forecasts each cell, so their scores compare on the same cells. Scoreboards of disjoint cells
//! merge (one per thread).
class Scoreboard {
 public:
  //! An event of a cell: the value at or above `at` (`above`), or at or below it.
  struct Event {
    double at = 0;
    bool above = true;
    bool In(double v) const { return above ? v >= at : v <= at; }
  };
  Scoreboard(std::vector<Model> models, int horizons, std::vector<double> bins);
  //! One cell: each model's draws (models order; sorted in place) of the outcome y, h years after
  //! `origin`, and the cell's event if it has one.
  void Add(int origin, int h, std::span<std::vector<double>> draws, double y, std::optional<Event> event = {});
  void Merge(const Scoreboard& other);
  //! Per model and horizon, the mean scores and each model's CRPS difference from every other,
  //! with its origin-block bootstrap p-value (`bootstrap` resamples from `seed`).
  std::vector<ScoreLine> Lines(std::size_t bootstrap, std::uint64_t seed) const;
  const std::vector<Model>& models() const { return models_; }

 private:
  struct Sums {
    std::size_t n = 0;
    double crps = 0, ign = 0, mis90 = 0, cover50 = 0, cover90 = 0;
  };
  using ByOrigin = std::map<int, Sums>;
  std::vector<Model> models_;
  int horizons_;
  std::vector<double> bins_;
  std::vector<ByOrigin> sums_;  //!< [model · H + h − 1]
  std::vector<std::map<int, std::pair<double, std::size_t>>>
      diffs_;  //!< [(h − 1) · M² + a · M + b]: Σ crps_a − crps_b, n
  std::vector<std::vector<std::pair<double, int>>> events_;  //!< [model · H + h − 1]: (P(event), outcome)
};

struct BacktestConfig {
  int first_origin = 2010, last_origin = 2019;
  std::size_t draws = 1000;
  std::uint64_t seed = 1;
  std::size_t bootstrap = 2000;  //!< origin-block resamples of the score differences
  std::vector<double> bins;      //!< ignorance bin edges on the series' scale
  std::vector<Model> models;     //!< empty: every model that applies
  ModelSettings settings;
  std::optional<double> event_at;  //!< scores P(value ≥ event_at) as an event forecast
};

//! Rolling-origin backtest of one series: at each origin t only years ≤ t are used (fit and
//! history); every model forecasts every forecastable unit at horizons 1..max_horizon; a
//! forecast is scored where the outcome exists, on the cells every model forecast. Draws are
//! seeded by (seed, stream of unit, origin, horizon, model): results do not depend on threads.
std::vector<ScoreLine> Backtest(const SeriesPanel& p, const Context& ctx, const BacktestConfig& cfg);

//! The Rng stream of one forecast cell (stable across runs and threads); `chunk` numbers the
//! cell's draws in blocks, so that any block can be drawn again alone. series < 256.
std::uint64_t Stream(std::size_t unit, int origin, int horizon, Model m, std::uint64_t series = 0,
                     std::uint64_t chunk = 0);

// ==== early-warning rules (ACLED's surge and threshold rules; an anomaly z-score) ===============

//! What a rule found at one point of a series.
struct Finding {
  bool fires = false;
  double value = kNa;     //!< the series at the point
  double baseline = kNa;  //!< what it was compared with: the previous maximum, the trailing mean
  double score = kNa;     //!< value / baseline (surge), z (anomaly)
  std::size_t seen = 0;   //!< the earlier values the baseline was made of
};

//! Threshold: y[i] is above every value of the `window` points before it (at least one of them
//! present) and ≥ min — a level not seen in that many points. baseline: their maximum.
Finding Threshold(std::span<const double> y, std::size_t i, std::size_t window, double min);
//! Surge: y[i] ≥ factor × the mean of the `window` points before it (at least two present) and
//! ≥ min; factor 2 is ACLED's "+100 % against the trailing average". score: y[i] / mean.
Finding Surge(std::span<const double> y, std::size_t i, std::size_t window, double factor, double min);
//! Anomaly: z = (y[i] − m)/s ≥ z_min and y[i] ≥ min, with m and s the mean and sample sd of the
//! `window` points before it (at least three present); s is at least √max(m, 1), the Poisson
//! spread of a count, so that a flat baseline does not make every change an anomaly.
Finding Anomaly(std::span<const double> y, std::size_t i, std::size_t window, double z_min, double min);

//! How warnings did against what happened: precision = hits / warnings, recall = hits / events
//! (NaN without warnings or without events).
struct Skill {
  std::size_t warnings = 0, events = 0, hits = 0;
  double precision = kNa, recall = kNa;
};
Skill ScoreWarnings(std::span<const char> warned, std::span<const char> happened);

}  // namespace gpsi::forecast
