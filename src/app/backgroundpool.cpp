#include "backgroundpool.h"

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

} // namespace spool::app
