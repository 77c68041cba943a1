// Commands that fail safely (issue 16). What a command may ask of the machine — runs, threads,
// draws, output size, the methodology file — is bounded, each bound a usage error (exit 2) with a
// clear message before any work (a typo must not fill the disk, the memory or the next hours); a
// command that reads a store refuses one that does not exist (exit 3), instead of making it, and
// reads one it may not write (a published snapshot, a read-only mount) without changing a byte;
// the raw copies a killed ingest leaves are removed by the next write.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core.hpp"
#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

const std::string kMethodFile = std::string(GPSI_TESTS_DIR) + "/../methods/gpsi.toml";

//! `gpsi --db STORE ARGS` on the shared store, timed.
RunResult OnStore(const std::string& args, double* seconds = nullptr) {
  const auto t0 = std::chrono::steady_clock::now();
  RunResult r = Gpsi("--db " + Quote(SharedStore()) + " " + args);
  if (seconds) *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

void ExpectUsage(const RunResult& r, const std::string& says, const std::string& what) {
  EXPECT_EQ(r.exit_code, 2) << what << "\n" << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << what << "\n" << r.err;
}

TEST(Limits, RunsThreadsAndDrawsAreBounded) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir;
  const std::string m = " --method " + Quote(kMethodFile) + " --out " + Quote(dir / "o");
  double seconds = 0;
  ExpectUsage(OnStore("uncertainty --samples 2000000" + m, &seconds), "at most 1000000 runs",
              "uncertainty --samples 2e6");
  EXPECT_LT(seconds, 30);  // refused before the runs, not after
  ExpectUsage(OnStore("uncertainty --threads 100000" + m), "at most 256", "uncertainty --threads 1e5");
  // N·(k + 2) runs: the Saltelli design would not fit in memory (std::bad_alloc before).
  ExpectUsage(OnStore("sensitivity --samples 10000000" + m, &seconds), "runs would take about",
              "sensitivity --samples 1e7");
  EXPECT_LT(seconds, 30);
  ExpectUsage(OnStore("sensitivity --threads 100000" + m), "at most 256", "sensitivity --threads 1e5");
  // Zero: a short message (CLI11's own named its range "0 to" a 309-digit number).
  const RunResult zero = OnStore("uncertainty --samples 0" + m);
  ExpectUsage(zero, "must be a whole number ≥ 1, not 0", "uncertainty --samples 0");
  EXPECT_LT(zero.err.size(), 200u) << zero.err;
  const RunResult threshold = OnStore("resolve --report " + Quote(dir / "r.csv") + " --threshold 0");
  ExpectUsage(threshold, "must be a number > 0, not 0", "resolve --threshold 0");
  EXPECT_LT(threshold.err.size(), 200u) << threshold.err;
  ExpectUsage(OnStore("forecast --draws 1000000" + m), "--draws must be 10 to 100,000", "forecast --draws 1e6");
  ExpectUsage(OnStore("forecast --threads 100000" + m), "at most 256", "forecast --threads 1e5");
  EXPECT_FALSE(std::filesystem::exists(dir / "o/runs.csv"));
}

TEST(Limits, RunsCsvThatWouldNotFitTheDiskIsRefused) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir;
  // A million runs of every aggregate and scored row: hundreds of GB of runs.csv.
  const RunResult r = OnStore("uncertainty --samples 1000000 --keep-runs --method " + Quote(kMethodFile) + " --out " +
                              Quote(dir / "o"));
  ExpectUsage(r, "runs.csv of 1000000 runs would take about", "--keep-runs");
  EXPECT_NE(r.err.find("GB free"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "o/runs.csv.part0"));
}

TEST(Limits, TheMethodologyMustBeAFileOfAMethodologysSize) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir;
  double seconds = 0;
  ExpectUsage(OnStore("build --method /dev/zero --out " + Quote(dir / "b"), &seconds), "not a folder or a device",
              "/dev/zero");
  EXPECT_LT(seconds, 30);  // it used to read forever
  ExpectUsage(OnStore("build --method " + Quote(dir.path()) + " --out " + Quote(dir / "b")), "not a folder or a device",
              "a folder");
  WriteFile(dir / "big.toml", "# " + std::string(2 << 20, 'x') + "\n");
  ExpectUsage(OnStore("build --method " + Quote(dir / "big.toml") + " --out " + Quote(dir / "b")), "larger than 1 MiB",
              "a 2 MiB file");
  const RunResult missing = OnStore("build --method " + Quote(dir / "nope.toml") + " --out " + Quote(dir / "b"));
  EXPECT_EQ(missing.exit_code, 3) << missing.err;  // an input that is not there: as before
}

TEST(MissingStore, ReadCommandsRefuseAStoreThatDoesNotExist) {
  TempDir dir;
  const std::string typo = dir / "typo.db";
  for (const std::string& cmd :
       std::vector<std::string>{"show CHN", "units", "export", "runs", "sources",
                                "build --method " + Quote(kMethodFile) + " --out " + Quote(dir / "b"),
                                "forecast --method " + Quote(kMethodFile) + " --out " + Quote(dir / "f"),
                                "warn --method " + Quote(kMethodFile) + " --out " + Quote(dir / "w"),
                                "serve --port 0 --method " + Quote(kMethodFile)}) {
    const RunResult r = Gpsi("--db " + Quote(typo) + " " + cmd);
    EXPECT_EQ(r.exit_code, 3) << cmd << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("no store here"), std::string::npos) << cmd << "\n" << r.err;
    EXPECT_NE(r.err.find("init"), std::string::npos) << cmd;
    EXPECT_FALSE(std::filesystem::exists(typo)) << cmd << " made the store";
  }
  // Writing commands still make it: ingest into a new store initialises it.
  WriteFile(dir / "d.csv", "unit,year,indicator,value\nFRA,2020,x,1\n");
  const RunResult ingest = Gpsi("--db " + Quote(typo) + " ingest " + Quote(dir / "d.csv"));
  EXPECT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_TRUE(std::filesystem::exists(typo));
}

//! Whether `dir` holds one build's whole outputs: every file, none half-written, and scores.csv
//! and stages.csv the ones its run.json names (a mix of two builds would not match).
std::string WholeBuild(const std::filesystem::path& dir) {
  for (const char* f : {"scores.csv", "stages.csv", "provenance.csv", "records.csv", "eligibility.csv", "coverage.csv",
                        "build.log", "run.json"}) {
    if (!std::filesystem::exists(dir / f)) return std::string("no ") + f;
  }
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".part") return "a .part file: " + e.path().string();
  }
  const auto run = nlohmann::json::parse(ReadFile(dir / "run.json"), nullptr, false);
  if (run.is_discarded()) return "run.json is not JSON";
  for (const char* f : {"scores.csv", "stages.csv"}) {
    if (run["outputs"][f] != Sha256Hex(ReadFile(dir / f))) return std::string(f) + " is not run.json's";
  }
  return "";
}

TEST(AtomicOut, AKilledBuildLeavesTheOldOutputsOrTheNewNeverAMix) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir;
  const std::filesystem::path out = dir / "out";
  const std::string base = "'" + std::string(GPSI_BINARY) + "' -q --db " + Quote(SharedStore()) + " build --method " +
                           Quote(kMethodFile) + " --out " + Quote(out.string());
  ASSERT_EQ(std::system(base.c_str()), 0);
  WriteFile(out / "notes.txt", "mine\n");  // a file the build does not write: kept
  ASSERT_EQ(WholeBuild(out), "");
  const std::string first = ReadFile(out / "scores.csv");
  std::mt19937 rng(7);
  std::size_t old_kept = 0, new_made = 0;
  for (int round = 0; round < 16; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // Every other build has other weights, so that its outputs differ from the last.
    const std::string cmd = base + (round % 2 == 0 ? " --set weight.crime=3" : "");
    const std::string before = ReadFile(out / "scores.csv");
    const pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(250, 750)(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_EQ(WholeBuild(out), "");
    EXPECT_EQ(ReadFile(out / "notes.txt"), "mine\n");
    (ReadFile(out / "scores.csv") == before ? old_kept : new_made) += 1;
  }
  // The next build cleans what the killed ones left beside the folder.
  ASSERT_EQ(std::system(base.c_str()), 0);
  EXPECT_EQ(ReadFile(out / "scores.csv"), first);
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(e.path().filename().string().find(".staging-"), std::string::npos) << e.path();
  }
  EXPECT_GT(old_kept + new_made, 0u);
  std::printf("killed builds: %zu left the old outputs, %zu had finished\n", old_kept, new_made);
}

TEST(ConcurrentIngest, TwoIngestsOfTheSameFilesAtOnceBothSucceedAndStoreEachFileOnce) {
  // Both scan and hash the files, find none stored, then wait for the write lock in turn: the
  // second must find what the first stored (it used to fail on files.sha256 with SQLite's words).
  // Three files of 100,000 rows each: long enough to scan that both processes reach the write
  // lock with the same file.
  TempDir data;
  for (int f = 0; f < 3; ++f) {
    std::string csv = "unit,year,indicator,value\n";
    for (int r = 0; r < 100000; ++r) {
      csv += fmt::format("{},{},test.c{}_{},{}\n", r % 2 ? "FRA" : "DEU", 1900 + r % 120, f, r / 240, r % 997);
    }
    WriteFile(data / fmt::format("f{}.csv", f), csv);
  }
  const std::string files = Quote(data / "f0.csv") + " " + Quote(data / "f1.csv") + " " + Quote(data / "f2.csv");
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    TempDir dir;
    const std::string db = dir / "s.db";
    ASSERT_EQ(Gpsi("--db " + Quote(db) + " init --reference " + Quote(GPSI_TEST_DATA)).exit_code, 0);
    const auto one = [&](const std::string& k) {
      return "( '" + std::string(GPSI_BINARY) + "' --json --db " + Quote(db) + " ingest " + files + " >" +
             Quote(dir / ("out" + k)) + " 2>" + Quote(dir / ("err" + k)) + "; echo $? >" + Quote(dir / ("code" + k)) +
             " )";
    };
    ASSERT_EQ(std::system(("sh -c " + Quote(one("1") + " & " + one("2") + " & wait")).c_str()), 0);
    std::size_t ingested = 0, unchanged = 0;
    for (const std::string k : {"1", "2"}) {
      EXPECT_EQ(ReadFile(dir / ("code" + k)), "0\n") << ReadFile(dir / ("err" + k));
      const std::string out = ReadFile(dir / ("out" + k));
      const auto count = [&](const std::string& s) {
        std::size_t n = 0;
        for (std::size_t at = out.find(s); at != std::string::npos; at = out.find(s, at + 1)) ++n;
        return n;
      };
      ingested += count("\"status\":\"ingested\""), unchanged += count("\"status\":\"unchanged\"");
    }
    EXPECT_GT(ingested, 0u);
    EXPECT_EQ(ingested, unchanged) << "each file stored by one ingest, found by the other";
  }
}

//! The names in `dir`, sorted: a -wal, -shm or -journal a command leaves shows here.
std::vector<std::string> Listing(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

//! A copy of the shared store as `dir`/s.db (with its -wal and -shm, if a killed command left them).
std::string CopyOfSharedStore(const TempDir& dir) {
  const std::string db = dir / "s.db";
  for (const std::string suffix : {"", "-wal", "-shm"}) {
    if (std::filesystem::exists(SharedStore() + suffix))
      std::filesystem::copy_file(SharedStore() + suffix, db + suffix);
  }
  return db;
}

//! `gpsi ARGS` run through `as` (a command prefix that changes the user, or ""), captured.
RunResult GpsiAs(const std::string& as, const std::string& args) {
  TempDir tmp;
  const std::string cmd =
      as + " '" + GPSI_BINARY + "' " + args + " >" + Quote(tmp / "out") + " 2>" + Quote(tmp / "err");
  const int status = std::system(cmd.c_str());
  return RunResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(tmp / "out"), ReadFile(tmp / "err")};
}

//! Whether `gpsi --db DB serve`, run through `as`, publishes the index and answers /api/v1/health.
bool ServesHealth(const std::string& as, const std::string& db) {
  TempDir logs;
  const std::string cmd = "exec " + as + " '" + GPSI_BINARY + "' --db " + Quote(db) +
                          " serve --port 0 --threads 2 --intervals 0 --forecast-draws 0 --method " +
                          Quote(kMethodFile) + " >" + Quote(logs / "out") + " 2>" + Quote(logs / "err");
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int port = 0, status = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (port == 0 && std::chrono::steady_clock::now() < until && waitpid(pid, &status, WNOHANG) == 0) {
    const std::string out = ReadFile(logs / "out");
    const auto at = out.find("serving http://127.0.0.1:");
    if (at != std::string::npos && out.find('\n', at) != std::string::npos) port = std::stoi(out.substr(at + 25));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  bool healthy = false;
  if (port > 0) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(60, 0);
    const auto r = c.Get("/api/v1/health");
    healthy = r && r->status == 200;
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  if (!healthy) ADD_FAILURE() << "serve did not answer /api/v1/health: " << ReadFile(logs / "err");
  return healthy;
}

//! The commands that only read the store, with outputs (if any) under `out`.
std::vector<std::string> ReadCommands(const TempDir& out) {
  return {"units",
          "show CHN",
          "export",
          "runs",
          "sources",
          "indicators",
          "resolve --report " + Quote(out / "disagreements.csv")};
}

TEST(ReadOnlyStore, ReadCommandsLeaveTheStoreAsTheyFoundIt) {
  // Whoever runs them (root in CI may write anything): the store's bytes and time are unchanged and
  // no -wal, -shm or -journal is left beside it, the store being in WAL mode.
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir, out;
  const std::string db = CopyOfSharedStore(dir);
  const std::string bytes = ReadFile(db);
  const auto mtime = std::filesystem::last_write_time(db);
  const auto listing = Listing(dir.path());
  for (const std::string& cmd : ReadCommands(out)) {
    const RunResult r = Gpsi("--db " + Quote(db) + " " + cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
    EXPECT_EQ(Listing(dir.path()), listing) << cmd;
  }
  EXPECT_TRUE(ServesHealth("", db));
  EXPECT_EQ(Listing(dir.path()), listing) << "serve";
  EXPECT_TRUE(ReadFile(db) == bytes) << "a read command changed the store";
  EXPECT_EQ(std::filesystem::last_write_time(db), mtime);
}

TEST(ReadOnlyStore, ReadCommandsWorkOnAStoreTheUserMayNotWriteAndBuildSaysSo) {
  // A published snapshot: store and folder read-only. Root may write them anyway, so as root the
  // commands run as nobody (setpriv); SQLite cannot make the -wal and -shm there.
  ASSERT_FALSE(SharedStore().empty());
  const bool root = geteuid() == 0;
  if (root && !std::filesystem::exists("/usr/bin/setpriv")) GTEST_SKIP() << "no setpriv to run as another user";
  const std::string as = root ? "setpriv --reuid=65534 --regid=65534 --clear-groups" : "";
  TempDir dir, out;
  const std::string db = CopyOfSharedStore(dir);
  WriteFile(out / "d.csv", "unit,year,indicator,value\nFRA,2020,test.x,1\n");
  std::filesystem::permissions(out.path(), std::filesystem::perms::all);
  std::filesystem::permissions(db, std::filesystem::perms(0444));
  std::filesystem::permissions(dir.path(), std::filesystem::perms(0555));
  const std::string bytes = ReadFile(db);
  const auto listing = Listing(dir.path());
  for (const std::string& cmd : ReadCommands(out)) {
    const RunResult r = GpsiAs(as, "--db " + Quote(db) + " " + cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
    if (cmd == "units" || cmd == "show CHN" || cmd == "export") {
      EXPECT_FALSE(r.out.empty()) << cmd;
    }
  }
  EXPECT_NE(GpsiAs(as, "--db " + Quote(db) + " units").out.find("CHN"), std::string::npos);
  EXPECT_TRUE(ServesHealth(as, db));
  // Commands that write it: an input problem (exit 3), said before any work; build leaves no outputs.
  const RunResult build =
      GpsiAs(as, "--db " + Quote(db) + " build --method " + Quote(kMethodFile) + " --out " + Quote(out / "b"));
  EXPECT_EQ(build.exit_code, 3) << build.err;
  EXPECT_NE(build.err.find("the store is read-only"), std::string::npos) << build.err;
  const RunResult ingest = GpsiAs(as, "--db " + Quote(db) + " ingest " + Quote(out / "d.csv"));
  EXPECT_EQ(ingest.exit_code, 3) << ingest.err;
  EXPECT_NE(ingest.err.find("the store is read-only"), std::string::npos) << ingest.err;
  EXPECT_EQ(Listing(out.path()), (std::vector<std::string>{"d.csv", "disagreements.csv"})) << "outputs were left";
  EXPECT_TRUE(ReadFile(db) == bytes);
  EXPECT_EQ(Listing(dir.path()), listing);
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all, std::filesystem::perm_options::add);
}

TEST(ReadOnlyStore, AnOlderOrUninitialisedStoreIsNotChangedByAReadCommand) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir;
  const std::string db = CopyOfSharedStore(dir);
  // PRAGMA user_version: four bytes, big-endian, at offset 60 of the SQLite header.
  std::string bytes = ReadFile(db);
  ASSERT_GT(bytes.size(), 64u);
  ASSERT_GT(bytes[63], 1);
  bytes[63] = static_cast<char>(bytes[63] - 1);
  WriteFile(db, bytes);
  const RunResult older = Gpsi("--db " + Quote(db) + " units");
  EXPECT_EQ(older.exit_code, 3) << older.err;
  EXPECT_NE(older.err.find("older than this gpsi"), std::string::npos) << older.err;
  EXPECT_NE(older.err.find(" init"), std::string::npos) << older.err;
  EXPECT_TRUE(ReadFile(db) == bytes) << "a read command migrated the store";
  WriteFile(dir / "empty.db", "");
  const RunResult empty = Gpsi("--db " + Quote(dir / "empty.db") + " show CHN");
  EXPECT_EQ(empty.exit_code, 3) << empty.err;
  EXPECT_NE(empty.err.find("not an initialised gpsi store"), std::string::npos) << empty.err;
  EXPECT_EQ(std::filesystem::file_size(dir / "empty.db"), 0u) << "a read command initialised the store";
}

//! A canonical CSV of `rows` rows (long enough to ingest that a kill lands inside it).
std::string BigCsv(int rows, int version) {
  std::string csv = "unit,year,indicator,value\n";
  for (int r = 0; r < rows; ++r) {
    csv += fmt::format("{},{},test.v{}_{},{}\n", r % 2 ? "FRA" : "DEU", 1900 + r / 2 % 120, version, r / 240, r % 997);
  }
  return csv;
}

//! The raw copies under temporary names in the blob folder of store `db`.
std::vector<std::filesystem::path> RawCopies(const std::string& db) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(db + ".blobs", ec)) {
    if (e.path().filename().string().rfind(".tmp-", 0) == 0) out.push_back(e.path());
  }
  return out;
}

//! Starts `gpsi --db DB ingest FILE` and waits until its raw copy is there: the pid, or -1.
pid_t IngestUntilItsCopy(const std::string& db, const std::string& file) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execl(GPSI_BINARY, GPSI_BINARY, "-q", "--db", db.c_str(), "ingest", file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (RawCopies(db).empty()) {
    int status = 0;
    if (std::chrono::steady_clock::now() > until || waitpid(pid, &status, WNOHANG) == pid) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pid;
}

TEST(StaleBlobs, AKilledIngestsRawCopyIsRemovedByTheNextWriteNotByAReader) {
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir, data;
  const std::string db = CopyOfSharedStore(dir);
  WriteFile(data / "big.csv", BigCsv(400000, 1));
  WriteFile(data / "small.csv", "unit,year,indicator,value\nFRA,2020,test.small,1\n");
  const pid_t pid = IngestUntilItsCopy(db, data / "big.csv");
  ASSERT_GT(pid, 0);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_EQ(RawCopies(db).size(), 1u);
  EXPECT_EQ(Gpsi("--db " + Quote(db) + " units").exit_code, 0);
  EXPECT_EQ(RawCopies(db).size(), 1u) << "a read command changed the blob folder";
  const RunResult write = Gpsi("--db " + Quote(db) + " ingest " + Quote(data / "small.csv"));
  EXPECT_EQ(write.exit_code, 0) << write.err;
  EXPECT_TRUE(RawCopies(db).empty());
}

TEST(StaleBlobs, ALiveIngestHoldsItsRawCopySoAnotherWriteKeepsIt) {
  // A copy is stale when no live writer holds it locked; a pid alone could be reused, or be
  // another container's. The ingest locks its copy from its making until it is in place.
  ASSERT_FALSE(SharedStore().empty());
  TempDir dir, data;
  const std::string db = CopyOfSharedStore(dir);
  WriteFile(data / "big.csv", BigCsv(1000000, 2));
  WriteFile(data / "small.csv", "unit,year,indicator,value\nFRA,2020,test.small,1\n");
  const pid_t pid = IngestUntilItsCopy(db, data / "big.csv");
  ASSERT_GT(pid, 0);
  const auto copies = RawCopies(db);
  ASSERT_EQ(copies.size(), 1u);
  const int fd = open(copies.front().c_str(), O_RDONLY);
  const bool locked = fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  if (fd >= 0) close(fd);
  EXPECT_TRUE(locked) << "the ingest does not hold its raw copy locked";
  const RunResult other = Gpsi("--db " + Quote(db) + " ingest " + Quote(data / "small.csv"));
  EXPECT_EQ(other.exit_code, 0) << other.err;
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the first ingest lost its raw copy";
  EXPECT_TRUE(RawCopies(db).empty());
}

}  // namespace
}  // namespace gpsi::test
