// The usage upload: statements from the outbox to a Learning Record Store,
// exactly once as far as the LRS can tell.
//
// Runs on the background worker (or in lasr-kioskctl sync-usage), never on
// the UI thread. Rules, each for a reason:
//   - batches are the outbox's oldest rows in sequence order, bounded in
//     count and bytes; the body is the stored bytes of each statement joined
//     into a JSON array, so a retry is byte for byte the first attempt (an
//     LRS answers 409 to the same id with different bytes);
//   - a row is deleted only after the LRS answered 200/204 for it; a
//     connection dropped after the LRS stored the batch just means the same
//     bytes go again, which the LRS ignores;
//   - failures (no network, time-outs, 5xx, 429) back off exponentially with
//     full jitter up to a cap; Retry-After (seconds or an HTTP date) is
//     honoured as given;
//   - 413 halves the batch (a single statement too large is dead-lettered);
//   - 400 bisects the batch until the bad statement is alone, and moves that
//     one to the dead-letter table; the rest go through;
//   - 409 is resolved statement by statement: one that still conflicts on
//     its own is fetched back; if the LRS holds the same statement it counts
//     as delivered, otherwise it is dead-lettered;
//   - 401/403 pauses the upload and says so (log, status): only staff can
//     fix credentials.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "config/config.hpp"
#include "config/result.hpp"
#include "kiosk/net/http.hpp"
#include "kiosk/usage/usage_log.hpp"

namespace lasr {

struct SyncSettings {
    std::string statements_url;  // <lrs_url>statements
    std::string user;
    std::string password;
    int batch_max_statements = 100;
    size_t batch_max_bytes = 256 * 1024;
    std::chrono::milliseconds backoff_base{1000};
    std::chrono::milliseconds backoff_cap{900 * 1000};
    long request_timeout_s = 30;
    std::string ca_file;  // extra CA bundle (tests); empty: the system's

    // From [usage]; reads lrs_credentials_file when set. An empty lrs_url is
    // Errc::not_found ("nothing to sync to").
    static Result<SyncSettings> from(const Config& config);
};

struct SyncResult {
    enum class Outcome {
        drained,      // the outbox is empty (everything acknowledged or dead-lettered)
        budget,       // stopped because the time budget ran out; more to send
        retry_later,  // a transient failure: wait retry_in, then try again
        paused,       // the LRS refused our credentials (401/403): staff must act
        stopped,      // the worker is stopping
        failed,       // a local failure (the database)
    };
    Outcome outcome = Outcome::drained;
    int64_t sent = 0;           // statements acknowledged in this run
    int64_t dead_lettered = 0;  // statements moved to the dead-letter table
    int64_t requests = 0;       // HTTP requests made
    std::chrono::milliseconds retry_in{0};  // retry_later: when to try again
    std::string message;        // what went wrong, for logs and status
};
std::string_view to_string(SyncResult::Outcome o) noexcept;

class UsageSync {
public:
    static Result<std::unique_ptr<UsageSync>> create(UsageLog& log, const SyncSettings& settings);
    ~UsageSync();
    UsageSync(const UsageSync&) = delete;
    UsageSync& operator=(const UsageSync&) = delete;

    // Sends batches until the outbox is empty, a failure, `stopping`, or the
    // budget runs out. Blocking: the worker thread or a tool only.
    SyncResult run(const std::atomic<bool>& stopping,
                   std::chrono::milliseconds budget = std::chrono::milliseconds::max());

    // After `failures` consecutive failures: a uniformly random wait in
    // [0, min(cap, base * 2^failures)] (full jitter).
    std::chrono::milliseconds backoff(int failures);
    int consecutive_failures() const noexcept { return failures_; }
    bool paused() const noexcept { return paused_; }
    // Staff fixed the credentials (or a one-shot sync was asked for).
    void resume() noexcept { paused_ = false; }
    // The current batch limit (halved by 413, grows back after successes).
    int batch_limit() const noexcept { return limit_count_; }

private:
    UsageSync(UsageLog& log, SyncSettings settings, std::unique_ptr<net::HttpClient> http);

    struct Reply;
    Reply post(const std::vector<OutboxRow>& rows, size_t from, size_t to, const std::atomic<bool>& stopping);
    // Sends rows[from, to): bisecting on 400, one by one on 409. False when
    // the run must stop (transient failure, auth, local error): `out` says why.
    bool send_range(const std::vector<OutboxRow>& rows, size_t from, size_t to, const std::atomic<bool>& stopping,
                    SyncResult& out);
    bool resolve_conflict(const OutboxRow& row, const std::atomic<bool>& stopping, SyncResult& out);
    bool fail_transient(const Reply& r, SyncResult& out);
    bool fail_auth(const Reply& r, SyncResult& out);
    bool delivered(const std::vector<OutboxRow>& rows, size_t from, size_t to, SyncResult& out);
    bool dead_letter(const OutboxRow& row, int status, const std::string& reason, SyncResult& out);

    UsageLog& log_;
    SyncSettings settings_;
    std::unique_ptr<net::HttpClient> http_;
    std::mt19937_64 rng_;
    int failures_ = 0;
    bool paused_ = false;
    int limit_count_;
    size_t limit_bytes_;
    int successes_since_shrink_ = 0;
};

}  // namespace lasr
