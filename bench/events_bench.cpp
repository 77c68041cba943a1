// Micro-benchmark of the `gpsi events` scanner alone (detail::EventScanner), the "one core"
// figure: GDELT 2.0 lines already in memory, fed in 1 MiB pieces as the command's read blocks,
// no hashing, raw copy or I/O. Two inputs of about 64 MiB, both from the real sample
// ../shared/data/events_gdelt_sample (GPSI_BENCH_DATA):
// - Sample: the sample's lines repeated as they are (102 countries, one month).
// - Varied: lines drawn at random from the sample with SQLDATE (2015–2024), country (some empty,
//   some unknown), root code, QuadClass and Goldstein varied as bench/gen_events.py does, so
//   consecutive events fall in different cells, as in bench/events.sh.
// Bytes/s is of the (uncompressed) input text.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "detail/events_scan.hpp"

namespace {

using gpsi::detail::EventReject;
using gpsi::detail::EventScanner;

constexpr std::size_t kTarget = 64 << 20;
constexpr std::size_t kPiece = 1 << 20;

std::vector<std::vector<std::string>> SampleLines() {
  std::ifstream in(std::string(GPSI_BENCH_DATA) + "/events_gdelt_sample/20191024143000.export.CSV");
  std::vector<std::vector<std::string>> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string v; std::getline(fields, v, '\t');) f.push_back(v);
    f.resize(61);  // a trailing empty field is dropped by getline
    lines.push_back(std::move(f));
  }
  return lines;
}

std::string Join(const std::vector<std::string>& f) {
  std::string s;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (i) s += '\t';
    s += f[i];
  }
  s += '\n';
  return s;
}

const std::string& SampleText() {
  static const std::string text = [] {
    std::string one;
    for (const auto& f : SampleLines()) one += Join(f);
    std::string s;
    while (!one.empty() && s.size() < kTarget) s += one;
    return s;
  }();
  return text;
}

// The C++ twin of bench/gen_events.py (same fields varied, same ranges; not the same random draws).
const std::string& VariedText() {
  static const std::string text = [] {
    auto lines = SampleLines();
    std::set<std::string> codes;
    for (const auto& f : lines) {
      if (!f[53].empty()) codes.insert(f[53]);
    }
    std::vector<std::string> countries(codes.begin(), codes.end());
    countries.insert(countries.end(), {"", "", "ZZ"});  // empty: no country; ZZ: unknown FIPS
    std::mt19937_64 rng(1);
    auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    std::string s;
    char buf[16];
    while (!lines.empty() && s.size() < kTarget) {
      auto f = lines[static_cast<std::size_t>(pick(0, static_cast<int>(lines.size()) - 1))];
      int y = pick(2015, 2024), m = pick(1, 12), d = pick(1, 28);
      std::snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, d);
      f[1] = buf, f[2] = f[1].substr(0, 6), f[3] = f[1].substr(0, 4);
      int root = pick(1, 20);
      std::snprintf(buf, sizeof buf, "%02d", root);
      f[28] = buf, f[26] = f[27] = f[28] + "0";
      f[29].assign(1, root <= 5 ? '1' : root <= 9 ? '2' : root <= 14 ? '3' : '4');
      std::snprintf(buf, sizeof buf, "%.1f", pick(-100, 100) / 10.0);
      f[30] = buf;
      f[53] = countries[static_cast<std::size_t>(pick(0, static_cast<int>(countries.size()) - 1))];
      s += Join(f);
    }
    return s;
  }();
  return text;
}

void Scan(benchmark::State& state, const std::string& text, EventScanner::Simd simd = EventScanner::Simd::kBest) {
  if (text.empty()) {
    state.SkipWithError("no sample: events_gdelt_sample/20191024143000.export.CSV under GPSI_BENCH_DATA");
    return;
  }
  std::int64_t events = 0;
  for (auto _ : state) {
    std::int64_t rejects = 0;
    EventScanner scanner([&rejects](EventReject&&) { ++rejects; }, simd);
    for (std::size_t i = 0; i < text.size(); i += kPiece) {
      scanner.Feed(std::string_view(text).substr(i, kPiece));
    }
    scanner.Finish();
    events = scanner.counts().events;
    benchmark::DoNotOptimize(events);
    benchmark::DoNotOptimize(rejects);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
  state.counters["events"] = static_cast<double>(events);
}

void BM_EventScanSample(benchmark::State& state) {
  Scan(state, SampleText());
}
void BM_EventScanVaried(benchmark::State& state) {
  Scan(state, VariedText());
}
// The same with the SSE2 classifier that CPUs without AVX2 use (the two above use AVX2 where the
// CPU has it): the gain of the wider compares, side by side.
void BM_EventScanSampleSse2(benchmark::State& state) {
  Scan(state, SampleText(), EventScanner::Simd::kBaseline);
}
void BM_EventScanVariedSse2(benchmark::State& state) {
  Scan(state, VariedText(), EventScanner::Simd::kBaseline);
}
BENCHMARK(BM_EventScanSample)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EventScanVaried)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EventScanSampleSse2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EventScanVariedSse2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
