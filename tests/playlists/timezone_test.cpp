// TimeZone against the system's tz database, with glibc's localtime_r as an
// independent oracle (it reads the same files with its own code), and the
// DST days and odd rules written out by hand.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "playlists/timezone.hpp"

namespace lasr {
namespace {

using namespace std::chrono;

SysSeconds utc(int y, unsigned mo, unsigned d, int h, int mi, int s = 0) {
    return SysSeconds{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi} + seconds{s};
}

local_seconds wall(int y, unsigned mo, unsigned d, int h, int mi) {
    return local_seconds{local_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi};
}

TimeZone zone(const std::string& name) {
    auto z = TimeZone::load(name);
    EXPECT_TRUE(z) << z.error().describe();
    return z ? *z : TimeZone::utc();
}

TEST(TimeZone, ChicagoSpringForwardAndFallBack) {
    TimeZone z = zone("America/Chicago");
    // 2026-03-08: 02:00 CST becomes 03:00 CDT at 08:00Z.
    auto before = z.to_local(utc(2026, 3, 8, 7, 59));
    EXPECT_EQ(before.date_time(), "2026-03-08 01:59");
    EXPECT_EQ(before.abbrev, "CST");
    EXPECT_EQ(before.utc_offset_s, -6 * 3600);
    auto after = z.to_local(utc(2026, 3, 8, 8, 0));
    EXPECT_EQ(after.date_time(), "2026-03-08 03:00");
    EXPECT_TRUE(after.dst);
    EXPECT_EQ(after.describe(), "2026-03-08 03:00 CDT (UTC-05:00)");
    EXPECT_TRUE(z.from_local(wall(2026, 3, 8, 2, 30)).empty()) << "02:30 never happens that day";

    // 2026-11-01: 02:00 CDT becomes 01:00 CST at 07:00Z; 01:30 happens twice.
    EXPECT_EQ(z.to_local(utc(2026, 11, 1, 6, 59)).date_time(), "2026-11-01 01:59");
    EXPECT_EQ(z.to_local(utc(2026, 11, 1, 7, 0)).date_time(), "2026-11-01 01:00");
    auto twice = z.from_local(wall(2026, 11, 1, 1, 30));
    ASSERT_EQ(twice.size(), 2u);
    EXPECT_EQ(twice[0], utc(2026, 11, 1, 6, 30));
    EXPECT_EQ(twice[1], utc(2026, 11, 1, 7, 30));
    auto once = z.from_local(wall(2026, 12, 1, 9, 30));
    ASSERT_EQ(once.size(), 1u);
    EXPECT_EQ(once[0], utc(2026, 12, 1, 15, 30));
}

TEST(TimeZone, FarFutureUsesTheFootersRule) {
    TimeZone z = zone("America/Chicago");
    // 2100 is past the last transition listed in any zone file.
    EXPECT_EQ(z.to_local(utc(2100, 3, 14, 7, 59)).abbrev, "CST");  // 2nd Sunday of March 2100 is the 14th
    EXPECT_EQ(z.to_local(utc(2100, 3, 14, 8, 0)).abbrev, "CDT");
    EXPECT_EQ(z.to_local(utc(2100, 11, 7, 6, 59)).abbrev, "CDT");
    EXPECT_EQ(z.to_local(utc(2100, 11, 7, 7, 0)).abbrev, "CST");
}

TEST(TimeZone, LeapDaysAndWeekdays) {
    TimeZone z = zone("America/Chicago");
    auto leap = z.to_local(utc(2028, 2, 29, 18, 0));
    EXPECT_EQ(leap.date_time(), "2028-02-29 12:00");
    EXPECT_EQ(leap.weekday, 1);  // a Tuesday
    EXPECT_EQ(z.to_local(utc(2028, 3, 1, 5, 59)).date_time(), "2028-02-29 23:59");
    EXPECT_EQ(z.to_local(utc(2100, 3, 1, 6, 0)).date_time(), "2100-03-01 00:00") << "2100 is not a leap year";
}

// Every 7 hours and 13 minutes from 1971 to 2099 (about 143,000 instants
// per zone), our answer and glibc's agree on the wall clock and the offset.
TEST(TimeZone, AgreesWithGlibcAcrossZonesAndCenturies) {
    const char* zones[] = {"America/Chicago", "Europe/London",    "Australia/Sydney", "Asia/Kolkata",
                           "Pacific/Chatham", "America/Sao_Paulo", "Europe/Dublin",    "America/St_Johns",
                           "Africa/Casablanca", "America/Nuuk",    "Pacific/Kiritimati", "Asia/Tehran"};
    const char* old_tz = std::getenv("TZ");
    std::string saved = old_tz ? old_tz : "";
    for (const char* name : zones) {
        TimeZone z = zone(name);
        ::setenv("TZ", (std::string(":") + name).c_str(), 1);
        ::tzset();
        int mismatches = 0;
        for (int64_t t = 31536000; t < 4102444800; t += 7 * 3600 + 13 * 60) {
            time_t tt = static_cast<time_t>(t);
            struct tm tm {};
            ::localtime_r(&tt, &tm);
            LocalTime lt = z.to_local(SysSeconds{seconds{t}});
            bool same = static_cast<int>(lt.date.year()) == tm.tm_year + 1900 &&
                        static_cast<unsigned>(lt.date.month()) == static_cast<unsigned>(tm.tm_mon + 1) &&
                        static_cast<unsigned>(lt.date.day()) == static_cast<unsigned>(tm.tm_mday) &&
                        lt.minute_of_day == tm.tm_hour * 60 + tm.tm_min && lt.utc_offset_s == tm.tm_gmtoff &&
                        lt.weekday == (tm.tm_wday + 6) % 7 && lt.dst == (tm.tm_isdst > 0);
            if (!same && ++mismatches <= 3)
                ADD_FAILURE() << name << " at " << t << ": ours " << lt.describe() << ", glibc " << tm.tm_year + 1900
                              << "-" << tm.tm_mon + 1 << "-" << tm.tm_mday << " " << tm.tm_hour << ":" << tm.tm_min
                              << " off " << tm.tm_gmtoff;
        }
        EXPECT_EQ(mismatches, 0) << name;
    }
    if (old_tz) ::setenv("TZ", saved.c_str(), 1);
    else ::unsetenv("TZ");
    ::tzset();
}

TEST(TimeZone, PosixRules) {
    auto us = PosixTzRule::parse("EST5EDT,M3.2.0,M11.1.0");
    ASSERT_TRUE(us) << us.error().describe();
    EXPECT_EQ(us->std_offset_s, -5 * 3600);
    EXPECT_EQ(us->dst_offset_s, -4 * 3600);
    EXPECT_EQ(us->start.time_s, 7200);

    auto india = PosixTzRule::parse("<+0530>-5:30");
    ASSERT_TRUE(india);
    EXPECT_EQ(india->std_abbrev, "+0530");
    EXPECT_EQ(india->std_offset_s, 5 * 3600 + 30 * 60);
    EXPECT_FALSE(india->has_dst);

    // Israel: the change at 26:00 (the Friday before the last Sunday, 02:00).
    auto il = TimeZone::from_posix("Israel-rule", "IST-2IDT,M3.4.4/26,M10.5.0");
    ASSERT_TRUE(il);
    EXPECT_EQ(il->to_local(utc(2030, 3, 28, 23, 59)).abbrev, "IST");
    EXPECT_EQ(il->to_local(utc(2030, 3, 29, 0, 0)).abbrev, "IDT");

    // Greenland's negative change times (version 3 extension).
    auto gl = TimeZone::from_posix("Nuuk-rule", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    ASSERT_TRUE(gl);
    EXPECT_EQ(gl->to_local(utc(2030, 3, 31, 0, 59)).abbrev, "-02");
    EXPECT_EQ(gl->to_local(utc(2030, 3, 31, 1, 0)).abbrev, "-01");

    // Julian days never count February 29: J60 is March 1 in any year.
    auto j = TimeZone::from_posix("J-rule", "AAA0BBB,J60/0,J300/0");
    ASSERT_TRUE(j);
    EXPECT_EQ(j->to_local(utc(2028, 2, 29, 23, 59)).abbrev, "AAA");
    EXPECT_EQ(j->to_local(utc(2028, 3, 1, 0, 0)).abbrev, "BBB");

    for (const char* bad : {"", "E5", "EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0", "EST5EDT,M3.2.7,M11.1.0",
                            "EST99", "<EST5"})
        EXPECT_FALSE(PosixTzRule::parse(bad)) << bad;
}

TEST(TimeZone, RefusesWhatIsNotTzif) {
    EXPECT_FALSE(TimeZone::from_tzif("x", ""));
    EXPECT_FALSE(TimeZone::from_tzif("x", "TZif2 not really a zone file at all, just text that is long enough"));
    auto missing = TimeZone::load("Mars/Olympus_Mons");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("Mars/Olympus_Mons"), std::string::npos);
    EXPECT_EQ(TimeZone::utc().to_local(utc(2026, 1, 1, 0, 0)).describe(), "2026-01-01 00:00 UTC (UTC)");
}

TEST(TimeZone, Rfc3339) {
    auto t = parse_rfc3339_utc("2028-02-29T23:59:30Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(*t, utc(2028, 2, 29, 23, 59, 30));
    EXPECT_EQ(format_rfc3339_utc(*t), "2028-02-29T23:59:30Z");
    EXPECT_FALSE(parse_rfc3339_utc("2027-02-29T00:00:00Z"));
    EXPECT_FALSE(parse_rfc3339_utc("2027-02-28T00:00:00+01:00"));
}

}  // namespace
}  // namespace lasr
