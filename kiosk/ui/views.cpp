#include "kiosk/ui/views.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "kiosk/app/admin_text.hpp"
#include "kiosk/app/qr.hpp"
#include "kiosk/app/strings.hpp"
#include "kiosk/ui/text_fit.hpp"
#include "kiosk/ui/theme.hpp"

namespace lasr::ui {

std::string format_clock(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
    long s = std::lround(std::floor(seconds));
    char b[32];
    if (s >= 3600) std::snprintf(b, sizeof b, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else std::snprintf(b, sizeof b, "%ld:%02ld", s / 60, s % 60);
    return b;
}

std::string format_bytes(uint64_t bytes) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1000 && u < 4) {
        v /= 1000;
        ++u;
    }
    char b[32];
    std::snprintf(b, sizeof b, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return b;
}

namespace {

// Everything a view needs to draw, in one place.
struct Ui {
    const App& app;
    const ViewContext& ctx;
    FrameOutput& out;
    ImDrawList* dl;
    const std::string& lang;
    const Fonts& f;
    const Palette& pal;

    float px(float v) const { return v * ctx.scale; }
    const std::string& t(std::string_view key) const { return tr(lang, key); }
    void intent(Intent::Kind k, std::string arg = {}, double value = 0) { out.intents.push_back({k, std::move(arg), value}); }
};

ImVec2 text_size(ImFont* f, const std::string& s, float wrap = 0) {
    return f->CalcTextSizeA(f->FontSize, FLT_MAX, wrap, s.c_str());
}

// Widths in font f, for fit_lines.
MeasureText measure_with(ImFont* f) {
    return [f](std::string_view s) { return f->CalcTextSizeA(f->FontSize, FLT_MAX, 0, s.data(), s.data() + s.size()).x; };
}

// Draws text at pos; with right_edge > 0 it wraps at that x coordinate.
void text(Ui& ui, ImFont* f, ImVec2 pos, ImU32 col, const std::string& s, float right_edge = 0) {
    float wrap = right_edge > 0 ? std::max(1.f, right_edge - pos.x) : 0.f;
    ui.dl->AddText(f, f->FontSize, pos, col, s.c_str(), nullptr, wrap);
}

// `s` on one line of `width` at pos, cut at a word with "…" if longer.
void text_line(Ui& ui, ImFont* f, ImVec2 pos, ImU32 col, const std::string& s, float width) {
    for (const auto& line : fit_lines(s, width, 1, measure_with(f))) text(ui, f, pos, col, line);
}

// A list row's summary: `s` on the whole lines of `width` that fit between
// pos.y and `bottom`, cut at a word with "…" where some is left over (the
// item's own page has all of it). What was drawn, and its first line's box,
// go in the frame's targets as "summary:<row>" and "summary-line:<row>"
// (tests).
void summary_lines(Ui& ui, const std::string& row, ImVec2 pos, ImU32 col, const std::string& s, float width,
                   float bottom) {
    ImFont* f = ui.f.small;
    const float line_h = f->FontSize;
    const auto lines = fit_lines(s, width, static_cast<int>((bottom - pos.y) / line_h), measure_with(f));
    for (size_t i = 0; i < lines.size(); ++i)
        text(ui, f, ImVec2(pos.x, pos.y + static_cast<float>(i) * line_h), col, lines[i]);
    ui.out.targets["summary:" + row] = Rect{pos.x, pos.y, width, static_cast<float>(lines.size()) * line_h};
    ui.out.targets["summary-line:" + row] = Rect{pos.x, pos.y, width, line_h};
}

// An invisible touch target, registered under `id` for scripts. Returns true
// when tapped (not when the finger dragged a list); *pressed tells whether a
// finger is on it now. A keyboard-focused target gets an outline.
bool tap_area(Ui& ui, const std::string& id, ImVec2 pos, ImVec2 size, bool* pressed = nullptr, float rounding = 0) {
    ImGui::SetCursorScreenPos(pos);
    ImGui::PushID(id.c_str());
    bool clicked = ImGui::InvisibleButton("##tap", size);
    ImGui::PopID();
    const ImGuiIO& io = ImGui::GetIO();
    float slop = ui.px(24);
    if (clicked && io.MouseDragMaxDistanceSqr[0] > slop * slop) clicked = false;  // that was a scroll
    if (pressed) *pressed = ImGui::IsItemActive() && io.MouseDragMaxDistanceSqr[0] <= slop * slop;
    if (ImGui::IsItemFocused() && io.NavVisible)
        ui.dl->AddRect(ImVec2(pos.x - ui.px(5), pos.y - ui.px(5)), ImVec2(pos.x + size.x + ui.px(5), pos.y + size.y + ui.px(5)),
                       ui.pal.accent, rounding + ui.px(5), 0, ui.px(5));
    ImVec2 cmin = ui.dl->GetClipRectMin(), cmax = ui.dl->GetClipRectMax();
    float x0 = std::max(pos.x, cmin.x), y0 = std::max(pos.y, cmin.y);
    float x1 = std::min(pos.x + size.x, cmax.x), y1 = std::min(pos.y + size.y, cmax.y);
    if (x1 > x0 && y1 > y0) ui.out.targets[id] = Rect{x0, y0, x1 - x0, y1 - y0};
    return clicked;
}

float pill_height(Ui& ui, ImFont* font) { return std::max(ui.px(64), font->FontSize + ui.px(20)); }

float pill_width(Ui& ui, const std::string& label, ImFont* font = nullptr) {
    font = font ? font : ui.f.bold;
    return text_size(font, label).x + ui.px(48);
}

// A rounded button with a label. Touch targets are at least 64 px tall at
// 1080p (the guideline is 48).
bool pill(Ui& ui, const std::string& id, ImVec2 pos, const std::string& label, ImU32 bg, ImU32 fg, float min_w = 0,
          ImFont* font = nullptr, ImU32 border = 0) {
    font = font ? font : ui.f.bold;
    ImVec2 ts = text_size(font, label);
    float h = pill_height(ui, font);
    float w = std::max(min_w, ts.x + ui.px(48));
    bool pressed = false;
    bool clicked = tap_area(ui, id, pos, ImVec2(w, h), &pressed, h / 2);
    ui.dl->AddRectFilled(pos, ImVec2(pos.x + w, pos.y + h), pressed ? ui.pal.primary_dark : bg, h / 2);
    if (border) ui.dl->AddRect(pos, ImVec2(pos.x + w, pos.y + h), border, h / 2, 0, ui.px(2));
    text(ui, font, ImVec2(pos.x + (w - ts.x) / 2, pos.y + (h - ts.y) / 2), pressed ? ui.pal.on_primary : fg, label);
    return clicked;
}

void play_triangle(ImDrawList* dl, ImVec2 c, float r, ImU32 col) {
    dl->AddTriangleFilled(ImVec2(c.x - r * 0.5f, c.y - r * 0.8f), ImVec2(c.x - r * 0.5f, c.y + r * 0.8f),
                          ImVec2(c.x + r * 0.85f, c.y), col);
}

void chevron(ImDrawList* dl, ImVec2 c, float r, ImU32 col, float thick, bool left = false) {
    float d = left ? -1.f : 1.f;
    dl->AddLine(ImVec2(c.x - d * r * 0.4f, c.y - r), ImVec2(c.x + d * r * 0.5f, c.y), col, thick);
    dl->AddLine(ImVec2(c.x + d * r * 0.5f, c.y), ImVec2(c.x - d * r * 0.4f, c.y + r), col, thick);
}

// A back button: chevron and label.
bool back_button(Ui& ui, ImVec2 pos) {
    const std::string& label = ui.t("nav.back");
    float h = pill_height(ui, ui.f.bold);
    float w = std::max(ui.px(170), text_size(ui.f.bold, label).x + ui.px(84));
    bool pressed = false;
    bool clicked = tap_area(ui, "back", pos, ImVec2(w, h), &pressed, h / 2);
    ui.dl->AddRectFilled(pos, ImVec2(pos.x + w, pos.y + h), pressed ? ui.pal.primary_dark : ui.pal.primary, h / 2);
    if (ui.ctx.pal.ground == rgb(0, 0, 0)) ui.dl->AddRect(pos, ImVec2(pos.x + w, pos.y + h), ui.pal.on_header, h / 2, 0, ui.px(2));
    chevron(ui.dl, ImVec2(pos.x + ui.px(36), pos.y + h / 2), ui.px(11), ui.pal.on_primary, ui.px(5), true);
    ImVec2 ts = text_size(ui.f.bold, label);
    text(ui, ui.f.bold, ImVec2(pos.x + ui.px(60), pos.y + (h - ts.y) / 2), ui.pal.on_primary, label);
    if (clicked) ui.intent(Intent::Kind::back);
    return clicked;
}

float back_button_width(Ui& ui) { return std::max(ui.px(170), text_size(ui.f.bold, ui.t("nav.back")).x + ui.px(84)); }

// A square icon button on the header: "Aa" (large text) or a half-filled
// circle (contrast).
bool icon_button(Ui& ui, const std::string& id, ImVec2 pos, float size, bool on, bool contrast_icon) {
    bool pressed = false;
    bool clicked = tap_area(ui, id, pos, ImVec2(size, size), &pressed, size / 2);
    ImU32 bg = on ? ui.pal.on_header : ui.pal.chip_idle;
    ImU32 fg = on ? ui.pal.header : ui.pal.on_header;
    ImVec2 c(pos.x + size / 2, pos.y + size / 2);
    ui.dl->AddCircleFilled(c, size / 2, pressed ? ui.pal.primary_dark : bg, 40);
    if (ui.pal.ground == rgb(0, 0, 0)) ui.dl->AddCircle(c, size / 2, ui.pal.on_header, 40, ui.px(2));
    if (contrast_icon) {
        float r = size * 0.26f;
        ui.dl->AddCircle(c, r, fg, 32, ui.px(3));
        ui.dl->PathArcTo(c, r, static_cast<float>(-M_PI / 2), static_cast<float>(M_PI / 2), 24);
        ui.dl->PathFillConvex(fg);
    } else {
        ImVec2 ts = text_size(ui.f.bold, "Aa");
        text(ui, ui.f.bold, ImVec2(c.x - ts.x / 2, c.y - ts.y / 2), fg, "Aa");
    }
    return clicked;
}

float header(Ui& ui) {
    const AppState& st = ui.app.state();
    float h = ui.px(120);
    ui.dl->AddRectFilled(ImVec2(0, 0), ImVec2(ui.ctx.width, h), ui.pal.header);
    if (ui.pal.ground == rgb(0, 0, 0)) ui.dl->AddLine(ImVec2(0, h - 1), ImVec2(ui.ctx.width, h - 1), ui.pal.on_header, ui.px(2));
    float x = ui.px(48);
    float y = (h - pill_height(ui, ui.f.bold)) / 2;
    if (st.screen != Screen::home) {
        back_button(ui, ImVec2(x, y));
        x += back_button_width(ui) + ui.px(32);
    }
    // Language switch, on every patron screen: each language in its own name.
    float rx = ui.ctx.width - ui.px(48);
    std::vector<std::string> langs = ui.app.catalog().info.languages;
    if (langs.empty()) langs.push_back(st.language);
    for (auto it = langs.rbegin(); it != langs.rend(); ++it) {
        const std::string& label = language_name(*it);
        float w = std::max(ui.px(150), pill_width(ui, label));
        rx -= w;
        bool active = *it == st.language;
        if (pill(ui, "lang:" + *it, ImVec2(rx, y), label, active ? ui.pal.on_header : ui.pal.chip_idle,
                 active ? ui.pal.header : ui.pal.on_header, w, nullptr, ui.pal.ground == rgb(0, 0, 0) ? ui.pal.on_header : 0))
            ui.intent(Intent::Kind::set_language, *it);
        rx -= ui.px(16);
    }
    // Accessibility: large text and high contrast, next to the languages.
    float isz = pill_height(ui, ui.f.bold);
    rx -= isz;
    if (icon_button(ui, "contrast", ImVec2(rx, y), isz, st.high_contrast, true)) ui.intent(Intent::Kind::toggle_contrast);
    rx -= isz + ui.px(16);
    if (icon_button(ui, "large-text", ImVec2(rx, y), isz, st.large_text, false)) ui.intent(Intent::Kind::toggle_large_text);
    rx -= ui.px(24);

    std::string name = ui.app.catalog().info.library_name.empty() ? "LASR Kiosk" : ui.app.catalog().info.library_name;
    ImGui::PushClipRect(ImVec2(x, 0), ImVec2(rx, h), true);
    float ty = (h - ui.f.title->FontSize - ui.f.small->FontSize - ui.px(2)) / 2;
    text(ui, ui.f.title, ImVec2(x, ty), ui.pal.on_header, name);
    text(ui, ui.f.small, ImVec2(x, ty + ui.f.title->FontSize + ui.px(2)), ui.pal.on_header_muted, ui.t("app.subtitle"));
    ImGui::PopClipRect();
    return h;
}

ImU32 alert_color(const Palette& pal, const std::string& severity) {
    return severity == "emergency" ? pal.alert_emergency : severity == "warning" ? pal.alert_warning : pal.alert_info;
}

// The most severe alert in force, across the top of every patron screen.
float alert_banner(Ui& ui, float y) {
    const AppState& st = ui.app.state();
    if (st.alerts.empty()) return y;
    const Alert& a = ui.app.catalog().alerts[st.alerts.front()];
    float pad = ui.px(48);
    std::string title = a.title.get(ui.lang);
    std::string body = a.body.get(ui.lang);
    float wrap = ui.ctx.width - 2 * pad;
    float h = ui.px(28) + text_size(ui.f.bold, title, wrap).y + (body.empty() ? 0 : ui.px(6) + text_size(ui.f.body, body, wrap).y) + ui.px(28);
    ImU32 bg = alert_color(ui.pal, a.severity);
    ui.dl->AddRectFilled(ImVec2(0, y), ImVec2(ui.ctx.width, y + h), bg);
    float ty = y + ui.px(28);
    text(ui, ui.f.bold, ImVec2(pad, ty), ui.pal.on_alert, title, pad + wrap);
    ty += text_size(ui.f.bold, title, wrap).y + ui.px(6);
    if (!body.empty()) text(ui, ui.f.body, ImVec2(pad, ty), ui.pal.on_alert, body, pad + wrap);
    return y + h;
}

float notice_bar(Ui& ui, float y) {
    const AppState& st = ui.app.state();
    if (st.notice.empty()) return y;
    float h = ui.px(80);
    ui.dl->AddRectFilled(ImVec2(0, y), ImVec2(ui.ctx.width, y + h), ui.pal.notice_bg);
    const std::string& msg = ui.t(st.notice);
    ImVec2 ts = text_size(ui.f.bold, msg);
    text(ui, ui.f.bold, ImVec2(ui.px(48), y + (h - ts.y) / 2), ui.pal.notice, msg);
    return y + h;
}

std::string course_meta(Ui& ui, const Course& c) {
    double total = 0;
    for (const auto& v : c.videos) total += v.duration_s;
    int minutes = std::max(1, static_cast<int>(std::ceil(total / 60)));
    return std::to_string(c.videos.size()) + " " + ui.t("course.videos") + "  \xc2\xb7  " + std::to_string(minutes) + " " +
           ui.t("course.minutes");
}

// A scrolling region; views draw into its draw list (clipped, scrolled)
// until end_scroll. A finger dragging anywhere in it scrolls it.
void begin_scroll(Ui& ui, const char* id, ImVec2 pos, ImVec2 size) {
    ImGui::SetCursorScreenPos(pos);
    ImGui::BeginChild(id, size, false, ImGuiWindowFlags_NoBackground);
    ui.dl = ImGui::GetWindowDrawList();
    // The finger went down inside this region and is moving: scroll with it.
    const ImGuiIO& io = ImGui::GetIO();
    ImVec2 p0 = io.MouseClickedPos[0];
    bool began_inside = p0.x >= pos.x && p0.x < pos.x + size.x && p0.y >= pos.y && p0.y < pos.y + size.y;
    if (io.MouseDown[0] && began_inside && ImGui::IsMouseDragging(ImGuiMouseButton_Left, ui.px(12)))
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
}

void end_scroll(Ui& ui, ImVec2 content_end) {
    ImGui::SetCursorScreenPos(content_end);
    ImGui::Dummy(ImVec2(1, 1));
    ImGui::EndChild();
    ui.dl = ImGui::GetWindowDrawList();
}

// Rows of height row_h stacked from y with a gap; true when the row at y is
// visible in the current clip rectangle (rows off screen are skipped, so a
// directory of 10,000 entries costs what one screenful does).
bool row_visible(Ui& ui, float y, float row_h) {
    return y + row_h >= ui.dl->GetClipRectMin().y && y <= ui.dl->GetClipRectMax().y;
}

void draw_qr(Ui& ui, const std::string& payload, ImVec2 pos, float side) {
    auto qr = make_qr(payload);
    if (!qr) return;
    // White quiet zone of 4 modules, always dark-on-white (scanners need it).
    int n = qr->size + 8;
    float m = std::floor(side / static_cast<float>(n));
    float real = m * static_cast<float>(n);
    ui.dl->AddRectFilled(pos, ImVec2(pos.x + real, pos.y + real), rgb(255, 255, 255));
    for (int y = 0; y < qr->size; ++y)
        for (int x = 0; x < qr->size; ++x)
            if (qr->at(x, y)) {
                ImVec2 a(pos.x + static_cast<float>(x + 4) * m, pos.y + static_cast<float>(y + 4) * m);
                ui.dl->AddRectFilled(a, ImVec2(a.x + m, a.y + m), rgb(0, 0, 0));
            }
}

void home(Ui& ui, float top) {
    const Catalog& cat = ui.app.catalog();
    const AppState& st = ui.app.state();
    float margin = ui.px(56);
    float gap = ui.px(40);
    bool portrait = ui.ctx.height > ui.ctx.width;
    float right_w = portrait ? ui.ctx.width - 2 * margin : std::max(ui.px(520), (ui.ctx.width - 2 * margin - gap) * 0.36f);
    float left_w = portrait ? ui.ctx.width - 2 * margin : ui.ctx.width - 2 * margin - gap - right_w;

    // Right column (below the courses in portrait): the way into the partner
    // directory, resources an alert pins, the crisis line.
    float rx = portrait ? margin : margin + left_w + gap;
    float ry = top + ui.px(36);
    float help_h = ui.px(300);
    float crisis_h = ui.px(130);
    std::vector<const Resource*> pinned;
    for (size_t a : st.alerts)
        for (const auto& id : cat.alerts[a].pin_resources)
            if (const Resource* r = cat.find_resource(id); r && std::find(pinned.begin(), pinned.end(), r) == pinned.end())
                pinned.push_back(r);
    float pinned_h = pinned.empty() ? 0 : ui.px(20) + static_cast<float>(std::min<size_t>(pinned.size(), 3)) * ui.px(104);
    float right_total = help_h + ui.px(28) + pinned_h + crisis_h + ui.px(80);
    if (portrait) ry = ui.ctx.height - right_total - ui.px(24);
    {
        ImVec2 p(rx, ry);
        bool pressed = false;
        if (tap_area(ui, "resources", p, ImVec2(right_w, help_h), &pressed, ui.px(24))) ui.intent(Intent::Kind::open_resources);
        ui.dl->AddRectFilled(p, ImVec2(p.x + right_w, p.y + help_h), pressed ? ui.pal.primary_dark : ui.pal.primary, ui.px(24));
        text(ui, ui.f.huge, ImVec2(p.x + ui.px(40), p.y + ui.px(34)), ui.pal.on_primary, ui.t("home.help.title"),
             p.x + right_w - ui.px(40));
        float by = p.y + ui.px(34) + text_size(ui.f.huge, ui.t("home.help.title"), right_w - ui.px(80)).y + ui.px(16);
        text(ui, ui.f.body, ImVec2(p.x + ui.px(40), by), ui.pal.on_primary, ui.t("home.help.body"), p.x + right_w - ui.px(110));
        chevron(ui.dl, ImVec2(p.x + right_w - ui.px(56), p.y + help_h - ui.px(56)), ui.px(18), ui.pal.on_primary, ui.px(6));
        ry += help_h + ui.px(28);

        for (size_t i = 0; i < pinned.size() && i < 3; ++i) {
            const Resource* r = pinned[i];
            ImVec2 q(rx, ry);
            bool pr = false;
            if (tap_area(ui, "resource:" + r->id, q, ImVec2(right_w, ui.px(88)), &pr, ui.px(16)))
                ui.intent(Intent::Kind::open_resource, r->id);
            ui.dl->AddRectFilled(q, ImVec2(q.x + right_w, q.y + ui.px(88)), pr ? ui.pal.card_pressed : ui.pal.card, ui.px(16));
            ui.dl->AddRect(q, ImVec2(q.x + right_w, q.y + ui.px(88)), alert_color(ui.pal, "emergency"), ui.px(16), 0, ui.px(4));
            ImGui::PushClipRect(q, ImVec2(q.x + right_w - ui.px(16), q.y + ui.px(88)), true);
            // The number whole; a long name gives way, cut with "…".
            bool say_phone = !r->phone.empty() && r->name.find(r->phone) == std::string::npos;
            const std::string number = say_phone ? "  \xc2\xb7  " + r->phone : "";
            const float name_w = right_w - ui.px(52) - text_size(ui.f.bold, number).x;
            const auto name = fit_lines(r->name, std::max(ui.px(60), name_w), 1, measure_with(ui.f.bold));
            const std::string shown = name.empty() ? std::string() : name.front();
            const ImVec2 at(q.x + ui.px(28), q.y + (ui.px(88) - ui.f.bold->FontSize) / 2);
            text(ui, ui.f.bold, at, ui.pal.text, shown + number);
            // The name and the number as drawn (tests).
            const float shown_w = text_size(ui.f.bold, shown).x;
            ui.out.targets["pin-name:" + r->id] = Rect{at.x, at.y, shown_w, ui.f.bold->FontSize};
            if (!number.empty())
                ui.out.targets["pin-phone:" + r->id] =
                    Rect{at.x + shown_w, at.y, text_size(ui.f.bold, number).x, ui.f.bold->FontSize};
            ImGui::PopClipRect();
            ry += ui.px(104);
        }
        if (!pinned.empty()) ry += ui.px(20);

        ui.dl->AddRectFilled(ImVec2(rx, ry), ImVec2(rx + right_w, ry + crisis_h), ui.pal.card, ui.px(20));
        ui.dl->AddRect(ImVec2(rx, ry), ImVec2(rx + right_w, ry + crisis_h), ui.pal.line, ui.px(20), 0, ui.px(2));
        ui.dl->AddRectFilled(ImVec2(rx, ry), ImVec2(rx + ui.px(14), ry + crisis_h), ui.pal.accent, ui.px(20), ImDrawFlags_RoundCornersLeft);
        ImVec2 cs = text_size(ui.f.bold, ui.t("home.crisis"), right_w - ui.px(70));
        text(ui, ui.f.bold, ImVec2(rx + ui.px(40), ry + (crisis_h - cs.y) / 2), ui.pal.accent, ui.t("home.crisis"),
             rx + right_w - ui.px(30));
        ry += crisis_h + ui.px(24);
        text(ui, ui.f.small, ImVec2(rx + ui.px(8), ry), ui.pal.muted, ui.t("privacy.note"), rx + right_w - ui.px(140));
        if (ui.app.usage_enabled()) {
            // What is counted, in plain words (library privacy: transparency).
            float py = ry + text_size(ui.f.small, ui.t("privacy.note"), right_w - ui.px(148)).y + ui.px(40);
            if (py + ui.f.small->FontSize * 3 < ui.ctx.height)
                text(ui, ui.f.small, ImVec2(rx + ui.px(8), py), ui.pal.muted, ui.t("privacy.usage"), rx + right_w);
        }
        // A discreet way in for staff.
        const std::string& staff = ui.t("admin.staff");
        float sw = pill_width(ui, staff, ui.f.small);
        if (pill(ui, "admin", ImVec2(rx + right_w - sw, ry - ui.px(12)), staff, ui.pal.ground, ui.pal.muted, 0, ui.f.small, ui.pal.line))
            ui.intent(Intent::Kind::admin_open);
    }

    // Left column: the courses, in order.
    float y = top + ui.px(36);
    text(ui, ui.f.title, ImVec2(margin, y), ui.pal.text, ui.t("home.courses"));
    float list_top = y + ui.f.title->FontSize + ui.px(20);
    float list_bottom = portrait ? ry - right_total + ui.px(20) - ui.px(40) : ui.ctx.height - ui.px(32);
    if (portrait) list_bottom = ui.ctx.height - right_total - ui.px(64);
    if (cat.courses.empty()) {
        text(ui, ui.f.body, ImVec2(margin, list_top), ui.pal.muted, ui.t("home.no_content"), margin + left_w);
        return;
    }
    begin_scroll(ui, "##courses", ImVec2(margin, list_top), ImVec2(left_w, list_bottom - list_top));
    float cy = ImGui::GetCursorScreenPos().y;
    float card_h = std::max(ui.px(132), ui.f.bold->FontSize + ui.f.small->FontSize * 2 + ui.px(56));
    int n = 0;
    for (const Course& c : cat.courses) {
        ++n;
        ImVec2 p(margin, cy);
        float w = left_w - ui.px(28);
        bool pressed = false;
        if (tap_area(ui, "course:" + c.id, p, ImVec2(w, card_h), &pressed, ui.px(20))) ui.intent(Intent::Kind::open_course, c.id);
        ImVec2 q(p.x + w, p.y + card_h);
        ui.dl->AddRectFilled(p, q, pressed ? ui.pal.card_pressed : ui.pal.card, ui.px(20));
        ui.dl->AddRect(p, q, ui.pal.line, ui.px(20), 0, ui.px(2));
        ImVec2 bc(p.x + ui.px(66), p.y + card_h / 2);
        ui.dl->AddCircleFilled(bc, ui.px(36), ui.pal.primary, 40);
        std::string num = std::to_string(n);
        ImVec2 ns = text_size(ui.f.title, num);
        text(ui, ui.f.title, ImVec2(bc.x - ns.x / 2, bc.y - ns.y / 2), ui.pal.on_primary, num);
        float tx = p.x + ui.px(130);
        ImGui::PushClipRect(p, ImVec2(q.x - ui.px(70), q.y), true);
        text_line(ui, ui.f.bold, ImVec2(tx, p.y + ui.px(22)), ui.pal.text, c.title.get(ui.lang), q.x - ui.px(80) - tx);
        std::string sub = c.summary.get(ui.lang);
        std::string meta = course_meta(ui, c);
        summary_lines(ui, "course:" + c.id, ImVec2(tx, p.y + ui.px(26) + ui.f.bold->FontSize), ui.pal.muted,
                      sub.empty() ? meta : meta + "  \xc2\xb7  " + sub, q.x - ui.px(80) - tx, q.y - ui.px(12));
        ImGui::PopClipRect();
        chevron(ui.dl, ImVec2(q.x - ui.px(44), p.y + card_h / 2), ui.px(14), ui.pal.primary, ui.px(5));
        cy += card_h + ui.px(20);
    }
    end_scroll(ui, ImVec2(margin, cy));
}

void course(Ui& ui, float top) {
    const AppState& st = ui.app.state();
    const Course* c = ui.app.catalog().find_course(st.course_id);
    if (!c) return;
    float margin = ui.px(56);
    float w = ui.ctx.width - 2 * margin;
    float y = top + ui.px(36);
    text(ui, ui.f.title, ImVec2(margin, y), ui.pal.text, c->title.get(ui.lang), margin + w);
    y += text_size(ui.f.title, c->title.get(ui.lang), w).y + ui.px(8);
    std::string sub = c->summary.get(ui.lang);
    if (!sub.empty()) {
        text(ui, ui.f.body, ImVec2(margin, y), ui.pal.muted, sub, margin + w);
        y += text_size(ui.f.body, sub, w).y;
    }
    y += ui.px(28);
    begin_scroll(ui, "##videos", ImVec2(margin, y), ImVec2(w, ui.ctx.height - y - ui.px(32)));
    float cy = ImGui::GetCursorScreenPos().y;
    float row_h = std::max(ui.px(140), ui.f.bold->FontSize + ui.f.small->FontSize * 2 + ui.px(60));
    int n = 0;
    for (const Video& v : c->videos) {
        ++n;
        ImVec2 p(margin, cy);
        ImVec2 q(margin + w - ui.px(28), cy + row_h);
        bool pressed = false;
        if (tap_area(ui, "video:" + v.id, p, ImVec2(q.x - p.x, row_h), &pressed, ui.px(20)))
            ui.intent(Intent::Kind::play_video, v.id);
        bool last = v.id == st.last_video_id;
        ui.dl->AddRectFilled(p, q, pressed ? ui.pal.card_pressed : ui.pal.card, ui.px(20));
        ui.dl->AddRect(p, q, last ? ui.pal.primary : ui.pal.line, ui.px(20), 0, ui.px(last ? 4 : 2));
        ImVec2 pc(p.x + ui.px(74), p.y + row_h / 2);
        ui.dl->AddCircleFilled(pc, ui.px(42), ui.pal.primary, 40);
        play_triangle(ui.dl, ImVec2(pc.x + ui.px(4), pc.y), ui.px(20), ui.pal.on_primary);
        float tx = p.x + ui.px(148);
        std::string title = std::to_string(n) + ".  " + v.title.get(ui.lang);
        ImGui::PushClipRect(p, ImVec2(q.x - ui.px(200), q.y), true);
        text_line(ui, ui.f.bold, ImVec2(tx, p.y + ui.px(24)), ui.pal.text, title, q.x - ui.px(220) - tx);
        summary_lines(ui, "video:" + v.id, ImVec2(tx, p.y + ui.px(30) + ui.f.bold->FontSize), ui.pal.muted,
                      v.summary.get(ui.lang), q.x - ui.px(220) - tx, q.y - ui.px(12));
        ImGui::PopClipRect();
        std::string dur = format_clock(v.duration_s);
        ImVec2 ds = text_size(ui.f.bold, dur);
        text(ui, ui.f.bold, ImVec2(q.x - ui.px(40) - ds.x, p.y + (row_h - ds.y) / 2), ui.pal.muted, dur);
        if (last) {
            const std::string& w2 = ui.t("course.watched");
            ImVec2 ws = text_size(ui.f.small, w2);
            text(ui, ui.f.small, ImVec2(q.x - ui.px(40) - ws.x, q.y - ui.px(40)), ui.pal.primary, w2);
        }
        cy += row_h + ui.px(18);
    }
    end_scroll(ui, ImVec2(margin, cy));
}

void player(Ui& ui) {
    const AppState& st = ui.app.state();
    const Player& pl = ui.app.player();
    if (!ui.ctx.overlay_visible) {
        // Anywhere on the video brings the controls back.
        tap_area(ui, "show-controls", ImVec2(0, 0), ImVec2(ui.ctx.width, ui.ctx.height));
        return;
    }
    const Video* v = ui.app.catalog().find_video(st.video_id);
    std::string title = v ? v->title.get(ui.lang) : "";

    // Transcript panel on the right, under the bars.
    float th = ui.px(120), bh = ui.px(132);
    if (st.transcript_open && !st.transcript.empty()) {
        float pw = std::min(ui.px(640), ui.ctx.width * 0.4f);
        ImVec2 p(ui.ctx.width - pw, th);
        ui.dl->AddRectFilled(p, ImVec2(ui.ctx.width, ui.ctx.height - bh), ui.pal.overlay);
        begin_scroll(ui, "##transcript", ImVec2(p.x + ui.px(32), p.y + ui.px(24)),
                     ImVec2(pw - ui.px(56), ui.ctx.height - bh - th - ui.px(48)));
        ImVec2 c = ImGui::GetCursorScreenPos();
        text(ui, ui.f.body, c, rgb(255, 255, 255), st.transcript, c.x + pw - ui.px(90));
        float h = text_size(ui.f.body, st.transcript, pw - ui.px(90)).y;
        end_scroll(ui, ImVec2(c.x, c.y + h));
    }

    // Top bar: back and title.
    ui.dl->AddRectFilled(ImVec2(0, 0), ImVec2(ui.ctx.width, th), ui.pal.overlay);
    float by0 = (th - pill_height(ui, ui.f.bold)) / 2;
    back_button(ui, ImVec2(ui.px(48), by0));
    float tx = ui.px(48) + back_button_width(ui) + ui.px(32);
    ImGui::PushClipRect(ImVec2(tx, 0), ImVec2(ui.ctx.width - ui.px(48), th), true);
    text(ui, ui.f.title, ImVec2(tx, (th - ui.f.title->FontSize) / 2), rgb(255, 255, 255), title);
    ImGui::PopClipRect();

    // Bottom bar: pause, captions, transcript, progress.
    float by = ui.ctx.height - bh;
    ui.dl->AddRectFilled(ImVec2(0, by), ImVec2(ui.ctx.width, ui.ctx.height), ui.pal.overlay);
    float x = ui.px(48);
    float py = by + (bh - pill_height(ui, ui.f.bold)) / 2;
    const std::string& pl_label = pl.paused() ? ui.t("player.resume") : ui.t("player.pause");
    float pw = std::max(ui.px(200), pill_width(ui, pl_label));
    if (pill(ui, "pause", ImVec2(x, py), pl_label, rgb(255, 255, 255), rgb(0x15, 0x2D, 0x3B), pw)) ui.intent(Intent::Kind::toggle_pause);
    x += pw + ui.px(20);
    std::string cc = "CC  " + (st.captions ? ui.t("player.captions_on") : ui.t("player.captions_off"));
    float cw = std::max(ui.px(260), pill_width(ui, cc));
    if (pill(ui, "captions", ImVec2(x, py), cc, st.captions ? ui.pal.primary : rgb(0x3A, 0x44, 0x4E),
             st.captions ? ui.pal.on_primary : rgb(255, 255, 255), cw))
        ui.intent(Intent::Kind::toggle_captions);
    x += cw + ui.px(20);
    if (!st.transcript.empty()) {
        const std::string& tl = ui.t("player.transcript");
        float tw = pill_width(ui, tl);
        if (pill(ui, "transcript", ImVec2(x, py), tl, st.transcript_open ? ui.pal.primary : rgb(0x3A, 0x44, 0x4E),
                 st.transcript_open ? ui.pal.on_primary : rgb(255, 255, 255), tw))
            ui.intent(Intent::Kind::toggle_transcript);
        x += tw + ui.px(20);
    }
    x += ui.px(20);
    double dur = pl.duration_s();
    double pos = std::min(pl.position_s(), dur > 0 ? dur : pl.position_s());
    std::string times = format_clock(pos) + " / " + format_clock(dur);
    ImVec2 ts = text_size(ui.f.bold, times);
    float bar_x1 = ui.ctx.width - ui.px(48) - ts.x - ui.px(32);
    float bar_y = by + bh / 2;
    if (bar_x1 > x + ui.px(40)) {
        // The seek bar: a tall touch target around a thin track.
        if (tap_area(ui, "seek", ImVec2(x, by + ui.px(20)), ImVec2(bar_x1 - x, bh - ui.px(40))) && dur > 0) {
            float mx = ImGui::GetIO().MousePos.x;
            ui.intent(Intent::Kind::seek, {}, dur * std::clamp((mx - x) / (bar_x1 - x), 0.f, 1.f));
        }
        ui.dl->AddRectFilled(ImVec2(x, bar_y - ui.px(6)), ImVec2(bar_x1, bar_y + ui.px(6)), rgb(0x5A, 0x64, 0x6E), ui.px(6));
        float frac = dur > 0 ? static_cast<float>(pos / dur) : 0.f;
        float fx = x + (bar_x1 - x) * std::clamp(frac, 0.f, 1.f);
        ui.dl->AddRectFilled(ImVec2(x, bar_y - ui.px(6)), ImVec2(fx, bar_y + ui.px(6)), rgb(0x4F, 0xC3, 0xC9), ui.px(6));
        ui.dl->AddCircleFilled(ImVec2(fx, bar_y), ui.px(14), rgb(255, 255, 255), 24);
    }
    text(ui, ui.f.bold, ImVec2(ui.ctx.width - ui.px(48) - ts.x, bar_y - ts.y / 2), rgb(255, 255, 255), times);
}

void attract(Ui& ui) {
    // The whole screen starts; the video plays behind a calm invitation.
    tap_area(ui, "start", ImVec2(0, 0), ImVec2(ui.ctx.width, ui.ctx.height));
    if (ImGui::IsItemClicked() || ImGui::IsItemDeactivated()) ui.intent(Intent::Kind::start);
    float h = ui.px(180);
    float y = ui.ctx.height - h;
    // The band is opaque: whatever a video shows at its bottom edge (a
    // lower third, burnt-in text) must not show through the invitation.
    const ImU32 band = rgb(0x0E, 0x14, 0x1A);
    ui.dl->AddRectFilledMultiColor(ImVec2(0, y - ui.px(80)), ImVec2(ui.ctx.width, y), rgb(0x0E, 0x14, 0x1A, 0),
                                   rgb(0x0E, 0x14, 0x1A, 0), band, band);
    ui.dl->AddRectFilled(ImVec2(0, y), ImVec2(ui.ctx.width, ui.ctx.height), band);
    // In every language the kiosk offers: the next patron may read any of them.
    std::string line;
    for (const auto& l : ui.app.catalog().info.languages)
        line += (line.empty() ? "" : "   \xc2\xb7   ") + tr(l, "attract.touch");
    if (line.empty()) line = ui.t("attract.touch");
    ImVec2 ts = text_size(ui.f.huge, line);
    ImFont* font = ts.x > ui.ctx.width - ui.px(96) ? ui.f.title : ui.f.huge;
    ts = text_size(font, line);
    text(ui, font, ImVec2((ui.ctx.width - ts.x) / 2, y + ui.px(40)), rgb(255, 255, 255), line);
    std::string name = ui.app.catalog().info.library_name;
    if (!name.empty()) {
        ImVec2 ns = text_size(ui.f.body, name);
        text(ui, ui.f.body, ImVec2((ui.ctx.width - ns.x) / 2, y + ui.px(60) + ts.y), rgb(0xD6, 0xE4, 0xEA), name);
    }
}

void keyboard(Ui& ui) {
    // An on-screen keyboard for the directory search, at the bottom.
    static const char* rows_en[] = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"};
    static const char* rows_es[] = {"1234567890", "qwertyuiop", "asdfghjkl\xc3\xb1", "zxcvbnm"};
    const char** rows = ui.lang == "es" ? rows_es : rows_en;
    float key = std::min(ui.px(92), (ui.ctx.width - ui.px(96)) / 11.f);
    float gap = ui.px(10);
    float kh = key * 0.78f;
    float h = 5 * (kh + gap) + ui.px(48);
    float y = ui.ctx.height - h;
    ui.dl->AddRectFilled(ImVec2(0, y), ImVec2(ui.ctx.width, ui.ctx.height), ui.pal.header);
    y += ui.px(24);
    for (int r = 0; r < 4; ++r) {
        // Split the row into UTF-8 characters.
        std::vector<std::string> keys;
        for (const char* p = rows[r]; *p;) {
            int len = (static_cast<unsigned char>(*p) >= 0xC0) ? 2 : 1;
            keys.emplace_back(p, static_cast<size_t>(len));
            p += len;
        }
        float row_w = static_cast<float>(keys.size()) * (key + gap) - gap;
        float x = (ui.ctx.width - row_w) / 2;
        for (const auto& k : keys) {
            bool pressed = false;
            ImVec2 p(x, y);
            if (tap_area(ui, "key:" + k, p, ImVec2(key, kh), &pressed, ui.px(10))) ui.intent(Intent::Kind::type_text, k);
            ui.dl->AddRectFilled(p, ImVec2(p.x + key, p.y + kh), pressed ? ui.pal.primary : ui.pal.card, ui.px(10));
            ImVec2 ts = text_size(ui.f.title, k);
            text(ui, ui.f.title, ImVec2(p.x + (key - ts.x) / 2, p.y + (kh - ts.y) / 2), pressed ? ui.pal.on_primary : ui.pal.text, k);
            x += key + gap;
        }
        y += kh + gap;
    }
    // Bottom row: clear, space, backspace, done.
    struct Wide { const char* id; std::string label; float units; Intent::Kind kind; std::string arg; };
    std::vector<Wide> wide = {{"key:clear", ui.t("search.clear"), 2.2f, Intent::Kind::clear_search, ""},
                              {"key:space", ui.t("search.space"), 4.4f, Intent::Kind::type_text, " "},
                              {"key:backspace", "\xe2\x8c\xab", 1.6f, Intent::Kind::backspace, ""},
                              {"key:done", ui.t("search.done"), 2.2f, Intent::Kind::search_close, ""}};
    float total = 0;
    for (const auto& wk : wide) total += wk.units * key + gap;
    float x = (ui.ctx.width - total + gap) / 2;
    for (const auto& wk : wide) {
        float kw = wk.units * key;
        bool pressed = false;
        ImVec2 p(x, y);
        if (tap_area(ui, wk.id, p, ImVec2(kw, kh), &pressed, ui.px(10))) ui.intent(wk.kind, wk.arg);
        bool done = std::string_view(wk.id) == "key:done";
        ImU32 bg = pressed ? ui.pal.primary_dark : done ? ui.pal.primary : ui.pal.card;
        ui.dl->AddRectFilled(p, ImVec2(p.x + kw, p.y + kh), bg, ui.px(10));
        ImFont* font = std::string_view(wk.id) == "key:backspace" ? ui.f.title : ui.f.bold;
        ImVec2 ts = text_size(font, wk.label);
        if (std::string_view(wk.id) == "key:backspace") {
            // Drawn: a left-pointing key outline with a cross.
            ImVec2 c(p.x + kw / 2, p.y + kh / 2);
            float r = kh * 0.22f;
            ImU32 col = ui.pal.text;
            ui.dl->AddLine(ImVec2(c.x - r * 0.5f, c.y - r * 0.5f), ImVec2(c.x + r * 0.5f, c.y + r * 0.5f), col, ui.px(4));
            ui.dl->AddLine(ImVec2(c.x - r * 0.5f, c.y + r * 0.5f), ImVec2(c.x + r * 0.5f, c.y - r * 0.5f), col, ui.px(4));
            ui.dl->AddLine(ImVec2(c.x - r * 2.0f, c.y), ImVec2(c.x - r * 1.1f, c.y - r * 1.1f), col, ui.px(4));
            ui.dl->AddLine(ImVec2(c.x - r * 2.0f, c.y), ImVec2(c.x - r * 1.1f, c.y + r * 1.1f), col, ui.px(4));
            ui.dl->AddLine(ImVec2(c.x - r * 1.1f, c.y - r * 1.1f), ImVec2(c.x + r * 1.4f, c.y - r * 1.1f), col, ui.px(4));
            ui.dl->AddLine(ImVec2(c.x - r * 1.1f, c.y + r * 1.1f), ImVec2(c.x + r * 1.4f, c.y + r * 1.1f), col, ui.px(4));
            ui.dl->AddLine(ImVec2(c.x + r * 1.4f, c.y - r * 1.1f), ImVec2(c.x + r * 1.4f, c.y + r * 1.1f), col, ui.px(4));
        } else {
            text(ui, font, ImVec2(p.x + (kw - ts.x) / 2, p.y + (kh - ts.y) / 2),
                 pressed || done ? ui.pal.on_primary : ui.pal.text, wk.label);
        }
        x += kw + gap;
    }
}

float keyboard_height(Ui& ui) {
    float key = std::min(ui.px(92), (ui.ctx.width - ui.px(96)) / 11.f);
    return 5 * (key * 0.78f + ui.px(10)) + ui.px(48);
}

std::string open_label(Ui& ui, const Resource& r, ImU32* color) {
    auto open = open_at(r, ui.ctx.weekday, ui.ctx.minute_of_day);
    if (!open) return "";
    *color = *open ? ui.pal.open_now : ui.pal.muted;
    return *open ? ui.t("resources.open_now") : ui.t("resources.closed_now");
}

// "● Open now": a drawn dot (fonts may lack the glyph) and the label.
void open_badge(Ui& ui, ImFont* font, ImVec2 pos, ImU32 col, const std::string& label) {
    float r = font->FontSize * 0.22f;
    ui.dl->AddCircleFilled(ImVec2(pos.x + r, pos.y + font->FontSize * 0.55f), r, col, 16);
    text(ui, font, ImVec2(pos.x + r * 2 + ui.px(8), pos.y), col, label);
}

void resources(Ui& ui, float top) {
    const AppState& st = ui.app.state();
    const Catalog& cat = ui.app.catalog();
    float margin = ui.px(56);
    float w = ui.ctx.width - 2 * margin;
    float y = top + ui.px(32);

    // Title and the search field (a tap opens the on-screen keyboard).
    text(ui, ui.f.title, ImVec2(margin, y), ui.pal.text, ui.t("resources.title"));
    float field_w = std::min(ui.px(720), w * 0.5f);
    float field_h = pill_height(ui, ui.f.bold);
    ImVec2 fp(margin + w - field_w, y - ui.px(6));
    bool fpressed = false;
    if (tap_area(ui, "search", fp, ImVec2(field_w, field_h), &fpressed, field_h / 2)) ui.intent(Intent::Kind::search_open);
    ui.dl->AddRectFilled(fp, ImVec2(fp.x + field_w, fp.y + field_h), ui.pal.card, field_h / 2);
    ui.dl->AddRect(fp, ImVec2(fp.x + field_w, fp.y + field_h), st.keyboard ? ui.pal.primary : ui.pal.line, field_h / 2, 0,
                   ui.px(st.keyboard ? 4 : 2));
    // A magnifier.
    ImVec2 mc(fp.x + ui.px(40), fp.y + field_h / 2 - ui.px(3));
    ui.dl->AddCircle(mc, ui.px(12), ui.pal.muted, 24, ui.px(4));
    ui.dl->AddLine(ImVec2(mc.x + ui.px(9), mc.y + ui.px(9)), ImVec2(mc.x + ui.px(19), mc.y + ui.px(19)), ui.pal.muted, ui.px(4));
    ImGui::PushClipRect(fp, ImVec2(fp.x + field_w - ui.px(24), fp.y + field_h), true);
    std::string shown = st.search.empty() ? ui.t("search.placeholder") : st.search + (st.keyboard ? "|" : "");
    text(ui, ui.f.bold, ImVec2(fp.x + ui.px(72), fp.y + (field_h - ui.f.bold->FontSize) / 2),
         st.search.empty() ? ui.pal.muted : ui.pal.text, shown);
    ImGui::PopClipRect();
    y += std::max(ui.f.title->FontSize, field_h) + ui.px(20);

    // Category chips (only categories with entries), wrapping.
    std::vector<std::string> cats = {""};
    for (const auto& c : kResourceCategories)
        for (const auto& r : cat.resources)
            if (r.category == c) {
                cats.push_back(c);
                break;
            }
    float x = margin;
    float chip_h = pill_height(ui, ui.f.bold);
    for (const auto& c : cats) {
        std::string label = c.empty() ? ui.t("resources.all") : ui.t("category." + c);
        float cw = pill_width(ui, label);
        if (x + cw > margin + w) {
            x = margin;
            y += chip_h + ui.px(14);
        }
        bool active = st.category == c;
        if (pill(ui, "category:" + (c.empty() ? std::string("all") : c), ImVec2(x, y), label,
                 active ? ui.pal.primary : ui.pal.card, active ? ui.pal.on_primary : ui.pal.text, 0, nullptr,
                 active ? 0 : ui.pal.line))
            ui.intent(Intent::Kind::set_category, c);
        x += cw + ui.px(14);
    }
    y += chip_h + ui.px(24);

    float bottom = st.keyboard ? ui.ctx.height - keyboard_height(ui) : ui.ctx.height - ui.px(24);
    if (st.results.empty()) {
        text(ui, ui.f.body, ImVec2(margin, y), ui.pal.muted, ui.t("resources.none"), margin + w);
    } else if (!st.search.empty() && st.results.size() >= Directory::kMaxResults) {
        text(ui, ui.f.small, ImVec2(margin, y), ui.pal.muted, ui.t("resources.capped"), margin + w);
        y += ui.f.small->FontSize + ui.px(12);
    }
    begin_scroll(ui, "##resources", ImVec2(margin, y), ImVec2(w, bottom - y));
    float cy = ImGui::GetCursorScreenPos().y;
    // Name, tags and two lines of description (row_h below is the sum).
    float row_h = std::max(ui.px(150), ui.f.bold->FontSize + ui.f.small->FontSize * 3 + ui.px(50));
    for (size_t idx : st.results) {
        const Resource& r = cat.resources[idx];
        if (!row_visible(ui, cy, row_h)) {
            cy += row_h + ui.px(16);
            continue;
        }
        ImVec2 p(margin, cy);
        ImVec2 q(margin + w - ui.px(28), cy + row_h);
        bool pressed = false;
        if (tap_area(ui, "resource:" + r.id, p, ImVec2(q.x - p.x, row_h), &pressed, ui.px(20)))
            ui.intent(Intent::Kind::open_resource, r.id);
        ui.dl->AddRectFilled(p, q, pressed ? ui.pal.card_pressed : ui.pal.card, ui.px(20));
        ui.dl->AddRect(p, q, ui.pal.line, ui.px(20), 0, ui.px(2));
        float tx = p.x + ui.px(36);
        float phone_w = ui.px(400);
        const float text_w = q.x - phone_w - ui.px(20) - tx;
        ImGui::PushClipRect(p, ImVec2(q.x - phone_w, q.y - ui.px(8)), true);
        text_line(ui, ui.f.bold, ImVec2(tx, p.y + ui.px(20)), ui.pal.text, r.name, text_w);
        std::string tag = ui.t("category." + r.category);
        if (r.national) tag += "  \xc2\xb7  " + ui.t("resources.national");
        if (r.sample) tag += "  \xc2\xb7  " + ui.t("resources.sample");
        float tagy = p.y + ui.px(26) + ui.f.bold->FontSize;
        text(ui, ui.f.small, ImVec2(tx, tagy), ui.pal.primary, tag);
        ImU32 oc = 0;
        std::string open = open_label(ui, r, &oc);
        if (!open.empty()) open_badge(ui, ui.f.small, ImVec2(tx + text_size(ui.f.small, tag).x + ui.px(24), tagy), oc, open);
        summary_lines(ui, "resource:" + r.id, ImVec2(tx, tagy + ui.f.small->FontSize + ui.px(6)), ui.pal.muted,
                      r.description.get(ui.lang), text_w, q.y - ui.px(12));
        ImGui::PopClipRect();
        std::string contact = !r.phone.empty() ? r.phone : !r.sms.empty() ? ui.t("resources.text") + " " + r.sms : "";
        if (!contact.empty()) {
            // The largest size that fits the column (a number may be 32
            // characters); clipped to it if even the smallest does not.
            ImFont* cf = ui.f.small;
            for (ImFont* f : {ui.f.title, ui.f.bold, ui.f.small})
                if (text_size(f, contact).x < phone_w - ui.px(40)) {
                    cf = f;
                    break;
                }
            ImVec2 cs = text_size(cf, contact);
            float cx = std::max(q.x - ui.px(40) - cs.x, q.x - phone_w + ui.px(8));
            ImGui::PushClipRect(ImVec2(q.x - phone_w, p.y), ImVec2(q.x - ui.px(12), q.y), true);
            text(ui, cf, ImVec2(cx, p.y + (row_h - cs.y) / 2), ui.pal.primary, contact);
            ImGui::PopClipRect();
            // The number as drawn, and its column (tests).
            ui.out.targets["contact:" + r.id] = Rect{cx, p.y, cs.x, row_h};
            ui.out.targets["contact-column:" + r.id] = Rect{q.x - phone_w, p.y, phone_w - ui.px(12), row_h};
        }
        cy += row_h + ui.px(16);
    }
    end_scroll(ui, ImVec2(margin, cy));
    if (st.keyboard) keyboard(ui);
}

void resource(Ui& ui, float top) {
    const Resource* r = ui.app.catalog().find_resource(ui.app.state().resource_id);
    if (!r) return;
    float margin = ui.px(72);
    bool portrait = ui.ctx.height > ui.ctx.width;
    float qr_col = portrait ? 0 : ui.px(440);
    float w = ui.ctx.width - 2 * margin - qr_col;

    // Take it away: a QR code for the website, else the phone, else a map.
    // Placed first: in portrait the text scrolls above it.
    std::string payload, caption;
    if (!r->website.empty()) {
        payload = r->website;
        caption = ui.t("qr.website");
    } else if (!r->phone.empty()) {
        payload = tel_uri(r->phone);
        caption = ui.t("qr.phone");
    } else if (!r->address.empty()) {
        payload = map_uri(r->address);
        caption = ui.t("qr.map");
    }
    float side = ui.px(360);
    float card_below = ui.px(24) + ui.px(16) + ui.f.body->FontSize * 2 + ui.px(24);
    ImVec2 qp = portrait ? ImVec2(ui.ctx.width - margin - side, ui.ctx.height - side - card_below - ui.px(48))
                         : ImVec2(ui.ctx.width - margin - side, top + ui.px(48));
    float bottom = portrait && !payload.empty() ? qp.y - ui.px(48) : ui.ctx.height - ui.px(24);

    // The text scrolls when it does not fit (the longest fields a pack may
    // hold, in the large text, take more than a screen).
    begin_scroll(ui, "##resource", ImVec2(margin, top), ImVec2(w + ui.px(8), bottom - top));
    float y = ImGui::GetCursorScreenPos().y + ui.px(40);
    text(ui, ui.f.huge, ImVec2(margin, y), ui.pal.text, r->name, margin + w);
    y += text_size(ui.f.huge, r->name, w).y + ui.px(8);
    std::string tag = ui.t("category." + r->category);
    if (r->national) tag += "  \xc2\xb7  " + ui.t("resources.national");
    if (r->sample) tag += "  \xc2\xb7  " + ui.t("resources.sample");
    text(ui, ui.f.bold, ImVec2(margin, y), ui.pal.primary, tag);
    ImU32 oc = 0;
    std::string open = open_label(ui, *r, &oc);
    if (!open.empty()) open_badge(ui, ui.f.bold, ImVec2(margin + text_size(ui.f.bold, tag).x + ui.px(32), y), oc, open);
    y += ui.f.bold->FontSize + ui.px(24);
    std::string desc = r->description.get(ui.lang);
    text(ui, ui.f.body, ImVec2(margin, y), ui.pal.text, desc, margin + w);
    y += text_size(ui.f.body, desc, w).y + ui.px(36);

    auto row = [&](const std::string& label, const std::string& value, ImFont* vf) {
        if (value.empty()) return;
        text(ui, ui.f.small, ImVec2(margin, y), ui.pal.muted, label);
        y += ui.f.small->FontSize + ui.px(4);
        text(ui, vf, ImVec2(margin, y), ui.pal.text, value, margin + w);
        y += text_size(vf, value, w).y + ui.px(22);
    };
    row(ui.t("resources.call"), r->phone, ui.f.huge);
    row(ui.t("resources.text"), r->sms, ui.f.title);
    row(ui.t("resources.website"), r->website, ui.f.bold);
    row(ui.t("resources.address"), r->address, ui.f.body);
    std::string hours;
    if (r->always_open) hours = ui.t("resources.always_open");
    for (const auto& span : r->hours) {
        std::string days;
        for (const auto& d : span.days) days += (days.empty() ? "" : ", ") + ui.t("day." + d);
        hours += (hours.empty() ? "" : "\n") + days + "   " + span.open + " \xe2\x80\x93 " + span.close;
    }
    row(ui.t("resources.hours"), hours, ui.f.body);
    std::string langs;
    for (const auto& l : r->languages) {
        const std::string& name = language_name(l);
        langs += (langs.empty() ? "" : ", ") + name;
    }
    row(ui.t("resources.languages"), langs, ui.f.body);
    // Where the text ends, as drawn (scrolled): for scripts and tests.
    ui.out.targets["detail-end"] = Rect{margin, y, w, 1};
    end_scroll(ui, ImVec2(margin, y));

    if (payload.empty()) return;
    ui.dl->AddRectFilled(ImVec2(qp.x - ui.px(24), qp.y - ui.px(24)),
                         ImVec2(qp.x + side + ui.px(24), qp.y + side + ui.px(24) + ui.px(16) + ui.f.body->FontSize * 2 + ui.px(24)),
                         ui.pal.card, ui.px(24));
    draw_qr(ui, payload, qp, side);
    text(ui, ui.f.body, ImVec2(qp.x, qp.y + side + ui.px(16)), ui.pal.text, caption, qp.x + side);
    ui.out.targets["qr"] = Rect{qp.x, qp.y, side, side};
}

void admin_pin(Ui& ui, float top) {
    const AppState& st = ui.app.state();
    float pad = ui.px(112);
    float gap = ui.px(20);
    float grid_w = 3 * pad + 2 * gap;
    float x0 = (ui.ctx.width - grid_w) / 2;
    float y = top + ui.px(40);
    const std::string& title = ui.t("admin.pin_title");
    ImVec2 ts = text_size(ui.f.title, title);
    text(ui, ui.f.title, ImVec2((ui.ctx.width - ts.x) / 2, y), ui.pal.text, title);
    y += ts.y + ui.px(24);
    // The digits typed, as dots.
    std::string dots;
    for (size_t i = 0; i < st.pin_entry.size(); ++i) dots += "\xe2\x97\x8f ";
    if (dots.empty()) dots = " ";
    ImVec2 ds = text_size(ui.f.title, dots);
    text(ui, ui.f.title, ImVec2((ui.ctx.width - ds.x) / 2, y), ui.pal.text, dots);
    y += ui.f.title->FontSize + ui.px(12);
    std::string msg;
    if (ui.ctx.now < st.pin_locked_until) {
        char b[128];
        std::snprintf(b, sizeof b, "%s %d s", ui.t("admin.locked").c_str(), static_cast<int>(std::ceil(st.pin_locked_until - ui.ctx.now)));
        msg = b;
    } else if (st.pin_wrong) {
        msg = ui.t("admin.wrong");
    }
    if (!msg.empty()) {
        ImVec2 ms = text_size(ui.f.bold, msg);
        text(ui, ui.f.bold, ImVec2((ui.ctx.width - ms.x) / 2, y), ui.pal.accent, msg);
    }
    y += ui.f.bold->FontSize + ui.px(24);
    const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"};
    for (int i = 0; i < 12; ++i) {
        ImVec2 p(x0 + static_cast<float>(i % 3) * (pad + gap), y + static_cast<float>(i / 3) * (pad * 0.8f + gap));
        ImVec2 sz(pad, pad * 0.8f);
        std::string k = keys[i];
        bool pressed = false;
        if (tap_area(ui, "pin:" + k, p, sz, &pressed, ui.px(16))) {
            if (k == "clear") ui.intent(Intent::Kind::pin_clear);
            else if (k == "ok") ui.intent(Intent::Kind::pin_submit);
            else ui.intent(Intent::Kind::pin_key, k);
        }
        bool ok = k == "ok";
        ui.dl->AddRectFilled(p, ImVec2(p.x + sz.x, p.y + sz.y), pressed ? ui.pal.primary_dark : ok ? ui.pal.primary : ui.pal.card,
                             ui.px(16));
        ui.dl->AddRect(p, ImVec2(p.x + sz.x, p.y + sz.y), ui.pal.line, ui.px(16), 0, ui.px(2));
        std::string label = k == "clear" ? ui.t("admin.clear") : ok ? "OK" : k;
        ImFont* font = k.size() == 1 ? ui.f.title : ui.f.bold;
        ImVec2 ls = text_size(font, label);
        text(ui, font, ImVec2(p.x + (sz.x - ls.x) / 2, p.y + (sz.y - ls.y) / 2), pressed || ok ? ui.pal.on_primary : ui.pal.text, label);
    }
}

void admin(Ui& ui, float top) {
    if (!ui.ctx.admin) return;
    const AdminStatus& a = *ui.ctx.admin;
    float margin = ui.px(64);
    float y = top + ui.px(32);
    text(ui, ui.f.title, ImVec2(margin, y), ui.pal.text, ui.t("admin.title"));
    y += ui.f.title->FontSize + ui.px(24);
    float colw = (ui.ctx.width - 2 * margin - ui.px(48)) / 2;
    float y0 = y;
    auto item = [&](float x, float& yy, const std::string& label, const std::string& value, ImU32 col) {
        text(ui, ui.f.small, ImVec2(x, yy), ui.pal.muted, label);
        yy += ui.f.small->FontSize + ui.px(2);
        text(ui, ui.f.bold, ImVec2(x, yy), col, value, x + colw);
        yy += text_size(ui.f.bold, value, colw).y + ui.px(18);
    };
    float lx = margin;
    float ly = y0;
    std::string content = a.library + ", v" + std::to_string(a.content_version) + " (" + a.content_issued + ")";
    item(lx, ly, ui.t("admin.content"), content, ui.pal.text);
    std::string expires = a.content_expires.empty() ? ui.t("admin.never") : a.content_expires;
    if (a.content_expired) expires += "  \xe2\x80\x94 " + ui.t("admin.expired");
    item(lx, ly, ui.t("admin.expires"), expires, a.content_expired ? ui.pal.accent : ui.pal.text);
    item(lx, ly, ui.t("admin.catalog"),
         std::to_string(a.courses) + " " + ui.t("admin.courses") + ", " + std::to_string(a.videos) + " " + ui.t("course.videos") +
             ", " + std::to_string(a.resources) + " " + ui.t("resources.count"),
         ui.pal.text);
    item(lx, ly, ui.t("admin.pack_dir"), a.pack_dir, ui.pal.text);
    std::string usage = a.have_usage ? std::to_string(a.usage.plays) + " " + ui.t("admin.plays") + " (" +
                                           std::to_string(a.usage.completed) + " " + ui.t("admin.completed") + ", " +
                                           std::to_string(a.usage.failed) + " " + ui.t("admin.failed") + ")"
                                     : ui.t("admin.usage_off");
    item(lx, ly, ui.t("admin.usage"), usage, ui.pal.text);
    item(lx, ly, ui.t("admin.running"), running_line(a, ui.lang).text, ui.pal.text);
    float rx = margin + colw + ui.px(48);
    float ryy = y0;
    std::string disk = a.disk_total_bytes ? format_bytes(a.disk_free_bytes) + " " + ui.t("admin.free_of") + " " + format_bytes(a.disk_total_bytes)
                                          : "?";
    bool low = a.disk_total_bytes && a.disk_free_bytes < a.disk_total_bytes / 20;
    item(rx, ryy, ui.t("admin.disk"), disk, low ? ui.pal.accent : ui.pal.text);
    std::string net;
    for (const auto& n : a.network_up) net += (net.empty() ? "" : ", ") + n;
    item(rx, ryy, ui.t("admin.network"), net.empty() ? ui.t("admin.offline") : ui.t("admin.online") + " (" + net + ")", ui.pal.text);
    for (auto [key, line] : {std::pair{"admin.sync", content_sync_line(a, ui.lang)},
                             std::pair{"admin.upload", usage_upload_line(a, ui.lang)}})
        item(rx, ryy, ui.t(key), line.text, line.problem ? ui.pal.accent : line.quiet ? ui.pal.muted : ui.pal.text);
    text(ui, ui.f.small, ImVec2(rx, ryy), ui.pal.muted, ui.t("admin.problems"));
    ryy += ui.f.small->FontSize + ui.px(4);
    float prob_bottom = ui.ctx.height - ui.px(140);
    if (a.problems.empty()) text(ui, ui.f.body, ImVec2(rx, ryy), ui.pal.text, ui.t("admin.no_problems"));
    else {
        ImGui::PushClipRect(ImVec2(rx, ryy), ImVec2(rx + colw, prob_bottom), true);
        for (auto it = a.problems.rbegin(); it != a.problems.rend() && ryy < prob_bottom; ++it) {
            text(ui, ui.f.small, ImVec2(rx, ryy), ui.pal.text, *it, rx + colw);
            ryy += text_size(ui.f.small, *it, colw).y + ui.px(8);
        }
        ImGui::PopClipRect();
    }
    // Actions.
    float by = ui.ctx.height - ui.px(112);
    float bx = margin;
    struct Act { const char* id; const char* key; };
    for (Act act : {Act{"sync_now", "admin.sync_now"}, Act{"test_pattern", "admin.test_pattern"},
                    Act{"restart", "admin.restart"}, Act{"exit", "admin.exit"}, Act{"close", "admin.close"}}) {
        if (std::string_view(act.id) == "sync_now" && !a.content.sync_configured && !a.upload.configured) continue;
        const std::string& label = ui.t(act.key);
        bool main = std::string_view(act.id) == "close";
        if (pill(ui, std::string("admin:") + act.id, ImVec2(bx, by), label, main ? ui.pal.primary : ui.pal.card,
                 main ? ui.pal.on_primary : ui.pal.text, ui.px(220), nullptr, main ? 0 : ui.pal.line))
            ui.intent(Intent::Kind::admin_action, act.id);
        bx += std::max(ui.px(220), pill_width(ui, label)) + ui.px(20);
    }
}

// --- Training screens (kiosk.mode = "training"): no navigation, only what
// plays, what comes next, alerts, and a sleeping screen outside hours.

// "Now playing / up next" over the video: shown for the first and the last
// seconds of each video, so it covers the captions as little as it can.
void training_lower_third(Ui& ui, const TrainingMode& tm) {
    constexpr double kShowS = 10;
    const TrainingStatus& st = tm.status();
    const Fonts& f = ui.f;
    const Player& pl = ui.app.player();
    if (!st.notice_alert_id.empty()) {
        for (const Alert& a : ui.app.catalog().alerts) {
            if (a.id != st.notice_alert_id) continue;
            float h = ui.px(64);
            ui.dl->AddRectFilled(ImVec2(0, 0), ImVec2(ui.ctx.width, h), ui.pal.notice_bg);
            std::string msg = ui.t("training.alert.info") + ":  " + a.title.get(ui.lang);
            // A title may be as long as the pack allows (120 characters): clipped at the edge.
            ImGui::PushClipRect(ImVec2(0, 0), ImVec2(ui.ctx.width - ui.px(48), h), true);
            text(ui, f.bold, ImVec2(ui.px(48), (h - f.bold->FontSize) / 2), ui.pal.notice, msg);
            ImGui::PopClipRect();
        }
    }
    double pos = pl.position_s(), dur = pl.duration_s();
    if (dur > 0 && pos > kShowS && dur - pos > kShowS) return;
    const Course* course = nullptr;
    const Video* now = ui.app.catalog().find_video(st.video_id, &course);
    if (!now) return;
    const Video* next = ui.app.catalog().find_video(st.next_video_id);
    // Low and slim: mpv draws the captions just above it.
    float h = ui.px(112), y = ui.ctx.height - h - ui.px(20), x = ui.px(48);
    float w = ui.ctx.width - 2 * x;
    ui.dl->AddRectFilled(ImVec2(x, y), ImVec2(x + w, y + h), ui.pal.overlay, ui.px(16));
    ui.dl->AddRectFilled(ImVec2(x, y), ImVec2(x + ui.px(10), y + h), rgb(0x4F, 0xC3, 0xC9), ui.px(16),
                         ImDrawFlags_RoundCornersLeft);
    float split = x + w * 0.64f;
    std::string playlist = st.playlist == kAllCoursesPlaylist ? ui.t("training.all_courses")
                                                              : tm.schedule().title_of(st.playlist, ui.lang);
    std::string label = ui.t("training.now_playing") + "  \xc2\xb7  " + playlist;
    if (course) {
        size_t k = 0;
        while (k < course->videos.size() && course->videos[k].id != now->id) ++k;
        if (course->title.get(ui.lang) != playlist) label += "  \xc2\xb7  " + course->title.get(ui.lang);
        label += "  \xc2\xb7  " + ui.t("training.module") + " " + std::to_string(k + 1) + " " + ui.t("training.module_of") +
                 " " + std::to_string(course->videos.size());
    }
    ImU32 soft = rgb(0xC8, 0xE6, 0xE8);
    float ty = y + (h - f.small->FontSize - f.title->FontSize - ui.px(6)) / 2;
    ImGui::PushClipRect(ImVec2(x, y), ImVec2(split - ui.px(24), y + h), true);
    text(ui, f.small, ImVec2(x + ui.px(40), ty), soft, label);
    text(ui, f.title, ImVec2(x + ui.px(40), ty + f.small->FontSize + ui.px(6)), ui.pal.on_primary, now->title.get(ui.lang));
    ImGui::PopClipRect();
    if (next && st.count > 1) {
        ui.dl->AddLine(ImVec2(split, y + ui.px(22)), ImVec2(split, y + h - ui.px(22)), rgb(0x5A, 0x64, 0x6E), ui.px(2));
        float ny = y + (h - f.small->FontSize - f.bold->FontSize - ui.px(6)) / 2;
        ImGui::PushClipRect(ImVec2(split, y), ImVec2(x + w - ui.px(24), y + h), true);
        text(ui, f.small, ImVec2(split + ui.px(32), ny), soft, ui.t("training.up_next"));
        text(ui, f.bold, ImVec2(split + ui.px(32), ny + f.small->FontSize + ui.px(6)), ui.pal.on_primary,
             next->title.get(ui.lang));
        ImGui::PopClipRect();
    }
}

// An alert that has the screen: severity, title, body, pinned resources.
void training_alert(Ui& ui, const TrainingMode& tm) {
    const TrainingStatus& st = tm.status();
    const Fonts& f = ui.f;
    const Alert* alert = nullptr;
    for (const Alert& a : ui.app.catalog().alerts)
        if (a.id == st.alert_id) alert = &a;
    if (!alert) return;
    ImU32 bg = alert_color(ui.pal, alert->severity);
    ImU32 fg = ui.pal.on_alert;
    ui.dl->AddRectFilled(ImVec2(0, 0), ImVec2(ui.ctx.width, ui.ctx.height), bg);
    float m = ui.px(96), w = ui.ctx.width - 2 * m, y = ui.px(88);
    std::string sev = ui.t("training.alert." + alert->severity);
    ImVec2 ss = text_size(f.bold, sev);
    ui.dl->AddRectFilled(ImVec2(m, y), ImVec2(m + ss.x + ui.px(48), y + ss.y + ui.px(20)), fg, ui.px(28));
    text(ui, f.bold, ImVec2(m + ui.px(24), y + ui.px(10)), bg, sev);
    y += ss.y + ui.px(56);
    const std::string& title = alert->title.get(ui.lang);
    text(ui, f.huge, ImVec2(m, y), fg, title, m + w);
    y += text_size(f.huge, title, w).y + ui.px(36);
    const std::string& body = alert->body.get(ui.lang);
    if (!body.empty()) {
        text(ui, f.body, ImVec2(m, y), fg, body, m + w * 0.85f);
        y += text_size(f.body, body, w * 0.85f).y + ui.px(48);
    }
    for (const auto& rid : alert->pin_resources) {
        const Resource* r = ui.app.catalog().find_resource(rid);
        if (!r || y > ui.ctx.height - ui.px(200)) continue;
        text(ui, f.bold, ImVec2(m, y), fg, r->name, m + w * 0.6f);
        if (!r->phone.empty()) {
            ImVec2 ps = text_size(f.title, r->phone);
            text(ui, f.title, ImVec2(m + w - ps.x, y - ui.px(6)), fg, r->phone);
            // Where the name's column ends and the number as drawn (tests).
            ui.out.targets["pin-name:" + r->id] = Rect{m, y, w * 0.6f, 1};
            ui.out.targets["pin-phone:" + r->id] = Rect{m + w - ps.x, y, ps.x, ps.y};
        }
        y += std::max(f.title->FontSize, text_size(f.bold, r->name, w * 0.6f).y) + ui.px(28);
    }
    ui.out.targets["alert-end"] = Rect{m, y, w, 1};
    if (st.other_alerts > 0)
        text(ui, f.small, ImVec2(m, ui.ctx.height - ui.px(80)), fg,
             "+" + std::to_string(st.other_alerts) + " " + ui.t("training.more_alerts"));
}

// Outside screen hours (if the display did not switch off), or nothing to play.
void training_idle(Ui& ui, const TrainingMode& tm) {
    const TrainingStatus& st = tm.status();
    const Fonts& f = ui.f;
    bool asleep = st.mode == TrainingStatus::Mode::asleep;
    ui.dl->AddRectFilled(ImVec2(0, 0), ImVec2(ui.ctx.width, ui.ctx.height), asleep ? rgb(0x0B, 0x12, 0x18) : ui.pal.header);
    std::string title = asleep ? ui.t("training.asleep") : ui.t("training.nothing");
    std::string sub;
    if (asleep && st.asleep_until) {
        LocalTime l = tm.schedule().zone().to_local(*st.asleep_until);
        sub = ui.t("training.back_at") + ": " + ui.t("day." + std::string(weekday_name(l.weekday))) + " " +
              format_hhmm(l.minute_of_day);
    }
    ImVec2 ts = text_size(f.title, title);
    float cy = ui.ctx.height / 2 - ts.y;
    ImU32 dim = rgb(0x9A, 0xA8, 0xB2);
    text(ui, f.title, ImVec2((ui.ctx.width - ts.x) / 2, cy), asleep ? dim : ui.pal.on_primary, title);
    if (!sub.empty()) {
        ImVec2 ss = text_size(f.body, sub);
        text(ui, f.body, ImVec2((ui.ctx.width - ss.x) / 2, cy + ts.y + ui.px(24)), dim, sub);
    }
}

void training_screen(Ui& ui, const TrainingMode& tm) {
    switch (tm.status().mode) {
        case TrainingStatus::Mode::playing:
            if (ui.app.state().screen == Screen::player) training_lower_third(ui, tm);
            break;
        case TrainingStatus::Mode::alert: training_alert(ui, tm); break;
        case TrainingStatus::Mode::asleep:
        case TrainingStatus::Mode::nothing:
        case TrainingStatus::Mode::starting: training_idle(ui, tm); break;
    }
}

}  // namespace

void draw_screen(const App& app, const ViewContext& ctx, FrameOutput& out) {
    const AppState& st = app.state();
    bool video = st.screen == Screen::player || st.screen == Screen::attract;
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(ctx.width, ctx.height));
    ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                             ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse |
                             ImGuiWindowFlags_NoBackground;
    ImGui::Begin("##screen", nullptr, flags);
    Ui ui{app, ctx, out, ImGui::GetWindowDrawList(), st.language, ctx.fonts, ctx.pal};
    if (!video) ui.dl->AddRectFilled(ImVec2(0, 0), ImVec2(ctx.width, ctx.height), ctx.pal.ground);
    if (const TrainingMode* tm = app.training()) {
        training_screen(ui, *tm);
    } else if (st.screen == Screen::player) {
        player(ui);
    } else if (st.screen == Screen::attract) {
        attract(ui);
    } else {
        float y = header(ui);
        y = alert_banner(ui, y);
        y = notice_bar(ui, y);
        switch (st.screen) {
            case Screen::home: home(ui, y); break;
            case Screen::course: course(ui, y); break;
            case Screen::resources: resources(ui, y); break;
            case Screen::resource: resource(ui, y); break;
            case Screen::admin_pin: admin_pin(ui, y); break;
            case Screen::admin: admin(ui, y); break;
            case Screen::player:
            case Screen::attract: break;
        }
    }
    ImGui::End();
}

}  // namespace lasr::ui
