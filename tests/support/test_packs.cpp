#include "tests/support/test_packs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "playlists/manifest.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr::test {

uint64_t MadePack::total_bytes() const {
    uint64_t n = 0;
    for (const auto& [p, b] : files) n += b.size();
    return n;
}

std::string seeded_bytes(const std::string& seed, size_t n) {
    std::string block = crypto::sha256_hex(seed);
    std::string out;
    out.reserve(n);
    uint64_t i = 0;
    while (out.size() < n) {
        std::string line = block + ":" + std::to_string(i++) + "\n";
        out.append(line, 0, std::min(line.size(), n - out.size()));
    }
    return out;
}

std::string sign_bytes(const std::string& manifest, const crypto::SecretKey& key) {
    return crypto::sign(manifest, key, {"test pack", "signature from a test key", true});
}

MadePack make_pack(const PackSpec& spec, const crypto::SecretKey& key) {
    MadePack p;
    Catalog& c = p.catalog;
    c.info.library_id = spec.library_id;
    c.info.library_name = "Springfield Public Library";
    c.info.version = spec.version;
    c.info.issued = "2026-01-01T00:00:00Z";
    c.info.expires = spec.expires;
    c.info.languages = {"en"};
    Course course;
    course.id = "c1";
    course.title.by_lang["en"] = "Course one";
    for (size_t i = 0; i < spec.videos; ++i) {
        std::string seed = i < spec.seeds.size() ? spec.seeds[i] : "v" + std::to_string(i);
        Video v;
        v.id = "v" + std::to_string(i);
        v.title.by_lang["en"] = "Video " + std::to_string(i);
        v.duration_s = 2;
        std::string bytes = seeded_bytes(seed, spec.video_bytes);
        // Named by hash, as `lasr-kioskctl pack` names them.
        std::string sha = crypto::sha256_hex(bytes);
        v.file = FileRef{"files/" + sha + ".mp4", sha, bytes.size()};
        p.files[v.file.path] = bytes;
        std::string vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\n" + (spec.cue.empty() ? seed : spec.cue) + "\n";
        std::string vsha = crypto::sha256_hex(vtt);
        v.captions["en"] = FileRef{"files/" + vsha + ".vtt", vsha, vtt.size()};
        p.files[v.captions["en"].path] = vtt;
        course.videos.push_back(v);
    }
    c.courses.push_back(course);
    Resource r;
    r.id = "r-988";
    r.name = "988 Suicide & Crisis Lifeline";
    r.category = "crisis";
    r.description.by_lang["en"] = "Call or text 988.";
    r.phone = "988";
    c.resources.push_back(r);
    if (!spec.alert.empty()) {
        Alert a;
        a.id = "alert-1";
        a.severity = "warning";
        a.title.by_lang["en"] = spec.alert;
        c.alerts.push_back(a);
    }
    p.manifest = write_manifest(c);
    crypto::SignOptions so;
    so.trusted_comment = "lasr-pack library:" + spec.library_id + " version:" + std::to_string(spec.version);
    so.prehashed = spec.prehashed;
    p.signature = crypto::sign(p.manifest, key, so);
    return p;
}

void run_releasing_fifo(const std::filesystem::path& fifo, const std::function<void()>& fn, bool* released) {
    std::promise<void> done;
    auto finished = done.get_future();
    std::thread t([&] {
        fn();
        done.set_value();
    });
    *released = false;
    if (finished.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
        *released = true;
        while (finished.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
            int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd >= 0) ::close(fd);
        }
    }
    t.join();
}

void write_pack(const MadePack& pack, const std::filesystem::path& dir) {
    for (const auto& [path, bytes] : pack.files) write_file(dir / path, bytes);
    write_file(dir / "manifest.json", pack.manifest);
    if (!pack.signature.empty()) write_file(dir / "manifest.json.minisig", pack.signature);
}

}  // namespace lasr::test
