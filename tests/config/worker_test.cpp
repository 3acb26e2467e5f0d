#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "config/worker.hpp"

namespace lasr {
namespace {

TEST(Worker, RunsJobsInOrderOffTheCallingThreadAndReturnsResults) {
    std::atomic<int> wakeups{0};
    Worker w([&] { wakeups++; });
    const auto ui = std::this_thread::get_id();
    std::vector<int> seen;  // touched only on this thread, through drain()
    for (int i = 0; i < 50; ++i) {
        w.post([&, i](const std::atomic<bool>&) {
            EXPECT_NE(std::this_thread::get_id(), ui);
            w.complete([&seen, i] { seen.push_back(i); });
        });
    }
    for (int tries = 0; tries < 500 && seen.size() < 50; ++tries) {
        w.drain();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_EQ(seen.size(), 50u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], i);
    EXPECT_GE(wakeups.load(), 1);
    EXPECT_EQ(w.pending(), 0u);
}

TEST(Worker, DestructorStopsALongJob) {
    std::atomic<bool> saw_stop{false};
    auto t0 = std::chrono::steady_clock::now();
    {
        Worker w;
        std::atomic<bool> started{false};
        w.post([&](const std::atomic<bool>& stopping) {
            started = true;
            while (!stopping.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            saw_stop = true;
        });
        w.post([](const std::atomic<bool>&) { FAIL() << "queued job ran after stop"; });
        while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_TRUE(saw_stop.load());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace lasr
