#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "playlists/manifest.hpp"

namespace lasr {
namespace {

using json = nlohmann::json;

const std::string kHash(64, 'a');

json good_manifest() {
    return json::parse(R"({
      "format": "lasr-pack", "format_version": 1, "library_id": "demo-library", "version": 3,
      "issued": "2026-11-29T00:00:00Z", "languages": ["en", "es"],
      "courses": [{
        "id": "c1", "title": {"en": "Second responders", "es": "Segundos respondedores"},
        "videos": [{
          "id": "c1-v1", "title": {"en": "What is a second responder?"},
          "file": {"path": "media/c1-v1.mp4", "sha256": ")" + kHash + R"(", "size": 1000},
          "duration_s": 12.5,
          "captions": {"en": {"path": "captions/c1-v1.en.vtt", "sha256": ")" + kHash + R"(", "size": 10}},
          "transcripts": {"es": {"path": "transcripts/c1-v1.es.txt", "sha256": ")" + kHash + R"(", "size": 10}}
        }]
      }],
      "resources": [{
        "id": "r-988", "name": "988 Suicide & Crisis Lifeline", "category": "crisis",
        "description": {"en": "Call or text 988."}, "phone": "988", "website": "https://988lifeline.org",
        "always_open": true, "national": true, "languages": ["en", "es"],
        "hours": [{"days": ["mon", "tue"], "open": "09:00", "close": "17:00"}]
      }],
      "alerts": [{
        "id": "heat-1", "severity": "emergency", "title": {"en": "Cooling center open", "es": "Centro de enfriamiento abierto"},
        "body": {"en": "The library is a cooling center today."}, "starts": "2026-07-01T08:00:00Z",
        "ends": "2026-07-02T08:00:00Z", "pin_resources": ["r-988"]
      }]
    })");
}

TEST(Manifest, ParsesAGoodManifest) {
    auto cat = parse_manifest(good_manifest().dump());
    ASSERT_TRUE(cat) << cat.error().describe();
    EXPECT_EQ(cat->info.library_id, "demo-library");
    EXPECT_EQ(cat->info.version, 3u);
    ASSERT_EQ(cat->courses.size(), 1u);
    const Video& v = cat->courses[0].videos[0];
    EXPECT_EQ(v.file.path, "media/c1-v1.mp4");
    EXPECT_DOUBLE_EQ(v.duration_s, 12.5);
    EXPECT_EQ(v.title.get("es"), "What is a second responder?");  // falls back to English
    EXPECT_EQ(cat->courses[0].title.get("es"), "Segundos respondedores");
    ASSERT_EQ(cat->resources.size(), 1u);
    EXPECT_TRUE(cat->resources[0].always_open);
    EXPECT_EQ(cat->resources[0].hours[0].close, "17:00");
    const Course* course = nullptr;
    EXPECT_EQ(cat->find_video("c1-v1", &course), &v);
    EXPECT_EQ(course, &cat->courses[0]);
    EXPECT_EQ(cat->all_files().size(), 3u);
    ASSERT_EQ(cat->alerts.size(), 1u);
    EXPECT_EQ(cat->alerts[0].severity, "emergency");
    EXPECT_EQ(cat->alerts[0].pin_resources, std::vector<std::string>{"r-988"});
}

TEST(Manifest, WriteThenParseRoundTrips) {
    auto cat = parse_manifest(good_manifest().dump());
    ASSERT_TRUE(cat);
    std::string written = write_manifest(*cat);
    auto again = parse_manifest(written);
    ASSERT_TRUE(again) << again.error().describe();
    EXPECT_EQ(write_manifest(*again), written);
}

struct Mutation {
    const char* name;
    std::function<void(json&)> apply;
    const char* expect;
};

class ManifestBad : public ::testing::TestWithParam<Mutation> {};

TEST_P(ManifestBad, IsRefusedNamingTheField) {
    json m = good_manifest();
    GetParam().apply(m);
    auto cat = parse_manifest(m.dump());
    ASSERT_FALSE(cat) << GetParam().name;
    EXPECT_NE(cat.error().message.find(GetParam().expect), std::string::npos) << cat.error().message;
}

auto& video0(json& m) { return m["courses"][0]["videos"][0]; }

INSTANTIATE_TEST_SUITE_P(
    Cases, ManifestBad,
    ::testing::Values(
        Mutation{"missing_library", [](json& m) { m.erase("library_id"); }, "library_id: is missing"},
        Mutation{"unknown_version", [](json& m) { m["format_version"] = 2; }, "format_version 2 is not supported"},
        Mutation{"wrong_format", [](json& m) { m["format"] = "zip"; }, "format: must be \"lasr-pack\""},
        Mutation{"missing_file", [](json& m) { video0(m).erase("file"); }, "courses[0].videos[0].file: is missing"},
        Mutation{"bad_hash", [](json& m) { video0(m)["file"]["sha256"] = "abc"; }, "courses[0].videos[0].file.sha256: must be 64"},
        Mutation{"upper_hash", [](json& m) { video0(m)["file"]["sha256"] = std::string(64, 'A'); }, "file.sha256: must be 64 lowercase"},
        Mutation{"zero_size", [](json& m) { video0(m)["file"]["size"] = 0; }, "file.size: must be a whole number from 1 to"},
        Mutation{"negative_size", [](json& m) { video0(m)["file"]["size"] = -5; }, "file.size: must be a whole number"},
        Mutation{"escaping_path", [](json& m) { video0(m)["file"]["path"] = "../../etc/passwd"; }, "has a \"..\" component"},
        Mutation{"absolute_path", [](json& m) { video0(m)["file"]["path"] = "/etc/passwd"; }, "is absolute"},
        Mutation{"caption_escape", [](json& m) { video0(m)["captions"]["en"]["path"] = "captions/../../x"; }, "captions.en.path"},
        Mutation{"backslash", [](json& m) { video0(m)["file"]["path"] = "media\\a.mp4"; }, "has a character outside"},
        // Whole numbers: one checked reader, a documented range, the field named.
        Mutation{"version_2_63", [](json& m) { m["version"] = 9223372036854775808ull; }, "version: must be a whole number from 1 to 9007199254740991"},
        Mutation{"version_2_53", [](json& m) { m["version"] = 9007199254740992ull; }, "version: must be a whole number from 1 to 9007199254740991"},
        Mutation{"version_2_64", [](json& m) { m["version"] = 18446744073709551616.0; }, "version: must be a whole number"},
        Mutation{"version_zero", [](json& m) { m["version"] = 0; }, "version: must be a whole number from 1"},
        Mutation{"version_negative", [](json& m) { m["version"] = -3; }, "version: must be a whole number from 1"},
        Mutation{"version_fraction", [](json& m) { m["version"] = 3.5; }, "version: must be a whole number from 1"},
        Mutation{"version_text", [](json& m) { m["version"] = "3"; }, "version: must be a whole number from 1"},
        Mutation{"format_version_huge", [](json& m) { m["format_version"] = 4294967297ull; }, "format_version 4294967297 is not supported"},
        Mutation{"format_version_2_64", [](json& m) { m["format_version"] = 18446744073709551615ull; }, "format_version: must be a whole number from 1"},
        Mutation{"huge_size", [](json& m) { video0(m)["file"]["size"] = 18446744073709551615ull; }, "courses[0].videos[0].file.size: must be a whole number from 1 to 68719476736"},
        Mutation{"caption_size", [](json& m) { video0(m)["captions"]["en"]["size"] = 1048577; }, "captions.en.size: must be a whole number from 1 to 1048576"},
        Mutation{"transcript_size", [](json& m) { video0(m)["transcripts"]["es"]["size"] = 65537; }, "transcripts.es.size: must be a whole number from 1 to 65536"},
        Mutation{"duration_day", [](json& m) { video0(m)["duration_s"] = 86400; }, "duration_s: must be more than 0 and less than 86400"},
        Mutation{"duration_huge", [](json& m) { video0(m)["duration_s"] = 1e308; }, "duration_s: must be more than 0"},
        Mutation{"no_duration", [](json& m) { video0(m).erase("duration_s"); }, "duration_s: is missing"},
        Mutation{"bad_duration", [](json& m) { video0(m)["duration_s"] = -1; }, "duration_s: must be more than 0 and less than 86400"},
        Mutation{"dup_video", [](json& m) { m["courses"][0]["videos"].push_back(video0(m)); }, "id \"c1-v1\" is used twice"},
        Mutation{"empty_course", [](json& m) { m["courses"][0]["videos"] = json::array(); }, "needs at least one video"},
        Mutation{"empty_text", [](json& m) { video0(m)["title"]["es"] = ""; }, "courses[0].videos[0].title.es: must not be empty"},
        Mutation{"bad_lang", [](json& m) { video0(m)["title"]["EN"] = "x"; }, "\"EN\" is not a language code"},
        Mutation{"bad_category", [](json& m) { m["resources"][0]["category"] = "pizza"; }, "\"pizza\" is not a known category"},
        Mutation{"no_contact", [](json& m) { auto& r = m["resources"][0]; r.erase("phone"); r.erase("website"); }, "needs at least a phone"},
        Mutation{"bad_website", [](json& m) { m["resources"][0]["website"] = "javascript:alert(1)"; }, "must start with https://"},
        Mutation{"bad_hours", [](json& m) { m["resources"][0]["hours"][0]["open"] = "9am"; }, "hours[0].open: must be HH:MM"},
        Mutation{"bad_day", [](json& m) { m["resources"][0]["hours"][0]["days"] = {"someday"}; }, "is not one of mon..sun"},
        Mutation{"alert_severity", [](json& m) { m["alerts"][0]["severity"] = "panic"; }, "alerts[0].severity: must be info"},
        Mutation{"alert_time", [](json& m) { m["alerts"][0]["starts"] = "tomorrow"; }, "alerts[0].starts: \"tomorrow\" must be a UTC time like"},
        // Every time is a real UTC moment in the one spelling, or refused naming the field.
        Mutation{"expires_tomorrow", [](json& m) { m["expires"] = "tomorrow"; }, "manifest expires: \"tomorrow\" must be a UTC time like 2026-11-29T08:00:00Z"},
        Mutation{"expires_empty_ok_but_number", [](json& m) { m["expires"] = 1; }, "expires: must be a string"},
        Mutation{"issued_missing", [](json& m) { m.erase("issued"); }, "manifest issued: is missing"},
        Mutation{"issued_feb_30", [](json& m) { m["issued"] = "2026-02-30T00:00:00Z"; }, "issued: \"2026-02-30T00:00:00Z\" must be a UTC time"},
        Mutation{"issued_month_13", [](json& m) { m["issued"] = "2026-13-01T00:00:00Z"; }, "issued: \"2026-13-01T00:00:00Z\" must be"},
        Mutation{"issued_hour_24", [](json& m) { m["issued"] = "2026-11-29T24:00:00Z"; }, "issued: \"2026-11-29T24:00:00Z\" must be"},
        Mutation{"issued_second_60", [](json& m) { m["issued"] = "2026-11-29T23:59:60Z"; }, "issued: \"2026-11-29T23:59:60Z\" must be"},
        Mutation{"issued_offset", [](json& m) { m["issued"] = "2026-11-29T08:00:00+01:00"; }, "issued: \"2026-11-29T08:00:00+01:00\" must be"},
        Mutation{"issued_fraction", [](json& m) { m["issued"] = "2026-11-29T08:00:00.5Z"; }, "issued: \"2026-11-29T08:00:00.5Z\" must be"},
        Mutation{"issued_space", [](json& m) { m["issued"] = "2026-11-29 08:00:00Z"; }, "issued: \"2026-11-29 08:00:00Z\" must be"},
        Mutation{"issued_year_0", [](json& m) { m["issued"] = "0000-01-01T00:00:00Z"; }, "issued: \"0000-01-01T00:00:00Z\" must be"},
        Mutation{"alert_ends_bad_day", [](json& m) { m["alerts"][0]["ends"] = "2026-04-31T08:00:00Z"; }, "alerts[0].ends: \"2026-04-31T08:00:00Z\" must be"},
        Mutation{"alert_order", [](json& m) { m["alerts"][0]["ends"] = "2026-06-01T08:00:00Z"; }, "alerts[0].ends: must be after starts"},
        Mutation{"alert_pin", [](json& m) { m["alerts"][0]["pin_resources"] = {"nope"}; }, "names no resource \"nope\""},
        Mutation{"courses_not_list", [](json& m) { m["courses"] = "all"; }, "courses: must be a list"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

// One reading of the signed bytes: nlohmann keeps the last of two equal
// keys, other parsers the first; a manifest that repeats a key is refused.
TEST(Manifest, RefusesADuplicateKeyAnywhereNamingIt) {
    std::string good = good_manifest().dump();
    ASSERT_TRUE(parse_manifest(good));
    struct Case {
        std::string anchor, insert, expect;
    };
    for (const Case& c : std::vector<Case>{
             {R"("version":3)", R"("version":4,)", "manifest version: the key appears twice"},
             {R"("library_id":"demo-library")", R"("library_id":"other",)", "manifest library_id: the key appears twice"},
             {R"("duration_s":12.5)", R"("duration_s":1.0,)", "manifest courses[0].videos[0].duration_s: the key appears twice"},
             {R"("en":"What is a second responder?")", R"("en":"Other",)", "courses[0].videos[0].title.en: the key appears twice"},
             {R"("phone":"988")", R"("phone":"911",)", "manifest resources[0].phone: the key appears twice"},
             {R"("open":"09:00")", R"("open":"00:00",)", "resources[0].hours[0].open: the key appears twice"},
             {R"("severity":"emergency")", R"("severity":"info",)", "manifest alerts[0].severity: the key appears twice"},
         }) {
        std::string m = good;
        auto at = m.find(c.anchor);
        ASSERT_NE(at, std::string::npos) << c.anchor;
        m.insert(at, c.insert);
        auto cat = parse_manifest(m);
        ASSERT_FALSE(cat) << c.insert;
        EXPECT_NE(cat.error().message.find(c.expect), std::string::npos) << cat.error().message;
    }
    // The same in a schedules section read on its own.
    auto cat = parse_manifest(good);
    auto s = parse_schedules_json(R"({"default_playlist":"all-courses","default_playlist":"all-courses"})", *cat);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("schedules default_playlist: the key appears twice"), std::string::npos)
        << s.error().message;
}

TEST(Manifest, RefusesNestingDeeperThanTheFormatUses) {
    json m = good_manifest();
    json deep = json::array();
    for (int i = 0; i < 40; ++i) deep = json::array({deep});
    m["courses"][0]["videos"][0]["title"]["en"] = deep;
    auto cat = parse_manifest(m.dump());
    ASSERT_FALSE(cat);
    EXPECT_NE(cat.error().message.find("manifest courses[0].videos[0].title.en"), std::string::npos) << cat.error().message;
    EXPECT_NE(cat.error().message.find("nested deeper than"), std::string::npos) << cat.error().message;
}

// One rule for keys everywhere: the format's keys, and "x-" extensions
// (ignored); any other key is refused naming it (only schedules did before).
TEST(Manifest, RefusesAnUnknownKeyAnywhereAndIgnoresExtensions) {
    struct Case {
        std::function<json&(json&)> at;
        std::string expect;
    };
    std::vector<Case> cases{
        {[](json& m) -> json& { return m; }, "manifest (top level): unknown key \"titel\""},
        {[](json& m) -> json& { return m["courses"][0]; }, "manifest courses[0]: unknown key \"titel\""},
        {[](json& m) -> json& { return video0(m); }, "manifest courses[0].videos[0]: unknown key \"titel\""},
        {[](json& m) -> json& { return video0(m)["file"]; }, "manifest courses[0].videos[0].file: unknown key \"titel\""},
        {[](json& m) -> json& { return video0(m)["captions"]["en"]; }, "courses[0].videos[0].captions.en: unknown key"},
        {[](json& m) -> json& { return m["resources"][0]; }, "manifest resources[0]: unknown key \"titel\""},
        {[](json& m) -> json& { return m["resources"][0]["hours"][0]; }, "manifest resources[0].hours[0]: unknown key \"titel\""},
        {[](json& m) -> json& { return m["alerts"][0]; }, "manifest alerts[0]: unknown key \"titel\""},
    };
    for (const auto& c : cases) {
        json m = good_manifest();
        c.at(m)["titel"] = "x";
        auto cat = parse_manifest(m.dump());
        ASSERT_FALSE(cat) << c.expect;
        EXPECT_NE(cat.error().message.find(c.expect), std::string::npos) << cat.error().message;
        EXPECT_NE(cat.error().message.find("extensions start with \"x-\""), std::string::npos);
        json ext = good_manifest();
        c.at(ext)["x-titel"] = {{"anything", 1}};
        auto ok = parse_manifest(ext.dump());
        EXPECT_TRUE(ok) << ok.error().describe();
    }
}

// Every text field has a documented bound (in characters, so 120 "é" are as
// good as 120 "e") and no control characters; a line break only in
// paragraphs. The longest allowed text is accepted.
TEST(Manifest, BoundsEveryTextFieldNamingIt) {
    auto text_of = [](size_t n) {
        std::string s;
        for (size_t i = 0; i < n; ++i) s += "\xc3\xa9";  // é, two bytes
        return s;
    };
    struct Case {
        std::function<json&(json&)> at;
        std::string name;
        size_t max;
    };
    std::vector<Case> cases{
        {[](json& m) -> json& { return m["library_name"]; }, "manifest library_name", kMaxTitleChars},
        {[](json& m) -> json& { return m["courses"][0]["title"]["en"]; }, "manifest courses[0].title.en", kMaxTitleChars},
        {[](json& m) -> json& { return m["courses"][0]["summary"]["es"]; }, "manifest courses[0].summary.es", kMaxSummaryChars},
        {[](json& m) -> json& { return video0(m)["title"]["en"]; }, "manifest courses[0].videos[0].title.en", kMaxTitleChars},
        {[](json& m) -> json& { return video0(m)["summary"]["en"]; }, "manifest courses[0].videos[0].summary.en", kMaxSummaryChars},
        {[](json& m) -> json& { return m["resources"][0]["name"]; }, "manifest resources[0].name", kMaxTitleChars},
        {[](json& m) -> json& { return m["resources"][0]["description"]["en"]; }, "manifest resources[0].description.en", kMaxSummaryChars},
        {[](json& m) -> json& { return m["resources"][0]["address"]; }, "manifest resources[0].address", kMaxAddressChars},
        {[](json& m) -> json& { return m["resources"][0]["phone"]; }, "manifest resources[0].phone", kMaxPhoneChars},
        {[](json& m) -> json& { return m["resources"][0]["sms"]; }, "manifest resources[0].sms", kMaxPhoneChars},
        {[](json& m) -> json& { return m["resources"][0]["languages"][1]; }, "manifest resources[0].languages[1]", kMaxLanguageNameChars},
        {[](json& m) -> json& { return m["alerts"][0]["title"]["es"]; }, "manifest alerts[0].title.es", kMaxTitleChars},
        {[](json& m) -> json& { return m["alerts"][0]["body"]["en"]; }, "manifest alerts[0].body.en", kMaxSummaryChars},
    };
    for (const auto& c : cases) {
        json ok = good_manifest();
        c.at(ok) = text_of(c.max);
        auto longest = parse_manifest(ok.dump());
        EXPECT_TRUE(longest) << c.name << ": " << longest.error().describe();
        json m = good_manifest();
        c.at(m) = text_of(c.max + 1);
        auto cat = parse_manifest(m.dump());
        ASSERT_FALSE(cat) << c.name;
        EXPECT_NE(cat.error().message.find(c.name + ": is " + std::to_string(c.max + 1) + " characters, more than the " +
                                           std::to_string(c.max) + " allowed"),
                  std::string::npos)
            << cat.error().message;
    }
    json web = good_manifest();
    web["resources"][0]["website"] = "https://example.org/" + std::string(kMaxUrlChars, 'a');
    EXPECT_NE(parse_manifest(web.dump()).error().message.find("resources[0].website: is 320 characters, more than the 300"),
              std::string::npos);
    // A 1 MB alert title, the reviewer's case.
    json huge = good_manifest();
    huge["alerts"][0]["title"]["en"] = std::string(1 << 20, 'A');
    EXPECT_NE(parse_manifest(huge.dump()).error().message.find("alerts[0].title.en: is 1048576 characters"), std::string::npos);
    // Control characters: never in a title; line breaks only in paragraphs.
    json nl = good_manifest();
    video0(nl)["title"]["en"] = "two\nlines";
    EXPECT_NE(parse_manifest(nl.dump()).error().message.find("courses[0].videos[0].title.en: holds a control character"),
              std::string::npos);
    json para = good_manifest();
    para["alerts"][0]["body"]["en"] = "first\nsecond";
    EXPECT_TRUE(parse_manifest(para.dump()));
    json esc = good_manifest();
    esc["alerts"][0]["body"]["en"] = "bell\x07";
    EXPECT_NE(parse_manifest(esc.dump()).error().message.find("alerts[0].body.en: holds a control character"), std::string::npos);
    json lang = good_manifest();
    lang["languages"] = {"en", "English"};
    EXPECT_NE(parse_manifest(lang.dump()).error().message.find("languages: \"English\" is not a language code"), std::string::npos);
}

TEST(WebVtt, BoundsEveryCue) {
    EXPECT_TRUE(check_webvtt("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"));
    EXPECT_TRUE(check_webvtt("\xEF\xBB\xBFWEBVTT - with a title\r\n\r\n1\r\n00:00.000 --> 00:01.000\r\nHello\r\n"));
    EXPECT_FALSE(check_webvtt("1\n00:00:00,000 --> 00:00:01,000\nAn SRT file\n"));
    EXPECT_FALSE(check_webvtt("WEBVTTX\n"));
    std::string longest = "WEBVTT\n\nNOTE " + std::string(5000, 'n') + "\n\n00:00.000 --> 00:01.000\n" +
                          std::string(kMaxCueChars / 2, 'a') + "\n" + std::string(kMaxCueChars / 2, 'b') + "\n";
    auto ok = check_webvtt(longest);
    EXPECT_TRUE(ok) << ok.error().describe();  // a long NOTE is no cue
    std::string cues = "WEBVTT\n\n00:00.000 --> 00:01.000\nfine\n\n00:01.000 --> 00:02.000\n" +
                       std::string(kMaxCueChars + 1, 'x') + "\n";
    auto too_long = check_webvtt(cues);
    ASSERT_FALSE(too_long);
    EXPECT_NE(too_long.error().message.find("cue 2 (line 6) has more than 200 characters"), std::string::npos)
        << too_long.error().message;
    std::string tall = "WEBVTT\n\n00:00.000 --> 00:01.000\n";
    for (size_t i = 0; i <= kMaxCueLines; ++i) tall += "x\n";
    auto too_tall = check_webvtt(tall);
    ASSERT_FALSE(too_tall);
    EXPECT_NE(too_tall.error().message.find("cue 1 (line 3) has more than 6 lines"), std::string::npos);
}

TEST(Manifest, AcceptsTheLargestVersion) {
    json m = good_manifest();
    m["version"] = kMaxPackVersion;
    auto cat = parse_manifest(m.dump());
    ASSERT_TRUE(cat) << cat.error().describe();
    EXPECT_EQ(cat->info.version, 9007199254740991u);
    auto again = parse_manifest(write_manifest(*cat));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->info.version, kMaxPackVersion);
}

TEST(Manifest, RefusesNonJson) {
    auto cat = parse_manifest("{\"format\": \"lasr-pack\",");
    ASSERT_FALSE(cat);
    EXPECT_EQ(cat.error().code, Errc::parse);
    EXPECT_FALSE(parse_manifest("[1,2]"));
    EXPECT_FALSE(parse_manifest(""));
}

TEST(PackPath, AcceptsPlainRelativePaths) {
    EXPECT_TRUE(check_pack_path("media/c1-v1.mp4"));
    EXPECT_TRUE(check_pack_path("a.b_c-d"));
}

TEST(PackPath, RefusesEscapes) {
    for (const char* p : {"", "/abs", "../x", "a/../b", "a/./b", "a//b", "a/", "..", ".", "a\\b", "-rf", "a/-x",
                          "a b", "caf\xc3\xa9", "x\ny"}) {
        auto st = check_pack_path(p);
        EXPECT_FALSE(st) << "accepted \"" << p << "\"";
        if (!st) {
            EXPECT_EQ(st.error().code, Errc::unsafe_path);
        }
    }
    EXPECT_FALSE(check_pack_path(std::string("a\0b", 3)));
    EXPECT_FALSE(check_pack_path(std::string(300, 'a')));
}

}  // namespace
}  // namespace lasr
