// The HTTP API of docs/api.md, answer side: routing, and for every answer: strong ETags with
// If-None-Match → 304, gzip, a bounded cache of GET answers by URL, and the static files of --web.
// The endpoints are in api_*.cpp; sockets, framing and limits in detail/network.cpp.
#include "server.hpp"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <shared_mutex>
#include <sstream>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "detail/impl.hpp"
#include "detail/network.hpp"

namespace gpsi::server {

using detail::Lower;
using detail::SendError;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kGzipMin = 1024;             // smaller answers are sent as they are
constexpr std::size_t kCacheBytes = 256u << 20;    // the response cache: total body bytes …
constexpr std::size_t kCacheEntries = 4096;        // … and answers
constexpr std::size_t kCacheEntryMax = 32u << 20;  // larger answers are never cached
constexpr std::uint64_t kStreamMin = 8u << 20;     // static files from this size are streamed from disk

//! One 200 answer as sent: the body, its gzip form (empty when not smaller or not worth it) and
//! a strong ETag for each (the sha256 of the body; the gzip form's is marked, since its bytes differ).
struct Answer {
  std::string content_type;
  std::vector<std::pair<std::string, std::string>>
      headers;  // the handler's other headers (Content-Disposition), Cache-Control
  std::string body, gzip;
  std::string etag, gzip_etag;
  std::string validator;  // static files: the file's mtime and size when read
  bool varies = false;    // a gzip form is sent to clients that take it (Vary: Accept-Encoding)
  std::size_t Bytes() const { return body.size() + gzip.size(); }
};

bool Compressible(const std::string& content_type) {
  const std::string t = content_type.substr(0, content_type.find(';'));
  return t.rfind("text/", 0) == 0 || t == "application/json" || t == "application/javascript" || t == "image/svg+xml" ||
         t == "application/xml";
}

//! gzip (RFC 1952) of `in` at zlib's default level; empty on failure.
std::string Gzip(const std::string& in) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string();
}

//! Whether an Accept-Encoding value takes gzip: listed (or `*`) without q=0 (RFC 9110 12.5.3).
bool AcceptsGzip(const std::string& value) {
  std::optional<bool> gzip, any;
  std::stringstream ss(value);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::string_view it = Trim(item);
    std::string coding = Lower(Trim(it.substr(0, it.find(';'))));
    bool ok = true;
    if (auto q = it.find(";"); q != std::string_view::npos) {
      std::string params = Lower(it.substr(q + 1));
      params.erase(std::remove(params.begin(), params.end(), ' '), params.end());
      if (params.rfind("q=", 0) == 0) {
        double v = 1;
        auto r = std::from_chars(params.data() + 2, params.data() + params.size(), v);
        ok = r.ec != std::errc() || v > 0;
      }
    }
    if (coding == "gzip" || coding == "x-gzip") gzip = ok;
    if (coding == "*") any = ok;
  }
  return gzip.value_or(any.value_or(false));
}

//! Whether If-None-Match lists `etag` (weak comparison, as RFC 9110 13.1.2 asks) or is `*`.
bool NoneMatch(const Request& req, const std::string& etag) {
  for (const auto& [name, value] : req.headers) {
    if (name != "if-none-match") continue;
    std::stringstream ss(value);
    std::string item;
    while (std::getline(ss, item, ',')) {
      std::string_view t = Trim(item);
      if (t == "*") return true;
      if (t.rfind("W/", 0) == 0) t.remove_prefix(2);
      if (t == etag) return true;
    }
  }
  return false;
}

//! Whether the client takes gzip: every Accept-Encoding value, as one list.
bool TakesGzip(const Request& req) {
  std::string accept;
  for (const auto& [name, value] : req.headers) {
    if (name == "accept-encoding") accept += value + ",";
  }
  return AcceptsGzip(accept);
}

//! Makes the Answer of the response a handler has just filled (status unset or 200); `all` makes
//! the gzip form even when this client does not take it (the answer is to be cached).
std::shared_ptr<Answer> MakeAnswer(Response& res, bool etag, bool all, bool gzip) {
  auto a = std::make_shared<Answer>();
  a->content_type = res.Header("Content-Type");
  for (auto& h : res.headers) {
    if (h.first != "Content-Type" && h.first != "Content-Length") a->headers.emplace_back(h.first, h.second);
  }
  a->body = std::move(res.body);
  if (Compressible(a->content_type) && a->body.size() > kGzipMin && (all || gzip)) {
    a->gzip = Gzip(a->body);
    if (a->gzip.size() >= a->body.size()) a->gzip.clear();
  }
  // Without `all`, a client that does not take gzip gets no gzip form, but one that does would.
  a->varies = !a->gzip.empty() || (!all && Compressible(a->content_type) && a->body.size() > kGzipMin);
  if (etag) {
    std::string sha = Sha256Hex(a->body);
    a->etag = "\"" + sha + "\"";
    if (!a->gzip.empty()) a->gzip_etag = "\"" + sha + "-gzip\"";
  }
  return a;
}

//! Sends an Answer: the gzip form when the client takes it, 304 when If-None-Match has its ETag.
//! The body is not copied: the response holds the answer, which may be the cache's.
void Send(const std::shared_ptr<const Answer>& a, const Request& req, Response& res) {
  const bool gz = !a->gzip.empty() && TakesGzip(req);
  const std::string& etag = gz ? a->gzip_etag : a->etag;
  res = Response();
  if (a->varies) res.SetHeader("Vary", "Accept-Encoding");
  for (const auto& h : a->headers) {
    if (h.first == "Cache-Control") res.SetHeader(h.first, h.second);
  }
  if (!res.HasHeader("Cache-Control")) res.SetHeader("Cache-Control", "no-cache");
  detail::SetSecurityHeaders(res);
  if (!etag.empty()) {
    res.SetHeader("ETag", etag);
    if (NoneMatch(req, etag)) {
      res.status = 304;
      return;
    }
  }
  res.status = 200;
  for (const auto& h : a->headers) {
    if (h.first != "Cache-Control") res.SetHeader(h.first, h.second);
  }
  res.SetHeader("Content-Type", a->content_type);
  res.hold = a;
  res.view = gz ? a->gzip : a->body;
  if (gz) res.SetHeader("Content-Encoding", "gzip");
}

}  // namespace

//! The transport's state: the response cache, the static root and the network.
struct Server::Impl::Transport {
  std::unique_ptr<detail::Network> network;
  std::atomic<bool> listening{false}, done{false};
  // GET answers by request target (or "file:" + path for static files), first in first out.
  std::shared_mutex mu;
  std::unordered_map<std::string, std::shared_ptr<const Answer>> cache;
  std::deque<std::string> order;
  std::size_t bytes = 0;
  fs::path web_root;      // canonical; empty = no --web
  std::string web_error;  // why --web cannot be served (reported by Bind)

  std::shared_ptr<const Answer> Find(const std::string& key) {
    std::shared_lock lock(mu);
    auto it = cache.find(key);
    return it == cache.end() ? nullptr : it->second;
  }
  void Put(const std::string& key, std::shared_ptr<const Answer> a) {
    if (a->Bytes() > kCacheEntryMax) return;
    std::unique_lock lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) {
      bytes -= it->second->Bytes();
      it->second = a;
    } else {
      cache.emplace(key, a);
      order.push_back(key);
    }
    bytes += a->Bytes();
    while ((bytes > kCacheBytes || cache.size() > kCacheEntries) && !order.empty()) {
      auto old = cache.find(order.front());
      if (old != cache.end()) {
        bytes -= old->second->Bytes();
        cache.erase(old);
      }
      order.pop_front();
    }
  }

  //! The file of DIR a (decoded) request path names, or nullopt: no `..` or dot-file segment, and the file,
  //! symbolic links resolved, must lie under DIR; a folder stands for its index.html.
  std::optional<fs::path> Resolve(const std::string& path) const {
    if (web_root.empty() || path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) {
      return std::nullopt;
    }
    fs::path rel;
    std::stringstream ss(path);
    std::string seg;
    while (std::getline(ss, seg, '/')) {
      if (seg.empty() || seg == ".") continue;
      if (seg == ".." || seg[0] == '.') return std::nullopt;  // no parent, no dotfiles (.git, .env)
      rel /= seg;
    }
    std::error_code ec;
    fs::path p = fs::weakly_canonical(web_root / rel, ec);
    if (!ec && fs::is_directory(p, ec)) p = fs::weakly_canonical(p / "index.html", ec);
    if (ec) return std::nullopt;
    auto [r, q] = std::mismatch(web_root.begin(), web_root.end(), p.begin(), p.end());
    if (r != web_root.end()) return std::nullopt;
    if (!fs::is_regular_file(p, ec)) return std::nullopt;
    return p;
  }

  //! Finishes a handler's 200 answer: ETag (GET) and gzip, kept in the cache under `key` if given.
  void Finish(const Request& req, Response& res, bool etag, const std::string& key) {
    if (res.status != 0 && res.status != 200) return;  // errors go as they are
    auto a = MakeAnswer(res, etag, !key.empty(), TakesGzip(req));
    if (!key.empty()) Put(key, a);
    Send(a, req, res);
  }
};

namespace {

std::string ContentType(const fs::path& p) {
  static const std::map<std::string, std::string> kTypes{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".csv", "text/csv; charset=utf-8"},
      {".xml", "application/xml"},
      {".wasm", "application/wasm"},
      {".webmanifest", "application/manifest+json"},
  };
  auto it = kTypes.find(Lower(p.extension().string()));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace

void Server::Impl::Static(const Request& req, Response& res) const {
  auto file = transport->Resolve(req.path);
  if (req.path.rfind("/api/", 0) == 0 || !file) {
    return SendError(res, Errc::kNotFound, "no such endpoint: " + req.path);
  }
  std::error_code ec;
  auto size = fs::file_size(*file, ec);
  auto mtime = fs::last_write_time(*file, ec);
  if (ec) return SendError(res, Errc::kNotFound, "no such endpoint: " + req.path);
  // Files may change while serving (a dashboard rebuilt in place): a cached copy is used only
  // while the file's mtime and size are those it was read with.
  std::string validator = fmt::format("{}-{}", mtime.time_since_epoch().count(), size);
  if (size >= kStreamMin) return StreamFile(*file, size, validator, req, res);
  std::string key = "file:" + file->string();
  if (auto hit = transport->Find(key); hit && hit->validator == validator) return Send(hit, req, res);
  std::ifstream in(*file, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return SendError(res, Errc::kIo, "cannot read " + req.path);
  res.body = std::move(body);
  res.SetHeader("Content-Type", ContentType(*file));
  auto a = MakeAnswer(res, true, true, TakesGzip(req));
  a->validator = validator;
  transport->Put(key, a);
  Send(a, req, res);
}

void Server::Impl::StreamFile(const fs::path& file, std::uint64_t size, const std::string& validator,
                              const Request& req, Response& res) const {
  // A weak ETag: mtime and size name the version without hashing the whole file (RFC 9110 8.8.1).
  std::string etag = "W/\"" + validator + "\"";
  detail::SetSecurityHeaders(res);
  res.SetHeader("Cache-Control", "no-cache");
  res.SetHeader("ETag", etag);
  if (NoneMatch(req, etag.substr(2))) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.SetHeader("Content-Type", ContentType(file));
  res.file = file.string();
  res.file_size = size;
}

//! A GET endpoint: its handler, and whether its answers are kept in the response cache (a GET
//! answer depends only on its URL and the data published at startup; /runs reads the store, which
//! a build may add to meanwhile).
struct Server::Impl::Endpoint {
  void (Impl::*handler)(const Request&, Response&) const;
  bool cached;
};

const std::map<std::string, Server::Impl::Endpoint, std::less<>>& Server::Impl::Endpoints() {
  static const std::map<std::string, Endpoint, std::less<>> kEndpoints{
      {"/api/v1/health", {&Impl::Health, true}},
      {"/api/v1/units", {&Impl::Units, true}},
      {"/api/v1/scores", {&Impl::Scores, true}},
      {"/api/v1/runs", {&Impl::Runs, false}},
      {"/api/v1/meta", {&Impl::Meta, true}},
      {"/api/v1/units/", {&Impl::Profile, true}},
      {"/api/v1/compare", {&Impl::Compare, true}},
      {"/api/v1/download/", {&Impl::Download, true}},
      {"/api/v1/openapi.json", {&Impl::OpenApi, true}},
      {"/api/v1/validation", {&Impl::Validation, true}},
      {"/api/v1/forecasts", {&Impl::Forecasts, true}},
      {"/api/v1/warnings", {&Impl::Warnings, true}},
      {"/api/v1/reports/", {&Impl::Reports, true}},
      {"/api/v1/risk/countries", {&Impl::RiskCountries, true}},
      {"/api/v1/risk/countries/", {&Impl::RiskCountry, true}},
  };
  return kEndpoints;
}

const Server::Impl::Endpoint* Server::Impl::FindEndpoint(const std::string& path, std::string& match) {
  const auto& kEndpoints = Endpoints();
  if (auto it = kEndpoints.find(path); it != kEndpoints.end() && path.back() != '/') return &it->second;
  for (std::string_view prefix : {"/api/v1/units/", "/api/v1/download/", "/api/v1/risk/countries/"}) {
    if (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
        path.find('/', prefix.size()) == std::string::npos) {
      match = path.substr(prefix.size());
      return &kEndpoints.find(prefix)->second;
    }
  }
  // /api/v1/reports/{lang} and /api/v1/reports/{lang}/profiles/{ISO3}: the handler reads the rest.
  static const std::regex kReport(R"(/api/v1/reports/[^/]+(/profiles/[^/]+)?)");
  if (std::regex_match(path, kReport)) {
    match = path.substr(std::string_view("/api/v1/reports/").size());
    return &kEndpoints.find("/api/v1/reports/")->second;
  }
  return nullptr;
}

void Server::Impl::Route(Request& req, Response& res) const {
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (req.path == "/api/v1/whatif") {
    if (req.method == "POST") {
      WhatIf(req, res);
      return transport->Finish(req, res, false, std::string());
    }
    res.SetHeader("Allow", "POST");
    return SendError(res, Errc::kMethodNotAllowed, req.method + " is not allowed on " + req.path);
  }
  // The member endpoints, never cached (a member's data, campaigns, project sheets, accounts and tokens); a refusal
  // names in the access log whom it refused.
  if (const bool submissions = IsSubmissionsPath(req.path), campaigns = IsCampaignsPath(req.path),
      projects = IsRiskProjectsPath(req.path);
      submissions || campaigns || projects || req.path == "/api/v1/session" || IsAdminPath(req.path)) {
    if (submissions) {
      Submissions(req, res);
    } else if (campaigns) {
      Campaigns(req, res);
    } else if (projects) {
      RiskProjects(req, res);
    } else if (req.path == "/api/v1/session") {
      Session(req, res);
    } else {
      Admin(req, res);
    }
    res.account = detail::RefusedAs(cfg.db_path, req, res, cfg.secure_cookies);
    return;
  }
  if (const Endpoint* ep = FindEndpoint(req.path, req.match)) {
    if (get) {
      (this->*ep->handler)(req, res);
      return transport->Finish(req, res, true, ep->cached ? req.target : std::string());
    }
  } else if (get) {
    return Static(req, res);  // a file of --web, or 404
  } else if (req.path.rfind("/api/", 0) == 0 || !transport->Resolve(req.path)) {
    return SendError(res, Errc::kNotFound, "no such endpoint: " + req.path);
  }
  res.SetHeader("Allow", "GET, HEAD");
  SendError(res, Errc::kMethodNotAllowed, req.method + " is not allowed on " + req.path);
}

bool Server::Impl::Quick(const Request& req, Response& res) const {
  if ((req.method != "GET" && req.method != "HEAD") || req.path.rfind("/api/", 0) != 0) return false;
  auto hit = transport->Find(req.target);
  if (!hit) return false;
  Send(hit, req, res);
  return true;
}

Server::Server(ServeConfig cfg, engine::Published published) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = std::move(cfg);
  impl_->Publish(std::move(published));  // publish.cpp
  impl_->PrepareWhatIf();                // api_whatif.cpp
  impl_->login_throttle = std::make_unique<detail::LoginThrottle>(
      static_cast<std::size_t>(std::max(1, impl_->cfg.login_attempts)), std::chrono::minutes(1));
  impl_->transport = std::make_unique<Impl::Transport>();
  if (const std::string& web = impl_->cfg.web_dir; !web.empty()) {
    std::error_code ec;
    fs::path root = fs::canonical(web, ec);
    if (ec || !fs::is_directory(root, ec)) {
      impl_->transport->web_error = fmt::format("--web {}: not a folder", web);
    } else {
      impl_->transport->web_root = root;
    }
  }
  const auto& c = impl_->cfg;
  detail::NetworkConfig nc;
  nc.io_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nc.worker_threads = std::max(1, c.threads);
  nc.max_connections = c.max_connections;
  nc.max_client_connections = c.max_client_connections;
  nc.access_log = c.access_log;
  auto ms = [](double seconds) { return std::chrono::milliseconds(static_cast<long long>(seconds * 1000)); };
  nc.request_deadline = ms(c.request_timeout);
  nc.idle_timeout = ms(c.idle_timeout);
  const Impl& impl = *impl_;
  detail::Answerer answer{[&impl](const Request& req, Response& res) { return impl.Quick(req, res); },
                          [&impl](Request& req, Response& res) { impl.Route(req, res); }};
  impl_->transport->network = std::make_unique<detail::Network>(nc, std::move(answer));
}

Server::~Server() = default;

std::vector<std::string> Server::Routes() {
  std::vector<std::string> out{"POST /api/v1/whatif",
                               "GET /api/v1/session",
                               "POST /api/v1/session",
                               "DELETE /api/v1/session",
                               "GET /api/v1/submissions",
                               "POST /api/v1/submissions",
                               "GET /api/v1/submissions/{}",
                               "POST /api/v1/submissions/{}/{}",
                               "POST /api/v1/submissions/{}/flags/{}",
                               "GET /api/v1/reports/{}/profiles/{}",
                               "GET /api/v1/campaigns",
                               "POST /api/v1/campaigns",
                               "GET /api/v1/campaigns/{}",
                               "POST /api/v1/campaigns/{}/{}",
                               "POST /api/v1/campaigns/{}/sheets/{}",
                               "GET /api/v1/risk/projects",
                               "POST /api/v1/risk/projects",
                               "GET /api/v1/risk/projects/{}"};
  for (const auto& [path, ep] : Impl::Endpoints()) out.push_back("GET " + path + (path.back() == '/' ? "{}" : ""));
  for (auto& route : Impl::AdminRoutes()) out.push_back(std::move(route));
  return out;
}

Result<int> Server::Bind() {
  if (!impl_->transport->web_error.empty()) return Error{Errc::kUsage, impl_->transport->web_error};
  return impl_->transport->network->Bind(impl_->cfg.bind, impl_->cfg.port);
}

void Server::Listen() {
  impl_->transport->listening = true;
  impl_->transport->network->Run();
  impl_->transport->done = true;
}

void Server::Stop() {
  auto& t = *impl_->transport;
  t.network->Stop();
  // Returns once Listen() has (the caller may destroy the server next).
  while (t.listening && !t.done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

}  // namespace gpsi::server
