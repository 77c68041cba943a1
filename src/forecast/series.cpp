// Series panels and R forecast's random walks (naive, rwf with drift), written to give the
// package's numbers exactly: the tests compare them with r-cran-forecast to 1e-9.
#include <cmath>

#include "forecast.hpp"

namespace gpsi::forecast {

double SeriesPanel::at(std::size_t u, int year) const {
  if (u >= units || year < first_year || year > last_year()) return kNa;
  return y[u * years + static_cast<std::size_t>(year - first_year)];
}

std::span<const double> SeriesPanel::Through(std::size_t u, int to) const {
  const int last = std::min(to, last_year());
  const std::size_t n = last < first_year ? 0 : static_cast<std::size_t>(last - first_year + 1);
  return {y.data() + u * years, n};
}

double Context::at(const SeriesPanel& p, std::size_t u, int year, std::size_t j) const {
  if (k == 0 || u >= p.units || year < p.first_year || year > p.last_year()) return kNa;
  return x[(u * p.years + static_cast<std::size_t>(year - p.first_year)) * k + j];
}

namespace {

//! R lagwalk's one-step changes: yₜ minus the latest value before t (carried over gaps), and the
//! value the forecasts start from (the latest, carried over trailing gaps).
struct Walk {
  std::vector<double> changes;
  double future = kNa;
};

Walk Changes(std::span<const double> y) {
  Walk w;
  for (double v : y) {
    if (IsNa(v)) continue;
    if (!IsNa(w.future)) w.changes.push_back(v - w.future);
    w.future = v;
  }
  return w;
}

std::vector<Gaussian> Steps(double future, double b, double b_se, double mse, int h) {
  std::vector<Gaussian> out(static_cast<std::size_t>(std::max(h, 0)));
  for (int s = 1; s <= h; ++s) {
    out[static_cast<std::size_t>(s - 1)] = {future + s * b, std::sqrt(mse * s + (s * b_se) * (s * b_se))};
  }
  return out;
}

}  // namespace

std::vector<Gaussian> Naive(std::span<const double> y, int h) {
  const Walk w = Changes(y);
  if (IsNa(w.future) || w.changes.empty()) return std::vector<Gaussian>(static_cast<std::size_t>(std::max(h, 0)));
  long double ss = 0;
  for (double d : w.changes) ss += static_cast<long double>(d) * d;
  return Steps(w.future, 0, 0, static_cast<double>(ss / static_cast<long double>(w.changes.size())), h);
}

std::vector<Gaussian> Drift(std::span<const double> y, int h) {
  const Walk w = Changes(y);
  const std::size_t n = w.changes.size();
  if (IsNa(w.future) || n < 2) return std::vector<Gaussian>(static_cast<std::size_t>(std::max(h, 0)));
  const double b = compute::Mean(w.changes);
  long double ss = 0;
  for (double d : w.changes) ss += static_cast<long double>(d - b) * (d - b);
  const double sd = std::sqrt(static_cast<double>(ss / static_cast<long double>(n - 1)));
  // R divides the residuals' squares by n − 1 only when the drift is not exactly 0.
  const double mse = static_cast<double>(ss / static_cast<long double>(b != 0 ? n - 1 : n));
  return Steps(w.future, b, sd / std::sqrt(static_cast<double>(n)), mse, h);
}

}  // namespace gpsi::forecast
