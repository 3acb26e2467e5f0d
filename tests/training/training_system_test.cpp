// What a training screen needs from the system: progress kept in SQLite,
// helper commands run with a time limit, and screen power commands on the
// background worker, with fake commands (scripts) that record their calls,
// fail, hang or are missing.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "kiosk/training/command.hpp"
#include "kiosk/training/progress_store.hpp"
#include "kiosk/training/screen_power.hpp"
#include "kiosk/training/system_clock.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;

TEST(ProgressStore, SavesAndReloadsAcrossRestarts) {
    test::TempDir dir;
    fs::path db = dir / "data/training.sqlite3";
    {
        auto store = ProgressStore::open(db);
        ASSERT_TRUE(store) << store.error().describe();
        auto empty = (*store)->load();
        ASSERT_TRUE(empty);
        EXPECT_TRUE(empty->empty());
        Progress p;
        p["p1"] = Cursor{2, "c1-v3", 12.5};
        p["all-courses"] = Cursor{0, "c1-v1", 0};
        ASSERT_TRUE((*store)->save(p));
        p["p1"] = Cursor{0, "c1-v1", 0};
        ASSERT_TRUE((*store)->save(p));
    }
    auto again = ProgressStore::open(db);
    ASSERT_TRUE(again) << again.error().describe();
    auto p = (*again)->load();
    ASSERT_TRUE(p) << p.error().describe();
    ASSERT_EQ(p->size(), 2u);
    EXPECT_EQ(p->at("p1"), (Cursor{0, "c1-v1", 0}));
    EXPECT_EQ(p->at("all-courses").video_id, "c1-v1");
}

TEST(ProgressStore, RefusesAFileThatIsNotADatabase) {
    test::TempDir dir;
    test::write_file(dir / "training.sqlite3", std::string(4096, 'x'));
    auto store = ProgressStore::open(dir / "training.sqlite3");
    ASSERT_FALSE(store);
    EXPECT_NE(store.error().message.find("training.sqlite3"), std::string::npos);
}

// A fake command: a shell script that appends its arguments to calls.log
// and then does `body` (exit 1, sleep 30, ...).
fs::path fake(const test::TempDir& dir, const std::string& name, const std::string& body) {
    fs::path p = dir / name;
    test::write_file(p, "#!/bin/sh\necho \"" + name + " $*\" >> \"" + (dir / "calls.log").string() + "\"\n" + body + "\n");
    ::chmod(p.c_str(), 0755);
    return p;
}

TEST(RunCommand, ExitCodesOutputTimeoutsAndMissingPrograms) {
    test::TempDir dir;
    auto ok = run_command({fake(dir, "ok", "echo hello; echo oops >&2; exit 0").string(), "a b"}, 5);
    ASSERT_TRUE(ok) << ok.error().describe();
    EXPECT_EQ(ok->status, 0);
    EXPECT_FALSE(ok->timed_out);
    EXPECT_EQ(ok->output, "hello\noops\n");
    EXPECT_EQ(test::read_file(dir / "calls.log"), "ok a b\n") << "one argument, no shell splitting";

    auto fails = run_command({fake(dir, "fails", "echo 'no CEC adapter' >&2; exit 3").string()}, 5);
    ASSERT_TRUE(fails);
    EXPECT_EQ(fails->status, 3);
    EXPECT_EQ(fails->output, "no CEC adapter\n");

    auto t0 = std::chrono::steady_clock::now();
    auto hangs = run_command({fake(dir, "hangs", "sleep 30 & wait").string()}, 0.5);
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(hangs);
    EXPECT_TRUE(hangs->timed_out);
    EXPECT_EQ(hangs->status, 128 + SIGTERM);
    EXPECT_LT(took, 5) << "killed with its children, not waited for";

    std::atomic<bool> cancel{true};
    auto cancelled = run_command({fake(dir, "slow", "sleep 30").string()}, 60, &cancel);
    ASSERT_TRUE(cancelled);
    EXPECT_TRUE(cancelled->timed_out);

    auto missing = run_command({"/nonexistent/cec-ctl", "--standby"}, 5);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("cannot run /nonexistent/cec-ctl"), std::string::npos);
    EXPECT_FALSE(run_command({}, 5));
}

// Drives a ScreenPower until its job has come back.
void settle(Worker& worker, const ScreenPower& power) {
    for (int i = 0; i < 1000 && (power.busy() || worker.pending() > 0); ++i) {
        worker.drain();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    worker.drain();
}

TEST(ScreenPower, FallsBackToTheNextCommandAndLogsIt) {
    test::TempDir dir;
    ScreenSettings s;
    s.power_off = {{fake(dir, "cec", "exit 1").string(), "--standby"}, {fake(dir, "xset", "exit 0").string(), "off"}};
    s.power_on = {{fake(dir, "cec-on", "exit 0").string(), "--image-view-on"}};
    Worker worker;
    ScreenPower power(worker, s);
    EXPECT_TRUE(power.enabled());
    power.want(false, 0);
    settle(worker, power);
    EXPECT_EQ(power.state(), false);
    ASSERT_TRUE(power.last());
    EXPECT_TRUE(power.last()->ok);
    EXPECT_NE(power.last()->detail.find("exit 1"), std::string::npos);
    EXPECT_NE(power.last()->detail.find("xset off: ok"), std::string::npos);
    power.want(false, 1);
    settle(worker, power);
    EXPECT_EQ(test::read_file(dir / "calls.log"), "cec --standby\nxset off\n") << "done once, not again";
    power.want(true, 2);
    settle(worker, power);
    EXPECT_EQ(power.state(), true);
    EXPECT_EQ(test::read_file(dir / "calls.log"), "cec --standby\nxset off\ncec-on --image-view-on\n");
}

TEST(ScreenPower, FailuresAreReportedRetriedLaterAndNeverFatal) {
    test::TempDir dir;
    ScreenSettings s;
    s.power_off = {{fake(dir, "cec", "echo 'no CEC adapter' >&2; exit 1").string()}, {"/nonexistent/xset"}};
    s.power_on = {{fake(dir, "on", "sleep 30").string()}};
    s.command_timeout_s = 1;
    Worker worker;
    ScreenPower power(worker, s);
    power.want(false, 100);
    settle(worker, power);
    EXPECT_FALSE(power.state().has_value());
    ASSERT_TRUE(power.last());
    EXPECT_FALSE(power.last()->ok);
    EXPECT_NE(power.last()->detail.find("no CEC adapter"), std::string::npos);
    EXPECT_NE(power.last()->detail.find("cannot run /nonexistent/xset"), std::string::npos);
    EXPECT_EQ(power.failures_in_a_row(), 1);
    power.want(false, 110);  // too soon to retry
    settle(worker, power);
    EXPECT_EQ(test::read_file(dir / "calls.log"), "cec \n");
    power.want(false, 131);  // 30 s later
    settle(worker, power);
    EXPECT_EQ(power.failures_in_a_row(), 2);
    EXPECT_EQ(test::read_file(dir / "calls.log"), "cec \ncec \n");

    power.want(true, 132);  // a hanging command is killed at the limit
    settle(worker, power);
    ASSERT_TRUE(power.last());
    EXPECT_TRUE(power.last()->on);
    EXPECT_FALSE(power.last()->ok);
    EXPECT_NE(power.last()->detail.find("timed out after 1 s"), std::string::npos);
}

TEST(ScreenPower, NoCommandsNoPowerControl) {
    ScreenSettings s;
    s.power_on.clear();
    s.power_off.clear();
    Worker worker;
    ScreenPower power(worker, s);
    EXPECT_FALSE(power.enabled());
    power.want(false, 0);
    EXPECT_FALSE(power.busy());
    EXPECT_EQ(worker.pending(), 0u);
}

TEST(ScreenPower, ADestroyedControllerIgnoresLateResults) {
    test::TempDir dir;
    ScreenSettings s;
    s.power_off = {{fake(dir, "slowish", "sleep 0.2").string()}};
    Worker worker;
    {
        ScreenPower power(worker, s);
        power.want(false, 0);
    }
    for (int i = 0; i < 100 && worker.pending() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    worker.drain();  // must not touch the destroyed controller (ASan checks)
}

TEST(SystemClock, BuildTimeIsInThePast) {
    EXPECT_LE(build_time(), system_now());
    EXPECT_GT(build_time(), SysSeconds{std::chrono::seconds{1700000000}});
    (void)kernel_clock_synchronized();  // either answer is fine here; it must not fail
}

}  // namespace
}  // namespace lasr
