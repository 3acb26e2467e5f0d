// The admin screen's sync lines as text: what the content sync and the
// usage upload are doing, in the staff's language. Pure functions of an
// AdminStatus, so they are tested without a window.
#pragma once

#include <string>
#include <string_view>

#include "kiosk/app/app.hpp"

namespace lasr {

struct StatusLine {
    std::string text;
    bool problem = false;  // drawn in the accent colour: staff should act
    bool quiet = false;    // nothing set up: drawn muted
};

// "Up to date (checked 14:02)", "Downloading 42%: 3 of 7 files, 12 MB of
// 28 MB, about 2 min left", "Offline: <cause>; last success 09:15", ...
StatusLine content_sync_line(const AdminStatus& a, std::string_view lang);
// "All sent (last 14:00)", "125 waiting since ...; last error: <cause>",
// "Paused: the LRS refused the kiosk's credentials", ...
StatusLine usage_upload_line(const AdminStatus& a, std::string_view lang);
// "3 h, 221 MB of memory; restarts daily at 04:00": how long the kiosk has
// run and what it holds, for IT staff watching a kiosk over days.
StatusLine running_line(const AdminStatus& a, std::string_view lang);

}  // namespace lasr
