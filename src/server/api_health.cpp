// GET /api/v1/health (docs/api.md): the server is up, with the engine version and the run it serves.
#include "detail/impl.hpp"

namespace gpsi::server {

using detail::Json;

void Server::Impl::Health(const Request& /*req*/, Response& res) const {
  Json j{{"status", "ok"}, {"engine", std::string(Version())}, {"run", build.run_id}};
  res.SetContent(j.dump() + "\n", "application/json");
}

}  // namespace gpsi::server
