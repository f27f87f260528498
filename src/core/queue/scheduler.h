#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include "job/jobkindregistry.h"
#include "job/workfiles.h"
#include "queue/admissionpolicy.h"
#include "queue/jobgroups.h"
#include "queue/queueconfig.h"
#include "queue/queueevents.h"
#include "queue/runningjob.h"
#include "store/jobstore.h"
#include "util/mailbox.h"

class QThreadPool;

namespace spool {

class Clock;

// Runs the queue for one process. Lives on its own control thread (timers, commands, lease
// renewal, progress coalescing); jobs run in worker slots on a dedicated QThreadPool, each slot
// claiming the next admissible job as soon as it is free.
class Scheduler final : public QObject, public WorkerBudget
{
    Q_OBJECT

public:
    Scheduler(std::shared_ptr<JobStore> store, std::shared_ptr<const JobKindRegistry> registry,
        QueueConfig config, Mailbox<outbox::Item> *outbox, std::function<void()> wakeOwner);
    ~Scheduler() override;
    Q_DISABLE_COPY_MOVE(Scheduler)

    // Any thread.
    void post(inbox::Item item);
    const QString &owner() const { return m_owner; }

    // Control thread.
    Q_INVOKABLE void drainInbox();

    // Worker slot body (pool thread).
    void runSlot();

    // WorkerBudget: idle slots lent to a running job's helper threads (any thread).
    int lend(int wanted) override;
    void giveBack(int count) override;
    bool needed() const override { return m_lentWanted.load(std::memory_order_relaxed); }
    void enterHelperThread() override;
    void park() override;
    void unpark() override;

private:
    void handle(inbox::Item &item);
    void start();
    void stop(StopMode mode);
    void finishStopIfIdle();
    void enqueue(QList<NewJob> jobs);
    void storeNewJobs(const QList<NewJob> &jobs);
    void userCommand(const QList<QUuid> &ids, JobCommand command);
    // To `jobs.ids`; refusals are told as jobgroups::failuresToTell() says.
    void command(const jobgroups::Expanded &jobs, JobCommand command);
    void clearFinished();
    std::optional<QList<QUuid>> finishedJobIds(
        qint64 limit, qint64 beforeMs, qsizetype *examined = nullptr);
    void forgetFinishedChunk(qint64 finishedBeforeMs);
    // jobfiles::release; `endedHere`: the job's attempt that ended ran in this process.
    void releaseFiles(const JobRecord &record, bool removed, bool endedHere = false);
    void sendEvents(const QUuid &id);
    void sendSharedPreview(const QUuid &id);
    void setQueuePaused(bool paused, bool persist);
    void snapshot();
    void wakeAt(qint64 atMs);
    void updateProgressTimer();
    void heartbeat();
    // Renews this runner's leases as of `nowMs`.
    void renewLeases(qint64 nowMs);
    void sampleProgress();
    void recoverAbandoned();
    void reportSelf();
    // A job that failed for good: its kind tells whoever waits on it (JobKind::failed).
    void tellFailed(const JobRecord &record);
    void sharePreviews(const QList<std::shared_ptr<RunningJob>> &jobs);
    void lookAtOtherHosts();
    enum class OtherHosts { Irrelevant, TakeIt, LeaveIt, LookFirst };
    // Whether `candidate` failed on this machine lately, and whether another machine can take it.
    OtherHosts otherHostsFor(const JobRecord &candidate, qint64 nowMs) const;
    void applyExternalChanges();
    // Ends the waitForChanges() of every running job (a delivery waiting for its parts).
    void tellRunningJobsOfChanges();
    void publishCounts();
    void markStateChanged(bool idleHere = false);
    // Reads somebody waits for (the counts, other processes' changes, a snapshot) are asked for
    // once each: after a failure nothing else would ask again, so they are retried.
    enum RetryRead : unsigned { RetryCounts = 1, RetryChanges = 2, RetrySnapshot = 4 };
    void retryReadLater(RetryRead read);
    void retryFailedReads();
    // Claims apart from other writes: a store may make them on a connection of their own, which
    // can fail while the other works (a server out of connections).
    enum class StorageAccess { Read, Write, Claim };
    void reportStorageError(const Error &error, StorageAccess access = StorageAccess::Read);
    // `failuresBefore`: storageFailures(access) when the request that worked was made. One made
    // before a failure of its kind may still end well (its answer was on its way): it says
    // nothing of now.
    void noteStorageWorks(StorageAccess access, quint64 failuresBefore);
    struct StorageHealth
    {
        std::atomic<bool> failing { false };
        std::atomic<quint64> failures { 0 }; // reported so far
    };
    StorageHealth &health(StorageAccess access);
    quint64 storageFailures(StorageAccess access) { return health(access).failures.load(); }

    struct Finished
    {
        std::shared_ptr<RunningJob> job;
        Completion completion;
    };

    void kick();
    void kickForNewWork();
    bool workersMayClaim();
    bool workersMayClaimLocked() const; // under m_slotMutex
    // Fills `mine` with the next jobs for a slot; false when there is nothing (the slot ends).
    // Finishes `ended` and empties it: in the claim's call where the store can, else beside the
    // claim or before it (commitBesideClaim).
    bool claimNext(std::deque<std::shared_ptr<RunningJob>> &mine, std::vector<Finished> &ended);
    // For a store whose claims do not carry finishes: hands `ended` (emptied) to the reporter, to
    // be committed at once while the slot claims. False when they must be committed first: one
    // goes back to the queue or counts against a cap, or the reporter is stopping.
    bool commitBesideClaim(std::vector<Finished> &ended);
    bool canCommitBesideClaim(const std::vector<Finished> &ended);
    enum class ClaimOutcome { Claimed, Nothing, Failed, FinishFirst };
    RunningSet runningHere(
        const std::optional<QStringList> &counted, const std::vector<Finished> &ended) const;
    bool claimWouldTakeNothing(const std::vector<Finished> &ended);
    ClaimOutcome claimFromStore(std::deque<std::shared_ptr<RunningJob>> &mine,
        const std::vector<Finished> &ended, QList<FinishResult> *finishedWithClaim);
    void askToWakeForWaiting(
        qint64 retryDueMs, qint64 otherHostsDueMs, bool heldBack, qint64 claimedAtMs);
    void takeClaimed(const QList<JobRecord> &claimed, qint64 claimedAt,
        std::deque<std::shared_ptr<RunningJob>> &mine);
    void announceClaimed(QList<JobRecord> claimed);
    int batchSize() const;
    // Gives the rest of a slot's batch to any free slot.
    void handBack(std::deque<std::shared_ptr<RunningJob>> &mine);
    Completion execute(const std::shared_ptr<RunningJob> &job);
    // A job's result joins those waiting to be committed; they are committed now if `now`, if
    // there are many, or if the oldest has waited long enough.
    void addFinished(Finished finished, bool now);
    // Adds every waiting result to `due`, ahead of those there, after the reporter's commit if
    // one is under way.
    void takeAllFinished(std::vector<Finished> &due);
    bool reporterReady();
    void runReporter();
    static QList<Completion> completionsOf(const std::vector<Finished> &finished);
    // Whether committing them may put a job back in the queue (QueueingWrite).
    static bool mayQueueAgain(const QList<Completion> &completions);
    void flushFinished(std::vector<Finished> &finished);
    void forgetRunning(const std::vector<Finished> &finished);
    // What the store said of `finished` (emptied): released, published.
    void applyFinished(std::vector<Finished> &finished, const QList<FinishResult> &results);
    QList<FinishResult> finishWithRetry(const QList<Completion> &completions);
    void publish(outbox::Item item);
    std::shared_ptr<RunningJob> runningJob(const QUuid &id) const;
    QList<std::shared_ptr<RunningJob>> runningJobs() const;
    qint64 now() const;
    void scheduleCounts(bool idleHere);
    bool nothingRunsHere();
    double nextRandom();

    const std::shared_ptr<JobStore> m_store;
    std::unique_ptr<FileShelf> m_fileShelf; // on a store that spans machines
    const std::shared_ptr<const JobKindRegistry> m_registry;
    const QueueConfig m_config;
    Clock *const m_clock;
    const QString m_owner;
    const int m_baseNice;
    WorkFiles m_workFiles;
    QList<std::shared_ptr<AdmissionPolicy>> m_policies;
    Mailbox<outbox::Item> *const m_outbox;
    const std::function<void()> m_wakeOwner;
    Mailbox<inbox::Item> m_inbox;
    QThreadPool *m_pool = nullptr;

    // Slot bookkeeping: which slots run, and whether new work may have appeared.
    std::mutex m_slotMutex;
    int m_activeSlots = 0;
    std::atomic<bool> m_jobsEndedSinceIdle { false }; // see claimNext()
    int m_lentSlots = 0; // lent to running jobs' helpers: busy as far as new work goes
    std::atomic<bool> m_lentWanted { false }; // new work waits for a lent slot
    int m_parkedSlots = 0; // slots whose job sleeps in a parked wait: free for new work
    quint64 m_workGeneration = 0;
    bool m_started = false;
    bool m_stopping = false;
    std::atomic<bool> m_slotsStopping { false }; // m_stopping, for the slots between jobs
    std::atomic<bool> m_queuePaused { false };
    // A runner on another machine was alive with a free worker at the last look (shared queues):
    // a job that failed on this machine is left to it for a while (JobRecord::avoidHost).
    std::atomic<bool> m_otherHostFree { false };
    std::atomic<qint64> m_otherHostsSeenAtMs { 0 };

    // Claims are serialized so that admission sees every job started before it. Also guards
    // m_ready: jobs of a batch that a slot handed back unstarted (any free slot takes them).
    std::mutex m_claimMutex;
    std::deque<std::shared_ptr<RunningJob>> m_ready;
    // Moves once the store has jobs that a claim may take and did not have (queued, put back,
    // due), before the kick that lets slots claim them.
    std::atomic<quint64> m_claimableGeneration { 0 };
    // The head of the queue as claims found it (under m_claimMutex): every due job queued up to
    // `endSeq` is of a host in `hostFrom`, which was at its cap, and none before the host's seq
    // there. While it holds (the generation, other processes' writes and the due jobs as then),
    // a claim starts before the first job of a host with room, or after `endSeq`: slots woken
    // after each job read capped hosts' whole backlogs to take nothing, or to reach another
    // host's jobs (quadratic).
    struct QueueHead
    {
        bool known = false;
        quint64 generation = 0;
        qint64 othersWrites = 0;
        qint64 dueBy = 0; // the earliest not-before of a job not due yet then (0: none)
        QHash<QString, qint64> hostFrom;
        qint64 endSeq = 0;
        bool wholeQueue = false; // and nothing after it: a claim would take nothing

        // Still true: nothing moved the generation, no other process wrote, no job became due.
        bool holdsAt(quint64 nowGeneration, qint64 nowOthersWrites, qint64 nowMs) const
        {
            return known && generation == nowGeneration && othersWrites == nowOthersWrites
                && (dueBy == 0 || nowMs < dueBy);
        }
    };
    QueueHead m_head;
    bool m_hostsFilled = false; // a claim found a host at its cap (under m_claimMutex)
    // Store writes under way that may put jobs back in the queue (QueueingWrite).
    std::atomic<int> m_queueingWrites { 0 };
    class QueueingWrite;
    bool headHolds(qint64 othersWrites, qint64 nowMs, quint64 *generation) const;
    qint64 headToSkip(const RunningSet &running) const;
    void rememberHead(const QueueHead &read, qint64 startSeq, qint64 nowMs);
    std::shared_ptr<HostCapPolicy> m_hostCap;
    // Recent run time of a job, to decide whether claiming in batches pays: -1 until known.
    std::atomic<qint64> m_averageRunNs { -1 };

    // Results of short jobs wait to be committed together, for kMaxReportDelayMs at most. A slot
    // commits them when its next job ends; while that job runs on, the reporter thread does (a
    // quick job ahead of a long one in a batch would otherwise show as running until it ends).
    // A slot also hands its ended jobs here to be committed at once beside its claim.
    std::mutex m_reportMutex;
    std::condition_variable m_reportWake; // to the reporter: results wait
    std::condition_variable m_reportDone; // from the reporter: its commit is done
    std::vector<Finished> m_unreported;
    std::chrono::steady_clock::time_point m_unreportedSince; // when the oldest was added
    bool m_reporterIdle = false; // waiting with nothing to report, for a wake
    bool m_reportNow = false; // a slot handed results over: commit them without waiting
    bool m_reporterCommitting = false;
    bool m_reporterStopping = false;
    std::thread m_reporter; // started by the first result that waits

    mutable std::mutex m_runningMutex;
    QHash<QUuid, std::shared_ptr<RunningJob>> m_running;

    std::atomic<bool> m_stateDirty { false };
    // Failing since a storage error of that kind, until a request of that kind made after the
    // last one works; a StorageRecovered event when none fails any more. The mutex keeps error
    // and recovery events in the order of the flags.
    std::mutex m_storageHealthMutex;
    StorageHealth m_reads;
    StorageHealth m_writes;
    StorageHealth m_claims;
    // Jobs whose result or release could not be written since the store last worked: a stop is
    // not clean while any are left (spoolctl run says so and exits 1).
    std::atomic<int> m_jobsLeftBehind { 0 };
    std::atomic<bool> m_progressSampling { false }; // the control thread's progress timer runs
    std::mutex m_randomMutex;
    std::mt19937_64 m_rng;

    // Control thread only.
    StopMode m_stopMode = StopMode::Invalid;
    bool m_stopped = false;
    qint64 m_seenRev = 0;
    qint64 m_wakeAtMs = 0;
    QueueCounts m_lastCounts;
    qint64 m_countsReadAtMs = -1'000'000; // m_monotonic's ms at the last read of the counts
    bool m_countsPublished = false;
    QElapsedTimer m_monotonic;
    QTimer *m_heartbeatTimer = nullptr;
    QTimer *m_progressTimer = nullptr;
    QTimer *m_recoverTimer = nullptr;
    QTimer *m_wakeTimer = nullptr;
    QTimer *m_countsTimer = nullptr;
    QTimer *m_retryTimer = nullptr; // retryFailedReads
    unsigned m_readsToRetry = 0; // RetryRead flags
    QTimer *m_reportTimer = nullptr;
    qint64 m_startedAtMs = 0;
};

} // namespace spool
