// Golden tests as data, one runner for every folder under tests/golden/: each holds a case.toml
// (its `kind`), the inputs, a method and settings, and the expected outputs or the expected error.
//
// Oracle kinds (COINr's own results in the shared oracle folder, ../shared/oracle):
//   "build" (the default): coinr_data, coinr_meta (under the shared data folder), sets, oracle,
//     tolerance, [datasets] (oracle file → data set), [checks]. Every intermediate data set and
//     score must agree to the relative tolerance and every rank exactly, both in-process
//     (engine::Build) and through the CLI's files (scores.csv, stages.csv).
//   "uncertainty": the same inputs, design and weight_sets under the oracle folder, [checks]:
//     COINr's design replayed run by run (`gpsi uncertainty`).
// Data kinds (expected outputs derived by hand, the arithmetic in each case.toml's comment):
//   "store": data (a canonical unit,year,indicator,value CSV ingested into a fresh store),
//     method, sets → `gpsi build`; on both backends (an SQLite file, then a new database of the
//     tests' PostgreSQL cluster), whose output files must also be the same byte for byte.
//   "coinr": coinr_data, coinr_meta (in the case folder if there, else under the shared data
//     folder), sets → `gpsi build --coinr-data … --coinr-meta …`.
//   "whatif": a store case's data, method and sets built in-process (engine::Build), then
//     engine::WhatIf with `weights = { CODE = number, … }` and the optional `year`; its result is
//     the file whatif.csv (year,unit,code,value,rank).
//   Each gives either `expect = [files]` (compared with expected/<file>: the output's rows of the
//   units the expected file lists, in the same order, numbers to 1e-9 relative) and optionally
//   `log = [texts]` that build.log must hold, or the error: `exit` (the exit code), `error`
//   (texts stderr, or the error's message, must hold) and for whatif `error_id` (core's error
//   table: "usage", "uncomputable", …). A refused build writes no scores.csv.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "detail/built.hpp"
#include "engine.hpp"
#include "golden_cases.hpp"
#include "ingest.hpp"
#include "pg_cluster.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

namespace fs = std::filesystem;
using compute::IsNa;
using compute::Matrix;
using golden::DataCase;
using golden::OracleCase;

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

class Golden : public ::testing::TestWithParam<OracleCase> {};

//! Compares one oracle data set (uCode + columns) with rows/columns of the build.
void CompareDataSet(const engine::detail::Built& b, const std::string& path, const Matrix& x,
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
  const OracleCase& c = GetParam();
  engine::BuildConfig cfg;
  cfg.coinr_data = c.coinr_data;
  cfg.coinr_meta = c.coinr_meta;
  cfg.sets = c.sets;
  auto b = engine::detail::BuildIndex(cfg);  // in-process: every intermediate matrix
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
  const OracleCase& c = GetParam();
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

class GoldenUncertainty : public ::testing::TestWithParam<OracleCase> {};

//! Replays COINr's design through the CLI and compares every run's index score and rank, and the
//! rank statistics, with COINr's.
TEST_P(GoldenUncertainty, ReplayedDesignGivesCoinrsRunsAndRankStatistics) {
  const OracleCase& c = GetParam();
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

// ---- data cases: inputs, a method and settings, and the expected files or error --------------

//! Fields agree: equal text, or both numbers within 1e-9 (relative) of each other.
bool SameField(const std::string& a, const std::string& b) {
  if (a == b) return true;
  auto x = ParseNumber(a), y = ParseNumber(b);
  return x && y && Close(*x, *y, 1e-9);
}

//! The rows of `got` for the units `want` lists equal `want`'s rows, in the same order (a store
//! holds every country, most of them without data).
void CompareFile(const std::string& want_path, const std::string& got_path) {
  TextTable want = Read(want_path);
  TextTable got = Read(got_path);
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

//! A fresh store at `db` (tmp/s.db by default) holding the case's data file (canonical layout: the
//! built-in descriptor); "" on failure.
std::string MakeStore(const test::TempDir& tmp, const DataCase& c, std::string db = "") {
  if (db.empty()) db = tmp / "s.db";
  auto init = test::Gpsi("--db " + test::Quote(db) + " init --no-fetch");
  EXPECT_EQ(init.exit_code, 0) << init.err;
  fs::create_directories(tmp.path() / "no-descriptors");
  auto ingest = test::Gpsi("--db " + test::Quote(db) + " ingest --descriptors " + test::Quote(tmp / "no-descriptors") +
                           " " + test::Quote(c.data));
  EXPECT_EQ(ingest.exit_code, 0) << ingest.err;
  return init.exit_code == 0 && ingest.exit_code == 0 ? db : "";
}

std::string SetArgs(const DataCase& c) {
  std::string out;
  for (const auto& s : c.sets) out += " --set " + test::Quote(s);
  return out;
}

bool Holds(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

//! A CLI build against the case: its exit code and error texts, or build.log's texts and the files.
void ExpectOutcome(const DataCase& c, const test::RunResult& r, const std::string& out) {
  ASSERT_EQ(r.exit_code, c.exit) << r.err;
  for (const auto& text : c.error) EXPECT_TRUE(Holds(r.err, text)) << "stderr lacks '" << text << "': " << r.err;
  if (c.exit != 0) {
    EXPECT_FALSE(fs::exists(out + "/scores.csv"));  // a refused build writes nothing
    return;
  }
  const std::string log = test::ReadFile(out + "/build.log");
  for (const auto& text : c.log) EXPECT_TRUE(Holds(log, text)) << "build.log lacks '" << text << "':\n" << log;
  for (const auto& name : c.expect) {
    SCOPED_TRACE(name);
    CompareFile(c.dir + "/expected/" + name, out + "/" + name);
  }
}

class GoldenStore : public ::testing::TestWithParam<DataCase> {};

// The data file is ingested into a fresh store, the method built with the case's --set overrides.
TEST_P(GoldenStore, BuildGivesTheExpectedFiles) {
  const DataCase& c = GetParam();
  ASSERT_TRUE(c.problem.empty()) << c.problem;
  test::TempDir tmp;
  const std::string db = MakeStore(tmp, c);
  ASSERT_FALSE(db.empty());
  auto build = test::Gpsi("--db " + test::Quote(db) + " build --method " + test::Quote(c.method) + SetArgs(c) +
                          " --out " + test::Quote(tmp / "out"));
  ExpectOutcome(c, build, tmp / "out");
}

// The same on PostgreSQL: the expected files, and the very bytes of the SQLite build's files.
TEST_P(GoldenStore, PostgresBuildGivesTheSameFilesAsSqlite) {
  const DataCase& c = GetParam();
  ASSERT_TRUE(c.problem.empty()) << c.problem;
  test::TempDir tmp;
  ::setenv("GPSI_BLOBS", (tmp / "blobs").c_str(), 1);  // the PostgreSQL store's raw files
  const std::string lite = MakeStore(tmp, c);
  const std::string pg = MakeStore(tmp, c, test::PgCluster::Get().NewDatabase());
  ASSERT_FALSE(lite.empty() || pg.empty());
  auto build = [&](const std::string& db, const std::string& out) {
    return test::Gpsi("--db " + test::Quote(db) + " build --method " + test::Quote(c.method) + SetArgs(c) + " --out " +
                      test::Quote(tmp / out));
  };
  auto on_lite = build(lite, "lite");
  auto on_pg = build(pg, "pg");
  ExpectOutcome(c, on_pg, tmp / "pg");
  EXPECT_EQ(on_pg.exit_code, on_lite.exit_code);
  for (const auto& name : c.expect) {
    EXPECT_EQ(test::ReadFile(tmp / ("pg/" + name)), test::ReadFile(tmp / ("lite/" + name))) << name;
  }
}

class GoldenCoinr : public ::testing::TestWithParam<DataCase> {};

// The COINr tables built with the case's --set overrides (in a scratch folder: no store is involved).
TEST_P(GoldenCoinr, BuildGivesTheExpectedFiles) {
  const DataCase& c = GetParam();
  ASSERT_TRUE(c.problem.empty()) << c.problem;
  ASSERT_TRUE(fs::exists(c.coinr_data)) << c.coinr_data;
  ASSERT_TRUE(fs::exists(c.coinr_meta)) << c.coinr_meta;
  test::TempDir tmp;
  auto build = test::Gpsi("build --coinr-data " + test::Quote(c.coinr_data) + " --coinr-meta " +
                              test::Quote(c.coinr_meta) + SetArgs(c) + " --out " + test::Quote(tmp / "out"),
                          tmp.path().string());
  ExpectOutcome(c, build, tmp / "out");
}

//! whatif.csv: year,unit,code,value,rank per computed row and node, in build order (as scores.csv).
std::string WhatIfCsv(const engine::BuildResult& b, const engine::WhatIfResult& w) {
  std::string out = "year,unit,code,value,rank\n";
  for (std::size_t q = 0; q < w.rows.size(); ++q) {
    const std::size_t r = w.rows[q];
    const std::string year = b.panel.has_years() ? std::to_string(b.panel.row(r).year) : "";
    for (std::size_t i = 0; i < b.method.nodes.size(); ++i) {
      const double v = w.scores.value(q, i);
      const int rank = w.scores.rank(q, i);
      out += year + "," + b.panel.row(r).unit + "," + b.method.nodes[i].code + "," + (IsNa(v) ? "" : FormatNumber(v)) +
             "," + (rank > 0 ? std::to_string(rank) : "") + "\n";
    }
  }
  return out;
}

//! A refused what-if against the case: exit code, error id and message texts.
void ExpectError(const DataCase& c, const Error& e) {
  if (c.exit != 0) {
    EXPECT_EQ(e.ExitCode(), c.exit) << e.Format();
  }
  if (!c.error_id.empty()) {
    EXPECT_EQ(Info(e.code).id, c.error_id) << e.Format();
  }
  for (const auto& text : c.error) EXPECT_TRUE(Holds(e.message, text)) << "'" << text << "' not in: " << e.message;
}

class GoldenWhatIf : public ::testing::TestWithParam<DataCase> {};

// The store build in-process, then the index re-aggregated with the case's weights (and year).
TEST_P(GoldenWhatIf, ReweightingGivesTheExpectedScores) {
  const DataCase& c = GetParam();
  ASSERT_TRUE(c.problem.empty()) << c.problem;
  test::TempDir tmp;
  engine::BuildConfig cfg;
  cfg.db_path = MakeStore(tmp, c);
  ASSERT_FALSE(cfg.db_path.empty());
  cfg.method_path = c.method;
  cfg.sets = c.sets;
  auto b = engine::Build(cfg);
  ASSERT_TRUE(b) << b.error().Format();
  auto w = engine::WhatIf(*b, c.weights, c.year);
  if (c.Fails()) {
    ASSERT_FALSE(w) << "the what-if was computed, but the case expects an error";
    return ExpectError(c, w.error());
  }
  ASSERT_TRUE(w) << w.error().Format();
  fs::create_directories(tmp.path() / "out");
  test::WriteFile(tmp / "out/whatif.csv", WhatIfCsv(*b, *w));
  for (const auto& name : c.expect) {
    SCOPED_TRACE(name);
    CompareFile(c.dir + "/expected/" + name, tmp / ("out/" + name));
  }
}

// A misspelt kind or key would silently check nothing.
TEST(GoldenCases, EveryFolderIsACaseOfAKnownKindWithKnownKeys) {
  EXPECT_EQ(golden::BadFolders(), std::vector<std::string>{});
}

std::string CaseName(const ::testing::TestParamInfo<DataCase>& info) {
  return golden::ParamName(info.param.name);
}

std::string OracleName(const ::testing::TestParamInfo<OracleCase>& info) {
  return golden::ParamName(info.param.name);
}

INSTANTIATE_TEST_SUITE_P(Store, GoldenStore, ::testing::ValuesIn(golden::LoadDataCases("store")), CaseName);
INSTANTIATE_TEST_SUITE_P(Coinr, GoldenCoinr, ::testing::ValuesIn(golden::LoadDataCases("coinr")), CaseName);
INSTANTIATE_TEST_SUITE_P(WhatIf, GoldenWhatIf, ::testing::ValuesIn(golden::LoadDataCases("whatif")), CaseName);
INSTANTIATE_TEST_SUITE_P(Coinr, GoldenUncertainty, ::testing::ValuesIn(golden::LoadOracleCases("uncertainty")),
                         OracleName);
INSTANTIATE_TEST_SUITE_P(Coinr, Golden, ::testing::ValuesIn(golden::LoadOracleCases("build")), OracleName);

}  // namespace
}  // namespace gpsi
