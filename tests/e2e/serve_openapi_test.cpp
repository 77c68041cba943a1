// GET /api/v1/openapi.json: the OpenAPI document parses, declares OpenAPI 3.0, is the source
// tree's src/server/openapi.json with the engine's version, and documents exactly the /api/ routes
// the server registers. Schema conformance of every answer is tests/api/openapi_conformance.mjs.
#include <httplib.h>

#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "serve_process.hpp"
#include "server.hpp"
#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

const std::string kSourceDir = std::string(GPSI_TESTS_DIR) + "/../src/server";

class ServeOpenApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string& db = SharedStore();
    if (!db.empty()) server_ = std::make_unique<ServeProcess>(db);
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override { ASSERT_TRUE(server_ && server_->port() > 0) << "gpsi serve did not start"; }

  static httplib::Result Get(const std::string& path) { return server_->Get(path); }

  //! The served document; a failure (and null) if it is not JSON with 200.
  static nlohmann::json Document() {
    auto r = Get("/api/v1/openapi.json");
    EXPECT_TRUE(r);
    if (!r) return nullptr;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type").rfind("application/json", 0), 0U);
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r->body.substr(0, 200);
    return j.is_discarded() ? nlohmann::json(nullptr) : j;
  }

  static std::unique_ptr<ServeProcess> server_;
};
std::unique_ptr<ServeProcess> ServeOpenApiTest::server_;

TEST_F(ServeOpenApiTest, ParsesAsOpenApi30WithTheEngineVersion) {
  auto doc = Document();
  ASSERT_TRUE(doc.is_object());
  ASSERT_TRUE(doc["openapi"].is_string());
  EXPECT_TRUE(std::regex_match(doc["openapi"].get<std::string>(), std::regex(R"(3\.0\.\d+)"))) << doc["openapi"];
  std::string version = Gpsi("--version").out;
  EXPECT_EQ(doc["info"]["version"], version.substr(0, version.find('\n')));
  EXPECT_TRUE(doc["paths"].is_object());
  EXPECT_TRUE(doc["components"]["schemas"].is_object());
}

TEST_F(ServeOpenApiTest, IsTheSourceDocument) {
  auto doc = Document();
  ASSERT_TRUE(doc.is_object());
  auto source = nlohmann::json::parse(ReadFile(kSourceDir + "/openapi.json"), nullptr, false);
  ASSERT_FALSE(source.is_discarded()) << "src/server/openapi.json is not JSON";
  doc["info"].erase("version");
  source["info"].erase("version");
  EXPECT_EQ(doc, source) << "the binary embeds another openapi.json: rebuild";
}

//! "METHOD /path" of every operation of the document, with each {param} written as the server's
//! route pattern writes a path segment, ([^/]+).
std::set<std::string> DocumentedRoutes(const nlohmann::json& doc) {
  std::set<std::string> out;
  for (const auto& [path, item] : doc["paths"].items()) {
    std::string route = std::regex_replace(path, std::regex(R"(\{[^}]+\})"), "([^/]+)");
    for (const auto& [method, op] : item.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (m == "GET" || m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE") out.insert(m + " " + route);
    }
  }
  return out;
}

// The routes are the server's own table (Server::Routes): a route added without documenting it, or
// documented without being served, fails here.
TEST_F(ServeOpenApiTest, DocumentsExactlyTheServersApiRoutes) {
  auto doc = Document();
  ASSERT_TRUE(doc.is_object());
  std::set<std::string> registered;
  for (const std::string& r : gpsi::server::Server::Routes()) {
    registered.insert(std::regex_replace(r, std::regex(R"(\{\})"), "([^/]+)"));
  }
  EXPECT_GE(registered.size(), 4U);
  EXPECT_EQ(DocumentedRoutes(doc), registered);
}

// The same from outside: every documented operation is routed (not 404), undocumented paths are.
TEST_F(ServeOpenApiTest, DocumentedPathsAreRoutedOthersAre404) {
  auto doc = Document();
  ASSERT_TRUE(doc.is_object());
  httplib::Client c = server_->Client();
  for (const auto& [path, item] : doc["paths"].items()) {
    std::string concrete = std::regex_replace(path, std::regex(R"(\{iso3\})"), "CHN");
    concrete = std::regex_replace(concrete, std::regex(R"(\{table\})"), "scores");
    concrete = std::regex_replace(concrete, std::regex(R"(\{(id|flag)\})"), "1");
    concrete = std::regex_replace(concrete, std::regex(R"(\{action\})"), "submit");
    concrete = std::regex_replace(concrete, std::regex(R"(\{lang\})"), "en");
    if (item.contains("get")) {
      auto r = c.Get(concrete.c_str());
      ASSERT_TRUE(r) << concrete;
      if (path == "/api/v1/validation") {
        // Routed, and 404 as documented for a server started without --validation.
        EXPECT_EQ(r->status, 404);
        EXPECT_NE(r->body.find("--validation"), std::string::npos) << r->body;
        continue;
      }
      if (path.rfind("/api/v1/risk/projects", 0) == 0) {
        // Routed: an enterprise's sheets, for the holder of a token or session only.
        EXPECT_EQ(r->status, 401) << concrete;
        continue;
      }
      if (path.rfind("/api/v1/risk/", 0) == 0) {
        // Routed, and 404 as documented for a server started without --risk-method.
        EXPECT_EQ(r->status, 404) << concrete;
        EXPECT_NE(r->body.find("--risk-method"), std::string::npos) << r->body;
        continue;
      }
      if (path == "/api/v1/campaigns/{key}") {
        // Routed, and 404 as documented for a campaign the caller may not see (or that is not).
        EXPECT_EQ(r->status, 404);
        EXPECT_NE(r->body.find("no campaign"), std::string::npos) << r->body;
        continue;
      }
      EXPECT_NE(r->status, 404) << "GET " << concrete;
    }
    if (item.contains("post")) {
      auto r = c.Post(concrete.c_str(), "{}", "application/json");
      ASSERT_TRUE(r) << concrete;
      EXPECT_NE(r->status, 404) << "POST " << concrete;
    }
  }
  for (const char* p : {"/api/v1/nothing", "/api/v2/health", "/api/v1/units/CHN/x", "/api/v1/openapi.yaml"}) {
    auto r = c.Get(p);
    ASSERT_TRUE(r) << p;
    EXPECT_EQ(r->status, 404) << p;
  }
}

}  // namespace
}  // namespace gpsi::test
