// `gpsi audit`: builds the index, then writes its coherence analysis for one year as CSV tables
// and a short text summary (layouts in docs/audit.md). Every table is written in node order with
// shortest round-trip numbers, so a rerun gives byte-identical files.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "analysis.hpp"
#include "detail/built.hpp"
#include "detail/guard.hpp"
#include "detail/output.hpp"
#include "engine.hpp"

namespace gpsi::engine {
namespace {

namespace fs = std::filesystem;
using analysis::Corr;
using analysis::CorrMethod;
using compute::IsNa;
using compute::Matrix;

//! |r| above which two nodes of a level are flagged as near-collinear.
constexpr double kCollinear = 0.92;

const char* MethodName(CorrMethod m) {
  return m == CorrMethod::kPearson ? "pearson" : "spearman";
}

constexpr CorrMethod kMethods[] = {CorrMethod::kPearson, CorrMethod::kSpearman};

//! The audit's working set: the audited rows' scores (every node) and the tree.
struct Audited {
  const method::Method* m = nullptr;
  Matrix x;  //!< audited rows × nodes
  std::string year;
  double p_threshold = 1.0;
  Corr Correlate(int a, int b, CorrMethod method) const {
    return analysis::Correlate(x.Col(static_cast<std::size_t>(a)), x.Col(static_cast<std::size_t>(b)), method);
  }
  //! r as shown: blank when p exceeds the threshold (COINr get_corr's pval).
  std::string Shown(const Corr& c) const {
    bool blank = p_threshold > 0 && p_threshold < 1 && !IsNa(c.p) && c.p > p_threshold;
    return blank ? std::string() : CsvNumber(c.r);
  }
  const std::string& Code(int i) const { return m->nodes[static_cast<std::size_t>(i)].code; }
  int Level(int i) const { return m->nodes[static_cast<std::size_t>(i)].level; }
};

std::vector<int> NodesOfLevel(const method::Method& m, int level) {
  std::vector<int> out;
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    if (m.nodes[i].level == level) out.push_back(static_cast<int>(i));
  }
  return out;
}

std::vector<int> Aggregates(const method::Method& m) {
  std::vector<int> out;
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    if (!m.nodes[i].indicator) out.push_back(static_cast<int>(i));
  }
  return out;
}

//! Children in the order COINr's get_data returns them: its lineage table is sorted by code at
//! every level in R's (en_US) collation, approximated here as case-insensitive with lower case
//! first on ties. PCA runs in this order so that LAPACK gives R's signs.
std::vector<int> CoinrOrder(const method::Method& m, std::vector<int> kids) {
  auto key = [](const std::string& s) {
    std::string k;
    for (char c : s) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return k;
  };
  std::stable_sort(kids.begin(), kids.end(), [&](int a, int b) {
    const std::string &x = m.nodes[static_cast<std::size_t>(a)].code, &y = m.nodes[static_cast<std::size_t>(b)].code;
    std::string kx = key(x), ky = key(y);
    if (kx != ky) return kx < ky;
    return x > y;  // same letters: lower case (greater in ASCII) first
  });
  return kids;
}

struct Flag {
  std::string kind;
  int level = 0, a = -1, b = -1;
  std::string group;
  double r = compute::kNa;
};

}  // namespace

Result<AuditResult> Audit(const AuditConfig& cfg) {
  return detail::Guarded([&]() -> Result<AuditResult> {
    if (cfg.out_dir.empty()) return Error{Errc::kUsage, "give --out DIR for the audit tables"};
    if (!std::isfinite(cfg.p_threshold) || cfg.p_threshold < 0) {
      return Error{Errc::kUsage, fmt::format("--p-threshold must be in [0, 1], not {}", cfg.p_threshold)};
    }
    BuildConfig bc = cfg.build;
    bc.out_dir.clear();
    auto built = detail::BuildIndex(bc);
    if (!built) return built.error();
    const detail::Built& b = *built;
    const method::Method& m = b.method;

    AuditResult res;
    if (!b.has_years) {
      if (cfg.year != 0) return Error{Errc::kUsage, fmt::format("the data have no years; drop --year {}", cfg.year)};
    } else if (cfg.year == 0) {
      res.year = b.row_year.empty() ? 0 : *std::max_element(b.row_year.begin(), b.row_year.end());
    } else {
      if (std::find(b.row_year.begin(), b.row_year.end(), cfg.year) == b.row_year.end()) {
        return Error{Errc::kUsage, fmt::format("the build has no year {}", cfg.year)};
      }
      res.year = cfg.year;
    }
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
      if (b.status[r].ranked && (!b.has_years || b.row_year[r] == res.year)) rows.push_back(r);
    }
    res.units = rows.size();
    if (rows.size() < 3) {
      return Error{Errc::kUncomputable, fmt::format("only {} unit(s) scored{}: an audit needs at least 3", rows.size(),
                                                    b.has_years ? fmt::format(" in {}", res.year) : std::string())};
    }

    Audited au;
    au.m = &m;
    au.year = b.has_years ? std::to_string(res.year) : std::string();
    au.p_threshold = cfg.p_threshold;
    au.x = Matrix(rows.size(), m.nodes.size());
    for (std::size_t j = 0; j < m.nodes.size(); ++j) {
      for (std::size_t i = 0; i < rows.size(); ++i) au.x(i, j) = b.scores(rows[i], j);
    }
    const int top = static_cast<int>(m.nodes.size()) - 1;
    const int top_level = m.TopLevel();
    auto parent_of = [&](int i) { return m.Find(m.nodes[static_cast<std::size_t>(i)].parent); };

    std::vector<std::pair<std::string, std::string>> files;  // name, text
    std::vector<Flag> flags;

    // Correlations within each level: matrices per method and one long table of every pair.
    std::string pairs = "year,level,a,b,method,r,p,n\n";
    for (int level = 1; level <= top_level; ++level) {
      std::vector<int> nodes = NodesOfLevel(m, level);
      if (nodes.size() < 2) continue;
      for (CorrMethod method : kMethods) {
        std::string mat = "code";
        for (int j : nodes) mat += "," + au.Code(j);
        mat += "\n";
        for (int a : nodes) {
          mat += au.Code(a);
          for (int c : nodes) {
            // R's cor gives 1 on the diagonal and COINr's p-value matrix 0 there.
            mat += "," + (a == c ? std::string("1") : au.Shown(au.Correlate(a, c, method)));
          }
          mat += "\n";
        }
        files.emplace_back(fmt::format("corr_{}_level{}.csv", MethodName(method), level), std::move(mat));
      }
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        for (std::size_t k = i + 1; k < nodes.size(); ++k) {
          int a = nodes[i], c = nodes[k];
          for (CorrMethod method : kMethods) {
            Corr r = au.Correlate(a, c, method);
            pairs += fmt::format("{},{},{},{},{},{},{},{}\n", au.year, level, au.Code(a), au.Code(c),
                                 MethodName(method), au.Shown(r), CsvNumber(r.p), r.n);
            if (method != CorrMethod::kPearson || IsNa(r.r)) continue;
            int pa = parent_of(a), pc = parent_of(c);
            std::string group = pa >= 0 && pa == pc ? au.Code(pa) : std::string();
            if (!group.empty() && r.r < 0) flags.push_back({"negative_within_group", level, a, c, group, r.r});
            if (std::fabs(r.r) > kCollinear) flags.push_back({"collinear", level, a, c, group, r.r});
          }
        }
      }
    }
    files.emplace_back("correlations.csv", std::move(pairs));

    // Each node with its parent, and each node with the index.
    std::string with_parent = "year,level,code,parent,method,r,p,n\n";
    std::string with_index = "year,level,code,method,r,p,n\n";
    std::vector<double> parent_r(m.nodes.size(), compute::kNa);
    for (int i = 0; i < top; ++i) {
      int p = parent_of(i);
      for (CorrMethod method : kMethods) {
        if (p >= 0) {
          Corr r = au.Correlate(i, p, method);
          with_parent += fmt::format("{},{},{},{},{},{},{},{}\n", au.year, au.Level(i), au.Code(i), au.Code(p),
                                     MethodName(method), au.Shown(r), CsvNumber(r.p), r.n);
          if (method == CorrMethod::kPearson) {
            parent_r[static_cast<std::size_t>(i)] = r.r;
            if (!IsNa(r.r) && r.r < 0) flags.push_back({"negative_with_parent", au.Level(i), i, p, au.Code(p), r.r});
          }
        }
        Corr r = au.Correlate(i, top, method);
        with_index += fmt::format("{},{},{},{},{},{},{}\n", au.year, au.Level(i), au.Code(i), MethodName(method),
                                  au.Shown(r), CsvNumber(r.p), r.n);
      }
    }
    files.emplace_back("corr_with_parent.csv", std::move(with_parent));
    files.emplace_back("corr_with_index.csv", std::move(with_index));

    // Cronbach's alpha and PCA of each aggregate's children.
    std::string cronbach = "year,level,code,k,alpha,children\n";
    std::string pca = "year,level,code,rows,component,sdev,variance_share,cumulative_share,child,loading\n";
    std::string pca_weights = "year,level,code,group,weight\n";
    struct GroupNote {
      int node;
      double alpha;
      double pc1 = compute::kNa;
      std::size_t rows = 0;
      std::string pca_error;
    };
    std::vector<GroupNote> notes;
    for (int g : Aggregates(m)) {
      std::vector<int> kids = m.Children(g);
      std::vector<std::size_t> cols(kids.begin(), kids.end());
      std::string names;
      for (int c : kids) names += (names.empty() ? "" : ";") + au.Code(c);
      GroupNote note{g, analysis::CronbachAlpha(au.x, cols)};
      cronbach += fmt::format("{},{},{},{},{},{}\n", au.year, au.Level(g), au.Code(g), kids.size(),
                              CsvNumber(note.alpha), names);
      std::vector<int> order = CoinrOrder(m, kids);
      std::vector<std::size_t> pca_cols(order.begin(), order.end());
      auto pc = compute::PrincipalComponents(au.x, pca_cols);
      if (!pc) {
        note.pca_error = pc.error().message;
      } else {
        note.pc1 = pc->variance_share.front();
        note.rows = pc->rows_used;
        double cumulative = 0;
        for (std::size_t j = 0; j < pc->variance_share.size(); ++j) {
          cumulative += pc->variance_share[j];
          for (std::size_t c = 0; c < order.size(); ++c) {
            pca += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", au.year, au.Level(g), au.Code(g), pc->rows_used,
                               j + 1, CsvNumber(pc->sdev[j]), CsvNumber(pc->variance_share[j]), CsvNumber(cumulative),
                               au.Code(order[c]), CsvNumber(pc->loadings[j][c]));
          }
        }
        for (std::size_t c = 0; c < order.size(); ++c) {
          pca_weights += fmt::format("{},{},{},{},{}\n", au.year, au.Level(order[c]), au.Code(order[c]), au.Code(g),
                                     CsvNumber(pc->weights[c]));
        }
      }
      notes.push_back(std::move(note));
    }
    files.emplace_back("cronbach.csv", std::move(cronbach));
    files.emplace_back("pca.csv", std::move(pca));
    files.emplace_back("pca_weights.csv", std::move(pca_weights));

    std::string flag_csv = "year,flag,level,a,b,group,r\n";
    for (const Flag& f : flags) {
      flag_csv += fmt::format("{},{},{},{},{},{},{}\n", au.year, f.kind, f.level, au.Code(f.a), au.Code(f.b), f.group,
                              CsvNumber(f.r));
    }
    files.emplace_back("flags.csv", std::move(flag_csv));
    res.flags = flags.size();

    // The summary a methodologist reads first.
    std::size_t n_ind = NodesOfLevel(m, 1).size();
    std::string s = fmt::format("gpsi audit of {} ({}){}: {} units, {} indicators, {} aggregates, {} levels\n",
                                m.name_en.empty() ? m.id : m.name_en, m.id,
                                b.has_years ? fmt::format(", year {}", res.year) : std::string(), rows.size(), n_ind,
                                m.nodes.size() - n_ind, top_level);
    s += cfg.p_threshold > 0 && cfg.p_threshold < 1
             ? fmt::format("Correlations with p > {} are left blank in the tables (p is always given).\n",
                           FormatNumber(cfg.p_threshold))
             : std::string("No correlation is blanked for its p-value (--p-threshold to do so).\n");
    s += "\nConsistency of each aggregate's children (Cronbach's alpha; 0.7 or more is conventionally\n"
         "consistent) and the share of variance of the first principal component:\n";
    std::vector<std::string> coherent, weak;
    for (const GroupNote& n : notes) {
      std::string pc1 =
          n.pca_error.empty() ? fmt::format("PC1 {:5.1f}% ({} rows)", 100 * n.pc1, n.rows) : "PCA: " + n.pca_error;
      std::string alpha = IsNa(n.alpha) ? std::string("    –") : fmt::format("{:5.2f}", n.alpha);
      s += fmt::format("  L{} {:<16} k = {:>2}  alpha {}  {}\n", au.Level(n.node), au.Code(n.node),
                       m.Children(n.node).size(), alpha, pc1);
      if (!IsNa(n.alpha)) (n.alpha >= 0.7 ? coherent : weak).push_back(au.Code(n.node));
    }
    auto list = [](const std::vector<std::string>& v) {
      std::string out;
      for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
      return out.empty() ? std::string("none") : out;
    };
    s += fmt::format("Alpha ≥ 0.7: {}.\nAlpha < 0.7: {}.\n", list(coherent), list(weak));
    // The weakest links to the parent: where an indicator or aggregate says least about its group.
    std::vector<int> by_parent;
    for (int i = 0; i < top; ++i) {
      if (!IsNa(parent_r[static_cast<std::size_t>(i)])) by_parent.push_back(i);
    }
    std::stable_sort(by_parent.begin(), by_parent.end(), [&](int a, int c) {
      return parent_r[static_cast<std::size_t>(a)] < parent_r[static_cast<std::size_t>(c)];
    });
    s += "\nWeakest Pearson correlations with the parent:\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(5, by_parent.size()); ++i) {
      int n = by_parent[i];
      s += fmt::format("  {} with {}: r = {:.3f}\n", au.Code(n), au.Code(parent_of(n)),
                       parent_r[static_cast<std::size_t>(n)]);
    }
    std::map<std::string, std::size_t> kinds;
    for (const Flag& f : flags) ++kinds[f.kind];
    s += fmt::format(
        "\nFlags ({} in flags.csv; Pearson): {} negative within a group, {} near-collinear (|r| > {}), "
        "{} negative with the parent.\n",
        flags.size(), kinds["negative_within_group"], kinds["collinear"], kCollinear, kinds["negative_with_parent"]);
    constexpr std::size_t kListed = 20;
    for (std::size_t i = 0; i < std::min(flags.size(), kListed); ++i) {
      const Flag& f = flags[i];
      s += fmt::format("  {:<22} {} – {}{}: r = {:.3f}\n", f.kind, au.Code(f.a), au.Code(f.b),
                       f.group.empty() || f.kind == "negative_with_parent" ? std::string() : " (" + f.group + ")", f.r);
    }
    if (flags.size() > kListed) s += fmt::format("  … and {} more in flags.csv\n", flags.size() - kListed);
    files.emplace_back("summary.txt", s);
    res.summary = std::move(s);

    std::error_code ec;
    fs::create_directories(cfg.out_dir, ec);
    if (ec) return Error{Errc::kWrite, fmt::format("cannot create the output folder: {}", ec.message()), cfg.out_dir};
    for (const auto& [name, text] : files) {
      if (auto st = detail::WriteFile(fs::path(cfg.out_dir) / name, text); !st) return st.error();
      res.files.push_back(name);
    }
    return res;
  });
}

}  // namespace gpsi::engine
