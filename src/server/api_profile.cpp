// GET /api/v1/units/{ISO3} (docs/api.md): a unit's scores, ranks and intervals per year, and every
// indicator value with the origin the build recorded and the stored values of its year, rendered
// once per unit at startup.
#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using compute::IsNa;
using detail::CheckParams;
using detail::Json;
using detail::NumOrNull;
using detail::RankOrNull;
using detail::SendError;
using detail::Upper;

namespace {

//! Where the build read a value (provenance.csv's row), as the profile publishes it.
Json OriginJson(const engine::CellOrigin& o) {
  if (o.series < 0) return Json(nullptr);
  return Json{{"series", o.series},
              {"code", o.code},
              {"source", o.source},
              {"how", o.how},
              {"data_year", o.year},
              {"stored", o.stored},
              {"file_sha256", o.file_sha256.empty() ? Json(nullptr) : Json(o.file_sha256)},
              {"line", o.line > 0 ? Json(o.line) : Json(nullptr)}};
}

}  // namespace

void Server::Impl::PublishProfiles(const detail::Lookups& look) {
  const auto& b = build;
  const auto& m = b.method;
  const std::size_t nn = m.nodes.size(), nr = b.row_unit.size();
  for (const auto& [code, u] : look.described) {
    Json j;
    j["run"] = b.run_id;
    j["unit"] = detail::UnitJson(u, true);
    std::vector<std::size_t> rows;  // the unit's rows, by year
    for (std::size_t r = 0; r < nr; ++r) {
      if (b.row_unit[r] == code) rows.push_back(r);
    }
    Json series = Json::array();
    for (auto r : rows) {
      Json scores = Json::object();
      for (std::size_t i = 0; i < nn; ++i) {
        Json s{
            {"value", NumOrNull(b.scores(r, i))}, {"rank", RankOrNull(b.ranks[i][r])}, {"flags", b.flags[r * nn + i]}};
        AddInterval(s, r, i);
        scores[m.nodes[i].code] = std::move(s);
      }
      series.push_back({{"year", b.has_years ? Json(b.row_year[r]) : Json(nullptr)},
                        {"excluded", static_cast<bool>(b.excluded[r])},
                        {"ranked", b.status[r].ranked},
                        {"not_ranked_reason", b.status[r].reason},
                        {"scores", std::move(scores)}});
    }
    j["series"] = std::move(series);
    Json inds = Json::array();
    for (std::size_t col = 0; col < look.ind_nodes.size(); ++col) {
      std::size_t i = look.ind_nodes[col];
      const auto& n = m.nodes[i];
      Json vals = Json::array();
      for (auto r : rows) {
        Json sources = Json::array();
        for (const auto& c : n.Codes()) {
          auto it = look.values_at.find({code, c, b.row_year[r]});
          if (it == look.values_at.end()) continue;
          for (std::size_t k = it->second.first; k < it->second.second; ++k) {
            const auto& v = pub.values[k].value;
            sources.push_back({{"indicator", v.indicator},
                               {"value", v.value},
                               {"source", v.source_key},
                               {"publisher", v.publisher},
                               {"release", v.release},
                               {"tier", v.tier},
                               {"licence", Licence(look, v)},
                               {"flags", v.flags},
                               {"file_sha256", v.file_sha256},
                               {"line", v.line},
                               {"chosen", pub.values[k].chosen}});
          }
        }
        vals.push_back({{"year", b.has_years ? Json(b.row_year[r]) : Json(nullptr)},
                        {"raw", NumOrNull(engine::DisplayValue(b, r, col))},
                        {"imputed", b.flags[r * nn + i].find('i') != std::string::npos},
                        {"score", NumOrNull(b.scores(r, i))},
                        {"origin", OriginJson(b.origin[r * look.ind_nodes.size() + col])},
                        {"sources", std::move(sources)}});
      }
      inds.push_back({{"code", n.code},
                      {"name_en", n.name_en},
                      {"name_zh", n.name_zh},
                      {"parent", n.parent},
                      {"direction", n.direction},
                      {"monitor", n.monitor},
                      {"values", std::move(vals)}});
    }
    j["indicators"] = std::move(inds);
    profile_body[code] = j.dump() + "\n";
  }
}

void Server::Impl::Profile(const httplib::Request& req, httplib::Response& res) const {
  if (!CheckParams(req, res, {})) return;
  std::string id = req.matches.size() > 1 ? std::string(req.matches[1]) : std::string();
  auto k = unit_key.find(Upper(id));
  if (k == unit_key.end()) return SendError(res, Errc::kNotFound, fmt::format("no unit '{}' in the build", id));
  res.set_content(profile_body.at(k->second), "application/json");
}

}  // namespace gpsi::server
