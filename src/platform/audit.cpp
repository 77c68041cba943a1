// The append-only audit log: each entry holds the hash of the one before, so an entry edited,
// removed, inserted or moved breaks the chain from there on (the scheme of Crosby & Wallach's
// tamper-evident logs, in its simple linear form).
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "platform.hpp"

namespace gpsi::platform {

std::string AuditHash(const AuditEntry& e) {
  // A JSON array fixes field boundaries: no two different entries serialise to the same text.
  const nlohmann::json fields = {e.seq,    e.at,     e.actor,  e.org,   e.origin,
                                 e.action, e.target, e.before, e.after, e.prev_hash};
  return Sha256Hex(fields.dump());
}

void AppendAudit(Store& store, const Actor& actor, std::string action, std::string target, std::string before,
                 std::string after) {
  const auto last = store.LastAudit();
  AuditEntry e;
  e.seq = last ? last->seq + 1 : 1;
  e.at = NowUtc();
  e.actor = actor.login, e.org = actor.org, e.origin = actor.origin;
  e.action = std::move(action), e.target = std::move(target);
  e.before = std::move(before), e.after = std::move(after);
  e.prev_hash = last ? last->hash : std::string(kAuditGenesis);
  e.hash = AuditHash(e);
  store.AppendAudit(e);
}

namespace {

//! "SEQ:HASH" as written by `gpsi audit-log verify`.
Result<std::pair<std::int64_t, std::string>> ParseHead(const std::string& text) {
  const auto colon = text.find(':');
  std::int64_t seq = 0;
  const char* end = text.data() + (colon == std::string::npos ? 0 : colon);
  if (colon == std::string::npos || std::from_chars(text.data(), end, seq).ptr != end || seq < 1 ||
      text.size() - colon - 1 != 64) {
    return Error{Errc::kUsage,
                 fmt::format("--expect-head takes SEQ:HASH as printed by audit-log verify, not '{}'", text)};
  }
  return std::make_pair(seq, text.substr(colon + 1));
}

}  // namespace

Result<AuditCheck> VerifyAudit(Store& store, const std::string& expect_head) {
  std::optional<std::pair<std::int64_t, std::string>> head;
  if (!expect_head.empty()) {
    auto parsed = ParseHead(expect_head);
    if (!parsed) return parsed.error();
    head = *parsed;
  }
  AuditCheck check;
  std::string prev(kAuditGenesis);
  bool head_seen = false;
  auto fail = [&check](std::int64_t seq, std::string problem) {
    check.ok = false, check.bad_seq = seq, check.problem = std::move(problem);
  };
  store.AuditEntries(0, [&](const AuditEntry& e) {
    ++check.entries;
    if (!check.ok) return;
    if (e.seq != check.entries) {
      fail(e.seq, fmt::format("entry {} stands where entry {} should: an entry before it was removed or moved", e.seq,
                              check.entries));
    } else if (e.prev_hash != prev) {
      fail(e.seq, "its link to the entry before does not match: an entry before it was removed, inserted or moved");
    } else if (AuditHash(e) != e.hash) {
      fail(e.seq, "its content does not match its hash: the entry was edited");
    } else if (head && e.seq == head->first) {
      head_seen = true;
      if (e.hash != head->second) fail(e.seq, "it differs from the expected head: the log was rewritten up to it");
    }
    prev = e.hash;
    check.head_seq = e.seq, check.head_hash = e.hash;
  });
  if (check.ok && head && !head_seen) {
    fail(check.head_seq + 1, fmt::format("the log ends at entry {}, before the expected head {}: entries were cut",
                                         check.head_seq, head->first));
  }
  return check;
}

}  // namespace gpsi::platform
