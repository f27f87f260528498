#pragma once

#include <functional>

#include <QList>

#include "job/lifecycle.h"
#include "util/result.h"

namespace spool::transitions {

// The lifecycle of design.md as pure functions on a record, shared by every store so that the
// rules live in one place. Each returns the timeline events it caused. A store applies them
// inside one transaction and persists the record (or deletes it when asked to).
//
// Two events the job's row tells by itself are not returned, and stores do not keep them: its
// "enqueued" (the row's enqueued time) and its "succeeded" (a succeeded job's finish time,
// attempts and output; nothing follows it). A stored row says which of the two it leaves out
// (DerivedEvents), and timeline() puts them back when the timeline is read. A plain job that
// succeeds at once stores one event ("started") instead of three: each was a row and an index
// entry.

struct Outcome
{
    Error error;
    bool deleteRecord = false;
    bool changed = false;
    QList<JobEvent> events;
};

// Which of the two events a stored row leaves out.
enum DerivedEvents : int {
    DerivedNone = 0,
    DerivedEnqueued = 1,
    DerivedSucceeded = 2,
    // A new job.
    DerivedAll = DerivedEnqueued | DerivedSucceeded,
};

// A job brought in by import() keeps the timeline it came with, which has its "enqueued" (and
// its "succeeded", if it has succeeded); one that succeeds here derives its "succeeded".
int derivedForImported(const JobRecord &record);

// The whole timeline of a row holding `record`, which leaves out `derived`, from the events
// stored for it, in their order.
QList<JobEvent> timeline(const JobRecord &record, int derived, QList<JobEvent> stored);

JobRecord newRecord(const NewJob &job, qint64 seq, qint64 nowMs);

// A job brought in from another queue (`spoolctl import`) at position `seq`: it keeps its
// state, attempts and history; one that was running there is queued here (no runner holds it).
JobRecord imported(const JobRecord &job, qint64 seq, qint64 nowMs, QList<JobEvent> *events);

// A user's command: cancel, pause, resume, retry or remove. `nextSeq` is called when a retry
// sends the job to the back of the queue.
Outcome applyCommand(
    JobRecord &record, JobCommand command, qint64 nowMs, const std::function<qint64()> &nextSeq);

// The runner `owner` takes a queued job.
Outcome claim(JobRecord &record, const QString &owner, qint64 nowMs, qint64 leaseMs);

// The runner reports how run() ended. Fenced: refused unless the runner still holds the lease.
Outcome complete(JobRecord &record, const Completion &completion, qint64 nowMs);

// The runner renews its lease. Fenced like complete().
Outcome heartbeat(
    JobRecord &record, const Heartbeat &beat, qint64 nowMs, qint64 leaseMs, LeaseStatus *status);

// A running job whose runner is gone (lease expired, or its process is dead): back to the queue,
// the attempt counted; failed when no attempt is left.
Outcome recover(JobRecord &record, qint64 nowMs, const QString &reason);

// Should this running job be recovered now?
bool needsRecovery(const JobRecord &record, qint64 nowMs, QString *reason);

} // namespace spool::transitions
