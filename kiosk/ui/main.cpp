// lasr-kiosk: the full-screen kiosk.
#include <CLI/CLI.hpp>

#include <clocale>
#include <cstdio>
#include <unistd.h>

#include "config/log.hpp"
#include "config/process.hpp"
#include "kiosk/app/strings.hpp"
#include "kiosk/ui/shell.hpp"
#include "media/crypto.hpp"
#include "media/durable.hpp"

namespace fs = std::filesystem;

namespace {

fs::path exe_dir() {
    std::error_code ec;
    fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::current_path() : p.parent_path();
}

// The bundled demo pack: next to the build's bin/ (build/demo-pack), or
// installed under /usr/share/lasr-kiosk/demo-pack.
fs::path demo_pack_dir() {
    if (const char* env = std::getenv("LASR_DEMO_PACK"); env && *env) return env;
    fs::path local = exe_dir().parent_path() / "demo-pack";
    std::error_code ec;
    if (fs::exists(local / "manifest.json", ec)) return local;
    fs::path shared = "/usr/share/lasr-kiosk/demo-pack";
    if (fs::exists(shared / "manifest.json", ec)) return shared;
    return local;
}

}  // namespace

int main(int argc, char** argv) {
    lasr::tune_malloc();  // before any thread
    std::setlocale(LC_ALL, "");
    std::setlocale(LC_NUMERIC, "C");  // libmpv needs C number formatting

    CLI::App cli{"LASR Kiosk: training videos and local help for library patrons and staff"};
    std::string config_file, windowed, play, script, shots;
    bool demo = false, quit_at_end = false, version = false, no_audio = false;
    cli.add_option("--config", config_file, "Config file (TOML); default $LASR_KIOSK_CONFIG, then /etc/lasr-kiosk/kiosk.toml");
    cli.add_flag("--demo", demo, "Run on the bundled demo content pack");
    cli.add_option("--windowed", windowed, "Open a WxH window instead of full screen, e.g. 1280x720");
    cli.add_option("--play", play, "Play one media file full-window");
    cli.add_flag("--quit-at-end", quit_at_end, "With --play: exit 0 when it played to its end, non-zero otherwise");
    cli.add_option("--script", script, "Drive the UI from a script file (see README)");
    cli.add_option("--screenshot-dir", shots, "Where script screenshots are saved (default: current directory)");
    cli.add_flag("--no-audio", no_audio, "No sound output (as [player] audio = false), e.g. under Xvfb");
    cli.add_flag("--version", version, "Print the version and exit");
    CLI11_PARSE(cli, argc, argv);
    if (version) {
        std::printf("lasr-kiosk %s\n", LASR_VERSION);
        return 0;
    }
    if (!play.empty() && !quit_at_end) {
        std::fprintf(stderr, "lasr-kiosk: --play needs --quit-at-end\n");
        return 64;
    }

    lasr::ui::ShellOptions opt;
    std::optional<fs::path> cfg_path;
    if (!config_file.empty()) cfg_path = config_file;
    else cfg_path = lasr::default_config_path();
    if (cfg_path) {
        auto cfg = lasr::load_config_file(*cfg_path);
        if (!cfg) {
            lasr::log::error(cfg.error());
            return 2;
        }
        opt.config = std::move(*cfg);
        lasr::log::info("main", "config=" + cfg_path->string());
    } else {
        lasr::log::info("main", "config=built-in-defaults");
    }
    if (demo) {
        opt.pack_dir = demo_pack_dir();
        // `make demo` signs the demo pack with a key made in the build tree;
        // when that key is there, the pack must carry its signature.
        fs::path demo_key = exe_dir().parent_path() / "demo-key/demo.pub";
        if (const char* env = std::getenv("LASR_DEMO_KEY"); env && *env) demo_key = env;
        if (auto key = lasr::read_file_limited(demo_key, 4096))  // a .pub file's text
            opt.pack_signed_by = std::make_pair(std::string("demo-library"), std::vector{std::move(*key)});
        else
            lasr::log::warn("main", "demo pack signature not checked: " + key.error().describe());
        if (!cfg_path) opt.config.kiosk.data_dir = exe_dir().parent_path() / "demo-data";
        if (opt.config.admin.pin_hash.empty()) {
            // A demo is for trying everything, the staff screen too.
            if (auto h = lasr::crypto::hash_pin("2468")) opt.config.admin.pin_hash = *h;
            lasr::log::info("main", "demo admin PIN is 2468");
        }
    } else {
        opt.pack_dir = opt.config.pack_dir();
    }
    if (!windowed.empty()) {
        int w = 0, h = 0;
        if (std::sscanf(windowed.c_str(), "%dx%d", &w, &h) != 2 || w < 320 || h < 240 || w > 7680 || h > 7680) {
            std::fprintf(stderr, "lasr-kiosk: --windowed takes WxH, e.g. 1280x720\n");
            return 64;
        }
        opt.windowed = std::make_pair(w, h);
    }
    std::vector<fs::path> string_dirs = {"/etc/lasr-kiosk/strings"};
    if (const char* env = std::getenv("LASR_STRINGS_DIR"); env && *env) string_dirs.emplace_back(env);
    lasr::load_strings(string_dirs);
    if (no_audio) opt.config.player.audio = false;
    opt.play_file = play;
    opt.quit_at_end = quit_at_end;
    opt.script = script;
    if (!shots.empty()) opt.screenshot_dir = shots;
    lasr::log::info("main", "lasr-kiosk " LASR_VERSION " pack=" + opt.pack_dir.string());
    return lasr::ui::run_kiosk(opt);
}
