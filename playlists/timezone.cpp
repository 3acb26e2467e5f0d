#include "playlists/timezone.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "config/config.hpp"

namespace lasr {
namespace {

using namespace std::chrono;

constexpr int64_t kDay = 86400;

Error bad_zone(const std::string& what) { return make_error(Domain::config, Errc::parse, what); }

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t days_from_civil(year_month_day d) { return sys_days{d}.time_since_epoch().count(); }

// Big-endian reads from TZif data, bounds already checked by the caller.
int64_t be(const unsigned char* p, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
    if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<int64_t>(v);
}

// A tiny cursor for the POSIX TZ grammar.
struct Cursor {
    std::string_view s;
    size_t i = 0;
    bool done() const { return i >= s.size(); }
    char peek() const { return done() ? '\0' : s[i]; }
    bool eat(char c) {
        if (peek() != c) return false;
        ++i;
        return true;
    }
    std::optional<int> number(int max_digits) {
        int v = 0, n = 0;
        while (!done() && n < max_digits && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0'), ++n;
        if (n == 0) return std::nullopt;
        return v;
    }
};

std::optional<std::string> tz_abbrev(Cursor& c) {
    std::string out;
    if (c.eat('<')) {
        while (!c.done() && c.peek() != '>') out += c.s[c.i++];
        if (!c.eat('>')) return std::nullopt;
    } else {
        while (!c.done() && ((c.peek() >= 'A' && c.peek() <= 'Z') || (c.peek() >= 'a' && c.peek() <= 'z')))
            out += c.s[c.i++];
    }
    if (out.size() < 3) return std::nullopt;
    return out;
}

// [+-]hh[:mm[:ss]], hours up to max_h.
std::optional<int32_t> tz_time(Cursor& c, int max_h) {
    int sign = 1;
    if (c.eat('-')) sign = -1;
    else c.eat('+');
    auto h = c.number(3);
    if (!h || *h > max_h) return std::nullopt;
    int32_t v = *h * 3600;
    if (c.eat(':')) {
        auto m = c.number(2);
        if (!m || *m > 59) return std::nullopt;
        v += *m * 60;
        if (c.eat(':')) {
            auto s = c.number(2);
            if (!s || *s > 59) return std::nullopt;
            v += *s;
        }
    }
    return sign * v;
}

std::optional<PosixTzRule::When> tz_when(Cursor& c) {
    PosixTzRule::When w;
    if (c.eat('J')) {
        auto n = c.number(3);
        if (!n || *n < 1 || *n > 365) return std::nullopt;
        w.kind = PosixTzRule::When::Kind::julian_no_leap;
        w.a = *n;
    } else if (c.eat('M')) {
        auto m = c.number(2);
        if (!m || *m < 1 || *m > 12 || !c.eat('.')) return std::nullopt;
        auto wk = c.number(1);
        if (!wk || *wk < 1 || *wk > 5 || !c.eat('.')) return std::nullopt;
        auto d = c.number(1);
        if (!d || *d > 6) return std::nullopt;
        w.kind = PosixTzRule::When::Kind::month_week_day;
        w.a = *m;
        w.b = *wk;
        w.c = *d;
    } else {
        auto n = c.number(3);
        if (!n || *n > 365) return std::nullopt;
        w.kind = PosixTzRule::When::Kind::day_of_year;
        w.a = *n;
    }
    if (c.eat('/')) {
        auto t = tz_time(c, 167);
        if (!t) return std::nullopt;
        w.time_s = *t;
    }
    return w;
}

// The local date (days since the epoch) a rule names in year y.
int64_t rule_day(const PosixTzRule::When& w, int y) {
    year yr{y};
    switch (w.kind) {
        case PosixTzRule::When::Kind::julian_no_leap: {
            int64_t d = days_from_civil(yr / January / 1) + w.a - 1;
            if (yr.is_leap() && w.a >= 60) ++d;  // Jn never counts February 29
            return d;
        }
        case PosixTzRule::When::Kind::day_of_year:
            return days_from_civil(yr / January / 1) + w.a;
        case PosixTzRule::When::Kind::month_week_day: {
            month m{static_cast<unsigned>(w.a)};
            weekday wd{static_cast<unsigned>(w.c)};  // 0 = Sunday, as POSIX
            if (w.b == 5) return sys_days{year_month_weekday_last{yr, m, weekday_last{wd}}}.time_since_epoch().count();
            return sys_days{year_month_weekday{yr, m, wd[static_cast<unsigned>(w.b)]}}.time_since_epoch().count();
        }
    }
    return 0;
}

bool rule_in_dst(const PosixTzRule& r, int64_t t) {
    if (!r.has_dst) return false;
    int64_t local_std = t + r.std_offset_s;
    int y = static_cast<int>(year_month_day{sys_days{days{floor_div(local_std, kDay)}}}.year());
    int64_t start = rule_day(r.start, y) * kDay + r.start.time_s - r.std_offset_s;
    int64_t end = rule_day(r.end, y) * kDay + r.end.time_s - r.dst_offset_s;
    if (start < end) return t >= start && t < end;
    return !(t >= end && t < start);  // southern hemisphere: DST spans the new year
}

}  // namespace

std::string LocalTime::date_time() const {
    char b[48];
    std::snprintf(b, sizeof b, "%04d-%02u-%02u %02d:%02d", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), minute_of_day / 60, minute_of_day % 60);
    return b;
}

std::string LocalTime::describe() const {
    return date_time() + " " + abbrev + " (" + format_utc_offset(utc_offset_s) + ")";
}

std::string format_utc_offset(int offset_s) {
    if (offset_s == 0) return "UTC";
    char b[32];
    int a = offset_s < 0 ? -offset_s : offset_s;
    std::snprintf(b, sizeof b, "UTC%c%02d:%02d", offset_s < 0 ? '-' : '+', a / 3600, (a / 60) % 60);
    return b;
}

std::string format_rfc3339_utc(SysSeconds t) {
    int64_t s = t.time_since_epoch().count();
    int64_t d = floor_div(s, kDay);
    int64_t rem = s - d * kDay;
    year_month_day ymd{sys_days{days{d}}};
    char b[48];
    std::snprintf(b, sizeof b, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(rem / 3600),
                  static_cast<int>((rem / 60) % 60), static_cast<int>(rem % 60));
    return b;
}

std::optional<SysSeconds> parse_rfc3339_utc(std::string_view s) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    char z = 0;
    if (s.size() != 20) return std::nullopt;
    std::string str(s);
    if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 || z != 'Z')
        return std::nullopt;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
    return SysSeconds{seconds{days_from_civil(ymd) * kDay + h * 3600 + mi * 60 + se}};
}

Result<PosixTzRule> PosixTzRule::parse(std::string_view text) {
    auto fail = [&] { return bad_zone("time zone rule \"" + std::string(text) + "\" is not a POSIX TZ rule"); };
    Cursor c{text};
    PosixTzRule r;
    auto sa = tz_abbrev(c);
    if (!sa) return fail();
    r.std_abbrev = *sa;
    auto so = tz_time(c, 24);
    if (!so) return fail();
    r.std_offset_s = -*so;
    if (c.done()) return r;
    auto da = tz_abbrev(c);
    if (!da) return fail();
    r.dst_abbrev = *da;
    r.has_dst = true;
    r.dst_offset_s = r.std_offset_s + 3600;
    if (c.peek() != ',') {
        auto dof = tz_time(c, 24);
        if (!dof) return fail();
        r.dst_offset_s = -*dof;
    }
    // Without dates POSIX leaves the rule to the implementation; tzcode
    // uses the US rules. Zone files always spell them out.
    if (!c.eat(',')) {
        r.start = {PosixTzRule::When::Kind::month_week_day, 3, 2, 0, 7200};
        r.end = {PosixTzRule::When::Kind::month_week_day, 11, 1, 0, 7200};
        return c.done() ? Result<PosixTzRule>(r) : fail();
    }
    auto st = tz_when(c);
    if (!st || !c.eat(',')) return fail();
    auto en = tz_when(c);
    if (!en || !c.done()) return fail();
    r.start = *st;
    r.end = *en;
    return r;
}

TimeZone TimeZone::utc() {
    TimeZone z;
    z.name_ = "UTC";
    z.types_.push_back(Type{0, false, "UTC"});
    return z;
}

Result<TimeZone> TimeZone::from_posix(std::string name, std::string_view rule) {
    auto r = PosixTzRule::parse(rule);
    if (!r) return std::move(r).error();
    TimeZone z;
    z.name_ = std::move(name);
    z.types_.push_back(Type{r->std_offset_s, false, r->std_abbrev});
    z.rule_ = *r;
    return z;
}

Result<TimeZone> TimeZone::from_tzif(std::string name, std::string_view bytes) {
    auto fail = [&](const std::string& why) { return bad_zone("time zone " + name + ": not a TZif file: " + why); };
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    size_t n = bytes.size();
    auto header = [&](size_t at, int64_t cnt[6]) -> bool {
        if (at + 44 > n || bytes.substr(at, 4) != "TZif") return false;
        for (int i = 0; i < 6; ++i) cnt[i] = be(p + at + 20 + 4 * i, 4);
        for (int i = 0; i < 6; ++i)
            if (cnt[i] < 0 || cnt[i] > 100000) return false;
        return true;
    };
    // counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    int64_t c1[6];
    if (!header(0, c1)) return fail("bad header");
    char version = static_cast<char>(p[4]);
    auto block_size = [](const int64_t c[6], int tsize) {
        return static_cast<size_t>(c[3] * tsize + c[3] + c[4] * 6 + c[5] + c[2] * (tsize + 4) + c[1] + c[0]);
    };
    size_t at = 44;
    int tsize = 4;
    int64_t cnt[6];
    std::copy(c1, c1 + 6, cnt);
    if (version >= '2') {
        at = 44 + block_size(c1, 4);
        if (!header(at, cnt)) return fail("bad version 2 header");
        at += 44;
        tsize = 8;
    }
    if (at + block_size(cnt, tsize) > n) return fail("truncated");
    if (cnt[4] < 1) return fail("no local time types");
    TimeZone z;
    z.name_ = std::move(name);
    const unsigned char* q = p + at;
    for (int64_t i = 0; i < cnt[3]; ++i, q += tsize) z.transitions_.push_back(be(q, tsize));
    for (int64_t i = 0; i < cnt[3]; ++i, ++q) {
        if (*q >= cnt[4]) return fail("transition names a missing type");
        z.transition_type_.push_back(*q);
    }
    const unsigned char* types = q;
    const char* chars = reinterpret_cast<const char*>(types + cnt[4] * 6);
    for (int64_t i = 0; i < cnt[4]; ++i) {
        const unsigned char* t = types + i * 6;
        Type ty;
        ty.offset_s = static_cast<int32_t>(be(t, 4));
        ty.dst = t[4] != 0;
        if (t[5] >= cnt[5]) return fail("abbreviation out of range");
        ty.abbrev = std::string(chars + t[5], strnlen(chars + t[5], static_cast<size_t>(cnt[5] - t[5])));
        if (ty.offset_s < -26 * 3600 || ty.offset_s > 26 * 3600) return fail("offset out of range");
        z.types_.push_back(std::move(ty));
    }
    if (!std::is_sorted(z.transitions_.begin(), z.transitions_.end())) return fail("transitions out of order");
    if (version >= '2') {
        size_t foot = at + block_size(cnt, tsize);
        if (foot < n && bytes[foot] == '\n') {
            size_t end = bytes.find('\n', foot + 1);
            if (end == std::string_view::npos) return fail("unterminated footer");
            std::string_view rule = bytes.substr(foot + 1, end - foot - 1);
            if (!rule.empty()) {
                auto r = PosixTzRule::parse(rule);
                if (!r) return fail(r.error().message);
                z.rule_ = *r;
            }
        }
    }
    return z;
}

Result<TimeZone> TimeZone::load(const std::string& name) {
    namespace fs = std::filesystem;
    fs::path file;
    std::string zone = name;
    if (name.empty()) {
        file = "/etc/localtime";
        std::error_code ec;
        fs::path target = fs::read_symlink(file, ec);
        std::string t = target.string();
        if (size_t at = t.find("zoneinfo/"); !ec && at != std::string::npos) zone = t.substr(at + 9);
        if (zone.empty()) {
            std::ifstream etc("/etc/timezone");
            std::getline(etc, zone);
        }
        if (zone.empty()) zone = "localtime";
    } else {
        file = zoneinfo_dir() / name;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        if (name.empty()) return utc();  // no /etc/localtime: glibc's own answer is UTC
        return make_error(Domain::config, Errc::not_found, "time zone " + name + ": cannot read " + file.string());
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return from_tzif(zone, ss.str());
}

TimeZone::Type TimeZone::type_at(int64_t t) const {
    if (transitions_.empty() || t < transitions_.front()) {
        if (transitions_.empty() && rule_) {
            bool dst = rule_in_dst(*rule_, t);
            return Type{dst ? rule_->dst_offset_s : rule_->std_offset_s, dst, dst ? rule_->dst_abbrev : rule_->std_abbrev};
        }
        return types_.front();  // RFC 8536: type 0 before the first transition
    }
    if (t >= transitions_.back() && rule_) {
        bool dst = rule_in_dst(*rule_, t);
        return Type{dst ? rule_->dst_offset_s : rule_->std_offset_s, dst, dst ? rule_->dst_abbrev : rule_->std_abbrev};
    }
    auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
    size_t i = static_cast<size_t>(it - transitions_.begin()) - 1;
    return types_[transition_type_[i]];
}

int TimeZone::utc_offset_s(SysSeconds t) const { return type_at(t.time_since_epoch().count()).offset_s; }

LocalTime TimeZone::to_local(SysSeconds t) const {
    Type ty = type_at(t.time_since_epoch().count());
    int64_t ls = t.time_since_epoch().count() + ty.offset_s;
    int64_t d = floor_div(ls, kDay);
    int64_t rem = ls - d * kDay;
    LocalTime lt;
    sys_days sd{days{d}};
    lt.date = year_month_day{sd};
    lt.weekday = static_cast<int>(weekday{sd}.iso_encoding()) - 1;
    lt.minute_of_day = static_cast<int>(rem / 60);
    lt.second = static_cast<int>(rem % 60);
    lt.utc_offset_s = ty.offset_s;
    lt.dst = ty.dst;
    lt.abbrev = ty.abbrev;
    return lt;
}

std::vector<SysSeconds> TimeZone::from_local(local_seconds local) const {
    int64_t l = local.time_since_epoch().count();
    std::set<int32_t> offsets;
    for (int64_t probe : {l - kDay, l, l + kDay}) offsets.insert(type_at(probe).offset_s);
    std::vector<SysSeconds> out;
    for (int32_t off : offsets) {
        int64_t t = l - off;
        if (type_at(t).offset_s == off) out.push_back(SysSeconds{seconds{t}});
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace lasr
