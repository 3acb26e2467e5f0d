#include "config/regular_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lasr {
namespace {

namespace fs = std::filesystem;

Error io_error(const std::string& what, const fs::path& p, int err) {
    return make_error(Domain::content, Errc::io, what + " " + p.string() + ": " + std::strerror(err));
}

Error not_regular(const fs::path& p, mode_t m) {
    return make_error(Domain::content, Errc::unsafe_path,
                      p.string() + " is " + file_kind(m) + ", not a regular file: refused");
}

}  // namespace

const char* file_kind(unsigned mode) {
    mode_t m = mode;
    if (S_ISREG(m)) return "a regular file";
    if (S_ISLNK(m)) return "a symlink";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISDIR(m)) return "a directory";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

RegularFile& RegularFile::operator=(RegularFile&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.fd_;
        size_ = o.size_;
        o.fd_ = -1;
    }
    return *this;
}

RegularFile::~RegularFile() {
    if (fd_ >= 0) ::close(fd_);
}

Result<RegularFile> open_regular_file(const fs::path& path, uint64_t max_bytes) {
    struct stat before {};
    if (::lstat(path.c_str(), &before) != 0) {
        int err = errno;
        if (err == ENOENT) return make_error(Domain::content, Errc::not_found, path.string() + " does not exist");
        return io_error("cannot stat", path, err);
    }
    if (!S_ISREG(before.st_mode)) return not_regular(path, before.st_mode);
    // O_NONBLOCK: should a FIFO be swapped in after the lstat, open(2) still
    // returns at once (and the fstat below refuses it).
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT) return make_error(Domain::content, Errc::not_found, path.string() + " does not exist");
        if (err == ELOOP) return not_regular(path, S_IFLNK);
        return io_error("cannot open", path, err);
    }
    auto refuse = [fd](Error e) {
        ::close(fd);
        return e;
    };
    struct stat after {};
    if (::fstat(fd, &after) != 0) return refuse(io_error("cannot stat", path, errno));
    if (!S_ISREG(after.st_mode)) return refuse(not_regular(path, after.st_mode));
    if (after.st_dev != before.st_dev || after.st_ino != before.st_ino)
        return refuse(make_error(Domain::content, Errc::unsafe_path,
                                 path.string() + " was replaced while it was opened: refused"));
    if (static_cast<uint64_t>(after.st_size) > max_bytes)
        return refuse(make_error(Domain::content, Errc::validation,
                                 path.string() + " is " + std::to_string(after.st_size) + " bytes, more than the " +
                                     std::to_string(max_bytes) + " allowed"));
    // A regular file never blocks; clear the flag anyway so reads behave as usual.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return RegularFile(fd, static_cast<uint64_t>(after.st_size));
}

Status read_at_most(const RegularFile& file, const fs::path& path, uint64_t limit, std::string& out) {
    char buf[65536];
    uint64_t got = 0;
    for (;;) {
        ssize_t n = ::read(file.fd(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("cannot read", path, errno);
        }
        if (n == 0) return {};
        got += static_cast<uint64_t>(n);
        if (got > limit)
            return make_error(Domain::content, Errc::validation,
                              path.string() + " grew past the " + std::to_string(limit) + " bytes allowed");
        out.append(buf, static_cast<size_t>(n));
    }
}

Result<std::string> read_file_limited(const fs::path& path, size_t max_bytes) {
    auto f = open_regular_file(path, max_bytes);
    if (!f) return std::move(f).error();
    std::string out;
    out.reserve(static_cast<size_t>(f->size()));
    LASR_TRY(read_at_most(*f, path, max_bytes, out));
    return out;
}

}  // namespace lasr
