// Project risk sheets on the platform: who may have a project assessed and read its sheets, and
// the keeping of a sheet as the next revision of its project, audited in its transaction
// (docs/risk.md, "Projects on the platform").
#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "platform.hpp"

namespace gpsi::platform {
namespace {

//! The secretariat's people who review (not its administrators, who manage accounts, not data).
bool SecretariatReviewer(const Principal& who) {
  return who.org.kind == OrgKind::kSecretariat && who.Can(Permission::kReview);
}

std::string ProjectTarget(const RiskProjectRecord& r) {
  return fmt::format("risk-project:{}/{}", r.org, r.project);
}

}  // namespace

Status MayAssessProject(const Principal& who, const std::string& enterprise) {
  if (who.org.kind != OrgKind::kEnterprise) {
    return Error{Errc::kForbidden, fmt::format("project risk sheets are kept for enterprises; {} is a {}", who.org.key,
                                               ToString(who.org.kind))};
  }
  if (who.org.key != enterprise) {
    return Error{Errc::kForbidden,
                 fmt::format("{} may not have a project of '{}' assessed: the project's enterprise must be {}",
                             who.account.login, enterprise, who.org.key)};
  }
  if (!who.Can(Permission::kSubmit)) {
    return Error{Errc::kForbidden, fmt::format("{} may not have projects assessed (role {})", who.account.login,
                                               ToString(who.account.role))};
  }
  return Ok();
}

bool CanSee(const Principal& who, const RiskProjectRecord& r) {
  if (SecretariatReviewer(who)) return true;
  return who.org.kind == OrgKind::kEnterprise && who.org.id == r.org_id && who.Can(Permission::kRead);
}

Result<RiskProjectRecord> KeepRiskProject(Store& store, const Actor& actor, const Principal& who, RiskProjectRecord r) {
  if (auto ok = MayAssessProject(who, r.org); !ok) return ok.error();
  Transaction tx(store);
  r.org_id = who.org.id;
  r.revision = 1;
  for (const RiskProjectRecord& kept : store.RiskProjects()) {
    if (kept.org_id == r.org_id && kept.project == r.project) r.revision = std::max(r.revision, kept.revision + 1);
  }
  r.sha256 = Sha256Hex(r.sheet);
  r.created = NowUtc();
  r.created_by = who.account.login;
  r.id = store.InsertRiskProject(r);
  const nlohmann::json after{
      {"id", r.id}, {"project", r.project}, {"revision", r.revision}, {"country", r.country}, {"sha256", r.sha256}};
  AppendAudit(store, actor, "risk-project.assess", ProjectTarget(r), "", after.dump());
  tx.Commit();
  return r;
}

std::vector<RiskProjectRecord> VisibleRiskProjects(Store& store, const Principal& who) {
  std::map<std::pair<std::int64_t, std::string>, RiskProjectRecord> newest;
  for (RiskProjectRecord& r : store.RiskProjects()) {
    if (!CanSee(who, r)) continue;
    auto [it, fresh] = newest.try_emplace({r.org_id, r.project}, r);
    if (!fresh && r.revision > it->second.revision) it->second = std::move(r);
  }
  std::vector<RiskProjectRecord> out;
  for (auto& [key, r] : newest) out.push_back(std::move(r));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  return out;
}

Result<RiskProjectRecord> FindRiskProject(Store& store, const Principal& who, std::int64_t id) {
  auto r = store.FindRiskProject(id);
  if (!r || !CanSee(who, *r)) return Error{Errc::kNotFound, fmt::format("no project risk sheet {}", id)};
  return *r;
}

}  // namespace gpsi::platform
