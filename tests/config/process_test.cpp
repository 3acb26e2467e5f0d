// tune_malloc, in a process of its own (arenas, once made, stay): threads
// that allocate at the same time share at most two pools, and frame-sized
// blocks stay mmap'd however large a block was freed before.
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
    lasr::tune_malloc();
    busy_threads(16);
    EXPECT_LE(arenas(), 2);
    EXPECT_GE(arenas(), 1);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kGlibcMalloc = false;  // ASan's allocator ignores mallopt
#else
constexpr bool kGlibcMalloc = true;
#endif

// Blocks glibc currently serves with mmap.
size_t mmapped_blocks() { return mallinfo2().hblks; }

TEST(Process, FrameSizedBlocksStayMmappedAfterALargerOneIsFreed) {
    if (!kGlibcMalloc) GTEST_SKIP() << "not glibc's allocator";
    if (std::getenv("MALLOC_MMAP_THRESHOLD_")) GTEST_SKIP() << "MALLOC_MMAP_THRESHOLD_ is set in the environment";
    lasr::tune_malloc();
    // glibc's default would now raise its threshold to 8 MiB and serve the
    // next 2 MiB frame from the arena, where it fragments.
    void* big = std::malloc(8u << 20);
    ASSERT_NE(big, nullptr);
    std::free(big);
    const size_t before = mmapped_blocks();
    void* frame = std::malloc(2u << 20);
    ASSERT_NE(frame, nullptr);
    EXPECT_EQ(mmapped_blocks(), before + 1) << "a 2 MiB block came from the arena";
    // Below the threshold, blocks come from the arena as usual.
    void* small = std::malloc(lasr::kMallocMmapThreshold / 2);
    ASSERT_NE(small, nullptr);
    EXPECT_EQ(mmapped_blocks(), before + 1) << "a 512 KiB block was mmap'd";
    std::free(small);
    std::free(frame);
    EXPECT_EQ(mmapped_blocks(), before);
}

}  // namespace

namespace {

TEST(Process, MemoryStatsTellBlocksInUseFromFreedOnesMallocKeeps) {
    const lasr::MemoryStats m0 = lasr::memory_stats();
    EXPECT_GT(m0.rss, 1 << 20);
    const std::string fields = lasr::memory_fields(m0);
    EXPECT_NE(fields.find("rss_mb="), std::string::npos) << fields;
    EXPECT_NE(fields.find("malloc_in_use_mb="), std::string::npos) << fields;
    EXPECT_NE(fields.find("malloc_free_mb="), std::string::npos) << fields;
    if (!kGlibcMalloc) GTEST_SKIP() << "not glibc's allocator";
    // 2 MB of small blocks, touched, then every other one freed: the holes
    // cannot go back to the system, so malloc keeps them as free memory.
    std::vector<char*> blocks;
    for (int i = 0; i < 10000; ++i) {
        blocks.push_back(static_cast<char*>(std::malloc(200)));
        blocks.back()[0] = static_cast<char>(i);
    }
    const lasr::MemoryStats m1 = lasr::memory_stats();
    EXPECT_GE(m1.in_use - m0.in_use, 2000000);
    EXPECT_GE(m1.rss, m0.rss);
    for (size_t i = 0; i < blocks.size(); i += 2) std::free(blocks[i]);
    const lasr::MemoryStats m2 = lasr::memory_stats();
    EXPECT_LE(m2.in_use, m1.in_use - 900000);
    EXPECT_GE(m2.free_in_arenas, m1.free_in_arenas + 900000);
    for (size_t i = 1; i < blocks.size(); i += 2) std::free(blocks[i]);
    if (std::getenv("MALLOC_MMAP_THRESHOLD_")) return;
    // A block above the mmap threshold is counted as in use and mmap'd.
    void* big = std::malloc(4u << 20);
    ASSERT_NE(big, nullptr);
    const lasr::MemoryStats m3 = lasr::memory_stats();
    EXPECT_GE(m3.mmapped - m2.mmapped, 4 << 20);
    EXPECT_GE(m3.in_use - m2.in_use, 2 << 20);  // less the ~1 MB of small blocks freed meanwhile
    std::free(big);
}

}  // namespace
