#pragma once

#include <QStringList>

#include "job/jobrecord.h"
#include "util/result.h"

namespace spool {

// How a job's run() ended, as the runner reports it to the store.
enum class RunStatus {
    Invalid = 0,
    Succeeded,
    Failed,
    Stopped, // the job saw a stop request at a checkpoint and returned early
};

struct Completion
{
    QUuid id;
    qint64 leaseToken = 0;
    RunStatus status = RunStatus::Invalid;
    bool retryable = true; // for Failed: may an automatic retry help?
    bool interrupted = false; // for Stopped: the runner itself stopped it (queue paused, shutdown)
    qint64 retryDelayMs = 0; // for Failed: backoff before the next attempt
    QString error;
    QString output;
    Progress progress;
    QStringList logLines; // log lines not yet persisted
    // For Stopped: the job gave up because it could not tell that its lease still held (its
    // runner late renewing it). If the lease did hold, the job goes back to the queue.
    bool leaseRanOut = false;
};

// A runner's periodic renewal of one lease, carrying what changed since the last one.
struct Heartbeat
{
    QUuid id;
    qint64 leaseToken = 0;
    bool progressChanged = false;
    Progress progress;
    QStringList logLines;
};

// The store's answer to a heartbeat: is the lease still ours, and was a stop requested?
struct LeaseStatus
{
    QUuid id;
    bool held = false;
    JobControl control = JobControl::None;
};

// What a finish did with a job.
struct FinishResult
{
    QUuid id;
    Error error; // LeaseLost when another runner owns the job now
    bool removed = false;
    JobRecord record; // the new version; when removed, the last one (invalid when refused)
};

// A job to enqueue; the store gives it a seq and timestamps.
struct NewJob
{
    QUuid id;
    QString kind;
    QJsonObject params;
    int maxAttempts = 1;
};

} // namespace spool
