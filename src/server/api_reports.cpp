// GET /api/v1/reports/{lang} and /api/v1/reports/{lang}/profiles/{ISO3} (docs/api.md): the annual
// report and a country's profile of the published build as PDF, as `gpsi report --pdf` prints
// them (docs/report.md). A PDF is printed on its first request by the WeasyPrint process started
// with the server (report::PdfPrinter), and kept by the response cache after; its ETag (the sha256
// of its bytes) changes with the build.
#include <fmt/format.h>

#include "detail/impl.hpp"
#include "report.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::SendError;

void Server::Impl::PublishReports() {
  auto summary = engine::Summarise(pub, 0);
  if (summary) {
    report_summary = std::move(*summary);
  } else {
    report_note = summary.error().message;
  }
  report_date = NowUtc().substr(0, 10);  // YYYY-MM-DD
  // WeasyPrint's start (0.8 s of imports) overlaps the server's; a failure shows on the first request.
  if (report_summary) (void)printer.Start();
}

void Server::Impl::Reports(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {})) return;
  // {lang} or {lang}/profiles/{ISO3}
  const std::string& match = req.match;
  const std::string lang = match.substr(0, match.find('/'));
  const std::string rest = match.size() > lang.size() ? match.substr(lang.size()) : "";
  if (lang != "en" && lang != "zh")
    return SendError(res, Errc::kNotFound, fmt::format("no report in '{}' (en or zh)", lang));
  if (!rest.empty() && rest.rfind("/profiles/", 0) != 0)
    return SendError(res, Errc::kNotFound, "no such report: " + req.path);
  if (!report_summary) return SendError(res, Errc::kNotFound, "the build has no report: " + report_note);
  const report::Edition edition{lang, report_date};
  Result<std::string> html = Error{Errc::kInternal, ""};
  std::string name = fmt::format("gpsi-{}-{}", report_summary->year, lang);
  if (rest.empty()) {
    html = report::AnnualReportHtml(pub, *report_summary, edition);
  } else {
    const auto key = unit_key.find(detail::Upper(rest.substr(std::string("/profiles/").size())));
    if (key == unit_key.end())
      return SendError(res, Errc::kNotFound, fmt::format("no unit '{}' in the build", rest.substr(10)));
    auto profile = engine::Profile(pub, *report_summary, key->second);
    if (!profile) return SendError(res, Errc::kNotFound, profile.error().message);
    html = report::ProfileHtml(pub, *report_summary, *profile, edition);
    name += "-" + key->second;
  }
  if (!html) return SendError(res, html.error().code, html.error().message);
  auto pdf = printer.Print(*html, report_date);
  if (!pdf) return SendError(res, pdf.error().code, pdf.error().message);
  res.SetHeader("Content-Disposition", fmt::format("inline; filename=\"{}.pdf\"", name));
  res.SetContent(std::move(*pdf), "application/pdf");
}

}  // namespace gpsi::server
