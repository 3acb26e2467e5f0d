// SIGKILL in the middle of a stream of commits: the database must come back
// intact, with every play the child reported as committed, and plays the
// child never ended reported as open.
//
// The child (usage_kill_child) reports each committed event on a pipe; the
// test kills it once it has read N reports, keeps every report that was
// already in the pipe, then reopens the database and compares it with what
// the child said. The child may have committed one more event than it
// reported (killed between the commit and the write), and the checks allow
// exactly that much.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "kiosk/usage/usage_log.hpp"
#include "tests/support/fixtures.hpp"

extern char** environ;

namespace lasr {
namespace {

using test::TempDir;

struct Expected {
    std::string video, course;
    double duration = 0;
    std::string plan;         // completed, stopped, failed, open
    double last_progress = 0;  // the last reported progress (0 if none)
    std::optional<std::string> ended;
    double end_pos = 0;        // as passed; stored clamped to the duration
    int round = 0;
};

struct Model {
    std::map<int64_t, Expected> plays;
    int64_t events = 0;
};

struct RoundResult {
    int64_t reported = 0;   // events read from the pipe, in all
    int64_t last_play = 0;  // the last play id the child reported starting
};

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
}

void apply(Model& m, RoundResult& r, int round, const std::string& line) {
    std::istringstream in(line);
    std::string kind;
    int64_t id = 0;
    in >> kind >> id;
    ASSERT_FALSE(in.fail()) << "bad report: " << line;
    if (kind == "S") {
        Expected e;
        in >> e.video >> e.course >> e.duration >> e.plan;
        ASSERT_FALSE(in.fail()) << "bad report: " << line;
        e.round = round;
        ASSERT_EQ(m.plays.count(id), 0u) << "play id handed out twice: " << id;
        m.plays[id] = e;
        r.last_play = id;
    } else if (kind == "P") {
        double pos = 0;
        in >> pos;
        ASSERT_EQ(m.plays.count(id), 1u) << line;
        m.plays[id].last_progress = pos;
    } else if (kind == "E") {
        std::string outcome;
        double pos = 0;
        in >> outcome >> pos;
        ASSERT_EQ(m.plays.count(id), 1u) << line;
        m.plays[id].ended = outcome;
        m.plays[id].end_pos = pos;
    } else {
        FAIL() << "bad report: " << line;
    }
    ++m.events;
    ++r.reported;
}

// Starts the child on `db`, kills it with SIGKILL once `kill_at` reports
// have arrived, and folds every report into the model.
RoundResult run_and_kill(const std::filesystem::path& db, const std::filesystem::path& errlog, int round,
                         int64_t kill_at, Model& m) {
    RoundResult r;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        ADD_FAILURE() << "pipe2: " << std::strerror(errno);
        return r;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);  // dup2 clears CLOEXEC
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, errlog.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::string exe = LASR_USAGE_KILL_CHILD;
    std::string dbs = db.string();
    std::string rounds = std::to_string(round);
    char* argv[] = {exe.data(), dbs.data(), rounds.data(), nullptr};
    pid_t pid = 0;
    int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        ADD_FAILURE() << "cannot start " << exe << ": " << std::strerror(rc);
        return r;
    }

    bool killed = false;
    std::string buf;
    char chunk[4096];
    const int64_t start_events = r.reported;
    for (;;) {
        pollfd p{fds[0], POLLIN, 0};
        int ready = ::poll(&p, 1, 20000);
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) {
            ADD_FAILURE() << "child silent for 20 s (round " << round << ")";
            ::kill(pid, SIGKILL);
            killed = true;
            break;
        }
        ssize_t n = ::read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // EOF: the child is gone and the pipe is drained
        buf.append(chunk, static_cast<size_t>(n));
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos) {
            apply(m, r, round, buf.substr(0, nl));
            buf.erase(0, nl + 1);
            if (!killed && r.reported - start_events >= kill_at) {
                ::kill(pid, SIGKILL);  // the rest of the chunk is still folded in below
                killed = true;
            }
        }
    }
    ::close(fds[0]);
    EXPECT_TRUE(buf.empty()) << "a torn report line: " << buf;  // writes < PIPE_BUF are atomic

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    EXPECT_TRUE(killed) << "the child ended by itself after " << r.reported << " events ("
                        << describe_status(status) << "): " << test::read_file(errlog);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << describe_status(status);
    EXPECT_GE(r.reported, kill_at);
    std::printf("usage_kill round=%d kill_at=%lld reported=%lld\n", round, static_cast<long long>(kill_at),
                static_cast<long long>(r.reported));
    return r;
}

std::optional<std::string> outcome_name(const std::optional<PlayOutcome>& o) {
    if (!o) return std::nullopt;
    return std::string(to_string(*o));
}

// Reopens the database after a kill and checks it against the model. Plays
// the child started but never reported (at most one per round) are absorbed
// into the model so later rounds can check them too.
void verify_after_kill(const std::filesystem::path& db, Model& m, const RoundResult& r, int round) {
    auto log = UsageLog::open(db);
    ASSERT_TRUE(log) << log.error().describe();
    auto integrity = (*log)->check_integrity();
    ASSERT_TRUE(integrity) << integrity.error().describe();

    auto rows = (*log)->plays(INT_MAX);
    ASSERT_TRUE(rows) << rows.error().describe();
    std::map<int64_t, PlayRow> by_id;
    for (auto& row : *rows) by_id[row.id] = row;

    // Every play the child reported is there, as reported.
    int64_t open = 0;
    for (const auto& [id, e] : m.plays) {
        auto it = by_id.find(id);
        ASSERT_NE(it, by_id.end()) << "reported play " << id << " (round " << e.round << ") is missing";
        const PlayRow& row = it->second;
        SCOPED_TRACE("play " + std::to_string(id) + " round " + std::to_string(e.round));
        EXPECT_EQ(row.video_id, e.video);
        EXPECT_EQ(row.course_id, e.course);
        EXPECT_EQ(row.duration_s, e.duration);
        EXPECT_EQ(row.started_minute.size(), 17u);
        if (e.ended) {
            EXPECT_EQ(outcome_name(row.outcome), e.ended);
            EXPECT_EQ(row.position_s, std::min(e.end_pos, e.duration));
        } else {
            // Not reported ended: open, unless this was the child's last play
            // and the kill fell between the end's commit and its report.
            const bool last = e.round == round && id == r.last_play;
            if (row.outcome) {
                EXPECT_TRUE(last && e.plan != "open" && outcome_name(row.outcome) == e.plan)
                    << "play ended without a report: " << *outcome_name(row.outcome);
            }
            EXPECT_GE(row.position_s, e.last_progress);
            EXPECT_LE(row.position_s, e.duration);
            if (!last) {
                EXPECT_EQ(row.position_s, e.last_progress);
            }
        }
        if (!row.outcome) ++open;
    }

    // From here on the child's last play is whatever the database says (a
    // commit it did not get to report is now part of the record).
    if (auto it = m.plays.find(r.last_play); it != m.plays.end() && !it->second.ended) {
        const PlayRow& row = by_id[r.last_play];
        if (row.outcome) {
            it->second.ended = outcome_name(row.outcome);
            it->second.end_pos = row.position_s;
        } else {
            it->second.last_progress = row.position_s;
        }
    }

    // At most one play the child did not report: the start it was killed
    // right after. It is newer than everything, and open at position 0.
    std::vector<int64_t> extra;
    for (const auto& [id, row] : by_id) {
        if (!m.plays.count(id)) extra.push_back(id);
    }
    ASSERT_LE(extra.size(), 1u) << "rows the child never reported";
    for (int64_t id : extra) {
        const PlayRow& row = by_id[id];
        EXPECT_GT(id, r.last_play);
        EXPECT_FALSE(row.outcome.has_value());
        EXPECT_EQ(row.position_s, 0.0);
        ++open;
        Expected e{row.video_id, row.course_id, row.duration_s, "open", 0, std::nullopt, 0, round};
        m.plays[id] = e;
    }

    // The summary agrees, and cut-off plays count as open.
    auto s = (*log)->summary();
    ASSERT_TRUE(s) << s.error().describe();
    EXPECT_EQ(s->plays, static_cast<int64_t>(by_id.size()));
    EXPECT_EQ(s->open, open);
    EXPECT_EQ(s->completed + s->stopped + s->failed + s->open, s->plays);
    // The child always leaves some plays open on purpose (plan "open").
    int64_t planned_open = 0;
    for (const auto& [id, e] : m.plays) planned_open += e.plan == "open" ? 1 : 0;
    EXPECT_GE(s->open, planned_open);

    std::printf("usage_kill round=%d rows=%zu open=%lld unreported_rows=%zu\n", round, by_id.size(),
                static_cast<long long>(s->open), extra.size());

    // Still writable, and ids are not reused.
    const int64_t max_id = by_id.empty() ? 0 : by_id.rbegin()->first;
    auto probe = (*log)->play_started("probe", "probe", 1.0);
    ASSERT_TRUE(probe) << probe.error().describe();
    EXPECT_GT(*probe, max_id);
    ASSERT_TRUE((*log)->play_ended(*probe, 1.0, PlayOutcome::completed));
    m.plays[*probe] = Expected{"probe", "probe", 1.0, "completed", 0, std::string("completed"), 1.0, round};
}

class UsageLogKill : public ::testing::TestWithParam<int64_t> {};

TEST_P(UsageLogKill, SigkillMidStreamLosesNothingCommitted) {
    TempDir dir;
    const auto db = dir / "var/lib/lasr-kiosk/usage.db";
    Model m;
    auto r = run_and_kill(db, dir / "child.log", 0, GetParam(), m);
    ASSERT_FALSE(HasFailure()) << test::read_file(dir / "child.log");
    verify_after_kill(db, m, r, 0);
}

// 10, 100 and 500 as asked; 1 (killed during or right after the first
// play); 1500 and 3000 cross SQLite's automatic checkpoint (1000 WAL pages),
// so some kills land while the WAL is being copied into the database.
INSTANTIATE_TEST_SUITE_P(KillPoints, UsageLogKill, ::testing::Values(1, 10, 100, 500, 1500, 3000),
                         [](const ::testing::TestParamInfo<int64_t>& p) {
                             return "after_" + std::to_string(p.param) + "_events";
                         });

// Kill, reopen, kill again on the same file: each child recovers the WAL the
// last one left behind, and everything from every round is still there.
TEST(UsageLogKillRepeated, FiveKillsOnOneFile) {
    TempDir dir;
    const auto db = dir / "usage.db";
    Model m;
    const int64_t kill_points[] = {37, 5, 250, 900, 64};
    int round = 0;
    for (int64_t at : kill_points) {
        SCOPED_TRACE("round " + std::to_string(round) + " kill after " + std::to_string(at));
        auto r = run_and_kill(db, dir / "child.log", round, at, m);
        ASSERT_FALSE(HasFailure()) << test::read_file(dir / "child.log");
        verify_after_kill(db, m, r, round);
        ASSERT_FALSE(HasFailure());
        ++round;
    }
}

}  // namespace
}  // namespace lasr
