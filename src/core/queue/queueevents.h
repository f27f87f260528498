#pragma once

#include <variant>

#include <QHash>
#include <QList>
#include <QUuid>

#include "job/lifecycle.h"
#include "store/jobstore.h"

namespace spool {

enum class StopMode {
    Invalid = 0,
    // Running jobs stop at their next checkpoint and go back to the queue (keeping what they
    // saved), without using up an attempt; they resume at the next start.
    Release,
    // Running jobs finish; nothing new starts.
    Drain,
};

// Messages to the scheduler's control thread.
namespace inbox {
struct Enqueue
{
    QList<NewJob> jobs;
};
struct Command
{
    QList<QUuid> ids;
    JobCommand command = JobCommand::Invalid;
};
struct ClearFinished
{
};
struct ForgetFinished // retention: jobs that finished before then, a chunk at a time
{
    qint64 finishedBeforeMs = 0;
};
struct Events
{
    QUuid id;
};
struct SetQueuePaused
{
    bool paused = false;
};
struct Snapshot
{
};
struct SharedPreview
{
    QUuid id;
};
struct Start
{
};
struct Stop
{
    StopMode mode = StopMode::Release;
};
struct Poke // look at the queue now (after a manual clock moved)
{
};
struct WakeAt // a queued job becomes eligible at this time
{
    qint64 atMs = 0;
};
struct RunningChanged
{
};
struct StateChanged // counts may have changed
{
    bool idleHere = false; // this runner ran jobs and has found nothing more to claim
};
struct ExternalChange
{
};
struct SlotsIdle
{
};
using Item = std::variant<Enqueue, Command, ClearFinished, ForgetFinished, Events, SetQueuePaused,
    Snapshot, SharedPreview, Start, Stop, Poke, WakeAt, RunningChanged, StateChanged,
    ExternalChange, SlotsIdle>;
} // namespace inbox

// Messages from the scheduler to the queue's owner thread.
namespace outbox {
struct JobsChanged
{
    QList<JobRecord> records;
};
struct JobsRemoved
{
    QList<QUuid> ids;
};
struct ProgressChanged
{
    QList<JobProgress> progress;
};
struct CommandFailed
{
    QUuid id;
    QString reason;
};
struct QueuePaused
{
    bool paused = false;
};
struct Counts
{
    QueueCounts counts;
};
struct Snapshot
{
    Snapshot(QList<JobRecord> all, bool paused)
        : records(std::move(all))
        , queuePaused(paused)
    {
        // Ordered and indexed here, on the control thread: for 1,000,000 jobs either would hold
        // the owner's thread for tens of milliseconds. Stores give them in order already.
        const auto bySeq = [](const JobRecord &a, const JobRecord &b) { return a.seq < b.seq; };
        if (!std::is_sorted(records.cbegin(), records.cend(), bySeq))
            std::stable_sort(records.begin(), records.end(), bySeq);
        revs.reserve(records.size());
        for (const JobRecord &record : std::as_const(records))
            revs.insert(record.id, record.rev);
    }
    QList<JobRecord> records;
    bool queuePaused = false;
    QHash<QUuid, qint64> revs; // id -> rev of every record, for the owner's staleness check
};
struct StorageError
{
    QString message;
};
// The store works again after errors (the shared queue's server is back).
struct StorageRecovered
{
};
struct Events
{
    QUuid id;
    QList<JobEvent> events;
};
struct SharedPreview
{
    QUuid id;
    QByteArray image; // empty: none
};
struct Stopped
{
    int jobsLeftBehind = 0;
};
using Item = std::variant<JobsChanged, JobsRemoved, ProgressChanged, CommandFailed, QueuePaused,
    Counts, Snapshot, StorageError, StorageRecovered, Events, SharedPreview, Stopped>;
} // namespace outbox

} // namespace spool
