// The country reference: ISO 3166 from Debian's iso-codes (names en + zh_CN), UN M49 regions
// from the data folder's reference_* files, and gpsi's own alias and aggregate lists.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "detail/json_table.hpp"
#include "detail/mo_file.hpp"
#include "detail/reference_files.hpp"
#include "detail/table.hpp"
#include "detail/unit_resolver.hpp"
#include "ingest.hpp"

namespace gpsi {
namespace {

namespace fs = std::filesystem;
using detail::Table;

Result<nlohmann::json> ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{Errc::kBadReference, "cannot read (install Debian's iso-codes package)", path};
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    return Error{Errc::kBadReference, e.what(), path};
  }
}

std::string Get(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Pad3(std::string_view s) {
  std::string out(Trim(s));
  if (out.empty()) return out;
  while (out.size() < 3) out.insert(out.begin(), '0');
  return out;
}

class Loader {
 public:
  Loader(Store& store, ReferenceReport& report) : store_(store), report_(report) {}

  void Name(std::string_view name, const std::string& unit, const std::string& origin, bool replace = false) {
    std::string key = NameKey(name);
    if (key.empty()) return;
    if (replace) {
      store_.ReplaceUnitName(key, unit, origin);
    } else {
      store_.AddUnitName(key, unit, origin);
    }
    current_names_.insert(key);
    ++report_.names;
  }

  void Aggregate(std::string_view name, const std::string& origin) {
    std::string key = NameKey(name);
    if (key.empty()) return;
    store_.AddAggregateName(key, std::string(Trim(name)), origin);
    ++report_.aggregates;
  }

  Status Iso(const ReferenceConfig& cfg) {
    auto j1 = ReadJson(cfg.iso_json + "/iso_3166-1.json");
    if (!j1) return j1.error();
    std::unordered_map<std::string, std::string> zh1, zh3;
    if (auto mo = detail::ReadMoFile(cfg.iso_locale + "/zh_CN/LC_MESSAGES/iso_3166-1.mo")) zh1 = std::move(*mo);
    if (auto mo = detail::ReadMoFile(cfg.iso_locale + "/zh_CN/LC_MESSAGES/iso_3166-3.mo")) zh3 = std::move(*mo);
    std::set<std::string> current;
    for (const auto& e : (*j1)["3166-1"]) {
      Unit u;
      u.iso3 = u.code = Get(e, "alpha_3");
      u.iso2 = Get(e, "alpha_2");
      u.m49 = Get(e, "numeric");
      u.name_en = Get(e, "common_name").empty() ? Get(e, "name") : Get(e, "common_name");
      u.official_name_en = Get(e, "official_name");
      auto zh = zh1.find(Get(e, "name"));
      if (zh != zh1.end()) u.name_zh = zh->second;
      u.kind = UnitKind::kCountry;  // refined by the M49 reference (independence) below
      store_.UpsertUnit(u);
      current.insert(u.code);
      ++report_.units;
      for (const char* k : {"name", "official_name", "common_name"}) Name(Get(e, k), u.code, "iso-codes");
      if (!u.name_zh.empty()) Name(u.name_zh, u.code, "iso-codes zh_CN");
    }
    // Former states (ISO 3166-3) appear in long historical series (USSR, Yugoslavia…); they are
    // kept as units of kind "other", never merged into their successors.
    auto j3 = ReadJson(cfg.iso_json + "/iso_3166-3.json");
    if (!j3) return j3.error();
    for (const auto& e : (*j3)["3166-3"]) {
      std::string a3 = Get(e, "alpha_3");
      if (a3.empty() || current.count(a3)) continue;
      Unit u;
      u.code = u.iso3 = a3;
      u.kind = UnitKind::kOther;
      u.name_en = Get(e, "name");
      auto zh = zh3.find(u.name_en);
      if (zh != zh3.end()) u.name_zh = zh->second;
      store_.UpsertUnit(u);
      current.insert(a3);
      ++report_.units;
      Name(u.name_en, u.code, "iso-codes 3166-3");
      // "USSR, Union of Soviet Socialist Republics" is also written as its first part, unless that
      // is a current country's name ("Yemen, Democratic…" must not capture "Yemen").
      if (auto comma = u.name_en.find(", "); comma != std::string::npos) {
        std::string head = u.name_en.substr(0, comma);
        if (!current_names_.count(NameKey(head))) Name(head, u.code, "iso-codes 3166-3");
      }
    }
    return Ok();
  }

  // datasets/country-codes: independence (country vs territory), regions for every ISO entry
  // (including Taiwan, absent from UNSD's own file), and UNTERM/CLDR names.
  Status CountryCodes(const std::string& path) {
    auto t = Table::Open(path, ',');
    if (!t) return t.error();
    rows_ = 0;
    auto a3 = (*t)->Column("ISO3166-1-Alpha-3");
    if (!a3) return Error{Errc::kBadReference, "no ISO3166-1-Alpha-3 column", path, 1, 1};
    while ((*t)->Next()) {
      ++rows_;
      std::string code(Trim((*t)->Field(*a3)));
      auto existing = store_.FindUnit(code);
      if (!existing) continue;
      Unit u = *existing;
      u.kind = (*t)->Get("is_independent") == "Yes" ? UnitKind::kCountry : UnitKind::kTerritory;
      u.region_code = Pad3((*t)->Get("Region Code")), u.region_name = (*t)->Get("Region Name");
      u.subregion_code = Pad3((*t)->Get("Sub-region Code")), u.subregion_name = (*t)->Get("Sub-region Name");
      u.intermediate_code = Pad3((*t)->Get("Intermediate Region Code"));
      u.intermediate_name = (*t)->Get("Intermediate Region Name");
      store_.UpsertUnit(u);
      for (const char* k : {"UNTERM English Short", "UNTERM English Formal", "CLDR display name", "official_name_en"}) {
        Name((*t)->Get(k), code, "country-codes");
      }
      // FIPS 10-4 (GDELT's geography) is a code space of its own that clashes with ISO alpha-2
      // (FIPS AS is Australia, ISO AS American Samoa), so it is kept as "#FIPS:XX" names, read by
      // `gpsi events`. A combined entry lists several codes (Serbia "RIKV", Palestine "GZWE");
      // anything but pairs of capitals (an empty cell, "a", a no-break space) is not a FIPS code.
      // A code listed for a state and a dependency (NL: Netherlands, and Bonaire…) names the state.
      std::string fips = (*t)->Get("FIPS");
      bool valid = !fips.empty() && fips.size() % 2 == 0 &&
                   std::all_of(fips.begin(), fips.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
      bool sovereign = (*t)->Get("is_independent") == "Yes";
      for (std::size_t i = 0; valid && i < fips.size(); i += 2) {
        std::string key = "#FIPS:" + fips.substr(i, 2);
        if (sovereign) {
          store_.ReplaceUnitName(key, code, "country-codes FIPS");
          fips_of_states_.insert(key);
        } else if (!fips_of_states_.count(key)) {
          store_.AddUnitName(key, code, "country-codes FIPS");
        }
      }
    }
    return Ok();
  }

  // UNSD's own M49 file (';'-separated): the authoritative regions, and their names as aggregates.
  //! UNSD's M49 CSV, or (layout sdg-geoarea-tree) the SDG API's GeoArea tree read as that CSV.
  Status UnsdM49(const std::string& path, std::string_view layout = "reference-m49") {
    auto t = layout == "sdg-geoarea-tree" ? detail::OpenApiTable(path, layout) : Table::Open(path, ';');
    if (!t) return t.error();
    rows_ = 0;
    auto a3 = (*t)->Column("ISO-alpha3 Code");
    auto m49 = (*t)->Column("M49 Code");
    if (!a3 && !m49) return Error{Errc::kBadReference, "no ISO-alpha3 Code or M49 Code column", path, 1, 1};
    // The GeoArea tree names countries by M49 code only: their units are found by the M49 code the
    // ISO reference (country-codes) gave them.
    std::map<std::string, std::string> by_m49;
    if (!a3) {
      for (const Unit& u : store_.Units()) {
        if (!u.m49.empty() && u.kind != UnitKind::kSubUnit) by_m49.emplace(u.m49, u.code);
      }
    }
    while ((*t)->Next()) {
      ++rows_;
      for (const char* k : {"Global Name", "Region Name", "Sub-region Name", "Intermediate Region Name"}) {
        Aggregate((*t)->Get(k), "UNSD M49");
      }
      for (const char* k : {"Global Code", "Region Code", "Sub-region Code", "Intermediate Region Code"}) {
        if (!(*t)->Get(k).empty()) store_.AddAggregateName("#M49:" + Pad3((*t)->Get(k)), (*t)->Get(k), "UNSD M49");
      }
      std::string code;
      if (a3) {
        code = Trim((*t)->Field(*a3));
      } else if (auto it = by_m49.find(Pad3((*t)->Get("M49 Code"))); it != by_m49.end()) {
        code = it->second;
      }
      auto existing = code.empty() ? std::nullopt : store_.FindUnit(code);
      if (!existing) continue;
      Unit u = *existing;
      u.m49 = Pad3((*t)->Get("M49 Code"));
      u.region_code = Pad3((*t)->Get("Region Code")), u.region_name = (*t)->Get("Region Name");
      u.subregion_code = Pad3((*t)->Get("Sub-region Code")), u.subregion_name = (*t)->Get("Sub-region Name");
      u.intermediate_code = Pad3((*t)->Get("Intermediate Region Code"));
      u.intermediate_name = (*t)->Get("Intermediate Region Name");
      store_.UpsertUnit(u);
      Name((*t)->Get("Country or Area"), code, "UNSD M49");
      in_m49_.insert(code);
      for (const char* k : {"Least Developed Countries (LDC)", "Land Locked Developing Countries (LLDC)",
                            "Small Island Developing States (SIDS)"}) {
        if (!(*t)->Column(k)) continue;  // the GeoArea tree may come without these groups
        std::string g = std::string(k).substr(std::string(k).find('(') + 1);
        g.pop_back();
        for (char& c : g) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        store_.SetUnitGroup(code, g, (*t)->Get(k).empty() ? "no" : "yes", 0);
      }
    }
    report_.m49_loaded = true;
    return Ok();
  }

  // gpsi's curated lists: units without an ISO code (Kosovo), publishers' spellings, aggregates.
  Status ProjectLists(const std::string& dir) {
    if (auto t = Table::Open(dir + "/extra_units.csv", ',')) {
      while ((*t)->Next()) {
        Unit u;
        u.code = u.iso3 = (*t)->Get("code");
        u.kind = ParseUnitKind((*t)->Get("kind")).value_or(UnitKind::kOther);
        u.name_en = (*t)->Get("name_en"), u.name_zh = (*t)->Get("name_zh"), u.iso2 = (*t)->Get("iso2");
        u.region_code = (*t)->Get("region_code"), u.region_name = (*t)->Get("region_name");
        u.subregion_code = (*t)->Get("subregion_code"), u.subregion_name = (*t)->Get("subregion_name");
        store_.UpsertUnit(u);
        ++report_.units;
        Name(u.name_en, u.code, "gpsi extra_units");
        Name(u.name_zh, u.code, "gpsi extra_units");
      }
    } else {
      return t.error();
    }
    auto aliases = Table::Open(dir + "/aliases.csv", ',');
    if (!aliases) return aliases.error();
    auto name_c = (*aliases)->Column("name"), unit_c = (*aliases)->Column("unit");
    if (!name_c || !unit_c)
      return Error{Errc::kBadReference, "aliases.csv needs columns name,unit", dir + "/aliases.csv", 1, 1};
    while ((*aliases)->Next()) {
      std::string name(Trim((*aliases)->Field(*name_c))), unit(Trim((*aliases)->Field(*unit_c)));
      if (!store_.FindUnit(unit)) {
        return Error{Errc::kBadReference, fmt::format("alias '{}' names unknown unit {}", name, unit),
                     dir + "/aliases.csv", (*aliases)->record().line, 1};
      }
      if (name.size() > 1 && name[0] == '#') {
        store_.ReplaceUnitName(name, unit, "gpsi aliases");
      } else {
        Name(name, unit, "gpsi aliases", true);
      }
    }
    auto aggs = Table::Open(dir + "/aggregates.csv", ',');
    if (!aggs) return aggs.error();
    auto n_c = (*aggs)->Column("name"), code_c = (*aggs)->Column("code"), o_c = (*aggs)->Column("origin");
    if (!n_c || !code_c || !o_c) {
      return Error{Errc::kBadReference, "aggregates.csv needs columns code,name,origin", dir + "/aggregates.csv", 1, 1};
    }
    while ((*aggs)->Next()) {
      std::string name(Trim((*aggs)->Field(*n_c))), code(Trim((*aggs)->Field(*code_c)));
      std::string origin(Trim((*aggs)->Field(*o_c)));
      if (!name.empty()) Aggregate(name, origin);
      if (!code.empty()) store_.AddAggregateName("#" + code, name, origin);
    }
    return Ok();
  }

  std::int64_t rows() const { return rows_; }

  //! UN practice first (the brief's source priority): a unit that UNSD's M49 list does not carry
  //! as a country or area is kept as a territory, whatever other lists say.
  void MarkTerritories() {
    for (Unit u : store_.Units()) {
      if (u.kind == UnitKind::kCountry && !in_m49_.count(u.code)) {
        u.kind = UnitKind::kTerritory;
        store_.UpsertUnit(u);
      }
    }
  }

 private:
  Store& store_;
  ReferenceReport& report_;
  std::int64_t rows_ = 0;
  std::set<std::string> current_names_;
  std::set<std::string> fips_of_states_;  // "#FIPS:XX" keys given to an independent state

  //! Units listed in UNSD's M49 file; a unit missing from it is not a UN member-state country.
  std::set<std::string> in_m49_;
};

}  // namespace

namespace detail {
Result<std::int64_t> LoadReferenceFile(Store& store, const std::string& layout, const std::string& path) {
  ReferenceReport report;
  Loader loader(store, report);
  bool m49 = layout == "reference-m49" || layout == "sdg-geoarea-tree";
  Status s = m49 ? loader.UnsdM49(path, layout) : loader.CountryCodes(path);
  if (!s) return s.error();
  if (m49) loader.MarkTerritories();
  return loader.rows();
}
}  // namespace detail

Result<ReferenceReport> LoadReference(Store& store, const ReferenceConfig& config) {
  ReferenceReport report;
  Transaction tx(store);
  Loader loader(store, report);
  if (auto s = loader.Iso(config); !s) return s.error();
  if (!config.data_dir.empty()) {
    std::string cc = config.data_dir + "/reference_country_codes/country-codes.csv";
    std::string m49 = config.data_dir + "/reference_unsd_m49/UNSD_m49.csv";
    if (fs::exists(cc)) {
      if (auto s = loader.CountryCodes(cc); !s) return s.error();
    }
    if (fs::exists(m49)) {
      if (auto s = loader.UnsdM49(m49); !s) return s.error();
      loader.MarkTerritories();
    }
  }
  if (auto s = loader.ProjectLists(config.project_data + "/reference"); !s) return s.error();
  tx.Commit();
  for (const Unit& u : store.Units()) {
    if (!u.region_code.empty()) ++report.with_region;
    if (!u.name_zh.empty()) ++report.with_zh;
  }
  return report;
}

}  // namespace gpsi
