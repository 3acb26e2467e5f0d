#include "config/process.hpp"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

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

}  // namespace lasr
