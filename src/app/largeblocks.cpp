#include "largeblocks.h"

#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

namespace spool::app {

void mapLargeBlocksApart()
{
#ifdef M_MMAP_THRESHOLD
    // glibc raises its threshold for mappings to the size of any mapped block freed (up to 32
    // MiB), so after the first large free the header's and the filter's arrays lived in the heap
    // and each doubling copied them: with 1,000,000 jobs loading, single turns of 17-29 ms, most
    // of it page faults. A fixed threshold keeps them mapped, and realloc() moves the pages.
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
}

} // namespace spool::app
