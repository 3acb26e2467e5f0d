#include "kiosk/ctl/text_clean.hpp"

#include <iconv.h>

#include <cerrno>
#include <memory>

namespace lasr::ctl {

bool is_valid_utf8(std::string_view s) {
    size_t i = 0, n = s.size();
    while (i < n) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (size_t k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

Result<Decoded> decode_text(std::string_view bytes, const std::string& what) {
    Decoded d;
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
        bytes.remove_prefix(3);
        d.had_bom = true;
    }
    if (is_valid_utf8(bytes)) {
        d.text.assign(bytes);
        return d;
    }
    // glibc's iconv knows Windows-1252 (its five unassigned bytes are errors).
    iconv_t cd = ::iconv_open("UTF-8", "WINDOWS-1252");
    if (cd == reinterpret_cast<iconv_t>(-1))
        return make_error(Domain::content, Errc::unavailable, "iconv cannot convert from Windows-1252");
    std::unique_ptr<void, int (*)(iconv_t)> guard(cd, ::iconv_close);
    std::string out(bytes.size() * 3 + 4, '\0');
    char* in = const_cast<char*>(bytes.data());
    size_t in_left = bytes.size();
    char* o = out.data();
    size_t out_left = out.size();
    if (::iconv(cd, &in, &in_left, &o, &out_left) == static_cast<size_t>(-1)) {
        size_t at = bytes.size() - in_left;
        return make_error(Domain::content, Errc::parse,
                          what + ": neither UTF-8 nor Windows-1252 text (byte " + std::to_string(at) +
                              "); save it as UTF-8");
    }
    out.resize(out.size() - out_left);
    d.text = std::move(out);
    d.from_windows_1252 = true;
    return d;
}

std::string trim(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

Cleaned clean_text(std::string_view in, size_t max_chars, bool keep_newlines) {
    Cleaned c;
    std::string s;
    s.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        auto ch = static_cast<unsigned char>(in[i]);
        if (ch == '\r') {
            if (i + 1 < in.size() && in[i + 1] == '\n') continue;
            ch = '\n';
        }
        if (ch == '\n') {
            s += keep_newlines ? '\n' : ' ';
            continue;
        }
        if (ch == '\t') {
            s += ' ';
            continue;
        }
        if (ch < 0x20 || ch == 0x7F) {
            ++c.controls_removed;
            continue;
        }
        // C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8.
        if (ch == 0xC2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(in[i + 1]) <= 0x9F) {
            ++c.controls_removed;
            ++i;
            continue;
        }
        s += static_cast<char>(ch);
    }
    // Trim each line's right end, collapse 3+ newlines to 2, trim the whole.
    std::string t;
    t.reserve(s.size());
    size_t newlines = 0;
    for (char ch : s) {
        if (ch == '\n') {
            while (!t.empty() && t.back() == ' ') t.pop_back();
            if (++newlines <= 2) t += '\n';
            continue;
        }
        if (newlines && ch == ' ') continue;  // leading spaces of a line
        newlines = 0;
        t += ch;
    }
    t = trim(t);
    if (utf8_length(t) > max_chars) {
        size_t keep = max_chars > 0 ? max_chars - 1 : 0, n = 0, i = 0;
        for (; i < t.size(); ++i) {
            if ((static_cast<unsigned char>(t[i]) & 0xC0) != 0x80) {
                if (n == keep) break;
                ++n;
            }
        }
        t.resize(i);
        t = trim(t) + "\xE2\x80\xA6";
        c.truncated = true;
    }
    c.text = std::move(t);
    return c;
}

}  // namespace lasr::ctl
