// make bench: lasr-kioskctl fleet over a month of a large fleet.
//
//   fleet_report_s_500_kiosks_30_days_cold         seconds for `fleet --html --prom --json` with
//                                                  an empty cache (the real executable, a child process)
//   fleet_report_s_500_kiosks_30_days_incremental  the same an hour later, from the cache
//   fleet_peak_rss_mb_cold / _incremental          its peak resident memory
//   fleet_statements_read_cold / _incremental      what it read from the LRS
//
// The scripted LRS (in this process) holds 30 days of 500 kiosks, with
// `stored` spread over the month as an LRS would have stored them: a
// heartbeat every 5 minutes (the kiosk's default) in the last day, one an
// hour before that (what fleet never reads; it keeps the LRS's memory within
// this machine's), 4 plays a day (half completed), and an error now and then. fleet reads only what its report needs: a day of heartbeats and
// 7 days of plays, completions and errors (cold), then what was stored
// since (incremental). It never fails on a number.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/fleet/fleet_fixtures.hpp"

namespace {

using namespace lasr;
constexpr int kKiosks = 500;
constexpr int kDays = 30;
constexpr int64_t kHourMs = 3600 * 1000;

struct Run {
    int rc = -1;
    double seconds = 0;
    std::string out;
};

// Runs a shell command; its wall time.
Run run(const std::string& cmd) {
    Run r;
    const auto t0 = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

int fail(const std::string& what) {
    std::fprintf(stderr, "bench: %s\n", what.c_str());
    return 1;
}

}  // namespace

int main() {
    test::TempDir dir;
    test::TestLrs lrs;
    int64_t stored_at = 0;
    lrs.set_stored_clock([&] { return stored_at; });
    const int64_t end = test::now_ms() - kHourMs;
    const int64_t start = end - int64_t{kDays} * 24 * kHourMs;
    int64_t total = 0;
    const auto t0 = std::chrono::steady_clock::now();
    // Hour by hour, every kiosk; stored a minute after the kiosk's time.
    auto hour = [&](int64_t t) -> bool {
        std::vector<std::string> batch;
        for (int k = 0; k < kKiosks; ++k) {
            char name[16];
            std::snprintf(name, sizeof name, "kiosk-%03d", k);
            const std::string library = "library-" + std::to_string(k / 50);
            const int64_t at = t + k * 1000;
            xapi::Health h = test::health(library, 7, "2027-12-31T00:00:00Z");
            h.branch = "branch-" + std::to_string(k % 10);
            batch.push_back(test::heartbeat_statement(name, h, at));
            if (end - t <= 24 * kHourMs)  // the last day: every 5 minutes
                for (int m = 5; m < 60; m += 5) batch.push_back(test::heartbeat_statement(name, h, at + m * 60000));
            const int hour_of_day = static_cast<int>(((t - start) / kHourMs) % 24);
            if (hour_of_day >= 10 && hour_of_day < 14) {  // 4 plays a day, half completed
                const std::string video = "v" + std::to_string(hour_of_day), course = "c" + std::to_string(k % 5);
                batch.push_back(test::play_statement(name, video, course, at, false));
                if (hour_of_day % 2 == 0) batch.push_back(test::play_statement(name, video, course, at, true));
            }
            if (k % 97 == 0 && hour_of_day == 16) batch.push_back(test::error_statement(name, "media.unplayable", at));
        }
        stored_at = t + 60000;
        total += static_cast<int64_t>(batch.size());
        return lrs.store_direct(batch);
    };
    for (int64_t t = start; t < end; t += kHourMs)
        if (!hour(t)) return fail("the LRS refused a generated statement");
    const double fill_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("fleet_lrs_statements %lld statements (500 kiosks x 30 days, filled in %.0f s)\n",
                static_cast<long long>(total), fill_s);

    test::write_file(dir / "cred", "kiosk-7:s3cret\n");
    std::filesystem::permissions(dir / "cred", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const std::string cmd = std::string(LASR_KIOSKCTL) + " fleet --lrs " + lrs.base_url() + " --credentials " +
                            (dir / "cred").string() + " --cache " + (dir / "cache.sqlite3").string() +
                            " --json --html " + (dir / "fleet.html").string() + " --prom " +
                            (dir / "fleet.prom").string() + " >" + (dir / "fleet.json").string() + " 2>" +
                            (dir / "fleet.err").string();
    // fleet's own peak memory (its log line; wait4's figure would count the
    // pages this process shares with the child until it execs).
    auto peak_mb = [&] {
        const std::string log = test::read_file(dir / "fleet.err");
        const auto at = log.rfind("peak_rss_mb=");
        return at == std::string::npos ? -1.0 : std::atof(log.c_str() + at + 12);
    };
    auto read_count = [&] {
        const std::string json = test::read_file(dir / "fleet.json");
        const auto at = json.find("\"statements\": ");
        return at == std::string::npos ? -1LL : std::atoll(json.c_str() + at + 14);
    };

    Run cold = run(cmd);
    if (cold.rc != 0 && cold.rc != 1) return fail("fleet failed: " + test::read_file(dir / "fleet.err"));
    std::printf("fleet_report_s_500_kiosks_30_days_cold %.2f s\n", cold.seconds);
    std::printf("fleet_peak_rss_mb_cold %.1f MB\n", peak_mb());
    std::printf("fleet_statements_read_cold %lld statements\n", read_count());

    // An hour later: one more hour of the fleet, stored now.
    if (!hour(end)) return fail("the LRS refused a generated statement");
    Run inc = run(cmd);
    if (inc.rc != 0 && inc.rc != 1) return fail("fleet failed: " + test::read_file(dir / "fleet.err"));
    std::printf("fleet_report_s_500_kiosks_30_days_incremental %.2f s\n", inc.seconds);
    std::printf("fleet_peak_rss_mb_incremental %.1f MB\n", peak_mb());
    std::printf("fleet_statements_read_incremental %lld statements\n", read_count());
    return 0;
}
