// The demo content source (playlists/demo/demo-content.json): authored text
// from which `lasr-kioskctl demo-pack` makes a content pack.
//
// {
//   "library_id": "demo-library", "library_name": "Demo Public Library",
//   "languages": ["en", "es"],
//   "courses": [{ "id": "c1", "title": {...}, "summary": {...},
//                 "palette": ["#0f3d4c", "#2a6f83"],   // title-card background
//                 "tone_hz": 196,                      // soundtrack pitch
//                 "videos": [{ "id": "c1-v1", "title": {...}, "summary": {...},
//                              "duration_s": 16,
//                              "cues": { "en": ["...", ...], "es": [...] } }] }],
//   "resources": "partners.csv",  (the spreadsheet template of `resources
//                                    import`, beside this file; or a list
//                                    exactly as in a manifest)
//   "alerts": [ ...exactly as in a manifest (lasr::Alert)... ],
//   "schedules": { ...exactly as in a manifest (training screens)... }
// }
//
// Every text has every pack language; the cue lists of one video are
// parallel translations (same count), so they share their timings.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"
#include "playlists/catalog.hpp"

namespace lasr::ctl {

struct DemoVideo {
    std::string id;
    LocalText title;
    LocalText summary;
    double duration_s = 0;
    std::map<std::string, std::vector<std::string>> cues;  // language -> cue texts, in order
};

struct DemoCourse {
    std::string id;
    LocalText title;
    LocalText summary;
    std::string color_a = "0x0f3d4c";  // ffmpeg colours, "0xRRGGBB"
    std::string color_b = "0x2a6f83";
    int tone_hz = 220;
    std::vector<DemoVideo> videos;
};

struct DemoSource {
    std::string library_id;
    std::string library_name;
    std::vector<std::string> languages;
    std::vector<DemoCourse> courses;
    std::vector<Resource> resources;  // validated by the manifest's own rules
    std::vector<Alert> alerts;        // likewise
    std::string schedules_json;       // the "schedules" object as written; "" when absent

    size_t video_count() const;
};

// `base_dir` is where a "resources" file name is looked up.
Result<DemoSource> parse_demo_source(std::string_view json_text, const std::filesystem::path& base_dir = {});
Result<DemoSource> load_demo_source(const std::filesystem::path& file);

}  // namespace lasr::ctl
