// Crash safety of ingest: `gpsi ingest` of a big canonical CSV is SIGKILLed at 20 moments spread
// over its run (fixed seed), into one store. After every kill the store must pass SQLite's
// integrity check and hold the file either completely (files row, its raw bytes, all N
// observations) or not at all (no files row, no observations, no quarantine rows).
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kKills = 20;
constexpr int kYears = 50;  // 1971..2020

// Writes a canonical CSV of units × years × `indicators` rows; `version` changes one value so
// that each version is a new file (new sha256). Returns the number of data rows.
std::int64_t WriteBig(const std::string& path, const std::vector<std::string>& units, int indicators, int version) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr) << path;
  if (!f) return 0;
  fmt::memory_buffer buf;
  fmt::format_to(std::back_inserter(buf), "unit,year,indicator,value\n");
  std::int64_t n = 0;
  for (int k = 0; k < indicators; ++k) {
    for (std::size_t u = 0; u < units.size(); ++u) {
      for (int y = 1971; y < 1971 + kYears; ++y) {
        std::int64_t v = (static_cast<std::int64_t>(u) * 7919 + y * 31 + k * 104729) % 100000;
        if (n == 0) v += 100000 * version;
        fmt::format_to(std::back_inserter(buf), "{},{},kill.i{:03},{}.{}\n", units[u], y, k, v / 10, v % 10);
        ++n;
      }
    }
    std::fwrite(buf.data(), 1, buf.size(), f);
    buf.clear();
  }
  std::fclose(f);
  return n;
}

std::string FileSha(const std::string& path) {
  Sha256 sha;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  std::vector<char> buf(1 << 20);
  while (f) {
    std::size_t n = std::fread(buf.data(), 1, buf.size(), f);
    if (n == 0) break;
    sha.Update(buf.data(), n);
  }
  if (f) std::fclose(f);
  return sha.HexDigest();
}

// Starts `gpsi --db DB -q ingest --descriptors EMPTY FILE` with output discarded.
pid_t Spawn(const std::string& db, const std::string& empty_dir, const std::string& file) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(GPSI_BINARY, "gpsi", "--db", db.c_str(), "-q", "ingest", "--descriptors", empty_dir.c_str(), file.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Waits up to `delay` for the child; kills it (SIGKILL) if it is still running. Returns the exit
// code when it finished by itself, -1 when killed.
int RunFor(pid_t pid, std::chrono::duration<double> delay) {
  auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(delay);
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (Clock::now() >= end) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);  // it finished in the last instant
  return -1;
}

class Db {
 public:
  explicit Db(const std::string& path) { sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr); }
  ~Db() { sqlite3_close_v2(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  std::vector<std::string> Column(const std::string& sql, const std::string& arg = "") {
    std::vector<std::string> out;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    if (!arg.empty()) sqlite3_bind_text(st, 1, arg.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      out.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    sqlite3_finalize(st);
    return out;
  }
  std::int64_t Int(const std::string& sql, const std::string& arg = "") {
    auto v = Column(sql, arg);
    return v.empty() ? -1 : std::stoll(v[0]);
  }

 private:
  sqlite3* db_ = nullptr;
};

// Checks the store after a run; returns whether the file `sha` is stored (completely).
bool CheckStore(const std::string& db_path, const std::string& sha, std::int64_t rows, std::int64_t committed_files,
                std::int64_t committed_rows) {
  Db db(db_path);
  EXPECT_EQ(db.Column("PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  EXPECT_EQ(db.Column("PRAGMA foreign_key_check"), std::vector<std::string>{});
  auto ids = db.Column("SELECT id FROM files WHERE sha256 = ?1", sha);
  bool present = !ids.empty();
  std::int64_t files = committed_files + (present ? 1 : 0);
  std::int64_t observations = committed_rows + (present ? rows : 0);
  EXPECT_EQ(db.Int("SELECT count(*) FROM files"), files);
  EXPECT_EQ(db.Int("SELECT count(*) FROM observations"), observations);
  EXPECT_EQ(db.Int("SELECT count(*) FROM quarantine"), 0);
  if (present) {
    EXPECT_EQ(db.Int("SELECT count(*) FROM observations WHERE file = " + ids[0]), rows);
    EXPECT_EQ(db.Int("SELECT rows_accepted FROM files WHERE id = " + ids[0]), rows);
    EXPECT_TRUE(fs::exists(db_path + ".blobs/" + sha.substr(0, 2) + "/" + sha)) << "stored file without its bytes";
  }
  return present;
}

TEST(Kill, IngestIsAllOrNothing) {
  TempDir tmp;
  const std::string db = tmp / "kill.db", empty = tmp / "no-descriptors", file = tmp / "big.csv";
  fs::create_directories(empty);
  RunResult init = Gpsi("--db '" + db + "' init");
  ASSERT_EQ(init.exit_code, 0) << init.err;
  RunResult list = Gpsi("--db '" + db + "' --json units");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::vector<std::string> units;
  for (const auto& u : nlohmann::json::parse(list.out)) {
    if (units.size() < 200) units.push_back(u.at("code").get<std::string>());
  }
  ASSERT_EQ(units.size(), 200u);

  // Calibrate on a scratch store: at least 400k rows, more until one ingest takes >= 1.5 s.
  int indicators = 40, version = 0;
  std::int64_t rows = 0;
  double run_s = 0;
  for (;;) {
    rows = WriteBig(file, units, indicators, version);
    const std::string scratch = tmp / fmt::format("calibrate-{}.db", indicators);
    auto t0 = Clock::now();
    int rc = RunFor(Spawn(scratch, empty, file), std::chrono::minutes(5));
    run_s = std::chrono::duration<double>(Clock::now() - t0).count();
    ASSERT_EQ(rc, 0) << "uninterrupted ingest failed";
    if (run_s >= 1.5 || indicators >= 320) break;
    indicators *= 2;
  }
  std::printf("kill test: %lld rows, one ingest %.2f s\n", static_cast<long long>(rows), run_s);

  // Kill moments spread evenly over 0..1.6 of a run, jittered, in shuffled order (fixed seed):
  // the first ones die during start-up, most inside the transaction, the last ones around or after
  // the commit (a run that ends by itself returns early, so those cost one run at most).
  std::mt19937 rng(20240611);
  std::vector<double> fractions;
  for (int i = 0; i < kKills; ++i) {
    double jitter = (static_cast<double>(rng() % 1000) / 1000.0 - 0.5) * 0.05;
    fractions.push_back(std::max(0.0, 1.6 * i / (kKills - 1) + jitter));
  }
  std::shuffle(fractions.begin(), fractions.end(), rng);

  std::int64_t committed_files = 0, committed_rows = 0;
  int killed = 0, completed = 0;
  std::string sha = FileSha(file);
  for (double fraction : fractions) {
    SCOPED_TRACE(fmt::format("kill at {:.3f} of a run ({:.3f} s), version {}", fraction, fraction * run_s, version));
    int rc = RunFor(Spawn(db, empty, file), std::chrono::duration<double>(fraction * run_s));
    if (rc == -1) {
      ++killed;
    } else {
      EXPECT_EQ(rc, 0) << "ingest ended by itself but failed";
    }
    bool present = CheckStore(db, sha, rows, committed_files, committed_rows);
    if (rc == 0) {
      EXPECT_TRUE(present) << "exit 0 but the file is not stored";
    }
    if (::testing::Test::HasFailure()) return;
    if (present) {
      // Stored: the next kills need a file that is not stored yet.
      ++completed;
      committed_files += 1, committed_rows += rows;
      rows = WriteBig(file, units, indicators, ++version);
      sha = FileSha(file);
    }
  }
  std::printf("kill test: %d killed, %d complete\n", killed, completed);
  EXPECT_GE(killed, kKills / 3) << "too few runs were interrupted";

  // Finally one uninterrupted ingest must succeed.
  int rc = RunFor(Spawn(db, empty, file), std::chrono::minutes(5));
  EXPECT_EQ(rc, 0);
  EXPECT_TRUE(CheckStore(db, sha, rows, committed_files, committed_rows));
  // The raw copies the killed runs left half-written are removed by the next ingest.
  int leftovers = 0;
  for (const auto& e : std::filesystem::directory_iterator(db + ".blobs")) {
    leftovers += e.path().filename().string().rfind(".tmp-", 0) == 0;
  }
  EXPECT_EQ(leftovers, 0);
}

}  // namespace
}  // namespace gpsi::test
