// The kiosk's application model: screens, navigation, what plays, what is
// logged. It owns no window and draws nothing: the UI layer reads AppState
// each frame and hands back Intents. Tests drive it with a headless Player.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "kiosk/usage/usage_log.hpp"
#include "media/content_pack.hpp"
#include "media/player.hpp"

namespace lasr {

enum class Screen { home, course, player, resources, resource };
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
    } content;
    bool quit = false;
    int exit_code = 0;
};

class App {
public:
    // `usage` may be null (telemetry off). The player must outlive the App.
    App(const Config& config, std::shared_ptr<ContentPack> pack, Player& player, UsageLog* usage);

    const AppState& state() const { return state_; }
    const Catalog& catalog() const { return pack_->catalog(); }
    const ContentPack& pack() const { return *pack_; }
    const Player& player() const { return player_; }

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

    // --play FILE --quit-at-end: plays one file and quits with 0 when it ends
    // complete, 3 when it fails or ends early.
    Status play_file_and_quit(const std::string& path, double now);

private:
    void go(Screen s);
    Screen after_play() const;  // the course if it still exists, else home
    void start_video(const std::string& video_id, double now);
    void end_play(std::optional<PlayOutcome> outcome, double position);
    void show_notice(const std::string& text, double now);
    void privacy_reset(double now);

    Config config_;
    std::shared_ptr<ContentPack> pack_;
    Player& player_;
    UsageLog* usage_;
    AppState state_;
    double last_activity_ = 0;
    double last_progress_log_ = 0;
    int64_t play_row_ = -1;
    bool single_play_ = false;
};

}  // namespace lasr
