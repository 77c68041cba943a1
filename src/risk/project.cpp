// Project files (docs/risk.md, "Project files"): a project of an overseas enterprise in TOML or JSON,
// its checks, and its canonical JSON. A JSON file is turned into the TOML tree first, so both forms
// pass the same checks and give the same messages (TOML's with a line and column).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <utility>
#include <variant>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "risk.hpp"

namespace gpsi::risk {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxBytes = std::size_t{1} << 20;  // 1 MiB
constexpr std::size_t kMaxName = 200;                    // characters (code points)
constexpr std::int64_t kMaxStaff = 1000000;
constexpr double kMaxRadiusKm = 500;
constexpr int kMaxJsonDepth = 16;  // the format nests 3 deep; anything far deeper is not a project

// ---- errors ---------------------------------------------------------------------------------------

//! 1-based line and column (in characters) of byte `offset` of `text`.
std::pair<std::int64_t, std::int64_t> LineColumn(std::string_view text, std::size_t offset) {
  std::int64_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line, column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

//! A kBadProject error in `origin`, at `at` when that came from the file (a TOML position).
Error Bad(const std::string& origin, std::string message, const toml::source_region* at = nullptr) {
  Error e{Errc::kBadProject, std::move(message), origin};
  if (at && at->begin.line > 0) {
    e.line = at->begin.line;
    e.column = at->begin.column;
  }
  return e;
}

//! A key as a message shows it: bare when it is a TOML bare key, else quoted with JSON escapes.
std::string KeyText(std::string_view key) {
  bool bare = !key.empty();
  for (char c : key) {
    bare = bare && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  return bare ? std::string(key) : Json(std::string(key)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Join(const auto& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + std::string(s);
  return out;
}

// ---- value rules --------------------------------------------------------------------------------

const std::vector<std::string> kTypes{"construction", "energy",  "mining", "transport", "manufacturing",
                                      "agriculture",  "telecom", "trade",  "services",  "other"};

//! The keys each table accepts ("route" is one point of the route).
const std::map<std::string, std::set<std::string>> kKeys{
    {"", {"project", "site", "route", "staff", "controls"}},
    {"project", {"id", "enterprise", "name", "name_zh", "type", "country", "start", "end", "assessed"}},
    {"site", {"lat", "lon", "admin_area", "radius_km"}},
    {"route", {"lat", "lon"}},
    {"staff", {"national", "expatriate"}},
    {"controls", {"in_place"}},
};

bool Lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool Upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool Digit(char c) {
  return c >= '0' && c <= '9';
}

//! A project or enterprise id: 1–64 of [a-z0-9-], the first a letter or digit.
bool IdLike(std::string_view s) {
  if (s.empty() || s.size() > 64 || s[0] == '-') return false;
  for (char c : s) {
    if (!Lower(c) && !Digit(c) && c != '-') return false;
  }
  return true;
}

//! A control id: 1–64 of [a-z0-9.-].
bool ControlLike(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!Lower(c) && !Digit(c) && c != '-' && c != '.') return false;
  }
  return true;
}

bool CountryLike(std::string_view s) {
  return s.size() == 3 && Upper(s[0]) && Upper(s[1]) && Upper(s[2]);
}

bool AdminAreaLike(std::string_view s) {
  return s.size() == 4 && Upper(s[0]) && Upper(s[1]) && (Upper(s[2]) || Digit(s[2])) && (Upper(s[3]) || Digit(s[3]));
}

//! A name: valid UTF-8 (the whole text is checked first), not blank, at most kMaxName characters,
//! no control characters (C0, DEL, C1).
bool NameLike(std::string_view s) {
  std::size_t chars = 0;
  bool blank = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) return false;  // U+0080–9F
    if ((c & 0xC0) != 0x80) ++chars;
    blank = blank && c == ' ';
  }
  return !blank && chars <= kMaxName;
}

bool ValidDate(int y, int m, int d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

//! The date at `n` as "YYYY-MM-DD": a TOML local date or a string of that form naming a real day.
std::optional<std::string> DateOf(const toml::node& n) {
  int y = 0, m = 0, d = 0;
  if (const auto* date = n.as_date()) {
    y = date->get().year, m = date->get().month, d = date->get().day;
  } else if (const auto* s = n.as_string()) {
    const std::string& t = s->get();
    if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
      if (!Digit(t[i])) return std::nullopt;
    }
    y = std::stoi(t.substr(0, 4)), m = std::stoi(t.substr(5, 2)), d = std::stoi(t.substr(8, 2));
  } else {
    return std::nullopt;
  }
  if (!ValidDate(y, m, d)) return std::nullopt;
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

// ---- the tree -----------------------------------------------------------------------------------

//! The first problem found in the file (code kOk while there is none).
struct Problem {
  const std::string& origin;
  Error error{Errc::kOk, ""};
  bool ok() const { return error.code == Errc::kOk; }
  void Add(std::string message, const toml::source_region* at) {
    if (ok()) error = Bad(origin, std::move(message), at);
  }
  void Add(std::string message, const toml::node* at = nullptr) {
    Add(std::move(message), at ? &at->source() : nullptr);
  }
};

//! Reads one table of the file: its keys against kKeys, then typed values by key path. Every
//! problem goes to one Problem, which keeps the first; a value read after it is left as it was.
class Reader {
 public:
  Reader(const toml::table& t, const std::string& kind, std::string path, Problem& problem)
      : t_(t), path_(std::move(path)), problem_(problem) {
    const auto& known = kKeys.at(kind);
    for (const auto& [key, node] : t_) {
      if (!known.contains(std::string(key.str()))) {
        problem_.Add(fmt::format("unknown key {} (known: {})", Path(KeyText(key.str())), Join(known)), &key.source());
      }
    }
  }

  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  const toml::node* Get(std::string_view key) const { return t_.get(key); }
  void Fail(std::string message, const toml::node* at) { problem_.Add(std::move(message), at); }
  void Missing(std::string_view key) { Fail(Path(key) + " is required", &t_); }
  void Wrong(std::string_view key, std::string_view rule) {
    Fail(fmt::format("{} must be {}", Path(key), rule), Get(key));
  }

  //! A string accepted by `valid` into `out` (left as it is when absent); `rule` says what it must be.
  template <class Valid>
  void Text(std::string_view key, std::string_view rule, Valid valid, bool required, std::string& out) {
    const toml::node* n = Get(key);
    if (!n) return required ? Missing(key) : void();
    const auto* s = n->as_string();
    if (!s || !valid(s->get())) return Wrong(key, rule);
    out = s->get();
  }

  //! A date (TOML local date or "YYYY-MM-DD") as "YYYY-MM-DD".
  void Date(std::string_view key, bool required, std::string& out) {
    const toml::node* n = Get(key);
    if (!n) return required ? Missing(key) : void();
    auto d = DateOf(*n);
    if (!d) return Wrong(key, "a date YYYY-MM-DD (a TOML local date or a string) that exists in the calendar");
    out = *d;
  }

  //! A finite number in [lo, hi] (lo excluded when `open_lo`).
  void Number(std::string_view key, double lo, double hi, bool open_lo, std::string_view rule,
              std::optional<double>& out) {
    const toml::node* n = Get(key);
    if (!n) return;
    const auto x = n->is_number() ? n->value<double>() : std::nullopt;
    if (!x || !std::isfinite(*x) || *x < lo || *x > hi || (open_lo && *x == lo)) return Wrong(key, rule);
    out = x;
  }

  //! An integer from 0 to kMaxStaff.
  void Count(std::string_view key, int& out) {
    const toml::node* n = Get(key);
    if (!n) return;
    const auto x = n->value_exact<std::int64_t>();
    if (!x || *x < 0 || *x > kMaxStaff) return Wrong(key, "an integer from 0 to 1000000");
    out = static_cast<int>(*x);
  }

  //! The sub-table at `key`, nullptr when absent or not a table.
  const toml::table* Table(std::string_view key) {
    const toml::node* n = Get(key);
    if (n && !n->is_table()) Wrong(key, "a table");
    return n ? n->as_table() : nullptr;
  }

  //! A point's lat and lon: both or neither, unless `required` (both).
  std::optional<Point> Where(bool required) {
    std::optional<double> lat, lon;
    Number("lat", -90, 90, false, "a number from -90 to 90", lat);
    Number("lon", -180, 180, false, "a number from -180 to 180", lon);
    if (!Get("lat") && (required || Get("lon"))) Missing("lat");
    if (!Get("lon") && (required || Get("lat"))) Missing("lon");
    if (!lat || !lon) return std::nullopt;
    return Point{*lat, *lon};
  }

 private:
  const toml::table& t_;
  std::string path_;
  Problem& problem_;
};

constexpr std::string_view kIdRule = "1 to 64 characters of a-z, 0-9 and '-', starting with a letter or digit";
constexpr std::string_view kNameRule = "a non-blank string of at most 200 characters without control characters";

void ReadProject(Reader& r, Project& p) {
  const auto is_type = [](const std::string& s) { return std::find(kTypes.begin(), kTypes.end(), s) != kTypes.end(); };
  r.Text("id", kIdRule, IdLike, true, p.id);
  r.Text("enterprise", kIdRule, IdLike, true, p.enterprise);
  r.Text("name", kNameRule, NameLike, true, p.name);
  r.Text("name_zh", kNameRule, NameLike, false, p.name_zh);
  r.Text("type", "one of: " + Join(kTypes), is_type, true, p.type);
  r.Text("country", "an ISO 3166-1 alpha-3 code: 3 upper-case letters A-Z", CountryLike, true, p.country);
  r.Date("start", true, p.start);
  r.Date("end", true, p.end);
  r.Date("assessed", false, p.assessed);
  if (!p.start.empty() && !p.end.empty() && p.end < p.start) {
    r.Fail(fmt::format("project.end ({}) is before project.start ({})", p.end, p.start), r.Get("end"));
  }
}

void ReadSite(Reader& r, Project& p) {
  p.site = r.Where(false);
  r.Text("admin_area", "2 upper-case letters then 2 upper-case letters or digits (FIPS 10-4, e.g. \"KE05\")",
         AdminAreaLike, false, p.admin_area);
  std::optional<double> radius;
  r.Number("radius_km", 0, kMaxRadiusKm, true, "a number greater than 0 and at most 500", radius);
  p.radius_km = radius.value_or(kNa);
}

void ReadRoute(const toml::node& n, Project& p, Problem& problem) {
  const auto* route = n.as_array();
  if (!route) return problem.Add("route must be an array of points (tables with lat and lon)", &n);
  if (route->size() < 2) return problem.Add("route needs at least 2 points", &n);
  for (std::size_t i = 0; i < route->size() && problem.ok(); ++i) {
    const std::string path = fmt::format("route[{}]", i);
    const toml::table* point = route->get(i)->as_table();
    if (!point) return problem.Add(path + " must be a table with lat and lon", route->get(i));
    Reader r(*point, "route", path, problem);
    if (auto at = r.Where(true)) p.route.push_back(*at);
  }
}

void ReadControls(const toml::node& n, Project& p, Problem& problem) {
  const auto* ids = n.as_array();
  if (!ids) return problem.Add("controls.in_place must be an array of control ids", &n);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < ids->size(); ++i) {
    const auto* s = ids->get(i)->as_string();
    if (!s || !ControlLike(s->get())) {
      return problem.Add(
          fmt::format("controls.in_place[{}] must be a control id: 1 to 64 characters of a-z, 0-9, '.' and '-'", i),
          ids->get(i));
    }
    if (!seen.insert(s->get()).second) {
      return problem.Add(fmt::format("controls.in_place names \"{}\" twice", s->get()), ids->get(i));
    }
    p.controls.push_back(s->get());
  }
}

Result<Project> ReadTree(const toml::table& root, const std::string& origin) {
  Problem problem{origin};
  Reader top(root, "", "", problem);
  Project p;
  const toml::table* project = top.Table("project");
  if (!project && !top.Get("project")) {
    problem.Add("project is required: a [project] table with id, enterprise, name, type, country, start and end");
  }
  if (project) {
    Reader r(*project, "project", "project", problem);
    ReadProject(r, p);
  }
  const toml::table* site = top.Table("site");
  if (site) {
    Reader r(*site, "site", "site", problem);
    ReadSite(r, p);
  }
  if (problem.ok() && !p.site && p.admin_area.empty()) {
    problem.Add("site needs lat and lon, or admin_area (or both)", site);
  }
  if (const toml::node* route = top.Get("route"); route && problem.ok()) ReadRoute(*route, p, problem);
  if (const toml::table* staff = top.Table("staff")) {
    Reader r(*staff, "staff", "staff", problem);
    r.Count("national", p.staff_national);
    r.Count("expatriate", p.staff_expatriate);
  }
  if (const toml::table* controls = top.Table("controls")) {
    Reader r(*controls, "controls", "controls", problem);
    if (const toml::node* in_place = r.Get("in_place"); in_place && problem.ok()) ReadControls(*in_place, p, problem);
  }
  if (!problem.ok()) return problem.error;
  return p;
}

// ---- the two syntaxes ---------------------------------------------------------------------------

Result<toml::table> FromToml(std::string_view text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return Error{Errc::kBadProject, "invalid TOML: " + std::string(e.description()), origin,
                 static_cast<std::int64_t>(e.source().begin.line), static_cast<std::int64_t>(e.source().begin.column)};
  }
}

//! A JSON value as TOML holds it.
using TomlValue = std::variant<toml::table, toml::array, std::string, std::int64_t, double, bool>;

//! The JSON value `j` (at `path`, `depth` levels down) as a TOML value in `out`; a message for what
//! TOML cannot hold, else "".
std::string Convert(const Json& j, const std::string& path, int depth, TomlValue& out) {
  if (depth > kMaxJsonDepth) return path + " is nested too deeply";
  switch (j.type()) {
    case Json::value_t::object: {
      toml::table t;
      for (const auto& item : j.items()) {
        const std::string& key = item.key();  // not a structured binding: the lambda below captures it
        TomlValue v;
        const std::string sub = path.empty() ? KeyText(key) : path + "." + KeyText(key);
        if (auto e = Convert(item.value(), sub, depth + 1, v); !e.empty()) return e;
        std::visit([&](auto&& x) { t.insert(key, std::move(x)); }, v);
      }
      out = std::move(t);
      return "";
    }
    case Json::value_t::array: {
      toml::array a;
      for (std::size_t i = 0; i < j.size(); ++i) {
        TomlValue v;
        if (auto e = Convert(j[i], fmt::format("{}[{}]", path, i), depth + 1, v); !e.empty()) return e;
        std::visit([&](auto&& x) { a.push_back(std::move(x)); }, v);
      }
      out = std::move(a);
      return "";
    }
    case Json::value_t::string: out = j.get<std::string>(); return "";
    case Json::value_t::boolean: out = j.get<bool>(); return "";
    case Json::value_t::number_integer: out = j.get<std::int64_t>(); return "";
    case Json::value_t::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        out = static_cast<std::int64_t>(u);
      } else {
        out = static_cast<double>(u);
      }
      return "";
    }
    case Json::value_t::number_float: out = j.get<double>(); return "";
    case Json::value_t::null: return path + " is null: leave the key out instead";
    default: return path + " is not a JSON value";
  }
}

Result<toml::table> FromJson(std::string_view text, std::size_t skipped, std::string_view whole,
                             const std::string& origin) {
  // nlohmann keeps the last of repeated keys; a project file must not say two things.
  std::vector<std::set<std::string>> keys;
  std::string repeated;
  const Json::parser_callback_t note = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) keys.emplace_back();
    if (event == Json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    if (event == Json::parse_event_t::key && !keys.empty() && parsed.is_string() && repeated.empty()) {
      if (!keys.back().insert(parsed.get<std::string>()).second) repeated = parsed.get<std::string>();
    }
    return true;
  };
  Json j;
  try {
    j = Json::parse(text.begin(), text.end(), note);
  } catch (const Json::parse_error& e) {
    std::string what = e.what();
    if (auto at = what.find(": "); what.rfind("[json.exception.", 0) == 0 && at != std::string::npos) {
      what = what.substr(at + 2);
    }
    const std::size_t offset = skipped + (e.byte > 0 ? e.byte - 1 : 0);  // e.byte counts from 1
    const auto [line, column] = LineColumn(whole, offset);
    return Error{Errc::kBadProject, fmt::format("invalid JSON at byte {}: {}", offset, what), origin, line, column};
  } catch (const Json::exception& e) {
    std::string what = e.what();
    if (auto at = what.find("] "); what.rfind("[json.exception.", 0) == 0 && at != std::string::npos) {
      what = what.substr(at + 2);
    }
    return Bad(origin, "invalid JSON: " + what);
  }
  if (!repeated.empty()) {
    return Bad(origin, fmt::format("invalid JSON: the key {} appears twice in one object", KeyText(repeated)));
  }
  if (!j.is_object()) return Bad(origin, "invalid JSON: the file must be one object");
  TomlValue tree;
  if (auto e = Convert(j, "", 0, tree); !e.empty()) return Bad(origin, e);
  return std::move(std::get<toml::table>(tree));
}

Result<Project> Parse(std::string_view text, const std::string& origin) {
  if (text.size() > kMaxBytes) {
    return Bad(origin, fmt::format("the file is {} bytes, over the limit of 1 MiB ({} bytes)", text.size(), kMaxBytes));
  }
  if (Utf8Validator v; !v.Feed(text) || v.Incomplete()) {
    // The broken sequence starts where the longest well-formed prefix before the failing byte ends.
    std::size_t at = v.Incomplete() && v.error_offset() == 0 ? text.size() : v.error_offset();
    for (std::size_t back = 0; back < 4 && back <= at; ++back) {
      if (ValidUtf8(text.substr(0, at - back))) {
        at -= back;
        break;
      }
    }
    const auto [line, column] = LineColumn(text, at);
    return Error{Errc::kBadProject, fmt::format("the file is not UTF-8 (byte {})", at), origin, line, column};
  }
  const std::string_view whole = text;
  std::size_t skipped = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3), skipped = 3;  // a byte-order mark
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Bad(origin, "the file is empty");
  Result<toml::table> tree = text[first] == '{' ? FromJson(text, skipped, whole, origin) : FromToml(text, origin);
  if (!tree) return tree.error();
  return ReadTree(*tree, origin);
}

}  // namespace

const std::vector<std::string>& ProjectTypes() {
  return kTypes;
}

Result<Project> ParseProject(std::string_view text, const std::string& origin) {
  try {
    return Parse(text, origin);
  } catch (const std::exception& e) {
    return Bad(origin, fmt::format("cannot read the project: {}", e.what()));
  }
}

std::string ProjectJson(const Project& p) {
  Json project{{"id", p.id},           {"enterprise", p.enterprise}, {"name", p.name}, {"type", p.type},
               {"country", p.country}, {"start", p.start},           {"end", p.end}};
  if (!p.name_zh.empty()) project["name_zh"] = p.name_zh;
  if (!p.assessed.empty()) project["assessed"] = p.assessed;
  Json site = Json::object();
  if (p.site) site["lat"] = p.site->lat, site["lon"] = p.site->lon;
  if (!p.admin_area.empty()) site["admin_area"] = p.admin_area;
  if (!IsNa(p.radius_km)) site["radius_km"] = p.radius_km;
  Json j{{"project", std::move(project)},
         {"site", std::move(site)},
         {"staff", {{"national", p.staff_national}, {"expatriate", p.staff_expatriate}}}};
  if (!p.route.empty()) {
    Json route = Json::array();
    for (const Point& at : p.route) route.push_back({{"lat", at.lat}, {"lon", at.lon}});
    j["route"] = std::move(route);
  }
  if (!p.controls.empty()) j["controls"] = {{"in_place", p.controls}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace gpsi::risk
