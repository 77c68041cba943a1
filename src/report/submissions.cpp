// A member's submissions as the HTTP API answers them and `gpsi submission … --json` prints them
// (docs/platform.md, docs/api.md): one shape for both (nlohmann-json, keys in a fixed order).
#include <nlohmann/json.hpp>

#include "report.hpp"

namespace gpsi::report {
namespace {

using Json = nlohmann::ordered_json;

Json Fields(const Submission& s) {
  return {{"id", s.id},
          {"org", s.org},
          {"dataset", s.dataset},
          {"state", ToString(s.state)},
          {"note", s.note},
          {"submitter", s.submitter},
          {"approver", s.approver},
          {"reviewer", s.reviewer},
          {"embargo", s.embargo},
          {"reason", s.reason},
          {"created", s.created},
          {"updated", s.updated}};
}

Json Fields(const SubmissionFlag& f) {
  return {{"flag", f.id},
          {"unit", f.unit},
          {"indicator", f.indicator},
          {"year", f.year},
          {"kind", ToString(f.kind)},
          {"value", f.value},
          {"reference", f.reference},
          {"score", f.score},
          {"comment", f.comment},
          {"commented_by", f.commented_by},
          {"commented_at", f.commented_at}};
}

Json Quarantined(const std::vector<QuarantineRow>& rows) {
  Json out = Json::array();
  for (const auto& q : rows) {
    out.push_back({{"line", q.line}, {"column", q.column}, {"reason", q.reason}, {"detail", q.detail}, {"raw", q.raw}});
  }
  return out;
}

}  // namespace

std::string SubmissionJson(const Submission& s) {
  return Fields(s).dump();
}

std::string SubmissionsJson(const std::vector<engine::HeldSubmission>& list) {
  Json out = Json::array();
  for (const auto& s : list) {
    out.push_back(Fields(s.submission));
    out.back()["actions"] = s.actions, out.back()["awaits"] = s.awaits;
  }
  return out.dump();
}

std::string FlagJson(const SubmissionFlag& f) {
  return Fields(f).dump();
}

std::string UploadJson(const engine::UploadResult& r) {
  Json out = Fields(r.submission);
  out["rows"] = r.report.rows, out["accepted"] = r.report.accepted;
  out["quarantine"] = Quarantined(r.quarantine);
  return out.dump();
}

std::string SubmissionDetailJson(const engine::SubmissionDetail& d) {
  Json out = Fields(d.submission);
  out["actions"] = d.actions, out["awaits"] = d.awaits, out["comments"] = d.comments;
  Json rows = Json::array(), flags = Json::array(), trail = Json::array();
  const auto number = [](double v) { return IsNa(v) ? Json(nullptr) : Json(v); };
  for (std::size_t i = 0; i < d.rows.size(); ++i) {
    const auto& r = d.rows[i];
    const CellReference ref = i < d.references.size() ? d.references[i] : CellReference{};
    rows.push_back({{"unit", r.unit},
                    {"indicator", r.indicator},
                    {"year", r.year},
                    {"value", r.value},
                    {"line", r.line},
                    {"source", r.source_key + "@" + r.release},
                    {"tier", r.tier},
                    {"published", number(ref.published)},
                    {"published_source", ref.published_source},
                    {"un", number(ref.un)}});
  }
  for (const auto& f : d.flags) flags.push_back(Fields(f));
  for (const auto& e : d.trail) {
    trail.push_back({{"seq", e.seq}, {"at", e.at}, {"actor", e.actor}, {"origin", e.origin}, {"action", e.action}});
  }
  out["rows"] = std::move(rows), out["quarantine"] = Quarantined(d.quarantine);
  out["flags"] = std::move(flags), out["trail"] = std::move(trail);
  return out.dump();
}

}  // namespace gpsi::report
