// Unit tests of the derived terrorism impact indicator in methodology files (`gti` table):
// defaults, every key, errors at file:line:column, `--set` on the new fields and the hash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "method.hpp"

namespace gpsi::method {
namespace {

const std::string kHead = R"([index]
id = "T"

[[node]]
code = "IDX"

[[indicator]]
code = "other"
parent = "IDX"

[[indicator]]
code = "impact"
parent = "IDX"
direction = -1
)";

Result<Method> Parse(const std::string& gti_lines, const std::vector<std::string>& sets = {}) {
  return ParseMethod(kHead + gti_lines, "t.toml", sets);
}

const Gti& GtiOf(const Method& m) {
  return *m.nodes[static_cast<std::size_t>(m.Find("impact"))].gti;
}

const std::string kReads =
    "gti.reads = { incidents = \"terror_incidents\", deaths = \"terror_deaths\", injuries = \"terror_injuries\", "
    "hostages = \"terror_hostages\" }\n";

TEST(MethodGti, DefaultsAreTheIepsGti2023) {
  auto m = Parse(kReads);
  ASSERT_TRUE(m) << m.error().message;
  const Gti& g = GtiOf(*m);
  EXPECT_EQ(g.components, (std::vector<std::string>{"incidents", "deaths", "injuries", "hostages"}));
  EXPECT_EQ(g.reads,
            (std::vector<std::string>{"terror_incidents", "terror_deaths", "terror_injuries", "terror_hostages"}));
  EXPECT_EQ(g.weights, (std::vector<double>{1, 3, 0.5, 0.5}));
  EXPECT_EQ(g.lag_weights, (std::vector<double>{16, 8, 4, 2, 1}));
  EXPECT_EQ(g.lag_divisor, 5);
  EXPECT_EQ(g.banding, Gti::Banding::kPooled);
  EXPECT_EQ(g.top, 10);
  EXPECT_EQ(g.step, 0);
  // The build reads the component codes.
  EXPECT_EQ(m->nodes[static_cast<std::size_t>(m->Find("impact"))].reads, g.reads);
}

TEST(MethodGti, EveryKey) {
  auto m = Parse(R"([indicator.gti]
reads = { deaths = "d", incidents = "i" }
weights = { incidents = 2, deaths = 4 }
lag_weights = [3, 1]
lag_divisor = 4
banding = "log:by-year"
top = 5
step = 0.5
)");
  ASSERT_TRUE(m) << m.error().message;
  const Gti& g = GtiOf(*m);
  EXPECT_EQ(g.components, (std::vector<std::string>{"incidents", "deaths"}));  // fixed order
  EXPECT_EQ(g.reads, (std::vector<std::string>{"i", "d"}));
  EXPECT_EQ(g.weights, (std::vector<double>{2, 4}));
  EXPECT_EQ(g.lag_weights, (std::vector<double>{3, 1}));
  EXPECT_EQ(g.lag_divisor, 4);
  EXPECT_EQ(g.banding, Gti::Banding::kByYear);
  EXPECT_EQ(g.top, 5);
  EXPECT_EQ(g.step, 0.5);
  // The divisor defaults to the number of lag weights.
  auto d = Parse("gti.reads = { incidents = \"i\" }\ngti.lag_weights = [1, 1, 1]\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(GtiOf(*d).lag_divisor, 3);
  auto f = Parse("gti.reads = { incidents = \"i\" }\ngti.banding = \"log:20000\"\n");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(GtiOf(*f).banding, Gti::Banding::kFixed);
  EXPECT_EQ(GtiOf(*f).band_max, 20000);
  auto n = Parse("gti.reads = { incidents = \"i\" }\ngti.banding = \"none\"\n");
  ASSERT_TRUE(n);
  EXPECT_EQ(GtiOf(*n).banding, Gti::Banding::kNone);
}

//! Parses, expecting kBadMethod at `line`:`column` with `part` in the message.
void ExpectBad(const std::string& gti_lines, std::int64_t line, std::int64_t column, const std::string& part) {
  auto m = Parse(gti_lines);
  ASSERT_FALSE(m) << gti_lines;
  EXPECT_EQ(m.error().code, Errc::kBadMethod);
  EXPECT_EQ(m.error().file, "t.toml");
  EXPECT_EQ(m.error().line, line) << m.error().message;
  EXPECT_EQ(m.error().column, column) << m.error().message;
  EXPECT_NE(m.error().message.find(part), std::string::npos) << m.error().message;
}

TEST(MethodGti, ErrorsPointAtTheKey) {
  // kHead has 14 lines; the gti lines start at line 15.
  ExpectBad(kReads + "gti.colour = 1\n", 16, 5, "unknown key gti.colour");
  ExpectBad("gti.reads = { fatalities = \"d\" }\n", 15, 15, "unknown component gti.reads.fatalities");
  ExpectBad("gti.reads = { incidents = \"i\" }\ngti.weights = { hostages = 2 }\n", 16, 17,
            "gti.weights.hostages has no gti.reads.hostages");
  ExpectBad("gti.reads = { incidents = \"i\" }\ngti.weights = { incidents = -1 }\n", 16, 29,
            "gti.weights.incidents must be a number ≥ 0");
  ExpectBad("gti.reads = { incidents = \"i\" }\ngti.weights = { incidents = 0 }\n", 16, 15, "must not all be 0");
  ExpectBad("gti.reads = { incidents = \"\" }\n", 15, 27, "gti.reads.incidents must be a stored indicator code");
  ExpectBad("gti.reads = {}\n", 15, 13, "gti.reads must be a table");
  ExpectBad("gti.lag_weights = [16, 8]\n", 15, 1, "gti.reads must be a table");  // no reads at all
  ExpectBad(kReads + "gti.lag_weights = [16, -8]\n", 16, 24, "gti.lag_weights must be numbers ≥ 0");
  ExpectBad(kReads + "gti.lag_weights = [0, 0]\n", 16, 19, "must not all be 0");
  ExpectBad(kReads + "gti.lag_divisor = 0\n", 16, 19, "gti.lag_divisor must be a number > 0");
  ExpectBad(kReads + "gti.banding = \"log:-3\"\n", 16, 15, "gti.banding = \"log:-3\" is not one of");
  ExpectBad(kReads + "gti.banding = \"sqrt\"\n", 16, 15, "is not one of: log, log:by-year");
  ExpectBad(kReads + "gti.top = 0\n", 16, 11, "gti.top must be a number > 0");
  ExpectBad(kReads + "gti.step = 11\n", 16, 12, "gti.step must be a number in [0, top]");
  ExpectBad(kReads + "reads = \"x\"\n", 16, 9, "reads cannot be used with gti");
  ExpectBad(kReads + "fill = 0\n", 16, 8, "fill cannot be used with gti");
  ExpectBad("gti = 3\n", 15, 7, "gti must be a table");
}

TEST(MethodGti, SetReachesTheNewFields) {
  auto m = Parse(kReads, {"indicator.impact.gti.weights.hostages=2", "indicator.impact.gti.banding=log:by-year",
                          "indicator.impact.gti.lag_weights=[4,2,1]", "indicator.impact.gti.step=0.5",
                          "indicator.impact.gti.reads.incidents=other_code"});
  ASSERT_TRUE(m) << m.error().message;
  const Gti& g = GtiOf(*m);
  EXPECT_EQ(g.weights, (std::vector<double>{1, 3, 0.5, 2}));
  EXPECT_EQ(g.banding, Gti::Banding::kByYear);
  EXPECT_EQ(g.lag_weights, (std::vector<double>{4, 2, 1}));
  EXPECT_EQ(g.lag_divisor, 3);
  EXPECT_EQ(g.step, 0.5);
  EXPECT_EQ(g.reads[0], "other_code");
  // A whole table replaced at once.
  auto w = Parse(kReads, {"indicator.impact.gti.weights={incidents=1,deaths=1}"});
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(GtiOf(*w).weights, (std::vector<double>{1, 1, 0.5, 0.5}));
  // Usage errors: an unknown gti key; a node without a gti table; a bad value is kBadMethod.
  auto u = Parse(kReads, {"indicator.impact.gti.colour=1"});
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().code, Errc::kUsage);
  auto o = Parse(kReads, {"indicator.other.gti.top=5"});
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().code, Errc::kUsage);
  auto b = Parse(kReads, {"indicator.impact.gti.weights.deaths=-3"});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::kBadMethod);
  auto c = Parse(kReads, {"indicator.impact.gti.weights.fatalities=3"});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::kBadMethod);
}

TEST(MethodGti, CanonicalRoundTripAndHash) {
  auto m = Parse(kReads);
  ASSERT_TRUE(m);
  // The defaults written out hash alike, and the canonical text parses back to the same method.
  auto explicit_defaults = Parse(kReads +
                                 "gti.weights = { incidents = 1, deaths = 3.0, injuries = 0.5, hostages = 0.5 }\n"
                                 "gti.lag_weights = [16, 8, 4, 2, 1]\ngti.lag_divisor = 5\ngti.banding = \"log\"\n"
                                 "gti.top = 10\ngti.step = 0\n");
  ASSERT_TRUE(explicit_defaults) << explicit_defaults.error().message;
  EXPECT_EQ(m->hash, explicit_defaults->hash);
  auto again = ParseMethod(m->canonical, "canonical.toml", {});
  ASSERT_TRUE(again) << again.error().message << "\n" << m->canonical;
  EXPECT_EQ(again->hash, m->hash);
  EXPECT_EQ(GtiOf(*again).weights, GtiOf(*m).weights);
  // Any change of a gti value changes the hash; so does the same change through --set.
  auto changed = Parse(kReads + "gti.weights = { hostages = 2 }\n");
  ASSERT_TRUE(changed);
  EXPECT_NE(changed->hash, m->hash);
  auto set = Parse(kReads, {"indicator.impact.gti.weights.hostages=2"});
  ASSERT_TRUE(set);
  EXPECT_EQ(set->hash, changed->hash);
  auto fixed = Parse(kReads + "gti.banding = \"log:20000\"\n");
  ASSERT_TRUE(fixed);
  auto fixed_again = ParseMethod(fixed->canonical, "c.toml", {});
  ASSERT_TRUE(fixed_again) << fixed->canonical;
  EXPECT_EQ(GtiOf(*fixed_again).band_max, 20000);
  EXPECT_NE(fixed->hash, m->hash);
}

}  // namespace
}  // namespace gpsi::method
