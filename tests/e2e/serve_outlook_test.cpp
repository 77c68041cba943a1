// gpsi serve, the outlook side of the API (docs/api.md): /forecasts and /warnings against the shared
// store, cross-checked with the files `gpsi forecast` and `gpsi warn` write with the same draws and
// seed; their filters, their refusals, and the 404 of a server that publishes none.
#include <httplib.h>

#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "serve_process.hpp"
#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

using Json = nlohmann::json;

// Few draws keep the suite quick; the CLI with the same draws and seed is the reference.
constexpr int kDraws = 200;

class ServeOutlookTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string& db = SharedStore();
    if (db.empty()) return;
    const std::string draws = std::to_string(kDraws);
    server_ =
        std::make_unique<ServeProcess>(db, std::vector<std::string>{"--intervals", "0", "--forecast-draws", draws});
    out_ = std::make_unique<TempDir>();
    const std::string common =
        "-q --db " + Quote(db) + " {} --method " + Quote(kMethod) + " --draws " + draws + " --seed 1 --out ";
    forecast_ = Gpsi(fmt::format(fmt::runtime(common), "forecast") + Quote((*out_) / "f"));
    warn_ = Gpsi(fmt::format(fmt::runtime(common), "warn") + Quote((*out_) / "w"));
  }
  static void TearDownTestSuite() {
    server_.reset();
    out_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->port() > 0) << "gpsi serve did not start";
    ASSERT_EQ(forecast_.exit_code, 0) << forecast_.err;
    ASSERT_EQ(warn_.exit_code, 0) << warn_.err;
  }

  //! The answer of a GET with `status` (test failure otherwise).
  static std::string Body(const std::string& path, int status = 200) {
    auto r = server_->Get(path);
    EXPECT_TRUE(r) << path;
    if (!r) return {};
    EXPECT_EQ(r->status, status) << path << ": " << r->body;
    return r->body;
  }
  static Json GetJson(const std::string& path, int status = 200) {
    auto j = Json::parse(Body(path, status), nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << path;
    return j;
  }
  static std::string File(const std::string& name) { return ReadFile((*out_) / name); }

  static std::unique_ptr<ServeProcess> server_;
  static std::unique_ptr<TempDir> out_;
  static RunResult forecast_, warn_;
};

std::unique_ptr<ServeProcess> ServeOutlookTest::server_;
std::unique_ptr<TempDir> ServeOutlookTest::out_;
RunResult ServeOutlookTest::forecast_, ServeOutlookTest::warn_;

//! A JSON number or null as outlook.csv writes it: compared as numbers, null = an empty field.
void ExpectSame(const Json& v, const std::string& field, const std::string& what) {
  if (v.is_null()) {
    EXPECT_EQ(field, "") << what;
  } else {
    ASSERT_FALSE(field.empty()) << what;
    EXPECT_DOUBLE_EQ(v.get<double>(), std::stod(field)) << what;
  }
}

TEST_F(ServeOutlookTest, ForecastsAreWhatGpsiForecastWrites) {
  EXPECT_EQ(Body("/api/v1/forecasts?format=csv"), File("f/forecasts.csv"));
  const Json j = GetJson("/api/v1/forecasts");
  const auto outlook = Csv(File("f/outlook.csv"));
  ASSERT_EQ(j["outlook"].size() + 1, outlook.size());
  for (std::size_t i = 0; i < j["outlook"].size(); ++i) {
    const Json& o = j["outlook"][i];
    const auto& row = outlook[i + 1];
    const std::string what = row[0] + " " + row[1];
    EXPECT_EQ(o["unit"], row[0]);
    EXPECT_EQ(o["year"], std::stoi(row[1]));
    std::size_t k = 2;
    for (const char* f :
         {"last_score", "last_rank", "p_deterioration", "p_bottom", "rank_median", "rank_p05", "rank_p95"}) {
      ExpectSame(o[f], row[k++], what + " " + f);
    }
  }
  const Json meta = GetJson("/api/v1/meta");
  EXPECT_EQ(j["model"], "pooled");  // methods/gpsi.toml's forecast.model
  EXPECT_EQ(j["origin"], meta["latest_year"]);
  EXPECT_EQ(j["horizon"], 3);
  EXPECT_EQ(j["draws"], kDraws);
  EXPECT_EQ(j["seed"], 1);
  EXPECT_EQ(j["deterioration"], 5.0);
  EXPECT_EQ(j["bottom"], 20);
}

TEST_F(ServeOutlookTest, ForecastsFilterByUnitCodeAndYear) {
  const Json all = GetJson("/api/v1/forecasts");
  const int next = all["origin"].get<int>() + 1;
  // A unit by ISO3 or code, in any case: its rows and outlook only.
  const Json chn = GetJson("/api/v1/forecasts?unit=chn");
  ASSERT_FALSE(chn["rows"].empty());
  EXPECT_EQ(chn["outlook"].size(), 3u);  // one per forecast year
  for (const auto& r : chn["rows"]) EXPECT_EQ(r["unit"], "CHN");
  std::size_t of_chn = 0;
  for (const auto& r : all["rows"]) of_chn += r["unit"] == "CHN" ? 1 : 0;
  EXPECT_EQ(chn["rows"].size(), of_chn);
  // The index one year ahead: one row per unit with a score, and the outlook of that year.
  const Json index = GetJson("/api/v1/forecasts?code=GPSI&year=" + std::to_string(next));
  std::set<std::string> units;
  for (const auto& r : index["rows"]) {
    EXPECT_EQ(r["code"], "GPSI");
    EXPECT_EQ(r["year"], next);
    EXPECT_TRUE(units.insert(r["unit"].get<std::string>()).second) << r["unit"];
    EXPECT_LE(r["p05"].get<double>(), r["median"].get<double>());
    EXPECT_LE(r["median"].get<double>(), r["p95"].get<double>());
  }
  EXPECT_GT(units.size(), 100u);
  for (const auto& o : index["outlook"]) EXPECT_EQ(o["year"], next);
  EXPECT_EQ(index["outlook"].size() * 3, all["outlook"].size());
  EXPECT_FALSE(GetJson("/api/v1/forecasts?code=conflict_deaths.count")["rows"].empty());
}

TEST_F(ServeOutlookTest, ForecastsRefuseWhatTheyDoNotHave) {
  for (const char* bad :
       {"unit=ZZZ", "code=NOPE", "year=abc", "year=2023", "year=2099", "format=xml", "bogus=1", "unit=CHN&unit=USA"}) {
    const Json j = GetJson(std::string("/api/v1/forecasts?") + bad, 400);
    EXPECT_EQ(j["error"]["code"], "usage") << bad;
  }
  EXPECT_NE(GetJson("/api/v1/forecasts?year=2099", 400)["error"]["message"].get<std::string>().find("2099"),
            std::string::npos);
}

TEST_F(ServeOutlookTest, WarningsAreWhatGpsiWarnWritesWithTheirRules) {
  EXPECT_EQ(Body("/api/v1/warnings?format=csv"), File("w/warnings.csv"));
  const Json j = GetJson("/api/v1/warnings");
  const auto csv = Csv(File("w/warnings.csv"));
  ASSERT_EQ(j["rows"].size() + 1, csv.size());
  ASSERT_FALSE(j["rows"].empty());
  for (std::size_t i = 0; i < j["rows"].size(); ++i) {
    const Json& w = j["rows"][i];
    EXPECT_EQ(w["unit"], csv[i + 1][0]);
    EXPECT_EQ(w["id"], csv[i + 1][1]);
    EXPECT_EQ(w["line"].get<std::int64_t>() == 0 ? "" : std::to_string(w["line"].get<std::int64_t>()), csv[i + 1][11]);
  }
  std::vector<std::string> ids;
  for (const auto& r : j["rules"]) ids.push_back(r["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"conflict-level", "conflict-surge", "terror-level", "terror-surge",
                                           "violent-events", "outlook"}));  // methods/gpsi.toml's [[warn]]
  // A stored series' warning carries its evidence: the source file's hash and line; every message
  // reads as a sentence (a surge from a zero mean has no ratio to print).
  for (const auto& w : j["rows"]) {
    EXPECT_EQ(w["message"].get<std::string>().find("nan"), std::string::npos) << w["message"];
    if (w["rule"] == "forecast") continue;
    EXPECT_EQ(w["file_sha256"].get<std::string>().size(), 64u) << w["message"];
    EXPECT_GT(w["line"].get<int>(), 0) << w["message"];
  }
}

TEST_F(ServeOutlookTest, ForecastWarningsAreTheOutlooksProbabilities) {
  const Json warnings = GetJson("/api/v1/warnings?rule=forecast");
  const Json forecasts = GetJson("/api/v1/forecasts?code=GPSI");
  std::map<std::pair<std::string, int>, double> p;
  for (const auto& o : forecasts["outlook"]) {
    if (!o["p_deterioration"].is_null()) p[{o["unit"], o["year"]}] = o["p_deterioration"];
  }
  double threshold = 0;
  for (const auto& r : warnings["rules"]) {
    if (r["rule"] == "forecast") threshold = r["p"];
  }
  std::size_t expected = 0;
  const int next = forecasts["origin"].get<int>() + 1;
  for (const auto& [key, v] : p) expected += key.second == next && v >= threshold ? 1 : 0;
  EXPECT_EQ(warnings["rows"].size(), expected);
  for (const auto& w : warnings["rows"]) {
    EXPECT_EQ(w["value"].get<double>(), (p[{w["unit"], std::stoi(w["period"].get<std::string>())}]));
  }
}

TEST_F(ServeOutlookTest, WarningsFilterBySeverityRuleAndUnit) {
  const Json all = GetJson("/api/v1/warnings");
  std::map<std::string, std::size_t> by_severity, by_rule;
  for (const auto& w : all["rows"]) ++by_severity[w["severity"]], ++by_rule[w["rule"]];
  for (const auto& [severity, n] : by_severity) {
    const Json j = GetJson("/api/v1/warnings?severity=" + severity);
    EXPECT_EQ(j["rows"].size(), n) << severity;
  }
  for (const auto& [rule, n] : by_rule) EXPECT_EQ(GetJson("/api/v1/warnings?rule=" + rule)["rows"].size(), n) << rule;
  const std::string unit = all["rows"][0]["unit"];
  for (const auto& w : GetJson("/api/v1/warnings?unit=" + unit)["rows"]) EXPECT_EQ(w["unit"], unit);
  for (const char* bad : {"severity=urgent", "rule=nope", "unit=ZZZ", "bogus=1"}) {
    EXPECT_EQ(GetJson(std::string("/api/v1/warnings?") + bad, 400)["error"]["code"], "usage") << bad;
  }
}

TEST(ServeOutlook, AServerWithoutForecastsSaysSo) {
  const std::string& db = SharedStore();
  ASSERT_FALSE(db.empty());
  ServeProcess p(db, {"--intervals", "0", "--forecast-draws", "0"});
  ASSERT_GT(p.port(), 0) << p.err();
  for (const char* path : {"/api/v1/forecasts", "/api/v1/warnings"}) {
    auto r = p.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_NE(r->body.find("--forecast-draws 0"), std::string::npos) << r->body;
  }
  EXPECT_EQ(p.Get("/api/v1/scores")->status, 200);  // the index is served all the same
}

}  // namespace
}  // namespace gpsi::test
