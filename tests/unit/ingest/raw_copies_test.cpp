// Raw copies left under temporary names (`<db>.blobs/.tmp-<pid>-<hex>`) by writers that were
// killed are removed on the next write (issue 16), and only those: a copy its writer holds locked
// is kept whatever its pid says (another container's process), as is a fresh one of a live pid;
// an hour-old copy of a live pid (a reused pid) goes; nothing goes while another writer holds the
// store's write lock.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "ingest.hpp"
#include "store.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

//! The pid of a process that has ended.
pid_t DeadPid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

TEST(RawCopies, StaleOnesGoOnTheNextWriteAndLiveOnesStay) {
  TempDir dir;
  auto store = OpenSqliteStore(dir / "s.db");
  ASSERT_TRUE(store.ok()) << store.error().Format();
  ASSERT_TRUE((*store)->Migrate().ok());
  const fs::path blobs = (*store)->BlobDir();
  fs::create_directories(blobs / "ab");
  const std::string dead = std::to_string(DeadPid()), self = std::to_string(::getpid());
  const auto make = [&](const std::string& name) {
    test::WriteFile((blobs / name).string(), "raw");
    return blobs / name;
  };
  make(".tmp-" + dead + "-1");                          // killed writer: goes
  make(".tmp-" + self + "-2");                          // live pid, fresh: a writer about to lock it
  const fs::path reused = make(".tmp-" + self + "-3");  // live pid, two hours old: a reused pid
  fs::last_write_time(reused, fs::file_time_type::clock::now() - std::chrono::hours(2));
  const fs::path held = make(".tmp-" + dead + "-4");  // locked by a writer this pid namespace cannot see
  const int fd = ::open(held.c_str(), O_RDONLY);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  make("ab/abcdef");  // a stored blob

  // Another writer inside a transaction: the copies may be its own, so none goes.
  {
    auto other = OpenSqliteStore(dir / "s.db");
    ASSERT_TRUE(other.ok());
    (*other)->Begin();
    EXPECT_EQ(RemoveStaleRawCopies(**store), 0);
    EXPECT_TRUE(fs::exists(blobs / (".tmp-" + dead + "-1")));
    (*other)->Rollback();
  }
  EXPECT_EQ(RemoveStaleRawCopies(**store), 2);
  EXPECT_FALSE(fs::exists(blobs / (".tmp-" + dead + "-1")));
  EXPECT_TRUE(fs::exists(blobs / (".tmp-" + self + "-2")));
  EXPECT_FALSE(fs::exists(reused));
  EXPECT_TRUE(fs::exists(held));
  EXPECT_TRUE(fs::exists(blobs / "ab/abcdef"));
  ::close(fd);  // its writer is gone: the lock with it
  EXPECT_EQ(RemoveStaleRawCopies(**store), 1);
  EXPECT_FALSE(fs::exists(held));
}

}  // namespace
}  // namespace gpsi
