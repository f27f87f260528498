#pragma once

namespace spool::app {

// From now on a block of more than 2 MiB that the heap cannot hold in free space it already has
// gets a mapping of its own. The arrays that grow with the table (the view's header sections,
// the filter's row mapping) then grow by moving their pages instead of being copied into memory
// never touched before. Call once, first thing in main().
void mapLargeBlocksApart();

} // namespace spool::app
