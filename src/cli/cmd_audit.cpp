// gpsi audit: builds the index like `gpsi build` and writes its coherence analysis (correlations,
// Cronbach's alpha, PCA, flags and summary.txt) for one year into --out; see docs/audit.md.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {

void AddAudit(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("audit", "coherence analysis: correlations, Cronbach's alpha, PCA, flags, summary");
  auto cfg = std::make_shared<engine::AuditConfig>();
  cmd->add_option("--method", cfg->build.method_path, "methodology file (TOML)");
  cmd->add_option("--coinr-data", cfg->build.coinr_data, "COINr iData table (CSV)");
  cmd->add_option("--coinr-meta", cfg->build.coinr_meta, "COINr iMeta table (CSV)");
  cmd->add_option("--set", cfg->build.sets, "override a methodology key: key=value (repeatable)");
  cmd->add_option("--out", cfg->out_dir, "output folder")->required();
  cmd->add_option("--p-threshold", cfg->p_threshold,
                  "blank correlations with p above this (COINr get_corr pval); 1 or 0 = none")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--year", cfg->year, "year to audit (default: the latest)")->check(CLI::NonNegativeNumber);
  cmd->callback([&g, cfg] {
    cfg->build.db_path = g.db;
    auto a = engine::Audit(*cfg);
    if (!a) return Report(g, a.error());
    if (g.json) {
      nlohmann::ordered_json j{{"year", a->year == 0 ? nlohmann::json() : nlohmann::json(a->year)},
                               {"units", a->units},
                               {"flags", a->flags},
                               {"files", a->files},
                               {"out", cfg->out_dir}};
      fmt::print("{}\n", j.dump(2));
    } else if (!g.quiet) {
      fmt::print("{}\n{} tables written to {}\n", a->summary, a->files.size(), cfg->out_dir);
    }
  });
}

}  // namespace gpsi::cli
