#include "threadpriority.h"

#include <cerrno>
#include <cstring>

#include <QFile>

#ifdef Q_OS_LINUX
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace spool {

QString workerPriorityName(WorkerPriority priority)
{
    switch (priority) {
    case WorkerPriority::Normal:
        return QStringLiteral("normal");
    case WorkerPriority::Low:
        return QStringLiteral("low");
    case WorkerPriority::Idle:
        return QStringLiteral("idle");
    case WorkerPriority::Invalid:
        break;
    }
    return QString();
}

WorkerPriority workerPriorityFromName(const QString &name)
{
    for (auto p : { WorkerPriority::Normal, WorkerPriority::Low, WorkerPriority::Idle }) {
        if (workerPriorityName(p) == name)
            return p;
    }
    return WorkerPriority::Invalid;
}

namespace threadpriority {

qint64 currentThreadId()
{
#ifdef Q_OS_LINUX
    return static_cast<qint64>(::syscall(SYS_gettid));
#else
    return 0;
#endif
}

int currentNice()
{
#ifdef Q_OS_LINUX
    errno = 0;
    // On Linux, PRIO_PROCESS with a thread id addresses that one thread.
    const int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(currentThreadId()));
    return errno == 0 ? nice : 0;
#else
    return 0;
#endif
}

bool applyToCurrentThread(WorkerPriority priority, int baseNice, QString *error)
{
#ifdef Q_OS_LINUX
    const auto tid = static_cast<id_t>(currentThreadId());
    int targetNice = baseNice;
    switch (priority) {
    case WorkerPriority::Normal:
        return true;
    case WorkerPriority::Low:
        targetNice = qMin(19, baseNice + 10);
        break;
    case WorkerPriority::Idle: {
        sched_param param {};
        param.sched_priority = 0;
        if (::sched_setscheduler(0, SCHED_IDLE, &param) != 0) {
            if (error)
                *error = QStringLiteral("cannot set SCHED_IDLE: %1")
                             .arg(QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        targetNice = 19;
        break;
    }
    case WorkerPriority::Invalid:
        if (error)
            *error = QStringLiteral("invalid worker priority");
        return false;
    }
    if (::setpriority(PRIO_PROCESS, tid, targetNice) != 0) {
        if (error)
            *error = QStringLiteral("cannot set nice %1: %2")
                         .arg(targetNice)
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    return true;
#else
    Q_UNUSED(priority)
    Q_UNUSED(baseNice)
    if (error)
        *error = QStringLiteral("worker priority is only implemented on Linux");
    return false;
#endif
}

ThreadSchedInfo readProcStat(qint64 tid)
{
    ThreadSchedInfo info;
    QFile file(QStringLiteral("/proc/self/task/%1/stat").arg(tid));
    if (!file.open(QIODevice::ReadOnly))
        return info;
    const QByteArray line = file.readAll();
    // Field 2 (comm) may contain spaces and parentheses: parse after the last ')'.
    const qsizetype close = line.lastIndexOf(')');
    if (close < 0)
        return info;
    const QList<QByteArray> fields = line.mid(close + 2).simplified().split(' ');
    // fields[0] is field 3 (state); nice is field 19, policy is field 41.
    constexpr int kNiceIndex = 19 - 3;
    constexpr int kPolicyIndex = 41 - 3;
    if (fields.size() <= kPolicyIndex)
        return info;
    info.nice = fields.at(kNiceIndex).toInt();
    info.policy = fields.at(kPolicyIndex).toInt();
    info.valid = true;
    return info;
}

} // namespace threadpriority
} // namespace spool
