// gpsi org add|set|agree|disable|enable|list: the member organisations of the sharing platform.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "engine.hpp"
#include "report.hpp"

namespace gpsi::cli {
namespace {

//! The options of `org add` and `org set`; unset ones leave the stored value.
struct OrgOptions {
  std::string key, kind, name_en, name_zh;
  std::vector<std::string> countries;
  int tier = -1;
};

void PrintOrg(const Globals& g, const Organisation& o) {
  if (g.json) return fmt::print("{}\n", report::OrgJson(o));
  fmt::print("{:<16} {:<11} tier {}  {}{}{}\n", o.key, ToString(o.kind), o.tier, o.name_en,
             o.name_zh.empty() ? "" : " / " + o.name_zh, o.disabled.empty() ? "" : "  (disabled " + o.disabled + ")");
  if (!o.countries.empty()) fmt::print("  countries: {}\n", fmt::join(o.countries, " "));
  for (const auto& a : o.agreements) fmt::print("  data set {}: {}\n", a.dataset, fmt::join(a.indicators, " "));
}

void Done(Globals& g, const Result<Organisation>& r) {
  if (!r) return Report(g, r.error());
  PrintOrg(g, r.value());
}

//! `org enable|disable KEY`.
void AddOrgSwitch(CLI::App& org, Globals& g, const char* name, bool disable) {
  auto* cmd = org.add_subcommand(
      name, disable ? "disable an organisation (its tokens stop working)" : "enable a disabled organisation");
  auto key = std::make_shared<std::string>();
  cmd->add_option("key", *key, "organisation key")->required();
  cmd->callback([&g, key, disable] {
    Done(g, engine::ChangeOrganisation(g.db, engine::CliActor(), *key, [disable](Organisation& o) -> Status {
           SetDisabled(o, disable, NowUtc());
           return Ok();
         }));
  });
}

}  // namespace

void AddOrg(CLI::App& app, Globals& g) {
  auto* org = app.add_subcommand("org", "member organisations of the sharing platform (docs/platform.md)");
  org->require_subcommand(1);

  auto* add = org->add_subcommand("add", "add an organisation");
  auto o = std::make_shared<OrgOptions>();
  add->add_option("key", o->key, "short handle: 2-32 of a-z, 0-9 and '-'")->required();
  add->add_option("--kind", o->kind,
                  "government (tier 2), think-tank (tier 3), enterprise (has projects assessed) or secretariat")
      ->required();
  add->add_option("--name-en", o->name_en, "English name")->required();
  add->add_option("--name-zh", o->name_zh, "Chinese name");
  add->add_option("--country", o->countries, "unit codes it may report for (ISO3)");
  add->add_option("--tier", o->tier, "tier of its data, instead of its kind's default")->check(CLI::Range(1, 4));
  add->callback([&g, o] {
    const auto kind = ParseOrgKind(o->kind);
    if (!kind)
      return Report(g,
                    Error{Errc::kUsage, "--kind: government, think-tank, enterprise or secretariat, not " + o->kind});
    Organisation org;
    org.key = o->key, org.kind = *kind, org.name_en = o->name_en, org.name_zh = o->name_zh;
    org.countries = o->countries, org.tier = o->tier;
    Done(g, engine::AddOrganisation(g.db, engine::CliActor(), org));
  });

  auto* set = org->add_subcommand("set", "change an organisation's names, tier or countries");
  auto s = std::make_shared<OrgOptions>();
  auto* countries = set->add_option("--country", s->countries, "the countries it may report for (replaces them)");
  set->add_option("key", s->key, "organisation key")->required();
  set->add_option("--name-en", s->name_en, "English name");
  set->add_option("--name-zh", s->name_zh, "Chinese name");
  set->add_option("--tier", s->tier, "tier of its data")->check(CLI::Range(1, 4));
  set->callback([&g, s, countries] {
    const bool replace = countries->count() > 0;
    Done(g, engine::ChangeOrganisation(g.db, engine::CliActor(), s->key, [&](Organisation& org) -> Status {
           if (!s->name_en.empty()) org.name_en = s->name_en;
           if (!s->name_zh.empty()) org.name_zh = s->name_zh;
           if (s->tier != -1) org.tier = s->tier;
           if (replace) org.countries = s->countries;
           return Ok();
         }));
  });

  auto* agree =
      org->add_subcommand("agree", "add or replace a provision agreement: the organisation reports a data set");
  auto key = std::make_shared<std::string>();
  auto dataset = std::make_shared<std::string>();
  auto indicators = std::make_shared<std::vector<std::string>>();
  auto drop = std::make_shared<bool>(false);
  agree->add_option("key", *key, "organisation key")->required();
  agree->add_option("--dataset", *dataset, "data set id")->required();
  agree->add_option("--indicator", *indicators, "indicator codes of the data set");
  agree->add_flag("--remove", *drop, "end the agreement instead");
  agree->callback([&g, key, dataset, indicators, drop] {
    Done(g, engine::ChangeOrganisation(g.db, engine::CliActor(), *key, [&](Organisation& org) -> Status {
           auto& list = org.agreements;
           const auto it =
               std::find_if(list.begin(), list.end(), [&](const Agreement& a) { return a.dataset == *dataset; });
           if (*drop) {
             if (it == list.end()) return Error{Errc::kNotFound, fmt::format("no data set '{}' of {}", *dataset, *key)};
             list.erase(it);
           } else if (it != list.end()) {
             it->indicators = *indicators;
           } else {
             list.push_back(Agreement{*dataset, *indicators});
           }
           return Ok();
         }));
  });

  AddOrgSwitch(*org, g, "disable", true);
  AddOrgSwitch(*org, g, "enable", false);

  org->add_subcommand("list", "list organisations")->callback([&g] {
    auto orgs = engine::Organisations(g.db);
    if (!orgs) return Report(g, orgs.error());
    if (g.json) return fmt::print("{}\n", report::OrgsJson(*orgs));
    for (const auto& x : *orgs) PrintOrg(g, x);
  });
}

}  // namespace gpsi::cli
