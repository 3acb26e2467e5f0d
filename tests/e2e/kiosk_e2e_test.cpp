// End to end: the real lasr-kiosk under Xvfb (Mesa llvmpipe), driven by a
// script, on a demo pack made by the real lasr-kioskctl. Checks what a
// person would see in the screenshots.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <cstdlib>
#include <fstream>

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

using test::under_display;

TEST(KioskEndToEnd, PlaysADemoVideoWithCaptionsAndOverlayThenReturnsToTheCourse) {
    test::TempDir dir;
    test::write_file(dir / "e2e.script", R"(wait 200
screenshot home
tap course:c1
tap video:c1-v1
wait 2500
screenshot playing
wait-end
screenshot after
quit
)");
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

    Image home, playing, after;
    ASSERT_TRUE(home.load(dir / "shots/home.png"));
    ASSERT_TRUE(playing.load(dir / "shots/playing.png"));
    ASSERT_TRUE(after.load(dir / "shots/after.png"));
    ASSERT_EQ(playing.w, 1280);
    ASSERT_EQ(playing.h, 720);

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

TEST(KioskEndToEnd, PlayQuitAtEndExitCodes) {
    test::TempDir dir;
    test::VideoSpec spec;
    spec.seconds = 2;
    ASSERT_TRUE(test::make_video(dir / "good.mp4", spec));
    auto size = fs::file_size(dir / "good.mp4");
    test::truncate_copy(dir / "good.mp4", dir / "half.mp4", size / 2);
    test::write_file(dir / "garbage.mp4", std::string(100000, 'x'));
    test::write_file(dir / "kiosk.toml", "[kiosk]\ndata_dir = \"" + (dir / "data").string() + "\"\n[player]\naudio = false\n");
    auto play = [&](const char* file) {
        auto argv = under_display({LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--windowed", "640x360",
                                   "--play", (dir / file).string(), "--quit-at-end"},
                                  640, 360);
        return test::run(argv, dir / (std::string(file) + ".log"));
    };
    EXPECT_EQ(play("good.mp4"), 0) << test::read_file(dir / "good.mp4.log");
    EXPECT_NE(play("half.mp4"), 0) << test::read_file(dir / "half.mp4.log");
    EXPECT_NE(play("garbage.mp4"), 0);
    EXPECT_NE(play("missing.mp4"), 0);
    EXPECT_NE(test::read_file(dir / "half.mp4.log").find("truncated"), std::string::npos);
}

}  // namespace
}  // namespace lasr
