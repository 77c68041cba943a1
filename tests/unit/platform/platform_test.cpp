// Unit tests of the member platform's rules: the role table, passwords, tokens and their
// authentication, organisation and account changes, and the audit log's hash chain.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

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

//! Gives `login` the password `password` (a test's: long enough for the rule).
void SetPassword(Store& store, const std::string& login, const std::string& password) {
  ASSERT_TRUE(ChangeAccount(
                  store, kAdmin, login, [](Account&) { return Ok(); }, password)
                  .ok());
}

//! The actions of the audit log, in order.
std::vector<std::string> AuditActions(Store& store) {
  std::vector<std::string> out;
  store.AuditEntries(1, [&](const AuditEntry& e) { out.push_back(e.action + " " + e.target); });
  return out;
}

TEST(Uploads, ReleasesOfOneProcessAreDistinctAndIncreasing) {
  // Fifty submitters of one server may upload in the same microsecond: each gets its own release.
  std::vector<std::string> seen;
  std::vector<std::thread> threads;
  std::mutex mu;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto r = UploadRelease();
        std::lock_guard lock(mu);
        seen.push_back(std::move(r));
      }
    });
  }
  for (auto& t : threads) t.join();
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "a release was given twice";
  EXPECT_EQ(seen.front().size(), std::string("2026-12-05T18:33:01.123456Z").size()) << seen.front();
}

TEST_F(PlatformTest, ALoginOpensASessionWithTheWholeRoleUntilItEnds) {
  Populate();
  SetPassword(*store_, "alice", "a long enough secret");
  const std::time_t now = std::time(nullptr);
  auto s = Login(*store_, "10.0.0.7", "alice", "a long enough secret", now);
  ASSERT_TRUE(s.ok()) << s.error().Format();
  EXPECT_EQ(s->secret.rfind(kSessionPrefix, 0), 0U) << s->secret;
  EXPECT_EQ(s->secret.size(), kSessionPrefix.size() + 43);
  EXPECT_EQ(s->record.expires, UtcAt(now + kSessionIdleMinutes * 60));
  EXPECT_EQ(s->csrf, CsrfToken(s->secret));
  EXPECT_EQ(s->csrf.size(), 64U);
  // Only the hash is stored, as for tokens.
  EXPECT_EQ(store_->FindSessionBySha(TokenDigest(s->secret))->login, "alice");
  EXPECT_FALSE(store_->FindSessionBySha(s->secret));

  auto p = Authenticate(*store_, s->secret, UtcAt(now + 60));
  ASSERT_TRUE(p.ok()) << p.error().Format();
  EXPECT_EQ(p->account.login, "alice");
  EXPECT_TRUE(p->Can(Permission::kSubmit));
  EXPECT_TRUE(p->Can(Permission::kRead));
  EXPECT_FALSE(p->Can(Permission::kApprove));
  EXPECT_EQ(Authenticate(*store_, s->secret, p->expires).error().code, Errc::kUnauthorized) << "expired";
  s = Login(*store_, "10.0.0.7", "alice", "a long enough secret", now);
  ASSERT_TRUE(s.ok());

  auto other = Login(*store_, "10.0.0.7", "alice", "a long enough secret", now);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->secret, s->secret);
  EXPECT_NE(other->csrf, s->csrf) << "each session has its own CSRF token";

  ASSERT_TRUE(Logout(*store_, "10.0.0.7", s->secret, now + 120).ok());
  EXPECT_EQ(Authenticate(*store_, s->secret, UtcAt(now + 180)).error().code, Errc::kUnauthorized);
  EXPECT_EQ(Logout(*store_, "10.0.0.7", s->secret, now + 180).error().code, Errc::kUnauthorized);
  EXPECT_TRUE(Authenticate(*store_, other->secret, UtcAt(now + 180)).ok()) << "the other session lives on";
  // A new password ends every session of the account (ASVS 7.4.3); so does disabling it, for good.
  SetPassword(*store_, "alice", "another long secret");
  EXPECT_EQ(Authenticate(*store_, other->secret, UtcAt(now + 180)).error().code, Errc::kUnauthorized);
  auto third = Login(*store_, "10.0.0.7", "alice", "another long secret", now);
  ASSERT_TRUE(third.ok());
  for (bool disable : {true, false}) {
    ASSERT_TRUE(ChangeAccount(
                    *store_, kAdmin, "alice",
                    [disable](Account& a) {
                      a.disabled = disable ? NowUtc() : "";
                      return Ok();
                    },
                    std::nullopt)
                    .ok());
  }
  EXPECT_EQ(Authenticate(*store_, third->secret, UtcAt(now + 180)).error().code, Errc::kUnauthorized)
      << "enabled again, its old sessions stay ended";
  const auto actions = AuditActions(*store_);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "session.create user:alice"), 4);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "session.end user:alice"), 1);
  auto audit = VerifyAudit(*store_);
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->ok);
}

TEST_F(PlatformTest, ASessionEndsUnusedAfterItsIdleTimeAndUsedAfterItsHours) {
  Populate();
  SetPassword(*store_, "alice", "a long enough secret");
  const std::time_t t0 = std::time(nullptr);
  auto idle = Login(*store_, "10.0.0.7", "alice", "a long enough secret", t0);
  ASSERT_TRUE(idle.ok());
  auto used = Login(*store_, "10.0.0.7", "alice", "a long enough secret", t0);
  ASSERT_TRUE(used.ok());
  // Used every 20 minutes, a session lives on (each use moves its end, and stores it)...
  std::time_t t = t0;
  for (; t + 20 * 60 < t0 + kSessionHours * 3600; t += 20 * 60) {
    auto p = Authenticate(*store_, used->secret, UtcAt(t + 20 * 60));
    ASSERT_TRUE(p.ok()) << "used at " << UtcAt(t + 20 * 60);
    EXPECT_EQ(p->expires,
              UtcAt(std::min<std::time_t>(t + 20 * 60 + kSessionIdleMinutes * 60, t0 + kSessionHours * 3600)));
    EXPECT_EQ(store_->FindSessionBySha(TokenDigest(used->secret))->expires, p->expires);
  }
  // ... up to its absolute end, used or not (ASVS 7.3.2).
  EXPECT_EQ(Authenticate(*store_, used->secret, UtcAt(t0 + kSessionHours * 3600)).error().code, Errc::kUnauthorized);
  // Unused for kSessionIdleMinutes, one ends (ASVS 7.3.1), even within its hours.
  EXPECT_TRUE(Authenticate(*store_, idle->secret, UtcAt(t0 + kSessionIdleMinutes * 60 - 1)).ok());
  EXPECT_EQ(Authenticate(*store_, idle->secret, UtcAt(t0 + 2 * kSessionIdleMinutes * 60)).error().code,
            Errc::kUnauthorized);
  // Uses within a minute of each other write nothing.
  auto again = Login(*store_, "10.0.0.7", "alice", "a long enough secret", t0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Authenticate(*store_, again->secret, UtcAt(t0 + 30))->expires, again->record.expires);
  EXPECT_EQ(store_->FindSessionBySha(TokenDigest(again->secret))->expires, again->record.expires);
}

//! `login` of organisation `org` in `role`, with the role's whole permissions (as a session).
Principal Holder(const std::string& login, std::int64_t org, Role role) {
  Principal p;
  p.account.login = login, p.account.role = role, p.org.id = org;
  for (const auto& name : Permissions(role)) p.permissions.push_back(*ParsePermission(name));
  return p;
}

TEST(SubmissionActions, EachHolderIsOfferedTheStepsTheRulesLetItTakeNow) {
  using S = SubmissionState;
  Submission s;
  s.id = 1, s.org_id = 2, s.submitter = "alice";
  const Principal alice = Holder("alice", 2, Role::kMemberSubmitter), bob = Holder("bob", 2, Role::kMemberApprover),
                  carol = Holder("carol", 3, Role::kMemberApprover), sam = Holder("sam", 1, Role::kSecretariat),
                  rita = Holder("rita", 2, Role::kReader);
  auto names = [&](const Principal& who, S state) {
    s.state = state;
    std::string out;
    for (auto a : Actions(who, s)) out += (out.empty() ? "" : " ") + std::string(ToString(a));
    return out + (Awaits(who, s) ? " (awaits)" : "");
  };
  EXPECT_EQ(names(alice, S::kDraft), "submit (awaits)");
  EXPECT_EQ(names(alice, S::kSubmitted), "return");
  EXPECT_EQ(names(alice, S::kValidated), "return") << "her approver's turn";
  EXPECT_EQ(names(alice, S::kReturned), "revise (awaits)");
  EXPECT_EQ(names(bob, S::kValidated), "approve return (awaits)");
  EXPECT_EQ(names(bob, S::kDraft), "");
  EXPECT_EQ(names(carol, S::kValidated), "") << "another member's";
  EXPECT_EQ(names(sam, S::kValidated), "") << "a member's step";
  EXPECT_EQ(names(sam, S::kApproved), "accept return (awaits)");
  EXPECT_EQ(names(sam, S::kAccepted), "publish return (awaits)");
  EXPECT_EQ(names(sam, S::kPublished), "");
  for (S state : {S::kDraft, S::kValidated, S::kApproved, S::kPublished}) EXPECT_EQ(names(rita, state), "");
  // The approver may not approve what it submitted, whatever its role allows.
  s.submitter = "bob";
  EXPECT_EQ(names(bob, S::kValidated), "return");
}

TEST_F(PlatformTest, WrongPasswordsLockTheAccountForAWhile) {
  Populate();
  SetPassword(*store_, "alice", "a long enough secret");
  const std::time_t now = std::time(nullptr);
  for (int i = 1; i < kMaxFailedLogins; ++i) {
    auto s = Login(*store_, "10.0.0.9", "alice", "a wrong guess " + std::to_string(i), now + i);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::kUnauthorized);
    EXPECT_EQ(store_->FindAccount("alice")->failed_logins, i);
  }
  // A success resets the count; so the next kMaxFailedLogins wrong ones in a row lock it.
  ASSERT_TRUE(Login(*store_, "10.0.0.9", "alice", "a long enough secret", now + 10).ok());
  EXPECT_EQ(store_->FindAccount("alice")->failed_logins, 0);
  for (int i = 0; i < kMaxFailedLogins; ++i) {
    ASSERT_FALSE(Login(*store_, "10.0.0.9", "alice", "another wrong guess", now + 20).ok());
  }
  const std::time_t locked_at = now + 20;
  EXPECT_EQ(store_->FindAccount("alice")->locked_until, UtcAt(locked_at + kLockoutMinutes * 60));
  // Locked: even the right password is refused, with the same message as a wrong one.
  auto locked = Login(*store_, "10.0.0.9", "alice", "a long enough secret", locked_at + 60);
  ASSERT_FALSE(locked.ok());
  auto wrong = Login(*store_, "10.0.0.9", "nobody", "a long enough secret", locked_at + 60);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(locked.error().message, wrong.error().message);
  EXPECT_EQ(locked.error().code, Errc::kUnauthorized);
  // Once the lock has passed, the right password opens a session again.
  auto after = Login(*store_, "10.0.0.9", "alice", "a long enough secret", locked_at + kLockoutMinutes * 60);
  ASSERT_TRUE(after.ok()) << after.error().Format();
  EXPECT_TRUE(store_->FindAccount("alice")->locked_until.empty());

  // Each attempt is in the audit log with its reason, and the chain holds.
  std::vector<std::string> reasons;
  store_->AuditEntries(1, [&](const AuditEntry& e) {
    if (e.action == "session.refused") reasons.push_back(nlohmann::json::parse(e.after)["reason"]);
  });
  EXPECT_EQ(std::count(reasons.begin(), reasons.end(), "password"), 2 * kMaxFailedLogins - 1);
  EXPECT_EQ(std::count(reasons.begin(), reasons.end(), "locked"), 1);
  EXPECT_EQ(std::count(reasons.begin(), reasons.end(), "unknown"), 1);
  EXPECT_TRUE(VerifyAudit(*store_)->ok);
}

TEST_F(PlatformTest, AccountsThatMayNotLogInAreRefusedAlike) {
  Populate();
  const std::time_t now = std::time(nullptr);
  // sam has no password: refused, as an unknown login and a disabled account are.
  auto no_password = Login(*store_, "x", "sam", "a long enough secret", now);
  ASSERT_FALSE(no_password.ok());
  SetPassword(*store_, "alice", "a long enough secret");
  ASSERT_TRUE(ChangeAccount(
                  *store_, kAdmin, "alice",
                  [](Account& a) {
                    a.disabled = NowUtc();
                    return Ok();
                  },
                  std::nullopt)
                  .ok());
  auto disabled = Login(*store_, "x", "alice", "a long enough secret", now);
  ASSERT_FALSE(disabled.ok());
  auto huge = Login(*store_, "x", std::string(5000, 'a'), "a long enough secret", now);
  ASSERT_FALSE(huge.ok());
  for (const auto* r : {&no_password, &disabled, &huge}) {
    EXPECT_EQ(r->error().code, Errc::kUnauthorized);
    EXPECT_EQ(r->error().message, no_password.error().message);
  }
  EXPECT_EQ(store_->FindAccount("alice")->failed_logins, 0) << "a disabled account counts no guesses";
  EXPECT_TRUE(VerifyAudit(*store_)->ok);
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
  Organisation garbled = Member("garbled");
  garbled.name_zh = "\xe7\xbe";  // a cut UTF-8 sequence: never stored, never put into the audit log's JSON
  EXPECT_EQ(AddOrg(*store_, kAdmin, garbled).error().code, Errc::kUsage);
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
  Account garbled = Person("eve", "us-fbi", Role::kReader);
  garbled.name = "\xff";
  EXPECT_EQ(AddAccount(*store_, kAdmin, garbled, std::nullopt).error().code, Errc::kUsage);
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

namespace gpsi::platform {
namespace {

//! A member with a submitter and an approver, a second member, and the secretariat; one uploaded
//! file of two rows stored as a draft submission (as engine::Upload stores it).
//! The rows of a flags case's CSV file after its header.
std::vector<std::vector<std::string>> CaseRows(const std::filesystem::path& file) {
  auto rows = test::Csv(test::ReadFile(file.string()));
  if (!rows.empty()) rows.erase(rows.begin());
  return rows;
}

std::vector<ObservationRow> CaseObservations(const std::filesystem::path& file) {
  std::vector<ObservationRow> out;
  for (const auto& r : CaseRows(file)) {
    ObservationRow o;
    o.unit = r.at(0), o.indicator = r.at(1), o.year = std::stoi(r.at(2)), o.value = std::stod(r.at(3));
    if (r.size() > 4) o.tier = std::stoi(r.at(4));
    out.push_back(o);
  }
  return out;
}

//! Validation flags as data: tests/unit/platform/flags/<case>/ holds stored.csv (the index's
//! observations, unit,indicator,year,value,tier, in priority order), submitted.csv (the member's
//! rows) and expected.csv (unit,indicator,year,kind,reference,score, in FlagValues' order).
TEST(Flags, EachCaseFlagsWhatItExpects) {
  int cases = 0;
  for (const auto& dir : std::filesystem::directory_iterator(std::string(GPSI_TESTS_DIR) + "/unit/platform/flags")) {
    SCOPED_TRACE(dir.path().filename().string());
    ++cases;
    std::vector<TieredValue> stored;
    for (const auto& o : CaseObservations(dir.path() / "stored.csv")) {
      stored.push_back({o.unit, o.indicator, o.year, o.value, o.tier});
    }
    const auto flags = FlagValues(CaseObservations(dir.path() / "submitted.csv"), stored);
    const auto expected = CaseRows(dir.path() / "expected.csv");
    ASSERT_EQ(flags.size(), expected.size());
    for (std::size_t i = 0; i < flags.size(); ++i) {
      const auto& f = flags[i];
      const auto& e = expected[i];
      EXPECT_EQ(f.unit + "," + f.indicator + "," + std::to_string(f.year) + "," + std::string(ToString(f.kind)),
                e[0] + "," + e[1] + "," + e[2] + "," + e[3]);
      EXPECT_NEAR(f.reference, std::stod(e[4]), 1e-8 * std::abs(std::stod(e[4])) + 1e-12);
      const double score = std::stod(e[5]);
      if (std::isinf(score)) {
        EXPECT_EQ(f.score, score);
      } else {
        EXPECT_NEAR(f.score, score, 1e-8 * std::abs(score));
      }
    }
  }
  EXPECT_GE(cases, 8);
}

TEST(Flags, ThresholdsAreTheRules) {
  std::vector<TieredValue> stored;
  for (int y = 2010; y < 2018; ++y) stored.push_back({"USA", "homicide_rate", y, 5.0 + 0.1 * (y % 3), 1});
  ObservationRow row;
  row.unit = "USA", row.indicator = "homicide_rate", row.year = 2017, row.value = 5.3;  // 5.1 at tier 1: 3.9 % off
  EXPECT_TRUE(FlagValues({row}, stored).empty());
  const auto strict = FlagValues({row}, stored, FlagRules{3.0, 5, 0.01});
  ASSERT_EQ(strict.size(), 1U);
  EXPECT_EQ(strict[0].kind, FlagKind::kUnDifference);
  EXPECT_TRUE(FlagValues({row}, stored, FlagRules{3.0, 50, 0.10}).empty()) << "too short a history for 50";
}

class ReviewTest : public PlatformTest {
 protected:
  void SetUp() override {
    PlatformTest::SetUp();
    Organisation fbi = Member("us-fbi");
    fbi.agreements = {{"CRIME", {"homicide_rate"}}};
    Organisation rcmp = Member("ca-rcmp");
    rcmp.countries = {"CAN"};
    rcmp.agreements = {{"CRIME", {"homicide_rate"}}};
    ASSERT_TRUE(AddOrg(*store_, kAdmin, Member("forum", OrgKind::kSecretariat)).ok());
    ASSERT_TRUE(AddOrg(*store_, kAdmin, fbi).ok());
    ASSERT_TRUE(AddOrg(*store_, kAdmin, rcmp).ok());
    for (auto [login, org, role] :
         {std::tuple{"alice", "us-fbi", Role::kMemberSubmitter}, std::tuple{"bob", "us-fbi", Role::kMemberApprover},
          std::tuple{"carol", "ca-rcmp", Role::kMemberApprover}, std::tuple{"sam", "forum", Role::kSecretariat},
          std::tuple{"root", "forum", Role::kAdmin}}) {
      ASSERT_TRUE(AddAccount(*store_, kAdmin, Person(login, org, role), std::nullopt).ok());
      auto t = IssueToken(*store_, kAdmin, login, {}, 1, "");
      ASSERT_TRUE(t.ok());
      auto p = Authenticate(*store_, t->secret, NowUtc());
      ASSERT_TRUE(p.ok());
      who_.emplace(login, *p);
    }
    id_ = Upload({{"USA", 2019, 5.0}, {"USA", 2018, 5.1}});
  }

  //! Stores rows as an upload of alice's would and records the submission; its id.
  std::int64_t Upload(const std::vector<std::tuple<std::string, int, double>>& rows, bool quarantine = false) {
    Transaction tx(*store_);
    const auto& alice = who_.at("alice");
    const auto source = store_->UpsertSource(UploadSource(alice, "CRIME", "r" + std::to_string(++uploads_)));
    FileRecord f;
    f.path = "upload.csv", f.sha256 = std::to_string(uploads_), f.source_id = source, f.ingested_at = NowUtc();
    f.id = store_->InsertFile(f);
    store_->EnsureIndicator("homicide_rate");
    std::int64_t line = 1;
    for (const auto& [unit, year, value] : rows) {
      Observation o;
      o.unit = unit, o.indicator = "homicide_rate", o.year = year, o.value = value, o.line = ++line;
      store_->InsertObservation(o, source, f.id, nullptr);
    }
    if (quarantine) store_->InsertQuarantine(f.id, QuarantineRow{9, 4, "USA,2017,x", "non-numeric", "x"});
    FileReport report;
    report.path = "upload.csv";
    Submission s = RecordUpload(*store_, Actor{"alice", "us-fbi", "test"}, alice, "CRIME", "note", f, report);
    tx.Commit();
    return s.id;
  }

  Result<Submission> Do(const std::string& login, SubmissionAction a, std::int64_t id = 0, std::string reason = "",
                        std::string embargo = "") {
    const auto& p = who_.at(login);
    return Act(*store_, Actor{login, p.org.key, "test"}, p, id ? id : id_, Step{a, reason, embargo});
  }

  //! The values of USA's homicide_rate the index reads (every visible source).
  std::vector<double> Visible() {
    std::vector<double> out;
    store_->Observations(CellFilter{{"USA"}, {"homicide_rate"}},
                         [&](const ObservationRow& r) { out.push_back(r.value); });
    return out;
  }

  std::map<std::string, Principal> who_;
  std::int64_t id_ = 0;
  int uploads_ = 0;
};

TEST_F(ReviewTest, TheWholeRoadFromDraftToPublished) {
  EXPECT_TRUE(Visible().empty()) << "a draft is hidden from the index";
  auto s = Do("alice", SubmissionAction::kSubmit);
  ASSERT_TRUE(s.ok()) << s.error().Format();
  EXPECT_EQ(s->state, SubmissionState::kValidated);
  s = Do("bob", SubmissionAction::kApprove);
  ASSERT_TRUE(s.ok()) << s.error().Format();
  EXPECT_EQ(s->approver, "bob");
  s = Do("sam", SubmissionAction::kAccept);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(Visible().empty()) << "accepted is not yet published";
  s = Do("sam", SubmissionAction::kPublish);
  ASSERT_TRUE(s.ok()) << s.error().Format();
  EXPECT_EQ(s->state, SubmissionState::kPublished);
  EXPECT_EQ(Visible().size(), 2U);
  EXPECT_EQ(Do("sam", SubmissionAction::kReturn, 0, "too late").error().code, Errc::kConflict);
  std::vector<std::string> actions;
  store_->AuditEntries(0, [&](const AuditEntry& e) {
    if (e.target == "submission:" + std::to_string(id_)) actions.push_back(e.action);
  });
  EXPECT_EQ(actions, (std::vector<std::string>{"submission.upload", "submission.submit", "submission.validate",
                                               "submission.approve", "submission.accept", "submission.publish"}));
  EXPECT_TRUE(VerifyAudit(*store_)->ok);
}

TEST_F(ReviewTest, ASecondUploadInTheSameReleaseIsRefused) {
  // Uploads made in the same microsecond would share a source release, so be published together.
  Transaction tx(*store_);
  const auto& alice = who_.at("alice");
  FileRecord f;
  f.path = "again.csv", f.sha256 = "again", f.ingested_at = NowUtc();
  f.source_id = store_->UpsertSource(UploadSource(alice, "CRIME", "r1"));
  f.id = store_->InsertFile(f);
  try {
    RecordUpload(*store_, Actor{"alice", "us-fbi", "test"}, alice, "CRIME", "", f, FileReport{});
    ADD_FAILURE() << "a second upload in release r1 was recorded";
  } catch (const Failure& e) {
    EXPECT_EQ(e.error().code, Errc::kConflict) << e.error().Format();
  }
}

TEST_F(ReviewTest, DutiesAndOrganisationsAreEnforced) {
  EXPECT_EQ(Do("bob", SubmissionAction::kSubmit).error().code, Errc::kForbidden);
  ASSERT_TRUE(Do("alice", SubmissionAction::kSubmit).ok());
  EXPECT_EQ(Do("alice", SubmissionAction::kApprove).error().code, Errc::kForbidden);
  EXPECT_EQ(Do("sam", SubmissionAction::kApprove).error().code, Errc::kForbidden);
  EXPECT_EQ(Do("sam", SubmissionAction::kAccept).error().code, Errc::kConflict) << "not approved yet";
  // Another member's approver cannot even see it: not found, so the id tells nothing.
  EXPECT_EQ(Do("carol", SubmissionAction::kApprove).error().code, Errc::kNotFound);
  EXPECT_FALSE(CanSee(who_.at("carol"), *store_->FindSubmission(id_)));
  EXPECT_TRUE(VisibleSubmissions(*store_, who_.at("carol")).empty());
  EXPECT_EQ(VisibleSubmissions(*store_, who_.at("sam")).size(), 1U);
  EXPECT_EQ(Do("root", SubmissionAction::kPublish).error().code, Errc::kForbidden) << "admins manage, not publish";
  EXPECT_EQ(Do("alice", SubmissionAction::kReturn).error().code, Errc::kUsage) << "a return needs a reason";
  EXPECT_EQ(Do("bob", SubmissionAction::kReturn, 0, "not \xc3 text").error().code, Errc::kUsage);
  auto back = Do("bob", SubmissionAction::kReturn, 0, "2018 looks wrong");
  ASSERT_TRUE(back.ok()) << back.error().Format();
  EXPECT_EQ(back->reason, "2018 looks wrong");
  ASSERT_TRUE(Do("alice", SubmissionAction::kRevise).ok());
  EXPECT_EQ(Do("alice", SubmissionAction::kSubmit)->state, SubmissionState::kValidated);
  EXPECT_EQ(Do("bob", SubmissionAction::kApprove, 999).error().code, Errc::kNotFound);
}

TEST_F(ReviewTest, QuarantinedRowsSendItBackAtValidation) {
  const auto id = Upload({{"USA", 2017, 4.0}}, /*quarantine=*/true);
  auto s = Do("alice", SubmissionAction::kSubmit, id);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->state, SubmissionState::kReturned);
  EXPECT_NE(s->reason.find("1 row(s) quarantined"), std::string::npos) << s->reason;
}

TEST_F(ReviewTest, AnEmbargoKeepsItHiddenUntilItsTime) {
  ASSERT_TRUE(Do("alice", SubmissionAction::kSubmit).ok());
  ASSERT_TRUE(Do("bob", SubmissionAction::kApprove).ok());
  ASSERT_TRUE(Do("sam", SubmissionAction::kAccept).ok());
  EXPECT_EQ(Do("sam", SubmissionAction::kPublish, 0, "", "next week").error().code, Errc::kUsage);
  auto s = Do("sam", SubmissionAction::kPublish, 0, "", "2099-01-01");
  ASSERT_TRUE(s.ok()) << s.error().Format();
  EXPECT_EQ(s->embargo, "2099-01-01T00:00:00Z");
  EXPECT_TRUE(Visible().empty());
  // A past embargo publishes at once.
  const auto id = Upload({{"USA", 2016, 5.5}});
  ASSERT_TRUE(Do("alice", SubmissionAction::kSubmit, id).ok());
  ASSERT_TRUE(Do("bob", SubmissionAction::kApprove, id).ok());
  ASSERT_TRUE(Do("sam", SubmissionAction::kAccept, id).ok());
  ASSERT_TRUE(Do("sam", SubmissionAction::kPublish, id, "", "2001-01-01").ok());
  EXPECT_EQ(Visible(), std::vector<double>{5.5});
}

TEST_F(ReviewTest, FlaggedValuesNeedACommentBeforeApproval) {
  // UNODC's calm history of the USA, published at tier 1; the member's 2019 is three times it.
  {
    Transaction tx(*store_);
    Source unodc;
    unodc.key = "unodc", unodc.publisher = "UNODC", unodc.tier = 1, unodc.release = "2024";
    const auto source = store_->UpsertSource(unodc);
    FileRecord f;
    f.path = "unodc.csv", f.sha256 = "unodc", f.source_id = source, f.ingested_at = NowUtc();
    f.id = store_->InsertFile(f);
    for (int y = 2008; y <= 2018; ++y) {
      Observation o;
      o.unit = "USA", o.indicator = "homicide_rate", o.year = y, o.value = 5.0 + 0.1 * (y % 4), o.line = y;
      store_->InsertObservation(o, source, f.id, nullptr);
    }
    tx.Commit();
  }
  const auto id = Upload({{"USA", 2019, 15.0}});
  EXPECT_EQ(Do("bob", SubmissionAction::kApprove, id).error().code, Errc::kConflict) << "a draft";
  auto s = Do("alice", SubmissionAction::kSubmit, id);
  ASSERT_TRUE(s.ok()) << s.error().Format();
  EXPECT_EQ(s->state, SubmissionState::kValidated) << "flags do not block validation";
  auto flags = store_->Flags(id);
  ASSERT_EQ(flags.size(), 2U);
  EXPECT_EQ(flags[0].kind, FlagKind::kOutlier);
  EXPECT_EQ(flags[1].kind, FlagKind::kSeriesBreak);
  auto approve = Do("bob", SubmissionAction::kApprove, id);
  ASSERT_FALSE(approve.ok());
  EXPECT_EQ(approve.error().code, Errc::kConflict);
  EXPECT_NE(approve.error().message.find("2 validation flag(s) need a comment"), std::string::npos);

  auto comment = [&](const std::string& login, std::int64_t flag, const std::string& text) {
    const auto& p = who_.at(login);
    return CommentFlag(*store_, Actor{login, p.org.key, "test"}, p, id, flag, text);
  };
  EXPECT_EQ(comment("carol", flags[0].id, "x").error().code, Errc::kNotFound) << "another member's";
  EXPECT_EQ(comment("sam", flags[0].id, "x").error().code, Errc::kForbidden) << "members answer for their data";
  EXPECT_EQ(comment("alice", flags[0].id, "  ").error().code, Errc::kUsage);
  EXPECT_EQ(comment("alice", 999, "x").error().code, Errc::kNotFound);
  auto c = comment("alice", flags[0].id, "2019 counts a new offence definition");
  ASSERT_TRUE(c.ok()) << c.error().Format();
  EXPECT_EQ(c->commented_by, "alice");
  EXPECT_NE(Do("bob", SubmissionAction::kApprove, id).error().message.find("1 validation flag(s)"), std::string::npos);
  ASSERT_TRUE(comment("bob", flags[1].id, "same break as the outlier").ok());

  // Returned and submitted again, the same flags keep their comments.
  ASSERT_TRUE(Do("bob", SubmissionAction::kReturn, id, "check the note").ok());
  EXPECT_EQ(comment("alice", flags[0].id, "x").error().code, Errc::kConflict) << "only while validated";
  ASSERT_TRUE(Do("alice", SubmissionAction::kRevise, id).ok());
  ASSERT_TRUE(Do("alice", SubmissionAction::kSubmit, id).ok());
  flags = store_->Flags(id);
  ASSERT_EQ(flags.size(), 2U);
  EXPECT_EQ(flags[0].comment, "2019 counts a new offence definition");
  EXPECT_EQ(flags[1].commented_by, "bob");
  auto approved = Do("bob", SubmissionAction::kApprove, id);
  ASSERT_TRUE(approved.ok()) << approved.error().Format();

  // Each comment is in the audit log, with the flag as it was before.
  std::vector<AuditEntry> comments;
  store_->AuditEntries(0, [&](const AuditEntry& e) {
    if (e.action == "submission.comment") comments.push_back(e);
  });
  ASSERT_EQ(comments.size(), 2U);
  EXPECT_EQ(nlohmann::json::parse(comments[0].before)["comment"], "");
  EXPECT_EQ(nlohmann::json::parse(comments[0].after)["comment"], "2019 counts a new offence definition");
  EXPECT_TRUE(VerifyAudit(*store_)->ok);
}

TEST_F(ReviewTest, RowsOutsideTheAgreementFailTheUploadAtTheirLine) {
  try {
    Upload({{"USA", 2019, 5.0}, {"CAN", 2019, 1.9}});
    FAIL() << "a row for a country the member does not report for was accepted";
  } catch (const Failure& f) {
    EXPECT_EQ(f.error().code, Errc::kForbidden);
    EXPECT_EQ(f.error().line, 3);
    EXPECT_NE(f.error().message.find("CAN is not a country us-fbi reports for"), std::string::npos);
  }
  EXPECT_EQ(store_->Submissions().size(), 1U) << "the failed upload left no submission";
  EXPECT_FALSE(CheckUpload(who_.at("alice"), "ROADS", "").ok());
  EXPECT_EQ(CheckUpload(who_.at("bob"), "CRIME", "").error().code, Errc::kForbidden);
  EXPECT_EQ(CheckUpload(who_.at("alice"), "CRIME", "bad \xff note").error().code, Errc::kUsage);
}

}  // namespace
}  // namespace gpsi::platform
