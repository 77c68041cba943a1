// POST /api/v1/whatif (docs/api.md).
#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::SendError;

void Server::Impl::WhatIf(const httplib::Request& req, httplib::Response& res) const {
  (void)req;
  SendError(res, 501, "not-implemented", "/api/v1/whatif is not implemented yet");
}

}  // namespace gpsi::server
