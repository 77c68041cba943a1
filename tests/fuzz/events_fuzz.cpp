// Fuzz target: the GDELT event-line scanner (gpsi::detail::EventScanner) over arbitrary bytes,
// fed whole and in pieces of a size taken from the input. Besides crashes and sanitizer reports
// it checks the invariants `gpsi events` relies on: every line is an event, a quarantined line or
// a blank one; cells add up to the events with a country; the result does not depend on how the
// stream is split, nor on the instruction set of the classifier (AVX2 where the CPU has it, and
// the SSE2 baseline); quarantined raw text is short valid UTF-8; the points handed out are valid
// places, one per line at most.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core.hpp"
#include "detail/events_scan.hpp"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "events invariant violated: %s\n", what);
    std::abort();
  }
}

struct Outcome {
  gpsi::detail::EventCounts counts;
  std::int64_t cell_events = 0, cell_violent = 0, conflict_micro = 0, rejects = 0;
  std::int64_t point_lines = 0;  // Σ of the points' line numbers
};

using Simd = gpsi::detail::EventScanner::Simd;

Outcome Scan(std::string_view text, std::size_t piece, Simd simd = Simd::kBest) {
  Outcome o;
  gpsi::detail::EventScanner scanner(
      [&o](gpsi::detail::EventReject&& r) {
        ++o.rejects;
        Check(r.line >= 1 && r.column >= 1, "reject position is 1-based");
        Check(r.raw.size() <= gpsi::detail::kMaxRawBytes, "raw text is cut");
        gpsi::Utf8Validator v;
        Check(v.Feed(r.raw) && !v.Incomplete(), "raw text is valid UTF-8");
        Check(!r.reason.empty(), "reject has a reason");
      },
      simd);
  std::int64_t last_line = 0;
  scanner.OnPoint([&o, &last_line](const gpsi::detail::ScannedPoint& p) {
    Check(p.line > last_line, "points come in line order, one per line");
    last_line = p.line;
    o.point_lines += p.line;
    Check(p.lat >= -90 && p.lat <= 90 && p.lon >= -180 && p.lon <= 180, "a point's place is in range");
    Check(p.root_code >= 1 && p.root_code <= 20 && p.quad_class >= 1 && p.quad_class <= 4, "a point's codes");
    Check(!p.event_id.empty() && p.event_id.size() <= gpsi::detail::kMaxEventIdDigits, "a point's id");
    Check(p.adm1.size() <= gpsi::detail::kMaxAdm1Chars && p.mentions >= 0, "a point's ADM1 and mentions");
    Check(p.country_fips.empty() || p.country_fips.size() == 2, "a point's country");
  });
  for (std::size_t i = 0; i < text.size(); i += piece) scanner.Feed(text.substr(i, piece));
  scanner.Finish();
  o.counts = scanner.counts();
  for (const auto& [key, c] : scanner.cells()) {
    Check(c.events > 0 && c.violent <= c.events, "cell counts");
    int month = gpsi::detail::EventKeyMonth(key);
    Check(month >= 1 && month <= 12, "cell month");
    o.cell_events += c.events, o.cell_violent += c.violent, o.conflict_micro += c.conflict_micro;
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Outcome whole = Scan(text, size + 1);
  const auto& c = whole.counts;
  Check(c.lines == c.events + c.quarantined + c.blank, "lines = events + quarantined + blank");
  Check(c.events == whole.cell_events + c.no_country, "events = cells + no country");
  Check(whole.rejects == c.quarantined, "every quarantined line is reported");
  Check(c.points + c.bad_points <= c.events, "points and bad points are events");
  std::size_t piece = size > 0 ? 1 + data[0] % 97 : 1;
  Outcome split = Scan(text, piece);
  Check(split.counts.lines == c.lines && split.counts.events == c.events && split.counts.quarantined == c.quarantined &&
            split.counts.blank == c.blank && split.counts.no_country == c.no_country &&
            split.counts.points == c.points && split.counts.bad_points == c.bad_points &&
            split.point_lines == whole.point_lines,
        "counts do not depend on the split");
  Check(split.cell_events == whole.cell_events && split.cell_violent == whole.cell_violent &&
            split.conflict_micro == whole.conflict_micro,
        "cells do not depend on the split");
  Outcome baseline = Scan(text, piece, Simd::kBaseline);
  Check(baseline.counts.lines == c.lines && baseline.counts.events == c.events &&
            baseline.counts.quarantined == c.quarantined && baseline.counts.blank == c.blank &&
            baseline.counts.no_country == c.no_country && baseline.counts.reasons == c.reasons &&
            baseline.cell_events == whole.cell_events && baseline.cell_violent == whole.cell_violent &&
            baseline.conflict_micro == whole.conflict_micro && baseline.counts.points == c.points &&
            baseline.counts.bad_points == c.bad_points && baseline.point_lines == whole.point_lines,
        "the SSE2 and the best classifier agree");
  return 0;
}
