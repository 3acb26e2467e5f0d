// Caption files as course providers deliver them: WebVTT or SRT, UTF-8 or
// Windows-1252. Checked (timestamps well formed and in order, no cue past
// the video's end by more than a second) and turned into the UTF-8 WebVTT
// the kiosk plays; their text makes a transcript when none is given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiosk/ctl/captions.hpp"

namespace lasr::ctl {

// How far a cue may end after the video's end (rounding in editors).
inline constexpr double kCueOverrunS = 1.0;

struct CaptionCheck {
    bool srt = false;                   // the source was SRT (converted)
    std::vector<Cue> cues;              // text as written (WebVTT markup kept)
    std::vector<std::string> problems;  // each names the file and line: the file cannot be used
    std::vector<std::string> warnings;  // used, but changed (converted from Windows-1252)
    std::string webvtt;                 // the file to put in the pack (UTF-8 WebVTT)
};

// Checks a caption file (`name` for messages; ".srt" in it, or content that
// is not WebVTT, means SRT). `duration_s` <= 0 skips the duration check.
CaptionCheck check_captions(std::string_view bytes, const std::string& name, double duration_s);

// A cue's text without markup: tags dropped, &amp; &lt; &gt; &nbsp; decoded,
// lines joined with spaces.
std::string cue_plain_text(std::string_view text);

// The transcript for a video from its captions: the title, a blank line, the
// cues' plain text.
std::string transcript_from_captions(std::string_view title, const std::vector<Cue>& cues);

}  // namespace lasr::ctl
