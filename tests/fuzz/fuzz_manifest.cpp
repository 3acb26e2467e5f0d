// libFuzzer target: the manifest parser and the signature check, the two
// places where bytes from the network or a USB stick are read first.
//
// Input: manifest bytes, optionally a NUL byte and then signature text. Each
// run: parse_manifest (and, when it parses, write_manifest must read back the
// same catalog), parse_public_key, crypto::verify, and check_signed_manifest
// with a pinned key. The corpus (tests/fuzz/corpus) holds a manifest signed
// by that key; its secret key was thrown away when the corpus was made.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "media/content_store.hpp"
#include "media/crypto.hpp"
#include "playlists/manifest.hpp"

namespace {

const char* kPinned = "RWSvRVcA68bo9660KkqflXZbu9XWo0u659aKmpM4Ir8nfkdF/A+xNRnh";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string input(reinterpret_cast<const char*>(data), size);
    std::string manifest = input, signature;
    if (auto nul = input.find('\0'); nul != std::string::npos) {
        manifest = input.substr(0, nul);
        signature = input.substr(nul + 1);
    }
    auto cat = lasr::parse_manifest(manifest);
    if (cat) {
        auto again = lasr::parse_manifest(lasr::write_manifest(*cat));
        if (!again) std::abort();  // what we write we must read
        if (again->all_files().size() != cat->all_files().size()) std::abort();
    }
    (void)lasr::crypto::parse_public_key(input);
    static const auto pinned = *lasr::crypto::parse_public_key(kPinned);
    (void)lasr::crypto::verify(manifest, signature, {pinned});
    lasr::TrustPolicy policy{"springfield", {pinned}};
    auto m = lasr::check_signed_manifest(manifest, signature, policy, 1'800'000'000);
    if (m && m->catalog.info.library_id != "springfield") std::abort();
    return 0;
}
