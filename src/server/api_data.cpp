// /api/v1/meta, /units/{ISO3}, /compare and /download/{table} (docs/api.md).
#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::SendError;

void Server::Impl::Meta(const httplib::Request& req, httplib::Response& res) const {
  (void)req;
  SendError(res, 501, "not-implemented", "/api/v1/meta is not implemented yet");
}

void Server::Impl::Profile(const httplib::Request& req, httplib::Response& res) const {
  (void)req;
  SendError(res, 501, "not-implemented", "/api/v1/units/{ISO3} is not implemented yet");
}

void Server::Impl::Compare(const httplib::Request& req, httplib::Response& res) const {
  (void)req;
  SendError(res, 501, "not-implemented", "/api/v1/compare is not implemented yet");
}

void Server::Impl::Download(const httplib::Request& req, httplib::Response& res) const {
  (void)req;
  SendError(res, 501, "not-implemented", "/api/v1/download/{table} is not implemented yet");
}

}  // namespace gpsi::server
