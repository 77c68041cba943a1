// MPI plumbing for the Monte Carlo commands (OpenMPI from Debian). Only rank counts, a barrier
// and point-to-point messages of integers are used, so any MPI 3 library would do. MPI is
// optional (CMake option GPSI_WITH_MPI): without it every process is one of one, and a process
// started by mpirun refuses to run, since each would otherwise write the same files.
#if GPSI_HAVE_MPI
#include <mpi.h>
#endif

#include <cstdlib>
#include <vector>

#include "detail/mpi.hpp"

namespace gpsi::engine::detail {
namespace {

bool LaunchedByMpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
}

}  // namespace

#if !GPSI_HAVE_MPI

Mpi::Mpi() {
  if (LaunchedByMpirun()) {
    throw Failure(Error{Errc::kUsage, "this gpsi was built without MPI (GPSI_WITH_MPI=OFF): run it without mpirun"});
  }
}
Mpi::~Mpi() = default;
Status Mpi::Reduce(analysis::RankStats&, std::size_t&) {
  return Ok();
}
Status Mpi::Collect(std::span<double>, std::size_t, std::size_t) {
  return Ok();
}

#else

Mpi::Mpi() {
  if (!LaunchedByMpirun()) return;
  int already = 0;
  MPI_Initialized(&already);
  if (!already) {
    MPI_Init(nullptr, nullptr);
    initialised_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Mpi::~Mpi() {
  if (initialised_) MPI_Finalize();
}

Status Mpi::Reduce(analysis::RankStats& stats, std::size_t& failed) {
  if (size_ == 1) return Ok();
  if (rank_ != 0) {
    std::vector<std::int64_t> data = stats.Serialize();
    data.push_back(static_cast<std::int64_t>(failed));
    auto n = static_cast<std::int64_t>(data.size());
    MPI_Send(&n, 1, MPI_INT64_T, 0, 1, MPI_COMM_WORLD);
    MPI_Send(data.data(), static_cast<int>(n), MPI_INT64_T, 0, 2, MPI_COMM_WORLD);
    return Ok();
  }
  for (int r = 1; r < size_; ++r) {
    std::int64_t n = 0;
    MPI_Recv(&n, 1, MPI_INT64_T, r, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    std::vector<std::int64_t> data(static_cast<std::size_t>(n));
    MPI_Recv(data.data(), static_cast<int>(n), MPI_INT64_T, r, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (data.empty()) return Error{Errc::kInternal, "empty statistics from an MPI rank"};
    failed += static_cast<std::size_t>(data.back());
    data.pop_back();
    if (auto st = stats.MergeSerialized(data); !st) return st;
  }
  // Every rank's runs.csv part is complete before rank 0 joins them.
  return Ok();
}

Status Mpi::Collect(std::span<double> all, std::size_t width, std::size_t n) {
  if (size_ == 1) return Ok();
  auto slice = [&](int r) {
    std::size_t a = n * static_cast<std::size_t>(r) / static_cast<std::size_t>(size_);
    std::size_t b = n * static_cast<std::size_t>(r + 1) / static_cast<std::size_t>(size_);
    return all.subspan(a * width, (b - a) * width);
  };
  if (rank_ != 0) {
    auto mine = slice(rank_);
    MPI_Send(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, 0, 3, MPI_COMM_WORLD);
    return Ok();
  }
  for (int r = 1; r < size_; ++r) {
    auto theirs = slice(r);
    MPI_Recv(theirs.data(), static_cast<int>(theirs.size()), MPI_DOUBLE, r, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  return Ok();
}

#endif  // GPSI_HAVE_MPI

}  // namespace gpsi::engine::detail
