#include "kiosk/ctl/caption_check.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>

#include "kiosk/ctl/text_clean.hpp"

namespace lasr::ctl {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::string cur;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\r') {
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
            lines.push_back(std::move(cur));
            cur.clear();
        } else if (c == '\n') {
            lines.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) lines.push_back(std::move(cur));
    return lines;
}

// "01:02:03.456", "02:03.456" (WebVTT) or "01:02:03,456" (SRT), in seconds.
std::optional<double> parse_timestamp(std::string_view s) {
    std::string t = trim(s);
    int parts[4] = {0, 0, 0, 0};
    int n = 0;
    size_t i = 0;
    while (n < 3) {
        size_t start = i;
        long v = 0;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9') v = v * 10 + (t[i++] - '0');
        if (i == start || i - start > 3) return std::nullopt;
        parts[n++] = static_cast<int>(v);
        if (i < t.size() && t[i] == ':') {
            ++i;
            continue;
        }
        break;
    }
    if (n < 2 || i >= t.size() || (t[i] != '.' && t[i] != ',')) return std::nullopt;
    ++i;
    size_t start = i;
    int ms = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ms = ms * 10 + (t[i++] - '0');
    if (i - start != 3 || i != t.size()) return std::nullopt;
    int h = n == 3 ? parts[0] : 0, m = n == 3 ? parts[1] : parts[0], sec = n == 3 ? parts[2] : parts[1];
    if (m > 59 || sec > 59) return std::nullopt;
    return h * 3600.0 + m * 60.0 + sec + ms / 1000.0;
}

// SRT markup to WebVTT: <b> <i> <u> stay, <font ...> and other tags go,
// a bare & or < is escaped.
std::string srt_text_to_vtt(std::string_view in) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '<') {
            size_t close = in.find('>', i);
            if (close != std::string_view::npos) {
                std::string tag = ascii_lower(in.substr(i, close - i + 1));
                if (tag == "<b>" || tag == "</b>" || tag == "<i>" || tag == "</i>" || tag == "<u>" || tag == "</u>")
                    out += tag;
                else if (tag.rfind("<font", 0) != 0 && tag != "</font>")
                    out += "&lt;" + std::string(in.substr(i + 1, close - i - 1)) + "&gt;";
                i = close;
                continue;
            }
            out += "&lt;";
        } else if (c == '&') {
            size_t semi = in.find(';', i);
            bool entity = semi != std::string_view::npos && semi - i <= 8 && semi > i + 1;
            for (size_t k = i + 1; entity && k < semi; ++k)
                entity = std::isalnum(static_cast<unsigned char>(in[k])) || in[k] == '#';
            out += entity ? "&" : "&amp;";
        } else if (c == '>') {
            out += "&gt;";
        } else {
            out += c;
        }
    }
    return out;
}

std::string at(const std::string& name, size_t line) { return name + " line " + std::to_string(line) + ": "; }

}  // namespace

CaptionCheck check_captions(std::string_view bytes, const std::string& name, double duration_s) {
    CaptionCheck out;
    auto dec = decode_text(bytes, name);
    if (!dec) {
        out.problems.push_back(dec.error().message);
        return out;
    }
    if (dec->from_windows_1252)
        out.warnings.push_back(name + ": not UTF-8; read as Windows-1252 and converted (save captions as UTF-8)");
    std::vector<std::string> lines = split_lines(dec->text);
    bool vtt = !lines.empty() && lines[0].rfind("WEBVTT", 0) == 0 &&
               (lines[0].size() == 6 || lines[0][6] == ' ' || lines[0][6] == '\t');
    out.srt = !vtt;
    if (!vtt && ascii_lower(name).find(".srt") == std::string::npos) {
        bool arrow = dec->text.find("-->") != std::string::npos;
        if (!arrow) {
            out.problems.push_back(name + ": not WebVTT (no WEBVTT header) and not SRT (no cue timings)");
            return out;
        }
    }
    size_t i = vtt ? 1 : 0;
    // WebVTT: header lines up to the first blank line.
    if (vtt)
        while (i < lines.size() && !trim(lines[i]).empty()) ++i;
    double last_start = -1;
    while (i < lines.size()) {
        while (i < lines.size() && trim(lines[i]).empty()) ++i;
        if (i >= lines.size()) break;
        size_t block = i;
        std::vector<size_t> idx;
        while (i < lines.size() && !trim(lines[i]).empty()) idx.push_back(i++);
        const std::string& first = lines[idx[0]];
        if (vtt && (first.rfind("NOTE", 0) == 0 || first.rfind("STYLE", 0) == 0 || first.rfind("REGION", 0) == 0))
            continue;
        // The timing line: the first or (after an identifier / SRT number) the second.
        size_t t = lines[idx[0]].find("-->") != std::string::npos ? 0 : 1;
        if (t >= idx.size() || lines[idx[t]].find("-->") == std::string::npos) {
            out.problems.push_back(at(name, block + 1) + "a cue without a timing line (00:00:01.000 --> 00:00:03.000)");
            continue;
        }
        const std::string& timing = lines[idx[t]];
        size_t arrow = timing.find("-->");
        std::string end_part = trim(timing.substr(arrow + 3));
        if (auto sp = end_part.find_first_of(" \t"); sp != std::string::npos) end_part.resize(sp);  // cue settings
        auto start = parse_timestamp(timing.substr(0, arrow));
        auto end = parse_timestamp(end_part);
        size_t lineno = idx[t] + 1;
        if (!start || !end) {
            out.problems.push_back(at(name, lineno) + "timestamps that do not parse: \"" + trim(timing) + "\"");
            continue;
        }
        if (*end <= *start)
            out.problems.push_back(at(name, lineno) + "the cue ends (" + vtt_timestamp(*end) + ") before it starts (" +
                                   vtt_timestamp(*start) + ")");
        if (*start < last_start)
            out.problems.push_back(at(name, lineno) + "cues out of order: " + vtt_timestamp(*start) + " comes after " +
                                   vtt_timestamp(last_start));
        if (duration_s > 0 && *end > duration_s + kCueOverrunS)
            out.problems.push_back(at(name, lineno) + "the cue ends at " + vtt_timestamp(*end) +
                                   ", after the video's end (" + vtt_timestamp(duration_s) + ")");
        last_start = std::max(last_start, *start);
        std::string text;
        for (size_t k = t + 1; k < idx.size(); ++k) text += (text.empty() ? "" : "\n") + lines[idx[k]];
        Cleaned c = clean_text(text, 2000, true);
        out.cues.push_back({*start, *end, out.srt ? srt_text_to_vtt(c.text) : c.text});
    }
    if (out.cues.empty() && out.problems.empty()) out.problems.push_back(name + ": no cues");
    if (!out.problems.empty()) return out;
    if (vtt && !dec->from_windows_1252 && !dec->had_bom) {
        out.webvtt.assign(bytes);  // as written: styling and settings kept
    } else if (vtt) {
        out.webvtt = dec->text;
    } else {
        out.webvtt = "WEBVTT\n";
        size_t n = 0;
        for (const auto& c : out.cues)
            out.webvtt += "\n" + std::to_string(++n) + "\n" + vtt_timestamp(c.start) + " --> " + vtt_timestamp(c.end) +
                          "\n" + c.text + "\n";
    }
    return out;
}

std::string cue_plain_text(std::string_view in) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '<') {
            size_t close = in.find('>', i);
            if (close == std::string_view::npos) break;
            i = close;
            continue;
        }
        if (c == '&') {
            static const std::pair<std::string_view, std::string_view> ents[] = {
                {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&nbsp;", " "}, {"&lrm;", ""}, {"&rlm;", ""}};
            bool done = false;
            for (const auto& [e, v] : ents)
                if (in.substr(i, e.size()) == e) {
                    out += v;
                    i += e.size() - 1;
                    done = true;
                    break;
                }
            if (done) continue;
        }
        out += c == '\n' ? ' ' : c;
    }
    return trim(out);
}

std::string transcript_from_captions(std::string_view title, const std::vector<Cue>& cues) {
    std::vector<Cue> plain;
    for (const auto& c : cues) plain.push_back({c.start, c.end, cue_plain_text(c.text)});
    return to_transcript(title, plain);
}

}  // namespace lasr::ctl
