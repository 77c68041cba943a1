// `gpsi events` on the real GDELT 2.0 export in ../shared/data/events_gdelt_sample. The expected
// counts are computed here by splitting the file with std::getline (not by the parser under
// test); FIPS → ISO3 expectations are the FIPS 10-4 standard. The event points on both backends.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg_cluster.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

const std::string kSample = "events_gdelt_sample/20191024143000.export.CSV";

//! Lines of the sample whose tab-separated fields satisfy `keep`, counted with getline: a reading
//! of the file independent of the scanner under test.
std::int64_t CountSampleLines(const std::function<bool(const std::vector<std::string>&)>& keep) {
  std::int64_t n = 0;
  std::ifstream in(Data(kSample));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t')) f.push_back(field);
    n += keep(f) ? 1 : 0;
  }
  return n;
}

//! Counts of the sample by (FIPS country, year), from a plain getline/tab split.
struct Oracle {
  std::int64_t lines = 0, all_61 = 0, no_country = 0;
  std::map<std::pair<std::string, int>, std::int64_t> total, violent;
  std::map<std::pair<std::string, int>, double> conflict;
};

Oracle Count(const std::string& path) {
  Oracle o;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    ++o.lines;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t')) f.push_back(field);
    if (!line.empty() && line.back() == '\t') f.emplace_back();
    if (f.size() != 61) continue;
    ++o.all_61;
    std::string country = f[53];  // ActionGeo_CountryCode, column 54
    if (country.empty()) {
      ++o.no_country;
      continue;
    }
    std::pair<std::string, int> key{country, std::stoi(f[1].substr(0, 4))};
    ++o.total[key];
    int root = std::stoi(f[28]);
    if (root >= 18 && root <= 20) ++o.violent[key];
    if (f[29] == "4") o.conflict[key] -= std::stod(f[30]);
  }
  return o;
}

//! `gpsi export --all-sources` rows of one indicator: (unit, year) → value.
std::map<std::pair<std::string, int>, double> Exported(const std::string& db, const std::string& indicator) {
  RunResult r = Gpsi("--db " + Quote(db) + " export --all-sources --indicator " + indicator);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::pair<std::string, int>, double> out;
  auto rows = Csv(r.out);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].size() < 6) continue;
    EXPECT_EQ(rows[i][4].substr(0, 15), "gdelt-events-v2");
    EXPECT_EQ(rows[i][5], "4");
    out[{rows[i][0], std::stoi(rows[i][1])}] = std::stod(rows[i][3]);
  }
  return out;
}

class EventsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_ / "s.db";
    RunResult r = Gpsi("--db " + Quote(db_) + " init --reference " + Quote(GPSI_TEST_DATA));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  RunResult Events(const std::string& args) { return Gpsi("--db " + Quote(db_) + " --json events " + args); }
  TempDir dir_;
  std::string db_;
};

TEST_F(EventsCli, SampleCountsMatchAnIndependentSplit) {
  Oracle o = Count(Data(kSample));
  ASSERT_EQ(o.lines, 2111);  // README: 2,111 events
  ASSERT_EQ(o.all_61, o.lines);
  RunResult r = Events(Quote(Data(kSample)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["files"].size(), 1u);
  const auto& f = j["files"][0];
  EXPECT_EQ(f["lines"], o.lines);
  EXPECT_EQ(f["events"], o.lines);
  EXPECT_EQ(f["quarantined"], 0);
  EXPECT_EQ(f["no_country"], o.no_country);
  EXPECT_EQ(f["gzip"], false);
  std::int64_t with_country = 0;
  for (const auto& [k, n] : o.total) with_country += n;
  EXPECT_EQ(f["accepted"].get<std::int64_t>() + f["unknown_fips"].get<std::int64_t>(), with_country);

  // FIPS 10-4 codes of the sample and the ISO3 units they must land on (AS is Australia, not
  // American Samoa; SZ Switzerland, not Eswatini; RS Russia, not Serbia; UK, GM, IZ, EI, KS…).
  const std::map<std::string, std::string> fips{{"US", "USA"}, {"UK", "GBR"}, {"RS", "RUS"}, {"AS", "AUS"},
                                                {"SZ", "CHE"}, {"GM", "DEU"}, {"IZ", "IRQ"}, {"EI", "IRL"},
                                                {"KS", "KOR"}, {"CH", "CHN"}, {"SF", "ZAF"}, {"IN", "IND"}};
  auto total = Exported(db_, "gdelt_events_total");
  auto violent = Exported(db_, "gdelt_violent_events");
  auto conflict = Exported(db_, "gdelt_goldstein_conflict");
  int checked = 0;
  for (const auto& [key, n] : o.total) {
    auto it = fips.find(key.first);
    if (it == fips.end()) continue;
    std::pair<std::string, int> cell{it->second, key.second};
    ++checked;
    EXPECT_EQ(total[cell], n) << key.first << " " << key.second;
    EXPECT_EQ(violent[cell], o.violent[key]) << key.first << " " << key.second;
    EXPECT_NEAR(conflict[cell], o.conflict[key], 1e-9) << key.first << " " << key.second;
  }
  EXPECT_GE(checked, 12);
  double sum_total = 0, sum_violent = 0;
  for (const auto& [k, v] : total) sum_total += v;
  for (const auto& [k, v] : violent) sum_violent += v;
  EXPECT_EQ(sum_total, f["accepted"].get<double>());
  std::int64_t oracle_violent = 0;
  for (const auto& [k, n] : o.violent) oracle_violent += n;
  // The sample's unmapped codes (OS oceans, YI Yugoslavia) hold no violent event.
  EXPECT_EQ(sum_violent, oracle_violent);
}

TEST_F(EventsCli, RerunIsUnchangedAndMonthModeAddsSuffixedCodes) {
  ASSERT_EQ(Events(Quote(Data(kSample))).exit_code, 0);
  std::string before = Gpsi("--db " + Quote(db_) + " export --all-sources").out;
  RunResult again = Events(Quote(Data(kSample)));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["unchanged"], true);
  EXPECT_EQ(Gpsi("--db " + Quote(db_) + " export --all-sources").out, before);

  std::string csv = dir_ / "m.csv";
  RunResult m = Events("--period month --out " + Quote(csv) + " " + Quote(Data(kSample)));
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(nlohmann::json::parse(m.out)["unchanged"], false);
  // US events of October 2019, counted with getline.
  const std::int64_t us_oct =
      CountSampleLines([](const auto& f) { return f.size() >= 54 && f[53] == "US" && f[1].rfind("201910", 0) == 0; });
  ASSERT_GT(us_oct, 0);
  auto oct = Exported(db_, "gdelt_events_total_m10");
  EXPECT_EQ((oct[{"USA", 2019}]), us_oct);
  auto rows = Csv(ReadFile(csv));
  ASSERT_GT(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"unit", "period", "indicator", "value"}));
  bool found = false;
  for (const auto& row : rows) {
    if (row.size() == 4 && row[0] == "USA" && row[1] == "2019-10" && row[2] == "gdelt_events_total") {
      found = true;
      EXPECT_EQ(std::stod(row[3]), us_oct);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(EventsCli, BadFileExits3AndWritesNothing) {
  std::string text = ReadFile(Data(kSample));
  // A gzip file cut in the middle: gzip -c sample | head -c N.
  std::string gz = dir_ / "sample.gz";
  ASSERT_EQ(std::system(("gzip -c " + Quote(Data(kSample)) + " > " + Quote(gz)).c_str()), 0);
  std::string cut = dir_ / "cut.CSV";
  WriteFile(cut, ReadFile(gz).substr(0, 20000));
  std::string before = Gpsi("--db " + Quote(db_) + " export --all-sources").out;
  RunResult r = Events(Quote(Data(kSample)) + " " + Quote(cut));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("cut.CSV"), std::string::npos) << r.err;
  RunResult missing = Events(Quote(dir_ / "no-such-file"));
  EXPECT_EQ(missing.exit_code, 3) << missing.err;
  EXPECT_EQ(Gpsi("--db " + Quote(db_) + " export --all-sources").out, before);
  std::string files = Gpsi("--db " + Quote(db_) + " --json sources").out;
  EXPECT_EQ(files.find("gdelt"), std::string::npos) << files;

  // The whole gzip file gives the plain file's values.
  RunResult ok = Events(Quote(gz));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j["files"][0]["gzip"], true);
  EXPECT_EQ(j["files"][0]["events"], 2111);
  // A corrupt line is quarantined with its line number and the rest still counts.
  std::string edited = text;
  std::size_t third = edited.find('\n', edited.find('\n') + 1) + 1;  // start of line 3
  edited.insert(third, "not\ta\tgdelt\tline\n");
  WriteFile(dir_ / "edited.CSV", edited);
  RunResult q = Events(Quote(dir_ / "edited.CSV"));
  ASSERT_EQ(q.exit_code, 0) << q.err;
  auto jq = nlohmann::json::parse(q.out);
  EXPECT_EQ(jq["files"][0]["quarantined"], 1);
  EXPECT_EQ(jq["files"][0]["events"], 2111);
  std::string rows = "sqlite3 " + Quote(db_) + " \"SELECT line, reason FROM quarantine\" > " + Quote(dir_ / "q.txt");
  ASSERT_EQ(std::system(rows.c_str()), 0);
  EXPECT_EQ(ReadFile(dir_ / "q.txt"), "3|field-count\n");
}

// The event points on each backend, through the command as a member of the public would run it
// (on PostgreSQL the application role, after docs/store.md's GRANT).
class EventPointsCli : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    RunResult r = Gpsi("--db " + Quote(store_.owner) + " init --reference " + Quote(GPSI_TEST_DATA));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    store_.Grant();
  }
  RunResult Events(const std::string& args) { return Gpsi("--db " + Quote(store_.app) + " --json events " + args); }
  //! Rows of event_points, read with the database's own client.
  std::int64_t StoredPoints() {
    std::string out;
    if (GetParam() == Backend::kSqlite) {
      const std::string cmd =
          "sqlite3 " + Quote(store_.app) + " 'SELECT count(*) FROM event_points' > " + Quote(dir_ / "n.txt");
      EXPECT_EQ(std::system(cmd.c_str()), 0);
      out = ReadFile(dir_ / "n.txt");
    } else {
      out = PgCluster::Get().Sql("SELECT count(*) FROM event_points", store_.database);
    }
    return std::stoll(out);
  }
  TempDir dir_;
  PlatformStore store_{GetParam(), dir_};
};

TEST_P(EventPointsCli, EachPlacedEventIsAPointAndAFailedRunStoresNone) {
  // Lines with both ActionGeo_Lat and ActionGeo_Long (codebook columns 57, 58), by getline.
  const std::int64_t placed =
      CountSampleLines([](const auto& f) { return f.size() >= 58 && !f[56].empty() && !f[57].empty(); });
  ASSERT_GT(placed, 2000);
  std::string gz = dir_ / "sample.gz";
  ASSERT_EQ(std::system(("gzip -c " + Quote(Data(kSample)) + " > " + Quote(gz)).c_str()), 0);
  std::string cut = dir_ / "cut.CSV";
  WriteFile(cut, ReadFile(gz).substr(0, 20000));
  RunResult bad = Events(Quote(Data(kSample)) + " " + Quote(cut));
  EXPECT_EQ(bad.exit_code, 3) << bad.err;
  EXPECT_EQ(StoredPoints(), 0);

  RunResult ok = Events(Quote(Data(kSample)));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j["points"], placed);
  EXPECT_EQ(j["files"][0]["points"], placed);
  EXPECT_EQ(j["files"][0]["bad_points"], 0);
  EXPECT_EQ(StoredPoints(), placed);
  // The gzip copy holds the same events: nothing new.
  RunResult same = Events(Quote(gz));
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(nlohmann::json::parse(same.out)["points"], 0);
  EXPECT_EQ(StoredPoints(), placed);
}

INSTANTIATE_TEST_SUITE_P(Backends, EventPointsCli, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace gpsi::test
