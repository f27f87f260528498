#pragma once

#include <map>
#include <mutex>
#include <set>
#include <vector>

#include <QHash>

#include "job/jobtransitions.h"
#include "store/jobstore.h"

namespace spool {

// A store that lives and dies with the process: for tests, benchmarks of the dispatch path and
// throwaway queues. Same semantics as the SQLite store (the lifecycle rules are shared). Not
// final: tests derive from it to make a request fail on demand.
class MemoryJobStore : public JobStore
{
public:
    MemoryJobStore() = default;
    Q_DISABLE_COPY_MOVE(MemoryJobStore)

    QString location() const override { return QStringLiteral("memory"); }
    Result<QList<JobRecord>> enqueue(const QList<NewJob> &jobs, qint64 nowMs) override;
    Result<ClaimResult> claim(const ClaimRequest &request) override;
    Result<QList<LeaseStatus>> heartbeat(
        const QList<Heartbeat> &beats, qint64 nowMs, qint64 leaseMs) override;
    Result<QList<FinishResult>> finish(const QList<Completion> &completions, qint64 nowMs) override;
    Result<QList<JobRecord>> recoverAbandoned(qint64 nowMs) override;
    Result<QList<Result<CommandResult>>> commandMany(
        const QList<QUuid> &ids, JobCommand command, qint64 nowMs) override;
    Result<QList<JobRecord>> query(const JobQuery &query) override;
    Result<QList<QUuid>> findIds(const QString &prefix, int limit) override;
    Result<QList<JobEvent>> events(const QUuid &id) override;
    Result<QueueCounts> counts() override;
    Result<ImportResult> importJobs(const QList<ExportedJob> &jobs, qint64 nowMs) override;
    Result<void> reportRunner(const RunnerInfo &runner) override;
    Result<void> forgetRunner(const QString &owner) override;
    Result<QList<RunnerInfo>> runners() override;
    Result<bool> queuePaused() override;
    Result<void> setQueuePaused(bool paused, qint64 nowMs) override;
    Result<ChangeSet> changesSince(qint64 rev) override;
    Result<qint64> currentRev() override;
    void setExternalChangeListener(std::function<void()> listener) override;

private:
    // A job and its timeline, kept together.
    struct Entry
    {
        JobRecord record;
        QList<JobEvent> events; // without the derived ones
        int derived = transitions::DerivedAll;
    };

    Entry *findLocked(const QUuid &id);
    Result<CommandResult> commandLocked(const QUuid &id, JobCommand command, qint64 nowMs);
    JobRecord saveLocked(Entry &entry, qint64 oldSeq, JobState oldState);
    void countLocked(JobState state, int delta);
    void removeLocked(const QUuid &id);
    static void addEvents(Entry &entry, const QList<JobEvent> &events);

    std::mutex m_mutex;
    std::map<qint64, Entry> m_jobsBySeq; // FIFO order; nodes never move, so pointers stay valid
    QHash<QUuid, Entry *> m_byId;
    std::set<qint64> m_queuedSeqs;
    std::set<qint64> m_runningSeqs;
    std::vector<std::pair<qint64, QUuid>> m_removed; // (rev, id), oldest first
    qint64 m_removedFloorRev = 0;
    qint64 m_rev = 0;
    qint64 m_lastSeq = 0;
    bool m_queuePaused = false;
    QHash<QString, RunnerInfo> m_runners;
    QueueCounts m_counts; // kept up to date: counting 100,000 jobs on every change would not do
};

} // namespace spool
