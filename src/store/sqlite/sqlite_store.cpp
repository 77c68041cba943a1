// SQLite backend of the Store interface.
#include <sqlite3.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <filesystem>
#include <map>
#include <tuple>
#include <unordered_map>

#include "../detail/common.hpp"
#include "../store.hpp"
#include "migrations.hpp"

namespace gpsi {
namespace {

namespace fs = std::filesystem;
using detail::JoinList;
using detail::kBusyTimeoutMs;
using detail::kWritesHint;
using detail::SourcePriority;
using detail::SplitList;
using detail::Visible;

//! The error of SQLite's last failure on `db` (`what`: the statement, or empty).
Error StoreError(sqlite3* db, std::string_view what) {
  // Another process holding the write lock past the busy timeout is not a broken store: say so,
  // as an input problem (exit 3) to retry, not an internal error with SQLite's words.
  const int code = db ? (sqlite3_extended_errcode(db) & 0xFF) : SQLITE_ERROR;
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
    return Error{Errc::kIo, fmt::format("the store is busy: another gpsi is writing to it (waited {} s); "
                                        "try again when it has finished",
                                        kBusyTimeoutMs / 1000)};
  }
  // Neither is a store that this process may not write (a published snapshot, a read-only
  // mount, another user's file): the command, not the store, is at fault.
  if (code == SQLITE_READONLY) {
    const char* file = sqlite3_db_filename(db, "main");
    return Error{Errc::kIo, fmt::format("the store is read-only: {}; {}", sqlite3_errmsg(db), kWritesHint),
                 file ? file : ""};
  }
  const char* msg = db ? sqlite3_errmsg(db) : "?";
  return Error{Errc::kStoreCorrupt,
               what.empty() ? fmt::format("store: {}", msg) : fmt::format("store: {}: {}", what, msg)};
}

[[noreturn]] void Fail(sqlite3* db, std::string_view what) {
  throw Failure(StoreError(db, what));
}

//! A prepared statement, reset after each use.
class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
        SQLITE_OK) {
      Fail(db, sql);
    }
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(stmt_, o.stmt_);
    return *this;
  }

  Stmt& Bind(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  //! Binds text the caller keeps alive and unchanged until the statement is reset (no copy).
  Stmt& BindStatic(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& Bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<std::int64_t>(v)); }
  Stmt& Bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  //! Steps once; true while a row is available.
  bool Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Fail(db_, sqlite3_sql(stmt_));
  }
  //! Runs to completion and resets; returns the number of changed rows.
  int Exec() {
    while (Step()) {
    }
    int n = sqlite3_changes(db_);
    Reset();
    return n;
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  //! Runs to completion and resets, keeping the bindings: for a statement whose every parameter
  //! is bound again before each run (static bindings then never outlive their text's use).
  int ExecKeepBindings() {
    while (Step()) {
    }
    int n = sqlite3_changes(db_);
    sqlite3_reset(stmt_);
    return n;
  }
  std::string Text(int i) const {
    const unsigned char* p = sqlite3_column_text(stmt_, i);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, i)) : std::string();
  }
  std::int64_t Int(int i) const { return sqlite3_column_int64(stmt_, i); }
  double Real(int i) const { return sqlite3_column_double(stmt_, i); }
  sqlite3_stmt* raw() const { return stmt_; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

//! Appends " AND <prefix>unit IN (?3,…) AND <prefix>indicator IN (…)" for the filter's lists
//! (parameters ?1 and ?2 are the year range); empty lists add nothing.
void AppendInLists(std::string& where, const CellFilter& filter, const char* prefix) {
  auto in_list = [&](const char* col, const std::vector<std::string>& v, int first) {
    if (v.empty()) return;
    where += fmt::format(" AND {}{} IN (", prefix, col);
    for (std::size_t i = 0; i < v.size(); ++i) where += fmt::format("{}?{}", i ? "," : "", first + static_cast<int>(i));
    where += ")";
  };
  in_list("unit", filter.units, 3);
  in_list("indicator", filter.indicators, 3 + static_cast<int>(filter.units.size()));
}

//! Removes the empty -wal and -shm that a read-only connection leaves beside `path`: it cannot
//! checkpoint, so SQLite keeps them; harmless, but a read command should leave the folder as it
//! found it. SQLite's own way (wal.html): a connection that may write reads and closes, and removes
//! them if it is the last one. It writes nothing to the store, the log being empty; a log another
//! gpsi filled meanwhile is left to that gpsi, or checkpointed as its own close would have done.
void TidyWal(const std::string& path) {
  std::error_code ec;
  const std::string wal = path + "-wal";
  if (!fs::exists(wal, ec) || fs::file_size(wal, ec) != 0 || ec || ::access(path.c_str(), W_OK) != 0) return;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 1000);
    sqlite3_exec(db, "PRAGMA user_version", nullptr, nullptr, nullptr);
  }
  sqlite3_close_v2(db);
}

class SqliteStore final : public Store {
 public:
  //! `tidy_wal`: a read-only connection that may leave an empty -wal and -shm behind (TidyWal).
  SqliteStore(sqlite3* db, std::string path, bool tidy_wal = false)
      : db_(db), path_(std::move(path)), tidy_wal_(tidy_wal) {}
  ~SqliteStore() override {
    stmts_.clear();
    sqlite3_close_v2(db_);
    if (tidy_wal_) TidyWal(path_);
  }

  int SchemaVersion() override {
    Stmt s(db_, "PRAGMA user_version");
    return s.Step() ? static_cast<int>(s.Int(0)) : 0;
  }

  Status Migrate() override {
    int have = SchemaVersion();
    if (have > kSchemaVersion) {
      return Error{Errc::kSchemaNewer,
                   fmt::format("store {} has schema version {}, newer than this gpsi {} (schema {}); "
                               "use a newer gpsi",
                               path_, have, Version(), kSchemaVersion)};
    }
    // Foreign keys off while a migration runs, as SQLite's way of changing a table's schema asks
    // (a copy, the old one dropped, the copy renamed: migration 11); checked before each commit.
    const bool keys_on = ForeignKeysOn();
    SetForeignKeys(false);
    for (int v = have; v < kSchemaVersion; ++v) {
      Exec("BEGIN IMMEDIATE");
      try {
        Exec(detail::kMigrations[static_cast<std::size_t>(v)]);
        if (Stmt check(db_, "PRAGMA foreign_key_check"); check.Step()) {
          throw Failure(Error{Errc::kStoreCorrupt,
                              fmt::format("migration {} breaks a foreign key of table {}", v + 1, check.Text(0))});
        }
        Exec(fmt::format("PRAGMA user_version = {}", v + 1));
        Exec("COMMIT");
      } catch (...) {
        Exec("ROLLBACK");
        SetForeignKeys(keys_on);
        throw;
      }
    }
    SetForeignKeys(keys_on);
    return Ok();
  }

  std::string BlobDir() const override { return path_ + ".blobs"; }

  void SetForeignKeys(bool on) override { Exec(on ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF"); }
  bool ForeignKeysOn() {
    Stmt s(db_, "PRAGMA foreign_keys");
    return s.Step() && s.Int(0) != 0;
  }
  void Begin() override { Exec("BEGIN IMMEDIATE"); }
  bool TryBegin() override {
    sqlite3_busy_timeout(db_, 0);
    const int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    if (rc == SQLITE_OK) return true;
    if ((rc & 0xFF) == SQLITE_BUSY || (rc & 0xFF) == SQLITE_LOCKED) return false;
    Fail(db_, "BEGIN IMMEDIATE");
  }
  void Commit() override { Exec("COMMIT"); }
  void Rollback() override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  void UpsertUnit(const Unit& u) override {
    auto& s = Prep("upsert_unit",
                   "INSERT INTO units(code,kind,name_en,name_zh,official_name_en,iso2,iso3,m49,region_code,"
                   "region_name,subregion_code,subregion_name,intermediate_code,intermediate_name,parent) "
                   "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15) ON CONFLICT(code) DO UPDATE SET "
                   "kind=excluded.kind,name_en=excluded.name_en,"
                   "name_zh=CASE WHEN excluded.name_zh<>'' THEN excluded.name_zh ELSE name_zh END,"
                   "official_name_en=excluded.official_name_en,iso2=excluded.iso2,iso3=excluded.iso3,"
                   "m49=CASE WHEN excluded.m49<>'' THEN excluded.m49 ELSE m49 END,"
                   "region_code=CASE WHEN excluded.region_code<>'' THEN excluded.region_code ELSE region_code END,"
                   "region_name=CASE WHEN excluded.region_code<>'' THEN excluded.region_name ELSE region_name END,"
                   "subregion_code=CASE WHEN excluded.subregion_code<>'' THEN excluded.subregion_code "
                   "ELSE subregion_code END,"
                   "subregion_name=CASE WHEN excluded.subregion_code<>'' THEN excluded.subregion_name "
                   "ELSE subregion_name END,"
                   "intermediate_code=CASE WHEN excluded.intermediate_code<>'' THEN excluded.intermediate_code "
                   "ELSE intermediate_code END,"
                   "intermediate_name=CASE WHEN excluded.intermediate_code<>'' THEN excluded.intermediate_name "
                   "ELSE intermediate_name END,parent=excluded.parent");
    s.Bind(1, u.code).Bind(2, ToString(u.kind)).Bind(3, u.name_en).Bind(4, u.name_zh).Bind(5, u.official_name_en);
    s.Bind(6, u.iso2).Bind(7, u.iso3).Bind(8, u.m49).Bind(9, u.region_code).Bind(10, u.region_name);
    s.Bind(11, u.subregion_code).Bind(12, u.subregion_name).Bind(13, u.intermediate_code);
    s.Bind(14, u.intermediate_name);
    if (u.parent.empty()) {
      s.BindNull(15);
    } else {
      s.Bind(15, u.parent);
    }
    s.Exec();
  }

  void AddUnitName(const std::string& key, const std::string& unit, const std::string& origin) override {
    Prep("add_name", "INSERT OR IGNORE INTO unit_names(name_key,unit,origin) VALUES(?1,?2,?3)")
        .Bind(1, key)
        .Bind(2, unit)
        .Bind(3, origin)
        .Exec();
  }

  void ReplaceUnitName(const std::string& key, const std::string& unit, const std::string& origin) override {
    Prep("del_name", "DELETE FROM unit_names WHERE name_key=?1 AND unit<>?2").Bind(1, key).Bind(2, unit).Exec();
    AddUnitName(key, unit, origin);
  }

  void AddAggregateName(const std::string& key, const std::string& label, const std::string& origin) override {
    Prep("add_agg", "INSERT OR IGNORE INTO aggregate_names(name_key,label,origin) VALUES(?1,?2,?3)")
        .Bind(1, key)
        .Bind(2, label)
        .Bind(3, origin)
        .Exec();
  }

  void SetUnitGroup(const std::string& unit, const std::string& grouping, const std::string& value,
                    std::int64_t file_id) override {
    auto& s = Prep("set_group", "INSERT OR REPLACE INTO unit_groups(unit,grouping,value,file) VALUES(?1,?2,?3,?4)");
    s.Bind(1, unit).Bind(2, grouping).Bind(3, value);
    if (file_id > 0) {
      s.Bind(4, file_id);
    } else {
      s.BindNull(4);
    }
    s.Exec();
  }

  std::vector<Unit> Units() override { return QueryUnits("SELECT * FROM units ORDER BY code", ""); }

  std::optional<Unit> FindUnit(const std::string& code) override {
    auto v = QueryUnits("SELECT * FROM units WHERE code=?1", code);
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::vector<std::pair<std::string, std::string>> UnitNames() override {
    std::vector<std::pair<std::string, std::string>> out;
    Stmt s(db_, "SELECT name_key, unit FROM unit_names ORDER BY name_key, unit");
    while (s.Step()) out.emplace_back(s.Text(0), s.Text(1));
    return out;
  }

  std::vector<std::string> AggregateNames() override {
    std::vector<std::string> out;
    Stmt s(db_, "SELECT name_key FROM aggregate_names ORDER BY name_key");
    while (s.Step()) out.push_back(s.Text(0));
    return out;
  }

  std::vector<std::tuple<std::string, std::string, std::string>> UnitGroups() override {
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    Stmt s(db_, "SELECT unit, grouping, value FROM unit_groups ORDER BY unit, grouping");
    while (s.Step()) out.emplace_back(s.Text(0), s.Text(1), s.Text(2));
    return out;
  }

  std::int64_t UpsertSource(const Source& src) override {
    auto& find = Prep("find_source", "SELECT id FROM sources WHERE key=?1 AND release=?2");
    find.Bind(1, src.key).Bind(2, src.release);
    if (find.Step()) {
      std::int64_t id = find.Int(0);
      find.Reset();
      return id;
    }
    find.Reset();
    auto& ins = Prep("ins_source",
                     "INSERT INTO sources(key,publisher,tier,licence,url,release,retrieved,preference) "
                     "VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    ins.Bind(1, src.key).Bind(2, src.publisher).Bind(3, src.tier).Bind(4, src.licence).Bind(5, src.url);
    ins.Bind(6, src.release).Bind(7, src.retrieved).Bind(8, src.preference).Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  std::vector<SourceRecord> Sources() override {
    std::vector<SourceRecord> out;
    Stmt s(db_,
           "SELECT s.id,s.key,s.publisher,s.tier,s.licence,s.url,s.release,s.retrieved,s.preference,"
           "(SELECT count(*) FROM observations o WHERE o.source=s.id) FROM sources s WHERE " +
               Visible("s.") + " ORDER BY s.tier,s.key,s.release");
    while (s.Step()) {
      SourceRecord r;
      r.id = s.Int(0);
      r.source = Source{s.Text(1), s.Text(2), static_cast<int>(s.Int(3)), s.Text(4), s.Text(5),
                        s.Text(6), s.Text(7), static_cast<int>(s.Int(8))};
      r.observations = s.Int(9);
      out.push_back(std::move(r));
    }
    return out;
  }

  std::optional<FileRecord> FindFileBySha(const std::string& sha) override {
    auto v = QueryFiles("WHERE sha256=?1", sha);
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::int64_t InsertFile(const FileRecord& f) override {
    auto& s = Prep("ins_file",
                   "INSERT INTO files(path,sha256,bytes,source,descriptor,ingested_at) VALUES(?1,?2,?3,?4,?5,?6)");
    s.Bind(1, f.path).Bind(2, f.sha256).Bind(3, f.bytes);
    if (f.source_id > 0) {
      s.Bind(4, f.source_id);
    } else {
      s.BindNull(4);
    }
    s.Bind(5, f.descriptor).Bind(6, f.ingested_at).Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  void UpdateFileCounts(const FileRecord& f) override {
    Prep("upd_file", "UPDATE files SET rows_read=?2,rows_accepted=?3,rows_quarantined=?4,rows_skipped=?5 WHERE id=?1")
        .Bind(1, f.id)
        .Bind(2, f.rows_read)
        .Bind(3, f.rows_accepted)
        .Bind(4, f.rows_quarantined)
        .Bind(5, f.rows_skipped)
        .Exec();
  }

  std::vector<FileRecord> Files() override { return QueryFiles("ORDER BY id", ""); }

  // The text argument meets the INTEGER column's affinity, so it compares as a number.
  std::vector<FileRecord> FilesOf(std::int64_t source_id) override {
    return QueryFiles("WHERE source=?1 ORDER BY id", std::to_string(source_id));
  }

  void UpsertIndicator(const Indicator& ind) override {
    auto& s = Prep("upsert_ind",
                   "INSERT INTO indicators(code,name_en,name_zh,unit_of_measure,dimension,direction,description) "
                   "VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(code) DO UPDATE SET "
                   "name_en=CASE WHEN excluded.name_en<>'' THEN excluded.name_en ELSE name_en END,"
                   "name_zh=CASE WHEN excluded.name_zh<>'' THEN excluded.name_zh ELSE name_zh END,"
                   "unit_of_measure=CASE WHEN excluded.unit_of_measure<>'' THEN excluded.unit_of_measure "
                   "ELSE unit_of_measure END,"
                   "dimension=CASE WHEN excluded.dimension<>'' THEN excluded.dimension ELSE dimension END,"
                   "direction=excluded.direction,"
                   "description=CASE WHEN excluded.description<>'' THEN excluded.description ELSE description END");
    s.Bind(1, ind.code).Bind(2, ind.name_en).Bind(3, ind.name_zh).Bind(4, ind.unit_of_measure);
    s.Bind(5, ind.dimension).Bind(6, ind.direction).Bind(7, ind.description).Exec();
  }

  void EnsureIndicator(const std::string& code) override {
    Prep("ensure_ind", "INSERT OR IGNORE INTO indicators(code) VALUES(?1)").Bind(1, code).Exec();
  }

  std::vector<Indicator> Indicators() override {
    std::vector<Indicator> out;
    Stmt s(db_,
           "SELECT code,name_en,name_zh,unit_of_measure,dimension,direction,description FROM indicators ORDER BY code");
    while (s.Step()) {
      out.push_back(
          Indicator{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), static_cast<int>(s.Int(5)), s.Text(6)});
    }
    return out;
  }

  InsertOutcome InsertObservation(const Observation& o, std::int64_t source_id, std::int64_t file_id,
                                  std::int64_t* first_line) override {
    // The hot path of ingest: the statement is looked up once and the text is bound without copies.
    if (!ins_obs_) {
      ins_obs_ = &Prep("ins_obs",
                       "INSERT INTO observations(unit,indicator,year,file,value,source,line,flags) "
                       "VALUES(?1,?2,?3,?4,?5,?6,?7,?8) ON CONFLICT DO NOTHING");
    }
    Stmt& ins = *ins_obs_;
    ins.BindStatic(1, o.unit).BindStatic(2, o.indicator).Bind(3, o.year).Bind(4, file_id).Bind(5, o.value);
    ins.Bind(6, source_id).Bind(7, o.line).BindStatic(8, o.flags);
    if (ins.ExecKeepBindings() == 1) return InsertOutcome::kInserted;
    auto& get =
        Prep("get_obs", "SELECT value,line FROM observations WHERE unit=?1 AND indicator=?2 AND year=?3 AND file=?4");
    get.Bind(1, o.unit).Bind(2, o.indicator).Bind(3, o.year).Bind(4, file_id);
    InsertOutcome out = InsertOutcome::kDuplicateConflict;
    if (get.Step()) {
      if (get.Real(0) == o.value) out = InsertOutcome::kDuplicateSame;
      if (first_line) *first_line = get.Int(1);
    }
    get.Reset();
    return out;
  }

  void InsertQuarantine(std::int64_t file_id, const QuarantineRow& q) override {
    Prep("ins_q", "INSERT INTO quarantine(file,line,\"column\",raw,reason,detail) VALUES(?1,?2,?3,?4,?5,?6)")
        .Bind(1, file_id)
        .Bind(2, q.line)
        .Bind(3, q.column)
        .Bind(4, q.raw)
        .Bind(5, q.reason)
        .Bind(6, q.detail)
        .Exec();
  }

  std::int64_t CountRows(const std::string& table) override {
    detail::CheckKnownTable(table);
    Stmt s(db_, "SELECT count(*) FROM " + table);
    return s.Step() ? s.Int(0) : 0;
  }

  std::vector<QuarantineRow> Quarantine(std::int64_t file_id) override {
    std::vector<QuarantineRow> out;
    Stmt s(db_, "SELECT line,\"column\",raw,reason,detail FROM quarantine WHERE ?1=0 OR file=?1 ORDER BY file,line,id");
    s.Bind(1, file_id);
    while (s.Step()) out.push_back(QuarantineRow{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4)});
    return out;
  }

  void Resolved(const CellFilter& filter, const std::function<void(const ResolvedValue&)>& fn) override {
    RunCells(filter, true, fn);
  }

  void Observations(const CellFilter& filter, const std::function<void(const ObservationRow&)>& fn) override {
    RunCells(filter, false, fn);
  }

  void ResolvedValues(const CellFilter& filter, const std::function<void(const CellValue&)>& fn) override {
    // The source-priority rule as a rank per source id; ties go to the newest file below.
    std::unordered_map<std::int64_t, std::pair<int, std::string>> rank;
    {
      Stmt s(db_,
             "SELECT id, key || '@' || release FROM sources WHERE " + Visible("") + " ORDER BY " + SourcePriority(""));
      for (int k = 0; s.Step(); ++k) rank.emplace(s.Int(0), std::make_pair(k, s.Text(1)));
    }
    std::unordered_map<std::int64_t, std::string> sha;
    {
      Stmt f(db_, "SELECT id, sha256 FROM files");
      while (f.Step()) sha.emplace(f.Int(0), f.Text(1));
    }
    std::string where = "year BETWEEN ?1 AND ?2";
    AppendInLists(where, filter, "");
    // The primary key's order (unit, indicator, year, file): no sort needed.
    Stmt s(db_, "SELECT unit, indicator, year, value, source, file, line FROM observations WHERE " + where +
                    " ORDER BY unit, indicator, year, file");
    s.Bind(1, filter.year_from).Bind(2, filter.year_to);
    int i = 3;
    for (const auto& u : filter.units) s.Bind(i++, u);
    for (const auto& ind : filter.indicators) s.Bind(i++, ind);
    std::string unit, indicator;
    CellValue best;
    int best_rank = 0;
    bool have = false;
    auto emit = [&] {
      if (!have) return;
      best.unit = unit, best.indicator = indicator;
      fn(best);
    };
    while (s.Step()) {
      auto text = [&](int c) {
        return std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(s.raw(), c)),
                                static_cast<std::size_t>(sqlite3_column_bytes(s.raw(), c)));
      };
      std::string_view u = text(0), ind = text(1);
      int year = static_cast<int>(s.Int(2));
      const auto ranked = rank.find(s.Int(4));
      if (ranked == rank.end()) continue;  // a source release not visible (yet)
      const auto& [r, key] = ranked->second;
      bool same = have && year == best.year && u == unit && ind == indicator;
      // Later files come later within a cell, so ties in rank go to the newest file (file DESC).
      if (same && r > best_rank) continue;
      if (!same) {
        emit();
        unit.assign(u), indicator.assign(ind);
        have = true;
      }
      best.year = year, best.value = s.Real(3), best.source = key, best_rank = r;
      best.file = sha.at(s.Int(5)), best.line = s.Int(6);
    }
    emit();
  }

  std::int64_t InsertEventPoints(const std::vector<EventPoint>& points) override {
    auto& s =
        Prep("ins_point", fmt::format("INSERT INTO event_points({}) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
                                      "?13,?14) ON CONFLICT DO NOTHING",
                                      detail::kEventPointColumns));
    std::int64_t added = 0;
    try {
      for (const EventPoint& p : points) {
        s.BindStatic(1, p.source).BindStatic(2, p.event_id).Bind(3, p.day).Bind(4, p.lat).Bind(5, p.lon);
        s.BindStatic(6, p.adm1).BindStatic(7, p.country_fips).BindStatic(8, p.unit).Bind(9, p.root_code);
        s.Bind(10, p.quad_class).Bind(11, p.goldstein).Bind(12, p.mentions).BindStatic(13, p.file_sha256);
        s.Bind(14, p.line);
        added += s.ExecKeepBindings();
      }
    } catch (...) {
      s.Reset();  // a refused row (a CHECK) leaves the statement unreset, its bindings on the points' text
      throw;
    }
    s.Reset();  // no binding outlives the points' text
    return added;
  }

  std::vector<EventPoint> EventPoints(const EventPointFilter& filter) override {
    Stmt s(db_, fmt::format("SELECT {} FROM event_points WHERE {} ORDER BY {}", detail::kEventPointColumns,
                            detail::EventPointWhere(filter, "?"), detail::kEventPointOrder));
    detail::EventPointArgs(
        filter, [&](int i, std::int64_t v) { s.Bind(i, v); }, [&](int i, const std::string& v) { s.Bind(i, v); },
        [&](int i, double v) { s.Bind(i, v); });
    std::vector<EventPoint> out;
    while (s.Step()) {
      EventPoint p;
      p.source = s.Text(0), p.event_id = s.Text(1), p.day = static_cast<int>(s.Int(2));
      p.lat = s.Real(3), p.lon = s.Real(4), p.adm1 = s.Text(5), p.country_fips = s.Text(6), p.unit = s.Text(7);
      p.root_code = static_cast<int>(s.Int(8)), p.quad_class = static_cast<int>(s.Int(9));
      p.goldstein = s.Real(10), p.mentions = s.Int(11), p.file_sha256 = s.Text(12), p.line = s.Int(13);
      out.push_back(std::move(p));
    }
    return out;
  }

  void RecordRun(const RunRecord& r) override {
    auto& s = Prep("record_run",
                   "INSERT INTO runs(id,created,method_id,method_hash,data_hash,engine_version,out_dir,"
                   "scores_sha256) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    s.Bind(1, r.id).Bind(2, r.created).Bind(3, r.method_id).Bind(4, r.method_hash).Bind(5, r.data_hash);
    s.Bind(6, r.engine_version).Bind(7, r.out_dir).Bind(8, r.scores_sha256);
    s.Exec();
  }

  std::vector<RunRecord> Runs() override {
    std::vector<RunRecord> out;
    Stmt s(db_,
           "SELECT id,created,method_id,method_hash,data_hash,engine_version,out_dir,scores_sha256 FROM runs "
           "ORDER BY seq");
    while (s.Step()) {
      out.push_back(RunRecord{s.Text(0), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(1), s.Text(6), s.Text(7)});
    }
    return out;
  }

  std::optional<FetchState> FindFetchState(const std::string& url) override {
    Stmt s(db_, "SELECT url,etag,last_modified,sha256,fetched_at FROM fetch_state WHERE url=?1");
    s.Bind(1, url);
    if (!s.Step()) return std::nullopt;
    return FetchState{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)};
  }

  void PutFetchState(const FetchState& f) override {
    Stmt s(db_,
           "INSERT INTO fetch_state(url,etag,last_modified,sha256,fetched_at) VALUES(?1,?2,?3,?4,?5) "
           "ON CONFLICT(url) DO UPDATE SET etag=excluded.etag,last_modified=excluded.last_modified,"
           "sha256=excluded.sha256,fetched_at=excluded.fetched_at");
    s.Bind(1, f.url).Bind(2, f.etag).Bind(3, f.last_modified).Bind(4, f.sha256).Bind(5, f.fetched_at);
    s.Exec();
  }

  std::int64_t InsertOrg(const Organisation& o) override {
    auto& s = Prep("ins_org",
                   "INSERT INTO orgs(key,name_en,name_zh,kind,tier,created,disabled) VALUES(?1,?2,?3,?4,?5,?6,?7)");
    s.Bind(1, o.key).Bind(2, o.name_en).Bind(3, o.name_zh).Bind(4, ToString(o.kind)).Bind(5, o.tier);
    s.Bind(6, o.created).Bind(7, o.disabled).Exec();
    const std::int64_t id = sqlite3_last_insert_rowid(db_);
    PutOrgLists(id, o);
    return id;
  }

  void UpdateOrg(const Organisation& o) override {
    auto& s = Prep("upd_org", "UPDATE orgs SET name_en=?2,name_zh=?3,kind=?4,tier=?5,disabled=?6 WHERE id=?1");
    s.Bind(1, o.id).Bind(2, o.name_en).Bind(3, o.name_zh).Bind(4, ToString(o.kind)).Bind(5, o.tier);
    s.Bind(6, o.disabled).Exec();
    Prep("del_org_c", "DELETE FROM org_countries WHERE org=?1").Bind(1, o.id).Exec();
    Prep("del_org_a", "DELETE FROM agreements WHERE org=?1").Bind(1, o.id).Exec();
    PutOrgLists(o.id, o);
  }

  std::vector<Organisation> Orgs() override { return QueryOrgs("ORDER BY key", ""); }

  std::optional<Organisation> FindOrg(const std::string& key) override {
    auto v = QueryOrgs("WHERE key=?1", key);
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::int64_t InsertAccount(const Account& a) override {
    auto& s = Prep("ins_user",
                   "INSERT INTO users(login,name,org,role,password,created,disabled,failed_logins,locked_until) "
                   "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)");
    s.Bind(1, a.login).Bind(2, a.name).Bind(3, a.org_id).Bind(4, ToString(a.role)).Bind(5, a.password);
    s.Bind(6, a.created).Bind(7, a.disabled).Bind(8, a.failed_logins).Bind(9, a.locked_until).Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  void UpdateAccount(const Account& a) override {
    auto& s = Prep("upd_user",
                   "UPDATE users SET name=?2,role=?3,password=?4,disabled=?5,failed_logins=?6,locked_until=?7 "
                   "WHERE id=?1");
    s.Bind(1, a.id).Bind(2, a.name).Bind(3, ToString(a.role)).Bind(4, a.password).Bind(5, a.disabled);
    s.Bind(6, a.failed_logins).Bind(7, a.locked_until).Exec();
  }

  std::vector<Account> Accounts() override { return QueryAccounts("ORDER BY u.login", ""); }

  std::optional<Account> FindAccount(const std::string& login) override {
    auto v = QueryAccounts("WHERE u.login=?1", login);
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::int64_t InsertToken(const TokenRecord& t) override {
    auto& s = Prep("ins_token",
                   "INSERT INTO tokens(user,sha256,suffix,scopes,label,created,expires,revoked) "
                   "VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    s.Bind(1, t.user_id).Bind(2, t.sha256).Bind(3, t.suffix).Bind(4, JoinList(t.scopes)).Bind(5, t.label);
    s.Bind(6, t.created).Bind(7, t.expires).Bind(8, t.revoked).Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  void RevokeToken(std::int64_t id, const std::string& at) override {
    Prep("revoke_token", "UPDATE tokens SET revoked=?2 WHERE id=?1").Bind(1, id).Bind(2, at).Exec();
  }

  std::vector<TokenRecord> Tokens() override { return QueryTokens("ORDER BY t.id", ""); }

  std::optional<TokenRecord> FindTokenBySha(const std::string& sha256) override {
    auto v = QueryTokens("WHERE t.sha256=?1", sha256);
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::int64_t InsertSession(const SessionRecord& x) override {
    auto& s = Prep("ins_session", "INSERT INTO sessions(user,sha256,created,expires,revoked) VALUES(?1,?2,?3,?4,?5)");
    s.Bind(1, x.user_id).Bind(2, x.sha256).Bind(3, x.created).Bind(4, x.expires).Bind(5, x.revoked).Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  void RevokeSession(std::int64_t id, const std::string& at) override {
    Prep("revoke_session", "UPDATE sessions SET revoked=?2 WHERE id=?1").Bind(1, id).Bind(2, at).Exec();
  }

  void ExtendSession(std::int64_t id, const std::string& expires) override {
    Prep("extend_session", "UPDATE sessions SET expires=?2 WHERE id=?1 AND revoked=''")
        .Bind(1, id)
        .Bind(2, expires)
        .Exec();
  }

  std::int64_t EndSessionsOf(std::int64_t user_id, const std::string& at) override {
    Prep("end_sessions", "UPDATE sessions SET revoked=?2 WHERE user=?1 AND revoked='' AND expires>?2")
        .Bind(1, user_id)
        .Bind(2, at)
        .Exec();
    return sqlite3_changes(db_);
  }

  std::optional<SessionRecord> FindSessionBySha(const std::string& sha256) override {
    Stmt s(db_,
           "SELECT x.id,x.user,u.login,x.sha256,x.created,x.expires,x.revoked "
           "FROM sessions x JOIN users u ON u.id=x.user WHERE x.sha256=?1");
    s.Bind(1, sha256);
    if (!s.Step()) return std::nullopt;
    SessionRecord x;
    x.id = s.Int(0), x.user_id = s.Int(1), x.login = s.Text(2), x.sha256 = s.Text(3), x.created = s.Text(4);
    x.expires = s.Text(5), x.revoked = s.Text(6);
    return x;
  }

  void SetSourceVisibility(std::int64_t source_id, std::int64_t org_id, const std::string& visible_from) override {
    Prep("source_vis", "UPDATE sources SET org=?2,visible_from=?3 WHERE id=?1")
        .Bind(1, source_id)
        .Bind(2, org_id)
        .Bind(3, visible_from)
        .Exec();
  }

  std::vector<ObservationRow> FileObservations(std::int64_t file_id) override {
    // The provenance is the file's and its row's source (one, or a few for a file of several
    // publishers): read once each, not joined on every row.
    std::map<std::int64_t, ObservationRow> provenance;  // source id → a row holding only it
    std::string path, sha256;
    {
      Stmt f(db_, "SELECT path,sha256 FROM files WHERE id=?1");
      f.Bind(1, file_id);
      if (!f.Step()) return {};
      path = f.Text(0), sha256 = f.Text(1);
    }
    auto of = [&](std::int64_t source) -> const ObservationRow& {
      auto it = provenance.find(source);
      if (it != provenance.end()) return it->second;
      ObservationRow& p = provenance[source];
      Stmt q(db_, "SELECT key,publisher,release,tier FROM sources WHERE id=?1");
      q.Bind(1, source);
      if (q.Step()) {
        p.source_key = q.Text(0), p.publisher = q.Text(1), p.release = q.Text(2);
        p.tier = static_cast<int>(q.Int(3));
      }
      p.file_path = path, p.file_sha256 = sha256;
      return p;
    };
    std::vector<ObservationRow> out;
    Stmt s(db_, "SELECT unit,year,indicator,value,line,flags,source FROM observations WHERE file=?1 ORDER BY line");
    s.Bind(1, file_id);
    while (s.Step()) {
      ObservationRow& r = out.emplace_back(of(s.Int(6)));
      r.unit = s.Text(0), r.year = static_cast<int>(s.Int(1)), r.indicator = s.Text(2), r.value = s.Real(3);
      r.line = s.Int(4), r.flags = s.Text(5);
    }
    return out;
  }

  std::int64_t InsertSubmission(const Submission& x) override {
    auto& s = Prep("ins_sub",
                   "INSERT INTO submissions(org,dataset,state,source,file,note,submitter,approver,reviewer,embargo,"
                   "reason,created,updated) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)");
    s.Bind(1, x.org_id).Bind(2, x.dataset).Bind(3, ToString(x.state)).Bind(4, x.source_id).Bind(5, x.file_id);
    s.Bind(6, x.note).Bind(7, x.submitter).Bind(8, x.approver).Bind(9, x.reviewer).Bind(10, x.embargo);
    s.Bind(11, x.reason).Bind(12, x.created).Bind(13, x.updated).Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  void UpdateSubmission(const Submission& x) override {
    auto& s =
        Prep("upd_sub",
             "UPDATE submissions SET state=?2,approver=?3,reviewer=?4,embargo=?5,reason=?6,updated=?7 WHERE id=?1");
    s.Bind(1, x.id).Bind(2, ToString(x.state)).Bind(3, x.approver).Bind(4, x.reviewer).Bind(5, x.embargo);
    s.Bind(6, x.reason).Bind(7, x.updated).Exec();
  }

  std::optional<Submission> FindSubmission(std::int64_t id) override {
    auto v = QuerySubmissions("WHERE x.id=?1", id);
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::vector<Submission> Submissions() override { return QuerySubmissions("ORDER BY x.id DESC", 0); }

  void ReplaceFlags(std::int64_t submission, const std::vector<SubmissionFlag>& flags) override {
    Prep("del_flags", "DELETE FROM submission_flags WHERE submission=?1").Bind(1, submission).Exec();
    auto& s = Prep("ins_flag",
                   "INSERT INTO submission_flags(submission,unit,indicator,year,kind,value,reference,score,comment,"
                   "commented_by,commented_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
    for (const auto& f : flags) {
      s.Bind(1, submission).Bind(2, f.unit).Bind(3, f.indicator).Bind(4, f.year).Bind(5, ToString(f.kind));
      s.Bind(6, f.value).Bind(7, f.reference).Bind(8, f.score).Bind(9, f.comment).Bind(10, f.commented_by);
      s.Bind(11, f.commented_at).Exec();
    }
  }

  std::vector<SubmissionFlag> Flags(std::int64_t submission) override {
    std::vector<SubmissionFlag> out;
    Stmt s(db_,
           "SELECT id,submission,unit,indicator,year,kind,value,reference,score,comment,commented_by,commented_at "
           "FROM submission_flags WHERE submission=?1 ORDER BY id");
    s.Bind(1, submission);
    while (s.Step()) {
      SubmissionFlag f;
      f.id = s.Int(0), f.submission = s.Int(1), f.unit = s.Text(2), f.indicator = s.Text(3);
      f.year = static_cast<int>(s.Int(4)), f.kind = ParseFlagKind(s.Text(5)).value_or(FlagKind::kOutlier);
      f.value = s.Real(6), f.reference = s.Real(7), f.score = s.Real(8);
      f.comment = s.Text(9), f.commented_by = s.Text(10), f.commented_at = s.Text(11);
      out.push_back(std::move(f));
    }
    return out;
  }

  void UpdateFlag(const SubmissionFlag& f) override {
    auto& s = Prep("upd_flag", "UPDATE submission_flags SET comment=?2,commented_by=?3,commented_at=?4 WHERE id=?1");
    s.Bind(1, f.id).Bind(2, f.comment).Bind(3, f.commented_by).Bind(4, f.commented_at).Exec();
  }

  std::int64_t InsertCampaign(const Campaign& c) override {
    auto& s = Prep("ins_campaign",
                   "INSERT INTO campaigns(key,state,rules,rules_sha256,created,opened,closed,published,results) "
                   "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)");
    s.Bind(1, c.key).Bind(2, ToString(c.state)).Bind(3, c.rules).Bind(4, c.rules_sha256).Bind(5, c.created);
    s.Bind(6, c.opened).Bind(7, c.closed).Bind(8, c.published).Bind(9, c.results).Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  void UpdateCampaign(const Campaign& c) override {
    auto& s = Prep("upd_campaign",
                   "UPDATE campaigns SET state=?2,rules=?3,rules_sha256=?4,opened=?5,closed=?6,published=?7,"
                   "results=?8 WHERE id=?1");
    s.Bind(1, c.id).Bind(2, ToString(c.state)).Bind(3, c.rules).Bind(4, c.rules_sha256).Bind(5, c.opened);
    s.Bind(6, c.closed).Bind(7, c.published).Bind(8, c.results).Exec();
  }

  std::vector<Campaign> Campaigns() override { return QueryCampaigns("ORDER BY key", ""); }

  std::optional<Campaign> FindCampaign(const std::string& key) override {
    auto v = QueryCampaigns("WHERE key=?1", key);
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  void ReplaceApplications(std::int64_t campaign, const std::vector<CampaignApplication>& apps) override {
    Prep("del_assign", "DELETE FROM campaign_assignments WHERE campaign=?1").Bind(1, campaign).Exec();
    Prep("del_apps", "DELETE FROM campaign_applications WHERE campaign=?1").Bind(1, campaign).Exec();
    auto& s = Prep("ins_app",
                   "INSERT INTO campaign_applications(campaign,code,org,country,project,documents) "
                   "VALUES(?1,?2,?3,?4,?5,?6)");
    for (const auto& a : apps) {
      s.Bind(1, campaign).Bind(2, a.code).Bind(3, a.org).Bind(4, a.country).Bind(5, a.project);
      s.Bind(6, detail::JoinLines(a.documents)).Exec();
    }
  }

  std::vector<CampaignApplication> Applications(std::int64_t campaign) override {
    std::vector<CampaignApplication> out;
    Stmt s(db_, "SELECT code,org,country,project,documents FROM campaign_applications WHERE campaign=?1 ORDER BY code");
    s.Bind(1, campaign);
    while (s.Step()) {
      out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), detail::SplitLines(s.Text(4))});
    }
    return out;
  }

  void ReplaceJudges(std::int64_t campaign, const std::vector<CampaignJudge>& judges) override {
    Prep("del_assign", "DELETE FROM campaign_assignments WHERE campaign=?1").Bind(1, campaign).Exec();
    Prep("del_judges", "DELETE FROM campaign_judges WHERE campaign=?1").Bind(1, campaign).Exec();
    auto& s =
        Prep("ins_judge", "INSERT INTO campaign_judges(campaign,login,org,country,declared) VALUES(?1,?2,?3,?4,?5)");
    for (const auto& j : judges) {
      s.Bind(1, campaign).Bind(2, j.login).Bind(3, j.org).Bind(4, j.country).Bind(5, detail::JoinList(j.declared));
      s.Exec();
    }
  }

  std::vector<CampaignJudge> Judges(std::int64_t campaign) override {
    std::vector<CampaignJudge> out;
    Stmt s(db_, "SELECT login,org,country,declared FROM campaign_judges WHERE campaign=?1 ORDER BY login");
    s.Bind(1, campaign);
    while (s.Step()) out.push_back({s.Text(0), s.Text(1), s.Text(2), detail::SplitList(s.Text(3))});
    return out;
  }

  void ReplaceAssignments(std::int64_t campaign,
                          const std::vector<std::pair<std::string, std::string>>& pairs) override {
    Prep("del_assign", "DELETE FROM campaign_assignments WHERE campaign=?1").Bind(1, campaign).Exec();
    auto& s = Prep("ins_assign", "INSERT INTO campaign_assignments(campaign,application,judge) VALUES(?1,?2,?3)");
    for (const auto& [app, judge] : pairs) s.Bind(1, campaign).Bind(2, app).Bind(3, judge).Exec();
  }

  std::vector<std::pair<std::string, std::string>> Assignments(std::int64_t campaign) override {
    std::vector<std::pair<std::string, std::string>> out;
    Stmt s(db_, "SELECT application,judge FROM campaign_assignments WHERE campaign=?1 ORDER BY application,judge");
    s.Bind(1, campaign);
    while (s.Step()) out.emplace_back(s.Text(0), s.Text(1));
    return out;
  }

  std::int64_t InsertSheet(std::int64_t campaign, const CampaignSheet& x) override {
    auto& s = Prep("ins_sheet",
                   "INSERT INTO campaign_sheets(campaign,application,judge,revision,scores,comment,reason,sealed_at,"
                   "sha256) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)");
    s.Bind(1, campaign).Bind(2, x.application).Bind(3, x.judge).Bind(4, x.revision);
    s.Bind(5, detail::JoinNumbers(x.scores)).Bind(6, x.comment).Bind(7, x.reason).Bind(8, x.sealed_at);
    s.Bind(9, x.sha256).Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  std::vector<CampaignSheet> Sheets(std::int64_t campaign) override {
    std::vector<CampaignSheet> out;
    Stmt s(db_,
           "SELECT id,application,judge,revision,scores,comment,reason,sealed_at,sha256 FROM campaign_sheets "
           "WHERE campaign=?1 ORDER BY application,judge,revision");
    s.Bind(1, campaign);
    while (s.Step()) {
      CampaignSheet x;
      x.id = s.Int(0), x.application = s.Text(1), x.judge = s.Text(2), x.revision = static_cast<int>(s.Int(3));
      x.scores = detail::SplitNumbers(s.Text(4)), x.comment = s.Text(5), x.reason = s.Text(6);
      x.sealed_at = s.Text(7), x.sha256 = s.Text(8);
      out.push_back(std::move(x));
    }
    return out;
  }

  std::int64_t InsertRiskProject(const RiskProjectRecord& r) override {
    auto& s = Prep("ins_risk_project",
                   "INSERT INTO risk_projects(org,project,revision,country,sheet,sha256,created,created_by) "
                   "VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    s.Bind(1, r.org_id).Bind(2, r.project).Bind(3, r.revision).Bind(4, r.country).Bind(5, r.sheet);
    s.Bind(6, r.sha256).Bind(7, r.created).Bind(8, r.created_by).Exec();
    return sqlite3_last_insert_rowid(db_);
  }

  std::vector<RiskProjectRecord> RiskProjects() override { return ReadRiskProjects("", std::nullopt); }

  std::optional<RiskProjectRecord> FindRiskProject(std::int64_t id) override {
    auto found = ReadRiskProjects("WHERE r.id=?1", id);
    if (found.empty()) return std::nullopt;
    return std::move(found[0]);
  }

  void AppendAudit(const AuditEntry& e) override {
    auto& s = Prep("ins_audit",
                   "INSERT INTO audit_log(seq,at,actor,org,origin,action,target,before,after,prev_hash,hash) "
                   "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
    s.Bind(1, e.seq).Bind(2, e.at).Bind(3, e.actor).Bind(4, e.org).Bind(5, e.origin).Bind(6, e.action);
    s.Bind(7, e.target).Bind(8, e.before).Bind(9, e.after).Bind(10, e.prev_hash).Bind(11, e.hash).Exec();
  }

  std::optional<AuditEntry> LastAudit() override {
    std::optional<AuditEntry> last;
    ReadAudit("ORDER BY seq DESC LIMIT 1", 0, [&](const AuditEntry& e) { last = e; });
    return last;
  }

  void AuditEntries(std::int64_t from, const std::function<void(const AuditEntry&)>& fn) override {
    ReadAudit("WHERE seq>=?1 ORDER BY seq", from, fn);
  }

  // Visibility between members is the platform's to enforce here (SetMember in store.hpp).
  void SetMember(const std::string& member) override { (void)member; }

  void ReadRows(const TableShape& t, const std::function<void(const StoredRow&)>& fn) override {
    Stmt s(db_, fmt::format("SELECT {} FROM {} ORDER BY {}", t.columns, t.name, t.key));
    const int n = sqlite3_column_count(s.raw());
    StoredRow row(static_cast<std::size_t>(n));
    while (s.Step()) {
      for (int c = 0; c < n; ++c) {
        auto& v = row[static_cast<std::size_t>(c)];
        switch (sqlite3_column_type(s.raw(), c)) {
          case SQLITE_NULL: v = std::monostate{}; break;
          case SQLITE_INTEGER: v = s.Int(c); break;
          case SQLITE_FLOAT: v = s.Real(c); break;
          default: v = s.Text(c);
        }
      }
      fn(row);
    }
  }

  void AppendRows(const TableShape& t, const std::vector<StoredRow>& rows) override {
    std::string params;
    for (std::size_t c = 0, n = std::count(t.columns.begin(), t.columns.end(), ',') + 1; c < n; ++c) {
      params += fmt::format("{}?{}", c ? "," : "", c + 1);
    }
    // A copy adds rows in key order, which may put a sub-unit before its parent: the foreign keys
    // are checked at commit instead (the pragma ends with the transaction).
    Exec("PRAGMA defer_foreign_keys=ON");
    auto& s =
        Prep(fmt::format("append_{}", t.name), fmt::format("INSERT INTO {}({}) VALUES({})", t.name, t.columns, params));
    for (const auto& row : rows) {
      for (std::size_t c = 0; c < row.size(); ++c) {
        const int i = static_cast<int>(c) + 1;
        std::visit(
            [&](const auto& v) {
              if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) {
                s.BindNull(i);
              } else {
                s.Bind(i, v);
              }
            },
            row[c]);
      }
      s.Exec();
    }
  }

  void Exec(std::string_view sql) {
    if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) Fail(db_, "");
  }

 private:
  Stmt& Prep(const std::string& name, std::string_view sql) {
    auto it = stmts_.find(name);
    if (it == stmts_.end()) it = stmts_.emplace(name, Stmt(db_, sql)).first;
    return it->second;
  }

  //! The kept project sheets `where` selects (bound to `id` when given), by id.
  std::vector<RiskProjectRecord> ReadRiskProjects(std::string_view where, std::optional<std::int64_t> id) {
    std::vector<RiskProjectRecord> out;
    Stmt s(db_, fmt::format("SELECT r.id,r.org,o.key,r.project,r.revision,r.country,r.sheet,r.sha256,r.created,"
                            "r.created_by FROM risk_projects r JOIN orgs o ON o.id=r.org {} ORDER BY r.id",
                            where));
    if (id) s.Bind(1, *id);
    while (s.Step()) {
      RiskProjectRecord r;
      r.id = s.Int(0), r.org_id = s.Int(1), r.org = s.Text(2), r.project = s.Text(3);
      r.revision = static_cast<int>(s.Int(4)), r.country = s.Text(5), r.sheet = s.Text(6), r.sha256 = s.Text(7);
      r.created = s.Text(8), r.created_by = s.Text(9);
      out.push_back(std::move(r));
    }
    return out;
  }

  std::vector<Unit> QueryUnits(const std::string& sql, const std::string& arg) {
    std::vector<Unit> out;
    Stmt s(db_, sql);
    if (!arg.empty()) s.Bind(1, arg);
    while (s.Step()) {
      Unit u;
      u.code = s.Text(0);
      u.kind = ParseUnitKind(s.Text(1)).value_or(UnitKind::kOther);
      u.name_en = s.Text(2), u.name_zh = s.Text(3), u.official_name_en = s.Text(4);
      u.iso2 = s.Text(5), u.iso3 = s.Text(6), u.m49 = s.Text(7);
      u.region_code = s.Text(8), u.region_name = s.Text(9), u.subregion_code = s.Text(10);
      u.subregion_name = s.Text(11), u.intermediate_code = s.Text(12), u.intermediate_name = s.Text(13);
      u.parent = s.Text(14);
      out.push_back(std::move(u));
    }
    return out;
  }

  std::vector<FileRecord> QueryFiles(const std::string& where, const std::string& arg) {
    std::vector<FileRecord> out;
    Stmt s(db_,
           "SELECT id,path,sha256,bytes,coalesce(source,0),descriptor,ingested_at,rows_read,rows_accepted,"
           "rows_quarantined,rows_skipped FROM files " +
               where);
    if (!arg.empty()) s.Bind(1, arg);
    while (s.Step()) {
      FileRecord f;
      f.id = s.Int(0), f.path = s.Text(1), f.sha256 = s.Text(2), f.bytes = s.Int(3), f.source_id = s.Int(4);
      f.descriptor = s.Text(5), f.ingested_at = s.Text(6), f.rows_read = s.Int(7), f.rows_accepted = s.Int(8);
      f.rows_quarantined = s.Int(9), f.rows_skipped = s.Int(10);
      out.push_back(std::move(f));
    }
    return out;
  }

  // Every observation of each cell in the order of SourcePriority, then the newest file first.
  void RunCells(const CellFilter& filter, bool resolved, const std::function<void(const ResolvedValue&)>& fn) {
    std::string where = "o.year BETWEEN ?1 AND ?2";
    AppendInLists(where, filter, "o.");
    // Every observation of a cell in resolution order; the resolved value is the first of each
    // cell. Taking it here is several times faster than a row_number() window in SQL.
    std::string sql = fmt::format(
        "SELECT o.unit,o.year,o.indicator,o.value,s.key,s.publisher,s.release,s.tier,f.path,f.sha256,o.line,o.flags "
        "FROM observations o JOIN sources s ON s.id=o.source JOIN files f ON f.id=o.file WHERE {} AND {} "
        "ORDER BY o.unit,o.indicator,o.year,{},o.file DESC",
        where, Visible("s."), SourcePriority("s."));
    Stmt s(db_, sql);
    s.Bind(1, filter.year_from).Bind(2, filter.year_to);
    int i = 3;
    for (const auto& u : filter.units) s.Bind(i++, u);
    for (const auto& ind : filter.indicators) s.Bind(i++, ind);
    ResolvedValue r;
    bool first = true;
    while (s.Step()) {
      if (resolved && !first && r.year == s.Int(1) && r.unit == s.Text(0) && r.indicator == s.Text(2)) continue;
      first = false;
      r = CellRow(s);
      fn(r);
    }
  }

  void PutOrgLists(std::int64_t id, const Organisation& o) {
    auto& c = Prep("ins_org_c", "INSERT INTO org_countries(org,unit) VALUES(?1,?2)");
    for (const auto& unit : o.countries) c.Bind(1, id).Bind(2, unit).Exec();
    auto& a = Prep("ins_org_a", "INSERT INTO agreements(org,dataset,indicators) VALUES(?1,?2,?3)");
    for (const auto& ag : o.agreements) a.Bind(1, id).Bind(2, ag.dataset).Bind(3, JoinList(ag.indicators)).Exec();
  }

  std::vector<Organisation> QueryOrgs(const std::string& tail, const std::string& arg) {
    std::vector<Organisation> out;
    Stmt s(db_, "SELECT id,key,name_en,name_zh,kind,tier,created,disabled FROM orgs " + tail);
    if (!arg.empty()) s.Bind(1, arg);
    while (s.Step()) {
      Organisation o;
      o.id = s.Int(0), o.key = s.Text(1), o.name_en = s.Text(2), o.name_zh = s.Text(3);
      o.kind = ParseOrgKind(s.Text(4)).value_or(OrgKind::kGovernment);
      o.tier = static_cast<int>(s.Int(5)), o.created = s.Text(6), o.disabled = s.Text(7);
      out.push_back(std::move(o));
    }
    for (auto& o : out) {
      auto& c = Prep("org_c", "SELECT unit FROM org_countries WHERE org=?1 ORDER BY unit");
      c.Bind(1, o.id);
      while (c.Step()) o.countries.push_back(c.Text(0));
      c.Reset();
      auto& a = Prep("org_a", "SELECT dataset,indicators FROM agreements WHERE org=?1 ORDER BY dataset");
      a.Bind(1, o.id);
      while (a.Step()) o.agreements.push_back(Agreement{a.Text(0), SplitList(a.Text(1))});
      a.Reset();
    }
    return out;
  }

  std::vector<Account> QueryAccounts(const std::string& tail, const std::string& arg) {
    std::vector<Account> out;
    Stmt s(db_,
           "SELECT u.id,u.login,u.name,u.org,o.key,u.role,u.password,u.created,u.disabled,u.failed_logins,"
           "u.locked_until FROM users u JOIN orgs o ON o.id=u.org " +
               tail);
    if (!arg.empty()) s.Bind(1, arg);
    while (s.Step()) {
      Account a;
      a.id = s.Int(0), a.login = s.Text(1), a.name = s.Text(2), a.org_id = s.Int(3), a.org = s.Text(4);
      a.role = ParseRole(s.Text(5)).value_or(Role::kReader);
      a.password = s.Text(6), a.created = s.Text(7), a.disabled = s.Text(8);
      a.failed_logins = static_cast<int>(s.Int(9)), a.locked_until = s.Text(10);
      out.push_back(std::move(a));
    }
    return out;
  }

  std::vector<TokenRecord> QueryTokens(const std::string& tail, const std::string& arg) {
    std::vector<TokenRecord> out;
    Stmt s(db_,
           "SELECT t.id,t.user,u.login,t.sha256,t.suffix,t.scopes,t.label,t.created,t.expires,t.revoked "
           "FROM tokens t JOIN users u ON u.id=t.user " +
               tail);
    if (!arg.empty()) s.Bind(1, arg);
    while (s.Step()) {
      TokenRecord t;
      t.id = s.Int(0), t.user_id = s.Int(1), t.login = s.Text(2), t.sha256 = s.Text(3), t.suffix = s.Text(4);
      t.scopes = SplitList(s.Text(5)), t.label = s.Text(6), t.created = s.Text(7), t.expires = s.Text(8);
      t.revoked = s.Text(9);
      out.push_back(std::move(t));
    }
    return out;
  }

  std::vector<Campaign> QueryCampaigns(const std::string& tail, const std::string& arg) {
    std::vector<Campaign> out;
    Stmt s(db_,
           "SELECT id,key,state,rules,rules_sha256,created,opened,closed,published,results FROM campaigns " + tail);
    if (tail.find("?1") != std::string::npos) s.Bind(1, arg);
    while (s.Step()) {
      Campaign c;
      c.id = s.Int(0), c.key = s.Text(1), c.state = ParseCampaignState(s.Text(2)).value_or(CampaignState::kSetup);
      c.rules = s.Text(3), c.rules_sha256 = s.Text(4), c.created = s.Text(5), c.opened = s.Text(6);
      c.closed = s.Text(7), c.published = s.Text(8), c.results = s.Text(9);
      out.push_back(std::move(c));
    }
    return out;
  }

  std::vector<Submission> QuerySubmissions(const std::string& tail, std::int64_t arg) {
    std::vector<Submission> out;
    Stmt s(db_,
           "SELECT x.id,o.key,x.org,x.dataset,x.state,x.source,x.file,x.note,x.submitter,x.approver,x.reviewer,"
           "x.embargo,x.reason,x.created,x.updated FROM submissions x JOIN orgs o ON o.id=x.org " +
               tail);
    if (tail.find("?1") != std::string::npos) s.Bind(1, arg);
    while (s.Step()) {
      Submission x;
      x.id = s.Int(0), x.org = s.Text(1), x.org_id = s.Int(2), x.dataset = s.Text(3);
      x.state = ParseSubmissionState(s.Text(4)).value_or(SubmissionState::kDraft);
      x.source_id = s.Int(5), x.file_id = s.Int(6), x.note = s.Text(7), x.submitter = s.Text(8);
      x.approver = s.Text(9), x.reviewer = s.Text(10), x.embargo = s.Text(11), x.reason = s.Text(12);
      x.created = s.Text(13), x.updated = s.Text(14);
      out.push_back(std::move(x));
    }
    return out;
  }

  //! An observation with its provenance from a row of unit, year, indicator, value, key, publisher,
  //! release, tier, path, sha256, line, flags.
  static ObservationRow CellRow(const Stmt& s) {
    ObservationRow r;
    r.unit = s.Text(0), r.year = static_cast<int>(s.Int(1)), r.indicator = s.Text(2), r.value = s.Real(3);
    r.source_key = s.Text(4), r.publisher = s.Text(5), r.release = s.Text(6), r.tier = static_cast<int>(s.Int(7));
    r.file_path = s.Text(8), r.file_sha256 = s.Text(9), r.line = s.Int(10), r.flags = s.Text(11);
    return r;
  }

  void ReadAudit(const std::string& tail, std::int64_t arg, const std::function<void(const AuditEntry&)>& fn) {
    Stmt s(db_, "SELECT seq,at,actor,org,origin,action,target,before,after,prev_hash,hash FROM audit_log " + tail);
    if (tail.find("?1") != std::string::npos) s.Bind(1, arg);
    while (s.Step()) {
      fn(AuditEntry{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6), s.Text(7), s.Text(8),
                    s.Text(9), s.Text(10)});
    }
  }

  sqlite3* db_;
  std::string path_;
  bool tidy_wal_ = false;
  std::map<std::string, Stmt> stmts_;
  Stmt* ins_obs_ = nullptr;  // stmts_["ins_obs"] once prepared (map nodes do not move)
};

//! `path` as a URI that opens it read-only ("file:" and the absolute path, the characters a URI
//! reads specially percent-encoded); `immutable` also tells SQLite that nothing changes it.
std::string ReadOnlyUri(const std::string& path, bool immutable) {
  std::string uri = "file:";
  for (char c : fs::absolute(path).lexically_normal().string()) {
    if (c == '%' || c == '?' || c == '#') {
      uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      uri += c;
    }
  }
  return uri + (immutable ? "?mode=ro&immutable=1" : "?mode=ro");
}

//! Opens `uri` with SQLITE_OPEN_READONLY and reads the schema version, which opens the WAL as
//! every read does: SQLITE_OK, or SQLite's extended code of what failed (`*db` holds its message).
int OpenToRead(const std::string& uri, sqlite3** db) {
  int rc = sqlite3_open_v2(uri.c_str(), db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return rc;
  sqlite3_extended_result_codes(*db, 1);
  sqlite3_busy_timeout(*db, kBusyTimeoutMs);
  return sqlite3_exec(*db, "PRAGMA user_version", nullptr, nullptr, nullptr);
}

//! Whether `rc` says that SQLite could not make the -wal and -shm a WAL store is read through
//! (a folder or a mount this process may not write).
bool CannotMakeWal(int rc) {
  return (rc & 0xFF) == SQLITE_READONLY || (rc & 0xFF) == SQLITE_CANTOPEN;
}

//! The error of a failed read-only open.
Error ReadOpenError(sqlite3* db, int rc, const std::string& path, bool log_in_the_way) {
  const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
  if (log_in_the_way) {
    return Error{Errc::kIo,
                 fmt::format("cannot read the store: its write-ahead log ({}-wal) holds changes that only a process "
                             "that may write the folder can read ({}); a write command run by such a user (gpsi "
                             "init) folds them into the store",
                             fs::path(path).filename().string(), msg),
                 path};
  }
  if ((rc & 0xFF) == SQLITE_NOTADB) return Error{Errc::kIo, "not a gpsi store (not an SQLite database)", path};
  return Error{Errc::kIo, fmt::format("cannot open store: {}", msg), path};
}

//! Opens an existing store with SQLITE_OPEN_READONLY: the store is never written. A WAL store is
//! read through its -wal and -shm, which SQLite makes when absent (and TidyWal removes after);
//! where it cannot (a folder or mount this process may not write) and no log holds changes, the
//! store is opened immutable, the documented way to read such a store (wal.html, "read-only
//! databases"): every writer keeps a -wal while it is open, so a store without one has no writer
//! then. (A writer with more rights that starts during the read would not be seen: immutable
//! promises SQLite that none will, which holds for snapshots and read-only mounts.)
Result<std::unique_ptr<Store>> OpenForReading(const std::string& path) {
  std::error_code ec;
  const std::string wal = path + "-wal";
  const bool had_wal = fs::exists(wal, ec);
  const bool empty_wal = !had_wal || fs::file_size(wal, ec) == 0;
  sqlite3* db = nullptr;
  int rc = OpenToRead(ReadOnlyUri(path, false), &db);
  bool immutable = false;
  if (rc != SQLITE_OK && CannotMakeWal(rc) && empty_wal) {
    sqlite3_close_v2(db);
    db = nullptr;
    immutable = true;
    rc = OpenToRead(ReadOnlyUri(path, true), &db);
  }
  if (rc != SQLITE_OK) {
    Error e = ReadOpenError(db, rc, path, CannotMakeWal(rc) && !empty_wal);
    sqlite3_close_v2(db);
    return e;
  }
  auto store = std::make_unique<SqliteStore>(db, path, !immutable);
  try {
    // Ingest streams big files in one transaction; a moderate page cache keeps memory flat.
    store->Exec("PRAGMA cache_size=-32768; PRAGMA temp_store=FILE;");
  } catch (const Failure& f) {
    return f.error();
  }
  std::unique_ptr<Store> base = std::move(store);
  return base;
}

//! The error of a write open's first statements (`e`, thrown by Exec): a folder this process may
//! not write, where no -wal can be made, makes a read-only store too.
Error WriteOpenError(Error e, sqlite3* db, const std::string& path) {
  const int code = sqlite3_extended_errcode(db) & 0xFF;
  e.file = path;
  if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY) {
    e.code = Errc::kIo;
    e.message = fmt::format("the store is read-only: {}; {}", sqlite3_errmsg(db), kWritesHint);
  } else if (code == SQLITE_NOTADB) {
    e.code = Errc::kIo;
    e.message = "not a gpsi store (not an SQLite database)";
  } else if (e.code != Errc::kIo) {
    e.code = Errc::kStoreCorrupt;
  }
  return e;
}

//! Opens (creating when absent) a store to write, in WAL mode with foreign keys on; one this
//! process may not write is an input error, before any work.
Result<std::unique_ptr<Store>> OpenForWriting(const std::string& path) {
  sqlite3* db = nullptr;
  // NOMUTEX: a Store is used by one thread at a time (its statement cache is not thread-safe
  // either), so SQLite's per-call connection mutex is pure overhead.
  int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return Error{Errc::kIo, fmt::format("cannot open store: {}", msg), path};
  }
  // SQLite opens a file it may not write read-only, without a word: say so before any work.
  if (sqlite3_db_readonly(db, "main") == 1) {
    sqlite3_close_v2(db);
    return Error{Errc::kIo, fmt::format("the store is read-only: {}", kWritesHint), path};
  }
  auto store = std::make_unique<SqliteStore>(db, path);
  try {
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    store->Exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;");
    store->Exec("PRAGMA cache_size=-32768; PRAGMA temp_store=FILE;");
  } catch (const Failure& f) {
    return WriteOpenError(f.error(), db, path);
  }
  std::unique_ptr<Store> base = std::move(store);
  return base;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, StoreAccess access) {
  // Memory statistics cost a global mutex on every allocation and gpsi reads none of them; this
  // only takes effect before SQLite's first use in the process (later calls are refused, harmless).
  static const bool no_memstatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  (void)no_memstatus;
  return access == StoreAccess::kRead ? OpenForReading(path) : OpenForWriting(path);
}

}  // namespace gpsi
