// COINr's default outlier treatment (Treat with winsorise, check_SkewKurt and log_CT).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "compute.hpp"
#include "detail/r_numerics.hpp"

namespace gpsi::compute {

namespace {

//! R's three-valued `(abs(skew) < s) | (kurt < k)`: nullopt is NA.
std::optional<bool> PassTest(double skew, double kurt, double skew_max, double kurt_max) {
  const std::optional<bool> a = IsNa(skew) ? std::nullopt : std::optional<bool>(std::fabs(skew) < skew_max);
  const std::optional<bool> b = IsNa(kurt) ? std::nullopt : std::optional<bool>(kurt < kurt_max);
  if (a == true || b == true) return true;
  if (a && b) return false;
  return std::nullopt;
}

struct Check {
  SkewKurt sk;
  std::optional<bool> pass;  // nullopt: undefined (COINr returns the column untreated)
};

Check Test(std::span<const double> x) {
  Check c;
  detail::SkewKurtOf(x, c.sk.skew, c.sk.kurt);
  c.pass = PassTest(c.sk.skew, c.sk.kurt, 2.0, 3.5);
  c.sk.pass = c.pass.value_or(true);
  return c;
}

}  // namespace

SkewKurt CheckSkewKurt(std::span<const double> x, double skew_max, double kurt_max) {
  SkewKurt s;
  detail::SkewKurtOf(x, s.skew, s.kurt);
  s.pass = PassTest(s.skew, s.kurt, skew_max, kurt_max).value_or(true);
  return s;
}

Status CheckWinmax(int winmax) {
  if (winmax < 0) return Error{Errc::kBadMethod, "winmax must be >= 0, got " + std::to_string(winmax)};
  return Ok();
}

TreatReport TreatJrc(std::span<double> col, int winmax) {
  TreatReport rep;
  const Check c0 = Test(col);
  rep.before = c0.sk;
  rep.after = c0.sk;
  if (c0.pass.value_or(true)) return rep;

  const std::vector<double> orig(col.begin(), col.end());
  // COINr keeps only the latest set of rows clipped at each end (imax, imin) and counts
  // nwin = |imax| + |imin|; clipped rows tie with the next value, so the sets grow.
  std::vector<std::size_t> imax, imin;
  int nwin = 0;
  std::optional<bool> pass = false;
  double skew = c0.sk.skew;  // of the current column, from the last test
  constexpr double kInf = std::numeric_limits<double>::infinity();
  while (pass == false && nwin < winmax) {
    const bool high = skew >= 0;
    std::vector<std::size_t>& idx = high ? imax : imin;
    idx.clear();
    double ext = high ? -kInf : kInf;
    for (double v : col)
      if (!IsNa(v)) ext = high ? std::max(ext, v) : std::min(ext, v);
    double next = high ? -kInf : kInf;
    for (std::size_t i = 0; i < col.size(); ++i) {
      const double v = col[i];
      if (IsNa(v)) continue;
      if (v == ext) {
        idx.push_back(i);
      } else {
        next = high ? std::max(next, v) : std::min(next, v);
      }
    }
    for (std::size_t i : idx) col[i] = next;
    nwin = static_cast<int>(imax.size() + imin.size());
    const Check c = Test(col);
    rep.after = c.sk;
    pass = c.pass;
    skew = c.sk.skew;
  }
  if (!pass.has_value()) {
    // The test became undefined mid-way (e.g. every value now tied): COINr then leaves the
    // column untreated.
    std::copy(orig.begin(), orig.end(), col.begin());
    rep.after = rep.before;
    return rep;
  }
  rep.nwin = nwin;
  std::vector<signed char> side(col.size(), 0);
  for (std::size_t i : imax) side[i] = 1;
  for (std::size_t i : imin) side[i] = -1;  // COINr writes winlo after winhi
  for (std::size_t i = 0; i < col.size(); ++i)
    if (side[i] != 0) rep.points.push_back({i, side[i] > 0, orig[i], col[i]});
  if (*pass) return rep;

  // log_CT on the original column (COINr's combine_treat = FALSE).
  double mn = kInf, mx = -kInf;
  for (double v : orig)
    if (!IsNa(v)) mn = std::min(mn, v), mx = std::max(mx, v);
  std::vector<double> logged(orig.size(), kNa);
  for (std::size_t i = 0; i < orig.size(); ++i)
    if (!IsNa(orig[i])) logged[i] = std::log(orig[i] - mn + 0.01 * (mx - mn));
  const Check c2 = Test(logged);
  if (!c2.pass.has_value()) {
    std::copy(orig.begin(), orig.end(), col.begin());
    return rep;
  }
  std::copy(logged.begin(), logged.end(), col.begin());
  rep.log_applied = true;
  rep.after_log = c2.sk;
  return rep;
}

}  // namespace gpsi::compute
