// Reading files that someone else controls (a pack folder on a USB stick, a
// manifest in the store, a key file): only a regular file is ever opened,
// and no read is unbounded.
//
// Opening a FIFO for reading blocks until a writer appears, so a FIFO named
// manifest.json would hang whoever reads it; a symlink could lead anywhere.
// open_regular_file refuses both before any open(2), and checks again after
// it that the descriptor is the regular file it looked at.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "config/result.hpp"

namespace lasr {

// A read-only descriptor of a regular file, closed on destruction.
class RegularFile {
public:
    RegularFile() = default;
    RegularFile(int fd, uint64_t size) : fd_(fd), size_(size) {}
    RegularFile(RegularFile&& o) noexcept : fd_(o.fd_), size_(o.size_) { o.fd_ = -1; }
    RegularFile& operator=(RegularFile&& o) noexcept;
    RegularFile(const RegularFile&) = delete;
    RegularFile& operator=(const RegularFile&) = delete;
    ~RegularFile();

    int fd() const { return fd_; }
    uint64_t size() const { return size_; }  // at open (fstat)

private:
    int fd_ = -1;
    uint64_t size_ = 0;
};

// "a FIFO", "a symlink", "a directory", ... for a st_mode (see stat(2)).
const char* file_kind(unsigned mode);

// Opens `path` for reading only if it is a regular file of at most
// `max_bytes`: lstat(2) first (a symlink, FIFO, socket, device or directory
// is refused without being opened), then open(2) with
// O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC, then fstat(2): still a regular
// file, same device and inode. Errors name the path: Errc::not_found,
// Errc::unsafe_path ("is a FIFO, not a regular file", "is a symlink"),
// Errc::validation (larger than max_bytes), Errc::io.
Result<RegularFile> open_regular_file(const std::filesystem::path& path, uint64_t max_bytes);

// Reads up to `limit` bytes from `file` into `out` (appending); a file that
// holds more than `limit` bytes (it grew after the check) is refused.
Status read_at_most(const RegularFile& file, const std::filesystem::path& path, uint64_t limit, std::string& out);

// The whole of a regular file of at most `max_bytes`, through
// open_regular_file: the one way pack manifests, signatures and keys are read.
Result<std::string> read_file_limited(const std::filesystem::path& path, size_t max_bytes);

}  // namespace lasr
