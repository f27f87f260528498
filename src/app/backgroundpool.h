#pragma once

#include <functional>
#include <mutex>
#include <utility>

#include <QtConcurrent>

class QThreadPool;

namespace spool::app {

// For the window's own slow reads (a model's cameras, a preview image), so that the GUI thread
// never waits on them. Not Qt's global pool: Qt 6.4's raster paint engine spreads large fills
// over that one and waits for them, so a long read there would stall painting.
QThreadPool *backgroundPool();

// QThreadPool gives a task to a thread that is still running through a lock inside Qt, which
// ThreadSanitizer does not see (Qt is not instrumented): it reported the task reading what the
// GUI thread had just written for it as a race. A task is therefore put on the pool while this
// mutex is held, and takes it once before it starts.
std::mutex &backgroundHandOver();

// `fn` on the background pool; its result in the future.
template<typename Fn>
auto runInBackground(Fn &&fn)
{
    std::lock_guard handing(backgroundHandOver());
    return QtConcurrent::run(backgroundPool(), [fn = std::forward<Fn>(fn)]() mutable {
        {
            std::lock_guard taken(backgroundHandOver());
        }
        return fn();
    });
}

// `fn` on the background pool, its result unwanted (memory to free).
void startInBackground(std::function<void()> fn);

} // namespace spool::app
