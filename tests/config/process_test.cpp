// limit_malloc_arenas, in a process of its own (arenas, once made, stay):
// threads that allocate at the same time share at most two pools.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "config/process.hpp"

namespace {

int arenas() {
    char* buf = nullptr;
    size_t len = 0;
    FILE* f = open_memstream(&buf, &len);
    malloc_info(0, f);
    std::fclose(f);
    std::string xml(buf, len);
    std::free(buf);
    int n = 0;
    for (size_t at = xml.find("<heap nr="); at != std::string::npos; at = xml.find("<heap nr=", at + 1)) ++n;
    return n;
}

void busy_threads(int count) {
    std::vector<std::thread> ts;
    for (int i = 0; i < count; ++i)
        ts.emplace_back([] {
            std::vector<void*> held;
            for (int k = 0; k < 2000; ++k) held.push_back(std::malloc(64 + k % 512));
            for (void* p : held) std::free(p);
        });
    for (auto& t : ts) t.join();
}

TEST(Process, ThreadsShareAtMostTwoMallocArenas) {
    if (std::getenv("MALLOC_ARENA_MAX")) GTEST_SKIP() << "MALLOC_ARENA_MAX is set in the environment";
    lasr::limit_malloc_arenas();
    busy_threads(16);
    EXPECT_LE(arenas(), 2);
    EXPECT_GE(arenas(), 1);
}

}  // namespace
