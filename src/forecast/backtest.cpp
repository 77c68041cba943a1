// The rolling-origin backtest: vintage-correct fits at each origin, every model scored on the
// same cells, and an origin-block bootstrap of each model's CRPS difference from each baseline.
#include <algorithm>
#include <map>

#include "forecast.hpp"

namespace gpsi::forecast {
namespace {

//! Sums of one model's scores at one horizon and origin.
struct Cell {
  std::size_t n = 0;
  double crps = 0, ign = 0, mis90 = 0, cover50 = 0, cover90 = 0;
};

struct Scored {
  double crps, ign, mis90;
  bool in50, in90;
};

Scored Score(std::vector<double>& draws, double y, std::span<const double> bins) {
  std::sort(draws.begin(), draws.end());
  const double p05 = compute::QuantileType7(draws, 0.05), p95 = compute::QuantileType7(draws, 0.95);
  const double p25 = compute::QuantileType7(draws, 0.25), p75 = compute::QuantileType7(draws, 0.75);
  return {Crps(draws, y), bins.empty() ? kNa : Ignorance(draws, bins, y), IntervalScore(p05, p95, y, 0.1),
          p25 <= y && y <= p75, p05 <= y && y <= p95};
}

//! One-sided bootstrap p-value that the mean of per-cell differences is < 0, resampling whole
//! origins: p = (1 + #{resampled mean ≥ 0}) / (B + 1).
double OriginBootstrap(const std::vector<std::pair<double, std::size_t>>& by_origin, std::size_t resamples,
                       std::uint64_t seed) {
  if (by_origin.empty()) return kNa;
  Rng rng(seed, 0xB0075EEDULL);
  std::size_t not_better = 0;
  for (std::size_t b = 0; b < resamples; ++b) {
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < by_origin.size(); ++i) {
      const auto& [s, k] = by_origin[rng.Below(by_origin.size())];
      sum += s, n += k;
    }
    not_better += n == 0 || sum >= 0 ? 1 : 0;
  }
  return static_cast<double>(1 + not_better) / static_cast<double>(resamples + 1);
}

}  // namespace

std::vector<ScoreLine> Backtest(const SeriesPanel& p, const Context& ctx, const BacktestConfig& cfg) {
  std::vector<Model> models;
  for (Model m : cfg.models.empty() ? std::vector<Model>(std::begin(kModels), std::end(kModels)) : cfg.models) {
    if (Applies(m, p.scale.support)) models.push_back(m);
  }
  const int horizons = cfg.settings.max_horizon;
  const std::size_t nm = models.size();
  // cells[(model·H + h−1)][origin] and, per origin, the per-cell CRPS of every model for the diffs.
  std::vector<std::map<int, Cell>> cells(nm * static_cast<std::size_t>(horizons));
  // diff_sums[h−1][model a][model b][origin] = (Σ crps_a − crps_b, cells)
  std::vector<std::vector<std::vector<std::map<int, std::pair<double, std::size_t>>>>> diffs(
      static_cast<std::size_t>(horizons), std::vector<std::vector<std::map<int, std::pair<double, std::size_t>>>>(
                                              nm, std::vector<std::map<int, std::pair<double, std::size_t>>>(nm)));
  std::vector<double> draws(cfg.draws), crps(nm);
  for (int origin = cfg.first_origin; origin <= cfg.last_origin; ++origin) {
    const Fit fit = Fit::At(p, ctx, origin, cfg.settings);
    for (std::size_t u = 0; u < p.units; ++u) {
      if (!fit.Forecastable(u)) continue;
      for (int h = 1; h <= horizons; ++h) {
        const double y = p.at(u, origin + h);
        if (IsNa(y)) continue;
        const auto hh = static_cast<std::size_t>(h - 1);
        for (std::size_t m = 0; m < nm; ++m) {
          Rng rng(cfg.seed, Stream(u, origin, h, models[m]));
          fit.Draw(models[m], u, h, rng, draws);
          const Scored s = Score(draws, y, cfg.bins);
          Cell& c = cells[m * static_cast<std::size_t>(horizons) + hh][origin];
          ++c.n, c.crps += s.crps, c.ign += s.ign, c.mis90 += s.mis90;
          c.cover50 += s.in50 ? 1 : 0, c.cover90 += s.in90 ? 1 : 0;
          crps[m] = s.crps;
        }
        for (std::size_t a = 0; a < nm; ++a) {
          for (std::size_t b = 0; b < nm; ++b) {
            auto& d = diffs[hh][a][b][origin];
            d.first += crps[a] - crps[b], ++d.second;
          }
        }
      }
    }
  }
  std::vector<ScoreLine> out;
  for (std::size_t m = 0; m < nm; ++m) {
    for (int h = 1; h <= horizons; ++h) {
      const auto hh = static_cast<std::size_t>(h - 1);
      ScoreLine line;
      line.model = models[m], line.horizon = h;
      Cell total;
      for (const auto& [o, c] : cells[m * static_cast<std::size_t>(horizons) + hh]) {
        total.n += c.n, total.crps += c.crps, total.ign += c.ign, total.mis90 += c.mis90;
        total.cover50 += c.cover50, total.cover90 += c.cover90;
      }
      line.n = total.n;
      if (total.n > 0) {
        const auto n = static_cast<double>(total.n);
        line.crps = total.crps / n, line.ignorance = cfg.bins.empty() ? kNa : total.ign / n;
        line.mis90 = total.mis90 / n, line.cover50 = total.cover50 / n, line.cover90 = total.cover90 / n;
      }
      for (Model base : kModels) {
        const auto it = std::find(models.begin(), models.end(), base);
        if (it == models.end() || *it == models[m]) {
          line.diff.push_back(kNa), line.p_value.push_back(kNa);
          continue;
        }
        const auto b = static_cast<std::size_t>(it - models.begin());
        std::vector<std::pair<double, std::size_t>> by_origin;
        double sum = 0;
        std::size_t n = 0;
        for (const auto& [o, d] : diffs[hh][m][b]) by_origin.push_back(d), sum += d.first, n += d.second;
        line.diff.push_back(n == 0 ? kNa : sum / static_cast<double>(n));
        line.p_value.push_back(OriginBootstrap(by_origin, cfg.bootstrap, cfg.seed));
      }
      out.push_back(std::move(line));
    }
  }
  return out;
}

}  // namespace gpsi::forecast
