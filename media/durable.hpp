// Durable file operations: what survives a power cut, and atomic replacement.
// Used by the content store and by the tools that build packs.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "config/regular_file.hpp"  // read_file_limited: the bounded reader of regular files
#include "config/result.hpp"

namespace lasr {

// Writes bytes to `path` (replacing it) and fsyncs the file.
Status write_file_synced(const std::filesystem::path& path, std::string_view bytes);

// Replaces `path` atomically: writes a temporary file beside it, fsyncs it,
// renames it over `path` and fsyncs the directory. Readers see the old
// content or the new, never a torn file; after a crash, at worst a stray
// "<name>.tmp-<pid>" file is left behind.
Status write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// Points the symlink `link` at `target` atomically (a new link beside it,
// renamed over it with rename(2)), then fsyncs the directory.
Status replace_symlink_atomic(const std::filesystem::path& link, const std::filesystem::path& target);

// fsync of an existing file or directory (so data written by another
// process, e.g. ffmpeg, is on disk before a manifest names it).
Status fsync_path(const std::filesystem::path& path);

}  // namespace lasr
