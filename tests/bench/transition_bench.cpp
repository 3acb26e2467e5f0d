// Transition gap: the time from the last new frame of one playlist item to
// the first frame of the next, drawn through libmpv's render API into a
// 1920x1080 framebuffer (Mesa llvmpipe through EGL, no display), the way
// the kiosk draws. 21 items, 20 transitions, cycling through four 1080p
// clips: H.264 25 fps with sound, HEVC 30 fps without, H.264 30 fps
// without (in Matroska: mpv ends those with their last frame's hand-over,
// MP4 an interval later), HEVC 25 fps with sound, every item with a WebVTT
// caption track.
// A seamless change is one frame interval of the clip that ends (40 ms at
// 25 fps, 33.3 ms at 30 fps).
//
// Frames are told apart by colour: each clip is one hue (red and blue in
// turn) whose brightness steps up every frame. Figures: the worst and the
// median gap, the worst (and the shortest: a last frame replaced early) gap
// in frame intervals of the clip that ends,
// frames of A held beyond one interval (repeated frames, summed), frames
// that show neither clip (black), frames of the clips never shown
// (transition_frames_missing), and the resident memory at the
// transitions (transition_rss_mb). Run with preroll (two libmpv cores, the
// default) and, for comparison, without (mpv's own playlist with
// prefetch-playlist): figures of the latter end in _mpv_playlist.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "config/log.hpp"
#include "media/player.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/gl_offscreen.hpp"

namespace {

namespace fs = std::filesystem;
using Rgb = std::array<uint8_t, 3>;

struct Clip {
    const char* name;
    const char* codec;  // libx264 or libx265
    int fps;
    bool audio;
    char hue;  // 'r' or 'b'
    const char* container = "mp4";
    std::string file() const { return std::string(name) + "." + container; }
};

constexpr double kClipSeconds = 1.6;
const Clip kClips[] = {
    {"h264-25-audio", "libx264", 25, true, 'r'},
    {"hevc-30", "libx265", 30, false, 'b'},
    {"h264-30", "libx264", 30, false, 'r', "mkv"},
    {"hevc-25-audio", "libx265", 25, true, 'b'},
};

bool make_clip(const fs::path& out, const Clip& c) {
    // 40..228 over 48 frames, steps of 4: with lossless coding below, two
    // frames never decode to the same colour (lossy ultrafast coding made
    // the last two frames of a clip identical, which read as a held frame).
    std::string level = "'40+N*4'";
    std::string geq = std::string("geq=r=") + (c.hue == 'r' ? level : "0") + ":g=0:b=" + (c.hue == 'b' ? level : "0");
    char dur[16];
    std::snprintf(dur, sizeof dur, "%.2f", kClipSeconds);
    std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                                     "color=c=black:size=1920x1080:rate=" + std::to_string(c.fps) + ":duration=" + dur +
                                         ",format=rgb24," + geq};
    if (c.audio) argv.insert(argv.end(), {"-f", "lavfi", "-i", std::string("sine=frequency=440:duration=") + dur});
    argv.insert(argv.end(), {"-c:v", c.codec, "-preset", "ultrafast", "-pix_fmt", "yuv420p"});
    if (std::string(c.codec) == "libx265")
        argv.insert(argv.end(), {"-x265-params", "log-level=error:lossless=1", "-tag:v", "hvc1"});
    else
        argv.insert(argv.end(), {"-qp", "0"});
    if (c.audio) argv.insert(argv.end(), {"-c:a", "aac", "-b:a", "64k"});
    if (std::string(c.container) == "mp4") argv.insert(argv.end(), {"-movflags", "+faststart"});
    argv.push_back(out.string());
    return lasr::test::run(argv) == 0;
}

int hue(const Rgb& c) {  // 'r', 'b', or 0 for anything else
    if (c[0] > 25 && c[0] > 4 * std::max(c[1], c[2])) return 'r';
    if (c[2] > 25 && c[2] > 4 * std::max(c[0], c[1])) return 'b';
    return 0;
}

double rss_mb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
    return 0;
}

struct Figures {
    std::vector<double> gaps_ms;
    std::vector<double> gaps_frames;  // gap / the ending clip's frame interval
    std::vector<double> steps_ms;     // between new frames within a clip
    std::vector<double> holds_frames; // how long B's first frame stayed, in B's frame intervals
    int held = 0;                     // frame intervals A's last frame was held beyond its own
    int black = 0;
    int missing = 0;                  // frames of the clips (all but the first and last) never shown
    double rss_mb = 0;
    uint64_t max_decoders = 0;
    size_t items_started = 0;
    uint64_t early_ends = 0, held_ends = 0;
};

Figures run(lasr::test::OffscreenGl& gl, const fs::path& dir, bool preroll, int items) {
    using namespace lasr;
    Figures fig;
    PlayerOptions o;
    o.audio = false;  // no sound device here: ao=null still keeps the clips' audio clock
    o.preroll = preroll;
    // The loop sleeps until libmpv wakes it, as the kiosk's does
    // (glfwWaitEventsTimeout woken by glfwPostEmptyEvent).
    std::mutex mu;
    std::condition_variable cv;
    bool woken = false;
    auto created = Player::create(o, [&] {
        std::lock_guard<std::mutex> lock(mu);
        woken = true;
        cv.notify_one();
    });
    if (!created) return fig;
    Player& player = **created;
    if (!player.attach_renderer(&test::OffscreenGl::get_proc_address, nullptr)) return fig;

    auto item = [&](int i) {
        const Clip& c = kClips[i % 4];
        MediaItem m{std::to_string(i), (dir / c.file()).string(), kClipSeconds, {}};
        m.captions.push_back(Caption{"en", (dir / "captions.vtt").string()});
        return m;
    };
    (void)player.load(item(0));
    // Queued two ahead, as the kiosk's attract loop and courses do.
    int queued = 1;
    (void)player.queue(item(queued++));

    struct Frame {
        double t;
        Rgb c;
        int item;  // the item playing (by the player's events)
    };
    std::vector<Frame> frames;
    auto t0 = std::chrono::steady_clock::now();
    int ended = 0, current = 0;
    while (ended < items && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(120)) {
        for (const auto& ev : player.poll()) {
            if (ev.kind == PlayerEvent::Kind::started) {
                current = std::atoi(ev.tag.c_str());
                fig.rss_mb = std::max(fig.rss_mb, rss_mb());
                continue;
            }
            ++ended;
            if (queued < items) (void)player.queue(item(queued++));
        }
        if (player.frame_pending()) {
            (void)player.render(gl.fbo(), gl.width(), gl.height());
            double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            frames.push_back(Frame{t, gl.pixel(960, 540), current});
            player.report_swap();
        } else {
            std::unique_lock<std::mutex> lock(mu);
            // ... or when the player has timed work (ending a silent item
            // on time), as the kiosk's loop does.
            auto wait = std::chrono::duration<double>(std::min(0.05, player.seconds_until_due()));
            cv.wait_for(lock, wait, [&] { return woken; });
            woken = false;
        }
    }
    fig.max_decoders = player.stats().max_open_decoders;
    fig.items_started = player.stats().items_started;
    fig.early_ends = player.stats().early_ends;
    fig.held_ends = player.stats().held_ends;
    if (std::getenv("LASR_BENCH_FRAMES"))
        for (const auto& f : frames) std::fprintf(stderr, "%.3f %d,%d,%d\n", f.t, f.c[0], f.c[1], f.c[2]);
    // Walk the frames: a change of hue is a transition.
    double last_new = -1;
    double hold_from = -1, hold_interval = 0;  // B's first frame: when it came, B's interval
    int prev_hue = 0, prev_item = 0;
    int segments = 0, segment_frames = 0;
    Rgb prev{};
    bool seen_first = false;
    for (const auto& f : frames) {
        int h = hue(f.c);
        if (!seen_first) {
            if (h == 0) continue;  // before the first frame of the first clip
            seen_first = true;
        }
        if (h == 0) {
            ++fig.black;
            continue;
        }
        if (prev_hue != 0 && h != prev_hue) {
            // The clip that ends: its frames never shown (mid-clip drops,
            // or its last frame cut by the change). Not for the first
            // clip, whose first frames may come before the first sample.
            if (segments++ > 0)
                fig.missing += std::max(0, static_cast<int>(std::lround(kClipSeconds * kClips[prev_item % 4].fps)) -
                                               segment_frames);
            segment_frames = 0;
            double gap = (f.t - last_new) * 1000;
            double interval = 1000.0 / kClips[prev_item % 4].fps;
            fig.gaps_ms.push_back(gap);
            fig.gaps_frames.push_back(gap / interval);
            fig.held += std::max(0, static_cast<int>(std::lround(gap / interval)) - 1);
            if (std::getenv("LASR_BENCH_GAPS"))
                std::fprintf(stderr, "%s gap %.1f ms after %s\n", preroll ? "preroll" : "playlist", gap,
                             kClips[prev_item % 4].name);
        }
        if (h == prev_hue && f.c != prev) {
            fig.steps_ms.push_back((f.t - last_new) * 1000);
            if (hold_from >= 0) fig.holds_frames.push_back((f.t - hold_from) * 1000 / hold_interval);
            hold_from = -1;
        }
        if (prev_hue != 0 && h != prev_hue) {
            hold_from = f.t;
            hold_interval = 1000.0 / kClips[f.item % 4].fps;
        }
        if (h != prev_hue || f.c != prev) {
            ++segment_frames;
            last_new = f.t;
            prev_item = f.item;
        }
        prev_hue = h;
        prev = f.c;
    }
    return fig;
}

void print(const char* suffix, Figures f) {
    std::sort(f.gaps_ms.begin(), f.gaps_ms.end());
    std::sort(f.gaps_frames.begin(), f.gaps_frames.end());
    std::printf("transition_count%s %zu transitions\n", suffix, f.gaps_ms.size());
    if (!f.gaps_ms.empty()) {
        std::printf("transition_gap_ms_median%s %.1f ms\n", suffix, f.gaps_ms[f.gaps_ms.size() / 2]);
        std::printf("transition_gap_ms%s %.1f ms (worst of %zu)\n", suffix, f.gaps_ms.back(), f.gaps_ms.size());
        std::printf("transition_gap_frames%s %.2f frame intervals (worst; 1.0 is seamless)\n", suffix,
                    f.gaps_frames.back());
        std::printf("transition_gap_frames_min%s %.2f frame intervals (shortest: how soon A's last frame was replaced)\n",
                    suffix, f.gaps_frames.front());
    }
    std::printf("transition_frames_missing%s %d frames (of the clips between the first and the last, never shown)\n",
                suffix, f.missing);
    std::printf("transition_repeated_frames%s %d frames (intervals A's last frame was held beyond its own, summed)\n",
                suffix, f.held);
    std::sort(f.steps_ms.begin(), f.steps_ms.end());
    if (!f.steps_ms.empty()) {
        double step = f.steps_ms[f.steps_ms.size() / 2];
        std::printf("transition_frame_interval_ms_median%s %.1f ms (between new frames within a clip: what the renderer keeps up with)\n",
                    suffix, step);
        // The same gaps in the renderer's own steps: on a machine that
        // cannot draw every frame, a seamless change is still one step.
        if (!f.gaps_ms.empty())
            std::printf("transition_gap_steps%s %.2f drawn-frame steps (worst; median %.2f)\n", suffix,
                        f.gaps_ms.back() / step, f.gaps_ms[f.gaps_ms.size() / 2] / step);
    }
    std::sort(f.holds_frames.begin(), f.holds_frames.end());
    if (!f.holds_frames.empty())
        std::printf("transition_first_frame_hold_frames%s %.2f frame intervals (worst; median %.2f: how long B's first frame stays)\n",
                    suffix, f.holds_frames.back(), f.holds_frames[f.holds_frames.size() / 2]);
    std::printf("transition_black_frames%s %d frames\n", suffix, f.black);
    std::printf("transition_rss_mb%s %.0f MB (largest resident size at a transition)\n", suffix, f.rss_mb);
    std::printf("transition_max_open_decoders%s %llu files\n", suffix,
                static_cast<unsigned long long>(f.max_decoders));
    std::printf("transition_timed_ends%s %llu early, %llu held (silent items ended from their last frame's time)\n",
                suffix, static_cast<unsigned long long>(f.early_ends), static_cast<unsigned long long>(f.held_ends));
}

}  // namespace

int main() {
    using namespace lasr;
    test::TempDir dir;
    for (const auto& c : kClips)
        if (!make_clip(dir / c.file(), c)) return 1;
    test::write_file(dir / "captions.vtt", "WEBVTT\n\n00:00.000 --> 00:01.500\nA caption on every item\n");
    std::string why;
    auto gl = test::OffscreenGl::create(1920, 1080, &why);
    if (!gl) {
        std::printf("transition_gap_ms skipped (no offscreen OpenGL: %s)\n", why.c_str());
        return 0;
    }
    if (!std::getenv("LASR_LOG")) log::set_min_level(log::Level::error);  // LASR_LOG=debug: the player's timeline
    const int items = 21;  // 20 transitions
    std::printf("transition_clips 1920x1080 H.264/HEVC 25/30 fps, MP4/Matroska, with/without audio, captions\n");
    // mpv's own playlist first (the smaller process), then the preroll.
    Figures plain = std::getenv("LASR_BENCH_PREROLL_ONLY") ? Figures{} : run(*gl, dir.path(), false, items);
    Figures pre = run(*gl, dir.path(), true, items);
    print("", pre);
    print("_mpv_playlist", plain);
    return 0;
}
