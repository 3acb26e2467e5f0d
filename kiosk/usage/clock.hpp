// The clocks a usage statement is placed by.
//
// A kiosk may boot with a wrong clock (a Raspberry Pi has no RTC and starts
// from the time it last saved) and must never wait for network time to start.
// So every statement carries a sequence number, the kernel's boot id and the
// minutes since boot, which are right whatever the wall clock says; the wall
// clock is used only once it is trusted: the kernel reports it synchronised
// (NTP, via adjtimex), or the config says the machine's RTC is good.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace lasr {

struct ClockReading {
    std::chrono::system_clock::time_point wall;
    int64_t uptime_ms = 0;  // CLOCK_BOOTTIME: counts suspend, never jumps
    bool trusted = false;
};
using ClockFn = std::function<ClockReading()>;

// The system's clocks. trust_rtc: trusted from the start; otherwise trusted
// from the first reading at which the kernel says it is synchronised (and
// from then on, for the life of the process). Asks the kernel at most once a
// second.
ClockFn system_clock_source(bool trust_rtc);

// The kernel's id for this boot (/proc/sys/kernel/random/boot_id), or, where
// there is none, a random UUID made once per process.
std::string boot_id();

}  // namespace lasr
