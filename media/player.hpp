// Video playback behind a small interface. No mpv or GL types leak out.
//
// Thread rules (after libmpv's): every method is for the thread that created
// the Player (the UI thread), except that the wakeup callback given to
// create() is called from mpv's own threads and must only signal (set a
// flag, post an empty event). Methods never block on mpv: commands are sent
// asynchronously and results arrive as events from poll().
//
// States of the current item:
//
//   idle ──load()──> loading ──first frame──> playing <──set_paused──> paused
//                       │                        │
//                       │        (queued item next: back to loading, no gap)
//                       └──────────┬─────────────┘
//                                  v
//                  ended (complete) / failed (error, truncated, stalled)
//
// Playlists: queue() appends items after the current one. With preroll
// (the default) the next item is opened in a second libmpv core, paused on
// its first frame, during the current item's last seconds; when the current
// one ends its last frame stays on screen and the next one's first frame
// replaces it on time (one frame interval), its sound starting then. The
// first deck is stopped at once: at most two files are ever open. Without
// preroll, libmpv's own playlist opens the next file ahead
// (prefetch-playlist) and shows it after re-initialising its decoders
// (~100 ms held frame). Either way no black frame shows between items; a
// failed item is reported and the next one plays.
//
// With a renderer attached, poll() and frame_pending() may touch the
// second core's render context: call them with the GL context current.
//
// Watchdog: poll() must be called at least once a second. An item whose
// position does not advance while it should (or that does not start) for
// stall_timeout_s is reloaded once at its last position; if it stalls
// again it fails with Errc::stalled and the next item plays.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/result.hpp"

namespace lasr {

// Where resume positions live. The app may give one that persists (e.g. in
// SQLite); by default they are kept in memory for the Player's lifetime.
class ResumeStore {
public:
    virtual ~ResumeStore() = default;
    virtual std::optional<double> position(const std::string& tag) = 0;
    virtual void remember(const std::string& tag, double position_s) = 0;
    virtual void forget(const std::string& tag) = 0;
};

class MemoryResumeStore : public ResumeStore {
public:
    std::optional<double> position(const std::string& tag) override;
    void remember(const std::string& tag, double position_s) override;
    void forget(const std::string& tag) override;

private:
    std::map<std::string, double> positions_;
};

struct PlayerOptions {
    bool headless = false;   // vo=null: decode without a window (tests, tools)
    bool untimed = false;    // headless only: play as fast as decoding allows
    bool audio = true;       // false: ao=null
    std::string hwdec = "auto-safe";
    int volume = 80;         // 0..100
    bool mute = false;
    bool captions_visible = true;
    // Caption track: the preferred language, then each fallback in order,
    // then the item's first caption track.
    std::string caption_language = "en";
    std::vector<std::string> caption_fallback = {"en"};
    int caption_font_px_at_1080 = 54;  // caption size on a 1080-line screen
    double stall_timeout_s = 8.0;      // no progress this long: reload once, then skip
    // Seamless changes between items: the next queued item is opened in a
    // second libmpv core, paused on its first frame, while the current one
    // plays, and shown the moment the current one ends (one frame interval
    // between them). Costs a second decoder for the last seconds of each
    // item. false: one core, mpv's own playlist (a held frame of ~100 ms).
    bool preroll = true;
    std::shared_ptr<ResumeStore> resume_store;  // null: in memory
};

struct Caption {
    std::string language;  // "en"
    std::string path;      // WebVTT or SRT file
};

struct MediaItem {
    std::string tag;                 // the caller's id for it (a video id)
    std::string path;                // a file, or an mpv URL such as av://lavfi:testsrc
    double expected_duration_s = 0;  // from the manifest; 0 trusts the container
    std::vector<Caption> captions;
    bool resume = false;             // start where it was last left (staff courses)
};

enum class PlayerState { idle, loading, playing, paused, ended, failed };
std::string_view to_string(PlayerState s) noexcept;

// The hwdec mode mpv gets for `requested`: an automatic one ("auto",
// "auto-safe", "auto-copy", "auto-copy-safe") becomes "no" when `dev` holds
// no decoder device (dri/renderD* for VAAPI/NVDEC/drm, video* for V4L2):
// there is nothing to find, and mpv's failed probing is not free (on the
// development machine it cost mpv itself 7.4-8.5 s -> 11.0-11.2 s of CPU for
// a 10 s 720p clip). Any other mode is kept as the config says.
std::string effective_hwdec(const std::string& requested, const std::filesystem::path& dev = "/dev");

struct PlayerEvent {
    enum class Kind {
        started,  // the first frame of the item is decoded and playback runs
        ended,    // played to its expected end
        failed,   // could not play, ended early or stalled (error says which)
        stopped,  // stop() or a new load() ended it
    };
    Kind kind;
    std::string tag;
    double position_s = 0;        // how far it got
    std::optional<Error> error;   // for failed
};

// Counters for tests, benchmarks and the admin screen.
struct PlayerStats {
    uint64_t items_started = 0;
    uint64_t loads = 0;           // load() calls: each replaces the playlist (queue() does not)
    uint64_t items_failed = 0;
    uint64_t stall_reloads = 0;   // stalled items reloaded (the first stall)
    uint64_t frames_rendered = 0;
    uint64_t render_errors = 0;   // frames drawn with an OpenGL error
    uint64_t preroll_swaps = 0;   // items that took over from a prerolled standby
    uint64_t early_ends = 0;      // ... of those, silent items ended from their last frame's time, not mpv's end
    uint64_t held_ends = 0;       // ... silent items whose end came from mpv with their last frame (Matroska,
                                  //     WebM), held until that frame had its time
    uint64_t max_open_decoders = 0;  // most files open at once (2 with preroll)
};

class Player {
public:
    // Called from mpv's threads when there is something to poll or render.
    using Wakeup = std::function<void()>;

    static Result<std::unique_ptr<Player>> create(const PlayerOptions& options, Wakeup wakeup = {});
    ~Player();
    Player(const Player&) = delete;
    Player& operator=(const Player&) = delete;

    // Starts playing an item, replacing the current one and the queue.
    Status load(const MediaItem& item);
    // Plays an item after the current one (and any queued before it). With
    // nothing playing, it starts now.
    Status queue(const MediaItem& item);
    // Items queued and not started yet.
    size_t queued() const;
    // Whether an item with this tag is queued and not started yet.
    bool is_queued(const std::string& tag) const;
    // Stops the current item and drops the queue.
    void stop();
    void set_paused(bool paused);
    void seek_to(double seconds);
    void set_captions_visible(bool visible);
    // Captions sit this fraction of the picture's height above its bottom
    // edge (clear of controls drawn over the video).
    void set_caption_margin(double fraction_of_height);
    void set_caption_language(const std::string& language);
    void set_volume(int volume);  // 0..100
    void set_muted(bool muted);

    // Drains mpv's events without blocking, runs the watchdog, and returns
    // what happened.
    std::vector<PlayerEvent> poll();
    // Seconds until poll() has timed work to do that no mpv event announces
    // (ending a silent item on time for the prerolled next one); infinity
    // when none. The loop sleeps at most this long, and must then poll().
    double seconds_until_due() const;
    // Waits up to timeout_s for mpv to have something, then polls. For
    // headless use (tests, tools); the UI loop waits in GLFW instead.
    std::vector<PlayerEvent> wait(double timeout_s);

    PlayerState state() const;
    double position_s() const;
    double duration_s() const;     // expected duration, else the container's
    bool paused() const;
    bool captions_visible() const;
    const std::string& current_tag() const;
    // The language of the caption track shown ("" when none).
    const std::string& caption_language() const;
    // The caption text on screen now ("" between cues), for a transcript view.
    const std::string& caption_text() const;
    const PlayerStats& stats() const;
    // Files open now, each with its demuxer and decoders: 1 while an item
    // plays, 2 while the next one is prerolled, 0 when stopped.
    int open_decoders() const;
    // False when libmpv has left a command unanswered for longer than the
    // stall timeout: its core is stuck and only a restart of the process
    // helps. The main loop's heartbeat stops then.
    bool responsive() const;

    // Rendering into the caller's OpenGL context (not in headless mode).
    // get_proc_address resolves GL functions in the current context.
    using GetProcAddress = void* (*)(void* ctx, const char* name);
    Status attach_renderer(GetProcAddress get_proc_address, void* ctx);
    // True when mpv has a new frame to draw (consumes the flag).
    bool frame_pending();
    // Draws the current frame into framebuffer `fbo` of w x h pixels. An
    // OpenGL error while drawing is logged and returned; after three frames
    // in a row with errors the current item fails and the next one plays.
    Status render(int fbo, int width, int height);
    // Call after each buffer swap, for mpv's frame timing.
    void report_swap();
    // Frees the renderer; the GL context must be current. Called by the
    // destructor too, so free the Player before destroying the context.
    void detach_renderer();

    struct Impl;

private:
    explicit Player(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lasr
