// GPSI 2.0 keys of methodology files: sum, [[indicator.fallback]], carry and [eligibility].
#include <gtest/gtest.h>

#include <string>

#include "method.hpp"

namespace gpsi::method {
namespace {

// Lines 1–10; an indicator's extra keys start on line 11.
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
)";

Result<Method> Parse(const std::string& extra, const std::vector<std::string>& sets = {}) {
  return ParseMethod(kBase + extra, "t.toml", sets);
}

Error Fails(const std::string& extra, const std::vector<std::string>& sets = {}) {
  auto m = Parse(extra, sets);
  EXPECT_FALSE(m) << "accepted: " << extra;
  return m ? Error{} : m.error();
}

TEST(MethodFallback, SeriesAreReadInOrderWithTheirTransformsAndTheCanonicalTextKeepsThem) {
  auto m = Parse(R"(reads = "rate"
[[indicator.fallback]]
reads = ["deaths", "deaths_old"]
denominator = "pop"
adjust = 0.86
note = "deaths per 100,000"
[[indicator.fallback]]
sum = ["x", "y"]
transform = "none"
)");
  ASSERT_TRUE(m) << m.error().Format();
  const Node& a = m->nodes[static_cast<std::size_t>(m->Find("a"))];
  ASSERT_EQ(a.fallback.size(), 2u);
  EXPECT_EQ(a.fallback[0].reads, (std::vector<std::string>{"deaths", "deaths_old"}));
  EXPECT_EQ(a.fallback[0].denominator, "pop");
  EXPECT_EQ(a.fallback[0].scale, 1e5);  // per-100k is the default with a denominator
  EXPECT_EQ(a.fallback[0].adjust, 0.86);
  EXPECT_EQ(a.fallback[1].sum, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(a.fallback[1].scale, 1);
  EXPECT_EQ(a.Codes(), (std::vector<std::string>{"rate", "deaths", "deaths_old", "pop", "x", "y"}));
  // The canonical text parses back to the same method and hash.
  auto again = ParseMethod(m->canonical, "canonical.toml", {});
  ASSERT_TRUE(again) << again.error().Format() << "\n" << m->canonical;
  EXPECT_EQ(again->hash, m->hash);
  EXPECT_EQ(again->nodes[0].fallback.size(), 2u);
  // Any change of a fallback changes the hash.
  auto other = Parse(
      "reads = \"rate\"\n[[indicator.fallback]]\nreads = [\"deaths\", \"deaths_old\"]\n"
      "denominator = \"pop\"\nadjust = 0.9\nnote = \"deaths per 100,000\"\n"
      "[[indicator.fallback]]\nsum = [\"x\", \"y\"]\ntransform = \"none\"\n");
  ASSERT_TRUE(other);
  EXPECT_NE(other->hash, m->hash);
}

TEST(MethodFallback, SumAndCarry) {
  auto m = Parse("sum = [\"p\", \"q\", \"r\"]\ncarry = 7\n");
  ASSERT_TRUE(m) << m.error().Format();
  const Node& a = m->nodes[0];
  EXPECT_TRUE(a.reads.empty());
  EXPECT_EQ(a.sum.size(), 3u);
  EXPECT_EQ(a.carry, 7);
  auto again = ParseMethod(m->canonical, "canonical.toml", {});
  ASSERT_TRUE(again) << again.error().Format();
  EXPECT_EQ(again->hash, m->hash);
  EXPECT_EQ(Parse("")->nodes[0].carry, -1);  // default: the pipeline's locf:<k>
}

TEST(MethodFallback, BadSeriesAreErrorsAtTheirPlace) {
  struct Case {
    std::string extra, words;
    int line;
  };
  for (const Case& c : std::vector<Case>{
           {"reads = \"a\"\nsum = [\"p\", \"q\"]\n", "two recipes", 12},
           {"sum = [\"p\"]\n", "two or more", 11},
           {"carry = -1\n", "carry", 11},
           {"carry = 2.5\n", "carry", 11},
           {"fallback = 1\n", "[[indicator.fallback]]", 11},
           {"[[indicator.fallback]]\nreads = \"d\"\nsum = [\"p\", \"q\"]\n", "give one", 11},
           {"[[indicator.fallback]]\nnote = \"x\"\n", "give one", 11},
           {"[[indicator.fallback]]\nreads = \"d\"\ntransform = \"per-100k\"\n", "needs a denominator", 13},
           {"[[indicator.fallback]]\nreads = \"d\"\ndenominator = \"p\"\ntransform = \"none\"\n",
            "per-capita or per-100k", 13},
           {"[[indicator.fallback]]\nreads = \"d\"\ntransform = \"log\"\n", "none, per-capita, per-100k", 13},
           {"[[indicator.fallback]]\nreads = \"d\"\nadjust = 0\n", "adjust", 13},
           {"[[indicator.fallback]]\nreads = \"d\"\ncolour = \"red\"\n", "unknown fallback key", 13},
           {"gti.reads = { deaths = \"d\" }\n[[indicator.fallback]]\nreads = \"x\"\n", "cannot be used with gti", 12},
       }) {
    SCOPED_TRACE(c.extra);
    Error e = Fails(c.extra);
    EXPECT_EQ(e.code, Errc::kBadMethod);
    EXPECT_NE(e.message.find(c.words), std::string::npos) << e.message;
    EXPECT_EQ(e.line, c.line) << e.message;
  }
}

TEST(MethodFallback, PipelineSwitchesAcceptOnAndOffOnly) {
  auto m = Parse("", {"pipeline.fallback=off", "pipeline.level_adjust=off"});
  ASSERT_TRUE(m) << m.error().Format();
  EXPECT_FALSE(m->pipeline.fallback);
  EXPECT_FALSE(m->pipeline.level_adjust);
  EXPECT_NE(m->hash, Parse("")->hash);
  EXPECT_TRUE(Parse("")->pipeline.fallback);
  Error e = Fails("", {"pipeline.fallback=maybe"});
  EXPECT_NE(e.message.find("on, off"), std::string::npos) << e.message;
}

TEST(MethodEligibility, ParsedOverriddenAndHashed) {
  const std::string el = "[eligibility]\npopulation = \"pop\"\nmin_population = 1000000\nmax_missing_dimensions = 1\n";
  auto m = ParseMethod(el + kBase, "t.toml", {});
  ASSERT_TRUE(m) << m.error().Format();
  EXPECT_TRUE(m->eligibility.active());
  EXPECT_EQ(m->eligibility.population, "pop");
  EXPECT_EQ(m->eligibility.min_population, 1e6);
  EXPECT_EQ(m->eligibility.max_missing_dimensions, 1);
  auto again = ParseMethod(m->canonical, "canonical.toml", {});
  ASSERT_TRUE(again) << again.error().Format();
  EXPECT_EQ(again->hash, m->hash);
  auto set =
      ParseMethod(el + kBase, "t.toml", {"eligibility.min_population=0", "eligibility.max_missing_dimensions=0"});
  ASSERT_TRUE(set) << set.error().Format();
  EXPECT_EQ(set->eligibility.min_population, 0);
  EXPECT_EQ(set->eligibility.max_missing_dimensions, 0);
  EXPECT_NE(set->hash, m->hash);
  EXPECT_FALSE(ParseMethod(kBase, "t.toml", {})->eligibility.active());
  EXPECT_EQ(Fails("", {"eligibility.colour=red"}).code, Errc::kUsage);
}

TEST(MethodEligibility, BadValuesAreErrorsAtTheirPlace) {
  for (const auto& [text, words] : std::vector<std::pair<std::string, std::string>>{
           {"[eligibility]\nmin_population = 5\n", "needs eligibility.population"},
           {"[eligibility]\npopulation = \"pop\"\nmin_population = -1\n", "min_population"},
           {"[eligibility]\nmax_missing_dimensions = 1.5\n", "max_missing_dimensions"},
           {"[eligibility]\nthreshold = 3\n", "unknown key eligibility.threshold"},
           {"eligibility = 3\n", "must be a table"}}) {
    SCOPED_TRACE(text);
    auto m = ParseMethod(text + kBase, "t.toml", {});
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, Errc::kBadMethod);
    EXPECT_NE(m.error().message.find(words), std::string::npos) << m.error().message;
    EXPECT_GE(m.error().line, 1);
  }
}

}  // namespace
}  // namespace gpsi::method
