// Fuzz target: the HTTP request front of gpsi serve (src/server/detail/front.hpp) over arbitrary
// bytes: head screening, Beast's parser with gpsi's limits, the framing checks, and the decoding of
// the target (path, query) and headers. Every input is a request, a refusal, or "not whole yet";
// nothing may throw or crash. Invariants: a refusal's status is 400, 413 or 431 and its message is
// short; a request's decoded path and parameters are UTF-8, and its path starts with '/'. Then the
// member endpoints' credentials (auth.hpp): a cookie value is a piece of the Cookie header without
// ';', and a request either carries a secret or is answered 401 or 403.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "detail/auth.hpp"
#include "detail/front.hpp"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "http front invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpsi::server::detail;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto got = ParseOne(bytes);
  if (!got) return 0;
  if (const auto* r = std::get_if<Refusal>(&*got)) {
    int status = gpsi::Info(r->code).http_status;
    Check(status == 400 || status == 413 || status == 431, "a refusal is 400, 413 or 431");
    Check(r->message.size() < 300, "a refusal's message is short");
    return 0;
  }
  const auto& req = std::get<Request>(*got);
  Check(!req.path.empty() && req.path[0] == '/', "the path starts with /");
  Check(gpsi::ValidUtf8(req.path), "the path is UTF-8");
  for (const auto& [k, v] : req.params) Check(gpsi::ValidUtf8(k) && gpsi::ValidUtf8(v), "parameters are UTF-8");
  const bool upload = req.method == "POST" && req.path == "/api/v1/submissions" &&
                      (!req.Header("Authorization").empty() || !req.Header("Cookie").empty());
  Check(req.body.size() <= (upload ? kUploadMax : kBodyMax), "the body is within the limit");

  const std::string cookie = CookieValue(req, SessionCookieName(false));
  Check(cookie.find(';') == std::string::npos, "a cookie value has no ';'");
  Check(req.Header("Cookie").find(cookie) != std::string::npos, "a cookie value is a piece of the header");
  for (bool secure : {false, true}) {
    Response res;
    const auto secret = Credential(req, res, secure);
    Check(secret ? res.status == 0 : res.status == 401 || res.status == 403, "a secret, or 401 or 403");
  }
  return 0;
}
