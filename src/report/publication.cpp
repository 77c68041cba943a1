// The annual report as HTML: one template set (src/report/templates) filled from a build's
// summary (engine::Summarise) with the words of one language's string table. Every number in the
// text is formatted here from the summary; the templates and strings hold none.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "page.hpp"
#include "report.hpp"

namespace gpsi::report {
namespace {

using detail::Data;
using detail::Interval;
using detail::Names;
using detail::Score;
using detail::Table;
using detail::Words;

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
    std::vector<std::string> cells{names.RegionName(code, scores.front()->region_name),
                                   std::to_string(scores.front()->units)};
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

//! The index over the trend years: a line per region (its unweighted mean).
std::string TrendChart(const engine::ReportSummary& s, const Names& names) {
  std::map<std::string, detail::Line> lines;
  std::map<std::string, std::string> region_names;
  for (const auto& r : s.regions) region_names.emplace(r.region_code, r.region_name);
  for (const auto& r : s.trends) {
    auto& line = lines[r.region_code];
    if (line.values.empty()) {
      line.label = names.RegionName(r.region_code, region_names[r.region_code]);
      line.style = "region-" + r.region_code;
      line.values.assign(s.trend_years.size(), kNa);
    }
    const auto at = std::find(s.trend_years.begin(), s.trend_years.end(), r.year) - s.trend_years.begin();
    line.values[static_cast<std::size_t>(at)] = r.mean;
  }
  std::vector<detail::Line> all;
  for (auto& [code, line] : lines) all.push_back(std::move(line));
  return detail::LineChart(names.words["trends_caption"], s.trend_years, all);
}

//! A world map per entry of the summary's nodes: each ranked country's score that year.
Data Maps(const engine::ReportSummary& s, const Names& names) {
  const Words& w = names.words;
  Data maps{Data::type::list};
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    std::vector<detail::MapValue> values;
    for (const auto& st : s.rankings[i]) {
      const auto it = names.units.find(st.unit);
      if (it != names.units.end() && !it->second->m49.empty()) values.push_back({st.unit, it->second->m49, st.score});
    }
    const std::string caption =
        w.Say("map_caption", {{"node", names.NodeName(s.nodes[i])}, {"year", std::to_string(s.year)}});
    Data map;
    map.set("code", names.method.nodes[s.nodes[i]].code);
    map.set("caption", caption);
    map.set("svg", detail::WorldMap(caption, values, w["no_data"]));
    maps << map;
  }
  return maps;
}

}  // namespace

Result<std::string> AnnualReportHtml(const engine::Published& pub, const engine::ReportSummary& s, const Edition& e) {
  auto words = Words::Load(e.lang);
  if (!words) return words.error();
  const Names names(*words, pub);
  Data d;
  detail::SetPage(pub, e, *words, d);
  d.set("year", std::to_string(s.year));
  Summary(pub, s, names, d);
  d.set("maps", Maps(s, names));
  d.set("maps_text", words->Say("maps_text", {{"year", std::to_string(s.year)}}));
  d.set("trends_chart", TrendChart(s, names));
  d.set("trends_text", words->Say("trends_text", {{"first", std::to_string(s.trend_years.front())},
                                                  {"last", std::to_string(s.trend_years.back())}}));
  d.set("ranking", RankingTable(s, names).Html());
  d.set("sources", SourceTable(pub, *words).Html());
  detail::MethodAnnex(pub, names, d);
  if (auto st = detail::ValidationAnnex(pub, names, d); !st) return st.error();
  return detail::Render("report.html", d);
}

}  // namespace gpsi::report
