// Fuzz target: the source-descriptor parser (gpsi::ParseDescriptor, TOML) over arbitrary text. A
// descriptor is accepted or rejected with kBadDescriptor and a location; nothing may throw. An
// accepted descriptor's file-name globs are also run through MatchDescriptor.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "ingest.hpp"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "descriptor invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = gpsi::ParseDescriptor(text, "fuzz.toml");
  if (!d) {
    const gpsi::Error& e = d.error();
    Check(e.code == gpsi::Errc::kBadDescriptor, "a bad descriptor is kBadDescriptor");
    Check(e.file == "fuzz.toml" && e.line >= 0 && e.column >= 0, "errors name the descriptor");
    Check(!e.Format().empty(), "errors format");
    return 0;
  }
  Check(!d->match_files.empty(), "an accepted descriptor matches some files");
  if (d->ingest) Check(d->source.tier >= 1 && d->source.tier <= 4, "tier 1..4");
  std::vector<gpsi::Descriptor> all{*d};
  gpsi::MatchDescriptor(all, "some/folder/file.csv");
  gpsi::MatchDescriptor(all, "");
  return 0;
}
