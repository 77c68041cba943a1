// Synthetic campaigns the size of the forum's, drawn from a known truth, so that tests can show
// the model recovers the judges' biases and the selection is as stable as its odds say.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <boost/random/normal_distribution.hpp>

#include "evaluation.hpp"

namespace gpsi::evaluation {
namespace {

//! gpsi::Rng as a uniform random bit generator for Boost.Random's normal draws (ziggurat).
struct SynthBits {
  Rng rng;
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() { return rng.Next(); }
};

double Normal(SynthBits& bits, double sd) {
  boost::random::normal_distribution<double> normal(0.0, sd);
  return normal(bits);
}

// Countries of overseas projects, for the applications and the judges.
constexpr std::array<std::string_view, 12> kSynthCountries{"KAZ", "PAK", "IDN", "MYS", "THA", "KEN",
                                                           "ETH", "EGY", "SAU", "BRA", "SRB", "LAO"};

//! Applications: every organisation one, the rest to organisations drawn at random; each
//! organisation works in one country.
std::vector<Application> SynthApps(const SynthConfig& cfg, SynthBits& bits) {
  std::vector<std::string> country(cfg.organisations);
  for (auto& c : country) c = kSynthCountries[bits.rng.Below(kSynthCountries.size())];
  std::vector<Application> apps(cfg.applications);
  for (std::size_t a = 0; a < apps.size(); ++a) {
    const std::size_t org = a < cfg.organisations ? a : bits.rng.Below(cfg.organisations);
    apps[a].code = fmt::format("A{:02}", a + 1);
    apps[a].org = fmt::format("org-{:02}", org + 1);
    apps[a].country = country[org];
    apps[a].project = fmt::format("Project {} ({})", a + 1, country[org]);
    apps[a].documents = {fmt::format("{}-application.pdf", apps[a].code)};
  }
  return apps;
}

//! Judges from the panel's own institutions; every fifth one from an applicant's organisation, so
//! that automatic conflicts arise; each declares a share of `cfg.declared` conflicts.
std::vector<Judge> SynthJudges(const SynthConfig& cfg, const std::vector<Application>& apps, SynthBits& bits) {
  std::vector<Judge> judges(cfg.judges);
  for (std::size_t j = 0; j < judges.size(); ++j) {
    judges[j].login = fmt::format("judge-{:02}", j + 1);
    if (j % 5 == 4 && !apps.empty()) {
      const auto& a = apps[bits.rng.Below(apps.size())];
      judges[j].org = a.org, judges[j].country = a.country;
    } else {
      judges[j].org = fmt::format("panel-{:02}", j + 1);
      judges[j].country = kSynthCountries[bits.rng.Below(kSynthCountries.size())];
    }
  }
  for (std::size_t d = 0; d < cfg.declared && !judges.empty() && !apps.empty(); ++d) {
    judges[bits.rng.Below(judges.size())].declared.push_back(apps[bits.rng.Below(apps.size())].code);
  }
  for (auto& j : judges) {
    std::sort(j.declared.begin(), j.declared.end());
    j.declared.erase(std::unique(j.declared.begin(), j.declared.end()), j.declared.end());
  }
  return judges;
}

//! A score on the scale: rounded to the step, kept within the bounds.
double OnTheScale(const Rules& rules, double x) {
  const double steps = std::round((x - rules.scale_min) / rules.step);
  return std::clamp(rules.scale_min + steps * rules.step, rules.scale_min, rules.scale_max);
}

//! One sheet per assigned pair, from the truth and the panel's `severity` and `bias`, with noise.
std::vector<Sheet> ScoreAssigned(const Rules& rules, const Synthetic& s, const std::vector<double>& severity,
                                 const std::vector<std::vector<double>>& bias, SynthBits& bits) {
  std::vector<Sheet> sheets;
  for (std::size_t a = 0; a < s.assignment.judges.size(); ++a) {
    for (std::size_t j : s.assignment.judges[a]) {
      Sheet sheet{a, j, {}};
      for (std::size_t c = 0; c < rules.criteria.size(); ++c) {
        const double x = TrueScore(s, a, c) + severity[j] + bias[j][c] + Normal(bits, s.config.sd_noise);
        sheet.scores.push_back(OnTheScale(rules, x));
      }
      sheets.push_back(std::move(sheet));
    }
  }
  return sheets;
}

//! A panel's severities and biases.
void DrawPanel(const SynthConfig& cfg, std::size_t criteria, SynthBits& bits, std::vector<double>& severity,
               std::vector<std::vector<double>>& bias) {
  severity.assign(cfg.judges, 0.0);
  bias.assign(cfg.judges, std::vector<double>(criteria, 0.0));
  for (std::size_t j = 0; j < cfg.judges; ++j) {
    severity[j] = Normal(bits, cfg.sd_severity);
    for (auto& b : bias[j]) b = Normal(bits, cfg.sd_bias);
  }
}

}  // namespace

double TrueScore(const Synthetic& campaign, std::size_t a, std::size_t c) {
  return campaign.config.criterion_mean + campaign.quality[a] + campaign.profile[a][c];
}

Result<Synthetic> Synthesize(const Rules& rules, const SynthConfig& cfg) {
  if (cfg.applications < 1 || cfg.organisations < 1 || cfg.organisations > cfg.applications ||
      cfg.judges < std::size_t(rules.judges_per_application)) {
    return Error{Errc::kBadCampaign,
                 "a synthetic campaign needs applications ≥ organisations ≥ 1 and at least as "
                 "many judges as each application needs"};
  }
  SynthBits bits{Rng(cfg.seed, 0x73796e7468ULL)};  // "synth"
  Synthetic s;
  s.config = cfg;
  s.apps = SynthApps(cfg, bits);
  s.judges = SynthJudges(cfg, s.apps, bits);
  const std::size_t criteria = rules.criteria.size();
  for (std::size_t a = 0; a < cfg.applications; ++a) {
    s.quality.push_back(Normal(bits, cfg.sd_quality));
    s.profile.emplace_back();
    for (std::size_t c = 0; c < criteria; ++c) s.profile.back().push_back(Normal(bits, cfg.sd_profile));
  }
  DrawPanel(cfg, criteria, bits, s.severity, s.bias);
  auto conflicts = Conflicts(rules, s.apps, s.judges);
  if (!conflicts) return conflicts.error();
  auto assignment = Assign(rules, s.apps.size(), s.judges.size(), *conflicts);
  if (!assignment) return assignment.error();
  s.assignment = std::move(*assignment);
  s.sheets = ScoreAssigned(rules, s, s.severity, s.bias, bits);
  return s;
}

std::vector<Sheet> Rescore(const Rules& rules, const Synthetic& campaign, std::uint64_t seed) {
  SynthBits bits{Rng(seed, 0x72657363ULL)};  // "resc"
  std::vector<double> severity;
  std::vector<std::vector<double>> bias;
  DrawPanel(campaign.config, rules.criteria.size(), bits, severity, bias);
  return ScoreAssigned(rules, campaign, severity, bias, bits);
}

}  // namespace gpsi::evaluation
