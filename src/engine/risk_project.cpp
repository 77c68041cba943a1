// gpsi risk project: "one project, one policy" risk sheets (docs/risk.md "Project sheets"). A sheet
// is the country sheet of the project's country, the stored events near its site and route, and
// the method's threat register read on both: likelihood from the country's class and the local
// events, impact from the threat and the project's exposure, the controls in place for the
// residual risk, and the triggers that make the sheet stale. The rules are the method's [risk]
// table (src/method); the arithmetic of distance and recency is src/risk's.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "detail/built.hpp"
#include "detail/guard.hpp"
#include "detail/json.hpp"
#include "engine.hpp"
#include "method.hpp"
#include "risk.hpp"

namespace gpsi::engine {
namespace {

using detail::JNum;
using detail::Json;
namespace chr = std::chrono;

//! Days since 1970-01-01 of a YYYY-MM-DD date (checked by the project parser or the CLI).
int DayOf(const std::string& iso) {
  const int y = std::stoi(iso.substr(0, 4)), m = std::stoi(iso.substr(5, 2)), d = std::stoi(iso.substr(8, 2));
  const chr::sys_days days{chr::year{y} / chr::month{static_cast<unsigned>(m)} / chr::day{static_cast<unsigned>(d)}};
  return static_cast<int>(days.time_since_epoch().count());
}

std::string DateOf(int day) {
  const chr::year_month_day ymd{chr::sys_days{chr::days{day}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::string TodayUtc() {
  return DateOf(static_cast<int>(chr::floor<chr::days>(chr::system_clock::now()).time_since_epoch().count()));
}

//! The assessment date of a project: its own, else today.
std::string AssessedOf(const Project& p, const std::string& today) {
  return p.assessed.empty() ? today : p.assessed;
}

//! The country's Chinese name, else its English one.
const std::string& NameZh(const CountryRisk& c) {
  return c.name_zh.empty() ? c.name : c.name_zh;
}

//! The country's 0–10 score on a node of the risk method (the index, a dimension or an indicator)
//! with the node's names; the code for both names when the sheet does not hold the node.
struct NodeOnSheet {
  double score = kNa;
  std::string en, zh;
};

NodeOnSheet NodeScore(const CountryRisk& c, const std::string& code) {
  if (c.risk.code == code) return {c.risk.value, c.risk.name_en, c.risk.name_zh};
  for (const RiskScore& d : c.dimensions) {
    if (d.code == code) return {d.value, d.name_en, d.name_zh};
  }
  for (const RiskIndicator& i : c.indicators) {
    if (i.code == code) return {i.score, i.name_en, i.name_zh};
  }
  return {kNa, code, code};
}

MatrixCell MatrixCellAt(int likelihood, int impact, const method::RiskSpec& spec) {
  MatrixCell m{likelihood, impact, likelihood * impact, {}};
  const auto k = static_cast<std::size_t>(
      std::count_if(spec.matrix_lower.begin(), spec.matrix_lower.end(), [&](int lo) { return m.score >= lo; }));
  m.rating = RiskClass{static_cast<int>(k), spec.matrix_en[k], spec.matrix_zh[k]};
  return m;
}

}  // namespace

// ---- events ---------------------------------------------------------------------------------------

struct ProjectEvents::Impl {
  std::vector<EventPoint> points;  //!< by day
  risk::EventIndex index{{}};
  std::map<std::string, std::vector<std::size_t>> by_adm1;

  //! Points dated in [from, to], anywhere.
  std::size_t InWindow(int from, int to) const {
    auto day = [](const EventPoint& p) { return p.day; };
    const auto lo = std::ranges::lower_bound(points, from, {}, day);
    const auto hi = std::ranges::upper_bound(points, to, {}, day);
    return static_cast<std::size_t>(hi - lo);
  }
};

ProjectEvents::ProjectEvents() : impl_(std::make_unique<Impl>()) {}
ProjectEvents::~ProjectEvents() = default;
ProjectEvents::ProjectEvents(ProjectEvents&&) noexcept = default;
ProjectEvents& ProjectEvents::operator=(ProjectEvents&&) noexcept = default;

ProjectEvents ProjectEvents::Of(std::vector<EventPoint> points) {
  ProjectEvents out;
  Impl& e = *out.impl_;
  e.points = std::move(points);
  std::stable_sort(e.points.begin(), e.points.end(),
                   [](const EventPoint& a, const EventPoint& b) { return a.day < b.day; });
  std::vector<risk::Event> events;
  events.reserve(e.points.size());
  for (std::size_t i = 0; i < e.points.size(); ++i) {
    const EventPoint& p = e.points[i];
    events.push_back(risk::Event{{p.lat, p.lon}, p.day, 1});
    if (!p.adm1.empty()) e.by_adm1[p.adm1].push_back(i);
  }
  e.index = risk::EventIndex(std::move(events));
  return out;
}

std::size_t ProjectEvents::size() const {
  return impl_->points.size();
}

Result<ProjectEvents> LoadProjectEvents(const std::string& db_path, const std::string& from, const std::string& to) {
  return detail::Guarded([&]() -> Result<ProjectEvents> {
    auto store = OpenExisting(db_path);
    if (!store) return store.error();
    EventPointFilter filter;
    filter.day_from = DayOf(from), filter.day_to = DayOf(to);
    return ProjectEvents::Of((*store)->EventPoints(filter));
  });
}

namespace {

//! The events within `radius_km` of the site or of the route, each once at its least distance, by
//! distance then position. The site and the route are two places: a site off the route is not
//! joined to the route's first point, so the land between them is not searched.
std::vector<std::pair<double, std::size_t>> NearSiteOrRoute(const Project& p, double radius_km, int from, int to,
                                                            const risk::EventIndex& index) {
  std::map<std::size_t, double> least;
  auto take = [&](std::span<const risk::Point> path) {
    for (const risk::Near& n : index.Within(path, radius_km, from, to)) {
      auto [it, fresh] = least.try_emplace(n.event, n.distance_km);
      if (!fresh) it->second = std::min(it->second, n.distance_km);
    }
  };
  if (p.site) take(std::span<const risk::Point>(&*p.site, 1));
  if (!p.route.empty()) take(p.route);
  std::vector<std::pair<double, std::size_t>> out;
  out.reserve(least.size());
  for (const auto& [i, km] : least) out.emplace_back(km, i);
  std::sort(out.begin(), out.end());
  return out;
}

//! The overlay of a project assessed on day `at`: the events of the look-back window near its site
//! and route, or in its admin area.
ProjectOverlay Overlay(const Project& p, int at, const method::RiskSpec& spec, const ProjectEvents::Impl& e) {
  ProjectOverlay o;
  o.radius_km = IsNa(p.radius_km) ? spec.radius_km : p.radius_km;
  o.half_life_days = spec.half_life_days;
  const int from = at - spec.lookback_days;
  o.from = DateOf(from), o.to = DateOf(at);
  o.points_in_window = e.InWindow(from, at);
  auto add = [&](std::size_t i, double km) {
    const EventPoint& x = e.points[i];
    o.events.push_back(NearbyEvent{x.source, x.event_id, DateOf(x.day), x.lat, x.lon, km,
                                   risk::RecencyWeight(at - x.day, spec.half_life_days), x.root_code, x.file_sha256,
                                   x.line});
  };
  if (p.site || !p.route.empty()) {
    o.how = "radius";
    for (const auto& [km, i] : NearSiteOrRoute(p, o.radius_km, from, at, e.index)) add(i, km);
  } else {
    o.how = "admin_area";
    if (auto it = e.by_adm1.find(p.admin_area); it != e.by_adm1.end()) {
      for (std::size_t i : it->second) {
        if (e.points[i].day >= from && e.points[i].day <= at) add(i, kNa);
      }
    }
  }
  return o;
}

//! The local part of a threat's likelihood: its events in the overlay, their weight, the levels
//! they add.
void LocalPart(const method::RiskThreat& t, const ProjectOverlay& o, const method::RiskSpec& spec,
               ThreatAssessment& a) {
  a.local_weight = 0, a.local_events = 0;
  for (const NearbyEvent& n : o.events) {
    if (std::find(t.event_roots.begin(), t.event_roots.end(), n.root_code) == t.event_roots.end()) continue;
    ++a.local_events;
    a.local_weight += n.weight;
  }
  a.local_raise = static_cast<int>(std::count_if(spec.local_levels.begin(), spec.local_levels.end(),
                                                 [&](double lo) { return a.local_weight >= lo; }));
}

std::string Roots(const std::vector<int>& roots) {
  return fmt::format("{}", fmt::join(roots, ", "));
}

void CountryEvidence(const CountryRisk& c, const NodeOnSheet& node, ThreatAssessment& a) {
  if (IsNa(a.country_score)) {
    a.evidence.push_back({"country",
                          fmt::format("{} has no score on {} in {}: the likelihood starts from its overall risk "
                                      "class",
                                      c.name, node.en, c.year),
                          fmt::format("{}在{}年无“{}”得分：可能性取其总体风险等级", NameZh(c), c.year, node.zh), kNa});
    return;
  }
  a.evidence.push_back({"country",
                        fmt::format("{}'s risk score on {} in {}: {:.1f} of 10 → likelihood level {}", c.name, node.en,
                                    c.year, a.country_score, a.country_level),
                        fmt::format("{}{}年“{}”风险得分 {:.1f}（满分10）→ 可能性 {} 级", NameZh(c), c.year, node.zh,
                                    a.country_score, a.country_level),
                        a.country_score});
}

void LocalEvidence(const method::RiskThreat& t, const ProjectOverlay& o, ThreatAssessment& a) {
  if (t.event_roots.empty()) return;
  const std::string where_en =
      o.how == "radius" ? fmt::format("within {:g} km of the site and route", o.radius_km) : "in the admin area";
  const std::string where_zh =
      o.how == "radius" ? fmt::format("项目地点及路线{:g}公里内", o.radius_km) : "所在行政区内";
  a.evidence.push_back(
      {"local",
       fmt::format("{} events of CAMEO root codes {} {} from {} to {}, recency-weighted {:.2f} → "
                   "+{} level(s)",
                   a.local_events, Roots(t.event_roots), where_en, o.from, o.to, a.local_weight, a.local_raise),
       fmt::format("{}至{}{}CAMEO根代码{}事件{}起，按时效加权{:.2f} → 上调{}级", o.from, o.to, where_zh,
                   Roots(t.event_roots), a.local_events, a.local_weight, a.local_raise),
       a.local_weight});
}

//! The threat's impact: its own level, raised by the project's exposure, with the evidence.
int Impact(const method::RiskThreat& t, const Project& p, ThreatAssessment& a) {
  int impact = t.impact;
  if (t.expatriate_up && p.staff_expatriate > 0) {
    ++impact;
    a.evidence.push_back({"exposure", fmt::format("{} expatriate staff → impact +1", p.staff_expatriate),
                          fmt::format("外派员工{}人 → 影响上调1级", p.staff_expatriate), double(p.staff_expatriate)});
  }
  if (t.route_up && p.route.size() >= 2) {
    ++impact;
    a.evidence.push_back({"exposure", fmt::format("a route of {} points → impact +1", p.route.size()),
                          fmt::format("路线{}个点 → 影响上调1级", p.route.size()), double(p.route.size())});
  }
  return std::min(impact, 5);
}

//! The controls of a threat, those in place, and the residual position they leave.
void Controls(const method::RiskThreat& t, const Project& p, const method::RiskSpec& spec, ThreatAssessment& a) {
  int likelihood = a.inherent.likelihood, impact = a.inherent.impact;
  for (const method::RiskControl& c : t.controls) {
    const bool in = std::find(p.controls.begin(), p.controls.end(), c.id) != p.controls.end();
    a.controls.push_back(ThreatControl{c.id, c.en, c.zh, c.lowers_impact, in, c.steps});
    if (!in) continue;
    (c.lowers_impact ? impact : likelihood) -= c.steps;
    a.evidence.push_back(
        {"control", fmt::format("in place: {} → {} −{}", c.en, c.lowers_impact ? "impact" : "likelihood", c.steps),
         fmt::format("已落实：{} → {}下调{}级", c.zh, c.lowers_impact ? "影响" : "可能性", c.steps), double(c.steps)});
  }
  a.residual = MatrixCellAt(std::max(likelihood, 1), std::max(impact, 1), spec);
}

ThreatAssessment Assess(const method::RiskThreat& t, const Project& p, const CountryRisk& c, const ProjectOverlay& o,
                        const method::RiskSpec& spec) {
  ThreatAssessment a{t.id, t.name_en, t.name_zh, t.node};
  const NodeOnSheet node = NodeScore(c, t.node);
  a.country_score = node.score;
  const int cls = risk::Classify(IsNa(node.score) ? c.risk.value : node.score, spec);
  a.country_level = std::clamp(cls + 1, 1, 5);
  CountryEvidence(c, node, a);
  LocalPart(t, o, spec, a);
  LocalEvidence(t, o, a);
  const int impact = Impact(t, p, a);
  a.inherent = MatrixCellAt(std::min(a.country_level + a.local_raise, 5), impact, spec);
  Controls(t, p, spec, a);
  return a;
}

Status CheckControls(const Project& p, const method::RiskSpec& spec, const std::string& method_id) {
  std::set<std::string> known;
  for (const auto& t : spec.threats) {
    for (const auto& c : t.controls) known.insert(c.id);
  }
  for (const std::string& id : p.controls) {
    if (!known.count(id)) {
      return Error{Errc::kBadProject, fmt::format("controls.in_place: '{}' is not a control of method {} (known: {})",
                                                  id, method_id, fmt::join(known, ", "))};
    }
  }
  return Ok();
}

std::vector<ProjectTrigger> Triggers(const ProjectSheet& s) {
  return {
      {"validity", fmt::format("the validity ends on {}: review the sheet", s.valid_until),
       fmt::format("有效期至{}：到期须重新评估", s.valid_until), s.valid_until, false},
      {"warning", fmt::format("a new early warning for {}", s.country.name),
       fmt::format("{}出现新的预警", NameZh(s.country)), "", false},
      {"area", "local events raise a threat's likelihood above the sheet's", "周边事件使某项威胁的可能性高于本表", "",
       false},
  };
}

}  // namespace

Result<ProjectSheet> AssessProject(const RiskSheets& sheets, const ProjectEvents& events, const Project& project,
                                   const std::string& today) {
  return detail::Guarded([&]() -> Result<ProjectSheet> {
    const method::RiskSpec& spec = *sheets.spec;
    if (auto st = CheckControls(project, spec, sheets.method_id); !st) return st.error();
    auto c = std::find_if(sheets.countries.begin(), sheets.countries.end(),
                          [&](const CountryRisk& x) { return x.unit == project.country; });
    if (c == sheets.countries.end()) {
      return Error{Errc::kNotFound, fmt::format("no country risk sheet of {} in {}", project.country, sheets.year)};
    }
    ProjectSheet s{project, Sha256Hex(risk::ProjectJson(project))};
    s.assessed = AssessedOf(project, today);
    const int at = DayOf(s.assessed);
    s.valid_until = DateOf(at + spec.validity_days);
    s.next_review = std::min(s.valid_until, project.end);
    s.country = *c;
    s.overlay = Overlay(project, at, spec, events.impl());
    for (const method::RiskThreat& t : spec.threats) s.threats.push_back(Assess(t, project, *c, s.overlay, spec));
    for (const ThreatAssessment& a : s.threats) {
      if (a.residual.score > s.residual.score) s.residual = a.residual, s.residual_threat = a.id;
    }
    s.triggers = Triggers(s);
    s.method_id = sheets.method_id, s.method_version = sheets.method_version, s.method_hash = sheets.method_hash;
    s.data_hash = sheets.data_hash, s.run_id = sheets.run_id;
    s.prepared_by = fmt::format("gpsi {}", Version());
    return s;
  });
}

void CheckTriggers(ProjectSheet& s, const RiskSheets& now, const ProjectEvents& events, const std::string& today) {
  std::set<std::pair<std::string, std::string>> held;
  for (const Warning& w : s.country.warnings) held.insert({w.id, w.period});
  bool new_warning = false;
  for (const CountryRisk& c : now.countries) {
    if (c.unit != s.project.country) continue;
    for (const Warning& w : c.warnings) new_warning = new_warning || !held.count({w.id, w.period});
  }
  const method::RiskSpec& spec = *now.spec;
  const ProjectOverlay o = Overlay(s.project, DayOf(today), spec, events.impl());
  bool area = false;
  for (std::size_t k = 0; k < s.threats.size() && k < spec.threats.size(); ++k) {
    ThreatAssessment a;
    LocalPart(spec.threats[k], o, spec, a);
    area = area || a.local_raise > s.threats[k].local_raise;
  }
  for (ProjectTrigger& t : s.triggers) {
    if (t.kind == "validity") t.fired = today > s.valid_until;
    if (t.kind == "warning") t.fired = new_warning;
    if (t.kind == "area") t.fired = area;
    s.stale = s.stale || t.fired;
  }
}

namespace {

Result<Project> ReadProject(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Errc::kIo, "cannot read the project file", path};
  std::stringstream text;
  text << in.rdbuf();
  return risk::ParseProject(text.str(), path);
}

//! The country sheets of `year`, or of the method's latest scored year when `year` has no scores.
Result<RiskSheets> SheetsOf(const RiskConfig& base, int year) {
  RiskConfig cfg = base;
  cfg.year = year;
  auto s = CountryRisks(cfg);
  if (s || s.error().code != Errc::kNotFound) return s;
  cfg.year = 0;
  return CountryRisks(cfg);
}

}  // namespace

Result<std::vector<ProjectSheet>> ProjectRisks(const ProjectConfig& cfg) {
  return detail::Guarded([&]() -> Result<std::vector<ProjectSheet>> {
    const std::string today = cfg.today.empty() ? TodayUtc() : cfg.today;
    std::vector<Project> projects;
    for (const std::string& f : cfg.files) {
      auto p = ReadProject(f);
      if (!p) return p.error();
      projects.push_back(std::move(*p));
    }
    std::map<int, RiskSheets> by_year;
    std::string first = today, last = today;
    for (const Project& p : projects) {
      const std::string at = AssessedOf(p, today);
      first = std::min(first, at), last = std::max(last, at);
      const int year = std::stoi(at.substr(0, 4));
      if (by_year.count(year)) continue;
      auto s = SheetsOf(cfg.risk, year);
      if (!s) return s.error();
      by_year.emplace(year, std::move(*s));
    }
    std::vector<ProjectSheet> out;
    if (projects.empty()) return out;
    const int lookback = by_year.begin()->second.spec->lookback_days;
    auto events = LoadProjectEvents(cfg.risk.build.db_path, DateOf(DayOf(first) - lookback), last);
    if (!events) return events.error();
    for (const Project& p : projects) {
      const RiskSheets& sheets = by_year.at(std::stoi(AssessedOf(p, today).substr(0, 4)));
      auto s = AssessProject(sheets, *events, p, today);
      if (!s) return s.error();
      // The warnings are those in force (engine::Warn on the store's latest data) whatever the
      // year: a warning trigger fires when a stored sheet is re-checked after they change.
      CheckTriggers(*s, sheets, *events, today);
      out.push_back(std::move(*s));
    }
    return out;
  });
}

// ---- JSON -------------------------------------------------------------------------------------------

namespace {

Json CellJson(const MatrixCell& m) {
  return Json{{"likelihood", m.likelihood}, {"impact", m.impact},       {"score", m.score},
              {"rating", m.rating.level},   {"rating_en", m.rating.en}, {"rating_zh", m.rating.zh}};
}

Json ThreatJson(const ThreatAssessment& a) {
  Json controls = Json::array(), evidence = Json::array();
  for (const ThreatControl& c : a.controls) {
    controls.push_back(Json{{"id", c.id},
                            {"en", c.en},
                            {"zh", c.zh},
                            {"lowers", c.lowers_impact ? "impact" : "likelihood"},
                            {"steps", c.steps},
                            {"in_place", c.in_place}});
  }
  for (const ThreatEvidence& e : a.evidence) {
    evidence.push_back(Json{{"kind", e.kind}, {"en", e.en}, {"zh", e.zh}, {"value", JNum(e.value)}});
  }
  return Json{{"id", a.id},
              {"name_en", a.name_en},
              {"name_zh", a.name_zh},
              {"node", a.node},
              {"country_score", JNum(a.country_score)},
              {"country_level", a.country_level},
              {"local_events", a.local_events},
              {"local_weight", a.local_weight},
              {"local_raise", a.local_raise},
              {"inherent", CellJson(a.inherent)},
              {"residual", CellJson(a.residual)},
              {"controls", std::move(controls)},
              {"evidence", std::move(evidence)}};
}

Json OverlayJson(const ProjectOverlay& o) {
  Json events = Json::array();
  for (const NearbyEvent& n : o.events) {
    events.push_back(Json{{"source", n.source},
                          {"event_id", n.event_id},
                          {"date", n.date},
                          {"lat", n.lat},
                          {"lon", n.lon},
                          {"distance_km", JNum(n.distance_km)},
                          {"weight", n.weight},
                          {"root_code", n.root_code},
                          {"file_sha256", n.file_sha256},
                          {"line", n.line}});
  }
  return Json{
      {"how", o.how},
      {"radius_km", JNum(o.radius_km)},
      {"half_life_days", JNum(o.half_life_days)},
      {"from", o.from},
      {"to", o.to},
      {"points_in_window", o.points_in_window},
      {"sources_note_en",
       "GDELT event points (ActionGeo coordinates). UCDP data here is country-year only (no GED points): "
       "organised violence enters through the country score."},
      {"sources_note_zh",
       "GDELT事件点位（ActionGeo坐标）。此处UCDP数据仅有国家-年度汇总（无GED点位）：有组织暴力经国家得分计入。"},
      {"events", std::move(events)}};
}

//! The warnings a sheet holds: those CheckTriggers compares with the current ones (id, period).
Json WarningsJson(const std::vector<Warning>& warnings) {
  Json out = Json::array();
  for (const Warning& w : warnings) {
    out.push_back(Json{{"id", w.id},
                       {"rule", w.rule},
                       {"severity", w.severity},
                       {"code", w.code},
                       {"period", w.period},
                       {"value", JNum(w.value)},
                       {"message", w.message}});
  }
  return out;
}

Json TriggersJson(const std::vector<ProjectTrigger>& triggers) {
  Json out = Json::array();
  for (const ProjectTrigger& t : triggers) {
    out.push_back(Json{{"kind", t.kind},
                       {"en", t.en},
                       {"zh", t.zh},
                       {"date", t.date.empty() ? Json(nullptr) : Json(t.date)},
                       {"fired", t.fired}});
  }
  return out;
}

}  // namespace

std::string ProjectSheetJson(const ProjectSheet& s) {
  Json j{{"project", Json::parse(risk::ProjectJson(s.project))},
         {"project_sha256", s.project_sha256},
         {"assessed", s.assessed},
         {"valid_until", s.valid_until},
         {"next_review", s.next_review},
         {"stale", s.stale}};
  j["country"] = Json{{"unit", s.country.unit},
                      {"name", s.country.name},
                      {"name_zh", s.country.name_zh},
                      {"year", s.country.year},
                      {"score", JNum(s.country.risk.value)},
                      {"rank", s.country.risk.rank > 0 ? Json(s.country.risk.rank) : Json(nullptr)},
                      {"ranked", s.country.ranked},
                      {"class", s.country.risk.cls.level >= 0 ? Json(s.country.risk.cls.level) : Json(nullptr)},
                      {"class_en", s.country.risk.cls.en},
                      {"class_zh", s.country.risk.cls.zh},
                      {"trend", s.country.trend.direction.empty() ? Json(nullptr) : Json(s.country.trend.direction)},
                      {"reliability", JNum(s.country.reliability.index)},
                      {"warnings", WarningsJson(s.country.warnings)}};
  if (s.country.baseline) {
    const IndexBaseline& b = *s.country.baseline;
    j["country"]["gpsi"] = Json{{"year", b.year},     {"score", JNum(b.score)},       {"rank", b.rank},
                                {"ranked", b.ranked}, {"rank_p05", JNum(b.rank_p05)}, {"rank_p95", JNum(b.rank_p95)}};
  }
  j["overlay"] = OverlayJson(s.overlay);
  j["threats"] = Json::array();
  for (const ThreatAssessment& a : s.threats) j["threats"].push_back(ThreatJson(a));
  j["residual"] = CellJson(s.residual);
  j["residual"]["threat"] = s.residual_threat;
  j["triggers"] = TriggersJson(s.triggers);
  j["provenance"] = Json{{"method", {{"id", s.method_id}, {"version", s.method_version}, {"hash", s.method_hash}}},
                         {"data_hash", s.data_hash},
                         {"run_id", s.run_id}};
  j["sign_off"] = Json{{"prepared_by", s.prepared_by}, {"prepared_on", s.assessed}, {"reviewed_by", nullptr}};
  return j.dump(2) + "\n";
}

// ---- Reading a sheet back ---------------------------------------------------------------------
// The inverse of ProjectSheetJson, so that a kept sheet's JSON is the one record: the API re-checks
// its triggers and prints it without keeping a second form.

namespace {

//! What a kept sheet's text holds where the sheet has no such field or type.
struct NotASheet : std::runtime_error {
  using std::runtime_error::runtime_error;
};

double Num(const Json& v) {
  return v.is_null() ? kNa : v.get<double>();
}

//! An integer field within T's range (a number of another kind, or out of range, is no sheet's).
template <class T = int>
T Whole(const Json& v) {
  if (!v.is_number_integer()) throw NotASheet("an integer was expected");
  if (v.is_number_unsigned()) {
    const auto x = v.get<std::uint64_t>();
    if (x > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) throw NotASheet("an integer out of range");
    return static_cast<T>(x);
  }
  const auto x = v.get<std::int64_t>();
  if (x < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
      (x > 0 && static_cast<std::uint64_t>(x) > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))) {
    throw NotASheet("an integer out of range");
  }
  return static_cast<T>(x);
}

std::string Str(const Json& v) {
  return v.is_null() ? std::string() : v.get<std::string>();
}

MatrixCell CellFrom(const Json& j) {
  return MatrixCell{Whole(j.at("likelihood")), Whole(j.at("impact")), Whole(j.at("score")),
                    RiskClass{Whole(j.at("rating")), Str(j.at("rating_en")), Str(j.at("rating_zh"))}};
}

ThreatAssessment ThreatFrom(const Json& j) {
  ThreatAssessment a;
  a.id = Str(j.at("id")), a.name_en = Str(j.at("name_en")), a.name_zh = Str(j.at("name_zh"));
  a.node = Str(j.at("node"));
  a.country_score = Num(j.at("country_score")), a.country_level = Whole(j.at("country_level"));
  a.local_events = Whole<std::size_t>(j.at("local_events")), a.local_weight = j.at("local_weight").get<double>();
  a.local_raise = Whole(j.at("local_raise"));
  a.inherent = CellFrom(j.at("inherent")), a.residual = CellFrom(j.at("residual"));
  for (const Json& c : j.at("controls")) {
    a.controls.push_back(ThreatControl{Str(c.at("id")), Str(c.at("en")), Str(c.at("zh")),
                                       c.at("lowers").get<std::string>() == "impact", c.at("in_place").get<bool>(),
                                       Whole(c.at("steps"))});
  }
  for (const Json& e : j.at("evidence")) {
    a.evidence.push_back(ThreatEvidence{Str(e.at("kind")), Str(e.at("en")), Str(e.at("zh")), Num(e.at("value"))});
  }
  return a;
}

ProjectOverlay OverlayFrom(const Json& j) {
  ProjectOverlay o;
  o.how = Str(j.at("how")), o.radius_km = Num(j.at("radius_km")), o.half_life_days = Num(j.at("half_life_days"));
  o.from = Str(j.at("from")), o.to = Str(j.at("to")), o.points_in_window = Whole<std::size_t>(j.at("points_in_window"));
  for (const Json& e : j.at("events")) {
    o.events.push_back(NearbyEvent{Str(e.at("source")), Str(e.at("event_id")), Str(e.at("date")),
                                   e.at("lat").get<double>(), e.at("lon").get<double>(), Num(e.at("distance_km")),
                                   e.at("weight").get<double>(), Whole(e.at("root_code")), Str(e.at("file_sha256")),
                                   Whole<std::int64_t>(e.at("line"))});
  }
  return o;
}

CountryRisk CountryFrom(const Json& j) {
  CountryRisk c;
  c.unit = Str(j.at("unit")), c.name = Str(j.at("name")), c.name_zh = Str(j.at("name_zh"));
  c.year = Whole(j.at("year")), c.ranked = Whole(j.at("ranked"));
  c.risk.value = Num(j.at("score"));
  c.risk.rank = j.at("rank").is_null() ? 0 : Whole(j.at("rank"));
  c.risk.cls =
      RiskClass{j.at("class").is_null() ? -1 : Whole(j.at("class")), Str(j.at("class_en")), Str(j.at("class_zh"))};
  c.trend.direction = Str(j.at("trend"));
  c.reliability.index = Num(j.at("reliability"));
  for (const Json& w : j.at("warnings")) {
    Warning x;
    x.unit = c.unit, x.id = Str(w.at("id")), x.rule = Str(w.at("rule")), x.severity = Str(w.at("severity"));
    x.code = Str(w.at("code")), x.period = Str(w.at("period")), x.value = Num(w.at("value"));
    x.message = Str(w.at("message"));
    c.warnings.push_back(std::move(x));
  }
  if (j.contains("gpsi")) {
    const Json& g = j.at("gpsi");
    IndexBaseline b;
    b.year = Whole(g.at("year")), b.score = Num(g.at("score")), b.rank = Whole(g.at("rank"));
    b.ranked = Whole(g.at("ranked")), b.rank_p05 = Num(g.at("rank_p05")), b.rank_p95 = Num(g.at("rank_p95"));
    c.baseline = b;
  }
  return c;
}

}  // namespace

Result<ProjectSheet> ProjectSheetFromJson(const std::string& text) {
  try {
    const Json j = Json::parse(text);
    auto project = risk::ParseProject(j.at("project").dump(), "the sheet's project");
    if (!project) return project.error();
    ProjectSheet s{*project, Str(j.at("project_sha256"))};
    s.assessed = Str(j.at("assessed")), s.valid_until = Str(j.at("valid_until"));
    s.next_review = Str(j.at("next_review")), s.stale = j.at("stale").get<bool>();
    s.country = CountryFrom(j.at("country"));
    s.overlay = OverlayFrom(j.at("overlay"));
    for (const Json& t : j.at("threats")) s.threats.push_back(ThreatFrom(t));
    s.residual = CellFrom(j.at("residual")), s.residual_threat = Str(j.at("residual").at("threat"));
    for (const Json& t : j.at("triggers")) {
      s.triggers.push_back(ProjectTrigger{Str(t.at("kind")), Str(t.at("en")), Str(t.at("zh")), Str(t.at("date")),
                                          t.at("fired").get<bool>()});
    }
    const Json& p = j.at("provenance");
    s.method_id = Str(p.at("method").at("id")), s.method_version = Str(p.at("method").at("version"));
    s.method_hash = Str(p.at("method").at("hash")), s.data_hash = Str(p.at("data_hash")),
    s.run_id = Str(p.at("run_id"));
    s.prepared_by = Str(j.at("sign_off").at("prepared_by"));
    return s;
  } catch (const nlohmann::json::exception& e) {
    return Error{Errc::kBadProject, fmt::format("not a project risk sheet: {}", e.what())};
  } catch (const NotASheet& e) {
    return Error{Errc::kBadProject, fmt::format("not a project risk sheet: {}", e.what())};
  }
}

}  // namespace gpsi::engine
