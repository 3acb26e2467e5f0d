#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kiosk/service/service_notifier.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr::service {
namespace {

using namespace std::chrono_literals;
using Clock = ServiceNotifier::Clock;

struct Recorder final : NotifySink {
    std::vector<std::string>* out;
    explicit Recorder(std::vector<std::string>* o) : out(o) {}
    bool send(const std::string& state) override {
        out->push_back(state);
        return true;
    }
};

size_t count(const std::vector<std::string>& v, const std::string& s) {
    size_t n = 0;
    for (const auto& x : v) n += x == s;
    return n;
}

TEST(ServiceNotifier, ReadyOnlyAfterTheFirstFrame) {
    std::vector<std::string> sent;
    ServiceNotifier n(std::make_unique<Recorder>(&sent), 0us);
    auto t = Clock::now();
    n.on_loop(1, 0, t);
    n.on_loop(2, 0, t + 1s);
    EXPECT_TRUE(sent.empty());
    EXPECT_FALSE(n.ready_sent());
    n.on_loop(3, 1, t + 2s);
    n.on_loop(4, 2, t + 3s);
    EXPECT_EQ(sent, std::vector<std::string>{"READY=1"});
    EXPECT_TRUE(n.ready_sent());
}

TEST(ServiceNotifier, FeedsTheWatchdogOnlyWhileTheHeartbeatAdvances) {
    std::vector<std::string> sent;
    ServiceNotifier n(std::make_unique<Recorder>(&sent), 20s);  // pings at most every 5 s
    auto t = Clock::now();
    uint64_t beat = 0;
    // 60 s of a live loop, one pass a second.
    for (int s = 0; s < 60; ++s) n.on_loop(++beat, 1, t + std::chrono::seconds(s));
    EXPECT_EQ(sent.front(), "READY=1");
    size_t live_pings = count(sent, "WATCHDOG=1");
    EXPECT_GE(live_pings, 11u);  // every 5 s over 60 s
    EXPECT_LE(live_pings, 13u);
    // The loop still runs but its heartbeat is stuck. The beats since the
    // last ping (56..60) earn one more; after that nothing, so systemd's
    // watchdog fires and restarts the unit.
    for (int s = 60; s < 66; ++s) n.on_loop(beat, 1, t + std::chrono::seconds(s));
    size_t stuck_pings = count(sent, "WATCHDOG=1");
    EXPECT_LE(stuck_pings, live_pings + 1);
    for (int s = 66; s < 180; ++s) n.on_loop(beat, 1, t + std::chrono::seconds(s));
    EXPECT_EQ(count(sent, "WATCHDOG=1"), stuck_pings);
    // It comes back: pings resume.
    n.on_loop(++beat, 1, t + 181s);
    EXPECT_EQ(count(sent, "WATCHDOG=1"), stuck_pings + 1);
    EXPECT_EQ(n.watchdog_pings(), stuck_pings + 1);
}

TEST(ServiceNotifier, NoWatchdogBeforeReady) {
    std::vector<std::string> sent;
    ServiceNotifier n(std::make_unique<Recorder>(&sent), 20s);
    auto t = Clock::now();
    for (int s = 0; s < 30; ++s) n.on_loop(static_cast<uint64_t>(s) + 1, 0, t + std::chrono::seconds(s));
    EXPECT_TRUE(sent.empty());  // TimeoutStartSec, not the watchdog, covers a start that never draws
}

TEST(ServiceNotifier, WithoutASinkEverythingIsANoOp) {
    ServiceNotifier n(nullptr, 20s);
    n.on_loop(1, 1, Clock::now());
    n.stopping();
    EXPECT_FALSE(n.enabled());
    EXPECT_FALSE(n.ready_sent());
    EXPECT_EQ(n.timeout(), 0us);
}

TEST(WatchdogTimeout, HonoursThisProcessOrItsParentOnly) {
    EXPECT_EQ(watchdog_timeout("30000000", nullptr, 100, 1), 30s);
    EXPECT_EQ(watchdog_timeout("30000000", "100", 100, 1), 30s);   // we are the main process
    EXPECT_EQ(watchdog_timeout("30000000", "42", 100, 42), 30s);   // under cage, the main process
    EXPECT_EQ(watchdog_timeout("30000000", "7", 100, 42), 0us);    // meant for someone else
    EXPECT_EQ(watchdog_timeout(nullptr, nullptr, 100, 42), 0us);
    EXPECT_EQ(watchdog_timeout("0", nullptr, 100, 42), 0us);
    EXPECT_EQ(watchdog_timeout("-5", nullptr, 100, 42), 0us);
    EXPECT_EQ(watchdog_timeout("30s", nullptr, 100, 42), 0us);
    EXPECT_EQ(watchdog_timeout("30000000", "x", 100, 42), 0us);
}

// The real thing: sd_notify() writes datagrams to the AF_UNIX socket named
// by $NOTIFY_SOCKET, as systemd's manager receives them.
TEST(SystemdSink, SendsDatagramsToTheNotifySocket) {
    test::TempDir dir;
    std::string path = (dir / "notify.sock").string();
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    ASSERT_LT(path.size(), sizeof addr.sun_path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);

    ASSERT_EQ(setenv("NOTIFY_SOCKET", path.c_str(), 1), 0);
    ASSERT_EQ(setenv("WATCHDOG_USEC", "8000000", 1), 0);
    ASSERT_EQ(setenv("WATCHDOG_PID", std::to_string(getppid()).c_str(), 1), 0);  // as under cage
    ServiceNotifier n = ServiceNotifier::from_environment();
    EXPECT_TRUE(n.enabled());
    EXPECT_EQ(n.timeout(), 8s);
    auto t = Clock::now();
    n.on_loop(1, 1, t);
    n.on_loop(2, 1, t + 3s);
    n.stopping();
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");

    std::vector<std::string> got;
    char buf[256];
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r <= 0) break;
        got.emplace_back(buf, static_cast<size_t>(r));
    }
    close(fd);
    EXPECT_EQ(got, (std::vector<std::string>{"READY=1", "WATCHDOG=1", "WATCHDOG=1", "STOPPING=1"}));
}

TEST(SystemdSink, AbsentWithoutNotifySocket) {
    unsetenv("NOTIFY_SOCKET");
    EXPECT_EQ(systemd_sink(), nullptr);
    EXPECT_FALSE(ServiceNotifier::from_environment().enabled());
}

}  // namespace
}  // namespace lasr::service
