// Shared test fixtures: real temporary directories, real media made with
// ffmpeg, and running real programs. No mocks.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lasr::test {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

private:
    std::filesystem::path path_;
};

// Runs argv (no shell), returns the exit status (-1 if it could not run,
// 128+N when killed by signal N). Output goes to `log` when given.
int run(const std::vector<std::string>& argv, const std::filesystem::path& log = {});
// Runs argv with its output (stdout and stderr) in `log`, and returns the
// exit status with that output.
struct Ran {
    int status = -1;
    std::string out;
};
Ran run_output(const std::vector<std::string>& argv, const std::filesystem::path& log);
// Starts argv (no shell) without waiting; stdout and stderr go to `log`
// (appended) or /dev/null. Returns the pid, or -1.
int spawn(const std::vector<std::string>& argv, const std::filesystem::path& log = {});

// User + system CPU seconds of a live process, or -1 once it is gone.
double process_cpu_s(int pid);
// Its resident memory (VmRSS) in MB, or -1 once it is gone.
double process_rss_mb(int pid);

struct VideoSpec {
    double seconds = 2.0;
    int width = 320;
    int height = 180;
    bool audio = true;
    bool faststart = true;  // moov atom at the front (what a web-ready file has)
    std::string text;       // drawn on the picture when not empty
};

// Makes an H.264/AAC MP4 with ffmpeg; fails the test (ADD_FAILURE) on error.
bool make_video(const std::filesystem::path& out, const VideoSpec& spec = {});

// Writes bytes to a file, creating parent directories.
void write_file(const std::filesystem::path& p, const std::string& bytes);
std::string read_file(const std::filesystem::path& p);

// Copies the first `keep` bytes of `in` to `out` (a truncated download).
void truncate_copy(const std::filesystem::path& in, const std::filesystem::path& out, uint64_t keep);

}  // namespace lasr::test
