// The façade's one rule about exceptions: nothing throws across it.
#pragma once

#include "core.hpp"

namespace gpsi::engine::detail {

//! Runs the body of a façade function and returns a Failure it throws as that function's Result
//! (or Status): an exception ends an operation inside the engine and never reaches a front end.
template <class F>
auto Guarded(F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Failure& f) {
    return f.error();
  }
}

}  // namespace gpsi::engine::detail
