// Cryptography for content and the admin screen. The only code that
// includes sodium.h (Ed25519, BLAKE2b, random bytes, Argon2id) and
// OpenSSL's libcrypto (SHA-256: its EVP implementation uses the CPU's SHA
// extensions, several times faster than libsodium's portable C).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"

namespace lasr::crypto {

// SHA-256 of a regular file as 64 lowercase hex digits, streamed. The file
// is opened with open_regular_file (no symlink, FIFO or device is opened)
// and one larger than `max_bytes` is refused.
Result<std::string> sha256_file(const std::filesystem::path& path, uint64_t max_bytes = UINT64_MAX);
// SHA-256 of bytes in memory.
std::string sha256_hex(std::string_view bytes);

// Incremental SHA-256, for hashing a download as it arrives.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void reset();
    void update(const void* data, size_t n);
    // The digest as 64 lowercase hex digits; resets the state.
    std::string finish_hex();

private:
    void* ctx_;  // EVP_MD_CTX
};

// SHA-256 on a thread of its own, for data arriving on another (a download:
// the network thread hands chunks over and goes on receiving). At most
// `max_queued` bytes wait; push() blocks beyond that.
class Sha256Pipe {
public:
    explicit Sha256Pipe(size_t max_queued = 32u << 20);
    ~Sha256Pipe();
    Sha256Pipe(const Sha256Pipe&) = delete;
    Sha256Pipe& operator=(const Sha256Pipe&) = delete;
    void push(const char* data, size_t n);
    void reset();               // forget everything pushed so far
    std::string finish_hex();   // waits for the queue; then starts afresh

private:
    struct State;
    std::unique_ptr<State> s_;
};

// Cryptographically random bytes as lowercase hex (2 * n_bytes digits).
std::string random_hex(size_t n_bytes);

// An admin PIN stored the way passwords should be: crypto_pwhash (Argon2id,
// interactive limits) in libsodium's self-describing string form.
Result<std::string> hash_pin(std::string_view pin);
// True when `pin` matches a hash_pin() string. Constant-time in the PIN.
bool verify_pin(std::string_view pin, const std::string& stored_hash);

// ---- Signatures in minisign's format (Ed25519) ----------------------------
//
// Keys and signatures are byte-for-byte what Debian's `minisign` 0.11 reads
// and writes, so content staff may use either tool:
//   public key   "RW..." = base64("Ed" | key id (8) | Ed25519 public key (32))
//   signature    "untrusted comment: ..." / base64("ED" or "Ed" | key id |
//                Ed25519 signature (64)) / "trusted comment: ..." /
//                base64(Ed25519 signature of (signature | trusted comment))
// "ED" (minisign's default) signs the BLAKE2b-512 hash of the message,
// "Ed" (minisign -l, legacy) the message itself; both verify.

struct PublicKey {
    std::array<uint8_t, 8> id{};
    std::array<uint8_t, 32> key{};

    // The key id as minisign prints it: 16 upper-case hex digits.
    std::string id_hex() const;
    // The one-line form ("RW..."), as in a .pub file's second line.
    std::string base64() const;
    bool operator==(const PublicKey& o) const { return id == o.id && key == o.key; }
};

class SecretKey {
public:
    SecretKey() = default;
    ~SecretKey();  // wipes the key
    SecretKey(const SecretKey&) = default;
    SecretKey& operator=(const SecretKey&) = default;

    std::array<uint8_t, 8> id{};
    std::array<uint8_t, 64> key{};  // libsodium's Ed25519 secret key (seed | public)

    PublicKey public_key() const;
};

struct KeyPair {
    PublicKey pub;
    SecretKey sec;
};

KeyPair generate_keypair();

// A public key from a .pub file's text (comment line + key line) or from
// the bare "RW..." line.
Result<PublicKey> parse_public_key(std::string_view text);
// The text of a .pub file.
std::string public_key_file(const PublicKey& key);

// A secret key from a minisign .key file's text. Unencrypted keys (minisign
// -W, and what keygen writes) need no password; scrypt-encrypted ones need it.
Result<SecretKey> parse_secret_key(std::string_view text, std::string_view password = {});
// The text of an unencrypted minisign .key file (keep it mode 0600, offline).
std::string secret_key_file(const SecretKey& key);

struct SignOptions {
    std::string trusted_comment;    // signed too; one line
    std::string untrusted_comment = "signature from lasr-kioskctl secret key";
    bool prehashed = true;          // "ED" (minisign's default); false: legacy "Ed"
};

// The text of a .minisig file for `message`.
std::string sign(std::string_view message, const SecretKey& key, const SignOptions& options = {});

struct VerifiedSignature {
    PublicKey key;                // the trusted key that made it
    std::string trusted_comment;  // verified too
    bool prehashed = false;
};

// Checks a .minisig file's text against `message` with any of `trusted`
// (matched by key id): the signature and the trusted comment's signature.
// Every refusal says why: malformed file, unknown algorithm, a key id no
// trusted key has, a signature that does not match.
Result<VerifiedSignature> verify(std::string_view message, std::string_view signature_file,
                                 const std::vector<PublicKey>& trusted);

}  // namespace lasr::crypto
