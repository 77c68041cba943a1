// Source descriptors (TOML) → Descriptor.
#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <re2/re2.h>
#include <toml++/toml.h>

#include "detail/reference_files.hpp"
#include "ingest.hpp"

namespace gpsi {
namespace {

namespace fs = std::filesystem;

Error At(const std::string& path, const toml::source_region& src, std::string message) {
  return Error{Errc::kBadDescriptor, std::move(message), path, static_cast<std::int64_t>(src.begin.line),
               static_cast<std::int64_t>(src.begin.column)};
}

Error At(const std::string& path, const toml::node& node, std::string message) {
  return At(path, node.source(), std::move(message));
}

// Points at the value of `key` when the table has it, else at the table.
Error AtKey(const std::string& path, const toml::table& table, const char* key, std::string message) {
  const toml::node* n = table.get(key);
  return At(path, n ? *n : static_cast<const toml::node&>(table), std::move(message));
}

// Releases order vintages by text comparison, so they must be ISO dates: YYYY, YYYY-MM or YYYY-MM-DD.
bool IsIsoDate(std::string_view s) {
  auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i) {
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    }
    return true;
  };
  if (s.size() == 4) return digits(0, 4);
  if (s.size() == 7) return digits(0, 4) && s[4] == '-' && digits(5, 2);
  if (s.size() == 10) return digits(0, 4) && s[4] == '-' && digits(5, 2) && s[7] == '-' && digits(8, 2);
  return false;
}

// Reads typed keys of one table, remembering the first type error and rejecting unknown keys so
// that a misspelt key is an error, not a silent default.
class Reader {
 public:
  Reader(const std::string& path, const toml::table& table, std::string where)
      : path_(path), table_(table), where_(std::move(where)) {}

  template <class T>
  void Get(const char* key, T& out) {
    seen_.push_back(key);
    const toml::node* n = table_.get(key);
    if (!n) return;
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = n->value<std::string>()) {
        out = *v;
        return;
      }
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = n->value<bool>()) {
        out = *v;
        return;
      }
    } else if constexpr (std::is_same_v<T, int>) {
      if (auto v = n->value<std::int64_t>()) {
        out = static_cast<int>(*v);
        return;
      }
    } else if constexpr (std::is_same_v<T, double>) {
      if (auto v = n->value<double>()) {
        out = *v;
        return;
      }
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      if (auto* arr = n->as_array()) {
        out.clear();
        for (const auto& e : *arr) {
          auto v = e.value<std::string>();
          if (!v) return Fail(e, fmt::format("{}.{}: expected a list of strings", where_, key));
          out.push_back(*v);
        }
        return;
      }
    }
    Fail(*n, fmt::format("{}.{}: wrong type", where_, key));
  }

  void GetSelector(const char* key, Selector& out) {
    seen_.push_back(key);
    const toml::node* n = table_.get(key);
    if (!n) return;
    const auto* t = n->as_table();
    if (!t) return Fail(*n, fmt::format("{}.{}: expected a table of column = value(s)", where_, key));
    for (const auto& [k, v] : *t) {
      std::vector<std::string> values;
      if (auto s = v.value<std::string>()) {
        values.push_back(*s);
      } else if (const auto* arr = v.as_array()) {
        for (const auto& e : *arr) {
          if (auto s2 = e.value<std::string>()) values.push_back(*s2);
        }
      }
      if (values.empty())
        return Fail(v, fmt::format("{}.{}.{}: expected a string or list of strings", where_, key, k.str()));
      out.emplace_back(std::string(k.str()), std::move(values));
    }
  }

  void GetMap(const char* key, std::map<std::string, std::string>& out) {
    seen_.push_back(key);
    const toml::node* n = table_.get(key);
    if (!n) return;
    const auto* t = n->as_table();
    if (!t) return Fail(*n, fmt::format("{}.{}: expected a table", where_, key));
    for (const auto& [k, v] : *t) {
      auto s = v.value<std::string>();
      if (!s) return Fail(v, fmt::format("{}.{}.{}: expected a string", where_, key, k.str()));
      out[std::string(k.str())] = *s;
    }
  }

  void GetNumberMap(const char* key, std::map<std::string, double>& out) {
    seen_.push_back(key);
    const toml::node* n = table_.get(key);
    if (!n) return;
    const auto* t = n->as_table();
    if (!t) return Fail(*n, fmt::format("{}.{}: expected a table of text = number", where_, key));
    for (const auto& [k, v] : *t) {
      auto x = v.value<double>();
      if (!x) return Fail(v, fmt::format("{}.{}.{}: expected a number", where_, key, k.str()));
      out[std::string(k.str())] = *x;
    }
  }

  void Fail(const toml::node& n, std::string msg) {
    if (!error_) error_ = At(path_, n, std::move(msg));
  }

  //! The first error, including unknown keys.
  std::optional<Error> Finish() {
    if (error_) return error_;
    for (const auto& [k, v] : table_) {
      if (std::find(seen_.begin(), seen_.end(), k.str()) == seen_.end()) {
        return At(path_, k.source(), fmt::format("{}: unknown key '{}'", where_, k.str()));
      }
    }
    return std::nullopt;
  }

 private:
  const std::string& path_;
  const toml::table& table_;
  std::string where_;
  std::vector<std::string> seen_;
  std::optional<Error> error_;
};

const std::vector<std::string> kLayouts{"long", "wide", "gho", "owid", "canonical", "coinr-data", "coinr-meta",
                                        "sdmx-csv", "groups", "reference-m49", "reference-country-codes",
                                        // gpsi update's publisher API responses (docs/update.md)
                                        "who-odata", "wb-api", "sdg-api", "owid-grapher", "sdg-geoarea-tree"};

// Column names of the flattened API responses (json_table.cpp), unless the descriptor says.
void ApiLayoutDefaults(Descriptor& d) {
  auto set = [](std::string& field, const char* value) {
    if (field.empty()) field = value;
  };
  if (d.layout == "who-odata") {
    set(d.unit_column, "SpatialDim"), set(d.year_column, "TimeDim"), set(d.value_column, "NumericValue");
    if (d.aggregate_when.empty())
      d.aggregate_when.push_back({"SpatialDimType", {"REGION", "WORLDBANKINCOMEGROUP", "GLOBAL", "WHOINCOMEREGION"}});
  } else if (d.layout == "wb-api") {
    set(d.unit_column, "countryiso3code"), set(d.unit_name_column, "country.value");
    set(d.year_column, "date"), set(d.value_column, "value");
  } else if (d.layout == "sdg-api") {
    set(d.unit_column, "geoAreaCode"), set(d.unit_name_column, "geoAreaName");
    set(d.year_column, "timePeriodStart"), set(d.value_column, "value");
    if (d.unit_by == "iso3") d.unit_by = "m49";
  } else {  // owid-grapher: Entity,Code,Year,<chart column> (renamed "value" when read)
    set(d.unit_column, "Code"), set(d.unit_name_column, "Entity");
    set(d.year_column, "Year"), set(d.value_column, "value");
  }
}

//! The columns of a self-describing layout are fixed by its format, never by a descriptor:
//! canonical (unit, year, value) and SDMX-CSV 2.0 (REF_AREA, TIME_PERIOD, OBS_VALUE).
void FormatColumns(Descriptor& d) {
  if (d.layout == "sdmx-csv") {
    d.unit_column = "REF_AREA", d.year_column = "TIME_PERIOD", d.value_column = "OBS_VALUE";
  } else {
    d.unit_column = "unit", d.year_column = "year", d.value_column = "value";
  }
  d.unit_by = "auto";
}

}  // namespace

Result<Descriptor> ParseDescriptor(std::string_view text, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Error{Errc::kBadDescriptor, std::string(e.description()), path,
                 static_cast<std::int64_t>(e.source().begin.line), static_cast<std::int64_t>(e.source().begin.column)};
  }
  Descriptor d;
  d.path = path;
  d.name = fs::path(path).stem().string();
  auto table = [&](const char* key) -> const toml::table* {
    const toml::node* n = root.get(key);
    return n ? n->as_table() : nullptr;
  };
  for (const auto& [k, v] : root) {
    static const std::vector<std::string> kTop{"source", "sources", "match",     "table",
                                               "unit",   "year",    "indicator", "group"};
    if (std::find(kTop.begin(), kTop.end(), k.str()) == kTop.end()) {
      return At(path, v, fmt::format("unknown section [{}]", k.str()));
    }
    if (k.str() != "indicator" && k.str() != "group" && !v.is_table()) {
      return At(path, v, fmt::format("[{}] must be a table", k.str()));
    }
  }
  const toml::table* match = table("match");
  if (!match) return Error{Errc::kBadDescriptor, "missing [match] section", path, 1, 1};
  {
    Reader r(path, *match, "match");
    r.Get("files", d.match_files);
    r.Get("folder", d.match_folder);
    r.Get("ingest", d.ingest);
    r.Get("reason", d.skip_reason);
    if (auto e = r.Finish()) return *e;
    if (d.match_files.empty()) return At(path, *match, "match.files: at least one file-name pattern is needed");
  }
  if (!d.ingest) return d;  // a skip entry needs nothing else

  const toml::table* source = table("source");
  const toml::table* tab = table("table");
  if (tab) {
    Reader r(path, *tab, "table");
    std::string delim = ",";
    r.Get("layout", d.layout);
    r.Get("delimiter", delim);
    r.Get("skip_lines", d.skip_lines);
    r.Get("missing", d.missing);
    r.Get("value", d.value_column);
    r.GetSelector("filter", d.filter);
    r.Get("indicator_prefix", d.indicator_prefix);
    r.Get("order", d.order);
    r.Get("encoding", d.encoding);
    std::string thousands;
    r.Get("thousands", thousands);
    if (auto e = r.Finish()) return *e;
    if (!KnownEncoding(d.encoding)) {
      return AtKey(path, *tab, "encoding", fmt::format("table.encoding: unknown character set '{}'", d.encoding));
    }
    if (thousands.size() > 1 || (thousands.size() == 1 && (std::isdigit(static_cast<unsigned char>(thousands[0])) ||
                                                           thousands[0] == '.' || thousands[0] == '-'))) {
      return AtKey(path, *tab, "thousands", "table.thousands: one character that is not a digit, '.' or '-'");
    }
    if (!thousands.empty()) d.thousands = thousands[0];
    if (delim == "\\t" || delim == "tab") delim = "\t";
    if (delim.size() != 1) return AtKey(path, *tab, "delimiter", "table.delimiter: must be one character");
    d.delimiter = delim[0];
    if (std::find(kLayouts.begin(), kLayouts.end(), d.layout) == kLayouts.end()) {
      return At(path, *tab->get("layout"), fmt::format("table.layout: unknown layout '{}'", d.layout));
    }
    if (d.skip_lines < 0) return AtKey(path, *tab, "skip_lines", "table.skip_lines: must be >= 0");
  }
  bool reference = detail::IsReferenceLayout(d.layout);
  if (!source && !reference) return Error{Errc::kBadDescriptor, "missing [source] section", path, 1, 1};
  auto read_source = [&](const toml::table& t, const std::string& where, Source& out) -> std::optional<Error> {
    Reader r(path, t, where);
    r.Get("key", out.key);
    r.Get("publisher", out.publisher);
    r.Get("tier", out.tier);
    r.Get("licence", out.licence);
    r.Get("url", out.url);
    r.Get("release", out.release);
    r.Get("retrieved", out.retrieved);
    r.Get("preference", out.preference);
    if (auto e = r.Finish()) return e;
    if (out.key.empty() || out.publisher.empty() || out.release.empty()) {
      return At(path, t, where + ": key, publisher and release are required");
    }
    if (out.tier < 1 || out.tier > 4) return AtKey(path, t, "tier", where + ".tier: must be 1, 2, 3 or 4");
    if (!IsIsoDate(out.release)) {
      return AtKey(path, t, "release", where + ".release: must be an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)");
    }
    return std::nullopt;
  };
  if (source) {
    if (auto e = read_source(*source, "source", d.source)) return *e;
    if (const toml::table* more = table("sources")) {
      for (const auto& [name, node] : *more) {
        const toml::table* t = node.as_table();
        if (!t) return At(path, node, fmt::format("sources.{}: must be a table", name.str()));
        Source extra = d.source;  // unstated fields (licence, retrieved…) default to the file's source
        extra.key.clear(), extra.publisher.clear();
        if (auto e = read_source(*t, fmt::format("sources.{}", name.str()), extra)) return *e;
        d.sources.emplace(std::string(name.str()), std::move(extra));
      }
    }
  } else {
    d.source = Source{"(reference)", "reference data", 0, "", "", "reference", "", 0};
    d.order = 0;
  }
  if (const toml::table* unit = table("unit")) {
    Reader r(path, *unit, "unit");
    r.Get("column", d.unit_column);
    r.Get("by", d.unit_by);
    r.Get("name_column", d.unit_name_column);
    r.Get("check_column", d.check_column);
    r.Get("check_by", d.check_by);
    r.GetSelector("aggregate_when", d.aggregate_when);
    if (auto e = r.Finish()) return *e;
    static const std::vector<std::string> kBy{"iso3", "iso2", "m49", "name", "code", "auto"};
    if (std::find(kBy.begin(), kBy.end(), d.unit_by) == kBy.end()) {
      return AtKey(path, *unit, "by",
                   fmt::format("unit.by: unknown '{}' (iso3, iso2, m49, name, code, auto)", d.unit_by));
    }
  }
  if (const toml::table* year = table("year")) {
    Reader r(path, *year, "year");
    r.Get("column", d.year_column);
    r.Get("value", d.fixed_year);
    r.Get("min", d.year_min);
    r.Get("max", d.year_max);
    r.Get("keep_from", d.keep_from);
    r.Get("keep_to", d.keep_to);
    if (auto e = r.Finish()) return *e;
  }
  if (const toml::node* inds = root.get("indicator")) {
    const toml::array* arr = inds->as_array();
    if (!arr) return At(path, *inds, "indicator: use [[indicator]] tables");
    for (const auto& n : *arr) {
      const toml::table* t = n.as_table();
      if (!t) return At(path, n, "indicator: use [[indicator]] tables");
      IndicatorMap m;
      Reader r(path, *t, "indicator");
      r.Get("code", m.meta.code);
      r.Get("name_en", m.meta.name_en);
      r.Get("name_zh", m.meta.name_zh);
      r.Get("unit_of_measure", m.meta.unit_of_measure);
      r.Get("dimension", m.meta.dimension);
      r.Get("direction", m.meta.direction);
      r.Get("description", m.meta.description);
      r.Get("column", m.column);
      r.GetSelector("when", m.when);
      r.Get("flags", m.flags);
      r.Get("flag_column", m.flag_column);
      r.GetMap("flag_map", m.flag_map);
      r.Get("non_negative", m.non_negative);
      r.Get("scale", m.scale);
      r.Get("source", m.source);
      std::vector<std::string> missing;
      bool has_missing = t->contains("missing");
      r.Get("missing", missing);
      if (has_missing) m.missing = missing;
      r.GetNumberMap("value_map", m.value_map);
      r.Get("value_pattern", m.value_pattern);
      r.Get("year", m.year);
      if (auto e = r.Finish()) return *e;
      if (m.year != 0 && (m.year < 1000 || m.year > 9999)) {
        return AtKey(path, *t, "year", "indicator.year: must be a four-digit year");
      }
      if (!m.value_pattern.empty()) {
        // RE2, not std::regex: its matching time is linear in the text and it does not recurse, so
        // a member's pattern (descriptors come over HTTP) can neither stall nor crash the server.
        RE2::Options options;
        options.set_log_errors(false);
        m.value_regex = std::make_shared<const RE2>(m.value_pattern, options);
        if (!m.value_regex->ok()) {
          return AtKey(path, *t, "value_pattern", fmt::format("indicator.value_pattern: {}", m.value_regex->error()));
        }
        if (m.value_regex->NumberOfCapturingGroups() < 1) {
          return AtKey(path, *t, "value_pattern", "indicator.value_pattern: needs a group (…) around the number");
        }
      }
      if (!m.source.empty() && !d.sources.count(m.source)) {
        return AtKey(path, *t, "source", fmt::format("indicator.source: no [sources.{}] table", m.source));
      }
      if (m.meta.code.empty()) return At(path, *t, "indicator.code is required");
      if (m.meta.direction != 1 && m.meta.direction != -1) {
        return AtKey(path, *t, "direction", "indicator.direction: must be 1 or -1");
      }
      d.indicators.push_back(std::move(m));
    }
  }
  if (const toml::node* groups = root.get("group")) {
    const toml::array* arr = groups->as_array();
    if (!arr) return At(path, *groups, "group: use [[group]] tables");
    for (const auto& n : *arr) {
      const toml::table* t = n.as_table();
      if (!t) return At(path, n, "group: use [[group]] tables");
      GroupMap g;
      Reader r(path, *t, "group");
      r.Get("name", g.grouping);
      r.Get("column", g.column);
      if (auto e = r.Finish()) return *e;
      if (g.grouping.empty() || g.column.empty()) return At(path, *t, "group: name and column are required");
      d.groups.push_back(std::move(g));
    }
  }
  // Layout defaults: a known publisher layout names its own columns.
  if (d.layout == "gho") {
    if (d.unit_column.empty()) d.unit_column = "SpatialDim";
    if (d.year_column.empty()) d.year_column = "TimeDim";
    if (d.value_column.empty()) d.value_column = "NumericValue";
    if (d.aggregate_when.empty())
      d.aggregate_when.push_back({"SpatialDimType", {"REGION", "WORLDBANKINCOMEGROUP", "GLOBAL"}});
  } else if (d.layout == "owid") {
    if (d.unit_column.empty()) d.unit_column = "Entity";
    if (d.year_column.empty()) d.year_column = "Year";
    d.unit_by = "name";
  } else if (d.layout == "who-odata" || d.layout == "wb-api" || d.layout == "sdg-api" || d.layout == "owid-grapher") {
    ApiLayoutDefaults(d);
  } else if (d.layout == "canonical" || d.layout == "sdmx-csv") {
    FormatColumns(d);
  } else if (d.layout == "coinr-data") {
    if (d.unit_column.empty()) d.unit_column = "uCode";
    if (d.year_column.empty() && d.fixed_year == 0) d.year_column = "Time";
  }
  bool needs_indicators = d.layout == "long" || d.layout == "wide" || d.layout == "gho" || d.layout == "owid" ||
                          d.layout == "who-odata" || d.layout == "wb-api" || d.layout == "sdg-api" ||
                          d.layout == "owid-grapher";
  if (needs_indicators && d.indicators.empty())
    return Error{Errc::kBadDescriptor, "no [[indicator]] given", path, 1, 1};
  bool needs_unit = d.layout != "coinr-meta" && !reference;
  if (needs_unit && d.unit_column.empty()) return Error{Errc::kBadDescriptor, "unit.column is required", path, 1, 1};
  bool needs_year = needs_indicators || d.layout == "coinr-data";
  if (needs_year && d.layout != "wide" && d.year_column.empty() && d.fixed_year == 0) {
    return Error{Errc::kBadDescriptor, "year.column or year.value is required", path, 1, 1};
  }
  if (d.layout == "groups" && d.groups.empty()) return Error{Errc::kBadDescriptor, "no [[group]] given", path, 1, 1};
  return d;
}

Result<Descriptor> LoadDescriptor(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Errc::kIo, "cannot read descriptor", path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseDescriptor(ss.str(), path);
}

Result<std::vector<Descriptor>> LoadDescriptorDir(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".toml") paths.push_back(e.path().string());
  }
  if (ec) return Error{Errc::kIo, fmt::format("cannot list descriptors: {}", ec.message()), dir};
  std::sort(paths.begin(), paths.end());
  std::vector<Descriptor> out;
  for (const auto& p : paths) {
    auto d = LoadDescriptor(p);
    if (!d) return d.error();
    out.push_back(std::move(*d));
  }
  return out;
}

const Descriptor* MatchDescriptor(const std::vector<Descriptor>& descriptors, const std::string& file) {
  fs::path p(file);
  std::string name = p.filename().string();
  std::string folder = p.parent_path().filename().string();
  for (const auto& d : descriptors) {
    if (!d.match_folder.empty() && fnmatch(d.match_folder.c_str(), folder.c_str(), 0) != 0) continue;
    for (const auto& pattern : d.match_files) {
      if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) return &d;
    }
  }
  return nullptr;
}

bool IsSdmxStructureHeader(std::string_view field) {
  return field == "STRUCTURE" || (field.size() == 12 && field.substr(0, 10) == "STRUCTURE[" && field.back() == ']');
}

std::optional<std::string> SdmxArtefactId(std::string_view ref) {
  // SDMX ids: letters, digits, '_', '-', '@', '$'; agencies may be nested with '.'; versions are
  // dotted numbers, possibly with SDMX 3's wildcards ('+', '*', '~').
  auto is = [](std::string_view s, std::string_view extra) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || extra.find(c) != std::string_view::npos;
    });
  };
  const auto colon = ref.find(':');
  const auto open = ref.find('(');
  if (colon == std::string_view::npos || open == std::string_view::npos || open < colon || ref.back() != ')') {
    return std::nullopt;
  }
  const auto agency = ref.substr(0, colon), id = ref.substr(colon + 1, open - colon - 1);
  const auto version = ref.substr(open + 1, ref.size() - open - 2);
  if (!is(agency, "-.") || !is(id, "-@$") || !is(version, ".+*~")) return std::nullopt;
  return std::string(id);
}

std::optional<Descriptor> SelfDescribing(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const std::string_view canonical = "unit,year,indicator,value";
  if (line.rfind(canonical, 0) == 0 && (line.size() == canonical.size() || line[canonical.size()] == ',')) {
    return CanonicalDescriptor(file);
  }
  // SDMX-CSV: the character after the first header field is the message's separator.
  for (std::size_t end : {std::size_t{9}, std::size_t{12}}) {
    if (line.size() > end && IsSdmxStructureHeader(std::string_view(line).substr(0, end)) &&
        std::string_view(",;\t|").find(line[end]) != std::string_view::npos) {
      Descriptor d = CanonicalDescriptor(file);
      d.path = "(built-in sdmx-csv)", d.name = "sdmx-csv", d.layout = "sdmx-csv", d.delimiter = line[end];
      FormatColumns(d);
      return d;
    }
  }
  return std::nullopt;
}

Descriptor CanonicalDescriptor(const std::string& file) {
  Descriptor d;
  d.path = "(built-in canonical)";
  d.name = "canonical";
  d.layout = "canonical";
  FormatColumns(d);
  std::string stem = fs::path(file).stem().string();
  d.source =
      Source{"file:" + stem, "unattributed (" + fs::path(file).filename().string() + ")", 4, "", "", "unknown", "", 0};
  return d;
}

}  // namespace gpsi
