// Organisations, accounts, roles and tokens: validation, the role table, and each change with its
// audit entry in one transaction.
#include <algorithm>
#include <cctype>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "platform.hpp"

namespace gpsi::platform {
namespace {

using nlohmann::json;

//! The role × permission table, one row per Role (in its order), one column per Permission.
constexpr bool kTable[5][6] = {
    //  read   submit approve review publish admin
    {true, false, false, false, false, true},   // admin
    {true, false, false, true, true, false},    // secretariat
    {true, true, false, false, false, false},   // member-submitter
    {true, false, true, false, false, false},   // member-approver
    {true, false, false, false, false, false},  // reader
};

constexpr std::array<Permission, 6> kAllPermissions{Permission::kRead,   Permission::kSubmit,  Permission::kApprove,
                                                    Permission::kReview, Permission::kPublish, Permission::kAdmin};

bool IsKey(std::string_view s, std::size_t min, std::size_t max) {
  return s.size() >= min && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

//! Indicator and data-set codes: letters, digits, '_', '.', '-' (never a comma: they are stored as lists).
bool IsCode(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

Error Usage(std::string message) {
  return Error{Errc::kUsage, std::move(message)};
}

//! The first failing check of several, or Ok.
Status FirstError(std::initializer_list<Status> checks) {
  for (const auto& c : checks) {
    if (!c) return c.error();
  }
  return Ok();
}

// The state of each kind of record as the audit log keeps it; secrets and their hashes never.
json OrgState(const Organisation& o) {
  json agreements = json::array();
  for (const auto& a : o.agreements) agreements.push_back({{"dataset", a.dataset}, {"indicators", a.indicators}});
  return {{"key", o.key},   {"name_en", o.name_en},     {"name_zh", o.name_zh},     {"kind", ToString(o.kind)},
          {"tier", o.tier}, {"countries", o.countries}, {"agreements", agreements}, {"disabled", o.disabled}};
}

json AccountState(const Account& a) {
  return {{"login", a.login},
          {"name", a.name},
          {"org", a.org},
          {"role", ToString(a.role)},
          {"password", a.password.empty() ? "none" : "set"},
          {"disabled", a.disabled}};
}

json TokenState(const TokenRecord& t) {
  return {{"suffix", t.suffix}, {"login", t.login},     {"scopes", t.scopes},
          {"label", t.label},   {"expires", t.expires}, {"revoked", t.revoked}};
}

//! Checks an organisation's fields against the rules and the store; sorts its lists.
Status CheckOrg(Store& store, Organisation& org) {
  if (!IsKey(org.key, 2, 32)) return Usage(fmt::format("organisation key '{}': 2 to 32 of a-z, 0-9 and '-'", org.key));
  if (Trim(org.name_en).empty()) return Usage("an organisation needs an English name (--name-en)");
  if (auto ok = FirstError({CheckText("--name-en", org.name_en, 200), CheckText("--name-zh", org.name_zh, 200)}); !ok) {
    return ok.error();
  }
  if (org.tier == -1) org.tier = DefaultTier(org.kind);
  if (org.tier < 0 || org.tier > 4) return Usage(fmt::format("tier {}: 1 to 4 (0: reports no data)", org.tier));
  std::sort(org.countries.begin(), org.countries.end());
  org.countries.erase(std::unique(org.countries.begin(), org.countries.end()), org.countries.end());
  for (const auto& c : org.countries) {
    if (!store.FindUnit(c)) return Error{Errc::kNotFound, fmt::format("country '{}' is not a unit of the store", c)};
  }
  if (org.kind == OrgKind::kSecretariat && (!org.countries.empty() || !org.agreements.empty())) {
    return Usage("the secretariat reports no data: it has no countries or agreements");
  }
  if (org.kind == OrgKind::kEnterprise && (!org.countries.empty() || !org.agreements.empty())) {
    return Usage("an enterprise reports no data: it has no countries or agreements");
  }
  std::sort(org.agreements.begin(), org.agreements.end(),
            [](const Agreement& a, const Agreement& b) { return a.dataset < b.dataset; });
  for (std::size_t i = 0; i < org.agreements.size(); ++i) {
    auto& a = org.agreements[i];
    if (!IsCode(a.dataset)) return Usage(fmt::format("data set '{}': letters, digits, '_', '.', '-'", a.dataset));
    if (i > 0 && org.agreements[i - 1].dataset == a.dataset) return Usage("data set '" + a.dataset + "' given twice");
    if (a.indicators.empty()) return Usage("data set '" + a.dataset + "' names no indicator");
    for (const auto& ind : a.indicators) {
      if (!IsCode(ind)) return Usage(fmt::format("indicator '{}': letters, digits, '_', '.', '-'", ind));
    }
    std::sort(a.indicators.begin(), a.indicators.end());
    a.indicators.erase(std::unique(a.indicators.begin(), a.indicators.end()), a.indicators.end());
  }
  return Ok();
}

//! Checks an account's fields; fills its organisation's id and key.
Status CheckAccount(Store& store, Account& account) {
  if (!IsKey(account.login, 2, 64)) {
    return Usage(fmt::format("login '{}': 2 to 64 of a-z, 0-9 and '-'", account.login));
  }
  if (auto ok = CheckText("--name", account.name, 200); !ok) return ok.error();
  const auto org = store.FindOrg(account.org);
  if (!org) return Error{Errc::kNotFound, fmt::format("no organisation '{}'", account.org)};
  if (!RoleFits(account.role, org->kind)) {
    return Usage(
        fmt::format("role {} does not fit organisation '{}' ({}): admin and secretariat belong to the "
                    "secretariat, member-submitter and member-approver to members",
                    ToString(account.role), org->key, ToString(org->kind)));
  }
  account.org_id = org->id;
  return Ok();
}

//! The token's scopes, checked against the role: empty takes all of the role's permissions.
Result<std::vector<std::string>> Scopes(std::vector<std::string> scopes, Role role) {
  if (scopes.empty()) return Permissions(role);
  for (const auto& s : scopes) {
    const auto p = ParsePermission(s);
    if (!p) return Usage(fmt::format("scope '{}': one of read, submit, approve, review, publish, admin", s));
    if (!Allows(role, *p))
      return Error{Errc::kForbidden, fmt::format("role {} has no '{}' to give", ToString(role), s)};
  }
  std::sort(scopes.begin(), scopes.end(),
            [](const std::string& a, const std::string& b) { return *ParsePermission(a) < *ParsePermission(b); });
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  return scopes;
}

}  // namespace

Status CheckText(std::string_view what, std::string_view text, std::size_t max) {
  if (text.size() > max || !ValidUtf8(text)) return Usage(fmt::format("{}: UTF-8 text of at most {} bytes", what, max));
  return Ok();
}

std::string_view ToString(Permission p) {
  return kPermissionNames[static_cast<std::size_t>(p)];
}

std::optional<Permission> ParsePermission(std::string_view s) {
  for (Permission p : kAllPermissions) {
    if (ToString(p) == s) return p;
  }
  return std::nullopt;
}

bool Allows(Role role, Permission p) {
  return kTable[static_cast<int>(role)][static_cast<int>(p)];
}

std::vector<std::string> Permissions(Role role) {
  std::vector<std::string> out;
  for (Permission p : kAllPermissions) {
    if (Allows(role, p)) out.emplace_back(ToString(p));
  }
  return out;
}

bool RoleFits(Role role, OrgKind kind) {
  switch (role) {
    case Role::kAdmin:
    case Role::kSecretariat: return kind == OrgKind::kSecretariat;
    // An enterprise's submitter has projects assessed; it shares no data, so approves none.
    case Role::kMemberSubmitter: return kind != OrgKind::kSecretariat;
    case Role::kMemberApprover: return kind == OrgKind::kGovernment || kind == OrgKind::kThinkTank;
    case Role::kReader: return true;
  }
  return false;
}

int DefaultTier(OrgKind kind) {
  switch (kind) {
    case OrgKind::kGovernment: return static_cast<int>(Tier::kGovernment);
    case OrgKind::kThinkTank: return static_cast<int>(Tier::kThinkTank);
    case OrgKind::kSecretariat:
    case OrgKind::kEnterprise: return 0;
  }
  return 0;
}

bool Principal::Can(Permission p) const {
  return std::find(permissions.begin(), permissions.end(), p) != permissions.end();
}

Result<Principal> Authenticate(Store& store, std::string_view secret, const std::string& now) {
  const Error denied{Errc::kUnauthorized, "the token is not valid (unknown, expired or revoked)"};
  if (secret.size() > 128) return denied;
  std::string login, expires;
  std::vector<std::string> scopes;
  if (secret.starts_with(kSessionPrefix)) {
    const auto session = store.FindSessionBySha(TokenDigest(secret));
    if (!session || !session->revoked.empty() || session->expires <= now) return denied;
    login = session->login, expires = KeepAlive(store, *session, now);
  } else {
    auto token = store.FindTokenBySha(TokenDigest(secret));
    if (!token || !token->revoked.empty() || token->expires <= now) return denied;
    login = token->login, expires = token->expires, scopes = std::move(token->scopes);
  }
  auto account = store.FindAccount(login);
  if (!account || !account->disabled.empty()) return denied;
  auto org = store.FindOrg(account->org);
  if (!org || !org->disabled.empty()) return denied;
  // A session holds its account's whole role.
  if (secret.starts_with(kSessionPrefix)) scopes = Permissions(account->role);
  Principal p{std::move(*account), std::move(*org), {}, std::move(expires)};
  for (const auto& s : scopes) {
    const auto perm = ParsePermission(s);
    // A role narrowed since the token was issued narrows the token with it.
    if (perm && Allows(p.account.role, *perm)) p.permissions.push_back(*perm);
  }
  store.SetMember(MemberScope(p));
  return p;
}

Result<Organisation> AddOrg(Store& store, const Actor& actor, Organisation org) {
  Transaction tx(store);
  if (store.FindOrg(org.key)) return Error{Errc::kConflict, fmt::format("organisation '{}' exists", org.key)};
  if (auto ok = CheckOrg(store, org); !ok) return ok.error();
  org.created = NowUtc();
  org.id = store.InsertOrg(org);
  AppendAudit(store, actor, "org.create", "org:" + org.key, "", OrgState(org).dump());
  tx.Commit();
  return org;
}

Result<Organisation> ChangeOrg(Store& store, const Actor& actor, const std::string& key,
                               const Edit<Organisation>& edit) {
  Transaction tx(store);
  const auto before = store.FindOrg(key);
  if (!before) return Error{Errc::kNotFound, fmt::format("no organisation '{}'", key)};
  Organisation org = *before;
  if (auto ok = edit(org); !ok) return ok.error();
  org.id = before->id, org.key = before->key, org.created = before->created;
  if (auto ok = CheckOrg(store, org); !ok) return ok.error();
  store.UpdateOrg(org);
  AppendAudit(store, actor, "org.update", "org:" + org.key, OrgState(*before).dump(), OrgState(org).dump());
  tx.Commit();
  return org;
}

Result<Account> AddAccount(Store& store, const Actor& actor, Account account,
                           const std::optional<std::string>& password) {
  auto hash = password ? HashPassword(*password) : Result<std::string>(std::string());
  if (!hash) return hash.error();
  // Hashed before the transaction: argon2id takes a while and the store's write lock should not.
  Transaction tx(store);
  if (store.FindAccount(account.login)) {
    return Error{Errc::kConflict, fmt::format("user '{}' exists", account.login)};
  }
  if (auto ok = CheckAccount(store, account); !ok) return ok.error();
  account.password = std::move(*hash);
  account.created = NowUtc();
  account.id = store.InsertAccount(account);
  AppendAudit(store, actor, "user.create", "user:" + account.login, "", AccountState(account).dump());
  tx.Commit();
  return account;
}

Result<Account> ChangeAccount(Store& store, const Actor& actor, const std::string& login, const Edit<Account>& edit,
                              const std::optional<std::string>& password) {
  auto hash = password ? HashPassword(*password) : Result<std::string>(std::string());
  if (!hash) return hash.error();
  Transaction tx(store);
  const auto before = store.FindAccount(login);
  if (!before) return Error{Errc::kNotFound, fmt::format("no user '{}'", login)};
  Account account = *before;
  if (auto ok = edit(account); !ok) return ok.error();
  account.id = before->id, account.login = before->login, account.org = before->org;
  account.created = before->created;
  if (auto ok = CheckAccount(store, account); !ok) return ok.error();
  account.password = password ? *hash : before->password;
  store.UpdateAccount(account);
  json after = AccountState(account);
  if (password) after["password"] = "changed";
  // A new password, or a disabled account, ends every session it had (ASVS 7.4.2, 7.4.3): enabling
  // it again does not bring them back.
  if (password || (before->disabled.empty() && !account.disabled.empty())) {
    after["sessions_ended"] = store.EndSessionsOf(account.id, NowUtc());
  }
  AppendAudit(store, actor, "user.update", "user:" + account.login, AccountState(*before).dump(), after.dump());
  tx.Commit();
  return account;
}

Result<IssuedToken> IssueToken(Store& store, const Actor& actor, const std::string& login,
                               std::vector<std::string> scopes, int days, const std::string& label) {
  if (days < 1 || days > kMaxTokenDays) return Usage(fmt::format("a token lives 1 to {} days", kMaxTokenDays));
  if (auto ok = CheckText("--label", label, 200); !ok) return ok.error();
  Transaction tx(store);
  const auto account = store.FindAccount(login);
  if (!account) return Error{Errc::kNotFound, fmt::format("no user '{}'", login)};
  if (!account->disabled.empty()) return Error{Errc::kConflict, fmt::format("user '{}' is disabled", login)};
  auto granted = Scopes(std::move(scopes), account->role);
  if (!granted) return granted.error();
  IssuedToken out;
  // Suffixes name tokens (revoke, lists), so each is unique: a clash (1 in 2^48 per pair) draws again.
  const auto tokens = store.Tokens();
  do {
    out.secret = NewTokenSecret();
  } while (
      std::any_of(tokens.begin(), tokens.end(), [&](const TokenRecord& t) { return out.secret.ends_with(t.suffix); }));
  TokenRecord& t = out.record;
  t.user_id = account->id, t.login = login, t.sha256 = TokenDigest(out.secret);
  t.suffix = out.secret.substr(out.secret.size() - 8);
  t.scopes = std::move(*granted), t.label = label, t.created = NowUtc(), t.expires = UtcInDays(days);
  t.id = store.InsertToken(t);
  AppendAudit(store, actor, "token.create", "token:" + t.suffix, "", TokenState(t).dump());
  tx.Commit();
  return out;
}

Result<TokenRecord> RevokeToken(Store& store, const Actor& actor, const std::string& suffix) {
  Transaction tx(store);
  auto tokens = store.Tokens();
  const auto it = std::find_if(tokens.begin(), tokens.end(), [&](const TokenRecord& t) { return t.suffix == suffix; });
  if (it == tokens.end()) return Error{Errc::kNotFound, fmt::format("no token ending in '{}'", suffix)};
  TokenRecord t = std::move(*it);
  if (!t.revoked.empty()) return Error{Errc::kConflict, fmt::format("token '{}' was revoked at {}", suffix, t.revoked)};
  const json before = TokenState(t);
  t.revoked = NowUtc();
  store.RevokeToken(t.id, t.revoked);
  AppendAudit(store, actor, "token.revoke", "token:" + t.suffix, before.dump(), TokenState(t).dump());
  tx.Commit();
  return t;
}

}  // namespace gpsi::platform
