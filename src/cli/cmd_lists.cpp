// gpsi units | indicators | sources | runs: what the store holds.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"
#include "report.hpp"

namespace gpsi::cli {

void AddLists(CLI::App& app, Globals& g) {
  app.add_subcommand("units", "list stored units")->callback([&g] {
    auto units = engine::Units(g.db);
    if (!units) return Report(g, units.error());
    if (g.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& u : *units) {
        out.push_back({{"code", u.code},
                       {"kind", ToString(u.kind)},
                       {"name_en", u.name_en},
                       {"name_zh", u.name_zh},
                       {"iso2", u.iso2},
                       {"iso3", u.iso3},
                       {"m49", u.m49},
                       {"region", u.region_name},
                       {"subregion", u.subregion_name},
                       {"parent", u.parent}});
      }
      fmt::print("{}\n", out.dump());
      return;
    }
    for (const auto& u : *units) {
      fmt::print("{:<8} {:<9} {:<3} {:<4} {:<40} {:<16} {}\n", u.code, ToString(u.kind), u.iso2, u.m49, u.name_en,
                 u.name_zh, u.subregion_name);
    }
  });
  app.add_subcommand("indicators", "list stored indicators")->callback([&g] {
    auto inds = engine::Indicators(g.db);
    if (!inds) return Report(g, inds.error());
    if (g.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& i : *inds) {
        out.push_back({{"code", i.code},
                       {"name_en", i.name_en},
                       {"name_zh", i.name_zh},
                       {"unit_of_measure", i.unit_of_measure},
                       {"dimension", i.dimension},
                       {"direction", i.direction},
                       {"description", i.description}});
      }
      fmt::print("{}\n", out.dump());
      return;
    }
    for (const auto& i : *inds) {
      fmt::print("{:<28} {:>2} {:<10} {} {}\n", i.code, i.direction, i.dimension, i.name_en,
                 i.name_zh.empty() ? "" : "/ " + i.name_zh);
    }
  });
  app.add_subcommand("sources", "list stored sources and releases")->callback([&g] {
    auto sources = engine::Sources(g.db);
    if (!sources) return Report(g, sources.error());
    if (g.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : *sources) {
        const Source& s = r.source;
        out.push_back({{"key", s.key},
                       {"publisher", s.publisher},
                       {"tier", s.tier},
                       {"licence", s.licence},
                       {"url", s.url},
                       {"release", s.release},
                       {"retrieved", s.retrieved},
                       {"preference", s.preference},
                       {"observations", r.observations}});
      }
      fmt::print("{}\n", out.dump());
      return;
    }
    for (const auto& r : *sources) {
      fmt::print("tier {}  {:<32} {:<12} {:>8} obs  {}\n", r.source.tier, r.source.key, r.source.release,
                 r.observations, r.source.publisher);
    }
  });
  app.add_subcommand("runs", "list recorded index builds")->callback([&g] {
    auto runs = engine::Runs(g.db);
    if (!runs) return Report(g, runs.error());
    if (g.json) {
      fmt::print("{}\n", report::RunsJson(*runs));  // what /api/v1/runs answers
      return;
    }
    for (const auto& r : *runs) {
      fmt::print("{}  {}  {:<8} method {}…  data {}…  → {}\n", r.created, r.id, r.method_id,
                 r.method_hash.substr(0, 12), r.data_hash.substr(0, 12), r.out_dir);
    }
  });
}

}  // namespace gpsi::cli
