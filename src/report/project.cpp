// A project risk sheet as one page per language (project.html; docs/risk.md "Project sheets"):
// header, country baseline, threat register with its evidence, controls checklist, local overlay,
// triggers, provenance and sign-off. Nothing is assessed here: every figure is the sheet's
// (engine::AssessProject).
#include <fmt/format.h>

#include "page.hpp"
#include "report.hpp"

namespace gpsi::report {
namespace {

using detail::Data;
using detail::Table;
using detail::Words;

std::string Fixed(double v, int decimals) {
  return IsNa(v) ? "—" : fmt::format("{:.{}f}", v, decimals);
}

//! The edition's word for `value` under `prefix` (a project type, a trend direction); the value
//! itself when the table has none, and "—" for none.
std::string Term(const Words& w, const std::string& prefix, const std::string& value) {
  if (value.empty()) return "—";
  const std::string& word = w[prefix + value];
  return word.empty() ? value : word;
}

//! The text in the edition's language of a pair (en, zh).
const std::string& Pick(const Words& w, const std::string& en, const std::string& zh) {
  return w.lang == "zh" && !zh.empty() ? zh : en;
}

Data Rows(const std::vector<std::pair<std::string, std::string>>& fields, const Words& w) {
  Data rows{Data::type::list};
  for (const auto& [key, value] : fields) {
    Data row;
    row.set("field", key.substr(4)), row.set("name", w[key]), row.set("value", value);
    rows << row;
  }
  return rows;
}

void Header(const engine::ProjectSheet& s, const Words& w, Data& out) {
  const Project& p = s.project;
  const std::string name = Pick(w, p.name, p.name_zh);
  out.set("id", p.id);
  out.set("title", w.Say("prj_heading", {{"name", name}}));
  out.set("stale", s.stale);
  out.set("header",
          Rows({{"prj_enterprise", p.enterprise},
                {"prj_project", fmt::format("{} ({})", name, p.id)},
                {"prj_type", Term(w, "prj_type_", p.type)},
                {"prj_country", fmt::format("{} ({})", Pick(w, s.country.name, s.country.name_zh), p.country)},
                {"prj_dates", fmt::format("{} – {}", p.start, p.end)},
                {"prj_staff", fmt::format("{} / {}", p.staff_national, p.staff_expatriate)},
                {"prj_assessed", s.assessed},
                {"prj_valid_until", s.valid_until},
                {"prj_next_review", s.next_review}},
               w));
}

std::string BaselineText(const engine::ProjectSheet& s, const Words& w) {
  const engine::CountryRisk& c = s.country;
  std::string gpsi;
  if (c.baseline) {
    gpsi = w.Say("prj_gpsi", {{"year", std::to_string(c.baseline->year)},
                              {"score", Fixed(c.baseline->score, 1)},
                              {"rank", std::to_string(c.baseline->rank)},
                              {"ranked", std::to_string(c.baseline->ranked)}});
  }
  return w.Say("prj_baseline_text", {{"country", Pick(w, c.name, c.name_zh)},
                                     {"year", std::to_string(c.year)},
                                     {"score", Fixed(c.risk.value, 1)},
                                     {"class", Pick(w, c.risk.cls.en, c.risk.cls.zh)},
                                     {"rank", c.risk.rank > 0 ? std::to_string(c.risk.rank) : "—"},
                                     {"ranked", std::to_string(c.ranked)},
                                     {"trend", Term(w, "prj_trend_", c.trend.direction)},
                                     {"reliability", Fixed(c.reliability.index, 1)},
                                     {"gpsi", gpsi}});
}

Table RegisterTable(const engine::ProjectSheet& s, const Words& w) {
  Table t{"register", w["prj_register"], {}, {}, "threat"};
  t.columns = {{w["prj_threat"], "threat"},       {w["prj_country_score"], "country", true},
               {w["prj_local"], "local", true},   {w["prj_likelihood"], "likelihood", true},
               {w["prj_impact"], "impact", true}, {w["prj_score"], "score", true},
               {w["prj_rating"], "rating"},       {w["prj_residual"], "residual"}};
  for (const engine::ThreatAssessment& a : s.threats) {
    const engine::MatrixCell& i = a.inherent;
    const engine::MatrixCell& r = a.residual;
    t.rows.push_back(
        {a.id,
         {Pick(w, a.name_en, a.name_zh), Fixed(a.country_score, 1),
          fmt::format("{} ({})", a.local_events, Fixed(a.local_weight, 2)), std::to_string(i.likelihood),
          std::to_string(i.impact), std::to_string(i.score), Pick(w, i.rating.en, i.rating.zh),
          fmt::format("{} × {} = {} {}", r.likelihood, r.impact, r.score, Pick(w, r.rating.en, r.rating.zh))}});
  }
  return t;
}

//! Per threat: its name, evidence lines and controls checklist.
Data Threats(const engine::ProjectSheet& s, const Words& w) {
  Data threats{Data::type::list};
  for (const engine::ThreatAssessment& a : s.threats) {
    Data t, evidence{Data::type::list}, controls{Data::type::list};
    t.set("id", a.id), t.set("name", Pick(w, a.name_en, a.name_zh));
    for (const engine::ThreatEvidence& e : a.evidence) {
      Data line;
      line.set("kind", e.kind), line.set("text", Pick(w, e.en, e.zh));
      evidence << line;
    }
    for (const engine::ThreatControl& c : a.controls) {
      Data line;
      line.set("id", c.id), line.set("in_place", c.in_place ? "true" : "false");
      line.set("mark", c.in_place ? "☑" : "☐"), line.set("text", Pick(w, c.en, c.zh));
      controls << line;
    }
    t.set("evidence", evidence), t.set("controls", controls);
    threats << t;
  }
  return threats;
}

void Overlay(const engine::ProjectSheet& s, const Words& w, Data& out) {
  const engine::ProjectOverlay& o = s.overlay;
  out.set("overlay_text", w.Say(o.how == "radius" ? "prj_overlay_radius" : "prj_overlay_area",
                                {{"n", std::to_string(o.events.size())},
                                 {"radius", Fixed(o.radius_km, 0)},
                                 {"area", s.project.admin_area},
                                 {"from", o.from},
                                 {"to", o.to},
                                 {"all", std::to_string(o.points_in_window)},
                                 {"half", Fixed(o.half_life_days, 0)}}));
  out.set("sources_note", w.lang == "zh"
                              ? "GDELT事件点位（ActionGeo坐标）。此处UCDP数据仅有国家-年度汇总（无GED点位）："
                                "有组织暴力经国家得分计入。"
                              : "GDELT event points (ActionGeo coordinates). UCDP data here is country-year "
                                "only (no GED points): organised violence enters through the country score.");
  Table t{"events", w["prj_events_caption"], {}, {}, "event"};
  t.columns = {{w["prj_date"], "date"},           {w["prj_event"], "event"},
               {w["prj_root"], "root", true},     {w["prj_distance"], "distance", true},
               {w["prj_weight"], "weight", true}, {w["prj_source"], "source"}};
  for (const engine::NearbyEvent& e : o.events) {
    t.rows.push_back(
        {e.event_id,
         {e.date, fmt::format("{} {}", e.source, e.event_id), std::to_string(e.root_code), Fixed(e.distance_km, 1),
          Fixed(e.weight, 3), fmt::format("{}…:{}", e.file_sha256.substr(0, 12), e.line)}});
  }
  out.set("events", t.Html());
}

Data Triggers(const engine::ProjectSheet& s, const Words& w) {
  Data list{Data::type::list};
  for (const engine::ProjectTrigger& t : s.triggers) {
    Data line;
    line.set("kind", t.kind), line.set("fired", t.fired ? "true" : "false");
    line.set("mark", t.fired ? "⚠" : "○"), line.set("text", Pick(w, t.en, t.zh));
    list << line;
  }
  return list;
}

void SignOff(const engine::ProjectSheet& s, const Words& w, Data& out) {
  out.set("provenance",
          Rows({{"prj_method", fmt::format("{} {} ({})", s.method_id, s.method_version, s.method_hash.substr(0, 12))},
                {"prj_data_hash", s.data_hash},
                {"prj_project_sha256", s.project_sha256},
                {"prj_prepared_by", fmt::format("{}, {}", s.prepared_by, s.assessed)}},
               w));
}

}  // namespace

Result<std::string> ProjectSheetHtml(const engine::ProjectSheet& s, const Edition& e) {
  auto words = Words::Load(e.lang);
  if (!words) return words.error();
  const Words& w = *words;
  Data out;
  detail::SetEdition(e, w, out);
  Header(s, w, out);
  out.set("baseline_text", BaselineText(s, w));
  out.set("register", RegisterTable(s, w).Html());
  const auto top = std::find_if(s.threats.begin(), s.threats.end(),
                                [&](const engine::ThreatAssessment& a) { return a.id == s.residual_threat; });
  out.set("residual_text",
          w.Say("prj_residual_text", {{"score", std::to_string(s.residual.score)},
                                      {"rating", Pick(w, s.residual.rating.en, s.residual.rating.zh)},
                                      {"threat", top == s.threats.end() ? "—" : Pick(w, top->name_en, top->name_zh)}}));
  out.set("threats", Threats(s, w));
  Overlay(s, w, out);
  out.set("triggers", Triggers(s, w));
  SignOff(s, w, out);
  return detail::Render("project.html", out);
}

}  // namespace gpsi::report
