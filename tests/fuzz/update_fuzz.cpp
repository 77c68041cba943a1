// Fuzz target: the publisher API response parsers of `gpsi update` (gpsi::ParseApiResponse) over
// arbitrary bytes, as WHO GHO OData, World Bank API v2 and UN SDG API pages, the SDG GeoArea tree
// or gpsi page bundles.
// Besides crashes and sanitizer reports it checks that a failure is kBadResponse with a message,
// and that an accepted response is a header line plus one CSV line per record at least (quoted
// fields may span lines), with pages 1…N of N when completeness is required.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ingest.hpp"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "update invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const char* layout : {"who-odata", "wb-api", "sdg-api", "sdg-geoarea-tree"}) {
    for (bool complete : {true, false}) {
      auto r = gpsi::ParseApiResponse(bytes, layout, complete);
      if (!r) {
        Check(r.error().code == gpsi::Errc::kBadResponse, "failures are kBadResponse");
        Check(!r.error().message.empty(), "failures say why");
        continue;
      }
      std::int64_t lines = 0;
      for (char c : r->csv) lines += c == '\n';
      Check(lines >= 1 + r->records, "a header and a line per record");
      Check(r->pages >= 1, "at least one page");
      if (complete) Check(r->pages == std::max(1, r->pages_declared), "complete responses have every page");
      Check(r->last_updated.empty() || r->last_updated.size() == 10, "release is a date");
    }
  }
  return 0;
}
