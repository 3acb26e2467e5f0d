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
    EXPECT_TRUE(c->player.preroll);
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
preroll = false
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
    EXPECT_FALSE(c->player.preroll);
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
        BadCase{"[kiosk]\n\ndaily_restart = \"4am\"\n", "kiosk.toml:3: kiosk.daily_restart must be a local time \"HH:MM\""},
        BadCase{"[kiosk]\ndaily_restart = \"24:00\"\n", "kiosk.daily_restart must be a local time"},
        BadCase{"[kiosk\nid = 1\n", "kiosk.toml:1:"},
        BadCase{"[usage]\nenabled = true\nlrs_ulr = \"http://x/\"\n", "kiosk.toml:3: unknown key usage.lrs_ulr"},
        BadCase{"[usage]\nlrs_url = \"ftp://lrs/\"\n", "kiosk.toml:2: usage.lrs_url must be an http:// or https:// URL"},
        BadCase{"[usage]\nhome_page = \"library\"\n", "kiosk.toml:2: usage.home_page must be"},
        BadCase{"[usage]\nbatch_max_statements = 0\n", "usage.batch_max_statements must be between 1 and 1000"},
        BadCase{"[usage]\nretention_days = \"forever\"\n", "kiosk.toml:2: usage.retention_days must be a whole number"},
        BadCase{"[usage]\nlrs_user = \"a:b\"\n", "usage.lrs_user must not contain ':'"},
        BadCase{"[usage]\nlrs_user = \"a\"\nlrs_credentials_file = \"/etc/x\"\n",
                "kiosk.toml:3: usage.lrs_credentials_file and usage.lrs_user/lrs_password are alternatives"},
        BadCase{"[kiosk]\nid = \"a\"\nid = \"b\"\n", "kiosk.toml:3:"},
        BadCase{"[admin]\npin_hash = \"1234\"\n", "never the PIN itself"},
        BadCase{"[admin]\nmax_attempts = 0\n", "admin.max_attempts must be between 1 and 100"}));

TEST(Config, DailyRestartIsOffByDefaultAndReadAsMinutes) {
    auto off = parse_config("");
    ASSERT_TRUE(off) << off.error().describe();
    EXPECT_EQ(off->kiosk.daily_restart_min, -1);
    auto on = parse_config("[kiosk]\ndaily_restart = \"04:30\"\n");
    ASSERT_TRUE(on) << on.error().describe();
    EXPECT_EQ(on->kiosk.daily_restart, "04:30");
    EXPECT_EQ(on->kiosk.daily_restart_min, 4 * 60 + 30);
}

TEST(Config, ReadsUsageSyncAndRetention) {
    auto c = parse_config(R"(
[kiosk]
library_id = "springfield"
[usage]
home_page = "https://springfield.example.org"
trust_rtc = true
lrs_url = "https://lrs.example.org/xapi/"
lrs_user = "kiosk-7"
lrs_password = "s3cret"
batch_max_statements = 50
batch_max_kb = 128
sync_interval_s = 30
backoff_cap_s = 600
request_timeout_s = 20
retention_days = 30
retention_mb = 16
)");
    ASSERT_TRUE(c) << c.error().describe();
    const auto& u = c->usage;
    EXPECT_TRUE(u.enabled);
    EXPECT_EQ(u.actor_home_page("springfield"), "https://springfield.example.org");
    EXPECT_TRUE(u.trust_rtc);
    EXPECT_EQ(u.lrs_url, "https://lrs.example.org/xapi/");
    EXPECT_EQ(u.lrs_user, "kiosk-7");
    EXPECT_EQ(u.lrs_password, "s3cret");
    EXPECT_EQ(u.batch_max_statements, 50);
    EXPECT_EQ(u.batch_max_kb, 128);
    EXPECT_EQ(u.sync_interval_s, 30);
    EXPECT_EQ(u.backoff_cap_s, 600);
    EXPECT_EQ(u.request_timeout_s, 20);
    EXPECT_EQ(u.retention_days, 30);
    EXPECT_EQ(u.retention_mb, 16);
}

TEST(Config, UsageDefaultsSendNothingAndNameAPlaceholderHomePage) {
    auto c = parse_config("[kiosk]\nlibrary_id = \"spring field/7\"\n");
    ASSERT_TRUE(c) << c.error().describe();
    EXPECT_TRUE(c->usage.lrs_url.empty());
    EXPECT_FALSE(c->usage.trust_rtc);
    EXPECT_EQ(c->usage.retention_days, 90);
    EXPECT_EQ(c->usage.actor_home_page(c->kiosk.library_id), "https://lasr-kiosk.invalid/library/springfield7");
}

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

namespace lasr {
namespace {

const char* kKeyA = "RWSrYLdvMeJsWOgXugLq3wWWkLDEGPUuQAyCXT938e8s+87/Wdb365+4";

TEST(ConfigContent, DefaultsAreOfflineWithTheStandardPoll) {
    auto c = parse_config("");
    ASSERT_TRUE(c) << c.error().describe();
    EXPECT_TRUE(c->content.server_url.empty());
    EXPECT_EQ(c->content.poll_interval_s, 60);
    EXPECT_EQ(c->content.disk_budget_mb, 0);
    EXPECT_EQ(c->content.stall_timeout_s, 30);
    EXPECT_EQ(c->content_store_dir(), std::filesystem::path("/var/lib/lasr-kiosk/content"));
}

TEST(ConfigContent, ReadsServerKeysBudgetAndCa) {
    auto c = parse_config(std::string(R"([content]
server_url = "https://content.example.org/springfield/"
poll_interval_s = 300
public_key = ")") + kKeyA + R"("
next_public_key = ")" + kKeyA + R"("
ca_file = "/etc/lasr-kiosk/ca.pem"
disk_budget_mb = 2048
stall_timeout_s = 20
download_dir = "/var/cache/lasr-kiosk"
)");
    ASSERT_TRUE(c) << c.error().describe();
    EXPECT_EQ(c->content.server_url, "https://content.example.org/springfield/");
    EXPECT_EQ(c->content.poll_interval_s, 300);
    EXPECT_EQ(c->content.public_key, kKeyA);
    EXPECT_EQ(c->content.next_public_key, kKeyA);
    EXPECT_EQ(c->content.ca_file, "/etc/lasr-kiosk/ca.pem");
    EXPECT_EQ(c->content.disk_budget_mb, 2048);
    EXPECT_EQ(c->content.stall_timeout_s, 20);
    EXPECT_EQ(c->content.download_dir, std::filesystem::path("/var/cache/lasr-kiosk"));
}

void expect_refused(const std::string& text, const std::string& needle) {
    auto c = parse_config(text, "kiosk.toml");
    ASSERT_FALSE(c) << text;
    EXPECT_NE(c.error().message.find(needle), std::string::npos) << c.error().message;
}

TEST(ConfigContent, BadValuesNameKeyAndLine) {
    expect_refused("[content]\nserver_urll = \"http://x/\"\n", "kiosk.toml:2: unknown key content.server_urll");
    expect_refused("[content]\n\nserver_url = \"ftp://x/\"\n", "kiosk.toml:3: content.server_url must start with https://");
    expect_refused("[content]\npoll_interval_s = 5\n", "kiosk.toml:2: content.poll_interval_s must be between 10 and");
    expect_refused("[content]\npublic_key = \"RWnotakey\"\n", "kiosk.toml:2: content.public_key must be a minisign public key");
    expect_refused("[content]\nnext_public_key = 3\n", "kiosk.toml:2: content.next_public_key must be a string");
    expect_refused("[content]\ndisk_budget_mb = -1\n", "content.disk_budget_mb must be between 0 and");
}

}  // namespace
}  // namespace lasr
