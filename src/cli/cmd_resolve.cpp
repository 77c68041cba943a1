// gpsi resolve --report FILE.csv: cells where sources disagree beyond a threshold.
#include <fstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {

void AddResolve(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("resolve", "report where sources disagree on a cell");
  auto cfg = std::make_shared<engine::ResolveConfig>();
  auto report = std::make_shared<std::string>();
  cmd->add_option("--report", *report, "CSV file to write")->required();
  cmd->add_option("--threshold", cfg->threshold, "relative difference that counts (default 0.10)")->check(AboveZero());
  cmd->callback([&g, cfg, report] {
    cfg->db_path = g.db;
    auto rows = engine::Disagreements(*cfg);
    if (!rows) return Report(g, rows.error());
    std::ofstream out(*report);
    if (!out) return Report(g, Error{Errc::kWrite, "cannot write report", *report});
    engine::WriteDisagreements(*rows, out);
    fmt::print("{} cell(s) where sources differ by more than {:.0f}% → {}\n", rows->size(), cfg->threshold * 100,
               *report);
  });
}

}  // namespace gpsi::cli
