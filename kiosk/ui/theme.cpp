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

Fonts load_fonts(float scale) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    // Latin, Latin-1, Latin Extended-A and general punctuation (quotes, dashes).
    static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0100, 0x017F, 0x2010, 0x2027, 0x2030, 0x205E, 0};
    const char* regular = first_existing({"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
                                          "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"});
    const char* bold = first_existing({"/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
                                       "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"});
    Fonts f;
    auto add = [&](const char* file, float px) -> ImFont* {
        if (!file) return nullptr;
        ImFontConfig cfg;
        cfg.OversampleH = 2;
        cfg.OversampleV = 1;
        return io.Fonts->AddFontFromFileTTF(file, px * scale, &cfg, ranges);
    };
    f.body = add(regular, 30);
    f.bold = add(bold, 30);
    f.small = add(regular, 24);
    f.title = add(bold, 46);
    f.huge = add(bold, 72);
    if (!f.body) {
        log::warn("ui", "no Noto Sans or DejaVu font found; using ImGui's built-in font (install fonts-noto-core)");
        ImFontConfig cfg;
        cfg.SizePixels = 26 * scale;
        f.body = io.Fonts->AddFontDefault(&cfg);
    }
    if (!f.bold) f.bold = f.body;
    if (!f.small) f.small = f.body;
    if (!f.title) f.title = f.bold;
    if (!f.huge) f.huge = f.title;
    io.FontDefault = f.body;
    return f;
}

void apply_style(float scale) {
    ImGuiStyle& s = ImGui::GetStyle();
    s = ImGuiStyle();
    s.WindowPadding = ImVec2(0, 0);
    s.WindowBorderSize = 0;
    s.ChildBorderSize = 0;
    s.FrameRounding = 10;
    s.ScrollbarSize = 18;
    s.ScrollbarRounding = 9;
    s.ItemSpacing = ImVec2(16, 16);
    s.TouchExtraPadding = ImVec2(4, 4);
    s.ScaleAllSizes(scale);
    ImVec4* c = s.Colors;
    c[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(color::text);
    c[ImGuiCol_WindowBg] = ImGui::ColorConvertU32ToFloat4(color::ground);
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0.04f);
    c[ImGuiCol_ScrollbarGrab] = ImGui::ColorConvertU32ToFloat4(color::line);
    c[ImGuiCol_ScrollbarGrabHovered] = ImGui::ColorConvertU32ToFloat4(color::muted);
    c[ImGuiCol_ScrollbarGrabActive] = ImGui::ColorConvertU32ToFloat4(color::primary);
    c[ImGuiCol_NavHighlight] = ImGui::ColorConvertU32ToFloat4(color::accent);
}

}  // namespace lasr::ui
