// The statement writer (kiosk/usage/xapi.cpp) writes JSON text directly,
// without nlohmann's tree. These hold it to nlohmann::json: every kind of
// statement byte for byte as the nlohmann builder made it
// (data/xapi_statements.golden, written by that builder before it was
// replaced), every string escaped as dump() escapes it (quotes, backslashes,
// control characters, DEL, UTF-8 of every length), and text that is not
// UTF-8 refused (where dump() throws). And timestamps, now formatted by
// hand, against the C library's calendar.
#include <gtest/gtest.h>

#include <time.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "kiosk/usage/xapi.hpp"

namespace lasr::xapi {
namespace {

using json = nlohmann::json;

constexpr EventKind kAllKinds[] = {
    EventKind::app_started,     EventKind::app_stopped,       EventKind::kiosk_error,     EventKind::session_started,
    EventKind::session_ended,   EventKind::course_opened,     EventKind::resource_viewed, EventKind::qr_shown,
    EventKind::alert_shown,     EventKind::video_initialized, EventKind::video_played,    EventKind::video_paused,
    EventKind::video_seeked,    EventKind::video_completed,   EventKind::video_terminated,
};

// A frame whose actor needs every kind of escape.
StatementFrame odd_frame() {
    StatementFrame f;
    f.statement_id = "0b9f2c1e-5d3a-4e7b-9c8d-1a2b3c4d5e6f";
    f.home_page = "https://springfield.example.org/branch \"7\"\\lobby\x01\x1f\t\n\r\b\f\x7f/caf\xc3\xa9/\xe2\x82\xac/"
                  "\xf0\x9f\x98\x80";
    f.kiosk_id = "kiosk \"7\"\\\x02\xc3\xa9";
    f.registration = "11111111-2222-4333-8444-555555555555";
    f.video_session = "66666666-7777-4888-9999-aaaaaaaaaaaa";
    f.seq = 123456789012;
    f.boot_id = "bbbbbbbb-cccc-4ddd-aeee-ffffffffffff";
    f.uptime_ms = 7380123;
    f.clock_trusted = true;
    f.timestamp = "2026-11-29T03:04:00.000Z";
    return f;
}

// An untrusted clock, no session, a trailing '/' on the home page.
StatementFrame plain_frame() {
    StatementFrame g = odd_frame();
    g.clock_trusted = false;
    g.timestamp.clear();
    g.registration.clear();
    g.uptime_ms = 59999;
    g.seq = 1;
    g.home_page = "https://lasr-kiosk.invalid/library/demo-library/";
    g.kiosk_id = "kiosk";
    return g;
}

UsageEvent odd_event(EventKind k) {
    UsageEvent ev(k, is_video_event(k) ? "video-1.a_b" : (k == EventKind::kiosk_error ? "media.unplayable" : "item-42"),
                  "course-3");
    ev.time_s = 60;
    ev.time_from_s = 45.5;
    ev.length_s = 120.5;
    ev.progress = 0.8796680497925311;
    ev.segments = "0.000[.]30.250[,]30.250[.]45.500[,]60.000[.]120.500";
    return ev;
}

// The cases of data/xapi_statements.golden, in its order: name -> body.
std::vector<std::pair<std::string, Result<std::string>>> golden_cases() {
    std::vector<std::pair<std::string, Result<std::string>>> out;
    const StatementFrame f = odd_frame();
    for (EventKind k : kAllKinds) out.emplace_back(std::string(to_string(k)), build_statement(odd_event(k), f));
    StatementFrame g = plain_frame();
    for (EventKind k : kAllKinds) {
        UsageEvent ev(k, is_video_event(k) ? "v" : "x", "c");
        ev.time_s = 0.1 + 0.2;  // 0.30000000000000004 before the rounding to ms
        ev.time_from_s = 1e-5;
        ev.length_s = 1e17;
        ev.progress = 1.0 / 3;
        const bool session = k == EventKind::session_started || k == EventKind::session_ended;
        g.registration = session ? "11111111-2222-4333-8444-555555555555" : "";
        out.emplace_back(std::string(to_string(k)) + "/2", build_statement(ev, g));
    }
    g.registration.clear();
    UsageEvent ev(EventKind::video_paused, "v", "c");
    ev.length_s = 3;
    ev.time_from_s = 1234567.8915;
    out.emplace_back("video_paused/3", build_statement(ev, f));
    ev.kind = EventKind::video_seeked;
    ev.time_s = 0.0005;
    ev.time_from_s = 1e-4;
    out.emplace_back("video_seeked/3", build_statement(ev, g));
    out.emplace_back("aggregate", build_aggregate({"2026-11-28", "http://adlnet.gov/expapi/verbs/launched",
                                                   "https://springfield.example.org/lasr/course/c\"1", 17},
                                                  f));
    out.emplace_back("aggregate/2", build_aggregate({"2026-11-28", "v", "o", 1}, g));
    return out;
}

TEST(XapiJson, EveryKindOfStatementIsByteForByteWhatTheNlohmannBuilderMade) {
    std::ifstream in(LASR_XAPI_GOLDEN, std::ios::binary);
    ASSERT_TRUE(in) << LASR_XAPI_GOLDEN;
    std::map<std::string, std::string> golden;
    for (std::string line; std::getline(in, line);) {
        const auto tab = line.find('\t');
        ASSERT_NE(tab, std::string::npos) << line;
        golden[line.substr(0, tab)] = line.substr(tab + 1);
    }
    const auto cases = golden_cases();
    ASSERT_EQ(cases.size(), golden.size());
    for (const auto& [name, body] : cases) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(body) << body.error().describe();
        ASSERT_TRUE(golden.count(name));
        EXPECT_EQ(*body, golden[name]);
        EXPECT_EQ(*body, json::parse(*body).dump());
    }
}

// One string of every troublesome kind: each control character, the two
// characters JSON escapes, '/', DEL, and UTF-8 of 2, 3 and 4 bytes at the
// edges of what is valid.
std::vector<std::string> troublesome_strings() {
    std::vector<std::string> out = {"\"", "\\", "\\\"", "/", "\x7f", "a\"b\\c", "caf\xc3\xa9", "\xc2\x80",
                                    "\xdf\xbf", "\xe0\xa0\x80", "\xe2\x82\xac", "\xed\x9f\xbf", "\xee\x80\x80",
                                    "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"};
    for (int c = 1; c < 0x20; ++c) out.push_back("x" + std::string(1, static_cast<char>(c)) + "y");
    return out;
}

TEST(XapiJson, StringsAreEscapedAsNlohmannDumpsThem) {
    for (const std::string& odd : troublesome_strings()) {
        StatementFrame f = odd_frame();
        f.home_page = "https://example.org/" + odd;
        f.kiosk_id = odd + "-kiosk";
        for (EventKind k : kAllKinds) {
            SCOPED_TRACE(json(odd).dump() + " " + std::string(to_string(k)));
            auto body = build_statement(odd_event(k), f);
            ASSERT_TRUE(body) << body.error().describe();
            const json st = json::parse(*body);
            EXPECT_EQ(*body, st.dump());
            EXPECT_EQ(st["actor"]["account"]["homePage"], f.home_page);
            EXPECT_EQ(st["actor"]["account"]["name"], f.kiosk_id);
            std::string base = f.home_page;
            while (base.back() == '/') base.pop_back();
            EXPECT_EQ(st["object"]["id"].get<std::string>().rfind(base + "/lasr/", 0), 0u);
        }
        auto agg = build_aggregate({"2026-11-28", odd, odd, 3}, f);
        ASSERT_TRUE(agg) << agg.error().describe();
        const json st = json::parse(*agg);
        EXPECT_EQ(*agg, st.dump());
        EXPECT_EQ(st["object"]["id"], odd);
    }
}

TEST(XapiJson, TextThatIsNotUtf8IsRefusedWhereNlohmannWouldThrow) {
    const std::vector<std::string> bad = {
        "\x80",              // a continuation byte alone
        "\xc0\xaf",          // overlong '/'
        "\xc3",              // cut short
        "\xe2\x82",          // cut short
        "\xe0\x80\xaf",      // overlong
        "\xed\xa0\x80",      // a surrogate
        "\xf0\x8f\xbf\xbf",  // overlong
        "\xf4\x90\x80\x80",  // above U+10FFFF
        "\xf5\x80\x80\x80",  // not a lead byte
        "\xff",
    };
    for (const std::string& b : bad) {
        SCOPED_TRACE(testing::PrintToString(b));
        EXPECT_THROW((void)json(b).dump(), json::type_error);
        StatementFrame f = odd_frame();
        f.kiosk_id = "k" + b;
        auto body = build_statement(odd_event(EventKind::app_started), f);
        ASSERT_FALSE(body);
        EXPECT_EQ(body.error().code, Errc::invalid_argument);
        f = odd_frame();
        f.home_page = "https://example.org/" + b;
        EXPECT_FALSE(build_statement(odd_event(EventKind::course_opened), f));
        EXPECT_FALSE(build_aggregate({"2026-11-28", "v", b, 1}, odd_frame()));
    }
}

// The C library's UTC calendar (what format_timestamp used to call): whole
// milliseconds toward zero, seconds floored.
std::string c_library_timestamp(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    auto secs = duration_cast<seconds>(t.time_since_epoch());
    auto millis = duration_cast<milliseconds>(t.time_since_epoch() - secs).count();
    if (millis < 0) {
        millis += 1000;
        secs -= seconds(1);
    }
    const time_t tt = static_cast<time_t>(secs.count());
    struct tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
    return buf;
}

TEST(XapiTime, TimestampsAreTheCLibrarysCalendarToTheMillisecond) {
    using namespace std::chrono;
    std::mt19937_64 gen(5);
    std::vector<int64_t> ns = {0, 1, -1, 999'999, -999'999, -1'000'000, -1'500'500'000, 951'782'400'000'000'000,
                               4'107'542'399'999'999'999, INT64_MAX, INT64_MIN + 1};
    for (int i = 0; i < 200'000; ++i) ns.push_back(static_cast<int64_t>(gen()) >> (gen() % 40));
    for (int64_t n : ns) {
        const system_clock::time_point t(duration_cast<system_clock::duration>(nanoseconds(n)));
        ASSERT_EQ(format_timestamp(t), c_library_timestamp(t)) << n << " ns";
    }
}

}  // namespace
}  // namespace lasr::xapi
