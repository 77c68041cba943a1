// A country's page of the report: its standing, dimensions beside its region, its trend and every
// indicator, from engine::Profile; one template (profile.html) for both languages.
#include <cmath>

#include <fmt/format.h>

#include "page.hpp"
#include "report.hpp"

namespace gpsi::report {
namespace {

using detail::Data;
using detail::Names;
using detail::Table;

//! An indicator's value as read, to a precision its readers know: whole numbers from 100 up,
//! two decimals from 1, three significant digits below.
std::string ReadValue(double v) {
  if (IsNa(v)) return "—";
  const double a = std::fabs(v);
  return a >= 100 ? fmt::format("{:.0f}", v) : a >= 1 ? fmt::format("{:.2f}", v) : fmt::format("{:.3g}", v);
}

std::string RankText(int rank) {
  return rank > 0 ? std::to_string(rank) : "—";
}

//! The index and each dimension: score, rank, interval, and the region's mean.
Table DimensionTable(const engine::ReportSummary& s, const engine::CountryProfile& p, const Names& names) {
  const auto& w = names.words;
  Table t{"dimensions",
          w["dimension_caption"],
          {{w["node"], "node"},
           {w["score"], "score", true},
           {w["rank"], "rank", true},
           {w["interval"], "interval", true},
           {w["region_mean"], "region_mean", true}},
          {},
          "node"};
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    const auto& st = p.standings[i];
    t.rows.push_back({names.method.nodes[s.nodes[i]].code,
                      {names.NodeName(s.nodes[i]), detail::Score(st.score), RankText(st.rank), detail::Interval(st),
                       detail::Score(p.region_means[i])}});
  }
  return t;
}

Table IndicatorTable(const engine::ReportSummary& s, const engine::CountryProfile& p, const Names& names) {
  const auto& w = names.words;
  Table t{"indicators",
          w.Say("indicators_caption", {{"year", std::to_string(s.year)}}),
          {{w["indicator"], "indicator"},
           {w["value"], "value", true},
           {w["score"], "score", true},
           {w["data_year"], "data_year", true},
           {w["source"], "source"},
           {w["tier"], "tier", true},
           {w["flags"], "flags"}},
          {},
          "indicator"};
  for (const auto& ind : p.indicators) {
    t.rows.push_back(
        {names.method.nodes[ind.node].code,
         {names.NodeName(ind.node), ReadValue(ind.value), detail::Score(ind.score),
          ind.data_year ? std::to_string(ind.data_year) : "—", ind.publisher.empty() ? ind.how : ind.publisher,
          ind.tier ? std::to_string(ind.tier) : "—", ind.flags}});
  }
  return t;
}

//! The index forecast by year: score median and interval, P(deterioration), P(bottom), rank.
Table OutlookTable(const engine::Published& pub, const engine::CountryProfile& p, const Names& names) {
  const auto& w = names.words;
  const auto& f = *pub.forecast;
  Table t{"outlook",
          w.Say("outlook_caption", {{"origin", std::to_string(f.origin)},
                                    {"model", f.model},
                                    {"draws", std::to_string(pub.forecast_draws)},
                                    {"points", FormatNumber(f.deterioration)},
                                    {"bottom", std::to_string(f.bottom)}}),
          {{w["forecast_year"], "year", true},
           {w["forecast_score"], "median", true},
           {w["interval"], "interval", true},
           {w["p_deterioration"], "p_deterioration", true},
           {w["p_bottom"], "p_bottom", true},
           {w["forecast_rank"], "rank_median", true},
           {w["interval"], "rank_interval", true}},
          {},
          "year"};
  for (const auto& y : p.forecast) {
    const auto& o = y.outlook;
    t.rows.push_back(
        {std::to_string(y.year),
         {std::to_string(y.year), detail::Score(y.median), detail::Span(y.p05, y.p95, 1),
          detail::Percent(o.p_deterioration, w), detail::Percent(o.p_bottom, w),
          IsNa(o.rank_median) ? "—" : fmt::format("{:.0f}", o.rank_median), detail::Span(o.rank_p05, o.rank_p95, 0)}});
  }
  return t;
}

//! The unit's early warnings: severity, kind of rule, series read, period, value and baseline.
Table WarningTable(const engine::CountryProfile& p, const Names& names) {
  const auto& w = names.words;
  Table t{"warnings",
          w["warnings_caption"],
          {{w["severity"], "severity"},
           {w["rule"], "rule"},
           {w["reads_series"], "code"},
           {w["period"], "period"},
           {w["value"], "value", true},
           {w["baseline"], "baseline", true}},
          {},
          "rule"};
  for (const auto& x : p.warnings) {
    t.rows.push_back({x.id,
                      {w["severity_" + x.severity], w["rule_" + x.rule], x.code, x.period, ReadValue(x.value),
                       ReadValue(x.baseline)}});
  }
  return t;
}

//! The outlook section's fields: `has_outlook`, then `outlook` (the forecast table, or a sentence
//! that the country has none) and `warnings` (their table, or a sentence that none fires), each
//! only when the build was published with forecasts or warnings.
void Outlook(const engine::Published& pub, const engine::CountryProfile& p, const Names& names,
             const std::string& country, Data& d) {
  const auto& w = names.words;
  d.set("has_outlook", pub.forecast.has_value() || pub.warnings.has_value());
  if (pub.forecast) {
    d.set("outlook", p.forecast.empty() ? "<p data-field=\"no-forecast\">" +
                                              detail::Xml(w.Say("no_forecast", {{"country", country}})) + "</p>"
                                        : OutlookTable(pub, p, names).Html());
  }
  if (pub.warnings) {
    d.set("warnings", p.warnings.empty() ? "<p data-field=\"no-warnings\">" +
                                               detail::Xml(w.Say("no_warnings", {{"country", country}})) + "</p>"
                                         : WarningTable(p, names).Html());
  }
}

std::string DimensionBars(const engine::ReportSummary& s, const engine::CountryProfile& p, const Names& names) {
  std::vector<detail::Bar> bars;
  for (std::size_t i = 1; i < s.nodes.size(); ++i) {
    bars.push_back({names.NodeName(s.nodes[i]), p.standings[i].score, p.region_means[i]});
  }
  return detail::BarChart(names.words["dimension_bars"], names.words["region_mean"], bars);
}

}  // namespace

Result<std::string> ProfileHtml(const engine::Published& pub, const engine::ReportSummary& s,
                                const engine::CountryProfile& p, const Edition& e) {
  auto words = detail::Words::Load(e.lang);
  if (!words) return words.error();
  const Names names(*words, pub);
  const auto& w = *words;
  const auto& index = p.standings.front();
  const std::string year = std::to_string(s.year), country = names.UnitName(p.unit);
  std::string region_name;
  for (const auto& r : s.regions) {
    if (r.region_code == p.region_code) region_name = names.RegionName(r.region_code, r.region_name);
  }
  Data d;
  detail::SetPage(pub, e, w, d);
  d.set("unit", p.unit);
  d.set("title", w.Say("profile_title", {{"country", country}, {"year", year}}));
  d.set("standing", w.Say("profile_standing", {{"rank", std::to_string(index.rank)},
                                               {"n", std::to_string(s.rankings.front().size())},
                                               {"year", year},
                                               {"score", detail::Score(index.score)},
                                               {"interval", detail::Interval(index)}}));
  d.set("region", w.Say("profile_region", {{"region", region_name.empty() ? w["no_region"] : region_name}}));
  d.set("dimensions", DimensionTable(s, p, names).Html());
  d.set("bars", DimensionBars(s, p, names));
  d.set("trend", detail::LineChart(w["trend_chart"], s.trend_years,
                                   {{country, "country", p.trend}, {w["region_mean"], "region", p.region_trend}}));
  d.set("indicators", IndicatorTable(s, p, names).Html());
  Outlook(pub, p, names, country, d);
  return detail::Render("profile.html", d);
}

}  // namespace gpsi::report
