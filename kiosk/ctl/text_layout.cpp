#include "kiosk/ctl/text_layout.hpp"

namespace lasr::ctl {
namespace {

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        size_t j = i;
        while (j < text.size() && text[j] != ' ') ++j;
        if (j > i) words.emplace_back(text.substr(i, j - i));
        i = j;
    }
    return words;
}

std::vector<std::string> greedy(const std::vector<std::string>& words, size_t width) {
    std::vector<std::string> lines;
    std::string line;
    size_t len = 0;
    for (const auto& w : words) {
        size_t wl = utf8_length(w);
        if (!line.empty() && len + 1 + wl > width) {
            lines.push_back(std::move(line));
            line.clear();
            len = 0;
        }
        if (!line.empty()) {
            line += ' ';
            ++len;
        }
        line += w;
        len += wl;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    return lines;
}

}  // namespace

size_t utf8_length(std::string_view text) {
    size_t n = 0;
    for (char c : text)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

std::vector<std::string> wrap_balanced(std::string_view text, size_t max_chars) {
    auto words = split_words(text);
    if (words.empty()) return {};
    if (max_chars == 0) max_chars = 1;
    auto best = greedy(words, max_chars);
    if (best.size() <= 1) return best;
    // The narrowest width that still needs no more lines evens them out.
    size_t total = utf8_length(text);
    for (size_t w = total / best.size(); w < max_chars; ++w) {
        auto lines = greedy(words, w);
        if (lines.size() <= best.size()) return lines;
    }
    return best;
}

std::string ascii_upper(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace lasr::ctl
