// Small text helpers for laying out titles and captions (UTF-8 aware).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lasr::ctl {

// Characters (code points) in UTF-8 text.
size_t utf8_length(std::string_view text);

// Breaks text at spaces into as few lines of at most `max_chars` characters
// as possible, then evens the lines out ("a balanced wrap": no long line
// followed by a lonely word). A word longer than `max_chars` gets a line of
// its own.
std::vector<std::string> wrap_balanced(std::string_view text, size_t max_chars);

// Upper-/lower-cases ASCII letters; other bytes (accented letters) are left alone.
std::string ascii_upper(std::string_view text);
std::string ascii_lower(std::string_view text);

}  // namespace lasr::ctl
