// Content as course providers deliver it: SRT or Windows-1252 captions,
// 4K / 60 fps / 10-bit video and MOV files, made into a pack the kiosk plays
// (real ffmpeg, the real lasr-kioskctl, headless libmpv).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>

#include "kiosk/ctl/caption_check.hpp"
#include "kiosk/ctl/process.hpp"
#include "kiosk/ctl/transcode.hpp"
#include "media/content_pack.hpp"
#include "media/player.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += s + "\n";
    return out;
}

TEST(Captions, SrtBecomesWebVtt) {
    auto c = check_captions("1\r\n00:00:01,000 --> 00:00:02,500\r\n<font color=\"#ffff00\">Hello</font> & <i>welcome</i>\r\n"
                            "second line\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000 X1:10 X2:20\r\nAT&amp;T 1 < 2\r\n",
                            "intro.en.srt", 4.2);
    EXPECT_TRUE(c.problems.empty()) << joined(c.problems);
    EXPECT_TRUE(c.srt);
    EXPECT_EQ(c.webvtt,
              "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nHello &amp; <i>welcome</i>\nsecond line\n\n"
              "2\n00:00:03.000 --> 00:00:04.000\nAT&amp;T 1 &lt; 2\n");
    ASSERT_EQ(c.cues.size(), 2u);
    EXPECT_EQ(cue_plain_text(c.cues[0].text), "Hello & welcome second line");
    EXPECT_EQ(transcript_from_captions("Welcome", c.cues), "Welcome\n\nHello & welcome second line AT&T 1 < 2\n");
}

TEST(Captions, WebVttIsCheckedAndKeptAsWritten) {
    std::string vtt = "WEBVTT - course 1\n\nNOTE written by hand\n\nintro\n00:01.000 --> 00:02.000 line:90%\n"
                      "<v Ana>Hi</v>\n\n00:00:02.500 --> 00:00:03.000\nBye\n";
    auto ok = check_captions(vtt, "a.vtt", 3.0);
    EXPECT_TRUE(ok.problems.empty()) << joined(ok.problems);
    EXPECT_FALSE(ok.srt);
    EXPECT_EQ(ok.webvtt, vtt);
    ASSERT_EQ(ok.cues.size(), 2u);
    EXPECT_DOUBLE_EQ(ok.cues[0].start, 1.0);
    EXPECT_EQ(ok.cues[0].text, "<v Ana>Hi</v>");

    // Every problem, each with its line.
    auto bad = check_captions("WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nlate\n\n"
                              "00:00:02.000 --> 00:00:01.000\nbackwards and out of order\n\n"
                              "00:00:07.000 --> 00:00:09.500\nafter the end\n\n"
                              "00:00:08.00 --> 00:00:09.000\nbad stamp\n",
                              "b.vtt", 8.0);
    std::string all = joined(bad.problems);
    EXPECT_EQ(bad.problems.size(), 4u) << all;
    EXPECT_TRUE(contains(all, "b.vtt line 6: the cue ends (00:00:01.000) before it starts (00:00:02.000)")) << all;
    EXPECT_TRUE(contains(all, "b.vtt line 6: cues out of order: 00:00:02.000 comes after 00:00:05.000")) << all;
    EXPECT_TRUE(contains(all, "b.vtt line 9: the cue ends at 00:00:09.500, after the video's end (00:00:08.000)")) << all;
    EXPECT_TRUE(contains(all, "b.vtt line 12: timestamps that do not parse")) << all;
    // Within a second of the end is fine (editors round).
    EXPECT_TRUE(check_captions("WEBVTT\n\n00:00:01.000 --> 00:00:08.900\nx\n", "c.vtt", 8.0).problems.empty());
    EXPECT_FALSE(check_captions("just some text\n", "notes.txt", 0).problems.empty());
}

TEST(Captions, Windows1252IsConvertedWithAWarning) {
    auto c = check_captions("1\r\n00:00:00,500 --> 00:00:01,500\r\nAdi\xF3s, se\xF1or \x93quoted\x94\r\n", "es.srt", 2);
    EXPECT_TRUE(c.problems.empty()) << joined(c.problems);
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_TRUE(contains(c.warnings[0], "es.srt: not UTF-8; read as Windows-1252")) << c.warnings[0];
    ASSERT_EQ(c.cues.size(), 1u);
    EXPECT_EQ(c.cues[0].text, "Adi\xC3\xB3s, se\xC3\xB1or \xE2\x80\x9Cquoted\xE2\x80\x9D");
}

TEST(Transcode, CommandsStateTheProfileAndTheLoudnessTarget) {
    VideoInfo uhd{"hevc", "yuv420p10le", 3840, 2160, "60/1", 60, 10, true};
    auto h = transcode_command("in.mov", "out.mp4", uhd, VideoProfile::h264);
    std::string cmd;
    for (const auto& a : h) cmd += a + " ";
    EXPECT_TRUE(contains(cmd, "libx264")) << cmd;
    EXPECT_TRUE(contains(cmd, "min(1920,iw)")) << cmd;
    EXPECT_TRUE(contains(cmd, "fps=60/2")) << cmd;
    EXPECT_TRUE(contains(cmd, "loudnorm=I=-16:TP=-1.5:LRA=11")) << cmd;
    VideoInfo ntsc{"h264", "yuv420p", 1920, 1080, "60000/1001", 59.94, 10, false};
    auto e = transcode_command("in.mp4", "out.mp4", ntsc, VideoProfile::hevc);
    cmd.clear();
    for (const auto& a : e) cmd += a + " ";
    EXPECT_TRUE(contains(cmd, "libx265 -preset medium -crf 24 -profile:v main -pix_fmt yuv420p")) << cmd;
    EXPECT_TRUE(contains(cmd, "fps=60000/2002")) << cmd;
    EXPECT_TRUE(contains(cmd, "-an")) << cmd;
    EXPECT_FALSE(contains(cmd, "loudnorm")) << cmd;
    EXPECT_TRUE(fits_profile({"hevc", "yuv420p", 1920, 1080, "30/1", 30, 10, true}, VideoProfile::hevc));
    EXPECT_FALSE(fits_profile({"h264", "yuv420p", 1920, 1080, "30/1", 30, 10, true}, VideoProfile::hevc));
    EXPECT_FALSE(fits_profile(uhd, VideoProfile::h264));
}

class PackAuthoring : public ::testing::Test {
protected:
    test::TempDir tmp;
    int runs = 0;

    using Ran = test::Ran;
    Ran kioskctl(std::vector<std::string> args) {
        args.insert(args.begin(), LASR_KIOSKCTL);
        return test::run_output(args, tmp / ("run-" + std::to_string(++runs) + ".log"));
    }
    void ffmpeg(std::vector<std::string> args) {
        fs::create_directories(fs::path(args.back()).parent_path());
        args.insert(args.begin(), {"ffmpeg", "-nostdin", "-v", "error", "-y"});
        ASSERT_EQ(test::run(args, tmp / "ff.log"), 0) << test::read_file(tmp / "ff.log");
    }
    void SetUp() override {
        ASSERT_EQ(kioskctl({"keygen", "--key", (tmp / "k.key").string(), "--pub", (tmp / "k.pub").string()}).status, 0);
    }
    Ran pack(const std::string& out, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"pack", (tmp / "src").string(), "--key", (tmp / "k.key").string(), "--out",
                                         (tmp / out).string(), "--cache", (tmp / "cache").string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return kioskctl(args);
    }
};

TEST_F(PackAuthoring, EveryProblemIsListedBeforeAnythingIsBuilt) {
    test::VideoSpec spec;
    spec.seconds = 1;
    spec.audio = false;
    ASSERT_TRUE(test::make_video(tmp / "src/media/a.mp4", spec));
    ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=60:duration=1", "-c:v", "libx264", "-preset", "ultrafast",
            (tmp / "src/media/fast.mp4").string()});
    test::write_file(tmp / "src/captions/a.srt", "1\n00:00:00,500 --> 00:00:00,900\nlater\n\n2\n00:00:00,100 --> "
                                                 "00:00:00,400\nearlier\n");
    test::write_file(tmp / "src/pack.json", R"({"library_id": "springfield", "version": 1, "languages": ["en"],
  "courses": [{"id": "c1", "title": {"en": "One"}, "videos": [
    {"id": "a", "title": {"en": "A"}, "file": "media/a.mp4", "captions": {"en": "captions/a.srt"}},
    {"id": "fast", "title": {"en": "Fast"}, "file": "media/fast.mp4"},
    {"id": "gone", "title": {"en": "Gone"}, "file": "media/missing.mp4", "no_captions": true}]}],
  "resources": [{"id": "r1", "name": "R", "category": "bowling", "description": {"en": "x"}, "phone": "1"}]
})");
    auto r = pack("out");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(contains(r.out, "5 problems in")) << r.out;
    EXPECT_TRUE(contains(r.out, "video a (courses[0].videos[0]): a.srt line 6: cues out of order")) << r.out;
    EXPECT_TRUE(contains(r.out, "video fast (courses[0].videos[1]): fast.mp4: frame rate 60 is above 30 fps")) << r.out;
    EXPECT_TRUE(contains(r.out, "video fast (courses[0].videos[1]): has no captions")) << r.out;
    EXPECT_TRUE(contains(r.out, "video gone (courses[0].videos[2]): missing.mp4: ffprobe cannot read it")) << r.out;
    EXPECT_TRUE(contains(r.out, "pack.json: resources[0].category: \"bowling\" is not a known category")) << r.out;
    EXPECT_FALSE(fs::exists(tmp / "out"));
}

// The issue's case: a 4K 60 fps 10-bit clip and a 1080p MOV with SRT
// captions become a pack the kiosk plays; the second run encodes nothing.
TEST_F(PackAuthoring, TranscodedPackPlaysAndASecondRunUsesTheCache) {
    // Short clips keep CI fast; what matters is their format.
    // (H.264 High 10 rather than 10-bit HEVC: the same problem for the kiosk, made in a fifth of the time.)
    ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=3840x2160:rate=60:duration=0.5", "-f", "lavfi", "-i",
            "sine=frequency=440:duration=0.5", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le",
            "-c:a", "aac", "-shortest", (tmp / "src/media/uhd.mp4").string()});
    // A ProRes MOV with PCM sound, as editing software exports it.
    ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=1", "-f", "lavfi", "-i",
            "sine=frequency=330:duration=1", "-c:v", "prores", "-profile:v", "0", "-pix_fmt", "yuv422p10le", "-c:a",
            "pcm_s16le", "-shortest", (tmp / "src/media/talk.mov").string()});
    test::write_file(tmp / "src/captions/talk.en.srt", "1\r\n00:00:00,100 --> 00:00:00,900\r\nHello <b>there</b>\r\n");
    test::write_file(tmp / "src/captions/uhd.en.vtt", "WEBVTT\n\n00:00.000 --> 00:00.400\nSharp\n");
    test::write_file(tmp / "src/pack.json", R"({"library_id": "springfield", "version": 1, "languages": ["en"],
  "courses": [{"id": "c1", "title": {"en": "One"}, "videos": [
    {"id": "uhd", "title": {"en": "Ultra"}, "file": "media/uhd.mp4", "captions": {"en": "captions/uhd.en.vtt"}},
    {"id": "talk", "title": {"en": "Talk"}, "file": "media/talk.mov", "captions": {"en": "captions/talk.en.srt"}}]}]
})");
    // Without --transcode: refused, both named.
    auto refused = pack("out");
    EXPECT_EQ(refused.status, 1);
    EXPECT_TRUE(contains(refused.out, "uhd.mp4: pixel format yuv420p10le is not allowed")) << refused.out;
    EXPECT_TRUE(contains(refused.out, "talk.mov: codec prores")) << refused.out;

    auto first = pack("out", {"--transcode"});
    ASSERT_EQ(first.status, 0) << first.out;
    EXPECT_TRUE(contains(first.out, "transcoded=2 cache_hits=0")) << first.out;
    EXPECT_TRUE(contains(first.out, "transcode uhd: 3840x2160 h264 yuv420p10le 60 fps -> h264")) << first.out;
    EXPECT_TRUE(contains(first.out, "% (")) << first.out;  // progress lines (not a terminal here)
    EXPECT_TRUE(contains(first.out, "talk.en.srt is SRT; converted to WebVTT")) << first.out;
    EXPECT_TRUE(contains(first.out, "video talk: transcript (en) made from the captions")) << first.out;

    auto second = pack("again", {"--transcode"});
    ASSERT_EQ(second.status, 0) << second.out;
    EXPECT_TRUE(contains(second.out, "transcoded=0 cache_hits=2")) << second.out;
    EXPECT_TRUE(contains(second.out, "transcode uhd: cache hit")) << second.out;
    EXPECT_EQ(test::read_file(tmp / "out/manifest.json").substr(0, 200),
              test::read_file(tmp / "again/manifest.json").substr(0, 200));

    auto pk = ContentPack::open(tmp / "out");
    ASSERT_TRUE(pk) << pk.error().describe();
    const Catalog& cat = (*pk)->catalog();
    ASSERT_EQ(cat.courses.size(), 1u);
    PlayerOptions po;
    po.headless = true;
    po.audio = false;
    po.untimed = true;
    auto player = Player::create(po);
    ASSERT_TRUE(player) << player.error().describe();
    for (const Video& v : cat.courses[0].videos) {
        SCOPED_TRACE(v.id);
        auto path = (*pk)->verified_path(v.file);
        ASSERT_TRUE(path) << path.error().describe();
        auto info = probe_video(*path);
        ASSERT_TRUE(info) << info.error().describe();
        EXPECT_EQ(info->codec, "h264");
        EXPECT_EQ(info->pix_fmt, "yuv420p");
        EXPECT_LE(info->width, 1920);
        EXPECT_LE(info->height, 1080);
        EXPECT_LE(info->fps, 30.01);
        EXPECT_TRUE(info->audio);
        ASSERT_EQ(v.captions.count("en"), 1u);
        auto cap = (*pk)->verified_path(v.captions.at("en"));
        ASSERT_TRUE(cap);
        EXPECT_EQ(test::read_file(*cap).substr(0, 6), "WEBVTT");
        ASSERT_EQ(v.transcripts.count("en"), 1u);
        MediaItem item{v.id, path->string(), v.duration_s, {{"en", cap->string()}}, false};
        ASSERT_TRUE((*player)->load(item));
        std::optional<PlayerEvent> end;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (!end && std::chrono::steady_clock::now() < deadline)
            for (auto& ev : (*player)->wait(0.2))
                if (ev.tag == v.id && ev.kind != PlayerEvent::Kind::started) end = ev;
        ASSERT_TRUE(end.has_value());
        EXPECT_EQ(end->kind, PlayerEvent::Kind::ended) << (end->error ? end->error->describe() : "");
    }
    auto talk = (*pk)->verified_path(cat.courses[0].videos[1].transcripts.at("en"));
    ASSERT_TRUE(talk);
    EXPECT_EQ(test::read_file(*talk), "Talk\n\nHello there\n");
}

TEST_F(PackAuthoring, HevcProfileForRaspberryPi5) {
    test::VideoSpec spec;
    spec.seconds = 0.5;
    spec.audio = false;
    ASSERT_TRUE(test::make_video(tmp / "src/media/a.mp4", spec));  // H.264: fine for PCs, not for a Pi 5
    test::write_file(tmp / "src/pack.json", R"({"library_id": "springfield", "version": 1, "languages": ["en"],
  "video_profile": "hevc",
  "courses": [{"id": "c1", "title": {"en": "One"}, "videos": [
    {"id": "a", "title": {"en": "A"}, "file": "media/a.mp4", "no_captions": true}]}]})");
    auto r = pack("out", {"--transcode"});
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "-> hevc")) << r.out;
    std::string manifest = test::read_file(tmp / "out/manifest.json");
    EXPECT_FALSE(contains(manifest, "video_profile")) << manifest;
    fs::path mp4;
    for (auto& e : fs::directory_iterator(tmp / "out/files"))
        if (e.path().extension() == ".mp4") mp4 = e.path();
    auto p = run_capture({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=codec_name,profile,pix_fmt", "-of", "csv=p=0", mp4.string()});
    ASSERT_TRUE(p);
    EXPECT_EQ(p->output, "hevc,Main,yuv420p\n");
    // Already HEVC: copied, not encoded again.
    auto same = pack("out2", {"--transcode", "--profile", "hevc"});
    EXPECT_TRUE(contains(same.out, "transcoded=0 cache_hits=1")) << same.out;
}

}  // namespace
}  // namespace lasr::ctl
