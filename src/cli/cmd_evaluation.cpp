// gpsi evaluation create|entries|assign|declare|open|score|close|publish|list|show|synth: the overseas
// security excellent-practice evaluation (docs/evaluation.md), acting as the holder of an API token
// ($GPSI_TOKEN, or the first line of --token-file) as `gpsi submission` does.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"
#include "report.hpp"

namespace gpsi::cli {
namespace {

//! The options every campaign subcommand shares: the token file and the campaign's key.
struct CampaignArgs {
  std::string token_file, key;
};

void PrintCampaign(const engine::CampaignDetail& d) {
  fmt::print("{:<24} {:<10} {} / {}  (as {})\n", d.campaign.key, ToString(d.campaign.state), d.title_en, d.title_zh,
             d.seat);
  if (!d.campaign.rules_sha256.empty()) fmt::print("  rules sha256 {}\n", d.campaign.rules_sha256);
  fmt::print("  {} application(s), {} judge(s); {} of {} assigned sheet(s) sealed\n", d.applications.size(),
             d.judges.size(), d.sealed, d.assigned);
}

void PrintResults(const engine::EvalResults& r) {
  const std::size_t model = r.methods.size() - 1;
  fmt::print("  {:<6} {:>7} {:>7} {:>7} {:>7}  {:>6}  {}\n", "code", "mean", "median", "z", "model", "P(sel)",
             "selected");
  for (const auto& a : r.applications) {
    fmt::print("  {:<6} {:>7.2f} {:>7.2f} {:>7.2f} {:>7.2f}  {:>6.2f}  {}{}\n", a.code, a.standings[0].total,
               a.standings[1].total, a.standings[2].total, a.standings[model].total, a.probability,
               a.standings[model].selected ? "yes" : (a.standings[model].eligible ? "" : "below a minimum"),
               a.borderline ? "  (borderline)" : "");
  }
  if (r.icc.size() >= 2) {
    fmt::print("  ICC1 {:.3f} [{:.3f}, {:.3f}]  ICC2 {:.3f} [{:.3f}, {:.3f}]  Krippendorff's alpha {:.3f}\n",
               r.icc[0].icc, r.icc[0].lower, r.icc[0].upper, r.icc[1].icc, r.icc[1].lower, r.icc[1].upper, r.alpha);
    fmt::print("  {:.1f} judges per application: panel reliability {:.3f}; {:.1f} judges for 0.75, {:.1f} for 0.9\n",
               r.judges_per_application, r.panel, r.judges_for_075, r.judges_for_090);
  }
  for (const auto& j : r.judges) {
    fmt::print("  judge {:<14} severity {:+.3f}  bias {:+.2f}  ({} sheets)\n", j.login, j.severity,
               fmt::join(j.bias, " "), j.sheets);
  }
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Errc::kIo, "cannot read the file", path};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

//! A subcommand taking the campaign's key, whose callback gets the token.
CLI::App* KeyCommand(CLI::App& sub, std::shared_ptr<CampaignArgs> args, const char* name, const char* help) {
  auto* cmd = sub.add_subcommand(name, help);
  cmd->add_option("campaign", args->key, "the campaign's key")->required();
  return cmd;
}

//! Runs `fn(token)` with the token of `args`, reporting a missing one.
template <class Fn>
void WithToken(Globals& g, const CampaignArgs& args, Fn&& fn) {
  auto token = ApiToken(args.token_file);
  if (!token) return Report(g, token.error());
  fn(*token);
}

unsigned Threads() {
  return std::max(1u, std::thread::hardware_concurrency());
}

void AddSetUp(CLI::App& sub, Globals& g, std::shared_ptr<CampaignArgs> args) {
  auto rules = std::make_shared<std::string>();
  auto* create = KeyCommand(sub, args, "create", "create a campaign from its rules file (the secretariat)");
  create->add_option("--rules", *rules, "the campaign file (TOML, docs/evaluation.md)")->required();
  create->callback([&g, args, rules] {
    WithToken(g, *args, [&](const std::string& token) {
      auto text = ReadFile(*rules);
      if (!text) return Report(g, text.error());
      auto c = engine::CreateCampaign(g.db, token, engine::CliActor().origin, args->key, *text, *rules);
      if (!c) return Report(g, c.error());
      fmt::print("campaign {} created at the {} stage\n", c->key, ToString(c->state));
    });
  });
  auto apps = std::make_shared<std::string>(), judges = std::make_shared<std::string>();
  auto* entries = KeyCommand(sub, args, "entries", "set a campaign's applications and judges from CSV files");
  entries->add_option("--applications", *apps, "code,org,country,project,documents (documents separated by ';')");
  entries->add_option("--judges", *judges, "login,org,country,declared (declared application codes by ';')");
  entries->callback([&g, args, apps, judges] {
    WithToken(g, *args, [&](const std::string& token) {
      if (auto ok = engine::ImportCampaignEntries(g.db, token, engine::CliActor().origin, args->key, *apps, *judges);
          !ok) {
        return Report(g, ok.error());
      }
      fmt::print("campaign {}: entries set\n", args->key);
    });
  });
  KeyCommand(sub, args, "assign", "assign judges to applications under the rules and conflicts")->callback([&g, args] {
    WithToken(g, *args, [&](const std::string& token) {
      auto a = engine::AssignCampaign(g.db, token, engine::CliActor().origin, args->key);
      if (!a) return Report(g, a.error());
      if (g.json) return fmt::print("{}\n", report::AssignJson(*a));
      fmt::print("{} assignment(s); {} conflict(s) kept apart\n", a->pairs.size(), a->conflicts.size());
      for (const auto& [judge, n] : a->loads) fmt::print("  {:<16} {} application(s)\n", judge, n);
    });
  });
  auto declared = std::make_shared<std::vector<std::string>>();
  auto* declare = KeyCommand(sub, args, "declare", "declare your conflicts of interest in set-up (a judge)");
  declare->add_option("applications", *declared, "codes of the applications you may not score (none: no conflict)");
  declare->callback([&g, args, declared] {
    WithToken(g, *args, [&](const std::string& token) {
      if (auto ok = engine::DeclareConflicts(g.db, token, engine::CliActor().origin, args->key, *declared); !ok) {
        return Report(g, ok.error());
      }
      fmt::print("campaign {}: {} conflict(s) declared\n", args->key, declared->size());
    });
  });
}

void AddStages(CLI::App& sub, Globals& g, std::shared_ptr<CampaignArgs> args) {
  KeyCommand(sub, args, "open", "fix and hash the rules, and open scoring")->callback([&g, args] {
    WithToken(g, *args, [&](const std::string& token) {
      auto c = engine::OpenCampaign(g.db, token, engine::CliActor().origin, args->key);
      if (!c) return Report(g, c.error());
      fmt::print("campaign {} open for scoring; rules sha256 {}\n", c->key, c->rules_sha256);
    });
  });
  KeyCommand(sub, args, "close", "close scoring and compute the results")->callback([&g, args] {
    WithToken(g, *args, [&](const std::string& token) {
      auto c = engine::CloseCampaign(g.db, token, engine::CliActor().origin, args->key, Threads());
      if (!c) return Report(g, c.error());
      fmt::print("campaign {} closed: results computed, at the panel stage\n", c->key);
    });
  });
  KeyCommand(sub, args, "publish", "publish the results")->callback([&g, args] {
    WithToken(g, *args, [&](const std::string& token) {
      auto c = engine::PublishCampaign(g.db, token, engine::CliActor().origin, args->key);
      if (!c) return Report(g, c.error());
      fmt::print("campaign {} published at {}\n", c->key, c->published);
    });
  });
}

void AddScore(CLI::App& sub, Globals& g, std::shared_ptr<CampaignArgs> args) {
  auto* score = KeyCommand(sub, args, "score", "seal your score sheet of an application (a judge)");
  auto app = std::make_shared<std::string>(), file = std::make_shared<std::string>();
  auto scores = std::make_shared<std::vector<double>>();
  auto comment = std::make_shared<std::string>(), reason = std::make_shared<std::string>();
  score->add_option("application", *app, "the application's code");
  score->add_option("--scores", *scores, "one score per criterion, in the rules' order")->delimiter(',');
  score->add_option("--comment", *comment, "the judge's comment");
  score->add_option("--reason", *reason, "why a sealed sheet changes (needed for a second revision)");
  score->add_option("--file", *file, "CSV: application, one column per criterion code, optional comment, reason");
  score->callback([&g, args, app, file, scores, comment, reason] {
    WithToken(g, *args, [&](const std::string& token) {
      const std::string origin = engine::CliActor().origin;
      std::vector<CampaignSheet> sealed;
      if (!file->empty()) {
        auto all = engine::ScoreFromFile(g.db, token, origin, args->key, *file, Threads());
        if (!all) return Report(g, all.error());
        sealed = std::move(*all);
      } else {
        if (app->empty() || scores->empty()) {
          return Report(g, Error{Errc::kUsage, "give an application and --scores, or --file"});
        }
        auto one =
            engine::ScoreApplication(g.db, token, origin, args->key, *app, *scores, *comment, *reason, Threads());
        if (!one) return Report(g, one.error());
        sealed.push_back(std::move(*one));
      }
      for (const auto& s : sealed) {
        if (g.json) {
          fmt::print("{}\n", report::SheetJson(s));
        } else {
          fmt::print("sealed {} by {} (revision {}) at {}: sha256 {}\n", s.application, s.judge, s.revision,
                     s.sealed_at, s.sha256);
        }
      }
    });
  });
}

void AddReads(CLI::App& sub, Globals& g, std::shared_ptr<CampaignArgs> args) {
  sub.add_subcommand("list", "the campaigns you may see")->callback([&g, args] {
    WithToken(g, *args, [&](const std::string& token) {
      auto list = engine::Campaigns(g.db, token);
      if (!list) return Report(g, list.error());
      if (g.json) return fmt::print("{}\n", report::CampaignsJson(*list));
      for (const auto& d : *list) PrintCampaign(d);
    });
  });
  KeyCommand(sub, args, "show", "a campaign as you may see it, with its results")->callback([&g, args] {
    WithToken(g, *args, [&](const std::string& token) {
      auto d = engine::CampaignDetails(g.db, token, args->key);
      if (!d) return Report(g, d.error());
      if (g.json) return fmt::print("{}\n", report::CampaignJson(*d, true));
      PrintCampaign(*d);
      if (d->results) PrintResults(*d->results);
    });
  });
}

//! What `evaluation report` makes: an edition's date, its languages, the folder and whether to print.
struct SelectionOptions {
  std::vector<std::string> langs{"en"};
  std::string date, out;
  bool pdf = false;
};

//! Every edition's page, made in memory before anything is written (an error writes nothing), then
//! written and printed: DIR/selection-<key>.<lang>.html and .pdf. The paths made.
Result<std::vector<std::string>> WriteSelection(const engine::CampaignReportInput& in, const SelectionOptions& o) {
  const std::filesystem::path dir(o.out);
  std::vector<std::pair<std::filesystem::path, std::string>> pages;
  for (const auto& lang : o.langs) {
    auto html = report::SelectionReportHtml(in.detail, in.trail, report::Edition{lang, o.date});
    if (!html) return html.error();
    pages.emplace_back(dir / fmt::format("selection-{}.{}.html", in.detail.campaign.key, lang), std::move(*html));
  }
  std::vector<std::string> files;
  std::vector<report::PdfJob> jobs;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    if (auto ok = WriteWhole(pages[i].first, pages[i].second); !ok) return ok.error();
    files.push_back(pages[i].first.string());
    auto pdf = pages[i].first;
    jobs.push_back({pages[i].first.string(), pdf.replace_extension(".pdf").string(), o.langs[i]});
  }
  if (o.pdf) {
    if (auto ok = report::WritePdfs(jobs, o.date, 2); !ok) return ok.error();
    for (const auto& j : jobs) files.push_back(j.pdf);
  }
  return files;
}

void AddSelectionReport(CLI::App& sub, Globals& g, std::shared_ptr<CampaignArgs> args) {
  auto o = std::make_shared<SelectionOptions>();
  auto* cmd = KeyCommand(sub, args, "report", "the selection report, HTML and PDF, in en and/or zh (the secretariat)");
  cmd->add_option("--lang", o->langs, "the editions: en, zh, or both (en,zh)")
      ->delimiter(',')
      ->check(CLI::IsMember({"en", "zh"}));
  cmd->add_flag("--pdf", o->pdf, "print each edition to PDF too (WeasyPrint)");
  cmd->add_option("--date", o->date, "the edition's date, YYYY-MM-DD: the PDFs' creation date (default: today, UTC)")
      ->check(IsoDate());
  cmd->add_option("--out", o->out, "output folder: selection-<key>.<lang>.html and .pdf")->required();
  cmd->callback([&g, args, o] {
    WithToken(g, *args, [&](const std::string& token) {
      if (o->date.empty()) o->date = NowUtc().substr(0, 10);  // today, UTC
      std::vector<std::string> langs;                         // each once, in the order given
      for (const auto& l : o->langs) {
        if (std::find(langs.begin(), langs.end(), l) == langs.end()) langs.push_back(l);
      }
      o->langs = langs;
      auto in = engine::CampaignReport(g.db, token, args->key);
      if (!in) return Report(g, in.error());
      auto files = WriteSelection(*in, *o);
      if (!files) return Report(g, files.error());
      if (g.json) return fmt::print("{}\n", nlohmann::ordered_json{{"campaign", args->key}, {"files", *files}}.dump());
      if (!g.quiet) {
        for (const auto& f : *files) fmt::print("{}\n", f);
      }
    });
  });
}

void AddSynth(CLI::App& sub, Globals& g) {
  auto cfg = std::make_shared<engine::SynthCampaignConfig>();
  auto* synth = sub.add_subcommand("synth", "write a synthetic campaign's applications, judges and sheets (CSV)");
  synth->add_option("--rules", cfg->rules_file, "the campaign file")->required();
  synth->add_option("--out", cfg->out_dir, "the folder to write")->required();
  synth->add_option("--applications", cfg->applications, "applications (52)")->check(AtLeastOne());
  synth->add_option("--organisations", cfg->organisations, "applicant organisations (39)")->check(AtLeastOne());
  synth->add_option("--judges", cfg->judges, "judges (12)")->check(AtLeastOne());
  synth->add_option("--seed", cfg->seed, "the draw's seed (1)");
  synth->callback([&g, cfg] {
    if (auto ok = engine::SynthesizeCampaign(*cfg); !ok) return Report(g, ok.error());
    fmt::print("{}: applications.csv, judges.csv, truth.csv and sheets/<judge>.csv\n", cfg->out_dir);
  });
}

}  // namespace

void AddEvaluation(CLI::App& app, Globals& g) {
  auto* sub = app.add_subcommand("evaluation", "the excellent-practice evaluation's campaigns (docs/evaluation.md)");
  sub->require_subcommand(1);
  auto args = std::make_shared<CampaignArgs>();
  sub->add_option("--token-file", args->token_file, "file whose first line is the API token (default $GPSI_TOKEN)");
  AddSetUp(*sub, g, args);
  AddStages(*sub, g, args);
  AddScore(*sub, g, args);
  AddReads(*sub, g, args);
  AddSelectionReport(*sub, g, args);
  AddSynth(*sub, g);
}

}  // namespace gpsi::cli
