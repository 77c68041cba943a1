// The platform's rows as the model keeps them: disabling and enabling an organisation or account.
#include <gtest/gtest.h>

#include "model.hpp"

namespace gpsi {
namespace {

TEST(SetDisabled, KeepsTheFirstTimeAndEnablingClearsIt) {
  Organisation o;
  SetDisabled(o, true, "2026-01-01T00:00:00Z");
  EXPECT_EQ(o.disabled, "2026-01-01T00:00:00Z");
  SetDisabled(o, true, "2026-02-01T00:00:00Z");
  EXPECT_EQ(o.disabled, "2026-01-01T00:00:00Z");
  SetDisabled(o, false, "2026-03-01T00:00:00Z");
  EXPECT_EQ(o.disabled, "");
}

TEST(SetDisabled, EnablingAnAccountLiftsItsLockoutAndDisablingKeepsIt) {
  Account a;
  a.failed_logins = 5, a.locked_until = "2026-01-01T00:15:00Z";
  SetDisabled(a, true, "2026-01-01T00:00:00Z");
  EXPECT_EQ(a.disabled, "2026-01-01T00:00:00Z");
  EXPECT_EQ(a.failed_logins, 5);
  EXPECT_EQ(a.locked_until, "2026-01-01T00:15:00Z");
  SetDisabled(a, false, "2026-01-01T00:01:00Z");
  EXPECT_EQ(a.disabled, "");
  EXPECT_EQ(a.failed_logins, 0);
  EXPECT_EQ(a.locked_until, "");
}

}  // namespace
}  // namespace gpsi
