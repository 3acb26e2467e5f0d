// The catalog: what a content pack offers (courses of videos, partner
// resources) as plain values. Pure data, no I/O; the manifest module reads
// and writes it, the media cache verifies the files it names.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/day_window.hpp"

namespace lasr {

// Text in several languages: {"en": "...", "es": "..."}.
struct LocalText {
    std::map<std::string, std::string> by_lang;

    // The text in `lang`, else in `fallback`, else any; "" when empty.
    const std::string& get(const std::string& lang, const std::string& fallback = "en") const;
    bool empty() const { return by_lang.empty(); }
};

// A file inside the pack, named relative to the pack root.
struct FileRef {
    std::string path;    // relative, forward slashes, never escapes the pack
    std::string sha256;  // 64 lowercase hex digits
    uint64_t size = 0;   // bytes
};

struct Video {
    std::string id;
    LocalText title;
    LocalText summary;
    FileRef file;
    double duration_s = 0;                    // expected; a shorter play is truncated
    std::map<std::string, FileRef> captions;  // WebVTT per language
    std::map<std::string, FileRef> transcripts;  // plain text per language
    std::optional<FileRef> thumbnail;
};

struct Course {
    std::string id;
    LocalText title;
    LocalText summary;
    std::vector<Video> videos;  // in the order they are meant to be watched
};

// Weekly opening hours: one line per span, "mon".."sun".
struct OpeningSpan {
    std::vector<std::string> days;  // e.g. {"mon","tue","wed","thu","fri"}
    std::string open;               // "09:00"
    std::string close;              // "17:00"; may be "24:00"
};

struct Resource {
    std::string id;
    std::string name;
    std::string category;  // one of kResourceCategories
    LocalText description;
    std::string phone;     // as dialled, e.g. "988" or "+1-800-662-4357"
    std::string sms;       // optional text line, e.g. "741741"
    std::string website;   // https URL
    std::string address;   // free text; empty for national services
    bool always_open = false;
    std::vector<OpeningSpan> hours;
    std::vector<std::string> languages;  // languages spoken
    bool national = false;  // a national service rather than a local partner
    bool sample = false;    // demo data: not a real local partner
};

// Whether a resource is open at a local weekday (0 = Monday) and minute of
// the day: true/false from its hours, nullopt when it lists none. Spans may
// cross midnight (open 22:00, close 02:00) and close at "24:00".
std::optional<bool> open_at(const Resource& r, int weekday, int minute);

inline const std::vector<std::string> kResourceCategories = {
    "crisis", "health", "mental-health", "food", "housing", "legal", "employment", "family", "other",
};

// An emergency or service message published with the pack. It shows while
// the current time is within [starts, ends) (empty = open-ended).
struct Alert {
    std::string id;
    std::string severity;  // "info", "warning" or "emergency"
    LocalText title;
    LocalText body;
    std::string starts;    // RFC 3339 UTC, or empty
    std::string ends;      // RFC 3339 UTC, or empty
    std::vector<std::string> pin_resources;  // resource ids shown first while active
};

inline const std::vector<std::string> kAlertSeverities = {"info", "warning", "emergency"};

// A named list of videos for training screens: a course in its order, or a
// custom list of video ids.
struct Playlist {
    std::string id;
    LocalText title;                  // optional; a course playlist falls back to the course's title
    std::string course;               // a course id: its videos in order
    std::vector<std::string> videos;  // or: these videos, in this order
};

// The playlist named here plays while the kiosk's local wall clock is inside
// the window, on a date inside the range. See playlists/schedule.hpp.
struct ScheduleRule {
    std::string id;
    std::string playlist;  // a playlist id, or kAllCoursesPlaylist
    DayWindow window;      // weekdays and times; its weekday is the day a window starts
    std::optional<std::chrono::year_month_day> starts_on;  // first local date (inclusive), or none
    std::optional<std::chrono::year_month_day> ends_on;    // last local date (inclusive), or none
    std::vector<std::chrono::year_month_day> except_on;    // dates it does not start on (holidays)
    int priority = 0;      // 0..100; the highest matching rule wins, the first listed on a tie
};

// Every course in catalog order: the built-in playlist, always there.
inline constexpr std::string_view kAllCoursesPlaylist = "all-courses";

struct Schedules {
    std::vector<Playlist> playlists;
    std::vector<ScheduleRule> rules;
    std::string default_playlist;        // when no rule matches, or the clock is not trusted; "" = all courses
    std::vector<DayWindow> screen_hours;  // when the screen is on; empty = always

    bool empty() const { return playlists.empty() && rules.empty() && default_playlist.empty() && screen_hours.empty(); }
    const Playlist* find_playlist(const std::string& id) const;
};

struct PackInfo {
    int format_version = 1;
    std::string library_id;
    std::string library_name;
    uint64_t version = 0;  // monotonic; a lower version is a rollback
    std::string issued;    // RFC 3339 UTC
    std::string expires;   // RFC 3339 UTC, or empty for never
    std::vector<std::string> languages;
};

struct Catalog {
    PackInfo info;
    std::vector<Course> courses;
    std::vector<Resource> resources;
    std::vector<Alert> alerts;
    Schedules schedules;

    const Course* find_course(const std::string& id) const;
    // The video and the course that holds it.
    const Video* find_video(const std::string& id, const Course** course = nullptr) const;
    const Resource* find_resource(const std::string& id) const;
    // Every file the pack references, each once.
    std::vector<FileRef> all_files() const;
};

}  // namespace lasr
