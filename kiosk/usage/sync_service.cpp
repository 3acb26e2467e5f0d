#include "kiosk/usage/sync_service.hpp"

#include <algorithm>

#include "config/log.hpp"

namespace lasr {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

UsageSyncService::UsageSyncService(UsageLog& log, std::unique_ptr<UsageSync> sync, SyncServiceOptions options)
    : log_(log), sync_(std::move(sync)), options_(options) {
    const Time now = SteadyClock::now();
    state_.configured = sync_ != nullptr;
    next_sync_ = now;  // a first look right away: there may be a backlog
    next_checkpoint_ = now + options_.checkpoint_every;
    next_retention_ = now;
    // This service checkpoints every few seconds: the UI thread's writes
    // never have to.
    if (auto st = log_.leave_checkpoints_to_caller(); !st) log::warn("usage", st.error().describe());
}

UsageSyncService::~UsageSyncService() = default;

std::unique_ptr<UsageSyncService> UsageSyncService::create(UsageLog& log, const Config& config) {
    std::unique_ptr<UsageSync> sync;
    auto settings = SyncSettings::from(config);
    if (settings) {
        log::info("sync", "usage_upload=on lrs=" + settings->statements_url + " user=" + settings->user +
                              " batch_max_statements=" + std::to_string(settings->batch_max_statements) +
                              " batch_max_kb=" + std::to_string(settings->batch_max_bytes / 1024) +
                              " sync_interval_s=" + std::to_string(config.usage.sync_interval_s) +
                              " backoff_cap_s=" + std::to_string(settings->backoff_cap.count() / 1000) +
                              " request_timeout_s=" + std::to_string(settings->request_timeout_s));
        auto s = UsageSync::create(log, *settings);
        if (s) sync = std::move(*s);
        else log::error(s.error());
    } else if (settings.error().code == Errc::not_found && config.usage.lrs_url.empty()) {
        log::info("sync", "usage_upload=off reason=\"no [usage] lrs_url\"; statements are kept within retention");
    } else {
        log::error(settings.error());
    }
    SyncServiceOptions o;
    o.interval = milliseconds(static_cast<int64_t>(config.usage.sync_interval_s) * 1000);
    return std::make_unique<UsageSyncService>(log, std::move(sync), o);
}

double UsageSyncService::seconds_until_due() const {
    if (in_flight_) return 1.0;  // the completion wakes the loop anyway
    Time due = std::min(next_checkpoint_, next_retention_);
    if (sync_) due = std::min(due, next_sync_);
    const auto left = due - SteadyClock::now();
    return std::max(0.0, std::chrono::duration<double>(left).count());
}

void UsageSyncService::poll(Worker& worker) {
    if (in_flight_) return;
    const Time now = SteadyClock::now();
    const bool do_sync = sync_ && now >= next_sync_;
    const bool do_checkpoint = now >= next_checkpoint_ || do_sync;
    const bool do_retention = now >= next_retention_;
    if (!do_sync && !do_checkpoint && !do_retention) return;
    in_flight_ = true;
    if (do_sync && sync_->paused()) sync_->resume();  // the hourly look after a 401/403
    UsageLog* log = &log_;
    UsageSync* sync = do_sync ? sync_.get() : nullptr;
    const milliseconds budget = options_.budget;
    // The job runs on the worker; it touches only the log (thread-safe) and
    // the UsageSync (used by no one else while in_flight_). `this` is used
    // only in the completion, on the UI thread, and the worker is joined
    // before this service goes (see the header).
    worker.post([this, log, sync, budget, do_retention, &worker](const std::atomic<bool>& stopping) {
        if (do_retention) {
            if (auto r = log->enforce_retention(); !r) log::error(r.error());
        }
        SyncResult result;
        if (sync) result = sync->run(stopping, budget);
        if (auto st = log->checkpoint(); !st) log::warn("usage", "checkpoint_failed " + st.error().describe());
        const bool synced = sync != nullptr;
        worker.complete([this, result, synced, do_retention] {
            const Time done = SteadyClock::now();
            if (do_retention) next_retention_ = done + options_.retention_every;
            finished(result, synced, done);
        });
    });
}

void UsageSyncService::finished(const SyncResult& r, bool synced, Time now) {
    in_flight_ = false;
    next_checkpoint_ = now + options_.checkpoint_every;
    if (!synced) return;
    state_.last_outcome = std::string(to_string(r.outcome));
    state_.last_message = r.message;
    state_.sent += r.sent;
    state_.dead_lettered += r.dead_lettered;
    state_.paused = r.outcome == SyncResult::Outcome::paused;
    switch (r.outcome) {
        case SyncResult::Outcome::drained: next_sync_ = now + options_.interval; break;
        case SyncResult::Outcome::budget: next_sync_ = now; break;
        case SyncResult::Outcome::retry_later: next_sync_ = now + r.retry_in; break;
        case SyncResult::Outcome::paused: next_sync_ = now + options_.auth_retry; break;
        case SyncResult::Outcome::stopped: next_sync_ = now; break;
        case SyncResult::Outcome::failed: next_sync_ = now + options_.interval; break;
    }
}

}  // namespace lasr
