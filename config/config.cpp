#include "config/config.hpp"

#include <toml++/toml.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace lasr {
namespace {

std::string where(const std::string& origin, const toml::source_region& src) {
    return origin + ":" + std::to_string(src.begin.line);
}

Error bad(const std::string& origin, const toml::source_region& src, const std::string& what) {
    return make_error(Domain::config, Errc::validation, where(origin, src) + ": " + what);
}

// Reads the keys of one [table], checking that nothing unknown is present.
class TableReader {
public:
    TableReader(const toml::table& t, std::string name, const std::string& origin)
        : t_(t), name_(std::move(name)), origin_(origin) {}

    Status get(const char* key, std::string& out) {
        seen_.insert(key);
        const toml::node* n = t_.get(key);
        if (!n) return {};
        auto v = n->value<std::string>();
        if (!n->is_string() || !v) return bad(origin_, n->source(), full(key) + " must be a string");
        out = *v;
        return {};
    }
    Status get(const char* key, std::filesystem::path& out) {
        std::string s = out.string();
        if (auto st = get(key, s); !st) return st;
        out = s;
        return {};
    }
    Status get(const char* key, bool& out) {
        seen_.insert(key);
        const toml::node* n = t_.get(key);
        if (!n) return {};
        if (!n->is_boolean()) return bad(origin_, n->source(), full(key) + " must be true or false");
        out = *n->value<bool>();
        return {};
    }
    Status get(const char* key, int& out, int lo, int hi) {
        seen_.insert(key);
        const toml::node* n = t_.get(key);
        if (!n) return {};
        if (!n->is_integer()) return bad(origin_, n->source(), full(key) + " must be a whole number");
        int64_t v = *n->value<int64_t>();
        if (v < lo || v > hi)
            return bad(origin_, n->source(),
                       full(key) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
        out = static_cast<int>(v);
        return {};
    }
    Status get(const char* key, std::vector<std::string>& out) {
        seen_.insert(key);
        const toml::node* n = t_.get(key);
        if (!n) return {};
        const toml::array* a = n->as_array();
        if (!a) return bad(origin_, n->source(), full(key) + " must be a list of strings");
        std::vector<std::string> v;
        for (const toml::node& e : *a) {
            if (!e.is_string()) return bad(origin_, e.source(), full(key) + " must be a list of strings");
            v.push_back(*e.value<std::string>());
        }
        out = std::move(v);
        return {};
    }
    // A list of commands, each a non-empty list of strings (argv).
    Status get(const char* key, std::vector<std::vector<std::string>>& out) {
        seen_.insert(key);
        const toml::node* n = t_.get(key);
        if (!n) return {};
        const char* what = " must be a list of commands, each a list of strings like [\"xset\", \"dpms\", \"force\", \"on\"]";
        const toml::array* a = n->as_array();
        if (!a) return bad(origin_, n->source(), full(key) + what);
        std::vector<std::vector<std::string>> v;
        for (const toml::node& e : *a) {
            const toml::array* argv = e.as_array();
            if (!argv || argv->empty()) return bad(origin_, e.source(), full(key) + what);
            auto& cmd = v.emplace_back();
            for (const toml::node& arg : *argv) {
                if (!arg.is_string()) return bad(origin_, arg.source(), full(key) + what);
                cmd.push_back(*arg.value<std::string>());
            }
            if (cmd.front().empty()) return bad(origin_, e.source(), full(key) + " has a command with an empty program name");
        }
        out = std::move(v);
        return {};
    }
    // A list of day windows in the compact form ("mon-fri 07:30-18:00").
    Status get(const char* key, std::optional<std::vector<DayWindow>>& out) {
        seen_.insert(key);
        const toml::node* n = t_.get(key);
        if (!n) return {};
        const toml::array* a = n->as_array();
        if (!a) return bad(origin_, n->source(), full(key) + " must be a list like [\"mon-fri 07:30-18:00\"]");
        std::vector<DayWindow> v;
        for (const toml::node& e : *a) {
            auto text = e.value<std::string>();
            if (!e.is_string() || !text) return bad(origin_, e.source(), full(key) + " must be a list of strings");
            auto w = parse_day_window(*text);
            if (!w) return bad(origin_, e.source(), full(key) + ": " + w.error().message);
            v.push_back(*w);
        }
        out = std::move(v);
        return {};
    }
    // Any key not asked for is an error: a typo must not be silently ignored.
    Status finish() {
        for (auto&& [k, v] : t_) {
            if (!seen_.count(std::string(k.str())))
                return bad(origin_, v.source(), "unknown key " + full(std::string(k.str())));
        }
        return {};
    }

private:
    std::string full(const std::string& key) const { return name_.empty() ? key : name_ + "." + key; }
    const toml::table& t_;
    std::string name_;
    const std::string& origin_;
    std::set<std::string> seen_;
};

bool valid_language(const std::string& s) {
    if (s.size() < 2 || s.size() > 8) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
    return true;
}

// An IANA zone name names a file under the zoneinfo directory: letters,
// digits, '_', '+', '-' in '/'-separated parts, never "." or "..".
bool valid_zone_name(const std::string& z) {
    if (z.empty() || z.size() > 64 || z.front() == '/' || z.back() == '/') return false;
    size_t start = 0;
    while (start <= z.size()) {
        size_t end = z.find('/', start);
        if (end == std::string::npos) end = z.size();
        std::string part = z.substr(start, end - start);
        if (part.empty() || part == "." || part == ".." || part.front() == '-') return false;
        for (char c : part)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-')) return false;
        start = end + 1;
    }
    return true;
}

Result<Config> from_table(const toml::table& root, const std::string& origin) {
    Config c;
    static const std::set<std::string> sections = {"kiosk", "display", "player", "content", "usage", "admin", "training", "screen"};
    for (auto&& [k, v] : root) {
        if (!sections.count(std::string(k.str())))
            return bad(origin, v.source(), "unknown section or key " + std::string(k.str()));
        if (!v.is_table())
            return bad(origin, v.source(), std::string(k.str()) + " must be a [section]");
    }
    auto section = [&](const char* name) -> const toml::table& {
        static const toml::table empty;
        const toml::table* t = root[name].as_table();
        return t ? *t : empty;
    };
    {
        TableReader r(section("kiosk"), "kiosk", origin);
        auto& k = c.kiosk;
        LASR_TRY(r.get("id", k.id));
        LASR_TRY(r.get("library_id", k.library_id));
        LASR_TRY(r.get("mode", k.mode));
        LASR_TRY(r.get("data_dir", k.data_dir));
        LASR_TRY(r.get("language", k.language));
        LASR_TRY(r.get("languages", k.languages));
        LASR_TRY(r.get("idle_timeout_s", k.idle_timeout_s, 10, 24 * 3600));
        LASR_TRY(r.get("time_zone", k.time_zone));
        LASR_TRY(r.finish());
        const toml::table& t = section("kiosk");
        auto line_of = [&](const char* key) {
            const toml::node* n = t.get(key);
            return n ? n->source() : t.source();
        };
        if (k.mode != "patron" && k.mode != "training")
            return bad(origin, line_of("mode"), "kiosk.mode must be \"patron\" or \"training\"");
        if (k.id.empty()) return bad(origin, line_of("id"), "kiosk.id must not be empty");
        if (k.library_id.empty()) return bad(origin, line_of("library_id"), "kiosk.library_id must not be empty");
        if (k.data_dir.empty()) return bad(origin, line_of("data_dir"), "kiosk.data_dir must not be empty");
        if (k.languages.empty()) return bad(origin, line_of("languages"), "kiosk.languages must name at least one language");
        for (const auto& l : k.languages)
            if (!valid_language(l))
                return bad(origin, line_of("languages"), "kiosk.languages has an invalid language code \"" + l + "\"");
        bool listed = false;
        for (const auto& l : k.languages) listed = listed || l == k.language;
        if (!listed)
            return bad(origin, line_of("language"),
                       "kiosk.language \"" + k.language + "\" is not one of kiosk.languages");
        if (!k.time_zone.empty()) {
            std::error_code ec;
            if (!valid_zone_name(k.time_zone) || !std::filesystem::is_regular_file(zoneinfo_dir() / k.time_zone, ec))
                return bad(origin, line_of("time_zone"),
                           "kiosk.time_zone \"" + k.time_zone + "\" is not a time zone on this system (an IANA name like "
                           "\"America/Chicago\", a file under " + zoneinfo_dir().string() + ")");
        }
    }
    {
        TableReader r(section("display"), "display", origin);
        LASR_TRY(r.get("fullscreen", c.display.fullscreen));
        LASR_TRY(r.get("width", c.display.width, 320, 7680));
        LASR_TRY(r.get("height", c.display.height, 240, 7680));
        LASR_TRY(r.finish());
    }
    {
        TableReader r(section("player"), "player", origin);
        LASR_TRY(r.get("hwdec", c.player.hwdec));
        LASR_TRY(r.get("volume", c.player.volume, 0, 100));
        LASR_TRY(r.get("mute", c.player.mute));
        LASR_TRY(r.get("audio", c.player.audio));
        LASR_TRY(r.get("captions", c.player.captions));
        LASR_TRY(r.finish());
        static const std::set<std::string> hw = {"no", "auto", "auto-safe", "auto-copy", "drm", "drm-copy",
                                                 "vaapi", "vaapi-copy", "v4l2m2m", "v4l2m2m-copy"};
        if (!hw.count(c.player.hwdec)) {
            const toml::node* n = section("player").get("hwdec");
            return bad(origin, n->source(), "player.hwdec \"" + c.player.hwdec + "\" is not a known mode (try auto-safe, or drm-copy on a Raspberry Pi)");
        }
    }
    {
        TableReader r(section("content"), "content", origin);
        LASR_TRY(r.get("pack_dir", c.content.pack_dir));
        LASR_TRY(r.finish());
    }
    {
        TableReader r(section("usage"), "usage", origin);
        LASR_TRY(r.get("enabled", c.usage.enabled));
        LASR_TRY(r.finish());
    }
    {
        TableReader r(section("admin"), "admin", origin);
        LASR_TRY(r.get("pin_hash", c.admin.pin_hash));
        LASR_TRY(r.get("max_attempts", c.admin.max_attempts, 1, 100));
        LASR_TRY(r.get("lockout_s", c.admin.lockout_s, 1, 86400));
        LASR_TRY(r.finish());
        if (!c.admin.pin_hash.empty() && c.admin.pin_hash.rfind("$argon2", 0) != 0) {
            const toml::node* n = section("admin").get("pin_hash");
            return bad(origin, n->source(), "admin.pin_hash must be a hash from `lasr-kioskctl hash-pin`, never the PIN itself");
        }
    }
    {
        TableReader r(section("training"), "training", origin);
        LASR_TRY(r.get("default_playlist", c.training.default_playlist));
        LASR_TRY(r.get("clock_trust", c.training.clock_trust));
        LASR_TRY(r.finish());
        if (c.training.clock_trust != "plausible" && c.training.clock_trust != "synced")
            return bad(origin, section("training").get("clock_trust")->source(),
                       "training.clock_trust must be \"plausible\" or \"synced\"");
    }
    {
        TableReader r(section("screen"), "screen", origin);
        LASR_TRY(r.get("on_hours", c.screen.on_hours));
        LASR_TRY(r.get("power_on", c.screen.power_on));
        LASR_TRY(r.get("power_off", c.screen.power_off));
        LASR_TRY(r.get("command_timeout_s", c.screen.command_timeout_s, 1, 120));
        LASR_TRY(r.finish());
    }
    return c;
}

}  // namespace

std::filesystem::path Config::pack_dir() const {
    if (!content.pack_dir.empty()) return content.pack_dir;
    return kiosk.data_dir / "content" / "current";
}

std::filesystem::path Config::usage_db_path() const { return kiosk.data_dir / "usage.sqlite3"; }

Result<Config> parse_config(std::string_view text, const std::string& origin) {
    // Debian's toml++ is built with exceptions: its parse error is turned
    // into our Result here, at the library boundary.
    try {
        toml::table root = toml::parse(text, origin);
        return from_table(root, origin);
    } catch (const toml::parse_error& e) {
        return make_error(Domain::config, Errc::parse,
                          origin + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    }
}

Result<Config> load_config_file(const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return make_error(Domain::config, Errc::not_found, "cannot read config file " + path.string());
    std::ostringstream ss;
    ss << f.rdbuf();
    auto r = parse_config(ss.str(), path.string());
    if (r) r->source = path;
    return r;
}

std::optional<std::filesystem::path> default_config_path() {
    if (const char* env = std::getenv("LASR_KIOSK_CONFIG"); env && *env) return std::filesystem::path(env);
    std::filesystem::path etc = "/etc/lasr-kiosk/kiosk.toml";
    std::error_code ec;
    if (std::filesystem::exists(etc, ec)) return etc;
    return std::nullopt;
}

std::filesystem::path zoneinfo_dir() {
    if (const char* env = std::getenv("TZDIR"); env && *env) return std::filesystem::path(env);
    return "/usr/share/zoneinfo";
}

}  // namespace lasr
