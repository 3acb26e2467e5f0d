#include "kiosk/ui/text_fit.hpp"

#include <algorithm>

namespace lasr::ui {

namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

constexpr std::string_view kBlanks = " \t\r";    // between words (\r: CRLF from spreadsheets)
constexpr std::string_view kBreaks = " \t\r\n";  // ... and line ends

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The byte length of the longest prefix of `s` no wider than `width`, ending
// on a character boundary; at least one character, so a line always moves on.
size_t prefix_that_fits(std::string_view s, float width, const MeasureText& measure) {
    size_t fits = 0;
    for (size_t end = 1; end <= s.size(); ++end) {
        if (end < s.size() && continuation(s[end])) continue;
        if (fits > 0 && measure(s.substr(0, end)) > width) break;
        fits = end;
    }
    return fits;
}

// `line` shortened (at a space if it has one, else by characters) until it
// and the ellipsis fit `width`, then the ellipsis.
std::string with_ellipsis(std::string line, float width, const MeasureText& measure) {
    while (!line.empty() && measure(line + std::string(kEllipsis)) > width) {
        size_t space = line.find_last_of(' ');
        if (space != std::string::npos && space > 0) {
            line.resize(space);
        } else {
            size_t cut = line.size() - 1;
            while (cut > 0 && continuation(line[cut])) --cut;
            line.resize(cut);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
    }
    return line + std::string(kEllipsis);
}

}  // namespace

std::vector<std::string> fit_lines(std::string_view text, float width, int max_lines, const MeasureText& measure) {
    max_lines = std::max(1, max_lines);
    // Blank lines and spaces at either end show nothing.
    const size_t first = text.find_first_not_of(kBreaks);
    if (first == std::string_view::npos) return {};
    text = text.substr(first, text.find_last_not_of(kBreaks) - first + 1);
    std::vector<std::string> lines;
    std::string line;
    bool open = false;  // `line` holds a line being filled
    size_t at = 0;
    auto finish = [&] {
        lines.push_back(line);
        line.clear();
        open = false;
    };
    while (at < text.size() && static_cast<int>(lines.size()) < max_lines) {
        if (text[at] == '\n') {
            finish();
            ++at;
            continue;
        }
        if (kBlanks.find(text[at]) != std::string_view::npos) {
            ++at;
            continue;
        }
        size_t end = text.find_first_of(kBreaks, at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view word = text.substr(at, end - at);
        std::string candidate = open ? line + " " + std::string(word) : std::string(word);
        if (measure(candidate) <= width) {
            line = std::move(candidate);
            open = true;
            at = end;
        } else if (open) {
            finish();  // the word starts the next line
        } else {
            // A word wider than a whole line: as much of it as fits.
            size_t n = prefix_that_fits(word, width, measure);
            line = std::string(word.substr(0, n));
            at += n;
            finish();
        }
    }
    if (open && static_cast<int>(lines.size()) < max_lines) finish();
    // Anything but blanks left: the last line says so.
    const bool left_over = text.find_first_not_of(kBreaks, at) != std::string_view::npos;
    if (left_over && !lines.empty()) lines.back() = with_ellipsis(lines.back(), width, measure);
    return lines;
}

}  // namespace lasr::ui
