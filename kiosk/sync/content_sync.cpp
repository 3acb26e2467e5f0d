#include "kiosk/sync/content_sync.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

#include "config/log.hpp"
#include "media/crypto.hpp"
#include "media/durable.hpp"
#include "playlists/manifest.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

Error sync_error(Errc code, const std::string& msg) { return make_error(Domain::sync, code, msg); }

// "the server answered 404 for URL" with a bit of the body when it says something.
Error http_status_error(long status, const std::string& url, const std::string& body) {
    std::string msg = "the server answered " + std::to_string(status) + " for " + url;
    std::string snippet = body.substr(0, 120);
    for (char& c : snippet)
        if (c == '\n' || c == '\r') c = ' ';
    if (!snippet.empty()) msg += " (\"" + snippet + "\")";
    return sync_error(status == 404 ? Errc::not_found : Errc::unavailable, msg);
}

uint64_t file_size_or_zero(const fs::path& p) {
    std::error_code ec;
    auto n = fs::file_size(p, ec);
    return ec ? 0 : n;
}

}  // namespace

SyncOptions sync_options_from(const Config& c) {
    SyncOptions o;
    o.server_url = c.content.server_url;
    o.http.ca_file = c.content.ca_file;
    o.http.low_speed_window_s = c.content.stall_timeout_s;
    o.http.user_agent = "lasr-kiosk/" + c.kiosk.library_id;
    return o;
}

StoreOptions store_options_from(const Config& c) {
    StoreOptions s;
    s.root = c.content_store_dir();
    s.download_dir = c.content.download_dir;
    s.budget_bytes = static_cast<uint64_t>(c.content.disk_budget_mb) * 1000 * 1000;
    return s;
}

Result<TrustPolicy> trust_policy_from(const Config& c) {
    return make_trust_policy(c.kiosk.library_id, {c.content.public_key, c.content.next_public_key});
}

// ---- ContentSync ---------------------------------------------------------------

ContentSync::ContentSync(ContentStore& store, TrustPolicy policy, SyncOptions options,
                         std::unique_ptr<net::HttpClient> http)
    : store_(store), policy_(std::move(policy)), opt_(std::move(options)), http_(std::move(http)) {
    if (!opt_.server_url.empty() && opt_.server_url.back() != '/') opt_.server_url += '/';
}

Result<std::unique_ptr<ContentSync>> ContentSync::create(ContentStore& store, TrustPolicy policy, SyncOptions options) {
    if (options.server_url.rfind("http://", 0) != 0 && options.server_url.rfind("https://", 0) != 0)
        return sync_error(Errc::invalid_argument,
                          "no content server configured (content.server_url must be an http:// or https:// URL)");
    auto http = net::HttpClient::create(options.http);
    if (!http) return std::move(http).error();
    LASR_TRY(store.init());
    return std::unique_ptr<ContentSync>(new ContentSync(store, std::move(policy), std::move(options), std::move(*http)));
}

Status ContentSync::fetch_file(const FileRef& f, const std::function<void(uint64_t)>& bytes_progress,
                               const std::atomic<bool>* cancel, uint64_t& received) {
    const std::string url = opt_.server_url + f.path;  // check_pack_path allows only URL-safe characters
    const fs::path part = store_.partial_path(f.sha256);
    const fs::path validator_file = part.string() + ".validator";
    auto forget = [&] {
        ::unlink(part.c_str());
        ::unlink(validator_file.c_str());
    };
    // Hashed on its own thread while the network thread goes on receiving.
    crypto::Sha256Pipe hash;
    uint64_t have = file_size_or_zero(part);
    if (have > f.size) {
        forget();
        have = 0;
    }
    // What is already there is hashed first; the rest is hashed as it arrives.
    if (have > 0) {
        std::ifstream in(part, std::ios::binary);
        std::vector<char> buf(1 << 20);
        uint64_t left = have;
        while (left > 0 && in.read(buf.data(), static_cast<std::streamsize>(std::min<uint64_t>(left, buf.size())))) {
            hash.push(buf.data(), static_cast<size_t>(in.gcount()));
            left -= static_cast<uint64_t>(in.gcount());
        }
        if (left != 0) {
            forget();
            hash.reset();
            have = 0;
        }
    }
    if (have < f.size) {
        std::string validator;
        if (have > 0) {
            if (auto v = read_file_limited(validator_file, 1024)) validator = *v;
        }
        net::DownloadOptions o;
        o.if_range = validator;
        o.cancel = cancel;
        o.max_bytes = f.size;
        o.on_data = [&](const char* d, size_t n) { hash.push(d, n); };
        o.on_restart = [&] { hash.reset(); };
        o.progress = [&](const net::Progress& p) {
            if (bytes_progress) bytes_progress(p.received);
        };
        if (have > 0) log::info("sync", "resume file=" + f.path + " from_byte=" + std::to_string(have));
        auto r = http_->download(net::HttpRequest{"GET", url, {}, {}, {}, {}}, part, o);
        uint64_t now_have = file_size_or_zero(part);
        received += now_have >= have ? now_have - have : now_have;
        if (!r) {
            Error e = std::move(r).error();
            if (e.code == Errc::validation) forget();  // lying size or range: start clean next time
            e.message = "pack file " + f.path + ": " + e.message;
            return e;
        }
        if (r->status == 416) {
            forget();
            return sync_error(Errc::validation, "pack file " + f.path + ": the server refused the range (416); it "
                                                "will be downloaded again from the start");
        }
        if (r->status != 200 && r->status != 206) return http_status_error(r->status, url, r->body);
        if (r->status == 200 || validator.empty()) {
            std::string v = r->header("etag");
            if (v.empty() || v.rfind("W/", 0) == 0) v = r->header("last-modified");
            if (!v.empty()) (void)write_file_synced(validator_file, v);
        }
        have = file_size_or_zero(part);
        if (have < f.size)
            return sync_error(Errc::truncated, "pack file " + f.path + ": the transfer ended after " + std::to_string(have) +
                                                   " of " + std::to_string(f.size) +
                                                   " bytes (the connection was cut); the next poll resumes it");
    }
    std::string got = hash.finish_hex();
    if (got != f.sha256) {
        forget();
        return make_error(Domain::content, Errc::hash_mismatch,
                          "pack file " + f.path + " arrived with SHA-256 " + got + ", the manifest says " + f.sha256 +
                              ": discarded");
    }
    ::unlink(validator_file.c_str());
    return store_.adopt_object(part, f.sha256);
}

Result<ContentSyncResult> ContentSync::sync_once(const std::atomic<bool>* cancel, const SyncProgressFn& progress) {
    ContentSyncResult result;
    SyncProgress sp;
    sp.phase = "manifest";
    if (progress) progress(sp);

    ContentStore::State st = store_.state();
    // Ask "has it changed?" only when the installed pack is the one the ETag names.
    std::string etag;
    bool full_check = opt_.full_check_every > 0 && ++polls_ % opt_.full_check_every == 0;
    if (!st.manifest_etag.empty() && !full_check) {
        if (auto cur = store_.link_target("current")) {
            auto m = read_file_limited(*cur / kManifestName, kMaxManifestBytes);
            if (m && crypto::sha256_hex(*m) == st.manifest_sha256) etag = st.manifest_etag;
        }
    }
    net::HttpRequest req{"GET", opt_.server_url + std::string(kManifestName), {}, {}, {}, {}};
    if (!etag.empty()) req.headers.push_back("If-None-Match: " + etag);
    auto mr = http_->send(req, kMaxManifestBytes);
    if (!mr) return std::move(mr).error();
    result.bytes_received += mr->bytes_received;
    if (mr->status == 304) {
        result.not_modified = true;
        sp.phase = "done";
        if (progress) progress(sp);
        return result;
    }
    if (mr->status != 200) return http_status_error(mr->status, req.url, mr->body);
    std::string new_etag = mr->header("etag");

    net::HttpRequest sreq{"GET", opt_.server_url + std::string(kSignatureName), {}, {}, {}, {}};
    auto sr = http_->send(sreq, kMaxSignatureBytes);
    if (!sr) return std::move(sr).error();
    result.bytes_received += sr->bytes_received;
    std::string signature;
    if (sr->status == 200) signature = std::move(sr->body);
    else if (sr->status != 404) return http_status_error(sr->status, sreq.url, sr->body);

    auto m = check_signed_manifest(std::move(mr->body), std::move(signature), policy_, std::time(nullptr));
    if (!m) return std::move(m).error();

    auto t0 = Clock::now();
    uint64_t received = 0;
    auto fetch = [&](const FileRef& f, const std::function<void(uint64_t)>& bytes_progress) {
        return fetch_file(f, bytes_progress, cancel, received);
    };
    auto on_install = [&](const InstallProgress& p) {
        sp.phase = p.phase;
        sp.files_done = p.files_done;
        sp.files_total = p.files_total;
        sp.bytes_done = p.bytes_done;
        sp.bytes_total = p.bytes_total;
        double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        if (p.phase == "fetch" && secs > 0.2 && p.bytes_done > 0) {
            sp.bytes_per_s = static_cast<double>(p.bytes_done) / secs;
            sp.eta_s = static_cast<double>(p.bytes_total - p.bytes_done) / sp.bytes_per_s;
        } else if (p.phase != "fetch") {
            sp.eta_s = 0;
        }
        if (progress) progress(sp);
    };
    auto report = store_.install(*m, policy_, fetch, on_install, new_etag);
    result.bytes_received += received;
    if (!report) return std::move(report).error();
    result.install = std::move(*report);
    return result;
}

// ---- ContentSyncService ---------------------------------------------------------

struct ContentSyncService::Shared {
    ContentStore store;
    TrustPolicy policy;
    SyncOptions options;
    std::unique_ptr<ContentSync> sync;  // made on the worker thread, used only there
    Shared(StoreOptions s, TrustPolicy p, SyncOptions o) : store(std::move(s)), policy(std::move(p)), options(std::move(o)) {}
};

ContentSyncService::ContentSyncService(Worker& worker, StoreOptions store, TrustPolicy policy, SyncOptions sync,
                                       double poll_interval_s, PackFn on_new_pack, StatusFn on_status)
    : worker_(worker),
      shared_(std::make_shared<Shared>(std::move(store), std::move(policy), std::move(sync))),
      interval_(poll_interval_s),
      on_pack_(std::move(on_new_pack)),
      on_status_(std::move(on_status)),
      alive_(std::make_shared<std::atomic<bool>>(true)) {}

ContentSyncService::~ContentSyncService() { alive_->store(false); }

double ContentSyncService::seconds_until_next(double now) const {
    if (busy_) return 60;
    return std::max(0.0, next_at_ - now);
}

void ContentSyncService::tick(double now) {
    if (busy_ || now < next_at_) return;
    busy_ = true;
    next_at_ = now + interval_;
    auto shared = shared_;
    auto alive = alive_;
    Worker& worker = worker_;
    // Completions run on the UI thread; they touch `this` only while it lives.
    auto to_ui = [&worker, alive, this](std::function<void(ContentSyncService&)> fn) {
        worker.complete([alive, this, fn = std::move(fn)] {
            if (alive->load()) fn(*this);
        });
    };
    worker_.post([shared, to_ui](const std::atomic<bool>& stopping) {
        if (!shared->sync) {
            auto made = ContentSync::create(shared->store, shared->policy, shared->options);
            if (!made) {
                Error e = std::move(made).error();
                to_ui([e](ContentSyncService& s) {
                    s.busy_ = false;
                    s.status_.phase = "error";
                    s.status_.last_error = e.describe();
                    s.status_.last_error_kind = e.kind();
                    if (s.on_status_) s.on_status_(s.status_);
                });
                return;
            }
            shared->sync = std::move(*made);
        }
        auto last = Clock::now() - std::chrono::seconds(1);
        auto progress = [&](const SyncProgress& p) {
            // At most a few updates a second reach the UI.
            auto t = Clock::now();
            if (p.phase == "fetch" && t - last < std::chrono::milliseconds(250)) return;
            last = t;
            to_ui([p](ContentSyncService& s) {
                s.status_.phase = p.phase;
                s.status_.progress = p;
                if (s.on_status_) s.on_status_(s.status_);
            });
        };
        auto r = shared->sync->sync_once(&stopping, progress);
        if (!r) {
            Error e = std::move(r).error();
            log::error(e);
            to_ui([e](ContentSyncService& s) {
                s.busy_ = false;
                s.status_.phase = e.code == Errc::unavailable || e.code == Errc::stalled ? "offline" : "error";
                s.status_.last_error = e.describe();
                s.status_.last_error_kind = e.kind();
                if (s.on_status_) s.on_status_(s.status_);
            });
            return;
        }
        std::optional<ActivePack> fresh;
        if (r->install.changed) {
            // Opened here, off the UI thread; handed over whole.
            auto a = shared->store.open_active(shared->policy, std::time(nullptr));
            if (a) fresh = std::move(*a);
            else log::error(a.error());
        }
        ContentSyncResult res = *r;
        to_ui([res, fresh = std::move(fresh)](ContentSyncService& s) mutable {
            s.busy_ = false;
            s.status_.phase = "idle";
            s.status_.last_error.clear();
            s.status_.last_error_kind.clear();
            s.status_.last_success = std::time(nullptr);
            if (fresh) {
                s.status_.version = fresh->manifest.catalog.info.version;
                s.status_.expired = fresh->manifest.expired;
                if (s.on_pack_) s.on_pack_(std::move(*fresh));
            }
            if (s.on_status_) s.on_status_(s.status_);
        });
    });
}

}  // namespace lasr
