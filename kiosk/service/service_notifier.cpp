#include "kiosk/service/service_notifier.hpp"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "config/log.hpp"

namespace lasr::service {
namespace {

class SystemdSink final : public NotifySink {
public:
    bool send(const std::string& state) override {
        int r = sd_notify(0, state.c_str());
        if (r < 0) {
            // Logged once: a broken notify socket must not flood the journal.
            if (!warned_) log::warn("service", "sd_notify failed: " + std::string(std::strerror(-r)));
            warned_ = true;
            return false;
        }
        return r > 0;
    }

private:
    bool warned_ = false;
};

bool parse_u64(const char* s, unsigned long long& out) {
    if (!s || !*s) return false;
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || s[0] == '-') return false;
    out = v;
    return true;
}

}  // namespace

std::unique_ptr<NotifySink> systemd_sink() {
    const char* sock = std::getenv("NOTIFY_SOCKET");
    if (!sock || !*sock) return nullptr;
    return std::make_unique<SystemdSink>();
}

std::chrono::microseconds watchdog_timeout(const char* watchdog_usec, const char* watchdog_pid, pid_t self,
                                           pid_t parent) {
    unsigned long long usec = 0;
    if (!parse_u64(watchdog_usec, usec) || usec == 0) return std::chrono::microseconds{0};
    if (watchdog_pid && *watchdog_pid) {
        unsigned long long pid = 0;
        if (!parse_u64(watchdog_pid, pid)) return std::chrono::microseconds{0};
        if (pid != static_cast<unsigned long long>(self) && pid != static_cast<unsigned long long>(parent))
            return std::chrono::microseconds{0};
    }
    return std::chrono::microseconds{static_cast<std::chrono::microseconds::rep>(usec)};
}

ServiceNotifier::ServiceNotifier(std::unique_ptr<NotifySink> sink, std::chrono::microseconds timeout)
    : sink_(std::move(sink)), timeout_(sink_ ? timeout : std::chrono::microseconds{0}) {}

ServiceNotifier ServiceNotifier::from_environment() {
    auto sink = systemd_sink();
    auto timeout = watchdog_timeout(std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"), getpid(), getppid());
    if (sink) {
        log::info("service", "systemd notify=on watchdog_ms=" +
                                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
    }
    return ServiceNotifier(std::move(sink), timeout);
}

void ServiceNotifier::on_loop(uint64_t heartbeat, uint64_t frames_shown, Clock::time_point now) {
    if (!sink_) return;
    if (!ready_sent_) {
        if (frames_shown == 0) return;  // nothing on screen yet: not started
        ready_sent_ = true;
        sink_->send("READY=1");
        log::info("service", "notified ready");
    }
    if (timeout_.count() <= 0) return;
    // A heartbeat that has not moved since the last ping is not a sign of
    // life: send nothing, and let systemd's timer run out if it stays so.
    if (have_beat_ && heartbeat == last_beat_) return;
    if (have_beat_ && now - last_ping_ < timeout_ / 4) return;
    if (sink_->send("WATCHDOG=1")) ++pings_;
    have_beat_ = true;
    last_beat_ = heartbeat;
    last_ping_ = now;
}

void ServiceNotifier::stopping() {
    if (sink_) sink_->send("STOPPING=1");
}

}  // namespace lasr::service
