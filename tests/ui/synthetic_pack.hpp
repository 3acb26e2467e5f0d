// A content pack on disk for view tests and benchmarks: `courses` courses
// of two small (not playable) "videos" each, and `resources` partner
// resources with varied names, categories and hours.
#pragma once

#include <filesystem>
#include <string>

#include "media/content_pack.hpp"
#include "playlists/manifest.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr::test {

inline void write_synthetic_pack(const std::filesystem::path& dir, int courses, int resources) {
    static const char* words[] = {"Food", "Pantry", "Clinic", "Housing", "Legal", "Aid", "Shelter", "Health", "Family",
                                  "Center", "Community", "Help", "Line", "Job", "Senior", "Youth", "Care", "Free"};
    static const char* cats[] = {"crisis", "health", "mental-health", "food", "housing", "legal", "employment", "family", "other"};
    Catalog cat;
    cat.info.library_id = "demo-library";
    cat.info.library_name = "Synthetic Library";
    cat.info.version = 1;
    cat.info.issued = "2026-11-29T00:00:00Z";
    cat.info.languages = {"en", "es"};
    write_file(dir / "media/v.mp4", "not a real video");
    for (int c = 0; c < courses; ++c) {
        Course co;
        co.id = "c" + std::to_string(c + 1);
        co.title.by_lang["en"] = "Course " + std::to_string(c + 1);
        for (int v = 0; v < 2; ++v) {
            Video vi;
            vi.id = co.id + "-v" + std::to_string(v + 1);
            vi.title.by_lang["en"] = "Video " + std::to_string(v + 1);
            vi.file = *describe_pack_file(dir, "media/v.mp4");
            vi.duration_s = 10;
            co.videos.push_back(vi);
        }
        cat.courses.push_back(co);
    }
    for (int i = 0; i < resources; ++i) {
        Resource r;
        r.id = "r" + std::to_string(i);
        r.name = std::string(words[i % 18]) + " " + words[(i / 18) % 18] + " " + words[(i / 324) % 18] + " " + std::to_string(i);
        r.category = cats[i % 9];
        r.description.by_lang["en"] = "Services for " + std::string(words[(i * 7) % 18]) + " and " + words[(i * 11) % 18];
        r.description.by_lang["es"] = "Servicios de ayuda número " + std::to_string(i);
        r.phone = "555-01" + std::to_string(i % 100);
        r.hours = {{{"mon", "tue", "wed", "thu", "fri"}, "09:00", "17:00"}};
        cat.resources.push_back(r);
    }
    write_file(dir / "manifest.json", write_manifest(cat));
}

}  // namespace lasr::test
