// Cryptography for content and the admin screen, on libsodium. The only
// code that includes sodium.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "config/result.hpp"

namespace lasr::crypto {

// SHA-256 of a file as 64 lowercase hex digits (streamed, O_NOFOLLOW).
Result<std::string> sha256_file(const std::filesystem::path& path);
// SHA-256 of bytes in memory.
std::string sha256_hex(std::string_view bytes);

// Cryptographically random bytes as lowercase hex (2 * n_bytes digits).
std::string random_hex(size_t n_bytes);

// An admin PIN stored the way passwords should be: crypto_pwhash (Argon2id,
// interactive limits) in libsodium's self-describing string form.
Result<std::string> hash_pin(std::string_view pin);
// True when `pin` matches a hash_pin() string. Constant-time in the PIN.
bool verify_pin(std::string_view pin, const std::string& stored_hash);

}  // namespace lasr::crypto
