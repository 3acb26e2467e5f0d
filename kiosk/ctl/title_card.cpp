#include "kiosk/ctl/title_card.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "kiosk/ctl/text_layout.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;

std::string escape_chars(std::string_view s, std::string_view specials) {
    std::string out;
    out.reserve(s.size() + 8);
    for (char c : s) {
        if (specials.find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

// Locale-independent number formatting for filter arguments.
std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

int px(double v) { return static_cast<int>(std::lround(v)); }

bool readable(const std::string& p) { return ::access(p.c_str(), R_OK) == 0; }

// One line of text. `baseline` puts every line's baseline at a fixed height,
// whatever its glyphs (drawtext's y is the top of the tallest glyph).
std::string drawtext(const std::string& font, const std::string& text, int size, const std::string& color, int baseline,
                     bool shadow = false) {
    std::string f = "drawtext=fontfile=" + escape_drawtext(font) + ":expansion=none:text=" + escape_drawtext(text) +
                    ":fontsize=" + std::to_string(size) + ":fontcolor=" + color +
                    ":x=(w-text_w)/2:y=" + std::to_string(baseline) + "-max_glyph_a";
    if (shadow) f += ":shadowcolor=black@0.35:shadowx=2:shadowy=2";
    return f;
}

}  // namespace

Result<Fonts> find_fonts() {
    const char* bold[] = {"/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
                          "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"};
    const char* regular[] = {"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
                             "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"};
    Fonts f;
    for (const char* p : bold)
        if (f.bold.empty() && readable(p)) f.bold = p;
    for (const char* p : regular)
        if (f.regular.empty() && readable(p)) f.regular = p;
    if (f.bold.empty() || f.regular.empty())
        return make_error(Domain::system, Errc::unavailable,
                          "no font for title cards: install fonts-noto-core or fonts-dejavu-core");
    return f;
}

std::string escape_drawtext(std::string_view text) {
    return escape_chars(escape_chars(text, "\\':"), "\\'[],;");
}

std::vector<std::string> title_card_command(const TitleCard& c, const Fonts& fonts, const fs::path& out,
                                            const std::string& ffmpeg) {
    const int W = c.width, H = c.height;
    const double h = H;
    const std::string dur = num(c.duration_s);

    // The background is all soft shapes, so it is drawn at a quarter of the
    // size and scaled up: the same picture for a sixteenth of the work.
    const int bw = std::max(16, W / 4), bh = std::max(16, H / 4);
    const double bhd = bh;
    // A two-colour gradient turning slowly about the centre.
    std::string bg = "gradients=s=" + std::to_string(bw) + "x" + std::to_string(bh) + ":r=" + std::to_string(c.fps) +
                     ":d=" + dur + ":c0=" + c.color_a + ":c1=" + c.color_b + ":x0=0:y0=0:x1=" + std::to_string(bw) +
                     ":y1=" + std::to_string(bh) + ":speed=0.005:seed=1";  // a fixed seed: same source, same bytes
    // A soft disc of light, rendered once and reused for every frame.
    const int d = px(bhd * 2 / 3), r = d / 2;
    std::string disc = "color=c=white:s=" + std::to_string(d) + "x" + std::to_string(d) + ":d=1,format=rgba,geq=r=255:g=255:b=255:a='34*max(0\\," +
                       "1-hypot(X-" + std::to_string(r) + "\\,Y-" + std::to_string(r) + ")/" + std::to_string(r) + ")'";
    // A soft tone (peaks near -27 dBFS) with a slow swell, faded in and out.
    std::string tone = "sine=f=" + std::to_string(c.tone_hz) + ":sample_rate=48000:d=" + dur +
                       ",volume=0.35,tremolo=f=0.25:d=0.35,afade=t=in:d=1.5,afade=t=out:st=" +
                       num(std::max(0.0, c.duration_s - 2)) + ":d=2";

    // Layout, all relative to the height so --quick looks the same, smaller.
    const int bar_h = px(h * 0.14);
    const int eyebrow_size = px(h * 0.034);
    const int title_size = px(h * 0.083);
    const int sub_size = px(h * 0.047);
    const int footer_size = px(h * 0.028);
    const double title_lh = title_size * 1.22, sub_lh = sub_size * 1.32;
    const double gap = h * 0.045;
    const int rule_w = px(h * 0.11), rule_h = std::max(2, px(h / 300));

    auto title_lines = wrap_balanced(c.title, 26);
    auto sub_lines = wrap_balanced(c.subtitle, 48);
    double block = static_cast<double>(title_lines.size()) * title_lh;
    if (!sub_lines.empty()) block += 2 * gap + rule_h + static_cast<double>(sub_lines.size()) * sub_lh;
    // The lower third is the captions': the kiosk raises them to ~0.65 of
    // the height over its attract band and keeps them above ~0.85 in the
    // player. The block is centred between the top bar and 0.60 of the
    // height (centred on the screen, a subtitle line sat under the
    // captions); one too tall for that starts under the bar.
    const double area_top = bar_h + gap, area_bottom = h * kTitleCardTextBottom;
    double top = std::max(area_top, (area_top + area_bottom) / 2 - block / 2);

    const double ph = c.variation * 1.7;  // phase, so neighbouring cards move differently
    std::string g = "[1:v]loop=loop=-1:size=1,split[d1][d2];";
    g += "[0:v][d1]overlay=x='W*0.60+" + num(bhd * 0.09) + "*sin(t*0.33+" + num(ph) + ")':y='-H*0.05+" + num(bhd * 0.06) +
         "*cos(t*0.27+" + num(ph) + ")':shortest=1[b1];";
    g += "[b1][d2]overlay=x='-W*0.14+" + num(bhd * 0.07) + "*cos(t*0.21+" + num(ph) + ")':y='H*0.42+" + num(bhd * 0.07) +
         "*sin(t*0.29+" + num(ph) + ")':shortest=1,";
    g += "scale=" + std::to_string(W) + ":" + std::to_string(H) + ":flags=bicubic,format=yuv420p,";
    g += "drawbox=x=0:y=0:w=iw:h=" + std::to_string(bar_h) + ":color=black@0.20:t=fill,";
    if (!c.eyebrow.empty())
        g += drawtext(fonts.regular, ascii_upper(c.eyebrow), eyebrow_size, "white@0.88", px(bar_h / 2.0 + eyebrow_size * 0.36)) + ",";
    double y = top;
    for (const auto& line : title_lines) {
        g += drawtext(fonts.bold, line, title_size, "white", px(y + title_size * 0.92), true) + ",";
        y += title_lh;
    }
    if (!sub_lines.empty()) {
        y += gap;
        g += "drawbox=x=" + std::to_string((W - rule_w) / 2) + ":y=" + std::to_string(px(y)) + ":w=" +
             std::to_string(rule_w) + ":h=" + std::to_string(rule_h) + ":color=white@0.55:t=fill,";
        y += rule_h + gap;
        for (const auto& line : sub_lines) {
            g += drawtext(fonts.regular, line, sub_size, "0xe8f1f3", px(y + sub_size * 0.92)) + ",";
            y += sub_lh;
        }
    }
    if (!c.footer.empty()) g += drawtext(fonts.regular, c.footer, footer_size, "white@0.72", px(h * 0.935)) + ",";
    g.back() = '[';  // every step above ends with ','
    g += "v]";

    return {ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", bg,
            "-f", "lavfi", "-i", disc,
            "-f", "lavfi", "-i", tone,
            "-filter_complex", g,
            "-map", "[v]", "-map", "2:a",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "22", "-pix_fmt", "yuv420p",
            "-r", std::to_string(c.fps), "-g", std::to_string(c.fps * 2),
            "-c:a", "aac", "-b:a", "64k", "-ac", "2",
            "-t", dur, "-movflags", "+faststart",
            "-metadata", "title=" + c.title,
            out.string()};
}

std::vector<std::string> thumbnail_command(const fs::path& video, const fs::path& out, double at_s, int width,
                                           int height, const std::string& ffmpeg) {
    return {ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-ss", num(at_s), "-i", video.string(),
            "-frames:v", "1", "-vf", "scale=" + std::to_string(width) + ":" + std::to_string(height) + ":flags=lanczos",
            "-q:v", "3", out.string()};
}

}  // namespace lasr::ctl
