// gpsi show UNIT: each year's resolved value with source, tier, file and line.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {

void AddShow(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("show", "resolved values of one unit with their provenance");
  auto unit = std::make_shared<std::string>();
  auto indicators = std::make_shared<std::vector<std::string>>();
  cmd->add_option("unit", *unit, "unit code (ISO3) or name")->required();
  auto all = std::make_shared<bool>(false);
  cmd->add_option("--indicator", *indicators, "indicator codes (default all)");
  cmd->add_flag("--all-sources", *all, "every source's value of each year, the one the index uses first (marked *)");
  cmd->callback([&g, unit, indicators, all] {
    auto rows = engine::Show(g.db, *unit, *indicators, *all);
    if (!rows) return Report(g, rows.error());
    if (g.json) {
      nlohmann::json out = nlohmann::json::array();
      const ResolvedValue* prev = nullptr;
      for (const auto& r : *rows) {
        const bool used = !prev || prev->year != r.year || prev->indicator != r.indicator;
        prev = &r;
        out.push_back({{"unit", r.unit},
                       {"used", used},
                       {"year", r.year},
                       {"indicator", r.indicator},
                       {"value", r.value},
                       {"source", r.source_key},
                       {"publisher", r.publisher},
                       {"release", r.release},
                       {"tier", r.tier},
                       {"file", r.file_path},
                       {"sha256", r.file_sha256},
                       {"line", r.line},
                       {"flags", r.flags}});
      }
      fmt::print("{}\n", out.dump());
      return;
    }
    if (rows->empty()) fmt::print(stderr, "no values stored for {}\n", *unit);
    std::string last;
    int last_year = 0;
    for (const auto& r : *rows) {
      if (r.indicator != last) {
        fmt::print("{} {}\n", r.unit, r.indicator);
        last = r.indicator, last_year = 0;
      }
      // With --all-sources the first value of each year is the one the index uses.
      const bool used = r.year != last_year;
      last_year = r.year;
      fmt::print("{} {}  {:>14}  tier {}  {}@{}  {}:{}{}\n", *all && used ? "*" : " ",
                 used ? std::to_string(r.year) : "    ", FormatNumber(r.value), r.tier, r.source_key, r.release,
                 r.file_path, r.line, r.flags.empty() ? "" : "  [" + r.flags + "]");
    }
  });
}

}  // namespace gpsi::cli
