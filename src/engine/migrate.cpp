// gpsi migrate --to: one store copied into another, its rows through Store::ReadRows/AppendRows
// (CopyStore verifies them), its raw bytes as files.
#include <fmt/format.h>

#include <filesystem>

#include "detail/built.hpp"
#include "detail/guard.hpp"

namespace gpsi::engine {
namespace {

namespace fs = std::filesystem;

//! Copies the content-addressed raw files (<2 hex>/<sha256>) of `from` into `to`; a file already
//! there with the same size is the same bytes (its name is their hash) and is kept.
Status CopyBlobs(const std::string& from, const std::string& to, MigrateReport& out) {
  std::error_code ec;
  if (!fs::is_directory(from, ec)) return Ok();
  for (const auto& e : fs::recursive_directory_iterator(from, ec)) {
    if (!e.is_regular_file(ec) || e.path().filename().string().size() != 64) continue;
    const fs::path target = fs::path(to) / fs::relative(e.path(), from, ec);
    if (fs::exists(target, ec) && fs::file_size(target, ec) == e.file_size(ec)) continue;
    fs::create_directories(target.parent_path(), ec);
    if (!fs::copy_file(e.path(), target, fs::copy_options::overwrite_existing, ec) ||
        fs::file_size(target, ec) != e.file_size()) {
      return Error{Errc::kIo, fmt::format("cannot copy the raw file to {}: {}", target.string(), ec.message()),
                   e.path().string()};
    }
    ++out.blobs;
    out.blob_bytes += static_cast<std::int64_t>(e.file_size());
  }
  if (ec) return Error{Errc::kIo, fmt::format("cannot read the raw files: {}", ec.message()), from};
  return Ok();
}

}  // namespace

Result<MigrateReport> MigrateStore(const MigrateConfig& cfg) {
  return detail::Guarded([&]() -> Result<MigrateReport> {
    auto from = OpenExisting(cfg.from, StoreAccess::kRead);
    if (!from) return from.error();
    auto to = OpenStore(cfg.to);
    if (!to) return to.error();
    if (Status s = (*to)->Migrate(); !s) return s.error();
    // A copy carries every member's rows, published or not.
    (*from)->SetMember("*");
    (*to)->SetMember("*");
    auto tables = CopyStore(**from, **to);
    if (!tables) return tables.error();
    MigrateReport out;
    out.from = ShownLocation(cfg.from), out.to = ShownLocation(cfg.to);
    for (auto& t : *tables) out.tables.push_back(MigratedTable{std::move(t.table), t.rows, std::move(t.sha256)});
    out.blob_dir = (*to)->BlobDir();
    if (Status s = CopyBlobs((*from)->BlobDir(), out.blob_dir, out); !s) return s.error();
    return out;
  });
}

}  // namespace gpsi::engine
