// gpsi model: the value types every stage shares (units, indicators, sources, observations).
#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core.hpp"

namespace gpsi {

//! What a unit is: a sovereign country, a dependent territory, a sub-national unit (e.g. UNODC's
//! GBR_E_W, kept apart from its country), or other (former states, user-assigned codes).
enum class UnitKind { kCountry, kTerritory, kSubUnit, kOther };

std::string_view ToString(UnitKind kind);
std::optional<UnitKind> ParseUnitKind(std::string_view s);

//! A geographic unit; `code` is ISO 3166-1 alpha-3 for countries and territories.
struct Unit {
  std::string code;
  UnitKind kind = UnitKind::kCountry;
  std::string name_en, name_zh, official_name_en;
  std::string iso2, iso3, m49;
  std::string region_code, region_name, subregion_code, subregion_name;
  std::string intermediate_code, intermediate_name;
  std::string parent;  //!< country of a sub-unit
};

//! Source priority tier of the brief: 1 UN agency, 2 government, 3 think tank, 4 big data/other.
enum class Tier : int { kUnAgency = 1, kGovernment = 2, kThinkTank = 3, kOther = 4 };

//! One release (vintage) of a publisher's data set.
struct Source {
  std::string key;        //!< stable id of the data set, e.g. "unodc-homicide-wdi"
  std::string publisher;  //!< who publishes it (and through whom)
  int tier = 4;
  std::string licence, url;
  std::string release;    //!< ISO date (or year) of the publisher's release; orders vintages
  std::string retrieved;  //!< ISO date the bytes were taken
  int preference = 0;     //!< tie-breaker among same tier and release: higher wins
};

//! Indicator metadata; direction +1 when higher is better for security, -1 when worse.
struct Indicator {
  std::string code;
  std::string name_en, name_zh;
  std::string unit_of_measure;
  std::string dimension;
  int direction = 1;
  std::string description;
};

//! One stored value with its provenance (file row and publisher flags).
struct Observation {
  std::string unit;
  int year = 0;
  std::string indicator;
  double value = 0;
  std::int64_t line = 0;
  std::string flags;  //!< publisher flags, comma-separated: modelled, estimate, provisional, projection
};

//! A row that could not be used, kept for review.
struct QuarantineRow {
  std::int64_t line = 0, column = 0;
  std::string raw;
  std::string reason;  //!< short stable reason id, e.g. unknown-unit, non-numeric
  std::string detail;
};

//! A resolved cell of the panel: the winning observation and its source.
struct ResolvedValue {
  std::string unit;
  int year = 0;
  std::string indicator;
  double value = 0;
  std::string source_key, publisher, release;
  int tier = 4;
  std::string file_path, file_sha256;
  std::int64_t line = 0;
  std::string flags;
};

//! A small delimited text table read whole (e.g. COINr's iData/iMeta), with the line of each row.
struct TextTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  //!< each as long as the header
  std::vector<std::int64_t> lines;             //!< 1-based source line of each row
  //! Index of a header column, or -1.
  int Column(std::string_view name) const;
};

//! A recorded `gpsi build`: what went in (method and data hashes) and what came out.
struct RunRecord {
  std::string id;  //!< first 16 hex digits of sha256(method hash, data hash, engine version)
  std::string method_id, method_hash, data_hash, engine_version;
  std::string created;  //!< ISO 8601 UTC time of the run
  std::string out_dir;
  std::string scores_sha256;
};

// ---- statistics the analyses publish -------------------------------------------------------

//! A statistic with its percentile bootstrap interval and the number of observations used.
struct Interval {
  double value = kNa, lo = kNa, hi = kNa;
  std::size_t n = 0;
};

//! First-order and total-effect Sobol indices of one input, with bootstrap confidence intervals.
struct SobolIndex {
  double first = kNa, total = kNa;
  double first_lo = kNa, first_hi = kNa;  //!< percentile bootstrap interval
  double total_lo = kNa, total_hi = kNa;
};

// ---- what a build read and computed: the panel and the score table ---------------------------

//! One stored record a panel value was made from: the code read, its data year, the source
//! release that won the cell ("key@release"), and the ingested file (sha256) and line it was read
//! from: the value traced to its source bytes.
struct CellRecord {
  std::string code;
  int year = 0;
  std::string source;
  std::string file_sha256;
  std::int64_t line = 0;
  bool operator==(const CellRecord&) const = default;
};

//! Where one panel value came from and how it was made (provenance.csv, the API's unit profile).
//! `how`: observed (a stored record) | sum (of stored records) | fill (the method's fill value for
//! a year a code covers) | window (a weighted mean over years) | gti (a GTI-style score) | coinr
//! (COINr data) | carried (locf: the value of `year`, kept from that cell) | imputed (made by
//! `imputed_by` from other cells).
struct CellOrigin {
  int series = -1;     //!< −1 no value or imputed; 0 the indicator's own reads (or sum); k ≥ 1 its k-th fallback
  std::string code;    //!< the stored code read (the first of a sum)
  std::string source;  //!< "key@release" of the value read (a window or score: of its latest year)
  std::string how;
  int year = 0;  //!< the data year read (a window: its latest year with a value)
  //! The value is a stored record (`source`; a sum: its first term's), not one the build made
  //! from several years or none (a window, a GTI-style score, a `fill`, an imputation) nor COINr
  //! data. A carried value keeps the answer of the cell it was carried from. Only a stored value
  //! has a record to name as its source (the API's downloads).
  bool stored = false;
  //! The file (sha256) and line of the record `source` names; empty and 0 where it names none.
  std::string file_sha256;
  std::int64_t line = 0;
  std::string imputed_by;  //!< how = imputed: the pipeline.impute spec that made it ("mean", "interpolate")
  //! Every stored record the value was made from: one (observed, carried), each term (a sum),
  //! each year's record (a window), each component's record in each year of its window (a GTI
  //! score). Empty for fill, COINr data and imputed values.
  std::vector<CellRecord> records;

  //! Whether the value is data of its own unit: observed, or made from the unit's own records (a
  //! sum, window, GTI score, fill, carried from another year or interpolated between two); not
  //! imputed from other units. The CLI's coverage column counts these.
  bool OwnData() const { return !how.empty() && (how != "imputed" || imputed_by == "interpolate"); }
};

//! A panel row: a unit in a year (0 for single-period data).
struct UnitYear {
  std::string unit, name;
  int year = 0;
};

//! The stages every panel value passes through, in order (stages.csv `stage`).
enum class Stage { kRaw, kDenominated, kImputed, kTreated, kNormalised };
inline constexpr std::size_t kStageCount = 5;
std::string_view ToString(Stage stage);

//! What a build read and prepared: year × unit × indicator, each cell with its value at every
//! stage and its provenance. Rows are unit-years sorted by year, then unit; columns the method's
//! indicators in framework order; one row-major layout.
class Panel {
 public:
  Panel() = default;
  Panel(std::vector<UnitYear> rows, std::vector<std::string> indicators, bool has_years);

  std::size_t rows() const { return rows_.size(); }
  std::size_t cols() const { return indicators_.size(); }
  bool has_years() const { return has_years_; }
  const UnitYear& row(std::size_t r) const { return rows_[r]; }
  const std::vector<UnitYear>& row_keys() const { return rows_; }
  const std::string& indicator(std::size_t c) const { return indicators_[c]; }
  //! The row of a unit-year, or nullopt.
  std::optional<std::size_t> Find(std::string_view unit, int year) const;
  //! The rows of one unit, by year.
  std::vector<std::size_t> RowsOf(std::string_view unit) const;
  //! The latest year (0 for single-period data or an empty panel).
  int LatestYear() const;

  double value(Stage s, std::size_t r, std::size_t c) const { return values_[Cell(r, c) * kStageCount + Index(s)]; }
  double& value(Stage s, std::size_t r, std::size_t c) { return values_[Cell(r, c) * kStageCount + Index(s)]; }
  const CellOrigin& origin(std::size_t r, std::size_t c) const { return origin_[Cell(r, c)]; }
  CellOrigin& origin(std::size_t r, std::size_t c) { return origin_[Cell(r, c)]; }

 private:
  std::size_t Cell(std::size_t r, std::size_t c) const { return r * indicators_.size() + c; }
  static std::size_t Index(Stage s) { return static_cast<std::size_t>(s); }
  std::vector<UnitYear> rows_;
  std::vector<std::string> indicators_;
  bool has_years_ = false;
  std::vector<double> values_;  //!< per cell, per stage
  std::vector<CellOrigin> origin_;
};

//! One score of a build: a unit-year's value at a framework node (an indicator's normalised value,
//! an aggregate's score), its rank within the year (1 best, ties share the lowest; 0 none) and its
//! flags (i imputed, t treated, x excluded, f from a fallback series, d a dimension missing, n not
//! ranked; docs/methodology-format.md).
struct Score {
  double value = kNa;
  int rank = 0;
  std::string flags;
};

//! Every score of a build: rows as its Panel's, columns every framework node (indicators first,
//! the index last); one row-major layout.
class ScoreTable {
 public:
  ScoreTable() = default;
  ScoreTable(std::size_t rows, std::vector<std::string> nodes);

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return nodes_.size(); }
  const std::string& node(std::size_t c) const { return nodes_[c]; }
  //! The column of a node code, or nullopt.
  std::optional<std::size_t> Column(std::string_view code) const;

  const Score& at(std::size_t r, std::size_t c) const { return cells_[r * nodes_.size() + c]; }
  Score& at(std::size_t r, std::size_t c) { return cells_[r * nodes_.size() + c]; }
  double value(std::size_t r, std::size_t c) const { return at(r, c).value; }
  int rank(std::size_t r, std::size_t c) const { return at(r, c).rank; }
  const std::string& flags(std::size_t r, std::size_t c) const { return at(r, c).flags; }

 private:
  std::size_t rows_ = 0;
  std::vector<std::string> nodes_;
  std::vector<Score> cells_;
};

// ---- what the store holds and what its writers report (ingest, events, update) ----------------

//! A source release as stored, with its id and how many observations it holds.
struct SourceRecord {
  std::int64_t id = 0;
  Source source;
  std::int64_t observations = 0;
};

//! Counts of what `LoadReference` stored.
struct ReferenceReport {
  std::int64_t units = 0, names = 0, aggregates = 0, with_region = 0, with_zh = 0;
  bool m49_loaded = false;
};

//! What happened to one file.
struct FileReport {
  std::string path, descriptor, source_key;
  int tier = 0;
  enum class Status { kIngested, kUnchanged, kSkipped, kRejected } status = Status::kSkipped;
  std::string note;    //!< skip reason or error text
  std::string sha256;  //!< of the file's bytes, once read (ingested, unchanged, or rejected after reading)
  Error error;
  std::int64_t rows = 0, accepted = 0, quarantined = 0;
  std::map<std::string, std::int64_t> skipped;   //!< aggregate, missing, filtered, duplicate
  std::map<std::string, std::int64_t> reasons;   //!< quarantine reason → count
  std::map<std::string, std::int64_t> warnings;  //!< accepted rows with a caveat, e.g. unit-check-mismatch
};

//! What happened to one event file.
struct EventFileReport {
  std::string path, sha256;
  bool gzip = false;
  bool stored_before = false;  //!< the same bytes were already in the store (file row reused)
  bool duplicate = false;      //!< the same bytes were given earlier in this run (counted once)
  std::int64_t bytes = 0;      //!< size of the file as given (compressed for gzip)
  std::int64_t lines = 0, blank = 0, events = 0, quarantined = 0;
  std::int64_t accepted = 0;               //!< events counted for a unit
  std::int64_t no_country = 0;             //!< events without ActionGeo_CountryCode
  std::int64_t unknown_fips = 0;           //!< events whose FIPS code the reference does not know (or not uniquely)
  std::int64_t quarantine_not_stored = 0;  //!< quarantined lines beyond the per-file cap, counted only
  std::int64_t points = 0;                 //!< events with a valid ActionGeo place: an EventPoint each
  //! Events with a place that gave no point (a coordinate missing, not a number or out of range, or
  //! another field of the point malformed; docs/events.md); they are still counted in the aggregates.
  std::int64_t bad_points = 0;
  std::map<std::string, std::int64_t> reasons;        //!< quarantine reason → lines
  std::map<std::string, std::int64_t> unknown_codes;  //!< unknown FIPS code → events
};

//! One aggregated value; month 0 in yearly mode.
struct EventValue {
  std::string unit;
  int year = 0, month = 0;
  std::string indicator;  //!< base code (gdelt_events_total…), without the monthly suffix
  double value = 0;
  //! The stored indicator code: the base code, or `<code>_mMM` in monthly mode.
  std::string StoredCode() const;
};

//! Outcome of `gpsi events`.
struct EventsReport {
  bool unchanged = false;  //!< the same files with the same period were already aggregated
  std::string manifest_sha256, source_key;
  std::int64_t observations = 0;
  std::int64_t points = 0;  //!< rows added to event_points (points stored before are not counted)
  std::vector<EventFileReport> files;
  std::vector<EventValue> values;  //!< ordered by unit, year, month, indicator
};

//! A point on the earth in degrees (WGS 84 latitude and longitude).
struct GeoPoint {
  double lat = 0, lon = 0;
};

//! A project of an overseas enterprise, as its project file states it (TOML or JSON; the format is
//! docs/risk.md "Project files"). Dates are ISO 8601 calendar dates (YYYY-MM-DD).
struct Project {
  std::string id;                //!< 1–64 of [a-z0-9-], starting with a letter or digit: unique per enterprise
  std::string enterprise;        //!< the enterprise: its organisation key on the platform (same rule as id)
  std::string name, name_zh;     //!< the project's name (name_zh optional)
  std::string type;              //!< one of risk::ProjectTypes()
  std::string country;           //!< ISO 3166-1 alpha-3, upper case
  std::optional<GeoPoint> site;  //!< the site; at least one of site and admin_area
  std::string admin_area;        //!< FIPS 10-4 first-order division as GDELT codes it (e.g. "KE05")
  std::vector<GeoPoint> route;   //!< optional route points in travel order (2 or more when present)
  double radius_km = kNa;        //!< the overlay radius; NaN: the method's [risk] radius_km
  int staff_national = 0, staff_expatriate = 0;
  std::string start, end;             //!< the project's dates; end ≥ start
  std::string assessed;               //!< the assessment date; empty: the day the sheet is made
  std::vector<std::string> controls;  //!< ids of the method's controls in place (method RiskControl::id)
};

//! One event at its place, as `gpsi events` keeps it (table event_points, docs/events.md): a
//! GDELT 2.0 event line with a valid ActionGeo latitude and longitude.
struct EventPoint {
  std::string source;         //!< the event data set: "gdelt"
  std::string event_id;       //!< GLOBALEVENTID; one point per (source, event_id)
  int day = 0;                //!< SQLDATE as days since 1970-01-01
  double lat = 0, lon = 0;    //!< ActionGeo_Lat in [−90, 90], ActionGeo_Long in [−180, 180] (degrees)
  std::string adm1;           //!< ActionGeo_ADM1Code, may be empty
  std::string country_fips;   //!< ActionGeo_CountryCode (FIPS 10-4), may be empty
  std::string unit;           //!< the unit the aggregates count the event for (ISO3); empty when none
  int root_code = 0;          //!< EventRootCode, 1–20
  int quad_class = 0;         //!< QuadClass, 1–4
  double goldstein = 0;       //!< GoldsteinScale, −10…10
  std::int64_t mentions = 0;  //!< NumMentions
  std::string file_sha256;    //!< SHA-256 of the input file the event was read from (its files row)
  std::int64_t line = 0;      //!< 1-based line of the event in that file (decompressed for gzip)
  bool operator==(const EventPoint&) const = default;
};

//! How `gpsi update` talks to the endpoints (docs/update.md).
struct FetchOptions {
  long connect_timeout_ms = 15000;
  long total_timeout_ms = 300000;   //!< per request, body included
  int retries = 3;                  //!< further attempts after a 5xx, 429 or connection error
  long backoff_ms = 1000;           //!< wait before the first retry; doubled for each further one
  long retry_after_cap_ms = 60000;  //!< longest Retry-After (seconds form) honoured on a 429
};

//! What `gpsi update` fetches and how (docs/update.md).
struct UpdateOptions {
  std::vector<std::string> only;                 //!< adapter names or groups; empty = every adapter
  std::string from_dir;                          //!< ingest local copies from this folder, no network
  bool dry_run = false;                          //!< fetch and validate, store nothing
  std::map<std::string, std::string> base_urls;  //!< group (or "*") → base URL, overriding the defaults
  std::string descriptor_dir;                    //!< data/descriptors (api_*.toml and the publishers' own)
  std::string today;                             //!< retrieval date (YYYY-MM-DD); empty = today (UTC)
  FetchOptions fetch;
};

//! What happened to one adapter.
struct UpdateReport {
  std::string adapter, url;
  enum class Status { kIngested, kUnchanged, kNoLocalCopy, kNoEndpoint, kDryRun, kFailed } status = Status::kFailed;
  Error error;  //!< kFailed: kNetwork or kBadResponse (or the ingest's error)
  int pages = 0, attempts = 0;
  std::int64_t bytes = 0, records = 0;
  std::string sha256, release, note;
  std::vector<FileReport> files;  //!< the ingested bundle (or local files)
};

//! Formats a double as the shortest text that reads back to the same value.
std::string FormatNumber(double v);
//! A number as every table gpsi writes (output files, CSV downloads): FormatNumber, empty when
//! missing (NaN), so a reader gets the double exactly.
std::string CsvNumber(double v);
//! One CSV field (RFC 4180): quoted, quotes doubled, when the text holds a comma, quote or line break.
std::string CsvField(std::string_view s);

//! One cell of a published table: empty, text, an integer or a real number (numbers stay numbers
//! in XLSX).
struct TableCell {
  enum class Kind { kEmpty, kText, kRef, kInt, kReal } kind = Kind::kEmpty;
  std::string owned;     //!< kText: the cell's own copy of its text
  std::string_view ref;  //!< kRef: text owned by what the table was made from
  double number = 0;
  std::string_view text() const { return kind == Kind::kRef ? ref : std::string_view(owned); }
  bool is_text() const { return kind == Kind::kText || kind == Kind::kRef; }
  static TableCell Text(std::string s) { return TableCell{Kind::kText, std::move(s), {}, 0}; }
  //! Text that outlives the table, not copied (a build's codes, units and sources): a build's
  //! tables have 10⁵–10⁶ cells.
  static TableCell Ref(std::string_view s) { return TableCell{Kind::kRef, {}, s, 0}; }
  static TableCell Int(long long v) { return TableCell{Kind::kInt, {}, {}, static_cast<double>(v)}; }
  //! A rank or count where 0 means none: empty then.
  static TableCell Positive(long long v) { return v > 0 ? Int(v) : TableCell{}; }
  //! A real number; NaN (missing) is empty.
  static TableCell Real(double v) { return IsNa(v) ? TableCell{} : TableCell{Kind::kReal, {}, {}, v}; }
};

//! Where a table goes: its header, then its rows one at a time. A Table keeps them (for XLSX, or
//! to read back); a CsvWriter writes them as they come, so a build's tables (10⁵–10⁶ cells) are
//! never held whole.
class TableSink {
 public:
  virtual ~TableSink() = default;
  virtual void Header(std::vector<std::string> header) = 0;
  virtual void Row(std::span<const TableCell> row) = 0;
  //! Appends a row: one cell per header column.
  template <class... Cells>
  void Add(Cells&&... cells) {
    const TableCell row[] = {TableCell(std::forward<Cells>(cells))...};
    Row(row);
  }
};

//! A table held whole: a header and its rows' cells, row-major.
class Table : public TableSink {
 public:
  std::vector<std::string> header;
  std::vector<TableCell> cells;  //!< header.size() per row
  std::size_t rows() const { return header.empty() ? 0 : cells.size() / header.size(); }
  std::span<const TableCell> row(std::size_t r) const { return {cells.data() + r * header.size(), header.size()}; }
  void Header(std::vector<std::string> h) override { header = std::move(h); }
  void Row(std::span<const TableCell> row) override {
    assert(row.size() == header.size());
    cells.insert(cells.end(), row.begin(), row.end());
  }
};

//! The one CSV writer of gpsi's tables: a line per row, fields quoted by CsvField, integers in
//! full, real numbers as CsvNumber (shortest round-trip text), empty cells empty.
class CsvWriter : public TableSink {
 public:
  void Header(std::vector<std::string> header) override;
  void Row(std::span<const TableCell> row) override;
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

//! A held table as CSV (CsvWriter).
std::string Csv(const Table& t);

// ---- The member sharing platform (docs/platform.md) ----

//! What an organisation is; a member's kind gives the default tier of the data it shares. An
//! enterprise shares no data: it has its overseas projects assessed (docs/risk.md, "Projects on
//! the platform").
enum class OrgKind { kSecretariat, kGovernment, kThinkTank, kEnterprise };
std::string_view ToString(OrgKind kind);
std::optional<OrgKind> ParseOrgKind(std::string_view s);

//! A provision agreement (SDMX): "member X reports data set Y", Y being a set of indicators.
struct Agreement {
  std::string dataset;
  std::vector<std::string> indicators;
};

//! A member (police agency, think tank) or the forum's secretariat.
struct Organisation {
  std::int64_t id = 0;
  std::string key;  //!< short handle used on the command line and in the API, e.g. "us-fbi"
  std::string name_en, name_zh;
  OrgKind kind = OrgKind::kGovernment;
  int tier = 2;                        //!< tier of its published data (0: it reports none)
  std::vector<std::string> countries;  //!< unit codes it may report for, sorted
  std::vector<Agreement> agreements;   //!< sorted by data set
  std::string created, disabled;       //!< UTC times; `disabled` empty while active
};

//! The platform's roles, each a fixed set of permissions (platform::Allows).
enum class Role { kAdmin, kSecretariat, kMemberSubmitter, kMemberApprover, kReader };
std::string_view ToString(Role role);
std::optional<Role> ParseRole(std::string_view s);

//! A person's account. `password` holds an argon2id hash string, never the password.
struct Account {
  std::int64_t id = 0;
  std::string login, name;
  std::int64_t org_id = 0;
  std::string org;  //!< the organisation's key
  Role role = Role::kReader;
  std::string password;
  std::string created, disabled;
  int failed_logins = 0;
  std::string locked_until;
};

//! Disables `o` from `now` on (one already disabled keeps its time), or enables it.
void SetDisabled(Organisation& o, bool disabled, const std::string& now);
//! Disables `a` from `now` on (one already disabled keeps its time), or enables it, which also
//! lifts a login lockout (an administrator's enabling is the way out of one before it ends).
void SetDisabled(Account& a, bool disabled, const std::string& now);

//! A stored API token: only its SHA-256 and its last 8 characters are kept.
struct TokenRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string login;  //!< its owner
  std::string sha256, suffix;
  std::vector<std::string> scopes;  //!< permission names (platform::kPermissionNames), sorted
  std::string label, created, expires, revoked;
};

//! A dashboard session (docs/security.md, "Sessions"): like a token, only its SHA-256 is kept; it
//! carries its account's whole role and ends at `expires` or at logout (`revoked`).
struct SessionRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string login;  //!< its account
  std::string sha256, created, expires, revoked;
};

//! Who makes a platform change and from where; the audit log records both.
struct Actor {
  std::string login;   //!< an account's login, or "cli:<system user>" for the command line
  std::string org;     //!< the organisation's key, empty for the command line
  std::string origin;  //!< the client's address, or "cli@<host>"
};

//! One entry of the append-only audit log. `hash` is SHA-256 over the other fields and
//! `prev_hash`, the hash of the entry before (platform::AuditHash), which chains the log.
struct AuditEntry {
  std::int64_t seq = 0;
  std::string at, actor, org, origin, action, target;
  std::string before, after;  //!< the target's state as JSON, before and after (empty: none)
  std::string prev_hash, hash;
};

//! Where a member's submission stands in review (docs/platform.md, "Submissions").
enum class SubmissionState { kDraft, kSubmitted, kValidated, kApproved, kAccepted, kPublished, kReturned };
std::string_view ToString(SubmissionState state);
std::optional<SubmissionState> ParseSubmissionState(std::string_view s);

//! A member's upload of one data set. Its rows are stored as an ingest of its own file into a source
//! release of its own ("<org>.<dataset>" @ "sub-<id>"), hidden from every read of the index until
//! published, then visible from `embargo` (or at once).
struct Submission {
  std::int64_t id = 0;
  std::string org;  //!< the organisation's key
  std::int64_t org_id = 0;
  std::string dataset;
  SubmissionState state = SubmissionState::kDraft;
  std::int64_t source_id = 0, file_id = 0;
  std::string note;                           //!< the submitter's change note
  std::string submitter, approver, reviewer;  //!< logins
  std::string embargo;                        //!< UTC time it is published at ("" = when published)
  std::string reason;                         //!< why it was last returned
  std::string created, updated;
};

//! What validation checks a submitted value against (docs/platform.md, "Validation flags").
enum class FlagKind {
  kOutlier,       //!< |z| >= 3 against the country's own history of the indicator
  kUnDifference,  //!< |value - UN value| / |UN value| above the threshold, same cell, tier 1
  kSeriesBreak,   //!< |z| >= 3 of the year-on-year change against the series' other changes
};
std::string_view ToString(FlagKind kind);
std::optional<FlagKind> ParseFlagKind(std::string_view s);

//! What a reviewer sets a submitted value beside: the value the index uses now for the same cell
//! and its source ("KEY@RELEASE"), and the UN agencies' (tier 1) value; NaN where there is none.
struct CellReference {
  double published = std::numeric_limits<double>::quiet_NaN();
  std::string published_source;
  double un = std::numeric_limits<double>::quiet_NaN();
};

//! A submitted value that validation flagged. A flag never blocks: it needs a member's comment
//! before the submission can be approved (DHIS2's "follow-up" with a comment).
struct SubmissionFlag {
  std::int64_t id = 0, submission = 0;
  std::string unit, indicator;
  int year = 0;
  FlagKind kind = FlagKind::kOutlier;
  double value = 0;      //!< the submitted value
  double reference = 0;  //!< the history's mean, the UN value, or the previous year's value
  double score = 0;      //!< z, or the relative difference from the UN value
  std::string comment, commented_by, commented_at;
};

//! An issued token: `secret` is shown once and never stored.
struct IssuedToken {
  std::string secret;
  TokenRecord record;
};
//! A new session: `secret` goes to the browser in a cookie once and is never stored; `csrf` is
//! the token its unsafe requests must echo (platform::CsrfToken).
struct IssuedSession {
  std::string secret, csrf;
  SessionRecord record;
};
//! The outcome of checking the audit chain.
struct AuditCheck {
  std::int64_t entries = 0;
  bool ok = true;
  std::int64_t bad_seq = 0;  //!< first entry found wrong (0 when ok)
  std::string problem;       //!< what is wrong there
  std::int64_t head_seq = 0;
  std::string head_hash;  //!< the last entry's hash: record it elsewhere to detect a cut tail later
};
// ---- The excellent-practice evaluation's rows (docs/evaluation.md): src/evaluation computes,
// src/platform holds the rules of who may do what, the store keeps these ----

//! A campaign's stages: set-up (its rules, applications, judges and assignment may change);
//! scoring (the rules fixed and hashed; each judge seals their sheets, blind to the others');
//! panel (scoring closed, results computed; the panel sees every sheet; a change needs a reason);
//! published (the results public, each applicant sees its own).
enum class CampaignState { kSetup, kScoring, kPanel, kPublished };
std::string_view ToString(CampaignState state);
std::optional<CampaignState> ParseCampaignState(std::string_view s);

//! An evaluation campaign.
struct Campaign {
  std::int64_t id = 0;
  std::string key;
  CampaignState state = CampaignState::kSetup;
  std::string rules;                               //!< the campaign file (TOML) as given
  std::string rules_sha256;                        //!< SHA-256 of its canonical form (evaluation::RulesHash)
  std::string created, opened, closed, published;  //!< UTC times of its stages ('' not yet)
  std::string results;                             //!< the results (JSON) computed when scoring closed, '' before
};

//! An application to a campaign: its code, the applicant organisation (a platform organisation's
//! key when its people have accounts), the project's country (ISO3), and its documents.
struct CampaignApplication {
  std::string code, org, country, project;
  std::vector<std::string> documents;
};

//! A judge of a campaign: an account's login, the organisation and country the conflict rules
//! read, and the applications they declared a conflict with (codes).
struct CampaignJudge {
  std::string login, org, country;
  std::vector<std::string> declared;
};

//! One judge's sealed scores of one application. A sheet is never changed: a later revision is a
//! new row with a reason; the newest revision counts.
struct CampaignSheet {
  std::int64_t id = 0;
  std::string application, judge;
  int revision = 1;
  std::vector<double> scores;  //!< one per criterion, in the rules' order
  std::string comment, reason, sealed_at;
  std::string sha256;  //!< of the sheet's canonical JSON (platform::SheetHash)
};

//! A project risk sheet kept on the platform (docs/risk.md, "Projects on the platform"). Sheets are
//! append-only: a re-assessment of the same project is a new revision.
struct RiskProjectRecord {
  std::int64_t id = 0;
  std::int64_t org_id = 0;
  std::string org;      //!< the enterprise's key (the project's `enterprise`)
  std::string project;  //!< the project's id, unique within the enterprise
  int revision = 1;
  std::string country;     //!< ISO3
  std::string sheet;       //!< the sheet as engine::ProjectSheetJson wrote it on `created`
  std::string sha256;      //!< of `sheet`
  std::string created;     //!< UTC time
  std::string created_by;  //!< the account's login
};

//! The kinds of early-warning rule a method's [[warn]] table may name (docs/forecasting.md).
inline constexpr std::array<std::string_view, 4> kWarnRuleKinds{"threshold", "surge", "anomaly", "forecast"};
//! A warning's severities, most severe first.
inline constexpr std::array<std::string_view, 3> kWarnSeverities{"high", "medium", "low"};

}  // namespace gpsi
