// gpsi token create|revoke|list: API tokens. A new token's secret is printed once, alone on
// standard output (or as "secret" with --json); the store keeps its SHA-256 and last 8 characters.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "engine.hpp"
#include "report.hpp"

namespace gpsi::cli {
namespace {

void PrintToken(const TokenRecord& t) {
  fmt::print("…{}  {:<20} {:<28} expires {}{}{}\n", t.suffix, t.login, fmt::format("{}", fmt::join(t.scopes, ",")),
             t.expires, t.revoked.empty() ? "" : "  revoked " + t.revoked, t.label.empty() ? "" : "  " + t.label);
}

}  // namespace

void AddToken(CLI::App& app, Globals& g) {
  auto* token = app.add_subcommand("token", "API tokens of the sharing platform (docs/platform.md)");
  token->require_subcommand(1);

  auto* create = token->add_subcommand("create", "issue a token to a user; its secret is shown once");
  auto login = std::make_shared<std::string>();
  auto scopes = std::make_shared<std::vector<std::string>>();
  auto days = std::make_shared<int>(90);
  auto label = std::make_shared<std::string>();
  create->add_option("login", *login, "the user it acts as")->required();
  create->add_option("--scope", *scopes, "permissions it carries (default: all of the user's role)");
  create->add_option("--days", *days, "days it lives (default 90, at most 366)");
  create->add_option("--label", *label, "what it is for");
  create->callback([&g, login, scopes, days, label] {
    auto t = engine::IssueToken(g.db, engine::CliActor(), *login, *scopes, *days, *label);
    if (!t) return Report(g, t.error());
    if (g.json) return fmt::print("{}\n", report::TokenJson(t->record, t->secret));
    fmt::print("{}\n", t->secret);
    fmt::print(stderr, "token …{} for {} ({}), expires {}: shown once, keep it secret\n", t->record.suffix,
               t->record.login, fmt::join(t->record.scopes, ","), t->record.expires);
  });

  auto* revoke = token->add_subcommand("revoke", "revoke a token by its last 8 characters");
  auto suffix = std::make_shared<std::string>();
  revoke->add_option("suffix", *suffix, "the token's last 8 characters (after --: gpsi token revoke -- -k3v9_Qa)")
      ->required();
  revoke->callback([&g, suffix] {
    auto t = engine::RevokeToken(g.db, engine::CliActor(), *suffix);
    if (!t) return Report(g, t.error());
    if (g.json) return fmt::print("{}\n", report::TokenJson(*t));
    PrintToken(*t);
  });

  auto* list = token->add_subcommand("list", "list tokens (never their secrets)");
  auto user = std::make_shared<std::string>();
  list->add_option("--user", *user, "only this user's");
  list->callback([&g, user] {
    auto tokens = engine::Tokens(g.db);
    if (!tokens) return Report(g, tokens.error());
    std::erase_if(*tokens, [&](const TokenRecord& t) { return !user->empty() && t.login != *user; });
    if (g.json) return fmt::print("{}\n", report::TokensJson(*tokens));
    for (const auto& t : *tokens) PrintToken(t);
  });
}

}  // namespace gpsi::cli
