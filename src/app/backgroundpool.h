#pragma once

class QThreadPool;

namespace spool::app {

// For the window's own slow reads (a model's cameras, a preview image), so that the GUI thread
// never waits on them. Not Qt's global pool: Qt 6.4's raster paint engine spreads large fills
// over that one and waits for them, so a long read there would stall painting.
QThreadPool *backgroundPool();

} // namespace spool::app
