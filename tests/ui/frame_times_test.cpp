// The UI loop's frame-time figures: histogram, worst frame and the
// throttled line for each stall over 50 ms.
#include <gtest/gtest.h>

#include <string>

#include "kiosk/ui/frame_times.hpp"
#include "tests/support/log_fields.hpp"

namespace lasr {
namespace {

using lasr::test::count_of;

FrameSplit split_with_swap(double total) {
    FrameSplit s;
    s.app = 0.5;
    s.build = 1.5;
    s.video = 3.0;
    s.ui = 4.0;
    s.swap = total;
    s.cpu = 2.5;
    return s;
}

TEST(FrameSplit, TextGivesEachStageItsOwnShare) {
    EXPECT_EQ(split_with_swap(40).text(), "app:0.5,build:1.0,video:1.5,ui:1.0,swap:36.0");
}

TEST(FrameTimes, SummaryNamesTheWorstFrameAndItsSplit) {
    FrameTimes t;
    for (int i = 0; i < 99; ++i) t.add(split_with_swap(20), "home", false, i * 0.03);
    t.add(split_with_swap(45), "player", false, 3.0);
    t.add(split_with_swap(500), "home", true, 3.1);  // start-up: counted apart
    EXPECT_EQ(t.frames(), 100u);
    EXPECT_DOUBLE_EQ(t.max_ms(), 45);
    EXPECT_DOUBLE_EQ(t.p99_ms(), 20.25);  // the 99th of 100 frames is a 20 ms one (0.25 ms bins)
    const std::string s = t.summary();
    EXPECT_NE(s.find("ui_frame_ms_max=45.0 "), std::string::npos) << s;
    EXPECT_NE(s.find("ui_frame_max_screen=player ui_frame_max_at=100 "), std::string::npos) << s;
    EXPECT_NE(s.find("ui_frame_max_split=app:0.5,build:1.0,video:1.5,ui:1.0,swap:41.0 ui_frame_max_cpu_ms=2.5"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("ui_startup_frame_ms_max=500.0 ui_startup_frames=1 "), std::string::npos) << s;
    EXPECT_NE(s.find("ui_slow_frames=0 "), std::string::npos) << s;
}

TEST(FrameTimes, StallsAreLoggedAtMostOncePerTenSecondsAndAllCounted) {
    FrameTimes t;
    testing::internal::CaptureStderr();
    // A machine too slow for its screen: every frame at 30 fps takes 60 ms, for 25 s.
    int logged = 0;
    for (int i = 0; i < 750; ++i) logged += t.add(split_with_swap(60), "attract", false, i / 30.0);
    t.add(split_with_swap(30), "attract", false, 25.1);  // not a stall
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(logged, 3);  // at 0, 10 and 20 s
    EXPECT_EQ(count_of(err, "slow_frame_ms=60 screen=attract"), 3) << err;
    EXPECT_EQ(count_of(err, "swap:56.0 thread_cpu_ms=2.5"), 3) << err;  // mostly waiting, not working
    EXPECT_EQ(count_of(err, "more_since_last_line=299"), 2) << err;  // the 299 left out between lines
    EXPECT_EQ(t.slow_frames(), 750u);
    EXPECT_NE(t.summary().find("ui_slow_frames=750 "), std::string::npos) << t.summary();
}

TEST(FrameTimes, AFrameOfExactlyFiftyMsIsNotAStall) {
    FrameTimes t;
    EXPECT_FALSE(t.add(split_with_swap(50), "home", false, 0));
    EXPECT_TRUE(t.add(split_with_swap(50.5), "home", false, 0));
    EXPECT_EQ(t.slow_frames(), 1u);
}

}  // namespace
}  // namespace lasr
