// Imputation of missing cells: cross-sectional (COINr i_mean, i_median, i_mean_grp,
// i_median_grp, applied per period) and along a unit's years (COINr impute_panel).
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "compute.hpp"
#include "detail/r_numerics.hpp"

namespace gpsi::compute {

namespace {

std::string FormatYear(int y) {
  return std::to_string(y);
}

//! Cross-sectional methods: rows bucketed by (period, group) and each missing cell filled with
//! the mean/median of its bucket's observed values.
void ImputeCrossSection(Matrix& x, const RowKeys& keys, bool grouped, bool median, std::vector<ImputedCell>& cells) {
  const std::size_t rows = x.rows();
  if (grouped && keys.group.size() != rows) return;  // no groups: nothing to impute from
  std::map<std::pair<int, int>, std::vector<std::size_t>> buckets;
  for (std::size_t r = 0; r < rows; ++r) {
    const int period = keys.period.size() == rows ? keys.period[r] : 0;
    const int group = grouped ? keys.group[r] : 0;
    if (grouped && group < 0) continue;  // COINr skips units whose group is NA
    buckets[{period, group}].push_back(r);
  }
  std::vector<double> vals;
  for (std::size_t c = 0; c < x.cols(); ++c) {
    for (const auto& [key, members] : buckets) {
      vals.clear();
      bool any_missing = false;
      for (std::size_t r : members) {
        const double v = x(r, c);
        if (IsNa(v)) {
          any_missing = true;
        } else {
          vals.push_back(v);
        }
      }
      if (!any_missing || vals.empty()) continue;  // nothing to fill, or an empty group: stays NA
      const std::size_t n = vals.size();
      const double fill = median ? detail::RMedianInPlace(vals) : detail::RMean(vals.data(), n);
      std::string how = grouped ? "group " + std::to_string(key.second) + " " : "";
      how += (median ? "median of " : "mean of ") + std::to_string(n) + (n == 1 ? " value" : " values");
      for (std::size_t r : members) {
        if (!IsNa(x(r, c))) continue;
        x(r, c) = fill;
        cells.push_back({r, c, fill, how});
      }
    }
  }
}

//! Along-time methods: per unit, rows ordered by year; fills from the unit's observed values.
void ImputeSeries(Matrix& x, const RowKeys& keys, const ImputeSpec& spec, std::vector<ImputedCell>& cells) {
  const std::size_t rows = x.rows();
  if (keys.unit.size() != rows || keys.year.size() != rows) return;
  std::vector<std::size_t> order(rows);
  for (std::size_t r = 0; r < rows; ++r) order[r] = r;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(keys.unit[a], keys.year[a]) < std::pair(keys.unit[b], keys.year[b]);
  });
  // Observed values are read from a copy so that filled cells never feed later ones (COINr reads
  // the original data too).
  std::vector<double> obs(rows);
  for (std::size_t c = 0; c < x.cols(); ++c) {
    const int max_years = spec.LocfYears(c);
    if (spec.method == ImputeMethod::kLocf && max_years <= 0) continue;
    for (std::size_t r = 0; r < rows; ++r) obs[r] = x(r, c);
    for (std::size_t b = 0; b < rows;) {
      std::size_t e = b;
      while (e < rows && keys.unit[order[e]] == keys.unit[order[b]]) ++e;
      for (std::size_t i = b; i < e; ++i) {
        const std::size_t r = order[i];
        if (!IsNa(obs[r])) continue;
        const int t = keys.year[r];
        // nearest earlier observed value
        std::size_t lo = e;
        for (std::size_t j = i; j-- > b;) {
          if (!IsNa(obs[order[j]]) && keys.year[order[j]] < t) {
            lo = j;
            break;
          }
        }
        if (lo == e) continue;
        const std::size_t r0 = order[lo];
        const int t0 = keys.year[r0];
        if (spec.method == ImputeMethod::kLocf) {
          if (t - t0 > max_years) continue;
          x(r, c) = obs[r0];
          cells.push_back({r, c, obs[r0], FormatYear(t0) + " value", r0});
          continue;
        }
        std::size_t hi = e;
        for (std::size_t j = i + 1; j < e; ++j) {
          if (!IsNa(obs[order[j]]) && keys.year[order[j]] > t) {
            hi = j;
            break;
          }
        }
        if (hi == e) continue;  // no later value: no extrapolation
        const std::size_t r1 = order[hi];
        const int t1 = keys.year[r1];
        const double y0 = obs[r0], y1 = obs[r1];
        // R approx(): y0 + (y1 − y0)·((t − t0)/(t1 − t0)).
        const double v = y0 + (y1 - y0) * ((static_cast<double>(t) - t0) / (static_cast<double>(t1) - t0));
        x(r, c) = v;
        cells.push_back({r, c, v, FormatYear(t0) + "\u2013" + FormatYear(t1) + " line"});
      }
      b = e;
    }
  }
}

}  // namespace

std::vector<ImputedCell> Impute(Matrix& x, const RowKeys& keys, const ImputeSpec& spec) {
  std::vector<ImputedCell> cells;
  switch (spec.method) {
    case ImputeMethod::kNone: break;
    case ImputeMethod::kMean: ImputeCrossSection(x, keys, false, false, cells); break;
    case ImputeMethod::kMedian: ImputeCrossSection(x, keys, false, true, cells); break;
    case ImputeMethod::kGroupMean: ImputeCrossSection(x, keys, true, false, cells); break;
    case ImputeMethod::kGroupMedian: ImputeCrossSection(x, keys, true, true, cells); break;
    case ImputeMethod::kLocf:
    case ImputeMethod::kInterpolate: ImputeSeries(x, keys, spec, cells); break;
  }
  std::sort(cells.begin(), cells.end(), [](const ImputedCell& a, const ImputedCell& b) {
    return std::pair(a.col, a.row) < std::pair(b.col, b.row);
  });
  return cells;
}

}  // namespace gpsi::compute
