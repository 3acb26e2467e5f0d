#include "kiosk/usage/usage_log.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <map>
#include <mutex>
#include <system_error>
#include <tuple>

#include "config/log.hpp"
#include "kiosk/db/sqlite.hpp"

namespace lasr {
namespace {

// ------------------------------------------------------------------ schema

// PRAGMA application_id: 'LASR'. Marks the file as ours, so the kiosk never
// migrates its tables into some other program's SQLite database.
constexpr int64_t kApplicationId = 0x4C415352;

// v1: one row per play. plays.id is AUTOINCREMENT: an id is never handed
// out twice, even after old rows are pruned.
// STRICT (SQLite >= 3.37; Debian 12 has 3.40) makes the column types real.
// The CHECKs restate the rules the code enforces, as a last line of defence.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE plays (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id       TEXT NOT NULL CHECK (length(video_id) BETWEEN 1 AND 64),
    course_id      TEXT NOT NULL CHECK (length(course_id) BETWEEN 1 AND 64),
    started_minute TEXT NOT NULL
        CHECK (started_minute GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]Z'),
    duration_s     REAL NOT NULL CHECK (duration_s > 0),
    position_s     REAL NOT NULL DEFAULT 0 CHECK (position_s >= 0 AND position_s <= duration_s),
    outcome        TEXT CHECK (outcome IN ('completed', 'stopped', 'failed'))  -- NULL: open
) STRICT;
PRAGMA application_id = 1279349586;
)sql";

// v2 (issue 5): the xAPI outbox and what goes with it.
//   meta         counters and sync state that must survive restarts; next_seq
//                is the kiosk-wide statement sequence (never reused).
//   outbox       one row per statement not yet acknowledged by the LRS, in
//                sequence order; body is the JSON exactly as it is sent, byte
//                for byte on every retry. Deleted only after the LRS's 200.
//   dead_letter  statements the LRS refused for good (400 alone, 409 that is
//                not ours), kept for staff, never resent automatically.
//   daily        local counts per day, event and object, for board reports
//                (export-usage --csv); they outlive the raw statements.
// created_day/created_ms come from the kiosk's wall clock (trusted or not):
// they drive retention, never what is sent.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value ANY
) STRICT, WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES
    ('next_seq', 1), ('sent', 0), ('rolled_up', 0), ('dropped', 0), ('plays_pruned', 0),
    ('auth_paused', 0), ('last_success', ''), ('last_error', ''), ('last_error_at', '');
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY CHECK (seq > 0),
    statement_id TEXT NOT NULL UNIQUE CHECK (length(statement_id) = 36),
    body         TEXT NOT NULL CHECK (length(body) > 0),
    created_ms   INTEGER NOT NULL,
    created_day  TEXT NOT NULL CHECK (length(created_day) = 10),
    aggregate    INTEGER NOT NULL DEFAULT 0 CHECK (aggregate IN (0, 1)),
    represents   INTEGER NOT NULL DEFAULT 1 CHECK (represents >= 1)
) STRICT;
CREATE TABLE dead_letter (
    seq          INTEGER PRIMARY KEY,
    statement_id TEXT NOT NULL,
    body         TEXT NOT NULL,
    http_status  INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    dead_at      TEXT NOT NULL
) STRICT;
CREATE TABLE daily (
    day       TEXT NOT NULL,
    event     TEXT NOT NULL,
    object_id TEXT NOT NULL,
    course_id TEXT NOT NULL,
    count     INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (day, event, object_id, course_id)
) STRICT, WITHOUT ROWID;
)sql";

// v3: the outbox without v2's UNIQUE index on statement_id. Ids are random
// UUIDs, so every insert landed on a random leaf of an index as large as the
// queue: with a backlog, a transaction of 1000 events dirtied ~850 index
// pages (3.5 MB of WAL, written again by the checkpoint) beside the ~190
// pages of the statements themselves, and capped the batched insert near
// 50,000 events per CPU second. Nothing looks a statement up by id (the sync
// reads the outbox in seq order; a 409 is resolved by asking the LRS), and
// the ids are unique by construction: 122 random bits each (xapi::new_uuid).
// The LRS stays the judge of a conflicting id (409). Rows are copied as they
// are, byte for byte, in one transaction (sqlite::migrate).
// The body's check says "not empty" as body <> '' rather than v2's
// length(body) > 0: the same rule for TEXT (STRICT), but length() counted
// the characters of every ~750-byte body (and made SQLite copy it to add a
// terminator), 15% of the batched insert's CPU.
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE outbox_v3 (
    seq          INTEGER PRIMARY KEY CHECK (seq > 0),
    statement_id TEXT NOT NULL CHECK (length(statement_id) = 36),
    body         TEXT NOT NULL CHECK (body <> ''),
    created_ms   INTEGER NOT NULL,
    created_day  TEXT NOT NULL CHECK (length(created_day) = 10),
    aggregate    INTEGER NOT NULL DEFAULT 0 CHECK (aggregate IN (0, 1)),
    represents   INTEGER NOT NULL DEFAULT 1 CHECK (represents >= 1)
) STRICT;
INSERT INTO outbox_v3 (seq, statement_id, body, created_ms, created_day, aggregate, represents)
    SELECT seq, statement_id, body, created_ms, created_day, aggregate, represents FROM outbox ORDER BY seq;
DROP TABLE outbox;
ALTER TABLE outbox_v3 RENAME TO outbox;
)sql";

// v4 (issue 14): a play cut off by a crash or power cut is closed at the
// next start as 'interrupted', with its terminated statement. That statement
// needs the play's video session id and its played segments, which lived
// only in memory: plays now keeps both (segments as of the last progress
// update). SQLite cannot change a CHECK in place, so the table is rebuilt;
// the AUTOINCREMENT high-water mark is carried over, so no play id is ever
// handed out twice. Rows are copied as they are, in one transaction.
constexpr std::string_view kSchemaV4 = R"sql(
CREATE TABLE plays_v4 (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id       TEXT NOT NULL CHECK (length(video_id) BETWEEN 1 AND 64),
    course_id      TEXT NOT NULL CHECK (length(course_id) BETWEEN 1 AND 64),
    started_minute TEXT NOT NULL
        CHECK (started_minute GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]Z'),
    duration_s     REAL NOT NULL CHECK (duration_s > 0),
    position_s     REAL NOT NULL DEFAULT 0 CHECK (position_s >= 0 AND position_s <= duration_s),
    outcome        TEXT CHECK (outcome IN ('completed', 'stopped', 'failed', 'interrupted')),  -- NULL: open
    video_session  TEXT NOT NULL DEFAULT '',
    segments       TEXT NOT NULL DEFAULT '',
    progress       REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1)
) STRICT;
INSERT INTO plays_v4 (id, video_id, course_id, started_minute, duration_s, position_s, outcome)
    SELECT id, video_id, course_id, started_minute, duration_s, position_s, outcome FROM plays ORDER BY id;
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'plays_v4', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'plays_v4');
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'plays'), 0))
    WHERE name = 'plays_v4';
DROP TABLE plays;
ALTER TABLE plays_v4 RENAME TO plays;
)sql";

constexpr std::array<sqlite::Migration, 4> kMigrations = {{
    {1, "v1: plays table", kSchemaV1},
    {2, "v2: xAPI outbox, dead letters, daily counts", kSchemaV2},
    {3, "v3: outbox without the statement id index", kSchemaV3},
    {4, "v4: plays keep their video session and segments; outcome interrupted", kSchemaV4},
}};
static_assert(kMigrations.back().version == UsageLog::kSchemaVersion);
static_assert(kApplicationId == 1279349586,
              "keep kSchemaV1's and kRewriteApplicationId's PRAGMA application_id in step");

// ------------------------------------------------------------------ pragmas

constexpr std::string_view kGetApplicationId = "PRAGMA application_id";
constexpr std::string_view kCountSchemaObjects = "SELECT count(*) FROM sqlite_schema";
constexpr std::string_view kSetWal = "PRAGMA journal_mode = WAL";
// The durability setting, and why: synchronous=NORMAL in WAL mode syncs the
// WAL only at checkpoints, not at every commit. SQLite documents that WAL +
// NORMAL cannot corrupt the database, and a process crash or SIGKILL loses
// nothing (committed frames are already in the OS). A power cut can lose the
// commits since the last checkpoint; the background worker checkpoints every
// few seconds while there are writes (UsageSyncService), which bounds that
// window, and the sync makes a lost commit harmless in both directions: a
// lost event is a few seconds of one patron's taps; a lost delete of an
// acknowledged statement only makes it go again with the same id and bytes,
// which the LRS ignores. FULL would fsync on every tap, on the UI thread, on
// an SD card (5-30 ms each): the budget is 1 ms.
constexpr std::string_view kSetSynchronousNormal = "PRAGMA synchronous = NORMAL";
// Outside WAL (a file system without shared memory for the WAL index), only
// FULL is crash-safe, so that is the fallback.
constexpr std::string_view kSetSynchronousFull = "PRAGMA synchronous = FULL";
constexpr std::string_view kSetForeignKeys = "PRAGMA foreign_keys = ON";
// Truncate the WAL back to 4 MiB after a checkpoint instead of letting one
// burst leave a large file on a small SD card.
constexpr std::string_view kSetJournalSizeLimit = "PRAGMA journal_size_limit = 4194304";
constexpr uintmax_t kJournalSizeLimit = 4194304;
static_assert(kSetJournalSizeLimit.ends_with(" = 4194304"), "keep kJournalSizeLimit in step");
// Rewrites page 1 with the application id the file already has: the
// smallest write there is (one WAL frame), to start the WAL over on the
// worker's thread (see checkpoint()).
constexpr std::string_view kRewriteApplicationId = "PRAGMA application_id = 1279349586";
// Checkpoints are the worker's job (checkpoint(), on the side connection);
// the writer checkpoints by itself only if nobody has for 40 MB of WAL.
constexpr std::string_view kSetAutoCheckpoint = "PRAGMA wal_autocheckpoint = 10000";
constexpr std::string_view kCheckpoint = "PRAGMA wal_checkpoint(PASSIVE)";
constexpr std::string_view kIntegrityCheck = "PRAGMA integrity_check(20)";

// Another process (lasr-kioskctl syncing or exporting) may hold the write
// lock for a moment. Writes are single short statements, so waiting a little
// is better than dropping a row; the bound keeps the UI thread responsive.
constexpr int kBusyTimeoutMs = 2000;

// ------------------------------------------------------------------ statements

constexpr std::string_view kInsertPlay =
    "INSERT INTO plays (video_id, course_id, started_minute, duration_s, position_s, video_session) "
    "VALUES (?1, ?2, ?3, ?4, 0, ?5)";
// The lower clamp (and NaN check) happens in C++; the upper clamp needs the
// stored duration, so SQL does it: one statement, no read first.
constexpr std::string_view kUpdateProgress =
    "UPDATE plays SET position_s = min(?2, duration_s), segments = ?3, progress = ?4 "
    "WHERE id = ?1 AND outcome IS NULL";
// Plays left open by the last run (a crash, SIGKILL or power cut): nothing
// of this run's is open yet when the kiosk asks.
constexpr std::string_view kSelectOpenPlays =
    "SELECT id, video_id, course_id, duration_s, position_s, video_session, segments, progress FROM plays "
    "WHERE outcome IS NULL ORDER BY id";
constexpr std::string_view kEndPlay =
    "UPDATE plays SET position_s = min(?2, duration_s), outcome = ?3 WHERE id = ?1 AND outcome IS NULL";
constexpr std::string_view kSelectOutcome = "SELECT outcome FROM plays WHERE id = ?1";
constexpr std::string_view kSelectPlays =
    "SELECT id, video_id, course_id, started_minute, duration_s, position_s, outcome FROM "
    "(SELECT * FROM plays ORDER BY id DESC LIMIT ?1) ORDER BY id";
constexpr std::string_view kSummary =
    "SELECT count(*), "
    "count(*) FILTER (WHERE outcome = 'completed'), "
    "count(*) FILTER (WHERE outcome = 'stopped'), "
    "count(*) FILTER (WHERE outcome = 'failed'), "
    "count(*) FILTER (WHERE outcome IS NULL), "
    "count(*) FILTER (WHERE outcome = 'interrupted') "
    "FROM plays";

// Reserves ?1 sequence numbers; returns the first.
constexpr std::string_view kNextSeq =
    "UPDATE meta SET value = value + ?1 WHERE key = 'next_seq' RETURNING value - ?1";
constexpr std::string_view kInsertOutbox =
    "INSERT INTO outbox (seq, statement_id, body, created_ms, created_day, aggregate, represents) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr std::string_view kCountDaily =
    "INSERT INTO daily (day, event, object_id, course_id, count) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (day, event, object_id, course_id) DO UPDATE SET count = count + excluded.count";
constexpr std::string_view kOutboxHead =
    "SELECT seq, statement_id, body FROM outbox ORDER BY seq LIMIT ?1";
constexpr std::string_view kDeleteOutbox = "DELETE FROM outbox WHERE seq = ?1";
constexpr std::string_view kDeleteOutboxRange = "DELETE FROM outbox WHERE seq BETWEEN ?1 AND ?2";
constexpr std::string_view kMoveToDead =
    "INSERT OR REPLACE INTO dead_letter (seq, statement_id, body, http_status, reason, dead_at) "
    "SELECT seq, statement_id, body, ?2, ?3, ?4 FROM outbox WHERE seq = ?1";
constexpr std::string_view kAddMeta = "UPDATE meta SET value = value + ?2 WHERE key = ?1";
constexpr std::string_view kSetMeta = "UPDATE meta SET value = ?2 WHERE key = ?1";
constexpr std::string_view kGetMeta = "SELECT value FROM meta WHERE key = ?1";
// The usage writer's ticket (kiosk/usage/usage_writer.hpp): the last event it
// committed, written in the same transaction as the event. A row of its own,
// made on first use, so databases of every schema version take it.
constexpr std::string_view kPutTicket =
    "INSERT INTO meta (key, value) VALUES ('ui_ticket', ?1) "
    "ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)";

// Retention. Raw statements past the cutoff (or the oldest ones while the
// database is over its size cap), a bounded chunk at a time.
constexpr std::string_view kRollupChunk =
    "SELECT seq, created_day, json_extract(body, '$.verb.id'), json_extract(body, '$.object.id') "
    "FROM outbox WHERE aggregate = 0 AND (?1 OR created_day < ?2) ORDER BY seq LIMIT ?3";
constexpr std::string_view kOldestAggregates =
    "SELECT seq, represents FROM outbox WHERE aggregate = 1 ORDER BY seq LIMIT ?1";
constexpr std::string_view kPrunePlays =
    "DELETE FROM plays WHERE id IN (SELECT id FROM plays WHERE outcome IS NOT NULL AND "
    "(?1 OR substr(started_minute, 1, 10) < ?2) ORDER BY id LIMIT ?3)";
constexpr std::string_view kPruneDead = "DELETE FROM dead_letter WHERE substr(dead_at, 1, 10) < ?1";
constexpr std::string_view kPruneDaily = "DELETE FROM daily WHERE day < ?1";
constexpr std::string_view kUsedBytes =
    "SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count())";
constexpr std::string_view kPageSize = "PRAGMA page_size";

constexpr std::string_view kQueueStatus =
    "SELECT count(*), coalesce(sum(length(body)), 0), min(created_ms) FROM outbox";
constexpr std::string_view kDeadCount = "SELECT count(*) FROM dead_letter";
constexpr std::string_view kSelectDead =
    "SELECT seq, statement_id, body, http_status, reason, dead_at FROM dead_letter ORDER BY seq LIMIT ?1";
constexpr std::string_view kSelectDaily =
    "SELECT day, event, object_id, course_id, count FROM daily WHERE day >= ?1 AND day <= ?2 "
    "ORDER BY day, event, object_id, course_id";

constexpr int kRollupChunkRows = 500;
// Daily counts are tiny and what board reports are made of: kept 3 years.
constexpr int kDailyKeepDays = 3 * 366;

// ------------------------------------------------------------------ helpers

Error invalid(std::string message) {
    return make_error(Domain::usage, Errc::invalid_argument, std::move(message));
}

// Ids are checked by the statement builder's rule (catalog ids only), so no
// free text is ever stored through an id, in plays or in statements.
using xapi::check_id;

// Finite, and clamped below at 0 (the upper clamp is in SQL). -0.0 -> 0.0.
Result<double> check_position(int64_t play_id, double position_s) {
    if (!std::isfinite(position_s))
        return invalid("play " + std::to_string(play_id) + ": position must be a finite number of seconds");
    return position_s > 0 ? position_s : 0.0;
}

std::string utc_minute(std::chrono::system_clock::time_point t) {
    // "YYYY-MM-DDTHH:MM" of the fixed xAPI format, + "Z".
    return xapi::format_timestamp(t).substr(0, 16) + "Z";
}

std::string utc_day(std::chrono::system_clock::time_point t) { return xapi::format_timestamp(t).substr(0, 10); }

int64_t epoch_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::optional<PlayOutcome> outcome_from(std::string_view s) {
    if (s == "completed") return PlayOutcome::completed;
    if (s == "stopped") return PlayOutcome::stopped;
    if (s == "failed") return PlayOutcome::failed;
    if (s == "interrupted") return PlayOutcome::interrupted;
    return std::nullopt;
}

Error not_ours(const sqlite::Database& db, std::string_view why) {
    return make_error(Domain::usage, Errc::validation,
                      db.path() + ": a SQLite database, but not a LASR usage log (" + std::string(why) +
                          "); refusing to change it");
}

// Before anything is written: is this file a usage log we may use? Also the
// first read of the file, so garbage bytes are reported here (Errc::parse).
Status check_identity(sqlite::Database& db) {
    auto version = sqlite::user_version(db);
    if (!version) return std::move(version).error();
    auto app_id = db.query_int64(kGetApplicationId, "reading application id");
    if (!app_id) return std::move(app_id).error();
    if (*version == 0) {
        if (*app_id != 0 && *app_id != kApplicationId) return not_ours(db, "application id " + std::to_string(*app_id));
        auto objects = db.query_int64(kCountSchemaObjects, "reading schema");
        if (!objects) return std::move(objects).error();
        if (*objects != 0) return not_ours(db, "it has tables but no schema version");
        return {};  // new and empty
    }
    if (*app_id != kApplicationId) return not_ours(db, "application id " + std::to_string(*app_id));
    return sqlite::check_version_known(db, *version, UsageLog::kSchemaVersion);
}

struct Prep {
    sqlite::Statement* into;
    std::string_view sql;
    std::string_view what;
};

Status prepare_all(sqlite::Database& d, std::initializer_list<Prep> preps) {
    for (const Prep& p : preps) {
        auto st = d.prepare(p.sql, p.what);
        if (!st) return std::move(st).error();
        *p.into = std::move(*st);
    }
    return {};
}

// Steps a prepared one-row query; its columns are read by `read` while the
// row is current. No row: `read` is not called.
template <class Fn>
Status one_row(sqlite::Statement& st, Fn&& read) {
    sqlite::ScopedReset reset(st);
    auto row = st.step();
    if (!row) return std::move(row).error();
    if (*row) read(st);
    return {};
}

// A play the log is tracking: what its statements need to say.
struct OpenPlay {
    std::string video_id, course_id, video_session;
    double length_s = 0;
    bool playing = false;
    xapi::PlayedSegments segments;

    UsageEvent event(EventKind kind, double time_s, double from_s = 0) const {
        UsageEvent ev(kind, video_id, course_id);
        ev.time_s = time_s;
        ev.time_from_s = from_s;
        ev.length_s = length_s;
        ev.progress = segments.progress(length_s);
        ev.segments = segments.to_string();
        return ev;
    }
};

}  // namespace

std::string_view to_string(PlayOutcome o) noexcept {
    switch (o) {
        case PlayOutcome::completed: return "completed";
        case PlayOutcome::stopped: return "stopped";
        case PlayOutcome::failed: return "failed";
        case PlayOutcome::interrupted: return "interrupted";
    }
    return "unknown";
}

UsageOptions UsageOptions::from(const Config& c) {
    UsageOptions o;
    o.kiosk_id = c.kiosk.id;
    o.home_page = c.usage.actor_home_page(c.kiosk.library_id);
    o.retention_days = c.usage.retention_days;
    o.retention_mb = c.usage.retention_mb;
    o.clock = system_clock_source(c.usage.trust_rtc);
    return o;
}

struct UsageLog::Impl {
    std::mutex mu;  // the writer connection and everything below it
    std::filesystem::path path;
    UsageOptions options;
    std::string boot;
    int version = 0;
    std::string session;  // the patron session id; "" outside one
    std::map<int64_t, OpenPlay> open_plays;

    sqlite::Database db;
    // Declared after db: destroyed (finalised) before the connection closes.
    sqlite::Statement insert_play;
    sqlite::Statement update_progress;
    sqlite::Statement end_play;
    sqlite::Statement select_open_plays;
    sqlite::Statement select_outcome;
    sqlite::Statement select_plays;
    sqlite::Statement select_summary;
    sqlite::Statement next_seq;
    sqlite::Statement insert_outbox;
    sqlite::Statement count_daily;
    sqlite::Statement delete_outbox;
    sqlite::Statement delete_range;
    sqlite::Statement move_to_dead;
    sqlite::Statement add_meta;
    sqlite::Statement set_meta;
    sqlite::Statement put_ticket;
    // Stamped on every event transaction when > 0 (stamp_writes_with).
    int64_t ticket = 0;

    // The side connection: reads for the worker and tools, and checkpoints,
    // so neither ever holds `mu` (WAL readers do not block the writer).
    std::mutex side_mu;
    sqlite::Database side;
    sqlite::Statement side_head;
    sqlite::Statement side_get_meta;
    sqlite::Statement side_checkpoint;

    ClockReading now() const { return options.clock(); }

    // Why an UPDATE of an open play touched no row.
    Error no_open_play(int64_t play_id) {
        const std::string which = db.path() + ": play " + std::to_string(play_id);
        sqlite::ScopedReset reset(select_outcome);
        select_outcome.bind_int64(1, play_id);
        auto row = select_outcome.step();
        if (!row) return std::move(row).error();
        if (!*row) return make_error(Domain::usage, Errc::not_found, which + " does not exist");
        return make_error(Domain::usage, Errc::validation,
                          which + " has already ended (" + select_outcome.column_text(0) + ")");
    }

    // Reserves n sequence numbers in the current transaction; the first.
    Result<int64_t> take_seqs(int64_t n) {
        int64_t first = 0;
        next_seq.bind_int64(1, n);
        LASR_TRY(one_row(next_seq, [&](sqlite::Statement& st) { first = st.column_int64(0); }));
        if (first <= 0) return make_error(Domain::usage, Errc::internal, db.path() + ": no statement sequence");
        return first;
    }

    xapi::StatementFrame frame(const ClockReading& clock, int64_t seq, const std::string& minute) const {
        xapi::StatementFrame f;
        f.statement_id = xapi::new_uuid();
        f.home_page = options.home_page;
        f.kiosk_id = options.kiosk_id;
        f.registration = session;
        f.seq = seq;
        f.boot_id = boot;
        f.uptime_ms = clock.uptime_ms;
        f.clock_trusted = clock.trusted;
        if (clock.trusted) f.timestamp = minute;
        return f;
    }

    Status store(const xapi::StatementFrame& f, const std::string& body, const ClockReading& clock,
                 bool aggregate, int64_t represents, const std::string& day) {
        insert_outbox.bind_int64(1, f.seq);
        insert_outbox.bind_text(2, f.statement_id);
        // The body outlives run(), which resets the statement: no copy.
        insert_outbox.bind_text_static(3, body);
        insert_outbox.bind_int64(4, epoch_ms(clock.wall));
        insert_outbox.bind_text(5, day);
        insert_outbox.bind_int64(6, aggregate ? 1 : 0);
        insert_outbox.bind_int64(7, represents);
        return insert_outbox.run();
    }

    class Appender;
    // One event in its own transaction (statement + daily count).
    Status write_one(const UsageEvent& ev, const std::string& video_session);

    // Events of one transaction: their statements into the outbox (sequence
    // numbers reserved in one step) and their daily counts (one upsert per
    // day, event and object at the end). Inside the caller's transaction.
    class Appender {
    public:
        Appender(Impl& im, const ClockReading& clock)
            : im_(im), clock_(clock), day_(utc_day(clock.wall)), minute_(xapi::format_minute(clock.wall)) {}

        Status reserve(int64_t n) {
            auto first = im_.take_seqs(n);
            if (!first) return std::move(first).error();
            next_ = *first;
            end_ = *first + n;
            return {};
        }
        Result<int64_t> seq() {
            if (next_ >= end_) LASR_TRY(reserve(1));
            return next_++;
        }
        const std::string& day() const { return day_; }
        xapi::StatementFrame frame(int64_t seq) const { return im_.frame(clock_, seq, minute_); }

        Status add(const UsageEvent& ev, const std::string& video_session) {
            auto s = seq();
            if (!s) return std::move(s).error();
            xapi::StatementFrame f = frame(*s);
            f.video_session = video_session;
            auto body = xapi::build_statement(ev, f);
            if (!body) return std::move(body).error();
            LASR_TRY(im_.store(f, *body, clock_, false, 1, day_));
            const bool with_object = !ev.object_id.empty() && ev.kind != EventKind::app_started &&
                                     ev.kind != EventKind::app_stopped && ev.kind != EventKind::session_started &&
                                     ev.kind != EventKind::session_ended;
            ++tally_[{std::string(xapi::to_string(ev.kind)), with_object ? ev.object_id : std::string(),
                      xapi::is_video_event(ev.kind) ? ev.course_id : std::string()}];
            return {};
        }

        Status finish() {
            for (const auto& [key, n] : tally_) {
                const auto& [event, object, course] = key;
                im_.count_daily.bind_text(1, day_);
                im_.count_daily.bind_text(2, event);
                im_.count_daily.bind_text(3, object);
                im_.count_daily.bind_text(4, course);
                im_.count_daily.bind_int64(5, n);
                LASR_TRY(im_.count_daily.run());
            }
            tally_.clear();
            return {};
        }

    private:
        Impl& im_;
        const ClockReading& clock_;
        std::string day_, minute_;
        int64_t next_ = 0, end_ = 0;
        std::map<std::tuple<std::string, std::string, std::string>, int64_t> tally_;
    };

    Status add(std::string_view key, int64_t n) {
        add_meta.bind_text(1, key);
        add_meta.bind_int64(2, n);
        return add_meta.run();
    }

    Status set(std::string_view key, std::string_view value) {
        set_meta.bind_text(1, key);
        set_meta.bind_text(2, value);
        return set_meta.run();
    }

    Status set(std::string_view key, int64_t value) {
        set_meta.bind_text(1, key);
        set_meta.bind_int64(2, value);
        return set_meta.run();
    }

    // Inside an event's transaction: the writer's ticket goes with it.
    Status stamp() {
        if (ticket <= 0) return {};
        put_ticket.bind_int64(1, ticket);
        return put_ticket.run();
    }

    // Opens the side connection on first use (under side_mu).
    Status side_ready() {
        if (side) return {};
        auto d = sqlite::Database::open(path, sqlite::Database::Mode::read_write);
        if (!d) return std::move(d).error();
        sqlite::Database s = std::move(*d);
        LASR_TRY(s.set_busy_timeout(kBusyTimeoutMs));
        sqlite::Statement head, meta, checkpoint;
        LASR_TRY(prepare_all(s, {
                                    {&head, kOutboxHead, "outbox head"},
                                    {&meta, kGetMeta, "get meta"},
                                    {&checkpoint, kCheckpoint, "checkpoint"},
                                }));
        side = std::move(s);
        side_head = std::move(head);
        side_get_meta = std::move(meta);
        side_checkpoint = std::move(checkpoint);
        return {};
    }

    Result<std::string> side_meta_text(std::string_view key) {
        std::string v;
        side_get_meta.bind_text(1, key);
        LASR_TRY(one_row(side_get_meta, [&](sqlite::Statement& st) { v = st.column_text(0); }));
        return v;
    }

    Result<int64_t> side_meta_int(std::string_view key) {
        int64_t v = 0;
        side_get_meta.bind_text(1, key);
        LASR_TRY(one_row(side_get_meta, [&](sqlite::Statement& st) { v = st.column_int64(0); }));
        return v;
    }
};

Status UsageLog::Impl::write_one(const UsageEvent& ev, const std::string& video_session) {
    const ClockReading clock = now();
    sqlite::Transaction tx(db);
    Appender out(*this, clock);
    LASR_TRY(tx.begin());
    LASR_TRY(out.add(ev, video_session));
    LASR_TRY(out.finish());
    LASR_TRY(stamp());
    return tx.commit();
}

UsageLog::UsageLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UsageLog::~UsageLog() = default;

Result<std::unique_ptr<UsageLog>> UsageLog::open(const std::filesystem::path& db_path, const UsageOptions& options) {
    if (db_path.empty()) return invalid("usage database path is empty");
    if (options.kiosk_id.empty() || options.home_page.empty())
        return invalid("usage log: the kiosk id and the library's home page must not be empty");
    if (db_path.has_parent_path()) {
        std::error_code ec;
        std::filesystem::create_directories(db_path.parent_path(), ec);
        if (ec) {
            return make_error(Domain::usage, Errc::io,
                              db_path.parent_path().string() + ": cannot create directory: " + ec.message());
        }
    }

    auto impl = std::make_unique<Impl>();
    impl->path = db_path;
    impl->options = options;
    if (!impl->options.clock) impl->options.clock = system_clock_source(false);
    impl->boot = boot_id();
    auto db = sqlite::Database::open(db_path);
    if (!db) return std::move(db).error();
    impl->db = std::move(*db);
    sqlite::Database& d = impl->db;

    LASR_TRY(d.set_busy_timeout(kBusyTimeoutMs));
    LASR_TRY(check_identity(d));

    auto mode = d.query_text(kSetWal, "enabling WAL");
    if (!mode) return std::move(mode).error();
    const bool wal = *mode == "wal";
    if (!wal) {
        log::warn("usage", "wal_unavailable db=" + d.path() + " journal_mode=" + *mode + " synchronous=full");
    }
    LASR_TRY(d.exec(wal ? kSetSynchronousNormal : kSetSynchronousFull, "setting synchronous"));
    LASR_TRY(d.exec(kSetForeignKeys, "enabling foreign keys"));
    LASR_TRY(d.exec(kSetJournalSizeLimit, "setting journal size limit"));
    LASR_TRY(d.exec(kSetAutoCheckpoint, "setting the automatic checkpoint"));

    auto version = sqlite::migrate(d, kMigrations);
    if (!version) return std::move(version).error();
    impl->version = *version;

    LASR_TRY(prepare_all(d, {
                                {&impl->insert_play, kInsertPlay, "insert play"},
                                {&impl->update_progress, kUpdateProgress, "update progress"},
                                {&impl->end_play, kEndPlay, "end play"},
                                {&impl->select_open_plays, kSelectOpenPlays, "select open plays"},
                                {&impl->select_outcome, kSelectOutcome, "select outcome"},
                                {&impl->select_plays, kSelectPlays, "select plays"},
                                {&impl->select_summary, kSummary, "summary"},
                                {&impl->next_seq, kNextSeq, "next sequence number"},
                                {&impl->insert_outbox, kInsertOutbox, "insert statement"},
                                {&impl->count_daily, kCountDaily, "count daily"},
                                {&impl->delete_outbox, kDeleteOutbox, "delete delivered statement"},
                                {&impl->delete_range, kDeleteOutboxRange, "delete delivered statements"},
                                {&impl->move_to_dead, kMoveToDead, "dead-letter statement"},
                                {&impl->add_meta, kAddMeta, "add to counter"},
                                {&impl->set_meta, kSetMeta, "set state"},
                                {&impl->put_ticket, kPutTicket, "stamp ticket"},
                            }));

    log::info("usage", "opened db=" + d.path() + " schema_version=" + std::to_string(impl->version) +
                           " journal_mode=" + *mode);
    return std::unique_ptr<UsageLog>(new UsageLog(std::move(impl)));
}

Result<int64_t> UsageLog::play_started(const std::string& video_id, const std::string& course_id,
                                       double duration_s) {
    LASR_TRY(check_id("video id", video_id));
    LASR_TRY(check_id("course id", course_id));
    if (!std::isfinite(duration_s) || duration_s <= 0)
        return invalid("video " + video_id + ": duration must be a finite number of seconds above 0");

    std::lock_guard lock(impl_->mu);
    const ClockReading clock = impl_->now();
    sqlite::Transaction tx(impl_->db);
    LASR_TRY(tx.begin());
    sqlite::Statement& st = impl_->insert_play;
    st.bind_text(1, video_id);
    st.bind_text(2, course_id);
    st.bind_text(3, utc_minute(clock.wall));
    st.bind_double(4, duration_s);
    OpenPlay play{video_id, course_id, xapi::new_uuid(), duration_s, false, {}};
    st.bind_text(5, play.video_session);
    LASR_TRY(st.run());
    const int64_t id = impl_->db.last_insert_rowid();

    Impl::Appender out(*impl_, clock);
    LASR_TRY(out.add(play.event(EventKind::video_initialized, 0), play.video_session));
    LASR_TRY(out.finish());
    LASR_TRY(impl_->stamp());
    LASR_TRY(tx.commit());
    impl_->open_plays[id] = std::move(play);
    return id;
}

Status UsageLog::play_event(int64_t play_id, EventKind kind, double position_s, double from_s) {
    if (kind != EventKind::video_played && kind != EventKind::video_paused && kind != EventKind::video_seeked)
        return invalid("play_event takes played, paused or seeked");
    auto pos = check_position(play_id, position_s);
    if (!pos) return std::move(pos).error();
    auto from = check_position(play_id, from_s);
    if (!from) return std::move(from).error();

    std::lock_guard lock(impl_->mu);
    auto it = impl_->open_plays.find(play_id);
    if (it == impl_->open_plays.end())
        return make_error(Domain::usage, Errc::not_found,
                          impl_->db.path() + ": play " + std::to_string(play_id) + " is not open");
    OpenPlay next = it->second;  // changed only once the statement is stored
    switch (kind) {
        case EventKind::video_played:
            next.segments.start(*pos);
            next.playing = true;
            break;
        case EventKind::video_paused:
            next.segments.stop(*pos);
            next.playing = false;
            break;
        default:  // seeked: the segment ends where the jump left, restarts where it landed
            if (next.playing) {
                next.segments.stop(*from);
                next.segments.start(*pos);
            }
            break;
    }
    LASR_TRY(impl_->write_one(next.event(kind, *pos, *from), next.video_session));
    it->second = std::move(next);
    return {};
}

Status UsageLog::play_progress(int64_t play_id, double position_s) {
    auto pos = check_position(play_id, position_s);
    if (!pos) return std::move(pos).error();

    std::lock_guard lock(impl_->mu);
    // The played segments so far (the open one up to here), kept with the
    // row in case this run never gets to close the play.
    std::string segments;
    double progress = 0;
    if (auto it = impl_->open_plays.find(play_id); it != impl_->open_plays.end()) {
        xapi::PlayedSegments so_far = it->second.segments;
        if (so_far.open()) so_far.stop(std::min(*pos, it->second.length_s));
        segments = so_far.to_string();
        progress = std::clamp(so_far.progress(it->second.length_s), 0.0, 1.0);
    }
    sqlite::Transaction tx(impl_->db);
    LASR_TRY(tx.begin());
    sqlite::Statement& st = impl_->update_progress;
    st.bind_int64(1, play_id);
    st.bind_double(2, *pos);
    st.bind_text(3, segments);
    st.bind_double(4, progress);
    LASR_TRY(st.run());
    if (impl_->db.changes() == 0) return impl_->no_open_play(play_id);
    LASR_TRY(impl_->stamp());
    return tx.commit();
}

Status UsageLog::play_ended(int64_t play_id, double position_s, PlayOutcome outcome) {
    auto pos = check_position(play_id, position_s);
    if (!pos) return std::move(pos).error();

    std::lock_guard lock(impl_->mu);
    const ClockReading clock = impl_->now();
    sqlite::Transaction tx(impl_->db);
    LASR_TRY(tx.begin());
    sqlite::Statement& st = impl_->end_play;
    st.bind_int64(1, play_id);
    st.bind_double(2, *pos);
    st.bind_text(3, to_string(outcome));
    LASR_TRY(st.run());
    if (impl_->db.changes() == 0) return impl_->no_open_play(play_id);

    auto it = impl_->open_plays.find(play_id);
    if (it != impl_->open_plays.end()) {
        OpenPlay& p = it->second;
        const double end = std::min(*pos, p.length_s);
        p.segments.stop(end);
        Impl::Appender out(*impl_, clock);
        LASR_TRY(out.reserve(outcome == PlayOutcome::completed ? 2 : 1));
        if (outcome == PlayOutcome::completed)
            LASR_TRY(out.add(p.event(EventKind::video_completed, end), p.video_session));
        LASR_TRY(out.add(p.event(EventKind::video_terminated, end), p.video_session));
        LASR_TRY(out.finish());
    }
    LASR_TRY(impl_->stamp());
    LASR_TRY(tx.commit());
    if (it != impl_->open_plays.end()) impl_->open_plays.erase(it);
    return {};
}

Result<int> UsageLog::close_interrupted_plays() {
    std::lock_guard lock(impl_->mu);
    struct Open {
        int64_t id;
        UsageEvent ev;
        std::string video_session;
    };
    std::vector<Open> open;
    {
        sqlite::Statement& q = impl_->select_open_plays;
        sqlite::ScopedReset reset(q);
        for (;;) {
            auto row = q.step();
            if (!row) return std::move(row).error();
            if (!*row) break;
            const int64_t id = q.column_int64(0);
            if (impl_->open_plays.count(id)) continue;  // this run's own (never, when called at start)
            Open o{id, UsageEvent(EventKind::video_terminated, q.column_text(1), q.column_text(2)), q.column_text(5)};
            o.ev.length_s = q.column_double(3);
            o.ev.time_s = q.column_double(4);
            o.ev.segments = q.column_text(6);
            o.ev.progress = q.column_double(7);
            o.ev.interrupted = true;
            // A play from before v4 has no session id: a new one (the LRS
            // still sees one terminated statement for the play).
            if (!xapi::is_uuid(o.video_session)) o.video_session = xapi::new_uuid();
            open.push_back(std::move(o));
        }
    }
    int closed = 0;
    for (const Open& o : open) {
        const ClockReading clock = impl_->now();
        sqlite::Transaction tx(impl_->db);
        LASR_TRY(tx.begin());
        sqlite::Statement& st = impl_->end_play;
        st.bind_int64(1, o.id);
        st.bind_double(2, o.ev.time_s);
        st.bind_text(3, to_string(PlayOutcome::interrupted));
        LASR_TRY(st.run());
        if (impl_->db.changes() == 0) continue;  // closed meanwhile: nothing to say twice
        Impl::Appender out(*impl_, clock);
        LASR_TRY(out.add(o.ev, o.video_session));
        LASR_TRY(out.finish());
        LASR_TRY(tx.commit());
        ++closed;
    }
    if (closed > 0)
        log::info("usage", "closed_interrupted_plays=" + std::to_string(closed) + " db=" + impl_->db.path());
    return closed;
}

Status UsageLog::begin_session() {
    if (in_session()) LASR_TRY(end_session());
    std::lock_guard lock(impl_->mu);
    std::string id = xapi::new_uuid();
    std::swap(impl_->session, id);
    Status st = impl_->write_one(UsageEvent(EventKind::session_started), "");
    if (!st) impl_->session.clear();  // no session without its start
    return st;
}

Status UsageLog::end_session() {
    std::lock_guard lock(impl_->mu);
    if (impl_->session.empty()) return {};
    Status st = impl_->write_one(UsageEvent(EventKind::session_ended), "");
    // Forgotten whatever happened: the next patron is someone else.
    impl_->session.clear();
    return st;
}

bool UsageLog::in_session() const {
    std::lock_guard lock(impl_->mu);
    return !impl_->session.empty();
}

Status UsageLog::record(const UsageEvent& event) { return record_batch({event}); }

Status UsageLog::record_batch(const std::vector<UsageEvent>& events) {
    for (const UsageEvent& ev : events) {
        if (xapi::is_video_event(ev.kind)) return invalid("video events are recorded through play_started/play_event/play_ended");
        if (ev.kind == EventKind::session_started || ev.kind == EventKind::session_ended)
            return invalid("patron sessions are recorded through begin_session/end_session");
    }
    std::lock_guard lock(impl_->mu);
    const ClockReading clock = impl_->now();
    sqlite::Transaction tx(impl_->db);
    LASR_TRY(tx.begin());
    Impl::Appender out(*impl_, clock);
    LASR_TRY(out.reserve(static_cast<int64_t>(events.size())));
    for (const UsageEvent& ev : events) LASR_TRY(out.add(ev, ""));
    LASR_TRY(out.finish());
    LASR_TRY(impl_->stamp());
    return tx.commit();
}

Status UsageLog::record_heartbeat(const xapi::Health& health) {
    std::lock_guard lock(impl_->mu);
    const ClockReading clock = impl_->now();
    sqlite::Transaction tx(impl_->db);
    LASR_TRY(tx.begin());
    Impl::Appender out(*impl_, clock);
    auto seq = out.seq();
    if (!seq) return std::move(seq).error();
    xapi::StatementFrame f = out.frame(*seq);
    f.registration.clear();  // a heartbeat belongs to no patron session
    auto body = xapi::build_heartbeat(health, f);
    if (!body) return std::move(body).error();
    LASR_TRY(impl_->store(f, *body, clock, false, 1, out.day()));
    LASR_TRY(impl_->stamp());
    return tx.commit();
}

void UsageLog::stamp_writes_with(int64_t ticket) {
    std::lock_guard lock(impl_->mu);
    impl_->ticket = ticket;
}

Status UsageLog::note_ticket(int64_t ticket) {
    if (ticket < 0) return invalid("note_ticket: a ticket is >= 0");
    std::lock_guard lock(impl_->mu);
    impl_->put_ticket.bind_int64(1, ticket);
    return impl_->put_ticket.run();
}

Result<std::optional<int64_t>> UsageLog::committed_ticket() {
    std::lock_guard lock(impl_->side_mu);
    LASR_TRY(impl_->side_ready());
    std::optional<int64_t> v;
    impl_->side_get_meta.bind_text(1, "ui_ticket");
    LASR_TRY(one_row(impl_->side_get_meta, [&](sqlite::Statement& st) { v = st.column_int64(0); }));
    return v;
}

// ------------------------------------------------------------------ sync side

Result<std::vector<OutboxRow>> UsageLog::outbox_head(int max_count, size_t max_bytes) {
    if (max_count <= 0) return invalid("outbox_head: max_count must be > 0");
    std::lock_guard lock(impl_->side_mu);
    LASR_TRY(impl_->side_ready());
    sqlite::Statement& st = impl_->side_head;
    sqlite::ScopedReset reset(st);
    st.bind_int64(1, max_count);
    std::vector<OutboxRow> rows;
    size_t bytes = 0;
    for (;;) {
        auto more = st.step();
        if (!more) return std::move(more).error();
        if (!*more) break;
        OutboxRow r{st.column_int64(0), st.column_text(1), st.column_text(2)};
        if (!rows.empty() && bytes + r.body.size() > max_bytes) break;
        bytes += r.body.size();
        rows.push_back(std::move(r));
    }
    return rows;
}

Status UsageLog::outbox_delivered(const std::vector<int64_t>& seqs) {
    // In short transactions, so a UI-thread write waits for at most one of
    // them. A crash between two leaves acknowledged rows behind: they are
    // sent again, byte for byte, and the LRS ignores them.
    //
    // A batch is a run of consecutive sequence numbers (unless rows went in
    // between), deleted with one range statement: a default batch of 100 then
    // costs one transaction of ~0.2 ms CPU here, where 100 single deletes in
    // four transactions of 25 cost ~0.4 ms. Each transaction is a moment the
    // UI thread may have to wait for, and the longer they add up to, the more
    // likely this thread is preempted while it holds the writer; 100 rows
    // keeps each one well under the UI's 1 ms budget.
    constexpr size_t kChunk = 100;
    for (size_t from = 0; from < seqs.size(); from += kChunk) {
        const size_t to = std::min(seqs.size(), from + kChunk);
        const ClockReading clock = impl_->now();
        std::lock_guard lock(impl_->mu);
        sqlite::Transaction tx(impl_->db);
        LASR_TRY(tx.begin());
        int64_t deleted = 0;
        for (size_t i = from; i < to;) {
            size_t end = i + 1;  // seqs[i..end) are consecutive
            while (end < to && seqs[end] == seqs[end - 1] + 1) ++end;
            impl_->delete_range.bind_int64(1, seqs[i]);
            impl_->delete_range.bind_int64(2, seqs[end - 1]);
            LASR_TRY(impl_->delete_range.run());
            deleted += impl_->db.changes();
            i = end;
        }
        LASR_TRY(impl_->add("sent", deleted));
        if (to == seqs.size()) {
            LASR_TRY(impl_->set("last_success", xapi::format_timestamp(clock.wall)));
            LASR_TRY(impl_->set("last_error", std::string_view()));
            LASR_TRY(impl_->set("auth_paused", int64_t{0}));
        }
        LASR_TRY(tx.commit());
    }
    return {};
}

Status UsageLog::outbox_dead_letter(int64_t seq, int http_status, const std::string& reason) {
    std::lock_guard lock(impl_->mu);
    const ClockReading clock = impl_->now();
    sqlite::Transaction tx(impl_->db);
    LASR_TRY(tx.begin());
    sqlite::Statement& mv = impl_->move_to_dead;
    mv.bind_int64(1, seq);
    mv.bind_int64(2, http_status);
    mv.bind_text(3, reason);
    mv.bind_text(4, xapi::format_timestamp(clock.wall));
    LASR_TRY(mv.run());
    if (impl_->db.changes() == 0)
        return make_error(Domain::usage, Errc::not_found,
                          impl_->db.path() + ": statement " + std::to_string(seq) + " is not in the outbox");
    impl_->delete_outbox.bind_int64(1, seq);
    LASR_TRY(impl_->delete_outbox.run());
    return tx.commit();
}

Status UsageLog::note_sync(const SyncNote& note) {
    std::lock_guard lock(impl_->mu);
    const ClockReading clock = impl_->now();
    sqlite::Transaction tx(impl_->db);
    LASR_TRY(tx.begin());
    if (note.success) {
        LASR_TRY(impl_->set("last_success", xapi::format_timestamp(clock.wall)));
        LASR_TRY(impl_->set("last_error", std::string_view()));
    } else {
        LASR_TRY(impl_->set("last_error", note.error));
        LASR_TRY(impl_->set("last_error_at", xapi::format_timestamp(clock.wall)));
    }
    LASR_TRY(impl_->set("auth_paused", int64_t{note.auth_paused ? 1 : 0}));
    return tx.commit();
}

Status UsageLog::leave_checkpoints_to_caller() {
    std::lock_guard lock(impl_->mu);
    return impl_->db.exec("PRAGMA wal_autocheckpoint = 0", "leaving checkpoints to the worker");
}

Status UsageLog::checkpoint() {
    bool all_in = false;  // every frame of the WAL is in the database now
    {
        std::lock_guard lock(impl_->side_mu);
        LASR_TRY(impl_->side_ready());
        // One row: busy, frames in the WAL, frames checkpointed.
        LASR_TRY(one_row(impl_->side_checkpoint, [&](sqlite::Statement& st) {
            all_in = st.column_int64(0) == 0 && st.column_int64(1) == st.column_int64(2);
        }));
    }
    std::error_code ec;
    const uintmax_t wal_bytes = std::filesystem::file_size(impl_->path.string() + "-wal", ec);
    if (!all_in || ec || wal_bytes <= kJournalSizeLimit) return {};
    // The WAL is all in the database and larger than journal_size_limit: the
    // next write starts it over and cuts the file back to the limit, an
    // ftruncate that drops the file's cached pages (3.7 ms for 45 MB here).
    // Make that write this thread's, not the UI thread's next tap. If
    // anything was written since the checkpoint, the WAL is not started over
    // and this is one more frame; either way no fsync (synchronous=NORMAL).
    std::lock_guard lock(impl_->mu);
    return impl_->db.exec(kRewriteApplicationId, "starting the WAL over");
}

Result<RetentionReport> UsageLog::enforce_retention() {
    RetentionReport report;
    const ClockReading clock = impl_->now();
    using std::chrono::hours;
    const std::string cutoff = utc_day(clock.wall - hours(24) * impl_->options.retention_days);
    const std::string daily_cutoff = utc_day(clock.wall - hours(24) * kDailyKeepDays);
    const std::string today = utc_day(clock.wall);
    const int64_t cap = static_cast<int64_t>(impl_->options.retention_mb) * 1024 * 1024;
    sqlite::Database& db = impl_->db;

    auto used_bytes = [&]() -> Result<int64_t> {
        auto pages = db.query_int64(kUsedBytes, "database size");
        if (!pages) return std::move(pages).error();
        auto page = db.query_int64(kPageSize, "page size");
        if (!page) return std::move(page).error();
        return *pages * *page;
    };
    auto run_one = [&](std::string_view sql, std::string_view what, auto&& bind) -> Result<int64_t> {
        auto st = db.prepare(sql, what, false);
        if (!st) return std::move(st).error();
        bind(*st);
        LASR_TRY(st->run());
        return db.changes();
    };
    auto delete_seqs = [&](const std::vector<int64_t>& seqs) -> Status {
        for (int64_t seq : seqs) {
            impl_->delete_outbox.bind_int64(1, seq);
            LASR_TRY(impl_->delete_outbox.run());
        }
        return {};
    };

    // Old plays, dead letters and daily counts go by age alone.
    {
        std::lock_guard lock(impl_->mu);
        sqlite::Transaction tx(db);
        LASR_TRY(tx.begin());
        auto plays = run_one(kPrunePlays, "prune plays", [&](sqlite::Statement& st) {
            st.bind_int64(1, 0);
            st.bind_text(2, cutoff);
            st.bind_int64(3, INT64_MAX);
        });
        if (!plays) return std::move(plays).error();
        auto dead = run_one(kPruneDead, "prune dead letters", [&](sqlite::Statement& st) { st.bind_text(1, cutoff); });
        if (!dead) return std::move(dead).error();
        auto daily = run_one(kPruneDaily, "prune daily counts", [&](sqlite::Statement& st) { st.bind_text(1, daily_cutoff); });
        if (!daily) return std::move(daily).error();
        report.plays_pruned += *plays;
        report.dropped += *dead;  // dead letters were never delivered: they count as lost
        LASR_TRY(impl_->add("plays_pruned", *plays));
        LASR_TRY(impl_->add("dropped", *dead));
        LASR_TRY(tx.commit());
    }

    // Then one bounded chunk per transaction: the UI thread gets in between.
    bool shrinking = false;  // over the cap once: go on down to 90% of it
    for (;;) {
        std::lock_guard lock(impl_->mu);
        auto used = used_bytes();
        if (!used) return std::move(used).error();
        shrinking = *used > cap || (shrinking && *used > cap / 10 * 9);

        sqlite::Transaction tx(db);
        LASR_TRY(tx.begin());
        auto chunk = db.prepare(kRollupChunk, "retention chunk", false);
        if (!chunk) return std::move(chunk).error();
        chunk->bind_int64(1, shrinking ? 1 : 0);
        chunk->bind_text(2, cutoff);
        chunk->bind_int64(3, kRollupChunkRows);
        std::vector<int64_t> seqs;
        std::map<std::tuple<std::string, std::string, std::string>, int64_t> groups;
        for (;;) {
            auto more = chunk->step();
            if (!more) return std::move(more).error();
            if (!*more) break;
            seqs.push_back(chunk->column_int64(0));
            ++groups[{chunk->column_text(1), chunk->column_text(2), chunk->column_text(3)}];
        }
        chunk->reset();

        if (!seqs.empty()) {
            // Raw statements become one aggregate per day, verb and object.
            Impl::Appender out(*impl_, clock);
            LASR_TRY(out.reserve(static_cast<int64_t>(groups.size())));
            for (const auto& [key, count] : groups) {
                const auto& [day, verb, object] = key;
                auto seq = out.seq();
                if (!seq) return std::move(seq).error();
                xapi::StatementFrame f = out.frame(*seq);
                f.registration.clear();  // an aggregate belongs to no session
                // The day's midnight: never in the future (a day after today
                // could only come from a clock that was wrong).
                f.clock_trusted = clock.trusted && day <= today;
                f.timestamp = f.clock_trusted ? day + "T00:00:00.000Z" : std::string();
                auto body = xapi::build_aggregate({day, verb, object, count}, f);
                if (!body) return std::move(body).error();
                LASR_TRY(impl_->store(f, *body, clock, true, count, day));
                ++report.aggregates_made;
            }
            LASR_TRY(delete_seqs(seqs));
            report.rolled_up += static_cast<int64_t>(seqs.size());
            LASR_TRY(impl_->add("rolled_up", static_cast<int64_t>(seqs.size())));
            LASR_TRY(tx.commit());
            continue;
        }
        if (!shrinking) break;

        // Still too big with nothing raw left: ended plays first (local
        // detail), then the oldest aggregates, counted as lost.
        auto plays = run_one(kPrunePlays, "prune plays", [&](sqlite::Statement& st) {
            st.bind_int64(1, 1);
            st.bind_text(2, cutoff);
            st.bind_int64(3, kRollupChunkRows);
        });
        if (!plays) return std::move(plays).error();
        if (*plays > 0) {
            report.plays_pruned += *plays;
            LASR_TRY(impl_->add("plays_pruned", *plays));
            LASR_TRY(tx.commit());
            continue;
        }
        auto oldest = db.prepare(kOldestAggregates, "oldest aggregates", false);
        if (!oldest) return std::move(oldest).error();
        oldest->bind_int64(1, 50);
        int64_t lost = 0;
        for (;;) {
            auto more = oldest->step();
            if (!more) return std::move(more).error();
            if (!*more) break;
            seqs.push_back(oldest->column_int64(0));
            lost += oldest->column_int64(1);
        }
        oldest->reset();
        if (seqs.empty()) {
            log::warn("usage", "retention_cap_unreachable db=" + db.path() + " used_bytes=" + std::to_string(*used) +
                                   " cap_bytes=" + std::to_string(cap));
            break;
        }
        LASR_TRY(delete_seqs(seqs));
        report.dropped += lost;
        LASR_TRY(impl_->add("dropped", lost));
        LASR_TRY(tx.commit());
    }
    if (report.rolled_up > 0 || report.dropped > 0 || report.plays_pruned > 0) {
        // Nothing goes silently: the counts are in status() and the log.
        log::write(report.dropped > 0 ? log::Level::error : log::Level::warn, "usage",
                   "retention db=" + db.path() + " rolled_up=" + std::to_string(report.rolled_up) +
                       " aggregates=" + std::to_string(report.aggregates_made) +
                       " dropped=" + std::to_string(report.dropped) +
                       " plays_pruned=" + std::to_string(report.plays_pruned));
    }
    return report;
}

Result<UsageStatus> UsageLog::status() {
    UsageStatus s;
    std::lock_guard lock(impl_->side_mu);
    LASR_TRY(impl_->side_ready());
    sqlite::Database& d = impl_->side;
    // One read transaction: every figure from the same snapshot.
    sqlite::Transaction tx(d, sqlite::Transaction::Kind::deferred);
    LASR_TRY(tx.begin());
    {
        auto q = d.prepare(kQueueStatus, "queue status", false);
        if (!q) return std::move(q).error();
        int64_t oldest_ms = -1;
        LASR_TRY(one_row(*q, [&](sqlite::Statement& st) {
            s.queued = st.column_int64(0);
            s.queued_bytes = st.column_int64(1);
            if (!st.column_is_null(2)) oldest_ms = st.column_int64(2);
        }));
        s.oldest_unsent_ms = oldest_ms;
        if (oldest_ms >= 0)
            s.oldest_unsent = xapi::format_timestamp(std::chrono::system_clock::time_point(std::chrono::milliseconds(oldest_ms)));
    }
    auto dead = d.query_int64(kDeadCount, "dead letters");
    if (!dead) return std::move(dead).error();
    s.dead_letters = *dead;
    struct IntKey { const char* key; int64_t* into; };
    for (IntKey k : {IntKey{"sent", &s.sent}, IntKey{"rolled_up", &s.rolled_up}, IntKey{"dropped", &s.dropped},
                     IntKey{"plays_pruned", &s.plays_pruned}}) {
        auto v = impl_->side_meta_int(k.key);
        if (!v) return std::move(v).error();
        *k.into = *v;
    }
    struct TextKey { const char* key; std::string* into; };
    for (TextKey k : {TextKey{"last_success", &s.last_success}, TextKey{"last_error", &s.last_error},
                      TextKey{"last_error_at", &s.last_error_at}}) {
        auto v = impl_->side_meta_text(k.key);
        if (!v) return std::move(v).error();
        *k.into = *v;
    }
    auto paused = impl_->side_meta_int("auth_paused");
    if (!paused) return std::move(paused).error();
    s.auth_paused = *paused != 0;
    auto pages = d.query_int64(kUsedBytes, "database size");
    if (!pages) return std::move(pages).error();
    auto page = d.query_int64(kPageSize, "page size");
    if (!page) return std::move(page).error();
    s.db_bytes = *pages * *page;
    LASR_TRY(tx.commit());
    return s;
}

Result<std::vector<DeadLetter>> UsageLog::dead_letters(int limit) {
    if (limit < 0) return invalid("dead_letters: limit must not be negative");
    std::lock_guard lock(impl_->side_mu);
    LASR_TRY(impl_->side_ready());
    auto st = impl_->side.prepare(kSelectDead, "dead letters", false);
    if (!st) return std::move(st).error();
    st->bind_int64(1, limit);
    std::vector<DeadLetter> out;
    for (;;) {
        auto more = st->step();
        if (!more) return std::move(more).error();
        if (!*more) break;
        out.push_back({st->column_int64(0), st->column_text(1), st->column_text(2),
                       static_cast<int>(st->column_int64(3)), st->column_text(4), st->column_text(5)});
    }
    return out;
}

Result<std::vector<DailyCount>> UsageLog::daily_counts(const std::string& from_day, const std::string& to_day) {
    std::lock_guard lock(impl_->side_mu);
    LASR_TRY(impl_->side_ready());
    auto st = impl_->side.prepare(kSelectDaily, "daily counts", false);
    if (!st) return std::move(st).error();
    st->bind_text(1, from_day);
    st->bind_text(2, to_day.empty() ? std::string("9999-12-31") : to_day);
    std::vector<DailyCount> out;
    for (;;) {
        auto more = st->step();
        if (!more) return std::move(more).error();
        if (!*more) break;
        out.push_back({st->column_text(0), st->column_text(1), st->column_text(2), st->column_text(3),
                       st->column_int64(4)});
    }
    return out;
}

// ------------------------------------------------------------------ plays

Result<std::vector<PlayRow>> UsageLog::plays(int limit) {
    if (limit < 0) return invalid("plays: limit must not be negative");

    std::lock_guard lock(impl_->mu);
    sqlite::Statement& st = impl_->select_plays;
    sqlite::ScopedReset reset(st);
    st.bind_int64(1, limit);
    std::vector<PlayRow> rows;
    for (;;) {
        auto more = st.step();
        if (!more) return std::move(more).error();
        if (!*more) break;
        PlayRow r;
        r.id = st.column_int64(0);
        r.video_id = st.column_text(1);
        r.course_id = st.column_text(2);
        r.started_minute = st.column_text(3);
        r.duration_s = st.column_double(4);
        r.position_s = st.column_double(5);
        if (!st.column_is_null(6)) {
            std::string text = st.column_text(6);
            r.outcome = outcome_from(text);
            if (!r.outcome)
                return make_error(Domain::usage, Errc::parse,
                                  impl_->db.path() + ": play " + std::to_string(r.id) + " has unknown outcome \"" +
                                      text + "\"");
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

Result<UsageSummary> UsageLog::summary() {
    std::lock_guard lock(impl_->mu);
    sqlite::Statement& st = impl_->select_summary;
    sqlite::ScopedReset reset(st);
    auto row = st.step();
    if (!row) return std::move(row).error();
    UsageSummary s;
    if (*row) {
        s.plays = st.column_int64(0);
        s.completed = st.column_int64(1);
        s.stopped = st.column_int64(2);
        s.failed = st.column_int64(3);
        s.open = st.column_int64(4);
        s.interrupted = st.column_int64(5);
    }
    return s;
}

Status UsageLog::check_integrity() {
    std::lock_guard lock(impl_->mu);
    auto st = impl_->db.prepare(kIntegrityCheck, "integrity check", false);
    if (!st) return std::move(st).error();
    sqlite::ScopedReset reset(*st);
    std::string problems;
    for (;;) {
        auto more = st->step();
        if (!more) return std::move(more).error();
        if (!*more) break;
        std::string line = st->column_text(0);
        if (line == "ok") continue;
        if (!problems.empty()) problems += "; ";
        problems += line;
    }
    if (problems.empty()) return {};
    return make_error(Domain::usage, Errc::parse, impl_->db.path() + ": integrity check failed: " + problems);
}

int UsageLog::schema_version() const { return impl_->version; }

const std::filesystem::path& UsageLog::path() const { return impl_->path; }

}  // namespace lasr
