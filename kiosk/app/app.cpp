#include "kiosk/app/app.hpp"


#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <sstream>

#include "config/log.hpp"
#include "config/process.hpp"
#include "media/crypto.hpp"

namespace lasr {

namespace {
constexpr double kNoticeSeconds = 6.0;
constexpr double kProgressLogSeconds = 5.0;
constexpr size_t kMaxSearchBytes = 64;

int64_t system_utc_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string rfc3339(int64_t t) {
    time_t tt = static_cast<time_t>(t);
    struct tm tm {};
    gmtime_r(&tt, &tm);
    char b[32];
    std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return b;
}

int severity_rank(const std::string& s) { return s == "emergency" ? 0 : s == "warning" ? 1 : 2; }

}  // namespace

std::string_view to_string(Screen s) noexcept {
    switch (s) {
        case Screen::home: return "home";
        case Screen::course: return "course";
        case Screen::player: return "player";
        case Screen::resources: return "resources";
        case Screen::resource: return "resource";
        case Screen::attract: return "attract";
        case Screen::admin_pin: return "admin_pin";
        case Screen::admin: return "admin";
    }
    return "?";
}

std::optional<Screen> screen_from_string(std::string_view s) noexcept {
    for (Screen sc : {Screen::home, Screen::course, Screen::player, Screen::resources, Screen::resource,
                      Screen::attract, Screen::admin_pin, Screen::admin})
        if (to_string(sc) == s) return sc;
    return std::nullopt;
}

App::App(const Config& config, std::shared_ptr<ContentPack> pack, Player& player, UsageWriter* usage, TrainingEnv training)
    : config_(config), pack_(std::move(pack)), player_(player), usage_(usage) {
    state_.language = config_.kiosk.language;
    state_.captions = config_.player.captions;
    wall_clock_ = system_utc_seconds;
    if (auto z = TimeZone::load(config_.kiosk.time_zone)) zone_ = std::move(*z);
    else log::error("app", z.error().message + "; local times use UTC until it is fixed");
    training_env_ = training;
    if (auto d = Directory::build(catalog())) directory_ = std::move(*d);
    else log::error(d.error());  // the list still shows, unsearchable
    refresh_alerts();
    refresh_results();
    if (config_.kiosk.mode == "training") training_ = std::make_unique<TrainingMode>(*this, config_, std::move(training));
    state_.content.version = pack_->catalog().info.version;
    std::string offered;
    for (const auto& l : config_.kiosk.languages) offered += (offered.empty() ? "" : ",") + l;
    log::info("app", "mode=" + config_.kiosk.mode + " language=" + state_.language + " languages=" + offered +
                         " zone=" + zone_.name() + " idle_timeout_s=" + std::to_string(config_.kiosk.idle_timeout_s) +
                         " daily_restart=" + (config_.kiosk.daily_restart.empty() ? "off" : config_.kiosk.daily_restart));
    note({EventKind::app_started});
}

LocalTime App::local_time() const { return zone_.to_local(SysSeconds{std::chrono::seconds{wall_clock_()}}); }

void App::note(const UsageEvent& event) {
    if (!usage_) return;
    usage_->record(event);
}

void App::note_error(const Error& e) {
    // The kind only ("media.unplayable"): the message may hold paths.
    std::string kind = std::string(to_string(e.domain)) + "." + std::string(to_string(e.code));
    last_error_kind_ = kind;
    ++errors_since_heartbeat_;
    note({EventKind::kiosk_error, kind});
}

void App::note_stop() {
    if (!usage_ || stopped_) return;
    stopped_ = true;
    // A video still playing ends here, with how far it got: the loop stops
    // before the player could report it (quit, admin exit or restart,
    // SIGTERM from systemd).
    if (play_row_ >= 0) end_play(PlayOutcome::stopped, player_.position_s());
    usage_->end_session();
    note({EventKind::app_stopped});
}

void App::note_play(EventKind kind, double position, double from) {
    if (!usage_ || play_row_ < 0) return;
    usage_->play_event(play_row_, kind, position, from);
}

Screen App::after_play() const {
    return !state_.course_id.empty() && catalog().find_course(state_.course_id) ? Screen::course : Screen::home;
}

void App::replace_pack(std::shared_ptr<ContentPack> pack, double now) {
    if (!pack) return;
    (void)now;
    // The old pack lives until everything built on its catalog is rebuilt.
    std::shared_ptr<ContentPack> old = std::move(pack_);
    pack_ = std::move(pack);
    state_.content.version = catalog().info.version;
    log::info("app", "pack_live version=" + std::to_string(catalog().info.version) +
                         " courses=" + std::to_string(catalog().courses.size()) +
                         " resources=" + std::to_string(catalog().resources.size()) +
                         " alerts=" + std::to_string(catalog().alerts.size()));
    // The search index, the alerts and (on a training screen) the schedule
    // come from the catalog: rebuilt over the new one.
    if (auto d = Directory::build(catalog())) directory_ = std::move(*d);
    else {
        directory_.reset();
        log::error(d.error());
    }
    refresh_alerts();
    refresh_results();
    if (training_) {
        // Its Schedule holds a reference to the old catalog: a new training
        // mode over the new one picks up where saved progress left off.
        training_.reset();
        training_ = std::make_unique<TrainingMode>(*this, config_, training_env_);
    }
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

void App::leave_attract() {
    if (!attract_playing_) return;
    attract_playing_ = false;
    stop_player();
    player_.set_muted(config_.player.mute);
    player_.set_caption_margin(0.153);  // above the player's control bar
}

void App::go(Screen s) {
    if (state_.screen == s) return;
    if (state_.screen == Screen::attract) leave_attract();
    log::info("app", std::string("screen=") + std::string(to_string(s)));
    state_.screen = s;
}

bool App::attract_available() const {
    if (config_.kiosk.mode != "patron" || single_play_) return false;
    for (const auto& c : catalog().courses)
        if (!c.videos.empty()) return true;
    return false;
}

void App::show_notice(const std::string& key, double now) {
    state_.notice = key;
    state_.notice_until = now + kNoticeSeconds;
}

void App::dispatch(const Intent& in, double now) {
    if (in.kind == Intent::Kind::qr_shown || in.kind == Intent::Kind::alert_shown) {
        note({in.kind == Intent::Kind::qr_shown ? EventKind::qr_shown : EventKind::alert_shown, in.arg});
        return;
    }
    last_activity_ = now;
    if (training_ && !TrainingMode::accepts(in)) return;  // an unattended screen has no navigation
    // The first touch after the attract screen starts a patron session.
    if (usage_ && in.kind != Intent::Kind::quit && !single_play_ && !usage_->in_session()) {
        usage_->begin_session();
    }
    switch (in.kind) {
        case Intent::Kind::go_home:
            if (state_.screen == Screen::player) stop_player();
            go(Screen::home);
            break;
        case Intent::Kind::open_course:
            if (!catalog().find_course(in.arg)) {
                log::warn("app", "no course " + in.arg);
                break;
            }
            state_.course_id = in.arg;
            go(Screen::course);
            note({EventKind::course_opened, in.arg});
            break;
        case Intent::Kind::play_video:
            start_video(in.arg, now);
            break;
        case Intent::Kind::open_resources:
            go(Screen::resources);
            break;
        case Intent::Kind::set_category:
            state_.category = in.arg;
            refresh_results();
            break;
        case Intent::Kind::open_resource:
            if (!catalog().find_resource(in.arg)) {
                log::warn("app", "no resource " + in.arg);
                break;
            }
            state_.resource_id = in.arg;
            go(Screen::resource);
            note({EventKind::resource_viewed, in.arg});
            if (const Resource* r = catalog().find_resource(in.arg);
                r && (!r->website.empty() || !r->phone.empty() || !r->address.empty()))
                note({EventKind::qr_shown, in.arg});  // the detail screen always shows its QR code
            break;
        case Intent::Kind::back:
            switch (state_.screen) {
                case Screen::player:
                    // The play ends as "stopped" when the player reports it.
                    stop_player();
                    go(after_play());
                    break;
                case Screen::resource: go(Screen::resources); break;
                default: go(Screen::home); break;
            }
            break;
        case Intent::Kind::toggle_pause:
            if (state_.screen == Screen::player) {
                const bool pause = !player_.paused();
                player_.set_paused(pause);
                note_play(pause ? EventKind::video_paused : EventKind::video_played, player_.position_s());
            }
            break;
        case Intent::Kind::toggle_captions:
            state_.captions = !state_.captions;
            player_.set_captions_visible(state_.captions);
            break;
        case Intent::Kind::seek:
            if (state_.screen == Screen::player) {
                note_play(EventKind::video_seeked, in.value, player_.position_s());
                player_.seek_to(in.value);
            }
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
            load_transcript();
            break;
        }
        case Intent::Kind::quit:
            note_stop();  // first: a play still open ends at the player's position
            if (state_.screen == Screen::player || attract_playing_) stop_player();
            state_.quit = true;
            break;
        case Intent::Kind::toggle_transcript:
            state_.transcript_open = !state_.transcript_open;
            break;
        case Intent::Kind::start:
            if (state_.screen == Screen::attract) go(Screen::home);
            break;
        case Intent::Kind::search_open:
            state_.keyboard = true;
            break;
        case Intent::Kind::search_close:
            state_.keyboard = false;
            break;
        case Intent::Kind::type_text:
            if (state_.search.size() + in.arg.size() <= kMaxSearchBytes) {
                state_.search += in.arg;
                refresh_results();
            }
            break;
        case Intent::Kind::backspace:
            if (!state_.search.empty()) {
                // Remove one UTF-8 character, not one byte.
                size_t i = state_.search.size() - 1;
                while (i > 0 && (static_cast<unsigned char>(state_.search[i]) & 0xC0) == 0x80) --i;
                state_.search.erase(i);
                refresh_results();
            }
            break;
        case Intent::Kind::clear_search:
            state_.search.clear();
            refresh_results();
            break;
        case Intent::Kind::toggle_contrast:
            state_.high_contrast = !state_.high_contrast;
            break;
        case Intent::Kind::toggle_large_text:
            state_.large_text = !state_.large_text;
            break;
        case Intent::Kind::admin_open:
            state_.pin_entry.clear();
            state_.pin_wrong = false;
            go(Screen::admin_pin);
            break;
        case Intent::Kind::pin_key:
            if (state_.screen == Screen::admin_pin && now >= state_.pin_locked_until && state_.pin_entry.size() < 12 &&
                in.arg.size() == 1 && std::isdigit(static_cast<unsigned char>(in.arg[0])))
                state_.pin_entry += in.arg;
            state_.pin_wrong = false;
            break;
        case Intent::Kind::pin_clear:
            state_.pin_entry.clear();
            break;
        case Intent::Kind::pin_submit:
            pin_submit(now);
            break;
        case Intent::Kind::admin_action:
            if (state_.screen != Screen::admin && !(state_.screen == Screen::player && state_.video_id == "test-pattern"))
                break;  // only from an unlocked admin screen
            if (in.arg == "test_pattern") {
                MediaItem item{"test-pattern", "av://lavfi:testsrc2=size=1280x720:rate=25,format=yuv420p", 0, {}};
                if (auto st = load_player(item); !st) log::error(st.error());
                else {
                    state_.video_id = item.tag;
                    go(Screen::player);
                }
            } else if (in.arg == "restart") {
                log::info("app", "admin restart");
                state_.exit_code = kExitRestart;
                state_.quit = true;
                note_stop();
            } else if (in.arg == "exit") {
                log::info("app", "admin exit");
                state_.quit = true;
                note_stop();
            } else if (in.arg == "sync_now") {
                log::info("app", "admin: sync now");
                state_.sync_now = true;
            } else if (in.arg == "close") {
                go(Screen::home);
            }
            break;
        case Intent::Kind::qr_shown:
        case Intent::Kind::alert_shown:
            break;  // handled above
    }
}

void App::pin_submit(double now) {
    if (state_.screen != Screen::admin_pin || now < state_.pin_locked_until) return;
    std::string entry = std::move(state_.pin_entry);
    state_.pin_entry.clear();
    if (config_.admin.pin_hash.empty()) {
        log::warn("app", "admin PIN is not set (admin.pin_hash in kiosk.toml); admin screen stays locked");
        state_.pin_wrong = true;
        return;
    }
    if (crypto::verify_pin(entry, config_.admin.pin_hash)) {
        state_.pin_failures = 0;
        state_.pin_wrong = false;
        log::info("app", "admin unlocked");
        go(Screen::admin);
        return;
    }
    ++state_.pin_failures;
    state_.pin_wrong = true;
    log::warn("app", "admin PIN wrong failures=" + std::to_string(state_.pin_failures));
    if (state_.pin_failures % config_.admin.max_attempts == 0) {
        int round = state_.pin_failures / config_.admin.max_attempts;
        double lock = config_.admin.lockout_s * std::pow(2.0, std::min(round - 1, 10));
        state_.pin_locked_until = now + lock;
        log::warn("app", "admin PIN locked lockout_s=" + std::to_string(static_cast<int>(lock)));
    }
}

void App::load_transcript() {
    state_.transcript.clear();
    const Video* v = catalog().find_video(state_.video_id);
    if (!v || v->transcripts.empty()) return;
    auto it = v->transcripts.find(state_.language);
    if (it == v->transcripts.end()) it = v->transcripts.find("en");
    if (it == v->transcripts.end()) it = v->transcripts.begin();
    if (it->second.size > 64 * 1024) return;  // a transcript, not a book
    auto path = pack_->verified_path(it->second);
    if (!path) {
        log::error(path.error());
        return;
    }
    std::ifstream f(*path);
    std::ostringstream ss;
    ss << f.rdbuf();
    state_.transcript = ss.str();
}

void App::refresh_results() {
    state_.results.clear();
    const auto& res = catalog().resources;
    std::vector<size_t> found;
    if (directory_) {
        auto r = directory_->search(state_.search, state_.category);
        if (r) found = std::move(*r);
        else log::error(r.error());
    } else {
        for (size_t i = 0; i < res.size(); ++i)
            if (state_.category.empty() || res[i].category == state_.category) found.push_back(i);
    }
    // Resources pinned by an active alert come first.
    std::vector<size_t> pinned;
    for (size_t a : state_.alerts)
        for (const auto& id : catalog().alerts[a].pin_resources)
            for (size_t i : found)
                if (res[i].id == id && std::find(pinned.begin(), pinned.end(), i) == pinned.end()) pinned.push_back(i);
    state_.results = pinned;
    for (size_t i : found)
        if (std::find(pinned.begin(), pinned.end(), i) == pinned.end()) state_.results.push_back(i);
}

void App::refresh_alerts() {
    std::string now = rfc3339(wall_clock_());
    std::vector<size_t> active;
    const auto& alerts = catalog().alerts;
    for (size_t i = 0; i < alerts.size(); ++i) {
        const Alert& a = alerts[i];
        if ((a.starts.empty() || a.starts <= now) && (a.ends.empty() || now < a.ends)) active.push_back(i);
    }
    std::stable_sort(active.begin(), active.end(), [&](size_t x, size_t y) {
        return severity_rank(alerts[x].severity) < severity_rank(alerts[y].severity);
    });
    if (active != state_.alerts) {
        for (size_t i : active)
            if (std::find(state_.alerts.begin(), state_.alerts.end(), i) == state_.alerts.end())
                {
                    log::info("app", "alert_on id=" + alerts[i].id + " severity=" + alerts[i].severity);
                    note({EventKind::alert_shown, alerts[i].id});
                }
        state_.alerts = std::move(active);
        refresh_results();
    }
}

void App::start_attract(double now) {
    if (training_) return;  // a training screen plays its schedule instead
    last_activity_ = now;
    if (!attract_available()) {
        go(Screen::home);
        return;
    }
    go(Screen::attract);
    player_.set_muted(true);
    player_.set_caption_margin(0.22);  // above the "touch to start" band
    player_.set_captions_visible(true);
    attract_playing_ = true;
    // One video playing and the next queued behind it, so libmpv opens it
    // ahead and the change shows no gap (each end queues one more).
    if (play_next_attract(true, now)) play_next_attract(false, now);
}

bool App::play_next_attract(bool replace, double now) {
    // The first video of each course in turn: a taste of every course.
    const auto& courses = catalog().courses;
    for (size_t tries = 0; tries < courses.size(); ++tries) {
        const Course& c = courses[attract_next_++ % courses.size()];
        if (c.videos.empty()) continue;
        auto item = media_item(c.videos.front(), now, false);
        if (!item) continue;
        item->tag = "attract:" + item->tag;
        if (auto st = replace ? load_player(*item) : player_.queue(*item); !st) {
            log::error(st.error());
            continue;
        }
        player_.set_caption_language(state_.language);
        return true;
    }
    attract_playing_ = false;  // nothing playable: the attract screen stays, still
    return false;
}

AdminStatus App::admin_status() const {
    AdminStatus a;
    const PackInfo& info = catalog().info;
    a.library = info.library_name.empty() ? info.library_id : info.library_name;
    a.content_version = info.version;
    a.content_issued = info.issued;
    a.content_expires = info.expires;
    a.content_expired = !info.expires.empty() && info.expires < rfc3339(wall_clock_());
    a.courses = catalog().courses.size();
    for (const auto& c : catalog().courses) a.videos += c.videos.size();
    a.resources = catalog().resources.size();
    a.pack_dir = pack_->dir().string();
    if (usage_) {
        if (auto s = usage_->log().summary()) {
            a.have_usage = true;
            a.usage = *s;
        }
    }
    const DiskSpace disk = disk_space(config_.kiosk.data_dir);
    a.disk_free_bytes = disk.free_bytes;
    a.disk_total_bytes = disk.total_bytes;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/sys/class/net", ec)) {
        std::string name = e.path().filename().string();
        if (name == "lo") continue;
        std::ifstream f(e.path() / "operstate");
        std::string state;
        if (f >> state && state == "up") a.network_up.push_back(name);
    }
    for (const auto& p : log::recent_problems()) a.problems.push_back(p.component + ": " + p.text);
    a.content = state_.content;
    a.upload = state_.upload;
    if (usage_) {
        if (auto q = usage_->log().status()) {
            a.have_queue = true;
            a.queue = std::move(*q);
        }
    }
    a.now = static_cast<std::time_t>(wall_clock_());
    a.uptime_s = log::ms_since_process_start() / 1000.0;
    if (const long long rss = resident_bytes(); rss >= 0) a.rss_mb = static_cast<double>(rss) / (1024.0 * 1024.0);
    a.daily_restart = config_.kiosk.daily_restart;
    return a;
}

std::optional<MediaItem> App::media_item(const Video& video, double now, bool tell_patron) {
    // Nothing plays that differs from what the library published.
    auto file = pack_->verified_path(video.file);
    if (!file) {
        log::error(file.error());
        note_error(file.error());
        if (tell_patron) show_notice("notice.video_unavailable", now);
        return std::nullopt;
    }
    MediaItem item{video.id, file->string(), video.duration_s, {}};
    for (const auto& [lang, ref] : video.captions) {
        auto cap = pack_->verified_path(ref);
        if (cap) item.captions.push_back(Caption{lang, cap->string()});
        else log::error(cap.error());  // the video still plays, without that language
    }
    return item;
}

void App::begin_play(const Video& video, const Course& course, double now) {
    if (play_row_ >= 0) end_play(PlayOutcome::stopped, player_.position_s());
    state_.course_id = course.id;
    state_.video_id = video.id;
    state_.last_video_id = video.id;
    load_transcript();
    go(Screen::player);
    log::info("app", "play video=" + video.id + " course=" + course.id);
    if (usage_) {
        play_row_ = usage_->play_started(video.id, course.id, video.duration_s);
    }
    last_progress_log_ = now;
}

bool App::start_video(const std::string& video_id, double now) {
    const Course* course = nullptr;
    const Video* video = catalog().find_video(video_id, &course);
    if (!video) {
        log::warn("app", "no video " + video_id);
        return false;
    }
    auto item = media_item(*video, now, true);
    if (!item) return false;
    // Before loading: leaving the attract loop stops the player (going to
    // the player screen afterwards would stop this video instead).
    leave_attract();
    if (auto st = load_player(*item); !st) {
        log::error(st.error());
        note_error(st.error());
        show_notice("notice.video_unavailable", now);
        return false;
    }
    player_.set_captions_visible(state_.captions);
    player_.set_caption_language(state_.language);
    begin_play(*video, *course, now);
    return true;
}

Status App::load_player(const MediaItem& item) {
    queued_video_.clear();  // load() replaces the queue
    return player_.load(item);
}

void App::stop_player() {
    player_.stop();
    queued_video_.clear();
}

bool App::queue_video(const std::string& video_id, double now) {
    const Course* course = nullptr;
    const Video* video = catalog().find_video(video_id, &course);
    if (!video) return false;
    auto item = media_item(*video, now, false);
    if (!item) return false;
    if (auto st = player_.queue(*item); !st) {
        log::error(st.error());
        return false;
    }
    queued_video_ = video_id;
    return true;
}

bool App::adopt_queued(const std::string& video_id, double now) {
    if (queued_video_ != video_id) return false;
    queued_video_.clear();
    // Still waiting its turn, or already opened by libmpv right after the
    // previous one ended.
    const bool current = player_.current_tag() == video_id &&
                         (player_.state() == PlayerState::loading || player_.state() == PlayerState::playing);
    if (!player_.is_queued(video_id) && !current) return false;
    const Course* course = nullptr;
    const Video* video = catalog().find_video(video_id, &course);
    if (!video) return false;
    begin_play(*video, *course, now);
    return true;
}

void App::end_play(std::optional<PlayOutcome> outcome, double position) {
    if (usage_ && play_row_ >= 0 && outcome) {
        usage_->play_ended(play_row_, position, *outcome);
    }
    play_row_ = -1;
}

Status App::play_file_and_quit(const std::string& path, double now) {
    single_play_ = true;
    MediaItem item{"file", path, 0, {}};
    LASR_TRY(load_player(item));
    state_.video_id = item.tag;
    go(Screen::player);
    last_activity_ = now;
    return {};
}

void App::on_player_events(const std::vector<PlayerEvent>& events, double now) {
    for (const PlayerEvent& ev : events) {
        if (ev.tag.rfind("attract:", 0) == 0) {
            // The attract loop is not a patron's play: nothing is logged but
            // failures; it goes on to the next video.
            if (ev.kind == PlayerEvent::Kind::failed && ev.error) log::error(*ev.error);
            if (attract_playing_ && state_.screen == Screen::attract &&
                (ev.kind == PlayerEvent::Kind::ended || ev.kind == PlayerEvent::Kind::failed))
                play_next_attract(false, now);  // the queued one plays now; queue the one after
            continue;
        }
        char pos[32];
        std::snprintf(pos, sizeof pos, "%.2f", ev.position_s);
        switch (ev.kind) {
            case PlayerEvent::Kind::started:
                log::info("app", "started video=" + ev.tag);
                if (ev.tag == state_.video_id) note_play(EventKind::video_played, ev.position_s);
                break;
            case PlayerEvent::Kind::ended:
            case PlayerEvent::Kind::failed:
            case PlayerEvent::Kind::stopped: {
                bool failed = ev.kind == PlayerEvent::Kind::failed;
                if (failed && ev.error) log::error(*ev.error);
                if (failed && !single_play_)
                    note_error(ev.error ? *ev.error : make_error(Domain::media, Errc::unplayable, ""));
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
                    if (state_.screen == Screen::player && !training_) go(after_play());
                }
                break;
            }
        }
        if (training_) training_->on_player_event(ev, now);
    }
}

void App::privacy_reset(double now) {
    // The next person sees nothing of the last: home screen, default
    // language, no filter, captions back to the default.
    log::info("app", "idle_reset");
    // The patron session ends, and its id is forgotten.
    if (usage_) usage_->end_session();
    state_.screen = Screen::home;
    state_.course_id.clear();
    state_.last_video_id.clear();
    state_.resource_id.clear();
    state_.category.clear();
    state_.notice.clear();
    state_.language = config_.kiosk.language;
    state_.captions = config_.player.captions;
    state_.search.clear();
    state_.keyboard = false;
    state_.high_contrast = false;
    state_.large_text = false;
    state_.pin_entry.clear();
    state_.pin_wrong = false;
    refresh_results();
    player_.set_caption_language(state_.language);
    player_.set_captions_visible(state_.captions);
    last_activity_ = now;
    start_attract(now);
}

void App::tick(double now) {
    if (first_tick_ < 0) first_tick_ = now;
    if (training_) training_->tick(now);
    if (usage_ && !single_play_ && now >= next_heartbeat_) note_heartbeat(now);
    if (now >= next_memory_log_) {
        // For IT staff and the soak bench: whether a kiosk that runs for
        // weeks grows, and whether by leaks (in use) or fragmentation (free).
        next_memory_log_ = now + config_.usage.heartbeat_interval_s;
        log::info("app", "memory " + memory_fields(memory_stats()));
    }
    if (!state_.notice.empty() && now >= state_.notice_until) state_.notice.clear();
    if (last_alert_check_ < 0 || (!catalog().alerts.empty() && now - last_alert_check_ >= 1.0)) {
        last_alert_check_ = now;
        refresh_alerts();
    }
    bool playing = state_.screen == Screen::player;
    if (playing) {
        last_activity_ = now;  // someone watching a video is not idle
        if (usage_ && play_row_ >= 0 && now - last_progress_log_ >= kProgressLogSeconds) {
            usage_->play_progress(play_row_, player_.position_s());
            last_progress_log_ = now;
        }
    } else if (config_.kiosk.mode == "patron" && !single_play_) {
        if (!pristine() && now - last_activity_ >= config_.kiosk.idle_timeout_s) privacy_reset(now);
    }
    if (daily_restart_due(now)) {
        char b[96];
        std::snprintf(b, sizeof b, "daily_restart at=%s uptime_h=%.1f", config_.kiosk.daily_restart.c_str(),
                      (now - first_tick_) / 3600);
        log::info("app", b);
        state_.exit_code = kExitRestart;
        state_.quit = true;
        note_stop();
    }
}

bool App::pristine() const {
    return (state_.screen == Screen::attract || (state_.screen == Screen::home && !attract_available())) &&
           state_.language == config_.kiosk.language && state_.category.empty() && state_.course_id.empty() &&
           state_.search.empty() && !state_.high_contrast && !state_.large_text;
}

bool App::daily_restart_due(double now) const {
    const int at = config_.kiosk.daily_restart_min;
    if (at < 0 || single_play_ || state_.quit || now - first_tick_ < kDailyRestartMinUptimeS) return false;
    // In the hour from the set time, so a kiosk busy (or asleep) at that
    // minute still restarts once it is idle; a missed hour waits a day.
    const int since = (local_time().minute_of_day - at + 1440) % 1440;
    if (since >= 60) return false;
    // A patron kiosk waits for nobody at it; a training screen (its
    // schedule plays all day, its screen is often off at night) only for
    // its admin screen to be closed.
    if (config_.kiosk.mode == "patron") return pristine();
    return state_.screen != Screen::admin && state_.screen != Screen::admin_pin;
}

double App::seconds_until_next_tick(double now) const {
    double next = 5.0;
    if (!state_.notice.empty()) next = std::min(next, state_.notice_until - now);
    if (state_.screen != Screen::player && state_.screen != Screen::attract && config_.kiosk.mode == "patron")
        next = std::min(next, last_activity_ + config_.kiosk.idle_timeout_s - now);
    if (state_.pin_locked_until > now) next = std::min(next, state_.pin_locked_until - now);
    if (!catalog().alerts.empty()) next = std::min(next, 1.0);  // alert windows, to the second
    if (state_.screen == Screen::player) next = std::min(next, kProgressLogSeconds);
    if (training_) next = std::min(next, training_->seconds_until_next(now));
    return std::max(0.0, next);
}

}  // namespace lasr
