// gpsi events: the façade over IngestEvents (store opening, period option, CSV output).
#include <fstream>

#include <fmt/format.h>

#include "detail/built.hpp"
#include "detail/guard.hpp"
#include "engine.hpp"

namespace gpsi::engine {

Result<EventsReport> Events(const EventsConfig& cfg) {
  return detail::Guarded([&]() -> Result<EventsReport> {
    if (cfg.period != "year" && cfg.period != "month") {
      return Error{Errc::kUsage, fmt::format("--period must be year or month, not '{}'", cfg.period)};
    }
    auto store = Open(cfg.db_path);
    if (!store) return store.error();
    EventsOptions options;
    options.paths = cfg.paths;
    options.monthly = cfg.period == "month";
    auto report = IngestEvents(**store, options);
    if (!report) return report;
    if (!cfg.out.empty()) {
      std::ofstream out(cfg.out, std::ios::binary);
      out << EventsCsv(*report);
      out.close();
      if (!out) return Error{Errc::kWrite, "cannot write the CSV output", cfg.out};
    }
    return report;
  });
}

}  // namespace gpsi::engine
