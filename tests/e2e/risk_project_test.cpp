// gpsi risk project: the sample project of examples/projects against a copy of the shared store
// with the GDELT sample's event points. The sheet's numbers are checked against the method's
// rules recomputed here from the sheet's own inputs (the country sheet, the overlay's events and
// the method file), and the overlay against distances computed here.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

using nlohmann::json;
using test::Gpsi;
using test::Quote;
using test::ReadFile;
using test::RunResult;
using test::SharedStore;
using test::TempDir;

const std::string kSampleProject = std::string(GPSI_TESTS_DIR) + "/../examples/projects/ke-machakos-road.toml";

//! Great-circle distance in km (haversine, mean earth radius), written again here.
double Km(double lat1, double lon1, double lat2, double lon2) {
  const double r = M_PI / 180, dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
  const double a =
      std::pow(std::sin(dlat / 2), 2) + std::cos(lat1 * r) * std::cos(lat2 * r) * std::pow(std::sin(dlon / 2), 2);
  return 2 * 6371.0088 * std::asin(std::sqrt(a));
}

class RiskProject : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    db_ = (*dir_) / "s.db";
    if (SharedStore().empty()) return;
    std::filesystem::copy_file(SharedStore(), db_);
    events_ = Gpsi("-q --db " + Quote(db_) + " events " +
                   Quote(std::string(GPSI_TEST_DATA) + "/events_gdelt_sample/20191024143000.export.CSV"));
    sheet_ = Gpsi("--db " + Quote(db_) + " --json risk project --no-index " + Quote(kSampleProject));
  }
  static void TearDownTestSuite() { dir_.reset(); }
  void SetUp() override {
    ASSERT_FALSE(SharedStore().empty());
    ASSERT_EQ(events_.exit_code, 0) << events_.err;
    ASSERT_EQ(sheet_.exit_code, 0) << sheet_.err;
  }
  static json Sheet() { return json::parse(sheet_.out); }
  static std::unique_ptr<TempDir> dir_;
  static std::string db_;
  static RunResult events_, sheet_;
};
std::unique_ptr<TempDir> RiskProject::dir_;
std::string RiskProject::db_;
RunResult RiskProject::events_, RiskProject::sheet_;

TEST_F(RiskProject, TheHeaderDatesFollowTheAssessmentAndTheValidity) {
  const json s = Sheet();
  EXPECT_EQ(s["assessed"], "2019-11-01");
  EXPECT_EQ(s["valid_until"], "2020-04-29");  // 180 days on (methods/risk.toml validity_days)
  EXPECT_EQ(s["next_review"], "2020-04-29");
  EXPECT_EQ(s["country"]["unit"], "KEN");
  EXPECT_EQ(s["country"]["year"], 2019);  // the country sheet of the assessment's year
  // The sheet's `project` is the project file's canonical JSON, its own "project" table inside.
  EXPECT_EQ(s["project"]["project"]["id"], "ke-machakos-road");
  EXPECT_EQ(s["project_sha256"].get<std::string>().size(), 64u);
}

TEST_F(RiskProject, TheOverlayHoldsEveryStoredEventWithinTheRadiusAndNoOther) {
  const json s = Sheet();
  const json& o = s["overlay"];
  EXPECT_EQ(o["how"], "radius");
  EXPECT_EQ(o["radius_km"], 50);
  // The site and the route's points; an event counts within 50 km of the site or of any segment of
  // the route, so at least every event within 50 km of one of these points must be there.
  std::vector<std::pair<double, double>> path{{-1.4561, 36.9786}, {-1.2921, 36.8219}, {-1.5167, 37.2667}};
  std::size_t near_vertex = 0;
  std::ifstream in(std::string(GPSI_TEST_DATA) + "/events_gdelt_sample/20191024143000.export.CSV");
  std::string line;
  std::set<std::string> expected;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::size_t a = 0;
    for (std::size_t b; (b = line.find('\t', a)) != std::string::npos; a = b + 1) f.push_back(line.substr(a, b - a));
    f.push_back(line.substr(a));
    if (f.size() < 58 || f[56].empty() || f[57].empty()) continue;
    if (f[1] < "20181101" || f[1] > "20191101") continue;  // the 365 days of the look-back
    const double lat = std::stod(f[56]), lon = std::stod(f[57]);
    double nearest = 1e9;
    for (auto [plat, plon] : path) nearest = std::min(nearest, Km(lat, lon, plat, plon));
    if (nearest <= 50) expected.insert(f[0]), ++near_vertex;
  }
  ASSERT_GT(near_vertex, 0u) << "the sample has events near Nairobi and Machakos";
  std::set<std::string> found;
  for (const auto& e : o["events"]) {
    found.insert(e["event_id"].get<std::string>());
    EXPECT_LE(e["distance_km"].get<double>(), 50.0 + 1e-9);
    double nearest = 1e9;
    for (auto [plat, plon] : path) nearest = std::min(nearest, Km(e["lat"], e["lon"], plat, plon));
    EXPECT_LE(e["distance_km"].get<double>(), nearest + 1e-6) << "a segment is never farther than its ends";
    const int age = 8;  // 2019-10-24 → 2019-11-01
    if (e["date"] == "2019-10-24") EXPECT_NEAR(e["weight"].get<double>(), std::pow(0.5, age / 90.0), 1e-12);
    EXPECT_EQ(e["file_sha256"].get<std::string>().size(), 64u);
    EXPECT_GT(e["line"].get<int>(), 0);
  }
  for (const auto& id : expected) EXPECT_TRUE(found.count(id)) << "event " << id << " is within 50 km of a vertex";
}

TEST_F(RiskProject, EachThreatsNumbersFollowTheMethodsRules) {
  const json s = Sheet();
  ASSERT_EQ(s["threats"].size(), 6u);  // methods/risk.toml's register
  const std::vector<double> levels{1, 5, 20};
  const std::vector<int> bands{5, 10, 17};
  for (const auto& t : s["threats"]) {
    SCOPED_TRACE(t["id"].get<std::string>());
    // Local: the weights of the overlay's events of the threat's roots (from the method file).
    double weight = 0;
    std::size_t n = 0;
    std::set<int> roots;
    if (t["id"] == "conflict") roots = {19, 20};
    if (t["id"] == "terrorism") roots = {18, 20};
    if (t["id"] == "crime") roots = {17, 18};
    if (t["id"] == "unrest") roots = {14, 15, 17};
    for (const auto& e : s["overlay"]["events"]) {
      if (!roots.count(e["root_code"].get<int>())) continue;
      weight += e["weight"].get<double>(), ++n;
    }
    EXPECT_EQ(t["local_events"], n);
    EXPECT_NEAR(t["local_weight"].get<double>(), weight, 1e-9);
    int raise = 0;
    for (double lo : levels) raise += weight >= lo ? 1 : 0;
    EXPECT_EQ(t["local_raise"], raise);
    const int likelihood = std::min(t["country_level"].get<int>() + raise, 5);
    EXPECT_EQ(t["inherent"]["likelihood"], likelihood);
    EXPECT_EQ(t["inherent"]["score"], t["inherent"]["likelihood"].get<int>() * t["inherent"]["impact"].get<int>());
    int rating = 0;
    for (int lo : bands) rating += t["inherent"]["score"].get<int>() >= lo ? 1 : 0;
    EXPECT_EQ(t["inherent"]["rating"], rating);
    // Residual: the steps of the controls in place, never below 1.
    int dl = 0, di = 0;
    for (const auto& c : t["controls"]) {
      if (!c["in_place"].get<bool>()) continue;
      (c["lowers"] == "impact" ? di : dl) += c["steps"].get<int>();
    }
    EXPECT_EQ(t["residual"]["likelihood"], std::max(likelihood - dl, 1));
    EXPECT_EQ(t["residual"]["impact"], std::max(t["inherent"]["impact"].get<int>() - di, 1));
    EXPECT_FALSE(t["evidence"].empty());
  }
}

TEST_F(RiskProject, ExposureRaisesTheImpactsTheMethodNames) {
  const json s = Sheet();
  for (const auto& t : s["threats"]) {
    if (t["id"] == "crime") EXPECT_EQ(t["inherent"]["impact"], 5) << "4, +1 for 18 expatriates";
    if (t["id"] == "road") EXPECT_EQ(t["inherent"]["impact"], 5) << "4, +1 for a route";
    if (t["id"] == "cyber") EXPECT_EQ(t["inherent"]["impact"], 3);
  }
}

TEST_F(RiskProject, TheResidualIsTheRegistersHighestAndAnOldSheetIsStale) {
  const json s = Sheet();
  int highest = 0;
  for (const auto& t : s["threats"]) highest = std::max(highest, t["residual"]["score"].get<int>());
  EXPECT_EQ(s["residual"]["score"], highest);
  ASSERT_EQ(s["triggers"].size(), 3u);
  EXPECT_EQ(s["triggers"][0]["kind"], "validity");
  EXPECT_EQ(s["triggers"][0]["date"], "2020-04-29");
  // Assessed in 2019 but made today: the validity has passed, so the sheet is stale at once.
  EXPECT_TRUE(s["triggers"][0]["fired"].get<bool>());
  EXPECT_TRUE(s["stale"].get<bool>());
  EXPECT_FALSE(s["provenance"]["method"]["hash"].get<std::string>().empty());
}

TEST_F(RiskProject, WithinItsValidityASheetIsNotStale) {
  RunResult r =
      Gpsi("--db " + Quote(db_) + " --json risk project --no-index --today 2019-12-01 " + Quote(kSampleProject));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = json::parse(r.out);
  for (const auto& t : s["triggers"]) EXPECT_FALSE(t["fired"].get<bool>()) << t["kind"];
  EXPECT_FALSE(s["stale"].get<bool>());
}

TEST_F(RiskProject, OutWritesTheJsonAndAPagePerLanguageWithItsPdf) {
  TempDir out;
  RunResult r = Gpsi("--db " + Quote(db_) + " risk project --no-index --today 2019-12-01 --pdf --out " +
                     Quote(out.path().string()) + " " + Quote(kSampleProject));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string base = out / "cn-example-roads-ke-machakos-road";
  const json s = json::parse(ReadFile(base + ".json"));
  for (const std::string lang : {"en", "zh"}) {
    const std::string html = ReadFile(base + "." + lang + ".html");
    EXPECT_NE(html.find("data-project=\"ke-machakos-road\""), std::string::npos) << lang;
    for (const auto& t : s["threats"]) {
      EXPECT_NE(html.find("data-threat=\"" + t["id"].get<std::string>() + "\""), std::string::npos) << lang;
      for (const auto& c : t["controls"]) {
        const std::string item = "data-control=\"" + c["id"].get<std::string>() + "\" data-in-place=\"" +
                                 (c["in_place"].get<bool>() ? "true" : "false") + "\"";
        EXPECT_NE(html.find(item), std::string::npos) << lang << " " << item;
      }
    }
    EXPECT_EQ(ReadFile(base + "." + lang + ".pdf").substr(0, 5), "%PDF-") << lang;
  }
  const std::string zh = ReadFile(base + ".zh.html");
  EXPECT_NE(zh.find("项目风险评估表"), std::string::npos);
  // The project's type and the country's trend in the edition's words, not the file's codes.
  EXPECT_NE(zh.find("交通运输"), std::string::npos);
  EXPECT_EQ(zh.find(">transport<"), std::string::npos);
  const std::map<std::string, std::string> trend{
      {"rising", "趋势上升"}, {"stable", "趋势平稳"}, {"falling", "趋势下降"}};
  const std::string direction = s["country"]["trend"].is_string() ? s["country"]["trend"].get<std::string>() : "";
  ASSERT_TRUE(trend.count(direction)) << "Kenya has three years of scores, so a trend";
  EXPECT_NE(zh.find(trend.at(direction)), std::string::npos) << direction;
}

TEST_F(RiskProject, BadFilesAndUnknownControlsAreRefusedWithTheirCodes) {
  TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return Quote(dir / name);
  };
  std::string text = ReadFile(kSampleProject);
  std::string typed = text;
  const std::string id_line = "id = \"ke-machakos-road\"";
  typed.replace(typed.find(id_line), id_line.size(), "id = 3");
  RunResult bad = Gpsi("--db " + Quote(db_) + " risk project --no-index " + write("bad.toml", typed));
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("project.id"), std::string::npos) << bad.err;
  const std::string liaison = "\"conflict.security-liaison\"";
  const std::string unknown = text.replace(text.find(liaison), liaison.size(), "\"conflict.prayer\"");
  RunResult control = Gpsi("--db " + Quote(db_) + " risk project --no-index " + write("c.toml", unknown));
  EXPECT_EQ(control.exit_code, 3);
  EXPECT_NE(control.err.find("'conflict.prayer' is not a control"), std::string::npos) << control.err;
  RunResult none = Gpsi("--db " + Quote(db_) + " risk project --no-index " + Quote(dir / "none.toml"));
  EXPECT_NE(none.exit_code, 0);
}

}  // namespace
}  // namespace gpsi
