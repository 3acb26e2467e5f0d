// Content sync: the published pack comes in over HTTP(S), on the background
// worker, into the content store.
//
// One poll: a conditional GET of manifest.json (If-None-Match with the ETag
// of the installed one: a 304 costs a few hundred bytes), then its
// signature, then ContentStore::install with the same checks as an import.
// Each missing file downloads to a partial file named by its hash, resumed
// with Range + If-Range after any failure or crash, hashed as it arrives,
// fsynced and renamed into the store. Any failure leaves the last good pack
// active; the next poll picks up where this one stopped.
#pragma once

#include <atomic>
#include <ctime>
#include <functional>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "config/result.hpp"
#include "config/worker.hpp"
#include "kiosk/net/http.hpp"
#include "media/content_store.hpp"

namespace lasr {

struct SyncOptions {
    std::string server_url;  // the pack's folder; '/' is added when missing
    net::HttpOptions http;
    // Every Nth poll asks without If-None-Match. A static server's ETag is
    // often mtime+size (nginx): a manifest replaced within the same second
    // by one of the same length would otherwise look unchanged.
    int full_check_every = 10;
};

// From the config: the server, CA file and time-outs.
SyncOptions sync_options_from(const Config& config);
StoreOptions store_options_from(const Config& config);
// The pinned keys of the config (with library id).
Result<TrustPolicy> trust_policy_from(const Config& config);

struct SyncProgress {
    std::string phase;  // "manifest", "fetch", "activate", "gc", "done"
    size_t files_done = 0, files_total = 0;
    uint64_t bytes_done = 0, bytes_total = 0;
    double bytes_per_s = 0;  // while fetching
    double eta_s = -1;       // -1: not known yet
};
using SyncProgressFn = std::function<void(const SyncProgress&)>;

struct ContentSyncResult {
    bool not_modified = false;  // 304: the installed manifest is still the published one
    InstallReport install;      // what install did (changed = a new pack is live)
    uint64_t bytes_received = 0;  // over the network this poll, manifest included
};

class ContentSync {
public:
    static Result<std::unique_ptr<ContentSync>> create(ContentStore& store, TrustPolicy policy, SyncOptions options);

    // One poll. Blocking: call it on the worker (or in lasr-kioskctl).
    Result<ContentSyncResult> sync_once(const std::atomic<bool>* cancel = nullptr, const SyncProgressFn& progress = {});

    const SyncOptions& options() const { return opt_; }

private:
    ContentSync(ContentStore& store, TrustPolicy policy, SyncOptions options, std::unique_ptr<net::HttpClient> http);
    Status fetch_file(const FileRef& file, const std::function<void(uint64_t)>& bytes_progress,
                      const std::atomic<bool>* cancel, uint64_t& received);

    ContentStore& store_;
    TrustPolicy policy_;
    SyncOptions opt_;
    std::unique_ptr<net::HttpClient> http_;
    int polls_ = 0;
};

// What the UI learns about content, on its own thread.
struct ContentStatus {
    std::string phase = "idle";  // "idle", "manifest", "fetch", "activate", "done", "error", "offline"
    SyncProgress progress;
    uint64_t version = 0;        // of the pack now playing
    bool expired = false;        // the pack playing has expired (staff are told)
    std::string last_error;      // the last poll's failure, "" when it went well
    std::string last_error_kind; // its domain.code ("sync.not_found"), for heartbeats
    std::time_t last_success = 0;
};

// Runs sync polls on the worker for the kiosk's loop: tick() posts a poll
// when one is due and none is running; results and progress come back
// through Worker::complete() to the callbacks, on the UI thread. The UI
// never waits on the network.
class ContentSyncService {
public:
    using PackFn = std::function<void(ActivePack)>;
    using StatusFn = std::function<void(const ContentStatus&)>;

    ContentSyncService(Worker& worker, StoreOptions store, TrustPolicy policy, SyncOptions sync,
                       double poll_interval_s, PackFn on_new_pack, StatusFn on_status);
    ~ContentSyncService();

    void tick(double now);
    double seconds_until_next(double now) const;
    // Polls at the next tick (e.g. "check now" on the admin screen).
    void poll_soon() { next_at_ = 0; }
    bool busy() const { return busy_; }

private:
    struct Shared;
    Worker& worker_;
    std::shared_ptr<Shared> shared_;  // used on the worker thread only
    double interval_;
    double next_at_ = 0;
    bool busy_ = false;  // UI thread only
    PackFn on_pack_;
    StatusFn on_status_;
    ContentStatus status_;
    std::shared_ptr<std::atomic<bool>> alive_;
};

}  // namespace lasr
