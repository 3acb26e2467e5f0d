#include "kiosk/ui/views.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "kiosk/app/strings.hpp"

namespace lasr::ui {

std::string format_clock(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
    long s = std::lround(std::floor(seconds));
    char b[32];
    if (s >= 3600) std::snprintf(b, sizeof b, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else std::snprintf(b, sizeof b, "%ld:%02ld", s / 60, s % 60);
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

    float px(float v) const { return v * ctx.scale; }
    const std::string& t(std::string_view key) const { return tr(lang, key); }
    void intent(Intent::Kind k, std::string arg = {}, double value = 0) { out.intents.push_back({k, std::move(arg), value}); }
};

ImVec2 text_size(ImFont* f, const std::string& s, float wrap = 0) {
    return f->CalcTextSizeA(f->FontSize, FLT_MAX, wrap, s.c_str());
}

// Draws text at pos; with right_edge > 0 it wraps at that x coordinate.
void text(Ui& ui, ImFont* f, ImVec2 pos, ImU32 col, const std::string& s, float right_edge = 0) {
    float wrap = right_edge > 0 ? std::max(1.f, right_edge - pos.x) : 0.f;
    ui.dl->AddText(f, f->FontSize, pos, col, s.c_str(), nullptr, wrap);
}

// An invisible touch target, registered under `id` for scripts. Returns true
// when tapped; *pressed tells whether a finger is on it now.
bool tap_area(Ui& ui, const std::string& id, ImVec2 pos, ImVec2 size, bool* pressed = nullptr) {
    ImGui::SetCursorScreenPos(pos);
    ImGui::PushID(id.c_str());
    bool clicked = ImGui::InvisibleButton("##tap", size);
    ImGui::PopID();
    if (pressed) *pressed = ImGui::IsItemActive();
    ImVec2 cmin = ui.dl->GetClipRectMin(), cmax = ui.dl->GetClipRectMax();
    float x0 = std::max(pos.x, cmin.x), y0 = std::max(pos.y, cmin.y);
    float x1 = std::min(pos.x + size.x, cmax.x), y1 = std::min(pos.y + size.y, cmax.y);
    if (x1 > x0 && y1 > y0) ui.out.targets[id] = Rect{x0, y0, x1 - x0, y1 - y0};
    return clicked;
}

// A rounded button with a label; `filled` for the primary action.
bool pill(Ui& ui, const std::string& id, ImVec2 pos, const std::string& label, ImU32 bg, ImU32 fg,
          float min_w = 0, ImFont* font = nullptr) {
    font = font ? font : ui.ctx.fonts.bold;
    ImVec2 ts = text_size(font, label);
    float h = std::max(ui.px(64), ts.y + ui.px(20));  // touch targets >= 48 px at 1080p
    float w = std::max(min_w, ts.x + ui.px(48));
    bool pressed = false;
    bool clicked = tap_area(ui, id, pos, ImVec2(w, h), &pressed);
    ui.dl->AddRectFilled(pos, ImVec2(pos.x + w, pos.y + h), pressed ? color::primary_dark : bg, h / 2);
    text(ui, font, ImVec2(pos.x + (w - ts.x) / 2, pos.y + (h - ts.y) / 2), fg, label);
    return clicked;
}

float pill_width(Ui& ui, const std::string& label, ImFont* font = nullptr) {
    font = font ? font : ui.ctx.fonts.bold;
    return text_size(font, label).x + ui.px(48);
}

void play_triangle(ImDrawList* dl, ImVec2 c, float r, ImU32 col) {
    dl->AddTriangleFilled(ImVec2(c.x - r * 0.5f, c.y - r * 0.8f), ImVec2(c.x - r * 0.5f, c.y + r * 0.8f),
                          ImVec2(c.x + r * 0.85f, c.y), col);
}

void chevron(ImDrawList* dl, ImVec2 c, float r, ImU32 col, float thick) {
    dl->AddLine(ImVec2(c.x - r * 0.4f, c.y - r), ImVec2(c.x + r * 0.5f, c.y), col, thick);
    dl->AddLine(ImVec2(c.x + r * 0.5f, c.y), ImVec2(c.x - r * 0.4f, c.y + r), col, thick);
}

float header(Ui& ui) {
    const Fonts& f = ui.ctx.fonts;
    const AppState& st = ui.app.state();
    float h = ui.px(120);
    ui.dl->AddRectFilled(ImVec2(0, 0), ImVec2(ui.ctx.width, h), color::header);
    float x = ui.px(48);
    if (st.screen != Screen::home) {
        std::string label = "<  " + ui.t("nav.back");
        if (pill(ui, "back", ImVec2(x, (h - ui.px(72)) / 2), label, color::primary, color::on_primary, ui.px(170)))
            ui.intent(Intent::Kind::back);
        x += std::max(ui.px(170), pill_width(ui, label)) + ui.px(32);
    }
    std::string name = ui.app.catalog().info.library_name.empty() ? "LASR Kiosk" : ui.app.catalog().info.library_name;
    text(ui, f.title, ImVec2(x, ui.px(14)), color::on_primary, name);
    text(ui, f.small, ImVec2(x, ui.px(14) + f.title->FontSize + ui.px(2)), color::rgb(0xD6, 0xE4, 0xEA), ui.t("app.subtitle"));

    // Language switch, on every patron screen: each language in its own name.
    float rx = ui.ctx.width - ui.px(48);
    auto langs = ui.app.catalog().info.languages;
    for (auto it = langs.rbegin(); it != langs.rend(); ++it) {
        const std::string& label = language_name(*it);
        float w = std::max(ui.px(150), pill_width(ui, label));
        rx -= w;
        bool active = *it == st.language;
        if (pill(ui, "lang:" + *it, ImVec2(rx, (h - ui.px(72)) / 2), label,
                 active ? color::on_primary : color::rgb(0x2A, 0x46, 0x57), active ? color::header : color::on_primary, w))
            ui.intent(Intent::Kind::set_language, *it);
        rx -= ui.px(16);
    }
    return h;
}

float notice_bar(Ui& ui, float y) {
    const AppState& st = ui.app.state();
    if (st.notice.empty()) return y;
    float h = ui.px(72);
    ui.dl->AddRectFilled(ImVec2(0, y), ImVec2(ui.ctx.width, y + h), color::notice_bg);
    const std::string& msg = ui.t(st.notice);
    ImVec2 ts = text_size(ui.ctx.fonts.bold, msg);
    text(ui, ui.ctx.fonts.bold, ImVec2(ui.px(48), y + (h - ts.y) / 2), color::notice, msg);
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
// until end_scroll.
void begin_scroll(Ui& ui, const char* id, ImVec2 pos, ImVec2 size) {
    ImGui::SetCursorScreenPos(pos);
    ImGui::BeginChild(id, size, false, ImGuiWindowFlags_NoBackground);
    ui.dl = ImGui::GetWindowDrawList();
}

void end_scroll(Ui& ui, ImVec2 content_end) {
    ImGui::SetCursorScreenPos(content_end);
    ImGui::Dummy(ImVec2(1, 1));
    ImGui::EndChild();
    ui.dl = ImGui::GetWindowDrawList();
}

void home(Ui& ui, float top) {
    const Fonts& f = ui.ctx.fonts;
    const Catalog& cat = ui.app.catalog();
    float margin = ui.px(56);
    float gap = ui.px(40);
    float right_w = std::max(ui.px(520), (ui.ctx.width - 2 * margin - gap) * 0.36f);
    float left_w = ui.ctx.width - 2 * margin - gap - right_w;
    bool portrait = ui.ctx.height > ui.ctx.width;
    if (portrait) left_w = right_w = ui.ctx.width - 2 * margin;

    float y = top + ui.px(36);
    text(ui, f.title, ImVec2(margin, y), color::text, ui.t("home.courses"));
    float list_top = y + f.title->FontSize + ui.px(20);

    // Right column: the way into the partner directory, and the crisis line.
    float rx = portrait ? margin : margin + left_w + gap;
    float ry = portrait ? ui.ctx.height - ui.px(520) : top + ui.px(36);
    {
        ImVec2 p(rx, ry);
        float h = ui.px(300);
        bool pressed = false;
        if (tap_area(ui, "resources", p, ImVec2(right_w, h), &pressed)) ui.intent(Intent::Kind::open_resources);
        ui.dl->AddRectFilled(p, ImVec2(p.x + right_w, p.y + h), pressed ? color::primary_dark : color::primary, ui.px(24));
        text(ui, f.huge, ImVec2(p.x + ui.px(40), p.y + ui.px(34)), color::on_primary, ui.t("home.help.title"),
             p.x + right_w - ui.px(40));
        text(ui, f.body, ImVec2(p.x + ui.px(40), p.y + ui.px(56) + f.huge->FontSize), color::on_primary, ui.t("home.help.body"),
             p.x + right_w - ui.px(110));
        chevron(ui.dl, ImVec2(p.x + right_w - ui.px(56), p.y + h - ui.px(56)), ui.px(18), color::on_primary, ui.px(6));
        ry += h + ui.px(28);

        float ch = ui.px(130);
        ui.dl->AddRectFilled(ImVec2(rx, ry), ImVec2(rx + right_w, ry + ch), color::card, ui.px(20));
        ui.dl->AddRectFilled(ImVec2(rx, ry), ImVec2(rx + ui.px(14), ry + ch), color::accent, ui.px(20), ImDrawFlags_RoundCornersLeft);
        ImVec2 cs = text_size(f.bold, ui.t("home.crisis"), right_w - ui.px(70));
        text(ui, f.bold, ImVec2(rx + ui.px(40), ry + (ch - cs.y) / 2), color::accent, ui.t("home.crisis"), rx + right_w - ui.px(30));
        ry += ch + ui.px(24);
        text(ui, f.small, ImVec2(rx + ui.px(8), ry), color::muted, ui.t("privacy.note"), rx + right_w);
    }

    // Left column: the courses, in order.
    float list_bottom = portrait ? ui.ctx.height - ui.px(560) : ui.ctx.height - ui.px(40);
    begin_scroll(ui, "##courses", ImVec2(margin, list_top), ImVec2(left_w, list_bottom - list_top));
    float cy = ImGui::GetCursorScreenPos().y;
    float card_h = ui.px(132);
    int n = 0;
    for (const Course& c : cat.courses) {
        ++n;
        ImVec2 p(margin, cy);
        bool pressed = false;
        if (tap_area(ui, "course:" + c.id, p, ImVec2(left_w - ui.px(24), card_h), &pressed))
            ui.intent(Intent::Kind::open_course, c.id);
        ImVec2 q(p.x + left_w - ui.px(24), p.y + card_h);
        ui.dl->AddRectFilled(p, q, pressed ? color::card_pressed : color::card, ui.px(20));
        ui.dl->AddRect(p, q, color::line, ui.px(20), 0, ui.px(2));
        // Number badge.
        ImVec2 bc(p.x + ui.px(66), p.y + card_h / 2);
        ui.dl->AddCircleFilled(bc, ui.px(36), color::primary);
        std::string num = std::to_string(n);
        ImVec2 ns = text_size(f.title, num);
        text(ui, f.title, ImVec2(bc.x - ns.x / 2, bc.y - ns.y / 2), color::on_primary, num);
        float tx = p.x + ui.px(130);
        text(ui, f.bold, ImVec2(tx, p.y + ui.px(22)), color::text, c.title.get(ui.lang), q.x - ui.px(80));
        std::string sub = c.summary.get(ui.lang);
        std::string meta = course_meta(ui, c);
        text(ui, f.small, ImVec2(tx, p.y + ui.px(22) + f.bold->FontSize + ui.px(8)), color::muted,
             sub.empty() ? meta : meta + "  \xc2\xb7  " + sub, q.x - ui.px(80));
        chevron(ui.dl, ImVec2(q.x - ui.px(44), p.y + card_h / 2), ui.px(14), color::primary, ui.px(5));
        cy += card_h + ui.px(20);
    }
    end_scroll(ui, ImVec2(margin, cy));
}

void course(Ui& ui, float top) {
    const Fonts& f = ui.ctx.fonts;
    const AppState& st = ui.app.state();
    const Course* c = ui.app.catalog().find_course(st.course_id);
    if (!c) return;
    float margin = ui.px(56);
    float w = ui.ctx.width - 2 * margin;
    float y = top + ui.px(36);
    text(ui, f.title, ImVec2(margin, y), color::text, c->title.get(ui.lang), margin + w);
    y += text_size(f.title, c->title.get(ui.lang), w).y + ui.px(8);
    std::string sub = c->summary.get(ui.lang);
    if (!sub.empty()) {
        text(ui, f.body, ImVec2(margin, y), color::muted, sub, margin + w);
        y += text_size(f.body, sub, w).y;
    }
    y += ui.px(28);
    begin_scroll(ui, "##videos", ImVec2(margin, y), ImVec2(w, ui.ctx.height - y - ui.px(32)));
    float cy = ImGui::GetCursorScreenPos().y;
    float row_h = ui.px(140);
    int n = 0;
    for (const Video& v : c->videos) {
        ++n;
        ImVec2 p(margin, cy);
        ImVec2 q(margin + w - ui.px(24), cy + row_h);
        bool pressed = false;
        if (tap_area(ui, "video:" + v.id, p, ImVec2(q.x - p.x, row_h), &pressed)) ui.intent(Intent::Kind::play_video, v.id);
        bool last = v.id == st.last_video_id;
        ui.dl->AddRectFilled(p, q, pressed ? color::card_pressed : color::card, ui.px(20));
        ui.dl->AddRect(p, q, last ? color::primary : color::line, ui.px(20), 0, ui.px(last ? 4 : 2));
        // Play disc.
        ImVec2 pc(p.x + ui.px(74), p.y + row_h / 2);
        ui.dl->AddCircleFilled(pc, ui.px(42), color::primary);
        play_triangle(ui.dl, ImVec2(pc.x + ui.px(4), pc.y), ui.px(20), color::on_primary);
        float tx = p.x + ui.px(148);
        std::string title = std::to_string(n) + ".  " + v.title.get(ui.lang);
        text(ui, f.bold, ImVec2(tx, p.y + ui.px(24)), color::text, title, q.x - ui.px(220));
        text(ui, f.small, ImVec2(tx, p.y + ui.px(30) + f.bold->FontSize), color::muted, v.summary.get(ui.lang), q.x - ui.px(220));
        std::string dur = format_clock(v.duration_s);
        ImVec2 ds = text_size(f.bold, dur);
        text(ui, f.bold, ImVec2(q.x - ui.px(40) - ds.x, p.y + (row_h - ds.y) / 2), color::muted, dur);
        if (last) {
            const std::string& w2 = ui.t("course.watched");
            ImVec2 ws = text_size(f.small, w2);
            text(ui, f.small, ImVec2(q.x - ui.px(40) - ws.x, p.y + row_h - ui.px(36)), color::primary, w2);
        }
        cy += row_h + ui.px(18);
    }
    end_scroll(ui, ImVec2(margin, cy));
}

void player(Ui& ui) {
    const Fonts& f = ui.ctx.fonts;
    const AppState& st = ui.app.state();
    const Player& pl = ui.app.player();
    if (!ui.ctx.overlay_visible) return;
    const Video* v = ui.app.catalog().find_video(st.video_id);
    std::string title = v ? v->title.get(ui.lang) : "";

    // Top bar: back and title.
    float th = ui.px(120);
    ui.dl->AddRectFilled(ImVec2(0, 0), ImVec2(ui.ctx.width, th), color::overlay);
    std::string back = "<  " + ui.t("nav.back");
    if (pill(ui, "back", ImVec2(ui.px(48), (th - ui.px(72)) / 2), back, color::primary, color::on_primary, ui.px(170)))
        ui.intent(Intent::Kind::back);
    float tx = ui.px(48) + std::max(ui.px(170), pill_width(ui, back)) + ui.px(32);
    text(ui, f.title, ImVec2(tx, (th - f.title->FontSize) / 2), color::on_primary, title);

    // Bottom bar: pause, captions, progress.
    float bh = ui.px(132);
    float by = ui.ctx.height - bh;
    ui.dl->AddRectFilled(ImVec2(0, by), ImVec2(ui.ctx.width, ui.ctx.height), color::overlay);
    float x = ui.px(48);
    float py = by + (bh - ui.px(72)) / 2;
    const std::string& pl_label = pl.paused() ? ui.t("player.resume") : ui.t("player.pause");
    float pw = std::max(ui.px(200), pill_width(ui, pl_label));
    if (pill(ui, "pause", ImVec2(x, py), pl_label, color::on_primary, color::header, pw)) ui.intent(Intent::Kind::toggle_pause);
    x += pw + ui.px(20);
    const std::string& cc = st.captions ? ui.t("player.captions_on") : ui.t("player.captions_off");
    float cw = std::max(ui.px(260), pill_width(ui, "CC  " + cc));
    if (pill(ui, "captions", ImVec2(x, py), "CC  " + cc, st.captions ? color::primary : color::rgb(0x3A, 0x44, 0x4E),
             color::on_primary, cw))
        ui.intent(Intent::Kind::toggle_captions);
    x += cw + ui.px(40);
    double dur = pl.duration_s();
    double pos = std::min(pl.position_s(), dur > 0 ? dur : pl.position_s());
    std::string times = format_clock(pos) + " / " + format_clock(dur);
    ImVec2 ts = text_size(f.bold, times);
    float bar_x1 = ui.ctx.width - ui.px(48) - ts.x - ui.px(32);
    float bar_y = by + bh / 2;
    if (bar_x1 > x + ui.px(40)) {
        ui.dl->AddRectFilled(ImVec2(x, bar_y - ui.px(6)), ImVec2(bar_x1, bar_y + ui.px(6)), color::rgb(0x5A, 0x64, 0x6E),
                             ui.px(6));
        float frac = dur > 0 ? static_cast<float>(pos / dur) : 0.f;
        float fx = x + (bar_x1 - x) * std::clamp(frac, 0.f, 1.f);
        ui.dl->AddRectFilled(ImVec2(x, bar_y - ui.px(6)), ImVec2(fx, bar_y + ui.px(6)), color::rgb(0x4F, 0xC3, 0xC9), ui.px(6));
        ui.dl->AddCircleFilled(ImVec2(fx, bar_y), ui.px(14), color::on_primary);
    }
    text(ui, f.bold, ImVec2(ui.ctx.width - ui.px(48) - ts.x, bar_y - ts.y / 2), color::on_primary, times);
}

void resources(Ui& ui, float top) {
    const Fonts& f = ui.ctx.fonts;
    const AppState& st = ui.app.state();
    const Catalog& cat = ui.app.catalog();
    float margin = ui.px(56);
    float w = ui.ctx.width - 2 * margin;
    float y = top + ui.px(32);
    text(ui, f.title, ImVec2(margin, y), color::text, ui.t("resources.title"));
    y += f.title->FontSize + ui.px(20);

    // Category chips (only categories that have entries), wrapping.
    std::vector<std::string> cats = {""};
    for (const auto& c : kResourceCategories)
        for (const auto& r : cat.resources)
            if (r.category == c) {
                cats.push_back(c);
                break;
            }
    float x = margin;
    float chip_h = ui.px(64);
    for (const auto& c : cats) {
        std::string label = c.empty() ? ui.t("resources.all") : ui.t("category." + c);
        float cw = pill_width(ui, label);
        if (x + cw > margin + w) {
            x = margin;
            y += chip_h + ui.px(14);
        }
        bool active = st.category == c;
        if (pill(ui, "category:" + (c.empty() ? std::string("all") : c), ImVec2(x, y), label,
                 active ? color::primary : color::card, active ? color::on_primary : color::text, 0))
            ui.intent(Intent::Kind::set_category, c);
        if (!active)
            ui.dl->AddRect(ImVec2(x, y), ImVec2(x + cw, y + chip_h), color::line, chip_h / 2, 0, ui.px(2));
        x += cw + ui.px(14);
    }
    y += chip_h + ui.px(28);

    begin_scroll(ui, "##resources", ImVec2(margin, y), ImVec2(w, ui.ctx.height - y - ui.px(24)));
    float cy = ImGui::GetCursorScreenPos().y;
    float row_h = ui.px(150);
    for (const Resource& r : cat.resources) {
        if (!st.category.empty() && r.category != st.category) continue;
        ImVec2 p(margin, cy);
        ImVec2 q(margin + w - ui.px(24), cy + row_h);
        bool pressed = false;
        if (tap_area(ui, "resource:" + r.id, p, ImVec2(q.x - p.x, row_h), &pressed))
            ui.intent(Intent::Kind::open_resource, r.id);
        ui.dl->AddRectFilled(p, q, pressed ? color::card_pressed : color::card, ui.px(20));
        ui.dl->AddRect(p, q, color::line, ui.px(20), 0, ui.px(2));
        float tx = p.x + ui.px(36);
        float phone_w = ui.px(380);
        text(ui, f.bold, ImVec2(tx, p.y + ui.px(22)), color::text, r.name, q.x - phone_w);
        std::string tag = ui.t("category." + r.category);
        if (r.national) tag += "  \xc2\xb7  " + ui.t("resources.national");
        if (r.sample) tag += "  \xc2\xb7  " + ui.t("resources.sample");
        text(ui, f.small, ImVec2(tx, p.y + ui.px(28) + f.bold->FontSize), color::primary, tag);
        std::string desc = r.description.get(ui.lang);
        ImGui::PushClipRect(p, ImVec2(q.x - phone_w, q.y - ui.px(8)), true);
        text(ui, f.small, ImVec2(tx, p.y + ui.px(34) + f.bold->FontSize + f.small->FontSize), color::muted, desc,
             q.x - phone_w - ui.px(20));
        ImGui::PopClipRect();
        std::string contact = !r.phone.empty() ? r.phone : !r.sms.empty() ? ui.t("resources.text") + " " + r.sms : "";
        if (!contact.empty()) {
            ImVec2 cs = text_size(f.title, contact);
            text(ui, f.title, ImVec2(q.x - ui.px(40) - cs.x, p.y + (row_h - cs.y) / 2), color::primary, contact);
        }
        cy += row_h + ui.px(16);
    }
    end_scroll(ui, ImVec2(margin, cy));
}

void resource(Ui& ui, float top) {
    const Fonts& f = ui.ctx.fonts;
    const Resource* r = ui.app.catalog().find_resource(ui.app.state().resource_id);
    if (!r) return;
    float margin = ui.px(72);
    float w = ui.ctx.width - 2 * margin;
    float y = top + ui.px(40);
    text(ui, f.huge, ImVec2(margin, y), color::text, r->name, margin + w);
    y += text_size(f.huge, r->name, w).y + ui.px(8);
    std::string tag = ui.t("category." + r->category);
    if (r->national) tag += "  \xc2\xb7  " + ui.t("resources.national");
    if (r->sample) tag += "  \xc2\xb7  " + ui.t("resources.sample");
    text(ui, f.bold, ImVec2(margin, y), color::primary, tag);
    y += f.bold->FontSize + ui.px(24);
    std::string desc = r->description.get(ui.lang);
    text(ui, f.body, ImVec2(margin, y), color::text, desc, margin + w * 0.9f);
    y += text_size(f.body, desc, w * 0.9f).y + ui.px(36);

    auto row = [&](const std::string& label, const std::string& value, ImFont* vf) {
        if (value.empty()) return;
        text(ui, f.small, ImVec2(margin, y), color::muted, label);
        y += f.small->FontSize + ui.px(4);
        text(ui, vf, ImVec2(margin, y), color::text, value, margin + w);
        y += text_size(vf, value, w).y + ui.px(24);
    };
    row(ui.t("resources.call"), r->phone, f.huge);
    row(ui.t("resources.text"), r->sms, f.title);
    row(ui.t("resources.website"), r->website, f.bold);
    row(ui.t("resources.address"), r->address, f.body);
    std::string hours;
    if (r->always_open) hours = ui.t("resources.always_open");
    for (const auto& span : r->hours) {
        std::string days;
        for (const auto& d : span.days) days += (days.empty() ? "" : ", ") + ui.t("day." + d);
        hours += (hours.empty() ? "" : "\n") + days + "   " + span.open + " \xe2\x80\x93 " + span.close;
    }
    row(ui.t("resources.hours"), hours, f.body);
    std::string langs;
    for (const auto& l : r->languages) langs += (langs.empty() ? "" : ", ") + l;
    row(ui.t("resources.languages"), langs, f.body);
}

// --- Training screens (kiosk.mode = "training"): no navigation, only what
// plays, what comes next, alerts, and a sleeping screen outside hours.

// "Now playing / up next" over the video: shown for the first and the last
// seconds of each video, so it covers the captions as little as it can.
void training_lower_third(Ui& ui, const TrainingMode& tm) {
    constexpr double kShowS = 10;
    const TrainingStatus& st = tm.status();
    const Fonts& f = ui.ctx.fonts;
    const Player& pl = ui.app.player();
    if (!st.notice_alert_id.empty()) {
        for (const Alert& a : ui.app.catalog().alerts) {
            if (a.id != st.notice_alert_id) continue;
            float h = ui.px(64);
            ui.dl->AddRectFilled(ImVec2(0, 0), ImVec2(ui.ctx.width, h), color::notice_bg);
            std::string msg = ui.t("training.alert.info") + ":  " + a.title.get(ui.lang);
            text(ui, f.bold, ImVec2(ui.px(48), (h - f.bold->FontSize) / 2), color::notice, msg);
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
    ui.dl->AddRectFilled(ImVec2(x, y), ImVec2(x + w, y + h), color::overlay, ui.px(16));
    ui.dl->AddRectFilled(ImVec2(x, y), ImVec2(x + ui.px(10), y + h), color::rgb(0x4F, 0xC3, 0xC9), ui.px(16),
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
    ImU32 soft = color::rgb(0xC8, 0xE6, 0xE8);
    float ty = y + (h - f.small->FontSize - f.title->FontSize - ui.px(6)) / 2;
    ImGui::PushClipRect(ImVec2(x, y), ImVec2(split - ui.px(24), y + h), true);
    text(ui, f.small, ImVec2(x + ui.px(40), ty), soft, label);
    text(ui, f.title, ImVec2(x + ui.px(40), ty + f.small->FontSize + ui.px(6)), color::on_primary, now->title.get(ui.lang));
    ImGui::PopClipRect();
    if (next && st.count > 1) {
        ui.dl->AddLine(ImVec2(split, y + ui.px(22)), ImVec2(split, y + h - ui.px(22)), color::rgb(0x5A, 0x64, 0x6E), ui.px(2));
        float ny = y + (h - f.small->FontSize - f.bold->FontSize - ui.px(6)) / 2;
        ImGui::PushClipRect(ImVec2(split, y), ImVec2(x + w - ui.px(24), y + h), true);
        text(ui, f.small, ImVec2(split + ui.px(32), ny), soft, ui.t("training.up_next"));
        text(ui, f.bold, ImVec2(split + ui.px(32), ny + f.small->FontSize + ui.px(6)), color::on_primary,
             next->title.get(ui.lang));
        ImGui::PopClipRect();
    }
}

// An alert that has the screen: severity, title, body, pinned resources.
void training_alert(Ui& ui, const TrainingMode& tm) {
    const TrainingStatus& st = tm.status();
    const Fonts& f = ui.ctx.fonts;
    const Alert* alert = nullptr;
    for (const Alert& a : ui.app.catalog().alerts)
        if (a.id == st.alert_id) alert = &a;
    if (!alert) return;
    bool emergency = alert->severity == "emergency";
    ImU32 bg = emergency ? color::accent : color::notice_bg;
    ImU32 fg = emergency ? color::on_primary : color::notice;
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
        }
        y += std::max(f.title->FontSize, text_size(f.bold, r->name, w * 0.6f).y) + ui.px(28);
    }
    if (st.other_alerts > 0)
        text(ui, f.small, ImVec2(m, ui.ctx.height - ui.px(80)), fg,
             "+" + std::to_string(st.other_alerts) + " " + ui.t("training.more_alerts"));
}

// Outside screen hours (if the display did not switch off), or nothing to play.
void training_idle(Ui& ui, const TrainingMode& tm) {
    const TrainingStatus& st = tm.status();
    const Fonts& f = ui.ctx.fonts;
    bool asleep = st.mode == TrainingStatus::Mode::asleep;
    ui.dl->AddRectFilled(ImVec2(0, 0), ImVec2(ui.ctx.width, ui.ctx.height), asleep ? color::rgb(0x0B, 0x12, 0x18) : color::header);
    std::string title = asleep ? ui.t("training.asleep") : ui.t("training.nothing");
    std::string sub;
    if (asleep && st.asleep_until) {
        LocalTime l = tm.schedule().zone().to_local(*st.asleep_until);
        sub = ui.t("training.back_at") + ": " + ui.t("day." + std::string(weekday_name(l.weekday))) + " " +
              format_hhmm(l.minute_of_day);
    }
    ImVec2 ts = text_size(f.title, title);
    float cy = ui.ctx.height / 2 - ts.y;
    ImU32 dim = color::rgb(0x9A, 0xA8, 0xB2);
    text(ui, f.title, ImVec2((ui.ctx.width - ts.x) / 2, cy), asleep ? dim : color::on_primary, title);
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
    bool on_player = st.screen == Screen::player;
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(ctx.width, ctx.height));
    ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                             ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse;
    if (on_player) flags |= ImGuiWindowFlags_NoBackground;
    ImGui::Begin("##screen", nullptr, flags);
    Ui ui{app, ctx, out, ImGui::GetWindowDrawList(), st.language};
    if (const TrainingMode* tm = app.training()) {
        training_screen(ui, *tm);
    } else if (on_player) {
        player(ui);
    } else {
        float y = header(ui);
        y = notice_bar(ui, y);
        switch (st.screen) {
            case Screen::home: home(ui, y); break;
            case Screen::course: course(ui, y); break;
            case Screen::resources: resources(ui, y); break;
            case Screen::resource: resource(ui, y); break;
            case Screen::player: break;
        }
    }
    ImGui::End();
}

}  // namespace lasr::ui
