#include "media/crypto.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "config/regular_file.hpp"

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

Error sig_error(Errc code, const std::string& what) { return make_error(Domain::content, code, what); }

// Strips one trailing "\n" or "\r\n" (and stray '\r'), as minisign does.
std::string_view trim_eol(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// Splits text into lines (without their line ends).
std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        out.push_back(trim_eol(text.substr(start, end - start)));
        start = end + 1;
    }
    return out;
}

std::string b64(const unsigned char* d, size_t n) {
    std::string s(sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(s.data(), s.size(), d, n, sodium_base64_VARIANT_ORIGINAL);
    s.pop_back();  // the NUL
    return s;
}

// Decodes exactly `n` bytes of standard base64, or fails.
bool unb64(std::string_view s, unsigned char* out, size_t n) {
    size_t len = 0;
    const char* end = nullptr;
    if (s.size() > 4 * n) return false;
    if (sodium_base642bin(out, n, s.data(), s.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    return len == n && end == s.data() + s.size();
}

constexpr size_t kPubBytes = 2 + 8 + 32;
constexpr size_t kSigBytes = 2 + 8 + 64;
// sig_alg, kdf_alg, chk_alg, salt, opslimit, memlimit, then key id, sk, chk.
constexpr size_t kSecHead = 2 + 2 + 2 + 32 + 8 + 8;
constexpr size_t kSecKeynum = 8 + 64 + 32;
constexpr size_t kSecBytes = kSecHead + kSecKeynum;
constexpr size_t kTrustedCommentMax = 8192;

uint64_t le64(const unsigned char* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

void secret_checksum(const unsigned char* keynum_id, const unsigned char* sk, unsigned char out[32]) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, nullptr, 0, 32);
    const unsigned char alg[2] = {'E', 'd'};
    crypto_generichash_update(&st, alg, 2);
    crypto_generichash_update(&st, keynum_id, 8);
    crypto_generichash_update(&st, sk, 64);
    crypto_generichash_final(&st, out, 32);
}

}  // namespace

// ---- SHA-256 (OpenSSL EVP) ---------------------------------------------------

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_) throw std::bad_alloc();
    reset();
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::reset() { EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr); }

void Sha256::update(const void* data, size_t n) {
    if (n) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, n);
}

std::string Sha256::finish_hex() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &len);
    reset();
    return to_hex(out, len);
}

struct Sha256Pipe::State {
    struct Item {
        bool reset = false;
        bool finish = false;
        std::string data;
    };
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Item> q;
    size_t queued = 0, max_queued = 0;
    bool stop = false;
    std::string result;
    bool result_ready = false;
    Sha256 hash;
    std::thread thread;

    void run() {
        for (;;) {
            Item it;
            {
                std::unique_lock lock(mu);
                cv.wait(lock, [&] { return stop || !q.empty(); });
                if (q.empty()) return;  // stopping
                it = std::move(q.front());
                q.pop_front();
                queued -= it.data.size();
            }
            cv.notify_all();
            if (it.reset) hash.reset();
            hash.update(it.data.data(), it.data.size());
            if (it.finish) {
                std::string hex = hash.finish_hex();
                std::lock_guard lock(mu);
                result = std::move(hex);
                result_ready = true;
                cv.notify_all();
            }
        }
    }
    void enqueue(Item it) {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return queued < max_queued || q.empty(); });
        queued += it.data.size();
        q.push_back(std::move(it));
        cv.notify_all();
    }
};

Sha256Pipe::Sha256Pipe(size_t max_queued) : s_(std::make_unique<State>()) {
    s_->max_queued = max_queued;
    s_->thread = std::thread([st = s_.get()] { st->run(); });
}

Sha256Pipe::~Sha256Pipe() {
    {
        std::lock_guard lock(s_->mu);
        s_->stop = true;
        s_->q.clear();
    }
    s_->cv.notify_all();
    s_->thread.join();
}

void Sha256Pipe::push(const char* data, size_t n) {
    if (n) s_->enqueue(State::Item{false, false, std::string(data, n)});
}

void Sha256Pipe::reset() { s_->enqueue(State::Item{true, false, {}}); }

std::string Sha256Pipe::finish_hex() {
    s_->enqueue(State::Item{false, true, {}});
    std::unique_lock lock(s_->mu);
    s_->cv.wait(lock, [&] { return s_->result_ready; });
    s_->result_ready = false;
    return std::move(s_->result);
}

Result<std::string> sha256_file(const std::filesystem::path& path, uint64_t max_bytes) {
    ready();
    auto file = open_regular_file(path, max_bytes);
    if (!file) return std::move(file).error();
    int fd = file->fd();
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    Sha256 h;
    std::vector<unsigned char> buf(1 << 20);
    uint64_t total = 0;
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return make_error(Domain::content, Errc::io, "cannot read " + path.string() + ": " + std::strerror(errno));
        }
        if (n == 0) break;
        total += static_cast<uint64_t>(n);
        if (total > max_bytes)
            return make_error(Domain::content, Errc::validation,
                              path.string() + " grew past the " + std::to_string(max_bytes) + " bytes allowed");
        h.update(buf.data(), static_cast<size_t>(n));
    }
    return h.finish_hex();
}

std::string sha256_hex(std::string_view bytes) {
    Sha256 h;
    h.update(bytes.data(), bytes.size());
    return h.finish_hex();
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

// ---- minisign --------------------------------------------------------------

std::string PublicKey::id_hex() const {
    static const char* digits = "0123456789ABCDEF";
    std::string s;
    for (int i = 7; i >= 0; --i) {
        s += digits[id[static_cast<size_t>(i)] >> 4];
        s += digits[id[static_cast<size_t>(i)] & 15];
    }
    return s;
}

std::string PublicKey::base64() const {
    unsigned char raw[kPubBytes];
    raw[0] = 'E';
    raw[1] = 'd';
    std::memcpy(raw + 2, id.data(), 8);
    std::memcpy(raw + 10, key.data(), 32);
    return b64(raw, sizeof raw);
}

SecretKey::~SecretKey() { sodium_memzero(key.data(), key.size()); }

PublicKey SecretKey::public_key() const {
    PublicKey p;
    p.id = id;
    crypto_sign_ed25519_sk_to_pk(p.key.data(), key.data());
    return p;
}

KeyPair generate_keypair() {
    ready();
    KeyPair kp;
    crypto_sign_keypair(kp.pub.key.data(), kp.sec.key.data());
    randombytes_buf(kp.pub.id.data(), kp.pub.id.size());
    kp.sec.id = kp.pub.id;
    return kp;
}

Result<PublicKey> parse_public_key(std::string_view text) {
    ready();
    std::string_view line;
    for (std::string_view l : lines_of(text)) {
        while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
        while (!l.empty() && (l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
        if (l.empty() || l.rfind("untrusted comment:", 0) == 0) continue;
        line = l;
        break;
    }
    unsigned char raw[kPubBytes];
    if (line.empty() || !unb64(line, raw, sizeof raw))
        return sig_error(Errc::parse, "not a minisign public key (expected a line like RWQ... of 56 characters)");
    if (raw[0] != 'E' || raw[1] != 'd')
        return sig_error(Errc::parse, "public key algorithm is not Ed25519 (\"Ed\")");
    PublicKey k;
    std::memcpy(k.id.data(), raw + 2, 8);
    std::memcpy(k.key.data(), raw + 10, 32);
    return k;
}

std::string public_key_file(const PublicKey& key) {
    return "untrusted comment: minisign public key " + key.id_hex() + "\n" + key.base64() + "\n";
}

Result<SecretKey> parse_secret_key(std::string_view text, std::string_view password) {
    ready();
    auto lines = lines_of(text);
    if (lines.size() < 2 || lines[0].rfind("untrusted comment:", 0) != 0)
        return sig_error(Errc::parse, "not a minisign secret key file (no \"untrusted comment:\" line)");
    std::vector<unsigned char> raw(kSecBytes);
    if (!unb64(lines[1], raw.data(), raw.size()))
        return sig_error(Errc::parse, "not a minisign secret key (bad base64 or wrong length)");
    if (raw[0] != 'E' || raw[1] != 'd') return sig_error(Errc::parse, "secret key algorithm is not Ed25519");
    if (raw[4] != 'B' || raw[5] != '2') return sig_error(Errc::parse, "secret key checksum is not BLAKE2b");
    unsigned char* keynum = raw.data() + kSecHead;
    if (raw[2] == 'S' && raw[3] == 'c') {
        if (password.empty())
            return sig_error(Errc::invalid_argument,
                             "the secret key is encrypted with a password; set LASR_KEY_PASSWORD (or re-create it "
                             "with `minisign -C` / `lasr-kioskctl keygen`)");
        std::vector<unsigned char> stream(kSecKeynum);
        uint64_t ops = le64(raw.data() + 38), mem = le64(raw.data() + 46);
        if (crypto_pwhash_scryptsalsa208sha256(stream.data(), stream.size(), password.data(), password.size(),
                                               raw.data() + 6, ops, static_cast<size_t>(mem)) != 0)
            return sig_error(Errc::internal, "cannot derive the key from the password (out of memory?)");
        for (size_t i = 0; i < kSecKeynum; ++i) keynum[i] ^= stream[i];
        sodium_memzero(stream.data(), stream.size());
    } else if (raw[2] != 0 || raw[3] != 0) {
        return sig_error(Errc::parse, "secret key uses an unknown key derivation");
    }
    unsigned char chk[32];
    secret_checksum(keynum, keynum + 8, chk);
    bool good = sodium_memcmp(chk, keynum + 72, 32) == 0;
    if (!good && raw[2] == 0) {
        // minisign 0.11 -G -W leaves the checksum of an unencrypted key all
        // zeros; check instead that the key's public half matches its seed.
        unsigned char zero[32] = {0};
        unsigned char pk[32], sk[64];
        crypto_sign_seed_keypair(pk, sk, keynum + 8);
        good = sodium_memcmp(keynum + 72, zero, 32) == 0 && sodium_memcmp(pk, keynum + 8 + 32, 32) == 0;
        sodium_memzero(sk, sizeof sk);
    }
    SecretKey k;
    std::memcpy(k.id.data(), keynum, 8);
    std::memcpy(k.key.data(), keynum + 8, 64);
    sodium_memzero(raw.data(), raw.size());
    if (!good)
        return sig_error(Errc::validation, "secret key checksum does not match (wrong password, or a damaged file)");
    return k;
}

std::string secret_key_file(const SecretKey& key) {
    std::vector<unsigned char> raw(kSecBytes, 0);
    raw[0] = 'E';
    raw[1] = 'd';
    raw[4] = 'B';
    raw[5] = '2';
    unsigned char* keynum = raw.data() + kSecHead;
    std::memcpy(keynum, key.id.data(), 8);
    std::memcpy(keynum + 8, key.key.data(), 64);
    secret_checksum(keynum, keynum + 8, keynum + 72);
    std::string out = "untrusted comment: minisign secret key (unencrypted; keep it offline, mode 0600)\n" +
                      b64(raw.data(), raw.size()) + "\n";
    sodium_memzero(raw.data(), raw.size());
    return out;
}

std::string sign(std::string_view message, const SecretKey& key, const SignOptions& opt) {
    ready();
    unsigned char raw[kSigBytes];
    raw[0] = 'E';
    raw[1] = opt.prehashed ? 'D' : 'd';
    std::memcpy(raw + 2, key.id.data(), 8);
    const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
    if (opt.prehashed) {
        unsigned char h[crypto_generichash_BYTES_MAX];
        crypto_generichash(h, sizeof h, msg, message.size(), nullptr, 0);
        crypto_sign_detached(raw + 10, nullptr, h, sizeof h, key.key.data());
    } else {
        crypto_sign_detached(raw + 10, nullptr, msg, message.size(), key.key.data());
    }
    std::string trusted = opt.trusted_comment;
    for (char& c : trusted)
        if (c == '\n' || c == '\r') c = ' ';
    std::vector<unsigned char> global(64 + trusted.size());
    std::memcpy(global.data(), raw + 10, 64);
    std::memcpy(global.data() + 64, trusted.data(), trusted.size());
    unsigned char gsig[64];
    crypto_sign_detached(gsig, nullptr, global.data(), global.size(), key.key.data());
    std::string untrusted = opt.untrusted_comment;
    for (char& c : untrusted)
        if (c == '\n' || c == '\r') c = ' ';
    return "untrusted comment: " + untrusted + "\n" + b64(raw, sizeof raw) + "\ntrusted comment: " + trusted + "\n" +
           b64(gsig, sizeof gsig) + "\n";
}

Result<VerifiedSignature> verify(std::string_view message, std::string_view text,
                                 const std::vector<PublicKey>& trusted) {
    ready();
    if (text.size() > 2 * kTrustedCommentMax)
        return sig_error(Errc::parse, "signature file is too large to be a minisign signature");
    auto lines = lines_of(text);
    if (lines.size() < 4) return sig_error(Errc::parse, "signature file is incomplete (needs 4 lines)");
    if (lines[0].rfind("untrusted comment:", 0) != 0)
        return sig_error(Errc::parse, "signature file does not start with \"untrusted comment:\"");
    unsigned char raw[kSigBytes];
    if (!unb64(lines[1], raw, sizeof raw)) return sig_error(Errc::parse, "signature line is not valid base64 of 74 bytes");
    bool prehashed;
    if (raw[0] == 'E' && raw[1] == 'D') prehashed = true;
    else if (raw[0] == 'E' && raw[1] == 'd') prehashed = false;
    else return sig_error(Errc::parse, "signature algorithm is neither Ed nor ED");
    constexpr std::string_view kTrusted = "trusted comment: ";
    if (lines[2].rfind(kTrusted, 0) != 0)
        return sig_error(Errc::parse, "signature file has no \"trusted comment:\" line");
    std::string_view comment = lines[2].substr(kTrusted.size());
    if (comment.size() > kTrustedCommentMax) return sig_error(Errc::parse, "trusted comment is too long");
    unsigned char gsig[64];
    if (!unb64(lines[3], gsig, sizeof gsig))
        return sig_error(Errc::parse, "trusted comment signature is not valid base64 of 64 bytes");

    const PublicKey* key = nullptr;
    for (const auto& k : trusted)
        if (std::memcmp(k.id.data(), raw + 2, 8) == 0) key = &k;
    if (!key) {
        PublicKey seen;
        std::memcpy(seen.id.data(), raw + 2, 8);
        std::string pinned;
        for (const auto& k : trusted) pinned += (pinned.empty() ? "" : ", ") + k.id_hex();
        return sig_error(Errc::validation, "signed with key " + seen.id_hex() +
                                               ", which this kiosk does not trust (trusted keys: " +
                                               (pinned.empty() ? std::string("none configured") : pinned) + ")");
    }
    const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
    int rc;
    if (prehashed) {
        unsigned char h[crypto_generichash_BYTES_MAX];
        crypto_generichash(h, sizeof h, msg, message.size(), nullptr, 0);
        rc = crypto_sign_verify_detached(raw + 10, h, sizeof h, key->key.data());
    } else {
        rc = crypto_sign_verify_detached(raw + 10, msg, message.size(), key->key.data());
    }
    if (rc != 0)
        return sig_error(Errc::validation,
                         "signature does not match the manifest (key " + key->id_hex() + "): it was altered or signed by another key");
    std::vector<unsigned char> global(64 + comment.size());
    std::memcpy(global.data(), raw + 10, 64);
    std::memcpy(global.data() + 64, comment.data(), comment.size());
    if (crypto_sign_verify_detached(gsig, global.data(), global.size(), key->key.data()) != 0)
        return sig_error(Errc::validation, "trusted comment signature does not match (the comment was altered)");
    return VerifiedSignature{*key, std::string(comment), prehashed};
}

}  // namespace lasr::crypto
