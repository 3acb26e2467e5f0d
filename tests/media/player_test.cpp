// The player against real libmpv, headless (vo=null, ao=null), on real
// files made with ffmpeg.
#include <gtest/gtest.h>

#include <chrono>

#include "media/player.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<Player> headless_player() {
    PlayerOptions o;
    o.headless = true;
    o.untimed = true;
    o.audio = false;
    auto p = Player::create(o);
    EXPECT_TRUE(p) << (p ? "" : p.error().describe());
    return p ? std::move(*p) : nullptr;
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

TEST_F(PlayerFiles, GoodFilePlaysToItsEnd) {
    auto player = headless_player();
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
    auto player = headless_player();
    ASSERT_TRUE(player);
    auto end = play_to_end(*player, MediaItem{"good", path("good.mp4"), 0, {}});
    EXPECT_EQ(end.kind, PlayerEvent::Kind::ended);
}

TEST_F(PlayerFiles, CorruptFileFailsClearly) {
    test::write_file(path("garbage.mp4"), std::string(200000, '\x5a'));
    auto player = headless_player();
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
    auto player = headless_player();
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
    auto player = headless_player();
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
    auto player = headless_player();
    ASSERT_TRUE(player);
    auto end = play_to_end(*player, MediaItem{"cut", path("cut.mp4"), 4.0, {}});
    ASSERT_EQ(end.kind, PlayerEvent::Kind::failed);
    EXPECT_EQ(end.error->code, Errc::unplayable);
}

TEST_F(PlayerFiles, ManifestDurationThatLiesIsTruncation) {
    auto player = headless_player();
    ASSERT_TRUE(player);
    auto end = play_to_end(*player, MediaItem{"liar", path("good.mp4"), 12.0, {}});
    ASSERT_EQ(end.kind, PlayerEvent::Kind::failed);
    EXPECT_EQ(end.error->code, Errc::truncated);
}

TEST_F(PlayerFiles, PlaysOnAfterAFailure) {
    auto player = headless_player();
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
    auto player = headless_player();
    ASSERT_TRUE(player);
    auto end = play_to_end(*player, MediaItem{"lavfi", "av://lavfi:testsrc=duration=2:size=160x90", 0, {}});
    EXPECT_EQ(end.kind, PlayerEvent::Kind::ended) << (end.error ? end.error->describe() : "");
}

TEST(Player, HeadlessHasNoRenderer) {
    auto player = headless_player();
    ASSERT_TRUE(player);
    EXPECT_FALSE(player->attach_renderer(nullptr, nullptr));
    EXPECT_FALSE(player->load(MediaItem{"x", "", 0, {}}));
}

}  // namespace
}  // namespace lasr
