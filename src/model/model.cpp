#include <algorithm>
#include <charconv>
#include <cmath>

#include "model.hpp"

namespace gpsi {

std::string_view ToString(UnitKind kind) {
  switch (kind) {
    case UnitKind::kCountry: return "country";
    case UnitKind::kTerritory: return "territory";
    case UnitKind::kSubUnit: return "sub-unit";
    case UnitKind::kOther: return "other";
  }
  return "other";
}

std::optional<UnitKind> ParseUnitKind(std::string_view s) {
  if (s == "country") return UnitKind::kCountry;
  if (s == "territory") return UnitKind::kTerritory;
  if (s == "sub-unit") return UnitKind::kSubUnit;
  if (s == "other") return UnitKind::kOther;
  return std::nullopt;
}

std::string_view ToString(OrgKind kind) {
  switch (kind) {
    case OrgKind::kSecretariat: return "secretariat";
    case OrgKind::kGovernment: return "government";
    case OrgKind::kThinkTank: return "think-tank";
    case OrgKind::kEnterprise: return "enterprise";
  }
  return "government";
}

std::optional<OrgKind> ParseOrgKind(std::string_view s) {
  for (OrgKind k : {OrgKind::kSecretariat, OrgKind::kGovernment, OrgKind::kThinkTank, OrgKind::kEnterprise}) {
    if (s == ToString(k)) return k;
  }
  return std::nullopt;
}

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kAdmin: return "admin";
    case Role::kSecretariat: return "secretariat";
    case Role::kMemberSubmitter: return "member-submitter";
    case Role::kMemberApprover: return "member-approver";
    case Role::kReader: return "reader";
  }
  return "reader";
}

std::optional<Role> ParseRole(std::string_view s) {
  for (Role r : {Role::kAdmin, Role::kSecretariat, Role::kMemberSubmitter, Role::kMemberApprover, Role::kReader}) {
    if (s == ToString(r)) return r;
  }
  return std::nullopt;
}

std::string_view ToString(SubmissionState state) {
  switch (state) {
    case SubmissionState::kDraft: return "draft";
    case SubmissionState::kSubmitted: return "submitted";
    case SubmissionState::kValidated: return "validated";
    case SubmissionState::kApproved: return "approved";
    case SubmissionState::kAccepted: return "accepted";
    case SubmissionState::kPublished: return "published";
    case SubmissionState::kReturned: return "returned";
  }
  return "draft";
}

std::optional<SubmissionState> ParseSubmissionState(std::string_view s) {
  for (auto state :
       {SubmissionState::kDraft, SubmissionState::kSubmitted, SubmissionState::kValidated, SubmissionState::kApproved,
        SubmissionState::kAccepted, SubmissionState::kPublished, SubmissionState::kReturned}) {
    if (s == ToString(state)) return state;
  }
  return std::nullopt;
}

std::string_view ToString(CampaignState state) {
  switch (state) {
    case CampaignState::kSetup: return "setup";
    case CampaignState::kScoring: return "scoring";
    case CampaignState::kPanel: return "panel";
    case CampaignState::kPublished: return "published";
  }
  return "setup";
}

std::optional<CampaignState> ParseCampaignState(std::string_view s) {
  for (auto state :
       {CampaignState::kSetup, CampaignState::kScoring, CampaignState::kPanel, CampaignState::kPublished}) {
    if (s == ToString(state)) return state;
  }
  return std::nullopt;
}

std::string_view ToString(FlagKind kind) {
  switch (kind) {
    case FlagKind::kOutlier: return "outlier";
    case FlagKind::kUnDifference: return "un-difference";
    case FlagKind::kSeriesBreak: return "series-break";
  }
  return "outlier";
}

std::optional<FlagKind> ParseFlagKind(std::string_view s) {
  for (auto kind : {FlagKind::kOutlier, FlagKind::kUnDifference, FlagKind::kSeriesBreak}) {
    if (s == ToString(kind)) return kind;
  }
  return std::nullopt;
}

int TextTable::Column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

namespace {

//! Appends the shortest text that reads back to v: the one number format of every table.
void AppendNumber(std::string& out, double v) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(ec == std::errc() ? std::string_view(buf, static_cast<std::size_t>(ptr - buf)) : "NaN");
}

}  // namespace

std::string FormatNumber(double v) {
  std::string out;
  AppendNumber(out, v);
  return out;
}

std::string CsvNumber(double v) {
  return std::isnan(v) ? std::string() : FormatNumber(v);
}

namespace {

//! Appends one CSV field to `out` (RFC 4180 quoting, as CsvField), without a temporary string.
void AppendCsvField(std::string& out, std::string_view s) {
  const bool quote =
      std::any_of(s.begin(), s.end(), [](char c) { return c == ',' || c == '"' || c == '\n' || c == '\r'; });
  if (!quote) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

std::string CsvField(std::string_view s) {
  std::string out;
  AppendCsvField(out, s);
  return out;
}

std::string EventValue::StoredCode() const {
  if (month <= 0) return indicator;
  return indicator + (month < 10 ? "_m0" : "_m") + std::to_string(month);
}

std::string_view ToString(Stage stage) {
  static constexpr std::string_view kNames[kStageCount] = {"raw", "denominated", "imputed", "treated", "normalised"};
  return kNames[static_cast<std::size_t>(stage)];
}

Panel::Panel(std::vector<UnitYear> rows, std::vector<std::string> indicators, bool has_years)
    : rows_(std::move(rows)),
      indicators_(std::move(indicators)),
      has_years_(has_years),
      values_(rows_.size() * indicators_.size() * kStageCount, kNa),
      origin_(rows_.size() * indicators_.size()) {}

std::optional<std::size_t> Panel::Find(std::string_view unit, int year) const {
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    if (rows_[r].year == year && rows_[r].unit == unit) return r;
  }
  return std::nullopt;
}

std::vector<std::size_t> Panel::RowsOf(std::string_view unit) const {
  std::vector<std::size_t> out;
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    if (rows_[r].unit == unit) out.push_back(r);
  }
  return out;
}

int Panel::LatestYear() const {
  int latest = 0;
  for (const auto& r : rows_) latest = std::max(latest, r.year);
  return latest;
}

ScoreTable::ScoreTable(std::size_t rows, std::vector<std::string> nodes)
    : rows_(rows), nodes_(std::move(nodes)), cells_(rows * nodes_.size()) {}

std::optional<std::size_t> ScoreTable::Column(std::string_view code) const {
  for (std::size_t c = 0; c < nodes_.size(); ++c) {
    if (nodes_[c] == code) return c;
  }
  return std::nullopt;
}

void CsvWriter::Header(std::vector<std::string> header) {
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (c) out_.push_back(',');
    AppendCsvField(out_, header[c]);
  }
  out_.push_back('\n');
}

void CsvWriter::Row(std::span<const TableCell> row) {
  char buf[32];
  for (std::size_t c = 0; c < row.size(); ++c) {
    if (c) out_.push_back(',');
    const TableCell& x = row[c];
    switch (x.kind) {
      case TableCell::Kind::kEmpty: break;
      case TableCell::Kind::kText:
      case TableCell::Kind::kRef: AppendCsvField(out_, x.text()); break;
      case TableCell::Kind::kInt: {
        auto res = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(x.number));
        out_.append(buf, res.ptr);
        break;
      }
      case TableCell::Kind::kReal: AppendNumber(out_, x.number); break;  // CsvNumber's text, in place
    }
  }
  out_.push_back('\n');
}

std::string Csv(const Table& t) {
  CsvWriter w;
  w.Header(t.header);
  for (std::size_t r = 0; r < t.rows(); ++r) w.Row(t.row(r));
  return w.text();
}

void SetDisabled(Organisation& o, bool disabled, const std::string& now) {
  o.disabled = disabled ? (o.disabled.empty() ? now : o.disabled) : "";
}

void SetDisabled(Account& a, bool disabled, const std::string& now) {
  a.disabled = disabled ? (a.disabled.empty() ? now : a.disabled) : "";
  if (!disabled) a.failed_logins = 0, a.locked_until.clear();
}

}  // namespace gpsi
