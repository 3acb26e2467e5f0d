// How long each drawn frame of the UI loop took, from the loop waking up to
// the buffer swap: a histogram (0.25 ms steps to 250 ms) and the worst,
// summed up in one line at exit (ui_frame_ms_p99=, ui_frame_ms_max=, the
// worst frame's screen, number and split by stage, and how many frames
// went over 50 ms, with the UI thread's CPU time in the worst one). A frame over 50 ms is a visible stall: it is logged at
// info level with its screen and split, at most one line per 10 s (the
// line counts the stalls left out since the last one), so a machine too
// slow for its screen does not flood the journal.
// Start-up frames (drawn before the UI is set up: the first video frames,
// which compile mpv's shaders, as plain mpv's do) are counted apart
// (ui_startup_frame_ms_max=): nothing was on screen to stall.
//
// No window or GL here: the loop measures, this keeps the figures.
// Not thread-safe: the UI thread alone uses it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace lasr {

// The stages of one loop turn, as times since it woke up (ms): the app's
// work (events, ticks, script), the ImGui frame built, the video drawn, the
// UI drawn over it, the buffers swapped. text() gives each stage's share.
// cpu is the UI thread's own CPU time over the frame (-1: not measured):
// far below the frame's time, the thread was waiting (for the X server,
// llvmpipe's threads, or a core other threads had), not working.
struct FrameSplit {
    double app = 0, build = 0, video = 0, ui = 0, swap = 0;
    double cpu = -1;
    std::string text() const;  // "app:0.2,build:0.0,video:0.6,ui:0.1,swap:39.9"
};

// The calling thread's CPU time so far, in ms (CLOCK_THREAD_CPUTIME_ID).
double thread_cpu_ms();

class FrameTimes {
public:
    static constexpr double kSlowMs = 50;          // a visible stall
    static constexpr double kSlowLogEveryS = 10;   // at most one slow_frame_ms= line per this

    // One drawn frame, on `screen`, at `now_s` (any steady clock, seconds);
    // its time is split.swap (the last stage ends the frame). Returns true
    // if it logged a slow_frame_ms= line.
    bool add(const FrameSplit& split, std::string_view screen, bool startup, double now_s);
    std::string summary() const;

    uint64_t frames() const { return count_; }
    uint64_t slow_frames() const { return slow_count_; }
    double max_ms() const { return max_; }
    double p99_ms() const;

private:
    static constexpr size_t kBins = 1000;
    std::array<uint64_t, kBins> bins_{};
    uint64_t count_ = 0;
    double max_ = 0;
    std::string max_screen_;  // the screen the worst frame was drawn on
    uint64_t max_frame_ = 0;  // ... and which frame it was (1: the first after set-up)
    FrameSplit max_split_;
    uint64_t startup_count_ = 0;
    double startup_max_ = 0;
    uint64_t slow_count_ = 0;
    uint64_t slow_unlogged_ = 0;     // stalls since the last slow_frame_ms= line, not logged
    double slow_logged_at_ = -1e18;  // when the last one was written
};

}  // namespace lasr
