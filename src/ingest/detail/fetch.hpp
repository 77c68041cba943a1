// The one HTTP layer of `gpsi update`: GET over libcurl with timeouts, bounded retries with
// exponential backoff, Retry-After on 429, conditional requests and a length check.
#pragma once

#include <functional>
#include <string>

#include "ingest.hpp"

namespace gpsi::detail {

//! One GET; `etag` / `last_modified` (from the previous successful fetch) make it conditional.
struct FetchRequest {
  std::string url, etag, last_modified;
};

//! A complete response: 200 with the whole body, or 304 (not_modified, empty body).
struct FetchResponse {
  long status = 0;
  bool not_modified = false;
  std::string body, etag, last_modified, content_type;
  int attempts = 0;    //!< requests sent, retries included
  long waited_ms = 0;  //!< time spent sleeping between attempts (backoff and Retry-After)
};

//! Sleeps for a number of milliseconds (replaceable in tests).
using SleepFn = std::function<void(long ms)>;

//! Fetches `req.url`. Errors: kNetwork (cannot connect, timeout, 5xx after the retries, 429
//! after the retries, other HTTP errors), kBadResponse (body shorter than Content-Length, a
//! transfer cut short). Never returns a partial body.
Result<FetchResponse> Fetch(const FetchRequest& req, const FetchOptions& options, const SleepFn& sleep = {});

//! Host part of a URL, for messages ("ghoapi.azureedge.net").
std::string UrlHost(const std::string& url);

}  // namespace gpsi::detail
