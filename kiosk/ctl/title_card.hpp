// A designed title card video made with ffmpeg: a calm, slowly drifting
// two-colour gradient with soft light circles moving across it, the course
// name small at the top, the title big and centred with its translation
// below, a footer line, and a quiet sine tone that swells gently.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"

namespace lasr::ctl {

struct TitleCard {
    std::string eyebrow;   // small, at the top (the course)
    std::string title;     // big, centred
    std::string subtitle;  // smaller, below the title (the title in a second language)
    std::string footer;    // small, at the bottom
    std::string color_a = "0x0f3d4c";  // gradient colours (ffmpeg colour syntax)
    std::string color_b = "0x2a6f83";
    int tone_hz = 220;
    double duration_s = 10;
    int width = 1280;
    int height = 720;
    int fps = 25;
    int variation = 0;  // shifts the drifting shapes so cards differ
};

// Where a title card's text ends, as a fraction of its height (the footer,
// small at the very bottom, aside): below it is where captions go.
inline constexpr double kTitleCardTextBottom = 0.60;

struct Fonts {
    std::string bold;
    std::string regular;
};

// Noto Sans, else DejaVu Sans (fonts-noto-core / fonts-dejavu-core).
Result<Fonts> find_fonts();

// Escapes text for a drawtext `text=` value inside a -filter_complex graph:
// first for the filter's option parser (\ ' :), then for the graph parser
// (\ ' [ ] , ;). Use with expansion=none so '%' needs nothing.
std::string escape_drawtext(std::string_view text);

// The full ffmpeg command line (argv[0] = `ffmpeg`) that renders `card` to
// an H.264/AAC MP4 at `out` (yuv420p, faststart, veryfast preset).
std::vector<std::string> title_card_command(const TitleCard& card, const Fonts& fonts, const std::filesystem::path& out,
                                            const std::string& ffmpeg = "ffmpeg");

// The ffmpeg command line that grabs one frame at `at_s` from `video` as a
// thumbnail of width x height.
std::vector<std::string> thumbnail_command(const std::filesystem::path& video, const std::filesystem::path& out,
                                           double at_s, int width = 320, int height = 180,
                                           const std::string& ffmpeg = "ffmpeg");

}  // namespace lasr::ctl
