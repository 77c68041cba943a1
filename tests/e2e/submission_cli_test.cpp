// gpsi submission: a member's file through upload, validation, review and publication, on the
// U.S. FBI's real estimates (../shared/member_samples), beside UNODC's values (docs/platform.md).
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "pg_cluster.hpp"
#include "serve_process.hpp"
#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

const std::string kFbi = std::string(GPSI_TEST_DATA) + "/../member_samples/crime_us_fbi_ucr/us_national_crime_tidy.csv";
const std::string kDescriptor = std::string(GPSI_TESTS_DIR) + "/../examples/members/us_fbi_ucr.toml";

//! On each backend, as production runs it: the owner makes the store, the application role uses it.
class SubmissionCli : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ASSERT_EQ(Gpsi("--db " + Quote(store_.owner) + " init").exit_code, 0);
    store_.Grant();
    db_ = Quote(store_.app);
    ASSERT_EQ(Run("ingest " + Quote(Data("homicide_unodc_wdi"))).exit_code, 0);
    ASSERT_EQ(Run("org add forum --kind secretariat --name-en Secretariat").exit_code, 0);
    ASSERT_EQ(Run("org add us-fbi --kind government --name-en 'U.S. FBI' --country USA").exit_code, 0);
    ASSERT_EQ(Run("org agree us-fbi --dataset CRIME --indicator homicide_rate").exit_code, 0);
    for (const char* spec : {"alice --org us-fbi --role member-submitter", "bob --org us-fbi --role member-approver",
                             "sam --org forum --role secretariat"}) {
      ASSERT_EQ(Run(std::string("user add ") + spec).exit_code, 0);
      const std::string login = std::string(spec).substr(0, std::string(spec).find(' '));
      RunResult t = Run("token create " + login);
      ASSERT_EQ(t.exit_code, 0) << t.err;
      WriteFile(dir_ / (login + ".tok"), t.out);
    }
  }
  RunResult Run(const std::string& args) { return Gpsi("--db " + db_ + " " + args); }
  //! `gpsi submission …` as `login`, through its token file.
  RunResult As(const std::string& login, const std::string& args) {
    return Run("--json submission --token-file " + Quote(dir_ / (login + ".tok")) + " " + args);
  }
  nlohmann::json Ok(const std::string& login, const std::string& args) {
    RunResult r = As(login, args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  //! Every stored 2019 homicide rate of the USA as "source,tier" → value (export --all-sources).
  std::map<std::string, std::string> Usa2019() {
    std::map<std::string, std::string> out;
    RunResult r = Run("export --indicator homicide_rate --years 2019:2019 --all-sources");
    for (const auto& row : Csv(r.out)) {
      if (row.size() == 6 && row[0] == "USA") out[row[4] + "," + row[5]] = row[3];
    }
    return out;
  }

  TempDir dir_;
  PlatformStore store_{GetParam(), dir_};
  std::string db_;
};

TEST_P(SubmissionCli, TheFbisEstimatesArePublishedBesideUnodcs) {
  auto up = Ok("alice", "upload " + Quote(kFbi) + " --dataset CRIME --descriptor " + Quote(kDescriptor) +
                            " --note 'UCR 1995-2019'");
  ASSERT_EQ(up["state"], "draft");
  EXPECT_EQ(up["rows"], 25);
  EXPECT_EQ(up["quarantine"].size(), 0U);
  const std::string id = std::to_string(up["id"].get<int>());
  EXPECT_EQ(Usa2019().size(), 1U) << "an unpublished submission is not read";
  std::set<int> unodc_years;
  for (const auto& r : nlohmann::json::parse(Run("--json show USA --indicator homicide_rate").out)) {
    EXPECT_EQ(r["tier"], 1);
    unodc_years.insert(r["year"].get<int>());
  }
  EXPECT_EQ(Ok("alice", "submit " + id)["state"], "validated");
  // One value differs from UNODC's by more than 10 %: 2001, where UCR counts leave out the victims
  // of 11 September and UNODC's include them. It needs a comment before approval.
  auto flags = Ok("alice", "show " + id)["flags"];
  ASSERT_EQ(flags.size(), 1U) << flags.dump();
  EXPECT_EQ(flags[0]["year"], 2001);
  EXPECT_EQ(flags[0]["kind"], "un-difference");
  EXPECT_NEAR(flags[0]["score"].get<double>(), 0.16, 0.01);
  EXPECT_EQ(As("bob", "approve " + id).exit_code, 3) << "not before the flag has its comment";
  Ok("alice", "comment " + id + " " + std::to_string(flags[0]["flag"].get<int>()) +
                  " --text 'UCR counts leave out the victims of 11 September 2001'");
  EXPECT_EQ(As("alice", "approve " + id).exit_code, 3) << "a submitter does not approve";
  EXPECT_EQ(Ok("bob", "approve " + id)["state"], "approved");
  EXPECT_EQ(Ok("sam", "accept " + id)["state"], "accepted");
  EXPECT_EQ(Ok("sam", "publish " + id)["state"], "published");
  // The member's value is one more source at tier 2; UNODC's (tier 1) still wins the cell.
  const auto values = Usa2019();
  ASSERT_EQ(values.size(), 2U);
  EXPECT_EQ(values.begin()->first.substr(values.begin()->first.size() - 2), ",1");
  EXPECT_EQ(values.rbegin()->first.rfind("us-fbi.CRIME@", 0), 0U);
  EXPECT_EQ(values.rbegin()->first.substr(values.rbegin()->first.size() - 2), ",2");
  EXPECT_EQ(values.rbegin()->second, "5.004");
  // Where UNODC has a value it wins; the member's fills only the years UNODC lacks.
  auto shown = nlohmann::json::parse(Run("--json show USA --indicator homicide_rate").out);
  int filled = 0;
  for (const auto& r : shown) {
    const bool unodc = unodc_years.count(r["year"].get<int>()) > 0;
    EXPECT_EQ(r["tier"], unodc ? 1 : 2) << r.dump();
    filled += !unodc;
  }
  EXPECT_GT(filled, 0);
  // show --all-sources lists the member's 2019 value beside UNODC's, UNODC's first as the one used.
  std::vector<nlohmann::json> y2019;
  for (const auto& r : nlohmann::json::parse(Run("--json show USA --indicator homicide_rate --all-sources").out)) {
    if (r["year"] == 2019) y2019.push_back(r);
  }
  ASSERT_EQ(y2019.size(), 2U);
  EXPECT_EQ(y2019[0]["tier"], 1);
  EXPECT_EQ(y2019[0]["used"], true);
  EXPECT_EQ(y2019[1]["source"], "us-fbi.CRIME");
  EXPECT_EQ(y2019[1]["used"], false);
  auto detail = Ok("sam", "show " + id);
  EXPECT_EQ(detail["rows"].size(), 25U);
  EXPECT_EQ(detail["trail"].size(), 7U);  // upload, submit, validate, comment, approve, accept, publish
  RunResult verify = Run("audit-log verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST_P(SubmissionCli, BadUploadsAreRefusedWhole) {
  // Another country's rows: the whole file is refused at the line, nothing stored.
  const std::string other = dir_ / "other.csv";
  WriteFile(other, "unit,year,indicator,value\nUSA,2019,homicide_rate,5.0\nCAN,2019,homicide_rate,1.9\n");
  RunResult r = As("alice", "upload " + Quote(other) + " --dataset CRIME");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(":3: error: CAN is not a country us-fbi reports for"), std::string::npos) << r.err;
  EXPECT_EQ(Ok("alice", "list").size(), 0U);
  // No agreement for the data set, no token, a reference layout.
  EXPECT_EQ(As("alice", "upload " + Quote(other) + " --dataset ROADS").exit_code, 3);
  EXPECT_EQ(Run("submission upload " + Quote(other) + " --dataset CRIME").exit_code, 3);
  EXPECT_EQ(As("alice", "upload " + Quote(other) + " --dataset CRIME --descriptor " +
                            Quote(std::string(GPSI_TESTS_DIR) + "/../data/descriptors/reference.toml"))
                .exit_code,
            2);
  // Quarantined rows are shown with line and column, and validation sends the submission back.
  const std::string bad = dir_ / "bad.csv";
  WriteFile(bad, "unit,year,indicator,value\nUSA,2019,homicide_rate,5.0\nUSA,2018,homicide_rate,five\n");
  auto up = Ok("alice", "upload " + Quote(bad) + " --dataset CRIME");
  ASSERT_EQ(up["quarantine"].size(), 1U);
  EXPECT_EQ(up["quarantine"][0]["line"], 3);
  EXPECT_EQ(up["quarantine"][0]["column"], 24);  // the character where "five" starts
  const std::string id = std::to_string(up["id"].get<int>());
  auto back = Ok("alice", "submit " + id);
  EXPECT_EQ(back["state"], "returned");
  // The same bytes again are refused.
  EXPECT_EQ(As("alice", "upload " + Quote(bad) + " --dataset CRIME").exit_code, 3);
}

TEST_P(SubmissionCli, AWildValueIsFlaggedAndNeedsACommentToPass) {
  // 15 per 100,000 in 2019: three times UNODC's value and far outside the USA's history.
  const std::string wild = dir_ / "wild.csv";
  WriteFile(wild, "unit,year,indicator,value\nUSA,2019,homicide_rate,15.0\n");
  const std::string id = std::to_string(Ok("alice", "upload " + Quote(wild) + " --dataset CRIME")["id"].get<int>());
  RunResult submit = Run("submission --token-file " + Quote(dir_ / "alice.tok") + " submit " + id);
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  EXPECT_NE(submit.out.find("3 value(s) flagged"), std::string::npos) << submit.out;
  EXPECT_NE(submit.out.find("[needs a comment]"), std::string::npos) << submit.out;
  auto flags = Ok("bob", "show " + id)["flags"];
  ASSERT_EQ(flags.size(), 3U) << flags.dump();
  std::set<std::string> kinds;
  for (const auto& f : flags) kinds.insert(f["kind"].get<std::string>());
  EXPECT_EQ(kinds, (std::set<std::string>{"outlier", "un-difference", "series-break"}));
  RunResult refused = As("bob", "approve " + id);
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("3 validation flag(s) need a comment"), std::string::npos) << refused.err;
  EXPECT_EQ(As("alice", "comment " + id + " " + std::to_string(flags[0]["flag"].get<int>())).exit_code, 2)
      << "--text is required";
  for (const auto& f : flags) {
    auto c = Ok("alice", "comment " + id + " " + std::to_string(f["flag"].get<int>()) +
                             " --text 'a provisional count, corrected in the next upload'");
    EXPECT_EQ(c["commented_by"], "alice");
  }
  EXPECT_EQ(Ok("bob", "approve " + id)["state"], "approved");
  RunResult verify = Run("audit-log verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST_P(SubmissionCli, SdmxCsvUploadsNameTheirDataSet) {
  const std::string sdmx = dir_ / "crime.csv";
  WriteFile(sdmx,
            "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n"
            "dataprovision,GPSCF:CRIME(1.0),I,USA,homicide_rate,2019,5.0,A\n"
            "dataprovision,GPSCF:CRIME(1.0),A,USA,homicide_rate,2018,5.0,P\n"
            "dataflow,GPSCF:ROADS(1.0),I,USA,homicide_rate,2017,5.3,\n");
  auto up = Ok("alice", "upload " + Quote(sdmx) + " --dataset CRIME --note 'SDMX-CSV 2.0'");
  EXPECT_EQ(up["accepted"], 2);
  ASSERT_EQ(up["quarantine"].size(), 1U) << up.dump();
  EXPECT_EQ(up["quarantine"][0]["line"], 4);
  EXPECT_EQ(up["quarantine"][0]["column"], 10);
  EXPECT_EQ(up["quarantine"][0]["reason"], "other-structure");
  // The same rows as the data set they name are accepted whole, and go through review.
  const std::string clean = dir_ / "clean.csv";
  WriteFile(clean,
            "STRUCTURE;STRUCTURE_ID;REF_AREA;INDICATOR;TIME_PERIOD;OBS_VALUE\n"
            "dataflow;GPSCF:CRIME(1.0);USA;homicide_rate;2019;5.0\n");
  auto ok = Ok("alice", "upload " + Quote(clean) + " --dataset CRIME");
  EXPECT_EQ(ok["accepted"], 1);
  EXPECT_EQ(ok["quarantine"].size(), 0U);
  EXPECT_EQ(Ok("alice", "submit " + std::to_string(ok["id"].get<int>()))["state"], "validated");
}

TEST_P(SubmissionCli, ExportsHoldPublishedDataOnly) {
  // Two member releases: one published now, one embargoed until 2099.
  auto publish = [&](const std::string& csv, const std::string& embargo) {
    const std::string file = dir_ / ("m" + std::to_string(csv.size()) + ".csv");
    WriteFile(file, "unit,year,indicator,value\n" + csv);
    const std::string id = std::to_string(Ok("alice", "upload " + Quote(file) + " --dataset CRIME")["id"].get<int>());
    EXPECT_EQ(Ok("alice", "submit " + id)["state"], "validated");
    Ok("bob", "approve " + id), Ok("sam", "accept " + id);
    return Ok("sam", "publish " + id + embargo)["embargo"].get<std::string>();
  };
  publish("USA,2019,homicide_rate,5.004\n", "");
  publish("USA,2018,homicide_rate,5.01\nUSA,2017,homicide_rate,5.3\n", " --embargo 2099-01-01");

  RunResult sdmx = Run("export --format sdmx-csv --all-sources --indicator homicide_rate");
  ASSERT_EQ(sdmx.exit_code, 0) << sdmx.err;
  auto rows = Csv(sdmx.out);
  ASSERT_GT(rows.size(), 100U);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"STRUCTURE", "STRUCTURE_ID", "ACTION", "REF_AREA", "INDICATOR",
                                               "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "SOURCE", "TIER"}));
  int member = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 10U);
    EXPECT_EQ(rows[i][0] + "," + rows[i][1] + "," + rows[i][2], "dataflow,GPSCF:GPSI_DATA(1.0),I");
    if (rows[i][8].rfind("us-fbi.", 0) == 0) {
      ++member;
      EXPECT_EQ(rows[i][5], "2019") << "the embargoed release is not published yet";
    }
  }
  EXPECT_EQ(member, 1);
  EXPECT_EQ(rows.size(), Csv(Run("export --all-sources --indicator homicide_rate").out).size());

  // The catalogue lists the published releases with their files, by name and SHA-256.
  RunResult cat = Run("catalogue");
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  auto catalogue = nlohmann::json::parse(cat.out);
  EXPECT_EQ(catalogue["@type"], "dcat:Catalog");
  int members = 0;
  for (const auto& d : catalogue["dcat:dataset"]) {
    const auto id = d["dct:identifier"].get<std::string>();
    members += id.rfind("us-fbi.CRIME@", 0) == 0;
    if (id.rfind("us-fbi.", 0) == 0) {
      EXPECT_EQ(d["gpsi:tier"], 2);
    }
    ASSERT_FALSE(d["dcat:distribution"].empty()) << id;
    for (const auto& f : d["dcat:distribution"]) {
      EXPECT_EQ(f["dct:title"].get<std::string>().find('/'), std::string::npos) << "a name, not a path";
      EXPECT_EQ(f["spdx:checksum"]["spdx:checksumValue"].get<std::string>().size(), 64U);
    }
  }
  EXPECT_EQ(members, 1) << "the embargoed release is not catalogued yet";

  // SDMX-CSV reads back: the resolved export, ingested into a fresh store, gives the same values.
  const std::string resolved = dir_ / "gpsi_data.csv";
  WriteFile(resolved, Run("export --format sdmx-csv --indicator homicide_rate").out);
  const std::string fresh = Quote(dir_ / "fresh.db");
  ASSERT_EQ(Gpsi("--db " + fresh + " init").exit_code, 0);
  RunResult in = Gpsi("--db " + fresh + " ingest " + Quote(resolved));
  ASSERT_EQ(in.exit_code, 0) << in.err;
  auto values = [](const std::string& csv) {
    std::set<std::string> out;
    for (const auto& r : Csv(csv)) out.insert(r.at(0) + "," + r.at(1) + "," + r.at(2) + "," + r.at(3));
    return out;
  };
  EXPECT_EQ(values(Gpsi("--db " + fresh + " export").out), values(Run("export --indicator homicide_rate").out));
}

TEST_P(SubmissionCli, AMembersDescriptorCannotRenameOrTurnAnIndicator) {
  auto before = nlohmann::json::parse(Run("--json indicators").out);
  const std::string descriptor = dir_ / "mine.toml";
  WriteFile(descriptor, R"([source]
key = "self-declared-un"
publisher = "United Nations"
tier = 1
release = "2099"
[match]
files = ["*.csv"]
[table]
layout = "long"
[unit]
column = "iso3"
[year]
column = "year"
[[indicator]]
code = "homicide_rate"
column = "rate"
name_en = "Renamed by a member"
direction = 1
)");
  const std::string file = dir_ / "mine.csv";
  WriteFile(file, "iso3,year,rate\nUSA,2019,5.0\n");
  auto up = Ok("alice", "upload " + Quote(file) + " --dataset CRIME --descriptor " + Quote(descriptor));
  ASSERT_EQ(up["state"], "draft");
  EXPECT_EQ(nlohmann::json::parse(Run("--json indicators").out), before);
  // Its values are the member's, at the member's tier, whatever the descriptor's [source] says.
  auto detail = Ok("alice", "show " + std::to_string(up["id"].get<int>()));
  ASSERT_EQ(detail["rows"].size(), 1U);
  EXPECT_EQ(detail["rows"][0]["tier"], 2);
  EXPECT_EQ(detail["rows"][0]["source"].get<std::string>().rfind("us-fbi.CRIME@", 0), 0U);
}

INSTANTIATE_TEST_SUITE_P(Backends, SubmissionCli, ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

TEST(SubmissionServe, TheProfileShowsTheMembersValueBesideTheUns) {
  // The FBI's estimates published into a copy of the store of all shared data, then served.
  const std::string& shared = SharedStore();
  ASSERT_FALSE(shared.empty());
  TempDir dir;
  const std::string db = dir / "s.db";
  std::filesystem::copy_file(shared, db);
  auto run = [&](const std::string& args) {
    RunResult r = Gpsi("--db " + Quote(db) + " " + args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    return r;
  };
  run("org add forum --kind secretariat --name-en Secretariat");
  run("org add us-fbi --kind government --name-en 'U.S. FBI' --country USA");
  run("org agree us-fbi --dataset CRIME --indicator homicide_rate");
  for (const char* spec : {"alice --org us-fbi --role member-submitter", "bob --org us-fbi --role member-approver",
                           "sam --org forum --role secretariat"}) {
    run(std::string("user add ") + spec);
    const std::string login = std::string(spec).substr(0, std::string(spec).find(' '));
    WriteFile(dir / (login + ".tok"), run("token create " + login).out);
  }
  auto as = [&](const std::string& login, const std::string& args) {
    return nlohmann::json::parse(
        run("--json submission --token-file " + Quote(dir / (login + ".tok")) + " " + args).out, nullptr, false);
  };
  const std::string id = std::to_string(
      as("alice", "upload " + Quote(kFbi) + " --dataset CRIME --descriptor " + Quote(kDescriptor))["id"].get<int>());
  as("alice", "submit " + id);
  const auto shown = as("alice", "show " + id);  // kept: a range-for over a temporary's member dangles
  for (const auto& f : shown["flags"]) {
    as("alice", "comment " + id + " " + std::to_string(f["flag"].get<int>()) + " --text 'UCR definitions'");
  }
  as("bob", "approve " + id), as("sam", "accept " + id);
  ASSERT_EQ(as("sam", "publish " + id)["state"], "published");

  ServeProcess server(db, {"--intervals", "0", "--forecast-draws", "0"});
  ASSERT_GT(server.port(), 0) << server.err();
  auto r = server.Get("/api/v1/units/USA");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto profile = nlohmann::json::parse(r->body);
  int beside = 0;
  for (const auto& ind : profile["indicators"]) {
    for (const auto& v : ind["values"]) {
      if (v["year"] != 2019) continue;
      std::map<std::string, bool> chosen;  // source → used
      for (const auto& x : v["sources"]) {
        if (x["indicator"] == "homicide_rate") chosen[x["source"].get<std::string>()] = x["chosen"].get<bool>();
      }
      if (!chosen.count("us-fbi.CRIME")) continue;
      ++beside;
      EXPECT_FALSE(chosen["us-fbi.CRIME"]) << "UNODC's value (tier 1) is the one used";
      EXPECT_EQ(std::count_if(chosen.begin(), chosen.end(), [](const auto& c) { return c.second; }), 1);
      EXPECT_EQ(chosen.size(), 2U) << ind["code"];
    }
  }
  EXPECT_GE(beside, 1) << "the member's 2019 homicide rate is not in USA's profile";
}

}  // namespace
}  // namespace gpsi::test
