// Method choices (method module) as compute kernel parameters, shared by build, what-if and the
// Monte Carlo commands.
#pragma once

#include <map>

#include "compute.hpp"
#include "method.hpp"

namespace gpsi::engine::detail {

inline compute::NormSpec NormOf(const method::Pipeline& p) {
  using N = method::Normalise;
  using C = compute::NormMethod;
  static const std::map<N, C> kMap{{N::kMinMax, C::kMinMax},       {N::kZScore, C::kZScore},
                                   {N::kRank, C::kRank},           {N::kPercentile, C::kPercentile},
                                   {N::kGoalposts, C::kGoalposts}, {N::kDistFrontier, C::kDistFrontier},
                                   {N::kBand5, C::kBand5}};
  return compute::NormSpec{kMap.at(p.normalise), p.norm_p1, p.norm_p2};
}

inline compute::AggMethod AggOf(method::Aggregate a) {
  switch (a) {
    case method::Aggregate::kGeometric: return compute::AggMethod::kGeometric;
    case method::Aggregate::kHarmonic: return compute::AggMethod::kHarmonic;
    case method::Aggregate::kMedian: return compute::AggMethod::kMedian;
    default: return compute::AggMethod::kArithmetic;
  }
}

inline compute::ImputeMethod ImputeOf(method::Impute i) {
  using I = method::Impute;
  using C = compute::ImputeMethod;
  static const std::map<I, C> kMap{{I::kNone, C::kNone},
                                   {I::kMean, C::kMean},
                                   {I::kMedian, C::kMedian},
                                   {I::kGroupMean, C::kGroupMean},
                                   {I::kGroupMedian, C::kGroupMedian},
                                   {I::kLocf, C::kLocf},
                                   {I::kInterpolate, C::kInterpolate}};
  return kMap.at(i);
}

//! The method's framework as the aggregation tree the compute kernels walk (nodes in method order:
//! indicators first, then aggregates by level), each aggregate under its own or the pipeline's method.
inline compute::Tree TreeOf(const method::Method& m) {
  compute::Tree t;
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    const auto& n = m.nodes[i];
    if (n.indicator) ++t.indicators;
    auto kids = m.Children(static_cast<int>(i));
    t.children.emplace_back(kids.begin(), kids.end());
    t.method.push_back(AggOf(n.aggregate.value_or(m.pipeline.aggregate)));
  }
  t.min_share = m.pipeline.aggregate_min_share;
  return t;
}

}  // namespace gpsi::engine::detail
