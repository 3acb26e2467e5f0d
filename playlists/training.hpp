// The training-screen director: what an unattended screen plays, as a pure
// state machine. It decides; the app carries its commands out on the player
// and reports back (a video ended or failed). No clock of its own: wall time
// (for the schedule, maybe wrong) and monotonic time (for durations) are
// passed in.
//
//   - plays the scheduled playlist, loops it, and keeps per-playlist progress
//     (which module is next, and where an interrupted one stopped);
//   - a warning or emergency alert takes over the screen at once, the most
//     urgent first; when none is left the schedule resumes where it was
//     (the same video, a couple of seconds before where it stopped);
//     info alerts only show in the lower third;
//   - outside screen hours it stops playing (and the app turns the screen
//     off), never while an alert shows;
//   - before the clock is trusted it plays the default playlist, keeps the
//     screen on, and judges alerts by the later of the clock and the pack's
//     issue time (the true time cannot be earlier than that).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "playlists/schedule.hpp"

namespace lasr {

// Where a playlist is: the video at `index` (playing, or next), and where to
// resume it (0 = from the start).
struct Cursor {
    size_t index = 0;
    std::string video_id;
    double position_s = 0;

    bool operator==(const Cursor&) const = default;
};
using Progress = std::map<std::string, Cursor>;  // by playlist id

struct TrainingStatus {
    enum class Mode {
        starting,  // before the first update
        playing,   // a scheduled video plays (or is about to)
        alert,     // an alert has the screen
        asleep,    // outside screen hours
        nothing,   // nothing playable (no content, or every video failed)
    };
    Mode mode = Mode::starting;
    std::string playlist;        // the scheduled playlist (also while interrupted)
    std::string video_id;        // playing now (mode playing)
    std::string next_video_id;   // up next in the playlist
    size_t index = 0, count = 0; // position of video_id in the playlist, and its length
    std::string alert_id;        // the alert that has the screen (mode alert)
    std::string notice_alert_id; // an info alert for the lower third
    size_t other_alerts = 0;     // further active alerts not shown
    bool screen_on = true;
    bool clock_trusted = false;
    std::string reason;          // why this playlist (Schedule::explain)
    std::optional<SysSeconds> asleep_until;  // mode asleep: when the screen comes back on
    uint64_t revision = 0;       // changes whenever anything above does

    bool operator==(const TrainingStatus&) const = default;
};

std::string_view to_string(TrainingStatus::Mode m) noexcept;

class TrainingDirector {
public:
    struct Command {
        enum class Kind { none, play, stop } kind = Kind::none;
        std::string video_id;
        double start_s = 0;  // resume position
    };

    static constexpr double kResumeRewindS = 2.0;   // resume a little before where it stopped
    static constexpr double kRetryAfterFailuresS = 60.0;

    // `schedule` must outlive the director. `progress` as saved earlier.
    TrainingDirector(const Schedule& schedule, Progress progress);

    // Time passed (call every tick). `wall` is the system clock, `trusted`
    // its verdict, `mono` monotonic seconds. Returns what the player must do.
    Command update(SysSeconds wall, bool trusted, double mono);
    // The current video's position, for resume (call every few seconds).
    void note_position(double position_s);
    // The player finished `video_id`: played to the end, or failed (also
    // when it could not even start). Returns what plays next.
    Command on_video_end(const std::string& video_id, bool failed, double mono);

    const TrainingStatus& status() const { return status_; }
    const Progress& progress() const { return progress_; }
    // True once after the progress changed in a way worth saving now.
    bool take_progress_dirty();

private:
    Command start_playlist(const std::string& playlist);
    Command play_cursor();
    Cursor& cursor();
    void set_mode(TrainingStatus::Mode m);
    void refresh_next();
    void bump();

    const Schedule& schedule_;
    Progress progress_;
    TrainingStatus status_;
    std::vector<std::string> items_;  // videos of status_.playlist
    bool video_active_ = false;       // a play command is out and not yet ended
    int consecutive_failures_ = 0;
    double retry_at_ = 0;
    double last_mono_ = 0;
    SysSeconds before_wall_{};        // the wall time of the previous update
    bool dirty_ = false;
};

}  // namespace lasr
