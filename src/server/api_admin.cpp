// /api/v1/admin (docs/api.md, "Administration"): organisations, accounts and tokens over HTTP, for
// an administrator's token or session; the same engine calls, rules, audit entries and JSON as
// `gpsi org|user|token`. Answers are never cached.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "detail/impl.hpp"
#include "report.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::SendError;
using detail::SendFailure;
using detail::SendJson;

namespace {

constexpr std::string_view kAdminBase = "/api/v1/admin/";

//! What an admin handler gets: the server's store, the request, its actor and the {} of its path.
struct AdminCall {
  const std::string& db;
  const Request& req;
  Response& res;
  const Actor& actor;
  const std::string& name;
};
using AdminHandler = void (*)(const AdminCall&);

// ---- the body: a JSON object whose fields are read by type, each error sent once ----

//! Reads `body[key]` into `out` when present; false (with a 400 sent) when it has another type.
template <class T>
bool Read(const Json& body, const char* key, T& out, Response& res) {
  const auto it = body.find(key);
  if (it == body.end()) return true;
  try {
    out = it->get<T>();
    return true;
  } catch (const Json::exception&) {
    SendError(res, Errc::kUsage, fmt::format("{} has the wrong type (a JSON {})", key, it->type_name()));
    return false;
  }
}

//! The agreements of a body: [{"dataset": "CRIME", "indicators": ["homicide_rate"]}, …].
bool ReadAgreements(const Json& body, std::vector<Agreement>& out, Response& res) {
  const auto it = body.find("agreements");
  if (it == body.end()) return true;
  if (!it->is_array()) return SendError(res, Errc::kUsage, "agreements must be an array"), false;
  out.clear();
  for (const auto& a : *it) {
    Agreement x;
    if (!a.is_object() || !a.contains("dataset") || !Read(a, "dataset", x.dataset, res) ||
        !Read(a, "indicators", x.indicators, res)) {
      if (res.status == 0) SendError(res, Errc::kUsage, "each agreement is {\"dataset\": …, \"indicators\": […]}");
      return false;
    }
    out.push_back(std::move(x));
  }
  return true;
}

//! A change's body applied to `o`: names, tier, countries, agreements and `disabled` (true/false).
Status EditOrg(const Json& body, Organisation& o, Response& res) {
  bool disabled = !o.disabled.empty();
  if (!Read(body, "name_en", o.name_en, res) || !Read(body, "name_zh", o.name_zh, res) ||
      !Read(body, "tier", o.tier, res) || !Read(body, "countries", o.countries, res) ||
      !ReadAgreements(body, o.agreements, res) || !Read(body, "disabled", disabled, res)) {
    return Error{Errc::kUsage, "sent"};
  }
  if (body.contains("disabled")) SetDisabled(o, disabled, NowUtc());
  return Ok();
}

//! A change's body applied to `a`: name, role and `disabled` (false also lifts a login lockout).
Status EditAccount(const Json& body, Account& a, Response& res) {
  bool disabled = !a.disabled.empty();
  std::string role(ToString(a.role));
  if (!Read(body, "name", a.name, res) || !Read(body, "role", role, res) || !Read(body, "disabled", disabled, res)) {
    return Error{Errc::kUsage, "sent"};
  }
  const auto parsed = ParseRole(role);
  if (!parsed) return Error{Errc::kUsage, "role: admin, secretariat, member-submitter, member-approver or reader"};
  a.role = *parsed;
  // Only an explicit "disabled": false (gpsi user enable) lifts a login lockout; a rename does not.
  if (body.contains("disabled")) SetDisabled(a, disabled, NowUtc());
  return Ok();
}

//! An engine result as the answer: `status` with its JSON, or the error (unless one was sent).
template <class T, class ToJson>
void Answer(Response& res, const Result<T>& r, int status, ToJson to_json) {
  if (res.status != 0) return;  // the body's error, sent while reading it
  if (!r) return SendFailure(res, r.error());
  SendJson(res, status, to_json(r.value()));
}

// ---- the handlers: one per route ----

void ListOrgs(const AdminCall& c) {
  Answer(c.res, engine::Organisations(c.db), 200,
         [](const auto& v) { return "{\"orgs\":" + report::OrgsJson(v) + "}"; });
}

void AddOrg(const AdminCall& c) {
  auto body =
      detail::ObjectBody(c.req, c.res, {"key", "kind", "name_en", "name_zh", "tier", "countries", "agreements"});
  if (!body) return;
  Organisation o;
  o.tier = -1;
  std::string kind;
  if (!Read(*body, "key", o.key, c.res) || !Read(*body, "kind", kind, c.res) || !EditOrg(*body, o, c.res)) return;
  const auto k = ParseOrgKind(kind);
  if (!k) return SendError(c.res, Errc::kUsage, "kind: government, think-tank, enterprise or secretariat");
  o.kind = *k;
  auto r = engine::AddOrganisation(c.db, c.actor, o);
  if (r) c.res.SetHeader("Location", fmt::format("{}orgs/{}", kAdminBase, r->key));
  Answer(c.res, r, 201, report::OrgJson);
}

void ChangeOrg(const AdminCall& c) {
  auto body = detail::ObjectBody(c.req, c.res, {"name_en", "name_zh", "tier", "countries", "agreements", "disabled"});
  if (!body) return;
  Answer(c.res,
         engine::ChangeOrganisation(c.db, c.actor, c.name, [&](Organisation& o) { return EditOrg(*body, o, c.res); }),
         200, report::OrgJson);
}

void ListUsers(const AdminCall& c) {
  Answer(c.res, engine::Accounts(c.db), 200,
         [](const auto& v) { return "{\"users\":" + report::AccountsJson(v) + "}"; });
}

void AddUser(const AdminCall& c) {
  auto body = detail::ObjectBody(c.req, c.res, {"login", "org", "role", "name", "password"});
  if (!body) return;
  Account a;
  std::string role, password;
  if (!Read(*body, "login", a.login, c.res) || !Read(*body, "org", a.org, c.res) || !Read(*body, "role", role, c.res) ||
      !Read(*body, "name", a.name, c.res) || !Read(*body, "password", password, c.res)) {
    return;
  }
  const auto r = ParseRole(role);
  if (!r)
    return SendError(c.res, Errc::kUsage, "role: admin, secretariat, member-submitter, member-approver or reader");
  a.role = *r;
  auto added = engine::AddAccount(c.db, c.actor, a, password.empty() ? std::nullopt : std::optional(password));
  if (added) c.res.SetHeader("Location", fmt::format("{}users/{}", kAdminBase, added->login));
  Answer(c.res, added, 201, report::AccountJson);
}

void ChangeUser(const AdminCall& c) {
  auto body = detail::ObjectBody(c.req, c.res, {"name", "role", "password", "disabled"});
  if (!body) return;
  std::string password;
  if (!Read(*body, "password", password, c.res)) return;
  auto r = engine::ChangeAccount(
      c.db, c.actor, c.name, [&](Account& a) { return EditAccount(*body, a, c.res); },
      body->contains("password") ? std::optional(password) : std::nullopt);
  Answer(c.res, r, 200, report::AccountJson);
}

void ListTokens(const AdminCall& c) {
  Answer(c.res, engine::Tokens(c.db), 200, [](const auto& v) { return "{\"tokens\":" + report::TokensJson(v) + "}"; });
}

void AddToken(const AdminCall& c) {
  auto body = detail::ObjectBody(c.req, c.res, {"login", "scopes", "days", "label"});
  if (!body) return;
  std::string login, label;
  std::vector<std::string> scopes;
  int days = 90;
  if (!Read(*body, "login", login, c.res) || !Read(*body, "scopes", scopes, c.res) ||
      !Read(*body, "days", days, c.res) || !Read(*body, "label", label, c.res)) {
    return;
  }
  auto t = engine::IssueToken(c.db, c.actor, login, scopes, days, label);
  if (t) c.res.SetHeader("Location", fmt::format("{}tokens/{}", kAdminBase, t->record.suffix));
  Answer(c.res, t, 201, [](const IssuedToken& x) { return report::TokenJson(x.record, x.secret); });
}

void RevokeToken(const AdminCall& c) {
  if (!detail::ObjectBody(c.req, c.res, {})) return;
  Answer(c.res, engine::RevokeToken(c.db, c.actor, c.name), 200,
         [](const TokenRecord& t) { return report::TokenJson(t); });
}

//! The routes under /api/v1/admin/: method, path pattern ({} one segment), handler.
struct AdminRoute {
  std::string_view method, pattern;
  AdminHandler handler;
};
constexpr AdminRoute kAdminRoutes[] = {
    {"GET", "orgs", ListOrgs},     {"POST", "orgs", AddOrg},     {"POST", "orgs/{}", ChangeOrg},
    {"GET", "users", ListUsers},   {"POST", "users", AddUser},   {"POST", "users/{}", ChangeUser},
    {"GET", "tokens", ListTokens}, {"POST", "tokens", AddToken}, {"POST", "tokens/{}/revoke", RevokeToken},
};

//! The segments of "users/alice/x": {"users", "alice", "x"} (empty ones kept, so they fit nothing).
std::vector<std::string_view> Segments(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t at = 0;;) {
    const auto slash = s.find('/', at);
    out.push_back(s.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at));
    if (slash == std::string_view::npos) return out;
    at = slash + 1;
  }
}

//! Whether `rest` ("users/alice") fits `pattern` ("users/{}"), with the {} segment into `name`.
bool Fits(std::string_view pattern, std::string_view rest, std::string& name) {
  const auto p = Segments(pattern), r = Segments(rest);
  if (p.size() != r.size()) return false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (r[i].empty() || (p[i] != "{}" && p[i] != r[i])) return false;
    if (p[i] == "{}") name = std::string(r[i]);
  }
  return true;
}

}  // namespace

std::vector<std::string> Server::Impl::AdminRoutes() {
  std::vector<std::string> out;
  for (const auto& r : kAdminRoutes) out.push_back(fmt::format("{} {}{}", r.method, kAdminBase, r.pattern));
  return out;
}

bool Server::Impl::IsAdminPath(const std::string& path) {
  return path.rfind(kAdminBase, 0) == 0;
}

void Server::Impl::Admin(const Request& req, Response& res) const {
  res.SetHeader("Cache-Control", "no-store");  // errors too: nothing of accounts is kept by a cache
  const std::string_view rest = std::string_view(req.path).substr(kAdminBase.size());
  const bool head = req.method == "HEAD";
  std::string name, allow;
  const AdminRoute* route = nullptr;
  for (const auto& r : kAdminRoutes) {
    std::string n;
    if (!Fits(r.pattern, rest, n)) continue;
    allow += (allow.empty() ? "" : ", ") + std::string(r.method) + (r.method == "GET" ? ", HEAD" : "");
    if (r.method == req.method || (head && r.method == "GET")) route = &r, name = n;
  }
  if (allow.empty()) return SendError(res, Errc::kNotFound, "no such endpoint: " + req.path);
  if (!route) {
    res.SetHeader("Allow", allow);
    return SendError(res, Errc::kMethodNotAllowed, req.method + " is not allowed on " + req.path);
  }
  if (!CheckParams(req, res, {})) return;
  const auto secret = detail::Credential(req, res, cfg.secure_cookies);
  if (!secret) return;
  const auto actor = engine::AdminActor(cfg.db_path, *secret, req.client);
  if (!actor) return SendFailure(res, actor.error());
  route->handler(AdminCall{cfg.db_path, req, res, actor.value(), name});
}

}  // namespace gpsi::server
