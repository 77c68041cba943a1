// GET /api/v1/scores (docs/api.md): scores, ranks and intervals of a year and node, as JSON or CSV.
#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::SendError;
using detail::WantCsv;

void Server::Impl::Scores(const httplib::Request& req, httplib::Response& res) const {
  if (!CheckParams(req, res, {"year", "code", "region", "format"})) return;
  auto csv = WantCsv(req, res);
  if (!csv) return;
  int year = years.empty() ? 0 : *years.rbegin();
  if (req.has_param("year")) {
    std::string s = req.get_param_value("year");
    int y = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), y);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
      return SendError(res, Errc::kUsage, fmt::format("year must be an integer, not '{}'", s));
    }
    if (years.count(y) == 0) {
      return SendError(res, Errc::kUsage, fmt::format("the build has no year {}", y));
    }
    year = y;
  }
  const auto& nodes = build.method.nodes;
  std::size_t node = nodes.size() - 1;  // the index is the last node
  if (req.has_param("code")) {
    std::string c = req.get_param_value("code");
    auto it = std::find_if(nodes.begin(), nodes.end(), [&](const method::Node& n) { return n.code == c; });
    if (it == nodes.end()) {
      return SendError(res, Errc::kUsage, fmt::format("'{}' is not a node of method {}", c, build.method.id));
    }
    node = static_cast<std::size_t>(it - nodes.begin());
  }
  std::string region;
  if (req.has_param("region")) {
    region = req.get_param_value("region");
    bool known = std::any_of(units.begin(), units.end(), [&](const auto& kv) {
      return !region.empty() && (kv.second.region_name == region || kv.second.region_code == region);
    });
    if (!known) return SendError(res, Errc::kUsage, fmt::format("'{}' is not a known M49 region", region));
  }
  const std::size_t nn = nodes.size();
  const std::string& code = nodes[node].code;
  std::string text = "year,unit,code,level,value,rank,flags\n";
  Json rows = Json::array();
  for (std::size_t r = 0; r < build.row_unit.size(); ++r) {
    if (build.row_year[r] != year) continue;
    if (!region.empty()) {
      auto it = units.find(build.row_unit[r]);
      if (it == units.end() || (it->second.region_name != region && it->second.region_code != region)) continue;
    }
    double v = build.scores(r, node);
    int rank = build.ranks[node][r];
    const std::string& flags = build.flags[r * nn + node];
    std::string y = build.has_years ? std::to_string(year) : std::string();
    text += fmt::format("{},{},{},{},{},{},{}\n", y, build.row_unit[r], code, nodes[node].level, CsvNumber(v),
                        rank > 0 ? std::to_string(rank) : std::string(), flags);
    Json row{{"year", build.has_years ? Json(year) : Json(nullptr)},
             {"unit", build.row_unit[r]},
             {"code", code},
             {"level", nodes[node].level},
             {"value", compute::IsNa(v) ? Json(nullptr) : Json(v)},
             {"rank", rank > 0 ? Json(rank) : Json(nullptr)},
             {"flags", flags}};
    AddInterval(row, r, node);  // p05, median, p95 (JSON only: the CSV keeps scores.csv's columns)
    rows.push_back(std::move(row));
  }
  if (*csv) return res.set_content(text, "text/csv; charset=utf-8");
  Json j{{"run", build.run_id}, {"year", year}, {"code", code}, {"rows", rows}};
  if (!region.empty()) j["region"] = region;
  res.set_content(j.dump() + "\n", "application/json");
}

}  // namespace gpsi::server
