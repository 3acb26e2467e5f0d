// The kiosk under a display for end-to-end tests: Xvfb when there is none.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

namespace lasr::test {

inline std::vector<std::string> under_display(std::vector<std::string> argv, int w, int h) {
    // Under ASan: Mesa's GL driver, loaded and unloaded through GLVND, leaks
    // 240 bytes that LeakSanitizer cannot attribute (the module is gone by
    // exit). Leak checks stay on for every headless test; for the windowed
    // kiosk only ASan's memory-error checks run.
    const char* asan = std::getenv("ASAN_OPTIONS");
    argv.insert(argv.begin(), {"env", std::string("ASAN_OPTIONS=") + (asan ? asan : "") + ":detect_leaks=0"});
    const char* d = std::getenv("DISPLAY");
    if (d && *d) return argv;
    std::vector<std::string> x = {"xvfb-run", "-a", "-s", "-screen 0 " + std::to_string(w) + "x" + std::to_string(h) + "x24"};
    x.insert(x.end(), argv.begin(), argv.end());
    return x;
}

}  // namespace lasr::test
