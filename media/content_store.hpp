// The kiosk's content store: signed packs, content-addressed files, and
// activation of a new pack in one atomic step.
//
//   <root>/                     (<data_dir>/content)
//     objects/ab/ab12...        every file by its SHA-256, read-only, fsynced
//     packs/v7-1a2b3c4d5e6f-9f0e/  one folder per installed pack: the signed
//                               manifest.json + manifest.json.minisig and a
//                               hard link to each object at its manifest path
//     current -> packs/...      the active pack (a symlink swapped with rename(2))
//     previous -> packs/...     the pack before it, kept for fallback
//     partial/<sha256>.part     downloads in progress (or `download_dir`)
//     state.json                highest version installed, its manifest hash, ETag
//     .lock                     flock(2) held by whoever changes the store
//
// Every pack, from the network or from a folder, passes the same checks
// (check_signed_manifest, then ContentStore::install): a signature by a
// pinned key over the manifest's exact bytes, the manifest format, the
// library id, a version above any installed before, and every file's size
// and SHA-256 before it enters the store. Readers (the kiosk) never lock:
// `current` always names a complete pack, and an opened pack is pinned to
// its own folder, so a swap never mixes two packs.
#pragma once

#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"
#include "media/content_pack.hpp"
#include "media/crypto.hpp"
#include "playlists/catalog.hpp"
#include "playlists/manifest.hpp"  // kMaxManifestBytes, kMaxSignatureBytes

namespace lasr {

// What a kiosk trusts: its library and its pinned keys (current and next).
struct TrustPolicy {
    std::string library_id;
    std::vector<crypto::PublicKey> keys;
};

// A policy from the config's "RW..." key lines (empty ones skipped).
Result<TrustPolicy> make_trust_policy(const std::string& library_id, const std::vector<std::string>& key_lines);

struct SignedManifest {
    std::string bytes;      // manifest.json exactly as signed
    std::string signature;  // manifest.json.minisig
    std::string sha256;     // of bytes
    Catalog catalog;
    std::string signed_by;  // key id (hex)
    std::string trusted_comment;
    bool prehashed = false;
    bool expired = false;   // `expires` has passed: still played, flagged to staff
};

// The checks of a manifest, whatever brought it: the signature first (no
// byte is parsed that a pinned key did not sign), then the format, then the
// library id, and the trusted comment's "library:"/"version:" if present.
// `now` decides `expired`.
Result<SignedManifest> check_signed_manifest(std::string bytes, std::string signature, const TrustPolicy& policy,
                                             std::time_t now);

// A pack folder's manifest.json and manifest.json.minisig as bytes, each
// through read_file_limited (regular files only, within their size limits).
// A missing signature is an empty one (check_signed_manifest refuses it);
// any other problem with either file is an error naming it.
struct PackManifestFiles {
    std::string manifest;
    std::string signature;
};
Result<PackManifestFiles> read_pack_manifest_files(const std::filesystem::path& dir);

// A pack folder's manifest, through read_pack_manifest_files and
// check_signed_manifest.
Result<SignedManifest> read_pack_manifest(const std::filesystem::path& dir, const TrustPolicy& policy,
                                          std::time_t now);

// "2026-11-29T03:04:05Z"
std::string rfc3339_utc(std::time_t t);

struct StoreOptions {
    std::filesystem::path root;          // <data_dir>/content
    std::filesystem::path download_dir;  // empty: <root>/partial
    uint64_t budget_bytes = 0;           // 0: only free disk space limits the store
};

// A pack opened for playing, and how it was found.
struct ActivePack {
    std::shared_ptr<ContentPack> pack;
    SignedManifest manifest;
    bool fallback = false;  // `current` was unusable; this is `previous`
    std::string problem;    // why `current` was skipped, when fallback
};

struct InstallProgress {
    std::string phase;  // "plan", "fetch", "activate", "gc", "done"
    size_t files_done = 0, files_total = 0;
    uint64_t bytes_done = 0, bytes_total = 0;  // of the files to fetch
};
using InstallProgressFn = std::function<void(const InstallProgress&)>;

struct InstallReport {
    bool changed = false;       // a new pack went live
    uint64_t version = 0;
    std::filesystem::path dir;  // the pack folder now current
    size_t files_fetched = 0;   // files that were not in the store yet
    uint64_t bytes_fetched = 0;
    size_t files_reused = 0;    // already in the store (content-addressed)
    bool expired = false;
};

class ContentStore {
public:
    explicit ContentStore(StoreOptions options);

    const StoreOptions& options() const { return opt_; }
    const std::filesystem::path& root() const { return opt_.root; }
    std::filesystem::path download_dir() const;

    // Creates the folders (objects/, packs/, the download folder).
    Status init() const;

    // ---- Reading (the kiosk; never locks, never hashes the files) ----------

    // Opens `current`, checks its signature and format against the policy,
    // checks every file's presence and size; falls back to `previous` when
    // `current` is missing or unusable. Errc::not_found when there is none.
    Result<ActivePack> open_active(const TrustPolicy& policy, std::time_t now) const;

    // The folder `current` (or `previous`) points at, if any.
    std::optional<std::filesystem::path> link_target(std::string_view name) const;

    struct State {
        uint64_t highest_version = 0;  // rollback guard
        std::string manifest_sha256;   // of that version's manifest
        std::string manifest_etag;     // the server's ETag for it (conditional GET)
    };
    State state() const;
    Status save_state(const State& state) const;

    // ---- Changing (sync, import): hold lock() -------------------------------

    class Lock {
    public:
        Lock() = default;
        explicit Lock(int fd) : fd_(fd) {}
        Lock(Lock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
        Lock& operator=(Lock&& o) noexcept;
        ~Lock();

    private:
        int fd_ = -1;
    };
    // Exclusive lock on the store; with wait=false, Errc::unavailable when
    // another process (the kiosk's sync, or kioskctl) holds it.
    Result<Lock> lock(bool wait) const;

    std::filesystem::path object_path(const std::string& sha256) const;
    std::filesystem::path partial_path(const std::string& sha256) const;
    // In the store with the right size (the name is its hash: no rehash).
    bool has_object(const FileRef& file) const;
    // Moves a finished, verified download into the store: fsync, rename (a
    // copy when the download folder is on another file system), read-only,
    // fsync of the folder.
    Status adopt_object(const std::filesystem::path& file, const std::string& sha256) const;
    // Copies `src` (a folder, a USB stick) into the store, hashing as it
    // reads: refuses symlinks, devices, a size or hash that differs.
    Status import_object(const std::filesystem::path& src, const FileRef& file,
                         const std::function<void(uint64_t)>& bytes_progress = {}) const;

    // Refuses a rollback (a version below the highest installed) and a
    // different pack under the version already installed. Returns true when
    // this exact pack is already current and usable (nothing to do).
    Result<bool> admit(const SignedManifest& manifest, const TrustPolicy& policy) const;

    // The files a pack needs that the store lacks (one per SHA-256).
    std::vector<FileRef> missing_files(const Catalog& catalog) const;
    // The budget and free-space check. Refuses a pack larger than the budget
    // or than the free space; returns false when the budget holds the new
    // pack but not the current one beside it (it is then not kept as previous).
    Result<bool> check_space(const SignedManifest& next) const;

    // Fetches one missing file into the store (adopt_object or
    // import_object), reporting bytes of that file as they arrive.
    using FetchFn = std::function<Status(const FileRef&, const std::function<void(uint64_t)>&)>;

    // The whole update, the same for every source: lock, admit, space, fetch
    // what is missing, activate, save the state, collect garbage. The last
    // good pack stays current on any failure.
    Result<InstallReport> install(const SignedManifest& manifest, const TrustPolicy& policy, const FetchFn& fetch,
                                  const InstallProgressFn& progress = {}, const std::string& etag = {});

    // Builds a pack folder from the store's objects and makes it `current`
    // in one rename(2) (the old current becomes `previous`). Caller locks.
    Result<std::filesystem::path> activate(const SignedManifest& manifest) const;

    // Removes pack folders other than current and previous (and unfinished
    // ones), and objects and downloads that neither of them names and whose
    // SHA-256 is not in `keep` (the pack being installed). Caller locks.
    Status collect_garbage(const std::set<std::string>& keep = {}) const;

    // Called at each step that changes the disk ("object_adopted",
    // "pack_linked", "pack_staged", "previous_set", "current_set",
    // "state_saved", "gc_removed"): for logging, and for the crash tests,
    // which SIGKILL the process at these points.
    std::function<void(std::string_view step)> on_step;

private:
    void step(std::string_view name) const {
        if (on_step) on_step(name);
    }
    std::set<std::string> referenced_objects() const;

    StoreOptions opt_;
};

// `lasr-kioskctl import`: installs the signed pack in folder `src` (a USB
// stick, a copied folder) with exactly the checks of the network path.
Result<InstallReport> import_pack(ContentStore& store, const std::filesystem::path& src, const TrustPolicy& policy,
                                  std::time_t now, const InstallProgressFn& progress = {});

}  // namespace lasr
