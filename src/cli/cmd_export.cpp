// gpsi export: the published panel (resolved, or every observation) as CSV or SDMX-CSV on stdout.
#include <iostream>

#include <fmt/format.h>

#include <map>
#include <tuple>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {

void AddExport(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "export", "write the published values as CSV (unit,year,indicator,value,source,tier) or SDMX-CSV to stdout");
  auto cfg = std::make_shared<engine::ExportConfig>();
  auto years = std::make_shared<std::string>();
  cmd->add_option("--indicator", cfg->indicators, "indicator codes (default all)");
  cmd->add_option("--years", *years, "year range A:B");
  cmd->add_flag("--all-sources", cfg->all_sources, "every stored observation, not only the resolved one");
  cmd->add_option("--format", cfg->format, "csv (default) or sdmx-csv (SDMX-CSV 2.0, docs/platform.md)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, engine::ExportFormat>{{"csv", engine::ExportFormat::kCsv},
                                                      {"sdmx-csv", engine::ExportFormat::kSdmxCsv}},
          CLI::ignore_case));
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
