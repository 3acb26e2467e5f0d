// Training-screen mode (kiosk.mode = "training") inside the app: the
// TrainingDirector's decisions carried out on the player, its progress kept
// in <data_dir>/training.sqlite3, the screen switched by schedule, the clock
// judged. No window: tests drive it with a headless player, a fake wall
// clock and fake power commands.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "config/worker.hpp"
#include "kiosk/training/progress_store.hpp"
#include "kiosk/training/screen_power.hpp"
#include "media/player.hpp"
#include "playlists/training.hpp"

namespace lasr {

class App;
struct Intent;

// What training mode takes from the outside world; every part has a real
// default, and tests replace them.
struct TrainingEnv {
    std::function<SysSeconds()> wall_clock;    // default: the system clock
    std::function<bool()> clock_synchronized;  // default: adjtimex()
    std::optional<SysSeconds> build_time;      // default: this program's build time
    Worker* worker = nullptr;                  // runs the screen power commands; none: no power control
};

class TrainingMode {
public:
    static constexpr double kSaveEveryS = 30;        // progress (the resume position) while playing
    static constexpr double kClockCheckEveryS = 10;  // re-judge the clock

    TrainingMode(App& app, const Config& config, TrainingEnv env);

    void tick(double now);
    void on_player_event(const PlayerEvent& event, double now);
    double seconds_until_next(double now) const;
    // An unattended screen takes no navigation: only these intents apply.
    static bool accepts(const Intent& intent);

    const TrainingStatus& status() const { return director_->status(); }
    const Schedule& schedule() const { return *schedule_; }
    const ScreenPower* power() const { return power_.get(); }
    bool clock_trusted() const { return verdict_.trusted; }

private:
    void apply(TrainingDirector::Command cmd, double now);
    // Queues the director's next video behind the one now playing.
    void queue_next(double now);
    void save_progress(double now);
    void log_status();

    App& app_;
    TrainingEnv env_;
    ClockPolicy policy_;
    std::unique_ptr<Schedule> schedule_;
    std::unique_ptr<TrainingDirector> director_;
    std::unique_ptr<ProgressStore> store_;
    std::unique_ptr<ScreenPower> power_;
    ClockVerdict verdict_;
    double last_clock_check_ = -1e9;
    double last_save_ = 0;
    uint64_t logged_revision_ = ~uint64_t{0};
    std::string seek_video_;  // resume: seek here once this video has started
    double seek_to_s_ = 0;
};

}  // namespace lasr
