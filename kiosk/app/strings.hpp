// UI text per language, from TOML files (kiosk/strings/<lang>.toml). The
// files shipped with the kiosk are built into it; more languages (or
// corrections) are read at start-up from /etc/lasr-kiosk/strings/ and
// $LASR_STRINGS_DIR, so adding a language needs no code. A key missing in a
// language falls back to English, then to the key itself.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"

namespace lasr {

// Loads the built-in tables, then every <lang>.toml in `extra_dirs` (a bad
// file is logged and skipped: the kiosk still starts). Call once at start-up,
// before any tr(); not thread-safe against concurrent tr().
void load_strings(const std::vector<std::filesystem::path>& extra_dirs = {});
// Loads one file into the tables (for tests and tools).
Status load_strings_file(const std::filesystem::path& file);

// The text for `key` in `lang` (falls back to English, then to the key).
const std::string& tr(std::string_view lang, std::string_view key);
// The languages with a string table.
std::vector<std::string> ui_languages();
// A language's name in itself ("Español"), or its code when unknown.
const std::string& language_name(std::string_view lang);
// All keys of a language (for tests).
std::vector<std::string> string_keys(std::string_view lang);

}  // namespace lasr
