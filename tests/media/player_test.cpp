// The player against real libmpv, headless (vo=null, ao=null), on real
// files made with ffmpeg.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include "media/player.hpp"
#include "tests/media/http_stall_server.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<Player> headless_player(PlayerOptions o = {}) {
    o.headless = true;
    o.audio = false;
    auto p = Player::create(o);
    EXPECT_TRUE(p) << (p ? "" : p.error().describe());
    return p ? std::move(*p) : nullptr;
}

PlayerOptions untimed() {
    PlayerOptions o;
    o.untimed = true;
    return o;
}

// Collects events until `tag` has ended one way or another (or timeout_s).
std::vector<PlayerEvent> events_until_end(Player& player, const std::string& tag, double timeout_s = 30) {
    std::vector<PlayerEvent> all;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < deadline) {
        for (auto& ev : player.wait(0.1)) {
            all.push_back(ev);
            if (ev.tag == tag && ev.kind != PlayerEvent::Kind::started) return all;
        }
    }
    ADD_FAILURE() << "no end event for " << tag;
    return all;
}

const PlayerEvent* find_event(const std::vector<PlayerEvent>& all, const std::string& tag, PlayerEvent::Kind kind) {
    for (const auto& ev : all)
        if (ev.tag == tag && ev.kind == kind) return &ev;
    return nullptr;
}

// Plays until the item ends one way or another; returns its final event.
PlayerEvent play_to_end(Player& player, const MediaItem& item, std::vector<PlayerEvent>* all = nullptr) {
    EXPECT_TRUE(player.load(item));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        for (auto& ev : player.wait(0.5)) {
            if (all) all->push_back(ev);
            if (ev.tag == item.tag && ev.kind != PlayerEvent::Kind::started) return ev;
        }
    }
    ADD_FAILURE() << "no end event for " << item.path;
    return PlayerEvent{PlayerEvent::Kind::stopped, item.tag, 0, std::nullopt};
}

class PlayerFiles : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir();
        test::VideoSpec spec;
        spec.seconds = 4;
        ASSERT_TRUE(test::make_video(*dir_ / "good.mp4", spec));
        spec.faststart = false;
        ASSERT_TRUE(test::make_video(*dir_ / "moov-at-end.mp4", spec));
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static fs::path path(const char* name) { return *dir_ / name; }
    static test::TempDir* dir_;
};
test::TempDir* PlayerFiles::dir_ = nullptr;

// An automatic hwdec mode asks mpv to probe only where a decoder device
// exists; a mode the config names is kept whatever /dev holds.
TEST(EffectiveHwdec, AutomaticModesNeedADecoderDevice) {
    test::TempDir dev;
    EXPECT_EQ(effective_hwdec("auto-safe", dev.path()), "no");
    EXPECT_EQ(effective_hwdec("auto", dev.path()), "no");
    EXPECT_EQ(effective_hwdec("auto-copy", dev.path()), "no");
    EXPECT_EQ(effective_hwdec("drm-copy", dev.path()), "drm-copy");
    EXPECT_EQ(effective_hwdec("vaapi", dev.path()), "vaapi");
    EXPECT_EQ(effective_hwdec("no", dev.path()), "no");
    test::write_file(dev / "dri/card0", "");
    EXPECT_EQ(effective_hwdec("auto-safe", dev.path()), "no") << "a display card alone decodes nothing";
    test::write_file(dev / "dri/renderD128", "");  // VAAPI, NVDEC, a Pi's drm
    EXPECT_EQ(effective_hwdec("auto-safe", dev.path()), "auto-safe");
    test::TempDir pi;
    test::write_file(pi / "video10", "");  // a V4L2 memory-to-memory decoder
    EXPECT_EQ(effective_hwdec("auto-safe", pi.path()), "auto-safe");
}

TEST_F(PlayerFiles, GoodFilePlaysToItsEnd) {
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    std::vector<PlayerEvent> all;
    auto end = play_to_end(*player, MediaItem{"good", path("good.mp4"), 4.0, {}}, &all);
    EXPECT_EQ(end.kind, PlayerEvent::Kind::ended) << (end.error ? end.error->describe() : "");
    EXPECT_GT(end.position_s, 3.0);
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.front().kind, PlayerEvent::Kind::started);
    EXPECT_EQ(player->state(), PlayerState::ended);
}

TEST_F(PlayerFiles, ContainerDurationIsTrustedWithoutManifest) {
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    auto end = play_to_end(*player, MediaItem{"good", path("good.mp4"), 0, {}});
    EXPECT_EQ(end.kind, PlayerEvent::Kind::ended);
}

TEST_F(PlayerFiles, CorruptFileFailsClearly) {
    test::write_file(path("garbage.mp4"), std::string(200000, '\x5a'));
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    auto end = play_to_end(*player, MediaItem{"bad", path("garbage.mp4"), 4.0, {}});
    ASSERT_EQ(end.kind, PlayerEvent::Kind::failed);
    ASSERT_TRUE(end.error);
    EXPECT_EQ(end.error->code, Errc::unplayable);
    EXPECT_NE(end.error->message.find("garbage.mp4"), std::string::npos) << end.error->message;
    EXPECT_EQ(player->state(), PlayerState::failed);
}

TEST_F(PlayerFiles, EmptyAndMissingFilesFail) {
    test::write_file(path("empty.mp4"), "");
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    auto empty = play_to_end(*player, MediaItem{"empty", path("empty.mp4"), 4.0, {}});
    EXPECT_EQ(empty.kind, PlayerEvent::Kind::failed);
    auto missing = play_to_end(*player, MediaItem{"missing", path("does-not-exist.mp4"), 4.0, {}});
    ASSERT_EQ(missing.kind, PlayerEvent::Kind::failed);
    EXPECT_EQ(missing.error->code, Errc::not_found);
}

TEST_F(PlayerFiles, TruncatedFaststartFileIsCaughtEvenThoughMpvSaysEof) {
    auto size = fs::file_size(path("good.mp4"));
    test::truncate_copy(path("good.mp4"), path("half.mp4"), size / 2);
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    auto end = play_to_end(*player, MediaItem{"half", path("half.mp4"), 4.0, {}});
    ASSERT_EQ(end.kind, PlayerEvent::Kind::failed);
    EXPECT_EQ(end.error->code, Errc::truncated) << end.error->describe();
    EXPECT_LT(end.position_s, 3.0);
    // Without a manifest, the container's own duration gives it away.
    auto end2 = play_to_end(*player, MediaItem{"half2", path("half.mp4"), 0, {}});
    ASSERT_EQ(end2.kind, PlayerEvent::Kind::failed);
    EXPECT_EQ(end2.error->code, Errc::truncated);
}

TEST_F(PlayerFiles, TruncatedMoovAtEndFileIsUnplayable) {
    auto size = fs::file_size(path("moov-at-end.mp4"));
    test::truncate_copy(path("moov-at-end.mp4"), path("cut.mp4"), size / 2);
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    auto end = play_to_end(*player, MediaItem{"cut", path("cut.mp4"), 4.0, {}});
    ASSERT_EQ(end.kind, PlayerEvent::Kind::failed);
    EXPECT_EQ(end.error->code, Errc::unplayable);
}

TEST_F(PlayerFiles, ManifestDurationThatLiesIsTruncation) {
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    auto end = play_to_end(*player, MediaItem{"liar", path("good.mp4"), 12.0, {}});
    ASSERT_EQ(end.kind, PlayerEvent::Kind::failed);
    EXPECT_EQ(end.error->code, Errc::truncated);
}

TEST_F(PlayerFiles, PlaysOnAfterAFailure) {
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    test::write_file(path("garbage2.mp4"), std::string(5000, '\x01'));
    EXPECT_EQ(play_to_end(*player, MediaItem{"bad", path("garbage2.mp4"), 4.0, {}}).kind, PlayerEvent::Kind::failed);
    EXPECT_EQ(play_to_end(*player, MediaItem{"good", path("good.mp4"), 4.0, {}}).kind, PlayerEvent::Kind::ended);
}

TEST_F(PlayerFiles, LoadingAnotherItemStopsTheFirst) {
    PlayerOptions o;
    o.headless = true;
    o.audio = false;  // real time, so the first is still playing
    auto player = Player::create(o);
    ASSERT_TRUE(player);
    ASSERT_TRUE((*player)->load(MediaItem{"first", path("good.mp4"), 4.0, {}}));
    bool started = false;
    for (int i = 0; i < 40 && !started; ++i)
        for (auto& ev : (*player)->wait(0.25)) started = started || ev.kind == PlayerEvent::Kind::started;
    ASSERT_TRUE(started);
    std::vector<PlayerEvent> all;
    (*player)->set_paused(false);
    auto end = play_to_end(**player, MediaItem{"second", path("good.mp4"), 4.0, {}}, &all);
    EXPECT_EQ(end.kind, PlayerEvent::Kind::ended);
    bool first_stopped = false;
    for (auto& ev : all) first_stopped = first_stopped || (ev.tag == "first" && ev.kind == PlayerEvent::Kind::stopped);
    EXPECT_TRUE(first_stopped);
}

TEST(Player, LavfiSourceNeedsNoFile) {
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    auto end = play_to_end(*player, MediaItem{"lavfi", "av://lavfi:testsrc=duration=2:size=160x90", 0, {}});
    EXPECT_EQ(end.kind, PlayerEvent::Kind::ended) << (end.error ? end.error->describe() : "");
}

TEST(Player, HeadlessHasNoRenderer) {
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    EXPECT_FALSE(player->attach_renderer(nullptr, nullptr));
    EXPECT_FALSE(player->load(MediaItem{"x", "", 0, {}}));
}


// A video codec with an encoder in ffmpeg but no decoder (Commodore 64
// multicolour), in Matroska: mpv opens the file but cannot decode it.
bool make_undecodable(const fs::path& out, bool with_audio) {
    std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
                                     "-i", "testsrc=size=320x200:rate=25:duration=1"};
    if (with_audio) argv.insert(argv.end(), {"-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac"});
    argv.insert(argv.end(), {"-c:v", "a64multi", "-f", "matroska", out.string()});
    return test::run(argv) == 0;
}

TEST_F(PlayerFiles, UndecodableVideoCodecFailsAndThePlaylistGoesOn) {
    ASSERT_TRUE(make_undecodable(path("a64.mkv"), false));
    ASSERT_TRUE(make_undecodable(path("a64-sound.mkv"), true));
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    ASSERT_TRUE(player->load(MediaItem{"a64", path("a64.mkv"), 1.0, {}}));
    ASSERT_TRUE(player->queue(MediaItem{"a64-sound", path("a64-sound.mkv"), 1.0, {}}));
    ASSERT_TRUE(player->queue(MediaItem{"good", path("good.mp4"), 4.0, {}}));
    auto all = events_until_end(*player, "good");
    for (const char* tag : {"a64", "a64-sound"}) {
        const PlayerEvent* f = find_event(all, tag, PlayerEvent::Kind::failed);
        ASSERT_TRUE(f) << tag;
        EXPECT_EQ(f->error->code, Errc::unplayable) << f->error->describe();
        EXPECT_NE(f->error->message.find(tag), std::string::npos) << f->error->message;
        // Only one end per item: the sound-only remainder never "ends" too.
        int ends = 0;
        for (const auto& ev : all) ends += ev.tag == tag && ev.kind != PlayerEvent::Kind::started;
        EXPECT_EQ(ends, 1) << tag;
    }
    EXPECT_TRUE(find_event(all, "good", PlayerEvent::Kind::ended));
    EXPECT_EQ(player->stats().items_failed, 2u);
}

TEST_F(PlayerFiles, QueuedItemsPlayInOrderAndFailuresDoNotStopThePlaylist) {
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    ASSERT_TRUE(player->load(MediaItem{"one", path("good.mp4"), 4.0, {}}));
    ASSERT_TRUE(player->queue(MediaItem{"missing", path("nope.mp4"), 4.0, {}}));
    ASSERT_TRUE(player->queue(MediaItem{"two", path("good.mp4"), 4.0, {}}));
    EXPECT_EQ(player->queued(), 3u);
    auto all = events_until_end(*player, "two");
    std::vector<std::string> order;
    for (const auto& ev : all)
        if (ev.kind != PlayerEvent::Kind::started) order.push_back(ev.tag + ":" + std::to_string(static_cast<int>(ev.kind)));
    ASSERT_EQ(order.size(), 3u);
    EXPECT_EQ(order[0], "one:1");
    EXPECT_EQ(order[1], "missing:2");
    EXPECT_EQ(order[2], "two:1");
    EXPECT_EQ(player->queued(), 0u);
    EXPECT_EQ(player->state(), PlayerState::ended);
}

TEST_F(PlayerFiles, QueueOnAnIdlePlayerStartsAtOnceAndStopDropsTheQueue) {
    PlayerOptions o;  // real time: still playing when stopped
    auto player = headless_player(o);
    ASSERT_TRUE(player);
    ASSERT_TRUE(player->queue(MediaItem{"first", path("good.mp4"), 4.0, {}}));
    ASSERT_TRUE(player->queue(MediaItem{"second", path("good.mp4"), 4.0, {}}));
    bool started = false;
    for (int i = 0; i < 100 && !started; ++i)
        for (auto& ev : player->wait(0.1)) started = started || (ev.tag == "first" && ev.kind == PlayerEvent::Kind::started);
    ASSERT_TRUE(started);
    EXPECT_EQ(player->state(), PlayerState::playing);
    player->stop();
    auto all = events_until_end(*player, "first");
    EXPECT_TRUE(find_event(all, "first", PlayerEvent::Kind::stopped));
    for (int i = 0; i < 5; ++i)
        for (auto& ev : player->wait(0.1)) all.push_back(ev);
    EXPECT_FALSE(find_event(all, "second", PlayerEvent::Kind::started));
    EXPECT_EQ(player->state(), PlayerState::idle);
    EXPECT_EQ(player->queued(), 0u);
}

// Stalls: the file comes over HTTP from 127.0.0.1 and the server stops
// sending part-way, the way a hung disk or share looks to the player.
TEST_F(PlayerFiles, StalledItemIsReloadedOnceThenSkipped) {
    std::string body = test::read_file(path("good.mp4"));
    test::HttpStallServer server(body, {body.size() * 2 / 5});  // every request stalls at 40%
    PlayerOptions o = untimed();
    o.stall_timeout_s = 1.0;
    auto player = headless_player(o);
    ASSERT_TRUE(player);
    ASSERT_TRUE(player->load(MediaItem{"stalls", server.url(), 4.0, {}}));
    ASSERT_TRUE(player->queue(MediaItem{"next", path("good.mp4"), 4.0, {}}));
    auto all = events_until_end(*player, "next", 20);
    const PlayerEvent* f = find_event(all, "stalls", PlayerEvent::Kind::failed);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->error->code, Errc::stalled) << f->error->describe();
    EXPECT_NE(f->error->message.find("127.0.0.1"), std::string::npos);
    EXPECT_EQ(player->stats().stall_reloads, 1u);
    EXPECT_GE(server.requests(), 2);
    EXPECT_TRUE(find_event(all, "next", PlayerEvent::Kind::ended));
    int started = 0;
    for (const auto& ev : all) started += ev.tag == "stalls" && ev.kind == PlayerEvent::Kind::started;
    EXPECT_EQ(started, 1) << "a reload is not a second start";
}

TEST_F(PlayerFiles, StalledItemThatRecoversAfterTheReloadPlaysToItsEnd) {
    std::string body = test::read_file(path("good.mp4"));
    test::HttpStallServer server(body, {body.size() * 2 / 5, test::HttpStallServer::kAll});
    PlayerOptions o = untimed();
    o.stall_timeout_s = 1.0;
    auto player = headless_player(o);
    ASSERT_TRUE(player);
    ASSERT_TRUE(player->load(MediaItem{"flaky", server.url(), 4.0, {}}));
    auto all = events_until_end(*player, "flaky", 20);
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.back().kind, PlayerEvent::Kind::ended) << (all.back().error ? all.back().error->describe() : "");
    EXPECT_EQ(player->stats().stall_reloads, 1u);
}

TEST_F(PlayerFiles, PausedIsNotStalled) {
    PlayerOptions o;
    o.stall_timeout_s = 0.5;
    auto player = headless_player(o);
    ASSERT_TRUE(player);
    ASSERT_TRUE(player->load(MediaItem{"p", path("good.mp4"), 4.0, {}}));
    bool started = false;
    for (int i = 0; i < 100 && !started; ++i)
        for (auto& ev : player->wait(0.1)) started = started || ev.kind == PlayerEvent::Kind::started;
    ASSERT_TRUE(started);
    player->set_paused(true);
    for (int i = 0; i < 12; ++i) EXPECT_TRUE(player->wait(0.1).empty() || player->state() == PlayerState::paused);
    EXPECT_EQ(player->state(), PlayerState::paused);
    EXPECT_EQ(player->stats().stall_reloads, 0u);
    player->set_paused(false);
    player->seek_to(3.5);
    auto all = events_until_end(*player, "p");
    EXPECT_EQ(all.back().kind, PlayerEvent::Kind::ended);
}

class CountingResumeStore : public MemoryResumeStore {
public:
    void remember(const std::string& tag, double s) override {
        ++remembered;
        MemoryResumeStore::remember(tag, s);
    }
    int remembered = 0;
};

TEST_F(PlayerFiles, ResumesWhereAStaffVideoWasLeftAndForgetsItWhenComplete) {
    test::VideoSpec spec;
    spec.seconds = 12;
    spec.audio = false;
    ASSERT_TRUE(test::make_video(path("long.mp4"), spec));
    auto store = std::make_shared<CountingResumeStore>();
    PlayerOptions o;  // real time, so it can be stopped part-way
    o.resume_store = store;
    auto player = headless_player(o);
    ASSERT_TRUE(player);
    MediaItem item{"staff-1", path("long.mp4"), 12.0, {}};
    item.resume = true;
    ASSERT_TRUE(player->load(item));
    bool started = false;
    for (int i = 0; i < 100 && !started; ++i)
        for (auto& ev : player->wait(0.1)) started = started || ev.kind == PlayerEvent::Kind::started;
    ASSERT_TRUE(started);
    player->seek_to(6.0);
    for (int i = 0; i < 50 && player->position_s() < 6.0; ++i) player->wait(0.05);
    player->stop();
    auto stopped = events_until_end(*player, "staff-1");
    ASSERT_EQ(stopped.back().kind, PlayerEvent::Kind::stopped);
    ASSERT_TRUE(store->position("staff-1"));
    EXPECT_GE(*store->position("staff-1"), 6.0);
    EXPECT_GE(store->remembered, 1);

    // Played again (by another player with the same store, as after a
    // restart), it starts there, and once complete it is forgotten.
    PlayerOptions fast = untimed();
    fast.resume_store = store;
    auto player2 = headless_player(fast);
    ASSERT_TRUE(player2);
    ASSERT_TRUE(player2->load(item));
    auto again = events_until_end(*player2, "staff-1");
    ASSERT_FALSE(again.empty());
    EXPECT_EQ(again.front().kind, PlayerEvent::Kind::started);
    EXPECT_GE(again.front().position_s, 5.9);
    EXPECT_EQ(again.back().kind, PlayerEvent::Kind::ended);
    EXPECT_FALSE(store->position("staff-1"));

    // Patron videos (resume = false) always start at the beginning.
    store->remember("patron", 6.0);
    ASSERT_TRUE(player2->load(MediaItem{"patron", path("long.mp4"), 12.0, {}}));
    auto patron = events_until_end(*player2, "patron");
    EXPECT_LT(patron.front().position_s, 0.5);
}

TEST_F(PlayerFiles, CaptionsFollowTheLanguageWithFallback) {
    test::write_file(path("c.en.vtt"), "WEBVTT\n\n00:00.000 --> 00:04.000\nHello\n");
    test::write_file(path("c.es.vtt"), "WEBVTT\n\n00:00.000 --> 00:04.000\nHola\n");
    MediaItem item{"cap", path("good.mp4"), 4.0, {{"en", path("c.en.vtt")}, {"es", path("c.es.vtt")}}};
    auto caption_after_start = [&](Player& p) {
        std::string text;
        for (int i = 0; i < 60 && text.empty(); ++i) {
            p.wait(0.05);
            text = p.caption_text();
        }
        return text;
    };
    PlayerOptions o;
    o.caption_language = "es";
    auto player = headless_player(o);
    ASSERT_TRUE(player);
    ASSERT_TRUE(player->load(item));
    EXPECT_EQ(caption_after_start(*player), "Hola");
    EXPECT_EQ(player->caption_language(), "es");
    // The UI language changes mid-video: the captions follow.
    player->set_caption_language("en");
    std::string text;
    for (int i = 0; i < 40 && text != "Hello"; ++i) {
        player->wait(0.05);
        text = player->caption_text();
    }
    EXPECT_EQ(text, "Hello");
    // A language with no captions falls back to English.
    player->set_caption_language("vi");
    EXPECT_EQ(player->caption_language(), "en");
    player->stop();
    events_until_end(*player, "cap");

    PlayerOptions fr;
    fr.caption_language = "fr";
    fr.caption_fallback = {"es", "en"};
    auto p2 = headless_player(fr);
    ASSERT_TRUE(p2);
    ASSERT_TRUE(p2->load(item));
    EXPECT_EQ(caption_after_start(*p2), "Hola");
    EXPECT_EQ(p2->caption_language(), "es");
}

TEST(Player, SoakOfAHundredTransitionsStaysInOrder) {
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    const int n = 100;
    int next = 0, ended = 0, failed = 0;
    auto item = [](int i) {
        return MediaItem{"t" + std::to_string(i), "av://lavfi:testsrc=duration=0.2:size=64x36:rate=25", 0.2, {}};
    };
    // Like a course playlist: keep two items queued ahead.
    ASSERT_TRUE(player->load(item(next++)));
    while (next < 3) ASSERT_TRUE(player->queue(item(next++)));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    int expect = 0;
    while (ended + failed < n && std::chrono::steady_clock::now() < deadline) {
        for (const auto& ev : player->wait(0.2)) {
            if (ev.kind == PlayerEvent::Kind::started && next < n) {
                ASSERT_TRUE(player->queue(item(next++)));
            }
            if (ev.kind == PlayerEvent::Kind::ended || ev.kind == PlayerEvent::Kind::failed) {
                EXPECT_EQ(ev.tag, "t" + std::to_string(expect++));
                (ev.kind == PlayerEvent::Kind::ended ? ended : failed)++;
            }
        }
    }
    EXPECT_EQ(ended, n);
    EXPECT_EQ(failed, 0);
    EXPECT_EQ(player->stats().items_started, static_cast<uint64_t>(n));
}

TEST(Player, VolumeAndMuteCanChangeWhilePlaying) {
    auto player = headless_player(untimed());
    ASSERT_TRUE(player);
    player->set_volume(30);
    player->set_muted(true);
    player->set_volume(400);  // clamped
    auto end = play_to_end(*player, MediaItem{"v", "av://lavfi:testsrc=duration=0.5:size=64x36", 0, {}});
    EXPECT_EQ(end.kind, PlayerEvent::Kind::ended);
}

TEST(Player, RendererNeedsAWorkingOpenGl) {
    PlayerOptions o;
    o.audio = false;
    auto player = Player::create(o);
    ASSERT_TRUE(player);
    auto none = [](void*, const char*) -> void* { return nullptr; };
    auto st = (*player)->attach_renderer(none, nullptr);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, Errc::unavailable);
    EXPECT_NE(st.error().message.find("OpenGL"), std::string::npos) << st.error().message;
}
}  // namespace
}  // namespace lasr
