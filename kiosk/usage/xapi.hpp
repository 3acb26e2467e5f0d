// xAPI statements for the usage log: what each kiosk event becomes, built as
// JSON at the moment the event happens and never rebuilt (a resend must be
// byte for byte what was stored: an LRS answers 409 to the same id with
// different content, even a timestamp written "...00Z" instead of "...00.000Z").
//
// Vocabulary: the xAPI Video Profile (https://w3id.org/xapi/video) for video
// events; ADL and tincan registry verbs for the rest; our own extensions
// under kLasrVocab. The actor is always the kiosk, an account
// {homePage: the library's home page, name: the kiosk id}; never a person.
//
// Privacy (ALA, NISO): statements carry catalog ids, positions in a video,
// counts, random ids that are forgotten, and time truncated to the minute
// (fixed format with milliseconds: "2026-11-29T03:04:00.000Z"); never free
// text, search terms or anything typed, and no exact-to-the-second trail.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"

namespace lasr::xapi {

// Our own IRIs (extensions, activity types, verbs the registries lack). The
// .invalid domain never resolves: these are names, not addresses.
inline constexpr std::string_view kLasrVocab = "https://lasr-kiosk.invalid/xapi/";
inline constexpr std::string_view kVideoProfile = "https://w3id.org/xapi/video";

// Every event the kiosk records.
enum class EventKind {
    app_started,        // kiosk health: the program started
    app_stopped,        // kiosk health: the program stopped cleanly
    kiosk_error,        // kiosk health: object_id is the error kind ("media.unplayable")
    session_started,    // a patron session begins (first touch after idle)
    session_ended,      // the idle reset (or quit) ends it
    course_opened,      // object_id: course id
    resource_viewed,    // object_id: resource id
    qr_shown,           // object_id: resource id whose QR code is on screen
    alert_shown,        // object_id: alert id
    video_initialized,  // object_id: video id, course_id, length_s
    video_played,       // time_s
    video_paused,       // time_s, segments, progress
    video_seeked,       // time_from_s -> time_s
    video_completed,    // time_s, segments, progress
    video_terminated,   // time_s, segments, progress
};
std::string_view to_string(EventKind k) noexcept;
std::optional<EventKind> event_kind_from(std::string_view s) noexcept;
bool is_video_event(EventKind k) noexcept;

struct UsageEvent {
    UsageEvent() = default;
    UsageEvent(EventKind k, std::string object = {}, std::string course = {})  // NOLINT: implicit on purpose
        : kind(k), object_id(std::move(object)), course_id(std::move(course)) {}

    EventKind kind = EventKind::app_started;
    std::string object_id;  // a catalog id (or an error kind); checked: no free text
    std::string course_id;  // video events: the course the video belongs to
    double time_s = 0;      // video: position
    double time_from_s = 0; // seeked: where from
    double length_s = 0;    // video: its length
    double progress = 0;    // video: 0..1, share of the length played
    std::string segments;   // video: played segments, "0[.]5.25[,]9[.]12"
    bool interrupted = false;  // terminated: closed at the next start (crash, power cut)
};

// What ties a statement to its place: filled in by the usage log.
struct StatementFrame {
    std::string statement_id;      // UUID v4
    std::string home_page;         // actor.account.homePage
    std::string kiosk_id;          // actor.account.name
    std::string registration;      // the patron session (UUID), "" outside one
    std::string video_session;     // the video session (UUID), video events only
    int64_t seq = 0;               // kiosk-wide sequence number, never reused
    std::string boot_id;           // the kernel's boot id (UUID)
    int64_t uptime_ms = 0;         // since boot (CLOCK_BOOTTIME); sent as whole minutes
    bool clock_trusted = false;    // false: no timestamp (the LRS uses `stored`)
    std::string timestamp;         // kFixed format; set only when clock_trusted
};

// "2026-11-29T03:04:05.123Z": UTC, always milliseconds, always 'Z'.
std::string format_timestamp(std::chrono::system_clock::time_point t);
// The same, truncated to the minute ("...T03:04:00.000Z").
std::string format_minute(std::chrono::system_clock::time_point t);
bool is_timestamp(std::string_view s) noexcept;
// A random UUID v4, lower case.
std::string new_uuid();
bool is_uuid(std::string_view s) noexcept;

// A catalog id (playlists/manifest): letters, digits, '-', '_', '.', 1 to
// 64 of them; anything else (free text) is invalid_argument naming `what`.
Status check_id(std::string_view what, std::string_view id);

// The activity IRI for a catalog object: <home_page>/lasr/<kind>/<id>.
std::string activity_iri(std::string_view home_page, std::string_view kind, std::string_view id);

// Builds the statement's JSON (compact, keys sorted: the bytes nlohmann's
// dump() gives the same document). Checks the event's ids and numbers first:
// invalid_argument when an id is not a catalog id, a number is not finite, or
// the frame's text (kiosk id, home page) is not UTF-8.
Result<std::string> build_statement(const UsageEvent& event, const StatementFrame& frame);

// A daily aggregate, made by the retention rollup from raw statements that
// had to go: `count` statements with this verb and object on `day`.
struct Aggregate {
    std::string day;        // "2026-11-29"
    std::string verb_id;    // the rolled-up statements' verb IRI
    std::string object_id;  // their object IRI
    int64_t count = 0;
};
Result<std::string> build_aggregate(const Aggregate& agg, const StatementFrame& frame);

// A kiosk's health, sent every usage.heartbeat_interval_s as one statement
// (verb <kLasrVocab>verbs/reported, object the kiosk) for the fleet view
// (lasr-kioskctl fleet). About the machine only: nothing of any patron.
// Every text is an id, a version, a timestamp or one of a few fixed words,
// checked by build_heartbeat, so free text cannot get in.
struct Health {
    std::string app_version;           // "0.1.0"
    std::string mode;                  // "patron" or "training"
    std::string branch;                // kiosk.branch ("" when not set)
    int heartbeat_interval_s = 300;    // so the fleet knows when it is late
    std::string library;               // the content pack's library id ("" without a pack)
    uint64_t pack_version = 0;         // 0: no pack
    std::string pack_issued;           // RFC 3339 from the manifest, or ""
    std::string pack_expires;
    std::string content_sync;          // "off" (no server), "idle", "manifest", "fetch", "activate", "offline", "error"
    std::string content_error;         // the last poll's error kind ("sync.not_found"), "" when it went well
    std::string content_last_success;  // format_timestamp, or ""
    int64_t queue_depth = 0;           // statements waiting for the LRS
    int64_t queue_oldest_s = -1;       // age of the oldest one; -1: none waiting
    int64_t disk_free_mb = -1;         // -1: unknown
    int64_t uptime_s = 0;              // since the program started
    int64_t errors = 0;                // errors since the previous heartbeat
    std::string last_error;            // kind of the most recent error since start ("media.unplayable"), or ""
    std::string screen;                // "on", "off", "unknown" (not switched yet) or "unmanaged" (no power control)
};
inline constexpr std::string_view kHeartbeatVerb = "https://lasr-kiosk.invalid/xapi/verbs/reported";
inline constexpr std::string_view kHealthExtension = "https://lasr-kiosk.invalid/xapi/ext/health";
// The heartbeat statement: result.extensions[kHealthExtension] holds the
// Health as an object (keys as in the README's statement list). No
// registration: a heartbeat belongs to no patron session. invalid_argument
// when a field is not what it should be (naming it).
Result<std::string> build_heartbeat(const Health& health, const StatementFrame& frame);

// Played segments "a[.]b[,]c[.]d" and the share of `length_s` they cover.
class PlayedSegments {
public:
    void start(double at);   // playing from `at`
    void stop(double at);    // stopped (paused, seeked away, ended) at `at`
    bool open() const noexcept { return open_; }
    std::string to_string() const;     // closed segments, 3 decimals
    double progress(double length_s) const;  // 0..1, overlaps counted once

private:
    struct Seg { double from, to; };
    std::vector<Seg> segs_;
    double from_ = 0;
    bool open_ = false;
};

}  // namespace lasr::xapi
