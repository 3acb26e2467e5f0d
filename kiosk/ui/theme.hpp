// The kiosk's look: fonts, colours and sizes, scaled from a 1920x1080 design.
#pragma once

#include <imgui.h>

namespace lasr::ui {

struct Fonts {
    ImFont* body = nullptr;   // 30 px at 1080p
    ImFont* bold = nullptr;   // body size, bold
    ImFont* small = nullptr;  // 24 px
    ImFont* title = nullptr;  // 46 px bold
    ImFont* huge = nullptr;   // 72 px bold
};

// Normal size, and 1.3x for large-text mode. The large set is loaded only
// when asked for (most patrons never press "Aa": it would be two thirds of
// the font atlas); until then `large` is the normal set.
struct FontSet {
    Fonts normal;
    Fonts large;
    bool has_large = false;
};

constexpr ImU32 rgb(unsigned r, unsigned g, unsigned b, unsigned a = 255) {
    return (a << 24) | (b << 16) | (g << 8) | r;
}

// Colours. Every text/background pair used is at least 4.5:1 (WCAG AA);
// the high-contrast palette is at least 7:1 (AAA).
struct Palette {
    ImU32 ground;        // page
    ImU32 card;
    ImU32 card_pressed;
    ImU32 line;          // card borders
    ImU32 text;
    ImU32 muted;         // secondary text
    ImU32 primary;       // buttons, accents
    ImU32 primary_dark;  // pressed
    ImU32 on_primary;    // text on primary
    ImU32 accent;        // crisis line
    ImU32 header;        // top bar
    ImU32 on_header;
    ImU32 on_header_muted;
    ImU32 chip_idle;     // an unselected button on the header
    ImU32 overlay;       // player controls over video
    ImU32 notice;
    ImU32 notice_bg;
    ImU32 open_now;      // "open now" text
    ImU32 alert_emergency, alert_warning, alert_info, on_alert;
};

const Palette& palette(bool high_contrast);

// Loads Noto Sans (falling back to DejaVu, then ImGui's own font) at both
// sizes times `scale`, with Latin, Latin Extended and Vietnamese glyphs.
// Rebuilds the atlas (call between frames, then recreate the font texture).
FontSet load_fonts(float scale, bool with_large);
// The same into a given atlas, which it clears first. Touches no ImGui
// context: any thread may build an atlas that no frame uses.
FontSet load_fonts(ImFontAtlas& atlas, float scale, bool with_large);

// A font atlas built away from the UI thread, its texture data ready.
struct BuiltFonts {
    ImFontAtlas* atlas = nullptr;  // IM_NEW'd; owned by the ImGui context once installed
    FontSet fonts;
};
BuiltFonts build_fonts(float scale, bool with_large);
// Puts a built atlas in place of the context's own (which it frees), between
// frames, and returns its fonts. Destroy the backend's font texture before
// and create it again after.
FontSet install_fonts(BuiltFonts built);
void apply_style(float scale);

}  // namespace lasr::ui
