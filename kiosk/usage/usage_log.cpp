#include "kiosk/usage/usage_log.hpp"

#include <time.h>

#include <array>
#include <cmath>
#include <ctime>
#include <mutex>
#include <system_error>

#include "config/log.hpp"
#include "kiosk/db/sqlite.hpp"

namespace lasr {
namespace {

// ------------------------------------------------------------------ schema

// PRAGMA application_id: 'LASR'. Marks the file as ours, so the kiosk never
// migrates its tables into some other program's SQLite database.
constexpr int64_t kApplicationId = 0x4C415352;

// v1: one row per play. Kept deliberately small; later steps add to it:
//   v2 (issue 5) will add the xAPI outbox, e.g.
//     CREATE TABLE xapi_outbox (
//       seq          INTEGER PRIMARY KEY AUTOINCREMENT,  -- send order
//       play_id      INTEGER REFERENCES plays(id) ON DELETE SET NULL,
//       statement_id TEXT NOT NULL UNIQUE,
//       body         TEXT NOT NULL,  -- the JSON exactly as sent; resent byte for byte
//       sent_at      TEXT) STRICT;
//   which is why plays.id is AUTOINCREMENT (an id is never handed out twice,
//   even after old rows are pruned, so statement ids derived from it never
//   collide: an LRS answers 409 to the same id with different content) and
//   why foreign_keys is on from the start.
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

constexpr std::array<sqlite::Migration, 1> kMigrations = {{
    {1, "v1: plays table", kSchemaV1},
}};
static_assert(kMigrations.back().version == UsageLog::kSchemaVersion);
static_assert(kApplicationId == 1279349586, "keep kSchemaV1's PRAGMA application_id in step");

// ------------------------------------------------------------------ pragmas

constexpr std::string_view kGetApplicationId = "PRAGMA application_id";
constexpr std::string_view kCountSchemaObjects = "SELECT count(*) FROM sqlite_schema";
constexpr std::string_view kSetWal = "PRAGMA journal_mode = WAL";
// Why synchronous=NORMAL is safe here: in WAL mode, NORMAL syncs the WAL only
// at checkpoints, not at every commit. SQLite documents that WAL + NORMAL
// cannot corrupt the database; a power cut can only lose the transactions
// committed since the last checkpoint sync (a process crash or SIGKILL loses
// nothing: committed frames are already in the OS). For this table that
// means at most the last seconds of progress, never the database itself, and
// it keeps play_progress() from waiting on an fsync on an SD card.
constexpr std::string_view kSetSynchronousNormal = "PRAGMA synchronous = NORMAL";
// Outside WAL (a file system without shared memory for the WAL index), only
// FULL is crash-safe, so that is the fallback.
constexpr std::string_view kSetSynchronousFull = "PRAGMA synchronous = FULL";
constexpr std::string_view kSetForeignKeys = "PRAGMA foreign_keys = ON";
// Truncate the WAL back to 4 MiB after a checkpoint instead of letting one
// burst leave a large file on a small SD card.
constexpr std::string_view kSetJournalSizeLimit = "PRAGMA journal_size_limit = 4194304";
constexpr std::string_view kIntegrityCheck = "PRAGMA integrity_check(20)";

// Another process (lasr-kioskctl syncing or exporting) may hold the write
// lock for a moment. Writes are single short statements, so waiting a little
// is better than dropping a row; the bound keeps the UI thread responsive.
constexpr int kBusyTimeoutMs = 2000;

// ------------------------------------------------------------------ statements

constexpr std::string_view kInsertPlay =
    "INSERT INTO plays (video_id, course_id, started_minute, duration_s, position_s) "
    "VALUES (?1, ?2, ?3, ?4, 0)";
// The lower clamp (and NaN check) happens in C++; the upper clamp needs the
// stored duration, so SQL does it: one statement, no read first.
constexpr std::string_view kUpdateProgress =
    "UPDATE plays SET position_s = min(?2, duration_s) WHERE id = ?1 AND outcome IS NULL";
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
    "count(*) FILTER (WHERE outcome IS NULL) "
    "FROM plays";

// ------------------------------------------------------------------ helpers

constexpr size_t kMaxIdLength = 64;

Error invalid(std::string message) {
    return make_error(Domain::usage, Errc::invalid_argument, std::move(message));
}

// Catalog ids are a-z, 0-9, '-', '_', '.', at most 64 (playlists/manifest);
// we also accept upper case. Anything else is refused, so no free text is
// ever stored through an id.
Status check_id(std::string_view what, const std::string& id) {
    if (id.empty()) return invalid(std::string(what) + " must not be empty");
    if (id.size() > kMaxIdLength)
        return invalid(std::string(what) + " is longer than " + std::to_string(kMaxIdLength) + " characters");
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_' || c == '.';
        if (!ok)
            return invalid(std::string(what) + " \"" + id +
                           "\" is not a content id (letters, digits, '-', '_', '.')");
    }
    return {};
}

// Finite, and clamped below at 0 (the upper clamp is in SQL). -0.0 -> 0.0.
Result<double> check_position(int64_t play_id, double position_s) {
    if (!std::isfinite(position_s))
        return invalid("play " + std::to_string(play_id) + ": position must be a finite number of seconds");
    return position_s > 0 ? position_s : 0.0;
}

std::string utc_minute_now() {
    time_t now = ::time(nullptr);
    struct tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%MZ", &tm);
    return std::string(buf, n);
}

std::optional<PlayOutcome> outcome_from(std::string_view s) {
    if (s == "completed") return PlayOutcome::completed;
    if (s == "stopped") return PlayOutcome::stopped;
    if (s == "failed") return PlayOutcome::failed;
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

}  // namespace

std::string_view to_string(PlayOutcome o) noexcept {
    switch (o) {
        case PlayOutcome::completed: return "completed";
        case PlayOutcome::stopped: return "stopped";
        case PlayOutcome::failed: return "failed";
    }
    return "unknown";
}

struct UsageLog::Impl {
    std::mutex mu;
    std::filesystem::path path;
    int version = 0;
    sqlite::Database db;
    // Declared after db: destroyed (finalised) before the connection closes.
    sqlite::Statement insert_play;
    sqlite::Statement update_progress;
    sqlite::Statement end_play;
    sqlite::Statement select_outcome;
    sqlite::Statement select_plays;
    sqlite::Statement select_summary;

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
};

UsageLog::UsageLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UsageLog::~UsageLog() = default;

Result<std::unique_ptr<UsageLog>> UsageLog::open(const std::filesystem::path& db_path) {
    if (db_path.empty()) return invalid("usage database path is empty");
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

    auto version = sqlite::migrate(d, kMigrations);
    if (!version) return std::move(version).error();
    impl->version = *version;

    struct Prep {
        sqlite::Statement* into;
        std::string_view sql;
        std::string_view what;
    };
    const Prep preps[] = {
        {&impl->insert_play, kInsertPlay, "insert play"},
        {&impl->update_progress, kUpdateProgress, "update progress"},
        {&impl->end_play, kEndPlay, "end play"},
        {&impl->select_outcome, kSelectOutcome, "select outcome"},
        {&impl->select_plays, kSelectPlays, "select plays"},
        {&impl->select_summary, kSummary, "summary"},
    };
    for (const Prep& p : preps) {
        auto st = d.prepare(p.sql, p.what);
        if (!st) return std::move(st).error();
        *p.into = std::move(*st);
    }

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
    sqlite::Statement& st = impl_->insert_play;
    st.bind_text(1, video_id);
    st.bind_text(2, course_id);
    st.bind_text(3, utc_minute_now());
    st.bind_double(4, duration_s);
    LASR_TRY(st.run());
    return impl_->db.last_insert_rowid();
}

Status UsageLog::play_progress(int64_t play_id, double position_s) {
    auto pos = check_position(play_id, position_s);
    if (!pos) return std::move(pos).error();

    std::lock_guard lock(impl_->mu);
    sqlite::Statement& st = impl_->update_progress;
    st.bind_int64(1, play_id);
    st.bind_double(2, *pos);
    LASR_TRY(st.run());
    if (impl_->db.changes() == 0) return impl_->no_open_play(play_id);
    return {};
}

Status UsageLog::play_ended(int64_t play_id, double position_s, PlayOutcome outcome) {
    auto pos = check_position(play_id, position_s);
    if (!pos) return std::move(pos).error();

    std::lock_guard lock(impl_->mu);
    sqlite::Statement& st = impl_->end_play;
    st.bind_int64(1, play_id);
    st.bind_double(2, *pos);
    st.bind_text(3, to_string(outcome));
    LASR_TRY(st.run());
    if (impl_->db.changes() == 0) return impl_->no_open_play(play_id);
    return {};
}

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
