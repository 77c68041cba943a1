// Principal components as R's prcomp(x, center = TRUE, scale. = TRUE) computes them, the one PCA
// of gpsi: PCA weights (pipeline.weights = pca, COINr get_PCA) and the audit's and validation's
// coherence tables both read it, so they cannot disagree on a sign or a digit.
#include <fmt/format.h>

#include <Eigen/Dense>
#include <Eigen/SVD>
#include <cmath>
#include <string>
#include <vector>

#include "compute.hpp"

#ifdef GPSI_HAVE_LAPACK
extern "C" void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
                        const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork,
                        int* info);
#endif

namespace gpsi::compute {
namespace {

//! The complete rows of the columns (R's na.omit), column by column.
std::vector<std::vector<double>> CompleteRows(const Matrix& x, std::span<const std::size_t> cols) {
  std::vector<std::vector<double>> out(cols.size());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    bool ok = true;
    for (std::size_t c : cols) ok = ok && !IsNa(x(r, c));
    if (!ok) continue;
    for (std::size_t k = 0; k < cols.size(); ++k) out[k].push_back(x(r, cols[k]));
  }
  return out;
}

//! Singular values d and right singular vectors v[j][c] (j < min(n, p)) of z (n × p).
Status Svd(const Eigen::MatrixXd& z, std::vector<double>& d, std::vector<std::vector<double>>& v) {
  const auto n = static_cast<std::size_t>(z.rows()), p = static_cast<std::size_t>(z.cols());
  const std::size_t k = std::min(n, p);
  d.assign(k, 0);
  v.assign(k, std::vector<double>(p));
#ifdef GPSI_HAVE_LAPACK
  // The call R's svd (La.svd, jobu "S") makes for prcomp, so the signs are R's.
  int m = static_cast<int>(n), nc = static_cast<int>(p), mn = static_cast<int>(k), info = 0, lwork = -1;
  std::vector<double> a(z.data(), z.data() + z.size()), s(k), u(n * k), vt(k * p);
  std::vector<int> iwork(8 * k);
  double query = 0;
  dgesdd_("S", &m, &nc, a.data(), &m, s.data(), u.data(), &m, vt.data(), &mn, &query, &lwork, iwork.data(), &info);
  lwork = static_cast<int>(query);
  std::vector<double> work(static_cast<std::size_t>(std::max(lwork, 1)));
  dgesdd_("S", &m, &nc, a.data(), &m, s.data(), u.data(), &m, vt.data(), &mn, work.data(), &lwork, iwork.data(), &info);
  if (info != 0) return Error{Errc::kUncomputable, fmt::format("PCA: the SVD did not converge (dgesdd {})", info)};
  for (std::size_t j = 0; j < k; ++j) {
    d[j] = s[j];
    for (std::size_t c = 0; c < p; ++c) v[j][c] = vt[c * k + j];
  }
#else
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(z, Eigen::ComputeThinV);
  for (std::size_t j = 0; j < k; ++j) {
    d[j] = svd.singularValues()(static_cast<Eigen::Index>(j));
    std::size_t big = 0;
    for (std::size_t c = 0; c < p; ++c) {
      v[j][c] = svd.matrixV()(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(j));
      if (std::fabs(v[j][c]) > std::fabs(v[j][big])) big = c;
    }
    // Without LAPACK a component's sign is Eigen's; this makes it reproducible.
    if (v[j][big] < 0) {
      for (double& e : v[j]) e = -e;
    }
  }
#endif
  return Ok();
}

}  // namespace

Result<Pca> PrincipalComponents(const Matrix& x, std::span<const std::size_t> cols) {
  std::vector<std::vector<double>> data = CompleteRows(x, cols);
  const std::size_t p = cols.size();
  const std::size_t n = p == 0 ? 0 : data[0].size();
  if (p == 0) return Error{Errc::kUncomputable, "PCA of no columns"};
  if (n < 2) return Error{Errc::kUncomputable, fmt::format("PCA needs at least 2 complete rows, found {}", n)};
  // R's scale(): centre on colMeans (a long-double sum / n), then divide by
  // sqrt(sum(v^2) / (n − 1)) of the centred column, sum() accumulating in long double.
  Eigen::MatrixXd z(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(p));
  for (std::size_t c = 0; c < p; ++c) {
    long double sum = 0;
    for (double v : data[c]) sum += v;
    const double mean = static_cast<double>(sum / static_cast<long double>(n));
    long double ss = 0;
    for (double v : data[c]) ss += (v - mean) * (v - mean);
    const double sd = std::sqrt(static_cast<double>(ss) / static_cast<double>(n - 1));
    if (!(sd > 0)) return Error{Errc::kUncomputable, fmt::format("PCA: column {} is constant", c + 1)};
    for (std::size_t r = 0; r < n; ++r) {
      z(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = (data[c][r] - mean) / sd;
    }
  }
  Pca out;
  std::vector<double> d;
  if (auto st = Svd(z, d, out.loadings); !st) return st.error();
  out.rows_used = n;
  double total = 0;
  for (double s : d) total += s * s;
  for (double s : d) {
    out.sdev.push_back(s / std::sqrt(static_cast<double>(n - 1)));
    out.variance_share.push_back(total > 0 ? s * s / total : kNa);
  }
  out.weights = out.loadings.front();
  return out;
}

Result<std::vector<double>> PcaWeights(const Matrix& x, std::span<const std::size_t> cols) {
  if (cols.empty()) return Error{Errc::kBadMethod, "PCA weights need at least one column"};
  std::size_t complete = 0;
  for (std::size_t r = 0; r < x.rows(); ++r) {
    bool ok = true;
    for (std::size_t c : cols) ok = ok && !IsNa(x(r, c));
    complete += ok ? 1 : 0;
  }
  if (complete < cols.size() + 1) {
    return Error{Errc::kUncomputable, fmt::format("PCA weights need at least {} complete rows for {} columns, found {}",
                                                  cols.size() + 1, cols.size(), complete)};
  }
  auto pca = PrincipalComponents(x, cols);
  if (!pca) return pca.error();
  return std::move(pca->weights);
}

}  // namespace gpsi::compute
