// The child of the UsageWriterTest SIGKILL tests
// (tests/usage/usage_writer_test.cpp).
//
//   usage_writer_kill_child DB_PATH COUNT MAX_QUEUE WRITTEN_FIRST
//
// Starts a usage writer on the log at DB_PATH and queues COUNT resource-viewed
// events (objects r-0, r-1, ...) as fast as the UI thread could. The first
// WRITTEN_FIRST are let through to the database (flush); then a second
// connection holds the database's write lock, the rest are queued, and the
// child kills itself with SIGKILL 20 ms later. The writer is then provably
// part-way: it has taken events it cannot commit (it waits on the lock, whose
// busy timeout is 2 s), and with a small MAX_QUEUE it has dropped the rest
// without having been able to write the drop off. Which events reach the
// database does not depend on how fast the machine is.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "kiosk/db/sqlite.hpp"
#include "kiosk/usage/usage_writer.hpp"

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: usage_writer_kill_child DB_PATH COUNT MAX_QUEUE WRITTEN_FIRST\n");
        return 2;
    }
    auto log = lasr::UsageLog::open(argv[1]);
    if (!log) {
        std::fprintf(stderr, "%s\n", log.error().describe().c_str());
        return 2;
    }
    lasr::UsageWriterOptions options;
    options.max_queue = static_cast<size_t>(std::strtoul(argv[3], nullptr, 10));
    auto writer = lasr::UsageWriter::start(**log, options);
    if (!writer) {
        std::fprintf(stderr, "%s\n", writer.error().describe().c_str());
        return 2;
    }
    const long n = std::strtol(argv[2], nullptr, 10);
    const long first = std::strtol(argv[4], nullptr, 10);
    auto record = [&](long i) {
        (*writer)->record(lasr::UsageEvent(lasr::EventKind::resource_viewed, "r-" + std::to_string(i)));
    };
    for (long i = 0; i < first; ++i) record(i);
    if (!(*writer)->flush()) {
        std::fprintf(stderr, "the first %ld events were not written within 10 s\n", first);
        return 2;
    }
    auto lock = lasr::sqlite::Database::open(argv[1], lasr::sqlite::Database::Mode::read_write);
    if (!lock) {
        std::fprintf(stderr, "%s\n", lock.error().describe().c_str());
        return 2;
    }
    if (auto st = lock->exec("BEGIN IMMEDIATE", "hold the write lock"); !st) {
        std::fprintf(stderr, "%s\n", st.error().describe().c_str());
        return 2;
    }
    for (long i = first; i < n; ++i) record(i);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::raise(SIGKILL);
    return 3;  // not reached
}
