#include "config/log.hpp"

#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>

namespace lasr::log {
namespace {

constexpr size_t kRecentMax = 50;

struct State {
    std::mutex mu;
    Level min = Level::info;
    std::deque<Entry> recent;
    State() {
        if (const char* env = std::getenv("LASR_LOG")) {
            std::string_view v(env);
            if (v == "debug") min = Level::debug;
            else if (v == "warn") min = Level::warn;
            else if (v == "error") min = Level::error;
        }
    }
};

State& state() {
    static State s;
    return s;
}

const char* level_name(Level l) {
    switch (l) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warn: return "warn";
        case Level::error: return "error";
    }
    return "?";
}

}  // namespace

void write(Level level, std::string_view component, std::string_view text) {
    State& s = state();
    auto now = std::chrono::system_clock::now();
    std::lock_guard lock(s.mu);
    if (level < s.min) return;
    auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - secs).count();
    time_t t = std::chrono::system_clock::to_time_t(secs);
    struct tm tm{};
    gmtime_r(&t, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    std::fprintf(stderr, "%s %s %.*s %.*s\n", stamp, level_name(level),
                 static_cast<int>(component.size()), component.data(), static_cast<int>(text.size()),
                 text.data());
    if (level >= Level::warn) {
        s.recent.push_back(Entry{now, level, std::string(component), std::string(text)});
        while (s.recent.size() > kRecentMax) s.recent.pop_front();
    }
}

void error(const Error& e) {
    std::string text(to_string(e.code));
    text += ": ";
    text += e.message;
    write(Level::error, to_string(e.domain), text);
}

void set_min_level(Level level) {
    std::lock_guard lock(state().mu);
    state().min = level;
}

std::vector<Entry> recent_problems() {
    std::lock_guard lock(state().mu);
    return {state().recent.begin(), state().recent.end()};
}

double ms_since_process_start() {
    // Field 22 of /proc/self/stat is the start time in clock ticks since boot,
    // on the same clock as CLOCK_BOOTTIME.
    std::ifstream f("/proc/self/stat");
    std::string line;
    if (!std::getline(f, line)) return -1;
    auto close = line.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    unsigned long long start_ticks = 0;
    for (int i = 3; i <= 22 && rest >> field; ++i) {
        if (i == 22) start_ticks = std::strtoull(field.c_str(), nullptr, 10);
    }
    long hz = sysconf(_SC_CLK_TCK);
    struct timespec now{};
    clock_gettime(CLOCK_BOOTTIME, &now);
    double now_ms = static_cast<double>(now.tv_sec) * 1000.0 + static_cast<double>(now.tv_nsec) / 1e6;
    return now_ms - static_cast<double>(start_ticks) * 1000.0 / static_cast<double>(hz);
}

}  // namespace lasr::log
