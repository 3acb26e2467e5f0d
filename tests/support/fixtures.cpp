#include "tests/support/fixtures.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

extern char** environ;

namespace lasr::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/lasr-test-XXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    if (!made) throw std::runtime_error("mkdtemp failed");
    path_ = made;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

int spawn(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    std::string logpath = log.empty() ? "/dev/null" : log.string();
    posix_spawn_file_actions_addopen(&fa, 1, logpath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

int run(const std::vector<std::string>& argv, const fs::path& log) {
    pid_t pid = spawn(argv, log);
    if (pid < 0) return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

Ran run_output(const std::vector<std::string>& argv, const fs::path& log) {
    Ran r;
    r.status = run(argv, log);
    r.out = read_file(log);
    return r;
}

double process_cpu_s(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s;
    std::getline(f, s);
    auto close = s.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return -1;
    std::istringstream rest(s.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i)  // fields 14 and 15: utime, stime
        if (i == 14 || i == 15) ticks += std::stod(field);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double process_rss_mb(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return -1;
}

bool make_video(const fs::path& out, const VideoSpec& s) {
    fs::create_directories(out.parent_path());
    std::ostringstream size;
    size << s.width << "x" << s.height;
    std::string vf = "testsrc2=size=" + size.str() + ":rate=25:duration=" + std::to_string(s.seconds);
    if (!s.text.empty())
        vf += ",drawtext=text='" + s.text + "':fontcolor=white:fontsize=24:x=10:y=10:box=1:boxcolor=black";
    std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", vf};
    if (s.audio) {
        argv.insert(argv.end(), {"-f", "lavfi", "-i", "sine=frequency=440:duration=" + std::to_string(s.seconds),
                                 "-c:a", "aac", "-b:a", "64k"});
    }
    argv.insert(argv.end(), {"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25"});
    if (s.faststart) argv.insert(argv.end(), {"-movflags", "+faststart"});
    argv.push_back(out.string());
    fs::path log = out.string() + ".ffmpeg.log";
    int rc = run(argv, log);
    if (rc != 0) {
        ADD_FAILURE() << "ffmpeg failed (" << rc << ") making " << out << ": " << read_file(log);
        return false;
    }
    fs::remove(log);
    return true;
}

void write_file(const fs::path& p, const std::string& bytes) {
    if (p.has_parent_path()) fs::create_directories(p.parent_path());
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << bytes;
}

std::string read_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void truncate_copy(const fs::path& in, const fs::path& out, uint64_t keep) {
    std::string all = read_file(in);
    write_file(out, all.substr(0, std::min<uint64_t>(keep, all.size())));
}

}  // namespace lasr::test
