// Content sync against real servers on 127.0.0.1: Debian's nginx for the
// real Range / If-Range / ETag behaviour, and the scripted fault server for
// what nginx will not do. Every failure leaves the last good pack active.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>

#include "kiosk/sync/content_sync.hpp"
#include "playlists/manifest.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/http_servers.hpp"
#include "tests/support/test_packs.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Reply = test::FaultServer::Reply;
using Request = test::FaultServer::Request;

class SyncTest : public ::testing::Test {
protected:
    test::TempDir tmp;
    crypto::KeyPair key = crypto::generate_keypair();
    TrustPolicy policy{"springfield", {key.pub}};
    ContentStore store{StoreOptions{tmp / "content", {}, 0}};

    test::MadePack pack(uint64_t version, std::vector<std::string> seeds = {}, size_t bytes = 4096,
                        std::string alert = {}) {
        test::PackSpec s;
        s.version = version;
        s.seeds = std::move(seeds);
        s.video_bytes = bytes;
        s.alert = std::move(alert);
        return test::make_pack(s, key.sec);
    }
    std::unique_ptr<ContentSync> sync_for(const std::string& url, long stall_s = 30) {
        SyncOptions o;
        o.server_url = url;
        o.http.low_speed_window_s = stall_s;
        o.http.connect_timeout_s = 2;
        auto s = ContentSync::create(store, policy, o);
        EXPECT_TRUE(s) << s.error().describe();
        return s ? std::move(*s) : nullptr;
    }
    void expect_active(const test::MadePack& p) {
        auto a = store.open_active(policy, std::time(nullptr));
        ASSERT_TRUE(a) << a.error().describe();
        EXPECT_EQ(a->manifest.catalog.info.version, p.catalog.info.version);
        EXPECT_EQ(a->manifest.bytes, p.manifest);
        auto st = a->pack->verify_all();
        EXPECT_TRUE(st) << (st ? "" : st.error().describe());
    }
};

// ---- nginx ------------------------------------------------------------------------

class NginxSync : public SyncTest {
protected:
    void SetUp() override {
        fs::create_directories(tmp / "www/pack");
        std::string err;
        nginx = test::Nginx::start(tmp / "www", extra, &err);
        ASSERT_TRUE(nginx) << err;
    }
    void publish(const test::MadePack& p) {
        // As a publisher would: the files first, the manifest and its signature last.
        for (const auto& [path, bytes] : p.files) test::write_file(tmp / "www/pack" / path, bytes);
        test::write_file(tmp / "www/pack/manifest.json.minisig", p.signature);
        test::write_file(tmp / "www/pack/manifest.json", p.manifest);
        // nginx's ETag is mtime (seconds) + size: give each publication its
        // own second, as a real one has (SyncOptions::full_check_every covers
        // the rest).
        fs::last_write_time(tmp / "www/pack/manifest.json", fs::file_time_type::clock::now() - std::chrono::hours(1) +
                                                                std::chrono::seconds(++publications));
    }
    int publications = 0;
    std::string extra;
    std::unique_ptr<test::Nginx> nginx;
};

TEST_F(NginxSync, FirstSyncFetchesEverythingThenAConditionalGetSaysNotModified) {
    auto v1 = pack(1);
    publish(v1);
    auto sync = sync_for(nginx->url("/pack"));  // no trailing slash: added
    std::vector<SyncProgress> seen;
    auto r = sync->sync_once(nullptr, [&](const SyncProgress& p) { seen.push_back(p); });
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_TRUE(r->install.changed);
    EXPECT_EQ(r->install.files_fetched, 6u);
    expect_active(v1);
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.front().phase, "manifest");
    EXPECT_EQ(seen.back().phase, "done");
    bool fetch_seen = false;
    for (const auto& p : seen)
        if (p.phase == "fetch" && p.files_total == 6 && p.bytes_total == v1.total_bytes()) fetch_seen = true;
    EXPECT_TRUE(fetch_seen);
    EXPECT_FALSE(store.state().manifest_etag.empty());

    auto again = sync->sync_once();
    ASSERT_TRUE(again) << again.error().describe();
    EXPECT_TRUE(again->not_modified);
    auto log = nginx->access_log();
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log.back().rfind("GET /pack/manifest.json 304", 0), 0u) << log.back();
}

TEST_F(NginxSync, OnlyChangedFilesDownloadAndAManifestOnlyChangeFetchesNoFile) {
    auto v1 = pack(1, {"a", "b", "c"});
    publish(v1);
    auto sync = sync_for(nginx->url("/pack/"));
    ASSERT_TRUE(sync->sync_once());
    uint64_t before = nginx->bytes_sent("/pack/files/");
    auto v2 = pack(2, {"a", "b", "changed"});
    publish(v2);
    auto r = sync->sync_once();
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->install.files_fetched, 2u);
    const auto& changed = v2.catalog.courses[0].videos[2];
    EXPECT_EQ(nginx->bytes_sent("/pack/files/") - before, changed.file.size + changed.captions.at("en").size);
    expect_active(v2);

    uint64_t before3 = nginx->bytes_sent("/pack/files/");
    auto v3 = pack(3, {"a", "b", "changed"}, 4096, "Library closed today: snow");
    publish(v3);
    auto r3 = sync->sync_once();
    ASSERT_TRUE(r3) << r3.error().describe();
    EXPECT_TRUE(r3->install.changed);
    EXPECT_EQ(r3->install.files_fetched, 0u);
    EXPECT_EQ(nginx->bytes_sent("/pack/files/"), before3);
    auto a = store.open_active(policy, std::time(nullptr));
    ASSERT_TRUE(a);
    ASSERT_EQ(a->pack->catalog().alerts.size(), 1u);
    EXPECT_EQ(a->pack->catalog().alerts[0].title.get("en"), "Library closed today: snow");
}

class NginxSlowSync : public NginxSync {
protected:
    NginxSlowSync() { extra = "limit_rate 400k;"; }
};

TEST_F(NginxSlowSync, AnInterruptedDownloadResumesWithRangeAndIfRange) {
    test::PackSpec spec;
    spec.videos = 1;
    spec.video_bytes = 1'000'000;
    auto v1 = test::make_pack(spec, key.sec);
    publish(v1);
    auto sync = sync_for(nginx->url("/pack/"));
    std::atomic<bool> cancel{false};
    auto first = sync->sync_once(&cancel, [&](const SyncProgress& p) {
        if (p.phase == "fetch" && p.bytes_done > 300'000) cancel.store(true);
    });
    ASSERT_FALSE(first);
    EXPECT_FALSE(store.open_active(policy, std::time(nullptr)));  // nothing half-installed
    cancel.store(false);
    uint64_t sent_before = nginx->bytes_sent("/pack/files/");
    auto second = sync->sync_once(&cancel);
    ASSERT_TRUE(second) << second.error().describe();
    expect_active(v1);
    uint64_t refetched = nginx->bytes_sent("/pack/files/") - sent_before;
    EXPECT_LT(refetched, 800'000u) << "the second sync fetched the file again from the start";
    bool ranged = false;
    for (const auto& line : nginx->access_log())
        if (line.find(" 206 ") != std::string::npos && line.find("\"bytes=") != std::string::npos) ranged = true;
    EXPECT_TRUE(ranged);
}

TEST_F(NginxSync, APartialFileOfAnotherVersionStartsOverThroughIfRange) {
    auto v1 = pack(1, {"x"}, 100'000);
    publish(v1);
    ASSERT_TRUE(store.init());
    const FileRef& f = v1.catalog.courses[0].videos[0].file;
    // A stale partial: wrong bytes, and a validator the server no longer has.
    test::write_file(store.partial_path(f.sha256), std::string(5000, 'z'));
    test::write_file(store.partial_path(f.sha256).string() + ".validator", "\"0-stale\"");
    auto sync = sync_for(nginx->url("/pack/"));
    auto r = sync->sync_once();
    ASSERT_TRUE(r) << r.error().describe();
    expect_active(v1);
}

// ---- TLS: always verified ------------------------------------------------------------

TEST_F(SyncTest, TlsIsVerifiedAgainstTheSystemOrTheConfiguredCa) {
    // A private CA and a server certificate for 127.0.0.1, made with openssl.
    fs::path d = tmp / "tls";
    ASSERT_TRUE(test::make_tls_cert(d));
    auto v1 = pack(1);
    test::write_pack(v1, tmp / "www/pack");
    std::string err;
    auto nginx = test::Nginx::start_tls(tmp / "www", d / "srv.pem", d / "srv.key", &err);
    ASSERT_TRUE(nginx) << err;
    ASSERT_EQ(nginx->url("/").rfind("https://", 0), 0u);
    // The system's CAs do not know this one: refused.
    auto untrusted = sync_for(nginx->url("/pack/"))->sync_once();
    ASSERT_FALSE(untrusted);
    EXPECT_EQ(untrusted.error().code, Errc::unavailable) << untrusted.error().describe();
    EXPECT_NE(untrusted.error().message.find("certificate"), std::string::npos) << untrusted.error().describe();
    EXPECT_FALSE(store.open_active(policy, std::time(nullptr)));
    // With content.ca_file it is trusted.
    SyncOptions o;
    o.server_url = nginx->url("/pack/");
    o.http.ca_file = (d / "ca.pem").string();
    auto s = ContentSync::create(store, policy, o);
    ASSERT_TRUE(s);
    auto r = (*s)->sync_once();
    ASSERT_TRUE(r) << r.error().describe();
    expect_active(v1);
}

// ---- the fault server ------------------------------------------------------------

class FaultSync : public SyncTest {
protected:
    test::FaultServer server;
    std::mutex mu;
    std::map<std::string, std::string> files;  // served content, "pack/..." paths
    test::MadePack v1;

    void serve(const test::MadePack& p) {
        std::lock_guard lock(mu);
        files.clear();
        for (const auto& [path, bytes] : p.files) files["pack/" + path] = bytes;
        files["pack/manifest.json"] = p.manifest;
        if (!p.signature.empty()) files["pack/manifest.json.minisig"] = p.signature;
    }
    Reply good(const Request& req) {
        std::lock_guard lock(mu);
        return test::FaultServer::serve(req, files);
    }
    // v1 installed through the server, then a spoiler handler for what follows.
    void SetUp() override {
        v1 = pack(1, {"a", "b", "c"}, 20'000);
        serve(v1);
        server.set_handler([this](const Request& r) { return good(r); });
        auto s = sync_for(server.url("/pack/"));
        auto r = s->sync_once();
        ASSERT_TRUE(r) << r.error().describe();
    }
    // Syncs v2 (one changed video) through `handler`; expects a refusal naming `why`.
    void expect_refused(const std::function<Reply(const Request&)>& handler, const std::string& why,
                        long stall_s = 30, test::MadePack* v2_out = nullptr) {
        auto v2 = pack(2, {"a", "b", "new"}, 20'000);
        if (v2_out) *v2_out = v2;
        serve(v2);
        server.set_handler(handler);
        auto s = sync_for(server.url("/pack/"), stall_s);
        auto r = s->sync_once();
        ASSERT_FALSE(r) << "expected a refusal naming: " << why;
        EXPECT_NE(r.error().describe().find(why), std::string::npos) << r.error().describe();
        expect_active(v1);
    }
    // A v2 sync whose every file transfer is cut in the middle: it fails and
    // leaves partial files behind.
    test::MadePack leave_partial_files() {
        test::MadePack v2;
        expect_refused(
            [this](const Request& r) {
                Reply rep = good(r);
                if (is_file(r)) rep.drop_after = rep.body.size() / 2;
                return rep;
            },
            "", 30, &v2);
        return v2;
    }
    static bool is_file(const Request& r) { return r.target.find("/files/") != std::string::npos; }
    std::string new_file_target(const test::MadePack& p) { return "/pack/" + p.catalog.courses[0].videos[2].file.path; }
};

TEST_F(FaultSync, ManifestNotFound) {
    expect_refused([](const Request&) { return Reply::of(404, "no such pack"); }, "answered 404");
}

TEST_F(FaultSync, ServerError) {
    expect_refused([](const Request&) { return Reply::of(500, "upstream broke"); }, "answered 500");
}

TEST_F(FaultSync, SignatureMissing) {
    expect_refused(
        [this](const Request& r) {
            if (r.target.find(".minisig") != std::string::npos) return Reply::of(404, "");
            return good(r);
        },
        "not signed");
}

TEST_F(FaultSync, SignatureFromAnotherKey) {
    auto stranger = crypto::generate_keypair();
    expect_refused(
        [this, stranger](const Request& r) {
            if (r.target.find(".minisig") != std::string::npos) {
                std::lock_guard lock(mu);
                return Reply::of(200, test::sign_bytes(files["pack/manifest.json"], stranger.sec));
            }
            return good(r);
        },
        "does not trust");
}

TEST_F(FaultSync, RollbackOverTheNetwork) {
    auto v2 = pack(2, {"a", "b", "c2"}, 20'000);
    serve(v2);
    server.set_handler([this](const Request& r) { return good(r); });
    ASSERT_TRUE(sync_for(server.url("/pack/"))->sync_once());
    serve(v1);  // an old signed pack replayed
    auto r = sync_for(server.url("/pack/"))->sync_once();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("rollback"), std::string::npos) << r.error().describe();
    expect_active(v2);
}

TEST_F(FaultSync, FileNotFound) {
    expect_refused(
        [this](const Request& r) { return is_file(r) ? Reply::of(404, "gone") : good(r); }, "answered 404 for");
}

TEST_F(FaultSync, FileServerError) {
    expect_refused(
        [this](const Request& r) { return is_file(r) ? Reply::of(503, "busy") : good(r); }, "answered 503 for");
}

TEST_F(FaultSync, TimeOutWhenTheServerNeverAnswers) {
    auto t0 = Clock::now();
    expect_refused(
        [](const Request&) {
            Reply r;
            r.never_answer = true;
            return r;
        },
        "sync/stalled", /*stall_s=*/2);
    EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 10.0);
}

TEST_F(FaultSync, SlowDripIsATimeOut) {
    expect_refused(
        [this](const Request& r) {
            Reply rep = good(r);
            if (is_file(r)) rep.drip_bytes_per_s = 20;  // under the 100 B/s floor
            return rep;
        },
        "sync/stalled", /*stall_s=*/2);
}

TEST_F(FaultSync, ConnectionDroppedMidFileThenResumed) {
    test::MadePack v2;
    std::string target;
    expect_refused(
        [this, &target](const Request& r) {
            Reply rep = good(r);
            if (is_file(r) && r.header("range").empty()) rep.drop_after = rep.body.size() / 2;
            return rep;
        },
        "", 30, &v2);
    // The next poll resumes each cut file from where it stopped.
    server.set_handler([this](const Request& r) { return good(r); });
    uint64_t before = server.body_bytes_sent();
    auto r = sync_for(server.url("/pack/"))->sync_once();
    ASSERT_TRUE(r) << r.error().describe();
    expect_active(v2);
    uint64_t new_bytes = v2.catalog.courses[0].videos[2].file.size + v2.catalog.courses[0].videos[2].captions.at("en").size;
    EXPECT_LT(server.body_bytes_sent() - before, new_bytes + 5000) << "resumed, not restarted";
    bool ranged = false;
    for (const auto& req : server.requests()) ranged = ranged || !req.header("range").empty();
    EXPECT_TRUE(ranged);
}

TEST_F(FaultSync, ContentLengthThatLiesIsATruncatedTransfer) {
    expect_refused(
        [this](const Request& r) {
            Reply rep = good(r);
            if (is_file(r)) {
                rep.content_length = rep.body.size() + 5000;  // promises more than it sends
            }
            return rep;
        },
        "pack file files/");
}

TEST_F(FaultSync, AFileLargerThanTheManifestSaysIsCutOff) {
    expect_refused(
        [this](const Request& r) {
            Reply rep = good(r);
            if (is_file(r)) rep.body += std::string(100'000, 'x');
            return rep;
        },
        "size that lies");
}

TEST_F(FaultSync, AFileShorterThanTheManifestSaysIsTruncated) {
    expect_refused(
        [this](const Request& r) {
            Reply rep = good(r);
            if (is_file(r)) rep.body.resize(rep.body.size() / 3);
            return rep;
        },
        "sync/truncated");
}

TEST_F(FaultSync, HashMismatchIsDiscarded) {
    test::MadePack v2;
    expect_refused(
        [this](const Request& r) {
            Reply rep = good(r);
            if (is_file(r) && !rep.body.empty()) rep.body[rep.body.size() / 2] ^= 0x20;
            return rep;
        },
        "content/hash_mismatch", 30, &v2);
    // Nothing of it is kept: not in the store, not as a partial file.
    const FileRef& f = v2.catalog.courses[0].videos[2].file;
    EXPECT_FALSE(store.has_object(f));
    EXPECT_FALSE(fs::exists(store.partial_path(f.sha256)));
}

TEST_F(FaultSync, ARangeThatStartsElsewhereIsRefused) {
    // First a cut transfer leaves a partial file...
    leave_partial_files();
    // ...then the server answers the range with bytes from the start.
    server.set_handler([this](const Request& r) {
        Reply rep = good(r);
        if (rep.status == 206) {
            for (auto& [k, v] : rep.headers)
                if (k == "Content-Range") v = "bytes 0-99/100";
        }
        return rep;
    });
    auto r = sync_for(server.url("/pack/"))->sync_once();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("does not start at byte"), std::string::npos) << r.error().describe();
    expect_active(v1);
}

TEST_F(FaultSync, AServerThatIgnoresRangesStillWorks) {
    test::MadePack v2 = leave_partial_files();
    server.set_handler([this](const Request& r) {
        Request plain = r;
        plain.headers.erase("range");
        return good(plain);  // always the whole file, 200
    });
    auto r = sync_for(server.url("/pack/"))->sync_once();
    ASSERT_TRUE(r) << r.error().describe();
    expect_active(v2);
}

TEST_F(FaultSync, ConnectionRefused) {
    int port = test::free_port();
    auto s = sync_for("http://127.0.0.1:" + std::to_string(port) + "/pack/");
    auto r = s->sync_once();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::unavailable) << r.error().describe();
    expect_active(v1);
}

TEST_F(FaultSync, MalformedManifestFromTheServer) {
    expect_refused(
        [this](const Request& r) {
            if (r.target.find("manifest.json.minisig") != std::string::npos)
                return Reply::of(200, test::sign_bytes("{\"format\": [", key.sec));
            if (r.target.find("manifest.json") != std::string::npos) return Reply::of(200, "{\"format\": [");
            return good(r);
        },
        "not valid JSON");
}

TEST_F(FaultSync, AManifestLargerThanAllowedIsRefused) {
    expect_refused(
        [this](const Request& r) {
            if (r.target.find("manifest.json") != std::string::npos &&
                r.target.find(".minisig") == std::string::npos) {
                Reply rep;
                rep.body = std::string(kMaxManifestBytes + 10, ' ');
                return rep;
            }
            return good(r);
        },
        "larger than");
}

}  // namespace
}  // namespace lasr
