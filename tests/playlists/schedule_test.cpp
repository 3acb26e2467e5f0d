// The schedule engine with an injected clock: the manifest's schedules
// section, overlaps and priorities, midnight crossing, DST both ways, leap
// days, the clock jumping backwards, clock trust and alerts.
#include <gtest/gtest.h>

#include "playlists/schedule.hpp"
#include "tests/playlists/schedule_fixture.hpp"

namespace lasr {
namespace {

using json = nlohmann::json;
using test::at_local;
using test::at_utc;

json playlists() {
    return json::parse(R"([
      {"id": "p1", "title": {"en": "First steps"}, "course": "c1"},
      {"id": "p2", "course": "c2"},
      {"id": "p3", "videos": ["c3-v2", "c1-v1"]},
      {"id": "p4", "videos": ["c2-v1"]}
    ])");
}

json with_rules(const json& rules, const std::string& default_playlist = "p4") {
    return json{{"playlists", playlists()}, {"rules", rules}, {"default_playlist", default_playlist}};
}

TEST(ScheduleManifest, ParsesAndWritesBack) {
    json s = with_rules(json::parse(R"([
      {"id": "mornings", "playlist": "p1", "days": ["mon-fri"], "from": "09:00", "until": "12:00", "priority": 5},
      {"id": "late", "playlist": "p3", "days": ["fri", "sat"], "from": "22:00", "until": "02:00"},
      {"id": "december", "playlist": "all-courses", "starts_on": "2026-12-01", "ends_on": "2026-12-24",
       "except_on": ["2026-12-12", "2028-02-29"], "priority": 100}
    ])"));
    s["screen_hours"] = json::parse(R"([{"days": ["weekdays"], "from": "07:30", "until": "18:00"}, {"days": ["sat"]}])");
    Catalog cat = test::schedule_catalog(s);
    const Schedules& sc = cat.schedules;
    ASSERT_EQ(sc.playlists.size(), 4u);
    EXPECT_EQ(sc.playlists[2].videos, (std::vector<std::string>{"c3-v2", "c1-v1"}));
    ASSERT_EQ(sc.rules.size(), 3u);
    EXPECT_EQ(to_string(sc.rules[0].window), "mon-fri 09:00-12:00");
    EXPECT_EQ(sc.rules[0].priority, 5);
    EXPECT_TRUE(sc.rules[1].window.crosses_midnight());
    EXPECT_EQ(sc.rules[2].except_on.size(), 2u);
    EXPECT_TRUE(sc.rules[2].window.all_day());
    EXPECT_EQ(sc.default_playlist, "p4");
    ASSERT_EQ(sc.screen_hours.size(), 2u);
    EXPECT_EQ(to_string(sc.screen_hours[1]), "sat");

    auto again = parse_manifest(write_manifest(cat));
    ASSERT_TRUE(again) << again.error().describe();
    EXPECT_EQ(write_manifest(*again), write_manifest(cat));
    EXPECT_EQ(again->schedules.rules[1].window, sc.rules[1].window);
    EXPECT_EQ(again->schedules.rules[2].ends_on, sc.rules[2].ends_on);
    EXPECT_EQ(again->schedules.screen_hours, sc.screen_hours);

    auto alone = parse_schedules_json(s.dump(), cat);
    ASSERT_TRUE(alone) << alone.error().describe();
    EXPECT_EQ(alone->rules.size(), 3u);
}

TEST(ScheduleManifest, EveryMistakeNamesItsField) {
    struct Case {
        json schedules;
        const char* expect;
    };
    auto rule = [](const char* extra) {
        return with_rules(json::array({json::parse(std::string(R"({"id": "r", "playlist": "p1")") + extra + "}")}));
    };
    const Case cases[] = {
        {rule(R"(, "from": "09:00", "untill": "12:00")"), "schedules.rules[0]: unknown key \"untill\""},
        {rule(R"(, "days": ["funday"])"), "schedules.rules[0].days: \"funday\" is not a day"},
        {rule(R"(, "from": "9:00")"), "schedules.rules[0].from: \"9:00\" is not a time"},
        {rule(R"(, "from": "09:00", "until": "09:00")"), "schedules.rules[0].from: starts and ends at 09:00"},
        {rule(R"(, "until": "24:30")"), "schedules.rules[0].until"},
        {rule(R"(, "starts_on": "2027-02-29")"), "schedules.rules[0].starts_on: \"2027-02-29\" is not a day of the calendar"},
        {rule(R"(, "ends_on": "2100-02-29")"), "\"2100-02-29\" is not a day of the calendar"},
        {rule(R"(, "starts_on": "2026-12-02", "ends_on": "2026-12-01")"), "schedules.rules[0].ends_on: is before starts_on"},
        {rule(R"(, "except_on": ["12/25/2026"])"), "schedules.rules[0].except_on: \"12/25/2026\" is not a date"},
        {rule(R"(, "priority": 101)"), "schedules.rules[0].priority: must be a whole number from 0 to 100"},
        {rule(R"(, "priority": -1)"), "schedules.rules[0].priority: must be a whole number"},
        {rule(R"(, "priority": 2.5)"), "schedules.rules[0].priority: must be a whole number"},
        {with_rules(json::parse(R"([{"id": "r", "playlist": "nope"}])")), "schedules.rules[0].playlist: names no playlist \"nope\""},
        {with_rules(json::parse(R"([{"id": "r", "playlist": "p1"}, {"id": "r", "playlist": "p2"}])")),
         "schedules.rules[1].id: id \"r\" is used twice"},
        {with_rules(json::array(), "nope"), "schedules.default_playlist: names no playlist \"nope\""},
        {json::parse(R"({"playlists": [{"id": "x", "course": "c1", "videos": ["c1-v1"]}]})"),
         "schedules.playlists[0]: needs either \"course\""},
        {json::parse(R"({"playlists": [{"id": "x"}]})"), "schedules.playlists[0]: needs either"},
        {json::parse(R"({"playlists": [{"id": "x", "course": "c9"}]})"), "schedules.playlists[0].course: names no course \"c9\""},
        {json::parse(R"({"playlists": [{"id": "x", "videos": ["c1-v9"]}]})"), "schedules.playlists[0].videos: names no video \"c1-v9\""},
        {json::parse(R"({"playlists": [{"id": "all-courses", "course": "c1"}]})"), "\"all-courses\" is built in"},
        {json::parse(R"({"screen_hours": [{"days": ["mon"], "form": "07:00"}]})"), "schedules.screen_hours[0]: unknown key \"form\""},
        {json::parse(R"({"rule": []})"), "schedules: unknown key \"rule\""},
    };
    for (const Case& c : cases) {
        auto cat = parse_manifest(test::schedule_manifest(c.schedules).dump());
        ASSERT_FALSE(cat) << c.schedules.dump();
        EXPECT_NE(cat.error().message.find(c.expect), std::string::npos)
            << "got: " << cat.error().message << "\nwanted: " << c.expect;
    }
}

class ScheduleTest : public ::testing::Test {
protected:
    TimeZone chicago = test::load_zone("America/Chicago");
};

TEST_F(ScheduleTest, OverlapsGoToTheHighestPriorityThenTheFirstListed) {
    Catalog cat = test::schedule_catalog(with_rules(json::parse(R"([
      {"id": "base", "playlist": "p2", "priority": 0},
      {"id": "mornings", "playlist": "p1", "days": ["mon-fri"], "from": "09:00", "until": "12:00", "priority": 5},
      {"id": "tie", "playlist": "p3", "days": ["tue"], "from": "10:00", "until": "11:00", "priority": 5},
      {"id": "urgent", "playlist": "all-courses", "days": ["tue"], "from": "10:30", "until": "10:45", "priority": 9}
    ])")));
    Schedule s(cat, chicago);
    // 2026-12-01 is a Tuesday.
    auto c = s.choose(at_local(chicago, 2026, 12, 1, 10, 40), true);
    EXPECT_EQ(c.playlist, "all-courses");
    EXPECT_EQ(c.why, Schedule::Choice::Why::rule);
    EXPECT_EQ(c.outranked, (std::vector<int>{1, 2, 0}));
    EXPECT_EQ(s.choose(at_local(chicago, 2026, 12, 1, 10, 45), true).playlist, "p1") << "a tie goes to the first listed";
    EXPECT_EQ(s.choose(at_local(chicago, 2026, 12, 1, 12, 0), true).playlist, "p2");
    EXPECT_EQ(s.choose(at_local(chicago, 2026, 12, 5, 10, 0), true).playlist, "p2") << "Saturday";
    EXPECT_EQ(s.explain(s.choose(at_local(chicago, 2026, 12, 1, 9, 30), true)),
              "rule mornings, priority 5, window mon-fri 09:00-12:00 America/Chicago");

    Catalog none = test::schedule_catalog(with_rules(json::array()));
    Schedule empty(none, chicago);
    auto d = empty.choose(at_local(chicago, 2026, 12, 1, 9, 30), true);
    EXPECT_EQ(d.playlist, "p4");
    EXPECT_EQ(d.why, Schedule::Choice::Why::no_rule_matches);
    Catalog bare = test::schedule_catalog(json());
    EXPECT_EQ(Schedule(bare, chicago).default_playlist(), "all-courses");
    EXPECT_EQ(Schedule(bare, chicago).videos_of("all-courses").size(), 7u);
}

TEST_F(ScheduleTest, WindowsCrossMidnightAndBelongToTheDayTheyStart) {
    Catalog cat = test::schedule_catalog(with_rules(json::parse(R"([
      {"id": "late", "playlist": "p3", "days": ["fri"], "from": "22:00", "until": "02:00", "ends_on": "2026-12-04"},
      {"id": "from-sat", "playlist": "p1", "days": ["fri"], "from": "23:00", "until": "01:00", "starts_on": "2026-12-05",
       "priority": 3}
    ])")));
    Schedule s(cat, chicago);
    auto at = [&](unsigned d, int h, int m) { return s.choose(at_local(chicago, 2026, 12, d, h, m), true).playlist; };
    EXPECT_EQ(at(4, 21, 59), "p4");
    EXPECT_EQ(at(4, 22, 0), "p3");
    EXPECT_EQ(at(4, 23, 30), "p3") << "from-sat starts on the 5th: Friday the 4th's window is before it";
    EXPECT_EQ(at(5, 0, 30), "p3") << "Saturday 00:30 is still Friday's window, and Friday the 4th is within ends_on";
    EXPECT_EQ(at(5, 1, 59), "p3");
    EXPECT_EQ(at(5, 2, 0), "p4");
    EXPECT_EQ(at(4, 1, 0), "p4") << "Friday 01:00 would be a Thursday window";
    EXPECT_EQ(at(11, 22, 30), "p4") << "after ends_on";
    EXPECT_EQ(at(11, 23, 30), "p1");
    EXPECT_EQ(at(12, 0, 59), "p1");
    EXPECT_EQ(at(12, 1, 0), "p4");
}

TEST_F(ScheduleTest, SpringForwardSkipsTheMissingHour) {
    Catalog cat = test::schedule_catalog(with_rules(json::parse(R"([
      {"id": "night", "playlist": "p1", "from": "01:30", "until": "02:30"},
      {"id": "early", "playlist": "p2", "from": "02:00", "until": "03:30"},
      {"id": "ghost", "playlist": "p3", "from": "02:15", "until": "02:45", "priority": 9}
    ])")));
    Schedule s(cat, chicago);
    // 2026-03-08: 02:00 CST jumps to 03:00 CDT at 08:00Z.
    EXPECT_EQ(s.choose(at_utc(2026, 3, 8, 7, 30), true).playlist, "p1");  // 01:30 CST
    EXPECT_EQ(s.choose(at_utc(2026, 3, 8, 7, 59), true).playlist, "p1");  // 01:59 CST
    EXPECT_EQ(s.choose(at_utc(2026, 3, 8, 8, 0), true).playlist, "p2");   // 03:00 CDT
    EXPECT_EQ(s.choose(at_utc(2026, 3, 8, 8, 29), true).playlist, "p2");  // 03:29 CDT
    EXPECT_EQ(s.choose(at_utc(2026, 3, 8, 8, 30), true).playlist, "p4");  // 03:30 CDT
    int ghost = 0, night = 0;
    for (int m = 0; m < 24 * 60; ++m) {
        auto c = s.choose(at_utc(2026, 3, 8, 0, 0) + std::chrono::minutes{m}, true);
        ghost += c.playlist == "p3";
        night += c.playlist == "p1";
    }
    EXPECT_EQ(ghost, 0) << "02:15-02:45 does not happen that day";
    EXPECT_EQ(night, 30) << "01:30-02:30 lasts 30 real minutes that day";
    EXPECT_EQ(s.next_change(at_utc(2026, 3, 8, 7, 45)), at_utc(2026, 3, 8, 8, 0));
}

TEST_F(ScheduleTest, FallBackRepeatsTheHour) {
    Catalog cat = test::schedule_catalog(with_rules(json::parse(R"([
      {"id": "once-twice", "playlist": "p1", "from": "01:00", "until": "01:30"},
      {"id": "small-hours", "playlist": "p2", "from": "00:00", "until": "03:00", "priority": 0}
    ])")));
    Schedule s(cat, chicago);
    // 2026-11-01: 02:00 CDT falls back to 01:00 CST at 07:00Z.
    int p1 = 0, p2 = 0;
    for (int m = 0; m < 24 * 60; ++m) {
        auto c = s.choose(at_utc(2026, 11, 1, 4, 0) + std::chrono::minutes{m}, true);  // local midnight onwards
        p1 += c.playlist == "p1";
        p2 += c.playlist == "p2";
    }
    EXPECT_EQ(p1, 60) << "01:00-01:30 happens twice";
    EXPECT_EQ(p1 + p2, 240) << "00:00-03:00 lasts four real hours";
    EXPECT_EQ(s.choose(at_utc(2026, 11, 1, 6, 10), true).playlist, "p1");  // 01:10 CDT
    EXPECT_EQ(s.choose(at_utc(2026, 11, 1, 6, 40), true).playlist, "p2");  // 01:40 CDT
    EXPECT_EQ(s.choose(at_utc(2026, 11, 1, 7, 10), true).playlist, "p1");  // 01:10 CST
    EXPECT_EQ(s.choose(at_utc(2026, 11, 1, 7, 10), true).local.abbrev, "CST");
}

TEST_F(ScheduleTest, LeapDays) {
    Catalog cat = test::schedule_catalog(with_rules(json::parse(R"([
      {"id": "leap-only", "playlist": "p1", "starts_on": "2028-02-29", "ends_on": "2028-02-29", "priority": 9},
      {"id": "tuesdays", "playlist": "p2", "days": ["tue"], "except_on": ["2028-02-29"], "priority": 5},
      {"id": "overnight", "playlist": "p3", "from": "22:00", "until": "02:00", "starts_on": "2028-02-28",
       "ends_on": "2028-02-28", "priority": 10}
    ])")));
    Schedule s(cat, chicago);
    auto at = [&](int y, unsigned mo, unsigned d, int h) { return s.choose(at_local(chicago, y, mo, d, h, 0), true).playlist; };
    EXPECT_EQ(at(2028, 2, 28, 23), "p3");
    EXPECT_EQ(at(2028, 2, 29, 1), "p3") << "the window that started on the 28th runs into the 29th";
    EXPECT_EQ(at(2028, 2, 29, 2), "p1");
    EXPECT_EQ(at(2028, 2, 29, 23), "p1");
    EXPECT_EQ(at(2028, 3, 1, 0), "p4") << "2028-03-01 is a Wednesday";
    EXPECT_EQ(at(2028, 3, 7, 12), "p2");
    EXPECT_EQ(at(2032, 2, 24, 12), "p2");
    EXPECT_EQ(s.choose(at_local(chicago, 2028, 2, 29, 12, 0), true).local.weekday, 1) << "a Tuesday, excepted";
}

TEST_F(ScheduleTest, AClockJumpingBackwardsIsJustAnEarlierInstant) {
    Catalog cat = test::schedule_catalog(with_rules(json::parse(R"([
      {"id": "mornings", "playlist": "p1", "from": "09:00", "until": "12:00"}
    ])")));
    Schedule s(cat, chicago);
    SysSeconds t = at_local(chicago, 2026, 12, 1, 10, 0);
    EXPECT_EQ(s.choose(t, true).playlist, "p1");
    EXPECT_EQ(s.choose(t - std::chrono::hours{3}, true).playlist, "p4");
    EXPECT_EQ(s.choose(t, true).playlist, "p1");
    EXPECT_EQ(s.choose(t - std::chrono::days{400}, true).playlist, "p1");
}

TEST_F(ScheduleTest, UntrustedClockPlaysTheDefaultWithTheScreenOn) {
    json sch = with_rules(json::parse(R"([{"id": "all", "playlist": "p1"}])"));
    sch["screen_hours"] = json::parse(R"([{"days": ["mon"], "from": "08:00", "until": "09:00"}])");
    Catalog cat = test::schedule_catalog(sch);
    Schedule s(cat, chicago);
    SysSeconds sunday = at_local(chicago, 2026, 12, 6, 12, 0);
    EXPECT_FALSE(s.screen_on(sunday, true));
    EXPECT_TRUE(s.screen_on(sunday, false));
    auto c = s.choose(sunday, false);
    EXPECT_EQ(c.playlist, "p4");
    EXPECT_EQ(c.why, Schedule::Choice::Why::clock_not_trusted);

    Schedule overridden(cat, chicago, ScheduleOverrides{"p2", std::vector<DayWindow>{}});
    EXPECT_EQ(overridden.choose(sunday, false).playlist, "p2");
    EXPECT_TRUE(overridden.screen_on(sunday, true)) << "config's empty hours: always on";
    Schedule unknown(cat, chicago, ScheduleOverrides{"nope", std::nullopt});
    EXPECT_EQ(unknown.default_playlist(), "p4");
    EXPECT_NE(unknown.default_playlist_problem().find("\"nope\""), std::string::npos);
}

TEST(ClockTrust, SynchronisedOrPlausible) {
    SysSeconds build = at_utc(2026, 5, 1, 0, 0);
    SysSeconds issued = at_utc(2026, 11, 1, 0, 0);
    ClockEvidence e{at_utc(2026, 12, 1, 0, 0), false, build, issued};
    EXPECT_TRUE(judge_clock(e, ClockPolicy::plausible).trusted);
    EXPECT_FALSE(judge_clock(e, ClockPolicy::synced).trusted);
    e.now = at_utc(1970, 1, 1, 0, 0);  // a Pi without an RTC, before NTP
    auto v = judge_clock(e, ClockPolicy::plausible);
    EXPECT_FALSE(v.trusted);
    EXPECT_NE(v.why.find("build"), std::string::npos);
    e.now = at_utc(2026, 10, 1, 0, 0);  // fake-hwclock's saved time, before the pack
    v = judge_clock(e, ClockPolicy::plausible);
    EXPECT_FALSE(v.trusted);
    EXPECT_NE(v.why.find("content pack"), std::string::npos);
    e.kernel_synchronized = true;
    EXPECT_TRUE(judge_clock(e, ClockPolicy::synced).trusted) << "a synchronised clock is believed, whatever it says";
}

TEST(Alerts, ActiveByWindowMostUrgentFirst) {
    json m = test::schedule_manifest(json());
    m["alerts"] = json::parse(R"([
      {"id": "info-1", "severity": "info", "title": {"en": "Closing early"}},
      {"id": "warn-old", "severity": "warning", "title": {"en": "W1"}, "starts": "2026-12-01T10:00:00Z"},
      {"id": "warn-new", "severity": "warning", "title": {"en": "W2"}, "starts": "2026-12-01T11:00:00Z"},
      {"id": "storm", "severity": "emergency", "title": {"en": "E"}, "starts": "2026-12-01T12:00:00Z",
       "ends": "2026-12-01T13:00:00Z"}
    ])");
    auto cat = parse_manifest(m.dump());
    ASSERT_TRUE(cat) << cat.error().describe();
    Schedule s(*cat, TimeZone::utc());
    auto ids = [&](SysSeconds t) {
        std::vector<std::string> out;
        for (const Alert* a : s.active_alerts(t)) out.push_back(a->id);
        return out;
    };
    EXPECT_EQ(ids(at_utc(2026, 12, 1, 9, 0)), (std::vector<std::string>{"info-1"}));
    EXPECT_EQ(ids(at_utc(2026, 12, 1, 12, 0)), (std::vector<std::string>{"storm", "warn-new", "warn-old", "info-1"}));
    EXPECT_EQ(ids(at_utc(2026, 12, 1, 13, 0)), (std::vector<std::string>{"warn-new", "warn-old", "info-1"}));
}

}  // namespace
}  // namespace lasr
