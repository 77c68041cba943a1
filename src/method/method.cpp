// Methodology files: TOML → toml::table → (overrides) → validated Method, hashed canonically.
#include "method.hpp"

#include "detail/toml_errors.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace gpsi::method {
namespace {

using detail::Bad;
using detail::BadKey;

// The keys each table accepts; `--set` checks against the same lists so a typo is a usage error.
const std::set<std::string> kIndexKeys{"id", "name_en", "name_zh", "version", "coverage_rule", "units"};
const std::set<std::string> kPipelineKeys{
    "denominate",          "impute",  "screen", "screen_on", "treat",     "normalise", "aggregate",
    "aggregate_min_share", "weights", "years",  "panel",     "min_units", "fallback",  "level_adjust"};
const std::set<std::string> kNodeKeys{"code", "name_en", "name_zh", "parent", "weight", "aggregate"};
const std::set<std::string> kIndicatorKeys{"code",      "name_en",     "name_zh",     "parent",      "weight",
                                           "direction", "reads",       "transform",   "denominator", "goalposts",
                                           "target",    "source_note", "lag_weights", "fill",        "gti",
                                           "role",      "sum",         "fallback",    "carry"};
// A [[indicator.fallback]] series.
const std::set<std::string> kSeriesKeys{"reads", "sum", "denominator", "transform", "adjust", "note"};
const std::set<std::string> kEligibilityKeys{"population", "min_population", "max_missing_dimensions"};
// The `gti` table of an indicator (a derived Global Terrorism Index–style score) and its components
// with the IEP's weights (GTI 2023: incidents 1, deaths 3, injuries 0.5, hostages 0.5).
const std::set<std::string> kGtiKeys{"reads", "weights", "lag_weights", "lag_divisor", "banding", "top", "step"};
const std::vector<std::pair<std::string, double>> kGtiComponents{
    {"incidents", 1}, {"deaths", 3}, {"injuries", 0.5}, {"hostages", 0.5}};
// Keys whose values are text: a `--set` value for them is kept as written (so "1.10" stays "1.10").
const std::set<std::string> kTextKeys{"code",        "name_en",     "name_zh",       "parent", "version", "transform",
                                      "denominator", "source_note", "coverage_rule", "id",     "units",   "role"};

std::string KeyList(const std::set<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t p = s.find(sep, start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

std::optional<double> Num(std::string_view s) {
  return ParseNumber(Trim(s));
}

std::optional<int> Int(std::string_view s) {
  auto v = Num(s);
  // Range first: converting an out-of-range double to an integer is undefined behaviour.
  if (!v || *v < -1e9 || *v > 1e9 || *v != std::trunc(*v)) return std::nullopt;
  return static_cast<int>(*v);
}

//! A finite number (TOML integer or float) or nullopt; TOML's inf and nan are not numbers here.
std::optional<double> Finite(const toml::node& n) {
  if (!n.is_number()) return std::nullopt;
  auto x = n.value<double>();
  if (!x || !std::isfinite(*x)) return std::nullopt;
  return x;
}

//! A pipeline key's value as text (numbers and booleans as written), or nullopt if absent.
std::optional<std::string> Text(const toml::table& t, std::string_view key) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  if (auto s = n->value_exact<std::string>()) return *s;
  if (auto b = n->value_exact<bool>()) return *b ? "on" : "off";
  if (auto i = n->value_exact<std::int64_t>()) return std::to_string(*i);
  if (auto d = n->value_exact<double>()) return FormatNumber(*d);
  return std::string(n->is_array() ? "<array>" : n->is_table() ? "<table>" : "<date/time>");
}

// ---- pipeline value forms (ARCHITECTURE.md) ---------------------------------------------------

std::optional<Aggregate> ParseAggregate(const std::string& v) {
  static const std::map<std::string, Aggregate> kAgg{{"arithmetic", Aggregate::kArithmetic},
                                                     {"geometric", Aggregate::kGeometric},
                                                     {"harmonic", Aggregate::kHarmonic},
                                                     {"median", Aggregate::kMedian}};
  auto it = kAgg.find(v);
  if (it == kAgg.end()) return std::nullopt;
  return it->second;
}

Status ParsePipeline(const toml::table& t, Pipeline& p, const std::string& origin) {
  for (const auto& [k, v] : t) {
    if (!kPipelineKeys.count(std::string(k.str()))) {
      return BadKey(origin, fmt::format("unknown key pipeline.{} (known: {})", k.str(), KeyList(kPipelineKeys)), k);
    }
  }
  auto bad = [&](std::string_view key, const std::string& v, std::string_view forms) {
    return Bad(origin, fmt::format("pipeline.{} = \"{}\" is not one of: {}", key, v, forms), t.get(key));
  };
  if (auto v = Text(t, "denominate")) {
    if (*v == "on" || *v == "true") {
      p.denominate = true;
    } else if (*v == "off" || *v == "false") {
      p.denominate = false;
    } else {
      return bad("denominate", *v, "on, off");
    }
  }
  if (auto v = Text(t, "impute")) {
    const std::string forms = "none, mean, median, group-mean:<group>, group-median:<group>, locf:<k ≥ 1>, interpolate";
    auto parts = Split(*v, ':');
    const std::string& m = parts[0];
    if (parts.size() == 1 && m == "none") {
      p.impute = Impute::kNone;
    } else if (parts.size() == 1 && m == "mean") {
      p.impute = Impute::kMean;
    } else if (parts.size() == 1 && m == "median") {
      p.impute = Impute::kMedian;
    } else if (parts.size() == 1 && m == "interpolate") {
      p.impute = Impute::kInterpolate;
    } else if (parts.size() == 2 && (m == "group-mean" || m == "group-median") && !parts[1].empty()) {
      p.impute = m == "group-mean" ? Impute::kGroupMean : Impute::kGroupMedian;
      p.impute_group = parts[1];
    } else if (parts.size() == 2 && m == "locf" && Int(parts[1]) && *Int(parts[1]) >= 1) {
      p.impute = Impute::kLocf;
      p.locf_years = *Int(parts[1]);
    } else {
      return bad("impute", *v, forms);
    }
  }
  if (auto v = Text(t, "screen")) {
    auto parts = Split(*v, ':');
    if (parts.size() == 1 && parts[0] == "none") {
      p.screen_share = 0;
    } else if (parts.size() == 2 && parts[0] == "na" && Num(parts[1]) && *Num(parts[1]) >= 0 && *Num(parts[1]) <= 1) {
      p.screen_share = *Num(parts[1]);
    } else {
      return bad("screen", *v, "none, na:<min data share in [0,1]>");
    }
  }
  if (auto v = Text(t, "screen_on")) {
    if (*v != "raw" && *v != "imputed") return bad("screen_on", *v, "raw, imputed");
    p.screen_before_impute = *v == "raw";
  }
  if (auto v = Text(t, "treat")) {
    auto parts = Split(*v, ':');
    if (parts.size() == 1 && parts[0] == "none") {
      p.treat_winmax = -1;
    } else if (parts.size() == 2 && parts[0] == "jrc" && Int(parts[1]) && *Int(parts[1]) >= 0) {
      p.treat_winmax = *Int(parts[1]);
    } else {
      return bad("treat", *v, "none, jrc:<winmax ≥ 0>");
    }
  }
  if (auto v = Text(t, "normalise")) {
    const std::string forms =
        "minmax:<l>:<u> (l < u), zscore:<mean>:<sd> (sd > 0), rank, percentile, goalposts[:<scale>], "
        "frontier[:<scale>], band5";
    auto parts = Split(*v, ':');
    const std::string& m = parts[0];
    auto two = [&](double& a, double& b) {
      if (parts.size() != 3 || !Num(parts[1]) || !Num(parts[2])) return false;
      a = *Num(parts[1]), b = *Num(parts[2]);
      return true;
    };
    auto scale = [&](double dflt) {
      if (parts.size() == 1) {
        p.norm_p1 = 0, p.norm_p2 = dflt;
        return true;
      }
      if (parts.size() != 2 || !Num(parts[1]) || *Num(parts[1]) <= 0) return false;
      p.norm_p1 = 0, p.norm_p2 = *Num(parts[1]);
      return true;
    };
    if (m == "minmax" && two(p.norm_p1, p.norm_p2) && p.norm_p1 < p.norm_p2) {
      p.normalise = Normalise::kMinMax;
    } else if (m == "zscore" && two(p.norm_p1, p.norm_p2) && p.norm_p2 > 0) {
      p.normalise = Normalise::kZScore;
    } else if (m == "rank" && parts.size() == 1) {
      p.normalise = Normalise::kRank;
    } else if (m == "percentile" && parts.size() == 1) {
      p.normalise = Normalise::kPercentile;
    } else if (m == "goalposts" && scale(100)) {
      p.normalise = Normalise::kGoalposts;
    } else if (m == "frontier" && scale(100)) {
      p.normalise = Normalise::kDistFrontier;
    } else if (m == "band5" && parts.size() == 1) {
      p.normalise = Normalise::kBand5;
      p.norm_p1 = 1, p.norm_p2 = 5;
    } else {
      return bad("normalise", *v, forms);
    }
  }
  if (auto v = Text(t, "aggregate")) {
    auto a = ParseAggregate(*v);
    if (!a) return bad("aggregate", *v, "arithmetic, geometric, harmonic, median");
    p.aggregate = *a;
  }
  if (auto v = Text(t, "aggregate_min_share")) {
    auto x = Num(*v);
    if (!x || *x < 0 || *x > 1) return bad("aggregate_min_share", *v, "a share in [0,1]");
    p.aggregate_min_share = *x;
  }
  if (auto v = Text(t, "weights")) {
    static const std::map<std::string, Weights> kW{
        {"explicit", Weights::kExplicit}, {"equal", Weights::kEqual}, {"pca", Weights::kPca}};
    auto it = kW.find(*v);
    if (it == kW.end()) return bad("weights", *v, "explicit, equal, pca");
    p.weights = it->second;
  }
  if (auto v = Text(t, "years")) {
    auto parts = Split(*v, ':');
    if (parts.size() != 2 || !Int(parts[0]) || !Int(parts[1]) || *Int(parts[0]) > *Int(parts[1])) {
      return bad("years", *v, "<from>:<to> with from ≤ to");
    }
    p.year_from = *Int(parts[0]), p.year_to = *Int(parts[1]);
  }
  if (auto v = Text(t, "panel")) {
    if (*v != "pooled" && *v != "by-year") return bad("panel", *v, "pooled, by-year");
    p.by_year = *v == "by-year";
  }
  for (auto [key, field] : {std::pair{"fallback", &p.fallback}, {"level_adjust", &p.level_adjust}}) {
    if (auto v = Text(t, key)) {
      if (*v != "on" && *v != "off") return bad(key, *v, "on, off");
      *field = *v == "on";
    }
  }
  if (auto v = Text(t, "min_units")) {
    auto n = Int(*v);
    if (!n || *n < 1) return bad("min_units", *v, "an integer ≥ 1");
    p.min_year_units = *n;
  }
  return Ok();
}

// ---- overrides --------------------------------------------------------------------------------

//! A `--set` value as TOML would read it (number, boolean, array, quoted string), else as a plain
//! string. Only a single `v = …` line is accepted, so a value cannot smuggle in other keys.
std::unique_ptr<toml::node> ParseValue(const std::string& text) {
  if (text.find_first_of("\r\n") == std::string::npos) {
    try {
      toml::table t = toml::parse("v = " + text);
      if (toml::node* n = t.get("v"); n && t.size() == 1) {
        std::unique_ptr<toml::node> out;
        n->visit([&](auto&& x) { out = std::make_unique<std::remove_cvref_t<decltype(x)>>(x); });
        return out;
      }
    } catch (const toml::parse_error&) {
    }
  }
  return std::make_unique<toml::value<std::string>>(text);
}

//! The text of a `--set` value for a text key: a quoted TOML string unquoted, anything else as written.
std::string TextValue(const std::string& text) {
  auto n = ParseValue(text);
  if (auto s = n->value_exact<std::string>()) return *s;
  return text;
}

//! The array-of-tables entry (node or indicator) with this code; `indicator` says which array.
toml::table* FindEntry(toml::table& root, const std::string& code, bool& indicator) {
  for (const char* arr : {"indicator", "node"}) {
    if (auto* a = root[arr].as_array()) {
      for (auto& e : *a) {
        auto* t = e.as_table();
        if (t && t->get("code") && t->get("code")->value_exact<std::string>() == code) {
          indicator = std::string_view(arr) == "indicator";
          return t;
        }
      }
    }
  }
  return nullptr;
}

// ---- eligibility ---------------------------------------------------------------------------------

Status ParseEligibility(const toml::table& t, Eligibility& e, const std::string& origin) {
  for (const auto& [k, v] : t) {
    if (!kEligibilityKeys.count(std::string(k.str()))) {
      return BadKey(origin, fmt::format("unknown key eligibility.{} (known: {})", k.str(), KeyList(kEligibilityKeys)),
                    k);
    }
  }
  if (const toml::node* n = t.get("population")) {
    auto s = n->value_exact<std::string>();
    if (!s || s->empty()) return Bad(origin, "eligibility.population must be a stored indicator code", n);
    e.population = *s;
  }
  if (const toml::node* n = t.get("min_population")) {
    auto x = Finite(*n);
    if (!x || *x < 0) return Bad(origin, "eligibility.min_population must be a number ≥ 0", n);
    e.min_population = *x;
    if (e.min_population > 0 && e.population.empty()) {
      return Bad(origin, "eligibility.min_population needs eligibility.population (the stored code to compare)", n);
    }
  }
  if (const toml::node* n = t.get("max_missing_dimensions")) {
    auto x = n->value_exact<std::int64_t>();
    if (!x || *x < -1 || *x > 100) {
      return Bad(origin, "eligibility.max_missing_dimensions must be an integer ≥ 0 (−1: no rule)", n);
    }
    e.max_missing_dimensions = static_cast<int>(*x);
  }
  return Ok();
}

// ---- forecast -----------------------------------------------------------------------------------

const std::set<std::string> kForecastKeys{"model", "deterioration", "bottom", "count_event", "worse"};

Status ParseForecast(const toml::table& t, Forecast& f, const std::string& origin) {
  for (const auto& [k, v] : t) {
    if (!kForecastKeys.count(std::string(k.str()))) {
      return BadKey(origin, fmt::format("unknown key forecast.{} (known: {})", k.str(), KeyList(kForecastKeys)), k);
    }
  }
  if (const toml::node* n = t.get("model")) {
    auto s = n->value_exact<std::string>();
    if (!s || s->empty()) return Bad(origin, "forecast.model must be the name of a forecast model", n);
    f.model = *s;
  }
  if (const toml::node* n = t.get("deterioration")) {
    auto x = Finite(*n);
    if (!x || *x <= 0 || *x > 100)
      return Bad(origin, "forecast.deterioration must be a number of points in (0, 100]", n);
    f.deterioration = *x;
  }
  if (const toml::node* n = t.get("bottom")) {
    auto x = n->value_exact<std::int64_t>();
    if (!x || *x < 1 || *x > 1000) return Bad(origin, "forecast.bottom must be an integer from 1 to 1000", n);
    f.bottom = static_cast<int>(*x);
  }
  if (const toml::node* n = t.get("count_event")) {
    auto x = Finite(*n);
    if (!x || *x <= 0) return Bad(origin, "forecast.count_event must be a number > 0", n);
    f.count_event = *x;
  }
  if (const toml::node* n = t.get("worse")) {
    auto s = n->value_exact<std::string>();
    if (!s || (*s != "lower" && *s != "higher"))
      return Bad(origin, "forecast.worse must be \"lower\" or \"higher\"", n);
    f.higher_worse = *s == "higher";
  }
  return Ok();
}

// ---- risk ---------------------------------------------------------------------------------------

const std::set<std::string> kRiskKeys{"classes",      "class_en",      "class_zh",       "decimals",
                                      "trend_years",  "trend_band",    "max_age",        "validity_days",
                                      "radius_km",    "lookback_days", "half_life_days", "local_levels",
                                      "matrix_lower", "matrix_en",     "matrix_zh",      "threat"};
// A [[risk.threat]] and its [[risk.threat.control]]s.
const std::set<std::string> kThreatKeys{"id",     "name_en", "name_zh",       "node",    "events",
                                        "impact", "control", "expatriate_up", "route_up"};
const std::set<std::string> kControlKeys{"id", "en", "zh", "lowers", "steps"};

//! risk.<key>: `count` non-empty names, lowest first (`what`: "class" or "rating").
Status ParseNames(const toml::table& t, const char* key, std::size_t count, std::vector<std::string>& out,
                  const std::string& origin, std::string_view what = "class") {
  const toml::node* n = t.get(key);
  const toml::array* a = n ? n->as_array() : nullptr;
  if (!a || a->size() != count) {
    return Bad(origin, fmt::format("risk.{} must list the {} {} names, lowest first", key, count, what), n ? n : &t);
  }
  std::vector<std::string> names;
  for (const auto& e : *a) {
    auto s = e.value_exact<std::string>();
    if (!s || s->empty()) return Bad(origin, fmt::format("risk.{} must list non-empty names", key), &e);
    names.push_back(*s);
  }
  out = std::move(names);
  return Ok();
}

//! An id of 1 to 64 characters a–z, 0–9, '-' and any of `extra`.
bool IdOk(const std::string& id, std::string_view extra) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || extra.find(c) != extra.npos;
  });
}

//! A required non-empty text key of a threat or control table; `what` prefixes the message.
Result<std::string> NonEmpty(const toml::table& t, const char* key, const std::string& what,
                             const std::string& origin) {
  const toml::node* n = t.get(key);
  auto s = n ? n->value_exact<std::string>() : std::nullopt;
  if (!s || s->empty()) return Bad(origin, fmt::format("{}{} must be non-empty text", what, key), n ? n : &t);
  return *s;
}

//! One [[risk.threat.control]] of threat `what` ("risk.threat <id>: "); `ids` holds the method's
//! control ids so far.
Status ParseControl(const toml::node& node, const std::string& what, RiskControl& c, std::set<std::string>& ids,
                    const std::string& origin) {
  const toml::table* t = node.as_table();
  if (!t) return Bad(origin, what + "control must be an array of tables ([[risk.threat.control]])", &node);
  for (const auto& [k, v] : *t) {
    if (!kControlKeys.count(std::string(k.str()))) {
      return BadKey(
          origin, fmt::format("{}unknown key risk.threat.control.{} (known: {})", what, k.str(), KeyList(kControlKeys)),
          k);
    }
  }
  const toml::node* in = t->get("id");
  auto id = in ? in->value_exact<std::string>() : std::nullopt;
  if (!id || !IdOk(*id, ".")) {
    return Bad(origin, what + "control.id must be 1 to 64 characters of a-z, 0-9, . and -", in ? in : t);
  }
  if (!ids.insert(*id).second) return Bad(origin, fmt::format("two controls have the id {}", *id), in);
  c.id = *id;
  const std::string at = fmt::format("{}control {}: ", what, c.id);
  for (auto [key, field] : {std::pair{"en", &c.en}, {"zh", &c.zh}}) {
    auto s = NonEmpty(*t, key, at, origin);
    if (!s) return s.error();
    *field = *s;
  }
  if (const toml::node* n = t->get("lowers")) {
    auto s = n->value_exact<std::string>();
    if (!s || (*s != "likelihood" && *s != "impact")) {
      return Bad(origin, at + "lowers must be \"likelihood\" or \"impact\"", n);
    }
    c.lowers_impact = *s == "impact";
  }
  if (const toml::node* n = t->get("steps")) {
    auto x = n->value_exact<std::int64_t>();
    if (!x || *x < 1 || *x > 4) return Bad(origin, at + "steps must be an integer from 1 to 4", n);
    c.steps = static_cast<int>(*x);
  }
  return Ok();
}

//! One [[risk.threat]]. Its node is checked against the framework once the nodes are read.
Status ParseThreat(const toml::node& node, RiskThreat& th, std::set<std::string>& control_ids,
                   const std::string& origin) {
  const toml::table* t = node.as_table();
  if (!t) return Bad(origin, "risk.threat must be an array of tables ([[risk.threat]])", &node);
  for (const auto& [k, v] : *t) {
    if (!kThreatKeys.count(std::string(k.str()))) {
      return BadKey(origin, fmt::format("unknown key risk.threat.{} (known: {})", k.str(), KeyList(kThreatKeys)), k);
    }
  }
  const toml::node* in = t->get("id");
  auto id = in ? in->value_exact<std::string>() : std::nullopt;
  if (!id || !IdOk(*id, "")) {
    return Bad(origin, "risk.threat.id must be 1 to 64 characters of a-z, 0-9 and -", in ? in : t);
  }
  th.id = *id;
  const std::string what = fmt::format("risk.threat {}: ", th.id);
  for (auto [key, field] : {std::pair{"name_en", &th.name_en}, {"name_zh", &th.name_zh}}) {
    auto s = NonEmpty(*t, key, what, origin);
    if (!s) return s.error();
    *field = *s;
  }
  const toml::node* nn = t->get("node");
  auto code = nn ? nn->value_exact<std::string>() : std::nullopt;
  if (!code || code->empty()) {
    return Bad(origin, what + "node must be the code of the method node (indicator or aggregate) it reads",
               nn ? nn : t);
  }
  th.node = *code;
  if (const toml::node* n = t->get("events")) {
    const toml::array* a = n->as_array();
    if (!a) return Bad(origin, what + "events must list CAMEO root codes (integers from 1 to 20)", n);
    for (const auto& e : *a) {
      auto x = e.value_exact<std::int64_t>();
      if (!x || *x < 1 || *x > 20) {
        return Bad(origin, what + "events must list CAMEO root codes (integers from 1 to 20)", &e);
      }
      const int root = static_cast<int>(*x);
      if (std::find(th.event_roots.begin(), th.event_roots.end(), root) != th.event_roots.end()) {
        return Bad(origin, fmt::format("{}events lists {} twice", what, root), &e);
      }
      th.event_roots.push_back(root);
    }
  }
  if (const toml::node* n = t->get("impact")) {
    auto x = n->value_exact<std::int64_t>();
    if (!x || *x < 1 || *x > 5) return Bad(origin, what + "impact must be an integer from 1 to 5", n);
    th.impact = static_cast<int>(*x);
  }
  for (auto [key, field] : {std::pair{"expatriate_up", &th.expatriate_up}, {"route_up", &th.route_up}}) {
    if (const toml::node* n = t->get(key)) {
      auto b = n->value_exact<bool>();
      if (!b) return Bad(origin, fmt::format("{}{} must be true or false", what, key), n);
      *field = *b;
    }
  }
  if (const toml::node* n = t->get("control")) {
    const toml::array* a = n->as_array();
    if (!a) return Bad(origin, what + "control must be an array of tables ([[risk.threat.control]])", n);
    for (const auto& e : *a) {
      RiskControl c;
      if (auto st = ParseControl(e, what, c, control_ids, origin); !st) return st;
      th.controls.push_back(std::move(c));
    }
  }
  return Ok();
}

Status ParseRisk(const toml::table& t, RiskSpec& r, const std::string& origin) {
  for (const auto& [k, v] : t) {
    if (!kRiskKeys.count(std::string(k.str()))) {
      return BadKey(origin, fmt::format("unknown key risk.{} (known: {})", k.str(), KeyList(kRiskKeys)), k);
    }
  }
  const toml::node* cn = t.get("classes");
  const toml::array* ca = cn ? cn->as_array() : nullptr;
  if (!ca || ca->empty() || ca->size() > 20) {
    return Bad(origin, "risk.classes must list the lower bounds of the classes above the first (1 to 20 numbers)",
               cn ? cn : &t);
  }
  for (const auto& e : *ca) {
    auto x = Finite(e);
    if (!x || (!r.class_lower.empty() && *x <= r.class_lower.back())) {
      return Bad(origin, "risk.classes must be numbers in ascending order", &e);
    }
    r.class_lower.push_back(*x);
  }
  if (auto st = ParseNames(t, "class_en", r.classes(), r.class_en, origin); !st) return st;
  if (auto st = ParseNames(t, "class_zh", r.classes(), r.class_zh, origin); !st) return st;
  for (auto [key, field, lo, hi] : {std::tuple{"decimals", &r.decimals, 0, 6},
                                    {"trend_years", &r.trend_years, 2, 20},
                                    {"validity_days", &r.validity_days, 1, 3660},
                                    {"lookback_days", &r.lookback_days, 1, 3660}}) {
    if (const toml::node* n = t.get(key)) {
      auto x = n->value_exact<std::int64_t>();
      if (!x || *x < lo || *x > hi)
        return Bad(origin, fmt::format("risk.{} must be an integer from {} to {}", key, lo, hi), n);
      *field = static_cast<int>(*x);
    }
  }
  for (auto [key, field] :
       {std::pair{"trend_band", &r.trend_band}, {"max_age", &r.max_age}, {"half_life_days", &r.half_life_days}}) {
    if (const toml::node* n = t.get(key)) {
      auto x = Finite(*n);
      if (!x || *x <= 0) return Bad(origin, fmt::format("risk.{} must be a number > 0", key), n);
      *field = *x;
    }
  }
  if (const toml::node* n = t.get("radius_km")) {
    auto x = Finite(*n);
    if (!x || *x <= 0 || *x > 500) return Bad(origin, "risk.radius_km must be a number of km > 0 and ≤ 500", n);
    r.radius_km = *x;
  }
  if (const toml::node* n = t.get("local_levels")) {
    const std::string msg = "risk.local_levels must list 1 to 4 numbers > 0 in ascending order";
    const toml::array* a = n->as_array();
    if (!a || a->empty() || a->size() > 4) return Bad(origin, msg, n);
    std::vector<double> levels;
    for (const auto& e : *a) {
      auto x = Finite(e);
      if (!x || *x <= 0 || (!levels.empty() && *x <= levels.back())) return Bad(origin, msg, &e);
      levels.push_back(*x);
    }
    r.local_levels = std::move(levels);
  }
  // The risk matrix: its rating bounds, and one name per rating in each language.
  if (const toml::node* n = t.get("matrix_lower")) {
    const std::string msg = "risk.matrix_lower must list 1 to 10 integers from 2 to 25 in ascending order";
    const toml::array* a = n->as_array();
    if (!a || a->empty() || a->size() > 10) return Bad(origin, msg, n);
    std::vector<int> lower;
    for (const auto& e : *a) {
      auto x = e.value_exact<std::int64_t>();
      if (!x || *x < 2 || *x > 25 || (!lower.empty() && *x <= lower.back())) return Bad(origin, msg, &e);
      lower.push_back(static_cast<int>(*x));
    }
    r.matrix_lower = std::move(lower);
  }
  // Names are required with matrix_lower; without it they rename the default's ratings.
  for (auto [key, field] : {std::pair{"matrix_en", &r.matrix_en}, {"matrix_zh", &r.matrix_zh}}) {
    if (t.get("matrix_lower") || t.get(key)) {
      if (auto st = ParseNames(t, key, r.matrix_lower.size() + 1, *field, origin, "rating"); !st) return st;
    }
  }
  if (const toml::node* n = t.get("threat")) {
    const toml::array* a = n->as_array();
    if (!a) return Bad(origin, "risk.threat must be an array of tables ([[risk.threat]])", n);
    std::set<std::string> ids, control_ids;
    for (const auto& e : *a) {
      RiskThreat th;
      if (auto st = ParseThreat(e, th, control_ids, origin); !st) return st;
      if (!ids.insert(th.id).second) {
        return Bad(origin, fmt::format("two [[risk.threat]] tables have the id {}", th.id), e.as_table()->get("id"));
      }
      r.threats.push_back(std::move(th));
    }
  }
  return Ok();
}

// ---- warn ---------------------------------------------------------------------------------------

const std::set<std::string> kWarnKeys{"id", "rule", "reads", "window", "factor", "z", "min", "p", "severity"};

Status ParseWarnRule(const toml::table& t, WarnRule& w, const std::string& origin) {
  for (const auto& [k, v] : t) {
    if (!kWarnKeys.count(std::string(k.str()))) {
      return BadKey(origin, fmt::format("unknown key warn.{} (known: {})", k.str(), KeyList(kWarnKeys)), k);
    }
  }
  for (auto [key, field] :
       {std::pair{"id", &w.id}, {"rule", &w.rule}, {"reads", &w.reads}, {"severity", &w.severity}}) {
    if (const toml::node* n = t.get(key)) {
      auto s = n->value_exact<std::string>();
      if (!s) return Bad(origin, fmt::format("warn.{} must be text", key), n);
      *field = *s;
    }
  }
  if (w.id.empty()) return Bad(origin, "a [[warn]] rule needs an id", &t);
  const auto one_of = [](const auto& values, const std::string& v) {
    return std::find(values.begin(), values.end(), v) != values.end();
  };
  if (!one_of(kWarnRuleKinds, w.rule)) {
    return Bad(origin, "warn.rule must be threshold, surge, anomaly or forecast", t.get("rule") ? t.get("rule") : &t);
  }
  if (w.rule != "forecast" && w.reads.empty())
    return Bad(origin, "warn.reads (a stored code) is needed by " + w.rule, &t);
  if (!one_of(kWarnSeverities, w.severity)) {
    return Bad(origin, "warn.severity must be low, medium or high", t.get("severity"));
  }
  if (const toml::node* n = t.get("window")) {
    auto x = n->value_exact<std::int64_t>();
    if (!x || *x < 1 || *x > 120) return Bad(origin, "warn.window must be an integer from 1 to 120", n);
    w.window = static_cast<int>(*x);
  }
  for (auto [key, field, lo, hi] : {std::tuple{"factor", &w.factor, 1.0, 1e6},
                                    {"z", &w.z, 0.0, 100.0},
                                    {"min", &w.min, 0.0, 1e12},
                                    {"p", &w.p, 0.0, 1.0}}) {
    if (const toml::node* n = t.get(key)) {
      auto x = Finite(*n);
      if (!x || *x < lo || *x > hi)
        return Bad(origin, fmt::format("warn.{} must be a number from {} to {}", key, lo, hi), n);
      *field = *x;
    }
  }
  return Ok();
}

// ---- uncertainty --------------------------------------------------------------------------------

const std::set<std::string> kUncertaintyKeys{"weight_noise", "impute",    "treat",
                                             "normalise",    "aggregate", "exclude_one"};

Status ParseUncertainty(const toml::table& t, Uncertainty& u, const std::string& origin) {
  for (const auto& [k, v] : t) {
    if (!kUncertaintyKeys.count(std::string(k.str()))) {
      return BadKey(origin, fmt::format("unknown key uncertainty.{} (known: {})", k.str(), KeyList(kUncertaintyKeys)),
                    k);
    }
  }
  // Each alternative must be a valid value of the pipeline key it varies.
  for (auto [key, list] : {std::pair{"impute", &u.impute},
                           {"treat", &u.treat},
                           {"normalise", &u.normalise},
                           {"aggregate", &u.aggregate}}) {
    const toml::node* n = t.get(key);
    if (!n) continue;
    const toml::array* a = n->as_array();
    if (!a || a->empty()) return Bad(origin, fmt::format("uncertainty.{} must be a non-empty list of strings", key), n);
    for (const auto& e : *a) {
      auto s = e.value_exact<std::string>();
      if (!s) return Bad(origin, fmt::format("uncertainty.{} must be a list of strings", key), &e);
      Pipeline probe;
      if (auto st = ApplyPipelineValue(probe, key, *s); !st) {
        Error err = st.error();
        err.message = "uncertainty." + std::string(key) + ": " + err.message;
        err.file = origin;
        return err;
      }
      list->push_back(*s);
    }
  }
  if (const toml::node* n = t.get("weight_noise")) {
    const toml::array* a = n->as_array();
    if (!a) return Bad(origin, "uncertainty.weight_noise must be a list of [level, factor] pairs", n);
    for (const auto& e : *a) {
      const toml::array* pair = e.as_array();
      std::optional<std::int64_t> level =
          pair && pair->size() == 2 ? (*pair)[0].value_exact<std::int64_t>() : std::nullopt;
      std::optional<double> f = pair && pair->size() == 2 ? Finite((*pair)[1]) : std::nullopt;
      if (!level || !f || *level < 1 || *f < 0 || *f >= 1) {
        return Bad(origin, "uncertainty.weight_noise: each entry is [level ≥ 1, factor in [0, 1)]", &e);
      }
      u.weight_noise.emplace_back(static_cast<int>(*level), *f);
    }
  }
  if (const toml::node* n = t.get("exclude_one")) {
    auto b = n->value_exact<bool>();
    if (!b) return Bad(origin, "uncertainty.exclude_one must be true or false", n);
    u.exclude_one = *b;
  }
  return Ok();
}

Status ApplySet(toml::table& root, const std::string& set) {
  auto usage = [](std::string message) { return Error{Errc::kUsage, std::move(message)}; };
  auto eq = set.find('=');
  if (eq == std::string::npos) return usage(fmt::format("--set \"{}\": expected key=value", set));
  std::string key(Trim(std::string_view(set).substr(0, eq)));
  std::string value(Trim(std::string_view(set).substr(eq + 1)));
  if (key.empty()) return usage(fmt::format("--set \"{}\": expected key=value", set));
  auto parts = Split(key, '.');
  auto table_of = [&](const std::string& name) -> toml::table& {
    if (!root[name].as_table()) root.insert_or_assign(name, toml::table{});
    return *root[name].as_table();
  };
  if (parts.size() == 2 && parts[0] == "pipeline") {
    if (!kPipelineKeys.count(parts[1])) {
      return usage(fmt::format("--set {}: unknown pipeline key (known: {})", key, KeyList(kPipelineKeys)));
    }
    // Pipeline values are words in the forms of ARCHITECTURE.md ("on", "minmax:0:100"): keep the text.
    table_of("pipeline").insert_or_assign(parts[1], TextValue(value));
    return Ok();
  }
  if (parts.size() == 2 && parts[0] == "uncertainty") {
    if (!kUncertaintyKeys.count(parts[1])) {
      return usage(fmt::format("--set {}: unknown uncertainty key (known: {})", key, KeyList(kUncertaintyKeys)));
    }
    table_of("uncertainty").insert_or_assign(parts[1], std::move(*ParseValue(value)));
    return Ok();
  }
  if (parts.size() == 2 && parts[0] == "forecast") {
    if (!kForecastKeys.count(parts[1])) {
      return usage(fmt::format("--set {}: unknown forecast key (known: {})", key, KeyList(kForecastKeys)));
    }
    if (parts[1] == "model") {
      table_of("forecast").insert_or_assign(parts[1], TextValue(value));
    } else {
      table_of("forecast").insert_or_assign(parts[1], std::move(*ParseValue(value)));
    }
    return Ok();
  }
  if (parts.size() == 2 && parts[0] == "eligibility") {
    if (!kEligibilityKeys.count(parts[1])) {
      return usage(fmt::format("--set {}: unknown eligibility key (known: {})", key, KeyList(kEligibilityKeys)));
    }
    if (parts[1] == "population") {
      table_of("eligibility").insert_or_assign(parts[1], TextValue(value));
    } else {
      table_of("eligibility").insert_or_assign(parts[1], std::move(*ParseValue(value)));
    }
    return Ok();
  }
  if (parts.size() == 2 && parts[0] == "index") {
    if (!kIndexKeys.count(parts[1])) {
      return usage(fmt::format("--set {}: unknown index key (known: {})", key, KeyList(kIndexKeys)));
    }
    table_of("index").insert_or_assign(parts[1], TextValue(value));
    return Ok();
  }
  if (parts.size() == 2 && parts[0] == "weight") {
    bool ind = false;
    toml::table* e = FindEntry(root, parts[1], ind);
    if (!e) return usage(fmt::format("--set {}: no framework node has code \"{}\"", key, parts[1]));
    auto node = ParseValue(value);
    if (!node->is_number()) return usage(fmt::format("--set {}: weight must be a number, not \"{}\"", key, value));
    e->insert_or_assign("weight", std::move(*node));
    return Ok();
  }
  if ((parts.size() == 4 || parts.size() == 5) && parts[0] == "indicator" && parts[2] == "gti") {
    // indicator.<CODE>.gti.<key> or indicator.<CODE>.gti.<reads|weights>.<component>: edit the
    // indicator's gti table in place; its parser checks names and values as for the file.
    bool ind = false;
    toml::table* e = FindEntry(root, parts[1], ind);
    if (!e || !ind) return usage(fmt::format("--set {}: no indicator has code \"{}\"", key, parts[1]));
    if (!kGtiKeys.count(parts[3])) {
      return usage(fmt::format("--set {}: unknown gti key (known: {})", key, KeyList(kGtiKeys)));
    }
    toml::table* g = (*e)["gti"].as_table();
    if (!g) return usage(fmt::format("--set {}: indicator {} has no gti table", key, parts[1]));
    if (parts.size() == 4) {
      if (parts[3] == "banding") {
        g->insert_or_assign(parts[3], TextValue(value));
      } else {
        g->insert_or_assign(parts[3], std::move(*ParseValue(value)));
      }
      return Ok();
    }
    if (parts[3] != "reads" && parts[3] != "weights") {
      return usage(fmt::format("--set {}: only gti.reads.<component> and gti.weights.<component> have parts", key));
    }
    if (!(*g)[parts[3]].as_table()) g->insert_or_assign(parts[3], toml::table{});
    toml::table* sub = (*g)[parts[3]].as_table();
    if (parts[3] == "reads") {
      sub->insert_or_assign(parts[4], TextValue(value));
    } else {
      sub->insert_or_assign(parts[4], std::move(*ParseValue(value)));
    }
    return Ok();
  }
  if (parts.size() == 3 && (parts[0] == "indicator" || parts[0] == "node")) {
    bool ind = false;
    toml::table* e = FindEntry(root, parts[1], ind);
    if (!e) return usage(fmt::format("--set {}: no framework node has code \"{}\"", key, parts[1]));
    const auto& known = ind ? kIndicatorKeys : kNodeKeys;
    if (parts[2] == "code") return usage(fmt::format("--set {}: a code cannot be changed", key));
    if (!known.count(parts[2])) {
      return usage(
          fmt::format("--set {}: unknown {} field (known: {})", key, ind ? "indicator" : "node", KeyList(known)));
    }
    if (kTextKeys.count(parts[2])) {
      e->insert_or_assign(parts[2], TextValue(value));
    } else {
      e->insert_or_assign(parts[2], std::move(*ParseValue(value)));
    }
    return Ok();
  }
  return usage(
      fmt::format("--set {}: unknown key (use pipeline.<key>, index.<key>, eligibility.<key>, uncertainty.<key>, "
                  "weight.<CODE> or indicator.<CODE>.<field>)",
                  key));
}

// ---- framework --------------------------------------------------------------------------------

//! A text key of a table: absent → `dflt`; present but not a string → error.
Result<std::string> Str(const toml::table& t, std::string_view key, const std::string& what, const std::string& origin,
                        std::string dflt = {}) {
  const toml::node* v = t.get(key);
  if (!v) return dflt;
  if (auto s = v->value_exact<std::string>()) return *s;
  return Bad(origin, fmt::format("{}{} must be a string", what, key), v);
}

//! The `gti` table of indicator `code` (docs/methodology-format.md, "Derived terrorism impact").
Status ReadGti(const toml::node& node, const std::string& code, Gti& g, const std::string& origin) {
  const toml::table* t = node.as_table();
  if (!t)
    return Bad(origin, fmt::format("{}: gti must be a table (gti.reads = {{ incidents = \"…\", … }})", code), &node);
  auto known_component = [](std::string_view name) {
    return std::any_of(kGtiComponents.begin(), kGtiComponents.end(), [&](const auto& c) { return c.first == name; });
  };
  const std::string components = "incidents, deaths, injuries, hostages";
  for (const auto& [k, v] : *t) {
    if (!kGtiKeys.count(std::string(k.str()))) {
      return BadKey(origin, fmt::format("{}: unknown key gti.{} (known: {})", code, k.str(), KeyList(kGtiKeys)), k);
    }
  }
  const toml::node* reads = t->get("reads");
  const toml::table* rt = reads ? reads->as_table() : nullptr;
  if (!rt || rt->empty()) {
    return Bad(origin, fmt::format("{}: gti.reads must be a table of component = stored code ({})", code, components),
               reads ? reads : &node);
  }
  for (const auto& [k, v] : *rt) {
    if (!known_component(k.str())) {
      return BadKey(origin, fmt::format("{}: unknown component gti.reads.{} (known: {})", code, k.str(), components),
                    k);
    }
    auto s = v.value_exact<std::string>();
    if (!s || s->empty()) {
      return Bad(origin, fmt::format("{}: gti.reads.{} must be a stored indicator code", code, k.str()), &v);
    }
  }
  const toml::node* weights = t->get("weights");
  const toml::table* wt = weights ? weights->as_table() : nullptr;
  if (weights && !wt) {
    return Bad(origin, fmt::format("{}: gti.weights must be a table of component = number", code), weights);
  }
  if (wt) {
    for (const auto& [k, v] : *wt) {
      if (!known_component(k.str())) {
        return BadKey(origin,
                      fmt::format("{}: unknown component gti.weights.{} (known: {})", code, k.str(), components), k);
      }
      if (!rt->get(k.str())) {
        return BadKey(origin, fmt::format("{}: gti.weights.{} has no gti.reads.{} to weigh", code, k.str(), k.str()),
                      k);
      }
      auto x = Finite(v);
      if (!x || *x < 0) return Bad(origin, fmt::format("{}: gti.weights.{} must be a number ≥ 0", code, k.str()), &v);
    }
  }
  // Components in a fixed order, so the canonical text does not depend on the file's order.
  double total = 0;
  for (const auto& [name, dflt] : kGtiComponents) {
    const toml::node* r = rt->get(name);
    if (!r) continue;
    const toml::node* w = wt ? wt->get(name) : nullptr;
    g.components.push_back(name);
    g.reads.push_back(*r->value_exact<std::string>());
    g.weights.push_back(w ? *Finite(*w) : dflt);
    total += g.weights.back();
  }
  if (!(total > 0)) return Bad(origin, fmt::format("{}: gti.weights must not all be 0", code), weights);
  if (const toml::node* lw = t->get("lag_weights")) {
    auto* a = lw->as_array();
    if (!a || a->empty() || a->size() > 50) {
      return Bad(origin, fmt::format("{}: gti.lag_weights must be a list of 1 to 50 numbers", code), lw);
    }
    g.lag_weights.clear();
    double sum = 0;
    for (auto& e : *a) {
      auto x = Finite(e);
      if (!x || *x < 0) return Bad(origin, fmt::format("{}: gti.lag_weights must be numbers ≥ 0", code), &e);
      g.lag_weights.push_back(*x);
      sum += *x;
    }
    if (!(sum > 0)) return Bad(origin, fmt::format("{}: gti.lag_weights must not all be 0", code), lw);
  }
  // The IEP averages the five weighted terms, so the default divisor is their number.
  g.lag_divisor = static_cast<double>(g.lag_weights.size());
  if (const toml::node* d = t->get("lag_divisor")) {
    auto x = Finite(*d);
    if (!x || *x <= 0) return Bad(origin, fmt::format("{}: gti.lag_divisor must be a number > 0", code), d);
    g.lag_divisor = *x;
  }
  if (const toml::node* b = t->get("banding")) {
    auto v = b->value_exact<std::string>();
    auto parts = v ? Split(*v, ':') : std::vector<std::string>{};
    if (v && *v == "log") {
      g.banding = Gti::Banding::kPooled;
    } else if (v && *v == "log:by-year") {
      g.banding = Gti::Banding::kByYear;
    } else if (v && *v == "none") {
      g.banding = Gti::Banding::kNone;
    } else if (parts.size() == 2 && parts[0] == "log" && Num(parts[1]) && *Num(parts[1]) > 0 &&
               std::isfinite(*Num(parts[1]))) {
      g.banding = Gti::Banding::kFixed;
      g.band_max = *Num(parts[1]);
    } else {
      return Bad(origin,
                 fmt::format("{}: gti.banding = \"{}\" is not one of: log, log:by-year, log:<max > 0>, none", code,
                             v ? *v : std::string("<not a string>")),
                 b);
    }
  }
  if (const toml::node* x = t->get("top")) {
    auto v = Finite(*x);
    if (!v || *v <= 0) return Bad(origin, fmt::format("{}: gti.top must be a number > 0", code), x);
    g.top = *v;
  }
  if (const toml::node* x = t->get("step")) {
    auto v = Finite(*x);
    if (!v || *v < 0 || *v > g.top) {
      return Bad(origin, fmt::format("{}: gti.step must be a number in [0, top] (0 = no bands)", code), x);
    }
    g.step = *v;
  }
  return Ok();
}

//! A stored code or a list of them.
std::optional<std::vector<std::string>> CodeList(const toml::node& n) {
  std::vector<std::string> out;
  if (auto s = n.value_exact<std::string>()) {
    out.push_back(*s);
  } else if (auto* a = n.as_array()) {
    for (auto& e : *a) {
      auto s2 = e.value_exact<std::string>();
      if (!s2) return std::nullopt;
      out.push_back(*s2);
    }
  }
  if (out.empty() || std::any_of(out.begin(), out.end(), [](auto& c) { return c.empty(); })) return std::nullopt;
  return out;
}

//! One [[indicator.fallback]] table of indicator `code`.
Status ReadSeries(const toml::table& t, const std::string& code, Series& s, const std::string& origin) {
  for (const auto& [k, v] : t) {
    if (!kSeriesKeys.count(std::string(k.str()))) {
      return BadKey(origin,
                    fmt::format("{}: unknown fallback key \"{}\" (known: {})", code, k.str(), KeyList(kSeriesKeys)), k);
    }
  }
  const toml::node* reads = t.get("reads");
  const toml::node* sum = t.get("sum");
  if (!reads == !sum) {
    return Bad(origin, fmt::format("{}: a fallback reads codes (reads) or adds them (sum): give one", code), &t);
  }
  auto codes = CodeList(reads ? *reads : *sum);
  if (!codes || (sum && codes->size() < 2)) {
    return Bad(origin,
               fmt::format("{}: fallback {} must be {}", code, reads ? "reads" : "sum",
                           reads ? "a stored code or a list of codes" : "a list of two or more stored codes"),
               reads ? reads : sum);
  }
  (reads ? s.reads : s.sum) = std::move(*codes);
  auto den = Str(t, "denominator", code + ": fallback ", origin);
  if (!den) return den.error();
  s.denominator = *den;
  auto transform = Str(t, "transform", code + ": fallback ", origin, s.denominator.empty() ? "none" : "per-100k");
  if (!transform) return transform.error();
  if (*transform == "none") {
    if (!s.denominator.empty()) {
      return Bad(
          origin,
          fmt::format("{}: fallback denominator \"{}\" needs transform per-capita or per-100k", code, s.denominator),
          t.get("denominator"));
    }
  } else if (*transform == "per-capita" || *transform == "per-100k") {
    if (s.denominator.empty()) {
      return Bad(origin, fmt::format("{}: fallback transform {} needs a denominator", code, *transform),
                 t.get("transform"));
    }
    s.scale = *transform == "per-capita" ? 1.0 : 1e5;
  } else {
    return Bad(origin,
               fmt::format("{}: fallback transform \"{}\" is not one of: none, per-capita, per-100k", code, *transform),
               t.get("transform"));
  }
  if (const toml::node* a = t.get("adjust")) {
    auto x = Finite(*a);
    if (!x || *x <= 0) return Bad(origin, fmt::format("{}: fallback adjust must be a number > 0", code), a);
    s.adjust = *x;
  }
  auto note = Str(t, "note", code + ": fallback ", origin);
  if (!note) return note.error();
  s.note = *note;
  return Ok();
}

Status ReadNode(const toml::table& t, bool indicator, Node& n, const std::string& origin) {
  const char* kind = indicator ? "indicator" : "node";
  auto code = Str(t, "code", fmt::format("an {}'s ", kind), origin);
  if (!code) return code.error();
  n.code = *code;
  if (n.code.empty()) return Bad(origin, fmt::format("an {} has no code", kind), &t);
  const std::string what = n.code + ": ";
  for (const auto& [k, v] : t) {
    if (!(indicator ? kIndicatorKeys : kNodeKeys).count(std::string(k.str()))) {
      return BadKey(origin,
                    fmt::format("{} {}: unknown key \"{}\" (known: {})", kind, n.code, k.str(),
                                KeyList(indicator ? kIndicatorKeys : kNodeKeys)),
                    k);
    }
  }
  n.indicator = indicator;
  for (auto [key, field] : {std::pair{"name_en", &n.name_en}, {"name_zh", &n.name_zh}, {"parent", &n.parent}}) {
    auto s = Str(t, key, what, origin);
    if (!s) return s.error();
    *field = *s;
  }
  if (n.name_en.empty()) n.name_en = n.code;
  if (auto* w = t.get("weight")) {
    auto x = Finite(*w);
    if (!x || *x < 0) return Bad(origin, fmt::format("{}: weight must be a number ≥ 0", n.code), w);
    n.weight = *x;
  }
  if (!indicator) {
    auto agg = Str(t, "aggregate", what, origin);
    if (!agg) return agg.error();
    if (!agg->empty()) {
      auto a = ParseAggregate(*agg);
      if (!a) {
        return Bad(
            origin,
            fmt::format("{}: aggregate \"{}\" is not one of: arithmetic, geometric, harmonic, median", n.code, *agg),
            t.get("aggregate"));
      }
      n.aggregate = *a;
    }
    return Ok();
  }
  if (auto* d = t.get("direction")) {
    auto x = d->value_exact<std::int64_t>();
    if (!x || (*x != 1 && *x != -1)) return Bad(origin, fmt::format("{}: direction must be 1 or -1", n.code), d);
    n.direction = static_cast<int>(*x);
  }
  if (auto* r = t.get("reads")) {
    if (auto s = r->value_exact<std::string>()) {
      n.reads.push_back(*s);
    } else if (auto* a = r->as_array()) {
      for (auto& e : *a) {
        auto s2 = e.value_exact<std::string>();
        if (!s2) {
          n.reads.clear();
          break;
        }
        n.reads.push_back(*s2);
      }
    }
    if (n.reads.empty() || std::any_of(n.reads.begin(), n.reads.end(), [](auto& c) { return c.empty(); })) {
      return Bad(origin, fmt::format("{}: reads must be an indicator code or a non-empty list of codes", n.code), r);
    }
  }
  if (auto* r = t.get("sum")) {
    if (t.get("reads")) return Bad(origin, fmt::format("{}: reads and sum are two recipes: give one", n.code), r);
    auto codes = CodeList(*r);
    if (!codes || codes->size() < 2) {
      return Bad(origin, fmt::format("{}: sum must be a list of two or more stored codes", n.code), r);
    }
    n.sum = std::move(*codes);
  }
  if (n.reads.empty() && n.sum.empty()) n.reads.push_back(n.code);
  if (auto* c = t.get("carry")) {
    auto x = c->value_exact<std::int64_t>();
    if (!x || *x < 0 || *x > 100) return Bad(origin, fmt::format("{}: carry must be an integer in 0–100", n.code), c);
    n.carry = static_cast<int>(*x);
  }
  if (auto* f = t.get("fallback")) {
    if (!f->is_array_of_tables()) {
      return Bad(origin, fmt::format("{}: fallback must be [[indicator.fallback]] tables", n.code), f);
    }
    for (const auto& e : *f->as_array()) {
      Series series;
      if (auto st = ReadSeries(*e.as_table(), n.code, series, origin); !st) return st;
      n.fallback.push_back(std::move(series));
    }
  }
  auto transform = Str(t, "transform", what, origin, "none");
  if (!transform) return transform.error();
  auto den = Str(t, "denominator", what, origin);
  if (!den) return den.error();
  n.denominator = *den;
  const toml::node* at_transform = t.get("transform");
  if (*transform == "none" || *transform == "log") {
    // The build divides whenever a denominator is named, so a denominator here would silently
    // turn "none" into per-capita; say so instead.
    if (!n.denominator.empty()) {
      return Bad(origin,
                 fmt::format("{}: denominator \"{}\" needs transform per-capita, per-100k or log-per-100k "
                             "(transform is {})",
                             n.code, n.denominator, *transform),
                 t.get("denominator"));
    }
    n.log = *transform == "log";
  } else if (*transform == "per-capita" || *transform == "per-100k" || *transform == "log-per-100k") {
    if (n.denominator.empty()) {
      return Bad(origin, fmt::format("{}: transform {} needs a denominator", n.code, *transform), at_transform);
    }
    n.scale = *transform == "per-capita" ? 1.0 : 1e5;
    n.log = *transform == "log-per-100k";
  } else {
    return Bad(origin,
               fmt::format("{}: transform \"{}\" is not one of: none, log, per-capita, per-100k, log-per-100k", n.code,
                           *transform),
               at_transform);
  }
  if (auto* g = t.get("goalposts")) {
    auto* a = g->as_array();
    if (!a || a->size() != 2 || !Finite((*a)[0]) || !Finite((*a)[1])) {
      return Bad(origin, fmt::format("{}: goalposts must be [low, high], two finite numbers", n.code), g);
    }
    n.goal_lo = *Finite((*a)[0]);
    n.goal_hi = *Finite((*a)[1]);
    if (!(*n.goal_lo < *n.goal_hi)) return Bad(origin, fmt::format("{}: goalposts need low < high", n.code), g);
  }
  if (auto* g = t.get("target")) {
    auto x = Finite(*g);
    if (!x) return Bad(origin, fmt::format("{}: target must be a number", n.code), g);
    n.target = *x;
  }
  if (auto* g = t.get("lag_weights")) {
    auto* a = g->as_array();
    if (!a || a->empty() || a->size() > 50) {
      return Bad(origin, fmt::format("{}: lag_weights must be a list of 1 to 50 numbers", n.code), g);
    }
    double sum = 0;
    for (auto& e : *a) {
      auto x = Finite(e);
      if (!x || *x < 0) return Bad(origin, fmt::format("{}: lag_weights must be numbers ≥ 0", n.code), g);
      n.lag_weights.push_back(*x);
      sum += *x;
    }
    // All-zero weights would make every lagged value undefined (0/0).
    if (!(sum > 0)) return Bad(origin, fmt::format("{}: lag_weights must not all be 0", n.code), g);
  }
  if (auto* g = t.get("fill")) {
    auto x = Finite(*g);
    if (!x) return Bad(origin, fmt::format("{}: fill must be a number", n.code), g);
    n.fill = *x;
  }
  if (auto* g = t.get("gti")) {
    // The score is derived from its components' codes: a `reads`, `lag_weights` or `fill` of the
    // indicator itself would be a second, contradictory recipe.
    for (const char* k : {"reads", "lag_weights", "fill", "sum", "fallback"}) {
      if (auto* other = t.get(k)) {
        return Bad(origin,
                   fmt::format("{}: {} cannot be used with gti (the score reads gti.reads and weighs years by "
                               "gti.lag_weights)",
                               n.code, k),
                   other);
      }
    }
    Gti gti;
    if (auto st = ReadGti(*g, n.code, gti, origin); !st) return st;
    n.reads = gti.reads;
    n.gti = std::move(gti);
  }
  auto note = Str(t, "source_note", what, origin);
  if (!note) return note.error();
  n.source_note = *note;
  auto role = Str(t, "role", what, origin, "scored");
  if (!role) return role.error();
  if (*role != "scored" && *role != "monitor") {
    return Bad(origin, fmt::format("{}: role \"{}\" is not one of: scored, monitor", n.code, *role), t.get("role"));
  }
  n.monitor = *role == "monitor";
  return Ok();
}

// ---- canonical form ---------------------------------------------------------------------------

std::string NormaliseText(const Pipeline& p) {
  const std::string a = FormatNumber(p.norm_p1), b = FormatNumber(p.norm_p2);
  switch (p.normalise) {
    case Normalise::kMinMax: return "minmax:" + a + ":" + b;
    case Normalise::kZScore: return "zscore:" + a + ":" + b;
    case Normalise::kRank: return "rank";
    case Normalise::kPercentile: return "percentile";
    case Normalise::kGoalposts: return "goalposts:" + b;
    case Normalise::kDistFrontier: return "frontier:" + b;
    case Normalise::kBand5: return "band5";
  }
  return "minmax:0:100";
}

std::string TransformText(const Node& n) {
  if (n.denominator.empty()) return n.log ? "log" : "none";
  if (n.scale == 1) return "per-capita";
  return n.log ? "log-per-100k" : "per-100k";
}

toml::array Strings(const std::vector<std::string>& v) {
  toml::array a;
  for (const auto& x : v) a.push_back(x);
  return a;
}

toml::array Numbers(const std::vector<double>& v) {
  toml::array a;
  for (double x : v) a.push_back(x);
  return a;
}

toml::table GtiTable(const Gti& g) {
  toml::table t, reads, weights;
  for (std::size_t c = 0; c < g.components.size(); ++c) {
    reads.insert(g.components[c], g.reads[c]);
    weights.insert(g.components[c], g.weights[c]);
  }
  t.insert("reads", std::move(reads));
  t.insert("weights", std::move(weights));
  t.insert("lag_weights", Numbers(g.lag_weights));
  t.insert("lag_divisor", g.lag_divisor);
  switch (g.banding) {
    case Gti::Banding::kPooled: t.insert("banding", "log"); break;
    case Gti::Banding::kByYear: t.insert("banding", "log:by-year"); break;
    case Gti::Banding::kFixed: t.insert("banding", "log:" + FormatNumber(g.band_max)); break;
    case Gti::Banding::kNone: t.insert("banding", "none"); break;
  }
  t.insert("top", g.top);
  t.insert("step", g.step);
  return t;
}

//! The validated method as TOML, so that the hash depends on what the method means, not on how
//! the file spelled it (true vs "on", 2 vs 2.0, a default written out or left implicit, file vs
//! `--set`). Parsing the result gives the same Method.
std::string Canonical(const Method& m) {
  toml::table root;
  toml::table index;
  index.insert("id", m.id);
  for (auto [k, v] : {std::pair{"name_en", &m.name_en},
                      {"name_zh", &m.name_zh},
                      {"version", &m.version},
                      {"coverage_rule", &m.coverage_rule}}) {
    if (!v->empty()) index.insert(k, *v);
  }
  index.insert("units", m.unit_kind);
  root.insert("index", std::move(index));
  const Pipeline& p = m.pipeline;
  static const char* kAgg[] = {"arithmetic", "geometric", "harmonic", "median"};
  static const char* kW[] = {"explicit", "equal", "pca"};
  toml::table pipe;
  pipe.insert("denominate", p.denominate ? "on" : "off");
  pipe.insert("impute", ImputeText(p));
  pipe.insert("screen", p.screen_share == 0 ? std::string("none") : "na:" + FormatNumber(p.screen_share));
  pipe.insert("screen_on", p.screen_before_impute ? "raw" : "imputed");
  pipe.insert("treat", p.treat_winmax < 0 ? std::string("none") : fmt::format("jrc:{}", p.treat_winmax));
  pipe.insert("normalise", NormaliseText(p));
  pipe.insert("aggregate", kAgg[static_cast<int>(p.aggregate)]);
  pipe.insert("aggregate_min_share", p.aggregate_min_share);
  pipe.insert("weights", kW[static_cast<int>(p.weights)]);
  pipe.insert("years", fmt::format("{}:{}", p.year_from, p.year_to));
  pipe.insert("panel", p.by_year ? "by-year" : "pooled");
  pipe.insert("min_units", static_cast<std::int64_t>(p.min_year_units));
  pipe.insert("fallback", p.fallback ? "on" : "off");
  pipe.insert("level_adjust", p.level_adjust ? "on" : "off");
  root.insert("pipeline", std::move(pipe));
  if (m.eligibility.active()) {
    toml::table el;
    if (!m.eligibility.population.empty()) el.insert("population", m.eligibility.population);
    el.insert("min_population", m.eligibility.min_population);
    el.insert("max_missing_dimensions", static_cast<std::int64_t>(m.eligibility.max_missing_dimensions));
    root.insert("eligibility", std::move(el));
  }
  toml::array inds, aggs;
  for (const auto& n : m.nodes) {
    toml::table t;
    t.insert("code", n.code);
    t.insert("name_en", n.name_en);
    if (!n.name_zh.empty()) t.insert("name_zh", n.name_zh);
    if (!n.parent.empty()) t.insert("parent", n.parent);
    t.insert("weight", n.weight);
    if (n.indicator) {
      t.insert("direction", static_cast<std::int64_t>(n.direction));
      if (!n.sum.empty()) {
        t.insert("sum", Strings(n.sum));
      } else if (!n.gti) {
        t.insert("reads", Strings(n.reads));
      } else {
        t.insert("gti", GtiTable(*n.gti));
      }
      t.insert("transform", TransformText(n));
      if (!n.denominator.empty()) t.insert("denominator", n.denominator);
      if (n.goal_lo && n.goal_hi) t.insert("goalposts", Numbers({*n.goal_lo, *n.goal_hi}));
      if (n.target) t.insert("target", *n.target);
      if (!n.lag_weights.empty()) t.insert("lag_weights", Numbers(n.lag_weights));
      if (n.fill) t.insert("fill", *n.fill);
      if (n.carry >= 0) t.insert("carry", static_cast<std::int64_t>(n.carry));
      if (!n.fallback.empty()) {
        toml::array series;
        for (const auto& f : n.fallback) {
          toml::table ft;
          ft.insert(f.sum.empty() ? "reads" : "sum", Strings(f.sum.empty() ? f.reads : f.sum));
          if (!f.denominator.empty()) ft.insert("denominator", f.denominator);
          ft.insert("transform", f.denominator.empty() ? "none" : f.scale == 1 ? "per-capita" : "per-100k");
          ft.insert("adjust", f.adjust);
          if (!f.note.empty()) ft.insert("note", f.note);
          series.push_back(std::move(ft));
        }
        t.insert("fallback", std::move(series));
      }
      if (!n.source_note.empty()) t.insert("source_note", n.source_note);
      if (n.monitor) t.insert("role", "monitor");
    } else if (n.aggregate) {
      t.insert("aggregate", kAgg[static_cast<int>(*n.aggregate)]);
    }
    (n.indicator ? inds : aggs).push_back(std::move(t));
  }
  const Uncertainty& u = m.uncertainty;
  if (!u.empty()) {
    toml::table unc;
    auto list = [](const std::vector<std::string>& v) {
      toml::array a;
      for (const auto& x : v) a.push_back(x);
      return a;
    };
    for (auto [key, v] : {std::pair{"impute", &u.impute},
                          {"treat", &u.treat},
                          {"normalise", &u.normalise},
                          {"aggregate", &u.aggregate}}) {
      if (!v->empty()) unc.insert(key, list(*v));
    }
    if (!u.weight_noise.empty()) {
      toml::array a;
      for (auto [level, f] : u.weight_noise) a.push_back(toml::array{static_cast<std::int64_t>(level), f});
      unc.insert("weight_noise", std::move(a));
    }
    if (u.exclude_one) unc.insert("exclude_one", true);
    root.insert("uncertainty", std::move(unc));
  }
  root.insert("indicator", std::move(inds));
  if (!aggs.empty()) root.insert("node", std::move(aggs));
  std::ostringstream out;
  out << toml::toml_formatter{root, toml::format_flags::allow_unicode_strings} << "\n";
  return out.str();
}

// ---- validation -------------------------------------------------------------------------------

//! Source line of each node's code when the TOML was built in memory (COINr's iMeta rows).
using Lines = std::map<std::string, std::int64_t>;

//! Explicit weights must add up, under each aggregate, to a finite number > 0 (BadWeightSum).
Status CheckWeightSums(const Method& m, const std::string& origin) {
  if (m.pipeline.weights != Weights::kExplicit) return Ok();
  std::vector<double> weights;
  for (const auto& n : m.nodes) weights.push_back(n.weight);
  if (auto bad = BadWeightSum(m, weights)) return Error{Errc::kUsage, *bad, origin};
  return Ok();
}

Result<Method> FromTable(toml::table& root, const std::string& origin, const Lines* lines) {
  Method m;
  // A node error without a TOML location points at the node's row in the table it came from.
  auto at_row = [&](Error e, const std::string& code) {
    if (e.line == 0 && lines) {
      if (auto it = lines->find(code); it != lines->end()) e.line = it->second, e.column = 1;
    }
    return e;
  };
  for (const auto& [k, v] : root) {
    if (!std::set<std::string>{"index", "pipeline", "eligibility", "node", "indicator", "uncertainty", "forecast",
                               "warn", "risk"}
             .count(std::string(k.str()))) {
      return BadKey(origin,
                    fmt::format("unknown top-level key \"{}\" (known: index, pipeline, eligibility, node, indicator, "
                                "uncertainty, forecast, warn, risk)",
                                k.str()),
                    k);
    }
  }
  const toml::table* index = root["index"].as_table();
  if (!index) return Bad(origin, "no [index] table", root.get("index"));
  for (const auto& [k, v] : *index) {
    if (!kIndexKeys.count(std::string(k.str()))) {
      return BadKey(origin, fmt::format("unknown key index.{} (known: {})", k.str(), KeyList(kIndexKeys)), k);
    }
  }
  for (auto [key, field] : {std::pair{"id", &m.id},
                            {"name_en", &m.name_en},
                            {"name_zh", &m.name_zh},
                            {"version", &m.version},
                            {"coverage_rule", &m.coverage_rule},
                            {"units", &m.unit_kind}}) {
    auto s = Str(*index, key, "index.", origin, *field);
    if (!s) return s.error();
    *field = *s;
  }
  if (m.unit_kind.empty()) m.unit_kind = "country";
  if (m.id.empty()) return Bad(origin, "[index] has no id", index);
  if (const toml::node* pn = root.get("pipeline")) {
    if (!pn->is_table()) return Bad(origin, "pipeline must be a table ([pipeline])", pn);
    if (auto st = ParsePipeline(*pn->as_table(), m.pipeline, origin); !st) return st.error();
  }
  if (const toml::node* en = root.get("eligibility")) {
    if (!en->is_table()) return Bad(origin, "eligibility must be a table ([eligibility])", en);
    if (auto st = ParseEligibility(*en->as_table(), m.eligibility, origin); !st) return st.error();
  }
  if (const toml::node* un = root.get("uncertainty")) {
    if (!un->is_table()) return Bad(origin, "uncertainty must be a table ([uncertainty])", un);
    if (auto st = ParseUncertainty(*un->as_table(), m.uncertainty, origin); !st) return st.error();
  }
  if (const toml::node* fn = root.get("forecast")) {
    if (!fn->is_table()) return Bad(origin, "forecast must be a table ([forecast])", fn);
    if (auto st = ParseForecast(*fn->as_table(), m.forecast, origin); !st) return st.error();
  }
  if (const toml::node* rn = root.get("risk")) {
    if (!rn->is_table()) return Bad(origin, "risk must be a table ([risk])", rn);
    if (auto st = ParseRisk(*rn->as_table(), m.risk, origin); !st) return st.error();
  }
  if (const toml::node* wn = root.get("warn")) {
    const toml::array* rules = wn->as_array();
    if (!rules) return Bad(origin, "warn must be an array of tables ([[warn]])", wn);
    std::set<std::string> ids;
    for (const auto& r : *rules) {
      if (!r.is_table()) return Bad(origin, "warn must be an array of tables ([[warn]])", &r);
      WarnRule w;
      if (auto st = ParseWarnRule(*r.as_table(), w, origin); !st) return st.error();
      if (!ids.insert(w.id).second) return Bad(origin, "two [[warn]] rules have the id " + w.id, &r);
      m.warn.push_back(std::move(w));
    }
  }

  struct Entry {
    Node n;
    const toml::table* at;
  };
  std::vector<Entry> all;
  for (const char* arr : {"indicator", "node"}) {
    const toml::node* a = root.get(arr);
    if (!a) continue;
    if (!a->is_array_of_tables()) {
      return Bad(origin, fmt::format("\"{}\" must be an array of tables ([[{}]])", arr, arr), a);
    }
    for (const auto& e : *a->as_array()) {
      Entry en{Node{}, e.as_table()};
      if (auto st = ReadNode(*en.at, std::string_view(arr) == "indicator", en.n, origin); !st) {
        return at_row(st.error(), en.n.code);
      }
      all.push_back(std::move(en));
    }
  }
  if (std::none_of(all.begin(), all.end(), [](const Entry& e) { return e.n.indicator; })) {
    return Bad(origin, "the framework has no indicator");
  }
  // Codes unique; parents exist and are aggregates; exactly one root; no cycles.
  std::map<std::string, const Entry*> by_code;
  for (const auto& e : all) {
    if (!by_code.emplace(e.n.code, &e).second) {
      return at_row(Bad(origin, fmt::format("code \"{}\" is used twice", e.n.code), e.at), e.n.code);
    }
  }
  std::string root_code;
  for (const auto& e : all) {
    const Node& n = e.n;
    if (n.parent.empty()) {
      if (n.indicator) return at_row(Bad(origin, fmt::format("indicator {} has no parent", n.code), e.at), n.code);
      if (!root_code.empty()) {
        return at_row(Bad(origin, fmt::format("two top nodes: {} and {}", root_code, n.code), e.at), n.code);
      }
      root_code = n.code;
      continue;
    }
    auto it = by_code.find(n.parent);
    if (it == by_code.end()) {
      return at_row(Bad(origin, fmt::format("{}: parent \"{}\" is not a node", n.code, n.parent), e.at), n.code);
    }
    if (it->second->n.indicator) {
      return at_row(Bad(origin, fmt::format("{}: parent {} is an indicator", n.code, n.parent), e.at), n.code);
    }
  }
  if (root_code.empty()) return Bad(origin, "the framework has no top node (a node without parent)");
  // Levels: an aggregate is one above its highest child. Walking up from each indicator visits at
  // most one node per aggregate unless the parent chain loops.
  std::map<std::string, int> level;
  const std::size_t naggs = all.size() - static_cast<std::size_t>(std::count_if(
                                             all.begin(), all.end(), [](const Entry& e) { return e.n.indicator; }));
  for (const auto& e : all) {
    if (!e.n.indicator) continue;
    level[e.n.code] = 1;
    if (e.n.monitor) continue;  // a monitor does not make its parent an aggregate of anything
    const Node* cur = &e.n;
    for (std::size_t steps = 0; !cur->parent.empty(); ++steps) {
      if (steps > naggs) {
        return at_row(Bad(origin, fmt::format("the framework has a cycle above {}", e.n.code), e.at), e.n.code);
      }
      const Node* up = &by_code.at(cur->parent)->n;
      level[up->code] = std::max(level[up->code], level[cur->code] + 1);
      cur = up;
    }
  }
  std::vector<Node> inds, aggs;
  for (auto& e : all) {
    if (!e.n.indicator && !level.count(e.n.code)) {
      return at_row(Bad(origin, fmt::format("node {} has no scored indicator below it", e.n.code), e.at), e.n.code);
    }
    e.n.level = level[e.n.code];
    (e.n.indicator ? inds : aggs).push_back(std::move(e.n));
  }
  std::stable_sort(aggs.begin(), aggs.end(), [](const Node& a, const Node& b) { return a.level < b.level; });
  m.nodes = std::move(inds);
  for (auto& n : aggs) m.nodes.push_back(std::move(n));
  // A threat reads a node of this framework (its country score gives the likelihood).
  for (std::size_t i = 0; i < m.risk.threats.size(); ++i) {
    const RiskThreat& th = m.risk.threats[i];
    if (m.Find(th.node) >= 0) continue;
    const toml::node* at = nullptr;
    if (const toml::array* ta = root["risk"]["threat"].as_array(); ta && i < ta->size()) {
      if (const toml::table* tt = (*ta)[i].as_table()) at = tt->get("node");
    }
    return Bad(origin, fmt::format("risk.threat {}: node \"{}\" is not a node of the method", th.id, th.node), at);
  }
  if (auto st = CheckWeightSums(m, origin); !st) return st.error();
  m.canonical = Canonical(m);
  m.hash = Sha256Hex(m.canonical);
  return m;
}

Result<Method> Finish(toml::table& root, const std::string& origin, const std::vector<std::string>& sets,
                      const Lines* lines = nullptr) {
  for (const auto& s : sets) {
    if (auto st = ApplySet(root, s); !st) return st.error();
  }
  return FromTable(root, origin, lines);
}

}  // namespace

Status ApplyPipelineValue(Pipeline& p, const std::string& key, const std::string& value) {
  toml::table t;
  t.insert(key, value);
  return ParsePipeline(t, p, "");
}

int Method::Find(const std::string& code) const {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].code == code) return static_cast<int>(i);
  }
  return -1;
}

std::optional<std::string> BadWeightSum(const Method& m, std::span<const double> weights) {
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    if (m.nodes[i].indicator) continue;
    double sum = 0;
    for (int c : m.Children(static_cast<int>(i))) sum += weights[static_cast<std::size_t>(c)];
    if (!std::isfinite(sum) || sum <= 0) {
      return fmt::format("the weights of {}'s parts add up to {}: they must add up to a finite number > 0",
                         m.nodes[i].code, sum);
    }
  }
  return std::nullopt;
}

std::vector<int> Method::Children(int i) const {
  std::vector<int> out;
  for (std::size_t j = 0; j < nodes.size(); ++j) {
    if (nodes[j].parent == nodes[static_cast<std::size_t>(i)].code && !nodes[j].monitor) {
      out.push_back(static_cast<int>(j));
    }
  }
  return out;
}

std::vector<std::string> Series::Codes() const {
  std::vector<std::string> out = sum.empty() ? reads : sum;
  if (!denominator.empty()) out.push_back(denominator);
  return out;
}

std::vector<std::string> Node::Codes() const {
  std::vector<std::string> out = gti ? gti->reads : sum.empty() ? reads : sum;
  for (const auto& f : fallback) {
    for (auto& c : f.Codes()) out.push_back(std::move(c));
  }
  if (!denominator.empty()) out.push_back(denominator);
  return out;
}

int Method::Top() const {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].parent.empty() && !nodes[i].indicator) return static_cast<int>(i);
  }
  return -1;
}

int Method::TopLevel() const {
  int top = 1;
  for (const auto& n : nodes) top = std::max(top, n.level);
  return top;
}

Result<Method> ParseMethod(const std::string& text, const std::string& origin, const std::vector<std::string>& sets) {
  auto root = detail::ParseToml(text, origin);
  if (!root) return root.error();
  return Finish(*root, origin, sets);
}

Result<Method> LoadMethod(const std::string& path, const std::vector<std::string>& sets) {
  // A folder would read as an empty file ("no [index] table") and /dev/zero forever: only a
  // regular file of a methodology's size is read (the default method is 20 KB).
  constexpr std::uintmax_t kMaxBytes = 1u << 20;
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return Error{Errc::kIo, "cannot open methodology file", path};
  if (!std::filesystem::is_regular_file(status)) {
    return Error{Errc::kUsage, "the methodology must be a TOML file, not a folder or a device", path};
  }
  if (std::filesystem::file_size(path, ec) > kMaxBytes || ec) {
    return Error{Errc::kUsage, "the methodology file is larger than 1 MiB: not a methodology", path};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Errc::kIo, "cannot open methodology file", path};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseMethod(ss.str(), path, sets);
}

Result<Method> MethodFromCoinr(const TextTable& meta, const std::vector<std::string>& sets) {
  const std::string& origin = meta.path;
  for (const char* col : {"Level", "iCode", "Direction", "Weight", "Parent", "Type"}) {
    if (meta.Column(col) < 0)
      return Error{Errc::kBadMethod, fmt::format("iMeta has no column \"{}\"", col), origin, 1, 1};
  }
  auto get = [&](std::size_t r, const char* col) -> std::string {
    int c = meta.Column(col);
    return c < 0 ? std::string() : std::string(Trim(meta.rows[r][static_cast<std::size_t>(c)]));
  };
  auto where = [&](std::size_t r, const char* col, const std::string& msg) {
    return Error{Errc::kBadMethod, msg, origin, meta.lines[r], meta.Column(col) + 1};
  };
  toml::table root;
  toml::array inds, aggs;
  std::string top;
  Lines rows;
  for (std::size_t r = 0; r < meta.rows.size(); ++r) {
    std::string type = get(r, "Type");
    if (type != "Indicator" && type != "Aggregate") continue;  // groups, denominators, other columns
    std::string code = get(r, "iCode");
    if (code.empty()) return where(r, "iCode", "iMeta row has no iCode");
    rows.emplace(code, meta.lines[r]);
    toml::table t;
    t.insert("code", code);
    if (auto name = get(r, "iName"); !name.empty()) t.insert("name_en", name);
    auto weight = ParseNumber(get(r, "Weight"));
    if (!weight) return where(r, "Weight", fmt::format("{}: Weight \"{}\" is not a number", code, get(r, "Weight")));
    t.insert("weight", *weight);
    std::string parent = get(r, "Parent");
    if (!parent.empty()) t.insert("parent", parent);
    if (type == "Indicator") {
      auto dir = ParseNumber(get(r, "Direction"));
      if (!dir || (*dir != 1 && *dir != -1)) {
        return where(r, "Direction", fmt::format("{}: Direction \"{}\" must be 1 or -1", code, get(r, "Direction")));
      }
      t.insert("direction", static_cast<std::int64_t>(*dir));
      if (auto den = get(r, "Denominator"); !den.empty()) {
        t.insert("transform", "per-capita");
        t.insert("denominator", den);
      }
      if (auto tg = ParseNumber(get(r, "Target"))) t.insert("target", *tg);
      // COINr's n_goalposts reads per-indicator goalposts from these two iMeta columns.
      auto lo = ParseNumber(get(r, "goalpost_lower")), hi = ParseNumber(get(r, "goalpost_upper"));
      if (lo && hi) {
        toml::array g;
        g.push_back(*lo);
        g.push_back(*hi);
        t.insert("goalposts", std::move(g));
      }
      inds.push_back(std::move(t));
    } else {
      if (parent.empty()) top = code;
      aggs.push_back(std::move(t));
    }
  }
  toml::table index;
  index.insert("id", top.empty() ? std::string("coinr") : top);
  index.insert("name_en", "COINr index from " + origin);
  index.insert("units", "coinr");
  root.insert("index", std::move(index));
  toml::table pipeline;
  pipeline.insert("denominate", "on");
  pipeline.insert("impute", "none");
  pipeline.insert("screen", "none");
  pipeline.insert("treat", "none");
  pipeline.insert("normalise", "minmax:0:100");
  pipeline.insert("aggregate", "arithmetic");
  root.insert("pipeline", std::move(pipeline));
  root.insert("indicator", std::move(inds));
  root.insert("node", std::move(aggs));
  auto m = Finish(root, origin, sets, &rows);
  if (!m) return m;
  // COINr states levels; they must agree with the tree's.
  for (std::size_t r = 0; r < meta.rows.size(); ++r) {
    std::string type = get(r, "Type");
    if (type != "Indicator" && type != "Aggregate") continue;
    int i = m->Find(get(r, "iCode"));
    if (i < 0) continue;
    const int want = m->nodes[static_cast<std::size_t>(i)].level;
    auto lv = ParseNumber(get(r, "Level"));
    if (!lv || *lv != want) {
      return where(
          r, "Level",
          fmt::format("{}: Level {} disagrees with the framework (level {})", get(r, "iCode"), get(r, "Level"), want));
    }
  }
  return m;
}

std::string ImputeText(const Pipeline& p) {
  switch (p.impute) {
    case Impute::kNone: return "none";
    case Impute::kMean: return "mean";
    case Impute::kMedian: return "median";
    case Impute::kGroupMean: return "group-mean:" + p.impute_group;
    case Impute::kGroupMedian: return "group-median:" + p.impute_group;
    case Impute::kLocf: return fmt::format("locf:{}", p.locf_years);
    case Impute::kInterpolate: return "interpolate";
  }
  return "none";
}

}  // namespace gpsi::method
