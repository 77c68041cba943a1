// HTTP GET over libcurl for `gpsi update` (see fetch.hpp and docs/update.md).
#include "fetch.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <thread>

#include <fmt/format.h>

namespace gpsi::detail {
namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

// What one attempt saw; headers are those of the last response (after redirects).
struct Attempt {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body, error;
  std::string etag, last_modified, content_type, content_encoding, retry_after;
  long long content_length = -1;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<Attempt*>(user)->body.append(data, size * n);
  return size * n;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
  auto* a = static_cast<Attempt*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (redirect or 100-continue): forget the last one's headers
    a->etag.clear(), a->last_modified.clear(), a->content_type.clear(), a->content_encoding.clear();
    a->retry_after.clear(), a->content_length = -1;
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(Trim(line.substr(0, colon)));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value(Trim(line.substr(colon + 1)));
  if (name == "etag") a->etag = value;
  if (name == "last-modified") a->last_modified = value;
  if (name == "content-type") a->content_type = value;
  if (name == "content-encoding") a->content_encoding = value;
  if (name == "retry-after") a->retry_after = value;
  if (name == "content-length") {
    long long v = -1;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec == std::errc()) a->content_length = v;
  }
  return size * n;
}

Attempt Get(const FetchRequest& req, const FetchOptions& o) {
  static CurlGlobal global;
  Attempt a;
  CURL* curl = curl_easy_init();
  if (!curl) {
    a.code = CURLE_FAILED_INIT;
    a.error = "cannot start libcurl";
    return a;
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  if (!req.etag.empty()) headers = curl_slist_append(headers, ("If-None-Match: " + req.etag).c_str());
  if (!req.last_modified.empty())
    headers = curl_slist_append(headers, ("If-Modified-Since: " + req.last_modified).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "gpsi-update/1 (+https://github.com/; Global Public Security Index)");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, o.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, o.total_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate as the server offers
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &a);
  a.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
  a.error = errbuf[0] ? errbuf : curl_easy_strerror(a.code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return a;
}

// Transport failures worth another attempt (the server may come back).
bool Transient(CURLcode c) {
  return c == CURLE_COULDNT_CONNECT || c == CURLE_COULDNT_RESOLVE_HOST || c == CURLE_OPERATION_TIMEDOUT ||
         c == CURLE_RECV_ERROR || c == CURLE_SEND_ERROR || c == CURLE_GOT_NOTHING;
}

// Retry-After in its seconds form; the HTTP-date form is not used by these publishers.
std::optional<long> RetryAfterMs(const std::string& v) {
  long s = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
  if (ec != std::errc() || p != v.data() + v.size() || s < 0) return std::nullopt;
  return s * 1000;
}

}  // namespace

std::string UrlHost(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  return host;
}

Result<FetchResponse> Fetch(const FetchRequest& req, const FetchOptions& o, const SleepFn& sleep_fn) {
  SleepFn sleep = sleep_fn ? sleep_fn : [](long ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
  FetchResponse out;
  const std::string host = UrlHost(req.url);
  const int attempts = 1 + std::max(0, o.retries);
  std::string last_problem;
  for (int i = 0; i < attempts; ++i) {
    Attempt a = Get(req, o);
    out.attempts = i + 1;
    long wait = o.backoff_ms << std::min(i, 20);  // exponential: backoff, 2×, 4×…
    if (a.code == CURLE_PARTIAL_FILE) {
      return Error{Errc::kBadResponse, fmt::format("truncated response from {}: {}", host, a.error)};
    }
    if (a.code != CURLE_OK) {
      last_problem = a.code == CURLE_COULDNT_CONNECT || a.code == CURLE_COULDNT_RESOLVE_HOST
                         ? fmt::format("cannot connect to {}: {}", host, a.error)
                         : fmt::format("{}: {}", host, a.error);
      if (!Transient(a.code)) return Error{Errc::kNetwork, last_problem};
    } else if (a.status == 304) {
      out.status = 304;
      out.not_modified = true;
      out.etag = a.etag.empty() ? req.etag : a.etag;
      out.last_modified = a.last_modified.empty() ? req.last_modified : a.last_modified;
      return out;
    } else if (a.status >= 200 && a.status < 300) {
      // libcurl already fails a body cut short of Content-Length (CURLE_PARTIAL_FILE); this also
      // catches a longer one. A compressed body's length is not the decoded length.
      if (a.content_length >= 0 && a.content_encoding.empty() &&
          static_cast<long long>(a.body.size()) != a.content_length) {
        return Error{Errc::kBadResponse, fmt::format("truncated response from {}: {} bytes of {} announced", host,
                                                     a.body.size(), a.content_length)};
      }
      out.status = a.status;
      out.body = std::move(a.body);
      out.etag = a.etag, out.last_modified = a.last_modified, out.content_type = a.content_type;
      return out;
    } else if (a.status == 429) {
      last_problem = fmt::format("{} answers HTTP 429 (too many requests)", host);
      if (auto ra = RetryAfterMs(a.retry_after)) wait = std::min(*ra, o.retry_after_cap_ms);
    } else if (a.status >= 500) {
      last_problem = fmt::format("{} answers HTTP {}", host, a.status);
    } else {
      return Error{Errc::kBadResponse, fmt::format("{} answers HTTP {} for {}", host, a.status, req.url)};
    }
    if (i + 1 < attempts) {
      sleep(wait);
      out.waited_ms += wait;
    }
  }
  return Error{Errc::kNetwork, fmt::format("{} (after {} attempt{})", last_problem, attempts, attempts > 1 ? "s" : "")};
}

}  // namespace gpsi::detail
