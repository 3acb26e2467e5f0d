#include "kiosk/training/system_clock.hpp"

#include <sys/timex.h>

#ifndef LASR_BUILD_EPOCH
#error "LASR_BUILD_EPOCH must be defined by the build"
#endif

namespace lasr {

SysSeconds system_now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

bool kernel_clock_synchronized() {
    struct timex tx {};
    int state = ::adjtimex(&tx);  // modes = 0: read only
    return state != -1 && state != TIME_ERROR && !(tx.status & STA_UNSYNC);
}

SysSeconds build_time() { return SysSeconds{std::chrono::seconds{static_cast<int64_t>(LASR_BUILD_EPOCH)}}; }

}  // namespace lasr
