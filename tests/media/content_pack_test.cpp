#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "config/regular_file.hpp"
#include "media/content_pack.hpp"
#include "media/crypto.hpp"
#include "playlists/manifest.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/test_packs.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;

// A small real pack on disk: one course, one "video" file, captions.
class PackOnDisk : public ::testing::Test {
protected:
    void SetUp() override {
        test::write_file(dir / "media/v1.mp4", "not really a video but bytes to hash");
        test::write_file(dir / "captions/v1.en.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n");
        cat.info.library_id = "demo-library";
        cat.info.version = 1;
        cat.info.issued = "2026-11-29T00:00:00Z";
        cat.info.languages = {"en"};
        Course c;
        c.id = "c1";
        c.title.by_lang["en"] = "Course";
        Video v;
        v.id = "v1";
        v.title.by_lang["en"] = "Video";
        v.duration_s = 1;
        v.file = *describe_pack_file(dir.path(), "media/v1.mp4");
        v.captions["en"] = *describe_pack_file(dir.path(), "captions/v1.en.vtt");
        c.videos.push_back(v);
        cat.courses.push_back(c);
    }
    void write() { test::write_file(dir / "manifest.json", write_manifest(cat)); }

    test::TempDir dir;
    Catalog cat;
};

TEST(Sha256, MatchesKnownVectors) {
    using crypto::sha256_file;
    using crypto::sha256_hex;
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    test::TempDir d;
    std::string big(3 * 1024 * 1024 + 7, 'x');  // spans several read buffers
    test::write_file(d / "big", big);
    auto h = sha256_file(d / "big");
    ASSERT_TRUE(h);
    EXPECT_EQ(*h, sha256_hex(big));
}

TEST_F(PackOnDisk, OpensAndVerifies) {
    write();
    auto pack = ContentPack::open(dir.path());
    ASSERT_TRUE(pack) << pack.error().describe();
    EXPECT_EQ((*pack)->catalog().courses.size(), 1u);
    EXPECT_TRUE((*pack)->verify_all());
    auto p = (*pack)->verified_path(cat.courses[0].videos[0].file);
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, fs::absolute(dir / "media/v1.mp4"));
}

TEST_F(PackOnDisk, MissingManifestIsNotFound) {
    auto pack = ContentPack::open(dir.path());
    ASSERT_FALSE(pack);
    EXPECT_EQ(pack.error().code, Errc::not_found);
}

TEST_F(PackOnDisk, MissingFileIsRefusedAtOpen) {
    write();
    fs::remove(dir / "captions/v1.en.vtt");
    auto pack = ContentPack::open(dir.path());
    ASSERT_FALSE(pack);
    EXPECT_EQ(pack.error().code, Errc::not_found);
    EXPECT_NE(pack.error().message.find("captions/v1.en.vtt is missing"), std::string::npos);
}

TEST_F(PackOnDisk, WrongHashIsRefusedBeforeUse) {
    write();
    // Same size, different bytes: only the hash can tell.
    std::string bytes = test::read_file(dir / "media/v1.mp4");
    bytes[3] ^= 0x20;
    test::write_file(dir / "media/v1.mp4", bytes);
    auto pack = ContentPack::open(dir.path());
    ASSERT_TRUE(pack);
    auto p = (*pack)->verified_path(cat.courses[0].videos[0].file);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, Errc::hash_mismatch);
    EXPECT_NE(p.error().message.find("media/v1.mp4"), std::string::npos);
    EXPECT_FALSE((*pack)->verify_all());
}

TEST_F(PackOnDisk, WrongSizeIsRefusedAtOpen) {
    write();
    test::write_file(dir / "media/v1.mp4", "short");
    auto pack = ContentPack::open(dir.path());
    ASSERT_FALSE(pack);
    EXPECT_EQ(pack.error().code, Errc::hash_mismatch);
    EXPECT_NE(pack.error().message.find("the manifest says"), std::string::npos);
}

TEST_F(PackOnDisk, SymlinkOutOfThePackIsRefused) {
    test::TempDir outside;
    test::write_file(outside / "secret", "not really a video but bytes to hash");
    write();
    fs::remove(dir / "media/v1.mp4");
    fs::create_symlink(outside / "secret", dir / "media/v1.mp4");
    auto pack = ContentPack::open(dir.path());
    ASSERT_FALSE(pack);
    EXPECT_EQ(pack.error().code, Errc::unsafe_path);

    // A symlinked directory on the way is refused too.
    fs::remove(dir / "media/v1.mp4");
    fs::remove(dir / "media");
    test::write_file(outside / "m/v1.mp4", "not really a video but bytes to hash");
    fs::create_directory_symlink(outside / "m", dir / "media");
    pack = ContentPack::open(dir.path());
    ASSERT_FALSE(pack);
    EXPECT_EQ(pack.error().code, Errc::unsafe_path);
}

TEST_F(PackOnDisk, DeviceOrFifoIsRefused) {
    write();
    fs::remove(dir / "captions/v1.en.vtt");
    ASSERT_EQ(::mkfifo((dir / "captions/v1.en.vtt").c_str(), 0600), 0);
    auto pack = ContentPack::open(dir.path());
    ASSERT_FALSE(pack);
    EXPECT_EQ(pack.error().code, Errc::unsafe_path);
}

TEST_F(PackOnDisk, FifoAsManifestIsRefusedWithoutBlocking) {
    ASSERT_EQ(::mkfifo((dir / "manifest.json").c_str(), 0600), 0);
    std::optional<Result<std::shared_ptr<ContentPack>>> pack;
    bool released = false;
    test::run_releasing_fifo(dir / "manifest.json", [&] { pack.emplace(ContentPack::open(dir.path())); }, &released);
    EXPECT_FALSE(released) << "ContentPack::open blocked opening the FIFO";
    ASSERT_FALSE(*pack);
    EXPECT_EQ(pack->error().code, Errc::unsafe_path);
    EXPECT_NE(pack->error().message.find("manifest.json is a FIFO"), std::string::npos) << pack->error().describe();
}

TEST(ReadFileLimited, OpensOnlyRegularFilesAndBoundsTheRead) {
    test::TempDir d;
    test::write_file(d / "f", "12345");
    EXPECT_EQ(*read_file_limited(d / "f", 5), "12345");
    auto big = read_file_limited(d / "f", 4);
    ASSERT_FALSE(big);
    EXPECT_NE(big.error().message.find("more than the 4 allowed"), std::string::npos);
    fs::create_symlink(d / "f", d / "link");
    auto link = read_file_limited(d / "link", 100);
    ASSERT_FALSE(link);
    EXPECT_NE(link.error().message.find("is a symlink"), std::string::npos) << link.error().describe();
    fs::create_directory(d / "dir");
    auto dir = read_file_limited(d / "dir", 100);
    ASSERT_FALSE(dir);
    EXPECT_NE(dir.error().message.find("is a directory"), std::string::npos) << dir.error().describe();
    EXPECT_EQ(read_file_limited(d / "none", 100).error().code, Errc::not_found);
    ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);
    bool released = false;
    std::optional<Result<std::string>> fifo;
    test::run_releasing_fifo(d / "fifo", [&] { fifo.emplace(read_file_limited(d / "fifo", 100)); }, &released);
    EXPECT_FALSE(released);
    ASSERT_FALSE(*fifo);
    EXPECT_EQ(fifo->error().code, Errc::unsafe_path);
    // The hash of a file reads through the same check.
    std::optional<Result<std::string>> hash;
    test::run_releasing_fifo(d / "fifo", [&] { hash.emplace(crypto::sha256_file(d / "fifo")); }, &released);
    EXPECT_FALSE(released);
    ASSERT_FALSE(*hash);
    EXPECT_NE(hash->error().message.find("is a FIFO"), std::string::npos) << hash->error().describe();
}

TEST_F(PackOnDisk, VerifyRefusesACaptionCueBeyondItsBound) {
    test::write_file(dir / "captions/v1.en.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\n" + std::string(kMaxCueChars + 1, 'x') + "\n");
    cat.courses[0].videos[0].captions["en"] = *describe_pack_file(dir.path(), "captions/v1.en.vtt");
    write();
    auto pack = ContentPack::open(dir.path());
    ASSERT_TRUE(pack) << pack.error().describe();
    auto st = (*pack)->verify_all();
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("caption file courses[0].videos[0].captions.en (captions/v1.en.vtt): WebVTT cue 1"),
              std::string::npos)
        << st.error().message;
}

TEST_F(PackOnDisk, EscapingPathInManifestIsRefused) {
    std::string m = write_manifest(cat);
    auto pos = m.find("media/v1.mp4");
    m.replace(pos, std::string("media/v1.mp4").size(), "../../etc/passwd");
    test::write_file(dir / "manifest.json", m);
    auto pack = ContentPack::open(dir.path());
    ASSERT_FALSE(pack);
    EXPECT_NE(pack.error().message.find("\"..\" component"), std::string::npos) << pack.error().message;
}

TEST(Pin, HashesAndVerifies) {
    auto h = crypto::hash_pin("2468");
    ASSERT_TRUE(h) << h.error().describe();
    EXPECT_EQ(h->find("2468"), std::string::npos);
    EXPECT_TRUE(crypto::verify_pin("2468", *h));
    EXPECT_FALSE(crypto::verify_pin("2469", *h));
    EXPECT_FALSE(crypto::verify_pin("2468", ""));
    EXPECT_FALSE(crypto::verify_pin("2468", "garbage"));
    EXPECT_NE(*crypto::hash_pin("2468"), *h);  // salted
    EXPECT_FALSE(crypto::hash_pin("12"));
}

TEST(RandomHex, IsHexOfTheRightLengthAndVaries) {
    auto a = crypto::random_hex(16), b = crypto::random_hex(16);
    EXPECT_EQ(a.size(), 32u);
    EXPECT_NE(a, b);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(DescribePackFile, RefusesUnsafeAndNonFiles) {
    test::TempDir d;
    fs::create_directories(d / "sub");
    EXPECT_FALSE(describe_pack_file(d.path(), "../x"));
    auto dirref = describe_pack_file(d.path(), "sub");
    ASSERT_FALSE(dirref);
    EXPECT_EQ(dirref.error().code, Errc::unsafe_path);
}

}  // namespace
}  // namespace lasr
