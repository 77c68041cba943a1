// Micro-benchmark of `gpsi build` on COINr's ASEM example in-process: the whole engine::Build
// (reading iData/iMeta, the method, the pipeline) per iteration, with the pipeline's own time
// (denominate through rank, BuildResult::compute_seconds) reported as the counter compute_us.
// The ASEM data are read from ../shared/data (GPSI_BENCH_DATA).
#include <benchmark/benchmark.h>

#include <string>

#include "engine.hpp"

namespace {

gpsi::engine::BuildConfig AsemConfig() {
  gpsi::engine::BuildConfig cfg;
  cfg.coinr_data = std::string(GPSI_BENCH_DATA) + "/asem/iData.csv";
  cfg.coinr_meta = std::string(GPSI_BENCH_DATA) + "/asem/iMeta.csv";
  // COINr's standard example pipeline (build_example_coin), as in the golden test.
  cfg.sets = {"pipeline.denominate=on", "pipeline.impute=group-mean:EurAsia_group", "pipeline.screen=na:0.9",
              "pipeline.treat=jrc:5",   "pipeline.normalise=minmax:0:100",          "pipeline.aggregate=arithmetic"};
  return cfg;
}

void BM_AsemBuild(benchmark::State& state) {
  auto cfg = AsemConfig();
  double compute = 0;
  for (auto _ : state) {
    auto b = gpsi::engine::Build(cfg);
    if (!b) {
      state.SkipWithError(b.error().Format().c_str());
      return;
    }
    compute += b->compute_seconds;
    benchmark::DoNotOptimize(b->scores);
  }
  state.counters["compute_us"] = benchmark::Counter(compute * 1e6 / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_AsemBuild)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
