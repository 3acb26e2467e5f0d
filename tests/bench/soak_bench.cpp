// Soak: 1,000 playlist transitions through real libmpv, headless and
// faster than real time (vo=null, untimed), the way a course playlist runs
// (two items queued ahead, captions on every item, one failing item in
// fifty). Reports how much the process's resident memory grew.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "config/log.hpp"
#include "config/process.hpp"
#include "media/player.hpp"
#include "tests/support/bench_stats.hpp"
#include "tests/support/fixtures.hpp"

namespace {

// Resident memory after handing glibc's free lists back to the system, so
// the figure is memory in use (a leak), not what the allocator keeps cached.
double rss_mb() {
    malloc_trim(0);
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace lasr;
    tune_malloc();  // as lasr-kiosk does
    const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
    const int warmup = 100;
    test::TempDir dir;
    test::VideoSpec spec;
    spec.seconds = 1;
    spec.width = 320;
    spec.height = 180;
    spec.audio = !std::getenv("LASR_SOAK_NO_AUDIO");
    if (!test::make_video(dir / "a.mp4", spec)) return 1;
    spec.width = 426;
    spec.height = 240;
    if (!test::make_video(dir / "b.mp4", spec)) return 1;
    test::write_file(dir / "a.en.vtt", "WEBVTT\n\n00:00.000 --> 00:00.900\nHello\n");
    test::write_file(dir / "a.es.vtt", "WEBVTT\n\n00:00.000 --> 00:00.900\nHola\n");
    test::write_file(dir / "bad.mp4", std::string(4096, 'x'));

    log::set_min_level(std::getenv("LASR_SOAK_TRACE") ? log::Level::debug : log::Level::error);
    PlayerOptions o;
    o.headless = true;
    o.untimed = true;
    o.audio = false;
    auto created = Player::create(o);
    if (!created) {
        std::fprintf(stderr, "soak: %s\n", created.error().describe().c_str());
        return 1;
    }
    Player& player = **created;
    auto item = [&](int i) {
        MediaItem m{"t" + std::to_string(i), (dir / (i % 2 ? "b.mp4" : "a.mp4")).string(), 1.0, {}};
        if (i % 50 == 49) m.path = (dir / "bad.mp4").string();
        if (!std::getenv("LASR_SOAK_NO_CAPTIONS"))
            m.captions = {{"en", (dir / "a.en.vtt").string()}, {"es", (dir / "a.es.vtt").string()}};
        return m;
    };
    int next = 0, done = 0, failed = 0;
    (void)player.load(item(next++));
    while (next < 3) (void)player.queue(item(next++));
    // Resident memory moves by several MB from one moment to the next
    // (mpv's threads, caches and frame pools come and go), so one sample at
    // each end measures that noise. Sampled every 25 transitions after the
    // warm-up; growth is the median of the last ten samples minus the
    // median of the first ten, and the slope of a least-squares line is
    // printed too.
    std::vector<std::pair<int, double>> samples;
    auto t0 = std::chrono::steady_clock::now();
    while (done < n) {
        for (const auto& ev : player.wait(1.0)) {
            if (std::getenv("LASR_SOAK_TRACE") && ev.kind == PlayerEvent::Kind::started && done > 300)
                std::fprintf(stderr, "started %s\n", ev.tag.c_str());
            if (ev.kind == PlayerEvent::Kind::ended || ev.kind == PlayerEvent::Kind::failed) {
                if (next < n) (void)player.queue(item(next++));
                failed += ev.kind == PlayerEvent::Kind::failed;
                if (++done >= warmup && done % 25 == 0) samples.emplace_back(done, rss_mb());
                if (std::getenv("LASR_SOAK_TRACE") && done % 100 == 0) std::fprintf(stderr, "done %d rss %.1f MB\n", done, rss_mb());
            }
        }
        if (std::chrono::steady_clock::now() - t0 > std::chrono::minutes(10)) break;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const size_t k = std::min<size_t>(10, samples.size() / 2);
    std::vector<double> head, tail, all;
    for (size_t i = 0; i < samples.size(); ++i) {
        all.push_back(samples[i].second);
        if (i < k) head.push_back(samples[i].second);
        if (i + k >= samples.size()) tail.push_back(samples[i].second);
    }
    double rss_start = lasr::test::median(head), rss_end = lasr::test::median(tail);
    // LASR_SOAK_SAMPLES=1: every sample on stderr ("transitions rss_mb").
    // The resident size sits on one of two levels ~9 MB apart (90 and 99 MB
    // here) and may move between them during a run, which the growth
    // figure then shows; a leak keeps rising (3,000 transitions on 12-07:
    // a slope of 0.08 MB per 1,000).
    if (std::getenv("LASR_SOAK_SAMPLES"))
        for (const auto& [x, y] : samples) std::fprintf(stderr, "%d %.1f\n", x, y);
    std::vector<double> xs, ys;
    for (const auto& [x, y] : samples) {
        xs.push_back(x);
        ys.push_back(y);
    }
    const double slope = lasr::test::least_squares_slope(xs, ys);
    std::printf("soak_transitions %d items\n", done);
    std::printf("soak_failed_items %d items (one in fifty is a bad file on purpose)\n", failed);
    std::printf("soak_seconds %.1f s (%.1f s of video)\n", secs, static_cast<double>(done));
    std::printf("soak_rss_samples %zu samples (every 25 transitions from %d)\n", samples.size(), warmup);
    if (!all.empty())
        std::printf("soak_rss_range_mb %.1f..%.1f MB\n", *std::min_element(all.begin(), all.end()),
                    *std::max_element(all.begin(), all.end()));
    std::printf("soak_rss_start_mb %.1f MB (median of the first %zu samples)\n", rss_start, k);
    std::printf("soak_rss_end_mb %.1f MB (median of the last %zu samples)\n", rss_end, k);
    std::printf("soak_rss_slope_mb_per_1000 %.2f MB (least squares)\n", slope * 1000);
    std::printf("soak_rss_growth_mb %.2f MB\n", rss_end - rss_start);
    return 0;
}
