// gpsi report: the annual report of one year of a build, as HTML in one language
// (docs/report.md): the method built over the store with its rank intervals, summarised by the
// engine, drawn by the report module's templates.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"
#include "report.hpp"

namespace gpsi::cli {
namespace {

namespace fs = std::filesystem;

struct ReportOptions {
  engine::PublishConfig publish;
  int year = 0;
  std::vector<std::string> langs{"en"};
  std::string date, out, profiles;
  bool pdf = false;
  int workers = 2;
};

//! The units `--profiles` names: every one ranked on the index (`all`), or a list of codes.
std::vector<std::string> ProfileUnits(const std::string& arg, const engine::ReportSummary& s) {
  std::vector<std::string> out;
  if (arg == "all") {
    for (const auto& st : s.rankings.front()) out.push_back(st.unit);
    return out;
  }
  std::stringstream list(arg);
  for (std::string code; std::getline(list, code, ',');) {
    std::transform(code.begin(), code.end(), code.begin(), [](unsigned char c) { return std::toupper(c); });
    if (!code.empty() && std::find(out.begin(), out.end(), code) == out.end()) out.push_back(code);
  }
  return out;
}

struct Page {
  fs::path html;
  std::string text;
};

//! Every page of the edition, made in memory first so that a bad --profiles writes nothing.
Result<std::vector<Page>> Pages(const engine::Published& pub, const engine::ReportSummary& s, const ReportOptions& o,
                                const report::Edition& e, const fs::path& dir) {
  std::vector<Page> pages;
  auto index = report::AnnualReportHtml(pub, s, e);
  if (!index) return index.error();
  pages.push_back({dir / "index.html", std::move(*index)});
  for (const auto& unit : ProfileUnits(o.profiles, s)) {
    auto profile = engine::Profile(pub, s, unit);
    if (!profile) return profile.error();
    auto html = report::ProfileHtml(pub, s, *profile, e);
    if (!html) return html.error();
    pages.push_back({dir / "profiles" / (unit + ".html"), std::move(*html)});
  }
  return pages;
}

//! The PDF beside each page of an edition: DIR/report.pdf for the report, DIR/profiles/<ISO3>.pdf
//! for a profile.
std::vector<report::PdfJob> PdfJobs(const std::vector<Page>& pages, const std::string& edition) {
  std::vector<report::PdfJob> jobs;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    fs::path pdf = pages[i].html;
    pdf.replace_filename(i == 0 ? std::string("report.pdf") : pages[i].html.stem().string() + ".pdf");
    jobs.push_back({pages[i].html.string(), pdf.string(), edition});
  }
  return jobs;
}

//! What a run makes of one edition: its folder (DIR, or DIR/<lang> with several) and its pages.
struct Made {
  std::string lang;
  fs::path dir;
  std::vector<Page> pages;
};

//! Every edition's pages, in memory, before anything is written.
Result<std::vector<Made>> Editions(const engine::Published& pub, const engine::ReportSummary& s,
                                   const ReportOptions& o) {
  std::vector<Made> out;
  for (const auto& lang : o.langs) {
    const fs::path dir = o.langs.size() == 1 ? fs::path(o.out) : fs::path(o.out) / lang;
    auto pages = Pages(pub, s, o, report::Edition{lang, o.date}, dir);
    if (!pages) return pages.error();
    out.push_back({lang, dir, std::move(*pages)});
  }
  return out;
}

//! Writes every page, then prints them all to PDF in one pool of workers (--pdf); the paths made.
Result<std::vector<std::string>> Write(const std::vector<Made>& editions, const ReportOptions& o) {
  std::vector<std::string> files;
  std::vector<report::PdfJob> jobs;
  for (const auto& e : editions) {
    for (const auto& p : e.pages) {
      if (auto ok = WriteWhole(p.html, p.text); !ok) return ok.error();
    }
    const auto own = PdfJobs(e.pages, e.lang);
    jobs.insert(jobs.end(), own.begin(), own.end());
    files.push_back(e.pages.front().html.string());
    if (o.pdf) files.push_back(own.front().pdf);
    if (e.pages.size() > 1) files.push_back((e.dir / "profiles").string());
  }
  if (o.pdf) {
    if (auto ok = report::WritePdfs(jobs, o.date, o.workers); !ok) return ok.error();
  }
  return files;
}

}  // namespace

void AddReport(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("report",
                                 "the annual report and country profiles of a build, as HTML and PDF (docs/report.md)");
  auto o = std::make_shared<ReportOptions>();
  cmd->add_option("--method", o->publish.build.method_path, "methodology file (TOML)")->required();
  cmd->add_option("--set", o->publish.build.sets, "override a methodology key: key=value (repeatable)");
  cmd->add_option("--year", o->year, "the year reported (default: the build's latest)");
  cmd->add_option("--lang", o->langs,
                  "the report's languages: en, zh, or both (en,zh: each edition in DIR/<lang>, printed together)")
      ->delimiter(',')
      ->check(CLI::IsMember({"en", "zh"}));
  cmd->add_option("--intervals", o->publish.intervals, "Monte Carlo runs for the rank intervals (0 = none)");
  cmd->add_option("--seed", o->publish.seed, "seed of the Monte Carlo");
  cmd->add_option("--forecast-draws", o->publish.forecast_draws,
                  "draws of the forecasts and warnings on the profiles (0 = none)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  cmd->add_option("--validation", o->publish.validation,
                  "a gpsi validate --out folder: its audit, validation and rank shifts in the annexes")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--profiles", o->profiles, "country profiles: all, or ISO3 codes separated by commas");
  cmd->add_flag("--pdf", o->pdf, "print each page to PDF too: report.pdf, profiles/<ISO3>.pdf (WeasyPrint)");
  cmd->add_option("--date", o->date, "the edition's date, YYYY-MM-DD: the PDFs' creation date (default: today, UTC)")
      ->check(IsoDate());
  cmd->add_option("--workers", o->workers, "PDF printing processes")->check(CLI::Range(1, 64));
  cmd->add_option("--out", o->out,
                  "output folder: index.html, profiles/, report.pdf (in DIR/<lang>/ with both languages)")
      ->required();
  cmd->callback([&g, o] {
    o->publish.build.db_path = g.db;
    if (o->date.empty()) o->date = NowUtc().substr(0, 10);  // today, UTC
    std::vector<std::string> langs;                         // each once, in the order given
    for (const auto& l : o->langs) {
      if (std::find(langs.begin(), langs.end(), l) == langs.end()) langs.push_back(l);
    }
    o->langs = langs;
    auto pub = engine::Publish(o->publish);
    if (!pub) return Report(g, pub.error());
    auto summary = engine::Summarise(*pub, o->year);
    if (!summary) return Report(g, summary.error());
    auto editions = Editions(*pub, *summary, *o);
    if (!editions) return Report(g, editions.error());
    auto files = Write(*editions, *o);
    if (!files) return Report(g, files.error());
    if (g.json) {
      nlohmann::ordered_json j{{"year", summary->year},
                               {"lang", fmt::format("{}", fmt::join(o->langs, ","))},
                               {"run", pub->build.run_id},
                               {"ranked", summary->rankings.front().size()},
                               {"profiles", editions->front().pages.size() - 1},
                               {"files", *files}};
      fmt::print("{}\n", j.dump(2));
    } else if (!g.quiet) {
      for (const auto& f : *files) fmt::print("{}\n", f);
    }
  });
}

}  // namespace gpsi::cli
