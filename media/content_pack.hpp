// The local content cache: an opened content pack on disk.
//
// Opening a pack reads and validates its manifest and checks that every file
// it names is a plain file (not a symlink or device) inside the pack, of the
// promised size. Each file's SHA-256 is checked before its first use and the
// result remembered, so nothing that differs from what the library published
// is ever played.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "config/result.hpp"
#include "playlists/catalog.hpp"

namespace lasr {

// Describes a file under `root` for a manifest: its path (checked with
// check_pack_path), SHA-256 and size. For tools that build packs.
Result<FileRef> describe_pack_file(const std::filesystem::path& root, const std::string& rel_path);

// The one check of a file a pack names, in a pack folder or an import
// source at `root`: a safe path (check_pack_path) whose every component is a
// real directory and whose last is a regular file (lstat: no symlink
// anywhere, no FIFO or device) of the manifest's size. Returns its path.
// Errors name the pack path: Errc::not_found, Errc::unsafe_path,
// Errc::hash_mismatch (the size).
Result<std::filesystem::path> check_pack_file(const std::filesystem::path& root, const FileRef& file);

// Every caption file of `catalog`, read from where `locate` puts it (a
// regular file of at most kMaxCaptionBytes) and checked with check_webvtt.
// The error names the field and the file, e.g. "caption file
// courses[0].videos[2].captions.es (files/ab12.vtt): WebVTT cue 4 (line 13)
// has more than 200 characters of text".
Status check_caption_files(const Catalog& catalog,
                           const std::function<std::filesystem::path(const FileRef&)>& locate);

class ContentPack {
public:
    static Result<std::shared_ptr<ContentPack>> open(const std::filesystem::path& dir);
    // A pack with nothing in it, for a kiosk that has no content yet: it
    // starts and says so rather than failing.
    static std::shared_ptr<ContentPack> empty(const std::filesystem::path& dir);

    const Catalog& catalog() const { return catalog_; }
    const std::filesystem::path& dir() const { return dir_; }

    // The file's absolute path once its SHA-256 matches the manifest
    // (hashed on first call, remembered after). Thread-safe.
    Result<std::filesystem::path> verified_path(const FileRef& file);
    // Verifies every file now, and the caption files' cues (for tools and
    // the background worker).
    Status verify_all();

private:
    ContentPack(std::filesystem::path dir, Catalog catalog) : dir_(std::move(dir)), catalog_(std::move(catalog)) {}

    std::filesystem::path dir_;
    Catalog catalog_;
    std::mutex mu_;
    std::set<std::string> verified_;
};

}  // namespace lasr
