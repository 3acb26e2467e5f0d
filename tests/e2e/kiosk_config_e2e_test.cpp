// The running kiosk honours its config, and ends its plays on every stop.
//
// The real lasr-kiosk under Xvfb with a config that sets every key to a
// value other than its default, against real peers on 127.0.0.1 (nginx over
// TLS with a private CA for content, the scripted xAPI LRS for usage), and
// for each key a check of what the running kiosk did with it: statements as
// the LRS stored them, batches as it received them, requests in nginx's
// access log, files and folders on disk, screenshot sizes, what libmpv holds
// (read back from it), the commands it ran. A last test makes sure no key
// in the shipped kiosk.toml is left out of these configs.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <regex>
#include <set>
#include <thread>

#include "kiosk/usage/usage_log.hpp"
#include "media/crypto.hpp"
#include "playlists/timezone.hpp"
#include "tests/e2e/display.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/http_servers.hpp"
#include "tests/support/log_fields.hpp"
#include "tests/support/test_packs.hpp"
#include "tests/usage/test_lrs.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;
using test::under_display;
using namespace std::chrono_literals;

// Statements from an earlier run, written by the usage log itself: `n` of
// them at `days_ago`, by another kiosk id (so the kiosk's own are told apart).
void seed_statements(const fs::path& db, int n, int days_ago, const std::string& prefix) {
    UsageOptions o;
    o.kiosk_id = "seed-kiosk";
    o.home_page = "https://seed.example.org";
    auto when = std::chrono::system_clock::now() - std::chrono::hours(24 * days_ago);
    o.clock = [when] { return ClockReading{when, 1000, true}; };
    auto log = UsageLog::open(db, o);
    ASSERT_TRUE(log) << log.error().describe();
    for (int i = 0; i < n; ++i) ASSERT_TRUE((*log)->record({EventKind::course_opened, prefix + std::to_string(i)}));
}

using lasr::test::count_of;

std::string toml_quote(const std::string& s) { return "\"" + s + "\""; }

// The configs of the runs below, built by functions so that the last test
// can check, with placeholder values, that together they set every key.
struct PatronPeers {
    std::string data, content_url, public_key, next_public_key, ca_file, downloads, lrs_url, pin_hash;
};
std::string patron_config(const PatronPeers& p) {
    return "[kiosk]\n"
           "id = \"branch-7-lobby\"\n"
           "library_id = \"springfield\"\n"
           "mode = \"patron\"\n"
           "data_dir = " + toml_quote(p.data) + "\n"
           "language = \"es\"\n"
           "languages = [\"es\"]\n"
           "idle_timeout_s = 10\n"
           "time_zone = \"Pacific/Chatham\"\n"
           "branch = \"north-wing\"\n"
           "daily_restart = \"03:45\"\n"
           "[display]\nfullscreen = false\nwidth = 800\nheight = 600\n"
           "[player]\nhwdec = \"no\"\nvolume = 35\nmute = true\naudio = false\ncaptions = false\npreroll = false\n"
           "[content]\n"
           "server_url = " + toml_quote(p.content_url) + "\n"
           "poll_interval_s = 10\n"
           "public_key = " + toml_quote(p.public_key) + "\n"
           "next_public_key = " + toml_quote(p.next_public_key) + "\n"
           "ca_file = " + toml_quote(p.ca_file) + "\n"
           "disk_budget_mb = 50\n"
           "stall_timeout_s = 7\n"
           "download_dir = " + toml_quote(p.downloads) + "\n"
           "[usage]\n"
           "enabled = true\n"
           "home_page = \"https://springfield.example.org\"\n"
           "trust_rtc = true\n"
           "lrs_url = " + toml_quote(p.lrs_url) + "\n"
           "lrs_user = \"branch7\"\n"
           "lrs_password = \"pw-7\"\n"
           "batch_max_statements = 2\n"
           "batch_max_kb = 32\n"
           "sync_interval_s = 5\n"
           "backoff_cap_s = 11\n"
           "request_timeout_s = 3\n"
           "retention_days = 2\n"
           "retention_mb = 50\n"
           "heartbeat_interval_s = 10\n"
           "[admin]\n"
           "pin_hash = " + toml_quote(p.pin_hash) + "\n"
           "max_attempts = 2\n"
           "lockout_s = 7\n";
}

struct TrainingPeers {
    std::string data, pack_dir, lrs_url, credentials, on_window, power_log;
};
std::string training_config(const TrainingPeers& p) {
    return "[kiosk]\n"
           "mode = \"training\"\n"
           "time_zone = \"Pacific/Chatham\"\n"
           "data_dir = " + toml_quote(p.data) + "\n"
           "[content]\npack_dir = " + toml_quote(p.pack_dir) + "\n"
           "[player]\naudio = false\n"
           "[usage]\n"
           "lrs_url = " + toml_quote(p.lrs_url) + "\n"
           "lrs_credentials_file = " + toml_quote(p.credentials) + "\n"
           "batch_max_kb = 16\n"
           "[training]\ndefault_playlist = \"partners\"\n"
           "[screen]\n"
           "on_hours = [" + toml_quote(p.on_window) + "]\n"
           "power_on = [[\"sh\", \"-c\", \"echo on >> " + p.power_log + "\"]]\n"
           "power_off = [[\"sleep\", \"30\"], [\"sh\", \"-c\", \"echo off >> " + p.power_log + "\"]]\n"
           "command_timeout_s = 2\n";
}

std::string usage_off_config(const std::string& data, const std::string& pack_dir) {
    return "[kiosk]\nmode = \"training\"\ndata_dir = " + toml_quote(data) + "\n[content]\npack_dir = " +
           toml_quote(pack_dir) + "\n[player]\naudio = false\n[usage]\nenabled = false\n"
           "[training]\nclock_trust = \"synced\"\n[screen]\npower_on = []\npower_off = []\n";
}

// ---- a patron kiosk: every [kiosk], [display], [player], [content], [usage]
// and [admin] key set, against nginx (TLS) and the LRS --------------------------

TEST(KioskConfigE2E, APatronKioskUsesEveryKeyOfItsConfig) {
    test::TempDir dir;
    const fs::path data = dir / "data";

    // Content: a pack for library "springfield", signed by the key that is
    // only the *next* key in the config, served over TLS by a private CA.
    auto current_key = crypto::generate_keypair();
    auto next_key = crypto::generate_keypair();
    test::PackSpec spec;
    spec.library_id = "springfield";
    spec.version = 3;
    test::write_pack(test::make_pack(spec, next_key.sec), dir / "www/pack");
    ASSERT_TRUE(test::make_tls_cert(dir / "tls"));
    std::string err;
    auto nginx = test::Nginx::start_tls(dir / "www", dir / "tls/srv.pem", dir / "tls/srv.key", &err);
    ASSERT_TRUE(nginx) << err;

    // Usage: an LRS that takes only this user; 6 fresh statements and 4 of
    // five days ago already wait in the kiosk's database.
    test::TestLrs::Options lo;
    lo.user = "branch7";
    lo.password = "pw-7";
    test::TestLrs lrs(lo);
    seed_statements(data / "usage.sqlite3", 4, 5, "old-");
    seed_statements(data / "usage.sqlite3", 6, 0, "fresh-");

    auto pin_hash = crypto::hash_pin("1357");
    ASSERT_TRUE(pin_hash);

    const std::string toml = patron_config({data.string(), nginx->url("/pack/"), current_key.pub.base64(),
                                            next_key.pub.base64(), (dir / "tls/ca.pem").string(),
                                            (dir / "downloads").string(), lrs.base_url(), *pin_hash});
    test::write_file(dir / "kiosk.toml", toml);
    // (No pack yet at start: the home screen.) Two wrong PINs lock the pad (max_attempts = 2, for lockout_s); then no
    // touch for longer than idle_timeout_s.
    test::write_file(dir / "tour.script", R"(wait 1000
screenshot start
tap admin
tap pin:1
tap pin:1
tap pin:ok
tap pin:2
tap pin:2
tap pin:ok
wait 17000
screenshot end
quit
)");
    // No --windowed: the window's size comes from [display].
    auto argv = under_display({LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--script",
                               (dir / "tour.script").string(), "--screenshot-dir", (dir / "shots").string()},
                              1280, 720);
    int rc = test::run(argv, dir / "kiosk.log");
    const std::string log = test::read_file(dir / "kiosk.log");
    ASSERT_EQ(rc, 0) << log;

    // [display]: an 800x600 window.
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load((dir / "shots/start.png").c_str(), &w, &h, &n, 3);
    ASSERT_TRUE(px) << log;
    stbi_image_free(px);
    EXPECT_EQ(w, 800);
    EXPECT_EQ(h, 600);

    // [player]: what libmpv holds, read back from it (keep-open: only a
    // prerolling core holds an ended item's last frame).
    EXPECT_NE(log.find("player hwdec=no volume=35.000000 mute=yes ao=null sub-visibility=no slang=es,en keep-open=no"),
              std::string::npos)
        << log;
    // [kiosk] language, languages, time_zone, idle_timeout_s, daily_restart as the app has them
    // (the daily restart itself: AppTest.DailyRestart*)...
    EXPECT_NE(log.find("mode=patron language=es languages=es zone=Pacific/Chatham idle_timeout_s=10 daily_restart=03:45"),
              std::string::npos)
        << log;
    // The memory line (at start, then every heartbeat_interval_s).
    EXPECT_NE(log.find("memory rss_mb="), std::string::npos) << log;
    EXPECT_NE(log.find(" malloc_in_use_mb="), std::string::npos) << log;
    // ...and idle_timeout_s in effect: the patron's session ended after 10 s.
    EXPECT_NE(log.find("idle_reset"), std::string::npos) << log;
    // [admin]: the PIN hash checked, locked after 2 failures, for 7 s.
    EXPECT_EQ(count_of(log, "admin PIN wrong"), 2) << log;
    EXPECT_NE(log.find("admin PIN locked lockout_s=7"), std::string::npos) << log;

    // [content]: the pack came over TLS (ca_file), signed by next_public_key,
    // for library_id, into data_dir's store, through download_dir; polled
    // every 10 s.
    EXPECT_TRUE(fs::exists(data / "content/current/manifest.json")) << log;
    EXPECT_NE(log.find("activated version=3"), std::string::npos) << log;
    EXPECT_TRUE(fs::is_directory(dir / "downloads")) << log;
    EXPECT_FALSE(fs::exists(data / "content/partial")) << "the default download folder was used";
    int manifest_gets = 0;
    for (const auto& line : nginx->access_log()) manifest_gets += line.rfind("GET /pack/manifest.json ", 0) == 0;
    EXPECT_GE(manifest_gets, 2) << "poll_interval_s = 10 over a 15 s run";
    EXPECT_NE(log.find("stall_timeout_s=7"), std::string::npos) << log;
    EXPECT_NE(log.find("disk_budget_mb=50"), std::string::npos) << log;

    // [usage]: statements reached the LRS with this user; the kiosk's own
    // name the kiosk and the library's home page, with a trusted timestamp.
    EXPECT_TRUE(fs::exists(data / "usage.sqlite3"));
    auto stats = lrs.stats();
    EXPECT_EQ(stats.unauthorized, 0);
    EXPECT_EQ(stats.max_batch, 2) << "batch_max_statements";
    auto stored = lrs.statements();
    int own = 0, counted = 0, old_raw = 0;
    for (const auto& [id, body] : stored) {
        if (body.find("\"name\":\"branch-7-lobby\"") != std::string::npos) {
            ++own;
            EXPECT_NE(body.find("\"homePage\":\"https://springfield.example.org\""), std::string::npos) << body;
            EXPECT_NE(body.find("\"timestamp\":\""), std::string::npos) << "trust_rtc: " << body;
            EXPECT_NE(body.find("clock-trusted\":true"), std::string::npos) << body;
        }
        EXPECT_EQ(body.find("\"name\":\"kiosk\""), std::string::npos) << "the default kiosk id: " << body;
        counted += body.find("/counted\"") != std::string::npos;
        old_raw += body.find("/old-") != std::string::npos && body.find("/counted\"") == std::string::npos;
    }
    EXPECT_GE(own, 3) << "app start, session start, session end at least";
    // retention_days = 2: the five-day-old statements went as one daily count.
    EXPECT_GE(counted, 1);
    EXPECT_EQ(old_raw, 0);
    EXPECT_NE(log.find("batch_max_kb=32 sync_interval_s=5 backoff_cap_s=11 request_timeout_s=3"), std::string::npos)
        << log;
    // sync_interval_s = 5: the session's end at the idle reset (~13 s) was
    // sent before the end (~20 s); the app's stop at quit is not yet.
    bool session_end_sent = false;
    for (const auto& [id, body] : stored)
        session_end_sent = session_end_sent || (body.find("branch-7-lobby") != std::string::npos &&
                                                body.find("/terminated\"") != std::string::npos);
    EXPECT_TRUE(session_end_sent) << "no session end reached the LRS";
    // kiosk.branch and usage.heartbeat_interval_s: health reports every 10 s
    // (at the start and ~10 s later, both sent by the end), naming the branch.
    int heartbeats = 0;
    for (const auto& [id, body] : stored)
        heartbeats += body.find("branch-7-lobby") != std::string::npos &&
                      body.find("\"branch\":\"north-wing\"") != std::string::npos &&
                      body.find("\"heartbeat-interval-s\":10") != std::string::npos;
    EXPECT_GE(heartbeats, 2) << log;
}

// ---- a training screen: [training], [screen], kiosk.mode and pack_dir, and
// the LRS's user from a credentials file --------------------------------------

TEST(KioskConfigE2E, ATrainingScreenUsesItsScheduleScreenAndCredentialsKeys) {
    test::TempDir dir;
    const fs::path data = dir / "data";
    test::TestLrs::Options lo;
    lo.user = "trainer";
    lo.password = "from-file";
    test::TestLrs lrs(lo);
    test::write_file(dir / "lrs.cred", "trainer:from-file\n");
    ::chmod((dir / "lrs.cred").c_str(), 0600);
    seed_statements(data / "usage.sqlite3", 60, 0, "fresh-");

    // The screen is off now in the configured zone: a one-minute window
    // twelve hours from now is its only "on" time.
    auto zone = TimeZone::load("Pacific/Chatham");
    ASSERT_TRUE(zone) << zone.error().describe();
    LocalTime now = zone->to_local(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    int on_at = (now.minute_of_day + 720) % 1439;
    char window[64];
    std::snprintf(window, sizeof window, "daily %02d:%02d-%02d:%02d", on_at / 60, on_at % 60, (on_at + 1) / 60,
                  (on_at + 1) % 60);

    const std::string power_log = (dir / "power.log").string();
    const std::string toml = training_config({data.string(), LASR_TEST_PACK, lrs.base_url(),
                                              (dir / "lrs.cred").string(), window, power_log});
    test::write_file(dir / "kiosk.toml", toml);
    test::write_file(dir / "s.script", "wait 6000\nquit\n");
    auto argv = under_display({LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--windowed", "640x360",
                               "--script", (dir / "s.script").string()},
                              640, 360);
    int rc = test::run(argv, dir / "kiosk.log");
    const std::string log = test::read_file(dir / "kiosk.log");
    ASSERT_EQ(rc, 0) << log;

    // kiosk.mode, time_zone, training.default_playlist, screen.on_hours.
    EXPECT_NE(log.find("mode=training zone=Pacific/Chatham default_playlist=partners"), std::string::npos) << log;
    EXPECT_NE(log.find("screen_hours=1(config)"), std::string::npos) << log;
    // content.pack_dir: its pack is the one in use (its schedule's rules are
    // loaded; nothing plays while the screen is off).
    EXPECT_NE(log.find("pack=" LASR_TEST_PACK), std::string::npos) << log;
    EXPECT_TRUE(std::regex_search(log, std::regex("default_playlist=partners rules=[1-9]"))) << log;
    // screen.power_off in order, the first killed after command_timeout_s.
    EXPECT_EQ(test::read_file(power_log), "off\n") << log;
    // usage.lrs_credentials_file and batch_max_kb (60 statements of ~0.7 KB
    // in posts of at most 16 KB).
    auto stats = lrs.stats();
    EXPECT_EQ(stats.unauthorized, 0) << log;
    EXPECT_GE(lrs.count(), 60u) << log;
    EXPECT_LE(stats.max_body_bytes, 16 * 1024);
    EXPECT_GE(stats.posts, 3);
}

// kernel NTP state, as the kiosk reads it (adjtimex: TIME_ERROR = unsynced).
bool kernel_clock_synced() {
    struct timex tx {};
    return adjtimex(&tx) != TIME_ERROR;
}

// usage.enabled = false records nothing; training.clock_trust = "synced"
// believes only a synchronised clock.
TEST(KioskConfigE2E, UsageOffWritesNoDatabaseAndSyncedClockTrustWaitsForNtp) {
    test::TempDir dir;
    const std::string toml = usage_off_config((dir / "data").string(), LASR_TEST_PACK);
    test::write_file(dir / "kiosk.toml", toml);
    test::write_file(dir / "s.script", "wait 500\nquit\n");
    auto argv = under_display({LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--windowed", "640x360",
                               "--script", (dir / "s.script").string()},
                              640, 360);
    ASSERT_EQ(test::run(argv, dir / "kiosk.log"), 0) << test::read_file(dir / "kiosk.log");
    const std::string log = test::read_file(dir / "kiosk.log");
    EXPECT_FALSE(fs::exists(dir / "data/usage.sqlite3")) << log;
    EXPECT_NE(log.find(kernel_clock_synced() ? "clock trusted=yes" : "clock trusted=no"), std::string::npos) << log;
    EXPECT_NE(log.find("power_control=off"), std::string::npos) << log;
}

// Every key of the shipped kiosk.toml is set by one of the runs above: a new
// key without a check of what it does fails here.
TEST(KioskConfigE2E, EveryShippedKeyIsSetByARunAbove) {
    std::ifstream f(LASR_SHIPPED_CONFIG);
    ASSERT_TRUE(f) << LASR_SHIPPED_CONFIG;
    std::string line, section;
    std::set<std::string> shipped, set;
    const std::regex table(R"(^#?\s*\[([a-z_]+)\]\s*$)"), key(R"(^#?\s*([a-z_]+)\s*=)");
    std::smatch m;
    while (std::getline(f, line)) {
        if (std::regex_search(line, m, table)) section = m[1];
        else if (!section.empty() && std::regex_search(line, m, key)) shipped.insert(section + "." + m[1].str());
    }
    ASSERT_GT(shipped.size(), 40u);
    for (const std::string& toml : {patron_config({}), training_config({}), usage_off_config("", "")}) {
        std::istringstream in(toml);
        section.clear();
        while (std::getline(in, line)) {
            if (std::regex_search(line, m, table)) section = m[1];
            else if (std::regex_search(line, m, key)) set.insert(section + "." + m[1].str());
        }
    }
    for (const std::string& k : shipped) EXPECT_TRUE(set.count(k)) << k << " is never set by a run above";
}

// ---- every started play ends in the log --------------------------------------

// The pid of the kiosk started with this config (under xvfb-run), or -1.
pid_t kiosk_pid(const fs::path& config) {
    const std::string needle = config.string();
    DIR* d = opendir("/proc");
    if (!d) return -1;
    pid_t found = -1;
    while (dirent* e = readdir(d)) {
        pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
        if (pid <= 0) continue;
        std::string cmd = test::read_file(fs::path("/proc") / e->d_name / "cmdline");
        if (cmd.rfind(LASR_KIOSK_BIN, 0) == 0 && cmd.find(needle) != std::string::npos) found = pid;
    }
    closedir(d);
    return found;
}

class KioskStops : public ::testing::Test {
protected:
    void SetUp() override {
        test::write_file(dir / "kiosk.toml", "[kiosk]\ndata_dir = " + toml_quote((dir / "data").string()) +
                                                 "\n[player]\naudio = false\n[content]\npack_dir = " +
                                                 toml_quote(LASR_TEST_PACK) + "\n");
    }
    // Starts the kiosk playing c1-v1; returns xvfb-run's pid once the video
    // has played for a second, with the kiosk's pid in `kiosk`.
    pid_t start_playing(pid_t& kiosk) {
        test::write_file(dir / "play.script", "wait 300\nplay c1-v1\nwait 60000\n");
        auto argv = under_display({LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--windowed", "640x360",
                                   "--script", (dir / "play.script").string()},
                                  640, 360);
        pid_t runner = test::spawn(argv, dir / "kiosk.log");
        kiosk = -1;
        for (int i = 0; i < 600 && test::read_file(dir / "kiosk.log").find("started video=c1-v1") == std::string::npos; ++i)
            std::this_thread::sleep_for(50ms);
        std::this_thread::sleep_for(1500ms);
        kiosk = kiosk_pid(dir / "kiosk.toml");
        return runner;
    }
    int wait_for(pid_t runner) {
        int status = 0;
        waitpid(runner, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::vector<std::string> outbox() {
        auto log = UsageLog::open(dir / "data/usage.sqlite3");
        EXPECT_TRUE(log) << log.error().describe();
        std::vector<std::string> bodies;
        if (!log) return bodies;
        auto rows = (*log)->outbox_head(100000, SIZE_MAX);
        EXPECT_TRUE(rows);
        if (rows)
            for (const auto& r : *rows) bodies.push_back(r.body);
        return bodies;
    }
    std::vector<PlayRow> plays() {
        auto log = UsageLog::open(dir / "data/usage.sqlite3");
        EXPECT_TRUE(log) << log.error().describe();
        if (!log) return {};
        auto rows = (*log)->plays();
        return rows ? *rows : std::vector<PlayRow>{};
    }
    test::TempDir dir;
};

// systemd stops the service with SIGTERM: the video playing then ends in the
// log with how far it got, and the app's stop is recorded.
TEST_F(KioskStops, SigtermEndsThePlayingVideoWithATerminatedStatement) {
    pid_t kiosk = -1;
    pid_t runner = start_playing(kiosk);
    ASSERT_GT(kiosk, 0) << test::read_file(dir / "kiosk.log");
    ASSERT_EQ(kill(kiosk, SIGTERM), 0);
    EXPECT_EQ(wait_for(runner), 0) << test::read_file(dir / "kiosk.log");
    const std::string log = test::read_file(dir / "kiosk.log");
    EXPECT_NE(log.find("stop requested by SIGTERM"), std::string::npos) << log;

    auto rows = plays();
    ASSERT_EQ(rows.size(), 1u) << log;
    EXPECT_EQ(rows[0].video_id, "c1-v1");
    EXPECT_EQ(rows[0].outcome, PlayOutcome::stopped);
    EXPECT_GT(rows[0].position_s, 0.0) << "how far it got";
    auto bodies = outbox();
    int video_end = 0, ends = 0;
    for (const auto& b : bodies) {
        const bool terminated = b.find("/terminated\"") != std::string::npos;
        video_end += terminated && b.find("/video/c1-v1") != std::string::npos;
        ends += terminated;
    }
    EXPECT_EQ(video_end, 1) << log;
    EXPECT_EQ(ends, 3) << "the video, the patron session and the app each end once";
}

// SIGKILL (or a power cut) mid-video: the next start closes that play as
// interrupted with one terminated statement; the start after adds none.
TEST_F(KioskStops, SigkillMidVideoIsClosedAsInterruptedOnceAtTheNextStart) {
    pid_t kiosk = -1;
    pid_t runner = start_playing(kiosk);
    ASSERT_GT(kiosk, 0) << test::read_file(dir / "kiosk.log");
    ASSERT_EQ(kill(kiosk, SIGKILL), 0);
    wait_for(runner);
    auto rows = plays();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_FALSE(rows[0].outcome.has_value()) << "open until the next start";

    test::write_file(dir / "short.script", "wait 300\nquit\n");
    auto again = [&](const std::string& name) {
        auto argv = under_display({LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--windowed", "640x360",
                                   "--script", (dir / "short.script").string()},
                                  640, 360);
        EXPECT_EQ(test::run(argv, dir / (name + ".log")), 0) << test::read_file(dir / (name + ".log"));
        int n = 0;
        for (const auto& b : outbox())
            n += b.find("/terminated\"") != std::string::npos && b.find("/ext/interrupted\":true") != std::string::npos;
        return n;
    };
    // The running kiosk records through its usage writer: the queue's
    // ticket file sits beside the database, and the database holds the
    // ticket of the last event written.
    EXPECT_TRUE(fs::exists(dir / "data/usage.sqlite3-queued"));
    {
        auto log = UsageLog::open(dir / "data/usage.sqlite3");
        ASSERT_TRUE(log);
        auto ticket = (*log)->committed_ticket();
        ASSERT_TRUE(ticket && ticket->has_value());
        EXPECT_GT(**ticket, 0) << "no event went through the writer";
    }
    EXPECT_EQ(again("restart-1"), 1) << test::read_file(dir / "restart-1.log");
    rows = plays();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].outcome, PlayOutcome::interrupted);
    EXPECT_EQ(again("restart-2"), 1) << "closed twice";
    // Whatever the kill cut off was counted at the first restart, not again.
    EXPECT_EQ(test::read_file(dir / "restart-2.log").find("lost_events="), std::string::npos)
        << test::read_file(dir / "restart-2.log");
}

}  // namespace
}  // namespace lasr
