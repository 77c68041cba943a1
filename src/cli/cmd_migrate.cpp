// gpsi migrate --to URI: copies the store (--db) into a new, empty one — an SQLite file into a
// PostgreSQL database as a rule — and proves the copy: each table's rows and checksum, read back.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {
namespace {

void Print(const Globals& g, const engine::MigrateReport& r) {
  std::int64_t rows = 0;
  for (const auto& t : r.tables) rows += t.rows;
  if (g.json) {
    nlohmann::ordered_json tables = nlohmann::ordered_json::array();
    for (const auto& t : r.tables) tables.push_back({{"table", t.table}, {"rows", t.rows}, {"sha256", t.sha256}});
    fmt::print("{}\n", nlohmann::ordered_json{{"from", r.from},
                                              {"to", r.to},
                                              {"rows", rows},
                                              {"tables", tables},
                                              {"blob_dir", r.blob_dir},
                                              {"blobs", r.blobs},
                                              {"blob_bytes", r.blob_bytes}}
                           .dump());
    return;
  }
  if (g.quiet) return;
  for (const auto& t : r.tables) fmt::print("{:<17} {:>10} rows  sha256 {}\n", t.table, t.rows, t.sha256);
  fmt::print(
      "copied {} rows of {} tables into {}, each table's rows and checksum verified; {} raw files ({} bytes) "
      "into {}\n",
      rows, r.tables.size(), r.to, r.blobs, r.blob_bytes, r.blob_dir);
}

}  // namespace

void AddMigrate(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "migrate", "copy the store into a new, empty one (e.g. --to postgresql://…), verifying every table");
  auto to = std::make_shared<std::string>();
  cmd->add_option("--to", *to, "the new store: a postgresql:// URI (libpq's form) or an SQLite file")->required();
  cmd->callback([&g, to] {
    auto r = engine::MigrateStore(engine::MigrateConfig{g.db, *to});
    if (!r) return Report(g, r.error());
    Print(g, *r);
  });
}

}  // namespace gpsi::cli
