// engine::Open: the store every command opens. A store of a newer schema is refused as the store's
// own Migrate refuses it (kSchemaNewer), and left untouched; a missing one is created and initialised.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <sstream>
#include <string>

#include "detail/built.hpp"
#include "engine.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

using test::TempDir;

//! PRAGMA user_version of a SQLite file, read and written with the SQLite API directly.
int UserVersion(const std::string& path, int set = -1) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  if (set >= 0) {
    std::string sql = "PRAGMA user_version = " + std::to_string(set);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  }
  sqlite3_stmt* st = nullptr;
  int v = -1;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_int(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

TEST(EngineOpen, NewStoreIsInitialisedAndNewerSchemaRefused) {
  TempDir dir;
  std::string path = dir / "s.db";
  {
    auto opened = engine::Open(path);
    ASSERT_TRUE(opened.ok()) << opened.error().Format();
    EXPECT_FALSE((*opened)->Units().empty());  // the country reference was loaded
  }
  const int current = UserVersion(path);
  ASSERT_GT(current, 0);
  UserVersion(path, current + 6);
  auto newer = engine::Open(path);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.error().code, Errc::kSchemaNewer);
  EXPECT_NE(newer.error().message.find(std::to_string(current + 6)), std::string::npos) << newer.error().message;
  EXPECT_EQ(UserVersion(path), current + 6);  // left untouched
}

TEST(EngineOpen, AStoreErrorBelowTheFacadeComesBackAsAResult) {
  // A store whose observations table is gone: every query of it fails inside the store (which
  // throws Failure); the façade's functions answer with an error instead of throwing.
  TempDir dir;
  std::string path = dir / "s.db";
  ASSERT_TRUE(engine::Open(path).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA foreign_keys=OFF; DROP TABLE observations;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  std::ostringstream out;
  Status exported = Ok();
  EXPECT_NO_THROW(exported = engine::Export(engine::ExportConfig{path}, out));
  EXPECT_FALSE(exported.ok());
  Result<std::vector<ResolvedValue>> shown = std::vector<ResolvedValue>{};
  EXPECT_NO_THROW(shown = engine::Show(path, "FRA", {}));
  EXPECT_FALSE(shown.ok());
  Result<std::vector<engine::Disagreement>> dis = std::vector<engine::Disagreement>{};
  EXPECT_NO_THROW(dis = engine::Disagreements(engine::ResolveConfig{path}));
  EXPECT_FALSE(dis.ok());
}

TEST(EngineOpenExisting, ReadCommandsNeitherInitialiseNorMigrate) {
  // A read opens the store read-only: an older store is an input error (exit 3) saying to migrate
  // it with gpsi init, an uninitialised one says to make it; neither is written.
  TempDir dir;
  std::string path = dir / "s.db";
  ASSERT_TRUE(engine::Open(path).ok());
  const int current = UserVersion(path);
  UserVersion(path, current - 1);
  const std::string bytes = test::ReadFile(path);
  auto older = engine::OpenExisting(path);
  ASSERT_FALSE(older.ok());
  EXPECT_EQ(older.error().code, Errc::kIo);
  EXPECT_EQ(older.error().ExitCode(), 3);
  EXPECT_NE(older.error().message.find("migrate it first with gpsi --db"), std::string::npos) << older.error().message;
  EXPECT_EQ(test::ReadFile(path), bytes);
  // To write (build), an older store is refused as every write command refuses it.
  auto to_write = engine::OpenExisting(path, StoreAccess::kWrite);
  ASSERT_FALSE(to_write.ok());
  EXPECT_EQ(to_write.error().code, Errc::kSchemaOlder);

  test::WriteFile(dir / "empty.db", "");
  auto empty = engine::OpenExisting(dir / "empty.db");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().ExitCode(), 3);
  EXPECT_NE(empty.error().message.find("init"), std::string::npos) << empty.error().message;
  EXPECT_EQ(test::ReadFile(dir / "empty.db"), "");
}

}  // namespace
}  // namespace gpsi
