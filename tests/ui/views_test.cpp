// The views without a window: draw a state, find the tap targets, tap them
// and check the intents that come back.
#include <gtest/gtest.h>

#include <cmath>

#include "kiosk/app/app.hpp"
#include "kiosk/ui/headless_ui.hpp"
#include "playlists/manifest.hpp"
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
    // The app on `cat`, written as a pack under dir/name (the config as set).
    void use_catalog(const Catalog& cat, const std::string& name) {
        test::write_file(dir / name / "manifest.json", write_manifest(cat));
        auto pack = ContentPack::open(dir / name);
        ASSERT_TRUE(pack) << pack.error().describe();
        app = std::make_unique<App>(config, std::move(*pack), *player, nullptr);
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
            if (id.rfind("summary", 0) == 0 || id.rfind("pin-", 0) == 0) continue;  // text as drawn, not a target
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

// `unit` repeated as often as fits in n characters: text at a format limit.
std::string longest(const std::string& unit, size_t n) {
    std::string s;
    while (s.size() + unit.size() <= n) s += unit;
    return s;
}

// A resource in `cat` that alert `a` pins.
void pin(Catalog& cat, Alert& a, const std::string& id, const std::string& name, const std::string& phone) {
    Resource r;
    r.id = id;
    r.name = name;
    r.category = "crisis";
    r.description.by_lang["en"] = "Answers day and night";
    r.phone = phone;
    cat.resources.push_back(r);
    a.pin_resources.push_back(id);
}

Catalog small_catalog(std::vector<std::string> languages) {
    Catalog cat;
    cat.info.library_id = "demo-library";
    cat.info.library_name = "Synthetic Library";
    cat.info.version = 1;
    cat.info.issued = "2026-11-29T00:00:00Z";
    cat.info.languages = std::move(languages);
    return cat;
}

// A list row's summary at a format limit: two whole lines, cut at a word
// with "…", that end inside the row (not a line clipped through).
void expect_two_lines_in_row(const ui::FrameOutput& out, const std::string& row_id, const char* size) {
    ASSERT_TRUE(out.targets.count("summary:" + row_id)) << row_id << ", " << size;
    const auto& summary = out.targets.at("summary:" + row_id);
    const auto& row = out.targets.at(row_id);
    const float line_h = out.targets.at("summary-line:" + row_id).h;
    ASSERT_GT(line_h, 0.f) << row_id << ", " << size;
    EXPECT_EQ(std::lround(summary.h / line_h), 2) << row_id << ", " << size << ": lines of its summary shown";
    EXPECT_LE(summary.y + summary.h, row.y + row.h) << row_id << ", " << size << ": the summary runs out of its row";
}

// A resource at every text limit of the format (playlists/manifest.hpp), in
// the large text: the page scrolls to its end, and the list's number column
// takes a 32-character number.
TEST_F(Views, TheLongestResourceScrollsToItsEndAndItsNumberFitsItsColumn) {
    Catalog cat = small_catalog({"en", "es"});
    Resource r;
    r.id = "long";
    r.name = longest("Community Wide ", kMaxTitleChars);
    r.category = "health";
    r.description.by_lang["en"] = longest("Services for everyone who needs them, ", kMaxSummaryChars);
    r.phone = longest("+1 555 0100 ", kMaxPhoneChars);
    r.sms = longest("555 0199 ", kMaxPhoneChars);
    r.website = "https://example.org/" + longest("path/", kMaxUrlChars - 20);
    r.address = longest("1200 Long Avenue, ", kMaxAddressChars);
    for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) r.hours.push_back({{d}, "08:00", "20:00"});
    r.languages = {"en", "es", "fr", "vi", "zh", "ar", "ru", "ko"};
    cat.resources.push_back(r);
    ASSERT_LE(r.phone.size(), kMaxPhoneChars);
    ASSERT_NO_FATAL_FAILURE(use_catalog(cat, "long"));

    ui::HeadlessUi ui(1920, 1080);
    // The 600-character description shows two whole lines inside its row
    // in either text size.
    app->dispatch({Intent::Kind::open_resources}, 1);
    expect_two_lines_in_row(ui.frame(*app), "resource:long", "normal text");
    app->dispatch({Intent::Kind::toggle_large_text}, 1);
    ASSERT_TRUE(app->state().large_text);
    // In the list, the number is drawn whole inside its column.
    auto out = ui.frame(*app);
    expect_two_lines_in_row(out, "resource:long", "large text");
    ASSERT_TRUE(out.targets.count("contact:long"));
    const auto& c = out.targets.at("contact:long");
    const auto& col = out.targets.at("contact-column:long");
    EXPECT_GE(c.x, col.x);
    EXPECT_LE(c.x + c.w, col.x + col.w) << "the number runs out of its column";

    app->dispatch({Intent::Kind::open_resource, "long"}, 1);
    out = ui.frame(*app);
    ASSERT_TRUE(out.targets.count("detail-end"));
    const float first_end = out.targets.at("detail-end").y;
    EXPECT_GT(first_end, 1080.f) << "this resource fits a screen: the test does not test scrolling";
    // Drag up until the end of the text is on screen.
    for (int i = 0; i < 10 && out.targets.at("detail-end").y > 1080.f; ++i) {
        ui.drag(*app, 400, 900, -600, 20);
        out = ui.frame(*app);
    }
    EXPECT_LE(out.targets.at("detail-end").y, 1080.f) << "the page did not scroll to its end";
    EXPECT_LT(out.targets.at("detail-end").y, first_end);
    EXPECT_TRUE(out.targets.count("qr")) << "the QR code stays while the text scrolls";
}

// A course and its video at the format's longest titles and summaries: on
// the home screen and the course's page each row shows one line of title
// and two of summary, in either text size.
TEST_F(Views, TheLongestCourseAndVideoTextsStayInTheirRows) {
    Catalog cat = small_catalog({"en"});
    test::write_file(dir / "long/media/v.mp4", "not a real video");
    Course c;
    c.id = "long";
    c.title.by_lang["en"] = longest("Serving the community in an emergency ", kMaxTitleChars);
    c.summary.by_lang["en"] = longest("How to find partners and work with them, ", kMaxSummaryChars);
    Video v;
    v.id = "long-v1";
    v.title.by_lang["en"] = longest("Listening first when people arrive ", kMaxTitleChars);
    v.summary.by_lang["en"] = longest("What to say, what to ask and where to send them, ", kMaxSummaryChars);
    v.file = *describe_pack_file(dir / "long", "media/v.mp4");
    v.duration_s = 90;
    c.videos.push_back(v);
    cat.courses.push_back(c);
    ASSERT_NO_FATAL_FAILURE(use_catalog(cat, "long"));

    ui::HeadlessUi ui(1920, 1080);
    for (const char* size : {"normal text", "large text"}) {
        if (std::string(size) == "large text") app->dispatch({Intent::Kind::toggle_large_text}, 1);
        app->dispatch({Intent::Kind::go_home}, 1);
        expect_two_lines_in_row(ui.frame(*app), "course:long", size);
        app->dispatch({Intent::Kind::open_course, "long"}, 1);
        expect_two_lines_in_row(ui.frame(*app), "video:long-v1", size);
    }
}

// On a patron kiosk's home screen, help an alert pins shows its number whole
// beside the longest name; the name gives way, cut with "…".
TEST_F(Views, APinnedResourceKeepsItsNumberWholeBesideTheLongestName) {
    Catalog cat = small_catalog({"en"});
    Alert a;
    a.id = "heat";
    a.severity = "emergency";
    a.title.by_lang["en"] = "Cooling centre open";
    pin(cat, a, "cooling", longest("County Cooling Centre and Warming Shelter ", kMaxTitleChars),
        longest("+1 555 0100 ", kMaxPhoneChars));
    cat.alerts.push_back(a);
    ASSERT_NO_FATAL_FAILURE(use_catalog(cat, "pinned"));
    app->tick(1);
    app->dispatch({Intent::Kind::go_home}, 1);

    for (auto [w, h] : {std::pair{1920, 1080}, std::pair{1280, 720}, std::pair{1080, 1920}}) {
        ui::HeadlessUi ui(w, h);
        auto out = ui.frame(*app);
        ASSERT_TRUE(out.targets.count("pin-phone:cooling")) << w << "x" << h << ": the pinned help is not on home";
        const auto& card = out.targets.at("resource:cooling");
        const auto& name = out.targets.at("pin-name:cooling");
        const auto& phone = out.targets.at("pin-phone:cooling");
        EXPECT_GT(name.w, 0.f) << w << "x" << h;
        EXPECT_LE(name.x + name.w, phone.x + 0.5f) << w << "x" << h;
        EXPECT_LE(phone.x + phone.w, card.x + card.w) << w << "x" << h << ": the number runs off its card";
    }
}

// A training screen's emergency alert at the format's longest title and body,
// with three pinned resources whose numbers are 32 characters: nobody can
// scroll a break-room screen, so it all fits above the bottom line.
TEST_F(Views, TheLongestTrainingAlertFitsTheScreen) {
    Catalog cat = small_catalog({"en"});
    Alert a;
    a.id = "storm";
    a.severity = "emergency";
    a.title.by_lang["en"] = longest("Shelter in place now ", kMaxTitleChars);
    a.body.by_lang["en"] = longest("Stay inside, away from windows, until staff say it is safe. ", kMaxSummaryChars);
    for (int i = 0; i < 3; ++i)
        pin(cat, a, "r" + std::to_string(i), "Emergency line " + std::to_string(i), longest("+1 555 0100 ", kMaxPhoneChars));
    cat.alerts.push_back(a);
    config.kiosk.mode = "training";
    ASSERT_NO_FATAL_FAILURE(use_catalog(cat, "alert"));
    ASSERT_NE(app->training(), nullptr);
    app->tick(1);
    ASSERT_EQ(app->training()->status().mode, TrainingStatus::Mode::alert);

    for (auto [w, h] : {std::pair{1920, 1080}, std::pair{1366, 768}, std::pair{1280, 720}, std::pair{1024, 600}, std::pair{800, 480}}) {
        ui::HeadlessUi ui(w, h);
        auto out = ui.frame(*app);
        ASSERT_TRUE(out.targets.count("alert-end")) << w << "x" << h;
        EXPECT_LE(out.targets.at("alert-end").y, static_cast<float>(h) * (1 - 80.f / 1080)) << w << "x" << h;
        // Each pinned number is drawn whole, right of its name's column.
        for (int i = 0; i < 3; ++i) {
            const std::string id = "r" + std::to_string(i);
            ASSERT_TRUE(out.targets.count("pin-phone:" + id)) << "pinned resource " << id << " left out at " << w << "x" << h;
            const auto& name = out.targets.at("pin-name:" + id);
            const auto& phone = out.targets.at("pin-phone:" + id);
            EXPECT_GE(phone.x, name.x + name.w) << id << " at " << w << "x" << h;
            EXPECT_LE(phone.x + phone.w, static_cast<float>(w)) << id << " at " << w << "x" << h << ": cut off";
        }
    }
}

}  // namespace
}  // namespace lasr
