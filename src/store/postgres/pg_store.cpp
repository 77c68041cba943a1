// PostgreSQL backend of the Store interface (libpqxx 6): the SQLite store's schema, statements and
// rules in PostgreSQL's dialect, giving the same rows in the same order. The methods come in the
// order of sqlite/sqlite_store.cpp, so the two files read side by side.
#include <pqxx/pqxx>

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <variant>

#include "../detail/common.hpp"
#include "../store.hpp"
#include "migrations.hpp"

namespace gpsi {
namespace pg_backend {  // named: the SQLite backend shares a unity build with it
namespace {

namespace fs = std::filesystem;
using detail::JoinList;
using detail::kBusyTimeoutMs;
using detail::kWritesHint;
using detail::SourcePriority;
using detail::SplitList;
using detail::Visible;

//! The transaction-scoped advisory lock that makes writers take turns (Begin, TryBegin, Migrate),
//! as SQLite's write lock does: the platform's audit chain reads the last entry and appends the next
//! in one transaction. Advisory locks are per database, so one key serves every store ("gpsiWrit").
constexpr std::int64_t kWriteLockKey = 0x6770'7369'5772'6974;

// SQLSTATEs read here (PostgreSQL's errcodes.txt).
constexpr std::string_view kReadOnlyTransaction = "25006";
constexpr std::string_view kInsufficientPrivilege = "42501";
constexpr std::string_view kLockNotAvailable = "55P03";
constexpr std::string_view kUniqueViolation = "23505";

Error BusyError() {
  return Error{Errc::kIo, fmt::format("the store is busy: another gpsi is writing to it (waited {} s); "
                                      "try again when it has finished",
                                      kBusyTimeoutMs / 1000)};
}

//! libpq's message on one line: "ERROR:  " dropped, its DETAIL and HINT lines joined with "; ".
std::string OneLine(std::string_view message) {
  if (message.starts_with("ERROR:  ")) message.remove_prefix(8);
  std::string out;
  for (std::size_t at = 0; at < message.size();) {
    const std::size_t end = std::min(message.find('\n', at), message.size());
    const std::string_view line = Trim(message.substr(at, end - at));
    if (!line.empty()) out += (out.empty() ? "" : "; ") + std::string(line);
    at = end + 1;
  }
  return out;
}

//! The error of a failed statement (`what`: the statement, or empty) on the store shown as `where`.
Error StoreError(const pqxx::sql_error& e, std::string_view what, const std::string& where) {
  const std::string msg = OneLine(e.what());
  // Another process holding the write lock past the timeout is not a broken store: say so, as an
  // input problem (exit 3) to retry.
  if (e.sqlstate() == kLockNotAvailable) return BusyError();
  // Neither is a store that this process may not write (kRead, a role without write rights).
  if (e.sqlstate() == kReadOnlyTransaction || e.sqlstate() == kInsufficientPrivilege) {
    return Error{Errc::kIo, fmt::format("the store is read-only: {}; {}", msg, kWritesHint), where};
  }
  // A key in use is a clash with what is stored, not damage; the caller may say which (InsertFile).
  if (e.sqlstate() == kUniqueViolation) return Error{Errc::kConflict, fmt::format("store: {}", msg), where};
  return Error{Errc::kStoreCorrupt,
               what.empty() ? fmt::format("store: {}", msg) : fmt::format("store: {}: {}", what, msg)};
}

//! The error of any other failure of libpqxx (a lost connection, a misuse).
Error StoreError(const std::exception& e, std::string_view what, const std::string& where) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) || dynamic_cast<const pqxx::in_doubt_error*>(&e)) {
    return Error{Errc::kIo, fmt::format("store: the connection to the database was lost: {}", OneLine(e.what())),
                 where};
  }
  return Error{Errc::kStoreCorrupt, what.empty() ? fmt::format("store: {}", OneLine(e.what()))
                                                 : fmt::format("store: {}: {}", what, OneLine(e.what()))};
}

//! The parameters $1, $2, … of one statement, as text in PostgreSQL's input syntax (NULL: none),
//! bound in the SQLite store's way.
class Params {
 public:
  Params& Add(std::string_view s) {
    // libpq passes text parameters as C strings: a NUL would cut the value short without a word.
    if (std::memchr(s.data(), '\0', s.size()) != nullptr) {
      throw Failure(Error{Errc::kBinaryFile, "a text value holds a NUL byte, which a PostgreSQL store cannot keep"});
    }
    values_.emplace_back(s);
    return *this;
  }
  Params& Add(std::int64_t v) {
    values_.emplace_back(std::to_string(v));
    return *this;
  }
  Params& Add(int v) { return Add(static_cast<std::int64_t>(v)); }
  //! As SQLite keeps a REAL: NaN as NULL (a NOT NULL column refuses it) and -0 as 0 (an integral
  //! REAL is stored as an integer); else fmt's shortest form, which reads back exactly.
  Params& Add(double v) {
    if (std::isnan(v)) return AddNull();
    values_.emplace_back(v == 0 ? std::string("0") : fmt::format("{}", v));
    return *this;
  }
  Params& AddNull() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  //! `id`, or NULL when it is 0 (no row: the SQLite store binds NULL there too).
  Params& AddId(std::int64_t id) { return id > 0 ? Add(id) : AddNull(); }

  //! The values for libpqxx's exec_params and exec_prepared; valid while this object is unchanged.
  auto Dynamic() const {
    pointers_.clear();
    for (const auto& v : values_) pointers_.push_back(v ? v->c_str() : nullptr);
    return pqxx::prepare::make_dynamic_params(pointers_);
  }

 private:
  std::vector<std::optional<std::string>> values_;
  mutable std::vector<const char*> pointers_;
};

//! Appends " AND <prefix>unit IN ($3,…) AND <prefix>indicator IN (…)" for the filter's lists
//! (parameters $1 and $2 are the year range); empty lists add nothing.
void AppendInLists(std::string& where, const CellFilter& filter, const char* prefix) {
  auto in_list = [&](const char* col, const std::vector<std::string>& v, int first) {
    if (v.empty()) return;
    where += fmt::format(" AND {}{} IN (", prefix, col);
    for (std::size_t i = 0; i < v.size(); ++i) where += fmt::format("{}${}", i ? "," : "", first + static_cast<int>(i));
    where += ")";
  };
  in_list("unit", filter.units, 3);
  in_list("indicator", filter.indicators, 3 + static_cast<int>(filter.units.size()));
}

//! The parameters of a CellFilter's condition: the year range, then its units and indicators.
Params FilterParams(const CellFilter& filter) {
  Params p;
  p.Add(filter.year_from).Add(filter.year_to);
  for (const auto& u : filter.units) p.Add(u);
  for (const auto& ind : filter.indicators) p.Add(ind);
  return p;
}

// A field as the SQLite store's Stmt reads a column: NULL as "" or 0.
std::string Text(const pqxx::field& f) {
  return std::string(f.c_str(), f.size());
}
std::string_view View(const pqxx::field& f) {
  return std::string_view(f.c_str(), f.size());
}
std::int64_t Int(const pqxx::field& f) {
  return f.is_null() ? 0 : f.as<std::int64_t>();
}
double Real(const pqxx::field& f) {
  return f.is_null() ? 0 : f.as<double>();
}

//! A connection with the statements prepared on it.
struct Connection {
  std::unique_ptr<pqxx::connection> conn;
  std::set<std::string> prepared;  // names given to conn->prepare
};

//! Connections kept open between the stores of one process. gpsi serve opens a store per request,
//! and a new connection costs PostgreSQL a server process and every statement prepared again: on
//! 2 cores that made each write of a member several times dearer than on SQLite (bench/RESULTS.md).
//! A store gives its connection back when it closes, nothing of its work left on it: SetMember is
//! SET LOCAL, the write lock is the transaction's, and Migrate's session lock is let go on return.
//! Keyed by URI and access (kRead connections are read-only for the whole session).
class Pool {
 public:
  //! Never destroyed: a store closed during the process's exit may still give its connection back.
  static Pool& Get() {
    static Pool* pool = new Pool();
    return *pool;
  }
  std::optional<Connection> Take(const std::string& key) {
    std::lock_guard lock(mu_);
    auto& idle = idle_[key];
    while (!idle.empty()) {
      Connection c = std::move(idle.back());
      idle.pop_back();
      if (c.conn->is_open()) return c;
    }
    return std::nullopt;
  }
  void Give(const std::string& key, Connection c) {
    std::lock_guard lock(mu_);
    auto& idle = idle_[key];
    if (idle.size() < kMaxIdle) idle.push_back(std::move(c));
  }

 private:
  static constexpr std::size_t kMaxIdle = 8;  // per key: gpsi serve's default worker threads, and some
  std::mutex mu_;
  std::map<std::string, std::vector<Connection>> idle_;
};

class PgStore final : public Store {
 public:
  PgStore(Connection c, std::string pool_key, std::string shown, std::string blob_dir)
      : conn_(std::move(c.conn)),
        shown_(std::move(shown)),
        blob_dir_(std::move(blob_dir)),
        prepared_(std::move(c.prepared)),
        pool_key_(std::move(pool_key)) {}
  ~PgStore() override {
    Rollback();
    // Back to the pool only whole: open, and holding no session lock (a Migrate cut short).
    try {
      if (!conn_->is_open()) return;
      pqxx::nontransaction n(*conn_);
      n.exec("SELECT pg_advisory_unlock_all()");
    } catch (const std::exception&) {
      return;
    }
    Pool::Get().Give(pool_key_, Connection{std::move(conn_), std::move(prepared_)});
  }

  int SchemaVersion() override {
    if (Run("SELECT to_regclass('gpsi_schema') IS NULL")[0][0].as<bool>()) return 0;
    const auto r = Run("SELECT version FROM gpsi_schema");
    return r.empty() ? 0 : static_cast<int>(Int(r[0][0]));
  }

  Status Migrate() override {
    const int have = SchemaVersion();
    if (have > kSchemaVersion) return Newer(have);
    if (have == kSchemaVersion) return Ok();
    // Two gpsi never migrate at once: this session takes the write lock for itself (waiting as
    // Begin does) and holds it across the migrations' transactions, which it lets through. Each
    // of them begins after the lock was taken, so it sees what another gpsi migrated meanwhile (a
    // transaction begun before might still look the tables up in stale catalog caches).
    Begin();
    try {
      Run(fmt::format("SELECT pg_advisory_lock({})", kWriteLockKey));
      Commit();
    } catch (...) {
      Rollback();
      throw;
    }
    try {
      Status done = MigrateLocked();
      Unlock();
      return done;
    } catch (...) {
      Unlock();
      throw;
    }
  }

  std::string BlobDir() const override { return blob_dir_; }

  // Foreign keys cannot be switched off for one session without superuser rights
  // (session_replication_role), so they are always checked here; the SQLite store turns them off
  // only for speed, and an ingest writes only rows whose parents exist.
  void SetForeignKeys(bool on) override { (void)on; }

  void Begin() override {
    OpenTransaction();
    try {
      tx_->exec(fmt::format("SET LOCAL lock_timeout = '{}ms'", kBusyTimeoutMs));
      tx_->exec(fmt::format("SELECT pg_advisory_xact_lock({})", kWriteLockKey));
    } catch (const std::exception& e) {
      FailOpening(e);
    }
  }

  bool TryBegin() override {
    OpenTransaction();
    bool locked = false;
    try {
      locked = tx_->exec(fmt::format("SELECT pg_try_advisory_xact_lock({})", kWriteLockKey))[0][0].as<bool>();
    } catch (const std::exception& e) {
      FailOpening(e);
    }
    if (!locked) Rollback();
    return locked;
  }

  void Commit() override {
    if (!tx_) throw Failure(Error{Errc::kStoreCorrupt, "store: COMMIT: cannot commit - no transaction is active"});
    // PostgreSQL ends a transaction that a statement failed in with a rollback, even when asked to
    // commit: say so rather than report a commit that did not happen.
    if (tx_failed_) {
      Rollback();
      throw Failure(
          Error{Errc::kStoreCorrupt, "store: COMMIT: a statement of the transaction failed, so it was rolled back"});
    }
    std::unique_ptr<pqxx::work> tx = std::move(tx_);
    Guard("COMMIT", [&] {
      tx->commit();
      return 0;
    });
  }

  void Rollback() override {
    if (!tx_) return;
    std::unique_ptr<pqxx::work> tx = std::move(tx_);
    tx_failed_ = false;
    try {
      tx->abort();
    } catch (const std::exception&) {
      // The connection is gone, and the transaction with it: nothing is left to undo.
    }
  }

  void UpsertUnit(const Unit& u) override {
    Params p;
    p.Add(u.code).Add(ToString(u.kind)).Add(u.name_en).Add(u.name_zh).Add(u.official_name_en);
    p.Add(u.iso2).Add(u.iso3).Add(u.m49).Add(u.region_code).Add(u.region_name);
    p.Add(u.subregion_code).Add(u.subregion_name).Add(u.intermediate_code).Add(u.intermediate_name);
    if (u.parent.empty()) {
      p.AddNull();
    } else {
      p.Add(u.parent);
    }
    RunPrepared("upsert_unit",
                "INSERT INTO units(code,kind,name_en,name_zh,official_name_en,iso2,iso3,m49,region_code,"
                "region_name,subregion_code,subregion_name,intermediate_code,intermediate_name,parent) "
                "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) ON CONFLICT(code) DO UPDATE SET "
                "kind=excluded.kind,name_en=excluded.name_en,"
                "name_zh=CASE WHEN excluded.name_zh<>'' THEN excluded.name_zh ELSE units.name_zh END,"
                "official_name_en=excluded.official_name_en,iso2=excluded.iso2,iso3=excluded.iso3,"
                "m49=CASE WHEN excluded.m49<>'' THEN excluded.m49 ELSE units.m49 END,"
                "region_code=CASE WHEN excluded.region_code<>'' THEN excluded.region_code ELSE units.region_code END,"
                "region_name=CASE WHEN excluded.region_code<>'' THEN excluded.region_name ELSE units.region_name END,"
                "subregion_code=CASE WHEN excluded.subregion_code<>'' THEN excluded.subregion_code "
                "ELSE units.subregion_code END,"
                "subregion_name=CASE WHEN excluded.subregion_code<>'' THEN excluded.subregion_name "
                "ELSE units.subregion_name END,"
                "intermediate_code=CASE WHEN excluded.intermediate_code<>'' THEN excluded.intermediate_code "
                "ELSE units.intermediate_code END,"
                "intermediate_name=CASE WHEN excluded.intermediate_code<>'' THEN excluded.intermediate_name "
                "ELSE units.intermediate_name END,parent=excluded.parent",
                p);
  }

  void AddUnitName(const std::string& key, const std::string& unit, const std::string& origin) override {
    RunPrepared("add_name", "INSERT INTO unit_names(name_key,unit,origin) VALUES($1,$2,$3) ON CONFLICT DO NOTHING",
                Params().Add(key).Add(unit).Add(origin));
  }

  void ReplaceUnitName(const std::string& key, const std::string& unit, const std::string& origin) override {
    RunPrepared("del_name", "DELETE FROM unit_names WHERE name_key=$1 AND unit<>$2", Params().Add(key).Add(unit));
    AddUnitName(key, unit, origin);
  }

  void AddAggregateName(const std::string& key, const std::string& label, const std::string& origin) override {
    RunPrepared("add_agg", "INSERT INTO aggregate_names(name_key,label,origin) VALUES($1,$2,$3) ON CONFLICT DO NOTHING",
                Params().Add(key).Add(label).Add(origin));
  }

  void SetUnitGroup(const std::string& unit, const std::string& grouping, const std::string& value,
                    std::int64_t file_id) override {
    RunPrepared("set_group",
                "INSERT INTO unit_groups(unit,grouping,value,file) VALUES($1,$2,$3,$4) "
                "ON CONFLICT(unit,grouping) DO UPDATE SET value=excluded.value,file=excluded.file",
                Params().Add(unit).Add(grouping).Add(value).AddId(file_id));
  }

  std::vector<Unit> Units() override { return QueryUnits("SELECT * FROM units ORDER BY code", Params()); }

  std::optional<Unit> FindUnit(const std::string& code) override {
    auto v = QueryUnits("SELECT * FROM units WHERE code=$1", Params().Add(code));
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::vector<std::pair<std::string, std::string>> UnitNames() override {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& row : Run("SELECT name_key, unit FROM unit_names ORDER BY name_key, unit")) {
      out.emplace_back(Text(row[0]), Text(row[1]));
    }
    return out;
  }

  std::vector<std::string> AggregateNames() override {
    std::vector<std::string> out;
    for (const auto& row : Run("SELECT name_key FROM aggregate_names ORDER BY name_key")) out.push_back(Text(row[0]));
    return out;
  }

  std::vector<std::tuple<std::string, std::string, std::string>> UnitGroups() override {
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    for (const auto& row : Run("SELECT unit, grouping, value FROM unit_groups ORDER BY unit, grouping")) {
      out.emplace_back(Text(row[0]), Text(row[1]), Text(row[2]));
    }
    return out;
  }

  std::int64_t UpsertSource(const Source& src) override {
    const auto found = RunPrepared("find_source", "SELECT id FROM sources WHERE key=$1 AND release=$2",
                                   Params().Add(src.key).Add(src.release));
    if (!found.empty()) return Int(found[0][0]);
    Params p;
    p.Add(src.key).Add(src.publisher).Add(src.tier).Add(src.licence).Add(src.url);
    p.Add(src.release).Add(src.retrieved).Add(src.preference);
    return InsertNumbered("ins_source", "sources", "id", "key,publisher,tier,licence,url,release,retrieved,preference",
                          p);
  }

  std::vector<SourceRecord> Sources() override {
    std::vector<SourceRecord> out;
    for (const auto& row : Run("SELECT s.id,s.key,s.publisher,s.tier,s.licence,s.url,s.release,s.retrieved,"
                               "s.preference,(SELECT count(*) FROM observations o WHERE o.source=s.id) "
                               "FROM sources s WHERE " +
                               Visible("s.") + " ORDER BY s.tier,s.key,s.release")) {
      SourceRecord r;
      r.id = Int(row[0]);
      r.source = Source{Text(row[1]), Text(row[2]), static_cast<int>(Int(row[3])), Text(row[4]), Text(row[5]),
                        Text(row[6]), Text(row[7]), static_cast<int>(Int(row[8]))};
      r.observations = Int(row[9]);
      out.push_back(std::move(r));
    }
    return out;
  }

  std::optional<FileRecord> FindFileBySha(const std::string& sha) override {
    auto v = QueryFiles("WHERE sha256=$1", Params().Add(sha));
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::int64_t InsertFile(const FileRecord& f) override {
    Params p;
    p.Add(f.path).Add(f.sha256).Add(f.bytes).AddId(f.source_id).Add(f.descriptor).Add(f.ingested_at);
    try {
      return InsertNumbered("ins_file", "files", "id", "path,sha256,bytes,source,descriptor,ingested_at", p);
    } catch (const Failure& e) {
      // files.sha256 is its one unique key but the id. The ingest looked for these bytes first
      // (FindFileBySha), so they are in a file that row-level security hides: another member's.
      if (e.error().code == Errc::kConflict) throw Failure(StoredAlreadyError(f.sha256));
      throw;
    }
  }

  void UpdateFileCounts(const FileRecord& f) override {
    RunPrepared("upd_file",
                "UPDATE files SET rows_read=$2,rows_accepted=$3,rows_quarantined=$4,rows_skipped=$5 WHERE id=$1",
                Params().Add(f.id).Add(f.rows_read).Add(f.rows_accepted).Add(f.rows_quarantined).Add(f.rows_skipped));
  }

  std::vector<FileRecord> Files() override { return QueryFiles("ORDER BY id", Params()); }

  std::vector<FileRecord> FilesOf(std::int64_t source_id) override {
    return QueryFiles("WHERE source=$1 ORDER BY id", Params().Add(source_id));
  }

  void UpsertIndicator(const Indicator& ind) override {
    Params p;
    p.Add(ind.code).Add(ind.name_en).Add(ind.name_zh).Add(ind.unit_of_measure);
    p.Add(ind.dimension).Add(ind.direction).Add(ind.description);
    RunPrepared("upsert_ind",
                "INSERT INTO indicators(code,name_en,name_zh,unit_of_measure,dimension,direction,description) "
                "VALUES($1,$2,$3,$4,$5,$6,$7) ON CONFLICT(code) DO UPDATE SET "
                "name_en=CASE WHEN excluded.name_en<>'' THEN excluded.name_en ELSE indicators.name_en END,"
                "name_zh=CASE WHEN excluded.name_zh<>'' THEN excluded.name_zh ELSE indicators.name_zh END,"
                "unit_of_measure=CASE WHEN excluded.unit_of_measure<>'' THEN excluded.unit_of_measure "
                "ELSE indicators.unit_of_measure END,"
                "dimension=CASE WHEN excluded.dimension<>'' THEN excluded.dimension ELSE indicators.dimension END,"
                "direction=excluded.direction,"
                "description=CASE WHEN excluded.description<>'' THEN excluded.description "
                "ELSE indicators.description END",
                p);
  }

  void EnsureIndicator(const std::string& code) override {
    RunPrepared("ensure_ind", "INSERT INTO indicators(code) VALUES($1) ON CONFLICT DO NOTHING", Params().Add(code));
  }

  std::vector<Indicator> Indicators() override {
    std::vector<Indicator> out;
    for (const auto& row : Run("SELECT code,name_en,name_zh,unit_of_measure,dimension,direction,description "
                               "FROM indicators ORDER BY code")) {
      out.push_back(Indicator{Text(row[0]), Text(row[1]), Text(row[2]), Text(row[3]), Text(row[4]),
                              static_cast<int>(Int(row[5])), Text(row[6])});
    }
    return out;
  }

  InsertOutcome InsertObservation(const Observation& o, std::int64_t source_id, std::int64_t file_id,
                                  std::int64_t* first_line) override {
    Params p;
    p.Add(o.unit).Add(o.indicator).Add(o.year).Add(file_id).Add(o.value).Add(source_id).Add(o.line).Add(o.flags);
    const auto ins = RunPrepared("ins_obs",
                                 "INSERT INTO observations(unit,indicator,year,file,value,source,line,flags) "
                                 "VALUES($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING",
                                 p);
    if (ins.affected_rows() == 1) return InsertOutcome::kInserted;
    const auto get = RunPrepared(
        "get_obs", "SELECT value,line FROM observations WHERE unit=$1 AND indicator=$2 AND year=$3 AND file=$4",
        Params().Add(o.unit).Add(o.indicator).Add(o.year).Add(file_id));
    InsertOutcome out = InsertOutcome::kDuplicateConflict;
    if (!get.empty()) {
      if (Real(get[0][0]) == o.value) out = InsertOutcome::kDuplicateSame;
      if (first_line) *first_line = Int(get[0][1]);
    }
    return out;
  }

  void InsertQuarantine(std::int64_t file_id, const QuarantineRow& q) override {
    InsertNumbered("ins_q", "quarantine", "id", "file,line,\"column\",raw,reason,detail",
                   Params().Add(file_id).Add(q.line).Add(q.column).Add(q.raw).Add(q.reason).Add(q.detail));
  }

  std::int64_t CountRows(const std::string& table) override {
    detail::CheckKnownTable(table);
    const auto r = Run("SELECT count(*) FROM " + table);
    return r.empty() ? 0 : Int(r[0][0]);
  }

  std::vector<QuarantineRow> Quarantine(std::int64_t file_id) override {
    std::vector<QuarantineRow> out;
    for (const auto& row : Run("SELECT line,\"column\",raw,reason,detail FROM quarantine "
                               "WHERE $1::bigint=0 OR file=$1::bigint ORDER BY file,line,id",
                               Params().Add(file_id))) {
      out.push_back(QuarantineRow{Int(row[0]), Int(row[1]), Text(row[2]), Text(row[3]), Text(row[4])});
    }
    return out;
  }

  void Resolved(const CellFilter& filter, const std::function<void(const ResolvedValue&)>& fn) override {
    RunCells(filter, true, fn);
  }

  void Observations(const CellFilter& filter, const std::function<void(const ObservationRow&)>& fn) override {
    RunCells(filter, false, fn);
  }

  void ResolvedValues(const CellFilter& filter, const std::function<void(const CellValue&)>& fn) override {
    // The source-priority rule as a rank per source id; ties go to the newest file below. SQLite's
    // sort keeps sources of equal priority in id order, so `id` breaks their ties here.
    std::unordered_map<std::int64_t, std::pair<int, std::string>> rank;
    {
      const auto r = Run("SELECT id, key || '@' || release FROM sources WHERE " + Visible("") + " ORDER BY " +
                         SourcePriority("") + ",id");
      int k = 0;
      for (const auto& row : r) rank.emplace(Int(row[0]), std::make_pair(k++, Text(row[1])));
    }
    std::unordered_map<std::int64_t, std::string> sha;
    for (const auto& row : Run("SELECT id, sha256 FROM files")) sha.emplace(Int(row[0]), Text(row[1]));
    std::string where = "year BETWEEN $1 AND $2";
    AppendInLists(where, filter, "");
    // The primary key's order (unit, indicator, year, file). The result holds the text that the
    // CellValues passed to fn view.
    const auto rows = Run("SELECT unit, indicator, year, value, source, file, line FROM observations WHERE " + where +
                              " ORDER BY unit, indicator, year, file",
                          FilterParams(filter));
    CellValue best;
    int best_rank = 0;
    bool have = false;
    for (const auto& row : rows) {
      const std::string_view u = View(row[0]), ind = View(row[1]);
      const int year = static_cast<int>(Int(row[2]));
      const auto ranked = rank.find(Int(row[4]));
      if (ranked == rank.end()) continue;  // a source release not visible (yet)
      const auto& [r, key] = ranked->second;
      const bool same = have && year == best.year && u == best.unit && ind == best.indicator;
      // Later files come later within a cell, so ties in rank go to the newest file (file DESC).
      if (same && r > best_rank) continue;
      if (!same && have) fn(best);
      have = true;
      best.unit = u, best.indicator = ind;
      best.year = year, best.value = Real(row[3]), best.source = key, best_rank = r;
      best.file = sha.at(Int(row[5])), best.line = Int(row[6]);
    }
    if (have) fn(best);
  }

  std::int64_t InsertEventPoints(const std::vector<EventPoint>& points) override {
    // Many rows per INSERT: a round trip per point would cost far more than the insert itself. A
    // full chunk's statement is prepared once; the last, shorter one is sent as it is.
    constexpr std::size_t kRowsPerInsert = 500;  // × 14 parameters, far below the 65535 of one statement
    constexpr std::size_t kColumns = 14;
    std::int64_t added = 0;
    for (std::size_t at = 0; at < points.size(); at += kRowsPerInsert) {
      const std::size_t n = std::min(kRowsPerInsert, points.size() - at);
      std::string sql = fmt::format("INSERT INTO event_points({}) VALUES", detail::kEventPointColumns);
      for (std::size_t i = 0; i < n; ++i) {
        sql += i ? ",(" : "(";
        for (std::size_t c = 0; c < kColumns; ++c) sql += fmt::format("{}${}", c ? "," : "", i * kColumns + c + 1);
        sql += ")";
      }
      sql += " ON CONFLICT DO NOTHING";
      Params p;
      for (std::size_t i = at; i < at + n; ++i) {
        const EventPoint& x = points[i];
        p.Add(x.source).Add(x.event_id).Add(x.day).Add(x.lat).Add(x.lon).Add(x.adm1).Add(x.country_fips).Add(x.unit);
        p.Add(x.root_code).Add(x.quad_class).Add(x.goldstein).Add(x.mentions).Add(x.file_sha256).Add(x.line);
      }
      added += n == kRowsPerInsert ? RunPrepared("ins_points", sql, p).affected_rows() : Run(sql, p).affected_rows();
    }
    return added;
  }

  std::vector<EventPoint> EventPoints(const EventPointFilter& filter) override {
    Params p;
    detail::EventPointArgs(
        filter, [&](int, std::int64_t v) { p.Add(v); }, [&](int, const std::string& v) { p.Add(v); },
        [&](int, double v) { p.Add(v); });
    const std::string where = detail::EventPointWhere(filter, "$");  // each parameter's type is its column's
    std::vector<EventPoint> out;
    for (const auto& row : Run(fmt::format("SELECT {} FROM event_points WHERE {} ORDER BY {}",
                                           detail::kEventPointColumns, where, detail::kEventPointOrder),
                               p)) {
      EventPoint x;
      x.source = Text(row[0]), x.event_id = Text(row[1]), x.day = static_cast<int>(Int(row[2]));
      x.lat = Real(row[3]), x.lon = Real(row[4]), x.adm1 = Text(row[5]), x.country_fips = Text(row[6]);
      x.unit = Text(row[7]), x.root_code = static_cast<int>(Int(row[8])), x.quad_class = static_cast<int>(Int(row[9]));
      x.goldstein = Real(row[10]), x.mentions = Int(row[11]), x.file_sha256 = Text(row[12]), x.line = Int(row[13]);
      out.push_back(std::move(x));
    }
    return out;
  }

  void RecordRun(const RunRecord& r) override {
    Params p;
    p.Add(r.id).Add(r.created).Add(r.method_id).Add(r.method_hash).Add(r.data_hash);
    p.Add(r.engine_version).Add(r.out_dir).Add(r.scores_sha256);
    InsertNumbered("record_run", "runs", "seq",
                   "id,created,method_id,method_hash,data_hash,engine_version,out_dir,scores_sha256", p);
  }

  std::vector<RunRecord> Runs() override {
    std::vector<RunRecord> out;
    for (const auto& row : Run("SELECT id,created,method_id,method_hash,data_hash,engine_version,out_dir,"
                               "scores_sha256 FROM runs ORDER BY seq")) {
      out.push_back(RunRecord{Text(row[0]), Text(row[2]), Text(row[3]), Text(row[4]), Text(row[5]), Text(row[1]),
                              Text(row[6]), Text(row[7])});
    }
    return out;
  }

  std::optional<FetchState> FindFetchState(const std::string& url) override {
    const auto r =
        Run("SELECT url,etag,last_modified,sha256,fetched_at FROM fetch_state WHERE url=$1", Params().Add(url));
    if (r.empty()) return std::nullopt;
    return FetchState{Text(r[0][0]), Text(r[0][1]), Text(r[0][2]), Text(r[0][3]), Text(r[0][4])};
  }

  void PutFetchState(const FetchState& f) override {
    Run("INSERT INTO fetch_state(url,etag,last_modified,sha256,fetched_at) VALUES($1,$2,$3,$4,$5) "
        "ON CONFLICT(url) DO UPDATE SET etag=excluded.etag,last_modified=excluded.last_modified,"
        "sha256=excluded.sha256,fetched_at=excluded.fetched_at",
        Params().Add(f.url).Add(f.etag).Add(f.last_modified).Add(f.sha256).Add(f.fetched_at));
  }

  std::int64_t InsertOrg(const Organisation& o) override {
    Params p;
    p.Add(o.key).Add(o.name_en).Add(o.name_zh).Add(ToString(o.kind)).Add(o.tier).Add(o.created).Add(o.disabled);
    const std::int64_t id =
        InsertNumbered("ins_org", "orgs", "id", "key,name_en,name_zh,kind,tier,created,disabled", p);
    PutOrgLists(id, o);
    return id;
  }

  void UpdateOrg(const Organisation& o) override {
    Params p;
    p.Add(o.id).Add(o.name_en).Add(o.name_zh).Add(ToString(o.kind)).Add(o.tier).Add(o.disabled);
    RunPrepared("upd_org", "UPDATE orgs SET name_en=$2,name_zh=$3,kind=$4,tier=$5,disabled=$6 WHERE id=$1", p);
    RunPrepared("del_org_c", "DELETE FROM org_countries WHERE org=$1", Params().Add(o.id));
    RunPrepared("del_org_a", "DELETE FROM agreements WHERE org=$1", Params().Add(o.id));
    PutOrgLists(o.id, o);
  }

  std::vector<Organisation> Orgs() override { return QueryOrgs("ORDER BY key", Params()); }

  std::optional<Organisation> FindOrg(const std::string& key) override {
    auto v = QueryOrgs("WHERE key=$1", Params().Add(key));
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::int64_t InsertAccount(const Account& a) override {
    Params p;
    p.Add(a.login).Add(a.name).Add(a.org_id).Add(ToString(a.role)).Add(a.password);
    p.Add(a.created).Add(a.disabled).Add(a.failed_logins).Add(a.locked_until);
    return InsertNumbered("ins_user", "users", "id",
                          "login,name,org,role,password,created,disabled,failed_logins,locked_until", p);
  }

  void UpdateAccount(const Account& a) override {
    Params p;
    p.Add(a.id).Add(a.name).Add(ToString(a.role)).Add(a.password).Add(a.disabled);
    p.Add(a.failed_logins).Add(a.locked_until);
    RunPrepared("upd_user",
                "UPDATE users SET name=$2,role=$3,password=$4,disabled=$5,failed_logins=$6,locked_until=$7 "
                "WHERE id=$1",
                p);
  }

  std::vector<Account> Accounts() override { return QueryAccounts("ORDER BY u.login", Params()); }

  std::optional<Account> FindAccount(const std::string& login) override {
    auto v = QueryAccounts("WHERE u.login=$1", Params().Add(login));
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::int64_t InsertToken(const TokenRecord& t) override {
    Params p;
    p.Add(t.user_id).Add(t.sha256).Add(t.suffix).Add(JoinList(t.scopes)).Add(t.label);
    p.Add(t.created).Add(t.expires).Add(t.revoked);
    return InsertNumbered("ins_token", "tokens", "id", "\"user\",sha256,suffix,scopes,label,created,expires,revoked",
                          p);
  }

  void RevokeToken(std::int64_t id, const std::string& at) override {
    RunPrepared("revoke_token", "UPDATE tokens SET revoked=$2 WHERE id=$1", Params().Add(id).Add(at));
  }

  std::vector<TokenRecord> Tokens() override { return QueryTokens("ORDER BY t.id", Params()); }

  std::optional<TokenRecord> FindTokenBySha(const std::string& sha256) override {
    auto v = QueryTokens("WHERE t.sha256=$1", Params().Add(sha256));
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::int64_t InsertSession(const SessionRecord& x) override {
    Params p;
    p.Add(x.user_id).Add(x.sha256).Add(x.created).Add(x.expires).Add(x.revoked);
    return InsertNumbered("ins_session", "sessions", "id", "\"user\",sha256,created,expires,revoked", p);
  }

  void RevokeSession(std::int64_t id, const std::string& at) override {
    RunPrepared("revoke_session", "UPDATE sessions SET revoked=$2 WHERE id=$1", Params().Add(id).Add(at));
  }

  void ExtendSession(std::int64_t id, const std::string& expires) override {
    RunPrepared("extend_session", "UPDATE sessions SET expires=$2 WHERE id=$1 AND revoked=''",
                Params().Add(id).Add(expires));
  }

  std::int64_t EndSessionsOf(std::int64_t user_id, const std::string& at) override {
    return static_cast<std::int64_t>(
        RunPrepared("end_sessions", "UPDATE sessions SET revoked=$2 WHERE \"user\"=$1 AND revoked='' AND expires>$2",
                    Params().Add(user_id).Add(at))
            .affected_rows());
  }

  std::optional<SessionRecord> FindSessionBySha(const std::string& sha256) override {
    const auto r =
        Run("SELECT x.id,x.\"user\",u.login,x.sha256,x.created,x.expires,x.revoked "
            "FROM sessions x JOIN users u ON u.id=x.\"user\" WHERE x.sha256=$1",
            Params().Add(sha256));
    if (r.empty()) return std::nullopt;
    const auto& row = r[0];
    SessionRecord x;
    x.id = Int(row[0]), x.user_id = Int(row[1]), x.login = Text(row[2]), x.sha256 = Text(row[3]);
    x.created = Text(row[4]), x.expires = Text(row[5]), x.revoked = Text(row[6]);
    return x;
  }

  void SetSourceVisibility(std::int64_t source_id, std::int64_t org_id, const std::string& visible_from) override {
    RunPrepared("source_vis", "UPDATE sources SET org=$2,visible_from=$3 WHERE id=$1",
                Params().Add(source_id).Add(org_id).Add(visible_from));
  }

  std::vector<ObservationRow> FileObservations(std::int64_t file_id) override {
    // The provenance is the file's and its row's source (one, or a few for a file of several
    // publishers): read once each, not joined on every row.
    std::map<std::int64_t, ObservationRow> provenance;  // source id → a row holding only it
    std::string path, sha256;
    {
      const auto f = Run("SELECT path,sha256 FROM files WHERE id=$1", Params().Add(file_id));
      if (f.empty()) return {};
      path = Text(f[0][0]), sha256 = Text(f[0][1]);
    }
    auto of = [&](std::int64_t source) -> const ObservationRow& {
      auto it = provenance.find(source);
      if (it != provenance.end()) return it->second;
      ObservationRow& p = provenance[source];
      const auto q = Run("SELECT key,publisher,release,tier FROM sources WHERE id=$1", Params().Add(source));
      if (!q.empty()) {
        p.source_key = Text(q[0][0]), p.publisher = Text(q[0][1]), p.release = Text(q[0][2]);
        p.tier = static_cast<int>(Int(q[0][3]));
      }
      p.file_path = path, p.file_sha256 = sha256;
      return p;
    };
    std::vector<ObservationRow> out;
    // SQLite reads these through the index observations_file(file, line), whose entries end with
    // the primary key: rows of one line come in (unit, indicator, year) order there, and here.
    const auto rows =
        Run("SELECT unit,year,indicator,value,line,flags,source FROM observations WHERE file=$1 "
            "ORDER BY line,unit,indicator,year",
            Params().Add(file_id));
    out.reserve(rows.size());
    for (const auto& row : rows) {
      ObservationRow& r = out.emplace_back(of(Int(row[6])));
      r.unit = Text(row[0]), r.year = static_cast<int>(Int(row[1])), r.indicator = Text(row[2]);
      r.value = Real(row[3]), r.line = Int(row[4]), r.flags = Text(row[5]);
    }
    return out;
  }

  std::int64_t InsertSubmission(const Submission& x) override {
    Params p;
    p.Add(x.org_id).Add(x.dataset).Add(ToString(x.state)).Add(x.source_id).Add(x.file_id);
    p.Add(x.note).Add(x.submitter).Add(x.approver).Add(x.reviewer).Add(x.embargo);
    p.Add(x.reason).Add(x.created).Add(x.updated);
    return InsertNumbered(
        "ins_sub", "submissions", "id",
        "org,dataset,state,source,file,note,submitter,approver,reviewer,embargo,reason,created,updated", p);
  }

  void UpdateSubmission(const Submission& x) override {
    Params p;
    p.Add(x.id).Add(ToString(x.state)).Add(x.approver).Add(x.reviewer).Add(x.embargo);
    p.Add(x.reason).Add(x.updated);
    RunPrepared("upd_sub",
                "UPDATE submissions SET state=$2,approver=$3,reviewer=$4,embargo=$5,reason=$6,updated=$7 WHERE id=$1",
                p);
  }

  std::optional<Submission> FindSubmission(std::int64_t id) override {
    auto v = QuerySubmissions("WHERE x.id=$1", Params().Add(id));
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::vector<Submission> Submissions() override { return QuerySubmissions("ORDER BY x.id DESC", Params()); }

  void ReplaceFlags(std::int64_t submission, const std::vector<SubmissionFlag>& flags) override {
    RunPrepared("del_flags", "DELETE FROM submission_flags WHERE submission=$1", Params().Add(submission));
    for (const auto& f : flags) {
      Params p;
      p.Add(submission).Add(f.unit).Add(f.indicator).Add(f.year).Add(ToString(f.kind));
      p.Add(f.value).Add(f.reference).Add(f.score).Add(f.comment).Add(f.commented_by);
      p.Add(f.commented_at);
      InsertNumbered("ins_flag", "submission_flags", "id",
                     "submission,unit,indicator,year,kind,value,reference,score,comment,commented_by,commented_at", p);
    }
  }

  std::vector<SubmissionFlag> Flags(std::int64_t submission) override {
    std::vector<SubmissionFlag> out;
    for (const auto& row :
         Run("SELECT id,submission,unit,indicator,year,kind,value,reference,score,comment,commented_by,commented_at "
             "FROM submission_flags WHERE submission=$1 ORDER BY id",
             Params().Add(submission))) {
      SubmissionFlag f;
      f.id = Int(row[0]), f.submission = Int(row[1]), f.unit = Text(row[2]), f.indicator = Text(row[3]);
      f.year = static_cast<int>(Int(row[4])), f.kind = ParseFlagKind(View(row[5])).value_or(FlagKind::kOutlier);
      f.value = Real(row[6]), f.reference = Real(row[7]), f.score = Real(row[8]);
      f.comment = Text(row[9]), f.commented_by = Text(row[10]), f.commented_at = Text(row[11]);
      out.push_back(std::move(f));
    }
    return out;
  }

  void UpdateFlag(const SubmissionFlag& f) override {
    RunPrepared("upd_flag", "UPDATE submission_flags SET comment=$2,commented_by=$3,commented_at=$4 WHERE id=$1",
                Params().Add(f.id).Add(f.comment).Add(f.commented_by).Add(f.commented_at));
  }

  std::int64_t InsertCampaign(const Campaign& c) override {
    Params p;
    p.Add(c.key).Add(ToString(c.state)).Add(c.rules).Add(c.rules_sha256).Add(c.created);
    p.Add(c.opened).Add(c.closed).Add(c.published).Add(c.results);
    return InsertNumbered("ins_campaign", "campaigns", "id",
                          "key,state,rules,rules_sha256,created,opened,closed,published,results", p);
  }

  void UpdateCampaign(const Campaign& c) override {
    Params p;
    p.Add(c.id).Add(ToString(c.state)).Add(c.rules).Add(c.rules_sha256).Add(c.opened);
    p.Add(c.closed).Add(c.published).Add(c.results);
    RunPrepared("upd_campaign",
                "UPDATE campaigns SET state=$2,rules=$3,rules_sha256=$4,opened=$5,closed=$6,published=$7,results=$8 "
                "WHERE id=$1",
                p);
  }

  std::vector<Campaign> Campaigns() override { return QueryCampaigns("ORDER BY key", Params()); }

  std::optional<Campaign> FindCampaign(const std::string& key) override {
    auto v = QueryCampaigns("WHERE key=$1", Params().Add(key));
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  void ReplaceApplications(std::int64_t campaign, const std::vector<CampaignApplication>& apps) override {
    RunPrepared("del_assign", "DELETE FROM campaign_assignments WHERE campaign=$1", Params().Add(campaign));
    RunPrepared("del_apps", "DELETE FROM campaign_applications WHERE campaign=$1", Params().Add(campaign));
    for (const auto& a : apps) {
      Params p;
      p.Add(campaign).Add(a.code).Add(a.org).Add(a.country).Add(a.project).Add(detail::JoinLines(a.documents));
      RunPrepared("ins_app",
                  "INSERT INTO campaign_applications(campaign,code,org,country,project,documents) "
                  "VALUES($1,$2,$3,$4,$5,$6)",
                  p);
    }
  }

  std::vector<CampaignApplication> Applications(std::int64_t campaign) override {
    std::vector<CampaignApplication> out;
    for (const auto& row : Run("SELECT code,org,country,project,documents FROM campaign_applications "
                               "WHERE campaign=$1 ORDER BY code",
                               Params().Add(campaign))) {
      out.push_back({Text(row[0]), Text(row[1]), Text(row[2]), Text(row[3]), detail::SplitLines(Text(row[4]))});
    }
    return out;
  }

  void ReplaceJudges(std::int64_t campaign, const std::vector<CampaignJudge>& judges) override {
    RunPrepared("del_assign", "DELETE FROM campaign_assignments WHERE campaign=$1", Params().Add(campaign));
    RunPrepared("del_judges", "DELETE FROM campaign_judges WHERE campaign=$1", Params().Add(campaign));
    for (const auto& j : judges) {
      Params p;
      p.Add(campaign).Add(j.login).Add(j.org).Add(j.country).Add(detail::JoinList(j.declared));
      RunPrepared("ins_judge",
                  "INSERT INTO campaign_judges(campaign,login,org,country,declared) VALUES($1,$2,$3,$4,$5)", p);
    }
  }

  std::vector<CampaignJudge> Judges(std::int64_t campaign) override {
    std::vector<CampaignJudge> out;
    for (const auto& row : Run("SELECT login,org,country,declared FROM campaign_judges WHERE campaign=$1 "
                               "ORDER BY login",
                               Params().Add(campaign))) {
      out.push_back({Text(row[0]), Text(row[1]), Text(row[2]), detail::SplitList(Text(row[3]))});
    }
    return out;
  }

  void ReplaceAssignments(std::int64_t campaign,
                          const std::vector<std::pair<std::string, std::string>>& pairs) override {
    RunPrepared("del_assign", "DELETE FROM campaign_assignments WHERE campaign=$1", Params().Add(campaign));
    for (const auto& [app, judge] : pairs) {
      RunPrepared("ins_assign", "INSERT INTO campaign_assignments(campaign,application,judge) VALUES($1,$2,$3)",
                  Params().Add(campaign).Add(app).Add(judge));
    }
  }

  std::vector<std::pair<std::string, std::string>> Assignments(std::int64_t campaign) override {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& row : Run("SELECT application,judge FROM campaign_assignments WHERE campaign=$1 "
                               "ORDER BY application,judge",
                               Params().Add(campaign))) {
      out.emplace_back(Text(row[0]), Text(row[1]));
    }
    return out;
  }

  std::int64_t InsertSheet(std::int64_t campaign, const CampaignSheet& x) override {
    Params p;
    p.Add(campaign).Add(x.application).Add(x.judge).Add(x.revision).Add(detail::JoinNumbers(x.scores));
    p.Add(x.comment).Add(x.reason).Add(x.sealed_at).Add(x.sha256);
    return InsertNumbered("ins_sheet", "campaign_sheets", "id",
                          "campaign,application,judge,revision,scores,comment,reason,sealed_at,sha256", p);
  }

  std::vector<CampaignSheet> Sheets(std::int64_t campaign) override {
    std::vector<CampaignSheet> out;
    for (const auto& row : Run("SELECT id,application,judge,revision,scores,comment,reason,sealed_at,sha256 "
                               "FROM campaign_sheets WHERE campaign=$1 ORDER BY application,judge,revision",
                               Params().Add(campaign))) {
      CampaignSheet x;
      x.id = Int(row[0]), x.application = Text(row[1]), x.judge = Text(row[2]);
      x.revision = static_cast<int>(Int(row[3])), x.scores = detail::SplitNumbers(Text(row[4]));
      x.comment = Text(row[5]), x.reason = Text(row[6]), x.sealed_at = Text(row[7]), x.sha256 = Text(row[8]);
      out.push_back(std::move(x));
    }
    return out;
  }

  std::int64_t InsertRiskProject(const RiskProjectRecord& r) override {
    Params p;
    p.Add(r.org_id).Add(r.project).Add(r.revision).Add(r.country).Add(r.sheet).Add(r.sha256).Add(r.created);
    p.Add(r.created_by);
    return InsertNumbered("ins_risk_project", "risk_projects", "id",
                          "org,project,revision,country,sheet,sha256,created,created_by", p);
  }

  std::vector<RiskProjectRecord> RiskProjects() override { return ReadRiskProjects("", Params()); }

  std::optional<RiskProjectRecord> FindRiskProject(std::int64_t id) override {
    auto found = ReadRiskProjects("WHERE r.id=$1", Params().Add(id));
    if (found.empty()) return std::nullopt;
    return std::move(found[0]);
  }

  void AppendAudit(const AuditEntry& e) override {
    Params p;
    p.Add(e.seq).Add(e.at).Add(e.actor).Add(e.org).Add(e.origin).Add(e.action);
    p.Add(e.target).Add(e.before).Add(e.after).Add(e.prev_hash).Add(e.hash);
    RunPrepared("ins_audit",
                "INSERT INTO audit_log(seq,at,actor,org,origin,action,target,before,after,prev_hash,hash) "
                "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                p);
  }

  std::optional<AuditEntry> LastAudit() override {
    std::optional<AuditEntry> last;
    ReadAudit("ORDER BY seq DESC LIMIT 1", Params(), [&](const AuditEntry& e) { last = e; });
    return last;
  }

  void AuditEntries(std::int64_t from, const std::function<void(const AuditEntry&)>& fn) override {
    ReadAudit("WHERE seq>=$1 ORDER BY seq", Params().Add(from), fn);
  }

  void ReadRows(const TableShape& t, const std::function<void(const StoredRow&)>& fn) override {
    StoredRow row;
    ForEachBatch(fmt::format("SELECT {} FROM {} ORDER BY {}", t.columns, t.name, t.key), [&](const pqxx::result& r) {
      row.resize(r.columns());
      for (const auto& stored : r) {
        for (std::size_t c = 0; c < row.size(); ++c) row[c] = Value(stored[static_cast<pqxx::row::size_type>(c)]);
        fn(row);
      }
    });
  }

  void AppendRows(const TableShape& t, const std::vector<StoredRow>& rows) override {
    if (rows.empty()) return;
    // Rows come in key order, not parents first (a sub-unit may sort before its country): the
    // deferrable foreign keys are checked at the commit.
    if (tx_) Run("SET CONSTRAINTS ALL DEFERRED");
    // A few hundred rows per INSERT: far fewer round trips, and far below the 65535 parameters
    // of one statement.
    constexpr std::size_t kRowsPerInsert = 500;
    const std::size_t columns = rows.front().size();
    for (std::size_t at = 0; at < rows.size(); at += kRowsPerInsert) {
      const std::size_t n = std::min(kRowsPerInsert, rows.size() - at);
      std::string sql = fmt::format("INSERT INTO {}({}) VALUES", t.name, t.columns);
      Params p;
      for (std::size_t i = 0; i < n; ++i) {
        sql += i ? ",(" : "(";
        for (std::size_t c = 0; c < columns; ++c) {
          sql += fmt::format("{}${}", c ? "," : "", i * columns + c + 1);
          std::visit(
              [&](const auto& v) {
                if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) {
                  p.AddNull();
                } else {
                  p.Add(v);
                }
              },
              rows[at + i][c]);
        }
        sql += ")";
      }
      Run(sql, p);
    }
    if (Counted(t.name)) {
      Run(fmt::format("UPDATE gpsi_ids SET last=greatest(last,(SELECT coalesce(max(id),0) FROM {0})) WHERE name='{0}'",
                      t.name));
    }
  }

  void SetMember(const std::string& member) override { member_ = member; }

 private:
  //! Inserts a row of `table` numbered as SQLite numbers an INTEGER PRIMARY KEY, the largest `key`
  //! + 1 (so a number freed by a rollback or by deleting the last rows is given again, where an
  //! identity's sequence would skip it), and returns its number. Writers take turns (Begin), so no
  //! other takes the same number meanwhile; outside a transaction the one statement takes the write
  //! lock, as SQLite's autocommit write does.
  std::int64_t InsertNumbered(const std::string& name, std::string_view table, std::string_view key,
                              std::string_view columns, const Params& p) {
    if (!tx_) {
      Begin();
      try {
        const std::int64_t id = InsertNumbered(name, table, key, columns, p);
        Commit();
        return id;
      } catch (...) {
        Rollback();
        throw;
      }
    }
    // A table under row-level security counts in gpsi_ids: its largest id may be in a row this
    // member cannot see. The count is rolled back with the transaction, as a largest id would be.
    const std::string next =
        Counted(table) ? fmt::format("(UPDATE gpsi_ids SET last=last+1 WHERE name='{}' RETURNING last)", table)
                       : fmt::format("(SELECT coalesce(max({}),0)+1 AS last FROM {})", key, table);
    std::string sql =
        fmt::format("WITH n AS {} INSERT INTO {}({},{}) VALUES((SELECT last FROM n)", next, table, key, columns);
    for (std::size_t i = 1, n = std::count(columns.begin(), columns.end(), ',') + 1; i <= n; ++i) {
      sql += fmt::format(",${}", i);
    }
    return Int(RunPrepared(name, sql + ") RETURNING " + std::string(key), p)[0][0]);
  }

  //! The kept project sheets `where` selects with `p`, by id.
  std::vector<RiskProjectRecord> ReadRiskProjects(std::string_view where, const Params& p) {
    std::vector<RiskProjectRecord> out;
    for (const auto& row : Run(fmt::format("SELECT r.id,r.org,o.key,r.project,r.revision,r.country,r.sheet,r.sha256,"
                                           "r.created,r.created_by FROM risk_projects r JOIN orgs o ON o.id=r.org "
                                           "{} ORDER BY r.id",
                                           where),
                               p)) {
      RiskProjectRecord r;
      r.id = Int(row[0]), r.org_id = Int(row[1]), r.org = Text(row[2]), r.project = Text(row[3]);
      r.revision = static_cast<int>(Int(row[4])), r.country = Text(row[5]), r.sheet = Text(row[6]);
      r.sha256 = Text(row[7]), r.created = Text(row[8]), r.created_by = Text(row[9]);
      out.push_back(std::move(r));
    }
    return out;
  }

  //! Whether `table` is under row-level security and numbers its rows in gpsi_ids (migrations 8, 11).
  static bool Counted(std::string_view table) {
    static constexpr std::array<std::string_view, 6> kCounted{
        "sources", "files", "quarantine", "submissions", "submission_flags", "risk_projects"};
    return std::find(kCounted.begin(), kCounted.end(), table) != kCounted.end();
  }

  //! Translates what libpqxx throws in `f` into a Failure naming `what` (a statement, or empty),
  //! and remembers a failure inside the open transaction, which PostgreSQL has then aborted.
  template <class F>
  auto Guard(std::string_view what, F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const pqxx::sql_error& e) {
      tx_failed_ = tx_ != nullptr;
      throw Failure(StoreError(e, what, shown_));
    } catch (const Failure&) {
      throw;
    } catch (const std::exception& e) {
      tx_failed_ = tx_ != nullptr;
      throw Failure(StoreError(e, what, shown_));
    }
  }

  //! Runs `f` on the open transaction, or when none is open in a transaction of its own (an
  //! autocommit statement, with the member set for it as for every transaction).
  template <class F>
  pqxx::result OnTransaction(F&& f) {
    if (tx_) return f(static_cast<pqxx::transaction_base&>(*tx_));
    pqxx::work alone(*conn_);
    ActAsMember(alone);
    pqxx::result r = f(static_cast<pqxx::transaction_base&>(alone));
    alone.commit();
    return r;
  }

  //! Runs a statement with parameters; the whole result is read (it outlives any transaction).
  pqxx::result Run(const std::string& sql, const Params& p = Params()) {
    return Guard(
        sql, [&] { return OnTransaction([&](pqxx::transaction_base& t) { return t.exec_params(sql, p.Dynamic()); }); });
  }

  //! Runs the statement prepared once per connection as `name` (the per-row paths of an ingest).
  pqxx::result RunPrepared(const std::string& name, const std::string& sql, const Params& p) {
    return Guard(sql, [&] {
      if (prepared_.insert(name).second) conn_->prepare(name, sql);
      return OnTransaction([&](pqxx::transaction_base& t) { return t.exec_prepared(name, p.Dynamic()); });
    });
  }

  //! Runs statements without parameters (a migration).
  void Script(std::string_view sql) {
    Guard("", [&] { return OnTransaction([&](pqxx::transaction_base& t) { return t.exec(std::string(sql)); }); });
  }

  //! Applies the missing migrations, each in its own transaction with the version it reaches;
  //! this session holds the write lock.
  Status MigrateLocked() {
    for (;;) {
      Begin();
      try {
        const int have = SchemaVersion();
        if (have >= kSchemaVersion) {
          Rollback();
          return have > kSchemaVersion ? Status(Newer(have)) : Ok();
        }
        Script(detail::kPgMigrations[static_cast<std::size_t>(have)]);
        Run("UPDATE gpsi_schema SET version=$1", Params().Add(have + 1));
        Commit();
      } catch (...) {
        Rollback();
        throw;
      }
    }
  }

  //! Gives back the write lock that Migrate took for the session.
  void Unlock() noexcept {
    try {
      Run(fmt::format("SELECT pg_advisory_unlock({})", kWriteLockKey));
    } catch (const std::exception&) {
      // The connection is gone, and the lock with it.
    }
  }

  Error Newer(int have) const {
    return Error{Errc::kSchemaNewer, fmt::format("store {} has schema version {}, newer than this gpsi {} (schema {}); "
                                                 "use a newer gpsi",
                                                 shown_, have, Version(), kSchemaVersion)};
  }

  //! Opens the transaction of Begin and TryBegin. READ COMMITTED, PostgreSQL's default, so that each
  //! statement after the lock sees what the writer before committed (the audit chain's last entry).
  void OpenTransaction() {
    if (tx_) {
      throw Failure(Error{Errc::kStoreCorrupt, "store: BEGIN: cannot start a transaction within a transaction"});
    }
    Guard("BEGIN", [&] {
      tx_ = std::make_unique<pqxx::work>(*conn_);
      ActAsMember(*tx_);
      return 0;
    });
    tx_failed_ = false;
  }

  //! SET LOCAL gpsi.member for the transaction `t`: the row-level security of migration 8.
  void ActAsMember(pqxx::transaction_base& t) { t.exec_params("SELECT set_config('gpsi.member', $1, true)", member_); }

  //! Rolls back the transaction being opened and throws the failure `e` of its first statements.
  [[noreturn]] void FailOpening(const std::exception& e) {
    Rollback();
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) throw Failure(StoreError(*sql, "BEGIN", shown_));
    throw Failure(StoreError(e, "BEGIN", shown_));
  }

  std::vector<Unit> QueryUnits(const std::string& sql, const Params& p) {
    std::vector<Unit> out;
    for (const auto& row : Run(sql, p)) {
      Unit u;
      u.code = Text(row[0]);
      u.kind = ParseUnitKind(View(row[1])).value_or(UnitKind::kOther);
      u.name_en = Text(row[2]), u.name_zh = Text(row[3]), u.official_name_en = Text(row[4]);
      u.iso2 = Text(row[5]), u.iso3 = Text(row[6]), u.m49 = Text(row[7]);
      u.region_code = Text(row[8]), u.region_name = Text(row[9]), u.subregion_code = Text(row[10]);
      u.subregion_name = Text(row[11]), u.intermediate_code = Text(row[12]), u.intermediate_name = Text(row[13]);
      u.parent = Text(row[14]);
      out.push_back(std::move(u));
    }
    return out;
  }

  std::vector<FileRecord> QueryFiles(const std::string& tail, const Params& p) {
    std::vector<FileRecord> out;
    for (const auto& row : Run("SELECT id,path,sha256,bytes,coalesce(source,0),descriptor,ingested_at,rows_read,"
                               "rows_accepted,rows_quarantined,rows_skipped FROM files " +
                                   tail,
                               p)) {
      FileRecord f;
      f.id = Int(row[0]), f.path = Text(row[1]), f.sha256 = Text(row[2]), f.bytes = Int(row[3]);
      f.source_id = Int(row[4]), f.descriptor = Text(row[5]), f.ingested_at = Text(row[6]);
      f.rows_read = Int(row[7]), f.rows_accepted = Int(row[8]), f.rows_quarantined = Int(row[9]);
      f.rows_skipped = Int(row[10]);
      out.push_back(std::move(f));
    }
    return out;
  }

  // Every observation of each cell in the order of SourcePriority, then the newest file first.
  void RunCells(const CellFilter& filter, bool resolved, const std::function<void(const ResolvedValue&)>& fn) {
    std::string where = "o.year BETWEEN $1 AND $2";
    AppendInLists(where, filter, "o.");
    // Every observation of a cell in resolution order; the resolved value is the first of each cell.
    const std::string sql = fmt::format(
        "SELECT o.unit,o.year,o.indicator,o.value,s.key,s.publisher,s.release,s.tier,f.path,f.sha256,o.line,o.flags "
        "FROM observations o JOIN sources s ON s.id=o.source JOIN files f ON f.id=o.file WHERE {} AND {} "
        "ORDER BY o.unit,o.indicator,o.year,{},o.file DESC",
        where, Visible("s."), SourcePriority("s."));
    const auto rows = Run(sql, FilterParams(filter));
    ResolvedValue r;
    bool first = true;
    for (const auto& row : rows) {
      if (resolved && !first && r.year == Int(row[1]) && r.unit == View(row[0]) && r.indicator == View(row[2])) {
        continue;
      }
      first = false;
      r = CellRow(row);
      fn(r);
    }
  }

  void PutOrgLists(std::int64_t id, const Organisation& o) {
    for (const auto& unit : o.countries) {
      RunPrepared("ins_org_c", "INSERT INTO org_countries(org,unit) VALUES($1,$2)", Params().Add(id).Add(unit));
    }
    for (const auto& ag : o.agreements) {
      RunPrepared("ins_org_a", "INSERT INTO agreements(org,dataset,indicators) VALUES($1,$2,$3)",
                  Params().Add(id).Add(ag.dataset).Add(JoinList(ag.indicators)));
    }
  }

  std::vector<Organisation> QueryOrgs(const std::string& tail, const Params& p) {
    std::vector<Organisation> out;
    for (const auto& row : Run("SELECT id,key,name_en,name_zh,kind,tier,created,disabled FROM orgs " + tail, p)) {
      Organisation o;
      o.id = Int(row[0]), o.key = Text(row[1]), o.name_en = Text(row[2]), o.name_zh = Text(row[3]);
      o.kind = ParseOrgKind(View(row[4])).value_or(OrgKind::kGovernment);
      o.tier = static_cast<int>(Int(row[5])), o.created = Text(row[6]), o.disabled = Text(row[7]);
      out.push_back(std::move(o));
    }
    for (auto& o : out) {
      for (const auto& row : Run("SELECT unit FROM org_countries WHERE org=$1 ORDER BY unit", Params().Add(o.id))) {
        o.countries.push_back(Text(row[0]));
      }
      for (const auto& row :
           Run("SELECT dataset,indicators FROM agreements WHERE org=$1 ORDER BY dataset", Params().Add(o.id))) {
        o.agreements.push_back(Agreement{Text(row[0]), SplitList(Text(row[1]))});
      }
    }
    return out;
  }

  std::vector<Account> QueryAccounts(const std::string& tail, const Params& p) {
    std::vector<Account> out;
    for (const auto& row : Run("SELECT u.id,u.login,u.name,u.org,o.key,u.role,u.password,u.created,u.disabled,"
                               "u.failed_logins,u.locked_until FROM users u JOIN orgs o ON o.id=u.org " +
                                   tail,
                               p)) {
      Account a;
      a.id = Int(row[0]), a.login = Text(row[1]), a.name = Text(row[2]), a.org_id = Int(row[3]);
      a.org = Text(row[4]), a.role = ParseRole(View(row[5])).value_or(Role::kReader);
      a.password = Text(row[6]), a.created = Text(row[7]), a.disabled = Text(row[8]);
      a.failed_logins = static_cast<int>(Int(row[9])), a.locked_until = Text(row[10]);
      out.push_back(std::move(a));
    }
    return out;
  }

  std::vector<TokenRecord> QueryTokens(const std::string& tail, const Params& p) {
    std::vector<TokenRecord> out;
    for (const auto& row : Run("SELECT t.id,t.\"user\",u.login,t.sha256,t.suffix,t.scopes,t.label,t.created,"
                               "t.expires,t.revoked FROM tokens t JOIN users u ON u.id=t.\"user\" " +
                                   tail,
                               p)) {
      TokenRecord t;
      t.id = Int(row[0]), t.user_id = Int(row[1]), t.login = Text(row[2]), t.sha256 = Text(row[3]);
      t.suffix = Text(row[4]), t.scopes = SplitList(Text(row[5])), t.label = Text(row[6]);
      t.created = Text(row[7]), t.expires = Text(row[8]), t.revoked = Text(row[9]);
      out.push_back(std::move(t));
    }
    return out;
  }

  std::vector<Campaign> QueryCampaigns(const std::string& tail, const Params& p) {
    std::vector<Campaign> out;
    for (const auto& row : Run("SELECT id,key,state,rules,rules_sha256,created,opened,closed,published,results "
                               "FROM campaigns " +
                                   tail,
                               p)) {
      Campaign c;
      c.id = Int(row[0]), c.key = Text(row[1]);
      c.state = ParseCampaignState(View(row[2])).value_or(CampaignState::kSetup);
      c.rules = Text(row[3]), c.rules_sha256 = Text(row[4]), c.created = Text(row[5]), c.opened = Text(row[6]);
      c.closed = Text(row[7]), c.published = Text(row[8]), c.results = Text(row[9]);
      out.push_back(std::move(c));
    }
    return out;
  }

  std::vector<Submission> QuerySubmissions(const std::string& tail, const Params& p) {
    std::vector<Submission> out;
    for (const auto& row : Run("SELECT x.id,o.key,x.org,x.dataset,x.state,x.source,x.file,x.note,x.submitter,"
                               "x.approver,x.reviewer,x.embargo,x.reason,x.created,x.updated "
                               "FROM submissions x JOIN orgs o ON o.id=x.org " +
                                   tail,
                               p)) {
      Submission x;
      x.id = Int(row[0]), x.org = Text(row[1]), x.org_id = Int(row[2]), x.dataset = Text(row[3]);
      x.state = ParseSubmissionState(View(row[4])).value_or(SubmissionState::kDraft);
      x.source_id = Int(row[5]), x.file_id = Int(row[6]), x.note = Text(row[7]), x.submitter = Text(row[8]);
      x.approver = Text(row[9]), x.reviewer = Text(row[10]), x.embargo = Text(row[11]), x.reason = Text(row[12]);
      x.created = Text(row[13]), x.updated = Text(row[14]);
      out.push_back(std::move(x));
    }
    return out;
  }

  //! An observation with its provenance from a row of unit, year, indicator, value, key, publisher,
  //! release, tier, path, sha256, line, flags.
  static ObservationRow CellRow(const pqxx::row& s) {
    ObservationRow r;
    r.unit = Text(s[0]), r.year = static_cast<int>(Int(s[1])), r.indicator = Text(s[2]), r.value = Real(s[3]);
    r.source_key = Text(s[4]), r.publisher = Text(s[5]), r.release = Text(s[6]), r.tier = static_cast<int>(Int(s[7]));
    r.file_path = Text(s[8]), r.file_sha256 = Text(s[9]), r.line = Int(s[10]), r.flags = Text(s[11]);
    return r;
  }

  //! A stored value as its column's type keeps it (a ctext domain reads as its base type, text).
  static StoredValue Value(const pqxx::field& f) {
    constexpr pqxx::oid kInt2 = 21, kInt4 = 23, kInt8 = 20, kFloat4 = 700, kFloat8 = 701;
    if (f.is_null()) return std::monostate{};
    switch (f.type()) {
      case kInt2:
      case kInt4:
      case kInt8: return f.as<std::int64_t>();
      case kFloat4:
      case kFloat8: return f.as<double>();
      default: return Text(f);
    }
  }

  //! Runs the query `sql` through a cursor and gives `fn` its rows a batch at a time, so that a
  //! table of millions of rows is never held whole: in the open transaction, or else in one of its
  //! own for the read (which the statements of `fn` on this store then run in too).
  void ForEachBatch(const std::string& sql, const std::function<void(const pqxx::result&)>& fn) {
    constexpr int kBatchRows = 20000;
    const std::string cursor = fmt::format("gpsi_rows_{}", ++cursors_);
    const bool own = !tx_;
    if (own) OpenTransaction();
    try {
      Run(fmt::format("DECLARE {} NO SCROLL CURSOR FOR {}", cursor, sql));
      for (;;) {
        const auto batch = Run(fmt::format("FETCH {} FROM {}", kBatchRows, cursor));
        if (batch.empty()) break;
        fn(batch);
      }
      Run("CLOSE " + cursor);
    } catch (...) {
      if (own) Rollback();
      throw;
    }
    if (own) Commit();
  }

  void ReadAudit(const std::string& tail, const Params& p, const std::function<void(const AuditEntry&)>& fn) {
    const auto rows =
        Run("SELECT seq,at,actor,org,origin,action,target,before,after,prev_hash,hash FROM audit_log " + tail, p);
    for (const auto& s : rows) {
      fn(AuditEntry{Int(s[0]), Text(s[1]), Text(s[2]), Text(s[3]), Text(s[4]), Text(s[5]), Text(s[6]), Text(s[7]),
                    Text(s[8]), Text(s[9]), Text(s[10])});
    }
  }

  std::unique_ptr<pqxx::connection> conn_;
  std::string shown_;     // the URI fit to show (ShownLocation)
  std::string blob_dir_;  // BlobDir(), fixed at open
  std::unique_ptr<pqxx::work> tx_;
  std::string member_;              // SetMember: '' none, '*' every member, or an organisation's id
  bool tx_failed_ = false;          // a statement of tx_ failed: PostgreSQL will only roll it back
  std::set<std::string> prepared_;  // names given to conn_->prepare
  std::string pool_key_;            // where the connection goes back to (Pool)
  int cursors_ = 0;                 // cursors declared, for a new name each
};

//! A new connection to `uri`, set up as every store's is.
Result<std::unique_ptr<pqxx::connection>> Connect(const std::string& uri, StoreAccess access,
                                                  const std::string& shown) {
  try {
    auto conn = std::make_unique<pqxx::connection>(uri);
    // set_variable, not SET: libpqxx sets them again should it have to reconnect.
    conn->set_variable("client_encoding", "'UTF8'");
    conn->set_variable("TimeZone", "'UTC'");
    conn->set_variable("extra_float_digits", "3");  // every double reads back exactly
    if (access == StoreAccess::kRead) conn->set_variable("default_transaction_read_only", "on");
    // Text of another encoding would be converted, or refused, where SQLite keeps UTF-8 as it is.
    pqxx::nontransaction n(*conn);
    const std::string encoding = n.exec("SHOW server_encoding")[0][0].c_str();
    n.commit();
    if (encoding != "UTF8") {
      return Error{Errc::kIo,
                   fmt::format("cannot open store: the database's encoding is {}, not UTF8 (create it with "
                               "ENCODING 'UTF8')",
                               encoding),
                   shown};
    }
    return conn;
  } catch (const std::exception& e) {
    return Error{Errc::kIo, fmt::format("cannot open store: {}", OneLine(e.what())), shown};
  }
}

//! $GPSI_BLOBS, else $XDG_DATA_HOME/gpsi/<dbname>.blobs (~/.local/share when unset): the raw bytes
//! of a PostgreSQL store stay in a folder, as an SQLite store's do beside it.
std::string BlobDirOf(std::string dbname) {
  if (const char* blobs = std::getenv("GPSI_BLOBS"); blobs && *blobs) return blobs;
  fs::path base;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    base = xdg;
  } else {
    const char* home = std::getenv("HOME");
    base = fs::path(home && *home ? home : ".") / ".local" / "share";
  }
  std::replace(dbname.begin(), dbname.end(), '/', '_');  // a database's name may hold one
  return (base / "gpsi" / (dbname + ".blobs")).string();
}

}  // namespace
}  // namespace pg_backend

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& uri, StoreAccess access) {
  const std::string shown = ShownLocation(uri);
  const std::string key = uri + (access == StoreAccess::kRead ? "\n(read)" : "\n(write)");
  auto kept = pg_backend::Pool::Get().Take(key);
  if (!kept) {
    auto conn = pg_backend::Connect(uri, access, shown);
    if (!conn) return conn.error();
    kept = pg_backend::Connection{std::move(*conn), {}};
  }
  std::string blob_dir = pg_backend::BlobDirOf(kept->conn->dbname());
  std::unique_ptr<Store> store =
      std::make_unique<pg_backend::PgStore>(std::move(*kept), key, shown, std::move(blob_dir));
  return store;
}

}  // namespace gpsi
