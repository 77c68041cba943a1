// End to end on the real snapshots in ../shared/data: ingest everything once, then compare the
// store with the data curator's *_tidy.csv files, which were derived from the same raw files by
// other code (README of each folder) and so serve as independent oracles.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "test_util.hpp"

namespace gpsi::test {
namespace {

// The oracle side reads the tidy files with the tests' own CSV splitter, not the product's reader.
std::vector<std::string> Split(const std::string& line) {
  return CsvLine(line);
}

// Rows of a CSV as maps column → text.
std::vector<std::map<std::string, std::string>> ReadCsv(const std::string& path) {
  std::istringstream in(ReadFile(path));
  std::string line;
  std::getline(in, line);
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  auto header = Split(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto f = Split(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < f.size(); ++i) row[header[i]] = f[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

using Key = std::tuple<std::string, int, std::string, std::string>;  // unit, year, indicator, source

class SharedData : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = *dir_ / "shared.db";
    init_ = Gpsi("--db '" + db_ + "' init --reference '" + std::string(GPSI_TEST_DATA) + "'");
    ingest_ = Gpsi("--db '" + db_ + "' --json ingest '" + std::string(GPSI_TEST_DATA) + "'");
    RunResult ex = Gpsi("--db '" + db_ + "' export --all-sources");
    std::istringstream in(ex.out);
    std::string line;
    std::getline(in, line);
    header_ = line;
    while (std::getline(in, line)) {
      auto f = Split(line);
      std::string source = f[4].substr(0, f[4].find('@'));
      obs_[{f[0], std::stoi(f[1]), f[2], source}] = std::stod(f[3]);
      ++per_source_[source];
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::optional<double> Get(const std::string& unit, int year, const std::string& ind, const std::string& src) {
    auto it = obs_.find({unit, year, ind, src});
    if (it == obs_.end()) return std::nullopt;
    return it->second;
  }

  // Every tidy row with a value must be in the store with the same value (relative tolerance
  // `tol`); returns the number of rows compared.
  static int CompareTidy(const std::string& file, const std::string& unit_col, const std::string& year_col,
                         int fixed_year, const std::string& value_col, const std::string& indicator,
                         const std::string& source, double tol,
                         const std::function<bool(const std::map<std::string, std::string>&)>& keep = nullptr,
                         double abs_tol = 0) {
    int compared = 0;
    for (const auto& row : ReadCsv(Data(file))) {
      if (keep && !keep(row)) continue;
      const std::string& text = row.at(value_col);
      if (text.empty() || row.at(unit_col).empty()) continue;
      int year = fixed_year ? fixed_year : std::stoi(row.at(year_col));
      double want = std::stod(text);
      auto got = Get(row.at(unit_col), year, indicator, source);
      EXPECT_TRUE(got.has_value()) << file << ": no " << indicator << " for " << row.at(unit_col) << " " << year;
      if (got) {
        EXPECT_NEAR(*got, want, std::max(abs_tol, tol * std::max(1.0, std::fabs(want))))
            << file << ": " << row.at(unit_col) << " " << year << " " << indicator;
      }
      ++compared;
    }
    return compared;
  }

  static TempDir* dir_;
  static std::string db_, header_;
  static RunResult init_, ingest_;
  static std::map<Key, double> obs_;
  static std::map<std::string, int> per_source_;
};

TempDir* SharedData::dir_ = nullptr;
std::string SharedData::db_, SharedData::header_;
RunResult SharedData::init_, SharedData::ingest_;
std::map<Key, double> SharedData::obs_;
std::map<std::string, int> SharedData::per_source_;

TEST_F(SharedData, IngestSucceedsAndListsSkippedFiles) {
  ASSERT_EQ(init_.exit_code, 0) << init_.err;
  ASSERT_EQ(ingest_.exit_code, 0) << ingest_.err;
  auto j = nlohmann::json::parse(ingest_.out);
  std::map<std::string, std::string> status;
  for (const auto& f : j["files"]) status[f["path"].get<std::string>()] = f["status"].get<std::string>();
  // Every raw data file is ingested; documentation and derived copies are skipped with a reason.
  for (const char* raw :
       {"homicide_unodc_wdi/homicide_unodc_who.csv", "homicide_who_ghe/gho_VIOLENCE_HOMICIDENUM.csv",
        "road_traffic_who_gho/RS_198.csv", "road_traffic_who_gho/RS_196.csv", "road_traffic_who_gho/RS_246.csv",
        "terrorism_gtd_owid/Global Terrorism Database.csv", "terrorism_gti_iep/Global Terrorism Index 2023.csv",
        "cyber_indexes_gci_ncsi_cei/Cyber_security.csv", "population_un_wpp2024/population_tidy.csv",
        "population_worldbank_wdi/wb_population_total.csv",
        "crime_index_numbeo_goci_wpr/crime-rate-by-country-2024.csv",
        "crime_index_numbeo_goci_wpr/murder-rate-by-country-2024.csv", "asem/iData.csv",
        "injury_deaths_ihme_gbd/ddf--datapoints--death_rate_all_age--by--country--year--cause--sex.csv",
        "reference_unsd_m49/UNSD_m49.csv"}) {
    EXPECT_EQ(status[Data(raw)], "ingested") << raw;
  }
  EXPECT_EQ(status[Data("README.md")], "skipped");
  EXPECT_EQ(status[Data("homicide_unodc_wdi/homicide_rate_tidy.csv")], "skipped");
  for (const auto& [path, s] : status) EXPECT_NE(s, "rejected") << path;
  // Ingest runs with foreign-key enforcement off (it writes only parents it resolved itself):
  // every reference must hold all the same.
  std::string check =
      "sqlite3 '" + db_ + "' 'PRAGMA foreign_key_check; PRAGMA integrity_check;' > '" + (*dir_ / "fk.txt") + "'";
  ASSERT_EQ(std::system(check.c_str()), 0);
  EXPECT_EQ(ReadFile(*dir_ / "fk.txt"), "ok\n");
  EXPECT_EQ(header_, "unit,year,indicator,value,source,tier");
}

TEST_F(SharedData, UnodcHomicideMatchesTidyFileExactly) {
  int n = CompareTidy("homicide_unodc_wdi/homicide_rate_tidy.csv", "iso3", "year", 0, "homicide_rate_per_100k",
                      "homicide_rate", "unodc-homicide-wdi", 1e-12);
  EXPECT_EQ(n, 4061);  // the README's row count of the tidy file
  // The tidy file drops exactly the World Bank aggregates; so does the ingest.
  EXPECT_EQ(per_source_["unodc-homicide-wdi"], n);
}

TEST_F(SharedData, WhoRoadTrafficMatchesTidyFile) {
  // The tidy file took some rates from WHO's display text (one decimal) and others from the numeric
  // column (four decimals), so agreement is to the display rounding: 0.05 per 100k, 0.5 deaths.
  auto both = [](const auto& row) { return row.at("sex") == "BTSX"; };
  int n = CompareTidy("road_traffic_who_gho/road_traffic_tidy.csv", "iso3", "year", 0, "death_rate_per_100k",
                      "road_death_rate", "who-gho-road-rate", 1e-12, both, 0.05 + 1e-9);
  EXPECT_EQ(n, 183 * 20);  // 183 countries, 2000–2019
  CompareTidy("road_traffic_who_gho/road_traffic_tidy.csv", "iso3", "year", 0, "deaths", "road_deaths",
              "who-gho-road-deaths", 1e-12, both, 0.5 + 1e-9);
}

TEST_F(SharedData, GtdByNameMatchesCuratorsIso3Mapping) {
  // The tidy file keys GTD rows by ISO3 (the curator's mapping); the ingest resolves the raw
  // file's country names itself. Germany 1990 is the one cell where GTD lists both "Germany" and
  // "West Germany": the ingest keeps the first and quarantines the other as a conflict.
  for (const auto& [col, ind] : std::vector<std::pair<std::string, std::string>>{
           {"incidents", "terror_incidents"}, {"fatalities", "terror_deaths"}, {"injuries", "terror_injuries"}}) {
    int n = CompareTidy("terrorism_gtd_owid/gtd_country_year_tidy.csv", "iso3", "year", 0, col, ind, "start-gtd-0522",
                        1e-12);
    EXPECT_GT(n, 4000);
  }
  EXPECT_EQ(Get("AFG", 2020, "terror_deaths", "start-gtd-0522"), 10081.0);  // README example
}

TEST_F(SharedData, GtiMatchesTidyFileIncludingKosovo) {
  int n = CompareTidy("terrorism_gti_iep/gti_tidy.csv", "iso3", "year", 0, "gti_score_0_10", "gti_score",
                      "iep-gti-2023", 1e-12);
  EXPECT_EQ(n, 1793);  // every row, including the 80 of 2020 whose iso3c the publisher shuffled
  EXPECT_TRUE(Get("XKX", 2022, "gti_score", "iep-gti-2023").has_value());  // KSV in the raw file
  EXPECT_EQ(Get("AFG", 2020, "terror_deaths", "iep-gti-2023"), 1292.0);    // README example
}

TEST_F(SharedData, CyberIndexesByNameMatchTidyFile) {
  int n = CompareTidy("cyber_indexes_gci_ncsi_cei/cyber_indexes_tidy.csv", "iso3", "", 2020, "itu_gci_2020_score_0_100",
                      "itu_gci_score", "itu-gci-2020", 1e-12);
  EXPECT_GT(n, 180);
  // 0 means "not assessed" for NCSI: stored as missing, not as a score of 0.
  for (const auto& row : ReadCsv(Data("cyber_indexes_gci_ncsi_cei/cyber_indexes_tidy.csv"))) {
    if (row.at("ncsi_score_0_100") == "0") {
      EXPECT_FALSE(Get(row.at("iso3"), 2020, "ncsi_score", "ega-ncsi"));
    }
  }
}

TEST_F(SharedData, CrimeIndexesByNameMatchTidyFile) {
  int n = CompareTidy("crime_index_numbeo_goci_wpr/crime_indexes_tidy.csv", "iso3", "", 2024, "numbeo_crime_index_2024",
                      "numbeo_crime_index", "numbeo-crime-2024", 1e-12);
  EXPECT_GT(n, 130);
  // The GI-TOC columns of WPR's 2024 table are the 2023 edition: stored under 2023 (indicator.year).
  n = CompareTidy("crime_index_numbeo_goci_wpr/crime_indexes_tidy.csv", "iso3", "", 2023, "goci_criminality_2023_1_10",
                  "goci_criminality", "gitoc-goci-2023", 1e-12);
  EXPECT_GT(n, 180);
}

// The eight data sets added for GPSI 2.0: each raw file as ingested against the curator's
// independently derived tidy file (rounded as the tidy file rounds).
TEST_F(SharedData, UnodcCtsRawFilesMatchTidyFile) {
  for (const auto& [col, ind, src] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"serious_assault", "cts_serious_assault", "unodc-cts-2024"},
           {"rape", "cts_rape", "unodc-cts-2024"},
           {"theft", "cts_theft", "unodc-cts-2024"},
           {"cyber_fraud", "cts_cyber_fraud", "unodc-cts-2024"},
           {"robbery", "cts_robbery", "unodc-cts-2022"}}) {  // the Windows-1252 file
    int n =
        CompareTidy("crime_unodc_cts/cts_rates_tidy.csv", "iso3", "year", 0, col, ind, src, 0, nullptr, 5e-5 + 1e-12);
    EXPECT_GT(n, 50) << col;
  }
  // Sub-national reporting units are kept under their own codes (the tidy file leaves iso3 empty).
  EXPECT_TRUE(Get("GBR_E_W", 2018, "cts_theft", "unodc-cts-2024").has_value());
}

TEST_F(SharedData, UcdpByNameMatchesTidyFile) {
  for (const auto& [col, ind] :
       std::vector<std::pair<std::string, std::string>>{{"state_based_deaths_best", "ucdp_state_based_deaths"},
                                                        {"non_state_deaths_best", "ucdp_non_state_deaths"},
                                                        {"one_sided_deaths_best", "ucdp_one_sided_deaths"},
                                                        {"total_deaths_best", "ucdp_total_deaths"}}) {
    int n = CompareTidy("ucdp_organised_violence/ucdp_country_year_tidy.csv", "iso3", "year", 0, col, ind,
                        "ucdp-orgvio-cy", 1e-12);
    EXPECT_EQ(n, 6928) << col;  // every row with an ISO3: all but GDR, Czechoslovakia and South Yemen (8 rows)
  }
  EXPECT_EQ(Get("AFG", 2020, "ucdp_state_based_deaths", "ucdp-orgvio-cy"), 20489.0);  // README example
}

TEST_F(SharedData, WhoRoadSafetyFilesMatchTidyFile) {
  auto compare = [&](const char* col, const char* ind, const char* src, int year, double tol) {
    return CompareTidy("road_safety_who_gho/road_safety_tidy.csv", "iso3", "", year, col, ind, src, 0, nullptr, tol);
  };
  EXPECT_GT(compare("road_death_rate_2021", "road_death_rate", "who-gho-road-rate", 2021, 1e-9), 190);
  EXPECT_GT(compare("road_deaths_2021", "road_deaths", "who-gho-road-deaths", 2021, 1e-9), 190);
  EXPECT_GT(compare("child_restraint_law", "road_law_child_restraint", "who-gho-road-safety-laws", 2017, 0), 170);
  EXPECT_GT(compare("max_speed_urban_kmh", "road_max_speed_urban", "who-gho-road-safety-laws", 2017, 0), 150);
  // Canada's and Viet Nam's limits are ranges ("0.00 - 0.08 g/dl"): the tidy file takes the upper
  // end, the ingest quarantines them (a range is not one limit).
  auto not_a_range = [](const auto& row) { return row.at("iso3") != "CAN" && row.at("iso3") != "VNM"; };
  EXPECT_GT(CompareTidy("road_safety_who_gho/road_safety_tidy.csv", "iso3", "", 2017, "bac_limit_general_gdl",
                        "road_bac_limit_general", "who-gho-road-safety-laws", 0, not_a_range, 1e-12),
            120);
}

TEST_F(SharedData, SdgWgiOwidAndWorldBankFilesMatchTidyFiles) {
  EXPECT_GT(CompareTidy("sdg_un_global_database/sdg_tidy.csv", "iso3", "year", 0, "unsentenced_detainees_pct",
                        "unsentenced_detainees_pct", "unodc-sdg-unsentenced", 1e-12),
            450);
  EXPECT_GT(CompareTidy("sdg_un_global_database/sdg_tidy.csv", "iso3", "year", 0, "unemployment_15_24_pct",
                        "unemployment_youth_pct", "ilo-sdg-unemployment", 1e-12),
            1400);
  EXPECT_GT(CompareTidy("wgi_governance/wgi_tidy.csv", "iso3", "year", 0, "pv_est", "wgi_pv_est", "wb-wgi", 0, nullptr,
                        5e-5 + 1e-12),
            4900);
  EXPECT_GT(CompareTidy("wgi_governance/wgi_tidy.csv", "iso3", "year", 0, "rl_est", "wgi_rl_est", "wb-wgi", 0, nullptr,
                        5e-5 + 1e-12),
            4900);
  EXPECT_GT(CompareTidy("cyber_itu_internet_owid/internet_users_tidy.csv", "iso3", "year", 0, "internet_users_pct",
                        "internet_users_pct", "itu-internet-users-owid", 1e-12),
            6000);
  EXPECT_GT(CompareTidy("context_wdi_owid/context_tidy.csv", "iso3", "year", 0, "gdp_per_capita_ppp_2021_intl_usd",
                        "gdp_per_capita_ppp", "wb-wdi-gdp-pc-ppp-owid", 1e-12),
            6000);
  EXPECT_GT(
      CompareTidy("cyber_wb_secure_servers/secure_servers_tidy.csv", "iso3", "year", 0, "secure_servers_per_million",
                  "secure_servers_2017method", "wb-wdi-secure-servers-2017", 0, nullptr, 5e-5 + 1e-12),
      2500);
}

TEST_F(SharedData, WorldBankWideLayoutMatchesTidyFile) {
  int n = CompareTidy("population_worldbank_wdi/population_tidy.csv", "iso3", "year", 0, "population", "population_wb",
                      "wb-wdi-population", 1e-12);
  EXPECT_EQ(per_source_["wb-wdi-population"], n);
}

TEST_F(SharedData, IhmeMatchesTidyFile) {
  CompareTidy("injury_deaths_ihme_gbd/injury_death_rates_tidy.csv", "iso3", "year", 0, "homicide_asdr_per_100k",
              "homicide_rate_as", "ihme-gbd2017-injury", 1e-12);
  int n = CompareTidy("injury_deaths_ihme_gbd/injury_death_rates_tidy.csv", "iso3", "year", 0,
                      "road_traffic_asdr_per_100k", "road_death_rate_as", "ihme-gbd2017-injury", 1e-12);
  EXPECT_EQ(n, 5404);
}

TEST_F(SharedData, CoinrMetadataSurvivesTheDataFile) {
  // iMeta (ingested first) gives names and directions; iData must not reset them.
  std::map<std::string, std::string> dir;
  for (const auto& row : ReadCsv(Data("asem/iMeta.csv"))) {
    if (row.at("Type") == "Indicator") dir["asem." + row.at("iCode")] = row.at("Direction");
  }
  RunResult r = Gpsi("--db '" + db_ + "' --json indicators");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int checked = 0;
  for (const auto& ind : nlohmann::json::parse(r.out)) {
    auto it = dir.find(ind["code"].get<std::string>());
    if (it == dir.end()) continue;
    EXPECT_EQ(ind["direction"].get<int>(), std::stoi(it->second)) << it->first;
    EXPECT_FALSE(ind["name_en"].get<std::string>().empty()) << it->first;
    ++checked;
  }
  EXPECT_EQ(checked, 49);  // ASEM's 49 indicators
}

TEST_F(SharedData, NoAggregateBecomesAUnit) {
  for (const auto& [key, v] : obs_) {
    const std::string& unit = std::get<0>(key);
    EXPECT_NE(unit, "WLD");
    EXPECT_NE(unit, "SSF");
    EXPECT_NE(unit, "HIC");
  }
  RunResult u = Gpsi("--db '" + db_ + "' --json units");
  auto units = nlohmann::json::parse(u.out);
  for (const auto& x : units) {
    EXPECT_NE(x["name_en"], "World");
    EXPECT_NE(x["name_en"], "Sub-Saharan Africa");
  }
}

TEST_F(SharedData, ResolutionFollowsTierThenRelease) {
  // USA 2017 homicide: UNODC via WDI (tier 1, 2025 release) beats the WPR copy and WHO's counts
  // are another indicator; IHME's age-standardised rate is its own indicator.
  RunResult r = Gpsi("--db '" + db_ + "' export --indicator homicide_rate --years 2017:2017");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\nUSA,2017,homicide_rate,"), std::string::npos);
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("USA,2017,", 0) == 0) {
      EXPECT_NE(line.find("unodc-homicide-wdi@2025-10-07,1"), std::string::npos) << line;
    }
  }
  // 2022: WDI (release 2025-10-07) and the WPR copy (2024-03-29) are both tier 1: newest release wins.
  RunResult r22 = Gpsi("--db '" + db_ + "' export --indicator homicide_rate --years 2022:2022");
  EXPECT_EQ(r22.out.find("unodc-homicide-2022-wpr"), std::string::npos) << "a covered cell resolved to the copy";
  // Terrorism: GTD and GTI are both tier 3; GTI's 2023 release is newer and wins where both exist.
  RunResult t = Gpsi("--db '" + db_ + "' export --indicator terror_deaths --years 2020:2020");
  EXPECT_NE(t.out.find("AFG,2020,terror_deaths,1292,iep-gti-2023@2023-03-14,3"), std::string::npos)
      << t.out.substr(0, 400);
}

TEST_F(SharedData, ShowTracesValueToStoredBytes) {
  RunResult r = Gpsi("--db '" + db_ + "' --json show 'Côte d’Ivoire' --indicator road_death_rate");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = nlohmann::json::parse(r.out);
  // 2000–2019 from the GHE 2019 round, 2021 from the GSRRS 2023 round (road_safety_who_gho).
  ASSERT_EQ(rows.size(), 21u);
  const auto& last = rows.back();
  EXPECT_EQ(last["year"], 2021);
  EXPECT_EQ(last["unit"], "CIV");
  EXPECT_EQ(last["tier"], 1);
  std::string sha = last["sha256"];
  std::string blob = db_ + ".blobs/" + sha.substr(0, 2) + "/" + sha;
  std::string bytes = ReadFile(blob);
  ASSERT_FALSE(bytes.empty()) << blob;
  // The stored copy hashes to the recorded sha256 and its line holds the value.
  std::istringstream in(bytes);
  std::string line;
  for (int i = 0; i < last["line"].get<int>(); ++i) std::getline(in, line);
  EXPECT_NE(line.find(",CIV,"), std::string::npos) << line;
  EXPECT_NE(line.find(std::to_string(last["year"].get<int>())), std::string::npos) << line;
}

TEST_F(SharedData, ReingestIsANoOp) {
  RunResult before = Gpsi("--db '" + db_ + "' export --all-sources");
  RunResult again = Gpsi("--db '" + db_ + "' --json ingest '" + std::string(GPSI_TEST_DATA) + "'");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto report = nlohmann::json::parse(again.out);  // a named object: the loop borrows from it
  for (const auto& f : report["files"]) EXPECT_NE(f["status"], "ingested") << f["path"];
  EXPECT_EQ(Gpsi("--db '" + db_ + "' export --all-sources").out, before.out);
}

TEST_F(SharedData, DisagreementReportListsBothSources) {
  std::string report = *dir_ / "disagree.csv";
  RunResult r = Gpsi("--db '" + db_ + "' resolve --report '" + report + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string text = ReadFile(report);
  EXPECT_EQ(
      text.rfind("unit,year,indicator,value,source,tier,other_value,other_source,other_tier,relative_difference\n", 0),
      0u);
  EXPECT_NE(text.find("AFG,2020,terror_deaths,1292,iep-gti-2023@2023-03-14,3,10081,start-gtd-0522@2022-05-01,3,"),
            std::string::npos);
}

}  // namespace
}  // namespace gpsi::test
