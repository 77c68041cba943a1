// The evaluation's campaigns as the HTTP API answers them and `gpsi evaluation … --json` prints them
// (docs/evaluation.md): one shape for both (nlohmann-json, keys in a fixed order).
#include <nlohmann/json.hpp>

#include "report.hpp"

namespace gpsi::report {
namespace {

using Json = nlohmann::ordered_json;

Json SheetFields(const CampaignSheet& s) {
  return {{"id", s.id},         {"application", s.application}, {"judge", s.judge},   {"revision", s.revision},
          {"scores", s.scores}, {"comment", s.comment},         {"reason", s.reason}, {"sealed_at", s.sealed_at},
          {"sha256", s.sha256}};
}

Json RulesFields(const engine::EvalRulesView& r) {
  Json criteria = Json::array();
  for (const auto& c : r.criteria) {
    Json rubric = Json::array();
    for (const auto& a : c.rubric) rubric.push_back({{"score", a.score}, {"en", a.en}, {"zh", a.zh}});
    criteria.push_back({{"code", c.code}, {"en", c.en}, {"zh", c.zh}, {"minimum", c.minimum}, {"rubric", rubric}});
  }
  return {{"criteria", criteria},
          {"scale_min", r.scale_min},
          {"scale_max", r.scale_max},
          {"step", r.step},
          {"min_total", r.min_total},
          {"select", r.select},
          {"judges_per_application", r.judges_per_application},
          {"tie_break", r.tie_break}};
}

Json CampaignFields(const engine::CampaignDetail& d) {
  const Campaign& c = d.campaign;
  Json apps = Json::array();
  for (const auto& a : d.applications) {
    apps.push_back(
        {{"code", a.code}, {"org", a.org}, {"country", a.country}, {"project", a.project}, {"documents", a.documents}});
  }
  Json judges = Json::array();
  for (const auto& j : d.judges) {
    judges.push_back({{"login", j.login}, {"org", j.org}, {"country", j.country}, {"declared", j.declared}});
  }
  Json pairs = Json::array();
  for (const auto& [app, judge] : d.assignment) pairs.push_back({app, judge});
  return {{"key", c.key},
          {"state", ToString(c.state)},
          {"title_en", d.title_en},
          {"title_zh", d.title_zh},
          {"scoring", RulesFields(d.rules)},
          {"seat", d.seat},
          {"rules_sha256", c.rules_sha256},
          {"created", c.created},
          {"opened", c.opened},
          {"closed", c.closed},
          {"published", c.published},
          {"assigned", d.assigned},
          {"sealed", d.sealed},
          {"applications", apps},
          {"assignment", pairs},
          {"judges", judges}};
}

}  // namespace

std::string SheetJson(const CampaignSheet& s) {
  return SheetFields(s).dump();
}

std::string CampaignJson(const engine::CampaignDetail& d, bool rules) {
  Json out = CampaignFields(d);
  Json sheets = Json::array();
  for (const auto& s : d.sheets) sheets.push_back(SheetFields(s));
  out["sheets"] = sheets;
  if (d.results) out["results"] = Json::parse(engine::EvalResultsJson(*d.results));
  if (rules) out["rules"] = d.campaign.rules;
  return out.dump();
}

std::string CampaignsJson(const std::vector<engine::CampaignDetail>& list) {
  Json out = Json::array();
  for (const auto& d : list) out.push_back(CampaignFields(d));
  return out.dump();
}

std::string AssignJson(const engine::AssignResult& a) {
  Json pairs = Json::array(), conflicts = Json::array();
  for (const auto& [app, judge] : a.pairs) pairs.push_back({app, judge});
  for (const auto& [app, judge, kind] : a.conflicts) {
    conflicts.push_back({{"application", app}, {"judge", judge}, {"kind", kind}});
  }
  Json loads = Json::object();
  for (const auto& [judge, n] : a.loads) loads[judge] = n;
  return Json{{"pairs", pairs}, {"loads", loads}, {"conflicts", conflicts}}.dump();
}

}  // namespace gpsi::report
