#include "tests/support/xvfb.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

extern char** environ;

namespace lasr::test {

std::optional<Xvfb> Xvfb::start(int width, int height) {
    int fds[2];
    if (::pipe(fds) != 0) return std::nullopt;
    std::vector<std::string> argv = {"Xvfb", "-displayfd", std::to_string(fds[1]), "-screen", "0",
                                     std::to_string(width) + "x" + std::to_string(height) + "x24", "-nolisten", "tcp"};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, "Xvfb", &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        return std::nullopt;
    }
    // Xvfb writes its display number once it is ready for clients.
    char num[32] = {0};
    pollfd p{fds[0], POLLIN, 0};
    const bool ready = ::poll(&p, 1, 10000) > 0 && ::read(fds[0], num, sizeof num - 1) > 0;
    ::close(fds[0]);
    if (!ready) {
        ::kill(pid, SIGTERM);
        ::waitpid(pid, nullptr, 0);
        return std::nullopt;
    }
    return Xvfb(pid, ":" + std::to_string(std::atoi(num)));
}

Xvfb::Xvfb(Xvfb&& other) noexcept : pid_(other.pid_), display_(std::move(other.display_)) { other.pid_ = -1; }

Xvfb::~Xvfb() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
}

}  // namespace lasr::test
