// Caption cues: timing, WebVTT and plain-text transcripts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lasr::ctl {

struct Cue {
    double start = 0;  // seconds
    double end = 0;
    std::string text;
};

struct CueTime {
    double start = 0;
    double end = 0;
};

// Spreads cues over a video of `duration_s`: the first starts after a short
// lead-in, the last ends shortly before the end, small gaps between, and
// each cue's time is proportional to its weight (its length in characters),
// so reading speed is even. Empty when there are no weights.
std::vector<CueTime> spread_cues(const std::vector<size_t>& weights, double duration_s);

// "00:00:03.250"
std::string vtt_timestamp(double seconds);

// A WebVTT file: "WEBVTT", then numbered cues with their text escaped
// (&, <, >) and wrapped to at most two balanced lines of ~42 characters.
std::string to_webvtt(const std::vector<Cue>& cues);

// The plain-text transcript: the title, a blank line, the cues joined.
std::string to_transcript(std::string_view title, const std::vector<Cue>& cues);

}  // namespace lasr::ctl
