// GET /api/v1/risk/countries and /api/v1/risk/countries/{iso3} (docs/api.md, docs/risk.md): the
// country risk sheets of `gpsi serve --risk-method`, made at startup; each sheet is the JSON of
// `gpsi risk country --json` (engine::CountryRiskJson), the list is what a risk map needs.
#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::NumOrNull;
using detail::SendError;
using detail::Upper;

void Server::Impl::PublishRisk() {
  if (!pub.risk) return;
  const engine::RiskSheets& s = *pub.risk;
  Json classes = Json::array(), countries = Json::array();
  for (std::size_t k = 0; k < s.classes.size(); ++k) {
    classes.push_back({{"class", s.classes[k].level},
                       {"en", s.classes[k].en},
                       {"zh", s.classes[k].zh},
                       {"from", k == 0 ? Json(nullptr) : Json(s.class_lower[k - 1])}});
  }
  for (const engine::CountryRisk& c : s.countries) {
    countries.push_back({{"unit", c.unit},
                         {"name", c.name},
                         {"score", NumOrNull(c.risk.value)},
                         {"rank", c.risk.rank > 0 ? Json(c.risk.rank) : Json(nullptr)},
                         {"class", c.risk.cls.level >= 0 ? Json(c.risk.cls.level) : Json(nullptr)},
                         {"trend", c.trend.direction.empty() ? Json(nullptr) : Json(c.trend.direction)},
                         {"reliability", NumOrNull(c.reliability.index)},
                         {"warnings", c.warnings.size()}});
    risk_body[c.unit] = engine::CountryRiskJson(s, c);
  }
  risk_list_body = Json{{"year", s.year},
                        {"method", {{"id", s.method_id}, {"version", s.method_version}, {"hash", s.method_hash}}},
                        {"classes", std::move(classes)},
                        {"countries", std::move(countries)}}
                       .dump() +
                   "\n";
}

void Server::Impl::RiskCountries(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {})) return;
  if (!pub.risk) return SendError(res, Errc::kNotFound, "no risk sheets are published: " + pub.risk_note);
  res.SetContent(risk_list_body, "application/json");
}

void Server::Impl::RiskCountry(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {})) return;
  if (!pub.risk) return SendError(res, Errc::kNotFound, "no risk sheets are published: " + pub.risk_note);
  auto it = risk_body.find(Upper(req.match));
  if (it == risk_body.end()) {
    return SendError(res, Errc::kNotFound, fmt::format("no risk sheet of '{}' in {}", req.match, pub.risk->year));
  }
  res.SetContent(it->second, "application/json");
}

}  // namespace gpsi::server
