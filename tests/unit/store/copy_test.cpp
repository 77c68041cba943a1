// Copying a whole store (gpsi migrate --to): StoreTables names every table and column of both
// backends' schemas, and CopyStore carries every value exactly, SQLite → PostgreSQL → SQLite.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "pg_cluster.hpp"
#include "store.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

using test::PgCluster;
using test::TempDir;

std::unique_ptr<Store> NewStore(const std::string& location) {
  auto r = OpenStore(location);
  if (!r.ok()) throw std::runtime_error(r.error().Format());
  Status s = (*r)->Migrate();
  if (!s.ok()) throw std::runtime_error(s.error().Format());
  return std::move(*r);
}

//! `columns` as the schema spells them: without the quotes around reserved words.
std::string Unquoted(std::string_view columns) {
  std::string out;
  for (char c : columns) {
    if (c != '"') out += c;
  }
  return out;
}

TEST(StoreTables, NameEveryTableAndColumnOfTheSqliteSchema) {
  TempDir dir;
  NewStore(dir / "s.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "s.db").c_str(), &db), SQLITE_OK);
  std::set<std::string> tables;
  auto text = [](sqlite3_stmt* s, int c) {
    return std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, c)));
  };
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'", -1, &s,
                     nullptr);
  while (sqlite3_step(s) == SQLITE_ROW) tables.insert(text(s, 0));
  sqlite3_finalize(s);
  std::set<std::string> listed;
  for (const auto& t : StoreTables()) {
    listed.insert(std::string(t.name));
    std::string columns;
    sqlite3_prepare_v2(db, ("SELECT name FROM pragma_table_info('" + std::string(t.name) + "')").c_str(), -1, &s,
                       nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) columns += (columns.empty() ? "" : ",") + text(s, 0);
    sqlite3_finalize(s);
    EXPECT_EQ(Unquoted(t.columns), columns) << t.name;
  }
  sqlite3_close(db);
  EXPECT_EQ(listed, tables);
}

TEST(StoreTables, NameEveryTableAndColumnOfThePostgresSchema) {
  const std::string uri = PgCluster::Get().NewDatabase();
  NewStore(uri);
  const std::string db = PgCluster::Database(uri);
  auto lines = [](const std::string& text) {
    std::set<std::string> out;
    for (std::size_t at = 0; at < text.size();) {
      const auto nl = std::min(text.find('\n', at), text.size());
      if (nl > at) out.insert(text.substr(at, nl - at));
      at = nl + 1;
    }
    return out;
  };
  auto tables = lines(PgCluster::Get().Sql(
      "SELECT table_name FROM information_schema.tables WHERE table_schema='public' AND table_name NOT IN "
      "('gpsi_schema','gpsi_ids')",
      db));
  std::set<std::string> listed;
  for (const auto& t : StoreTables()) {
    listed.insert(std::string(t.name));
    std::string columns = PgCluster::Get().Sql(
        "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns "
        "WHERE table_schema='public' AND table_name='" +
            std::string(t.name) + "'",
        db);
    while (!columns.empty() && columns.back() == '\n') columns.pop_back();
    EXPECT_EQ(Unquoted(t.columns), columns) << t.name;
  }
  EXPECT_EQ(listed, tables);
}

//! A store holding rows of every kind a copy must carry: NULLs, ids, awkward reals and text.
void Fill(Store& s) {
  Unit parent;
  parent.code = parent.iso3 = "PAR";
  parent.name_en = "Parent\tland \"quoted\" \\ back";
  parent.name_zh = "中华";
  s.UpsertUnit(parent);
  Unit child = parent;
  child.code = "CHI", child.iso3 = "", child.parent = "PAR", child.name_en = "Line\nbreak";
  s.UpsertUnit(child);
  s.AddUnitName("par", "PAR", "test");
  s.UpsertIndicator(Indicator{"ind", "Indicator", "指标", "per 100k", "crime", -1, "a, b; c"});
  const std::int64_t src = s.UpsertSource(Source{"src", "Publisher", 2, "CC-BY", "https://x", "2024-05", "", 1});
  FileRecord f;
  f.path = "/data/a.csv", f.sha256 = std::string(64, 'a'), f.bytes = 10, f.source_id = src;
  f.descriptor = "d", f.ingested_at = "2025-01-01T00:00:00Z";
  const std::int64_t file = s.InsertFile(f);
  const double values[] = {
      0.1, 1e-300, -0.0, 123456789.123456789, std::numeric_limits<double>::max(), std::nextafter(1.0, 2.0)};
  int i = 0;
  for (double v : values) {
    s.InsertObservation(Observation{"PAR", 2000 + i, "ind", v, 2 + i, "flag"}, src, file, nullptr);
    ++i;
  }
  s.InsertQuarantine(file, QuarantineRow{9, 2, "x,\\N,y", "non-numeric", ""});
  s.InsertEventPoints(
      {EventPoint{"gdelt", "881990832", 17828, 49.25, -123.133, "CA02", "CA", "CAN", 13, 3, -7.0, 3, f.sha256, 1},
       EventPoint{"gdelt", "2", -1, 1e-300, std::nextafter(180.0, 0.0), "", "", "", 20, 4, 0.1, 0, f.sha256, 2}});
  s.SetUnitGroup("PAR", "income", "high", 0);  // a NULL file
  Campaign c;
  c.key = "practice", c.rules = "title = \"评选\"\n", c.created = "2026-12-06T10:00:00Z", c.results = "{}";
  const std::int64_t campaign = s.InsertCampaign(c);
  s.ReplaceApplications(campaign, {{"A1", "org", "KEN", "Road\tproject", {"a.pdf", "b, c.pdf"}}});
  s.ReplaceJudges(campaign, {{"judge", "panel", "CHN", {"A1"}}});
  s.ReplaceAssignments(campaign, {{"A1", "judge"}});
  s.InsertSheet(campaign, CampaignSheet{0, "A1", "judge", 1, {0.5, 5, 1e-3}, "", "", "2026-12-06T11:00:00Z", "h"});
  s.AppendAudit(AuditEntry{1, "2025-01-01T00:00:00Z", "root", "", "cli", "org.create", "x", "", "{\"a\":1}",
                           std::string(64, '0'), std::string(64, '1')});
}

std::map<std::string, std::string> Checksums(Store& s) {
  std::map<std::string, std::string> out;
  for (const auto& t : StoreTables()) out[std::string(t.name)] = TableChecksum(s, t, nullptr);
  return out;
}

TEST(CopyStore, CarriesEveryValueToPostgresAndBack) {
  TempDir dir;
  auto lite = NewStore(dir / "a.db");
  Fill(*lite);
  auto pg = NewStore(PgCluster::Get().NewDatabase());
  auto there = CopyStore(*lite, *pg);
  ASSERT_TRUE(there.ok()) << there.error().Format();
  EXPECT_EQ(there->size(), StoreTables().size());
  auto back = NewStore(dir / "b.db");
  auto again = CopyStore(*pg, *back);
  ASSERT_TRUE(again.ok()) << again.error().Format();
  const auto sums = Checksums(*lite);
  EXPECT_EQ(Checksums(*pg), sums);
  EXPECT_EQ(Checksums(*back), sums);
  // The reals are the same values, not only the same checksum text. (-0 reads back as 0 from both:
  // SQLite keeps an integral real as an integer, and the PostgreSQL store does as SQLite does.)
  std::vector<double> a, b;
  lite->Observations({}, [&](const ResolvedValue& r) { a.push_back(r.value); });
  pg->Observations({}, [&](const ResolvedValue& r) { b.push_back(r.value); });
  ASSERT_EQ(a.size(), 6u);
  ASSERT_EQ(b.size(), a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i], b[i]);
  }
  const auto points = lite->EventPoints({});
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(pg->EventPoints({}), points);
  EXPECT_EQ(back->EventPoints({}), points);
  // Ids generated after the copy follow the copied ones.
  FileRecord f;
  f.path = "/data/b.csv", f.sha256 = std::string(64, 'b'), f.bytes = 1, f.ingested_at = "2025-01-02T00:00:00Z";
  EXPECT_EQ(pg->InsertFile(f), 2);
}

TEST(CopyStore, RefusesATargetThatHoldsRowsAndLeavesIt) {
  TempDir dir;
  auto from = NewStore(dir / "a.db");
  Fill(*from);
  auto to = NewStore(PgCluster::Get().NewDatabase());
  Unit u;
  u.code = u.iso3 = "ZZZ", u.name_en = "Z";
  to->UpsertUnit(u);
  auto r = CopyStore(*from, *to);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUsage);
  EXPECT_EQ(to->CountRows("units"), 1);
  EXPECT_EQ(to->CountRows("observations"), 0);
}

TEST(ShownLocation, HidesAUrisPasswordOnly) {
  EXPECT_EQ(ShownLocation("postgresql://u:pw@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(ShownLocation("postgres://u@/db?host=/tmp&password=pw&x=1"), "postgres://u@/db?host=/tmp&password=***&x=1");
  EXPECT_EQ(ShownLocation("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(ShownLocation("/tmp/a:b@c.db"), "/tmp/a:b@c.db");
  EXPECT_TRUE(IsPostgresUri("postgresql://x"));
  EXPECT_FALSE(IsPostgresUri("gpsi.db"));
}

}  // namespace
}  // namespace gpsi
