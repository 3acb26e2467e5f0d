// Reads a UI text file (TOML): nested tables become dotted keys, every value
// must be a string. [home] courses = "..." gives "home.courses".
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "config/result.hpp"

namespace lasr {

using TextTable = std::map<std::string, std::string, std::less<>>;

Result<TextTable> parse_text_table(std::string_view toml_text, const std::string& origin);

}  // namespace lasr
