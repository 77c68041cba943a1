// gpsi audit-log verify|show: the sharing platform's append-only, hash-chained audit log.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {

void AddAuditLog(CLI::App& app, Globals& g) {
  auto* log = app.add_subcommand("audit-log", "the platform's append-only audit log (docs/platform.md)");
  log->require_subcommand(1);

  auto* verify = log->add_subcommand("verify", "check the hash chain: any edited, deleted or reordered entry fails");
  auto head = std::make_shared<std::string>();
  verify->add_option("--expect-head", *head, "SEQ:HASH printed by an earlier verify: also finds a cut tail");
  verify->callback([&g, head] {
    auto check = engine::VerifyAuditLog(g.db, *head);
    if (!check) return Report(g, check.error());
    if (g.json) {
      fmt::print("{}\n", nlohmann::json{{"ok", check->ok},
                                        {"entries", check->entries},
                                        {"bad_seq", check->bad_seq},
                                        {"problem", check->problem},
                                        {"head", fmt::format("{}:{}", check->head_seq, check->head_hash)}}
                             .dump());
    } else if (check->ok) {
      fmt::print("audit log ok: {} entries, head {}:{}\n", check->entries, check->head_seq, check->head_hash);
    }
    if (!check->ok) {
      Report(g, Error{Errc::kAuditBroken, fmt::format("audit log entry {}: {}", check->bad_seq, check->problem), g.db});
    }
  });

  auto* show = log->add_subcommand("show", "print audit entries, oldest first");
  auto from = std::make_shared<std::int64_t>(1);
  auto target = std::make_shared<std::string>();
  show->add_option("--from", *from, "first entry (seq)");
  show->add_option("--target", *target, "only entries about this target, e.g. org:us-fbi or user:alice");
  show->callback([&g, from, target] {
    auto entries = engine::AuditLog(g.db, *from, *target);
    if (!entries) return Report(g, entries.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *entries) {
      if (g.json) {
        out.push_back(
            {{"seq", e.seq},
             {"at", e.at},
             {"actor", e.actor},
             {"org", e.org},
             {"origin", e.origin},
             {"action", e.action},
             {"target", e.target},
             {"before", e.before.empty() ? nlohmann::json() : nlohmann::json::parse(e.before, nullptr, false)},
             {"after", e.after.empty() ? nlohmann::json() : nlohmann::json::parse(e.after, nullptr, false)},
             {"prev_hash", e.prev_hash},
             {"hash", e.hash}});
      } else {
        fmt::print("{:>6}  {}  {:<14} {:<24} {}  ({})\n", e.seq, e.at, e.action, e.target, e.actor, e.origin);
      }
    }
    if (g.json) fmt::print("{}\n", out.dump());
  });
}

}  // namespace gpsi::cli
