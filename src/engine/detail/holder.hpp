// How the façade's member and campaign calls reach the store: opened once per call under the
// exception rule, and acting for the holder of a token or session secret.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "built.hpp"
#include "guard.hpp"
#include "platform.hpp"

namespace gpsi::engine::detail {

//! Runs `fn` on the store at `db_path` opened with `access`, under the façade's exception rule.
template <class Fn>
auto WithStore(const std::string& db_path, StoreAccess access, Fn&& fn) -> decltype(fn(std::declval<Store&>())) {
  return Guarded([&]() -> decltype(fn(std::declval<Store&>())) {
    auto store = OpenExisting(db_path, access);
    if (!store) return store.error();
    return fn(**store);
  });
}

//! The access to open the store with for a request holding `secret`: a session's use moves its
//! end (platform::KeepAlive), so a session writes even where a token only reads.
inline StoreAccess AccessFor(std::string_view secret, StoreAccess access) {
  return secret.starts_with(platform::kSessionPrefix) ? StoreAccess::kWrite : access;
}

//! The principal of `token` now, and the actor it makes from `origin`.
inline Result<std::pair<platform::Principal, Actor>> Holder(Store& store, const std::string& token,
                                                            const std::string& origin) {
  auto who = platform::Authenticate(store, token, NowUtc());
  if (!who) return who.error();
  Actor actor{who->account.login, who->org.key, origin};
  return std::make_pair(std::move(*who), std::move(actor));
}

}  // namespace gpsi::engine::detail
