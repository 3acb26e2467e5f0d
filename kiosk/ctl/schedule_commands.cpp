// schedule: what a training screen would show at a given moment, and why.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "config/regular_file.hpp"
#include "kiosk/ctl/commands.hpp"
#include "kiosk/ctl/schedule_preview.hpp"
#include "playlists/manifest.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;

struct ScheduleArgs {
    PreviewOptions preview;
    fs::path pack;
    fs::path config;
};

int run_schedule(const ScheduleArgs& a) {
    auto fail = [](const Error& e) {
        std::cerr << "schedule: " << e.describe() << "\n";
        return 1;
    };
    Config config;
    std::optional<fs::path> cfg_path = a.config.empty() ? default_config_path() : std::optional<fs::path>(a.config);
    if (cfg_path) {
        auto c = load_config_file(*cfg_path);
        if (!c) return fail(c.error());
        config = std::move(*c);
    }
    fs::path pack = a.pack.empty() ? config.pack_dir() : a.pack;
    auto text = read_file_limited(pack / std::string(kManifestName), kMaxManifestBytes);
    if (!text) {
        std::cerr << "schedule: " << text.error().message << " (give --pack DIR)\n";
        return 1;
    }
    auto cat = parse_manifest(*text);
    if (!cat) return fail(cat.error());
    auto report = schedule_report(config, *cat, a.preview, config.kiosk.data_dir / "training.sqlite3");
    if (!report) {
        std::cerr << "schedule: " << report.error().message << "\n";
        return report.error().code == Errc::invalid_argument ? 2 : 1;
    }
    std::cout << "pack:    " << pack.string() << " (library " << cat->info.library_id << ", version " << cat->info.version
              << ")\nconfig:  " << (cfg_path ? cfg_path->string() : std::string("built-in defaults")) << "\n"
              << *report;
    return 0;
}

}  // namespace

void add_schedule_commands(CLI::App& app, Action& action) {
    auto args = std::make_shared<ScheduleArgs>();
    CLI::App* sc = app.add_subcommand("schedule", "Say what a training screen would play at a moment, and why");
    sc->add_option("--at", args->preview.at,
                   "When: \"now\", a local time in the kiosk's zone (2026-12-01T09:30), or UTC/offset (2026-12-01T15:30Z)")
        ->capture_default_str();
    sc->add_option("--pack", args->pack, "Content pack directory (default: the config's)");
    sc->add_option("--config", args->config, "Config file (default: $LASR_KIOSK_CONFIG, then /etc/lasr-kiosk/kiosk.toml)");
    sc->add_option("--days", args->preview.days, "Also list what plays for this many days from then")->check(CLI::Range(0, 31));
    sc->callback([args, &action] { action = [args] { return run_schedule(*args); }; });
}

}  // namespace lasr::ctl
