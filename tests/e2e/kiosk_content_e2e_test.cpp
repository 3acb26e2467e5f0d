// End to end: a running lasr-kiosk (under Xvfb) syncs from nginx on
// 127.0.0.1. It starts with no content; a pack built and signed by
// `lasr-kioskctl pack` goes live; then an update signed by Debian's
// minisign with the pinned next key (an alert added) goes live at the next
// poll, without a restart.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "tests/e2e/display.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/http_servers.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using test::under_display;


bool wait_for(const fs::path& log, const std::string& text, std::chrono::seconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (test::read_file(log).find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

TEST(KioskContentEndToEnd, PacksSyncedFromNginxGoLiveWithoutARestart) {
    test::TempDir dir;
    const std::string ctl = LASR_KIOSKCTL;
    fs::path log = dir / "tools.log";
    ASSERT_EQ(test::run({ctl, "keygen", "--key", (dir / "k.key").string(), "--pub", (dir / "k.pub").string()}, log), 0);
    ASSERT_EQ(test::run({"minisign", "-G", "-W", "-p", (dir / "m.pub").string(), "-s", (dir / "m.key").string()}, log), 0)
        << test::read_file(log);
    auto key_line = [](const fs::path& pub) {
        std::string t = test::read_file(pub);
        return t.substr(t.find('\n') + 1, 56);
    };

    // The source: one captioned video. v1 as lasr-kioskctl packs it.
    test::VideoSpec spec;
    spec.seconds = 1;
    spec.audio = false;
    ASSERT_TRUE(test::make_video(dir / "src/media/a.mp4", spec));
    test::write_file(dir / "src/captions/a.en.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n");
    const std::string head = R"({"library_id": "springfield", "languages": ["en"],
  "courses": [{"id": "c1", "title": {"en": "First steps"}, "videos": [
    {"id": "a", "title": {"en": "Welcome"}, "file": "media/a.mp4", "captions": {"en": "captions/a.en.vtt"}}]}],
  "resources": [{"id": "r-988", "name": "988 Lifeline", "category": "crisis", "description": {"en": "Call 988."}, "phone": "988"}])";
    test::write_file(dir / "src/pack.json", head + "}");
    fs::path www = dir / "www/springfield";
    ASSERT_EQ(test::run({ctl, "pack", (dir / "src").string(), "--key", (dir / "k.key").string(), "--out", www.string(),
                         "--version", "1"},
                        log),
              0)
        << test::read_file(log);

    std::string err;
    auto nginx = test::Nginx::start(dir / "www", "", &err);
    ASSERT_TRUE(nginx) << err;
    test::write_file(dir / "kiosk.toml", "[kiosk]\nlibrary_id = \"springfield\"\ndata_dir = \"" + (dir / "data").string() +
                                             "\"\n[player]\naudio = false\n[content]\nserver_url = \"" +
                                             nginx->url("/springfield/") + "\"\npoll_interval_s = 10\npublic_key = \"" +
                                             key_line(dir / "k.pub") + "\"\nnext_public_key = \"" +
                                             key_line(dir / "m.pub") + "\"\n");
    test::write_file(dir / "run.script", "wait 13500\nscreenshot home\nquit\n");
    fs::path klog = dir / "kiosk.log";
    pid_t pid = test::spawn(under_display({LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--windowed", "640x360",
                                     "--script", (dir / "run.script").string(), "--screenshot-dir",
                                     (dir / "shots").string()},
                                    640, 360),
                      klog);
    ASSERT_GT(pid, 0);
    // It starts empty; the first poll brings v1 live.
    EXPECT_TRUE(wait_for(klog, "pack_live version=1", 10s)) << test::read_file(klog);

    // v2: an alert added, packed, then signed by minisign with the next key.
    test::write_file(dir / "src/pack.json",
                     head + R"(, "alerts": [{"id": "snow", "severity": "warning", "title": {"en": "Closing at 3 pm: snow"}}]})");
    fs::path v2 = dir / "v2";
    ASSERT_EQ(test::run({ctl, "pack", (dir / "src").string(), "--key", (dir / "k.key").string(), "--out", v2.string(),
                         "--version", "2"},
                        log),
              0)
        << test::read_file(log);
    fs::remove(v2 / "manifest.json.minisig");
    ASSERT_EQ(test::run({"minisign", "-S", "-s", (dir / "m.key").string(), "-m", (v2 / "manifest.json").string()}, log), 0);
    fs::copy_file(v2 / "manifest.json.minisig", www / "manifest.json.minisig", fs::copy_options::overwrite_existing);
    fs::copy_file(v2 / "manifest.json", www / "manifest.json", fs::copy_options::overwrite_existing);
    fs::last_write_time(www / "manifest.json", fs::file_time_type::clock::now() + 5s);  // its own ETag

    EXPECT_TRUE(wait_for(klog, "pack_live version=2", 20s)) << test::read_file(klog);
    int status = 0;
    for (int i = 0; i < 300 && ::waitpid(pid, &status, WNOHANG) != pid; ++i) std::this_thread::sleep_for(100ms);
    if (::waitpid(pid, &status, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    }
    std::string out = test::read_file(klog);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
    EXPECT_NE(out.find("pack_live version=2 courses=1 resources=1 alerts=1"), std::string::npos) << out;
    // The manifest-only change downloaded no file.
    EXPECT_NE(out.find("activated version=2 files_fetched=0"), std::string::npos) << out;
    EXPECT_TRUE(fs::exists(dir / "shots/home.png"));
}

}  // namespace
}  // namespace lasr
