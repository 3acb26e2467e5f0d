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
inline constexpr size_t kMaxManifestBytes = 16u << 20;
inline constexpr size_t kMaxSignatureBytes = 16u << 10;

// Parses and validates a manifest. Every error names the field, e.g.
// "courses[1].videos[0].file.sha256: must be 64 lowercase hex digits".
Result<Catalog> parse_manifest(std::string_view json_text);

// Parses a manifest's "schedules" object on its own (for tools that author
// one), checking its references against `catalog`.
Result<Schedules> parse_schedules_json(std::string_view json_text, const Catalog& catalog);

// Writes a manifest that parse_manifest reads back to the same catalog.
std::string write_manifest(const Catalog& catalog);

// A path a pack may name: relative, '/'-separated, made of [A-Za-z0-9._-]
// components, none of them "", "." or "..", at most 255 bytes. Refuses
// absolute paths, "../../etc", backslashes, NULs and the like.
Status check_pack_path(std::string_view path);

}  // namespace lasr
