// The UI thread's side of the usage log: every call queues the event and
// returns at once; a writer thread commits the queue to the UsageLog, in
// order, one event per transaction. The UI thread never waits for SQLite, for
// the uploader (which shares the log's write lock) or for the disk.
//
// What is acknowledged is accounted for, across any crash. Each event gets a
// ticket (1, 2, 3, ... across runs). The last ticket handed out is kept in a
// 16-byte memory-mapped file next to the database (`<db>-queued`): a store to
// shared memory, no system call, and it survives SIGKILL because the page
// belongs to the kernel's page cache. The last ticket written is stored in the
// database in the same transaction as its event (UsageLog::
// stamp_writes_with). At the next start the difference is what the kiosk took
// but never wrote: it is logged as
//
//   warn usage lost_events=N: ... (killed before the writer committed them)
//
// and reported by lost_at_start(), once; the next run counts on from there.
// So an event acknowledged to the UI is either in the database after a
// restart or counted in that line (or in a queue_full line, when the queue
// was full: see max_queue), never both and never neither. (After a
// power cut, as opposed to a kill, the kernel may not have written the mapped
// page back: the count is then a lower bound.)
//
// Thread rules: one thread (the UI thread) makes the event calls, in the order
// it means them; flush(), lost_at_start() and counts() may be called from
// any thread. Errors are logged by the writer thread (log::error, which the
// admin screen shows): an event call has nothing to report to its caller.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "config/result.hpp"
#include "kiosk/usage/usage_log.hpp"

namespace lasr {

namespace usage_detail {
struct Op;
}

struct UsageWriterOptions {
    // Where the queue's ticket is kept; empty: "<db path>-queued". If it
    // cannot be opened the writer still runs, without loss accounting (a
    // warning says so).
    std::filesystem::path ticket_file;
    // Events waiting beyond this are dropped (a stuck disk must not grow the
    // kiosk without bound), and still accounted for: when their turn comes
    // the writer records one kiosk error "usage.queue_full" and logs
    // "queue_full dropped=N"; a kill before that counts them as lost.
    // Progress updates of the same play are merged while they wait, so
    // this takes ~10,000 taps' worth.
    size_t max_queue = 10000;
};

class UsageWriter {
public:
    // A play as the UI knows it: a handle for play_event/progress/ended,
    // valid at once (the database's id comes later, on the writer thread).
    using PlayToken = int64_t;

    // Starts the writer thread on `log`, which must outlive the writer. Reads
    // the ticket file and the database's last ticket first, and logs and
    // counts what the last run lost. Errors: the log's (reading the ticket).
    static Result<std::unique_ptr<UsageWriter>> start(UsageLog& log, const UsageWriterOptions& options = {});

    // Commits everything queued, then stops the thread.
    ~UsageWriter();
    UsageWriter(const UsageWriter&) = delete;
    UsageWriter& operator=(const UsageWriter&) = delete;

    // ---- the UI thread's calls: each queues one event and returns ----

    // A play begins (UsageLog::play_started): its token, >= 1.
    PlayToken play_started(const std::string& video_id, const std::string& course_id, double duration_s);
    void play_event(PlayToken play, EventKind kind, double position_s, double from_s = 0);
    // Merged with a progress update of the same play still waiting.
    void play_progress(PlayToken play, double position_s);
    void play_ended(PlayToken play, double position_s, PlayOutcome outcome);
    void begin_session();
    void end_session();
    // Whether a session is open as far as the queue goes (the UI's view).
    bool in_session() const { return session_open_; }
    void record(const UsageEvent& event);
    // The heartbeat; the writer fills in the queue depth and the oldest
    // unsent statement's age (at `wall`) from the log, so the UI thread
    // never reads the database for it.
    void record_heartbeat(const xapi::Health& health, std::chrono::system_clock::time_point wall);

    // ---- any thread ----

    // Waits until everything queued before the call is committed (or failed
    // and logged); false if `timeout` passed first.
    bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    // Events the previous run took but never wrote (see the top of the file).
    int64_t lost_at_start() const { return lost_at_start_; }

    struct Counts {
        int64_t queued = 0;     // events taken (merged progress updates not counted)
        int64_t committed = 0;  // written
        int64_t failed = 0;     // refused by the log (logged)
        int64_t dropped = 0;    // the queue was full (logged when their turn came)
    };
    Counts counts() const;

    // For reads (summary, status, plays): the log is thread-safe.
    UsageLog& log() { return log_; }

private:
    struct Impl;
    UsageWriter(UsageLog& log, std::unique_ptr<Impl> impl, int64_t lost);
    void push(usage_detail::Op&& op);

    UsageLog& log_;
    std::unique_ptr<Impl> impl_;
    int64_t lost_at_start_ = 0;
    PlayToken next_token_ = 1;
    bool session_open_ = false;
};

}  // namespace lasr
