// The kiosk's application model: screens, navigation, what plays, what is
// logged. It owns no window and draws nothing: the UI layer reads AppState
// each frame and hands back Intents. Tests drive it with a headless Player.
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "kiosk/app/directory.hpp"
#include "kiosk/app/training_mode.hpp"
#include "kiosk/usage/usage_writer.hpp"
#include "media/content_pack.hpp"
#include "media/player.hpp"
#include "playlists/timezone.hpp"

namespace lasr {

enum class Screen { home, course, player, resources, resource, attract, admin_pin, admin };
std::string_view to_string(Screen s) noexcept;
std::optional<Screen> screen_from_string(std::string_view s) noexcept;

// What a view asks for. Views never change state themselves.
struct Intent {
    enum class Kind {
        go_home,
        open_course,      // arg: course id
        play_video,       // arg: video id
        open_resources,   // the partner directory
        set_category,     // arg: category, "" for all
        open_resource,    // arg: resource id
        back,
        toggle_pause,
        toggle_captions,
        seek,             // value: seconds
        set_language,     // arg: language code
        quit,
        start,            // leave the attract loop ("touch to start")
        search_open,      // show the on-screen keyboard
        search_close,
        type_text,        // arg: text typed (on-screen or a real keyboard)
        backspace,
        clear_search,
        toggle_contrast,  // high-contrast colours
        toggle_large_text,
        admin_open,       // the staff PIN pad
        pin_key,          // arg: one digit
        pin_clear,
        pin_submit,
        admin_action,     // arg: test_pattern, restart, exit, close
        toggle_transcript,
        // What the views report having shown (for the usage log; not patron
        // activity: an alert on the attract screen keeps it idle).
        qr_shown,         // arg: resource id whose QR code is on screen
        alert_shown,      // arg: alert id
    };
    Kind kind;
    std::string arg = {};
    double value = 0;
};

struct AppState {
    Screen screen = Screen::home;
    std::string course_id;     // the course being browsed or played from
    std::string video_id;      // the video on the player screen
    std::string last_video_id; // the last one played (highlighted in the course)
    std::string resource_id;
    std::string category;      // directory filter; "" = all
    std::string language;
    bool captions = true;
    std::string notice;        // key of a calm message for the patron ("" = none)
    double notice_until = 0;   // app time when it disappears
    int plays_finished = 0;    // ended or failed plays since start
    // Content updates, for the admin screen (set by the shell from the sync).
    struct Content {
        uint64_t version = 0;       // the pack now live
        bool expired = false;       // it has expired: still plays, staff are told
        std::string sync_phase;     // "", "fetch", "activate", "error", "offline", ...
        double sync_fraction = 0;   // 0..1 of the bytes to fetch
        double sync_eta_s = -1;     // -1: unknown
        std::string sync_error;     // the last poll's failure
        std::string sync_error_kind;  // its kind ("sync.not_found"), for heartbeats
        bool sync_configured = false;  // a content server is set
        size_t files_done = 0, files_total = 0;
        uint64_t bytes_done = 0, bytes_total = 0;
        std::time_t sync_last_success = 0;  // 0: not since start
    } content;
    // Usage upload to the LRS, for the admin screen (set by the shell).
    struct Upload {
        bool configured = false;    // an LRS is set
        bool paused = false;        // it refused our credentials: staff must act
    } upload;
    // Staff asked to look for content and upload usage now (the shell acts
    // on it and clears it).
    bool sync_now = false;
    bool quit = false;
    int exit_code = 0;

    // Partner directory: what was typed (never logged or stored) and what
    // matches, as indexes into catalog().resources, pinned ones first.
    std::string search;
    bool keyboard = false;
    std::vector<size_t> results;
    // Accessibility, reset with everything else at idle.
    bool high_contrast = false;
    bool large_text = false;
    // Alerts in force now (indexes into catalog().alerts), most severe first.
    std::vector<size_t> alerts;
    // Staff PIN pad.
    std::string pin_entry;       // digits typed so far (shown as dots)
    int pin_failures = 0;
    double pin_locked_until = 0; // app time; locked while now < this
    bool pin_wrong = false;      // the last attempt failed
    // The playing video's transcript in the current language ("" = none).
    std::string transcript;
    bool transcript_open = false;
};

// What the admin screen shows; gathered when it is open.
// Free and total bytes of the file system holding `dir` (or its nearest
// existing parent); zeros when it cannot be read.
struct DiskSpace {
    uint64_t free_bytes = 0;
    uint64_t total_bytes = 0;
};
DiskSpace disk_space(const std::filesystem::path& dir);

struct AdminStatus {
    std::string library;
    uint64_t content_version = 0;
    std::string content_issued, content_expires;
    bool content_expired = false;
    size_t courses = 0, videos = 0, resources = 0;
    std::string pack_dir;
    bool have_usage = false;
    UsageSummary usage;
    uint64_t disk_free_bytes = 0;
    uint64_t disk_total_bytes = 0;
    std::vector<std::string> network_up;  // interfaces that are up (not lo)
    std::vector<std::string> problems;    // recent warnings and errors, newest last
    AppState::Content content;            // content sync
    AppState::Upload upload;              // usage upload
    bool have_queue = false;              // the usage outbox could be read
    UsageStatus queue;                    // what waits for the LRS
    std::time_t now = 0;                  // when this was gathered (wall clock)
    double uptime_s = 0;                  // since the kiosk started
    double rss_mb = -1;                   // its resident memory; -1: unknown
    std::string daily_restart;            // kiosk.daily_restart ("HH:MM"; "" = off)
};

class App {
public:
    // `usage` may be null (telemetry off): the UI thread's queue to the usage
    // log, so recording an event never waits for SQLite. The player must
    // outlive the App.
    // Records the app's start; quit records its stop. `training` is used in
    // training mode (kiosk.mode = "training") only.
    App(const Config& config, std::shared_ptr<ContentPack> pack, Player& player, UsageWriter* usage,
        TrainingEnv training = {});

    const AppState& state() const { return state_; }
    const Catalog& catalog() const { return pack_->catalog(); }
    const ContentPack& pack() const { return *pack_; }
    const Player& player() const { return player_; }
    bool usage_enabled() const { return usage_ != nullptr; }
    // Training-screen mode, or null on a patron kiosk.
    const TrainingMode* training() const { return training_.get(); }

    // Applies an intent from a view, a script or a key. `now` is app time in
    // seconds (monotonic); it also counts as patron activity.
    void dispatch(const Intent& intent, double now);
    // Feeds player events in; ends plays, logs them, returns to the course.
    void on_player_events(const std::vector<PlayerEvent>& events, double now);
    // Timers: idle reset, notices, progress logging. Call at least once a second.
    void tick(double now);
    // Seconds until tick() next has work (for the loop's sleep).
    double seconds_until_next_tick(double now) const;

    // A new content pack goes live without a restart. A video that is
    // playing plays on to its end (the player holds its file, and the store
    // keeps the previous pack); screens naming what the new pack lacks fall
    // back to the nearest one that exists.
    void replace_pack(std::shared_ptr<ContentPack> pack, double now);
    AppState::Content& content_state() { return state_.content; }
    AppState::Upload& upload_state() { return state_.upload; }
    // Returns and clears a staff request to sync now.
    bool take_sync_now() { return std::exchange(state_.sync_now, false); }

    // --play FILE --quit-at-end: plays one file and quits with 0 when it ends
    // complete, 3 when it fails or ends early.
    Status play_file_and_quit(const std::string& path, double now);

    // Patron kiosks open on the attract loop (muted videos with captions).
    void start_attract(double now);
    AdminStatus admin_status() const;
    // Wall clock (UTC, seconds since the epoch) for alerts; tests inject one.
    void set_wall_clock(std::function<int64_t()> clock) { wall_clock_ = std::move(clock); }
    // The wall clock in the kiosk's zone (kiosk.time_zone; the system's when
    // unset): what "open now" in the directory is judged by.
    LocalTime local_time() const;

    // Exit code for "restart" from the admin screen (systemd restarts us).
    static constexpr int kExitRestart = 75;
    // The daily restart (kiosk.daily_restart) waits for this much uptime, so
    // a kiosk started inside its hour does not restart again at once.
    static constexpr double kDailyRestartMinUptimeS = 2 * 3600;

private:
    friend class TrainingMode;  // plays through start_video, moves between screens
    void go(Screen s);
    void leave_attract();  // stops the attract loop's videos, if they play
    Screen after_play() const;  // the course if it still exists, else home
    bool pristine() const;      // as after the privacy reset: nobody at the kiosk
    bool daily_restart_due(double now) const;
    // False when it could not start (unverified file, player refused).
    bool start_video(const std::string& video_id, double now);
    // The item for a video, its files verified (nullopt, logged, when not).
    std::optional<MediaItem> media_item(const Video& video, double now, bool tell_patron);
    // The app's side of a play starting: screen, transcript, usage row.
    void begin_play(const Video& video, const Course& course, double now);
    // Training playlists: queues the next video behind the one playing (so
    // libmpv opens it ahead: no gap), and later takes it as the play the
    // director asked for instead of loading it again. False when it was
    // not queued (or the queue was dropped since).
    bool queue_video(const std::string& video_id, double now);
    bool adopt_queued(const std::string& video_id, double now);
    // Every load and stop goes through these: they forget what was queued.
    Status load_player(const MediaItem& item);
    void stop_player();
    void end_play(std::optional<PlayOutcome> outcome, double position);
    void show_notice(const std::string& text, double now);
    void privacy_reset(double now);
    bool attract_available() const;
    void refresh_results();
    void refresh_alerts();
    // The next course's first video: loaded now (replace) or queued after
    // the one playing. False when no course has a playable one.
    bool play_next_attract(bool replace, double now);
    void pin_submit(double now);
    void load_transcript();
    // Usage statements: failures are logged, never shown, never fatal.
    void note(const UsageEvent& event);
    void note_error(const Error& error);
    void note_play(EventKind kind, double position, double from = 0);
    void note_stop();  // the session (if any) and the app end
    // The heartbeat (kiosk/app/heartbeat.cpp): every usage.heartbeat_interval_s.
    void note_heartbeat(double now);
    xapi::Health health() const;

    Config config_;
    std::shared_ptr<ContentPack> pack_;
    Player& player_;
    UsageWriter* usage_;
    AppState state_;
    double last_activity_ = 0;
    double last_progress_log_ = 0;
    UsageWriter::PlayToken play_row_ = -1;
    std::string queued_video_;  // queued by queue_video, not adopted yet
    bool single_play_ = false;
    std::unique_ptr<Directory> directory_;
    std::function<int64_t()> wall_clock_;
    TimeZone zone_ = TimeZone::utc();
    double last_alert_check_ = -1;
    size_t attract_next_ = 0;
    bool attract_playing_ = false;
    std::unique_ptr<TrainingMode> training_;
    TrainingEnv training_env_;  // kept to rebuild training mode for a new pack
    bool stopped_ = false;  // app stop recorded
    double next_heartbeat_ = 0;       // app time of the next heartbeat
    double next_memory_log_ = 0;      // app time of the next "memory" log line
    double first_tick_ = -1;          // app time of the first tick (uptime, for the daily restart)
    std::string last_error_kind_;     // the most recent error since start
    int64_t errors_since_heartbeat_ = 0;
};

}  // namespace lasr
