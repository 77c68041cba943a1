// The shared set-up of the Monte Carlo commands (uncertainty, sensitivity): the nominal build,
// the scenario the runs recompute, and the space of alternative choices.
#include <fmt/format.h>

#include <map>
#include <span>

#include "detail/convert.hpp"
#include "detail/montecarlo.hpp"

namespace gpsi::engine::detail {

Result<std::unique_ptr<MonteCarlo>> PrepareMonteCarlo(const BuildConfig& bc, const detail::Built* nominal) {
  auto mc = std::make_unique<MonteCarlo>();
  auto built = BuildImputations(bc, nominal == nullptr);
  if (!built) return built.error();
  std::span<detail::Built> alternatives(*built);
  if (nominal) {
    mc->b = *nominal;
  } else {
    mc->b = std::move(built->front());
    alternatives = alternatives.subspan(1);
  }
  const detail::Built& b = mc->b;
  const auto& m = b.method;
  const auto& u = m.uncertainty;

  // The scenario: scored rows, their year blocks, the tree.
  analysis::Scenario sc;
  std::vector<std::size_t> rows;
  std::map<int, int> block_of;
  for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
    if (!b.status[r].ranked) continue;  // ranks and their intervals are among the ranked units
    rows.push_back(r);
    block_of.emplace(b.row_year[r], 0);
  }
  if (rows.empty()) return Error{Errc::kNotFound, "no ranked unit to analyse"};
  int k = 0;
  for (auto& [y, i] : block_of) i = k++;
  sc.blocks = block_of.size();
  for (auto r : rows) sc.row_block.push_back(block_of[b.row_year[r]]);
  std::size_t max_block = 0;
  {
    std::map<int, std::size_t> size;
    for (int blk : sc.row_block) max_block = std::max(max_block, ++size[blk]);
  }
  sc.normalise_by_block = m.pipeline.by_year;
  std::vector<int> ind_nodes;
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    const auto& n = m.nodes[i];
    if (!n.indicator) continue;
    ind_nodes.push_back(static_cast<int>(i));
    sc.direction.push_back(n.direction);
    sc.goalposts.push_back(n.goal_lo && n.goal_hi ? std::optional(compute::Goalposts{*n.goal_lo, *n.goal_hi})
                                                  : std::nullopt);
  }
  sc.tree = detail::TreeOf(m);
  sc.weights = b.weights;
  auto take_rows = [&](const compute::Matrix& x, const detail::Built& from) {
    // Rows of `from` matched to the nominal build's scored rows by (unit, year).
    std::map<std::pair<std::string, int>, std::size_t> at;
    for (std::size_t r = 0; r < from.row_unit.size(); ++r) at[{from.row_unit[r], from.row_year[r]}] = r;
    compute::Matrix out(rows.size(), x.cols());
    for (std::size_t q = 0; q < rows.size(); ++q) {
      auto it = at.find({b.row_unit[rows[q]], b.row_year[rows[q]]});
      if (it == at.end()) continue;
      for (std::size_t c = 0; c < x.cols(); ++c) out(q, c) = x(it->second, c);
    }
    return out;
  };
  sc.data.push_back(take_rows(b.imputed, b));

  // The space of choices; element 0 is the nominal one.
  Space sp;
  sp.winmax.push_back(m.pipeline.treat_winmax);
  sp.norm.push_back(detail::NormOf(m.pipeline));
  sp.aggregate.push_back(std::nullopt);
  for (std::size_t k = 0; k < u.impute.size(); ++k) {
    sc.data.push_back(take_rows(alternatives[k].imputed, alternatives[k]));
    sp.impute_names.push_back(u.impute[k]);
  }
  for (const auto& alt : u.treat) {
    method::Pipeline p;
    if (auto st = method::ApplyPipelineValue(p, "treat", alt); !st) return st.error();
    sp.winmax.push_back(p.treat_winmax);
    sp.treat_names.push_back(alt);
  }
  for (const auto& alt : u.normalise) {
    method::Pipeline p;
    if (auto st = method::ApplyPipelineValue(p, "normalise", alt); !st) return st.error();
    sp.norm.push_back(detail::NormOf(p));
    sp.norm_names.push_back(alt);
  }
  for (const auto& alt : u.aggregate) {
    method::Pipeline p;
    if (auto st = method::ApplyPipelineValue(p, "aggregate", alt); !st) return st.error();
    sp.aggregate.push_back(detail::AggOf(p.aggregate));
    sp.agg_names.push_back(alt);
  }
  // With alternatives listed, the nominal choice is not an extra option: draw from the list.
  auto drop_nominal = [](auto& v, bool listed) {
    if (listed) v.erase(v.begin());
  };
  drop_nominal(sp.winmax, !u.treat.empty());
  drop_nominal(sp.norm, !u.normalise.empty());
  drop_nominal(sp.aggregate, !u.aggregate.empty());
  sp.noise = u.weight_noise;
  sp.exclude_one = u.exclude_one;

  mc->sc = std::move(sc);
  mc->sp = std::move(sp);
  mc->rows = std::move(rows);
  mc->ind_nodes = std::move(ind_nodes);
  mc->max_block = max_block;
  return mc;
}

analysis::RunChoice NominalChoice(const MonteCarlo& mc) {
  analysis::RunChoice c;
  c.winmax = mc.b.method.pipeline.treat_winmax;
  c.norm = NormOf(mc.b.method.pipeline);
  c.weights = mc.b.weights;
  return c;
}

Status PrepareAll(analysis::Runner& runner, const MonteCarlo& mc) {
  analysis::RunChoice nominal = NominalChoice(mc);
  if (auto st = runner.Prepare(0, nominal.winmax, nominal.norm); !st) return st;
  for (std::size_t d = 0; d < mc.sc.data.size(); ++d) {
    for (int w : mc.sp.winmax) {
      for (const auto& n : mc.sp.norm) {
        if (auto st = runner.Prepare(d, w, n); !st) return st;
      }
    }
  }
  return Ok();
}

}  // namespace gpsi::engine::detail
