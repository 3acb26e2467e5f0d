// The usage log on real SQLite files in temporary directories.
#include "kiosk/usage/usage_log.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>
#include <random>
#include <set>
#include <thread>

#include "kiosk/db/sqlite.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::unique_ptr<UsageLog> open_ok(const fs::path& p) {
    auto log = UsageLog::open(p);
    EXPECT_TRUE(log) << log.error().describe();
    return log ? std::move(*log) : nullptr;
}

// A 4-byte big-endian field of the SQLite database header (file format
// section 1.3: user_version at offset 60, application_id at 68).
uint32_t header_u32(const fs::path& db, size_t offset) {
    std::string bytes = test::read_file(db);
    if (bytes.size() < offset + 4) return 0xffffffffu;
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[offset + i]);
    return v;
}

// Sets PRAGMA user_version on a closed database through the private layer
// (the tests may not include <sqlite3.h> either).
void set_user_version(const fs::path& db, int v) {
    auto d = sqlite::Database::open(db, sqlite::Database::Mode::read_write);
    ASSERT_TRUE(d) << d.error().describe();
    auto st = d->exec("PRAGMA user_version = " + std::to_string(v), "set user_version");
    ASSERT_TRUE(st) << st.error().describe();
}

TEST(UsageLog, RoundTripStartProgressEnd) {
    TempDir dir;
    auto log = open_ok(dir / "usage.db");
    ASSERT_TRUE(log);
    EXPECT_EQ(log->schema_version(), UsageLog::kSchemaVersion);

    auto id = log->play_started("intro-1", "lasr-101", 120.5);
    ASSERT_TRUE(id) << id.error().describe();
    ASSERT_TRUE(log->play_progress(*id, 5.0));
    ASSERT_TRUE(log->play_progress(*id, 10.25));

    auto rows = log->plays();
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].id, *id);
    EXPECT_EQ((*rows)[0].video_id, "intro-1");
    EXPECT_EQ((*rows)[0].course_id, "lasr-101");
    EXPECT_EQ((*rows)[0].duration_s, 120.5);
    EXPECT_EQ((*rows)[0].position_s, 10.25);
    EXPECT_FALSE((*rows)[0].outcome.has_value());

    ASSERT_TRUE(log->play_ended(*id, 120.5, PlayOutcome::completed));
    rows = log->plays();
    ASSERT_TRUE(rows);
    EXPECT_EQ((*rows)[0].position_s, 120.5);
    EXPECT_EQ((*rows)[0].outcome, PlayOutcome::completed);
}

TEST(UsageLog, SummaryCountsEachOutcomeAndOpenPlays) {
    TempDir dir;
    auto log = open_ok(dir / "usage.db");
    ASSERT_TRUE(log);

    auto s0 = log->summary();
    ASSERT_TRUE(s0);
    EXPECT_EQ(s0->plays, 0);
    EXPECT_EQ(s0->open, 0);

    const PlayOutcome outcomes[] = {PlayOutcome::completed, PlayOutcome::completed, PlayOutcome::stopped,
                                    PlayOutcome::failed};
    for (PlayOutcome o : outcomes) {
        auto id = log->play_started("v", "c", 60);
        ASSERT_TRUE(id);
        ASSERT_TRUE(log->play_ended(*id, 30, o));
    }
    ASSERT_TRUE(log->play_started("v", "c", 60));
    ASSERT_TRUE(log->play_started("w", "c", 60));

    auto s = log->summary();
    ASSERT_TRUE(s) << s.error().describe();
    EXPECT_EQ(s->plays, 6);
    EXPECT_EQ(s->completed, 2);
    EXPECT_EQ(s->stopped, 1);
    EXPECT_EQ(s->failed, 1);
    EXPECT_EQ(s->open, 2);
}

TEST(UsageLog, ReopenSeesTheDataAndNeverReusesIds) {
    TempDir dir;
    const auto db = dir / "deep/er/usage.db";  // directories are created
    int64_t first = 0, second = 0;
    {
        auto log = open_ok(db);
        ASSERT_TRUE(log);
        auto a = log->play_started("a", "c1", 10);
        auto b = log->play_started("b", "c1", 20);
        ASSERT_TRUE(a && b);
        first = *a;
        second = *b;
        ASSERT_TRUE(log->play_ended(*a, 4, PlayOutcome::stopped));
        ASSERT_TRUE(log->play_progress(*b, 7.5));
    }
    // Closing the last connection checkpoints and removes the WAL.
    EXPECT_FALSE(fs::exists(db.string() + "-wal"));

    auto log = open_ok(db);
    ASSERT_TRUE(log);
    auto rows = log->plays();
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 2u);
    EXPECT_EQ((*rows)[0].id, first);
    EXPECT_EQ((*rows)[0].outcome, PlayOutcome::stopped);
    EXPECT_EQ((*rows)[0].position_s, 4.0);
    EXPECT_EQ((*rows)[1].id, second);
    EXPECT_FALSE((*rows)[1].outcome.has_value());
    EXPECT_EQ((*rows)[1].position_s, 7.5);
    // An open play from the last session can still be closed.
    ASSERT_TRUE(log->play_ended(second, 20, PlayOutcome::completed));
    auto c = log->play_started("c", "c1", 5);
    ASSERT_TRUE(c);
    EXPECT_GT(*c, second);
}

TEST(UsageLog, UsesWalWhileOpen) {
    TempDir dir;
    const auto db = dir / "usage.db";
    auto log = open_ok(db);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->play_started("v", "c", 1));
    EXPECT_TRUE(fs::exists(db.string() + "-wal"));
    // File format bytes 18/19 are 2/2 in WAL mode.
    std::string head = test::read_file(db).substr(0, 20);
    ASSERT_EQ(head.size(), 20u);
    EXPECT_EQ(head[18], 2);
    EXPECT_EQ(head[19], 2);
}

TEST(UsageLog, MigratesAnEmptyFileAndSetsUserVersion) {
    TempDir dir;
    const auto db = dir / "usage.db";
    test::write_file(db, "");  // zero bytes: an empty SQLite database
    {
        auto log = open_ok(db);
        ASSERT_TRUE(log);
        EXPECT_EQ(log->schema_version(), UsageLog::kSchemaVersion);
        ASSERT_TRUE(log->play_started("v", "c", 1));
    }
    EXPECT_EQ(header_u32(db, 60), static_cast<uint32_t>(UsageLog::kSchemaVersion));  // user_version
    EXPECT_EQ(header_u32(db, 68), 0x4C415352u);  // application_id 'LASR'
    // Opening again does not migrate again.
    auto log = open_ok(db);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->schema_version(), UsageLog::kSchemaVersion);
    auto rows = log->plays();
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->size(), 1u);
}

// v3 rebuilt the outbox without v2's unique index on statement ids: a v2
// queue comes through byte for byte, in order, and goes on from its next
// sequence number.
TEST(UsageLog, MigratesAV2OutboxToOneWithoutTheStatementIdIndex) {
    TempDir dir;
    const auto db = dir / "usage.db";
    std::vector<OutboxRow> before;
    {
        auto log = open_ok(db);
        ASSERT_TRUE(log);
        for (int i = 0; i < 50; ++i) ASSERT_TRUE(log->record({EventKind::course_opened, "c-" + std::to_string(i)}));
        auto rows = log->outbox_head(1000, SIZE_MAX);
        ASSERT_TRUE(rows) << rows.error().describe();
        ASSERT_EQ(rows->size(), 50u);
        ASSERT_TRUE(log->outbox_delivered({(*rows)[0].seq}));  // a gap at the head, as a sync leaves one
        before.assign(rows->begin() + 1, rows->end());
    }
    {
        // Back to v2: the same table with a unique index on statement_id
        // (v2 declared the column UNIQUE), user_version 2.
        auto d = sqlite::Database::open(db, sqlite::Database::Mode::read_write);
        ASSERT_TRUE(d) << d.error().describe();
        auto st = d->exec("CREATE UNIQUE INDEX outbox_statement_id ON outbox (statement_id); PRAGMA user_version = 2",
                          "back to v2");
        ASSERT_TRUE(st) << st.error().describe();
    }
    auto log = open_ok(db);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->schema_version(), UsageLog::kSchemaVersion);
    auto after = log->outbox_head(1000, SIZE_MAX);
    ASSERT_TRUE(after) << after.error().describe();
    ASSERT_EQ(after->size(), before.size());
    for (size_t i = 0; i < before.size(); ++i) {
        EXPECT_EQ((*after)[i].seq, before[i].seq);
        EXPECT_EQ((*after)[i].statement_id, before[i].statement_id);
        EXPECT_EQ((*after)[i].body, before[i].body);
    }
    ASSERT_TRUE(log->record({EventKind::course_opened, "c-next"}));
    auto last = log->outbox_head(1000, SIZE_MAX);
    ASSERT_TRUE(last);
    EXPECT_EQ(last->back().seq, 51);
    ASSERT_TRUE(log->check_integrity());

    auto d = sqlite::Database::open(db, sqlite::Database::Mode::read_write);
    ASSERT_TRUE(d) << d.error().describe();
    auto indexes = d->query_int64("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'outbox'",
                                  "outbox indexes");
    ASSERT_TRUE(indexes) << indexes.error().describe();
    EXPECT_EQ(*indexes, 0);
    // The checks are still there (the body's is now written body <> '').
    auto empty = d->exec("INSERT INTO outbox (seq, statement_id, body, created_ms, created_day) "
                         "VALUES (900, '0b9f2c1e-5d3a-4e7b-9c8d-1a2b3c4d5e6f', '', 0, '2026-11-29')",
                         "empty body");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, Errc::validation);
    EXPECT_FALSE(d->exec("INSERT INTO outbox (seq, statement_id, body, created_ms, created_day) "
                         "VALUES (901, 'short', '{}', 0, '2026-11-29')",
                         "short id"));
}

// A play the last run left open (killed mid-video) is closed at the next
// start as interrupted, with one terminated statement in the same video
// session as its initialized one, carrying the segments seen as of the last
// progress update; asking again closes nothing.
TEST(UsageLog, PlaysLeftOpenByACrashAreClosedOnceAsInterrupted) {
    TempDir dir;
    const auto db = dir / "usage.db";
    int64_t open_id = 0, done_id = 0;
    {
        auto log = open_ok(db);
        ASSERT_TRUE(log);
        auto done = log->play_started("v-done", "c1", 30);
        ASSERT_TRUE(done);
        done_id = *done;
        ASSERT_TRUE(log->play_ended(done_id, 30, PlayOutcome::completed));
        auto id = log->play_started("v-open", "c1", 60);
        ASSERT_TRUE(id) << id.error().describe();
        open_id = *id;
        ASSERT_TRUE(log->play_event(open_id, EventKind::video_played, 0));
        ASSERT_TRUE(log->play_progress(open_id, 12.5));
        // No play_ended: the process dies here (the log is dropped unclosed).
    }
    auto log = open_ok(db);
    ASSERT_TRUE(log);
    auto before = log->outbox_head(1000, SIZE_MAX);
    ASSERT_TRUE(before);
    auto closed = log->close_interrupted_plays();
    ASSERT_TRUE(closed) << closed.error().describe();
    EXPECT_EQ(*closed, 1);

    auto plays = log->plays();
    ASSERT_TRUE(plays);
    ASSERT_EQ(plays->size(), 2u);
    EXPECT_EQ((*plays)[0].outcome, PlayOutcome::completed);
    EXPECT_EQ((*plays)[1].id, open_id);
    EXPECT_EQ((*plays)[1].outcome, PlayOutcome::interrupted);
    EXPECT_DOUBLE_EQ((*plays)[1].position_s, 12.5);
    auto summary = log->summary();
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->interrupted, 1);
    EXPECT_EQ(summary->open, 0);

    auto after = log->outbox_head(1000, SIZE_MAX);
    ASSERT_TRUE(after);
    ASSERT_EQ(after->size(), before->size() + 1);
    const std::string& terminated = after->back().body;
    EXPECT_NE(terminated.find("/terminated\""), std::string::npos) << terminated;
    EXPECT_NE(terminated.find("/lasr/video/v-open"), std::string::npos) << terminated;
    EXPECT_NE(terminated.find("\"https://lasr-kiosk.invalid/xapi/ext/interrupted\":true"), std::string::npos) << terminated;
    EXPECT_NE(terminated.find("\"https://w3id.org/xapi/video/extensions/played-segments\":\"0.000[.]12.500"), std::string::npos)
        << terminated;
    EXPECT_NE(terminated.find("\"https://w3id.org/xapi/video/extensions/time\":12.5"), std::string::npos) << terminated;
    // The same video session as the play's initialized statement.
    auto session_of = [](const std::string& body) {
        const std::string key = "\"https://w3id.org/xapi/video/extensions/session-id\":\"";
        auto at = body.find(key);
        return at == std::string::npos ? std::string() : body.substr(at + key.size(), 36);
    };
    std::string initialized;
    for (const auto& row : *before)
        if (row.body.find("/initialized\"") != std::string::npos && row.body.find("v-open") != std::string::npos)
            initialized = row.body;
    ASSERT_FALSE(initialized.empty());
    EXPECT_FALSE(session_of(terminated).empty());
    EXPECT_EQ(session_of(terminated), session_of(initialized));

    // Exactly once: a second look (another restart) closes nothing.
    auto again = log->close_interrupted_plays();
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, 0);
    log.reset();
    log = open_ok(db);
    ASSERT_TRUE(log);
    again = log->close_interrupted_plays();
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, 0);
    auto last = log->outbox_head(1000, SIZE_MAX);
    ASSERT_TRUE(last);
    EXPECT_EQ(last->size(), after->size());
}

// v4 rebuilt plays (new columns, the interrupted outcome): v3 rows come
// through as they were, and ids go on above the highest ever handed out,
// even when the newest rows had been pruned.
TEST(UsageLog, MigratesV3PlaysKeepingIdsAndTheirHighWaterMark) {
    TempDir dir;
    const auto db = dir / "usage.db";
    {
        auto log = open_ok(db);
        ASSERT_TRUE(log);
        for (int i = 0; i < 5; ++i) {
            auto id = log->play_started("v" + std::to_string(i), "c1", 10);
            ASSERT_TRUE(id);
            if (i < 4) {
                ASSERT_TRUE(log->play_ended(*id, 10, PlayOutcome::completed));
            }
        }
    }
    {
        // Back to v3's plays table (no session, segments or progress; the
        // old CHECK), user_version 3; the newest play pruned.
        auto d = sqlite::Database::open(db, sqlite::Database::Mode::read_write);
        ASSERT_TRUE(d) << d.error().describe();
        auto st = d->exec(R"sql(
CREATE TABLE plays_v3 (
    id INTEGER PRIMARY KEY AUTOINCREMENT, video_id TEXT NOT NULL, course_id TEXT NOT NULL,
    started_minute TEXT NOT NULL, duration_s REAL NOT NULL, position_s REAL NOT NULL DEFAULT 0,
    outcome TEXT CHECK (outcome IN ('completed', 'stopped', 'failed'))) STRICT;
INSERT INTO plays_v3 SELECT id, video_id, course_id, started_minute, duration_s, position_s, outcome FROM plays;
UPDATE sqlite_sequence SET seq = 5 WHERE name = 'plays_v3';
DROP TABLE plays;
ALTER TABLE plays_v3 RENAME TO plays;
DELETE FROM plays WHERE id = 5;
PRAGMA user_version = 3;)sql",
                          "back to v3");
        ASSERT_TRUE(st) << st.error().describe();
    }
    auto log = open_ok(db);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->schema_version(), UsageLog::kSchemaVersion);
    auto plays = log->plays();
    ASSERT_TRUE(plays);
    ASSERT_EQ(plays->size(), 4u);
    EXPECT_EQ((*plays)[3].video_id, "v3");
    EXPECT_EQ((*plays)[3].outcome, PlayOutcome::completed);
    auto next = log->play_started("v-next", "c1", 10);
    ASSERT_TRUE(next);
    EXPECT_EQ(*next, 6) << "a play id was handed out twice";
    ASSERT_TRUE(log->check_integrity());
}

// outbox_delivered deletes runs of consecutive sequence numbers with one
// statement each: exactly the rows named, whatever their order and gaps, and
// it counts only rows that were there.
TEST(UsageLog, DeliveredDeletesExactlyTheNamedStatements) {
    TempDir dir;
    auto log = open_ok(dir / "usage.db");
    ASSERT_TRUE(log);
    std::vector<UsageEvent> events;
    for (int i = 0; i < 300; ++i) events.push_back({EventKind::qr_shown, "r-" + std::to_string(i)});
    ASSERT_TRUE(log->record_batch(events));
    // 1..300 queued. Gaps, an unordered tail, a seq named twice, one not
    // queued (999), and more than one transaction's worth.
    std::vector<int64_t> gone;
    for (int64_t s = 1; s <= 120; ++s)
        if (s % 7 != 0) gone.push_back(s);
    for (int64_t s : {250, 249, 248, 200, 200, 999}) gone.push_back(s);
    for (int64_t s = 130; s <= 190; ++s) gone.push_back(s);
    ASSERT_TRUE(log->outbox_delivered(gone));

    std::set<int64_t> expect;
    for (int64_t s = 1; s <= 300; ++s) expect.insert(s);
    for (int64_t s : gone) expect.erase(s);
    auto rows = log->outbox_head(1000, SIZE_MAX);
    ASSERT_TRUE(rows) << rows.error().describe();
    std::set<int64_t> left;
    for (const auto& r : *rows) left.insert(r.seq);
    EXPECT_EQ(left, expect);
    auto status = log->status();
    ASSERT_TRUE(status) << status.error().describe();
    EXPECT_EQ(status->sent, 300 - static_cast<int64_t>(expect.size()));
    EXPECT_EQ(status->queued, static_cast<int64_t>(expect.size()));
}

// After a burst the WAL is large. The worker's checkpoint starts it over and
// cuts it back to its limit itself, so the UI thread's next write does not
// have to (an ftruncate of some ms).
TEST(UsageLog, CheckpointCutsALargeWalBackItself) {
    TempDir dir;
    const auto db = dir / "usage.db";
    const fs::path wal = db.string() + "-wal";
    auto log = open_ok(db);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->leave_checkpoints_to_caller());
    const std::vector<UsageEvent> events(1000, UsageEvent{EventKind::course_opened, "course-1"});
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(log->record_batch(events));
    ASSERT_GT(fs::file_size(wal), 4u << 20);
    ASSERT_TRUE(log->checkpoint());
    EXPECT_LE(fs::file_size(wal), 4u << 20);
    // A small WAL is left alone: nothing to cut.
    ASSERT_TRUE(log->record({EventKind::qr_shown, "r-1"}));
    ASSERT_TRUE(log->checkpoint());
    ASSERT_TRUE(log->check_integrity());
    auto rows = log->outbox_head(10000, SIZE_MAX);
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->size(), 8001u);
    log.reset();
    EXPECT_EQ(header_u32(db, 68), 0x4C415352u);  // application_id 'LASR', as it was
}

TEST(UsageLog, RefusesAFutureSchemaVersionAndLeavesTheFileAlone) {
    TempDir dir;
    const auto db = dir / "usage.db";
    {
        auto log = open_ok(db);
        ASSERT_TRUE(log);
        ASSERT_TRUE(log->play_started("v", "c", 1));
    }
    set_user_version(db, 7);
    const std::string before = test::read_file(db);

    auto log = UsageLog::open(db);
    ASSERT_FALSE(log);
    EXPECT_EQ(log.error().domain, Domain::storage);
    EXPECT_EQ(log.error().code, Errc::validation);
    EXPECT_NE(log.error().message.find(db.string()), std::string::npos) << log.error().message;
    EXPECT_NE(log.error().message.find("schema version 7 is newer"), std::string::npos) << log.error().message;
    EXPECT_EQ(test::read_file(db), before);
    EXPECT_FALSE(fs::exists(db.string() + "-wal"));
}

TEST(UsageLog, RefusesAGarbageFileWithAClearError) {
    TempDir dir;
    std::mt19937 rng(42);
    std::string noise(8192, '\0');
    for (char& c : noise) c = static_cast<char>(rng() & 0xff);
    const std::pair<const char*, std::string> cases[] = {
        {"noise.db", noise},
        {"text.db", "this is not a database, it is a note\n"},
        {"almost.db", std::string("SQLite format 3\0", 16) + std::string(1000, 'x')},
    };
    for (const auto& [name, bytes] : cases) {
        SCOPED_TRACE(name);
        const auto db = dir / name;
        test::write_file(db, bytes);
        auto log = UsageLog::open(db);
        ASSERT_FALSE(log);
        EXPECT_EQ(log.error().domain, Domain::storage);
        EXPECT_TRUE(log.error().code == Errc::parse || log.error().code == Errc::io) << log.error().describe();
        EXPECT_NE(log.error().message.find(db.string()), std::string::npos) << log.error().message;
        EXPECT_EQ(test::read_file(db), bytes) << "the file was changed";
    }
}

TEST(UsageLog, RefusesAnotherProgramsDatabase) {
    TempDir dir;
    const auto db = dir / "other.db";
    {
        auto d = sqlite::Database::open(db);
        ASSERT_TRUE(d);
        ASSERT_TRUE(d->exec("CREATE TABLE notes (body TEXT)", "create"));
    }
    auto log = UsageLog::open(db);
    ASSERT_FALSE(log);
    EXPECT_EQ(log.error().code, Errc::validation);
    EXPECT_NE(log.error().message.find("not a LASR usage log"), std::string::npos) << log.error().message;
}

TEST(UsageLog, RefusesADirectoryInPlaceOfTheFile) {
    TempDir dir;
    fs::create_directories(dir / "usage.db");
    auto log = UsageLog::open(dir / "usage.db");
    ASSERT_FALSE(log);
    EXPECT_EQ(log.error().domain, Domain::storage);
    EXPECT_EQ(log.error().code, Errc::io) << log.error().describe();
}

TEST(UsageLog, RejectsBadInputs) {
    TempDir dir;
    auto log = open_ok(dir / "usage.db");
    ASSERT_TRUE(log);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();

    auto expect_invalid = [](const auto& r, const char* what) {
        ASSERT_FALSE(r) << what;
        EXPECT_EQ(r.error().domain, Domain::usage) << what;
        EXPECT_EQ(r.error().code, Errc::invalid_argument) << what << ": " << r.error().describe();
    };
    expect_invalid(log->play_started("", "c", 10), "empty video id");
    expect_invalid(log->play_started("v", "", 10), "empty course id");
    expect_invalid(log->play_started("v w", "c", 10), "space in id");
    expect_invalid(log->play_started("patron said: hello", "c", 10), "free text as id");
    expect_invalid(log->play_started(std::string(65, 'a'), "c", 10), "id too long");
    expect_invalid(log->play_started("v", "c", 0), "zero duration");
    expect_invalid(log->play_started("v", "c", -3), "negative duration");
    expect_invalid(log->play_started("v", "c", nan), "NaN duration");
    expect_invalid(log->play_started("v", "c", inf), "infinite duration");
    EXPECT_TRUE(log->play_started(std::string(64, 'a'), "Course_2.b-c", 10)) << "64-char id is fine";

    auto id = log->play_started("v", "c", 10);
    ASSERT_TRUE(id);
    expect_invalid(log->play_progress(*id, nan), "NaN position");
    expect_invalid(log->play_progress(*id, inf), "infinite position");
    expect_invalid(log->play_progress(*id, -inf), "-infinite position");
    expect_invalid(log->play_ended(*id, nan, PlayOutcome::stopped), "NaN end position");
    expect_invalid(log->plays(-1), "negative limit");

    auto missing = log->play_progress(9999, 1);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
    auto missing_end = log->play_ended(9999, 1, PlayOutcome::stopped);
    ASSERT_FALSE(missing_end);
    EXPECT_EQ(missing_end.error().code, Errc::not_found);

    // An ended play is never changed.
    ASSERT_TRUE(log->play_ended(*id, 4, PlayOutcome::failed));
    auto late = log->play_progress(*id, 5);
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, Errc::validation);
    EXPECT_NE(late.error().message.find("already ended (failed)"), std::string::npos) << late.error().message;
    auto twice = log->play_ended(*id, 9, PlayOutcome::completed);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, Errc::validation);

    auto rows = log->plays();
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->size(), 2u) << "refused calls stored nothing";
    EXPECT_EQ(rows->back().position_s, 4.0);
    EXPECT_EQ(rows->back().outcome, PlayOutcome::failed);
}

TEST(UsageLog, ClampsPositionsToTheDuration) {
    TempDir dir;
    auto log = open_ok(dir / "usage.db");
    ASSERT_TRUE(log);
    auto id = log->play_started("v", "c", 30);
    ASSERT_TRUE(id);
    auto position = [&]() {
        auto rows = log->plays(1);
        EXPECT_TRUE(rows && rows->size() == 1u);
        return rows && !rows->empty() ? rows->back().position_s : -1.0;
    };
    ASSERT_TRUE(log->play_progress(*id, -5));
    EXPECT_EQ(position(), 0.0);
    ASSERT_TRUE(log->play_progress(*id, -0.0));
    EXPECT_FALSE(std::signbit(position()));
    ASSERT_TRUE(log->play_progress(*id, 31.5));
    EXPECT_EQ(position(), 30.0);
    ASSERT_TRUE(log->play_progress(*id, 1e300));
    EXPECT_EQ(position(), 30.0);
    ASSERT_TRUE(log->play_ended(*id, 45, PlayOutcome::completed));
    EXPECT_EQ(position(), 30.0);
}

TEST(UsageLog, StartedMinuteIsUtcTruncatedToTheMinute) {
    TempDir dir;
    auto log = open_ok(dir / "usage.db");
    ASSERT_TRUE(log);
    const auto before = std::chrono::system_clock::now();
    ASSERT_TRUE(log->play_started("v", "c", 30));
    const auto after = std::chrono::system_clock::now();
    auto rows = log->plays();
    ASSERT_TRUE(rows);
    const std::string m = rows->back().started_minute;
    // "YYYY-MM-DDTHH:MMZ" (no std::regex: GCC 12 warns inside it under ASan)
    const std::string shape = "dddd-dd-ddTdd:ddZ";
    ASSERT_EQ(m.size(), shape.size()) << m;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == 'd') {
            EXPECT_TRUE(m[i] >= '0' && m[i] <= '9') << m;
        } else {
            EXPECT_EQ(m[i], shape[i]) << m;
        }
    }

    auto minute_of = [](std::chrono::system_clock::time_point t) {
        time_t tt = std::chrono::system_clock::to_time_t(t);
        struct tm tm{};
        gmtime_r(&tt, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%MZ", &tm);
        return std::string(buf);
    };
    EXPECT_TRUE(m == minute_of(before) || m == minute_of(after)) << m;
}

TEST(UsageLog, PlaysReturnsTheNewestLast) {
    TempDir dir;
    auto log = open_ok(dir / "usage.db");
    ASSERT_TRUE(log);
    std::vector<int64_t> ids;
    for (int i = 0; i < 10; ++i) {
        auto id = log->play_started("v" + std::to_string(i), "c", 10);
        ASSERT_TRUE(id);
        ids.push_back(*id);
    }
    auto last3 = log->plays(3);
    ASSERT_TRUE(last3);
    ASSERT_EQ(last3->size(), 3u);
    EXPECT_EQ((*last3)[0].id, ids[7]);
    EXPECT_EQ((*last3)[1].id, ids[8]);
    EXPECT_EQ((*last3)[2].id, ids[9]);
    EXPECT_EQ((*last3)[2].video_id, "v9");
    auto none = log->plays(0);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    auto all = log->plays();
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 10u);
}

// Privacy guard: each table holds exactly these columns, and there is no
// other table of ours. Adding a column is a decision to review, not a drift.
TEST(UsageLog, StoresNothingBeyondTheReviewedColumns) {
    TempDir dir;
    const auto db = dir / "usage.db";
    { ASSERT_TRUE(open_ok(db)); }
    auto d = sqlite::Database::open(db, sqlite::Database::Mode::read_only);
    ASSERT_TRUE(d);
    auto column = [&](const std::string& sql) {
        auto st = d->prepare(sql, "names");
        EXPECT_TRUE(st) << st.error().describe();
        std::vector<std::string> names;
        if (!st) return names;
        for (;;) {
            auto row = st->step();
            EXPECT_TRUE(row);
            if (!row || !*row) break;
            names.push_back(st->column_text(0));
        }
        return names;
    };
    auto columns = [&](const std::string& table) {
        return column("SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid");
    };
    using V = std::vector<std::string>;
    // video_session: a random id per play (the xAPI video session), never a
    // person's; segments and progress: how much of the video was seen.
    EXPECT_EQ(columns("plays"), (V{"id", "video_id", "course_id", "started_minute", "duration_s", "position_s", "outcome",
                                   "video_session", "segments", "progress"}));
    EXPECT_EQ(columns("meta"), (V{"key", "value"}));
    EXPECT_EQ(columns("outbox"),
              (V{"seq", "statement_id", "body", "created_ms", "created_day", "aggregate", "represents"}));
    EXPECT_EQ(columns("dead_letter"), (V{"seq", "statement_id", "body", "http_status", "reason", "dead_at"}));
    EXPECT_EQ(columns("daily"), (V{"day", "event", "object_id", "course_id", "count"}));
    EXPECT_EQ(column("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"),
              (V{"daily", "dead_letter", "meta", "outbox", "plays", "sqlite_sequence"}));
}

TEST(UsageLog, SecondConnectionReadsWhileTheFirstWrites) {
    // lasr-kioskctl exporting or syncing while the kiosk runs.
    TempDir dir;
    const auto db = dir / "usage.db";
    auto kiosk = open_ok(db);
    auto ctl = open_ok(db);
    ASSERT_TRUE(kiosk && ctl);
    auto id = kiosk->play_started("v", "c", 10);
    ASSERT_TRUE(id);
    ASSERT_TRUE(kiosk->play_progress(*id, 3));
    auto rows = ctl->plays();
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->back().position_s, 3.0);
    ASSERT_TRUE(ctl->play_ended(*id, 4, PlayOutcome::stopped));
    auto s = kiosk->summary();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->stopped, 1);
}

TEST(UsageLog, IsSafeToShareBetweenThreads) {
    TempDir dir;
    auto log = open_ok(dir / "usage.db");
    ASSERT_TRUE(log);
    constexpr int kThreads = 4, kPlaysEach = 50;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPlaysEach; ++i) {
                auto id = log->play_started("v" + std::to_string(t), "c", 100);
                if (!id) { ++failures; continue; }
                if (!log->play_progress(*id, i)) ++failures;
                if (!log->play_ended(*id, i + 1, PlayOutcome::completed)) ++failures;
                if (!log->summary()) ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    auto s = log->summary();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->plays, kThreads * kPlaysEach);
    EXPECT_EQ(s->completed, kThreads * kPlaysEach);
    EXPECT_TRUE(log->check_integrity());
}

// play_progress runs on the UI thread every few seconds. No benchmark here,
// just a generous ceiling that an fsync per update on a slow disk would break,
// and the figure for people to read.
TEST(UsageLog, ProgressUpdatesAreCheap) {
    TempDir dir;
    auto log = open_ok(dir / "usage.db");
    ASSERT_TRUE(log);
    auto id = log->play_started("v", "c", 3600);
    ASSERT_TRUE(id);
    constexpr int kUpdates = 2000;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kUpdates; ++i) ASSERT_TRUE(log->play_progress(*id, i * 0.5));
    const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
                      kUpdates;
    RecordProperty("usage_progress_update_us", std::to_string(us));
    std::printf("usage_progress_update %.1f us\n", us);
    EXPECT_LT(us, 5000.0);
}

}  // namespace
}  // namespace lasr
