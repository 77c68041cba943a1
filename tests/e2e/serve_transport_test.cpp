// gpsi serve, transport side and what-if: POST /api/v1/whatif against `gpsi build --set weight.…`
// and against /api/v1/scores, its every error; strong ETags and 304; gzip; the body limit (413);
// the static files of --web, path traversal attempts sent raw over a socket; 404 and 405 answers.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core.hpp"
#include "serve_process.hpp"
#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kIndexHtml = "<!doctype html><html lang=\"en\"><head><title>GPSI</title></head><body>" +
                               std::string(3000, 'x') + "</body></html>\n";
const std::string kAppJs = "console.log('gpsi');\n";
const std::string kSecret = "top secret outside the web root\n";

class ServeTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string& db = SharedStore();
    if (db.empty()) return;
    dir_ = std::make_unique<TempDir>();
    fs::path root = (*dir_) / "web";
    fs::create_directories(root / "assets");
    WriteFile((root / "index.html").string(), kIndexHtml);
    WriteFile((root / "assets/app.js").string(), kAppJs);
    WriteFile((*dir_) / "secret.txt", kSecret);
    fs::create_symlink((*dir_) / "secret.txt", root / "escape.txt");  // a link out of the root
    fs::create_symlink(dir_->path(), root / "up");                    // a folder link out of it
    fs::create_symlink(root / "assets/app.js", root / "inside.js");   // a link that stays inside
    server_ = std::make_unique<ServeProcess>(db, std::vector<std::string>{"--web", root.string(), "--intervals", "0"});
    // The reference for what-if: the same method built with other weights.
    build_ = Gpsi("-q --db " + Quote(db) + " build --method " + Quote(kMethod) +
                  " --set weight.crime=2 --set weight.cyber=0.5 --set weight.homicide=3 --set weight.road=0 --out " +
                  Quote((*dir_) / "b"));
  }
  static void TearDownTestSuite() {
    server_.reset();
    dir_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->port() > 0) << "gpsi serve did not start";
    ASSERT_EQ(build_.exit_code, 0) << build_.err;
  }

  static httplib::Client Client() { return server_->Client(); }
  //! GET with the given headers; Accept-Encoding is identity unless given.
  static httplib::Result Get(const std::string& path, httplib::Headers h = {}, bool decompress = true) {
    auto c = Client();
    c.set_decompress(decompress);
    if (h.find("Accept-Encoding") == h.end()) h.emplace("Accept-Encoding", "identity");
    return c.Get(path.c_str(), h);
  }
  static httplib::Result Post(const std::string& body, const std::string& type = "application/json",
                              const std::string& path = "/api/v1/whatif") {
    auto c = Client();
    return c.Post(path.c_str(), httplib::Headers{{"Accept-Encoding", "identity"}}, body, type.c_str());
  }
  //! Sends `request` as it is over a plain socket; the whole answer (head and body).
  static std::string Raw(const std::string& request) { return RawRequest(server_->port(), request); }
  static std::string RawGet(const std::string& target) {
    return Raw("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  }

  static std::unique_ptr<TempDir> dir_;
  static std::unique_ptr<ServeProcess> server_;
  static RunResult build_;
};
std::unique_ptr<TempDir> ServeTransportTest::dir_;
std::unique_ptr<ServeProcess> ServeTransportTest::server_;
RunResult ServeTransportTest::build_;

int Status(const std::string& raw) {
  return RawStatus(raw);
}

// ---- what-if ------------------------------------------------------------------------------------

TEST_F(ServeTransportTest, WhatIfWithTheMethodsWeightsIsTheBuild) {
  auto s = Get("/api/v1/scores");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->status, 200);
  auto scores = Json::parse(s->body);
  auto r = Post(R"({"weights":{}})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto w = Json::parse(r->body);
  EXPECT_EQ(w["year"], scores["year"]);
  EXPECT_EQ(w["code"], "GPSI");
  EXPECT_EQ(w["run"], scores["run"]);
  std::map<std::string, Json> by_unit;
  for (const auto& row : scores["rows"]) by_unit[row["unit"]] = row;
  ASSERT_EQ(w["rows"].size(), by_unit.size());
  for (const auto& row : w["rows"]) {
    const Json& ref = by_unit.at(row["unit"].get<std::string>());
    EXPECT_EQ(row["value"], ref["value"]) << row["unit"];
    EXPECT_EQ(row["rank"], ref["rank"]) << row["unit"];
    EXPECT_EQ(row["base_value"], ref["value"]) << row["unit"];
    EXPECT_EQ(row["base_rank"], ref["rank"]) << row["unit"];
    if (!row["rank"].is_null()) {
      EXPECT_EQ(row["change"], 0) << row["unit"];
    }
  }
  // The weights used are the method's: 1 for every dimension of gpsi.toml.
  for (const char* d : {"crime", "terrorism", "cyber", "road"}) EXPECT_EQ(w["weights"][d], 1.0) << d;
  EXPECT_FALSE(w["weights"].contains("GPSI"));
}

TEST_F(ServeTransportTest, WhatIfEqualsABuildWithThoseWeights) {
  auto csv = Csv(ReadFile((*dir_) / "b/scores.csv"));
  ASSERT_GT(csv.size(), 1u);
  // year,unit,code,level,value,rank,flags
  std::set<int> years;
  for (std::size_t i = 1; i < csv.size(); ++i) years.insert(std::stoi(csv[i][0]));
  for (int year : {*years.begin(), *years.rbegin()}) {
    for (const std::string code : {"GPSI", "crime"}) {
      Json body{
          {"weights", {{"crime", 2}, {"cyber", 0.5}, {"homicide", 3}, {"road", 0}}}, {"year", year}, {"code", code}};
      auto r = Post(body.dump());
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << r->body;
      auto w = Json::parse(r->body);
      EXPECT_EQ(w["year"], year);
      EXPECT_EQ(w["weights"]["crime"], 2.0);
      EXPECT_EQ(w["weights"]["road"], 0.0);
      EXPECT_EQ(w["weights"]["terrorism"], 1.0);
      std::map<std::string, std::pair<std::string, std::string>> ref;  // unit → (value, rank)
      for (std::size_t i = 1; i < csv.size(); ++i) {
        if (std::stoi(csv[i][0]) == year && csv[i][2] == code) ref[csv[i][1]] = {csv[i][4], csv[i][5]};
      }
      ASSERT_EQ(w["rows"].size(), ref.size());
      int last = 0, moved = 0;
      bool unranked_seen = false;
      for (const auto& row : w["rows"]) {
        const auto& [value, rank] = ref.at(row["unit"].get<std::string>());
        if (value.empty()) {
          EXPECT_TRUE(row["value"].is_null()) << row["unit"];
        } else {
          ASSERT_TRUE(row["value"].is_number()) << row["unit"];
          EXPECT_EQ(row["value"].get<double>(), std::stod(value)) << row["unit"] << " " << year << " " << code;
        }
        if (rank.empty()) {
          EXPECT_TRUE(row["rank"].is_null()) << row["unit"];
          unranked_seen = true;
        } else {
          ASSERT_TRUE(row["rank"].is_number_integer()) << row["unit"];
          EXPECT_EQ(row["rank"].get<int>(), std::stoi(rank)) << row["unit"];
          EXPECT_FALSE(unranked_seen) << "ranked rows come first";
          EXPECT_GE(row["rank"].get<int>(), last) << "sorted by rank";
          last = row["rank"].get<int>();
          if (!row["base_rank"].is_null()) {
            EXPECT_EQ(row["change"], row["base_rank"].get<int>() - row["rank"].get<int>());
            moved += row["change"] != 0 ? 1 : 0;
          }
        }
      }
      // Not vacuous for the index (crime has one scored child: its ranks cannot move).
      if (code == "GPSI") {
        EXPECT_GT(moved, 0) << "the weights changed no rank of the index";
      }
    }
  }
}

TEST_F(ServeTransportTest, WhatIfErrors) {
  const std::pair<const char*, const char*> bad[] = {
      {"{", "invalid JSON"},
      {"[]", "not an object"},
      {R"({"weights":[1,2]})", "weights not an object"},
      {R"({"weights":{"crime":"2"}})", "weight a string"},
      {R"({"weights":{"crime":true}})", "weight a boolean"},
      {R"({"weights":{"crime":null}})", "weight null"},
      {R"({"weights":{"crime":-1}})", "negative weight"},
      {R"({"weights":{"crime":1e999}})", "infinite weight"},
      {R"({"weights":{"nosuchnode":1}})", "unknown code"},
      {R"({"weights":{"GPSI":1}})", "the top node"},
      {R"({"weights":{"violent_events":1}})", "a monitor"},
      {R"({"weights":{},"extra":1})", "unknown field"},
      {R"({"year":"2023"})", "year a string"},
      {R"({"year":2023.5})", "year not an integer"},
      {R"({"year":1900})", "a year the build lacks"},
      {R"({"code":"nosuchnode"})", "unknown node to rank"},
      {R"({"code":7})", "code a number"},
  };
  for (const auto& [body, what] : bad) ExpectError(Post(body), 400, "usage", what);
  ExpectError(Post(R"({"weights":{}})", "text/plain"), 400, "usage", "Content-Type text/plain");
  ExpectError(Post(R"({"weights":{}})", "application/x-www-form-urlencoded"), 400, "usage", "form Content-Type");
  ExpectError(Post(R"({"weights":{}})", "application/json", "/api/v1/whatif?x=1"), 400, "usage", "query parameter");
  // Content-Type parameters are fine.
  auto ok = Post(R"({"weights":{"crime":1}})", "application/json; charset=utf-8");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  // Over 64 KiB: 413, whatever the content.
  std::string big = R"({"weights":{"crime":1},"pad":")" + std::string(70 * 1024, 'x') + "\"}";
  ExpectError(Post(big), 413, "too-large", "body over 64 KiB");
  // The server still answers afterwards.
  auto after = Post(R"({})");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

// ---- verbs and 404 --------------------------------------------------------------------------------

TEST_F(ServeTransportTest, WrongVerbsAre405WithAllow) {
  auto c = Client();
  auto g = Get("/api/v1/whatif");
  ExpectError(g, 405, "method-not-allowed", "GET whatif");
  EXPECT_EQ(g->get_header_value("Allow"), "POST");
  auto p = c.Put("/api/v1/scores", "x", "text/plain");
  ExpectError(p, 405, "method-not-allowed", "PUT scores");
  EXPECT_EQ(p->get_header_value("Allow"), "GET, HEAD");
  ExpectError(c.Delete("/api/v1/units/CHN"), 405, "method-not-allowed", "DELETE profile");
  ExpectError(c.Post("/api/v1/meta", "{}", "application/json"), 405, "method-not-allowed", "POST meta");
  ExpectError(c.Post("/", "{}", "application/json"), 405, "method-not-allowed", "POST /");
  ExpectError(c.Post("/api/v1/nothing", "{}", "application/json"), 404, "not-found", "POST unknown");
  ExpectError(Get("/api/v1/nothing"), 404, "not-found", "GET unknown endpoint");
  ExpectError(Get("/no/such/file.js"), 404, "not-found", "GET unknown file");
}

// ---- ETag and 304 -----------------------------------------------------------------------------------

TEST_F(ServeTransportTest, StrongETagAnd304) {
  for (const std::string path : {"/api/v1/scores", "/api/v1/units", "/api/v1/scores?format=csv", "/api/v1/health",
                                 "/api/v1/runs", "/", "/assets/app.js"}) {
    auto r = Get(path);
    ASSERT_TRUE(r) << path;
    ASSERT_EQ(r->status, 200) << path;
    std::string etag = r->get_header_value("ETag");
    EXPECT_EQ(etag, "\"" + Sha256Hex(r->body) + "\"") << path;  // strong: the sha256 of the body
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-cache") << path;
    auto again = Get(path);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->get_header_value("ETag"), etag) << path;
    EXPECT_EQ(again->body, r->body) << path;
    for (const std::string& inm : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
      auto nm = Get(path, {{"If-None-Match", inm}});
      ASSERT_TRUE(nm) << path;
      EXPECT_EQ(nm->status, 304) << path << " If-None-Match: " << inm;
      EXPECT_TRUE(nm->body.empty()) << path;
      EXPECT_EQ(nm->get_header_value("ETag"), etag) << path;
    }
    auto other = Get(path, {{"If-None-Match", "\"0123\""}});
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 200) << path;
    EXPECT_EQ(other->body, r->body) << path;
  }
  // Different answers, different tags.
  auto a = Get("/api/v1/scores"), b = Get("/api/v1/scores?code=crime");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->get_header_value("ETag"), b->get_header_value("ETag"));
  // HEAD: the headers of GET, no body.
  auto h = Client().Head("/api/v1/scores", httplib::Headers{{"Accept-Encoding", "identity"}});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->get_header_value("ETag"), a->get_header_value("ETag"));
  EXPECT_TRUE(h->body.empty());
}

// ---- gzip -----------------------------------------------------------------------------------------

TEST_F(ServeTransportTest, GzipWhenAskedForAndWorthIt) {
  auto plain = Get("/api/v1/scores");
  ASSERT_TRUE(plain);
  ASSERT_GT(plain->body.size(), 1024u);
  EXPECT_EQ(plain->get_header_value("Content-Encoding"), "");
  EXPECT_EQ(plain->get_header_value("Vary"), "Accept-Encoding");
  for (const std::string ae : {"gzip", "gzip, deflate, br", "br;q=1, gzip;q=0.5", "*"}) {
    auto raw = Get("/api/v1/scores", {{"Accept-Encoding", ae}}, false);
    ASSERT_TRUE(raw) << ae;
    ASSERT_EQ(raw->status, 200) << ae;
    EXPECT_EQ(raw->get_header_value("Content-Encoding"), "gzip") << ae;
    EXPECT_EQ(raw->get_header_value("Vary"), "Accept-Encoding") << ae;
    ASSERT_GE(raw->body.size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>(raw->body[0]), 0x1f) << ae;  // the gzip magic
    EXPECT_EQ(static_cast<unsigned char>(raw->body[1]), 0x8b) << ae;
    EXPECT_LT(raw->body.size(), plain->body.size()) << ae;
    // A different representation, a different strong tag.
    EXPECT_NE(raw->get_header_value("ETag"), plain->get_header_value("ETag")) << ae;
    auto nm = Get("/api/v1/scores", {{"Accept-Encoding", ae}, {"If-None-Match", raw->get_header_value("ETag")}}, false);
    ASSERT_TRUE(nm);
    EXPECT_EQ(nm->status, 304) << ae;
  }
  // Decompressed (httplib's client inflates), the body is the identity body.
  auto inflated = Get("/api/v1/scores", {{"Accept-Encoding", "gzip"}}, true);
  ASSERT_TRUE(inflated);
  EXPECT_EQ(inflated->body, plain->body);
  // Not asked for, refused (q=0) or only codings we do not send: identity.
  for (const std::string ae : {"identity", "gzip;q=0", "br", "deflate", "*;q=0"}) {
    auto r = Get("/api/v1/scores", {{"Accept-Encoding", ae}}, false);
    ASSERT_TRUE(r) << ae;
    EXPECT_EQ(r->get_header_value("Content-Encoding"), "") << ae;
    EXPECT_EQ(r->body, plain->body) << ae;
  }
  // Small answers (≤ 1 KiB) are sent as they are.
  auto small = Get("/api/v1/health", {{"Accept-Encoding", "gzip"}}, false);
  ASSERT_TRUE(small);
  EXPECT_EQ(small->get_header_value("Content-Encoding"), "");
  // POST answers are compressed too.
  auto c = Client();
  c.set_decompress(false);
  auto w = c.Post("/api/v1/whatif", httplib::Headers{{"Accept-Encoding", "gzip"}}, "{}", "application/json");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->status, 200);
  EXPECT_EQ(w->get_header_value("Content-Encoding"), "gzip");
  // Static files as well.
  auto page = Get("/", {{"Accept-Encoding", "gzip"}}, true);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(page->body, kIndexHtml);
}

// ---- static files -----------------------------------------------------------------------------------

TEST_F(ServeTransportTest, StaticFiles) {
  auto index = Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->body, kIndexHtml);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  auto same = Get("/index.html");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->body, kIndexHtml);
  auto js = Get("/assets/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, kAppJs);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->get_header_value("X-Content-Type-Options"), "nosniff");
  auto inside = Get("/inside.js");  // a symbolic link that stays in the root
  ASSERT_TRUE(inside);
  EXPECT_EQ(inside->status, 200);
  EXPECT_EQ(inside->body, kAppJs);
  // A file changed on disk is served anew (the cache checks the file's mtime and size).
  WriteFile((*dir_) / "web/assets/app.js", kAppJs + "// v2\n");
  auto v2 = Get("/assets/app.js");
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->body, kAppJs + "// v2\n");
  WriteFile((*dir_) / "web/assets/app.js", kAppJs);
}

TEST_F(ServeTransportTest, NoPathTraversal) {
  ASSERT_EQ(Status(RawGet("/assets/app.js")), 200);  // the raw client works
  for (const std::string target :
       {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt", "/escape.txt",
        "/up/secret.txt", "/up/web/../secret.txt", "//etc/passwd", "/..", "/%2e%2e", "/%00/secret.txt",
        "/assets/app.js%00.html"}) {
    std::string raw = RawGet(target);
    EXPECT_EQ(Status(raw), 404) << target << "\n" << raw;
    EXPECT_EQ(raw.find("top secret"), std::string::npos) << target;
    EXPECT_EQ(raw.find("root:"), std::string::npos) << target;
    EXPECT_NE(raw.find("\"not-found\""), std::string::npos) << target;
  }
  // Through the API prefix no file is served either.
  EXPECT_EQ(Status(RawGet("/api/../index.html")), 404);
}

TEST_F(ServeTransportTest, KeepAliveConnectionServesManyRequests) {
  auto c = Client();
  c.set_keep_alive(true);
  for (int i = 0; i < 20; ++i) {
    auto r = c.Get(i % 2 ? "/api/v1/scores" : "/api/v1/health");
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200) << i;
  }
}

}  // namespace
}  // namespace gpsi::test
