// A private X server for benchmarks that run the real kiosk: Xvfb picks a
// free display number itself (-displayfd) and is stopped with its owner.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace lasr::test {

class Xvfb {
public:
    // Starts Xvfb with one screen of width x height x 24 and waits (up to
    // 10 s) until it accepts clients. nullopt when it cannot start.
    static std::optional<Xvfb> start(int width, int height);
    ~Xvfb();
    Xvfb(Xvfb&& other) noexcept;
    Xvfb& operator=(Xvfb&&) = delete;
    Xvfb(const Xvfb&) = delete;
    Xvfb& operator=(const Xvfb&) = delete;
    // ":N", for DISPLAY.
    const std::string& display() const { return display_; }

private:
    Xvfb(pid_t pid, std::string display) : pid_(pid), display_(std::move(display)) {}
    pid_t pid_ = -1;
    std::string display_;
};

}  // namespace lasr::test
