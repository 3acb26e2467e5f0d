// The usage log: which videos were played, how far, and how each play ended,
// kept in a local SQLite database that survives crashes and power cuts.
//
// Privacy (a library value, see ALA and NISO's privacy principles): a row
// holds the content ids from the catalog, the minute the play started (UTC,
// truncated), the video's duration, the last position and the outcome.
// Nothing that identifies a patron or a device: no free text, no seconds, no
// user or device ids. Ids are checked to look like catalog ids (letters,
// digits, '.', '_', '-', at most 64), so free text cannot slip in through them.
//
// Thread-safe: every call takes an internal mutex. play_progress() is meant
// for the UI thread every few seconds: it is one prepared UPDATE in WAL mode
// with synchronous=NORMAL, i.e. a write to the WAL file and no fsync.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/result.hpp"

namespace lasr {

enum class PlayOutcome {
    completed,  // played to the end
    stopped,    // the patron left early (back, or the idle timeout)
    failed,     // the player could not play it (unplayable, truncated)
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
    int64_t open = 0;  // no outcome: playing now, or cut off by a crash or power cut
};

class UsageLog {
public:
    // The schema version this build writes (PRAGMA user_version).
    static constexpr int kSchemaVersion = 1;

    // Opens the database at db_path, creating its directories and the file if
    // needed, and brings its schema up to date. Errors (domain storage for the file itself, usage for bad calls) name the
    // file: not a SQLite database -> parse; written by a newer program
    // (schema version above kSchemaVersion), or some other program's SQLite
    // database -> validation, and the file is left untouched; the OS refused
    // -> io.
    static Result<std::unique_ptr<UsageLog>> open(const std::filesystem::path& db_path);

    ~UsageLog();
    UsageLog(const UsageLog&) = delete;
    UsageLog& operator=(const UsageLog&) = delete;

    // A play begins: returns its id (ids are never reused, even after rows
    // are deleted). duration_s must be finite and > 0.
    Result<int64_t> play_started(const std::string& video_id, const std::string& course_id, double duration_s);

    // The last position of an open play. Clamped to [0, duration]; NaN or
    // infinite is invalid_argument; an unknown id is not_found; a play that
    // has already ended is validation (an ended play is never changed).
    Status play_progress(int64_t play_id, double position_s);

    // Closes a play with its final position (same rules as play_progress).
    Status play_ended(int64_t play_id, double position_s, PlayOutcome outcome);

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
