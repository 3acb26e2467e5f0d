#include "playlists/catalog.hpp"

#include <set>

namespace lasr {

const std::string& LocalText::get(const std::string& lang, const std::string& fallback) const {
    static const std::string empty;
    if (auto it = by_lang.find(lang); it != by_lang.end()) return it->second;
    if (auto it = by_lang.find(fallback); it != by_lang.end()) return it->second;
    return by_lang.empty() ? empty : by_lang.begin()->second;
}

const Playlist* Schedules::find_playlist(const std::string& id) const {
    for (const auto& p : playlists)
        if (p.id == id) return &p;
    return nullptr;
}

namespace {

int day_index(const std::string& d) {
    static const char* days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (int i = 0; i < 7; ++i)
        if (d == days[i]) return i;
    return -1;
}

int minutes(const std::string& hhmm) {
    return (hhmm[0] - '0') * 600 + (hhmm[1] - '0') * 60 + (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
}

}  // namespace

std::optional<bool> open_at(const Resource& r, int weekday, int minute) {
    if (r.always_open) return true;
    if (r.hours.empty()) return std::nullopt;
    int yesterday = (weekday + 6) % 7;
    for (const auto& span : r.hours) {
        if (span.open.size() != 5 || span.close.size() != 5) continue;
        int open = minutes(span.open), close = minutes(span.close);
        for (const auto& d : span.days) {
            int day = day_index(d);
            if (close > open) {
                if (day == weekday && minute >= open && minute < close) return true;
            } else {  // crosses midnight (or open == close: all day)
                if (day == weekday && minute >= open) return true;
                if (day == yesterday && minute < close) return true;
            }
        }
    }
    return false;
}

const Course* Catalog::find_course(const std::string& id) const {
    for (const auto& c : courses)
        if (c.id == id) return &c;
    return nullptr;
}

const Video* Catalog::find_video(const std::string& id, const Course** course) const {
    for (const auto& c : courses)
        for (const auto& v : c.videos)
            if (v.id == id) {
                if (course) *course = &c;
                return &v;
            }
    return nullptr;
}

const Resource* Catalog::find_resource(const std::string& id) const {
    for (const auto& r : resources)
        if (r.id == id) return &r;
    return nullptr;
}

std::vector<FileRef> Catalog::all_files() const {
    std::vector<FileRef> out;
    std::set<std::string> seen;
    auto add = [&](const FileRef& f) {
        if (seen.insert(f.path).second) out.push_back(f);
    };
    for (const auto& c : courses)
        for (const auto& v : c.videos) {
            add(v.file);
            for (const auto& [l, f] : v.captions) add(f);
            for (const auto& [l, f] : v.transcripts) add(f);
            if (v.thumbnail) add(*v.thumbnail);
        }
    return out;
}

}  // namespace lasr
