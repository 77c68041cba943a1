// Fuzz target: multipart/form-data (src/server/detail/form_data.hpp), the body of an upload with
// its descriptor. The input's first line is the Content-Type, the rest the body. Every input is
// fields or a usage error; nothing may throw or crash. Invariants: each field's bytes lie inside
// the body, and its name is not empty and not another field's.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "detail/form_data.hpp"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "form-data invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto eol = bytes.find('\n');
  const std::string_view type = bytes.substr(0, eol);
  const std::string_view body = eol == std::string_view::npos ? std::string_view() : bytes.substr(eol + 1);
  auto parts = gpsi::server::detail::ParseFormData(type, body);
  if (!parts) {
    Check(parts.error().code == gpsi::Errc::kUsage, "a refusal is a usage error");
    return 0;
  }
  std::set<std::string> names;
  for (const auto& p : *parts) {
    Check(p.content.data() >= body.data() && p.content.data() + p.content.size() <= body.data() + body.size(),
          "a field's bytes lie inside the body");
    Check(!p.name.empty() && names.insert(p.name).second, "a field's name is not empty and not repeated");
  }
  return 0;
}
