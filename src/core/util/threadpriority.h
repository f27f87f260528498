#pragma once

#include <QString>

namespace spool {

// How worker threads run relative to the GUI thread. On Linux QThread::LowPriority is a no-op
// (SCHED_OTHER has a single static priority), so Spool lowers each worker thread itself.
enum class WorkerPriority {
    Invalid = 0,
    Normal, // same as the process
    Low, // nice raised by 10 over the thread that starts the queue
    Idle, // SCHED_IDLE: runs only when nothing else wants the CPU
};

QString workerPriorityName(WorkerPriority priority);
WorkerPriority workerPriorityFromName(const QString &name);

namespace threadpriority {

// The calling thread's kernel id (the tid in /proc/self/task/<tid>).
qint64 currentThreadId();
// The calling thread's nice value.
int currentNice();

// Lowers the calling thread: `baseNice` is the nice of the thread the worker must yield to.
// Returns false (with a reason) if the OS refused.
bool applyToCurrentThread(WorkerPriority priority, int baseNice, QString *error = nullptr);

struct ThreadSchedInfo
{
    int nice = 0;
    int policy = 0; // SCHED_OTHER = 0, SCHED_IDLE = 5
    bool valid = false;
};
// Reads /proc/self/task/<tid>/stat, the way `ps` and `top` see the thread.
ThreadSchedInfo readProcStat(qint64 tid);

} // namespace threadpriority
} // namespace spool
