// gpsi events FILE… [--period year|month] [--out FILE.csv]: GDELT 2.0 event exports into
// country-period indicators and event points; prints a per-file log and what was stored.
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {
namespace {

std::string FileStatus(const EventsReport& r, const EventFileReport& f) {
  if (f.duplicate) return "duplicate";
  if (r.unchanged || f.stored_before) return "unchanged";
  return "ingested";
}

std::string Counts(const std::map<std::string, std::int64_t>& m) {
  std::string out;
  for (const auto& [k, n] : m) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", k, n);
  return out;
}

}  // namespace

void AddEvents(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("events", "aggregate GDELT 2.0 event exports (plain or gzip) by country and period");
  auto cfg = std::make_shared<engine::EventsConfig>();
  cmd->add_option("files", cfg->paths, "GDELT 2.0 *.export.CSV files (or folders of them)")->required();
  cmd->add_option("--period", cfg->period, "year (default) or month (stored as CODE_m01…CODE_m12)")
      ->check(CLI::IsMember({"year", "month"}));
  cmd->add_option("--out", cfg->out, "also write unit,period,indicator,value CSV to this file");
  cmd->callback([&g, cfg] {
    cfg->db_path = g.db;
    auto report = engine::Events(*cfg);
    if (!report) return Report(g, report.error());
    const EventsReport& r = *report;
    if (g.json) {
      nlohmann::json files = nlohmann::json::array();
      for (const auto& f : r.files) {
        files.push_back({{"path", f.path},
                         {"status", FileStatus(r, f)},
                         {"sha256", f.sha256},
                         {"gzip", f.gzip},
                         {"bytes", f.bytes},
                         {"lines", f.lines},
                         {"blank", f.blank},
                         {"events", f.events},
                         {"accepted", f.accepted},
                         {"no_country", f.no_country},
                         {"unknown_fips", f.unknown_fips},
                         {"unknown_fips_codes", f.unknown_codes},
                         {"quarantined", f.quarantined},
                         {"quarantine_not_stored", f.quarantine_not_stored},
                         {"points", f.points},
                         {"bad_points", f.bad_points},
                         {"reasons", f.reasons}});
      }
      fmt::print("{}\n", nlohmann::json{{"unchanged", r.unchanged},
                                        {"source", r.source_key},
                                        {"manifest_sha256", r.manifest_sha256},
                                        {"observations", r.observations},
                                        {"points", r.points},
                                        {"values", r.values.size()},
                                        {"files", files}}
                             .dump());
      return;
    }
    if (g.quiet) return;
    std::map<std::string, std::int64_t> unknown;
    for (const auto& f : r.files) {
      fmt::print(
          "{:<9} {}{}  lines {} events {} accepted {} quarantined {} no-country {} unknown-fips {} points {}{}{}\n",
          FileStatus(r, f), f.path, f.gzip ? " (gzip)" : "", f.lines, f.events, f.accepted, f.quarantined, f.no_country,
          f.unknown_fips, f.points, f.bad_points > 0 ? fmt::format(" bad-points {}", f.bad_points) : "",
          f.reasons.empty() ? "" : "  (quarantined: " + Counts(f.reasons) + ")");
      if (f.quarantine_not_stored > 0) {
        fmt::print("          {} quarantined line(s) counted but not stored (per-run cap)\n", f.quarantine_not_stored);
      }
      for (const auto& [code, n] : f.unknown_codes) unknown[code] += n;
    }
    if (!unknown.empty()) fmt::print("\nFIPS codes the reference does not map (events): {}\n", Counts(unknown));
    if (r.unchanged) {
      fmt::print("\nunchanged: these files were already aggregated with --period {} (manifest {})\n", cfg->period,
                 r.manifest_sha256.substr(0, 12));
      if (r.points > 0) fmt::print("added {} event point(s) the store did not hold yet\n", r.points);
    } else {
      fmt::print("\nstored {} observation(s) and {} new event point(s) of {} (tier 4), manifest {}\n", r.observations,
                 r.points, r.source_key, r.manifest_sha256.substr(0, 12));
    }
  });
}

}  // namespace gpsi::cli
