// The ingest row loop hands its store writes to a second thread in batches (store_writer.cpp).
// A file several batches long, with every kind of write scattered over it, must give exactly the
// store a one-row-at-a-time ingest gives: each counted row, each quarantined row in file order
// with its location and text, duplicates settled against rows of earlier batches, and sub-units
// created before the rows that use them.
#include <sqlite3.h>

#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_util.hpp"

namespace gpsi::test {
namespace {

// Rows of one SQL query as text, columns joined by '|'.
std::vector<std::string> Query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> rows;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path;
    sqlite3_close(db);
    return rows;
  }
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      const unsigned char* t = sqlite3_column_text(st, i);
      row += (i ? "|" : "") + std::string(t ? reinterpret_cast<const char*>(t) : "");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

TEST(StoreWriter, ManyBatchesGiveTheSameStoreAsRowByRow) {
  TempDir tmp;
  const std::string db = tmp / "s.db", csv = tmp / "big.csv";
  ASSERT_EQ(Gpsi("--db " + Quote(db) + " -q init").exit_code, 0);

  // 30,000 distinct cells (three batches of 8,192 writes and more), then the special rows. The
  // expected outcome of every row is decided here, independently of gpsi.
  const std::vector<std::string> units{"FRA", "DEU", "CHN", "BRA", "KEN", "IND"};
  std::string text = "unit,year,indicator,value\n";
  std::int64_t line = 1, accepted = 0, duplicates = 0;
  std::vector<std::string> expect_q;  // "line|column|reason|raw", in file order
  auto add = [&](const std::string& row) {
    text += row + "\n";
    ++line;
  };
  for (int i = 0; i < 30000; ++i) {
    add(fmt::format("{},{},SW.I{:03},{}", units[i % units.size()], 1900 + (i / 6) % 100, i / 600, i));
    ++accepted;
    if (i == 9000) {  // a sub-unit first seen mid-file, in a later batch than its country's rows
      add("GBR_E_W,2001,SW.SUB,1.5");
      ++accepted;
    }
    if (i == 12000) {
      add("ZZZ,2001,SW.I001,1");  // unknown unit
      expect_q.push_back(fmt::format("{}|1|unknown-unit|ZZZ,2001,SW.I001,1", line));
      add("FRA,2001,SW.X,abc");  // non-numeric, at column 15
      expect_q.push_back(fmt::format("{}|15|non-numeric|FRA,2001,SW.X,abc", line));
    }
  }
  // Row 2 (FRA 1900 SW.I000 = 0) again: same value, then another value; both from batch one.
  add("FRA,1900,SW.I000,0.0");
  ++duplicates;
  add("FRA,1900,SW.I000,7");
  expect_q.push_back(fmt::format("{}|18|duplicate-conflict|FRA,1900,SW.I000,7", line));
  add("GBR_E_W,2002,SW.SUB,2.5");  // the sub-unit again
  ++accepted;
  WriteFile(csv, text);

  auto r = Gpsi("--db " + Quote(db) + " --json ingest " + Quote(csv));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(r.out)["files"][0];
  EXPECT_EQ(report["accepted"].get<std::int64_t>(), accepted);
  EXPECT_EQ(report["quarantined"].get<std::size_t>(), expect_q.size());
  EXPECT_EQ(report["skipped"]["duplicate"].get<std::int64_t>(), duplicates);
  EXPECT_EQ(report["reasons"]["duplicate-conflict"].get<int>(), 1);

  EXPECT_EQ(Query(db, "SELECT count(*) FROM observations")[0], std::to_string(accepted));
  EXPECT_EQ(Query(db, "SELECT line || '|' || \"column\" || '|' || reason || '|' || raw FROM quarantine ORDER BY id"),
            expect_q);
  auto detail = Query(db, "SELECT detail FROM quarantine WHERE reason = 'duplicate-conflict'");
  ASSERT_EQ(detail.size(), 1u);
  EXPECT_NE(detail[0].find("at line 2"), std::string::npos) << detail[0];
  EXPECT_EQ(Query(db, "SELECT value FROM observations WHERE unit = 'FRA' AND indicator = 'SW.I000' AND year = 1900"),
            std::vector<std::string>{"0.0"});
  EXPECT_EQ(Query(db, "SELECT kind || '|' || parent FROM units WHERE code = 'GBR_E_W'"),
            std::vector<std::string>{"sub-unit|GBR"});
  EXPECT_EQ(Query(db, "SELECT count(*) FROM observations WHERE unit = 'GBR_E_W'")[0], "2");
  EXPECT_TRUE(Query(db, "PRAGMA foreign_key_check").empty());
}

}  // namespace
}  // namespace gpsi::test
