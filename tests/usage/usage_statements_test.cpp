// What the usage log stores as xAPI statements: their shape, time, privacy,
// sessions, the v1 -> v2 upgrade, and retention. Real SQLite files.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "kiosk/db/sqlite.hpp"
#include "kiosk/usage/usage_log.hpp"
#include "kiosk/usage/xapi.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/usage/usage_fixtures.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using test::FakeClock;
using test::TempDir;

const std::string kExt = "https://lasr-kiosk.invalid/xapi/ext/";
const std::string kVideoExt = "https://w3id.org/xapi/video/extensions/";

std::unique_ptr<UsageLog> open_log(const fs::path& p, FakeClock& clock) {
    auto log = UsageLog::open(p, test::test_options(&clock));
    EXPECT_TRUE(log) << log.error().describe();
    return log ? std::move(*log) : nullptr;
}

std::vector<json> statements(UsageLog& log) {
    std::vector<json> out;
    for (const auto& r : test::outbox_rows(log)) out.push_back(json::parse(r.body));
    return out;
}

TEST(Xapi, TimestampsAreOneFixedUtcFormatWithMilliseconds) {
    using namespace std::chrono;
    system_clock::time_point t{milliseconds(1795921445678)};
    EXPECT_EQ(xapi::format_timestamp(t), "2026-11-29T03:04:05.678Z");
    EXPECT_EQ(xapi::format_minute(t), "2026-11-29T03:04:00.000Z");
    EXPECT_EQ(xapi::format_timestamp(system_clock::time_point{milliseconds(0)}), "1970-01-01T00:00:00.000Z");
    EXPECT_TRUE(xapi::is_timestamp("2026-11-29T03:04:05.678Z"));
    EXPECT_FALSE(xapi::is_timestamp("2026-11-29T03:04:05Z"));  // the 409 trap: no milliseconds
    EXPECT_FALSE(xapi::is_timestamp("2026-11-29T03:04:05.678+00:00"));
    EXPECT_FALSE(xapi::is_timestamp("2026-13-29T03:04:05.678Z"));
}

TEST(Xapi, UuidsAreVersion4AndDistinct) {
    std::set<std::string> seen;
    for (int i = 0; i < 10000; ++i) {
        std::string u = xapi::new_uuid();
        ASSERT_TRUE(xapi::is_uuid(u)) << u;
        EXPECT_EQ(u[14], '4');
        EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b') << u;
        seen.insert(u);
    }
    EXPECT_EQ(seen.size(), 10000u);
}

TEST(Xapi, PlayedSegmentsAndProgressCountOverlapsOnce) {
    xapi::PlayedSegments s;
    s.start(0);
    s.stop(30);
    s.start(20);  // rewound: 20..40 overlaps 20..30
    s.stop(40);
    s.start(90);
    s.stop(100);
    EXPECT_EQ(s.to_string(), "0.000[.]30.000[,]20.000[.]40.000[,]90.000[.]100.000");
    EXPECT_DOUBLE_EQ(s.progress(100), 0.5);
    EXPECT_DOUBLE_EQ(xapi::PlayedSegments().progress(100), 0.0);
}

TEST(UsageStatements, EveryEventBecomesAWellFormedStatementInSequence) {
    TempDir dir;
    FakeClock clock;
    auto log = open_log(dir / "usage.db", clock);
    ASSERT_TRUE(log);
    ASSERT_EQ(test::scripted_session(*log), test::kSessionStatements);

    auto rows = test::outbox_rows(*log);
    ASSERT_EQ(rows.size(), static_cast<size_t>(test::kSessionStatements));
    std::set<std::string> ids;
    int64_t expect_seq = 1;
    std::vector<std::string> verbs;
    for (const auto& r : rows) {
        SCOPED_TRACE(r.body);
        EXPECT_TRUE(test::check_statement_shape(r.body));
        json st = json::parse(r.body);
        EXPECT_EQ(r.seq, expect_seq);
        EXPECT_EQ(st["context"]["extensions"][kExt + "seq"], expect_seq);
        ++expect_seq;
        EXPECT_EQ(st["id"], r.statement_id);
        EXPECT_TRUE(ids.insert(r.statement_id).second);
        EXPECT_EQ(st["actor"]["account"]["homePage"], "https://springfield.example.org");
        EXPECT_EQ(st["actor"]["account"]["name"], "branch-7-lobby");
        EXPECT_EQ(st["timestamp"], "2026-11-29T03:04:00.000Z");
        EXPECT_EQ(st["context"]["extensions"][kExt + "boot-id"], boot_id());
        EXPECT_EQ(r.body, st.dump()) << "stored compact, keys sorted: the bytes a resend repeats";
        verbs.push_back(st["verb"]["display"]["en-US"]);
    }
    EXPECT_EQ(verbs, (std::vector<std::string>{"initialized", "initialized", "launched", "initialized", "played",
                                               "paused", "played", "seeked", "completed", "terminated", "viewed",
                                               "viewed", "viewed", "initialized", "played", "terminated", "failed",
                                               "terminated", "terminated"}));

    // The video statements follow the xAPI Video Profile.
    json init = json::parse(rows[3].body), paused = json::parse(rows[5].body), seeked = json::parse(rows[7].body),
         done = json::parse(rows[8].body), term = json::parse(rows[9].body);
    EXPECT_EQ(init["object"]["id"], "https://springfield.example.org/lasr/video/video-0");
    EXPECT_EQ(init["object"]["definition"]["type"], "https://w3id.org/xapi/video/activity-type/video");
    EXPECT_EQ(init["context"]["contextActivities"]["category"][0]["id"], "https://w3id.org/xapi/video");
    EXPECT_EQ(init["context"]["contextActivities"]["parent"][0]["id"],
              "https://springfield.example.org/lasr/course/course-0");
    EXPECT_EQ(init["context"]["extensions"][kVideoExt + "length"], 120.5);
    const json sid = init["context"]["extensions"][kVideoExt + "session-id"];
    for (const json* j : {&paused, &seeked, &done, &term}) EXPECT_EQ((*j)["context"]["extensions"][kVideoExt + "session-id"], sid);
    EXPECT_EQ(paused["result"]["extensions"][kVideoExt + "time"], 30.25);
    EXPECT_EQ(paused["result"]["extensions"][kVideoExt + "played-segments"], "0.000[.]30.250");
    EXPECT_EQ(seeked["result"]["extensions"][kVideoExt + "time-from"], 45.5);
    EXPECT_EQ(seeked["result"]["extensions"][kVideoExt + "time-to"], 60);
    EXPECT_EQ(done["result"]["completion"], true);
    EXPECT_EQ(done["result"]["extensions"][kVideoExt + "played-segments"],
              "0.000[.]30.250[,]30.250[.]45.500[,]60.000[.]120.500");
    EXPECT_EQ(done["result"]["extensions"][kVideoExt + "progress"], 0.88);  // (45.5 + 60.5) / 120.5, to 3 places
    EXPECT_EQ(term["result"]["extensions"], done["result"]["extensions"]);
    // The patron session ties the session's statements together; the app's do not.
    const json reg = rows[1].body.empty() ? json() : json::parse(rows[1].body)["context"]["registration"];
    ASSERT_TRUE(reg.is_string());
    for (size_t i = 1; i <= 17; ++i) EXPECT_EQ(json::parse(rows[i].body)["context"]["registration"], reg) << i;
    EXPECT_FALSE(json::parse(rows[0].body)["context"].contains("registration"));
    EXPECT_FALSE(json::parse(rows[18].body)["context"].contains("registration"));

    // Daily counts for board reports came in the same transactions.
    auto daily = log->daily_counts();
    ASSERT_TRUE(daily);
    int64_t total = 0;
    for (const auto& d : *daily) {
        EXPECT_EQ(d.day, "2026-11-29");
        total += d.count;
    }
    EXPECT_EQ(total, test::kSessionStatements);
}

TEST(UsageStatements, PatronSessionIdsAreRandomAndForgottenAtTheReset) {
    TempDir dir;
    FakeClock clock;
    auto log = open_log(dir / "usage.db", clock);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->begin_session());
    EXPECT_TRUE(log->in_session());
    ASSERT_TRUE(log->record({EventKind::course_opened, "c1"}));
    ASSERT_TRUE(log->end_session());  // the idle reset
    EXPECT_FALSE(log->in_session());
    ASSERT_TRUE(log->record({EventKind::alert_shown, "a1"}));  // on the attract screen
    ASSERT_TRUE(log->begin_session());
    ASSERT_TRUE(log->record({EventKind::course_opened, "c1"}));
    ASSERT_TRUE(log->end_session());
    auto st = statements(*log);
    ASSERT_EQ(st.size(), 7u);
    const auto first = st[0]["context"]["registration"], second = st[4]["context"]["registration"];
    EXPECT_TRUE(xapi::is_uuid(first.get<std::string>()));
    EXPECT_NE(first, second);
    EXPECT_EQ(st[1]["context"]["registration"], first);
    EXPECT_EQ(st[2]["context"]["registration"], first);
    EXPECT_FALSE(st[3]["context"].contains("registration"));
    EXPECT_EQ(st[6]["context"]["registration"], second);
}

TEST(UsageStatements, AnUntrustedClockWritesNoTimestampAndMarksTheStatement) {
    TempDir dir;
    FakeClock clock;
    clock.trusted = false;
    clock.wall_ms = 4102444800000;  // 2100: a clock far ahead, never trusted
    auto log = open_log(dir / "usage.db", clock);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->record({EventKind::app_started}));
    clock.trusted = true;  // NTP synchronised
    clock.wall_ms = 1795921445678;
    ASSERT_TRUE(log->record({EventKind::course_opened, "c1"}));
    auto st = statements(*log);
    ASSERT_EQ(st.size(), 2u);
    EXPECT_FALSE(st[0].contains("timestamp")) << "never a future timestamp: the LRS sets it to `stored`";
    EXPECT_EQ(st[0]["context"]["extensions"][kExt + "clock-trusted"], false);
    // Boot id, uptime and sequence still place it before the next one.
    EXPECT_LT(st[0]["context"]["extensions"][kExt + "seq"], st[1]["context"]["extensions"][kExt + "seq"]);
    EXPECT_EQ(st[0]["context"]["extensions"][kExt + "uptime-min"], 0);  // 12.3 s after boot: minute 0
    EXPECT_EQ(st[0]["context"]["extensions"][kExt + "boot-id"], st[1]["context"]["extensions"][kExt + "boot-id"]);
    EXPECT_EQ(st[1]["timestamp"], "2026-11-29T03:04:00.000Z");
    EXPECT_EQ(st[1]["context"]["extensions"][kExt + "clock-trusted"], true);
    for (const auto& s : st) EXPECT_TRUE(test::check_statement_shape(s.dump()));
}

TEST(UsageStatements, TimestampsAreNeverAfterTheClockThatMadeThem) {
    TempDir dir;
    FakeClock clock;
    auto log = open_log(dir / "usage.db", clock);
    ASSERT_TRUE(log);
    for (int i = 0; i < 50; ++i) {
        clock.wall_ms += 7919;  // not on minute boundaries
        ASSERT_TRUE(log->record({EventKind::resource_viewed, "r1"}));
        auto st = statements(*log);
        const std::string now = xapi::format_timestamp(
            std::chrono::system_clock::time_point(std::chrono::milliseconds(clock.wall_ms.load())));
        EXPECT_LE(st.back()["timestamp"].get<std::string>(), now);
    }
}

TEST(UsageStatements, FreeTextIsRefusedAndNothingIsStored) {
    TempDir dir;
    FakeClock clock;
    auto log = open_log(dir / "usage.db", clock);
    ASSERT_TRUE(log);
    for (const std::string& text : {std::string("food bank near me"), std::string("jane@example.org"),
                                    std::string("Jane Doe"), std::string("555 1234"), std::string(65, 'a'),
                                    std::string("a/b"), std::string("")}) {
        auto st = log->record({EventKind::resource_viewed, text});
        ASSERT_FALSE(st) << text;
        EXPECT_EQ(st.error().code, Errc::invalid_argument);
        EXPECT_FALSE(log->play_started(text, "c1", 10)) << text;
        EXPECT_FALSE(log->record({EventKind::kiosk_error, text})) << text;
    }
    EXPECT_TRUE(test::outbox_rows(*log).empty());
    auto plays = log->plays();
    ASSERT_TRUE(plays);
    EXPECT_TRUE(plays->empty());
    // Video events only through the play calls, sessions only through theirs.
    EXPECT_FALSE(log->record({EventKind::video_played, "v1", "c1"}));
    EXPECT_FALSE(log->record({EventKind::session_started}));
}

// The heartbeat: the kiosk's health for the fleet view. Every field is an
// id, a version, a time or a fixed word; free text is refused; it belongs to
// no patron session; it is stored exactly as it will be sent.
TEST(UsageStatements, HeartbeatsCarryHealthAndNoFreeText) {
    TempDir dir;
    FakeClock clock;
    auto log = open_log(dir / "usage.db", clock);
    ASSERT_TRUE(log);
    xapi::Health h;
    h.app_version = "0.1.0";
    h.mode = "training";
    h.branch = "main-street";
    h.library = "springfield";
    h.pack_version = 12;
    h.pack_issued = "2026-11-01T00:00:00Z";
    h.pack_expires = "2027-01-01T00:00:00Z";
    h.content_sync = "error";
    h.content_error = "sync.not_found";
    h.queue_depth = 42;
    h.queue_oldest_s = 600;
    h.disk_free_mb = 1234;
    h.uptime_s = 86400;
    h.errors = 2;
    h.last_error = "media.unplayable";
    h.screen = "off";
    ASSERT_TRUE(log->begin_session());
    ASSERT_TRUE(log->record_heartbeat(h));
    auto rows = test::outbox_rows(*log);
    ASSERT_EQ(rows.size(), 2u);
    const std::string& body = rows[1].body;
    json st = json::parse(body);
    EXPECT_EQ(st.dump(), body) << "compact with sorted keys: what a resend repeats";
    EXPECT_TRUE(test::check_statement_shape(body));
    EXPECT_EQ(st["verb"]["id"], xapi::kHeartbeatVerb);
    EXPECT_FALSE(st["context"].contains("registration")) << "no patron session";
    const json& health = st["result"]["extensions"][std::string(xapi::kHealthExtension)];
    EXPECT_EQ(health["pack-version"], 12);
    EXPECT_EQ(health["content-error"], "sync.not_found");
    EXPECT_EQ(health["queue-oldest-s"], 600);
    EXPECT_EQ(health["screen"], "off");
    EXPECT_EQ(health["mode"], "training");

    for (auto bad : std::vector<std::function<void(xapi::Health&)>>{
             [](xapi::Health& x) { x.branch = "Jane Doe's branch"; },
             [](xapi::Health& x) { x.last_error = "could not open /home/jane/video.mp4"; },
             [](xapi::Health& x) { x.app_version = "1.0 beta (patched by jane)"; },
             [](xapi::Health& x) { x.mode = "kiosk"; },
             [](xapi::Health& x) { x.content_sync = "broken"; },
             [](xapi::Health& x) { x.pack_expires = "next tuesday"; },
             [](xapi::Health& x) { x.screen = "dim"; }}) {
        xapi::Health b = h;
        bad(b);
        auto refused = log->record_heartbeat(b);
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().code, Errc::invalid_argument);
        EXPECT_NE(refused.error().message.find("heartbeat"), std::string::npos) << refused.error().describe();
    }
    EXPECT_EQ(test::outbox_rows(*log).size(), 2u) << "nothing of a refused one is stored";
}

TEST(UsageStatements, NoPatronDataAnywhereInTheDatabaseFile) {
    TempDir dir;
    FakeClock clock;
    const auto db = dir / "usage.db";
    {
        auto log = open_log(db, clock);
        ASSERT_TRUE(log);
        ASSERT_EQ(test::scripted_session(*log), test::kSessionStatements);
        // What a patron might have typed or been: refused at the door.
        EXPECT_FALSE(log->record({EventKind::resource_viewed, "PATRON-SEARCH housing help"}));
        for (const auto& r : test::outbox_rows(*log)) EXPECT_TRUE(test::check_statement_shape(r.body));
        ASSERT_TRUE(log->checkpoint());
    }
    std::string bytes = test::read_file(db) + test::read_file(db.string() + "-wal");
    EXPECT_EQ(bytes.find("PATRON-SEARCH"), std::string::npos);
    EXPECT_EQ(bytes.find("housing help"), std::string::npos);
    EXPECT_EQ(bytes.find("mbox"), std::string::npos);
}

// A v1 database (the walking skeleton's) with plays in it: opened by this
// build it is migrated in place to this build's version, keeps every play, and works.
TEST(UsageStatements, UpgradesAVersion1FileKeepingItsPlays) {
    TempDir dir;
    const auto db = dir / "usage.db";
    {
        auto d = sqlite::Database::open(db);
        ASSERT_TRUE(d);
        // The v1 schema exactly as issue 1 shipped it.
        ASSERT_TRUE(d->exec(R"sql(
CREATE TABLE plays (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id       TEXT NOT NULL CHECK (length(video_id) BETWEEN 1 AND 64),
    course_id      TEXT NOT NULL CHECK (length(course_id) BETWEEN 1 AND 64),
    started_minute TEXT NOT NULL
        CHECK (started_minute GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]Z'),
    duration_s     REAL NOT NULL CHECK (duration_s > 0),
    position_s     REAL NOT NULL DEFAULT 0 CHECK (position_s >= 0 AND position_s <= duration_s),
    outcome        TEXT CHECK (outcome IN ('completed', 'stopped', 'failed'))
) STRICT;
PRAGMA application_id = 1279349586;
INSERT INTO plays (video_id, course_id, started_minute, duration_s, position_s, outcome)
    VALUES ('v1', 'c1', '2026-11-01T10:00Z', 60, 60, 'completed'),
           ('v2', 'c1', '2026-11-01T10:05Z', 30, 12, NULL);
PRAGMA user_version = 1;
)sql", "v1 fixture"));
        ASSERT_TRUE(d->exec("PRAGMA journal_mode = WAL", "wal"));
    }
    FakeClock clock;
    auto log = open_log(db, clock);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->schema_version(), UsageLog::kSchemaVersion);
    auto plays = log->plays();
    ASSERT_TRUE(plays);
    ASSERT_EQ(plays->size(), 2u);
    EXPECT_EQ((*plays)[0].outcome, PlayOutcome::completed);
    EXPECT_FALSE((*plays)[1].outcome.has_value());
    EXPECT_TRUE(test::outbox_rows(*log).empty()) << "old plays are not turned into statements after the fact";
    auto id = log->play_started("v3", "c1", 10);
    ASSERT_TRUE(id);
    EXPECT_EQ(*id, 3);
    ASSERT_TRUE(log->play_ended(*id, 10, PlayOutcome::completed));
    EXPECT_EQ(test::outbox_rows(*log).size(), 3u);
    ASSERT_TRUE(log->check_integrity());
    log.reset();
    // And it opens again without migrating again.
    auto again = open_log(db, clock);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->schema_version(), UsageLog::kSchemaVersion);
    EXPECT_EQ(test::outbox_rows(*again).size(), 3u);
}

TEST(UsageStatements, RetentionRollsOldStatementsUpIntoDailyAggregatesAndCountsThem) {
    TempDir dir;
    FakeClock clock;
    UsageOptions o = test::test_options(&clock);
    o.retention_days = 30;
    auto opened = UsageLog::open(dir / "usage.db", o);
    ASSERT_TRUE(opened);
    auto& log = **opened;
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(log.record({EventKind::resource_viewed, "r" + std::to_string(i % 2)}));
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log.record({EventKind::qr_shown, "r0"}));
    auto play = log.play_started("v1", "c1", 10);
    ASSERT_TRUE(play);
    ASSERT_TRUE(log.play_ended(*play, 10, PlayOutcome::completed));
    clock.advance_days(31);
    ASSERT_TRUE(log.record({EventKind::course_opened, "c9"}));  // today's: stays raw

    auto r = log.enforce_retention();
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->rolled_up, 48);
    EXPECT_EQ(r->aggregates_made, 6);  // r0, r1 viewed; qr r0; v1 initialized, completed, terminated
    EXPECT_EQ(r->dropped, 0);
    EXPECT_EQ(r->plays_pruned, 1);

    auto rows = test::outbox_rows(log);
    ASSERT_EQ(rows.size(), 7u);
    int64_t represented = 0;
    for (const auto& row : rows) {
        EXPECT_TRUE(test::check_statement_shape(row.body));
        json st = json::parse(row.body);
        if (st["verb"]["id"] == "https://lasr-kiosk.invalid/xapi/verbs/counted") {
            EXPECT_EQ(st["context"]["extensions"][kExt + "day"], "2026-11-29");
            EXPECT_EQ(st["timestamp"], "2026-11-29T00:00:00.000Z");
            represented += st["result"]["extensions"][kExt + "count"].get<int64_t>();
        }
    }
    EXPECT_EQ(represented, 48);
    auto s = log.status();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->rolled_up, 48);
    EXPECT_EQ(s->plays_pruned, 1);
    EXPECT_EQ(s->queued, 7);
    // Nothing more to do now.
    auto again = log.enforce_retention();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->rolled_up, 0);
}

TEST(UsageStatements, RetentionKeepsTheDatabaseUnderItsSizeCap) {
    TempDir dir;
    FakeClock clock;
    UsageOptions o = test::test_options(&clock);
    o.retention_mb = 1;
    auto opened = UsageLog::open(dir / "usage.db", o);
    ASSERT_TRUE(opened);
    auto& log = **opened;
    std::vector<UsageEvent> batch;
    for (int i = 0; i < 500; ++i) batch.push_back({EventKind::resource_viewed, "r" + std::to_string(i % 7)});
    for (int k = 0; k < 8; ++k) ASSERT_TRUE(log.record_batch(batch));  // ~4000 statements, ~4 MB
    auto before = log.status();
    ASSERT_TRUE(before);
    EXPECT_GT(before->db_bytes, 1 << 20);

    auto r = log.enforce_retention();
    ASSERT_TRUE(r) << r.error().describe();
    auto after = log.status();
    ASSERT_TRUE(after);
    EXPECT_LE(after->db_bytes, 1 << 20);
    EXPECT_GT(r->rolled_up, 0);
    // Every event is still accounted for: raw, or inside an aggregate.
    int64_t represented = 0;
    for (const auto& row : test::outbox_rows(log)) {
        json st = json::parse(row.body);
        auto& ext = st["result"]["extensions"];
        represented += ext.contains(kExt + "count") ? ext[kExt + "count"].get<int64_t>() : 1;
    }
    EXPECT_EQ(represented + after->dropped, 4000);
    EXPECT_EQ(after->rolled_up, r->rolled_up);
}

}  // namespace
}  // namespace lasr
