// Project files (docs/risk.md, "Project files"): the TOML and JSON examples give one project, the
// canonical JSON reads back to it, and every rule of the format refuses its breach with a message
// naming the key. The cases are files: tests/unit/risk/projects/good/ must parse, and each file of
// bad/ must be refused with the text its first line (TOML "# expect: …") or its .expect sidecar
// (JSON) gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "risk.hpp"

namespace gpsi::risk {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(GPSI_TESTS_DIR) / "unit" / "risk" / "projects";

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> Files(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ext) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool Same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

//! Field by field (radius NaN equals NaN), with the differing field in the failure message.
testing::AssertionResult Equal(const Project& a, const Project& b) {
  auto differ = [](const char* field) { return testing::AssertionFailure() << "projects differ in " << field; };
  if (a.id != b.id) return differ("id");
  if (a.enterprise != b.enterprise) return differ("enterprise");
  if (a.name != b.name || a.name_zh != b.name_zh) return differ("name");
  if (a.type != b.type) return differ("type");
  if (a.country != b.country) return differ("country");
  if (a.site.has_value() != b.site.has_value() ||
      (a.site && (!Same(a.site->lat, b.site->lat) || !Same(a.site->lon, b.site->lon)))) {
    return differ("site");
  }
  if (a.admin_area != b.admin_area) return differ("admin_area");
  if (a.route.size() != b.route.size()) return differ("route");
  for (std::size_t i = 0; i < a.route.size(); ++i) {
    if (!Same(a.route[i].lat, b.route[i].lat) || !Same(a.route[i].lon, b.route[i].lon)) return differ("route");
  }
  if (!Same(a.radius_km, b.radius_km)) return differ("radius_km");
  if (a.staff_national != b.staff_national || a.staff_expatriate != b.staff_expatriate) return differ("staff");
  if (a.start != b.start || a.end != b.end || a.assessed != b.assessed) return differ("dates");
  if (a.controls != b.controls) return differ("controls");
  return testing::AssertionSuccess();
}

Project MustParse(const std::string& text, const std::string& origin = "test") {
  auto r = ParseProject(text, origin);
  EXPECT_TRUE(r.ok()) << origin << ": " << (r.ok() ? "" : r.error().Format());
  return r.ok() ? *r : Project{};
}

//! The error of a refused text (a failure when it is accepted or not kBadProject in `origin`).
Error Refused(const std::string& text, const std::string& origin = "p.toml") {
  auto r = ParseProject(text, origin);
  EXPECT_FALSE(r.ok()) << "accepted: " << text.substr(0, 200);
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, Errc::kBadProject);
  EXPECT_EQ(r.error().file, origin);
  return r.error();
}

//! The round trip every accepted project must survive: its JSON reads back to it, and is stable.
void ExpectRoundTrip(const Project& p) {
  const std::string json = ProjectJson(p);
  auto again = ParseProject(json, "canonical.json");
  ASSERT_TRUE(again.ok()) << again.error().Format() << "\n" << json;
  EXPECT_TRUE(Equal(p, *again)) << json;
  EXPECT_EQ(ProjectJson(*again), json);
}

const std::string kMinimal = R"([project]
id = "a"
enterprise = "b"
name = "c"
type = "other"
country = "KEN"
start = 2025-01-01
end = 2025-01-01
[site]
admin_area = "KE05"
)";

TEST(Project, TomlAndJsonExamplesAreOneProject) {
  const Project toml = MustParse(Slurp(kDir / "good" / "nairobi.toml"), "nairobi.toml");
  const Project json = MustParse(Slurp(kDir / "good" / "nairobi.json"), "nairobi.json");
  EXPECT_TRUE(Equal(toml, json));
  EXPECT_EQ(toml.id, "ke-nairobi-depot");
  EXPECT_EQ(toml.enterprise, "cn-example-rail");
  EXPECT_EQ(toml.name, "Nairobi rail maintenance depot");
  EXPECT_EQ(toml.name_zh, "内罗毕铁路维修基地");
  EXPECT_EQ(toml.type, "transport");
  EXPECT_EQ(toml.country, "KEN");
  EXPECT_EQ(toml.start, "2025-01-01");
  EXPECT_EQ(toml.end, "2027-06-30");
  EXPECT_EQ(toml.assessed, "2025-01-15");
  ASSERT_TRUE(toml.site.has_value());
  EXPECT_DOUBLE_EQ(toml.site->lat, -1.2921);
  EXPECT_DOUBLE_EQ(toml.site->lon, 36.8219);
  EXPECT_EQ(toml.admin_area, "KE05");
  EXPECT_EQ(toml.radius_km, 50);
  ASSERT_EQ(toml.route.size(), 2u);
  EXPECT_DOUBLE_EQ(toml.route[1].lon, 36.9278);
  EXPECT_EQ(toml.staff_national, 120);
  EXPECT_EQ(toml.staff_expatriate, 12);
  EXPECT_EQ(toml.controls, (std::vector<std::string>{"crime.guarded-compound", "road.journey-management"}));
}

TEST(Project, GoodFilesParseAndRoundTrip) {
  std::size_t n = 0;
  for (const auto& ext : {".toml", ".json"}) {
    for (const auto& path : Files(kDir / "good", ext)) {
      SCOPED_TRACE(path.filename().string());
      auto r = ParseProject(Slurp(path), path.filename().string());
      ASSERT_TRUE(r.ok()) << r.error().Format();
      ExpectRoundTrip(*r);
      ++n;
    }
  }
  EXPECT_GE(n, 5u);
}

TEST(Project, OptionalPartsAreLeftOutOfTheJson) {
  const Project p = MustParse(kMinimal);
  EXPECT_FALSE(p.site.has_value());
  EXPECT_TRUE(std::isnan(p.radius_km));
  EXPECT_TRUE(p.route.empty() && p.controls.empty() && p.name_zh.empty() && p.assessed.empty());
  EXPECT_EQ(
      ProjectJson(p),
      R"({"project":{"country":"KEN","end":"2025-01-01","enterprise":"b","id":"a","name":"c","start":"2025-01-01",)"
      R"("type":"other"},"site":{"admin_area":"KE05"},"staff":{"expatriate":0,"national":0}})");
  ExpectRoundTrip(p);
}

TEST(Project, CanonicalJsonOfTheExample) {
  const Project p = MustParse(Slurp(kDir / "good" / "nairobi.toml"));
  EXPECT_EQ(
      ProjectJson(p),
      R"({"controls":{"in_place":["crime.guarded-compound","road.journey-management"]},)"
      R"("project":{"assessed":"2025-01-15","country":"KEN","end":"2027-06-30","enterprise":"cn-example-rail",)"
      R"("id":"ke-nairobi-depot","name":"Nairobi rail maintenance depot","name_zh":"内罗毕铁路维修基地",)"
      R"("start":"2025-01-01","type":"transport"},"route":[{"lat":-1.3,"lon":36.8},{"lat":-1.3192,"lon":36.9278}],)"
      R"("site":{"admin_area":"KE05","lat":-1.2921,"lon":36.8219,"radius_km":50.0},)"
      R"("staff":{"expatriate":12,"national":120}})");
}

TEST(Project, RoundTripKeepsEveryDouble) {
  Project p = MustParse(kMinimal);
  p.site = Point{0.1 + 0.2, -179.99999999999997};
  p.route = {{-90, 180}, {1e-300, -0.0}, {89.99999999999999, 5e-324}};
  p.radius_km = 0.30000000000000004;
  p.name = "引号 \"quoted\" \\ back/slash é";
  p.controls = {"a", "b.c", "z-9"};
  p.staff_national = 1000000;
  ExpectRoundTrip(p);
}

TEST(Project, BadFilesAreRefusedWithTheirMessage) {
  std::size_t n = 0;
  for (const auto& ext : {".toml", ".json"}) {
    for (const auto& path : Files(kDir / "bad", ext)) {
      SCOPED_TRACE(path.filename().string());
      const std::string text = Slurp(path);
      std::string expect;
      if (ext == std::string(".toml")) {
        const std::string prefix = "# expect: ";
        ASSERT_EQ(text.rfind(prefix, 0), 0u) << "a bad TOML file starts with " << prefix;
        expect = text.substr(prefix.size(), text.find('\n') - prefix.size());
      } else {
        fs::path sidecar = path;
        expect = Slurp(sidecar.replace_extension(".expect"));
        ASSERT_FALSE(expect.empty()) << "a bad JSON file has a .expect sidecar";
        expect.erase(expect.find_last_not_of("\r\n") + 1);
      }
      const Error e = Refused(text, path.filename().string());
      EXPECT_NE(e.message.find(expect), std::string::npos) << "message: " << e.message << "\nexpected: " << expect;
      ++n;
    }
  }
  EXPECT_GE(n, 90u);
}

TEST(Project, TomlErrorsCarryTheirLine) {
  // A syntax error: toml++'s position.
  Error e = Refused("[project]\nid = \"a\"\nname = \"unterminated\n");
  EXPECT_EQ(e.line, 3);
  EXPECT_GT(e.column, 0);
  EXPECT_NE(e.message.find("invalid TOML"), std::string::npos);
  // A value out of range: the value's position.
  e = Refused(kMinimal + "lat = 91\nlon = 0\n");
  EXPECT_EQ(e.line, 11);
  EXPECT_EQ(e.column, 7);
  EXPECT_EQ(e.message, "site.lat must be a number from -90 to 90");
  // An unknown key: the key's position.
  e = Refused(kMinimal + "\n[budget]\nusd = 1\n");
  EXPECT_EQ(e.line, 12);
  EXPECT_EQ(e.message, "unknown key budget (known: controls, project, route, site, staff)");
  EXPECT_EQ(e.Format().rfind("p.toml:12:", 0), 0u) << e.Format();
}

TEST(Project, JsonSyntaxErrorsCarryTheirLine) {
  const Error e = Refused("{\n  \"project\": {\n    \"id\": \"a\",\n  }\n}\n", "p.json");
  EXPECT_EQ(e.line, 4);
  EXPECT_NE(e.message.find("invalid JSON at byte"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("[json.exception"), std::string::npos) << e.message;
}

TEST(Project, EmptyAndBlankFilesAreRefused) {
  EXPECT_EQ(Refused("").message, "the file is empty");
  EXPECT_EQ(Refused(" \n\t\r\n").message, "the file is empty");
  EXPECT_EQ(Refused("\xEF\xBB\xBF").message, "the file is empty");
  EXPECT_NE(Refused("{}", "p.json").message.find("project is required"), std::string::npos);
}

TEST(Project, ALeadingByteOrderMarkIsSkipped) {
  const Project plain = MustParse(kMinimal);
  EXPECT_TRUE(Equal(MustParse("\xEF\xBB\xBF" + kMinimal), plain));
  const std::string json = ProjectJson(plain);
  EXPECT_TRUE(Equal(MustParse("\xEF\xBB\xBF" + json), plain));
  EXPECT_TRUE(Equal(MustParse("\xEF\xBB\xBF \n" + json), plain));
  // One anywhere else is not white space.
  Refused(kMinimal + "\xEF\xBB\xBF\n");
  Refused("\xEF\xBB\xBF\xEF\xBB\xBF" + json);
}

TEST(Project, InvalidUtf8IsRefused) {
  std::string text = kMinimal;
  text.replace(text.find("name = \"c\""), 10, "name = \"caf\xE9\"");
  Error e = Refused(text);
  EXPECT_NE(e.message.find("not UTF-8"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.column, 12);
  e = Refused(kMinimal + "# \xF0\x9F\x98");  // cut in the middle of a character
  EXPECT_NE(e.message.find("not UTF-8"), std::string::npos) << e.message;
  e = Refused("{\"project\": {\"name\": \"\xC0\xAF\"}}", "p.json");  // an overlong '/'
  EXPECT_NE(e.message.find("not UTF-8"), std::string::npos) << e.message;
  e = Refused(kMinimal + "# \xED\xA0\x80\n");  // a surrogate
  EXPECT_NE(e.message.find("not UTF-8"), std::string::npos) << e.message;
}

TEST(Project, InputOverOneMebibyteIsRefused) {
  std::string text = kMinimal;
  text += "#" + std::string((1u << 20) - text.size() - 2, 'x') + "\n";
  ASSERT_EQ(text.size(), 1u << 20);
  MustParse(text);  // exactly 1 MiB is fine
  text += "\n";
  EXPECT_NE(Refused(text).message.find("over the limit of 1 MiB"), std::string::npos);
  EXPECT_NE(Refused(std::string(3u << 20, '{'), "p.json").message.find("over the limit"), std::string::npos);
}

TEST(Project, NamesCountCharactersNotBytes) {
  std::string text = kMinimal;
  std::string name;
  for (int i = 0; i < 200; ++i) name += "铁";
  text.replace(text.find("name = \"c\""), 10, "name = \"" + name + "\"");
  EXPECT_EQ(MustParse(text).name, name);
}

TEST(Project, DatesAreCalendarDays) {
  auto with_start = [](const std::string& start) {
    std::string text = kMinimal;
    text.replace(text.find("start = 2025-01-01"), 18, "start = " + start);
    text.replace(text.find("end = 2025-01-01"), 16, "end = 9999-12-31");
    return text;
  };
  for (const char* good : {"\"2024-02-29\"", "\"2000-02-29\"", "\"0001-01-01\"", "2024-02-29", "\"2025-12-31\""}) {
    SCOPED_TRACE(good);
    MustParse(with_start(good));
  }
  for (const char* bad : {"\"2025-02-30\"", "\"2025-02-29\"", "\"2100-02-29\"", "\"2025-04-31\"", "\"2025-00-10\"",
                          "\"2025-01-00\"", "\"2025-01-32\"", "\"25-01-01\"", "\"2025/01/01\"", "\"2025-01-01 \"",
                          "\"+202-01-01\"", "\"2025-01-01T00:00:00Z\"", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00",
                          "12:00:00", "2025", "true", "[2025, 1, 1]"}) {
    SCOPED_TRACE(bad);
    const Error e = Refused(with_start(bad));
    EXPECT_NE(e.message.find("project.start must be a date YYYY-MM-DD"), std::string::npos) << e.message;
  }
}

TEST(Project, RangesIncludeTheirBounds) {
  for (const char* site : {"lat = 90\nlon = 180", "lat = -90\nlon = -180", "lat = 0\nlon = 0\nradius_km = 500",
                           "lat = 0\nlon = 0\nradius_km = 1e-9", "admin_area = \"USCA\"", "admin_area = \"UK0A\""}) {
    SCOPED_TRACE(site);
    std::string text = kMinimal;
    text.replace(text.find("admin_area = \"KE05\""), 19, site);
    MustParse(text);
  }
}

TEST(Project, ProjectTypesAreTheDocumentedTen) {
  EXPECT_EQ(ProjectTypes(), (std::vector<std::string>{"construction", "energy", "mining", "transport", "manufacturing",
                                                      "agriculture", "telecom", "trade", "services", "other"}));
  for (const auto& type : ProjectTypes()) {
    std::string text = kMinimal;
    text.replace(text.find("\"other\""), 7, "\"" + type + "\"");
    EXPECT_EQ(MustParse(text).type, type);
  }
}

TEST(Project, NothingThrows) {
  // Truncations of both examples: each is accepted or refused, never thrown.
  for (const char* file : {"nairobi.toml", "nairobi.json"}) {
    const std::string text = Slurp(kDir / "good" / file);
    for (std::size_t n = 0; n <= text.size(); ++n) {
      auto r = ParseProject(std::string_view(text).substr(0, n), file);
      if (r) {
        ExpectRoundTrip(*r);
      } else {
        EXPECT_EQ(r.error().code, Errc::kBadProject);
      }
    }
  }
}

}  // namespace
}  // namespace gpsi::risk
