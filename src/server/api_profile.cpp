// GET /api/v1/units/{ISO3} (docs/api.md): a unit's scores, ranks and intervals per year, and every
// indicator value with the origin the build recorded and the stored values of its year, rendered
// once per unit at startup.
#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::NumOrNull;
using detail::RankOrNull;
using detail::SendError;
using detail::Upper;

namespace {

//! Where the build read a value (provenance.csv's row), as the profile publishes it.
Json OriginJson(const CellOrigin& o) {
  if (o.how.empty()) return Json(nullptr);
  const bool read = o.series >= 0;  // an imputed value was read from no series
  Json records = Json::array();
  for (const CellRecord& r : o.records) {
    records.push_back({{"code", r.code},
                       {"data_year", r.year},
                       {"source", r.source},
                       {"file_sha256", r.file_sha256},
                       {"line", r.line}});
  }
  return Json{{"series", read ? Json(o.series) : Json(nullptr)},
              {"code", o.code},
              {"source", o.source},
              {"how", o.how},
              {"data_year", read ? Json(o.year) : Json(nullptr)},
              {"stored", o.stored},
              {"file_sha256", o.file_sha256.empty() ? Json(nullptr) : Json(o.file_sha256)},
              {"line", o.line > 0 ? Json(o.line) : Json(nullptr)},
              {"imputed_by", o.imputed_by.empty() ? Json(nullptr) : Json(o.imputed_by)},
              {"records", std::move(records)}};
}

}  // namespace

void Server::Impl::PublishProfiles(const detail::Lookups& look) {
  const auto& b = build;
  const auto& m = b.method;
  const Panel& p = b.panel;
  const ScoreTable& t = b.scores;
  const std::size_t nn = m.nodes.size();
  auto year_of = [&](std::size_t r) { return p.has_years() ? Json(p.row(r).year) : Json(nullptr); };
  for (const auto& [code, u] : look.described) {
    Json j;
    j["run"] = b.run_id;
    j["unit"] = detail::UnitJson(u, true);
    const std::vector<std::size_t> rows = p.RowsOf(code);  // by year
    Json series = Json::array();
    for (auto r : rows) {
      Json scores = Json::object();
      for (std::size_t i = 0; i < nn; ++i) {
        const Score& sc = t.at(r, i);
        Json s{{"value", NumOrNull(sc.value)}, {"rank", RankOrNull(sc.rank)}, {"flags", sc.flags}};
        AddInterval(s, r, i);
        scores[m.nodes[i].code] = std::move(s);
      }
      series.push_back({{"year", year_of(r)},
                        {"excluded", b.status[r].excluded},
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
        for (const auto& c : n.codes) {
          auto it = look.values_at.find({code, c, p.row(r).year});
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
        vals.push_back({{"year", year_of(r)},
                        {"raw", NumOrNull(engine::DisplayValue(b, r, col))},
                        {"imputed", t.flags(r, i).find('i') != std::string::npos},
                        {"score", NumOrNull(t.value(r, i))},
                        {"origin", OriginJson(p.origin(r, col))},
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

void Server::Impl::Profile(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {})) return;
  const std::string& id = req.match;
  auto k = unit_key.find(Upper(id));
  if (k == unit_key.end()) return SendError(res, Errc::kNotFound, fmt::format("no unit '{}' in the build", id));
  res.SetContent(profile_body.at(k->second), "application/json");
}

}  // namespace gpsi::server
