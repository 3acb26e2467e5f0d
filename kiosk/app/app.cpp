#include "kiosk/app/app.hpp"

#include <cmath>

#include "config/log.hpp"

namespace lasr {

namespace {
constexpr double kNoticeSeconds = 6.0;
constexpr double kProgressLogSeconds = 5.0;
}  // namespace

std::string_view to_string(Screen s) noexcept {
    switch (s) {
        case Screen::home: return "home";
        case Screen::course: return "course";
        case Screen::player: return "player";
        case Screen::resources: return "resources";
        case Screen::resource: return "resource";
    }
    return "?";
}

std::optional<Screen> screen_from_string(std::string_view s) noexcept {
    for (Screen sc : {Screen::home, Screen::course, Screen::player, Screen::resources, Screen::resource})
        if (to_string(sc) == s) return sc;
    return std::nullopt;
}

App::App(const Config& config, std::shared_ptr<ContentPack> pack, Player& player, UsageLog* usage)
    : config_(config), pack_(std::move(pack)), player_(player), usage_(usage) {
    state_.language = config_.kiosk.language;
    state_.captions = config_.player.captions;
    state_.content.version = pack_->catalog().info.version;
}

Screen App::after_play() const {
    return !state_.course_id.empty() && catalog().find_course(state_.course_id) ? Screen::course : Screen::home;
}

void App::replace_pack(std::shared_ptr<ContentPack> pack, double now) {
    if (!pack) return;
    (void)now;
    pack_ = std::move(pack);
    state_.content.version = catalog().info.version;
    log::info("app", "pack_live version=" + std::to_string(catalog().info.version) +
                         " courses=" + std::to_string(catalog().courses.size()) +
                         " resources=" + std::to_string(catalog().resources.size()) +
                         " alerts=" + std::to_string(catalog().alerts.size()));
    switch (state_.screen) {
        case Screen::course:
            if (!catalog().find_course(state_.course_id)) {
                state_.course_id.clear();
                go(Screen::home);
            }
            break;
        case Screen::resource:
            if (!catalog().find_resource(state_.resource_id)) go(Screen::resources);
            break;
        default:
            break;  // the player screen ends its play normally, then after_play()
    }
    if (!state_.last_video_id.empty() && !catalog().find_video(state_.last_video_id)) state_.last_video_id.clear();
}

void App::go(Screen s) {
    if (state_.screen != s) log::info("app", std::string("screen=") + std::string(to_string(s)));
    state_.screen = s;
}

void App::show_notice(const std::string& key, double now) {
    state_.notice = key;
    state_.notice_until = now + kNoticeSeconds;
}

void App::dispatch(const Intent& in, double now) {
    last_activity_ = now;
    switch (in.kind) {
        case Intent::Kind::go_home:
            if (state_.screen == Screen::player) player_.stop();
            go(Screen::home);
            break;
        case Intent::Kind::open_course:
            if (!catalog().find_course(in.arg)) {
                log::warn("app", "no course " + in.arg);
                break;
            }
            state_.course_id = in.arg;
            go(Screen::course);
            break;
        case Intent::Kind::play_video:
            start_video(in.arg, now);
            break;
        case Intent::Kind::open_resources:
            go(Screen::resources);
            break;
        case Intent::Kind::set_category:
            state_.category = in.arg;
            break;
        case Intent::Kind::open_resource:
            if (!catalog().find_resource(in.arg)) {
                log::warn("app", "no resource " + in.arg);
                break;
            }
            state_.resource_id = in.arg;
            go(Screen::resource);
            break;
        case Intent::Kind::back:
            switch (state_.screen) {
                case Screen::player:
                    // The play ends as "stopped" when the player reports it.
                    player_.stop();
                    go(after_play());
                    break;
                case Screen::resource: go(Screen::resources); break;
                default: go(Screen::home); break;
            }
            break;
        case Intent::Kind::toggle_pause:
            if (state_.screen == Screen::player) player_.set_paused(!player_.paused());
            break;
        case Intent::Kind::toggle_captions:
            state_.captions = !state_.captions;
            player_.set_captions_visible(state_.captions);
            break;
        case Intent::Kind::seek:
            if (state_.screen == Screen::player) player_.seek_to(in.value);
            break;
        case Intent::Kind::set_language: {
            bool offered = false;
            for (const auto& l : config_.kiosk.languages) offered = offered || l == in.arg;
            if (!offered) {
                log::warn("app", "language " + in.arg + " is not offered on this kiosk");
                break;
            }
            state_.language = in.arg;
            player_.set_caption_language(in.arg);
            break;
        }
        case Intent::Kind::quit:
            if (state_.screen == Screen::player) player_.stop();
            state_.quit = true;
            break;
    }
}

void App::start_video(const std::string& video_id, double now) {
    const Course* course = nullptr;
    const Video* video = catalog().find_video(video_id, &course);
    if (!video) {
        log::warn("app", "no video " + video_id);
        return;
    }
    // Nothing plays that differs from what the library published.
    auto file = pack_->verified_path(video->file);
    if (!file) {
        log::error(file.error());
        show_notice("notice.video_unavailable", now);
        return;
    }
    MediaItem item{video->id, file->string(), video->duration_s, {}};
    for (const auto& [lang, ref] : video->captions) {
        auto cap = pack_->verified_path(ref);
        if (cap) item.captions.push_back(Caption{lang, cap->string()});
        else log::error(cap.error());  // the video still plays, without that language
    }
    if (auto st = player_.load(item); !st) {
        log::error(st.error());
        show_notice("notice.video_unavailable", now);
        return;
    }
    player_.set_captions_visible(state_.captions);
    player_.set_caption_language(state_.language);
    if (play_row_ >= 0) end_play(PlayOutcome::stopped, player_.position_s());
    state_.course_id = course->id;
    state_.video_id = video->id;
    state_.last_video_id = video->id;
    go(Screen::player);
    log::info("app", "play video=" + video->id + " course=" + course->id);
    if (usage_) {
        auto row = usage_->play_started(video->id, course->id, video->duration_s);
        if (row) play_row_ = *row;
        else log::error(row.error());
    }
    last_progress_log_ = now;
}

void App::end_play(std::optional<PlayOutcome> outcome, double position) {
    if (usage_ && play_row_ >= 0 && outcome) {
        if (auto st = usage_->play_ended(play_row_, position, *outcome); !st) log::error(st.error());
    }
    play_row_ = -1;
}

Status App::play_file_and_quit(const std::string& path, double now) {
    single_play_ = true;
    MediaItem item{"file", path, 0, {}};
    LASR_TRY(player_.load(item));
    state_.video_id = item.tag;
    go(Screen::player);
    last_activity_ = now;
    return {};
}

void App::on_player_events(const std::vector<PlayerEvent>& events, double now) {
    for (const PlayerEvent& ev : events) {
        char pos[32];
        std::snprintf(pos, sizeof pos, "%.2f", ev.position_s);
        switch (ev.kind) {
            case PlayerEvent::Kind::started:
                log::info("app", "started video=" + ev.tag);
                break;
            case PlayerEvent::Kind::ended:
            case PlayerEvent::Kind::failed:
            case PlayerEvent::Kind::stopped: {
                bool failed = ev.kind == PlayerEvent::Kind::failed;
                if (failed && ev.error) log::error(*ev.error);
                log::info("app", std::string("end video=") + ev.tag + " position_s=" + pos + " outcome=" +
                                     (failed ? "failed" : ev.kind == PlayerEvent::Kind::ended ? "completed" : "stopped"));
                if (ev.kind != PlayerEvent::Kind::stopped) ++state_.plays_finished;
                if (single_play_ && ev.kind != PlayerEvent::Kind::stopped) {
                    state_.quit = true;
                    state_.exit_code = failed ? 3 : 0;
                    break;
                }
                if (ev.tag == state_.video_id) {
                    end_play(failed ? PlayOutcome::failed
                             : ev.kind == PlayerEvent::Kind::ended ? PlayOutcome::completed
                                                                   : PlayOutcome::stopped,
                             ev.position_s);
                    state_.video_id.clear();
                    if (failed) show_notice("notice.video_failed", now);
                    if (state_.screen == Screen::player) go(after_play());
                }
                break;
            }
        }
    }
}

void App::privacy_reset(double now) {
    // The next person sees nothing of the last: home screen, default
    // language, no filter, captions back to the default.
    log::info("app", "idle_reset");
    state_.screen = Screen::home;
    state_.course_id.clear();
    state_.last_video_id.clear();
    state_.resource_id.clear();
    state_.category.clear();
    state_.notice.clear();
    state_.language = config_.kiosk.language;
    state_.captions = config_.player.captions;
    player_.set_caption_language(state_.language);
    player_.set_captions_visible(state_.captions);
    last_activity_ = now;
}

void App::tick(double now) {
    if (!state_.notice.empty() && now >= state_.notice_until) state_.notice.clear();
    bool playing = state_.screen == Screen::player;
    if (playing) {
        last_activity_ = now;  // someone watching a video is not idle
        if (usage_ && play_row_ >= 0 && now - last_progress_log_ >= kProgressLogSeconds) {
            if (auto st = usage_->play_progress(play_row_, player_.position_s()); !st) log::error(st.error());
            last_progress_log_ = now;
        }
    } else if (config_.kiosk.mode == "patron" && !single_play_) {
        bool pristine = state_.screen == Screen::home && state_.language == config_.kiosk.language &&
                        state_.category.empty() && state_.course_id.empty();
        if (!pristine && now - last_activity_ >= config_.kiosk.idle_timeout_s) privacy_reset(now);
    }
}

double App::seconds_until_next_tick(double now) const {
    double next = 5.0;
    if (!state_.notice.empty()) next = std::min(next, state_.notice_until - now);
    if (state_.screen != Screen::player && config_.kiosk.mode == "patron")
        next = std::min(next, last_activity_ + config_.kiosk.idle_timeout_s - now);
    if (state_.screen == Screen::player) next = std::min(next, kProgressLogSeconds);
    return std::max(0.0, next);
}

}  // namespace lasr
