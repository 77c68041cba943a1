// gpsi risk: country risk sheets (`risk country ISO3`, `risk countries`), project risk sheets
// (`risk project FILE…`) and the validation of the risk classes (`risk validate`); docs/risk.md.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "commands.hpp"
#include "engine.hpp"
#include "report.hpp"

namespace gpsi::cli {
namespace {

namespace fs = std::filesystem;

//! The options every `gpsi risk` command shares: the risk method, the index method and the year.
struct RiskOptions {
  engine::RiskConfig cfg;
  bool no_index = false;
};

//! The options every risk subcommand shares; `draws` is the subcommand's default for --draws.
void AddRiskOptions(CLI::App* cmd, RiskOptions& o, std::size_t draws = 500) {
  o.cfg.draws = draws;
  o.cfg.build.method_path = engine::ShippedMethodsDir() + "/risk.toml";
  o.cfg.index_method = engine::ShippedMethodsDir() + "/gpsi.toml";
  cmd->add_option("--method", o.cfg.build.method_path, "risk methodology file with a [risk] table")
      ->capture_default_str();
  cmd->add_option("--set", o.cfg.build.sets, "override a key of the risk method: key=value (repeatable)");
  cmd->add_option("--index-method", o.cfg.index_method, "the index method of the GPSI baseline and the warnings")
      ->capture_default_str();
  cmd->add_flag("--no-index", o.no_index, "leave out the GPSI baseline and its warnings");
  cmd->add_option("--draws", o.cfg.draws, "draws of the 1-year outlook's forecast; 0 leaves it out")
      ->capture_default_str();
  cmd->add_option("--seed", o.cfg.seed, "random seed (default 1)");
  cmd->add_option("--threads", o.cfg.threads, "threads (default: one per core)")->check(CLI::NonNegativeNumber);
}

std::string Fixed(double v, int digits) {
  return v == v ? fmt::format("{:.{}f}", v, digits) : std::string("–");
}

void PrintSheet(const engine::CountryRisk& c) {
  fmt::print("{} {} — risk {} in {}: {} ({}), rank {} of {}\n", c.unit, c.name, Fixed(c.risk.value, 1), c.year,
             c.risk.cls.en, c.risk.cls.zh, c.risk.rank ? std::to_string(c.risk.rank) : "–", c.ranked);
  for (const auto& d : c.dimensions) fmt::print("  {:<28} {:>4}  {}\n", d.name_en, Fixed(d.value, 1), d.cls.en);
  fmt::print("  trend {}–{}: {} ({} a year)\n", c.trend.from, c.trend.to,
             c.trend.direction.empty() ? "unknown" : c.trend.direction, Fixed(c.trend.slope, 2));
  fmt::print("  reliability {} of 10 (0 = most reliable): {} of {} indicators, {:.0f} % imputed, mean age {} years\n",
             Fixed(c.reliability.index, 1), c.reliability.present, c.reliability.indicators,
             100 * c.reliability.imputed, Fixed(c.reliability.mean_age_years, 1));
  if (c.outlook) {
    fmt::print("  outlook {}: {} (90 % {}–{}), {}; P(rise ≥ {}) = {}\n", c.outlook->year, Fixed(c.outlook->median, 1),
               Fixed(c.outlook->p05, 1), Fixed(c.outlook->p95, 1), c.outlook->cls.en, Fixed(c.outlook->rise_by, 1),
               Fixed(c.outlook->p_rise, 2));
  }
  if (c.baseline) {
    fmt::print("  GPSI {}: {} of 100, rank {} of {}", c.baseline->year, Fixed(c.baseline->score, 1), c.baseline->rank,
               c.baseline->ranked);
    if (c.baseline->rank_p05 == c.baseline->rank_p05) {
      fmt::print(" (90 % {}–{})", Fixed(c.baseline->rank_p05, 0), Fixed(c.baseline->rank_p95, 0));
    }
    fmt::print("\n");
  }
  for (const auto& w : c.warnings) fmt::print("  warning [{}] {}: {}\n", w.severity, w.id, w.message);
}

void AddCountry(CLI::App* risk, Globals& g) {
  auto* cmd = risk->add_subcommand("country", "one country's risk sheet");
  auto o = std::make_shared<RiskOptions>();
  auto unit = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("unit", *unit, "the country (ISO 3166 alpha-3)")->required();
  cmd->add_option("--year", o->cfg.year, "the assessed year (default: the latest with scores)");
  cmd->add_option("--rank-runs", o->cfg.rank_runs, "Monte Carlo runs of the GPSI rank interval (default 0: none)");
  cmd->add_option("--out", *out, "folder for the sheet as <ISO3>.json");
  AddRiskOptions(cmd, *o);
  cmd->callback([&g, o, unit, out] {
    if (o->no_index) o->cfg.index_method.clear();
    o->cfg.build.db_path = g.db;
    auto s = engine::CountryRisks(o->cfg);
    if (!s) return Report(g, s.error());
    const auto it = std::find_if(s->countries.begin(), s->countries.end(),
                                 [&](const engine::CountryRisk& c) { return c.unit == *unit; });
    if (it == s->countries.end()) {
      return Report(g, Error{Errc::kNotFound, fmt::format("{} has no risk score in {}", *unit, s->year)});
    }
    const std::string json = engine::CountryRiskJson(*s, *it);
    if (!out->empty()) {
      if (auto st = WriteWhole(fs::path(*out) / (*unit + ".json"), json); !st) return Report(g, st.error());
    }
    if (g.json) {
      fmt::print("{}", json);
    } else if (!g.quiet) {
      PrintSheet(*it);
    }
  });
}

void AddCountries(CLI::App* risk, Globals& g) {
  auto* cmd = risk->add_subcommand("countries", "every country's risk sheet of a year, one JSON file each");
  auto o = std::make_shared<RiskOptions>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("--year", o->cfg.year, "the assessed year (default: the latest with scores)");
  cmd->add_option("--out", *out, "output folder (<ISO3>.json per country, index.json the list)")->required();
  AddRiskOptions(cmd, *o);
  cmd->callback([&g, o, out] {
    if (o->no_index) o->cfg.index_method.clear();
    o->cfg.build.db_path = g.db;
    auto s = engine::CountryRisks(o->cfg);
    if (!s) return Report(g, s.error());
    for (const auto& c : s->countries) {
      if (auto st = WriteWhole(fs::path(*out) / (c.unit + ".json"), engine::CountryRiskJson(*s, c)); !st) {
        return Report(g, st.error());
      }
    }
    if (auto st = WriteWhole(fs::path(*out) / "index.json", engine::RiskListJson(*s)); !st)
      return Report(g, st.error());
    if (g.quiet) return;
    fmt::print("{} country risk sheets of {} → {} ({:.1f} s)\n", s->countries.size(), s->year, *out, s->seconds);
  });
}

void PrintProject(const engine::ProjectSheet& s) {
  fmt::print("{} / {} — {} {}, assessed {}, valid until {}{}\n", s.project.enterprise, s.project.id, s.project.name,
             s.country.unit, s.assessed, s.valid_until, s.stale ? " (STALE: re-assess)" : "");
  fmt::print("  country {} in {}: risk {} ({}); {} events in the overlay ({})\n", s.country.name, s.country.year,
             Fixed(s.country.risk.value, 1), s.country.risk.cls.en, s.overlay.events.size(), s.overlay.how);
  for (const auto& t : s.threats) {
    fmt::print("  {:<40} L{} × I{} = {:>2} {:<9} → residual {:>2} {}\n", t.name_en, t.inherent.likelihood,
               t.inherent.impact, t.inherent.score, t.inherent.rating.en, t.residual.score, t.residual.rating.en);
  }
  fmt::print("  residual risk: {} ({}, {})\n", s.residual.score, s.residual.rating.en, s.residual_threat);
}

//! What `risk project --out` writes besides the JSON: the pages' languages and whether to print them.
struct SheetPages {
  std::string out;
  std::vector<std::string> langs{"en", "zh"};
  bool pdf = false;
};

//! DIR/<enterprise>-<id>.json, and .<lang>.html (and .pdf, printed in one batch) per language.
Status WriteProjectSheets(const std::vector<engine::ProjectSheet>& sheets, const SheetPages& o) {
  std::vector<report::PdfJob> jobs;
  std::string date;
  for (const auto& s : sheets) {
    const fs::path base = fs::path(o.out) / (s.project.enterprise + "-" + s.project.id);
    if (auto st = WriteWhole(base.string() + ".json", engine::ProjectSheetJson(s)); !st) return st;
    for (const auto& lang : o.langs) {
      auto html = report::ProjectSheetHtml(s, report::Edition{lang, s.assessed});
      if (!html) return html.error();
      const std::string page = fmt::format("{}.{}.html", base.string(), lang);
      if (auto st = WriteWhole(page, *html); !st) return st;
      jobs.push_back({page, fmt::format("{}.{}.pdf", base.string(), lang), lang});
    }
    date = std::max(date, s.assessed);
  }
  // The PDFs' creation date is pinned to the latest assessment: the same sheets, the same bytes.
  return o.pdf && !jobs.empty() ? report::WritePdfs(jobs, date, 2) : Status(Ok());
}

void AddProject(CLI::App* risk, Globals& g) {
  auto* cmd = risk->add_subcommand("project", "project risk sheets from project files (TOML or JSON)");
  auto o = std::make_shared<RiskOptions>();
  auto p = std::make_shared<engine::ProjectConfig>();
  auto pages = std::make_shared<SheetPages>();
  cmd->add_option("files", p->files, "project files")->required();
  cmd->add_option("--today", p->today, "the date of the assessment when a file gives none (default: today, UTC)")
      ->check(IsoDate());
  cmd->add_option("--out", pages->out,
                  "output folder: <enterprise>-<id>.json, and .<lang>.html (and .pdf) per project");
  cmd->add_option("--lang", pages->langs, "the pages' languages with --out: en, zh or both (default en,zh)")
      ->delimiter(',')
      ->check(CLI::IsMember({"en", "zh"}));
  cmd->add_flag("--pdf", pages->pdf, "print the pages to PDF too (WeasyPrint)");
  AddRiskOptions(cmd, *o, /*draws=*/0);  // a project sheet reads the country's class, not its outlook
  cmd->callback([&g, o, p, pages] {
    if (o->no_index) o->cfg.index_method.clear();
    o->cfg.build.db_path = g.db;
    p->risk = o->cfg;
    if (g.json && pages->out.empty() && p->files.size() > 1) {
      return Report(g, Error{Errc::kUsage, "--json prints one sheet: give one file, or --out for several"});
    }
    auto sheets = engine::ProjectRisks(*p);
    if (!sheets) return Report(g, sheets.error());
    if (!pages->out.empty()) {
      if (auto st = WriteProjectSheets(*sheets, *pages); !st) return Report(g, st.error());
    } else if (g.json) {
      fmt::print("{}", engine::ProjectSheetJson(sheets->front()));
    }
    if (g.json || g.quiet) return;
    for (const auto& s : *sheets) PrintProject(s);
  });
}

void PrintValidation(const engine::RiskValidation& v) {
  fmt::print("risk classes of {}–{} against the year after:\n", v.first_year, v.last_year);
  for (const auto& c : v.checks) {
    fmt::print(
        "  {:<15} {:>5} country-years, {:>4} with it: AUC score {} ({}–{}), class {} ({}–{}); "
        "persistence {} ({}–{})\n",
        c.outcome, c.cases, c.events, Fixed(c.auc_score.value, 3), Fixed(c.auc_score.lo, 3), Fixed(c.auc_score.hi, 3),
        Fixed(c.auc_class.value, 3), Fixed(c.auc_class.lo, 3), Fixed(c.auc_class.hi, 3),
        Fixed(c.auc_persistence.value, 3), Fixed(c.auc_persistence.lo, 3), Fixed(c.auc_persistence.hi, 3));
    for (const auto& k : c.by_class) {
      fmt::print("    {:<10} {:>5} {:>4}  rate {}  (class ≥ it: sensitivity {}, specificity {})\n", k.cls.en, k.units,
                 k.events, Fixed(k.rate, 3), Fixed(k.sensitivity, 2), Fixed(k.specificity, 2));
    }
  }
  for (const auto& f : v.files) fmt::print("  → {}\n", f);
}

void AddValidateRisk(CLI::App* risk, Globals& g) {
  auto* cmd = risk->add_subcommand("validate", "does the risk class in year t separate what happens in t + 1?");
  auto v = std::make_shared<engine::RiskValidationConfig>();
  auto o = std::make_shared<RiskOptions>();
  auto years = std::make_shared<std::string>();
  cmd->add_option("--years", *years, "years t of the classes A:B (default: the method's, but the last)");
  cmd->add_option("--bootstrap", v->bootstrap, "bootstrap resamples of the AUC intervals (default 1000)");
  cmd->add_option("--out", v->out_dir, "folder for risk_validation.csv and risk_confusion.csv");
  AddRiskOptions(cmd, *o);
  cmd->callback([&g, v, o, years] {
    if (o->no_index) o->cfg.index_method.clear();
    o->cfg.build.db_path = g.db;
    v->risk = o->cfg;
    if (!years->empty()) {
      auto range = YearRange("--years", *years);
      if (!range) return Report(g, range.error());
      std::tie(v->first_year, v->last_year) = *range;
    }
    auto s = engine::ValidateRisk(*v);
    if (!s) return Report(g, s.error());
    if (!g.quiet) PrintValidation(*s);
  });
}

}  // namespace

void AddRisk(CLI::App& app, Globals& g) {
  auto* risk = app.add_subcommand("risk", "country and project risk sheets (docs/risk.md)");
  risk->require_subcommand(1);
  AddCountry(risk, g);
  AddCountries(risk, g);
  AddProject(risk, g);
  AddValidateRisk(risk, g);
}

}  // namespace gpsi::cli
