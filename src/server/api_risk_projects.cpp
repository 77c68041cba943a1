// /api/v1/risk/projects (docs/api.md, "Project risk sheets"): an enterprise has its projects
// assessed against the published country sheets and the stored event points, and reads its kept
// sheets back, each re-checked on the day it is read; the secretariat reads every one. Every rule
// is platform's and every sheet the engine's; answers are never cached (a sheet is its
// enterprise's, and goes stale by the day).
#include <optional>
#include <string>

#include <fmt/format.h>

#include "detail/auth.hpp"
#include "detail/impl.hpp"
#include "report.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::PositiveId;
using detail::SendError;
using detail::SendFailure;
using detail::SendJson;

namespace {

constexpr std::string_view kProjectsBase = "/api/v1/risk/projects";

}  // namespace

bool Server::Impl::IsRiskProjectsPath(const std::string& path) {
  return detail::PathSegments(path, kProjectsBase).has_value();
}

void Server::Impl::LoadProjectEvents() {
  if (!pub.risk) return;
  // Every stored point: a sheet's look-back window is set by its own assessment date.
  auto events = engine::LoadProjectEvents(cfg.db_path, "1900-01-01", "9999-12-31");
  if (!events) {
    pub.risk_note = "the event points cannot be read: " + events.error().message;
    return;
  }
  project_events = std::move(*events);
}

engine::ProjectContext Server::Impl::ProjectContext() const {
  if (!pub.risk || !project_events) return {};
  return {&*pub.risk, &*project_events, NowUtc().substr(0, 10)};
}

void Server::Impl::RiskProjects(const Request& req, Response& res) const {
  res.SetHeader("Cache-Control", "no-store");  // an enterprise's sheets, re-checked by the day
  const auto seg = *detail::PathSegments(req.path, kProjectsBase);
  if (seg.size() > 1 || (seg.size() == 1 && !PositiveId(seg[0]))) {
    return SendError(res, Errc::kNotFound, "no such endpoint: " + req.path);
  }
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (!get && !(seg.empty() && req.method == "POST")) {
    res.SetHeader("Allow", seg.empty() ? "GET, HEAD, POST" : "GET, HEAD");
    return SendError(res, Errc::kMethodNotAllowed, req.method + " is not allowed on " + req.path);
  }
  auto token = detail::Credential(req, res, cfg.secure_cookies);
  if (!token) return;
  if (!seg.empty()) return ShowRiskProject(req, res, *token, *PositiveId(seg[0]));
  if (get) return ListRiskProjects(req, res, *token);
  AssessRiskProject(req, res, *token);
}

void Server::Impl::ListRiskProjects(const Request& req, Response& res, const std::string& token) const {
  if (!CheckParams(req, res, {})) return;
  auto list = engine::KeptProjects(cfg.db_path, token, ProjectContext());
  if (!list) return SendFailure(res, list.error());
  SendJson(res, 200, engine::KeptProjectsJson(*list));
}

void Server::Impl::AssessRiskProject(const Request& req, Response& res, const std::string& token) const {
  if (!CheckParams(req, res, {})) return;
  auto kept = engine::KeepProject(cfg.db_path, token, req.client, req.body, "the project", ProjectContext());
  if (!kept) return SendFailure(res, kept.error());
  res.SetHeader("Location", fmt::format("{}/{}", kProjectsBase, kept->record.id));
  SendJson(res, 201, engine::KeptProjectJson(*kept));
}

void Server::Impl::ShowRiskProject(const Request& req, Response& res, const std::string& token, std::int64_t id) const {
  if (!CheckParams(req, res, {"format", "lang"})) return;
  const std::string format = req.HasParam("format") ? req.Param("format") : "json";
  const std::string lang = req.HasParam("lang") ? req.Param("lang") : "en";
  if (format != "json" && format != "html" && format != "pdf") {
    return SendError(res, Errc::kUsage, "format: json, html or pdf");
  }
  if (lang != "en" && lang != "zh") return SendError(res, Errc::kUsage, "lang: en or zh");
  auto kept = engine::KeptProjectOf(cfg.db_path, token, id, ProjectContext());
  if (!kept) return SendFailure(res, kept.error());
  if (format == "json") return SendJson(res, 200, engine::KeptProjectJson(*kept));
  auto html = report::ProjectSheetHtml(kept->sheet, report::Edition{lang, kept->checked});
  if (!html) return SendFailure(res, html.error());
  if (format == "html") return res.SetContent(std::move(*html), "text/html; charset=utf-8");
  auto pdf = printer.Print(*html, kept->checked);
  if (!pdf) return SendFailure(res, pdf.error());
  const RiskProjectRecord& r = kept->record;
  res.SetHeader("Content-Disposition",
                fmt::format("inline; filename=\"{}-{}-r{}-{}.pdf\"", r.org, r.project, r.revision, lang));
  res.SetContent(std::move(*pdf), "application/pdf");
}

}  // namespace gpsi::server
