// UN M49 regions over the network: `gpsi init` without a local UNSD_m49.csv fetches the UN SDG
// API's GeoArea tree (here from a cpp-httplib server on 127.0.0.1 serving a fixture written in the
// documented format), and `gpsi update --only unsd-m49` reloads it. Expected values are read off
// tests/fixtures/update/sdg_GeoArea_Tree.json by hand.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "test_util.hpp"

namespace gpsi::test {
namespace {

namespace fs = std::filesystem;

class FakeUnsd {
 public:
  FakeUnsd() {
    server_.Get(R"(/(\w+)/SDGAPI/v1/sdg/GeoArea/Tree)", [this](const httplib::Request& req, httplib::Response& res) {
      ++hits_;
      std::string body = ReadFile(std::string(GPSI_TESTS_DIR) + "/fixtures/update/sdg_GeoArea_Tree.json");
      std::string mode = req.matches[1];
      if (mode == "truncated") body.resize(body.size() / 2);
      if (mode == "flat") body = R"([{"geoAreaCode": 1, "geoAreaName": "World", "type": "Region", "children": []}])";
      res.set_content(body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeUnsd() {
    server_.stop();
    thread_.join();
  }
  std::string Base(const std::string& mode) const { return "http://127.0.0.1:" + std::to_string(port_) + "/" + mode; }
  int hits() const { return hits_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> hits_{0};
};

class InitM49Test : public ::testing::Test {
 protected:
  void SetUp() override {
    // A data folder with the ISO reference but no reference_unsd_m49/ (a link, not a copy).
    fs::create_directories(tmp_ / "data");
    fs::create_directory_symlink(std::string(GPSI_TEST_DATA) + "/reference_country_codes",
                                 tmp_ / "data/reference_country_codes");
    db_ = tmp_ / "m.db";
  }
  RunResult Init(const std::string& args) {
    return Gpsi("--db " + Quote(db_) + " init --reference " + Quote(tmp_ / "data") + " " + args);
  }
  //! code → the unit's row of `gpsi units --json`.
  std::map<std::string, nlohmann::json> Units() {
    std::map<std::string, nlohmann::json> out;
    auto r = Gpsi("--db " + Quote(db_) + " --json units");
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (!j.is_array()) return out;
    for (const auto& u : j) out[u["code"]] = u;
    return out;
  }
  TempDir tmp_;
  std::string db_;
  FakeUnsd server_;
};

TEST_F(InitM49Test, InitFetchesTheGeoAreaTreeWhenNoLocalCopyIsGiven) {
  auto r = Init("--base-url " + Quote(server_.Base("ok")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server_.hits(), 1);
  EXPECT_NE(r.out.find("UN M49 regions fetched from " + server_.Base("ok") + "/SDGAPI/v1/sdg/GeoArea/Tree"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  auto units = Units();
  ASSERT_TRUE(units.count("KEN") && units.count("FRA") && units.count("CHN"));
  // Kenya: Africa → Sub-Saharan Africa → Eastern Africa, as in the tree.
  EXPECT_EQ(units["KEN"]["region"], "Africa");
  EXPECT_EQ(units["KEN"]["subregion"], "Sub-Saharan Africa");
  EXPECT_EQ(units["FRA"]["subregion"], "Western Europe");
  EXPECT_EQ(units["KEN"]["kind"], "country");
  // The tree is UN practice: a state it does not list (China, in this small fixture) is kept as a
  // territory, exactly as with UNSD's CSV.
  EXPECT_EQ(units["CHN"]["kind"], "territory");
}

TEST_F(InitM49Test, NoFetchLeavesTheIsoReferenceAndWarns) {
  auto r = Init("--no-fetch --base-url " + Quote(server_.Base("ok")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server_.hits(), 0);
  EXPECT_NE(r.err.find("warning: UN M49 regions not loaded"), std::string::npos) << r.err;
  EXPECT_EQ(Units()["CHN"]["kind"], "country");
}

TEST_F(InitM49Test, AFailedFetchIsReportedAndTheReferenceStillLoads) {
  auto r = Init("--base-url " + Quote(server_.Base("truncated")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: UN M49 regions not loaded: the fetch failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not valid JSON"), std::string::npos) << r.err;
  auto units = Units();
  EXPECT_EQ(units["CHN"]["kind"], "country");  // nothing of the tree was applied
  EXPECT_GT(units.size(), 200u);
}

TEST_F(InitM49Test, UpdateReloadsTheTreeAndRejectsOneWithoutContinents) {
  ASSERT_EQ(Init("--no-fetch").exit_code, 0);
  auto bad =
      Gpsi("--db " + Quote(db_) + " update --only unsd-m49 --retries 0 --base-url " + Quote(server_.Base("flat")));
  EXPECT_EQ(bad.exit_code, 3) << bad.out << bad.err;
  EXPECT_NE((bad.out + bad.err).find("continental regions"), std::string::npos) << bad.out << bad.err;
  EXPECT_EQ(Units()["CHN"]["kind"], "country");
  auto ok = Gpsi("--db " + Quote(db_) + " update --only unsd-m49 --retries 0 --base-url " + Quote(server_.Base("ok")));
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  auto units = Units();
  EXPECT_EQ(units["KEN"]["subregion"], "Sub-Saharan Africa");
  EXPECT_EQ(units["CHN"]["kind"], "territory");
}

}  // namespace
}  // namespace gpsi::test
