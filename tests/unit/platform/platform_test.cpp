// Unit tests of the member platform's rules: the role table, passwords, tokens and their
// authentication, organisation and account changes, and the audit log's hash chain.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "platform.hpp"
#include "test_util.hpp"

namespace gpsi::platform {
namespace {

using test::TempDir;

const Actor kAdmin{"cli:test", "", "cli@test"};

class PlatformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_ / "store.db";
    auto s = OpenSqliteStore(path_);
    ASSERT_TRUE(s.ok()) << s.error().Format();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    for (const char* c : {"USA", "CAN", "MEX"}) {
      Unit u;
      u.code = u.iso3 = c;
      u.name_en = c;
      store_->UpsertUnit(u);
    }
  }

  Organisation Member(const std::string& key, OrgKind kind = OrgKind::kGovernment) {
    Organisation o;
    o.key = key, o.name_en = "Member " + key, o.kind = kind, o.tier = -1;
    if (kind != OrgKind::kSecretariat) o.countries = {"USA"};
    return o;
  }

  Account Person(const std::string& login, const std::string& org, Role role) {
    Account a;
    a.login = login, a.org = org, a.role = role;
    return a;
  }

  //! A store with a secretariat, a member, a submitter and a token: six audit entries.
  void Populate() {
    ASSERT_TRUE(AddOrg(*store_, kAdmin, Member("forum", OrgKind::kSecretariat)).ok());
    ASSERT_TRUE(AddOrg(*store_, kAdmin, Member("us-fbi")).ok());
    ASSERT_TRUE(AddAccount(*store_, kAdmin, Person("alice", "us-fbi", Role::kMemberSubmitter), std::nullopt).ok());
    ASSERT_TRUE(AddAccount(*store_, kAdmin, Person("sam", "forum", Role::kSecretariat), std::nullopt).ok());
    auto t = IssueToken(*store_, kAdmin, "alice", {}, 30, "ci");
    ASSERT_TRUE(t.ok()) << t.error().Format();
    secret_ = t->secret;
    ASSERT_TRUE(ChangeOrg(*store_, kAdmin, "us-fbi", [](Organisation& o) -> Status {
                  o.countries.push_back("CAN");
                  return Ok();
                }).ok());
  }

  //! Runs `sql` on the store file through the SQLite API, as someone with the file would.
  void Tamper(const std::string& sql) {
    store_.reset();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "") << "\n" << sql;
    sqlite3_free(err);
    sqlite3_close(db);
    auto s = OpenSqliteStore(path_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  std::string secret_;
};

TEST(Roles, DutiesAreSeparated) {
  EXPECT_TRUE(Allows(Role::kMemberSubmitter, Permission::kSubmit));
  EXPECT_FALSE(Allows(Role::kMemberSubmitter, Permission::kApprove));
  EXPECT_TRUE(Allows(Role::kMemberApprover, Permission::kApprove));
  EXPECT_FALSE(Allows(Role::kMemberApprover, Permission::kSubmit));
  EXPECT_FALSE(Allows(Role::kAdmin, Permission::kPublish));
  EXPECT_FALSE(Allows(Role::kSecretariat, Permission::kSubmit));
  EXPECT_TRUE(Allows(Role::kSecretariat, Permission::kPublish));
  EXPECT_EQ(Permissions(Role::kReader), std::vector<std::string>{"read"});
  for (Role r : {Role::kAdmin, Role::kSecretariat, Role::kMemberSubmitter, Role::kMemberApprover, Role::kReader}) {
    EXPECT_TRUE(Allows(r, Permission::kRead)) << ToString(r);
    EXPECT_EQ(ParseRole(ToString(r)), r);
  }
  EXPECT_FALSE(RoleFits(Role::kAdmin, OrgKind::kGovernment));
  EXPECT_FALSE(RoleFits(Role::kMemberApprover, OrgKind::kSecretariat));
  EXPECT_TRUE(RoleFits(Role::kReader, OrgKind::kThinkTank));
  EXPECT_EQ(DefaultTier(OrgKind::kGovernment), 2);
  EXPECT_EQ(DefaultTier(OrgKind::kThinkTank), 3);
}

TEST(Passwords, Argon2idHashesVerifyAndRefuseShortOnes) {
  auto h = HashPassword("correct horse battery");
  ASSERT_TRUE(h.ok()) << h.error().Format();
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0U) << *h;
  EXPECT_TRUE(VerifyPassword(*h, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(*h, "correct horse batterY"));
  EXPECT_FALSE(VerifyPassword("", "correct horse battery"));
  auto again = HashPassword("correct horse battery");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *h) << "each hash has its own salt";
  EXPECT_EQ(HashPassword("short").error().code, Errc::kUsage);
  EXPECT_EQ(HashPassword(std::string(kMaxPassword + 1, 'x')).error().code, Errc::kUsage);
  EXPECT_EQ(HashPassword("valid length \xff\xfe bytes").error().code, Errc::kUsage);
}

TEST(Tokens, SecretsAreLongRandomAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string s = NewTokenSecret();
    EXPECT_EQ(s.size(), 5U + 43U) << s;  // "gpsi_" and 256 bits in base64url
    EXPECT_EQ(s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", 5),
              std::string::npos);
    EXPECT_TRUE(seen.insert(s).second);
  }
}

TEST_F(PlatformTest, TokenAuthenticatesUntilExpiredRevokedOrDisabled) {
  Populate();
  const std::string now = NowUtc();
  auto p = Authenticate(*store_, secret_, now);
  ASSERT_TRUE(p.ok()) << p.error().Format();
  EXPECT_EQ(p->account.login, "alice");
  EXPECT_EQ(p->org.key, "us-fbi");
  EXPECT_TRUE(p->Can(Permission::kSubmit));
  EXPECT_FALSE(p->Can(Permission::kApprove));
  // Only the hash is stored: the secret appears nowhere in the store.
  for (const auto& t : store_->Tokens()) EXPECT_EQ(t.sha256, TokenDigest(secret_));
  EXPECT_EQ(Authenticate(*store_, secret_ + "x", now).error().code, Errc::kUnauthorized);
  EXPECT_EQ(Authenticate(*store_, "", now).error().code, Errc::kUnauthorized);
  EXPECT_EQ(Authenticate(*store_, secret_, "2099-01-01T00:00:00Z").error().code, Errc::kUnauthorized);

  ASSERT_TRUE(ChangeAccount(
                  *store_, kAdmin, "alice",
                  [](Account& a) -> Status {
                    a.disabled = NowUtc();
                    return Ok();
                  },
                  std::nullopt)
                  .ok());
  EXPECT_EQ(Authenticate(*store_, secret_, now).error().code, Errc::kUnauthorized);
  ASSERT_TRUE(ChangeAccount(
                  *store_, kAdmin, "alice",
                  [](Account& a) -> Status {
                    a.disabled.clear();
                    return Ok();
                  },
                  std::nullopt)
                  .ok());
  EXPECT_TRUE(Authenticate(*store_, secret_, now).ok());
  ASSERT_TRUE(ChangeOrg(*store_, kAdmin, "us-fbi", [](Organisation& o) -> Status {
                o.disabled = NowUtc();
                return Ok();
              }).ok());
  EXPECT_EQ(Authenticate(*store_, secret_, now).error().code, Errc::kUnauthorized);
  ASSERT_TRUE(ChangeOrg(*store_, kAdmin, "us-fbi", [](Organisation& o) -> Status {
                o.disabled.clear();
                return Ok();
              }).ok());
  auto revoked = RevokeToken(*store_, kAdmin, secret_.substr(secret_.size() - 8));
  ASSERT_TRUE(revoked.ok()) << revoked.error().Format();
  EXPECT_EQ(Authenticate(*store_, secret_, now).error().code, Errc::kUnauthorized);
  EXPECT_EQ(RevokeToken(*store_, kAdmin, secret_.substr(secret_.size() - 8)).error().code, Errc::kConflict);
  EXPECT_EQ(RevokeToken(*store_, kAdmin, "nosuchok").error().code, Errc::kNotFound);
}

TEST_F(PlatformTest, ScopesNarrowTheRoleAndFollowItDown) {
  Populate();
  auto read_only = IssueToken(*store_, kAdmin, "alice", {"read"}, 1, "");
  ASSERT_TRUE(read_only.ok());
  auto p = Authenticate(*store_, read_only->secret, NowUtc());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->Can(Permission::kRead));
  EXPECT_FALSE(p->Can(Permission::kSubmit));
  // A submitter has no approve to give; an unknown scope is a usage error; nothing is stored.
  const auto before = store_->Tokens().size();
  EXPECT_EQ(IssueToken(*store_, kAdmin, "alice", {"approve"}, 1, "").error().code, Errc::kForbidden);
  EXPECT_EQ(IssueToken(*store_, kAdmin, "alice", {"everything"}, 1, "").error().code, Errc::kUsage);
  EXPECT_EQ(IssueToken(*store_, kAdmin, "alice", {}, 0, "").error().code, Errc::kUsage);
  EXPECT_EQ(IssueToken(*store_, kAdmin, "alice", {}, kMaxTokenDays + 1, "").error().code, Errc::kUsage);
  EXPECT_EQ(IssueToken(*store_, kAdmin, "nobody", {}, 1, "").error().code, Errc::kNotFound);
  EXPECT_EQ(store_->Tokens().size(), before);
  // Demoted to reader, the full token keeps only what the new role holds.
  ASSERT_TRUE(ChangeAccount(
                  *store_, kAdmin, "alice",
                  [](Account& a) -> Status {
                    a.role = Role::kReader;
                    return Ok();
                  },
                  std::nullopt)
                  .ok());
  auto demoted = Authenticate(*store_, secret_, NowUtc());
  ASSERT_TRUE(demoted.ok());
  EXPECT_FALSE(demoted->Can(Permission::kSubmit));
  EXPECT_TRUE(demoted->Can(Permission::kRead));
}

TEST_F(PlatformTest, OrganisationsAreCheckedAndTakeTheirKindsTier) {
  auto fbi = AddOrg(*store_, kAdmin, Member("us-fbi"));
  ASSERT_TRUE(fbi.ok()) << fbi.error().Format();
  EXPECT_EQ(fbi->tier, 2);
  auto tank = AddOrg(*store_, kAdmin, Member("tank", OrgKind::kThinkTank));
  ASSERT_TRUE(tank.ok());
  EXPECT_EQ(tank->tier, 3);
  EXPECT_EQ(AddOrg(*store_, kAdmin, Member("us-fbi")).error().code, Errc::kConflict);
  EXPECT_EQ(AddOrg(*store_, kAdmin, Member("Bad Key")).error().code, Errc::kUsage);
  Organisation unknown = Member("x1");
  unknown.countries = {"ATL"};
  EXPECT_EQ(AddOrg(*store_, kAdmin, unknown).error().code, Errc::kNotFound);
  Organisation forum = Member("forum", OrgKind::kSecretariat);
  forum.countries = {"USA"};
  EXPECT_EQ(AddOrg(*store_, kAdmin, forum).error().code, Errc::kUsage);
  Organisation agreed = Member("agreed");
  agreed.agreements = {{"CRIME", {"robbery", "homicide", "robbery"}}, {"ROAD", {"road_deaths"}}};
  auto a = AddOrg(*store_, kAdmin, agreed);
  ASSERT_TRUE(a.ok()) << a.error().Format();
  auto stored = store_->FindOrg("agreed");
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->agreements.size(), 2U);
  EXPECT_EQ(stored->agreements[0].indicators, (std::vector<std::string>{"homicide", "robbery"}));
  agreed.key = "agreed2";
  agreed.agreements = {{"CRIME", {}}};
  EXPECT_EQ(AddOrg(*store_, kAdmin, agreed).error().code, Errc::kUsage);
  agreed.agreements = {{"CR,IME", {"x"}}};
  EXPECT_EQ(AddOrg(*store_, kAdmin, agreed).error().code, Errc::kUsage);
  // A failed change leaves the stored organisation and the log as they were.
  const auto entries = store_->LastAudit()->seq;
  EXPECT_EQ(ChangeOrg(*store_, kAdmin, "us-fbi",
                      [](Organisation& o) -> Status {
                        o.countries = {"USA", "NOPE"};
                        return Ok();
                      })
                .error()
                .code,
            Errc::kNotFound);
  EXPECT_EQ(store_->FindOrg("us-fbi")->countries, std::vector<std::string>{"USA"});
  EXPECT_EQ(store_->LastAudit()->seq, entries);
}

TEST_F(PlatformTest, AccountsFitTheirOrganisationAndKeepOnlyAHash) {
  Populate();
  EXPECT_EQ(AddAccount(*store_, kAdmin, Person("root", "us-fbi", Role::kAdmin), std::nullopt).error().code,
            Errc::kUsage);
  EXPECT_EQ(AddAccount(*store_, kAdmin, Person("alice", "us-fbi", Role::kReader), std::nullopt).error().code,
            Errc::kConflict);
  EXPECT_EQ(AddAccount(*store_, kAdmin, Person("bob", "nowhere", Role::kReader), std::nullopt).error().code,
            Errc::kNotFound);
  EXPECT_EQ(AddAccount(*store_, kAdmin, Person("bob", "us-fbi", Role::kReader), std::string("short")).error().code,
            Errc::kUsage);
  auto bob = AddAccount(*store_, kAdmin, Person("bob", "us-fbi", Role::kMemberApprover),
                        std::string("a long enough passphrase"));
  ASSERT_TRUE(bob.ok()) << bob.error().Format();
  const auto stored = store_->FindAccount("bob");
  ASSERT_TRUE(stored);
  EXPECT_TRUE(VerifyPassword(stored->password, "a long enough passphrase"));
  EXPECT_EQ(stored->password.find("passphrase"), std::string::npos);
  // The audit log says a password was set, never what it or its hash is.
  const auto last = store_->LastAudit();
  EXPECT_EQ(last->action, "user.create");
  EXPECT_EQ(last->after.find(stored->password), std::string::npos);
  EXPECT_NE(last->after.find("\"password\":\"set\""), std::string::npos) << last->after;
}

TEST_F(PlatformTest, EveryChangeIsLoggedWithItsPreviousState) {
  Populate();
  std::vector<AuditEntry> log;
  store_->AuditEntries(0, [&](const AuditEntry& e) { log.push_back(e); });
  ASSERT_EQ(log.size(), 6U);
  EXPECT_EQ(log[0].action, "org.create");
  EXPECT_EQ(log[4].action, "token.create");
  EXPECT_EQ(log[4].after.find(secret_), std::string::npos);
  EXPECT_EQ(log[5].action, "org.update");
  EXPECT_NE(log[5].before.find("[\"USA\"]"), std::string::npos) << log[5].before;
  EXPECT_NE(log[5].after.find("[\"CAN\",\"USA\"]"), std::string::npos) << log[5].after;
  EXPECT_EQ(log[0].prev_hash, kAuditGenesis);
  for (std::size_t i = 1; i < log.size(); ++i) EXPECT_EQ(log[i].prev_hash, log[i - 1].hash);
  auto check = VerifyAudit(*store_);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->problem;
  EXPECT_EQ(check->entries, 6);
  EXPECT_EQ(check->head_hash, log.back().hash);
}

TEST_F(PlatformTest, SqlCannotUpdateOrDeleteTheLog) {
  Populate();
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE audit_log SET actor='x' WHERE seq=1", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM audit_log WHERE seq=6", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

//! One tampering of the log, as data: tests/unit/platform/tamper/<case>.sql starts with
//! "-- expect: <first bad seq>: <words of the problem>" and may set "-- head: <seq>" to verify
//! against the head the untouched log had at that entry.
struct TamperCase {
  std::string name, sql, problem;
  std::int64_t bad_seq = 0, head = 0;
};

std::vector<TamperCase> TamperCases() {
  std::vector<TamperCase> out;
  for (const auto& f : std::filesystem::directory_iterator(std::string(GPSI_TESTS_DIR) + "/unit/platform/tamper")) {
    std::ifstream in(f.path());
    std::stringstream text;
    text << in.rdbuf();
    TamperCase c;
    c.name = f.path().stem().string(), c.sql = text.str();
    std::string line;
    std::istringstream lines(c.sql);
    while (std::getline(lines, line)) {
      if (line.rfind("-- expect: ", 0) == 0) {
        c.bad_seq = std::stoll(line.substr(11));
        c.problem = line.substr(line.find(':', 11) + 2);
      } else if (line.rfind("-- head: ", 0) == 0) {
        c.head = std::stoll(line.substr(9));
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

TEST_F(PlatformTest, TamperingIsFoundWhereItHappened) {
  const auto cases = TamperCases();
  ASSERT_GE(cases.size(), 6U);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    store_.reset();
    std::filesystem::remove_all(dir_.path());
    std::filesystem::create_directories(dir_.path());
    SetUp();
    Populate();
    std::string head;
    store_->AuditEntries(c.head, [&](const AuditEntry& e) {
      if (head.empty()) head = std::to_string(e.seq) + ":" + e.hash;
    });
    Tamper(c.sql);
    auto check = VerifyAudit(*store_, c.head ? head : "");
    ASSERT_TRUE(check.ok()) << check.error().Format();
    EXPECT_FALSE(check->ok);
    EXPECT_EQ(check->bad_seq, c.bad_seq) << check->problem;
    EXPECT_NE(check->problem.find(c.problem), std::string::npos) << check->problem;
  }
}

TEST_F(PlatformTest, ExpectedHeadIsCheckedAndMustBeWellFormed) {
  Populate();
  std::string head3;
  store_->AuditEntries(3, [&](const AuditEntry& e) {
    if (e.seq == 3) head3 = "3:" + e.hash;
  });
  auto ok = VerifyAudit(*store_, head3);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->ok) << ok->problem;
  for (const char* bad : {"3", "x:abc",
                          "0:"
                          "0000000000000000000000000000000000000000000000000000000000000000",
                          "3:ab"}) {
    EXPECT_EQ(VerifyAudit(*store_, bad).error().code, Errc::kUsage) << bad;
  }
}

}  // namespace
}  // namespace gpsi::platform
