// engine::MethodChanges, the what-changed annex's rule: every difference between two method
// versions that can move a score, and nothing else, on two small hand-made methods.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine.hpp"

namespace gpsi::engine {
namespace {

FrameworkNode Node(const std::string& code, const std::string& parent, double weight, bool indicator = true) {
  FrameworkNode n;
  n.code = code, n.parent = parent, n.weight = weight, n.indicator = indicator;
  if (indicator) n.reads = {code + "_rate"};
  return n;
}

MethodInfo Before() {
  MethodInfo m;
  m.version = "1";
  m.pipeline = {{"impute", "locf:4"}, {"screen", "na:0.6"}};
  m.nodes = {Node("a", "crime", 1), Node("b", "crime", 1), Node("crime", "IDX", 1, false), Node("IDX", "", 1, false)};
  return m;
}

std::vector<std::string> Lines(const std::vector<MethodChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(c.what + " " + c.item + ": " + c.before + " -> " + c.after);
  return out;
}

TEST(MethodChanges, TheSameMethodHasNone) {
  EXPECT_TRUE(MethodChanges(Before(), Before()).empty());
}

TEST(MethodChanges, ListsSettingsEligibilityNodesAndEachKeptNodesWeightParentAndReads) {
  MethodInfo after = Before();
  after.version = "2";  // a version is not a change of what is computed
  after.pipeline = {{"fallback", "on"}, {"impute", "locf:4"}, {"screen", "na:0.3"}};
  after.eligibility = {true, "population", 1e6, 1};
  after.nodes[1].weight = 2;                     // b
  after.nodes[0].reads = {"a_rate", "a_count"};  // a
  after.nodes[0].denominator = "population";
  after.nodes.insert(after.nodes.begin() + 2, Node("c", "crime", 1));
  const std::vector<std::string> expected{"pipeline fallback:  -> on",
                                          "pipeline screen: na:0.6 -> na:0.3",
                                          "eligibility population:  -> population",
                                          "eligibility min_population:  -> 1000000",
                                          "eligibility max_missing_dimensions:  -> 1",
                                          "node-added c:  -> crime",
                                          "reads a: a_rate -> a_rate, a_count / population",
                                          "weight b: 1.000 -> 2.000"};
  EXPECT_EQ(Lines(MethodChanges(Before(), after)), expected);
}

TEST(MethodChanges, ARemovedNodeAndAMoveToAnotherParentAreChanges) {
  MethodInfo after = Before();
  after.nodes.erase(after.nodes.begin() + 1);  // b
  after.nodes[0].parent = "IDX";               // a moves up
  after.nodes[0].direction = -1;
  const std::vector<std::string> expected{"node-removed b: crime -> ", "parent a: crime -> IDX",
                                          "direction a: 1 -> -1"};
  EXPECT_EQ(Lines(MethodChanges(Before(), after)), expected);
}

}  // namespace
}  // namespace gpsi::engine
