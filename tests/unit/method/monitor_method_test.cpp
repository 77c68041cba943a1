// role = "monitor": an indicator read and ranked beside the index but outside it.
#include <gtest/gtest.h>

#include <string>

#include "method.hpp"

namespace gpsi::method {
namespace {

const std::string kBase = R"([index]
id = "t"
[[node]]
code = "top"
[[node]]
code = "dim"
parent = "top"
[[indicator]]
code = "a"
parent = "dim"
[[indicator]]
code = "b"
parent = "dim"
)";

TEST(MethodMonitor, IsLeftOutOfItsParentsChildrenAndChangesTheHash) {
  auto plain = ParseMethod(kBase, "t.toml", {});
  auto mon = ParseMethod(kBase + "role = \"monitor\"\n", "t.toml", {});
  ASSERT_TRUE(plain) << plain.error().Format();
  ASSERT_TRUE(mon) << mon.error().Format();
  int dim = mon->Find("dim"), b = mon->Find("b");
  ASSERT_GE(dim, 0);
  ASSERT_GE(b, 0);
  EXPECT_TRUE(mon->nodes[static_cast<std::size_t>(b)].monitor);
  EXPECT_EQ(mon->Children(dim), std::vector<int>{mon->Find("a")});
  EXPECT_EQ(plain->Children(plain->Find("dim")).size(), 2u);
  EXPECT_EQ(mon->nodes[static_cast<std::size_t>(b)].level, 1);
  EXPECT_NE(mon->hash, plain->hash);
  EXPECT_NE(mon->canonical.find("role = \"monitor\""), std::string::npos) << mon->canonical;
  // Explicitly "scored" is the default: the same method and hash.
  auto scored = ParseMethod(kBase + "role = \"scored\"\n", "t.toml", {});
  ASSERT_TRUE(scored);
  EXPECT_EQ(scored->hash, plain->hash);
  // And --set reaches it.
  auto set = ParseMethod(kBase, "t.toml", {"indicator.b.role=monitor"});
  ASSERT_TRUE(set) << set.error().Format();
  EXPECT_EQ(set->hash, mon->hash);
}

TEST(MethodMonitor, UnknownRoleIsAnErrorAtTheKey) {
  auto m = ParseMethod(kBase + "role = \"shadow\"\n", "t.toml", {});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Errc::kBadMethod);
  EXPECT_EQ(m.error().line, 14);
  EXPECT_NE(m.error().message.find("scored, monitor"), std::string::npos) << m.error().message;
}

TEST(MethodMonitor, AnAggregateOfMonitorsOnlyIsAnError) {
  std::string text = kBase +
                     "role = \"monitor\"\n[[node]]\ncode = \"watch\"\nparent = \"top\"\n[[indicator]]\n"
                     "code = \"c\"\nparent = \"watch\"\nrole = \"monitor\"\n";
  auto m = ParseMethod(text, "t.toml", {});
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("node watch has no scored indicator below it"), std::string::npos)
      << m.error().message;
}

}  // namespace
}  // namespace gpsi::method
