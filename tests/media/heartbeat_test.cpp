// The liveness heartbeat's rules, fed the way the main loop feeds it.
#include <gtest/gtest.h>

#include "media/heartbeat.hpp"

namespace lasr {
namespace {

TEST(Heartbeat, BeatsAtMostOncePerIntervalWhileTheLoopRuns) {
    Heartbeat hb(1.0);
    EXPECT_TRUE(hb.update(0.0, false, 0));
    EXPECT_FALSE(hb.update(0.5, false, 0));
    EXPECT_TRUE(hb.update(1.0, false, 0));  // an idle home screen draws nothing and is healthy
    EXPECT_EQ(hb.count(), 2u);
}

TEST(Heartbeat, PlayingNeedsFramesAndProgress) {
    Heartbeat hb(1.0);
    double t = 0;
    EXPECT_TRUE(hb.update(t, true, 0.0));  // starts judging here
    // Frames drawn and the position moving: beats.
    hb.frame_drawn(t += 0.5);
    EXPECT_TRUE(hb.update(t += 0.6, true, 1.1));
    // Position moving but nothing drawn (renderer hung): no beat.
    EXPECT_FALSE(hb.update(t += 1.1, true, 2.2));
    EXPECT_FALSE(hb.update(t += 1.0, true, 3.2));
    // Frames drawn but the position frozen (playback stalled): no beat.
    hb.frame_drawn(t += 0.1);
    EXPECT_FALSE(hb.update(t += 1.0, true, 1.1));
    // Both again: beats.
    hb.frame_drawn(t += 0.1);
    EXPECT_TRUE(hb.update(t += 0.1, true, 4.0));
    EXPECT_EQ(hb.count(), 3u);
    // Paused (not moving): the loop alone keeps it alive.
    EXPECT_TRUE(hb.update(t += 1.0, false, 4.0));
    // Unless the player stopped answering.
    EXPECT_FALSE(hb.update(t += 1.0, false, 4.0, false));
}

}  // namespace
}  // namespace lasr
