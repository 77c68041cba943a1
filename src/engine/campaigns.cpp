// The excellent-practice evaluation behind the façade: each call opens the store, acts for the
// holder of a token under platform's rules, and computes with src/evaluation (docs/evaluation.md).
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "detail/holder.hpp"
#include "engine.hpp"
#include "evaluation.hpp"
#include "ingest.hpp"

namespace gpsi::engine {
namespace {

namespace fs = std::filesystem;
using detail::AccessFor;
using detail::Holder;
using detail::WithStore;
using nlohmann::json;

//! Who reads with `token`: its holder, or the public (no account, no permission) when it is empty.
Result<platform::Principal> Reader(Store& s, const std::string& token) {
  if (token.empty()) return platform::Principal{};
  return platform::Authenticate(s, token, NowUtc());
}

//! The stored rules of `c`, parsed again (they were checked when stored).
Result<evaluation::Rules> StoredRules(const Campaign& c) {
  return evaluation::ParseRules(c.rules, c.key + ".toml");
}

//! What every seat reads of `r`.
EvalRulesView RulesView(const evaluation::Rules& r) {
  EvalRulesView v{.scale_min = r.scale_min,
                  .scale_max = r.scale_max,
                  .step = r.step,
                  .min_total = r.min_total,
                  .select = r.select,
                  .judges_per_application = r.judges_per_application,
                  .tie_break = r.tie_break};
  for (const auto& c : r.criteria) {
    EvalCriterion out{.code = c.code, .en = c.en, .zh = c.zh, .minimum = c.minimum};
    for (const auto& a : c.rubric) out.rubric.push_back({a.score, a.en, a.zh});
    v.criteria.push_back(std::move(out));
  }
  return v;
}

//! The stored applications and judges as the evaluation reads them.
struct EvalInput {
  std::vector<evaluation::Application> apps;
  std::vector<evaluation::Judge> judges;
  std::map<std::string, std::size_t> app_index, judge_index;
};

EvalInput CampaignInput(Store& s, const Campaign& c) {
  EvalInput in;
  for (auto& a : s.Applications(c.id)) {
    in.app_index[a.code] = in.apps.size();
    in.apps.push_back({a.code, a.org, a.country, a.project, a.documents});
  }
  for (auto& j : s.Judges(c.id)) {
    in.judge_index[j.login] = in.judges.size();
    const auto account = s.FindAccount(j.login);
    in.judges.push_back({j.login, j.org, j.country, j.declared, account ? account->org : ""});
  }
  return in;
}

//! The applications the judge of `seat` is in conflict with (evaluation::Conflicts under `rules`):
//! every one when they cannot be told (fail closed).
std::vector<std::string> Barred(Store& s, const platform::CampaignSeat& seat, const evaluation::Rules* rules) {
  std::vector<std::string> out;
  if (!seat.judge) return out;
  const EvalInput in = CampaignInput(s, seat.campaign);
  auto conflicts = rules ? evaluation::Conflicts(*rules, in.apps, in.judges)
                         : Result<std::vector<evaluation::Conflict>>(Error{Errc::kBadCampaign, "no rules"});
  for (std::size_t i = 0; i < in.apps.size(); ++i) {
    const bool barred = !conflicts || std::ranges::any_of(*conflicts, [&](const auto& c) {
      return c.application == i && in.judges[c.judge].login == seat.judge->login;
    });
    if (barred) out.push_back(in.apps[i].code);
  }
  return out;
}

//! The stored assignment as the evaluation reads it.
evaluation::Assignment StoredAssignment(Store& s, const Campaign& c, const EvalInput& in) {
  evaluation::Assignment a;
  a.judges.resize(in.apps.size());
  for (const auto& [app, judge] : s.Assignments(c.id))
    a.judges[in.app_index.at(app)].push_back(in.judge_index.at(judge));
  return a;
}

json StandingJson(const EvalStanding& s) {
  return {{"criteria", s.criteria},
          {"total", s.total},
          {"eligible", s.eligible},
          {"rank", s.rank},
          {"selected", s.selected}};
}

//! What the assignment and its check read: the holder of `token`, their seat in campaign `key`, its
//! stored rules, applications and judges, and the conflicts among them.
struct DesignInput {
  platform::Principal who;
  Actor actor;
  platform::CampaignSeat seat;
  evaluation::Rules rules;
  EvalInput in;
  std::vector<evaluation::Conflict> conflicts;
};

Result<DesignInput> Design(Store& s, const std::string& token, const std::string& origin, const std::string& key) {
  auto holder = Holder(s, token, origin);
  if (!holder) return holder.error();
  auto seat = platform::SeatIn(s, holder->first, key);
  if (!seat) return seat.error();
  auto rules = StoredRules(seat->campaign);
  if (!rules) return rules.error();
  EvalInput in = CampaignInput(s, seat->campaign);
  auto conflicts = evaluation::Conflicts(*rules, in.apps, in.judges);
  if (!conflicts) return conflicts.error();
  return DesignInput{
      std::move(holder->first), std::move(holder->second), std::move(*seat), std::move(*rules), std::move(in),
      std::move(*conflicts)};
}

//! The evaluation's results keyed by codes and logins, by the model's rank.
EvalResults Keyed(const evaluation::Rules& rules, const Campaign& c, const EvalInput& in, const evaluation::Results& r,
                  const std::vector<CampaignSheet>& sheets) {
  EvalResults out;
  out.campaign = c.key, out.rules_sha256 = evaluation::RulesHash(rules), out.select = rules.select;
  Sha256 hash;
  for (const auto& s : sheets) hash.Update(s.sha256);
  out.sheets_sha256 = hash.HexDigest();
  for (const auto& crit : rules.criteria) out.criteria.push_back(crit.code);
  for (const auto& ranking : r.rankings) out.methods.emplace_back(evaluation::ToString(ranking.method));
  std::vector<int> count(in.apps.size());
  for (const auto& s : sheets) ++count[in.app_index.at(s.application)];
  for (std::size_t a = 0; a < in.apps.size(); ++a) {
    EvalApplicationResult row{
        in.apps[a].code,      in.apps[a].org, in.apps[a].country, in.apps[a].project, {}, r.odds.probability[a],
        r.odds.borderline[a], count[a]};
    for (const auto& ranking : r.rankings) {
      const auto& st = ranking.standings[a];
      row.standings.push_back({st.criteria, st.total, st.eligible, st.rank, st.selected});
    }
    out.applications.push_back(std::move(row));
  }
  std::sort(out.applications.begin(), out.applications.end(),
            [](const auto& x, const auto& y) { return x.standings.back().rank < y.standings.back().rank; });
  for (std::size_t j = 0; j < in.judges.size(); ++j) {
    const auto& e = r.judges[j];
    out.judges.push_back({in.judges[j].login, e.severity, e.bias, int(e.sheets), e.mean_given});
  }
  const auto& rel = r.reliability;
  for (const auto& f : rel.icc.forms) out.icc.push_back({f.form, f.icc, f.f, f.df1, f.df2, f.p, f.lower, f.upper});
  out.var_applications = rel.icc.var_subjects, out.var_judges = rel.icc.var_judges;
  out.var_residual = rel.icc.var_residual, out.alpha = rel.alpha;
  out.judges_per_application = rel.judges_per_application, out.panel = rel.panel;
  out.judges_for_075 = rel.judges_for_075, out.judges_for_090 = rel.judges_for_090;
  out.beta = r.model.beta;
  const char* factors[] = {"application", "application:criterion", "judge", "judge:criterion"};
  for (std::size_t k = 0; k < r.model.variances.size(); ++k)
    out.variances.emplace_back(factors[k], r.model.variances[k]);
  out.variances.emplace_back("residual", r.model.sigma2);
  out.reml = r.model.reml, out.replicates = r.odds.replicates, out.seed = rules.seed;
  out.borderline_low = rules.borderline_low, out.borderline_high = rules.borderline_high;
  return out;
}

//! The results of `c` from its newest sheets (evaluation::Evaluate).
Result<EvalResults> ComputeResults(Store& s, const Campaign& c, unsigned threads) {
  auto rules = StoredRules(c);
  if (!rules) return rules.error();
  const EvalInput in = CampaignInput(s, c);
  const auto current = platform::CurrentSheets(s.Sheets(c.id));
  std::vector<evaluation::Sheet> sheets;
  for (const auto& sh : current) {
    sheets.push_back({in.app_index.at(sh.application), in.judge_index.at(sh.judge), sh.scores});
  }
  auto r = evaluation::Evaluate(*rules, in.apps, in.judges.size(), sheets, threads);
  if (!r) return r.error();
  return Keyed(*rules, c, in, *r, current);
}

//! What of `r` the seat may see (platform::MaySeeResult): its applications, and the judges'
//! effects for the secretariat only.
EvalResults ForSeat(EvalResults r, const platform::CampaignSeat& seat) {
  std::erase_if(r.applications, [&](const EvalApplicationResult& a) {
    return !platform::MaySeeResult(seat, a.code, a.standings.back().selected);
  });
  if (!seat.secretariat) r.judges.clear();
  return r;
}

std::string SeatName(const platform::CampaignSeat& seat) {
  if (seat.secretariat) return "secretariat";
  if (seat.judge) return "judge";
  return seat.own.empty() ? "public" : "applicant";
}

//! A list kept in one CSV field, its items separated by ';'.
std::vector<std::string> Items(const std::string& field) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= field.size()) {
    const std::size_t end = std::min(field.find(';', at), field.size());
    const auto item = Trim(std::string_view(field).substr(at, end - at));
    if (!item.empty()) out.emplace_back(item);
    at = end + 1;
  }
  return out;
}

//! The rows of CSV file `path` with the `columns` it must have (in any order), as column → value.
Result<std::vector<std::map<std::string, std::string>>> CsvRows(const std::string& path,
                                                                const std::vector<std::string>& columns) {
  auto table = ReadTextTable(path);
  if (!table) return table.error();
  std::vector<int> at;
  for (const auto& c : columns) {
    at.push_back(table->Column(c));
    if (at.back() < 0) {
      return Error{Errc::kBadHeader, fmt::format("the header lacks column '{}' (wants {})", c, fmt::join(columns, ",")),
                   path, 1};
    }
  }
  std::vector<std::map<std::string, std::string>> rows;
  for (const auto& row : table->rows) {
    auto& out = rows.emplace_back();
    for (std::size_t i = 0; i < columns.size(); ++i) out[columns[i]] = std::string(Trim(row[at[i]]));
  }
  return rows;
}

Result<std::vector<CampaignApplication>> ReadApplications(const std::string& path) {
  auto rows = CsvRows(path, {"code", "org", "country", "project", "documents"});
  if (!rows) return rows.error();
  std::vector<CampaignApplication> apps;
  for (auto& r : *rows) apps.push_back({r["code"], r["org"], r["country"], r["project"], Items(r["documents"])});
  return apps;
}

Result<std::vector<CampaignJudge>> ReadJudges(const std::string& path) {
  auto rows = CsvRows(path, {"login", "org", "country", "declared"});
  if (!rows) return rows.error();
  std::vector<CampaignJudge> judges;
  for (auto& r : *rows) judges.push_back({r["login"], r["org"], r["country"], Items(r["declared"])});
  return judges;
}

Status WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return Error{Errc::kWrite, "cannot write", path.string()};
  return Ok();
}

//! A number of stored results: JSON writes a missing one (NaN) as null.
double JsonNum(const json& j, const char* key) {
  const json& v = j.at(key);
  return v.is_null() ? kNa : v.get<double>();
}
std::vector<double> JsonNums(const json& j, const char* key) {
  std::vector<double> out;
  for (const auto& v : j.at(key)) out.push_back(v.is_null() ? kNa : v.get<double>());
  return out;
}

}  // namespace

std::string EvalResultsJson(const EvalResults& r) {
  json apps = json::array();
  for (const auto& a : r.applications) {
    json by = json::object();
    for (std::size_t m = 0; m < r.methods.size() && m < a.standings.size(); ++m)
      by[r.methods[m]] = StandingJson(a.standings[m]);
    apps.push_back({{"code", a.code},
                    {"org", a.org},
                    {"country", a.country},
                    {"project", a.project},
                    {"standings", by},
                    {"probability", a.probability},
                    {"borderline", a.borderline},
                    {"sheets", a.sheets}});
  }
  json judges = json::array();
  for (const auto& j : r.judges) {
    judges.push_back({{"login", j.login},
                      {"severity", j.severity},
                      {"bias", j.bias},
                      {"sheets", j.sheets},
                      {"mean_given", j.mean_given}});
  }
  json icc = json::array();
  for (const auto& f : r.icc) {
    icc.push_back({{"form", f.form},
                   {"icc", f.icc},
                   {"f", f.f},
                   {"df1", f.df1},
                   {"df2", f.df2},
                   {"p", f.p},
                   {"lower", f.lower},
                   {"upper", f.upper}});
  }
  json variances = json::object();
  for (const auto& [name, v] : r.variances) variances[name] = v;
  const json j = {
      {"campaign", r.campaign},
      {"rules_sha256", r.rules_sha256},
      {"sheets_sha256", r.sheets_sha256},
      {"criteria", r.criteria},
      {"methods", r.methods},
      {"select", r.select},
      {"applications", apps},
      {"judges", judges},
      {"reliability",
       {{"icc", icc},
        {"variance", {{"applications", r.var_applications}, {"judges", r.var_judges}, {"residual", r.var_residual}}},
        {"alpha", r.alpha},
        {"judges_per_application", r.judges_per_application},
        {"panel", r.panel},
        {"judges_for_075", r.judges_for_075},
        {"judges_for_090", r.judges_for_090}}},
      {"model", {{"criterion_means", r.beta}, {"variances", variances}, {"reml", r.reml}}},
      {"bootstrap",
       {{"replicates", r.replicates}, {"seed", r.seed}, {"borderline", {r.borderline_low, r.borderline_high}}}},
  };
  return j.dump();
}

Result<EvalResults> ParseEvalResults(const std::string& text) {
  try {
    const json j = json::parse(text);
    EvalResults r;
    r.campaign = j.at("campaign"), r.rules_sha256 = j.at("rules_sha256"), r.sheets_sha256 = j.at("sheets_sha256");
    r.criteria = j.at("criteria").get<std::vector<std::string>>();
    r.methods = j.at("methods").get<std::vector<std::string>>();
    r.select = j.at("select");
    for (const auto& a : j.at("applications")) {
      EvalApplicationResult row{
          a.at("code"),       a.at("org"),   a.at("country"), a.at("project"), {}, JsonNum(a, "probability"),
          a.at("borderline"), a.at("sheets")};
      for (const auto& m : r.methods) {
        const auto& s = a.at("standings").at(m);
        row.standings.push_back(
            {JsonNums(s, "criteria"), JsonNum(s, "total"), s.at("eligible"), s.at("rank"), s.at("selected")});
      }
      r.applications.push_back(std::move(row));
    }
    for (const auto& x : j.at("judges")) {
      r.judges.push_back(
          {x.at("login"), JsonNum(x, "severity"), JsonNums(x, "bias"), x.at("sheets"), JsonNum(x, "mean_given")});
    }
    const auto& rel = j.at("reliability");
    for (const auto& f : rel.at("icc")) {
      r.icc.push_back({f.at("form"), JsonNum(f, "icc"), JsonNum(f, "f"), JsonNum(f, "df1"), JsonNum(f, "df2"),
                       JsonNum(f, "p"), JsonNum(f, "lower"), JsonNum(f, "upper")});
    }
    const auto& v = rel.at("variance");
    r.var_applications = JsonNum(v, "applications"), r.var_judges = JsonNum(v, "judges"),
    r.var_residual = JsonNum(v, "residual");
    r.alpha = JsonNum(rel, "alpha"), r.judges_per_application = JsonNum(rel, "judges_per_application");
    r.panel = JsonNum(rel, "panel"), r.judges_for_075 = JsonNum(rel, "judges_for_075");
    r.judges_for_090 = JsonNum(rel, "judges_for_090");
    r.beta = JsonNums(j.at("model"), "criterion_means");
    for (const auto& [name, x] : j.at("model").at("variances").items()) {
      r.variances.emplace_back(name, x.is_null() ? kNa : x.get<double>());
    }
    r.reml = JsonNum(j.at("model"), "reml");
    const auto& boot = j.at("bootstrap");
    r.replicates = boot.at("replicates"), r.seed = boot.at("seed");
    r.borderline_low = boot.at("borderline").at(0), r.borderline_high = boot.at("borderline").at(1);
    return r;
  } catch (const json::exception& e) {
    return Error{Errc::kStoreCorrupt, fmt::format("stored campaign results do not read: {}", e.what())};
  }
}

Result<std::vector<CampaignDetail>> Campaigns(const std::string& db_path, const std::string& token) {
  return WithStore(db_path, AccessFor(token, StoreAccess::kRead), [&](Store& s) -> Result<std::vector<CampaignDetail>> {
    auto who = Reader(s, token);
    if (!who) return who.error();
    std::vector<CampaignDetail> out;
    for (auto& seat : platform::VisibleCampaigns(s, *who)) {
      auto d = CampaignDetails(db_path, token, seat.campaign.key);
      if (!d) return d.error();
      d->sheets.clear(), d->results.reset();
      out.push_back(std::move(*d));
    }
    return out;
  });
}

Result<CampaignDetail> CampaignDetails(const std::string& db_path, const std::string& token, const std::string& key) {
  return WithStore(db_path, AccessFor(token, StoreAccess::kRead), [&](Store& s) -> Result<CampaignDetail> {
    auto who = Reader(s, token);
    if (!who) return who.error();
    auto seat = platform::SeatIn(s, *who, key);
    if (!seat) return seat.error();
    CampaignDetail d;
    d.campaign = seat->campaign, d.seat = SeatName(*seat);
    d.campaign.results.clear();
    auto rules = StoredRules(seat->campaign);
    if (rules) d.title_en = rules->title_en, d.title_zh = rules->title_zh, d.rules = RulesView(*rules);
    seat->barred = Barred(s, *seat, rules ? &*rules : nullptr);
    std::optional<EvalResults> stored;
    if (!seat->campaign.results.empty()) {
      auto parsed = ParseEvalResults(seat->campaign.results);
      if (!parsed) return parsed.error();
      stored = std::move(*parsed);
    }
    std::vector<std::string> selected;
    for (const auto& a : stored ? stored->applications : std::vector<EvalApplicationResult>{}) {
      if (a.standings.back().selected) selected.push_back(a.code);
    }
    d.applications = platform::VisibleApplications(s, *seat, selected);
    for (const auto& pair : s.Assignments(seat->campaign.id)) {
      if (seat->secretariat || (seat->judge && pair.second == seat->judge->login)) d.assignment.push_back(pair);
    }
    if (seat->secretariat) d.judges = s.Judges(seat->campaign.id);
    if (seat->judge && !seat->secretariat) d.judges = {*seat->judge};  // their own declarations
    d.sheets = platform::VisibleSheets(s, *seat);
    std::set<std::pair<std::string, std::string>> sealed;
    for (const auto& sh : d.sheets) sealed.emplace(sh.application, sh.judge);
    d.assigned = int(d.assignment.size());
    for (const auto& pair : d.assignment) d.sealed += sealed.contains(pair);
    if (stored && (seat->secretariat || seat->judge || seat->campaign.state == CampaignState::kPublished)) {
      d.results = ForSeat(std::move(*stored), *seat);
    }
    return d;
  });
}

Result<CampaignReportInput> CampaignReport(const std::string& db_path, const std::string& token,
                                           const std::string& key) {
  auto d = CampaignDetails(db_path, token, key);
  if (!d) return d.error();
  if (d->seat != "secretariat") return Error{Errc::kForbidden, "the selection report: only the secretariat"};
  if (!d->results) {
    return Error{Errc::kConflict, fmt::format("no selection report of campaign '{}' at the {} stage: its results come "
                                              "when scoring closes",
                                              key, ToString(d->campaign.state))};
  }
  // The campaign's own entries and its sheets' ("campaign:<key>/<application>/<judge>").
  const std::string target = "campaign:" + key;
  auto trail = WithStore(db_path, AccessFor(token, StoreAccess::kRead), [&](Store& s) {
    std::vector<AuditEntry> out;
    s.AuditEntries(1, [&](const AuditEntry& e) {
      if (e.target == target || e.target.starts_with(target + "/")) out.push_back(e);
    });
    return Result<std::vector<AuditEntry>>(std::move(out));
  });
  if (!trail) return trail.error();
  return CampaignReportInput{std::move(*d), std::move(*trail)};
}

Result<Campaign> CreateCampaign(const std::string& db_path, const std::string& token, const std::string& origin,
                                const std::string& key, const std::string& rules, const std::string& rules_name) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) -> Result<Campaign> {
    auto holder = Holder(s, token, origin);
    if (!holder) return holder.error();
    // Who may comes first: one who may not create a campaign learns nothing about the rules.
    if (!platform::RunsCampaigns(holder->first))
      return Error{Errc::kForbidden, "create a campaign: only the secretariat"};
    if (auto parsed = evaluation::ParseRules(rules, rules_name); !parsed) return parsed.error();
    return platform::AddCampaign(s, holder->second, holder->first, key, rules);
  });
}

Status ImportCampaignEntries(const std::string& db_path, const std::string& token, const std::string& origin,
                             const std::string& key, const std::string& applications_csv,
                             const std::string& judges_csv) {
  std::optional<std::vector<CampaignApplication>> apps;
  std::optional<std::vector<CampaignJudge>> judges;
  if (!applications_csv.empty()) {
    auto read = ReadApplications(applications_csv);
    if (!read) return read.error();
    apps = std::move(*read);
  }
  if (!judges_csv.empty()) {
    auto read = ReadJudges(judges_csv);
    if (!read) return read.error();
    judges = std::move(*read);
  }
  return SetCampaignEntries(db_path, token, origin, key, apps, judges);
}

Status SetCampaignEntries(const std::string& db_path, const std::string& token, const std::string& origin,
                          const std::string& key, const std::optional<std::vector<CampaignApplication>>& apps,
                          const std::optional<std::vector<CampaignJudge>>& judges) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) -> Status {
    auto holder = Holder(s, token, origin);
    if (!holder) return holder.error();
    return platform::SetCampaignEntries(s, holder->second, holder->first, key, apps ? &*apps : nullptr,
                                        judges ? &*judges : nullptr);
  });
}

Status DeclareConflicts(const std::string& db_path, const std::string& token, const std::string& origin,
                        const std::string& key, const std::vector<std::string>& applications) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) -> Status {
    auto holder = Holder(s, token, origin);
    if (!holder) return holder.error();
    return platform::DeclareConflicts(s, holder->second, holder->first, key, applications);
  });
}

Result<AssignResult> AssignCampaign(const std::string& db_path, const std::string& token, const std::string& origin,
                                    const std::string& key) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) -> Result<AssignResult> {
    auto ctx = Design(s, token, origin, key);
    if (!ctx) return ctx.error();
    const EvalInput& in = ctx->in;
    auto assignment = evaluation::Assign(ctx->rules, in.apps.size(), in.judges.size(), ctx->conflicts);
    if (!assignment) return assignment.error();
    AssignResult out;
    for (std::size_t a = 0; a < in.apps.size(); ++a) {
      for (std::size_t j : assignment->judges[a]) {
        out.pairs.emplace_back(in.apps[a].code, in.judges[j].login);
        ++out.loads[in.judges[j].login];
      }
    }
    for (const auto& c : ctx->conflicts) {
      out.conflicts.emplace_back(in.apps[c.application].code, in.judges[c.judge].login, evaluation::ToString(c.kind));
    }
    if (auto ok = platform::SetAssignment(s, ctx->actor, ctx->who, key, out.pairs); !ok) return ok.error();
    return out;
  });
}

Result<Campaign> OpenCampaign(const std::string& db_path, const std::string& token, const std::string& origin,
                              const std::string& key) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) -> Result<Campaign> {
    auto ctx = Design(s, token, origin, key);
    if (!ctx) return ctx.error();
    // An application without judges is platform's refusal (nothing assigned yet: a conflict of
    // stage); a design the rules refuse is the evaluation's.
    const auto assignment = StoredAssignment(s, ctx->seat.campaign, ctx->in);
    const bool covered =
        std::all_of(assignment.judges.begin(), assignment.judges.end(), [](const auto& js) { return !js.empty(); });
    if (auto ok = evaluation::CheckAssignment(ctx->rules, ctx->in.judges.size(), ctx->conflicts, assignment);
        covered && !ok) {
      return ok.error();
    }
    return platform::OpenScoring(s, ctx->actor, ctx->who, key, evaluation::RulesHash(ctx->rules));
  });
}

Result<CampaignSheet> ScoreApplication(const std::string& db_path, const std::string& token, const std::string& origin,
                                       const std::string& key, const std::string& application,
                                       const std::vector<double>& scores, const std::string& comment,
                                       const std::string& reason, unsigned threads) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) -> Result<CampaignSheet> {
    auto holder = Holder(s, token, origin);
    if (!holder) return holder.error();
    auto seat = platform::SeatIn(s, holder->first, key);
    if (!seat) return seat.error();
    auto rules = StoredRules(seat->campaign);
    if (!rules) return rules.error();
    if (auto ok = evaluation::CheckScores(*rules, scores); !ok) return ok.error();
    auto sheet = platform::SealSheet(s, holder->second, holder->first, key, application, scores, comment, reason);
    if (!sheet || seat->campaign.state != CampaignState::kPanel) return sheet;
    // A revision at the panel stage changes the results: computed again from the newest sheets.
    auto results = ComputeResults(s, seat->campaign, threads);
    if (!results) return results.error();
    if (auto ok = platform::StoreResults(s, key, EvalResultsJson(*results)); !ok) return ok.error();
    return sheet;
  });
}

Result<std::vector<CampaignSheet>> ScoreFromFile(const std::string& db_path, const std::string& token,
                                                 const std::string& origin, const std::string& key,
                                                 const std::string& csv, unsigned threads) {
  auto table = ReadTextTable(csv);
  if (!table) return table.error();
  auto rules = WithStore(db_path, AccessFor(token, StoreAccess::kRead), [&](Store& s) -> Result<evaluation::Rules> {
    auto who = platform::Authenticate(s, token, NowUtc());
    if (!who) return who.error();
    auto seat = platform::SeatIn(s, *who, key);
    if (!seat) return seat.error();
    return StoredRules(seat->campaign);
  });
  if (!rules) return rules.error();
  std::vector<std::string> columns{"application"};
  for (const auto& c : rules->criteria) columns.push_back(c.code);
  std::vector<int> at;
  for (const auto& c : columns) {
    at.push_back(table->Column(c));
    if (at.back() < 0) {
      return Error{Errc::kBadHeader, fmt::format("the header lacks column '{}' (wants {})", c, fmt::join(columns, ",")),
                   csv, 1};
    }
  }
  const int comment = table->Column("comment"), reason = table->Column("reason");
  std::vector<CampaignSheet> sealed;
  for (std::size_t r = 0; r < table->rows.size(); ++r) {
    const auto& row = table->rows[r];
    std::vector<double> scores;
    for (std::size_t c = 1; c < columns.size(); ++c) {
      const auto x = ParseNumber(row[at[c]]);
      if (!x) return Error{Errc::kBadCampaign, fmt::format("'{}' is not a score", row[at[c]]), csv, table->lines[r]};
      scores.push_back(*x);
    }
    auto sheet = ScoreApplication(db_path, token, origin, key, std::string(Trim(row[at[0]])), scores,
                                  comment < 0 ? "" : row[comment], reason < 0 ? "" : row[reason], threads);
    if (!sheet) {
      Error e = sheet.error();
      e.file = csv, e.line = table->lines[r];
      return e;
    }
    sealed.push_back(std::move(*sheet));
  }
  return sealed;
}

Result<Campaign> CloseCampaign(const std::string& db_path, const std::string& token, const std::string& origin,
                               const std::string& key, unsigned threads) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) -> Result<Campaign> {
    auto holder = Holder(s, token, origin);
    if (!holder) return holder.error();
    auto seat = platform::SeatIn(s, holder->first, key);
    if (!seat) return seat.error();
    if (!seat->secretariat) return Error{Errc::kForbidden, "close scoring: only the secretariat"};
    auto results = ComputeResults(s, seat->campaign, threads);
    if (!results) return results.error();
    return platform::CloseScoring(s, holder->second, holder->first, key, EvalResultsJson(*results));
  });
}

Result<Campaign> PublishCampaign(const std::string& db_path, const std::string& token, const std::string& origin,
                                 const std::string& key) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) -> Result<Campaign> {
    auto holder = Holder(s, token, origin);
    if (!holder) return holder.error();
    return platform::PublishCampaign(s, holder->second, holder->first, key);
  });
}

Status SynthesizeCampaign(const SynthCampaignConfig& cfg) {
  std::ifstream in(cfg.rules_file, std::ios::binary);
  if (!in) return Error{Errc::kIo, "cannot read the campaign file", cfg.rules_file};
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto rules = evaluation::ParseRules(text, cfg.rules_file);
  if (!rules) return rules.error();
  evaluation::SynthConfig sc;
  sc.applications = cfg.applications, sc.organisations = cfg.organisations, sc.judges = cfg.judges, sc.seed = cfg.seed;
  auto syn = evaluation::Synthesize(*rules, sc);
  if (!syn) return syn.error();
  std::error_code ec;
  fs::create_directories(fs::path(cfg.out_dir) / "sheets", ec);
  if (ec) return Error{Errc::kWrite, "cannot make the folder: " + ec.message(), cfg.out_dir};
  std::vector<std::string> codes;
  for (const auto& c : rules->criteria) codes.push_back(c.code);
  const std::string criteria = fmt::format("{}", fmt::join(codes, ","));
  std::string apps = "code,org,country,project,documents\n", judges = "login,org,country,declared\n";
  std::string truth = "kind,code," + criteria + "\n";
  for (std::size_t a = 0; a < syn->apps.size(); ++a) {
    const auto& x = syn->apps[a];
    apps += fmt::format("{},{},{},{},{}\n", x.code, x.org, x.country, x.project, fmt::join(x.documents, ";"));
    truth += "application," + x.code;
    for (std::size_t c = 0; c < rules->criteria.size(); ++c)
      truth += fmt::format(",{}", evaluation::TrueScore(*syn, a, c));
    truth += "\n";
  }
  for (std::size_t j = 0; j < syn->judges.size(); ++j) {
    const auto& x = syn->judges[j];
    judges += fmt::format("{},{},{},{}\n", x.login, x.org, x.country, fmt::join(x.declared, ";"));
    truth += fmt::format("severity,{}", x.login);
    for (double b : syn->bias[j]) truth += fmt::format(",{}", syn->severity[j] + b);
    truth += "\n";
  }
  std::map<std::string, std::string> sheets;
  for (const auto& sh : syn->sheets) {
    auto& text = sheets[syn->judges[sh.judge].login];
    if (text.empty()) text = "application," + criteria + "\n";
    text += fmt::format("{},{}\n", syn->apps[sh.application].code, fmt::join(sh.scores, ","));
  }
  const fs::path dir(cfg.out_dir);
  for (auto [name, body] : {std::pair{"applications.csv", &apps}, {"judges.csv", &judges}, {"truth.csv", &truth}}) {
    if (auto ok = WriteText(dir / name, *body); !ok) return ok;
  }
  for (const auto& [login, body] : sheets) {
    if (auto ok = WriteText(dir / "sheets" / (login + ".csv"), body); !ok) return ok;
  }
  return Ok();
}

}  // namespace gpsi::engine
