// Faults of the member platform (issue 17, docs/security.md): `gpsi serve` SIGKILLed 20 times
// during an upload and 20 times during an approval, at moments spread over each (fixed seed);
// after every kill the store holds each submission whole (its file, all its rows, its audit entry)
// or not at all, its audit chain verifies, and no temporary file of the upload is left. Then 50
// clients, half submitters and half readers, for 60 s: no error. On SQLite and on PostgreSQL, where
// gpsi serves as the application role under row-level security and the checks read as the
// cluster's superuser, which sees every member's rows.
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "pg_cluster.hpp"
#include "serve_process.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kKills = 20;
constexpr int kIndicators = 20, kFirstYear = 1980, kYears = 40;

//! A single value of `sql` on the SQLite store at `db` (read-only), as text; "" when there is none.
std::string SqliteQuery(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  std::string out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_exec(
        h, sql.c_str(),
        [](void* o, int, char** v, char**) {
          *static_cast<std::string*>(o) = v[0] ? v[0] : "";
          return 0;
        },
        &out, nullptr);
  }
  sqlite3_close(h);
  return out;
}

class MemberFaults : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    tmp_ = dir_ / "tmp";
    fs::create_directories(tmp_);
    RunResult init = Gpsi("--db " + Quote(store_.owner) + " init --reference " + Quote(GPSI_TEST_DATA));
    ASSERT_EQ(init.exit_code, 0) << init.err;
    store_.Grant();
    db_ = store_.app;
    Run("-q ingest " + Quote(Data("homicide_unodc_wdi")));
    Run("org add forum --kind secretariat --name-en Secretariat");
    // The member reports the index's countries for a data set of many indicators: a large upload.
    std::string countries;
    for (const char* c : {"USA", "CAN", "MEX", "BRA", "ARG", "CHL", "COL", "PER", "FRA", "DEU", "ITA", "ESP",
                          "GBR", "POL", "CHN", "JPN", "KOR", "IND", "IDN", "AUS", "NZL", "ZAF", "NGA", "EGY"}) {
      countries += std::string(" --country ") + c;
      units_.push_back(c);
    }
    Run("org add us-fbi --kind government --name-en FBI" + countries);
    std::string indicators = " --indicator homicide_rate";
    for (int k = 0; k < kIndicators; ++k) indicators += fmt::format(" --indicator fault.i{:02}", k);
    Run("org agree us-fbi --dataset CRIME" + indicators);
    for (const char* spec : {"alice --org us-fbi --role member-submitter", "bob --org us-fbi --role member-approver",
                             "sam --org forum --role secretariat"}) {
      Run(std::string("user add ") + spec);
      const std::string login = std::string(spec).substr(0, std::string(spec).find(' '));
      const std::string token = Run("token create " + login);
      tokens_[login] = token.substr(0, token.find('\n'));
    }
    method_ = dir_ / "m.toml";
    WriteFile(method_,
              "[index]\nid = \"t\"\n[[node]]\ncode = \"top\"\n[[indicator]]\ncode = \"homicide\"\n"
              "parent = \"top\"\nreads = [\"homicide_rate\"]\n");
    // The server's temporary folder is the test's own, so that a left-over upload file shows.
    setenv("TMPDIR", tmp_.c_str(), 1);
  }
  void TearDown() override { unsetenv("TMPDIR"); }

  //! A single value of `sql` on the store, seeing every member's rows, as text; "" when none.
  std::string Query(const std::string& sql) const {
    if (GetParam() == Backend::kSqlite) return SqliteQuery(db_, sql);
    std::string out = PgCluster::Get().Sql(sql, store_.database);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  std::string Run(const std::string& args) {
    RunResult r = Gpsi("--db " + Quote(db_) + " " + args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    return r.out;
  }

  //! Canonical CSV of every unit × year × indicator of the data set; `version` makes it new bytes.
  std::string BigFile(int version) const {
    std::string out = "unit,year,indicator,value\n";
    for (int k = 0; k < kIndicators; ++k) {
      for (const auto& u : units_) {
        for (int y = kFirstYear; y < kFirstYear + kYears; ++y) {
          out += fmt::format("{},{},fault.i{:02},{}.{}\n", u, y, k, (y * 7 + k * 13 + version) % 1000, version % 10);
        }
      }
    }
    return out;
  }
  std::size_t BigRows() const { return static_cast<std::size_t>(kIndicators) * units_.size() * kYears; }

  std::unique_ptr<ServeProcess> Serve() {
    auto s = std::make_unique<ServeProcess>(
        db_, std::vector<std::string>{"--intervals", "0", "--forecast-draws", "0", "--access-log", "off"}, method_);
    EXPECT_GT(s->port(), 0) << s->err();
    return s;
  }

  static httplib::Result Post(int port, const std::string& token, const std::string& path, const std::string& body,
                              const std::string& type) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(60);
    c.set_write_timeout(60);
    return c.Post(path, {{"Authorization", "Bearer " + token}}, body, type);
  }

  //! The store's invariants after a kill: integrity, every member file a whole submission (its
  //! rows all there), no member file without its submission, the audit chain, no upload file left.
  void ExpectWhole(const std::string& when) {
    if (GetParam() == Backend::kSqlite) {
      EXPECT_EQ(Query("PRAGMA integrity_check"), "ok") << when;
    }
    EXPECT_EQ(Query("SELECT count(*) FROM submissions x JOIN files f ON f.id=x.file WHERE f.rows_accepted <> "
                    "(SELECT count(*) FROM observations o WHERE o.file=f.id)"),
              "0")
        << when << ": a submission without all its rows";
    EXPECT_EQ(Query("SELECT count(*) FROM files f JOIN sources s ON s.id=f.source WHERE s.key LIKE 'us-fbi.%' "
                    "AND NOT EXISTS (SELECT 1 FROM submissions x WHERE x.file=f.id)"),
              "0")
        << when << ": a member's file without its submission";
    EXPECT_EQ(Query("SELECT count(*) FROM submissions x WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE "
                    "a.target='submission:'||x.id AND a.action='submission.upload')"),
              "0")
        << when << ": a submission without its audit entry";
    RunResult verify = Gpsi("--db " + Quote(db_) + " audit-log verify");
    EXPECT_EQ(verify.exit_code, 0) << when << "\n" << verify.out << verify.err;
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(tmp_)) left.push_back(e.path().filename().string());
    EXPECT_TRUE(left.empty()) << when << ": left in the temporary folder: " << fmt::format("{}", fmt::join(left, " "));
  }

  TempDir dir_;
  PlatformStore store_{GetParam(), dir_};
  std::string db_, method_;
  fs::path tmp_;
  std::vector<std::string> units_;
  std::map<std::string, std::string> tokens_;
};

TEST_P(MemberFaults, AKilledUploadLeavesAWholeSubmissionOrNone) {
  // Two uploads undisturbed, each the first of a new server, to know how long one takes: the
  // second, as the killed ones, is validated against the history the first one left.
  std::unique_ptr<ServeProcess> server;
  Clock::duration took{};
  for (int v : {kKills + 1, kKills + 2}) {  // bytes of their own, not those of a killed upload
    server = Serve();
    ASSERT_GT(server->port(), 0);
    const auto t0 = Clock::now();
    auto first = Post(server->port(), tokens_["alice"], "/api/v1/submissions?dataset=CRIME", BigFile(v), "text/csv");
    took = Clock::now() - t0;
    ASSERT_TRUE(first);
    ASSERT_EQ(first->status, 201) << first->body;
    EXPECT_EQ(nlohmann::json::parse(first->body)["accepted"], BigRows());
    server.reset();
  }
  ExpectWhole("after the undisturbed uploads");

  std::mt19937 rng(17);
  int whole = 0, none = 0;
  for (int i = 1; i <= kKills; ++i) {
    server = Serve();
    ASSERT_GT(server->port(), 0);
    const auto before = Query("SELECT count(*) FROM submissions");
    std::thread client([&, port = server->port(), body = BigFile(i)] {
      (void)Post(port, tokens_["alice"], "/api/v1/submissions?dataset=CRIME", body, "text/csv");
    });
    // Moments spread over the upload's run, and a little past it, jittered.
    const double at = (i - 0.5) / kKills * 1.1 + std::uniform_real_distribution<double>(-0.02, 0.02)(rng);
    std::this_thread::sleep_for(std::chrono::duration_cast<Clock::duration>(took * std::max(0.0, at)));
    server.reset();  // SIGKILL
    client.join();
    ExpectWhole(fmt::format("kill {} at {:.0f} % of an upload", i, at * 100));
    (Query("SELECT count(*) FROM submissions") == before ? none : whole) += 1;
  }
  RecordProperty("killed_whole", whole);
  RecordProperty("killed_none", none);
  std::printf("20 kills during an upload: %d left a whole submission, %d none\n", whole, none);
}

TEST_P(MemberFaults, AKilledApprovalLeavesTheSubmissionBeforeOrAfterIt) {
  // Twenty validated submissions, each a small file of its own.
  auto server = Serve();
  ASSERT_GT(server->port(), 0);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < kKills; ++i) {
    const std::string file = fmt::format("unit,year,indicator,value\nUSA,{},fault.i00,{}\n", 1980 + i, i + 1);
    auto up = Post(server->port(), tokens_["alice"], "/api/v1/submissions?dataset=CRIME", file, "text/csv");
    ASSERT_TRUE(up && up->status == 201) << (up ? up->body : "no answer");
    ids.push_back(nlohmann::json::parse(up->body)["id"]);
    auto sub = Post(server->port(), tokens_["alice"], fmt::format("/api/v1/submissions/{}/submit", ids.back()), "",
                    "application/json");
    ASSERT_TRUE(sub && sub->status == 200) << (sub ? sub->body : "no answer");
    ASSERT_EQ(nlohmann::json::parse(sub->body)["state"], "validated");
  }
  // How long one approval takes, on the first.
  const auto t0 = Clock::now();
  auto ok = Post(server->port(), tokens_["bob"], fmt::format("/api/v1/submissions/{}/approve", ids[0]), "",
                 "application/json");
  const auto took = Clock::now() - t0;
  ASSERT_TRUE(ok && ok->status == 200) << (ok ? ok->body : "no answer");
  server.reset();

  std::mt19937 rng(17);
  int approved = 0;
  for (int i = 1; i < kKills; ++i) {
    server = Serve();
    ASSERT_GT(server->port(), 0);
    std::thread client([&, port = server->port(), id = ids[i]] {
      (void)Post(port, tokens_["bob"], fmt::format("/api/v1/submissions/{}/approve", id), "", "application/json");
    });
    const double at = (i - 0.5) / kKills * 1.5 + std::uniform_real_distribution<double>(-0.05, 0.05)(rng);
    std::this_thread::sleep_for(std::chrono::duration_cast<Clock::duration>(took * std::max(0.0, at)));
    server.reset();
    client.join();
    const std::string when = fmt::format("kill {} at {:.0f} % of an approval", i, at * 100);
    ExpectWhole(when);
    const std::string state = Query(fmt::format("SELECT state FROM submissions WHERE id={}", ids[i]));
    const std::string entries = Query(fmt::format(
        "SELECT count(*) FROM audit_log WHERE target='submission:{}' AND action='submission.approve'", ids[i]));
    EXPECT_TRUE(state == "validated" || state == "approved") << when << ": " << state;
    EXPECT_EQ(entries, state == "approved" ? "1" : "0") << when << ": the audit log says what the state says";
    approved += state == "approved";
  }
  std::printf("19 kills during an approval: %d approved, %d still validated\n", approved, kKills - 1 - approved);
}

TEST_P(MemberFaults, FiftySubmittersAndReadersForAMinuteMeetNoError) {
  auto server = Serve();
  ASSERT_GT(server->port(), 0);
  const int port = server->port();
  std::atomic<int> errors{0}, uploads{0}, reads{0};
  std::atomic<bool> stop{false};
  std::mutex first_mu;
  std::string first_error;
  auto fail = [&](const std::string& what) {
    if (errors.fetch_add(1) == 0) {
      std::lock_guard lock(first_mu);
      first_error = what;
    }
  };
  std::vector<std::thread> clients;
  for (int c = 0; c < 50; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client h("127.0.0.1", port);
      h.set_read_timeout(60);
      for (int n = 0; !stop; ++n) {
        if (c % 2 == 0) {  // a submitter: a small file of its own, then its submit
          const std::string file = fmt::format("unit,year,indicator,value\nUSA,{},fault.i{:02},{}.{}\n", 1980 + n % 40,
                                               c / 2 % kIndicators, c, n);
          auto up = h.Post("/api/v1/submissions?dataset=CRIME", {{"Authorization", "Bearer " + tokens_["alice"]}}, file,
                           "text/csv");
          if (!up || up->status != 201) {
            fail(fmt::format("upload: {}", up ? std::to_string(up->status) + " " + up->body : "no answer"));
            continue;
          }
          const auto id = nlohmann::json::parse(up->body)["id"].get<std::int64_t>();
          auto sub = h.Post(fmt::format("/api/v1/submissions/{}/submit", id),
                            {{"Authorization", "Bearer " + tokens_["alice"]}}, "", "application/json");
          if (!sub || sub->status != 200) fail(fmt::format("submit: {}", sub ? sub->body : "no answer"));
          ++uploads;
        } else {  // a reader: the index and the member's list
          auto r = c % 4 == 1 ? h.Get("/api/v1/scores")
                              : h.Get("/api/v1/submissions", {{"Authorization", "Bearer " + tokens_["sam"]}});
          if (!r || r->status != 200) fail(fmt::format("read: {}", r ? std::to_string(r->status) : "no answer"));
          ++reads;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(60));
  stop = true;
  for (auto& t : clients) t.join();
  std::printf("50 clients for 60 s: %d uploads submitted, %d reads, %d errors\n", uploads.load(), reads.load(),
              errors.load());
  EXPECT_EQ(errors, 0) << first_error;
  EXPECT_GT(uploads, 0);
  EXPECT_GT(reads, 0);
  server.reset();
  ExpectWhole("after the load");
}

INSTANTIATE_TEST_SUITE_P(Backends, MemberFaults, ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace gpsi::test
