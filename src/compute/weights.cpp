// PCA weights (COINr get_PCA): first principal component of the standardised complete rows.
#include <Eigen/Dense>
#include <Eigen/SVD>
#include <cmath>
#include <string>
#include <vector>

#include "compute.hpp"
#include "detail/r_numerics.hpp"

namespace gpsi::compute {

Result<std::vector<double>> PcaWeights(const Matrix& x, std::span<const std::size_t> cols) {
  const std::size_t p = cols.size();
  if (p == 0) return Error{Errc::kBadMethod, "PCA weights need at least one column"};
  std::vector<std::size_t> rows;  // complete rows, as R's na.omit
  for (std::size_t r = 0; r < x.rows(); ++r) {
    bool complete = true;
    for (std::size_t c : cols) complete = complete && !IsNa(x(r, c));
    if (complete) rows.push_back(r);
  }
  const std::size_t n = rows.size();
  if (n < p + 1) {
    return Error{Errc::kUncomputable, "PCA weights need at least " + std::to_string(p + 1) + " complete rows for " +
                                          std::to_string(p) + " columns, found " + std::to_string(n)};
  }
  Eigen::MatrixXd z(n, p);
  std::vector<double> v(n);
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t i = 0; i < n; ++i) v[i] = x(rows[i], cols[j]);
    // prcomp(scale. = TRUE): centre on the column mean, divide by the sample sd.
    const double m = detail::RMean(v.data(), n);
    long double ss = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double d = v[i] - m;
      z(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = d;
      ss += d * d;
    }
    const double sd = std::sqrt(static_cast<double>(ss / static_cast<long double>(n - 1)));
    if (!(sd > 0)) {
      return Error{Errc::kUncomputable,
                   "PCA weights: column " + std::to_string(j + 1) + " is constant over the complete rows"};
    }
    z.col(static_cast<Eigen::Index>(j)) /= sd;
  }
  // prcomp takes the right singular vectors of the scaled data; the first is the loading vector.
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(z, Eigen::ComputeThinV);
  Eigen::VectorXd w = svd.matrixV().col(0);
  if (w.sum() < 0) w = -w;  // the sign of a singular vector is arbitrary; fix it
  return std::vector<double>(w.data(), w.data() + w.size());
}

}  // namespace gpsi::compute
