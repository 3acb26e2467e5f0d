// The training-screen director as a pure state machine: loops, per-playlist
// progress, alerts that interrupt and hand back, screen hours, failures,
// stale reports, and a clock that jumps backwards.
#include <gtest/gtest.h>

#include "playlists/training.hpp"
#include "tests/playlists/schedule_fixture.hpp"

namespace lasr {
namespace {

using json = nlohmann::json;
using Kind = TrainingDirector::Command::Kind;
using Mode = TrainingStatus::Mode;
using test::at_utc;

json base_schedules() {
    return json::parse(R"({
      "playlists": [{"id": "p1", "course": "c1"}, {"id": "p2", "course": "c2"}],
      "default_playlist": "p2",
      "rules": [{"id": "mornings", "playlist": "p1", "from": "09:00", "until": "12:00", "priority": 5}],
      "screen_hours": [{"from": "07:00", "until": "19:00"}]
    })");
}

class DirectorTest : public ::testing::Test {
protected:
    void make(const json& schedules, const json& alerts = json::array(), Progress progress = {}) {
        json m = test::schedule_manifest(schedules);
        m["alerts"] = alerts;
        auto cat = parse_manifest(m.dump());
        ASSERT_TRUE(cat) << cat.error().describe();
        catalog = std::make_unique<Catalog>(std::move(*cat));
        schedule = std::make_unique<Schedule>(*catalog, TimeZone::utc());
        director = std::make_unique<TrainingDirector>(*schedule, std::move(progress));
    }
    TrainingDirector::Command update(SysSeconds wall, bool trusted = true) {
        mono += 1;
        return director->update(wall, trusted, mono);
    }
    TrainingDirector::Command end(const std::string& video, bool failed = false) {
        mono += 1;
        return director->on_video_end(video, failed, mono);
    }
    const TrainingStatus& st() const { return director->status(); }

    std::unique_ptr<Catalog> catalog;
    std::unique_ptr<Schedule> schedule;
    std::unique_ptr<TrainingDirector> director;
    double mono = 0;
};

TEST_F(DirectorTest, PlaysThePlaylistInOrderAndLoops) {
    make(base_schedules());
    auto c = update(at_utc(2026, 12, 1, 9, 0));
    EXPECT_EQ(c.kind, Kind::play);
    EXPECT_EQ(c.video_id, "c1-v1");
    EXPECT_EQ(c.start_s, 0);
    EXPECT_EQ(st().mode, Mode::playing);
    EXPECT_EQ(st().playlist, "p1");
    EXPECT_EQ(st().next_video_id, "c1-v2");
    EXPECT_EQ(st().count, 3u);
    EXPECT_EQ(update(at_utc(2026, 12, 1, 9, 1)).kind, Kind::none) << "nothing changes mid-video";
    EXPECT_EQ(end("c1-v1").video_id, "c1-v2");
    EXPECT_EQ(end("c1-v2").video_id, "c1-v3");
    EXPECT_EQ(st().next_video_id, "c1-v1");
    EXPECT_EQ(end("c1-v3").video_id, "c1-v1") << "loops";
    EXPECT_EQ(st().index, 0u);
    EXPECT_EQ(end("c1-v3").kind, Kind::none) << "a stale report changes nothing";
    EXPECT_TRUE(director->take_progress_dirty());
    EXPECT_FALSE(director->take_progress_dirty());
}

TEST_F(DirectorTest, ScheduleChangesKeepEachPlaylistsPlace) {
    make(base_schedules());
    update(at_utc(2026, 12, 1, 8, 0));  // p2, default
    EXPECT_EQ(st().playlist, "p2");
    end("c2-v1");
    director->note_position(4.0);       // c2-v2 at 4 s
    auto c = update(at_utc(2026, 12, 1, 9, 0));
    EXPECT_EQ(c.kind, Kind::play);
    EXPECT_EQ(c.video_id, "c1-v1");
    director->note_position(7.5);
    end("c1-v1");
    director->note_position(3.0);
    c = update(at_utc(2026, 12, 1, 12, 0));  // back to p2, where it was
    EXPECT_EQ(c.video_id, "c2-v2");
    EXPECT_DOUBLE_EQ(c.start_s, 4.0 - TrainingDirector::kResumeRewindS);
    const Progress& p = director->progress();
    EXPECT_EQ(p.at("p1"), (Cursor{1, "c1-v2", 3.0}));
    c = update(at_utc(2026, 12, 2, 9, 0));
    EXPECT_EQ(c.video_id, "c1-v2") << "the next morning resumes the course";
    EXPECT_DOUBLE_EQ(c.start_s, 1.0);
}

TEST_F(DirectorTest, AlertsInterruptByPriorityAndHandBack) {
    json alerts = json::parse(R"([
      {"id": "warn", "severity": "warning", "title": {"en": "Road closed"},
       "starts": "2026-12-01T10:00:00Z", "ends": "2026-12-01T10:30:00Z"},
      {"id": "storm", "severity": "emergency", "title": {"en": "Shelter in place"},
       "starts": "2026-12-01T10:10:00Z", "ends": "2026-12-01T10:20:00Z"},
      {"id": "note", "severity": "info", "title": {"en": "Closing at 5"}}
    ])");
    make(base_schedules(), alerts);
    update(at_utc(2026, 12, 1, 9, 50));
    end("c1-v1");
    director->note_position(6.0);  // c1-v2 at 6 s
    EXPECT_EQ(st().notice_alert_id, "note") << "info only shows in the lower third";
    EXPECT_EQ(st().mode, Mode::playing);

    auto c = update(at_utc(2026, 12, 1, 10, 0));
    EXPECT_EQ(c.kind, Kind::stop);
    EXPECT_EQ(st().mode, Mode::alert);
    EXPECT_EQ(st().alert_id, "warn");
    EXPECT_TRUE(director->take_progress_dirty()) << "the interrupted place is saved";
    EXPECT_EQ(update(at_utc(2026, 12, 1, 10, 10)).kind, Kind::none);
    EXPECT_EQ(st().alert_id, "storm") << "the emergency outranks the warning";
    EXPECT_EQ(st().other_alerts, 1u);
    update(at_utc(2026, 12, 1, 10, 20));
    EXPECT_EQ(st().alert_id, "warn") << "and hands back to it";
    c = update(at_utc(2026, 12, 1, 10, 30));
    EXPECT_EQ(st().mode, Mode::playing);
    EXPECT_EQ(c.kind, Kind::play);
    EXPECT_EQ(c.video_id, "c1-v2") << "the schedule resumes where it was";
    EXPECT_DOUBLE_EQ(c.start_s, 4.0);
}

TEST_F(DirectorTest, ScreenHoursSleepButNeverDuringAnAlert) {
    json alerts = json::parse(R"([{"id": "night-alert", "severity": "emergency", "title": {"en": "Flood"},
       "starts": "2026-12-01T22:00:00Z", "ends": "2026-12-01T23:00:00Z"}])");
    make(base_schedules(), alerts);
    update(at_utc(2026, 12, 1, 18, 0));
    director->note_position(5.0);
    auto c = update(at_utc(2026, 12, 1, 19, 0));
    EXPECT_EQ(c.kind, Kind::stop);
    EXPECT_EQ(st().mode, Mode::asleep);
    EXPECT_FALSE(st().screen_on);
    EXPECT_EQ(st().asleep_until, at_utc(2026, 12, 2, 7, 0));
    update(at_utc(2026, 12, 1, 22, 0));
    EXPECT_EQ(st().mode, Mode::alert);
    EXPECT_TRUE(st().screen_on) << "never off during an alert";
    update(at_utc(2026, 12, 1, 23, 0));
    EXPECT_EQ(st().mode, Mode::asleep);
    c = update(at_utc(2026, 12, 2, 7, 0));
    EXPECT_EQ(c.kind, Kind::play);
    EXPECT_EQ(c.video_id, "c2-v1");
    EXPECT_DOUBLE_EQ(c.start_s, 3.0);
}

TEST_F(DirectorTest, UntrustedClockPlaysTheDefaultAndStillShowsNewAlerts) {
    // The pack was issued at 2026-11-01T00:00Z; the alert started then.
    json alerts = json::parse(R"([{"id": "now", "severity": "emergency", "title": {"en": "Closed today"},
       "starts": "2026-11-01T00:00:00Z", "ends": "2026-11-01T06:00:00Z"}])");
    make(base_schedules(), alerts);
    auto c = update(at_utc(1970, 1, 1, 0, 5), false);  // a Pi booted without an RTC
    EXPECT_EQ(st().mode, Mode::alert) << "judged at the pack's issue time, the earliest the true time can be";
    EXPECT_TRUE(st().screen_on);
    EXPECT_FALSE(st().clock_trusted);
    make(base_schedules());
    c = update(at_utc(1970, 1, 1, 9, 30), false);
    EXPECT_EQ(st().playlist, "p2") << "the default, not the 09:00 rule";
    EXPECT_EQ(st().mode, Mode::playing) << "the screen stays on";
    EXPECT_NE(st().reason.find("not trusted"), std::string::npos);
    c = update(at_utc(2026, 12, 1, 9, 30), true);  // NTP answered
    EXPECT_EQ(st().playlist, "p1");
    EXPECT_EQ(c.video_id, "c1-v1");
}

TEST_F(DirectorTest, ClockJumpingBackwardsFollowsTheNewTimeAndKeepsProgress) {
    make(base_schedules());
    update(at_utc(2026, 12, 1, 11, 0));  // p1
    end("c1-v1");
    director->note_position(8.0);
    auto c = update(at_utc(2026, 12, 1, 8, 0));  // NTP corrected the clock three hours back
    EXPECT_EQ(st().playlist, "p2");
    EXPECT_EQ(c.video_id, "c2-v1");
    c = update(at_utc(2026, 12, 1, 9, 0));
    EXPECT_EQ(c.video_id, "c1-v2");
    EXPECT_DOUBLE_EQ(c.start_s, 6.0);
    c = update(at_utc(2026, 12, 1, 18, 59));
    c = update(at_utc(2026, 12, 1, 19, 30));
    EXPECT_EQ(st().mode, Mode::asleep);
    EXPECT_EQ(st().asleep_until, at_utc(2026, 12, 2, 7, 0));
    update(at_utc(2026, 12, 1, 5, 0));  // back again, still outside hours
    EXPECT_EQ(st().asleep_until, at_utc(2026, 12, 1, 7, 0)) << "recomputed for the new time";
}

TEST_F(DirectorTest, FailuresSkipAheadThenRest) {
    make(base_schedules());
    update(at_utc(2026, 12, 1, 9, 0));
    auto c = end("c1-v1", true);
    EXPECT_EQ(c.video_id, "c1-v2") << "a failed video is skipped";
    c = end("c1-v2", true);
    EXPECT_EQ(c.video_id, "c1-v3");
    c = end("c1-v3", true);
    EXPECT_EQ(c.kind, Kind::none);
    EXPECT_EQ(st().mode, Mode::nothing) << "every video failed: rest instead of spinning";
    EXPECT_EQ(update(at_utc(2026, 12, 1, 9, 1)).kind, Kind::none);
    mono += TrainingDirector::kRetryAfterFailuresS;
    c = update(at_utc(2026, 12, 1, 9, 2));
    EXPECT_EQ(c.kind, Kind::play);
    EXPECT_EQ(c.video_id, "c1-v1");
}

TEST_F(DirectorTest, SavedProgressSurvivesAChangedPlaylist) {
    Progress saved;
    saved["p1"] = Cursor{5, "c1-v3", 2.5};  // the index is stale: the video is now third
    saved["p2"] = Cursor{1, "gone-video", 9.0};
    make(base_schedules(), json::array(), saved);
    auto c = update(at_utc(2026, 12, 1, 9, 0));
    EXPECT_EQ(c.video_id, "c1-v3");
    EXPECT_DOUBLE_EQ(c.start_s, 0.5);
    EXPECT_EQ(st().index, 2u);
    c = update(at_utc(2026, 12, 1, 13, 0));
    EXPECT_EQ(c.video_id, "c2-v2") << "a vanished video: the same place in the list, from the start";
    EXPECT_EQ(c.start_s, 0);
}

TEST_F(DirectorTest, NoContentIsNothingToPlay) {
    json m = test::schedule_manifest(json());
    m["courses"] = json::array();
    auto cat = parse_manifest(m.dump());
    ASSERT_TRUE(cat);
    catalog = std::make_unique<Catalog>(std::move(*cat));
    schedule = std::make_unique<Schedule>(*catalog, TimeZone::utc());
    director = std::make_unique<TrainingDirector>(*schedule, Progress{});
    EXPECT_EQ(update(at_utc(2026, 12, 1, 9, 0)).kind, Kind::none);
    EXPECT_EQ(st().mode, Mode::nothing);
    uint64_t rev = st().revision;
    update(at_utc(2026, 12, 1, 9, 0));
    EXPECT_EQ(st().revision, rev) << "no change, no new revision";
}

}  // namespace
}  // namespace lasr
