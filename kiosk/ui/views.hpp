// The screens. Each frame the loop calls draw_screen() with the app's state;
// views draw it and return intents. They own no domain state: presentation
// details (overlay shown, scale, clock) come in through ViewContext.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kiosk/app/app.hpp"

namespace lasr::ui {

// From theme.hpp, which (like everything that names ImGui types) stays
// inside lasr_ui.
struct Fonts;
struct Palette;

struct Rect {
    float x = 0, y = 0, w = 0, h = 0;
};

struct ViewContext {
    const Fonts& fonts;
    const Palette& pal;
    float scale = 1;  // 1.0 at 1080 lines (1080 columns in portrait)
    float width = 1920, height = 1080;
    bool overlay_visible = true;       // player controls shown
    double now = 0;                    // app time, seconds
    int weekday = 0;                   // local, 0 = Monday (for "open now")
    int minute_of_day = 0;             // local
    const AdminStatus* admin = nullptr;  // on the admin screen
};

struct FrameOutput {
    std::vector<Intent> intents;
    std::map<std::string, Rect> targets;  // tap targets on screen this frame, by id
};

void draw_screen(const App& app, const ViewContext& ctx, FrameOutput& out);

// "0:15", "12:03", "1:02:03"
std::string format_clock(double seconds);
// "1.2 GB"
std::string format_bytes(uint64_t bytes);

}  // namespace lasr::ui
