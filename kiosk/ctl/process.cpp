#include "kiosk/ctl/process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>

extern char** environ;

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;

Error spawn_error(const std::vector<std::string>& argv, int err) {
    return make_error(Domain::system, Errc::unavailable,
                      "cannot run " + (argv.empty() ? std::string("(nothing)") : argv[0]) + ": " + std::strerror(err));
}

int wait_status(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

// Spawns argv with stdout on `out_fd` (or the log) and stderr on the log.
Result<pid_t> spawn(const std::vector<std::string>& argv, const fs::path& log, int out_fd, int close_fd) {
    if (argv.empty()) return make_error(Domain::system, Errc::invalid_argument, "empty command line");
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    const std::string logpath = log.empty() ? std::string("/dev/null") : log.string();
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, logpath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out_fd >= 0) {
        posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
        if (close_fd >= 0) posix_spawn_file_actions_addclose(&fa, close_fd);
    } else {
        posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
    }
    pid_t pid = 0;
    int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return spawn_error(argv, rc);
    return pid;
}

}  // namespace

Result<int> run_process(const std::vector<std::string>& argv, const fs::path& log) {
    auto pid = spawn(argv, log, -1, -1);
    if (!pid) return std::move(pid).error();
    int status = wait_status(*pid);
    // posix_spawnp reports a missing program through the child on glibc:
    // it exits with 127 before exec.
    if (status == 127) return spawn_error(argv, ENOENT);
    return status;
}

namespace {

// Runs argv, handing its stdout to `on_chunk` as it arrives.
Result<int> run_reading(const std::vector<std::string>& argv, const fs::path& log,
                        const std::function<void(std::string_view)>& on_chunk) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return spawn_error(argv, errno);
    auto pid = spawn(argv, log, fds[1], fds[0]);
    ::close(fds[1]);
    if (!pid) {
        ::close(fds[0]);
        return std::move(pid).error();
    }
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        on_chunk(std::string_view(buf, static_cast<size_t>(n)));
    }
    ::close(fds[0]);
    int status = wait_status(*pid);
    if (status == 127) return spawn_error(argv, ENOENT);
    return status;
}

}  // namespace

Result<Captured> run_capture(const std::vector<std::string>& argv, const fs::path& log) {
    Captured out;
    auto st = run_reading(argv, log, [&](std::string_view chunk) { out.output.append(chunk); });
    if (!st) return std::move(st).error();
    out.status = *st;
    return out;
}

Result<int> run_lines(const std::vector<std::string>& argv, const std::function<void(std::string_view)>& on_line,
                      const fs::path& log) {
    std::string pending;
    auto st = run_reading(argv, log, [&](std::string_view chunk) {
        pending.append(chunk);
        size_t start = 0;
        for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
            on_line(std::string_view(pending).substr(start, nl - start));
        pending.erase(0, start);
    });
    if (!pending.empty()) on_line(pending);
    return st;
}

std::string tool_path(const std::string& name) {
    std::string var = "LASR_";
    for (char c : name) var += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const char* v = std::getenv(var.c_str());
    return v && *v ? std::string(v) : name;
}

std::string tail_lines(const fs::path& file, size_t max_lines) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty()) lines.push_back(line);
    }
    std::string out;
    size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
    for (size_t i = first; i < lines.size(); ++i) {
        if (!out.empty()) out += "; ";
        out += lines[i];
    }
    return out;
}

}  // namespace lasr::ctl
