// Text that comes from outside (spreadsheets, 211 exports, caption files):
// decoded to UTF-8, control characters removed, lengths bounded. The text is
// kept as text: nothing here interprets markup.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "config/result.hpp"
#include "kiosk/ctl/text_layout.hpp"  // utf8_length, ascii_lower

namespace lasr::ctl {

bool is_valid_utf8(std::string_view bytes);

struct Decoded {
    std::string text;
    bool had_bom = false;
    bool from_windows_1252 = false;  // not UTF-8: converted from Windows-1252 (say so to the user)
};

// Bytes as UTF-8: a UTF-8 byte-order mark is dropped; bytes that are not
// UTF-8 are read as Windows-1252 (what Excel and Notepad write on Windows)
// and converted. An error only for bytes that are neither (naming `what`).
Result<Decoded> decode_text(std::string_view bytes, const std::string& what);

struct Cleaned {
    std::string text;
    size_t controls_removed = 0;  // control characters taken out
    bool truncated = false;       // cut at max_chars (on a character boundary)
};

// Trims the ends, turns CR LF and CR into LF, tabs into spaces, removes other
// C0/C1 control characters (and LF too unless keep_newlines), collapses
// three or more newlines into two, and cuts to at most max_chars characters
// (code points), ending with "…" when cut.
Cleaned clean_text(std::string_view utf8, size_t max_chars, bool keep_newlines);

// Without spaces, tabs, CR and LF at either end.
std::string trim(std::string_view s);

}  // namespace lasr::ctl
