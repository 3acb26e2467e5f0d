// The child of UsageWriter.EventsTakenButNotWrittenBeforeASigkillAreCountedOnceAsLost
// (tests/usage/usage_writer_test.cpp).
//
//   usage_writer_kill_child DB_PATH COUNT [MAX_QUEUE]
//
// Starts a usage writer on the log at DB_PATH, queues COUNT resource-viewed
// events (objects r-0, r-1, ...) as fast as the UI thread could, waits 20 ms,
// and kills itself with SIGKILL: the writer is then part-way through them.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "kiosk/usage/usage_writer.hpp"

int main(int argc, char** argv) {
    if (argc != 3 && argc != 4) {
        std::fprintf(stderr, "usage: usage_writer_kill_child DB_PATH COUNT [MAX_QUEUE]\n");
        return 2;
    }
    auto log = lasr::UsageLog::open(argv[1]);
    if (!log) {
        std::fprintf(stderr, "%s\n", log.error().describe().c_str());
        return 2;
    }
    lasr::UsageWriterOptions options;
    if (argc == 4) options.max_queue = static_cast<size_t>(std::strtoul(argv[3], nullptr, 10));
    auto writer = lasr::UsageWriter::start(**log, options);
    if (!writer) {
        std::fprintf(stderr, "%s\n", writer.error().describe().c_str());
        return 2;
    }
    const long n = std::strtol(argv[2], nullptr, 10);
    for (long i = 0; i < n; ++i)
        (*writer)->record(lasr::UsageEvent(lasr::EventKind::resource_viewed, "r-" + std::to_string(i)));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::raise(SIGKILL);
    return 3;  // not reached
}
