// gpsi submission upload|submit|approve|accept|publish|return|revise|comment|list|show: a member's data
// through review, acting as the holder of an API token ($GPSI_TOKEN, or the first line of
// --token-file; never an argument, which `ps` would show).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "engine.hpp"
#include "report.hpp"

namespace gpsi::cli {
namespace {

void PrintSubmission(const Submission& s) {
  fmt::print("#{:<5} {:<10} {:<12} {:<10} by {}{}{}{}\n", s.id, s.org, s.dataset, ToString(s.state), s.submitter,
             s.approver.empty() ? "" : ", approved by " + s.approver,
             s.embargo.empty() ? "" : ", public from " + s.embargo, s.reason.empty() ? "" : "  — " + s.reason);
}

//! Prints each quarantined row as `file:line:column: error: reason (detail)`.
void PrintQuarantine(const std::string& file, const std::vector<QuarantineRow>& rows) {
  for (const auto& q : rows) fmt::print("{}:{}:{}: error: {} ({})\n", file, q.line, q.column, q.reason, q.detail);
}

//! What a flag's score and reference mean, in words.
std::string FlagWhy(const SubmissionFlag& f) {
  switch (f.kind) {
    case FlagKind::kOutlier: return fmt::format("z = {:.2f} against the history's mean {:.4g}", f.score, f.reference);
    case FlagKind::kUnDifference: return fmt::format("{:.1f}% from the UN value {:.4g}", 100 * f.score, f.reference);
    case FlagKind::kSeriesBreak:
      return fmt::format("change from {:.4g} the year before: z = {:.2f}", f.reference, f.score);
  }
  return "";
}

//! Prints each flag as `flag ID  unit indicator year  kind: value, why — comment`.
void PrintFlags(const std::vector<SubmissionFlag>& flags) {
  for (const auto& f : flags) {
    fmt::print("  flag {:<5} {} {} {}  {}: {:.4g}, {}  {}\n", f.id, f.unit, f.indicator, f.year, ToString(f.kind),
               f.value, FlagWhy(f), f.comment.empty() ? "[needs a comment]" : "— " + f.commented_by + ": " + f.comment);
  }
}

//! `submission <action> ID`, for each review step.
void AddStep(CLI::App& sub, Globals& g, std::shared_ptr<std::string> token_file, const char* action, const char* help) {
  auto* cmd = sub.add_subcommand(action, help);
  auto id = std::make_shared<std::int64_t>(0);
  auto reason = std::make_shared<std::string>();
  auto embargo = std::make_shared<std::string>();
  cmd->add_option("id", *id, "submission id")->required();
  if (std::string_view(action) == "return") cmd->add_option("--reason", *reason, "why it goes back")->required();
  if (std::string_view(action) == "publish") {
    cmd->add_option("--embargo", *embargo, "publish at this UTC day or time (2027-01-15 or 2027-01-15T08:00:00Z)");
  }
  cmd->callback([&g, token_file, action, id, reason, embargo] {
    auto token = ApiToken(*token_file);
    if (!token) return Report(g, token.error());
    auto s = engine::ActOnSubmission(g.db, *token, engine::CliActor().origin, *id, action, *reason, *embargo);
    if (!s) return Report(g, s.error());
    if (g.json) return fmt::print("{}\n", report::SubmissionJson(*s));
    PrintSubmission(*s);
    if (s->state == SubmissionState::kValidated && std::string_view(action) == "submit") {
      auto d = engine::SubmissionDetails(g.db, *token, *id);
      if (d && !d->flags.empty()) {
        fmt::print(
            "{} value(s) flagged: comment on each before approval (gpsi submission comment {} FLAG --text ...)\n",
            d->flags.size(), *id);
        PrintFlags(d->flags);
      }
    }
  });
}

//! `submission comment ID FLAG --text ...`: a member's comment on a validation flag.
void AddComment(CLI::App& sub, Globals& g, std::shared_ptr<std::string> token_file) {
  auto* cmd = sub.add_subcommand("comment", "comment on a validation flag, so that the submission can be approved");
  auto id = std::make_shared<std::int64_t>(0);
  auto flag = std::make_shared<std::int64_t>(0);
  auto text = std::make_shared<std::string>();
  cmd->add_option("id", *id, "submission id")->required();
  cmd->add_option("flag", *flag, "flag id (gpsi submission show)")->required();
  cmd->add_option("--text", *text, "why the value stands (or what will be corrected)")->required();
  cmd->callback([&g, token_file, id, flag, text] {
    auto token = ApiToken(*token_file);
    if (!token) return Report(g, token.error());
    auto f = engine::CommentOnFlag(g.db, *token, engine::CliActor().origin, *id, *flag, *text);
    if (!f) return Report(g, f.error());
    if (g.json) return fmt::print("{}\n", report::FlagJson(*f));
    PrintFlags({*f});
  });
}

}  // namespace

void AddSubmission(CLI::App& app, Globals& g) {
  auto* sub = app.add_subcommand("submission", "a member's data through review (docs/platform.md)");
  sub->require_subcommand(1);
  auto token_file = std::make_shared<std::string>();
  sub->add_option("--token-file", *token_file, "file whose first line is the API token (default $GPSI_TOKEN)");

  auto* upload = sub->add_subcommand("upload", "upload a file as a draft submission and show its validation");
  auto cfg = std::make_shared<engine::UploadConfig>();
  upload->add_option("file", cfg->file, "canonical CSV (unit,year,indicator,value), or any layout with --descriptor")
      ->required();
  upload->add_option("--dataset", cfg->dataset, "the data set of a provision agreement")->required();
  upload->add_option("--descriptor", cfg->descriptor, "how to read the file (docs/descriptors.md)");
  upload->add_option("--note", cfg->note, "what changed, for the reviewers");
  upload->callback([&g, token_file, cfg] {
    auto token = ApiToken(*token_file);
    if (!token) return Report(g, token.error());
    cfg->db_path = g.db, cfg->token = *token, cfg->origin = engine::CliActor().origin;
    auto r = engine::Upload(*cfg);
    if (!r) return Report(g, r.error());
    if (g.json) return fmt::print("{}\n", report::UploadJson(*r));
    PrintSubmission(r->submission);
    fmt::print("{} rows: {} accepted, {} quarantined\n", r->report.rows, r->report.accepted, r->report.quarantined);
    PrintQuarantine(cfg->file, r->quarantine);
  });

  AddStep(*sub, g, token_file, "submit", "submit a draft for validation and approval");
  AddStep(*sub, g, token_file, "approve", "approve a validated submission (its organisation's approver)");
  AddStep(*sub, g, token_file, "accept", "accept an approved submission (the secretariat)");
  AddStep(*sub, g, token_file, "publish", "publish an accepted submission, now or at an embargo time");
  AddStep(*sub, g, token_file, "return", "send a submission back with a reason");
  AddStep(*sub, g, token_file, "revise", "take a returned submission back to draft");
  AddComment(*sub, g, token_file);

  sub->add_subcommand("list", "the submissions the token's holder may see")->callback([&g, token_file] {
    auto token = ApiToken(*token_file);
    if (!token) return Report(g, token.error());
    auto list = engine::Submissions(g.db, *token);
    if (!list) return Report(g, list.error());
    if (g.json) return fmt::print("{}\n", report::SubmissionsJson(*list));
    for (const auto& s : *list) {
      PrintSubmission(s.submission);
      if (!s.actions.empty())
        fmt::print("       {}: {}\n", s.awaits ? "your turn" : "open to you", fmt::join(s.actions, ", "));
    }
  });

  auto* show =
      sub->add_subcommand("show", "one submission: its rows, quarantined rows, validation flags and audit trail");
  auto id = std::make_shared<std::int64_t>(0);
  show->add_option("id", *id, "submission id")->required();
  show->callback([&g, token_file, id] {
    auto token = ApiToken(*token_file);
    if (!token) return Report(g, token.error());
    auto d = engine::SubmissionDetails(g.db, *token, *id);
    if (!d) return Report(g, d.error());
    if (g.json) return fmt::print("{}\n", report::SubmissionDetailJson(*d));
    PrintSubmission(d->submission);
    for (const auto& r : d->rows)
      fmt::print("  line {:>6}  {} {} {}  {}\n", r.line, r.unit, r.indicator, r.year, r.value);
    PrintQuarantine("line", d->quarantine);
    PrintFlags(d->flags);
    for (const auto& e : d->trail) fmt::print("  {}  {:<22} {}\n", e.at, e.action, e.actor);
  });
}

}  // namespace gpsi::cli
