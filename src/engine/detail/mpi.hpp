// Splitting Monte Carlo runs across MPI processes. gpsi joins MPI only when started by mpirun
// (OpenMPI's OMPI_COMM_WORLD_SIZE or a PMI environment); otherwise it is one process of one.
#pragma once

#include <cstddef>
#include <span>
#include <utility>

#include "analysis.hpp"
#include "core.hpp"

namespace gpsi::engine::detail {

class Mpi {
 public:
  Mpi();   //!< MPI_Init when launched by mpirun
  ~Mpi();  //!< MPI_Finalize if it initialised
  Mpi(const Mpi&) = delete;
  Mpi& operator=(const Mpi&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  //! This process's contiguous share [first, last) of n runs.
  std::pair<std::size_t, std::size_t> Share(std::size_t n) const {
    return {n * static_cast<std::size_t>(rank_) / static_cast<std::size_t>(size_),
            n * static_cast<std::size_t>(rank_ + 1) / static_cast<std::size_t>(size_)};
  }
  //! Sends every rank's statistics and failure count to rank 0, which merges them in rank order.
  Status Reduce(analysis::RankStats& stats, std::size_t& failed);
  //! `all` holds n items of `width` values; each rank filled its Share(n). Rank 0 receives the
  //! other ranks' shares into place.
  Status Collect(std::span<double> all, std::size_t width, std::size_t n);

 private:
  int rank_ = 0, size_ = 1;
  bool initialised_ = false;
};

}  // namespace gpsi::engine::detail
