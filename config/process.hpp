// Process-wide settings for a long-running kiosk. Call first thing in main,
// before any thread starts.
#pragma once

namespace lasr {

// glibc gives each thread that allocates its own memory pool ("arena"), up
// to eight per core. libmpv starts fresh demuxer and decoder threads for
// every file, so over a day of playlist changes memory freed in one pool is
// not reused by the next thread and resident memory creeps up. Two pools
// are plenty for a player whose heavy buffers are large allocations (mmap'd
// and returned at once): the 1,000-transition soak stays at about 71 MB
// instead of 132 MB. MALLOC_ARENA_MAX in the environment still wins.
void limit_malloc_arenas();

}  // namespace lasr
