#include "config/result.hpp"

namespace lasr {

std::string_view to_string(Domain d) noexcept {
    switch (d) {
        case Domain::config: return "config";
        case Domain::content: return "content";
        case Domain::media: return "media";
        case Domain::storage: return "storage";
        case Domain::usage: return "usage";
        case Domain::sync: return "sync";
        case Domain::ui: return "ui";
        case Domain::system: return "system";
    }
    return "unknown";
}

std::string_view to_string(Errc c) noexcept {
    switch (c) {
        case Errc::invalid_argument: return "invalid_argument";
        case Errc::not_found: return "not_found";
        case Errc::parse: return "parse";
        case Errc::validation: return "validation";
        case Errc::unsafe_path: return "unsafe_path";
        case Errc::hash_mismatch: return "hash_mismatch";
        case Errc::io: return "io";
        case Errc::unplayable: return "unplayable";
        case Errc::truncated: return "truncated";
        case Errc::stalled: return "stalled";
        case Errc::unavailable: return "unavailable";
        case Errc::internal: return "internal";
    }
    return "unknown";
}

std::string Error::kind() const { return std::string(to_string(domain)) + "." + std::string(to_string(code)); }

std::string Error::describe() const {
    std::string s;
    s += to_string(domain);
    s += '/';
    s += to_string(code);
    s += ": ";
    s += message;
    return s;
}

}  // namespace lasr
