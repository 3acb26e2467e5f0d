// The views without a window: Dear ImGui with no renderer, fed fake touches.
// For tests (views as functions of state returning intents) and benchmarks
// (the CPU cost of a frame). Main thread only, one at a time.
#pragma once

#include <memory>
#include <string>

#include "kiosk/ui/views.hpp"

namespace lasr::ui {

class HeadlessUi {
public:
    HeadlessUi(int width, int height);
    ~HeadlessUi();
    HeadlessUi(const HeadlessUi&) = delete;
    HeadlessUi& operator=(const HeadlessUi&) = delete;

    // One frame of the app's current state, with the pointer where it is.
    FrameOutput frame(const App& app, double now = 0);
    // Taps a target drawn in the last frame (hover, press, release) and
    // returns the intents the views produced. Empty when `id` is not on screen.
    std::vector<Intent> tap(const App& app, const std::string& id, double now = 0);
    // Drags a finger from (x, y) by dy over `steps` frames; returns the
    // frame time of each step in milliseconds.
    std::vector<double> drag(const App& app, float x, float y, float dy, int steps, double now = 0);

    const FrameOutput& last() const { return last_; }

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
    FrameOutput last_;
};

}  // namespace lasr::ui
