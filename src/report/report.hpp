// gpsi report: the published files beyond the CSV every layer writes (model's Csv): XLSX
// workbooks of the same tables for the API's downloads, and the JSON answers the API and the
// CLI's --json share.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core.hpp"
#include "engine.hpp"

namespace gpsi::report {

//! An edition of the report: its language and its date.
struct Edition {
  std::string lang = "en";  //!< en or zh
  std::string date;         //!< YYYY-MM-DD: the pages' dcterms.created, the PDFs' pinned creation date
};

//! The annual report of one year of a build as one HTML page in the edition's language: title
//! page (edition, method, run id, data hash), contents, executive summary (top and bottom 10 with
//! their 90 % rank intervals, risers and fallers, regional averages, dimension highlights, the
//! spread of the intervals), trends (an SVG line per region), the full ranking and the sources
//! annex; each table's rows carry their unit (data-unit) and each cell its column (data-col).
//! Every number comes from `s` and `pub`.
Result<std::string> AnnualReportHtml(const engine::Published& pub, const engine::ReportSummary& s, const Edition& e);

//! One country's page (engine::Profile): its standing on the index and each dimension beside its
//! region's mean (a table and SVG bars), its index over the trend years beside its region's (an
//! SVG line chart), and every indicator with value, score, data year, source, tier and flags.
Result<std::string> ProfileHtml(const engine::Published& pub, const engine::ReportSummary& s,
                                const engine::CountryProfile& p, const Edition& e);

//! The selection report of an excellent-practice campaign as one HTML page in the edition's
//! language (docs/evaluation.md, "Selection report"): provenance (key, state, rules and sheets
//! SHA-256, stage dates), the rules, the ranking under the recommended method (the model's fair
//! scores) with the selected and each one's bootstrap probability of selection, the four
//! aggregations side by side, reliability, the judges' severity and bias, the borderline group,
//! and the audit trail (every sheet and `trail`'s entries). Every figure comes from `d.results`;
//! kUsage when `d` has none.
Result<std::string> SelectionReportHtml(const engine::CampaignDetail& d, const std::vector<AuditEntry>& trail,
                                        const Edition& e);

//! A project risk sheet (engine::ProjectSheet; docs/risk.md "Project sheets") as one HTML page in
//! the edition's language: header and validity (marked stale when a trigger fired), the country
//! baseline, the threat register (likelihood, impact, score and rating, inherent and residual)
//! with each threat's evidence and controls checklist, the nearby events with their distances,
//! weights and source lines, the triggers, provenance and a sign-off block.
Result<std::string> ProjectSheetHtml(const engine::ProjectSheet& sheet, const Edition& e);

//! An HTML page to print and the PDF to write. The pages of one edition share their fonts, subset
//! to all their characters: a page's bytes depend on its edition's pages, not on others printed
//! with them.
struct PdfJob {
  std::string html, pdf;
  std::string edition = "pages";  //!< a name (a language): letters only
};
//! Prints each page to its PDF with WeasyPrint (Debian's, run as /usr/bin/python3 with the
//! compiled-in driver templates/pdf.py) in `workers` processes, each taking the next page none has
//! taken (a claim file PDF.claim, removed after): A4, fonts embedded and subset
//! (DejaVu Sans; WenQuanYi Micro Hei for Chinese), bookmarks from the headings, the creation date
//! pinned to `date` (YYYY-MM-DD), so that the same pages give the same bytes. Each PDF is written
//! whole or not at all; kIo when WeasyPrint is missing or fails.
Status WritePdfs(const std::vector<PdfJob>& jobs, const std::string& date, int workers);

//! One page at a time to PDF, as WritePdfs prints it but for a server: one WeasyPrint process kept
//! running (the driver's serve mode), so that a page costs its printing, not Python's start (0.8 s
//! of importing WeasyPrint). The page's fonts are subset to its own characters, so its bytes
//! depend on the page and the date only. Thread-safe: pages are printed one after the other.
class PdfPrinter {
 public:
  PdfPrinter();
  ~PdfPrinter();
  PdfPrinter(const PdfPrinter&) = delete;
  PdfPrinter& operator=(const PdfPrinter&) = delete;
  //! Starts the process now (it starts on the first Print otherwise); kIo when it cannot.
  Status Start();
  //! The PDF of the HTML page `html` created on `date` (YYYY-MM-DD); kIo when WeasyPrint fails or
  //! stops (the process is started again for the next page).
  Result<std::string> Print(const std::string& html, const std::string& date);

 private:
  struct Process;
  std::unique_ptr<Process> process_;
};

//! The table as an XLSX workbook of one sheet named `sheet`: the header row bold, numbers as
//! numbers, empty cells left blank; the same table gives the same bytes (a fixed creation time).
Result<std::string> Xlsx(const Table& t, const std::string& sheet);

//! The recorded builds as /api/v1/runs answers and `gpsi runs --json` prints them:
//! `{"runs": [{run_id, created, method, method_hash, data_hash, engine_version, out, scores_sha256}]}`
//! (engine::RunFields), one line.
std::string RunsJson(const std::vector<RunRecord>& runs);
//! The same runs as a table (/api/v1/runs?format=csv): a column per field.
Table RunsTable(const std::vector<RunRecord>& runs);

//! A submission: `{id, org, dataset, state, note, submitter, approver, reviewer, embargo, reason,
//! created, updated}` (docs/platform.md), one line.
std::string SubmissionJson(const Submission& s);
//! The submissions as their holder sees them: each as SubmissionJson with `actions` (the review
//! steps open to the holder now) and `awaits` (whether it is the holder's turn); a JSON array, one line.
std::string SubmissionsJson(const std::vector<engine::HeldSubmission>& list);
//! A validation flag: `{flag, unit, indicator, year, kind, value, reference, score, comment,
//! commented_by, commented_at}`.
std::string FlagJson(const SubmissionFlag& f);
//! An upload's outcome: the submission's fields with `rows`, `accepted` and `quarantine` (each
//! quarantined row's line, column, reason, detail and raw text).
std::string UploadJson(const engine::UploadResult& r);
//! One submission in full: its fields with `actions` and `awaits` (as SubmissionsJson's), `rows`
//! (each with its source and tier), `quarantine`, `flags` and `trail` (the audit entries of the
//! submission: seq, at, actor, action).
std::string SubmissionDetailJson(const engine::SubmissionDetail& d);

//! A sealed score sheet: `{id, application, judge, revision, scores, comment, reason, sealed_at,
//! sha256}` (docs/evaluation.md), one line.
std::string SheetJson(const CampaignSheet& s);
//! A campaign as its holder sees it: `{key, state, title_en, title_zh, seat, rules_sha256, created,
//! opened, closed, published, assigned, sealed, applications, assignment, judges, sheets, results}`
//! (results: engine::EvalResultsJson's shape, absent when the seat sees none), one line. `rules` adds the rules file's
//! text. CampaignsJson: an array of them, without sheets and results.
std::string CampaignJson(const engine::CampaignDetail& d, bool rules = false);
std::string CampaignsJson(const std::vector<engine::CampaignDetail>& list);
//! An assignment: `{pairs: [[application, judge]], loads: {judge: n}, conflicts: [{application,
//! judge, kind}]}`, one line.
std::string AssignJson(const engine::AssignResult& a);

//! Who a session or token is: {"login", "name", "org", "org_name_en", "org_name_zh", "role",
//! "permissions", "expires"}, and "csrf" when one is given (a dashboard session's).
std::string IdentityJson(const engine::Identity& who, const std::string& csrf = "");
//! An organisation: `{key, name_en, name_zh, kind, tier, countries, agreements: [{dataset,
//! indicators}], created, disabled}`, one line; OrgsJson: an array of them.
std::string OrgJson(const Organisation& o);
std::string OrgsJson(const std::vector<Organisation>& list);
//! An account: `{login, name, org, role, permissions, password (whether one is set), created,
//! disabled, locked_until}`, never its hash; AccountsJson: an array of them.
std::string AccountJson(const Account& a);
std::string AccountsJson(const std::vector<Account>& list);
//! A token: `{suffix, login, scopes, label, created, expires, revoked}`, and `secret` when given
//! (the answer that issues it, once); TokensJson: an array of them.
std::string TokenJson(const TokenRecord& t, const std::string& secret = "");
std::string TokensJson(const std::vector<TokenRecord>& list);

}  // namespace gpsi::report
