// Liveness for a watchdog (systemd's WATCHDOG=1): a counter the main loop
// advances only while the kiosk is healthy. Healthy means the loop runs
// and, while a video should be moving (on screen, started, not paused),
// frames are being drawn and its position advances. A hung loop, a
// renderer that stopped drawing, playback frozen past the player's own
// recovery, or a player engine that stopped answering all stop the counter.
// Pure logic: the loop feeds it.
#pragma once

#include <cstdint>

namespace lasr {

class Heartbeat {
public:
    // The counter advances at most once per interval_s.
    explicit Heartbeat(double interval_s = 1.0) : interval_s_(interval_s) {}

    // A frame was drawn and swapped at `now` (seconds, monotonic).
    void frame_drawn(double now) { last_frame_ = now; }

    // Once per loop iteration (the loop wakes at least once a second).
    // Returns true when the counter advanced.
    // `healthy` false (e.g. the player's engine stopped answering) stops it.
    bool update(double now, bool video_moving, double position_s, bool healthy = true) {
        if (!healthy || now - last_beat_ < interval_s_) return false;
        if (video_moving) {
            if (!was_moving_) {
                // A video just started moving: judge it from here on.
                was_moving_ = true;
                beat_position_ = position_s;
                last_beat_ = now;
                ++count_;
                return true;
            }
            bool drawn = last_frame_ > last_beat_;
            bool advanced = position_s != beat_position_;
            if (!drawn || !advanced) return false;
        }
        was_moving_ = video_moving;
        beat_position_ = position_s;
        last_beat_ = now;
        ++count_;
        return true;
    }

    uint64_t count() const { return count_; }
    double last_beat() const { return last_beat_; }

private:
    double interval_s_;
    double last_beat_ = -1e300;
    double last_frame_ = -1e300;
    double beat_position_ = 0;
    bool was_moving_ = false;
    uint64_t count_ = 0;
};

}  // namespace lasr
