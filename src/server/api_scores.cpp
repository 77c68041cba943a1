// GET /api/v1/scores (docs/api.md): scores, ranks and intervals of a year and node, as JSON or CSV.
#include <algorithm>

#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::SendError;
using detail::WantCsv;
using detail::YearParam;

void Server::Impl::Scores(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {"year", "code", "region", "format"})) return;
  auto csv = WantCsv(req, res);
  if (!csv) return;
  const auto chosen = YearParam(req, res, years);
  if (!chosen) return;
  const int year = *chosen;
  const auto& nodes = build.method.nodes;
  const ScoreTable& t = build.scores;
  const Panel& p = build.panel;
  std::size_t node = build.method.top();
  if (req.HasParam("code")) {
    std::string c = req.Param("code");
    auto col = t.Column(c);
    if (!col) return SendError(res, Errc::kUsage, fmt::format("'{}' is not a node of method {}", c, build.method.id));
    node = *col;
  }
  std::string region;
  if (req.HasParam("region")) {
    region = req.Param("region");
    bool known = std::any_of(units.begin(), units.end(), [&](const auto& kv) {
      return !region.empty() && (kv.second.region_name == region || kv.second.region_code == region);
    });
    if (!known) return SendError(res, Errc::kUsage, fmt::format("'{}' is not a known M49 region", region));
  }
  const std::string& code = nodes[node].code;
  Table table;
  table.Header({"year", "unit", "code", "level", "value", "rank", "flags"});  // scores.csv's columns
  Json rows = Json::array();
  for (std::size_t r = 0; r < p.rows(); ++r) {
    const UnitYear& key = p.row(r);
    if (key.year != year) continue;
    if (!region.empty()) {
      auto it = units.find(key.unit);
      if (it == units.end() || (it->second.region_name != region && it->second.region_code != region)) continue;
    }
    const double v = t.value(r, node);
    const int rank = t.rank(r, node);
    const std::string& flags = t.flags(r, node);
    table.Add(p.has_years() ? TableCell::Int(year) : TableCell{}, TableCell::Text(key.unit), TableCell::Text(code),
              TableCell::Int(nodes[node].level), TableCell::Real(v), TableCell::Positive(rank), TableCell::Text(flags));
    Json row{{"year", p.has_years() ? Json(year) : Json(nullptr)},
             {"unit", key.unit},
             {"code", code},
             {"level", nodes[node].level},
             {"value", IsNa(v) ? Json(nullptr) : Json(v)},
             {"rank", rank > 0 ? Json(rank) : Json(nullptr)},
             {"flags", flags}};
    AddInterval(row, r, node);  // p05, median, p95 (JSON only: the CSV keeps scores.csv's columns)
    rows.push_back(std::move(row));
  }
  if (*csv) return res.SetContent(Csv(table), "text/csv; charset=utf-8");
  Json j{{"run", build.run_id}, {"year", year}, {"code", code}, {"rows", rows}};
  if (!region.empty()) j["region"] = region;
  res.SetContent(j.dump() + "\n", "application/json");
}

}  // namespace gpsi::server
