// The usage writer (kiosk/usage/usage_writer.hpp): the UI thread queues, a
// writer thread commits, in order, and what a kill cuts off is counted once.
// Real SQLite files in temporary directories; a real SIGKILL.
#include "kiosk/usage/usage_writer.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/log.hpp"
#include "kiosk/db/sqlite.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr {
namespace {

// The verbs' English names and the objects, in outbox order.
struct Stored {
    std::vector<std::string> verbs, objects;
};

Stored stored(UsageLog& log) {
    Stored s;
    auto rows = log.outbox_head(INT_MAX, SIZE_MAX);
    EXPECT_TRUE(rows) << rows.error().describe();
    if (!rows) return s;
    for (const auto& r : *rows) {
        auto j = nlohmann::json::parse(r.body);
        s.verbs.push_back(j["verb"]["display"]["en-US"]);
        const std::string id = j["object"]["id"];
        s.objects.push_back(id.substr(id.rfind('/') + 1));
    }
    return s;
}

bool logged(std::string_view needle) {
    for (const auto& e : log::recent_problems())
        if (e.text.find(needle) != std::string::npos) return true;
    return false;
}

// The "queue_full dropped=N" lines logged: how many, and their Ns summed.
struct Drops {
    int64_t lines = 0;
    int64_t dropped = 0;
};
Drops logged_drops() {
    Drops d;
    const std::string key = "queue_full dropped=";
    for (const auto& e : log::recent_problems())
        if (auto at = e.text.find(key); at != std::string::npos) {
            ++d.lines;
            d.dropped += std::stoll(e.text.substr(at + key.size()));
        }
    return d;
}

class UsageWriterTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto l = UsageLog::open(db());
        ASSERT_TRUE(l) << l.error().describe();
        log = std::move(*l);
    }
    std::filesystem::path db() const { return dir / "usage.sqlite3"; }

    test::TempDir dir;
    std::unique_ptr<UsageLog> log;
};

// A patron's session through the writer: every event committed, in the order
// queued, with the play's row closed as the UI said; progress updates that
// waited together were merged.
TEST_F(UsageWriterTest, CommitsEveryEventInTheOrderQueued) {
    auto w = UsageWriter::start(*log);
    ASSERT_TRUE(w) << w.error().describe();
    UsageWriter& writer = **w;
    EXPECT_EQ(writer.lost_at_start(), 0);

    writer.begin_session();
    EXPECT_TRUE(writer.in_session());
    writer.record(UsageEvent(EventKind::course_opened, "c1"));
    const auto play = writer.play_started("v1", "c1", 60);
    EXPECT_GE(play, 1);
    writer.play_event(play, EventKind::video_played, 0);
    for (int i = 1; i <= 50; ++i) writer.play_progress(play, i);
    writer.play_ended(play, 60, PlayOutcome::completed);
    for (int i = 0; i < 100; ++i) writer.record(UsageEvent(EventKind::resource_viewed, "r-" + std::to_string(i)));
    writer.end_session();
    EXPECT_FALSE(writer.in_session());
    ASSERT_TRUE(writer.flush());

    const Stored s = stored(*log);
    std::vector<std::string> want_verbs = {"initialized", "launched", "initialized", "played", "completed", "terminated"};
    for (int i = 0; i < 100; ++i) want_verbs.push_back("viewed");
    want_verbs.push_back("terminated");
    EXPECT_EQ(s.verbs, want_verbs);
    ASSERT_EQ(s.objects.size(), want_verbs.size());
    for (int i = 0; i < 100; ++i) EXPECT_EQ(s.objects[6 + i], "r-" + std::to_string(i));
    EXPECT_FALSE(log->in_session());

    auto plays = log->plays();
    ASSERT_TRUE(plays);
    ASSERT_EQ(plays->size(), 1u);
    EXPECT_EQ(plays->back().video_id, "v1");
    EXPECT_EQ(plays->back().outcome, PlayOutcome::completed);
    EXPECT_DOUBLE_EQ(plays->back().position_s, 60);

    const auto c = writer.counts();
    EXPECT_EQ(c.committed, c.queued);
    EXPECT_EQ(c.failed, 0);
    EXPECT_EQ(c.dropped, 0);
    // 1 + 1 + 1 + 1 + (1 to 50 progress rows) + 1 + 100 + 1.
    EXPECT_GE(c.queued, 107);
    EXPECT_LE(c.queued, 156);
    auto ticket = log->committed_ticket();
    ASSERT_TRUE(ticket);
    ASSERT_TRUE(ticket->has_value());
    EXPECT_EQ(**ticket, c.queued) << "the last event's ticket went with it";
}

// The calls return while another connection holds the database's write lock
// (as the uploader or lasr-kioskctl may): the UI thread never waits for it.
TEST_F(UsageWriterTest, TheCallerNeverWaitsForTheDatabase) {
    auto w = UsageWriter::start(*log);
    ASSERT_TRUE(w) << w.error().describe();
    UsageWriter& writer = **w;

    auto other = sqlite::Database::open(db(), sqlite::Database::Mode::read_write);
    ASSERT_TRUE(other) << other.error().describe();
    ASSERT_TRUE(other->exec("BEGIN IMMEDIATE", "lock"));
    for (int i = 0; i < 200; ++i) writer.record(UsageEvent(EventKind::resource_viewed, "r-" + std::to_string(i)));
    // Had any call waited for SQLite, this thread would still be in it (the
    // lock is ours); as it is, none of them could be written yet.
    EXPECT_FALSE(writer.flush(std::chrono::milliseconds(100)));
    EXPECT_EQ(writer.counts().committed, 0);
    ASSERT_TRUE(other->exec("COMMIT", "unlock"));

    ASSERT_TRUE(writer.flush());
    EXPECT_EQ(writer.counts().committed, 200);
    EXPECT_EQ(stored(*log).objects.size(), 200u);
}

// The heartbeat's queue figures come from the log, read by the writer.
TEST_F(UsageWriterTest, TheHeartbeatCarriesTheQueueAsTheWriterFindsIt) {
    auto w = UsageWriter::start(*log);
    ASSERT_TRUE(w) << w.error().describe();
    for (int i = 0; i < 5; ++i) (*w)->record(UsageEvent(EventKind::course_opened, "c" + std::to_string(i)));
    xapi::Health h;
    h.app_version = "1.0.0";
    h.mode = "patron";
    h.screen = "unmanaged";
    h.content_sync = "off";
    (*w)->record_heartbeat(h, std::chrono::system_clock::now() + std::chrono::seconds(90));
    ASSERT_TRUE((*w)->flush());
    EXPECT_EQ((*w)->counts().failed, 0);

    auto rows = log->outbox_head(100, SIZE_MAX);
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 6u);
    auto beat = nlohmann::json::parse(rows->back().body)["result"]["extensions"][std::string(xapi::kHealthExtension)];
    EXPECT_EQ(beat["queue-depth"], 5) << beat.dump();
    EXPECT_GE(beat["queue-oldest-s"].get<int>(), 89);
    EXPECT_LE(beat["queue-oldest-s"].get<int>(), 91);
}

// An event the log refuses is logged and counted as failed (not lost), and
// the calls that name its play are dropped quietly; the rest goes on.
TEST_F(UsageWriterTest, ARefusedEventIsLoggedAndTheRestGoesOn) {
    {
        auto w = UsageWriter::start(*log);
        ASSERT_TRUE(w) << w.error().describe();
        const auto bad = (*w)->play_started("not an id!", "c1", 10);
        (*w)->play_event(bad, EventKind::video_played, 0);
        (*w)->play_ended(bad, 10, PlayOutcome::completed);
        (*w)->record(UsageEvent(EventKind::course_opened, "c1"));
        ASSERT_TRUE((*w)->flush());
        EXPECT_EQ((*w)->counts().failed, 1);
        EXPECT_TRUE(logged("not an id!"));
        EXPECT_EQ(stored(*log).verbs, std::vector<std::string>{"launched"});
    }
    auto again = UsageWriter::start(*log);
    ASSERT_TRUE(again);
    EXPECT_EQ((*again)->lost_at_start(), 0) << "reported as failed, so not lost as well";
}

// A stuck database fills the queue to its bound; what does not fit is dropped,
// counted, and logged once the writer gets going again; nothing else is lost.
// (Usually one spell of drops; on a loaded machine the writer can run
// between two records and log a first spell before the rest: each spell is
// one log line and one "failed" statement, and together they count every drop.)
TEST_F(UsageWriterTest, AFullQueueDropsAndSaysSo) {
    UsageWriterOptions o;
    o.max_queue = 10;
    auto w = UsageWriter::start(*log, o);
    ASSERT_TRUE(w) << w.error().describe();
    UsageWriter& writer = **w;

    auto other = sqlite::Database::open(db(), sqlite::Database::Mode::read_write);
    ASSERT_TRUE(other) << other.error().describe();
    ASSERT_TRUE(other->exec("BEGIN IMMEDIATE", "lock"));
    for (int i = 0; i < 40; ++i) writer.record(UsageEvent(EventKind::resource_viewed, "r-" + std::to_string(i)));
    ASSERT_TRUE(other->exec("COMMIT", "unlock"));
    ASSERT_TRUE(writer.flush());

    const auto c = writer.counts();
    EXPECT_EQ(c.queued + c.dropped, 40);
    EXPECT_GE(c.dropped, 40 - 10 - 10) << "at most the bound waiting, plus what the writer had taken";
    EXPECT_EQ(c.committed, c.queued);
    const Drops spells = logged_drops();
    ASSERT_GE(spells.lines, 1);
    EXPECT_EQ(spells.dropped, c.dropped) << "every drop is in a log line, once";
    const Stored s = stored(*log);
    ASSERT_EQ(static_cast<int64_t>(s.objects.size()), c.queued + spells.lines);
    EXPECT_EQ(s.verbs.back(), "failed") << "the fact is in the log (a kiosk error), after what was taken";
    EXPECT_EQ(std::count(s.verbs.begin(), s.verbs.end(), "failed"), spells.lines);

    // Written off once: not counted again as lost at the next start.
    w->reset();
    auto again = UsageWriter::start(*log);
    ASSERT_TRUE(again);
    EXPECT_EQ((*again)->lost_at_start(), 0);
}

// The rule: an event acknowledged to the UI is, after a restart,
// either in the database or counted in a log line (lost_events, or
// queue_full when the queue was full), never both, never neither, and
// counted once. The child lets `first` events through, then holds the
// database locked while it queues the rest and kills itself: exactly the
// first are written and all the rest are lost, however fast the machine.
void killed_child_is_accounted_for(const std::filesystem::path& db, const std::filesystem::path& dir, int n,
                                   int max_queue, int first) {
    const int status = test::run({LASR_USAGE_WRITER_KILL_CHILD, db.string(), std::to_string(n),
                                  std::to_string(max_queue), std::to_string(first)},
                                 dir / "child.log");
    ASSERT_EQ(status, 128 + 9) << test::read_file(dir / "child.log");

    auto l = UsageLog::open(db);
    ASSERT_TRUE(l) << l.error().describe();
    auto w = UsageWriter::start(**l);
    ASSERT_TRUE(w) << w.error().describe();
    const int64_t lost = (*w)->lost_at_start();
    const Stored s = stored(**l);
    std::vector<int> written;
    for (const auto& o : s.objects)
        if (o.starts_with("r-")) written.push_back(std::stoi(o.substr(2)));  // not the kiosk's queue_full errors
    const std::string child_log = test::read_file(dir / "child.log");
    EXPECT_EQ(child_log.find("queue_full dropped="), std::string::npos)
        << "the lock kept the writer from writing the drop off:\n"
        << child_log;
    ASSERT_EQ(static_cast<int>(written.size()), first) << "exactly the events let through before the lock";
    for (int i = 0; i < first; ++i) ASSERT_EQ(written[static_cast<size_t>(i)], i) << "in the order queued";
    EXPECT_EQ(lost, n - first) << "everything queued after the lock, taken or dropped, counted lost";
    EXPECT_TRUE(logged("lost_events=" + std::to_string(lost)));

    // Counted once: the next start finds nothing more lost, and the tickets
    // go on from where the count left off.
    (*w)->record(UsageEvent(EventKind::course_opened, "c1"));
    w->reset();
    auto third = UsageWriter::start(**l);
    ASSERT_TRUE(third);
    EXPECT_EQ((*third)->lost_at_start(), 0);
    EXPECT_EQ(stored(**l).objects.size(), s.objects.size() + 1);
}

TEST_F(UsageWriterTest, EventsTakenButNotWrittenBeforeASigkillAreCountedOnceAsLost) {
    log.reset();  // the child has the database to itself
    killed_child_is_accounted_for(db(), dir.path(), 8000, 10000, 3000);  // under the queue's bound: nothing dropped
}

// The same when most of them were dropped by a full queue that the kill
// kept from being written off: they count as lost too.
TEST_F(UsageWriterTest, EventsDroppedByAFullQueueBeforeASigkillAreCountedAsLost) {
    log.reset();
    killed_child_is_accounted_for(db(), dir.path(), 8000, 500, 300);  // the first 300 fit the queue
}

// A disk that takes no write when the kiosk starts (full: here a file size
// limit of one byte stands in for it, in a child process) does not stop the
// writer: it starts, the refused event is counted as failed, and once there
// is room again the next event is written.
TEST_F(UsageWriterTest, ADiskThatTakesNoWriteAtStartStillStartsTheWriter) {
    log.reset();  // the child opens its own connection (none may cross a fork)
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        auto l = UsageLog::open(db());
        if (!l) ::_exit(10);
        ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead
        rlimit lim{1, RLIM_INFINITY};
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(11);
        auto w = UsageWriter::start(**l);
        if (!w) ::_exit(12);  // the writer refused to start
        (*w)->record(UsageEvent(EventKind::course_opened, "c-no-room"));
        if (!(*w)->flush()) ::_exit(13);
        if ((*w)->counts().failed != 1 || (*w)->counts().committed != 0) ::_exit(14);
        lim.rlim_cur = RLIM_INFINITY;  // room again
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(11);
        (*w)->record(UsageEvent(EventKind::course_opened, "c-room"));
        if (!(*w)->flush()) ::_exit(13);
        if ((*w)->counts().committed != 1) ::_exit(15);
        w->reset();
        l->reset();
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "the child died: status " << status;
    // 12: start failed; 14: the refused event was not counted as failed; 15:
    // the event after the room came back was not written.
    ASSERT_EQ(WEXITSTATUS(status), 0);
    auto l = UsageLog::open(db());
    ASSERT_TRUE(l) << l.error().describe();
    EXPECT_EQ(stored(**l).objects, std::vector<std::string>{"c-room"});
}

// A database that no writer ever stamped (replaced, or made anew) is not
// compared with an old ticket file: nothing is claimed lost.
TEST_F(UsageWriterTest, ANewDatabaseIsNotChargedWithTheOldFilesCount) {
    {
        auto w = UsageWriter::start(*log);
        ASSERT_TRUE(w);
        for (int i = 0; i < 30; ++i) (*w)->record(UsageEvent(EventKind::course_opened, "c1"));
    }
    log.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db().string() + suffix);
    auto l = UsageLog::open(db());
    ASSERT_TRUE(l);
    auto w = UsageWriter::start(**l);
    ASSERT_TRUE(w);
    EXPECT_EQ((*w)->lost_at_start(), 0);
    (*w)->record(UsageEvent(EventKind::course_opened, "c2"));
    ASSERT_TRUE((*w)->flush());
    auto t = (**l).committed_ticket();
    ASSERT_TRUE(t && t->has_value());
    EXPECT_EQ(**t, 31) << "tickets count on from the file's";
}

}  // namespace
}  // namespace lasr
