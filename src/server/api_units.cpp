// GET /api/v1/units (docs/api.md): every unit of the build, as JSON or CSV.
#include <algorithm>

#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::WantCsv;

void Server::Impl::Units(const httplib::Request& req, httplib::Response& res) const {
  if (!CheckParams(req, res, {"format"})) return;
  auto csv = WantCsv(req, res);
  if (!csv) return;
  std::string text = "code,name_en,name_zh,iso3,m49,region_code,region\n";
  Json rows = Json::array();
  for (const auto& code : scored) {
    auto it = units.find(code);
    Unit u = it != units.end() ? it->second : Unit{};
    if (it == units.end()) u.code = code;
    if (u.name_en.empty()) {
      // A unit the store does not describe still carries the build's name.
      auto r = std::find(build.row_unit.begin(), build.row_unit.end(), code) - build.row_unit.begin();
      u.name_en = build.row_name[static_cast<std::size_t>(r)];
    }
    text += fmt::format("{},{},{},{},{},{},{}\n", CsvField(u.code), CsvField(u.name_en), CsvField(u.name_zh),
                        CsvField(u.iso3), CsvField(u.m49), CsvField(u.region_code), CsvField(u.region_name));
    rows.push_back(detail::UnitJson(u, false));
  }
  if (*csv) return res.set_content(text, "text/csv; charset=utf-8");
  res.set_content(Json{{"units", rows}}.dump() + "\n", "application/json");
}

}  // namespace gpsi::server
