#include "kiosk/ui/theme.hpp"

#include <filesystem>

#include "config/log.hpp"

namespace lasr::ui {

namespace {

const char* first_existing(std::initializer_list<const char*> paths) {
    for (const char* p : paths) {
        std::error_code ec;
        if (std::filesystem::exists(p, ec)) return p;
    }
    return nullptr;
}

}  // namespace

const Palette& palette(bool high_contrast) {
    // Normal: dark text on a warm light ground (text 14.6:1, muted 6.9:1,
    // white on primary 7.0:1, white on header 13:1, accent on card 6.3:1).
    static const Palette normal{
        rgb(0xF6, 0xF3, 0xEC), rgb(0xFF, 0xFF, 0xFF), rgb(0xE4, 0xEE, 0xEE), rgb(0xD9, 0xD3, 0xC7),
        rgb(0x1F, 0x23, 0x28), rgb(0x4E, 0x55, 0x5D), rgb(0x0B, 0x5F, 0x66), rgb(0x07, 0x45, 0x4A),
        rgb(0xFF, 0xFF, 0xFF), rgb(0xB3, 0x3A, 0x1E), rgb(0x15, 0x2D, 0x3B), rgb(0xFF, 0xFF, 0xFF),
        rgb(0xD6, 0xE4, 0xEA), rgb(0x2A, 0x46, 0x57), rgb(0x0E, 0x14, 0x1A), rgb(0x5A, 0x3A, 0x00),
        rgb(0xFF, 0xE8, 0xB0), rgb(0x1E, 0x6B, 0x34), rgb(0xA3, 0x1B, 0x1B), rgb(0x8A, 0x4B, 0x00),
        rgb(0x1D, 0x4E, 0x89), rgb(0xFF, 0xFF, 0xFF)};
    // High contrast: white and yellow on black, no mid-tones.
    static const Palette contrast{
        rgb(0x00, 0x00, 0x00), rgb(0x00, 0x00, 0x00), rgb(0x33, 0x33, 0x00), rgb(0xFF, 0xFF, 0xFF),
        rgb(0xFF, 0xFF, 0xFF), rgb(0xFF, 0xFF, 0xFF), rgb(0xFF, 0xE6, 0x00), rgb(0xFF, 0xFF, 0xFF),
        rgb(0x00, 0x00, 0x00), rgb(0xFF, 0xE6, 0x00), rgb(0x00, 0x00, 0x00), rgb(0xFF, 0xFF, 0xFF),
        rgb(0xFF, 0xFF, 0xFF), rgb(0x00, 0x00, 0x00), rgb(0x00, 0x00, 0x00, 0xF0), rgb(0x00, 0x00, 0x00),
        rgb(0xFF, 0xE6, 0x00), rgb(0x7C, 0xFF, 0x9A), rgb(0xFF, 0xFF, 0xFF), rgb(0xFF, 0xE6, 0x00),
        rgb(0xFF, 0xFF, 0xFF), rgb(0x00, 0x00, 0x00)};
    return high_contrast ? contrast : normal;
}

FontSet load_fonts(float scale, bool with_large) {
    ImGuiIO& io = ImGui::GetIO();
    FontSet fs = load_fonts(*io.Fonts, scale, with_large);
    io.FontDefault = fs.normal.body;
    return fs;
}

BuiltFonts build_fonts(float scale, bool with_large) {
    BuiltFonts b;
    b.atlas = IM_NEW(ImFontAtlas)();
    b.fonts = load_fonts(*b.atlas, scale, with_large);
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    b.atlas->GetTexDataAsRGBA32(&pixels, &w, &h);  // rasterises every glyph: the slow part
    return b;
}

FontSet install_fonts(BuiltFonts built) {
    ImGuiIO& io = ImGui::GetIO();
    // The context frees io.Fonts when it is destroyed (it made the first
    // one); the new atlas takes its place and that role.
    IM_DELETE(io.Fonts);
    io.Fonts = built.atlas;
    io.FontDefault = built.fonts.normal.body;
    return built.fonts;
}

FontSet load_fonts(ImFontAtlas& atlas, float scale, bool with_large) {
    atlas.Clear();
    // The atlas as tall as its glyphs need, not the next power of two (GL
    // has not needed those for decades): its texture is most of the UI's
    // memory.
    atlas.Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight | ImFontAtlasFlags_NoMouseCursors;
    // Latin, Latin-1, Latin Extended-A/B, Vietnamese, punctuation.
    static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0100, 0x024F, 0x0300, 0x0323, 0x1EA0, 0x1EF9,
                                     0x2010, 0x2027, 0x2030, 0x205E, 0x20AB, 0x20AB, 0};
    const char* regular = first_existing({"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
                                          "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"});
    const char* bold = first_existing({"/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
                                       "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"});
    auto add = [&](const char* file, float px) -> ImFont* {
        if (!file) return nullptr;
        ImFontConfig cfg;
        // Horizontal oversampling sharpens small text; at 40 px and up it
        // is invisible, and it would double those glyphs' share of the
        // atlas (most of it: they are the biggest).
        cfg.OversampleH = px * scale < 40 ? 2 : 1;
        cfg.OversampleV = 1;
        return atlas.AddFontFromFileTTF(file, px * scale, &cfg, ranges);
    };
    auto set = [&](float k) {
        Fonts f;
        f.body = add(regular, 30 * k);
        f.bold = add(bold, 30 * k);
        f.small = add(regular, 24 * k);
        f.title = add(bold, 46 * k);
        f.huge = add(bold, 72 * k);
        if (!f.body) {
            ImFontConfig cfg;
            cfg.SizePixels = 26 * scale * k;
            f.body = atlas.AddFontDefault(&cfg);
        }
        if (!f.bold) f.bold = f.body;
        if (!f.small) f.small = f.body;
        if (!f.title) f.title = f.bold;
        if (!f.huge) f.huge = f.title;
        return f;
    };
    if (!regular) log::warn("ui", "no Noto Sans or DejaVu font found; using ImGui's built-in font (install fonts-noto-core)");
    FontSet fs;
    fs.normal = set(1.0f);
    fs.large = with_large ? set(1.3f) : fs.normal;
    fs.has_large = with_large;
    return fs;
}

void apply_style(float scale) {
    ImGuiStyle& s = ImGui::GetStyle();
    s = ImGuiStyle();
    s.WindowPadding = ImVec2(0, 0);
    s.WindowBorderSize = 0;
    s.ChildBorderSize = 0;
    s.FrameRounding = 10;
    s.ScrollbarSize = 22;
    s.ScrollbarRounding = 11;
    s.ItemSpacing = ImVec2(16, 16);
    s.TouchExtraPadding = ImVec2(4, 4);
    s.ScaleAllSizes(scale);
    ImVec4* c = s.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0.04f);
    c[ImGuiCol_ScrollbarGrab] = ImVec4(0.55f, 0.55f, 0.55f, 0.8f);
    c[ImGuiCol_ScrollbarGrabHovered] = ImVec4(0.45f, 0.45f, 0.45f, 0.9f);
    c[ImGuiCol_ScrollbarGrabActive] = ImVec4(0.04f, 0.37f, 0.40f, 1.f);
}

}  // namespace lasr::ui
