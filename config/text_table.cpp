#include "config/text_table.hpp"

#include <toml++/toml.h>

namespace lasr {

namespace {

Status flatten(const toml::table& t, const std::string& prefix, const std::string& origin, TextTable& out) {
    for (auto&& [k, v] : t) {
        std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (const toml::table* sub = v.as_table()) {
            LASR_TRY(flatten(*sub, key, origin, out));
        } else if (auto s = v.value<std::string>(); s && v.is_string()) {
            out[key] = *s;
        } else {
            return make_error(Domain::config, Errc::validation,
                              origin + ":" + std::to_string(v.source().begin.line) + ": " + key + " must be a string");
        }
    }
    return {};
}

}  // namespace

Result<TextTable> parse_text_table(std::string_view text, const std::string& origin) {
    try {
        toml::table root = toml::parse(text, origin);
        TextTable out;
        LASR_TRY(flatten(root, "", origin, out));
        return out;
    } catch (const toml::parse_error& e) {
        return make_error(Domain::config, Errc::parse,
                          origin + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    }
}

}  // namespace lasr
