// gpsi user add|set|disable|enable|list: accounts of the sharing platform. Passwords are read from
// standard input (--password-stdin), never from the command line, where `ps` would show them.
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "engine.hpp"
#include "report.hpp"

namespace gpsi::cli {
namespace {

struct UserOptions {
  std::string login, org, role, name;
  bool password_stdin = false;
};

//! The first line of standard input, without its line end, when `wanted`.
std::optional<std::string> StdinPassword(bool wanted) {
  if (!wanted) return std::nullopt;
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void PrintUser(const Globals& g, const Account& a) {
  if (g.json) return fmt::print("{}\n", report::AccountJson(a));
  fmt::print("{:<20} {:<16} {:<17} {}{}{}\n", a.login, a.org, ToString(a.role), a.name,
             a.password.empty() ? "  (no password)" : "", a.disabled.empty() ? "" : "  (disabled " + a.disabled + ")");
}

void Done(Globals& g, const Result<Account>& r) {
  if (!r) return Report(g, r.error());
  PrintUser(g, r.value());
}

Result<Role> RoleOf(const std::string& text) {
  const auto role = ParseRole(text);
  if (!role) {
    return Error{Errc::kUsage, "--role: admin, secretariat, member-submitter, member-approver or reader, not " + text};
  }
  return *role;
}

void AddUserSwitch(CLI::App& user, Globals& g, const char* name, bool disable) {
  auto* cmd = user.add_subcommand(
      name, disable ? "disable an account (its tokens stop working)" : "enable an account, clearing a login lockout");
  auto login = std::make_shared<std::string>();
  cmd->add_option("login", *login, "login")->required();
  cmd->callback([&g, login, disable] {
    auto edit = [disable](Account& a) -> Status {
      SetDisabled(a, disable, NowUtc());
      return Ok();
    };
    Done(g, engine::ChangeAccount(g.db, engine::CliActor(), *login, edit, std::nullopt));
  });
}

}  // namespace

void AddUser(CLI::App& app, Globals& g) {
  auto* user = app.add_subcommand("user", "accounts of the sharing platform (docs/platform.md)");
  user->require_subcommand(1);

  auto* add = user->add_subcommand("add", "add an account");
  auto o = std::make_shared<UserOptions>();
  add->add_option("login", o->login, "login: 2-64 of a-z, 0-9 and '-'")->required();
  add->add_option("--org", o->org, "its organisation's key")->required();
  add->add_option("--role", o->role, "admin, secretariat, member-submitter, member-approver or reader")->required();
  add->add_option("--name", o->name, "the person's name");
  add->add_flag("--password-stdin", o->password_stdin, "read a password (12-128 characters) from standard input");
  add->callback([&g, o] {
    const auto role = RoleOf(o->role);
    if (!role) return Report(g, role.error());
    Account a;
    a.login = o->login, a.org = o->org, a.role = role.value(), a.name = o->name;
    Done(g, engine::AddAccount(g.db, engine::CliActor(), a, StdinPassword(o->password_stdin)));
  });

  auto* set = user->add_subcommand("set", "change an account's role, name or password");
  auto s = std::make_shared<UserOptions>();
  set->add_option("login", s->login, "login")->required();
  set->add_option("--role", s->role, "new role");
  set->add_option("--name", s->name, "the person's name");
  set->add_flag("--password-stdin", s->password_stdin, "read a new password from standard input");
  set->callback([&g, s] {
    std::optional<Role> role;
    if (!s->role.empty()) {
      auto r = RoleOf(s->role);
      if (!r) return Report(g, r.error());
      role = *r;
    }
    auto edit = [&](Account& a) -> Status {
      if (role) a.role = *role;
      if (!s->name.empty()) a.name = s->name;
      return Ok();
    };
    Done(g, engine::ChangeAccount(g.db, engine::CliActor(), s->login, edit, StdinPassword(s->password_stdin)));
  });

  AddUserSwitch(*user, g, "disable", true);
  AddUserSwitch(*user, g, "enable", false);

  auto* list = user->add_subcommand("list", "list accounts");
  auto org = std::make_shared<std::string>();
  list->add_option("--org", *org, "only this organisation's");
  list->callback([&g, org] {
    auto users = engine::Accounts(g.db);
    if (!users) return Report(g, users.error());
    std::erase_if(*users, [&](const Account& a) { return !org->empty() && a.org != *org; });
    if (g.json) return fmt::print("{}\n", report::AccountsJson(*users));
    for (const auto& a : *users) PrintUser(g, a);
  });
}

}  // namespace gpsi::cli
