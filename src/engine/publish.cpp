// What `gpsi serve` publishes (engine::Publish): the nominal build, the store's units and
// sources, every stored value the method reads with its provenance, and the Monte Carlo rank
// intervals of `gpsi uncertainty`, the forecasts of `gpsi forecast` and the warnings of `gpsi warn`,
// computed in memory.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "detail/built.hpp"
#include "detail/guard.hpp"
#include "detail/montecarlo.hpp"
#include "engine.hpp"

namespace gpsi::engine {
namespace {

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

//! Stored codes the method's indicators read: `reads` or `sum`, GTI components, fallback series
//! and denominators.
std::vector<std::string> ReadCodes(const method::Method& m) {
  std::set<std::string> codes;
  for (const auto& n : m.nodes) {
    if (!n.indicator) continue;
    for (auto& c : n.Codes()) codes.insert(std::move(c));
  }
  return {codes.begin(), codes.end()};
}

//! The validation.json of a `gpsi validate` folder, checked to be of the version published.
Result<std::string> ReadValidation(const std::string& dir, const method::Method& m) {
  const std::string path = (std::filesystem::path(dir) / "validation.json").string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Errc::kIo, "no validation.json (run gpsi validate --out DIR first)", path};
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("method_version")) {
    return Error{Errc::kBadHeader, "not a validation.json of gpsi validate", path};
  }
  if (j["method_version"] != m.version) {
    return Error{
        Errc::kUsage,
        fmt::format("validation.json validates method version {}, the server publishes {}: rerun gpsi validate",
                    j["method_version"].dump(), m.version),
        path};
  }
  return ss.str();
}

//! Whether a forecast or warning failure means "this method cannot be forecast" (published as a
//! note, the index still served) rather than a failure of the machine (which ends the start).
bool MethodCannot(const Error& e) {
  return e.code == Errc::kUsage || e.code == Errc::kUncomputable;
}

//! What gpsi forecast and gpsi warn would write, in memory, with the same draws and seed.
Status PublishOutlook(const PublishConfig& cfg, Published& p) {
  const auto t0 = std::chrono::steady_clock::now();
  ForecastConfig fc;
  fc.build = cfg.build;
  fc.build.out_dir.clear();
  fc.draws = cfg.forecast_draws, fc.seed = cfg.seed, fc.threads = cfg.threads;
  if (auto f = Forecast(fc)) {
    p.forecast = std::move(*f);
  } else if (MethodCannot(f.error())) {
    p.forecast_note = f.error().message;
  } else {
    return f.error();
  }
  WarnConfig wc;
  wc.build = fc.build;
  wc.draws = fc.draws, wc.seed = fc.seed, wc.threads = fc.threads;
  if (auto w = Warn(wc)) {
    p.warnings = std::move(*w);
  } else if (MethodCannot(w.error())) {
    p.warnings_note = w.error().message;
  } else {
    return w.error();
  }
  p.forecast_draws = cfg.forecast_draws, p.forecast_seed = cfg.seed;
  p.forecast_seconds = Since(t0);
  return Ok();
}

//! The country risk sheets of cfg.risk_method, with the index just published as their baseline.
Status PublishRisk(const PublishConfig& cfg, Published& p) {
  RiskConfig rc;
  rc.build = BuildConfig{cfg.build.db_path, cfg.risk_method};
  rc.draws = cfg.forecast_draws, rc.seed = cfg.seed, rc.threads = cfg.threads;
  auto sheets = CountryRisks(rc);
  if (!sheets) {
    if (!MethodCannot(sheets.error()) && sheets.error().code != Errc::kNotFound) return sheets.error();
    p.risk_note = sheets.error().message;
    return Ok();
  }
  AttachIndex(*sheets, p.build, p.intervals,
              p.warnings ? std::span<const Warning>(p.warnings->warnings) : std::span<const Warning>());
  p.risk = std::move(*sheets);
  return Ok();
}

}  // namespace

Result<Published> Publish(const PublishConfig& cfg) {
  return detail::Guarded([&]() -> Result<Published> {
    Published p;
    BuildConfig bc = cfg.build;
    bc.out_dir.clear();
    auto t0 = std::chrono::steady_clock::now();
    auto built = detail::BuildIndex(bc);
    if (!built) return built.error();
    p.build = detail::View(std::move(*built));
    const detail::Built& b = *p.build.built;
    p.build_seconds = Since(t0);

    auto store = OpenExisting(bc.db_path);
    if (!store) return store.error();
    p.units = (*store)->Units();
    p.sources = (*store)->Sources();
    CellFilter f;
    f.indicators = ReadCodes(b.method);
    if (b.has_years && !b.row_year.empty()) {
      auto [lo, hi] = std::minmax_element(b.row_year.begin(), b.row_year.end());
      f.year_from = *lo, f.year_to = *hi;
      // A value carried from a lead-in year was read there: its record is published too.
      // So is every record a window or score was made from.
      const Panel& panel = p.build.panel;
      for (std::size_t r = 0; r < panel.rows(); ++r) {
        for (std::size_t c = 0; c < panel.cols(); ++c) {
          const CellOrigin& o = panel.origin(r, c);
          if (o.stored) f.year_from = std::min(f.year_from, o.year);
          for (const CellRecord& rec : o.records) f.year_from = std::min(f.year_from, rec.year);
        }
      }
    }
    if (!f.indicators.empty()) {
      // Observations come grouped by cell in resolution order: the first of a cell is the chosen one.
      (*store)->Observations(f, [&](const ResolvedValue& r) {
        const ResolvedValue* prev = p.values.empty() ? nullptr : &p.values.back().value;
        bool first = !prev || prev->unit != r.unit || prev->indicator != r.indicator || prev->year != r.year;
        p.values.push_back(PublishedValue{r, first});
      });
    }
    store->reset();
    if (!cfg.validation.empty()) {
      auto v = ReadValidation(cfg.validation, b.method);
      if (!v) return v.error();
      p.validation_json = std::move(*v);
    }

    if (cfg.intervals > 0 && !b.method.uncertainty.empty()) {
      auto t1 = std::chrono::steady_clock::now();
      UncertaintyConfig uc;
      uc.build = bc;
      uc.samples = cfg.intervals;
      uc.seed = cfg.seed;
      uc.threads = cfg.threads;
      auto sum = detail::RunUncertainty(uc, &b, &p.intervals);
      if (!sum) return sum.error();
      p.interval_samples = cfg.intervals;
      p.interval_seed = cfg.seed;
      p.interval_seconds = Since(t1);
    }
    if (cfg.forecast_draws > 0) {
      if (auto st = PublishOutlook(cfg, p); !st) return st.error();
    } else {
      p.forecast_note = p.warnings_note = "none computed (gpsi serve --forecast-draws 0)";
    }
    if (!cfg.risk_method.empty()) {
      if (auto st = PublishRisk(cfg, p); !st) return st.error();
    } else {
      p.risk_note = "none computed (gpsi serve without --risk-method)";
    }
    return p;
  });
}

}  // namespace gpsi::engine
