// The kiosk's look: fonts, colours and sizes, scaled from a 1920x1080 design.
#pragma once

#include <imgui.h>

namespace lasr::ui {

struct Fonts {
    ImFont* body = nullptr;    // 30 px at 1080p
    ImFont* bold = nullptr;    // body size, bold
    ImFont* small = nullptr;   // 24 px
    ImFont* title = nullptr;   // 46 px bold
    ImFont* huge = nullptr;    // 72 px bold
};

// Colours: dark text on a warm light ground; every text/background pair
// used is at least 4.5:1 (WCAG AA).
namespace color {
inline constexpr ImU32 rgb(unsigned r, unsigned g, unsigned b, unsigned a = 255) {
    return (a << 24) | (b << 16) | (g << 8) | r;
}
inline constexpr ImU32 ground = rgb(0xF6, 0xF3, 0xEC);     // page
inline constexpr ImU32 card = rgb(0xFF, 0xFF, 0xFF);
inline constexpr ImU32 card_pressed = rgb(0xE4, 0xEE, 0xEE);
inline constexpr ImU32 line = rgb(0xD9, 0xD3, 0xC7);
inline constexpr ImU32 text = rgb(0x1F, 0x23, 0x28);       // 14.6:1 on ground
inline constexpr ImU32 muted = rgb(0x4E, 0x55, 0x5D);      // 6.9:1 on ground
inline constexpr ImU32 primary = rgb(0x0B, 0x5F, 0x66);    // deep teal, white text 7.0:1
inline constexpr ImU32 primary_dark = rgb(0x07, 0x45, 0x4A);
inline constexpr ImU32 on_primary = rgb(0xFF, 0xFF, 0xFF);
inline constexpr ImU32 accent = rgb(0xB3, 0x3A, 0x1E);     // brick, white text 6.3:1
inline constexpr ImU32 header = rgb(0x15, 0x2D, 0x3B);     // navy header, white 13:1
inline constexpr ImU32 overlay = rgb(0x0E, 0x14, 0x1A, 0xD8);
inline constexpr ImU32 notice = rgb(0x5A, 0x3A, 0x00);     // on notice_bg 8:1
inline constexpr ImU32 notice_bg = rgb(0xFF, 0xE8, 0xB0);
}  // namespace color

// Loads Noto Sans at the sizes above times `scale`; falls back to DejaVu,
// then ImGui's built-in font, so the kiosk always shows text.
Fonts load_fonts(float scale);
// Rounding, padding and colours of ImGui's own widgets.
void apply_style(float scale);

}  // namespace lasr::ui
