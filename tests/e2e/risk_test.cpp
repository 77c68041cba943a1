// gpsi risk on the real data: country sheets of the INFORM-style model (methods/risk.toml) — their
// scores agree with the model's own rules, the classes with the scores — and the validation of
// the classes against the year after (docs/risk.md).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "serve_process.hpp"
#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

using nlohmann::json;
using test::Csv;
using test::Gpsi;
using test::Methods;
using test::Quote;
using test::ReadFile;
using test::RunResult;
using test::SharedStore;
using test::TempDir;
using test::WriteFile;

//! The class a score falls in by the sheet's own class table (one decimal, as published).
int ClassOf(double score, const json& classes) {
  int k = 0;
  for (const auto& c : classes) {
    if (!c["from"].is_null() && std::llround(score * 10) >= std::llround(c["from"].get<double>() * 10)) {
      k = c["class"].get<int>();
    }
  }
  return k;
}

class RiskCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = std::make_unique<TempDir>();
    const std::string& db = SharedStore();
    if (db.empty()) return;
    countries_ = Gpsi("--db " + Quote(db) + " risk countries --draws 100 --out " + Quote((*out_) / "c"));
  }
  static void TearDownTestSuite() { out_.reset(); }
  void SetUp() override { ASSERT_EQ(countries_.exit_code, 0) << countries_.err; }
  static json Sheet(const std::string& unit) { return json::parse(ReadFile((*out_) / ("c/" + unit + ".json"))); }
  static std::unique_ptr<TempDir> out_;
  static RunResult countries_;
};
std::unique_ptr<TempDir> RiskCli::out_;
RunResult RiskCli::countries_;

TEST_F(RiskCli, TheRiskIsTheGeometricMeanOfItsThreeDimensions) {
  for (const char* unit : {"AFG", "NOR", "BRA", "CHN", "NGA"}) {
    const json s = Sheet(unit);
    ASSERT_EQ(s["dimensions"].size(), 3u) << unit;
    double product = 1;
    for (const auto& d : s["dimensions"]) {
      const double v = d["score"].get<double>();
      EXPECT_GT(v, 0) << unit;
      EXPECT_LE(v, 10) << unit;
      product *= v;
    }
    EXPECT_NEAR(s["risk"]["score"].get<double>(), std::cbrt(product), 1e-9) << unit;
  }
}

TEST_F(RiskCli, EveryClassIsTheClassOfItsScore) {
  std::size_t sheets = 0;
  std::map<int, std::size_t> by_class;
  for (const auto& f : std::filesystem::directory_iterator((*out_) / "c")) {
    if (f.path().stem() == "index") continue;  // the list, not a sheet
    const json s = json::parse(ReadFile(f.path().string()));
    ++sheets;
    const json& classes = s["classes"];
    ASSERT_EQ(classes.size(), 5u);
    EXPECT_EQ(classes[2]["en"], "Medium");
    EXPECT_EQ(classes[2]["zh"], "中");
    const double risk = s["risk"]["score"].get<double>();
    EXPECT_EQ(s["risk"]["class"].get<int>(), ClassOf(risk, classes)) << s["unit"];
    ++by_class[s["risk"]["class"].get<int>()];
    for (const auto& d : s["dimensions"]) {
      if (d["score"].is_null()) {  // a dimension without data: no class, and the country is not ranked
        EXPECT_TRUE(d["class"].is_null());
        EXPECT_TRUE(s["risk"]["rank"].is_null());
        continue;
      }
      EXPECT_EQ(d["class"].get<int>(), ClassOf(d["score"].get<double>(), classes));
    }
    if (!s["outlook"].is_null()) {
      EXPECT_EQ(s["outlook"]["class"].get<int>(), ClassOf(s["outlook"]["median"].get<double>(), classes));
      // P(rise) is over the draws in which the country is ranked (as outlook.csv's P(deterioration)).
      if (!s["risk"]["rank"].is_null()) {
        EXPECT_GE(s["outlook"]["p_rise"].get<double>(), 0);
        EXPECT_LE(s["outlook"]["p_rise"].get<double>(), 1);
      }
      EXPECT_LE(s["outlook"]["p05"].get<double>(), s["outlook"]["p95"].get<double>());
    }
  }
  EXPECT_GT(sheets, 180u);  // INFORM covers 191 countries
  for (int k = 0; k < 5; ++k) EXPECT_GT(by_class[k], 0u) << "class " << k << " is empty";
}

TEST_F(RiskCli, TheRiskiestAreRankedFirst) {
  const json afg = Sheet("AFG"), nor = Sheet("NOR");
  EXPECT_GT(afg["risk"]["score"].get<double>(), nor["risk"]["score"].get<double>());
  EXPECT_LT(afg["risk"]["rank"].get<int>(), nor["risk"]["rank"].get<int>());
  EXPECT_GE(afg["risk"]["class"].get<int>(), 3);  // High or Very high
  EXPECT_LE(nor["risk"]["class"].get<int>(), 1);  // Very low or Low
}

TEST_F(RiskCli, TheListHoldsEverySheetWithItsScoreAndClass) {
  const json list = json::parse(ReadFile((*out_) / "c/index.json"));
  EXPECT_EQ(list["classes"].size(), 5u);
  ASSERT_GT(list["countries"].size(), 150u);
  std::size_t sheets = 0;
  for (const auto& e : std::filesystem::directory_iterator((*out_) / "c")) sheets += e.path().stem() != "index";
  EXPECT_EQ(list["countries"].size(), sheets);
  for (const auto& c : list["countries"]) {
    const json s = Sheet(c["unit"].get<std::string>());
    EXPECT_EQ(c["score"], s["risk"]["score"]) << c["unit"];
    EXPECT_EQ(c["class"], s["risk"]["class"]) << c["unit"];
    EXPECT_EQ(list["year"], s["year"]);
  }
}

TEST_F(RiskCli, TrendAndReliabilityFollowTheirRules) {
  const json s = Sheet("BRA");
  const json& t = s["trend"];
  EXPECT_EQ(t["to"].get<int>(), s["year"].get<int>());
  EXPECT_EQ(t["from"].get<int>(), s["year"].get<int>() - 2);
  std::map<int, double> history;
  for (const auto& h : s["history"]) history[h["year"].get<int>()] = h["score"].get<double>();
  ASSERT_TRUE(history.count(t["from"].get<int>()) && history.count(t["to"].get<int>()));
  // Three points, x = 0, 1, 2: the least-squares slope is (y2 − y0) / 2.
  const double slope = (history[t["to"].get<int>()] - history[t["from"].get<int>()]) / 2;
  EXPECT_NEAR(t["slope"].get<double>(), slope, 1e-9);
  const char* dir = slope >= 0.1 ? "rising" : slope <= -0.1 ? "falling" : "stable";
  EXPECT_EQ(t["direction"], dir);
  EXPECT_NEAR(history[s["year"].get<int>()], s["risk"]["score"].get<double>(), 1e-12);
  const json& r = s["reliability"];
  EXPECT_EQ(r["indicators"].get<int>(), 15);  // the scored indicators (the monitor left out)
  std::size_t present = 0, carried = 0;
  for (const auto& i : s["indicators"]) {
    present += i["how"].get<std::string>().empty() ? 0 : 1;
    carried += i["how"] == "carried" ? 1 : 0;
  }
  EXPECT_EQ(r["present"].get<std::size_t>(), present);
  EXPECT_NEAR(r["missing"].get<double>(), 1 - present / 15.0, 1e-12);
  EXPECT_NEAR(r["imputed"].get<double>(), static_cast<double>(carried) / static_cast<double>(present), 1e-12);
  EXPECT_GE(r["index"].get<double>(), 0);
  EXPECT_LE(r["index"].get<double>(), 10);
}

TEST_F(RiskCli, TheSheetCarriesTheGpsiBaselineAndItsProvenance) {
  const json s = Sheet("NGA");
  ASSERT_FALSE(s["baseline"].is_null());
  EXPECT_EQ(s["baseline"]["method"], "gpsi");
  EXPECT_GT(s["baseline"]["rank"].get<int>(), 0);
  EXPECT_EQ(s["method"]["id"], "gpsi-risk");
  EXPECT_EQ(s["method"]["hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(s["data_hash"].get<std::string>().size(), 64u);
  for (const auto& i : s["indicators"]) {
    if (i["how"] == "observed") {
      EXPECT_FALSE(i["source"].get<std::string>().empty()) << i["code"];
    }
  }
}

TEST(RiskCountry, OneCountryAsJsonAndItsErrors) {
  const std::string& db = SharedStore();
  ASSERT_FALSE(db.empty());
  TempDir out;
  const RunResult r =
      Gpsi("--db " + Quote(db) + " --json risk country KEN --draws 0 --no-index --out " + Quote(out.path().string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = json::parse(r.out);
  EXPECT_EQ(s["unit"], "KEN");
  EXPECT_TRUE(s["outlook"].is_null());
  EXPECT_TRUE(s["baseline"].is_null());
  EXPECT_EQ(json::parse(ReadFile(out / "KEN.json")), s);
  const RunResult unknown = Gpsi("--db " + Quote(db) + " risk country XXX --draws 0 --no-index");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("XXX has no risk score"), std::string::npos) << unknown.err;
  // The GPSI method has no [risk] table: no classes, no sheet.
  const RunResult plain =
      Gpsi("--db " + Quote(db) + " risk country KEN --draws 0 --no-index --method " + Quote(Methods("gpsi.toml")));
  EXPECT_EQ(plain.exit_code, 3) << plain.err;
  EXPECT_NE(plain.err.find("has no [risk] table"), std::string::npos) << plain.err;
}

TEST(RiskValidate, TheClassesSeparateNextYearsConflicts) {
  const std::string& db = SharedStore();
  ASSERT_FALSE(db.empty());
  TempDir out;
  const RunResult r = Gpsi("--db " + Quote(db) + " risk validate --bootstrap 200 --out " + Quote(out.path().string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto checks = Csv(ReadFile(out / "risk_validation.csv"));
  ASSERT_EQ(checks.size(), 4u);  // header, conflict, conflict-onset, gpsi-drop
  EXPECT_EQ(checks[0][0], "outcome");
  std::map<std::string, std::vector<std::string>> by;
  for (std::size_t i = 1; i < checks.size(); ++i) by[checks[i][0]] = checks[i];
  // The model must separate: AUC well above chance, the interval clear of 0.5.
  EXPECT_GT(std::stod(by["conflict"][3]), 0.8);
  EXPECT_GT(std::stod(by["conflict-onset"][3]), 0.7);
  EXPECT_GT(std::stod(by["conflict-onset"][4]), 0.5);
  EXPECT_GT(std::stod(by["gpsi-drop"][4]), 0.5);
  // An onset is a conflict-year too, so it has fewer cases.
  EXPECT_LT(std::stoul(by["conflict-onset"][1]), std::stoul(by["conflict"][1]));
  const auto confusion = Csv(ReadFile(out / "risk_confusion.csv"));
  ASSERT_EQ(confusion.size(), 1u + 3 * 5);
  // The conflict rate rises with the class (the classes order the risk).
  double last = -1;
  for (std::size_t i = 1; i <= 5; ++i) {
    ASSERT_EQ(confusion[i][0], "conflict");
    const double rate = std::stod(confusion[i][5]);
    EXPECT_GT(rate, last) << confusion[i][2];
    last = rate;
  }
}

TEST(RiskServe, TheApiServesTheSheetTheCliWrites) {
  const std::string& db = SharedStore();
  ASSERT_FALSE(db.empty());
  test::ServeProcess server(db, {"--intervals", "0", "--forecast-draws", "100", "--risk-method", Methods("risk.toml")});
  ASSERT_GT(server.port(), 0) << server.err();
  const RunResult cli = Gpsi("--db " + Quote(db) + " --json risk country KEN --draws 100 --seed 1");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  auto one = server.Get("/api/v1/risk/countries/ken");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  // One sheet, one definition: the same outlook, baseline and warnings whichever front end asks.
  EXPECT_EQ(json::parse(one->body), json::parse(cli.out));
  auto list = server.Get("/api/v1/risk/countries");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  const json all = json::parse(list->body);
  EXPECT_EQ(all["classes"].size(), 5u);
  bool found = false;
  for (const auto& c : all["countries"]) {
    if (c["unit"] != "KEN") continue;
    found = true;
    EXPECT_EQ(c["score"], json::parse(cli.out)["risk"]["score"]);
    EXPECT_EQ(c["class"], json::parse(cli.out)["risk"]["class"]);
  }
  EXPECT_TRUE(found);
  auto none = server.Get("/api/v1/risk/countries/ZZZ");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
  EXPECT_EQ(json::parse(none->body)["error"]["code"], "not-found");
}

TEST(RiskServe, WithoutARiskMethodNothingIsPublished) {
  const std::string& db = SharedStore();
  ASSERT_FALSE(db.empty());
  test::ServeProcess server(db, {"--intervals", "0", "--forecast-draws", "100"});
  ASSERT_GT(server.port(), 0) << server.err();
  for (const char* path : {"/api/v1/risk/countries", "/api/v1/risk/countries/KEN"}) {
    auto r = server.Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(json::parse(r->body)["error"]["code"], "not-published") << path;
  }
}

}  // namespace
}  // namespace gpsi
