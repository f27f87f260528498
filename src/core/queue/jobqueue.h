#pragma once

#include <QObject>

#include "job/jobrecord.h"
#include "progress/progress.h"
#include "queue/queueevents.h"
#include "store/jobstore.h"
#include "util/result.h"

namespace spool {

// The queue as the GUI and spoolctl use it. Every call returns at once: work, database access
// and waiting happen on the queue's own threads. Signals are emitted on the thread that created
// the queue, after the change they report was committed.
class JobQueue : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    // Checks the parameters now; queues the job in the background. The id is final; a job
    // split into parts (JobKind::expand) is queued as its parts, and this is the first's.
    virtual Result<QUuid> enqueue(
        const QString &kind, const QJsonObject &params, int maxAttempts = 0) = 0;
    // Many jobs of one kind in one transaction; the ids of every part of a split job.
    virtual Result<QList<QUuid>> enqueueMany(
        const QString &kind, const QList<QJsonObject> &params, int maxAttempts = 0) = 0;
    void command(const QUuid &id, JobCommand command) { commandMany({ id }, command); }
    // Several jobs in one transaction (a selection in the app); failures come one per job.
    virtual void commandMany(const QList<QUuid> &ids, JobCommand command) = 0;
    // Removes every succeeded, failed and canceled job.
    virtual void clearFinished() = 0;
    // Forgets jobs that finished before then (retention), in the background.
    virtual void forgetFinishedBefore(qint64 finishedBeforeMs) = 0;
    // Answered by eventsReady(): the job's timeline and log lines.
    virtual void requestEvents(const QUuid &id) = 0;
    // Answered by sharedPreviewReady(): the latest picture a runner on another machine shared
    // of the job's progress (JobStore::sharePreview).
    virtual void requestSharedPreview(const QUuid &id) = 0;
    void cancel(const QUuid &id) { command(id, JobCommand::Cancel); }
    void pause(const QUuid &id) { command(id, JobCommand::Pause); }
    void resume(const QUuid &id) { command(id, JobCommand::Resume); }
    void retry(const QUuid &id) { command(id, JobCommand::Retry); }
    void remove(const QUuid &id) { command(id, JobCommand::Remove); }
    // Pausing the queue starts nothing new and sends running jobs back to the queue.
    virtual void setQueuePaused(bool paused) = 0;
    // Answered by snapshotReady().
    virtual void requestSnapshot() = 0;

    // Start running jobs in this process (with workers > 0); stop() is answered by stopped().
    virtual void start() = 0;
    virtual void stop(StopMode mode) = 0;
    // Look at the queue now, e.g. after a test moved its manual clock.
    virtual void poke() = 0;
    virtual QString location() const = 0;

Q_SIGNALS:
    // Every committed change, in order; a record's rev tells versions apart.
    void jobsChanged(const QList<spool::JobRecord> &records);
    void jobsRemoved(const QList<QUuid> &ids);
    // Coalesced: at most ~30 per second per job.
    void progressChanged(const QList<spool::JobProgress> &progress);
    // A job reached succeeded, failed or canceled.
    void jobFinished(const spool::JobRecord &record);
    void countsChanged(const spool::QueueCounts &counts);
    void queuePausedChanged(bool paused);
    // Every job, in FIFO order (by seq).
    void snapshotReady(const QList<spool::JobRecord> &records);
    void eventsReady(const QUuid &id, const QList<spool::JobEvent> &events);
    // An encoded image (JPEG); empty when there is none.
    void sharedPreviewReady(const QUuid &id, const QByteArray &image);
    void commandFailed(const QUuid &id, const QString &reason);
    // The store failed (again); storageRecovered() follows once it works again, so a window can
    // show "unreachable" for as long as it lasts.
    void storageError(const QString &message);
    void storageRecovered();
    // jobsLeftBehind: jobs whose result or release could not be written while the store failed
    // (since it last worked). They go back to the queue when their leases expire.
    void stopped(int jobsLeftBehind);
};

} // namespace spool

Q_DECLARE_METATYPE(spool::QueueCounts)
