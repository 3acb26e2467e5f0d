// The content store on real folders: import (the same checks as sync),
// content-addressed reuse, atomic activation, fallback, garbage collection,
// the disk budget, and every bad input refused with the last good pack
// still active.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <functional>
#include <optional>

#include "media/content_store.hpp"
#include "playlists/manifest.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/test_packs.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;

class Store : public ::testing::Test {
protected:
    test::TempDir tmp;
    crypto::KeyPair key = crypto::generate_keypair();
    crypto::KeyPair next_key = crypto::generate_keypair();
    TrustPolicy policy{"springfield", {key.pub, next_key.pub}};
    ContentStore store{StoreOptions{tmp / "content", {}, 0}};
    std::time_t now = std::time(nullptr);
    int n = 0;

    test::MadePack pack(uint64_t version, std::vector<std::string> seeds = {}, std::string alert = {}) {
        test::PackSpec s;
        s.version = version;
        s.seeds = std::move(seeds);
        s.alert = std::move(alert);
        return test::make_pack(s, key.sec);
    }
    fs::path publish(const test::MadePack& p) {
        fs::path dir = tmp / ("src-" + std::to_string(n++));
        test::write_pack(p, dir);
        return dir;
    }
    Result<InstallReport> import(const test::MadePack& p) { return import_pack(store, publish(p), policy, now); }
    // `p` with the first `from` in its manifest replaced by `to`, re-signed.
    test::MadePack edited(test::MadePack p, const std::string& from, const std::string& to) {
        auto at = p.manifest.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        if (at != std::string::npos) p.manifest.replace(at, from.size(), to);
        p.signature = test::sign_bytes(p.manifest, key.sec);
        return p;
    }
    Result<InstallReport> import_dir(const fs::path& dir) { return import_pack(store, dir, policy, now); }

    // The active pack is exactly `p`, complete and verified file by file.
    void expect_active(const test::MadePack& p, bool fallback = false) {
        auto a = store.open_active(policy, now);
        ASSERT_TRUE(a) << a.error().describe();
        EXPECT_EQ(a->manifest.bytes, p.manifest);
        EXPECT_EQ(a->fallback, fallback);
        auto st = a->pack->verify_all();
        EXPECT_TRUE(st) << (st ? "" : st.error().describe());
    }
    void expect_refused(const Result<InstallReport>& r, const std::string& why) {
        ASSERT_FALSE(r) << "expected a refusal naming: " << why;
        EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().describe();
    }
    size_t objects() const {
        size_t c = 0;
        for (auto& e : fs::recursive_directory_iterator(tmp / "content/objects"))
            if (e.is_regular_file()) ++c;
        return c;
    }
};

TEST_F(Store, ImportsAndActivatesASignedPack) {
    auto v1 = pack(1);
    auto r = import(v1);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_TRUE(r->changed);
    EXPECT_EQ(r->version, 1u);
    EXPECT_EQ(r->files_fetched, 6u);
    expect_active(v1);
    EXPECT_EQ(store.state().highest_version, 1u);
    EXPECT_TRUE(fs::is_symlink(tmp / "content/current"));
    EXPECT_FALSE(fs::exists(tmp / "content/previous"));
    // Objects are read-only and named by their hash.
    const FileRef& f = v1.catalog.courses[0].videos[0].file;
    struct stat sb {};
    ASSERT_EQ(::stat(store.object_path(f.sha256).c_str(), &sb), 0);
    EXPECT_EQ(sb.st_mode & 0222, 0u);
    // Importing the same pack again changes nothing.
    auto again = import(v1);
    ASSERT_TRUE(again) << again.error().describe();
    EXPECT_FALSE(again->changed);
}

TEST_F(Store, OnlyChangedFilesAreFetchedAndThePreviousPackIsKept) {
    auto v1 = pack(1, {"a", "b", "c"});
    ASSERT_TRUE(import(v1));
    auto v2 = pack(2, {"a", "b", "c2"});
    auto r = import(v2);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->files_fetched, 2u);  // the changed video and its captions
    EXPECT_EQ(r->files_reused, 4u);
    expect_active(v2);
    ASSERT_TRUE(store.link_target("previous"));
    EXPECT_EQ(test::read_file(*store.link_target("previous") / "manifest.json"), v1.manifest);
    EXPECT_EQ(objects(), 8u);  // v1's six and v2's two new ones
    // A manifest-only change (an alert) fetches no file at all.
    auto v3 = pack(3, {"a", "b", "c2"}, "Closed for snow");
    auto r3 = import(v3);
    ASSERT_TRUE(r3) << r3.error().describe();
    EXPECT_EQ(r3->files_fetched, 0u);
    expect_active(v3);
    // v1 is no longer current or previous: its own files are collected.
    EXPECT_EQ(objects(), 6u);
    size_t packs = 0;
    for (auto& e : fs::directory_iterator(tmp / "content/packs")) packs += e.is_directory() ? 1 : 0;
    EXPECT_EQ(packs, 2u);
}

TEST_F(Store, AnOpenedPackIsPinnedToItsFolderAcrossASwap) {
    auto v1 = pack(1, {"a"});
    ASSERT_TRUE(import(v1));
    auto a = store.open_active(policy, now);
    ASSERT_TRUE(a);
    ASSERT_TRUE(import(pack(2, {"z"})));
    // The old object still reads its own files (previous is kept).
    EXPECT_TRUE(a->pack->verify_all());
    EXPECT_EQ(a->pack->catalog().info.version, 1u);
    auto fresh = ContentPack::open(tmp / "content/current");
    ASSERT_TRUE(fresh);
    EXPECT_EQ((*fresh)->catalog().info.version, 2u);
    EXPECT_NE((*fresh)->dir(), a->pack->dir());
}

TEST_F(Store, RollbackAndReusedVersionAreRefused) {
    auto v1 = pack(1);
    auto v2 = pack(2);
    ASSERT_TRUE(import(v2));
    expect_refused(import(v1), "rollback is refused");
    expect_active(v2);
    auto other2 = pack(2, {"x", "y", "z"});
    expect_refused(import(other2), "needs a higher version");
    expect_active(v2);
}

TEST_F(Store, TheNextKeyIsTrustedForRotation) {
    ASSERT_TRUE(import(pack(1)));
    test::PackSpec s;
    s.version = 2;
    auto v2 = test::make_pack(s, next_key.sec);
    auto r = import(v2);
    ASSERT_TRUE(r) << r.error().describe();
    expect_active(v2);
}

TEST_F(Store, ExpiredPackIsInstalledAndFlagged) {
    test::PackSpec s;
    s.expires = "2020-01-01T00:00:00Z";
    auto v = test::make_pack(s, key.sec);
    auto r = import(v);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_TRUE(r->expired);
    auto a = store.open_active(policy, now);
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->manifest.expired);
}

// Every bad pack: refused with a message naming the cause; v1 stays active.
class BadInput : public Store {
protected:
    test::MadePack v1;
    void SetUp() override {
        v1 = pack(1, {"a", "b", "c"});
        ASSERT_TRUE(import(v1));
    }
    void TearDown() override { expect_active(v1); }
    // v2's folder, ready to be spoiled.
    fs::path v2_dir(test::MadePack* out = nullptr) {
        auto v2 = pack(2, {"a", "b", "new"});
        if (out) *out = v2;
        return publish(v2);
    }
    const std::string new_video_path(const test::MadePack& p) { return p.catalog.courses[0].videos[2].file.path; }
};

TEST_F(BadInput, MissingSignature) {
    fs::path d = v2_dir();
    fs::remove(d / "manifest.json.minisig");
    expect_refused(import_dir(d), "not signed");
}

TEST_F(BadInput, WrongKey) {
    auto stranger = crypto::generate_keypair();
    test::PackSpec s;
    s.version = 2;
    expect_refused(import_dir(publish(test::make_pack(s, stranger.sec))), "does not trust");
}

TEST_F(BadInput, ManifestAlteredAfterSigning) {
    fs::path d = v2_dir();
    std::string m = test::read_file(d / "manifest.json");
    m.replace(m.find("Course one"), 10, "Course 0ne");
    test::write_file(d / "manifest.json", m);
    expect_refused(import_dir(d), "bad signature");
}

TEST_F(BadInput, MalformedJsonEvenWhenSigned) {
    fs::path d = tmp / "malformed";
    std::string m = "{\"format\": \"lasr-pack\", \"format_version\": 1, ";
    test::write_file(d / "manifest.json", m);
    test::write_file(d / "manifest.json.minisig", test::sign_bytes(m, key.sec));
    expect_refused(import_dir(d), "not valid JSON");
}

TEST_F(BadInput, UnknownFormatVersion) {
    auto v2 = edited(pack(2), "\"format_version\": 1", "\"format_version\": 2");
    expect_refused(import_dir(publish(v2)), "format_version 2 is not supported");
}

// 2^63 was once accepted and then refused every later pack as a rollback.
TEST_F(BadInput, AVersionOutOfRangeIsRefusedAndLocksNothingOut) {
    auto v2 = edited(pack(2), "\"version\": 2", "\"version\": 9223372036854775808");
    expect_refused(import_dir(publish(v2)), "version: must be a whole number from 1 to 9007199254740991");
    EXPECT_EQ(store.state().highest_version, 1u);
    // A store that took such a pack before the bound still takes updates.
    ASSERT_TRUE(store.save_state({9223372036854775808ull, std::string(64, 'a'), ""}));
    EXPECT_EQ(store.state().highest_version, 0u);
    v1 = pack(3);
    auto r = import(v1);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(store.state().highest_version, 3u);
}

// A 1 MB caption line was accepted: cues are bounded where captions are
// checked, at install (sync and import alike), naming the field and file.
TEST_F(BadInput, ACaptionCueBeyondItsBoundIsRefused) {
    test::PackSpec s;
    s.version = 2;
    s.cue = std::string(kMaxCueChars + 1, 'x');
    auto v2 = test::make_pack(s, key.sec);
    const auto& cap = v2.catalog.courses[0].videos[0].captions.at("en");
    expect_refused(import_dir(publish(v2)), "caption file courses[0].videos[0].captions.en (" + cap.path +
                                                "): WebVTT cue 1 (line 3) has more than 200 characters");
    s.cue = std::string(kMaxCueChars, 'x');
    v1 = test::make_pack(s, key.sec);
    auto r = import(v1);
    EXPECT_TRUE(r) << r.error().describe();
}

TEST_F(BadInput, AnotherLibrarysPack) {
    test::PackSpec s;
    s.version = 2;
    s.library_id = "shelbyville";
    expect_refused(import_dir(publish(test::make_pack(s, key.sec))), "is for library \"shelbyville\"");
}

TEST_F(BadInput, TrustedCommentThatContradictsTheManifest) {
    auto v2 = pack(2);
    v2.signature = crypto::sign(v2.manifest, key.sec, {"lasr-pack library:springfield version:9"});
    expect_refused(import_dir(publish(v2)), "trusted comment names version 9");
}

TEST_F(BadInput, AbsoluteAndDotDotPaths) {
    for (std::string bad : {"/etc/passwd", "../../etc/passwd", "files/../../x", "files/./x", "files/a b"}) {
        auto v2 = pack(2);
        v2 = edited(v2, v2.catalog.courses[0].videos[0].file.path, bad);
        expect_refused(import_dir(publish(v2)), "path \"" + bad + "\"");
    }
}

TEST_F(BadInput, SymlinkInTheSource) {
    test::MadePack v2;
    fs::path d = v2_dir(&v2);
    fs::path f = d / new_video_path(v2);
    fs::rename(f, d / "elsewhere");
    fs::create_symlink(d / "elsewhere", f);
    expect_refused(import_dir(d), "symlink");
}

TEST_F(BadInput, SymlinkedManifest) {
    fs::path d = v2_dir();
    fs::rename(d / "manifest.json", d / "real.json");
    fs::create_symlink(d / "real.json", d / "manifest.json");
    expect_refused(import_dir(d), "symlink");
}

TEST_F(BadInput, DeviceOrFifoInTheSource) {
    test::MadePack v2;
    fs::path d = v2_dir(&v2);
    fs::path f = d / new_video_path(v2);
    fs::remove(f);
    ASSERT_EQ(::mkfifo(f.c_str(), 0644), 0);
    expect_refused(import_dir(d), "not a plain file");
}

// A FIFO opened for reading waits for a writer: a pack with one as its
// manifest or signature must be refused at once, naming it, not hang.
TEST_F(BadInput, FifoAsManifestOrSignatureIsRefusedNamingIt) {
    for (const char* name : {"manifest.json", "manifest.json.minisig"}) {
        fs::path d = v2_dir();
        fs::remove(d / name);
        ASSERT_EQ(::mkfifo((d / name).c_str(), 0644), 0);
        std::optional<Result<InstallReport>> r;
        bool released = false;
        test::run_releasing_fifo(d / name, [&] { r.emplace(import_dir(d)); }, &released);
        EXPECT_FALSE(released) << "import blocked opening the FIFO " << name;
        expect_refused(*r, (d / name).string() + " is a FIFO, not a regular file");
        // The kiosk's and `verify`'s reader too.
        std::optional<Result<SignedManifest>> m;
        test::run_releasing_fifo(d / name, [&] { m.emplace(read_pack_manifest(d, policy, now)); }, &released);
        EXPECT_FALSE(released) << "read_pack_manifest blocked opening the FIFO " << name;
        ASSERT_FALSE(*m);
        EXPECT_NE(m->error().message.find(name), std::string::npos) << m->error().describe();
        EXPECT_EQ(m->error().code, Errc::unsafe_path);
    }
}

// A file the store already holds (same SHA-256) is not copied again, but the
// folder's own copy is still checked: before, a symlink, a FIFO, a missing
// file or a wrong size there imported fine.
TEST_F(BadInput, TheFoldersCopyOfAFileTheStoreHasIsCheckedToo) {
    struct Spoil {
        std::function<void(const fs::path&)> apply;
        std::string expect;
    };
    std::vector<Spoil> spoils{
        {[&](const fs::path& f) {
             fs::rename(f, tmp / "elsewhere");
             fs::create_symlink(tmp / "elsewhere", f);
         },
         "is or passes through a symlink"},
        {[](const fs::path& f) {
             fs::remove(f);
             ASSERT_EQ(::mkfifo(f.c_str(), 0644), 0);
         },
         "is a FIFO, not a plain file"},
        {[](const fs::path& f) { fs::remove(f); }, "is missing from"},
        {[](const fs::path& f) { test::write_file(f, "short"); }, "is 5 bytes, the manifest says"},
    };
    for (const auto& spoil : spoils) {
        test::MadePack v2;
        fs::path d = v2_dir(&v2);
        const FileRef& shared = v2.catalog.courses[0].videos[0].file;  // seed "a": in the store since v1
        ASSERT_TRUE(store.has_object(shared));
        spoil.apply(d / shared.path);
        expect_refused(import_dir(d), "pack file " + shared.path + " " + spoil.expect);
        std::error_code ec;
        fs::remove(tmp / "elsewhere", ec);
    }
}

TEST_F(BadInput, SizeThatLies) {
    test::MadePack v2;
    fs::path d = v2_dir(&v2);
    test::write_file(d / new_video_path(v2), test::read_file(d / new_video_path(v2)) + "more");
    expect_refused(import_dir(d), "the manifest says");
}

TEST_F(BadInput, HashMismatchOfTheRightSize) {
    test::MadePack v2;
    fs::path d = v2_dir(&v2);
    std::string b = test::read_file(d / new_video_path(v2));
    b[b.size() / 2] ^= 1;
    test::write_file(d / new_video_path(v2), b);
    expect_refused(import_dir(d), "has SHA-256");
}

TEST_F(BadInput, TruncatedFile) {
    test::MadePack v2;
    fs::path d = v2_dir(&v2);
    test::truncate_copy(d / new_video_path(v2), d / "t", 100);
    fs::rename(d / "t", d / new_video_path(v2));
    expect_refused(import_dir(d), "the manifest says");
}

TEST_F(BadInput, MissingFile) {
    test::MadePack v2;
    fs::path d = v2_dir(&v2);
    fs::remove(d / new_video_path(v2));
    expect_refused(import_dir(d), "is missing");
}

TEST_F(BadInput, PackLargerThanTheDiskBudget) {
    ContentStore small{StoreOptions{tmp / "content", {}, 10'000}};
    auto v2 = pack(2);
    auto r = import_pack(small, publish(v2), policy, now);
    expect_refused(r, "disk budget");
}

TEST_F(Store, FallsBackToThePreviousPackWhenCurrentIsDamaged) {
    auto v1 = pack(1, {"a"});
    auto v2 = pack(2, {"b"});
    ASSERT_TRUE(import(v1));
    ASSERT_TRUE(import(v2));
    fs::path cur = *store.link_target("current");
    fs::remove(cur / v2.catalog.courses[0].videos[0].file.path);
    expect_active(v1, /*fallback=*/true);
    // Re-installing v2 repairs it (same version, same bytes).
    auto r = import(v2);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_TRUE(r->changed);
    expect_active(v2);
}

TEST_F(Store, NoPackIsNotFoundAndBudgetKeepsOnlyTheNewPackWhenBothDoNotFit) {
    auto none = store.open_active(policy, now);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, Errc::not_found);
    test::PackSpec s;
    s.videos = 1;
    s.video_bytes = 6000;
    auto v1 = test::make_pack(s, key.sec);
    s.version = 2;
    s.seeds = {"other"};
    auto v2 = test::make_pack(s, key.sec);
    ContentStore tight{StoreOptions{tmp / "content", {}, 9000}};
    ASSERT_TRUE(import_pack(tight, publish(v1), policy, now));
    auto r = import_pack(tight, publish(v2), policy, now);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_FALSE(fs::exists(tmp / "content/previous"));
    EXPECT_EQ(objects(), 2u);
}

TEST_F(Store, ALegacyEdSignatureIsAcceptedToo) {
    test::PackSpec s;
    s.prehashed = false;
    auto v = test::make_pack(s, key.sec);
    ASSERT_TRUE(import(v));
    auto a = store.open_active(policy, now);
    ASSERT_TRUE(a);
    EXPECT_FALSE(a->manifest.prehashed);
}

TEST_F(Store, AnotherWriterIsExcludedByTheLock) {
    auto held = store.lock(true);
    ASSERT_TRUE(held);
    ContentStore other{StoreOptions{tmp / "content", {}, 0}};
    // flock is per open file description: a second open in this process conflicts too.
    auto second = other.lock(false);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, Errc::unavailable);
}

}  // namespace
}  // namespace lasr
