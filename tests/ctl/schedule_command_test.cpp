// lasr-kioskctl schedule: parsing --at in a zone, and the real executable's
// report on a pack with schedules (only the manifest is needed).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "kiosk/ctl/demo_source.hpp"
#include "kiosk/ctl/schedule_preview.hpp"
#include "tests/playlists/schedule_fixture.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

TEST(ScheduleAt, LocalOffsetUtcAndDstEdges) {
    TimeZone z = test::load_zone("America/Chicago");
    SysSeconds now = test::at_utc(2026, 1, 1, 0, 0);
    auto local = parse_at("2026-12-01T09:30", z, now);
    ASSERT_TRUE(local) << local.error().describe();
    EXPECT_EQ(format_rfc3339_utc(local->at), "2026-12-01T15:30:00Z");
    EXPECT_EQ(format_rfc3339_utc(parse_at("2026-12-01 09:30:15", z, now)->at), "2026-12-01T15:30:15Z");
    EXPECT_EQ(format_rfc3339_utc(parse_at("2026-12-01T09:30Z", z, now)->at), "2026-12-01T09:30:00Z");
    EXPECT_EQ(format_rfc3339_utc(parse_at("2026-12-01T09:30+01:00", z, now)->at), "2026-12-01T08:30:00Z");
    EXPECT_EQ(parse_at("now", z, now)->at, now);
    auto twice = parse_at("2026-11-01T01:30", z, now);
    ASSERT_TRUE(twice);
    EXPECT_EQ(format_rfc3339_utc(twice->at), "2026-11-01T06:30:00Z");
    EXPECT_NE(twice->note.find("happens twice"), std::string::npos);
    auto gap = parse_at("2026-03-08T02:30", z, now);
    ASSERT_FALSE(gap);
    EXPECT_NE(gap.error().message.find("does not happen"), std::string::npos);
    for (const char* bad : {"tomorrow", "2026-13-01T09:30", "2026-02-29T09:30", "2026-12-01T25:00", "2026-12-01T09:30+1"})
        EXPECT_FALSE(parse_at(bad, z, now)) << bad;
}

class ScheduleCommand : public ::testing::Test {
protected:
    void SetUp() override {
        json sched = json::parse(R"({
          "playlists": [{"id": "mornings", "title": {"en": "Morning course"}, "course": "c1"}, {"id": "quiet", "course": "c2"}],
          "default_playlist": "quiet",
          "rules": [
            {"id": "weekday-mornings", "playlist": "mornings", "days": ["mon-fri"], "from": "09:00", "until": "12:00", "priority": 5},
            {"id": "all-day", "playlist": "all-courses", "priority": 1}
          ],
          "screen_hours": [{"days": ["mon-fri"], "from": "07:00", "until": "19:00"}]
        })");
        json m = test::schedule_manifest(sched);
        m["alerts"] = json::parse(R"([{"id": "storm", "severity": "emergency", "title": {"en": "Shelter in place"},
            "starts": "2026-12-02T16:00:00Z", "ends": "2026-12-02T17:00:00Z"}])");
        test::write_file(dir / "pack/manifest.json", m.dump());
        test::write_file(dir / "kiosk.toml", "[kiosk]\nmode = \"training\"\ntime_zone = \"America/Chicago\"\ndata_dir = \"" +
                                                 (dir / "data").string() + "\"\n");
    }
    struct Run {
        int status;
        std::string out;
    };
    Run schedule(const std::string& at, std::vector<std::string> extra = {}) {
        std::vector<std::string> argv = {LASR_KIOSKCTL, "schedule", "--at", at, "--pack", (dir / "pack").string(),
                                         "--config", (dir / "kiosk.toml").string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        fs::path log = dir / ("out-" + std::to_string(++runs) + ".log");
        int st = test::run(argv, log);
        return {st, test::read_file(log)};
    }
    test::TempDir dir;
    int runs = 0;
};

TEST_F(ScheduleCommand, SaysWhatPlaysAndWhy) {
    auto r = schedule("2026-12-01T09:30");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("at:      2026-12-01 09:30 CST (UTC-06:00) America/Chicago, a Tuesday"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("plays:   playlist \"mornings\" (Morning course): course c1 in order, 3 videos"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("why:     rule weekday-mornings, priority 5, window mon-fri 09:00-12:00 America/Chicago"),
              std::string::npos) << r.out;
    EXPECT_NE(r.out.find("outranked: rule all-day, priority 1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("until:   2026-12-01 12:00 CST (UTC-06:00), then playlist \"all-courses\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("screen:  on (hours mon-fri 07:00-19:00 America/Chicago, from the content pack)"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("plays playlist \"quiet\""), std::string::npos) << "what an untrusted clock plays\n" << r.out;
}

TEST_F(ScheduleCommand, AlertsScreenOffAndListing) {
    auto alert = schedule("2026-12-02T10:15");
    EXPECT_EQ(alert.status, 0);
    EXPECT_NE(alert.out.find("shows:   the emergency alert \"storm\": Shelter in place"), std::string::npos) << alert.out;
    EXPECT_NE(alert.out.find("until:   2026-12-02 11:00 CST"), std::string::npos) << alert.out;
    auto night = schedule("2026-12-05T20:00");
    EXPECT_NE(night.out.find("shows:   nothing: outside screen hours, the screen is off"), std::string::npos) << night.out;
    EXPECT_NE(night.out.find("until:   2026-12-07 07:00 CST"), std::string::npos) << night.out;
    auto week = schedule("2026-12-07T00:00", {"--days", "1"});
    EXPECT_NE(week.out.find("2026-12-07 09:00 - 2026-12-07 12:00  mornings  [weekday-mornings]"), std::string::npos) << week.out;
    EXPECT_NE(week.out.find("2026-12-07 19:00 - 2026-12-08 00:00  (screen off)"), std::string::npos) << week.out;
}

TEST_F(ScheduleCommand, BadTimesAreUsageErrors) {
    auto gap = schedule("2026-03-08T02:30");
    EXPECT_EQ(gap.status, 2);
    EXPECT_NE(gap.out.find("does not happen in America/Chicago"), std::string::npos) << gap.out;
    EXPECT_EQ(schedule("someday").status, 2);
    auto nopack = test::run({LASR_KIOSKCTL, "schedule", "--pack", (dir / "missing").string(), "--config",
                             (dir / "kiosk.toml").string()});
    EXPECT_EQ(nopack, 1);
}

TEST(DemoSchedules, TheDemoSourceCarriesCheckedSchedules) {
    auto src = load_demo_source(LASR_DEMO_SOURCE);
    ASSERT_TRUE(src) << src.error().describe();
    ASSERT_FALSE(src->schedules_json.empty());
    json j = json::parse(test::read_file(LASR_DEMO_SOURCE));
    j["schedules"]["playlists"][2]["videos"].push_back("c9-v9");
    auto bad = parse_demo_source(j.dump(), fs::path(LASR_DEMO_SOURCE).parent_path());
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("demo source schedules.playlists[2].videos: names no video \"c9-v9\""),
              std::string::npos)
        << bad.error().message;
}

}  // namespace
}  // namespace lasr::ctl
