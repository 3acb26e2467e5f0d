// End to end: the real lasr-kiosk under Xvfb (Mesa llvmpipe), driven by a
// script, on a demo pack made by the real lasr-kioskctl. Checks what a
// person would see in the screenshots.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <cstdlib>
#include <cmath>
#include <fstream>
#include <map>

#include <signal.h>
#include <sys/wait.h>

#include "tests/e2e/display.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;

struct Image {
    int w = 0, h = 0;
    std::vector<unsigned char> rgb;
    bool load(const fs::path& p) {
        int n = 0;
        unsigned char* d = stbi_load(p.c_str(), &w, &h, &n, 3);
        if (!d) return false;
        rgb.assign(d, d + static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
        stbi_image_free(d);
        return true;
    }
    const unsigned char* at(int x, int y) const { return &rgb[(static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)) * 3]; }
    // Pixels in the box whose colour is exactly (r, g, b).
    int count(int x0, int y0, int x1, int y1, unsigned r, unsigned g, unsigned b) const {
        int n = 0;
        for (int y = y0; y < y1; ++y)
            for (int x = x0; x < x1; ++x) {
                const unsigned char* p = at(x, y);
                n += p[0] == r && p[1] == g && p[2] == b;
            }
        return n;
    }
    // Distinct colours in the box, quantised to 4 bits a channel.
    size_t distinct(int x0, int y0, int x1, int y1) const {
        std::vector<bool> seen(4096);
        size_t n = 0;
        for (int y = y0; y < y1; ++y)
            for (int x = x0; x < x1; ++x) {
                const unsigned char* p = at(x, y);
                size_t k = (static_cast<size_t>(p[0] >> 4) << 8) | (static_cast<size_t>(p[1] >> 4) << 4) | static_cast<size_t>(p[2] >> 4);
                if (!seen[k]) {
                    seen[k] = true;
                    ++n;
                }
            }
        return n;
    }
};

// WCAG 2 relative luminance and contrast ratio.
double luminance(const unsigned char* p) {
    auto ch = [](unsigned char c) {
        double v = c / 255.0;
        return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * ch(p[0]) + 0.7152 * ch(p[1]) + 0.0722 * ch(p[2]);
}

// In a box of a screenshot: the background is the commonest colour, the
// text the colour (covering >= 0.3% of the box) farthest from it in
// luminance. Returns their contrast ratio.
double text_contrast(const Image& img, int x0, int y0, int x1, int y1) {
    std::map<uint32_t, int> counts;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) {
            const unsigned char* p = img.at(x, y);
            counts[(uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2]]++;
        }
    auto lum_of = [](uint32_t c) {
        unsigned char p[3] = {static_cast<unsigned char>(c >> 16), static_cast<unsigned char>(c >> 8), static_cast<unsigned char>(c)};
        return luminance(p);
    };
    uint32_t bg = 0;
    int best = -1;
    for (auto& [c, n] : counts)
        if (n > best) {
            best = n;
            bg = c;
        }
    double lb = lum_of(bg), far = lb;
    int min_count = (x1 - x0) * (y1 - y0) * 3 / 1000;
    for (auto& [c, n] : counts)
        if (n >= min_count && std::abs(lum_of(c) - lb) > std::abs(far - lb)) far = lum_of(c);
    double hi = std::max(lb, far), lo = std::min(lb, far);
    return (hi + 0.05) / (lo + 0.05);
}

using test::under_display;

TEST(KioskEndToEnd, PlaysADemoVideoWithCaptionsAndOverlayThenReturnsToTheCourse) {
    test::TempDir dir;
    test::write_file(dir / "e2e.script", R"(wait 1500
screenshot attract
tap start
screenshot home
tap course:c1
tap video:c1-v1
wait 2500
screenshot playing
wait-end
screenshot after
)");  // (no quit: a script that ends on a screenshot still saves it, then exits)
    test::write_file(dir / "kiosk.toml", "[kiosk]\ndata_dir = \"" + (dir / "data").string() +
                                             "\"\n[player]\naudio = false\n[content]\npack_dir = \"" LASR_TEST_PACK "\"\n");
    auto argv = under_display({LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--windowed", "1280x720",
                               "--script", (dir / "e2e.script").string(), "--screenshot-dir", (dir / "shots").string()},
                              1280, 720);
    int rc = test::run(argv, dir / "kiosk.log");
    std::string log = test::read_file(dir / "kiosk.log");
    ASSERT_EQ(rc, 0) << log;
    EXPECT_NE(log.find("first_frame_ms="), std::string::npos) << log;
    EXPECT_NE(log.find("outcome=completed"), std::string::npos) << log;
    {
        // The exit summary of the UI's frame times: frames counted, and the
        // worst frame's stages add up to its time (each printed to 0.1 ms).
        const size_t at = log.find("ui_frame_ms_max=");
        ASSERT_NE(at, std::string::npos) << log;
        const std::string line = log.substr(at, log.find('\n', at) - at);
        auto figure = [&line](const std::string& key) {
            const size_t k = line.find(key);
            return k == std::string::npos ? -1.0 : std::stod(line.substr(k + key.size()));
        };
        EXPECT_GT(figure("ui_frames="), 0) << line;
        EXPECT_GE(figure("ui_slow_frames="), 0) << line;
        double stages = 0;
        for (const char* stage : {"app:", "build:", "video:", "ui:", "swap:"}) {
            const double ms = figure(std::string(stage));
            EXPECT_GE(ms, 0) << stage << " in " << line;
            stages += ms;
        }
        EXPECT_NEAR(stages, figure("ui_frame_ms_max="), 0.35) << line;
    }

    Image attract, home, playing, after;
    ASSERT_TRUE(attract.load(dir / "shots/attract.png"));
    ASSERT_TRUE(home.load(dir / "shots/home.png"));
    ASSERT_TRUE(playing.load(dir / "shots/playing.png"));
    ASSERT_TRUE(after.load(dir / "shots/after.png"));
    ASSERT_EQ(playing.w, 1280);
    ASSERT_EQ(playing.h, 720);

    // Attract: a video fills the screen, "touch to start" on a dark band.
    EXPECT_GT(attract.distinct(0, 0, 1280, 450), 40u);
    EXPECT_GT(attract.count(0, 600, 1280, 720, 0xFF, 0xFF, 0xFF), 300) << "no invitation text";

    // Home: the navy header and the warm page ground, nothing else much.
    EXPECT_GT(home.count(0, 0, 1280, 60, 0x15, 0x2D, 0x3B), 1280 * 30);
    EXPECT_GT(home.count(0, 100, 1280, 720, 0xF6, 0xF3, 0xEC), 1280 * 100);

    // Playing: the middle of the screen is video (many colours, no page
    // ground); the overlay's Back button (opaque teal) is top left.
    EXPECT_GT(playing.distinct(0, 120, 1280, 600), 40u);
    EXPECT_LT(playing.count(0, 120, 1280, 600, 0xF6, 0xF3, 0xEC), 1000);
    EXPECT_GT(playing.count(0, 0, 300, 80, 0x0B, 0x5F, 0x66), 2000) << "no Back button in the player overlay";
    // The controls bar at the bottom: the white Pause pill.
    EXPECT_GT(playing.count(0, 630, 400, 720, 0xFF, 0xFF, 0xFF), 2000) << "no Pause button in the player overlay";
    // Captions: libass draws white text with a dark outline above the bar.
    EXPECT_GT(playing.count(100, 450, 1180, 640, 0xFF, 0xFF, 0xFF), 100) << "no caption text on the video";

    // After the end: back on the course page.
    EXPECT_GT(after.count(0, 100, 1280, 720, 0xF6, 0xF3, 0xEC), 1280 * 100);
}

TEST(KioskEndToEnd, TextContrastIsAtLeastAAInBothColourModes) {
    test::TempDir dir;
    test::write_file(dir / "contrast.script", R"(tap start
tap resources
screenshot resources
tap back
screenshot home
tap contrast
screenshot home-hc
tap resources
screenshot resources-hc
quit
)");
    test::write_file(dir / "kiosk.toml", "[kiosk]\ndata_dir = \"" + (dir / "data").string() +
                                             "\"\n[player]\naudio = false\n[content]\npack_dir = \"" LASR_TEST_PACK "\"\n");
    auto argv = under_display({LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--windowed", "1280x720",
                               "--script", (dir / "contrast.script").string(), "--screenshot-dir", (dir / "shots").string()},
                              1280, 720);
    ASSERT_EQ(test::run(argv, dir / "kiosk.log"), 0) << test::read_file(dir / "kiosk.log");
    struct Box { const char* shot; const char* what; int x0, y0, x1, y1; double min; };
    // Boxes at 1280x720 around text: the header's title, the first course
    // card, the "Find local help" tile, a directory row, the crisis line.
    for (Box b : {Box{"home", "header title", 30, 15, 300, 70, 4.5}, Box{"home", "alert banner", 30, 95, 600, 125, 4.5},
                  Box{"home", "course card", 120, 220, 700, 265, 4.5}, Box{"home", "help tile", 840, 190, 1200, 290, 4.5},
                  Box{"home", "pinned resource", 830, 395, 1100, 425, 4.5}, Box{"home", "crisis line", 840, 560, 1200, 595, 4.5},
                  Box{"resources", "directory row", 60, 285, 700, 345, 4.5},
                  Box{"home-hc", "header title", 30, 15, 300, 70, 7.0}, Box{"home-hc", "course card", 120, 220, 700, 265, 7.0},
                  Box{"home-hc", "help tile", 840, 190, 1200, 290, 7.0},
                  Box{"resources-hc", "directory row", 60, 285, 700, 345, 7.0}}) {
        Image img;
        ASSERT_TRUE(img.load(dir / "shots" / (std::string(b.shot) + ".png")));
        double ratio = text_contrast(img, b.x0, b.y0, b.x1, b.y1);
        EXPECT_GE(ratio, b.min) << b.shot << ": " << b.what;
        std::printf("contrast %s %s %.1f:1\n", b.shot, b.what, ratio);
    }
}

TEST(KioskEndToEnd, IdleResetAndPinLockout) {
    test::TempDir dir;
    // A patron changes language and contrast, searches, then walks away;
    // someone tries PINs at the staff pad.
    test::write_file(dir / "idle.script", R"(tap start
tap lang:es
tap contrast
tap resources
type clinica
screenshot patron
wait 11500
screenshot after-idle
tap start
tap admin
tap pin:1
tap pin:ok
tap pin:2
tap pin:ok
tap pin:3
tap pin:ok
tap pin:2
tap pin:4
tap pin:6
tap pin:8
tap pin:ok
screenshot locked
quit
)");
    int rc0 = test::run({"sh", "-c", std::string("echo 2468 | ") + LASR_KIOSKCTL_BIN + " hash-pin > " + (dir / "pin.toml").string()});
    ASSERT_EQ(rc0, 0);
    std::string pin = test::read_file(dir / "pin.toml");
    test::write_file(dir / "kiosk.toml", "[kiosk]\nidle_timeout_s = 10\ndata_dir = \"" + (dir / "data").string() +
                                             "\"\n[player]\naudio = false\n[content]\npack_dir = \"" LASR_TEST_PACK "\"\n" +
                                             pin + "max_attempts = 3\nlockout_s = 60\n");
    auto argv = under_display({LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--windowed", "1280x720",
                               "--script", (dir / "idle.script").string(), "--screenshot-dir", (dir / "shots").string()},
                              1280, 720);
    ASSERT_EQ(test::run(argv, dir / "kiosk.log"), 0) << test::read_file(dir / "kiosk.log");
    std::string log = test::read_file(dir / "kiosk.log");
    EXPECT_NE(log.find("idle_reset"), std::string::npos);
    EXPECT_NE(log.find("admin PIN locked lockout_s=60"), std::string::npos) << log;
    EXPECT_EQ(log.find("admin unlocked"), std::string::npos) << "the right PIN got in while locked";
    EXPECT_EQ(log.find("clinica"), std::string::npos) << "search text must never be logged";
    Image patron, after;
    ASSERT_TRUE(patron.load(dir / "shots/patron.png"));
    ASSERT_TRUE(after.load(dir / "shots/after-idle.png"));
    // High contrast while the patron was there (black ground)...
    EXPECT_GT(patron.count(0, 150, 1280, 720, 0, 0, 0), 1280 * 100);
    // ...and the attract loop after: video, and the invitation band.
    EXPECT_GT(after.distinct(0, 0, 1280, 450), 40u);
    EXPECT_LT(after.count(0, 150, 1280, 450, 0, 0, 0), 1280 * 50);
}

// --demo on a pack signed by the build's demo key: it plays when the
// signature holds, and a changed manifest is refused (nothing plays that the
// key did not sign).
TEST(KioskEndToEnd, DemoPackPlaysOnlyWithItsDemoKeysSignature) {
    test::TempDir dir;
    std::filesystem::copy(LASR_TEST_PACK, dir / "pack", std::filesystem::copy_options::recursive);
    ASSERT_EQ(test::run({LASR_KIOSKCTL_BIN, "keygen", "--key", (dir / "demo.key").string(), "--pub",
                         (dir / "demo.pub").string()}),
              0);
    ASSERT_EQ(test::run({LASR_KIOSKCTL_BIN, "demo-pack", "--quick", "--out", (dir / "pack").string(), "--key",
                         (dir / "demo.key").string()}),
              0);
    test::write_file(dir / "s.script", "wait 300\nquit\n");
    test::write_file(dir / "kiosk.toml", "[kiosk]\ndata_dir = \"" + (dir / "data").string() + "\"\n[player]\naudio = false\n");
    auto kiosk = [&](const std::string& name) {
        auto argv = under_display({"LASR_DEMO_PACK=" + (dir / "pack").string(), "LASR_DEMO_KEY=" + (dir / "demo.pub").string(),
                                   LASR_KIOSK_BIN, "--demo", "--config", (dir / "kiosk.toml").string(), "--windowed",
                                   "640x360", "--script", (dir / "s.script").string()},
                                  640, 360);
        EXPECT_EQ(test::run(argv, dir / (name + ".log")), 0) << name;
        return test::read_file(dir / (name + ".log"));
    };
    std::string good = kiosk("good");
    EXPECT_NE(good.find("signed_by="), std::string::npos) << good;

    std::string manifest = test::read_file(dir / "pack/manifest.json");
    test::write_file(dir / "pack/manifest.json", manifest + " ");
    std::string bad = kiosk("tampered");
    EXPECT_EQ(bad.find("signed_by="), std::string::npos) << bad;
    EXPECT_NE(bad.find("signature"), std::string::npos) << bad;
}

// The demo tour (make demo's) on a loaded machine: two CPU hogs share the
// two cores with the kiosk, so screens and the player's controls are drawn
// late. Every tap waits for its widget; the tour must finish with exit 0 and
// every screenshot.
TEST(KioskEndToEnd, DemoTourPassesWithTwoCpuHogsRunning) {
    test::TempDir dir;
    std::vector<int> hogs;
    for (int i = 0; i < 2; ++i) hogs.push_back(test::spawn({"sh", "-c", "while :; do :; done"}));
    test::write_file(dir / "kiosk.toml", "[kiosk]\ndata_dir = \"" + (dir / "data").string() + "\"\n[player]\naudio = false\n");
    auto argv = under_display({"LASR_DEMO_PACK=" LASR_TEST_PACK, "LASR_DEMO_KEY=" + (dir / "no-key.pub").string(),
                               LASR_KIOSK_BIN, "--demo", "--config", (dir / "kiosk.toml").string(), "--windowed",
                               "1280x720", "--script", LASR_TOUR_SCRIPT, "--screenshot-dir", (dir / "shots").string()},
                              1280, 720);
    int rc = test::run(argv, dir / "kiosk.log");
    for (int pid : hogs) {
        if (pid > 0) kill(pid, SIGKILL);
        if (pid > 0) waitpid(pid, nullptr, 0);
    }
    std::string log = test::read_file(dir / "kiosk.log");
    ASSERT_EQ(rc, 0) << log;
    // Every screenshot the tour names was saved.
    std::string tour = test::read_file(LASR_TOUR_SCRIPT);
    int shots = 0;
    for (size_t at = tour.find("\nscreenshot "); at != std::string::npos; at = tour.find("\nscreenshot ", at + 1)) {
        size_t end = tour.find('\n', at + 1);
        std::string name = tour.substr(at + 12, end - at - 12);
        EXPECT_TRUE(fs::exists(dir / "shots" / (name + ".png"))) << name;
        ++shots;
    }
    EXPECT_GE(shots, 20);
}

// The attract loop of a pack whose videos have no sound: the real kiosk's
// loop wakes for the player's timed work, so each silent video is ended
// from its last frame's time (a fifth of a frame ahead of mpv's own end),
// not when mpv's end reaches the loop. Two courses, one 1.5 s video each,
// played in turn for 10 s: four or more changes. (8 s gave 5 here, but 3
// once in CI's ASan build, whose kiosk starts and changes videos slower.)
TEST(KioskEndToEnd, TheAttractLoopEndsSilentVideosFromTheirLastFrame) {
    test::TempDir dir;
    const std::string ctl = LASR_KIOSKCTL_BIN;
    ASSERT_EQ(test::run({ctl, "keygen", "--key", (dir / "k.key").string(), "--pub", (dir / "k.pub").string()},
                        dir / "keygen.log"),
              0);
    test::VideoSpec spec;
    spec.seconds = 1.5;
    spec.audio = false;
    spec.text = "one";
    ASSERT_TRUE(test::make_video(dir / "src/media/one.mp4", spec));
    spec.text = "two";
    ASSERT_TRUE(test::make_video(dir / "src/media/two.mp4", spec));
    test::write_file(dir / "src/pack.json", R"({"library_id": "springfield", "languages": ["en"],
  "courses": [
    {"id": "c1", "title": {"en": "First"}, "videos": [{"id": "one", "title": {"en": "One"}, "file": "media/one.mp4", "no_captions": true}]},
    {"id": "c2", "title": {"en": "Second"}, "videos": [{"id": "two", "title": {"en": "Two"}, "file": "media/two.mp4", "no_captions": true}]}]})");
    ASSERT_EQ(test::run({ctl, "pack", (dir / "src").string(), "--key", (dir / "k.key").string(), "--out",
                         (dir / "pack").string(), "--version", "1"},
                        dir / "pack.log"),
              0)
        << test::read_file(dir / "pack.log");
    const std::string pub = test::read_file(dir / "k.pub");
    test::write_file(dir / "kiosk.toml", "[kiosk]\ndata_dir = \"" + (dir / "data").string() +
                                             "\"\n[player]\naudio = false\n[content]\npack_dir = \"" +
                                             (dir / "pack").string() + "\"\npublic_key = \"" +
                                             pub.substr(pub.find('\n') + 1, 56) + "\"\n");
    test::write_file(dir / "run.script", "wait 10000\nquit\n");
    auto argv = under_display({"LASR_LOG=debug", LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(),
                               "--windowed", "640x360", "--script", (dir / "run.script").string()},
                              640, 360);
    ASSERT_EQ(test::run(argv, dir / "kiosk.log"), 0) << test::read_file(dir / "kiosk.log");
    const std::string log = test::read_file(dir / "kiosk.log");
    int early = 0;
    for (size_t at = log.find("early end of attract:"); at != std::string::npos;
         at = log.find("early end of attract:", at + 1))
        ++early;
    EXPECT_GE(early, 4) << log;
    std::printf("early ends %d\n", early);
    EXPECT_EQ(log.find(" error "), std::string::npos) << log;
}

TEST(KioskEndToEnd, PlayQuitAtEndExitCodes) {
    test::TempDir dir;
    test::VideoSpec spec;
    spec.seconds = 2;
    ASSERT_TRUE(test::make_video(dir / "good.mp4", spec));
    auto size = fs::file_size(dir / "good.mp4");
    test::truncate_copy(dir / "good.mp4", dir / "half.mp4", size / 2);
    test::write_file(dir / "garbage.mp4", std::string(100000, 'x'));
    test::write_file(dir / "kiosk.toml", "[kiosk]\ndata_dir = \"" + (dir / "data").string() + "\"\n[player]\naudio = false\n");
    auto play = [&](const char* file, const std::string& script = "") {
        std::vector<std::string> args = {"LASR_LOG=debug", LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(),
                                         "--windowed", "640x360", "--play", (dir / file).string(), "--quit-at-end"};
        if (!script.empty()) {
            test::write_file(dir / "play.script", script);
            args.insert(args.end(), {"--script", (dir / "play.script").string()});
        }
        return test::run(under_display(args, 640, 360), dir / (std::string(file) + (script.empty() ? "" : "-tap") + ".log"));
    };
    EXPECT_EQ(play("good.mp4"), 0) << test::read_file(dir / "good.mp4.log");
    // A playback check shows the picture alone (no patron started it);
    // a touch brings the controls up.
    EXPECT_EQ(test::read_file(dir / "good.mp4.log").find("controls shown"), std::string::npos);
    EXPECT_EQ(play("good.mp4", "wait 500\ntap show-controls\n"), 0) << test::read_file(dir / "good.mp4-tap.log");
    EXPECT_NE(test::read_file(dir / "good.mp4-tap.log").find("controls shown"), std::string::npos)
        << test::read_file(dir / "good.mp4-tap.log");
    {
        // The player, and with it the file, came before the window (the
        // phases in start-up order), and the play was whole: of the clip's
        // 50 frames (2 s at 25 fps) at least 45 went on screen (49 here).
        const std::string log = test::read_file(dir / "good.mp4.log");
        const size_t phases = log.find("startup_ms main=");
        ASSERT_NE(phases, std::string::npos) << log;
        const std::string line = log.substr(phases, log.find('\n', phases) - phases);
        ASSERT_NE(line.find(" mpv="), std::string::npos) << line;
        ASSERT_NE(line.find(" window="), std::string::npos) << line;
        EXPECT_LT(line.find(" mpv="), line.find(" window=")) << line;
        const size_t at = log.find("video_frames=");
        ASSERT_NE(at, std::string::npos) << log;
        EXPECT_GE(std::stoi(log.substr(at + 13)), 45) << log.substr(at, 40);
    }
    EXPECT_NE(play("half.mp4"), 0) << test::read_file(dir / "half.mp4.log");
    EXPECT_NE(play("garbage.mp4"), 0);
    EXPECT_NE(play("missing.mp4"), 0);
    EXPECT_NE(test::read_file(dir / "half.mp4.log").find("truncated"), std::string::npos);
}

}  // namespace
}  // namespace lasr
