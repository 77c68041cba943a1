// The sharing platform's organisations, accounts, tokens and the identity of a session or token as
// the admin and session endpoints answer them and `gpsi org|user|token … --json` prints them
// (docs/platform.md): one shape for both. No password, hash or token digest is ever a field; a token's secret only in
// the answer that issues it.
#include <nlohmann/json.hpp>

#include "report.hpp"

namespace gpsi::report {
namespace {

using Json = nlohmann::ordered_json;

Json Fields(const Organisation& o) {
  Json agreements = Json::array();
  for (const auto& a : o.agreements) agreements.push_back({{"dataset", a.dataset}, {"indicators", a.indicators}});
  return {{"key", o.key},          {"name_en", o.name_en},     {"name_zh", o.name_zh},     {"kind", ToString(o.kind)},
          {"tier", o.tier},        {"countries", o.countries}, {"agreements", agreements}, {"created", o.created},
          {"disabled", o.disabled}};
}

Json Fields(const Account& a) {
  return {{"login", a.login},
          {"name", a.name},
          {"org", a.org},
          {"role", ToString(a.role)},
          {"permissions", engine::RolePermissions(a.role)},
          {"password", !a.password.empty()},
          {"created", a.created},
          {"disabled", a.disabled},
          {"locked_until", a.locked_until}};
}

Json Fields(const TokenRecord& t) {
  return {{"suffix", t.suffix},   {"login", t.login},     {"scopes", t.scopes},  {"label", t.label},
          {"created", t.created}, {"expires", t.expires}, {"revoked", t.revoked}};
}

template <class T>
std::string List(const std::vector<T>& items) {
  Json out = Json::array();
  for (const auto& x : items) out.push_back(Fields(x));
  return out.dump();
}

}  // namespace

std::string OrgJson(const Organisation& o) {
  return Fields(o).dump();
}
std::string OrgsJson(const std::vector<Organisation>& list) {
  return List(list);
}
std::string AccountJson(const Account& a) {
  return Fields(a).dump();
}
std::string AccountsJson(const std::vector<Account>& list) {
  return List(list);
}
std::string TokenJson(const TokenRecord& t, const std::string& secret) {
  Json out = Fields(t);
  if (!secret.empty()) out["secret"] = secret;
  return out.dump();
}
std::string TokensJson(const std::vector<TokenRecord>& list) {
  return List(list);
}

std::string IdentityJson(const engine::Identity& who, const std::string& csrf) {
  Json out{{"login", who.account.login},     {"name", who.account.name},       {"org", who.org.key},
           {"org_name_en", who.org.name_en}, {"org_name_zh", who.org.name_zh}, {"role", ToString(who.account.role)},
           {"permissions", who.permissions}, {"expires", who.expires}};
  if (!csrf.empty()) out["csrf"] = csrf;
  return out.dump();
}

}  // namespace gpsi::report
