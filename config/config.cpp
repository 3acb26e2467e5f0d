#include "config/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
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

// The shape of a minisign public key line (base64 of "Ed" + 40 bytes); the
// key itself is checked when content is verified.
bool looks_like_minisign_key(const std::string& s) {
    if (s.size() != 56 || s.rfind("RW", 0) != 0) return false;
    for (char ch : s)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '/')) return false;
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
        LASR_TRY(r.get("branch", k.branch));
        LASR_TRY(r.get("daily_restart", k.daily_restart));
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
        k.daily_restart_min = -1;
        if (!k.daily_restart.empty()) {
            auto m = parse_hhmm(k.daily_restart, false);
            if (!m)
                return bad(origin, line_of("daily_restart"),
                           "kiosk.daily_restart must be a local time \"HH:MM\" (e.g. \"04:00\"), or \"\" for never");
            k.daily_restart_min = *m;
        }
        auto id_char = [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
        };
        if (k.branch.size() > 64 || !std::all_of(k.branch.begin(), k.branch.end(), id_char))
            return bad(origin, line_of("branch"),
                       "kiosk.branch must be at most 64 letters, digits, '-', '_' or '.' (it is sent in heartbeats)");
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
        LASR_TRY(r.get("preroll", c.player.preroll));
        LASR_TRY(r.finish());
        static const std::set<std::string> hw = {"no", "auto", "auto-safe", "auto-copy", "drm", "drm-copy",
                                                 "vaapi", "vaapi-copy", "v4l2m2m", "v4l2m2m-copy"};
        if (!hw.count(c.player.hwdec)) {
            const toml::node* n = section("player").get("hwdec");
            return bad(origin, n->source(), "player.hwdec \"" + c.player.hwdec + "\" is not a known mode (try auto-safe, or drm-copy on a Raspberry Pi)");
        }
    }
    {
        const toml::table& t = section("content");
        TableReader r(t, "content", origin);
        auto& ct = c.content;
        LASR_TRY(r.get("pack_dir", ct.pack_dir));
        LASR_TRY(r.get("server_url", ct.server_url));
        LASR_TRY(r.get("poll_interval_s", ct.poll_interval_s, 10, 24 * 3600));
        LASR_TRY(r.get("public_key", ct.public_key));
        LASR_TRY(r.get("next_public_key", ct.next_public_key));
        LASR_TRY(r.get("ca_file", ct.ca_file));
        LASR_TRY(r.get("disk_budget_mb", ct.disk_budget_mb, 0, 16 * 1024 * 1024));
        LASR_TRY(r.get("stall_timeout_s", ct.stall_timeout_s, 2, 3600));
        LASR_TRY(r.get("download_dir", ct.download_dir));
        LASR_TRY(r.finish());
        auto line_of = [&](const char* key) {
            const toml::node* n = t.get(key);
            return n ? n->source() : t.source();
        };
        if (!ct.server_url.empty() && ct.server_url.rfind("https://", 0) != 0 && ct.server_url.rfind("http://", 0) != 0)
            return bad(origin, line_of("server_url"), "content.server_url must start with https:// or http://");
        for (const char* key : {"public_key", "next_public_key"}) {
            const std::string& k = std::string_view(key) == "public_key" ? ct.public_key : ct.next_public_key;
            if (!k.empty() && !looks_like_minisign_key(k))
                return bad(origin, line_of(key),
                           std::string("content.") + key +
                               " must be a minisign public key: the 56-character line starting with RW from a .pub file");
        }
    }
    {
        TableReader r(section("usage"), "usage", origin);
        auto& u = c.usage;
        LASR_TRY(r.get("enabled", u.enabled));
        LASR_TRY(r.get("home_page", u.home_page));
        LASR_TRY(r.get("trust_rtc", u.trust_rtc));
        LASR_TRY(r.get("lrs_url", u.lrs_url));
        LASR_TRY(r.get("lrs_user", u.lrs_user));
        LASR_TRY(r.get("lrs_password", u.lrs_password));
        LASR_TRY(r.get("lrs_credentials_file", u.lrs_credentials_file));
        LASR_TRY(r.get("batch_max_statements", u.batch_max_statements, 1, 1000));
        LASR_TRY(r.get("batch_max_kb", u.batch_max_kb, 16, 16 * 1024));
        LASR_TRY(r.get("sync_interval_s", u.sync_interval_s, 5, 24 * 3600));
        LASR_TRY(r.get("backoff_cap_s", u.backoff_cap_s, 10, 24 * 3600));
        LASR_TRY(r.get("request_timeout_s", u.request_timeout_s, 2, 600));
        LASR_TRY(r.get("retention_days", u.retention_days, 1, 3660));
        LASR_TRY(r.get("retention_mb", u.retention_mb, 1, 64 * 1024));
        LASR_TRY(r.get("heartbeat_interval_s", u.heartbeat_interval_s, 10, 24 * 3600));
        LASR_TRY(r.finish());
        const toml::table& t = section("usage");
        auto at = [&](const char* key) {
            const toml::node* n = t.get(key);
            return n ? n->source() : t.source();
        };
        auto is_http_url = [](const std::string& s) {
            return (s.rfind("https://", 0) == 0 && s.size() > 8) || (s.rfind("http://", 0) == 0 && s.size() > 7);
        };
        if (!u.home_page.empty() && !is_http_url(u.home_page))
            return bad(origin, at("home_page"), "usage.home_page must be an http:// or https:// URL");
        if (!u.lrs_url.empty() && !is_http_url(u.lrs_url))
            return bad(origin, at("lrs_url"), "usage.lrs_url must be an http:// or https:// URL");
        for (char ch : u.lrs_url + u.home_page)
            if (static_cast<unsigned char>(ch) <= ' ')
                return bad(origin, at(u.lrs_url.find(ch) != std::string::npos ? "lrs_url" : "home_page"),
                           "usage URLs must not contain spaces or control characters");
        if (u.lrs_user.find(':') != std::string::npos)
            return bad(origin, at("lrs_user"), "usage.lrs_user must not contain ':' (HTTP Basic auth)");
        if (!u.lrs_credentials_file.empty() && (!u.lrs_user.empty() || !u.lrs_password.empty()))
            return bad(origin, at("lrs_credentials_file"),
                       "usage.lrs_credentials_file and usage.lrs_user/lrs_password are alternatives: set one");
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

std::string UsageSettings::actor_home_page(const std::string& library_id) const {
    if (!home_page.empty()) return home_page;
    // Characters outside [A-Za-z0-9._-] are dropped: the result stays a URL.
    std::string safe;
    for (char ch : library_id)
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
            ch == '_' || ch == '-')
            safe += ch;
    return "https://lasr-kiosk.invalid/library/" + safe;
}

std::filesystem::path Config::content_store_dir() const { return kiosk.data_dir / "content"; }

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
