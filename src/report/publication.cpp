// The annual report as HTML: one template set (src/report/templates) filled from a build's
// summary (engine::Summarise) with the words of one language's string table. Every number in the
// text is formatted here from the summary; the templates and strings hold none.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/args.h>
#include <fmt/format.h>
#include <toml++/toml.h>
#include <kainjow/mustache.hpp>

#include "report.hpp"

namespace gpsi::report {
namespace detail {
extern const std::map<std::string_view, std::string_view> kTemplates;
}  // namespace detail

namespace {

using Data = kainjow::mustache::data;
using Template = kainjow::mustache::mustache;

//! One language's words: the string table's [en] or [zh], and the Chinese names of M49 regions.
struct Words {
  std::string lang;
  std::map<std::string, std::string> text;
  std::map<std::string, std::string> region_zh;

  const std::string& operator[](const std::string& key) const {
    static const std::string kMissing;
    const auto it = text.find(key);
    return it == text.end() ? kMissing : it->second;
  }
  //! The sentence `key` with its named numbers filled in ({n}, {year}…).
  std::string Say(const std::string& key, const std::map<std::string, std::string>& args) const {
    fmt::dynamic_format_arg_store<fmt::format_context> store;
    for (const auto& [name, value] : args) store.push_back(fmt::arg(name.c_str(), value));
    return fmt::vformat((*this)[key], store);
  }
};

Result<Words> LoadWords(const std::string& lang) {
  toml::table root;
  try {
    root = toml::parse(detail::kTemplates.at("strings.toml"), std::string_view("strings.toml"));
  } catch (const toml::parse_error& e) {
    return Error{Errc::kInternal, std::string("the report's string table: ") + std::string(e.description())};
  }
  const toml::table* table = root[lang].as_table();
  if (!table) return Error{Errc::kUsage, fmt::format("no report language '{}' (en or zh)", lang)};
  Words w;
  w.lang = lang;
  for (const auto& [k, v] : *table) w.text.emplace(std::string(k.str()), v.value_or(std::string()));
  if (const toml::table* zh = root["region_zh"].as_table()) {
    for (const auto& [k, v] : *zh) w.region_zh.emplace(std::string(k.str()), v.value_or(std::string()));
  }
  return w;
}

std::string Score(double v) {
  return IsNa(v) ? "—" : fmt::format("{:.1f}", v);
}
//! The 90 % rank interval to the nearest rank (rank_stats.csv keeps the interpolated quantiles).
std::string Interval(const engine::Standing& s) {
  return IsNa(s.p05) || IsNa(s.p95) ? "—" : fmt::format("{:.0f}–{:.0f}", s.p05, s.p95);
}

//! What the report names things by, in its language: units, nodes and regions.
struct Names {
  const Words& words;
  std::map<std::string, const gpsi::Unit*> units;
  const engine::MethodInfo& method;

  std::string UnitName(const std::string& code) const {
    const auto it = units.find(code);
    if (it == units.end()) return code;
    const auto& u = *it->second;
    return words.lang == "zh" && !u.name_zh.empty() ? u.name_zh : u.name_en.empty() ? code : u.name_en;
  }
  std::string NodeName(std::size_t i) const {
    const auto& n = method.nodes[i];
    return words.lang == "zh" && !n.name_zh.empty() ? n.name_zh : n.name_en.empty() ? n.code : n.name_en;
  }
  std::string RegionName(const engine::RegionScore& r) const {
    const auto it = words.region_zh.find(r.region_code);
    return words.lang == "zh" && it != words.region_zh.end() ? it->second : r.region_name;
  }
};

//! A table as the table template draws it: a caption, columns, and rows keyed by unit.
struct Table {
  struct Column {
    std::string text, field;
    bool num = false;
  };
  std::string id, caption;
  std::vector<Column> columns;
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;  // unit, a text per column

  std::string Html() const {
    Data head{Data::type::list}, body{Data::type::list};
    for (const auto& c : columns) {
      Data h;
      h.set("text", c.text), h.set("num", c.num);
      head << h;
    }
    for (const auto& [unit, cells] : rows) {
      Data list{Data::type::list};
      for (std::size_t i = 0; i < cells.size(); ++i) {
        Data cell;
        cell.set("text", cells[i]), cell.set("field", columns[i].field), cell.set("num", columns[i].num);
        list << cell;
      }
      Data row;
      row.set("unit", unit), row.set("cells", list);
      body << row;
    }
    Data d;
    d.set("id", id), d.set("caption", caption), d.set("head", head), d.set("rows", body);
    return Template{std::string(detail::kTemplates.at("table.html"))}.render(d);
  }
};

//! Rank, country, score and interval of `standings` (the first `limit`, or the last when `from_end`).
Table StandingTable(const std::string& id, const std::string& caption, const std::vector<engine::Standing>& all,
                    std::size_t limit, bool from_end, const Names& names) {
  const Words& w = names.words;
  Table t{id,
          caption,
          {{w["rank"], "rank", true},
           {w["country"], "country"},
           {w["score"], "score", true},
           {w["interval"], "interval", true}},
          {}};
  const std::size_t n = std::min(limit, all.size()), first = from_end ? all.size() - n : 0;
  for (std::size_t i = first; i < first + n; ++i) {
    const auto& s = all[i];
    t.rows.push_back({s.unit, {std::to_string(s.rank), names.UnitName(s.unit), Score(s.score), Interval(s)}});
  }
  return t;
}

Table MoverTable(const std::string& id, const std::string& caption, const std::vector<engine::Mover>& movers,
                 const engine::ReportSummary& s, const Names& names) {
  const Words& w = names.words;
  const std::map<std::string, std::string> years{{"previous", std::to_string(s.previous)},
                                                 {"year", std::to_string(s.year)}};
  Table t{id,
          caption,
          {{w["country"], "country"},
           {w.Say("from", years), "from", true},
           {w.Say("to", years), "to", true},
           {w["change"], "change", true}},
          {}};
  for (const auto& m : movers) {
    t.rows.push_back(
        {m.unit,
         {names.UnitName(m.unit), std::to_string(m.from), std::to_string(m.to), fmt::format("{:+d}", m.from - m.to)}});
  }
  return t;
}

//! Regions down, the index and each dimension across.
Table RegionTable(const engine::ReportSummary& s, const Names& names) {
  const Words& w = names.words;
  Table t{"regions", w["regions_note"], {{w["region"], "region"}, {w["countries"], "countries", true}}, {}};
  for (auto n : s.nodes) t.columns.push_back({names.NodeName(n), names.method.nodes[n].code, true});
  std::map<std::string, std::vector<const engine::RegionScore*>> by_region;
  for (const auto& r : s.regions) by_region[r.region_code].push_back(&r);
  for (const auto& [code, scores] : by_region) {
    std::vector<std::string> cells{names.RegionName(*scores.front()), std::to_string(scores.front()->units)};
    for (auto n : s.nodes) {
      const auto it = std::find_if(scores.begin(), scores.end(),
                                   [&](const auto* r) { return r->node == names.method.nodes[n].code; });
      cells.push_back(it == scores.end() ? "—" : Score((*it)->mean));
    }
    t.rows.push_back({code, std::move(cells)});
  }
  return t;
}

//! Every ranked unit: the index's rank, score, interval and flags, then each dimension's score.
Table RankingTable(const engine::ReportSummary& s, const Names& names) {
  const Words& w = names.words;
  Table t = StandingTable("ranking", w.Say("ranking_caption", {{"year", std::to_string(s.year)}}), s.rankings[0],
                          s.rankings[0].size(), false, names);
  t.columns.push_back({w["flags"], "flags"});
  std::vector<std::map<std::string, double>> dims;
  for (std::size_t i = 1; i < s.nodes.size(); ++i) {
    t.columns.push_back({names.NodeName(s.nodes[i]), names.method.nodes[s.nodes[i]].code, true});
    auto& d = dims.emplace_back();
    for (const auto& st : s.rankings[i]) d.emplace(st.unit, st.score);
  }
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    auto& cells = t.rows[r].second;
    cells.push_back(s.rankings[0][r].flags);
    for (const auto& d : dims) {
      const auto it = d.find(t.rows[r].first);
      cells.push_back(it == d.end() ? "—" : Score(it->second));
    }
  }
  return t;
}

//! The source releases the build read (those of the values it published).
Table SourceTable(const engine::Published& pub, const Words& w) {
  std::set<std::string> read;
  for (const auto& v : pub.values) read.insert(v.value.source_key + "@" + v.value.release);
  Table t{
      "sources",
      w["sources_caption"],
      {{w["publisher"], "publisher"}, {w["tier"], "tier", true}, {w["licence"], "licence"}, {w["release"], "release"}},
      {}};
  for (const auto& s : pub.sources) {
    if (!read.contains(s.source.key + "@" + s.source.release)) continue;
    t.rows.push_back(
        {s.source.key, {s.source.publisher, std::to_string(s.source.tier), s.source.licence, s.source.release}});
  }
  return t;
}

std::string UncertaintyText(const engine::Published& pub, const engine::ReportSummary& s, const Words& w) {
  if (pub.interval_samples == 0 || IsNa(s.spread.median_width)) return w["no_intervals"];
  return w.Say("uncertainty_text", {{"samples", std::to_string(pub.interval_samples)},
                                    {"median", fmt::format("{:.0f}", s.spread.median_width)},
                                    {"narrow", std::to_string(s.spread.narrow)},
                                    {"wide", std::to_string(s.spread.wide)},
                                    {"very_wide", std::to_string(s.spread.very_wide)}});
}

//! The executive summary's sentences and tables into `d`.
void Summary(const engine::Published& pub, const engine::ReportSummary& s, const Names& names, Data& d) {
  const Words& w = names.words;
  const auto& index = s.rankings[0];
  const std::string year = std::to_string(s.year);
  if (!index.empty()) {
    d.set("ranked", w.Say("ranked", {{"n", std::to_string(index.size())},
                                     {"year", year},
                                     {"first", names.UnitName(index.front().unit)},
                                     {"score", Score(index.front().score)},
                                     {"last", names.UnitName(index.back().unit)},
                                     {"last_score", Score(index.back().score)}}));
  }
  d.set("top10", StandingTable("top10", w["standing_caption"], index, 10, false, names).Html());
  d.set("bottom10", StandingTable("bottom10", w["standing_caption"], index, 10, true, names).Html());
  const bool movers = s.previous != 0;
  d.set("has_movers", movers);
  d.set("movers_heading", w.Say("movers", {{"previous", std::to_string(movers ? s.previous : s.year - 1)}}));
  d.set("no_movers", w.Say("no_movers", {{"year", year}}));
  if (movers) {
    d.set("risers", MoverTable("risers", w["risers"], s.risers, s, names).Html());
    d.set("fallers", MoverTable("fallers", w["fallers"], s.fallers, s, names).Html());
  }
  d.set("regions", RegionTable(s, names).Html());
  Data tops{Data::type::list};
  for (std::size_t i = 1; i < s.nodes.size(); ++i) {
    std::string list;
    for (std::size_t k = 0; k < std::min<std::size_t>(3, s.rankings[i].size()); ++k) {
      list += (k ? (w.lang == "zh" ? "、" : ", ") : "") + names.UnitName(s.rankings[i][k].unit);
    }
    Data item;
    item.set("code", names.method.nodes[s.nodes[i]].code);
    item.set("text", w.Say("dimension_top", {{"dimension", names.NodeName(s.nodes[i])}, {"names", list}}));
    tops << item;
  }
  d.set("dimension_tops", tops);
  d.set("uncertainty", UncertaintyText(pub, s, w));
}

}  // namespace

Result<std::string> AnnualReportHtml(const engine::Published& pub, const engine::ReportSummary& s,
                                     const std::string& lang) {
  auto words = LoadWords(lang);
  if (!words) return words.error();
  const auto& m = pub.build.method;
  Names names{*words, {}, m};
  for (const auto& u : pub.units) names.units.emplace(u.code, &u);
  Data d;
  Data t;
  for (const auto& [k, v] : words->text) t.set(k, v);
  d.set("t", t);
  d.set("lang", lang == "zh" ? "zh-Hans" : "en");
  d.set("year", std::to_string(s.year));
  d.set("method", fmt::format("{} {} ({})", m.id, m.version, m.hash.substr(0, 12)));
  d.set("run_id", pub.build.run_id);
  d.set("data_hash", pub.build.data_hash);
  Summary(pub, s, names, d);
  d.set("ranking", RankingTable(s, names).Html());
  d.set("sources", SourceTable(pub, *words).Html());
  Template page{std::string(detail::kTemplates.at("report.html"))};
  if (!page.is_valid()) return Error{Errc::kInternal, "the report template: " + page.error_message()};
  return page.render(d);
}

}  // namespace gpsi::report
