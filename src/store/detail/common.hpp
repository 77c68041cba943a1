// What the two backends of the Store share: the waiting rule for writers, the words for a store
// this process may not write, and the one-column lists.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace gpsi::detail {

//! How long a writer waits for another to finish before giving up (SQLite's busy timeout, the
//! PostgreSQL store's lock_timeout on its write lock).
inline constexpr int kBusyTimeoutMs = 30000;

//! What to do about a command that writes to a store it may not write.
inline constexpr std::string_view kWritesHint =
    "this command writes to the store: run it as a user who may write the store and its folder, or on a "
    "writable copy (the commands that only read it, such as units, show, export, runs and serve, need no write "
    "access)";

//! Lists kept in one column (agreement indicators, token scopes): comma-separated, as their items
//! (codes, permission names) never hold a comma.
inline std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}
inline std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t comma = std::min(text.find(',', at), text.size());
    out.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

}  // namespace gpsi::detail
