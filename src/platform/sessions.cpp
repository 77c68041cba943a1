// Dashboard sessions: login with argon2id passwords, the account lockout, logout, and the CSRF
// token of a session. Sessions are kept as tokens are: only the SHA-256 of their secret.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "platform.hpp"

namespace gpsi::platform {
namespace {

using nlohmann::json;

const Error kRefused{Errc::kUnauthorized, "the login or password is wrong, or the account is locked"};

//! A hash no password matches, verified when there is no account's own to verify, so that a
//! refusal costs the same whatever its cause (no user enumeration by timing, ASVS 6.3.8).
const std::string& DummyHash() {
  static const std::string hash = *HashPassword(NewSecret("dummy-"));
  return hash;
}

//! Why `account` may not log in at `now` before its password is checked; empty when it may.
std::string Barred(Store& store, const std::optional<Account>& account, const std::string& now) {
  if (!account) return "unknown";
  if (!account->disabled.empty()) return "disabled";
  if (account->password.empty()) return "no password";
  if (!account->locked_until.empty() && account->locked_until > now) return "locked";
  const auto org = store.FindOrg(account->org);
  if (!org || !org->disabled.empty()) return "organisation disabled";
  return "";
}

//! Counts a wrong password against `account`; the kMaxFailedLogins-th in a row locks it.
void CountFailure(Store& store, Account& account, std::time_t now) {
  account.failed_logins += 1;
  if (account.failed_logins >= kMaxFailedLogins) {
    account.failed_logins = 0;
    account.locked_until = UtcAt(now + kLockoutMinutes * 60);
  }
  store.UpdateAccount(account);
}

}  // namespace

std::string KeepAlive(Store& store, const SessionRecord& session, const std::string& now) {
  const auto at = ParseUtc(now), created = ParseUtc(session.created), expires = ParseUtc(session.expires);
  if (!at || !created || !expires) return session.expires;
  const std::time_t end = std::min<std::time_t>(*at + kSessionIdleMinutes * 60, *created + kSessionHours * 3600);
  // A minute's grain: most requests of a session in use write nothing.
  if (end - *expires < 60) return session.expires;
  store.ExtendSession(session.id, UtcAt(end));
  return UtcAt(end);
}

std::string CsrfToken(std::string_view session_secret) {
  return Sha256Hex(fmt::format("gpsi-csrf:{}", session_secret));
}

Result<IssuedSession> Login(Store& store, const std::string& origin, const std::string& login,
                            std::string_view password, std::time_t now) {
  // A login that could not be an account's is refused before the store, but after the same work.
  const bool plausible = login.size() <= 64 && ValidUtf8(login);
  const std::string at = UtcAt(now);
  Transaction tx(store);
  auto account = plausible ? store.FindAccount(login) : std::nullopt;
  std::string reason = Barred(store, account, at);
  const bool match = VerifyPassword(reason.empty() ? account->password : DummyHash(), password);
  if (reason.empty() && !match) {
    reason = "password";
    CountFailure(store, *account, now);
  }
  const Actor actor{plausible ? login : "?", account ? account->org : "", origin};
  const std::string target = account ? "user:" + account->login : "user:?";
  if (!reason.empty()) {
    json after{{"reason", reason}};
    if (account) after["failed_logins"] = account->failed_logins, after["locked_until"] = account->locked_until;
    AppendAudit(store, actor, "session.refused", target, "", after.dump());
    tx.Commit();
    return kRefused;
  }
  account->failed_logins = 0, account->locked_until.clear();
  store.UpdateAccount(*account);
  IssuedSession out;
  out.secret = NewSecret(kSessionPrefix);
  out.csrf = CsrfToken(out.secret);
  SessionRecord& x = out.record;
  x.user_id = account->id, x.login = account->login, x.sha256 = TokenDigest(out.secret);
  x.created = at, x.expires = UtcAt(now + kSessionIdleMinutes * 60);
  x.id = store.InsertSession(x);
  AppendAudit(store, actor, "session.create", target, "", json{{"session", x.id}, {"expires", x.expires}}.dump());
  tx.Commit();
  return out;
}

Status Logout(Store& store, const std::string& origin, std::string_view secret, std::time_t now) {
  Transaction tx(store);
  auto x = secret.size() <= 128 ? store.FindSessionBySha(TokenDigest(secret)) : std::nullopt;
  const std::string at = UtcAt(now);
  if (!x || !x->revoked.empty() || x->expires <= at) return Error{Errc::kUnauthorized, "no such session"};
  store.RevokeSession(x->id, at);
  const auto account = store.FindAccount(x->login);
  const Actor actor{x->login, account ? account->org : "", origin};
  AppendAudit(store, actor, "session.end", "user:" + x->login, json{{"session", x->id}}.dump(),
              json{{"session", x->id}, {"revoked", at}}.dump());
  tx.Commit();
  return Ok();
}

}  // namespace gpsi::platform
