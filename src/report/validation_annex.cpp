// The report's audit and validation annex and its what-changed annex, read from the validation.json
// that `gpsi validate` wrote for the method version the build ran (Published::validation_json,
// checked against the method when published): the report prints the engine's figures, it never
// recomputes them. Every field is read with at(): a file that lacks one is an error, not a guess.
#include <map>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "page.hpp"

namespace gpsi::report::detail {
namespace {

using Json = nlohmann::json;

//! A number of validation.json to `decimals` places; "—" for null (not computable).
std::string Fixed(const Json& v, int decimals) {
  return v.is_number() ? fmt::format("{:.{}f}", v.get<double>(), decimals) : "—";
}

std::string Range95(const Json& row) {
  return row.at("lo").is_number() && row.at("hi").is_number()
             ? Span(row.at("lo").get<double>(), row.at("hi").get<double>(), 2)
             : "—";
}

std::string Text(const Json& row, const char* key) {
  return row.contains(key) && row[key].is_string() ? row[key].get<std::string>() : "";
}

std::string Named(const Json& row, const Words& w) {
  const std::string zh = Text(row, "name_zh");
  return w.lang == "zh" && !zh.empty() ? zh : Text(row, "name_en");
}

//! A node's name in the edition's language, its code when the method has no such node.
std::string NodeNamed(const Names& names, const std::string& code) {
  for (std::size_t k = 0; k < names.method.nodes.size(); ++k) {
    if (names.method.nodes[k].code == code) return names.NodeName(k);
  }
  return code;
}

//! The rows of `list` with the latest year of each (`a`, `b`): a measure and node, a group and variant.
std::vector<const Json*> LatestOfEach(const Json& list, const char* a, const char* b) {
  std::map<std::pair<std::string, std::string>, const Json*> latest;
  for (const auto& row : list) {
    const Json*& slot = latest[{Text(row, a), Text(row, b)}];
    if (!slot || row.at("year").get<int>() > (*slot).at("year").get<int>()) slot = &row;
  }
  std::vector<const Json*> out;
  for (const auto& [key, row] : latest) out.push_back(row);
  return out;
}

Table ExternalTable(const Json& v, const Names& names) {
  const Words& w = names.words;
  Table t{"externals",
          w["externals_caption"],
          {{w["measure"], "measure"},
           {w["node"], "node"},
           {w["year"], "year", true},
           {w["external_year"], "external_year", true},
           {w["n"], "n", true},
           {w["rho"], "rho", true},
           {w["ci95"], "ci95", true}},
          {},
          "measure"};
  if (!v.contains("externals") || v.at("externals").empty()) return t;
  for (const Json* row : LatestOfEach(v.at("externals"), "id", "node")) {
    const Json& r = *row;
    t.rows.push_back({Text(r, "id"),
                      {Named(r, w), NodeNamed(names, Text(r, "node")), std::to_string(r.at("year").get<int>()),
                       std::to_string(r.at("external_year").get<int>()), std::to_string(r.at("n").get<long>()),
                       Fixed(r.at("rho"), 2), Range95(r)}});
  }
  return t;
}

Table GroupTable(const Json& v, const Names& names) {
  const Words& w = names.words;
  Table t{"known-groups",
          w["groups_caption"],
          {{w["group"], "group"},
           {w["variant"], "variant"},
           {w["year"], "year", true},
           {w["n_low"], "n_low", true},
           {w["n_high"], "n_high", true},
           {w["auc"], "auc", true},
           {w["ci95"], "ci95", true},
           {w["holds"], "holds"}},
          {},
          "group"};
  if (!v.contains("known_groups") || v.at("known_groups").empty()) return t;
  for (const Json* row : LatestOfEach(v.at("known_groups"), "id", "variant")) {
    const Json& r = *row;
    t.rows.push_back({Text(r, "id"),
                      {Named(r, w), Text(r, "variant"), std::to_string(r.at("year").get<int>()),
                       std::to_string(r.at("n_low").get<long>()), std::to_string(r.at("n_high").get<long>()),
                       Fixed(r.at("auc"), 2), Range95(r), r.at("holds").get<bool>() ? w["yes"] : w["no"]}});
  }
  return t;
}

Table CoherenceTable(const Json& v, const Names& names, int year) {
  const Words& w = names.words;
  Table t{"coherence",
          w.Say("coherence_caption", {{"year", std::to_string(year)}}),
          {{w["node"], "node"},
           {w["countries"], "units", true},
           {w["alpha"], "alpha", true},
           {w["pc1_share"], "pc1_share", true},
           {w["r2"], "r2", true}},
          {},
          "node"};
  for (const auto& r : v.value("coherence", Json::array())) {
    t.rows.push_back({Text(r, "node"),
                      {NodeNamed(names, Text(r, "node")), std::to_string(r.at("units").get<long>()),
                       Fixed(r.at("alpha"), 2), Fixed(r.at("pc1_share"), 2), Fixed(r.at("r2_with_index"), 2)}});
  }
  return t;
}

Table NegativeTable(const Json& v, const Names& names) {
  const Words& w = names.words;
  Table t{"negative-correlations",
          w["negatives_caption"],
          {{w["year"], "year", true}, {w["pair"], "pair"}, {w["r"], "r", true}, {w["explanation"], "explanation"}},
          {},
          "pair"};
  for (const auto& r : v.value("negative_correlations", Json::array())) {
    const std::string pair = Text(r, "a") + " × " + Text(r, "b");
    std::string why = w.lang == "zh" ? Text(r, "explanation_zh") : Text(r, "explanation_en");
    t.rows.push_back(
        {pair,
         {std::to_string(r.at("year").get<int>()), pair, Fixed(r.at("r"), 2), why.empty() ? w["unexplained"] : why}});
  }
  return t;
}

Table ChangeTable(const Json& v, const Names& names, const std::map<std::string, std::string>& args) {
  const Words& w = names.words;
  Table t{"method-changes",
          w.Say("changes_caption", args),
          {{w["what"], "what"}, {w["item"], "item"}, {w["before"], "before"}, {w["after"], "after"}},
          {},
          "item"};
  for (const auto& r : v.value("method_changes", Json::array())) {
    std::string what = Text(r, "what");
    for (auto& c : what) c = c == '-' ? '_' : c;
    t.rows.push_back({Text(r, "item"), {w["what_" + what], Text(r, "item"), Text(r, "before"), Text(r, "after")}});
  }
  return t;
}

Table ShiftTable(const Json& v, const Names& names, const std::map<std::string, std::string>& args) {
  const Words& w = names.words;
  Table t{"rank-shifts",
          w.Say("shifts_caption", args),
          {{w["country"], "country"},
           {w.Say("rank_before", args), "rank_previous", true},
           {w.Say("rank_after", args), "rank", true},
           {w["reason"], "reason"}},
          {}};
  for (const auto& r : v.value("largest_shifts", Json::array())) {
    t.rows.push_back({Text(r, "unit"),
                      {names.UnitName(Text(r, "unit")), std::to_string(r.at("rank_previous").get<int>()),
                       std::to_string(r.at("rank").get<int>()), Text(r, "reason")}});
  }
  return t;
}

void Annexes(const Json& v, const Names& names, Data& d) {
  const Words& w = names.words;
  const int year = v.at("latest_year").get<int>();
  const std::string version = Text(v, "method_version"), previous = Text(v, "previous_version");
  d.set("validation_text", w.Say("validation_text", {{"version", version}, {"year", std::to_string(year)}}));
  d.set("externals", ExternalTable(v, names).Html());
  d.set("known_groups", GroupTable(v, names).Html());
  d.set("coherence", CoherenceTable(v, names, year).Html());
  const Table negatives = NegativeTable(v, names);
  d.set("negatives",
        negatives.rows.empty() ? "<p data-field=\"negatives\">" + Xml(w["no_negatives"]) + "</p>" : negatives.Html());
  if (previous.empty() || previous == version) return;
  const std::map<std::string, std::string> args{
      {"version", version}, {"previous", previous}, {"year", std::to_string(year)}};
  d.set("has_changes", true);
  d.set("changes_text", w.Say("changes_text", args));
  d.set("method_changes", ChangeTable(v, names, args).Html());
  d.set("rank_shifts", ShiftTable(v, names, args).Html());
}

}  // namespace

Status ValidationAnnex(const engine::Published& pub, const Names& names, Data& d) {
  d.set("has_validation", !pub.validation_json.empty());
  d.set("has_changes", false);
  if (pub.validation_json.empty()) return Ok();
  try {
    Annexes(Json::parse(pub.validation_json), names, d);
  } catch (const Json::exception& e) {
    return Error{Errc::kBadHeader, fmt::format("not a validation.json of gpsi validate: {}", e.what())};
  }
  return Ok();
}

}  // namespace gpsi::report::detail
