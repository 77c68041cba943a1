// GET /api/v1/forecasts (docs/api.md): gpsi forecast's rows and outlook, made at startup with the
// method's forecast model, filtered by unit, code and year.
#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::NumOrNull;
using detail::RankOrNull;
using detail::SendError;
using detail::WantCsv;
using detail::YearParam;

namespace {

Json RowJson(const engine::ForecastRow& f) {
  return {{"unit", f.unit},
          {"code", f.code},
          {"year", f.year},
          {"mean", NumOrNull(f.mean)},
          {"median", NumOrNull(f.median)},
          {"p05", NumOrNull(f.p05)},
          {"p25", NumOrNull(f.p25)},
          {"p75", NumOrNull(f.p75)},
          {"p95", NumOrNull(f.p95)}};
}

Json OutlookJson(const engine::OutlookRow& o) {
  return {{"unit", o.unit},
          {"year", o.year},
          {"last_score", NumOrNull(o.last_score)},
          {"last_rank", RankOrNull(o.last_rank)},
          {"p_deterioration", NumOrNull(o.p_deterioration)},
          {"p_bottom", NumOrNull(o.p_bottom)},
          {"rank_median", NumOrNull(o.rank_median)},
          {"rank_p05", NumOrNull(o.rank_p05)},
          {"rank_p95", NumOrNull(o.rank_p95)}};
}

}  // namespace

void Server::Impl::Forecasts(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {"unit", "code", "year", "format"})) return;
  const auto csv = WantCsv(req, res);
  if (!csv) return;
  if (!pub.forecast) return SendError(res, Errc::kNotPublished, "no forecasts are published: " + pub.forecast_note);
  const auto chosen = UnitParam(req, res);
  if (!chosen) return;
  const std::string& unit = *chosen;
  const std::string code = req.HasParam("code") ? req.Param("code") : std::string();
  if (!code.empty() && forecast_codes.count(code) == 0) {
    return SendError(res, Errc::kUsage, fmt::format("'{}' is not a forecast code of method {}", code, build.method.id));
  }
  std::optional<int> year;
  if (req.HasParam("year") && !(year = YearParam(req, res, forecast_years, "the forecast"))) return;
  const auto wanted = [&](const std::string& u, int y) { return (unit.empty() || u == unit) && (!year || y == *year); };
  std::vector<engine::ForecastRow> rows;
  for (const auto& f : pub.forecast->rows) {
    if (wanted(f.unit, f.year) && (code.empty() || f.code == code)) rows.push_back(f);
  }
  if (*csv) return res.SetContent(engine::ForecastsCsv(rows), "text/csv; charset=utf-8");
  Json jrows = Json::array(), outlook = Json::array();
  for (const auto& f : rows) jrows.push_back(RowJson(f));
  for (const auto& o : pub.forecast->outlook) {
    if (wanted(o.unit, o.year)) outlook.push_back(OutlookJson(o));
  }
  Json j{{"model", pub.forecast->model},
         {"origin", pub.forecast->origin},
         {"horizon", static_cast<int>(forecast_years.size())},
         {"draws", pub.forecast_draws},
         {"seed", pub.forecast_seed},
         {"deterioration", pub.forecast->deterioration},
         {"bottom", pub.forecast->bottom},
         {"rows", std::move(jrows)},
         {"outlook", std::move(outlook)}};
  res.SetContent(j.dump() + "\n", "application/json");
}

}  // namespace gpsi::server
