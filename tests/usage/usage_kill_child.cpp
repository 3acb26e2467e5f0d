// The child of the SIGKILL tests (tests/usage/usage_kill_test.cpp).
//
//   usage_kill_child DB_PATH ROUND
//
// Opens the usage log and records plays until it is killed, following a fixed
// plan that depends on the play's number and the round. After each call that
// committed, it writes one line to stdout (a pipe to the test) saying what is
// now in the database:
//   S <id> <video_id> <course_id> <duration_s> <plan>   play_started
//   P <id> <position_s>                                  play_progress
//   E <id> <outcome> <position_s>                        play_ended (position as passed)
// <plan> is how the play will end: completed, stopped, failed, or open (never
// ended, as if the kiosk had lost power). Each line is written with a single
// write(2) before the next call, so at most one committed event is unreported
// when the kill lands.
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/log.hpp"
#include "kiosk/usage/usage_log.hpp"

namespace {

constexpr long kMaxPlays = 100000;  // a bound in case nobody kills us

void report(const std::string& line) {
    std::string s = line + "\n";
    const char* p = s.data();
    size_t left = s.size();
    while (left > 0) {
        ssize_t n = ::write(STDOUT_FILENO, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) std::_Exit(3);  // the test went away
        p += n;
        left -= static_cast<size_t>(n);
    }
}

[[noreturn]] void fail(const lasr::Error& e) {
    std::fprintf(stderr, "usage_kill_child: %s\n", e.describe().c_str());
    std::_Exit(2);
}

// Positions and durations are multiples of 1/4, exact in binary and in %g.
std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: usage_kill_child DB_PATH ROUND\n");
        return 64;
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    lasr::log::set_min_level(lasr::log::Level::warn);
    const long round = std::strtol(argv[2], nullptr, 10);

    auto log = lasr::UsageLog::open(argv[1]);
    if (!log) fail(log.error());

    static const char* const kPlans[] = {"completed", "stopped", "failed", "stopped", "open"};
    for (long n = 0; n < kMaxPlays; ++n) {
        const long k = n + round * 7;  // each round walks the plan differently
        const std::string video = "video-" + std::to_string(k % 13);
        const std::string course = "course." + std::to_string(k % 3);
        const double duration = 30.0 + static_cast<double>(k % 7) * 10.25;
        const std::string plan = kPlans[k % 5];

        auto id = (*log)->play_started(video, course, duration);
        if (!id) fail(id.error());
        report("S " + std::to_string(*id) + " " + video + " " + course + " " + num(duration) + " " + plan);

        double pos = 0;
        for (long j = 1; j <= k % 4; ++j) {
            pos = static_cast<double>(j) * 2.5;
            if (auto st = (*log)->play_progress(*id, pos); !st) fail(st.error());
            report("P " + std::to_string(*id) + " " + num(pos));
        }
        if (plan == "open") continue;

        lasr::PlayOutcome outcome = plan == "completed" ? lasr::PlayOutcome::completed
                                    : plan == "failed"  ? lasr::PlayOutcome::failed
                                                        : lasr::PlayOutcome::stopped;
        // A completed play reports a little past the end (as players do);
        // the log clamps it to the duration.
        double end_pos = plan == "completed" ? duration + 0.75 : pos + 1.25;
        if (auto st = (*log)->play_ended(*id, end_pos, outcome); !st) fail(st.error());
        report("E " + std::to_string(*id) + " " + plan + " " + num(end_pos));
    }
    return 0;
}
