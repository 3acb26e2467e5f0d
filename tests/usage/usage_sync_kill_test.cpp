// SIGKILL the uploader at many points: while a request is in flight, after
// the endpoint stored a batch but before the answer, and at random moments
// (mid-commit, mid-delete, mid-event). Then let a fresh process finish the
// upload. Zero lost, zero duplicated at the endpoint:
//   - every statement the kiosk ever committed (sequence numbers 1..N, N
//     read back from the database) is at the endpoint exactly once, with the
//     bytes it was stored with;
//   - no sequence number is there under two ids (nothing re-made);
//   - the outbox and the dead-letter table are empty;
//   - N covers everything the children reported as committed.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "kiosk/db/sqlite.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/usage/test_lrs.hpp"

extern char** environ;

namespace lasr {
namespace {

using json = nlohmann::json;
using test::TempDir;
using test::TestLrs;

struct Child {
    pid_t pid = -1;
    int out = -1;
};

Child spawn_child(const std::filesystem::path& db, const std::string& url, int sessions,
                  const std::filesystem::path& errlog) {
    Child c;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return c;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, errlog.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::string exe = LASR_USAGE_SYNC_KILL_CHILD, dbs = db.string(), u = url, n = std::to_string(sessions);
    char* argv[] = {exe.data(), dbs.data(), u.data(), n.data(), nullptr};
    int rc = posix_spawn(&c.pid, exe.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        c.pid = -1;
        return c;
    }
    c.out = fds[0];
    return c;
}

// Reads the child's reports until EOF; returns the last "C n" (statements
// committed), killing it after `deadline_ms` if it is still running.
int64_t collect(Child& c, int deadline_ms, int* status) {
    int64_t last = 0;
    std::string buf;
    char chunk[4096];
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms);
    for (;;) {
        int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        until - std::chrono::steady_clock::now()).count());
        if (left <= 0) {
            ::kill(c.pid, SIGKILL);
            left = 5000;
        }
        pollfd p{c.out, POLLIN, 0};
        int ready = ::poll(&p, 1, std::min(left, 200));
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) continue;
        ssize_t n = ::read(c.out, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buf.append(chunk, static_cast<size_t>(n));
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos) {
            std::string line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            if (line.rfind("C ", 0) == 0) last = std::stoll(line.substr(2));
        }
    }
    ::close(c.out);
    while (::waitpid(c.pid, status, 0) < 0 && errno == EINTR) {
    }
    return last;
}

TEST(UsageSyncKill, SigkillTheUploaderAtManyPointsLosesAndDuplicatesNothing) {
    TempDir dir;
    const auto db = dir / "usage.db";
    const auto errlog = dir / "child.log";
    TestLrs lrs;
    const std::string url = lrs.base_url() + "statements";

    std::atomic<pid_t> victim{-1};
    std::atomic<int64_t> kill_on_received{-1}, kill_on_stored{-1};
    lrs.on_received = [&](int64_t n) {
        if (n == kill_on_received.load()) ::kill(victim.load(), SIGKILL);
    };
    lrs.on_stored = [&](int64_t n) {
        if (n == kill_on_stored.load()) ::kill(victim.load(), SIGKILL);
    };

    std::mt19937 rng(20261129);
    int kills = 0, in_flight = 0, after_store = 0, timed = 0;
    int64_t reported_total_floor = 0;
    for (int round = 0; round < 30; ++round) {
        const int kind = round % 3;
        const int64_t posts = lrs.stats().posts;
        kill_on_received = kind == 0 ? posts + 1 + static_cast<int64_t>(rng() % 8) : -1;
        kill_on_stored = kind == 1 ? posts + 1 + static_cast<int64_t>(rng() % 8) : -1;
        Child c = spawn_child(db, url, 6, errlog);
        ASSERT_GT(c.pid, 0) << "cannot start " << LASR_USAGE_SYNC_KILL_CHILD;
        victim = c.pid;
        int deadline = 10000;
        if (kind == 2) deadline = 5 + static_cast<int>(rng() % 120);  // a random moment
        int status = 0;
        int64_t reported = collect(c, deadline, &status);
        victim = -1;
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
            << "round " << round << ": the child was not killed (status " << status << "): "
            << test::read_file(errlog);
        ++kills;
        (kind == 0 ? in_flight : kind == 1 ? after_store : timed)++;
        reported_total_floor += reported;
    }
    kill_on_received = -1;
    kill_on_stored = -1;

    // A fresh process finishes the upload.
    Child last = spawn_child(db, url, 0, errlog);
    ASSERT_GT(last.pid, 0);
    int status = 0;
    collect(last, 60000, &status);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::read_file(errlog);

    // What the kiosk committed, from the database itself.
    auto d = sqlite::Database::open(db, sqlite::Database::Mode::read_only);
    ASSERT_TRUE(d);
    auto next = d->query_int64("SELECT value FROM meta WHERE key = 'next_seq'", "next seq");
    ASSERT_TRUE(next);
    const int64_t made = *next - 1;
    auto outbox = d->query_int64("SELECT count(*) FROM outbox", "outbox");
    auto dead = d->query_int64("SELECT count(*) FROM dead_letter", "dead");
    ASSERT_TRUE(outbox && dead);
    EXPECT_EQ(*outbox, 0);
    EXPECT_EQ(*dead, 0);
    EXPECT_GE(made, reported_total_floor) << "the children reported more than the database holds";

    auto got = lrs.statements();
    std::set<int64_t> seqs;
    for (const auto& [id, canon] : got) {
        json st = json::parse(canon);
        int64_t seq = st["context"]["extensions"]["https://lasr-kiosk.invalid/xapi/ext/seq"];
        EXPECT_TRUE(seqs.insert(seq).second) << "duplicated: sequence number " << seq << " under two ids";
    }
    EXPECT_EQ(static_cast<int64_t>(got.size()), made) << "lost: the endpoint has fewer than the kiosk made";
    EXPECT_EQ(seqs.size(), got.size());
    if (!seqs.empty()) {
        EXPECT_EQ(*seqs.begin(), 1);
        EXPECT_EQ(*seqs.rbegin(), made);
    }
    const auto st = lrs.stats();
    EXPECT_EQ(st.conflicts_409, 0) << "a resend's bytes changed";
    EXPECT_EQ(st.rejected_400, 0);
    EXPECT_GT(st.identical_resends, 0) << "some kill landed after a store: its batch came again";
    std::printf("usage_sync_kill kills=%d in_flight=%d after_store=%d random=%d statements=%lld posts=%lld "
                "identical_resends=%lld lost=%lld duplicated=%lld\n",
                kills, in_flight, after_store, timed, static_cast<long long>(made), static_cast<long long>(st.posts),
                static_cast<long long>(st.identical_resends), static_cast<long long>(made - static_cast<int64_t>(got.size())),
                static_cast<long long>(static_cast<int64_t>(got.size()) - static_cast<int64_t>(seqs.size())));
}

}  // namespace
}  // namespace lasr
