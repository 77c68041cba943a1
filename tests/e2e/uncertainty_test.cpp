// `gpsi uncertainty` through the CLI: determinism across threads and MPI ranks, the output
// layouts, rank intervals that make sense, and clear errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>

#include "test_util.hpp"

namespace gpsi::test {
namespace {

std::string Asem(const std::string& f) {
  return std::string(GPSI_TEST_DATA) + "/asem/" + f;
}

//! COINr's standard ASEM coin with the uncertain inputs of its sensitivity vignette.
std::string AsemArgs() {
  return "uncertainty --coinr-data " + Quote(Asem("iData.csv")) + " --coinr-meta " + Quote(Asem("iMeta.csv")) +
         " --set pipeline.impute=group-mean:EurAsia_group --set pipeline.screen=na:0.9 --set pipeline.treat=jrc:5"
         " --set 'uncertainty.treat=[\"jrc:1\",\"jrc:2\",\"jrc:3\",\"jrc:4\",\"jrc:5\"]'"
         " --set 'uncertainty.normalise=[\"minmax:1:100\",\"zscore:10:2\"]'"
         " --set 'uncertainty.aggregate=[\"arithmetic\",\"geometric\"]'"
         " --set 'uncertainty.weight_noise=[[2,0.25],[3,0.25]]'";
}

//! `mpirun -np 2 gpsi`, from Debian's openmpi-bin; root is allowed as CI machines run as root. Under
//! LeakSanitizer (make sanitize) the ranks unwind at each allocation the slow way: OpenMPI's
//! progress thread allocates from libevent callbacks inside components it unloads, and only the
//! slow unwinder reaches the libevent frame that tests/lsan.supp names.
std::string MpiGpsi() {
  std::string env = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ";
  if (const char* lsan = std::getenv("LSAN_OPTIONS"); lsan && *lsan) {
    env += "LSAN_OPTIONS=" + Quote(std::string(lsan) + ":fast_unwind_on_malloc=0") + " ";
  }
  return env + "mpirun --oversubscribe -np 2 " + Quote(GPSI_BINARY);
}

TEST(UncertaintyCli, SameSeedSameResultsWhateverTheThreads) {
  TempDir t;
  auto one = Gpsi(AsemArgs() + " --samples 3000 --seed 11 --threads 1 --keep-runs --out " + Quote(t / "a"));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  auto two = Gpsi(AsemArgs() + " --samples 3000 --seed 11 --threads 2 --keep-runs --out " + Quote(t / "b"));
  ASSERT_EQ(two.exit_code, 0) << two.err;
  for (const char* f : {"rank_stats.csv", "score_stats.csv", "design.csv", "runs.csv", "uncertainty.json"}) {
    EXPECT_EQ(ReadFile(t / ("a/" + std::string(f))), ReadFile(t / ("b/" + std::string(f)))) << f;
  }
  auto other = Gpsi(AsemArgs() + " --samples 3000 --seed 12 --out " + Quote(t / "c"));
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(ReadFile(t / "a/rank_stats.csv"), ReadFile(t / "c/rank_stats.csv"));
  // runs.csv: one line per run, unit and aggregate (11 aggregates × 51 units).
  auto runs = Csv(ReadFile(t / "a/runs.csv"));
  EXPECT_EQ(runs[0], (std::vector<std::string>{"run", "year", "unit", "code", "value", "rank"}));
  EXPECT_EQ(runs.size(), 1 + 3000u * 11 * 51);
}

TEST(UncertaintyCli, TwoMpiRanksGiveTheSingleProcessResults) {
  TempDir t;
  auto single = Gpsi(AsemArgs() + " --samples 1500 --seed 5 --threads 1 --keep-runs --out " + Quote(t / "a"));
  ASSERT_EQ(single.exit_code, 0) << single.err;
  if (!GPSI_WITH_MPI) GTEST_SKIP() << "built with GPSI_WITH_MPI=OFF";
  std::string cmd = MpiGpsi() + " " + AsemArgs() + " --samples 1500 --seed 5 --threads 1 --keep-runs --out " +
                    Quote(t / "b") + " >" + Quote(t / "mpi.out") + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadFile(t / "mpi.out");
  EXPECT_NE(ReadFile(t / "mpi.out").find("2 processes"), std::string::npos) << ReadFile(t / "mpi.out");
  for (const char* f : {"rank_stats.csv", "score_stats.csv", "design.csv", "runs.csv"}) {
    EXPECT_EQ(ReadFile(t / ("a/" + std::string(f))), ReadFile(t / ("b/" + std::string(f)))) << f;
  }
}

TEST(UncertaintyCli, RankIntervalsAreOrderedAndContainTheNominalRankMostly) {
  TempDir t;
  auto r = Gpsi(AsemArgs() + " --samples 2000 --out " + Quote(t / "a"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = Csv(ReadFile(t / "a/rank_stats.csv"));
  ASSERT_EQ(rows[0], (std::vector<std::string>{"year", "unit", "code", "nominal", "mean", "median", "p05", "p95"}));
  std::size_t index_rows = 0, inside = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& f = rows[i];
    double nominal = std::stod(f[3]), mean = std::stod(f[4]), median = std::stod(f[5]);
    double p05 = std::stod(f[6]), p95 = std::stod(f[7]);
    EXPECT_LE(p05, median);
    EXPECT_LE(median, p95);
    EXPECT_GE(mean, 1);
    EXPECT_LE(p95, 51);
    if (f[2] != "Index") continue;
    ++index_rows;
    inside += p05 <= nominal && nominal <= p95;
  }
  EXPECT_EQ(index_rows, 51u);
  EXPECT_GE(inside, 40u);  // the nominal index is one of the sampled configurations' neighbours
}

TEST(UncertaintyCli, ErrorsAreClear) {
  TempDir t;
  auto none = Gpsi("uncertainty --coinr-data " + Quote(Asem("iData.csv")) + " --coinr-meta " +
                   Quote(Asem("iMeta.csv")) + " --out " + Quote(t / "a"));
  EXPECT_EQ(none.exit_code, 3) << none.err;
  EXPECT_NE(none.err.find("[uncertainty]"), std::string::npos) << none.err;
  auto bad_alt = Gpsi(AsemArgs() + " --set 'uncertainty.normalise=[\"minmax:1\"]' --out " + Quote(t / "b"));
  EXPECT_EQ(bad_alt.exit_code, 3) << bad_alt.err;
  EXPECT_NE(bad_alt.err.find("uncertainty.normalise"), std::string::npos) << bad_alt.err;
  WriteFile(t / "design.csv", "rep,winmax\n1,3\n");
  auto bad_design = Gpsi(AsemArgs() + " --design " + Quote(t / "design.csv") + " --out " + Quote(t / "c"));
  EXPECT_EQ(bad_design.exit_code, 3) << bad_design.err;
  EXPECT_NE(bad_design.err.find("norm_f_n"), std::string::npos) << bad_design.err;
  auto no_out = Gpsi(AsemArgs() + " --samples 10");
  EXPECT_EQ(no_out.exit_code, 2) << no_out.err;
}

std::string SensitivityArgs() {
  std::string a = AsemArgs();
  return "sensitivity" + a.substr(std::string("uncertainty").size());
}

TEST(SensitivityCli, SobolIndicesAreDeterministicAcrossThreadsAndRanks) {
  TempDir t;
  auto one = Gpsi(SensitivityArgs() + " --samples 500 --bootstrap 200 --threads 1 --out " + Quote(t / "a"));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  auto two = Gpsi(SensitivityArgs() + " --samples 500 --bootstrap 200 --threads 2 --out " + Quote(t / "b"));
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(ReadFile(t / "a/sensitivity.csv"), ReadFile(t / "b/sensitivity.csv"));
  if (GPSI_WITH_MPI) {  // the MPI split is checked only where the build has MPI
    std::string cmd = MpiGpsi() + " " + SensitivityArgs() + " --samples 500 --bootstrap 200 --threads 1 --out " +
                      Quote(t / "c") + " >" + Quote(t / "mpi.out") + " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadFile(t / "mpi.out");
    EXPECT_EQ(ReadFile(t / "a/sensitivity.csv"), ReadFile(t / "c/sensitivity.csv"));
  }
  // Five inputs (two weight-noise levels, treatment, normalisation, aggregation); on the rank
  // shift, total ≥ first order up to estimation error, all within [−0.2, 1.2], and the
  // aggregation choice (arithmetic vs geometric) matters most, as in COINr's vignette.
  auto rows = Csv(ReadFile(t / "a/sensitivity.csv"));
  ASSERT_EQ(rows[0], (std::vector<std::string>{"output", "year", "unit", "input", "first", "total", "first_lo",
                                               "first_hi", "total_lo", "total_hi"}));
  std::map<std::string, std::pair<double, double>> shift;
  std::size_t unit_rows = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i][0] == "mean_abs_rank_shift") {
      shift[rows[i][3]] = {std::stod(rows[i][4]), std::stod(rows[i][5])};
      EXPECT_LE(std::stod(rows[i][6]), std::stod(rows[i][7]));
    } else {
      ++unit_rows;
    }
  }
  ASSERT_EQ(shift.size(), 5u);
  EXPECT_EQ(unit_rows, 51u * 5);
  std::string most;
  for (const auto& [name, v] : shift) {
    EXPECT_GT(v.first, -0.2) << name;
    EXPECT_LT(v.second, 1.2) << name;
    EXPECT_GE(v.second, v.first - 0.1) << name;
    if (most.empty() || v.second > shift.at(most).second) most = name;
  }
  EXPECT_EQ(most, "aggregate");
}

}  // namespace
}  // namespace gpsi::test
