// The kiosk's heartbeat: what IT staff see of it in the fleet view
// (lasr-kioskctl fleet), sent as one statement every
// usage.heartbeat_interval_s. About the machine only; nothing of a patron.
#include <sys/statvfs.h>

#include <chrono>
#include <string>

#include "config/log.hpp"
#include "kiosk/app/app.hpp"
#include "playlists/timezone.hpp"

#ifndef LASR_APP_VERSION
#error "LASR_APP_VERSION must be defined by the build (PROJECT_VERSION)"
#endif

namespace lasr {

DiskSpace disk_space(const std::filesystem::path& dir) {
    DiskSpace d;
    struct statvfs vfs {};
    std::error_code ec;
    std::filesystem::path probe = dir;
    while (!probe.empty() && !std::filesystem::exists(probe, ec)) probe = probe.parent_path();
    if (!probe.empty() && statvfs(probe.c_str(), &vfs) == 0) {
        d.free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
        d.total_bytes = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
    }
    return d;
}

xapi::Health App::health() const {
    using namespace std::chrono;
    xapi::Health h;
    h.app_version = LASR_APP_VERSION;
    h.mode = config_.kiosk.mode;
    h.branch = config_.kiosk.branch;
    h.heartbeat_interval_s = config_.usage.heartbeat_interval_s;
    const PackInfo& info = catalog().info;
    h.library = info.library_id;
    h.pack_version = info.version;
    h.pack_issued = info.issued;
    h.pack_expires = info.expires;

    const AppState::Content& c = state_.content;
    // The last finished poll decides: its error stays until a poll succeeds,
    // while the phase moves on to "manifest" as soon as the next one starts.
    const std::string& kind = c.sync_error_kind;
    const bool offline = kind.ends_with(".unavailable") || kind.ends_with(".stalled");
    if (!c.sync_configured) h.content_sync = "off";
    else if (!kind.empty()) h.content_sync = offline ? "offline" : "error";
    else h.content_sync = c.sync_phase.empty() ? "idle" : c.sync_phase;
    h.content_error = kind;
    if (c.sync_last_success > 0) h.content_last_success = xapi::format_timestamp(system_clock::from_time_t(c.sync_last_success));

    // The queue depth and the oldest unsent statement's age: filled in by
    // the usage writer, off the UI thread (UsageWriter::record_heartbeat).
    const DiskSpace disk = disk_space(config_.kiosk.data_dir);
    h.disk_free_mb = disk.total_bytes > 0 ? static_cast<int64_t>(disk.free_bytes >> 20) : -1;
    h.uptime_s = static_cast<int64_t>(log::ms_since_process_start() / 1000.0);
    h.errors = errors_since_heartbeat_;
    h.last_error = last_error_kind_;
    h.screen = "unmanaged";
    if (training_ && training_->power() && training_->power()->enabled()) {
        const auto on = training_->power()->state();
        h.screen = !on ? "unknown" : *on ? "on" : "off";
    }
    return h;
}

void App::note_heartbeat(double now) {
    next_heartbeat_ = now + config_.usage.heartbeat_interval_s;
    if (!usage_) return;
    const xapi::Health h = health();
    usage_->record_heartbeat(h, std::chrono::system_clock::from_time_t(static_cast<std::time_t>(wall_clock_())));
    errors_since_heartbeat_ = 0;
    log::debug("app", "heartbeat content=" + h.content_sync);
}

}  // namespace lasr
