#include "kiosk/training/command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace lasr {
namespace {

constexpr size_t kKeepOutput = 4096;

Error cannot_run(const std::vector<std::string>& argv, int err) {
    return make_error(Domain::system, Errc::unavailable,
                      "cannot run " + (argv.empty() ? std::string("(nothing)") : argv[0]) + ": " + std::strerror(err));
}

int decode(int wstatus) {
    if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
    return -1;
}

}  // namespace

std::string join_argv(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
    return s;
}

Result<CommandResult> run_command(const std::vector<std::string>& argv, double timeout_s, const std::atomic<bool>* cancel) {
    using clock = std::chrono::steady_clock;
    if (argv.empty() || argv[0].empty()) return make_error(Domain::system, Errc::invalid_argument, "empty command");
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return cannot_run(argv, errno);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);  // its own group: a timeout kills its children too
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    pid_t pid = 0;
    auto t0 = clock::now();
    int rc = ::posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        return cannot_run(argv, rc);
    }

    CommandResult out;
    auto deadline = t0 + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(timeout_s));
    clock::time_point killed_at{};
    bool reaped = false, eof = false;
    int wstatus = 0;
    while (!reaped) {
        if (!eof) {
            pollfd p{fds[0], POLLIN, 0};
            if (::poll(&p, 1, 20) > 0) {
                char buf[1024];
                ssize_t n = ::read(fds[0], buf, sizeof buf);
                if (n > 0) {
                    out.output.append(buf, static_cast<size_t>(n));
                    if (out.output.size() > 2 * kKeepOutput) out.output.erase(0, out.output.size() - kKeepOutput);
                } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                    eof = true;
                }
            }
        } else {
            ::usleep(10000);
        }
        pid_t w = ::waitpid(pid, &wstatus, WNOHANG);
        if (w == pid) reaped = true;
        else if (w < 0 && errno != EINTR) break;
        auto now = clock::now();
        bool stop = now >= deadline || (cancel && cancel->load());
        if (!reaped && stop && killed_at == clock::time_point{}) {
            out.timed_out = true;
            ::kill(-pid, SIGTERM);
            killed_at = now;
        } else if (!reaped && killed_at != clock::time_point{} && now - killed_at > std::chrono::seconds(1)) {
            ::kill(-pid, SIGKILL);
        }
    }
    // What it wrote just before exiting (a grandchild holding the pipe open
    // is not waited for).
    for (;;) {
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) break;
        char buf[1024];
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        out.output.append(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    if (out.output.size() > kKeepOutput) out.output.erase(0, out.output.size() - kKeepOutput);
    out.status = reaped ? decode(wstatus) : -1;
    out.seconds = std::chrono::duration<double>(clock::now() - t0).count();
    // glibc reports a program it could not exec as exit status 127.
    if (out.status == 127 && !out.timed_out) return cannot_run(argv, ENOENT);
    return out;
}

}  // namespace lasr
