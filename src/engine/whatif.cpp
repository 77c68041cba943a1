// Weights changed in memory (engine::WhatIf): see engine.hpp.
#include "engine.hpp"

namespace gpsi::engine {}  // namespace gpsi::engine
