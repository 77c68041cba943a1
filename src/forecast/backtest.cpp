// The rolling-origin backtest: vintage-correct fits at each origin, every model scored on the
// same cells, and an origin-block bootstrap of each model's CRPS difference from each baseline.
#include <algorithm>
#include <map>

#include "forecast.hpp"

namespace gpsi::forecast {
namespace {

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

//! Brier score and average precision of event probabilities, in the cells' order (stable).
void ScoreEvents(const std::vector<std::pair<double, int>>& cells, ScoreLine& line) {
  if (cells.empty()) return;
  std::vector<double> p;
  std::vector<int> o;
  double brier = 0;
  for (const auto& [prob, outcome] : cells) {
    p.push_back(prob), o.push_back(outcome);
    brier += (prob - outcome) * (prob - outcome);
    line.events += static_cast<std::size_t>(outcome);
  }
  line.brier = brier / static_cast<double>(cells.size());
  line.aupr = AveragePrecision(p, o);
}

}  // namespace

Scoreboard::Scoreboard(std::vector<Model> models, int horizons, std::vector<double> bins)
    : models_(std::move(models)),
      horizons_(horizons),
      bins_(std::move(bins)),
      sums_(models_.size() * static_cast<std::size_t>(horizons)),
      diffs_(static_cast<std::size_t>(horizons) * models_.size() * models_.size()),
      events_(sums_.size()) {}

void Scoreboard::Add(int origin, int h, std::span<std::vector<double>> draws, double y, std::optional<Event> event) {
  const std::size_t nm = models_.size(), hh = static_cast<std::size_t>(h - 1);
  std::vector<double> crps(nm);
  for (std::size_t m = 0; m < nm; ++m) {
    if (event) {
      const auto in = std::count_if(draws[m].begin(), draws[m].end(), [&](double v) { return event->In(v); });
      events_[m * static_cast<std::size_t>(horizons_) + hh].emplace_back(
          static_cast<double>(in) / static_cast<double>(draws[m].size()), event->In(y) ? 1 : 0);
    }
    const Scored s = Score(draws[m], y, bins_);
    Sums& c = sums_[m * static_cast<std::size_t>(horizons_) + hh][origin];
    ++c.n, c.crps += s.crps, c.ign += s.ign, c.mis90 += s.mis90;
    c.cover50 += s.in50 ? 1 : 0, c.cover90 += s.in90 ? 1 : 0;
    crps[m] = s.crps;
  }
  for (std::size_t a = 0; a < nm; ++a) {
    for (std::size_t b = 0; b < nm; ++b) {
      auto& d = diffs_[(hh * nm + a) * nm + b][origin];
      d.first += crps[a] - crps[b], ++d.second;
    }
  }
}

void Scoreboard::Merge(const Scoreboard& o) {
  for (std::size_t i = 0; i < sums_.size(); ++i) {
    for (const auto& [origin, c] : o.sums_[i]) {
      Sums& t = sums_[i][origin];
      t.n += c.n, t.crps += c.crps, t.ign += c.ign, t.mis90 += c.mis90;
      t.cover50 += c.cover50, t.cover90 += c.cover90;
    }
  }
  for (std::size_t i = 0; i < diffs_.size(); ++i) {
    for (const auto& [origin, d] : o.diffs_[i]) {
      auto& t = diffs_[i][origin];
      t.first += d.first, t.second += d.second;
    }
  }
  for (std::size_t i = 0; i < events_.size(); ++i)
    events_[i].insert(events_[i].end(), o.events_[i].begin(), o.events_[i].end());
}

std::vector<ScoreLine> Scoreboard::Lines(std::size_t bootstrap, std::uint64_t seed) const {
  const std::size_t nm = models_.size();
  std::vector<ScoreLine> out;
  for (std::size_t m = 0; m < nm; ++m) {
    for (int h = 1; h <= horizons_; ++h) {
      const auto hh = static_cast<std::size_t>(h - 1);
      ScoreLine line;
      line.model = models_[m], line.horizon = h;
      Sums total;
      for (const auto& [o, c] : sums_[m * static_cast<std::size_t>(horizons_) + hh]) {
        total.n += c.n, total.crps += c.crps, total.ign += c.ign, total.mis90 += c.mis90;
        total.cover50 += c.cover50, total.cover90 += c.cover90;
      }
      line.n = total.n;
      ScoreEvents(events_[m * static_cast<std::size_t>(horizons_) + hh], line);
      if (total.n > 0) {
        const auto n = static_cast<double>(total.n);
        line.crps = total.crps / n, line.ignorance = bins_.empty() ? kNa : total.ign / n;
        line.mis90 = total.mis90 / n, line.cover50 = total.cover50 / n, line.cover90 = total.cover90 / n;
      }
      for (Model base : kModels) {
        const auto it = std::find(models_.begin(), models_.end(), base);
        if (it == models_.end() || *it == models_[m]) {
          line.diff.push_back(kNa), line.p_value.push_back(kNa);
          continue;
        }
        const auto b = static_cast<std::size_t>(it - models_.begin());
        std::vector<std::pair<double, std::size_t>> by_origin;
        double sum = 0;
        std::size_t n = 0;
        for (const auto& [o, d] : diffs_[(hh * nm + m) * nm + b]) by_origin.push_back(d), sum += d.first, n += d.second;
        line.diff.push_back(n == 0 ? kNa : sum / static_cast<double>(n));
        line.p_value.push_back(OriginBootstrap(by_origin, bootstrap, seed));
      }
      out.push_back(std::move(line));
    }
  }
  return out;
}

std::vector<ScoreLine> Backtest(const SeriesPanel& p, const Context& ctx, const BacktestConfig& cfg) {
  std::vector<Model> models;
  for (Model m : cfg.models.empty() ? std::vector<Model>(std::begin(kModels), std::end(kModels)) : cfg.models) {
    if (Applies(m, p.scale.support)) models.push_back(m);
  }
  const int horizons = cfg.settings.max_horizon;
  Scoreboard board(models, horizons, cfg.bins);
  std::vector<std::vector<double>> draws(models.size(), std::vector<double>(cfg.draws));
  for (int origin = cfg.first_origin; origin <= cfg.last_origin; ++origin) {
    const Fit fit = Fit::At(p, ctx, origin, cfg.settings);
    for (std::size_t u = 0; u < p.units; ++u) {
      if (!fit.Forecastable(u)) continue;
      for (int h = 1; h <= horizons; ++h) {
        const double y = p.at(u, origin + h);
        if (IsNa(y)) continue;
        for (std::size_t m = 0; m < models.size(); ++m) {
          Rng rng(cfg.seed, Stream(u, origin, h, models[m]));
          fit.Draw(models[m], u, h, rng, draws[m]);
        }
        std::optional<Scoreboard::Event> event;
        if (cfg.event_at) event = Scoreboard::Event{*cfg.event_at, true};
        board.Add(origin, h, draws, y, event);
      }
    }
  }
  return board.Lines(cfg.bootstrap, cfg.seed);
}

}  // namespace gpsi::forecast
