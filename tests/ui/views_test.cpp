// The views without a window: draw a state, find the tap targets, tap them
// and check the intents that come back.
#include <gtest/gtest.h>

#include "kiosk/app/app.hpp"
#include "kiosk/ui/headless_ui.hpp"
#include "tests/ui/synthetic_pack.hpp"

namespace lasr {
namespace {

class Views : public ::testing::Test {
protected:
    void SetUp() override {
        test::write_synthetic_pack(dir / "pack", 5, 300);
        config.kiosk.data_dir = dir / "data";
        PlayerOptions o;
        o.headless = true;
        o.audio = false;
        player = std::move(*Player::create(o));
        app = std::make_unique<App>(config, std::move(*ContentPack::open(dir / "pack")), *player, nullptr);
    }
    bool has(const std::vector<Intent>& in, Intent::Kind k, const std::string& arg = "") {
        for (const auto& i : in)
            if (i.kind == k && (arg.empty() || i.arg == arg)) return true;
        return false;
    }
    test::TempDir dir;
    Config config;
    std::unique_ptr<Player> player;
    std::unique_ptr<App> app;
};

TEST_F(Views, HomeOffersEveryCourseTheDirectoryAndTheLanguages) {
    ui::HeadlessUi ui(1920, 1080);
    auto out = ui.frame(*app);
    for (int c = 1; c <= 5; ++c) EXPECT_TRUE(out.targets.count("course:c" + std::to_string(c))) << c;
    for (const char* id : {"resources", "lang:en", "lang:es", "contrast", "large-text", "admin"})
        EXPECT_TRUE(out.targets.count(id)) << id;
    EXPECT_FALSE(out.targets.count("back"));  // home has no back
    EXPECT_TRUE(has(ui.tap(*app, "course:c3"), Intent::Kind::open_course, "c3"));
    EXPECT_TRUE(has(ui.tap(*app, "lang:es"), Intent::Kind::set_language, "es"));
    EXPECT_TRUE(has(ui.tap(*app, "resources"), Intent::Kind::open_resources));
    EXPECT_TRUE(ui.tap(*app, "no-such-target").empty());
}

TEST_F(Views, TouchTargetsAreAtLeast48PixelsAt1080p) {
    ui::HeadlessUi ui(1920, 1080);
    for (auto screen : {Intent::Kind::go_home, Intent::Kind::open_resources}) {
        app->dispatch({screen}, 1);
        auto out = ui.frame(*app);
        for (const auto& [id, r] : out.targets) {
            if (r.y + r.h >= 1079 || r.y <= 121) continue;  // clipped at a scroll edge
            EXPECT_GE(r.h, 48.f) << id;
            EXPECT_GE(r.w, 48.f) << id;
        }
    }
}

TEST_F(Views, DirectoryDrawsOnlyVisibleRowsAndADragIsNotATap) {
    ui::HeadlessUi ui(1920, 1080);
    app->dispatch({Intent::Kind::open_resources}, 1);
    auto out = ui.frame(*app);
    int rows = 0;
    for (const auto& [id, r] : out.targets) rows += id.rfind("resource:", 0) == 0;
    EXPECT_GT(rows, 3);
    EXPECT_LT(rows, 20);  // of 300
    ASSERT_TRUE(out.targets.count("resource:r0"));
    // Drag the list up by 600 px: it scrolls, and nothing opens.
    const auto& r0 = out.targets.at("resource:r0");
    ui.drag(*app, r0.x + 100, r0.y + 20, -600, 20);
    auto after = ui.frame(*app);
    EXPECT_FALSE(after.targets.count("resource:r0")) << "the list did not scroll";
    EXPECT_TRUE(after.intents.empty());
}

TEST_F(Views, SearchFieldOpensTheKeyboardAndKeysType) {
    ui::HeadlessUi ui(1920, 1080);
    app->dispatch({Intent::Kind::open_resources}, 1);
    ui.frame(*app);
    EXPECT_TRUE(has(ui.tap(*app, "search"), Intent::Kind::search_open));
    app->dispatch({Intent::Kind::search_open}, 1);
    ui.frame(*app);
    EXPECT_TRUE(has(ui.tap(*app, "key:f"), Intent::Kind::type_text, "f"));
    EXPECT_TRUE(has(ui.tap(*app, "key:backspace"), Intent::Kind::backspace));
    EXPECT_TRUE(has(ui.tap(*app, "key:done"), Intent::Kind::search_close));
    app->dispatch({Intent::Kind::set_language, "es"}, 1);
    ui.frame(*app);
    EXPECT_TRUE(ui.last().targets.count("key:\xc3\xb1"));  // Spanish keyboard has ñ
}

TEST_F(Views, PinPadKeys) {
    ui::HeadlessUi ui(1280, 720);
    app->dispatch({Intent::Kind::admin_open}, 1);
    ui.frame(*app);
    EXPECT_TRUE(has(ui.tap(*app, "pin:7"), Intent::Kind::pin_key, "7"));
    EXPECT_TRUE(has(ui.tap(*app, "pin:ok"), Intent::Kind::pin_submit));
    EXPECT_TRUE(has(ui.tap(*app, "back"), Intent::Kind::back));
}

TEST_F(Views, ResourceDetailShowsAQrCodeInPortraitToo) {
    ui::HeadlessUi ui(1080, 1920);
    app->dispatch({Intent::Kind::open_resource, "r5"}, 1);
    auto out = ui.frame(*app);
    ASSERT_TRUE(out.targets.count("qr"));
    const auto& q = out.targets.at("qr");
    EXPECT_LE(q.x + q.w, 1080.f);
    EXPECT_LE(q.y + q.h, 1920.f);
    EXPECT_GE(q.w, 200.f);
}

}  // namespace
}  // namespace lasr
