// Process-wide settings for a long-running kiosk. Call first thing in main,
// before any thread starts.
#pragma once

#include <string>

namespace lasr {

// Two glibc malloc settings for a player that runs for weeks.
//
// Arenas: glibc gives each thread that allocates its own memory pool, up to
// eight per core. libmpv starts fresh demuxer and decoder threads for every
// file, so over a day of playlist changes memory freed in one pool is not
// reused by the next thread and resident memory creeps up. Two pools are
// plenty: the 1,000-transition soak stays at about 71 MB instead of 132 MB.
//
// mmap threshold: glibc serves blocks above a threshold (128 KiB at start)
// with mmap and gives them back on free, but it raises the threshold to the
// size of the largest such block freed. A 1080p decoder's frame pool is made
// of multi-megabyte blocks, so after the first file's frames are freed later
// pools are carved out of the arena and stay there. A fixed 1 MiB threshold
// keeps frame buffers mmap'd and returned whole: the kiosk soak (1080p demo,
// patron sessions) sits 25-30 MB lower (220-232 MB against 248-257 MB) at
// the same CPU and UI frame times. It did not change the soak's slow
// growth (4.7 MB/h over an hour, against 3.5 before), which is elsewhere.
//
// MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_ or GLIBC_TUNABLES in the
// environment still win (glibc has read them already).
void tune_malloc();

// The fixed mmap threshold tune_malloc sets, in bytes.
inline constexpr int kMallocMmapThreshold = 1 << 20;

// This process's memory as the kernel and glibc's malloc see it, in bytes
// (-1 where unknown). Telling a leak from fragmentation over days: a leak
// raises `in_use`; fragmentation raises `free_in_arenas` (memory malloc holds
// but cannot give back) while `in_use` stays level.
struct MemoryStats {
    long long rss = -1;             // resident (VmRSS)
    long long in_use = -1;          // malloc'd and not freed, arenas + mmap'd blocks
    long long free_in_arenas = -1;  // freed but still held by malloc's arenas
    long long mmapped = -1;         // of in_use, the blocks served by mmap
    long long arenas = -1;          // bytes the arenas took from the system
};

// Reads /proc/self/status and mallinfo2(). mallinfo2 locks each arena in
// turn and walks its free lists (0.11-0.15 ms in the kiosk soak, measured
// on 12-08): call it every few minutes, not every frame.
MemoryStats memory_stats();

// VmRSS alone, in bytes (-1 where unknown): no malloc statistics.
long long resident_bytes();

// One log line's fields: "rss_mb=... malloc_in_use_mb=... ...".
std::string memory_fields(const MemoryStats& m);

}  // namespace lasr
