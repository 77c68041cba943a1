// Credentials, answers and the login throttle of the member endpoints (auth.hpp).
#include "detail/auth.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine.hpp"

namespace gpsi::server::detail {
namespace {

//! The bearer token of an Authorization header, or nullopt when it has none.
std::optional<std::string> Bearer(const Request& req) {
  const std::string auth = req.Header("Authorization");
  const auto space = auth.find(' ');
  const auto start = auth.find_first_not_of(' ', space);
  if (space == std::string::npos || start == std::string::npos || Lower(auth.substr(0, space)) != "bearer") {
    return std::nullopt;
  }
  return auth.substr(start);
}

bool Unsafe(const Request& req) {
  return req.method != "GET" && req.method != "HEAD";
}

}  // namespace

std::string SessionCookieName(bool secure) {
  return secure ? "__Host-gpsi_session" : "gpsi_session";
}

std::string SessionCookie(const std::string& secret, bool secure) {
  return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict{}", SessionCookieName(secure), secret,
                     secure ? "; Secure" : "");
}

std::string EndedSessionCookie(bool secure) {
  return fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}", SessionCookieName(secure),
                     secure ? "; Secure" : "");
}

std::string CookieValue(const Request& req, std::string_view name) {
  // RFC 6265 5.4: "a=b; c=d". Written by hand: Beast parses no Cookie header, and this is its grammar.
  const std::string header = req.Header("Cookie");
  std::string_view rest = header;
  while (!rest.empty()) {
    const auto end = std::min(rest.find(';'), rest.size());
    std::string_view pair = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
  }
  return "";
}

std::optional<std::string> Credential(const Request& req, Response& res, bool secure_cookies) {
  if (auto token = Bearer(req)) return token;
  std::string session = CookieValue(req, SessionCookieName(secure_cookies));
  if (session.empty()) {
    res.SetHeader("WWW-Authenticate", "Bearer realm=\"gpsi\"");
    SendError(res, Errc::kUnauthorized, "an API token (Authorization: Bearer <token>) or a session is required");
    return std::nullopt;
  }
  if (Unsafe(req) && !engine::CsrfMatches(session, req.Header("X-CSRF-Token"))) {
    SendError(res, Errc::kForbidden, "the session's CSRF token is missing or wrong (X-CSRF-Token)");
    return std::nullopt;
  }
  return session;
}

std::string RefusedAs(const std::string& db_path, const Request& req, const Response& res, bool secure_cookies) {
  if (res.status != 401 && res.status != 403 && res.status != 404) return "";
  const auto token = Bearer(req);
  const std::string secret = token ? *token : CookieValue(req, SessionCookieName(secure_cookies));
  if (secret.empty()) return "";
  if (auto who = engine::WhoIs(db_path, secret)) return who->account.login;
  if (!token) return "session:?";
  // A token's last 8 characters are its public name; a short or absurd one is shown as such.
  return secret.size() < 16 ? "token:?" : "token:" + secret.substr(secret.size() - 8);
}

void SendFailure(Response& res, const Error& e) {
  if (e.code == Errc::kUnauthorized)
    res.SetHeader("WWW-Authenticate", "Bearer realm=\"gpsi\", error=\"invalid_token\"");
  SendError(res, e.code, e.line > 0 ? fmt::format("line {}: {}", e.line, e.message) : e.message);
}

void SendJson(Response& res, int status, std::string body) {
  res.status = status;
  SetSecurityHeaders(res);
  res.SetHeader("Cache-Control", "no-store");
  res.SetContent(std::move(body) + "\n", "application/json");
}

std::optional<Json> ObjectBody(const Request& req, Response& res, const std::set<std::string>& known) {
  if (req.body.empty()) return Json::object();
  Json body = Json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    SendError(res, Errc::kUsage, "the body must be a JSON object");
    return std::nullopt;
  }
  for (const auto& [key, value] : body.items()) {
    if (!known.contains(key)) {
      SendError(res, Errc::kUsage, fmt::format("unknown field '{}' (known: {})", key, fmt::join(known, ", ")));
      return std::nullopt;
    }
  }
  return body;
}

std::optional<std::map<std::string, std::string>> Fields(const Request& req, Response& res,
                                                         const std::set<std::string>& known) {
  const auto body = ObjectBody(req, res, known);
  if (!body) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : body->items()) {
    if (!value.is_string()) {
      SendError(res, Errc::kUsage, fmt::format("{} must be a string, not a JSON {}", key, value.type_name()));
      return std::nullopt;
    }
    out[key] = value.get<std::string>();
  }
  return out;
}

long LoginThrottle::Take(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mu_);
  const auto forget = [&](std::deque<Clock::time_point>& times) {
    while (!times.empty() && now - times.front() >= window_) times.pop_front();
  };
  // Forget clients whose window has passed once there are many, so that the map stays as small as
  // the recent traffic without a sweep per attempt.
  if (seen_.size() >= kSweepAt) {
    for (auto it = seen_.begin(); it != seen_.end();) {
      forget(it->second);
      it = it->second.empty() ? seen_.erase(it) : std::next(it);
    }
  }
  auto& times = seen_[client];
  forget(times);
  if (times.size() >= attempts_) {
    const auto wait = std::chrono::ceil<std::chrono::seconds>(times.front() + window_ - now).count();
    return std::max<long>(1, static_cast<long>(wait));
  }
  times.push_back(now);
  return 0;
}

}  // namespace gpsi::server::detail
