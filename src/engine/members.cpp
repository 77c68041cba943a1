// The member platform behind the engine façade: each call opens the store, runs platform's rule
// (src/platform) and returns engine types; the CLI and the HTTP server call these alone.
#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "detail/built.hpp"
#include "detail/guard.hpp"
#include "detail/holder.hpp"
#include "engine.hpp"
#include "ingest.hpp"
#include "platform.hpp"

namespace gpsi::engine {
namespace {

using detail::AccessFor;
using detail::Holder;
using detail::WithStore;

//! Fills what `held` (a HeldSubmission or a SubmissionDetail) says of its holder `who`.
template <class Held>
void Hold(const platform::Principal& who, Held& held) {
  for (auto a : platform::Actions(who, held.submission)) held.actions.emplace_back(platform::ToString(a));
  held.awaits = platform::Awaits(who, held.submission);
}

//! The descriptor an upload is read with: the member's own, or the canonical layout's; either way
//! every value is the member's source release (UploadSource), whatever the descriptor claims, and
//! the store's indicators keep their names and direction: a member's descriptor reads values, it
//! does not rename the index's indicators or turn them around (a new one gets its code alone).
Result<Descriptor> UploadDescriptor(Store& store, const UploadConfig& cfg, const std::string& path,
                                    const platform::Principal& who) {
  Descriptor d;
  if (cfg.descriptor.empty() && !cfg.descriptor_content) {
    // A file that describes itself (canonical CSV, SDMX-CSV); anything else fails at its header.
    d = SelfDescribing(path).value_or(CanonicalDescriptor(cfg.file));
  } else {
    auto loaded = cfg.descriptor_content ? ParseDescriptor(*cfg.descriptor_content, cfg.descriptor)
                                         : LoadDescriptor(cfg.descriptor);
    if (!loaded) return loaded.error();
    d = std::move(*loaded);
    // A submission holds values; reference, group and metadata layouts write other tables.
    static const std::set<std::string> kDataLayouts{"long", "wide", "gho", "owid", "canonical", "sdmx-csv"};
    if (!kDataLayouts.contains(d.layout)) {
      return Error{Errc::kUsage,
                   "a submission holds values: layout long, wide, gho, owid, canonical or sdmx-csv, not " + d.layout,
                   cfg.descriptor};
    }
  }
  // SDMX-CSV rows name their structure: an upload's must be the data set it is submitted to.
  d.sdmx_artefact = cfg.dataset;
  d.source = platform::UploadSource(who, cfg.dataset, platform::UploadRelease());
  d.sources.clear();
  std::map<std::string, Indicator> stored;
  for (auto& i : store.Indicators()) stored.emplace(i.code, std::move(i));
  for (auto& ind : d.indicators) {
    ind.source.clear();
    const auto it = stored.find(d.indicator_prefix + ind.meta.code);
    Indicator kept = it == stored.end() ? Indicator{} : it->second;
    kept.code = ind.meta.code;
    ind.meta = std::move(kept);
  }
  d.ingest = true;
  return d;
}

}  // namespace

Actor CliActor() {
  const passwd* pw = getpwuid(geteuid());
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return Actor{std::string("cli:") + (pw ? pw->pw_name : std::to_string(geteuid())), "", std::string("cli@") + host};
}

Result<std::vector<Organisation>> Organisations(const std::string& db_path) {
  return WithStore(db_path, StoreAccess::kRead, [](Store& s) -> Result<std::vector<Organisation>> { return s.Orgs(); });
}

Result<std::vector<Account>> Accounts(const std::string& db_path) {
  return WithStore(db_path, StoreAccess::kRead, [](Store& s) -> Result<std::vector<Account>> { return s.Accounts(); });
}

Result<std::vector<TokenRecord>> Tokens(const std::string& db_path) {
  return WithStore(db_path, StoreAccess::kRead,
                   [](Store& s) -> Result<std::vector<TokenRecord>> { return s.Tokens(); });
}

std::vector<std::string> RolePermissions(Role role) {
  return platform::Permissions(role);
}

Result<Actor> AdminActor(const std::string& db_path, const std::string& secret, const std::string& origin) {
  return WithStore(db_path, AccessFor(secret, StoreAccess::kRead), [&](Store& s) -> Result<Actor> {
    auto holder = Holder(s, secret, origin);
    if (!holder) return holder.error();
    if (!holder->first.Can(platform::Permission::kAdmin)) {
      return Error{Errc::kForbidden, "only an administrator manages organisations, accounts and tokens"};
    }
    return holder->second;
  });
}

Result<Organisation> AddOrganisation(const std::string& db_path, const Actor& actor, Organisation org) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) { return platform::AddOrg(s, actor, std::move(org)); });
}

Result<Organisation> ChangeOrganisation(const std::string& db_path, const Actor& actor, const std::string& key,
                                        const std::function<Status(Organisation&)>& edit) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) { return platform::ChangeOrg(s, actor, key, edit); });
}

Result<Account> AddAccount(const std::string& db_path, const Actor& actor, Account account,
                           const std::optional<std::string>& password) {
  return WithStore(db_path, StoreAccess::kWrite,
                   [&](Store& s) { return platform::AddAccount(s, actor, std::move(account), password); });
}

Result<Account> ChangeAccount(const std::string& db_path, const Actor& actor, const std::string& login,
                              const std::function<Status(Account&)>& edit, const std::optional<std::string>& password) {
  return WithStore(db_path, StoreAccess::kWrite,
                   [&](Store& s) { return platform::ChangeAccount(s, actor, login, edit, password); });
}

Result<IssuedToken> IssueToken(const std::string& db_path, const Actor& actor, const std::string& login,
                               const std::vector<std::string>& scopes, int days, const std::string& label) {
  return WithStore(db_path, StoreAccess::kWrite,
                   [&](Store& s) { return platform::IssueToken(s, actor, login, scopes, days, label); });
}

Result<TokenRecord> RevokeToken(const std::string& db_path, const Actor& actor, const std::string& suffix) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) { return platform::RevokeToken(s, actor, suffix); });
}

namespace {

//! A private file holding bytes that came over the network, so that the ingest reads them as it
//! reads any file (through /proc/self/fd/N). It never has a name on disk: O_TMPFILE (mode 0600) in
//! the temporary folder, or where a filesystem lacks it, mkstemp unlinked at once; so a server
//! killed during an upload leaves nothing behind. Closed (and so gone) when it goes out of scope.
class ScratchFile {
 public:
  static Result<std::unique_ptr<ScratchFile>> Write(std::string_view bytes) {
    std::error_code ec;
    const auto dir = std::filesystem::temp_directory_path(ec);
    if (ec) return Error{Errc::kIo, "cannot find the temporary folder for the upload"};
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
      std::string path = (dir / "gpsi-upload-XXXXXX").string();
      fd = ::mkostemp(path.data(), O_CLOEXEC);
      if (fd >= 0) ::unlink(path.c_str());
    }
    if (fd < 0) return Error{Errc::kIo, "cannot make a temporary file for the upload"};
    auto file = std::unique_ptr<ScratchFile>(new ScratchFile(fd));
    for (std::size_t done = 0; done < bytes.size();) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0) return Error{Errc::kIo, "cannot write the upload to a temporary file (is the disk full?)"};
      done += static_cast<std::size_t>(n);
    }
    return file;
  }
  ~ScratchFile() { ::close(fd_); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  //! A path that opens the file anew (at its start) for as long as this object lives.
  std::string path() const { return fmt::format("/proc/self/fd/{}", fd_); }

 private:
  explicit ScratchFile(int fd) : fd_(fd) {}
  int fd_;
};

//! Ingests the file at `path` as `who`'s draft submission, recorded (and named in errors) as cfg.file.
Result<UploadResult> IngestUpload(Store& s, const UploadConfig& cfg, const std::string& path,
                                  const platform::Principal& who, const Actor& actor) {
  auto d = UploadDescriptor(s, cfg, path, who);
  if (!d) return d.error();
  UploadResult out;
  IngestOptions options;
  options.recorded_path = cfg.file;
  options.before_commit = [&](Store& store, const FileRecord& file, const FileReport& report) {
    out.submission = platform::RecordUpload(store, actor, who, cfg.dataset, cfg.note, file, report);
  };
  out.report = IngestFile(s, path, *d, options);
  out.report.path = cfg.file;
  if (out.report.status == FileReport::Status::kRejected) {
    if (out.report.error.file == path) out.report.error.file = cfg.file;
    return out.report.error;
  }
  if (out.report.status != FileReport::Status::kIngested) {
    Error e = StoredAlreadyError(out.report.sha256);
    e.file = cfg.file;
    return e;
  }
  out.quarantine = s.Quarantine(out.submission.file_id);
  return out;
}

}  // namespace

Result<UploadResult> Upload(const UploadConfig& cfg) {
  return WithStore(cfg.db_path, StoreAccess::kWrite, [&](Store& s) -> Result<UploadResult> {
    auto holder = Holder(s, cfg.token, cfg.origin);
    if (!holder) return holder.error();
    if (auto ok = platform::CheckUpload(holder->first, cfg.dataset, cfg.note); !ok) return ok.error();
    // Bytes of the network reach the disk only once their sender may upload.
    std::unique_ptr<ScratchFile> scratch;
    if (cfg.content) {
      auto written = ScratchFile::Write(*cfg.content);
      if (!written) return written.error();
      scratch = std::move(*written);
    }
    return IngestUpload(s, cfg, scratch ? scratch->path() : cfg.file, holder->first, holder->second);
  });
}

Result<Submission> ActOnSubmission(const std::string& db_path, const std::string& token, const std::string& origin,
                                   std::int64_t id, const std::string& action, const std::string& reason,
                                   const std::string& embargo) {
  const auto a = platform::ParseSubmissionAction(action);
  if (!a) {
    return Error{Errc::kUsage,
                 fmt::format("'{}' is not a review step: submit, approve, accept, publish, return or revise", action)};
  }
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) -> Result<Submission> {
    auto holder = Holder(s, token, origin);
    if (!holder) return holder.error();
    return platform::Act(s, holder->second, holder->first, id, platform::Step{*a, reason, embargo});
  });
}

Result<std::vector<HeldSubmission>> Submissions(const std::string& db_path, const std::string& token) {
  return WithStore(db_path, AccessFor(token, StoreAccess::kRead), [&](Store& s) -> Result<std::vector<HeldSubmission>> {
    auto who = platform::Authenticate(s, token, NowUtc());
    if (!who) return who.error();
    std::vector<HeldSubmission> out;
    for (auto& sub : platform::VisibleSubmissions(s, *who)) {
      out.push_back(HeldSubmission{std::move(sub), {}, false});
      Hold(*who, out.back());
    }
    return out;
  });
}

Result<SubmissionDetail> SubmissionDetails(const std::string& db_path, const std::string& token, std::int64_t id) {
  return WithStore(db_path, AccessFor(token, StoreAccess::kRead), [&](Store& s) -> Result<SubmissionDetail> {
    auto who = platform::Authenticate(s, token, NowUtc());
    if (!who) return who.error();
    auto sub = platform::FindVisible(s, *who, id);
    if (!sub) return sub.error();
    SubmissionDetail out;
    out.submission = *sub, out.rows = s.FileObservations(sub->file_id), out.quarantine = s.Quarantine(sub->file_id);
    out.flags = s.Flags(id);
    Hold(*who, out);
    out.comments = platform::MayComment(*who, *sub).ok();
    out.references = platform::ReferenceValues(s, out.rows);
    const std::string target = fmt::format("submission:{}", id);
    s.AuditEntries(1, [&](const AuditEntry& e) {
      if (e.target == target) out.trail.push_back(e);
    });
    return out;
  });
}

Result<SubmissionFlag> CommentOnFlag(const std::string& db_path, const std::string& token, const std::string& origin,
                                     std::int64_t id, std::int64_t flag, const std::string& text) {
  return WithStore(db_path, StoreAccess::kWrite, [&](Store& s) -> Result<SubmissionFlag> {
    auto holder = Holder(s, token, origin);
    if (!holder) return holder.error();
    return platform::CommentFlag(s, holder->second, holder->first, id, flag, text);
  });
}

Result<IssuedSession> Login(const std::string& db_path, const std::string& origin, const std::string& login,
                            const std::string& password) {
  return WithStore(db_path, StoreAccess::kWrite,
                   [&](Store& s) { return platform::Login(s, origin, login, password, std::time(nullptr)); });
}

Status Logout(const std::string& db_path, const std::string& origin, const std::string& secret) {
  return WithStore(db_path, StoreAccess::kWrite,
                   [&](Store& s) { return platform::Logout(s, origin, secret, std::time(nullptr)); });
}

Result<Identity> WhoIs(const std::string& db_path, const std::string& secret) {
  return WithStore(db_path, AccessFor(secret, StoreAccess::kRead), [&](Store& s) -> Result<Identity> {
    auto who = platform::Authenticate(s, secret, NowUtc());
    if (!who) return who.error();
    Identity out{std::move(who->account), std::move(who->org), {}, std::move(who->expires)};
    out.account.password.clear();
    for (auto p : who->permissions) out.permissions.emplace_back(platform::ToString(p));
    return out;
  });
}

std::string CsrfToken(const std::string& session) {
  return platform::CsrfToken(session);
}

bool CsrfMatches(const std::string& session, const std::string& token) {
  return platform::SameSecret(platform::CsrfToken(session), token);
}

Result<AuditCheck> VerifyAuditLog(const std::string& db_path, const std::string& expect_head) {
  return WithStore(db_path, StoreAccess::kRead, [&](Store& s) { return platform::VerifyAudit(s, expect_head); });
}

Result<std::vector<AuditEntry>> AuditLog(const std::string& db_path, std::int64_t from, const std::string& target) {
  return WithStore(db_path, StoreAccess::kRead, [&](Store& s) -> Result<std::vector<AuditEntry>> {
    std::vector<AuditEntry> out;
    s.AuditEntries(from, [&](const AuditEntry& e) {
      if (target.empty() || e.target == target) out.push_back(e);
    });
    return out;
  });
}

}  // namespace gpsi::engine
