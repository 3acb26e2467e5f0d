// An OpenGL context with no window and no display: Mesa's software device
// through EGL (EGL_MESA_device_software), rendering into framebuffer
// objects. Lets tests draw real libmpv frames and read the pixels back.
// The only test code that includes EGL and GL.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lasr::test {

class OffscreenGl {
public:
    // A context with a w x h colour framebuffer, current on this thread.
    // Null (and `why` says why) where EGL has no software device.
    static std::unique_ptr<OffscreenGl> create(int width, int height, std::string* why = nullptr);
    ~OffscreenGl();
    OffscreenGl(const OffscreenGl&) = delete;
    OffscreenGl& operator=(const OffscreenGl&) = delete;

    // For Player::attach_renderer.
    static void* get_proc_address(void* ctx, const char* name);

    int fbo() const { return static_cast<int>(fbo_); }
    // A framebuffer with nothing attached: drawing into it is an OpenGL error.
    int broken_fbo() const { return static_cast<int>(broken_fbo_); }
    int width() const { return width_; }
    int height() const { return height_; }
    // The RGB colour at (x, y) of fbo(), y counted from the top.
    std::array<uint8_t, 3> pixel(int x, int y) const;
    // A texture's RGBA pixels, row by row from its first row (empty on error).
    std::vector<uint8_t> texture_rgba(unsigned texture, int width, int height) const;
    static bool is_texture(unsigned texture);

private:
    OffscreenGl() = default;
    struct Egl;
    std::unique_ptr<Egl> egl_;
    unsigned fbo_ = 0, broken_fbo_ = 0, texture_ = 0;
    int width_ = 0, height_ = 0;
};

}  // namespace lasr::test
