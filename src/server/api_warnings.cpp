// GET /api/v1/warnings (docs/api.md): gpsi warn's warnings on the latest data, made at startup,
// each with its evidence, and the method's [[warn]] rules they come from.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <span>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::NumOrNull;
using detail::SendError;
using detail::WantCsv;

namespace {

Json WarningJson(const engine::Warning& w) {
  return {{"unit", w.unit},
          {"id", w.id},
          {"rule", w.rule},
          {"severity", w.severity},
          {"code", w.code},
          {"period", w.period},
          {"value", NumOrNull(w.value)},
          {"baseline", NumOrNull(w.baseline)},
          {"score", NumOrNull(w.score)},
          {"source", w.source},
          {"file_sha256", w.file_sha256},
          {"line", w.line},
          {"message", w.message}};
}

//! A rule with the parameters its kind uses (docs/methodology-format.md): window and min for the
//! series rules, factor for a surge, z for an anomaly, p for a forecast rule.
Json RuleJson(const engine::WarnRuleInfo& w) {
  Json j{{"id", w.id}, {"rule", w.rule}, {"reads", w.reads}, {"severity", w.severity}};
  if (w.rule == "forecast") {
    j["p"] = w.p;
    return j;
  }
  j["window"] = w.window, j["min"] = w.min;
  if (w.rule == "surge") j["factor"] = w.factor;
  if (w.rule == "anomaly") j["z"] = w.z;
  return j;
}

//! The value of an enumerated parameter, "" when absent; nullopt (with the error sent) when it is
//! not one of `values`.
std::optional<std::string> EnumParam(const Request& req, Response& res, const char* name,
                                     std::span<const std::string_view> values) {
  if (!req.HasParam(name)) return std::string();
  const std::string v = req.Param(name);
  for (std::string_view ok : values) {
    if (v == ok) return v;
  }
  SendError(res, Errc::kUsage, fmt::format("{} must be one of {}, not '{}'", name, fmt::join(values, ", "), v));
  return std::nullopt;
}

}  // namespace

void Server::Impl::Warnings(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {"unit", "severity", "rule", "format"})) return;
  const auto csv = WantCsv(req, res);
  if (!csv) return;
  if (!pub.warnings) return SendError(res, Errc::kNotPublished, "no warnings are published: " + pub.warnings_note);
  const auto chosen = UnitParam(req, res);
  if (!chosen) return;
  const std::string& unit = *chosen;
  const auto severity = EnumParam(req, res, "severity", kWarnSeverities);
  if (!severity) return;
  const auto rule = EnumParam(req, res, "rule", kWarnRuleKinds);
  if (!rule) return;
  std::vector<engine::Warning> rows;
  for (const auto& w : pub.warnings->warnings) {
    if ((unit.empty() || w.unit == unit) && (severity->empty() || w.severity == *severity) &&
        (rule->empty() || w.rule == *rule)) {
      rows.push_back(w);
    }
  }
  if (*csv) return res.SetContent(engine::WarningsCsv(rows), "text/csv; charset=utf-8");
  Json rules = Json::array(), jrows = Json::array();
  for (const auto& w : pub.warnings->rules) rules.push_back(RuleJson(w));
  for (const auto& w : rows) jrows.push_back(WarningJson(w));
  Json j{{"origin", years.empty() ? 0 : *years.rbegin()}, {"rules", std::move(rules)}, {"rows", std::move(jrows)}};
  res.SetContent(j.dump() + "\n", "application/json");
}

}  // namespace gpsi::server
