// Fuzz target: the evaluation campaign file's parser (gpsi::evaluation::ParseRules, TOML) over
// arbitrary text. A campaign is accepted or refused with kBadCampaign and a location in the file;
// nothing may throw. Accepted rules must hold what the checks promise, hash stably, and accept the
// scores their own rubrics name.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "evaluation.hpp"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "campaign invariant violated: %s\n", what);
    std::abort();
  }
}

void CheckRules(const gpsi::evaluation::Rules& r) {
  Check(!r.criteria.empty(), "at least one criterion");
  Check(r.scale_min < r.scale_max && r.step > 0, "a scale");
  Check(r.select >= 1 && r.judges_per_application >= 3, "selection rules");
  Check(r.borderline_low < r.borderline_high, "a borderline band");
  std::set<std::string> codes;
  for (const auto& c : r.criteria) {
    Check(codes.insert(c.code).second, "distinct criterion codes");
    Check(c.minimum >= r.scale_min && c.minimum <= r.scale_max, "minimums on the scale");
    for (const auto& a : c.rubric) {
      std::vector<double> scores(r.criteria.size(), a.score);
      Check(gpsi::evaluation::CheckScores(r, scores).ok(), "rubric scores are scores of the scale");
    }
  }
  for (const auto& t : r.tie_break) Check(codes.contains(t), "tie-break names criteria");
  Check(gpsi::evaluation::RulesHash(r) == gpsi::Sha256Hex(gpsi::evaluation::RulesJson(r)), "the hash of the JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto r = gpsi::evaluation::ParseRules(text, "fuzz.toml");
  if (!r) {
    const gpsi::Error& e = r.error();
    Check(e.code == gpsi::Errc::kBadCampaign && e.file == "fuzz.toml", "a bad campaign is kBadCampaign in its file");
    Check(e.line >= 0 && e.column >= 0 && !e.Format().empty(), "errors format");
    return 0;
  }
  CheckRules(*r);
  auto again = gpsi::evaluation::ParseRules(text, "fuzz.toml");
  Check(again.ok() && gpsi::evaluation::RulesHash(*again) == gpsi::evaluation::RulesHash(*r), "parsing is stable");
  return 0;
}
