// gpsi init: create or migrate the store and load the country reference.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {

void AddInit(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("init", "create or migrate the store; load ISO 3166 / UN M49 reference");
  auto reference = std::make_shared<std::string>();
  cmd->add_option("--reference", *reference, "data folder holding reference_* (default $GPSI_DATA)");
  cmd->callback([&g, reference] {
    auto r = engine::Init(engine::InitConfig{g.db, *reference});
    if (!r) return Report(g, r.error());
    if (g.json) {
      fmt::print("{}\n", nlohmann::json{{"db", g.db},
                                        {"units", r->units},
                                        {"names", r->names},
                                        {"aggregates", r->aggregates},
                                        {"with_region", r->with_region},
                                        {"with_zh", r->with_zh},
                                        {"m49_loaded", r->m49_loaded}}
                             .dump());
      return;
    }
    fmt::print("store {}: {} units ({} with Chinese names, {} with M49 regions), {} names, {} aggregate names\n", g.db,
               r->units, r->with_zh, r->with_region, r->names, r->aggregates);
    if (!r->m49_loaded) {
      fmt::print(stderr, "warning: UN M49 regions not loaded: no reference_unsd_m49/ in $GPSI_DATA or --reference\n");
    }
  });
}

}  // namespace gpsi::cli
