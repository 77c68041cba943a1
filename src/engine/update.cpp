// engine::Update: `gpsi update` over the store (the adapters live in the ingest module).
#include "engine.hpp"

namespace gpsi::engine {

Result<std::vector<UpdateReport>> Update(const UpdateConfig& cfg) {
  try {  // nothing throws across the façade: a Failure below becomes this Result
    auto store = Open(cfg.db_path);
    if (!store) return store.error();
    UpdateOptions o = cfg.options;
    if (o.descriptor_dir.empty()) o.descriptor_dir = ProjectDataDir() + "/descriptors";
    return RunUpdate(**store, o);
  } catch (const Failure& f) {
    return f.error();
  }
}

}  // namespace gpsi::engine
