// The real kiosk left running: lasr-kiosk --demo, full screen on a 1080p
// Xvfb, driven through patron sessions (tests/bench/kiosk_soak_cycle.script:
// videos, the directory, QR codes, both languages, high contrast, large
// text, the admin screen, then the privacy reset back to the attract loop)
// for N minutes (argv[1], else $LASR_KIOSK_SOAK_MINUTES, else 5), then
// stopped as systemd stops it (SIGTERM). Its resident memory is sampled
// every 5 s from /proc; after a minute's warm-up (fonts, both decoders,
// every screen seen once) the figures are its growth, its slope per hour
// (least squares over the samples), its CPU, the UI's frame times and the
// error lines it logged. Unlike bench_soak (headless, 1,000 transitions
// faster than real time), this is the whole program at real speed: the GL
// renderer, ImGui, the preroll's second decoder, SQLite, the QR textures.
// The kiosk's own "memory" lines (once a minute here) split the growth into
// blocks in use (a leak) and free blocks malloc keeps (fragmentation); its
// slow_frame_ms= lines say on which screen and in which stage the UI's
// frames over 50 ms were.
// LASR_KIOSK_SOAK_SAMPLES=1 prints every sample; LASR_KIOSK_SOAK_BIN runs
// another build of lasr-kiosk (to compare two builds, one after the other);
// LASR_KIOSK_SOAK_LOG=FILE keeps the kiosk's log (LASR_LOG sets its level).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/bench_stats.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/log_fields.hpp"
#include "tests/support/xvfb.hpp"

namespace {

using lasr::test::count_of;
using lasr::test::last_number;
using lasr::test::last_word;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Sample {
    double t_s = 0;
    double rss_mb = 0;
    double cpu_s = 0;
};

// VmRSS and user+system CPU of a live process; false once it is gone.
bool sample(pid_t pid, Sample& s) {
    s.rss_mb = lasr::test::process_rss_mb(pid);
    s.cpu_s = lasr::test::process_cpu_s(pid);
    return s.rss_mb >= 0 && s.cpu_s >= 0;
}

}  // namespace

int main(int argc, char** argv) {
    double minutes = 5;
    if (const char* m = std::getenv("LASR_KIOSK_SOAK_MINUTES"); m && *m) minutes = std::atof(m);
    if (argc > 1) minutes = std::atof(argv[1]);
    const double warmup_s = 60;
    if (minutes * 60 < warmup_s + 60) {
        std::fprintf(stderr, "a soak shorter than 2 minutes measures only its warm-up\n");
        return 2;
    }
    const fs::path demo_pack = fs::path(LASR_KIOSK_BIN).parent_path().parent_path() / "demo-pack";
    if (!fs::exists(demo_pack / "manifest.json")) {
        std::printf("kiosk_soak skipped (no demo pack at %s: make demo-pack)\n", demo_pack.c_str());
        return 0;
    }
    if (lasr::test::run({"sh", "-c", "command -v Xvfb"}) != 0) {
        std::printf("kiosk_soak skipped (needs Xvfb: deploy/install-deps.sh)\n");
        return 0;
    }
    lasr::test::TempDir dir;
    lasr::test::write_file(dir / "kiosk.toml", "[kiosk]\ndata_dir = \"" + (dir / "data").string() +
                                                   "\"\nidle_timeout_s = 10\n[player]\naudio = false\n"
                                                   "[usage]\nheartbeat_interval_s = 60\n");
    // Sessions enough for any machine; the kiosk is stopped at the soak's end.
    const std::string cycle = lasr::test::read_file(fs::path(LASR_SOURCE_DIR) / "tests/bench/kiosk_soak_cycle.script");
    if (cycle.empty()) {
        std::fprintf(stderr, "no session script at tests/bench/kiosk_soak_cycle.script\n");
        return 1;
    }
    std::string script = "wait 2000\n";
    const int sessions_written = static_cast<int>(minutes * 60 / 10) + 1;  // a session takes over 10 s
    for (int i = 0; i < sessions_written; ++i) script += cycle + "\n";
    script += "quit\n";
    lasr::test::write_file(dir / "soak.script", script);

    auto xvfb = lasr::test::Xvfb::start(1920, 1080);
    if (!xvfb) {
        std::fprintf(stderr, "Xvfb did not start\n");
        return 1;
    }
    const fs::path log = dir / "kiosk.log";
    std::string kiosk_bin = LASR_KIOSK_BIN;
    if (const char* b = std::getenv("LASR_KIOSK_SOAK_BIN"); b && *b) kiosk_bin = b;
    // `env` execs the kiosk in its own process: the pid is the kiosk's.
    std::string level = "info";
    if (const char* l = std::getenv("LASR_LOG"); l && *l) level = l;
    const pid_t pid = lasr::test::spawn({"env", "DISPLAY=" + xvfb->display(), "LASR_LOG=" + level, kiosk_bin,
                                         "--demo", "--config", (dir / "kiosk.toml").string(), "--script",
                                         (dir / "soak.script").string()},
                                        log);
    if (pid < 0) {
        std::fprintf(stderr, "could not start %s\n", kiosk_bin.c_str());
        return 1;
    }
    const bool print_samples = std::getenv("LASR_KIOSK_SOAK_SAMPLES") != nullptr;
    const auto started = Clock::now();
    std::vector<Sample> samples;
    bool alive = true;
    for (;;) {
        std::this_thread::sleep_for(std::chrono::seconds(5));  // (at 0 s it may still be `env`, mid-exec)
        Sample s;
        s.t_s = std::chrono::duration<double>(Clock::now() - started).count();
        if (s.t_s >= minutes * 60) break;
        if (!sample(pid, s)) {
            alive = false;
            break;
        }
        if (print_samples) {
            std::printf("# t=%.0f s rss=%.1f MB cpu=%.1f s\n", s.t_s, s.rss_mb, s.cpu_s);
            std::fflush(stdout);  // an hour's run shows its progress
        }
        samples.push_back(s);
    }
    int status = 0;
    if (alive) {
        ::kill(pid, SIGTERM);  // as systemd stops the service
        for (int i = 0; i < 200 && ::waitpid(pid, &status, WNOHANG) == 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (::waitpid(pid, &status, WNOHANG) == 0) {
            std::fprintf(stderr, "the kiosk did not stop within 20 s of SIGTERM\n");
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
        }
    } else {
        ::waitpid(pid, &status, 0);
    }
    const std::string out = lasr::test::read_file(log);
    if (const char* keep = std::getenv("LASR_KIOSK_SOAK_LOG"); keep && *keep) {
        std::error_code ec;
        fs::copy_file(log, keep, fs::copy_options::overwrite_existing, ec);
        if (ec) std::fprintf(stderr, "could not keep the log at %s: %s\n", keep, ec.message().c_str());
    }
    const double ran_s = std::chrono::duration<double>(Clock::now() - started).count();
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (!alive || code != 0) {
        // A kiosk that died or stopped badly is the finding, not a figure.
        std::fprintf(stderr, "the kiosk %s after %.0f s (status %d); its log ends:\n%s\n",
                     alive ? "stopped badly" : "ended early", ran_s, code,
                     out.substr(out.size() > 4000 ? out.size() - 4000 : 0).c_str());
        return 1;
    }

    std::vector<Sample> warm;
    for (const auto& s : samples)
        if (s.t_s >= warmup_s) warm.push_back(s);
    if (warm.size() < 6) {
        std::fprintf(stderr, "too few samples after the warm-up (%zu)\n", warm.size());
        return 1;
    }
    auto rss_of = [](auto first, auto last) {
        std::vector<double> v;
        for (auto it = first; it != last; ++it) v.push_back(it->rss_mb);
        return lasr::test::median(v);
    };
    const double rss_start = rss_of(warm.begin(), warm.begin() + 3), rss_end = rss_of(warm.end() - 3, warm.end());
    // Least squares over the warm samples: MB per second, shown per hour.
    std::vector<double> ts, rss;
    double peak = 0;
    for (const auto& s : warm) {
        ts.push_back(s.t_s);
        rss.push_back(s.rss_mb);
        peak = std::max(peak, s.rss_mb);
    }
    const double slope_per_hour = lasr::test::least_squares_slope(ts, rss) * 3600;
    const double warm_s = warm.back().t_s - warm.front().t_s;
    const double cpu_percent = warm_s > 0 ? (warm.back().cpu_s - warm.front().cpu_s) / warm_s * 100 : 0;

    std::printf("kiosk_soak_minutes %.1f min (the real kiosk, demo pack, 1080p Xvfb; %.0f s of warm-up left out)\n",
                ran_s / 60, warmup_s);
    std::printf("kiosk_soak_sessions %d (patron sessions ended by the privacy reset)\n", count_of(out, " idle_reset"));
    std::printf("kiosk_soak_rss_mb_start %.1f MB (median of the first 3 samples after the warm-up)\n", rss_start);
    std::printf("kiosk_soak_rss_mb_end %.1f MB (median of the last 3)\n", rss_end);
    std::printf("kiosk_soak_rss_mb_max %.1f MB\n", peak);
    std::printf("kiosk_soak_rss_growth_mb %.2f MB\n", rss_end - rss_start);
    std::printf("kiosk_soak_rss_slope_mb_per_hour %.2f MB/h (least squares, %zu samples over %.0f s)\n",
                slope_per_hour, warm.size(), warm_s);
    std::printf("kiosk_soak_cpu_percent %.0f %% of one core\n", cpu_percent);
    std::printf("kiosk_soak_video_frames %.0f frames\n", last_number(out, "video_frames="));
    std::printf("kiosk_soak_ui_frame_ms_max %.1f ms (p99 %.2f ms, %.0f frames over 50 ms; the worst on screen %s, "
                "ms by stage %s, %.1f ms of it on the UI thread's CPU)\n",
                last_number(out, "ui_frame_ms_max="), last_number(out, "ui_frame_ms_p99="), last_number(out, "ui_slow_frames="),
                last_word(out, "ui_frame_max_screen=").c_str(), last_word(out, "ui_frame_max_split=").c_str(),
                last_number(out, "ui_frame_max_cpu_ms="));
    // One pass over the log: error and warning lines (a clean demo pack
    // should log none), the memory lines, the slow frames.
    std::istringstream lines(out);
    std::string line;
    int errors = 0, warnings = 0;
    std::vector<double> in_use, free_kept;
    int memory_line = 0;
    std::map<std::string, int> slow_by_screen, slow_by_stage;
    std::vector<std::string> slow_lines;
    while (std::getline(lines, line)) {
        const bool e = line.find(" error ") != std::string::npos, w = line.find(" warn ") != std::string::npos;
        errors += e;
        warnings += w;
        if ((e || w) && errors + warnings <= 5) std::printf("# %s\n", line.c_str());
        if (line.find(" memory rss_mb=") != std::string::npos) {
            // Logged once a minute from the start: the first is before the
            // warm-up's end, the rest after it.
            if (memory_line++ == 0) continue;
            in_use.push_back(last_number(line, "malloc_in_use_mb="));
            free_kept.push_back(last_number(line, "malloc_free_mb="));
        }
        if (line.find("slow_frame_ms=") != std::string::npos) {
            ++slow_by_screen[last_word(line, "screen=")];
            // The stage that took the longest: "app:1.0,build:0.2,...".
            const std::string split = last_word(line, "split=");
            std::string worst_stage = "?";
            double worst_ms = -1;
            std::istringstream parts(split);
            for (std::string part; std::getline(parts, part, ',');) {
                const auto colon = part.find(':');
                if (colon == std::string::npos) continue;
                const double ms = std::atof(part.c_str() + colon + 1);
                if (ms > worst_ms) {
                    worst_ms = ms;
                    worst_stage = part.substr(0, colon);
                }
            }
            ++slow_by_stage[worst_stage];
            if (slow_lines.size() < 5) slow_lines.push_back(line);
        }
    }
    // A third needs ~8 lines: with fewer, a third can sit on one level and
    // its "first against last" shows a change of level, not growth (a
    // 10-minute soak printed "high 78.6 -> 54.9 MB").
    constexpr size_t kMinMemoryLines = 24;
    if (in_use.size() >= kMinMemoryLines) {
        // The samples sit on two levels ~25 MB apart (with or without the
        // preroll's second decoder, the large-text fonts): a slope over them
        // is noise. Each level's first third against its last third is not.
        auto thirds = [](const std::vector<double>& v) {
            const size_t n = v.size() / 3;
            const auto [lo0, hi0] = std::minmax_element(v.begin(), v.begin() + static_cast<long>(n));
            const auto [lo1, hi1] = std::minmax_element(v.end() - static_cast<long>(n), v.end());
            char b[160];
            std::snprintf(b, sizeof b, "low %.1f -> %.1f, high %.1f -> %.1f MB", *lo0, *lo1, *hi0, *hi1);
            return std::string(b);
        };
        std::printf("kiosk_soak_malloc_in_use_mb %s (blocks in use, first third of the run against the last: a leak "
                    "raises both; %zu lines, one a minute after the warm-up)\n",
                    thirds(in_use).c_str(), in_use.size());
        std::printf("kiosk_soak_malloc_free_mb %s (freed, kept by malloc: fragmentation raises these)\n",
                    thirds(free_kept).c_str());
    } else {
        std::printf("# %zu memory lines after the warm-up, fewer than %zu (a soak of ~25 minutes or more): no "
                    "malloc figures\n",
                    in_use.size(), kMinMemoryLines);
    }
    std::string by_screen, by_stage;
    for (const auto& [k, n] : slow_by_screen) by_screen += " " + k + "=" + std::to_string(n);
    for (const auto& [k, n] : slow_by_stage) by_stage += " " + k + "=" + std::to_string(n);
    std::printf("kiosk_soak_slow_frame_lines %zu lines (at most one per 10 s; by screen:%s; by longest stage:%s)\n",
                static_cast<size_t>(count_of(out, "slow_frame_ms=")), by_screen.empty() ? " -" : by_screen.c_str(),
                by_stage.empty() ? " -" : by_stage.c_str());
    for (const auto& l : slow_lines) std::printf("# %s\n", l.c_str());
    std::printf("kiosk_soak_error_lines %d lines (and %d warnings)\n", errors, warnings);
    return 0;
}
