// What `gpsi serve` publishes (engine::Publish): see engine.hpp.
#include "engine.hpp"

namespace gpsi::engine {}  // namespace gpsi::engine
