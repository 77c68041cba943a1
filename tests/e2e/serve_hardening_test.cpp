// gpsi serve against hostile input (issue 16): bytes that are not UTF-8 in a path or parameter, a
// deeply nested what-if body, long inputs echoed back, forged access-log lines, dotfiles under
// --web, the security headers of every answer, and a second server on a port in use.
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "serve_process.hpp"
#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

class ServeHardeningTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string& db = SharedStore();
    if (db.empty()) return;
    dir_ = std::make_unique<TempDir>();
    const fs::path root = (*dir_) / "web";
    fs::create_directories(root / ".git");
    WriteFile((root / "index.html").string(), "<!doctype html><title>GPSI</title>\n");
    WriteFile((root / ".env").string(), "SECRET=1\n");
    WriteFile((root / ".git/config").string(), "[core]\n");
    server_ = std::make_unique<ServeProcess>(
        db, std::vector<std::string>{"--web", root.string(), "--intervals", "0", "--forecast-draws", "0"});
  }
  static void TearDownTestSuite() {
    server_.reset();
    dir_.reset();
  }
  void SetUp() override { ASSERT_TRUE(server_ && server_->port() > 0) << "gpsi serve did not start"; }

  static std::string RawGet(const std::string& target) {
    return RawRequest(server_->port(), "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  }
  //! The server still answers a plain request.
  static void ExpectAlive() {
    auto r = server_->Get("/api/v1/health");
    ASSERT_TRUE(r) << "the server no longer answers";
    EXPECT_EQ(r->status, 200);
  }

  static std::unique_ptr<TempDir> dir_;
  static std::unique_ptr<ServeProcess> server_;
};
std::unique_ptr<TempDir> ServeHardeningTest::dir_;
std::unique_ptr<ServeProcess> ServeHardeningTest::server_;

TEST_F(ServeHardeningTest, BytesThatAreNotUtf8AreA400NotA500) {
  for (const std::string target :
       {"/api/v1/units/%FF", "/api/v1/units/%c0%ae", "/api/v1/scores?code=%FF", "/api/v1/scores?%FF=1",
        "/api/v1/compare?units=CHN,%ed%a0%80", "/api/v1/download/%FE", "/api/v1/meta?x=%e4%b8", "/%FF.html"}) {
    const std::string raw = RawGet(target);
    EXPECT_EQ(RawStatus(raw), 400) << target << "\n" << raw;
    EXPECT_NE(raw.find("\"usage\""), std::string::npos) << target;
    EXPECT_NE(raw.find("not valid UTF-8"), std::string::npos) << target;
  }
  // UTF-8 itself is fine: an unknown unit in Chinese is a plain 404.
  EXPECT_EQ(RawStatus(RawGet("/api/v1/units/%E4%B8%AD%E5%9B%BD")), 404);
  ExpectAlive();
}

TEST_F(ServeHardeningTest, ADeeplyNestedWhatIfBodyIsA400AndTheServerLives) {
  // 30,000 levels of nesting in 60 KB: serialising it back (recursively) would overflow the stack.
  for (const std::string& field : {std::string("weights\":{\"crime"), std::string("year")}) {
    const std::string body =
        "{\"" + field + "\":" + std::string(30000, '[') + std::string(30000, ']') + (field == "year" ? "}" : "}}");
    auto r = server_->Client().Post("/api/v1/whatif", body, "application/json");
    ASSERT_TRUE(r) << field;
    EXPECT_EQ(r->status, 400) << field << ": " << r->body.substr(0, 300);
    EXPECT_NE(r->body.find("not a JSON array"), std::string::npos) << r->body.substr(0, 300);
    EXPECT_LT(r->body.size(), 1000u);
  }
  ExpectAlive();
}

TEST_F(ServeHardeningTest, ErrorsDoNotEchoLongInput) {
  // A 6 KB parameter (under the 8 KB limit of a request line) and a 50 KB what-if field.
  auto get = server_->Get("/api/v1/scores?code=" + std::string(6000, 'A'));
  ExpectError(get, 400, "usage", "a 6 KB code");
  auto post =
      server_->Client().Post("/api/v1/whatif", "{\"code\":\"" + std::string(50000, 'B') + "\"}", "application/json");
  ExpectError(post, 400, "usage", "a 50 KB what-if code");
  for (const auto* r : {&get, &post}) {
    const std::string message = Json::parse((*r)->body)["error"]["message"];
    EXPECT_LE(message.size(), 300u + 3);  // cut, with "…"
    EXPECT_NE(message.find("…"), std::string::npos) << message;
  }
  // A cut never splits a character: the answer is valid JSON (parsed above) even for Chinese input.
  std::string zh;
  for (int i = 0; i < 500; ++i) zh += "%E4%B8%AD";
  ExpectError(server_->Get("/api/v1/scores?code=" + zh), 400, "usage", "a long Chinese code");
}

TEST_F(ServeHardeningTest, TheAccessLogCannotBeForged) {
  RawGet("/api/v1/units/x%0aGET%20/forged%20200%200us%0a%1b%5b31mred");
  ExpectAlive();
  const std::string log = server_->err();
  EXPECT_EQ(log.find("\nGET /forged"), std::string::npos) << log.substr(log.size() > 2000 ? log.size() - 2000 : 0);
  EXPECT_EQ(log.find('\x1b'), std::string::npos);
  EXPECT_NE(log.find("x\\x0aGET /forged 200 0us\\x0a\\x1b[31mred"), std::string::npos);
}

TEST_F(ServeHardeningTest, DotfilesUnderWebAreNotServed) {
  EXPECT_EQ(RawStatus(RawGet("/index.html")), 200);
  for (const std::string target : {"/.env", "/.git/config", "/.git/", "/%2eenv", "/./.env"}) {
    const std::string raw = RawGet(target);
    EXPECT_EQ(RawStatus(raw), 404) << target;
    EXPECT_EQ(raw.find("SECRET"), std::string::npos) << target;
    EXPECT_EQ(raw.find("[core]"), std::string::npos) << target;
  }
}

TEST_F(ServeHardeningTest, EveryAnswerCarriesTheSecurityHeaders) {
  auto c = server_->Client();
  auto ok = c.Get("/api/v1/scores");
  ASSERT_TRUE(ok);
  const auto expect = [](const httplib::Result& r, const std::string& what) {
    ASSERT_TRUE(r) << what;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(r->get_header_value("X-Frame-Options"), "DENY") << what;
    EXPECT_EQ(r->get_header_value("Referrer-Policy"), "no-referrer") << what;
    EXPECT_NE(r->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos) << what;
  };
  expect(ok, "200");
  expect(c.Get("/api/v1/scores", {{"If-None-Match", ok->get_header_value("ETag")}}), "304");
  expect(c.Get("/api/v1/scores?bogus=1"), "400");
  expect(c.Get("/api/v1/nope"), "404");
  expect(c.Delete("/api/v1/scores"), "405");
  expect(c.Get("/index.html"), "static");
  expect(c.Post("/api/v1/whatif", "{}", "application/json"), "what-if");
}

TEST_F(ServeHardeningTest, ASecondServerOnAPortInUseFails) {
  const RunResult r = Gpsi("--db " + Quote(SharedStore()) + " serve --intervals 0 --forecast-draws 0 --port " +
                           std::to_string(server_->port()) + " --method " + Quote(kMethod));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("is another server using the port?"), std::string::npos) << r.err;
  ExpectAlive();
}

}  // namespace
}  // namespace gpsi::test
