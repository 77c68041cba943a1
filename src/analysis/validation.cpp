// Validation statistics (gpsi validate): rank agreement with an external measure and the
// separation of two known groups, each with a percentile bootstrap interval.
#include <algorithm>
#include <cmath>

#include "analysis.hpp"

namespace gpsi::analysis {
namespace {

using compute::IsNa;
using compute::kNa;

//! Percentile interval of the finite values at `level`.
void Percentiles(std::vector<double>& values, double level, Interval& out) {
  std::erase_if(values, [](double v) { return !std::isfinite(v); });
  std::sort(values.begin(), values.end());
  out.lo = QuantileType7(values, (1 - level) / 2);
  out.hi = QuantileType7(values, (1 + level) / 2);
}

std::vector<double> Present(std::span<const double> x) {
  std::vector<double> out;
  for (double v : x) {
    if (!IsNa(v)) out.push_back(v);
  }
  return out;
}

//! U / (n_low·n_high): pairs where low < high count 1, ties ½.
double Auc(const std::vector<double>& low, const std::vector<double>& high) {
  if (low.empty() || high.empty()) return kNa;
  double u = 0;
  for (double a : low) {
    for (double b : high) u += a < b ? 1.0 : a == b ? 0.5 : 0.0;
  }
  return u / (static_cast<double>(low.size()) * static_cast<double>(high.size()));
}

}  // namespace

Interval SpearmanInterval(std::span<const double> x, std::span<const double> y, std::size_t bootstrap,
                          std::uint64_t seed, double level) {
  std::vector<double> a, b;
  for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
    if (IsNa(x[i]) || IsNa(y[i])) continue;
    a.push_back(x[i]);
    b.push_back(y[i]);
  }
  Interval out;
  out.n = a.size();
  if (out.n < 3) return out;
  out.value = Correlate(a, b, CorrMethod::kSpearman).r;
  std::vector<double> rs, ra(out.n), rb(out.n);
  rs.reserve(bootstrap);
  for (std::size_t k = 0; k < bootstrap; ++k) {
    Rng rng(seed, kValidationStream + k);
    for (std::size_t i = 0; i < out.n; ++i) {
      const std::size_t j = rng.Below(out.n);
      ra[i] = a[j], rb[i] = b[j];
    }
    rs.push_back(Correlate(ra, rb, CorrMethod::kSpearman).r);
  }
  Percentiles(rs, level, out);
  return out;
}

Interval AucInterval(std::span<const double> low, std::span<const double> high, std::size_t bootstrap,
                     std::uint64_t seed, double level) {
  const std::vector<double> a = Present(low), b = Present(high);
  Interval out;
  out.n = a.size() + b.size();
  out.value = Auc(a, b);
  if (IsNa(out.value)) return out;
  std::vector<double> values, ra(a.size()), rb(b.size());
  values.reserve(bootstrap);
  for (std::size_t k = 0; k < bootstrap; ++k) {
    Rng rng(seed, kValidationStream + k);
    for (auto& v : ra) v = a[rng.Below(a.size())];
    for (auto& v : rb) v = b[rng.Below(b.size())];
    values.push_back(Auc(ra, rb));
  }
  Percentiles(values, level, out);
  return out;
}

}  // namespace gpsi::analysis
