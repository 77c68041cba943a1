// `gpsi uncertainty`: Monte Carlo over the method's uncertain inputs, or a replay of COINr's
// design, with every unit's rank interval. The nominal index comes from engine::Build; the runs
// re-aggregate cached treated/normalised data (analysis::Runner) on several threads.
#include <fmt/format.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
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

std::string NormName(const compute::NormSpec& n) {
  using M = compute::NormMethod;
  switch (n.method) {
    case M::kMinMax: return fmt::format("minmax:{}:{}", n.p1, n.p2);
    case M::kZScore: return fmt::format("zscore:{}:{}", n.p1, n.p2);
    case M::kRank: return "rank";
    case M::kPercentile: return "percentile";
    case M::kGoalposts: return fmt::format("goalposts:{}", n.p2);
    case M::kDistFrontier: return fmt::format("frontier:{}", n.p2);
    case M::kBand5: return "band5";
  }
  return "?";
}

const char* AggName(compute::AggMethod a) {
  switch (a) {
    case compute::AggMethod::kGeometric: return "geometric";
    case compute::AggMethod::kHarmonic: return "harmonic";
    case compute::AggMethod::kMedian: return "median";
    default: return "arithmetic";
  }
}

//! One design row of COINr's uncertainty analysis (design.csv + noisy_weights.csv).
Result<std::vector<RunChoice>> ReadDesign(const UncertaintyConfig& cfg, const detail::Built& b) {
  auto design = ReadTextTable(cfg.design);
  if (!design) return design.error();
  for (const char* c : {"winmax", "norm_f_n", "norm_p1", "norm_p2", "weight_set", "f_ag"}) {
    if (design->Column(c) < 0)
      return Error{Errc::kMissingColumn, fmt::format("design has no column \"{}\"", c), cfg.design, 1, 1};
  }
  std::map<std::int64_t, std::vector<double>> sets;
  if (!cfg.weight_sets.empty()) {
    auto ws = ReadTextTable(cfg.weight_sets);
    if (!ws) return ws.error();
    int cs = ws->Column("weight_set"), ci = ws->Column("iCode"), cw = ws->Column("Weight");
    if (cs < 0 || ci < 0 || cw < 0) {
      return Error{Errc::kMissingColumn, "weight sets need columns weight_set, iCode, Weight", cfg.weight_sets, 1, 1};
    }
    for (std::size_t r = 0; r < ws->rows.size(); ++r) {
      const auto& row = ws->rows[r];
      auto set = ParseNumber(row[static_cast<std::size_t>(cs)]);
      auto w = ParseNumber(row[static_cast<std::size_t>(cw)]);
      int node = b.method.Find(row[static_cast<std::size_t>(ci)]);
      if (!set || !w || node < 0) {
        return Error{Errc::kBadHeader,
                     fmt::format("bad weight row (set, iCode \"{}\", weight)", row[static_cast<std::size_t>(ci)]),
                     cfg.weight_sets, ws->lines[r], 1};
      }
      auto& v = sets[static_cast<std::int64_t>(*set)];
      if (v.empty()) v = b.weights;
      v[static_cast<std::size_t>(node)] = *w;
    }
  }
  std::vector<RunChoice> out;
  for (std::size_t r = 0; r < design->rows.size(); ++r) {
    const auto& row = design->rows[r];
    auto get = [&](const char* c) { return row[static_cast<std::size_t>(design->Column(c))]; };
    auto bad = [&](const std::string& msg) { return Error{Errc::kBadHeader, msg, cfg.design, design->lines[r], 1}; };
    RunChoice c;
    c.weights = b.weights;
    auto winmax = ParseNumber(get("winmax"));
    if (!winmax) return bad("winmax is not a number");
    c.winmax = static_cast<int>(*winmax);
    auto p1 = ParseNumber(get("norm_p1")), p2 = ParseNumber(get("norm_p2"));
    if (!p1 || !p2) return bad("norm_p1/norm_p2 are not numbers");
    if (get("norm_f_n") == "n_minmax") {
      c.norm = compute::NormSpec{compute::NormMethod::kMinMax, *p1, *p2};
    } else if (get("norm_f_n") == "n_zscore") {
      c.norm = compute::NormSpec{compute::NormMethod::kZScore, *p1, *p2};
    } else {
      return bad(fmt::format("norm_f_n \"{}\" is not n_minmax or n_zscore", get("norm_f_n")));
    }
    std::string f_ag = get("f_ag");
    if (f_ag == "a_amean") {
      c.aggregate = compute::AggMethod::kArithmetic;
    } else if (f_ag == "a_gmean") {
      c.aggregate = compute::AggMethod::kGeometric;
    } else if (f_ag == "a_hmean") {
      c.aggregate = compute::AggMethod::kHarmonic;
    } else {
      return bad(fmt::format("f_ag \"{}\" is not a_amean, a_gmean or a_hmean", f_ag));
    }
    if (!get("weight_set").empty()) {
      auto set = ParseNumber(get("weight_set"));
      if (!set || !sets.count(static_cast<std::int64_t>(*set))) {
        return bad(fmt::format("weight_set {} is not in the weight sets (give --weight-sets)", get("weight_set")));
      }
      c.weights = sets[static_cast<std::int64_t>(*set)];
    }
    out.push_back(std::move(c));
  }
  return out;
}

//! The run's choices for Monte Carlo run `run`: its own random stream, so the draw does not
//! depend on which thread or process computes it.
RunChoice Sample(const detail::Space& sp, const detail::Built& b, std::size_t n_data, std::size_t n_ind,
                 std::uint64_t seed, std::size_t run, std::array<std::size_t, 4>& pick) {
  Rng rng(seed, run);
  RunChoice c;
  // Data 0 is the nominal imputation; listed alternatives (1 …) replace it, as for the other lists.
  pick[0] = n_data > 1 ? 1 + rng.Below(n_data - 1) : 0;
  pick[1] = sp.winmax.size() > 1 ? rng.Below(sp.winmax.size()) : 0;
  pick[2] = sp.norm.size() > 1 ? rng.Below(sp.norm.size()) : 0;
  pick[3] = sp.aggregate.size() > 1 ? rng.Below(sp.aggregate.size()) : 0;
  c.data = pick[0];
  c.winmax = sp.winmax[pick[1]];
  c.norm = sp.norm[pick[2]];
  c.aggregate = sp.aggregate[pick[3]];
  c.weights = b.weights;
  for (std::size_t i = 0; i < b.method.nodes.size(); ++i) {
    for (auto [level, f] : sp.noise) {
      if (b.method.nodes[i].level == level) c.weights[i] *= 1 + f * (2 * rng.Uniform() - 1);
    }
  }
  if (sp.exclude_one) c.excluded = static_cast<int>(rng.Below(n_ind + 1)) - 1;
  return c;
}

void Progress(std::size_t done, std::size_t total, std::chrono::steady_clock::time_point t0) {
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double rate = s > 0 ? static_cast<double>(done) / s : 0;
  double left = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  int width = 30;
  int fill = total ? static_cast<int>(width * static_cast<double>(done) / static_cast<double>(total)) : width;
  fmt::print(stderr, "\r[{:<{}}] {}/{} runs  {:.0f} runs/s  {:.0f} s left ",
             std::string(static_cast<std::size_t>(fill), '#'), width, done, total, rate, left);
}

}  // namespace

Result<UncertaintySummary> Uncertainty(const UncertaintyConfig& cfg) {
  return detail::RunUncertainty(cfg, nullptr, nullptr);
}

namespace detail {

Result<UncertaintySummary> RunUncertainty(const UncertaintyConfig& cfg, const detail::Built* nominal_build,
                                          std::vector<RankStat>* table) {
  return detail::Guarded([&]() -> Result<UncertaintySummary> {
    if (table && cfg.keep_runs) return Error{Errc::kUsage, "the in-memory Monte Carlo keeps no runs.csv"};
    if (auto st = detail::CheckThreads(cfg.threads); !st) return st.error();
    if (cfg.design.empty()) {
      if (auto st = detail::CheckRuns(cfg.samples, fmt::format("--samples {}", cfg.samples)); !st) return st.error();
    }
    detail::Mpi mpi;
    BuildConfig bc = cfg.build;
    bc.out_dir.clear();
    auto prepared = detail::PrepareMonteCarlo(bc, nominal_build);
    if (!prepared) return prepared.error();
    detail::MonteCarlo& mc = **prepared;
    const detail::Built& b = mc.b;
    const auto& m = b.method;
    const auto& u = m.uncertainty;
    analysis::Scenario& sc = mc.sc;
    detail::Space& sp = mc.sp;
    const std::vector<std::size_t>& rows = mc.rows;
    const std::vector<int>& ind_nodes = mc.ind_nodes;
    const std::size_t max_block = mc.max_block;

    // The runs: a replayed design, or sampled choices.
    std::vector<RunChoice> design;
    std::size_t n_runs = cfg.samples;
    if (!cfg.design.empty()) {
      auto d = ReadDesign(cfg, b);
      if (!d) return d.error();
      design = std::move(*d);
      n_runs = design.size();
    } else if (u.empty()) {
      return Error{Errc::kBadMethod,
                   "the method declares no uncertain input: add an [uncertainty] table or --set uncertainty.<key>=…"};
    }
    if (n_runs == 0) return Error{Errc::kUsage, "no runs asked for"};
    if (n_runs > analysis::RankStats::kMaxRuns) {
      return Error{Errc::kUsage, fmt::format("at most {} runs per process", analysis::RankStats::kMaxRuns)};
    }

    analysis::Runner runner(sc);
    const RunChoice nominal = detail::NominalChoice(mc);
    const std::size_t n_data = sc.data.size();
    if (design.empty()) {
      if (auto st = detail::PrepareAll(runner, mc); !st) return st.error();
    } else {
      if (auto st = runner.Prepare(0, nominal.winmax, nominal.norm); !st) return st.error();
      for (const auto& c : design) {
        if (auto st = runner.Prepare(c.data, c.winmax, c.norm); !st) return st.error();
      }
    }
    // Aggregates whose ranks are tracked: every aggregate node.
    std::vector<std::size_t> tracked;
    for (std::size_t i = sc.tree.indicators; i < m.nodes.size(); ++i) tracked.push_back(i);
    const std::size_t nr = rows.size();
    if (cfg.keep_runs) {
      // runs.csv: a line of about 40 bytes per run, row and aggregate.
      const auto bytes = static_cast<std::uintmax_t>(n_runs) * tracked.size() * nr * 40;
      if (auto st = detail::CheckSpace(bytes, cfg.out_dir, fmt::format("runs.csv of {} runs", n_runs)); !st) {
        return st.error();
      }
    }
    compute::Matrix nominal_scores;
    if (auto st = runner.Run(nominal, nominal_scores); !st) return st.error();
    std::vector<std::vector<int>> nominal_ranks(tracked.size(), std::vector<int>(nr));
    for (std::size_t t = 0; t < tracked.size(); ++t) runner.Rank(nominal_scores, tracked[t], nominal_ranks[t]);

    // Runs in chunks: threads take runs of a chunk; runs.csv lines are written in run order.
    unsigned threads =
        cfg.threads > 0 ? static_cast<unsigned>(cfg.threads) : std::max(1u, std::thread::hardware_concurrency());
    // Plain variables, not a structured binding: lambdas below capture them.
    // In memory (table), this process makes every run whatever MPI says.
    const auto share = table ? std::pair<std::size_t, std::size_t>{0, n_runs} : mpi.Share(n_runs);
    const std::size_t first = share.first, last = share.second;
    const std::size_t chunk = 1024;
    std::vector<analysis::RankStats> stats(threads, analysis::RankStats(tracked.size(), nr, max_block));
    std::vector<std::size_t> failed(threads, 0);
    std::vector<std::string> run_lines(cfg.keep_runs ? chunk : 0);
    std::ofstream runs_out;
    fs::path dir(cfg.out_dir);
    std::string runs_part;
    if (cfg.keep_runs) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      runs_part = (dir / fmt::format("runs.csv.part{}", mpi.rank())).string();
      runs_out.open(runs_part, std::ios::binary | std::ios::trunc);
      if (!runs_out) return Error{Errc::kWrite, "cannot write runs.csv", runs_part};
      if (mpi.rank() == 0) runs_out << "run,year,unit,code,value,rank\n";
    }
    std::vector<std::string> codes;
    for (auto i : tracked) codes.push_back(m.nodes[i].code);
    auto t0 = std::chrono::steady_clock::now();
    bool show = cfg.progress && mpi.rank() == 0 && isatty(2);
    for (std::size_t c0 = first; c0 < last; c0 += chunk) {
      std::size_t c1 = std::min(last, c0 + chunk);
      auto work = [&](unsigned t) {
        compute::Matrix scores;
        std::vector<int> ranks(nr);
        for (std::size_t run = c0 + t; run < c1; run += threads) {
          std::array<std::size_t, 4> pick{};
          RunChoice c = design.empty() ? Sample(sp, b, n_data, sc.tree.indicators, cfg.seed, run, pick) : design[run];
          fmt::memory_buffer lines;
          if (auto st = runner.Run(c, scores); !st) {
            ++failed[t];
            if (cfg.keep_runs) run_lines[run - c0].clear();
            continue;
          }
          for (std::size_t q = 0; q < tracked.size(); ++q) {
            runner.Rank(scores, tracked[q], ranks);
            stats[t].AddColumn(q, ranks, scores.Col(tracked[q]));
            if (!cfg.keep_runs) continue;
            for (std::size_t r = 0; r < nr; ++r) {
              double v = scores(r, tracked[q]);
              fmt::format_to(std::back_inserter(lines), "{},{},{},{},{},{}\n", run + 1,
                             b.has_years ? std::to_string(b.row_year[rows[r]]) : std::string(), b.row_unit[rows[r]],
                             codes[q], CsvNumber(v), ranks[r] > 0 ? std::to_string(ranks[r]) : std::string());
            }
          }
          if (cfg.keep_runs) run_lines[run - c0] = fmt::to_string(lines);
        }
      };
      detail::ForEachThread(threads, work);
      if (cfg.keep_runs) {
        for (std::size_t run = c0; run < c1; ++run) runs_out << run_lines[run - c0];
      }
      if (show) Progress(c1 - first, last - first, t0);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (show) fmt::print(stderr, "\n");
    for (unsigned t = 1; t < threads; ++t) stats[0].Merge(stats[t]);
    std::size_t n_failed = 0;
    for (auto f : failed) n_failed += f;
    if (cfg.keep_runs) {
      runs_out.close();
      if (!runs_out) return Error{Errc::kWrite, "cannot write runs.csv", runs_part};
    }
    // Other MPI ranks send their statistics to rank 0, which writes the files.
    if (!table) {
      if (auto st = mpi.Reduce(stats[0], n_failed); !st) return st.error();
    }
    UncertaintySummary sum;
    sum.runs = n_runs;
    sum.failed = n_failed;
    sum.seconds = seconds;
    sum.rows = nr;
    sum.nodes = tracked.size();
    sum.ranks = table ? 1 : mpi.size();
    sum.primary = table || mpi.rank() == 0;
    if (!sum.primary) return sum;
    if (table) {
      // In memory: the rows of rank_stats.csv, no file.
      const auto& st = stats[0];
      table->clear();
      table->reserve(tracked.size() * nr);
      for (std::size_t q = 0; q < tracked.size(); ++q) {
        for (std::size_t r = 0; r < nr; ++r) {
          table->push_back(RankStat{b.has_years ? b.row_year[rows[r]] : 0, b.row_unit[rows[r]], codes[q],
                                    nominal_ranks[q][r], st.MeanRank(q, r), st.RankQuantile(q, r, 0.5),
                                    st.RankQuantile(q, r, 0.05), st.RankQuantile(q, r, 0.95)});
        }
      }
      return sum;
    }

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error{Errc::kWrite, fmt::format("cannot create the output folder: {}", ec.message()), cfg.out_dir};
    if (cfg.keep_runs) {
      // Rank 0 wrote the header and the first share; the others' shares follow in rank order.
      std::ofstream all(dir / "runs.csv.part0", std::ios::binary | std::ios::app);
      for (int r = 1; r < mpi.size(); ++r) {
        fs::path part = dir / fmt::format("runs.csv.part{}", r);
        std::ifstream in(part, std::ios::binary);
        all << in.rdbuf();
        in.close();
        fs::remove(part, ec);
      }
      all.close();
      fs::rename(dir / "runs.csv.part0", dir / "runs.csv", ec);
      if (ec) return Error{Errc::kWrite, "cannot write runs.csv", (dir / "runs.csv").string()};
    }
    const auto& st = stats[0];
    fmt::memory_buffer rank_csv, score_csv;
    fmt::format_to(std::back_inserter(rank_csv), "year,unit,code,nominal,mean,median,p05,p95\n");
    fmt::format_to(std::back_inserter(score_csv), "year,unit,code,nominal,mean,sd,runs\n");
    const auto num = CsvNumber;
    for (std::size_t q = 0; q < tracked.size(); ++q) {
      for (std::size_t r = 0; r < nr; ++r) {
        std::string year = b.has_years ? std::to_string(b.row_year[rows[r]]) : std::string();
        int nom = nominal_ranks[q][r];
        fmt::format_to(std::back_inserter(rank_csv), "{},{},{},{},{},{},{},{}\n", year, b.row_unit[rows[r]], codes[q],
                       nom > 0 ? std::to_string(nom) : std::string(), num(st.MeanRank(q, r)),
                       num(st.RankQuantile(q, r, 0.5)), num(st.RankQuantile(q, r, 0.05)),
                       num(st.RankQuantile(q, r, 0.95)));
        fmt::format_to(std::back_inserter(score_csv), "{},{},{},{},{},{},{}\n", year, b.row_unit[rows[r]], codes[q],
                       num(nominal_scores(r, tracked[q])), num(st.MeanScore(q, r)), num(st.SdScore(q, r)),
                       st.runs(q, r));
      }
    }
    {
      // The top node's ranks in the latest year, for the summary.
      std::size_t top = tracked.size() - 1;
      int latest = 0;
      for (auto r : rows) latest = std::max(latest, b.row_year[r]);
      for (std::size_t r = 0; r < nr; ++r) {
        if (b.row_year[rows[r]] != latest || nominal_ranks[top][r] == 0) continue;
        sum.latest.push_back(RankInterval{b.row_unit[rows[r]], b.row_name[rows[r]], latest, nominal_ranks[top][r],
                                          st.RankQuantile(top, r, 0.5), st.RankQuantile(top, r, 0.05),
                                          st.RankQuantile(top, r, 0.95)});
      }
      std::sort(sum.latest.begin(), sum.latest.end(),
                [](const RankInterval& a, const RankInterval& c) { return a.nominal < c.nominal; });
    }
    if (auto s = detail::WriteFile(dir / "rank_stats.csv", fmt::to_string(rank_csv)); !s) return s.error();
    if (auto s = detail::WriteFile(dir / "score_stats.csv", fmt::to_string(score_csv)); !s) return s.error();
    if (design.empty()) {
      // The sampled discrete choices of every run (weights are noise and not listed); a run's
      // choices depend only on (seed, run), so rank 0 can list the runs of every MPI rank.
      // Streamed to the file, so memory stays flat in the number of runs.
      fs::path part = dir / "design.csv.part";
      std::ofstream d(part, std::ios::binary | std::ios::trunc);
      d << "run,impute,treat,normalise,aggregate,excluded\n";
      fmt::memory_buffer line;
      for (std::size_t run = 0; run < n_runs; ++run) {
        std::array<std::size_t, 4> p{};
        RunChoice c = Sample(sp, b, n_data, sc.tree.indicators, cfg.seed, run, p);
        line.clear();
        fmt::format_to(std::back_inserter(line), "{},{},{},{},{},{}\n", run + 1,
                       p[0] == 0 ? std::string("nominal") : sp.impute_names[p[0] - 1],
                       c.winmax < 0 ? std::string("none") : fmt::format("jrc:{}", c.winmax), NormName(c.norm),
                       c.aggregate ? AggName(*c.aggregate) : "nominal",
                       c.excluded < 0
                           ? std::string()
                           : m.nodes[static_cast<std::size_t>(ind_nodes[static_cast<std::size_t>(c.excluded)])].code);
        d.write(line.data(), static_cast<std::streamsize>(line.size()));
      }
      d.close();
      if (!d) return Error{Errc::kWrite, "cannot write design.csv", part.string()};
      fs::rename(part, dir / "design.csv", ec);
      if (ec) return Error{Errc::kWrite, "cannot write design.csv", (dir / "design.csv").string()};
    }
    nlohmann::ordered_json j;
    j["run_id"] = b.run_id;
    j["method"] = {{"id", m.id}, {"hash", m.hash}};
    j["data_hash"] = b.data_hash;
    j["runs"] = n_runs;
    j["failed"] = n_failed;
    j["seed"] = cfg.seed;
    j["design"] =
        cfg.design.empty() ? nlohmann::json(nullptr) : nlohmann::json(fs::path(cfg.design).filename().string());
    j["inputs"] = {{"impute", sp.impute_names},
                   {"treat", sp.treat_names},
                   {"normalise", sp.norm_names},
                   {"aggregate", sp.agg_names},
                   {"exclude_one", sp.exclude_one}};
    nlohmann::ordered_json noise = nlohmann::ordered_json::array();
    for (auto [level, f] : sp.noise) noise.push_back({{"level", level}, {"factor", f}});
    j["inputs"]["weight_noise"] = noise;
    if (auto s = detail::WriteFile(dir / "uncertainty.json", j.dump(2) + "\n"); !s) return s.error();
    return sum;
  });
}

}  // namespace detail
}  // namespace gpsi::engine
