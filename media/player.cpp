#include "media/player.hpp"

#include <mpv/client.h>
#include <mpv/render.h>
#include <mpv/render_gl.h>

#include <atomic>
#include <clocale>
#include <cmath>
#include <cstring>
#include <deque>
#include <algorithm>
#include <map>

#include "config/log.hpp"

namespace lasr {

std::string_view to_string(PlayerState s) noexcept {
    switch (s) {
        case PlayerState::idle: return "idle";
        case PlayerState::loading: return "loading";
        case PlayerState::playing: return "playing";
        case PlayerState::paused: return "paused";
        case PlayerState::ended: return "ended";
        case PlayerState::failed: return "failed";
    }
    return "?";
}

namespace {

enum ObserveId : uint64_t { kTimePos = 1, kDuration = 2, kPause = 3 };

Error mpv_failure(const char* what, int rc) {
    return make_error(Domain::media, Errc::internal, std::string(what) + ": " + mpv_error_string(rc));
}

std::string fmt_s(double s) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", s);
    return b;
}

}  // namespace

struct Player::Impl {
    mpv_handle* mpv = nullptr;
    mpv_render_context* render = nullptr;
    PlayerOptions options;
    Wakeup wakeup;
    std::atomic<bool> render_update{false};

    // What was asked to play, in order, until mpv says it started it.
    std::deque<MediaItem> pending;
    std::map<int64_t, MediaItem> by_entry;  // playlist entry id -> item
    MediaItem current;
    int64_t current_entry = -1;

    PlayerState state = PlayerState::idle;
    double last_pos = 0;
    double container_duration = 0;
    bool paused = false;
    bool started = false;
    bool partial_file = false;  // ffmpeg said "partial file" for the current item
    bool captions_visible = true;
    std::string caption_language;

    static void on_wakeup(void* self) {
        auto* impl = static_cast<Impl*>(self);
        if (impl->wakeup) impl->wakeup();
    }
    static void on_render_update(void* self) {
        auto* impl = static_cast<Impl*>(self);
        impl->render_update.store(true);
        if (impl->wakeup) impl->wakeup();
    }

    void command_async(std::initializer_list<const char*> args) {
        std::vector<const char*> argv(args);
        argv.push_back(nullptr);
        int rc = mpv_command_async(mpv, 0, argv.data());
        if (rc < 0) log::warn("media", std::string("mpv command failed: ") + argv[0] + ": " + mpv_error_string(rc));
    }
    void set_int_async(const char* name, int64_t v) { mpv_set_property_async(mpv, 0, name, MPV_FORMAT_INT64, &v); }
    void set_flag_async(const char* name, bool v) {
        int flag = v ? 1 : 0;
        mpv_set_property_async(mpv, 0, name, MPV_FORMAT_FLAG, &flag);
    }

    double expected_duration() const {
        return current.expected_duration_s > 0 ? current.expected_duration_s : container_duration;
    }

    void add_captions() {
        if (current.captions.empty()) return;
        // The preferred language is selected; the others are there to switch to.
        size_t chosen = 0;
        for (size_t i = 0; i < current.captions.size(); ++i)
            if (current.captions[i].language == caption_language) chosen = i;
        for (size_t i = 0; i < current.captions.size(); ++i) {
            const Caption& c = current.captions[i];
            command_async({"sub-add", c.path.c_str(), i == chosen ? "select" : "auto", c.language.c_str(),
                           c.language.c_str()});
        }
    }

    void handle_end(const mpv_event_end_file& end, std::vector<PlayerEvent>& out) {
        auto it = by_entry.find(end.playlist_entry_id);
        MediaItem item = it != by_entry.end() ? it->second : current;
        if (it != by_entry.end()) by_entry.erase(it);
        bool is_current = end.playlist_entry_id == current_entry;
        PlayerEvent ev{PlayerEvent::Kind::ended, item.tag, last_pos, std::nullopt};
        if (end.reason == MPV_END_FILE_REASON_EOF) {
            double expected = is_current ? expected_duration() : item.expected_duration_s;
            // A faststart MP4 cut short ends "normally" at the cut; only the
            // position (and ffmpeg's "partial file" note) tell. One second or
            // 5% of slack covers the last frame's duration and rounding.
            double slack = std::max(1.0, expected * 0.05);
            if ((expected > 0 && last_pos + slack < expected) || partial_file) {
                ev.kind = PlayerEvent::Kind::failed;
                ev.error = make_error(Domain::media, Errc::truncated,
                                      item.path + " ended at " + fmt_s(last_pos) + " s of " + fmt_s(expected) +
                                          " s (file truncated or damaged)");
            }
        } else if (end.reason == MPV_END_FILE_REASON_ERROR) {
            ev.kind = PlayerEvent::Kind::failed;
            Errc code = Errc::unplayable;
            std::string why = mpv_error_string(end.error);
            if (end.error == MPV_ERROR_LOADING_FAILED) {
                code = Errc::not_found;
                why = "could not be opened";
            } else if (end.error == MPV_ERROR_UNKNOWN_FORMAT) {
                why = "is not a playable media file";
            } else if (end.error == MPV_ERROR_NOTHING_TO_PLAY) {
                why = "has no audio or video stream that can be played";
            }
            ev.error = make_error(Domain::media, code, item.path + " " + why);
        } else {
            ev.kind = PlayerEvent::Kind::stopped;
        }
        if (is_current) {
            state = ev.kind == PlayerEvent::Kind::ended   ? PlayerState::ended
                    : ev.kind == PlayerEvent::Kind::failed ? PlayerState::failed
                                                           : PlayerState::idle;
            current_entry = -1;
        }
        out.push_back(std::move(ev));
    }

    void handle(const mpv_event& e, std::vector<PlayerEvent>& out) {
        switch (e.event_id) {
            case MPV_EVENT_LOG_MESSAGE: {
                auto* m = static_cast<mpv_event_log_message*>(e.data);
                std::string text = m->text ? m->text : "";
                while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
                if (text.find("partial file") != std::string::npos) partial_file = true;
                // Hardware decoders that are not there (CUDA, VA-API, VDPAU
                // on a machine without them) are probed and skipped: noise
                // for staff, kept at debug level.
                std::string_view prefix = m->prefix ? m->prefix : "";
                bool probe = prefix == "vaapi" || prefix == "vdpau" || text.find("CUDA") != std::string::npos ||
                             text.find("libcuda") != std::string::npos || text.find("VDPAU") != std::string::npos;
                log::write(m->log_level <= MPV_LOG_LEVEL_ERROR && !probe ? log::Level::warn : log::Level::debug, "media",
                           std::string("mpv ") + std::string(prefix) + ": " + text);
                break;
            }
            case MPV_EVENT_START_FILE: {
                auto* s = static_cast<mpv_event_start_file*>(e.data);
                if (!pending.empty()) {
                    current = std::move(pending.front());
                    pending.pop_front();
                }
                current_entry = s->playlist_entry_id;
                by_entry[current_entry] = current;
                last_pos = 0;
                container_duration = 0;
                started = false;
                partial_file = false;
                state = PlayerState::loading;
                break;
            }
            case MPV_EVENT_FILE_LOADED:
                add_captions();
                state = paused ? PlayerState::paused : PlayerState::playing;
                break;
            case MPV_EVENT_PLAYBACK_RESTART:
                if (!started && current_entry >= 0) {
                    started = true;
                    out.push_back(PlayerEvent{PlayerEvent::Kind::started, current.tag, last_pos, std::nullopt});
                }
                break;
            case MPV_EVENT_END_FILE:
                handle_end(*static_cast<mpv_event_end_file*>(e.data), out);
                break;
            case MPV_EVENT_PROPERTY_CHANGE: {
                auto* p = static_cast<mpv_event_property*>(e.data);
                if (p->format == MPV_FORMAT_DOUBLE) {
                    double v = *static_cast<double*>(p->data);
                    if (e.reply_userdata == kTimePos && std::isfinite(v)) last_pos = std::max(last_pos, v);
                    if (e.reply_userdata == kDuration && std::isfinite(v)) container_duration = v;
                } else if (p->format == MPV_FORMAT_FLAG && e.reply_userdata == kPause) {
                    paused = *static_cast<int*>(p->data) != 0;
                    if (state == PlayerState::playing && paused) state = PlayerState::paused;
                    else if (state == PlayerState::paused && !paused) state = PlayerState::playing;
                }
                break;
            }
            default:
                break;
        }
    }
};

Player::Player(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Player::~Player() {
    if (!impl_) return;
    detach_renderer();
    if (impl_->mpv) mpv_terminate_destroy(impl_->mpv);
}

Result<std::unique_ptr<Player>> Player::create(const PlayerOptions& o, Wakeup wakeup) {
    // mpv refuses to start unless numbers are formatted the C way.
    std::setlocale(LC_NUMERIC, "C");
    auto impl = std::make_unique<Impl>();
    impl->options = o;
    impl->wakeup = std::move(wakeup);
    impl->captions_visible = o.captions_visible;
    impl->caption_language = o.caption_language;
    impl->mpv = mpv_create();
    if (!impl->mpv) return make_error(Domain::media, Errc::unavailable, "libmpv could not be created");
    mpv_handle* h = impl->mpv;

    std::vector<std::pair<std::string, std::string>> opts = {
        {"config", "no"},
        {"terminal", "no"},
        {"idle", "yes"},
        {"keep-open", "no"},
        {"osc", "no"},
        {"input-default-bindings", "no"},
        {"input-vo-keyboard", "no"},
        {"vo", o.headless ? "null" : "libmpv"},
        {"ao", o.audio ? "pulse,alsa,null" : "null"},
        {"hwdec", o.hwdec},
        {"volume", std::to_string(o.volume)},
        {"mute", o.mute ? "yes" : "no"},
        {"sub-visibility", o.captions_visible ? "yes" : "no"},
        {"slang", o.caption_language},
        // Captions for reading at kiosk distance: large, outlined, shadowed,
        // kept clear of the screen's bottom edge.
        {"sub-font", "Noto Sans"},
        {"sub-font-size", std::to_string(o.caption_font_px_at_1080 * 720 / 1080)},
        {"sub-bold", "yes"},
        {"sub-border-size", "3.5"},
        {"sub-shadow-offset", "2"},
        {"sub-shadow-color", "#A0000000"},
        {"sub-margin-y", "110"},  // above the player controls (132 px at 1080); see set_caption_margin
        {"sub-margin-x", "60"},
        {"sub-use-margins", "yes"},
        {"cache", "no"},
        {"demuxer-max-bytes", "32MiB"},
    };
    if (o.headless && o.untimed) {
        opts.emplace_back("untimed", "yes");
        opts.emplace_back("ao-null-untimed", "yes");
    }
    for (const auto& [k, v] : opts) {
        int rc = mpv_set_option_string(h, k.c_str(), v.c_str());
        if (rc < 0) return mpv_failure(("mpv option " + k + "=" + v).c_str(), rc);
    }
    mpv_request_log_messages(h, "warn");
    mpv_observe_property(h, kTimePos, "time-pos", MPV_FORMAT_DOUBLE);
    mpv_observe_property(h, kDuration, "duration", MPV_FORMAT_DOUBLE);
    mpv_observe_property(h, kPause, "pause", MPV_FORMAT_FLAG);
    if (int rc = mpv_initialize(h); rc < 0) return mpv_failure("mpv_initialize", rc);
    mpv_set_wakeup_callback(h, &Impl::on_wakeup, impl.get());
    return std::unique_ptr<Player>(new Player(std::move(impl)));
}

Status Player::load(const MediaItem& item) {
    if (item.path.empty()) return make_error(Domain::media, Errc::invalid_argument, "nothing to play: empty path");
    impl_->pending.push_back(item);
    const char* argv[] = {"loadfile", item.path.c_str(), "replace", nullptr};
    int rc = mpv_command_async(impl_->mpv, 0, argv);
    if (rc < 0) {
        impl_->pending.pop_back();
        return mpv_failure(("loadfile " + item.path).c_str(), rc);
    }
    impl_->set_flag_async("pause", false);
    impl_->state = PlayerState::loading;
    return {};
}

void Player::stop() { impl_->command_async({"stop"}); }
void Player::set_paused(bool p) { impl_->set_flag_async("pause", p); }

void Player::seek_to(double seconds) {
    std::string s = fmt_s(std::max(0.0, seconds));
    impl_->command_async({"seek", s.c_str(), "absolute"});
}

void Player::set_captions_visible(bool visible) {
    impl_->captions_visible = visible;
    impl_->set_flag_async("sub-visibility", visible);
}

void Player::set_muted(bool muted) { impl_->set_flag_async("mute", muted); }

void Player::set_caption_margin(double fraction) {
    // sub-margin-y counts pixels of a 720-line frame.
    impl_->set_int_async("sub-margin-y", static_cast<int64_t>(std::clamp(fraction, 0.0, 0.5) * 720));
}

void Player::set_caption_language(const std::string& language) {
    impl_->caption_language = language;
    const auto& caps = impl_->current.captions;
    for (size_t i = 0; i < caps.size(); ++i) {
        if (caps[i].language == language) {
            // External subtitle tracks are numbered in the order they were added.
            std::string id = std::to_string(i + 1);
            const char* argv[] = {"set", "sid", id.c_str(), nullptr};
            mpv_command_async(impl_->mpv, 0, argv);
        }
    }
}

std::vector<PlayerEvent> Player::poll() { return wait(0); }

std::vector<PlayerEvent> Player::wait(double timeout_s) {
    std::vector<PlayerEvent> out;
    double timeout = timeout_s;
    for (;;) {
        mpv_event* e = mpv_wait_event(impl_->mpv, timeout);
        if (e->event_id == MPV_EVENT_NONE) break;
        impl_->handle(*e, out);
        timeout = 0;
    }
    return out;
}

PlayerState Player::state() const { return impl_->state; }
double Player::position_s() const { return impl_->last_pos; }
double Player::duration_s() const { return impl_->expected_duration(); }
bool Player::paused() const { return impl_->paused; }
bool Player::captions_visible() const { return impl_->captions_visible; }
const std::string& Player::current_tag() const { return impl_->current.tag; }

Status Player::attach_renderer(GetProcAddress gpa, void* ctx) {
    if (impl_->options.headless)
        return make_error(Domain::media, Errc::invalid_argument, "a headless player has no renderer");
    if (impl_->render) return {};
    mpv_opengl_init_params gl{gpa, ctx};
    int advanced = 0;
    mpv_render_param params[] = {
        {MPV_RENDER_PARAM_API_TYPE, const_cast<char*>(MPV_RENDER_API_TYPE_OPENGL)},
        {MPV_RENDER_PARAM_OPENGL_INIT_PARAMS, &gl},
        {MPV_RENDER_PARAM_ADVANCED_CONTROL, &advanced},
        {MPV_RENDER_PARAM_INVALID, nullptr},
    };
    int rc = mpv_render_context_create(&impl_->render, impl_->mpv, params);
    if (rc < 0) {
        impl_->render = nullptr;
        return mpv_failure("mpv_render_context_create", rc);
    }
    mpv_render_context_set_update_callback(impl_->render, &Impl::on_render_update, impl_.get());
    return {};
}

bool Player::frame_pending() {
    if (!impl_->render || !impl_->render_update.exchange(false)) return false;
    return (mpv_render_context_update(impl_->render) & MPV_RENDER_UPDATE_FRAME) != 0;
}

void Player::render(int fbo, int width, int height) {
    if (!impl_->render) return;
    mpv_opengl_fbo target{fbo, width, height, 0};
    int flip = 1;
    mpv_render_param params[] = {
        {MPV_RENDER_PARAM_OPENGL_FBO, &target},
        {MPV_RENDER_PARAM_FLIP_Y, &flip},
        {MPV_RENDER_PARAM_INVALID, nullptr},
    };
    mpv_render_context_render(impl_->render, params);
}

void Player::report_swap() {
    if (impl_->render) mpv_render_context_report_swap(impl_->render);
}

void Player::detach_renderer() {
    if (impl_->render) {
        mpv_render_context_free(impl_->render);
        impl_->render = nullptr;
    }
}

}  // namespace lasr
