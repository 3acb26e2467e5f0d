#include "kiosk/fleet/facts.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>

#include "kiosk/usage/xapi.hpp"

namespace lasr::fleet {
namespace {

using json = nlohmann::json;

constexpr std::array<std::pair<Fact::Kind, std::string_view>, 5> kKinds = {{
    {Fact::Kind::heartbeat, "heartbeat"},
    {Fact::Kind::play, "play"},
    {Fact::Kind::completion, "completion"},
    {Fact::Kind::error, "error"},
    {Fact::Kind::seen, "seen"},
}};

const json* member(const json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

const std::string* text(const json& j, const char* key) {
    const json* m = member(j, key);
    return m && m->is_string() ? m->get_ptr<const std::string*>() : nullptr;
}

// The catalog id at the end of "<home>/lasr/<kind>/<id, percent-encoded>",
// or "" when the IRI is not of that kind.
std::string iri_id(std::string_view iri, std::string_view kind) {
    const std::string marker = "/lasr/" + std::string(kind) + "/";
    const size_t at = iri.rfind(marker);
    if (at == std::string_view::npos) return {};
    std::string_view tail = iri.substr(at + marker.size());
    std::string out;
    for (size_t i = 0; i < tail.size(); ++i) {
        if (tail[i] == '/') return {};  // "/qr", "/patron-session": not the object itself
        if (tail[i] == '%' && i + 2 < tail.size()) {
            unsigned v = 0;
            auto r = std::from_chars(tail.data() + i + 1, tail.data() + i + 3, v, 16);
            if (r.ec != std::errc() || r.ptr != tail.data() + i + 3) return {};
            out += static_cast<char>(v);
            i += 2;
        } else {
            out += tail[i];
        }
    }
    return out;
}

Classified malformed(std::string why) {
    Classified c;
    c.skip = Skip::malformed;
    c.why = std::move(why);
    return c;
}

}  // namespace

std::string_view to_string(Fact::Kind k) noexcept {
    for (const auto& [kind, name] : kKinds)
        if (kind == k) return name;
    return "seen";
}

std::optional<Fact::Kind> fact_kind_from(std::string_view s) noexcept {
    for (const auto& [kind, name] : kKinds)
        if (name == s) return kind;
    return std::nullopt;
}

std::optional<int64_t> parse_time_ms(std::string_view s) {
    // YYYY-MM-DDTHH:MM:SS[.fff...](Z|+hh:mm|-hh:mm)
    if (s.size() < 20) return std::nullopt;
    auto num = [&](size_t at, size_t n, int& out) {
        out = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            out = out * 10 + (s[i] - '0');
        }
        return true;
    };
    int y, mo, d, h, mi, se;
    if (!num(0, 4, y) || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d) || s[10] != 'T' ||
        !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi) || s[16] != ':' || !num(17, 2, se))
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
    size_t i = 19;
    int64_t frac_ms = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        int digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (digits < 3) frac_ms = frac_ms * 10 + (s[i] - '0');
            ++digits;
            ++i;
        }
        if (digits == 0) return std::nullopt;
        for (int k = digits; k < 3; ++k) frac_ms *= 10;
    }
    int64_t offset_ms = 0;
    if (i < s.size() && s[i] == 'Z' && i + 1 == s.size()) {
        // UTC
    } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        int oh, om;
        if (!num(i + 1, 2, oh) || !num(i + 4, 2, om)) return std::nullopt;
        offset_ms = (static_cast<int64_t>(oh) * 60 + om) * 60000 * (s[i] == '+' ? 1 : -1);
    } else {
        return std::nullopt;
    }
    using namespace std::chrono;
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    const int64_t days_ms = duration_cast<milliseconds>(sys_days(ymd).time_since_epoch()).count();
    return days_ms + ((static_cast<int64_t>(h) * 60 + mi) * 60 + se) * 1000 + frac_ms - offset_ms;
}

std::string format_time_ms(int64_t ms) {
    return xapi::format_timestamp(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

Classified classify(const json& st, std::string_view asked_verb) {
    if (!st.is_object()) return malformed("not a JSON object");
    const std::string* id = text(st, "id");
    if (!id || !xapi::is_uuid(*id)) return malformed("no statement id");
    const std::string* stored = text(st, "stored");
    if (!stored) return malformed("statement " + *id + ": no stored time");
    auto stored_ms = parse_time_ms(*stored);
    if (!stored_ms) return malformed("statement " + *id + ": stored \"" + *stored + "\" is not a timestamp");
    const json* verb = member(st, "verb");
    const std::string* verb_id = verb ? text(*verb, "id") : nullptr;
    if (!verb_id) return malformed("statement " + *id + ": no verb id");
    if (!asked_verb.empty() && *verb_id != asked_verb) {
        Classified c;
        c.skip = Skip::unknown_verb;
        c.why = "statement " + *id + ": verb " + *verb_id + " (asked for " + std::string(asked_verb) + ")";
        return c;
    }
    const json* actor = member(st, "actor");
    const json* account = actor ? member(*actor, "account") : nullptr;
    const std::string* name = account ? text(*account, "name") : nullptr;
    const std::string* home = account ? text(*account, "homePage") : nullptr;
    if (!name || !home || name->empty()) return malformed("statement " + *id + ": the actor is not a kiosk account");
    const json* object = member(st, "object");
    const std::string* object_id = object ? text(*object, "id") : nullptr;
    if (!object_id) return malformed("statement " + *id + ": no object id");

    Classified c;
    Fact& f = c.fact;
    f.id = *id;
    f.kiosk = *name;
    f.home_page = *home;
    f.stored = *stored;
    f.stored_ms = *stored_ms;
    f.at_ms = *stored_ms;
    if (const std::string* ts = text(st, "timestamp")) {
        auto t = parse_time_ms(*ts);
        if (!t) return malformed("statement " + *id + ": timestamp \"" + *ts + "\" is not a timestamp");
        f.at_ms = *t;
    }
    f.seen_ms = std::min(f.stored_ms, f.at_ms + 59999);
    const json* result = member(st, "result");
    const json* rext = result ? member(*result, "extensions") : nullptr;
    auto course_of = [&]() -> std::string {
        const json* ctx = member(st, "context");
        const json* acts = ctx ? member(*ctx, "contextActivities") : nullptr;
        const json* parent = acts ? member(*acts, "parent") : nullptr;
        if (parent && parent->is_array())
            for (const json& p : *parent)
                if (const std::string* pid = text(p, "id")) {
                    std::string course = iri_id(*pid, "course");
                    if (!course.empty()) return course;
                }
        return {};
    };

    const std::string video = iri_id(*object_id, "video");
    if (*verb_id == kVerbReported) {
        const json* health = rext ? member(*rext, std::string(xapi::kHealthExtension).c_str()) : nullptr;
        if (!health || !health->is_object()) return malformed("heartbeat " + *id + ": no health extension");
        f.kind = Fact::Kind::heartbeat;
        f.health = health->dump();
    } else if (*verb_id == kVerbInitialized) {
        f.kind = video.empty() ? Fact::Kind::seen : Fact::Kind::play;
        f.object = video;
        if (!video.empty()) f.course = course_of();
    } else if (*verb_id == kVerbCompleted) {
        f.kind = video.empty() ? Fact::Kind::seen : Fact::Kind::completion;
        f.object = video;
        if (!video.empty()) f.course = course_of();
    } else if (*verb_id == kVerbFailed) {
        f.kind = Fact::Kind::error;
        const std::string* kind = rext ? text(*rext, "https://lasr-kiosk.invalid/xapi/ext/error") : nullptr;
        f.object = kind && !kind->empty() ? *kind : "unknown";
    } else if (*verb_id == kVerbCounted) {
        // A daily aggregate of statements the kiosk had to roll up.
        const std::string* rolled = rext ? text(*rext, "https://lasr-kiosk.invalid/xapi/ext/verb") : nullptr;
        const json* count = rext ? member(*rext, "https://lasr-kiosk.invalid/xapi/ext/count") : nullptr;
        if (!rolled || !count || !count->is_number_integer() || count->get<int64_t>() <= 0)
            return malformed("aggregate " + *id + ": no verb or count");
        f.count = count->get<int64_t>();
        if (!video.empty() && *rolled == kVerbInitialized) f.kind = Fact::Kind::play;
        else if (!video.empty() && *rolled == kVerbCompleted) f.kind = Fact::Kind::completion;
        else f.kind = Fact::Kind::seen;
        f.object = video;
    } else if (!asked_verb.empty()) {
        Classified u;
        u.skip = Skip::unknown_verb;
        u.why = "statement " + *id + ": verb " + *verb_id;
        return u;
    }
    return c;
}

}  // namespace lasr::fleet
