// `lasr-kioskctl schedule --at TIME`: what a training screen would show at
// a moment, and why, for IT staff asking "why is this on screen?".
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "config/result.hpp"
#include "playlists/schedule.hpp"

namespace lasr::ctl {

// "now"; a local wall-clock time in `zone`: "2026-12-01T09:30",
// "2026-12-01 09:30:15"; or an absolute time: "2026-12-01T15:30Z",
// "2026-12-01T09:30-06:00". A local time that happens twice (the
// fall-back hour) is the first; one that never happens (the
// spring-forward gap) is an error that says so. `note` tells which.
struct ParsedTime {
    SysSeconds at;
    std::string note;
};
Result<ParsedTime> parse_at(const std::string& text, const TimeZone& zone, SysSeconds now);

struct PreviewOptions {
    std::string at = "now";
    int days = 0;  // also list what plays for this many days after `at`
};

// The report, as printed. `progress_db` may name a training.sqlite3 to say
// which module comes next; a missing file is fine.
Result<std::string> schedule_report(const Config& config, const Catalog& catalog, const PreviewOptions& options,
                                    const std::filesystem::path& progress_db);

}  // namespace lasr::ctl
