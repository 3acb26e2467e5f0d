// Schedules the usage upload and the usage log's upkeep on the one
// background worker, from the UI thread's loop.
//
//   UsageSyncService sync(usage_log, config);   // before the Worker...
//   Worker worker(wakeup);                      // ...so the worker joins first
//   loop: worker.drain(); sync.poll(worker); sleep <= sync.seconds_until_due()
//
// poll() is cheap and never blocks: it posts one job when one is due and
// none is in flight. A job checkpoints the WAL (every few seconds while there
// are writes: it bounds what a power cut can take, see usage_log.cpp),
// applies retention (hourly), and uploads for at most a short budget so other
// worker jobs (content downloads) are not held up; its outcome comes back to
// the UI thread through Worker::complete and decides when the next one is due
// (interval, backoff, Retry-After, or paused on 401/403).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "config/worker.hpp"
#include "kiosk/usage/sync.hpp"
#include "kiosk/usage/usage_log.hpp"

namespace lasr {

struct SyncServiceOptions {
    std::chrono::milliseconds interval{60 * 1000};       // look for new statements
    std::chrono::milliseconds budget{2 * 1000};          // upload time per job
    std::chrono::milliseconds checkpoint_every{10 * 1000};
    std::chrono::milliseconds retention_every{3600 * 1000};
    std::chrono::milliseconds auth_retry{3600 * 1000};   // paused: look again after this
};

// What the admin screen can show (UI thread only).
struct SyncServiceState {
    bool configured = false;  // an LRS is set
    bool paused = false;      // 401/403: staff must fix the credentials
    std::string last_outcome;
    std::string last_message;
    int64_t sent = 0;         // since start
    int64_t dead_lettered = 0;
};

class UsageSyncService {
public:
    // `sync` may be null: no LRS configured (upkeep still runs).
    UsageSyncService(UsageLog& log, std::unique_ptr<UsageSync> sync, SyncServiceOptions options = {});
    // From the config: logs (once) why there is no upload when there is none.
    static std::unique_ptr<UsageSyncService> create(UsageLog& log, const Config& config);
    ~UsageSyncService();
    UsageSyncService(const UsageSyncService&) = delete;
    UsageSyncService& operator=(const UsageSyncService&) = delete;

    // UI thread. Posts a job to `worker` when one is due.
    void poll(Worker& worker);
    // Seconds until poll() has something to post (0 when due now).
    double seconds_until_due() const;
    const SyncServiceState& state() const { return state_; }
    // Staff asked for an upload now: the next poll() posts one (also when
    // paused by a 401/403, so fixed credentials are tried at once).
    void sync_soon() { next_sync_ = Time{}; }

private:
    using Time = std::chrono::steady_clock::time_point;
    void finished(const SyncResult& result, bool synced, Time now);

    UsageLog& log_;
    std::unique_ptr<UsageSync> sync_;
    SyncServiceOptions options_;
    SyncServiceState state_;
    bool in_flight_ = false;
    Time next_sync_;
    Time next_checkpoint_;
    Time next_retention_;
};

}  // namespace lasr
