#include "kiosk/ctl/captions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "kiosk/ctl/text_layout.hpp"

namespace lasr::ctl {
namespace {

constexpr double kLeadIn = 0.5;    // before the first cue
constexpr double kTail = 0.5;      // after the last cue
constexpr double kGap = 0.25;      // between cues
constexpr size_t kMinWeight = 20;  // so a short cue still stays up long enough to read
constexpr size_t kLineChars = 42;  // the usual caption line length

std::string escape_vtt(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '\n': case '\r': out += ' '; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace

std::vector<CueTime> spread_cues(const std::vector<size_t>& weights, double duration_s) {
    std::vector<CueTime> out;
    if (weights.empty() || !(duration_s > 0)) return out;
    double lead = std::min(kLeadIn, duration_s * 0.05);
    double tail = std::min(kTail, duration_s * 0.05);
    double gap = std::min(kGap, duration_s * 0.02);
    double available = duration_s - lead - tail - gap * static_cast<double>(weights.size() - 1);
    std::vector<double> w;
    for (size_t x : weights) w.push_back(static_cast<double>(std::max(x, kMinWeight)));
    double sum = std::accumulate(w.begin(), w.end(), 0.0);
    double t = lead;
    for (double wi : w) {
        double len = available * wi / sum;
        // Millisecond resolution, as written in the file.
        double start = std::round(t * 1000) / 1000;
        double end = std::round((t + len) * 1000) / 1000;
        out.push_back({start, end});
        t += len + gap;
    }
    return out;
}

std::string vtt_timestamp(double seconds) {
    if (!(seconds > 0)) seconds = 0;
    auto ms = static_cast<long long>(std::llround(seconds * 1000));
    long long h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, frac = ms % 1000;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%03lld", h, m, s, frac);
    return buf;
}

std::string to_webvtt(const std::vector<Cue>& cues) {
    std::string out = "WEBVTT\n";
    size_t n = 0;
    for (const auto& c : cues) {
        out += "\n" + std::to_string(++n) + "\n";
        out += vtt_timestamp(c.start) + " --> " + vtt_timestamp(c.end) + "\n";
        auto lines = wrap_balanced(escape_vtt(c.text), kLineChars);
        if (lines.size() > 2) lines = wrap_balanced(escape_vtt(c.text), (utf8_length(c.text) + 1) / 2 + 8);
        for (const auto& l : lines) out += l + "\n";
    }
    return out;
}

std::string to_transcript(std::string_view title, const std::vector<Cue>& cues) {
    std::string out(title);
    out += "\n\n";
    std::string body;
    for (const auto& c : cues) {
        if (!body.empty()) body += ' ';
        body += c.text;
    }
    return out + body + "\n";
}

}  // namespace lasr::ctl
