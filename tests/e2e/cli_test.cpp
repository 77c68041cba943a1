// The CLI contract of ARCHITECTURE.md: usage errors, --db and $GPSI_DB, init and migrations.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "test_util.hpp"

namespace gpsi::test {
namespace {

TEST(Cli, UnknownSubcommandIsUsageError) {
  RunResult r = Gpsi("frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("error"), std::string::npos);
}

TEST(Cli, InitLoadsIsoAndM49WithChineseNames) {
  TempDir dir;
  RunResult r = Gpsi("--db '" + (dir / "s.db") + "' init --reference '" + std::string(GPSI_TEST_DATA) + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RunResult u = Gpsi("--db '" + (dir / "s.db") + "' --json units");
  ASSERT_EQ(u.exit_code, 0) << u.err;
  auto units = nlohmann::json::parse(u.out);
  std::map<std::string, nlohmann::json> by_code;
  for (const auto& x : units) by_code[x["code"].get<std::string>()] = x;
  // ISO 3166-1 has 249 entries; every one must be there, with its alpha-2 and numeric code.
  int iso = 0;
  for (const auto& [code, x] : by_code) iso += x["iso2"].get<std::string>().size() == 2 && code.size() == 3;
  EXPECT_GE(iso, 249);
  EXPECT_EQ(by_code["CHN"]["name_zh"], "中国");
  EXPECT_EQ(by_code["FRA"]["m49"], "250");
  EXPECT_EQ(by_code["FRA"]["subregion"], "Western Europe");
  EXPECT_EQ(by_code["XKX"]["name_en"], "Kosovo");
  EXPECT_EQ(by_code["SUN"]["kind"], "other");
}

TEST(Cli, DbDefaultsToEnvironmentThenWorkingDirectory) {
  TempDir dir;
  RunResult r = Gpsi("init", dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "gpsi.db"));
  std::string env_db = dir / "env.db";
  std::string cmd = "GPSI_DB='" + env_db + "' '" + std::string(GPSI_BINARY) + "' init >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_TRUE(std::filesystem::exists(env_db));
}

TEST(Cli, StoreNewerThanBinaryIsRefused) {
  TempDir dir;
  std::string db = dir / "s.db";
  ASSERT_EQ(Gpsi("--db '" + db + "' init").exit_code, 0);
  std::string bump = "sqlite3 '" + db + "' 'PRAGMA user_version = 999;'";
  ASSERT_EQ(std::system(bump.c_str()), 0);
  RunResult r = Gpsi("--db '" + db + "' init");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("schema version 999"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("newer"), std::string::npos) << r.err;
  RunResult s = Gpsi("--db '" + db + "' units");
  EXPECT_EQ(s.exit_code, 1);
}

}  // namespace
}  // namespace gpsi::test
