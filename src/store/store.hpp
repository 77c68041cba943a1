// gpsi store: the persistent home of units, sources, files, indicators, observations and
// quarantine. `Store` is the interface; OpenSqliteStore gives the embedded default backend.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include "core.hpp"
#include "model.hpp"

namespace gpsi {

//! Schema version this binary writes; `gpsi init` migrates older stores up to it.
inline constexpr int kSchemaVersion = 11;

//! A stored raw file: its bytes live content-addressed under the store's blob folder.
struct FileRecord {
  std::int64_t id = 0;
  std::string path, sha256, descriptor, ingested_at;
  std::int64_t bytes = 0;
  std::int64_t source_id = 0;
  std::int64_t rows_read = 0, rows_accepted = 0, rows_quarantined = 0, rows_skipped = 0;
};

//! Validators of the last successful fetch of one URL (`gpsi update` conditional requests).
struct FetchState {
  std::string url, etag, last_modified, sha256, fetched_at;
};

//! Outcome of adding one observation.
enum class InsertOutcome { kInserted, kDuplicateSame, kDuplicateConflict };

//! Selection of cells for queries; empty lists select all.
struct CellFilter {
  std::vector<std::string> units;
  std::vector<std::string> indicators;
  int year_from = 0, year_to = 9999;
};

//! A latitude/longitude box in degrees, every bound included. `west` > `east` is a box across the
//! antimeridian (west 170, east -170: longitudes 170…180 and −180…−170).
struct GeoBox {
  double south = -90, north = 90, west = -180, east = 180;
};

//! Selection of event points (Store::EventPoints); a bound not given selects all.
struct EventPointFilter {
  std::optional<std::string> unit;                 //!< only the points of this unit ("": those without a unit)
  int day_from = std::numeric_limits<int>::min();  //!< first day, days since 1970-01-01
  int day_to = std::numeric_limits<int>::max();    //!< last day, included
  std::optional<GeoBox> box;                       //!< only the points inside this box
};

//! A resolved cell without file provenance, for reading a panel fast.
struct CellValue {
  std::string_view unit, indicator;
  int year = 0;
  double value = 0;
  std::string_view source;  //!< "key@release" of the winning source
  std::string_view file;    //!< sha256 of the ingested file the winning record was read from
  std::int64_t line = 0;    //!< its line in that file
};

//! One observation with its provenance, for export and disagreement reports.
using ObservationRow = ResolvedValue;

//! A value as a store keeps it: NULL, an integer, a real or text (copying a store: gpsi migrate).
using StoredValue = std::variant<std::monostate, std::int64_t, double, std::string>;
//! One row of a table, its values in the order of its TableShape's columns.
using StoredRow = std::vector<StoredValue>;

//! One table of the schema as a copy of the store reads and writes it: its columns, in an order
//! both backends share, and the key its rows are read in (unique, so both read the same order).
struct TableShape {
  std::string_view name, columns, key;
};

//! Every table of the schema, each after the tables it refers to (tables.cpp).
const std::vector<TableShape>& StoreTables();

//! The store interface: one transaction per ingested file; readers never see half a file.
class Store {
 public:
  virtual ~Store() = default;

  //! Schema version found in the store (0 for a new, empty store).
  virtual int SchemaVersion() = 0;
  //! Applies numbered migrations up to kSchemaVersion; refuses a store newer than this binary.
  virtual Status Migrate() = 0;
  //! Location of the content-addressed raw bytes (`<db>.blobs/`).
  virtual std::string BlobDir() const = 0;

  //! Turns foreign-key enforcement on or off for the following transactions (not inside one).
  virtual void SetForeignKeys(bool on) = 0;
  virtual void Begin() = 0;
  //! Begins a write transaction if no other process holds the store's write lock, without waiting;
  //! false when one does.
  virtual bool TryBegin() = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;

  virtual void UpsertUnit(const Unit& unit) = 0;
  virtual void AddUnitName(const std::string& key, const std::string& unit, const std::string& origin) = 0;
  //! Makes `key` name only `unit` (a curated alias overrides names from other lists).
  virtual void ReplaceUnitName(const std::string& key, const std::string& unit, const std::string& origin) = 0;
  virtual void AddAggregateName(const std::string& key, const std::string& label, const std::string& origin) = 0;
  virtual void SetUnitGroup(const std::string& unit, const std::string& grouping, const std::string& value,
                            std::int64_t file_id) = 0;
  virtual std::vector<Unit> Units() = 0;
  virtual std::optional<Unit> FindUnit(const std::string& code) = 0;
  //! (name key, unit code) pairs; one key may name several units (then it is ambiguous).
  virtual std::vector<std::pair<std::string, std::string>> UnitNames() = 0;
  virtual std::vector<std::string> AggregateNames() = 0;
  //! (unit, grouping, value) triples, e.g. ("FRA", "m49_region", "Europe").
  virtual std::vector<std::tuple<std::string, std::string, std::string>> UnitGroups() = 0;

  //! Id of the source release (key, release), inserting it when new.
  virtual std::int64_t UpsertSource(const Source& source) = 0;
  virtual std::vector<SourceRecord> Sources() = 0;
  virtual std::optional<FileRecord> FindFileBySha(const std::string& sha256) = 0;
  virtual std::int64_t InsertFile(const FileRecord& file) = 0;
  virtual void UpdateFileCounts(const FileRecord& file) = 0;
  virtual std::vector<FileRecord> Files() = 0;
  //! The files read for one source release, in the order they were read.
  virtual std::vector<FileRecord> FilesOf(std::int64_t source_id) = 0;

  //! Inserts or refreshes an indicator's metadata (non-empty fields win).
  virtual void UpsertIndicator(const Indicator& indicator) = 0;
  //! Adds an indicator known only by its code, leaving an existing one untouched.
  virtual void EnsureIndicator(const std::string& code) = 0;
  virtual std::vector<Indicator> Indicators() = 0;

  //! Adds an observation; a second value for the same (unit, indicator, year) in the same file is
  //! reported, not stored. `first_line` receives the line of the stored one on a duplicate.
  virtual InsertOutcome InsertObservation(const Observation& obs, std::int64_t source_id, std::int64_t file_id,
                                          std::int64_t* first_line) = 0;
  virtual void InsertQuarantine(std::int64_t file_id, const QuarantineRow& row) = 0;
  virtual std::int64_t CountRows(const std::string& table) = 0;
  //! Quarantined rows of one file (or all when file_id is 0), in file order.
  virtual std::vector<QuarantineRow> Quarantine(std::int64_t file_id) = 0;

  // The reads of the index below (and Sources) see only visible source releases: public ones, and
  // members' published submissions from their embargo time on.

  //! Resolved cells (source-priority rule: tier, newest release, preference, newest file),
  //! ordered by unit, indicator, year.
  virtual void Resolved(const CellFilter& filter, const std::function<void(const ResolvedValue&)>& fn) = 0;
  //! Every stored observation, ordered by unit, indicator, year, then priority.
  virtual void Observations(const CellFilter& filter, const std::function<void(const ObservationRow&)>& fn) = 0;

  //! The resolved value of every selected cell (same resolution order as Resolved), without the
  //! joins for file provenance; ordered by unit, indicator, year.
  virtual void ResolvedValues(const CellFilter& filter, const std::function<void(const CellValue&)>& fn) = 0;

  //! Adds event points (`gpsi events`) in the open transaction. A point whose (source, event_id) is
  //! stored already is left as it is: the first line stored wins. Each point's file_sha256 must name
  //! a files row by the end of the transaction (the key is checked at the commit). Returns how many
  //! points were added.
  virtual std::int64_t InsertEventPoints(const std::vector<EventPoint>& points) = 0;
  //! The event points `filter` selects, ordered by day, then event_id (then source).
  virtual std::vector<EventPoint> EventPoints(const EventPointFilter& filter) = 0;

  //! Records one index build.
  virtual void RecordRun(const RunRecord& run) = 0;
  //! Every recorded build, oldest first.
  virtual std::vector<RunRecord> Runs() = 0;

  //! Validators stored for `url` by the last successful fetch, if any.
  virtual std::optional<FetchState> FindFetchState(const std::string& url) = 0;
  //! Inserts or replaces the validators of `state.url`.
  virtual void PutFetchState(const FetchState& state) = 0;

  // ---- The member platform (the rules live in src/platform; these only keep the rows) ----

  //! Inserts `org` (its countries and agreements too) and returns its id; its key must be new.
  virtual std::int64_t InsertOrg(const Organisation& org) = 0;
  //! Rewrites the organisation with `org.id`: its fields, countries and agreements.
  virtual void UpdateOrg(const Organisation& org) = 0;
  //! Every organisation, by key, with its countries and agreements.
  virtual std::vector<Organisation> Orgs() = 0;
  virtual std::optional<Organisation> FindOrg(const std::string& key) = 0;

  //! Inserts `account` and returns its id; its login must be new.
  virtual std::int64_t InsertAccount(const Account& account) = 0;
  //! Rewrites the account with `account.id` (name, role, password, disabled, lockout state).
  virtual void UpdateAccount(const Account& account) = 0;
  //! Every account, by login.
  virtual std::vector<Account> Accounts() = 0;
  virtual std::optional<Account> FindAccount(const std::string& login) = 0;

  //! Inserts `token` and returns its id.
  virtual std::int64_t InsertToken(const TokenRecord& token) = 0;
  //! Sets the revocation time of the token with `id`.
  virtual void RevokeToken(std::int64_t id, const std::string& at) = 0;
  //! Every token, oldest first.
  virtual std::vector<TokenRecord> Tokens() = 0;
  virtual std::optional<TokenRecord> FindTokenBySha(const std::string& sha256) = 0;

  //! Inserts `session` and returns its id.
  virtual std::int64_t InsertSession(const SessionRecord& session) = 0;
  //! Sets the end (logout) time of the session with `id`.
  virtual void RevokeSession(std::int64_t id, const std::string& at) = 0;
  //! Moves the end of the open session `id` to `expires` (a session in use: platform's KeepAlive).
  virtual void ExtendSession(std::int64_t id, const std::string& expires) = 0;
  virtual std::optional<SessionRecord> FindSessionBySha(const std::string& sha256) = 0;
  //! Ends every session of the account `user_id` still open at `at`; returns how many.
  virtual std::int64_t EndSessionsOf(std::int64_t user_id, const std::string& at) = 0;

  //! Makes the source release `source_id` a member's (`org_id`) and visible to reads of the index
  //! from `visible_from` on (UTC, ISO 8601; kNeverVisible: not until published).
  virtual void SetSourceVisibility(std::int64_t source_id, std::int64_t org_id, const std::string& visible_from) = 0;
  //! Every observation of one file, hidden or not, in file order (a submission's rows).
  virtual std::vector<ObservationRow> FileObservations(std::int64_t file_id) = 0;
  //! Inserts a submission and returns its id.
  virtual std::int64_t InsertSubmission(const Submission& submission) = 0;
  //! Rewrites the state, people, embargo, reason and time of the submission with `submission.id`.
  virtual void UpdateSubmission(const Submission& submission) = 0;
  virtual std::optional<Submission> FindSubmission(std::int64_t id) = 0;
  //! Every submission, newest first.
  virtual std::vector<Submission> Submissions() = 0;

  //! Replaces the validation flags of submission `submission` with `flags` (ids are assigned).
  virtual void ReplaceFlags(std::int64_t submission, const std::vector<SubmissionFlag>& flags) = 0;
  //! The validation flags of submission `submission`, in the order they were stored.
  virtual std::vector<SubmissionFlag> Flags(std::int64_t submission) = 0;
  //! Rewrites the comment, its author and time of the flag with `flag.id`.
  virtual void UpdateFlag(const SubmissionFlag& flag) = 0;

  // ---- The excellent-practice evaluation (the rules live in src/platform and src/evaluation) ----

  //! Inserts `campaign` and returns its id; its key must be new.
  virtual std::int64_t InsertCampaign(const Campaign& campaign) = 0;
  //! Rewrites the state, rules, times and results of the campaign with `campaign.id`.
  virtual void UpdateCampaign(const Campaign& campaign) = 0;
  //! Every campaign, by key.
  virtual std::vector<Campaign> Campaigns() = 0;
  virtual std::optional<Campaign> FindCampaign(const std::string& key) = 0;
  //! Replaces the applications of campaign `campaign` (and its assignment, which names them).
  virtual void ReplaceApplications(std::int64_t campaign, const std::vector<CampaignApplication>& apps) = 0;
  //! The applications of a campaign, by code.
  virtual std::vector<CampaignApplication> Applications(std::int64_t campaign) = 0;
  //! Replaces the judges of campaign `campaign` (and its assignment, which names them).
  virtual void ReplaceJudges(std::int64_t campaign, const std::vector<CampaignJudge>& judges) = 0;
  //! The judges of a campaign, by login.
  virtual std::vector<CampaignJudge> Judges(std::int64_t campaign) = 0;
  //! Replaces the assignment of campaign `campaign`: (application code, judge login) pairs.
  virtual void ReplaceAssignments(std::int64_t campaign,
                                  const std::vector<std::pair<std::string, std::string>>& pairs) = 0;
  //! The assignment of a campaign, by application then judge.
  virtual std::vector<std::pair<std::string, std::string>> Assignments(std::int64_t campaign) = 0;
  //! Appends a sealed sheet to campaign `campaign` and returns its id (sheets are append-only).
  virtual std::int64_t InsertSheet(std::int64_t campaign, const CampaignSheet& sheet) = 0;
  //! Every sheet of a campaign, every revision, by application, judge and revision.
  virtual std::vector<CampaignSheet> Sheets(std::int64_t campaign) = 0;

  // ---- Project risk sheets (the rules live in src/platform; docs/risk.md) ----

  //! Appends a project's sheet (organisation, project, revision and sheet set) and returns its id;
  //! sheets are append-only.
  virtual std::int64_t InsertRiskProject(const RiskProjectRecord& r) = 0;
  //! Every kept sheet, every revision, by id, each with its organisation's key.
  virtual std::vector<RiskProjectRecord> RiskProjects() = 0;
  virtual std::optional<RiskProjectRecord> FindRiskProject(std::int64_t id) = 0;

  //! Appends one audit entry (its seq, hashes and fields already set).
  virtual void AppendAudit(const AuditEntry& entry) = 0;
  //! The last audit entry, if any.
  virtual std::optional<AuditEntry> LastAudit() = 0;
  //! Every audit entry with seq ≥ `from`, in stored (rowid) order.
  virtual void AuditEntries(std::int64_t from, const std::function<void(const AuditEntry&)>& fn) = 0;

  //! The member whose unpublished data this store's next transactions act for: "" none (the
  //! public: public sources and members' published releases), "*" every member (the secretariat, a
  //! whole-store copy), else an organisation's id. PostgreSQL's row-level security enforces it
  //! (SET LOCAL gpsi.member in each transaction, migration 8); the SQLite store keeps no such
  //! rule, the platform enforcing the same visibility in the application (platform::CanSee).
  virtual void SetMember(const std::string& member) = 0;

  // ---- Copying a whole store (gpsi migrate --to) ----

  //! Every row of `table`, in the order of its key, each value of the type it is kept as.
  virtual void ReadRows(const TableShape& table, const std::function<void(const StoredRow&)>& fn) = 0;
  //! Adds `rows` to `table` as they are, ids included, in the open transaction; a table's next
  //! generated id then follows the largest one added.
  virtual void AppendRows(const TableShape& table, const std::vector<StoredRow>& rows) = 0;
};

//! What CopyStore copied of one table, and the proof that the copy holds the same rows.
struct TableCopy {
  std::string table;
  std::int64_t rows = 0;  //!< rows read from the source store
  std::string sha256;     //!< TableChecksum of the source's rows (the copy's matched it)
};

//! SHA-256 over every row of `table` in key order, each value in one canonical text (a real in
//! its shortest form that reads back exactly), so both backends give one checksum for one content.
//! `rows` receives the number of rows.
std::string TableChecksum(Store& store, const TableShape& table, std::int64_t* rows);

//! Copies every table of `from` into `to`, which must be migrated to the same schema and hold no
//! rows, in one transaction of `to`; then reads both back and compares each table's row count and
//! TableChecksum. A difference is an error and the copy is rolled back (nothing is left in `to`).
Result<std::vector<TableCopy>> CopyStore(Store& from, Store& to);

//! The visible_from of a source that no read of the index sees (an unpublished submission's).
inline constexpr std::string_view kNeverVisible = "9999-12-31T23:59:59Z";

//! How a store is opened: to write it, or only to read it.
enum class StoreAccess { kWrite, kRead };

//! Opens an SQLite store at `path`. kWrite creates it when absent and keeps it in WAL mode with
//! foreign keys on; a store this process may not write is refused ("the store is read-only", exit
//! 3). kRead opens an existing store with SQLITE_OPEN_READONLY, never writes it and leaves its folder
//! as it was; it reads a store in a folder or on a mount it may not write too (sqlite_store.cpp).
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, StoreAccess access = StoreAccess::kWrite);

//! Whether `location` names a PostgreSQL store: a libpq connection URI (postgresql:// or
//! postgres://) rather than an SQLite file.
bool IsPostgresUri(std::string_view location);

//! Opens the PostgreSQL store at `uri` (libpq's URI form). Same schema, migrations and rules as
//! the SQLite store (postgres/pg_store.cpp); kRead sets default_transaction_read_only. Its raw
//! bytes stay in a folder (BlobDir): $GPSI_BLOBS when set, else
//! $XDG_DATA_HOME/gpsi/<database>.blobs (~/.local/share when unset).
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& uri, StoreAccess access = StoreAccess::kWrite);

//! The refusal of a file whose bytes the store holds already (each file's bytes are stored once:
//! files.sha256 is unique). The same words whoever stored them, so that they name no other member's
//! file, and whether the stored file is visible or hidden by row-level security.
Error StoredAlreadyError(std::string_view sha256);

//! Opens the store at `location`: PostgreSQL for a URI (IsPostgresUri), else an SQLite file.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location, StoreAccess access = StoreAccess::kWrite);

//! `location` fit to show: a URI's password replaced by "***".
std::string ShownLocation(const std::string& location);

//! Commits on success, rolls back when left by an exception or without Commit().
class Transaction {
 public:
  explicit Transaction(Store& store) : store_(store) { store_.Begin(); }
  ~Transaction() {
    if (!done_) store_.Rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit() {
    store_.Commit();
    done_ = true;
  }

 private:
  Store& store_;
  bool done_ = false;
};

}  // namespace gpsi
