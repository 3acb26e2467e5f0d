// The large-text font atlas goes to its texture in bands, one per UI loop
// turn: each band lands in its own rows, the texture is handed over only
// once the last band is in, and then equals the image pixel for pixel.
#include "kiosk/ui/texture_upload.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "tests/support/gl_offscreen.hpp"

namespace {

using lasr::ui::BandedTextureUpload;

std::vector<uint8_t> pattern(int w, int h) {
    std::vector<uint8_t> px(static_cast<size_t>(w) * h * 4);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            uint8_t* p = &px[(static_cast<size_t>(y) * w + x) * 4];
            p[0] = static_cast<uint8_t>(x * 7 + y);
            p[1] = static_cast<uint8_t>(y * 3 + 1);
            p[2] = static_cast<uint8_t>(x ^ y);
            p[3] = static_cast<uint8_t>(255 - y);
        }
    return px;
}

class TextureUpload : public ::testing::Test {
protected:
    void SetUp() override {
        std::string why;
        gl_ = lasr::test::OffscreenGl::create(64, 64, &why);
        if (!gl_) GTEST_SKIP() << "no offscreen OpenGL: " << why;
    }
    std::unique_ptr<lasr::test::OffscreenGl> gl_;
};

TEST_F(TextureUpload, EachBandFillsItsRowsAndOnlyTheLastCompletesTheTexture) {
    const int w = 96, h = 70, rows = 16;  // 5 bands, the last one 6 rows
    const size_t row_bytes = static_cast<size_t>(w) * 4;
    auto image = pattern(w, h);
    BandedTextureUpload up(image.data(), w, h, rows);
    ASSERT_NE(up.texture(), 0u);
    for (int band = 1; band <= 5; ++band) {
        EXPECT_EQ(up.take(), 0u) << "handed over before its last band";
        bool done = up.step();
        EXPECT_EQ(done, band == 5) << "band " << band;
        int filled = std::min(h, band * rows);
        auto back = gl_->texture_rgba(up.texture(), w, h);
        ASSERT_EQ(back.size(), image.size());
        EXPECT_TRUE(std::equal(back.begin(), back.begin() + filled * row_bytes, image.begin()))
            << "rows 0-" << filled - 1 << " after band " << band;
    }
    EXPECT_EQ(up.bands_uploaded(), 5);
    EXPECT_TRUE(up.step()) << "a finished upload stays finished";
    EXPECT_EQ(up.bands_uploaded(), 5);
    unsigned tex = up.take();
    ASSERT_NE(tex, 0u);
    EXPECT_EQ(up.take(), 0u) << "taken once";
    auto back = gl_->texture_rgba(tex, w, h);
    EXPECT_EQ(back, image);
    EXPECT_TRUE(lasr::test::OffscreenGl::is_texture(tex));
}

TEST_F(TextureUpload, AnUploadDroppedHalfWayDeletesItsTextureATakenOneStays) {
    auto image = pattern(32, 40);
    unsigned dropped = 0, taken = 0;
    {
        BandedTextureUpload up(image.data(), 32, 40, 8);
        up.step();
        dropped = up.texture();
    }
    EXPECT_FALSE(lasr::test::OffscreenGl::is_texture(dropped)) << "a dropped upload's texture is deleted";
    {
        BandedTextureUpload up(image.data(), 32, 40, 64);  // one band
        EXPECT_TRUE(up.step());
        taken = up.take();
    }
    EXPECT_TRUE(lasr::test::OffscreenGl::is_texture(taken)) << "a taken texture is the caller's";
}

}  // namespace
