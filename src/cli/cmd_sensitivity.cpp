// gpsi sensitivity: Sobol indices of the method's uncertain inputs on the index ranks.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {

void AddSensitivity(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("sensitivity", "Sobol sensitivity of the ranks to each uncertain input");
  auto cfg = std::make_shared<engine::SensitivityConfig>();
  cmd->add_option("--method", cfg->build.method_path, "methodology file (TOML) with an [uncertainty] table");
  cmd->add_option("--coinr-data", cfg->build.coinr_data, "COINr iData table (CSV)");
  cmd->add_option("--coinr-meta", cfg->build.coinr_meta, "COINr iMeta table (CSV)");
  cmd->add_option("--set", cfg->build.sets, "override a methodology key: key=value (repeatable)");
  cmd->add_option("--samples", cfg->samples, "N of the Saltelli design: N·(k+2) runs (default 1000)")
      ->check(AtLeastOne());
  cmd->add_option("--seed", cfg->seed, "random seed (default 1)");
  cmd->add_option("--threads", cfg->threads, "threads (default: one per core)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--bootstrap", cfg->bootstrap, "bootstrap resamples for the rank shift's intervals (default 1000)");
  cmd->add_option("--unit-bootstrap", cfg->unit_bootstrap,
                  "bootstrap resamples for each unit's rank intervals (default 200, 0 = none)");
  cmd->add_option("--out", cfg->out_dir, "output folder")->required();
  cmd->callback([&g, cfg] {
    cfg->build.db_path = g.db;
    auto s = engine::Sensitivity(*cfg);
    if (!s) return Report(g, s.error());
    if (!s->primary) return;
    if (g.json) {
      nlohmann::ordered_json j{{"runs", s->runs},
                               {"failed", s->failed},
                               {"inputs", s->input_names},
                               {"seconds", s->seconds},
                               {"out", cfg->out_dir}};
      fmt::print("{}\n", j.dump(2));
      return;
    }
    if (g.quiet) return;
    fmt::print("{} runs ({} failed, {} inputs) in {:.2f} s → {}/sensitivity.csv\n", s->runs, s->failed, s->inputs,
               s->seconds, cfg->out_dir);
    fmt::print("total effect on the mean absolute rank shift:");
    for (std::size_t i = 0; i < s->inputs; ++i) fmt::print(" {} {:.3f}", s->input_names[i], s->shift[i].total);
    fmt::print("\n");
  });
}

}  // namespace gpsi::cli
