// Content subcommands: keygen, pack, verify, import, sync-content.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>

#include "config/config.hpp"
#include "kiosk/ctl/commands.hpp"
#include "kiosk/ctl/pack_builder.hpp"
#include "kiosk/sync/content_sync.hpp"
#include "media/content_pack.hpp"
#include "media/content_store.hpp"
#include "media/durable.hpp"
#include "playlists/manifest.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;

int fail(const std::string& command, const Error& e) {
    std::cerr << command << ": " << e.describe() << "\n";
    return 1;
}

std::string mb(uint64_t bytes) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", static_cast<double>(bytes) / 1e6);
    return b;
}

Result<Config> load_config(const std::string& path) {
    std::optional<fs::path> p;
    if (!path.empty()) p = path;
    else p = default_config_path();
    if (!p) return Config{};
    return load_config_file(*p);
}

// Writes a new file with `mode`, refusing to replace one unless `force`.
Status write_new_file(const fs::path& path, const std::string& bytes, mode_t mode, bool force) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
    int fd = ::open(path.c_str(), flags, mode);
    if (fd < 0) {
        if (errno == EEXIST)
            return make_error(Domain::content, Errc::invalid_argument,
                              path.string() + " already exists (--force replaces it; the old key is then lost)");
        return make_error(Domain::content, Errc::io, "cannot create " + path.string() + ": " + std::strerror(errno));
    }
    ::fchmod(fd, mode);
    bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return make_error(Domain::content, Errc::io, "cannot write " + path.string());
    return {};
}

int run_keygen(const fs::path& key, const fs::path& pub, bool force) {
    auto kp = crypto::generate_keypair();
    if (auto st = write_new_file(key, crypto::secret_key_file(kp.sec), 0600, force); !st) return fail("keygen", st.error());
    if (auto st = write_new_file(pub, crypto::public_key_file(kp.pub), 0644, force); !st) return fail("keygen", st.error());
    std::cout << "secret key " << key.string() << " (keep it offline; mode 0600)\n"
              << "public key " << pub.string() << " id " << kp.pub.id_hex() << "\n"
              << "for kiosk.toml:\n  [content]\n  public_key = \"" << kp.pub.base64() << "\"\n";
    return 0;
}

// A key given as a file (.pub) or as the "RW..." line itself.
Result<crypto::PublicKey> read_public_key(const std::string& arg) {
    std::error_code ec;
    if (fs::exists(arg, ec)) {
        auto text = read_file_limited(arg, 4096);
        if (!text) return std::move(text).error();
        return crypto::parse_public_key(*text);
    }
    return crypto::parse_public_key(arg);
}

int run_verify(const fs::path& dir, const std::vector<std::string>& keys, const std::string& library) {
    TrustPolicy policy;
    for (const auto& k : keys) {
        auto pk = read_public_key(k);
        if (!pk) return fail("verify", pk.error());
        policy.keys.push_back(*pk);
    }
    auto read = read_pack_manifest_files(dir);
    if (!read) return fail("verify", read.error());
    const std::string* bytes = &read->manifest;
    const std::string& sig = read->signature;
    // The library is the manifest's own unless --library pins it.
    if (library.empty()) {
        auto cat = parse_manifest(*bytes);
        policy.library_id = cat ? cat->info.library_id : "";
    } else {
        policy.library_id = library;
    }
    auto m = check_signed_manifest(*bytes, sig, policy, std::time(nullptr));
    if (!m) return fail("verify", m.error());
    auto pack = ContentPack::open(dir);
    if (!pack) return fail("verify", pack.error());
    size_t bad = 0;
    auto files = (*pack)->catalog().all_files();
    uint64_t total = 0;
    for (const auto& f : files) {
        total += f.size;
        if (auto p = (*pack)->verified_path(f); !p) {
            std::cerr << "verify: " << p.error().describe() << "\n";
            ++bad;
        }
    }
    if (bad) {
        std::cerr << "verify: " << bad << " of " << files.size() << " files do not match the manifest\n";
        return 1;
    }
    if (auto st = check_caption_files((*pack)->catalog(), [&](const FileRef& f) { return (*pack)->dir() / f.path; }); !st)
        return fail("verify", st.error());
    const auto& info = m->catalog.info;
    std::cout << "pack " << dir.string() << ": library " << info.library_id << ", version " << info.version
              << ", signed by key " << m->signed_by << (m->prehashed ? " (ED)" : " (legacy Ed)") << "\n"
              << "trusted comment: " << m->trusted_comment << "\n";
    if (m->expired) std::cout << "warning: the pack expired at " << info.expires << "\n";
    std::cout << "verify ok files=" << files.size() << " bytes=" << total << "\n";
    return 0;
}

void print_install(const std::string& cmd, const InstallReport& r) {
    if (!r.changed) {
        std::cout << cmd << ": version " << r.version << " is already installed; nothing to do\n";
        return;
    }
    std::cout << cmd << ": version " << r.version << " is now active (" << r.dir.string() << ")\n"
              << cmd << " ok files_fetched=" << r.files_fetched << " bytes_fetched=" << r.bytes_fetched
              << " files_reused=" << r.files_reused << "\n";
    if (r.expired) std::cout << "warning: the pack has expired; it plays, but staff should publish a new one\n";
}

struct StoreSetup {
    Config config;
    TrustPolicy policy;
};

Result<StoreSetup> setup_store(const std::string& config_path) {
    auto cfg = load_config(config_path);
    if (!cfg) return std::move(cfg).error();
    auto policy = trust_policy_from(*cfg);
    if (!policy) return std::move(policy).error();
    if (policy->keys.empty())
        return make_error(Domain::config, Errc::validation,
                          "no content.public_key in the config: a kiosk accepts only packs signed by a pinned key");
    return StoreSetup{std::move(*cfg), std::move(*policy)};
}

int run_import(const fs::path& src, const std::string& config_path) {
    auto s = setup_store(config_path);
    if (!s) return fail("import", s.error());
    ContentStore store(store_options_from(s->config));
    auto r = import_pack(store, src, s->policy, std::time(nullptr), [](const InstallProgress& p) {
        if (p.phase == "fetch" && p.files_done < p.files_total) return;
        std::cout << "import phase=" << p.phase << " files=" << p.files_done << "/" << p.files_total
                  << " mb=" << mb(p.bytes_done) << "/" << mb(p.bytes_total) << std::endl;
    });
    if (!r) return fail("import", r.error());
    print_install("import", *r);
    return 0;
}

int run_sync(const std::string& config_path, bool quiet) {
    auto s = setup_store(config_path);
    if (!s) return fail("sync-content", s.error());
    if (s->config.content.server_url.empty())
        return fail("sync-content", make_error(Domain::config, Errc::validation,
                                               "no content.server_url in the config (use `import` for a folder)"));
    ContentStore store(store_options_from(s->config));
    auto sync = ContentSync::create(store, s->policy, sync_options_from(s->config));
    if (!sync) return fail("sync-content", sync.error());
    std::string last_phase;
    auto last_line = std::chrono::steady_clock::now();
    auto r = (*sync)->sync_once(nullptr, [&](const SyncProgress& p) {
        if (quiet) return;
        auto t = std::chrono::steady_clock::now();
        if (p.phase == last_phase && p.phase == "fetch" && p.bytes_done < p.bytes_total &&
            t - last_line < std::chrono::milliseconds(500))
            return;  // at most two fetch lines a second
        last_phase = p.phase;
        last_line = t;
        std::cout << "sync phase=" << p.phase << " files=" << p.files_done << "/" << p.files_total
                  << " bytes=" << p.bytes_done << "/" << p.bytes_total;
        if (p.eta_s >= 0 && p.phase == "fetch") std::cout << " eta_s=" << static_cast<int>(p.eta_s);
        std::cout << std::endl;
    });
    if (!r) return fail("sync-content", r.error());
    if (r->not_modified) {
        std::cout << "sync-content: the published manifest has not changed (304); nothing to do\n";
        return 0;
    }
    print_install("sync-content", r->install);
    std::cout << "sync_bytes_received=" << r->bytes_received << "\n";
    return 0;
}

}  // namespace

void add_content_commands(CLI::App& app, Action& action) {
    struct KeygenArgs {
        fs::path key = "lasr-pack.key", pub = "lasr-pack.pub";
        bool force = false;
    };
    auto kg = std::make_shared<KeygenArgs>();
    CLI::App* k = app.add_subcommand("keygen", "Make a signing key pair (minisign format: Ed25519)");
    k->add_option("--key", kg->key, "Secret key file to create (mode 0600; keep it offline)")->capture_default_str();
    k->add_option("--pub", kg->pub, "Public key file to create (its RW... line goes in kiosk.toml)")->capture_default_str();
    k->add_flag("--force", kg->force, "Replace existing files");
    k->callback([kg, &action] { action = [kg] { return run_keygen(kg->key, kg->pub, kg->force); }; });

    struct PackArgs {
        fs::path src, key, out;
        uint64_t version = 0;
        std::string expires;
        bool transcode = false;
        std::string profile;
        fs::path cache;
    };
    auto pa = std::make_shared<PackArgs>();
    CLI::App* p = app.add_subcommand("pack", "Build and sign a content pack from a source folder (SRC/pack.json)");
    p->add_option("SRC", pa->src, "Source folder holding pack.json and the media")->required()->check(CLI::ExistingDirectory);
    p->add_option("--key", pa->key, "Secret key (from keygen or minisign -G)")->required()->check(CLI::ExistingFile);
    p->add_option("--out", pa->out, "Folder to publish (new, empty, or an earlier pack)")->required();
    p->add_option("--version", pa->version, "Pack version (must grow with every release)");
    p->add_option("--expires", pa->expires, "Expiry, e.g. 2027-06-30T00:00:00Z");
    p->add_flag("--transcode", pa->transcode, "Convert videos outside the kiosk profile with ffmpeg (cached) instead "
                                              "of refusing them");
    p->add_option("--profile", pa->profile, "What --transcode makes: h264 (PCs, Pi 4) or hevc (8-bit HEVC Main, "
                                            "Raspberry Pi 5); default: pack.json's \"video_profile\", else h264")
        ->check(CLI::IsMember({"h264", "hevc"}));
    p->add_option("--cache", pa->cache, "Transcode cache folder (default ~/.cache/lasr-kioskctl/transcode)");
    p->callback([pa, &action] {
        action = [pa] {
            auto key = load_secret_key(pa->key);
            if (!key) return fail("pack", key.error());
            PackOptions o;
            o.source = pa->src;
            o.out = pa->out;
            o.key = *key;
            o.version = pa->version;
            o.expires = pa->expires;
            o.transcode = pa->transcode;
            o.profile = pa->profile;
            o.cache_dir = pa->cache;
            o.terminal = ::isatty(STDOUT_FILENO) == 1;
            auto r = build_pack(o, std::cout);
            if (!r) return fail("pack", r.error());
            std::cout << "pack " << pa->out.string() << ": version " << r->version << " signed by key " << r->key_id << "\n"
                      << "pack ok videos=" << r->videos << " files=" << r->files << " bytes=" << r->bytes
                      << " transcoded=" << r->transcoded << " cache_hits=" << r->cache_hits
                      << " warnings=" << r->warnings << "\n";
            return 0;
        };
    });

    struct VerifyArgs {
        fs::path dir;
        std::vector<std::string> keys;
        std::string library;
    };
    auto va = std::make_shared<VerifyArgs>();
    CLI::App* v = app.add_subcommand("verify", "Check a pack's signature (pinned keys) and every file's SHA-256");
    v->add_option("DIR", va->dir, "Pack folder")->required();
    v->add_option("--pubkey", va->keys, "Public key file or RW... line (repeat for current and next)")->required();
    v->add_option("--library", va->library, "Refuse a pack of another library");
    v->callback([va, &action] { action = [va] { return run_verify(va->dir, va->keys, va->library); }; });

    struct ImportArgs {
        fs::path src;
        std::string config;
    };
    auto ia = std::make_shared<ImportArgs>();
    CLI::App* i = app.add_subcommand("import", "Install a signed pack from a folder or USB stick (the network's checks)");
    i->add_option("PATH", ia->src, "Pack folder (manifest.json, manifest.json.minisig, files)")->required();
    i->add_option("--config", ia->config, "Kiosk config (default $LASR_KIOSK_CONFIG, then /etc/lasr-kiosk/kiosk.toml)");
    i->callback([ia, &action] { action = [ia] { return run_import(ia->src, ia->config); }; });

    struct SyncArgs {
        std::string config;
        bool quiet = false;
    };
    auto sa = std::make_shared<SyncArgs>();
    CLI::App* s = app.add_subcommand("sync-content", "One content sync from content.server_url, now");
    s->add_option("--config", sa->config, "Kiosk config (default $LASR_KIOSK_CONFIG, then /etc/lasr-kiosk/kiosk.toml)");
    s->add_flag("--quiet", sa->quiet, "No progress lines");
    s->callback([sa, &action] { action = [sa] { return run_sync(sa->config, sa->quiet); }; });
}

}  // namespace lasr::ctl
