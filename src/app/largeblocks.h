#pragma once

namespace spool::app {

// From now on every block of 256 KiB or more gets a mapping of its own. The arrays that grow with
// the table (the view's header sections, the filter's row mapping) then grow by moving their
// pages instead of copying into memory never touched before. Call once, before the window.
void mapLargeBlocksApart();

} // namespace spool::app
