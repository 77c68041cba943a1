// GET /api/v1/compare (docs/api.md): up to five units side by side in one year, with their
// index series.
#include <sstream>

#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::NumOrNull;
using detail::RankOrNull;
using detail::SendError;
using detail::Upper;
using detail::WantCsv;
using detail::YearParam;

void Server::Impl::Compare(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {"units", "year", "format"})) return;
  auto csv = WantCsv(req, res);
  if (!csv) return;
  auto year = YearParam(req, res, years);
  if (!year) return;
  if (!req.HasParam("units")) return SendError(res, Errc::kUsage, "give units=ISO3,… (1 to 5 units)");
  std::vector<std::string> codes;
  {
    std::string list = req.Param("units");
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) {
      auto k = unit_key.find(Upper(item));
      if (k == unit_key.end()) return SendError(res, Errc::kUsage, fmt::format("no unit '{}' in the build", item));
      if (std::find(codes.begin(), codes.end(), k->second) != codes.end()) {
        return SendError(res, Errc::kUsage, fmt::format("unit '{}' is given more than once", item));
      }
      codes.push_back(k->second);
    }
    if (!list.empty() && list.back() == ',') return SendError(res, Errc::kUsage, "units ends with an empty item");
    if (codes.empty() || codes.size() > 5) {
      return SendError(res, Errc::kUsage, fmt::format("give 1 to 5 units, not {}", codes.size()));
    }
  }
  const auto& b = build;
  const auto& m = b.method;
  const Panel& p = b.panel;
  const ScoreTable& t = b.scores;
  const std::size_t top = m.top();
  std::vector<std::size_t> nodes{top};
  nodes.insert(nodes.end(), m.nodes[top].children.begin(), m.nodes[top].children.end());
  Json node_codes = Json::array();
  for (auto i : nodes) node_codes.push_back(m.nodes[i].code);
  Table table;
  table.Header({"year", "unit", "code", "value", "rank", "p05", "median", "p95"});
  Json out_units = Json::array();
  for (const auto& code : codes) {
    const Unit* u = nullptr;
    if (auto it = units.find(code); it != units.end()) u = &it->second;
    Json scores = Json::object(), series = Json::array();
    std::string name_en;
    for (std::size_t r : p.RowsOf(code)) {
      const UnitYear& key = p.row(r);
      name_en = key.name;
      series.push_back({{"year", p.has_years() ? Json(key.year) : Json(nullptr)},
                        {"value", NumOrNull(t.value(r, top))},
                        {"rank", RankOrNull(t.rank(r, top))}});
      if (key.year != *year) continue;
      for (auto i : nodes) {
        Json s{{"value", NumOrNull(t.value(r, i))}, {"rank", RankOrNull(t.rank(r, i))}};
        AddInterval(s, r, i);
        auto num = [&](const char* k) { return s[k].is_null() ? TableCell{} : TableCell::Real(s[k].get<double>()); };
        table.Add(p.has_years() ? TableCell::Int(*year) : TableCell{}, TableCell::Text(code),
                  TableCell::Text(m.nodes[i].code), TableCell::Real(t.value(r, i)), TableCell::Positive(t.rank(r, i)),
                  num("p05"), num("median"), num("p95"));
        scores[m.nodes[i].code] = std::move(s);
      }
    }
    out_units.push_back({{"code", code},
                         {"name_en", u && !u->name_en.empty() ? u->name_en : name_en},
                         {"name_zh", u ? u->name_zh : std::string()},
                         {"scores", std::move(scores)},
                         {"series", std::move(series)}});
  }
  if (*csv) return res.SetContent(Csv(table), "text/csv; charset=utf-8");
  Json j{{"run", b.run_id}, {"year", *year}, {"nodes", node_codes}, {"units", out_units}};
  res.SetContent(j.dump() + "\n", "application/json");
}

}  // namespace gpsi::server
