// The panel's reliability: psych::ICC (Revelle, psych 2.2.9, with lmer = TRUE) on the REML fit of
// FitMixed, Krippendorff's interval α and the Spearman–Brown prophecy.
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/policies/policy.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "evaluation.hpp"

namespace gpsi::evaluation {
namespace {

//! Boost.Math errors as NaN (R's NaN with a warning), never an exception.
using RelPolicy =
    boost::math::policies::policy<boost::math::policies::domain_error<boost::math::policies::ignore_error>,
                                  boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
                                  boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
                                  boost::math::policies::pole_error<boost::math::policies::ignore_error>>;
using RelFisher = boost::math::fisher_f_distribution<double, RelPolicy>;

Error RelUsage(const std::string& message) {
  return Error{Errc::kUsage, "ICC: " + message};
}

//! R's qf(p, df1, df2): the p quantile of the F distribution (df2 may be fractional).
double RelQf(double p, double df1, double df2) {
  if (!(df1 > 0 && df2 > 0)) return kNa;
  return boost::math::quantile(RelFisher(df1, df2), p);
}

//! The upper tail P(F > f) (R's pf(f, df1, df2, lower.tail = FALSE)), 0 at f = ∞.
double RelUpperF(double f, double df1, double df2) {
  if (IsNa(f) || !(df1 > 0 && df2 > 0)) return kNa;
  if (f <= 0) return 1;
  if (std::isinf(f)) return 0;
  return boost::math::cdf(boost::math::complement(RelFisher(df1, df2), f));
}

//! The table's checks: at least 2 × 2, rows of one length, every row and column with a value,
//! every value finite or kNa.
Status RelCheckTable(const std::vector<std::vector<double>>& x) {
  if (x.size() < 2) return RelUsage("fewer than 2 subjects (rows)");
  const std::size_t nj = x[0].size();
  if (nj < 2) return RelUsage("fewer than 2 judges (columns)");
  std::vector<char> column_seen(nj, 0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i].size() != nj) return RelUsage("row " + std::to_string(i + 1) + " is not as long as the first");
    bool row_seen = false;
    for (std::size_t j = 0; j < nj; ++j) {
      if (IsNa(x[i][j])) continue;
      if (!std::isfinite(x[i][j])) return RelUsage("a value that is not finite");
      row_seen = true;
      column_seen[j] = 1;
    }
    if (!row_seen) return RelUsage("subject (row) " + std::to_string(i + 1) + " has no value");
  }
  for (std::size_t j = 0; j < nj; ++j)
    if (!column_seen[j]) return RelUsage("judge (column) " + std::to_string(j + 1) + " has no value");
  return Ok();
}

//! psych's stacked table as a model: values ~ 1 + (1 | subject) + (1 | judge), missing cells left out.
MixedData RelStack(const std::vector<std::vector<double>>& x) {
  const auto n = static_cast<int>(x.size()), nj = static_cast<int>(x[0].size());
  MixedData d{{}, {{}}, {{"subject", {}, n}, {"judge", {}, nj}}};
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < nj; ++j) {
      if (IsNa(x[i][j])) continue;
      d.y.push_back(x[i][j]);
      d.factors[0].level.push_back(i);
      d.factors[1].level.push_back(j);
    }
  }
  d.x[0].assign(d.y.size(), 1.0);
  return d;
}

//! The mean squares psych builds from the variance components (lmer = TRUE branch).
struct RelMeanSquares {
  double n = 0, nj = 0, msb = 0, msj = 0, mse = 0, msw = 0;
};

//! ICC1, ICC3, ICC1k and ICC3k's F-based bounds (Shrout & Fleiss 1979, as psych computes them).
void RelFixedBounds(const RelMeanSquares& m, double alpha, std::vector<IccValue>& f) {
  const double q = 1 - alpha / 2;
  const double f1l = f[0].f / RelQf(q, f[0].df1, f[0].df2), f1u = f[0].f * RelQf(q, f[0].df2, f[0].df1);
  const double f3l = f[2].f / RelQf(q, f[2].df1, f[2].df2), f3u = f[2].f * RelQf(q, f[2].df2, f[2].df1);
  f[0].lower = (f1l - 1) / (f1l + (m.nj - 1));
  f[0].upper = (f1u - 1) / (f1u + m.nj - 1);
  f[2].lower = (f3l - 1) / (f3l + m.nj - 1);
  f[2].upper = (f3u - 1) / (f3u + m.nj - 1);
  f[3].lower = 1 - 1 / f1l;
  f[3].upper = 1 - 1 / f1u;
  f[5].lower = 1 - 1 / f3l;
  f[5].upper = 1 - 1 / f3u;
}

//! ICC2 and ICC2k's bounds with Satterthwaite's fractional df v (McGraw & Wong 1996, as psych).
void RelRandomBounds(const RelMeanSquares& m, double alpha, std::vector<IccValue>& f) {
  const double n = m.n, nj = m.nj, icc2 = f[1].icc, fj = m.msj / m.mse;
  const double a = n * (1 + (nj - 1) * icc2) - nj * icc2;
  const double vn = (nj - 1) * (n - 1) * std::pow(nj * icc2 * fj + a, 2);
  const double vd = (n - 1) * nj * nj * icc2 * icc2 * fj * fj + a * a;
  const double v = vn / vd;
  const double fu = RelQf(1 - alpha / 2, n - 1, v), fl = RelQf(1 - alpha / 2, v, n - 1);
  const double c = nj * m.msj + (nj * n - nj - n) * m.mse;
  const double l3 = n * (m.msb - fu * m.mse) / (fu * c + n * m.msb);
  const double u3 = n * (fl * m.msb - m.mse) / (c + n * fl * m.msb);
  f[1].lower = l3;
  f[1].upper = u3;
  f[4].lower = l3 * nj / (1 + l3 * (nj - 1));
  f[4].upper = u3 * nj / (1 + u3 * (nj - 1));
}

//! The six forms, their F tests and bounds from the mean squares.
std::vector<IccValue> RelForms(const RelMeanSquares& m, double alpha) {
  const double n = m.n, nj = m.nj, msb = m.msb, msj = m.msj, mse = m.mse, msw = m.msw;
  const double f11 = msb / msw, d11n = n - 1, d11d = n * (nj - 1);
  const double f21 = msb / mse, d21n = n - 1, d21d = (n - 1) * (nj - 1);
  const double p11 = RelUpperF(f11, d11n, d11d), p21 = RelUpperF(f21, d21n, d21d);
  std::vector<IccValue> f{
      {"ICC1", (msb - msw) / (msb + (nj - 1) * msw), f11, d11n, d11d, p11},
      {"ICC2", (msb - mse) / (msb + (nj - 1) * mse + nj * (msj - mse) / n), f21, d21n, d21d, p21},
      {"ICC3", (msb - mse) / (msb + (nj - 1) * mse), f21, d21n, d21d, p21},
      {"ICC1k", (msb - msw) / msb, f11, d11n, d11d, p11},
      {"ICC2k", (msb - mse) / (msb + (msj - mse) / n), f21, d21n, d21d, p21},
      {"ICC3k", (msb - mse) / msb, f21, d21n, d21d, p21},
  };
  RelFixedBounds(m, alpha, f);
  RelRandomBounds(m, alpha, f);
  return f;
}

//! Σ over ordered pairs i ≠ j of (v_i − v_j)² = 2 m Σ (v_i − v̄)², for the m values of `v`.
double RelPairSquares(const std::vector<double>& v) {
  double mean = 0;
  for (double a : v) mean += a;
  mean /= static_cast<double>(v.size());
  double ss = 0;
  for (double a : v) ss += (a - mean) * (a - mean);
  return 2 * static_cast<double>(v.size()) * ss;
}

}  // namespace

Result<IccTable> Icc(const std::vector<std::vector<double>>& x, double alpha) {
  if (Status ok = RelCheckTable(x); !ok) return ok.error();
  if (!(alpha > 0 && alpha < 1)) return RelUsage("alpha is not in (0, 1)");
  auto fit = FitMixed(RelStack(x));
  if (!fit.ok()) return fit.error();
  IccTable t;
  t.subjects = x.size();
  t.judges = x[0].size();
  t.var_subjects = fit->variances[0];
  t.var_judges = fit->variances[1];
  t.var_residual = fit->sigma2;
  RelMeanSquares m;
  m.n = static_cast<double>(t.subjects);
  m.nj = static_cast<double>(t.judges);
  m.mse = t.var_residual;
  m.msb = m.nj * t.var_subjects + m.mse;
  m.msj = m.n * t.var_judges + m.mse;
  m.msw = m.mse + t.var_judges;
  t.forms = RelForms(m, alpha);
  return t;
}

double KrippendorffAlpha(const std::vector<std::vector<double>>& x) {
  std::vector<double> pairable, unit;
  double within = 0;  // Σ_u Σ_{i≠j∈u} (v_i − v_j)² / (m_u − 1)
  std::size_t units = 0;
  for (const auto& row : x) {
    unit.clear();
    for (double v : row)
      if (!IsNa(v)) unit.push_back(v);
    if (unit.size() < 2) continue;
    ++units;
    within += RelPairSquares(unit) / static_cast<double>(unit.size() - 1);
    pairable.insert(pairable.end(), unit.begin(), unit.end());
  }
  if (units < 2) return kNa;
  const auto n = static_cast<double>(pairable.size());
  const double d_o = within / n, d_e = RelPairSquares(pairable) / (n * (n - 1));
  if (!(d_e > 0)) return kNa;
  return 1 - d_o / d_e;
}

double SpearmanBrown(double r, double k) {
  return k * r / (1 + (k - 1) * r);
}

double JudgesFor(double r, double target) {
  if (!(r > 0)) return kNa;
  return target * (1 - r) / (r * (1 - target));
}

}  // namespace gpsi::evaluation
