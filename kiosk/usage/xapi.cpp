#include "kiosk/usage/xapi.hpp"

#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>

namespace lasr::xapi {
namespace {

// ------------------------------------------------------------------ vocabulary

constexpr std::string_view kAdl = "http://adlnet.gov/expapi/verbs/";
constexpr std::string_view kVideoExt = "https://w3id.org/xapi/video/extensions/";
constexpr std::string_view kVideoVerbs = "https://w3id.org/xapi/video/verbs/";
constexpr std::string_view kVideoType = "https://w3id.org/xapi/video/activity-type/video";
constexpr std::string_view kProfileType = "http://adlnet.gov/expapi/activities/profile";
constexpr std::string_view kCourseType = "http://adlnet.gov/expapi/activities/course";
constexpr std::string_view kTincanVerbs = "http://id.tincanapi.com/verb/";
constexpr std::string_view kLasrExt = "https://lasr-kiosk.invalid/xapi/ext/";
constexpr std::string_view kLasrTypes = "https://lasr-kiosk.invalid/xapi/activity-types/";
constexpr std::string_view kLasrVerbs = "https://lasr-kiosk.invalid/xapi/verbs/";
static_assert(kLasrVocab == "https://lasr-kiosk.invalid/xapi/", "keep kLasrExt, kLasrTypes and kLasrVerbs in step");
static_assert(kHeartbeatVerb == "https://lasr-kiosk.invalid/xapi/verbs/reported" &&
                  kHealthExtension == "https://lasr-kiosk.invalid/xapi/ext/health",
              "keep the heartbeat's IRIs in step with kLasrVerbs and kLasrExt");

// A verb: its IRI is base + name, and its English display is the name.
struct VerbInfo {
    std::string_view base;
    std::string_view name;
};

VerbInfo verb_for(EventKind k) {
    switch (k) {
        case EventKind::app_started:
        case EventKind::session_started:
        case EventKind::video_initialized: return {kAdl, "initialized"};
        case EventKind::app_stopped:
        case EventKind::session_ended:
        case EventKind::video_terminated: return {kAdl, "terminated"};
        case EventKind::kiosk_error: return {kAdl, "failed"};
        case EventKind::course_opened: return {kAdl, "launched"};
        case EventKind::resource_viewed:
        case EventKind::qr_shown:
        case EventKind::alert_shown: return {kTincanVerbs, "viewed"};
        case EventKind::video_played: return {kVideoVerbs, "played"};
        case EventKind::video_paused: return {kVideoVerbs, "paused"};
        case EventKind::video_seeked: return {kVideoVerbs, "seeked"};
        case EventKind::video_completed: return {kAdl, "completed"};
    }
    return {"", ""};
}

constexpr std::array<std::pair<EventKind, std::string_view>, 15> kKindNames = {{
    {EventKind::app_started, "app_started"},
    {EventKind::app_stopped, "app_stopped"},
    {EventKind::kiosk_error, "kiosk_error"},
    {EventKind::session_started, "session_started"},
    {EventKind::session_ended, "session_ended"},
    {EventKind::course_opened, "course_opened"},
    {EventKind::resource_viewed, "resource_viewed"},
    {EventKind::qr_shown, "qr_shown"},
    {EventKind::alert_shown, "alert_shown"},
    {EventKind::video_initialized, "video_initialized"},
    {EventKind::video_played, "video_played"},
    {EventKind::video_paused, "video_paused"},
    {EventKind::video_seeked, "video_seeked"},
    {EventKind::video_completed, "video_completed"},
    {EventKind::video_terminated, "video_terminated"},
}};

// ------------------------------------------------------------------ checks

Error invalid(std::string message) { return make_error(Domain::usage, Errc::invalid_argument, std::move(message)); }

Status check_number(std::string_view what, double v) {
    if (!std::isfinite(v) || v < 0) return invalid(std::string(what) + " must be a finite number >= 0");
    return {};
}

// Positions to the millisecond: enough for a report, and a short, stable
// decimal in the JSON.
double ms(double seconds) { return std::round(seconds * 1000.0) / 1000.0; }

bool unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~';
}

// The id's bytes outside [A-Za-z0-9._~-] as %XX (upper-case hex).
void append_percent_encoded(std::string& out, std::string_view v) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (char c : v) {
        if (unreserved(c)) {
            out += c;
        } else {
            auto u = static_cast<unsigned char>(c);
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
}

std::string_view iri_base(std::string_view home_page) {
    while (!home_page.empty() && home_page.back() == '/') home_page.remove_suffix(1);
    return home_page;
}

// "/lasr/<kind>/<id, percent-encoded>": plain ASCII, nothing to escape.
void append_iri_tail(std::string& out, std::string_view kind, std::string_view id) {
    out += "/lasr/";
    out += kind;
    out += '/';
    append_percent_encoded(out, id);
}

// The length of the well-formed UTF-8 sequence at v[i] (a lead byte >=
// 0x80), or 0: the same rule as nlohmann's decoder (no overlong forms, no
// surrogates, nothing above U+10FFFF).
size_t utf8_length(std::string_view v, size_t i) {
    auto at = [&](size_t k) { return i + k < v.size() ? static_cast<unsigned char>(v[i + k]) : 0u; };
    auto cont = [](unsigned b, unsigned lo = 0x80, unsigned hi = 0xBF) { return b >= lo && b <= hi; };
    const unsigned c = at(0);
    if (c >= 0xC2 && c <= 0xDF) return cont(at(1)) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return cont(at(1), lo, hi) && cont(at(2)) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return cont(at(1), lo, hi) && cont(at(2)) && cont(at(3)) ? 4 : 0;
    }
    return 0;
}

// Statements are written straight to text, without a JSON tree: one is made
// for every event, on the UI thread, and building nlohmann's map-based tree
// and dumping it cost more than the database write. The bytes are exactly
// what nlohmann::json's dump() makes of the same document, the form the
// outbox has always stored (a resend must repeat it): compact; object keys in
// byte order (the builders below write each object's keys in that order);
// strings escaped as dump() escapes them ('"', '\\', \b \f \n \r \t, other
// control characters as \u00xx, everything else as is); floating-point
// numbers formatted by nlohmann itself. tests/usage/xapi_json_test.cpp holds
// every kind of statement to the bytes the nlohmann builder made.
class JsonOut {
public:
    explicit JsonOut(std::string& out) : out_(out) {}

    JsonOut& begin() { return open('{'); }
    JsonOut& end() { return close('}'); }
    JsonOut& begin_array() { return open('['); }
    JsonOut& end_array() { return close(']'); }
    // Keys are our own ASCII constants: nothing to escape.
    JsonOut& key(std::string_view prefix, std::string_view rest = {}) {
        separate();
        out_ += '"';
        out_ += prefix;
        out_ += rest;
        out_ += "\":";
        comma_ = false;
        return *this;
    }
    // A string value: the concatenation of its parts.
    JsonOut& str(std::string_view a, std::string_view b = {}) {
        separate();
        out_ += '"';
        escape(a);
        escape(b);
        out_ += '"';
        comma_ = true;
        return *this;
    }
    // An activity IRI, <home_page>/lasr/<kind>/<id><suffix> (see activity_iri).
    JsonOut& iri(std::string_view home_page, std::string_view kind, std::string_view id, std::string_view suffix = {}) {
        separate();
        out_ += '"';
        escape(iri_base(home_page));
        append_iri_tail(out_, kind, id);
        escape(suffix);
        out_ += '"';
        comma_ = true;
        return *this;
    }
    JsonOut& integer(int64_t v) {
        separate();
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, v);
        out_.append(buf, r.ptr);
        comma_ = true;
        return *this;
    }
    JsonOut& boolean(bool v) {
        separate();
        out_ += v ? "true" : "false";
        comma_ = true;
        return *this;
    }
    // nlohmann's own float format ("60.0", "0.88", "1e+17"): rare (video
    // events only), so a small temporary is fine.
    JsonOut& number(double v) {
        separate();
        out_ += nlohmann::json(v).dump();
        comma_ = true;
        return *this;
    }

    // False if a string was not valid UTF-8 (where dump() would throw).
    bool ok() const { return ok_; }

private:
    JsonOut& open(char c) {
        separate();
        out_ += c;
        comma_ = false;
        return *this;
    }
    JsonOut& close(char c) {
        out_ += c;
        comma_ = true;
        return *this;
    }
    void separate() {
        if (comma_) out_ += ',';
    }
    // Printable ASCII but '"' and '\\': copied as is, without a look.
    static constexpr std::array<bool, 256> kPlain = [] {
        std::array<bool, 256> t{};
        for (int c = 0x20; c < 0x80; ++c) t[static_cast<size_t>(c)] = c != '"' && c != '\\';
        return t;
    }();

    void escape(std::string_view v) {
        static constexpr char hex[] = "0123456789abcdef";
        size_t plain = 0;  // start of the run not yet copied
        for (size_t i = 0; i < v.size();) {
            const auto c = static_cast<unsigned char>(v[i]);
            if (kPlain[c]) {
                ++i;
                continue;
            }
            if (c >= 0x80) {  // UTF-8 is copied as is, once checked
                const size_t n = utf8_length(v, i);
                if (n == 0) ok_ = false;
                i += n == 0 ? 1 : n;
                continue;
            }
            out_.append(v.data() + plain, i - plain);
            switch (c) {
                case '"': out_ += "\\\""; break;
                case '\\': out_ += "\\\\"; break;
                case '\b': out_ += "\\b"; break;
                case '\f': out_ += "\\f"; break;
                case '\n': out_ += "\\n"; break;
                case '\r': out_ += "\\r"; break;
                case '\t': out_ += "\\t"; break;
                default:
                    out_ += "\\u00";
                    out_ += hex[c >> 4];
                    out_ += hex[c & 15];
                    break;
            }
            plain = ++i;
        }
        out_.append(v.data() + plain, v.size() - plain);
    }

    std::string& out_;
    bool comma_ = false;
    bool ok_ = true;
};

// {"definition":{"type":<type>},"id":<id>,"objectType":"Activity"}, the id
// written by `id`.
template <class WriteId>
void activity(JsonOut& j, std::string_view type_a, std::string_view type_b, WriteId&& id) {
    j.begin().key("definition").begin().key("type").str(type_a, type_b).end();
    j.key("id");
    id(j);
    j.key("objectType").str("Activity").end();
}

// A catalog object's activity, <home_page>/lasr/<kind>/<id><suffix>.
void catalog_activity(JsonOut& j, const StatementFrame& f, std::string_view kind, std::string_view id,
                      std::string_view suffix, std::string_view type_a, std::string_view type_b = {}) {
    activity(j, type_a, type_b, [&](JsonOut& o) { o.iri(f.home_page, kind, id, suffix); });
}

void write_actor(JsonOut& j, const StatementFrame& f) {
    j.key("actor").begin();
    j.key("account").begin().key("homePage").str(f.home_page).key("name").str(f.kiosk_id).end();
    j.key("objectType").str("Agent").end();
}

// What every statement carries in context.extensions: where it sits in the
// kiosk's history, whatever its clock said. `between` writes the keys that
// sort between clock-trusted and seq (an aggregate's day and rolled-up).
template <class Between>
void write_frame_extensions(JsonOut& j, const StatementFrame& f, Between&& between) {
    j.key(kLasrExt, "boot-id").str(f.boot_id);
    j.key(kLasrExt, "clock-trusted").boolean(f.clock_trusted);
    between(j);
    j.key(kLasrExt, "seq").integer(f.seq);
    // Whole minutes since boot: enough to place a statement made before the
    // clock was trusted, and no exact trail (the timestamp is the minute too).
    j.key(kLasrExt, "uptime-min").integer(f.uptime_ms / 60000);
}

// id, then (after the object and result the caller writes) the timestamp
// and the verb close the statement.
void write_id(JsonOut& j, const StatementFrame& f) { j.key("id").str(f.statement_id); }

void write_tail(JsonOut& j, const StatementFrame& f, VerbInfo verb) {
    // Only a trusted clock writes a timestamp; without one the LRS sets it
    // to `stored`, which is never in the future.
    if (f.clock_trusted && !f.timestamp.empty()) j.key("timestamp").str(f.timestamp);
    j.key("verb").begin();
    j.key("display").begin().key("en-US").str(verb.name).end();
    j.key("id").str(verb.base, verb.name).end();
    j.end();
}

Result<std::string> finish(const JsonOut& j, std::string& out) {
    if (!j.ok()) return invalid("the statement's text is not valid UTF-8 (the kiosk id or the home page?)");
    return std::move(out);
}

Status check_frame(const StatementFrame& f) {
    if (!is_uuid(f.statement_id)) return invalid("statement id is not a UUID");
    if (f.home_page.empty() || f.kiosk_id.empty()) return invalid("the actor needs a home page and a kiosk id");
    if (f.seq <= 0) return invalid("sequence numbers start at 1");
    if (f.clock_trusted && !is_timestamp(f.timestamp)) return invalid("a trusted clock needs a timestamp");
    return {};
}

}  // namespace

Status check_id(std::string_view what, std::string_view id) {
    if (id.empty()) return invalid(std::string(what) + " must not be empty");
    if (id.size() > 64) return invalid(std::string(what) + " is longer than 64 characters");
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_' || c == '.';
        if (!ok)
            return invalid(std::string(what) + " \"" + std::string(id) +
                           "\" is not a content id (letters, digits, '-', '_', '.')");
    }
    return {};
}

std::string_view to_string(EventKind k) noexcept {
    for (const auto& [kind, name] : kKindNames)
        if (kind == k) return name;
    return "unknown";
}

std::optional<EventKind> event_kind_from(std::string_view s) noexcept {
    for (const auto& [kind, name] : kKindNames)
        if (name == s) return kind;
    return std::nullopt;
}

bool is_video_event(EventKind k) noexcept {
    switch (k) {
        case EventKind::video_initialized:
        case EventKind::video_played:
        case EventKind::video_paused:
        case EventKind::video_seeked:
        case EventKind::video_completed:
        case EventKind::video_terminated: return true;
        default: return false;
    }
}

std::string format_timestamp(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    // Whole milliseconds (sub-millisecond parts dropped toward zero), then
    // the UTC calendar day and time of day (floored: before 1970 too). The
    // digits are written by hand: snprintf was most of a one-event write's
    // formatting, and the UI thread makes one or two of these per tap.
    const milliseconds ms_since = duration_cast<milliseconds>(t.time_since_epoch());
    const sys_days day = floor<days>(sys_time<milliseconds>(ms_since));
    const year_month_day ymd(day);
    const hh_mm_ss<milliseconds> tod(sys_time<milliseconds>(ms_since) - day);
    std::string out = "0000-00-00T00:00:00.000Z";
    auto put = [&out](size_t at, size_t width, unsigned v) {
        for (size_t i = at + width; i-- > at; v /= 10) out[i] = static_cast<char>('0' + v % 10);
    };
    const int year = static_cast<int>(ymd.year());
    if (year >= 0 && year <= 9999) {
        put(0, 4, static_cast<unsigned>(year));
    } else {  // as "%04d" writes it
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d", year);
        out.replace(0, 4, buf);
    }
    const size_t y = out.size() - 20;  // where "-MM" starts
    put(y + 1, 2, static_cast<unsigned>(ymd.month()));
    put(y + 4, 2, static_cast<unsigned>(ymd.day()));
    put(y + 7, 2, static_cast<unsigned>(tod.hours().count()));
    put(y + 10, 2, static_cast<unsigned>(tod.minutes().count()));
    put(y + 13, 2, static_cast<unsigned>(tod.seconds().count()));
    put(y + 16, 3, static_cast<unsigned>(tod.subseconds().count()));
    return out;
}

std::string format_minute(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    return format_timestamp(floor<minutes>(t));
}

bool is_timestamp(std::string_view v) noexcept {
    // YYYY-MM-DDTHH:MM:SS.mmmZ
    static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (v.size() != shape.size()) return false;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == 'd') {
            if (v[i] < '0' || v[i] > '9') return false;
        } else if (v[i] != shape[i]) {
            return false;
        }
    }
    auto num = [&](size_t at, size_t n) {
        int r = 0;
        for (size_t i = 0; i < n; ++i) r = r * 10 + (v[at + i] - '0');
        return r;
    };
    int mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), se = num(17, 2);
    return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && se <= 60;
}

std::string new_uuid() {
    // Seeded once per thread from the kernel's CSPRNG; ids need to be unique,
    // not secret, and a UUID per event must cost no system call.
    thread_local std::mt19937_64 gen = [] {
        std::array<uint32_t, 16> seed{};
        size_t got = 0;
        auto* p = reinterpret_cast<unsigned char*>(seed.data());
        while (got < sizeof seed) {
            ssize_t n = ::getrandom(p + got, sizeof seed - got, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {  // no getrandom: fall back to random_device
                std::random_device rd;
                for (auto& w : seed) w = rd();
                break;
            }
            got += static_cast<size_t>(n);
        }
        std::seed_seq seq(seed.begin(), seed.end());
        return std::mt19937_64(seq);
    }();
    uint64_t hi = gen(), lo = gen();
    hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10
    // The 32 hex digits of hi then lo, 8-4-4-4-12 (snprintf cost as much as
    // the rest of an event's statement).
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(36, '-');
    size_t at = 0;
    for (int nibble = 0; nibble < 32; ++nibble) {
        if (at == 8 || at == 13 || at == 18 || at == 23) ++at;
        const uint64_t word = nibble < 16 ? hi : lo;
        out[at++] = hex[(word >> (60 - 4 * (nibble % 16))) & 15];
    }
    return out;
}

bool is_uuid(std::string_view v) noexcept {
    if (v.size() != 36) return false;
    for (size_t i = 0; i < v.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (v[i] != '-') return false;
        } else if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

std::string activity_iri(std::string_view home_page, std::string_view kind, std::string_view id) {
    std::string out(iri_base(home_page));
    append_iri_tail(out, kind, id);
    return out;
}

namespace {

// Everything build_statement checks before it writes a byte.
Status check_event(const UsageEvent& ev, const StatementFrame& f) {
    LASR_TRY(check_frame(f));
    switch (ev.kind) {
        case EventKind::kiosk_error: return check_id("error kind", ev.object_id);
        case EventKind::session_started:
        case EventKind::session_ended:
            if (f.registration.empty()) return invalid("a patron session event needs a session id");
            return {};
        case EventKind::course_opened: return check_id("course id", ev.object_id);
        case EventKind::resource_viewed:
        case EventKind::qr_shown: return check_id("resource id", ev.object_id);
        case EventKind::alert_shown: return check_id("alert id", ev.object_id);
        default: break;
    }
    if (!is_video_event(ev.kind)) return {};
    LASR_TRY(check_id("video id", ev.object_id));
    LASR_TRY(check_id("course id", ev.course_id));
    LASR_TRY(check_number("time", ev.time_s));
    LASR_TRY(check_number("time from", ev.time_from_s));
    LASR_TRY(check_number("length", ev.length_s));
    if (!std::isfinite(ev.progress) || ev.progress < 0 || ev.progress > 1)
        return invalid("progress must be within 0..1");
    if (!is_uuid(f.video_session)) return invalid("a video event needs a video session id");
    for (char c : ev.segments)
        if (!((c >= '0' && c <= '9') || c == '.' || c == '[' || c == ']' || c == ','))
            return invalid("played segments must be \"a[.]b[,]c[.]d\"");
    return {};
}

void write_object(JsonOut& j, const UsageEvent& ev, const StatementFrame& f) {
    j.key("object");
    switch (ev.kind) {
        case EventKind::app_started:
        case EventKind::app_stopped:
        case EventKind::kiosk_error:
            catalog_activity(j, f, "kiosk", f.kiosk_id, {}, kLasrTypes, "kiosk");
            break;
        case EventKind::session_started:
        case EventKind::session_ended:
            catalog_activity(j, f, "kiosk", f.kiosk_id, "/patron-session", kLasrTypes, "patron-session");
            break;
        case EventKind::course_opened: catalog_activity(j, f, "course", ev.object_id, {}, kCourseType); break;
        case EventKind::resource_viewed:
            catalog_activity(j, f, "resource", ev.object_id, {}, kLasrTypes, "partner-resource");
            break;
        case EventKind::qr_shown: catalog_activity(j, f, "resource", ev.object_id, "/qr", kLasrTypes, "qr-code"); break;
        case EventKind::alert_shown: catalog_activity(j, f, "alert", ev.object_id, {}, kLasrTypes, "alert"); break;
        default: catalog_activity(j, f, "video", ev.object_id, {}, kVideoType); break;  // the video events
    }
}

// The result, for the events that have one.
void write_result(JsonOut& j, const UsageEvent& ev) {
    switch (ev.kind) {
        case EventKind::kiosk_error:
            j.key("result").begin();
            j.key("extensions").begin().key(kLasrExt, "error").str(ev.object_id).end();
            j.key("success").boolean(false).end();
            return;
        case EventKind::video_played:
            j.key("result").begin();
            j.key("extensions").begin().key(kVideoExt, "time").number(ms(ev.time_s)).end();
            j.end();
            return;
        case EventKind::video_seeked:
            j.key("result").begin();
            j.key("extensions").begin();
            j.key(kVideoExt, "time-from").number(ms(ev.time_from_s));
            j.key(kVideoExt, "time-to").number(ms(ev.time_s)).end();
            j.end();
            return;
        case EventKind::video_completed:
        case EventKind::video_paused:
        case EventKind::video_terminated:
            j.key("result").begin();
            if (ev.kind == EventKind::video_completed) j.key("completion").boolean(true);
            j.key("extensions").begin();
            // (Keys in order: our IRIs sort before the Video Profile's.)
            if (ev.interrupted) j.key(kLasrExt, "interrupted").boolean(true);
            j.key(kVideoExt, "played-segments").str(ev.segments);
            j.key(kVideoExt, "progress").number(std::round(ev.progress * 1000.0) / 1000.0);
            j.key(kVideoExt, "time").number(ms(ev.time_s)).end();
            j.end();
            return;
        default: return;  // video_initialized and the rest: no result
    }
}

}  // namespace

Result<std::string> build_statement(const UsageEvent& ev, const StatementFrame& f) {
    LASR_TRY(check_event(ev, f));
    const bool video = is_video_event(ev.kind);
    std::string out;
    out.reserve(video ? 2048 : 1024);
    JsonOut j(out);
    j.begin();
    write_actor(j, f);

    j.key("context").begin();
    if (video) {
        j.key("contextActivities").begin();
        j.key("category").begin_array().begin();
        j.key("definition").begin().key("type").str(kProfileType).end();
        j.key("id").str(kVideoProfile).end().end_array();
        j.key("parent").begin_array();
        catalog_activity(j, f, "course", ev.course_id, {}, kCourseType);
        j.end_array().end();
    }
    j.key("extensions").begin();
    write_frame_extensions(j, f, [](JsonOut&) {});
    if (video) {
        j.key(kVideoExt, "length").number(ms(ev.length_s));
        j.key(kVideoExt, "session-id").str(f.video_session);
    }
    j.end();
    if (!f.registration.empty()) j.key("registration").str(f.registration);
    j.end();

    write_id(j, f);
    write_object(j, ev, f);
    write_result(j, ev);
    write_tail(j, f, verb_for(ev.kind));
    return finish(j, out);
}

Result<std::string> build_aggregate(const Aggregate& a, const StatementFrame& f) {
    LASR_TRY(check_frame(f));
    if (a.count <= 0) return invalid("an aggregate counts at least one statement");
    if (a.day.size() != 10 || !is_timestamp(a.day + "T00:00:00.000Z")) return invalid("aggregate day must be YYYY-MM-DD");
    std::string out;
    out.reserve(1024);
    JsonOut j(out);
    j.begin();
    write_actor(j, f);
    // An aggregate belongs to no session: no registration.
    j.key("context").begin().key("extensions").begin();
    write_frame_extensions(j, f, [&](JsonOut& o) {
        o.key(kLasrExt, "day").str(a.day);
        o.key(kLasrExt, "rolled-up").boolean(true);
    });
    j.end().end();
    write_id(j, f);
    j.key("object").begin().key("id").str(a.object_id).key("objectType").str("Activity").end();
    j.key("result").begin().key("extensions").begin();
    j.key(kLasrExt, "count").integer(a.count);
    j.key(kLasrExt, "verb").str(a.verb_id).end();
    j.end();
    write_tail(j, f, {kLasrVerbs, "counted"});
    return finish(j, out);
}

namespace {

bool version_text(std::string_view v) {
    if (v.empty() || v.size() > 64) return false;
    for (char c : v)
        if (!(unreserved(c) || c == '+')) return false;
    return true;
}

// An RFC 3339 time as a manifest writes it: digits and "-:.TZ+" only.
bool time_text(std::string_view v) {
    if (v.size() < 10 || v.size() > 40) return false;
    for (char c : v)
        if (!((c >= '0' && c <= '9') || c == '-' || c == ':' || c == '.' || c == 'T' || c == 'Z' || c == '+'))
            return false;
    return true;
}

bool one_of(std::string_view v, std::initializer_list<std::string_view> words) {
    return std::find(words.begin(), words.end(), v) != words.end();
}

Status check_health(const Health& h) {
    if (!version_text(h.app_version)) return invalid("heartbeat: app version \"" + h.app_version + "\" is not a version");
    if (!one_of(h.mode, {"patron", "training"})) return invalid("heartbeat: mode must be patron or training");
    if (!h.branch.empty()) LASR_TRY(check_id("heartbeat: branch", h.branch));
    if (h.heartbeat_interval_s <= 0) return invalid("heartbeat: interval must be > 0");
    if (!h.library.empty()) LASR_TRY(check_id("heartbeat: library", h.library));
    if (!h.pack_issued.empty() && !time_text(h.pack_issued)) return invalid("heartbeat: pack issued is not a time");
    if (!h.pack_expires.empty() && !time_text(h.pack_expires)) return invalid("heartbeat: pack expires is not a time");
    if (!one_of(h.content_sync, {"off", "idle", "manifest", "fetch", "activate", "gc", "done", "offline", "error"}))
        return invalid("heartbeat: content sync state \"" + h.content_sync + "\" is not one of the known ones");
    if (!h.content_error.empty()) LASR_TRY(check_id("heartbeat: content error", h.content_error));
    if (!h.content_last_success.empty() && !is_timestamp(h.content_last_success))
        return invalid("heartbeat: content last success is not a timestamp");
    if (!h.last_error.empty()) LASR_TRY(check_id("heartbeat: last error", h.last_error));
    if (!one_of(h.screen, {"on", "off", "unknown", "unmanaged"})) return invalid("heartbeat: screen must be on, off, unknown or unmanaged");
    return {};
}

}  // namespace

Result<std::string> build_heartbeat(const Health& h, const StatementFrame& f) {
    LASR_TRY(check_frame(f));
    LASR_TRY(check_health(h));
    std::string out;
    out.reserve(1536);
    JsonOut j(out);
    j.begin();
    write_actor(j, f);
    j.key("context").begin().key("extensions").begin();
    write_frame_extensions(j, f, [](JsonOut&) {});
    j.end().end();  // no registration: no patron session
    write_id(j, f);
    j.key("object");
    catalog_activity(j, f, "kiosk", f.kiosk_id, {}, kLasrTypes, "kiosk");
    // The keys in byte order (as dump() would write them).
    j.key("result").begin().key("extensions").begin().key(kLasrExt, "health").begin();
    j.key("app-version").str(h.app_version);
    j.key("branch").str(h.branch);
    j.key("content-error").str(h.content_error);
    j.key("content-last-success").str(h.content_last_success);
    j.key("content-sync").str(h.content_sync);
    j.key("disk-free-mb").integer(h.disk_free_mb);
    j.key("errors").integer(h.errors);
    j.key("heartbeat-interval-s").integer(h.heartbeat_interval_s);
    j.key("last-error").str(h.last_error);
    j.key("library").str(h.library);
    j.key("mode").str(h.mode);
    j.key("pack-expires").str(h.pack_expires);
    j.key("pack-issued").str(h.pack_issued);
    j.key("pack-version").integer(static_cast<int64_t>(h.pack_version));
    j.key("queue-depth").integer(h.queue_depth);
    j.key("queue-oldest-s").integer(h.queue_oldest_s);
    j.key("screen").str(h.screen);
    j.key("uptime-s").integer(h.uptime_s);
    j.end().end().end();
    write_tail(j, f, {kLasrVerbs, "reported"});
    return finish(j, out);
}

// ------------------------------------------------------------------ segments

void PlayedSegments::start(double at) {
    if (open_) stop(at);
    from_ = std::max(0.0, at);
    open_ = true;
}

void PlayedSegments::stop(double at) {
    if (!open_) return;
    open_ = false;
    at = std::max(0.0, at);
    if (at > from_) segs_.push_back({from_, at});
}

std::string PlayedSegments::to_string() const {
    std::string out;
    char buf[64];
    for (const Seg& sg : segs_) {
        if (!out.empty()) out += "[,]";
        std::snprintf(buf, sizeof buf, "%.3f[.]%.3f", ms(sg.from), ms(sg.to));
        out += buf;
    }
    return out;
}

double PlayedSegments::progress(double length_s) const {
    if (!(length_s > 0)) return 0;
    std::vector<Seg> v = segs_;
    std::sort(v.begin(), v.end(), [](const Seg& a, const Seg& b) { return a.from < b.from; });
    double covered = 0, end = 0;
    bool any = false;
    for (const Seg& sg : v) {
        double from = std::min(sg.from, length_s), to = std::min(sg.to, length_s);
        if (any && from < end) from = end;
        if (to > from) covered += to - from;
        end = std::max(any ? end : to, to);
        any = true;
    }
    return std::clamp(covered / length_s, 0.0, 1.0);
}

}  // namespace lasr::xapi
