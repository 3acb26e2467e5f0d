// The player drawing real frames through libmpv's render API into an
// offscreen OpenGL context (Mesa llvmpipe through EGL, no display):
// transitions between playlist items, and OpenGL errors.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <thread>

#include "media/player.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/gl_offscreen.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;
using Rgb = std::array<uint8_t, 3>;

// A clip of one colour whose brightness steps up with every frame, so each
// new frame can be told from a repeat of the last one (and the first and
// last frames known by their level: 64 + 6 per frame).
bool make_colour(const fs::path& out, const char* channel, const char* size, double seconds, int fps = 25,
                 const char* codec = "libx264", bool audio = false) {
    std::string level = "'64+N*6'";
    std::string geq = std::string("geq=r=") + (std::string(channel) == "r" ? level : "0") +
                      ":g=0:b=" + (std::string(channel) == "b" ? level : "0");
    std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                                     std::string("color=c=black:size=") + size + ":rate=" + std::to_string(fps) +
                                         ":duration=" + std::to_string(seconds) + ",format=rgb24," + geq};
    if (audio) argv.insert(argv.end(), {"-f", "lavfi", "-i", "sine=frequency=440:duration=" + std::to_string(seconds)});
    argv.insert(argv.end(), {"-c:v", codec, "-preset", "ultrafast", "-pix_fmt", "yuv420p"});
    if (std::string(codec) == "libx265") argv.insert(argv.end(), {"-x265-params", "log-level=error"});
    if (audio) argv.insert(argv.end(), {"-c:a", "aac"});
    argv.insert(argv.end(), {"-movflags", "+faststart", out.string()});
    return test::run(argv) == 0;
}

bool reddish(const Rgb& c) { return c[0] > 40 && c[1] < 30 && c[2] < 30; }
bool blueish(const Rgb& c) { return c[2] > 40 && c[0] < 30 && c[1] < 30; }

struct Frame {
    double t;
    Rgb centre;
};

class PlayerRender : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir();
        ASSERT_TRUE(make_colour(*dir_ / "red.mp4", "r", "320x180", 1.0));
        ASSERT_TRUE(make_colour(*dir_ / "blue.mp4", "b", "320x180", 1.0));
        ASSERT_TRUE(make_colour(*dir_ / "blue-large.mp4", "b", "480x270", 1.0));  // another size: a reconfig
        // A mixed playlist: HEVC at 30 fps with sound, another size.
        ASSERT_TRUE(make_colour(*dir_ / "blue-hevc-30.mp4", "b", "480x270", 1.0, 30, "libx265", true));
        ASSERT_TRUE(make_colour(*dir_ / "red-30.mp4", "r", "320x180", 1.0, 30));
        // The same frames in Matroska, which mpv ends differently.
        ASSERT_EQ(test::run({"ffmpeg", "-nostdin", "-v", "error", "-y", "-i", (*dir_ / "red-30.mp4").string(), "-c",
                             "copy", (*dir_ / "red-30.mkv").string()}),
                  0);
        test::write_file(*dir_ / "cap.vtt", "WEBVTT\n\n00:00.000 --> 00:00.900\nHello\n");
        test::write_file(*dir_ / "garbage.mp4", std::string(4096, 'x'));
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    void SetUp() override { make_player(true); }
    void make_player(bool preroll, bool attach = true) {
        player_.reset();
        std::string why;
        if (!gl_) gl_ = test::OffscreenGl::create(320, 180, &why);
        if (!gl_) GTEST_SKIP() << "no offscreen OpenGL: " << why;
        PlayerOptions o;
        o.audio = false;
        o.preroll = preroll;
        auto p = Player::create(o);
        ASSERT_TRUE(p) << p.error().describe();
        player_ = std::move(*p);
        if (attach) attach_renderer();
    }
    void attach_renderer() {
        auto st = player_->attach_renderer(&test::OffscreenGl::get_proc_address, nullptr);
        ASSERT_TRUE(st) << st.error().describe();
    }
    // Polls (without drawing) for `for_s` seconds; returns the furthest
    // position the current item reached.
    double furthest_undrawn(double for_s) {
        double furthest = 0;
        auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(for_s);
        while (std::chrono::steady_clock::now() < until) {
            (void)player_->poll();
            (void)player_->frame_pending();
            furthest = std::max(furthest, player_->position_s());
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return furthest;
    }
    void TearDown() override { player_.reset(); }  // the renderer goes before the context

    static fs::path path(const char* name) { return *dir_ / name; }

    // Runs a render loop like the kiosk's until `tag` ends; `fbo` picks the
    // framebuffer for each frame.
    std::vector<PlayerEvent> run_until_end(const std::string& tag, std::vector<Frame>* frames,
                                           const std::function<int(int)>& fbo_for_frame = {}) {
        std::vector<PlayerEvent> all;
        auto t0 = std::chrono::steady_clock::now();
        auto deadline = t0 + std::chrono::seconds(20);
        int n = 0;
        while (std::chrono::steady_clock::now() < deadline) {
            for (auto& ev : player_->poll()) {
                all.push_back(ev);
                if (ev.tag == tag && ev.kind != PlayerEvent::Kind::started) return all;
            }
            if (player_->frame_pending()) {
                int fbo = fbo_for_frame ? fbo_for_frame(n) : gl_->fbo();
                (void)player_->render(fbo, gl_->width(), gl_->height());
                double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                if (frames) frames->push_back(Frame{t, gl_->pixel(160, 90)});
                player_->report_swap();
                ++n;
            } else {
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        }
        ADD_FAILURE() << "no end event for " << tag;
        return all;
    }

    static test::TempDir* dir_;
    std::unique_ptr<test::OffscreenGl> gl_;
    std::unique_ptr<Player> player_;
};
test::TempDir* PlayerRender::dir_ = nullptr;

TEST_F(PlayerRender, NextItemFollowsWithNoBlackFrame) {
    ASSERT_TRUE(player_->load(MediaItem{"red", path("red.mp4"), 1.0, {}}));
    ASSERT_TRUE(player_->queue(MediaItem{"blue", path("blue.mp4"), 1.0, {}}));
    std::vector<Frame> frames;
    auto all = run_until_end("blue", &frames);
    ASSERT_EQ(all.back().kind, PlayerEvent::Kind::ended);
    // Every frame drawn from the first red one on is red or blue: never
    // black, never anything in between.
    size_t first_red = 0;
    while (first_red < frames.size() && !reddish(frames[first_red].centre)) ++first_red;
    ASSERT_LT(first_red, frames.size()) << "no red frame";
    double last_new_red = -1, first_blue = -1;
    for (size_t i = first_red; i < frames.size(); ++i) {
        const Rgb& c = frames[i].centre;
        bool red = reddish(c), blue = blueish(c);
        EXPECT_TRUE(red || blue) << "frame " << i << " at " << frames[i].t << " s is " << int(c[0]) << "," << int(c[1])
                                 << "," << int(c[2]);
        if (red && (i == first_red || c != frames[i - 1].centre)) last_new_red = frames[i].t;
        if (blue && first_blue < 0) first_blue = frames[i].t;
    }
    ASSERT_GT(first_blue, 0) << "no blue frame";
    if (HasFailure())
        for (size_t i = first_red; i < frames.size() && i < first_red + 40; ++i)
            std::printf("  frame %zu %.3f %d,%d,%d\n", i, frames[i].t, frames[i].centre[0], frames[i].centre[1],
                        frames[i].centre[2]);
    // From the last new frame of red to the first of blue: one frame
    // interval (40 ms at 25 fps) when the change is seamless.
    double gap_ms = (first_blue - last_new_red) * 1000;
    std::printf("gap from the last new red frame to the first blue one: %.1f ms\n", gap_ms);
    EXPECT_LT(gap_ms, 250) << "the next item came late";
}

TEST_F(PlayerRender, OpenGlErrorsFailTheItemAndThePlaylistGoesOn) {
    ASSERT_TRUE(player_->load(MediaItem{"red", path("red.mp4"), 1.0, {}}));
    ASSERT_TRUE(player_->queue(MediaItem{"blue", path("blue.mp4"), 1.0, {}}));
    // Red is drawn into a framebuffer with nothing attached: every frame is
    // an OpenGL error. Blue is drawn normally.
    bool red_failed_seen = false;
    std::vector<PlayerEvent> all;
    auto fbo = [&](int) { return red_failed_seen ? gl_->fbo() : gl_->broken_fbo(); };
    auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20)) {
        bool done = false;
        for (auto& ev : player_->poll()) {
            all.push_back(ev);
            red_failed_seen = red_failed_seen || (ev.tag == "red" && ev.kind == PlayerEvent::Kind::failed);
            done = done || (ev.tag == "blue" && ev.kind != PlayerEvent::Kind::started);
        }
        if (done) break;
        if (player_->frame_pending()) {
            auto st = player_->render(fbo(0), gl_->width(), gl_->height());
            if (!red_failed_seen && !st) {
                EXPECT_EQ(st.error().code, Errc::internal);
            }
            player_->report_swap();
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    const PlayerEvent* red_failed = nullptr;
    for (const auto& ev : all)
        if (ev.tag == "red" && ev.kind == PlayerEvent::Kind::failed) red_failed = &ev;
    ASSERT_TRUE(red_failed);
    ASSERT_TRUE(red_failed->error);
    EXPECT_EQ(red_failed->error->code, Errc::internal);
    EXPECT_NE(red_failed->error->message.find("GL_INVALID_FRAMEBUFFER_OPERATION"), std::string::npos)
        << red_failed->error->message;
    EXPECT_EQ(all.back().tag, "blue");
    EXPECT_EQ(all.back().kind, PlayerEvent::Kind::ended);
    EXPECT_GE(player_->stats().render_errors, 3u);
}


// mpv reconfigures its renderer when the picture size changes, and queues
// one empty frame while it does: at most one black frame, no more.
TEST_F(PlayerRender, AChangeOfPictureSizeCostsAtMostOneEmptyFrame) {
    ASSERT_TRUE(player_->load(MediaItem{"red", path("red.mp4"), 1.0, {}}));
    ASSERT_TRUE(player_->queue(MediaItem{"blue", path("blue-large.mp4"), 1.0, {}}));
    std::vector<Frame> frames;
    auto all = run_until_end("blue", &frames);
    ASSERT_EQ(all.back().kind, PlayerEvent::Kind::ended);
    size_t i = 0;
    while (i < frames.size() && !reddish(frames[i].centre)) ++i;
    int other = 0;
    bool blue = false;
    for (; i < frames.size(); ++i) {
        blue = blue || blueish(frames[i].centre);
        if (!reddish(frames[i].centre) && !blueish(frames[i].centre)) ++other;
    }
    EXPECT_TRUE(blue);
    EXPECT_LE(other, 1);
}
// Every frame drawn from the first red one on is red or blue: never black,
// never anything in between.
void expect_only_clip_colours(const std::vector<Frame>& frames) {
    size_t i = 0;
    while (i < frames.size() && !reddish(frames[i].centre)) ++i;
    ASSERT_LT(i, frames.size()) << "no red frame";
    for (; i < frames.size(); ++i)
        EXPECT_TRUE(reddish(frames[i].centre) || blueish(frames[i].centre)) << "frame " << i << " is neither clip";
}

// The level of a frame's colour in the clips above: 64 + 6 per frame.
int frame_index(const Rgb& c) {
    int level = std::max(c[0], c[2]);
    return static_cast<int>(std::lround((level - 64) / 6.0));
}

// For a failing test: each drawn frame from `from` on, with its time and index.
void print_frames(const std::vector<Frame>& frames, size_t from) {
    for (size_t k = from; k < frames.size(); ++k)
        std::printf("  frame %zu %.3f %d,%d,%d index %d\n", k, frames[k].t, frames[k].centre[0], frames[k].centre[1],
                    frames[k].centre[2], frame_index(frames[k].centre));
}

// With preroll, a mixed playlist (H.264 25 fps, HEVC 30 fps with sound and
// another size, H.264 30 fps, captions on each) changes items with nothing
// between them: the frame drawn after A's last frame is B's first, never
// black, never a frame skipped, and A's last frame is drawn at most once
// more (a redraw) before B's first.
TEST_F(PlayerRender, PrerolledNextItemsFirstFrameDirectlyFollowsTheLastFrame) {
    auto item = [&](const char* tag, const char* file) {
        MediaItem m{tag, path(file), 1.0, {}};
        m.captions.push_back(Caption{"en", path("cap.vtt")});
        return m;
    };
    ASSERT_TRUE(player_->load(item("a", "red.mp4")));
    ASSERT_TRUE(player_->queue(item("b", "blue-hevc-30.mp4")));
    ASSERT_TRUE(player_->queue(item("c", "red-30.mp4")));
    std::vector<Frame> frames;
    auto all = run_until_end("c", &frames);
    ASSERT_EQ(all.back().kind, PlayerEvent::Kind::ended);
    std::vector<std::string> order;
    for (const auto& ev : all) order.push_back(ev.tag + (ev.kind == PlayerEvent::Kind::started ? "+" : "-"));
    EXPECT_EQ(order, (std::vector<std::string>{"a+", "a-", "b+", "b-", "c+", "c-"}));
    EXPECT_EQ(player_->stats().preroll_swaps, 2u);
    // The silent "a" is ended from its last frame's time, a fifth of an
    // interval before mpv's own end; "b" has sound, which decides its end.
    // (The frame checks below show the early end cuts no frame of "a".)
    EXPECT_EQ(player_->stats().early_ends, 1u);
    EXPECT_LE(player_->stats().max_open_decoders, 2u);

    size_t i = 0;
    while (i < frames.size() && !reddish(frames[i].centre)) ++i;
    ASSERT_LT(i, frames.size()) << "no red frame";
    // The changes of colour: each must go from the last frame of one clip
    // (25 frames, or 30 at 30 fps) to the first of the next.
    const int last_of[] = {24, 29};  // a (25 fps), b (30 fps)
    int change = 0, repeats_of_last = 0;
    for (size_t k = i + 1; k < frames.size(); ++k) {
        const Rgb& c = frames[k].centre;
        const Rgb& p = frames[k - 1].centre;
        ASSERT_TRUE(reddish(c) || blueish(c)) << "frame " << k << " is " << int(c[0]) << "," << int(c[1]) << ","
                                              << int(c[2]) << " (neither clip)";
        if (c == p && change < 2 && frame_index(c) == last_of[change]) ++repeats_of_last;
        if (reddish(c) == reddish(p)) continue;
        ASSERT_LT(change, 2) << "more changes of colour than items";
        EXPECT_EQ(frame_index(p), last_of[change]) << "change " << change << ": A's last frame was not drawn";
        EXPECT_EQ(frame_index(c), 0) << "change " << change << ": B's first frame was not the first drawn";
        EXPECT_LE(repeats_of_last, 1) << "change " << change << ": A's last frame drawn again and again";
        repeats_of_last = 0;
        ++change;
    }
    EXPECT_EQ(change, 2);
    if (HasFailure()) print_frames(frames, i);
}

// mpv 0.35 ends a Matroska or WebM file with the hand-over of its last
// frame (an MP4 an interval later), so the next item's first frame would
// replace that frame at once. The end is held until the last frame has
// had its time (less the early end's lead), as for an MP4.
TEST_F(PlayerRender, AMatroskaItemsLastFrameKeepsItsTimeBeforeTheNextItem) {
    const fs::path mkv = path("red-30.mkv");
    ASSERT_TRUE(player_->load(MediaItem{"a", mkv.string(), 1.0, {}}));
    ASSERT_TRUE(player_->queue(MediaItem{"b", path("blue.mp4").string(), 1.0, {}}));
    std::vector<Frame> frames;
    auto all = run_until_end("b", &frames);
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.back().kind, PlayerEvent::Kind::ended);
    EXPECT_EQ(player_->stats().preroll_swaps, 1u);
    EXPECT_EQ(player_->stats().held_ends, 1u);
    EXPECT_EQ(player_->stats().early_ends, 0u);

    int changes = 0;
    for (size_t k = 1; k < frames.size(); ++k) {
        const Rgb& c = frames[k].centre;
        const Rgb& p = frames[k - 1].centre;
        if (!reddish(p) || !blueish(c)) continue;
        ++changes;
        EXPECT_EQ(frame_index(p), 29) << "a's last frame was not drawn";
        EXPECT_EQ(frame_index(c), 0) << "b's first frame was not the first drawn";
        // Unheld, b's first frame followed within a few milliseconds.
        EXPECT_GE((frames[k].t - frames[k - 1].t) * 1000, 1000.0 / 30 / 2)
            << "a's last frame was replaced before half its interval";
    }
    EXPECT_EQ(changes, 1);
    if (HasFailure()) print_frames(frames, 0);
}

// A held end waits for the last frame's draw; with nothing drawing (no
// video on the screen) it does not wait for ever.
TEST_F(PlayerRender, AHeldEndWhoseLastFrameNothingDrawsStillEnds) {
    const fs::path mkv = path("red-30.mkv");
    ASSERT_TRUE(player_->load(MediaItem{"a", mkv.string(), 1.0, {}}));
    ASSERT_TRUE(player_->queue(MediaItem{"b", path("blue.mp4").string(), 1.0, {}}));
    // Every frame drawn up to the one before the last (index 28), then
    // none. The 1 s clip ends a quarter second after its last frame's
    // time; 4 s is ample. (Unheld by the quarter second, only the stall
    // watchdog ended it, after 8 s.)
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    bool a_ended = false, drawing = true;
    while (!a_ended && std::chrono::steady_clock::now() < deadline) {
        for (const auto& ev : player_->poll()) a_ended = a_ended || (ev.tag == "a" && ev.kind == PlayerEvent::Kind::ended);
        if (drawing && player_->frame_pending()) {
            (void)player_->render(gl_->fbo(), gl_->width(), gl_->height());
            player_->report_swap();
            Rgb c = gl_->pixel(160, 90);
            drawing = !(reddish(c) && frame_index(c) >= 28);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_FALSE(drawing) << "a's frame 28 was never drawn";
    EXPECT_TRUE(a_ended) << "a's end, held for a draw that never came, never came";
}

// The swapped-in item starts with the draw that takes its first frame. Plays
// red.mp4 ("a") then blue.mp4 ("b") up to the swap (b's `started`), then:
// `drawn` keeps drawing, `pause_first` pauses before that draw. Returns b's
// furthest position over `for_s` seconds (nothing if b never started).
std::optional<double> position_after_swap(Player& player, test::OffscreenGl& gl, const fs::path& dir, bool drawn,
                                          bool pause_first, double for_s) {
    if (!player.load(MediaItem{"a", (dir / "red.mp4").string(), 1.0, {}}) ||
        !player.queue(MediaItem{"b", (dir / "blue.mp4").string(), 1.0, {}}))
        return std::nullopt;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    bool swapped = false;
    while (!swapped && std::chrono::steady_clock::now() < deadline) {
        for (const auto& ev : player.poll()) swapped = swapped || (ev.tag == "b" && ev.kind == PlayerEvent::Kind::started);
        if (swapped) break;
        if (player.frame_pending()) {
            (void)player.render(gl.fbo(), gl.width(), gl.height());
            player.report_swap();
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    if (!swapped) return std::nullopt;
    if (pause_first) player.set_paused(true);
    double furthest = 0;
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(for_s);
    while (std::chrono::steady_clock::now() < until) {
        (void)player.poll();
        if (drawn) {
            (void)player.frame_pending();
            (void)player.render(gl.fbo(), gl.width(), gl.height());
            player.report_swap();
        }
        if (player.current_tag() == "b") furthest = std::max(furthest, player.position_s());
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return furthest;
}

// With no window drawing (a screen that shows no video), the next item
// does not wait for a draw for ever: it plays after a quarter second.
TEST_F(PlayerRender, ASwappedInItemThatNothingDrawsStillPlays) {
    auto pos = position_after_swap(*player_, *gl_, dir_->path(), false, false, 1.5);
    ASSERT_TRUE(pos) << "b never started";
    EXPECT_GT(*pos, 0.3) << "b stayed on its first frame with nothing drawing it";
}

// A viewer's pause at the moment of the change wins over the start that
// the first draw would give.
TEST_F(PlayerRender, APauseAtTheChangeIsNotUndoneByTheFirstDraw) {
    auto pos = position_after_swap(*player_, *gl_, dir_->path(), true, true, 0.8);
    ASSERT_TRUE(pos) << "b never started";
    EXPECT_LT(*pos, 0.1) << "b played on after the pause";
    EXPECT_TRUE(player_->paused());
}

// The first deck's file is closed as soon as the second takes over: only
// one decoder lives while B plays on.
TEST_F(PlayerRender, TheFirstDecoderIsReleasedRightAfterTheSwap) {
    ASSERT_TRUE(player_->load(MediaItem{"a", path("red.mp4"), 1.0, {}}));
    ASSERT_TRUE(player_->queue(MediaItem{"b", path("blue.mp4"), 1.0, {}}));
    int most = 0, after_swap = -1;
    bool b_started = false, b_ended = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!b_ended && std::chrono::steady_clock::now() < deadline) {
        for (const auto& ev : player_->poll()) {
            b_started = b_started || (ev.tag == "b" && ev.kind == PlayerEvent::Kind::started);
            b_ended = b_ended || (ev.tag == "b" && ev.kind != PlayerEvent::Kind::started);
        }
        most = std::max(most, player_->open_decoders());
        if (b_started) after_swap = after_swap < 0 ? player_->open_decoders() : std::min(after_swap, player_->open_decoders());
        if (player_->frame_pending()) {
            (void)player_->render(gl_->fbo(), gl_->width(), gl_->height());
            player_->report_swap();
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    ASSERT_TRUE(b_ended);
    EXPECT_EQ(most, 2) << "b was never prerolled beside a";
    EXPECT_EQ(player_->stats().preroll_swaps, 1u);
    // After the swap, a's file is closed: one left (b's).
    while (player_->open_decoders() > 1 && std::chrono::steady_clock::now() < deadline) {
        (void)player_->wait(0.05);
        after_swap = player_->open_decoders();
    }
    EXPECT_EQ(after_swap, 1);
    player_->stop();
    while (player_->open_decoders() > 0 && std::chrono::steady_clock::now() < deadline) (void)player_->wait(0.05);
    EXPECT_EQ(player_->open_decoders(), 0);
}

// A next file that cannot be played never shows black: the last frame
// stays until the one after it, and the playlist goes on.
TEST_F(PlayerRender, ABadNextFileShowsNoBlackAndThePlaylistGoesOn) {
    ASSERT_TRUE(player_->load(MediaItem{"red", path("red.mp4"), 1.0, {}}));
    ASSERT_TRUE(player_->queue(MediaItem{"bad", path("garbage.mp4"), 1.0, {}}));
    ASSERT_TRUE(player_->queue(MediaItem{"blue", path("blue.mp4"), 1.0, {}}));
    std::vector<Frame> frames;
    auto all = run_until_end("blue", &frames);
    std::vector<std::string> order;
    for (const auto& ev : all) order.push_back(ev.tag + (ev.kind == PlayerEvent::Kind::started ? "+" : ev.kind == PlayerEvent::Kind::failed ? "!" : "-"));
    EXPECT_EQ(order, (std::vector<std::string>{"red+", "red-", "bad!", "blue+", "blue-"}));
    expect_only_clip_colours(frames);
}

// Without preroll (the [player] preroll = false switch), mpv's own playlist
// still changes items with no black frame.
TEST_F(PlayerRender, WithoutPrerollTheNextItemStillFollowsWithNoBlackFrame) {
    make_player(false);
    ASSERT_TRUE(player_->load(MediaItem{"red", path("red.mp4"), 1.0, {}}));
    ASSERT_TRUE(player_->queue(MediaItem{"blue", path("blue.mp4"), 1.0, {}}));
    std::vector<Frame> frames;
    auto all = run_until_end("blue", &frames);
    ASSERT_EQ(all.back().kind, PlayerEvent::Kind::ended);
    expect_only_clip_colours(frames);
    EXPECT_EQ(player_->stats().preroll_swaps, 0u);
    EXPECT_EQ(player_->stats().max_open_decoders, 1u);
}

// The kiosk opens its first video while its window is still being made:
// loaded before the renderer exists, the item opens on vo=null and waits,
// paused, on its first frame; attached, it moves to the render API and
// starts with the draw that shows that first frame (so it starts from its
// first frame, and its clock with the picture).
TEST_F(PlayerRender, AnItemLoadedBeforeTheRendererWaitsThenStartsOnItsFirstFrame) {
    make_player(true, false);
    ASSERT_TRUE(player_->load(MediaItem{"red", path("red.mp4"), 1.0, {}}));
    EXPECT_LT(furthest_undrawn(0.6), 0.01) << "it played before there was a renderer to show it";
    EXPECT_TRUE(player_->paused());
    attach_renderer();
    std::vector<Frame> frames;
    auto t0 = std::chrono::steady_clock::now();
    std::vector<PlayerEvent> all;
    bool ended = false;
    double position_at_first_frame = -1;
    while (!ended && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20)) {
        for (auto& ev : player_->poll()) {
            all.push_back(ev);
            ended = ended || (ev.tag == "red" && ev.kind != PlayerEvent::Kind::started);
        }
        if (player_->frame_pending()) {
            if (frames.empty()) position_at_first_frame = player_->position_s();
            (void)player_->render(gl_->fbo(), gl_->width(), gl_->height());
            frames.push_back(Frame{std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                                   gl_->pixel(160, 90)});
            player_->report_swap();
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    ASSERT_TRUE(ended) << "red never ended";
    EXPECT_EQ(all.back().kind, PlayerEvent::Kind::ended);
    size_t first = 0;
    while (first < frames.size() && !reddish(frames[first].centre)) ++first;
    ASSERT_LT(first, frames.size()) << "no red frame drawn";
    EXPECT_EQ(frame_index(frames[first].centre), 0) << "the first picture shown was not the clip's first frame";
    EXPECT_LT(position_at_first_frame, 0.05) << "it ran on before its first frame was drawn";
    EXPECT_FALSE(player_->paused());
    // It played through: the last frames of the clip were drawn.
    EXPECT_GE(frame_index(frames.back().centre), 22);
}

// ... and with nothing drawing once the renderer is there (a screen with no
// video), it does not wait for ever: it plays after 2 s.
TEST_F(PlayerRender, AnItemHeldForTheRendererThatNothingDrawsStillPlays) {
    make_player(true, false);
    ASSERT_TRUE(player_->load(MediaItem{"red", path("red.mp4"), 1.0, {}}));
    EXPECT_LT(furthest_undrawn(0.3), 0.01);
    attach_renderer();
    EXPECT_GT(furthest_undrawn(2.8), 0.2) << "it stayed on its first frame with nothing drawing it";
}

// A pause asked for before the renderer exists holds after it too.
TEST_F(PlayerRender, APauseBeforeTheRendererIsKeptOnceItIsAttached) {
    make_player(true, false);
    ASSERT_TRUE(player_->load(MediaItem{"red", path("red.mp4"), 1.0, {}}));
    player_->set_paused(true);
    attach_renderer();
    double furthest = 0;
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2600);
    while (std::chrono::steady_clock::now() < until) {
        (void)player_->poll();
        if (player_->frame_pending()) {
            (void)player_->render(gl_->fbo(), gl_->width(), gl_->height());
            player_->report_swap();
        }
        furthest = std::max(furthest, player_->position_s());
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_LT(furthest, 0.05) << "the first draw (or the 2 s fallback) undid the pause";
    EXPECT_TRUE(player_->paused());
}
}  // namespace
}  // namespace lasr
