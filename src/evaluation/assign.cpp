// Conflicts of interest and the assignment of judges to applications (docs/evaluation.md,
// "Assignment").
#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "evaluation.hpp"

namespace gpsi::evaluation {
namespace {

//! Union–find over the applications (0..A−1) and judges (A..A+J−1) of a design.
class DesignSets {
 public:
  explicit DesignSets(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  std::size_t Find(std::size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Join(std::size_t a, std::size_t b) { parent_[Find(a)] = Find(b); }

 private:
  std::vector<std::size_t> parent_;
};

//! The union–find of `a`'s application–judge graph, and which nodes take part in it.
DesignSets Linked(std::size_t judges, const Assignment& a, std::vector<bool>* in_design) {
  const std::size_t apps = a.judges.size();
  DesignSets sets(apps + judges);
  in_design->assign(apps + judges, false);
  for (std::size_t i = 0; i < apps; ++i) {
    (*in_design)[i] = true;
    for (std::size_t j : a.judges[i]) {
      sets.Join(i, apps + j);
      (*in_design)[apps + j] = true;
    }
  }
  return sets;
}

//! free[a][j]: judge j may score application a.
std::vector<std::vector<bool>> FreePairs(std::size_t apps, std::size_t judges, const std::vector<Conflict>& conflicts) {
  std::vector<std::vector<bool>> free(apps, std::vector<bool>(judges, true));
  for (const auto& c : conflicts) free[c.application][c.judge] = false;
  return free;
}

//! Picks `k` judges for one application among its free ones: least loaded first, then the one who
//! has met the judges already picked least often (spreading pairs joins the design), then a seeded
//! random order.
std::vector<std::size_t> PickJudges(std::size_t k, const std::vector<bool>& free, const std::vector<int>& load,
                                    const std::vector<std::vector<int>>& met, const std::vector<std::uint64_t>& order) {
  std::vector<std::size_t> picked;
  while (picked.size() < k) {
    std::size_t best = free.size();
    auto key = [&](std::size_t j) {
      int meetings = 0;
      for (std::size_t p : picked) meetings += met[j][p];
      return std::make_tuple(load[j], meetings, order[j]);
    };
    for (std::size_t j = 0; j < free.size(); ++j) {
      if (!free[j] || std::find(picked.begin(), picked.end(), j) != picked.end()) continue;
      if (best == free.size() || key(j) < key(best)) best = j;
    }
    picked.push_back(best);
  }
  std::sort(picked.begin(), picked.end());
  return picked;
}

//! Joins a split design: while it has several parts, one application takes one more free judge
//! from another part. False when no free pair joins two parts.
bool JoinParts(std::size_t judges, const std::vector<std::vector<bool>>& free, Assignment& a) {
  while (DesignParts(judges, a) > 1) {
    std::vector<bool> in_design;
    DesignSets sets = Linked(judges, a, &in_design);
    const std::size_t apps = a.judges.size();
    bool joined = false;
    for (std::size_t i = 0; i < apps && !joined; ++i) {
      for (std::size_t j = 0; j < judges && !joined; ++j) {
        if (free[i][j] && in_design[apps + j] && sets.Find(i) != sets.Find(apps + j)) {
          a.judges[i].push_back(j);
          std::sort(a.judges[i].begin(), a.judges[i].end());
          joined = true;
        }
      }
    }
    if (!joined) return false;
  }
  return true;
}

}  // namespace

std::string_view ToString(ConflictKind kind) {
  switch (kind) {
    case ConflictKind::kDeclared: return "declared";
    case ConflictKind::kSameOrg: return "same-organisation";
    case ConflictKind::kSameCountry: return "same-country";
  }
  return "declared";
}

Result<std::vector<Conflict>> Conflicts(const Rules& rules, const std::vector<Application>& apps,
                                        const std::vector<Judge>& judges) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < apps.size(); ++i) index[apps[i].code] = i;
  std::map<std::pair<std::size_t, std::size_t>, ConflictKind> found;
  for (std::size_t j = 0; j < judges.size(); ++j) {
    for (const auto& code : judges[j].declared) {
      auto it = index.find(code);
      if (it == index.end()) {
        return Error{Errc::kBadCampaign, fmt::format("judge '{}' declares a conflict with an unknown application '{}'",
                                                     judges[j].login, code)};
      }
      found.emplace(std::make_pair(it->second, j), ConflictKind::kDeclared);
    }
    for (std::size_t i = 0; i < apps.size(); ++i) {
      const bool same_org = apps[i].org == judges[j].org || apps[i].org == judges[j].account_org;
      if (rules.conflict_same_org && !apps[i].org.empty() && same_org) {
        found.emplace(std::make_pair(i, j), ConflictKind::kSameOrg);
      } else if (rules.conflict_same_country && !apps[i].country.empty() && apps[i].country == judges[j].country) {
        found.emplace(std::make_pair(i, j), ConflictKind::kSameCountry);
      }
    }
  }
  std::vector<Conflict> out;
  for (const auto& [pair, kind] : found) out.push_back({pair.first, pair.second, kind});
  return out;
}

std::size_t DesignParts(std::size_t judges, const Assignment& a) {
  std::vector<bool> in_design;
  DesignSets sets = Linked(judges, a, &in_design);
  std::set<std::size_t> roots;
  for (std::size_t x = 0; x < in_design.size(); ++x) {
    if (in_design[x]) roots.insert(sets.Find(x));
  }
  return roots.size();
}

Status CheckAssignment(const Rules& rules, std::size_t judges, const std::vector<Conflict>& conflicts,
                       const Assignment& a) {
  const auto free = FreePairs(a.judges.size(), judges, conflicts);
  for (std::size_t i = 0; i < a.judges.size(); ++i) {
    const std::set<std::size_t> distinct(a.judges[i].begin(), a.judges[i].end());
    if (distinct.size() != a.judges[i].size() || distinct.size() < std::size_t(rules.judges_per_application)) {
      return Error{Errc::kBadCampaign, fmt::format("application {} needs {} distinct judges, has {}", i + 1,
                                                   rules.judges_per_application, distinct.size())};
    }
    for (std::size_t j : distinct) {
      if (j >= judges || !free[i][j]) {
        return Error{Errc::kBadCampaign, fmt::format("application {} is given judge {}, who is in conflict with it or "
                                                     "unknown",
                                                     i + 1, j + 1)};
      }
    }
  }
  if (const std::size_t parts = DesignParts(judges, a); parts > 1) {
    return Error{Errc::kBadCampaign,
                 fmt::format("the design splits into {} parts that share no judge: their judges' severities cannot be "
                             "put on one scale",
                             parts)};
  }
  return Ok();
}

Result<Assignment> Assign(const Rules& rules, std::size_t applications, std::size_t judges,
                          const std::vector<Conflict>& conflicts) {
  const auto free = FreePairs(applications, judges, conflicts);
  const std::size_t k = rules.judges_per_application;
  std::vector<std::size_t> count(applications);
  for (std::size_t i = 0; i < applications; ++i) {
    count[i] = std::count(free[i].begin(), free[i].end(), true);
    if (count[i] < k) {
      return Error{
          Errc::kBadCampaign,
          fmt::format("application {} has {} judges free of conflict, fewer than the {} it needs", i + 1, count[i], k)};
    }
  }
  Rng rng(rules.seed, 0x61737369676eULL);  // "assign"
  std::vector<std::uint64_t> app_order(applications), judge_order(judges);
  for (auto& x : app_order) x = rng.Next();
  for (auto& x : judge_order) x = rng.Next();
  std::vector<std::size_t> order(applications);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return std::tie(count[x], app_order[x]) < std::tie(count[y], app_order[y]);
  });
  Assignment a;
  a.judges.resize(applications);
  std::vector<int> load(judges, 0);
  std::vector<std::vector<int>> met(judges, std::vector<int>(judges, 0));
  for (std::size_t i : order) {
    a.judges[i] = PickJudges(k, free[i], load, met, judge_order);
    for (std::size_t x : a.judges[i]) {
      ++load[x];
      for (std::size_t y : a.judges[i]) met[x][y] += x != y;
    }
  }
  if (!JoinParts(judges, free, a)) {
    return Error{Errc::kBadCampaign,
                 fmt::format("the conflicts split the design into {} parts that no free judge joins: the judges' "
                             "severities cannot be put on one scale (add judges, or relax the country rule)",
                             DesignParts(judges, a))};
  }
  return a;
}

}  // namespace gpsi::evaluation
