// lasr-kioskctl keygen / pack / verify / import / sync-content, run for real
// (the executable, ffmpeg, Debian's minisign, nginx on 127.0.0.1).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "media/content_store.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/http_servers.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;

const std::string kCtl = LASR_KIOSKCTL;

struct Ran {
    int status = -1;
    std::string out;
};

class KioskctlContent : public ::testing::Test {
protected:
    test::TempDir tmp;
    int runs = 0;

    Ran ctl(std::vector<std::string> args) {
        args.insert(args.begin(), kCtl);
        fs::path log = tmp / ("run-" + std::to_string(++runs) + ".log");
        Ran r;
        r.status = test::run(args, log);
        r.out = test::read_file(log);
        return r;
    }
    // A source folder: two videos, one captioned, one waived.
    void make_source(const fs::path& src, uint64_t version = 1) {
        test::VideoSpec spec;
        spec.seconds = 1;
        spec.audio = false;
        ASSERT_TRUE(test::make_video(src / "media/a.mp4", spec));
        spec.text = "B";
        ASSERT_TRUE(test::make_video(src / "media/b.mp4", spec));
        test::write_file(src / "captions/a.en.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n");
        test::write_file(src / "pack.json", R"({
  "library_id": "springfield", "library_name": "Springfield Public Library", "version": )" +
                                                std::to_string(version) + R"(, "languages": ["en"],
  "courses": [{"id": "c1", "title": {"en": "First steps"}, "videos": [
    {"id": "a", "title": {"en": "Welcome"}, "file": "media/a.mp4", "captions": {"en": "captions/a.en.vtt"}},
    {"id": "b", "title": {"en": "Music only"}, "file": "media/b.mp4", "no_captions": true}]}],
  "resources": [{"id": "r-988", "name": "988 Lifeline", "category": "crisis",
                 "description": {"en": "Call or text 988."}, "phone": "988"}]
})");
    }
    std::string key_line(const fs::path& pub) {
        std::string t = test::read_file(pub);
        auto nl = t.find('\n');
        return t.substr(nl + 1, 56);
    }
    fs::path write_config(const std::string& pub_line, const std::string& server = {}) {
        fs::path c = tmp / "kiosk.toml";
        std::string text = "[kiosk]\nlibrary_id = \"springfield\"\ndata_dir = \"" + (tmp / "data").string() +
                           "\"\n[content]\npublic_key = \"" + pub_line + "\"\n";
        if (!server.empty()) text += "server_url = \"" + server + "\"\n";
        test::write_file(c, text);
        return c;
    }
    std::string active_manifest() {
        return test::read_file(tmp / "data/content/current/manifest.json");
    }
};

TEST_F(KioskctlContent, KeygenPackVerifyAndImport) {
    auto kg = ctl({"keygen", "--key", (tmp / "k.key").string(), "--pub", (tmp / "k.pub").string()});
    ASSERT_EQ(kg.status, 0) << kg.out;
    struct stat sb {};
    ASSERT_EQ(::stat((tmp / "k.key").c_str(), &sb), 0);
    EXPECT_EQ(sb.st_mode & 0777, 0600u);
    EXPECT_NE(kg.out.find("public_key = \"RW"), std::string::npos) << kg.out;
    // Never overwritten by accident.
    EXPECT_NE(ctl({"keygen", "--key", (tmp / "k.key").string(), "--pub", (tmp / "k2.pub").string()}).status, 0);

    make_source(tmp / "src");
    auto p = ctl({"pack", (tmp / "src").string(), "--key", (tmp / "k.key").string(), "--out", (tmp / "out").string()});
    ASSERT_EQ(p.status, 0) << p.out;
    // 2 videos, 1 caption, 1 transcript made from it, 2 thumbnails
    EXPECT_NE(p.out.find("pack ok videos=2 files=6"), std::string::npos) << p.out;
    for (auto& e : fs::directory_iterator(tmp / "out/files"))
        EXPECT_EQ(e.path().stem().string().size(), 64u) << "named by SHA-256: " << e.path();

    auto v = ctl({"verify", (tmp / "out").string(), "--pubkey", (tmp / "k.pub").string()});
    ASSERT_EQ(v.status, 0) << v.out;
    EXPECT_NE(v.out.find("verify ok files=6"), std::string::npos) << v.out;
    // Debian's minisign verifies what lasr-kioskctl signed.
    fs::path ml = tmp / "minisign.log";
    EXPECT_EQ(test::run({"minisign", "-V", "-p", (tmp / "k.pub").string(), "-m", (tmp / "out/manifest.json").string()}, ml),
              0)
        << test::read_file(ml);

    fs::path cfg = write_config(key_line(tmp / "k.pub"));
    auto im = ctl({"import", (tmp / "out").string(), "--config", cfg.string()});
    ASSERT_EQ(im.status, 0) << im.out;
    EXPECT_NE(im.out.find("version 1 is now active"), std::string::npos) << im.out;
    EXPECT_EQ(active_manifest(), test::read_file(tmp / "out/manifest.json"));
    auto again = ctl({"import", (tmp / "out").string(), "--config", cfg.string()});
    EXPECT_EQ(again.status, 0);
    EXPECT_NE(again.out.find("already installed"), std::string::npos) << again.out;
}

TEST_F(KioskctlContent, VerifyAndImportRefuseWrongKeyAndTamperedFiles) {
    ASSERT_EQ(ctl({"keygen", "--key", (tmp / "k.key").string(), "--pub", (tmp / "k.pub").string()}).status, 0);
    ASSERT_EQ(ctl({"keygen", "--key", (tmp / "o.key").string(), "--pub", (tmp / "o.pub").string()}).status, 0);
    make_source(tmp / "src");
    ASSERT_EQ(ctl({"pack", (tmp / "src").string(), "--key", (tmp / "k.key").string(), "--out", (tmp / "out").string()}).status,
              0);
    auto wrong = ctl({"verify", (tmp / "out").string(), "--pubkey", (tmp / "o.pub").string()});
    EXPECT_EQ(wrong.status, 1);
    EXPECT_NE(wrong.out.find("does not trust"), std::string::npos) << wrong.out;
    // Current and next keys: either verifies.
    EXPECT_EQ(ctl({"verify", (tmp / "out").string(), "--pubkey", (tmp / "o.pub").string(), "--pubkey",
                   (tmp / "k.pub").string()})
                  .status,
              0);
    fs::path victim;
    for (auto& e : fs::directory_iterator(tmp / "out/files"))
        if (e.path().extension() == ".mp4") victim = e.path();
    std::string b = test::read_file(victim);
    b[b.size() / 2] ^= 1;
    test::write_file(victim, b);
    auto tampered = ctl({"verify", (tmp / "out").string(), "--pubkey", (tmp / "k.pub").string()});
    EXPECT_EQ(tampered.status, 1);
    EXPECT_NE(tampered.out.find("hash_mismatch"), std::string::npos) << tampered.out;
    auto im = ctl({"import", (tmp / "out").string(), "--config", write_config(key_line(tmp / "k.pub")).string()});
    EXPECT_EQ(im.status, 1);
    EXPECT_NE(im.out.find("has SHA-256"), std::string::npos) << im.out;
    EXPECT_FALSE(fs::exists(tmp / "data/content/current"));
}

TEST_F(KioskctlContent, PackEnforcesCaptionsAndTheCodecPolicy) {
    ASSERT_EQ(ctl({"keygen", "--key", (tmp / "k.key").string(), "--pub", (tmp / "k.pub").string()}).status, 0);
    make_source(tmp / "src");
    std::string pj = test::read_file(tmp / "src/pack.json");
    std::string no_waiver = pj;
    no_waiver.replace(no_waiver.find(", \"no_captions\": true"), 21, "");
    test::write_file(tmp / "src/pack.json", no_waiver);
    auto r = ctl({"pack", (tmp / "src").string(), "--key", (tmp / "k.key").string(), "--out", (tmp / "out").string()});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.out.find("video b (courses[0].videos[1]): has no captions"), std::string::npos) << r.out;
    test::write_file(tmp / "src/pack.json", pj);

    struct Bad {
        std::vector<std::string> args;
        std::string why;
    };
    const std::vector<Bad> bad = {
        {{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=60:duration=1", "-c:v", "libx264", "-pix_fmt", "yuv420p"},
         "frame rate 60"},
        {{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=1", "-c:v", "libx264", "-pix_fmt", "yuv420p10le"},
         "pixel format yuv420p10le"},
        {{"-f", "lavfi", "-i", "testsrc2=size=2560x1440:rate=5:duration=1", "-c:v", "libx264", "-pix_fmt", "yuv420p"},
         "larger than 1920x1080"},
        {{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=1", "-c:v", "mpeg4"}, "codec mpeg4"},
    };
    for (const auto& b : bad) {
        std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-v", "error", "-y"};
        argv.insert(argv.end(), b.args.begin(), b.args.end());
        argv.insert(argv.end(), {"-preset", "ultrafast", (tmp / "src/media/a.mp4").string()});
        ASSERT_EQ(test::run(argv, tmp / "ff.log"), 0) << test::read_file(tmp / "ff.log");
        auto rr = ctl({"pack", (tmp / "src").string(), "--key", (tmp / "k.key").string(), "--out", (tmp / "out").string()});
        EXPECT_EQ(rr.status, 1) << b.why;
        EXPECT_NE(rr.out.find(b.why), std::string::npos) << rr.out;
    }
}

TEST_F(KioskctlContent, AMinisignSignedPackSyncsFromNginx) {
    // Content staff may sign with Debian's minisign instead of lasr-kioskctl.
    fs::path log = tmp / "m.log";
    ASSERT_EQ(test::run({"minisign", "-G", "-W", "-p", (tmp / "m.pub").string(), "-s", (tmp / "m.key").string()}, log), 0)
        << test::read_file(log);
    ASSERT_EQ(ctl({"keygen", "--key", (tmp / "k.key").string(), "--pub", (tmp / "k.pub").string()}).status, 0);
    make_source(tmp / "src");
    fs::path out = tmp / "www/springfield";
    ASSERT_EQ(ctl({"pack", (tmp / "src").string(), "--key", (tmp / "k.key").string(), "--out", out.string()}).status, 0);
    fs::remove(out / "manifest.json.minisig");
    ASSERT_EQ(test::run({"minisign", "-S", "-s", (tmp / "m.key").string(), "-m", (out / "manifest.json").string()}, log), 0)
        << test::read_file(log);
    auto v = ctl({"verify", out.string(), "--pubkey", (tmp / "m.pub").string()});
    ASSERT_EQ(v.status, 0) << v.out;

    std::string err;
    auto nginx = test::Nginx::start(tmp / "www", "", &err);
    ASSERT_TRUE(nginx) << err;
    fs::path cfg = write_config(key_line(tmp / "m.pub"), nginx->url("/springfield/"));
    auto s = ctl({"sync-content", "--config", cfg.string()});
    ASSERT_EQ(s.status, 0) << s.out;
    EXPECT_NE(s.out.find("version 1 is now active"), std::string::npos) << s.out;
    EXPECT_NE(s.out.find("sync phase=fetch"), std::string::npos) << s.out;
    EXPECT_EQ(active_manifest(), test::read_file(out / "manifest.json"));
    auto again = ctl({"sync-content", "--config", cfg.string()});
    ASSERT_EQ(again.status, 0) << again.out;
    EXPECT_NE(again.out.find("has not changed (304)"), std::string::npos) << again.out;
    // A key the kiosk does not pin is refused, and the pack stays.
    fs::path other = write_config(key_line(tmp / "k.pub"), nginx->url("/springfield/"));
    fs::remove(tmp / "data/content/state.json");  // no ETag: a full fetch
    auto refused = ctl({"sync-content", "--config", other.string()});
    EXPECT_EQ(refused.status, 1);
    EXPECT_NE(refused.out.find("does not trust"), std::string::npos) << refused.out;
    EXPECT_EQ(active_manifest(), test::read_file(out / "manifest.json"));
}

}  // namespace
}  // namespace lasr
