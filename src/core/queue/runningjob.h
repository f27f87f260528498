#pragma once

#include <atomic>
#include <condition_variable>
#include <limits>
#include <mutex>

#include <QStringList>

#include "job/job.h"
#include "job/jobrecord.h"
#include "job/workfiles.h"
#include "progress/progressrate.h"
#include "store/jobstore.h"

namespace spool {

// A claimed job while it runs: the JobContext its code sees, and the runner's handle on it.
class RunningJob final : public JobContext
{
public:
    // `files`: the runner's work root, outlives the job.
    RunningJob(JobRecord claimed, WorkFiles *files);
    Q_DISABLE_COPY_MOVE(RunningJob)

    // JobContext
    QUuid id() const override { return m_record.id; }
    const QJsonObject &params() const override { return m_record.params; }
    int attempt() const override { return m_record.attempts; }
    int maxAttempts() const override { return m_record.maxAttempts; }
    Progress resumeProgress() const override { return m_record.progress; }
    void setProgress(qint64 done, qint64 total) override;
    void setProgressUnit(const QString &unit) override;
    JobControl stopRequested() const override;
    bool sleepFor(qint64 ms) override;
    bool waitForChanges(qint64 ms) override;
    void log(const QString &line) override;
    QString workDir() const override;
    bool holdsLease() const override;
    int borrowWorkers(int wanted) override;
    void returnWorkers(int count) override;
    bool workersNeeded() const override;
    void enterHelperThread() override;
    void beginParkedWait() override;
    void endParkedWait() override;
    bool previewsShared() const override { return m_previewsShared; }
    void sharePreview(const QByteArray &image) override;
    FileShelf *fileShelf() const override { return m_fileShelf; }
    Result<JobState> stateOf(const QUuid &id) const override;

    // Runner side.
    void setWorkerBudget(WorkerBudget *budget) { m_budget = budget; }
    // Before the job starts: whether the store shows previews to other machines.
    void setPreviewsShared(bool shared) { m_previewsShared = shared; }
    void setFileShelf(FileShelf *shelf) { m_fileShelf = shelf; }
    void setStore(std::shared_ptr<JobStore> store) { m_store = std::move(store); }
    // The preview shared since the last call; empty when none.
    QByteArray takeSharedPreview();
    // Slots the job still holds after run() returned (a job that forgot): given back.
    int takeBorrowedWorkers() { return m_borrowed.exchange(0); }
    const JobRecord &record() const { return m_record; }
    // The first stop request wins, except that a user's request replaces an Interrupt.
    void requestStop(JobControl control);
    // Other jobs of the queue changed: a waitForChanges() under way or next ends.
    void noteQueueChanged();
    Progress progress() const;
    quint64 progressVersion() const { return m_progressVersion.load(std::memory_order_acquire); }
    QStringList takeLogLines();
    // The lease as this runner knows it: held until `deadline` (steadyMs()) unless lost; the
    // next heartbeat settles a lease past its deadline (renewed or lost) within `leaseMs`.
    void renewLease(qint64 deadline, qint64 leaseMs);
    void loseLease();
    // The lease as last renewed, without waiting for a verdict: for what may simply be skipped
    // (a preview), and for the thread that renews leases, which must never wait for itself.
    bool leaseHeld() const;
    // A holdsLease() of this attempt said no: the job may have given up work still its own.
    bool doubtedLease() const { return m_leaseDoubted.load(std::memory_order_acquire); }
    // A monotonic clock for lease deadlines: a frozen process sees its lease expired on waking.
    static qint64 steadyMs();
    // Ended, its result handed over to be committed beside a claim: no claim counts it as this
    // runner's (it keeps its lease until the commit).
    void markResultHandedOver() { m_resultHandedOver.store(true, std::memory_order_relaxed); }
    bool resultHandedOver() const { return m_resultHandedOver.load(std::memory_order_relaxed); }

    // Control thread only: coalescing and persistence bookkeeping.
    ProgressRate rate;
    quint64 sampledVersion = 0;
    quint64 persistedVersion = 0;
    qint64 lastSampleAtMs = 0;

private:
    const JobRecord m_record;
    WorkFiles *const m_files;
    std::atomic<int> m_control { static_cast<int>(JobControl::None) };
    std::atomic<quint64> m_progressVersion { 0 };
    WorkerBudget *m_budget = nullptr;
    std::atomic<int> m_borrowed { 0 };
    bool m_previewsShared = false;
    FileShelf *m_fileShelf = nullptr;
    std::shared_ptr<JobStore> m_store; // for stateOf()
    mutable std::mutex m_leaseMutex;
    mutable std::condition_variable m_leaseSettled;
    qint64 m_leaseDeadline = std::numeric_limits<qint64>::max();
    qint64 m_leaseMs = 0;
    bool m_leaseLost = false;
    mutable std::atomic<bool> m_leaseDoubted { false };
    std::atomic<bool> m_resultHandedOver { false };

    mutable std::mutex m_mutex;
    std::condition_variable m_stopped;
    // Told of stops too: only waitForChanges() wakes for the queue's changes, not sleepFor().
    std::condition_variable m_changed;
    // Counted without the lock: most jobs never wait for changes, and every job that ends tells
    // every running job. The lock is taken only to wake a job that waits.
    std::atomic<quint64> m_queueChanges { 0 };
    std::atomic<bool> m_waitingForChanges { false }; // set under m_mutex
    quint64 m_queueChangesSeen = 0; // under m_mutex
    Progress m_progress;
    QStringList m_logLines;
    int m_droppedLogLines = 0;
    QByteArray m_sharedPreview;
};

} // namespace spool
