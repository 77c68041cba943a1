// GET /api/v1/units (docs/api.md): every unit of the build, as JSON or CSV.
#include <algorithm>

#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::WantCsv;

void Server::Impl::Units(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {"format"})) return;
  auto csv = WantCsv(req, res);
  if (!csv) return;
  Table table;
  table.Header({"code", "name_en", "name_zh", "iso3", "m49", "region_code", "region"});
  Json rows = Json::array();
  for (const auto& code : scored) {
    auto it = units.find(code);
    Unit u = it != units.end() ? it->second : Unit{};
    if (it == units.end()) u.code = code;
    if (u.name_en.empty()) {
      // A unit the store does not describe still carries the build's name.
      u.name_en = build.panel.row(build.panel.RowsOf(code).front()).name;
    }
    table.Add(TableCell::Text(u.code), TableCell::Text(u.name_en), TableCell::Text(u.name_zh), TableCell::Text(u.iso3),
              TableCell::Text(u.m49), TableCell::Text(u.region_code), TableCell::Text(u.region_name));
    rows.push_back(detail::UnitJson(u, false));
  }
  if (*csv) return res.SetContent(Csv(table), "text/csv; charset=utf-8");
  res.SetContent(Json{{"units", rows}}.dump() + "\n", "application/json");
}

}  // namespace gpsi::server
