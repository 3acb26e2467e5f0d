// UI text per language. Every key exists in every language the kiosk offers
// (a test checks); a missing translation falls back to English.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lasr {

// The text for `key` in `lang` (falls back to English, then to the key).
const std::string& tr(std::string_view lang, std::string_view key);
// The languages with a string table, and each one's name in itself.
std::vector<std::string> ui_languages();
const std::string& language_name(std::string_view lang);
// All keys (for tests).
std::vector<std::string> string_keys(std::string_view lang);

}  // namespace lasr
