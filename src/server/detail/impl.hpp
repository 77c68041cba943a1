// The server's state and handlers, shared by server.cpp (transport: routing, caching, limits,
// static files) and the endpoint files api_*.cpp.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "detail/auth.hpp"
#include "detail/http.hpp"
#include "report.hpp"
#include "server.hpp"

namespace gpsi::server {

using detail::Request;
using detail::Response;

namespace detail {
//! A unit as the API describes it (units list and profile): code, names, ISO3, M49, region, and
//! with `subregion` the sub-region too (publish.cpp).
Json UnitJson(const Unit& u, bool subregion);

//! Indexes over the published data that the rendered answers share, made once by Publish.
struct Lookups {
  std::map<std::string, Unit> described;  //!< every unit of the build: the store's description, else the build's name
  //! (unit, stored code, year) → [first, last) in Published::values (resolution order).
  std::map<std::tuple<std::string, std::string, int>, std::pair<std::size_t, std::size_t>> values_at;
  std::map<std::pair<std::string, std::string>, const Source*> source_of;  //!< by (key, release)
  std::vector<std::size_t> ind_nodes;                                      //!< node of each indicator column
};
}  // namespace detail

struct Server::Impl {
  ServeConfig cfg;
  // ---- published data (filled at construction by Publish, read-only afterwards) ----
  engine::Published pub;                        // engine::Publish's answer
  const engine::BuildResult& build{pub.build};  // its build
  std::map<std::string, Unit> units;            // by code
  std::vector<std::string> scored;              // units of the build, sorted
  std::set<int> years;
  std::vector<int> interval_of;                     // per build row × node: index in pub.intervals, −1 = none
  std::map<std::string, std::string> unit_key;      // upper-case code or ISO3 → code, units of the build
  std::string meta_body;                            // /api/v1/meta
  std::map<std::string, std::string> profile_body;  // /api/v1/units/{ISO3} by unit code
  struct Rendered {                                 // a download's bytes in each format
    std::string csv, xlsx;
  };
  std::map<std::string, Rendered> downloads;            // /api/v1/download/{table} by table name
  std::optional<engine::ReportSummary> report_summary;  // /api/v1/reports: the latest year's summary
  std::string report_note;                              // why there is none
  std::string report_date;                              // the served PDFs' date: the day of publishing
  mutable report::PdfPrinter printer;                   // prints them on request, one at a time
  //! Fills the published data and renders the answers above (publish.cpp).
  void Publish(engine::Published published);
  //! The lookups of the published data; fills unit_key and interval_of (publish.cpp).
  detail::Lookups Index();
  //! Sets p05, median, p95 of j: the Monte Carlo rank interval of (build row, node), else null.
  void AddInterval(detail::Json& j, std::size_t row, std::size_t node) const;
  //! The licence of a stored value's source release ("" when the store does not list it).
  std::string Licence(const detail::Lookups& look, const ResolvedValue& v) const;
  std::string MetaBody(const detail::Lookups& look) const;  //!< api_meta.cpp
  void PublishProfiles(const detail::Lookups& look);        //!< profile_body (api_profile.cpp)
  void PublishDownloads(const detail::Lookups& look);       //!< downloads (api_download.cpp)
  void PublishReports();                                    //!< report_summary, report_date (api_reports.cpp)
  //! The stored record an indicator cell is (its origin), or none for a value the build made.
  const ResolvedValue* RecordOf(const detail::Lookups& look, std::size_t row, std::size_t col) const;
  // ---- transport (server.cpp) ----
  struct Transport;                      // sockets, response cache, static root (server.cpp)
  std::unique_ptr<Transport> transport;  // complete only in server.cpp, where Impl is destroyed
  //! Answers one request (routing, the cache, the endpoints); called off the network threads.
  void Route(Request& req, Response& res) const;
  //! An answer from the response cache (GET and HEAD of /api/), made on a network thread; false when
  //! there is none.
  bool Quick(const Request& req, Response& res) const;
  struct Endpoint;
  //! The GET endpoints by path; those ending in '/' take one more path segment (Request::match).
  static const std::map<std::string, Endpoint, std::less<>>& Endpoints();
  //! The GET endpoint of a path and the segment it takes ({ISO3}, {table}) into `match`, or nullptr.
  static const Endpoint* FindEndpoint(const std::string& path, std::string& match);
  //! GET of anything not an endpoint: a file of --web (Cache-Control: no-cache, ETag), else 404.
  void Static(const Request& req, Response& res) const;
  //! A static file too large to keep in memory: streamed from disk, with a weak ETag of its mtime and size.
  void StreamFile(const std::filesystem::path& file, std::uint64_t size, const std::string& validator,
                  const Request& req, Response& res) const;

  // api_health.cpp, api_units.cpp, api_scores.cpp, api_runs.cpp
  void Health(const Request& req, Response& res) const;
  void Units(const Request& req, Response& res) const;
  void Scores(const Request& req, Response& res) const;
  void Runs(const Request& req, Response& res) const;
  // one file per endpoint: api_meta.cpp, api_profile.cpp, api_compare.cpp, api_download.cpp
  void Meta(const Request& req, Response& res) const;
  void Profile(const Request& req, Response& res) const;
  void Compare(const Request& req, Response& res) const;
  void Download(const Request& req, Response& res) const;
  void Reports(const Request& req, Response& res) const;
  // api_whatif.cpp
  void WhatIf(const Request& req, Response& res) const;
  //! Per build row, the fixed start of its what-if row: `{"unit":…,"name_en":…,"name_zh":…`
  //! (escaped once at startup, not per request).
  std::vector<std::string> whatif_row_head;
  //! Per build row, `,"base_value":…,"base_rank":…` of the index (the usual `code`).
  std::vector<std::string> whatif_row_base;
  void PrepareWhatIf();
  // api_forecasts.cpp, api_warnings.cpp
  void Forecasts(const Request& req, Response& res) const;
  void Warnings(const Request& req, Response& res) const;
  std::set<std::string> forecast_codes;  // the codes of pub.forecast's rows
  std::set<int> forecast_years;          // the years of pub.forecast's rows
  //! The `unit` parameter as a unit code of the build (code or ISO3, any case), "" when absent;
  //! nullopt (with the error sent) for a unit not in the build (publish.cpp).
  std::optional<std::string> UnitParam(const Request& req, Response& res) const;
  // api_risk.cpp: the country risk sheets (gpsi serve --risk-method)
  void RiskCountries(const Request& req, Response& res) const;
  void RiskCountry(const Request& req, Response& res) const;
  void PublishRisk();
  std::map<std::string, std::string> risk_body;  // per unit code: its sheet's JSON
  std::string risk_list_body;                    // the list of /api/v1/risk/countries
  // api_risk_projects.cpp: /api/v1/risk/projects, enterprises' project sheets
  static bool IsRiskProjectsPath(const std::string& path);
  void RiskProjects(const Request& req, Response& res) const;
  void ListRiskProjects(const Request& req, Response& res, const std::string& token) const;
  void AssessRiskProject(const Request& req, Response& res, const std::string& token) const;
  void ShowRiskProject(const Request& req, Response& res, const std::string& token, std::int64_t id) const;
  //! Loads every stored event point onto the spatial index (with the risk sheets, at startup).
  void LoadProjectEvents();
  //! The published sheets and events, and today (UTC): what a project sheet is made and re-checked on.
  engine::ProjectContext ProjectContext() const;
  std::optional<engine::ProjectEvents> project_events;
  // api_openapi.cpp
  void OpenApi(const Request& req, Response& res) const;
  // api_validation.cpp
  void Validation(const Request& req, Response& res) const;
  // api_admin.cpp: /api/v1/admin/…, organisations, accounts and tokens for an administrator
  static bool IsAdminPath(const std::string& path);
  //! The admin routes as Server::Routes lists them ("POST /api/v1/admin/users/{}").
  static std::vector<std::string> AdminRoutes();
  void Admin(const Request& req, Response& res) const;
  // api_session.cpp: /api/v1/session, the dashboard's login, who is logged in, and logout
  void Session(const Request& req, Response& res) const;
  void LogIn(const Request& req, Response& res) const;
  void ShowSession(const Request& req, Response& res) const;
  void LogOut(const Request& req, Response& res) const;
  //! Login attempts per client address (cfg.login_attempts a minute); made by the constructor.
  std::unique_ptr<detail::LoginThrottle> login_throttle;
  // api_submissions.cpp: /api/v1/submissions and below, for the holder of an API token or session
  static bool IsSubmissionsPath(const std::string& path);
  void Submissions(const Request& req, Response& res) const;
  void ListSubmissions(const Request& req, Response& res, const std::string& token) const;
  void UploadSubmission(const Request& req, Response& res, const std::string& token) const;
  void ShowSubmission(const Request& req, Response& res, const std::string& token, std::int64_t id) const;
  void ActOnSubmission(const Request& req, Response& res, const std::string& token, std::int64_t id,
                       const std::string& action) const;
  void CommentOnFlag(const Request& req, Response& res, const std::string& token, std::int64_t id,
                     std::int64_t flag) const;
  // api_campaigns.cpp: /api/v1/campaigns and below, the excellent-practice evaluation
  static bool IsCampaignsPath(const std::string& path);
  void Campaigns(const Request& req, Response& res) const;
  void ListCampaigns(Response& res, const std::string& token) const;
  void ShowCampaign(Response& res, const std::string& token, const std::string& key) const;
  void CreateCampaign(const Request& req, Response& res, const std::string& token) const;
  void CampaignEntries(const Request& req, Response& res, const std::string& token, const std::string& key) const;
  void DeclareConflicts(const Request& req, Response& res, const std::string& token, const std::string& key) const;
  void CampaignStep(const Request& req, Response& res, const std::string& token, const std::string& key,
                    const std::string& action) const;
  void SealSheet(const Request& req, Response& res, const std::string& token, const std::string& key,
                 const std::string& application) const;
};

}  // namespace gpsi::server
