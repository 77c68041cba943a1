// gpsi update [--only SOURCE…] [--from DIR] [--dry-run]: fetch the official endpoints (or read local
// copies) and ingest each source as a new vintage; one line per source, errors per source.
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {
namespace {

std::string_view StatusName(UpdateReport::Status s) {
  switch (s) {
    case UpdateReport::Status::kIngested: return "ingested";
    case UpdateReport::Status::kUnchanged: return "unchanged";
    case UpdateReport::Status::kNoLocalCopy: return "no-local-copy";
    case UpdateReport::Status::kNoEndpoint: return "no-endpoint";
    case UpdateReport::Status::kDryRun: return "dry-run";
    case UpdateReport::Status::kFailed: return "failed";
  }
  return "?";
}

// "NAME=URL" → (NAME, URL); a bare URL applies to every adapter group ("*").
std::pair<std::string, std::string> SplitBase(const std::string& s) {
  auto eq = s.find('=');
  auto scheme = s.find("://");
  if (eq == std::string::npos || (scheme != std::string::npos && eq > scheme)) return {"*", s};
  return {s.substr(0, eq), s.substr(eq + 1)};
}

}  // namespace

std::map<std::string, std::string> UpdateBaseUrls(const std::vector<std::string>& options) {
  std::map<std::string, std::string> out;
  if (const char* env = std::getenv("GPSI_UPDATE_BASE_URL"); env && *env) {
    std::string all(env);
    for (std::size_t start = 0; start <= all.size();) {
      auto end = all.find(';', start);
      std::string item = all.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (!item.empty()) out.insert(SplitBase(item));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  for (const auto& b : options) out[SplitBase(b).first] = SplitBase(b).second;  // options win over env
  return out;
}

void AddUpdate(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("update", "fetch the official endpoints and ingest new releases (docs/update.md)");
  auto cfg = std::make_shared<engine::UpdateConfig>();
  auto bases = std::make_shared<std::vector<std::string>>();
  auto timeout_s = std::make_shared<double>(300), connect_s = std::make_shared<double>(15);
  auto backoff_s = std::make_shared<double>(1);
  cmd->add_option("--only", cfg->options.only, "adapters or groups (who-gho, world-bank, un-sdg, owid, unsd-m49)");
  cmd->add_option("--from", cfg->options.from_dir, "ingest saved responses / publisher exports from this folder");
  cmd->add_flag("--dry-run", cfg->options.dry_run, "fetch and validate, print what would be ingested, store nothing");
  cmd->add_option("--base-url", *bases,
                  "GROUP=URL (or URL for every group): another server for an adapter group (tests, mirrors); "
                  "also $GPSI_UPDATE_BASE_URL, entries separated by ';'");
  cmd->add_option("--timeout", *timeout_s, "seconds per request, body included (default 300)");
  cmd->add_option("--connect-timeout", *connect_s, "seconds to connect (default 15)");
  cmd->add_option("--retries", cfg->options.fetch.retries,
                  "further attempts after 5xx/429/connection errors (default 3)")
      ->check(CLI::Range(0, 10));
  cmd->add_option("--backoff", *backoff_s, "seconds before the first retry, doubled each time (default 1)");
  cmd->add_option("--descriptors", cfg->options.descriptor_dir, "folder of descriptors (default data/descriptors)");
  cmd->callback([&g, cfg, bases, timeout_s, connect_s, backoff_s] {
    cfg->db_path = g.db;
    auto& o = cfg->options;
    o.fetch.total_timeout_ms = static_cast<long>(*timeout_s * 1000);
    o.fetch.connect_timeout_ms = static_cast<long>(*connect_s * 1000);
    o.fetch.backoff_ms = static_cast<long>(*backoff_s * 1000);
    o.base_urls = UpdateBaseUrls(*bases);
    auto reports = engine::Update(*cfg);
    if (!reports) return Report(g, reports.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *reports) {
      if (r.status == UpdateReport::Status::kFailed) Report(g, r.error);
      std::int64_t accepted = 0, quarantined = 0;
      for (const auto& f : r.files) accepted += f.accepted, quarantined += f.quarantined;
      if (g.json) {
        out.push_back({{"source", r.adapter},
                       {"status", StatusName(r.status)},
                       {"url", r.url},
                       {"pages", r.pages},
                       {"attempts", r.attempts},
                       {"records", r.records},
                       {"bytes", r.bytes},
                       {"sha256", r.sha256},
                       {"release", r.release},
                       {"accepted", accepted},
                       {"quarantined", quarantined},
                       {"note", r.note},
                       {"error", r.status == UpdateReport::Status::kFailed ? r.error.Format() : ""}});
      } else if (!g.quiet && r.status != UpdateReport::Status::kFailed) {
        std::string what = r.status == UpdateReport::Status::kIngested
                               ? fmt::format("release {}  accepted {} quarantined {}", r.release, accepted, quarantined)
                               : r.note;
        fmt::print("{:<13} {:<36} {}\n", StatusName(r.status), r.adapter, what);
      }
    }
    if (g.json) fmt::print("{}\n", out.dump());
  });
}

}  // namespace gpsi::cli
