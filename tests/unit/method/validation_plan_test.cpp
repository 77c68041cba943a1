// Validation plans (gpsi validate): parsing, and errors at their place.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "method.hpp"

namespace gpsi::method {
namespace {

TEST(ValidationPlan, ParsesExternalsGroupsAndExplanations) {
  auto p = ParseValidationPlan(R"([[external]]
id = "gpi"
name_en = "GPI"
source = { file = "gpi/gpi.csv", unit = "iso3", year = "year", value = "overall" }
year_lag = 1
direction = -1
nodes = ["GPSI", "crime"]
[[external]]
id = "pv"
source = { store = "wgi_pv_est" }
[[known_group]]
id = "war"
low = { store = "deaths", min = 1000 }
high = { store = "deaths", max = 0 }
without = ["x"]
[[known_group]]
id = "income"
low = { group = "wb_income", values = ["WB_LI"] }
high = { group = "wb_income", values = ["WB_HI"] }
[[explain]]
pair = ["a", "b"]
text_en = "why"
text_zh = "为何"
)",
                               "plan.toml");
  ASSERT_TRUE(p) << p.error().Format();
  ASSERT_EQ(p->externals.size(), 2u);
  EXPECT_EQ(p->externals[0].source.file, "gpi/gpi.csv");
  EXPECT_EQ(p->externals[0].source.value, "overall");
  EXPECT_EQ(p->externals[0].year_lag, 1);
  EXPECT_EQ(p->externals[0].direction, -1);
  EXPECT_EQ(p->externals[0].nodes, (std::vector<std::string>{"GPSI", "crime"}));
  EXPECT_EQ(p->externals[1].source.store, "wgi_pv_est");
  EXPECT_EQ(p->externals[1].direction, 1);
  ASSERT_EQ(p->groups.size(), 2u);
  EXPECT_EQ(*p->groups[0].low.min, 1000);
  EXPECT_EQ(*p->groups[0].high.max, 0);
  EXPECT_EQ(p->groups[0].without, (std::vector<std::string>{"x"}));
  EXPECT_EQ(p->groups[1].low.values, (std::vector<std::string>{"WB_LI"}));
  ASSERT_NE(p->Explain("b", "a"), nullptr);  // either order
  EXPECT_EQ(p->Explain("a", "c"), nullptr);
}

TEST(ValidationPlan, ErrorsPointAtTheirPlace) {
  struct Case {
    std::string text, words;
    int line;
  };
  for (const Case& c : std::vector<Case>{
           {"[[external]]\nid = \"a\"\nsource = { store = \"x\", file = \"f\" }\n", "exactly one", 3},
           {"[[external]]\nid = \"a\"\nsource = { file = \"f\" }\n", "value column", 3},
           {"[[external]]\nid = \"a\"\nsource = { store = \"x\" }\ndirection = 2\n", "direction", 4},
           {"[[external]]\nid = \"a\"\nsource = { group = \"g\", values = [\"v\"] }\n", "a series, not a group", 1},
           {"[[external]]\nid = \"a\"\nsource = { store = \"x\" }\n[[external]]\nid = \"a\"\nsource = { store = \"y\" "
            "}\n",
            "used twice", 5},
           {"[[known_group]]\nid = \"g\"\nlow = { group = \"wb\" }\nhigh = { store = \"x\" }\n", "needs its values", 3},
           {"[[known_group]]\nid = \"g\"\nlow = { store = \"x\", min = \"a\" }\nhigh = { store = \"x\" }\n", "min", 3},
           {"[[explain]]\npair = [\"a\"]\ntext_en = \"e\"\ntext_zh = \"z\"\n", "two indicators", 1},
           {"[[explain]]\npair = [\"a\", \"b\"]\ntext_en = \"e\"\n", "text_zh", 1},
           {"[plan]\nx = 1\n", "unknown key \"plan\"", 1},
           {"[[external]]\nid = \"a\"\nsource = { store = \"x\" }\ncolour = 1\n", "unknown key \"colour\"", 4},
       }) {
    SCOPED_TRACE(c.text);
    auto p = ParseValidationPlan(c.text, "plan.toml");
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, Errc::kBadMethod);
    EXPECT_EQ(p.error().file, "plan.toml");
    EXPECT_NE(p.error().message.find(c.words), std::string::npos) << p.error().message;
    EXPECT_EQ(p.error().line, c.line) << p.error().Format();
  }
}

TEST(ValidationPlan, TheShippedPlanLoads) {
  auto p = LoadValidationPlan((std::filesystem::path(GPSI_TESTS_DIR) / ".." / "methods" / "validation.toml").string());
  ASSERT_TRUE(p) << p.error().Format();
  EXPECT_GE(p->externals.size(), 2u);
  EXPECT_GE(p->groups.size(), 2u);
}

}  // namespace
}  // namespace gpsi::method
