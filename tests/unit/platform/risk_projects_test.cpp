// Unit tests of the platform's rules for project risk sheets: who may have a project assessed, who
// reads a kept sheet, revisions and their audit entries.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "platform.hpp"
#include "test_util.hpp"

namespace gpsi::platform {
namespace {

using test::TempDir;

const Actor kCli{"cli:test", "", "cli@test"};

class RiskProjectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_ / "store.db");
    ASSERT_TRUE(s.ok()) << s.error().Format();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    Unit u;
    u.code = u.iso3 = "KEN", u.name_en = "Kenya";
    store_->UpsertUnit(u);
    AddOrgOf("forum", OrgKind::kSecretariat);
    AddOrgOf("cn-roads", OrgKind::kEnterprise);
    AddOrgOf("cn-power", OrgKind::kEnterprise);
    AddOrgOf("ke-police", OrgKind::kGovernment);
    for (auto [login, org, role] : {std::tuple{"li", "cn-roads", Role::kMemberSubmitter},
                                    {"zhou", "cn-roads", Role::kReader},
                                    {"chen", "cn-power", Role::kMemberSubmitter},
                                    {"sam", "forum", Role::kSecretariat},
                                    {"root", "forum", Role::kAdmin},
                                    {"otieno", "ke-police", Role::kMemberSubmitter}}) {
      Account a;
      a.login = login, a.org = org, a.role = role;
      auto added = AddAccount(*store_, kCli, a, std::nullopt);
      ASSERT_TRUE(added.ok()) << added.error().Format();
    }
  }

  void AddOrgOf(const std::string& key, OrgKind kind) {
    Organisation o;
    o.key = key, o.name_en = key, o.kind = kind, o.tier = -1;
    if (kind == OrgKind::kGovernment) o.countries = {"KEN"};
    auto added = AddOrg(*store_, kCli, o);
    ASSERT_TRUE(added.ok()) << added.error().Format();
  }

  //! The principal of `login`, with its role's whole set of permissions.
  Principal Who(const std::string& login) {
    Principal p;
    p.account = *store_->FindAccount(login);
    p.org = *store_->FindOrg(p.account.org);
    for (std::string_view name : Permissions(p.account.role)) p.permissions.push_back(*ParsePermission(name));
    return p;
  }

  RiskProjectRecord Sheet(const std::string& enterprise, const std::string& project) {
    RiskProjectRecord r;
    r.org = enterprise, r.project = project, r.country = "KEN", r.sheet = "{\"project\": \"" + project + "\"}";
    return r;
  }

  Actor ActorOf(const std::string& login) { return Actor{login, Who(login).org.key, "127.0.0.1"}; }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST(EnterpriseKind, ItSharesNoDataSoApprovesNone) {
  EXPECT_EQ(ParseOrgKind("enterprise"), OrgKind::kEnterprise);
  EXPECT_EQ(ToString(OrgKind::kEnterprise), "enterprise");
  EXPECT_TRUE(RoleFits(Role::kMemberSubmitter, OrgKind::kEnterprise));
  EXPECT_TRUE(RoleFits(Role::kReader, OrgKind::kEnterprise));
  EXPECT_FALSE(RoleFits(Role::kMemberApprover, OrgKind::kEnterprise));
  EXPECT_FALSE(RoleFits(Role::kSecretariat, OrgKind::kEnterprise));
  EXPECT_TRUE(RoleFits(Role::kMemberApprover, OrgKind::kGovernment));
  EXPECT_EQ(DefaultTier(OrgKind::kEnterprise), 0);
}

TEST_F(RiskProjectsTest, AnEnterpriseHasNoCountriesOrAgreements) {
  Organisation o;
  o.key = "cn-mines", o.name_en = "Mines", o.kind = OrgKind::kEnterprise, o.tier = -1, o.countries = {"KEN"};
  auto added = AddOrg(*store_, kCli, o);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, Errc::kUsage);
  EXPECT_NE(added.error().message.find("an enterprise reports no data"), std::string::npos);
  o.countries.clear();
  added = AddOrg(*store_, kCli, o);
  ASSERT_TRUE(added.ok()) << added.error().Format();
  EXPECT_EQ(added->tier, 0);
}

TEST_F(RiskProjectsTest, OnlyTheEnterprisesSubmitterHasItsProjectsAssessed) {
  EXPECT_TRUE(MayAssessProject(Who("li"), "cn-roads").ok());
  for (auto [login, enterprise] : {std::pair{"li", "cn-power"},  // another enterprise's project
                                   {"zhou", "cn-roads"},         // a reader
                                   {"sam", "cn-roads"},          // the secretariat
                                   {"otieno", "cn-roads"}}) {    // a member that shares data
    const Status st = MayAssessProject(Who(login), enterprise);
    ASSERT_FALSE(st.ok()) << login;
    EXPECT_EQ(st.error().code, Errc::kForbidden) << login;
  }
  auto kept = KeepRiskProject(*store_, ActorOf("chen"), Who("chen"), Sheet("cn-roads", "ke-road"));
  ASSERT_FALSE(kept.ok());
  EXPECT_EQ(kept.error().code, Errc::kForbidden);
  EXPECT_TRUE(store_->RiskProjects().empty()) << "a refusal keeps nothing";
}

TEST_F(RiskProjectsTest, AReassessmentIsTheNextRevisionAndEachIsAudited) {
  const auto before = store_->LastAudit();
  auto first = KeepRiskProject(*store_, ActorOf("li"), Who("li"), Sheet("cn-roads", "ke-road"));
  ASSERT_TRUE(first.ok()) << first.error().Format();
  EXPECT_EQ(first->revision, 1);
  EXPECT_EQ(first->created_by, "li");
  EXPECT_EQ(first->sha256, Sha256Hex(first->sheet));
  auto other = KeepRiskProject(*store_, ActorOf("li"), Who("li"), Sheet("cn-roads", "ke-port"));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->revision, 1) << "revisions count per project";
  auto second = KeepRiskProject(*store_, ActorOf("li"), Who("li"), Sheet("cn-roads", "ke-road"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->revision, 2);
  const auto last = store_->LastAudit();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->seq, before->seq + 3);
  EXPECT_EQ(last->action, "risk-project.assess");
  EXPECT_EQ(last->target, "risk-project:cn-roads/ke-road");
  EXPECT_EQ(last->actor, "li");
  const auto after = nlohmann::json::parse(last->after);
  EXPECT_EQ(after["revision"], 2);
  EXPECT_EQ(after["sha256"], second->sha256);
  EXPECT_TRUE(VerifyAudit(*store_).ok());
}

TEST_F(RiskProjectsTest, AnEnterpriseSeesItsOwnAndTheSecretariatEveryOne) {
  ASSERT_TRUE(KeepRiskProject(*store_, ActorOf("li"), Who("li"), Sheet("cn-roads", "ke-road")).ok());
  ASSERT_TRUE(KeepRiskProject(*store_, ActorOf("li"), Who("li"), Sheet("cn-roads", "ke-road")).ok());
  auto power = KeepRiskProject(*store_, ActorOf("chen"), Who("chen"), Sheet("cn-power", "ke-grid"));
  ASSERT_TRUE(power.ok());
  const auto roads = VisibleRiskProjects(*store_, Who("zhou"));
  ASSERT_EQ(roads.size(), 1u) << "the newest revision of each project";
  EXPECT_EQ(roads[0].project, "ke-road");
  EXPECT_EQ(roads[0].revision, 2);
  const auto all = VisibleRiskProjects(*store_, Who("sam"));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].project, "ke-grid") << "newest first";
  for (const char* nobody : {"otieno", "root"}) EXPECT_TRUE(VisibleRiskProjects(*store_, Who(nobody)).empty());
  EXPECT_TRUE(FindRiskProject(*store_, Who("chen"), power->id).ok());
  EXPECT_TRUE(FindRiskProject(*store_, Who("sam"), power->id).ok());
  for (const char* other : {"li", "zhou", "otieno", "root"}) {
    auto r = FindRiskProject(*store_, Who(other), power->id);
    ASSERT_FALSE(r.ok()) << other;
    EXPECT_EQ(r.error().code, Errc::kNotFound) << other << ": never forbidden, so an id says nothing";
  }
  EXPECT_EQ(FindRiskProject(*store_, Who("sam"), 999).error().code, Errc::kNotFound);
}

}  // namespace
}  // namespace gpsi::platform
