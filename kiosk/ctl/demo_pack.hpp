// Generates the demo content pack from the demo content source: title-card
// videos (ffmpeg), WebVTT captions, transcripts, thumbnails and, last and
// atomically, manifest.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>

#include "config/result.hpp"

namespace lasr::ctl {

struct DemoPackOptions {
    std::filesystem::path out;     // the pack directory (created if missing)
    std::filesystem::path source;  // demo-content.json
    bool quick = false;            // 640x360 instead of 1280x720 (for tests)
    bool force = false;            // rebuild even if `out` already holds a valid pack
    int jobs = 2;                  // ffmpeg processes at a time
};

struct DemoPackReport {
    bool already_there = false;  // `out` held a valid pack; nothing was done
    size_t courses = 0;
    size_t videos = 0;
    size_t resources = 0;
    uint64_t bytes = 0;  // every file in the pack, manifest included
    double seconds = 0;  // wall time
};

// Builds the pack, writing one progress line per video to `progress`.
// `out` must be missing, empty, or hold only what a pack holds (manifest,
// media/, captions/, transcripts/, thumbs/); anything else is refused rather
// than overwritten. On failure no manifest is left, so a half-made pack
// never looks complete.
Result<DemoPackReport> make_demo_pack(const DemoPackOptions& options, std::ostream& progress);

}  // namespace lasr::ctl
