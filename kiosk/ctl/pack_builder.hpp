// `lasr-kioskctl pack SRC --key KEY --out DIR`: builds a signed content pack
// from a source folder that content staff prepare.
//
// SRC/pack.json is the manifest's shape with plain paths (relative to SRC)
// where the manifest has file references:
//   {"library_id": "springfield", "library_name": "...", "version": 7,
//    "expires": "2027-06-30T00:00:00Z", "languages": ["en", "es"],
//    "courses": [{"id": "c1", "title": {"en": "..."}, "videos": [
//       {"id": "c1-v1", "title": {"en": "..."}, "file": "media/intro.mp4",
//        "captions": {"en": "captions/intro.en.vtt"},   (WebVTT or SRT)
//        "transcripts": {"en": "transcripts/intro.en.txt"},  (optional: made from the captions)
//        "thumbnail": "thumbs/intro.jpg",      (optional: made with ffmpeg)
//        "no_captions": true}]}],              (only to waive captions)
//    "video_profile": "hevc",                  (optional: what --transcode makes; default h264)
//    "resources": [...] or "resources.json",   (as in the manifest, or a file of them
//                                               from `resources import`)
//    "alerts": [...]}                          (exactly as in the manifest)
//
// Everything is checked first and every problem listed at once (nothing is
// built while there is one): each video has captions unless "no_captions"
// says otherwise; caption files are WebVTT or SRT (SRT is converted), UTF-8
// or Windows-1252 (converted, with a warning), with timestamps in order and
// no cue past the video's end by more than a second; each video passes the
// codec policy (H.264 or HEVC, 8-bit 4:2:0, at most 1920x1080 and 30 fps:
// what a Raspberry Pi 4/5 decodes), or with --transcode is converted to the
// pack's profile (see transcode.hpp); durations come from ffprobe. The
// output folder gets files/<sha256>.<ext>, manifest.json and
// manifest.json.minisig (written last).
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>

#include "config/result.hpp"
#include "media/crypto.hpp"

namespace lasr::ctl {

struct PackOptions {
    std::filesystem::path source;  // holds pack.json
    std::filesystem::path out;
    crypto::SecretKey key;
    uint64_t version = 0;          // 0: pack.json's "version"
    std::string expires;           // "": pack.json's "expires" (may be absent)
    bool transcode = false;        // convert videos outside the profile instead of refusing them
    std::string profile;           // "h264" or "hevc"; "": pack.json's "video_profile", else h264
    std::filesystem::path cache_dir;  // transcode cache; empty: default_transcode_cache()
    bool terminal = false;         // progress bars rather than plain lines
};

struct PackReport {
    uint64_t version = 0;
    size_t videos = 0;
    size_t files = 0;
    uint64_t bytes = 0;
    std::string key_id;
    size_t transcoded = 0;   // videos encoded by this run
    size_t cache_hits = 0;   // videos whose conversion was already in the cache
    size_t warnings = 0;
};

Result<PackReport> build_pack(const PackOptions& options, std::ostream& progress);

// The codec policy for one video file (ffprobe); its duration on success.
Result<double> check_video_policy(const std::filesystem::path& file);

// Reads a secret key file (LASR_KEY_PASSWORD for an encrypted minisign key).
Result<crypto::SecretKey> load_secret_key(const std::filesystem::path& file);

// Signs `manifest` the way `pack` does (trusted comment names library and version).
std::string sign_manifest(const std::string& manifest, const std::string& library_id, uint64_t version,
                          const crypto::SecretKey& key);

}  // namespace lasr::ctl
