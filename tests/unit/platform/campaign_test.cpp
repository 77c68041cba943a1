// The evaluation campaign's rules of who may see and change what: the stages, the sealing of
// sheets (hash, time, audit entry; a change needs a reason), and what judges, applicants and the
// public see at each stage.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "platform.hpp"
#include "test_util.hpp"

namespace gpsi::platform {
namespace {

using test::TempDir;

const Actor kCli{"cli:test", "", "cli@test"};

class CampaignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_ / "store.db";
    auto s = OpenSqliteStore(path_);
    ASSERT_TRUE(s.ok()) << s.error().Format();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    Unit u;
    u.code = u.iso3 = "KEN", u.name_en = "Kenya";
    store_->UpsertUnit(u);
    AddOrganisation("forum", OrgKind::kSecretariat);
    AddOrganisation("acme", OrgKind::kThinkTank);
    AddOrganisation("panel", OrgKind::kThinkTank);
    sam_ = Person("sam", "forum", Role::kSecretariat);
    root_ = Person("root", "forum", Role::kAdmin);
    for (const char* j : {"j1", "j2", "j3", "j4"}) judges_[j] = Person(j, "panel", Role::kReader);
    applicant_ = Person("ann", "acme", Role::kReader);
    stranger_ = Person("stan", "panel", Role::kReader);
  }

  void AddOrganisation(const std::string& key, OrgKind kind) {
    Organisation o;
    o.key = key, o.name_en = key, o.kind = kind, o.tier = -1;
    if (kind != OrgKind::kSecretariat) o.countries = {"KEN"};
    ASSERT_TRUE(AddOrg(*store_, kCli, o).ok());
  }

  //! An account of `role` in `org` and its principal, through a token as a request would.
  Principal Person(const std::string& login, const std::string& org, Role role) {
    Account a;
    a.login = login, a.org = org, a.role = role;
    EXPECT_TRUE(AddAccount(*store_, kCli, a, std::nullopt).ok());
    auto t = IssueToken(*store_, kCli, login, {}, 30, "test");
    EXPECT_TRUE(t.ok());
    auto p = Authenticate(*store_, t->secret, NowUtc());
    EXPECT_TRUE(p.ok());
    return *p;
  }

  //! A campaign of two applications (A1 by acme), four judges, each application with three.
  void SetUpCampaign() {
    ASSERT_TRUE(AddCampaign(*store_, kCli, sam_, "prize", "[campaign]\n").ok());
    const std::vector<CampaignApplication> apps{{"A1", "acme", "KEN", "Road", {"a.pdf"}},
                                                {"A2", "other", "KEN", "Port", {}}};
    const std::vector<CampaignJudge> judges{
        {"j1", "panel", "", {}}, {"j2", "panel", "", {}}, {"j3", "panel", "", {}}, {"j4", "panel", "", {"A1"}}};
    ASSERT_TRUE(SetCampaignEntries(*store_, kCli, sam_, "prize", &apps, &judges).ok());
    ASSERT_TRUE(SetAssignment(*store_, kCli, sam_, "prize",
                              {{"A1", "j1"}, {"A1", "j2"}, {"A1", "j3"}, {"A2", "j2"}, {"A2", "j3"}, {"A2", "j4"}})
                    .ok());
  }

  Result<CampaignSheet> Seal(const std::string& judge, const std::string& app, const std::string& reason = "") {
    return SealSheet(*store_, kCli, judges_.at(judge), "prize", app, {3, 4, 2.5, 5}, "", reason);
  }

  std::vector<std::string> Codes(const std::vector<CampaignApplication>& apps) {
    std::vector<std::string> out;
    for (const auto& a : apps) out.push_back(a.code);
    return out;
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  Principal sam_, root_, applicant_, stranger_;
  std::map<std::string, Principal> judges_;
};

TEST_F(CampaignTest, OnlyTheSecretariatRunsACampaign) {
  EXPECT_EQ(AddCampaign(*store_, kCli, root_, "prize", "").error().code, Errc::kForbidden);
  EXPECT_EQ(AddCampaign(*store_, kCli, judges_["j1"], "prize", "").error().code, Errc::kForbidden);
  EXPECT_EQ(AddCampaign(*store_, kCli, sam_, "Prize!", "").error().code, Errc::kUsage);
  SetUpCampaign();
  EXPECT_EQ(AddCampaign(*store_, kCli, sam_, "prize", "").error().code, Errc::kConflict);
  // A judge sees the campaign but may not change it; a stranger is told it does not exist.
  EXPECT_EQ(SetAssignment(*store_, kCli, judges_["j1"], "prize", {}).error().code, Errc::kForbidden);
  EXPECT_EQ(SetAssignment(*store_, kCli, stranger_, "prize", {}).error().code, Errc::kNotFound);
  EXPECT_EQ(SetAssignment(*store_, kCli, sam_, "prize", {{"A9", "j1"}}).error().code, Errc::kUsage);
}

TEST_F(CampaignTest, JudgesAreEnabledAccountsWithoutTheSecretariatsView) {
  ASSERT_TRUE(AddCampaign(*store_, kCli, sam_, "prize", "").ok());
  std::vector<CampaignJudge> judges{{"sam", "forum", "", {}}};
  auto r = SetCampaignEntries(*store_, kCli, sam_, "prize", nullptr, &judges);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("cannot judge"), std::string::npos);
  judges = {{"nobody", "x", "", {}}};
  EXPECT_FALSE(SetCampaignEntries(*store_, kCli, sam_, "prize", nullptr, &judges).ok());
  std::vector<CampaignApplication> apps{{"A 1", "acme", "KEN", "", {}}};
  EXPECT_FALSE(SetCampaignEntries(*store_, kCli, sam_, "prize", &apps, nullptr).ok());
  apps = {{"A1", "acme", "Kenya", "", {}}};
  EXPECT_FALSE(SetCampaignEntries(*store_, kCli, sam_, "prize", &apps, nullptr).ok());
  apps = {{"A1", "acme", "KEN", "", {}}, {"A1", "acme", "KEN", "", {}}};
  EXPECT_FALSE(SetCampaignEntries(*store_, kCli, sam_, "prize", &apps, nullptr).ok());
}

TEST_F(CampaignTest, SheetsAreSealedOnceAndRevisedWithAReason) {
  SetUpCampaign();
  EXPECT_EQ(Seal("j1", "A1").error().code, Errc::kConflict) << "not before scoring opens";
  ASSERT_TRUE(OpenScoring(*store_, kCli, sam_, "prize", std::string(64, 'r')).ok());
  EXPECT_EQ(SetAssignment(*store_, kCli, sam_, "prize", {}).error().code, Errc::kConflict) << "fixed once open";
  auto first = Seal("j1", "A1");
  ASSERT_TRUE(first.ok()) << first.error().Format();
  EXPECT_EQ(first->revision, 1);
  EXPECT_EQ(first->sha256.size(), 64u);
  auto c = store_->FindCampaign("prize");
  EXPECT_EQ(SheetHash(*c, *first), first->sha256);
  EXPECT_EQ(Seal("j1", "A1").error().code, Errc::kUsage) << "a change needs a reason";
  auto second = Seal("j1", "A1", "misread the rubric");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->revision, 2);
  EXPECT_EQ(Seal("j4", "A1").error().code, Errc::kForbidden) << "not assigned (declared a conflict)";
  EXPECT_EQ(Seal("j1", "A2").error().code, Errc::kForbidden) << "not assigned";
  // Each seal and revision is in the audit log with its hash; the revision with the one it replaces.
  std::vector<AuditEntry> entries;
  store_->AuditEntries(0, [&](const AuditEntry& e) { entries.push_back(e); });
  const auto& revise = entries.back();
  EXPECT_EQ(revise.action, "sheet.revise");
  EXPECT_EQ(revise.target, "campaign:prize/A1/j1");
  EXPECT_EQ(nlohmann::json::parse(revise.before)["sha256"], first->sha256);
  EXPECT_EQ(nlohmann::json::parse(revise.after)["reason"], "misread the rubric");
  EXPECT_TRUE(VerifyAudit(*store_).ok());
  EXPECT_EQ(CurrentSheets(store_->Sheets(c->id)).size(), 1u);
  EXPECT_EQ(CurrentSheets(store_->Sheets(c->id))[0].revision, 2);
}

TEST_F(CampaignTest, ASealedSheetCannotBeEditedInTheStore) {
  SetUpCampaign();
  ASSERT_TRUE(OpenScoring(*store_, kCli, sam_, "prize", std::string(64, 'r')).ok());
  ASSERT_TRUE(Seal("j1", "A1").ok());
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  for (const char* sql : {"UPDATE campaign_sheets SET scores='5,5,5,5'", "DELETE FROM campaign_sheets"}) {
    char* err = nullptr;
    EXPECT_NE(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << sql;
    EXPECT_NE(std::string(err ? err : "").find("append-only"), std::string::npos);
    sqlite3_free(err);
  }
  sqlite3_close(db);
}

TEST_F(CampaignTest, WhoSeesWhatAtEachStage) {
  SetUpCampaign();
  auto seat = [&](const Principal& p) { return SeatIn(*store_, p, "prize"); };
  // Set-up: the secretariat sees all; a judge all but those they are in conflict with (to declare
  // theirs); an applicant its own.
  EXPECT_EQ(Codes(VisibleApplications(*store_, *seat(sam_))), (std::vector<std::string>{"A1", "A2"}));
  auto j4 = *seat(judges_["j4"]);
  EXPECT_EQ(Codes(VisibleApplications(*store_, j4)), (std::vector<std::string>{"A1", "A2"}));
  j4.barred = {"A1"};
  EXPECT_EQ(Codes(VisibleApplications(*store_, j4)), std::vector<std::string>{"A2"});
  EXPECT_EQ(Codes(VisibleApplications(*store_, *seat(applicant_))), std::vector<std::string>{"A1"});
  EXPECT_EQ(seat(stranger_).error().code, Errc::kNotFound);
  ASSERT_TRUE(OpenScoring(*store_, kCli, sam_, "prize", std::string(64, 'r')).ok());
  for (const auto& [app, judge] : store_->Assignments(store_->FindCampaign("prize")->id)) {
    ASSERT_TRUE(Seal(judge, app).ok());
  }
  // Scoring: a judge sees their assigned applications only, and their own sheets, never another's.
  EXPECT_EQ(Codes(VisibleApplications(*store_, *seat(judges_["j4"]))), std::vector<std::string>{"A2"});
  for (const auto& s : VisibleSheets(*store_, *seat(judges_["j2"]))) EXPECT_EQ(s.judge, "j2");
  EXPECT_EQ(VisibleSheets(*store_, *seat(judges_["j2"])).size(), 2u);
  EXPECT_TRUE(VisibleSheets(*store_, *seat(applicant_)).empty());
  EXPECT_FALSE(MaySeeResult(*seat(sam_), "A1", true)) << "no results while scoring";
  EXPECT_EQ(PublishCampaign(*store_, kCli, sam_, "prize").error().code, Errc::kConflict);
  ASSERT_TRUE(CloseScoring(*store_, kCli, sam_, "prize", "{}").ok());
  // Panel: a judge sees every sheet of their assigned applications, none of the others.
  const auto j4_sheets = VisibleSheets(*store_, *seat(judges_["j4"]));
  EXPECT_EQ(j4_sheets.size(), 3u);
  for (const auto& s : j4_sheets) EXPECT_EQ(s.application, "A2");
  EXPECT_TRUE(MaySeeResult(*seat(judges_["j4"]), "A2", false));
  EXPECT_FALSE(MaySeeResult(*seat(judges_["j4"]), "A1", true));
  EXPECT_FALSE(MaySeeResult(*seat(applicant_), "A1", true)) << "applicants wait for publication";
  EXPECT_EQ(seat(stranger_).error().code, Errc::kNotFound);
  ASSERT_TRUE(PublishCampaign(*store_, kCli, sam_, "prize").ok());
  // Published: the applicant sees its own result, everyone the selected ones; sheets stay hidden.
  EXPECT_TRUE(MaySeeResult(*seat(applicant_), "A1", false));
  EXPECT_FALSE(MaySeeResult(*seat(applicant_), "A2", false));
  ASSERT_TRUE(seat(stranger_).ok());
  EXPECT_TRUE(MaySeeResult(*seat(stranger_), "A2", true));
  EXPECT_FALSE(MaySeeResult(*seat(stranger_), "A1", false));
  EXPECT_TRUE(VisibleSheets(*store_, *seat(stranger_)).empty());
  EXPECT_EQ(Codes(VisibleApplications(*store_, *seat(stranger_), {"A2"})), std::vector<std::string>{"A2"});
}

TEST_F(CampaignTest, AJudgeDeclaresConflictsInSetUpOnly) {
  SetUpCampaign();
  const auto id = store_->FindCampaign("prize")->id;
  const auto declared = [&](const std::string& login) {
    for (const auto& j : store_->Judges(id)) {
      if (j.login == login) return j.declared;
    }
    return std::vector<std::string>{"?"};
  };
  const auto before = store_->Assignments(id);
  // A declaration that no pair of the assignment meets keeps it.
  ASSERT_TRUE(DeclareConflicts(*store_, kCli, judges_["j1"], "prize", {"A2"}).ok());
  EXPECT_EQ(declared("j1"), std::vector<std::string>{"A2"});
  EXPECT_EQ(store_->Assignments(id), before);
  // One that does (j1 scores A1) drops the assignment, for the secretariat to assign again.
  ASSERT_TRUE(DeclareConflicts(*store_, kCli, judges_["j1"], "prize", {"A1", "A1"}).ok());
  EXPECT_EQ(declared("j1"), std::vector<std::string>{"A1"}) << "replaces, once each";
  EXPECT_TRUE(store_->Assignments(id).empty());
  EXPECT_EQ(declared("j4"), std::vector<std::string>{"A1"}) << "another judge's stays";
  AuditEntry last;
  store_->AuditEntries(0, [&](const AuditEntry& e) { last = e; });
  EXPECT_EQ(last.action, "judge.declare");
  EXPECT_EQ(last.target, "campaign:prize");
  EXPECT_NE(last.after.find("\"assignment_dropped\":true"), std::string::npos) << last.after;
  // Only a judge of it, only known applications, only in set-up; a refusal changes nothing.
  EXPECT_EQ(DeclareConflicts(*store_, kCli, sam_, "prize", {}).error().code, Errc::kForbidden);
  EXPECT_EQ(DeclareConflicts(*store_, kCli, stranger_, "prize", {}).error().code, Errc::kNotFound);
  EXPECT_EQ(DeclareConflicts(*store_, kCli, judges_["j2"], "prize", {"A9"}).error().code, Errc::kUsage);
  EXPECT_TRUE(declared("j2").empty());
  ASSERT_TRUE(SetAssignment(*store_, kCli, sam_, "prize",
                            {{"A1", "j2"}, {"A1", "j3"}, {"A1", "j4"}, {"A2", "j2"}, {"A2", "j3"}, {"A2", "j4"}})
                  .ok());
  ASSERT_TRUE(OpenScoring(*store_, kCli, sam_, "prize", std::string(64, 'r')).ok());
  EXPECT_EQ(DeclareConflicts(*store_, kCli, judges_["j2"], "prize", {"A1"}).error().code, Errc::kConflict);
  EXPECT_TRUE(declared("j2").empty());
}

TEST_F(CampaignTest, ScoringClosesOnlyWhenEverySheetIsSealed) {
  SetUpCampaign();
  EXPECT_EQ(OpenScoring(*store_, kCli, judges_["j1"], "prize", "h").error().code, Errc::kForbidden);
  ASSERT_TRUE(OpenScoring(*store_, kCli, sam_, "prize", std::string(64, 'r')).ok());
  ASSERT_TRUE(Seal("j1", "A1").ok());
  auto closed = CloseScoring(*store_, kCli, sam_, "prize", "{}");
  ASSERT_FALSE(closed.ok());
  EXPECT_NE(closed.error().message.find("5 assigned sheet(s)"), std::string::npos) << closed.error().message;
}

}  // namespace
}  // namespace gpsi::platform
