// GET /api/v1/openapi.json: the OpenAPI 3 document of the API (src/server/openapi.json, compiled in
// by src/server/CMakeLists.txt; docs/api.md), with info.version set to the engine's.
#include <string>
#include <string_view>

#include "detail/impl.hpp"

namespace gpsi::server {

namespace detail {
extern const std::string_view kOpenApiJson;  // generated openapi_json.cpp
}  // namespace detail

using detail::CheckParams;
using detail::Json;

namespace {

//! The served text: the compiled-in document, parsed once (it is checked JSON at test time) and
//! stamped with the engine's version.
const std::string& OpenApiText() {
  static const std::string text = [] {
    Json doc = Json::parse(detail::kOpenApiJson);
    doc["info"]["version"] = std::string(Version());
    return doc.dump() + "\n";
  }();
  return text;
}

}  // namespace

void Server::Impl::OpenApi(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {})) return;
  res.SetContent(OpenApiText(), "application/json");
}

}  // namespace gpsi::server
