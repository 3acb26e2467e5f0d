#include "media/content_pack.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "config/log.hpp"
#include "config/regular_file.hpp"
#include "media/crypto.hpp"
#include "playlists/manifest.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;

Error io_error(const std::string& what, const fs::path& p, int err) {
    return make_error(Domain::content, Errc::io, what + " " + p.string() + ": " + std::strerror(err));
}

}  // namespace

Result<FileRef> describe_pack_file(const fs::path& root, const std::string& rel) {
    LASR_TRY(check_pack_path(rel));
    fs::path p = root / rel;
    struct stat sb {};
    if (::lstat(p.c_str(), &sb) != 0) return io_error("cannot stat", p, errno);
    if (!S_ISREG(sb.st_mode))
        return make_error(Domain::content, Errc::unsafe_path, p.string() + " is not a plain file");
    auto hash = crypto::sha256_file(p, static_cast<uint64_t>(sb.st_size));
    if (!hash) return std::move(hash).error();
    return FileRef{rel, *hash, static_cast<uint64_t>(sb.st_size)};
}

Result<fs::path> check_pack_file(const fs::path& root, const FileRef& file) {
    LASR_TRY(check_pack_path(file.path));
    auto refuse = [&](Errc code, const std::string& why) {
        return make_error(Domain::content, code, "pack file " + file.path + " " + why);
    };
    // Every component must be a real directory or, at the end, a regular
    // file: a symlink anywhere could lead out of the pack.
    fs::path p = root;
    fs::path rel(file.path);
    for (auto it = rel.begin(); it != rel.end(); ++it) {
        p /= *it;
        struct stat sb {};
        if (::lstat(p.c_str(), &sb) != 0) {
            if (errno == ENOENT) return refuse(Errc::not_found, "is missing from " + root.string());
            return io_error("cannot stat", p, errno);
        }
        bool last = std::next(it) == rel.end();
        if (S_ISLNK(sb.st_mode)) return refuse(Errc::unsafe_path, "is or passes through a symlink: refused");
        if (last && !S_ISREG(sb.st_mode))
            return refuse(Errc::unsafe_path, std::string("is ") + file_kind(sb.st_mode) + ", not a plain file: refused");
        if (!last && !S_ISDIR(sb.st_mode)) return refuse(Errc::unsafe_path, "passes through a non-directory: refused");
        if (last && static_cast<uint64_t>(sb.st_size) != file.size)
            return refuse(Errc::hash_mismatch, "is " + std::to_string(sb.st_size) + " bytes, the manifest says " +
                                                   std::to_string(file.size) + ": refused");
    }
    return p;
}

Status check_caption_files(const Catalog& cat, const std::function<fs::path(const FileRef&)>& locate) {
    for (size_t ci = 0; ci < cat.courses.size(); ++ci)
        for (size_t vi = 0; vi < cat.courses[ci].videos.size(); ++vi)
            for (const auto& [lang, f] : cat.courses[ci].videos[vi].captions) {
                auto text = read_file_limited(locate(f), kMaxCaptionBytes);
                Status st = text ? check_webvtt(*text) : Status(text.error());
                if (!st) {
                    Error e = std::move(st).error();
                    e.message = "caption file courses[" + std::to_string(ci) + "].videos[" + std::to_string(vi) +
                                "].captions." + lang + " (" + f.path + "): " + e.message;
                    return e;
                }
            }
    return {};
}

Result<std::shared_ptr<ContentPack>> ContentPack::open(const fs::path& dir) {
    // Pinned to the real folder first: when `dir` is a symlink such as the
    // store's `current`, a swap of it never mixes two packs under one object.
    std::error_code ec;
    fs::path real = fs::canonical(dir, ec);
    if (ec) real = fs::absolute(dir);
    fs::path manifest = real / kManifestName;
    auto text = read_file_limited(manifest, kMaxManifestBytes);
    if (!text) {
        Error e = std::move(text).error();
        if (e.code == Errc::not_found)
            e.message = "no content pack at " + dir.string() + " (cannot read " + manifest.string() + ")";
        return e;
    }
    auto cat = parse_manifest(*text);
    if (!cat) {
        Error e = std::move(cat).error();
        e.message = dir.string() + ": " + e.message;
        return e;
    }
    std::shared_ptr<ContentPack> pack(new ContentPack(real, std::move(*cat)));
    for (const FileRef& file : pack->catalog_.all_files()) {
        auto p = check_pack_file(pack->dir_, file);
        if (!p) return std::move(p).error();
    }
    return pack;
}

std::shared_ptr<ContentPack> ContentPack::empty(const fs::path& dir) {
    return std::shared_ptr<ContentPack>(new ContentPack(dir, Catalog{}));
}

Result<fs::path> ContentPack::verified_path(const FileRef& file) {
    auto p = check_pack_file(dir_, file);
    if (!p) return p;
    {
        std::lock_guard lock(mu_);
        if (verified_.count(file.path)) return p;
    }
    auto hash = crypto::sha256_file(*p, file.size);
    if (!hash) return std::move(hash).error();
    if (*hash != file.sha256)
        return make_error(Domain::content, Errc::hash_mismatch,
                          "pack file " + file.path + " has SHA-256 " + *hash + ", the manifest says " + file.sha256);
    std::lock_guard lock(mu_);
    verified_.insert(file.path);
    return p;
}

Status ContentPack::verify_all() {
    for (const FileRef& f : catalog_.all_files()) {
        auto p = verified_path(f);
        if (!p) return std::move(p).error();
    }
    return check_caption_files(catalog_, [&](const FileRef& f) { return dir_ / f.path; });
}

}  // namespace lasr
