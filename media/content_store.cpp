#include "media/content_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <vector>

#include "config/log.hpp"
#include "media/durable.hpp"
#include "playlists/manifest.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;

Error io_error(const std::string& what, const fs::path& p, int err) {
    return make_error(Domain::content, Errc::io, what + " " + p.string() + ": " + std::strerror(err));
}

std::string mb(uint64_t bytes) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return b;
}

// Whitespace-separated "key:value" tokens of a trusted comment.
std::map<std::string, std::string> comment_tokens(const std::string& comment) {
    std::map<std::string, std::string> out;
    std::istringstream in(comment);
    std::string tok;
    while (in >> tok) {
        auto colon = tok.find(':');
        if (colon != std::string::npos && colon > 0) out[tok.substr(0, colon)] = tok.substr(colon + 1);
    }
    return out;
}

bool is_sha256(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// Unique files of a catalog by SHA-256.
std::vector<FileRef> unique_by_hash(const Catalog& cat) {
    std::set<std::string> seen;
    std::vector<FileRef> out;
    for (const auto& f : cat.all_files())
        if (seen.insert(f.sha256).second) out.push_back(f);
    return out;
}

// Copies an open file descriptor's content to `dst` (created), hashing it;
// at most `limit` bytes are accepted.
Status copy_fd_hashing(int in, const fs::path& dst, uint64_t limit, crypto::Sha256& hash, uint64_t& copied,
                       const std::function<void(uint64_t)>& progress) {
    int out = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (out < 0) return io_error("cannot create", dst, errno);
    std::vector<char> buf(1 << 20);
    copied = 0;
    for (;;) {
        ssize_t n = ::read(in, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(out);
            return make_error(Domain::content, Errc::io, std::string("cannot read the source: ") + std::strerror(err));
        }
        if (n == 0) break;
        copied += static_cast<uint64_t>(n);
        if (copied > limit) {
            ::close(out);
            return make_error(Domain::content, Errc::hash_mismatch, "is larger than the manifest says");
        }
        hash.update(buf.data(), static_cast<size_t>(n));
        size_t done = 0;
        while (done < static_cast<size_t>(n)) {
            ssize_t w = ::write(out, buf.data() + done, static_cast<size_t>(n) - done);
            if (w < 0) {
                if (errno == EINTR) continue;
                int err = errno;
                ::close(out);
                return io_error("cannot write", dst, err);
            }
            done += static_cast<size_t>(w);
        }
        if (progress) progress(copied);
    }
    if (::fsync(out) != 0) {
        int err = errno;
        ::close(out);
        return io_error("cannot fsync", dst, err);
    }
    if (::close(out) != 0) return io_error("cannot close", dst, errno);
    return {};
}

// The directories from `root` down to (and including) each pack path's parent.
void parent_dirs(const fs::path& root, const std::string& rel, std::set<fs::path>& out) {
    fs::path p = root;
    fs::path r(rel);
    for (auto it = r.begin(); it != r.end(); ++it) {
        if (std::next(it) == r.end()) break;
        p /= *it;
        out.insert(p);
    }
}

uint64_t free_bytes(const fs::path& dir) {
    struct statvfs vf {};
    if (::statvfs(dir.c_str(), &vf) != 0) return UINT64_MAX;
    return static_cast<uint64_t>(vf.f_bavail) * static_cast<uint64_t>(vf.f_frsize);
}

}  // namespace

std::string rfc3339_utc(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

Result<TrustPolicy> make_trust_policy(const std::string& library_id, const std::vector<std::string>& key_lines) {
    TrustPolicy p;
    p.library_id = library_id;
    for (const auto& line : key_lines) {
        if (line.empty()) continue;
        auto k = crypto::parse_public_key(line);
        if (!k) {
            Error e = std::move(k).error();
            e.domain = Domain::config;
            e.message = "content public key \"" + line + "\": " + e.message;
            return e;
        }
        p.keys.push_back(*k);
    }
    return p;
}

Result<SignedManifest> check_signed_manifest(std::string bytes, std::string signature, const TrustPolicy& policy,
                                             std::time_t now) {
    if (bytes.size() > kMaxManifestBytes)
        return make_error(Domain::content, Errc::validation,
                          "manifest is " + std::to_string(bytes.size()) + " bytes, more than the " +
                              std::to_string(kMaxManifestBytes) + " allowed");
    if (signature.empty())
        return make_error(Domain::content, Errc::validation,
                          "the pack is not signed (no manifest.json.minisig): refused");
    if (policy.keys.empty())
        return make_error(Domain::config, Errc::validation,
                          "no public key is configured (content.public_key): no pack can be trusted");
    auto sig = crypto::verify(bytes, signature, policy.keys);
    if (!sig) {
        Error e = std::move(sig).error();
        e.message = "bad signature: " + e.message;
        return e;
    }
    auto cat = parse_manifest(bytes);
    if (!cat) return std::move(cat).error();
    SignedManifest m;
    m.catalog = std::move(*cat);
    if (m.catalog.info.library_id != policy.library_id)
        return make_error(Domain::content, Errc::validation,
                          "manifest library_id: the pack is for library \"" + m.catalog.info.library_id +
                              "\", this kiosk belongs to \"" +
                              policy.library_id + "\": refused");
    auto tokens = comment_tokens(sig->trusted_comment);
    if (auto it = tokens.find("library"); it != tokens.end() && it->second != m.catalog.info.library_id)
        return make_error(Domain::content, Errc::validation,
                          "the signature's trusted comment names library \"" + it->second + "\", the manifest \"" +
                              m.catalog.info.library_id + "\"");
    if (auto it = tokens.find("version"); it != tokens.end() && it->second != std::to_string(m.catalog.info.version))
        return make_error(Domain::content, Errc::validation,
                          "the signature's trusted comment names version " + it->second + ", the manifest " +
                              std::to_string(m.catalog.info.version));
    m.sha256 = crypto::sha256_hex(bytes);
    m.bytes = std::move(bytes);
    m.signature = std::move(signature);
    m.signed_by = sig->key.id_hex();
    m.trusted_comment = sig->trusted_comment;
    m.prehashed = sig->prehashed;
    m.expired = !m.catalog.info.expires.empty() && m.catalog.info.expires <= rfc3339_utc(now);
    return m;
}

// ---- ContentStore ------------------------------------------------------------

ContentStore::Lock& ContentStore::Lock::operator=(Lock&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.fd_;
        o.fd_ = -1;
    }
    return *this;
}

ContentStore::Lock::~Lock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
}

ContentStore::ContentStore(StoreOptions options) : opt_(std::move(options)) {}

fs::path ContentStore::download_dir() const {
    return opt_.download_dir.empty() ? opt_.root / "partial" : opt_.download_dir;
}

Status ContentStore::init() const {
    std::error_code ec;
    for (const fs::path& d : {opt_.root / "objects", opt_.root / "packs", download_dir()}) {
        fs::create_directories(d, ec);
        if (ec) return make_error(Domain::content, Errc::io, "cannot create " + d.string() + ": " + ec.message());
    }
    return {};
}

Result<ContentStore::Lock> ContentStore::lock(bool wait) const {
    LASR_TRY(init());
    fs::path p = opt_.root / ".lock";
    int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return io_error("cannot open", p, errno);
    while (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK)
            return make_error(Domain::content, Errc::unavailable,
                              "the content store " + opt_.root.string() + " is being updated by another process");
        return io_error("cannot lock", p, err);
    }
    return Lock(fd);
}

std::optional<fs::path> ContentStore::link_target(std::string_view name) const {
    std::error_code ec;
    fs::path target = fs::read_symlink(opt_.root / name, ec);
    if (ec) return std::nullopt;
    // Only "packs/<name>" is ever written; anything else is not ours.
    auto it = target.begin();
    if (target.is_absolute() || it == target.end() || *it != "packs" || ++it == target.end()) return std::nullopt;
    std::string leaf = it->string();
    if (++it != target.end() || leaf.empty() || leaf[0] == '.' || check_pack_path(leaf).ok() == false)
        return std::nullopt;
    return opt_.root / target;
}

ContentStore::State ContentStore::state() const {
    State s;
    auto text = read_file_limited(opt_.root / "state.json", 64 * 1024);
    if (!text) return s;
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return s;
    // A version beyond the manifest's range can only have been written
    // before versions were bounded (by a pack that is now refused): it is
    // ignored, so such a store takes updates again instead of refusing
    // every one as a rollback.
    if (j.contains("highest_version") && j["highest_version"].is_number_unsigned() &&
        j["highest_version"].get<uint64_t>() <= kMaxPackVersion)
        s.highest_version = j["highest_version"].get<uint64_t>();
    if (j.contains("manifest_sha256") && j["manifest_sha256"].is_string())
        s.manifest_sha256 = j["manifest_sha256"].get<std::string>();
    if (j.contains("manifest_etag") && j["manifest_etag"].is_string())
        s.manifest_etag = j["manifest_etag"].get<std::string>();
    return s;
}

Status ContentStore::save_state(const State& s) const {
    nlohmann::json j{{"highest_version", s.highest_version},
                     {"manifest_sha256", s.manifest_sha256},
                     {"manifest_etag", s.manifest_etag}};
    return write_file_atomic(opt_.root / "state.json", j.dump(2) + "\n");
}

Result<PackManifestFiles> read_pack_manifest_files(const fs::path& dir) {
    PackManifestFiles out;
    auto bytes = read_file_limited(dir / kManifestName, kMaxManifestBytes);
    if (!bytes) return std::move(bytes).error();
    out.manifest = std::move(*bytes);
    auto sig = read_file_limited(dir / kSignatureName, kMaxSignatureBytes);
    if (sig) out.signature = std::move(*sig);
    else if (sig.error().code != Errc::not_found) return std::move(sig).error();
    return out;
}

Result<SignedManifest> read_pack_manifest(const fs::path& dir, const TrustPolicy& policy, std::time_t now) {
    auto files = read_pack_manifest_files(dir);
    if (!files) return std::move(files).error();
    return check_signed_manifest(std::move(files->manifest), std::move(files->signature), policy, now);
}

Result<ActivePack> ContentStore::open_active(const TrustPolicy& policy, std::time_t now) const {
    std::string problems;
    for (std::string_view name : {"current", "previous"}) {
        auto dir = link_target(name);
        if (!dir) {
            if (name == "current") problems = "no current pack";
            continue;
        }
        auto m = read_pack_manifest(*dir, policy, now);
        auto pack = m ? ContentPack::open(*dir) : Result<std::shared_ptr<ContentPack>>(m.error());
        if (m && pack) {
            ActivePack a{std::move(*pack), std::move(*m), name == "previous", problems};
            if (a.fallback) log::warn("content", "fallback to the previous pack: " + problems);
            return a;
        }
        std::string why = std::string(name) + " pack " + dir->filename().string() + ": " + pack.error().describe();
        log::error("content", why);
        problems += (problems.empty() ? "" : "; ") + why;
    }
    return make_error(Domain::content, Errc::not_found,
                      "no usable content pack in " + opt_.root.string() + (problems.empty() ? "" : " (" + problems + ")"));
}

fs::path ContentStore::object_path(const std::string& sha) const {
    return opt_.root / "objects" / sha.substr(0, 2) / sha;
}

fs::path ContentStore::partial_path(const std::string& sha) const { return download_dir() / (sha + ".part"); }

bool ContentStore::has_object(const FileRef& f) const {
    struct stat sb {};
    if (!is_sha256(f.sha256)) return false;
    return ::lstat(object_path(f.sha256).c_str(), &sb) == 0 && S_ISREG(sb.st_mode) &&
           static_cast<uint64_t>(sb.st_size) == f.size;
}

Status ContentStore::adopt_object(const fs::path& file, const std::string& sha) const {
    if (!is_sha256(sha)) return make_error(Domain::content, Errc::invalid_argument, "not a SHA-256: " + sha);
    LASR_TRY(fsync_path(file));
    fs::path dest = object_path(sha);
    std::error_code ec;
    fs::create_directories(dest.parent_path(), ec);
    if (ec) return make_error(Domain::content, Errc::io, "cannot create " + dest.parent_path().string() + ": " + ec.message());
    ::chmod(file.c_str(), 0444);
    if (std::rename(file.c_str(), dest.c_str()) != 0) {
        if (errno != EXDEV) return io_error("cannot move a download into the store:", dest, errno);
        // The download folder is on another file system: copy, then rename.
        int in = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (in < 0) return io_error("cannot open", file, errno);
        fs::path tmp = dest;
        tmp += ".tmp";
        crypto::Sha256 h;
        uint64_t n = 0;
        auto st = copy_fd_hashing(in, tmp, UINT64_MAX, h, n, {});
        ::close(in);
        if (!st) return st;
        if (h.finish_hex() != sha) {
            ::unlink(tmp.c_str());
            return make_error(Domain::content, Errc::hash_mismatch, "copy of " + file.string() + " differs");
        }
        ::chmod(tmp.c_str(), 0444);
        if (std::rename(tmp.c_str(), dest.c_str()) != 0) return io_error("cannot rename into place", dest, errno);
        ::unlink(file.c_str());
    }
    LASR_TRY(fsync_path(dest.parent_path()));
    step("object_adopted");
    return {};
}

Status ContentStore::import_object(const fs::path& src, const FileRef& f,
                                   const std::function<void(uint64_t)>& progress) const {
    auto refuse = [&](Errc code, const std::string& why) {
        return make_error(Domain::content, code, "pack file " + f.path + " " + why);
    };
    auto p = check_pack_file(src, f);
    if (!p) return std::move(p).error();
    auto in = open_regular_file(*p, f.size);
    if (!in) return std::move(in).error();
    fs::path part = partial_path(f.sha256);
    crypto::Sha256 h;
    uint64_t n = 0;
    auto st = copy_fd_hashing(in->fd(), part, f.size, h, n, progress);
    if (!st) {
        ::unlink(part.c_str());
        Error e = std::move(st).error();
        e.message = "pack file " + f.path + " " + e.message;
        return e;
    }
    std::string got = h.finish_hex();
    if (n != f.size || got != f.sha256) {
        ::unlink(part.c_str());
        return refuse(Errc::hash_mismatch, "has SHA-256 " + got + " (" + std::to_string(n) + " bytes), the manifest says " +
                                               f.sha256 + ": refused");
    }
    return adopt_object(part, f.sha256);
}

std::vector<FileRef> ContentStore::missing_files(const Catalog& cat) const {
    std::vector<FileRef> out;
    for (auto& f : unique_by_hash(cat))
        if (!has_object(f)) out.push_back(f);
    return out;
}

Result<bool> ContentStore::check_space(const SignedManifest& next) const {
    // After the update the store keeps the new pack and the one now current
    // (as previous); anything else is collected.
    std::map<std::string, uint64_t> keep;
    for (const auto& f : unique_by_hash(next.catalog)) keep[f.sha256] = f.size;
    uint64_t pack_bytes = 0;
    for (const auto& [h, s] : keep) pack_bytes += s;
    if (auto cur = link_target("current")) {
        auto text = read_file_limited(*cur / kManifestName, kMaxManifestBytes);
        auto cat = text ? parse_manifest(*text) : Result<Catalog>(text.error());
        if (cat)
            for (const auto& f : cat->all_files()) keep.emplace(f.sha256, f.size);
    }
    uint64_t total = 0, fetch = 0;
    for (const auto& [h, s] : keep) total += s;
    for (const auto& f : missing_files(next.catalog)) fetch += f.size;
    const std::string what = "pack version " + std::to_string(next.catalog.info.version);
    if (opt_.budget_bytes > 0 && pack_bytes > opt_.budget_bytes)
        return make_error(Domain::content, Errc::validation,
                          what + " needs " + mb(pack_bytes) + ", more than the disk budget of " + mb(opt_.budget_bytes) +
                              " (content.disk_budget_mb): it does not fit; the current pack stays");
    bool keep_previous = !(opt_.budget_bytes > 0 && total > opt_.budget_bytes);
    if (!keep_previous)
        log::warn("content", what + " and the current pack together need " + mb(total) + ", more than the budget of " +
                                 mb(opt_.budget_bytes) + ": the current pack will not be kept for fallback");
    constexpr uint64_t kMargin = 32u << 20;
    uint64_t avail = std::min(free_bytes(opt_.root), free_bytes(download_dir()));
    if (fetch + kMargin > avail)
        return make_error(Domain::content, Errc::io,
                          what + " needs " + mb(fetch) + " more on disk, only " + mb(avail) +
                              " are free: it does not fit; the current pack stays");
    return keep_previous;
}

Result<bool> ContentStore::admit(const SignedManifest& m, const TrustPolicy& policy) const {
    State s = state();
    uint64_t v = m.catalog.info.version;
    uint64_t highest = s.highest_version;
    std::string highest_sha = s.manifest_sha256;
    // The current pack counts even if state.json is behind it (a crash
    // between the swap and the state write) or lost.
    if (auto cur = link_target("current")) {
        auto text = read_file_limited(*cur / kManifestName, kMaxManifestBytes);
        if (text)
            if (auto cat = parse_manifest(*text); cat && cat->info.version >= highest) {
                if (cat->info.version > highest || highest_sha.empty()) highest_sha = crypto::sha256_hex(*text);
                highest = cat->info.version;
            }
    }
    if (v < highest)
        return make_error(Domain::content, Errc::validation,
                          "pack version " + std::to_string(v) + " is older than version " + std::to_string(highest) +
                              " already installed: a rollback is refused");
    if (v == highest) {
        if (!highest_sha.empty() && highest_sha != m.sha256)
            return make_error(Domain::content, Errc::validation,
                              "pack version " + std::to_string(v) +
                                  " differs from the version already installed under that number: a changed pack "
                                  "needs a higher version; refused");
        // The same pack: nothing to do if current is it and usable.
        if (auto cur = link_target("current")) {
            auto cm = read_pack_manifest(*cur, policy, std::time(nullptr));
            if (cm && cm->sha256 == m.sha256 && ContentPack::open(*cur)) return true;
        }
    }
    return false;
}

Result<fs::path> ContentStore::activate(const SignedManifest& m) const {
    LASR_TRY(init());
    const Catalog& cat = m.catalog;
    std::string name = "v" + std::to_string(cat.info.version) + "-" + m.sha256.substr(0, 12) + "-" + crypto::random_hex(2);
    fs::path packs = opt_.root / "packs";
    fs::path staging = packs / ("." + name + ".staging");
    std::error_code ec;
    fs::remove_all(staging, ec);
    if (!fs::create_directory(staging, ec) || ec)
        return make_error(Domain::content, Errc::io, "cannot create " + staging.string() + ": " + ec.message());

    // Hard links to the objects at the manifest's paths.
    std::set<fs::path> dirs{staging};
    std::set<std::string> linked;
    for (const auto& f : cat.all_files()) {
        if (!linked.insert(f.path).second) continue;
        LASR_TRY(check_pack_path(f.path));
        parent_dirs(staging, f.path, dirs);
        fs::path dest = staging / f.path;
        fs::create_directories(dest.parent_path(), ec);
        if (ec) return make_error(Domain::content, Errc::io, "cannot create " + dest.parent_path().string() + ": " + ec.message());
        if (!has_object(f))
            return make_error(Domain::content, Errc::not_found, "pack file " + f.path + " is not in the store");
        if (::link(object_path(f.sha256).c_str(), dest.c_str()) != 0) return io_error("cannot link", dest, errno);
        step("pack_linked");
    }
    LASR_TRY(write_file_synced(staging / kSignatureName, m.signature));
    LASR_TRY(write_file_synced(staging / kManifestName, m.bytes));
    // Deepest first, so every entry is durable before the folder that names it.
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) LASR_TRY(fsync_path(*it));
    fs::path final_dir = packs / name;
    if (std::rename(staging.c_str(), final_dir.c_str()) != 0) return io_error("cannot rename", final_dir, errno);
    LASR_TRY(fsync_path(packs));
    step("pack_staged");

    // The old current becomes previous; then the one atomic step.
    std::error_code lec;
    fs::path old = fs::read_symlink(opt_.root / "current", lec);
    if (!lec && old != fs::path("packs") / name && link_target("current")) {
        LASR_TRY(replace_symlink_atomic(opt_.root / "previous", old));
        step("previous_set");
    }
    LASR_TRY(replace_symlink_atomic(opt_.root / "current", fs::path("packs") / name));
    step("current_set");
    return final_dir;
}

std::set<std::string> ContentStore::referenced_objects() const {
    std::set<std::string> out;
    for (std::string_view name : {"current", "previous"}) {
        auto dir = link_target(name);
        if (!dir) continue;
        auto text = read_file_limited(*dir / kManifestName, kMaxManifestBytes);
        auto cat = text ? parse_manifest(*text) : Result<Catalog>(text.error());
        if (!cat) {
            out.insert("*");  // unreadable: keep every object
            continue;
        }
        for (const auto& f : cat->all_files()) out.insert(f.sha256);
    }
    return out;
}

Status ContentStore::collect_garbage(const std::set<std::string>& keep) const {
    std::error_code ec;
    std::set<std::string> live_packs;
    for (std::string_view name : {"current", "previous"})
        if (auto d = link_target(name)) live_packs.insert(d->filename().string());
    size_t removed = 0;
    for (const auto& e : fs::directory_iterator(opt_.root / "packs", ec)) {
        std::string n = e.path().filename().string();
        if (live_packs.count(n)) continue;
        fs::remove_all(e.path(), ec);
        if (ec) return make_error(Domain::content, Errc::io, "cannot remove " + e.path().string() + ": " + ec.message());
        ++removed;
        step("gc_removed");
    }
    std::set<std::string> refs = referenced_objects();
    if (!refs.count("*")) {
        for (const auto& sub : fs::directory_iterator(opt_.root / "objects", ec)) {
            std::error_code ec2;
            for (const auto& e : fs::directory_iterator(sub.path(), ec2)) {
                std::string n = e.path().filename().string();
                if (refs.count(n) || keep.count(n)) continue;
                fs::remove(e.path(), ec2);
                ++removed;
                step("gc_removed");
            }
            if (fs::is_empty(sub.path(), ec2)) fs::remove(sub.path(), ec2);
        }
    }
    for (const auto& e : fs::directory_iterator(download_dir(), ec)) {
        std::string n = e.path().filename().string();
        std::string sha = n.substr(0, 64);
        if (keep.count(sha)) continue;
        std::error_code ec2;
        fs::remove(e.path(), ec2);
        ++removed;
    }
    // Leftovers of an interrupted symlink swap or state write.
    for (const auto& e : fs::directory_iterator(opt_.root, ec)) {
        std::string n = e.path().filename().string();
        if (n.find(".tmp-") != std::string::npos) fs::remove(e.path(), ec);
    }
    if (removed) log::info("content", "gc removed=" + std::to_string(removed));
    return {};
}

Result<InstallReport> ContentStore::install(const SignedManifest& m, const TrustPolicy& policy, const FetchFn& fetch,
                                            const InstallProgressFn& progress, const std::string& etag) {
    auto lk = lock(true);
    if (!lk) return std::move(lk).error();
    InstallReport report;
    report.version = m.catalog.info.version;
    report.expired = m.expired;
    auto same = admit(m, policy);
    if (!same) return std::move(same).error();
    if (*same) {
        // Already live; repair a state.json left behind by a crash, and
        // finish a collection that was cut short.
        State s = state();
        State want{m.catalog.info.version, m.sha256, etag.empty() ? s.manifest_etag : etag};
        if (s.highest_version != want.highest_version || s.manifest_sha256 != want.manifest_sha256 ||
            s.manifest_etag != want.manifest_etag)
            LASR_TRY(save_state(want));
        if (auto st = collect_garbage(); !st) log::error(st.error());
        report.dir = *link_target("current");
        return report;
    }
    auto keep_previous = check_space(m);
    if (!keep_previous) return std::move(keep_previous).error();
    // Make room first: what neither the current nor the new pack needs goes.
    std::set<std::string> wanted;
    for (const auto& f : m.catalog.all_files()) wanted.insert(f.sha256);
    LASR_TRY(collect_garbage(wanted));

    InstallProgress p;
    auto missing = missing_files(m.catalog);
    p.phase = "fetch";
    p.files_total = missing.size();
    for (const auto& f : missing) p.bytes_total += f.size;
    report.files_reused = unique_by_hash(m.catalog).size() - missing.size();
    if (progress) progress(p);
    for (const auto& f : missing) {
        uint64_t base = p.bytes_done;
        auto st = fetch(f, [&](uint64_t file_bytes) {
            p.bytes_done = base + std::min(file_bytes, f.size);
            if (progress) progress(p);
        });
        if (!st) return std::move(st).error();
        if (!has_object(f))
            return make_error(Domain::content, Errc::internal, "pack file " + f.path + " did not arrive in the store");
        p.bytes_done = base + f.size;
        ++p.files_done;
        report.bytes_fetched += f.size;
        ++report.files_fetched;
        if (progress) progress(p);
    }
    // Cue lengths are a rule of the format too: checked once the captions
    // are in the store (hashed), before the pack can go live.
    LASR_TRY(check_caption_files(m.catalog, [&](const FileRef& f) { return object_path(f.sha256); }));
    p.phase = "activate";
    if (progress) progress(p);
    auto dir = activate(m);
    if (!dir) return std::move(dir).error();
    State s;
    s.highest_version = m.catalog.info.version;
    s.manifest_sha256 = m.sha256;
    s.manifest_etag = etag;
    LASR_TRY(save_state(s));
    step("state_saved");
    if (!*keep_previous) ::unlink((opt_.root / "previous").c_str());
    p.phase = "gc";
    if (progress) progress(p);
    if (auto st = collect_garbage(); !st) log::error(st.error());  // the new pack is live regardless
    p.phase = "done";
    if (progress) progress(p);
    report.changed = true;
    report.dir = *dir;
    log::info("content", "activated version=" + std::to_string(report.version) + " files_fetched=" +
                             std::to_string(report.files_fetched) + " bytes_fetched=" + std::to_string(report.bytes_fetched) +
                             " files_reused=" + std::to_string(report.files_reused) + (m.expired ? " expired=1" : ""));
    if (m.expired)
        log::warn("content", "pack version " + std::to_string(report.version) + " expired at " + m.catalog.info.expires +
                                 ": it still plays; publish a new one");
    return report;
}

Result<InstallReport> import_pack(ContentStore& store, const fs::path& src, const TrustPolicy& policy, std::time_t now,
                                  const InstallProgressFn& progress) {
    auto files = read_pack_manifest_files(src);
    if (!files) {
        Error e = std::move(files).error();
        e.message = (e.code == Errc::not_found ? "no content pack in " : "cannot read the pack in ") + src.string() +
                    ": " + e.message;
        return e;
    }
    auto m = check_signed_manifest(std::move(files->manifest), std::move(files->signature), policy, now);
    if (!m) return std::move(m).error();
    // The folder must hold the whole pack as its manifest says, even the
    // files the store already has (those are not copied, nor hashed again:
    // the store's copy was hashed when it was stored).
    for (const auto& f : m->catalog.all_files()) {
        auto p = check_pack_file(src, f);
        if (!p) return std::move(p).error();
    }
    return store.install(*m, policy,
                         [&](const FileRef& f, const std::function<void(uint64_t)>& bytes_progress) {
                             return store.import_object(src, f, bytes_progress);
                         },
                         progress);
}

}  // namespace lasr
