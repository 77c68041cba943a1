// The selection report of an excellent-practice campaign (docs/evaluation.md, "Selection report"):
// one page per language (selection.html) drawn from the campaign's stored results, its sheets and
// its audit entries. Nothing is ranked or computed here: every figure is the results'.
#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "page.hpp"
#include "report.hpp"

namespace gpsi::report {
namespace {

using detail::Data;
using detail::Table;
using detail::Words;

//! A score or total to two decimals (the scale's half points and the model's fair averages).
std::string Fixed(double v, int decimals = 2) {
  return IsNa(v) ? "—" : fmt::format("{:.{}f}", v, decimals);
}

std::string YesNo(bool b, const Words& w) {
  return w[b ? "sel_yes" : "sel_no"];
}

//! What the report names the campaign's criteria and methods by, in its language.
struct Labels {
  const Words& w;
  std::map<std::string, const engine::EvalCriterion*> criteria;

  Labels(const Words& words, const engine::EvalRulesView& rules) : w(words) {
    for (const auto& c : rules.criteria) criteria.emplace(c.code, &c);
  }
  std::string Criterion(const std::string& code) const {
    const auto it = criteria.find(code);
    if (it == criteria.end()) return code;
    const auto& c = *it->second;
    return w.lang == "zh" && !c.zh.empty() ? c.zh : c.en.empty() ? code : c.en;
  }
  std::string Method(const std::string& name) const {
    const std::string& text = w["sel_method_" + name];
    return text.empty() ? name : text;
  }
  //! A stage's time, "—" before it.
  static std::string When(const std::string& at) { return at.empty() ? "—" : at; }
};

//! The recommended method's place in EvalResults::methods: the model, the last by its contract.
std::size_t ModelAt(const engine::EvalResults& r) {
  const auto it = std::find(r.methods.begin(), r.methods.end(), "model");
  return it == r.methods.end() ? r.methods.size() - 1 : std::size_t(it - r.methods.begin());
}

Table CriteriaTable(const engine::EvalRulesView& rules, const Labels& l) {
  const auto& w = l.w;
  Table t{"criteria",
          w["sel_criteria_caption"],
          {{w["sel_code"], "code"}, {w["sel_criterion"], "criterion"}, {w["sel_minimum"], "minimum", true}},
          {},
          "criterion"};
  for (const auto& c : rules.criteria) t.rows.push_back({c.code, {c.code, l.Criterion(c.code), Fixed(c.minimum, 1)}});
  return t;
}

std::string RulesText(const engine::EvalRulesView& rules, const Labels& l) {
  std::vector<std::string> ties;
  for (const auto& code : rules.tie_break) ties.push_back(l.Criterion(code));
  return l.w.Say("sel_rules_text", {{"min", Fixed(rules.scale_min, 1)},
                                    {"max", Fixed(rules.scale_max, 1)},
                                    {"step", Fixed(rules.step, 1)},
                                    {"min_total", Fixed(rules.min_total, 1)},
                                    {"select", std::to_string(rules.select)},
                                    {"judges", std::to_string(rules.judges_per_application)},
                                    {"tie_break", fmt::format("{}", fmt::join(ties, l.w.lang == "zh" ? "、" : ", "))}});
}

//! Every application under the model: fair score per criterion, total, rank, eligibility, selection,
//! probability of selection and whether it is borderline.
Table RankingTable(const engine::EvalResults& r, const Labels& l) {
  const auto& w = l.w;
  const std::size_t m = ModelAt(r);
  Table t{"ranking", w.Say("sel_ranking_caption", {{"method", l.Method(r.methods[m])}}), {}, {}, "application"};
  t.columns = {{w["sel_rank"], "rank", true},
               {w["sel_code"], "code"},
               {w["sel_org"], "org"},
               {w["sel_country"], "country"},
               {w["sel_project"], "project"}};
  for (const auto& c : r.criteria) t.columns.push_back({l.Criterion(c), "criterion-" + c, true});
  t.columns.insert(t.columns.end(), {{w["sel_total"], "total", true},
                                     {w["sel_eligible"], "eligible"},
                                     {w["sel_selected"], "selected"},
                                     {w["sel_probability"], "probability", true},
                                     {w["sel_borderline_col"], "borderline"}});
  for (const auto& a : r.applications) {
    const auto& s = a.standings[m];
    std::vector<std::string> cells{std::to_string(s.rank), a.code, a.org, a.country, a.project};
    for (double x : s.criteria) cells.push_back(Fixed(x));
    cells.insert(cells.end(), {Fixed(s.total), YesNo(s.eligible, w), s.selected ? w["sel_selected"] : "",
                               detail::Percent(a.probability, w), a.borderline ? w["sel_borderline_col"] : ""});
    t.rows.push_back({a.code, std::move(cells)});
  }
  return t;
}

//! A short list of applications (the selected, the borderline): rank, code, organisation, project,
//! total and probability under the model.
Table ShortList(const engine::EvalResults& r, const Labels& l, const std::string& id, const std::string& caption,
                bool (*keep)(const engine::EvalApplicationResult&, std::size_t)) {
  const auto& w = l.w;
  const std::size_t m = ModelAt(r);
  Table t{id,
          caption,
          {{w["sel_rank"], "rank", true},
           {w["sel_code"], "code"},
           {w["sel_org"], "org"},
           {w["sel_project"], "project"},
           {w["sel_total"], "total", true},
           {w["sel_selected"], "selected"},
           {w["sel_probability"], "probability", true}},
          {},
          "application"};
  for (const auto& a : r.applications) {
    if (!keep(a, m)) continue;
    const auto& s = a.standings[m];
    t.rows.push_back({a.code,
                      {std::to_string(s.rank), a.code, a.org, a.project, Fixed(s.total), YesNo(s.selected, w),
                       detail::Percent(a.probability, w)}});
  }
  return t;
}

//! Rank and total under each aggregation, and the spread of the ranks: where the methods disagree.
Table MethodsTable(const engine::EvalResults& r, const Labels& l) {
  const auto& w = l.w;
  Table t{"methods", w["sel_methods_caption"], {{w["sel_code"], "code"}}, {}, "application"};
  for (const auto& m : r.methods) {
    t.columns.push_back({w.Say("sel_method_rank", {{"method", l.Method(m)}}), "rank-" + m, true});
    t.columns.push_back({w.Say("sel_method_total", {{"method", l.Method(m)}}), "total-" + m, true});
  }
  t.columns.push_back({w["sel_spread"], "spread", true});
  for (const auto& a : r.applications) {
    std::vector<std::string> cells{a.code};
    int lo = 0, hi = 0;
    for (std::size_t m = 0; m < a.standings.size(); ++m) {
      const int rank = a.standings[m].rank;
      lo = m == 0 ? rank : std::min(lo, rank), hi = m == 0 ? rank : std::max(hi, rank);
      cells.push_back(std::to_string(rank));
      cells.push_back(Fixed(a.standings[m].total));
    }
    cells.push_back(std::to_string(hi - lo));
    t.rows.push_back({a.code, std::move(cells)});
  }
  return t;
}

Table IccTable(const engine::EvalResults& r, const Words& w) {
  Table t{"icc",
          w["sel_icc_caption"],
          {{w["sel_form"], "form"},
           {"ICC", "icc", true},
           {w["sel_interval95"], "interval", true},
           {"F", "f", true},
           {"df1", "df1", true},
           {"df2", "df2", true},
           {"p", "p", true}},
          {},
          "form"};
  for (const auto& f : r.icc) {
    t.rows.push_back({f.form,
                      {f.form, Fixed(f.icc, 3), detail::Span(f.lower, f.upper, 3), Fixed(f.f), Fixed(f.df1, 0),
                       Fixed(f.df2, 0), IsNa(f.p) ? "—" : fmt::format("{:.3g}", f.p)}});
  }
  return t;
}

Table VarianceTable(const engine::EvalResults& r, const Words& w) {
  Table t{"variance",
          w.Say("sel_variance_caption", {{"reml", Fixed(r.reml)}}),
          {{w["sel_component"], "component"}, {w["sel_variance"], "variance", true}},
          {},
          "component"};
  for (const auto& [name, v] : r.variances) {
    std::string key = "sel_factor_" + name;
    std::replace(key.begin(), key.end(), ':', '_');
    t.rows.push_back({name, {w[key].empty() ? name : w[key], Fixed(v, 4)}});
  }
  return t;
}

Table JudgesTable(const engine::EvalResults& r, const Labels& l) {
  const auto& w = l.w;
  Table t{"judges",
          w["sel_judges_caption"],
          {{w["sel_judge"], "judge"},
           {w["sel_sheets"], "sheets", true},
           {w["sel_mean_given"], "mean_given", true},
           {w["sel_severity"], "severity", true}},
          {},
          "judge"};
  for (const auto& c : r.criteria) {
    t.columns.push_back({w.Say("sel_bias", {{"criterion", l.Criterion(c)}}), "bias-" + c, true});
  }
  for (const auto& j : r.judges) {
    std::vector<std::string> cells{j.login, std::to_string(j.sheets), Fixed(j.mean_given),
                                   IsNa(j.severity) ? "—" : fmt::format("{:+.3f}", j.severity)};
    for (double b : j.bias) cells.push_back(IsNa(b) ? "—" : fmt::format("{:+.3f}", b));
    t.rows.push_back({j.login, std::move(cells)});
  }
  return t;
}

//! Every sheet, revisions included, as sealed: who, when, the scores, the hash and the reason.
Table SheetsTable(const engine::CampaignDetail& d, const Words& w) {
  Table t{"sheets",
          w["sel_sheets_caption"],
          {{w["sel_application"], "application"},
           {w["sel_judge"], "judge"},
           {w["sel_revision"], "revision", true},
           {w["sel_scores"], "scores", true},
           {w["sel_sealed_at"], "sealed_at"},
           {"SHA-256", "sha256"},
           {w["sel_reason"], "reason"}},
          {},
          "sheet"};
  for (const auto& s : d.sheets) {
    std::vector<std::string> scores;
    for (double x : s.scores) scores.push_back(Fixed(x, 1));
    t.rows.push_back({s.sha256,
                      {s.application, s.judge, std::to_string(s.revision), fmt::format("{}", fmt::join(scores, " ")),
                       s.sealed_at, s.sha256, s.reason}});
  }
  return t;
}

Table LogTable(const std::vector<AuditEntry>& trail, const Words& w) {
  Table t{"audit-log",
          w["sel_log_caption"],
          {{w["sel_seq"], "seq", true},
           {w["sel_at"], "at"},
           {w["sel_actor"], "actor"},
           {w["sel_action"], "action"},
           {w["sel_target"], "target"},
           {w["sel_hash"], "hash"}},
          {},
          "seq"};
  for (const auto& e : trail) {
    t.rows.push_back({std::to_string(e.seq), {std::to_string(e.seq), e.at, e.actor, e.action, e.target, e.hash}});
  }
  return t;
}

//! The title and provenance: campaign, stage, hashes and the stages' dates.
void Provenance(const engine::CampaignDetail& d, const engine::EvalResults& r, const Edition& e, const Words& w,
                Data& out) {
  const auto& c = d.campaign;
  const std::string title = w.lang == "zh" && !d.title_zh.empty() ? d.title_zh : d.title_en;
  out.set("key", c.key);
  out.set("title", w.Say("sel_heading", {{"title", title.empty() ? c.key : title}}));
  Data rows{Data::type::list};
  const std::pair<std::string, std::string> fields[] = {{"sel_campaign", c.key},
                                                        {"sel_state", w["sel_state_" + std::string(ToString(c.state))]},
                                                        {"sel_rules_sha256", c.rules_sha256},
                                                        {"sel_sheets_sha256", r.sheets_sha256},
                                                        {"sel_created", Labels::When(c.created)},
                                                        {"sel_opened", Labels::When(c.opened)},
                                                        {"sel_closed", Labels::When(c.closed)},
                                                        {"sel_published", Labels::When(c.published)},
                                                        {"sel_edition_date", e.date.empty() ? "—" : e.date}};
  for (const auto& [key, value] : fields) {
    Data row;
    row.set("field", key.substr(4)), row.set("name", w[key]), row.set("value", value);
    rows << row;
  }
  out.set("provenance", rows);
}

//! The borderline group: its sentence and table, or a sentence that there is none.
void Borderline(const engine::EvalResults& r, const Labels& l, Data& out) {
  const auto& w = l.w;
  const std::map<std::string, std::string> band{{"low", detail::Percent(r.borderline_low, w)},
                                                {"high", detail::Percent(r.borderline_high, w)}};
  const bool any =
      std::any_of(r.applications.begin(), r.applications.end(), [](const auto& a) { return a.borderline; });
  out.set("borderline_text", w.Say(any ? "sel_borderline_text" : "sel_no_borderline", band));
  out.set("borderline_table",
          any ? ShortList(r, l, "borderline", w.Say("sel_borderline_caption", band),
                          [](const engine::EvalApplicationResult& a, std::size_t) { return a.borderline; })
                    .Html()
              : "");
}

void Reliability(const engine::EvalResults& r, const Words& w, Data& out) {
  out.set("reliability_text", w.Say("sel_reliability_text", {{"alpha", Fixed(r.alpha, 3)},
                                                             {"k", Fixed(r.judges_per_application, 1)},
                                                             {"panel", Fixed(r.panel, 3)},
                                                             {"for075", Fixed(r.judges_for_075, 1)},
                                                             {"for090", Fixed(r.judges_for_090, 1)}}));
  out.set("icc", IccTable(r, w).Html());
  out.set("variance", VarianceTable(r, w).Html());
}

}  // namespace

Result<std::string> SelectionReportHtml(const engine::CampaignDetail& d, const std::vector<AuditEntry>& trail,
                                        const Edition& e) {
  if (!d.results || d.results->methods.empty()) {
    return Error{Errc::kUsage, fmt::format("campaign '{}' has no results to report yet", d.campaign.key)};
  }
  auto words = Words::Load(e.lang);
  if (!words) return words.error();
  const auto& w = *words;
  const auto& r = *d.results;
  const Labels l(w, d.rules);
  const std::size_t m = ModelAt(r);
  Data out;
  detail::SetEdition(e, w, out);
  Provenance(d, r, e, w, out);
  out.set("rules_text", RulesText(d.rules, l));
  out.set("criteria", CriteriaTable(d.rules, l).Html());
  out.set("ranking_text", w.Say("sel_ranking_text", {{"method", l.Method(r.methods[m])},
                                                     {"replicates", std::to_string(r.replicates)},
                                                     {"seed", std::to_string(r.seed)}}));
  const auto selected = std::count_if(r.applications.begin(), r.applications.end(),
                                      [m](const auto& a) { return a.standings[m].selected; });
  out.set("selected",
          ShortList(r, l, "selected", w.Say("sel_selected_caption", {{"n", std::to_string(selected)}}),
                    [](const engine::EvalApplicationResult& a, std::size_t at) { return a.standings[at].selected; })
              .Html());
  out.set("ranking", RankingTable(r, l).Html());
  out.set("methods", MethodsTable(r, l).Html());
  Reliability(r, w, out);
  out.set("judges", JudgesTable(r, l).Html());
  Borderline(r, l, out);
  out.set("sheets", SheetsTable(d, w).Html());
  out.set("audit_log", LogTable(trail, w).Html());
  return detail::Render("selection.html", out);
}

}  // namespace gpsi::report
