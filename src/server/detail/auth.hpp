// What the member endpoints share: the credentials a request carries (an API token, or a dashboard
// session's cookie with its CSRF token), their answers (never cached), and the login throttle.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "detail/http.hpp"

namespace gpsi::server::detail {

//! The name of the session cookie: "__Host-gpsi_session" when cookies are Secure (RFC 6265bis
//! 4.1.3.2: then only this host over HTTPS may set it), else "gpsi_session".
std::string SessionCookieName(bool secure);
//! The Set-Cookie value that gives the browser `secret` until it closes (the session ends on the
//! server at its expiry anyway): HttpOnly (no script reads it), SameSite=Strict (no other site's
//! page sends it), Path=/, and Secure when `secure`.
std::string SessionCookie(const std::string& secret, bool secure);
//! The Set-Cookie value that makes the browser forget the session cookie (Max-Age=0).
std::string EndedSessionCookie(bool secure);
//! The value of cookie `name` in the request's Cookie header, "" when absent.
std::string CookieValue(const Request& req, std::string_view name);

//! The secret a request acts with: its Authorization: Bearer token, else its session cookie. A
//! session's unsafe request (not GET or HEAD) must carry the session's CSRF token in X-CSRF-Token
//! (the synchronizer token pattern; SameSite=Strict alone leaves same-site pages and old browsers).
//! nullopt with the error sent: 401 (with WWW-Authenticate) when there is neither, 403 when the CSRF
//! token is missing or wrong.
std::optional<std::string> Credential(const Request& req, Response& res, bool secure_cookies);

//! Who a member request that was refused (401, 403 or 404) acted as, for the access log (ASVS
//! 16.3.2): the login its token or session holds, else for one unknown, expired or revoked the
//! token's public suffix (`token:abcd1234`, as `gpsi token list` shows it) or `session:?`; "" for
//! a request without credentials, or one that was not refused.
std::string RefusedAs(const std::string& db_path, const Request& req, const Response& res, bool secure_cookies);

//! An engine error as a member endpoint sends it: its status from the error table, the line of a
//! file it names (an upload's row), never the server's file paths.
void SendFailure(Response& res, const Error& e);
//! A member endpoint's answer: never stored by a cache (RFC 9111 5.2.2.5), with the security headers.
void SendJson(Response& res, int status, std::string body);
//! The JSON object of the body, whose fields must each be one of `known`; an empty body is an empty
//! object. nullopt (with the error sent) for anything else.
std::optional<Json> ObjectBody(const Request& req, Response& res, const std::set<std::string>& known);
//! The string fields of a JSON object body, each of `known`; an empty body is an empty object.
//! nullopt (with the error sent) for anything else.
std::optional<std::map<std::string, std::string>> Fields(const Request& req, Response& res,
                                                         const std::set<std::string>& known);

//! Login attempts per client address in a sliding window (OWASP ASVS 5.0 6.3.1, with the account
//! lockout of platform::Login): slows a guesser spreading over accounts, which no lockout sees.
class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  LoginThrottle(std::size_t attempts, Clock::duration window) : attempts_(attempts), window_(window) {}
  //! Counts an attempt of `client` at `now`; 0 when allowed, else the seconds until one is (and
  //! the refused attempt is not counted).
  long Take(const std::string& client, Clock::time_point now);

 private:
  static constexpr std::size_t kSweepAt = 4096;  //!< clients held before the passed ones are swept
  std::size_t attempts_;
  Clock::duration window_;
  std::mutex mu_;
  std::map<std::string, std::deque<Clock::time_point>> seen_;
};

}  // namespace gpsi::server::detail
