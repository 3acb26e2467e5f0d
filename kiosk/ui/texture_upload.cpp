#include "kiosk/ui/texture_upload.hpp"

#include <GL/gl.h>

#include <algorithm>

namespace lasr::ui {

namespace {
// Leaves the texture binding as it was: ImGui and mpv bind their own.
struct KeepBinding {
    GLint previous = 0;
    KeepBinding() { glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous); }
    ~KeepBinding() { glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous)); }
};
}  // namespace

BandedTextureUpload::BandedTextureUpload(const unsigned char* rgba, int width, int height, int rows_per_band)
    : rgba_(rgba), width_(width), height_(height), rows_per_band_(std::max(1, rows_per_band)) {
    KeepBinding keep;
    GLuint t = 0;
    glGenTextures(1, &t);
    texture_ = t;
    glBindTexture(GL_TEXTURE_2D, t);
    // As ImGui's OpenGL backend sets its font texture.
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width_, height_, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
}

BandedTextureUpload::~BandedTextureUpload() {
    if (texture_) {
        GLuint t = texture_;
        glDeleteTextures(1, &t);
    }
}

bool BandedTextureUpload::step() {
    if (done() || !texture_) return done();
    KeepBinding keep;
    int rows = std::min(rows_per_band_, height_ - next_row_);
    glBindTexture(GL_TEXTURE_2D, texture_);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, next_row_, width_, rows, GL_RGBA, GL_UNSIGNED_BYTE,
                    rgba_ + static_cast<size_t>(next_row_) * static_cast<size_t>(width_) * 4);
    next_row_ += rows;
    ++bands_;
    return done();
}

unsigned BandedTextureUpload::take() {
    if (!done()) return 0;
    unsigned t = texture_;
    texture_ = 0;
    return t;
}

}  // namespace lasr::ui
