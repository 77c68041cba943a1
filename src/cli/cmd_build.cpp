// gpsi build: computes the index from the store (--method) or from COINr's tables, writes
// scores.csv, stages.csv, run.json and build.log, and prints a summary (and, with --table N, the
// top and bottom N units of the latest year with their dimension scores and data coverage).
#include <algorithm>
#include <iostream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {
namespace {

void PrintTable(const engine::BuildResult& b, int n) {
  const auto& m = b.method;
  const Panel& p = b.panel;
  const ScoreTable& t = b.scores;
  const std::size_t top = m.top();
  const std::vector<std::size_t>& dims = m.nodes[top].children;
  std::size_t scored = 0;  // coverage counts the scored indicators
  for (auto i : m.indicators) scored += m.nodes[i].monitor ? 0 : 1;
  const int year = p.LatestYear();
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < p.rows(); ++r) {
    if (p.row(r).year == year && t.rank(r, top) > 0) rows.push_back(r);
  }
  std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t c) { return t.rank(a, top) < t.rank(c, top); });
  std::string head = fmt::format("{:>4}  {:<5} {:<28} {:>7}", "rank", "unit", "name", m.nodes[top].code);
  for (auto d : dims) head += fmt::format(" {:>9.9}", m.nodes[d].code);
  head += fmt::format(" {:>8}", "coverage");
  auto line = [&](std::size_t r) {
    std::size_t have = 0;
    for (std::size_t j = 0; j < p.cols(); ++j) {
      if (!m.nodes[m.indicators[j]].monitor && p.origin(r, j).OwnData()) ++have;
    }
    std::string s =
        fmt::format("{:>4}  {:<5} {:<28.28} {:>7.2f}", t.rank(r, top), p.row(r).unit, p.row(r).name, t.value(r, top));
    for (auto d : dims) {
      double v = t.value(r, d);
      s += IsNa(v) ? fmt::format(" {:>9}", "–") : fmt::format(" {:>9.2f}", v);
    }
    s += fmt::format(" {:>7.0f}%", 100.0 * static_cast<double>(have) / static_cast<double>(scored));
    fmt::print("{}\n", s);
  };
  std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(n), rows.size());
  fmt::print("\n{} {} — top {} of {} ranked\n{}\n", m.name_en, year == 0 ? "" : std::to_string(year), k, rows.size(),
             head);
  for (std::size_t i = 0; i < k; ++i) line(rows[i]);
  std::size_t from = std::max(k, rows.size() - std::min(rows.size(), k));
  fmt::print("\nbottom {}\n{}\n", rows.size() - from, head);
  for (std::size_t i = from; i < rows.size(); ++i) line(rows[i]);
}

}  // namespace

void AddBuild(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("build", "compute the index: scores.csv, stages.csv, run.json, build.log");
  auto cfg = std::make_shared<engine::BuildConfig>();
  auto table = std::make_shared<int>(0);
  cmd->add_option("--method", cfg->method_path, "methodology file (TOML)");
  cmd->add_option("--coinr-data", cfg->coinr_data, "COINr iData table (CSV)");
  cmd->add_option("--coinr-meta", cfg->coinr_meta, "COINr iMeta table (CSV)");
  cmd->add_option("--set", cfg->sets, "override a methodology key: key=value (repeatable)");
  cmd->add_option("--out", cfg->out_dir, "output folder")->required();
  cmd->add_option("--table", *table, "print the top and bottom N units of the latest year")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&g, cfg, table] {
    cfg->db_path = g.db;
    auto b = engine::Build(*cfg);
    if (!b) return Report(g, b.error());
    const Panel& p = b->panel;
    std::set<int> years;
    for (const auto& row : p.row_keys()) years.insert(row.year);
    const auto scored = static_cast<std::size_t>(
        std::count_if(b->status.begin(), b->status.end(), [](const engine::RowStatus& st) { return !st.excluded; }));
    if (g.json) {
      nlohmann::ordered_json j{{"run_id", b->run_id},
                               {"method", b->method.id},
                               {"method_hash", b->method.hash},
                               {"data_hash", b->data_hash},
                               {"years", p.has_years() ? nlohmann::json(years) : nlohmann::json::array()},
                               {"unit_years", p.rows()},
                               {"scored", scored},
                               {"imputed_cells", b->imputed_cells},
                               {"treated_points", b->treated_points},
                               {"out", cfg->out_dir}};
      fmt::print("{}\n", j.dump(2));
    } else if (!g.quiet) {
      fmt::print(
          "built {} (run {}): {} year(s){}, {} of {} unit-years scored, {} cells imputed, {} points treated → {}\n",
          b->method.id, b->run_id, years.size(),
          p.has_years() ? fmt::format(" {}–{}", *years.begin(), *years.rbegin()) : std::string(), scored, p.rows(),
          b->imputed_cells, b->treated_points, cfg->out_dir);
    }
    if (*table > 0 && !g.json) PrintTable(*b, *table);
  });
}

}  // namespace gpsi::cli
