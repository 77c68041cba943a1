// gpsi engine: the façade every front end (CLI, HTTP server, tests) calls. Each operation is
// one function over a config struct.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "core.hpp"
#include "model.hpp"

namespace gpsi::method {
struct RiskSpec;  // the engine's own: front ends pass it along without reading it
}  // namespace gpsi::method

namespace gpsi::engine {

namespace detail {
struct Built;
}  // namespace detail

//! Where gpsi's own shipped data lives (descriptors, reference lists): $GPSI_HOME/data, else the
//! source tree's data/.
std::string ProjectDataDir();
//! Where the shipped methodology files live: $GPSI_HOME/methods, else the source tree's methods/.
std::string ShippedMethodsDir();
//! The shared data folder: $GPSI_DATA, else ../shared/data beside the source tree, else "".
std::string SharedDataDir();

//! The store's units (ordered by code), indicators and source releases: `gpsi units`,
//! `gpsi indicators`, `gpsi sources`.
Result<std::vector<Unit>> Units(const std::string& db_path);
Result<std::vector<Indicator>> Indicators(const std::string& db_path);
Result<std::vector<SourceRecord>> Sources(const std::string& db_path);

struct InitConfig {
  std::string db_path;
  std::string reference_dir;  //!< data folder with reference_*; empty = SharedDataDir()
  //! Without a local UNSD_m49.csv, fetch the regions from the UN SDG API's GeoArea tree (the
  //! `unsd-m49` adapter of `gpsi update`, with these options); a failed fetch is reported, not fatal.
  bool fetch_regions = false;
  UpdateOptions regions;
};
//! What `gpsi init` did: the reference loaded and, when fetched, where the M49 regions came from.
struct InitReport {
  ReferenceReport reference;
  std::optional<UpdateReport> regions;  //!< the unsd-m49 fetch, when one was made
};
//! Creates or migrates the store and loads the country reference.
Result<InitReport> Init(const InitConfig& cfg);

//! gpsi migrate --to: a copy of a whole store into a new, empty one, on the other backend as a rule
//! (an SQLite file into a PostgreSQL database).
struct MigrateConfig {
  std::string from;  //!< the store copied (a file or a URI); opened read-only
  std::string to;    //!< the new store; migrated to this gpsi's schema first, then it must hold no rows
};
//! One table copied, with the row count and checksum that both stores gave for it.
struct MigratedTable {
  std::string table;
  std::int64_t rows = 0;
  std::string sha256;  //!< over the rows in key order, each value in canonical text (store.hpp)
};
struct MigrateReport {
  std::string from, to;  //!< the two stores as they may be shown (a URI's password hidden)
  std::vector<MigratedTable> tables;
  std::string blob_dir;    //!< where the copy's raw bytes are
  std::int64_t blobs = 0;  //!< raw files copied there
  std::int64_t blob_bytes = 0;
};
//! Copies every row (verified table by table, in one transaction of the new store) and then the
//! raw bytes, which stay files in the new store's blob folder (docs/store.md says why).
Result<MigrateReport> MigrateStore(const MigrateConfig& cfg);

struct IngestConfig {
  std::string db_path;
  std::vector<std::string> paths;
  std::string descriptor;      //!< force this descriptor for every file
  std::string descriptor_dir;  //!< empty = ProjectDataDir()/descriptors
  bool strict = false;
};
//! Ingests files and folders (walked recursively; each file matched to a descriptor).
Result<std::vector<FileReport>> Ingest(const IngestConfig& cfg);

struct EventsConfig {
  std::string db_path;
  std::vector<std::string> paths;
  std::string period = "year";  //!< year | month
  std::string out;              //!< also write `unit,period,indicator,value` CSV here
};
//! Aggregates GDELT 2.0 event exports into the store (see IngestEvents, docs/events.md).
Result<EventsReport> Events(const EventsConfig& cfg);

struct UpdateConfig {
  std::string db_path;
  UpdateOptions options;  //!< descriptor_dir empty = ProjectDataDir()/descriptors
};
//! Fetches the official endpoints (or reads --from copies) and ingests each source as a new vintage.
Result<std::vector<UpdateReport>> Update(const UpdateConfig& cfg);

//! csv: `unit,year,indicator,value,source,tier`; sdmx-csv: SDMX-CSV 2.0 of dataflow kSdmxDataflow
//! (docs/platform.md, "Exports"), which `gpsi ingest` and a member's upload read back.
enum class ExportFormat { kCsv, kSdmxCsv };
//! The SDMX dataflow of gpsi's published data: dimensions REF_AREA, INDICATOR, TIME_PERIOD.
inline constexpr std::string_view kSdmxDataflow = "GPSCF:GPSI_DATA(1.0)";

struct ExportConfig {
  std::string db_path;
  std::vector<std::string> indicators;
  int year_from = 0, year_to = 9999;
  bool all_sources = false;
  ExportFormat format = ExportFormat::kCsv;
};
//! The published values (resolved, or every visible observation) in `cfg.format`; a member's
//! unpublished or embargoed values are never among them.
Status Export(const ExportConfig& cfg, std::ostream& out);

//! A file a source release was read from: its name (never its path on this machine), size,
//! SHA-256 and when it was ingested.
struct CatalogueFile {
  std::string name, sha256, ingested_at;
  std::int64_t bytes = 0;
};
//! One published source release, with the files its values were read from.
struct CatalogueEntry {
  SourceRecord source;
  std::vector<CatalogueFile> files;
};
//! Every published source release, in source-priority order: what `gpsi catalogue` lists as DCAT.
Result<std::vector<CatalogueEntry>> Catalogue(const std::string& db_path);

//! The resolved series of one unit with provenance; `all_sources`: every visible source's value of
//! each cell, the one the index uses first (so a member's value is listed beside the UN's).
Result<std::vector<ResolvedValue>> Show(const std::string& db_path, const std::string& unit,
                                        const std::vector<std::string>& indicators, bool all_sources = false);

struct Disagreement {
  ResolvedValue chosen, other;
  double relative = 0;  //!< |other − chosen| / |chosen|
};
struct ResolveConfig {
  std::string db_path;
  double threshold = 0.10;
};
//! Cells where another source differs from the resolved value by more than the threshold.
Result<std::vector<Disagreement>> Disagreements(const ResolveConfig& cfg);
//! Writes disagreements as CSV.
void WriteDisagreements(const std::vector<Disagreement>& rows, std::ostream& out);

struct BuildConfig {
  std::string db_path;                 //!< the store (method mode); runs are recorded there
  std::string method_path;             //!< a methodology file, or
  std::string coinr_data, coinr_meta;  //!< COINr's iData / iMeta tables (no store)
  std::string coinr_label;             //!< the COINr data's name in provenance and run.json; "" = coinr:<coinr_data>
  std::vector<std::string> sets;       //!< `key=value` overrides
  std::string out_dir;                 //!< where scores.csv, stages.csv, run.json, build.log go; empty = nowhere
};

//! Whether a unit-year is ranked, and why not ([eligibility]; eligibility.csv).
struct RowStatus {
  double population = kNa;         //!< eligibility.population for the unit-year
  int dimensions_missing = 0;      //!< children of the index without a score
  double data_share = 0;           //!< scored indicators with a value (after imputation) / all
  double imputed_share = 0;        //!< of those values, the share imputed
  std::size_t fallback_cells = 0;  //!< values taken from a fallback series
  bool excluded = false;           //!< screened out (flag x): not scored
  bool ranked = false;
  //! Why not ranked (the first rule that fails, in this order).
  enum class Reason { kNone, kScreenedOut, kPopulation, kDimensions } why = Reason::kNone;
  std::string reason;  //!< the same in words: screened out, population below …, n dimensions missing
};

//! The unit-years where an indicator's own series and one of its fallbacks both have a value: the
//! agreement behind a level adjustment (fallbacks.csv of gpsi validate, docs/data-sources.md).
struct FallbackOverlap {
  std::string indicator;
  int series = 1;  //!< which fallback (1 = the first)
  std::string note;
  double adjust = 1;  //!< the series' level factor as written in the method
  std::vector<std::string> unit;
  std::vector<int> year;
  std::vector<double> primary, fallback;  //!< on the indicator's raw scale; fallback before `adjust`
};

//! A fallback series of an indicator, as the method file gives it.
struct FrameworkFallback {
  std::vector<std::string> reads;  //!< the codes read (or summed)
  bool sum = false;
  std::string denominator;
  double adjust = 1;  //!< the level factor
  std::string note;
};

//! A node of the method's framework as front ends show it. Indicators come first, the index last,
//! as the ScoreTable's columns.
struct FrameworkNode {
  std::string code, name_en, name_zh, parent;
  int level = 1;
  bool indicator = true, monitor = false;
  int direction = 1;               //!< indicators: +1 higher is better, −1 higher is worse
  double weight = 1;               //!< as the build used it (explicit, equal or PCA-derived)
  std::vector<std::string> reads;  //!< indicators: the codes its value is read from (GTI components, sum terms, reads)
  bool sum = false;
  std::vector<FrameworkFallback> fallback;
  std::string denominator, source_note;
  std::vector<std::string> codes;     //!< every stored code the indicator can read (denominators and fallbacks too)
  std::vector<std::size_t> children;  //!< scored children (monitors left out), by node position
};

//! What an indicator reads, as one text: "a, b" (or "a + b" for a sum), then "/ denominator".
std::string ReadsText(const FrameworkNode& n);

//! The method of a build, as front ends show it.
struct MethodInfo {
  std::string id, version, hash, name_en, name_zh, coverage_rule;
  std::vector<FrameworkNode> nodes;
  std::vector<std::size_t> indicators;  //!< the node of each Panel column
  //! [pipeline] as the canonical method text writes it: (key, value), keys sorted, values in the
  //! method file's forms (`locf:4`, `goalposts:100`).
  std::vector<std::pair<std::string, std::string>> pipeline;
  struct Eligibility {
    bool active = false;
    std::string population;
    double min_population = 0;
    int max_missing_dimensions = -1;
  } eligibility;
  std::size_t top() const { return nodes.size() - 1; }  //!< the index
};

//! What a build read and computed: the method as used, the Panel (every indicator value at every
//! stage, with its provenance), the ScoreTable (every node's scores, ranks and flags) and each
//! row's eligibility.
struct BuildResult {
  MethodInfo method;
  Panel panel;
  ScoreTable scores;
  std::vector<RowStatus> status;  //!< per panel row: eligibility to be ranked (all ranked without [eligibility])
  std::vector<std::string> log;   //!< the readable log of every decision
  std::string data_hash;          //!< sha256 of every input cell (unit, year, column, value, source)
  std::string run_id;
  std::size_t imputed_cells = 0, treated_points = 0;
  double compute_seconds = 0;  //!< denominate through rank
  //! The pipeline's own state (the method, the matrices the kernels ran on), for WhatIf.
  std::shared_ptr<const detail::Built> built;
};

//! Builds the index: reads the panel (store or COINr tables), runs denominate → impute → screen →
//! treat → normalise → aggregate → eligibility → rank, writes the output files (scores.csv,
//! stages.csv, provenance.csv, records.csv, eligibility.csv, coverage.csv, run.json, build.log) and
//! records the run.
Result<BuildResult> Build(const BuildConfig& cfg);

//! The tables Build writes, one definition for every front end (CLI files through model's Csv,
//! the API's downloads, Python): scores.csv (`year,unit,code,level,value,rank,flags`), stages.csv
//! (`year,unit,code,stage,value`), provenance.csv
//! (`year,unit,code,series,read,source,how,data_year,file_sha256,line,imputed_by`), records.csv
//! (`year,unit,code,read,data_year,source,file_sha256,line`: every stored record each value was
//! made from), eligibility.csv and coverage.csv. Numbers are the build's doubles (shortest
//! round-trip text in CSV, so a reader gets them exactly). Each goes to a sink (a CsvWriter, or a
//! Table for XLSX); the cells refer to the result's text (TableCell::Ref): use them while `b` lives.
void ScoresTable(const BuildResult& b, TableSink& out);
void StagesTable(const BuildResult& b, TableSink& out);
void ProvenanceTable(const BuildResult& b, TableSink& out);
void RecordsTable(const BuildResult& b, TableSink& out);
void EligibilityTable(const BuildResult& b, TableSink& out);
void CoverageTable(const BuildResult& b, TableSink& out);
//! One of those tables as CSV text: CsvOf(ScoresTable, b) is scores.csv.
std::string CsvOf(void (*table)(const BuildResult&, TableSink&), const BuildResult& b);

//! An indicator's value for a build row on the scale its readers know: after the per-capita
//! transform and before the logarithm of a log transform (a homicide rate, not its logarithm),
//! carried values included. A value read and not transformed is returned exactly as read.
double DisplayValue(const BuildResult& b, std::size_t row, std::size_t indicator_col);

//! One year of coverage.csv: how many units are listed, scored and ranked, and the share of the
//! population of all listed units that the ranked ones hold.
struct YearCoverage {
  int year = 0;
  std::size_t units = 0, scored = 0, ranked = 0;
  std::size_t below_population = 0, missing_dimensions = 0;  //!< scored but not ranked, by reason
  double population_ranked = 0, population_all = 0;          //!< eligibility.population summed
  double mean_imputed_share = 0;                             //!< over the ranked units
};
//! Coverage of each year of a build (coverage.csv).
std::vector<YearCoverage> Coverage(const BuildResult& b);

struct AuditConfig {
  BuildConfig build;         //!< the index to audit; its out_dir is ignored (nothing of the build is written)
  double p_threshold = 1.0;  //!< blank r where p > threshold (COINr get_corr pval); 1 (or 0, as COINr) = none
  int year = 0;              //!< the year to audit; 0 = the latest (single-period data: must be 0)
  std::string out_dir;       //!< where the CSV tables and summary.txt go (docs/audit.md)
};

//! What an audit found, besides its files.
struct AuditResult {
  int year = 0;                    //!< the year audited (0 for single-period data)
  std::size_t units = 0;           //!< rows audited: the year's units not screened out
  std::size_t flags = 0;           //!< rows of flags.csv
  std::vector<std::string> files;  //!< written, in order
  std::string summary;             //!< the text of summary.txt
};

//! Builds the index and writes its coherence analysis for one year: Pearson and Spearman
//! correlations per level with p-values (COINr get_corr), with parent and index, Cronbach's alpha
//! (get_cronbach) and PCA with weights (get_PCA) per aggregate, flags and a readable summary.
Result<AuditResult> Audit(const AuditConfig& cfg);

//! Every recorded build of the store.
Result<std::vector<RunRecord>> Runs(const std::string& db_path);
//! A recorded build as (field, value) pairs in their published order and names, shared by
//! `gpsi runs --json` and /api/v1/runs: run_id, created, method, method_hash, data_hash,
//! engine_version, out, scores_sha256.
std::vector<std::pair<std::string, std::string>> RunFields(const RunRecord& r);

struct UncertaintyConfig {
  BuildConfig build;           //!< the nominal index (method or COINr tables, with --set)
  std::size_t samples = 1000;  //!< Monte Carlo runs (ignored with a design)
  std::uint64_t seed = 1;
  int threads = 0;          //!< 0 = one per core
  bool keep_runs = false;   //!< write runs.csv
  std::string design;       //!< replay COINr's design.csv run by run
  std::string weight_sets;  //!< COINr's noisy_weights.csv for the design's weight_set column
  std::string out_dir;
  bool progress = false;  //!< progress bar on stderr
};

//! A unit's index rank with its Monte Carlo interval (for printing).
struct RankInterval {
  std::string unit, name;
  int year = 0, nominal = 0;
  double median = 0, p05 = 0, p95 = 0;
};

struct UncertaintySummary {
  std::size_t runs = 0, failed = 0;
  double seconds = 0;  //!< the Monte Carlo alone
  std::size_t rows = 0, nodes = 0;
  int ranks = 1;                     //!< MPI processes that shared the runs
  bool primary = true;               //!< this process wrote the files (MPI rank 0, or no MPI)
  std::vector<RankInterval> latest;  //!< the index ranks of the latest year, best first
};

//! Monte Carlo uncertainty analysis: samples the method's [uncertainty] inputs (or replays a
//! design), re-runs treat → normalise → aggregate → rank, and writes rank_stats.csv
//! (`year,unit,code,nominal,mean,median,p05,p95`), score_stats.csv, design.csv, runs.csv
//! (--keep-runs) and uncertainty.json. Runs are seeded by (seed, run): results do not depend on
//! threads or MPI ranks.
Result<UncertaintySummary> Uncertainty(const UncertaintyConfig& cfg);

struct SensitivityConfig {
  BuildConfig build;           //!< the nominal index (method or COINr tables, with --set)
  std::size_t samples = 1000;  //!< N: the Saltelli design runs N·(k+2) times
  std::uint64_t seed = 1;
  int threads = 0;                   //!< 0 = one per core
  std::size_t bootstrap = 1000;      //!< resamples for the intervals of the mean absolute rank shift
  std::size_t unit_bootstrap = 200;  //!< resamples for the intervals of each unit's rank (0 = none)
  std::string out_dir;
  bool progress = false;
};

struct SensitivitySummary {
  std::size_t runs = 0, failed = 0, inputs = 0;
  double seconds = 0;
  bool primary = true;
  std::vector<std::string> input_names;
  std::vector<SobolIndex> shift;  //!< per input, on the mean absolute rank shift
};

//! Sobol sensitivity analysis (Saltelli design; Saltelli 2010 first-order, Jansen total-effect
//! estimators): each input of the method's [uncertainty] table (a weight-noise level, the list of
//! imputations, treatments, normalisations, aggregations, leaving one indicator out) on the mean
//! absolute rank shift of the index and on each latest-year unit's index rank. Writes
//! sensitivity.csv, sensitivity.txt and sensitivity.json.
Result<SensitivitySummary> Sensitivity(const SensitivityConfig& cfg);

// ---- gpsi forecast: indicator projections and their backtest (src/engine/forecast.cpp) ----

struct ForecastConfig {
  BuildConfig build;  //!< the method (a store build); out_dir unused
  int horizon = 3;    //!< years past the method's last year
  std::size_t draws = 1000;
  std::uint64_t seed = 1;
  std::string model;        //!< no-change, drift, own-bootstrap, …, ensemble; empty: the method's forecast.model
  int history_from = 1995;  //!< the first year read (the models look back 10 years from an origin)
  bool backtest = false;
  int first_origin = 2010, last_origin = 2019;
  std::size_t seeds = 1;  //!< backtest: seeds 1..n of the draws, for the seed-to-seed spread
  int threads = 0;        //!< 0: one per core
  std::string out_dir;    //!< forecasts: "" writes no file (the rows are in the summary); a backtest needs one
};

//! One code's forecast for a unit and year, over the draws that have a value: a row of forecasts.csv.
struct ForecastRow {
  std::string unit, code;  //!< code: an indicator (display scale), an aggregate node, or `<code>.count`
  int year = 0;
  double mean = kNa, median = kNa, p05 = kNa, p25 = kNa, p75 = kNa, p95 = kNa;
};

//! A unit's index outlook for a forecast year, over the draws in which it is ranked: a row of outlook.csv.
struct OutlookRow {
  std::string unit;
  int year = 0;
  double last_score = kNa;  //!< the index score of the last data year
  int last_rank = 0;        //!< 0 = unranked
  //! P(score ≤ last_score − forecast.deterioration), P(rank among the last forecast.bottom ranked)
  double p_deterioration = kNa, p_bottom = kNa;
  double rank_median = kNa, rank_p05 = kNa, rank_p95 = kNa;
};

//! One scoreboard headline: how a model did against a baseline at one horizon, for an aggregate
//! (`code` its code; `series` 1) or over the indicators (`code` "indicators").
struct ForecastHeadline {
  std::string code, model, baseline;
  int horizon = 1;
  std::size_t series = 0, better = 0, significant = 0;  //!< lower mean CRPS; and with bootstrap p < 0.05
  double cover90 = 0;                                   //!< mean over the series
};

struct ForecastSummary {
  std::string model;                       //!< the model used (forecasts) or headlined (backtest)
  double deterioration = 0;                //!< the method's forecast.deterioration (points of the index)
  int bottom = 0;                          //!< the method's forecast.bottom (ranks)
  int origin = 0;                          //!< the last data year (forecasts) or the last origin (backtest)
  std::size_t series = 0;                  //!< indicators forecast
  std::vector<ForecastRow> rows;           //!< forecasts only: forecasts.csv, unit by unit
  std::vector<OutlookRow> outlook;         //!< forecasts only: outlook.csv, by year then unit
  std::vector<ForecastHeadline> headline;  //!< backtest only
  std::vector<std::string> files;
  double seconds = 0;
};

//! Forecasts each scored indicator of the method (on its display scale: a rate, not its logarithm;
//! and the count a per-capita indicator divides, when it reads whole numbers) for every unit with a
//! value in the last 5 years (or the method's carry), 1..horizon years past the method's last year,
//! as `draws` draws of the chosen model; carries every draw through the method's steps after the
//! read (locf, screen, goalposts, aggregation, eligibility, rank) to dimension and index scores and
//! ranks; and writes forecasts.csv (`unit,code,year,mean,median,p05,p25,p75,p95`, indicators and
//! aggregates) and outlook.csv (P(deterioration), P(bottom), rank intervals). With `backtest`,
//! instead scores every model at each origin in [first_origin, last_origin] on years ≤ origin only
//! and writes scoreboard.csv: each indicator, and each aggregate from the draws carried through
//! the method (with the index rank's mean absolute error).
Result<ForecastSummary> Forecast(const ForecastConfig& cfg);

//! forecasts.csv of `rows` (`unit,code,year,mean,median,p05,p25,p75,p95`).
std::string ForecastsCsv(const std::vector<ForecastRow>& rows);

// ---- gpsi warn: early warnings on the latest data, and their track record (src/engine/warn.cpp) ----

struct WarnConfig {
  BuildConfig build;  //!< the method (its [[warn]] rules) and the store
  bool backtest = false;
  int first_origin = 2010, last_origin = 2019;
  //! A backtest's truth for the anomaly rules: a CSV with columns unit (the store's country code)
  //! and period (YYYY-MM) naming the months with a known surge; "" leaves those rules unscored.
  std::string surges;
  std::size_t draws = 1000;  //!< the forecast rule's draws
  std::uint64_t seed = 1;
  int threads = 0;
  std::string out_dir;  //!< warnings: "" writes no file (they are in the summary); a backtest needs one
};

//! One warning with its evidence: the value that fired the rule, where it was read (source, file,
//! line), and what it was compared with.
struct Warning {
  std::string unit, id, rule, severity, code;
  std::string period;  //!< "2023", or "2023-10" for a monthly rule
  double value = kNa, baseline = kNa, score = kNa;
  std::string source, file_sha256;
  std::int64_t line = 0;
  std::string message;
};

//! A rule's track record: its warnings at each origin against the index falling by
//! forecast.deterioration or more the year after (where both years' scores are made of the same
//! indicators); an anomaly rule's, at each month of the origins' years, against the known surges.
struct RuleSkill {
  std::string id, rule;
  std::size_t cells = 0;  //!< unit-origins (unit-months) scored: events / cells is the base rate
  std::size_t warnings = 0, events = 0, hits = 0;
  double precision = kNa, recall = kNa;
};

//! A [[warn]] rule of the method, as front ends show it (docs/methodology-format.md).
struct WarnRuleInfo {
  std::string id, rule, reads, severity;
  int window = 0;
  double factor = 0, z = 0, min = 0, p = 0;
};

struct WarnSummary {
  std::vector<WarnRuleInfo> rules;    //!< the method's, in its order
  std::vector<Warning> warnings;      //!< high severity first, then by unit
  std::vector<RuleSkill> skill;       //!< backtest only
  std::vector<std::string> unscored;  //!< backtest only: the rules not scored, each "id (rule): why"
  std::vector<std::string> files;
};

//! Applies the method's [[warn]] rules to the latest data and writes warnings.csv
//! (`unit,id,rule,severity,code,period,value,baseline,score,source,file_sha256,line,message`):
//! threshold and surge on a stored annual series at its latest year, anomaly on a monthly one
//! (gpsi events --period month) at its latest month, forecast on the model's P(deterioration).
//! With `backtest`, instead scores the annual and forecast rules at each origin against the index
//! falling the year after, and the anomaly rules (given `surges`) at each month of the origins'
//! years against the known surges, and writes warn_skill.csv.
Result<WarnSummary> Warn(const WarnConfig& cfg);

//! warnings.csv of `warnings`
//! (`unit,id,rule,severity,code,period,value,baseline,score,source,file_sha256,line,message`).
std::string WarningsCsv(const std::vector<Warning>& warnings);

//! A unit-year-node's index rank across the Monte Carlo runs: one row of rank_stats.csv.
struct RankStat {
  int year = 0;
  std::string unit, code;
  int nominal = 0;                                //!< 0 = unranked
  double mean = 0, median = 0, p05 = 0, p95 = 0;  //!< NaN when no run ranked it
};

// ---- gpsi risk: country risk sheets and their validation (src/engine/risk.cpp, docs/risk.md) ----

struct RiskConfig {
  BuildConfig build;  //!< the risk method (methods/risk.toml, with a [risk] table) and the store
  //! The index method (methods/gpsi.toml) for each sheet's GPSI baseline and current warnings;
  //! an empty method_path leaves them out. Its store is build.db_path.
  std::string index_method;
  int year = 0;               //!< the assessed year; 0 = the risk method's last year with scores
  std::size_t draws = 500;    //!< the outlook's forecast draws (0: no outlook)
  std::size_t rank_runs = 0;  //!< Monte Carlo runs of the GPSI rank interval (0: none)
  std::uint64_t seed = 1;
  int threads = 0;  //!< 0: one per core
};

//! A risk class: its position (0 = lowest; −1 none) and names.
struct RiskClass {
  int level = -1;
  std::string en, zh;
};

//! A node's risk score in the assessed year: 0–10, 10 = most risk; rank 1 = riskiest ranked country.
struct RiskScore {
  std::string code, name_en, name_zh;
  double value = kNa;
  int rank = 0;
  RiskClass cls;
  std::string flags;
};

//! One indicator behind a sheet: its 0–10 risk score, its value as read (display scale), and where
//! and for which year that value was read.
struct RiskIndicator {
  std::string code, name_en, name_zh, dimension;
  double score = kNa, value = kNa;
  int data_year = 0;
  std::string how, source;  //!< how: observed, carried, window, … ("" = no value)
};

//! The trend over the last [risk] trend_years years (risk::TrendOf): slope in points a year,
//! change over the window, direction rising | stable | falling ("" = too few years).
struct RiskTrend {
  int from = 0, to = 0;
  std::size_t points = 0;
  double slope = kNa, change = kNa;
  std::string direction;
};

//! The reliability index (0 = most reliable, 10 = least; risk::AssessReliability) and its parts.
struct RiskReliability {
  double index = kNa, missing = kNa, imputed = kNa, age = kNa, mean_age_years = kNa;
  std::size_t indicators = 0, present = 0;
};

//! The 1-year outlook: the forecast's risk score the year after (median and 90 % interval over the
//! draws), its class, and P(the score rises by forecast.deterioration or more).
struct RiskOutlook {
  int year = 0;
  double median = kNa, p05 = kNa, p95 = kNa, p_rise = kNa, rise_by = kNa;
  RiskClass cls;
};

//! The GPSI baseline of a sheet: the index's score and rank in the assessed year (or its latest
//! before), with the Monte Carlo rank interval when rank_runs > 0.
struct IndexBaseline {
  std::string method, version;
  int year = 0;
  double score = kNa, rank_p05 = kNa, rank_p95 = kNa;
  int rank = 0, ranked = 0;
};

//! A country's risk sheet.
struct CountryRisk {
  std::string unit, name;
  std::string name_zh;  //!< the store's Chinese name of the unit ("" when it has none)
  int year = 0;
  int ranked = 0;                               //!< ranked countries that year
  RiskScore risk;                               //!< the index node
  std::vector<RiskScore> dimensions;            //!< the index's children, in method order
  std::vector<RiskIndicator> indicators;        //!< scored indicators, by dimension in method order
  std::vector<std::pair<int, double>> history;  //!< (year, risk score) over the method's years
  RiskTrend trend;
  RiskReliability reliability;
  std::optional<RiskOutlook> outlook;
  std::optional<IndexBaseline> baseline;
  std::vector<Warning> warnings;  //!< the index method's current warnings for the country
};

//! Every country sheet of one year, with what they were made by.
struct RiskSheets {
  //! The risk method's [risk] rules (threats, matrix, overlay), which project sheets read; opaque
  //! here (src/method).
  std::shared_ptr<const method::RiskSpec> spec;
  std::string method_id, method_version, method_hash, data_hash, run_id;
  int year = 0;
  std::vector<RiskClass> classes;      //!< the method's classes, lowest first
  std::vector<double> class_lower;     //!< their lower bounds above the first
  std::vector<CountryRisk> countries;  //!< every scored country, by unit code
  double seconds = 0;
};

//! The country risk sheets of a year: builds the risk method, classes every node's score, computes
//! trend and reliability per country; with draws, the outlook from `gpsi forecast`'s model on the
//! risk method; with index_method, the GPSI baseline and the index's current warnings.
Result<RiskSheets> CountryRisks(const RiskConfig& cfg);
//! Attaches the index method's build to the sheets: each country's baseline (its score and rank
//! in the sheets' year, or its latest year before; the rank interval from `intervals`, rows of
//! the index node) and its current `warnings`. CountryRisks does so with index_method; gpsi serve
//! with the index it publishes.
void AttachIndex(RiskSheets& sheets, const BuildResult& index, std::span<const RankStat> intervals,
                 std::span<const Warning> warnings);
//! One sheet as JSON (docs/risk.md "Country sheet"): the one form the CLI, the API and the
//! dashboard read; `sheets` gives the method, data hash and classes.
std::string CountryRiskJson(const RiskSheets& sheets, const CountryRisk& c);
//! The list of sheets as a risk map reads it (GET /api/v1/risk/countries; `gpsi risk countries`
//! writes it as index.json): year, method, classes, and per country its score, rank, class, trend,
//! reliability and number of warnings.
std::string RiskListJson(const RiskSheets& sheets);

// ---- gpsi risk project: project risk sheets (src/engine/risk_project.cpp, docs/risk.md) --------

//! An event near a project: where and when, its distance to the site or route (NaN when found by
//! admin area), its recency weight, and the stored line it was read from.
struct NearbyEvent {
  std::string source, event_id, date;
  double lat = 0, lon = 0, distance_km = kNa, weight = 0;
  int root_code = 0;
  std::string file_sha256;
  std::int64_t line = 0;
};

//! The local overlay: the stored event points of the look-back window within radius_km of the
//! site and route (how = "radius"), or in the admin area when the project gives no coordinates
//! (how = "admin_area").
struct ProjectOverlay {
  std::string how;
  double radius_km = kNa, half_life_days = kNa;
  std::string from, to;              //!< the window's first and last days
  std::size_t points_in_window = 0;  //!< stored points of the window anywhere: the data's coverage
  std::vector<NearbyEvent> events;   //!< nearest first
};

//! A control of a threat's checklist and whether the project has it in place.
struct ThreatControl {
  std::string id, en, zh;
  bool lowers_impact = false, in_place = false;
  int steps = 1;
};

//! One fact behind a threat's numbers (kind: country, local, exposure, control), in both languages.
struct ThreatEvidence {
  std::string kind, en, zh;
  double value = kNa;
};

//! A position on the risk matrix: likelihood and impact (1–5), their product and its rating.
struct MatrixCell {
  int likelihood = 0, impact = 0, score = 0;
  RiskClass rating;
};

//! One threat of the register: the country's score on its node and the likelihood level it gives,
//! the local events that raise it, the inherent and the residual position, the controls and the
//! evidence.
struct ThreatAssessment {
  std::string id, name_en, name_zh, node;
  double country_score = kNa;
  int country_level = 0;
  double local_weight = 0;
  std::size_t local_events = 0;
  int local_raise = 0;
  MatrixCell inherent, residual;
  std::vector<ThreatControl> controls;
  std::vector<ThreatEvidence> evidence;
};

//! A condition that forces re-assessment: kind validity (the date passing), warning (a warning for
//! the country that the sheet did not hold) or area (local events raising a threat's level).
struct ProjectTrigger {
  std::string kind, en, zh, date;
  bool fired = false;
};

//! A project risk sheet ("one project, one policy"; docs/risk.md "Project sheets").
struct ProjectSheet {
  Project project;
  std::string project_sha256;                      //!< of the project's canonical JSON
  std::string assessed, valid_until, next_review;  //!< YYYY-MM-DD
  CountryRisk country;                             //!< the country baseline (the sheet of the assessed year)
  ProjectOverlay overlay;
  std::vector<ThreatAssessment> threats;  //!< in the method's order
  MatrixCell residual;                    //!< the highest residual score of the register
  std::string residual_threat;            //!< whose it is
  std::vector<ProjectTrigger> triggers;
  bool stale = false;  //!< a trigger has fired
  std::string method_id, method_version, method_hash, data_hash, run_id;
  std::string prepared_by;  //!< "gpsi <version>"; the reviewer signs outside
};

//! The stored event points a batch of sheets reads, on a spatial index (risk::EventIndex).
class ProjectEvents {
 public:
  ProjectEvents();
  ~ProjectEvents();
  ProjectEvents(ProjectEvents&&) noexcept;
  ProjectEvents& operator=(ProjectEvents&&) noexcept;
  //! The index over `points` (any order; kept by day); LoadProjectEvents reads them from a store.
  static ProjectEvents Of(std::vector<EventPoint> points);
  std::size_t size() const;
  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

//! The event points of days [from, to] (YYYY-MM-DD) in the store at db_path.
Result<ProjectEvents> LoadProjectEvents(const std::string& db_path, const std::string& from, const std::string& to);

//! One project's sheet against country sheets and events already loaded (a batch, the server):
//! kNotFound when the sheets have no country of the project, kBadProject for a control id the
//! method does not know. `today` (YYYY-MM-DD) is the assessment date when the project gives none.
Result<ProjectSheet> AssessProject(const RiskSheets& sheets, const ProjectEvents& events, const Project& project,
                                   const std::string& today);

//! Re-checks a sheet's triggers on `today` against the current country sheets and events: marks
//! each fired one and sets stale.
void CheckTriggers(ProjectSheet& sheet, const RiskSheets& now, const ProjectEvents& events, const std::string& today);

struct ProjectConfig {
  RiskConfig risk;                 //!< the risk method; its year follows each project's assessment date
  std::vector<std::string> files;  //!< project files (TOML or JSON)
  std::string today;               //!< YYYY-MM-DD; empty: the system's UTC date
};

//! The sheets of project files: reads each (kBadProject), makes the country sheets of each
//! assessment year once (capped at the method's latest scored year), loads the events once.
Result<std::vector<ProjectSheet>> ProjectRisks(const ProjectConfig& cfg);

//! A sheet as JSON (docs/risk.md "Project sheets"): the one form the CLI, the API and the
//! dashboard read.
std::string ProjectSheetJson(const ProjectSheet& sheet);
//! A sheet read back from ProjectSheetJson's text: every field that JSON holds (a country's
//! indicators, dimensions and history are not in it); kBadProject when it is not such a sheet.
Result<ProjectSheet> ProjectSheetFromJson(const std::string& text);

// ---- Projects on the platform (src/engine/risk_kept.cpp, docs/risk.md) -------------------------

//! A project sheet kept on the platform, as its reader gets it: the stored record and its sheet
//! read back, with the triggers re-checked on the day it is read (CheckTriggers).
struct KeptProject {
  RiskProjectRecord record;  //!< `sheet` and `sha256` are the bytes as kept
  ProjectSheet sheet;        //!< re-checked: its `stale` and triggers are as of `checked`
  std::string checked;       //!< YYYY-MM-DD
};

//! Where a kept sheet is assessed and re-checked: the published country sheets and event points.
struct ProjectContext {
  const RiskSheets* sheets = nullptr;
  const ProjectEvents* events = nullptr;
  std::string today;  //!< YYYY-MM-DD: the assessment date of a project that gives none
};

//! Assesses the project file `text` (TOML or JSON, as `gpsi risk project` reads; `name` names it
//! in errors) for the holder of `token` and keeps its sheet as the project's next revision
//! (platform::KeepRiskProject: an enterprise's own projects only, audited).
Result<KeptProject> KeepProject(const std::string& db_path, const std::string& token, const std::string& origin,
                                const std::string& text, const std::string& name, const ProjectContext& ctx);
//! The newest sheet of each project the holder of `token` may see (platform::VisibleRiskProjects).
Result<std::vector<KeptProject>> KeptProjects(const std::string& db_path, const std::string& token,
                                              const ProjectContext& ctx);
//! The kept sheet `id`; kNotFound when the holder of `token` may not see it.
Result<KeptProject> KeptProjectOf(const std::string& db_path, const std::string& token, std::int64_t id,
                                  const ProjectContext& ctx);
//! A kept sheet as the API answers it: the record (id, enterprise, project, revision, who and when,
//! the kept bytes' sha256), `checked`, and the re-checked sheet (ProjectSheetJson).
std::string KeptProjectJson(const KeptProject& kept);
//! The list of kept sheets: per project its record and the sheet's summary (name, type, country,
//! dates, residual rating, stale).
std::string KeptProjectsJson(const std::vector<KeptProject>& kept);

struct RiskValidationConfig {
  RiskConfig risk;                    //!< the risk method and the index method (for the GPSI-drop outcome)
  int first_year = 0, last_year = 0;  //!< years t of the class (0: the method's years); outcomes in t + 1
  std::string conflict_code = "ucdp_total_deaths";  //!< the stored count of deaths in organised violence
  double conflict_deaths = 25;                      //!< UCDP's threshold of an active conflict
  std::size_t bootstrap = 1000;
  std::string out_dir;  //!< risk_validation.csv, risk_confusion.csv; "" = none
};

//! How well the class in year t separated one outcome in t + 1.
struct RiskOutcomeCheck {
  std::string outcome;  //!< conflict, conflict-onset, gpsi-drop
  std::string description;
  std::size_t cases = 0, events = 0;  //!< ranked country-years with the outcome known; with it
  Interval auc_score, auc_class;      //!< AUC of the 0–10 score, and of the class (ties count ½)
  //! The baseline to beat: AUC of persistence, the deaths in organised violence in t alone
  //! (country-years without a UCDP record in t left out).
  Interval auc_persistence;
  //! Per class: country-years, with the outcome, the rate, and the cut "class ≥ k"'s
  //! sensitivity and specificity.
  struct ByClass {
    RiskClass cls;
    std::size_t units = 0, events = 0;
    double rate = kNa, sensitivity = kNa, specificity = kNa;
  };
  std::vector<ByClass> by_class;
};

struct RiskValidation {
  int first_year = 0, last_year = 0;
  std::vector<RiskOutcomeCheck> checks;
  std::vector<std::string> files;
};

//! Validates the risk classes (docs/risk.md "Validation"): for each year t, the ranked countries'
//! class and score against (a) deaths in organised violence ≥ conflict_deaths in t + 1, (b) the
//! same among countries below it in t (onset), (c) the GPSI falling by its forecast.deterioration
//! from t to t + 1 (with index_method). AUC = P(a country with the outcome scored above one
//! without), Mann–Whitney with ties ½, stratified bootstrap interval.
Result<RiskValidation> ValidateRisk(const RiskValidationConfig& cfg);

// ---- gpsi validate: the index against independent measures (src/engine/validate.cpp) ----

struct ValidateConfig {
  BuildConfig build;             //!< the index to validate (a method over the store); out_dir is ignored
  std::string previous;          //!< the previous version's method file: rank shifts against it ("" = none)
  std::string plan;              //!< validation plan; "" = validation.toml beside the method file
  std::string validators;        //!< folder of the plan's files; "" = ValidationDataDir()
  std::size_t bootstrap = 1000;  //!< resamples for every interval
  std::uint64_t seed = 1;
  std::string out_dir;
};

//! The folder of external validators: $GPSI_VALIDATION, else ../shared/validation beside the source tree.
std::string ValidationDataDir();

//! Spearman's ρ of one node's score with an external measure in one year (sign turned so that
//! ρ > 0 is agreement), with its 95 % bootstrap interval.
struct ExternalCheck {
  std::string id, name_en, name_zh, node;
  int year = 0, external_year = 0;
  Interval rho;
};

//! A known-group check in one year: AUC = P(a unit of `low` scores below one of `high`).
struct GroupCheck {
  std::string id, name_en, name_zh, variant;  //!< variant: "index", or "without a, b"
  int year = 0;
  std::size_t n_low = 0, n_high = 0;
  double median_low = kNa, median_high = kNa;
  Interval auc;
  bool holds = false;  //!< the interval lies above 0.5
};

//! Coherence of one aggregate's children in one year (ranked units).
struct DimensionCheck {
  std::string code;
  int year = 0;
  std::size_t units = 0;
  std::vector<std::string> children;
  double alpha = kNa;            //!< Cronbach's α of the children
  double pc1_share = kNa;        //!< variance share of the first principal component
  std::vector<double> loadings;  //!< of the first component, per child
  double r2_index = kNa;         //!< squared Pearson r with the index: the index variance it explains
};

//! Pearson r of two children of one aggregate (latest year), with the plan's explanation if negative.
struct PairCorrelation {
  std::string parent, a, b;
  int year = 0;
  double r = kNa;
  std::size_t n = 0;
  std::string explanation_en, explanation_zh;
};

//! A unit's index rank in the previous and the current method version.
struct RankShift {
  int year = 0;
  std::string unit, name;
  int rank_previous = 0, rank = 0;  //!< 0 = not ranked
  double score_previous = kNa, score = kNa;
  std::vector<double> dimension_change;  //!< per dimension of the current method (NaN if not in both)
  std::string reason;
};

//! One difference between two versions of a method: `what` is pipeline, eligibility, node-added,
//! node-removed, weight, parent, direction or reads; `item` the setting or node code; `before` and
//! `after` its values ("" where it has none).
struct MethodChange {
  std::string what, item, before, after;
};
//! Every difference that can move a score between method versions `before` and `after`: [pipeline]
//! settings, eligibility, framework nodes added or removed, and per node kept its weight as used
//! (to 3 decimals), parent, direction and what it reads; in that order, nodes in `after`'s order.
std::vector<MethodChange> MethodChanges(const MethodInfo& before, const MethodInfo& after);

//! How a fallback series agrees with the series it stands in for, where both have a value.
struct FallbackAgreement {
  std::string indicator, note;
  int series = 1;
  std::size_t cells = 0, units = 0;
  double median_ratio = kNa, q1 = kNa, q3 = kNa;  //!< fallback / primary
  double spearman = kNa, pearson_log = kNa, adjust = 1;
};

struct ValidationResult {
  std::string method_version, previous_version, plan;
  int latest_year = 0;
  std::vector<int> years;               //!< of the build
  std::vector<std::string> dimensions;  //!< codes of the index's children
  std::vector<YearCoverage> coverage;
  std::vector<ExternalCheck> externals;
  std::vector<GroupCheck> groups;
  std::vector<DimensionCheck> coherence;      //!< the index and each dimension, every year
  std::vector<PairCorrelation> correlations;  //!< within each aggregate, every year
  std::size_t unexplained = 0;                //!< negative correlations the plan does not explain (any year)
  std::vector<RankShift> shifts;
  std::vector<MethodChange> method_changes;  //!< from the previous version (empty without one)
  std::vector<FallbackAgreement> fallbacks;
  std::vector<std::string> files;  //!< written, in order
  std::string summary;             //!< summary.md (English and Chinese)
};

//! Validates an index (docs/validation.md): Spearman ρ with the plan's external measures per
//! year, its known-group checks (AUC), the coherence of each dimension (α, PCA, the index variance
//! each explains, negative correlations and their explanations), rank shifts from the previous
//! version, coverage, and the agreement of every fallback series. Writes CSV files, summary.md and
//! validation.json (what `gpsi serve --validation` publishes). A plan measure that the method reads
//! is refused: an index is never validated against its own inputs.
Result<ValidationResult> Validate(const ValidateConfig& cfg);

// ---- gpsi serve: what the server publishes (src/engine/publish.cpp) ----

struct PublishConfig {
  BuildConfig build;             //!< the method over the store; out_dir is ignored (nothing is written)
  std::size_t intervals = 1000;  //!< Monte Carlo runs of the method's [uncertainty] table; 0 = no intervals
  std::uint64_t seed = 1;
  int threads = 0;         //!< for the Monte Carlo; 0 = one per core
  std::string validation;  //!< a `gpsi validate --out` folder whose validation.json is published ("" = none)
  //! Draws of the forecasts and warnings published (gpsi forecast, gpsi warn with `seed`); 0 = none
  std::size_t forecast_draws = 1000;
  //! A risk method (methods/risk.toml) whose country sheets are published beside the index, with
  //! its baseline and warnings; "" = none. Its outlook uses forecast_draws.
  std::string risk_method;
};

//! One stored value an indicator of the method reads, with its provenance; `chosen` marks the
//! value the resolution rule (tier, newest release, preference, newest file) picks for its cell.
struct PublishedValue {
  ResolvedValue value;
  bool chosen = false;
};

//! Everything `gpsi serve` answers from, computed once at startup.
struct Published {
  BuildResult build;                  //!< the nominal index (engine::Build, no files)
  std::vector<Unit> units;            //!< every unit of the store
  std::vector<SourceRecord> sources;  //!< every source release of the store
  //! Every stored value of the codes the method's indicators read (reads, GTI components and
  //! denominators) in the build's years and the lead-in years a carried value was read in:
  //! ordered by unit, code, year, then priority (chosen first).
  std::vector<PublishedValue> values;
  std::size_t interval_samples = 0;  //!< Monte Carlo runs made; 0 = no intervals
  std::uint64_t interval_seed = 1;
  double interval_level = 0.90;     //!< the intervals are [p05, p95]
  std::vector<RankStat> intervals;  //!< per aggregate node, per scored unit-year (rank_stats.csv order)
  std::string validation_json;      //!< `gpsi validate`'s validation.json of this method version ("" = none)
  //! gpsi forecast's rows and outlook with the method's model (`forecast_draws` draws, `forecast_seed`),
  //! or nullopt with the reason in `forecast_note` (none asked for, or a method that cannot be forecast).
  std::optional<ForecastSummary> forecast;
  std::string forecast_note;
  std::size_t forecast_draws = 0;
  std::uint64_t forecast_seed = 1;
  //! gpsi warn's warnings on the latest data, or nullopt with the reason in `warnings_note`.
  std::optional<WarnSummary> warnings;
  std::string warnings_note;
  //! The country risk sheets of PublishConfig::risk_method's latest year, or nullopt with the
  //! reason in `risk_note`.
  std::optional<RiskSheets> risk;
  std::string risk_note;
  double build_seconds = 0, interval_seconds = 0, forecast_seconds = 0;
};

//! Builds the method in memory and gathers what the HTTP API publishes: units, sources, every
//! stored value the indicators read with its provenance, and (optionally) Monte Carlo rank
//! intervals as `gpsi uncertainty` computes them, without writing a file.
Result<Published> Publish(const PublishConfig& cfg);

// ---- the annual report's summary of a build (src/engine/summary.cpp) ----

//! A unit's standing on one node in one year: its score, rank, flags and 90 % rank interval
//! [p05, p95] of the Monte Carlo (NaN without intervals).
struct Standing {
  std::string unit;  //!< its code (ISO3 for countries)
  double score = kNa;
  int rank = 0;
  double p05 = kNa, p95 = kNa;
  std::string flags;
};
//! A unit ranked on the index in both years: its rank the year before (`from`) and now (`to`).
struct Mover {
  std::string unit;
  int from = 0, to = 0;
};
//! The unweighted mean score of a region's ranked units on a node (as the Global Peace Index
//! reports its regional averages: each country counts once, whatever its population).
struct RegionScore {
  std::string region_code, region_name, node;
  double mean = kNa;
  std::size_t units = 0;
};
//! How wide the index ranks' 90 % intervals are (p95 − p05, in ranks): ranked units by band, and
//! the median width; all zero without intervals.
struct IntervalSpread {
  std::size_t narrow = 0, wide = 0, very_wide = 0;  //!< width ≤ 5, 6–20, > 20 ranks
  double median_width = kNa;
};
//! A region's mean index score in one year (RegionScore's rule).
struct RegionYear {
  std::string region_code;
  int year = 0;
  double mean = kNa;
  std::size_t units = 0;
};
//! What the report says of one year of a build: every figure of its text is read from here.
struct ReportSummary {
  int year = 0, previous = 0;                   //!< previous: the year before when the build has it, else 0
  std::vector<std::size_t> nodes;               //!< the index, then its dimensions in method order (MethodInfo nodes)
  std::vector<std::vector<Standing>> rankings;  //!< per entry of `nodes`: every ranked unit, by rank then code
  std::vector<Mover> risers, fallers;           //!< on the index: up to 10 each, largest change first
  std::vector<RegionScore> regions;             //!< per M49 region (by code), then per entry of `nodes`
  IntervalSpread spread;
  std::vector<int> trend_years;  //!< the build's years up to `year`, the last 9 at most (the trends' span)
  //! The index's regional means (as `regions`) in each of `trend_years`: per region, then year.
  std::vector<RegionYear> trends;
};
//! The summary of `year` (0 = the latest) of a published build; kUsage when the build has no such year.
Result<ReportSummary> Summarise(const Published& pub, int year);

//! One indicator of a country profile in the summary's year: the value as its readers know it
//! (DisplayValue), its normalised score and flags, and where the build read it (provenance.csv).
struct ProfileIndicator {
  std::size_t node = 0;  //!< MethodInfo node
  double value = kNa, score = kNa;
  std::string flags, how;         //!< the score's flags; how the value was made (observed, carried, imputed…)
  int data_year = 0;              //!< 0 when no year was read (imputed, fill)
  std::string source, publisher;  //!< "key@release" and its publisher; empty when read from no source
  int tier = 0;                   //!< the source's priority tier (1 UN … 4 big data); 0 none
};
//! The index forecast for one year past the data (gpsi forecast): the score's median and 90 %
//! interval over the draws (forecasts.csv) with the unit's outlook (outlook.csv).
struct ProfileForecast {
  int year = 0;
  double median = kNa, p05 = kNa, p95 = kNa;
  OutlookRow outlook;  //!< year 0 when the unit has no outlook that year
};
//! What one country's page says: its standing on the index and each dimension beside its region's
//! mean, the index over the trend years beside its region's, every indicator, and, where the build
//! was published with them, its index forecasts and early warnings.
struct CountryProfile {
  std::string unit, region_code;
  std::vector<Standing> standings;           //!< per summary node; rank 0 where not ranked on it
  std::vector<double> region_means;          //!< per summary node: the region's mean (kNa without a region)
  std::vector<double> trend, region_trend;   //!< per trend year: its index score, its region's mean
  std::vector<ProfileIndicator> indicators;  //!< in method order
  std::vector<ProfileForecast> forecast;     //!< by year; empty without Published::forecast
  std::vector<Warning> warnings;             //!< the unit's (Published::warnings' order)
};
//! The profile of `unit` in the summary's year; kUsage when the unit is not ranked on the index then.
Result<CountryProfile> Profile(const Published& pub, const ReportSummary& s, const std::string& unit);

// ---- what-if: the index re-aggregated with other weights, in memory (src/engine/whatif.cpp) ----

//! The build's index re-aggregated with other weights (engine::WhatIf).
struct WhatIfResult {
  std::optional<int> year;        //!< the year computed; nullopt = every year of the build
  std::vector<double> weights;    //!< per node, as used (the build's where none was given)
  std::vector<std::size_t> rows;  //!< the build rows computed, in build order
  ScoreTable scores;  //!< per position in `rows` × node: indicators as built, aggregates recomputed and re-ranked
};

//! Re-aggregates the build's normalised indicator scores with `weights` (node code → weight; any
//! node but the top one and monitors; finite, ≥ 0; nodes not given keep the weights the build
//! used, PCA-derived ones included) and re-ranks exactly as Build: each node's aggregation, the
//! weights of missing children dropped and the rest rescaled, pipeline.aggregate_min_share,
//! screened-out rows unscored, ties sharing the lowest rank within a year. `year`: that year only
//! (it must be one of the build), nullopt = every year. Fails with kUsage for a bad weight or year
//! and kUncomputable when an aggregation is undefined (a zero under a geometric mean).
Result<WhatIfResult> WhatIf(const BuildResult& b, const std::map<std::string, double>& weights,
                            std::optional<int> year = std::nullopt);

// ---- the member platform: organisations, accounts, tokens, the audit log (src/engine/members.cpp) ----
// Each change is platform's rule (src/platform) run in one transaction with its audit entry.

//! The actor of the command line, as the audit log records it: "cli:<system user>" from "cli@<host>".
Actor CliActor();
//! Every organisation, account (password hashes included: never show them) and token of the store.
Result<std::vector<Organisation>> Organisations(const std::string& db_path);
Result<std::vector<Account>> Accounts(const std::string& db_path);
Result<std::vector<TokenRecord>> Tokens(const std::string& db_path);
//! The permission names a role holds (the role table of docs/platform.md).
std::vector<std::string> RolePermissions(Role role);

//! The actor of an administrator's request over HTTP: the holder of `secret` (a token or session)
//! with the admin permission, acting from `origin`; kUnauthorized for an invalid secret, kForbidden
//! without the permission.
Result<Actor> AdminActor(const std::string& db_path, const std::string& secret, const std::string& origin);
//! Adds an organisation (platform::AddOrg); tier -1 takes its kind's default.
Result<Organisation> AddOrganisation(const std::string& db_path, const Actor& actor, Organisation org);
//! Changes the organisation `key` by `edit`, applied to the stored record inside the transaction.
Result<Organisation> ChangeOrganisation(const std::string& db_path, const Actor& actor, const std::string& key,
                                        const std::function<Status(Organisation&)>& edit);
//! Adds an account with an optional password (argon2id-hashed).
Result<Account> AddAccount(const std::string& db_path, const Actor& actor, Account account,
                           const std::optional<std::string>& password);
//! Changes the account `login` by `edit`, and its password when one is given.
Result<Account> ChangeAccount(const std::string& db_path, const Actor& actor, const std::string& login,
                              const std::function<Status(Account&)>& edit, const std::optional<std::string>& password);
//! Issues an API token (platform::IssueToken): its secret is in the result only.
Result<IssuedToken> IssueToken(const std::string& db_path, const Actor& actor, const std::string& login,
                               const std::vector<std::string>& scopes, int days, const std::string& label);
//! Revokes the token whose last 8 characters are `suffix`.
Result<TokenRecord> RevokeToken(const std::string& db_path, const Actor& actor, const std::string& suffix);

// Dashboard sessions (platform's Login and Logout; docs/security.md, "Sessions").

//! Logs `login` in with `password` from `origin` (platform::Login): a session of
//! platform::kSessionHours, or kUnauthorized; every attempt is audited, and repeated wrong
//! passwords lock the account.
Result<IssuedSession> Login(const std::string& db_path, const std::string& origin, const std::string& login,
                            const std::string& password);
//! Ends the session whose secret is `secret`.
Status Logout(const std::string& db_path, const std::string& origin, const std::string& secret);
//! Who holds a token or session secret: its account (password hash cleared), organisation, the
//! permission names it carries and when it expires.
struct Identity {
  Account account;
  Organisation org;
  std::vector<std::string> permissions;
  std::string expires;
};
Result<Identity> WhoIs(const std::string& db_path, const std::string& secret);
//! The CSRF token of the session whose secret is `session` (platform::CsrfToken).
std::string CsrfToken(const std::string& session);
//! Whether `token` is the CSRF token of the session `session`, compared in constant time.
bool CsrfMatches(const std::string& session, const std::string& token);

// Members act through an API token or a session (`token`: its secret), as the HTTP API's clients do; `origin`
// is where the request came from (the client's address, or CliActor's).

//! A member's upload: a file in canonical CSV (unit,year,indicator,value), or any layout with its
//! descriptor (whose [source] is replaced by the member's: its organisation's tier and name).
struct UploadConfig {
  std::string db_path, token, origin;
  std::string file, dataset, descriptor, note;
  //! The file's bytes when they came over the network (the HTTP API): read from a private
  //! temporary file, removed afterwards; `file` is then only the name recorded and shown in errors.
  std::optional<std::string> content;
  //! The descriptor's TOML text when it came over the network: parsed from memory, `descriptor`
  //! then only its name, recorded with the file and shown in errors.
  std::optional<std::string> descriptor_content;
};
//! An upload's outcome: the draft submission and the ingest's report with every quarantined row.
struct UploadResult {
  Submission submission;
  FileReport report;
  std::vector<QuarantineRow> quarantine;
};
//! Ingests the file into a source release of its own, hidden until published, and records it as a
//! draft submission, in one transaction (platform::RecordUpload); a file that cannot be read, or
//! with a row outside the member's countries or data set, stores nothing.
Result<UploadResult> Upload(const UploadConfig& cfg);
//! Takes a review step on submission `id` (platform::Act): `action` is submit, approve, accept,
//! publish, return or revise; `reason` for return, `embargo` (UTC day or time) for publish.
Result<Submission> ActOnSubmission(const std::string& db_path, const std::string& token, const std::string& origin,
                                   std::int64_t id, const std::string& action, const std::string& reason = "",
                                   const std::string& embargo = "");
//! A submission as the token's holder sees it: the review steps open to the holder now
//! (platform::Actions, by name) and whether it is the holder's turn (platform::Awaits).
struct HeldSubmission {
  Submission submission;
  std::vector<std::string> actions;
  bool awaits = false;
};
//! The submissions the token's holder may see, newest first.
Result<std::vector<HeldSubmission>> Submissions(const std::string& db_path, const std::string& token);
//! One submission with its rows, quarantined rows and audit trail.
struct SubmissionDetail {
  Submission submission;
  std::vector<std::string> actions;  //!< as HeldSubmission's
  bool awaits = false;
  bool comments = false;            //!< whether the holder may comment its flags now (platform::MayComment)
  std::vector<ResolvedValue> rows;  //!< in file order
  std::vector<QuarantineRow> quarantine;
  std::vector<SubmissionFlag> flags;  //!< validation's, each to be commented before approval
  std::vector<AuditEntry> trail;
  std::vector<CellReference> references;  //!< per row: the index's value now and the UN's (platform::ReferenceValues)
};
Result<SubmissionDetail> SubmissionDetails(const std::string& db_path, const std::string& token, std::int64_t id);

//! Comments validation flag `flag` of submission `id` as the holder of `token` (platform::CommentFlag).
Result<SubmissionFlag> CommentOnFlag(const std::string& db_path, const std::string& token, const std::string& origin,
                                     std::int64_t id, std::int64_t flag, const std::string& text);

// ---- the excellent-practice evaluation (src/engine/campaigns.cpp, docs/evaluation.md) ----
// The secretariat sets a campaign up and runs its stages, judges seal score sheets, everyone reads
// what their seat shows (platform's rules); the scoring is src/evaluation's.

//! One application under one aggregation (evaluation::Standing).
struct EvalStanding {
  std::vector<double> criteria;
  double total = 0;
  bool eligible = false;
  int rank = 0;
  bool selected = false;
};
//! One application's results: its standings by each method (EvalResults::methods' order), the
//! bootstrap's probability that the model selects it, and whether that is borderline.
struct EvalApplicationResult {
  std::string code, org, country, project;
  std::vector<EvalStanding> standings;
  double probability = 0;
  bool borderline = false;
  int sheets = 0;
};
//! A judge's estimated severity and bias per criterion (the model's effects), sheets and mean score.
struct EvalJudgeResult {
  std::string login;
  double severity = 0;
  std::vector<double> bias;
  int sheets = 0;
  double mean_given = 0;
};
//! One ICC form as psych::ICC reports it.
struct EvalIcc {
  std::string form;
  double icc = 0, f = 0, df1 = 0, df2 = 0, p = 0, lower = 0, upper = 0;
};
//! A campaign's results: what evaluation::Evaluate gives, keyed by codes and logins.
struct EvalResults {
  std::string campaign, rules_sha256;
  std::string sheets_sha256;  //!< SHA-256 over the counted sheets' hashes, in order: what they were computed from
  std::vector<std::string> criteria;  //!< codes, in the rules' order
  std::vector<std::string> methods;   //!< mean, median, standardised, model (recommended)
  int select = 0;
  std::vector<EvalApplicationResult> applications;  //!< by the model's rank
  std::vector<EvalJudgeResult> judges;              //!< the secretariat's view only
  std::vector<EvalIcc> icc;
  double var_applications = 0, var_judges = 0, var_residual = 0;
  double alpha = 0, judges_per_application = 0, panel = 0, judges_for_075 = 0, judges_for_090 = 0;
  std::vector<double> beta;                               //!< the model's criterion means
  std::vector<std::pair<std::string, double>> variances;  //!< per random factor, then "residual"
  double reml = 0;
  int replicates = 0;
  std::uint64_t seed = 0;
  double borderline_low = 0, borderline_high = 0;
};
//! `r` as JSON (docs/evaluation.md, "Results"), and back.
std::string EvalResultsJson(const EvalResults& r);
Result<EvalResults> ParseEvalResults(const std::string& json);

//! One anchored score of a criterion's rubric (evaluation::Anchor).
struct EvalAnchor {
  double score = 0;
  std::string en, zh;
};
//! A criterion as the rules define it (evaluation::Criterion): names, minimum, rubric.
struct EvalCriterion {
  std::string code, en, zh;
  double minimum = 0;
  std::vector<EvalAnchor> rubric;
};
//! The rules every seat may read (evaluation::Rules, the part a judge scores by and an applicant is
//! judged by): the criteria with their rubrics, the scale, the minimum total, how many are selected,
//! judges per application and the tie-break order.
struct EvalRulesView {
  std::vector<EvalCriterion> criteria;
  double scale_min = 0, scale_max = 0, step = 0, min_total = 0;
  int select = 0, judges_per_application = 0;
  std::vector<std::string> tie_break;
};

//! A campaign as the holder of a token sees it (platform::SeatIn and the Visible* rules): its seat,
//! the applications, assignment pairs, judges and sheets it may see, how far scoring is, and the
//! results it may see (none before the panel stage).
struct CampaignDetail {
  Campaign campaign;  //!< its rules text included; results moved to `results`
  std::string title_en, title_zh;
  EvalRulesView rules;
  std::string seat;  //!< secretariat, judge, applicant or public
  std::vector<CampaignApplication> applications;
  std::vector<std::pair<std::string, std::string>> assignment;
  std::vector<CampaignJudge> judges;  //!< every one for the secretariat; a judge's own record for them
  std::vector<CampaignSheet> sheets;  //!< every revision
  int assigned = 0, sealed = 0;       //!< pairs in the seat's view, and those with a sheet
  std::optional<EvalResults> results;
};
//! The campaigns the holder of `token` may see, without sheets or results; an empty `token` reads
//! as the public (the published campaigns).
Result<std::vector<CampaignDetail>> Campaigns(const std::string& db_path, const std::string& token);
//! One campaign as the holder of `token` sees it (the public's view for an empty `token`).
Result<CampaignDetail> CampaignDetails(const std::string& db_path, const std::string& token, const std::string& key);
//! What the selection report reads (report::SelectionReportHtml): a campaign as its secretariat
//! sees it, results included, and the audit log's entries about it (its stages, entries,
//! assignment, results, and every sheet sealed or revised), oldest first.
struct CampaignReportInput {
  CampaignDetail detail;
  std::vector<AuditEntry> trail;
};
//! Campaign `key` and its audit trail for the selection report: kNotFound for one who may not see
//! the campaign, kForbidden for a judge, an applicant or the public (the report names every judge's
//! sheets and effects), kConflict before scoring closed (no results to report yet).
Result<CampaignReportInput> CampaignReport(const std::string& db_path, const std::string& token,
                                           const std::string& key);
//! Creates campaign `key` from the rules file `rules` (its text; checked by evaluation::ParseRules,
//! `origin` naming it in errors) as the secretariat.
Result<Campaign> CreateCampaign(const std::string& db_path, const std::string& token, const std::string& origin,
                                const std::string& key, const std::string& rules, const std::string& rules_name);
//! Replaces a campaign's applications and/or judges (nullopt: unchanged) in set-up
//! (platform::SetCampaignEntries).
Status SetCampaignEntries(const std::string& db_path, const std::string& token, const std::string& origin,
                          const std::string& key, const std::optional<std::vector<CampaignApplication>>& apps,
                          const std::optional<std::vector<CampaignJudge>>& judges);
//! Replaces a campaign's applications and/or judges from CSV files (empty path: unchanged):
//! applications `code,org,country,project,documents` (documents separated by ';'), judges
//! `login,org,country,declared` (application codes separated by ';').
Status ImportCampaignEntries(const std::string& db_path, const std::string& token, const std::string& origin,
                             const std::string& key, const std::string& applications_csv,
                             const std::string& judges_csv);
//! Replaces the conflicts of interest the holder of `token` declares as a judge of campaign `key`,
//! in set-up (platform::DeclareConflicts): `applications` are codes, empty for none.
Status DeclareConflicts(const std::string& db_path, const std::string& token, const std::string& origin,
                        const std::string& key, const std::vector<std::string>& applications);
//! The assignment evaluation::Assign makes under the campaign's rules and conflicts, stored; the
//! conflicts it kept apart are returned (application, judge, kind).
struct AssignResult {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<std::tuple<std::string, std::string, std::string>> conflicts;
  std::map<std::string, int> loads;  //!< applications per judge
};
Result<AssignResult> AssignCampaign(const std::string& db_path, const std::string& token, const std::string& origin,
                                    const std::string& key);
//! Opens scoring: the stored rules parsed again and hashed (evaluation::RulesHash), the stored
//! assignment checked (evaluation::CheckAssignment), then platform::OpenScoring.
Result<Campaign> OpenCampaign(const std::string& db_path, const std::string& token, const std::string& origin,
                              const std::string& key);
//! Seals the holder's sheet of `application` (evaluation::CheckScores, platform::SealSheet); at the
//! panel stage the results are computed again from the newest sheets.
Result<CampaignSheet> ScoreApplication(const std::string& db_path, const std::string& token, const std::string& origin,
                                       const std::string& key, const std::string& application,
                                       const std::vector<double>& scores, const std::string& comment,
                                       const std::string& reason, unsigned threads = 1);
//! Seals the holder's sheets from a CSV file: a column `application`, one column per criterion
//! (the rules' codes, any order) and optionally `comment` and `reason`; each row as
//! ScoreApplication, in file order. A row that fails stops there (the rows before it stay sealed);
//! the error names its line.
Result<std::vector<CampaignSheet>> ScoreFromFile(const std::string& db_path, const std::string& token,
                                                 const std::string& origin, const std::string& key,
                                                 const std::string& csv, unsigned threads = 1);
//! Closes scoring: the results computed from the newest sheets (evaluation::Evaluate on `threads`
//! workers) and stored with the stage (platform::CloseScoring).
Result<Campaign> CloseCampaign(const std::string& db_path, const std::string& token, const std::string& origin,
                               const std::string& key, unsigned threads = 1);
//! Publishes a campaign's results (platform::PublishCampaign).
Result<Campaign> PublishCampaign(const std::string& db_path, const std::string& token, const std::string& origin,
                                 const std::string& key);

//! A synthetic campaign (evaluation::Synthesize) written as the files a secretariat and its judges
//! would give: DIR/applications.csv, DIR/judges.csv and DIR/sheets/<judge>.csv (application then
//! one column per criterion), plus DIR/truth.csv (each application's true score per criterion and
//! each judge's severity), for tests and the demo.
struct SynthCampaignConfig {
  std::string rules_file, out_dir;
  std::size_t applications = 52, organisations = 39, judges = 12;
  std::uint64_t seed = 1;
};
Status SynthesizeCampaign(const SynthCampaignConfig& cfg);

//! Checks the audit log's hash chain (platform::VerifyAudit), read-only.
Result<AuditCheck> VerifyAuditLog(const std::string& db_path, const std::string& expect_head = "");
//! The audit entries with seq ≥ `from`, oldest first; `target` non-empty keeps that target's only.
Result<std::vector<AuditEntry>> AuditLog(const std::string& db_path, std::int64_t from = 1,
                                         const std::string& target = "");

}  // namespace gpsi::engine
