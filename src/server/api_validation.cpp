// GET /api/v1/validation: the validation of the published method version (`gpsi validate`'s
// validation.json, given to `gpsi serve --validation DIR`; docs/validation.md, docs/api.md).
#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::SendError;

void Server::Impl::Validation(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {})) return;
  if (pub.validation_json.empty()) {
    return SendError(
        res, Errc::kNotPublished,
        "no validation is published: start gpsi serve with --validation DIR (a gpsi validate --out folder)");
  }
  res.SetContent(pub.validation_json, "application/json");
}

}  // namespace gpsi::server
