// Members' submissions: the upload's checks, and the review states with who may move them.
#include <algorithm>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "platform.hpp"

namespace gpsi::platform {
namespace {

using S = SubmissionState;
using A = SubmissionAction;

constexpr std::array<A, 6> kActions{A::kSubmit, A::kApprove, A::kAccept, A::kPublish, A::kReturn, A::kRevise};

//! The system's own steps (validation) are logged under this actor.
const Actor kSystem{"system", "", "gpsi"};

nlohmann::json State(const Submission& s) {
  return {{"id", s.id},
          {"org", s.org},
          {"dataset", s.dataset},
          {"state", ToString(s.state)},
          {"submitter", s.submitter},
          {"approver", s.approver},
          {"reviewer", s.reviewer},
          {"embargo", s.embargo},
          {"reason", s.reason}};
}

bool OwnOrg(const Principal& who, const Submission& s) {
  return who.org.id == s.org_id;
}

//! The embargo of a publish step: empty (now), a day (its midnight UTC) or a UTC time; a past one
//! is now.
Result<std::string> Embargo(std::string text, const std::string& now) {
  if (text.size() == 10) text += "T00:00:00Z";
  if (!text.empty() && !ParseUtc(text)) {
    return Error{Errc::kUsage,
                 fmt::format("embargo '{}': a UTC day or time, 2027-01-15 or 2027-01-15T08:00:00Z", text)};
  }
  return text.empty() || text < now ? now : text;
}

//! Who may take `a` on `s`: an error saying why not, or Ok.
Status MayAct(const Principal& who, const Submission& s, A a) {
  auto forbid = [&](std::string_view why) {
    return Error{Errc::kForbidden, fmt::format("{} submission {}: {}", ToString(a), s.id, why)};
  };
  switch (a) {
    case A::kSubmit:
    case A::kRevise:
      if (!who.Can(Permission::kSubmit) || !OwnOrg(who, s)) return forbid("only a submitter of its organisation");
      return Ok();
    case A::kApprove:
      if (!who.Can(Permission::kApprove) || !OwnOrg(who, s)) return forbid("only an approver of its organisation");
      if (who.account.login == s.submitter) return forbid("its approver must be another person than its submitter");
      return Ok();
    case A::kAccept:
      if (!who.Can(Permission::kReview)) return forbid("only the secretariat");
      return Ok();
    case A::kPublish:
      if (!who.Can(Permission::kPublish)) return forbid("only the secretariat");
      return Ok();
    case A::kReturn: {
      const bool member_step = s.state == S::kSubmitted || s.state == S::kValidated;
      const bool member = OwnOrg(who, s) && (who.Can(Permission::kSubmit) || who.Can(Permission::kApprove));
      if (member_step ? !member : !who.Can(Permission::kReview)) {
        return forbid(member_step ? "only its organisation's submitter or approver" : "only the secretariat");
      }
      return Ok();
    }
  }
  return forbid("unknown action");
}

//! The state `a` leads from, and to.
std::pair<std::set<S>, S> Edge(A a) {
  switch (a) {
    case A::kSubmit: return {{S::kDraft}, S::kSubmitted};
    case A::kApprove: return {{S::kValidated}, S::kApproved};
    case A::kAccept: return {{S::kApproved}, S::kAccepted};
    case A::kPublish: return {{S::kAccepted}, S::kPublished};
    case A::kReturn: return {{S::kSubmitted, S::kValidated, S::kApproved, S::kAccepted}, S::kReturned};
    case A::kRevise: return {{S::kReturned}, S::kDraft};
  }
  return {{}, S::kDraft};
}

}  // namespace

std::vector<A> Actions(const Principal& who, const Submission& s) {
  std::vector<A> out;
  for (A a : {A::kSubmit, A::kApprove, A::kAccept, A::kPublish, A::kReturn, A::kRevise}) {
    if (Edge(a).first.contains(s.state) && MayAct(who, s, a).ok()) out.push_back(a);
  }
  return out;
}

Status MayComment(const Principal& who, const Submission& s) {
  if (!OwnOrg(who, s) || !(who.Can(Permission::kSubmit) || who.Can(Permission::kApprove))) {
    return Error{Errc::kForbidden,
                 fmt::format("comment on submission {}: only its organisation's submitter or approver", s.id)};
  }
  if (s.state != S::kValidated) {
    return Error{Errc::kConflict, fmt::format("cannot comment on submission {}: it is {} (flags are commented "
                                              "while it is validated)",
                                              s.id, ToString(s.state))};
  }
  return Ok();
}

bool Awaits(const Principal& who, const Submission& s) {
  const auto open = Actions(who, s);
  return std::any_of(open.begin(), open.end(), [](A a) { return a != A::kReturn; });
}

namespace {

//! Moves `s` to `to` and logs it as `action` by `actor`.
void Move(Store& store, const Actor& actor, Submission& s, S to, std::string_view action) {
  const auto before = State(s).dump();
  s.state = to;
  s.updated = NowUtc();
  store.UpdateSubmission(s);
  AppendAudit(store, actor, fmt::format("submission.{}", action), fmt::format("submission:{}", s.id), before,
              State(s).dump());
}

nlohmann::json FlagState(const SubmissionFlag& f) {
  return {{"flag", f.id},
          {"unit", f.unit},
          {"indicator", f.indicator},
          {"year", f.year},
          {"kind", ToString(f.kind)},
          {"comment", f.comment},
          {"commented_by", f.commented_by}};
}

//! Flags `s`'s rows (FlagValues) against the index as it stands, keeping the comment of a flag that
//! a validation before already raised.
void StoreFlags(Store& store, const Submission& s) {
  const auto rows = store.FileObservations(s.file_id);
  std::set<std::string> units, indicators;
  for (const auto& r : rows) units.insert(r.unit), indicators.insert(r.indicator);
  CellFilter filter{{units.begin(), units.end()}, {indicators.begin(), indicators.end()}};
  std::vector<TieredValue> stored;
  store.Observations(filter, [&](const ObservationRow& r) {
    stored.push_back({r.unit, r.indicator, r.year, r.value, r.tier});
  });
  auto flags = FlagValues(rows, stored);
  const auto before = store.Flags(s.id);
  for (auto& f : flags) {
    auto same = std::find_if(before.begin(), before.end(), [&](const SubmissionFlag& b) {
      return b.unit == f.unit && b.indicator == f.indicator && b.year == f.year && b.kind == f.kind;
    });
    if (same == before.end()) continue;
    f.comment = same->comment, f.commented_by = same->commented_by, f.commented_at = same->commented_at;
  }
  store.ReplaceFlags(s.id, flags);
}

//! The flags of `s` that nobody has commented yet.
std::size_t Uncommented(Store& store, const Submission& s) {
  const auto flags = store.Flags(s.id);
  return static_cast<std::size_t>(
      std::count_if(flags.begin(), flags.end(), [](const SubmissionFlag& f) { return f.comment.empty(); }));
}

//! Validation, right after submit: a submission with quarantined rows goes back with the count;
//! one without is validated, its values flagged where they need a comment.
void Validate(Store& store, Submission& s) {
  const auto quarantined = store.Quarantine(s.file_id).size();
  if (quarantined == 0) {
    StoreFlags(store, s);
    return Move(store, kSystem, s, S::kValidated, "validate");
  }
  s.reason = fmt::format("validation: {} row(s) quarantined; correct the file and upload it again", quarantined);
  Move(store, kSystem, s, S::kReturned, "validate");
}

}  // namespace

std::string_view ToString(SubmissionAction a) {
  switch (a) {
    case A::kSubmit: return "submit";
    case A::kApprove: return "approve";
    case A::kAccept: return "accept";
    case A::kPublish: return "publish";
    case A::kReturn: return "return";
    case A::kRevise: return "revise";
  }
  return "submit";
}

std::optional<SubmissionAction> ParseSubmissionAction(std::string_view s) {
  for (A a : kActions) {
    if (ToString(a) == s) return a;
  }
  return std::nullopt;
}

bool CanSee(const Principal& who, const Submission& s) {
  return s.state == S::kPublished || OwnOrg(who, s) || who.org.kind == OrgKind::kSecretariat;
}

std::string MemberScope(const Principal& who) {
  return who.org.kind == OrgKind::kSecretariat ? "*" : std::to_string(who.org.id);
}

std::vector<Submission> VisibleSubmissions(Store& store, const Principal& who) {
  auto all = store.Submissions();
  std::erase_if(all, [&](const Submission& s) { return !CanSee(who, s); });
  return all;
}

Result<Submission> FindVisible(Store& store, const Principal& who, std::int64_t id) {
  auto s = store.FindSubmission(id);
  if (!s || !CanSee(who, *s)) return Error{Errc::kNotFound, fmt::format("no submission {}", id)};
  return *s;
}

Status CheckUpload(const Principal& who, const std::string& dataset, const std::string& note) {
  if (auto ok = CheckText("--note", note, 2000); !ok) return ok.error();
  if (!who.Can(Permission::kSubmit)) {
    return Error{Errc::kForbidden,
                 fmt::format("{} may not submit data (role {})", who.account.login, ToString(who.account.role))};
  }
  const auto& agreed = who.org.agreements;
  if (std::none_of(agreed.begin(), agreed.end(), [&](const Agreement& a) { return a.dataset == dataset; })) {
    return Error{Errc::kForbidden,
                 fmt::format("{} has no provision agreement for data set '{}'", who.org.key, dataset)};
  }
  return Ok();
}

std::string UploadRelease() {
  // Strictly increasing within the process: two uploads of one server in the same microsecond
  // (50 concurrent submitters meet that) still get releases of their own.
  static std::mutex mu;
  static std::int64_t last = 0;
  std::lock_guard lock(mu);
  last = std::max(NowMicros(), last + 1);
  return UtcAtMicros(last);
}

Source UploadSource(const Principal& who, const std::string& dataset, const std::string& release) {
  Source s;
  s.key = who.org.key + "." + dataset;
  s.publisher = who.org.name_en;
  s.tier = who.org.tier;
  s.release = release;
  s.retrieved = release;
  return s;
}

Submission RecordUpload(Store& store, const Actor& actor, const Principal& who, const std::string& dataset,
                        const std::string& note, const FileRecord& file, const FileReport& report) {
  const auto& agreements = who.org.agreements;
  const auto agreement =
      std::find_if(agreements.begin(), agreements.end(), [&](const Agreement& a) { return a.dataset == dataset; });
  if (agreement == agreements.end()) throw Failure(CheckUpload(who, dataset, note).error());
  auto listed = [](const std::vector<std::string>& v, const std::string& x) {
    return std::binary_search(v.begin(), v.end(), x);
  };
  for (const auto& row : store.FileObservations(file.id)) {
    if (!listed(who.org.countries, row.unit)) {
      throw Failure(Error{Errc::kForbidden,
                          fmt::format("{} is not a country {} reports for ({})", row.unit, who.org.key,
                                      fmt::join(who.org.countries, " ")),
                          report.path, row.line});
    }
    if (!listed(agreement->indicators, row.indicator)) {
      throw Failure(Error{Errc::kForbidden,
                          fmt::format("indicator {} is not in data set {} ({})", row.indicator, dataset,
                                      fmt::join(agreement->indicators, " ")),
                          report.path, row.line});
    }
  }
  // Two uploads sharing a release (the same microsecond) would be published together: refused.
  if (store.FilesOf(file.source_id).size() > 1) {
    throw Failure(Error{Errc::kConflict, "another upload of this data set has the same release time: try again"});
  }
  store.SetSourceVisibility(file.source_id, who.org.id, std::string(kNeverVisible));
  Submission s;
  s.org = who.org.key, s.org_id = who.org.id, s.dataset = dataset, s.state = S::kDraft;
  s.source_id = file.source_id, s.file_id = file.id, s.note = note, s.submitter = who.account.login;
  s.created = s.updated = NowUtc();
  s.id = store.InsertSubmission(s);
  nlohmann::json after = State(s);
  after["file"] = file.sha256, after["rows"] = report.rows, after["quarantined"] = report.quarantined;
  after["note"] = note;
  AppendAudit(store, actor, "submission.upload", fmt::format("submission:{}", s.id), "", after.dump());
  return s;
}

Result<Submission> Act(Store& store, const Actor& actor, const Principal& who, std::int64_t id, const Step& step) {
  if (step.action == A::kReturn && Trim(step.reason).empty()) {
    return Error{Errc::kUsage, "a returned submission needs a reason (--reason)"};
  }
  if (auto ok = CheckText("--reason", step.reason, 2000); !ok) return ok.error();
  Transaction tx(store);
  auto found = FindVisible(store, who, id);
  if (!found) return found.error();
  Submission s = std::move(*found);
  if (auto ok = MayAct(who, s, step.action); !ok) return ok.error();
  const auto [from, to] = Edge(step.action);
  if (!from.contains(s.state)) {
    return Error{Errc::kConflict,
                 fmt::format("cannot {} submission {}: it is {}", ToString(step.action), id, ToString(s.state))};
  }
  if (step.action == A::kApprove) {
    if (const auto open = Uncommented(store, s); open > 0) {
      return Error{Errc::kConflict,
                   fmt::format("cannot approve submission {}: {} validation flag(s) need a comment first "
                               "(gpsi submission show {}; gpsi submission comment {} FLAG --text ...)",
                               id, open, id, id)};
    }
  }
  const std::string now = NowUtc();
  switch (step.action) {
    case A::kApprove: s.approver = who.account.login; break;
    case A::kAccept: s.reviewer = who.account.login; break;
    case A::kReturn: s.reason = step.reason; break;
    case A::kRevise: s.reason.clear(); break;
    case A::kPublish: {
      auto embargo = Embargo(step.embargo, now);
      if (!embargo) return embargo.error();
      s.embargo = *embargo;
      store.SetSourceVisibility(s.source_id, s.org_id, s.embargo);
      break;
    }
    case A::kSubmit: break;
  }
  Move(store, actor, s, to, ToString(step.action));
  if (step.action == A::kSubmit) Validate(store, s);
  tx.Commit();
  return s;
}

Result<SubmissionFlag> CommentFlag(Store& store, const Actor& actor, const Principal& who, std::int64_t id,
                                   std::int64_t flag, const std::string& text) {
  if (Trim(text).empty()) return Error{Errc::kUsage, "a comment needs its text (--text)"};
  if (auto ok = CheckText("--text", text, 2000); !ok) return ok.error();
  Transaction tx(store);
  auto found = FindVisible(store, who, id);
  if (!found) return found.error();
  if (auto ok = MayComment(who, *found); !ok) return ok.error();
  auto flags = store.Flags(id);
  auto f = std::find_if(flags.begin(), flags.end(), [&](const SubmissionFlag& x) { return x.id == flag; });
  if (f == flags.end()) return Error{Errc::kNotFound, fmt::format("submission {} has no flag {}", id, flag)};
  const auto before = FlagState(*f).dump();
  f->comment = text, f->commented_by = who.account.login, f->commented_at = NowUtc();
  store.UpdateFlag(*f);
  AppendAudit(store, actor, "submission.comment", fmt::format("submission:{}", id), before, FlagState(*f).dump());
  tx.Commit();
  return *f;
}

}  // namespace gpsi::platform
