#include <gtest/gtest.h>

#include "config/config.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr {
namespace {

TEST(Config, EmptyTextGivesDefaults) {
    auto c = parse_config("");
    ASSERT_TRUE(c) << c.error().describe();
    EXPECT_EQ(c->kiosk.language, "en");
    EXPECT_EQ(c->kiosk.idle_timeout_s, 90);
    EXPECT_EQ(c->player.hwdec, "auto-safe");
    EXPECT_TRUE(c->player.captions);
    EXPECT_EQ(c->pack_dir(), std::filesystem::path("/var/lib/lasr-kiosk/content/current"));
}

TEST(Config, ReadsEverySection) {
    auto c = parse_config(R"(
[kiosk]
id = "branch-7-lobby"
library_id = "springfield"
data_dir = "/srv/lasr"
language = "es"
languages = ["en", "es"]
idle_timeout_s = 120
[display]
fullscreen = false
width = 1280
height = 720
[player]
hwdec = "drm-copy"
volume = 55
mute = true
audio = false
captions = false
[content]
pack_dir = "/srv/pack"
[usage]
enabled = false
)");
    ASSERT_TRUE(c) << c.error().describe();
    EXPECT_EQ(c->kiosk.id, "branch-7-lobby");
    EXPECT_EQ(c->kiosk.language, "es");
    EXPECT_EQ(c->kiosk.idle_timeout_s, 120);
    EXPECT_FALSE(c->display.fullscreen);
    EXPECT_EQ(c->display.width, 1280);
    EXPECT_EQ(c->player.hwdec, "drm-copy");
    EXPECT_EQ(c->player.volume, 55);
    EXPECT_TRUE(c->player.mute);
    EXPECT_FALSE(c->player.audio);
    EXPECT_FALSE(c->player.captions);
    EXPECT_EQ(c->pack_dir(), std::filesystem::path("/srv/pack"));
    EXPECT_EQ(c->usage_db_path(), std::filesystem::path("/srv/lasr/usage.sqlite3"));
    EXPECT_FALSE(c->usage.enabled);
}

struct BadCase {
    const char* text;
    const char* expect_in_message;
};

class ConfigBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigBad, IsRefusedWithKeyAndLine) {
    auto c = parse_config(GetParam().text, "kiosk.toml");
    ASSERT_FALSE(c) << "accepted: " << GetParam().text;
    EXPECT_EQ(c.error().domain, Domain::config);
    EXPECT_NE(c.error().message.find(GetParam().expect_in_message), std::string::npos) << c.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigBad,
    ::testing::Values(
        BadCase{"[kiosk]\nidel_timeout_s = 30\n", "kiosk.toml:2: unknown key kiosk.idel_timeout_s"},
        BadCase{"[kiosk]\n\nidle_timeout_s = \"soon\"\n", "kiosk.toml:3: kiosk.idle_timeout_s must be a whole number"},
        BadCase{"[kiosk]\nidle_timeout_s = 2\n", "kiosk.idle_timeout_s must be between 10 and 86400"},
        BadCase{"[player]\nvolume = 101\n", "kiosk.toml:2: player.volume must be between 0 and 100"},
        BadCase{"[player]\nmute = \"yes\"\n", "player.mute must be true or false"},
        BadCase{"[player]\nhwdec = \"fast\"\n", "player.hwdec \"fast\" is not a known mode"},
        BadCase{"[displays]\nwidth = 3\n", "kiosk.toml:1: unknown section or key displays"},
        BadCase{"language = \"en\"\n", "unknown section or key language"},
        BadCase{"[kiosk]\nlanguage = \"fr\"\n", "kiosk.language \"fr\" is not one of kiosk.languages"},
        BadCase{"[kiosk]\nlanguages = [\"en\", 3]\n", "kiosk.languages must be a list of strings"},
        BadCase{"[kiosk]\nlanguages = [\"EN!\"]\nlanguage = \"EN!\"\n", "invalid language code"},
        BadCase{"[kiosk]\nmode = \"party\"\n", "kiosk.mode must be"},
        BadCase{"[kiosk\nid = 1\n", "kiosk.toml:1:"},
        BadCase{"[kiosk]\nid = \"a\"\nid = \"b\"\n", "kiosk.toml:3:"},
        BadCase{"[admin]\npin_hash = \"1234\"\n", "never the PIN itself"},
        BadCase{"[admin]\nmax_attempts = 0\n", "admin.max_attempts must be between 1 and 100"}));

TEST(Config, LoadsFileAndNamesItInErrors) {
    test::TempDir dir;
    test::write_file(dir / "good.toml", "[kiosk]\nid = \"k1\"\n");
    auto good = load_config_file(dir / "good.toml");
    ASSERT_TRUE(good) << good.error().describe();
    EXPECT_EQ(good->kiosk.id, "k1");
    EXPECT_EQ(good->source, dir / "good.toml");

    test::write_file(dir / "bad.toml", "[kiosk]\nid = 5\n");
    auto bad = load_config_file(dir / "bad.toml");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find((dir / "bad.toml").string() + ":2"), std::string::npos) << bad.error().message;

    auto missing = load_config_file(dir / "nope.toml");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST(Config, EnvironmentVariableNamesTheFile) {
    setenv("LASR_KIOSK_CONFIG", "/tmp/some/kiosk.toml", 1);
    auto p = default_config_path();
    unsetenv("LASR_KIOSK_CONFIG");
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(*p, std::filesystem::path("/tmp/some/kiosk.toml"));
}

}  // namespace
}  // namespace lasr
