// Content benchmarks (make bench). Peers run in the same process run, on the
// same files:
//   sha256_ratio_vs_sha256sum   our SHA-256 of a 1 GB file / coreutils' sha256sum
//                               (LASR_BENCH_SHA_MB changes the size)
//   cache_check_ms_1000_files   opening the active pack of a 1,000-file store at
//                               start-up: signature, manifest, every file's
//                               presence and size, no rehash
//   download_ratio_vs_curl      our download (hashed as it arrives, as sync does)
//                               / curl, from the same local nginx (256 MB)
// Ratios are throughput ours / theirs: above 1.0 we are faster.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "kiosk/net/http.hpp"
#include "media/content_store.hpp"
#include "media/crypto.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/http_servers.hpp"
#include "tests/support/test_packs.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double secs_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double time_run(const std::vector<std::string>& argv) {
    auto t0 = Clock::now();
    int rc = lasr::test::run(argv);
    double s = secs_since(t0);
    if (rc != 0) std::fprintf(stderr, "bench: %s failed (%d)\n", argv[0].c_str(), rc);
    return s;
}

void write_big_file(const fs::path& p, uint64_t bytes) {
    std::ofstream f(p, std::ios::binary);
    std::vector<char> block(1 << 20);
    uint64_t x = 88172645463325252ull;
    for (auto& c : block) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>(x);
    }
    for (uint64_t done = 0; done < bytes; done += block.size()) {
        block[done % 977] ^= 1;  // no two blocks alike
        f.write(block.data(), static_cast<std::streamsize>(std::min<uint64_t>(block.size(), bytes - done)));
    }
}

void bench_sha256(const lasr::test::TempDir& tmp) {
    uint64_t mb = 1024;
    if (const char* e = std::getenv("LASR_BENCH_SHA_MB")) mb = std::strtoull(e, nullptr, 10);
    fs::path file = tmp / "big.bin";
    write_big_file(file, mb << 20);
    time_run({"sha256sum", file.string()});  // warms the page cache
    double ours = 1e9, theirs = 1e9;
    for (int i = 0; i < 2; ++i) {
        theirs = std::min(theirs, time_run({"sha256sum", file.string()}));
        auto t0 = Clock::now();
        auto h = lasr::crypto::sha256_file(file);
        ours = std::min(ours, secs_since(t0));
        if (!h) std::fprintf(stderr, "bench: %s\n", h.error().describe().c_str());
    }
    double size_mb = static_cast<double>(mb) * 1.048576;
    std::printf("sha256_file_mb %llu MiB\n", static_cast<unsigned long long>(mb));
    std::printf("sha256_mb_per_s %.0f MB/s\n", size_mb / ours);
    std::printf("sha256sum_mb_per_s %.0f MB/s\n", size_mb / theirs);
    std::printf("sha256_ratio_vs_sha256sum %.2f x\n", theirs / ours);
    std::fflush(stdout);
    fs::remove(file);
}

void bench_cache_check(const lasr::test::TempDir& tmp) {
    auto key = lasr::crypto::generate_keypair();
    lasr::test::PackSpec spec;
    spec.videos = 500;  // 500 videos + 500 captions = 1,000 files
    spec.video_bytes = 2048;
    auto pack = lasr::test::make_pack(spec, key.sec);
    lasr::test::write_pack(pack, tmp / "src");
    lasr::TrustPolicy policy{"springfield", {key.pub}};
    lasr::ContentStore store(lasr::StoreOptions{tmp / "content", {}, 0});
    auto r = lasr::import_pack(store, tmp / "src", policy, std::time(nullptr));
    if (!r) {
        std::fprintf(stderr, "bench: %s\n", r.error().describe().c_str());
        return;
    }
    std::vector<double> ms;
    size_t files = 0;
    for (int i = 0; i < 7; ++i) {
        auto t0 = Clock::now();
        auto a = store.open_active(policy, std::time(nullptr));
        ms.push_back(secs_since(t0) * 1000);
        if (a) files = a->pack->catalog().all_files().size();
    }
    std::sort(ms.begin(), ms.end());
    std::printf("cache_check_files %zu files\n", files);
    std::printf("cache_check_ms_1000_files %.1f ms\n", ms[ms.size() / 2]);
    std::fflush(stdout);
}

void bench_download(const lasr::test::TempDir& tmp) {
    const uint64_t mb = 256;
    fs::create_directories(tmp / "www");
    write_big_file(tmp / "www/big.bin", mb << 20);
    std::string err;
    auto nginx = lasr::test::Nginx::start(tmp / "www", "", &err);
    if (!nginx) {
        std::fprintf(stderr, "bench: %s\n", err.c_str());
        return;
    }
    auto http = lasr::net::HttpClient::create();
    if (!http) return;
    std::string url = nginx->url("/big.bin");
    time_run({"curl", "-s", "-o", (tmp / "warm").string(), url});
    double ours = 1e9, theirs = 1e9, plain = 1e9;
    for (int i = 0; i < 5; ++i) {  // best of five, interleaved: loopback timings are noisy
        fs::remove(tmp / "plain.bin");
        auto tp = Clock::now();
        auto rp = (*http)->download(lasr::net::HttpRequest{"GET", url, {}, {}, {}, {}}, tmp / "plain.bin",
                                    lasr::net::DownloadOptions{});
        plain = std::min(plain, secs_since(tp));
        if (!rp || rp->status != 200) std::fprintf(stderr, "bench: our plain download failed\n");
        fs::remove(tmp / "curl.bin");
        theirs = std::min(theirs, time_run({"curl", "-s", "-o", (tmp / "curl.bin").string(), url}));
        fs::remove(tmp / "ours.bin");
        lasr::crypto::Sha256Pipe h;  // as ContentSync hashes a download
        lasr::net::DownloadOptions o;
        o.on_data = [&](const char* d, size_t n) { h.push(d, n); };
        o.on_restart = [&] { h.reset(); };
        auto t0 = Clock::now();
        auto r = (*http)->download(lasr::net::HttpRequest{"GET", url, {}, {}, {}, {}}, tmp / "ours.bin", o);
        h.finish_hex();
        ours = std::min(ours, secs_since(t0));
        if (!r || r->status != 200) std::fprintf(stderr, "bench: our download failed\n");
    }
    double size_mb = static_cast<double>(mb) * 1.048576;
    std::printf("download_file_mb %llu MiB\n", static_cast<unsigned long long>(mb));
    std::printf("download_mb_per_s %.0f MB/s\n", size_mb / ours);
    std::printf("curl_mb_per_s %.0f MB/s\n", size_mb / theirs);
    std::printf("download_ratio_vs_curl %.2f x\n", theirs / ours);
    std::printf("download_unhashed_ratio_vs_curl %.2f x\n", theirs / plain);
    std::fflush(stdout);
}

}  // namespace

int main() {
    lasr::test::TempDir tmp;
    // LASR_BENCH_ONLY=sha256|cache|download runs one part.
    const char* only = std::getenv("LASR_BENCH_ONLY");
    auto want = [&](const char* part) { return !only || std::string(only) == part; };
    if (want("sha256")) bench_sha256(tmp);
    if (want("cache")) bench_cache_check(tmp);
    if (want("download")) bench_download(tmp);
    return 0;
}
