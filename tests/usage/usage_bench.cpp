// Usage log benchmarks (make bench). Figures, one per line, "name value unit":
//
//   bench_usage_insert:
//     usage_insert_rate         events/s recorded in batches (1000 per transaction)
//     usage_insert_rate_cpu     the same per CPU second of this process
//     usage_insert_rate_single  events/s one event per transaction (what the UI does)
//     usage_ui_block_max_ms     the longest one UI-thread usage call took (it
//                               queues the event for the UsageWriter) while
//                               the writer committed and the uploader drained
//                               on other threads
//     usage_ui_block_p99_ms
//     usage_ui_block_over_1ms   writes over 1 ms, and of them (from the UI
//                               thread's context switches during the write):
//       ..._blocked             it slept: waited for the writer (the uploader
//                               holding it) or for the kernel (I/O)
//       ..._preempted           only preempted: runnable while other threads
//                               or processes had the CPUs
//     usage_ui_block_cpu_max_ms the call's own CPU time, the most of any
//     usage_writer_lag_ms       how long the writer took to commit everything
//                               queued, measured at the end (flush)
//     usage_ui_block_direct_*   the same figures for writing straight to the
//                               log on the UI thread (as before the writer)
//   bench_usage_drain [STATEMENTS]:
//     usage_drain_rate          statements/s from a queue of STATEMENTS (default
//                               100,000) to the local endpoint (a separate
//                               process on 127.0.0.1), batches of 100
//     usage_drain_rss_growth_mb how much the uploader's resident memory grew
//                               during that drain (1,000,000 takes several
//                               minutes here: pass it to run the full size)
//
// They never fail on a number; they fail only if something did not work.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "config/log.hpp"
#include "kiosk/usage/sync.hpp"
#include "kiosk/usage/usage_log.hpp"
#include "kiosk/usage/usage_writer.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/usage/test_lrs.hpp"

namespace {

using namespace lasr;
using Clock = std::chrono::steady_clock;

double secs(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench: %s\n", what.c_str());
    std::exit(1);
}

void ok(const Status& st) {
    if (!st) die(st.error().describe());
}

// CPU seconds of this process (user + system): on a shared, loaded machine
// the wall clock also measures everyone else's work.
double cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// This thread's voluntary (it slept) and involuntary (it was preempted)
// context switches so far.
std::pair<long, long> context_switches() {
    rusage r{};
    getrusage(RUSAGE_THREAD, &r);
    return {r.ru_nvcsw, r.ru_nivcsw};
}

double rss_mb() {
    std::ifstream f("/proc/self/statm");
    long pages_total = 0, pages_rss = 0;
    f >> pages_total >> pages_rss;
    return static_cast<double>(pages_rss) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

UsageOptions options() {
    UsageOptions o;
    o.kiosk_id = "bench-kiosk";
    o.home_page = "https://springfield.example.org";
    o.clock = system_clock_source(true);
    o.retention_mb = 64 * 1024;
    return o;
}

// A realistic mix: what a patron session records.
UsageEvent event(int64_t i) {
    static const EventKind kinds[] = {EventKind::course_opened, EventKind::resource_viewed, EventKind::qr_shown,
                                      EventKind::alert_shown};
    return {kinds[i % 4], "item-" + std::to_string(i % 97)};
}

void fill(UsageLog& log, int64_t n) {
    std::vector<UsageEvent> batch;
    for (int64_t i = 0; i < n;) {
        batch.clear();
        for (int k = 0; k < 1000 && i < n; ++k, ++i) batch.push_back(event(i));
        ok(log.record_batch(batch));
    }
}

// The endpoint, in its own process so its memory and its CPU are not the
// uploader's. Forked before this process starts any thread.
struct Endpoint {
    pid_t pid = -1;
    int port = 0;
};

Endpoint start_endpoint() {
    int fds[2];
    if (::pipe(fds) != 0) die("pipe");
    pid_t pid = ::fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::close(fds[0]);
        log::set_min_level(log::Level::error);
        test::TestLrs::Options o;
        o.keep_bodies = false;  // a hash per id: a million statements in little memory
        test::TestLrs lrs(o);
        int port = lrs.port();
        if (::write(fds[1], &port, sizeof port) != sizeof port) std::_Exit(1);
        ::close(fds[1]);
        for (;;) ::pause();
    }
    ::close(fds[1]);
    Endpoint e;
    e.pid = pid;
    if (::read(fds[0], &e.port, sizeof e.port) != sizeof e.port) die("endpoint did not start");
    ::close(fds[0]);
    return e;
}

SyncSettings settings(const Endpoint& e) {
    SyncSettings s;
    s.statements_url = "http://127.0.0.1:" + std::to_string(e.port) + "/xapi/statements";
    s.user = "kiosk-7";
    s.password = "s3cret";
    s.batch_max_statements = 100;  // the config defaults
    s.batch_max_bytes = 256 * 1024;
    s.request_timeout_s = 30;
    return s;
}

SyncResult drain(UsageLog& log, const Endpoint& e, const std::function<void()>& per_run = {}) {
    auto sync = UsageSync::create(log, settings(e));
    if (!sync) die(sync.error().describe());
    std::atomic<bool> stop{false};
    SyncResult total;
    for (;;) {
        SyncResult r = (*sync)->run(stop, std::chrono::milliseconds(250));
        total.sent += r.sent;
        total.requests += r.requests;
        if (per_run) per_run();
        if (r.outcome == SyncResult::Outcome::drained) break;
        if (r.outcome != SyncResult::Outcome::budget) die("drain: " + std::string(to_string(r.outcome)) + " " + r.message);
    }
    return total;
}

int bench_insert() {
    test::TempDir dir;
    auto opened = UsageLog::open(dir / "usage.db", options());
    if (!opened) die(opened.error().describe());
    UsageLog& log = **opened;

    // Batched: 200,000 events, 1000 per transaction.
    const int64_t n = 200000;
    auto t0 = Clock::now();
    double c0 = cpu_s();
    fill(log, n);
    auto t1 = Clock::now();
    double c1 = cpu_s();
    std::printf("usage_insert_rate %.0f events/s\n", static_cast<double>(n) / secs(t0, t1));
    std::printf("usage_insert_rate_cpu %.0f events/s (per CPU second: the rate on an idle core)\n",
                static_cast<double>(n) / (c1 - c0));

    // One event per transaction, as the UI records them.
    const int64_t single = 20000;
    t0 = Clock::now();
    for (int64_t i = 0; i < single; ++i) ok(log.record(event(i)));
    t1 = Clock::now();
    std::printf("usage_insert_rate_single %.0f events/s\n", static_cast<double>(single) / secs(t0, t1));
    std::fflush(stdout);
    return 0;
}

// The UI thread's calls while the uploader drains a backlog: through the
// writer (what the kiosk does) or straight into the log.
void ui_block_run(const Endpoint& e, bool through_writer) {
    test::TempDir dir;
    auto opened = UsageLog::open(dir / "usage.db", options());
    if (!opened) die(opened.error().describe());
    UsageLog& log = **opened;
    fill(log, 60000);  // a backlog for the uploader
    ok(log.checkpoint());
    ok(log.leave_checkpoints_to_caller());  // as lasr-kiosk runs it: the worker checkpoints
    std::unique_ptr<UsageWriter> writer;
    if (through_writer) {
        auto w = UsageWriter::start(log);
        if (!w) die(w.error().describe());
        writer = std::move(*w);
    }

    // The uploader (the worker thread) drains while the UI thread records.
    std::atomic<bool> done{false};
    std::thread worker([&] {
        drain(log, e, [&log] { (void)log.checkpoint(); });
        done = true;
    });
    std::vector<double> ms, cpu;
    int64_t blocked = 0, preempted = 0;  // of the calls over 1 ms
    int64_t play = 0;
    if (writer) {
        play = writer->play_started("video-1", "course-1", 600);
    } else {
        auto p = log.play_started("video-1", "course-1", 600);
        if (!p) die(p.error().describe());
        play = *p;
    }
    int64_t i = 0;
    const auto start = Clock::now();
    while (!done.load() || ms.size() < 2000) {
        const auto switches = context_switches();
        auto t = Clock::now();
        const double c = thread_cpu_ms();
        if (writer) {
            if (i % 3 == 0) writer->play_progress(play, static_cast<double>(i % 600));
            else writer->record(event(i));
        } else {
            if (i % 3 == 0) ok(log.play_progress(play, static_cast<double>(i % 600)));
            else ok(log.record(event(i)));
        }
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
        cpu.push_back(thread_cpu_ms() - c);
        if (ms.back() > 1.0) {
            const auto after = context_switches();
            if (after.first > switches.first) ++blocked;
            else if (after.second > switches.second) ++preempted;
        }
        ++i;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a tap or a progress tick
        if (secs(start, Clock::now()) > 45) break;
    }
    worker.join();
    const std::string p = through_writer ? "usage_ui_block" : "usage_ui_block_direct";
    if (writer) {
        const auto t = Clock::now();
        if (!writer->flush(std::chrono::seconds(60))) die("the writer did not catch up in 60 s");
        const auto c = writer->counts();
        if (c.failed != 0 || c.dropped != 0) die("the writer failed or dropped events");
        std::printf("usage_writer_lag_ms %.3f ms (to commit what was still queued at the end)\n",
                    std::chrono::duration<double, std::milli>(Clock::now() - t).count());
    }
    std::sort(ms.begin(), ms.end());
    std::sort(cpu.begin(), cpu.end());
    const auto over = ms.end() - std::upper_bound(ms.begin(), ms.end(), 1.0);
    std::printf("%s_max_ms %.3f ms\n", p.c_str(), ms.back());
    std::printf("%s_p99_ms %.3f ms\n", p.c_str(), ms[ms.size() * 99 / 100]);
    std::printf("%s_median_ms %.3f ms\n", p.c_str(), ms[ms.size() / 2]);
    std::printf("%s_over_1ms %lld calls\n", p.c_str(), static_cast<long long>(over));
    std::printf("%s_over_1ms_blocked %lld calls (slept: waited for a lock or for I/O)\n", p.c_str(),
                static_cast<long long>(blocked));
    std::printf("%s_over_1ms_preempted %lld calls (runnable, but other threads had the CPUs)\n", p.c_str(),
                static_cast<long long>(preempted));
    std::printf("%s_cpu_max_ms %.3f ms (the call's own CPU time, without waiting)\n", p.c_str(), cpu.back());
    std::printf("%s_writes %zu calls\n", p.c_str(), ms.size());
    std::fflush(stdout);
}

int bench_ui_block(const Endpoint& e) {
    ui_block_run(e, true);
    ui_block_run(e, false);
    return 0;
}

// One queue, one drain: the rate, and the uploader's resident memory sampled
// after every run of the sync (it must stay flat: a batch at a time).
int bench_drain(const Endpoint& e, int64_t n) {
    test::TempDir dir;
    auto opened = UsageLog::open(dir / "usage.db", options());
    if (!opened) die(opened.error().describe());
    fill(**opened, n);
    const double before = rss_mb();
    double peak = before;
    auto t0 = Clock::now();
    SyncResult r = drain(**opened, e, [&] {
        (void)(*opened)->checkpoint();
        peak = std::max(peak, rss_mb());
    });
    auto t1 = Clock::now();
    if (r.sent != n) die("drain sent " + std::to_string(r.sent));
    std::printf("usage_drain_rate %.0f statements/s\n", static_cast<double>(r.sent) / secs(t0, t1));
    std::printf("usage_drain_rss_growth_mb %.1f MB\n", peak - before);
    std::printf("usage_drain_statements %lld statements (%lld requests, %.0f s, rss before %.1f MB)\n",
                static_cast<long long>(n), static_cast<long long>(r.requests), secs(t0, t1), before);
    if (n < 1000000)
        std::printf("usage_drain_note scaled down from 1,000,000 to %lld statements to stay near a minute on this "
                    "machine; `bench_usage_drain 1000000` runs the full size\n",
                    static_cast<long long>(n));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    lasr::log::set_min_level(lasr::log::Level::error);
    const std::string self = argv[0];
    const bool drain_bench = self.find("drain") != std::string::npos;
    const Endpoint e = start_endpoint();  // before any thread
    int rc = 0;
    if (drain_bench) {
        int64_t n = argc > 1 ? std::atoll(argv[1]) : 100000;
        rc = bench_drain(e, n);
    } else {
        rc = bench_insert();
        if (rc == 0) rc = bench_ui_block(e);
    }
    ::kill(e.pid, SIGKILL);
    ::waitpid(e.pid, nullptr, 0);
    return rc;
}
