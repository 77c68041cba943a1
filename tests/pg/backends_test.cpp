// The PostgreSQL backend on the whole shared data: `gpsi migrate --to` copies the SQLite store
// into a new database of the tests' cluster and proves the copy; the default GPSI method built on
// both backends gives the same files, byte for byte.
#include <gtest/gtest.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "e2e/shared_store.hpp"
#include "pg_cluster.hpp"
#include "store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

std::string Method() {
  return std::string(GPSI_TESTS_DIR) + "/../methods/gpsi.toml";
}

//! The shared store copied into a new PostgreSQL database, once for the suite.
class Backends : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    blobs_ = new TempDir;
    ::setenv("GPSI_BLOBS", (*blobs_ / "blobs").c_str(), 1);
    lite_ = SharedStore();
    ASSERT_FALSE(lite_.empty());
    pg_ = PgCluster::Get().NewDatabase();
    migrate_ = Gpsi("--json --db " + Quote(lite_) + " migrate --to " + Quote(pg_));
  }
  static void TearDownTestSuite() { delete blobs_; }

  //! `SELECT count(*) FROM table` in the copy, asked of PostgreSQL itself.
  static std::int64_t CountInCopy(const std::string& table) {
    return std::stoll(PgCluster::Get().Sql("SELECT count(*) FROM " + table, PgCluster::Database(pg_)));
  }

  static TempDir* blobs_;
  static std::string lite_, pg_;
  static RunResult migrate_;
};
TempDir* Backends::blobs_ = nullptr;
std::string Backends::lite_, Backends::pg_;
RunResult Backends::migrate_;

TEST_F(Backends, MigrateCopiesEveryTableAndSaysSo) {
  ASSERT_EQ(migrate_.exit_code, 0) << migrate_.err;
  const auto report = nlohmann::json::parse(migrate_.out);
  // Every table of the schema, in StoreTables' order (parents before children).
  ASSERT_EQ(report["tables"].size(), StoreTables().size());
  std::int64_t total = 0;
  std::size_t i = 0;
  for (const auto& t : report["tables"]) {
    const std::string table = t["table"];
    EXPECT_EQ(table, StoreTables()[i++].name);
    EXPECT_EQ(t["rows"].get<std::int64_t>(), CountInCopy(table)) << table;
    EXPECT_EQ(t["sha256"].get<std::string>().size(), 64u) << table;
    total += t["rows"].get<std::int64_t>();
  }
  EXPECT_EQ(report["rows"].get<std::int64_t>(), total);
  EXPECT_GT(CountInCopy("observations"), 100000);
  EXPECT_GT(report["blobs"].get<std::int64_t>(), 10);
  EXPECT_TRUE(std::filesystem::is_directory(report["blob_dir"].get<std::string>()));
}

TEST_F(Backends, TheDefaultMethodGivesTheSameFilesOnBoth) {
  ASSERT_EQ(migrate_.exit_code, 0) << migrate_.err;
  TempDir out;
  auto lite = Gpsi("--db " + Quote(lite_) + " build --method " + Quote(Method()) + " --out " + Quote(out / "lite"));
  auto pg = Gpsi("--db " + Quote(pg_) + " build --method " + Quote(Method()) + " --out " + Quote(out / "pg"));
  ASSERT_EQ(lite.exit_code, 0) << lite.err;
  ASSERT_EQ(pg.exit_code, 0) << pg.err;
  for (const char* name : {"scores.csv", "stages.csv", "eligibility.csv"}) {
    const std::string a = ReadFile(out / (std::string("lite/") + name));
    EXPECT_FALSE(a.empty()) << name;
    EXPECT_EQ(ReadFile(out / (std::string("pg/") + name)), a) << name;
  }
}

TEST_F(Backends, ReadCommandsGiveTheSameAnswers) {
  ASSERT_EQ(migrate_.exit_code, 0) << migrate_.err;
  for (const char* args : {"sources", "units", "indicators"}) {
    auto lite = Gpsi("--json --db " + Quote(lite_) + " " + args);
    auto pg = Gpsi("--json --db " + Quote(pg_) + " " + args);
    ASSERT_EQ(lite.exit_code, 0) << lite.err;
    EXPECT_EQ(pg.exit_code, 0) << pg.err;
    EXPECT_EQ(pg.out, lite.out) << args;
  }
}

TEST_F(Backends, MigrateIntoAStoreThatHoldsRowsIsRefusedAndChangesNothing) {
  ASSERT_EQ(migrate_.exit_code, 0) << migrate_.err;
  const std::int64_t before = CountInCopy("observations");
  auto again = Gpsi("--db " + Quote(lite_) + " migrate --to " + Quote(pg_));
  EXPECT_EQ(again.exit_code, 2) << again.err;
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;
  EXPECT_EQ(CountInCopy("observations"), before);
}

TEST(MigrateTo, AnUnreachableDatabaseIsAnInputErrorThatHidesThePassword) {
  const std::string uri = "postgresql://gpsi:s3cret-word@/no_such_db?host=" + PgCluster::Get().host();
  TempDir dir;
  auto r = Gpsi("--db " + Quote(dir / "empty.db") + " init --no-fetch");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto m = Gpsi("--db " + Quote(dir / "empty.db") + " migrate --to " + Quote(uri));
  EXPECT_EQ(m.exit_code, 3) << m.err;
  EXPECT_NE(m.err.find("no_such_db"), std::string::npos) << m.err;
  EXPECT_EQ(m.err.find("s3cret-word"), std::string::npos) << m.err;
}

}  // namespace
}  // namespace gpsi::test
