// The excellent-practice evaluation's rows: who may see and change a campaign, its stages, and the
// sealing of score sheets, each change audited in its transaction (docs/evaluation.md).
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "platform.hpp"

namespace gpsi::platform {
namespace {

using nlohmann::json;
using CS = CampaignState;

//! The system's own changes (results refreshed after a revision) are logged under this actor.
const Actor kCampaignSystem{"system", "", "gpsi"};

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

//! Application codes: 1–32 letters, digits, '_' and '-' (never a comma: judges' declarations
//! are stored as lists of them).
bool IsApplicationCode(std::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

bool IsIso3OrEmpty(std::string_view s) {
  return s.empty() || (s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
}

std::string CampaignTarget(const std::string& key) {
  return "campaign:" + key;
}

json CampaignJson(const Campaign& c) {
  return {{"key", c.key},       {"state", ToString(c.state)}, {"rules_sha256", c.rules_sha256}, {"opened", c.opened},
          {"closed", c.closed}, {"published", c.published},   {"rules_bytes", c.rules.size()}};
}

//! The campaign `key` for a change by `who`: the secretariat only (one who may not see it is told
//! it does not exist), in state `state`.
Result<Campaign> ForChange(Store& store, const Principal& who, const std::string& key, CS state,
                           std::string_view what) {
  auto seat = SeatIn(store, who, key);
  if (!seat) return seat.error();
  if (!seat->secretariat) return Error{Errc::kForbidden, fmt::format("{}: only the secretariat", what)};
  if (seat->campaign.state != state) {
    return Error{Errc::kConflict, fmt::format("cannot {} campaign '{}': it is at the {} stage, not {}", what, key,
                                              ToString(seat->campaign.state), ToString(state))};
  }
  return std::move(seat->campaign);
}

//! Moves `c` to `to`, stamping the stage's time, with its audit entry.
Campaign MoveCampaign(Store& store, const Actor& actor, Campaign c, CS to, const std::string& action) {
  const std::string before = CampaignJson(c).dump(), now = NowUtc();
  c.state = to;
  if (to == CS::kScoring) c.opened = now;
  if (to == CS::kPanel) c.closed = now;
  if (to == CS::kPublished) c.published = now;
  store.UpdateCampaign(c);
  AppendAudit(store, actor, "campaign." + action, CampaignTarget(c.key), before, CampaignJson(c).dump());
  return c;
}

Status CheckApplications(const std::vector<CampaignApplication>& apps) {
  std::set<std::string> codes;
  for (const auto& a : apps) {
    if (!IsApplicationCode(a.code)) {
      return Error{Errc::kUsage, fmt::format("application code '{}': 1–32 letters, digits, '_' or '-'", a.code)};
    }
    if (!codes.insert(a.code).second)
      return Error{Errc::kUsage, fmt::format("application '{}' is listed twice", a.code)};
    if (!IsIso3OrEmpty(a.country)) {
      return Error{Errc::kUsage, fmt::format("application '{}': country '{}' is not an ISO3 code", a.code, a.country)};
    }
    for (auto [what, text] : {std::pair{"organisation", &a.org}, {"project", &a.project}}) {
      if (auto ok = CheckText(fmt::format("application {} {}", a.code, what), *text); !ok) return ok;
    }
    for (const auto& d : a.documents) {
      if (auto ok = CheckText("document name", d, 300); !ok) return ok;
      if (d.empty() || d.find('\n') != std::string::npos) {
        return Error{Errc::kUsage, fmt::format("application '{}': a document name is one line of text", a.code)};
      }
    }
  }
  return Ok();
}

Status CheckJudges(Store& store, const std::vector<CampaignJudge>& judges) {
  std::set<std::string> logins;
  for (const auto& j : judges) {
    if (!logins.insert(j.login).second) return Error{Errc::kUsage, fmt::format("judge '{}' is listed twice", j.login)};
    const auto account = store.FindAccount(j.login);
    if (!account || !account->disabled.empty()) {
      return Error{Errc::kUsage, fmt::format("judge '{}' is not an enabled account (gpsi user add)", j.login)};
    }
    if (Allows(account->role, Permission::kReview) || Allows(account->role, Permission::kAdmin)) {
      return Error{Errc::kUsage, fmt::format("judge '{}' is {}: the secretariat and admins see every sheet, so they "
                                             "cannot judge",
                                             j.login, ToString(account->role))};
    }
    if (!IsIso3OrEmpty(j.country)) return Error{Errc::kUsage, fmt::format("judge '{}': country is ISO3", j.login)};
    if (auto ok = CheckText("judge organisation", j.org, 100); !ok) return ok;
    for (const auto& code : j.declared) {
      if (!IsApplicationCode(code)) return Error{Errc::kUsage, fmt::format("judge '{}' declares '{}'", j.login, code)};
    }
  }
  return Ok();
}

json SheetJson(const Campaign& c, const CampaignSheet& s) {
  return {{"campaign", c.key},      {"application", s.application}, {"judge", s.judge},
          {"revision", s.revision}, {"scores", s.scores},           {"comment", s.comment},
          {"reason", s.reason},     {"sealed_at", s.sealed_at},     {"sha256", s.sha256}};
}

//! The newest sheet of (application, judge) in `c`, if any.
std::optional<CampaignSheet> LastSheet(Store& store, const Campaign& c, const std::string& app,
                                       const std::string& judge) {
  std::optional<CampaignSheet> last;
  for (auto& s : store.Sheets(c.id)) {
    if (s.application == app && s.judge == judge) last = std::move(s);
  }
  return last;
}

}  // namespace

bool RunsCampaigns(const Principal& who) {
  return who.Can(Permission::kReview);
}

std::string SheetHash(const Campaign& c, const CampaignSheet& s) {
  const json fields = {c.key,    c.rules_sha256, s.application, s.judge,    s.revision,
                       s.scores, s.comment,      s.reason,      s.sealed_at};
  return Sha256Hex(fields.dump());
}

Result<CampaignSeat> SeatIn(Store& store, const Principal& who, const std::string& key) {
  auto c = store.FindCampaign(key);
  const Error missing{Errc::kNotFound, fmt::format("no campaign '{}'", key)};
  if (!c) return missing;
  CampaignSeat seat;
  seat.secretariat = RunsCampaigns(who);
  for (auto& j : store.Judges(c->id)) {
    if (j.login == who.account.login) seat.judge = std::move(j);
  }
  if (seat.judge) {
    for (const auto& [app, judge] : store.Assignments(c->id)) {
      if (judge == seat.judge->login) seat.assigned.push_back(app);
    }
  }
  if (!who.org.key.empty()) {
    for (const auto& a : store.Applications(c->id)) {
      if (a.org == who.org.key) seat.own.push_back(a.code);
    }
  }
  const bool sees = seat.secretariat || seat.judge || !seat.own.empty() || c->state == CS::kPublished;
  if (!sees) return missing;
  seat.campaign = std::move(*c);
  return seat;
}

std::vector<CampaignSeat> VisibleCampaigns(Store& store, const Principal& who) {
  std::vector<CampaignSeat> out;
  for (const auto& c : store.Campaigns()) {
    if (auto seat = SeatIn(store, who, c.key)) out.push_back(std::move(*seat));
  }
  return out;
}

std::vector<CampaignApplication> VisibleApplications(Store& store, const CampaignSeat& seat,
                                                     const std::vector<std::string>& selected) {
  const bool published = seat.campaign.state == CS::kPublished;
  std::vector<CampaignApplication> out;
  for (auto& a : store.Applications(seat.campaign.id)) {
    const bool declaring = seat.judge && seat.campaign.state == CS::kSetup && !Contains(seat.barred, a.code);
    if (seat.secretariat || declaring || Contains(seat.assigned, a.code) || Contains(seat.own, a.code) ||
        (published && Contains(selected, a.code))) {
      out.push_back(std::move(a));
    }
  }
  return out;
}

bool MaySeeResult(const CampaignSeat& seat, const std::string& code, bool selected) {
  const CS state = seat.campaign.state;
  if (state == CS::kSetup || state == CS::kScoring) return false;
  if (seat.secretariat || Contains(seat.assigned, code)) return true;
  return state == CS::kPublished && (selected || Contains(seat.own, code));
}

std::vector<CampaignSheet> VisibleSheets(Store& store, const CampaignSeat& seat) {
  const bool panel = seat.campaign.state == CS::kPanel || seat.campaign.state == CS::kPublished;
  std::vector<CampaignSheet> out;
  for (auto& s : store.Sheets(seat.campaign.id)) {
    const bool own = seat.judge && s.judge == seat.judge->login;
    if (seat.secretariat || own || (panel && Contains(seat.assigned, s.application))) out.push_back(std::move(s));
  }
  return out;
}

std::vector<CampaignSheet> CurrentSheets(const std::vector<CampaignSheet>& sheets) {
  std::vector<CampaignSheet> out;
  for (const auto& s : sheets) {
    if (!out.empty() && out.back().application == s.application && out.back().judge == s.judge) {
      out.back() = s;
    } else {
      out.push_back(s);
    }
  }
  return out;
}

Result<Campaign> AddCampaign(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                             const std::string& rules) {
  if (!RunsCampaigns(who)) return Error{Errc::kForbidden, "create a campaign: only the secretariat"};
  const bool key_ok = key.size() >= 2 && key.size() <= 32 && std::all_of(key.begin(), key.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                      });
  if (!key_ok) return Error{Errc::kUsage, fmt::format("campaign key '{}': 2–32 of a–z, 0–9 and '-'", key)};
  if (auto ok = CheckText("campaign rules", rules, 200000); !ok) return ok.error();
  Transaction tx(store);
  if (store.FindCampaign(key)) return Error{Errc::kConflict, fmt::format("campaign '{}' exists already", key)};
  Campaign c;
  c.key = key, c.rules = rules, c.created = NowUtc();
  c.id = store.InsertCampaign(c);
  AppendAudit(store, actor, "campaign.create", CampaignTarget(key), "", CampaignJson(c).dump());
  tx.Commit();
  return c;
}

Result<Campaign> SetCampaignRules(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                                  const std::string& rules) {
  if (auto ok = CheckText("campaign rules", rules, 200000); !ok) return ok.error();
  Transaction tx(store);
  auto c = ForChange(store, who, key, CS::kSetup, "change the rules of");
  if (!c) return c.error();
  const std::string before = CampaignJson(*c).dump();
  c->rules = rules;
  store.UpdateCampaign(*c);
  AppendAudit(store, actor, "campaign.rules", CampaignTarget(key), before,
              json{{"rules_sha256_of_text", Sha256Hex(rules)}}.dump());
  tx.Commit();
  return *c;
}

Status SetCampaignEntries(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                          const std::vector<CampaignApplication>* apps, const std::vector<CampaignJudge>* judges) {
  if (apps) {
    if (auto ok = CheckApplications(*apps); !ok) return ok;
  }
  Transaction tx(store);
  auto c = ForChange(store, who, key, CS::kSetup, "change the entries of");
  if (!c) return c.error();
  if (judges) {
    if (auto ok = CheckJudges(store, *judges); !ok) return ok;
  }
  json after;
  if (apps) {
    store.ReplaceApplications(c->id, *apps);
    after["applications"] = apps->size();
  }
  if (judges) {
    store.ReplaceJudges(c->id, *judges);
    json logins = json::array();
    for (const auto& j : *judges) logins.push_back(j.login);
    after["judges"] = logins;
  }
  AppendAudit(store, actor, "campaign.entries", CampaignTarget(key), "", after.dump());
  tx.Commit();
  return Ok();
}

Status DeclareConflicts(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                        const std::vector<std::string>& codes) {
  Transaction tx(store);
  auto seat = SeatIn(store, who, key);
  if (!seat) return seat.error();
  if (!seat->judge)
    return Error{Errc::kForbidden, fmt::format("only a judge of campaign '{}' declares conflicts", key)};
  if (seat->campaign.state != CS::kSetup) {
    return Error{Errc::kConflict,
                 fmt::format("conflicts of campaign '{}' are declared in set-up; it is at the {} stage", key,
                             ToString(seat->campaign.state))};
  }
  std::set<std::string> apps;
  for (const auto& a : store.Applications(seat->campaign.id)) apps.insert(a.code);
  for (const auto& code : codes) {
    if (!apps.contains(code))
      return Error{Errc::kUsage, fmt::format("campaign '{}' has no application '{}'", key, code)};
  }
  const std::set<std::string> declared(codes.begin(), codes.end());
  auto judges = store.Judges(seat->campaign.id);
  for (auto& j : judges) {
    if (j.login == seat->judge->login) j.declared.assign(declared.begin(), declared.end());
  }
  const bool clash = std::ranges::any_of(seat->assigned, [&](const auto& a) { return declared.contains(a); });
  // Replacing the judges keeps the assignment only when no pair of it is now a conflict.
  const auto pairs = store.Assignments(seat->campaign.id);
  store.ReplaceJudges(seat->campaign.id, judges);
  store.ReplaceAssignments(seat->campaign.id, clash ? decltype(pairs){} : pairs);
  AppendAudit(store, actor, "judge.declare", CampaignTarget(key), json(seat->judge->declared).dump(),
              json{{"declared", declared}, {"assignment_dropped", clash}}.dump());
  tx.Commit();
  return Ok();
}

Status SetAssignment(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                     const std::vector<std::pair<std::string, std::string>>& pairs) {
  Transaction tx(store);
  auto c = ForChange(store, who, key, CS::kSetup, "assign judges in");
  if (!c) return c.error();
  std::set<std::string> apps, judges;
  for (const auto& a : store.Applications(c->id)) apps.insert(a.code);
  for (const auto& j : store.Judges(c->id)) judges.insert(j.login);
  for (const auto& [app, judge] : pairs) {
    if (!apps.contains(app) || !judges.contains(judge)) {
      return Error{Errc::kUsage, fmt::format("the assignment names '{}' and '{}', not an application and a judge of "
                                             "campaign '{}'",
                                             app, judge, key)};
    }
  }
  store.ReplaceAssignments(c->id, pairs);
  json after = json::array();
  for (const auto& [app, judge] : pairs) after.push_back({app, judge});
  AppendAudit(store, actor, "campaign.assign", CampaignTarget(key), "", after.dump());
  tx.Commit();
  return Ok();
}

Result<Campaign> OpenScoring(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                             const std::string& rules_sha256) {
  Transaction tx(store);
  auto c = ForChange(store, who, key, CS::kSetup, "open scoring of");
  if (!c) return c.error();
  const auto apps = store.Applications(c->id);
  std::set<std::string> assigned;
  for (const auto& pair : store.Assignments(c->id)) assigned.insert(pair.first);
  if (apps.empty() || assigned.size() != apps.size()) {
    return Error{Errc::kConflict, fmt::format("cannot open scoring of campaign '{}': {} of its {} applications have "
                                              "judges assigned (gpsi evaluation assign)",
                                              key, assigned.size(), apps.size())};
  }
  c->rules_sha256 = rules_sha256;
  Campaign opened = MoveCampaign(store, actor, std::move(*c), CS::kScoring, "open");
  tx.Commit();
  return opened;
}

Result<CampaignSheet> SealSheet(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                                const std::string& application, const std::vector<double>& scores,
                                const std::string& comment, const std::string& reason) {
  if (auto ok = CheckText("comment", comment, 4000); !ok) return ok.error();
  if (auto ok = CheckText("reason", reason, 2000); !ok) return ok.error();
  Transaction tx(store);
  auto seat = SeatIn(store, who, key);
  if (!seat) return seat.error();
  const Campaign& c = seat->campaign;
  if (!seat->judge || !Contains(seat->assigned, application)) {
    return Error{Errc::kForbidden, fmt::format("score application '{}': only a judge assigned to it", application)};
  }
  if (c.state != CS::kScoring && c.state != CS::kPanel) {
    return Error{Errc::kConflict,
                 fmt::format("cannot score in campaign '{}': it is at the {} stage", key, ToString(c.state))};
  }
  const auto last = LastSheet(store, c, application, who.account.login);
  if (last && Trim(reason).empty()) {
    return Error{Errc::kUsage,
                 fmt::format("the sheet of '{}' is sealed already: a change needs a reason (--reason)", application)};
  }
  CampaignSheet s{0,      application, who.account.login,  last ? last->revision + 1 : 1,
                  scores, comment,     last ? reason : "", NowUtcMicros(),
                  ""};
  s.sha256 = SheetHash(c, s);
  s.id = store.InsertSheet(c.id, s);
  AppendAudit(store, actor, last ? "sheet.revise" : "sheet.seal",
              fmt::format("campaign:{}/{}/{}", key, application, s.judge), last ? SheetJson(c, *last).dump() : "",
              SheetJson(c, s).dump());
  tx.Commit();
  return s;
}

Result<Campaign> CloseScoring(Store& store, const Actor& actor, const Principal& who, const std::string& key,
                              const std::string& results) {
  Transaction tx(store);
  auto c = ForChange(store, who, key, CS::kScoring, "close scoring of");
  if (!c) return c.error();
  std::set<std::pair<std::string, std::string>> sealed;
  for (const auto& s : store.Sheets(c->id)) sealed.emplace(s.application, s.judge);
  std::size_t missing = 0;
  for (const auto& pair : store.Assignments(c->id)) missing += !sealed.contains(pair);
  if (missing > 0) {
    return Error{
        Errc::kConflict,
        fmt::format("cannot close scoring of campaign '{}': {} assigned sheet(s) are not sealed yet", key, missing)};
  }
  c->results = results;
  Campaign closed = MoveCampaign(store, actor, std::move(*c), CS::kPanel, "close");
  tx.Commit();
  return closed;
}

Status StoreResults(Store& store, const std::string& key, const std::string& results) {
  Transaction tx(store);
  auto c = store.FindCampaign(key);
  if (!c) return Error{Errc::kNotFound, fmt::format("no campaign '{}'", key)};
  if (c->state != CS::kPanel) {
    return Error{Errc::kConflict,
                 fmt::format("the results of campaign '{}' are fixed at the {} stage", key, ToString(c->state))};
  }
  c->results = results;
  store.UpdateCampaign(*c);
  AppendAudit(store, kCampaignSystem, "campaign.results", CampaignTarget(key), "",
              json{{"results_sha256", Sha256Hex(results)}}.dump());
  tx.Commit();
  return Ok();
}

Result<Campaign> PublishCampaign(Store& store, const Actor& actor, const Principal& who, const std::string& key) {
  Transaction tx(store);
  auto c = ForChange(store, who, key, CS::kPanel, "publish");
  if (!c) return c.error();
  if (!who.Can(Permission::kPublish)) return Error{Errc::kForbidden, "publish a campaign: only the secretariat"};
  Campaign published = MoveCampaign(store, actor, std::move(*c), CS::kPublished, "publish");
  tx.Commit();
  return published;
}

}  // namespace gpsi::platform
