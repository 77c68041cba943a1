// gpsi evaluation: the overseas security excellent-practice evaluation's scoring (docs/evaluation.md).
// A campaign's rules (criteria with rubrics, scale, minimums, how many to select, tie-break order),
// the conflicts and the assignment of judges, and what the judges' score sheets give: rankings by
// four aggregations side by side (raw mean, median, judge-standardised, and a linear mixed model
// whose "fair average" removes judge severity and judge × criterion bias), the panel's reliability
// (ICC, Krippendorff's α, Spearman–Brown) and the selection's uncertainty (a bootstrap of the
// sheets). Pure: no store, no clock; the platform keeps the rows and the audit log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core.hpp"

namespace gpsi::evaluation {

// ---- Rules (fixed and hashed before scoring opens) ----

//! One anchored description of a criterion's scale: what a score of `score` means.
struct Anchor {
  double score = 0;
  std::string en, zh;
};

//! One criterion: its code, names, the lowest mean score an application may have on it and still
//! be selected, and its rubric (anchors in rising score order).
struct Criterion {
  std::string code, en, zh;
  double minimum = 0;
  std::vector<Anchor> rubric;
};

//! A campaign's fixed rules (Horizon Europe's practice: every criterion on one scale, a minimum per
//! criterion and a minimum total, at least three judges per application, a tie-break order set in
//! advance).
struct Rules {
  std::string title_en, title_zh;
  std::vector<Criterion> criteria;
  double scale_min = 0, scale_max = 5, step = 0.5;
  double min_total = 0;                                //!< lowest total (sum over criteria) that may be selected
  int select = 1;                                      //!< how many applications are selected
  int judges_per_application = 3;                      //!< at least 3
  bool conflict_same_org = true;                       //!< a judge never scores an application of their organisation
  bool conflict_same_country = false;                  //!< nor, when set, one from their country
  std::vector<std::string> tie_break;                  //!< criterion codes: equal totals are ordered by these, in turn
  int bootstrap = 1000;                                //!< replicates of the selection's bootstrap
  std::uint64_t seed = 20261206;                       //!< of the assignment and the bootstrap
  double borderline_low = 0.1, borderline_high = 0.9;  //!< P(selected) between them is borderline
};

//! The rules of a campaign file (TOML, docs/evaluation.md), checked: criteria with distinct codes
//! and rubrics on the scale, minimums on it, 1 ≤ select, 3 ≤ judges per application, tie-break
//! codes among the criteria. Errors name `origin` and the key.
Result<Rules> ParseRules(std::string_view toml, const std::string& origin);
//! The rules as canonical JSON (keys sorted, numbers in shortest round-trip form): what is hashed.
std::string RulesJson(const Rules& rules);
//! SHA-256 of RulesJson: the campaign's fingerprint, fixed when scoring opens.
std::string RulesHash(const Rules& rules);
//! Whether `scores` is a sheet under `rules`: one score per criterion, each on the scale and a
//! multiple of the step from its minimum; else a usage error naming the criterion.
Status CheckScores(const Rules& rules, const std::vector<double>& scores);

// ---- Applications, judges, conflicts, assignment ----

struct Application {
  std::string code, org, country, project;  //!< country: ISO3
  std::vector<std::string> documents;
};

struct Judge {
  std::string login, org, country;
  std::vector<std::string> declared;  //!< codes of the applications the judge declared a conflict with
  std::string account_org;  //!< the organisation of the judge's platform account: a same-organisation conflict too
};

enum class ConflictKind { kDeclared, kSameOrg, kSameCountry };
std::string_view ToString(ConflictKind kind);

//! A pair that must never meet: judge `judge` may not score application `application`.
struct Conflict {
  std::size_t application = 0, judge = 0;
  ConflictKind kind = ConflictKind::kDeclared;
};

//! Every conflict under `rules`: each judge's declarations, and the automatic ones (same
//! organisation; same country when the rules say so), by application then judge. An unknown code
//! in a declaration is a usage error.
Result<std::vector<Conflict>> Conflicts(const Rules& rules, const std::vector<Application>& apps,
                                        const std::vector<Judge>& judges);

//! Which judges score which application: per application, its judges' indices, ascending.
struct Assignment {
  std::vector<std::vector<std::size_t>> judges;
};

//! An assignment of rules.judges_per_application judges to each application, none in conflict,
//! with loads as even as the conflicts allow and a connected design (every application and judge
//! linked through shared judges, which the mixed model needs to put all judges' severities on one
//! scale). Greedy: the most constrained application first, each taking its least-loaded free
//! judges, preferring judges who have met its others least; seeded by rules.seed. Should the design
//! come out split, an application of one part takes one more judge from another part. A
//! kBadCampaign error says why it cannot be done: an application with too few judges free of
//! conflict, or parts no free pair can join.
Result<Assignment> Assign(const Rules& rules, std::size_t applications, std::size_t judges,
                          const std::vector<Conflict>& conflicts);
//! Whether `a` is a valid design: each application has ≥ rules.judges_per_application distinct
//! judges, no conflicted pair, and the application–judge graph is connected.
Status CheckAssignment(const Rules& rules, std::size_t judges, const std::vector<Conflict>& conflicts,
                       const Assignment& a);
//! The number of connected parts of the application–judge graph of `a` (1: connected); judges
//! without an application are not part of the design.
std::size_t DesignParts(std::size_t judges, const Assignment& a);

//! A sealed score sheet: judge `judge`'s scores of application `application`, one per criterion in
//! the rules' order.
struct Sheet {
  std::size_t application = 0, judge = 0;
  std::vector<double> scores;
};

// ---- Linear mixed model (REML, as lme4::lmer) ----

//! A grouping factor: the level (0-based) of each observation, and how many levels there are.
struct Factor {
  std::string name;
  std::vector<int> level;
  int levels = 0;
};

//! y = Xβ + Σ_k Z_k b_k + ε, with one random intercept per factor k (lme4's `(1 | k)`),
//! b_k ~ N(0, σ_k² I), ε ~ N(0, σ² I).
struct MixedData {
  std::vector<double> y;
  std::vector<std::vector<double>> x;  //!< fixed-effect columns, each y.size() long
  std::vector<Factor> factors;
};

//! A REML fit: the estimates lme4 reports (fixef, VarCorr, sigma², ranef, REMLcrit).
struct MixedFit {
  std::vector<double> beta;                  //!< fixed effects, in the order of the columns
  std::vector<double> variances;             //!< σ_k², per factor
  double sigma2 = 0;                         //!< residual variance
  std::vector<std::vector<double>> effects;  //!< conditional modes (BLUPs), per factor and level
  std::vector<double> theta;                 //!< σ_k / σ: the relative covariance factor's parameters
  double reml = 0;                           //!< REML criterion (−2 × restricted log-likelihood)
  int evaluations = 0;                       //!< of the criterion by the optimiser
};

//! Fits `data` by REML as lme4::lmer does (Bates, Mächler, Bolker & Walker 2015, J. Stat. Softw.
//! 67(1), §3: the profiled REML criterion of θ from a sparse Cholesky factor of Λ'Z'ZΛ + I),
//! minimised over θ ≥ 0 by BOBYQA (NLopt, the optimiser of lmer's default "nloptwrap") to a tight
//! tolerance. A usage error for empty or mismatched input or a rank-deficient X.
Result<MixedFit> FitMixed(const MixedData& data);

// ---- Reliability ----

//! One intraclass correlation as psych::ICC reports it: its form (ICC1, ICC2, ICC3, ICC1k, ICC2k,
//! ICC3k; Shrout & Fleiss 1979, McGraw & Wong 1996), value, F test and 1 − alpha interval.
struct IccValue {
  std::string form;
  double icc = 0, f = 0, df1 = 0, df2 = 0, p = 0, lower = 0, upper = 0;
};

//! psych::ICC of a subjects × judges table (rows of equal length, kNa where a judge did not score):
//! the variance components of `values ~ 1 + (1 | subject) + (1 | judge)` by REML (psych's
//! lmer = TRUE, which also serves incomplete designs), the mean squares built from them, and the
//! six forms with their F-based intervals.
struct IccTable {
  std::vector<IccValue> forms;
  double var_subjects = 0, var_judges = 0, var_residual = 0;
  std::size_t subjects = 0, judges = 0;
};
//! psych::ICC(x, alpha) (Revelle, psych 2.2.9). A usage error for fewer than 2 subjects or judges.
Result<IccTable> Icc(const std::vector<std::vector<double>>& x, double alpha = 0.05);

//! Krippendorff's α with the interval metric (Krippendorff 2011, "Computing Krippendorff's
//! alpha-reliability"): α = 1 − D_o / D_e over the units (rows) with two or more values, kNa
//! missing. kNa when fewer than two such units or no variation.
double KrippendorffAlpha(const std::vector<std::vector<double>>& x);

//! Spearman–Brown: the reliability of the mean of `k` judges given one judge's `r`:
//! k r / (1 + (k − 1) r).
double SpearmanBrown(double r, double k);
//! How many judges the mean needs to reach `target` given one judge's `r`:
//! target (1 − r) / (r (1 − target)); kNa for r ≤ 0.
double JudgesFor(double r, double target);

// ---- Results ----

//! The aggregations shown side by side.
enum class Method { kMean, kMedian, kStandardised, kModel };
std::string_view ToString(Method m);

//! One application under one aggregation: its score per criterion and total, whether it passes
//! the minimums, its rank (1 best; the tie-break order decides between equal totals) and whether
//! the fixed rules select it.
struct Standing {
  std::vector<double> criteria;
  double total = 0;
  bool eligible = false;
  int rank = 0;
  bool selected = false;
};

//! One aggregation's standings, per application.
struct Ranking {
  Method method = Method::kMean;
  std::vector<Standing> standings;
};

//! A judge's estimated severity (the model's judge effect on the criterion scale: negative is
//! harsher than the panel) and bias per criterion (judge × criterion effect), with the sheets
//! they scored and the mean score they gave.
struct JudgeEffect {
  double severity = 0;
  std::vector<double> bias;
  std::size_t sheets = 0;
  double mean_given = 0;
};

//! The reliability of the panel, on the applications' totals per sheet.
struct Reliability {
  IccTable icc;
  double alpha = kNa;                                 //!< Krippendorff's α (interval)
  double judges_per_application = 0;                  //!< the mean number of sheets per application
  double panel = kNa;                                 //!< ICC2 raised to that many judges (Spearman–Brown)
  double judges_for_075 = kNa, judges_for_090 = kNa;  //!< JudgesFor(ICC2, 0.75 and 0.9)
};

//! The bootstrap of the selection: per application, the share of replicates in which the model's
//! fair average selects it, and whether that share is borderline.
struct SelectionOdds {
  std::vector<double> probability;
  std::vector<bool> borderline;
  int replicates = 0;
};

struct Results {
  std::vector<Ranking> rankings;  //!< kMean, kMedian, kStandardised, kModel: the last one recommended
  MixedFit model;
  std::vector<JudgeEffect> judges;
  Reliability reliability;
  SelectionOdds odds;
};

//! The standings of applications whose per-criterion scores are `criteria` (per application, kNa
//! when unscored) under `rules`: eligible when every criterion reaches its minimum and the total
//! rules.min_total; ranked by total, then the tie-break criteria in turn, then code; the first
//! rules.select eligible ones selected.
std::vector<Standing> Rank(const Rules& rules, const std::vector<Application>& apps,
                           const std::vector<std::vector<double>>& criteria);

//! The model's fair averages per application and criterion: β_c + b_app + b_app:crit, the score
//! an average judge would give (Linacre's "fair average" for this linear model), from a fit of
//! `score ~ 0 + criterion + (1|application) + (1|application:criterion) + (1|judge) +
//! (1|judge:criterion)` to `sheets`; a factor the sheets cannot identify (one observed level, or
//! a level per observation, as in a bootstrap replicate of a small campaign) is left out, its
//! variance and effects 0. `fit` receives the fit.
Result<std::vector<std::vector<double>>> FairAverages(const Rules& rules, std::size_t applications, std::size_t judges,
                                                      const std::vector<Sheet>& sheets, MixedFit* fit);

//! Everything a campaign's sheets give under its rules (see Results). The bootstrap resamples,
//! per application, its sheets with replacement (rules.bootstrap replicates, seeded by
//! rules.seed and the replicate number), refits the model and applies the rules; `threads`
//! workers share the replicates and the result does not depend on their number.
Result<Results> Evaluate(const Rules& rules, const std::vector<Application>& apps, std::size_t judges,
                         const std::vector<Sheet>& sheets, unsigned threads = 1);

// ---- Synthetic campaigns (tests, benchmarks and the demo) ----

//! The truth a synthetic campaign is drawn from, on the criterion scale.
struct SynthConfig {
  std::size_t applications = 52, organisations = 39, judges = 12;
  double criterion_mean = 3.0;  //!< every criterion's mean score
  double sd_quality = 0.6;      //!< of the applications' overall quality
  double sd_profile = 0.25;     //!< of an application's strength on one criterion
  double sd_severity = 0.4;     //!< of the judges' severity
  double sd_bias = 0.2;         //!< of a judge's bias on one criterion
  double sd_noise = 0.35;       //!< of one score
  std::size_t declared = 6;     //!< conflicts the judges declare, beyond the automatic ones
  std::uint64_t seed = 1;
};

//! A synthetic campaign and the truth behind it.
struct Synthetic {
  SynthConfig config;
  std::vector<Application> apps;
  std::vector<Judge> judges;
  std::vector<double> quality;               //!< per application: its overall quality
  std::vector<std::vector<double>> profile;  //!< per application and criterion
  std::vector<double> severity;              //!< per judge
  std::vector<std::vector<double>> bias;     //!< per judge and criterion
  Assignment assignment;
  std::vector<Sheet> sheets;
};

//! Draws a campaign the size `cfg` names under `rules`: applications from `organisations`
//! organisations in a dozen countries, judges from other organisations (a few sharing an
//! applicant's organisation or country, so automatic conflicts arise), declared conflicts, the
//! assignment (Assign) and one sheet per assigned pair: each score the criterion mean plus the
//! application's quality and profile, the judge's severity and bias, and noise, rounded to the
//! step and kept on the scale.
Result<Synthetic> Synthesize(const Rules& rules, const SynthConfig& cfg);
//! The true score of application `a` on criterion `c`: criterion mean + quality + profile.
double TrueScore(const Synthetic& campaign, std::size_t a, std::size_t c);
//! New sheets for the same applications, truth and assignment from an independent panel: new
//! severities, biases and noise drawn with `seed` (the NeurIPS 2014 experiment's second committee).
std::vector<Sheet> Rescore(const Rules& rules, const Synthetic& campaign, std::uint64_t seed);

}  // namespace gpsi::evaluation
