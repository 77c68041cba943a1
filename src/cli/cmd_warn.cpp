// gpsi warn: the method's [[warn]] rules on the latest data, each warning with its evidence
// (warnings.csv); with --backtest, the rules' precision and recall (warn_skill.csv).
#include <fmt/format.h>

#include <tuple>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {
namespace {

//! The backtest's table: each rule's cells, events and base rate, warnings, hits, precision and
//! recall; then the rules that could not be scored, and why.
void PrintSkill(const engine::WarnConfig& cfg, const engine::WarnSummary& s) {
  fmt::print("warning rules at origins {}:{} against the index falling the year after{} → {}\n", cfg.first_origin,
             cfg.last_origin, cfg.surges.empty() ? "" : ", anomaly rules against the surges in " + cfg.surges,
             s.files.front());
  for (const auto& k : s.skill) {
    fmt::print(
        "  {:<16} {:<9} {:>5} cells, {:>4} {} (base rate {:.2f}), {:>4} warnings, {:>4} right: precision {:.2f}, "
        "recall {:.2f}\n",
        k.id, k.rule, k.cells, k.events, k.rule == "anomaly" ? "surges" : "falls",
        k.cells ? static_cast<double>(k.events) / static_cast<double>(k.cells) : 0.0, k.warnings, k.hits, k.precision,
        k.recall);
  }
  for (const auto& u : s.unscored) fmt::print("  not scored: {}\n", u);
}

}  // namespace

void AddWarn(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("warn", "early warnings on the latest data, or the warning rules' track record");
  auto cfg = std::make_shared<engine::WarnConfig>();
  auto origins = std::make_shared<std::string>("2010:2019");
  cmd->add_option("--method", cfg->build.method_path, "methodology file (TOML) with [[warn]] rules")->required();
  cmd->add_option("--set", cfg->build.sets, "override a methodology key: key=value (repeatable)");
  cmd->add_flag("--backtest", cfg->backtest, "score the rules at rolling origins instead (warn_skill.csv)");
  cmd->add_option("--origins", *origins, "backtest origins A:B (default 2010:2019)");
  cmd->add_option("--surges", cfg->surges,
                  "with --backtest: the known surges (CSV unit,period YYYY-MM) to score the anomaly rules against");
  cmd->add_option("--draws", cfg->draws, "draws of the forecast rule (default 1000)");
  cmd->add_option("--seed", cfg->seed, "random seed of the forecast rule (default 1)");
  cmd->add_option("--threads", cfg->threads, "threads (default: one per core)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--out", cfg->out_dir, "output folder")->required();
  cmd->callback([&g, cfg, origins] {
    cfg->build.db_path = g.db;
    auto range = YearRange("--origins", *origins);
    if (!range) return Report(g, range.error());
    std::tie(cfg->first_origin, cfg->last_origin) = *range;
    auto s = engine::Warn(*cfg);
    if (!s) return Report(g, s.error());
    if (g.json) {
      nlohmann::ordered_json j{{"warnings", s->warnings.size()}, {"files", s->files}};
      nlohmann::json skill = nlohmann::json::array();
      for (const auto& k : s->skill) {
        skill.push_back({{"id", k.id},
                         {"rule", k.rule},
                         {"cells", k.cells},
                         {"warnings", k.warnings},
                         {"events", k.events},
                         {"hits", k.hits},
                         {"precision", k.precision == k.precision ? nlohmann::json(k.precision) : nlohmann::json()},
                         {"recall", k.recall == k.recall ? nlohmann::json(k.recall) : nlohmann::json()}});
      }
      j["skill"] = skill;
      if (cfg->backtest) j["unscored"] = s->unscored;
      fmt::print("{}\n", j.dump(2));
      return;
    }
    if (g.quiet) return;
    if (cfg->backtest) {
      PrintSkill(*cfg, *s);
      return;
    }
    fmt::print("{} warnings → {}\n", s->warnings.size(), s->files.front());
    for (const auto& w : s->warnings) fmt::print("  [{}] {} {}: {}\n", w.severity, w.unit, w.id, w.message);
  });
}

}  // namespace gpsi::cli
