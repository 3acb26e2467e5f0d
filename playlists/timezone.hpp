// IANA time zones without C++20's tzdb.
//
// GCC 12's libstdc++ has the C++20 calendar (year_month_day, weekday) but
// not the time zone database (no std::chrono::locate_zone / zoned_time;
// those arrive in GCC 13-14). The usual fallback, localtime_r() under a TZ
// environment variable, changes process-wide state that other threads read,
// and can hold one zone at a time. So this reads the system's own tz
// database files (TZif, RFC 8536, the format glibc reads) into a value:
// transitions as listed, and for instants after the last listed transition
// the POSIX TZ rule in the file's footer ("CST6CDT,M3.2.0,M11.1.0"), so 2040
// and 2100 are right as well. Immutable once made; safe to share between
// threads. Debian's tzdata package keeps the files current.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"

namespace lasr {

using SysSeconds = std::chrono::sys_seconds;

// An instant as a wall clock in some zone shows it.
struct LocalTime {
    std::chrono::year_month_day date;
    int weekday = 0;        // 0 = Monday ... 6 = Sunday
    int minute_of_day = 0;  // 0..1439
    int second = 0;         // 0..59
    int utc_offset_s = 0;   // local = UTC + offset
    bool dst = false;
    std::string abbrev;     // "CST", "CDT", "GMT"

    // "2026-12-01 09:30"
    std::string date_time() const;
    // "2026-12-01 09:30 CST (UTC-06:00)"
    std::string describe() const;
};

// The POSIX TZ rule of a zone's far future: "CST6CDT,M3.2.0,M11.1.0".
struct PosixTzRule {
    struct When {
        enum class Kind { julian_no_leap, day_of_year, month_week_day } kind = Kind::month_week_day;
        int a = 0, b = 0, c = 0;  // Jn: a=n; n: a=n; Mm.w.d: a=m, b=w, c=d
        int32_t time_s = 7200;    // local time of day of the change (may be <0 or >24h)
    };
    std::string std_abbrev, dst_abbrev;
    int32_t std_offset_s = 0;  // east of UTC (the sign POSIX writes is the opposite)
    int32_t dst_offset_s = 0;
    bool has_dst = false;
    When start, end;

    static Result<PosixTzRule> parse(std::string_view text);
};

class TimeZone {
public:
    static TimeZone utc();
    // A TZif file's bytes (versions 1 to 4).
    static Result<TimeZone> from_tzif(std::string name, std::string_view bytes);
    // A zone made of a POSIX TZ rule alone ("EST5EDT,M3.2.0,M11.1.0").
    static Result<TimeZone> from_posix(std::string name, std::string_view rule);
    // Reads <zoneinfo_dir()>/<name>. An empty name is the system's zone
    // (/etc/localtime; its name from the link or /etc/timezone).
    static Result<TimeZone> load(const std::string& name);

    const std::string& name() const { return name_; }
    LocalTime to_local(SysSeconds t) const;
    int utc_offset_s(SysSeconds t) const;
    // The instants a wall clock in this zone shows `local` at: none in a
    // spring-forward gap, two in a fall-back hour, else one; earliest first.
    std::vector<SysSeconds> from_local(std::chrono::local_seconds local) const;

private:
    struct Type {
        int32_t offset_s = 0;
        bool dst = false;
        std::string abbrev;
    };
    Type type_at(int64_t t) const;

    std::string name_;
    std::vector<int64_t> transitions_;  // UTC seconds, ascending
    std::vector<uint8_t> transition_type_;
    std::vector<Type> types_;
    std::optional<PosixTzRule> rule_;   // after the last transition
};

// "UTC-06:00", "UTC+05:30", "UTC"
std::string format_utc_offset(int offset_s);
// "2026-12-01T15:30:00Z"
std::string format_rfc3339_utc(SysSeconds t);
// "2026-11-29T08:00:00Z" (the manifest's form)
std::optional<SysSeconds> parse_rfc3339_utc(std::string_view text);

}  // namespace lasr
