// lasr-kioskctl fleet: bring the cache up to date from the LRS (one query
// per verb the report needs, incremental by `stored`), then build the
// report. No server of ours: any conformant xAPI LRS.
#pragma once

#include <cstdint>
#include <filesystem>

#include "config/result.hpp"
#include "kiosk/fleet/lrs_reader.hpp"
#include "kiosk/fleet/report.hpp"

namespace lasr::fleet {

struct FleetOptions {
    LrsEndpoint lrs;
    std::filesystem::path cache;     // the SQLite cache file
    int64_t now_ms = 0;              // the report's "now" (0: the system clock)
    int days = 7;                    // plays, completions and errors: a cold cache reads this far back
    int heartbeat_days = 1;          // heartbeats: a cold cache reads this far back
    int limit = 500;                 // statements per page asked for
    int64_t overlap_ms = 10 * 60 * 1000;  // re-read behind the cursor (stored times are not unique, and a
                                          // distributed LRS shows a statement a little after its stored time)
    bool offline = false;            // report from the cache only
};

Result<FleetReport> refresh_and_report(const FleetOptions& options);

}  // namespace lasr::fleet
