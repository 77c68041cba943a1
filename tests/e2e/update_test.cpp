// `gpsi update` against a local HTTP server (cpp-httplib on 127.0.0.1, ephemeral port) serving the
// fixtures of tests/fixtures/update in the publishers' response formats, with fault routes. The
// real endpoints are never contacted. Expected values are read off the fixtures by hand.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "test_util.hpp"

namespace gpsi::test {
namespace {

const std::string kFixtures = std::string(GPSI_TESTS_DIR) + "/fixtures/update/";

std::string Fixture(const std::string& name) {
  return ReadFile(kFixtures + name);
}

// Serves /<mode>/<publisher path>; the mode names the fault to play.
class FakePublishers {
 public:
  FakePublishers() {
    server_.Get(R"(/(\w+)/api/RS_198)",
                [this](const httplib::Request& req, httplib::Response& res) { Who(req, res, req.matches[1]); });
    // The GPSI 2.0 series: other GHO codes and the WGI (source 3) of the World Bank.
    server_.Get(R"(/(\w+)/api/(RS_2\d\d))", [this](const httplib::Request& req, httplib::Response& res) {
      std::string mode = req.matches[1], code = req.matches[2], body = Fixture("who_" + code + ".json");
      Count(mode + "/" + code);
      if (mode == "malformed") return res.set_content(body.substr(0, body.size() / 2), "application/json");
      res.set_content(body, "application/json");
    });
    server_.Get(R"(/(\w+)/v2/country/all/indicator/(GOV_WGI_\w+\.EST))", [this](const httplib::Request& req,
                                                                                httplib::Response& res) {
      std::string mode = req.matches[1], code = req.matches[2];
      Count(mode + "/" + code);
      // As the World Bank answers a source-3 id asked without its source.
      if (req.get_param_value("source") != "3") {
        return res.set_content(
            R"([{"message":[{"id":"175","key":"Invalid format","value":"The indicator was not found. It may have been deleted or archived."}]}])",
            "application/json");
      }
      std::string body = Fixture("wb_" + code + "_p" + req.get_param_value("page") + ".json");
      if (mode == "malformed") return res.set_content(body.substr(0, body.size() / 2), "application/json");
      res.set_content(body, "application/json");
    });
    server_.Get(R"(/(\w+)/v2/country/all/indicator/SP.POP.TOTL)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  std::string mode = req.matches[1], page = req.get_param_value("page");
                  Count(mode + "/wb" + page);
                  if (page == "2" && mode == "page2missing") return void(res.status = 404);
                  if (page == "2" && mode == "page2bad")
                    return res.set_content("[{\"page\":2,\"pages\":2", "application/json");
                  res.set_content(Fixture("wb_SP.POP.TOTL_p" + page + ".json"), "application/json");
                });
    server_.Get(R"(/(\w+)/v2/country/all/indicator/IT.NET.USER.ZS)", [this](const httplib::Request& req,
                                                                            httplib::Response& res) {
      Count(std::string(req.matches[1]) + "/IT.NET.USER.ZS");
      res.set_content(Fixture("wb_IT.NET.USER.ZS_p" + req.get_param_value("page") + ".json"), "application/json");
    });
    server_.Get(R"(/(\w+)/SDGAPI/v1/sdg/Series/Data)", [this](const httplib::Request& req, httplib::Response& res) {
      std::string page = req.get_param_value("page");
      Count(std::string(req.matches[1]) + "/sdg" + page);
      res.set_content(Fixture("sdg_VC_IHR_PSRC_p" + page + ".json"), "application/json");
    });
    server_.Get(R"(/(\w+)/grapher/terrorist-attacks.csv)", [this](const httplib::Request& req, httplib::Response& res) {
      Count(std::string(req.matches[1]) + "/owid");
      if (std::string(req.matches[1]) == "html") return res.set_content("<html>moved</html>", "text/html");
      res.set_content(Fixture("owid_terrorist-attacks.csv"), "text/csv");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakePublishers() {
    server_.stop();
    thread_.join();
  }
  std::string Base(const std::string& mode) const { return "http://127.0.0.1:" + std::to_string(port_) + "/" + mode; }
  int Hits(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_[key];
  }
  std::string LastIfNoneMatch() {
    std::lock_guard<std::mutex> lock(mu_);
    return if_none_match_;
  }
  std::vector<std::chrono::steady_clock::time_point> Times(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    return times_[key];
  }

 private:
  int Count(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    times_[key].push_back(std::chrono::steady_clock::now());
    return ++hits_[key];
  }

  void Who(const httplib::Request& req, httplib::Response& res, const std::string& mode) {
    int n = Count(mode + "/who");
    std::string body = Fixture("who_RS_198.json");
    if (mode == "fail500once" && n == 1) return void(res.status = 500);
    if (mode == "always500") return void(res.status = 503);
    if (mode == "slow") std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    if (mode == "busy" && n == 1) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      return;
    }
    if (mode == "malformed") return res.set_content(body.substr(0, body.size() / 2), "application/json");
    if (mode == "paged" || mode == "pagedoff" || mode == "pagedbad") {
      // OData server-driven paging: two records a page, each page naming the next by URL.
      auto doc = nlohmann::json::parse(body);
      auto all = doc["value"];
      std::size_t skip = req.has_param("$skip") ? std::stoul(req.get_param_value("$skip")) : 0;
      if (mode == "pagedbad" && skip > 0) return res.set_content("{\"value\": [", "application/json");
      doc["value"] = nlohmann::json::array();
      for (std::size_t i = skip; i < std::min(all.size(), skip + 2); ++i) doc["value"].push_back(all[i]);
      if (skip + 2 < all.size()) {
        std::string host =
            mode == "pagedoff" ? "http://elsewhere.invalid" : "http://127.0.0.1:" + std::to_string(port_);
        doc["@odata.nextLink"] = fmt::format("{}/{}/api/RS_198?$skip={}", host, mode, skip + 2);
      }
      return res.set_content(doc.dump(), "application/json");
    }
    if (mode == "truncated") {
      // Announces the whole body, sends half, then drops the connection.
      res.set_content_provider(body.size(), "application/json",
                               [body](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                 if (offset > 0) return false;
                                 sink.write(body.data(), body.size() / 2);
                                 return true;
                               });
      return;
    }
    if (mode == "etag") {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if_none_match_ = req.get_header_value("If-None-Match");
      }
      res.set_header("ETag", "\"rs198-v1\"");
      if (req.get_header_value("If-None-Match") == "\"rs198-v1\"") return void(res.status = 304);
    }
    res.set_content(body, "application/json");
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::map<std::string, int> hits_;
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> times_;
  std::string if_none_match_;
};

class UpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = tmp_ / "u.db";
    auto r = Gpsi("--db " + Quote(db_) + " init");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  RunResult Update(const std::string& args) {
    return Gpsi("--db " + Quote(db_) + " update --retries 2 --backoff 0.05 --connect-timeout 2 --timeout 5 " + args);
  }
  // Everything the store holds that an update could change.
  std::string Snapshot() {
    auto obs = Gpsi("--db " + Quote(db_) + " export --all-sources");
    auto src = Gpsi("--db " + Quote(db_) + " sources --json");
    std::size_t blobs = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(db_ + ".blobs", ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      blobs += it->is_regular_file();
    }
    return obs.out + "\n" + src.out + "\nblobs " + std::to_string(blobs);
  }
  // Observation rows of one indicator as unit,year → value,source.
  std::map<std::string, std::pair<std::string, std::string>> Values(const std::string& indicator) {
    std::map<std::string, std::pair<std::string, std::string>> out;
    auto r = Gpsi("--db " + Quote(db_) + " export --all-sources --indicator " + indicator);
    for (const auto& row : Csv(r.out)) {
      if (row.size() >= 6 && row[0] != "unit") out[row[0] + "," + row[1]] = {row[3], row[4]};
    }
    return out;
  }
  TempDir tmp_;
  std::string db_;
  FakePublishers server_;
};

TEST_F(UpdateTest, FetchesEveryFormatAndIngestsNewVintages) {
  auto r = Update("--only who-gho:RS_198 world-bank:SP.POP.TOTL un-sdg owid:terrorist-attacks --base-url " +
                  Quote(server_.Base("ok")));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  // WHO: both-sexes rates of FRA, DEU, BRA; the EUR region row is an aggregate.
  auto road = Values("road_death_rate");
  ASSERT_EQ(road.size(), 3u) << r.out;
  EXPECT_EQ(road["FRA,2021"].first, "5.4");
  EXPECT_EQ(road["DEU,2021"].first, "3.7");
  EXPECT_EQ(road["FRA,2021"].second, "who-gho-road-rate@2024-06-03");  // release = newest record Date
  EXPECT_EQ(Values("road_death_rate_female")["FRA,2021"].first, "2.5");
  // World Bank: two pages; WLD is an aggregate, BRA's null is missing.
  auto pop = Values("population_wb");
  ASSERT_EQ(pop.size(), 3u);
  EXPECT_EQ(pop["FRA,2020"].first, "67571107");
  EXPECT_EQ(pop["DEU,2021"].first, "83196078");
  EXPECT_EQ(pop["DEU,2021"].second, "wb-wdi-population@2025-07-01");  // lastupdated
  EXPECT_EQ(server_.Hits("ok/wb1"), 1);
  EXPECT_EQ(server_.Hits("ok/wb2"), 1);
  // UN SDG: two pages, M49 250 = FRA, 276 = DEU; the FEMALE row is not the both-sexes series.
  auto hom = Values("homicide_rate");
  ASSERT_EQ(hom.size(), 2u);
  EXPECT_EQ(hom["FRA,2019"].first, "1.2");
  EXPECT_EQ(hom["DEU,2019"].first, "0.9");
  // OWID grapher: value column named after the chart; World and Africa are aggregates.
  auto inc = Values("terror_incidents");
  ASSERT_EQ(inc.size(), 2u);
  EXPECT_EQ(inc["FRA,2019"].first, "12");
  EXPECT_EQ(inc["DEU,2019"].first, "7");
  EXPECT_EQ(inc["FRA,2019"].second.rfind("owid-gtd-grapher@", 0), 0u);

  // Flags: WB obs_status E and SDG Nature E become "estimate"; WHO values are "modelled".
  auto pop_show = Gpsi("--db " + Quote(db_) + " show DEU --indicator population_wb");
  EXPECT_NE(pop_show.out.find("[estimate]"), std::string::npos) << pop_show.out;
  auto sdg_show = Gpsi("--db " + Quote(db_) + " show DEU --indicator homicide_rate");
  EXPECT_NE(sdg_show.out.find("[estimate]"), std::string::npos) << sdg_show.out;  // Nature E
  auto hom_show = Gpsi("--db " + Quote(db_) + " show FRA --indicator homicide_rate");
  EXPECT_EQ(hom_show.out.find("[estimate]"), std::string::npos) << hom_show.out;  // Nature C: no flag
  auto road_show = Gpsi("--db " + Quote(db_) + " show DEU --indicator road_death_rate");
  EXPECT_NE(road_show.out.find("[modelled]"), std::string::npos) << road_show.out;
  // A second run fetches the same bytes: nothing new is stored.
  std::string before = Snapshot();
  auto again = Update("--only world-bank:SP.POP.TOTL --base-url " + Quote(server_.Base("ok")));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("unchanged"), std::string::npos) << again.out;
  EXPECT_EQ(Snapshot(), before);
}

// The adapters added for GPSI 2.0: WGI estimates (World Bank source 3) and WHO's road-safety laws
// and vehicle standards, into the codes the method reads.
TEST_F(UpdateTest, FetchesTheWgiAndTheRoadSafetyLaws) {
  auto r =
      Update("--only world-bank:GOV_WGI_PV.EST who-gho:RS_214 who-gho:RS_242 --base-url " + Quote(server_.Base("ok")));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto pv = Values("wgi_pv_est");
  ASSERT_EQ(pv.size(), 3u) << r.out;                      // BRA's null is missing
  EXPECT_EQ(pv["AFG,2023"].first, "-2.48575186729431");   // negative estimates are kept
  EXPECT_EQ(pv["FRA,2023"].second, "wb-wgi@2025-09-25");  // the bulk file's source, a newer release
  EXPECT_EQ(server_.Hits("ok/GOV_WGI_PV.EST"), 1);
  auto speed = Values("road_law_speed");
  ASSERT_EQ(speed.size(), 3u);  // BRA's "-" is no answer
  EXPECT_EQ(speed["FRA,2017"].first, "1");
  EXPECT_EQ(speed["BEN,2017"].first, "0");
  EXPECT_EQ(speed["FRA,2017"].second, "who-gho-road-safety-laws@2020-06-04");
  auto esc = Values("road_vehicle_std_esc");
  ASSERT_EQ(esc.size(), 2u);  // the EUR region row is an aggregate
  EXPECT_EQ(esc["FRA,2016"].first, "1");
  EXPECT_EQ(esc["BEN,2016"].first, "0");
  EXPECT_EQ(Values("road_vehicle_std_seat_belts")["FRA,2016"].first, "1");
}

// A WDI context series the snapshot has only through OWID: fetched directly, under its own key.
TEST_F(UpdateTest, FetchesAWdiContextSeriesUnderItsOwnSource) {
  auto r = Update("--only world-bank:IT.NET.USER.ZS --base-url " + Quote(server_.Base("ok")));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto net = Values("internet_users_pct");
  ASSERT_EQ(net.size(), 2u);  // WLD is an aggregate
  EXPECT_EQ(net["FRA,2023"].first, "87.2");
  EXPECT_EQ(net["FRA,2023"].second, "wb-wdi-internet-users@2026-07-01");
  auto show = Gpsi("--db " + Quote(db_) + " show BEN --indicator internet_users_pct");
  EXPECT_NE(show.out.find("[estimate]"), std::string::npos) << show.out;  // obs_status E
}

TEST_F(UpdateTest, MalformedWgiAndLawResponsesAreRejectedWhole) {
  std::string before = Snapshot();
  auto wgi = Update("--only world-bank:GOV_WGI_PV.EST --base-url " + Quote(server_.Base("malformed")));
  EXPECT_NE(wgi.exit_code, 0);
  EXPECT_NE(wgi.err.find("error: world-bank:GOV_WGI_PV.EST:"), std::string::npos) << wgi.err;
  auto law = Update("--only who-gho:RS_214 --base-url " + Quote(server_.Base("malformed")));
  EXPECT_NE(law.exit_code, 0);
  EXPECT_NE(law.err.find("error: who-gho:RS_214:"), std::string::npos) << law.err;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(UpdateTest, RetriesA500ThenSucceeds) {
  auto r = Update("--only who-gho:RS_198 --base-url who-gho=" + server_.Base("fail500once"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server_.Hits("fail500once/who"), 2);
  EXPECT_EQ(Values("road_death_rate").size(), 3u);
}

TEST_F(UpdateTest, FollowsODataNextLinksOnTheSameHostOnly) {
  auto r = Update("--only who-gho:RS_198 --base-url who-gho=" + server_.Base("paged"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(server_.Hits("paged/who"), 3);  // the fixture's records two a page
  // The same values as the one-page answer of FetchesEveryFormatAndIngestsNewVintages.
  auto road = Values("road_death_rate");
  ASSERT_EQ(road.size(), 3u) << r.out;
  EXPECT_EQ(road["FRA,2021"].first, "5.4");
  EXPECT_EQ(road["DEU,2021"].first, "3.7");

  std::string before = Snapshot();
  auto off = Update("--only who-gho:RS_198 --base-url who-gho=" + server_.Base("pagedoff"));
  EXPECT_EQ(off.exit_code, 3) << off.err;
  EXPECT_NE(off.err.find("off the publisher's host"), std::string::npos) << off.err;
  auto bad = Update("--only who-gho:RS_198 --base-url who-gho=" + server_.Base("pagedbad"));
  EXPECT_EQ(bad.exit_code, 3) << bad.err;
  EXPECT_NE(bad.err.find("page 2"), std::string::npos) << bad.err;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(UpdateTest, Always500FailsAfterRetriesAndStoresNothing) {
  std::string before = Snapshot();
  auto r = Update("--only who-gho:RS_198 --base-url who-gho=" + server_.Base("always500"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(server_.Hits("always500/who"), 3);  // 1 + --retries 2
  EXPECT_NE(r.err.find("error: who-gho:RS_198: 127.0.0.1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("503"), std::string::npos) << r.err;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(UpdateTest, SlowResponsePastTheTimeoutFails) {
  std::string before = Snapshot();
  auto t0 = std::chrono::steady_clock::now();
  auto r = Gpsi("--db " + Quote(db_) +
                " update --retries 0 --timeout 1 --only who-gho:RS_198 --base-url who-gho=" + server_.Base("slow"));
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("imed out"), std::string::npos) << r.err;  // curl: "Operation timed out"
  EXPECT_LT(s, 2.4);                                              // gave up before the server answered
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(UpdateTest, TruncatedAndMalformedBodiesAreRejectedWhole) {
  std::string before = Snapshot();
  for (const char* mode : {"truncated", "malformed"}) {
    auto r = Update(std::string("--only who-gho:RS_198 --base-url who-gho=") + server_.Base(mode));
    EXPECT_EQ(r.exit_code, 3) << mode << r.err;
    EXPECT_NE(r.err.find("error: who-gho:RS_198:"), std::string::npos) << r.err;
    EXPECT_TRUE(r.err.find("truncated") != std::string::npos || r.err.find("not valid JSON") != std::string::npos)
        << r.err;
    EXPECT_EQ(Snapshot(), before) << mode;
  }
  auto html = Update("--only owid:terrorist-attacks --base-url owid=" + server_.Base("html"));
  EXPECT_EQ(html.exit_code, 3);
  EXPECT_NE(html.err.find("not an OWID grapher CSV"), std::string::npos) << html.err;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(UpdateTest, MissingOrMalformedSecondPageRejectsTheWholeSource) {
  std::string before = Snapshot();
  for (const char* mode : {"page2missing", "page2bad"}) {
    auto r = Update(std::string("--only world-bank:SP.POP.TOTL --base-url world-bank=") + server_.Base(mode));
    EXPECT_EQ(r.exit_code, 3) << mode << r.err;
    EXPECT_EQ(server_.Hits(std::string(mode) + "/wb1"), 1);
    EXPECT_EQ(Snapshot(), before) << mode;  // page 1 was fine, yet nothing of it is stored
  }
}

TEST_F(UpdateTest, HonoursRetryAfterOn429) {
  auto r = Update("--only who-gho:RS_198 --base-url who-gho=" + server_.Base("busy"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto times = server_.Times("busy/who");
  ASSERT_EQ(times.size(), 2u);
  double gap = std::chrono::duration<double>(times[1] - times[0]).count();
  EXPECT_GE(gap, 0.95);  // Retry-After: 1, not the 0.05 s backoff
  EXPECT_LT(gap, 3.0);
  EXPECT_EQ(Values("road_death_rate").size(), 3u);
}

TEST_F(UpdateTest, ConditionalRequestGets304AndStoresNothingNew) {
  auto first = Update("--only who-gho:RS_198 --base-url who-gho=" + server_.Base("etag"));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(server_.LastIfNoneMatch(), "");
  std::string before = Snapshot();
  auto second = Update("--only who-gho:RS_198 --base-url who-gho=" + server_.Base("etag"));
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(server_.LastIfNoneMatch(), "\"rs198-v1\"");
  EXPECT_NE(second.out.find("unchanged"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("304"), std::string::npos) << second.out;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(UpdateTest, NoServerIsANetworkErrorPerSource) {
  std::string before = Snapshot();
  // A port nobody listens on: bound without listen(), read back, closed.
  int port = 0;
  {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    ::close(fd);
  }
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  auto r = Gpsi("--db " + Quote(db_) +
                " update --retries 0 --timeout 5 --only who-gho:RS_198 world-bank:SP.POP.TOTL --base-url " + base);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("error: who-gho:RS_198: cannot connect to 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("error: world-bank:SP.POP.TOTL: cannot connect"), std::string::npos) << r.err;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(UpdateTest, DryRunWritesNothing) {
  std::string before = Snapshot();
  auto r = Update("--dry-run --only who-gho:RS_198 world-bank:SP.POP.TOTL --base-url " + Quote(server_.Base("ok")));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("would ingest 2 page(s), 5 records"), std::string::npos) << r.out;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(UpdateTest, EnvironmentBaseUrlAndUnknownSource) {
  auto r = Gpsi("--db " + Quote(db_) + " update --only nowhere");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::string cmd = "env GPSI_UPDATE_BASE_URL=" + Quote("un-sdg=" + server_.Base("ok")) + " '" + GPSI_BINARY +
                    "' --db " + Quote(db_) + " update --only un-sdg >/dev/null 2>&1";
  EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 0);
  EXPECT_EQ(server_.Hits("ok/sdg2"), 1);
  EXPECT_EQ(Values("homicide_rate").size(), 2u);
}

TEST_F(UpdateTest, FromSharedDataIngestsPublisherExports) {
  auto r = Update(std::string("--from ") + Quote(GPSI_TEST_DATA));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("no-local-copy"), std::string::npos) << r.out;  // e.g. IT.NET.SECR.P6
  EXPECT_FALSE(Values("road_death_rate").empty());
  EXPECT_FALSE(Values("population_wb").empty());
  EXPECT_FALSE(Values("terror_incidents").empty());
  // And the saved API responses of the fixtures folder.
  TempDir dir;
  WriteFile(dir / "who-gho_RS_198.json", Fixture("who_RS_198.json"));
  auto f = Update("--only who-gho:RS_198 --from " + Quote(dir.path().string()));
  EXPECT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(Values("road_death_rate")["FRA,2021"].first, "5.4");
}

}  // namespace
}  // namespace gpsi::test
