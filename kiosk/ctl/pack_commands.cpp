// Content pack subcommands: demo-pack (generate the demo pack) and
// verify-pack (check every file of a pack against its manifest).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "kiosk/ctl/commands.hpp"
#include "kiosk/ctl/demo_pack.hpp"
#include "media/content_pack.hpp"
#include "playlists/manifest.hpp"

#ifndef LASR_SOURCE_DIR
#error "LASR_SOURCE_DIR must be defined by the build"
#endif

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;

std::string fixed(double v, int decimals) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

int fail(const std::string& command, const Error& e) {
    std::cerr << command << ": " << e.describe() << "\n";
    return 1;
}

// The demo content source: installed beside the executable
// (/usr/bin/../share/lasr-kiosk/demo/), else the source tree it was built from.
fs::path default_demo_source() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        fs::path installed = exe.parent_path().parent_path() / "share/lasr-kiosk/demo/demo-content.json";
        if (fs::exists(installed, ec)) return installed;
    }
    return fs::path(LASR_SOURCE_DIR) / "playlists/demo/demo-content.json";
}

int run_demo_pack(const DemoPackOptions& opt) {
    auto report = make_demo_pack(opt, std::cout);
    if (!report) return fail("demo-pack", report.error());
    if (report->already_there) {
        std::cout << "demo-pack: " << opt.out.string() << " already holds a content pack (" << report->videos
                  << " videos, " << report->resources << " resources); nothing to do (--force rebuilds it)\n";
        return 0;
    }
    std::cout << "demo_pack videos=" << report->videos << " resources=" << report->resources
              << " bytes=" << report->bytes << " seconds=" << fixed(report->seconds, 1) << "\n";
    return 0;
}

int run_verify_pack(const fs::path& dir) {
    auto t0 = std::chrono::steady_clock::now();
    auto pack = ContentPack::open(dir);
    if (!pack) return fail("verify-pack", pack.error());
    const Catalog& cat = (*pack)->catalog();
    size_t videos = 0, bad = 0;
    uint64_t bytes = 0;
    for (const auto& c : cat.courses) videos += c.videos.size();
    auto files = cat.all_files();
    // Check every file, not just up to the first bad one: staff want the full list.
    for (const auto& f : files) {
        bytes += f.size;
        if (auto p = (*pack)->verified_path(f); !p) {
            std::cerr << "verify-pack: " << p.error().describe() << "\n";
            ++bad;
        }
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (bad) {
        std::cerr << "verify-pack: " << dir.string() << ": " << bad << " of " << files.size()
                  << " files do not match the manifest\n";
        return 1;
    }
    std::cout << "pack " << dir.string() << ": library " << cat.info.library_id;
    if (!cat.info.library_name.empty()) std::cout << " (" << cat.info.library_name << ")";
    std::cout << ", version " << cat.info.version << ", issued " << cat.info.issued << "; every file matches its SHA-256\n";
    std::cout << "verify_pack ok courses=" << cat.courses.size() << " videos=" << videos
              << " resources=" << cat.resources.size() << " files=" << files.size() << " bytes=" << bytes
              << " seconds=" << fixed(secs, 2) << "\n";
    std::cout << "signature: not checked (signing comes with `lasr-kioskctl pack`)\n";
    return 0;
}

}  // namespace

void add_pack_commands(CLI::App& app, Action& action) {
    auto demo = std::make_shared<DemoPackOptions>();
    demo->source = default_demo_source();
    CLI::App* dp = app.add_subcommand("demo-pack", "Generate the demo content pack (videos, captions, transcripts, "
                                                   "thumbnails, manifest) with ffmpeg");
    dp->add_option("--out", demo->out, "Pack directory to create (missing, empty, or an earlier pack)")->required();
    dp->add_option("--source", demo->source, "Demo content source (JSON)")->capture_default_str()->check(CLI::ExistingFile);
    dp->add_flag("--quick", demo->quick, "Make 640x360 videos instead of 1280x720 (for tests)");
    dp->add_flag("--force", demo->force, "Rebuild even if the directory already holds a valid pack");
    dp->add_option("--jobs", demo->jobs, "ffmpeg processes to run at a time")->capture_default_str()->check(CLI::Range(1, 16));
    dp->callback([demo, &action] { action = [demo] { return run_demo_pack(*demo); }; });

    auto dir = std::make_shared<fs::path>();
    CLI::App* vp = app.add_subcommand("verify-pack", "Check every file of a content pack against its manifest (size, SHA-256)");
    vp->add_option("DIR", *dir, "Pack directory (holds manifest.json)")->required();
    vp->callback([dir, &action] { action = [dir] { return run_verify_pack(*dir); }; });
}

}  // namespace lasr::ctl
