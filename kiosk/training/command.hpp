// Running a helper command (cec-ctl, xset) with a time limit, without a
// shell: posix_spawnp with an argv vector, in its own process group so a
// timeout kills whatever it started too. Blocking: call it from the
// background worker, never the UI thread.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "config/result.hpp"

namespace lasr {

struct CommandResult {
    int status = -1;         // the exit code, or 128+N when killed by signal N
    bool timed_out = false;  // killed because it ran past the limit (or was cancelled)
    std::string output;      // stdout and stderr together, the last 4 KiB
    double seconds = 0;      // how long it ran
};

// Runs argv, waiting at most timeout_s (then SIGTERM, and SIGKILL a second
// later), or until *cancel turns true. An error only when the program could
// not be started at all (missing, not executable).
Result<CommandResult> run_command(const std::vector<std::string>& argv, double timeout_s,
                                  const std::atomic<bool>* cancel = nullptr);

// "cec-ctl --to 0 --standby", for logs.
std::string join_argv(const std::vector<std::string>& argv);

}  // namespace lasr
