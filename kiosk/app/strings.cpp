#include "kiosk/app/strings.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include "config/log.hpp"
#include "config/text_table.hpp"
#include "kiosk/app/strings_builtin.hpp"

namespace lasr {
namespace {

std::map<std::string, TextTable, std::less<>>& tables() {
    static std::map<std::string, TextTable, std::less<>> t;
    return t;
}

Status add_table(const std::string& lang, std::string_view text, const std::string& origin) {
    auto parsed = parse_text_table(text, origin);
    if (!parsed) return std::move(parsed).error();
    TextTable& dst = tables()[lang];
    for (auto& [k, v] : *parsed) dst[k] = std::move(v);
    return {};
}

void ensure_builtin() {
    static bool done = false;
    if (done) return;
    done = true;
    for (const auto& [lang, text] : builtin_string_files()) {
        if (auto st = add_table(std::string(lang), text, "built-in " + std::string(lang) + ".toml"); !st)
            log::error(st.error());  // a build-time file: a test catches this first
    }
}

}  // namespace

Status load_strings_file(const std::filesystem::path& file) {
    ensure_builtin();
    std::ifstream f(file);
    if (!f) return make_error(Domain::config, Errc::not_found, "cannot read " + file.string());
    std::ostringstream ss;
    ss << f.rdbuf();
    std::string lang = file.stem().string();
    if (lang.size() < 2 || lang.size() > 8 || lang.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos)
        return make_error(Domain::config, Errc::validation,
                          file.string() + ": the file name must be a language code, like es.toml");
    return add_table(lang, ss.str(), file.string());
}

void load_strings(const std::vector<std::filesystem::path>& extra_dirs) {
    ensure_builtin();
    for (const auto& dir : extra_dirs) {
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec)) continue;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            if (entry.path().extension() != ".toml") continue;
            if (auto st = load_strings_file(entry.path()); !st) log::error(st.error());
            else log::info("strings", "loaded=" + entry.path().string());
        }
    }
}

const std::string& tr(std::string_view lang, std::string_view key) {
    ensure_builtin();
    const auto& t = tables();
    if (auto l = t.find(lang); l != t.end())
        if (auto it = l->second.find(key); it != l->second.end()) return it->second;
    if (auto en = t.find("en"); en != t.end())
        if (auto it = en->second.find(key); it != en->second.end()) return it->second;
    static thread_local std::string missing;
    missing = std::string(key);
    return missing;
}

std::vector<std::string> ui_languages() {
    ensure_builtin();
    std::vector<std::string> out;
    for (const auto& [l, t] : tables()) out.push_back(l);
    return out;
}

const std::string& language_name(std::string_view lang) {
    ensure_builtin();
    const auto& t = tables();
    if (auto l = t.find(lang); l != t.end())
        if (auto it = l->second.find("language.name"); it != l->second.end()) return it->second;
    static thread_local std::string code;
    code = std::string(lang);
    return code;
}

std::vector<std::string> string_keys(std::string_view lang) {
    ensure_builtin();
    std::vector<std::string> out;
    if (auto l = tables().find(lang); l != tables().end())
        for (const auto& [k, v] : l->second) out.push_back(k);
    return out;
}

}  // namespace lasr
