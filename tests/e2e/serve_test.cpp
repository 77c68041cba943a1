// gpsi serve: the HTTP API (docs/api.md) run as a child process on a free port against the
// shared store, compared with the files of `gpsi build` and the store listings of the CLI.
#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "serve_process.hpp"
#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

class ServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string& db = SharedStore();
    if (db.empty()) return;
    server_ = std::make_unique<ServeProcess>(db);
    // The reference: a build of the same method over the same store, written to files.
    out_ = std::make_unique<TempDir>();
    build_ = Gpsi("-q --db " + Quote(db) + " build --method " + Quote(kMethod) + " --out " + Quote((*out_) / "b"));
  }
  static void TearDownTestSuite() {
    server_.reset();
    out_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->port() > 0) << "gpsi serve did not start";
    ASSERT_EQ(build_.exit_code, 0) << build_.err;
  }

  static httplib::Result Get(const std::string& path) { return server_->Get(path); }

  //! Rows of the reference scores.csv (header dropped).
  static std::vector<std::vector<std::string>> BuildScores() {
    auto rows = Csv(ReadFile((*out_) / "b/scores.csv"));
    if (!rows.empty()) rows.erase(rows.begin());
    return rows;
  }

  static std::unique_ptr<ServeProcess> server_;
  static std::unique_ptr<TempDir> out_;
  static RunResult build_;
};
std::unique_ptr<ServeProcess> ServeTest::server_;
std::unique_ptr<TempDir> ServeTest::out_;
RunResult ServeTest::build_;

TEST_F(ServeTest, Health) {
  auto r = Get("/api/v1/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["engine"], Gpsi("--version").out.substr(0, Gpsi("--version").out.find('\n')));
  // The same method over the same data: the run id is the reference build's.
  auto run = nlohmann::json::parse(ReadFile((*out_) / "b/run.json"), nullptr, false);
  ASSERT_FALSE(run.is_discarded());
  EXPECT_EQ(j["run"], run["run_id"]);
}

TEST_F(ServeTest, LatestIndexScoresEqualBuildFile) {
  auto rows = BuildScores();
  ASSERT_FALSE(rows.empty());
  int latest = 0;
  for (const auto& f : rows) latest = std::max(latest, std::stoi(f[0]));
  const std::string top = rows.back()[2];  // scores.csv lists each unit-year's nodes, the index last
  std::map<std::string, std::vector<std::string>> want;
  for (const auto& f : rows) {
    if (std::stoi(f[0]) == latest && f[2] == top) want[f[1]] = f;
  }
  ASSERT_FALSE(want.empty());

  auto r = Get("/api/v1/scores");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["year"], latest);
  EXPECT_EQ(j["code"], top);
  ASSERT_EQ(j["rows"].size(), want.size());
  for (const auto& row : j["rows"]) {
    std::string unit = row["unit"];
    ASSERT_EQ(want.count(unit), 1U) << unit;
    const auto& f = want[unit];
    EXPECT_EQ(row["year"], latest);
    EXPECT_EQ(row["code"], top);
    EXPECT_EQ(std::to_string(row["level"].get<int>()), f[3]) << unit;
    if (f[4].empty()) {
      EXPECT_TRUE(row["value"].is_null()) << unit;
    } else {
      EXPECT_EQ(row["value"].get<double>(), std::stod(f[4])) << unit;
    }
    EXPECT_EQ(row["rank"].is_null() ? std::string() : std::to_string(row["rank"].get<int>()), f[5]) << unit;
    EXPECT_EQ(row["flags"], f[6]) << unit;
  }

  // The CSV form is the same lines as the build's file, for that year and code.
  auto c = Get("/api/v1/scores?format=csv&year=" + std::to_string(latest) + "&code=" + top);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->status, 200);
  auto got = Csv(c->body);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0], (std::vector<std::string>{"year", "unit", "code", "level", "value", "rank", "flags"}));
  got.erase(got.begin());
  ASSERT_EQ(got.size(), want.size());
  for (const auto& f : got) EXPECT_EQ(f, want[f[1]]);
}

TEST_F(ServeTest, OtherYearAndCode) {
  auto rows = BuildScores();
  std::set<int> years;
  for (const auto& f : rows) years.insert(std::stoi(f[0]));
  ASSERT_GE(years.size(), 2U);
  int first = *years.begin();
  const std::string code = rows.front()[2];  // an indicator
  std::map<std::string, std::vector<std::string>> want;
  for (const auto& f : rows) {
    if (std::stoi(f[0]) == first && f[2] == code) want[f[1]] = f;
  }
  auto c = Get("/api/v1/scores?format=csv&year=" + std::to_string(first) + "&code=" + code);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->status, 200) << c->body;
  auto got = Csv(c->body);
  got.erase(got.begin());
  ASSERT_EQ(got.size(), want.size());
  for (const auto& f : got) EXPECT_EQ(f, want[f[1]]);
}

TEST_F(ServeTest, RegionFilter) {
  // Regions from the store's own listing, not from the server.
  auto units = nlohmann::json::parse(Gpsi("--json --db " + Quote(SharedStore()) + " units").out);
  std::map<std::string, std::string> region;
  for (const auto& u : units) region[u["code"]] = u["region"];
  std::set<std::string> europe_all;
  for (const auto& f : BuildScores()) {
    if (region[f[1]] == "Europe") europe_all.insert(f[1]);
  }
  ASSERT_FALSE(europe_all.empty());
  for (const char* q : {"Europe", "150"}) {
    auto r = Get(std::string("/api/v1/scores?region=") + q);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto j = nlohmann::json::parse(r->body);
    std::set<std::string> got;
    for (const auto& row : j["rows"]) got.insert(row["unit"].get<std::string>());
    EXPECT_EQ(got, europe_all) << q;
  }
}

TEST_F(ServeTest, Units) {
  auto r = Get("/api/v1/units");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto j = nlohmann::json::parse(r->body);
  std::set<std::string> want, got;
  for (const auto& f : BuildScores()) want.insert(f[1]);
  for (const auto& u : j["units"]) got.insert(u["code"].get<std::string>());
  EXPECT_EQ(got, want);
  for (const auto& u : j["units"]) {
    if (u["code"] == "FRA") {
      EXPECT_EQ(u["iso3"], "FRA");
      EXPECT_EQ(u["region"], "Europe");
      EXPECT_EQ(u["name_en"], "France");
    }
  }
}

TEST_F(ServeTest, Runs) {
  auto r = Get("/api/v1/runs");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto j = nlohmann::json::parse(r->body);
  auto cli = nlohmann::json::parse(Gpsi("--json --db " + Quote(SharedStore()) + " runs").out);
  // --json prints what the API answers, but for the output folders: the API names them only,
  // without the server's paths.
  for (auto& run : cli["runs"]) {
    const std::filesystem::path out = std::filesystem::path(run["out"].get<std::string>()).lexically_normal();
    run["out"] = (out.has_filename() ? out.filename() : out.parent_path().filename()).string();
  }
  EXPECT_EQ(j, cli);
  for (const auto& run : j["runs"]) EXPECT_EQ(run["out"].get<std::string>().find('/'), std::string::npos) << run;
  // The reference build of SetUpTestSuite was recorded.
  EXPECT_FALSE(j["runs"].empty());
}

TEST_F(ServeTest, BadParametersAre400) {
  for (const std::string q :
       {"year=abc", "year=", "year=2023x", "year=1800", "year=20.5", "code=NOPE", "code=", "region=Atlantis",
        "region=", "format=xml", "foo=1", "year=2020&year=2021", "format=csv&format=csv"}) {
    ExpectError(Get(std::string("/api/v1/scores?") + q), 400, "usage", q);
  }
  ExpectError(Get("/api/v1/units?format=xml"), 400, "usage", "units format=xml");
  ExpectError(Get("/api/v1/runs?x=1"), 400, "usage", "runs x=1");
}

TEST_F(ServeTest, UnknownPathIs404AndOtherVerbIs405) {
  auto r = Get("/api/v1/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["code"], "not-found");
  httplib::Client c = server_->Client();
  auto p = c.Post("/api/v1/health", "", "application/json");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 405);
  EXPECT_EQ(nlohmann::json::parse(p->body)["error"]["code"], "method-not-allowed");
}

TEST_F(ServeTest, AccessLog) {
  ASSERT_TRUE(Get("/api/v1/nothing/logged"));
  std::string err;
  for (int i = 0; i < 50 && err.find("GET /api/v1/nothing/logged 404 ") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    err = server_->err();
  }
  EXPECT_NE(err.find("GET /api/v1/nothing/logged 404 "), std::string::npos) << err;
}

TEST(ServeSignal, SigtermExitsZeroWithin5s) {
  const std::string& db = SharedStore();
  ASSERT_FALSE(db.empty());
  ServeProcess p(db);
  ASSERT_GT(p.port(), 0);
  httplib::Client c = p.Client();
  auto r = c.Get("/api/v1/health");  // a kept-alive connection must not hold the exit
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(p.Terminate(std::chrono::seconds(5)), 0) << p.err();
}

}  // namespace
}  // namespace gpsi::test
