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
