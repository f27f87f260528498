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

void startInBackground(std::function<void()> fn)
{
    static std::mutex handOver;
    std::lock_guard handing(handOver);
    backgroundPool()->start([fn = std::move(fn)] {
        {
            std::lock_guard taken(handOver);
        }
        fn();
    });
}

} // namespace spool::app
