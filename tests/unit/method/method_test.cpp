// Unit tests of the methodology file parser: the framework tree and its levels, every pipeline
// value form of ARCHITECTURE.md (from the file and from `--set`), invalid values and structural
// errors, per-indicator choices (transforms, goalposts, lag weights, fill), the canonical hash, and
// the COINr iMeta import on the real ASEM table.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "method.hpp"
#include "test_util.hpp"

namespace gpsi::method {
namespace {

// Depth 3: A, B → P1; C → P2; P1, P2 → IDX. The index is written first to check the node order.
constexpr const char* kBase = R"([index]
id = "T"
name_en = "Test index"

[[node]]
code = "IDX"

[[indicator]]
code = "A"
parent = "P1"

[[indicator]]
code = "B"
parent = "P1"
direction = -1

[[indicator]]
code = "C"
parent = "P2"

[[node]]
code = "P2"
parent = "IDX"

[[node]]
code = "P1"
parent = "IDX"
)";

Result<Method> Parse(const std::string& text, const std::vector<std::string>& sets = {}) {
  return ParseMethod(text, "t.toml", sets);
}

//! The base method with one extra pipeline line, e.g. Pipe("impute = \"mean\"").
std::string WithPipeline(const std::string& line) {
  return std::string(kBase) + "\n[pipeline]\n" + line + "\n";
}

bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

//! Parses `text` with `sets`, expecting failure with `code`; returns the error.
Error Fails(const std::string& text, const std::vector<std::string>& sets, Errc code) {
  auto m = Parse(text, sets);
  EXPECT_FALSE(m.ok()) << "accepted: " << (sets.empty() ? text : sets.back());
  if (m.ok()) return Error{};
  EXPECT_EQ(m.error().code, code) << m.error().Format();
  return m.error();
}

const Node& N(const Method& m, const std::string& code) {
  int i = m.Find(code);
  EXPECT_GE(i, 0) << code;
  return m.nodes.at(static_cast<std::size_t>(i));
}

// ---- framework ----------------------------------------------------------------------------------

TEST(MethodTree, SmallValidMethod) {
  auto m = Parse(kBase);
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(m->id, "T");
  EXPECT_EQ(m->name_en, "Test index");
  EXPECT_EQ(m->unit_kind, "country");
  std::vector<std::string> order;
  for (const auto& n : m->nodes) order.push_back(n.code);
  // Indicators in file order, then aggregates by level (P2 before P1 as in the file).
  EXPECT_EQ(order, (std::vector<std::string>{"A", "B", "C", "P2", "P1", "IDX"}));
  EXPECT_EQ(N(*m, "A").level, 1);
  EXPECT_EQ(N(*m, "P1").level, 2);
  EXPECT_EQ(N(*m, "P2").level, 2);
  EXPECT_EQ(N(*m, "IDX").level, 3);
  EXPECT_EQ(m->TopLevel(), 3);
  EXPECT_TRUE(N(*m, "A").indicator);
  EXPECT_FALSE(N(*m, "IDX").indicator);
  EXPECT_EQ(N(*m, "B").direction, -1);
  EXPECT_EQ(m->Children(m->Find("P1")), (std::vector<int>{m->Find("A"), m->Find("B")}));
  EXPECT_EQ(m->Children(m->Find("IDX")), (std::vector<int>{m->Find("P2"), m->Find("P1")}));
  EXPECT_EQ(m->Find("nope"), -1);
}

TEST(MethodTree, NodeDefaults) {
  auto m = Parse(kBase);
  ASSERT_TRUE(m.ok()) << m.error().Format();
  const Node& a = N(*m, "A");
  EXPECT_EQ(a.name_en, "A");  // the code stands in for a missing name
  EXPECT_EQ(a.weight, 1);
  EXPECT_EQ(a.direction, 1);
  EXPECT_EQ(a.reads, std::vector<std::string>{"A"});
  EXPECT_TRUE(a.denominator.empty());
  EXPECT_EQ(a.scale, 1);
  EXPECT_FALSE(a.log);
  EXPECT_FALSE(a.goal_lo || a.goal_hi || a.target || a.fill);
  EXPECT_TRUE(a.lag_weights.empty());
  const Pipeline& p = m->pipeline;
  EXPECT_TRUE(p.denominate);
  EXPECT_EQ(p.impute, Impute::kNone);
  EXPECT_EQ(p.screen_share, 0);
  EXPECT_FALSE(p.screen_before_impute);
  EXPECT_EQ(p.treat_winmax, -1);
  EXPECT_EQ(p.normalise, Normalise::kMinMax);
  EXPECT_EQ(p.norm_p1, 0);
  EXPECT_EQ(p.norm_p2, 100);
  EXPECT_EQ(p.aggregate, Aggregate::kArithmetic);
  EXPECT_EQ(p.aggregate_min_share, 0);
  EXPECT_EQ(p.weights, Weights::kExplicit);
  EXPECT_EQ(p.year_from, 0);
  EXPECT_EQ(p.year_to, 9999);
  EXPECT_FALSE(p.by_year);
  EXPECT_EQ(p.min_year_units, 1);
}

TEST(MethodTree, LevelIsOneAboveHighestChild) {
  // D sits directly under the index beside a two-level branch: IDX is still level 4.
  auto m = Parse(R"([index]
id = "T"
[[indicator]]
code = "A"
parent = "S"
[[indicator]]
code = "D"
parent = "IDX"
[[node]]
code = "IDX"
[[node]]
code = "Q"
parent = "IDX"
[[node]]
code = "S"
parent = "Q"
)");
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(N(*m, "S").level, 2);
  EXPECT_EQ(N(*m, "Q").level, 3);
  EXPECT_EQ(N(*m, "IDX").level, 4);
  EXPECT_EQ(m->nodes.back().code, "IDX");
  EXPECT_EQ(m->nodes[2].code, "S");
}

TEST(MethodTree, IndexMetadata) {
  auto m = Parse(R"([index]
id = "GPSI"
name_en = "Global Public Security Index"
name_zh = "全球公共安全指数"
version = "2025.1"
coverage_rule = "at least 2/3 of indicators"
units = "region"
[[indicator]]
code = "A"
parent = "IDX"
name_zh = "甲"
source_note = "UNODC"
[[node]]
code = "IDX"
)");
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(m->name_zh, "全球公共安全指数");
  EXPECT_EQ(m->version, "2025.1");
  EXPECT_EQ(m->coverage_rule, "at least 2/3 of indicators");
  EXPECT_EQ(m->unit_kind, "region");
  EXPECT_EQ(N(*m, "A").name_zh, "甲");
  EXPECT_EQ(N(*m, "A").source_note, "UNODC");
  EXPECT_EQ(N(*m, "IDX").level, 2);
}

// ---- pipeline value forms -----------------------------------------------------------------------

//! Parses one pipeline value both ways — written in the file and given by `--set` — and checks
//! that both give the same method and hash.
Pipeline Both(const std::string& key, const std::string& value) {
  auto from_file = Parse(WithPipeline(key + " = \"" + value + "\""));
  auto from_set = Parse(kBase, {"pipeline." + key + "=" + value});
  EXPECT_TRUE(from_file.ok()) << key << "=" << value << ": " << from_file.error().Format();
  EXPECT_TRUE(from_set.ok()) << key << "=" << value << ": " << from_set.error().Format();
  if (!from_file.ok() || !from_set.ok()) return Pipeline{};
  EXPECT_EQ(from_file->hash, from_set->hash) << key << "=" << value;
  return from_set->pipeline;
}

TEST(MethodPipeline, Denominate) {
  EXPECT_TRUE(Both("denominate", "on").denominate);
  EXPECT_FALSE(Both("denominate", "off").denominate);
  // TOML booleans mean the same.
  auto m = Parse(WithPipeline("denominate = false"));
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_FALSE(m->pipeline.denominate);
}

TEST(MethodPipeline, Impute) {
  EXPECT_EQ(Both("impute", "none").impute, Impute::kNone);
  EXPECT_EQ(Both("impute", "mean").impute, Impute::kMean);
  EXPECT_EQ(Both("impute", "median").impute, Impute::kMedian);
  EXPECT_EQ(Both("impute", "interpolate").impute, Impute::kInterpolate);
  Pipeline g = Both("impute", "group-mean:EurAsia_group");
  EXPECT_EQ(g.impute, Impute::kGroupMean);
  EXPECT_EQ(g.impute_group, "EurAsia_group");
  g = Both("impute", "group-median:income");
  EXPECT_EQ(g.impute, Impute::kGroupMedian);
  EXPECT_EQ(g.impute_group, "income");
  Pipeline l = Both("impute", "locf:3");
  EXPECT_EQ(l.impute, Impute::kLocf);
  EXPECT_EQ(l.locf_years, 3);
}

TEST(MethodPipeline, Screen) {
  EXPECT_EQ(Both("screen", "none").screen_share, 0);
  EXPECT_DOUBLE_EQ(Both("screen", "na:0.9").screen_share, 0.9);
  EXPECT_DOUBLE_EQ(Both("screen", "na:1").screen_share, 1);
  EXPECT_TRUE(Both("screen_on", "raw").screen_before_impute);
  EXPECT_FALSE(Both("screen_on", "imputed").screen_before_impute);
  EXPECT_EQ(Both("min_units", "5").min_year_units, 5);
  auto m = Parse(WithPipeline("min_units = 7"));  // an integer in the file
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(m->pipeline.min_year_units, 7);
}

TEST(MethodPipeline, Treat) {
  EXPECT_EQ(Both("treat", "none").treat_winmax, -1);
  EXPECT_EQ(Both("treat", "jrc:5").treat_winmax, 5);
  EXPECT_EQ(Both("treat", "jrc:0").treat_winmax, 0);
}

TEST(MethodForecast, SettingsParseAndStayOutOfTheHash) {
  auto base = Parse(kBase);
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(base->forecast.model, "pooled");
  EXPECT_EQ(base->forecast.deterioration, 5);
  EXPECT_EQ(base->forecast.bottom, 20);
  auto m = Parse(std::string(kBase) + "\n[forecast]\nmodel = \"ensemble\"\ndeterioration = 2.5\nbottom = 10\n");
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(m->forecast.model, "ensemble");
  EXPECT_EQ(m->forecast.deterioration, 2.5);
  EXPECT_EQ(m->forecast.bottom, 10);
  EXPECT_EQ(m->hash, base->hash);  // forecasts do not change the index
  auto set = Parse(kBase, {"forecast.bottom=30", "forecast.model=drift"});
  ASSERT_TRUE(set.ok()) << set.error().Format();
  EXPECT_EQ(set->forecast.bottom, 30);
  EXPECT_EQ(set->forecast.model, "drift");
  for (const char* bad :
       {"deterioration = 0", "deterioration = \"five\"", "bottom = 0", "model = \"\"", "horizon = 3"}) {
    Fails(std::string(kBase) + "\n[forecast]\n" + bad + "\n", {}, Errc::kBadMethod);
  }
  Fails(kBase, {"forecast.colour=red"}, Errc::kUsage);
}

TEST(MethodForecast, WorseSaysWhichWayTheIndexDeteriorates) {
  auto base = Parse(kBase);
  ASSERT_TRUE(base.ok());
  EXPECT_FALSE(base->forecast.higher_worse);
  EXPECT_TRUE(base->forecast.Deteriorated(60, 55));  // a security index: down by 5
  EXPECT_FALSE(base->forecast.Deteriorated(60, 55.5));
  EXPECT_FALSE(base->forecast.Deteriorated(60, 70));
  auto risk = Parse(std::string(kBase) + "\n[forecast]\nworse = \"higher\"\ndeterioration = 0.5\n");
  ASSERT_TRUE(risk.ok()) << risk.error().Format();
  EXPECT_TRUE(risk->forecast.higher_worse);
  EXPECT_TRUE(risk->forecast.Deteriorated(4.0, 4.5));  // a risk index: up by 0.5
  EXPECT_FALSE(risk->forecast.Deteriorated(4.0, 4.4));
  EXPECT_FALSE(risk->forecast.Deteriorated(4.0, 2.0));
  EXPECT_DOUBLE_EQ(risk->forecast.DeterioratedAt(4.0), 4.5);
  EXPECT_EQ(risk->hash, base->hash);
  Fails(std::string(kBase) + "\n[forecast]\nworse = \"up\"\n", {}, Errc::kBadMethod);
}

TEST(MethodRisk, ClassesTrendAndReliabilityParseAndStayOutOfTheHash) {
  auto base = Parse(kBase);
  ASSERT_TRUE(base.ok());
  EXPECT_FALSE(base->risk.active());
  const std::string classes = R"(classes = [2.0, 3.5, 5.0, 6.5]
class_en = ["Very low", "Low", "Medium", "High", "Very high"]
class_zh = ["很低", "低", "中", "高", "很高"]
)";
  auto m =
      Parse(std::string(kBase) + "\n[risk]\n" + classes + "trend_years = 5\ntrend_band = 0.2\nvalidity_days = 90\n");
  ASSERT_TRUE(m.ok()) << m.error().Format();
  ASSERT_TRUE(m->risk.active());
  EXPECT_EQ(m->risk.classes(), 5u);
  EXPECT_EQ(m->risk.class_lower, (std::vector<double>{2.0, 3.5, 5.0, 6.5}));
  EXPECT_EQ(m->risk.class_zh[4], "很高");
  EXPECT_EQ(m->risk.decimals, 1);
  EXPECT_EQ(m->risk.trend_years, 5);
  EXPECT_DOUBLE_EQ(m->risk.trend_band, 0.2);
  EXPECT_EQ(m->risk.validity_days, 90);
  EXPECT_EQ(m->hash, base->hash);  // classes read the scores, never change them
  const std::string head = std::string(kBase) + "\n[risk]\n";
  for (const char* bad :
       {"classes = [3.5, 2.0]\nclass_en = [\"a\", \"b\", \"c\"]\nclass_zh = [\"a\", \"b\", \"c\"]",
        "classes = []\nclass_en = [\"a\"]\nclass_zh = [\"a\"]", "classes = [1]\nclass_en = [\"a\", \"b\"]",
        "classes = [1]\nclass_en = [\"a\"]\nclass_zh = [\"a\"]",
        "classes = [1]\nclass_en = [\"a\", \"\"]\nclass_zh = [\"a\", \"b\"]"}) {
    Fails(head + bad + "\n", {}, Errc::kBadMethod);
  }
  for (const char* bad : {"trend_years = 1", "trend_band = 0", "max_age = -1", "validity_days = 0", "colour = 1"}) {
    Fails(head + classes + bad + "\n", {}, Errc::kBadMethod);
  }
}

// The [risk] table of the threat-register tests: INFORM's classes on kBase.
constexpr const char* kRiskHead = R"(
[risk]
classes = [2.0, 3.5, 5.0, 6.5]
class_en = ["Very low", "Low", "Medium", "High", "Very high"]
class_zh = ["很低", "低", "中", "高", "很高"]
)";

// Two threats, one with two controls, one with none of the optional keys.
constexpr const char* kThreats = R"(
[[risk.threat]]
id = "armed-conflict"
name_en = "Armed conflict"
name_zh = "武装冲突"
node = "P1"
events = [18, 19, 20]
impact = 5
expatriate_up = true
route_up = true

[[risk.threat.control]]
id = "conflict.evacuation-plan"
en = "Evacuation plan rehearsed"
zh = "撤离计划已演练"
lowers = "impact"
steps = 2

[[risk.threat.control]]
id = "conflict.security-advisor"
en = "Security advisor on site"
zh = "现场安全顾问"

[[risk.threat]]
id = "crime"
name_en = "Crime"
name_zh = "犯罪"
node = "A"
)";

//! kBase with kRiskHead, `risk_lines` in [risk], then `tail` (threat tables).
std::string WithRisk(const std::string& risk_lines, const std::string& tail = "") {
  return std::string(kBase) + kRiskHead + risk_lines + (risk_lines.empty() ? "" : "\n") + tail;
}

//! Expects `text` refused as kBadMethod with a message containing `part`.
void Refused(const std::string& text, const std::string& part) {
  Error e = Fails(text, {}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, part)) << "message: " << e.message << "\nexpected: " << part;
  EXPECT_GT(e.line, 0) << e.message;  // located in the file
}

TEST(MethodRisk, OverlayMatrixAndThreatsDefaultWhenAbsent) {
  auto m = Parse(WithRisk(""));
  ASSERT_TRUE(m.ok()) << m.error().Format();
  const RiskSpec& r = m->risk;
  EXPECT_DOUBLE_EQ(r.radius_km, 50);
  EXPECT_EQ(r.lookback_days, 365);
  EXPECT_DOUBLE_EQ(r.half_life_days, 90);
  EXPECT_EQ(r.local_levels, (std::vector<double>{1, 5, 20}));
  EXPECT_EQ(r.matrix_lower, (std::vector<int>{5, 10, 17}));
  EXPECT_EQ(r.matrix_en, (std::vector<std::string>{"Low", "Medium", "High", "Very high"}));
  EXPECT_EQ(r.matrix_zh, (std::vector<std::string>{"低", "中", "高", "很高"}));
  EXPECT_TRUE(r.threats.empty());
  // Names alone rename the default's four ratings.
  auto renamed = Parse(WithRisk(R"(matrix_en = ["L", "M", "H", "VH"])"));
  ASSERT_TRUE(renamed.ok()) << renamed.error().Format();
  EXPECT_EQ(renamed->risk.matrix_en, (std::vector<std::string>{"L", "M", "H", "VH"}));
  EXPECT_EQ(renamed->risk.matrix_zh, r.matrix_zh);
  EXPECT_EQ(renamed->risk.matrix_lower, r.matrix_lower);
}

TEST(MethodRisk, OverlayAndMatrixParse) {
  auto m = Parse(WithRisk(R"(radius_km = 500
lookback_days = 730
half_life_days = 30.5
local_levels = [2, 10.5]
matrix_lower = [4, 9]
matrix_en = ["Low", "Medium", "High"]
matrix_zh = ["低", "中", "高"])"));
  ASSERT_TRUE(m.ok()) << m.error().Format();
  const RiskSpec& r = m->risk;
  EXPECT_DOUBLE_EQ(r.radius_km, 500);
  EXPECT_EQ(r.lookback_days, 730);
  EXPECT_DOUBLE_EQ(r.half_life_days, 30.5);
  EXPECT_EQ(r.local_levels, (std::vector<double>{2, 10.5}));
  EXPECT_EQ(r.matrix_lower, (std::vector<int>{4, 9}));
  EXPECT_EQ(r.matrix_en, (std::vector<std::string>{"Low", "Medium", "High"}));
  EXPECT_EQ(r.matrix_zh, (std::vector<std::string>{"低", "中", "高"}));
}

TEST(MethodRisk, OverlayAndMatrixRefuseBadValues) {
  for (const char* bad : {"radius_km = 0", "radius_km = 500.5", "radius_km = \"50\"", "radius_km = inf"}) {
    Refused(WithRisk(bad), "risk.radius_km must be a number of km > 0 and ≤ 500");
  }
  for (const char* bad : {"lookback_days = 0", "lookback_days = 3661", "lookback_days = 30.0"}) {
    Refused(WithRisk(bad), "risk.lookback_days must be an integer from 1 to 3660");
  }
  for (const char* bad : {"half_life_days = 0", "half_life_days = -1", "half_life_days = nan"}) {
    Refused(WithRisk(bad), "risk.half_life_days must be a number > 0");
  }
  for (const char* bad :
       {"local_levels = []", "local_levels = [1, 2, 3, 4, 5]", "local_levels = [0, 1]", "local_levels = [5, 5]",
        "local_levels = [5, 1]", "local_levels = 1", "local_levels = [\"1\"]"}) {
    Refused(WithRisk(bad), "risk.local_levels must list 1 to 4 numbers > 0 in ascending order");
  }
  const std::string names3 = "\nmatrix_en = [\"a\", \"b\", \"c\"]\nmatrix_zh = [\"a\", \"b\", \"c\"]";
  for (const char* bad :
       {"matrix_lower = [1, 9]", "matrix_lower = [4, 26]", "matrix_lower = [9, 4]", "matrix_lower = [4, 4]",
        "matrix_lower = [4, 9.5]", "matrix_lower = []", "matrix_lower = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]"}) {
    Refused(WithRisk(bad + names3), "risk.matrix_lower must list 1 to 10 integers from 2 to 25 in ascending order");
  }
  // matrix_lower needs its names; names must match the ratings' count.
  Refused(WithRisk("matrix_lower = [4, 9]"), "risk.matrix_en must list the 3 rating names, lowest first");
  Refused(WithRisk("matrix_lower = [4, 9]\nmatrix_en = [\"a\", \"b\", \"c\"]"),
          "risk.matrix_zh must list the 3 rating names, lowest first");
  Refused(WithRisk("matrix_lower = [4, 9]\nmatrix_en = [\"a\", \"b\"]\nmatrix_zh = [\"a\", \"b\", \"c\"]"),
          "risk.matrix_en must list the 3 rating names, lowest first");
  Refused(WithRisk("matrix_zh = [\"低\", \"中\", \"高\"]"),
          "risk.matrix_zh must list the 4 rating names, lowest first");
  Refused(WithRisk("matrix_en = [\"a\", \"\", \"c\", \"d\"]"), "risk.matrix_en must list non-empty names");
  Error e = Fails(WithRisk("radius = 5"), {}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "unknown key risk.radius (known: "));
  EXPECT_TRUE(Has(e.message, "radius_km"));
  EXPECT_TRUE(Has(e.message, "threat"));
}

TEST(MethodRisk, ThreatsAndControlsParseAndStayOutOfTheHash) {
  auto base = Parse(WithRisk(""));
  ASSERT_TRUE(base.ok()) << base.error().Format();
  auto m = Parse(WithRisk("", kThreats));
  ASSERT_TRUE(m.ok()) << m.error().Format();
  ASSERT_EQ(m->risk.threats.size(), 2u);
  const RiskThreat& a = m->risk.threats[0];
  EXPECT_EQ(a.id, "armed-conflict");
  EXPECT_EQ(a.name_en, "Armed conflict");
  EXPECT_EQ(a.name_zh, "武装冲突");
  EXPECT_EQ(a.node, "P1");  // an aggregate
  EXPECT_EQ(a.event_roots, (std::vector<int>{18, 19, 20}));
  EXPECT_EQ(a.impact, 5);
  EXPECT_TRUE(a.expatriate_up);
  EXPECT_TRUE(a.route_up);
  ASSERT_EQ(a.controls.size(), 2u);
  EXPECT_EQ(a.controls[0].id, "conflict.evacuation-plan");
  EXPECT_EQ(a.controls[0].en, "Evacuation plan rehearsed");
  EXPECT_EQ(a.controls[0].zh, "撤离计划已演练");
  EXPECT_TRUE(a.controls[0].lowers_impact);
  EXPECT_EQ(a.controls[0].steps, 2);
  EXPECT_EQ(a.controls[1].id, "conflict.security-advisor");
  EXPECT_FALSE(a.controls[1].lowers_impact);  // defaults: likelihood, one level
  EXPECT_EQ(a.controls[1].steps, 1);
  const RiskThreat& c = m->risk.threats[1];  // defaults
  EXPECT_EQ(c.id, "crime");
  EXPECT_EQ(c.node, "A");  // an indicator
  EXPECT_TRUE(c.event_roots.empty());
  EXPECT_EQ(c.impact, 3);
  EXPECT_FALSE(c.expatriate_up);
  EXPECT_FALSE(c.route_up);
  EXPECT_TRUE(c.controls.empty());
  // The register reads the scores and never changes them.
  EXPECT_EQ(m->hash, base->hash);
  EXPECT_EQ(m->canonical, base->canonical);
  EXPECT_FALSE(Has(m->canonical, "threat"));
  auto plain = Parse(kBase);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(m->hash, plain->hash);
}

TEST(MethodRisk, ThreatsRefuseBadKeys) {
  const std::string ok = "id = \"t\"\nname_en = \"T\"\nname_zh = \"威胁\"\nnode = \"A\"\n";
  auto threat = [&](const std::string& lines) { return WithRisk("", "\n[[risk.threat]]\n" + lines + "\n"); };
  for (const char* id :
       {"", "Crime", "crime_1", "a.b", "12345678901234567890123456789012345678901234567890123456789012345"}) {
    Refused(threat(std::string("id = \"") + id + "\"\nname_en = \"T\"\nname_zh = \"威胁\"\nnode = \"A\""),
            "risk.threat.id must be 1 to 64 characters of a-z, 0-9 and -");
  }
  Refused(threat("name_en = \"T\"\nname_zh = \"威胁\"\nnode = \"A\""),
          "risk.threat.id must be 1 to 64 characters of a-z, 0-9 and -");
  EXPECT_TRUE(
      Parse(threat("id = \"" + std::string(64, 'a') + "\"\nname_en = \"T\"\nname_zh = \"威胁\"\nnode = \"A\"")).ok());
  Refused(threat("id = \"t\"\nname_zh = \"威胁\"\nnode = \"A\""), "risk.threat t: name_en must be non-empty text");
  Refused(threat("id = \"t\"\nname_en = \"T\"\nname_zh = \"\"\nnode = \"A\""),
          "risk.threat t: name_zh must be non-empty text");
  Refused(threat("id = \"t\"\nname_en = \"T\"\nname_zh = \"威胁\""),
          "risk.threat t: node must be the code of the method node (indicator or aggregate) it reads");
  Refused(threat(ok + "events = [0]"), "risk.threat t: events must list CAMEO root codes (integers from 1 to 20)");
  Refused(threat(ok + "events = [21]"), "risk.threat t: events must list CAMEO root codes (integers from 1 to 20)");
  Refused(threat(ok + "events = [\"18\"]"), "risk.threat t: events must list CAMEO root codes (integers from 1 to 20)");
  Refused(threat(ok + "events = 18"), "risk.threat t: events must list CAMEO root codes (integers from 1 to 20)");
  Refused(threat(ok + "events = [18, 19, 18]"), "risk.threat t: events lists 18 twice");
  for (const char* bad : {"impact = 0", "impact = 6", "impact = 3.0"}) {
    Refused(threat(ok + bad), "risk.threat t: impact must be an integer from 1 to 5");
  }
  Refused(threat(ok + "expatriate_up = \"yes\""), "risk.threat t: expatriate_up must be true or false");
  Refused(threat(ok + "route_up = 1"), "risk.threat t: route_up must be true or false");
  Error e = Fails(threat(ok + "likelihood = 3"), {}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message,
                  "unknown key risk.threat.likelihood (known: control, events, expatriate_up, id, "
                  "impact, name_en, name_zh, node, route_up)"))
      << e.message;
  Refused(threat(ok) + "\n[[risk.threat]]\n" + ok, "two [[risk.threat]] tables have the id t");
  Refused(WithRisk("threat = 1"), "risk.threat must be an array of tables ([[risk.threat]])");
}

TEST(MethodRisk, ThreatNodeMustBeANodeOfTheMethod) {
  const std::string text =
      WithRisk("", "\n[[risk.threat]]\nid = \"t\"\nname_en = \"T\"\nname_zh = \"威胁\"\nnode = \"NOPE\"\n");
  Error e = Fails(text, {}, Errc::kBadMethod);
  EXPECT_EQ(e.message, "risk.threat t: node \"NOPE\" is not a node of the method");
  // Located at the node key: the line after [[risk.threat]]'s name_zh.
  const std::string before = text.substr(0, text.find("node = \"NOPE\""));
  EXPECT_EQ(e.line, static_cast<std::int64_t>(std::count(before.begin(), before.end(), '\n') + 1));
  for (const char* node : {"A", "B", "C", "P1", "P2", "IDX"}) {
    auto m = Parse(WithRisk(
        "",
        std::string("\n[[risk.threat]]\nid = \"t\"\nname_en = \"T\"\nname_zh = \"威胁\"\nnode = \"") + node + "\"\n"));
    EXPECT_TRUE(m.ok()) << node << ": " << m.error().Format();
  }
}

TEST(MethodRisk, ControlsRefuseBadKeys) {
  const std::string t = "\n[[risk.threat]]\nid = \"t\"\nname_en = \"T\"\nname_zh = \"威胁\"\nnode = \"A\"\n";
  const std::string ok = "id = \"t.c\"\nen = \"Guard\"\nzh = \"警卫\"\n";
  auto control = [&](const std::string& lines) {
    return WithRisk("", t + "\n[[risk.threat.control]]\n" + lines + "\n");
  };
  for (const std::string& id : std::vector<std::string>{"", "T.C", "t_c", "t/c", std::string(65, 'c')}) {
    Refused(control("id = \"" + id + "\"\nen = \"G\"\nzh = \"警\""),
            "risk.threat t: control.id must be 1 to 64 characters of a-z, 0-9, . and -");
  }
  Refused(control("en = \"G\"\nzh = \"警\""),
          "risk.threat t: control.id must be 1 to 64 characters of a-z, 0-9, . and -");
  Refused(control("id = \"t.c\"\nzh = \"警\""), "risk.threat t: control t.c: en must be non-empty text");
  Refused(control("id = \"t.c\"\nen = \"G\"\nzh = \"\""), "risk.threat t: control t.c: zh must be non-empty text");
  for (const char* bad : {"lowers = \"both\"", "lowers = 1"}) {
    Refused(control(ok + bad), "risk.threat t: control t.c: lowers must be \"likelihood\" or \"impact\"");
  }
  for (const char* bad : {"steps = 0", "steps = 5", "steps = 1.5"}) {
    Refused(control(ok + bad), "risk.threat t: control t.c: steps must be an integer from 1 to 4");
  }
  Error e = Fails(control(ok + "cost = 3"), {}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "risk.threat t: unknown key risk.threat.control.cost (known: en, id, lowers, steps, zh)"))
      << e.message;
  // Control ids are unique across the whole method, not only within a threat.
  Refused(control(ok) + "\n[[risk.threat.control]]\n" + ok, "two controls have the id t.c");
  const std::string u = "\n[[risk.threat]]\nid = \"u\"\nname_en = \"U\"\nname_zh = \"乌\"\nnode = \"B\"\n";
  Refused(control(ok) + u + "\n[[risk.threat.control]]\n" + ok, "two controls have the id t.c");
  auto distinct = Parse(control(ok) + u + "\n[[risk.threat.control]]\nid = \"u.c\"\nen = \"G\"\nzh = \"警\"\n");
  ASSERT_TRUE(distinct.ok()) << distinct.error().Format();
  EXPECT_EQ(distinct->risk.threats[1].controls.at(0).id, "u.c");
}

TEST(MethodWarn, RulesParseWithTheirDefaultsAndStayOutOfTheHash) {
  auto base = Parse(kBase);
  ASSERT_TRUE(base.ok());
  EXPECT_TRUE(base->warn.empty());
  const std::string rules = std::string(kBase) + R"(
[[warn]]
id = "conflict"
rule = "threshold"
reads = "ucdp_total_deaths"
min = 25
severity = "high"

[[warn]]
id = "outlook"
rule = "forecast"
p = 0.25
)";
  auto m = Parse(rules);
  ASSERT_TRUE(m.ok()) << m.error().Format();
  ASSERT_EQ(m->warn.size(), 2u);
  EXPECT_EQ(m->warn[0].rule, "threshold");
  EXPECT_EQ(m->warn[0].window, 10);
  EXPECT_EQ(m->warn[0].min, 25);
  EXPECT_EQ(m->warn[0].severity, "high");
  EXPECT_EQ(m->warn[1].p, 0.25);
  EXPECT_EQ(m->warn[1].severity, "medium");
  EXPECT_EQ(m->hash, base->hash);
  for (const char* bad :
       {"id = \"x\"\nrule = \"hunch\"\nreads = \"a\"", "id = \"x\"\nrule = \"surge\"", "rule = \"forecast\"",
        "id = \"x\"\nrule = \"forecast\"\np = 2", "id = \"x\"\nrule = \"forecast\"\nseverity = \"dire\"",
        "id = \"x\"\nrule = \"forecast\"\ncolour = \"red\""}) {
    Fails(std::string(kBase) + "\n[[warn]]\n" + bad + "\n", {}, Errc::kBadMethod);
  }
  Fails(std::string(kBase) + "\n[[warn]]\nid = \"x\"\nrule = \"forecast\"\n[[warn]]\nid = \"x\"\nrule = \"forecast\"\n",
        {},
        Errc::kBadMethod);  // two rules, one id
}

TEST(MethodPipeline, Normalise) {
  Pipeline p = Both("normalise", "minmax:1:100");
  EXPECT_EQ(p.normalise, Normalise::kMinMax);
  EXPECT_EQ(p.norm_p1, 1);
  EXPECT_EQ(p.norm_p2, 100);
  p = Both("normalise", "zscore:10:2");
  EXPECT_EQ(p.normalise, Normalise::kZScore);
  EXPECT_EQ(p.norm_p1, 10);
  EXPECT_EQ(p.norm_p2, 2);
  EXPECT_EQ(Both("normalise", "rank").normalise, Normalise::kRank);
  EXPECT_EQ(Both("normalise", "percentile").normalise, Normalise::kPercentile);
  p = Both("normalise", "goalposts");
  EXPECT_EQ(p.normalise, Normalise::kGoalposts);
  EXPECT_EQ(p.norm_p2, 100);
  p = Both("normalise", "goalposts:1");
  EXPECT_EQ(p.normalise, Normalise::kGoalposts);
  EXPECT_EQ(p.norm_p2, 1);
  p = Both("normalise", "frontier");
  EXPECT_EQ(p.normalise, Normalise::kDistFrontier);
  EXPECT_EQ(p.norm_p2, 100);
  EXPECT_EQ(Both("normalise", "frontier:1").norm_p2, 1);
  p = Both("normalise", "band5");
  EXPECT_EQ(p.normalise, Normalise::kBand5);
  EXPECT_EQ(p.norm_p1, 1);
  EXPECT_EQ(p.norm_p2, 5);
}

TEST(MethodPipeline, AggregateWeightsYearsPanel) {
  EXPECT_EQ(Both("aggregate", "arithmetic").aggregate, Aggregate::kArithmetic);
  EXPECT_EQ(Both("aggregate", "geometric").aggregate, Aggregate::kGeometric);
  EXPECT_EQ(Both("aggregate", "harmonic").aggregate, Aggregate::kHarmonic);
  EXPECT_EQ(Both("aggregate", "median").aggregate, Aggregate::kMedian);
  EXPECT_DOUBLE_EQ(Both("aggregate_min_share", "0.5").aggregate_min_share, 0.5);
  EXPECT_EQ(Both("weights", "explicit").weights, Weights::kExplicit);
  EXPECT_EQ(Both("weights", "equal").weights, Weights::kEqual);
  EXPECT_EQ(Both("weights", "pca").weights, Weights::kPca);
  Pipeline y = Both("years", "2015:2022");
  EXPECT_EQ(y.year_from, 2015);
  EXPECT_EQ(y.year_to, 2022);
  y = Both("years", "2020:2020");
  EXPECT_EQ(y.year_from, 2020);
  EXPECT_EQ(y.year_to, 2020);
  EXPECT_FALSE(Both("panel", "pooled").by_year);
  EXPECT_TRUE(Both("panel", "by-year").by_year);
  auto m = Parse(WithPipeline("aggregate_min_share = 0.75"));  // a float in the file
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_DOUBLE_EQ(m->pipeline.aggregate_min_share, 0.75);
}

TEST(MethodTree, PerNodeAggregationOverridesThePipeline) {
  auto m = Parse(kBase, {"node.P1.aggregate=geometric"});
  ASSERT_TRUE(m.ok()) << m.error().Format();
  ASSERT_TRUE(N(*m, "P1").aggregate.has_value());
  EXPECT_EQ(*N(*m, "P1").aggregate, Aggregate::kGeometric);
  EXPECT_FALSE(N(*m, "P2").aggregate.has_value());
  EXPECT_TRUE(Has(m->canonical, "aggregate = 'geometric'") || Has(m->canonical, "aggregate = \"geometric\""))
      << m->canonical;
  auto again = Parse(m->canonical);
  ASSERT_TRUE(again.ok()) << again.error().Format();
  EXPECT_EQ(again->hash, m->hash);
  Error e = Fails(kBase, {"node.P1.aggregate=mode"}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "P1") && Has(e.message, "harmonic")) << e.message;
}

TEST(MethodPipeline, InvalidValuesNameKeyAndForms) {
  struct Case {
    std::string key, value, forms;
  };
  const std::vector<Case> cases = {
      {"denominate", "yes", "on, off"},
      {"impute", "mode", "group-mean:<group>"},
      {"impute", "group-mean:", "group-mean:<group>"},
      {"impute", "group-mean:a:b", "group-mean:<group>"},
      {"impute", "locf", "locf:<k"},
      {"impute", "locf:0", "locf:<k"},
      {"impute", "locf:1.5", "locf:<k"},
      {"impute", "locf:1e300", "locf:<k"},  // out of int range: rejected, not undefined behaviour
      {"impute", "Mean", "none, mean"},
      {"screen", "na", "na:<min data share"},
      {"screen", "na:1.5", "na:<min data share"},
      {"screen", "na:-0.1", "na:<min data share"},
      {"screen", "0.5", "none, na:"},
      {"screen_on", "before", "raw, imputed"},
      {"treat", "jrc", "jrc:<winmax"},
      {"treat", "jrc:-1", "jrc:<winmax"},
      {"treat", "winsor:5", "none, jrc:"},
      {"normalise", "minmax", "minmax:<l>:<u>"},
      {"normalise", "minmax:100:0", "minmax:<l>:<u>"},
      {"normalise", "minmax:0:x", "minmax:<l>:<u>"},
      {"normalise", "zscore:0:0", "zscore:<mean>:<sd>"},
      {"normalise", "zscore", "zscore:<mean>:<sd>"},
      {"normalise", "rank:1", "rank"},
      {"normalise", "goalposts:0", "goalposts[:<scale>]"},
      {"normalise", "band5:1:5", "band5"},
      {"normalise", "minmax:0:nan", "minmax:<l>:<u>"},
      {"aggregate", "mean", "arithmetic, geometric, harmonic, median"},
      {"aggregate_min_share", "2", "a share in [0,1]"},
      {"weights", "random", "explicit, equal, pca"},
      {"years", "2020", "<from>:<to>"},
      {"years", "2022:2015", "<from>:<to>"},
      {"years", "a:b", "<from>:<to>"},
      {"panel", "global", "pooled, by-year"},
      {"min_units", "0", "an integer ≥ 1"},
      {"min_units", "x", "an integer ≥ 1"},
  };
  for (const auto& c : cases) {
    for (int via_set = 0; via_set < 2; ++via_set) {
      Error e = via_set ? Fails(kBase, {"pipeline." + c.key + "=" + c.value}, Errc::kBadMethod)
                        : Fails(WithPipeline(c.key + " = \"" + c.value + "\""), {}, Errc::kBadMethod);
      EXPECT_TRUE(Has(e.message, "pipeline." + c.key)) << e.message;
      EXPECT_TRUE(Has(e.message, c.forms)) << e.message;
      EXPECT_TRUE(Has(e.message, c.value)) << e.message;
    }
  }
  // The file location of the bad value is kept.
  Error e = Fails(WithPipeline("panel = \"global\""), {}, Errc::kBadMethod);
  EXPECT_EQ(e.file, "t.toml");
  EXPECT_EQ(e.line, std::count(kBase, kBase + std::char_traits<char>::length(kBase), '\n') + 3);
  EXPECT_EQ(e.column, 9);
  // Arrays and tables are not values of any form.
  e = Fails(WithPipeline("impute = [\"mean\"]"), {}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "pipeline.impute")) << e.message;
}

TEST(MethodPipeline, UnknownKeyAndNonTable) {
  Error e = Fails(WithPipeline("imputation = \"mean\""), {}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "pipeline.imputation")) << e.message;
  EXPECT_TRUE(Has(e.message, "impute")) << e.message;  // lists the known keys
  EXPECT_GT(e.line, 0);
  e = Fails(std::string("pipeline = 3\n") + kBase, {}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "pipeline must be a table")) << e.message;
}

// ---- --set ----------------------------------------------------------------------------------------

TEST(MethodSet, OverridesApply) {
  auto m = Parse(kBase, {"pipeline.impute=mean", "pipeline.normalise = zscore:0:1", "weight.A=2.5", "weight.P2=0",
                         "indicator.B.direction=1", "indicator.C.goalposts=[0, 10]", "indicator.C.name_en=Cee",
                         "node.P1.name_zh=一", "index.version=1.10", "index.name_en=\"Quoted name\""});
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(m->pipeline.impute, Impute::kMean);
  EXPECT_EQ(m->pipeline.normalise, Normalise::kZScore);
  EXPECT_EQ(m->pipeline.norm_p2, 1);
  EXPECT_EQ(N(*m, "A").weight, 2.5);
  EXPECT_EQ(N(*m, "P2").weight, 0);
  EXPECT_EQ(N(*m, "B").direction, 1);
  ASSERT_TRUE(N(*m, "C").goal_lo && N(*m, "C").goal_hi);
  EXPECT_EQ(*N(*m, "C").goal_hi, 10);
  EXPECT_EQ(N(*m, "C").name_en, "Cee");
  EXPECT_EQ(N(*m, "P1").name_zh, "一");
  EXPECT_EQ(m->version, "1.10");  // text keys keep the text, not the number 1.1
  EXPECT_EQ(m->name_en, "Quoted name");
}

TEST(MethodSet, LaterSetWins) {
  auto m = Parse(WithPipeline("impute = \"median\""), {"pipeline.impute=mean", "pipeline.impute=locf:2"});
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(m->pipeline.impute, Impute::kLocf);
  EXPECT_EQ(m->pipeline.locf_years, 2);
}

TEST(MethodSet, ReparentingChangesLevels) {
  // A → P1; B, C → P2 → P1 → IDX.
  auto m = Parse(kBase, {"indicator.B.parent=P2", "node.P2.parent=P1"});
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(N(*m, "P2").level, 2);
  EXPECT_EQ(N(*m, "P1").level, 3);
  EXPECT_EQ(N(*m, "IDX").level, 4);
  EXPECT_EQ(m->nodes[3].code, "P2");
  // P1 lost its indicators.
  Error e = Fails(kBase, {"indicator.A.parent=P2", "indicator.B.parent=P2"}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "P1")) << e.message;
}

TEST(MethodSet, UsageErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"pipeline.imputation=mean", "unknown pipeline key"},
      {"index.owner=me", "unknown index key"},
      {"weight.NOPE=1", "no framework node has code \"NOPE\""},
      {"indicator.NOPE.weight=1", "no framework node has code \"NOPE\""},
      {"indicator.A.colour=red", "unknown indicator field"},
      {"node.P1.direction=-1", "unknown node field"},  // directions belong to indicators
      {"indicator.A.code=Z", "a code cannot be changed"},
      {"weight.A=heavy", "weight must be a number"},
      {"weight.A=true", "weight must be a number"},
      {"colour=red", "unknown key"},
      {"pipeline=mean", "unknown key"},
      {"pipeline.impute.x=mean", "unknown key"},
      {"weight.A.B=1", "unknown key"},
      {"pipeline.impute", "expected key=value"},
      {"=mean", "expected key=value"},
      {"", "expected key=value"},
  };
  for (const auto& [set, what] : cases) {
    Error e = Fails(kBase, {set}, Errc::kUsage);
    EXPECT_TRUE(Has(e.message, what)) << set << ": " << e.message;
  }
}

TEST(MethodSet, InvalidNodeValuesAreBadMethod) {
  Error e = Fails(kBase, {"weight.A=-1"}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "A: weight")) << e.message;
  EXPECT_EQ(e.line, 0);  // a value from --set has no place in the file
  e = Fails(kBase, {"indicator.A.direction=2"}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "direction must be 1 or -1")) << e.message;
  e = Fails(kBase, {"indicator.A.parent=B"}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "is an indicator")) << e.message;
}

TEST(MethodSet, ValueCannotInjectKeys) {
  // A newline in a value must not add keys to the table.
  auto m = Parse(kBase, {"index.version=1\nid = \"X\""});
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(m->id, "T");
  EXPECT_EQ(m->version, "1\nid = \"X\"");
}

// ---- hash ----------------------------------------------------------------------------------------

TEST(MethodHash, StableAndHex) {
  auto a = Parse(kBase, {"pipeline.impute=mean"});
  auto b = Parse(kBase, {"pipeline.impute=mean"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->hash, b->hash);
  EXPECT_EQ(a->canonical, b->canonical);
  ASSERT_EQ(a->hash.size(), 64u);
  EXPECT_EQ(a->hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(a->hash, Sha256Hex(a->canonical));
}

TEST(MethodHash, ChangesWithTheMethod) {
  auto base = Parse(kBase);
  ASSERT_TRUE(base.ok());
  for (const std::string set :
       {"pipeline.impute=mean", "weight.A=2", "indicator.B.direction=1", "index.version=2", "pipeline.years=2000:2020",
        "indicator.A.name_en=Other", "pipeline.normalise=minmax:0:1"}) {
    auto m = Parse(kBase, {set});
    ASSERT_TRUE(m.ok()) << set << ": " << m.error().Format();
    EXPECT_NE(m->hash, base->hash) << set;
  }
}

TEST(MethodHash, SameWhetherWrittenOrSet) {
  auto set = [](std::vector<std::string> sets) { return Parse(kBase, sets)->hash; };
  auto file = [](const std::string& text) {
    auto m = Parse(text);
    EXPECT_TRUE(m.ok()) << m.error().Format();
    return m.ok() ? m->hash : std::string();
  };
  // A set that restates a default changes nothing.
  EXPECT_EQ(set({"weight.A=1"}), set({}));
  EXPECT_EQ(set({"pipeline.denominate=on"}), set({}));
  EXPECT_EQ(set({"pipeline.normalise=minmax:0:100"}), set({}));
  // Booleans, integers and floats in the file equal the --set words and numbers.
  EXPECT_EQ(file(WithPipeline("denominate = false")), set({"pipeline.denominate=off"}));
  EXPECT_EQ(file(WithPipeline("min_units = 3")), set({"pipeline.min_units=3"}));
  EXPECT_EQ(file(WithPipeline("aggregate_min_share = 0.5")), set({"pipeline.aggregate_min_share=0.5"}));
  std::string weighted(kBase);
  weighted.replace(weighted.find("code = \"A\"\n"), 11, "code = \"A\"\nweight = 2.0\n");
  EXPECT_EQ(file(weighted), set({"weight.A=2"}));
  std::string versioned(kBase);
  versioned.replace(versioned.find("name_en = \"Test index\"\n"), 23, "name_en = \"Test index\"\nversion = \"1.10\"\n");
  EXPECT_EQ(file(versioned), set({"index.version=1.10"}));
  // Equivalent spellings of the same choice.
  EXPECT_EQ(set({"pipeline.screen=na:0"}), set({"pipeline.screen=none"}));
  EXPECT_EQ(set({"pipeline.normalise=goalposts"}), set({"pipeline.normalise=goalposts:100"}));
}

TEST(MethodHash, CanonicalReparsesToTheSameMethod) {
  auto m = Parse(R"([index]
id = "T"
name_zh = "测试"
[pipeline]
impute = "group-median:region"
screen = "na:0.666"
treat = "jrc:5"
normalise = "zscore:0.1:0.3333333333333333"
years = "2010:2020"
panel = "by-year"
[[indicator]]
code = "A"
parent = "IDX"
weight = 0.1
transform = "log-per-100k"
denominator = "POP"
goalposts = [0.5, 250]
lag_weights = [16, 8, 4, 2, 1]
fill = 0
target = 3
reads = ["A1", "A2"]
source_note = "line \"one\"\nline two"
[[indicator]]
code = "B"
parent = "IDX"
direction = -1
transform = "log"
[[node]]
code = "IDX"
)");
  ASSERT_TRUE(m.ok()) << m.error().Format();
  auto again = Parse(m->canonical);
  ASSERT_TRUE(again.ok()) << again.error().Format() << "\n" << m->canonical;
  EXPECT_EQ(again->canonical, m->canonical);
  EXPECT_EQ(again->hash, m->hash);
  const Node& a = N(*again, "A");
  EXPECT_EQ(a.weight, 0.1);
  EXPECT_EQ(a.reads, (std::vector<std::string>{"A1", "A2"}));
  EXPECT_EQ(a.scale, 1e5);
  EXPECT_TRUE(a.log);
  EXPECT_EQ(a.source_note, "line \"one\"\nline two");
  EXPECT_EQ(again->pipeline.norm_p2, 0.3333333333333333);
  EXPECT_TRUE(N(*again, "B").log);
  EXPECT_TRUE(Has(m->canonical, "测试")) << m->canonical;  // readable in run.json
}

// ---- structure -------------------------------------------------------------------------------------

TEST(MethodStructure, Errors) {
  struct Case {
    std::string text, what;
  };
  const std::string idx = "[index]\nid = \"T\"\n";
  const std::string top = "[[node]]\ncode = \"IDX\"\n";
  const std::vector<Case> cases = {
      {idx + "[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n" + top,
       "code \"A\" is used twice"},
      {idx + "[[indicator]]\ncode = \"IDX\"\nparent = \"IDX\"\n" + top, "code \"IDX\" is used twice"},
      {idx + "[[indicator]]\ncode = \"A\"\nparent = \"NOPE\"\n" + top, "A: parent \"NOPE\" is not a node"},
      {idx + "[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n[[indicator]]\ncode = \"B\"\nparent = \"A\"\n" + top,
       "B: parent A is an indicator"},
      {idx + "[[indicator]]\ncode = \"A\"\n" + top, "indicator A has no parent"},
      {idx + "[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n" + top + "[[node]]\ncode = \"OTHER\"\n",
       "two top nodes: IDX and OTHER"},
      {idx + "[[indicator]]\ncode = \"A\"\nparent = \"X\"\n" + top +
           "[[node]]\ncode = \"X\"\nparent = \"Y\"\n[[node]]\ncode = \"Y\"\nparent = \"X\"\n",
       "cycle"},
      {idx + "[[indicator]]\ncode = \"A\"\nparent = \"X\"\n[[node]]\ncode = \"X\"\nparent = \"X\"\n", "no top node"},
      {idx + "[[indicator]]\ncode = \"A\"\nparent = \"X\"\n" + top + "[[node]]\ncode = \"X\"\nparent = \"X\"\n",
       "cycle"},
      {idx + "[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n" + top + "[[node]]\ncode = \"EMPTY\"\nparent = \"IDX\"\n",
       "node EMPTY has no scored indicator below it"},
      {idx + top, "no indicator"},
      {"[index]\nname_en = \"x\"\n[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n" + top, "[index] has no id"},
      {"[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n" + top, "no [index] table"},
      {"index = \"T\"\n[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n" + top, "no [index] table"},
      {idx + "id2 = 1\n[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n" + top, "unknown key index.id2"},
      {idx + "version = 2\n[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n" + top, "index.version must be a string"},
      {idx + "[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n" + top + "[extra]\nx = 1\n",
       "unknown top-level key \"extra\""},
      {idx + "[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\ncolour = \"red\"\n" + top,
       "indicator A: unknown key \"colour\""},
      {idx + "[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n[[node]]\ncode = \"IDX\"\ndirection = 1\n",
       "node IDX: unknown key \"direction\""},
      {idx + "[[indicator]]\nparent = \"IDX\"\n" + top, "an indicator has no code"},
      {idx + "[[indicator]]\ncode = 5\nparent = \"IDX\"\n" + top, "code must be a string"},
      {idx + "[[indicator]]\ncode = \"A\"\nparent = 1\n" + top, "A: parent must be a string"},
      {"indicator = [1, 2]\n" + idx + top, "must be an array of tables"},
  };
  for (const auto& c : cases) {
    Error e = Fails(c.text, {}, Errc::kBadMethod);
    EXPECT_TRUE(Has(e.message, c.what)) << "want \"" << c.what << "\", got: " << e.Format();
    EXPECT_EQ(e.file, "t.toml");
  }
}

TEST(MethodStructure, ErrorsPointAtTheNode) {
  // The duplicate is the [[indicator]] table at line 7.
  Error e = Fails(
      "[index]\nid = \"T\"\n[[indicator]]\ncode = \"A\"\nparent = \"IDX\"\n\n[[indicator]]\ncode = "
      "\"A\"\nparent = \"IDX\"\n[[node]]\ncode = \"IDX\"\n",
      {}, Errc::kBadMethod);
  EXPECT_EQ(e.line, 7);
  // The unknown key itself, at line 5 column 1.
  e = Fails(
      "[index]\nid = \"T\"\n[[indicator]]\ncode = \"A\"\ncolour = 1\nparent = \"IDX\"\n[[node]]\ncode = \"IDX\"\n", {},
      Errc::kBadMethod);
  EXPECT_EQ(e.line, 5);
  EXPECT_EQ(e.column, 1);
  EXPECT_TRUE(Has(e.Format(), "t.toml:5:1: error:")) << e.Format();
}

TEST(MethodStructure, TomlSyntaxErrorHasLineAndColumn) {
  Error e = Fails("[index]\nid = \"T\"\nname_en = \n", {}, Errc::kBadMethod);
  EXPECT_EQ(e.file, "t.toml");
  EXPECT_EQ(e.line, 3);
  EXPECT_GT(e.column, 0);
  e = Fails("[index\nid = \"T\"\n", {}, Errc::kBadMethod);
  EXPECT_EQ(e.line, 1);
  EXPECT_GT(e.column, 1);
  e = Fails("[index]\nid = \"T\"\nid = \"U\"\n", {}, Errc::kBadMethod);  // TOML forbids redefinition
  EXPECT_EQ(e.line, 3);
}

TEST(MethodStructure, LoadMethodReadsFilesAndReportsMissing) {
  auto missing = LoadMethod("/nonexistent/method.toml", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kIo);
  EXPECT_EQ(missing.error().file, "/nonexistent/method.toml");
}

// ---- indicators ------------------------------------------------------------------------------------

//! kBase with extra lines in indicator A's table.
std::string WithA(const std::string& lines) {
  std::string s(kBase);
  s.replace(s.find("code = \"A\"\n"), 11, "code = \"A\"\n" + lines + "\n");
  return s;
}

TEST(MethodIndicator, Transforms) {
  struct Case {
    std::string lines;
    bool log;
    double scale;
    std::string den;
  };
  for (const Case& c : std::vector<Case>{{"transform = \"none\"", false, 1, ""},
                                         {"transform = \"log\"", true, 1, ""},
                                         {"transform = \"per-capita\"\ndenominator = \"POP\"", false, 1, "POP"},
                                         {"transform = \"per-100k\"\ndenominator = \"POP\"", false, 1e5, "POP"},
                                         {"transform = \"log-per-100k\"\ndenominator = \"POP\"", true, 1e5, "POP"}}) {
    auto m = Parse(WithA(c.lines));
    ASSERT_TRUE(m.ok()) << c.lines << ": " << m.error().Format();
    const Node& a = N(*m, "A");
    EXPECT_EQ(a.log, c.log) << c.lines;
    EXPECT_EQ(a.scale, c.scale) << c.lines;
    EXPECT_EQ(a.denominator, c.den) << c.lines;
  }
  for (const std::string t : {"per-capita", "per-100k", "log-per-100k"}) {
    Error e = Fails(WithA("transform = \"" + t + "\""), {}, Errc::kBadMethod);
    EXPECT_TRUE(Has(e.message, "A: transform " + t + " needs a denominator")) << e.message;
    EXPECT_GT(e.line, 0);
  }
  // A denominator the transform does not use would still be divided by in the build.
  Error e = Fails(WithA("denominator = \"POP\""), {}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "needs transform per-capita")) << e.message;
  e = Fails(WithA("transform = \"log\"\ndenominator = \"POP\""), {}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "transform is log")) << e.message;
  e = Fails(WithA("transform = \"sqrt\""), {}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "none, log, per-capita, per-100k, log-per-100k")) << e.message;
  e = Fails(WithA("transform = 1"), {}, Errc::kBadMethod);
  EXPECT_TRUE(Has(e.message, "transform must be a string")) << e.message;
  // A --set can switch a transform off by also clearing the denominator.
  auto m = Parse(WithA("transform = \"per-100k\"\ndenominator = \"POP\""),
                 {"indicator.A.transform=none", "indicator.A.denominator=\"\""});
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_TRUE(N(*m, "A").denominator.empty());
}

TEST(MethodIndicator, Goalposts) {
  auto m = Parse(WithA("goalposts = [0, 100]"));
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(*N(*m, "A").goal_lo, 0);
  EXPECT_EQ(*N(*m, "A").goal_hi, 100);
  m = Parse(WithA("goalposts = [-2.5, 0.5]"));
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(*N(*m, "A").goal_lo, -2.5);
  for (const std::string bad : {"[100, 0]", "[5, 5]"}) {
    Error e = Fails(WithA("goalposts = " + bad), {}, Errc::kBadMethod);
    EXPECT_TRUE(Has(e.message, "goalposts need low < high")) << e.message;
  }
  for (const std::string bad : {"[1]", "[1, 2, 3]", "[\"a\", 1]", "5", "[0, inf]", "[nan, 1]"}) {
    Error e = Fails(WithA("goalposts = " + bad), {}, Errc::kBadMethod);
    EXPECT_TRUE(Has(e.message, "goalposts must be [low, high]")) << bad << ": " << e.message;
  }
}

TEST(MethodIndicator, LagWeightsFillTargetReadsDirectionWeight) {
  auto m = Parse(WithA("lag_weights = [16, 8, 4, 2, 1]\nfill = 0\ntarget = 4.5\nreads = [\"A1\", \"A2\"]\nweight = 3"));
  ASSERT_TRUE(m.ok()) << m.error().Format();
  const Node& a = N(*m, "A");
  EXPECT_EQ(a.lag_weights, (std::vector<double>{16, 8, 4, 2, 1}));
  ASSERT_TRUE(a.fill);
  EXPECT_EQ(*a.fill, 0);
  EXPECT_EQ(*a.target, 4.5);
  EXPECT_EQ(a.reads, (std::vector<std::string>{"A1", "A2"}));
  EXPECT_EQ(a.weight, 3);
  m = Parse(WithA("lag_weights = [0, 1]\nreads = \"A_OLD\""));  // a pure one-year lag is allowed
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(N(*m, "A").reads, std::vector<std::string>{"A_OLD"});
  struct Case {
    std::string lines, what;
  };
  for (const Case& c : std::vector<Case>{{"lag_weights = []", "lag_weights must be a list"},
                                         {"lag_weights = 1", "lag_weights must be a list"},
                                         {"lag_weights = [1, -1]", "lag_weights must be numbers ≥ 0"},
                                         {"lag_weights = [1, \"x\"]", "lag_weights must be numbers ≥ 0"},
                                         {"lag_weights = [0, 0]", "lag_weights must not all be 0"},
                                         {"lag_weights = [inf]", "lag_weights must be numbers ≥ 0"},
                                         {"fill = \"zero\"", "fill must be a number"},
                                         {"fill = nan", "fill must be a number"},
                                         {"target = true", "target must be a number"},
                                         {"reads = []", "reads must be"},
                                         {"reads = [\"\"]", "reads must be"},
                                         {"reads = [1]", "reads must be"},
                                         {"reads = 3", "reads must be"},
                                         {"direction = 0", "direction must be 1 or -1"},
                                         {"direction = \"up\"", "direction must be 1 or -1"},
                                         {"weight = -1", "weight must be a number ≥ 0"},
                                         {"weight = \"1\"", "weight must be a number ≥ 0"},
                                         {"weight = inf", "weight must be a number ≥ 0"},
                                         {"name_en = 3", "name_en must be a string"}}) {
    Error e = Fails(WithA(c.lines), {}, Errc::kBadMethod);
    EXPECT_TRUE(Has(e.message, "A: ")) << c.lines << ": " << e.message;
    EXPECT_TRUE(Has(e.message, c.what)) << c.lines << ": " << e.message;
    EXPECT_GT(e.line, 0) << c.lines;
  }
}

TEST(MethodCorpus, FuzzSeedsParseAsIntended) {
  // The fuzz seeds double as examples: the two valid ones must stay valid.
  const std::string dir = std::string(GPSI_TESTS_DIR) + "/fuzz/corpus/method/";
  auto small = LoadMethod(dir + "gpsi_small.toml", {});
  ASSERT_TRUE(small.ok()) << small.error().Format();
  EXPECT_EQ(small->nodes.size(), 6u);
  EXPECT_EQ(small->pipeline.aggregate, Aggregate::kGeometric);
  EXPECT_EQ(N(*small, "ROAD").scale, 1e5);
  auto coinr = LoadMethod(dir + "coinr_like_with_sets.toml", {"pipeline.impute=mean"});
  ASSERT_TRUE(coinr.ok()) << coinr.error().Format();
  for (const std::string bad : {"cycle_and_bad_values.toml", "syntax_error.toml"}) {
    auto m = LoadMethod(dir + bad, {});
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.error().code, Errc::kBadMethod) << bad;
    EXPECT_GT(m.error().line, 0) << m.error().Format();
  }
}

// ---- COINr -----------------------------------------------------------------------------------------

//! COINr's ASEM iMeta as a TextTable, read with the tests' own CSV reader (the method module's
//! tests link the method module only, not ingest's reader).
TextTable AsemMeta() {
  TextTable t;
  t.path = std::string(GPSI_TEST_DATA) + "/asem/iMeta.csv";
  auto rows = test::Csv(test::ReadFile(t.path));
  EXPECT_FALSE(rows.empty()) << t.path;
  if (rows.empty()) return t;
  t.header = rows[0];
  for (std::size_t i = 1; i < rows.size(); ++i) {
    rows[i].resize(t.header.size());
    t.rows.push_back(rows[i]);
    t.lines.push_back(static_cast<std::int64_t>(i) + 1);
  }
  return t;
}

std::size_t RowOf(const TextTable& t, const std::string& code) {
  int c = t.Column("iCode");
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    if (t.rows[r][static_cast<std::size_t>(c)] == code) return r;
  }
  ADD_FAILURE() << "no row " << code;
  return 0;
}

void SetCell(TextTable& t, const std::string& code, const std::string& col, const std::string& value) {
  t.rows[RowOf(t, code)][static_cast<std::size_t>(t.Column(col))] = value;
}

TEST(MethodCoinr, AsemFramework) {
  TextTable meta = AsemMeta();
  auto m = MethodFromCoinr(meta, {});
  ASSERT_TRUE(m.ok()) << m.error().Format();
  int inds = 0, pillars = 0, subs = 0, tops = 0;
  for (const auto& n : m->nodes) {
    EXPECT_EQ(n.weight, 1) << n.code;
    if (n.indicator) {
      ++inds;
      EXPECT_EQ(n.level, 1);
    } else if (n.level == 2) {
      ++pillars;
    } else if (n.level == 3) {
      ++subs;
      EXPECT_EQ(n.parent, "Index");
    } else if (n.level == 4) {
      ++tops;
      EXPECT_EQ(n.code, "Index");
    }
  }
  EXPECT_EQ(inds, 49);
  EXPECT_EQ(pillars, 8);
  EXPECT_EQ(subs, 2);
  EXPECT_EQ(tops, 1);
  EXPECT_EQ(m->nodes.size(), 60u);
  EXPECT_EQ(m->nodes.front().code, "LPI");  // iMeta row order
  EXPECT_EQ(m->nodes.back().code, "Index");
  EXPECT_EQ(m->id, "Index");
  EXPECT_EQ(m->unit_kind, "coinr");
  EXPECT_EQ(N(*m, "LPI").name_en, "Logistics Performance Index");
  EXPECT_EQ(N(*m, "LPI").direction, 1);
  EXPECT_TRUE(N(*m, "LPI").denominator.empty());
  for (const std::string code : {"CostImpEx", "Tariff", "CO2", "Palma", "NEET"}) EXPECT_EQ(N(*m, code).direction, -1);
  EXPECT_EQ(N(*m, "Flights").denominator, "Population");
  EXPECT_EQ(N(*m, "Bord").denominator, "Area");
  EXPECT_EQ(N(*m, "Elec").denominator, "Energy");
  EXPECT_EQ(N(*m, "Goods").denominator, "GDP");
  EXPECT_EQ(N(*m, "Goods").scale, 1);
  EXPECT_FALSE(N(*m, "Goods").log);
  EXPECT_EQ(N(*m, "Goods").parent, "ConEcFin");
  ASSERT_TRUE(N(*m, "Goods").target);
  EXPECT_DOUBLE_EQ(*N(*m, "Goods").target, 1823.5959954999998);
  EXPECT_EQ(m->Find("EurAsia_group"), -1);  // groups and denominators are not nodes
  EXPECT_EQ(m->Find("Population"), -1);
  // COINr's own step defaults, with its example's denomination.
  EXPECT_TRUE(m->pipeline.denominate);
  EXPECT_EQ(m->pipeline.impute, Impute::kNone);
  EXPECT_EQ(m->pipeline.screen_share, 0);
  EXPECT_EQ(m->pipeline.treat_winmax, -1);
  EXPECT_EQ(m->pipeline.normalise, Normalise::kMinMax);
  EXPECT_EQ(m->pipeline.norm_p2, 100);
  EXPECT_EQ(m->pipeline.aggregate, Aggregate::kArithmetic);
  // The same table gives the same hash.
  EXPECT_EQ(MethodFromCoinr(meta, {})->hash, m->hash);
}

TEST(MethodCoinr, SetsApply) {
  auto m = MethodFromCoinr(AsemMeta(), {"pipeline.impute=group-mean:EurAsia_group", "pipeline.screen=na:0.9",
                                        "pipeline.treat=jrc:5", "weight.Conn=2", "pipeline.denominate=off"});
  ASSERT_TRUE(m.ok()) << m.error().Format();
  EXPECT_EQ(m->pipeline.impute, Impute::kGroupMean);
  EXPECT_EQ(m->pipeline.impute_group, "EurAsia_group");
  EXPECT_EQ(m->pipeline.treat_winmax, 5);
  EXPECT_EQ(N(*m, "Conn").weight, 2);
  EXPECT_FALSE(m->pipeline.denominate);
  auto bad = MethodFromCoinr(AsemMeta(), {"weight.Nope=2"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kUsage);
}

TEST(MethodCoinr, LevelDisagreeingWithTreeIsAnErrorAtItsLine) {
  TextTable meta = AsemMeta();
  SetCell(meta, "Conn", "Level", "2");
  auto m = MethodFromCoinr(meta, {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, Errc::kBadMethod);
  EXPECT_EQ(m.error().line, meta.lines[RowOf(meta, "Conn")]);
  EXPECT_EQ(m.error().line, 59);
  EXPECT_EQ(m.error().column, meta.Column("Level") + 1);
  EXPECT_TRUE(Has(m.error().message, "Conn: Level 2 disagrees with the framework (level 3)")) << m.error().message;
  EXPECT_TRUE(Has(m.error().Format(), "iMeta.csv:59:1: error:")) << m.error().Format();
  meta = AsemMeta();
  SetCell(meta, "LPI", "Level", "1.5");
  m = MethodFromCoinr(meta, {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().line, 2);
}

TEST(MethodCoinr, RowErrorsPointAtTheRow) {
  struct Case {
    std::string code, col, value, what;
  };
  for (const Case& c : std::vector<Case>{{"LPI", "Direction", "0", "LPI: Direction \"0\" must be 1 or -1"},
                                         {"LPI", "Weight", "heavy", "LPI: Weight \"heavy\" is not a number"},
                                         {"LPI", "Parent", "Nowhere", "LPI: parent \"Nowhere\" is not a node"},
                                         {"Ship", "Weight", "-1", "Ship: weight must be a number"},
                                         {"Physical", "Parent", "LPI", "Physical: parent LPI is an indicator"}}) {
    TextTable meta = AsemMeta();
    SetCell(meta, c.code, c.col, c.value);
    auto m = MethodFromCoinr(meta, {});
    ASSERT_FALSE(m.ok()) << c.code << "." << c.col;
    EXPECT_EQ(m.error().code, Errc::kBadMethod);
    EXPECT_TRUE(Has(m.error().message, c.what)) << m.error().Format();
    EXPECT_EQ(m.error().line, meta.lines[RowOf(meta, c.code)]) << m.error().Format();
  }
  TextTable meta = AsemMeta();
  meta.header[static_cast<std::size_t>(meta.Column("Type"))] = "Kind";
  auto m = MethodFromCoinr(meta, {});
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(Has(m.error().message, "iMeta has no column \"Type\"")) << m.error().message;
}

TEST(MethodCoinr, GoalpostColumns) {
  TextTable meta = AsemMeta();
  meta.header.push_back("goalpost_lower");
  meta.header.push_back("goalpost_upper");
  for (auto& row : meta.rows) {
    row.push_back("");
    row.push_back("");
  }
  SetCell(meta, "LPI", "goalpost_lower", "1");
  SetCell(meta, "LPI", "goalpost_upper", "5");
  auto m = MethodFromCoinr(meta, {});
  ASSERT_TRUE(m.ok()) << m.error().Format();
  ASSERT_TRUE(N(*m, "LPI").goal_lo && N(*m, "LPI").goal_hi);
  EXPECT_EQ(*N(*m, "LPI").goal_lo, 1);
  EXPECT_EQ(*N(*m, "LPI").goal_hi, 5);
  EXPECT_FALSE(N(*m, "Ship").goal_lo);
}

}  // namespace
}  // namespace gpsi::method
