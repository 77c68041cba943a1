// /api/v1/submissions (docs/api.md, "Submissions"): a member's data through review over HTTP, as
// the holder of an API token (Authorization: Bearer) or of a dashboard session (its cookie, and its
// CSRF token on every POST). Every rule (who may see, upload or act) is
// platform's, reached through the engine façade as `gpsi submission` reaches it; answers are the
// report module's JSON, the same as the CLI's --json, and never cached.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "detail/form_data.hpp"
#include "detail/front.hpp"
#include "detail/impl.hpp"
#include "report.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Fields;
using detail::PositiveId;
using detail::SendError;
using detail::SendFailure;
using detail::SendJson;

namespace {

constexpr std::string_view kBase = "/api/v1/submissions";

//! A file name for the upload's record: letters, digits, '.', '_' and '-', at most 100.
bool PlainName(const std::string& s) {
  return !s.empty() && s.size() <= 100 && s.front() != '.' && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

//! `filename` as a PlainName: its last path segment (old browsers send the whole path), each other
//! character '_'; `fallback` when nothing is left.
std::string RecordedName(const std::string& filename, const std::string& fallback) {
  std::string name = filename.substr(filename.find_last_of("/\\") + 1).substr(0, 100);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  }
  if (!name.empty() && name.front() == '.') name.front() = '_';
  return name.empty() ? fallback : name;
}

//! The form of an upload with its descriptor (multipart/form-data): a field `file`, and a field
//! `descriptor` with the TOML that reads it (docs/descriptors.md), each named as it was sent.
Status FormUpload(const Request& req, engine::UploadConfig& up) {
  auto parts = detail::ParseFormData(req.Header("content-type"), req.body);
  if (!parts) return parts.error();
  for (const auto& p : *parts) {
    if (p.name == "file") {
      up.file = RecordedName(p.filename, "upload.csv");
      up.content = std::string(p.content);
    } else if (p.name == "descriptor") {
      if (p.content.size() > detail::kBodyMax) {
        return Error{Errc::kUsage, fmt::format("the descriptor is larger than {} bytes", detail::kBodyMax)};
      }
      up.descriptor = RecordedName(p.filename, "descriptor.toml");
      up.descriptor_content = std::string(p.content);
    } else {
      return Error{Errc::kUsage, fmt::format("unknown form field '{:.60}' (known: file, descriptor)", p.name)};
    }
  }
  if (!up.content) return Error{Errc::kUsage, "the form has no field 'file'"};
  return Ok();
}

//! An upload's error, said to be the descriptor's when it is: its line is not the file's.
Error InDescriptor(Error e, const engine::UploadConfig& up) {
  if (e.code != Errc::kBadDescriptor || !up.descriptor_content) return e;
  e.message =
      fmt::format("descriptor {}{}: {}", up.descriptor, e.line > 0 ? fmt::format(" line {}", e.line) : "", e.message);
  e.line = 0;
  return e;
}

}  // namespace

bool Server::Impl::IsSubmissionsPath(const std::string& path) {
  return detail::PathSegments(path, kBase).has_value();
}

void Server::Impl::Submissions(const Request& req, Response& res) const {
  res.SetHeader("Cache-Control", "no-store");  // errors too: no answer about a member's data is kept by a cache
  const auto seg = *detail::PathSegments(req.path, kBase);
  const bool get = req.method == "GET" || req.method == "HEAD", post = req.method == "POST";
  const char* allow = seg.size() == 1 ? "GET, HEAD" : seg.empty() ? "GET, HEAD, POST" : "POST";
  const bool known = seg.size() <= 2 || (seg.size() == 3 && seg[1] == "flags");
  if (!known || (seg.size() >= 1 && !PositiveId(seg[0])) || (seg.size() == 3 && !PositiveId(seg[2]))) {
    return SendError(res, Errc::kNotFound, "no such endpoint: " + req.path);
  }
  if ((seg.size() == 1 && !get) || (seg.size() >= 2 && !post) || (seg.empty() && !get && !post)) {
    res.SetHeader("Allow", allow);
    return SendError(res, Errc::kMethodNotAllowed, req.method + " is not allowed on " + req.path);
  }
  auto token = detail::Credential(req, res, cfg.secure_cookies);
  if (!token) return;
  if (seg.empty()) return get ? ListSubmissions(req, res, *token) : UploadSubmission(req, res, *token);
  if (seg.size() == 1) return ShowSubmission(req, res, *token, *PositiveId(seg[0]));
  if (seg.size() == 2) return ActOnSubmission(req, res, *token, *PositiveId(seg[0]), seg[1]);
  CommentOnFlag(req, res, *token, *PositiveId(seg[0]), *PositiveId(seg[2]));
}

void Server::Impl::ListSubmissions(const Request& req, Response& res, const std::string& token) const {
  if (!CheckParams(req, res, {})) return;
  auto list = engine::Submissions(cfg.db_path, token);
  if (!list) return SendFailure(res, list.error());
  SendJson(res, 200, "{\"submissions\":" + report::SubmissionsJson(*list) + "}");
}

void Server::Impl::UploadSubmission(const Request& req, Response& res, const std::string& token) const {
  if (!CheckParams(req, res, {"dataset", "note", "name"})) return;
  if (req.Param("dataset").empty()) return SendError(res, Errc::kUsage, "dataset is required (a provision agreement)");
  if (req.HasParam("name") && !PlainName(req.Param("name"))) {
    return SendError(res, Errc::kUsage, "name must be a file name: letters, digits, '.', '_' and '-', at most 100");
  }
  engine::UploadConfig up;
  up.db_path = cfg.db_path, up.token = token, up.origin = req.client;
  up.dataset = req.Param("dataset"), up.note = req.Param("note");
  if (detail::IsFormData(req.Header("content-type"))) {
    if (auto ok = FormUpload(req, up); !ok) return SendFailure(res, ok.error());
  } else {
    up.file = "upload.csv";
    up.content = req.body;
  }
  if (req.HasParam("name")) up.file = req.Param("name");
  auto r = engine::Upload(up);
  if (!r) return SendFailure(res, InDescriptor(r.error(), up));
  res.SetHeader("Location", fmt::format("{}/{}", kBase, r->submission.id));
  SendJson(res, 201, report::UploadJson(*r));
}

void Server::Impl::ShowSubmission(const Request& req, Response& res, const std::string& token, std::int64_t id) const {
  if (!CheckParams(req, res, {})) return;
  auto d = engine::SubmissionDetails(cfg.db_path, token, id);
  if (!d) return SendFailure(res, d.error());
  SendJson(res, 200, report::SubmissionDetailJson(*d));
}

void Server::Impl::ActOnSubmission(const Request& req, Response& res, const std::string& token, std::int64_t id,
                                   const std::string& action) const {
  if (!CheckParams(req, res, {})) return;
  auto f = Fields(req, res, {"reason", "embargo"});
  if (!f) return;
  auto s = engine::ActOnSubmission(cfg.db_path, token, req.client, id, action, (*f)["reason"], (*f)["embargo"]);
  if (!s) return SendFailure(res, s.error());
  SendJson(res, 200, report::SubmissionJson(*s));
}

void Server::Impl::CommentOnFlag(const Request& req, Response& res, const std::string& token, std::int64_t id,
                                 std::int64_t flag) const {
  if (!CheckParams(req, res, {})) return;
  auto f = Fields(req, res, {"text"});
  if (!f) return;
  auto c = engine::CommentOnFlag(cfg.db_path, token, req.client, id, flag, (*f)["text"]);
  if (!c) return SendFailure(res, c.error());
  SendJson(res, 200, report::FlagJson(*c));
}

}  // namespace gpsi::server
