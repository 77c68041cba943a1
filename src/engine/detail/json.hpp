// The engine's JSON writers' shared pieces (risk sheets, project sheets, validation): one ordered
// JSON type, and NaN written as null (JSON has no NaN).
#pragma once

#include <nlohmann/json.hpp>

#include "core.hpp"

namespace gpsi::engine::detail {

using Json = nlohmann::ordered_json;

//! `v` as a JSON number, or null for NaN (a value that is not there).
inline Json JNum(double v) {
  return IsNa(v) ? Json(nullptr) : Json(v);
}

}  // namespace gpsi::engine::detail
