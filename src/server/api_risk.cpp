// GET /api/v1/risk/countries and /api/v1/risk/countries/{iso3} (docs/api.md, docs/risk.md): the
// country risk sheets of `gpsi serve --risk-method`, made at startup; each sheet is the JSON of
// `gpsi risk country --json` (engine::CountryRiskJson), the list is what a risk map needs.
#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::SendError;
using detail::Upper;

void Server::Impl::PublishRisk() {
  if (!pub.risk) return;
  for (const engine::CountryRisk& c : pub.risk->countries) risk_body[c.unit] = engine::CountryRiskJson(*pub.risk, c);
  risk_list_body = engine::RiskListJson(*pub.risk);
  LoadProjectEvents();  // api_risk_projects.cpp
}

void Server::Impl::RiskCountries(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {})) return;
  if (!pub.risk) return SendError(res, Errc::kNotPublished, "no risk sheets are published: " + pub.risk_note);
  res.SetContent(risk_list_body, "application/json");
}

void Server::Impl::RiskCountry(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {})) return;
  if (!pub.risk) return SendError(res, Errc::kNotPublished, "no risk sheets are published: " + pub.risk_note);
  auto it = risk_body.find(Upper(req.match));
  if (it == risk_body.end()) {
    return SendError(res, Errc::kNotFound, fmt::format("no risk sheet of '{}' in {}", req.match, pub.risk->year));
  }
  res.SetContent(it->second, "application/json");
}

}  // namespace gpsi::server
