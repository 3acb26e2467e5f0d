#include "kiosk/ui/shell.hpp"

#define GLFW_INCLUDE_NONE
#include <GL/gl.h>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <dlfcn.h>
#include <signal.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <future>
#include <memory>
#include <optional>
#include <vector>

#include "config/log.hpp"
#include "config/worker.hpp"
#include "kiosk/app/app.hpp"
#include "kiosk/app/script.hpp"
#include "kiosk/app/strings.hpp"
#include "kiosk/service/service_notifier.hpp"
#include "kiosk/usage/sync_service.hpp"
#include "kiosk/usage/usage_writer.hpp"
#include "kiosk/sync/content_sync.hpp"
#include "media/content_store.hpp"
#include "kiosk/ui/frame_times.hpp"
#include "kiosk/ui/texture_upload.hpp"
#include "kiosk/ui/theme.hpp"
#include "kiosk/ui/views.hpp"
#include "media/heartbeat.hpp"

namespace lasr::ui {

namespace {

namespace fs = std::filesystem;

constexpr double kOverlaySeconds = 5.0;
// Rows of the large-text font atlas (2048 wide, 8 KiB a row) copied to its
// texture per loop turn: 2 MiB, a few ms even on a software renderer.
constexpr int kFontRowsPerBand = 256;

// Input since the last frame: ImGui needs a few frames to settle after it.
std::atomic<int> g_input_frames{0};
// Keys and text from a real keyboard or an accessible keypad, for the app
// (GLFW calls these on the main thread, inside glfwWaitEvents).
std::vector<Intent> g_key_intents;

void note_input() { g_input_frames.store(3); }

// SIGTERM (systemd stopping the service), SIGINT, SIGHUP: the loop ends as
// on quit, so an open play and the app's stop are recorded. The handler
// only stores the signal; the loop looks at least once a second.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
extern "C" void on_stop_signal(int sig) { g_stop_signal.store(sig); }

void catch_stop_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &sa, nullptr);
}

void on_cursor(GLFWwindow*, double, double) { note_input(); }
void on_button(GLFWwindow*, int, int, int) { note_input(); }
void on_scroll(GLFWwindow*, double, double) { note_input(); }
void on_key(GLFWwindow*, int key, int, int action, int) {
    note_input();
    if (action == GLFW_RELEASE) return;
    if (key == GLFW_KEY_ESCAPE) g_key_intents.push_back({Intent::Kind::back});
    else if (key == GLFW_KEY_BACKSPACE) g_key_intents.push_back({Intent::Kind::backspace});
}
void on_char(GLFWwindow*, unsigned int cp) {
    note_input();
    // UTF-8 encode the code point for the search field.
    std::string s;
    if (cp < 0x80) s += static_cast<char>(cp);
    else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    if (!s.empty()) g_key_intents.push_back({Intent::Kind::type_text, s});
}
void on_size(GLFWwindow*, int, int) { note_input(); }
void on_refresh(GLFWwindow*) { note_input(); }

void on_glfw_error(int code, const char* what) {
    log::error("ui", "glfw error=" + std::to_string(code) + " " + (what ? what : ""));
}

void* get_proc_address(void*, const char* name) {
    return reinterpret_cast<void*>(glfwGetProcAddress(name));
}

Status save_screenshot(const fs::path& path, int w, int h) {
    std::vector<unsigned char> px(static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, px.data());
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    stbi_flip_vertically_on_write(1);
    if (!stbi_write_png(path.c_str(), w, h, 3, px.data(), w * 3))
        return make_error(Domain::ui, Errc::io, "cannot write screenshot " + path.string());
    log::info("ui", "screenshot=" + path.string());
    return {};
}

struct Clock {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    double now() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
};

// A tap injected by a script: hover, press, release over three frames, the
// way a finger's touch reaches ImGui through the X server.
struct InjectedTap {
    int phase = 0;  // 0 = none, 3 = hover, 2 = down, 1 = up
    ImVec2 at;
};

// Keeps the X screen saver and DPMS from blanking the screen while a video
// plays: resets the X server's idle timer, as mpv's own windows do. GLFW has
// no call for it; both functions are looked up at run time (libX11 is
// loaded by GLFW's X11 build), so nothing happens under another build.
void keep_screen_awake() {
    using GetDisplay = void* (*)();
    using Reset = int (*)(void*);
    static auto get_display = reinterpret_cast<GetDisplay>(dlsym(RTLD_DEFAULT, "glfwGetX11Display"));
    static auto reset = reinterpret_cast<Reset>(dlsym(RTLD_DEFAULT, "XResetScreenSaver"));
    static auto flush = reinterpret_cast<Reset>(dlsym(RTLD_DEFAULT, "XFlush"));
    void* display = get_display ? get_display() : nullptr;
    if (!display || !reset) return;
    reset(display);
    if (flush) flush(display);
}

int key_from_name(const std::string& name) {
    if (name == "escape") return ImGuiKey_Escape;
    if (name == "enter") return ImGuiKey_Enter;
    if (name == "space") return ImGuiKey_Space;
    if (name == "tab") return ImGuiKey_Tab;
    if (name == "up") return ImGuiKey_UpArrow;
    if (name == "down") return ImGuiKey_DownArrow;
    if (name == "left") return ImGuiKey_LeftArrow;
    if (name == "right") return ImGuiKey_RightArrow;
    return -1;
}

// When the options ask for it, pack_dir's manifest must carry a signature
// by one of the given keys, for the given library (the store's own packs
// are checked by the store).
Status pack_dir_signed(const ShellOptions& opt) {
    if (!opt.pack_signed_by) return {};
    auto policy = make_trust_policy(opt.pack_signed_by->first, opt.pack_signed_by->second);
    if (!policy) return std::move(policy).error();
    auto checked = read_pack_manifest(opt.pack_dir, *policy, std::time(nullptr));
    if (!checked) return std::move(checked).error();
    log::info("content", "pack_dir=" + opt.pack_dir.string() + " signed_by=" + checked->signed_by);
    return {};
}

}  // namespace

int run_kiosk(const ShellOptions& opt) {
    Clock clock;
    const Config& cfg = opt.config;
    // Where start-up time goes, logged with the first video frame.
    std::string phases;
    auto phase = [&phases](const char* name) {
        phases += " " + std::string(name) + "=" + std::to_string(static_cast<int>(log::ms_since_process_start()));
    };
    phase("main");

    // No content (or bad content) is not a reason to stop: the kiosk starts,
    // says it has nothing to show, and the error is in the log for staff.
    std::shared_ptr<ContentPack> pack;
    // The content store (<data_dir>/content, filled by sync and import): its
    // signed pack, or the previous one when the current is unusable.
    const bool from_store = opt.pack_dir == cfg.content_store_dir() / "current";
    bool pack_expired = false;
    auto policy = trust_policy_from(cfg);
    if (!policy) log::error(policy.error());
    if (from_store) {
        // Nothing from the store plays unverified: no usable key, no pack.
        auto active = policy ? ContentStore(store_options_from(cfg)).open_active(*policy, std::time(nullptr))
                             : Result<ActivePack>(policy.error());
        if (active) {
            pack = active->pack;
            pack_expired = active->manifest.expired;
            if (pack_expired)
                log::warn("content", "the pack expired at " + active->manifest.catalog.info.expires + "; it still plays");
        } else {
            log::error(active.error());
        }
    } else if (auto signed_ok = pack_dir_signed(opt); !signed_ok) {
        log::error(signed_ok.error());  // nothing plays that its key did not sign
    } else if (auto opened = ContentPack::open(opt.pack_dir)) {
        pack = std::move(*opened);
    } else {
        log::error(opened.error());
    }
    if (!pack) pack = ContentPack::empty(opt.pack_dir);

    std::unique_ptr<UsageLog> usage;
    if (cfg.usage.enabled) {
        // Who the statements are from (kiosk.id, usage.home_page), the clock
        // they trust (usage.trust_rtc) and retention: all from the config.
        auto u = UsageLog::open(cfg.usage_db_path(), UsageOptions::from(cfg));
        if (u) usage = std::move(*u);
        else log::error(u.error());  // the kiosk still plays without its log
        // Plays the last run could not close (killed, power cut): closed now,
        // before this run starts any, one statement each.
        if (usage) {
            if (auto closed = usage->close_interrupted_plays(); !closed) log::error(closed.error());
        }
    }
    // The UI thread's queue to the log: a writer thread commits it, so no
    // tap waits for SQLite. Declared after the log: it drains into it first.
    std::unique_ptr<UsageWriter> usage_writer;
    if (usage) {
        if (auto w = UsageWriter::start(*usage)) usage_writer = std::move(*w);
        else log::error(w.error());  // then no usage is recorded this run, and it says so
    }
    // Usage upload and upkeep, on the worker (declared below, so it joins first).
    std::unique_ptr<UsageSyncService> usage_sync = usage ? UsageSyncService::create(*usage, cfg) : nullptr;

    std::vector<ScriptStep> steps;
    if (!opt.script.empty()) {
        auto s = load_script(opt.script);
        if (!s) {
            log::error(s.error());
            return 2;
        }
        steps = std::move(*s);
    }

    phase("content");
    catch_stop_signals();
    glfwSetErrorCallback(on_glfw_error);
    if (!glfwInit()) {
        log::error("ui", "no display: GLFW could not initialise (is DISPLAY set? use xvfb-run for a headless run)");
        return 2;
    }
    phase("glfw");
    GLFWmonitor* monitor = nullptr;
    int w = cfg.display.width, h = cfg.display.height;
    if (opt.windowed) {
        w = opt.windowed->first;
        h = opt.windowed->second;
    } else if (cfg.display.fullscreen) {
        monitor = glfwGetPrimaryMonitor();
        if (monitor) {
            const GLFWvidmode* mode = glfwGetVideoMode(monitor);
            w = mode->width;
            h = mode->height;
        }
    }
    auto scale_for = [](int fw, int fh) {
        if (fh > fw) return static_cast<float>(fw) / 1080.f;  // portrait
        return std::min(static_cast<float>(fw) / 1920.f, static_cast<float>(fh) / 1080.f);
    };
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    // The font atlas (tens of milliseconds of glyph rasterising) is built
    // on another thread while the window and its GL context are created.
    // Nothing else touches ImGui until it is collected in init_ui.
    const float scale_guess = scale_for(w, h);
    std::future<FontSet> fonts_built = std::async(std::launch::async, [scale_guess, &io] {
        // (Not at a lower priority: init_ui waits for this thread after the
        // first frame, so a starved atlas held the whole UI thread: under
        // ASan with two CPU hogs, 4 s and one video frame of fifty.)
        FontSet fs = load_fonts(scale_guess, false);
        unsigned char* pixels = nullptr;
        int tw = 0, th = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &tw, &th);
        return fs;
    });
    // The window is made once the first video is opening (below): mpv
    // probes the file and starts its decoders while the GL context is made.
    GLFWwindow* window = nullptr;
    int fbw = 0, fbh = 0;
    float scale = scale_guess;
    // The fonts and the GL side of ImGui are set up once the first video
    // is loading: mpv opens and decodes it on its own threads meanwhile.
    FontSet fonts;
    unsigned own_font_texture = 0;  // the large-text atlas's texture, uploaded by us in bands
    auto atlas_uploaded = [&io] {
        log::debug("ui", "font atlas " + std::to_string(io.Fonts->TexWidth) + "x" + std::to_string(io.Fonts->TexHeight));
        // Its CPU copies (an 8-bit and a 32-bit image of every glyph at
        // every size) are needed only to build the texture.
        io.Fonts->ClearTexData();
    };
    bool ui_ready = false;
    auto init_ui = [&] {
        if (ui_ready) return;
        ui_ready = true;
        fonts = fonts_built.get();
        if (std::abs(scale - scale_guess) > 1e-3f) fonts = load_fonts(scale, false);  // a HiDPI framebuffer
        apply_style(scale);
        ImGui_ImplGlfw_InitForOpenGL(window, true);
        ImGui_ImplOpenGL3_Init("#version 130");
        ImGui_ImplOpenGL3_CreateDeviceObjects();  // the font texture too
        atlas_uploaded();
        phase("imgui");
    };

    int exit_code = 0;
    {
        PlayerOptions po;
        po.hwdec = cfg.player.hwdec;
        po.volume = cfg.player.volume;
        po.mute = cfg.player.mute;
        po.audio = cfg.player.audio;
        po.captions_visible = cfg.player.captions;
        po.preroll = cfg.player.preroll;
        po.caption_language = cfg.kiosk.language;
        po.caption_font_px_at_1080 = 54;
        auto created = Player::create(po, [] { glfwPostEmptyEvent(); });
        if (!created) {
            log::error(created.error());
            exit_code = 2;
        }
        std::unique_ptr<Player> player = created ? std::move(*created) : nullptr;
        phase("mpv");
        if (player) {
            // The one background worker: content sync, usage upload, screen
            // power commands. Declared before the app, so it outlives it.
            Worker worker([] { glfwPostEmptyEvent(); });
            TrainingEnv training_env;
            training_env.worker = &worker;
            App app(cfg, pack, *player, usage_writer.get(), training_env);
            app.content_state().expired = pack_expired;
            int redraw = 2;
            // Content sync on the background worker; new packs and progress
            // come back through drain() below, on this thread.
            std::unique_ptr<ContentSyncService> content_sync;
            if (from_store && policy && !cfg.content.server_url.empty()) {
                StoreOptions store_opts = store_options_from(cfg);
                SyncOptions sync_opts = sync_options_from(cfg);
                log::info("sync", "content_sync server=" + sync_opts.server_url + " poll_interval_s=" +
                                      std::to_string(cfg.content.poll_interval_s) + " stall_timeout_s=" +
                                      std::to_string(sync_opts.http.low_speed_window_s) + " ca_file=" +
                                      (sync_opts.http.ca_file.empty() ? "system" : sync_opts.http.ca_file) +
                                      " disk_budget_mb=" + std::to_string(store_opts.budget_bytes / 1000000) +
                                      " download_dir=" + store_opts.download_dir.string());
                content_sync = std::make_unique<ContentSyncService>(
                    worker, std::move(store_opts), *policy, std::move(sync_opts), cfg.content.poll_interval_s,
                    [&](ActivePack active) {
                        app.content_state().expired = active.manifest.expired;
                        app.replace_pack(std::move(active.pack), clock.now());
                        redraw = std::max(redraw, 2);
                    },
                    [&](const ContentStatus& st) {
                        auto& c = app.content_state();
                        c.sync_phase = st.phase;
                        c.sync_fraction = st.progress.bytes_total
                                              ? static_cast<double>(st.progress.bytes_done) /
                                                    static_cast<double>(st.progress.bytes_total)
                                              : 0;
                        c.sync_eta_s = st.progress.eta_s;
                        c.sync_error = st.last_error;
                        c.sync_error_kind = st.last_error_kind;
                        c.files_done = st.progress.files_done;
                        c.files_total = st.progress.files_total;
                        c.bytes_done = st.progress.bytes_done;
                        c.bytes_total = st.progress.bytes_total;
                        c.sync_last_success = st.last_success;
                    });
                app.content_state().sync_configured = true;
            }
            if (usage_sync) app.upload_state().configured = usage_sync->state().configured;
            ScriptRunner script(std::move(steps));
            if (opt.play_file.empty()) app.start_attract(clock.now());
            if (!opt.play_file.empty()) {
                if (auto st = app.play_file_and_quit(opt.play_file, clock.now()); !st) {
                    log::error(st.error());
                    exit_code = 3;
                    app.dispatch({Intent::Kind::quit, ""}, clock.now());
                }
            }
            const bool scripted = !opt.script.empty();
            // The window and its GL context, while mpv opens the first video
            // on its own threads (it waits, paused on its first frame, for
            // the renderer).
            glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
            glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
            // Video and a flat 2D UI: no depth or stencil buffer (with a software
            // renderer each would be another screen-sized buffer in RAM).
            glfwWindowHint(GLFW_DEPTH_BITS, 0);
            glfwWindowHint(GLFW_STENCIL_BITS, 0);
            window = glfwCreateWindow(w, h, "LASR Kiosk", monitor, nullptr);
            bool can_run = window != nullptr;
            if (!window) {
                log::error("ui", "could not create an OpenGL 3.0 window");
            } else {
                phase("window");
                glfwMakeContextCurrent(window);
                glfwSwapInterval(1);
                if (monitor) glfwSetInputMode(window, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);  // a touch kiosk shows no pointer
                // Our callbacks first: ImGui chains to them, so any input wakes the loop.
                glfwSetCursorPosCallback(window, on_cursor);
                glfwSetMouseButtonCallback(window, on_button);
                glfwSetScrollCallback(window, on_scroll);
                glfwSetKeyCallback(window, on_key);
                glfwSetCharCallback(window, on_char);
                glfwSetFramebufferSizeCallback(window, on_size);
                glfwSetWindowRefreshCallback(window, on_refresh);
                glfwGetFramebufferSize(window, &fbw, &fbh);
                scale = scale_for(fbw, fbh);
                if (auto st = player->attach_renderer(get_proc_address, nullptr); !st) {
                    log::error(st.error());
                    can_run = false;
                }
                phase("renderer");
            }
            if (!can_run) {
                exit_code = 2;
                app.dispatch({Intent::Kind::quit, ""}, clock.now());
            } else {
                log::info("ui", "ready screen=" + std::to_string(fbw) + "x" + std::to_string(fbh) +
                                    " startup_ms=" + std::to_string(static_cast<int>(log::ms_since_process_start())));
            }
            // On a video screen the first video frame goes up before ImGui is
            // set up (fonts, its GL objects): that is plain mpv's work, and
            // the UI follows right after it (or after 1.5 s at most).
            const bool video_first = app.state().screen == Screen::player || app.state().screen == Screen::attract;
            if (can_run && !video_first) init_ui();
            const double video_first_until = clock.now() + 1.5;

            InjectedTap tap;
            std::map<std::string, Rect> targets;
            std::string pending_screenshot;
            // A video started by a touch shows its controls for a few
            // seconds. One started from the command line (--play: a
            // playback check, no patron) starts with the picture alone, as
            // plain mpv does; a touch brings them up.
            const bool controls_at_start = opt.play_file.empty();
            double overlay_until = controls_at_start ? clock.now() + kOverlaySeconds : 0;
            bool first_frame_logged = false;
            AdminStatus admin_status;
            double admin_at = -10;
            Screen last_screen = app.state().screen;
            uint64_t training_revision = 0;
            auto notifier = service::ServiceNotifier::from_environment();  // systemd READY / WATCHDOG
            uint64_t frames_shown = 0;
            uint64_t video_frames_shown = 0;  // new video frames put on screen
            Heartbeat heartbeat;
            double screen_awake_at = 0;
            std::future<BuiltFonts> large_fonts;  // the large-text sizes, being built
            std::optional<BuiltFonts> large_built;  // ... built, their texture being uploaded
            std::unique_ptr<BandedTextureUpload> large_upload;
            std::chrono::steady_clock::time_point large_asked;
            FrameTimes frame_times;
            double ui_built_at = -1e9;  // when the last ImGui frame was built

            while (can_run && !app.state().quit) {
                double now = clock.now();
                // Sleep until something happens: input, an mpv wakeup, a timer.
                double timeout = std::min(app.seconds_until_next_tick(now), 1.0);
                if (content_sync) timeout = std::min(timeout, content_sync->seconds_until_next(now));
                if (scripted && !script.done()) timeout = std::min(timeout, script.idle_for(now));
                if (app.state().screen == Screen::player && overlay_until > now)
                    timeout = std::min(timeout, overlay_until - now + 0.01);
                if (redraw > 0 || g_input_frames.load() > 0 || tap.phase > 0 || !pending_screenshot.empty() || large_upload)
                    timeout = 0;
                if (usage_sync) timeout = std::min(timeout, usage_sync->seconds_until_due());
                timeout = std::min(timeout, player->seconds_until_due());  // a timed change of video
                if (timeout > 0) glfwWaitEventsTimeout(timeout);
                else glfwPollEvents();
                const auto turn_start = std::chrono::steady_clock::now();
                const double turn_cpu_ms = thread_cpu_ms();
                if (glfwWindowShouldClose(window)) app.dispatch({Intent::Kind::quit, ""}, clock.now());
                if (int sig = g_stop_signal.exchange(0); sig != 0) {
                    log::info("ui", std::string("stop requested by ") + (sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP"));
                    app.dispatch({Intent::Kind::quit, ""}, clock.now());
                }
                now = clock.now();

                auto events = player->poll();
                for (const auto& ev : events) {
                    if (ev.kind == PlayerEvent::Kind::started && controls_at_start) overlay_until = now + kOverlaySeconds;
                }
                if (!events.empty()) {
                    app.on_player_events(events, now);
                    redraw = std::max(redraw, 2);
                }
                if (app.take_sync_now()) {
                    if (content_sync) content_sync->poll_soon();
                    if (usage_sync) usage_sync->sync_soon();
                }
                if (content_sync) content_sync->tick(now);
                worker.drain();
                if (usage_sync) usage_sync->poll(worker);
                app.tick(now);
                if (app.state().quit) break;
                if (app.training() && app.training()->status().revision != training_revision) {
                    training_revision = app.training()->status().revision;
                    redraw = std::max(redraw, 2);
                }

                // Liveness: the loop runs and, while a video should be moving,
                // frames are drawn and its position advances (and libmpv
                // answers). Only then does the heartbeat, and so systemd's
                // watchdog, advance.
                bool video_screen = app.state().screen == Screen::player || app.state().screen == Screen::attract;
                bool video_moving = video_screen && player->state() == PlayerState::playing;
                if (heartbeat.update(now, video_moving, player->position_s(), player->responsive())) {
                    if (opt.on_heartbeat) opt.on_heartbeat(heartbeat.count());
                    if (heartbeat.count() % 60 == 1) log::debug("ui", "heartbeat=" + std::to_string(heartbeat.count()));
                }
                notifier.on_loop(heartbeat.count(), frames_shown, std::chrono::steady_clock::now());
                if (video_moving && now >= screen_awake_at) {
                    keep_screen_awake();
                    screen_awake_at = now + 30;
                }

                // Steps wait for a drawn frame: taps need to know where things are.
                // (and for the large-text fonts, so screenshots show them).
                if (scripted && frames_shown > 0 && ui_built_at >= 0 && !script.done() && tap.phase == 0 &&
                    pending_screenshot.empty() && !large_fonts.valid() && !large_upload) {
                    auto act = script.next(app, now, [&targets](const std::string& id) { return targets.count(id) > 0; });
                    switch (act.kind) {
                        case ScriptRunner::Action::Kind::none: break;
                        case ScriptRunner::Action::Kind::tap: {
                            const Rect& r = targets.at(act.arg);
                            tap.phase = 3;
                            tap.at = ImVec2(r.x + r.w / 2, r.y + r.h / 2);
                            break;
                        }
                        case ScriptRunner::Action::Kind::wait_target:
                            // Not drawn yet: draw again. On the player, the
                            // controls show after a touch, as for a patron.
                            if (app.state().screen == Screen::player) overlay_until = now + kOverlaySeconds;
                            break;
                        case ScriptRunner::Action::Kind::type:
                            app.dispatch({Intent::Kind::search_open}, now);
                            app.dispatch({Intent::Kind::type_text, act.arg}, now);
                            break;
                        case ScriptRunner::Action::Kind::key: {
                            int k = key_from_name(act.arg);
                            if (k == ImGuiKey_Escape) app.dispatch({Intent::Kind::back, ""}, now);
                            else if (k < 0) log::warn("ui", "script: unknown key " + act.arg);
                            break;
                        }
                        case ScriptRunner::Action::Kind::screenshot:
                            pending_screenshot = act.arg;
                            break;
                        case ScriptRunner::Action::Kind::failed:
                            log::error("ui", "script failed at " + script.describe_current() + ": " + act.arg);
                            exit_code = 4;
                            app.dispatch({Intent::Kind::quit, ""}, now);
                            break;
                    }
                    // A step shows what it did; a wait draws nothing, so a
                    // scripted kiosk idles like an unscripted one.
                    if (act.kind != ScriptRunner::Action::Kind::none || !script.waiting()) redraw = std::max(redraw, 1);
                }
                if (scripted && script.done() && pending_screenshot.empty() && tap.phase == 0 && opt.play_file.empty() &&
                    !app.state().quit) {
                    app.dispatch({Intent::Kind::quit, ""}, now);
                }
                if (app.state().quit) break;

                // Keys typed since the last turn (text only where it is wanted).
                for (const Intent& in : g_key_intents) {
                    if (in.kind == Intent::Kind::type_text && !app.state().keyboard) continue;
                    if (in.kind == Intent::Kind::back && app.state().keyboard) {
                        app.dispatch({Intent::Kind::search_close}, now);
                        continue;
                    }
                    app.dispatch(in, now);
                }
                g_key_intents.clear();

                bool on_player = app.state().screen == Screen::player || app.state().screen == Screen::attract;
                bool video_frame = player->frame_pending();
                if (app.state().screen != last_screen) {
                    last_screen = app.state().screen;
                    redraw = std::max(redraw, 2);
                    if (on_player && controls_at_start) overlay_until = now + kOverlaySeconds;
                }
                bool overlay_visible = app.state().screen == Screen::player && overlay_until > now;
                static bool overlay_was_visible = false;
                if (overlay_visible != overlay_was_visible) {
                    redraw = std::max(redraw, 1);
                    log::debug("ui", overlay_visible ? "controls shown" : "controls hidden");
                }
                overlay_was_visible = overlay_visible;
                if ((app.state().large_text || large_fonts.valid() || large_upload) && !fonts.has_large) {
                    // The first "Aa" since start: the large sizes (~100 ms of
                    // glyph rasterising) are built on another thread while
                    // frames go on in the normal size; their texture is
                    // uploaded a band per turn, then swapped in. Once begun
                    // this runs to its end even if "Aa" is pressed again
                    // meanwhile (left half-way, the loop would spin on it).
                    if (!large_fonts.valid() && !large_upload) {
                        large_asked = std::chrono::steady_clock::now();
                        large_fonts = std::async(std::launch::async, [scale] {
                            lower_this_thread_priority("large_fonts");  // the UI first
                            BuiltFonts b = build_fonts(scale, true);
                            glfwPostEmptyEvent();
                            return b;
                        });
                    } else if (large_fonts.valid() &&
                               large_fonts.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
                        large_built = large_fonts.get();
                        unsigned char* pixels = nullptr;
                        int tw = 0, th = 0;
                        large_built->atlas->GetTexDataAsRGBA32(&pixels, &tw, &th);  // built: only returns them
                        large_upload = std::make_unique<BandedTextureUpload>(pixels, tw, th, kFontRowsPerBand);
                    } else if (large_upload && large_upload->step()) {
                        ImGui_ImplOpenGL3_DestroyFontsTexture();
                        fonts = install_fonts(std::move(*large_built));
                        large_built.reset();
                        own_font_texture = large_upload->take();
                        io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(own_font_texture)));
                        log::debug("ui", "font texture bands=" + std::to_string(large_upload->bands_uploaded()));
                        large_upload.reset();
                        atlas_uploaded();
                        redraw = std::max(redraw, 2);
                        log::info("ui", "large text fonts built_ms=" +
                                            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                               std::chrono::steady_clock::now() - large_asked)
                                                               .count()) +
                                            " (off the UI thread)");
                    }
                }
                int input = g_input_frames.load();
                if (!(redraw > 0 || input > 0 || video_frame || tap.phase > 0 || !pending_screenshot.empty())) continue;
                if (input > 0) {
                    g_input_frames.fetch_sub(1);
                    if (on_player && (io.MouseDown[0] || io.MouseClicked[0])) overlay_until = now + kOverlaySeconds;
                }
                // Only the video changed, with nothing of the UI moving over
                // it (the attract loop, or the player with its controls
                // hidden): no ImGui frame is built; the last one's draw lists
                // go over the new video frame again. A full UI frame still
                // runs at least once a second (alerts come and go).
                // With the controls up, their frame is rebuilt five times a
                // second (the seek bar and clock), not for every video frame.
                if (!ui_ready && (!on_player || now > video_first_until)) init_ui();
                const bool video_only =
                    !ui_ready || (on_player && video_frame && redraw == 0 && input == 0 && tap.phase == 0 &&
                                  pending_screenshot.empty() && now - ui_built_at < (overlay_visible ? 0.2 : 1.0) &&
                                  ImGui::GetDrawData() != nullptr);
                if (redraw > 0) --redraw;

                glfwGetFramebufferSize(window, &fbw, &fbh);
                FrameOutput out;
                FrameSplit split;
                auto since_turn = [&turn_start] {
                    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - turn_start).count();
                };
                split.app = since_turn();
                if (!video_only) {
                    ImGui_ImplOpenGL3_NewFrame();
                    ImGui_ImplGlfw_NewFrame();
                    if (tap.phase > 0) {
                        io.MousePos = tap.at;
                        io.MouseDown[0] = tap.phase == 2;
                        if (on_player) overlay_until = now + kOverlaySeconds;
                        --tap.phase;
                    } else if (scripted) {
                        io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);  // no hover left behind
                    }
                    ImGui::NewFrame();
                    if (app.state().screen == Screen::admin && now - admin_at >= 1.0) {
                        if (usage_sync) app.upload_state().paused = usage_sync->state().paused;
                        admin_status = app.admin_status();
                        admin_at = now;
                    }
                    const LocalTime local = app.local_time();  // in kiosk.time_zone
                    const Fonts& f = app.state().large_text ? fonts.large : fonts.normal;
                    ViewContext ctx{f,
                                    palette(app.state().high_contrast),
                                    scale,
                                    static_cast<float>(fbw),
                                    static_cast<float>(fbh),
                                    overlay_visible,
                                    now,
                                    local.weekday,
                                    local.minute_of_day,
                                    &admin_status};
                    draw_screen(app, ctx, out);
                    ImGui::Render();
                    ui_built_at = now;
                }
                split.build = since_turn();

                glViewport(0, 0, fbw, fbh);
                if (on_player) {
                    if (!player->render(0, fbw, fbh)) video_frame = false;  // logged by the player
                } else {
                    ImVec4 bg = ImGui::ColorConvertU32ToFloat4(palette(app.state().high_contrast).ground);
                    glClearColor(bg.x, bg.y, bg.z, 1);
                    glClear(GL_COLOR_BUFFER_BIT);
                }
                split.video = since_turn();
                if (ui_ready && ImGui::GetDrawData()) ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
                split.ui = since_turn();
                // A frame that saves a screenshot (tours, tests) reads the
                // framebuffer back and writes a PNG: ~200-300 ms that no
                // patron ever waits for, so its time is left out of the
                // frame-time figures.
                const bool screenshot_frame = !pending_screenshot.empty();
                if (screenshot_frame) {
                    if (auto st = save_screenshot(opt.screenshot_dir / (pending_screenshot + ".png"), fbw, fbh); !st)
                        log::error(st.error());
                    pending_screenshot.clear();
                }
                glfwSwapBuffers(window);
                ++frames_shown;
                player->report_swap();
                if (!screenshot_frame) {
                    split.swap = since_turn();
                    if (const double cpu = thread_cpu_ms(); cpu >= 0 && turn_cpu_ms >= 0) split.cpu = cpu - turn_cpu_ms;
                    frame_times.add(split, to_string(app.state().screen), !ui_ready, clock.now());
                }
                if (on_player && video_frame) {
                    heartbeat.frame_drawn(clock.now());
                    ++video_frames_shown;
                }
                // The first frame is on screen before mpv reports playback
                // started (it shows it while the rest of the pipeline warms up).
                if (on_player && video_frame && !first_frame_logged) {
                    first_frame_logged = true;
                    char b[64];
                    std::snprintf(b, sizeof b, "first_frame_ms=%.0f", log::ms_since_process_start());
                    log::info("ui", b);
                    phase("first_frame");
                    init_ui();
                    log::info("ui", "startup_ms" + phases);
                    redraw = std::max(redraw, 1);
                }
                if (!video_only) targets = std::move(out.targets);
                for (const Intent& in : out.intents) app.dispatch(in, clock.now());
                if (!out.intents.empty()) redraw = std::max(redraw, 2);
            }
            exit_code = exit_code != 0 ? exit_code : app.state().exit_code;
            log::info("ui", "exit code=" + std::to_string(exit_code) + " frames=" + std::to_string(frames_shown) +
                                " video_frames=" + std::to_string(video_frames_shown));
            log::info("ui", frame_times.summary());
            if (large_fonts.valid()) IM_DELETE(large_fonts.get().atlas);  // built, never shown
            if (large_built) IM_DELETE(large_built->atlas);
        }
        // The player (and its render context) goes before the GL context.
    }
    if (window) {
        init_ui();  // (not yet when the renderer failed: shut down what exists)
        if (own_font_texture) {  // ImGui's backend deletes only the texture it made
            io.Fonts->SetTexID(ImTextureID{});
            glDeleteTextures(1, &own_font_texture);
        }
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
    } else {
        fonts_built.wait();  // it builds into ImGui's context
    }
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return exit_code;
}

}  // namespace lasr::ui
