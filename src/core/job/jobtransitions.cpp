#include "jobtransitions.h"

#include <QJsonDocument>

#include "util/runneridentity.h"

namespace spool::transitions {

namespace {

JobEvent event(
    const JobRecord &record, qint64 nowMs, const QString &name, const QString &detail = QString())
{
    return JobEvent { nowMs, record.attempts, name, detail };
}

// How long a job that failed on one machine waits for the others before that machine may take
// it again: several claim rounds of every runner, and short beside a render.
constexpr qint64 kOtherHostsFirstMs = 30000;

// The attempt that ends now failed or died on `owner`'s machine; `eligibleAtMs` is when the job
// may next start (0: not until someone retries it).
void avoidFailedHost(JobRecord &record, const QString &owner, qint64 eligibleAtMs)
{
    record.avoidHost = runneridentity::hostOf(owner);
    record.avoidUntilMs = eligibleAtMs > 0 ? eligibleAtMs + kOtherHostsFirstMs : 0;
}

void clearLease(JobRecord &record)
{
    record.leaseOwner.clear();
    record.leaseExpiresAtMs = 0;
    record.control = JobControl::None;
}

Outcome refused(ErrorCode code, const QString &message)
{
    Outcome outcome;
    outcome.error = makeError(code, message);
    return outcome;
}

Outcome changed(QList<JobEvent> events)
{
    Outcome outcome;
    outcome.changed = true;
    outcome.events = std::move(events);
    return outcome;
}

QString alreadyFinished(const JobRecord &record)
{
    return QStringLiteral("job %1 has already %2")
        .arg(idString(record.id), jobStateName(record.state));
}

void appendLogLines(
    const JobRecord &record, qint64 nowMs, const QStringList &lines, QList<JobEvent> &events)
{
    for (const QString &line : lines)
        events.append(event(record, nowMs, QStringLiteral("log"), line));
}

// An attempt that ended without a result of the job's own (its runner died, froze or was late
// renewing the lease): back to the queue. It counts: a job that always ends so must end.
Outcome againOrFailed(
    JobRecord &record, qint64 nowMs, const QString &reason, QList<JobEvent> events)
{
    record.error = reason;
    if (record.attempts >= record.maxAttempts) {
        record.state = JobState::Failed;
        record.finishedAtMs = nowMs;
        record.error = QStringLiteral("%1 (after %2 attempts)").arg(reason).arg(record.attempts);
        events.append(event(record, nowMs, QStringLiteral("failed"), record.error));
    } else {
        record.state = JobState::Queued;
        record.notBeforeMs = 0;
    }
    return changed(std::move(events));
}

} // namespace

int derivedForImported(const JobRecord &record)
{
    return record.state == JobState::Succeeded ? DerivedNone : DerivedSucceeded;
}

QList<JobEvent> timeline(const JobRecord &record, int derived, QList<JobEvent> stored)
{
    if (derived & DerivedEnqueued)
        stored.prepend(JobEvent { record.enqueuedAtMs, 0, QStringLiteral("enqueued"), {} });
    if ((derived & DerivedSucceeded) && record.state == JobState::Succeeded)
        stored.append(
            event(record, record.finishedAtMs, QStringLiteral("succeeded"), record.output));
    return stored;
}

JobRecord newRecord(const NewJob &job, qint64 seq, qint64 nowMs)
{
    JobRecord record;
    record.id = job.id;
    record.kind = job.kind;
    record.params = job.params;
    record.seq = seq;
    record.state = JobState::Queued;
    record.maxAttempts = qMax(1, job.maxAttempts);
    record.enqueuedAtMs = nowMs; // its "enqueued" event (DerivedEnqueued)
    return record;
}

JobRecord imported(const JobRecord &job, qint64 seq, qint64 nowMs, QList<JobEvent> *events)
{
    JobRecord record = job;
    if (!record.paramsText.isEmpty()) { // a record read for a viewer: runners read params parsed
        record.params = QJsonDocument::fromJson(record.paramsText).object();
        record.paramsText.clear();
    }
    record.seq = seq;
    record.rev = 0;
    record.leaseOwner.clear();
    record.leaseToken = 0;
    record.leaseExpiresAtMs = 0;
    record.control = JobControl::None;
    if (record.state == JobState::Running || record.state == JobState::Invalid) {
        // The attempt it was making is given back, as when a runner releases a job.
        record.state = JobState::Queued;
        record.attempts = qMax(0, record.attempts - 1);
    }
    record.maxAttempts = qMax(1, record.maxAttempts);
    if (record.enqueuedAtMs <= 0)
        record.enqueuedAtMs = nowMs;
    if (events)
        events->append(event(record, nowMs, QStringLiteral("imported")));
    return record;
}

Outcome applyCommand(
    JobRecord &record, JobCommand command, qint64 nowMs, const std::function<qint64()> &nextSeq)
{
    const JobState state = record.state;
    switch (command) {
    case JobCommand::Cancel:
        if (state == JobState::Canceled)
            return {};
        if (state == JobState::Succeeded || state == JobState::Failed)
            return refused(ErrorCode::InvalidState, alreadyFinished(record));
        if (state == JobState::Running) {
            if (record.control == JobControl::Cancel || record.control == JobControl::Remove)
                return {};
            record.control = JobControl::Cancel;
            return changed({ event(record, nowMs, QStringLiteral("cancel requested")) });
        }
        record.state = JobState::Canceled;
        record.finishedAtMs = nowMs;
        record.notBeforeMs = 0;
        return changed({ event(record, nowMs, QStringLiteral("canceled")) });

    case JobCommand::Pause:
        if (state == JobState::Paused)
            return {};
        if (isFinishedState(state))
            return refused(ErrorCode::InvalidState, alreadyFinished(record));
        if (state == JobState::Running) {
            if (record.control != JobControl::None)
                return {};
            record.control = JobControl::Pause;
            return changed({ event(record, nowMs, QStringLiteral("pause requested")) });
        }
        record.state = JobState::Paused;
        return changed({ event(record, nowMs, QStringLiteral("paused")) });

    case JobCommand::Resume:
        if (state == JobState::Queued)
            return {};
        if (state == JobState::Running) {
            // Take back a pause that the job has not reached yet.
            if (record.control != JobControl::Pause)
                return {};
            record.control = JobControl::None;
            return changed({ event(record, nowMs, QStringLiteral("resumed")) });
        }
        if (isFinishedState(state))
            return refused(ErrorCode::InvalidState,
                alreadyFinished(record) + QStringLiteral(" (use retry to run it again)"));
        record.state = JobState::Queued;
        record.notBeforeMs = 0;
        return changed({ event(record, nowMs, QStringLiteral("resumed")) });

    case JobCommand::Retry:
        if (state != JobState::Failed && state != JobState::Canceled) {
            if (state == JobState::Succeeded)
                return refused(ErrorCode::InvalidState, alreadyFinished(record));
            return refused(ErrorCode::InvalidState,
                QStringLiteral("job %1 is %2; only failed or canceled jobs can be retried")
                    .arg(idString(record.id), jobStateName(state)));
        }
        // A manual retry is a new request: it joins the back of the queue with a fresh budget.
        record.state = JobState::Queued;
        record.seq = nextSeq();
        record.attempts = 0;
        record.startedAtMs = 0;
        record.finishedAtMs = 0;
        record.notBeforeMs = 0;
        record.error.clear();
        record.output.clear();
        record.progress.done = 0;
        if (!record.avoidHost.isEmpty())
            record.avoidUntilMs = nowMs + kOtherHostsFirstMs;
        return changed({ event(record, nowMs, QStringLiteral("retried")) });

    case JobCommand::Forget:
        if (!isFinishedState(state))
            return refused(ErrorCode::InvalidState,
                QStringLiteral("job %1 is %2; only finished jobs are forgotten")
                    .arg(idString(record.id), jobStateName(state)));
        {
            Outcome outcome;
            outcome.deleteRecord = true;
            outcome.changed = true;
            return outcome;
        }

    case JobCommand::Remove:
        if (state == JobState::Running) {
            if (record.control == JobControl::Remove)
                return {};
            record.control = JobControl::Remove;
            return changed({ event(record, nowMs, QStringLiteral("remove requested")) });
        }
        {
            Outcome outcome;
            outcome.deleteRecord = true;
            outcome.changed = true;
            return outcome;
        }

    case JobCommand::Invalid:
        break;
    }
    return refused(ErrorCode::InvalidInput, QStringLiteral("invalid command"));
}

Outcome claim(JobRecord &record, const QString &owner, qint64 nowMs, qint64 leaseMs)
{
    if (record.state != JobState::Queued)
        return refused(ErrorCode::InvalidState, QStringLiteral("job is not queued"));
    record.state = JobState::Running;
    record.control = JobControl::None;
    record.attempts += 1;
    record.leaseOwner = owner;
    record.leaseToken += 1;
    record.leaseExpiresAtMs = nowMs + leaseMs;
    record.startedAtMs = nowMs;
    record.finishedAtMs = 0;
    record.notBeforeMs = 0;
    return changed(
        { event(record, nowMs, QStringLiteral("started"), owner) }); // formatted when shown
}

Outcome complete(JobRecord &record, const Completion &c, qint64 nowMs)
{
    if (record.state != JobState::Running || record.leaseToken != c.leaseToken)
        return refused(ErrorCode::LeaseLost,
            QStringLiteral("the lease on job %1 is no longer held by this runner")
                .arg(idString(record.id)));

    QList<JobEvent> events;
    appendLogLines(record, nowMs, c.logLines, events);
    record.progress = c.progress;
    const JobControl control = record.control;
    const QString errorBefore = record.error;
    const QString owner = record.leaseOwner;
    clearLease(record);

    if (c.status == RunStatus::Succeeded) {
        if (control == JobControl::Remove) {
            Outcome outcome = changed(std::move(events));
            outcome.deleteRecord = true;
            return outcome;
        }
        record.state = JobState::Succeeded;
        record.finishedAtMs = nowMs;
        record.output = c.output;
        record.error.clear();
        record.avoidHost.clear();
        record.avoidUntilMs = 0;
        if (record.progress.totalKnown())
            record.progress.done = record.progress.total;
        return changed(std::move(events)); // its "succeeded" event: DerivedSucceeded
    }

    if (!c.error.isEmpty())
        record.error = c.error;

    // A stop the user asked for wins over how run() ended.
    switch (control) {
    case JobControl::Remove: {
        Outcome outcome = changed(std::move(events));
        outcome.deleteRecord = true;
        return outcome;
    }
    case JobControl::Cancel:
        record.state = JobState::Canceled;
        record.finishedAtMs = nowMs;
        events.append(event(record, nowMs, QStringLiteral("canceled")));
        return changed(std::move(events));
    case JobControl::Pause:
        // A pause is not a failed attempt: give it back.
        record.state = JobState::Paused;
        record.attempts = qMax(0, record.attempts - 1);
        events.append(event(record, nowMs, QStringLiteral("paused")));
        return changed(std::move(events));
    case JobControl::None:
    case JobControl::Interrupt:
        break;
    }

    if (c.status == RunStatus::Stopped && c.leaseRanOut) {
        events.append(event(record, nowMs, QStringLiteral("released"), c.error));
        return againOrFailed(record, nowMs, c.error, std::move(events));
    }
    if (c.status == RunStatus::Stopped) {
        if (c.interrupted) {
            // Back to the queue (paused queue, runner shutting down): not an error of the job's.
            // The reason goes to the timeline; the record keeps the error it had, if any.
            record.state = JobState::Queued;
            record.attempts = qMax(0, record.attempts - 1);
            record.error = errorBefore;
            events.append(event(record, nowMs, QStringLiteral("released"), c.error));
            return changed(std::move(events));
        }
        record.error = QStringLiteral("the job stopped without being asked to");
    }

    if (c.status == RunStatus::Failed && c.retryable && record.attempts < record.maxAttempts) {
        record.state = JobState::Queued;
        record.notBeforeMs = nowMs + qMax<qint64>(0, c.retryDelayMs);
        avoidFailedHost(record, owner, record.notBeforeMs);
        events.append(event(record, nowMs, QStringLiteral("retry scheduled"),
            QStringLiteral("in %1 ms after: %2").arg(c.retryDelayMs).arg(record.error)));
        return changed(std::move(events));
    }

    record.state = JobState::Failed;
    record.finishedAtMs = nowMs;
    avoidFailedHost(record, owner, 0);
    if (record.error.isEmpty())
        record.error = QStringLiteral("failed without a reason");
    events.append(event(record, nowMs, QStringLiteral("failed"), record.error));
    return changed(std::move(events));
}

Outcome heartbeat(
    JobRecord &record, const Heartbeat &beat, qint64 nowMs, qint64 leaseMs, LeaseStatus *status)
{
    status->id = record.id;
    if (record.state != JobState::Running || record.leaseToken != beat.leaseToken) {
        status->held = false;
        return refused(ErrorCode::LeaseLost, QStringLiteral("lease lost"));
    }
    status->held = true;
    status->control = record.control;
    record.leaseExpiresAtMs = nowMs + leaseMs;
    if (beat.progressChanged)
        record.progress = beat.progress;
    QList<JobEvent> events;
    appendLogLines(record, nowMs, beat.logLines, events);
    return changed(std::move(events));
}

bool needsRecovery(const JobRecord &record, qint64 nowMs, QString *reason)
{
    if (record.state != JobState::Running)
        return false;
    if (runneridentity::ownerLiveness(record.leaseOwner) == runneridentity::Liveness::Dead) {
        *reason = QStringLiteral("runner %1 is gone")
                      .arg(runneridentity::describeOwner(record.leaseOwner));
        return true;
    }
    if (record.leaseExpiresAtMs < nowMs) {
        *reason = QStringLiteral("runner %1 stopped renewing its lease")
                      .arg(runneridentity::describeOwner(record.leaseOwner));
        return true;
    }
    return false;
}

Outcome recover(JobRecord &record, qint64 nowMs, const QString &reason)
{
    if (record.state != JobState::Running)
        return refused(ErrorCode::InvalidState, QStringLiteral("job is not running"));
    const JobControl control = record.control;
    // A runner that died or froze says nothing against its machine (it is often restarted there
    // at once), and a dead runner still looks alive to the others for a while: holding the job
    // back for the other machines would only delay it.
    clearLease(record);
    QList<JobEvent> events { event(record, nowMs, QStringLiteral("recovered"), reason) };
    // The attempt that died counts: a job that kills its runner every time must end.
    if (control == JobControl::Remove) {
        Outcome outcome = changed(std::move(events));
        outcome.deleteRecord = true;
        return outcome;
    }
    if (control == JobControl::Cancel) {
        record.state = JobState::Canceled;
        record.finishedAtMs = nowMs;
        return changed(std::move(events));
    }
    if (control == JobControl::Pause) {
        record.state = JobState::Paused;
        return changed(std::move(events));
    }
    return againOrFailed(record, nowMs, reason, std::move(events));
}

} // namespace spool::transitions
