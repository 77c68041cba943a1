// engine::AssessProject and CheckTriggers on a hand-made country sheet and hand-placed events: each
// rule of docs/risk.md "Project sheets" with numbers worked out here — the class-to-level step,
// the local raise at each threshold, the recency weights, the exposure raises, the controls'
// steps with the floor at 1, the matrix ratings, the admin-area overlay, the triggers and the
// refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "engine.hpp"
#include "method.hpp"

namespace gpsi::engine {
namespace {

// A method with two threats: "violence" reads the indicator v (events 18–20), "road" reads r
// (no events, route_up); classes 2/4/6/8 on 0–10; the overlay's defaults but levels 1 and 3.
const char* kMethod = R"(
[index]
id = "t"
name_en = "T"
name_zh = "T"
version = "1"
[pipeline]
normalise = "goalposts:10"
[risk]
classes = [2.0, 4.0, 6.0, 8.0]
class_en = ["a", "b", "c", "d", "e"]
class_zh = ["a", "b", "c", "d", "e"]
validity_days = 100
radius_km = 10
lookback_days = 30
half_life_days = 10
local_levels = [1, 3]
[[risk.threat]]
id = "violence"
name_en = "Violence"
name_zh = "暴力"
node = "v"
events = [18, 19, 20]
impact = 4
expatriate_up = true
[[risk.threat.control]]
id = "violence.guard"
en = "Guards"
zh = "保安"
steps = 2
[[risk.threat.control]]
id = "violence.plan"
en = "Plan"
zh = "预案"
lowers = "impact"
[[risk.threat]]
id = "road"
name_en = "Road"
name_zh = "道路"
node = "r"
impact = 3
route_up = true
[[node]]
code = "RISK"
name_en = "Risk"
name_zh = "风险"
[[indicator]]
code = "v"
parent = "RISK"
name_en = "V"
name_zh = "V"
goalposts = [0, 10]
[[indicator]]
code = "r"
parent = "RISK"
name_en = "R"
name_zh = "R"
goalposts = [0, 10]
)";

constexpr int kDay = 19'000;  // 2022-01-08: the assessment day of every project here

class ProjectSheetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = method::ParseMethod(kMethod, "t.toml", {});
    ASSERT_TRUE(m) << m.error().Format();
    sheets_.spec = std::make_shared<const method::RiskSpec>(m->risk);
    sheets_.method_id = "t", sheets_.year = 2021;
    CountryRisk c;
    c.unit = "KEN", c.name = "Kenya", c.year = 2021;
    c.risk = RiskScore{"RISK", "Risk", "风险", 5.0, 1, RiskClass{2, "c", "c"}, ""};
    c.indicators.push_back(RiskIndicator{"v", "V", "V", "RISK", 4.5});  // class 2 → level 3
    c.indicators.push_back(RiskIndicator{"r", "R", "R", "RISK", 9.0});  // class 4 → level 5
    sheets_.countries.push_back(c);
    project_.id = "p", project_.enterprise = "e", project_.name = "P", project_.type = "other";
    project_.country = "KEN", project_.site = GeoPoint{0, 0};
    project_.start = "2022-01-01", project_.end = "2022-12-31", project_.assessed = "2022-01-08";
  }

  //! A point `km` north of the site, `age` days before the assessment, of CAMEO root `root`.
  static EventPoint At(double km, int age, int root, const std::string& adm1 = "") {
    EventPoint p;
    p.source = "gdelt", p.event_id = std::to_string(static_cast<int>(km * 1000)) + "-" + std::to_string(age);
    p.day = kDay - age, p.lat = km / (6371.0088 * M_PI / 180), p.lon = 0, p.root_code = root, p.quad_class = 4;
    p.adm1 = adm1, p.file_sha256 = std::string(64, '0'), p.line = 1;
    return p;
  }

  ProjectSheet Assess(std::vector<EventPoint> points, const std::string& today = "2022-01-08") {
    events_ = ProjectEvents::Of(std::move(points));
    auto s = AssessProject(sheets_, events_, project_, today);
    EXPECT_TRUE(s) << s.error().Format();
    return s ? *s : ProjectSheet{};
  }
  static const ThreatAssessment& Threat(const ProjectSheet& s, const std::string& id) {
    for (const auto& t : s.threats)
      if (t.id == id) return t;
    static const ThreatAssessment none;
    return none;
  }

  RiskSheets sheets_;
  ProjectEvents events_;
  Project project_;
};

TEST_F(ProjectSheetTest, TheCountryClassIsTheLikelihoodLevelWithoutLocalEvents) {
  const ProjectSheet s = Assess({});
  EXPECT_EQ(Threat(s, "violence").country_level, 3);
  EXPECT_EQ(Threat(s, "violence").inherent.likelihood, 3);
  EXPECT_EQ(Threat(s, "road").inherent.likelihood, 5);
  EXPECT_EQ(Threat(s, "violence").inherent.impact, 4);  // no expatriates
  EXPECT_EQ(Threat(s, "road").inherent.impact, 3);      // no route
  EXPECT_EQ(s.valid_until, "2022-04-18");               // 100 days on
  EXPECT_EQ(s.next_review, "2022-04-18");
}

TEST_F(ProjectSheetTest, RecentNearbyEventsOfTheThreatsRootsRaiseItsLikelihood) {
  // Within 10 km: two of root 19 today (weight 1 each) and one of root 18 ten days old (½); one of
  // root 14 (not the threat's); one at 12 km and one 31 days old (outside the window) don't count.
  const ProjectSheet s =
      Assess({At(2, 0, 19), At(5, 0, 19), At(9, 10, 18), At(3, 0, 14), At(12, 0, 19), At(1, 31, 20)});
  const ThreatAssessment& v = Threat(s, "violence");
  EXPECT_EQ(v.local_events, 3u);
  EXPECT_NEAR(v.local_weight, 2.5, 1e-12);
  EXPECT_EQ(v.local_raise, 1);  // ≥ 1, < 3
  EXPECT_EQ(v.inherent.likelihood, 4);
  EXPECT_EQ(s.overlay.events.size(), 4u);  // every root within the radius and window
  EXPECT_EQ(s.overlay.points_in_window, 5u);
  EXPECT_NEAR(s.overlay.events.front().distance_km, 2, 1e-6);
  // A third event today: 3.5 ≥ 3, two levels; the road threat has no events and stays.
  const ProjectSheet more = Assess({At(2, 0, 19), At(5, 0, 19), At(9, 10, 18), At(4, 0, 20)});
  EXPECT_EQ(Threat(more, "violence").local_raise, 2);
  EXPECT_EQ(Threat(more, "violence").inherent.likelihood, 5);
  EXPECT_EQ(Threat(more, "road").local_raise, 0);
}

TEST_F(ProjectSheetTest, TheSiteAndTheRouteAreSearchedApartNotJoined) {
  // The site at 0 km, a route from 100 to 120 km north: an event halfway between them (50 km, far
  // from both) is not near the project; one by the site, one along the route and one at the
  // route's start are, each once.
  const double km = 6371.0088 * M_PI / 180;
  project_.route = {GeoPoint{100 / km, 0}, GeoPoint{120 / km, 0}};
  const ProjectSheet s = Assess({At(1, 0, 19), At(50, 0, 19), At(110, 0, 19), At(100, 0, 19)});
  ASSERT_EQ(s.overlay.events.size(), 3u);
  EXPECT_NEAR(s.overlay.events[0].distance_km, 0, 1e-6);  // on the route's first point
  EXPECT_NEAR(s.overlay.events[1].distance_km, 0, 1e-6);  // along the route
  EXPECT_NEAR(s.overlay.events[2].distance_km, 1, 1e-6);  // by the site
  for (const auto& e : s.overlay.events) EXPECT_NE(e.event_id, "50000-0");
}

TEST_F(ProjectSheetTest, ExposureRaisesImpactAndControlsLowerTheResidualToAFloorOfOne) {
  project_.staff_expatriate = 3;
  project_.route = {GeoPoint{0, 0}, GeoPoint{0, 0.5}};
  project_.controls = {"violence.guard", "violence.plan"};
  const ProjectSheet s = Assess({});
  const ThreatAssessment& v = Threat(s, "violence");
  EXPECT_EQ(v.inherent.impact, 5);  // 4 + expatriates
  EXPECT_EQ(v.inherent.score, 15);
  EXPECT_EQ(v.inherent.rating.level, 2);  // 10–16: High
  EXPECT_EQ(v.residual.likelihood, 1);    // 3 − 2
  EXPECT_EQ(v.residual.impact, 4);        // 5 − 1
  EXPECT_EQ(v.residual.score, 4);
  EXPECT_EQ(v.residual.rating.level, 0);
  EXPECT_EQ(Threat(s, "road").inherent.impact, 4);  // 3 + route
  EXPECT_EQ(Threat(s, "road").residual.score, 20);  // no road control in place
  EXPECT_EQ(s.residual.score, 20);
  EXPECT_EQ(s.residual_threat, "road");
  EXPECT_EQ(s.residual.rating.level, 3);  // 17–25: Very high
  project_.controls = {"violence.guard"};
  sheets_.countries[0].indicators[0].score = 1.0;  // class 0 → level 1: the guard cannot go below 1
  EXPECT_EQ(Threat(Assess({}), "violence").residual.likelihood, 1);
}

TEST_F(ProjectSheetTest, WithoutCoordinatesTheAdminAreasEventsCount) {
  project_.site.reset();
  project_.admin_area = "KE05";
  const ProjectSheet s = Assess({At(500, 0, 19, "KE05"), At(1, 0, 19, "KE01"), At(800, 40, 19, "KE05")});
  EXPECT_EQ(s.overlay.how, "admin_area");
  ASSERT_EQ(s.overlay.events.size(), 1u);
  EXPECT_TRUE(std::isnan(s.overlay.events[0].distance_km));
  EXPECT_EQ(Threat(s, "violence").local_events, 1u);
}

TEST_F(ProjectSheetTest, TriggersFireOnTheValidityANewWarningAndNewNearbyEvents) {
  ProjectSheet s = Assess({});
  CheckTriggers(s, sheets_, events_, "2022-04-18");
  EXPECT_FALSE(s.stale) << "valid through its last day";
  CheckTriggers(s, sheets_, events_, "2022-04-19");
  EXPECT_TRUE(s.stale);
  ProjectSheet w = Assess({});
  RiskSheets now = sheets_;
  now.countries[0].warnings.push_back(Warning{"KEN", "surge", "surge", "high", "v", "2022"});
  CheckTriggers(w, now, events_, "2022-01-20");
  EXPECT_TRUE(w.stale);
  EXPECT_TRUE(w.triggers[1].fired);
  ProjectSheet a = Assess({});
  ProjectEvents later = ProjectEvents::Of({At(1, -10, 19), At(2, -10, 19)});  // two events 10 days on
  CheckTriggers(a, sheets_, later, "2022-01-18");
  EXPECT_TRUE(a.triggers[2].fired);
  EXPECT_FALSE(a.triggers[0].fired);
}

TEST_F(ProjectSheetTest, AControlTheMethodDoesNotKnowOrACountryWithoutASheetIsRefused) {
  project_.controls = {"violence.prayer"};
  auto bad = AssessProject(sheets_, events_, project_, "2022-01-08");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kBadProject);
  project_.controls.clear();
  project_.country = "NOR";
  auto none = AssessProject(sheets_, events_, project_, "2022-01-08");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::kNotFound);
}

// A kept sheet is its JSON: reading it back gives every field the JSON holds, so that writing it
// again gives the same bytes, and its triggers re-check as the sheet's own would.
TEST_F(ProjectSheetTest, ASheetReadBackFromItsJsonWritesTheSameBytesAndRechecksAlike) {
  project_.route = {GeoPoint{0, 0.2}, GeoPoint{0.1, 0.3}};
  project_.staff_expatriate = 3, project_.controls = {"violence.guard"};
  sheets_.countries[0].name_zh = "肯尼亚";
  sheets_.countries[0].warnings.push_back(Warning{"KEN", "surge", "surge", "high", "v", "2021", 7.5});
  sheets_.countries[0].baseline = IndexBaseline{"gpsi", "1", 2021, 61.5, 40, 52, 45, 160};
  ProjectSheet s = Assess({At(2, 3, 19), At(40, 30, 14), At(3, 400, 19)});
  const std::string json = ProjectSheetJson(s);
  auto back = ProjectSheetFromJson(json);
  ASSERT_TRUE(back) << back.error().Format();
  EXPECT_EQ(ProjectSheetJson(*back), json);
  EXPECT_EQ(back->country.warnings.size(), 1u);
  EXPECT_EQ(back->country.name_zh, "肯尼亚");
  EXPECT_EQ(back->overlay.events.size(), s.overlay.events.size());
  RiskSheets now = sheets_;
  now.countries[0].warnings.push_back(Warning{"KEN", "jump", "threshold", "high", "r", "2022"});
  for (const char* today : {"2022-01-09", "2022-12-31"}) {
    ProjectSheet a = s, b = *back;
    CheckTriggers(a, now, events_, today);
    CheckTriggers(b, now, events_, today);
    EXPECT_EQ(ProjectSheetJson(b), ProjectSheetJson(a)) << today;
  }
  ProjectSheet held = *back;
  CheckTriggers(held, sheets_, events_, "2022-01-09");
  EXPECT_FALSE(held.stale) << "the warning the sheet held is not new";
}

TEST(ProjectSheetFromJson, AnythingButASheetIsRefused) {
  for (const char* bad : {"", "not json", "[]", "{}", R"({"project": {"project": {"id": "x"}}})"}) {
    auto r = ProjectSheetFromJson(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::kBadProject) << bad;
  }
}

}  // namespace
}  // namespace gpsi::engine
