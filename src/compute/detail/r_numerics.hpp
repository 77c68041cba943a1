// Internal: R's numeric conventions that the kernels must reproduce to match COINr bit for bit
// (or nearly): sums accumulate in long double (R's LDOUBLE), `mean` adds a second correction pass,
// and `var` divides a long-double sum of squared deviations by n − 1.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace gpsi::compute::detail {

//! R `mean` of n values (none missing): long-double sum / n plus R's correction pass.
inline double RMean(const double* v, std::size_t n) {
  if (n == 0) return std::nan("");
  long double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += v[i];
  s /= static_cast<long double>(n);
  if (std::isfinite(static_cast<double>(s))) {
    long double t = 0;
    for (std::size_t i = 0; i < n; ++i) t += (v[i] - s);
    s += t / static_cast<long double>(n);
  }
  return static_cast<double>(s);
}

//! R `mean` of the non-missing values of x, without copying them.
inline double RMeanSkipNa(std::span<const double> x, std::size_t& n) {
  long double s = 0;
  n = 0;
  for (double v : x)
    if (!std::isnan(v)) s += v, ++n;
  if (n == 0) return std::nan("");
  s /= static_cast<long double>(n);
  if (std::isfinite(static_cast<double>(s))) {
    long double t = 0;
    for (double v : x)
      if (!std::isnan(v)) t += (v - s);
    s += t / static_cast<long double>(n);
  }
  return static_cast<double>(s);
}

//! d^k for k = 3, 4 as R's `^` (glibc pow): the long-double product is within 2^-62 of the exact
//! power, so once rounded to double it equals pow's result but in rare near-halfway cases (1 ulp,
//! far below COINr agreement tolerances), at a fraction of pow's cost (Treat calls this a lot).
inline double Cube(double d) {
  const long double l = d;
  return static_cast<double>(l * l * l);
}
inline double Fourth(double d) {
  const long double l = static_cast<long double>(d) * d;
  return static_cast<double>(l * l);
}

//! R `var` of n values (none missing), denominator n − 1, as in R's cov.c.
inline double RVar(const double* v, std::size_t n) {
  if (n < 2) return std::nan("");
  // R's cov.c takes the mean with the same two-pass long-double scheme as `mean`.
  const double m = RMean(v, n);
  long double s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = v[i] - m;
    s += d * d;
  }
  return static_cast<double>(s / static_cast<long double>(n - 1));
}

//! R `median` of values sorted in place (none missing).
inline double RMedianInPlace(std::vector<double>& v) {
  const std::size_t n = v.size();
  if (n == 0) return std::nan("");
  const std::size_t half = (n + 1) / 2;
  std::nth_element(v.begin(), v.begin() + (half - 1), v.end());
  const double lo = v[half - 1];
  if (n % 2 == 1) return lo;
  const double hi = *std::min_element(v.begin() + half, v.end());
  const double pair[2] = {lo, hi};  // R takes mean(c(lo, hi))
  return RMean(pair, 2);
}

//! Copies the non-missing values of x into out (cleared first).
inline void NonMissing(std::span<const double> x, std::vector<double>& out) {
  out.clear();
  for (double v : x)
    if (!std::isnan(v)) out.push_back(v);
}

//! COINr skew and kurt of the non-missing values of x in one pass (NaN where undefined);
//! defined in stats.cpp.
void SkewKurtOf(std::span<const double> x, double& skew, double& kurt);

}  // namespace gpsi::compute::detail
