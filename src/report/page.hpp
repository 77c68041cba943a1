// What the report's pages share (the annual report, the country profiles): the string table of a
// language, the names of units, nodes and regions in it, number formats, tables, templates and
// the SVG charts. Internal to the report module.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <kainjow/mustache.hpp>

#include "core.hpp"
#include "engine.hpp"
#include "report.hpp"

namespace gpsi::report::detail {

//! The templates, string table and PDF driver of src/report/templates, compiled in.
extern const std::map<std::string_view, std::string_view> kTemplates;

using Data = kainjow::mustache::data;

//! One language's words: the string table's [en] or [zh], and the Chinese names of M49 regions.
struct Words {
  std::string lang;
  std::map<std::string, std::string> text;
  std::map<std::string, std::string> region_zh;

  //! The string table of `lang`; kUsage for a language it has not.
  static Result<Words> Load(const std::string& lang);
  const std::string& operator[](const std::string& key) const;
  //! The sentence `key` with its named numbers filled in ({n}, {year}…).
  std::string Say(const std::string& key, const std::map<std::string, std::string>& args) const;
  //! Every string of the table as the templates' `t`.
  Data Strings() const;
};

//! A score to one decimal, "—" when missing.
std::string Score(double v);
//! "lo–hi" to `decimals` places, "—" when either is missing.
std::string Span(double lo, double hi, int decimals);
//! The 90 % rank interval to the nearest rank (rank_stats.csv keeps the interpolated quantiles).
std::string Interval(const engine::Standing& s);

//! A probability as a whole percentage in the language's style ("12 %", "12%"), "—" when missing.
std::string Percent(double p, const Words& w);

//! What the report names things by, in its language: units, nodes and regions.
struct Names {
  const Words& words;
  const engine::MethodInfo& method;
  std::map<std::string, const gpsi::Unit*> units;

  Names(const Words& w, const engine::Published& pub);
  std::string UnitName(const std::string& code) const;
  std::string NodeName(std::size_t node) const;
  std::string RegionName(const std::string& code, const std::string& name_en) const;
};

//! A table as the table template draws it: a caption, columns, and rows keyed by unit.
struct Table {
  struct Column {
    std::string text, field;
    bool num = false;
  };
  std::string id, caption;
  std::vector<Column> columns;
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;  // row key, a text per column
  std::string key = "unit";  //!< what the rows are keyed by: their attribute data-<key>

  std::string Html() const;
};

//! Template `name` filled from `d`; kInternal when the compiled-in template does not parse.
Result<std::string> Render(std::string_view name, const Data& d);

//! What every page carries, whatever it reports: `lang`, `created` (the edition's date), `style`,
//! the partial `head` and `t` (the string table).
void SetEdition(const Edition& e, const Words& w, Data& d);

//! What every page of a build carries: SetEdition's and `lang`, `created` (the edition's date), `style` (style.css),
//! the partial `head` (head.html: meta and style), `t` (the string table), `method` (id, version, short hash), `run_id`
//! and `data_hash`.
void SetPage(const engine::Published& pub, const Edition& e, const Words& w, Data& d);

//! The methodology annex into `d`: `method_text`, `intervals_text`, and the tables `pipeline`
//! (the method's [pipeline] settings) and `framework` (every node with its weight as used).
void MethodAnnex(const engine::Published& pub, const Names& names, Data& d);

//! The audit and validation annex and the what-changed annex into `d`, from the build's
//! validation.json (Published::validation_json): `has_validation`, `validation_text` and the tables
//! `externals`, `known_groups`, `coherence`, `negatives`; where the method version changed,
//! `has_changes`, `changes_text` and the tables `method_changes` and `rank_shifts`.
//! kBadHeader when the JSON is not gpsi validate's.
Status ValidationAnnex(const engine::Published& pub, const Names& names, Data& d);

//! Text for SVG and HTML: the five characters XML reserves, escaped.
std::string Xml(const std::string& s);

// ---- SVG charts, drawn here from the same numbers as the tables (src/report/charts.cpp) ----

//! A line of a line chart: one value per year (NaN = a gap); `style` is its CSS class.
struct Line {
  std::string label, style;
  std::vector<double> values;
};
//! A line chart of `lines` over `years`, with a legend; the y axis spans the values, rounded out to tens.
std::string LineChart(const std::string& title, const std::vector<int>& years, const std::vector<Line>& lines);

//! A horizontal bar on 0–100 with an optional mark (the region's mean) across it.
struct Bar {
  std::string label;
  double value = 0, mark = 0;  //!< NaN: no bar, no mark
};
std::string BarChart(const std::string& title, const std::string& mark_label, const std::vector<Bar>& bars);

//! A country on a world map: its unit, ISO 3166 numeric code (M49, the map's id) and score.
struct MapValue {
  std::string unit, m49;
  double value = 0;  //!< NaN: no data (grey)
};
//! A choropleth of `values` (0–100, five bands, darker better) on the countries of Natural Earth
//! 1:110m (src/report/world_map.cpp), Equal Earth projection, with a legend; `no_data` labels grey.
std::string WorldMap(const std::string& title, const std::vector<MapValue>& values, const std::string& no_data);

}  // namespace gpsi::report::detail
