// The method module's TOML files (methods, validation plans): parsing and located kBadMethod errors.
#pragma once

#include <toml++/toml.h>

#include <string>

#include "core.hpp"

namespace gpsi::method::detail {

//! A kBadMethod error, located at `at` when that node came from the file (line 0 = no location).
inline Error Bad(const std::string& origin, const std::string& message, const toml::node* at = nullptr) {
  Error e{Errc::kBadMethod, message, origin};
  if (at && at->source().begin.line > 0) {
    e.line = at->source().begin.line;
    e.column = at->source().begin.column;
  }
  return e;
}

//! The same, located at a key (for unknown keys: the key, not its value, is the mistake).
inline Error BadKey(const std::string& origin, const std::string& message, const toml::key& key) {
  Error e{Errc::kBadMethod, message, origin};
  if (key.source().begin.line > 0) {
    e.line = key.source().begin.line;
    e.column = key.source().begin.column;
  }
  return e;
}

//! `text` parsed as TOML; a syntax error is kBadMethod at its place in `origin`.
inline Result<toml::table> ParseToml(const std::string& text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return Error{Errc::kBadMethod, std::string(e.description()), origin,
                 static_cast<std::int64_t>(e.source().begin.line), static_cast<std::int64_t>(e.source().begin.column)};
  }
}

}  // namespace gpsi::method::detail
