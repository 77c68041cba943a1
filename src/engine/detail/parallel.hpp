// The one parallel-for of the Monte Carlo commands: OpenMP, which GCC ships (libgomp). Measured
// against oneTBB and a std::thread pool per chunk in bench/parallel_bench.cpp (bench/RESULTS.md):
// OpenMP keeps one team of threads alive between chunks, which is what a run-chunk loop needs.
#pragma once

#include <omp.h>

namespace gpsi::engine::detail {

//! Calls fn(t) once for every t in [0, threads), each on its own thread, and returns when all
//! have returned (fork-join). fn must not throw: an exception cannot leave an OpenMP region.
template <class F>
void ForEachThread(unsigned threads, F&& fn) {
  if (threads <= 1) {
    fn(0u);
    return;
  }
#pragma omp parallel num_threads(static_cast <int>(threads))
  fn(static_cast<unsigned>(omp_get_thread_num()));
}

}  // namespace gpsi::engine::detail
