// The member platform behind the engine façade: each call opens the store, runs platform's rule
// (src/platform) and returns engine types; the CLI and the HTTP server call these alone.
#include <pwd.h>
#include <unistd.h>

#include "detail/built.hpp"
#include "engine.hpp"
#include "platform.hpp"

namespace gpsi::engine {
namespace {

//! Runs `fn` on the store at `db_path` opened with `access`; a Failure (a store error) becomes the result.
template <class Fn>
auto WithStore(const std::string& db_path, StoreAccess access, Fn&& fn) -> decltype(fn(std::declval<Store&>())) {
  auto store = OpenExisting(db_path, access);
  if (!store) return store.error();
  try {
    return fn(**store);
  } catch (const Failure& f) {
    return f.error();
  }
}

}  // namespace

Actor CliActor() {
  const passwd* pw = getpwuid(geteuid());
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return Actor{std::string("cli:") + (pw ? pw->pw_name : std::to_string(geteuid())), "", std::string("cli@") + host};
}

Result<std::vector<Organisation>> Organisations(const std::string& db_path) {
  return WithStore(db_path, StoreAccess::kRead, [](Store& s) -> Result<std::vector<Organisation>> { return s.Orgs(); });
}

Result<std::vector<Account>> Accounts(const std::string& db_path) {
  return WithStore(db_path, StoreAccess::kRead, [](Store& s) -> Result<std::vector<Account>> { return s.Accounts(); });
}

Result<std::vector<TokenRecord>> Tokens(const std::string& db_path) {
  return WithStore(db_path, StoreAccess::kRead,
                   [](Store& s) -> Result<std::vector<TokenRecord>> { return s.Tokens(); });
}

std::vector<std::string> RolePermissions(Role role) {
  return platform::Permissions(role);
}

Result<Organisation> AddOrganisation(const std::string& db_path, const Actor& actor, Organisation org) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) { return platform::AddOrg(s, actor, std::move(org)); });
}

Result<Organisation> ChangeOrganisation(const std::string& db_path, const Actor& actor, const std::string& key,
                                        const std::function<Status(Organisation&)>& edit) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) { return platform::ChangeOrg(s, actor, key, edit); });
}

Result<Account> AddAccount(const std::string& db_path, const Actor& actor, Account account,
                           const std::optional<std::string>& password) {
  return WithStore(db_path, StoreAccess::kWrite,
                   [&](Store& s) { return platform::AddAccount(s, actor, std::move(account), password); });
}

Result<Account> ChangeAccount(const std::string& db_path, const Actor& actor, const std::string& login,
                              const std::function<Status(Account&)>& edit, const std::optional<std::string>& password) {
  return WithStore(db_path, StoreAccess::kWrite,
                   [&](Store& s) { return platform::ChangeAccount(s, actor, login, edit, password); });
}

Result<IssuedToken> IssueToken(const std::string& db_path, const Actor& actor, const std::string& login,
                               const std::vector<std::string>& scopes, int days, const std::string& label) {
  return WithStore(db_path, StoreAccess::kWrite,
                   [&](Store& s) { return platform::IssueToken(s, actor, login, scopes, days, label); });
}

Result<TokenRecord> RevokeToken(const std::string& db_path, const Actor& actor, const std::string& suffix) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) { return platform::RevokeToken(s, actor, suffix); });
}

Result<AuditCheck> VerifyAuditLog(const std::string& db_path, const std::string& expect_head) {
  return WithStore(db_path, StoreAccess::kRead, [&](Store& s) { return platform::VerifyAudit(s, expect_head); });
}

Result<std::vector<AuditEntry>> AuditLog(const std::string& db_path, std::int64_t from, const std::string& target) {
  return WithStore(db_path, StoreAccess::kRead, [&](Store& s) -> Result<std::vector<AuditEntry>> {
    std::vector<AuditEntry> out;
    s.AuditEntries(from, [&](const AuditEntry& e) {
      if (target.empty() || e.target == target) out.push_back(e);
    });
    return out;
  });
}

}  // namespace gpsi::engine
