// The parts of `gpsi update` below the CLI: API response parsing (fixtures in the publishers'
// formats), the fetch layer's retry schedule against a local cpp-httplib server, and the store's
// fetch_state table (schema migration 3).
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "detail/fetch.hpp"
#include "ingest.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

const std::string kFixtures = std::string(GPSI_TESTS_DIR) + "/fixtures/update/";

std::string Bundle(const std::vector<std::string>& pages) {
  std::string b = "{\"gpsi_bundle\": \"pages\", \"pages\": [";
  for (std::size_t i = 0; i < pages.size(); ++i) b += (i ? "," : "") + test::ReadFile(kFixtures + pages[i]);
  return b + "]}";
}

TEST(ApiResponse, WhoODataPage) {
  auto r = ParseApiResponse(test::ReadFile(kFixtures + "who_RS_198.json"), "who-odata");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->records, 5);
  EXPECT_EQ(r->pages, 1);
  EXPECT_EQ(r->last_updated, "2024-06-03");  // the newest "Date" of the five records
  EXPECT_NE(r->csv.find("\"SpatialDim\""), std::string::npos);
  EXPECT_NE(r->csv.find("\"SEX_FMLE\""), std::string::npos);
  EXPECT_TRUE(r->next_link.empty());
  // A page that names the next one: complete only with that page in the bundle.
  const std::string paged = R"({"value": [{"SpatialDim": "FRA"}], "@odata.nextLink": "https://h/api/RS_198?$skip=1"})";
  auto first = ParseApiResponse(paged, "who-odata", false);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->next_link, "https://h/api/RS_198?$skip=1");
  EXPECT_EQ(first->pages_declared, 2);
  EXPECT_FALSE(ParseApiResponse(paged, "who-odata", true));
  EXPECT_FALSE(ParseApiResponse(R"({"value": [], "@odata.nextLink": 5})", "who-odata", false));
}

TEST(ApiResponse, WorldBankPagesMustAllBeThere) {
  auto one = ParseApiResponse(test::ReadFile(kFixtures + "wb_SP.POP.TOTL_p1.json"), "wb-api");
  ASSERT_FALSE(one);  // page 1 of 2 alone
  EXPECT_EQ(one.error().code, Errc::kBadResponse);
  auto partial = ParseApiResponse(test::ReadFile(kFixtures + "wb_SP.POP.TOTL_p1.json"), "wb-api", false);
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->pages_declared, 2);
  auto all = ParseApiResponse(Bundle({"wb_SP.POP.TOTL_p1.json", "wb_SP.POP.TOTL_p2.json"}), "wb-api");
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->records, 5);
  EXPECT_EQ(all->last_updated, "2025-07-01");
  EXPECT_NE(all->csv.find("\"indicator.id\",\"indicator.value\""), std::string::npos) << all->csv.substr(0, 200);
  auto swapped = ParseApiResponse(Bundle({"wb_SP.POP.TOTL_p2.json", "wb_SP.POP.TOTL_p1.json"}), "wb-api");
  EXPECT_FALSE(swapped);
  auto twice = ParseApiResponse(Bundle({"wb_SP.POP.TOTL_p1.json", "wb_SP.POP.TOTL_p1.json"}), "wb-api");
  EXPECT_FALSE(twice);
  auto error = ParseApiResponse(R"([{"message":[{"id":"120","value":"Invalid value"}]}])", "wb-api");
  ASSERT_FALSE(error);
  EXPECT_NE(error.error().message.find("Invalid value"), std::string::npos);
}

TEST(ApiResponse, SdgPagesAndTotals) {
  auto all = ParseApiResponse(Bundle({"sdg_VC_IHR_PSRC_p1.json", "sdg_VC_IHR_PSRC_p2.json"}), "sdg-api");
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->records, 3);
  EXPECT_NE(all->csv.find("\"attributes.Nature\""), std::string::npos);
  EXPECT_NE(all->csv.find("\"dimensions.Sex\""), std::string::npos);
  std::string text = test::ReadFile(kFixtures + "sdg_VC_IHR_PSRC_p2.json");
  auto truncated = ParseApiResponse(text.substr(0, text.size() - 10), "sdg-api");
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.error().message.find("not valid JSON"), std::string::npos);
  EXPECT_FALSE(ParseApiResponse("{\"value\": []}", "sdg-api"));
}

TEST(ApiResponse, GeoAreaTreeBecomesTheM49Table) {
  auto t = ParseApiResponse(test::ReadFile(kFixtures + "sdg_GeoArea_Tree.json"), "sdg-geoarea-tree");
  ASSERT_TRUE(t) << t.error().message;
  // The continental tree only (the SDG-regions tree lists Algeria again): Algeria, Ethiopia, Kenya,
  // France, Germany and Antarctica.
  EXPECT_EQ(t->records, 6);
  auto rows = test::Csv(t->csv);  // every field is quoted (test::Csv takes the quotes off)
  ASSERT_EQ(rows.size(), 7u);
  const auto& h = rows[0];
  auto col = [&](const char* name) {
    return static_cast<std::size_t>(std::find(h.begin(), h.end(), name) - h.begin());
  };
  ASSERT_LT(col("Intermediate Region Code"), h.size());
  ASSERT_LT(col("Least Developed Countries (LDC)"), h.size());
  std::map<std::string, std::vector<std::string>> by_m49;
  for (std::size_t r = 1; r < rows.size(); ++r) by_m49[rows[r][col("M49 Code")]] = rows[r];
  ASSERT_EQ(by_m49.count("404"), 1u);
  EXPECT_EQ(by_m49["404"][col("Region Code")], "002");
  EXPECT_EQ(by_m49["404"][col("Sub-region Name")], "Sub-Saharan Africa");
  EXPECT_EQ(by_m49["404"][col("Intermediate Region Code")], "014");
  EXPECT_EQ(by_m49["012"][col("Sub-region Code")], "015");
  EXPECT_EQ(by_m49["012"][col("Intermediate Region Code")], "");
  EXPECT_EQ(by_m49["010"][col("Region Code")], "");  // Antarctica sits directly under World
  EXPECT_EQ(by_m49["231"][col("Least Developed Countries (LDC)")], "x");
  EXPECT_EQ(by_m49["404"][col("Least Developed Countries (LDC)")], "");
  // Not a tree, or no continental tree: rejected with a reason.
  EXPECT_FALSE(ParseApiResponse("{\"data\": []}", "sdg-geoarea-tree"));
  auto flat = ParseApiResponse(R"([{"geoAreaCode": 1, "geoAreaName": "World", "children": []}])", "sdg-geoarea-tree");
  ASSERT_FALSE(flat);
  EXPECT_NE(flat.error().message.find("continental regions"), std::string::npos);
  auto bad = ParseApiResponse(
      R"([{"geoAreaCode": 1, "geoAreaName": "World (total) by continental regions", "children": [{"geoAreaCode": "x"}]}])",
      "sdg-geoarea-tree");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kBadResponse);
}

class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(FetchTest, BackoffDoublesAndRetryAfterIsCapped) {
  int n = 0;
  server_.Get("/x", [&n](const httplib::Request&, httplib::Response& res) {
    ++n;
    if (n == 1) return void(res.status = 502);
    if (n == 2) return void(res.status = 500);
    if (n == 3) {
      res.status = 429;
      res.set_header("Retry-After", "3600");
      return;
    }
    res.set_content("ok", "text/plain");
  });
  std::vector<long> waits;
  FetchOptions o;
  o.retries = 3, o.backoff_ms = 100, o.retry_after_cap_ms = 2000;
  auto r = detail::Fetch({Url("/x"), "", ""}, o, [&waits](long ms) { waits.push_back(ms); });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(r->attempts, 4);
  EXPECT_EQ(waits, (std::vector<long>{100, 200, 2000}));  // 1×, 2× backoff, then Retry-After capped
}

TEST_F(FetchTest, ConditionalRequestAndGiveUp) {
  server_.Get("/c", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("If-Modified-Since") == "Tue, 01 Jul 2025 00:00:00 GMT") return void(res.status = 304);
    res.set_content("body", "text/plain");
  });
  server_.Get("/down", [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
  FetchOptions o;
  o.retries = 1, o.backoff_ms = 1;
  auto r = detail::Fetch({Url("/c"), "", "Tue, 01 Jul 2025 00:00:00 GMT"}, o);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->not_modified);
  EXPECT_TRUE(r->body.empty());
  auto down = detail::Fetch({Url("/down"), "", ""}, o, [](long) {});
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, Errc::kNetwork);
  EXPECT_NE(down.error().message.find("2 attempts"), std::string::npos) << down.error().message;
}

TEST(FetchState, StoredPerUrlAndReplaced) {
  test::TempDir tmp;
  auto store = OpenSqliteStore(tmp / "s.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->Migrate());
  EXPECT_FALSE((*store)->FindFetchState("http://a/x"));
  (*store)->PutFetchState({"http://a/x", "\"e1\"", "", "abc", "2025-01-01T00:00:00Z"});
  (*store)->PutFetchState({"http://a/x", "\"e2\"", "Tue", "def", "2025-01-02T00:00:00Z"});
  auto s = (*store)->FindFetchState("http://a/x");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->etag, "\"e2\"");
  EXPECT_EQ(s->last_modified, "Tue");
  EXPECT_EQ(s->sha256, "def");
  EXPECT_FALSE((*store)->FindFetchState("http://a/y"));
}

}  // namespace
}  // namespace gpsi
