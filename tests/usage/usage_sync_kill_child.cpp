// The child of the uploader SIGKILL tests (usage_sync_kill_test.cpp).
//
//   usage_sync_kill_child DB_PATH STATEMENTS_URL SESSIONS
//
// Plays the kiosk and its uploader in one process, as lasr-kiosk does: it
// records SESSIONS short patron sessions, and after each one runs the sync
// for a moment (small batches, so there are many requests to be killed in).
// After each session commits it writes "C <statements so far>" on stdout.
// With SESSIONS = 0 it only uploads, until the outbox is empty, and exits 0.
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "config/log.hpp"
#include "kiosk/usage/sync.hpp"
#include "kiosk/usage/usage_log.hpp"

namespace {

void report(const std::string& line) {
    std::string s = line + "\n";
    if (::write(STDOUT_FILENO, s.data(), s.size()) != static_cast<ssize_t>(s.size())) std::_Exit(3);
}

[[noreturn]] void fail(const lasr::Error& e) {
    std::fprintf(stderr, "usage_sync_kill_child: %s\n", e.describe().c_str());
    std::_Exit(2);
}

void check(const lasr::Status& st) {
    if (!st) fail(st.error());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: usage_sync_kill_child DB_PATH STATEMENTS_URL SESSIONS\n");
        return 64;
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    lasr::log::set_min_level(lasr::log::Level::error);
    const long sessions = std::strtol(argv[3], nullptr, 10);

    lasr::UsageOptions o;
    o.kiosk_id = "kill-test";
    o.home_page = "https://springfield.example.org";
    o.clock = lasr::system_clock_source(true);
    auto log = lasr::UsageLog::open(argv[1], o);
    if (!log) fail(log.error());
    lasr::UsageLog& L = **log;

    lasr::SyncSettings s;
    s.statements_url = argv[2];
    s.user = "kiosk-7";
    s.password = "s3cret";
    s.batch_max_statements = 5;
    s.backoff_base = std::chrono::milliseconds(2);
    s.backoff_cap = std::chrono::milliseconds(20);
    s.request_timeout_s = 2;
    auto sync = lasr::UsageSync::create(L, s);
    if (!sync) fail(sync.error());
    std::atomic<bool> stop{false};

    long made = 0;
    for (long n = 0; n < sessions; ++n) {
        const std::string k = std::to_string(n % 4);
        check(L.begin_session());
        check(L.record({lasr::EventKind::course_opened, "course-" + k}));
        auto play = L.play_started("video-" + k, "course-" + k, 30);
        if (!play) fail(play.error());
        check(L.play_event(*play, lasr::EventKind::video_played, 0));
        check(L.play_ended(*play, 30, lasr::PlayOutcome::completed));
        check(L.record({lasr::EventKind::resource_viewed, "shelter-" + k}));
        check(L.end_session());
        made += 8;  // session, course, initialized, played, completed, terminated, viewed, session end
        report("C " + std::to_string(made));
        auto r = (*sync)->run(stop, std::chrono::milliseconds(30));
        if (r.outcome == lasr::SyncResult::Outcome::failed || r.outcome == lasr::SyncResult::Outcome::paused)
            fail(lasr::make_error(lasr::Domain::sync, lasr::Errc::internal, r.message));
    }
    if (sessions > 0) {
        // Made everything: hang on (uploading) until killed.
        for (;;) {
            (*sync)->run(stop, std::chrono::milliseconds(30));
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    for (int i = 0; i < 1000; ++i) {
        auto r = (*sync)->run(stop);
        if (r.outcome == lasr::SyncResult::Outcome::drained) return 0;
        if (r.outcome == lasr::SyncResult::Outcome::failed || r.outcome == lasr::SyncResult::Outcome::paused)
            fail(lasr::make_error(lasr::Domain::sync, lasr::Errc::internal, r.message));
        std::this_thread::sleep_for(std::min(r.retry_in, std::chrono::milliseconds(50)));
    }
    return 4;
}
