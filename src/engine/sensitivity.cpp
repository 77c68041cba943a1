// `gpsi sensitivity`: Sobol indices of each uncertain input of the method on the index ranks,
// from a Saltelli design run through the same Monte Carlo runner as `gpsi uncertainty`.
#include <fmt/format.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "detail/built.hpp"
#include "detail/convert.hpp"
#include "detail/guard.hpp"
#include "detail/limits.hpp"
#include "detail/montecarlo.hpp"
#include "detail/mpi.hpp"
#include "detail/output.hpp"
#include "detail/parallel.hpp"
#include "engine.hpp"

namespace gpsi::engine {
namespace {

namespace fs = std::filesystem;
using analysis::RunChoice;
using compute::IsNa;

//! Noise realisations per weight-noise level: an input picks one of them, as COINr's
//! get_sensitivity picks one of its pre-sampled noisy weight sets.
constexpr std::size_t kWeightSets = 100;
constexpr std::uint64_t kWeightStream = 0x3E16475E00000000ULL;

enum class Kind { kWeights, kImpute, kTreat, kNormalise, kAggregate, kExclude };

struct UncertainInput {
  Kind kind;
  std::string name;
  std::size_t options = 1;
  int level = 0;
  double factor = 0;
};

std::size_t Pick(double u, std::size_t n) {
  return std::min(n - 1, static_cast<std::size_t>(u * static_cast<double>(n)));
}

}  // namespace

Result<SensitivitySummary> Sensitivity(const SensitivityConfig& cfg) {
  return detail::Guarded([&]() -> Result<SensitivitySummary> {
    if (auto st = detail::CheckThreads(cfg.threads); !st) return st.error();
    detail::Mpi mpi;
    BuildConfig bc = cfg.build;
    bc.out_dir.clear();
    auto prepared = detail::PrepareMonteCarlo(bc);
    if (!prepared) return prepared.error();
    detail::MonteCarlo& mc = **prepared;
    const detail::Built& b = mc.b;
    const auto& m = b.method;
    const auto& sp = mc.sp;
    const auto& sc = mc.sc;

    // The inputs: each varying part of the [uncertainty] table.
    std::vector<UncertainInput> inputs;
    for (auto [level, f] : sp.noise) {
      inputs.push_back(UncertainInput{Kind::kWeights, fmt::format("weights_level{}", level), kWeightSets, level, f});
    }
    if (sc.data.size() > 2) inputs.push_back(UncertainInput{Kind::kImpute, "impute", sc.data.size() - 1});
    if (sp.winmax.size() > 1) inputs.push_back(UncertainInput{Kind::kTreat, "treat", sp.winmax.size()});
    if (sp.norm.size() > 1) inputs.push_back(UncertainInput{Kind::kNormalise, "normalise", sp.norm.size()});
    if (sp.aggregate.size() > 1) inputs.push_back(UncertainInput{Kind::kAggregate, "aggregate", sp.aggregate.size()});
    if (sp.exclude_one) inputs.push_back(UncertainInput{Kind::kExclude, "exclude_one", sc.tree.indicators + 1});
    const std::size_t k = inputs.size();
    if (k == 0) {
      return Error{Errc::kBadMethod,
                   "the method declares no uncertain input with alternatives: add an [uncertainty] table or --set "
                   "uncertainty.<key>=…"};
    }
    // Checked before the design is made: N·(k + 2) runs, each a row of the design in memory.
    const std::size_t asked = cfg.samples * (k + 2);
    if (cfg.samples > detail::kMaxRuns || asked > detail::kMaxRuns) {
      return detail::CheckRuns(std::max(asked, cfg.samples),
                               fmt::format("--samples {} ({} inputs: N·(k + 2) runs)", cfg.samples, k))
          .error();
    }
    analysis::SaltelliDesign design(cfg.samples, k, cfg.seed);
    const std::size_t n_runs = design.runs();

    analysis::Runner runner(sc);
    const RunChoice nominal = detail::NominalChoice(mc);
    if (auto st = detail::PrepareAll(runner, mc); !st) return st.error();
    const std::size_t nr = mc.rows.size(), top = m.nodes.size() - 1;
    compute::Matrix nominal_scores;
    if (auto st = runner.Run(nominal, nominal_scores); !st) return st.error();
    std::vector<int> nominal_rank(nr);
    runner.Rank(nominal_scores, top, nominal_rank);
    // Outputs: the mean absolute rank shift over every scored unit-year, and each latest-year
    // unit's index rank.
    int latest = 0;
    for (auto r : mc.rows) latest = std::max(latest, b.row_year[r]);
    std::vector<std::size_t> latest_rows;
    for (std::size_t q = 0; q < nr; ++q) {
      if (b.row_year[mc.rows[q]] == latest && nominal_rank[q] > 0) latest_rows.push_back(q);
    }
    const std::size_t width = 1 + latest_rows.size();
    std::vector<double> y(n_runs * width, compute::kNa);  // run-major: [run][output]

    auto choice = [&](std::size_t run) {
      std::vector<double> u(k);
      design.Inputs(run, u);
      RunChoice c = nominal;
      for (std::size_t i = 0; i < k; ++i) {
        const UncertainInput& in = inputs[i];
        std::size_t p = Pick(u[i], in.options);
        switch (in.kind) {
          case Kind::kWeights: {
            Rng rng(cfg.seed ^ kWeightStream, static_cast<std::uint64_t>(in.level) * kWeightSets + p);
            for (std::size_t node = 0; node < m.nodes.size(); ++node) {
              if (m.nodes[node].level == in.level) c.weights[node] *= 1 + in.factor * (2 * rng.Uniform() - 1);
            }
            break;
          }
          case Kind::kImpute: c.data = 1 + p; break;
          case Kind::kTreat: c.winmax = sp.winmax[p]; break;
          case Kind::kNormalise: c.norm = sp.norm[p]; break;
          case Kind::kAggregate: c.aggregate = sp.aggregate[p]; break;
          case Kind::kExclude: c.excluded = static_cast<int>(p) - 1; break;
        }
      }
      return c;
    };
    unsigned threads =
        cfg.threads > 0 ? static_cast<unsigned>(cfg.threads) : std::max(1u, std::thread::hardware_concurrency());
    // Plain variables, not a structured binding: lambdas below capture them.
    const auto share = mpi.Share(n_runs);
    const std::size_t first = share.first, last = share.second;
    std::vector<std::size_t> failed(threads, 0);
    auto t0 = std::chrono::steady_clock::now();
    auto work = [&](unsigned t) {
      compute::Matrix scores;
      std::vector<int> rank(nr);
      for (std::size_t run = first + t; run < last; run += threads) {
        const RunChoice c = choice(run);
        if (!runner.Run(c, scores)) {
          ++failed[t];
          continue;
        }
        runner.Rank(scores, top, rank);
        double shift = 0;
        std::size_t counted = 0;
        for (std::size_t q = 0; q < nr; ++q) {
          if (rank[q] == 0 || nominal_rank[q] == 0) continue;
          shift += std::abs(rank[q] - nominal_rank[q]);
          ++counted;
        }
        double* out = &y[run * width];
        out[0] = counted ? shift / static_cast<double>(counted) : compute::kNa;
        for (std::size_t l = 0; l < latest_rows.size(); ++l) {
          int r = rank[latest_rows[l]];
          out[1 + l] = r > 0 ? r : compute::kNa;
        }
      }
    };
    detail::ForEachThread(threads, work);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::size_t n_failed = 0;
    for (auto f : failed) n_failed += f;
    if (auto st = mpi.Collect(y, width, n_runs); !st) return st.error();
    SensitivitySummary sum;
    sum.runs = n_runs;
    sum.inputs = k;
    sum.seconds = seconds;
    sum.primary = mpi.rank() == 0;
    for (const auto& in : inputs) sum.input_names.push_back(in.name);
    if (!sum.primary) return sum;
    // Failed runs on other ranks show as missing outputs.
    for (std::size_t run = 0; run < n_runs; ++run) n_failed += (run < first || run >= last) && IsNa(y[run * width]);
    sum.failed = n_failed;

    // Indices with bootstrap intervals: the rank shift (--bootstrap), each unit's rank
    // (--unit-bootstrap; fewer resamples by default, as there is one output per unit).
    std::vector<std::vector<analysis::SobolIndex>> idx(width);
    auto output = [&](std::size_t o) {
      std::vector<double> col(n_runs);
      for (std::size_t run = 0; run < n_runs; ++run) col[run] = y[run * width + o];
      return col;
    };
    idx[0] = analysis::SobolIndices(output(0), cfg.samples, k, cfg.bootstrap, cfg.seed);
    detail::ForEachThread(threads, [&](unsigned t) {
      for (std::size_t o = 1 + t; o < width; o += threads) {
        idx[o] = analysis::SobolIndices(output(o), cfg.samples, k, cfg.unit_bootstrap, cfg.seed);
      }
    });
    sum.shift = idx[0];

    fs::path dir(cfg.out_dir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error{Errc::kWrite, fmt::format("cannot create the output folder: {}", ec.message()), cfg.out_dir};
    fmt::memory_buffer csv;
    fmt::format_to(std::back_inserter(csv), "output,year,unit,input,first,total,first_lo,first_hi,total_lo,total_hi\n");
    const auto num = CsvNumber;
    std::string year = b.has_years ? std::to_string(latest) : std::string();
    for (std::size_t o = 0; o < width; ++o) {
      std::string name = o == 0 ? "mean_abs_rank_shift" : "rank";
      std::string unit = o == 0 ? std::string() : b.row_unit[mc.rows[latest_rows[o - 1]]];
      for (std::size_t i = 0; i < k; ++i) {
        const auto& s = idx[o][i];
        fmt::format_to(std::back_inserter(csv), "{},{},{},{},{},{},{},{},{},{}\n", name, o == 0 ? std::string() : year,
                       unit, inputs[i].name, num(s.first), num(s.total), num(s.first_lo), num(s.first_hi),
                       num(s.total_lo), num(s.total_hi));
      }
    }
    if (auto s = detail::WriteFile(dir / "sensitivity.csv", fmt::to_string(csv)); !s) return s.error();
    // A readable summary: inputs by total effect on the rank shift, and the units whose rank
    // depends most on each input.
    std::vector<std::size_t> order(k);
    for (std::size_t i = 0; i < k; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t c) {
      double ta = IsNa(idx[0][a].total) ? -1 : idx[0][a].total, tc = IsNa(idx[0][c].total) ? -1 : idx[0][c].total;
      return ta > tc;
    });
    fmt::memory_buffer txt;
    fmt::format_to(std::back_inserter(txt),
                   "Sobol sensitivity of {} ({} runs: N = {}, k = {} inputs, Saltelli design, seed {}; {} failed)\n\n"
                   "Mean absolute shift of the index rank against the nominal ranks, over every scored unit-year.\n"
                   "First order = share of the shift's variance due to the input alone; total = including its\n"
                   "interactions. {} bootstrap resamples give the 90 % intervals.\n\n",
                   m.id, n_runs, cfg.samples, k, cfg.seed, n_failed, cfg.bootstrap);
    fmt::format_to(std::back_inserter(txt), "{:<16} {:>22} {:>22}\n", "input", "first order [90 %]", "total [90 %]");
    for (auto i : order) {
      const auto& s = idx[0][i];
      fmt::format_to(std::back_inserter(txt), "{:<16} {:>6.3f} [{:>6.3f}, {:>6.3f}] {:>6.3f} [{:>6.3f}, {:>6.3f}]\n",
                     inputs[i].name, s.first, s.first_lo, s.first_hi, s.total, s.total_lo, s.total_hi);
    }
    fmt::format_to(std::back_inserter(txt),
                   "\nUnits of {} whose index rank depends most on each input (total effect):\n", latest);
    for (auto i : order) {
      std::vector<std::pair<double, std::string>> by;
      for (std::size_t o = 1; o < width; ++o) {
        double t = idx[o][i].total;
        if (!IsNa(t)) by.emplace_back(t, b.row_unit[mc.rows[latest_rows[o - 1]]]);
      }
      std::sort(by.begin(), by.end(), [](const auto& a, const auto& c) {
        return a.first != c.first ? a.first > c.first : a.second < c.second;
      });
      std::string list;
      for (std::size_t q = 0; q < std::min<std::size_t>(5, by.size()); ++q) {
        list += fmt::format("{}{} {:.2f}", q ? ", " : "", by[q].second, by[q].first);
      }
      fmt::format_to(std::back_inserter(txt), "  {:<16} {}\n", inputs[i].name, list);
    }
    if (auto s = detail::WriteFile(dir / "sensitivity.txt", fmt::to_string(txt)); !s) return s.error();
    nlohmann::ordered_json j;
    j["run_id"] = b.run_id;
    j["method"] = {{"id", m.id}, {"hash", m.hash}};
    j["data_hash"] = b.data_hash;
    j["samples"] = cfg.samples;
    j["runs"] = n_runs;
    j["failed"] = n_failed;
    j["seed"] = cfg.seed;
    j["bootstrap"] = cfg.bootstrap;
    j["unit_bootstrap"] = cfg.unit_bootstrap;
    j["inputs"] = sum.input_names;
    j["estimators"] = "first order: Saltelli et al. (2010); total effect: Jansen (1999)";
    if (auto s = detail::WriteFile(dir / "sensitivity.json", j.dump(2) + "\n"); !s) return s.error();
    return sum;
  });
}

}  // namespace gpsi::engine
