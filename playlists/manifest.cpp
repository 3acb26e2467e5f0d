#include "playlists/manifest.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <set>

namespace lasr {
namespace {

using json = nlohmann::json;

Error invalid(const std::string& where, const std::string& what) {
    return make_error(Domain::content, Errc::validation, "manifest " + where + ": " + what);
}

bool is_hex64(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

bool is_id(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) return false;
    return true;
}

bool is_lang(const std::string& s) {
    if (s.size() < 2 || s.size() > 8) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
    return true;
}

// 2026-11-29T03:04:05Z: seconds required, 'Z' only (the pack speaks UTC, and
// this one spelling keeps string order the same as time order), and a real
// moment: month 01-12, a day of that month, hours 00-23, minutes and seconds
// 00-59, year 1970-9999.
bool is_rfc3339_utc(const std::string& s) {
    if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return false;
    for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u, 11u, 12u, 14u, 15u, 17u, 18u})
        if (!isdigit(static_cast<unsigned char>(s[i]))) return false;
    auto num = [&](size_t at, size_t n) { return std::stoi(s.substr(at, n)); };
    using namespace std::chrono;
    int y = num(0, 4);
    year_month_day d{year{y}, month{static_cast<unsigned>(num(5, 2))}, day{static_cast<unsigned>(num(8, 2))}};
    return y >= 1970 && d.ok() && num(11, 2) < 24 && num(14, 2) < 60 && num(17, 2) < 60;
}

constexpr const char* kTimestampRule = "must be a UTC time like 2026-11-29T08:00:00Z";

// One rule for keys in the whole manifest: an object takes the keys its
// format names, and keys that start with "x-" (extensions: read by other
// tools, ignored here); any other key is refused, naming it, so a misspelt
// "untill" never quietly turns a morning rule into an all-day one, and a key
// this kiosk does not know never hides in signed bytes. (Maps keyed by
// language code take language codes.)
Status only_keys(const json& o, const std::string& where, std::initializer_list<std::string_view> keys) {
    if (!o.is_object()) return invalid(where, "must be an object");
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.key().rfind(kExtensionKeyPrefix, 0) == 0) continue;
        bool known = false;
        for (auto k : keys) known = known || it.key() == k;
        if (!known) {
            std::string list;
            for (auto k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
            return invalid(where, "unknown key \"" + it.key() + "\" (known: " + list + "; extensions start with \"" +
                                      std::string(kExtensionKeyPrefix) + "\")");
        }
    }
    return {};
}

size_t utf8_chars(std::string_view s) {
    size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

// How long a text may be and whether it may break lines.
struct TextRule {
    size_t max_chars;
    bool multiline = false;
};
constexpr TextRule kOneLine{kMaxTitleChars};
constexpr TextRule kParagraphs{kMaxSummaryChars, true};

Status check_text(const std::string& where, const std::string& s, TextRule rule) {
    size_t n = utf8_chars(s);
    if (n > rule.max_chars)
        return invalid(where, "is " + std::to_string(n) + " characters, more than the " + std::to_string(rule.max_chars) +
                                  " allowed");
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && !(rule.multiline && c == '\n')) || u == 0x7F)
            return invalid(where, rule.multiline ? "holds a control character (only line breaks are allowed)"
                                                 : "holds a control character or line break");
    }
    return {};
}

// Field readers: each names the JSON path of what is wrong.
class Reader {
public:
    explicit Reader(std::string where) : where_(std::move(where)) {}

    Result<const json*> field(const json& obj, const char* key, json::value_t type, bool required = true) const {
        if (!obj.is_object()) return invalid(where_, "must be an object");
        auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required) return invalid(at(key), "is missing");
            return static_cast<const json*>(nullptr);
        }
        bool ok = it->type() == type || (type == json::value_t::number_float && it->is_number());
        if (!ok) return invalid(at(key), std::string("must be ") + type_name(type));
        return &*it;
    }
    // The one reader of whole numbers: `lo` to `hi`, or refused naming the
    // field (a negative, a fraction, 1e3 and 2^64 alike).
    Status integer(const json& obj, const char* key, uint64_t lo, uint64_t hi, uint64_t& out,
                   bool required = true) const {
        if (!obj.is_object()) return invalid(where_, "must be an object");
        auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required) return invalid(at(key), "is missing");
            return {};
        }
        if (!it->is_number_unsigned() || it->get<uint64_t>() < lo || it->get<uint64_t>() > hi)
            return invalid(at(key), "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
        out = it->get<uint64_t>();
        return {};
    }
    // A string within `rule` (one line of at most kMaxTitleChars unless told).
    Status str(const json& obj, const char* key, std::string& out, bool required = true, TextRule rule = kOneLine) const {
        auto f = field(obj, key, json::value_t::string, required);
        if (!f) return std::move(f).error();
        if (*f) out = (*f)->get<std::string>();
        if (required && out.empty()) return invalid(at(key), "must not be empty");
        return check_text(at(key), out, rule);
    }
    // An RFC 3339 UTC time (is_rfc3339_utc), or refused naming the field.
    Status timestamp(const json& obj, const char* key, std::string& out, bool required = true) const {
        LASR_TRY(str(obj, key, out, required));
        if (!out.empty() && !is_rfc3339_utc(out)) return invalid(at(key), "\"" + out + "\" " + kTimestampRule);
        return {};
    }
    // Text per language, each within `rule`.
    Status text(const json& obj, const char* key, LocalText& out, bool required = true, TextRule rule = kOneLine) const {
        auto f = field(obj, key, json::value_t::object, required);
        if (!f) return std::move(f).error();
        if (!*f) return {};
        for (auto& [lang, v] : (*f)->items()) {
            if (!is_lang(lang)) return invalid(at(key), "\"" + lang + "\" is not a language code");
            if (!v.is_string()) return invalid(at(key) + "." + lang, "must be a string");
            if (v.get_ref<const std::string&>().empty()) return invalid(at(key) + "." + lang, "must not be empty");
            LASR_TRY(check_text(at(key) + "." + lang, v.get_ref<const std::string&>(), rule));
            out.by_lang[lang] = v.get<std::string>();
        }
        if (required && out.empty()) return invalid(at(key), "needs text in at least one language");
        return {};
    }
    Status file(const json& obj, const char* key, FileRef& out, uint64_t max_size = kMaxFileBytes) const {
        auto f = field(obj, key, json::value_t::object);
        if (!f) return std::move(f).error();
        return read_file(**f, at(key), out, max_size);
    }
    static Status read_file(const json& o, const std::string& where, FileRef& out, uint64_t max_size) {
        LASR_TRY(only_keys(o, where, {"path", "sha256", "size"}));
        Reader r(where);
        LASR_TRY(r.str(o, "path", out.path));
        if (auto st = check_pack_path(out.path); !st) return invalid(r.at("path"), st.error().message);
        LASR_TRY(r.str(o, "sha256", out.sha256));
        if (!is_hex64(out.sha256)) return invalid(r.at("sha256"), "must be 64 lowercase hex digits");
        LASR_TRY(r.integer(o, "size", 1, max_size, out.size));
        return {};
    }
    Status files_by_lang(const json& obj, const char* key, std::map<std::string, FileRef>& out, uint64_t max_size) const {
        auto f = field(obj, key, json::value_t::object, false);
        if (!f) return std::move(f).error();
        if (!*f) return {};
        for (auto& [lang, v] : (*f)->items()) {
            if (!is_lang(lang)) return invalid(at(key), "\"" + lang + "\" is not a language code");
            LASR_TRY(read_file(v, at(key) + "." + lang, out[lang], max_size));
        }
        return {};
    }
    Status strings(const json& obj, const char* key, std::vector<std::string>& out, bool required,
                   TextRule rule = kOneLine) const {
        auto f = field(obj, key, json::value_t::array, required);
        if (!f) return std::move(f).error();
        if (!*f) return {};
        for (const auto& e : **f) {
            if (!e.is_string()) return invalid(at(key), "must be a list of strings");
            LASR_TRY(check_text(at(key) + "[" + std::to_string(out.size()) + "]", e.get_ref<const std::string&>(), rule));
            out.push_back(e.get<std::string>());
        }
        return {};
    }
    std::string at(const std::string& key) const { return where_.empty() ? key : where_ + "." + key; }

private:
    static const char* type_name(json::value_t t) {
        switch (t) {
            case json::value_t::string: return "a string";
            case json::value_t::object: return "an object";
            case json::value_t::array: return "a list";
            case json::value_t::boolean: return "true or false";
            case json::value_t::number_float: return "a number";
            default: return "another type";
        }
    }
    std::string where_;
};

Status check_unique(std::set<std::string>& seen, const std::string& id, const std::string& where) {
    if (!is_id(id)) return invalid(where, "\"" + id + "\" is not a valid id (a-z, 0-9, '-', '_', '.', at most 64)");
    if (!seen.insert(id).second) return invalid(where, "id \"" + id + "\" is used twice");
    return {};
}

Status read_video(const json& o, const std::string& where, std::set<std::string>& ids, Video& v) {
    LASR_TRY(only_keys(o, where, {"id", "title", "summary", "file", "duration_s", "captions", "transcripts", "thumbnail"}));
    Reader r(where);
    LASR_TRY(r.str(o, "id", v.id));
    LASR_TRY(check_unique(ids, v.id, r.at("id")));
    LASR_TRY(r.text(o, "title", v.title));
    LASR_TRY(r.text(o, "summary", v.summary, false, kParagraphs));
    LASR_TRY(r.file(o, "file", v.file));
    auto d = r.field(o, "duration_s", json::value_t::number_float);
    if (!d) return std::move(d).error();
    v.duration_s = (*d)->get<double>();
    if (!(v.duration_s > 0 && v.duration_s < kMaxVideoSeconds))
        return invalid(r.at("duration_s"), "must be more than 0 and less than 86400 seconds");
    LASR_TRY(r.files_by_lang(o, "captions", v.captions, kMaxCaptionBytes));
    LASR_TRY(r.files_by_lang(o, "transcripts", v.transcripts, kMaxTranscriptBytes));
    auto th = r.field(o, "thumbnail", json::value_t::object, false);
    if (!th) return std::move(th).error();
    if (*th) {
        FileRef f;
        LASR_TRY(Reader::read_file(**th, r.at("thumbnail"), f, kMaxThumbnailBytes));
        v.thumbnail = f;
    }
    return {};
}

bool is_hhmm(const std::string& s) {
    if (s.size() != 5 || s[2] != ':') return false;
    if (!isdigit(static_cast<unsigned char>(s[0])) || !isdigit(static_cast<unsigned char>(s[1])) ||
        !isdigit(static_cast<unsigned char>(s[3])) || !isdigit(static_cast<unsigned char>(s[4])))
        return false;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    return (h < 24 && m < 60) || (h == 24 && m == 0);
}

Status read_resource(const json& o, const std::string& where, std::set<std::string>& ids, Resource& res) {
    static const std::set<std::string> days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    LASR_TRY(only_keys(o, where, {"id", "name", "category", "description", "phone", "sms", "website", "address",
                                  "always_open", "national", "sample", "hours", "languages"}));
    Reader r(where);
    LASR_TRY(r.str(o, "id", res.id));
    LASR_TRY(check_unique(ids, res.id, r.at("id")));
    LASR_TRY(r.str(o, "name", res.name));
    LASR_TRY(r.str(o, "category", res.category));
    bool known = false;
    for (const auto& c : kResourceCategories) known = known || c == res.category;
    if (!known) return invalid(r.at("category"), "\"" + res.category + "\" is not a known category");
    LASR_TRY(r.text(o, "description", res.description, true, kParagraphs));
    LASR_TRY(r.str(o, "phone", res.phone, false, {kMaxPhoneChars}));
    LASR_TRY(r.str(o, "sms", res.sms, false, {kMaxPhoneChars}));
    LASR_TRY(r.str(o, "website", res.website, false, {kMaxUrlChars}));
    if (!res.website.empty() && res.website.rfind("https://", 0) != 0 && res.website.rfind("http://", 0) != 0)
        return invalid(r.at("website"), "must start with https:// or http://");
    LASR_TRY(r.str(o, "address", res.address, false, {kMaxAddressChars, true}));
    if (res.phone.empty() && res.website.empty() && res.address.empty() && res.sms.empty())
        return invalid(where, "needs at least a phone, a text line, a website or an address");
    for (const char* flag : {"always_open", "national", "sample"}) {
        auto f = r.field(o, flag, json::value_t::boolean, false);
        if (!f) return std::move(f).error();
        bool v = *f && (*f)->get<bool>();
        if (std::string_view(flag) == "always_open") res.always_open = v;
        else if (std::string_view(flag) == "national") res.national = v;
        else res.sample = v;
    }
    auto hours = r.field(o, "hours", json::value_t::array, false);
    if (!hours) return std::move(hours).error();
    if (*hours) {
        size_t i = 0;
        for (const auto& h : **hours) {
            std::string hw = r.at("hours") + "[" + std::to_string(i++) + "]";
            LASR_TRY(only_keys(h, hw, {"days", "open", "close"}));
            Reader hr(hw);
            OpeningSpan span;
            LASR_TRY(hr.strings(h, "days", span.days, true));
            for (const auto& d : span.days)
                if (!days.count(d)) return invalid(hr.at("days"), "\"" + d + "\" is not one of mon..sun");
            LASR_TRY(hr.str(h, "open", span.open));
            LASR_TRY(hr.str(h, "close", span.close));
            if (!is_hhmm(span.open)) return invalid(hr.at("open"), "must be HH:MM");
            if (!is_hhmm(span.close)) return invalid(hr.at("close"), "must be HH:MM");
            res.hours.push_back(std::move(span));
        }
    }
    LASR_TRY(r.strings(o, "languages", res.languages, false, {kMaxLanguageNameChars}));
    return {};
}

Status read_alert(const json& o, const std::string& where, std::set<std::string>& ids,
                  const std::set<std::string>& resource_ids, Alert& a) {
    LASR_TRY(only_keys(o, where, {"id", "severity", "title", "body", "starts", "ends", "pin_resources"}));
    Reader r(where);
    LASR_TRY(r.str(o, "id", a.id));
    LASR_TRY(check_unique(ids, a.id, r.at("id")));
    LASR_TRY(r.str(o, "severity", a.severity));
    bool known = false;
    for (const auto& s : kAlertSeverities) known = known || s == a.severity;
    if (!known) return invalid(r.at("severity"), "must be info, warning or emergency");
    LASR_TRY(r.text(o, "title", a.title));
    LASR_TRY(r.text(o, "body", a.body, false, kParagraphs));
    LASR_TRY(r.timestamp(o, "starts", a.starts, false));
    LASR_TRY(r.timestamp(o, "ends", a.ends, false));
    if (!a.starts.empty() && !a.ends.empty() && a.ends <= a.starts) return invalid(r.at("ends"), "must be after starts");
    LASR_TRY(r.strings(o, "pin_resources", a.pin_resources, false));
    for (const auto& id : a.pin_resources)
        if (!resource_ids.count(id)) return invalid(r.at("pin_resources"), "names no resource \"" + id + "\"");
    return {};
}

Result<std::chrono::year_month_day> read_date(const std::string& s, const std::string& where) {
    using namespace std::chrono;
    auto digits = [&](size_t from, size_t n) {
        for (size_t i = from; i < from + n; ++i)
            if (s[i] < '0' || s[i] > '9') return false;
        return true;
    };
    if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(0, 4) || !digits(5, 2) || !digits(8, 2))
        return invalid(where, "\"" + s + "\" is not a date like 2026-12-01");
    year_month_day d{year{std::stoi(s.substr(0, 4))}, month{static_cast<unsigned>(std::stoi(s.substr(5, 2)))},
                     day{static_cast<unsigned>(std::stoi(s.substr(8, 2)))}};
    if (!d.ok()) return invalid(where, "\"" + s + "\" is not a day of the calendar");
    return d;
}

std::string date_string(std::chrono::year_month_day d) {
    char b[32];
    std::snprintf(b, sizeof b, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return b;
}

// {"days": ["mon-fri"], "from": "07:30", "until": "18:00"}, each optional.
Status read_window(const json& o, const Reader& r, DayWindow& out) {
    std::vector<std::string> days;
    LASR_TRY(r.strings(o, "days", days, false));
    uint8_t mask = kEveryDay;
    if (o.contains("days")) {
        auto m = parse_days(days);
        if (!m) return invalid(r.at("days"), m.error().message);
        mask = *m;
    }
    std::string from, until;
    LASR_TRY(r.str(o, "from", from, false));
    LASR_TRY(r.str(o, "until", until, false));
    auto w = make_day_window(mask, from, until);
    if (!w) return invalid(r.at(o.contains("from") ? "from" : "until"), w.error().message);
    out = *w;
    return {};
}

Status read_schedules(const json& o, const Catalog& cat, Schedules& out) {
    LASR_TRY(only_keys(o, "schedules", {"default_playlist", "playlists", "rules", "screen_hours"}));
    Reader r("schedules");
    std::set<std::string> playlist_ids;
    auto pls = r.field(o, "playlists", json::value_t::array, false);
    if (!pls) return std::move(pls).error();
    if (*pls) {
        size_t i = 0;
        for (const auto& po : **pls) {
            std::string where = "schedules.playlists[" + std::to_string(i++) + "]";
            LASR_TRY(only_keys(po, where, {"id", "title", "course", "videos"}));
            Reader pr(where);
            Playlist p;
            LASR_TRY(pr.str(po, "id", p.id));
            if (p.id == kAllCoursesPlaylist)
                return invalid(pr.at("id"), "\"all-courses\" is built in (every course in order); choose another id");
            LASR_TRY(check_unique(playlist_ids, p.id, pr.at("id")));
            LASR_TRY(pr.text(po, "title", p.title, false));
            LASR_TRY(pr.str(po, "course", p.course, false));
            LASR_TRY(pr.strings(po, "videos", p.videos, false));
            if (p.course.empty() == p.videos.empty())
                return invalid(where, "needs either \"course\" (a course in order) or \"videos\" (a list of video ids)");
            if (!p.course.empty() && !cat.find_course(p.course))
                return invalid(pr.at("course"), "names no course \"" + p.course + "\"");
            for (const auto& v : p.videos)
                if (!cat.find_video(v)) return invalid(pr.at("videos"), "names no video \"" + v + "\"");
            out.playlists.push_back(std::move(p));
        }
    }
    auto known_playlist = [&](const std::string& id) { return id == kAllCoursesPlaylist || playlist_ids.count(id); };
    LASR_TRY(r.str(o, "default_playlist", out.default_playlist, false));
    if (!out.default_playlist.empty() && !known_playlist(out.default_playlist))
        return invalid(r.at("default_playlist"), "names no playlist \"" + out.default_playlist + "\"");

    auto rules = r.field(o, "rules", json::value_t::array, false);
    if (!rules) return std::move(rules).error();
    if (*rules) {
        std::set<std::string> rule_ids;
        size_t i = 0;
        for (const auto& ro : **rules) {
            std::string where = "schedules.rules[" + std::to_string(i++) + "]";
            LASR_TRY(only_keys(ro, where,
                               {"id", "playlist", "days", "from", "until", "starts_on", "ends_on", "except_on", "priority"}));
            Reader rr(where);
            ScheduleRule rule;
            LASR_TRY(rr.str(ro, "id", rule.id));
            LASR_TRY(check_unique(rule_ids, rule.id, rr.at("id")));
            LASR_TRY(rr.str(ro, "playlist", rule.playlist));
            if (!known_playlist(rule.playlist)) return invalid(rr.at("playlist"), "names no playlist \"" + rule.playlist + "\"");
            LASR_TRY(read_window(ro, rr, rule.window));
            for (const char* key : {"starts_on", "ends_on"}) {
                std::string text;
                LASR_TRY(rr.str(ro, key, text, false));
                if (text.empty()) continue;
                auto d = read_date(text, rr.at(key));
                if (!d) return std::move(d).error();
                (std::string_view(key) == "starts_on" ? rule.starts_on : rule.ends_on) = *d;
            }
            if (rule.starts_on && rule.ends_on && *rule.ends_on < *rule.starts_on)
                return invalid(rr.at("ends_on"), "is before starts_on");
            std::vector<std::string> except;
            LASR_TRY(rr.strings(ro, "except_on", except, false));
            for (const auto& e : except) {
                auto d = read_date(e, rr.at("except_on"));
                if (!d) return std::move(d).error();
                rule.except_on.push_back(*d);
            }
            uint64_t prio = 0;
            LASR_TRY(rr.integer(ro, "priority", 0, kMaxRulePriority, prio, false));
            rule.priority = static_cast<int>(prio);
            out.rules.push_back(std::move(rule));
        }
    }
    auto hours = r.field(o, "screen_hours", json::value_t::array, false);
    if (!hours) return std::move(hours).error();
    if (*hours) {
        size_t i = 0;
        for (const auto& ho : **hours) {
            std::string where = "schedules.screen_hours[" + std::to_string(i++) + "]";
            LASR_TRY(only_keys(ho, where, {"days", "from", "until"}));
            DayWindow w;
            LASR_TRY(read_window(ho, Reader(where), w));
            out.screen_hours.push_back(w);
        }
    }
    return {};
}

json window_json(const DayWindow& w) {
    json o = json::object();
    if (w.days != kEveryDay) {
        json days = json::array();
        std::string text = format_days(w.days);
        for (size_t start = 0;;) {
            size_t comma = text.find(',', start);
            days.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        o["days"] = std::move(days);
    }
    if (w.from_min != 0) o["from"] = format_hhmm(w.from_min);
    if (w.until_min != 1440) o["until"] = format_hhmm(w.until_min);
    return o;
}

json schedules_json(const Schedules& s);

json file_json(const FileRef& f) { return json{{"path", f.path}, {"sha256", f.sha256}, {"size", f.size}}; }

json text_json(const LocalText& t) {
    json o = json::object();
    for (const auto& [l, s] : t.by_lang) o[l] = s;
    return o;
}

}  // namespace

Status check_pack_path(std::string_view p) {
    auto refuse = [&](const std::string& why) {
        return make_error(Domain::content, Errc::unsafe_path, "path \"" + std::string(p) + "\" " + why);
    };
    if (p.empty()) return refuse("is empty");
    if (p.size() > 255) return refuse("is longer than 255 bytes");
    if (p.front() == '/') return refuse("is absolute; pack paths are relative to the pack");
    size_t start = 0;
    while (start <= p.size()) {
        size_t end = p.find('/', start);
        if (end == std::string_view::npos) end = p.size();
        std::string_view part = p.substr(start, end - start);
        if (part.empty()) return refuse("has an empty component");
        if (part == "." || part == "..") return refuse("has a \"" + std::string(part) + "\" component");
        if (part.front() == '-') return refuse("has a component that starts with '-'");
        for (char c : part) {
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
            if (!ok) return refuse("has a character outside A-Z a-z 0-9 . _ -");
        }
        start = end + 1;
        if (end == p.size()) break;
    }
    return {};
}

namespace {

constexpr int kMaxJsonDepth = 16;  // the format needs 7

// The one JSON reader of manifests (and of a schedules section on its own).
// Strict, so that the signed bytes have one reading: RFC 8259 JSON, valid
// UTF-8, nothing after the value, no comments, no key twice in any object
// (another parser might keep the first where nlohmann keeps the last), and
// no deeper nesting than the format has use for.
Result<json> parse_strict(std::string_view text, const std::string& what) {
    struct Frame {
        bool object;
        std::set<std::string> keys;
        std::string key;
        size_t next = 0, index = 0;
    };
    std::vector<Frame> stack;
    std::string duplicate, too_deep;
    auto path = [&] {
        std::string p;
        for (const auto& f : stack) {
            if (f.object) p += (p.empty() ? "" : ".") + f.key;
            else p += "[" + std::to_string(f.index) + "]";
        }
        return p;
    };
    auto enter_value = [&] {
        if (!stack.empty() && !stack.back().object) stack.back().index = stack.back().next++;
    };
    json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
            case json::parse_event_t::array_start:
                enter_value();
                if (depth > kMaxJsonDepth && too_deep.empty()) too_deep = path();
                stack.push_back(Frame{event == json::parse_event_t::object_start, {}, {}});
                break;
            case json::parse_event_t::key: {
                auto& top = stack.back();
                top.key = parsed.get<std::string>();
                if (!top.keys.insert(top.key).second && duplicate.empty()) duplicate = path();
                break;
            }
            case json::parse_event_t::value: enter_value(); break;
            case json::parse_event_t::object_end:
            case json::parse_event_t::array_end: stack.pop_back(); break;
        }
        return true;
    };
    json root = json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/false);
    if (root.is_discarded()) return make_error(Domain::content, Errc::parse, what + " is not valid JSON");
    if (!duplicate.empty())
        return make_error(Domain::content, Errc::parse,
                          what + " " + duplicate + ": the key appears twice in one object (each key once: refused)");
    if (!too_deep.empty())
        return make_error(Domain::content, Errc::parse,
                          what + " " + too_deep + ": nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    return root;
}

}  // namespace

Status check_webvtt(std::string_view text) {
    auto bad = [](const std::string& what) { return make_error(Domain::content, Errc::validation, "WebVTT " + what); };
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    if (text.substr(0, 6) != "WEBVTT" || (text.size() > 6 && text[6] != ' ' && text[6] != '\t' && text[6] != '\n' && text[6] != '\r'))
        return bad("file must start with \"WEBVTT\"");
    // Blocks are separated by blank lines; a cue's block has a timing line
    // ("00:01.000 --> 00:02.000") and then its text, up to the next blank line.
    size_t line_no = 0, cue = 0, cue_line = 0, cue_chars = 0, cue_lines = 0;
    bool in_cue = false;
    for (size_t start = 0; start <= text.size();) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        start = end + 1;
        ++line_no;
        if (line.empty()) {
            in_cue = false;
            continue;
        }
        if (!in_cue && line.find("-->") != std::string_view::npos) {
            in_cue = true;
            ++cue;
            cue_line = line_no;
            cue_chars = cue_lines = 0;
            continue;
        }
        if (!in_cue) continue;  // an identifier, NOTE, STYLE or REGION block
        cue_chars += utf8_chars(line);
        ++cue_lines;
        std::string which = "cue " + std::to_string(cue) + " (line " + std::to_string(cue_line) + ")";
        if (cue_chars > kMaxCueChars)
            return bad(which + " has more than " + std::to_string(kMaxCueChars) + " characters of text");
        if (cue_lines > kMaxCueLines)
            return bad(which + " has more than " + std::to_string(kMaxCueLines) + " lines of text");
    }
    return {};
}

Result<Catalog> parse_manifest(std::string_view text) {
    auto parsed = parse_strict(text, "manifest");
    if (!parsed) return std::move(parsed).error();
    const json& root = *parsed;
    if (!root.is_object()) return invalid("", "must be a JSON object");
    LASR_TRY(only_keys(root, "(top level)", {"format", "format_version", "library_id", "library_name", "version", "issued",
                                             "expires", "languages", "courses", "resources", "alerts", "schedules"}));

    Catalog cat;
    Reader r("");
    std::string format;
    LASR_TRY(r.str(root, "format", format));
    if (format != "lasr-pack") return invalid("format", "must be \"lasr-pack\", not \"" + format + "\"");
    uint64_t format_version = 0;
    LASR_TRY(r.integer(root, "format_version", 1, kMaxPackVersion, format_version));
    if (format_version != kManifestFormatVersion)
        return make_error(Domain::content, Errc::validation,
                          "manifest format_version " + std::to_string(format_version) +
                              " is not supported (this kiosk reads version " +
                              std::to_string(kManifestFormatVersion) + ")");
    cat.info.format_version = kManifestFormatVersion;
    LASR_TRY(r.str(root, "library_id", cat.info.library_id, true, {kMaxLibraryIdChars}));
    LASR_TRY(r.str(root, "library_name", cat.info.library_name, false));
    LASR_TRY(r.integer(root, "version", 1, kMaxPackVersion, cat.info.version));
    LASR_TRY(r.timestamp(root, "issued", cat.info.issued));
    LASR_TRY(r.timestamp(root, "expires", cat.info.expires, false));
    LASR_TRY(r.strings(root, "languages", cat.info.languages, true));
    if (cat.info.languages.empty()) return invalid("languages", "must name at least one language");
    for (const auto& l : cat.info.languages)
        if (!is_lang(l)) return invalid("languages", "\"" + l + "\" is not a language code");

    std::set<std::string> course_ids, video_ids, resource_ids, paths;
    auto courses = r.field(root, "courses", json::value_t::array);
    if (!courses) return std::move(courses).error();
    size_t ci = 0;
    for (const auto& co : **courses) {
        std::string where = "courses[" + std::to_string(ci++) + "]";
        LASR_TRY(only_keys(co, where, {"id", "title", "summary", "videos"}));
        Reader cr(where);
        Course c;
        LASR_TRY(cr.str(co, "id", c.id));
        LASR_TRY(check_unique(course_ids, c.id, cr.at("id")));
        LASR_TRY(cr.text(co, "title", c.title));
        LASR_TRY(cr.text(co, "summary", c.summary, false, kParagraphs));
        auto vids = cr.field(co, "videos", json::value_t::array);
        if (!vids) return std::move(vids).error();
        size_t vi = 0;
        for (const auto& vo : **vids) {
            Video v;
            LASR_TRY(read_video(vo, cr.at("videos[" + std::to_string(vi++) + "]"), video_ids, v));
            c.videos.push_back(std::move(v));
        }
        if (c.videos.empty()) return invalid(cr.at("videos"), "a course needs at least one video");
        cat.courses.push_back(std::move(c));
    }
    auto res = r.field(root, "resources", json::value_t::array, false);
    if (!res) return std::move(res).error();
    if (*res) {
        size_t ri = 0;
        for (const auto& ro : **res) {
            Resource rs;
            LASR_TRY(read_resource(ro, "resources[" + std::to_string(ri++) + "]", resource_ids, rs));
            cat.resources.push_back(std::move(rs));
        }
    }
    auto alerts = r.field(root, "alerts", json::value_t::array, false);
    if (!alerts) return std::move(alerts).error();
    if (*alerts) {
        std::set<std::string> alert_ids;
        size_t ai = 0;
        for (const auto& ao : **alerts) {
            Alert a;
            LASR_TRY(read_alert(ao, "alerts[" + std::to_string(ai++) + "]", alert_ids, resource_ids, a));
            cat.alerts.push_back(std::move(a));
        }
    }
    auto sched = r.field(root, "schedules", json::value_t::object, false);
    if (!sched) return std::move(sched).error();
    if (*sched) LASR_TRY(read_schedules(**sched, cat, cat.schedules));
    // Two entries naming one path must agree on its content.
    std::map<std::string, FileRef> by_path;
    for (const auto& c : cat.courses)
        for (const auto& v : c.videos) {
            std::vector<const FileRef*> refs{&v.file};
            for (const auto& [l, f] : v.captions) refs.push_back(&f);
            for (const auto& [l, f] : v.transcripts) refs.push_back(&f);
            if (v.thumbnail) refs.push_back(&*v.thumbnail);
            for (const FileRef* f : refs) {
                auto [it, fresh] = by_path.emplace(f->path, *f);
                if (!fresh && (it->second.sha256 != f->sha256 || it->second.size != f->size))
                    return invalid("video " + v.id, "file \"" + f->path + "\" is listed twice with different hashes");
            }
        }
    return cat;
}

std::string write_manifest(const Catalog& cat) {
    json root;
    root["format"] = "lasr-pack";
    root["format_version"] = kManifestFormatVersion;
    root["library_id"] = cat.info.library_id;
    if (!cat.info.library_name.empty()) root["library_name"] = cat.info.library_name;
    root["version"] = cat.info.version;
    root["issued"] = cat.info.issued;
    if (!cat.info.expires.empty()) root["expires"] = cat.info.expires;
    root["languages"] = cat.info.languages;
    json courses = json::array();
    for (const auto& c : cat.courses) {
        json co{{"id", c.id}, {"title", text_json(c.title)}};
        if (!c.summary.empty()) co["summary"] = text_json(c.summary);
        json vids = json::array();
        for (const auto& v : c.videos) {
            json vo{{"id", v.id}, {"title", text_json(v.title)}, {"file", file_json(v.file)}, {"duration_s", v.duration_s}};
            if (!v.summary.empty()) vo["summary"] = text_json(v.summary);
            if (!v.captions.empty()) {
                json caps = json::object();
                for (const auto& [l, f] : v.captions) caps[l] = file_json(f);
                vo["captions"] = caps;
            }
            if (!v.transcripts.empty()) {
                json tr = json::object();
                for (const auto& [l, f] : v.transcripts) tr[l] = file_json(f);
                vo["transcripts"] = tr;
            }
            if (v.thumbnail) vo["thumbnail"] = file_json(*v.thumbnail);
            vids.push_back(std::move(vo));
        }
        co["videos"] = std::move(vids);
        courses.push_back(std::move(co));
    }
    root["courses"] = std::move(courses);
    json res = json::array();
    for (const auto& r : cat.resources) {
        json ro{{"id", r.id}, {"name", r.name}, {"category", r.category}, {"description", text_json(r.description)}};
        if (!r.phone.empty()) ro["phone"] = r.phone;
        if (!r.sms.empty()) ro["sms"] = r.sms;
        if (!r.website.empty()) ro["website"] = r.website;
        if (!r.address.empty()) ro["address"] = r.address;
        if (r.always_open) ro["always_open"] = true;
        if (r.national) ro["national"] = true;
        if (r.sample) ro["sample"] = true;
        if (!r.hours.empty()) {
            json hs = json::array();
            for (const auto& h : r.hours) hs.push_back(json{{"days", h.days}, {"open", h.open}, {"close", h.close}});
            ro["hours"] = std::move(hs);
        }
        if (!r.languages.empty()) ro["languages"] = r.languages;
        res.push_back(std::move(ro));
    }
    root["resources"] = std::move(res);
    if (!cat.alerts.empty()) {
        json al = json::array();
        for (const auto& a : cat.alerts) {
            json ao{{"id", a.id}, {"severity", a.severity}, {"title", text_json(a.title)}};
            if (!a.body.empty()) ao["body"] = text_json(a.body);
            if (!a.starts.empty()) ao["starts"] = a.starts;
            if (!a.ends.empty()) ao["ends"] = a.ends;
            if (!a.pin_resources.empty()) ao["pin_resources"] = a.pin_resources;
            al.push_back(std::move(ao));
        }
        root["alerts"] = std::move(al);
    }
    if (!cat.schedules.empty()) root["schedules"] = schedules_json(cat.schedules);
    return root.dump(2) + "\n";
}

Result<Schedules> parse_schedules_json(std::string_view json_text, const Catalog& catalog) {
    auto o = parse_strict(json_text, "schedules");
    if (!o) return std::move(o).error();
    Schedules s;
    LASR_TRY(read_schedules(*o, catalog, s));
    return s;
}

namespace {

json schedules_json(const Schedules& s) {
    json o = json::object();
    if (!s.default_playlist.empty()) o["default_playlist"] = s.default_playlist;
    if (!s.playlists.empty()) {
        json pls = json::array();
        for (const auto& p : s.playlists) {
            json po{{"id", p.id}};
            if (!p.title.empty()) po["title"] = text_json(p.title);
            if (!p.course.empty()) po["course"] = p.course;
            else po["videos"] = p.videos;
            pls.push_back(std::move(po));
        }
        o["playlists"] = std::move(pls);
    }
    if (!s.rules.empty()) {
        json rules = json::array();
        for (const auto& r : s.rules) {
            json ro = window_json(r.window);
            ro["id"] = r.id;
            ro["playlist"] = r.playlist;
            if (r.starts_on) ro["starts_on"] = date_string(*r.starts_on);
            if (r.ends_on) ro["ends_on"] = date_string(*r.ends_on);
            if (!r.except_on.empty()) {
                json ex = json::array();
                for (const auto& d : r.except_on) ex.push_back(date_string(d));
                ro["except_on"] = std::move(ex);
            }
            if (r.priority != 0) ro["priority"] = r.priority;
            rules.push_back(std::move(ro));
        }
        o["rules"] = std::move(rules);
    }
    if (!s.screen_hours.empty()) {
        json hours = json::array();
        for (const auto& w : s.screen_hours) hours.push_back(window_json(w));
        o["screen_hours"] = std::move(hours);
    }
    return o;
}

}  // namespace

}  // namespace lasr
