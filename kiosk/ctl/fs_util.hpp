// Durable file writes for pack-building tools.
#pragma once

#include <filesystem>
#include <string_view>

#include "config/result.hpp"

namespace lasr::ctl {

// Writes bytes to `path` (replacing it) and fsyncs the file.
Status write_file_synced(const std::filesystem::path& path, std::string_view bytes);

// Replaces `path` atomically: writes a temporary file beside it, fsyncs it,
// renames it over `path` and fsyncs the directory. Readers see the old
// content or the new, never a torn file; after a crash, at worst a stray
// "<name>.tmp-<pid>" file is left behind.
Status write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// fsync of an existing file or directory (so data written by another
// process, e.g. ffmpeg, is on disk before a manifest names it).
Status fsync_path(const std::filesystem::path& path);

}  // namespace lasr::ctl
