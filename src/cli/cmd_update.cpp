// placeholder
#include "commands.hpp"

namespace gpsi::cli {
void AddUpdate(CLI::App& app, Globals& g) {
  (void)app;
  (void)g;
}
}  // namespace gpsi::cli
