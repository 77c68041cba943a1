// gpsi serve, the data side of the API (docs/api.md): /meta, /units/{ISO3}, /compare,
// /download/{table} and the rank intervals of /scores, against the shared store, cross-checked
// with the files of `gpsi build` and `gpsi uncertainty` and the store listings of the CLI.
#include <httplib.h>

#include <algorithm>
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
using Rows = std::vector<std::vector<std::string>>;

// Few runs keep the suite quick; `gpsi uncertainty` with the same runs and seed is the reference.
constexpr int kSamples = 60;

class ServeDataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string& db = SharedStore();
    if (db.empty()) return;
    server_ = std::make_unique<ServeProcess>(db, std::vector<std::string>{"--intervals", std::to_string(kSamples)});
    out_ = std::make_unique<TempDir>();
    build_ = Gpsi("-q --db " + Quote(db) + " build --method " + Quote(kMethod) + " --out " + Quote((*out_) / "b"));
    unc_ = Gpsi("-q --db " + Quote(db) + " uncertainty --method " + Quote(kMethod) + " --samples " +
                std::to_string(kSamples) + " --seed 1 --out " + Quote((*out_) / "u"));
  }
  static void TearDownTestSuite() {
    server_.reset();
    out_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->port() > 0) << "gpsi serve did not start";
    ASSERT_EQ(build_.exit_code, 0) << build_.err;
    ASSERT_EQ(unc_.exit_code, 0) << unc_.err;
  }

  static httplib::Result Get(const std::string& path) { return server_->Get(path); }
  //! The JSON answer of a 200 GET (test failure otherwise).
  static Json GetJson(const std::string& path) {
    auto r = Get(path);
    EXPECT_TRUE(r) << path;
    if (!r) return Json();
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
    auto j = Json::parse(r->body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << path;
    return j;
  }
  static std::string BuildFile(const std::string& name) { return ReadFile((*out_) / ("b/" + name)); }
  //! The reference scores.csv rows by (year, unit, code).
  static std::map<std::tuple<int, std::string, std::string>, std::vector<std::string>> ScoresByKey() {
    std::map<std::tuple<int, std::string, std::string>, std::vector<std::string>> out;
    auto rows = Csv(BuildFile("scores.csv"));
    for (std::size_t i = 1; i < rows.size(); ++i) out[{std::stoi(rows[i][0]), rows[i][1], rows[i][2]}] = rows[i];
    return out;
  }
  //! The reference rank_stats.csv rows (year,unit,code,nominal,mean,median,p05,p95) by (year, unit, code).
  static std::map<std::tuple<int, std::string, std::string>, std::vector<std::string>> RankStats() {
    std::map<std::tuple<int, std::string, std::string>, std::vector<std::string>> out;
    auto rows = Csv(ReadFile((*out_) / "u/rank_stats.csv"));
    for (std::size_t i = 1; i < rows.size(); ++i) out[{std::stoi(rows[i][0]), rows[i][1], rows[i][2]}] = rows[i];
    return out;
  }

  static std::unique_ptr<ServeProcess> server_;
  static std::unique_ptr<TempDir> out_;
  static RunResult build_, unc_;
};
std::unique_ptr<ServeProcess> ServeDataTest::server_;
std::unique_ptr<TempDir> ServeDataTest::out_;
RunResult ServeDataTest::build_, ServeDataTest::unc_;

//! A number field of scores.csv as JSON (empty = null).
Json Field(const std::string& s) {
  return s.empty() ? Json(nullptr) : Json(std::stod(s));
}

TEST_F(ServeDataTest, MetaMatchesRunJsonAndMethodFile) {
  Json j = GetJson("/api/v1/meta");
  auto run = Json::parse(BuildFile("run.json"));
  EXPECT_EQ(j["index"]["id"], run["method"]["id"]);
  EXPECT_EQ(j["index"]["name_en"], run["method"]["name_en"]);
  EXPECT_EQ(j["index"]["name_zh"], run["method"]["name_zh"]);
  EXPECT_EQ(j["index"]["version"], run["method"]["version"]);
  EXPECT_EQ(j["index"]["method_hash"], run["method"]["hash"]);
  EXPECT_EQ(j["index"]["run"], run["run_id"]);
  EXPECT_EQ(j["index"]["data_hash"], run["data"]["hash"]);
  EXPECT_NE(j["index"]["coverage_rule"].get<std::string>().find("1 million"), std::string::npos);
  EXPECT_EQ(j["eligibility"]["min_population"], 1e6);
  EXPECT_EQ(j["eligibility"]["max_missing_dimensions"], 1);
  EXPECT_EQ(j["years"], run["years"]);
  EXPECT_EQ(j["latest_year"], run["years"].back());

  // Pipeline values as the method file spells them.
  std::string method = ReadFile(kMethod);
  for (const char* k : {"impute", "aggregate", "panel", "weights", "years"}) {
    std::string v = j["pipeline"][k].get<std::string>();
    EXPECT_NE(method.find(std::string(k) + " = \"" + v + "\""), std::string::npos) << k << " = " << v;
  }

  // Nodes: scores.csv's order of codes within a unit-year, weights and levels as run.json and scores.csv.
  std::vector<std::string> order;
  auto rows = Csv(BuildFile("scores.csv"));
  for (std::size_t i = 1; i < rows.size() && rows[i][1] == rows[1][1] && rows[i][0] == rows[1][0]; ++i) {
    order.push_back(rows[i][2]);
  }
  ASSERT_EQ(j["nodes"].size(), order.size());
  std::map<std::string, Json> node;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Json& n = j["nodes"][i];
    EXPECT_EQ(n["code"], order[i]);
    EXPECT_EQ(n["weight"].get<double>(), run["weights"][order[i]].get<double>()) << order[i];
    EXPECT_EQ(std::to_string(n["level"].get<int>()), rows[1 + i][3]) << order[i];
    node[order[i]] = n;
    // Each node's code is declared in the method file.
    EXPECT_NE(method.find("code = \"" + order[i] + "\""), std::string::npos) << order[i];
  }
  const std::string top = order.back();
  EXPECT_EQ(top, run["method"]["id"].get<std::string>() == "gpsi" ? "GPSI" : top);
  EXPECT_EQ(node[top]["parent"], "");
  EXPECT_TRUE(node["homicide"]["indicator"].get<bool>());
  EXPECT_EQ(node["homicide"]["direction"], -1);
  EXPECT_EQ(node["homicide"]["reads"], Json::array({"homicide_rate"}));
  EXPECT_EQ(node["road_deaths"]["denominator"], "population");
  EXPECT_TRUE(node["violent_events"]["monitor"].get<bool>());
  EXPECT_TRUE(node["crime"]["direction"].is_null());
  EXPECT_FALSE(node["crime"]["indicator"].get<bool>());
  // Children are the nodes naming the node as parent; dimensions the index's scored children.
  for (const auto& [code, n] : node) {
    std::vector<std::string> kids;
    for (const auto& c : order) {
      if (node[c]["parent"] == code) kids.push_back(c);
    }
    EXPECT_EQ(n["children"], Json(kids)) << code;
  }
  EXPECT_EQ(j["dimensions"], Json::array({"crime", "terrorism", "cyber", "road"}));

  // Sources: releases of the store (`gpsi sources`), each with tier and licence.
  auto cli = Json::parse(Gpsi("--json --db " + Quote(SharedStore()) + " sources").out);
  std::map<std::pair<std::string, std::string>, Json> stored;
  for (const auto& s : cli) stored[{s["key"], s["release"]}] = s;
  ASSERT_FALSE(j["sources"].empty());
  for (const auto& s : j["sources"]) {
    auto it = stored.find({s["key"], s["release"]});
    ASSERT_NE(it, stored.end()) << s.dump();
    for (const char* k : {"publisher", "tier", "licence", "url", "retrieved"}) EXPECT_EQ(s[k], it->second[k]) << k;
  }
  // Regions of the units listing.
  std::set<std::string> regions;
  const Json units = GetJson("/api/v1/units");
  for (const auto& u : units["units"]) {
    if (!u["region_code"].get<std::string>().empty()) regions.insert(u["region_code"]);
  }
  std::set<std::string> got;
  for (const auto& r : j["regions"]) got.insert(r["code"]);
  EXPECT_EQ(got, regions);
  EXPECT_EQ(j["intervals"]["samples"], kSamples);
  EXPECT_EQ(j["intervals"]["seed"], 1);
  EXPECT_EQ(j["intervals"]["level"], 0.9);
}

TEST_F(ServeDataTest, ProfileMatchesScoresAndShow) {
  Json j = GetJson("/api/v1/units/fra");  // case-insensitive
  EXPECT_EQ(j, GetJson("/api/v1/units/FRA"));
  EXPECT_EQ(j["unit"]["code"], "FRA");
  EXPECT_EQ(j["unit"]["m49"], "250");
  EXPECT_EQ(j["unit"]["region"], "Europe");
  EXPECT_EQ(j["unit"]["name_en"], "France");
  auto run = Json::parse(BuildFile("run.json"));
  EXPECT_EQ(j["run"], run["run_id"]);

  // Every year and node equals scores.csv.
  auto want = ScoresByKey();
  ASSERT_EQ(j["series"].size(), run["years"].size());
  std::size_t checked = 0;
  for (const auto& y : j["series"]) {
    int year = y["year"];
    for (const auto& [code, s] : y["scores"].items()) {
      auto it = want.find({year, "FRA", code});
      ASSERT_NE(it, want.end()) << year << " " << code;
      EXPECT_EQ(s["value"], Field(it->second[4])) << year << " " << code;
      EXPECT_EQ(s["rank"], Field(it->second[5])) << year << " " << code;
      EXPECT_EQ(s["flags"], it->second[6]) << year << " " << code;
      EXPECT_EQ(y["excluded"].get<bool>(), it->second[6].find('x') != std::string::npos);
      ++checked;
    }
  }
  EXPECT_EQ(checked, run["counts"]["nodes"].get<std::size_t>() * run["years"].size());

  // Stored values: the chosen source is the value `gpsi show` resolves, every source is listed.
  auto show = Json::parse(Gpsi("--json --db " + Quote(SharedStore()) + " show FRA").out);
  std::map<std::pair<std::string, int>, Json> resolved;
  for (const auto& r : show) resolved[{r["indicator"], r["year"]}] = r;
  std::size_t sources = 0, homicide_years = 0;
  for (const auto& ind : j["indicators"]) {
    ASSERT_EQ(ind["values"].size(), run["years"].size()) << ind["code"];
    for (const auto& v : ind["values"]) {
      int year = v["year"];
      auto s = want.find({year, "FRA", ind["code"]});
      ASSERT_NE(s, want.end());
      EXPECT_EQ(v["score"], Field(s->second[4])) << ind["code"] << " " << year;
      EXPECT_EQ(v["imputed"].get<bool>(), s->second[6].find('i') != std::string::npos);
      std::map<std::string, int> chosen;
      for (const auto& src : v["sources"]) {
        ++sources;
        std::string code = src["indicator"];
        ASSERT_EQ(resolved.count(std::make_pair(code, year)), 1U) << code << " " << year;
        EXPECT_FALSE(src["licence"].is_null());
        if (src["chosen"].get<bool>()) {
          ++chosen[code];
          const Json& r = resolved[{code, year}];
          EXPECT_EQ(src["value"], r["value"]) << code << " " << year;
          EXPECT_EQ(src["source"], r["source"]);
          EXPECT_EQ(src["release"], r["release"]);
          EXPECT_EQ(src["tier"], r["tier"]);
          EXPECT_EQ(src["file_sha256"], r["sha256"]);
          EXPECT_EQ(src["line"], r["line"]);
        } else {
          // The rule: a source that is not chosen does not have a better (lower) tier.
          EXPECT_GE(src["tier"].get<int>(), resolved[std::make_pair(code, year)]["tier"].get<int>());
        }
      }
      for (const auto& [code, n] : chosen) EXPECT_EQ(n, 1) << code << " " << year;
      // The homicide rate is stored as is: a value not imputed is the resolved one.
      if (ind["code"] == "homicide" && !v["imputed"].get<bool>() && !v["raw"].is_null()) {
        ASSERT_EQ(resolved.count(std::make_pair(std::string("homicide_rate"), year)), 1U) << year;
        EXPECT_EQ(v["raw"], resolved[std::make_pair(std::string("homicide_rate"), year)]["value"]) << year;
        EXPECT_EQ(chosen["homicide_rate"], 1) << year;
        ++homicide_years;
      }
    }
  }
  EXPECT_GT(sources, 0U);
  EXPECT_GT(homicide_years, 0U);
}

// A value taken from a fallback series names it: the profile's origin is the build's provenance.csv
// row (series, code, source, data year), the chosen stored value of that code is listed among the
// sources, and the indicators download names the fallback's source release.
TEST_F(ServeDataTest, ProfileAndDownloadNameTheFallbackSource) {
  std::map<std::tuple<int, std::string, std::string>, std::vector<std::string>> prov;
  auto rows = Csv(BuildFile("provenance.csv"));
  ASSERT_EQ(rows[0], (std::vector<std::string>{"year", "unit", "code", "series", "read", "source", "how", "data_year",
                                               "file_sha256", "line", "imputed_by"}));
  for (std::size_t i = 1; i < rows.size(); ++i) prov[{std::stoi(rows[i][0]), rows[i][1], rows[i][2]}] = rows[i];
  Json j = GetJson("/api/v1/units/COD");  // no UNODC homicide rate: WHO's estimate stands in
  std::size_t fallback_years = 0;
  for (const auto& ind : j["indicators"]) {
    for (const auto& v : ind["values"]) {
      auto it = prov.find({v["year"].get<int>(), "COD", ind["code"].get<std::string>()});
      if (it == prov.end()) {
        EXPECT_TRUE(v["origin"].is_null()) << ind["code"] << " " << v["year"];
        continue;
      }
      const auto& p = it->second;
      ASSERT_FALSE(v["origin"].is_null()) << ind["code"] << " " << v["year"];
      EXPECT_EQ(std::to_string(v["origin"]["series"].get<int>()), p[3]);
      EXPECT_EQ(v["origin"]["code"], p[4]);
      EXPECT_EQ(v["origin"]["source"], p[5]);
      EXPECT_EQ(v["origin"]["how"], p[6]);
      EXPECT_EQ(std::to_string(v["origin"]["data_year"].get<int>()), p[7]);
      if (ind["code"] != "homicide" || p[3] != "1" || p[6] != "observed") continue;
      ++fallback_years;
      EXPECT_EQ(p[4], "homicide_deaths");
      bool listed = false;
      for (const auto& src : v["sources"]) {
        listed = listed || (src["indicator"] == "homicide_deaths" && src["chosen"].get<bool>() &&
                            src["source"].get<std::string>() + "@" + src["release"].get<std::string>() == p[5]);
      }
      EXPECT_TRUE(listed) << v["year"];
    }
  }
  EXPECT_GT(fallback_years, 0u);
  auto download = Get("/api/v1/download/indicators");
  ASSERT_TRUE(download);
  std::size_t named = 0;
  for (const auto& f : Csv(download->body)) {
    if (f.size() < 8 || f[1] != "COD" || f[2] != "homicide" || f[0] == "year") continue;
    auto it = prov.find({std::stoi(f[0]), "COD", "homicide"});
    if (it == prov.end() || it->second[3] != "1") continue;
    EXPECT_EQ(f[6] + "@" + f[7], it->second[5]) << f[0];
    ++named;
  }
  EXPECT_GT(named, 0u);
}

TEST_F(ServeDataTest, EveryPublishedOriginIsTheBuildsProvenance) {
  // Over the whole store: every indicator value of every unit profile, and every row of the
  // indicators download, names the cell the build read (provenance.csv) and every record it was
  // made from (records.csv), and nothing else.
  using Key = std::tuple<int, std::string, std::string>;
  std::map<Key, std::vector<std::string>> prov;
  std::set<std::string> units;
  auto rows = Csv(BuildFile("provenance.csv"));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    prov[{std::stoi(rows[i][0]), rows[i][1], rows[i][2]}] = rows[i];
    units.insert(rows[i][1]);
  }
  ASSERT_GT(units.size(), 150u);
  std::map<Key, Json> made_from;  // records.csv, as the API writes an origin's records
  auto record_rows = Csv(BuildFile("records.csv"));
  ASSERT_EQ(record_rows[0],
            (std::vector<std::string>{"year", "unit", "code", "read", "data_year", "source", "file_sha256", "line"}));
  for (std::size_t i = 1; i < record_rows.size(); ++i) {
    const auto& r = record_rows[i];
    Json& list = made_from[{std::stoi(r[0]), r[1], r[2]}];
    if (list.is_null()) list = Json::array();
    list.push_back({{"code", r[3]},
                    {"data_year", std::stoi(r[4])},
                    {"source", r[5]},
                    {"file_sha256", r[6]},
                    {"line", std::stoll(r[7])}});
  }
  std::size_t compared = 0, records = 0, window_records = 0;
  auto text = [](const Json& j) {
    return j.is_null() ? std::string() : j.is_string() ? j.get<std::string>() : j.dump();
  };
  std::map<std::tuple<int, std::string, std::string>, Json> origin;  // as the profiles publish it
  for (const auto& unit : units) {
    Json j = GetJson("/api/v1/units/" + unit);
    for (const auto& ind : j["indicators"]) {
      for (const auto& v : ind["values"]) {
        auto it = prov.find({v["year"].get<int>(), unit, ind["code"].get<std::string>()});
        const std::string where =
            unit + " " + ind["code"].get<std::string>() + " " + std::to_string(v["year"].get<int>());
        if (it == prov.end()) {
          EXPECT_TRUE(v["origin"].is_null()) << where;
          continue;
        }
        const auto& p = it->second;
        ASSERT_FALSE(v["origin"].is_null()) << where;
        EXPECT_EQ(text(v["origin"]["series"]), p[3]) << where;
        EXPECT_EQ(v["origin"]["code"], p[4]) << where;
        EXPECT_EQ(v["origin"]["source"], p[5]) << where;
        EXPECT_EQ(v["origin"]["how"], p[6]) << where;
        EXPECT_EQ(text(v["origin"]["data_year"]), p[7]) << where;
        EXPECT_EQ(text(v["origin"]["imputed_by"]), p[10]) << where;
        // The records the value was made from are records.csv's, in order.
        const Json& made = v["origin"]["records"];
        auto want = made_from.find(it->first);
        EXPECT_EQ(made, want == made_from.end() ? Json::array() : want->second) << where;
        // A window's earlier years are stored records too: the store's chosen record of that code
        // in that year, where the profile lists that year.
        for (const auto& rec : made) {
          if (rec["data_year"] == v["year"]) continue;
          for (const auto& other : ind["values"]) {
            if (other["year"] != rec["data_year"]) continue;
            bool same = false;
            for (const auto& src : other["sources"]) {
              same = same || (src["chosen"].get<bool>() && src["indicator"] == rec["code"] &&
                              src["file_sha256"] == rec["file_sha256"] && src["line"] == rec["line"]);
            }
            EXPECT_TRUE(same) << where << " record of " << rec.dump();
            ++window_records;
          }
        }
        const Json& file = v["origin"]["file_sha256"];
        const Json& line = v["origin"]["line"];
        EXPECT_EQ(file.is_null() ? std::string() : file.get<std::string>(), p[8]) << where;
        EXPECT_EQ(line.is_null() ? std::string() : std::to_string(line.get<std::int64_t>()), p[9]) << where;
        // A value observed in its own year is the store's chosen record of the code read: the same
        // file and line as the profile's list of stored values says.
        if (p[6] == "observed" && p[7] == std::to_string(v["year"].get<int>())) {
          bool same = false;
          for (const auto& src : v["sources"]) {
            same = same || (src["chosen"].get<bool>() && src["indicator"] == p[4] && src["file_sha256"] == file &&
                            src["line"] == line);
          }
          EXPECT_TRUE(same) << where;
          ++records;
        }
        // Only a value read as it was stored is one record; windows, GTI scores and fills are made.
        const std::string how = p[6];
        if (how == "observed" || how == "sum") {
          EXPECT_TRUE(v["origin"]["stored"].get<bool>()) << where;
        } else if (how == "window" || how == "gti" || how == "fill") {
          EXPECT_FALSE(v["origin"]["stored"].get<bool>()) << where;
        }
        origin[it->first] = v["origin"];
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, prov.size());  // every cell the build read is published once
  EXPECT_GT(records, 1000u);
  EXPECT_GT(window_records, 100u);  // the terrorism score's five-year windows
  auto download = Get("/api/v1/download/indicators");
  ASSERT_TRUE(download);
  auto table = Csv(download->body);
  ASSERT_EQ(table[0], (std::vector<std::string>{"year", "unit", "code", "raw", "imputed", "score", "source", "release",
                                                "tier", "licence"}));
  std::size_t named = 0;
  for (std::size_t i = 1; i < table.size(); ++i) {
    const auto& f = table[i];
    auto it = origin.find({std::stoi(f[0]), f[1], f[2]});
    const std::string where = f[1] + " " + f[2] + " " + f[0];
    if (it == origin.end() || !it->second["stored"].get<bool>()) {
      // No one record behind the value (none read, or a value the build made): no source named.
      EXPECT_EQ(f[6], "") << where;
      continue;
    }
    EXPECT_EQ(f[6] + "@" + f[7], it->second["source"].get<std::string>()) << where;
    ++named;
  }
  EXPECT_GT(named, 0u);
}

TEST_F(ServeDataTest, ProfileIntervalsAreRankStats) {
  auto stats = RankStats();
  Json j = GetJson("/api/v1/units/DEU");
  std::size_t n = 0;
  for (const auto& y : j["series"]) {
    for (const auto& [code, s] : y["scores"].items()) {
      auto it = stats.find({y["year"].get<int>(), "DEU", code});
      if (it == stats.end()) {
        EXPECT_TRUE(s["median"].is_null()) << code;  // indicators and excluded rows have none
        continue;
      }
      EXPECT_EQ(s["median"], Field(it->second[5])) << code;
      EXPECT_EQ(s["p05"], Field(it->second[6])) << code;
      EXPECT_EQ(s["p95"], Field(it->second[7])) << code;
      ++n;
    }
  }
  EXPECT_GT(n, 0U);
}

TEST_F(ServeDataTest, ProfileErrors) {
  ExpectError(Get("/api/v1/units/ZZZ"), 404, "not-found", "ZZZ");
  ExpectError(Get("/api/v1/units/FRANCE"), 404, "not-found", "FRANCE");
  ExpectError(Get("/api/v1/units/FRA?x=1"), 400, "usage", "unknown parameter");
  ExpectError(Get("/api/v1/meta?format=csv"), 400, "usage", "meta format");
}

TEST_F(ServeDataTest, ScoresCarryRankStats) {
  auto stats = RankStats();
  Json j = GetJson("/api/v1/scores");
  ASSERT_FALSE(j["rows"].empty());
  std::size_t with = 0;
  for (const auto& row : j["rows"]) {
    auto it = stats.find({row["year"].get<int>(), row["unit"], row["code"]});
    if (it == stats.end()) {
      EXPECT_TRUE(row["p05"].is_null() && row["median"].is_null() && row["p95"].is_null()) << row.dump();
      continue;
    }
    ++with;
    EXPECT_EQ(row["median"], Field(it->second[5])) << row.dump();
    EXPECT_EQ(row["p05"], Field(it->second[6])) << row.dump();
    EXPECT_EQ(row["p95"], Field(it->second[7])) << row.dump();
    EXPECT_EQ(row["rank"], Field(it->second[3])) << row.dump();
    EXPECT_LE(row["p05"].get<double>(), row["median"].get<double>());
    EXPECT_LE(row["median"].get<double>(), row["p95"].get<double>());
  }
  EXPECT_GT(with, 100U);
  // /units lists the M49 code of each unit, as `gpsi units`.
  auto cli = Json::parse(Gpsi("--json --db " + Quote(SharedStore()) + " units").out);
  std::map<std::string, std::string> m49;
  for (const auto& u : cli) m49[u["code"]] = u["m49"];
  const Json units = GetJson("/api/v1/units");
  ASSERT_FALSE(units["units"].empty());
  for (const auto& u : units["units"]) EXPECT_EQ(u["m49"], m49[u["code"]]) << u["code"];
}

TEST_F(ServeDataTest, CompareMatchesScores) {
  auto want = ScoresByKey();
  auto stats = RankStats();
  auto run = Json::parse(BuildFile("run.json"));
  int first = run["years"].front();
  Json j = GetJson("/api/v1/compare?units=CHN,usa,DEU&year=" + std::to_string(first));
  EXPECT_EQ(j["run"], run["run_id"]);
  EXPECT_EQ(j["year"], first);
  EXPECT_EQ(j["nodes"], Json::array({"GPSI", "crime", "terrorism", "cyber", "road"}));
  ASSERT_EQ(j["units"].size(), 3U);
  std::vector<std::string> codes;
  for (const auto& u : j["units"]) codes.push_back(u["code"]);
  EXPECT_EQ(codes, (std::vector<std::string>{"CHN", "USA", "DEU"}));
  EXPECT_EQ(j["units"][1]["name_en"], GetJson("/api/v1/units/USA")["unit"]["name_en"]);
  for (const auto& u : j["units"]) {
    std::string unit = u["code"];
    for (const auto& node : j["nodes"]) {
      const Json& s = u["scores"][node.get<std::string>()];
      const auto& f = want.at({first, unit, node});
      EXPECT_EQ(s["value"], Field(f[4])) << unit << " " << node;
      EXPECT_EQ(s["rank"], Field(f[5])) << unit << " " << node;
      auto it = stats.find({first, unit, node});
      EXPECT_EQ(s["median"], it == stats.end() ? Json(nullptr) : Field(it->second[5])) << unit << " " << node;
    }
    ASSERT_EQ(u["series"].size(), run["years"].size());
    for (const auto& p : u["series"]) {
      const auto& f = want.at({p["year"].get<int>(), unit, "GPSI"});
      EXPECT_EQ(p["value"], Field(f[4]));
      EXPECT_EQ(p["rank"], Field(f[5]));
    }
  }
  // Default year: the latest; CSV: one line per unit and node.
  EXPECT_EQ(GetJson("/api/v1/compare?units=FRA")["year"], run["years"].back());
  auto c = Get("/api/v1/compare?units=FRA,DEU&format=csv");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->status, 200) << c->body;
  auto rows = Csv(c->body);
  ASSERT_EQ(rows.size(), 1U + 2 * 5);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"year", "unit", "code", "value", "rank", "p05", "median", "p95"}));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& f = want.at({std::stoi(rows[i][0]), rows[i][1], rows[i][2]});
    EXPECT_EQ(rows[i][3], f[4]);
    EXPECT_EQ(rows[i][4], f[5]);
  }
}

TEST_F(ServeDataTest, CompareErrors) {
  for (const std::string q :
       {"", "units=", "units=,", "units=CHN,", "units=CHN,,USA", "units=A,B,C,D,E,F", "units=CHN,USA,DEU,FRA,GBR,JPN",
        "units=CHN,chn", "units=CHN,ZZZ", "units=CHN&year=abc", "units=CHN&year=1800", "units=CHN&format=xml",
        "units=CHN&foo=1", "units=CHN&units=USA"}) {
    ExpectError(Get("/api/v1/compare?" + q), 400, "usage", q);
  }
  // Five is the most.
  EXPECT_EQ(GetJson("/api/v1/compare?units=CHN,USA,DEU,FRA,GBR")["units"].size(), 5U);
}

// The report and a profile as PDF: printed from the published build, numbers as in scores.csv and
// rank_stats.csv, an ETag that a second request may match, 404 for what the build has not.
TEST_F(ServeDataTest, ReportsArePdfsOfThePublishedBuild) {
  int year = 0, level = 0;
  std::string index;
  const auto scores = ScoresByKey();
  const auto rank_stats = RankStats();
  for (const auto& [key, row] : scores) {
    year = std::max(year, std::get<0>(key));
    if (std::stoi(row[3]) > level) level = std::stoi(row[3]), index = row[2];
  }
  const auto& row = scores.at({year, "CHN", index});
  const auto& stats = rank_stats.at({year, "CHN", index});
  std::size_t ranked = 0;
  for (const auto& [key, r] : scores)
    ranked += std::get<0>(key) == year && r[2] == index && !r[5].empty() && r[5] != "0";
  auto r = Get("/api/v1/reports/en/profiles/chn");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(r->get_header_value("Content-Disposition"), fmt::format("inline; filename=\"gpsi-{}-en-CHN.pdf\"", year));
  const std::string pdf = (*out_) / "chn.pdf";
  WriteFile(pdf, r->body);
  std::string text = Sh("pdftotext " + Quote(pdf) + " -").out;
  std::replace(text.begin(), text.end(), '\n', ' ');
  EXPECT_NE(
      text.find(fmt::format("Rank {} of {} on the index in {}, with a score of {:.1f} and a 90 % rank interval of "
                            "{:.0f}–{:.0f}.",
                            row[5], ranked, year, std::stod(row[4]), std::stod(stats[6]), std::stod(stats[7]))),
      std::string::npos)
      << text;
  const std::string etag = r->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto again = server_->Client().Get("/api/v1/reports/en/profiles/CHN", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  auto zh = Get("/api/v1/reports/zh");
  ASSERT_TRUE(zh);
  ASSERT_EQ(zh->status, 200) << zh->body;
  WriteFile((*out_) / "zh.pdf", zh->body);
  EXPECT_NE(Sh("pdftotext " + Quote((*out_) / "zh.pdf") + " -").out.find("全球公共安全指数"), std::string::npos);
  EXPECT_NE(zh->get_header_value("ETag"), etag);
  for (const char* missing :
       {"/api/v1/reports/fr", "/api/v1/reports/en/profiles/XXX", "/api/v1/reports/en/other/CHN"}) {
    auto m = Get(missing);
    ASSERT_TRUE(m) << missing;
    EXPECT_EQ(m->status, 404) << missing;
  }
}

TEST_F(ServeDataTest, DownloadScoresIsScoresCsv) {
  auto r = Get("/api/v1/download/scores");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r->get_header_value("Content-Disposition"), "attachment; filename=\"gpsi-scores.csv\"");
  EXPECT_TRUE(r->body == BuildFile("scores.csv"));  // byte for byte (not printed: large)
  auto c = Get("/api/v1/download/scores?format=csv");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->body == r->body);
}

TEST_F(ServeDataTest, DownloadTables) {
  // intervals = rank_stats.csv of `gpsi uncertainty` (same runs and seed) without the mean.
  auto rank_stats = Csv(ReadFile((*out_) / "u/rank_stats.csv"));
  auto r = Get("/api/v1/download/intervals");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto rows = Csv(r->body);
  ASSERT_EQ(rows.size(), rank_stats.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto want = rank_stats[i];
    want.erase(want.begin() + 4);  // mean
    ASSERT_EQ(rows[i], want) << i;
  }
  // weights = run.json's weights with the tree.
  auto run = Json::parse(BuildFile("run.json"));
  auto w = Csv(Get("/api/v1/download/weights")->body);
  EXPECT_EQ(w[0], (std::vector<std::string>{"node", "parent", "level", "weight"}));
  ASSERT_EQ(w.size(), 1 + run["weights"].size());
  for (std::size_t i = 1; i < w.size(); ++i) EXPECT_EQ(std::stod(w[i][3]), run["weights"][w[i][0]].get<double>());
  // units = /units rows with subregions.
  auto u = Csv(Get("/api/v1/download/units")->body);
  EXPECT_EQ(u.size(), 1 + GetJson("/api/v1/units")["units"].size());
  // sources = every stored release.
  auto cli = Json::parse(Gpsi("--json --db " + Quote(SharedStore()) + " sources").out);
  auto s = Get("/api/v1/download/sources");
  ASSERT_TRUE(s);
  EXPECT_EQ(std::count(s->body.begin(), s->body.end(), '\n'), static_cast<long>(1 + cli.size()));
  // indicators: every unit-year × indicator, score as scores.csv.
  auto want = ScoresByKey();
  auto ind = Csv(Get("/api/v1/download/indicators")->body);
  EXPECT_EQ(ind[0], (std::vector<std::string>{"year", "unit", "code", "raw", "imputed", "score", "source", "release",
                                              "tier", "licence"}));
  std::size_t n = 0;
  for (std::size_t i = 1; i < ind.size(); ++i) {
    if (ind[i].size() != 10) continue;  // a quoted licence with a comma
    const auto& f = want.at({std::stoi(ind[i][0]), ind[i][1], ind[i][2]});
    EXPECT_EQ(ind[i][5], f[4]) << i;
    EXPECT_EQ(ind[i][4] == "1", f[6].find('i') != std::string::npos) << i;
    ++n;
  }
  EXPECT_GT(n, 1000U);
}

TEST_F(ServeDataTest, DownloadXlsx) {
  for (const std::string table : {"scores", "indicators", "intervals", "units", "sources", "weights"}) {
    auto r = Get("/api/v1/download/" + table + "?format=xlsx");
    ASSERT_TRUE(r) << table;
    ASSERT_EQ(r->status, 200) << table << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    EXPECT_EQ(r->get_header_value("Content-Disposition"), "attachment; filename=\"gpsi-" + table + ".xlsx\"");
    ASSERT_GT(r->body.size(), 100U);
    EXPECT_EQ(r->body.substr(0, 2), "PK") << table;
    TempDir dir;
    WriteFile(dir / "t.xlsx", r->body);
    std::string list = dir / "list", sheet = dir / "sheet";
    ASSERT_EQ(std::system(("unzip -l " + Quote(dir / "t.xlsx") + " > " + Quote(list)).c_str()), 0) << table;
    EXPECT_NE(ReadFile(list).find("xl/worksheets/sheet1.xml"), std::string::npos) << table;
    ASSERT_EQ(
        std::system(("unzip -p " + Quote(dir / "t.xlsx") + " xl/worksheets/sheet1.xml > " + Quote(sheet)).c_str()), 0);
    std::string xml = ReadFile(sheet);
    // The header is there, and numbers are numbers: weight of a dimension, year of a score.
    if (table == "weights") {
      EXPECT_NE(xml.find(">node<"), std::string::npos);
      EXPECT_NE(xml.find("<v>"), std::string::npos);
    }
    if (table == "scores") {
      auto run = Json::parse(BuildFile("run.json"));
      EXPECT_NE(xml.find("<v>" + std::to_string(run["years"].back().get<int>()) + "</v>"), std::string::npos);
      // One row per line of scores.csv (the header included).
      const std::string scores = BuildFile("scores.csv");
      auto lines = std::count(scores.begin(), scores.end(), '\n');
      EXPECT_NE(xml.find("<row r=\"" + std::to_string(lines) + "\""), std::string::npos);
      EXPECT_EQ(xml.find("<row r=\"" + std::to_string(lines + 1) + "\""), std::string::npos);
    }
  }
}

TEST_F(ServeDataTest, DownloadErrors) {
  ExpectError(Get("/api/v1/download/nothing"), 404, "not-found", "unknown table");
  ExpectError(Get("/api/v1/download/nothing?format=xlsx"), 404, "not-found", "unknown table xlsx");
  ExpectError(Get("/api/v1/download/scores?format=json"), 400, "usage", "format json");
  ExpectError(Get("/api/v1/download/scores?format=xls"), 400, "usage", "format xls");
  ExpectError(Get("/api/v1/download/scores?x=1"), 400, "usage", "unknown parameter");
  ExpectError(Get("/api/v1/download/scores?format=csv&format=xlsx"), 400, "usage", "repeated parameter");
}

TEST_F(ServeDataTest, AnswersAreStable) {
  // Answers depend on the published data only (they may be cached by URL).
  for (const char* p :
       {"/api/v1/meta", "/api/v1/units/FRA", "/api/v1/compare?units=CHN,USA", "/api/v1/download/scores?format=xlsx"}) {
    auto a = Get(p), b = Get(p);
    ASSERT_TRUE(a && b) << p;
    EXPECT_TRUE(a->body == b->body) << p;
  }
}

TEST(ServeDataNoIntervals, IntervalsZeroGivesNulls) {
  const std::string& db = SharedStore();
  ASSERT_FALSE(db.empty());
  ServeProcess p(db, {"--intervals", "0"});
  ASSERT_GT(p.port(), 0) << p.err();
  httplib::Client c = p.Client();
  auto meta = c.Get("/api/v1/meta");
  ASSERT_TRUE(meta);
  EXPECT_TRUE(Json::parse(meta->body)["intervals"].is_null());
  auto scores = c.Get("/api/v1/scores");
  ASSERT_TRUE(scores);
  const Json rows = Json::parse(scores->body);
  ASSERT_FALSE(rows["rows"].empty());
  for (const auto& row : rows["rows"]) EXPECT_TRUE(row["p05"].is_null());
  auto d = c.Get("/api/v1/download/intervals");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->body, "year,unit,code,nominal,median,p05,p95\n");
}

}  // namespace
}  // namespace gpsi::test
