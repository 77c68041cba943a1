// gpsi uncertainty: Monte Carlo uncertainty analysis of an index (the method's [uncertainty]
// inputs, or a replayed COINr design), writing rank intervals for every unit and aggregate.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {

void AddUncertainty(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("uncertainty", "Monte Carlo uncertainty analysis: rank intervals (rank_stats.csv)");
  auto cfg = std::make_shared<engine::UncertaintyConfig>();
  cmd->add_option("--method", cfg->build.method_path, "methodology file (TOML) with an [uncertainty] table");
  cmd->add_option("--coinr-data", cfg->build.coinr_data, "COINr iData table (CSV)");
  cmd->add_option("--coinr-meta", cfg->build.coinr_meta, "COINr iMeta table (CSV)");
  cmd->add_option("--set", cfg->build.sets, "override a methodology key: key=value (repeatable)");
  cmd->add_option("--samples", cfg->samples, "Monte Carlo runs (default 1000)")->check(AtLeastOne());
  cmd->add_option("--seed", cfg->seed, "random seed (default 1)");
  cmd->add_option("--threads", cfg->threads, "threads (default: one per core)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--keep-runs", cfg->keep_runs, "also write every run (runs.csv)");
  cmd->add_option("--design", cfg->design, "replay an explicit design (COINr design.csv layout)");
  cmd->add_option("--weight-sets", cfg->weight_sets, "weight sets of the design (COINr noisy_weights.csv layout)");
  cmd->add_option("--out", cfg->out_dir, "output folder")->required();
  auto table = std::make_shared<bool>(false);
  cmd->add_flag("--table", *table, "print every index rank of the latest year with its 90 % interval");
  cmd->callback([&g, cfg, table] {
    cfg->build.db_path = g.db;
    cfg->progress = !g.quiet && !g.json;
    auto s = engine::Uncertainty(*cfg);
    if (!s) return Report(g, s.error());
    if (!s->primary) return;  // under mpirun, rank 0 reports
    if (g.json) {
      nlohmann::ordered_json j{{"runs", s->runs},    {"failed", s->failed},    {"seconds", s->seconds},
                               {"rows", s->rows},    {"aggregates", s->nodes}, {"processes", s->ranks},
                               {"out", cfg->out_dir}};
      fmt::print("{}\n", j.dump(2));
    } else if (!g.quiet) {
      fmt::print("{} runs ({} failed) in {:.3f} s ({:.0f} runs/s{}) → {}/rank_stats.csv\n", s->runs, s->failed,
                 s->seconds, s->seconds > 0 ? static_cast<double>(s->runs) / s->seconds : 0.0,
                 s->ranks > 1 ? fmt::format(", {} processes", s->ranks) : std::string(), cfg->out_dir);
    }
    if (*table && !g.json && !s->latest.empty()) {
      // Three columns: rank [5th–95th percentile of the rank over the runs] unit name.
      fmt::print("\nindex ranks {} with 90 % intervals over {} runs: rank [p05–p95] unit\n", s->latest.front().year,
                 s->runs);
      const std::size_t n = s->latest.size(), rows = (n + 2) / 3;
      for (std::size_t i = 0; i < rows; ++i) {
        std::string line;
        for (std::size_t c = 0; c < 3; ++c) {
          std::size_t k = i + c * rows;
          if (k >= n) break;
          const auto& x = s->latest[k];
          line += fmt::format("{:>4} [{:>3.0f}–{:<3.0f}] {:<5}{:<14.14}  ", x.nominal, x.p05, x.p95, x.unit, x.name);
        }
        fmt::print("{}\n", line);
      }
    }
  });
}

}  // namespace gpsi::cli
