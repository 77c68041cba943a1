// GET /api/v1/runs (docs/api.md): the builds recorded in the store.
#include "detail/impl.hpp"
#include "report.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::SendError;
using detail::WantCsv;

void Server::Impl::Runs(const httplib::Request& req, httplib::Response& res) const {
  if (!CheckParams(req, res, {"format"})) return;
  auto csv = WantCsv(req, res);
  if (!csv) return;
  auto runs = engine::Runs(cfg.db_path);
  if (!runs) return SendError(res, runs.error().code, runs.error().message);
  if (*csv) return res.set_content(Csv(report::RunsTable(*runs)), "text/csv; charset=utf-8");
  res.set_content(report::RunsJson(*runs) + "\n", "application/json");
}

}  // namespace gpsi::server
