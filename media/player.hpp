// Video playback behind a small interface. No mpv or GL types leak out.
//
// Thread rules (after libmpv's): every method is for the thread that created
// the Player (the UI thread), except that the wakeup callback given to
// create() is called from mpv's own threads and must only signal (set a
// flag, post an empty event). Methods never block on mpv: commands are sent
// asynchronously and results arrive as events from poll().
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/result.hpp"

namespace lasr {

struct PlayerOptions {
    bool headless = false;   // vo=null: decode without a window (tests, tools)
    bool untimed = false;    // headless only: play as fast as decoding allows
    bool audio = true;       // false: ao=null
    std::string hwdec = "auto-safe";
    int volume = 80;         // 0..100
    bool mute = false;
    bool captions_visible = true;
    std::string caption_language = "en";  // preferred; falls back to the first
    int caption_font_px_at_1080 = 54;     // caption size on a 1080-line screen
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
};

enum class PlayerState { idle, loading, playing, paused, ended, failed };
std::string_view to_string(PlayerState s) noexcept;

struct PlayerEvent {
    enum class Kind {
        started,  // the first frame of the item is decoded and playback runs
        ended,    // played to its expected end
        failed,   // could not play, or ended early (error says which)
        stopped,  // stop() or a new load() ended it
    };
    Kind kind;
    std::string tag;
    double position_s = 0;        // how far it got
    std::optional<Error> error;   // for failed
};

class Player {
public:
    // Called from mpv's threads when there is something to poll or render.
    using Wakeup = std::function<void()>;

    static Result<std::unique_ptr<Player>> create(const PlayerOptions& options, Wakeup wakeup = {});
    ~Player();
    Player(const Player&) = delete;
    Player& operator=(const Player&) = delete;

    // Starts playing an item, replacing the current one.
    Status load(const MediaItem& item);
    void stop();
    void set_paused(bool paused);
    void seek_to(double seconds);
    void set_captions_visible(bool visible);
    void set_muted(bool muted);
    // Captions sit this fraction of the picture's height above its bottom
    // edge (clear of controls drawn over the video).
    void set_caption_margin(double fraction_of_height);
    void set_caption_language(const std::string& language);

    // Drains mpv's events without blocking and returns what happened.
    std::vector<PlayerEvent> poll();
    // Waits up to timeout_s for mpv to have something, then polls. For
    // headless use (tests, tools); the UI loop waits in GLFW instead.
    std::vector<PlayerEvent> wait(double timeout_s);

    PlayerState state() const;
    double position_s() const;
    double duration_s() const;     // expected duration, else the container's
    bool paused() const;
    bool captions_visible() const;
    const std::string& current_tag() const;

    // Rendering into the caller's OpenGL context (not in headless mode).
    // get_proc_address resolves GL functions in the current context.
    using GetProcAddress = void* (*)(void* ctx, const char* name);
    Status attach_renderer(GetProcAddress get_proc_address, void* ctx);
    // True when mpv has a new frame to draw (consumes the flag).
    bool frame_pending();
    // Draws the current frame into framebuffer `fbo` of w x h pixels.
    void render(int fbo, int width, int height);
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
