// multipart/form-data (RFC 7578 over RFC 2046 5.1): the body a browser's FormData and `curl -F`
// send, with which an upload carries its file and the descriptor to read it with.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core.hpp"

namespace gpsi::server::detail {

//! One field of a form: its name, the file name a file field was sent with ("" for a plain
//! field), and its bytes, a view into the body it was parsed from.
struct FormPart {
  std::string name, filename;
  std::string_view content;
};

//! Whether `content_type` (a Content-Type header's value) is multipart/form-data, in any case.
bool IsFormData(std::string_view content_type);

//! The fields of `body` sent as `content_type` ("multipart/form-data; boundary=…"), in order. A
//! usage error naming the first defect otherwise: no boundary or one RFC 2046 does not allow, no
//! delimiter line, a part without `Content-Disposition: form-data; name=…`, a malformed header
//! line, a field named twice, or a body without its closing delimiter (a truncated upload).
Result<std::vector<FormPart>> ParseFormData(std::string_view content_type, std::string_view body);

}  // namespace gpsi::server::detail
