#include "media/durable.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace lasr {
namespace {

namespace fs = std::filesystem;

Error io_error(const std::string& what, const fs::path& p, int err) {
    return make_error(Domain::content, Errc::io, what + " " + p.string() + ": " + std::strerror(err));
}

}  // namespace

Status write_file_synced(const fs::path& path, std::string_view bytes) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return io_error("cannot create", path, errno);
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            return io_error("cannot write", path, err);
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
        int err = errno;
        ::close(fd);
        return io_error("cannot fsync", path, err);
    }
    if (::close(fd) != 0) return io_error("cannot close", path, errno);
    return {};
}

Status fsync_path(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error("cannot open", path, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return io_error("cannot fsync", path, err);
    return {};
}

Status write_file_atomic(const fs::path& path, std::string_view bytes) {
    fs::path tmp = path;
    tmp += ".tmp-" + std::to_string(::getpid());
    if (auto st = write_file_synced(tmp, bytes); !st) {
        ::unlink(tmp.c_str());
        return st;
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return io_error("cannot rename into place", path, err);
    }
    fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    return fsync_path(dir);
}

Status replace_symlink_atomic(const fs::path& link, const fs::path& target) {
    fs::path tmp = link;
    tmp += ".tmp-" + std::to_string(::getpid());
    ::unlink(tmp.c_str());
    if (::symlink(target.c_str(), tmp.c_str()) != 0) return io_error("cannot create symlink", tmp, errno);
    if (std::rename(tmp.c_str(), link.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return io_error("cannot rename symlink into place", link, err);
    }
    return fsync_path(link.has_parent_path() ? link.parent_path() : fs::path("."));
}

}  // namespace lasr
