// A large RGBA image (the large-text font atlas: 2048 x ~2900, 24 MB) copied
// into a new OpenGL texture a band of rows at a time, one band per turn of
// the UI loop, so no frame waits for the whole copy (on a software renderer
// the copy in one piece held a frame for ~60 ms). The caller keeps the
// pixels alive until done() and keeps drawing with what it had meanwhile.
//
// Thread rules: every call on the thread whose OpenGL context is current.
#pragma once

#include <cstdint>

namespace lasr::ui {

class BandedTextureUpload {
public:
    // Creates the texture (no pixels yet). rows_per_band >= 1.
    BandedTextureUpload(const unsigned char* rgba, int width, int height, int rows_per_band);
    ~BandedTextureUpload();  // deletes the texture unless it was taken
    BandedTextureUpload(const BandedTextureUpload&) = delete;
    BandedTextureUpload& operator=(const BandedTextureUpload&) = delete;

    // Copies the next band. Returns done().
    bool step();
    bool done() const { return next_row_ >= height_; }
    int bands_uploaded() const { return bands_; }
    // The texture being filled (rows not uploaded yet hold nothing defined).
    unsigned texture() const { return texture_; }
    // The finished texture, now the caller's to delete (0 before done()).
    unsigned take();

private:
    const unsigned char* rgba_;
    int width_, height_, rows_per_band_;
    int next_row_ = 0;
    int bands_ = 0;
    unsigned texture_ = 0;
};

}  // namespace lasr::ui
