// Bounds on what a command may ask of the machine (issue 16): runs, threads and output size, each
// refused before any work as a usage error with an estimate, so that a typo (--samples 1e12,
// --threads 100000) fails at once instead of filling the disk or the memory.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "core.hpp"

namespace gpsi::engine::detail {

//! Monte Carlo or Saltelli runs of one command: a million runs of the default method take about
//! 17 minutes on 2 cores (bench/RESULTS.md: ≈1,000 runs/s).
inline constexpr std::size_t kMaxRuns = 1'000'000;
//! Worker threads: beyond a few per core they only cost memory (each keeps its own buffers).
inline constexpr int kMaxThreads = 256;

//! `runs` within kMaxRuns; `what` names the option ("--samples 2000000: 2000000 runs, …").
inline Status CheckRuns(std::size_t runs, const std::string& what) {
  if (runs <= kMaxRuns) return Ok();
  return Error{Errc::kUsage, fmt::format("{}: {} runs would take about {:.1f} hours on 2 cores; at most {} runs", what,
                                         runs, static_cast<double>(runs) / 1000.0 / 3600.0, kMaxRuns)};
}

//! `threads` (0 = one per core) within kMaxThreads.
inline Status CheckThreads(int threads) {
  if (threads >= 0 && threads <= kMaxThreads) return Ok();
  return Error{Errc::kUsage, fmt::format("--threads {}: at most {} (0 = one per core)", threads, kMaxThreads)};
}

//! An output of about `bytes` fits the free space of the filesystem of `dir` (or of its nearest
//! existing parent), with a margin; `what` names it.
inline Status CheckSpace(std::uintmax_t bytes, const std::filesystem::path& dir, const std::string& what) {
  std::error_code ec;
  std::filesystem::path at = dir.empty() ? std::filesystem::current_path(ec) : std::filesystem::absolute(dir, ec);
  while (!at.empty() && !std::filesystem::exists(at, ec) && at.has_parent_path() && at != at.parent_path()) {
    at = at.parent_path();
  }
  const auto space = std::filesystem::space(at, ec);
  if (ec || bytes + (bytes / 10) <= space.available) return Ok();
  return Error{Errc::kUsage,
               fmt::format("{} would take about {:.1f} GB; {} has {:.1f} GB free", what,
                           static_cast<double>(bytes) / 1e9, at.string(), static_cast<double>(space.available) / 1e9)};
}

}  // namespace gpsi::engine::detail
