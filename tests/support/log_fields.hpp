// Figures from the kiosk's log (and mpv's status line): `key=value` pairs,
// the last occurrence winning (the exit summary comes last), and counts.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>

namespace lasr::test {

// The number right after the last `key` in text, or -1 when there is none.
inline double last_number(const std::string& text, std::string_view key) {
    auto at = text.rfind(key);
    return at == std::string::npos ? -1 : std::atof(text.c_str() + at + key.size());
}

// The text after the last `key`, up to a space or a line's end; "?" when absent.
inline std::string last_word(const std::string& text, std::string_view key) {
    auto at = text.rfind(key);
    if (at == std::string::npos) return "?";
    at += key.size();
    return text.substr(at, text.find_first_of(" \n", at) - at);
}

// How many times `what` occurs in text (log lines, events by name).
inline int count_of(const std::string& text, std::string_view what) {
    int n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace lasr::test
