// The HTTP API of docs/api.md on cpp-httplib, transport side: routing, the error handlers, the
// thread pool, the access log, and for every answer: strong ETags with If-None-Match → 304, gzip,
// a bounded cache of GET answers by URL, limits and timeouts, and the static files of --web. The
// endpoints are in api_*.cpp.
#include "server.hpp"

#include <httplib.h>
#include <sys/socket.h>
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
#include <set>
#include <shared_mutex>
#include <sstream>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::SendError;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;        // request bodies (POST /api/v1/whatif)
constexpr std::size_t kGzipMin = 1024;             // smaller answers are sent as they are
constexpr std::size_t kCacheBytes = 256u << 20;    // the response cache: total body bytes …
constexpr std::size_t kCacheEntries = 4096;        // … and answers
constexpr std::size_t kCacheEntryMax = 32u << 20;  // larger answers are never cached
constexpr std::chrono::seconds kIoTimeout{10};     // read / write of one request
constexpr std::chrono::seconds kKeepAlive{5};      // idle keep-alive connections close after this
constexpr std::size_t kKeepAliveMax = 100000;      // requests per connection (httplib's default is 5)
constexpr int kBacklog = 1024;                     // listen backlog

// Per worker thread, for the request it is serving (httplib serves a request start to end on one
// thread): its start, for the access log, and whether the client takes gzip.
thread_local std::chrono::steady_clock::time_point t_request_start;
thread_local bool t_gzip = false;

//! One 200 answer as sent: the body, its gzip form (empty when not smaller or not worth it) and
//! a strong ETag for each (the sha256 of the body; the gzip form's is marked, since its bytes differ).
struct Answer {
  std::string content_type;
  httplib::Headers headers;  // the handler's other headers (Content-Disposition), Cache-Control
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

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
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
bool NoneMatch(const httplib::Request& req, const std::string& etag) {
  for (std::size_t k = 0; k < req.get_header_value_count("If-None-Match"); ++k) {
    std::stringstream ss(req.get_header_value("If-None-Match", k));
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

bool Utf8(std::string_view s) {
  Utf8Validator v;
  return v.Feed(s) && !v.Incomplete();
}

//! Whether the decoded path and every query parameter's name and value are UTF-8: handlers put
//! them in JSON answers and error messages, which must be UTF-8.
bool RequestIsUtf8(const httplib::Request& req) {
  if (!Utf8(req.path)) return false;
  return std::all_of(req.params.begin(), req.params.end(),
                     [](const auto& kv) { return Utf8(kv.first) && Utf8(kv.second); });
}

//! A request field as the access log writes it: control bytes (a forged line, a terminal escape)
//! and, in a field that is not UTF-8, every byte ≥ 0x80 as \xNN.
std::string LogField(std::string_view s) {
  const bool utf8 = Utf8(s);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F || (b >= 0x80 && !utf8) || c == '\\') {
      out += fmt::format("\\x{:02x}", b);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

//! Makes the Answer of the response a handler has just filled (status unset or 200); `all` makes
//! the gzip form even when this client does not take it (the answer is to be cached).
std::shared_ptr<Answer> MakeAnswer(httplib::Response& res, bool etag, bool all) {
  auto a = std::make_shared<Answer>();
  a->content_type = res.get_header_value("Content-Type");
  for (auto& h : res.headers) {
    if (h.first != "Content-Type" && h.first != "Content-Length") a->headers.emplace(h.first, h.second);
  }
  a->body = std::move(res.body);
  if (Compressible(a->content_type) && a->body.size() > kGzipMin && (all || t_gzip)) {
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
void Send(const Answer& a, const httplib::Request& req, httplib::Response& res) {
  const bool gz = t_gzip && !a.gzip.empty();
  const std::string& etag = gz ? a.gzip_etag : a.etag;
  res.headers.clear();
  res.body.clear();
  if (a.varies) res.set_header("Vary", "Accept-Encoding");
  for (const auto& h : a.headers) {
    if (h.first == "Cache-Control") res.set_header(h.first, h.second);
  }
  if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-cache");
  detail::SetSecurityHeaders(res);
  if (!etag.empty()) {
    res.set_header("ETag", etag);
    if (NoneMatch(req, etag)) {
      res.status = 304;
      return;
    }
  }
  res.status = 200;
  for (const auto& h : a.headers) {
    if (h.first != "Cache-Control") res.set_header(h.first, h.second);
  }
  res.set_content(gz ? a.gzip : a.body, a.content_type);
  if (gz) res.set_header("Content-Encoding", "gzip");
}

}  // namespace

//! The transport's state: the response cache and the static root.
struct Server::Impl::Transport {
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
  void Finish(const httplib::Request& req, httplib::Response& res, bool etag, const std::string& key) {
    if (res.status != -1 && res.status != 200) return;  // errors go as they are
    auto a = MakeAnswer(res, etag, !key.empty());
    if (!key.empty()) Put(key, a);
    Send(*a, req, res);
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

void Server::Impl::Static(const httplib::Request& req, httplib::Response& res) const {
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
  std::string validator = fmt::format("{}:{}", mtime.time_since_epoch().count(), size);
  std::string key = "file:" + file->string();
  if (auto hit = transport->Find(key); hit && hit->validator == validator) return Send(*hit, req, res);
  std::ifstream in(*file, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return SendError(res, Errc::kIo, "cannot read " + req.path);
  res.body = std::move(body);
  res.set_header("Content-Type", ContentType(*file));
  auto a = MakeAnswer(res, true, true);
  a->validator = validator;
  transport->Put(key, a);
  Send(*a, req, res);
}

void Server::Impl::Routes() {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  // A GET answer depends only on its URL and the published data, fixed for the server's life, so
  // it is cached by request target; /runs reads the store, which a build may add to meanwhile.
  auto cached = [this](httplib::Server::Handler h) {
    return [this, h = std::move(h)](Req req, Res res) {
      h(req, res);
      transport->Finish(req, res, true, req.target);
    };
  };
  auto fresh = [this](httplib::Server::Handler h, bool etag) {
    return [this, h = std::move(h), etag](Req req, Res res) {
      h(req, res);
      transport->Finish(req, res, etag, std::string());
    };
  };
  svr.Get("/api/v1/health", cached([this](Req, Res res) { Health(res); }));
  svr.Get("/api/v1/units", cached([this](Req req, Res res) { Units(req, res); }));
  svr.Get("/api/v1/scores", cached([this](Req req, Res res) { Scores(req, res); }));
  svr.Get("/api/v1/runs", fresh([this](Req req, Res res) { Runs(req, res); }, true));
  svr.Get("/api/v1/meta", cached([this](Req req, Res res) { Meta(req, res); }));
  svr.Get(R"(/api/v1/units/([^/]+))", cached([this](Req req, Res res) { Profile(req, res); }));
  svr.Get("/api/v1/compare", cached([this](Req req, Res res) { Compare(req, res); }));
  svr.Get(R"(/api/v1/download/([^/]+))", cached([this](Req req, Res res) { Download(req, res); }));
  svr.Get("/api/v1/openapi.json", cached([this](Req req, Res res) { OpenApi(req, res); }));
  svr.Get("/api/v1/validation", cached([this](Req req, Res res) { Validation(req, res); }));
  svr.Get("/api/v1/forecasts", cached([this](Req req, Res res) { Forecasts(req, res); }));
  svr.Get("/api/v1/warnings", cached([this](Req req, Res res) { Warnings(req, res); }));
  svr.Post("/api/v1/whatif", fresh([this](Req req, Res res) { WhatIf(req, res); }, false));
  // Other verbs: 405 on a known path (with Allow), 404 elsewhere (the error handler).
  auto other = [this](Req req, Res res) {
    static const std::regex kGetPaths(
        R"(/api/v1/(health|units|scores|runs|meta|compare|validation|forecasts|warnings|openapi\.json|units/[^/]+|download/[^/]+))");
    if (req.path == "/api/v1/whatif") {
      res.set_header("Allow", "POST");
    } else if (std::regex_match(req.path, kGetPaths) ||
               (req.path.rfind("/api/", 0) != 0 && transport->Resolve(req.path))) {
      res.set_header("Allow", "GET, HEAD");
    } else {
      return SendError(res, Errc::kNotFound, "no such endpoint: " + req.path);
    }
    SendError(res, Errc::kMethodNotAllowed, req.method + " is not allowed on " + req.path);
  };
  svr.Get("/api/v1/whatif", other);
  svr.Post(".*", other);
  svr.Put(".*", other);
  svr.Patch(".*", other);
  svr.Delete(".*", other);
  svr.Options(".*", other);
  // Everything else: a file of --web, or 404.
  svr.Get(".*", [this](Req req, Res res) { Static(req, res); });
  svr.set_error_handler(httplib::Server::HandlerWithResponse([](Req req, Res res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    switch (res.status) {
      case 404: SendError(res, Errc::kNotFound, "no such endpoint: " + req.path); break;
      case 413:
        SendError(res, Errc::kTooLarge, fmt::format("the request body is larger than {} bytes", kMaxBody));
        break;
      default:
        SendError(res, res.status, res.status >= 500 ? "internal" : "usage", fmt::format("HTTP status {}", res.status));
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  svr.set_exception_handler([](Req, Res res, const std::exception_ptr& ep) {
    std::string what = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    SendError(res, Errc::kInternal, what);
  });
}

Server::Server(ServeConfig cfg, engine::Published published) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = std::move(cfg);
  impl_->Publish(std::move(published));  // publish.cpp
  impl_->PrepareWhatIf();                // api_whatif.cpp
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
  int threads = std::max(1, impl_->cfg.threads);
  auto& svr = impl_->svr;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  svr.set_keep_alive_max_count(kKeepAliveMax);
  svr.set_keep_alive_timeout(kKeepAlive.count());
  svr.set_read_timeout(kIoTimeout);
  svr.set_write_timeout(kIoTimeout);
  svr.set_payload_max_length(kMaxBody);
  // httplib writes the head and the body of an answer separately: without TCP_NODELAY the body
  // can wait for the peer's delayed ACK (40 ms).
  svr.set_tcp_nodelay(true);
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a second server binds a port
  // already in use and the kernel splits the connections between the two.
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    t_request_start = std::chrono::steady_clock::now();
    // Compression is ours (Send: cached gzip forms with their own ETags), so httplib must not
    // compress again (it would, with br first, whenever Accept-Encoding names it), and answers are
    // whole (Range is ignored, as RFC 9110 allows). The request is const for the handlers only:
    // httplib owns it as a mutable object, so editing it here is well defined.
    auto& r = const_cast<httplib::Request&>(req);
    std::string accept;
    for (std::size_t k = 0; k < req.get_header_value_count("Accept-Encoding"); ++k) {
      accept += req.get_header_value("Accept-Encoding", k) + ",";
    }
    t_gzip = AcceptsGzip(accept);
    r.headers.erase("Accept-Encoding");
    r.ranges.clear();
    if (!RequestIsUtf8(req)) {
      SendError(res, Errc::kUsage, "the path or a query parameter is not valid UTF-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    if ((req.method == "GET" || req.method == "HEAD") && req.path.rfind("/api/", 0) == 0) {
      if (auto hit = impl_->transport->Find(req.target)) {
        Send(*hit, req, res);
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t_request_start);
    fmt::print(stderr, "{} {} {} {}us\n", LogField(req.method), LogField(req.path), res.status, us.count());
  });
  impl_->Routes();
}

Server::~Server() = default;

Result<int> Server::Bind() {
  const auto& c = impl_->cfg;
  if (!impl_->transport->web_error.empty()) return Error{Errc::kUsage, impl_->transport->web_error};
  int port = c.port;
  if (c.port == 0) {
    port = impl_->svr.bind_to_any_port(c.bind);
    if (port <= 0) return Error{Errc::kIo, fmt::format("cannot listen on {}", c.bind)};
  } else if (!impl_->svr.bind_to_port(c.bind, c.port)) {
    return Error{Errc::kIo, fmt::format("cannot listen on {}:{} (is another server using the port?)", c.bind, c.port)};
  }
  // Listening again on the bound socket only raises its backlog (Linux, POSIX).
  ::listen(impl_->svr.ListenSocket(), kBacklog);
  return port;
}

void Server::Listen() {
  if (!impl_->stop_requested) impl_->svr.listen_after_bind();
  impl_->done = true;
}

void Server::Stop() {
  impl_->stop_requested = true;
  // httplib's stop() is a no-op until the accept loop runs, so repeat until Listen() returned.
  while (!impl_->done) {
    impl_->svr.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace gpsi::server
