// gpsi forecast: each indicator of a method forecast 1..horizon years past its last year as draws
// (forecasts.csv), or, with --backtest, every model scored at rolling origins (scoreboard.csv).
#include <fmt/format.h>

#include <fmt/ranges.h>
#include <tuple>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {

void AddForecast(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("forecast", "forecast the method's indicators, or backtest the forecast models");
  auto cfg = std::make_shared<engine::ForecastConfig>();
  auto origins = std::make_shared<std::string>("2010:2019");
  cmd->add_option("--method", cfg->build.method_path, "methodology file (TOML)")->required();
  cmd->add_option("--set", cfg->build.sets, "override a methodology key: key=value (repeatable)");
  cmd->add_option("--horizon", cfg->horizon, "years past the last data year (default 3)");
  cmd->add_option("--draws", cfg->draws, "draws per forecast (default 1000)");
  cmd->add_option("--seed", cfg->seed, "random seed (default 1)");
  cmd->add_option(
      "--model", cfg->model,
      "no-change, drift, own-bootstrap, global-bootstrap, negbin, pooled or ensemble (default: the method's "
      "forecast.model)");
  cmd->add_flag("--backtest", cfg->backtest, "score every model at rolling origins instead (scoreboard.csv)");
  cmd->add_option("--origins", *origins, "backtest origins A:B (default 2010:2019)");
  cmd->add_option("--seeds", cfg->seeds, "backtest: seeds of the draws, for the seed-to-seed spread (default 1)");
  cmd->add_option("--threads", cfg->threads, "threads (default: one per core)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--out", cfg->out_dir, "output folder")->required();
  cmd->callback([&g, cfg, origins] {
    cfg->build.db_path = g.db;
    auto range = YearRange("--origins", *origins);
    if (!range) return Report(g, range.error());
    std::tie(cfg->first_origin, cfg->last_origin) = *range;
    auto s = engine::Forecast(*cfg);
    if (!s) return Report(g, s.error());
    if (g.json) {
      nlohmann::ordered_json j{{"model", s->model},           {"origin", s->origin},   {"series", s->series},
                               {"forecasts", s->rows.size()}, {"seconds", s->seconds}, {"files", s->files}};
      nlohmann::json head = nlohmann::json::array();
      for (const auto& h : s->headline) {
        head.push_back({{"code", h.code},
                        {"model", h.model},
                        {"baseline", h.baseline},
                        {"horizon", h.horizon},
                        {"series", h.series},
                        {"better", h.better},
                        {"significant", h.significant},
                        {"cover90", h.cover90}});
      }
      j["headline"] = head;
      fmt::print("{}\n", j.dump(2));
      return;
    }
    if (g.quiet) return;
    if (!cfg->backtest) {
      fmt::print("{} forecasts ({}) of {} indicators and the index, {}–{}, in {:.2f} s → {}\n", s->rows.size(),
                 s->model, s->series, s->origin + 1, s->origin + cfg->horizon, s->seconds, fmt::join(s->files, ", "));
      return;
    }
    fmt::print("backtest of {} indicators at origins {}:{} in {:.2f} s → {}\n", s->series, cfg->first_origin,
               cfg->last_origin, s->seconds, s->files.front());
    for (const auto& h : s->headline) {
      if (h.code == "indicators") {
        fmt::print(
            "  indicators, h={}: {} has a lower mean CRPS than {} on {} of {} ({} with p < 0.05); 90 % intervals "
            "cover {:.0f} %\n",
            h.horizon, h.model, h.baseline, h.better, h.series, h.significant, 100 * h.cover90);
      } else {
        fmt::print("  {}, h={}: {} {} {} on mean CRPS{}; 90 % intervals cover {:.0f} %\n", h.code, h.horizon, h.model,
                   h.better ? "beats" : "does not beat", h.baseline,
                   h.better ? (h.significant ? " (p < 0.05)" : " (not significant)") : "", 100 * h.cover90);
      }
    }
  });
}

}  // namespace gpsi::cli
