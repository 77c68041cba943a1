// Which parallel-for the Monte Carlo commands use (src/engine/detail/parallel.hpp): the run loop
// of `gpsi uncertainty` is chunks of 1,024 runs, each chunk forked over the threads and joined
// before its runs.csv lines are written. This times that pattern alone, with a run costing what a
// real one does (a fixed amount of arithmetic, ~10 µs or ~40 µs), for the three candidates:
//   Thread  a std::thread per worker and chunk (what gpsi did before),
//   OpenMP  one `omp parallel` region per chunk (GCC's libgomp keeps its team alive),
//   Tbb     oneTBB's parallel_for over the worker indices in a task_arena of that many threads
//           (what gpsi uses).
// Run: build/bench/gpsi_parallel_bench; and with both cores busy (e.g. two `yes >/dev/null`), the
// case of a server answering requests or a CI machine running tests beside it (bench/RESULTS.md).
#include <benchmark/benchmark.h>
#include <omp.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <cstddef>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t kChunk = 1024;
constexpr unsigned kThreads = 2;

//! One simulated run: `work` rounds of dependent arithmetic the optimiser cannot drop.
double Run(std::size_t run, int work) {
  double x = static_cast<double>(run) * 1e-3 + 1.0;
  for (int i = 0; i < work; ++i) x = std::sqrt(x * 1.000001 + 0.5);
  return x;
}

//! Runs `runs` simulated runs in chunks, each chunk forked by `fork` over kThreads workers.
template <class Fork>
void Chunks(benchmark::State& state, Fork fork) {
  const auto runs = static_cast<std::size_t>(state.range(0));
  const int work = static_cast<int>(state.range(1));
  std::vector<double> sink(kThreads);
  for (auto _ : state) {
    for (std::size_t c0 = 0; c0 < runs; c0 += kChunk) {
      std::size_t c1 = std::min(runs, c0 + kChunk);
      fork([&](unsigned t) {
        double s = 0;
        for (std::size_t run = c0 + t; run < c1; run += kThreads) s += Run(run, work);
        sink[t] += s;
      });
    }
    benchmark::DoNotOptimize(sink.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * runs));
}

void Thread(benchmark::State& state) {
  Chunks(state, [](auto&& fn) {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < kThreads; ++t) pool.emplace_back(fn, t);
    fn(0u);
    for (auto& th : pool) th.join();
  });
}

void OpenMp(benchmark::State& state) {
  Chunks(state, [](auto&& fn) {
#pragma omp parallel num_threads(kThreads)
    fn(static_cast<unsigned>(omp_get_thread_num()));
  });
}

void Tbb(benchmark::State& state) {
  // As src/engine/detail/parallel.hpp: an arena of that many threads per fork.
  Chunks(state, [&](auto&& fn) {
    tbb::task_arena arena(static_cast<int>(kThreads));
    arena.execute([&] {
      tbb::parallel_for(
          0u, kThreads, [&](unsigned t) { fn(t); }, tbb::static_partitioner());
    });
  });
}

void TbbOneArena(benchmark::State& state) {
  // One arena kept for every fork.
  tbb::task_arena arena(static_cast<int>(kThreads));
  Chunks(state, [&](auto&& fn) {
    arena.execute([&] {
      tbb::parallel_for(
          0u, kThreads, [&](unsigned t) { fn(t); }, tbb::static_partitioner());
    });
  });
}

// 100,000 runs; a run of ~10 µs (an ASEM run) and of ~40 µs (a GPSI run).
BENCHMARK(Thread)->Args({100000, 400})->Args({100000, 1600})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(OpenMp)->Args({100000, 400})->Args({100000, 1600})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Tbb)->Args({100000, 400})->Args({100000, 1600})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(TbbOneArena)->Args({100000, 400})->Args({100000, 1600})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
