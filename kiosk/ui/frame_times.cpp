#include "kiosk/ui/frame_times.hpp"

#include <time.h>

#include <algorithm>
#include <cstdio>

#include "config/log.hpp"

namespace lasr {

std::string FrameSplit::text() const {
    char b[128];
    std::snprintf(b, sizeof b, "app:%.1f,build:%.1f,video:%.1f,ui:%.1f,swap:%.1f", app, build - app, video - build,
                  ui - video, swap - ui);
    return b;
}

double thread_cpu_ms() {
    timespec ts{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return -1;
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

bool FrameTimes::add(const FrameSplit& split, std::string_view screen, bool startup, double now_s) {
    const double ms = split.swap;
    if (startup) {
        startup_max_ = std::max(startup_max_, ms);
        ++startup_count_;
        return false;
    }
    size_t bin = std::min(kBins - 1, static_cast<size_t>(std::max(0.0, ms) * 4));
    ++bins_[bin];
    ++count_;
    if (ms > max_) {  // the worst: where and when, for the summary
        max_ = ms;
        max_screen_ = screen;
        max_frame_ = count_;
        max_split_ = split;
    }
    if (ms <= kSlowMs) return false;
    ++slow_count_;
    if (now_s - slow_logged_at_ < kSlowLogEveryS) {
        ++slow_unlogged_;
        return false;
    }
    std::string line = "slow_frame_ms=" + std::to_string(static_cast<int>(ms)) + " screen=" + std::string(screen) +
                       " frame=" + std::to_string(count_) + " split=" + split.text();
    if (split.cpu >= 0) {
        char cpu[48];
        std::snprintf(cpu, sizeof cpu, " thread_cpu_ms=%.1f", split.cpu);
        line += cpu;
    }
    if (slow_unlogged_ > 0) line += " more_since_last_line=" + std::to_string(slow_unlogged_);
    log::info("ui", line);
    slow_logged_at_ = now_s;
    slow_unlogged_ = 0;
    return true;
}

double FrameTimes::p99_ms() const {
    uint64_t seen = 0;
    for (size_t i = 0; i < kBins; ++i) {
        seen += bins_[i];
        if (seen * 100 >= count_ * 99) return std::min(max_, i + 1 == kBins ? max_ : static_cast<double>(i + 1) / 4);
    }
    return 0;
}

std::string FrameTimes::summary() const {
    char b[480];
    std::snprintf(b, sizeof b,
                  "ui_frame_ms_p99=%.2f ui_frame_ms_max=%.1f ui_frames=%llu ui_slow_frames=%llu "
                  "ui_startup_frame_ms_max=%.1f ui_startup_frames=%llu ui_frame_max_screen=%s ui_frame_max_at=%llu "
                  "ui_frame_max_split=%s ui_frame_max_cpu_ms=%.1f",
                  p99_ms(), max_, static_cast<unsigned long long>(count_), static_cast<unsigned long long>(slow_count_),
                  startup_max_, static_cast<unsigned long long>(startup_count_),
                  max_screen_.empty() ? "-" : max_screen_.c_str(), static_cast<unsigned long long>(max_frame_),
                  max_split_.text().c_str(), max_split_.cpu);
    return b;
}

}  // namespace lasr
