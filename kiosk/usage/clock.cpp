#include "kiosk/usage/clock.hpp"

#include <sys/timex.h>
#include <time.h>

#include <atomic>
#include <fstream>
#include <memory>

#include "kiosk/usage/xapi.hpp"

namespace lasr {

ClockFn system_clock_source(bool trust_rtc) {
    struct State {
        std::atomic<bool> trusted{false};
        std::atomic<int64_t> next_check_ms{0};
    };
    auto state = std::make_shared<State>();
    state->trusted = trust_rtc;
    return [state] {
        ClockReading r;
        r.wall = std::chrono::system_clock::now();
        timespec ts{};
        clock_gettime(CLOCK_BOOTTIME, &ts);
        r.uptime_ms = static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
        if (!state->trusted.load(std::memory_order_relaxed) &&
            r.uptime_ms >= state->next_check_ms.load(std::memory_order_relaxed)) {
            state->next_check_ms.store(r.uptime_ms + 1000, std::memory_order_relaxed);
            struct timex tx{};
            // Read-only query (modes = 0). TIME_ERROR: the kernel's clock is
            // not synchronised (STA_UNSYNC), e.g. no NTP since boot.
            int st = ::adjtimex(&tx);
            if (st >= 0 && st != TIME_ERROR) state->trusted.store(true, std::memory_order_relaxed);
        }
        r.trusted = state->trusted.load(std::memory_order_relaxed);
        return r;
    };
}

std::string boot_id() {
    static const std::string id = [] {
        std::ifstream f("/proc/sys/kernel/random/boot_id");
        std::string s;
        std::getline(f, s);
        while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
        return xapi::is_uuid(s) ? s : xapi::new_uuid();
    }();
    return id;
}

}  // namespace lasr
