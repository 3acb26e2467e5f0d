#include "media/player.hpp"

#include <mpv/client.h>
#include <mpv/render.h>
#include <mpv/render_gl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <set>

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

std::optional<double> MemoryResumeStore::position(const std::string& tag) {
    auto it = positions_.find(tag);
    if (it == positions_.end()) return std::nullopt;
    return it->second;
}
void MemoryResumeStore::remember(const std::string& tag, double position_s) { positions_[tag] = position_s; }
void MemoryResumeStore::forget(const std::string& tag) { positions_.erase(tag); }

namespace {

enum ObserveId : uint64_t {
    kTimePos = 1,
    kDuration,
    kPause,
    kTrackList,
    kSubText,
    kEofReached,
    kVideoOutSet,
    kContainerFps,
};

// A resume position is worth using when it skips something and leaves
// something to watch.
constexpr double kResumeMinS = 3.0;
constexpr double kResumeTailS = 5.0;
// Frames in a row drawn with OpenGL errors before the item is given up.
constexpr int kRenderErrorLimit = 3;
// How often a resumable item's position is saved while it plays.
constexpr double kResumeSaveEveryS = 5.0;
// A silent item followed by a prerolled one ends this share of a frame
// interval before its last frame has had its whole interval (see
// early_end_at).
constexpr double kEarlyEndShare = 0.2;

Error mpv_failure(const char* what, int rc) {
    return make_error(Domain::media, Errc::internal, std::string(what) + ": " + mpv_error_string(rc));
}

std::string fmt_s(double s) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", s);
    return b;
}

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The caption to show: the preferred language, then the fallbacks in order,
// then the first track.
std::optional<size_t> choose_caption(const std::vector<Caption>& caps, const std::string& preferred,
                                     const std::vector<std::string>& fallback) {
    if (caps.empty()) return std::nullopt;
    auto find = [&](const std::string& lang) -> std::optional<size_t> {
        for (size_t i = 0; i < caps.size(); ++i)
            if (caps[i].language == lang) return i;
        return std::nullopt;
    };
    if (auto i = find(preferred)) return i;
    for (const auto& l : fallback)
        if (auto i = find(l)) return i;
    return size_t{0};
}

const char* gl_error_name(unsigned e) {
    switch (e) {
        case 0x0500: return "GL_INVALID_ENUM";
        case 0x0501: return "GL_INVALID_VALUE";
        case 0x0502: return "GL_INVALID_OPERATION";
        case 0x0505: return "GL_OUT_OF_MEMORY";
        case 0x0506: return "GL_INVALID_FRAMEBUFFER_OPERATION";
        case 0x0507: return "GL_CONTEXT_LOST";
        default: return "GL error";
    }
}

const mpv_node* map_get(const mpv_node& map, const char* key) {
    if (map.format != MPV_FORMAT_NODE_MAP) return nullptr;
    for (int i = 0; i < map.u.list->num; ++i)
        if (std::strcmp(map.u.list->keys[i], key) == 0) return &map.u.list->values[i];
    return nullptr;
}

}  // namespace

// One libmpv core with its own render context: plays the current item
// (and, without preroll, the items queued after it in mpv's playlist).
// With preroll the Player keeps two: the one on screen and the next item,
// opened and paused on its first frame.
struct MpvDeck {
    using Wakeup = Player::Wakeup;
    ~MpvDeck();
    static Result<std::unique_ptr<MpvDeck>> create(const PlayerOptions& options, Wakeup wakeup,
                                                std::shared_ptr<ResumeStore> resume, bool keep_open);
    Status load(const MediaItem& item, bool start_paused);
    // After the current item (and those queued before it), in mpv's playlist.
    Status queue(const MediaItem& item) { return send_load(make_entry(item), "append-play"); }
    void play_now();
    void discard();
    bool finished() const;
    std::vector<PlayerEvent> wait(double timeout_s);
    Status attach_renderer(Player::GetProcAddress gpa, void* ctx);
    bool frame_pending();
    Status render(int fbo, int width, int height);
    void report_swap();
    void detach_renderer();

    // An item in mpv's playlist. mpv names it (its playlist entry id) in the
    // reply to our loadfile; that reply always comes before the item starts.
    struct Entry {
        MediaItem item;
        uint64_t token = 0;  // our loadfile's reply_userdata
        int64_t id = -1;     // mpv's playlist entry id, once known
        int attempt = 0;     // 1 after a stall reload
        double start_s = 0;
    };

    mpv_handle* mpv = nullptr;
    mpv_render_context* render_ctx = nullptr;
    PlayerOptions options;
    Wakeup wakeup;
    std::atomic<bool> render_update{false};
    std::shared_ptr<ResumeStore> resume;
    using GlGetError = unsigned (*)();
    GlGetError gl_get_error = nullptr;

    uint64_t next_token = 100;            // loadfile tokens; small numbers are property ids
    std::deque<Entry> upcoming;           // not started yet, in play order
    std::deque<Entry> dropped;            // replaced before they started (may still start, briefly)
    std::set<int64_t> swallow;            // entries whose end is already accounted for
    Entry current;
    int64_t current_id = -1;
    std::vector<PlayerEvent> out_of_band; // events raised outside poll() (render errors)
    std::map<uint64_t, double> unanswered; // loadfile token -> when it was sent
    bool reported_unresponsive = false;

    PlayerState state = PlayerState::idle;
    double position = 0;
    double max_position = 0;
    double container_duration = 0;
    double position_at = 0;       // when `position` last changed (now_s)
    double min_step = 0;          // the smallest step forward it took this item (0: none yet)
    double container_fps = 0;     // 0: not known
    bool audio_selected = false;  // the current item plays a sound track
    bool paused = false;
    bool started = false;
    // mpv's end came with the last frame (Matroska and WebM: mpv 0.35 does
    // not wait out the last frame's interval there), and the item is held
    // until that frame has had its time; see Player::Impl::step.
    bool end_held = false;
    bool partial_file = false;  // ffmpeg said "partial file" for the current item
    bool captions_visible = true;
    std::string caption_language;  // preferred
    std::string shown_caption;     // language of the track shown
    std::string caption_text;
    struct SubTrack {
        int64_t id;
        std::string file;  // external-filename
    };
    std::vector<SubTrack> sub_tracks;
    int64_t selected_sid = -1;
    double last_progress = 0;      // when the position last moved (or loading began)
    double last_resume_save = 0;
    int render_errors_in_row = 0;
    bool file_open = false;     // a file is loaded (its demuxer and decoders live)
    PlayerStats stats;

    static void on_wakeup(void* self) {
        auto* impl = static_cast<MpvDeck*>(self);
        if (impl->wakeup) impl->wakeup();
    }
    static void on_render_update(void* self) {
        auto* impl = static_cast<MpvDeck*>(self);
        impl->render_update.store(true);
        if (impl->wakeup) impl->wakeup();
    }

    void command_async(std::initializer_list<const char*> args, uint64_t userdata = 0) {
        std::vector<const char*> argv(args);
        argv.push_back(nullptr);
        int rc = mpv_command_async(mpv, userdata, argv.data());
        if (rc < 0) log::warn("media", std::string("mpv command failed: ") + argv[0] + ": " + mpv_error_string(rc));
    }
    void set_int_async(const char* name, int64_t v) { mpv_set_property_async(mpv, 0, name, MPV_FORMAT_INT64, &v); }
    void set_flag_async(const char* name, bool v) {
        int flag = v ? 1 : 0;
        mpv_set_property_async(mpv, 0, name, MPV_FORMAT_FLAG, &flag);
    }

    double expected_duration() const {
        return current.item.expected_duration_s > 0 ? current.item.expected_duration_s : container_duration;
    }
    bool playing_current() const { return current_id >= 0; }

    // Sends loadfile for an entry; mode is "replace" or "append-play".
    // Captions go with it as a per-file option (sub-files), so mpv loads
    // them with the file: adding them afterwards with sub-add can leave
    // mpv's core spinning when the file ends just then (seen in soak runs,
    // about one transition in a thousand).
    Status send_load(Entry e, const char* mode) {
        e.token = next_token++;
        std::string opts = e.start_s > 0 ? "start=" + fmt_s(e.start_s) : "";
        std::string subs;
        for (const auto& c : e.item.captions) {
            if (c.path.find(':') != std::string::npos) {  // the list separator
                log::warn("media", "caption file skipped (':' in its path): " + c.path);
                continue;
            }
            subs += (subs.empty() ? "" : ":") + c.path;
        }
        if (!subs.empty()) {
            // %n% quotes a value of n bytes, whatever it contains.
            opts += (opts.empty() ? "" : ",") + std::string("sub-files=%") + std::to_string(subs.size()) + "%" + subs;
            opts += ",sid=no";  // chosen below, once mpv lists the tracks
        }
        const char* argv[] = {"loadfile", e.item.path.c_str(), mode, opts.empty() ? nullptr : opts.c_str(), nullptr};
        int rc = mpv_command_async(mpv, e.token, argv);
        if (rc < 0) return mpv_failure(("loadfile " + e.item.path).c_str(), rc);
        unanswered[e.token] = now_s();
        upcoming.push_back(std::move(e));
        if (state == PlayerState::idle || state == PlayerState::ended || state == PlayerState::failed) {
            state = PlayerState::loading;
            last_progress = now_s();
        }
        return {};
    }

    Entry make_entry(const MediaItem& item) {
        Entry e;
        e.item = item;
        if (item.resume) {
            if (auto p = resume->position(item.tag)) {
                double dur = item.expected_duration_s;
                if (*p >= kResumeMinS && (dur <= 0 || *p < dur - kResumeTailS)) e.start_s = *p;
            }
        }
        return e;
    }

    // Everything not started yet is dropped from mpv's playlist by a
    // "replace"; remember them in case one was starting just then.
    void drop_upcoming() {
        for (auto& e : upcoming) dropped.push_back(std::move(e));
        upcoming.clear();
        while (dropped.size() > 32) dropped.pop_front();
    }

    // Shows the caption track for the preferred language (or its fallback).
    void select_caption() {
        const auto& caps = current.item.captions;
        auto chosen = choose_caption(caps, caption_language, options.caption_fallback);
        if (!chosen || !playing_current()) return;
        for (const auto& t : sub_tracks) {
            if (t.file != caps[*chosen].path) continue;
            if (t.id != selected_sid) {
                std::string sid = std::to_string(t.id);
                command_async({"set", "sid", sid.c_str()});
                selected_sid = t.id;
            }
            shown_caption = caps[*chosen].language;
            return;
        }
    }

    // keep-open: the item ends here but stays open, its last frame on
    // screen, until the next one takes over (or the deck is discarded).
    void end_kept_open(std::vector<PlayerEvent>& out) {
        end_held = false;
        mpv_event_end_file end{};
        end.reason = MPV_END_FILE_REASON_EOF;
        end.playlist_entry_id = current_id;
        handle_end(end, out);
        swallow.insert(end.playlist_entry_id);  // its real end comes with the next load or stop
    }

    // When the last frame of a silent item, now on screen, has had its
    // interval (mpv's own end follows then): its frame interval and that
    // time (now_s clock). Known once time-pos names the last frame: mpv
    // moves time-pos when it hands a frame over for drawing, which is at
    // the frame's time (video-timing-offset=0), so position_at is no
    // earlier than the frame's moment. The frame rate the container states
    // must match the smallest step time-pos took (one frame: a dropped
    // frame or a missed update only makes a step longer); with a wrong rate
    // mpv's own end decides. Nothing for an item with
    // sound (its end is the sound's), a paused one, or one whose frame rate
    // or length is not known or does not fit.
    std::optional<std::pair<double, double>> last_frame_ends() const {
        if (!playing_current() || !started || paused || state != PlayerState::playing || audio_selected ||
            container_fps <= 0 || container_duration <= 0)
            return std::nullopt;
        const double interval = 1.0 / container_fps;
        // The last frame starts one interval before the end.
        if (std::abs(container_duration - interval - position) > interval / 4 ||
            std::abs(min_step - interval) > interval / 4)
            return std::nullopt;
        return std::make_pair(interval, position_at + interval);
    }

    void remember_position(const MediaItem& item, double pos) {
        if (item.resume && pos > 0) resume->remember(item.tag, pos);
    }

    void set_end_state(PlayerEvent::Kind k) {
        state = k == PlayerEvent::Kind::ended ? PlayerState::ended
                : k == PlayerEvent::Kind::failed ? PlayerState::failed
                                                  : PlayerState::idle;
        if (!upcoming.empty()) {
            state = PlayerState::loading;  // the next item follows
            last_progress = now_s();
        }
    }

    void handle_end(const mpv_event_end_file& end, std::vector<PlayerEvent>& out) {
        if (swallow.erase(end.playlist_entry_id)) return;
        if (end.playlist_entry_id != current_id) {
            log::debug("media", "end of an unknown playlist entry " + std::to_string(end.playlist_entry_id));
            return;
        }
        const MediaItem& item = current.item;
        PlayerEvent ev{PlayerEvent::Kind::ended, item.tag, max_position, std::nullopt};
        if (end.reason == MPV_END_FILE_REASON_EOF) {
            double expected = expected_duration();
            // A faststart MP4 cut short ends "normally" at the cut; only the
            // position (and ffmpeg's "partial file" note) tell. One second or
            // 5% of slack covers the last frame's duration and rounding.
            double slack = std::max(1.0, expected * 0.05);
            if ((expected > 0 && max_position + slack < expected) || partial_file) {
                ev.kind = PlayerEvent::Kind::failed;
                ev.error = make_error(Domain::media, Errc::truncated,
                                      item.path + " ended at " + fmt_s(max_position) + " s of " + fmt_s(expected) +
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
                why = "has no audio or video stream that can be decoded";
            }
            ev.error = make_error(Domain::media, code, item.path + " " + why);
        } else {
            ev.kind = PlayerEvent::Kind::stopped;
        }
        if (ev.kind == PlayerEvent::Kind::ended) resume->forget(item.tag);
        else remember_position(item, max_position);
        if (ev.kind == PlayerEvent::Kind::failed) ++stats.items_failed;
        current_id = -1;
        set_end_state(ev.kind);
        out.push_back(std::move(ev));
    }

    void handle_start(int64_t id) {
        auto by_id = [id](const Entry& e) { return e.id == id; };
        if (std::find_if(dropped.begin(), dropped.end(), by_id) != dropped.end()) {
            swallow.insert(id);  // replaced before it started: it ends at once, quietly
            return;
        }
        auto it = std::find_if(upcoming.begin(), upcoming.end(), by_id);
        if (it == upcoming.end()) {
            // Its reply is still on the way (not expected): the oldest one.
            if (upcoming.empty()) {
                log::debug("media", "start of an unknown playlist entry " + std::to_string(id));
                swallow.insert(id);
                return;
            }
            it = upcoming.begin();
        }
        current = std::move(*it);
        upcoming.erase(upcoming.begin(), it + 1);
        current_id = id;
        position = current.start_s;
        max_position = current.start_s;
        min_step = 0;
        container_duration = 0;
        started = false;
        end_held = false;
        partial_file = false;
        sub_tracks.clear();
        selected_sid = -1;
        caption_text.clear();
        shown_caption.clear();
        render_errors_in_row = 0;
        state = PlayerState::loading;
        last_progress = now_s();
        last_resume_save = last_progress;
    }

    // mpv's core answers a loadfile in milliseconds. One unanswered for
    // longer than the stall timeout means the core itself is stuck, which
    // nothing in this process can undo.
    bool responsive() const {
        return unanswered.empty() || now_s() - unanswered.begin()->second < options.stall_timeout_s;
    }

    void handle_reply(const mpv_event& e, std::vector<PlayerEvent>& out) {
        unanswered.erase(e.reply_userdata);
        auto it = std::find_if(upcoming.begin(), upcoming.end(),
                               [&](const Entry& x) { return x.token == e.reply_userdata; });
        if (it == upcoming.end()) {
            for (auto& d : dropped)
                if (d.token == e.reply_userdata) {
                    if (auto* id = map_get(static_cast<mpv_event_command*>(e.data)->result, "playlist_entry_id"))
                        d.id = id->u.int64;
                }
            return;
        }
        if (e.error < 0) {
            PlayerEvent ev{PlayerEvent::Kind::failed, it->item.tag, 0,
                           make_error(Domain::media, Errc::unplayable,
                                      it->item.path + " could not be queued: " + mpv_error_string(e.error))};
            upcoming.erase(it);
            ++stats.items_failed;
            out.push_back(std::move(ev));
            return;
        }
        if (auto* id = map_get(static_cast<mpv_event_command*>(e.data)->result, "playlist_entry_id");
            id && id->format == MPV_FORMAT_INT64)
            it->id = id->u.int64;
    }

    void handle_track_list(const mpv_node& list) {
        sub_tracks.clear();
        audio_selected = false;
        if (list.format != MPV_FORMAT_NODE_ARRAY) return;
        for (int i = 0; i < list.u.list->num; ++i) {
            const mpv_node& t = list.u.list->values[i];
            const mpv_node* type = map_get(t, "type");
            const mpv_node* id = map_get(t, "id");
            const mpv_node* file = map_get(t, "external-filename");
            const mpv_node* selected = map_get(t, "selected");
            if (type && type->format == MPV_FORMAT_STRING && std::strcmp(type->u.string, "audio") == 0 && selected &&
                selected->format == MPV_FORMAT_FLAG && selected->u.flag)
                audio_selected = true;
            if (!type || !id || type->format != MPV_FORMAT_STRING || std::strcmp(type->u.string, "sub") != 0) continue;
            sub_tracks.push_back(SubTrack{id->u.int64, file && file->format == MPV_FORMAT_STRING ? file->u.string : ""});
        }
        select_caption();
    }

    void handle(const mpv_event& e, std::vector<PlayerEvent>& out) {
        switch (e.event_id) {
            case MPV_EVENT_LOG_MESSAGE: {
                auto* m = static_cast<mpv_event_log_message*>(e.data);
                std::string text = m->text ? m->text : "";
                while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
                // With a next item queued, mpv may be reading ahead in it:
                // the note could be about either file, so only the position
                // check (against the manifest's duration) decides then.
                if (text.find("partial file") != std::string::npos && upcoming.empty()) partial_file = true;
                // Hardware decoders that are not there (CUDA, VA-API, VDPAU
                // on a machine without them) are probed and skipped: noise
                // for staff, kept at debug level.
                std::string_view prefix = m->prefix ? m->prefix : "";
                bool probe = prefix == "vaapi" || prefix == "vdpau" || text.find("CUDA") != std::string::npos ||
                             text.find("libcuda") != std::string::npos || text.find("VDPAU") != std::string::npos;
                log::write(m->log_level <= MPV_LOG_LEVEL_ERROR && !probe ? log::Level::warn : log::Level::debug,
                           "media", std::string("mpv ") + std::string(prefix) + ": " + text);
                // A video stream with no decoder: mpv would play the sound
                // over a frozen picture (or end with "nothing to play").
                // Decoders start only for the current item.
                if (prefix == "vd" && text.find("Failed to initialize a decoder") != std::string::npos &&
                    playing_current())
                    fail_current(make_error(Domain::media, Errc::unplayable,
                                            current.item.path + " has a video stream that cannot be decoded (" +
                                                text + ")"),
                                 out);
                break;
            }
            case MPV_EVENT_COMMAND_REPLY:
                if (e.reply_userdata >= 100) handle_reply(e, out);
                break;
            case MPV_EVENT_SET_PROPERTY_REPLY:
                if (e.reply_userdata == kVideoOutSet && e.error < 0) {
                    auto err = make_error(Domain::media, Errc::unavailable,
                                          std::string("the video output could not be set up (vo=libmpv: ") +
                                              mpv_error_string(e.error) + ")");
                    if (playing_current()) fail_current(std::move(err), out);
                    else log::error(err);
                }
                break;
            case MPV_EVENT_START_FILE:
                file_open = true;
                handle_start(static_cast<mpv_event_start_file*>(e.data)->playlist_entry_id);
                break;
            case MPV_EVENT_FILE_LOADED:
                last_progress = now_s();
                break;
            case MPV_EVENT_PLAYBACK_RESTART:
                last_progress = now_s();
                if (!started && playing_current()) {
                    started = true;
                    state = paused ? PlayerState::paused : PlayerState::playing;
                    if (current.attempt == 0) {
                        ++stats.items_started;
                        out.push_back(PlayerEvent{PlayerEvent::Kind::started, current.item.tag, position, std::nullopt});
                    }
                }
                break;
            case MPV_EVENT_END_FILE:
                file_open = false;
                handle_end(*static_cast<mpv_event_end_file*>(e.data), out);
                break;
            case MPV_EVENT_PROPERTY_CHANGE: {
                auto* p = static_cast<mpv_event_property*>(e.data);
                if (p->format == MPV_FORMAT_DOUBLE) {
                    double v = *static_cast<double*>(p->data);
                    if (e.reply_userdata == kTimePos && std::isfinite(v) && playing_current()) {
                        if (v != position) last_progress = position_at = now_s();
                        if (v > position && (min_step == 0 || v - position < min_step)) min_step = v - position;
                        position = v;
                        max_position = std::max(max_position, v);
                    }
                    if (e.reply_userdata == kDuration && std::isfinite(v)) container_duration = v;
                    if (e.reply_userdata == kContainerFps) container_fps = std::isfinite(v) && v > 0 ? v : 0;
                } else if (p->format == MPV_FORMAT_FLAG && e.reply_userdata == kPause) {
                    paused = *static_cast<int*>(p->data) != 0;
                    last_progress = now_s();
                    if (state == PlayerState::playing && paused) state = PlayerState::paused;
                    else if (state == PlayerState::paused && !paused) state = PlayerState::playing;
                } else if (p->format == MPV_FORMAT_NODE && e.reply_userdata == kTrackList) {
                    handle_track_list(*static_cast<mpv_node*>(p->data));
                } else if (p->format == MPV_FORMAT_FLAG && e.reply_userdata == kEofReached) {
                    // keep-open: the item ends here but stays open, its last
                    // frame on screen, until the next one takes over.
                    // mpv sets it an interval after the last frame's
                    // hand-over for MP4, but with it for Matroska and WebM:
                    // there the last frame would be replaced at once, so
                    // the end waits for the frame's time, as an early one
                    // would.
                    if (*static_cast<int*>(p->data) != 0 && playing_current()) {
                        auto last = last_frame_ends();
                        if (last && now_s() < last->second - kEarlyEndShare * last->first) end_held = true;
                        else end_kept_open(out);
                    }
                } else if (e.reply_userdata == kSubText) {
                    caption_text = p->format == MPV_FORMAT_STRING ? *static_cast<char**>(p->data) : "";
                }
                break;
            }
            default:
                break;
        }
    }

    // Replaces mpv's playlist with `items` (stops when empty). Used to skip
    // or reload the current item: unlike "playlist-next", it cannot skip a
    // second item when mpv has just moved on by itself.
    void replace_playlist(std::deque<Entry> items) {
        drop_upcoming();
        if (items.empty()) {
            command_async({"stop"});
            return;
        }
        bool first = true;
        for (auto& e : items) {
            if (auto st = send_load(std::move(e), first ? "replace" : "append"); !st) log::error(st.error());
            first = false;
        }
    }

    // Gives up the current item: reports it failed and plays the next.
    void fail_current(Error error, std::vector<PlayerEvent>& out) {
        log::error(error);
        out.push_back(PlayerEvent{PlayerEvent::Kind::failed, current.item.tag, max_position, std::move(error)});
        ++stats.items_failed;
        remember_position(current.item, max_position);
        swallow.insert(current_id);
        current_id = -1;
        replace_playlist(upcoming);
        set_end_state(PlayerEvent::Kind::failed);
    }

    void watchdog(std::vector<PlayerEvent>& out) {
        double now = now_s();
        bool should_move = state == PlayerState::loading || (state == PlayerState::playing && !paused);
        if (playing_current() && state == PlayerState::playing && current.item.resume &&
            now - last_resume_save >= kResumeSaveEveryS) {
            remember_position(current.item, position);
            last_resume_save = now;
        }
        if (!responsive()) {
            if (!reported_unresponsive)
                log::error(make_error(Domain::media, Errc::stalled,
                                      "libmpv stopped answering (a command has waited " +
                                          fmt_s(now - unanswered.begin()->second) +
                                          " s); the heartbeat stops so the service manager restarts the kiosk"));
            reported_unresponsive = true;
            return;
        }
        if (!should_move || now - last_progress < options.stall_timeout_s) return;
        std::string where = started ? "at " + fmt_s(position) + " s" : "while opening";
        if (!playing_current()) {
            // mpv answers but has not started the item: skip it.
            if (upcoming.empty()) {
                state = PlayerState::idle;
                return;
            }
            std::deque<Entry> rest = upcoming;
            Entry e = std::move(rest.front());
            rest.pop_front();
            Error err = make_error(Domain::media, Errc::stalled,
                                   e.item.path + " did not start within " + fmt_s(options.stall_timeout_s) + " s");
            log::error(err);
            out.push_back(PlayerEvent{PlayerEvent::Kind::failed, e.item.tag, 0, std::move(err)});
            ++stats.items_failed;
            last_progress = now;
            replace_playlist(std::move(rest));
            if (upcoming.empty()) state = PlayerState::failed;
            return;
        }
        if (current.attempt == 0) {
            log::warn("media", "stalled " + current.item.path + ": no progress for " +
                                   fmt_s(now - last_progress) + " s " + where + "; reloading it");
            ++stats.stall_reloads;
            swallow.insert(current_id);
            Entry again = current;
            again.attempt = 1;
            again.start_s = started ? position : 0;
            std::deque<Entry> items = upcoming;
            items.push_front(std::move(again));
            current_id = -1;
            state = PlayerState::loading;
            last_progress = now;
            replace_playlist(std::move(items));
            return;
        }
        fail_current(make_error(Domain::media, Errc::stalled,
                                current.item.path + " stalled again after a reload (no progress for " +
                                    fmt_s(now - last_progress) + " s " + where + "); skipped"),
                     out);
        last_progress = now;
    }
};


// MpvDeck: creation, commands and rendering.

MpvDeck::~MpvDeck() {
    detach_renderer();
    if (mpv) mpv_terminate_destroy(mpv);
}

Result<std::unique_ptr<MpvDeck>> MpvDeck::create(const PlayerOptions& o, Wakeup wake, std::shared_ptr<ResumeStore> store,
                                           bool keep_open) {
    auto d = std::make_unique<MpvDeck>();
    d->options = o;
    d->wakeup = std::move(wake);
    d->captions_visible = o.captions_visible;
    d->caption_language = o.caption_language;
    d->resume = std::move(store);
    d->mpv = mpv_create();
    if (!d->mpv) return make_error(Domain::media, Errc::unavailable, "libmpv could not be created");
    mpv_handle* h = d->mpv;

    std::string slang = o.caption_language;
    for (const auto& l : o.caption_fallback) slang += "," + l;
    std::vector<std::pair<std::string, std::string>> opts = {
        {"config", "no"},
        {"terminal", "no"},
        {"idle", "yes"},
        // With preroll an item that ends stays open on its last frame
        // until the next one (already open in the other deck) takes over.
        {"keep-open", keep_open ? "yes" : "no"},
        // ... without pausing there: mpv's pause at the end redraws the last
        // frame once more (a 1080p draw on a slow GPU) just before the swap.
        {"keep-open-pause", "no"},
        // Frames come to the render thread when they are due, not 50 ms
        // ahead (mpv's default): with the headroom, mpv_render_context_render
        // blocked the UI thread until the frame's time, and a swapped-in
        // item's first frame, drawn at the end of the one before, showed a
        // draw's time late (65 ms transitions at 1080p on llvmpipe, 30-38
        // without). The cost: each frame shows one draw's time after its
        // moment (llvmpipe at 1080p: ~20 ms; a GPU: a few ms), well inside
        // what lip sync tolerates.
        {"video-timing-offset", "0"},
        // No Lua: mpv's built-in scripts (on-screen controller, youtube-dl
        // hook, stats, console, auto profiles) each start a Lua state and a
        // thread; the kiosk uses none of them. Saves start-up time and memory.
        {"osc", "no"},
        {"ytdl", "no"},
        {"load-stats-overlay", "no"},
        {"load-osd-console", "no"},
        {"load-auto-profiles", "no"},
        {"load-scripts", "no"},
        {"input-default-bindings", "no"},
        {"input-vo-keyboard", "no"},
        // vo=libmpv needs the render context, which needs the window's GL
        // context. Until attach_renderer makes it, a deck decodes into
        // vo=null: the kiosk opens its first file (probe, demuxer, audio and
        // video decoders) while the window is being made, then switches.
        {"vo", "null"},
        {"ao", o.audio ? "pulse,alsa,null" : "null"},
        {"hwdec", o.hwdec},
        {"volume", std::to_string(std::clamp(o.volume, 0, 100))},
        {"mute", o.mute ? "yes" : "no"},
        {"sub-visibility", o.captions_visible ? "yes" : "no"},
        {"slang", slang},
        // Captions for reading at kiosk distance: large, bold, white with a
        // thick near-black outline and a soft shadow (readable over light
        // and dark pictures alike), kept clear of the screen's edges and of
        // the player controls. Sizes are in mpv's 720-line units, scaled
        // with the window. (mpv 0.35 cannot draw an opaque box behind text
        // captions: sub-border-style arrived in 0.36.)
        {"sub-font", "Noto Sans"},
        {"sub-font-size", std::to_string(o.caption_font_px_at_1080 * 720 / 1080)},
        {"sub-bold", "yes"},
        {"sub-color", "#FFFFFFFF"},
        {"sub-border-color", "#FF101010"},
        {"sub-border-size", "3.5"},
        {"sub-shadow-offset", "2"},
        {"sub-shadow-color", "#A0000000"},
        {"sub-margin-y", "110"},  // above the player controls (132 px at 1080); see set_caption_margin
        {"sub-margin-x", "60"},
        {"sub-use-margins", "yes"},
        {"cache", "no"},
        {"demuxer-max-bytes", "32MiB"},
        // The next playlist item is opened while the current one plays, so
        // the change between them shows no gap.
        {"prefetch-playlist", "yes"},
    };
    if (o.headless && o.untimed) {
        opts.emplace_back("untimed", "yes");
        opts.emplace_back("ao-null-untimed", "yes");
    }
    // LASR_MPV_OPTIONS="name=value,name=value": extra mpv options, for
    // diagnosing playback problems on a kiosk without rebuilding.
    if (const char* extra = std::getenv("LASR_MPV_OPTIONS"); extra && *extra) {
        std::string all = extra;
        size_t at = 0;
        while (at <= all.size()) {
            size_t comma = all.find(',', at);
            std::string kv = all.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
            if (auto eq = kv.find('='); eq != std::string::npos) opts.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
            if (comma == std::string::npos) break;
            at = comma + 1;
        }
    }
    for (const auto& [k, v] : opts) {
        int rc = mpv_set_option_string(h, k.c_str(), v.c_str());
        if (rc < 0) return mpv_failure(("mpv option " + k + "=" + v).c_str(), rc);
    }
    // LASR_MPV_LOG=v (or debug) shows mpv's own timeline in the log.
    const char* mpv_log = std::getenv("LASR_MPV_LOG");
    mpv_request_log_messages(h, mpv_log && *mpv_log ? mpv_log : "warn");
    mpv_observe_property(h, kTimePos, "time-pos", MPV_FORMAT_DOUBLE);
    mpv_observe_property(h, kDuration, "duration", MPV_FORMAT_DOUBLE);
    if (keep_open) mpv_observe_property(h, kContainerFps, "container-fps", MPV_FORMAT_DOUBLE);
    mpv_observe_property(h, kPause, "pause", MPV_FORMAT_FLAG);
    mpv_observe_property(h, kTrackList, "track-list", MPV_FORMAT_NODE);
    mpv_observe_property(h, kSubText, "sub-text", MPV_FORMAT_STRING);
    if (keep_open) mpv_observe_property(h, kEofReached, "eof-reached", MPV_FORMAT_FLAG);
    if (int rc = mpv_initialize(h); rc < 0) return mpv_failure("mpv_initialize", rc);
    {
        // What libmpv itself now holds for the settings that come from the
        // config (read back, not echoed): the log shows what really applies.
        std::string applied;
        for (const char* name : {"hwdec", "volume", "mute", "ao", "sub-visibility", "slang", "keep-open"}) {
            char* v = mpv_get_property_string(h, name);
            applied += std::string(" ") + name + "=" + (v ? v : "?");
            mpv_free(v);
        }
        log::info("media", "player" + applied);
    }
    mpv_set_wakeup_callback(h, &MpvDeck::on_wakeup, d.get());
    return Result<std::unique_ptr<MpvDeck>>(std::move(d));
}

// Starts an item now, replacing whatever the deck plays. Paused: opened
// and shown on its first frame, then held (a preroll).
Status MpvDeck::load(const MediaItem& item, bool start_paused) {
    drop_upcoming();
    if (start_paused) {
        set_flag_async("pause", true);  // before the loadfile: mpv runs requests in order
        paused = true;
    }
    LASR_TRY(send_load(make_entry(item), "replace"));
    if (!start_paused) set_flag_async("pause", false);
    state = PlayerState::loading;
    last_progress = now_s();
    return {};
}

// A prerolled item goes on screen: it runs from its first frame.
void MpvDeck::play_now() {
    set_flag_async("pause", false);
    paused = false;
    if (state == PlayerState::paused) state = PlayerState::playing;
    last_progress = now_s();
}

// Stops the deck's item, quietly: its end is no event (it was reported,
// or it was never announced). Frees its demuxer and decoders.
void MpvDeck::discard() {
    drop_upcoming();
    if (playing_current()) swallow.insert(current_id);
    current_id = -1;
    started = false;
    command_async({"stop"});
    state = PlayerState::idle;
}

bool MpvDeck::finished() const {
    return upcoming.empty() &&
           (state == PlayerState::idle || state == PlayerState::ended || state == PlayerState::failed);
}

std::vector<PlayerEvent> MpvDeck::wait(double timeout_s) {
    std::vector<PlayerEvent> out = std::move(out_of_band);
    out_of_band.clear();
    double timeout = out.empty() ? timeout_s : 0;
    for (;;) {
        mpv_event* e = mpv_wait_event(mpv, timeout);
        if (e->event_id == MPV_EVENT_NONE) break;
        handle(*e, out);
        timeout = 0;
    }
    watchdog(out);
    return out;
}

Status MpvDeck::attach_renderer(Player::GetProcAddress gpa, void* ctx) {
    if (render_ctx) return {};
    mpv_opengl_init_params gl{gpa, ctx};
    int advanced = 0;
    mpv_render_param params[] = {
        {MPV_RENDER_PARAM_API_TYPE, const_cast<char*>(MPV_RENDER_API_TYPE_OPENGL)},
        {MPV_RENDER_PARAM_OPENGL_INIT_PARAMS, &gl},
        {MPV_RENDER_PARAM_ADVANCED_CONTROL, &advanced},
        {MPV_RENDER_PARAM_INVALID, nullptr},
    };
    int rc = gpa ? mpv_render_context_create(&render_ctx, mpv, params) : MPV_ERROR_INVALID_PARAMETER;
    if (rc < 0) {
        render_ctx = nullptr;
        return make_error(Domain::media, Errc::unavailable,
                          std::string("cannot draw video with this OpenGL context (mpv_render_context_create: ") +
                              mpv_error_string(rc) + ")");
    }
    gl_get_error = reinterpret_cast<GlGetError>(gpa(ctx, "glGetError"));
    mpv_render_context_set_update_callback(render_ctx, &MpvDeck::on_render_update, this);
    // From vo=null to the render API. With a file open, mpv rebuilds its
    // video chain on its own thread (decoder, then the first frame); asked
    // asynchronously, so the caller's thread does not wait for that.
    const char* vo = "libmpv";
    mpv_set_property_async(mpv, kVideoOutSet, "vo", MPV_FORMAT_STRING, &vo);
    return {};
}

bool MpvDeck::frame_pending() {
    if (!render_ctx || !render_update.exchange(false)) return false;
    if ((mpv_render_context_update(render_ctx) & MPV_RENDER_UPDATE_FRAME) == 0) return false;
    // Only a queued frame is worth drawing: mpv also asks for redraws with
    // nothing new to show (the caller redraws by itself when its window
    // needs it). A change of picture size between two items still costs one
    // empty (black) frame: mpv's renderer reconfigures and queues one.
    mpv_render_frame_info info{};
    mpv_render_param p{MPV_RENDER_PARAM_NEXT_FRAME_INFO, &info};
    if (mpv_render_context_get_info(render_ctx, p) < 0) return true;
    return (info.flags & MPV_RENDER_FRAME_INFO_PRESENT) != 0;
}

Status MpvDeck::render(int fbo, int width, int height) {
    if (!render_ctx) return {};
    // Errors left by other drawing are not the video's.
    if (gl_get_error)
        for (int i = 0; i < 8 && gl_get_error() != 0; ++i) {
        }
    mpv_opengl_fbo target{fbo, width, height, 0};
    int flip = 1;
    int block = 0;  // the UI thread never waits for a frame's time in here
    mpv_render_param params[] = {
        {MPV_RENDER_PARAM_OPENGL_FBO, &target},
        {MPV_RENDER_PARAM_FLIP_Y, &flip},
        {MPV_RENDER_PARAM_BLOCK_FOR_TARGET_TIME, &block},
        {MPV_RENDER_PARAM_INVALID, nullptr},
    };
    int rc = mpv_render_context_render(render_ctx, params);
    unsigned gl_error = 0;
    if (gl_get_error)
        for (int i = 0; i < 8; ++i) {
            unsigned e = gl_get_error();
            if (e == 0) break;
            if (gl_error == 0) gl_error = e;
        }
    ++stats.frames_rendered;
    if (rc >= 0 && gl_error == 0) {
        render_errors_in_row = 0;
        return {};
    }
    ++stats.render_errors;
    char code[16];
    std::snprintf(code, sizeof code, "0x%04x", gl_error);
    std::string why = rc < 0 ? std::string("mpv_render_context_render: ") + mpv_error_string(rc)
                             : std::string("OpenGL error ") + gl_error_name(gl_error) + " (" + code + ")";
    Error err = make_error(Domain::media, Errc::internal,
                           why + " while drawing " + (playing_current() ? current.item.path : "video") +
                               " into framebuffer " + std::to_string(fbo) + " (" + std::to_string(width) + "x" +
                               std::to_string(height) + ")");
    if (++render_errors_in_row == kRenderErrorLimit && playing_current()) {
        fail_current(err, out_of_band);
        if (wakeup) wakeup();
    } else if (render_errors_in_row == 1) {
        log::warn("media", err.describe());
    }
    return err;
}

void MpvDeck::report_swap() {
    if (render_ctx) mpv_render_context_report_swap(render_ctx);
}

void MpvDeck::detach_renderer() {
    if (render_ctx) {
        mpv_render_context_free(render_ctx);
        render_ctx = nullptr;
    }
}

// ---------------------------------------------------------------------------
// The Player: one deck, or two with preroll.
//
// Preroll: items queued behind the current one wait in `waiting`. Once the
// current item has played kPrerollAfterS and has at most kPrerollLeadS
// left, the first waiting item is loaded paused into the other deck (the
// standby), which decodes its first frame and holds it. The current item's
// deck keeps its last frame on screen when it ends (keep-open); at that
// end the standby is unpaused and drawn from then on, so the frame after
// A's last is B's first, and A's deck is stopped, releasing its decoder.
// The standby's events (its start, or its failure) are held back and
// reported right after the current item's end, in playlist order.
// Audio cannot overlap: B's starts when A's has ended.
// ---------------------------------------------------------------------------

namespace {
constexpr double kPrerollAfterS = 0.25;  // the current item gets going first
constexpr double kPrerollLeadS = 4.0;    // opening the next takes well under this
constexpr double kUndrawnSwapS = 0.25;   // a swapped-in item nobody draws starts after this
constexpr double kUndrawnFirstS = 2.0;   // an item held for the renderer that nothing draws starts after this
}  // namespace

struct Player::Impl {
    PlayerOptions options;
    Wakeup wakeup;
    std::shared_ptr<ResumeStore> resume;
    std::unique_ptr<MpvDeck> decks[2];
    int active = 0;
    bool standby_failed_to_start = false;  // the second core could not be made: no preroll

    std::deque<MediaItem> waiting;  // queued, not prerolled yet (preroll only)
    bool standby_busy = false;      // the standby deck holds the next item
    bool standby_ready = false;     // ... on its first frame
    std::string standby_tag;
    std::vector<PlayerEvent> held;  // the standby's events, released after the current item's end
    bool swapped = false;           // a swap since the last frame_pending()
    bool standby_frame = false;     // the standby's first frame is to be drawn (covered) in the next render()

    // Settings that a deck made later must pick up.
    int volume;
    bool muted;
    bool captions_visible;
    std::string caption_language;
    std::optional<double> caption_margin;

    GetProcAddress gpa = nullptr;
    void* gl_ctx = nullptr;
    bool renderer = false;
    // Not headless and no renderer yet: what is loaded opens and waits,
    // paused on vo=null, until attach_renderer (or set_paused) starts it.
    bool held_for_renderer = false;
    // The current deck, paused on its first frame, is started by the draw
    // that shows that frame, so its clock (and its sound) start with the
    // picture: a swapped-in item just before that draw (its shaders were
    // compiled by the covered preroll draw), an item held for the renderer
    // just after it (that draw compiles them, tens of milliseconds). If
    // nothing draws it by `draw_start_by` (no window on screen), it plays.
    enum class DrawStart { none, before_draw, after_first_frame };
    DrawStart draw_start = DrawStart::none;
    bool first_frame_pending = false;  // after_first_frame: that frame is to be drawn
    double draw_start_by = 0;

    void start_with_draw(DrawStart how, double wait_s) {
        draw_start = how;
        first_frame_pending = false;
        draw_start_by = now_s() + wait_s;
    }
    void cancel_draw_start() {
        draw_start = DrawStart::none;
        first_frame_pending = false;
    }
    void start_drawn() {
        cancel_draw_start();
        cur().play_now();
    }

    PlayerStats stats;  // the Player's own counters; stats() adds the decks'
    PlayerStats view;   // what stats() returns

    MpvDeck& cur() { return *decks[active]; }
    const MpvDeck& cur() const { return *decks[active]; }
    MpvDeck* standby() { return decks[1 - active].get(); }
    template <class F>
    void each(F f) {
        for (auto& d : decks)
            if (d) f(*d);
    }

    MpvDeck* ensure_standby() {
        int other = 1 - active;
        if (decks[other]) return decks[other].get();
        if (standby_failed_to_start) return nullptr;
        PlayerOptions o = options;
        o.volume = volume;
        o.mute = muted;
        o.captions_visible = captions_visible;
        o.caption_language = caption_language;
        auto made = MpvDeck::create(o, wakeup, resume, true);
        if (made && renderer) {
            if (auto st = (*made)->attach_renderer(gpa, gl_ctx); !st) made = std::move(st).error();
        }
        if (!made) {
            log::warn("media", "no preroll (a second libmpv core could not be made: " + made.error().describe() +
                                   "); items follow each other as mpv opens them");
            standby_failed_to_start = true;
            return nullptr;
        }
        decks[other] = std::move(*made);
        if (caption_margin) decks[other]->set_int_async("sub-margin-y", static_cast<int64_t>(*caption_margin * 720));
        return decks[other].get();
    }

    void drop_standby() {
        if (standby_busy) standby()->discard();
        standby_busy = standby_ready = false;
        standby_tag.clear();
        held.clear();
    }

    // Starts an item in the current deck at once (nothing prerolled).
    Status start_now(const MediaItem& item) { return cur().load(item, held_for_renderer); }

    void maybe_preroll() {
        if (!options.preroll || standby_busy || waiting.empty()) return;
        const MpvDeck& c = cur();
        if (!c.playing_current() || !c.started || c.position - c.current.start_s < kPrerollAfterS) return;
        double d = c.expected_duration();
        if (d > 0 && d - c.position > kPrerollLeadS) return;
        MpvDeck* s = ensure_standby();
        if (!s) return;
        MediaItem next = std::move(waiting.front());
        waiting.pop_front();
        if (auto st = s->load(next, true); !st) {
            ++stats.items_failed;
            held.push_back(PlayerEvent{PlayerEvent::Kind::failed, next.tag, 0, st.error()});
            return;
        }
        standby_busy = true;
        standby_ready = false;
        standby_tag = next.tag;
        log::debug("media", "preroll " + next.path);
    }

    void swap(std::vector<PlayerEvent>& out) {
        MpvDeck& next = *standby();
        // With a renderer, B stays paused on its first frame until that
        // frame is being drawn (render): unpaused here, a late draw on a
        // busy machine showed B's second frame and never its first. Its
        // clock starts with that draw, so the first frame keeps one interval.
        if (renderer) start_with_draw(DrawStart::before_draw, kUndrawnSwapS);
        else next.play_now();
        for (auto& ev : held) out.push_back(std::move(ev));
        held.clear();
        int old = active;
        active = 1 - active;
        decks[old]->discard();  // its decoder goes now; at most two ever live
        standby_busy = standby_ready = false;
        standby_tag.clear();
        swapped = true;
        ++stats.preroll_swaps;
        if (wakeup) wakeup();
    }

    // When the current item is ended ahead of mpv, with the next one
    // prerolled: kEarlyEndShare of a frame interval before its last frame
    // has had its full interval. mpv's own end (eof-reached) comes that
    // interval after the last frame and reaches this thread through its
    // core, the client queue and the loop's wakeup; the next item's first
    // draw then starts late by that path and by any jitter of a busy
    // machine (30 fps at 1080p on llvmpipe: 30.1-37.8 ms between A's last
    // frame and B's first against 33.3). Started from the time the last
    // frame was handed over, with a small lead, the change lands within
    // one interval. Only silent items: with sound, the sound decides the end.
    std::optional<double> early_end_at() const {
        if (!options.preroll || !renderer || !standby_busy || !standby_ready) return std::nullopt;
        auto last = cur().last_frame_ends();
        if (!last) return std::nullopt;
        return last->second - kEarlyEndShare * last->first;
    }

    std::vector<PlayerEvent> step(double timeout_s) {
        std::vector<PlayerEvent> out = cur().wait(timeout_s);
        if (!options.preroll) {
            stats.max_open_decoders = std::max<uint64_t>(stats.max_open_decoders, cur().file_open ? 1 : 0);
            return out;
        }
        if (MpvDeck* s = standby()) {
            for (auto& ev : s->wait(0)) {
                if (!standby_busy) continue;  // (a discarded item's: none are expected)
                if (ev.kind == PlayerEvent::Kind::started) standby_ready = true;
                else standby_busy = standby_ready = false;  // failed (or ended at once)
                held.push_back(std::move(ev));
            }
        }
        if (draw_start != DrawStart::none && now_s() > draw_start_by) start_drawn();  // nothing drew it
        if (auto at = early_end_at(); at && now_s() >= *at && !cur().render_update.load()) {
            // The last frame is drawn (its update came with its hand-over,
            // an interval ago, and is taken): the item ends now.
            const bool was_held = cur().end_held;
            log::debug("media", std::string(was_held ? "held end of " : "early end of ") + cur().current.item.tag + " " +
                                    fmt_s((now_s() - cur().position_at) * 1000) + " ms after its last frame");
            cur().end_kept_open(out);
            ++(was_held ? stats.held_ends : stats.early_ends);
        } else if (cur().end_held && (!at || now_s() >= *at + kUndrawnSwapS)) {
            // Nothing prerolled to follow it, paused meanwhile, or its last
            // frame never drawn (nothing draws): mpv's end stands.
            cur().end_kept_open(out);
        }
        if (cur().finished()) {
            if (standby_busy && standby_ready && renderer && cur().render_update.load()) {
                // The current item's last frame came with its end and is
                // still to be drawn: it is, and the swap follows on the next
                // turn. (mpv's pause at the end, which redrew the last frame
                // once more, is off: keep-open-pause=no.)
                if (wakeup) wakeup();
            } else if (standby_busy && standby_ready) {
                swap(out);
            } else if (!standby_busy) {
                // Nothing prerolled (it failed, or came too late): what is
                // held goes out, and the next item opens in this deck.
                for (auto& ev : held) out.push_back(std::move(ev));
                held.clear();
                while (!waiting.empty()) {
                    MediaItem next = std::move(waiting.front());
                    waiting.pop_front();
                    auto st = start_now(next);
                    if (st) break;
                    ++stats.items_failed;
                    out.push_back(PlayerEvent{PlayerEvent::Kind::failed, next.tag, 0, st.error()});
                }
            }
            // else: the standby is still opening; the last frame stays.
        }
        maybe_preroll();
        int live = 0;
        each([&](MpvDeck& d) { live += d.file_open ? 1 : 0; });
        stats.max_open_decoders = std::max<uint64_t>(stats.max_open_decoders, static_cast<uint64_t>(live));
        return out;
    }
};

Player::Player(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Player::~Player() {
    if (!impl_) return;
    detach_renderer();
}

std::string effective_hwdec(const std::string& requested, const std::filesystem::path& dev) {
    static const std::set<std::string> automatic = {"auto", "auto-safe", "auto-copy", "auto-copy-safe"};
    if (!automatic.count(requested)) return requested;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dev / "dri", ec))
        if (e.path().filename().string().starts_with("renderD")) return requested;
    ec.clear();
    for (const auto& e : std::filesystem::directory_iterator(dev, ec))
        if (e.path().filename().string().starts_with("video")) return requested;
    return "no";
}

Result<std::unique_ptr<Player>> Player::create(const PlayerOptions& given, Wakeup wakeup) {
    // mpv refuses to start unless numbers are formatted the C way.
    std::setlocale(LC_NUMERIC, "C");
    PlayerOptions o = given;
    o.hwdec = effective_hwdec(given.hwdec);
    if (o.hwdec != given.hwdec)
        log::info("media", "hwdec=" + given.hwdec +
                               ": no decoder device under /dev (dri/renderD*, video*), so software decoding (hwdec=no)");
    auto impl = std::make_unique<Impl>();
    impl->options = o;
    impl->wakeup = std::move(wakeup);
    impl->resume = o.resume_store ? o.resume_store : std::make_shared<MemoryResumeStore>();
    impl->volume = o.volume;
    impl->muted = o.mute;
    impl->captions_visible = o.captions_visible;
    impl->caption_language = o.caption_language;
    // The second deck is made when it is first needed: nothing of it is on
    // the way to the first frame.
    auto deck = MpvDeck::create(o, impl->wakeup, impl->resume, o.preroll);
    if (!deck) return std::move(deck).error();
    impl->decks[0] = std::move(*deck);
    if (!o.headless) {
        // Anything loaded before the renderer is attached opens paused.
        impl->held_for_renderer = true;
        impl->decks[0]->set_flag_async("pause", true);
        impl->decks[0]->paused = true;
    }
    return std::unique_ptr<Player>(new Player(std::move(impl)));
}

Status Player::load(const MediaItem& item) {
    if (item.path.empty()) return make_error(Domain::media, Errc::invalid_argument, "nothing to play: empty path");
    impl_->waiting.clear();
    impl_->drop_standby();
    impl_->cancel_draw_start();  // the new item plays from its load
    LASR_TRY(impl_->start_now(item));
    ++impl_->stats.loads;
    return {};
}

Status Player::queue(const MediaItem& item) {
    if (item.path.empty()) return make_error(Domain::media, Errc::invalid_argument, "nothing to queue: empty path");
    Impl& m = *impl_;
    if (!m.options.preroll) return m.cur().queue(item);
    if (m.cur().finished() && !m.standby_busy && m.waiting.empty() && m.held.empty()) return m.start_now(item);
    m.waiting.push_back(item);
    m.maybe_preroll();
    return {};
}

size_t Player::queued() const {
    const Impl& m = *impl_;
    return m.cur().upcoming.size() + m.waiting.size() + (m.standby_busy ? 1 : 0);
}

bool Player::is_queued(const std::string& tag) const {
    const Impl& m = *impl_;
    auto same = [&](const MediaItem& i) { return i.tag == tag; };
    return std::any_of(m.cur().upcoming.begin(), m.cur().upcoming.end(), [&](const auto& e) { return same(e.item); }) ||
           std::any_of(m.waiting.begin(), m.waiting.end(), same) || (m.standby_busy && m.standby_tag == tag);
}

void Player::stop() {
    impl_->waiting.clear();
    impl_->drop_standby();
    impl_->cancel_draw_start();
    impl_->cur().drop_upcoming();
    impl_->cur().command_async({"stop"});
}

void Player::set_paused(bool p) {
    impl_->cancel_draw_start();  // what the viewer asks for wins over a pending start
    impl_->held_for_renderer = false;
    impl_->cur().set_flag_async("pause", p);
    impl_->cur().paused = p;  // at once: a pause asked for just before the end keeps the item from ending early
}

void Player::seek_to(double seconds) {
    std::string s = fmt_s(std::max(0.0, seconds));
    impl_->cur().last_progress = now_s();
    impl_->cur().command_async({"seek", s.c_str(), "absolute"});
}

void Player::set_captions_visible(bool visible) {
    impl_->captions_visible = visible;
    impl_->each([&](MpvDeck& d) {
        d.captions_visible = visible;
        d.set_flag_async("sub-visibility", visible);
    });
}

void Player::set_muted(bool muted) {
    impl_->muted = muted;
    impl_->each([&](MpvDeck& d) { d.set_flag_async("mute", muted); });
}

void Player::set_caption_margin(double fraction) {
    // sub-margin-y counts pixels of a 720-line frame.
    double f = std::clamp(fraction, 0.0, 0.5);
    impl_->caption_margin = f;
    impl_->each([&](MpvDeck& d) { d.set_int_async("sub-margin-y", static_cast<int64_t>(f * 720)); });
}

void Player::set_caption_language(const std::string& language) {
    impl_->caption_language = language;
    impl_->each([&](MpvDeck& d) {
        d.caption_language = language;
        d.select_caption();
    });
}

void Player::set_volume(int volume) {
    impl_->volume = std::clamp(volume, 0, 100);
    double v = impl_->volume;
    impl_->each([&](MpvDeck& d) { mpv_set_property_async(d.mpv, 0, "volume", MPV_FORMAT_DOUBLE, &v); });
}

std::vector<PlayerEvent> Player::poll() { return impl_->step(0); }

double Player::seconds_until_due() const {
    auto at = impl_->early_end_at();
    return at ? std::max(0.0, *at - now_s()) : std::numeric_limits<double>::infinity();
}

std::vector<PlayerEvent> Player::wait(double timeout_s) {
    // With a standby deck, wait on the current one in short slices so the
    // other is looked at too.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(std::max(0.0, timeout_s));
    for (;;) {
        double left = std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
        bool two = impl_->standby() != nullptr;
        // (At least a millisecond: a due early end also waits for the
        // last frame's draw, which nothing here takes.)
        double slice = std::min(left, std::max(0.001, seconds_until_due()));
        auto out = impl_->step(std::max(0.0, two ? std::min(slice, 0.005) : slice));
        if (!out.empty() || left <= 0 || !two) return out;
    }
}

PlayerState Player::state() const {
    const Impl& m = *impl_;
    PlayerState s = m.cur().state;
    bool next_follows = m.standby_busy || !m.waiting.empty() || !m.held.empty();
    if (m.options.preroll && next_follows &&
        (s == PlayerState::idle || s == PlayerState::ended || s == PlayerState::failed))
        return PlayerState::loading;
    return s;
}
double Player::position_s() const { return impl_->cur().position; }
double Player::duration_s() const { return impl_->cur().expected_duration(); }
bool Player::paused() const { return impl_->cur().paused; }
bool Player::captions_visible() const { return impl_->captions_visible; }
const std::string& Player::current_tag() const { return impl_->cur().current.item.tag; }
const std::string& Player::caption_language() const { return impl_->cur().shown_caption; }
const std::string& Player::caption_text() const { return impl_->cur().caption_text; }

const PlayerStats& Player::stats() const {
    Impl& m = *impl_;
    PlayerStats& s = m.stats;
    PlayerStats sum;
    m.each([&](MpvDeck& d) {
        sum.items_started += d.stats.items_started;
        sum.items_failed += d.stats.items_failed;
        sum.stall_reloads += d.stats.stall_reloads;
        sum.frames_rendered += d.stats.frames_rendered;
        sum.render_errors += d.stats.render_errors;
    });
    PlayerStats& view = m.view;
    view = sum;
    view.loads = s.loads;
    view.items_failed += s.items_failed;
    view.preroll_swaps = s.preroll_swaps;
    view.early_ends = s.early_ends;
    view.held_ends = s.held_ends;
    view.max_open_decoders = s.max_open_decoders;
    return view;
}

int Player::open_decoders() const {
    int n = 0;
    impl_->each([&](MpvDeck& d) { n += d.file_open ? 1 : 0; });
    return n;
}

bool Player::responsive() const {
    bool ok = true;
    impl_->each([&](MpvDeck& d) { ok = ok && d.responsive(); });
    return ok;
}

Status Player::attach_renderer(GetProcAddress gpa, void* ctx) {
    Impl& m = *impl_;
    if (m.options.headless)
        return make_error(Domain::media, Errc::invalid_argument, "a headless player has no renderer");
    LASR_TRY(m.cur().attach_renderer(gpa, ctx));
    m.gpa = gpa;
    m.gl_ctx = ctx;
    m.renderer = true;
    if (MpvDeck* s = m.standby()) LASR_TRY(s->attach_renderer(gpa, ctx));
    if (m.held_for_renderer) {
        // mpv now moves the item loaded meanwhile to vo=libmpv (it takes
        // requests in order) and queues its first frame, still paused.
        m.held_for_renderer = false;
        MpvDeck& d = m.cur();
        if (d.playing_current() || !d.upcoming.empty()) {
            // A seek to where it stands restarts its picture and its sound
            // together: after the switch alone mpv started the picture ~230 ms
            // before the sound.
            const double at = d.playing_current() ? d.current.start_s : d.upcoming.front().start_s;
            const std::string t = fmt_s(at);
            d.command_async({"seek", t.c_str(), "absolute+exact"});
            m.start_with_draw(Impl::DrawStart::after_first_frame, kUndrawnFirstS);
        } else {
            d.play_now();  // nothing held: later loads just play
        }
    }
    return {};
}

bool Player::frame_pending() {
    Impl& m = *impl_;
    // The prerolled item's first frame is drawn once, under the current
    // item's next frame (which covers it): its texture is uploaded and its
    // shaders are compiled before it is needed, not on the swap's frame.
    if (m.options.preroll && m.standby_busy && m.standby()->frame_pending()) m.standby_frame = true;
    const bool cur_pending = m.cur().frame_pending();
    if (cur_pending && m.draw_start == Impl::DrawStart::after_first_frame) m.first_frame_pending = true;
    bool pending = cur_pending || m.standby_frame;
    if (m.swapped) {
        m.swapped = false;
        return true;  // the prerolled first frame, held since it was decoded
    }
    return pending;
}

Status Player::render(int fbo, int width, int height) {
    Impl& m = *impl_;
    if (m.standby_frame) {
        m.standby_frame = false;
        if (m.standby_busy) {
            (void)m.standby()->render(fbo, width, height);
            m.standby()->report_swap();
        }
    }
    // The swapped-in item's first frame is taken by this draw: its next one
    // cannot be due before one interval from now.
    if (m.draw_start == Impl::DrawStart::before_draw) m.start_drawn();
    if (m.first_frame_pending) {
        // The held item's first frame is drawn by this call; it plays from
        // the end of it (started before, its clock ran on during the shader
        // compile and mpv dropped the next frames as late).
        Status drawn = m.cur().render(fbo, width, height);
        m.start_drawn();
        return drawn;
    }
    return m.cur().render(fbo, width, height);
}

void Player::report_swap() { impl_->cur().report_swap(); }

void Player::detach_renderer() {
    impl_->each([](MpvDeck& d) { d.detach_renderer(); });
    impl_->renderer = false;
    if (impl_->draw_start != Impl::DrawStart::none) impl_->start_drawn();  // nothing will be drawn: it plays now
}

}  // namespace lasr
