#include "backgroundpool.h"

#include <mutex>

#include <QThreadPool>

namespace spool::app {

QThreadPool *backgroundPool()
{
    static QThreadPool *pool = [] {
        auto *p = new QThreadPool; // lives as long as the process; threads expire when idle
        p->setMaxThreadCount(2);
        p->setObjectName(QStringLiteral("spool-gui-reads"));
        return p;
    }();
    return pool;
}

std::mutex &backgroundHandOver()
{
    static std::mutex handOver;
    return handOver;
}

void startInBackground(std::function<void()> fn)
{
    std::lock_guard handing(backgroundHandOver());
    backgroundPool()->start([fn = std::move(fn)] {
        {
            std::lock_guard taken(backgroundHandOver());
        }
        fn();
    });
}

} // namespace spool::app
