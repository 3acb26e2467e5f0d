// Crash safety: the sync is SIGKILLed at every step that changes the disk
// (while downloading, after each file enters the store, while the pack
// folder is linked, around the symlink swap, during garbage collection),
// and at random moments (the real `lasr-kioskctl sync-content`). After each
// kill the store opens on a complete pack, old or new, never a mix (every
// file hashed), and the next sync finishes, resuming downloads rather than
// starting them over.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "kiosk/sync/content_sync.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/http_servers.hpp"
#include "tests/support/test_packs.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;

const std::string kChild = LASR_KILL_CHILD;
const std::string kCtl = LASR_KIOSKCTL;

class CrashTest : public ::testing::Test {
protected:
    test::TempDir tmp;
    crypto::KeyPair key = crypto::generate_keypair();
    TrustPolicy policy{"springfield", {key.pub}};
    test::MadePack v1, v2;
    std::unique_ptr<test::Nginx> nginx;
    int kills = 0;

    void SetUp() override {
        test::PackSpec s;
        s.videos = 4;
        s.video_bytes = 300'000;
        s.version = 2;
        s.seeds = {"a", "b", "c", "d"};
        v1 = test::make_pack(s, key.sec);
        s.version = 3;
        s.seeds = {"a", "b2", "c2", "d"};
        s.video_bytes = 300'000;
        v2 = test::make_pack(s, key.sec);
        s.version = 1;
        s.seeds = {"z0", "b", "c", "d"};
        auto v0 = test::make_pack(s, key.sec);
        std::string err;
        // Slow enough that a kill lands inside a download.
        nginx = test::Nginx::start(tmp / "www", "limit_rate 3m;", &err);
        ASSERT_TRUE(nginx) << err;
        // The template store: v1 current, v0 previous (for GC to remove).
        publish(v0);
        ASSERT_EQ(child(tmp / "template", "none", 0), 0) << test::read_file(tmp / "child.log");
        publish(v1);
        ASSERT_EQ(child(tmp / "template", "none", 0), 0) << test::read_file(tmp / "child.log");
        publish(v2);
    }
    void publish(const test::MadePack& p) {
        fs::remove_all(tmp / "www/pack");
        test::write_pack(p, tmp / "www/pack");
        // Each publication in its own second (nginx's ETag is mtime + size).
        fs::last_write_time(tmp / "www/pack/manifest.json", fs::file_time_type::clock::now() - std::chrono::hours(1) +
                                                                std::chrono::seconds(++publications));
    }
    int publications = 0;
    // A store holding v1, fresh for each kill.
    fs::path fresh_store(const std::string& name) {
        fs::path d = tmp / name;
        fs::copy(tmp / "template", d, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
        return d;
    }
    int child(const fs::path& store, const std::string& step, long n) {
        return test::run({kChild, store.string(), nginx->url("/pack/"), key.pub.base64(), "springfield", step,
                          std::to_string(n)},
                         tmp / "child.log");
    }
    // The invariant: a complete pack, exactly v1 or v2, every file hashed.
    void expect_whole_pack(const fs::path& store_dir, const std::string& where) {
        ContentStore store(StoreOptions{store_dir, {}, 0});
        auto a = store.open_active(policy, std::time(nullptr));
        ASSERT_TRUE(a) << where << ": " << a.error().describe();
        EXPECT_TRUE(a->manifest.bytes == v1.manifest || a->manifest.bytes == v2.manifest) << where;
        EXPECT_FALSE(a->fallback) << where << ": " << a->problem;
        auto st = a->pack->verify_all();
        EXPECT_TRUE(st) << where << ": " << (st ? "" : st.error().describe());
    }
    void expect_finishes_on_v2(const fs::path& store_dir, const std::string& where) {
        ASSERT_EQ(child(store_dir, "none", 0), 0) << where << ": " << test::read_file(tmp / "child.log");
        ContentStore store(StoreOptions{store_dir, {}, 0});
        auto a = store.open_active(policy, std::time(nullptr));
        ASSERT_TRUE(a) << where;
        EXPECT_EQ(a->manifest.bytes, v2.manifest) << where;
        EXPECT_TRUE(a->pack->verify_all()) << where;
        // Nothing left over: no staging folders, no partial files.
        for (auto& e : fs::directory_iterator(store_dir / "packs"))
            EXPECT_EQ(e.path().filename().string()[0], 'v') << where << ": " << e.path();
        EXPECT_TRUE(fs::is_empty(store_dir / "partial")) << where;
    }
};

TEST_F(CrashTest, KilledAtEveryStepTheStoreIsAlwaysOneWholePack) {
    // (step, how many times it happens in a v1 -> v2 sync)
    const std::vector<std::pair<std::string, int>> steps = {
        {"object_adopted", 4}, {"pack_linked", 8}, {"pack_staged", 1}, {"previous_set", 1},
        {"current_set", 1},    {"state_saved", 1}, {"gc_removed", 3},
    };
    int i = 0;
    for (const auto& [step, count] : steps) {
        for (int n = 1; n <= count; ++n) {
            std::string where = step + "#" + std::to_string(n);
            fs::path d = fresh_store("s" + std::to_string(i++));
            int rc = child(d, step, n);
            ASSERT_EQ(rc, 128 + SIGKILL) << where << " was never reached: " << test::read_file(tmp / "child.log");
            ++kills;
            expect_whole_pack(d, where);
            expect_finishes_on_v2(d, where);
        }
    }
    RecordProperty("kills", kills);
    std::printf("crash_kills_at_steps %d\n", kills);
    EXPECT_EQ(kills, 19);
}

TEST_F(CrashTest, KilledWhileDownloadingTheDownloadResumes) {
    // The new bytes: two changed videos and their captions.
    uint64_t new_bytes = 0;
    for (int v : {1, 2})
        new_bytes += v2.catalog.courses[0].videos[static_cast<size_t>(v)].file.size +
                     v2.catalog.courses[0].videos[static_cast<size_t>(v)].captions.at("en").size;
    int i = 0;
    for (uint64_t at : {50'000u, 200'000u, 350'000u, 520'000u}) {
        std::string where = "after " + std::to_string(at) + " bytes";
        fs::path d = fresh_store("d" + std::to_string(i++));
        uint64_t before = nginx->bytes_sent("/pack/files/");
        ASSERT_EQ(child(d, "bytes", static_cast<long>(at)), 128 + SIGKILL) << where;
        ++kills;
        uint64_t first = nginx->bytes_sent("/pack/files/") - before;
        expect_whole_pack(d, where);
        uint64_t mid = nginx->bytes_sent("/pack/files/");
        expect_finishes_on_v2(d, where);
        uint64_t second = nginx->bytes_sent("/pack/files/") - mid;
        // Resumed: the second run fetched less than everything new.
        EXPECT_LT(second, new_bytes) << where << " (first run sent " << first << ")";
        EXPECT_GE(first + second, new_bytes) << where;
    }
    std::printf("crash_kills_while_downloading %d\n", kills);
}

TEST_F(CrashTest, TheRealSyncCommandKilledAtRandomMoments) {
    // lasr-kioskctl sync-content, SIGKILLed after a random delay, again and
    // again on one store, until a run finishes.
    //
    // nginx lets the first second's worth of bytes of each response through
    // at once, so this server's limit is well under one video's size: a run
    // then takes long enough for the kills to land in its downloads too, not
    // only in start-up.
    std::string err;
    auto slow = test::Nginx::start(tmp / "www", "limit_rate 150k;", &err);
    ASSERT_TRUE(slow) << err;
    fs::path d = fresh_store("random");
    test::write_file(tmp / "kiosk.toml", "[kiosk]\nlibrary_id = \"springfield\"\ndata_dir = \"" + tmp.path().string() +
                                             "/random-data\"\n[content]\nserver_url = \"" + slow->url("/pack/") +
                                             "\"\npublic_key = \"" + key.pub.base64() + "\"\n");
    fs::create_directories(tmp / "random-data");
    fs::rename(d, tmp / "random-data/content");
    d = tmp / "random-data/content";
    // How long one whole run takes here, on a throwaway copy of the store
    // and config, so the kills land inside the run on a fast or a slow
    // machine alike rather than after it has finished.
    fs::path probe = tmp / "probe-data";
    fs::create_directories(probe);
    fs::copy(tmp / "template", probe / "content", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    test::write_file(tmp / "probe.toml", "[kiosk]\nlibrary_id = \"springfield\"\ndata_dir = \"" + probe.string() +
                                             "\"\n[content]\nserver_url = \"" + slow->url("/pack/") +
                                             "\"\npublic_key = \"" + key.pub.base64() + "\"\n");
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(test::run({kCtl, "sync-content", "--quiet", "--config", (tmp / "probe.toml").string()}), 0);
    int whole_ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
    std::printf("crash_random_whole_run_ms %d\n", whole_ms);
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> delay_ms(std::max(1, whole_ms / 20), std::max(2, whole_ms * 2 / 5));
    int finished_at = -1;
    for (int round = 0; round < 12 && finished_at < 0; ++round) {
        pid_t pid = test::spawn({kCtl, "sync-content", "--quiet", "--config", (tmp / "kiosk.toml").string()});
        ASSERT_GT(pid, 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            finished_at = round;
            break;
        }
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        if (WIFSIGNALED(status)) ++kills;
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) finished_at = round;
        expect_whole_pack(d, "random round " + std::to_string(round));
    }
    if (finished_at < 0) {
        ASSERT_EQ(test::run({kCtl, "sync-content", "--quiet", "--config", (tmp / "kiosk.toml").string()}), 0);
    }
    ContentStore store(StoreOptions{d, {}, 0});
    auto a = store.open_active(policy, std::time(nullptr));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->manifest.bytes, v2.manifest);
    EXPECT_TRUE(a->pack->verify_all());
    std::printf("crash_kills_random %d\n", kills);
    EXPECT_GE(kills, 1);
}

}  // namespace
}  // namespace lasr
