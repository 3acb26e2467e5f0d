// The system clock as a training screen needs to know it.
#pragma once

#include "playlists/timezone.hpp"

namespace lasr {

// Now, from the system clock (which may be wrong), to the second.
SysSeconds system_now();
// Whether the kernel says the clock is synchronised: adjtimex() with
// STA_UNSYNC clear, what `timedatectl` shows as "System clock synchronized".
// Read-only; needs no privilege.
bool kernel_clock_synchronized();
// When this program was built: a clock earlier than this is surely wrong.
SysSeconds build_time();

}  // namespace lasr
