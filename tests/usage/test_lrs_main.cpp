// lasr-test-lrs: the scripted xAPI LRS of the tests as a program, for
// deploy/central/fleet-demo.sh (built only with the tests; never shipped).
// Listens on 127.0.0.1 on a port the kernel picks, prints
// "lasr-test-lrs url=http://127.0.0.1:PORT/xapi/" on stdout, and serves
// until SIGTERM or SIGINT. Statements live in memory.
//
//   lasr-test-lrs [USER PASSWORD]     (default kiosk-7 s3cret)
#include <csignal>
#include <cstdio>
#include <string>

#include <unistd.h>

#include "tests/usage/test_lrs.hpp"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
    lasr::test::TestLrs::Options o;
    if (argc == 3) {
        o.user = argv[1];
        o.password = argv[2];
    } else if (argc != 1) {
        std::fprintf(stderr, "usage: lasr-test-lrs [USER PASSWORD]\n");
        return 2;
    }
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    lasr::test::TestLrs lrs(o);
    std::printf("lasr-test-lrs url=%s\n", lrs.base_url().c_str());
    std::fflush(stdout);
    while (!g_stop) pause();
    std::printf("lasr-test-lrs stored=%zu\n", lrs.count());
    return 0;
}
