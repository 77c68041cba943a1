// Coherence of an index: correlations with their p-values, Cronbach's alpha and PCA, each defined
// as the JRC COINr 1.1.14 function that reports it (get_corr/get_pvals, get_cronbach, get_PCA in
// COINr's R/correlations.R and R/PCA.R), which in turn rest on R's cor, cor.test, cov and prcomp.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include <fmt/format.h>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "analysis.hpp"

namespace gpsi::analysis {
namespace {

using compute::IsNa;
using compute::kNa;

//! Pearson's r of two complete vectors as R's C cor: centred sums in long double, NA when either
//! has zero variance, clamped to [−1, 1].
double PearsonR(const std::vector<double>& a, const std::vector<double>& b) {
  std::size_t n = a.size();
  if (n < 2) return kNa;
  long double ma = 0, mb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= static_cast<long double>(n);
  mb /= static_cast<long double>(n);
  long double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    long double da = a[i] - ma, db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa == 0 || sbb == 0) return kNa;
  long double r = sab / (std::sqrt(saa) * std::sqrt(sbb));
  return static_cast<double>(std::clamp(r, -1.0L, 1.0L));
}

//! Ranks 1..n with ties given their average rank (R rank, ties.method = "average").
std::vector<double> AverageRanks(const std::vector<double>& v) {
  std::vector<std::size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> out(v.size());
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
    double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) out[idx[k]] = rank;
    i = j + 1;
  }
  return out;
}

//! Lower-tail probability of Student's t (R pt); t may be infinite.
double TCdf(double t, double df, bool lower) {
  if (std::isinf(t)) return (t > 0) == lower ? 1.0 : 0.0;
  boost::math::students_t dist(df);
  return lower ? boost::math::cdf(dist, t) : boost::math::cdf(boost::math::complement(dist, t));
}

//! AS 89 (Best & Roberts 1975), as R's prho: Pr[S ≥ s] (upper) or Pr[S < s] (lower) for
//! S = Σ(rank differences)² under independence; exact by enumerating permutations for n ≤ 9,
//! else the Edgeworth series.
double SpearmanS(std::size_t n, double s, bool lower) {
  double p = lower ? 0.0 : 1.0;
  if (n <= 1 || s <= 0) return p;
  double nd = static_cast<double>(n);
  double smax = nd * (nd * nd - 1.0) / 3.0;  // the largest S, reached by the reversed order only
  if (s > smax) return 1.0 - p;
  if (n <= 9) {
    std::vector<int> perm(n);
    std::iota(perm.begin(), perm.end(), 1);
    long long total = 0, at_least = 0;
    do {
      long long d2 = 0;
      for (std::size_t i = 0; i < n; ++i) {
        long long d = static_cast<long long>(i + 1) - perm[i];
        d2 += d * d;
      }
      at_least += static_cast<double>(d2) >= s ? 1 : 0;
      ++total;
    } while (std::next_permutation(perm.begin(), perm.end()));
    return static_cast<double>(lower ? total - at_least : at_least) / static_cast<double>(total);
  }
  // Edgeworth coefficients of AS 89.
  constexpr double c1 = 0.2274, c2 = 0.2531, c3 = 0.1745, c4 = 0.0758, c5 = 0.1033, c6 = 0.3932, c7 = 0.0879,
                   c8 = 0.0151, c9 = 0.0072, c10 = 0.0831, c11 = 0.0131, c12 = 4.6e-4;
  double b = 1.0 / nd;
  double x = (6.0 * (s - 1.0) * b / (nd * nd - 1.0) - 1.0) * std::sqrt(nd - 1.0);  // −rho·√(n−1)
  double y = x * x;
  double u = x * b *
             (c1 + b * (c2 + c3 * b) +
              y * (-c4 + b * (c5 + c6 * b) - y * b * (c7 + c8 * b - y * (c9 - c10 * b + y * b * (c11 - c12 * y)))));
  double corr = u / std::exp(y / 2.0);
  boost::math::normal z;
  double tail = lower ? boost::math::cdf(z, x) : boost::math::cdf(boost::math::complement(z, x));
  p = (lower ? -corr : corr) + tail;
  return std::clamp(p, 0.0, 1.0);
}

double PearsonPValue(double r, std::size_t n) {
  if (n < 3 || IsNa(r)) return kNa;
  double df = static_cast<double>(n - 2);
  double t = 1.0 - r * r <= 0 ? std::copysign(INFINITY, r) : std::sqrt(df) * r / std::sqrt(1.0 - r * r);
  // R takes the lower tail and its complement, 2·min(p, 1 − p); kept so small p agree with R's.
  double p = TCdf(t, df, true);
  return 2.0 * std::min(p, 1.0 - p);
}

}  // namespace

double SpearmanPValue(double rho, std::size_t n, bool ties) {
  if (n < 2 || IsNa(rho) || !std::isfinite(rho)) return kNa;
  double nd = static_cast<double>(n);
  double q = (nd * nd * nd - nd) * (1.0 - rho) / 6.0;
  double den = nd * (nd * nd - 1.0) / 6.0;
  bool lower = !(q > (nd * nd * nd - nd) / 6.0);
  double p;
  if (!ties && n <= 1290) {
    // R passes round(S) + 2 for the lower tail: S is even without ties, so Pr[S < round(S) + 2]
    // is Pr[S ≤ observed].
    p = SpearmanS(n, std::nearbyint(q) + (lower ? 2.0 : 0.0), lower);
  } else {
    if (n < 3) return kNa;  // t on 0 df: R gives NaN
    double r = 1.0 - q / den;
    double t = 1.0 - r * r <= 0 ? std::copysign(INFINITY, r) : r / std::sqrt((1.0 - r * r) / (nd - 2.0));
    p = TCdf(t, nd - 2.0, !lower);
  }
  return std::min(2.0 * p, 1.0);
}

Corr Correlate(std::span<const double> x, std::span<const double> y, CorrMethod method) {
  Corr out;
  std::vector<double> a, b;
  std::size_t len = std::min(x.size(), y.size());
  for (std::size_t i = 0; i < len; ++i) {
    if (IsNa(x[i]) || IsNa(y[i])) continue;
    a.push_back(x[i]);
    b.push_back(y[i]);
  }
  out.n = a.size();
  if (method == CorrMethod::kPearson) {
    out.r = PearsonR(a, b);
    out.p = PearsonPValue(out.r, out.n);
    return out;
  }
  std::size_t distinct_a = std::set<double>(a.begin(), a.end()).size();
  std::size_t distinct_b = std::set<double>(b.begin(), b.end()).size();
  bool ties = std::min(distinct_a, distinct_b) < out.n;
  out.r = PearsonR(AverageRanks(a), AverageRanks(b));
  out.p = SpearmanPValue(out.r, out.n, ties);
  return out;
}

double CronbachAlpha(const Matrix& x, std::span<const std::size_t> cols) {
  std::size_t k = cols.size();
  if (k < 2) return kNa;
  // COINr sums the pairwise-complete covariances, dropping the ones R leaves NA (fewer than two
  // common rows).
  long double all = 0, diag = 0;
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = i; j < k; ++j) {
      std::vector<double> a, b;
      for (std::size_t r = 0; r < x.rows(); ++r) {
        double u = x(r, cols[i]), v = x(r, cols[j]);
        if (IsNa(u) || IsNa(v)) continue;
        a.push_back(u);
        b.push_back(v);
      }
      if (a.size() < 2) continue;
      long double ma = 0, mb = 0;
      for (std::size_t t = 0; t < a.size(); ++t) {
        ma += a[t];
        mb += b[t];
      }
      ma /= static_cast<long double>(a.size());
      mb /= static_cast<long double>(a.size());
      long double s = 0;
      for (std::size_t t = 0; t < a.size(); ++t) s += (a[t] - ma) * (b[t] - mb);
      double cov = static_cast<double>(s / static_cast<long double>(a.size() - 1));
      if (i == j) {
        diag += cov;
        all += cov;
      } else {
        all += 2.0L * cov;
      }
    }
  }
  double kd = static_cast<double>(k);
  double mean_off = static_cast<double>(all - diag) / (kd * (kd - 1.0));
  return kd * kd * mean_off / static_cast<double>(all);
}

}  // namespace gpsi::analysis
