// The shared set-up of the Monte Carlo commands (uncertainty, sensitivity).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis.hpp"
#include "built.hpp"

namespace gpsi::engine::detail {

//! The alternatives a run chooses from; index 0 of each list is the nominal choice.
struct Space {
  std::vector<int> winmax;
  std::vector<compute::NormSpec> norm;
  std::vector<std::optional<compute::AggMethod>> aggregate;
  std::vector<std::string> impute_names, treat_names, norm_names, agg_names;
  std::vector<std::pair<int, double>> noise;  // (level, factor)
  bool exclude_one = false;
};

//! The nominal build and what a Monte Carlo run recomputes.
struct MonteCarlo {
  detail::Built b;
  analysis::Scenario sc;
  Space sp;
  std::vector<std::size_t> rows;  //!< the build's scored rows, in scenario order
  std::vector<int> ind_nodes;     //!< node index of each indicator
  std::size_t max_block = 0;      //!< most rows in one year
};

//! The nominal run: the method's own treatment, normalisation and weights.
analysis::RunChoice NominalChoice(const MonteCarlo& mc);

//! Prepares the runner for the nominal run and every (imputation, treatment, normalisation)
//! combination of the choice space.
Status PrepareAll(analysis::Runner& runner, const MonteCarlo& mc);

//! The method's own build (when `nominal`) followed by one build per alternative imputation of
//! its [uncertainty] table, all from one read of the panel (src/engine/build.cpp). Each equals
//! engine::Build of the method with that pipeline.impute, data hash included.
Result<std::vector<detail::Built>> BuildImputations(const BuildConfig& cfg, bool nominal);

//! Builds the nominal index (and one build per alternative imputation) and the choice space of
//! the method's [uncertainty] table. With `nominal`, that build (made from `bc`) is reused.
Result<std::unique_ptr<MonteCarlo>> PrepareMonteCarlo(const BuildConfig& bc, const detail::Built* nominal = nullptr);

//! engine::Uncertainty, and its in-memory mode: with `table`, every run is made in this process
//! (whatever MPI says), no file is written and `table` receives the rows of rank_stats.csv.
//! With `nominal`, that build (made from cfg.build) is reused instead of building again.
Result<UncertaintySummary> RunUncertainty(const UncertaintyConfig& cfg, const detail::Built* nominal,
                                          std::vector<RankStat>* table);

}  // namespace gpsi::engine::detail
