// The member endpoints of the HTTP API (/api/v1/submissions, docs/api.md): a member's file
// through review over HTTP with API tokens, beside `gpsi submission` on the same store; another
// member's submission stays out of reach by id (IDOR), and a revoked token is refused.
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "serve_process.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

// Canonical CSV of the FBI's 2017–2019 national homicide rates (../shared/member_samples, rounded);
// 2019 is then raised to 9.9, about twice UNODC's, which validation flags.
constexpr const char* kFile =
    "unit,year,indicator,value\nUSA,2017,homicide_rate,5.3\nUSA,2018,homicide_rate,5.0\nUSA,2019,homicide_rate,9.9\n";

class SubmissionApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = *dir_ / "s.db";
    auto run = [](const std::string& args) {
      RunResult r = Gpsi("--db " + Quote(db_) + " " + args);
      EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
      return r.out;
    };
    run("init --reference " + Quote(GPSI_TEST_DATA));
    run("-q ingest " + Quote(Data("homicide_unodc_wdi")));
    run("org add forum --kind secretariat --name-en Secretariat");
    run("org add us-fbi --kind government --name-en 'U.S. FBI' --country USA");
    run("org agree us-fbi --dataset CRIME --indicator homicide_rate");
    run("org add ca-rcmp --kind government --name-en RCMP --country CAN");
    run("org agree ca-rcmp --dataset CRIME --indicator homicide_rate");
    for (const char* spec : {"alice --org us-fbi --role member-submitter", "bob --org us-fbi --role member-approver",
                             "carol --org ca-rcmp --role member-approver", "dave --org ca-rcmp --role member-submitter",
                             "sam --org forum --role secretariat"}) {
      run(std::string("user add ") + spec);
      const std::string login = std::string(spec).substr(0, std::string(spec).find(' '));
      std::string token = run("token create " + login);
      (*tokens_)[login] = token.substr(0, token.find('\n'));
    }
    // The store holds UNODC's homicide rates alone: a method of that one indicator to serve.
    const std::string method = *dir_ / "m.toml";
    WriteFile(method,
              "[index]\nid = \"t\"\n[[node]]\ncode = \"top\"\n[[indicator]]\ncode = \"homicide\"\n"
              "parent = \"top\"\nreads = [\"homicide_rate\"]\n");
    server_ = new ServeProcess(db_, {"--intervals", "0", "--forecast-draws", "0"}, method);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  void SetUp() override { ASSERT_GT(server_->port(), 0) << server_->err(); }

  //! A request as `login` ("" for none): status and body as JSON (null when not JSON).
  static std::pair<int, nlohmann::json> Call(const std::string& method, const std::string& path,
                                             const std::string& login, const std::string& body = "",
                                             const std::string& type = "application/json") {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(60);
    httplib::Headers h;
    if (!login.empty()) h.emplace("Authorization", "Bearer " + tokens_->at(login));
    auto r = method == "GET" ? c.Get(path, h) : c.Post(path, h, body, type);
    if (!r) return {0, nullptr};
    return {r->status, nlohmann::json::parse(r->body, nullptr, false)};
  }
  static std::int64_t Upload(const std::string& login, const std::string& file) {
    auto [status, body] = Call("POST", "/api/v1/submissions?dataset=CRIME&name=fbi.csv", login, file, "text/csv");
    EXPECT_EQ(status, 201) << body.dump();
    return status == 201 ? body["id"].get<std::int64_t>() : 0;
  }
  static std::string Path(std::int64_t id, const std::string& rest = "") {
    return "/api/v1/submissions/" + std::to_string(id) + rest;
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string db_;
  static inline std::map<std::string, std::string>* tokens_ = new std::map<std::string, std::string>();
  static inline ServeProcess* server_ = nullptr;
};

TEST_F(SubmissionApi, AFileGoesThroughReviewOverHttpAndTheAuditLogSaysFromWhere) {
  const auto id = Upload("alice", kFile);
  ASSERT_GT(id, 0);
  auto [status, detail] = Call("GET", Path(id), "alice");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(detail["state"], "draft");
  EXPECT_EQ(detail["rows"].size(), 3U);
  EXPECT_EQ(Call("POST", Path(id, "/submit"), "alice").second["state"], "validated");
  detail = Call("GET", Path(id), "alice").second;
  // 2019 differs from UNODC's value by about 100 % and breaks the series: each flag needs a comment.
  std::set<std::string> kinds;
  for (const auto& f : detail["flags"]) {
    EXPECT_EQ(f["year"], 2019) << f.dump();
    kinds.insert(f["kind"].get<std::string>());
  }
  EXPECT_TRUE(kinds.contains("un-difference")) << detail["flags"].dump();
  ASSERT_FALSE(detail["flags"].empty());
  EXPECT_EQ(Call("POST", Path(id, "/approve"), "bob").first, 409) << "the flags need their comments first";
  for (const auto& f : detail["flags"]) {
    const std::string comment = Path(id, "/flags/" + std::to_string(f["flag"].get<int>()));
    EXPECT_EQ(Call("POST", comment, "alice", R"({"text":"a test value"})").second["commented_by"], "alice");
  }
  EXPECT_EQ(Call("POST", Path(id, "/approve"), "alice").first, 403) << "a submitter does not approve";
  EXPECT_EQ(Call("POST", Path(id, "/approve"), "bob").second["approver"], "bob");
  EXPECT_EQ(Call("POST", Path(id, "/accept"), "sam").second["state"], "accepted");
  EXPECT_EQ(Call("POST", Path(id, "/publish"), "sam", R"({"embargo":"2020-01-01"})").second["state"], "published");
  // The CLI reads the same submission as the API wrote it, and every step came from the client's address.
  RunResult show = Gpsi("--db " + Quote(db_) + " --json audit-log show --target submission:" + std::to_string(id));
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto trail = nlohmann::json::parse(show.out);
  // upload, submit, validate, a comment per flag, approve, accept, publish
  ASSERT_EQ(trail.size(), 6U + detail["flags"].size()) << trail.dump();
  for (const auto& e : trail) {
    if (e["action"] == "submission.validate") continue;  // validation is the system's own step
    EXPECT_EQ(e["origin"], "127.0.0.1") << e.dump();
  }
  EXPECT_EQ(Gpsi("--db " + Quote(db_) + " audit-log verify").exit_code, 0);
}

TEST_F(SubmissionApi, AnotherMembersSubmissionIsOutOfReachById) {
  const std::string file = "unit,year,indicator,value\nUSA,2016,homicide_rate,5.4\n";
  const auto id = Upload("alice", file);
  ASSERT_GT(id, 0);
  ASSERT_EQ(Call("POST", Path(id, "/submit"), "alice").first, 200);
  // carol approves for another member: the id tells her nothing, so reading and acting are both 404.
  EXPECT_EQ(Call("GET", Path(id), "carol").first, 404);
  EXPECT_EQ(Call("POST", Path(id, "/approve"), "carol").first, 404);
  EXPECT_EQ(Call("POST", Path(id, "/return"), "carol", R"({"reason":"x"})").first, 404);
  auto [status, list] = Call("GET", "/api/v1/submissions", "carol");
  ASSERT_EQ(status, 200);
  for (const auto& s : list["submissions"]) {
    EXPECT_TRUE(s["org"] != "us-fbi" || s["state"] == "published") << "another member's unpublished work: " << s.dump();
  }
  // Nor may carol's organisation upload another country's rows.
  auto up = Call("POST", "/api/v1/submissions?dataset=CRIME", "dave",
                 "unit,year,indicator,value\nUSA,2016,homicide_rate,5.41\n", "text/csv");
  EXPECT_EQ(up.first, 403);
  EXPECT_NE(up.second["error"]["message"].get<std::string>().find("line 2"), std::string::npos) << up.second.dump();
  EXPECT_EQ(Call("GET", Path(id), "alice").second["state"], "validated") << "nothing changed";
}

TEST_F(SubmissionApi, NoTokenAnUnknownOneOrARevokedOneIs401) {
  httplib::Client c("127.0.0.1", server_->port());
  auto none = c.Get("/api/v1/submissions");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer realm=\"gpsi\"");
  EXPECT_EQ(none->get_header_value("Cache-Control"), "no-store");
  auto bad = c.Get("/api/v1/submissions", {{"Authorization", "Bearer gpsi_not_a_token"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  // A token of its own for this test, revoked by its last 8 characters.
  RunResult made = Gpsi("--db " + Quote(db_) + " token create bob");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string token = made.out.substr(0, made.out.find('\n'));
  httplib::Headers h{{"Authorization", "Bearer " + token}};
  auto before = c.Get("/api/v1/submissions", h);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 200);
  ASSERT_EQ(Gpsi("--db " + Quote(db_) + " token revoke " + token.substr(token.size() - 8)).exit_code, 0);
  auto after = c.Get("/api/v1/submissions", h);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
}

TEST_F(SubmissionApi, AnUploadMayBeLargerThanOtherBodiesOnlyWithCredentials) {
  // One row with a 200 KB extra column: over the 64 KiB of other bodies, well under an upload's 32 MiB.
  const std::string big =
      "unit,year,indicator,value,note\nUSA,2015,homicide_rate,4.9," + std::string(200'000, 'x') + "\n";
  auto anonymous = Call("POST", "/api/v1/submissions?dataset=CRIME", "", big, "text/csv");
  EXPECT_EQ(anonymous.first, 413);
  auto [status, body] = Call("POST", "/api/v1/submissions?dataset=CRIME", "alice", big, "text/csv");
  EXPECT_EQ(status, 201) << body.dump();
  EXPECT_EQ(body["rows"], 1);
}

TEST_F(SubmissionApi, UnreadableFilesAndBadRequestsSayWhy) {
  auto header = Call("POST", "/api/v1/submissions?dataset=CRIME", "alice", "country,when\nUSA,2019\n", "text/csv");
  EXPECT_EQ(header.first, 422) << header.second.dump();
  EXPECT_EQ(Call("POST", "/api/v1/submissions", "alice", kFile, "text/csv").first, 400) << "no dataset";
  EXPECT_EQ(Call("POST", "/api/v1/submissions?dataset=CRIME&name=../x", "alice", kFile, "text/csv").first, 400);
  EXPECT_EQ(Call("POST", "/api/v1/submissions/1/launch", "alice").first, 400);
  EXPECT_EQ(Call("POST", "/api/v1/submissions/1/submit", "alice", R"({"reason":1})").first, 400);
  EXPECT_EQ(Call("POST", "/api/v1/submissions/1/submit", "alice", R"({"why":"x"})").first, 400);
  EXPECT_EQ(Call("GET", "/api/v1/submissions/abc", "alice").first, 404);
  EXPECT_EQ(Call("GET", "/api/v1/submissions/1/flags", "alice").first, 405);
  // No error echoes the server's paths (the upload went through a private temporary file).
  EXPECT_EQ(header.second.dump().find("/tmp"), std::string::npos) << header.second.dump();
}

}  // namespace
}  // namespace gpsi::test
