// gpsi export: the resolved panel (or every observation) as CSV on stdout.
#include <iostream>

#include <fmt/format.h>

#include <tuple>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {

void AddExport(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("export", "write unit,year,indicator,value,source,tier as CSV to stdout");
  auto cfg = std::make_shared<engine::ExportConfig>();
  auto years = std::make_shared<std::string>();
  cmd->add_option("--indicator", cfg->indicators, "indicator codes (default all)");
  cmd->add_option("--years", *years, "year range A:B");
  cmd->add_flag("--all-sources", cfg->all_sources, "every stored observation, not only the resolved one");
  cmd->callback([&g, cfg, years] {
    cfg->db_path = g.db;
    if (!years->empty()) {
      auto range = YearRange("--years", *years);
      if (!range) return Report(g, range.error());
      std::tie(cfg->year_from, cfg->year_to) = *range;
    }
    std::ios::sync_with_stdio(false);
    if (Status s = engine::Export(*cfg, std::cout); !s) Report(g, s.error());
    std::cout.flush();
  });
}

}  // namespace gpsi::cli
