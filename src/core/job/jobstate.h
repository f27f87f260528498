#pragma once

#include <QMetaType>
#include <QString>

namespace spool {

// The lifecycle in design.md. Values are stored in the database: never renumber.
enum class JobState {
    Invalid = 0,
    Queued = 1,
    Running = 2,
    Paused = 3,
    Succeeded = 4,
    Failed = 5,
    Canceled = 6,
};

// A request that a running job stop at its next checkpoint. Stored: never renumber.
enum class JobControl {
    None = 0,
    Cancel = 1,
    Pause = 2,
    Remove = 3,
    // In-process only, never stored: the runner is stopping or lost the lease; the job goes back
    // to the queue without using up an attempt.
    Interrupt = 4,
};

// What a user (or script) asks of a job.
enum class JobCommand {
    Invalid = 0,
    Cancel,
    Pause,
    Resume,
    Retry,
    Remove,
    // Remove a finished job, refused in any other state: retention (prune) checks and removes
    // in one transaction, so a job retried meanwhile stays.
    Forget,
};

QString jobStateName(JobState state);
JobState jobStateFromName(const QString &name);
bool isFinishedState(JobState state);

QString jobCommandName(JobCommand command);
JobCommand jobCommandFromName(const QString &name);

} // namespace spool

Q_DECLARE_METATYPE(spool::JobState)
