// The usage log: which videos were played, how far, and how each play ended,
// and every kiosk event as an xAPI statement waiting in an outbox to be sent
// to a Learning Record Store, kept in a local SQLite database that survives
// crashes and power cuts.
//
// Each event's statement is built (kiosk/usage/xapi.hpp) and stored in the
// outbox in the same transaction as the event itself, exactly as it will be
// sent; the sync (kiosk/usage/sync.hpp) deletes a row only once the LRS has
// acknowledged it. Local daily counts (for board reports) are kept in the
// same transaction.
//
// Privacy (a library value, see ALA and NISO's privacy principles): the plays
// table holds catalog ids, the minute a play started (UTC, truncated), the
// video's duration, the last position and the outcome. Statements name the
// kiosk (its configured id, never a person), catalog ids, positions in a
// video, random session ids that are forgotten at the idle reset, and the
// minute. No free text, no search terms, nothing typed. Ids are checked to
// look like catalog ids (letters, digits, '.', '_', '-', at most 64), so free
// text cannot slip in through them.
//
// Thread-safe: every call takes an internal mutex. Event calls are one short
// transaction in WAL mode with synchronous=NORMAL (a write to the WAL file,
// no fsync); the sync and maintenance calls hold the mutex only for short,
// bounded steps, and WAL checkpoints (the one slow part: they fsync) run on a
// second connection without it. The kiosk's UI thread does not make event
// calls itself: it queues them to a UsageWriter (usage_writer.hpp), whose
// thread makes them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/result.hpp"
#include "kiosk/usage/clock.hpp"
#include "kiosk/usage/xapi.hpp"

namespace lasr {

using xapi::EventKind;
using xapi::UsageEvent;

enum class PlayOutcome {
    completed,  // played to the end
    stopped,    // the patron left early (back, or the idle timeout)
    failed,     // the player could not play it (unplayable, truncated)
    interrupted,  // cut off by a crash, SIGKILL or power cut; closed at the next start
};

std::string_view to_string(PlayOutcome o) noexcept;

struct PlayRow {
    int64_t id = 0;
    std::string video_id;
    std::string course_id;
    std::string started_minute;  // UTC "YYYY-MM-DDTHH:MMZ", truncated to the minute
    double duration_s = 0;
    double position_s = 0;       // the last position recorded, within [0, duration_s]
    std::optional<PlayOutcome> outcome;  // nullopt: still open, or cut off by a crash
};

struct UsageSummary {
    int64_t plays = 0;
    int64_t completed = 0;
    int64_t stopped = 0;
    int64_t failed = 0;
    int64_t open = 0;  // no outcome: playing now, or cut off and not yet closed
    int64_t interrupted = 0;  // cut off by a crash or power cut, closed at the next start
};

// Who the statements are from, and how they are placed in time.
struct UsageOptions {
    std::string kiosk_id = "kiosk";
    std::string home_page = "https://lasr-kiosk.invalid/library/demo-library";
    int retention_days = 90;
    int retention_mb = 64;
    ClockFn clock;  // empty: the system's clocks (system_clock_source(false))

    static UsageOptions from(const Config& config);
};

// One statement waiting to be sent, in sequence order.
struct OutboxRow {
    int64_t seq = 0;
    std::string statement_id;
    std::string body;  // the JSON exactly as stored at creation
};

struct DeadLetter {
    int64_t seq = 0;
    std::string statement_id;
    std::string body;
    int http_status = 0;
    std::string reason;
    std::string at;
};

// For lasr-kioskctl status and the admin screen.
struct UsageStatus {
    int64_t queued = 0;             // statements not yet acknowledged by the LRS
    int64_t queued_bytes = 0;
    std::string oldest_unsent;      // when the oldest queued statement was made ("" if none)
    int64_t oldest_unsent_ms = -1;  // the same, in ms since the epoch (-1 if none)
    int64_t dead_letters = 0;       // refused by the LRS for good (kept, not sent)
    int64_t sent = 0;               // acknowledged by the LRS, in all
    int64_t rolled_up = 0;          // raw statements replaced by daily aggregates (retention)
    int64_t dropped = 0;            // events lost to retention beyond even the aggregates
    int64_t plays_pruned = 0;       // plays rows removed by retention
    std::string last_success;       // last acknowledged upload ("" if never)
    std::string last_error;         // last upload failure ("" after a success)
    std::string last_error_at;
    bool auth_paused = false;       // the LRS refused our credentials: waiting for staff
    int64_t db_bytes = 0;           // the database's used size
};

// What the sync reports after an attempt (stored for status()).
struct SyncNote {
    bool success = false;
    std::string error;       // when !success
    bool auth_paused = false;
};

// A day's count of one kind of event on one object (for board reports).
struct DailyCount {
    std::string day;        // "2026-11-29"
    std::string event;      // xapi::to_string(EventKind)
    std::string object_id;  // catalog id ("" for kiosk and session events)
    std::string course_id;  // videos: their course
    int64_t count = 0;
};

struct RetentionReport {
    int64_t rolled_up = 0;         // raw statements folded into aggregates
    int64_t aggregates_made = 0;
    int64_t dropped = 0;           // events lost (aggregates removed past the cap)
    int64_t plays_pruned = 0;
};

class UsageLog {
public:
    // The schema version this build writes (PRAGMA user_version).
    // v1: plays. v2: outbox, dead letters, daily counts, meta. v3: the
    // outbox without an index on statement ids. v4: plays keep their video
    // session and segments; the interrupted outcome.
    static constexpr int kSchemaVersion = 4;

    // Opens the database at db_path, creating its directories and the file if
    // needed, and brings its schema up to date. Errors (domain storage for the file itself, usage for bad calls) name the
    // file: not a SQLite database -> parse; written by a newer program
    // (schema version above kSchemaVersion), or some other program's SQLite
    // database -> validation, and the file is left untouched; the OS refused
    // -> io.
    static Result<std::unique_ptr<UsageLog>> open(const std::filesystem::path& db_path,
                                                  const UsageOptions& options = {});

    ~UsageLog();
    UsageLog(const UsageLog&) = delete;
    UsageLog& operator=(const UsageLog&) = delete;

    // A play begins: returns its id (ids are never reused, even after rows
    // are deleted). duration_s must be finite and > 0. Records the video's
    // "initialized" statement (a new video session) in the same transaction.
    Result<int64_t> play_started(const std::string& video_id, const std::string& course_id, double duration_s);

    // The player started playing (video_played), paused (video_paused) or
    // jumped (video_seeked, from `from_s` to `position_s`) in an open play.
    // Played segments and progress are tracked here from these calls.
    Status play_event(int64_t play_id, EventKind kind, double position_s, double from_s = 0);

    // The last position of an open play. Clamped to [0, duration]; NaN or
    // infinite is invalid_argument; an unknown id is not_found; a play that
    // has already ended is validation (an ended play is never changed).
    Status play_progress(int64_t play_id, double position_s);

    // Closes a play with its final position (same rules as play_progress).
    // Records "completed" (when it was) and "terminated" in the same
    // transaction.
    Status play_ended(int64_t play_id, double position_s, PlayOutcome outcome);

    // Plays the last run left open (it was killed, or the power went): each
    // is closed as `interrupted` at its last recorded position, with one
    // "terminated" statement (its played segments as of the last progress
    // update, and the extension interrupted=true), each in one transaction
    // with its row, so a crash here neither loses nor repeats one. Returns
    // how many were closed. Only the kiosk calls this, once, at start and
    // before any play of its own (lasr-kioskctl opens the same file while
    // the kiosk runs, so it must never).
    Result<int> close_interrupted_plays();

    // A patron session: begin_session() makes a random id that every
    // statement carries (context.registration) until end_session(), which
    // forgets it. Beginning while one is open ends that one first.
    Status begin_session();
    Status end_session();
    bool in_session() const;

    // Any other event (course opened, resource viewed, QR code or alert
    // shown, app start and stop, kiosk errors): one statement, one
    // transaction. Video events go through the play_* calls.
    Status record(const UsageEvent& event);
    // Many events in one transaction (the batched insert path).
    Status record_batch(const std::vector<UsageEvent>& events);
    // The kiosk's heartbeat (xapi::build_heartbeat): one statement, one
    // transaction, outside any patron session. Not counted in daily counts.
    Status record_heartbeat(const xapi::Health& health);

    // ---- for the usage writer (kiosk/usage/usage_writer.hpp) ----

    // From now on every event transaction (play_*, sessions, record*,
    // heartbeats) also stores `ticket` as the last committed one, in the
    // same transaction as the event; 0 stops it. The writer sets the ticket
    // of each event before writing it, so after any crash
    // committed_ticket() says exactly how far its queue got.
    void stamp_writes_with(int64_t ticket);
    // Stores `ticket` (>= 0) on its own: an event that failed and was
    // logged, or the count a writer starts from.
    Status note_ticket(int64_t ticket);
    // The last ticket committed; nullopt when no writer ever stamped this
    // database (a new one, or one from before writers).
    Result<std::optional<int64_t>> committed_ticket();

    // ---- for the sync (the background worker) ----

    // The oldest queued statements, in sequence order: at most max_count,
    // and at most max_bytes of bodies (but always the first one).
    Result<std::vector<OutboxRow>> outbox_head(int max_count, size_t max_bytes);
    // The LRS acknowledged these: delete them, in one transaction.
    Status outbox_delivered(const std::vector<int64_t>& seqs);
    // The LRS refused this one for good: move it to the dead-letter table.
    Status outbox_dead_letter(int64_t seq, int http_status, const std::string& reason);
    Status note_sync(const SyncNote& note);
    // A WAL checkpoint on a second connection (never blocks writers; the
    // fsyncs happen here, not on the UI thread's commits). When that leaves
    // a WAL larger than its 4 MiB limit, the WAL is started over and cut back
    // here too (one tiny write), not by the next writer, the UI thread.
    Status checkpoint();
    // The caller runs checkpoint() regularly (the kiosk's worker does): the
    // writer then never checkpoints by itself, so no UI-thread write ever
    // waits for one. Without it, the writer checkpoints past 40 MB of WAL.
    Status leave_checkpoints_to_caller();
    // Rolls up what is past retention_days or beyond retention_mb, in
    // bounded steps. Nothing goes silently: see RetentionReport.
    Result<RetentionReport> enforce_retention();

    Result<UsageStatus> status();
    Result<std::vector<DeadLetter>> dead_letters(int limit = 1000);
    Result<std::vector<DailyCount>> daily_counts(const std::string& from_day = "", const std::string& to_day = "");

    // The newest `limit` plays, oldest first (newest last). limit >= 0.
    Result<std::vector<PlayRow>> plays(int limit = 1000);

    Result<UsageSummary> summary();

    // PRAGMA integrity_check: ok, or a parse error quoting what SQLite found.
    Status check_integrity();

    int schema_version() const;
    const std::filesystem::path& path() const;

private:
    struct Impl;
    explicit UsageLog(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lasr
