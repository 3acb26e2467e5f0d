// `lasr-kioskctl pack SRC --key KEY --out DIR`: builds a signed content pack
// from a source folder that content staff prepare.
//
// SRC/pack.json is the manifest's shape with plain paths (relative to SRC)
// where the manifest has file references:
//   {"library_id": "springfield", "library_name": "...", "version": 7,
//    "expires": "2027-06-30T00:00:00Z", "languages": ["en", "es"],
//    "courses": [{"id": "c1", "title": {"en": "..."}, "videos": [
//       {"id": "c1-v1", "title": {"en": "..."}, "file": "media/intro.mp4",
//        "captions": {"en": "captions/intro.en.vtt"},
//        "transcripts": {"en": "transcripts/intro.en.txt"},
//        "thumbnail": "thumbs/intro.jpg",      (optional: made with ffmpeg)
//        "no_captions": true}]}],              (only to waive captions)
//    "resources": [...], "alerts": [...]}     (exactly as in the manifest)
//
// Checks: every video has captions (WebVTT) unless "no_captions" says
// otherwise; every video passes the codec policy (H.264 or HEVC, 8-bit
// 4:2:0, at most 1920x1080 and 30 fps: what a Raspberry Pi 4/5 decodes);
// durations come from ffprobe. The output folder gets files/<sha256>.<ext>,
// manifest.json and manifest.json.minisig (written last).
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
};

struct PackReport {
    uint64_t version = 0;
    size_t videos = 0;
    size_t files = 0;
    uint64_t bytes = 0;
    std::string key_id;
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
