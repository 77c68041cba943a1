// The store opened only to read (StoreAccess::kRead, issue 16): it reads, refuses every write,
// never changes the store's bytes and leaves its folder as it was (no -wal, -shm or -journal
// left); it sees what a writer commits meanwhile; and it reads a store in a folder the process may
// not write, where SQLite cannot make the -wal and -shm. TryBegin does not wait for a writer.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "store.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

Unit Country(const std::string& code) {
  Unit u;
  u.code = u.iso3 = code;
  u.name_en = "Land " + code;
  return u;
}

//! A new store at `path` (WAL mode, as gpsi makes them) holding units AAA and BBB, closed.
void MakeStore(const std::string& path) {
  auto s = OpenSqliteStore(path);
  ASSERT_TRUE(s.ok()) << s.error().Format();
  ASSERT_TRUE((*s)->Migrate().ok());
  (*s)->UpsertUnit(Country("AAA"));
  (*s)->UpsertUnit(Country("BBB"));
}

//! The names in `dir`, sorted.
std::vector<std::string> Listing(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

//! Runs `fn` in a child process that may read `dir` but not write it (as root: one that runs as
//! nobody; else with `dir` made read-only meanwhile): `fn`'s exit code, 99 if it could not drop.
int InFolderItMayNotWrite(const fs::path& dir, const std::function<int()>& fn) {
  const bool root = ::geteuid() == 0;
  fs::permissions(dir, root ? fs::perms(0755) : fs::perms(0555));
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (root && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(99);
    ::_exit(fn());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  fs::permissions(dir, fs::perms(0755));
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(StoreReadOnly, ReadsRefusesWritesAndLeavesTheStoreAndFolderAsTheyWere) {
  TempDir dir;
  const std::string path = dir / "s.db";
  MakeStore(path);
  const std::string bytes = test::ReadFile(path);
  const auto listing = Listing(dir.path());
  const auto mtime = fs::last_write_time(path);
  {
    auto r = OpenSqliteStore(path, StoreAccess::kRead);
    ASSERT_TRUE(r.ok()) << r.error().Format();
    Store& s = **r;
    EXPECT_EQ(s.SchemaVersion(), kSchemaVersion);
    EXPECT_EQ(s.Units().size(), 2u);
    try {
      s.UpsertUnit(Country("CCC"));
      ADD_FAILURE() << "a store opened to read took a write";
    } catch (const Failure& f) {
      EXPECT_EQ(f.error().code, Errc::kIo);  // exit 3: the command's fault, not the store's
      EXPECT_NE(f.error().message.find("the store is read-only"), std::string::npos) << f.error().message;
    }
  }
  EXPECT_EQ(test::ReadFile(path), bytes);
  EXPECT_EQ(fs::last_write_time(path), mtime);
  EXPECT_EQ(Listing(dir.path()), listing) << "a -wal, -shm or -journal was left";
}

TEST(StoreReadOnly, SeesWhatAWriterCommitsMeanwhile) {
  // Read through the WAL with its locks (not immutable) where the folder allows it: a writer is
  // safe to run beside a reader, and the reader's next query sees the commit.
  TempDir dir;
  const std::string path = dir / "s.db";
  MakeStore(path);
  auto reader = OpenSqliteStore(path, StoreAccess::kRead);
  ASSERT_TRUE(reader.ok()) << reader.error().Format();
  EXPECT_EQ((*reader)->Units().size(), 2u);
  {
    auto writer = OpenSqliteStore(path);
    ASSERT_TRUE(writer.ok()) << writer.error().Format();
    (*writer)->UpsertUnit(Country("CCC"));
  }
  EXPECT_EQ((*reader)->Units().size(), 3u);
}

TEST(StoreReadOnly, MissingOrNotAStoreIsAnInputError) {
  TempDir dir;
  auto missing = OpenSqliteStore(dir / "none.db", StoreAccess::kRead);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kIo);
  EXPECT_FALSE(fs::exists(dir / "none.db"));
  test::WriteFile(dir / "text.db", std::string(4096, 'x'));
  auto text = OpenSqliteStore(dir / "text.db", StoreAccess::kRead);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, Errc::kIo);
  EXPECT_NE(text.error().message.find("not a gpsi store"), std::string::npos) << text.error().message;
}

TEST(StoreReadOnly, ReadsAStoreInAFolderItMayNotWrite) {
  // No -wal or -shm can be made there: the store is opened immutable (wal.html, "read-only
  // databases"), and opening it to write is refused as read-only (exit 3), not a store error.
  TempDir dir;
  const std::string path = dir / "s.db";
  MakeStore(path);
  fs::permissions(path, fs::perms(0444));
  const std::string bytes = test::ReadFile(path);
  const auto listing = Listing(dir.path());
  const int code = InFolderItMayNotWrite(dir.path(), [&] {
    auto r = OpenSqliteStore(path, StoreAccess::kRead);
    if (!r.ok()) return 1;
    if ((*r)->Units().size() != 2u) return 2;
    auto w = OpenSqliteStore(path);
    if (w.ok()) return 3;
    if (w.error().code != Errc::kIo || w.error().message.find("the store is read-only") == std::string::npos) return 4;
    return 0;
  });
  EXPECT_EQ(code, 0) << "1 no read, 2 wrong read, 3 a write open, 4 not a read-only error, 99 no drop";
  EXPECT_EQ(test::ReadFile(path), bytes);
  EXPECT_EQ(Listing(dir.path()), listing);
}

TEST(StoreReadOnly, ALogWithChangesInAFolderItMayNotWrite) {
  // A writer killed with changes in its -wal: with the -shm beside it they are read (SQLite keeps
  // the index in memory); without it they cannot be, and ignoring the log (immutable) would lose
  // them, so the open fails saying how to fold them in.
  TempDir dir;
  const std::string path = dir / "s.db";
  MakeStore(path);
  const pid_t pid = ::fork();
  if (pid == 0) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "INSERT INTO units(code,kind,name_en,iso3) VALUES('CCC','country','Land CCC','CCC')", nullptr,
                 nullptr, nullptr);
    ::_exit(0);  // without closing: the change stays in the -wal
  }
  ::waitpid(pid, nullptr, 0);
  ASSERT_GT(fs::file_size(path + "-wal"), 0u);
  EXPECT_EQ(InFolderItMayNotWrite(dir.path(),
                                  [&] {
                                    auto r = OpenSqliteStore(path, StoreAccess::kRead);
                                    return r.ok() ? static_cast<int>((*r)->Units().size()) : 100;
                                  }),
            3);
  fs::remove(path + "-shm");
  EXPECT_EQ(InFolderItMayNotWrite(dir.path(),
                                  [&] {
                                    auto r = OpenSqliteStore(path, StoreAccess::kRead);
                                    if (r.ok()) return 1;
                                    return r.error().message.find("write-ahead log") == std::string::npos ? 2 : 0;
                                  }),
            0);
}

TEST(StoreLock, TryBeginDoesNotWaitForAnotherWriter) {
  TempDir dir;
  const std::string path = dir / "s.db";
  MakeStore(path);
  auto a = OpenSqliteStore(path), b = OpenSqliteStore(path);
  ASSERT_TRUE(a.ok() && b.ok());
  (*a)->Begin();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE((*b)->TryBegin());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));  // not the 30 s busy timeout
  (*a)->Rollback();
  EXPECT_TRUE((*b)->TryBegin());
  (*b)->Rollback();
}

}  // namespace
}  // namespace gpsi
