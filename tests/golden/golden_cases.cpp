#include "golden_cases.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace gpsi::golden {
namespace {

namespace fs = std::filesystem;

fs::path GoldenRoot() {
  return fs::path(GPSI_TESTS_DIR) / "golden";
}

//! The keys case.toml may have, per kind ("build" is the default kind).
const std::map<std::string, std::set<std::string>>& Keys() {
  static const std::map<std::string, std::set<std::string>> keys{
      {"build", {"kind", "coinr_data", "coinr_meta", "oracle", "sets", "tolerance", "datasets", "checks"}},
      {"uncertainty",
       {"kind", "coinr_data", "coinr_meta", "oracle", "sets", "tolerance", "design", "weight_sets", "checks"}},
      {"store", {"kind", "data", "method", "sets", "expect", "log", "exit", "error"}},
      {"coinr", {"kind", "coinr_data", "coinr_meta", "sets", "expect", "log", "exit", "error"}},
      {"whatif", {"kind", "data", "method", "sets", "weights", "year", "expect", "exit", "error_id", "error"}},
  };
  return keys;
}

//! Every case folder with its parsed case.toml (or the parse error), by folder name.
struct Folder {
  fs::path dir;
  toml::table t;
  std::string problem;
  std::string Kind() const { return t["kind"].value_or(std::string("build")); }
};

std::vector<Folder> Folders() {
  std::vector<Folder> out;
  for (const auto& e : fs::directory_iterator(GoldenRoot())) {
    if (!e.is_directory() || !fs::exists(e.path() / "case.toml")) continue;
    Folder f{e.path(), {}, {}};
    try {
      f.t = toml::parse_file((e.path() / "case.toml").string());
    } catch (const toml::parse_error& err) {
      f.problem = "case.toml: " + std::string(err.description());
    }
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const Folder& a, const Folder& b) { return a.dir < b.dir; });
  return out;
}

std::vector<std::string> Strings(const toml::table& t, const char* key) {
  std::vector<std::string> out;
  if (auto* a = t[key].as_array()) {
    for (auto& x : *a) out.push_back(x.value_or(std::string()));
  }
  return out;
}

//! A file named relative to the case folder.
std::string InCase(const fs::path& dir, const toml::table& t, const char* key) {
  return (dir / t[key].value_or(std::string())).lexically_normal().string();
}

//! COINr tables: relative to the case folder when the file is there, else under the shared data folder.
std::string CaseOrShared(const fs::path& dir, const toml::table& t, const char* key) {
  std::string rel = t[key].value_or(std::string());
  fs::path local = (dir / rel).lexically_normal();
  return fs::exists(local) ? local.string() : DataRoot() + "/" + rel;
}

std::string UnknownKey(const toml::table& t, const std::string& kind) {
  const auto& allowed = Keys().at(kind);
  for (const auto& [k, v] : t) {
    if (!allowed.count(std::string(k.str()))) return "case.toml: unknown key '" + std::string(k.str()) + "'";
  }
  return "";
}

//! whatif's `weights = { CODE = number, … }` (inf and nan allowed: they are cases too).
std::string ReadWeights(const toml::table& t, std::map<std::string, double>& out) {
  if (!t.contains("weights")) return "";
  auto* w = t["weights"].as_table();
  if (!w) return "case.toml: weights must be a table";
  for (const auto& [k, v] : *w) {
    auto x = v.value<double>();
    if (!x) return "case.toml: weights." + std::string(k.str()) + " is not a number";
    out[std::string(k.str())] = *x;
  }
  return "";
}

DataCase ReadDataCase(const Folder& f) {
  DataCase c;
  c.name = f.dir.filename().string();
  c.dir = f.dir.string();
  c.kind = f.Kind();
  c.problem = f.problem.empty() ? UnknownKey(f.t, c.kind) : f.problem;
  const toml::table& t = f.t;
  c.data = InCase(f.dir, t, "data");
  c.method = InCase(f.dir, t, "method");
  c.coinr_data = CaseOrShared(f.dir, t, "coinr_data");
  c.coinr_meta = CaseOrShared(f.dir, t, "coinr_meta");
  c.sets = Strings(t, "sets");
  c.expect = Strings(t, "expect");
  c.log = Strings(t, "log");
  c.error = Strings(t, "error");
  c.exit = static_cast<int>(t["exit"].value_or(std::int64_t{0}));
  c.error_id = t["error_id"].value_or(std::string());
  if (auto y = t["year"].value<std::int64_t>()) c.year = static_cast<int>(*y);
  if (std::string p = ReadWeights(t, c.weights); c.problem.empty()) c.problem = p;
  if (c.problem.empty() && c.expect.empty() && !c.Fails()) c.problem = "case.toml: neither `expect` nor an error";
  return c;
}

OracleCase ReadOracleCase(const Folder& f) {
  const toml::table& t = f.t;
  OracleCase c;
  c.name = f.dir.filename().string();
  c.dir = f.dir.string();
  c.kind = f.Kind();
  c.coinr_data = DataRoot() + "/" + t["coinr_data"].value_or(std::string());
  c.coinr_meta = DataRoot() + "/" + t["coinr_meta"].value_or(std::string());
  c.oracle = OracleRoot() + "/" + t["oracle"].value_or(std::string());
  if (auto d = t["design"].value<std::string>()) c.design = c.oracle + "/" + *d;
  if (auto w = t["weight_sets"].value<std::string>()) c.weight_sets = c.oracle + "/" + *w;
  c.tol = t["tolerance"].value_or(1e-9);
  c.sets = Strings(t, "sets");
  if (auto* d = t["datasets"].as_table()) {
    for (auto& [k, v] : *d) c.datasets.emplace_back(std::string(k.str()), v.value_or(std::string()));
  }
  if (auto* d = t["checks"].as_table()) {
    for (auto& [k, v] : *d) c.checks[std::string(k.str())] = v.value_or(std::string());
  }
  return c;
}

}  // namespace

std::string DataRoot() {
  return std::string(GPSI_TEST_DATA);
}

std::string OracleRoot() {
  return DataRoot() + "/../oracle";
}

std::vector<OracleCase> LoadOracleCases(const std::string& kind) {
  std::vector<OracleCase> out;
  for (const auto& f : Folders()) {
    if (f.problem.empty() && f.Kind() == kind) out.push_back(ReadOracleCase(f));
  }
  return out;
}

std::vector<DataCase> LoadDataCases(const std::string& kind) {
  std::vector<DataCase> out;
  for (const auto& f : Folders()) {
    if (f.Kind() == kind) out.push_back(ReadDataCase(f));
  }
  return out;
}

std::vector<std::string> BadFolders() {
  std::vector<std::string> out;
  for (const auto& f : Folders()) {
    if (!f.problem.empty()) {
      out.push_back(f.dir.filename().string() + ": " + f.problem);
    } else if (!Keys().count(f.Kind())) {
      out.push_back(f.dir.filename().string() + ": kind \"" + f.Kind() + "\"");
    } else if (std::string p = UnknownKey(f.t, f.Kind()); !p.empty()) {
      out.push_back(f.dir.filename().string() + ": " + p);
    }
  }
  return out;
}

std::string ParamName(std::string name) {
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

}  // namespace gpsi::golden
