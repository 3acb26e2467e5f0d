// The app model with a real headless player, a real pack on disk and a real
// SQLite usage log: navigation, plays and how they are logged, failures,
// the privacy reset.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <nlohmann/json.hpp>

#include "kiosk/app/app.hpp"
#include "kiosk/app/script.hpp"
#include "kiosk/app/strings.hpp"
#include "media/crypto.hpp"
#include "playlists/manifest.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;

class AppTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        media_ = new test::TempDir();
        test::VideoSpec spec;
        spec.seconds = 2;
        ASSERT_TRUE(test::make_video(*media_ / "a.mp4", spec));
        spec.seconds = 3;
        ASSERT_TRUE(test::make_video(*media_ / "b.mp4", spec));
    }
    static void TearDownTestSuite() { delete media_; }

    void SetUp() override {
        fs::create_directories(dir / "pack/media");
        fs::copy_file(*media_ / "a.mp4", dir / "pack/media/a.mp4");
        fs::copy_file(*media_ / "b.mp4", dir / "pack/media/b.mp4");
        test::write_file(dir / "pack/captions/a.en.vtt", "WEBVTT\n\n00:00.000 --> 00:01.500\nHello\n");
        test::write_file(dir / "pack/captions/a.es.vtt", "WEBVTT\n\n00:00.000 --> 00:01.500\nHola\n");
        build_pack(2.0, 3.0);
        config.kiosk.data_dir = dir / "data";
        config.kiosk.idle_timeout_s = 30;
        PlayerOptions o;
        o.headless = true;
        o.untimed = true;
        o.audio = false;
        auto p = Player::create(o);
        ASSERT_TRUE(p) << p.error().describe();
        player = std::move(*p);
        auto u = UsageLog::open(dir / "data/usage.sqlite3");
        ASSERT_TRUE(u) << u.error().describe();
        usage = std::move(*u);
        auto w = UsageWriter::start(*usage);
        ASSERT_TRUE(w) << w.error().describe();
        writer = std::move(*w);
    }

    // The log, once the writer has committed everything queued so far.
    UsageLog* flushed() {
        EXPECT_TRUE(writer->flush()) << "the usage writer did not catch up in 10 s";
        return usage.get();
    }

    void build_pack(double a_duration, double b_duration) {
        Catalog cat;
        cat.info.library_id = "demo-library";
        cat.info.version = 1;
        cat.info.issued = "2026-11-29T00:00:00Z";
        cat.info.languages = {"en", "es"};
        Course c;
        c.id = "c1";
        c.title.by_lang["en"] = "Course one";
        Video a;
        a.id = "v-a";
        a.title.by_lang["en"] = "A";
        a.file = *describe_pack_file(dir / "pack", "media/a.mp4");
        a.duration_s = a_duration;
        a.captions["en"] = *describe_pack_file(dir / "pack", "captions/a.en.vtt");
        a.captions["es"] = *describe_pack_file(dir / "pack", "captions/a.es.vtt");
        Video b = a;
        b.id = "v-b";
        b.file = *describe_pack_file(dir / "pack", "media/b.mp4");
        b.duration_s = b_duration;
        b.captions.clear();
        c.videos = {a, b};
        cat.courses.push_back(c);
        Resource r;
        r.id = "r1";
        r.name = "Help line";
        r.category = "crisis";
        r.description.by_lang["en"] = "Call us";
        r.phone = "988";
        cat.resources.push_back(r);
        test::write_file(dir / "pack/manifest.json", write_manifest(cat));
    }

    std::unique_ptr<App> make_app() {
        auto pack = ContentPack::open(dir / "pack");
        EXPECT_TRUE(pack) << pack.error().describe();
        return std::make_unique<App>(config, *pack, *player, writer.get());
    }

    // Feeds player events to the app until nothing plays (or 20 s pass).
    void run_until_idle(App& app) {
        double t = 100;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (app.state().screen == Screen::player && std::chrono::steady_clock::now() < deadline) {
            app.on_player_events(player->wait(0.2), t);
            app.tick(t);
        }
        ASSERT_NE(app.state().screen, Screen::player) << "still playing";
    }

    test::TempDir dir;
    Config config;
    std::unique_ptr<Player> player;
    std::unique_ptr<UsageLog> usage;
    std::unique_ptr<UsageWriter> writer;  // after the log: drains into it first
    static test::TempDir* media_;
};
test::TempDir* AppTest::media_ = nullptr;

// A tap waits for its widget to be drawn (a busy machine draws the next
// screen late), up to tap_wait_s, then fails naming the id and the screen.
TEST_F(AppTest, ScriptTapWaitsForItsWidgetThenFailsNamingIt) {
    auto app = make_app();
    auto steps = parse_script("tap course:c1\ntap back\n");
    ASSERT_TRUE(steps) << steps.error().describe();
    ScriptRunner script(std::move(*steps));
    std::set<std::string> drawn;
    auto has = [&drawn](const std::string& id) { return drawn.count(id) > 0; };

    auto act = script.next(*app, 10.0, has);
    EXPECT_EQ(act.kind, ScriptRunner::Action::Kind::wait_target);
    EXPECT_EQ(act.arg, "course:c1");
    EXPECT_GT(script.idle_for(10.0), 0) << "waiting must not spin the loop";
    act = script.next(*app, 14.0, has);  // 4 s later: still waiting
    EXPECT_EQ(act.kind, ScriptRunner::Action::Kind::wait_target);
    drawn.insert("course:c1");  // drawn at last
    act = script.next(*app, 14.5, has);
    EXPECT_EQ(act.kind, ScriptRunner::Action::Kind::tap);
    EXPECT_EQ(act.arg, "course:c1");

    // Settle frames, then the next tap; its widget never comes.
    for (int i = 0; i < 10 && act.kind != ScriptRunner::Action::Kind::wait_target; ++i)
        act = script.next(*app, 15.0, has);
    EXPECT_EQ(act.kind, ScriptRunner::Action::Kind::wait_target);
    act = script.next(*app, 15.0 + script.tap_wait_s + 0.1, has);
    ASSERT_EQ(act.kind, ScriptRunner::Action::Kind::failed);
    EXPECT_NE(act.arg.find("nothing to tap with id back on screen home after 5."), std::string::npos) << act.arg;
    EXPECT_FALSE(script.done());
}

TEST_F(AppTest, NavigatesHomeCourseResources) {
    auto app = make_app();
    EXPECT_EQ(app->state().screen, Screen::home);
    app->dispatch({Intent::Kind::open_course, "c1"}, 1);
    EXPECT_EQ(app->state().screen, Screen::course);
    app->dispatch({Intent::Kind::open_course, "nope"}, 1);
    EXPECT_EQ(app->state().course_id, "c1");
    app->dispatch({Intent::Kind::back}, 2);
    EXPECT_EQ(app->state().screen, Screen::home);
    app->dispatch({Intent::Kind::open_resources}, 3);
    app->dispatch({Intent::Kind::open_resource, "r1"}, 3);
    EXPECT_EQ(app->state().screen, Screen::resource);
    app->dispatch({Intent::Kind::back}, 4);
    EXPECT_EQ(app->state().screen, Screen::resources);
}

TEST_F(AppTest, PlayToEndReturnsToCourseAndLogsCompleted) {
    auto app = make_app();
    app->dispatch({Intent::Kind::open_course, "c1"}, 1);
    app->dispatch({Intent::Kind::play_video, "v-a"}, 1);
    EXPECT_EQ(app->state().screen, Screen::player);
    run_until_idle(*app);
    EXPECT_EQ(app->state().screen, Screen::course);
    EXPECT_EQ(app->state().last_video_id, "v-a");
    EXPECT_TRUE(app->state().notice.empty());
    auto rows = flushed()->plays();
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].video_id, "v-a");
    EXPECT_EQ((*rows)[0].course_id, "c1");
    EXPECT_EQ((*rows)[0].outcome, PlayOutcome::completed);
    EXPECT_GT((*rows)[0].position_s, 1.0);
}

TEST_F(AppTest, BackDuringPlayLogsStopped) {
    PlayerOptions o;
    o.headless = true;
    o.audio = false;  // real time, so there is time to leave
    player = std::move(*Player::create(o));
    auto app = make_app();
    app->dispatch({Intent::Kind::play_video, "v-b"}, 1);
    bool started = false;
    for (int i = 0; i < 40 && !started; ++i) {
        auto evs = player->wait(0.1);
        for (auto& e : evs) started = started || e.kind == PlayerEvent::Kind::started;
        app->on_player_events(evs, 1);
    }
    ASSERT_TRUE(started);
    app->dispatch({Intent::Kind::back}, 2);
    EXPECT_EQ(app->state().screen, Screen::course);
    for (int i = 0; i < 20 && !app->state().video_id.empty(); ++i) app->on_player_events(player->wait(0.1), 2);
    auto rows = flushed()->plays();
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].outcome, PlayOutcome::stopped);
}

TEST_F(AppTest, TamperedVideoNeverPlays) {
    std::string bytes = test::read_file(dir / "pack/media/a.mp4");
    bytes[bytes.size() / 2] ^= 0x55;
    test::write_file(dir / "pack/media/a.mp4", bytes);
    auto app = make_app();
    app->dispatch({Intent::Kind::open_course, "c1"}, 1);
    app->dispatch({Intent::Kind::play_video, "v-a"}, 1);
    EXPECT_EQ(app->state().screen, Screen::course);
    EXPECT_EQ(app->state().notice, "notice.video_unavailable");
    EXPECT_EQ(player->state(), PlayerState::idle);
    // The rest of the course still plays.
    app->dispatch({Intent::Kind::play_video, "v-b"}, 2);
    EXPECT_EQ(app->state().screen, Screen::player);
    run_until_idle(*app);
    EXPECT_EQ(flushed()->plays()->back().outcome, PlayOutcome::completed);
}

TEST_F(AppTest, TruncatedVideoIsLoggedAsFailedAndTheKioskGoesOn) {
    // The pack was published with a truncated file and the full duration.
    auto size = fs::file_size(dir / "pack/media/b.mp4");
    test::truncate_copy(*media_ / "b.mp4", dir / "pack/media/b.mp4", size / 2);
    build_pack(2.0, 3.0);
    auto app = make_app();
    app->dispatch({Intent::Kind::open_course, "c1"}, 1);
    app->dispatch({Intent::Kind::play_video, "v-b"}, 1);
    run_until_idle(*app);
    EXPECT_EQ(app->state().screen, Screen::course);
    EXPECT_EQ(app->state().notice, "notice.video_failed");
    EXPECT_EQ(flushed()->plays()->back().outcome, PlayOutcome::failed);
    EXPECT_EQ(app->state().plays_finished, 1);
}

// A scripted patron session through the app: what the usage log's outbox
// holds afterwards, statement by statement.
TEST_F(AppTest, ASessionBecomesXapiStatementsAndTheIdleResetEndsIt) {
    config.kiosk.mode = "patron";
    auto app = make_app();
    app->dispatch({Intent::Kind::alert_shown, "storm"}, 0.5);  // attract screen: no session
    app->dispatch({Intent::Kind::open_course, "c1"}, 1);
    app->dispatch({Intent::Kind::play_video, "v-a"}, 1);
    run_until_idle(*app);
    app->dispatch({Intent::Kind::open_resources}, 2);
    app->dispatch({Intent::Kind::open_resource, "r1"}, 2);  // its detail shows a QR code
    app->tick(2 + config.kiosk.idle_timeout_s + 1);  // the idle reset
    app->dispatch({Intent::Kind::open_course, "c1"}, 200);  // the next patron
    app->dispatch({Intent::Kind::quit}, 201);

    auto rows = flushed()->outbox_head(1000, SIZE_MAX);
    ASSERT_TRUE(rows) << rows.error().describe();
    std::vector<std::string> kinds;
    std::vector<std::string> registrations;
    int heartbeats = 0;  // the first tick sends one (HeartbeatsSayEnoughEveryInterval)
    for (const auto& r : *rows) {
        if (r.body.find(xapi::kHeartbeatVerb) != std::string::npos) {
            ++heartbeats;
            continue;
        }
        auto verb_at = r.body.find("\"display\":{\"en-US\":\"");
        ASSERT_NE(verb_at, std::string::npos) << r.body;
        verb_at += 20;
        kinds.push_back(r.body.substr(verb_at, r.body.find('"', verb_at) - verb_at));
        auto reg = r.body.find("\"registration\":\"");
        registrations.push_back(reg == std::string::npos ? "" : r.body.substr(reg + 16, 36));
    }
    EXPECT_EQ(kinds, (std::vector<std::string>{"initialized",  // app start
                                               "viewed",       // alert, before any session
                                               "initialized",  // session
                                               "launched",     // course
                                               "initialized", "played", "completed", "terminated",  // video
                                               "viewed",       // resource
                                               "viewed",       // its QR code
                                               "terminated",   // idle reset: session ends
                                               "initialized",  // next patron's session
                                               "launched", "terminated", "terminated"}));  // ..., session, app
    ASSERT_EQ(registrations.size(), 15u);
    EXPECT_EQ(registrations[0], "");
    EXPECT_EQ(registrations[1], "");
    EXPECT_FALSE(registrations[2].empty());
    for (size_t i = 3; i <= 10; ++i) EXPECT_EQ(registrations[i], registrations[2]) << i;
    EXPECT_FALSE(registrations[11].empty());
    EXPECT_NE(registrations[11], registrations[2]) << "a new patron, a new random id";
    EXPECT_EQ(registrations[13], registrations[11]);
    EXPECT_EQ(registrations[14], "");
    EXPECT_EQ(heartbeats, 1);
    EXPECT_FALSE(writer->in_session());
    EXPECT_FALSE(flushed()->in_session());
}

// Every usage.heartbeat_interval_s the kiosk reports its health: versions,
// pack, sync, queue, disk, uptime, errors, screen. Nothing of a patron.
TEST_F(AppTest, HeartbeatsSayEnoughEveryInterval) {
    config.usage.heartbeat_interval_s = 60;
    config.kiosk.branch = "main-street";
    auto app = make_app();
    auto health_rows = [&] {
        std::vector<nlohmann::json> out;
        auto rows = flushed()->outbox_head(1000, SIZE_MAX);
        EXPECT_TRUE(rows);
        for (const auto& r : *rows) {
            auto st = nlohmann::json::parse(r.body);
            if (st["verb"]["id"] == xapi::kHeartbeatVerb) {
                EXPECT_EQ(st.dump(), r.body) << "compact, keys sorted: resendable byte for byte";
                EXPECT_FALSE(st["context"].contains("registration"));
                out.push_back(st["result"]["extensions"][std::string(xapi::kHealthExtension)]);
            }
        }
        return out;
    };
    app->dispatch({Intent::Kind::open_course, "c1"}, 0.5);  // a patron session is open
    app->tick(1);
    auto beats = health_rows();
    ASSERT_EQ(beats.size(), 1u) << "the first tick reports at once";
    const auto& h = beats[0];
    EXPECT_EQ(h["app-version"], LASR_TEST_APP_VERSION);
    EXPECT_EQ(h["mode"], "patron");
    EXPECT_EQ(h["branch"], "main-street");
    EXPECT_EQ(h["heartbeat-interval-s"], 60);
    EXPECT_EQ(h["library"], "demo-library");
    EXPECT_EQ(h["pack-version"], 1);
    EXPECT_EQ(h["pack-issued"], "2026-11-29T00:00:00Z");
    EXPECT_EQ(h["content-sync"], "off");
    EXPECT_GE(h["queue-depth"].get<int>(), 3);  // app start, session, course
    EXPECT_GE(h["queue-oldest-s"].get<int>(), 0);
    EXPECT_GE(h["disk-free-mb"].get<int>(), 0);
    EXPECT_GE(h["uptime-s"].get<int>(), 0);
    EXPECT_EQ(h["errors"], 0);
    EXPECT_EQ(h["last-error"], "");
    EXPECT_EQ(h["screen"], "unmanaged");
    EXPECT_EQ(h.size(), 18u) << h.dump();

    app->tick(30);
    EXPECT_EQ(health_rows().size(), 1u) << "not before the interval";
    // A video whose file changed on disk: an error, counted in the next one.
    test::write_file(dir / "pack/media/b.mp4", "not the published bytes");
    app->dispatch({Intent::Kind::play_video, "v-b"}, 40);
    app->tick(61.5);
    beats = health_rows();
    ASSERT_EQ(beats.size(), 2u);
    EXPECT_EQ(beats[1]["errors"], 1);
    EXPECT_NE(beats[1]["last-error"], "");
    app->tick(122);
    beats = health_rows();
    ASSERT_EQ(beats.size(), 3u);
    EXPECT_EQ(beats[2]["errors"], 0) << "counted once";
    EXPECT_EQ(beats[2]["last-error"], beats[1]["last-error"]) << "the last cause stays known";
}

TEST_F(AppTest, IdleResetForgetsThePatron) {
    auto app = make_app();
    app->dispatch({Intent::Kind::set_language, "es"}, 1);
    app->dispatch({Intent::Kind::open_resources}, 1);
    app->dispatch({Intent::Kind::set_category, "crisis"}, 1);
    app->tick(20);
    EXPECT_EQ(app->state().screen, Screen::resources);
    EXPECT_NEAR(app->seconds_until_next_tick(20), 5.0, 0.01);
    app->dispatch({Intent::Kind::type_text, "help"}, 2);
    app->dispatch({Intent::Kind::toggle_contrast}, 3);
    app->tick(33.5);
    // Back to the attract loop, with nothing of the last patron left.
    EXPECT_EQ(app->state().screen, Screen::attract);
    EXPECT_EQ(app->state().language, "en");
    EXPECT_TRUE(app->state().category.empty());
    EXPECT_TRUE(app->state().search.empty());
    EXPECT_FALSE(app->state().high_contrast);
    // The attract loop plays muted, and is not logged as a patron's play.
    bool started = false;
    for (int i = 0; i < 50 && !started; ++i)
        for (auto& e : player->wait(0.1)) started = started || e.kind == PlayerEvent::Kind::started;
    EXPECT_TRUE(started);
    EXPECT_EQ(flushed()->plays()->size(), 0u);
    app->dispatch({Intent::Kind::start}, 40);
    EXPECT_EQ(app->state().screen, Screen::home);
}

TEST_F(AppTest, DailyRestartWaitsForItsHourTwoHoursOfUptimeAndNobodyAtTheKiosk) {
    config.kiosk.time_zone = "UTC";
    config.kiosk.daily_restart = "04:00";
    config.kiosk.daily_restart_min = 4 * 60;
    auto app = make_app();
    const int64_t day = 1782864000;  // 2026-07-01T00:00:00Z
    int64_t wall = day + 4 * 3600 + 600;  // 04:10
    app->set_wall_clock([&] { return wall; });
    app->start_attract(0);
    app->tick(0);  // started inside the hour: not up long enough
    app->tick(3600);
    EXPECT_FALSE(app->state().quit);
    // A day later, up for 24 h, at 03:59: not yet.
    wall = day + 86400 + 4 * 3600 - 60;
    app->tick(86400);
    EXPECT_FALSE(app->state().quit);
    // 04:20, but a patron is at the kiosk: it waits.
    wall = day + 86400 + 4 * 3600 + 1200;
    app->dispatch({Intent::Kind::start}, 86400);
    app->dispatch({Intent::Kind::open_resources}, 86400);
    app->tick(86401);
    EXPECT_FALSE(app->state().quit);
    // 04:59, the patron gone and the privacy reset done: it restarts.
    wall = day + 86400 + 4 * 3600 + 59 * 60;
    app->tick(86401 + config.kiosk.idle_timeout_s + 1);
    ASSERT_EQ(app->state().screen, Screen::attract);
    EXPECT_TRUE(app->state().quit);
    EXPECT_EQ(app->state().exit_code, App::kExitRestart);
}

TEST_F(AppTest, DailyRestartSkipsADayWhoseHourWasBusy) {
    config.kiosk.time_zone = "UTC";
    config.kiosk.daily_restart = "23:30";  // its hour crosses midnight
    config.kiosk.daily_restart_min = 23 * 60 + 30;
    auto app = make_app();
    const int64_t day = 1782864000;
    int64_t wall = day + 12 * 3600;
    app->set_wall_clock([&] { return wall; });
    app->start_attract(0);
    app->tick(0);
    wall = day + 86400 + 30 * 60;  // 00:30 the next day: the hour is over
    app->tick(36 * 3600);
    EXPECT_FALSE(app->state().quit);
    wall = day + 86400 + 15 * 60;  // 00:15: still inside it
    app->tick(36 * 3600 + 1);
    EXPECT_TRUE(app->state().quit);
    EXPECT_EQ(app->state().exit_code, App::kExitRestart);
}

TEST_F(AppTest, AttractLoopKeepsTheNextVideoQueuedForAGaplessChange) {
    auto app = make_app();
    app->start_attract(0);
    ASSERT_EQ(app->state().screen, Screen::attract);
    // Neither has started yet: the first, and the next queued behind it.
    EXPECT_EQ(player->queued(), 2u) << "the next video is queued behind the first";
    int ended = 0, started = 0;
    for (int i = 0; i < 300 && ended < 3; ++i) {
        auto evs = player->wait(0.1);
        int ends_now = 0;
        for (const auto& e : evs) {
            ends_now += e.kind == PlayerEvent::Kind::ended;
            started += e.kind == PlayerEvent::Kind::started;
            EXPECT_NE(e.kind, PlayerEvent::Kind::failed) << e.tag;
        }
        app->on_player_events(evs, 1);
        ended += ends_now;
        if (ends_now) {
            EXPECT_GE(player->queued(), 1u) << "each end queues one more";
        }
    }
    EXPECT_EQ(ended, 3);
    EXPECT_GE(started, 3);
    EXPECT_EQ(flushed()->plays()->size(), 0u);  // not a patron's play
    app->dispatch({Intent::Kind::start}, 2);
    EXPECT_EQ(player->queued(), 0u) << "leaving the loop drops its queue";
}

// A video started straight from the attract loop (a script's `play`, a
// training command) plays: leaving the loop must not stop it.
TEST_F(AppTest, AVideoStartedFromTheAttractLoopPlays) {
    auto app = make_app();
    app->start_attract(0);
    ASSERT_EQ(app->state().screen, Screen::attract);
    app->dispatch({Intent::Kind::play_video, "v-a"}, 1);
    EXPECT_EQ(app->state().screen, Screen::player);
    bool started = false;
    for (int i = 0; i < 100 && !started; ++i) {
        auto evs = player->wait(0.1);
        for (const auto& e : evs) started = started || (e.kind == PlayerEvent::Kind::started && e.tag == "v-a");
        app->on_player_events(evs, 1);
    }
    EXPECT_TRUE(started) << "the video stopped as the attract loop was left";
    run_until_idle(*app);
    auto rows = flushed()->plays();
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].outcome, PlayOutcome::completed);
}

TEST_F(AppTest, LanguageMustBeOffered) {
    auto app = make_app();
    app->dispatch({Intent::Kind::set_language, "fr"}, 1);
    EXPECT_EQ(app->state().language, "en");
    app->dispatch({Intent::Kind::set_language, "es"}, 1);
    EXPECT_EQ(app->state().language, "es");
}

TEST_F(AppTest, UsageOffRecordsNothing) {
    auto pack = ContentPack::open(dir / "pack");
    ASSERT_TRUE(pack);
    App app(config, *pack, *player, nullptr);
    app.dispatch({Intent::Kind::play_video, "v-a"}, 1);
    run_until_idle(app);
    EXPECT_EQ(flushed()->plays()->size(), 0u);
}

TEST_F(AppTest, PlayFileAndQuitExitCodes) {
    {
        auto app = make_app();
        ASSERT_TRUE(app->play_file_and_quit((*media_ / "a.mp4").string(), 1));
        for (int i = 0; i < 100 && !app->state().quit; ++i) app->on_player_events(player->wait(0.2), 1);
        EXPECT_TRUE(app->state().quit);
        EXPECT_EQ(app->state().exit_code, 0);
    }
    auto size = fs::file_size(*media_ / "a.mp4");
    test::truncate_copy(*media_ / "a.mp4", dir / "half.mp4", size / 2);
    auto app = make_app();
    ASSERT_TRUE(app->play_file_and_quit((dir / "half.mp4").string(), 1));
    for (int i = 0; i < 100 && !app->state().quit; ++i) app->on_player_events(player->wait(0.2), 1);
    EXPECT_TRUE(app->state().quit);
    EXPECT_EQ(app->state().exit_code, 3);
}

TEST_F(AppTest, PinPadUnlocksAndLocksOutAfterRepeatedFailures) {
    auto h = crypto::hash_pin("2468");
    ASSERT_TRUE(h);
    config.admin.pin_hash = *h;
    config.admin.max_attempts = 3;
    config.admin.lockout_s = 60;
    auto app = make_app();
    auto enter = [&](const std::string& pin, double t) {
        app->dispatch({Intent::Kind::admin_open}, t);
        for (char c : pin) app->dispatch({Intent::Kind::pin_key, std::string(1, c)}, t);
        app->dispatch({Intent::Kind::pin_submit}, t);
    };
    // Admin actions do nothing until unlocked.
    app->dispatch({Intent::Kind::admin_action, "exit"}, 1);
    EXPECT_FALSE(app->state().quit);
    enter("1111", 1);
    EXPECT_EQ(app->state().screen, Screen::admin_pin);
    EXPECT_TRUE(app->state().pin_wrong);
    enter("2222", 2);
    enter("3333", 3);
    EXPECT_GT(app->state().pin_locked_until, 60.0);
    enter("2468", 10);  // the right PIN, but locked
    EXPECT_EQ(app->state().screen, Screen::admin_pin);
    enter("2468", 64);  // after the lockout
    EXPECT_EQ(app->state().screen, Screen::admin);
    EXPECT_EQ(app->state().pin_failures, 0);
    auto status = app->admin_status();
    EXPECT_EQ(status.courses, 1u);
    EXPECT_EQ(status.videos, 2u);
    EXPECT_GT(status.disk_total_bytes, 0u);
    app->dispatch({Intent::Kind::admin_action, "restart"}, 65);
    EXPECT_TRUE(app->state().quit);
    EXPECT_EQ(app->state().exit_code, App::kExitRestart);
}

TEST_F(AppTest, AdminStatusCarriesTheSyncStateAndSyncNowNeedsTheAdminScreen) {
    auto h = crypto::hash_pin("2468");
    ASSERT_TRUE(h);
    config.admin.pin_hash = *h;
    auto app = make_app();
    // Staff asking for a sync is an admin action: nothing before the PIN.
    app->dispatch({Intent::Kind::admin_action, "sync_now"}, 1);
    EXPECT_FALSE(app->take_sync_now());
    app->dispatch({Intent::Kind::admin_open}, 2);
    for (char c : std::string("2468")) app->dispatch({Intent::Kind::pin_key, std::string(1, c)}, 2);
    app->dispatch({Intent::Kind::pin_submit}, 2);
    ASSERT_EQ(app->state().screen, Screen::admin);
    app->dispatch({Intent::Kind::admin_action, "sync_now"}, 3);
    EXPECT_TRUE(app->take_sync_now());
    EXPECT_FALSE(app->take_sync_now());  // taken once

    // What the shell reports, and the real outbox, reach the admin status.
    app->content_state().sync_configured = true;
    app->content_state().sync_phase = "fetch";
    app->content_state().bytes_done = 5;
    app->upload_state().configured = true;
    app->upload_state().paused = true;
    auto a = app->admin_status();
    EXPECT_TRUE(a.content.sync_configured);
    EXPECT_EQ(a.content.sync_phase, "fetch");
    EXPECT_EQ(a.content.bytes_done, 5u);
    EXPECT_TRUE(a.upload.paused);
    ASSERT_TRUE(a.have_queue);
    EXPECT_GE(a.queue.queued, 1);  // at least the app's start, not yet sent
    EXPECT_GT(a.now, 0);
}

TEST_F(AppTest, NoPinSetMeansNoAdmin) {
    auto app = make_app();
    app->dispatch({Intent::Kind::admin_open}, 1);
    for (char c : std::string("0000")) app->dispatch({Intent::Kind::pin_key, std::string(1, c)}, 1);
    app->dispatch({Intent::Kind::pin_submit}, 1);
    EXPECT_EQ(app->state().screen, Screen::admin_pin);
}

TEST_F(AppTest, SearchTextIsBoundedAndEditedByCharacter) {
    auto app = make_app();
    app->dispatch({Intent::Kind::open_resources}, 1);
    EXPECT_EQ(app->state().results.size(), 1u);
    app->dispatch({Intent::Kind::type_text, "zz"}, 1);
    EXPECT_TRUE(app->state().results.empty());
    app->dispatch({Intent::Kind::backspace}, 1);
    app->dispatch({Intent::Kind::backspace}, 1);
    app->dispatch({Intent::Kind::type_text, "hel"}, 1);
    EXPECT_EQ(app->state().results.size(), 1u);
    app->dispatch({Intent::Kind::type_text, std::string(100, 'x')}, 1);  // too long: ignored
    EXPECT_EQ(app->state().search, "hel");
    app->dispatch({Intent::Kind::type_text, "\xc3\xb1"}, 1);
    app->dispatch({Intent::Kind::backspace}, 1);  // removes the whole ñ
    EXPECT_EQ(app->state().search, "hel");
}

TEST_F(AppTest, AlertsFollowTheWallClock) {
    // Rebuild the pack with an alert from 08:00 to 09:00 UTC on 2026-07-01.
    std::string m = test::read_file(dir / "pack/manifest.json");
    auto pos = m.rfind('}');
    m.insert(pos, R"(, "alerts": [{"id": "heat", "severity": "emergency", "title": {"en": "Cooling center open"},
        "starts": "2026-07-01T08:00:00Z", "ends": "2026-07-01T09:00:00Z", "pin_resources": ["r1"]}])");
    test::write_file(dir / "pack/manifest.json", m);
    auto app = make_app();
    int64_t t = 1782892800;  // 2026-07-01T08:00:00Z
    app->set_wall_clock([&] { return t - 1; });
    app->tick(1);
    EXPECT_TRUE(app->state().alerts.empty());
    app->set_wall_clock([&] { return t; });
    app->tick(2.5);
    ASSERT_EQ(app->state().alerts.size(), 1u);
    app->set_wall_clock([&] { return t + 3600; });
    app->tick(4);
    EXPECT_TRUE(app->state().alerts.empty());
}

TEST(Strings, ShippedFilesParseAndCarryEveryKey) {
    namespace fs = std::filesystem;
    for (const auto& e : fs::directory_iterator(LASR_STRINGS_SOURCE_DIR))
        EXPECT_TRUE(load_strings_file(e.path())) << e.path();
}

TEST(Strings, ALanguageFileAddsALanguageWithoutCode) {
    test::TempDir d;
    test::write_file(d / "vi.toml", "[language]\nname = \"Tiếng Việt\"\n[nav]\nback = \"Quay lại\"\n");
    test::write_file(d / "bad.toml", "[nav\n");
    load_strings({d.path()});
    EXPECT_EQ(tr("vi", "nav.back"), "Quay lại");
    EXPECT_EQ(tr("vi", "nav.home"), "Home");  // falls back to English
    EXPECT_EQ(language_name("vi"), "Tiếng Việt");
    EXPECT_FALSE(load_strings_file(d / "bad.toml"));
}

TEST(Strings, EveryLanguageHasEveryKey) {
    auto en = string_keys("en");
    ASSERT_GT(en.size(), 20u);
    for (const std::string lang : {"es"}) {
        auto keys = string_keys(lang);
        EXPECT_EQ(keys, en) << lang << " differs from en";
    }
    EXPECT_EQ(tr("es", "nav.back"), "Atrás");
    EXPECT_EQ(tr("xx", "nav.back"), "Back");
    EXPECT_EQ(tr("en", "no.such.key"), "no.such.key");
}

}  // namespace
}  // namespace lasr

namespace lasr {
namespace {

// A second pack beside the first: the same files under another course id.
std::shared_ptr<ContentPack> renamed_course_pack(const fs::path& from, const fs::path& to) {
    fs::copy(from, to, fs::copy_options::recursive);
    auto cat = parse_manifest(test::read_file(to / "manifest.json"));
    EXPECT_TRUE(cat);
    cat->info.version = 2;
    cat->courses[0].id = "c2";
    test::write_file(to / "manifest.json", write_manifest(*cat));
    auto p = ContentPack::open(to);
    EXPECT_TRUE(p) << p.error().describe();
    return *p;
}

TEST_F(AppTest, ANewPackGoesLiveWhileAVideoPlaysOnToItsEnd) {
    auto app = make_app();
    app->dispatch({Intent::Kind::open_course, "c1"}, 1);
    app->dispatch({Intent::Kind::play_video, "v-a"}, 1);
    ASSERT_EQ(app->state().screen, Screen::player);
    app->replace_pack(renamed_course_pack(dir / "pack", dir / "pack2"), 2);
    EXPECT_EQ(app->catalog().info.version, 2u);
    EXPECT_EQ(app->state().content.version, 2u);
    EXPECT_EQ(app->state().screen, Screen::player);  // not interrupted
    run_until_idle(*app);
    // Its course is gone from the new pack: back home, not to a dead screen.
    EXPECT_EQ(app->state().screen, Screen::home);
    auto rows = flushed()->plays();
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].outcome, PlayOutcome::completed);
}

TEST_F(AppTest, ANewPackMovesScreensOffWhatItNoLongerHas) {
    auto app = make_app();
    app->dispatch({Intent::Kind::open_course, "c1"}, 1);
    app->replace_pack(renamed_course_pack(dir / "pack", dir / "pack2"), 2);
    EXPECT_EQ(app->state().screen, Screen::home);
    app->dispatch({Intent::Kind::open_resources}, 3);
    app->dispatch({Intent::Kind::open_resource, "r1"}, 3);
    app->replace_pack(ContentPack::empty(dir / "none"), 4);
    EXPECT_EQ(app->state().screen, Screen::resources);
}

}  // namespace
}  // namespace lasr
