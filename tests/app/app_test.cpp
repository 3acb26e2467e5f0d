// The app model with a real headless player, a real pack on disk and a real
// SQLite usage log: navigation, plays and how they are logged, failures,
// the privacy reset.
#include <gtest/gtest.h>

#include <chrono>

#include "kiosk/app/app.hpp"
#include "kiosk/app/strings.hpp"
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
        return std::make_unique<App>(config, *pack, *player, usage.get());
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
    static test::TempDir* media_;
};
test::TempDir* AppTest::media_ = nullptr;

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
    auto rows = usage->plays();
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
    auto rows = usage->plays();
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
    EXPECT_EQ(usage->plays()->back().outcome, PlayOutcome::completed);
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
    EXPECT_EQ(usage->plays()->back().outcome, PlayOutcome::failed);
    EXPECT_EQ(app->state().plays_finished, 1);
}

TEST_F(AppTest, IdleResetForgetsThePatron) {
    auto app = make_app();
    app->dispatch({Intent::Kind::set_language, "es"}, 1);
    app->dispatch({Intent::Kind::open_resources}, 1);
    app->dispatch({Intent::Kind::set_category, "crisis"}, 1);
    app->tick(20);
    EXPECT_EQ(app->state().screen, Screen::resources);
    EXPECT_NEAR(app->seconds_until_next_tick(20), 5.0, 0.01);
    app->tick(31.5);
    EXPECT_EQ(app->state().screen, Screen::home);
    EXPECT_EQ(app->state().language, "en");
    EXPECT_TRUE(app->state().category.empty());
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
    EXPECT_EQ(usage->plays()->size(), 0u);
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

TEST(Strings, EveryLanguageHasEveryKey) {
    auto en = string_keys("en");
    ASSERT_GT(en.size(), 20u);
    for (const auto& lang : ui_languages()) {
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
    auto rows = usage->plays();
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
