// Service notifications for systemd (Type=notify, WatchdogSec=).
//
// The kiosk runs as a child of the cage compositor, which is the unit's main
// process; the unit sets NotifyAccess=all so the kiosk's own messages count.
//
//   READY=1     once, after the first frame is on screen (not before: a
//               kiosk that cannot draw never reports itself started)
//   WATCHDOG=1  only while the main loop's heartbeat advances, at most every
//               quarter of the watchdog timeout; a hung loop stops feeding
//               it and systemd restarts the unit
//
// Outside systemd (no $NOTIFY_SOCKET: a developer's shell, tests, Xvfb runs)
// every call is a cheap no-op.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace lasr::service {

// Where notifications go: systemd's notify socket, or a recorder in tests.
class NotifySink {
public:
    virtual ~NotifySink() = default;
    // Sends one state string ("READY=1"); false if it could not be sent.
    virtual bool send(const std::string& state) = 0;
};

// sd_notify() on $NOTIFY_SOCKET; nullptr when that variable is unset.
std::unique_ptr<NotifySink> systemd_sink();

// The watchdog timeout systemd asked for, from $WATCHDOG_USEC; zero when
// there is none. $WATCHDOG_PID names the unit's main process: honoured when
// it is this process or its parent (the kiosk under cage), otherwise the
// timeout was meant for some other process and is ignored.
std::chrono::microseconds watchdog_timeout(const char* watchdog_usec, const char* watchdog_pid, pid_t self,
                                           pid_t parent);

class ServiceNotifier {
public:
    using Clock = std::chrono::steady_clock;

    // No sink: a no-op notifier. A zero timeout: READY only, no watchdog.
    ServiceNotifier(std::unique_ptr<NotifySink> sink, std::chrono::microseconds watchdog_timeout);
    // From the process environment ($NOTIFY_SOCKET, $WATCHDOG_USEC/_PID).
    static ServiceNotifier from_environment();

    // One call per pass of the main loop. `heartbeat` is the loop's liveness
    // counter (it must advance while the loop is really alive), `frames_shown`
    // the number of frames presented so far.
    void on_loop(uint64_t heartbeat, uint64_t frames_shown, Clock::time_point now);
    // Tells systemd the kiosk is shutting down on purpose.
    void stopping();

    bool enabled() const { return sink_ != nullptr; }
    bool ready_sent() const { return ready_sent_; }
    std::chrono::microseconds timeout() const { return timeout_; }
    uint64_t watchdog_pings() const { return pings_; }

private:
    std::unique_ptr<NotifySink> sink_;
    std::chrono::microseconds timeout_{0};
    bool ready_sent_ = false;
    bool have_beat_ = false;
    uint64_t last_beat_ = 0;        // heartbeat at the last ping
    Clock::time_point last_ping_{};
    uint64_t pings_ = 0;
};

}  // namespace lasr::service
