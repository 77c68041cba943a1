// gpsi validate: the index against measures it does not read (external indices, known groups),
// the coherence of its dimensions, rank shifts from the previous method version and the agreement
// of every fallback series; CSV tables, summary.md and validation.json in --out (docs/validation.md).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {

void AddValidate(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("validate", "validate the index against independent measures; rank shifts");
  auto cfg = std::make_shared<engine::ValidateConfig>();
  cmd->add_option("--method", cfg->build.method_path, "methodology file (TOML)")->required();
  cmd->add_option("--set", cfg->build.sets, "override a methodology key: key=value (repeatable)");
  cmd->add_option("--previous", cfg->previous, "the previous version's methodology file: rank shifts against it");
  cmd->add_option("--plan", cfg->plan, "validation plan (default: validation.toml beside the method)");
  cmd->add_option("--validators", cfg->validators,
                  "folder of the plan's external files (default: $GPSI_VALIDATION, else ../shared/validation)");
  cmd->add_option("--bootstrap", cfg->bootstrap, "bootstrap resamples for every interval")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  cmd->add_option("--seed", cfg->seed, "seed of the resamples");
  cmd->add_option("--out", cfg->out_dir, "output folder")->required();
  cmd->callback([&g, cfg] {
    cfg->build.db_path = g.db;
    auto v = engine::Validate(*cfg);
    if (!v) return Report(g, v.error());
    if (g.json) {
      std::size_t holds = 0;
      for (const auto& c : v->groups) holds += c.holds ? 1 : 0;
      nlohmann::ordered_json j{{"method_version", v->method_version},
                               {"previous_version", v->previous_version},
                               {"latest_year", v->latest_year},
                               {"externals", v->externals.size()},
                               {"known_groups", v->groups.size()},
                               {"known_groups_holding", holds},
                               {"unexplained_negative_correlations", v->unexplained},
                               {"files", v->files},
                               {"out", cfg->out_dir}};
      fmt::print("{}\n", j.dump(2));
    } else if (!g.quiet) {
      fmt::print("{}\n{} files written to {}\n", v->summary, v->files.size(), cfg->out_dir);
    }
  });
}

}  // namespace gpsi::cli
