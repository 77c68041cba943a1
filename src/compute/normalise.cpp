// Normalisation of one column (COINr Normalise.numeric and its n_* functions).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "compute.hpp"
#include "detail/r_numerics.hpp"

namespace gpsi::compute {

namespace {

Error BadMethod(std::string msg) {
  return Error{Errc::kBadMethod, std::move(msg)};
}
Error Uncomputable(std::string msg) {
  return Error{Errc::kUncomputable, std::move(msg)};
}

//! Ranks of the non-missing values, ascending, ties get the minimum rank (R rank(ties = "min",
//! na.last = "keep")); missing cells stay NaN.
void RankMinInPlace(std::span<double> col) {
  std::vector<std::size_t> idx;
  idx.reserve(col.size());
  for (std::size_t i = 0; i < col.size(); ++i)
    if (!IsNa(col[i])) idx.push_back(i);
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return col[a] < col[b]; });
  std::vector<double> rank(idx.size());
  for (std::size_t k = 0; k < idx.size(); ++k)
    rank[k] = (k > 0 && col[idx[k]] == col[idx[k - 1]]) ? rank[k - 1] : static_cast<double>(k + 1);
  for (std::size_t k = 0; k < idx.size(); ++k) col[idx[k]] = rank[k];
}

//! (x − g1)/(g2 − g1) clipped to [0, 1], as COINr's n_goalposts with trunc2posts = TRUE.
void GoalpostFraction(std::span<double> col, double g1, double g2) {
  for (double& v : col) {
    if (IsNa(v)) continue;
    double y = (v - g1) / (g2 - g1);
    if (y > 1) y = 1;
    if (y < 0) y = 0;
    v = y;
  }
}

}  // namespace

Status Normalise(std::span<double> col, int direction, const NormSpec& spec,
                 const std::optional<Goalposts>& goalposts) {
  if (direction != 1 && direction != -1)
    return BadMethod("direction must be 1 or -1, got " + std::to_string(direction));
  if (std::isnan(spec.p1) || std::isnan(spec.p2)) return BadMethod("normalisation parameters must be numbers");
  if (goalposts) {
    if (!std::isfinite(goalposts->lo) || !std::isfinite(goalposts->hi))
      return BadMethod("goalposts must be finite numbers");
    if (goalposts->lo == goalposts->hi) return BadMethod("goalposts lo and hi are equal");
  }
  if (spec.method == NormMethod::kZScore && !(spec.p2 > 0))
    return BadMethod("z-score target sd must be > 0, got " + std::to_string(spec.p2));

  const double dir = direction;
  double mn = std::numeric_limits<double>::infinity(), mx = -mn;
  std::size_t n = 0;
  for (double v : col) {
    if (IsNa(v)) continue;
    mn = std::min(mn, v * dir);
    mx = std::max(mx, v * dir);
    ++n;
  }
  if (n == 0) return Ok();  // nothing to normalise: NA in, NA out (as in R)
  // Refuse before touching the column, so a failed call leaves it as it was.
  const bool needs_range = spec.method == NormMethod::kMinMax || spec.method == NormMethod::kDistFrontier ||
                           ((spec.method == NormMethod::kGoalposts || spec.method == NormMethod::kBand5) && !goalposts);
  if (needs_range && mn == mx)
    return Uncomputable("normalisation of a column whose range is 0 (all values equal): COINr would give NaN");
  if (spec.method == NormMethod::kPercentile && n < 2)
    return Uncomputable("percentile ranks of a column with fewer than 2 values");
  for (double& v : col) v *= dir;

  switch (spec.method) {
    case NormMethod::kMinMax: {
      const double l = spec.p1, u = spec.p2;
      for (double& v : col)
        if (!IsNa(v)) v = (v - mn) / (mx - mn) * (u - l) + l;
      return Ok();
    }
    case NormMethod::kZScore: {
      std::vector<double> vals;
      detail::NonMissing(col, vals);
      const double m = detail::RMean(vals.data(), vals.size());
      const double sd = std::sqrt(detail::RVar(vals.data(), vals.size()));
      if (!(sd > 0)) {
        for (double& v : col) v *= dir;  // restore the caller's column
        return Uncomputable(n < 2 ? "z-score of a column with fewer than 2 values"
                                  : "z-score of a column whose standard deviation is 0 (all values equal)");
      }
      for (double& v : col)
        if (!IsNa(v)) v = (v - m) / sd * spec.p2 + spec.p1;
      return Ok();
    }
    case NormMethod::kRank: RankMinInPlace(col); return Ok();
    case NormMethod::kPercentile: {
      RankMinInPlace(col);
      const double denom = static_cast<double>(n) - 1;
      for (double& v : col)
        if (!IsNa(v)) v = (v - 1) / denom;
      return Ok();
    }
    case NormMethod::kDistFrontier: {
      for (double& v : col)
        if (!IsNa(v)) v = (1 - (mx - v) / (mx - mn)) * spec.p2;
      return Ok();
    }
    case NormMethod::kGoalposts:
    case NormMethod::kBand5: {
      double g1 = mn, g2 = mx;
      if (goalposts) {
        // COINr maps iMeta goalposts of a negative indicator to (−hi, −lo) on the flipped data.
        g1 = direction == 1 ? goalposts->lo : -goalposts->hi;
        g2 = direction == 1 ? goalposts->hi : -goalposts->lo;
      }
      GoalpostFraction(col, g1, g2);
      if (spec.method == NormMethod::kGoalposts) {
        for (double& v : col)
          if (!IsNa(v)) v = v * spec.p2;
      } else {
        for (double& v : col)
          if (!IsNa(v)) v = 1 + 4 * v;
      }
      return Ok();
    }
  }
  return BadMethod("unknown normalisation method");
}

}  // namespace gpsi::compute
