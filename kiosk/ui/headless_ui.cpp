#include "kiosk/ui/headless_ui.hpp"

#include <imgui.h>

#include "kiosk/ui/theme.hpp"

#include <chrono>
#include <cfloat>

namespace lasr::ui {

struct HeadlessUi::Impl {
    ImGuiContext* ctx = nullptr;
    FontSet fonts;
    float w = 0, h = 0, scale = 1;
    ImVec2 mouse{-FLT_MAX, -FLT_MAX};
    bool down = false;
};

HeadlessUi::HeadlessUi(int width, int height) : impl_(std::make_unique<Impl>()) {
    impl_->ctx = ImGui::CreateContext();
    ImGui::SetCurrentContext(impl_->ctx);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
    impl_->w = static_cast<float>(width);
    impl_->h = static_cast<float>(height);
    impl_->scale = height > width ? impl_->w / 1080.f : std::min(impl_->w / 1920.f, impl_->h / 1080.f);
    impl_->fonts = load_fonts(impl_->scale, true);
    apply_style(impl_->scale);
    unsigned char* px = nullptr;
    int tw = 0, th = 0;
    io.Fonts->GetTexDataAsRGBA32(&px, &tw, &th);  // builds the atlas; nothing draws it
}

HeadlessUi::~HeadlessUi() { ImGui::DestroyContext(impl_->ctx); }

FrameOutput HeadlessUi::frame(const App& app, double now) {
    ImGui::SetCurrentContext(impl_->ctx);
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = 1.f / 60.f;
    io.MousePos = impl_->mouse;
    io.MouseDown[0] = impl_->down;
    ImGui::NewFrame();
    const Fonts& f = app.state().large_text ? impl_->fonts.large : impl_->fonts.normal;
    ViewContext ctx{f, palette(app.state().high_contrast), impl_->scale, impl_->w, impl_->h, true, now, 0, 12 * 60, nullptr};
    FrameOutput out;
    draw_screen(app, ctx, out);
    ImGui::Render();
    last_ = out;
    return out;
}

std::vector<Intent> HeadlessUi::tap(const App& app, const std::string& id, double now) {
    auto it = last_.targets.find(id);
    if (it == last_.targets.end()) return {};
    impl_->mouse = ImVec2(it->second.x + it->second.w / 2, it->second.y + it->second.h / 2);
    std::vector<Intent> intents;
    for (bool down : {false, true, false}) {
        impl_->down = down;
        auto out = frame(app, now);
        intents.insert(intents.end(), out.intents.begin(), out.intents.end());
    }
    impl_->mouse = ImVec2(-FLT_MAX, -FLT_MAX);
    return intents;
}

std::vector<double> HeadlessUi::drag(const App& app, float x, float y, float dy, int steps, double now) {
    std::vector<double> ms;
    impl_->mouse = ImVec2(x, y);
    impl_->down = true;
    frame(app, now);
    for (int i = 0; i < steps; ++i) {
        impl_->mouse.y += dy / static_cast<float>(steps);
        auto t0 = std::chrono::steady_clock::now();
        frame(app, now);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    impl_->down = false;
    frame(app, now);
    impl_->mouse = ImVec2(-FLT_MAX, -FLT_MAX);
    return ms;
}

}  // namespace lasr::ui
