// GET /api/v1/openapi.json: the OpenAPI 3 document of the API (docs/api.md).
#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::SendError;

void Server::Impl::OpenApi(const httplib::Request& req, httplib::Response& res) const {
  (void)req;
  SendError(res, 501, "not-implemented", "/api/v1/openapi.json is not implemented yet");
}

}  // namespace gpsi::server
