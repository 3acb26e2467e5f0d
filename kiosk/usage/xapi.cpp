#include "kiosk/usage/xapi.hpp"

#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>

namespace lasr::xapi {
namespace {

using json = nlohmann::json;

// ------------------------------------------------------------------ vocabulary

constexpr std::string_view kAdl = "http://adlnet.gov/expapi/verbs/";
constexpr std::string_view kVideoExt = "https://w3id.org/xapi/video/extensions/";
constexpr std::string_view kVideoVerbs = "https://w3id.org/xapi/video/verbs/";
constexpr std::string_view kVideoType = "https://w3id.org/xapi/video/activity-type/video";
constexpr std::string_view kProfileType = "http://adlnet.gov/expapi/activities/profile";
constexpr std::string_view kCourseType = "http://adlnet.gov/expapi/activities/course";
constexpr std::string_view kViewed = "http://id.tincanapi.com/verb/viewed";

std::string s(std::string_view a, std::string_view b) { return std::string(a) + std::string(b); }
std::string vocab(std::string_view rest) { return s(kLasrVocab, rest); }
std::string video_ext(std::string_view rest) { return s(kVideoExt, rest); }

struct VerbInfo {
    std::string id;
    std::string display;
};

VerbInfo verb_for(EventKind k) {
    switch (k) {
        case EventKind::app_started:
        case EventKind::session_started:
        case EventKind::video_initialized: return {s(kAdl, "initialized"), "initialized"};
        case EventKind::app_stopped:
        case EventKind::session_ended:
        case EventKind::video_terminated: return {s(kAdl, "terminated"), "terminated"};
        case EventKind::kiosk_error: return {s(kAdl, "failed"), "failed"};
        case EventKind::course_opened: return {s(kAdl, "launched"), "launched"};
        case EventKind::resource_viewed:
        case EventKind::qr_shown:
        case EventKind::alert_shown: return {std::string(kViewed), "viewed"};
        case EventKind::video_played: return {s(kVideoVerbs, "played"), "played"};
        case EventKind::video_paused: return {s(kVideoVerbs, "paused"), "paused"};
        case EventKind::video_seeked: return {s(kVideoVerbs, "seeked"), "seeked"};
        case EventKind::video_completed: return {s(kAdl, "completed"), "completed"};
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

std::string percent_encode(std::string_view v) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
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
    return out;
}

json actor(const StatementFrame& f) {
    return {{"objectType", "Agent"}, {"account", {{"homePage", f.home_page}, {"name", f.kiosk_id}}}};
}

json activity(const std::string& id, std::string_view type) {
    return {{"objectType", "Activity"}, {"id", id}, {"definition", {{"type", std::string(type)}}}};
}

// What every statement carries in context.extensions: where it sits in the
// kiosk's history, whatever its clock said.
void add_frame(json& st, const StatementFrame& f) {
    json& ext = st["context"]["extensions"];
    ext[vocab("ext/seq")] = f.seq;
    ext[vocab("ext/boot-id")] = f.boot_id;
    // Whole minutes since boot: enough to place a statement made before the
    // clock was trusted, and no exact trail (the timestamp is the minute too).
    ext[vocab("ext/uptime-min")] = f.uptime_ms / 60000;
    ext[vocab("ext/clock-trusted")] = f.clock_trusted;
    if (!f.registration.empty()) st["context"]["registration"] = f.registration;
    st["id"] = f.statement_id;
    st["actor"] = actor(f);
    // Only a trusted clock writes a timestamp; without one the LRS sets it
    // to `stored`, which is never in the future.
    if (f.clock_trusted && !f.timestamp.empty()) st["timestamp"] = f.timestamp;
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
    const auto since = t.time_since_epoch();
    auto secs = duration_cast<seconds>(since);
    auto millis = duration_cast<milliseconds>(since - secs).count();
    if (millis < 0) {  // before 1970: floor, not truncate
        millis += 1000;
        secs -= seconds(1);
    }
    time_t tt = static_cast<time_t>(secs.count());
    struct tm tm{};
    gmtime_r(&tt, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
    return buf;
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
    char buf[64];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                  static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
    return buf;
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
    std::string base(home_page);
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/lasr/" + std::string(kind) + "/" + percent_encode(id);
}

Result<std::string> build_statement(const UsageEvent& ev, const StatementFrame& f) {
    LASR_TRY(check_frame(f));
    const bool video = is_video_event(ev.kind);
    json st;
    const VerbInfo verb = verb_for(ev.kind);
    st["verb"] = {{"id", verb.id}, {"display", {{"en-US", verb.display}}}};
    const std::string kiosk = activity_iri(f.home_page, "kiosk", f.kiosk_id);

    switch (ev.kind) {
        case EventKind::app_started:
        case EventKind::app_stopped:
            st["object"] = activity(kiosk, vocab("activity-types/kiosk"));
            break;
        case EventKind::kiosk_error:
            LASR_TRY(check_id("error kind", ev.object_id));
            st["object"] = activity(kiosk, vocab("activity-types/kiosk"));
            st["result"] = {{"success", false}, {"extensions", {{vocab("ext/error"), ev.object_id}}}};
            break;
        case EventKind::session_started:
        case EventKind::session_ended:
            if (f.registration.empty()) return invalid("a patron session event needs a session id");
            st["object"] = activity(kiosk + "/patron-session", vocab("activity-types/patron-session"));
            break;
        case EventKind::course_opened:
            LASR_TRY(check_id("course id", ev.object_id));
            st["object"] = activity(activity_iri(f.home_page, "course", ev.object_id), kCourseType);
            break;
        case EventKind::resource_viewed:
            LASR_TRY(check_id("resource id", ev.object_id));
            st["object"] = activity(activity_iri(f.home_page, "resource", ev.object_id),
                                    vocab("activity-types/partner-resource"));
            break;
        case EventKind::qr_shown:
            LASR_TRY(check_id("resource id", ev.object_id));
            st["object"] = activity(activity_iri(f.home_page, "resource", ev.object_id) + "/qr",
                                    vocab("activity-types/qr-code"));
            break;
        case EventKind::alert_shown:
            LASR_TRY(check_id("alert id", ev.object_id));
            st["object"] = activity(activity_iri(f.home_page, "alert", ev.object_id), vocab("activity-types/alert"));
            break;
        default:
            break;
    }

    if (video) {
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
        st["object"] = activity(activity_iri(f.home_page, "video", ev.object_id), kVideoType);
        json& ctx = st["context"];
        ctx["contextActivities"]["category"] =
            json::array({{{"id", std::string(kVideoProfile)}, {"definition", {{"type", std::string(kProfileType)}}}}});
        ctx["contextActivities"]["parent"] =
            json::array({activity(activity_iri(f.home_page, "course", ev.course_id), kCourseType)});
        ctx["extensions"][video_ext("session-id")] = f.video_session;
        ctx["extensions"][video_ext("length")] = ms(ev.length_s);
        json result;
        switch (ev.kind) {
            case EventKind::video_initialized: break;
            case EventKind::video_played: result["extensions"][video_ext("time")] = ms(ev.time_s); break;
            case EventKind::video_seeked:
                result["extensions"][video_ext("time-from")] = ms(ev.time_from_s);
                result["extensions"][video_ext("time-to")] = ms(ev.time_s);
                break;
            case EventKind::video_completed:
                result["completion"] = true;
                [[fallthrough]];
            case EventKind::video_paused:
            case EventKind::video_terminated:
                result["extensions"][video_ext("time")] = ms(ev.time_s);
                result["extensions"][video_ext("progress")] = std::round(ev.progress * 1000.0) / 1000.0;
                result["extensions"][video_ext("played-segments")] = ev.segments;
                break;
            default: break;
        }
        if (!result.is_null()) st["result"] = std::move(result);
    }
    add_frame(st, f);
    return st.dump();
}

Result<std::string> build_aggregate(const Aggregate& a, const StatementFrame& f) {
    LASR_TRY(check_frame(f));
    if (a.count <= 0) return invalid("an aggregate counts at least one statement");
    if (a.day.size() != 10 || !is_timestamp(a.day + "T00:00:00.000Z")) return invalid("aggregate day must be YYYY-MM-DD");
    json st;
    st["verb"] = {{"id", vocab("verbs/counted")}, {"display", {{"en-US", "counted"}}}};
    st["object"] = {{"objectType", "Activity"}, {"id", a.object_id}};
    st["result"]["extensions"][vocab("ext/count")] = a.count;
    st["result"]["extensions"][vocab("ext/verb")] = a.verb_id;
    st["context"]["extensions"][vocab("ext/day")] = a.day;
    st["context"]["extensions"][vocab("ext/rolled-up")] = true;
    StatementFrame frame = f;
    frame.registration.clear();  // an aggregate belongs to no session
    add_frame(st, frame);
    return st.dump();
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
