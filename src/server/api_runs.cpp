// GET /api/v1/runs (docs/api.md): the builds recorded in the store.
#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::SendError;
using detail::WantCsv;

void Server::Impl::Runs(const httplib::Request& req, httplib::Response& res) const {
  if (!CheckParams(req, res, {"format"})) return;
  auto csv = WantCsv(req, res);
  if (!csv) return;
  auto runs = engine::Runs(cfg.db_path);
  if (!runs) return SendError(res, runs.error().code, runs.error().message);
  std::string text;
  Json rows = Json::array();
  for (const auto& f : engine::RunFields(RunRecord{})) text += (text.empty() ? "" : ",") + f.first;
  text += '\n';
  for (const auto& r : *runs) {
    Json row = Json::object();
    std::string line;
    for (auto& [k, v] : engine::RunFields(r)) {
      line += (line.empty() ? "" : ",") + CsvField(v);
      row[k] = v;
    }
    text += line + '\n';
    rows.push_back(std::move(row));
  }
  if (*csv) return res.set_content(text, "text/csv; charset=utf-8");
  res.set_content(Json{{"runs", rows}}.dump() + "\n", "application/json");
}

}  // namespace gpsi::server
