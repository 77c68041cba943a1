// GET /api/v1/runs (docs/api.md): the builds recorded in the store, their output folders by name only.
#include <filesystem>

#include "detail/impl.hpp"
#include "report.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::SendError;
using detail::WantCsv;

namespace {

//! The last component of a folder path ("out/gpsi/" → "gpsi"), "" for none.
std::string FolderName(const std::string& path) {
  const std::filesystem::path p = std::filesystem::path(path).lexically_normal();
  return (p.has_filename() ? p.filename() : p.parent_path().filename()).string();
}

}  // namespace

void Server::Impl::Runs(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {"format"})) return;
  auto csv = WantCsv(req, res);
  if (!csv) return;
  auto runs = engine::Runs(cfg.db_path);
  if (!runs) return SendError(res, runs.error().code, runs.error().message);
  // The output folder by its name only: the server's file layout is not the public's to see.
  for (auto& r : *runs) r.out_dir = FolderName(r.out_dir);
  if (*csv) return res.SetContent(Csv(report::RunsTable(*runs)), "text/csv; charset=utf-8");
  res.SetContent(report::RunsJson(*runs) + "\n", "application/json");
}

}  // namespace gpsi::server
