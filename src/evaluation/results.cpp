// What a campaign's sheets give: the four aggregations, the judges' effects, the reliability of the
// panel and the bootstrap of the selection (docs/evaluation.md, "Results").
#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <optional>
#include <thread>
#include <tuple>

#include <Eigen/Dense>

#include "evaluation.hpp"

namespace gpsi::evaluation {
namespace {

//! The sheets of each application, by index into `sheets`.
std::vector<std::vector<std::size_t>> SheetsOf(std::size_t applications, const std::vector<Sheet>& sheets) {
  std::vector<std::vector<std::size_t>> of(applications);
  for (std::size_t s = 0; s < sheets.size(); ++s) of[sheets[s].application].push_back(s);
  return of;
}

double MeanOf(std::vector<double> v) {
  return v.empty() ? kNa : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}

//! The median (the mean of the middle two for an even count).
double MedianOf(std::vector<double> v) {
  if (v.empty()) return kNa;
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

//! Per application and criterion, `reduce` over the scores its sheets give (`score` reads one).
template <class Reduce, class Score>
std::vector<std::vector<double>> PerCriterion(std::size_t applications, std::size_t criteria,
                                              const std::vector<Sheet>& sheets, Reduce reduce, Score score) {
  const auto of = SheetsOf(applications, sheets);
  std::vector<std::vector<double>> out(applications, std::vector<double>(criteria, kNa));
  for (std::size_t a = 0; a < applications; ++a) {
    for (std::size_t c = 0; c < criteria; ++c) {
      std::vector<double> v;
      for (std::size_t s : of[a]) v.push_back(score(sheets[s], c));
      out[a][c] = reduce(std::move(v));
    }
  }
  return out;
}

//! Each judge's scores as z-scores over all they gave, put back on the scale with the panel's mean
//! and SD (so the minimums still read on it): M + S (x − m_j) / s_j; a judge who gave one score
//! throughout gets M.
std::vector<std::vector<double>> Standardised(std::size_t applications, std::size_t criteria, std::size_t judges,
                                              const std::vector<Sheet>& sheets) {
  std::vector<double> sum(judges), sq(judges), n(judges);
  double all = 0, all_sq = 0, all_n = 0;
  for (const auto& s : sheets) {
    for (double x : s.scores) sum[s.judge] += x, sq[s.judge] += x * x, ++n[s.judge], all += x, all_sq += x * x, ++all_n;
  }
  auto sd = [](double s, double q, double k) {
    return k > 1 ? std::sqrt(std::max(0.0, (q - s * s / k) / (k - 1))) : 0;
  };
  const double panel_mean = all / all_n, panel_sd = sd(all, all_sq, all_n);
  auto score = [&](const Sheet& s, std::size_t c) {
    const double m = sum[s.judge] / n[s.judge], d = sd(sum[s.judge], sq[s.judge], n[s.judge]);
    return d > 0 ? panel_mean + panel_sd * (s.scores[c] - m) / d : panel_mean;
  };
  return PerCriterion(applications, criteria, sheets, MeanOf, score);
}

//! The model's data: score ~ 0 + criterion + (1|application) + (1|application:criterion) +
//! (1|judge) + (1|judge:criterion), one observation per sheet and criterion.
MixedData ModelData(std::size_t applications, std::size_t criteria, std::size_t judges,
                    const std::vector<Sheet>& sheets) {
  MixedData d;
  d.x.assign(criteria, {});
  d.factors = {{"application", {}, int(applications)},
               {"application:criterion", {}, int(applications * criteria)},
               {"judge", {}, int(judges)},
               {"judge:criterion", {}, int(judges * criteria)}};
  for (const auto& s : sheets) {
    for (std::size_t c = 0; c < criteria; ++c) {
      d.y.push_back(s.scores[c]);
      for (std::size_t k = 0; k < criteria; ++k) d.x[k].push_back(k == c ? 1.0 : 0.0);
      d.factors[0].level.push_back(int(s.application));
      d.factors[1].level.push_back(int(s.application * criteria + c));
      d.factors[2].level.push_back(int(s.judge));
      d.factors[3].level.push_back(int(s.judge * criteria + c));
    }
  }
  return d;
}

//! The fit of data the fixed effects alone reproduce (every judge gave every application the same
//! scores, criterion by criterion): no variance is left to share, so every random effect is 0 and
//! the fair average is the criterion mean. lme4 refuses such data; nullopt for any other.
std::optional<Result<MixedFit>> ExactFit(const MixedData& d) {
  Eigen::MatrixXd x(d.y.size(), d.x.size());
  for (std::size_t c = 0; c < d.x.size(); ++c) {
    for (std::size_t i = 0; i < d.y.size(); ++i) x(i, c) = d.x[c][i];
  }
  const Eigen::Map<const Eigen::VectorXd> y(d.y.data(), Eigen::Index(d.y.size()));
  const Eigen::VectorXd beta = x.colPivHouseholderQr().solve(y);
  if ((y - x * beta).norm() > 1e-10 * (1 + y.norm())) return std::nullopt;
  MixedFit fit;
  fit.beta.assign(beta.data(), beta.data() + beta.size());
  fit.reml = kNa;
  for (const auto& f : d.factors) {
    fit.effects.emplace_back(f.levels, 0.0);
    fit.variances.push_back(0), fit.theta.push_back(0);
  }
  return Result<MixedFit>(std::move(fit));
}

//! Fits `d` leaving out the factors the sheets cannot identify: one observed level (a bootstrap
//! replicate of a small campaign may draw one judge's sheets only) or a level per observation.
//! lme4 refuses such a model; here a left-out factor has variance 0 and every effect 0, which is
//! what its fit would give, and the other factors keep their places in the result.
Result<MixedFit> FitIdentifiable(MixedData d) {
  std::vector<Factor> all = std::move(d.factors);
  std::vector<std::size_t> kept;
  for (std::size_t k = 0; k < all.size(); ++k) {
    std::vector<bool> seen(all[k].levels, false);
    std::size_t observed = 0;
    for (int l : all[k].level) observed += !seen[l], seen[l] = true;
    if (observed >= 2 && observed < d.y.size()) kept.push_back(k), d.factors.push_back(all[k]);
  }
  auto exact = ExactFit(d);
  auto fit = exact ? std::move(*exact) : FitMixed(d);
  if (!fit) return fit.error();
  MixedFit out = std::move(*fit);
  std::vector<std::vector<double>> effects(all.size());
  std::vector<double> variances(all.size(), 0.0), theta(all.size(), 0.0);
  for (std::size_t k = 0; k < all.size(); ++k) effects[k].assign(all[k].levels, 0.0);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    effects[kept[i]] = std::move(out.effects[i]);
    variances[kept[i]] = out.variances[i], theta[kept[i]] = out.theta[i];
  }
  out.effects = std::move(effects), out.variances = std::move(variances), out.theta = std::move(theta);
  return out;
}

//! Per application with sheets, each sheet's total (the sum over criteria) in its judge's column
//! (judges with sheets only); kNa where the judge did not score it. The reliability tables read this.
std::vector<std::vector<double>> Totals(std::size_t applications, std::size_t judges,
                                        const std::vector<Sheet>& sheets) {
  std::vector<int> row(applications, -1), col(judges, -1);
  int rows = 0, cols = 0;
  for (const auto& s : sheets) {
    if (row[s.application] < 0) row[s.application] = rows++;
    if (col[s.judge] < 0) col[s.judge] = cols++;
  }
  std::vector<std::vector<double>> t(rows, std::vector<double>(cols, kNa));
  for (const auto& s : sheets) {
    t[row[s.application]][col[s.judge]] = std::accumulate(s.scores.begin(), s.scores.end(), 0.0);
  }
  return t;
}

std::vector<JudgeEffect> JudgeEffects(std::size_t criteria, std::size_t judges, const std::vector<Sheet>& sheets,
                                      const MixedFit& fit) {
  std::vector<JudgeEffect> out(judges);
  for (std::size_t j = 0; j < judges; ++j) {
    out[j].severity = fit.effects[2][j];
    for (std::size_t c = 0; c < criteria; ++c) out[j].bias.push_back(fit.effects[3][j * criteria + c]);
  }
  std::vector<double> given(judges);
  for (const auto& s : sheets) {
    ++out[s.judge].sheets;
    given[s.judge] += std::accumulate(s.scores.begin(), s.scores.end(), 0.0);
  }
  for (std::size_t j = 0; j < judges; ++j) {
    out[j].mean_given = out[j].sheets ? given[j] / double(out[j].sheets * criteria) : kNa;
  }
  return out;
}

Result<Reliability> PanelReliability(std::size_t applications, std::size_t judges, const std::vector<Sheet>& sheets) {
  const auto totals = Totals(applications, judges, sheets);
  Reliability r;
  r.alpha = KrippendorffAlpha(totals);
  r.judges_per_application = double(sheets.size()) / double(totals.size());
  // A table the ICC's model cannot fit (every total the same) has no ICC: reported as missing,
  // not as a failure of the results.
  auto icc = Icc(totals);
  if (!icc) return r;
  r.icc = std::move(*icc);
  // ICC2, absolute agreement of random judges: the form that applies when each application meets its
  // own subset of the panel, so that a judge's severity is part of the error of a raw score.
  const double icc2 = r.icc.forms[1].icc;
  r.panel = SpearmanBrown(icc2, r.judges_per_application);
  r.judges_for_075 = JudgesFor(icc2, 0.75);
  r.judges_for_090 = JudgesFor(icc2, 0.9);
  return r;
}

//! The sheets of bootstrap replicate `replicate`: per application, as many of its sheets drawn with
//! replacement as it has.
std::vector<Sheet> Resample(const Rules& rules, const std::vector<std::vector<std::size_t>>& of,
                            const std::vector<Sheet>& sheets, int replicate) {
  Rng rng(rules.seed, 0x626f6f74000000ULL + std::uint64_t(replicate));  // "boot"
  std::vector<Sheet> out;
  out.reserve(sheets.size());
  for (const auto& list : of) {
    for (std::size_t i = 0; i < list.size(); ++i) out.push_back(sheets[list[rng.Below(list.size())]]);
  }
  return out;
}

//! The bootstrap of the model's selection (see Evaluate).
Result<SelectionOdds> Odds(const Rules& rules, const std::vector<Application>& apps, std::size_t judges,
                           const std::vector<Sheet>& sheets, unsigned threads) {
  const auto of = SheetsOf(apps.size(), sheets);
  const int replicates = rules.bootstrap;
  std::vector<std::vector<char>> selected(replicates);
  std::vector<Error> errors(replicates, Error{Errc::kOk, ""});
  std::atomic<int> next{0};
  auto work = [&] {
    for (int r = next++; r < replicates; r = next++) {
      auto fair = FairAverages(rules, apps.size(), judges, Resample(rules, of, sheets, r), nullptr);
      if (!fair) {
        errors[r] = fair.error();
        continue;
      }
      for (const auto& s : Rank(rules, apps, *fair)) selected[r].push_back(s.selected);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::max(1u, threads); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  SelectionOdds odds;
  odds.replicates = replicates;
  // Counted, then divided once: a sum of 1/replicates drifts past 1.
  std::vector<int> count(apps.size(), 0);
  for (int r = 0; r < replicates; ++r) {
    if (errors[r].code != Errc::kOk) return errors[r];
    for (std::size_t a = 0; a < apps.size(); ++a) count[a] += selected[r][a];
  }
  for (int c : count) odds.probability.push_back(replicates > 0 ? double(c) / replicates : kNa);
  for (double p : odds.probability) odds.borderline.push_back(p > rules.borderline_low && p < rules.borderline_high);
  return odds;
}

}  // namespace

std::string_view ToString(Method m) {
  switch (m) {
    case Method::kMean: return "mean";
    case Method::kMedian: return "median";
    case Method::kStandardised: return "standardised";
    case Method::kModel: return "model";
  }
  return "mean";
}

std::vector<Standing> Rank(const Rules& rules, const std::vector<Application>& apps,
                           const std::vector<std::vector<double>>& criteria) {
  std::vector<Standing> out(apps.size());
  for (std::size_t a = 0; a < apps.size(); ++a) {
    auto& s = out[a];
    s.criteria = criteria[a];
    s.total = std::accumulate(s.criteria.begin(), s.criteria.end(), 0.0);
    s.eligible = !IsNa(s.total) && s.total >= rules.min_total - 1e-9;
    for (std::size_t c = 0; c < rules.criteria.size(); ++c) {
      s.eligible = s.eligible && s.criteria[c] >= rules.criteria[c].minimum - 1e-9;
    }
  }
  // Totals equal to 1e-9 are equal: sums of means differ in their last bits by the order of addition.
  auto level = [](double x) { return IsNa(x) ? -1e18 : std::round(x * 1e9); };
  auto key = [&](std::size_t a) {
    std::vector<double> k{level(out[a].total)};
    for (const auto& code : rules.tie_break) {
      const auto c = std::find_if(rules.criteria.begin(), rules.criteria.end(),
                                  [&](const Criterion& x) { return x.code == code; }) -
                     rules.criteria.begin();
      k.push_back(level(out[a].criteria[c]));
    }
    return k;
  };
  std::vector<std::size_t> order(apps.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const auto kx = key(x), ky = key(y);
    return kx != ky ? kx > ky : apps[x].code < apps[y].code;
  });
  int chosen = 0;
  for (std::size_t r = 0; r < order.size(); ++r) {
    auto& s = out[order[r]];
    s.rank = int(r) + 1;
    s.selected = s.eligible && chosen < rules.select;
    chosen += s.selected;
  }
  return out;
}

Result<std::vector<std::vector<double>>> FairAverages(const Rules& rules, std::size_t applications, std::size_t judges,
                                                      const std::vector<Sheet>& sheets, MixedFit* fit_out) {
  const std::size_t criteria = rules.criteria.size();
  auto fit = FitIdentifiable(ModelData(applications, criteria, judges, sheets));
  if (!fit) return fit.error();
  std::vector<bool> scored(applications, false);
  for (const auto& s : sheets) scored[s.application] = true;
  std::vector<std::vector<double>> fair(applications, std::vector<double>(criteria, kNa));
  for (std::size_t a = 0; a < applications; ++a) {
    for (std::size_t c = 0; c < criteria && scored[a]; ++c) {
      fair[a][c] = fit->beta[c] + fit->effects[0][a] + fit->effects[1][a * criteria + c];
    }
  }
  if (fit_out) *fit_out = std::move(*fit);
  return fair;
}

Result<Results> Evaluate(const Rules& rules, const std::vector<Application>& apps, std::size_t judges,
                         const std::vector<Sheet>& sheets, unsigned threads) {
  const std::size_t criteria = rules.criteria.size();
  for (const auto& s : sheets) {
    if (s.application >= apps.size() || s.judge >= judges) {
      return Error{Errc::kBadCampaign, "a score sheet names an unknown application or judge"};
    }
    if (auto ok = CheckScores(rules, s.scores); !ok) return ok.error();
  }
  Results out;
  auto fair = FairAverages(rules, apps.size(), judges, sheets, &out.model);
  if (!fair) return fair.error();
  const auto score = [](const Sheet& s, std::size_t c) { return s.scores[c]; };
  out.rankings = {
      {Method::kMean, Rank(rules, apps, PerCriterion(apps.size(), criteria, sheets, MeanOf, score))},
      {Method::kMedian, Rank(rules, apps, PerCriterion(apps.size(), criteria, sheets, MedianOf, score))},
      {Method::kStandardised, Rank(rules, apps, Standardised(apps.size(), criteria, judges, sheets))},
      {Method::kModel, Rank(rules, apps, *fair)},
  };
  out.judges = JudgeEffects(criteria, judges, sheets, out.model);
  auto reliability = PanelReliability(apps.size(), judges, sheets);
  if (!reliability) return reliability.error();
  out.reliability = std::move(*reliability);
  auto odds = Odds(rules, apps, judges, sheets, threads);
  if (!odds) return odds.error();
  out.odds = std::move(*odds);
  return out;
}

}  // namespace gpsi::evaluation
