// A small catalog for schedule tests: three courses (c1: 3 videos, c2: 2,
// c3: 2), made from manifest JSON so the schedules go through the real
// parser and its checks.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "playlists/manifest.hpp"
#include "playlists/timezone.hpp"

namespace lasr::test {

inline nlohmann::json schedule_manifest(const nlohmann::json& schedules) {
    using json = nlohmann::json;
    const std::string hash(64, 'b');
    json courses = json::array();
    for (auto [cid, n] : std::vector<std::pair<std::string, int>>{{"c1", 3}, {"c2", 2}, {"c3", 2}}) {
        json vids = json::array();
        for (int i = 1; i <= n; ++i) {
            std::string vid = cid + "-v" + std::to_string(i);
            vids.push_back({{"id", vid},
                            {"title", {{"en", "Video " + vid}}},
                            {"file", {{"path", "media/" + vid + ".mp4"}, {"sha256", hash}, {"size", 100}}},
                            {"duration_s", 10}});
        }
        courses.push_back({{"id", cid}, {"title", {{"en", "Course " + cid}}}, {"videos", vids}});
    }
    json m = {{"format", "lasr-pack"}, {"format_version", 1}, {"library_id", "demo-library"}, {"version", 1},
              {"issued", "2026-11-01T00:00:00Z"}, {"languages", {"en"}}, {"courses", courses}};
    if (!schedules.is_null()) m["schedules"] = schedules;
    return m;
}

inline Catalog schedule_catalog(const nlohmann::json& schedules) {
    auto cat = parse_manifest(schedule_manifest(schedules).dump());
    EXPECT_TRUE(cat) << cat.error().describe();
    return cat ? *cat : Catalog{};
}

inline TimeZone load_zone(const std::string& name) {
    auto z = TimeZone::load(name);
    EXPECT_TRUE(z) << z.error().describe();
    return z ? *z : TimeZone::utc();
}

// An instant from a wall-clock time in `zone` (the earlier one when the
// hour repeats); fails the test when that time does not exist.
inline SysSeconds at_local(const TimeZone& zone, int y, unsigned mo, unsigned d, int h, int mi) {
    using namespace std::chrono;
    auto l = local_seconds{local_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi};
    auto t = zone.from_local(l);
    EXPECT_FALSE(t.empty()) << "no such local time";
    return t.empty() ? SysSeconds{} : t.front();
}

inline SysSeconds at_utc(int y, unsigned mo, unsigned d, int h, int mi) {
    using namespace std::chrono;
    return SysSeconds{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi};
}

}  // namespace lasr::test
