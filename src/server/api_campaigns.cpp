// /api/v1/campaigns (docs/api.md, "Campaigns"): the excellent-practice evaluation over HTTP. The
// secretariat sets a campaign up and runs its stages, judges seal their score sheets, and everyone
// reads what their seat may see; without credentials, the published campaigns. Every rule is
// platform's and every computation the evaluation's, reached through the engine façade as
// `gpsi evaluation` reaches them; answers are the report module's JSON, never cached.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "detail/impl.hpp"
#include "report.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::SendError;
using detail::SendFailure;
using detail::SendJson;

namespace {

constexpr std::string_view kCampaignsBase = "/api/v1/campaigns";
const std::set<std::string> kCampaignActions{"entries", "conflicts", "assign", "open", "close", "publish"};

//! The methods the route of `seg` allows; nullopt for a path that is no route. A step that is not
//! one of kCampaignActions is refused as not found once the method is right.
std::optional<const char*> CampaignAllow(const std::vector<std::string>& seg) {
  if (seg.empty()) return "GET, HEAD, POST";
  if (seg.size() == 1) return "GET, HEAD";
  if (seg.size() == 2 || (seg.size() == 3 && seg[1] == "sheets")) return "POST";
  return std::nullopt;
}

//! A JSON array of strings, or an error naming `what`.
Result<std::vector<std::string>> CampaignStrings(const detail::Json& v, const std::string& what) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) return Error{Errc::kUsage, what + " must be an array of strings"};
  for (const auto& x : v) {
    if (!x.is_string()) return Error{Errc::kUsage, what + " must be an array of strings"};
    out.push_back(x.get<std::string>());
  }
  return out;
}

//! The text field `key` of object `o` ("" when absent), or an error.
Result<std::string> CampaignText(const detail::Json& o, const char* key, const std::string& what) {
  if (!o.contains(key) || o[key].is_null()) return std::string();
  if (!o[key].is_string()) return Error{Errc::kUsage, fmt::format("{}: {} must be a string", what, key)};
  return o[key].get<std::string>();
}

//! Checks that `o` is an object holding only `known` fields.
Status CampaignOnly(const detail::Json& o, const std::set<std::string>& known, const std::string& what) {
  if (!o.is_object()) return Error{Errc::kUsage, what + " must be a JSON object"};
  for (const auto& [key, value] : o.items()) {
    if (!known.contains(key)) return Error{Errc::kUsage, fmt::format("{}: unknown field '{}'", what, key)};
  }
  return Ok();
}

Result<std::vector<CampaignApplication>> ApplicationsOf(const detail::Json& list) {
  if (!list.is_array()) return Error{Errc::kUsage, "applications must be an array"};
  std::vector<CampaignApplication> out;
  for (const auto& a : list) {
    if (auto ok = CampaignOnly(a, {"code", "org", "country", "project", "documents"}, "an application"); !ok)
      return ok.error();
    CampaignApplication app;
    for (auto [key, field] :
         {std::pair{"code", &app.code}, {"org", &app.org}, {"country", &app.country}, {"project", &app.project}}) {
      auto t = CampaignText(a, key, "an application");
      if (!t) return t.error();
      *field = std::move(*t);
    }
    auto docs = CampaignStrings(a.value("documents", detail::Json()), "documents");
    if (!docs) return docs.error();
    app.documents = std::move(*docs);
    out.push_back(std::move(app));
  }
  return out;
}

Result<std::vector<CampaignJudge>> JudgesOf(const detail::Json& list) {
  if (!list.is_array()) return Error{Errc::kUsage, "judges must be an array"};
  std::vector<CampaignJudge> out;
  for (const auto& j : list) {
    if (auto ok = CampaignOnly(j, {"login", "org", "country", "declared"}, "a judge"); !ok) return ok.error();
    CampaignJudge judge;
    for (auto [key, field] : {std::pair{"login", &judge.login}, {"org", &judge.org}, {"country", &judge.country}}) {
      auto t = CampaignText(j, key, "a judge");
      if (!t) return t.error();
      *field = std::move(*t);
    }
    auto declared = CampaignStrings(j.value("declared", detail::Json()), "declared");
    if (!declared) return declared.error();
    judge.declared = std::move(*declared);
    out.push_back(std::move(judge));
  }
  return out;
}

//! A sheet's scores: a JSON array of numbers.
Result<std::vector<double>> ScoresOf(const detail::Json& v) {
  if (!v.is_array() || v.empty()) return Error{Errc::kUsage, "scores must be an array of numbers, one per criterion"};
  std::vector<double> out;
  for (const auto& x : v) {
    if (!x.is_number()) return Error{Errc::kUsage, "scores must be an array of numbers, one per criterion"};
    out.push_back(x.get<double>());
  }
  return out;
}

}  // namespace

bool Server::Impl::IsCampaignsPath(const std::string& path) {
  return detail::PathSegments(path, kCampaignsBase).has_value();
}

void Server::Impl::Campaigns(const Request& req, Response& res) const {
  res.SetHeader("Cache-Control", "no-store");  // what a seat sees is never kept by a cache
  const auto seg = *detail::PathSegments(req.path, kCampaignsBase);
  const auto allow = CampaignAllow(seg);
  if (!allow) return SendError(res, Errc::kNotFound, "no such endpoint: " + req.path);
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool allowed = std::string_view(*allow).find(req.method) != std::string_view::npos;
  if (!allowed) {
    res.SetHeader("Allow", *allow);
    return SendError(res, Errc::kMethodNotAllowed, req.method + " is not allowed on " + req.path);
  }
  if (!CheckParams(req, res, {})) return;
  // Reading needs no credentials (the public sees published campaigns); one given must be valid.
  const bool anonymous = get && req.Header("Authorization").empty() &&
                         detail::CookieValue(req, detail::SessionCookieName(cfg.secure_cookies)).empty();
  std::optional<std::string> token = anonymous ? std::optional<std::string>("") : std::nullopt;
  if (!token) token = detail::Credential(req, res, cfg.secure_cookies);
  if (!token) return;
  if (seg.size() == 2 && !kCampaignActions.contains(seg[1])) {
    return SendError(res, Errc::kNotFound,
                     "no such step: " + seg[1] + " (entries, conflicts, assign, open, close, publish)");
  }
  if (get) return seg.empty() ? ListCampaigns(res, *token) : ShowCampaign(res, *token, seg[0]);
  if (seg.empty()) return CreateCampaign(req, res, *token);
  if (seg.size() == 3) return SealSheet(req, res, *token, seg[0], seg[2]);
  if (seg[1] == "entries") return CampaignEntries(req, res, *token, seg[0]);
  if (seg[1] == "conflicts") return DeclareConflicts(req, res, *token, seg[0]);
  CampaignStep(req, res, *token, seg[0], seg[1]);
}

void Server::Impl::ListCampaigns(Response& res, const std::string& token) const {
  auto list = engine::Campaigns(cfg.db_path, token);
  if (!list) return SendFailure(res, list.error());
  SendJson(res, 200, "{\"campaigns\":" + report::CampaignsJson(*list) + "}");
}

void Server::Impl::ShowCampaign(Response& res, const std::string& token, const std::string& key) const {
  auto d = engine::CampaignDetails(cfg.db_path, token, key);
  if (!d) return SendFailure(res, d.error());
  SendJson(res, 200, report::CampaignJson(*d, d->seat == "secretariat"));
}

void Server::Impl::CreateCampaign(const Request& req, Response& res, const std::string& token) const {
  auto f = detail::Fields(req, res, {"key", "rules"});
  if (!f) return;
  auto c = engine::CreateCampaign(cfg.db_path, token, req.client, (*f)["key"], (*f)["rules"], "rules");
  if (!c) return SendFailure(res, c.error());
  res.SetHeader("Location", fmt::format("{}/{}", kCampaignsBase, c->key));
  auto d = engine::CampaignDetails(cfg.db_path, token, c->key);
  if (!d) return SendFailure(res, d.error());
  SendJson(res, 201, report::CampaignJson(*d, true));
}

void Server::Impl::CampaignEntries(const Request& req, Response& res, const std::string& token,
                                   const std::string& key) const {
  auto body = detail::ObjectBody(req, res, {"applications", "judges"});
  if (!body) return;
  std::optional<std::vector<CampaignApplication>> apps;
  std::optional<std::vector<CampaignJudge>> judges;
  if (body->contains("applications")) {
    auto a = ApplicationsOf((*body)["applications"]);
    if (!a) return SendFailure(res, a.error());
    apps = std::move(*a);
  }
  if (body->contains("judges")) {
    auto j = JudgesOf((*body)["judges"]);
    if (!j) return SendFailure(res, j.error());
    judges = std::move(*j);
  }
  if (auto ok = engine::SetCampaignEntries(cfg.db_path, token, req.client, key, apps, judges); !ok) {
    return SendFailure(res, ok.error());
  }
  ShowCampaign(res, token, key);
}

void Server::Impl::DeclareConflicts(const Request& req, Response& res, const std::string& token,
                                    const std::string& key) const {
  auto body = detail::ObjectBody(req, res, {"applications"});
  if (!body) return;
  auto codes = CampaignStrings(body->value("applications", detail::Json::array()), "applications");
  if (!codes) return SendFailure(res, codes.error());
  if (auto ok = engine::DeclareConflicts(cfg.db_path, token, req.client, key, *codes); !ok) {
    return SendFailure(res, ok.error());
  }
  ShowCampaign(res, token, key);
}

void Server::Impl::CampaignStep(const Request& req, Response& res, const std::string& token, const std::string& key,
                                const std::string& action) const {
  if (!req.body.empty() && !detail::ObjectBody(req, res, {})) return;
  Status done = Ok();
  if (action == "assign") {
    auto a = engine::AssignCampaign(cfg.db_path, token, req.client, key);
    if (!a) done = a.error();
  } else {
    auto c = action == "open"    ? engine::OpenCampaign(cfg.db_path, token, req.client, key)
             : action == "close" ? engine::CloseCampaign(cfg.db_path, token, req.client, key, 2)
                                 : engine::PublishCampaign(cfg.db_path, token, req.client, key);
    if (!c) done = c.error();
  }
  if (!done) return SendFailure(res, done.error());
  ShowCampaign(res, token, key);
}

void Server::Impl::SealSheet(const Request& req, Response& res, const std::string& token, const std::string& key,
                             const std::string& application) const {
  auto body = detail::ObjectBody(req, res, {"scores", "comment", "reason"});
  if (!body) return;
  auto scores = ScoresOf(body->value("scores", detail::Json()));
  if (!scores) return SendFailure(res, scores.error());
  auto comment = CampaignText(*body, "comment", "the sheet"), reason = CampaignText(*body, "reason", "the sheet");
  if (!comment) return SendFailure(res, comment.error());
  if (!reason) return SendFailure(res, reason.error());
  auto s = engine::ScoreApplication(cfg.db_path, token, req.client, key, application, *scores, *comment, *reason, 2);
  if (!s) return SendFailure(res, s.error());
  SendJson(res, 201, report::SheetJson(*s));
}

}  // namespace gpsi::server
