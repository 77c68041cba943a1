// The forecast models: the baselines (random walks, bootstraps, a count distribution around the
// last value), a direct h-step ridge regression pooled across units, and their ensemble. Each
// fits on the years up to its origin only.
#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "forecast.hpp"

namespace gpsi::forecast {
namespace {

//! core's Rng as a standard uniform random bit generator, so that Boost.Random's distributions
//! (the same algorithm on every platform, unlike the standard library's) draw from it.
struct Bits {
  Rng& rng;
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() { return rng.Next(); }
};

constexpr double kLogitEps = 0.005;  // bounded values are kept this far inside their scale

//! The scale the pooled regression works on: log(1 + y) for non-negative series, the logit of the
//! share of the range for bounded ones (changes are then comparable between low and high levels).
double ToZ(const Scale& s, double y) {
  switch (s.support) {
    case Support::kReal: return y;
    case Support::kNonNegative:
    case Support::kCount: return std::log1p(std::max(y, 0.0));
    case Support::kBounded: {
      const double q = std::clamp((y - s.lo) / (s.hi - s.lo), kLogitEps, 1 - kLogitEps);
      return std::log(q / (1 - q));
    }
  }
  return y;
}

double FromZ(const Scale& s, double z) {
  switch (s.support) {
    case Support::kReal: return z;
    case Support::kNonNegative:
    case Support::kCount: return std::expm1(z);
    case Support::kBounded: {
      // ToZ clamps the bounds into [ε, 1 − ε]; a share in that band returns to the bound itself, so
      // that a country at the scale's floor (no attack in five years) is forecast there exactly.
      const double q = 1 / (1 + std::exp(-z));
      if (q <= kLogitEps * (1 + 1e-9)) return s.lo;
      if (q >= 1 - kLogitEps * (1 + 1e-9)) return s.hi;
      return s.lo + (s.hi - s.lo) * q;
    }
  }
  return z;
}

//! The latest year ≤ `at` where unit u has a value, no older than max_age; 0 when none.
int LastYear(const SeriesPanel& p, std::size_t u, int at, int max_age) {
  for (int y = at; y >= std::max(p.first_year, at - max_age); --y) {
    if (!IsNa(p.at(u, y))) return y;
  }
  return 0;
}

}  // namespace

std::string_view ToString(Model m) {
  switch (m) {
    case Model::kNoChange: return "no-change";
    case Model::kDrift: return "drift";
    case Model::kOwnBootstrap: return "own-bootstrap";
    case Model::kGlobalBootstrap: return "global-bootstrap";
    case Model::kCountLast: return "negbin";
    case Model::kPooled: return "pooled";
    case Model::kEnsemble: return "ensemble";
  }
  return "?";
}

std::optional<Model> ParseModel(std::string_view s) {
  for (Model m : kModels) {
    if (ToString(m) == s) return m;
  }
  return std::nullopt;
}

bool Applies(Model m, Support s) {
  return m != Model::kCountLast || s == Support::kCount;
}

void Clip(const Scale& s, std::span<double> draws) {
  for (double& v : draws) {
    switch (s.support) {
      case Support::kReal: break;
      case Support::kNonNegative: v = std::max(v, 0.0); break;
      case Support::kCount: v = std::round(std::max(v, 0.0)); break;
      case Support::kBounded: v = std::clamp(v, s.lo, s.hi); break;
    }
  }
}

std::uint64_t Stream(std::size_t unit, int origin, int horizon, Model m, std::uint64_t series, std::uint64_t chunk) {
  // Distinct fields in distinct bits: unit (20), origin (12), horizon (4), model (4), series (8),
  // chunk (the rest).
  return (chunk << 48) | ((series & 255) << 40) | (static_cast<std::uint64_t>(m) << 36) |
         (static_cast<std::uint64_t>(horizon & 15) << 32) | (static_cast<std::uint64_t>(origin & 4095) << 20) |
         static_cast<std::uint64_t>(unit & 0xFFFFF);
}

// ---- fitting ----------------------------------------------------------------------------------

//! Features of unit u at pseudo-origin `at`: its latest value (on the z scale), the years since,
//! its last change per year, and the context series (latest within max_age; NaN if none).
std::vector<double> Fit::Features(std::size_t u, int at) const {
  const SeriesPanel& p = *p_;
  std::vector<double> f;
  const int last = LastYear(p, u, at, s_.max_age);
  if (last == 0) return f;
  const double z = ToZ(p.scale, p.at(u, last));
  const int prev = LastYear(p, u, last - 1, s_.max_age);
  const double slope = prev == 0 ? 0.0 : (z - ToZ(p.scale, p.at(u, prev))) / (last - prev);
  f = {z, static_cast<double>(at - last), slope};
  for (std::size_t j = 0; j < ctx_->k; ++j) {
    double v = kNa;
    for (int y = at; y >= at - s_.max_age && IsNa(v); --y) v = ctx_->at(p, u, y, j);
    f.push_back(v);
  }
  return f;
}

Fit Fit::At(const SeriesPanel& p, int origin, const ModelSettings& s) {
  static const Context kNone;
  return At(p, kNone, origin, s);
}

Fit Fit::At(const SeriesPanel& p, const Context& ctx, int origin, const ModelSettings& s) {
  Fit f;
  f.p_ = &p, f.ctx_ = &ctx, f.s_ = s, f.origin_ = origin;
  f.last_year_.assign(p.units, 0);
  for (std::size_t u = 0; u < p.units; ++u) {
    f.last_year_[u] = LastYear(p, u, origin, s.max_age);
    if (f.last_year_[u] > 0) f.pool_.push_back(p.at(u, f.last_year_[u]));
  }
  // Negative binomial size by moments around the previous value μ: Var = μ + μ²/r.
  if (p.scale.support == Support::kCount) {
    long double mu2 = 0, excess = 0;
    for (std::size_t u = 0; u < p.units; ++u) {
      for (int y = origin - s.window + 1; y <= origin; ++y) {
        const double a = p.at(u, y - 1), b = p.at(u, y);
        if (IsNa(a) || IsNa(b) || a <= 0) continue;
        mu2 += static_cast<long double>(a) * a;
        excess += static_cast<long double>(b - a) * (b - a) - a;
      }
    }
    f.dispersion_ = excess > 0 ? static_cast<double>(mu2 / excess) : 0.0;
  }
  // One ridge regression per horizon of z(y at s + h) − z(latest at s) on standardised features,
  // over the pseudo-origins s of the last `window` years whose outcome is known at the origin.
  for (int h = 1; h <= s.max_horizon; ++h) {
    std::vector<std::vector<double>> xs;
    std::vector<double> target;
    for (int at = origin - h - s.window + 1; at <= origin - h; ++at) {
      for (std::size_t u = 0; u < p.units; ++u) {
        const double out = p.at(u, at + h);
        if (IsNa(out)) continue;
        auto x = f.Features(u, at);
        if (x.empty()) continue;
        target.push_back(ToZ(p.scale, out) - x[0]);
        xs.push_back(std::move(x));
      }
    }
    Pooled fit;
    const std::size_t k = 3 + ctx.k;
    fit.mean.assign(k, 0), fit.sd.assign(k, 1);
    // Too few cases for the covariates: the mean change alone.
    const std::size_t used = xs.size() >= 10 * (k + 1) ? k : 0;
    for (std::size_t j = 0; j < used; ++j) {
      std::vector<double> col;
      for (const auto& x : xs) {
        if (!IsNa(x[j])) col.push_back(x[j]);
      }
      fit.mean[j] = col.empty() ? 0 : compute::Mean(col);
      const double sd = col.size() > 1 ? compute::SampleSd(col) : 0;
      fit.sd[j] = sd > 0 ? sd : 1;
    }
    Eigen::MatrixXd X(xs.size(), used + 1);
    Eigen::VectorXd Y(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) {
      X(static_cast<Eigen::Index>(i), 0) = 1;
      for (std::size_t j = 0; j < used; ++j) {
        const double v = IsNa(xs[i][j]) ? fit.mean[j] : xs[i][j];  // a missing covariate: its mean
        X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j + 1)) = (v - fit.mean[j]) / fit.sd[j];
      }
      Y(static_cast<Eigen::Index>(i)) = target[i];
    }
    fit.beta.assign(k + 1, 0);
    if (!xs.empty()) {
      Eigen::MatrixXd A = X.transpose() * X;
      for (Eigen::Index j = 1; j < A.rows(); ++j) A(j, j) += s.ridge;  // the intercept is not penalised
      const Eigen::VectorXd beta = A.ldlt().solve(X.transpose() * Y);
      const Eigen::VectorXd res = Y - X * beta;
      for (Eigen::Index j = 0; j < beta.size(); ++j) fit.beta[static_cast<std::size_t>(j)] = beta(j);
      std::vector<std::size_t> order(xs.size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return xs[a][0] < xs[b][0]; });
      for (std::size_t i : order) {
        fit.residuals.push_back(res(static_cast<Eigen::Index>(i)));
        fit.level.push_back(xs[i][0]);
      }
    }
    f.pooled_.push_back(std::move(fit));
  }
  return f;
}

// ---- drawing ----------------------------------------------------------------------------------

void Fit::DrawPooled(std::size_t u, int h, Rng& rng, std::span<double> out) const {
  const Pooled& fit = pooled_[static_cast<std::size_t>(h - 1)];
  const auto x = Features(u, origin_);
  double z = x[0] + fit.beta[0];
  for (std::size_t j = 1; j < fit.beta.size(); ++j) {
    const double v = IsNa(x[j - 1]) ? fit.mean[j - 1] : x[j - 1];
    z += fit.beta[j] * (v - fit.mean[j - 1]) / fit.sd[j - 1];
  }
  // The neighbourhood: the k cases nearest in level, k a tenth of the cases (at least 50).
  const std::size_t n = fit.residuals.size();
  const std::size_t k = std::min(n, std::max<std::size_t>(50, n / 10));
  const auto at =
      static_cast<std::size_t>(std::lower_bound(fit.level.begin(), fit.level.end(), x[0]) - fit.level.begin());
  const std::size_t from = std::min(n - k, at > k / 2 ? at - k / 2 : 0);
  // Residuals by size, drawn by a uniform's rank: series drawn from one Rng stream (the indicators
  // of one dimension, Stream's `series`) then err together, as their outcomes do.
  std::vector<double> window(fit.residuals.begin() + static_cast<std::ptrdiff_t>(from),
                             fit.residuals.begin() + static_cast<std::ptrdiff_t>(from + k));
  std::sort(window.begin(), window.end());
  for (double& v : out) {
    const double e =
        k == 0 ? 0.0 : window[std::min(k - 1, static_cast<std::size_t>(rng.Uniform() * static_cast<double>(k)))];
    v = FromZ(p_->scale, z + e);
  }
}

void Fit::DrawCount(std::size_t u, int /*h*/, Rng& rng, std::span<double> out) const {
  Bits bits{rng};
  const double mu = std::max(p_->at(u, last_year_[u]), 0.0);
  for (double& v : out) {
    double lambda = mu;
    if (dispersion_ > 0 && mu > 0)
      lambda = boost::random::gamma_distribution<double>(dispersion_, mu / dispersion_)(bits);
    v = lambda > 0 ? static_cast<double>(boost::random::poisson_distribution<long long, double>(lambda)(bits)) : 0.0;
  }
}

void Fit::Draw(Model m, std::size_t u, int h, Rng& rng, std::span<double> out) const {
  const SeriesPanel& p = *p_;
  if (!Forecastable(u)) {
    std::fill(out.begin(), out.end(), kNa);
    return;
  }
  const double last = p.at(u, last_year_[u]);
  switch (m) {
    case Model::kNoChange:
    case Model::kDrift: {
      const auto history = p.Through(u, origin_);
      Gaussian g = (m == Model::kDrift ? Drift(history, h) : Naive(history, h))[static_cast<std::size_t>(h - 1)];
      if (IsNa(g.mean)) g = {last, 0};  // too short a history for a spread: the point forecast
      Bits bits{rng};
      boost::random::normal_distribution<double> normal(0.0, 1.0);
      for (double& v : out) v = g.mean + (IsNa(g.se) ? 0.0 : g.se) * normal(bits);
      break;
    }
    case Model::kOwnBootstrap: {
      std::vector<double> own;
      for (int y = origin_ - s_.window + 1; y <= origin_; ++y) {
        if (!IsNa(p.at(u, y))) own.push_back(p.at(u, y));
      }
      for (double& v : out) v = own[rng.Below(own.size())];
      break;
    }
    case Model::kGlobalBootstrap:
      for (double& v : out) v = pool_[rng.Below(pool_.size())];
      break;
    case Model::kCountLast: DrawCount(u, h, rng, out); break;
    case Model::kPooled: DrawPooled(u, h, rng, out); break;
    case Model::kEnsemble: {
      // Draw i from member i mod 3, each member with its own share of the draws.
      constexpr std::array<Model, 3> members{Model::kNoChange, Model::kOwnBootstrap, Model::kPooled};
      std::vector<double> part;
      for (std::size_t k = 0; k < members.size(); ++k) {
        part.resize((out.size() + members.size() - 1 - k) / members.size());
        Draw(members[k], u, h, rng, part);
        for (std::size_t i = 0; i < part.size(); ++i) out[k + i * members.size()] = part[i];
      }
      break;
    }
  }
  Clip(p.scale, out);
}

}  // namespace gpsi::forecast
