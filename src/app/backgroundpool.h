#pragma once

#include <functional>

class QThreadPool;

namespace spool::app {

// For the window's own slow reads (a model's cameras, a preview image), so that the GUI thread
// never waits on them. Not Qt's global pool: Qt 6.4's raster paint engine spreads large fills
// over that one and waits for them, so a long read there would stall painting.
QThreadPool *backgroundPool();

// `fn` on the background pool, its result unwanted (memory to free). QThreadPool gives a task
// to a thread that is still running through a lock inside Qt, which ThreadSanitizer does not see
// (Qt is not instrumented): it reported the task reading what the GUI thread had just written for
// it as a race. The task is put on the pool while a mutex is held, and takes it before it starts.
// (QtConcurrent::run cannot be helped so: its task object is read before the function runs.)
void startInBackground(std::function<void()> fn);

} // namespace spool::app
