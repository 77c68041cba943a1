// Reader of GNU gettext .mo catalogues (the zh_CN translations that Debian's iso-codes ships).
// Hand-written: the format is a fixed header and two offset tables (GNU gettext manual, "The
// Format of GNU MO Files"); libintl's dgettext would need the zh_CN locale generated on the
// machine, which a fresh Debian does not have.
#pragma once

#include <string>
#include <unordered_map>

#include "core.hpp"

namespace gpsi::detail {

//! msgid → msgstr of a .mo file; an absent or malformed file gives an error.
Result<std::unordered_map<std::string, std::string>> ReadMoFile(const std::string& path);

}  // namespace gpsi::detail
