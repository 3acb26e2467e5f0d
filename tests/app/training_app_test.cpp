// Training-screen mode in the app, with a real headless player, a real pack
// on disk, real SQLite progress and fake screen power commands, driven by an
// injected wall clock. The week test checks every minute of a week against
// a timetable written out by hand.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "kiosk/app/app.hpp"
#include "playlists/manifest.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Mode = TrainingStatus::Mode;

// A week of schedules in America/Chicago (no DST change in December).
const char* kWeekSchedules = R"({
  "playlists": [
    {"id": "open", "title": {"en": "Opening"}, "course": "c1"},
    {"id": "morning", "course": "c2"},
    {"id": "lunch", "videos": ["c3-v1", "c1-v2"]},
    {"id": "special", "course": "c3"},
    {"id": "late", "videos": ["c2-v2"]},
    {"id": "quiet", "course": "c4"}
  ],
  "default_playlist": "quiet",
  "rules": [
    {"id": "opening", "playlist": "open", "days": ["mon-fri"], "from": "08:00", "until": "09:00", "priority": 1},
    {"id": "mornings", "playlist": "morning", "days": ["weekdays"], "from": "09:00", "until": "12:00", "priority": 5,
     "except_on": ["2026-12-09"]},
    {"id": "lunch", "playlist": "lunch", "from": "12:00", "until": "13:00", "priority": 3},
    {"id": "tuesday-special", "playlist": "special", "days": ["tue"], "from": "10:00", "until": "11:30", "priority": 8},
    {"id": "late-shift", "playlist": "late", "days": ["fri"], "from": "22:00", "until": "02:00", "priority": 2},
    {"id": "weekend", "playlist": "all-courses", "days": ["sat", "sun"], "from": "10:00", "until": "16:00", "priority": 1},
    {"id": "one-off", "playlist": "special", "from": "14:00", "until": "15:00", "starts_on": "2026-12-10",
     "ends_on": "2026-12-10", "priority": 9}
  ],
  "screen_hours": [
    {"days": ["mon-fri"], "from": "07:00", "until": "20:00"},
    {"days": ["fri"], "from": "22:00", "until": "02:00"},
    {"days": ["sat", "sun"], "from": "09:00", "until": "17:00"}
  ]
})";

// The same week as a timetable, worked out by hand from the rules above:
// local day (0 = Monday 2026-12-07), from, until, and what the screen shows:
// a playlist, "asleep", or "alert:ID".
struct Slot {
    int day;
    const char* from;
    const char* until;
    const char* shows;
};
const Slot kWeek[] = {
    {0, "00:00", "07:00", "asleep"}, {0, "07:00", "08:00", "quiet"},  {0, "08:00", "09:00", "open"},
    {0, "09:00", "12:00", "morning"}, {0, "12:00", "13:00", "lunch"}, {0, "13:00", "20:00", "quiet"},
    {0, "20:00", "24:00", "asleep"},
    {1, "00:00", "07:00", "asleep"}, {1, "07:00", "08:00", "quiet"},  {1, "08:00", "09:00", "open"},
    {1, "09:00", "10:00", "morning"}, {1, "10:00", "11:30", "special"}, {1, "11:30", "12:00", "morning"},
    {1, "12:00", "13:00", "lunch"},  {1, "13:00", "20:00", "quiet"},  {1, "20:00", "24:00", "asleep"},
    {2, "00:00", "07:00", "asleep"}, {2, "07:00", "08:00", "quiet"},  {2, "08:00", "09:00", "open"},
    {2, "09:00", "12:00", "quiet"},  {2, "12:00", "13:00", "lunch"},  {2, "13:00", "14:00", "quiet"},
    {2, "14:00", "14:30", "alert:storm"}, {2, "14:30", "20:00", "quiet"}, {2, "20:00", "24:00", "asleep"},
    {3, "00:00", "07:00", "asleep"}, {3, "07:00", "08:00", "quiet"},  {3, "08:00", "09:00", "open"},
    {3, "09:00", "12:00", "morning"}, {3, "12:00", "13:00", "lunch"}, {3, "13:00", "14:00", "quiet"},
    {3, "14:00", "15:00", "special"}, {3, "15:00", "20:00", "quiet"}, {3, "20:00", "23:00", "asleep"},
    {3, "23:00", "23:30", "alert:night-flood"}, {3, "23:30", "24:00", "asleep"},
    {4, "00:00", "07:00", "asleep"}, {4, "07:00", "08:00", "quiet"},  {4, "08:00", "09:00", "open"},
    {4, "09:00", "12:00", "morning"}, {4, "12:00", "13:00", "lunch"}, {4, "13:00", "20:00", "quiet"},
    {4, "20:00", "22:00", "asleep"}, {4, "22:00", "24:00", "late"},
    {5, "00:00", "02:00", "late"},   {5, "02:00", "09:00", "asleep"}, {5, "09:00", "10:00", "quiet"},
    {5, "10:00", "12:00", "all-courses"}, {5, "12:00", "13:00", "lunch"}, {5, "13:00", "16:00", "all-courses"},
    {5, "16:00", "17:00", "quiet"},  {5, "17:00", "24:00", "asleep"},
    {6, "00:00", "09:00", "asleep"}, {6, "09:00", "10:00", "quiet"},  {6, "10:00", "12:00", "all-courses"},
    {6, "12:00", "13:00", "lunch"},  {6, "13:00", "16:00", "all-courses"}, {6, "16:00", "17:00", "quiet"},
    {6, "17:00", "24:00", "asleep"},
};

// The videos each playlist may show, written out by hand.
const std::map<std::string, std::set<std::string>> kVideos = {
    {"open", {"c1-v1", "c1-v2", "c1-v3"}},
    {"morning", {"c2-v1", "c2-v2"}},
    {"lunch", {"c3-v1", "c1-v2"}},
    {"special", {"c3-v1", "c3-v2"}},
    {"late", {"c2-v2"}},
    {"quiet", {"c4-v1", "c4-v2"}},
    {"all-courses", {"c1-v1", "c1-v2", "c1-v3", "c2-v1", "c2-v2", "c3-v1", "c3-v2", "c4-v1", "c4-v2"}},
};

int hhmm(const char* s) { return ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0'); }

std::string expected_at(int minute_of_week) {
    int day = minute_of_week / 1440, m = minute_of_week % 1440;
    for (const Slot& s : kWeek)
        if (s.day == day && m >= hhmm(s.from) && m < hhmm(s.until)) return s.shows;
    return "(no slot)";
}

class TrainingAppTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        media_ = new test::TempDir();
        test::VideoSpec spec;
        spec.seconds = 2;
        spec.audio = false;
        ASSERT_TRUE(test::make_video(*media_ / "short.mp4", spec));
        spec.seconds = 8;
        ASSERT_TRUE(test::make_video(*media_ / "long.mp4", spec));
    }
    static void TearDownTestSuite() { delete media_; }

    void SetUp() override {
        fs::create_directories(dir / "pack/media");
        fs::copy_file(*media_ / "short.mp4", dir / "pack/media/short.mp4");
        fs::copy_file(*media_ / "long.mp4", dir / "pack/media/long.mp4");
        config.kiosk.mode = "training";
        config.kiosk.time_zone = "America/Chicago";
        config.kiosk.data_dir = dir / "data";
        // Fake screen power: scripts that record their calls.
        for (const char* what : {"on", "off"}) {
            fs::path p = dir / (std::string("tv-") + what);
            test::write_file(p, "#!/bin/sh\necho " + std::string(what) + " >> \"" + (dir / "power.log").string() + "\"\n");
            ::chmod(p.c_str(), 0755);
        }
        config.screen.power_on = {{(dir / "tv-on").string()}};
        config.screen.power_off = {{(dir / "tv-off").string()}};
    }

    // Courses c1 (3 videos), c2, c3 (2 each) of 2 s clips and c4 (2) of 8 s clips.
    void write_pack(const std::string& schedules, const json& alerts = json::array()) {
        Catalog cat;
        cat.info.library_id = "demo-library";
        cat.info.version = 1;
        cat.info.issued = "2026-11-01T00:00:00Z";
        cat.info.languages = {"en"};
        for (auto [cid, n] : std::vector<std::pair<std::string, int>>{{"c1", 3}, {"c2", 2}, {"c3", 2}, {"c4", 2}}) {
            Course c;
            c.id = cid;
            c.title.by_lang["en"] = "Course " + cid;
            for (int i = 1; i <= n; ++i) {
                Video v;
                v.id = cid + "-v" + std::to_string(i);
                v.title.by_lang["en"] = "Video " + v.id;
                v.file = *describe_pack_file(dir / "pack", cid == "c4" ? "media/long.mp4" : "media/short.mp4");
                v.duration_s = cid == "c4" ? 8 : 2;
                c.videos.push_back(v);
            }
            cat.courses.push_back(c);
        }
        std::string text = write_manifest(cat);
        json m = json::parse(text);
        m["schedules"] = json::parse(schedules);
        m["alerts"] = alerts;
        auto check = parse_manifest(m.dump());
        ASSERT_TRUE(check) << check.error().describe();
        test::write_file(dir / "pack/manifest.json", m.dump(2));
    }

    std::unique_ptr<App> make_app(bool untimed = true) {
        PlayerOptions o;
        o.headless = true;
        o.untimed = untimed;
        o.audio = false;
        auto p = Player::create(o);
        EXPECT_TRUE(p) << p.error().describe();
        player = std::move(*p);
        auto pack = ContentPack::open(dir / "pack");
        EXPECT_TRUE(pack) << pack.error().describe();
        TrainingEnv env;
        env.wall_clock = [this] { return wall; };
        env.clock_synchronized = [this] { return synced; };
        env.worker = &worker;
        return std::make_unique<App>(config, *pack, *player, nullptr, env);
    }

    // Lets queued power commands finish and hands their results back.
    void settle_power(const App& app) {
        for (int i = 0; i < 500; ++i) {
            worker.drain();
            const ScreenPower* p = app.training()->power();
            if (worker.pending() == 0 && (!p || !p->busy())) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        worker.drain();
    }

    std::string shows(const App& app) const {
        const TrainingStatus& st = app.training()->status();
        switch (st.mode) {
            case Mode::playing: return st.playlist;
            case Mode::asleep: return "asleep";
            case Mode::alert: return "alert:" + st.alert_id;
            default: return std::string(to_string(st.mode));
        }
    }

    test::TempDir dir;
    Config config;
    Worker worker;
    std::unique_ptr<Player> player;
    SysSeconds wall{};
    bool synced = true;
    static test::TempDir* media_;
};
test::TempDir* TrainingAppTest::media_ = nullptr;

SysSeconds utc(int y, unsigned mo, unsigned d, int h, int mi) {
    using namespace std::chrono;
    return SysSeconds{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi};
}

TEST_F(TrainingAppTest, PlaysTheRightThingAtEveryMinuteOfAWeek) {
    json alerts = json::parse(R"([
      {"id": "storm", "severity": "emergency", "title": {"en": "Shelter in place"},
       "starts": "2026-12-09T20:00:00Z", "ends": "2026-12-09T20:30:00Z"},
      {"id": "night-flood", "severity": "warning", "title": {"en": "Flood warning"},
       "starts": "2026-12-11T05:00:00Z", "ends": "2026-12-11T05:30:00Z"},
      {"id": "notice", "severity": "info", "title": {"en": "Staff meeting Friday"}}
    ])");
    write_pack(kWeekSchedules, alerts);
    const SysSeconds monday = utc(2026, 12, 7, 6, 0);  // Monday 00:00 CST (UTC-6 all week)
    wall = monday;
    auto app = make_app();
    ASSERT_NE(app->training(), nullptr);

    auto t0 = std::chrono::steady_clock::now();
    int checked = 0, wrong = 0, loads = 0;
    std::vector<std::string> power_expected;
    std::string last_video;
    for (int m = 0; m < 7 * 24 * 60; ++m) {
        wall = monday + std::chrono::minutes{m};
        double now = 60.0 * m;
        app->on_player_events(player->poll(), now);
        app->tick(now);
        settle_power(*app);
        std::string want = expected_at(m);
        std::string got = shows(*app);
        const TrainingStatus& st = app->training()->status();
        bool ok = got == want;
        bool on = want != "asleep";
        if (power_expected.empty() || (power_expected.back() == "on") != on) power_expected.push_back(on ? "on" : "off");
        ok = ok && st.screen_on == on;
        if (want == "asleep" || want.rfind("alert:", 0) == 0) {
            ok = ok && app->state().screen == Screen::home;
        } else {
            // The player loads asynchronously: give it up to 3 s to report
            // the video the app asked for.
            for (int i = 0; i < 60 && player->current_tag() != st.video_id; ++i)
                app->on_player_events(player->wait(0.05), now);
            ok = ok && app->state().screen == Screen::player && kVideos.at(want).count(st.video_id) &&
                 player->current_tag() == st.video_id && st.notice_alert_id == "notice";
            if (st.video_id != last_video) ++loads;
            last_video = st.video_id;
        }
        ++checked;
        if (!ok && ++wrong <= 5)
            ADD_FAILURE() << "day " << m / 1440 << " " << m % 1440 / 60 << ":" << m % 60 << " wanted " << want << ", got "
                          << got << " video=" << st.video_id << " tag=" << player->current_tag()
                          << " screen_on=" << st.screen_on << " app screen=" << to_string(app->state().screen);
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(checked, 10080);
    EXPECT_EQ(wrong, 0);
    EXPECT_GT(loads, 30);
    settle_power(*app);
    std::string log = test::read_file(dir / "power.log");
    std::string want_log;
    for (const auto& p : power_expected) want_log += p + "\n";
    EXPECT_EQ(log, want_log) << "the screen is switched exactly at the edges of its hours and for the night alert";
    std::printf("training_week_minutes %d checks, %d video changes, %.1f s\n", checked, loads, secs);
}

TEST_F(TrainingAppTest, AnAlertInterruptsAndTheVideoResumesWhereItWas) {
    write_pack(R"({"default_playlist": "long", "playlists": [{"id": "long", "course": "c4"}]})",
               json::parse(R"([{"id": "storm", "severity": "emergency", "title": {"en": "Shelter in place"},
                                "starts": "2026-12-01T12:00:00Z", "ends": "2026-12-01T12:05:00Z"}])"));
    wall = utc(2026, 12, 1, 11, 59);
    auto app = make_app(/*untimed=*/false);
    auto clock0 = std::chrono::steady_clock::now();
    auto now = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - clock0).count(); };
    app->tick(now());
    ASSERT_EQ(app->training()->status().video_id, "c4-v1");
    // Let it play to about 4 s of its 8.
    while (player->position_s() < 4.0 && now() < 20) {
        app->on_player_events(player->wait(0.1), now());
        app->tick(now());
    }
    ASSERT_GE(player->position_s(), 4.0);
    wall = utc(2026, 12, 1, 12, 0);
    app->tick(now());
    EXPECT_EQ(app->training()->status().mode, Mode::alert);
    EXPECT_EQ(app->training()->status().alert_id, "storm");
    EXPECT_EQ(app->state().screen, Screen::home);
    for (int i = 0; i < 5; ++i) app->on_player_events(player->wait(0.1), now());
    EXPECT_NE(player->state(), PlayerState::playing) << "the video stopped for the alert";

    wall = utc(2026, 12, 1, 12, 5);
    app->tick(now());
    EXPECT_EQ(app->training()->status().mode, Mode::playing);
    EXPECT_EQ(app->training()->status().video_id, "c4-v1") << "the same video";
    EXPECT_EQ(app->state().screen, Screen::player);
    double resumed_at = -1;
    for (int i = 0; i < 50 && resumed_at < 0; ++i) {
        app->on_player_events(player->wait(0.1), now());
        if (player->state() == PlayerState::playing && player->position_s() > 0.5) resumed_at = player->position_s();
    }
    EXPECT_GE(resumed_at, 1.5) << "it resumed near where it stopped, not from the start";
    EXPECT_LT(resumed_at, 4.5);
}

TEST_F(TrainingAppTest, ProgressSurvivesARestart) {
    write_pack(R"({"default_playlist": "open", "playlists": [{"id": "open", "course": "c1"}]})");
    wall = utc(2026, 12, 1, 15, 0);
    {
        auto app = make_app();
        app->tick(1);
        EXPECT_EQ(app->training()->status().video_id, "c1-v1");
        for (int i = 0; i < 100 && app->training()->status().video_id == "c1-v1"; ++i) {
            app->on_player_events(player->wait(0.1), 2);
            app->tick(2);
        }
        EXPECT_EQ(app->training()->status().video_id, "c1-v2");
        app->dispatch({Intent::Kind::quit}, 3);
    }
    auto again = make_app();
    again->tick(1);
    EXPECT_EQ(again->training()->status().video_id, "c1-v2") << "module 2 comes next after a restart";
    EXPECT_TRUE(fs::exists(dir / "data/training.sqlite3"));
}

TEST_F(TrainingAppTest, ThePlaylistsNextVideoIsQueuedAheadForAGaplessChange) {
    write_pack(R"({"default_playlist": "open", "playlists": [{"id": "open", "course": "c1"}]})");
    wall = utc(2026, 12, 1, 15, 0);
    auto app = make_app();
    app->tick(1);
    ASSERT_EQ(app->training()->status().video_id, "c1-v1");
    EXPECT_TRUE(player->is_queued("c1-v2")) << "the next module is queued behind the first";
    std::vector<std::string> seen = {"c1-v1"};
    for (int i = 0; i < 300 && seen.size() < 5; ++i) {
        app->on_player_events(player->wait(0.1), 2);
        app->tick(2);
        const TrainingStatus& st = app->training()->status();
        if (st.video_id == seen.back()) continue;
        seen.push_back(st.video_id);
        // The director's choice is what the app plays, and the one after
        // it is already queued.
        EXPECT_EQ(app->state().video_id, st.video_id);
        EXPECT_TRUE(player->is_queued(st.next_video_id) || player->current_tag() == st.next_video_id)
            << "after " << st.video_id << ", " << st.next_video_id << " is not queued";
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"c1-v1", "c1-v2", "c1-v3", "c1-v1", "c1-v2"}));
    EXPECT_EQ(player->stats().items_failed, 0u);
    EXPECT_EQ(player->stats().loads, 1u) << "only the first was loaded; the others were taken from the queue";
}

TEST_F(TrainingAppTest, UntrustedClockPlaysTheDefaultUntilItIsSet) {
    write_pack(kWeekSchedules);
    wall = utc(1970, 1, 1, 15, 0);  // a Pi without an RTC, before NTP (a Thursday, 09:00 in Chicago)
    synced = false;
    auto app = make_app();
    app->tick(1);
    EXPECT_FALSE(app->training()->clock_trusted());
    EXPECT_EQ(shows(*app), "quiet") << "the default playlist, screen on";
    wall = utc(2026, 12, 8, 15, 0);  // NTP answered: Tuesday 09:00 CST
    synced = true;
    app->tick(1 + TrainingMode::kClockCheckEveryS);
    EXPECT_TRUE(app->training()->clock_trusted());
    EXPECT_EQ(shows(*app), "morning");
}

TEST_F(TrainingAppTest, ANewPackBringsItsScheduleWithoutARestart) {
    write_pack(R"({"default_playlist": "open", "playlists": [{"id": "open", "course": "c1"}]})");
    wall = utc(2026, 12, 1, 15, 0);
    auto app = make_app();
    app->tick(1);
    EXPECT_EQ(shows(*app), "open");
    // The next pack (synced while this one plays) schedules another playlist.
    write_pack(R"({"default_playlist": "quiet", "playlists": [{"id": "quiet", "course": "c4"}]})");
    auto next = ContentPack::open(dir / "pack");
    ASSERT_TRUE(next) << next.error().describe();
    app->replace_pack(*next, 2);
    next = Result<std::shared_ptr<ContentPack>>(make_error(Domain::content, Errc::not_found, "dropped"));
    app->tick(3);  // the old catalog is gone: the new schedule must not reach it
    EXPECT_EQ(shows(*app), "quiet");
    EXPECT_EQ(&app->training()->schedule().catalog(), &app->catalog());
}

TEST_F(TrainingAppTest, NoNavigationOnAnUnattendedScreen) {
    write_pack(R"({"default_playlist": "open", "playlists": [{"id": "open", "course": "c1"}]})");
    wall = utc(2026, 12, 1, 15, 0);
    auto app = make_app();
    app->tick(1);
    ASSERT_EQ(app->state().screen, Screen::player);
    app->dispatch({Intent::Kind::back}, 2);
    app->dispatch({Intent::Kind::go_home}, 2);
    app->dispatch({Intent::Kind::open_resources}, 2);
    EXPECT_EQ(app->state().screen, Screen::player);
    app->dispatch({Intent::Kind::toggle_captions}, 2);
    EXPECT_FALSE(app->state().captions);
    app->dispatch({Intent::Kind::quit}, 3);
    EXPECT_TRUE(app->state().quit);
}

}  // namespace
}  // namespace lasr
