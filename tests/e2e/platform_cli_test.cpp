// gpsi org | user | token | audit-log: the sharing platform's management commands, their exit
// codes, and the audit log they leave (docs/platform.md).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "test_util.hpp"

namespace gpsi::test {
namespace {

class PlatformCli : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Quote(dir_ / "s.db");
    RunResult r = Run("init");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  RunResult Run(const std::string& args) { return Gpsi("--db " + db_ + " " + args); }
  nlohmann::json Json(const std::string& args) {
    RunResult r = Run("--json " + args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  //! A file holding `password` and a line end, for --password-stdin.
  std::string PasswordFile(const std::string& password) {
    const std::string path = dir_ / "pw";
    WriteFile(path, password + "\n");
    return Quote(path);
  }

  TempDir dir_;
  std::string db_;
};

TEST_F(PlatformCli, SetsUpAMemberAndLogsEveryStep) {
  ASSERT_EQ(Run("org add forum --kind secretariat --name-en Secretariat").exit_code, 0);
  auto fbi = Json("org add us-fbi --kind government --name-en 'U.S. FBI' --name-zh 美国联邦调查局 --country USA");
  EXPECT_EQ(fbi["tier"], 2);
  EXPECT_EQ(fbi["countries"], nlohmann::json::array({"USA"}));
  auto agreed = Json("org agree us-fbi --dataset CRIME --indicator robbery_rate --indicator homicide_rate");
  EXPECT_EQ(agreed["agreements"][0]["indicators"], nlohmann::json::array({"homicide_rate", "robbery_rate"}));
  auto alice = Json("user add alice --org us-fbi --role member-submitter --password-stdin < " +
                    PasswordFile("correct horse battery"));
  EXPECT_EQ(alice["password"], true);
  EXPECT_EQ(alice["permissions"], nlohmann::json::array({"read", "submit"}));
  auto token = Json("token create alice --days 7 --label upload-bot");
  const std::string secret = token["secret"];
  EXPECT_EQ(secret.rfind("gpsi_", 0), 0U);
  EXPECT_EQ(token["suffix"], secret.substr(secret.size() - 8));

  // Lists never show a secret or a hash; the store holds no secret either.
  RunResult list = Run("--json token list");
  EXPECT_EQ(list.out.find(secret), std::string::npos);
  EXPECT_EQ(ReadFile(dir_ / "s.db").find(secret), std::string::npos);
  RunResult users = Run("--json user list");
  EXPECT_EQ(users.out.find("argon2"), std::string::npos);

  ASSERT_EQ(Run("token revoke -- " + token["suffix"].get<std::string>()).exit_code, 0);
  EXPECT_NE(Json("token list")[0]["revoked"], "");

  auto log = Json("audit-log show");
  ASSERT_EQ(log.size(), 6U);
  EXPECT_EQ(log[2]["action"], "org.update");
  EXPECT_EQ(log[2]["before"]["agreements"], nlohmann::json::array());
  EXPECT_EQ(log[5]["action"], "token.revoke");
  EXPECT_EQ(log[5]["actor"].get<std::string>().rfind("cli:", 0), 0U);
  EXPECT_EQ(Json("audit-log show --target user:alice").size(), 1U);
  auto verify = Json("audit-log verify");
  EXPECT_EQ(verify["ok"], true);
  EXPECT_EQ(verify["entries"], 6);
}

TEST_F(PlatformCli, BadRequestsExitWithTheirCodesAndChangeNothing) {
  ASSERT_EQ(Run("org add us-fbi --kind government --name-en FBI --country USA").exit_code, 0);
  EXPECT_EQ(Run("org add us-fbi --kind government --name-en FBI").exit_code, 3);          // exists: conflict
  EXPECT_EQ(Run("org add x2 --kind police --name-en X").exit_code, 2);                    // unknown kind
  EXPECT_EQ(Run("org add x3 --kind government --name-en X --country ATL").exit_code, 2);  // unknown unit
  EXPECT_EQ(Run("user add bob --org us-fbi --role admin").exit_code, 2);                  // role does not fit
  EXPECT_EQ(Run("user add bob --org us-fbi --role reader --password-stdin < " + PasswordFile("short")).exit_code, 2);
  EXPECT_EQ(Run("token create nobody").exit_code, 2);
  EXPECT_EQ(Run("token revoke abcdefgh").exit_code, 2);
  // A suffix may begin with '-' (base64url); after "--" it is read as the suffix, not an option.
  RunResult dash = Run("token revoke -- -bcdefgh");
  EXPECT_EQ(dash.exit_code, 2);
  EXPECT_NE(dash.err.find("no token ending in '-bcdefgh'"), std::string::npos) << dash.err;
  EXPECT_EQ(Json("user list").size(), 0U);
  EXPECT_EQ(Json("audit-log show").size(), 1U);
  // A missing store is not made by a management command.
  RunResult none = Gpsi("--db " + Quote(dir_ / "none.db") + " org list");
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "none.db"));
}

TEST_F(PlatformCli, VerifyFailsWithExitOneOnATamperedLog) {
  ASSERT_EQ(Run("org add forum --kind secretariat --name-en Secretariat").exit_code, 0);
  ASSERT_EQ(Run("org add us-fbi --kind government --name-en FBI").exit_code, 0);
  auto verify = Json("audit-log verify");
  const std::string head = verify["head"];
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "s.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET target='org:x' WHERE seq=1",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  RunResult r = Run("audit-log verify");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("audit log entry 1"), std::string::npos) << r.err;
  RunResult cut = Run("audit-log verify --expect-head 1:" + std::string(64, 'a'));
  EXPECT_EQ(cut.exit_code, 1);
  EXPECT_EQ(Run("audit-log verify --expect-head nonsense").exit_code, 2);
}

}  // namespace
}  // namespace gpsi::test
