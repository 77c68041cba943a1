// A campaign's rules: the TOML file (docs/evaluation.md, "The campaign file"), its checks, its
// canonical JSON and hash, and the check of one score sheet against them.
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "evaluation.hpp"

namespace gpsi::evaluation {
namespace {

//! A kBadCampaign error at `at` in `origin` when the node came from the file.
Error RulesError(const std::string& origin, const std::string& message, const toml::node* at = nullptr) {
  Error e{Errc::kBadCampaign, message, origin};
  if (at && at->source().begin.line > 0) {
    e.line = at->source().begin.line;
    e.column = at->source().begin.column;
  }
  return e;
}

//! The keys each table of the file accepts: anything else is a mistake worth naming.
const std::map<std::string, std::set<std::string>> kKeys{
    {"", {"campaign", "scale", "selection", "conflicts", "criterion"}},
    {"campaign", {"title_en", "title_zh"}},
    {"scale", {"min", "max", "step"}},
    {"selection", {"select", "min_total", "judges_per_application", "tie_break", "bootstrap", "seed", "borderline"}},
    {"conflicts", {"same_organisation", "same_country"}},
    {"criterion", {"code", "en", "zh", "minimum", "anchor"}},
    {"anchor", {"score", "en", "zh"}},
};

Status RulesKnownKeys(const toml::table& t, const std::string& table, const std::string& origin) {
  const auto& known = kKeys.at(table);
  for (const auto& [key, node] : t) {
    if (!known.contains(std::string(key.str()))) {
      return RulesError(
          origin, fmt::format("unknown key '{}'{}", key.str(), table.empty() ? "" : " in [" + table + "]"), &node);
    }
  }
  return Ok();
}

//! Reads the typed values of one table, remembering the first problem.
class RulesReader {
 public:
  RulesReader(const toml::table* t, std::string table, const std::string& origin)
      : t_(t), table_(std::move(table)), origin_(origin) {}

  template <class T>
  void Get(const char* key, T& out, bool required = false) {
    const toml::node* n = t_ ? t_->get(key) : nullptr;
    if (!n) {
      if (required) Fail(fmt::format("[{}] needs '{}'", table_, key), t_);
      return;
    }
    if constexpr (std::is_same_v<T, double>) {
      if (auto v = n->value<double>()) return void(out = *v);
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = n->value_exact<bool>()) return void(out = *v);
    } else if constexpr (std::is_integral_v<T>) {
      if (auto v = n->value_exact<std::int64_t>()) return void(out = static_cast<T>(*v));
    } else {
      if (auto v = n->value_exact<std::string>()) return void(out = *v);
    }
    Fail(fmt::format("[{}] '{}' has the wrong type", table_, key), n);
  }
  void Fail(const std::string& message, const toml::node* at) {
    if (error_.code == Errc::kOk) error_ = RulesError(origin_, message, at);
  }
  bool ok() const { return error_.code == Errc::kOk; }
  const Error& error() const { return error_; }

 private:
  const toml::table* t_;
  std::string table_;
  const std::string& origin_;
  Error error_{Errc::kOk, ""};
};

Result<Criterion> ReadCriterion(const toml::table& t, const std::string& origin) {
  if (auto known = RulesKnownKeys(t, "criterion", origin); !known) return known.error();
  Criterion c;
  RulesReader r(&t, "criterion", origin);
  r.Get("code", c.code, true), r.Get("en", c.en, true), r.Get("zh", c.zh, true), r.Get("minimum", c.minimum);
  const toml::array* anchors = t.get_as<toml::array>("anchor");
  if (!anchors) r.Fail(fmt::format("criterion '{}' needs its rubric: [[criterion.anchor]] entries", c.code), &t);
  for (std::size_t i = 0; anchors && i < anchors->size(); ++i) {
    const toml::table* a = anchors->get(i)->as_table();
    if (!a) return RulesError(origin, "[[criterion.anchor]] must be tables", anchors->get(i));
    if (auto known = RulesKnownKeys(*a, "anchor", origin); !known) return known.error();
    RulesReader ar(a, "criterion.anchor", origin);
    Anchor anchor;
    ar.Get("score", anchor.score, true), ar.Get("en", anchor.en, true), ar.Get("zh", anchor.zh, true);
    if (!ar.ok()) return ar.error();
    c.rubric.push_back(std::move(anchor));
  }
  if (!r.ok()) return r.error();
  return c;
}

Status ReadSelection(const toml::table* t, Rules& rules, const std::string& origin) {
  RulesReader r(t, "selection", origin);
  r.Get("select", rules.select, true), r.Get("min_total", rules.min_total);
  r.Get("judges_per_application", rules.judges_per_application), r.Get("bootstrap", rules.bootstrap);
  r.Get("seed", rules.seed);
  if (const toml::array* tb = t ? t->get_as<toml::array>("tie_break") : nullptr) {
    for (const auto& n : *tb) {
      if (auto s = n.value_exact<std::string>()) {
        rules.tie_break.push_back(*s);
      } else {
        r.Fail("[selection] tie_break lists criterion codes", &n);
      }
    }
  }
  if (const toml::array* b = t ? t->get_as<toml::array>("borderline") : nullptr) {
    const auto lo = b->size() == 2 ? b->get(0)->value<double>() : std::nullopt;
    const auto hi = b->size() == 2 ? b->get(1)->value<double>() : std::nullopt;
    if (!lo || !hi) r.Fail("[selection] borderline is [low, high], two probabilities", b);
    if (lo && hi) rules.borderline_low = *lo, rules.borderline_high = *hi;
  }
  if (!r.ok()) return r.error();
  return Ok();
}

//! Whether `x` is on the scale and a whole number of steps from its minimum.
bool OnScale(const Rules& rules, double x) {
  if (!std::isfinite(x) || x < rules.scale_min || x > rules.scale_max) return false;
  const double steps = (x - rules.scale_min) / rules.step;
  return std::abs(steps - std::round(steps)) < 1e-9;
}

//! The rules' own consistency, once read.
Status CheckRules(const Rules& rules, const std::string& origin) {
  auto bad = [&](const std::string& m) -> Status { return RulesError(origin, m); };
  if (!(rules.scale_max > rules.scale_min) || !(rules.step > 0)) return bad("[scale] needs min < max and step > 0");
  if (rules.criteria.empty()) return bad("the campaign needs at least one [[criterion]]");
  std::set<std::string> codes;
  double top = 0;
  for (const auto& c : rules.criteria) {
    if (!codes.insert(c.code).second) return bad(fmt::format("criterion '{}' is named twice", c.code));
    if (c.minimum < rules.scale_min || c.minimum > rules.scale_max) {
      return bad(fmt::format("criterion '{}': minimum {} is off the scale", c.code, c.minimum));
    }
    for (std::size_t i = 0; i < c.rubric.size(); ++i) {
      if (!OnScale(rules, c.rubric[i].score) || (i && c.rubric[i].score <= c.rubric[i - 1].score)) {
        return bad(fmt::format("criterion '{}': rubric scores must rise along the scale", c.code));
      }
    }
    top += rules.scale_max;
  }
  if (rules.min_total < 0 || rules.min_total > top) return bad("[selection] min_total is beyond the highest total");
  if (rules.select < 1) return bad("[selection] select must be at least 1");
  if (rules.judges_per_application < 3) return bad("[selection] judges_per_application must be at least 3");
  if (rules.bootstrap < 0 || rules.bootstrap > 100000) return bad("[selection] bootstrap is 0 to 100000 replicates");
  if (!(0 <= rules.borderline_low && rules.borderline_low < rules.borderline_high && rules.borderline_high <= 1)) {
    return bad("[selection] borderline needs 0 <= low < high <= 1");
  }
  for (const auto& code : rules.tie_break) {
    if (!codes.contains(code)) return bad(fmt::format("[selection] tie_break names an unknown criterion '{}'", code));
  }
  return Ok();
}

Result<toml::table> RulesToml(std::string_view text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return Error{Errc::kBadCampaign, std::string(e.description()), origin,
                 static_cast<std::int64_t>(e.source().begin.line), static_cast<std::int64_t>(e.source().begin.column)};
  }
}

}  // namespace

Result<Rules> ParseRules(std::string_view text, const std::string& origin) {
  auto parsed = RulesToml(text, origin);
  if (!parsed) return parsed.error();
  const toml::table& t = *parsed;
  if (auto known = RulesKnownKeys(t, "", origin); !known) return known.error();
  for (const char* table : {"campaign", "scale", "selection", "conflicts"}) {
    const toml::node* n = t.get(table);
    if (n && !n->is_table()) return RulesError(origin, fmt::format("'{}' must be a table", table), n);
    if (n) {
      if (auto known = RulesKnownKeys(*n->as_table(), table, origin); !known) return known.error();
    }
  }
  Rules rules;
  RulesReader campaign(t.get_as<toml::table>("campaign"), "campaign", origin);
  campaign.Get("title_en", rules.title_en, true), campaign.Get("title_zh", rules.title_zh, true);
  RulesReader scale(t.get_as<toml::table>("scale"), "scale", origin);
  scale.Get("min", rules.scale_min), scale.Get("max", rules.scale_max), scale.Get("step", rules.step);
  RulesReader conflicts(t.get_as<toml::table>("conflicts"), "conflicts", origin);
  conflicts.Get("same_organisation", rules.conflict_same_org),
      conflicts.Get("same_country", rules.conflict_same_country);
  for (const RulesReader* r : {&campaign, &scale, &conflicts}) {
    if (!r->ok()) return r->error();
  }
  if (auto sel = ReadSelection(t.get_as<toml::table>("selection"), rules, origin); !sel) return sel.error();
  const toml::array* criteria = t.get_as<toml::array>("criterion");
  for (std::size_t i = 0; criteria && i < criteria->size(); ++i) {
    const toml::table* c = criteria->get(i)->as_table();
    if (!c) return RulesError(origin, "[[criterion]] entries must be tables", criteria->get(i));
    auto criterion = ReadCriterion(*c, origin);
    if (!criterion) return criterion.error();
    rules.criteria.push_back(std::move(*criterion));
  }
  if (auto checked = CheckRules(rules, origin); !checked) return checked.error();
  return rules;
}

std::string RulesJson(const Rules& rules) {
  nlohmann::json criteria = nlohmann::json::array();
  for (const auto& c : rules.criteria) {
    nlohmann::json rubric = nlohmann::json::array();
    for (const auto& a : c.rubric) rubric.push_back({{"score", a.score}, {"en", a.en}, {"zh", a.zh}});
    criteria.push_back({{"code", c.code}, {"en", c.en}, {"zh", c.zh}, {"minimum", c.minimum}, {"rubric", rubric}});
  }
  const nlohmann::json j = {
      {"title_en", rules.title_en},
      {"title_zh", rules.title_zh},
      {"scale", {{"min", rules.scale_min}, {"max", rules.scale_max}, {"step", rules.step}}},
      {"criteria", criteria},
      {"selection",
       {{"select", rules.select},
        {"min_total", rules.min_total},
        {"judges_per_application", rules.judges_per_application},
        {"tie_break", rules.tie_break},
        {"bootstrap", rules.bootstrap},
        {"seed", rules.seed},
        {"borderline", {rules.borderline_low, rules.borderline_high}}}},
      {"conflicts", {{"same_organisation", rules.conflict_same_org}, {"same_country", rules.conflict_same_country}}},
  };
  return j.dump();
}

std::string RulesHash(const Rules& rules) {
  return Sha256Hex(RulesJson(rules));
}

Status CheckScores(const Rules& rules, const std::vector<double>& scores) {
  if (scores.size() != rules.criteria.size()) {
    return Error{Errc::kBadCampaign, fmt::format("a score sheet has one score per criterion ({}), not {}",
                                                 rules.criteria.size(), scores.size())};
  }
  for (std::size_t c = 0; c < scores.size(); ++c) {
    if (!OnScale(rules, scores[c])) {
      return Error{Errc::kBadCampaign,
                   fmt::format("criterion '{}': {} is not a score of the scale {} to {} in steps of {}",
                               rules.criteria[c].code, scores[c], rules.scale_min, rules.scale_max, rules.step)};
    }
  }
  return Ok();
}

}  // namespace gpsi::evaluation
