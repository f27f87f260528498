#pragma once

// Job kinds for tests: they record what the queue did to them, so a test can check it.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include <QElapsedTimer>
#include <QHash>
#include <QList>

#include "job/jobkindregistry.h"
#include "queue/jobqueue.h"
#include "util/threadpriority.h"

namespace spool::test {

class TestKit
{
public:
    // gate, gate2: run until the gate opens (or a stop request), reporting progress.
    // flaky: fails while unhealthy. onHost: talks to the network host `host`; with `busyForMs`,
    // fails as a server that says "retry after" that long, for every job of the host.
    // thrower: throws. spin: reports progress as fast as it can
    // for `ms`, or with `untilGate` until the gate opens and it has made `atLeast` updates. probe:
    // records its thread's scheduling as /proc shows it. lender: borrows up to 8 worker slots, runs
    // a helper thread per slot that gives its slot back when the queue needs it, and ends when the
    // gate opens. untilStopping: once the gate is open, runs until it is lent no idle slot, as when
    // its runner stops; so it needs many free slots beside it. litter: with the gate closed,
    // leaves files in its work root (leaveWorkFiles), then runs as gate does; with the gate open,
    // succeeds ("tidy") without asking for its work directory.
    void registerKinds(JobKindRegistry &registry);

    void openGate()
    {
        std::lock_guard lock(mutex);
        gateOpen = true;
    }
    void closeGate()
    {
        std::lock_guard lock(mutex);
        gateOpen = false;
    }
    void setHealthy(bool value) { healthy = value; }
    int maxConcurrent(const QString &kind)
    {
        std::lock_guard lock(mutex);
        return peak.value(kind);
    }
    qsizetype helperProbeCount()
    {
        std::lock_guard lock(mutex);
        return helperProbes.size();
    }
    int running(const QString &kind)
    {
        std::lock_guard lock(mutex);
        return concurrent.value(kind);
    }

    std::mutex mutex;
    bool gateOpen = false;
    QHash<QString, int> concurrent;
    QHash<QString, int> peak;
    QList<Progress> resumedFrom; // what each gate run saw as resumeProgress()
    QList<threadpriority::ThreadSchedInfo> probes;
    // lender: what it was lent, the scheduling of its helpers, how many gave their slot back.
    std::atomic<int> lent { -1 };
    std::atomic<int> helpersGaveBack { 0 };
    QList<threadpriority::ThreadSchedInfo> helperProbes;
    std::atomic<bool> healthy { false };
    std::atomic<int> runs { 0 };

private:
    JobResult gate(JobContext &context, const QString &kind);
};

// A file in the work directory `workDir` and a delivery note for it, as a job that stopped
// half-way leaves them; why not, or empty.
QString leaveWorkFiles(const QString &workDir);

// Collects what a JobQueue reports, on the test's thread.
class Recorder : public QObject
{
public:
    explicit Recorder(JobQueue *queue);

    JobState state(const QUuid &id) const { return latest.value(id).state; }
    JobRecord record(const QUuid &id) const { return latest.value(id); }
    int progressReports(const QUuid &id) const { return progressCount.value(id); }

    QList<QUuid> startOrder; // each time a job was seen starting
    QHash<QUuid, JobRecord> latest;
    QList<QUuid> removed;
    QList<QUuid> finished;
    QHash<QUuid, int> progressCount;
    QHash<QUuid, JobProgress> lastProgress;
    QStringList failures;
    QueueCounts counts;
    bool countsSeen = false;
    bool queuePaused = false;
};

} // namespace spool::test
