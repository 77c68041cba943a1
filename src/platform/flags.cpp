// Validation flags of a member's submitted values: outliers against the country's own history,
// differences from the UN-tier value, and breaks in the series (docs/platform.md).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "platform.hpp"

namespace gpsi::platform {
namespace {

using Series = std::map<int, double>;  // year → value

//! z of `x` against the mean and sample SD of `others`, with the mean; nullopt when fewer than
//! `min` values or no spread.
std::optional<std::pair<double, double>> ZScore(double x, const std::vector<double>& others, std::size_t min) {
  if (others.size() < std::max<std::size_t>(min, 2)) return std::nullopt;
  double mean = 0;
  for (double v : others) mean += v;
  mean /= static_cast<double>(others.size());
  double ss = 0;
  for (double v : others) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / static_cast<double>(others.size() - 1));
  if (!(sd > 0)) return std::nullopt;
  return std::make_pair((x - mean) / sd, mean);
}

//! The series' values in every year but `year`, into `out`.
void OtherValues(const Series& series, int year, std::vector<double>& out) {
  out.clear();
  for (const auto& [y, v] : series) {
    if (y != year) out.push_back(v);
  }
}

//! The series' year-on-year changes x(t) − x(t−1) over consecutive years, but the one ending at
//! `year`, into `out`.
void OtherChanges(const Series& series, int year, std::vector<double>& out) {
  out.clear();
  for (auto it = series.begin(); it != series.end(); ++it) {
    auto next = std::next(it);
    if (next != series.end() && next->first == it->first + 1 && next->first != year) {
      out.push_back(next->second - it->second);
    }
  }
}

SubmissionFlag Flag(const ObservationRow& row, FlagKind kind, double reference, double score) {
  SubmissionFlag f;
  f.unit = row.unit, f.indicator = row.indicator, f.year = row.year, f.kind = kind;
  f.value = row.value, f.reference = reference, f.score = score;
  return f;
}

//! The stored values of one unit and indicator: the index's (the first of each year in priority
//! order) and the UN tier's.
struct Cells {
  Series index, un;
};

//! The flags of one submitted `row`, given its country's `series` (the submission's own values
//! over the index's) and `un`, the UN tier's values; `buf` is scratch space.
void FlagRow(const ObservationRow& row, const Series& series, const Series& un, const FlagRules& rules,
             std::vector<double>& buf, std::vector<SubmissionFlag>& out) {
  OtherValues(series, row.year, buf);
  if (auto z = ZScore(row.value, buf, rules.min_history); z && std::abs(z->first) >= rules.z) {
    out.push_back(Flag(row, FlagKind::kOutlier, z->second, z->first));
  }
  if (auto it = un.find(row.year); it != un.end()) {
    const double u = it->second;
    const double r = u != 0 ? std::abs(row.value - u) / std::abs(u)
                            : (row.value != 0 ? std::numeric_limits<double>::infinity() : 0.0);
    if (r > rules.un_difference) out.push_back(Flag(row, FlagKind::kUnDifference, u, r));
  }
  if (auto prev = series.find(row.year - 1); prev != series.end()) {
    OtherChanges(series, row.year, buf);
    if (auto z = ZScore(row.value - prev->second, buf, rules.min_history); z && std::abs(z->first) >= rules.z) {
      out.push_back(Flag(row, FlagKind::kSeriesBreak, prev->second, z->first));
    }
  }
}

bool SameSeries(const std::string& unit_a, const std::string& ind_a, const std::string& unit_b,
                const std::string& ind_b) {
  return unit_a == unit_b && ind_a == ind_b;
}

}  // namespace

std::vector<SubmissionFlag> FlagValues(const std::vector<ObservationRow>& rows, const std::vector<TieredValue>& stored,
                                       const FlagRules& rules) {
  // `stored` comes by unit and indicator, each cell's values in priority order: the first is the
  // index's value, the first of tier 1 the UN's. One map entry per series, not per value.
  std::map<std::pair<std::string, std::string>, Cells> cells;
  Cells* at = nullptr;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const TieredValue& v = stored[i];
    if (i == 0 || !SameSeries(v.unit, v.indicator, stored[i - 1].unit, stored[i - 1].indicator)) {
      at = &cells[{v.unit, v.indicator}];
    }
    at->index.emplace(v.year, v.value);
    if (v.tier == 1) at->un.emplace(v.year, v.value);
  }
  // The submitted rows by unit, indicator and year, a series at a time.
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(rows[a].unit, rows[a].indicator, rows[a].year) <
           std::tie(rows[b].unit, rows[b].indicator, rows[b].year);
  });
  const Cells none;
  std::vector<SubmissionFlag> out;
  std::vector<double> buf;
  for (std::size_t begin = 0, end = 0; begin < order.size(); begin = end) {
    const ObservationRow& first = rows[order[begin]];
    end = begin;
    while (end < order.size() &&
           SameSeries(rows[order[end]].unit, rows[order[end]].indicator, first.unit, first.indicator)) {
      ++end;
    }
    auto found = cells.find({first.unit, first.indicator});
    const Cells& stored_cells = found == cells.end() ? none : found->second;
    Series series = stored_cells.index;  // the member's own values over the index's
    for (std::size_t k = begin; k < end; ++k) series[rows[order[k]].year] = rows[order[k]].value;
    for (std::size_t k = begin; k < end; ++k) FlagRow(rows[order[k]], series, stored_cells.un, rules, buf, out);
  }
  return out;
}

std::vector<CellReference> ReferenceValues(Store& store, const std::vector<ObservationRow>& rows) {
  std::set<std::string> units, indicators;
  for (const auto& r : rows) units.insert(r.unit), indicators.insert(r.indicator);
  const CellFilter filter{{units.begin(), units.end()}, {indicators.begin(), indicators.end()}};
  // Observations come by cell in priority order: the first of another release is the one used.
  std::map<std::tuple<std::string, std::string, int>, CellReference> by_cell;
  std::set<std::string> own;
  for (const auto& r : rows) own.insert(r.source_key + "@" + r.release);
  store.Observations(filter, [&](const ObservationRow& o) {
    auto& ref = by_cell[{o.unit, o.indicator, o.year}];
    const std::string source = o.source_key + "@" + o.release;
    if (IsNa(ref.published) && !own.contains(source)) ref.published = o.value, ref.published_source = source;
    if (IsNa(ref.un) && o.tier == 1) ref.un = o.value;
  });
  std::vector<CellReference> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    const auto it = by_cell.find({r.unit, r.indicator, r.year});
    out.push_back(it == by_cell.end() ? CellReference{} : it->second);
  }
  return out;
}

}  // namespace gpsi::platform
