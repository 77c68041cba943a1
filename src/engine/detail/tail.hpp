// The aggregate → rank tail that a build, a what-if and the Monte Carlo runs share: the kernels
// are compute::AggregateNode/AggregateTree and compute::RankWithin; these name their inputs and
// errors in the build's terms.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "built.hpp"
#include "compute.hpp"

namespace gpsi::engine::detail {

//! The blocks ranks are taken within: per year of the build, the positions q of `rows` (build rows)
//! whose row is ranked (RowStatus::ranked), in order.
std::vector<std::vector<std::size_t>> RankBlocks(const detail::Built& b, std::span<const std::size_t> rows);

//! The error of an aggregation the tree cannot compute (kUncomputable), naming the node, the row
//! (`row`: its unit and year) and the child whose value the mean does not allow.
Error AggregateError(const method::Method& m, const compute::BadAggregate& bad, const std::string& row);

//! Whether a unit-year with this data share is screened out (pipeline.screen): no data at all, or
//! a share below pipeline.screen = na:<share>.
inline bool ScreenedOut(double share, const method::Pipeline& p) {
  return share == 0 || share < p.screen_share;
}

//! Whether a scored unit-year is ranked ([eligibility]), from its `excluded`, `population` and
//! `dimensions_missing`: not when screened out, then not below the population threshold, then not
//! with more than max_missing_dimensions children of the index without a score. Sets `ranked`,
//! `why` and `reason` (the first rule that fails).
void Decide(const method::Method& m, RowStatus& st);

//! A build row as the log and errors name it: "unit year", or the unit alone for single-period data.
std::string RowName(const detail::Built& b, std::size_t r);

}  // namespace gpsi::engine::detail
