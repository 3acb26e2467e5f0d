// Running helper programs (ffmpeg, ffprobe) without a shell.
//
// posix_spawnp with an argv vector: nothing is ever parsed by /bin/sh, so
// titles and paths need no shell quoting. Safe to call from several threads
// at once (pipes are close-on-exec, so one child never holds another's pipe).
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>
#include <string>
#include <vector>

#include "config/result.hpp"

namespace lasr::ctl {

// Runs argv and waits. stdout and stderr go to `log` (appended; created if
// missing) or to /dev/null when `log` is empty. Returns the exit status:
// the program's exit code, or 128+N when it was killed by signal N. An error
// only when the program could not be started at all.
Result<int> run_process(const std::vector<std::string>& argv, const std::filesystem::path& log = {});

struct Captured {
    int status = -1;     // as run_process
    std::string output;  // everything the program wrote to stdout
};

// Runs argv and collects its stdout; stderr goes to `log` as above.
Result<Captured> run_capture(const std::vector<std::string>& argv, const std::filesystem::path& log = {});

// Runs argv and hands each line of its stdout to `on_line` as it comes
// (progress reports); stderr goes to `log` as above. Returns the exit status.
Result<int> run_lines(const std::vector<std::string>& argv, const std::function<void(std::string_view)>& on_line,
                      const std::filesystem::path& log = {});

// The program to run for `name` ("ffmpeg", "ffprobe"): $LASR_FFMPEG /
// $LASR_FFPROBE when set (for odd installs and for tests), else the name,
// looked up in $PATH.
std::string tool_path(const std::string& name);

// The last `max_lines` non-empty lines of a text file, joined with "; ",
// for error messages that quote a tool's log.
std::string tail_lines(const std::filesystem::path& file, size_t max_lines = 3);

}  // namespace lasr::ctl
