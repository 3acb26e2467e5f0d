#include "media/crypto.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace lasr::crypto {

namespace {

bool ready() {
    static const bool ok = sodium_init() >= 0;
    return ok;
}

std::string to_hex(const unsigned char* d, size_t n) {
    std::string s(n * 2 + 1, '\0');
    sodium_bin2hex(s.data(), s.size(), d, n);
    s.pop_back();
    return s;
}

}  // namespace

Result<std::string> sha256_file(const std::filesystem::path& path) {
    if (!ready()) return make_error(Domain::content, Errc::internal, "libsodium failed to initialise");
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return make_error(Domain::content, Errc::io, "cannot open " + path.string() + ": " + std::strerror(errno));
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    std::vector<unsigned char> buf(1 << 20);
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            return make_error(Domain::content, Errc::io, "cannot read " + path.string() + ": " + std::strerror(err));
        }
        if (n == 0) break;
        crypto_hash_sha256_update(&st, buf.data(), static_cast<unsigned long long>(n));
    }
    ::close(fd);
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, out);
    return to_hex(out, sizeof out);
}

std::string sha256_hex(std::string_view bytes) {
    ready();
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return to_hex(out, sizeof out);
}

std::string random_hex(size_t n_bytes) {
    ready();
    std::vector<unsigned char> b(n_bytes);
    randombytes_buf(b.data(), b.size());
    return to_hex(b.data(), b.size());
}

Result<std::string> hash_pin(std::string_view pin) {
    if (!ready()) return make_error(Domain::ui, Errc::internal, "libsodium failed to initialise");
    if (pin.size() < 4 || pin.size() > 32)
        return make_error(Domain::ui, Errc::invalid_argument, "an admin PIN has 4 to 32 characters");
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, pin.data(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return make_error(Domain::ui, Errc::internal, "not enough memory to hash the PIN");
    return std::string(out);
}

bool verify_pin(std::string_view pin, const std::string& stored) {
    if (!ready() || stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return false;
    return crypto_pwhash_str_verify(stored.c_str(), pin.data(), pin.size()) == 0;
}

}  // namespace lasr::crypto
