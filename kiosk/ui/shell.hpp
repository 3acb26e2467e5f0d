// The windowed kiosk: a GLFW window with an OpenGL context, libmpv rendering
// into it, Dear ImGui drawn on top, and the event-driven main loop.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace lasr::ui {

struct ShellOptions {
    Config config;
    std::filesystem::path pack_dir;
    // Set: the pack in pack_dir (not the store) must be signed by one of
    // these keys, for this library (the demo pack and its build's key).
    std::optional<std::pair<std::string, std::vector<std::string>>> pack_signed_by;  // library id, "RW..." lines
    std::optional<std::pair<int, int>> windowed;  // --windowed WxH
    std::string play_file;                        // --play FILE
    bool quit_at_end = false;
    std::filesystem::path script;                 // --script FILE
    std::filesystem::path screenshot_dir = ".";
    // Called on the main thread each time the liveness heartbeat advances
    // (at most once a second): the loop runs and, while a video plays,
    // frames are drawn and its position moves. For systemd's watchdog.
    std::function<void(uint64_t count)> on_heartbeat;
};

// Runs until quit; returns the process exit code.
int run_kiosk(const ShellOptions& options);

}  // namespace lasr::ui
