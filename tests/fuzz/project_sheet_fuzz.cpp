// Fuzz target: a kept project risk sheet read back (gpsi::engine::ProjectSheetFromJson) from
// arbitrary text, as the API reads the store's risk_projects.sheet. A text is read or refused with
// kBadProject; nothing may throw. A sheet that reads must write JSON that reads back to the same
// bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine.hpp"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "project sheet invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto r = gpsi::engine::ProjectSheetFromJson(text);
  if (!r) {
    Check(r.error().code == gpsi::Errc::kBadProject && !r.error().message.empty(), "a bad sheet is kBadProject");
    return 0;
  }
  const std::string json = gpsi::engine::ProjectSheetJson(*r);
  auto again = gpsi::engine::ProjectSheetFromJson(json);
  Check(again.ok(), "a written sheet reads");
  Check(gpsi::engine::ProjectSheetJson(*again) == json, "a written sheet reads back to its bytes");
  return 0;
}
