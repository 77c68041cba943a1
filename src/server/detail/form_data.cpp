// multipart/form-data by hand: Boost.Beast has no parser for it, the Debian build of cpp-httplib
// keeps its own inside its server, and the MIME libraries Debian has (GMime, mimetic) are mail
// readers that would bring GLib or an unmaintained codebase for the one shape a form takes.
#include "detail/form_data.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "detail/http.hpp"

namespace gpsi::server::detail {
namespace {

constexpr std::string_view kCrlf = "\r\n";

Error FormError(const std::string& what) {
  return Error{Errc::kUsage, "multipart/form-data: " + what};
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

//! A header value of the form `type; a=1; b="x \"y\""`: the type in lower case and the
//! parameters by lower-case name, quoted values unquoted (RFC 9110 5.6.4: a backslash quotes the
//! next character).
struct HeaderValue {
  std::string type;
  std::map<std::string, std::string> params;
};

//! The quoted string at the start of `s` (which starts with '"'), consumed from `s`; nullopt when
//! it has no closing quote.
std::optional<std::string> TakeQuoted(std::string_view& s) {
  std::string out;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '"') {
      s.remove_prefix(i + 1);
      return out;
    }
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return std::nullopt;
}

//! nullopt for an unterminated quote, a parameter without '=' or with no name, or a name given twice.
std::optional<HeaderValue> ParseHeaderValue(std::string_view s) {
  HeaderValue out;
  const auto semi = std::min(s.find(';'), s.size());
  out.type = Lower(TrimBlanks(s.substr(0, semi)));
  s.remove_prefix(semi);
  while (!s.empty()) {
    s = TrimBlanks(s.substr(1));  // the ';'
    if (s.empty()) break;         // a trailing ';'
    const auto eq = s.find('=');
    if (eq == std::string_view::npos || s.substr(0, eq).find(';') != std::string_view::npos) return std::nullopt;
    const std::string name = Lower(TrimBlanks(s.substr(0, eq)));
    s = TrimBlanks(s.substr(eq + 1));
    std::string value;
    if (!s.empty() && s.front() == '"') {
      auto quoted = TakeQuoted(s);
      if (!quoted) return std::nullopt;
      value = std::move(*quoted);
      s = TrimBlanks(s);
      if (!s.empty() && s.front() != ';') return std::nullopt;
    } else {
      const auto end = std::min(s.find(';'), s.size());
      value = std::string(TrimBlanks(s.substr(0, end)));
      s.remove_prefix(end);
    }
    if (name.empty() || !out.params.emplace(name, std::move(value)).second) return std::nullopt;
  }
  return out;
}

//! RFC 2046 5.1.1: 1 to 70 of bchars, not ending in a space.
bool ValidBoundary(std::string_view b) {
  static constexpr std::string_view kOther = "'()+_,-./:=? ";
  return !b.empty() && b.size() <= 70 && b.back() != ' ' && std::all_of(b.begin(), b.end(), [](unsigned char c) {
    return std::isalnum(c) || kOther.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

//! A header name: RFC 9110 token characters (letters, digits and !#$%&'*+-.^_`|~).
bool ValidHeaderName(std::string_view n) {
  static constexpr std::string_view kOther = "!#$%&'*+-.^_`|~";
  return !n.empty() && std::all_of(n.begin(), n.end(), [](unsigned char c) {
    return std::isalnum(c) || kOther.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

//! The name and file name of a part from its header block (CRLF-separated lines).
Result<FormPart> ParseHeaders(std::string_view block) {
  std::optional<FormPart> part;
  while (!block.empty()) {
    const auto eol = std::min(block.find(kCrlf), block.size());
    const std::string_view line = block.substr(0, eol);
    block.remove_prefix(std::min(eol + kCrlf.size(), block.size()));
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !ValidHeaderName(line.substr(0, colon))) {
      return FormError(fmt::format("a part's header line is not `Name: value`: {:.60}", line));
    }
    if (Lower(line.substr(0, colon)) != "content-disposition")
      continue;  // Content-Type and the like say nothing we use
    const auto value = ParseHeaderValue(line.substr(colon + 1));
    if (part || !value || value->type != "form-data" || !value->params.contains("name") ||
        value->params.at("name").empty()) {
      return FormError("each part needs one header `Content-Disposition: form-data; name=\"…\"`");
    }
    const auto filename = value->params.find("filename");
    part = FormPart{value->params.at("name"), filename == value->params.end() ? "" : filename->second, {}};
  }
  if (!part) return FormError("each part needs one header `Content-Disposition: form-data; name=\"…\"`");
  return *part;
}

//! One part: its header lines, an empty line, its content.
Result<FormPart> ParsePart(std::string_view raw) {
  std::string_view headers, content;
  if (raw.starts_with(kCrlf)) {
    content = raw.substr(kCrlf.size());  // a part with no header at all, which ParseHeaders refuses
  } else {
    const auto split = raw.find("\r\n\r\n");
    if (split == std::string_view::npos) return FormError("a part's headers must end in an empty line");
    headers = raw.substr(0, split);
    content = raw.substr(split + 4);
  }
  auto part = ParseHeaders(headers);
  if (!part) return part.error();
  part->content = content;
  return part;
}

//! The boundary of a multipart/form-data Content-Type, or the error that says why there is none.
Result<std::string> Boundary(std::string_view content_type) {
  const auto value = ParseHeaderValue(content_type);
  if (!value || value->type != "multipart/form-data") return FormError("the Content-Type is not multipart/form-data");
  const auto b = value->params.find("boundary");
  if (b == value->params.end() || !ValidBoundary(b->second)) {
    return FormError("the Content-Type needs a boundary of 1 to 70 letters, digits or '()+_,-./:=? (RFC 2046)");
  }
  return b->second;
}

}  // namespace

bool IsFormData(std::string_view content_type) {
  const auto value = ParseHeaderValue(content_type);
  return value && value->type == "multipart/form-data";
}

Result<std::vector<FormPart>> ParseFormData(std::string_view content_type, std::string_view body) {
  auto boundary = Boundary(content_type);
  if (!boundary) return boundary.error();
  const std::string delimiter = "--" + *boundary, next = std::string(kCrlf) + delimiter;
  // The first delimiter line opens the body, or ends a preamble (which RFC 2046 lets a sender add).
  std::size_t pos = 0;
  if (!body.starts_with(delimiter)) {
    pos = body.find(next);
    if (pos == std::string_view::npos) return FormError("the body has no delimiter line --" + *boundary);
    pos += kCrlf.size();
  }
  pos += delimiter.size();
  std::vector<FormPart> parts;
  std::set<std::string> names;
  while (body.substr(pos, 2) != "--") {  // the closing delimiter; an epilogue after it is ignored
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;  // transport padding
    if (body.substr(pos, kCrlf.size()) != kCrlf) return FormError("a delimiter line must end in CRLF");
    pos += kCrlf.size();
    const auto end = body.find(next, pos);
    if (end == std::string_view::npos)
      return FormError("the body ends before its closing delimiter (a truncated upload?)");
    auto part = ParsePart(body.substr(pos, end - pos));
    if (!part) return part.error();
    if (!names.insert(part->name).second) return FormError(fmt::format("the field {:.60} is given twice", part->name));
    parts.push_back(std::move(*part));
    pos = end + next.size();
  }
  return parts;
}

}  // namespace gpsi::server::detail
