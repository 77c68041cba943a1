// gpsi method: the methodology file (TOML) — index metadata, framework tree, per-indicator
// choices and pipeline choices — validated into a Method, with `--set` overrides and a hash.
// The format is documented in docs/methodology-format.md.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core.hpp"
#include "model.hpp"

namespace gpsi::method {

//! pipeline.impute: none | mean | median | group-mean:<g> | group-median:<g> | locf:<k> | interpolate.
enum class Impute { kNone, kMean, kMedian, kGroupMean, kGroupMedian, kLocf, kInterpolate };
//! pipeline.normalise: minmax | zscore | rank | percentile | goalposts | frontier | band5.
enum class Normalise { kMinMax, kZScore, kRank, kPercentile, kGoalposts, kDistFrontier, kBand5 };
//! pipeline.aggregate: arithmetic | geometric | harmonic | median (weighted means / median).
enum class Aggregate { kArithmetic, kGeometric, kHarmonic, kMedian };
//! pipeline.weights: the node weights as written, equal siblings, or PCA loadings.
enum class Weights { kExplicit, kEqual, kPca };

//! Pipeline choices, in the value forms of ARCHITECTURE.md's `--set` keys.
struct Pipeline {
  bool denominate = true;                        //!< pipeline.denominate = on | off
  Impute impute = Impute::kNone;                 //!< pipeline.impute
  std::string impute_group;                      //!< the unit grouping of group-mean/-median
  int locf_years = 0;                            //!< locf:<k>
  double screen_share = 0;                       //!< pipeline.screen = na:<share>; 0 = none
  bool screen_before_impute = false;             //!< pipeline.screen_on = raw | imputed (COINr: imputed)
  int treat_winmax = -1;                         //!< pipeline.treat = jrc:<winmax>; −1 = none
  Normalise normalise = Normalise::kMinMax;      //!< pipeline.normalise
  double norm_p1 = 0, norm_p2 = 100;             //!< minmax l,u; zscore mean,sd; scale of goalposts
  Aggregate aggregate = Aggregate::kArithmetic;  //!< pipeline.aggregate
  double aggregate_min_share = 0;                //!< pipeline.aggregate_min_share (COINr dat_thresh)
  Weights weights = Weights::kExplicit;          //!< pipeline.weights = explicit | equal | pca
  int year_from = 0, year_to = 9999;             //!< pipeline.years = <from>:<to>
  bool by_year = false;                          //!< pipeline.panel = pooled | by-year
  int min_year_units = 1;                        //!< pipeline.min_units: a year with fewer scored units is skipped
  bool fallback = true;      //!< pipeline.fallback = on | off: read indicators' [[indicator.fallback]] series
  bool level_adjust = true;  //!< pipeline.level_adjust = on | off: apply the fallback series' `adjust` factors
};

//! pipeline.impute as the method file writes it: "mean", "group-mean:m49_region", "locf:4"…
std::string ImputeText(const Pipeline& p);

//! A further series an indicator reads for a unit-year that the series before it leave empty
//! ([[indicator.fallback]], docs/methodology-format.md): value = x / denominator · scale · adjust,
//! where x is the first code of `reads` with a record, or the sum of the `sum` codes (all needed).
//! The value is on the indicator's raw scale (before its own denominator and transform).
struct Series {
  std::vector<std::string> reads;  //!< stored codes, first with a record wins
  std::vector<std::string> sum;    //!< or: the sum of these stored codes
  std::string denominator;         //!< stored code to divide by (empty = none)
  double scale = 1;                //!< after division: 1e5 for per-100k
  double adjust = 1;               //!< level factor to the primary series (explicit; pipeline.level_adjust)
  std::string note;                //!< what the series is, for the provenance and the docs
  //! Every stored code the series reads (reads or sum, then the denominator).
  std::vector<std::string> Codes() const;
};

//! Which units are ranked ([eligibility], docs/methodology-format.md). Units that fail are still
//! scored and published, flagged `n` and without a rank, as the Global Peace Index publishes
//! states it does not rank.
struct Eligibility {
  std::string population;           //!< stored population code; empty = no population rule
  double min_population = 0;        //!< a unit-year below this population is not ranked
  int max_missing_dimensions = -1;  //!< more dimensions without a score: not ranked; −1 = no rule
  bool active() const { return max_missing_dimensions >= 0 || (!population.empty() && min_population > 0); }
};

//! A Global Terrorism Index–style impact score derived from event counts ([indicator] `gti`):
//! annual a = Σ_c w_c·x_c, weighted s(t) = Σ_k l_k·a(t − k) / lag_divisor, banded
//! top·ln(1 + s)/ln(1 + max), max per `banding`. docs/methodology-format.md, docs/terrorism.md.
struct Gti {
  //! How the reference maximum of the banding is chosen.
  enum class Banding { kPooled, kByYear, kFixed, kNone };
  std::vector<std::string> components;              //!< incidents, deaths, injuries, hostages (those read)
  std::vector<std::string> reads;                   //!< stored code of each component
  std::vector<double> weights;                      //!< weight of each component (IEP: 1, 3, 0.5, 0.5)
  std::vector<double> lag_weights{16, 8, 4, 2, 1};  //!< weights of t, t−1, …
  double lag_divisor = 5;                           //!< s = Σ l_k·a(t − k) / lag_divisor (IEP: 5 terms)
  Banding banding = Banding::kPooled;               //!< log (pooled) | log:by-year | log:<max> | none
  double band_max = 0;                              //!< the fixed maximum of log:<max>
  double top = 10;                                  //!< score of the maximum
  double step = 0;                                  //!< > 0: round down to multiples of step (bands)
};

//! One node of the framework tree. Indicators are level 1; an aggregate's level is one above its
//! highest child, so the index is the top level (COINr's convention).
struct Node {
  std::string code, name_en, name_zh, parent;
  double weight = 1;
  int level = 1;
  bool indicator = true;
  std::optional<Aggregate> aggregate;  //!< aggregates only: overrides pipeline.aggregate for this node
  // Indicators only:
  int direction = 1;               //!< +1 higher is better (more secure), −1 higher is worse
  std::vector<std::string> reads;  //!< stored indicator codes, in order of preference
  std::vector<std::string> sum;    //!< instead of reads: the value is the sum of these codes (all needed)
  std::vector<Series> fallback;    //!< series read, in order, where reads (or sum) has no value
  int carry = -1;                  //!< years a value may be carried forward (overrides locf:<k>); −1 = k
  std::string denominator;         //!< stored indicator to divide by (empty = none)
  double scale = 1;                //!< multiplier after division (1e5 for "per 100k")
  bool log = false;                //!< ln(1 + x) after denomination
  //! Goalposts [low, high] on the transformed raw scale (after denomination and log); the
  //! direction decides which end scores best (high for +1, low for −1).
  std::optional<double> goal_lo, goal_hi;
  std::optional<double> target;     //!< COINr's Target (kept, not used by the build)
  std::vector<double> lag_weights;  //!< weighted average over year t, t−1, … (GTI: 16, 8, 4, 2, 1)
  std::optional<double> fill;       //!< value of a unit-year without a record in a year the source covers
  std::string source_note;          //!< free text on the source (documentation only)
  std::optional<Gti> gti;           //!< derived GTI-style impact score instead of a stored value
  //! role = "monitor": read, imputed, normalised and ranked like any indicator, but outside the
  //! index: not a child in aggregation (Method::Children) and not counted by the screen.
  bool monitor = false;
  //! Every stored code the indicator can read: reads or sum, GTI components, fallback series and
  //! their denominators, and the indicator's own denominator.
  std::vector<std::string> Codes() const;
};

//! The uncertain inputs of a Monte Carlo analysis ([uncertainty]); an empty list keeps that
//! choice at its nominal value. Alternatives are in the pipeline value forms ("jrc:3",
//! "minmax:1:100", "geometric", "group-mean:m49_region").
struct Uncertainty {
  std::vector<std::pair<int, double>> weight_noise;  //!< (level, f): w·(1 + U(−f, f)), COINr get_noisy_weights
  std::vector<std::string> impute, treat, normalise, aggregate;
  bool exclude_one = false;  //!< also leave out one indicator at a time (or none)
  bool empty() const {
    return weight_noise.empty() && impute.empty() && treat.empty() && normalise.empty() && aggregate.empty() &&
           !exclude_one;
  }
};

//! Forecasts and warnings of the index ([forecast], docs/forecasting.md). They do not change the
//! index, so the canonical form (and the method hash) leaves them out.
struct Forecast {
  std::string model = "pooled";  //!< the forecast model gpsi forecast uses by default
  double deterioration = 5;      //!< a fall of the index score by at least this many points deteriorates
  int bottom = 20;               //!< P(rank in the bottom `bottom` of the ranked units)
  double count_event = 25;  //!< backtest event of a count series: a year with at least this many (UCDP's 25 deaths)
  //! forecast.worse = "lower" | "higher": which end of the index score is worse. A security index
  //! deteriorates when its score falls; a risk index (methods/risk.toml) when it rises.
  bool higher_worse = false;
  //! Whether the index score went from `base` to `later` by forecast.deterioration or more the worse way.
  bool Deteriorated(double base, double later) const {
    return higher_worse ? later >= base + deterioration : later <= base - deterioration;
  }
  //! The score at which a unit at `base` has deteriorated.
  double DeterioratedAt(double base) const { return higher_worse ? base + deterioration : base - deterioration; }
};

//! An early-warning rule ([[warn]], docs/forecasting.md); like [forecast], outside the hash.
struct WarnRule {
  std::string id;     //!< unique in the method
  std::string rule;   //!< threshold | surge | anomaly | forecast
  std::string reads;  //!< stored code (anomaly: the monthly base code, stored as <code>_mMM); none for forecast
  int window = 10;    //!< points before: years (threshold, surge) or months (anomaly)
  double factor = 2;  //!< surge: value ≥ factor × trailing mean
  double z = 3;       //!< anomaly: z ≥ this
  double min = 0;     //!< the value must reach this (no warning for 0 → 1)
  double p = 0.5;     //!< forecast: P(deterioration) ≥ p
  std::string severity = "medium";  //!< low | medium | high
};

//! A control of a project threat (ISO 31000 risk treatment): a measure a project may have in
//! place, and the levels it takes off the threat's likelihood or impact.
struct RiskControl {
  std::string id;              //!< 1–64 of [a-z0-9.-], unique in the method, e.g. "crime.guarded-compound"
  std::string en, zh;          //!< the checklist line
  bool lowers_impact = false;  //!< lowers the impact level; else the likelihood
  int steps = 1;               //!< levels taken off (1–4); a level never goes below 1
};

//! A threat of a project's threat register: its likelihood level is the class (1-based) of the
//! country's score on `node`, raised by the local overlay; its impact is `impact`, raised by one
//! level for a project with expatriate staff (`expatriate_up`) or with a route (`route_up`).
struct RiskThreat {
  std::string id;  //!< 1–64 of [a-z0-9-], unique in the method
  std::string name_en, name_zh;
  std::string node;              //!< the method node (indicator or dimension) read for the country
  std::vector<int> event_roots;  //!< CAMEO root codes of the local events counted (empty: none)
  int impact = 3;                //!< 1–5
  bool expatriate_up = false, route_up = false;
  std::vector<RiskControl> controls;
};

//! A risk model's reading of its scores ([risk], docs/risk.md): fixed classes, the trend and the
//! reliability index, how long a project sheet stays valid, the local overlay, the risk matrix
//! and the threat register. Like [forecast], outside the hash: it reads the scores and never
//! changes them.
struct RiskSpec {
  //! Lower bounds of classes 1 … n − 1, ascending (class 0 starts at the scale's minimum); empty:
  //! the method has no [risk] table. INFORM's: 2.0, 3.5, 5.0, 6.5 on 0–10.
  std::vector<double> class_lower;
  std::vector<std::string> class_en, class_zh;  //!< the n class names, lowest first
  int decimals = 1;                             //!< scores are rounded to this many decimals, then classed
  int trend_years = 3;                          //!< the trend's window, the assessed year included
  double trend_band = 0.1;                      //!< |slope| below this (points a year) is stable
  double max_age = 5;                           //!< reliability: values this many years old count as fully aged
  int validity_days = 180;                      //!< a project sheet is valid this long, then must be reviewed
  double radius_km = 50;                        //!< the local overlay's default radius around site and route
  int lookback_days = 365;                      //!< local events this many days before the assessment count
  double half_life_days = 90;                   //!< their recency weight 0.5^(age / half-life)
  //! Weighted local events from which a threat's likelihood rises by 1, 2, … levels (ascending).
  std::vector<double> local_levels{1, 5, 20};
  //! Lower bounds of the risk matrix's ratings above the first on likelihood × impact (1–25).
  std::vector<int> matrix_lower{5, 10, 17};
  std::vector<std::string> matrix_en{"Low", "Medium", "High", "Very high"}, matrix_zh{"低", "中", "高", "很高"};
  std::vector<RiskThreat> threats;  //!< the project threat register, in file order
  bool active() const { return !class_lower.empty(); }
  std::size_t classes() const { return class_lower.size() + 1; }
};

//! A validated methodology: metadata, pipeline and the framework tree.
struct Method {
  std::string id, name_en, name_zh, version;
  std::string coverage_rule;          //!< the stated rule for countries with too little data (text)
  std::string unit_kind = "country";  //!< which store units are scored
  Pipeline pipeline;
  Eligibility eligibility;
  Uncertainty uncertainty;
  Forecast forecast;
  std::vector<WarnRule> warn;
  RiskSpec risk;
  std::vector<Node> nodes;  //!< indicators first (file order), then aggregates by level
  //! The validated method after overrides as TOML: every key written out (defaults included),
  //! pipeline values in their `--set` forms, keys sorted, nodes in node order. Parsing it gives
  //! the same method and hash.
  std::string canonical;
  std::string hash;  //!< sha256 of `canonical` (lower-case hex)
  //! Index of the node with this code, or −1.
  int Find(const std::string& code) const;
  //! Indices of the children of node i, in node order.
  std::vector<int> Children(int i) const;  // scored children only: monitors are left out
  //! The highest level (the index's).
  int TopLevel() const;
  //! Index of the top node (the index), or −1 for an empty method.
  int Top() const;
};

//! Why `weights` (per node) cannot be used, naming the first aggregate whose scored parts' weights
//! do not add up to a finite number > 0, with that sum; nullopt when every one does. Such an
//! aggregate would be empty (all 0) or 0 everywhere (a sum that overflows), so the method and
//! what-if both refuse it with this message.
std::optional<std::string> BadWeightSum(const Method& m, std::span<const double> weights);

//! Sets one pipeline key (ARCHITECTURE.md value forms) on `p`; kBadMethod for a bad value.
Status ApplyPipelineValue(Pipeline& p, const std::string& key, const std::string& value);

//! Reads and validates a methodology file, applying `sets` ("key=value") first.
Result<Method> LoadMethod(const std::string& path, const std::vector<std::string>& sets);
//! The same from text (`origin` names it in messages).
Result<Method> ParseMethod(const std::string& text, const std::string& origin, const std::vector<std::string>& sets);

//! Builds a method from COINr's iMeta table (Level, iCode, Direction, Weight, Parent, Type; optional
//! iName, Denominator, Target, goalpost_lower + goalpost_upper), then applies `sets`. Rows of other
//! Types (Group, Denominator, Other) are skipped. Pipeline defaults for COINr input: denominate by
//! the iMeta Denominator (as COINr's Denominate on its example), no imputation, screening or
//! treatment, min-max [0, 100], arithmetic mean. A Level that disagrees with the tree is an error
//! at its line.
Result<Method> MethodFromCoinr(const TextTable& meta, const std::vector<std::string>& sets);

// ---- the validation plan (gpsi validate, docs/validation.md) -----------------------------------

//! Where a validator's or a group's values come from: a stored series (never an input of the
//! method) or a column of a CSV file in the validators folder.
struct ValueSource {
  std::string store;                                      //!< stored indicator code, or
  std::string file, unit = "iso3", year = "year", value;  //!< a CSV file's unit, year and value columns
  std::string group;                                      //!< or a unit grouping (unit_groups), with `values`
  std::vector<std::string> values;                        //!< the group's members' values
  std::optional<double> min, max;                         //!< for a series: members have min ≤ value ≤ max
};

//! An external measure the index is compared with (Spearman ρ per year, bootstrap interval).
struct External {
  std::string id, name_en, name_zh;
  ValueSource source;
  int year_lag = 0;   //!< the external's year N is compared with the index's year N − year_lag
  int direction = 1;  //!< +1 higher means more secure; −1 less (the sign is turned so that ρ > 0 is agreement)
  std::vector<std::string> nodes;  //!< nodes compared (default: the index)
};

//! Two groups of units, one expected to score lower on the index than the other, written down
//! before the results were seen.
struct KnownGroup {
  std::string id, name_en, name_zh, note_en, note_zh;
  ValueSource low, high;             //!< `low` is expected to score lower
  std::vector<std::string> without;  //!< also checked on the index with these indicators' weights 0
};

//! Why two indicators of one dimension correlate negatively.
struct Explanation {
  std::string a, b, text_en, text_zh;
};

//! A validation plan (methods/validation.toml).
struct ValidationPlan {
  std::string path;
  std::vector<External> externals;
  std::vector<KnownGroup> groups;
  std::vector<Explanation> explanations;
  //! The explanation of the pair (a, b) in either order, or nullptr.
  const Explanation* Explain(const std::string& a, const std::string& b) const;
};

//! Reads and checks a validation plan; errors carry file:line:column.
Result<ValidationPlan> LoadValidationPlan(const std::string& path);
Result<ValidationPlan> ParseValidationPlan(const std::string& text, const std::string& origin);

}  // namespace gpsi::method
