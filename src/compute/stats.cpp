// Descriptive statistics as R computes them (mean, median, sd, e1071 type-2 skewness and
// kurtosis as copied into COINr), plus the row-wise data share and denomination.
#include <algorithm>
#include <cmath>
#include <vector>

#include "compute.hpp"
#include "detail/r_numerics.hpp"

namespace gpsi::compute {

namespace {

//! Σd², Σd³, Σd⁴ of the deviations d = x − mean(x) over the non-missing values, accumulated in
//! long double as R's sum() does; each power is rounded to double first, as R's x^k is.
struct Moments {
  std::size_t n = 0;
  long double s2 = 0, s3 = 0, s4 = 0;
};

Moments CentralMoments(std::span<const double> x, bool fourth) {
  Moments m;
  const double mean = detail::RMeanSkipNa(x, m.n);
  for (double v : x) {
    if (IsNa(v)) continue;
    const double d = v - mean;
    m.s2 += d * d;
    m.s3 += detail::Cube(d);
    if (fourth) m.s4 += detail::Fourth(d);
  }
  return m;
}

double SkewFrom(std::size_t n, long double s2, long double s3) {
  if (n < 3) return kNa;  // COINr stops here; the caller decides
  // Same operation order as COINr's skew(): sqrt(n)·Σd³ / (Σd²)^1.5 · sqrt(n(n−1)) / (n−2).
  const double dn = static_cast<double>(n);
  double y = std::sqrt(dn) * static_cast<double>(s3) / std::pow(static_cast<double>(s2), 1.5);
  y = y * std::sqrt(dn * (dn - 1)) / (dn - 2);
  return y;
}

double KurtFrom(std::size_t n, long double s2, long double s4) {
  if (n < 4) return kNa;  // COINr stops here; the caller decides
  const double dn = static_cast<double>(n);
  const double q = static_cast<double>(s2);
  const double r = dn * static_cast<double>(s4) / (q * q);
  return ((dn + 1) * (r - 3) + 6) * (dn - 1) / ((dn - 2) * (dn - 3));
}

}  // namespace

namespace detail {

void SkewKurtOf(std::span<const double> x, double& skew, double& kurt) {
  const Moments m = CentralMoments(x, true);
  skew = SkewFrom(m.n, m.s2, m.s3);
  kurt = KurtFrom(m.n, m.s2, m.s4);
}

}  // namespace detail

double Mean(std::span<const double> x) {
  std::vector<double> v;
  detail::NonMissing(x, v);
  return detail::RMean(v.data(), v.size());
}

double Median(std::span<const double> x) {
  std::vector<double> v;
  detail::NonMissing(x, v);
  return detail::RMedianInPlace(v);
}

double SampleSd(std::span<const double> x) {
  std::vector<double> v;
  detail::NonMissing(x, v);
  return std::sqrt(detail::RVar(v.data(), v.size()));
}

double Skew(std::span<const double> x) {
  const Moments m = CentralMoments(x, false);
  return SkewFrom(m.n, m.s2, m.s3);
}

double Kurt(std::span<const double> x) {
  const Moments m = CentralMoments(x, true);
  return KurtFrom(m.n, m.s2, m.s4);
}

void Denominate(std::span<double> x, std::span<const double> den, double scale) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double d = i < den.size() ? den[i] : kNa;
    // COINr divides by the scaled denominator, x / (den / scale); a zero denominator is refused
    // (NA) rather than giving R's Inf/NaN.
    if (IsNa(d) || d == 0 || IsNa(x[i])) {
      x[i] = kNa;
    } else {
      x[i] = x[i] / (d / scale);
    }
  }
}

std::vector<double> DataShare(const Matrix& x, std::span<const std::size_t> cols) {
  std::vector<double> share(x.rows(), kNa);
  if (cols.empty()) return share;
  const double nc = static_cast<double>(cols.size());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    std::size_t na = 0;
    for (std::size_t c : cols) na += IsNa(x(r, c)) ? 1 : 0;
    // COINr's get_data_avail: 1 − nNA / ncol, kept in that form for identical rounding.
    share[r] = 1.0 - static_cast<double>(na) / nc;
  }
  return share;
}

double QuantileType7(std::span<const double> sorted, double p) {
  if (sorted.empty()) return kNa;
  const double h = (static_cast<double>(sorted.size()) - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace gpsi::compute
