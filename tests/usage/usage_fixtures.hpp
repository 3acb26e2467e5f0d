// Shared pieces of the usage-sync tests: a clock the test moves, a scripted
// kiosk session, and reading back what the outbox holds.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kiosk/usage/sync.hpp"
#include "kiosk/usage/usage_log.hpp"
#include "tests/usage/test_lrs.hpp"

namespace lasr::test {

// 2026-11-29T03:04:05.678Z, trusted unless told otherwise.
class FakeClock {
public:
    FakeClock() = default;
    ClockFn fn() {
        return [this] {
            ClockReading r;
            r.wall = std::chrono::system_clock::time_point(std::chrono::milliseconds(wall_ms.load()));
            r.uptime_ms = uptime_ms.fetch_add(7);
            r.trusted = trusted.load();
            return r;
        };
    }
    void advance_days(int days) { wall_ms += int64_t{days} * 24 * 3600 * 1000; }

    std::atomic<int64_t> wall_ms{1795921445678};
    std::atomic<int64_t> uptime_ms{12345};
    std::atomic<bool> trusted{true};
};

inline UsageOptions test_options(FakeClock* clock = nullptr) {
    UsageOptions o;
    o.kiosk_id = "branch-7-lobby";
    o.home_page = "https://springfield.example.org";
    if (clock) o.clock = clock->fn();
    return o;
}

// One patron session on the kiosk and the app around it: every kind of
// event. Returns how many statements it recorded (19), or -1 on failure
// (with a test failure added).
int scripted_session(UsageLog& log, int variant = 0);
constexpr int kSessionStatements = 19;

// Settings for the test LRS: small batches, short time-outs and backoff.
SyncSettings sync_settings(const TestLrs& lrs, int batch = 16);

// Runs the sync until the outbox is empty, sleeping as it asks (Retry-After
// and backoff, each capped at `max_sleep`). Returns the runs it took, or -1
// if it was still not drained after `max_runs`.
int drain(UsageSync& sync, int max_runs = 200, std::chrono::milliseconds max_sleep = std::chrono::milliseconds(1500));

// Every row of the outbox / dead-letter table, read through the log.
std::vector<OutboxRow> outbox_rows(UsageLog& log);

// Checks a stored statement's JSON against the kiosk's contract (required
// fields, fixed UTC timestamp, the actor is the kiosk) and the privacy rule
// (every string is an id, an IRI, a UUID, a timestamp, a verb word or played
// segments: no free text). Adds test failures; returns false on any.
bool check_statement_shape(const std::string& body);

}  // namespace lasr::test
