#include "playlists/training.hpp"

#include <algorithm>

namespace lasr {
namespace {

TrainingDirector::Command stop_command() {
    TrainingDirector::Command c;
    c.kind = TrainingDirector::Command::Kind::stop;
    return c;
}

}  // namespace

std::string_view to_string(TrainingStatus::Mode m) noexcept {
    switch (m) {
        case TrainingStatus::Mode::starting: return "starting";
        case TrainingStatus::Mode::playing: return "playing";
        case TrainingStatus::Mode::alert: return "alert";
        case TrainingStatus::Mode::asleep: return "asleep";
        case TrainingStatus::Mode::nothing: return "nothing";
    }
    return "?";
}

TrainingDirector::TrainingDirector(const Schedule& schedule, Progress progress)
    : schedule_(schedule), progress_(std::move(progress)) {}

bool TrainingDirector::take_progress_dirty() {
    bool d = dirty_;
    dirty_ = false;
    return d;
}

void TrainingDirector::bump() { ++status_.revision; }

void TrainingDirector::set_mode(TrainingStatus::Mode m) {
    status_.mode = m;
    if (m != TrainingStatus::Mode::playing) {
        status_.video_id.clear();
        status_.next_video_id.clear();
    }
    if (m != TrainingStatus::Mode::alert) status_.alert_id.clear();
    if (m != TrainingStatus::Mode::asleep) status_.asleep_until.reset();
}

Cursor& TrainingDirector::cursor() {
    Cursor& c = progress_[status_.playlist];
    if (items_.empty()) return c;
    if (c.index < items_.size() && items_[c.index] == c.video_id) return c;
    // The playlist changed under the saved progress (a new pack): find the
    // same video, else keep the place, else start over.
    auto it = std::find(items_.begin(), items_.end(), c.video_id);
    if (it != items_.end()) {
        c.index = static_cast<size_t>(it - items_.begin());
    } else {
        if (c.index >= items_.size()) c.index = 0;
        c.video_id = items_[c.index];
        c.position_s = 0;
    }
    return c;
}

void TrainingDirector::refresh_next() {
    status_.index = cursor().index;
    status_.count = items_.size();
    status_.next_video_id = items_.empty() ? std::string() : items_[(status_.index + 1) % items_.size()];
}

TrainingDirector::Command TrainingDirector::play_cursor() {
    Cursor& c = cursor();
    status_.video_id = c.video_id;
    refresh_next();
    video_active_ = true;
    dirty_ = true;
    double start = c.position_s > 0 ? std::max(0.0, c.position_s - kResumeRewindS) : 0.0;
    return Command{Command::Kind::play, c.video_id, start};
}

TrainingDirector::Command TrainingDirector::start_playlist(const std::string& playlist) {
    status_.playlist = playlist;
    items_ = schedule_.videos_of(playlist);
    status_.count = items_.size();
    consecutive_failures_ = 0;
    if (items_.empty()) {
        bool was_active = video_active_;
        video_active_ = false;
        set_mode(TrainingStatus::Mode::nothing);
        retry_at_ = last_mono_ + kRetryAfterFailuresS;
        return was_active ? stop_command() : Command{};
    }
    set_mode(TrainingStatus::Mode::playing);
    return play_cursor();
}

TrainingDirector::Command TrainingDirector::update(SysSeconds wall, bool trusted, double mono) {
    TrainingStatus before = status_;
    last_mono_ = mono;
    Schedule::Choice choice = schedule_.choose(wall, trusted);
    SysSeconds alert_time = wall;
    if (!trusted)
        if (auto issued = schedule_.pack_issued(); issued && *issued > wall) alert_time = *issued;
    std::vector<const Alert*> alerts = schedule_.active_alerts(alert_time);
    const Alert* takeover = nullptr;
    const Alert* notice = nullptr;
    for (const Alert* a : alerts) {
        if (a->severity == "info") notice = notice ? notice : a;
        else takeover = takeover ? takeover : a;
    }
    status_.clock_trusted = trusted;
    status_.reason = schedule_.explain(choice);
    status_.notice_alert_id = notice ? notice->id : std::string();
    status_.other_alerts = alerts.size() - (takeover ? 1 : 0) - (notice ? 1 : 0);
    status_.screen_on = takeover != nullptr || schedule_.screen_on(wall, trusted);

    Command cmd;
    auto leave_playback = [&] {
        if (video_active_) {
            video_active_ = false;
            dirty_ = true;  // the interrupted video's position is worth keeping
            cmd = stop_command();
        }
    };
    if (takeover) {
        leave_playback();
        set_mode(TrainingStatus::Mode::alert);
        status_.alert_id = takeover->id;
        status_.playlist = choice.playlist;
    } else if (!status_.screen_on) {
        leave_playback();
        bool entering = status_.mode != TrainingStatus::Mode::asleep;
        set_mode(TrainingStatus::Mode::asleep);
        status_.playlist = choice.playlist;
        if (entering || !status_.asleep_until || wall >= *status_.asleep_until || wall < before_wall_) {
            // When the screen comes back on: the first change that turns it on.
            status_.asleep_until.reset();
            SysSeconds t = wall;
            for (int i = 0; i < 16; ++i) {
                auto next = schedule_.next_change(t);
                if (!next) break;
                if (schedule_.screen_on(*next, true)) {
                    status_.asleep_until = *next;
                    break;
                }
                t = *next;
            }
        }
    } else if (status_.mode == TrainingStatus::Mode::playing && status_.playlist == choice.playlist && video_active_) {
        // Carry on.
    } else if (status_.mode == TrainingStatus::Mode::nothing && status_.playlist == choice.playlist && mono < retry_at_) {
        // Wait before trying a playlist that would not play.
    } else {
        if (video_active_) dirty_ = true;  // leaving a video mid-way: keep its place
        cmd = start_playlist(choice.playlist);
    }
    before_wall_ = wall;
    if (!(before == status_)) bump();
    return cmd;
}

void TrainingDirector::note_position(double position_s) {
    if (status_.mode != TrainingStatus::Mode::playing || !video_active_ || items_.empty()) return;
    if (position_s >= 0) cursor().position_s = position_s;
}

TrainingDirector::Command TrainingDirector::on_video_end(const std::string& video_id, bool failed, double mono) {
    last_mono_ = mono;
    if (!video_active_ || status_.mode != TrainingStatus::Mode::playing || video_id != status_.video_id || items_.empty())
        return {};  // a stale report about something already replaced
    TrainingStatus before = status_;
    video_active_ = false;
    Cursor& c = cursor();
    c.index = (c.index + 1) % items_.size();
    c.video_id = items_[c.index];
    c.position_s = 0;
    dirty_ = true;
    Command cmd;
    if (failed && ++consecutive_failures_ >= static_cast<int>(items_.size())) {
        // Every video of the playlist failed in a row: rest, then try again.
        set_mode(TrainingStatus::Mode::nothing);
        retry_at_ = mono + kRetryAfterFailuresS;
    } else {
        if (!failed) consecutive_failures_ = 0;
        cmd = play_cursor();
    }
    if (!(before == status_)) bump();
    return cmd;
}

}  // namespace lasr
