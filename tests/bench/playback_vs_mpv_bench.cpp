// The kiosk against plain mpv, in the same run, under one Xvfb server at
// 1920x1080: the same 10 s 720p H.264 clip played full screen by
//   lasr-kiosk --play CLIP --quit-at-end        (default config, no audio device)
//   mpv --vo=gpu --gpu-sw=yes --ao=null --fs CLIP
// alternately, five times each, then twenty more times each on a 2 s cut of
// it for the first frame alone (single start-ups spread by ~100 ms);
// medians are reported, each quotient with the middle 95 % of its
// bootstrap (both sample sets drawn again with replacement). Figures:
//   CPU seconds of the whole process (getrusage of the child) and per video
//   frame put on screen (the kiosk's video_frames=; mpv's frames less the
//   ones its output dropped, from its status line): with Mesa's software
//   renderer plain mpv can drop many frames (a third or more on slower
//   machines: its only X11 context is EGL, whose swaps are slow on Xvfb),
//   and then whole-process CPU compares unequal work; playback_cpu_ratio_vs_mpv is per frame shown,
//   playback_cpu_ratio_vs_mpv_whole the plain quotient. Peak RSS
//   (ru_maxrss), and start to first frame, two ways:
//   - on screen (first_frame_ratio_vs_mpv): from spawning the process to
//     the moment the picture appears in the middle of the screen, seen by a
//     separate X client that reads that block of the root window every
//     millisecond. One instrument for both players, and what a viewer sees.
//   - logged (first_frame_ratio_vs_mpv_logged): to the line each prints
//     when its first video frame is shown (the kiosk's first_frame_ms=,
//     mpv's "first video frame after restart shown"). Those are not the
//     same event: the kiosk logs after a GLX swap that waits for the X
//     server to take the picture (Mesa's drisw swap ends in XSync), mpv
//     after an EGL swap that does not wait, so its picture can reach the
//     screen after its line.
// Then the kiosk's idle CPU on its home screen over 30 s, and the UI's frame
// times over the demo tour (every screen, a video, the first "Aa"): the
// worst and the 99th percentile of the time from the loop waking to the
// buffer swap (ui_frame_ms_max, ui_frame_ms_p99; a frame over 50 ms is a
// visible stall). The tour needs the demo pack (make demo-pack).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/bench_stats.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/log_fields.hpp"
#include "tests/support/xvfb.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Child {
    pid_t pid = -1;
    int out = -1;  // its stdout+stderr
    Clock::time_point started;
};

std::optional<Child> spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
    std::vector<std::string> env_store;
    for (char** e = environ; *e; ++e) {
        bool replaced = false;
        for (const auto& x : extra_env)
            replaced = replaced || std::strncmp(*e, x.c_str(), x.find('=') + 1) == 0;
        if (!replaced) env_store.emplace_back(*e);
    }
    env_store.insert(env_store.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp, args;
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    Child c;
    c.started = Clock::now();
    int rc = posix_spawnp(&c.pid, args[0], &fa, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        return std::nullopt;
    }
    c.out = fds[0];
    return c;
}

struct Outcome {
    int status = -1;
    double cpu_s = 0;
    double max_rss_mb = 0;
    double marker_ms = -1;  // from spawn to the marker line
    std::string output;
    // A number after `key` in the output (the last one), or -1.
    double figure(const std::string& key) const { return lasr::test::last_number(output, key); }
};

// Reads the child's output until it exits (or timeout_s), noting when a
// line containing `marker` arrives.
Outcome finish(Child c, const std::string& marker, double timeout_s) {
    Outcome o;
    std::string pending;
    char buf[8192];
    auto deadline = c.started + std::chrono::duration<double>(timeout_s);
    for (;;) {
        pollfd p{c.out, POLLIN, 0};
        int left = static_cast<int>(std::chrono::duration<double, std::milli>(deadline - Clock::now()).count());
        if (left <= 0) {
            ::kill(c.pid, SIGKILL);
            break;
        }
        if (::poll(&p, 1, std::min(left, 200)) <= 0) continue;
        ssize_t n = ::read(c.out, buf, sizeof buf);
        if (n <= 0) break;
        auto now = Clock::now();
        pending.append(buf, static_cast<size_t>(n));
        size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
            std::string line = pending.substr(0, nl);
            pending.erase(0, nl + 1);
            if (o.marker_ms < 0 && line.find(marker) != std::string::npos)
                o.marker_ms = std::chrono::duration<double, std::milli>(now - c.started).count();
            if (o.output.size() < 200000) o.output += line + "\n";
        }
    }
    ::close(c.out);
    o.output += pending;  // mpv's status line ends in \r, not \n
    rusage ru{};
    int status = 0;
    while (::wait4(c.pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
              static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    o.max_rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
    return o;
}

// A second X client on the bench's display that watches a 16x16 block in
// the middle of the screen: the time from a process's spawn to the first
// picture there (any pixel not black) is when a viewer sees its first
// frame. The clip (testsrc2) has colour in that block from its first frame;
// both players clear to black before it.
class ScreenWatch {
public:
    explicit ScreenWatch(const std::string& display) : dpy_(XOpenDisplay(display.c_str())) {}
    ~ScreenWatch() {
        stop();
        if (dpy_) XCloseDisplay(dpy_);
    }
    ScreenWatch(const ScreenWatch&) = delete;
    ScreenWatch& operator=(const ScreenWatch&) = delete;
    bool ok() const { return dpy_ != nullptr; }

    // Waits (up to 2 s) for the block to be black: the last run's window gone.
    bool wait_black() {
        for (int i = 0; i < 2000; ++i) {
            if (lit() == 0) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return false;
    }
    // Watches from `since` until a picture appears or stop() is called.
    void start(Clock::time_point since) {
        stop();
        found_ms_ = -1;
        stopping_ = false;
        thread_ = std::thread([this, since] {
            while (!stopping_) {
                if (lit() > 0) {
                    found_ms_ = std::chrono::duration<double, std::milli>(Clock::now() - since).count();
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        });
    }
    // Stops watching: ms from `since` to the first picture, or -1.
    double stop() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
        return found_ms_;
    }

private:
    int lit() {  // pixels of the block that are not black, -1 on error
        const int w = DisplayWidth(dpy_, DefaultScreen(dpy_)), h = DisplayHeight(dpy_, DefaultScreen(dpy_));
        XImage* im = XGetImage(dpy_, DefaultRootWindow(dpy_), w / 2 - 8, h / 2 - 8, 16, 16, AllPlanes, ZPixmap);
        if (!im) return -1;
        int n = 0;
        for (int y = 0; y < 16; ++y)
            for (int x = 0; x < 16; ++x) n += (XGetPixel(im, x, y) & 0xffffff) != 0;
        XDestroyImage(im);
        return n;
    }
    Display* dpy_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    double found_ms_ = -1;
};

using lasr::test::median;

// The quotient of two medians and where its middle 95 % falls when each
// sample set is drawn again with replacement (2,000 times, a fixed seed).
// Single start-ups spread by ~100 ms, so one quotient of medians can land
// either side of 1.0: the interval says how sure a "meets its goal" is.
struct Quotient {
    double value = 0, low = 0, high = 0;
};
Quotient median_quotient(const std::vector<double>& a, const std::vector<double>& b) {
    Quotient q;
    if (a.empty() || b.empty()) return q;
    q.value = median(a) / median(b);
    std::mt19937 rng(20261208);
    std::vector<double> qs, ra(a.size()), rb(b.size());
    for (int i = 0; i < 2000; ++i) {
        std::uniform_int_distribution<size_t> pa(0, a.size() - 1), pb(0, b.size() - 1);
        for (auto& x : ra) x = a[pa(rng)];
        for (auto& x : rb) x = b[pb(rng)];
        qs.push_back(median(ra) / median(rb));
    }
    std::sort(qs.begin(), qs.end());
    q.low = qs[qs.size() * 25 / 1000];
    q.high = qs[qs.size() * 975 / 1000];
    return q;
}

bool have(const char* prog) {
    std::string cmd = std::string("command -v ") + prog + " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
}

}  // namespace

int main() {
    using lasr::test::TempDir;
    if (!have("mpv") || !have("Xvfb") || !have("ffmpeg")) {
        std::printf("playback_vs_mpv skipped (needs mpv, Xvfb and ffmpeg: deploy/install-deps.sh)\n");
        return 0;
    }
    TempDir dir;
    fs::path clip = dir / "clip720.mp4";
    if (lasr::test::run({"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                         "testsrc2=size=1280x720:rate=30:duration=10", "-f", "lavfi", "-i",
                         "sine=frequency=440:duration=10", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt",
                         "yuv420p", "-g", "60", "-c:a", "aac", "-movflags", "+faststart", clip.string()}) != 0) {
        std::fprintf(stderr, "ffmpeg failed\n");
        return 1;
    }
    // A 2 s cut of the same picture, for the extra first-frame rounds.
    fs::path short_clip = dir / "clip720-2s.mp4";
    if (lasr::test::run({"ffmpeg", "-nostdin", "-v", "error", "-y", "-i", clip.string(), "-t", "2", "-c", "copy",
                         short_clip.string()}) != 0) {
        std::fprintf(stderr, "ffmpeg failed\n");
        return 1;
    }
    lasr::test::write_file(dir / "kiosk.toml", "[kiosk]\ndata_dir = \"" + (dir / "data").string() +
                                                   "\"\n[player]\naudio = false\n[content]\npack_dir = \"" +
                                                   (dir / "no-pack").string() + "\"\n");

    // One Xvfb for everything (stopped last, when `xvfb` goes).
    auto xvfb = lasr::test::Xvfb::start(1920, 1080);
    if (!xvfb) {
        std::fprintf(stderr, "Xvfb did not start\n");
        return 1;
    }
    const std::string display = xvfb->display();
    std::vector<std::string> env = {"DISPLAY=" + display, "LASR_LOG=info"};

    std::vector<std::string> kiosk = {LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--play",
                                      clip.string(), "--quit-at-end"};
    std::vector<std::string> mpv = {"mpv", "--no-config", "--vo=gpu", "--gpu-sw=yes", "--ao=null", "--fs",
                                    "--msg-level=all=warn,cplayer=v,statusline=status",
                                    "--term-status-msg=LASRSTATUS frames=${estimated-frame-count} "
                                    "dropped=${frame-drop-count} ",
                                    clip.string()};
    std::vector<double> k_cpu, k_rss, k_ff, m_cpu, m_rss, m_ff, k_frames, m_frames, k_seen, m_seen;
    std::vector<double> k_per_frame, m_per_frame;  // CPU ms per frame shown, per run
    // Closed before Xvfb goes (a display closed after its server dies prints an XIO error).
    auto watch = std::make_unique<ScreenWatch>(display);
    if (!watch->ok()) std::fprintf(stderr, "could not open %s to watch the screen\n", display.c_str());
    // Rounds of the whole clip measure CPU, RSS and the first frame; the
    // extra rounds play the 2 s cut for the first frame only: single runs
    // spread by ~100 ms, so its median needs more runs than CPU does.
    const int rounds = 5, first_frame_rounds = 20;
    for (int r = 0; r < rounds + first_frame_rounds; ++r) {
        const bool full = r < rounds;
        kiosk[4] = mpv.back() = (full ? clip : short_clip).string();
        for (int which = 0; which < 2; ++which) {
            bool is_kiosk = (which + r) % 2 == 0;  // alternate who goes first
            if (watch->ok() && !watch->wait_black()) std::fprintf(stderr, "the screen did not go black between runs\n");
            auto c = spawn(is_kiosk ? kiosk : mpv, env);
            if (!c) continue;
            if (watch->ok()) watch->start(c->started);
            auto o = finish(*c, is_kiosk ? "first_frame_ms=" : "first video frame after restart shown", 60);
            const double seen = watch->ok() ? watch->stop() : -1;
            if (seen >= 0) (is_kiosk ? k_seen : m_seen).push_back(seen);
            if (o.status != 0 || o.marker_ms < 0) {
                std::fprintf(stderr, "%s run failed (status %d):\n%s\n", is_kiosk ? "kiosk" : "mpv", o.status,
                             o.output.c_str());
                continue;
            }
            (is_kiosk ? k_ff : m_ff).push_back(o.marker_ms);
            if (!full) continue;
            (is_kiosk ? k_cpu : m_cpu).push_back(o.cpu_s);
            (is_kiosk ? k_rss : m_rss).push_back(o.max_rss_mb);
            double shown = is_kiosk ? o.figure("video_frames=") : o.figure("LASRSTATUS frames=") - o.figure("dropped=");
            if (shown > 0) {
                (is_kiosk ? k_frames : m_frames).push_back(shown);
                (is_kiosk ? k_per_frame : m_per_frame).push_back(o.cpu_s * 1000 / shown);
            }
            if (is_kiosk && r == rounds - 1) {
                auto at = o.output.find("startup_ms ");
                if (at != std::string::npos)
                    std::printf("# kiosk start-up phases (ms since process start):%s\n",
                                o.output.substr(at + 10, o.output.find('\n', at) - at - 10).c_str());
            }
        }
    }
    watch.reset();
    if (!k_cpu.empty() && !m_cpu.empty()) {
        std::printf("playback_cpu_s_kiosk %.2f s\n", median(k_cpu));
        std::printf("playback_cpu_s_mpv %.2f s\n", median(m_cpu));
        std::printf("playback_cpu_ratio_vs_mpv_whole %.2f (whole process, whatever each put on screen)\n",
                    median(k_cpu) / median(m_cpu));
        if (!k_frames.empty() && !m_frames.empty()) {
            double k = median(k_cpu) * 1000 / median(k_frames), m = median(m_cpu) * 1000 / median(m_frames);
            std::printf("playback_frames_shown_kiosk %.0f frames\n", median(k_frames));
            std::printf("playback_frames_shown_mpv %.0f frames (the rest dropped by mpv's output)\n", median(m_frames));
            std::printf("playback_cpu_ms_per_frame_kiosk %.1f ms\n", k);
            std::printf("playback_cpu_ms_per_frame_mpv %.1f ms\n", m);
            const Quotient q = median_quotient(k_per_frame, m_per_frame);
            std::printf("playback_cpu_ratio_vs_mpv %.2f (CPU per video frame shown; per-run bootstrap %.2f-%.2f)\n",
                        k / m, q.low, q.high);
        }
        if (!k_seen.empty() && !m_seen.empty()) {
            auto list = [](std::vector<double> v) {
                std::sort(v.begin(), v.end());
                std::string s;
                for (double x : v) s += (s.empty() ? "" : " ") + std::to_string(static_cast<int>(x + 0.5));
                return s;
            };
            std::printf("first_frame_on_screen_ms_kiosk %.0f ms (runs: %s)\n", median(k_seen), list(k_seen).c_str());
            std::printf("first_frame_on_screen_ms_mpv %.0f ms (runs: %s)\n", median(m_seen), list(m_seen).c_str());
            const Quotient q = median_quotient(k_seen, m_seen);
            std::printf("first_frame_ratio_vs_mpv %.2f (on screen, one observer for both; medians of %zu and %zu runs; "
                        "95 %% of the bootstrap %.2f-%.2f)\n",
                        q.value, k_seen.size(), m_seen.size(), q.low, q.high);
        }
        std::printf("first_frame_ms_kiosk %.0f ms (its log line)\n", median(k_ff));
        std::printf("first_frame_ms_mpv %.0f ms (its log line)\n", median(m_ff));
        std::printf("first_frame_ratio_vs_mpv_logged %.2f (each one's own line: not the same event)\n",
                    median(k_ff) / median(m_ff));
        std::printf("playback_rss_mb_kiosk %.1f MB\n", median(k_rss));
        std::printf("playback_rss_mb_mpv %.1f MB\n", median(m_rss));
        std::printf("playback_rss_ratio_vs_mpv %.2f\n", median(k_rss) / median(m_rss));
    }

    // Idle: the home screen for 30 s after a 5 s settle.
    lasr::test::write_file(dir / "idle.script", "goto home\nwait 37000\nquit\n");
    std::vector<std::string> idle = {LASR_KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--script",
                                     (dir / "idle.script").string()};
    if (auto c = spawn(idle, env)) {
        // Drain its output on the side while sampling.
        pid_t pid = c->pid;
        ::usleep(5 * 1000 * 1000);
        double a = lasr::test::process_cpu_s(pid);
        auto ta = Clock::now();
        ::usleep(30 * 1000 * 1000);
        double b = lasr::test::process_cpu_s(pid);
        double secs = std::chrono::duration<double>(Clock::now() - ta).count();
        auto o = finish(*c, "never", 60);
        if (a >= 0 && b >= 0) std::printf("idle_cpu_percent %.2f %% of one core (home screen, 30 s)\n", (b - a) / secs * 100);
        if (o.status != 0) std::fprintf(stderr, "idle run ended with status %d\n", o.status);
    }

    // The demo tour, for the UI's frame times.
    fs::path demo_pack = fs::path(LASR_KIOSK_BIN).parent_path().parent_path() / "demo-pack";
    if (!fs::exists(demo_pack / "manifest.json")) {
        std::printf("ui_frame_ms skipped (no demo pack at %s: make demo-pack)\n", demo_pack.c_str());
    } else {
        std::vector<std::string> tour = {LASR_KIOSK_BIN, "--demo", "--no-audio", "--script",
                                         std::string(LASR_SOURCE_DIR) + "/kiosk/tour/demo-tour.script",
                                         "--screenshot-dir", (dir / "tour").string()};
        if (auto c = spawn(tour, env)) {
            auto o = finish(*c, "never", 300);
            auto figure = [&o](const char* key) { return o.figure(key); };
            if (o.status != 0 || figure("ui_frame_ms_max=") < 0) {
                std::fprintf(stderr, "tour run failed (status %d):\n%s\n", o.status, o.output.c_str());
            } else {
                auto word = [&o](const char* key) { return lasr::test::last_word(o.output, key); };
                const std::string where = word("ui_frame_max_screen="), split = word("ui_frame_max_split=");
                std::printf("ui_frame_ms_max %.1f ms (demo tour, %0.f frames; the worst on screen %s, frame %.0f; "
                            "ms by stage %s)\n",
                            figure("ui_frame_ms_max="), figure("ui_frames="), where.c_str(), figure("ui_frame_max_at="),
                            split.c_str());
                // Each stall over 50 ms, as the kiosk logged it.
                for (size_t at = o.output.find("slow_frame_ms="); at != std::string::npos;
                     at = o.output.find("slow_frame_ms=", at + 1))
                    std::printf("# %s\n", o.output.substr(at, o.output.find('\n', at) - at).c_str());
                std::printf("ui_frame_ms_p99 %.2f ms (demo tour)\n", figure("ui_frame_ms_p99="));
                std::printf("ui_slow_frames %.0f frames (over 50 ms, demo tour)\n", figure("ui_slow_frames="));
                std::printf("ui_startup_frame_ms_max %.1f ms (%.0f frames before the UI is set up: the first video "
                            "frames, mpv's shaders compiling)\n",
                            figure("ui_startup_frame_ms_max="), figure("ui_startup_frames="));
                if (double aa = figure("large text fonts built_ms="); aa >= 0)
                    std::printf("ui_large_text_build_ms %.0f ms (off the UI thread; frames go on meanwhile)\n", aa);
            }
        }
    }
    return 0;
}
