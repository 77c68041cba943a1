// engine::Update: `gpsi update` over the store (the adapters live in the ingest module).
#include <fmt/format.h>

#include "detail/built.hpp"
#include "detail/guard.hpp"
#include "engine.hpp"

namespace gpsi::engine {

Result<std::vector<UpdateReport>> Update(const UpdateConfig& cfg) {
  return detail::Guarded([&]() -> Result<std::vector<UpdateReport>> {
    for (const auto& name : cfg.options.only) {
      bool known = false;
      for (const auto& a : UpdateAdapters()) known = known || a.name == name || a.group == name;
      if (!known) return Error{Errc::kUsage, fmt::format("--only: unknown source '{}'", name)};
    }
    auto store = Open(cfg.db_path);
    if (!store) return store.error();
    UpdateOptions o = cfg.options;
    if (o.descriptor_dir.empty()) o.descriptor_dir = ProjectDataDir() + "/descriptors";
    return RunUpdate(**store, o);
  });
}

}  // namespace gpsi::engine
