// Screen power by schedule: the display is switched on or off by running
// configured commands (HDMI-CEC `cec-ctl` first, X11 DPMS `xset` as the
// fallback), each tried in turn until one exits 0. They run on the one
// background worker, without a shell, with a time limit; the result comes
// back to the UI thread and is logged. A failure is reported, retried with a
// growing pause, and never stops the kiosk.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/worker.hpp"

namespace lasr {

class ScreenPower {
public:
    struct Attempt {
        bool on = true;      // what was asked
        bool ok = false;     // some command exited 0
        std::string detail;  // what each command did, for the log and the admin screen
    };

    // `worker` runs the commands and must outlive this object's jobs (it
    // drops completions of a destroyed ScreenPower safely either way).
    ScreenPower(Worker& worker, const ScreenSettings& settings);
    ~ScreenPower();
    ScreenPower(const ScreenPower&) = delete;
    ScreenPower& operator=(const ScreenPower&) = delete;

    // False when no commands are configured: nothing is ever run.
    bool enabled() const;
    // The screen should be `on` (call every tick; it is cheap). Runs the
    // commands when that differs from what was last done, and retries a
    // failure after 30 s, 60 s, ... up to 15 minutes. `mono` is monotonic
    // seconds.
    void want(bool on, double mono);

    std::optional<bool> state() const;  // what the last successful command did; none yet
    std::optional<Attempt> last() const;
    int failures_in_a_row() const;
    bool busy() const;

    struct State;

private:
    Worker& worker_;
    ScreenSettings settings_;
    std::shared_ptr<State> state_;
};

}  // namespace lasr
