// Logging: one line per event on stderr, figures as key=value.
//
//   2026-11-29T03:04:05.123Z warn content hash_mismatch file=media/a.mp4
//
// Thread-safe. The last warnings and errors are also kept in memory (a small
// ring) so the admin screen can show them without reading the journal.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"

namespace lasr::log {

enum class Level { debug, info, warn, error };

struct Entry {
    std::chrono::system_clock::time_point when;
    Level level;
    std::string component;
    std::string text;
};

void write(Level level, std::string_view component, std::string_view text);
inline void debug(std::string_view c, std::string_view t) { write(Level::debug, c, t); }
inline void info(std::string_view c, std::string_view t) { write(Level::info, c, t); }
inline void warn(std::string_view c, std::string_view t) { write(Level::warn, c, t); }
inline void error(std::string_view c, std::string_view t) { write(Level::error, c, t); }
// Logs an Error at level error under its own domain.
void error(const Error& e);

// Lines below this level are dropped (default info; LASR_LOG=debug lowers it).
void set_min_level(Level level);
// The most recent warnings and errors, oldest first (at most 50).
std::vector<Entry> recent_problems();

// Milliseconds since this process started (from the kernel's record of the
// process start, so dynamic loading before main() is counted).
double ms_since_process_start();

}  // namespace lasr::log
