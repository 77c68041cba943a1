// Unit tests of the store: migrations, the schema-version guard, transactions, duplicate
// detection, the source-priority rule (tier, release, preference, file) and event points. Every
// StoreTest case runs on both backends, SQLite and PostgreSQL (a throwaway cluster:
// tests/pg_cluster.hpp).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "pg_cluster.hpp"
#include "postgres/migrations.hpp"
#include "sqlite/migrations.hpp"
#include "store.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

using test::TempDir;

std::unique_ptr<Store> OpenOrDie(const std::string& location) {
  auto r = OpenStore(location);
  if (!r.ok()) {
    ADD_FAILURE() << r.error().Format();
    return nullptr;
  }
  return std::move(*r);
}

//! Sets PRAGMA user_version with the SQLite API directly (no gpsi code involved).
void SetUserVersion(const std::string& path, int version) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string sql = "PRAGMA user_version = " + std::to_string(version);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

Unit Country(const std::string& code, const std::string& name) {
  Unit u;
  u.code = u.iso3 = code;
  u.name_en = name;
  return u;
}

using test::Backend;

//! A new, empty store of `backend`: a file in `dir`, or a new database of the test cluster.
std::string NewStoreLocation(Backend backend, const TempDir& dir) {
  return backend == Backend::kSqlite ? dir / "store.db" : test::PgCluster::Get().NewDatabase();
}

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    path_ = NewStoreLocation(GetParam(), dir_);
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
    Status s = store_->Migrate();
    ASSERT_TRUE(s.ok()) << s.error().Format();
    for (const char* c : {"AAA", "BBB", "CCC", "DDD", "EEE"}) store_->UpsertUnit(Country(c, std::string("Land ") + c));
    store_->UpsertIndicator(Indicator{"ind1", "Indicator one", "", "", "", 1, ""});
    store_->UpsertIndicator(Indicator{"ind2", "Indicator two", "", "", "", -1, ""});
  }

  std::int64_t AddSource(const std::string& key, int tier, const std::string& release, int preference = 0) {
    return store_->UpsertSource(Source{key, "Publisher " + key, tier, "", "", release, "2025-01-01", preference});
  }

  std::int64_t File(std::int64_t source_id, const std::string& name) {
    FileRecord f;
    f.path = "/data/" + name;
    f.sha256 = Sha256Hex(name);
    f.bytes = 10;
    f.source_id = source_id;
    f.descriptor = "test";
    f.ingested_at = "2025-01-01T00:00:00Z";
    return store_->InsertFile(f);
  }

  InsertOutcome Put(const std::string& unit, int year, const std::string& ind, double value, std::int64_t source,
                    std::int64_t file, std::int64_t line = 2, std::int64_t* first = nullptr) {
    return store_->InsertObservation(Observation{unit, year, ind, value, line, ""}, source, file, first);
  }

  std::vector<ResolvedValue> Resolved(const CellFilter& f = {}) {
    std::vector<ResolvedValue> out;
    store_->Resolved(f, [&](const ResolvedValue& r) { out.push_back(r); });
    return out;
  }

  std::vector<ResolvedValue> All(const CellFilter& f = {}) {
    std::vector<ResolvedValue> out;
    store_->Observations(f, [&](const ResolvedValue& r) { out.push_back(r); });
    return out;
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST(StoreMigrate, NewStoreStartsAtZeroAndMigratesToCurrent) {
  TempDir dir;
  auto store = OpenOrDie(dir / "new.db");
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion(), 0);
  Status s = store->Migrate();
  ASSERT_TRUE(s.ok()) << s.error().Format();
  EXPECT_EQ(store->SchemaVersion(), kSchemaVersion);
  EXPECT_EQ(store->CountRows("observations"), 0);
  EXPECT_EQ(store->CountRows("quarantine"), 0);
  // Migrating again is a no-op.
  s = store->Migrate();
  ASSERT_TRUE(s.ok()) << s.error().Format();
  EXPECT_EQ(store->SchemaVersion(), kSchemaVersion);
  EXPECT_EQ(store->BlobDir(), dir / "new.db" + ".blobs");
}

TEST(StoreMigrate, NewerStoreIsRefusedNamingBothVersions) {
  TempDir dir;
  std::string path = dir / "newer.db";
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Migrate().ok());
  }
  const int kFuture = kSchemaVersion + 6;
  SetUserVersion(path, kFuture);
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion(), kFuture);
  Status s = store->Migrate();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kSchemaNewer);
  EXPECT_NE(s.error().message.find(std::to_string(kFuture)), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find(std::to_string(kSchemaVersion)), std::string::npos) << s.error().message;
  EXPECT_EQ(store->SchemaVersion(), kFuture);  // left untouched
}

TEST(StoreOpen, UnopenablePathIsAnError) {
  TempDir dir;
  auto r = OpenSqliteStore(dir / "no/such/folder/x.db");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kIo);
}

TEST_P(StoreTest, TransactionRollbackLeavesNothing) {
  std::int64_t src = AddSource("s", 1, "2024");
  {
    Transaction tx(*store_);
    store_->UpsertUnit(Country("ZZZ", "Nowhere"));
    std::int64_t file = File(src, "a.csv");
    EXPECT_EQ(Put("AAA", 2020, "ind1", 1.0, src, file), InsertOutcome::kInserted);
    store_->InsertQuarantine(file, QuarantineRow{3, 1, "x,y", "non-numeric", ""});
    EXPECT_EQ(store_->CountRows("observations"), 1);  // visible inside the transaction
  }                                                   // no Commit: rolled back
  EXPECT_FALSE(store_->FindUnit("ZZZ").has_value());
  EXPECT_EQ(store_->CountRows("observations"), 0);
  EXPECT_EQ(store_->CountRows("quarantine"), 0);
  EXPECT_EQ(store_->CountRows("files"), 0);
}

TEST_P(StoreTest, TransactionRollbackOnException) {
  try {
    Transaction tx(*store_);
    store_->UpsertUnit(Country("ZZZ", "Nowhere"));
    throw std::runtime_error("ingest failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(store_->FindUnit("ZZZ").has_value());
}

TEST_P(StoreTest, TransactionCommitPersistsAcrossReopen) {
  {
    Transaction tx(*store_);
    store_->UpsertUnit(Country("ZZZ", "Nowhere"));
    tx.Commit();
  }
  store_.reset();
  auto again = OpenOrDie(path_);
  ASSERT_NE(again, nullptr);
  auto u = again->FindUnit("ZZZ");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->name_en, "Nowhere");
}

TEST_P(StoreTest, DuplicateObservationSameValue) {
  std::int64_t src = AddSource("s", 1, "2024");
  std::int64_t file = File(src, "a.csv");
  EXPECT_EQ(Put("AAA", 2020, "ind1", 4.25, src, file, 7), InsertOutcome::kInserted);
  std::int64_t first = -1;
  EXPECT_EQ(Put("AAA", 2020, "ind1", 4.25, src, file, 19, &first), InsertOutcome::kDuplicateSame);
  EXPECT_EQ(first, 7);
  EXPECT_EQ(store_->CountRows("observations"), 1);
}

TEST_P(StoreTest, DuplicateObservationConflict) {
  std::int64_t src = AddSource("s", 1, "2024");
  std::int64_t file = File(src, "a.csv");
  EXPECT_EQ(Put("AAA", 2020, "ind1", 4.25, src, file, 7), InsertOutcome::kInserted);
  std::int64_t first = -1;
  EXPECT_EQ(Put("AAA", 2020, "ind1", 5.0, src, file, 30, &first), InsertOutcome::kDuplicateConflict);
  EXPECT_EQ(first, 7);
  auto rows = All();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value, 4.25);  // the first value stays
  EXPECT_EQ(rows[0].line, 7);
}

TEST_P(StoreTest, SameCellInAnotherFileIsNotADuplicate) {
  std::int64_t src = AddSource("s", 1, "2024");
  std::int64_t f1 = File(src, "a.csv"), f2 = File(src, "b.csv");
  EXPECT_EQ(Put("AAA", 2020, "ind1", 1.0, src, f1), InsertOutcome::kInserted);
  EXPECT_EQ(Put("AAA", 2020, "ind1", 2.0, src, f2), InsertOutcome::kInserted);
  EXPECT_EQ(Put("AAA", 2021, "ind1", 1.0, src, f1), InsertOutcome::kInserted);
  EXPECT_EQ(Put("AAA", 2020, "ind2", 1.0, src, f1), InsertOutcome::kInserted);
  EXPECT_EQ(store_->CountRows("observations"), 4);
}

TEST_P(StoreTest, UpsertSourceIsKeyedByKeyAndRelease) {
  std::int64_t a = AddSource("s", 1, "2024");
  std::int64_t b = AddSource("s", 1, "2024");
  std::int64_t c = AddSource("s", 1, "2025");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(store_->Sources().size(), 2u);
}

// The source-priority rule of the brief, one cell per rule: each cell has a winner that a
// different criterion picks, and the loser is sometimes inserted first, sometimes last.
TEST_P(StoreTest, FilesOfListsOnlyThatSourcesFilesInReadOrder) {
  const auto a = AddSource("a", 1, "2024"), b = AddSource("b", 1, "2024");
  const auto a1 = File(a, "a1.csv"), b1 = File(b, "b1.csv"), a2 = File(a, "a2.csv");
  const auto files = store_->FilesOf(a);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].id, a1);
  EXPECT_EQ(files[1].id, a2);
  EXPECT_EQ(files[1].path, "/data/a2.csv");
  ASSERT_EQ(store_->FilesOf(b).size(), 1u);
  EXPECT_EQ(store_->FilesOf(b).front().id, b1);
  EXPECT_TRUE(store_->FilesOf(b + 100).empty());
}

TEST_P(StoreTest, ResolvedPicksByTierThenReleaseThenPreferenceThenFile) {
  std::int64_t un_old = AddSource("un", 1, "2019-06-01");
  std::int64_t gov_new = AddSource("gov", 2, "2025-01-01", 9);
  std::int64_t un_new = AddSource("un", 1, "2024-06-01");
  std::int64_t think_a = AddSource("thinkA", 3, "2024", 0);
  std::int64_t think_b = AddSource("thinkB", 3, "2024", 5);
  std::int64_t f_gov = File(gov_new, "gov.csv");
  std::int64_t f_un_old = File(un_old, "un_2019.csv");
  std::int64_t f_un_new = File(un_new, "un_2024.csv");
  std::int64_t f_b = File(think_b, "b.csv");
  std::int64_t f_a = File(think_a, "a.csv");
  std::int64_t f_a2 = File(think_a, "a_reissued.csv");

  // AAA: tier 1 (old release) beats tier 2 (newer release, higher preference).
  Put("AAA", 2020, "ind1", 200, gov_new, f_gov);
  Put("AAA", 2020, "ind1", 100, un_old, f_un_old);
  // BBB: same tier, newer release wins.
  Put("BBB", 2020, "ind1", 19, un_old, f_un_old);
  Put("BBB", 2020, "ind1", 24, un_new, f_un_new);
  Put("BBB", 2021, "ind1", 24, un_new, f_un_new);  // later year only in the new release
  Put("BBB", 2021, "ind1", 19, un_old, f_un_old);
  // CCC: same tier and release, higher preference wins.
  Put("CCC", 2020, "ind1", 5, think_b, f_b);
  Put("CCC", 2020, "ind1", 0, think_a, f_a);
  // DDD: same source and release, the newer file wins.
  Put("DDD", 2020, "ind1", 1, think_a, f_a);
  Put("DDD", 2020, "ind1", 2, think_a, f_a2);
  // EEE: a single observation is its own winner.
  Put("EEE", 2020, "ind2", 7, gov_new, f_gov);

  auto rows = Resolved();
  ASSERT_EQ(rows.size(), 6u);
  // Ordered by unit, indicator, year.
  EXPECT_EQ(rows[0].unit, "AAA");
  EXPECT_EQ(rows[0].value, 100);
  EXPECT_EQ(rows[0].tier, 1);
  EXPECT_EQ(rows[0].source_key, "un");
  EXPECT_EQ(rows[0].release, "2019-06-01");
  EXPECT_EQ(rows[0].file_path, "/data/un_2019.csv");
  EXPECT_EQ(rows[0].file_sha256, Sha256Hex("un_2019.csv"));
  EXPECT_EQ(rows[0].publisher, "Publisher un");

  EXPECT_EQ(rows[1].unit, "BBB");
  EXPECT_EQ(rows[1].year, 2020);
  EXPECT_EQ(rows[1].value, 24);
  EXPECT_EQ(rows[1].release, "2024-06-01");
  EXPECT_EQ(rows[2].unit, "BBB");
  EXPECT_EQ(rows[2].year, 2021);
  EXPECT_EQ(rows[2].value, 24);

  EXPECT_EQ(rows[3].unit, "CCC");
  EXPECT_EQ(rows[3].value, 5);
  EXPECT_EQ(rows[3].source_key, "thinkB");

  EXPECT_EQ(rows[4].unit, "DDD");
  EXPECT_EQ(rows[4].value, 2);
  EXPECT_EQ(rows[4].file_path, "/data/a_reissued.csv");

  EXPECT_EQ(rows[5].unit, "EEE");
  EXPECT_EQ(rows[5].indicator, "ind2");
  EXPECT_EQ(rows[5].value, 7);
  EXPECT_EQ(rows[5].tier, 2);
}

TEST_P(StoreTest, ResolvedReleaseComparesIsoDates) {
  // "2024" (a year) is newer than "2023-12-31"; "2024-02-01" is newer than "2024-01-15".
  std::int64_t y = AddSource("y", 1, "2024");
  std::int64_t d = AddSource("y", 1, "2023-12-31");
  std::int64_t m1 = AddSource("m", 1, "2024-01-15");
  std::int64_t m2 = AddSource("m", 1, "2024-02-01");
  std::int64_t fy = File(y, "y.csv"), fd = File(d, "d.csv"), fm1 = File(m1, "m1.csv"), fm2 = File(m2, "m2.csv");
  Put("AAA", 2020, "ind1", 1, y, fy);
  Put("AAA", 2020, "ind1", 2, d, fd);
  Put("BBB", 2020, "ind1", 3, m2, fm2);
  Put("BBB", 2020, "ind1", 4, m1, fm1);
  auto rows = Resolved();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].value, 1);
  EXPECT_EQ(rows[1].value, 3);
}

TEST_P(StoreTest, ObservationsReturnsAllWithWinnerFirstPerCell) {
  std::int64_t t1 = AddSource("un", 1, "2020");
  std::int64_t t2 = AddSource("gov", 2, "2024");
  std::int64_t t4 = AddSource("events", 4, "2025");
  std::int64_t f1 = File(t1, "un.csv"), f2 = File(t2, "gov.csv"), f4 = File(t4, "ev.csv");
  Put("BBB", 2020, "ind1", 40, t4, f4);
  Put("BBB", 2020, "ind1", 20, t2, f2);
  Put("BBB", 2020, "ind1", 10, t1, f1);
  Put("AAA", 2021, "ind1", 21, t2, f2);
  Put("AAA", 2020, "ind1", 20, t2, f2);
  Put("AAA", 2020, "ind1", 40, t4, f4);
  auto rows = All();
  ASSERT_EQ(rows.size(), 6u);
  std::vector<std::tuple<std::string, int, double>> got;
  for (const auto& r : rows) got.emplace_back(r.unit, r.year, r.value);
  std::vector<std::tuple<std::string, int, double>> want{{"AAA", 2020, 20}, {"AAA", 2020, 40}, {"AAA", 2021, 21},
                                                         {"BBB", 2020, 10}, {"BBB", 2020, 20}, {"BBB", 2020, 40}};
  EXPECT_EQ(got, want);

  // The first row of each cell is the resolved value.
  auto resolved = Resolved();
  ASSERT_EQ(resolved.size(), 3u);
  EXPECT_EQ(resolved[0].value, 20);
  EXPECT_EQ(resolved[1].value, 21);
  EXPECT_EQ(resolved[2].value, 10);
}

TEST_P(StoreTest, CellFilterSelectsUnitsIndicatorsAndYears) {
  std::int64_t s = AddSource("s", 1, "2024");
  std::int64_t f = File(s, "a.csv");
  for (const char* u : {"AAA", "BBB", "CCC"}) {
    for (int y = 2018; y <= 2022; ++y) {
      Put(u, y, "ind1", y, s, f);
      Put(u, y, "ind2", -y, s, f);
    }
  }
  CellFilter filter;
  filter.units = {"CCC", "AAA"};
  filter.indicators = {"ind2"};
  filter.year_from = 2019;
  filter.year_to = 2020;
  auto rows = Resolved(filter);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].unit, "AAA");
  EXPECT_EQ(rows[0].year, 2019);
  EXPECT_EQ(rows[0].value, -2019);
  EXPECT_EQ(rows[3].unit, "CCC");
  EXPECT_EQ(rows[3].year, 2020);
  for (const auto& r : rows) EXPECT_EQ(r.indicator, "ind2");
  EXPECT_EQ(All(filter).size(), 4u);
  EXPECT_EQ(Resolved().size(), 30u);
}

TEST_P(StoreTest, SourcesCountTheirObservations) {
  std::int64_t a = AddSource("a", 1, "2024");
  std::int64_t b = AddSource("b", 3, "2024");
  std::int64_t fa = File(a, "a.csv"), fb = File(b, "b.csv");
  Put("AAA", 2020, "ind1", 1, a, fa);
  Put("BBB", 2020, "ind1", 1, a, fa);
  Put("AAA", 2020, "ind1", 1, b, fb);
  auto sources = store_->Sources();
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].source.key, "a");  // ordered by tier
  EXPECT_EQ(sources[0].observations, 2);
  EXPECT_EQ(sources[0].source.publisher, "Publisher a");
  EXPECT_EQ(sources[1].source.key, "b");
  EXPECT_EQ(sources[1].observations, 1);
  EXPECT_EQ(sources[1].source.tier, 3);
}

TEST_P(StoreTest, FilesAndQuarantineRoundTrip) {
  std::int64_t s = AddSource("s", 1, "2024");
  std::int64_t f = File(s, "a.csv");
  auto found = store_->FindFileBySha(Sha256Hex("a.csv"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, f);
  EXPECT_EQ(found->source_id, s);
  EXPECT_FALSE(store_->FindFileBySha(Sha256Hex("other")).has_value());
  FileRecord counts = *found;
  counts.rows_read = 10, counts.rows_accepted = 7, counts.rows_quarantined = 2, counts.rows_skipped = 1;
  store_->UpdateFileCounts(counts);
  auto files = store_->Files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].rows_read, 10);
  EXPECT_EQ(files[0].rows_accepted, 7);
  EXPECT_EQ(files[0].rows_quarantined, 2);
  EXPECT_EQ(files[0].rows_skipped, 1);

  store_->InsertQuarantine(f, QuarantineRow{9, 3, "AAA,2020,x", "non-numeric", "'x' is not a number"});
  store_->InsertQuarantine(f, QuarantineRow{4, 1, "ZZZ,2020,1", "unknown-unit", "ZZZ"});
  auto q = store_->Quarantine(f);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].line, 4);  // file order
  EXPECT_EQ(q[0].reason, "unknown-unit");
  EXPECT_EQ(q[1].line, 9);
  EXPECT_EQ(q[1].column, 3);
  EXPECT_EQ(q[1].raw, "AAA,2020,x");
  EXPECT_EQ(q[1].detail, "'x' is not a number");
  EXPECT_EQ(store_->Quarantine(0).size(), 2u);
  EXPECT_EQ(store_->Quarantine(f + 1).size(), 0u);
}

TEST_P(StoreTest, UnitsRoundTripAndUpsertKeepsKnownFields) {
  Unit u = Country("FRA", "France");
  u.name_zh = "法国";
  u.iso2 = "FR";
  u.m49 = "250";
  u.region_code = "150", u.region_name = "Europe";
  u.subregion_code = "155", u.subregion_name = "Western Europe";
  store_->UpsertUnit(u);
  // A later upsert without zh name or region keeps them.
  Unit again = Country("FRA", "France");
  again.iso2 = "FR";
  store_->UpsertUnit(again);
  auto got = store_->FindUnit("FRA");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->name_zh, "法国");
  EXPECT_EQ(got->m49, "250");
  EXPECT_EQ(got->region_name, "Europe");
  EXPECT_EQ(got->subregion_name, "Western Europe");
  EXPECT_EQ(got->kind, UnitKind::kCountry);

  Unit sub;
  sub.code = "FRA_X";
  sub.kind = UnitKind::kSubUnit;
  sub.name_en = "FRA_X";
  sub.parent = "FRA";
  store_->UpsertUnit(sub);
  auto s = store_->FindUnit("FRA_X");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->kind, UnitKind::kSubUnit);
  EXPECT_EQ(s->parent, "FRA");
}

TEST_P(StoreTest, UnitNamesMayBeAmbiguousUntilReplaced) {
  store_->AddUnitName("land", "AAA", "test");
  store_->AddUnitName("land", "BBB", "test");
  store_->AddUnitName("land", "BBB", "test again");  // same pair: ignored
  std::vector<std::pair<std::string, std::string>> want{{"land", "AAA"}, {"land", "BBB"}};
  EXPECT_EQ(store_->UnitNames(), want);
  store_->ReplaceUnitName("land", "CCC", "curated");
  want = {{"land", "CCC"}};
  EXPECT_EQ(store_->UnitNames(), want);
}

TEST_P(StoreTest, IndicatorUpsertKeepsNonEmptyFields) {
  store_->UpsertIndicator(Indicator{"ind1", "", "指标一", "per 100k", "", -1, ""});
  auto inds = store_->Indicators();
  ASSERT_EQ(inds.size(), 2u);
  EXPECT_EQ(inds[0].code, "ind1");
  EXPECT_EQ(inds[0].name_en, "Indicator one");  // kept
  EXPECT_EQ(inds[0].name_zh, "指标一");
  EXPECT_EQ(inds[0].unit_of_measure, "per 100k");
  EXPECT_EQ(inds[0].direction, -1);
}

TEST_P(StoreTest, CountRowsRejectsUnknownTable) {
  EXPECT_THROW(store_->CountRows("units; DROP TABLE units"), Failure);
  EXPECT_EQ(store_->CountRows("units"), 5);
}

TEST_P(StoreTest, CampaignRowsRoundTripAndSheetsAreAppendOnly) {
  Campaign c;
  c.key = "practice-2026", c.rules = "[campaign]\ntitle_en = \"T\"", c.created = "2026-12-06T10:00:00Z";
  const std::int64_t id = store_->InsertCampaign(c);
  c.id = id, c.state = CampaignState::kScoring, c.rules_sha256 = std::string(64, 'c');
  c.opened = "2026-12-06T11:00:00Z";
  store_->UpdateCampaign(c);
  auto found = store_->FindCampaign("practice-2026");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->state, CampaignState::kScoring);
  EXPECT_EQ(found->rules, c.rules);
  EXPECT_EQ(found->opened, c.opened);
  EXPECT_FALSE(store_->FindCampaign("other"));
  const std::vector<CampaignApplication> apps{{"A02", "org-b", "KEN", "Road, Nairobi", {"a, b.pdf", "c.pdf"}},
                                              {"A01", "org-a", "PAK", "Port", {}}};
  store_->ReplaceApplications(id, apps);
  store_->ReplaceJudges(id, {{"judge-1", "panel", "CHN", {"A01", "A02"}}, {"judge-2", "org-a", "", {}}});
  store_->ReplaceAssignments(id, {{"A02", "judge-2"}, {"A01", "judge-1"}});
  const auto read = store_->Applications(id);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].code, "A01");
  EXPECT_TRUE(read[0].documents.empty());
  EXPECT_EQ(read[1].documents, apps[0].documents);
  const auto judges = store_->Judges(id);
  ASSERT_EQ(judges.size(), 2u);
  EXPECT_EQ(judges[0].declared, (std::vector<std::string>{"A01", "A02"}));
  EXPECT_TRUE(judges[1].declared.empty());
  const std::vector<std::pair<std::string, std::string>> pairs{{"A01", "judge-1"}, {"A02", "judge-2"}};
  EXPECT_EQ(store_->Assignments(id), pairs);
  CampaignSheet sheet{
      0, "A01", "judge-1", 1, {3.5, 0.1, 5, 2}, "fine", "", "2026-12-06T12:00:00Z", std::string(64, 'd')};
  store_->InsertSheet(id, sheet);
  sheet.revision = 2, sheet.scores = {4, 4, 4, 4}, sheet.reason = "misread the rubric";
  store_->InsertSheet(id, sheet);
  const auto sheets = store_->Sheets(id);
  ASSERT_EQ(sheets.size(), 2u);
  EXPECT_EQ(sheets[0].scores, (std::vector<double>{3.5, 0.1, 5, 2}));
  EXPECT_EQ(sheets[1].revision, 2);
  EXPECT_EQ(sheets[1].reason, "misread the rubric");
  EXPECT_THROW(store_->InsertSheet(id, sheet), Failure) << "one row per revision";
  // Replacing the judges drops the assignment that named them.
  store_->ReplaceJudges(id, {{"judge-3", "panel", "", {}}});
  EXPECT_TRUE(store_->Assignments(id).empty());
}

TEST_P(StoreTest, RiskProjectsRoundTripOneRowPerRevision) {
  store_->SetMember("*");  // an enterprise's rows: PostgreSQL's row-level security admits its own or the secretariat
  Organisation firm;
  firm.key = "cn-roads", firm.name_en = "Roads Co", firm.kind = OrgKind::kEnterprise, firm.tier = 0;
  firm.created = "2026-12-07T00:00:00Z";
  const std::int64_t org = store_->InsertOrg(firm);
  RiskProjectRecord r;
  r.org_id = org, r.project = "ke-road", r.revision = 1, r.country = "KEN", r.sheet = "{\"stale\": false}";
  r.sha256 = std::string(64, 'a'), r.created = "2026-12-07T10:00:00Z", r.created_by = "wang";
  const std::int64_t first = store_->InsertRiskProject(r);
  r.revision = 2, r.sheet = "{\"stale\": true}", r.sha256 = std::string(64, 'b');
  const std::int64_t second = store_->InsertRiskProject(r);
  EXPECT_GT(second, first);
  const auto all = store_->RiskProjects();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, first);
  EXPECT_EQ(all[0].org, "cn-roads");
  EXPECT_EQ(all[0].org_id, org);
  EXPECT_EQ(all[1].revision, 2);
  EXPECT_EQ(all[1].sheet, "{\"stale\": true}");
  const auto found = store_->FindRiskProject(first);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->project, "ke-road");
  EXPECT_EQ(found->country, "KEN");
  EXPECT_EQ(found->sha256, std::string(64, 'a'));
  EXPECT_EQ(found->created, "2026-12-07T10:00:00Z");
  EXPECT_EQ(found->created_by, "wang");
  EXPECT_FALSE(store_->FindRiskProject(second + 1));
  EXPECT_THROW(store_->InsertRiskProject(r), Failure) << "one row per revision";
  r.org_id = 999, r.revision = 3;
  EXPECT_THROW(store_->InsertRiskProject(r), Failure) << "an organisation that is not there";
}

//! A GDELT point of file `sha` with the fields that matter to the filters; the others GDELT-like.
EventPoint Point(const std::string& id, int day, double lat, double lon, const std::string& unit,
                 const std::string& sha) {
  EventPoint p;
  p.source = "gdelt", p.event_id = id, p.day = day, p.lat = lat, p.lon = lon;
  p.adm1 = unit.empty() ? "" : "XX01", p.country_fips = unit.empty() ? "" : "XX", p.unit = unit;
  p.root_code = 19, p.quad_class = 4, p.goldstein = -10, p.mentions = 3, p.file_sha256 = sha, p.line = 7;
  return p;
}

std::vector<std::string> Ids(const std::vector<EventPoint>& points) {
  std::vector<std::string> out;
  for (const auto& p : points) out.push_back(p.event_id);
  return out;
}

TEST_P(StoreTest, EventPointsRoundTripOrderedByDayThenId) {
  const std::int64_t src = AddSource("gdelt", 4, "2019-10-24");
  File(src, "a.CSV");
  const std::string sha = Sha256Hex("a.CSV");
  EventPoint full = Point("881990832", 17828, 49.25, -123.133, "CAN", sha);
  full.adm1 = "CA02", full.country_fips = "CA", full.root_code = 13, full.quad_class = 3, full.goldstein = -7.0;
  full.mentions = 3, full.line = 1;
  std::vector<EventPoint> points{full, Point("3", 17830, 0, 0, "", sha),
                                 Point("2", 17830, -33.8678, 151.207, "AUS", sha),
                                 Point("10", 17829, 90, 180, "NOR", sha), Point("1", 17829, -90, -180, "ATA", sha)};
  {
    Transaction tx(*store_);
    EXPECT_EQ(store_->InsertEventPoints(points), 5);
    EXPECT_EQ(store_->InsertEventPoints({}), 0);
    tx.Commit();
  }
  const auto all = store_->EventPoints({});
  // Day, then the id as text ("1" < "10"; "2" < "3").
  EXPECT_EQ(Ids(all), (std::vector<std::string>{"881990832", "1", "10", "2", "3"}));
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0], full);  // every field as written, the reals to the bit
  EXPECT_EQ(all[4], points[1]);
  EXPECT_EQ(store_->CountRows("event_points"), 5);
}

TEST_P(StoreTest, EventPointsFilterByUnitDaysAndBox) {
  const std::int64_t src = AddSource("gdelt", 4, "2019-10-24");
  File(src, "a.CSV");
  const std::string sha = Sha256Hex("a.CSV");
  store_->InsertEventPoints({Point("1", 100, 10, 10, "AAA", sha), Point("2", 101, 20, 20, "AAA", sha),
                             Point("3", 102, 30, 30, "BBB", sha), Point("4", 103, -10, 179.5, "BBB", sha),
                             Point("5", 104, -10, -179.5, "", sha), Point("6", 105, 50, -170, "CCC", sha)});
  using V = std::vector<std::string>;
  auto ids = [&](const EventPointFilter& f) { return Ids(store_->EventPoints(f)); };
  EventPointFilter f;
  f.unit = "AAA";
  EXPECT_EQ(ids(f), (V{"1", "2"}));
  f.unit = "";  // the points without a unit
  EXPECT_EQ(ids(f), (V{"5"}));
  f.unit = "ZZZ";
  EXPECT_EQ(ids(f), V{});
  f = {};
  f.day_from = 101, f.day_to = 103;  // both ends included
  EXPECT_EQ(ids(f), (V{"2", "3", "4"}));
  f.day_from = 104, f.day_to = 103;
  EXPECT_EQ(ids(f), V{});
  f = {};
  f.unit = "BBB", f.day_from = 103;
  EXPECT_EQ(ids(f), (V{"4"}));
  // A box: every bound included.
  f = {};
  f.box = GeoBox{10, 30, 10, 20};
  EXPECT_EQ(ids(f), (V{"1", "2"}));
  f.box = GeoBox{-90, 90, -180, 180};
  EXPECT_EQ(ids(f), (V{"1", "2", "3", "4", "5", "6"}));
  f.box = GeoBox{15, 90, -180, 180};
  EXPECT_EQ(ids(f), (V{"2", "3", "6"}));
  // Across the antimeridian (west > east): 179.5 and −179.5 are in, −170 is not.
  f.box = GeoBox{-20, 60, 179, -175};
  EXPECT_EQ(ids(f), (V{"4", "5"}));
  f.box = GeoBox{-20, 60, 179, -170};
  EXPECT_EQ(ids(f), (V{"4", "5", "6"}));
  // The box with the other filters.
  f.unit = "BBB", f.day_from = 100, f.day_to = 103;
  EXPECT_EQ(ids(f), (V{"4"}));
  f.box = GeoBox{30, 10, -180, 180};  // south above north: nothing
  f.unit.reset();
  EXPECT_EQ(ids(f), V{});
}

TEST_P(StoreTest, EventPointsKeepTheFirstLineStoredForAnEventId) {
  const std::int64_t src = AddSource("gdelt", 4, "2019-10-24");
  File(src, "a.CSV");
  File(src, "b.CSV");
  const EventPoint first = Point("42", 200, 1, 2, "AAA", Sha256Hex("a.CSV"));
  EventPoint later = Point("42", 201, 3, 4, "BBB", Sha256Hex("b.CSV"));
  later.line = 99;
  EXPECT_EQ(store_->InsertEventPoints({first}), 1);
  EXPECT_EQ(store_->InsertEventPoints({later}), 0);
  // Twice in one batch too, and beside a new one.
  EventPoint other = later;
  other.event_id = "43";
  EXPECT_EQ(store_->InsertEventPoints({later, other, later}), 1);
  const auto all = store_->EventPoints({});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], first);
  EXPECT_EQ(all[1], other);
  // The key is (source, event_id): the same id of another data set is another point.
  EventPoint elsewhere = later;
  elsewhere.source = "other";
  EXPECT_EQ(store_->InsertEventPoints({elsewhere}), 1);
  EXPECT_EQ(store_->CountRows("event_points"), 3);
}

TEST_P(StoreTest, EventPointsRolledBackOrNamingNoFileLeaveNothing) {
  const std::int64_t src = AddSource("gdelt", 4, "2019-10-24");
  {
    Transaction tx(*store_);
    // The file row may come after its points in the transaction (the key is checked at the commit).
    EXPECT_EQ(store_->InsertEventPoints({Point("1", 1, 0, 0, "AAA", Sha256Hex("late.CSV"))}), 1);
    File(src, "late.CSV");
    EXPECT_EQ(store_->CountRows("event_points"), 1);
  }  // rolled back
  EXPECT_EQ(store_->CountRows("event_points"), 0);
  EXPECT_EQ(store_->CountRows("files"), 0);
  store_->Begin();
  store_->InsertEventPoints({Point("1", 1, 0, 0, "AAA", std::string(64, 'f'))});
  EXPECT_THROW(store_->Commit(), Failure) << "a point must name a stored file";
  store_->Rollback();
  EXPECT_EQ(store_->CountRows("event_points"), 0);
  // A coordinate out of range is refused by the table itself.
  File(src, "a.CSV");
  EXPECT_THROW(store_->InsertEventPoints({Point("2", 1, 91, 0, "AAA", Sha256Hex("a.CSV"))}), Failure);
  EXPECT_THROW(store_->InsertEventPoints({Point("2", 1, 0, -180.5, "AAA", Sha256Hex("a.CSV"))}), Failure);
  EXPECT_EQ(store_->CountRows("event_points"), 0);
}

TEST_P(StoreTest, ManyEventPointsInOneCall) {
  const std::int64_t src = AddSource("gdelt", 4, "2019-10-24");
  File(src, "a.CSV");
  std::vector<EventPoint> points;
  for (int i = 0; i < 1234; ++i)
    points.push_back(Point(std::to_string(100000 + i), 10 + i % 3, 1, 1, "AAA", Sha256Hex("a.CSV")));
  points.push_back(points[5]);  // a repeat, in another statement of the PostgreSQL store's
  Transaction tx(*store_);
  EXPECT_EQ(store_->InsertEventPoints(points), 1234);
  tx.Commit();
  EventPointFilter f;
  f.day_from = f.day_to = 11;
  EXPECT_EQ(store_->EventPoints(f).size(), 411u);  // i % 3 == 1 for i < 1234
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         test::BackendName);

// A store of an older schema, made by its own migrations and holding rows, upgraded by Migrate:
// its rows stay, and what the newer migrations add can be stored and read.
class StoreUpgrade : public ::testing::TestWithParam<Backend> {
 protected:
  //! A store of schema `version` holding `rows` (SQL), with `counted` tables' gpsi_ids set on PostgreSQL.
  std::string OldStore(std::size_t version, const std::string& rows, const std::string& pg_ids) {
    if (GetParam() == Backend::kSqlite) {
      const std::string location = dir_ / "old.db";
      sqlite3* db = nullptr;
      EXPECT_EQ(sqlite3_open(location.c_str(), &db), SQLITE_OK);
      for (std::size_t i = 0; i < version; ++i) {
        EXPECT_EQ(sqlite3_exec(db, std::string(detail::kMigrations[i]).c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
            << i + 1 << ": " << sqlite3_errmsg(db);
      }
      const std::string sql = "PRAGMA foreign_keys=ON; PRAGMA user_version = " + std::to_string(version) + ";" + rows;
      EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
      sqlite3_close(db);
      return location;
    }
    const std::string location = test::PgCluster::Get().NewDatabase();
    const std::string db = test::PgCluster::Database(location);
    for (std::size_t i = 0; i < version; ++i) {
      test::PgCluster::Get().Sql(std::string(detail::kPgMigrations[i]), db, "gpsi");
    }
    test::PgCluster::Get().Sql("UPDATE gpsi_schema SET version=" + std::to_string(version) + ";" + rows + pg_ids, db,
                               "gpsi");
    return location;
  }
  TempDir dir_;
};

TEST_P(StoreUpgrade, SchemaNineGainsEventPointsAndKeepsItsRows) {
  ASSERT_EQ(detail::kMigrations.size(), static_cast<std::size_t>(kSchemaVersion));
  ASSERT_EQ(detail::kPgMigrations.size(), static_cast<std::size_t>(kSchemaVersion));
  const std::string sha(64, 'a');
  const std::string rows =
      "INSERT INTO units(code,kind,name_en) VALUES('AAA','country','Land A');"
      "INSERT INTO sources(id,key,publisher,tier,release) VALUES(1,'gdelt-events-v2','GDELT',4,'2019-10-24');"
      "INSERT INTO files(id,path,sha256,bytes,source,ingested_at) VALUES(1,'/a.CSV','" +
      sha + "',10,1,'2025-01-01T00:00:00Z');";
  auto store = OpenOrDie(OldStore(9, rows, "UPDATE gpsi_ids SET last=1 WHERE name IN ('sources','files');"));
  ASSERT_NE(store, nullptr);
  ASSERT_EQ(store->SchemaVersion(), 9);
  EXPECT_THROW(store->CountRows("event_points"), Failure);  // no such table yet
  Status s = store->Migrate();
  ASSERT_TRUE(s.ok()) << s.error().Format();
  EXPECT_EQ(store->SchemaVersion(), kSchemaVersion);
  EXPECT_EQ(store->CountRows("units"), 1);
  ASSERT_EQ(store->Files().size(), 1u);
  EXPECT_EQ(store->Files()[0].sha256, sha);
  EXPECT_EQ(store->CountRows("event_points"), 0);
  EXPECT_EQ(store->InsertEventPoints({Point("7", 18000, 12.5, -3.25, "AAA", sha)}), 1);
  const auto points = store->EventPoints({});
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0], Point("7", 18000, 12.5, -3.25, "AAA", sha));
  // The new file rows are numbered after the old ones.
  FileRecord f;
  f.path = "/b.CSV", f.sha256 = std::string(64, 'b'), f.bytes = 1, f.source_id = 1, f.ingested_at = "2025-01-02";
  EXPECT_EQ(store->InsertFile(f), 2);
}

// Migration 11 copies the organisations into a table that allows enterprises (on SQLite, which
// cannot alter a CHECK): every organisation, and every row that names one, stays as it was.
TEST_P(StoreUpgrade, SchemaTenGainsEnterprisesAndKeepsItsOrganisations) {
  const std::string rows =
      "INSERT INTO units(code,kind,name_en) VALUES('KEN','country','Kenya');"
      "INSERT INTO orgs(id,key,name_en,kind,tier,created) VALUES(1,'forum','Forum','secretariat',0,'2026-01-01'),"
      "(2,'ke-police','Kenya Police','government',2,'2026-01-02');"
      "INSERT INTO org_countries(org,unit) VALUES(2,'KEN');"
      "INSERT INTO users(id,login,org,role,created) VALUES(1,'wanjiru',2,'member-submitter','2026-01-03');";
  auto store = OpenOrDie(OldStore(10, rows, ""));
  ASSERT_NE(store, nullptr);
  Status s = store->Migrate();
  ASSERT_TRUE(s.ok()) << s.error().Format();
  EXPECT_EQ(store->SchemaVersion(), 11);
  const auto police = store->FindOrg("ke-police");
  ASSERT_TRUE(police);
  EXPECT_EQ(police->id, 2);
  EXPECT_EQ(police->kind, OrgKind::kGovernment);
  EXPECT_EQ(police->countries, std::vector<std::string>{"KEN"});
  const auto user = store->FindAccount("wanjiru");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->org, "ke-police");
  // The foreign keys still hold: an account of an organisation that is not there is refused.
  Account ghost;
  ghost.login = "ghost", ghost.org_id = 99, ghost.created = "2026-01-04";
  EXPECT_THROW(store->InsertAccount(ghost), Failure);
  Organisation firm;
  firm.key = "cn-roads", firm.name_en = "Roads Co", firm.kind = OrgKind::kEnterprise, firm.tier = 0;
  firm.created = "2026-01-05";
  const std::int64_t firm_id = store->InsertOrg(firm);
  EXPECT_EQ(firm_id, 3);
  EXPECT_EQ(store->FindOrg("cn-roads")->kind, OrgKind::kEnterprise);
  store->SetMember(std::to_string(firm_id));  // the enterprise's own row
  RiskProjectRecord r;
  r.org_id = firm_id, r.project = "road", r.country = "KEN", r.sheet = "{}", r.sha256 = std::string(64, 'e');
  r.created = "2026-01-06T00:00:00Z", r.created_by = "someone";
  EXPECT_EQ(store->InsertRiskProject(r), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreUpgrade, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         test::BackendName);

}  // namespace
}  // namespace gpsi
