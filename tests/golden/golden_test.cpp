// Golden tests as data: each folder under tests/golden/ holds a case.toml naming COINr input
// tables, the `--set` pipeline and the oracle folder with COINr's results. Every intermediate
// data set and score must agree to the stated relative tolerance and every rank exactly, both
// in-process (engine::Build) and through the CLI's files (scores.csv, stages.csv).
#include <gtest/gtest.h>

#include <toml++/toml.h>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "engine.hpp"
#include "ingest.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

namespace fs = std::filesystem;
using compute::IsNa;
using compute::Matrix;

struct Case {
  std::string name, dir, kind;
  std::string design, weight_sets;
  std::string coinr_data, coinr_meta, oracle;
  std::vector<std::string> sets;
  double tol = 1e-9;
  std::vector<std::pair<std::string, std::string>> datasets;
  std::map<std::string, std::string> checks;
};

std::string OracleRoot() {
  return std::string(GPSI_TEST_DATA) + "/../oracle";
}

std::vector<Case> LoadCases(const std::string& kind) {
  std::vector<Case> out;
  fs::path root = fs::path(GPSI_TESTS_DIR) / "golden";
  for (const auto& e : fs::directory_iterator(root)) {
    if (!e.is_directory() || !fs::exists(e.path() / "case.toml")) continue;
    toml::table t = toml::parse_file((e.path() / "case.toml").string());
    Case c;
    c.name = e.path().filename().string();
    c.dir = e.path().string();
    c.coinr_data = std::string(GPSI_TEST_DATA) + "/" + t["coinr_data"].value_or(std::string());
    c.coinr_meta = std::string(GPSI_TEST_DATA) + "/" + t["coinr_meta"].value_or(std::string());
    c.oracle = OracleRoot() + "/" + t["oracle"].value_or(std::string());
    c.kind = t["kind"].value_or(std::string("build"));
    if (c.kind != kind) continue;
    if (auto d = t["design"].value<std::string>()) c.design = c.oracle + "/" + *d;
    if (auto w = t["weight_sets"].value<std::string>()) c.weight_sets = c.oracle + "/" + *w;
    c.tol = t["tolerance"].value_or(1e-9);
    if (auto* a = t["sets"].as_array()) {
      for (auto& s : *a) c.sets.push_back(s.value_or(std::string()));
    }
    if (auto* d = t["datasets"].as_table()) {
      for (auto& [k, v] : *d) c.datasets.emplace_back(std::string(k.str()), v.value_or(std::string()));
    }
    if (auto* d = t["checks"].as_table()) {
      for (auto& [k, v] : *d) c.checks[std::string(k.str())] = v.value_or(std::string());
    }
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return out;
}

TextTable Read(const std::string& path) {
  auto t = ReadTextTable(path);
  if (!t) ADD_FAILURE() << t.error().Format();
  return t ? *t : TextTable{};
}

bool Close(double a, double b, double tol) {
  if (IsNa(a) || IsNa(b)) return IsNa(a) && IsNa(b);
  double d = std::fabs(a - b);
  return d <= tol * std::max(std::fabs(a), std::fabs(b)) || d <= 1e-12;
}

double Cell(const std::string& s) {
  return s.empty() ? compute::kNa : std::stod(s);
}

//! Names a case in gtest's messages (instead of a byte dump).
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class Golden : public ::testing::TestWithParam<Case> {};

//! Compares one oracle data set (uCode + columns) with rows/columns of the build.
void CompareDataSet(const engine::BuildResult& b, const std::string& path, const Matrix& x,
                    const std::vector<std::string>& cols, bool screened_only, double tol) {
  TextTable t = Read(path);
  ASSERT_EQ(t.header.front(), "uCode") << path;
  std::map<std::string, std::size_t> row_of;
  for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
    if (!screened_only || !b.excluded[r]) row_of[b.row_unit[r]] = r;
  }
  EXPECT_EQ(t.rows.size(), row_of.size()) << path << ": number of units";
  std::size_t compared = 0, wrong = 0;
  for (std::size_t c = 1; c < t.header.size(); ++c) {
    auto it = std::find(cols.begin(), cols.end(), t.header[c]);
    ASSERT_NE(it, cols.end()) << path << ": gpsi has no column " << t.header[c];
    std::size_t j = static_cast<std::size_t>(it - cols.begin());
    for (const auto& row : t.rows) {
      auto r = row_of.find(row[0]);
      ASSERT_NE(r, row_of.end()) << path << ": gpsi has no unit " << row[0];
      double want = Cell(row[c]), got = x(r->second, j);
      ++compared;
      if (!Close(want, got, tol) && ++wrong <= 5) {
        ADD_FAILURE() << path << ": " << row[0] << " " << t.header[c] << ": COINr " << row[c] << ", gpsi "
                      << FormatNumber(got);
      }
    }
  }
  EXPECT_EQ(wrong, 0u) << path << ": " << wrong << " of " << compared << " cells differ";
  EXPECT_EQ(compared, t.rows.size() * (t.header.size() - 1));
}

TEST_P(Golden, EveryDataSetScoreAndRankInProcess) {
  const Case& c = GetParam();
  engine::BuildConfig cfg;
  cfg.coinr_data = c.coinr_data;
  cfg.coinr_meta = c.coinr_meta;
  cfg.sets = c.sets;
  auto b = engine::Build(cfg);
  ASSERT_TRUE(b.ok()) << b.error().Format();
  std::vector<std::string> ind_codes, node_codes;
  for (const auto& n : b->method.nodes) {
    node_codes.push_back(n.code);
    if (n.indicator) ind_codes.push_back(n.code);
  }
  for (const auto& [file, set] : c.datasets) {
    SCOPED_TRACE(file);
    std::string path = c.oracle + "/" + file;
    // COINr's Screened and later data sets hold only the units that passed screening.
    const std::map<std::string, std::tuple<const Matrix*, const std::vector<std::string>*, bool>> sets{
        {"raw", {&b->raw, &ind_codes, false}},         {"denominated", {&b->denominated, &ind_codes, false}},
        {"imputed", {&b->imputed, &ind_codes, false}}, {"screened", {&b->imputed, &ind_codes, true}},
        {"treated", {&b->treated, &ind_codes, true}},  {"normalised", {&b->normalised, &ind_codes, true}},
        {"scores", {&b->scores, &node_codes, true}}};
    auto it = sets.find(set);
    ASSERT_NE(it, sets.end()) << "unknown data set " << set;
    auto [x, cols, screened] = it->second;
    CompareDataSet(*b, path, *x, *cols, screened, c.tol);
  }
  std::map<std::string, std::size_t> row_of;
  for (std::size_t r = 0; r < b->row_unit.size(); ++r) row_of[b->row_unit[r]] = r;
  if (c.checks.count("ranks")) {
    TextTable t = Read(c.oracle + "/" + c.checks.at("ranks"));
    std::size_t wrong = 0;
    for (std::size_t col = 1; col < t.header.size(); ++col) {
      std::size_t i = static_cast<std::size_t>(b->method.Find(t.header[col]));
      ASSERT_LT(i, node_codes.size()) << t.header[col];
      for (const auto& row : t.rows) {
        int want = row[col].empty() ? 0 : std::stoi(row[col]);
        if (b->ranks[i][row_of.at(row[0])] != want && ++wrong <= 5) {
          ADD_FAILURE() << "rank of " << row[0] << " on " << t.header[col] << ": COINr " << want << ", gpsi "
                        << b->ranks[i][row_of.at(row[0])];
        }
      }
    }
    EXPECT_EQ(wrong, 0u);
  }
  if (c.checks.count("results")) {
    TextTable t = Read(c.oracle + "/" + c.checks.at("results"));
    int rank_col = t.Column("Rank"), name_col = t.Column("uName");
    ASSERT_GE(rank_col, 0);
    std::size_t top = b->method.nodes.size() - 1;
    for (const auto& row : t.rows) {
      std::size_t r = row_of.at(row[0]);
      EXPECT_EQ(b->ranks[top][r], std::stoi(row[static_cast<std::size_t>(rank_col)])) << row[0];
      if (name_col >= 0) {
        EXPECT_EQ(b->row_name[r], row[static_cast<std::size_t>(name_col)]);
      }
    }
  }
  if (c.checks.count("treat_details")) {
    TextTable t = Read(c.oracle + "/" + c.checks.at("treat_details"));
    for (const auto& row : t.rows) {
      std::size_t j =
          static_cast<std::size_t>(std::find(ind_codes.begin(), ind_codes.end(), row[0]) - ind_codes.begin());
      ASSERT_LT(j, ind_codes.size()) << row[0];
      const auto& rep = b->treat[j];
      EXPECT_EQ(rep.before.pass, row[1] == "TRUE") << row[0];
      EXPECT_TRUE(Close(rep.before.skew, Cell(row[2]), c.tol)) << row[0];
      EXPECT_TRUE(Close(rep.before.kurt, Cell(row[3]), c.tol)) << row[0];
      EXPECT_EQ(rep.nwin, row[4].empty() ? 0 : std::stoi(row[4])) << row[0];
      if (!row[5].empty()) {
        EXPECT_EQ(rep.after.pass, row[5] == "TRUE") << row[0];
        EXPECT_TRUE(Close(rep.after.skew, Cell(row[6]), c.tol)) << row[0];
        EXPECT_TRUE(Close(rep.after.kurt, Cell(row[7]), c.tol)) << row[0];
      }
    }
  }
  if (c.checks.count("treated_points")) {
    TextTable t = Read(c.oracle + "/" + c.checks.at("treated_points"));
    std::set<std::tuple<std::string, std::string, std::string>> want, got;
    for (const auto& row : t.rows) want.emplace(row[0], row[1], row[2]);
    for (std::size_t j = 0; j < ind_codes.size(); ++j) {
      for (const auto& p : b->treat[j].points)
        got.emplace(b->row_unit[p.row], ind_codes[j], p.high ? "winhi" : "winlo");
    }
    EXPECT_EQ(got, want);
  }
  if (c.checks.count("screen_removed")) {
    TextTable t = Read(c.oracle + "/" + c.checks.at("screen_removed"));
    std::set<std::string> want, got;
    for (const auto& row : t.rows) want.insert(row[0]);
    for (std::size_t r = 0; r < b->row_unit.size(); ++r) {
      if (b->excluded[r]) got.insert(b->row_unit[r]);
    }
    EXPECT_EQ(got, want);
  }
}

TEST_P(Golden, CliFilesAgreeAndRepeatByteForByte) {
  const Case& c = GetParam();
  test::TempDir tmp;
  std::string args = "build --coinr-data '" + c.coinr_data + "' --coinr-meta '" + c.coinr_meta + "'";
  for (const auto& s : c.sets) args += " --set '" + s + "'";
  auto r1 = test::Gpsi(args + " --out '" + tmp / "a" + "'");
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  auto r2 = test::Gpsi(args + " --out '" + tmp / "b" + "'");
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  for (const char* f : {"scores.csv", "stages.csv", "build.log"}) {
    EXPECT_EQ(test::ReadFile(tmp / ("a/" + std::string(f))), test::ReadFile(tmp / ("b/" + std::string(f)))) << f;
  }
  // scores.csv against COINr's aggregated data set and ranks.
  TextTable scores = Read(tmp / "a/scores.csv");
  ASSERT_EQ(scores.header, (std::vector<std::string>{"year", "unit", "code", "level", "value", "rank", "flags"}));
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> by_cell;
  for (const auto& row : scores.rows) by_cell[{row[1], row[2]}] = row;
  std::string agg_file, rank_file = c.checks.count("ranks") ? c.checks.at("ranks") : "";
  for (const auto& [file, set] : c.datasets) {
    if (set == "scores") agg_file = file;
  }
  ASSERT_FALSE(agg_file.empty());
  TextTable agg = Read(c.oracle + "/" + agg_file);
  std::size_t wrong = 0;
  for (const auto& row : agg.rows) {
    for (std::size_t col = 1; col < agg.header.size(); ++col) {
      auto it = by_cell.find({row[0], agg.header[col]});
      ASSERT_NE(it, by_cell.end()) << row[0] << " " << agg.header[col];
      if (!Close(Cell(row[col]), Cell(it->second[4]), c.tol)) ++wrong;
    }
  }
  EXPECT_EQ(wrong, 0u);
  if (!rank_file.empty()) {
    TextTable ranks = Read(c.oracle + "/" + rank_file);
    wrong = 0;
    for (const auto& row : ranks.rows) {
      for (std::size_t col = 1; col < ranks.header.size(); ++col) {
        if (by_cell.at({row[0], ranks.header[col]})[5] != row[col]) ++wrong;
      }
    }
    EXPECT_EQ(wrong, 0u);
  }
  // stages.csv: the raw, imputed, treated and normalised data sets.
  TextTable stages = Read(tmp / "a/stages.csv");
  std::map<std::tuple<std::string, std::string, std::string>, double> stage;
  for (const auto& row : stages.rows) stage[{row[1], row[2], row[3]}] = std::stod(row[4]);
  for (const auto& [file, set] : c.datasets) {
    if (set != "raw" && set != "imputed" && set != "treated" && set != "normalised") continue;
    TextTable t = Read(c.oracle + "/" + file);
    wrong = 0;
    for (const auto& row : t.rows) {
      for (std::size_t col = 1; col < t.header.size(); ++col) {
        auto it = stage.find({row[0], t.header[col], set});
        if (row[col].empty() ? it != stage.end() : (it == stage.end() || !Close(Cell(row[col]), it->second, c.tol))) {
          ++wrong;
        }
      }
    }
    EXPECT_EQ(wrong, 0u) << file;
  }
}

class GoldenUncertainty : public ::testing::TestWithParam<Case> {};

//! Replays COINr's design through the CLI and compares every run's index score and rank, and the
//! rank statistics, with COINr's.
TEST_P(GoldenUncertainty, ReplayedDesignGivesCoinrsRunsAndRankStatistics) {
  const Case& c = GetParam();
  test::TempDir tmp;
  std::string args = "uncertainty --coinr-data '" + c.coinr_data + "' --coinr-meta '" + c.coinr_meta + "'";
  for (const auto& s : c.sets) args += " --set '" + s + "'";
  args += " --design '" + c.design + "' --weight-sets '" + c.weight_sets + "' --keep-runs --out '" + tmp / "u" + "'";
  auto r = test::Gpsi(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // runs.csv: run,year,unit,code,value,rank — the top node is COINr's Index.
  TextTable runs = Read(tmp / "u/runs.csv");
  std::map<std::pair<std::string, std::string>, std::pair<double, int>> got;  // (unit, r_<run>) → score, rank
  for (const auto& row : runs.rows) {
    if (row[3] != "Index") continue;
    got[{row[2], "r_" + row[0]}] = {Cell(row[4]), row[5].empty() ? 0 : std::stoi(row[5])};
  }
  TextTable scores = Read(c.oracle + "/" + c.checks.at("scores"));
  TextTable ranks = Read(c.oracle + "/" + c.checks.at("ranks"));
  std::size_t compared = 0, wrong = 0;
  for (std::size_t i = 0; i < scores.rows.size(); ++i) {
    for (std::size_t col = 1; col < scores.header.size(); ++col) {
      if (scores.header[col] == "Nominal") continue;
      auto it = got.find({scores.rows[i][0], scores.header[col]});
      ASSERT_NE(it, got.end()) << scores.rows[i][0] << " " << scores.header[col];
      ++compared;
      if (!Close(Cell(scores.rows[i][col]), it->second.first, c.tol) && ++wrong <= 5) {
        ADD_FAILURE() << scores.rows[i][0] << " " << scores.header[col] << ": COINr " << scores.rows[i][col]
                      << ", gpsi " << it->second.first;
      }
    }
  }
  for (const auto& row : ranks.rows) {
    for (std::size_t col = 1; col < ranks.header.size(); ++col) {
      if (ranks.header[col] == "Nominal") continue;
      if (got.at({row[0], ranks.header[col]}).second != std::stoi(row[col]) && ++wrong <= 5) {
        ADD_FAILURE() << "rank of " << row[0] << " in " << ranks.header[col];
      }
    }
  }
  EXPECT_EQ(wrong, 0u);
  EXPECT_EQ(compared, scores.rows.size() * (scores.header.size() - 2));
  // rank_stats.csv: year,unit,code,nominal,mean,median,p05,p95.
  TextTable stats = Read(tmp / "u/rank_stats.csv");
  std::map<std::string, std::vector<std::string>> mine;
  for (const auto& row : stats.rows) {
    if (row[2] == "Index") mine[row[1]] = row;
  }
  TextTable want = Read(c.oracle + "/" + c.checks.at("rank_stats"));
  ASSERT_EQ(mine.size(), want.rows.size());
  for (const auto& row : want.rows) {
    const auto& m = mine.at(row[0]);
    for (std::size_t k = 1; k <= 5; ++k) {
      EXPECT_TRUE(Close(Cell(row[k]), Cell(m[k + 2]), c.tol))
          << row[0] << " " << want.header[k] << ": COINr " << row[k] << ", gpsi " << m[k + 2];
    }
  }
}

// ---- store cases: a canonical data file, a method, and the expected output files --------------

struct StoreCase {
  std::string name, dir, data, method;
  std::vector<std::string> sets, expect;
  int exit = 0;                    //!< the build's expected exit code
  std::vector<std::string> error;  //!< texts its stderr must hold (a refused build)
};

std::vector<StoreCase> LoadStoreCases() {
  std::vector<StoreCase> out;
  fs::path root = fs::path(GPSI_TESTS_DIR) / "golden";
  for (const auto& e : fs::directory_iterator(root)) {
    if (!e.is_directory() || !fs::exists(e.path() / "case.toml")) continue;
    toml::table t = toml::parse_file((e.path() / "case.toml").string());
    if (t["kind"].value_or(std::string()) != "store") continue;
    StoreCase c;
    c.name = e.path().filename().string();
    c.dir = e.path().string();
    c.data = (e.path() / t["data"].value_or(std::string())).lexically_normal().string();
    c.method = (e.path() / t["method"].value_or(std::string())).lexically_normal().string();
    if (auto* a = t["sets"].as_array()) {
      for (auto& x : *a) c.sets.push_back(x.value_or(std::string()));
    }
    if (auto* a = t["expect"].as_array()) {
      for (auto& x : *a) c.expect.push_back(x.value_or(std::string()));
    }
    c.exit = static_cast<int>(t["exit"].value_or(std::int64_t{0}));
    if (auto* a = t["error"].as_array()) {
      for (auto& x : *a) c.error.push_back(x.value_or(std::string()));
    }
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const StoreCase& a, const StoreCase& b) { return a.name < b.name; });
  return out;
}

//! Fields agree: equal text, or both numbers within 1e-9 (relative) of each other.
bool SameField(const std::string& a, const std::string& b) {
  if (a == b) return true;
  auto x = ParseNumber(a), y = ParseNumber(b);
  return x && y && Close(*x, *y, 1e-9);
}

void PrintTo(const StoreCase& c, std::ostream* os) {
  *os << c.name;
}

class GoldenStore : public ::testing::TestWithParam<StoreCase> {};

// The data file is ingested into a fresh store (canonical layout: the built-in descriptor), the
// method built with the case's --set overrides, and each expected file compared with the output's
// rows of the same units (the store's other countries have no data), in the same order.
TEST_P(GoldenStore, BuildGivesTheExpectedFiles) {
  const StoreCase& c = GetParam();
  test::TempDir tmp;
  const std::string db = tmp / "s.db";
  ASSERT_EQ(test::Gpsi("--db " + test::Quote(db) + " init --no-fetch").exit_code, 0);
  fs::create_directories(tmp.path() / "no-descriptors");
  auto ingest = test::Gpsi("--db " + test::Quote(db) + " ingest --descriptors " + test::Quote(tmp / "no-descriptors") +
                           " " + test::Quote(c.data));
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  std::string sets;
  for (const auto& s : c.sets) sets += " --set " + test::Quote(s);
  auto build = test::Gpsi("--db " + test::Quote(db) + " build --method " + test::Quote(c.method) + sets + " --out " +
                          test::Quote(tmp / "out"));
  ASSERT_EQ(build.exit_code, c.exit) << build.err;
  for (const auto& text : c.error) EXPECT_NE(build.err.find(text), std::string::npos) << build.err;
  if (c.exit != 0) {
    EXPECT_FALSE(fs::exists(tmp / "out/scores.csv"));  // a refused build writes nothing
    return;
  }
  for (const auto& name : c.expect) {
    SCOPED_TRACE(name);
    TextTable want = Read(c.dir + "/expected/" + name);
    TextTable got = Read(tmp / ("out/" + name));
    ASSERT_EQ(got.header, want.header);
    const int unit = want.Column("unit");
    ASSERT_GE(unit, 0);
    std::set<std::string> units;
    for (const auto& row : want.rows) units.insert(row[static_cast<std::size_t>(unit)]);
    std::vector<std::vector<std::string>> mine;
    for (const auto& row : got.rows) {
      if (units.count(row[static_cast<std::size_t>(unit)])) mine.push_back(row);
    }
    ASSERT_EQ(mine.size(), want.rows.size());
    for (std::size_t r = 0; r < mine.size(); ++r) {
      for (std::size_t k = 0; k < want.header.size(); ++k) {
        EXPECT_TRUE(SameField(mine[r][k], want.rows[r][k])) << "line " << r + 2 << ", " << want.header[k] << ": want '"
                                                            << want.rows[r][k] << "', got '" << mine[r][k] << "'";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Store, GoldenStore, ::testing::ValuesIn(LoadStoreCases()),
                         [](const ::testing::TestParamInfo<StoreCase>& info) {
                           std::string n = info.param.name;
                           for (char& ch : n) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });

INSTANTIATE_TEST_SUITE_P(Coinr, GoldenUncertainty, ::testing::ValuesIn(LoadCases("uncertainty")),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string n = info.param.name;
                           for (char& ch : n) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });

INSTANTIATE_TEST_SUITE_P(Coinr, Golden, ::testing::ValuesIn(LoadCases("build")),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string n = info.param.name;
                           for (char& ch : n) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace gpsi
