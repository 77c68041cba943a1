// /api/v1/session (docs/api.md, "Sessions"): the dashboard's login, who is logged in, and logout.
// The session's secret lives only in an HttpOnly, SameSite=Strict cookie; its CSRF token is in the
// answer, for the page to echo in X-CSRF-Token. Every rule (passwords, lockout, audit) is
// platform's, reached through the engine façade.
#include <fmt/format.h>

#include "detail/impl.hpp"
#include "report.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::SendError;
using detail::SendFailure;
using detail::SendJson;

void Server::Impl::Session(const Request& req, Response& res) const {
  res.SetHeader("Cache-Control", "no-store");  // errors too: nothing about a session is kept by a cache
  if (!CheckParams(req, res, {})) return;
  if (req.method == "POST") return LogIn(req, res);
  if (req.method == "GET" || req.method == "HEAD") return ShowSession(req, res);
  if (req.method == "DELETE") return LogOut(req, res);
  res.SetHeader("Allow", "GET, HEAD, POST, DELETE");
  SendError(res, Errc::kMethodNotAllowed, req.method + " is not allowed on " + req.path);
}

void Server::Impl::LogIn(const Request& req, Response& res) const {
  if (const long wait = login_throttle->Take(req.client, detail::LoginThrottle::Clock::now())) {
    res.SetHeader("Retry-After", std::to_string(wait));
    return SendError(res, Errc::kRateLimited, fmt::format("too many login attempts: try again in {} s", wait));
  }
  auto f = detail::Fields(req, res, {"login", "password"});
  if (!f) return;
  if ((*f)["login"].empty() || (*f)["password"].empty()) {
    return SendError(res, Errc::kUsage, "login and password are required");
  }
  auto session = engine::Login(cfg.db_path, req.client, (*f)["login"], (*f)["password"]);
  if (!session) return SendFailure(res, session.error());
  auto who = engine::WhoIs(cfg.db_path, session->secret);
  if (!who) return SendFailure(res, who.error());
  res.SetHeader("Set-Cookie", detail::SessionCookie(session->secret, cfg.secure_cookies));
  SendJson(res, 200, report::IdentityJson(*who, session->csrf));
}

void Server::Impl::ShowSession(const Request& req, Response& res) const {
  const std::string secret = detail::CookieValue(req, detail::SessionCookieName(cfg.secure_cookies));
  if (secret.empty())
    return SendFailure(res, Error{Errc::kUnauthorized, "no session: log in first (POST /api/v1/session)"});
  auto who = engine::WhoIs(cfg.db_path, secret);
  if (!who) return SendFailure(res, Error{Errc::kUnauthorized, "the session has ended: log in again"});
  SendJson(res, 200, report::IdentityJson(*who, engine::CsrfToken(secret)));
}

void Server::Impl::LogOut(const Request& req, Response& res) const {
  const std::string secret = detail::CookieValue(req, detail::SessionCookieName(cfg.secure_cookies));
  if (secret.empty()) return SendFailure(res, Error{Errc::kUnauthorized, "no session to end"});
  if (!engine::CsrfMatches(secret, req.Header("X-CSRF-Token"))) {
    return SendError(res, Errc::kForbidden, "the session's CSRF token is missing or wrong (X-CSRF-Token)");
  }
  if (auto ok = engine::Logout(cfg.db_path, req.client, secret); !ok)
    return SendError(res, Errc::kUnauthorized, ok.error().message);
  res.SetHeader("Set-Cookie", detail::EndedSessionCookie(cfg.secure_cookies));
  SendJson(res, 200, "{\"ended\":true}");
}

}  // namespace gpsi::server
