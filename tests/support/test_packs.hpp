// Signed content packs for tests and benchmarks: real manifests, real
// Ed25519 signatures, real files on disk (deterministic bytes, so two
// versions share the files they are meant to share).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "media/crypto.hpp"
#include "playlists/catalog.hpp"

namespace lasr::test {

struct PackSpec {
    std::string library_id = "springfield";
    uint64_t version = 1;
    std::string expires;             // RFC 3339, or empty
    size_t videos = 3;
    size_t video_bytes = 4096;
    std::vector<std::string> seeds;  // per video (bytes derive from it); default "v<i>"
    std::string alert;               // an alert title when not empty
    std::string cue;                 // the caption text of each video; default its seed
    bool prehashed = true;
};

struct MadePack {
    Catalog catalog;
    std::string manifest;   // manifest.json bytes
    std::string signature;  // manifest.json.minisig text
    std::map<std::string, std::string> files;  // path -> bytes
    uint64_t total_bytes() const;
};

MadePack make_pack(const PackSpec& spec, const crypto::SecretKey& key);
// Re-signs `manifest` bytes as given (for manifests that are bad on purpose).
std::string sign_bytes(const std::string& manifest, const crypto::SecretKey& key);
// Writes files, manifest.json and (when not empty) manifest.json.minisig.
void write_pack(const MadePack& pack, const std::filesystem::path& dir);
// Runs `fn` on a thread and returns when it does. Should it still be running
// after 60 s (a reader stuck in open(2) of the FIFO `fifo`, which waits for a
// writer), the FIFO is opened and closed for writing until `fn` returns, so
// a regression fails its test instead of hanging the suite; `*released`
// tells. Test on the result, never on the time.
void run_releasing_fifo(const std::filesystem::path& fifo, const std::function<void()>& fn, bool* released);
// `n` bytes derived from `seed` (fast; not random-looking to a compressor, which nobody uses here).
std::string seeded_bytes(const std::string& seed, size_t n);

}  // namespace lasr::test
