#include "kiosk/training/screen_power.hpp"

#include <algorithm>

#include "config/log.hpp"
#include "kiosk/training/command.hpp"

namespace lasr {

// Touched on the UI thread only: jobs hand their result over in a completion.
struct ScreenPower::State {
    std::optional<bool> applied;
    std::optional<Attempt> last;
    bool busy = false;
    int failures = 0;
    double retry_at = 0;
};

namespace {

// The first line of a command's output, short enough for one log line.
std::string first_line(const std::string& s) {
    std::string line = s.substr(0, s.find('\n'));
    if (line.size() > 160) line = line.substr(0, 160) + "...";
    return line;
}

ScreenPower::Attempt run_all(bool on, const std::vector<std::vector<std::string>>& commands, double timeout_s,
                             const std::atomic<bool>& stopping) {
    ScreenPower::Attempt a;
    a.on = on;
    for (const auto& argv : commands) {
        if (stopping.load()) break;
        if (!a.detail.empty()) a.detail += "; ";
        std::string what = join_argv(argv) + ": ";
        auto r = run_command(argv, timeout_s, &stopping);
        if (!r) {
            a.detail += what + r.error().message;
            continue;
        }
        if (r->timed_out) what += "timed out after " + std::to_string(static_cast<int>(timeout_s)) + " s";
        else if (r->status == 0) what += "ok";
        else what += "exit " + std::to_string(r->status);
        if (r->status != 0 && !r->output.empty()) what += " (" + first_line(r->output) + ")";
        a.detail += what;
        if (r->status == 0 && !r->timed_out) {
            a.ok = true;
            break;
        }
    }
    return a;
}

}  // namespace

ScreenPower::ScreenPower(Worker& worker, const ScreenSettings& settings)
    : worker_(worker), settings_(settings), state_(std::make_shared<State>()) {}

ScreenPower::~ScreenPower() = default;

bool ScreenPower::enabled() const { return !settings_.power_on.empty() || !settings_.power_off.empty(); }

void ScreenPower::want(bool on, double mono) {
    State& s = *state_;
    if (!enabled() || s.busy || s.applied == on) return;
    bool retrying = s.last && s.last->on == on && !s.last->ok;
    if (retrying && mono < s.retry_at) return;
    const auto& commands = on ? settings_.power_on : settings_.power_off;
    if (commands.empty()) return;
    s.busy = true;
    double timeout = settings_.command_timeout_s;
    std::weak_ptr<State> weak = state_;
    Worker& worker = worker_;
    worker_.post([on, commands, timeout, weak, mono, &worker](const std::atomic<bool>& stopping) {
        Attempt a = run_all(on, commands, timeout, stopping);
        worker.complete([a, weak, mono] {
            auto st = weak.lock();
            if (!st) return;  // the kiosk moved on (a new pack, shutting down)
            st->busy = false;
            st->last = a;
            const char* what = a.on ? "on" : "off";
            if (a.ok) {
                st->applied = a.on;
                st->failures = 0;
                log::info("screen", std::string("power=") + what + " ok " + a.detail);
            } else {
                ++st->failures;
                double pause = std::min(900.0, 30.0 * (1 << std::min(st->failures - 1, 5)));
                st->retry_at = mono + pause;
                log::warn("screen", std::string("power=") + what + " failed (the kiosk carries on; retry in " +
                                        std::to_string(static_cast<int>(pause)) + " s): " + a.detail);
            }
        });
    });
}

std::optional<bool> ScreenPower::state() const { return state_->applied; }
std::optional<ScreenPower::Attempt> ScreenPower::last() const { return state_->last; }
int ScreenPower::failures_in_a_row() const { return state_->failures; }
bool ScreenPower::busy() const { return state_->busy; }

}  // namespace lasr
