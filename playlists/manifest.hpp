// The content pack manifest (manifest.json at the pack root).
//
// A pack is a folder: manifest.json, an optional detached signature
// manifest.json.minisig beside it (it signs the manifest's exact bytes), and
// the files the manifest names, each with its SHA-256 and size. See
// docs in README.md, "Content packs", for the format.
#pragma once

#include <string>
#include <string_view>

#include "config/result.hpp"
#include "playlists/catalog.hpp"

namespace lasr {

inline constexpr std::string_view kManifestName = "manifest.json";
inline constexpr std::string_view kSignatureName = "manifest.json.minisig";
inline constexpr int kManifestFormatVersion = 1;
// Keys that start with this are extensions, ignored everywhere in a
// manifest; any other key the format does not name is refused.
inline constexpr std::string_view kExtensionKeyPrefix = "x-";
inline constexpr size_t kMaxManifestBytes = 16u << 20;
inline constexpr size_t kMaxSignatureBytes = 16u << 10;

// Numeric limits of the format (README: "Content packs", the limits table).
// Every whole number is read by one checked reader that refuses, naming the
// field, anything outside its range, a negative or a fraction.
inline constexpr uint64_t kMaxPackVersion = (uint64_t{1} << 53) - 1;  // exact as a double: every JSON reader agrees
inline constexpr uint64_t kMaxFileBytes = uint64_t{64} << 30;         // any one file of a pack (64 GiB)
inline constexpr uint64_t kMaxCaptionBytes = 1u << 20;                // a WebVTT caption file
inline constexpr uint64_t kMaxTranscriptBytes = 64u << 10;            // a transcript (the player shows up to this)
inline constexpr uint64_t kMaxThumbnailBytes = 8u << 20;              // a thumbnail image
inline constexpr double kMaxVideoSeconds = 24 * 3600;                 // duration_s: more than 0, less than this
inline constexpr uint64_t kMaxRulePriority = 100;                     // schedules.rules[].priority: 0 to this

// Text limits, in characters (Unicode code points), per language where a
// field has one text per language. Longer text is refused naming the
// field, and so are control characters (a line break only where noted).
inline constexpr size_t kMaxTitleChars = 120;    // library_name, titles, resource names; any other one-line text
inline constexpr size_t kMaxSummaryChars = 600;  // summaries, descriptions, alert bodies (line breaks allowed)
inline constexpr size_t kMaxAddressChars = 200;  // a resource's address (line breaks allowed)
inline constexpr size_t kMaxPhoneChars = 32;     // phone, sms
inline constexpr size_t kMaxUrlChars = 300;      // website (shown as a QR code)
inline constexpr size_t kMaxLibraryIdChars = 64;
inline constexpr size_t kMaxLanguageNameChars = 40;  // an entry of a resource's languages
// A caption cue (WebVTT): its text, and its lines. check_webvtt.
inline constexpr size_t kMaxCueChars = 200;
inline constexpr size_t kMaxCueLines = 6;

// Parses and validates a manifest. Every error names the field, e.g.
// "courses[1].videos[0].file.sha256: must be 64 lowercase hex digits".
Result<Catalog> parse_manifest(std::string_view json_text);

// Parses a manifest's "schedules" object on its own (for tools that author
// one), checking its references against `catalog`.
Result<Schedules> parse_schedules_json(std::string_view json_text, const Catalog& catalog);

// Writes a manifest that parse_manifest reads back to the same catalog.
std::string write_manifest(const Catalog& catalog);

// Checks a caption file's text: a WebVTT header, and every cue within
// kMaxCueChars and kMaxCueLines. The error names the cue and its line.
Status check_webvtt(std::string_view text);

// A path a pack may name: relative, '/'-separated, made of [A-Za-z0-9._-]
// components, none of them "", "." or "..", at most 255 bytes. Refuses
// absolute paths, "../../etc", backslashes, NULs and the like.
Status check_pack_path(std::string_view path);

}  // namespace lasr
