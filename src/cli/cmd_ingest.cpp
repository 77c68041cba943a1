// gpsi ingest PATH…: ingest files and folders; prints a per-file log and a per-source summary.
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {
namespace {

std::string_view StatusName(FileReport::Status s) {
  switch (s) {
    case FileReport::Status::kIngested: return "ingested";
    case FileReport::Status::kUnchanged: return "unchanged";
    case FileReport::Status::kSkipped: return "skipped";
    case FileReport::Status::kRejected: return "rejected";
  }
  return "?";
}

struct SourceTotals {
  int tier = 0;
  std::int64_t files = 0, rows = 0, accepted = 0, quarantined = 0;
  std::map<std::string, std::int64_t> skipped, reasons, warnings;
};

}  // namespace

void AddIngest(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("ingest", "ingest data files and folders into the store");
  auto cfg = std::make_shared<engine::IngestConfig>();
  cmd->add_option("paths", cfg->paths, "files and folders")->required();
  cmd->add_option("--descriptor", cfg->descriptor, "use this source descriptor for every file");
  cmd->add_option("--descriptors", cfg->descriptor_dir, "folder of descriptors (default data/descriptors)");
  cmd->add_flag("--strict", cfg->strict, "reject a file when any row would be quarantined");
  cmd->callback([&g, cfg] {
    cfg->db_path = g.db;
    auto reports = engine::Ingest(*cfg);
    if (!reports) return Report(g, reports.error());
    std::map<std::string, SourceTotals> totals;
    std::vector<std::string> unmatched;
    std::map<std::string, int> skip_reasons;
    nlohmann::json files = nlohmann::json::array();
    for (const auto& r : *reports) {
      if (r.status == FileReport::Status::kRejected) Report(g, r.error);
      if (r.status == FileReport::Status::kSkipped) {
        // Files no descriptor matches are listed one by one; deliberate skips are counted by reason.
        if (r.descriptor.empty()) {
          unmatched.push_back(r.path);
        } else {
          ++skip_reasons[r.note];
        }
      }
      if (g.json) {
        files.push_back({{"path", r.path},
                         {"status", StatusName(r.status)},
                         {"descriptor", r.descriptor},
                         {"source", r.source_key},
                         {"tier", r.tier},
                         {"rows", r.rows},
                         {"accepted", r.accepted},
                         {"quarantined", r.quarantined},
                         {"skipped", r.skipped},
                         {"reasons", r.reasons},
                         {"warnings", r.warnings},
                         {"note", r.note},
                         {"error", r.status == FileReport::Status::kRejected ? r.error.Format() : ""}});
      } else if (!g.quiet && r.status != FileReport::Status::kSkipped) {
        fmt::print("{:<9} {}  rows {} accepted {} quarantined {}{}\n", StatusName(r.status), r.path, r.rows, r.accepted,
                   r.quarantined, r.note.empty() ? "" : "  (" + r.note + ")");
      }
      if (r.status != FileReport::Status::kIngested) continue;
      auto& t = totals[r.source_key];
      t.tier = r.tier;
      ++t.files;
      t.rows += r.rows, t.accepted += r.accepted, t.quarantined += r.quarantined;
      for (const auto& [k, n] : r.skipped) t.skipped[k] += n;
      for (const auto& [k, n] : r.reasons) t.reasons[k] += n;
      for (const auto& [k, n] : r.warnings) t.warnings[k] += n;
    }
    if (g.json) {
      fmt::print("{}\n", nlohmann::json{{"files", files}}.dump());
      return;
    }
    if (!totals.empty()) {
      fmt::print("\n{:<34} {:>4} {:>5} {:>8} {:>8} {:>6}  {}\n", "source", "tier", "files", "rows", "accepted", "quar.",
                 "skipped / quarantine reasons");
      for (const auto& [key, t] : totals) {
        std::string notes;
        for (const auto& [k, n] : t.skipped) notes += fmt::format("{}{} {}", notes.empty() ? "" : ", ", k, n);
        for (const auto& [k, n] : t.reasons) {
          notes += fmt::format("{}quarantined {} {}", notes.empty() ? "" : ", ", k, n);
        }
        for (const auto& [k, n] : t.warnings) notes += fmt::format("{}warning {} {}", notes.empty() ? "" : ", ", k, n);
        fmt::print("{:<34} {:>4} {:>5} {:>8} {:>8} {:>6}  {}\n", key, t.tier ? std::to_string(t.tier) : "-", t.files,
                   t.rows, t.accepted, t.quarantined, notes);
      }
    }
    if (!skip_reasons.empty() && !g.quiet) {
      fmt::print("\nskipped on purpose (the descriptor says why; --json lists the files):\n");
      for (const auto& [reason, n] : skip_reasons) fmt::print("  {:>3} × {}\n", n, reason);
    }
    if (!unmatched.empty()) {
      fmt::print("\nskipped {} file(s) that no descriptor matches:\n", unmatched.size());
      for (const auto& s : unmatched) fmt::print("  {}\n", s);
    }
  });
}

}  // namespace gpsi::cli
