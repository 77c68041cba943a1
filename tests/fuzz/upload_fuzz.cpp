// Fuzz target: a member's upload (engine::Upload, canonical CSV) and the platform's other inputs
// from outside: an API token and an audit-log head. The first input byte picks what the rest is
// (b % 3: 0 a file to upload, 1 a token, 2 an --expect-head). Invariants: an upload either stores
// one draft submission of the member's own rows with one audit entry, or nothing at all; a token
// that is not the member's never authenticates; a head is either checked or a usage error; the
// audit log always verifies.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine.hpp"

namespace {

namespace fs = std::filesystem;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "platform invariant violated: %s\n", what);
    std::abort();
  }
}

struct Env {
  std::string dir, template_db, work_db, input, token;
  std::int64_t entries = 0;
};

// A store with the ISO 3166 reference, one member (us-fbi: USA, data set CRIME = homicide_rate) and
// its submitter's token; copied afresh for every input.
const Env& GetEnv() {
  static const Env env = [] {
    Env e;
    std::string pattern = (fs::temp_directory_path() / "gpsi-fuzz-upload-XXXXXX").string();
    Check(::mkdtemp(pattern.data()) != nullptr, "mkdtemp");
    e.dir = pattern, e.template_db = e.dir + "/template.db", e.work_db = e.dir + "/work.db";
    e.input = e.dir + "/upload.csv";
    Check(gpsi::engine::Init(gpsi::engine::InitConfig{e.template_db, e.dir + "/no-shared-data"}).ok(), "init");
    const gpsi::Actor admin{"cli:fuzz", "", "cli@fuzz"};
    gpsi::Organisation org;
    org.key = "us-fbi", org.name_en = "FBI", org.kind = gpsi::OrgKind::kGovernment, org.tier = -1;
    org.countries = {"USA"}, org.agreements = {{"CRIME", {"homicide_rate"}}};
    Check(gpsi::engine::AddOrganisation(e.template_db, admin, org).ok(), "org");
    gpsi::Account alice;
    alice.login = "alice", alice.org = "us-fbi", alice.role = gpsi::Role::kMemberSubmitter;
    Check(gpsi::engine::AddAccount(e.template_db, admin, alice, std::nullopt).ok(), "user");
    auto token = gpsi::engine::IssueToken(e.template_db, admin, "alice", {}, 30, "fuzz");
    Check(token.ok(), "token");
    e.token = token->secret;
    e.entries = gpsi::engine::VerifyAuditLog(e.template_db)->entries;
    return e;
  }();
  return env;
}

void Fresh(const Env& e) {
  std::error_code ec;
  fs::remove_all(e.work_db + ".blobs", ec);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(e.work_db + suffix, ec);
  fs::copy_file(e.template_db, e.work_db, fs::copy_options::overwrite_existing);
}

void Upload(const Env& e, const std::string& text) {
  std::ofstream(e.input, std::ios::binary) << text;
  gpsi::engine::UploadConfig cfg{e.work_db, e.token, "fuzz", e.input, "CRIME", "", "fuzz"};
  auto r = gpsi::engine::Upload(cfg);
  auto seen = gpsi::engine::Submissions(e.work_db, e.token);
  Check(seen.ok(), "the member lists its submissions");
  auto audit = gpsi::engine::VerifyAuditLog(e.work_db);
  Check(audit.ok() && audit->ok, "the audit log verifies");
  if (!r) {
    Check(seen->empty(), "a refused upload leaves no submission");
    Check(audit->entries == e.entries, "a refused upload leaves no audit entry");
    return;
  }
  Check(seen->size() == 1 && seen->front().submission.state == gpsi::SubmissionState::kDraft, "one draft");
  Check(audit->entries == e.entries + 1, "one audit entry per upload");
  auto detail = gpsi::engine::SubmissionDetails(e.work_db, e.token, seen->front().submission.id);
  Check(detail.ok(), "the member reads its submission");
  for (const auto& row : detail->rows) {
    Check(row.unit == "USA" && row.indicator == "homicide_rate" && row.tier == 2, "only the member's own rows");
  }
  Check(static_cast<std::int64_t>(detail->rows.size()) == r->report.accepted, "rows as reported");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Env& e = GetEnv();
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  Fresh(e);
  switch (data[0] % 3) {
    case 0: Upload(e, rest); break;
    case 1: {
      auto r = gpsi::engine::Submissions(e.work_db, rest);
      Check(rest == e.token ? r.ok() : (!r.ok() && r.error().code == gpsi::Errc::kUnauthorized),
            "only the member's token authenticates");
      break;
    }
    default: {
      auto r = gpsi::engine::VerifyAuditLog(e.work_db, rest);
      Check(r.ok() || r.error().code == gpsi::Errc::kUsage, "a head is checked or a usage error");
      Check(!r.ok() || r.value().entries == e.entries, "the whole log is read");
      break;
    }
  }
  return 0;
}
