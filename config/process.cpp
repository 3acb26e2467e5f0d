#include "config/process.hpp"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace lasr {

namespace {

bool tunable_set(const char* name) {
    const char* t = std::getenv("GLIBC_TUNABLES");
    return t && std::strstr(t, name);
}

}  // namespace

void tune_malloc() {
    if (!std::getenv("MALLOC_ARENA_MAX") && !tunable_set("malloc.arena_max")) mallopt(M_ARENA_MAX, 2);
    if (!std::getenv("MALLOC_MMAP_THRESHOLD_") && !tunable_set("malloc.mmap_threshold"))
        mallopt(M_MMAP_THRESHOLD, kMallocMmapThreshold);
}

long long resident_bytes() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6) * 1024;  // "VmRSS:   1234 kB"
    return -1;
}

MemoryStats memory_stats() {
    MemoryStats m;
    m.rss = resident_bytes();
    const struct mallinfo2 mi = mallinfo2();
    m.arenas = static_cast<long long>(mi.arena);
    m.mmapped = static_cast<long long>(mi.hblkhd);
    m.in_use = static_cast<long long>(mi.uordblks + mi.hblkhd);
    m.free_in_arenas = static_cast<long long>(mi.fordblks);
    return m;
}

std::string memory_fields(const MemoryStats& m) {
    auto mb = [](long long b) { return b < 0 ? -1.0 : static_cast<double>(b) / (1024.0 * 1024.0); };
    char b[192];
    std::snprintf(b, sizeof b, "rss_mb=%.1f malloc_in_use_mb=%.1f malloc_free_mb=%.1f malloc_mmap_mb=%.1f malloc_arenas_mb=%.1f",
                  mb(m.rss), mb(m.in_use), mb(m.free_in_arenas), mb(m.mmapped), mb(m.arenas));
    return b;
}

}  // namespace lasr
