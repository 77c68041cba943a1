// gpsi evaluation: a synthetic campaign through set-up, scoring, the panel stage and publication on
// each backend, as its secretariat, judges and an applicant would run it (docs/evaluation.md).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "pg_cluster.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

namespace fs = std::filesystem;
const std::string kRules = std::string(GPSI_TESTS_DIR) + "/../methods/evaluation/overseas-practice.toml";

class EvaluationCli : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ASSERT_EQ(Gpsi("--db " + Quote(store_.owner) + " init").exit_code, 0);
    store_.Grant();
    db_ = Quote(store_.app);
    RunResult synth = Run("evaluation synth --rules " + Quote(kRules) + " --out " + Quote(dir_ / "c") +
                          " --applications 24 --organisations 20 --judges 7 --seed 3");
    ASSERT_EQ(synth.exit_code, 0) << synth.err;
    ASSERT_EQ(Run("org add forum --kind secretariat --name-en Secretariat").exit_code, 0);
    ASSERT_EQ(Run("org add experts --kind think-tank --name-en Experts").exit_code, 0);
    ASSERT_EQ(Run("org add org-01 --kind think-tank --name-en 'Applicant 01'").exit_code, 0);
    Person("sam", "forum", "secretariat");
    Person("ann", "org-01", "reader");
    for (int j = 1; j <= 7; ++j) Person(fmt::format("judge-{:02}", j), "experts", "reader");
  }
  void Person(const std::string& login, const std::string& org, const std::string& role) {
    ASSERT_EQ(Run("user add " + login + " --org " + org + " --role " + role).exit_code, 0);
    RunResult t = Run("token create " + login);
    ASSERT_EQ(t.exit_code, 0) << t.err;
    WriteFile(dir_ / (login + ".tok"), t.out);
  }
  RunResult Run(const std::string& args) { return Gpsi("--db " + db_ + " " + args); }
  //! `gpsi evaluation …` as `login`.
  RunResult As(const std::string& login, const std::string& args) {
    return Run("--json evaluation --token-file " + Quote(dir_ / (login + ".tok")) + " " + args);
  }
  void Ok(const std::string& login, const std::string& args) {
    RunResult r = As(login, args);
    ASSERT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  }
  nlohmann::json Show(const std::string& login) {
    RunResult r = As(login, "show prize");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  //! Sets the campaign up to the scoring stage.
  void Open() {
    Ok("sam", "create prize --rules " + Quote(kRules));
    Ok("sam", "entries prize --applications " + Quote(dir_ / "c/applications.csv") + " --judges " +
                  Quote(dir_ / "c/judges.csv"));
    Ok("sam", "assign prize");
    Ok("sam", "open prize");
  }

  TempDir dir_;
  PlatformStore store_{GetParam(), dir_};
  std::string db_;
};

TEST_P(EvaluationCli, ACampaignFromSetUpToPublication) {
  Open();
  auto sam = Show("sam");
  EXPECT_EQ(sam["state"], "scoring");
  EXPECT_EQ(sam["rules_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(sam["assigned"], 24 * 3);
  // A judge sees only the applications assigned to them, and only their own sheets.
  auto judge = Show("judge-01");
  EXPECT_EQ(judge["seat"], "judge");
  std::set<std::string> mine;
  for (const auto& [app, login] : judge["assignment"].get<std::vector<std::pair<std::string, std::string>>>()) {
    EXPECT_EQ(login, "judge-01");
    mine.insert(app);
  }
  EXPECT_EQ(judge["applications"].size(), mine.size());
  for (const auto& a : judge["applications"]) EXPECT_TRUE(mine.contains(a["code"])) << a.dump();
  // What a judge scores by: the four criteria with their rubrics in both languages, and the scale.
  const auto& scoring = judge["scoring"];
  ASSERT_EQ(scoring["criteria"].size(), 4u) << scoring.dump();
  EXPECT_EQ(scoring["criteria"][0]["code"], "security_system");
  EXPECT_EQ(scoring["criteria"][0]["zh"], "安全体系");
  EXPECT_GE(scoring["criteria"][0]["rubric"].size(), 3u);
  EXPECT_FALSE(scoring["criteria"][0]["rubric"][0]["zh"].get<std::string>().empty());
  EXPECT_EQ(scoring["step"], 0.5);
  EXPECT_EQ(scoring["scale_max"], 5.0);
  EXPECT_EQ(As("ann", "show prize").exit_code, 0) << "an applicant sees the campaign";
  EXPECT_FALSE(Show("ann").contains("results"));
  for (const auto& sheet : fs::directory_iterator(dir_ / "c/sheets")) {
    Ok(sheet.path().stem().string(), "score prize --file " + Quote(sheet.path().string()));
    if (sheet.path().stem() == "judge-01") {
      for (const auto& s : Show("judge-02")["sheets"]) EXPECT_EQ(s["judge"], "judge-02") << "blind while scoring";
    }
  }
  EXPECT_EQ(Show("sam")["sealed"], 24 * 3);
  // A sealed sheet changes only with a reason.
  const std::string app = *mine.begin();
  EXPECT_EQ(As("judge-01", "score prize " + app + " --scores 3,3,3,3").exit_code, 2);
  Ok("judge-01", "score prize " + app + " --scores 3,3,3,3 --reason 'read the rubric again'");
  EXPECT_EQ(As("judge-01", "score prize " + app + " --scores 3,3,3,3.2 --reason x").exit_code, 3) << "off the step";
  Ok("sam", "close prize");
  sam = Show("sam");
  ASSERT_TRUE(sam["results"].is_object());
  const auto& results = sam["results"];
  EXPECT_EQ(results["methods"], (nlohmann::json{"mean", "median", "standardised", "model"}));
  EXPECT_EQ(results["applications"].size(), 24u);
  EXPECT_EQ(results["judges"].size(), 7u);
  EXPECT_EQ(results["bootstrap"]["replicates"], 1000);
  EXPECT_EQ(results["rules_sha256"], sam["rules_sha256"]);
  int selected = 0;
  for (const auto& a : results["applications"]) {
    selected += a["standings"]["model"]["selected"].get<bool>();
    EXPECT_GE(a["probability"].get<double>(), 0.0);
    EXPECT_LE(a["probability"].get<double>(), 1.0);
  }
  EXPECT_GT(selected, 0);
  EXPECT_LE(selected, 14);
  // At the panel stage a judge sees the sheets of their applications, not the judges' severities.
  judge = Show("judge-01");
  std::set<std::string> scorers;
  for (const auto& s : judge["sheets"]) {
    EXPECT_TRUE(mine.contains(s["application"])) << s.dump();
    scorers.insert(s["judge"]);
  }
  EXPECT_GT(scorers.size(), 1u);
  EXPECT_TRUE(judge["results"]["judges"].empty());
  EXPECT_EQ(As("judge-01", "publish prize").exit_code, 3);
  Ok("sam", "publish prize");
  // Published: the applicant sees its own and the selected applications, never a sheet.
  auto ann = Show("ann");
  EXPECT_EQ(ann["seat"], "applicant");
  EXPECT_TRUE(ann["sheets"].empty());
  for (const auto& a : ann["results"]["applications"]) {
    EXPECT_TRUE(a["org"] == "org-01" || a["standings"]["model"]["selected"].get<bool>()) << a.dump();
  }
  EXPECT_EQ(Run("audit-log verify").exit_code, 0);
}

//! The text of every <h2> of a page.
std::vector<std::string> Headings(const std::string& html) {
  static const std::regex kH2(R"(<h2[^>]*>([^<]*)</h2>)");
  std::vector<std::string> out;
  for (auto m = std::sregex_iterator(html.begin(), html.end(), kH2); m != std::sregex_iterator(); ++m) {
    out.push_back((*m)[1]);
  }
  return out;
}

//! Whether `text` has a CJK ideograph (U+4E00–U+9FFF: UTF-8 lead bytes E4–E9).
bool HasCjk(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b >= 0xE4 && b <= 0xE9;
  });
}

TEST_P(EvaluationCli, TheSelectionReportNamesTheSelectedAndEverySheetForTheSecretariatOnly) {
  Open();
  for (const auto& sheet : fs::directory_iterator(dir_ / "c/sheets")) {
    Ok(sheet.path().stem().string(), "score prize --file " + Quote(sheet.path().string()));
  }
  const std::string app = Show("judge-02")["assignment"][0][0];
  Ok("judge-02", "score prize " + app + " --scores 2,2,2,2 --reason 'misread the rubric'");
  const fs::path out = dir_ / "report";
  RunResult early = As("sam", "report prize --lang en,zh --out " + Quote(out));
  EXPECT_EQ(early.exit_code, 3) << "no results while scoring";
  EXPECT_NE(early.err.find("scoring"), std::string::npos) << early.err;
  EXPECT_FALSE(fs::exists(out)) << "a refused report writes nothing";
  Ok("sam", "close prize");
  EXPECT_EQ(As("judge-01", "report prize --out " + Quote(out)).exit_code, 3) << "a judge";
  EXPECT_EQ(As("ann", "report prize --out " + Quote(out)).exit_code, 3) << "an applicant";
  EXPECT_FALSE(fs::exists(out));
  Ok("sam", "report prize --lang en,zh --date 2026-12-01 --out " + Quote(out));
  const auto sam = Show("sam");
  std::set<std::string> selected, all;
  for (const auto& a : sam["results"]["applications"]) {
    all.insert(a["code"]);
    if (a["standings"]["model"]["selected"].get<bool>()) selected.insert(a["code"]);
  }
  ASSERT_FALSE(selected.empty());
  const std::string en = ReadFile((out / "selection-prize.en.html").string());
  const std::string zh = ReadFile((out / "selection-prize.zh.html").string());
  for (const auto* html : {&en, &zh}) {
    EXPECT_EQ(TableRowKeys(*html, "selected"), selected);
    EXPECT_EQ(TableRowKeys(*html, "ranking"), all);
    EXPECT_EQ(TableRowKeys(*html, "methods"), all);
    EXPECT_NE(html->find(sam["rules_sha256"].get<std::string>()), std::string::npos);
    EXPECT_NE(html->find(sam["results"]["sheets_sha256"].get<std::string>()), std::string::npos);
    for (const auto& s : sam["sheets"]) {
      EXPECT_NE(html->find(s["sha256"].get<std::string>()), std::string::npos) << s.dump();
    }
    EXPECT_NE(html->find("misread the rubric"), std::string::npos) << "a revision's reason";
    EXPECT_NE(html->find("data-col=\"action\">campaign.close<"), std::string::npos);
    std::size_t sealings = 0;
    for (auto at = html->find("data-col=\"action\">sheet."); at != std::string::npos;
         at = html->find("data-col=\"action\">sheet.", at + 1)) {
      ++sealings;
    }
    EXPECT_EQ(sealings, sam["sheets"].size()) << "an audit entry per sheet sealed or revised";
    for (const auto& j : sam["results"]["judges"]) {
      EXPECT_NE(html->find("data-judge=\"" + j["login"].get<std::string>() + "\""), std::string::npos);
    }
  }
  EXPECT_NE(en.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(zh.find("<html lang=\"zh-Hans\">"), std::string::npos);
  const auto en_h2 = Headings(en), zh_h2 = Headings(zh);
  ASSERT_GE(zh_h2.size(), 7u);
  EXPECT_EQ(zh_h2.size(), en_h2.size());
  for (const auto& h : zh_h2) EXPECT_TRUE(HasCjk(h)) << h;
  for (const auto& h : en_h2) EXPECT_FALSE(HasCjk(h)) << h;
  // The PDF beside the page, printed by WeasyPrint.
  Ok("sam", "report prize --lang zh --pdf --date 2026-12-01 --out " + Quote(dir_ / "pdf"));
  EXPECT_EQ(ReadFile(dir_ / "pdf/selection-prize.zh.pdf").rfind("%PDF-", 0), 0u);
}

TEST_P(EvaluationCli, AJudgeDeclaresConflictsInSetUpAndTheAssignmentKeepsThemApart) {
  Ok("sam", "create prize --rules " + Quote(kRules));
  Ok("sam", "entries prize --applications " + Quote(dir_ / "c/applications.csv") + " --judges " +
                Quote(dir_ / "c/judges.csv"));
  // In set-up a judge sees the applications they are free to score, to declare theirs; their own
  // record is the only judge they see.
  auto before = Show("judge-01");
  ASSERT_EQ(before["judges"].size(), 1u) << before["judges"].dump();
  const auto declared_before = before["judges"][0]["declared"].get<std::set<std::string>>();
  ASSERT_GE(before["applications"].size(), 2u);
  for (const auto& a : before["applications"]) EXPECT_FALSE(declared_before.contains(a["code"])) << a.dump();
  const std::string x = before["applications"][0]["code"], y = before["applications"][1]["code"];
  // A declaration replaces the earlier one: the secretariat's entries for this judge, plus two.
  auto declared = declared_before;
  declared.insert({x, y});
  Ok("judge-01", "declare prize " + fmt::format("{}", fmt::join(declared, " ")));
  auto after = Show("judge-01");
  EXPECT_EQ(after["judges"][0]["declared"].get<std::set<std::string>>(), declared);
  EXPECT_EQ(after["applications"].size(), before["applications"].size() - 2);
  // The assignment keeps them apart; declarations close with set-up.
  Ok("sam", "assign prize");
  for (const auto& [app, judge] : Show("sam")["assignment"].get<std::vector<std::pair<std::string, std::string>>>()) {
    EXPECT_FALSE(judge == "judge-01" && (app == x || app == y)) << app;
  }
  EXPECT_EQ(As("judge-01", "declare prize NO-SUCH").exit_code, 2);
  EXPECT_EQ(As("sam", "declare prize " + x).exit_code, 3) << "only a judge declares their own";
  Ok("sam", "open prize");
  EXPECT_EQ(As("judge-01", "declare prize").exit_code, 3) << "after set-up";
  EXPECT_EQ(Show("judge-01")["judges"][0]["declared"].get<std::set<std::string>>(), declared)
      << "a refusal changes nothing";
}

TEST_P(EvaluationCli, RefusesWhatBreaksTheRulesAndLosesNothing) {
  WriteFile(dir_ / "bad.toml", "[campaign]\ntitle_en = \"x\"\n");
  RunResult bad = As("sam", "create prize --rules " + Quote(dir_ / "bad.toml"));
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("bad.toml"), std::string::npos) << bad.err;
  EXPECT_EQ(As("judge-01", "create prize --rules " + Quote(kRules)).exit_code, 3) << "only the secretariat";
  Ok("sam", "create prize --rules " + Quote(kRules));
  EXPECT_EQ(As("sam", "open prize").exit_code, 3) << "nothing assigned yet";
  EXPECT_EQ(As("judge-01", "show prize").exit_code, 2) << "not a judge of it yet: no such campaign";
  WriteFile(dir_ / "apps.csv", "code,org,country,project\nA1,x,KEN,p\n");
  RunResult missing = As("sam", "entries prize --applications " + Quote(dir_ / "apps.csv"));
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("documents"), std::string::npos) << missing.err;
  EXPECT_TRUE(Show("sam")["applications"].empty()) << "nothing half-written";
}

INSTANTIATE_TEST_SUITE_P(Backends, EvaluationCli, ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace gpsi::test
