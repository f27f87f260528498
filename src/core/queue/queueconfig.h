#pragma once

#include <functional>
#include <memory>

#include <QHash>
#include <QList>
#include <QString>

#include "queue/retrypolicy.h"
#include "util/threadpriority.h"

namespace spool {

class AdmissionPolicy;
class Clock;

struct QueueConfig
{
    int workers = 2; // jobs this process runs at once; 0: observe only
    QHash<QString, int> kindCaps; // at most N jobs of a kind at once
    int hostCap = 2; // at most N jobs at once per network host (for kinds that name one); 0: none
    WorkerPriority priority = WorkerPriority::Low;
    qint64 leaseMs = 30000; // a runner that stops renewing loses its jobs after this long
    qint64 heartbeatMs = 1000; // lease renewal and persisted progress
    qint64 recoverEveryMs = 2000; // how often to look for jobs of dead runners
    int progressHz = 30; // coalesced progress updates per second per job
    RetryPolicy retry;
    QString workRoot; // parent of the jobs' work directories
    Clock *clock = nullptr; // nullptr: the system clock
    std::function<double()> random; // uniform [0,1) for jitter; empty: a real RNG
    // Monotonic milliseconds that pace the delivery of events; empty: a steady clock.
    std::function<qint64()> steadyMs;
    // Jobs a slot claims at once; 0: as many as fit in about 2 ms of their recent run time
    // (tests fix it: a run time measured on a busy machine is not theirs to decide).
    int batchJobs = 0;
    // A runner that exits once the queue is empty (`spoolctl run --until-empty`): while nothing
    // runs here, it reads the counts soon after any change, not up to 200 ms later.
    bool exitsWhenEmpty = false;
    QList<std::shared_ptr<AdmissionPolicy>> extraPolicies;
};

} // namespace spool
