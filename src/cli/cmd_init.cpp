// gpsi init: create or migrate the store and load the country reference.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {

void AddInit(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("init", "create or migrate the store; load ISO 3166 / UN M49 reference");
  auto reference = std::make_shared<std::string>();
  auto no_fetch = std::make_shared<bool>(false);
  auto bases = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--reference", *reference, "data folder holding reference_* (default $GPSI_DATA)");
  cmd->add_flag("--no-fetch", *no_fetch,
                "without reference_unsd_m49/ in the data folder, do not fetch the M49 regions from the UN SDG API");
  cmd->add_option("--base-url", *bases, "another server for the M49 fetch, as in `gpsi update --base-url`");
  cmd->callback([&g, reference, no_fetch, bases] {
    engine::InitConfig cfg{g.db, *reference};
    cfg.fetch_regions = !*no_fetch;
    cfg.regions.base_urls = UpdateBaseUrls(*bases);
    cfg.regions.fetch.retries = 1;  // init is interactive: one retry, then say why
    auto r = engine::Init(cfg);
    if (!r) return Report(g, r.error());
    const ReferenceReport& ref = r->reference;
    std::string m49_from = r->regions ? r->regions->url : std::string(ref.m49_loaded ? "reference_unsd_m49" : "");
    if (g.json) {
      fmt::print("{}\n", nlohmann::json{{"db", g.db},
                                        {"units", ref.units},
                                        {"names", ref.names},
                                        {"aggregates", ref.aggregates},
                                        {"with_region", ref.with_region},
                                        {"with_zh", ref.with_zh},
                                        {"m49_loaded", ref.m49_loaded},
                                        {"m49_from", m49_from}}
                             .dump());
    } else {
      fmt::print("store {}: {} units ({} with Chinese names, {} with M49 regions), {} names, {} aggregate names\n",
                 g.db, ref.units, ref.with_zh, ref.with_region, ref.names, ref.aggregates);
      if (r->regions && ref.m49_loaded) fmt::print("UN M49 regions fetched from {}\n", r->regions->url);
    }
    if (!ref.m49_loaded) {
      std::string why = r->regions ? fmt::format("the fetch failed: {}", r->regions->error.message)
                                   : "no reference_unsd_m49/ in $GPSI_DATA or --reference, and --no-fetch";
      fmt::print(stderr, "warning: UN M49 regions not loaded: {}\n", why);
    }
  });
}

}  // namespace gpsi::cli
