#include "tests/support/gl_offscreen.hpp"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#define GL_GLEXT_PROTOTYPES
#include <GL/gl.h>
#include <GL/glext.h>

#include <cstring>

namespace lasr::test {

struct OffscreenGl::Egl {
    EGLDisplay display = EGL_NO_DISPLAY;
    EGLContext context = EGL_NO_CONTEXT;
};

void* OffscreenGl::get_proc_address(void*, const char* name) {
    return reinterpret_cast<void*>(eglGetProcAddress(name));
}

std::unique_ptr<OffscreenGl> OffscreenGl::create(int width, int height, std::string* why) {
    auto fail = [&](const std::string& what) -> std::unique_ptr<OffscreenGl> {
        if (why) *why = what;
        return nullptr;
    };
    auto query_devices = reinterpret_cast<PFNEGLQUERYDEVICESEXTPROC>(eglGetProcAddress("eglQueryDevicesEXT"));
    auto query_string = reinterpret_cast<PFNEGLQUERYDEVICESTRINGEXTPROC>(eglGetProcAddress("eglQueryDeviceStringEXT"));
    auto platform_display =
        reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(eglGetProcAddress("eglGetPlatformDisplayEXT"));
    if (!query_devices || !query_string || !platform_display) return fail("EGL has no device enumeration");
    EGLDeviceEXT devices[16];
    EGLint n = 0;
    if (!query_devices(16, devices, &n)) return fail("eglQueryDevicesEXT failed");
    std::unique_ptr<OffscreenGl> gl(new OffscreenGl());
    gl->egl_ = std::make_unique<Egl>();
    for (EGLint i = 0; i < n && gl->egl_->display == EGL_NO_DISPLAY; ++i) {
        const char* ext = query_string(devices[i], EGL_EXTENSIONS);
        if (ext && std::strstr(ext, "EGL_MESA_device_software"))
            gl->egl_->display = platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i], nullptr);
    }
    EGLDisplay d = gl->egl_->display;
    if (d == EGL_NO_DISPLAY) return fail("no software EGL device (Mesa llvmpipe)");
    EGLint major = 0, minor = 0;
    if (!eglInitialize(d, &major, &minor)) return fail("eglInitialize failed");
    eglBindAPI(EGL_OPENGL_API);
    EGLint attrs[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 0, EGL_NONE};
    gl->egl_->context = eglCreateContext(d, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, attrs);
    if (gl->egl_->context == EGL_NO_CONTEXT) return fail("eglCreateContext failed");
    if (!eglMakeCurrent(d, EGL_NO_SURFACE, EGL_NO_SURFACE, gl->egl_->context)) return fail("eglMakeCurrent failed");

    gl->width_ = width;
    gl->height_ = height;
    glGenTextures(1, &gl->texture_);
    glBindTexture(GL_TEXTURE_2D, gl->texture_);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glGenFramebuffers(1, &gl->fbo_);
    glBindFramebuffer(GL_FRAMEBUFFER, gl->fbo_);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, gl->texture_, 0);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) return fail("framebuffer incomplete");
    glGenFramebuffers(1, &gl->broken_fbo_);
    glBindFramebuffer(GL_FRAMEBUFFER, gl->broken_fbo_);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    return gl;
}

OffscreenGl::~OffscreenGl() {
    if (!egl_ || egl_->display == EGL_NO_DISPLAY) return;
    if (egl_->context != EGL_NO_CONTEXT) {
        if (fbo_) glDeleteFramebuffers(1, &fbo_);
        if (broken_fbo_) glDeleteFramebuffers(1, &broken_fbo_);
        if (texture_) glDeleteTextures(1, &texture_);
        eglMakeCurrent(egl_->display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        eglDestroyContext(egl_->display, egl_->context);
    }
    eglTerminate(egl_->display);
}

std::array<uint8_t, 3> OffscreenGl::pixel(int x, int y) const {
    unsigned char px[4] = {0, 0, 0, 0};
    GLint previous = 0;
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &previous);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    // GL rows count from the bottom (the player draws for a window, FLIP_Y).
    glReadPixels(x, height_ - 1 - y, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, px);
    glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previous));
    return {px[0], px[1], px[2]};
}

std::vector<uint8_t> OffscreenGl::texture_rgba(unsigned texture, int width, int height) const {
    GLint previous = 0;
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &previous);
    GLuint fbo = 0;
    glGenFramebuffers(1, &fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture, 0);
    std::vector<uint8_t> px;
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE) {
        px.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 4);
        glPixelStorei(GL_PACK_ALIGNMENT, 1);
        glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
    }
    glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previous));
    glDeleteFramebuffers(1, &fbo);
    return px;
}

bool OffscreenGl::is_texture(unsigned texture) { return glIsTexture(texture) == GL_TRUE; }

}  // namespace lasr::test
