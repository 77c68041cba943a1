// Unit tests of the store: migrations, the schema-version guard, transactions, duplicate
// detection and the source-priority rule (tier, release, preference, file). Every StoreTest case
// runs on both backends, SQLite and PostgreSQL (a throwaway cluster: tests/pg_cluster.hpp).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "pg_cluster.hpp"
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

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         test::BackendName);

}  // namespace
}  // namespace gpsi
