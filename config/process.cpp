#include "config/process.hpp"

#include <malloc.h>

#include <cstdlib>

namespace lasr {

void limit_malloc_arenas() {
    if (std::getenv("MALLOC_ARENA_MAX")) return;  // glibc has read it already
    mallopt(M_ARENA_MAX, 2);
}

}  // namespace lasr
