#pragma once

#include <QJsonObject>
#include <QString>
#include <QUuid>

#include "job/fileshelf.h"
#include "job/jobstate.h"
#include "job/lifecycle.h"
#include "progress/progress.h"

namespace spool {

// What a running job sees of the queue. Every call is cheap and thread-safe; a job calls
// stopRequested() (a checkpoint) often, at least every few milliseconds of work.
class JobContext
{
public:
    virtual ~JobContext() = default;

    virtual QUuid id() const = 0;
    virtual const QJsonObject &params() const = 0;
    // 1 for the first attempt.
    virtual int attempt() const = 0;
    // The attempts the job has in all: a failure of the last one is final.
    virtual int maxAttempts() const { return 1; }
    // Progress persisted by an earlier, paused or interrupted run: where to resume from.
    virtual Progress resumeProgress() const = 0;

    virtual void setProgress(qint64 done, qint64 total) = 0;
    virtual void setProgressUnit(const QString &unit) = 0;

    // A checkpoint: None to go on; otherwise return JobResult::stopped() soon.
    virtual JobControl stopRequested() const = 0;
    bool shouldStop() const { return stopRequested() != JobControl::None; }
    // Waits without using CPU; returns false early when a stop is requested.
    virtual bool sleepFor(qint64 ms) = 0;
    // Like sleepFor(), but it also ends when the queue hears that other jobs changed (one ended,
    // on this machine or another) since the last such wait: a job that waits for others' work
    // looks again then, not at its next poll. Still poll: a change may be missed.
    virtual bool waitForChanges(qint64 ms) { return sleepFor(ms); }

    virtual void log(const QString &line) = 0;
    // False once this runner may have lost the job to another (its lease ran out by this
    // runner's own clock, or the store said another runner holds it): the job then writes
    // nothing the job's next runner or the user could see (checkpoints, previews, outputs).
    virtual bool holdsLease() const { return true; }
    // A directory kept across attempts and restarts (partial files, resume state); removed with
    // the job. Not created until the job creates it: most jobs never need one.
    virtual QString workDir() const = 0;

    // Extra threads for a job that splits its work (a render's tiles), inside the queue's worker
    // budget: borrowWorkers() lends up to `wanted` worker slots that are idle now (0 when none
    // are). The job runs at most one helper thread per lent slot; each helper calls
    // enterHelperThread() first, to run at the workers' lowered priority. When workersNeeded()
    // says queued work waits for a slot, a helper finishes its piece and gives its slot back;
    // every slot goes back with returnWorkers() before run() returns.
    virtual int borrowWorkers(int wanted)
    {
        Q_UNUSED(wanted);
        return 0;
    }
    virtual void returnWorkers(int count) { Q_UNUSED(count); }
    virtual bool workersNeeded() const { return false; }
    virtual void enterHelperThread() { }

    // Around a wait that uses no CPU and may be long (a legacy plugin job waiting for the GIL):
    // the job's worker slot goes to the queue meanwhile, so that other work can start. When the
    // wait ends the job goes on at once, even if that puts one thread over the worker count for
    // a while: it was woken because others wait on it.
    virtual void beginParkedWait() { }
    virtual void endParkedWait() { }

    // Whether windows on other machines can see this job's progress as a picture (a shared
    // queue): a job makes one for sharePreview() only then. The queue sends the latest at most
    // once a heartbeat; keep it small (a JPEG of a few tens of KB).
    virtual bool previewsShared() const { return false; }
    virtual void sharePreview(const QByteArray &image) { Q_UNUSED(image); }

    // The queue's shelf of files (see JobKind::share); nullptr on a queue that keeps none.
    virtual FileShelf *fileShelf() const { return nullptr; }
    // The state another job of the queue is in now (a render's delivery asks whether a part
    // that left word of its failure is still failed, or was retried since).
    virtual Result<JobState> stateOf(const QUuid &id) const
    {
        Q_UNUSED(id);
        return makeError(ErrorCode::NotFound, QStringLiteral("no other job is known here"));
    }
};

// The queue's side of lending worker slots to a running job (see JobContext::borrowWorkers).
class WorkerBudget
{
public:
    virtual ~WorkerBudget() = default;
    virtual int lend(int wanted) = 0;
    virtual void giveBack(int count) = 0;
    virtual bool needed() const = 0;
    virtual void enterHelperThread() = 0;
    virtual void park() = 0;
    virtual void unpark() = 0;
};

struct JobResult
{
    RunStatus status = RunStatus::Invalid;
    QString output;
    QString error;
    bool retryable = true;
    // For a failure: the server said when to come back (Retry-After); -1: use the backoff.
    qint64 retryAfterMs = -1;
    // For a failure with retryAfterMs: hold back every job of this job's host until then.
    bool holdHost = false;

    static JobResult success(QString output = QString())
    {
        return { RunStatus::Succeeded, std::move(output), QString(), false };
    }
    static JobResult failure(QString error, bool retryable = true)
    {
        return { RunStatus::Failed, QString(), std::move(error), retryable };
    }
    static JobResult stopped() { return { RunStatus::Stopped, QString(), QString(), false }; }
};

// One run of one job. Created fresh for every attempt, on the worker thread that runs it.
class Job
{
public:
    virtual ~Job() = default;
    virtual JobResult run(JobContext &context) = 0;
};

} // namespace spool
