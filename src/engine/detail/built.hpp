// The engine's own view of a build: the method and the matrices the compute kernels ran on, which
// the audit, validation, Monte Carlo and what-if reuse. Front ends see engine::BuildResult, made
// from it by View.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analysis.hpp"
#include "compute.hpp"
#include "engine.hpp"
#include "ingest.hpp"
#include "method.hpp"
#include "store.hpp"

namespace gpsi::engine {

//! Opens the store to write it; a new (empty) store is initialised first, an older one must be
//! migrated with `gpsi init`, a newer one is refused, one this process may not write is an input
//! error (exit 3). Raw copies that killed writers left are removed (RemoveStaleRawCopies).
Result<std::unique_ptr<Store>> Open(const std::string& db_path);
//! Opens a store that must already exist: a missing file is an input error (exit 3) with the hint
//! to make one, not a new empty store that answers "no data". kRead (the commands that only read
//! it) opens it read-only and never writes it: an uninitialised or older store is an input error
//! saying to run `gpsi init`, not migrated. kWrite (build, which records its run) checks as Open
//! does, but never makes a store.
Result<std::unique_ptr<Store>> OpenExisting(const std::string& db_path, StoreAccess access = StoreAccess::kRead);

namespace detail {

using compute::Matrix;

//! The pipeline's own result, as COINr's data sets: rows are unit-years, columns the method's
//! indicators (node order) — or, for `scores`, every node. engine::BuildResult is its view.
struct Built {
  method::Method method;
  bool has_years = false;             //!< false for single-period COINr data without a Time column
  std::vector<std::string> row_unit;  //!< per row: unit code (rows sorted by year, then unit)
  std::vector<std::string> row_name;  //!< per row: unit name
  std::vector<int> row_year;          //!< per row: year (0 when !has_years)
  std::vector<bool> excluded;         //!< per row: screened out (flag x)
  std::vector<RowStatus> status;      //!< per row: eligibility to be ranked (all ranked without [eligibility])
  //! rows × indicators (row-major): where each value came from; View moves them into the Panel
  std::vector<CellOrigin> origin;
  std::vector<FallbackOverlap> fallback_overlap;                   //!< per indicator and fallback series (store builds)
  compute::Matrix raw, denominated, imputed, treated, normalised;  //!< rows × indicators
  //! rows × indicators: a windowed indicator's own-year value before its window, NaN elsewhere
  //! (empty for COINr data): the annual counts behind a lag-weighted mean.
  compute::Matrix annual;
  compute::Matrix scores;               //!< rows × nodes: indicators' normalised values, then aggregates
  std::vector<std::vector<int>> ranks;  //!< per node, per row: 1 = best within year; 0 = none
  //! Per row × node (row-major by node count): i imputed, t treated, x excluded, f from a fallback
  //! series, d one dimension missing (ranked), n not ranked (docs/methodology-format.md).
  std::vector<std::string> flags;
  std::vector<double> weights;              //!< per node, as used (explicit, equal or PCA-derived)
  std::vector<compute::TreatReport> treat;  //!< per indicator, points by build row (pooled panel only)
  std::vector<std::string> log;             //!< the readable log of every decision
  std::string data_hash;                    //!< sha256 of every input cell (unit, year, column, value, source)
  std::string run_id;
  std::size_t imputed_cells = 0, treated_points = 0;
  double compute_seconds = 0;  //!< denominate through rank
};

//! Builds the index as engine::Build does, keeping the pipeline's own result; writes no file.
Result<Built> BuildIndex(const BuildConfig& cfg);

//! The front ends' view of a build: method, Panel, ScoreTable and row status. The cell origins
//! move into the Panel (the view's `built` keeps no `origin`; read them from `panel`).
BuildResult View(Built b);

}  // namespace detail
}  // namespace gpsi::engine
