#include "kiosk/app/training_mode.hpp"

#include "config/log.hpp"
#include "kiosk/app/app.hpp"
#include "kiosk/training/system_clock.hpp"

namespace lasr {

TrainingMode::TrainingMode(App& app, const Config& config, TrainingEnv env) : app_(app), env_(std::move(env)) {
    if (!env_.wall_clock) env_.wall_clock = system_now;
    if (!env_.clock_synchronized) env_.clock_synchronized = kernel_clock_synchronized;
    if (!env_.build_time) env_.build_time = build_time();
    policy_ = config.training.clock_trust == "synced" ? ClockPolicy::synced : ClockPolicy::plausible;

    TimeZone zone = TimeZone::utc();
    if (auto z = TimeZone::load(config.kiosk.time_zone)) zone = std::move(*z);
    else log::error("training", z.error().message + "; schedules use UTC until it is fixed");
    schedule_ = std::make_unique<Schedule>(app.catalog(), std::move(zone),
                                           ScheduleOverrides{config.training.default_playlist, config.screen.on_hours});
    if (!schedule_->default_playlist_problem().empty()) log::warn("training", schedule_->default_playlist_problem());

    // Progress is worth keeping, not worth refusing to play over.
    Progress progress;
    if (auto store = ProgressStore::open(config.kiosk.data_dir / "training.sqlite3")) {
        store_ = std::move(*store);
        if (auto p = store_->load()) progress = std::move(*p);
        else log::error("training", p.error().describe());
    } else {
        log::error("training", store.error().describe() + "; progress is kept in memory only");
    }
    director_ = std::make_unique<TrainingDirector>(*schedule_, std::move(progress));
    if (env_.worker) power_ = std::make_unique<ScreenPower>(*env_.worker, config.screen);
    log::info("training", "mode=training zone=" + schedule_->zone().name() + " default_playlist=" +
                              schedule_->default_playlist() + " rules=" + std::to_string(schedule_->rules().size()) +
                              " screen_hours=" + std::to_string(schedule_->screen_hours().size()) +
                              (schedule_->screen_hours_from_config() ? "(config)" : "(pack)") +
                              " power_control=" + (power_ && power_->enabled() ? "on" : "off"));
}

bool TrainingMode::accepts(const Intent& in) {
    return in.kind == Intent::Kind::quit || in.kind == Intent::Kind::toggle_captions ||
           in.kind == Intent::Kind::set_language;
}

void TrainingMode::tick(double now) {
    SysSeconds wall = env_.wall_clock();
    if (now - last_clock_check_ >= kClockCheckEveryS || now < last_clock_check_) {
        bool first = last_clock_check_ < -1e8;
        last_clock_check_ = now;
        ClockVerdict v = judge_clock({wall, env_.clock_synchronized(), *env_.build_time, schedule_->pack_issued()}, policy_);
        if (first || v.trusted != verdict_.trusted)
            log::info("training", std::string("clock trusted=") + (v.trusted ? "yes" : "no") + " now=" +
                                      format_rfc3339_utc(wall) + " why=" + v.why);
        verdict_ = v;
    }
    const TrainingStatus& st = director_->status();
    if (st.mode == TrainingStatus::Mode::playing && seek_video_.empty() && app_.player_.current_tag() == st.video_id &&
        app_.player_.state() == PlayerState::playing)
        director_->note_position(app_.player_.position_s());
    apply(director_->update(wall, verdict_.trusted, now), now);
    if (power_) power_->want(director_->status().screen_on, now);
    save_progress(now);
    log_status();
}

void TrainingMode::on_player_event(const PlayerEvent& ev, double now) {
    if (ev.kind == PlayerEvent::Kind::started && ev.tag == seek_video_) {
        app_.player_.seek_to(seek_to_s_);  // resume where the interruption stopped it
        log::info("training", "resume video=" + ev.tag + " position_s=" + std::to_string(static_cast<int>(seek_to_s_)));
        seek_video_.clear();
        return;
    }
    if (ev.kind != PlayerEvent::Kind::ended && ev.kind != PlayerEvent::Kind::failed) return;
    if (ev.tag == seek_video_) seek_video_.clear();
    apply(director_->on_video_end(ev.tag, ev.kind == PlayerEvent::Kind::failed, now), now);
    save_progress(now);
    log_status();
}

void TrainingMode::apply(TrainingDirector::Command cmd, double now) {
    using Kind = TrainingDirector::Command::Kind;
    // A video that cannot start counts as failed; the director moves on (and
    // rests once every video of the playlist has failed in a row).
    for (int guard = 0; cmd.kind == Kind::play && guard < 10000; ++guard) {
        // The director's next video is usually the one queued behind the
        // last: it is already opening, so it is taken, not loaded again.
        if ((cmd.start_s <= 0 && app_.adopt_queued(cmd.video_id, now)) || app_.start_video(cmd.video_id, now)) {
            seek_video_ = cmd.start_s > 0 ? cmd.video_id : std::string();
            seek_to_s_ = cmd.start_s;
            queue_next(now);
            return;
        }
        cmd = director_->on_video_end(cmd.video_id, true, now);
    }
    if (cmd.kind == Kind::stop) {
        seek_video_.clear();
        app_.stop_player();
    }
    if (director_->status().mode != TrainingStatus::Mode::playing) app_.go(Screen::home);
}

void TrainingMode::queue_next(double now) {
    const TrainingStatus& st = director_->status();
    if (st.mode != TrainingStatus::Mode::playing || st.next_video_id.empty()) return;
    if (!app_.queue_video(st.next_video_id, now))
        log::warn("training", "could not queue video=" + st.next_video_id + "; it will load when its turn comes");
}

void TrainingMode::save_progress(double now) {
    bool due = director_->status().mode == TrainingStatus::Mode::playing && now - last_save_ >= kSaveEveryS;
    if (!director_->take_progress_dirty() && !due) return;
    last_save_ = now;
    if (!store_) return;
    if (auto st = store_->save(director_->progress()); !st) log::error(st.error());
}

void TrainingMode::log_status() {
    const TrainingStatus& st = director_->status();
    if (st.revision == logged_revision_) return;
    logged_revision_ = st.revision;
    std::string line = "status mode=" + std::string(to_string(st.mode)) + " playlist=" + st.playlist;
    if (!st.video_id.empty()) line += " video=" + st.video_id + " next=" + st.next_video_id;
    if (!st.alert_id.empty()) line += " alert=" + st.alert_id;
    if (!st.notice_alert_id.empty()) line += " notice=" + st.notice_alert_id;
    line += std::string(" screen=") + (st.screen_on ? "on" : "off") + " why=\"" + st.reason + "\"";
    log::info("training", line);
}

double TrainingMode::seconds_until_next(double) const {
    // Once a second: alerts start to the second, and a wall clock that
    // jumps makes any longer sleep computed from it unreliable.
    return 1.0;
}

}  // namespace lasr
