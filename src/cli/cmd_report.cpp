// gpsi report: the annual report of one year of a build, as HTML in one language
// (docs/report.md): the method built over the store with its rank intervals, summarised by the
// engine, drawn by the report module's templates.
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"
#include "report.hpp"

namespace gpsi::cli {
namespace {

namespace fs = std::filesystem;

//! Writes `text` to `path` whole or not at all: a temporary file beside it, then a rename.
Status WriteWhole(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  const fs::path part = path.string() + ".part";
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return Error{Errc::kIo, "cannot write " + part.string()};
  }
  fs::rename(part, path, ec);
  if (ec) return Error{Errc::kIo, fmt::format("cannot write {}: {}", path.string(), ec.message())};
  return Ok();
}

struct ReportOptions {
  engine::PublishConfig publish;
  int year = 0;
  std::string lang = "en", out;
};

}  // namespace

void AddReport(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("report", "the annual report of a build, as HTML (docs/report.md)");
  auto o = std::make_shared<ReportOptions>();
  o->publish.forecast_draws = 0;
  cmd->add_option("--method", o->publish.build.method_path, "methodology file (TOML)")->required();
  cmd->add_option("--set", o->publish.build.sets, "override a methodology key: key=value (repeatable)");
  cmd->add_option("--year", o->year, "the year reported (default: the build's latest)");
  cmd->add_option("--lang", o->lang, "the report's language")->check(CLI::IsMember({"en", "zh"}));
  cmd->add_option("--intervals", o->publish.intervals, "Monte Carlo runs for the rank intervals (0 = none)");
  cmd->add_option("--seed", o->publish.seed, "seed of the Monte Carlo");
  cmd->add_option("--out", o->out, "output folder: index.html")->required();
  cmd->callback([&g, o] {
    o->publish.build.db_path = g.db;
    auto pub = engine::Publish(o->publish);
    if (!pub) return Report(g, pub.error());
    auto summary = engine::Summarise(*pub, o->year);
    if (!summary) return Report(g, summary.error());
    auto html = report::AnnualReportHtml(*pub, *summary, o->lang);
    if (!html) return Report(g, html.error());
    const fs::path index = fs::path(o->out) / "index.html";
    if (auto ok = WriteWhole(index, *html); !ok) return Report(g, ok.error());
    if (g.json) {
      nlohmann::ordered_json j{{"year", summary->year},
                               {"lang", o->lang},
                               {"run", pub->build.run_id},
                               {"ranked", summary->rankings.front().size()},
                               {"files", {index.string()}}};
      fmt::print("{}\n", j.dump(2));
    } else if (!g.quiet) {
      fmt::print("{}\n", index.string());
    }
  });
}

}  // namespace gpsi::cli
