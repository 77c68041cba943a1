// The linear mixed model with crossed random intercepts, fitted by REML as lme4::lmer does: the
// profiled REML criterion of the relative covariance factor θ (Bates, Mächler, Bolker & Walker
// 2015, J. Stat. Softw. 67(1), §3), minimised over θ ≥ 0 by NLopt's BOBYQA with lmer's
// boundary checks. Every evaluation reuses the cross-products (Z'Z, Z'X, Z'y, X'X, X'y) and the
// symbolic analysis of the sparse Cholesky factor, both done once per fit.
#include <nlopt.h>

#include <Eigen/Dense>
#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "evaluation.hpp"

namespace gpsi::evaluation {
namespace {

using MmSparse = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;
using MmCholesky = Eigen::SimplicialLLT<MmSparse, Eigen::Lower, Eigen::AMDOrdering<int>>;

//! lmerControl()'s boundary.tol and restart_edge's step: a θ this close to 0 is tried at 0.
constexpr double kMmBoundaryTol = 1e-5;
//! A change of the REML criterion below rounding noise (the criterion is O(n), ~1e2 to 1e4).
constexpr double kMmFlat = 1e-10;

Error MmUsage(const std::string& message) {
  return Error{Errc::kUsage, "mixed model: " + message};
}

//! The model's fixed parts: the data, where each observation's random effects sit (column
//! offset of factor k plus its level) and the cross-products every θ reuses.
struct MmSystem {
  Eigen::Index n = 0, p = 0, q = 0;
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  std::vector<std::vector<int>> column;  //!< per factor, per observation: the random-effect column
  std::vector<int> factor_of;            //!< per random-effect column: its factor
  MmSparse ztz;                          //!< lower triangle of Z'Z + 0·I: the pattern of A
  Eigen::MatrixXd ztxy;                  //!< [Z'X Z'y], q × (p + 1)
  Eigen::MatrixXd xtx;
  Eigen::VectorXd xty;
  MmSparse a;  //!< A = ΛZ'ZΛ + I (lower triangle), refilled per θ
  MmCholesky llt;
  int evaluations = 0;
};

//! What one θ gives: the REML criterion and the solution of the penalised least squares.
struct MmPoint {
  double reml = std::numeric_limits<double>::infinity();
  Eigen::VectorXd beta, u;
  double r2 = 0;
};

//! The input checks lme4 makes before fitting (and the ones Eigen needs): lengths, levels, finiteness.
Status MmCheck(const MixedData& d) {
  const std::size_t n = d.y.size();
  if (n == 0) return MmUsage("no observations");
  if (d.x.empty()) return MmUsage("no fixed-effect columns");
  if (d.factors.empty()) return MmUsage("no grouping factors");
  if (n <= d.x.size()) return MmUsage("as many fixed effects as observations or more");
  for (double v : d.y)
    if (!std::isfinite(v)) return MmUsage("a response that is missing or not finite");
  for (std::size_t j = 0; j < d.x.size(); ++j) {
    if (d.x[j].size() != n) return MmUsage("fixed-effect column " + std::to_string(j + 1) + " is not y's length");
    for (double v : d.x[j])
      if (!std::isfinite(v)) return MmUsage("fixed-effect column " + std::to_string(j + 1) + " is not finite");
  }
  for (const Factor& f : d.factors) {
    if (f.levels < 1) return MmUsage("factor " + f.name + " has no levels");
    if (f.level.size() != n) return MmUsage("factor " + f.name + " is not y's length");
    std::vector<char> seen(static_cast<std::size_t>(f.levels), 0);
    std::size_t observed = 0;
    for (int l : f.level) {
      if (l < 0 || l >= f.levels) return MmUsage("factor " + f.name + " has a level out of range");
      if (!seen[static_cast<std::size_t>(l)]) ++observed;
      seen[static_cast<std::size_t>(l)] = 1;
    }
    // lme4's check.nlev.gtr.1 and check.nobs.vs.nlev: with one level, or one per observation,
    // the factor's variance is not identifiable.
    if (observed < 2) return MmUsage("factor " + f.name + " has fewer than 2 observed levels");
    if (observed >= n) return MmUsage("factor " + f.name + " has as many levels as observations");
  }
  return Ok();
}

//! Rank of X by column-pivoted QR (lme4's check.rankX also uses a QR with tolerance 1e-7), and
//! whether y keeps some variation X does not explain (else r² = 0 and the criterion is −∞).
Status MmCheckDesign(const MmSystem& s) {
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(s.x);
  qr.setThreshold(1e-7);
  if (qr.rank() < s.p) return MmUsage("the fixed-effect columns are linearly dependent (X is rank deficient)");
  const double rss = (s.y - s.x * qr.solve(s.y)).squaredNorm();
  if (!(rss > 1e-24 * std::max(1.0, s.y.squaredNorm()))) return MmUsage("y is fitted exactly by the fixed effects");
  return Ok();
}

//! The observations in a canonical order (by levels, then x, then y): sums taken in it make the fit
//! a function of the multiset of observations, bit for bit. Without it a shuffled data set moves
//! the optimum by ~1e-8 (rounding noise the flat criterion turns into a different stopping point).
std::vector<std::size_t> MmCanonicalOrder(const MixedData& d) {
  std::vector<std::size_t> order(d.y.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&d](std::size_t a, std::size_t b) {
    for (const Factor& f : d.factors)
      if (f.level[a] != f.level[b]) return f.level[a] < f.level[b];
    for (const auto& col : d.x)
      if (col[a] != col[b]) return col[a] < col[b];
    return d.y[a] < d.y[b];
  });
  return order;
}

//! Builds the system: random-effect columns factor after factor, Z'Z's lower triangle from every
//! observation's pairs of columns, and the dense cross-products.
void MmBuild(const MixedData& d, MmSystem& s) {
  const std::vector<std::size_t> order = MmCanonicalOrder(d);
  s.n = static_cast<Eigen::Index>(d.y.size());
  s.p = static_cast<Eigen::Index>(d.x.size());
  s.y.resize(s.n);
  s.x.resize(s.n, s.p);
  for (Eigen::Index i = 0; i < s.n; ++i) {
    s.y(i) = d.y[order[i]];
    for (Eigen::Index j = 0; j < s.p; ++j) s.x(i, j) = d.x[j][order[i]];
  }
  int offset = 0;
  for (std::size_t k = 0; k < d.factors.size(); ++k) {
    const Factor& f = d.factors[k];
    std::vector<int> col(f.level.size());
    for (std::size_t i = 0; i < col.size(); ++i) col[i] = offset + f.level[order[i]];
    s.column.push_back(std::move(col));
    s.factor_of.insert(s.factor_of.end(), static_cast<std::size_t>(f.levels), static_cast<int>(k));
    offset += f.levels;
  }
  s.q = offset;
  std::vector<Eigen::Triplet<double, int>> t;
  t.reserve(static_cast<std::size_t>(s.n) * s.column.size() * (s.column.size() + 1) / 2 + s.q);
  for (int j = 0; j < s.q; ++j) t.emplace_back(j, j, 0.0);  // A's unit diagonal, even for unused levels
  s.ztxy = Eigen::MatrixXd::Zero(s.q, s.p + 1);
  for (Eigen::Index i = 0; i < s.n; ++i) {
    for (std::size_t k = 0; k < s.column.size(); ++k) {
      const int ck = s.column[k][i];
      s.ztxy.row(ck).head(s.p) += s.x.row(i);
      s.ztxy(ck, s.p) += s.y(i);
      for (std::size_t l = 0; l <= k; ++l) {
        const int cl = s.column[l][i];
        t.emplace_back(std::max(ck, cl), std::min(ck, cl), 1.0);
      }
    }
  }
  s.ztz.resize(s.q, s.q);
  s.ztz.setFromTriplets(t.begin(), t.end());
  s.ztz.makeCompressed();
  s.xtx = s.x.transpose() * s.x;
  s.xty = s.x.transpose() * s.y;
  s.a = s.ztz;
  s.llt.analyzePattern(s.a);
}

//! The profiled REML criterion at θ (Bates et al. 2015, §3, with the blocks of the PLS system):
//! A = ΛZ'ZΛ + I = LL', W = A⁻¹ΛZ'X, c = A⁻¹ΛZ'y, S = X'X − (ΛZ'X)'W (= R_X'R_X),
//! β = S⁻¹(X'y − (ΛZ'X)'c), u = c − Wβ, r² = ‖y − Xβ − ZΛu‖² + ‖u‖²,
//! REML = log|L|² + log|R_X|² + (n − p)(1 + log(2π r² / (n − p))).
MmPoint MmEvaluate(MmSystem& s, const double* theta) {
  MmPoint pt;
  for (int j = 0; j < s.q; ++j) {
    const double tj = theta[s.factor_of[j]];
    for (MmSparse::InnerIterator a(s.a, j), z(s.ztz, j); a; ++a, ++z)
      a.valueRef() = tj * theta[s.factor_of[a.row()]] * z.value() + (a.row() == j ? 1.0 : 0.0);
  }
  s.llt.factorize(s.a);
  if (s.llt.info() != Eigen::Success) return pt;
  Eigen::MatrixXd rhs = s.ztxy;  // Λ[Z'X Z'y]
  for (int j = 0; j < s.q; ++j) rhs.row(j) *= theta[s.factor_of[j]];
  const Eigen::MatrixXd sol = s.llt.solve(rhs);
  const auto lzx = rhs.leftCols(s.p);
  const Eigen::LLT<Eigen::MatrixXd> rx(s.xtx - lzx.transpose() * sol.leftCols(s.p));
  if (rx.info() != Eigen::Success) return pt;
  pt.beta = rx.solve(s.xty - lzx.transpose() * sol.col(s.p));
  pt.u = sol.col(s.p) - sol.leftCols(s.p) * pt.beta;
  Eigen::VectorXd r = s.y - s.x * pt.beta;
  for (const auto& col : s.column)
    for (Eigen::Index i = 0; i < s.n; ++i) r(i) -= theta[s.factor_of[col[i]]] * pt.u(col[i]);
  pt.r2 = r.squaredNorm() + pt.u.squaredNorm();
  const MmSparse& l = s.llt.matrixL().nestedExpression();
  double logdet = 0;
  for (int j = 0; j < s.q; ++j) logdet += 2 * std::log(l.coeff(j, j));
  for (Eigen::Index j = 0; j < s.p; ++j) logdet += 2 * std::log(rx.matrixLLT()(j, j));
  const double dof = static_cast<double>(s.n - s.p);
  pt.reml = logdet + dof * (1 + std::log(2 * std::numbers::pi * pt.r2 / dof));
  return pt;
}

//! NLopt's objective: the REML criterion, counting evaluations.
double MmObjective(unsigned /*k*/, const double* theta, double* /*grad*/, void* data) {
  auto* s = static_cast<MmSystem*>(data);
  ++s->evaluations;
  return MmEvaluate(*s, theta).reml;
}

//! One BOBYQA run from `theta` (lme4's nloptwrap, with tighter tolerances than its defaults
//! 1e-8 so the optimum is reached to ~1e-8 in θ); false when NLopt fails outright.
bool MmOptimise(MmSystem& s, std::vector<double>& theta) {
  const auto k = static_cast<unsigned>(theta.size());
  std::unique_ptr<nlopt_opt_s, void (*)(nlopt_opt)> opt(nlopt_create(NLOPT_LN_BOBYQA, k), nlopt_destroy);
  if (!opt) return false;
  nlopt_set_lower_bounds1(opt.get(), 0.0);
  nlopt_set_min_objective(opt.get(), MmObjective, &s);
  nlopt_set_xtol_abs1(opt.get(), 1e-10);
  nlopt_set_ftol_abs(opt.get(), 1e-13);
  nlopt_set_maxeval(opt.get(), 100000);
  double f = std::numeric_limits<double>::infinity();
  // Tolerances this tight may end in NLOPT_ROUNDOFF_LIMITED: the point is still the optimum.
  const nlopt_result r = nlopt_optimize(opt.get(), theta.data(), &f);
  return r != NLOPT_INVALID_ARGS && r != NLOPT_OUT_OF_MEMORY && std::isfinite(f);
}

//! lmer's optimizeLmer after the first run: restart_edge (when a θ at 0 would improve by moving
//! off it, optimise again from there) and check.boundary (a θ within boundary.tol of 0 is set to
//! 0 when that is no worse). "No worse" allows kMmFlat: the criterion is even in each θ_k, so near
//! 0 it moves by O(θ_k²), below rounding, and BOBYQA stops at θ_k ~ 1e-8 instead of 0.
bool MmPolishBoundary(MmSystem& s, std::vector<double>& theta) {
  const double f0 = MmEvaluate(s, theta.data()).reml;
  bool restart = false;
  for (std::size_t k = 0; k < theta.size() && !restart; ++k) {
    if (theta[k] != 0) continue;
    std::vector<double> t = theta;
    t[k] = kMmBoundaryTol;
    restart = MmEvaluate(s, t.data()).reml < f0;
  }
  if (restart && !MmOptimise(s, theta)) return false;
  const double best = MmEvaluate(s, theta.data()).reml;
  std::vector<double> tried = theta;
  for (std::size_t k = 0; k < theta.size(); ++k) {
    if (!(theta[k] > 0 && theta[k] < kMmBoundaryTol)) continue;
    tried[k] = 0;
    if (MmEvaluate(s, tried.data()).reml <= best + kMmFlat) continue;
    tried[k] = theta[k];
  }
  theta = tried;
  return true;
}

}  // namespace

Result<MixedFit> FitMixed(const MixedData& data) {
  if (Status ok = MmCheck(data); !ok) return ok.error();
  MmSystem s;  // not movable: Eigen's solvers are not
  MmBuild(data, s);
  if (Status ok = MmCheckDesign(s); !ok) return ok.error();
  if (s.llt.info() != Eigen::Success) return Error{Errc::kInternal, "mixed model: sparse Cholesky analysis failed"};
  std::vector<double> theta(data.factors.size(), 1.0);
  if (!MmOptimise(s, theta) || !MmPolishBoundary(s, theta))
    return Error{Errc::kInternal, "mixed model: the optimiser failed"};
  const MmPoint pt = MmEvaluate(s, theta.data());
  if (!std::isfinite(pt.reml)) return Error{Errc::kInternal, "mixed model: no finite REML criterion at the optimum"};
  MixedFit fit;
  fit.beta.assign(pt.beta.data(), pt.beta.data() + s.p);
  fit.sigma2 = pt.r2 / static_cast<double>(s.n - s.p);
  fit.theta = theta;
  fit.reml = pt.reml;
  fit.evaluations = s.evaluations;
  int offset = 0;
  for (std::size_t k = 0; k < data.factors.size(); ++k) {
    fit.variances.push_back(fit.sigma2 * theta[k] * theta[k]);
    std::vector<double> b(static_cast<std::size_t>(data.factors[k].levels));
    for (std::size_t l = 0; l < b.size(); ++l) b[l] = theta[k] * pt.u(offset + static_cast<int>(l));
    fit.effects.push_back(std::move(b));
    offset += data.factors[k].levels;
  }
  return fit;
}

}  // namespace gpsi::evaluation
