// Videos made kiosk-ready: probed with ffprobe, checked against what the
// kiosks decode well, and converted with ffmpeg when they are not.
//
// Profiles (both at most 1920x1080 and 30 fps, 8-bit 4:2:0, AAC stereo,
// MP4 with the index at the front):
//   h264  H.264 High (libx264, CRF 21): PCs, and a Raspberry Pi 4
//   hevc  HEVC Main, 8-bit (libx265, CRF 24): a Raspberry Pi 5 decodes it in
//         hardware (it has no H.264 decoder; 10-bit HEVC drops frames)
// Frame rates above 30 are halved (60 -> 30, 50 -> 25, 59.94 -> 29.97).
// Sound is loudness-normalised to EBU R128 -16 LUFS integrated, -1.5 dBTP
// true peak, LRA 11 (ffmpeg's loudnorm, one pass), so videos from different
// providers play at the same level.
//
// Converted files are cached by the source's SHA-256 and the profile (and
// the recipe's version), so running `pack` again does not encode again.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"

namespace lasr::ctl {

enum class VideoProfile { h264, hevc };

std::optional<VideoProfile> parse_video_profile(std::string_view name);
std::string_view video_profile_name(VideoProfile p);

inline constexpr double kLoudnessTargetLufs = -16.0;
inline constexpr double kTruePeakDbtp = -1.5;

struct VideoInfo {
    std::string codec;    // "h264", "hevc", "prores", ...
    std::string pix_fmt;  // "yuv420p", "yuv420p10le", ...
    int width = 0, height = 0;
    std::string rate;     // avg_frame_rate as ffprobe writes it, "30000/1001"
    double fps = 0;
    double duration_s = 0;
    bool audio = false;
};

// ffprobe's view of a file; an error when it is not a video.
Result<VideoInfo> probe_video(const std::filesystem::path& file);

// Why a video is outside what the kiosk plays well ("" when it is inside):
// H.264 or HEVC, 8-bit 4:2:0, at most 1920x1080 and 30 fps.
std::string policy_problem(const VideoInfo& info);

// Whether a video already is what `profile` would make (then it is copied).
bool fits_profile(const VideoInfo& info, VideoProfile profile);

// The ffmpeg command that converts `in` to `out` (an MP4) for `profile`.
std::vector<std::string> transcode_command(const std::filesystem::path& in, const std::filesystem::path& out,
                                           const VideoInfo& info, VideoProfile profile);

struct TranscodeOptions {
    VideoProfile profile = VideoProfile::h264;
    std::filesystem::path cache_dir;  // empty: default_transcode_cache()
    bool terminal = false;            // a progress bar (\r) rather than plain lines
};

struct Transcoded {
    std::filesystem::path file;  // in the cache
    bool cache_hit = false;
    double seconds = 0;          // encoding time (0 on a hit)
};

// Converts (or finds in the cache) `in` for `options.profile`, reporting
// progress (percent and time left) on `progress`, labelled `label`.
Result<Transcoded> transcode_video(const std::filesystem::path& in, const VideoInfo& info,
                                   const TranscodeOptions& options, const std::string& label, std::ostream& progress);

// $XDG_CACHE_HOME/lasr-kioskctl/transcode, else ~/.cache/lasr-kioskctl/transcode.
std::filesystem::path default_transcode_cache();

}  // namespace lasr::ctl
