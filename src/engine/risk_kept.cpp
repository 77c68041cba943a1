// Project risk sheets kept on the platform (docs/risk.md, "Projects on the platform"): each call
// opens the store and acts for the holder of a token under platform's rules; the sheet is made by
// AssessProject and read back by ProjectSheetFromJson, its triggers re-checked on the day it is read.
#include <fmt/format.h>

#include "detail/holder.hpp"
#include "detail/json.hpp"
#include "engine.hpp"
#include "risk.hpp"

namespace gpsi::engine {
namespace {

using detail::Holder;
using detail::Json;
using detail::WithStore;

//! `r`'s sheet read back and re-checked on ctx.today against the published sheets and events.
Result<KeptProject> Recheck(RiskProjectRecord r, const ProjectContext& ctx) {
  auto sheet = ProjectSheetFromJson(r.sheet);
  if (!sheet) return Error{Errc::kInternal, fmt::format("kept sheet {}: {}", r.id, sheet.error().message)};
  CheckTriggers(*sheet, *ctx.sheets, *ctx.events, ctx.today);
  return KeptProject{std::move(r), std::move(*sheet), ctx.today};
}

Status CheckContext(const ProjectContext& ctx) {
  if (!ctx.sheets || !ctx.events) {
    return Error{Errc::kNotPublished, "no country risk sheets are published: project sheets need them"};
  }
  return Ok();
}

Json RecordJson(const KeptProject& k) {
  const RiskProjectRecord& r = k.record;
  return Json{{"id", r.id},
              {"enterprise", r.org},
              {"project", r.project},
              {"revision", r.revision},
              {"created", r.created},
              {"created_by", r.created_by},
              {"sha256", r.sha256},
              {"checked", k.checked},
              {"stale", k.sheet.stale}};
}

}  // namespace

Result<KeptProject> KeepProject(const std::string& db_path, const std::string& token, const std::string& origin,
                                const std::string& text, const std::string& name, const ProjectContext& ctx) {
  if (auto ok = CheckContext(ctx); !ok) return ok.error();
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) -> Result<KeptProject> {
    auto holder = Holder(s, token, origin);
    if (!holder) return holder.error();
    auto project = risk::ParseProject(text, name);
    if (!project) return project.error();
    // Who may comes before the assessment: one who may not learns nothing about the country.
    if (auto ok = platform::MayAssessProject(holder->first, project->enterprise); !ok) return ok.error();
    auto sheet = AssessProject(*ctx.sheets, *ctx.events, *project, ctx.today);
    if (!sheet) return sheet.error();
    RiskProjectRecord r;
    r.org = project->enterprise, r.project = project->id, r.country = project->country;
    r.sheet = ProjectSheetJson(*sheet);
    auto kept = platform::KeepRiskProject(s, holder->second, holder->first, std::move(r));
    if (!kept) return kept.error();
    // Answered as every later read answers it: re-checked today (an old assessment date may be past its validity).
    CheckTriggers(*sheet, *ctx.sheets, *ctx.events, ctx.today);
    return KeptProject{std::move(*kept), std::move(*sheet), ctx.today};
  });
}

Result<std::vector<KeptProject>> KeptProjects(const std::string& db_path, const std::string& token,
                                              const ProjectContext& ctx) {
  if (auto ok = CheckContext(ctx); !ok) return ok.error();
  return WithStore(db_path, detail::AccessFor(token, StoreAccess::kRead),
                   [&](Store& s) -> Result<std::vector<KeptProject>> {
                     auto who = platform::Authenticate(s, token, NowUtc());
                     if (!who) return who.error();
                     std::vector<KeptProject> out;
                     for (RiskProjectRecord& r : platform::VisibleRiskProjects(s, *who)) {
                       auto k = Recheck(std::move(r), ctx);
                       if (!k) return k.error();
                       out.push_back(std::move(*k));
                     }
                     return out;
                   });
}

Result<KeptProject> KeptProjectOf(const std::string& db_path, const std::string& token, std::int64_t id,
                                  const ProjectContext& ctx) {
  if (auto ok = CheckContext(ctx); !ok) return ok.error();
  return WithStore(db_path, detail::AccessFor(token, StoreAccess::kRead), [&](Store& s) -> Result<KeptProject> {
    auto who = platform::Authenticate(s, token, NowUtc());
    if (!who) return who.error();
    auto r = platform::FindRiskProject(s, *who, id);
    if (!r) return r.error();
    return Recheck(std::move(*r), ctx);
  });
}

std::string KeptProjectJson(const KeptProject& k) {
  Json j = RecordJson(k);
  j["sheet"] = Json::parse(ProjectSheetJson(k.sheet));
  return j.dump(2) + "\n";
}

std::string KeptProjectsJson(const std::vector<KeptProject>& kept) {
  Json list = Json::array();
  for (const KeptProject& k : kept) {
    const ProjectSheet& s = k.sheet;
    Json j = RecordJson(k);
    j["name"] = s.project.name, j["name_zh"] = s.project.name_zh, j["type"] = s.project.type;
    j["country"] = s.project.country, j["country_name"] = s.country.name, j["country_name_zh"] = s.country.name_zh;
    j["assessed"] = s.assessed, j["valid_until"] = s.valid_until, j["next_review"] = s.next_review;
    j["residual"] = Json{{"score", s.residual.score},
                         {"rating", s.residual.rating.level},
                         {"rating_en", s.residual.rating.en},
                         {"rating_zh", s.residual.rating.zh},
                         {"threat", s.residual_threat}};
    list.push_back(std::move(j));
  }
  return Json{{"projects", std::move(list)}}.dump(2) + "\n";
}

}  // namespace gpsi::engine
