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
    // 2 MiB, not less: the 1 MiB buffers that downloads hash and renders preview in, allocated
    // again and again, stay in the heap instead of being mapped and unmapped each time.
    mallopt(M_MMAP_THRESHOLD, 2 << 20);
    // Fixing one threshold also fixes the other, at 128 KiB: twice the first, as glibc keeps them,
    // so that a freed block at the heap's top does not give its pages back only to fault them in
    // again at the next allocation.
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
#endif
}

} // namespace spool::app
