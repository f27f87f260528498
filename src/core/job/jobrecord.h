#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QUuid>

#include "job/jobstate.h"
#include "progress/progress.h"

namespace spool {

// Everything the queue knows about one job; one row of the store.
struct JobRecord
{
    QUuid id;
    QString kind;
    QJsonObject params;
    // Instead of params, only from a query that asks for it (JobQuery::paramsAsText): compact
    // JSON, about a quarter of the memory of the parsed object.
    QByteArray paramsText;
    qint64 seq = 0; // FIFO position, given at enqueue (and again by a manual retry)
    JobState state = JobState::Invalid;
    JobControl control = JobControl::None; // a stop requested of the running job
    int attempts = 0;
    int maxAttempts = 1;
    qint64 enqueuedAtMs = 0;
    qint64 startedAtMs = 0; // 0: not yet
    qint64 finishedAtMs = 0; // 0: not yet
    qint64 notBeforeMs = 0; // a retry's earliest start; 0: none
    Progress progress;
    QString error; // the last error, kept through retries and in the failed state
    QString output; // the result, e.g. an output path
    QString leaseOwner; // the runner that holds a running job
    qint64 leaseToken = 0; // grows with every claim: a stale runner's write is refused
    qint64 leaseExpiresAtMs = 0;
    // The machine (runneridentity::hostName) its last attempt failed or died on: runners on
    // other machines get it first until avoidUntilMs (a machine-specific fault, a part of a
    // split render). Empty: none.
    QString avoidHost;
    qint64 avoidUntilMs = 0;
    qint64 rev = 0; // store revision of this version of the record; newer wins

    bool isValid() const { return !id.isNull() && state != JobState::Invalid; }
    // Its params as compact JSON, from whichever form it holds: what stores write.
    QByteArray paramsJson() const;
    // The design.md job object (list/show --json).
    QJsonObject toJson() const;
};

// One line of a job's timeline (started, failed, retry scheduled, a log line...).
struct JobEvent
{
    qint64 atMs = 0;
    int attempt = 0;
    QString event;
    QString detail;

    QJsonObject toJson() const;
};

// An ISO 8601 UTC timestamp with milliseconds, or null for 0.
QJsonValue isoTimestamp(qint64 ms);
// The attempt a job is on, for people: the one running, or the one it runs next while it waits
// (a pause gives its attempt back, so the count alone went from 1/5 to 0/5), or the last one
// it made. JSON keeps the raw count ("attempts").
int attemptShown(const JobRecord &record);
QString idString(const QUuid &id);

} // namespace spool

// Every member is a Qt value type that may be moved in memory as bytes: a QList of them grows
// by realloc (one mremap for a large list) instead of moving each record into a new array.
Q_DECLARE_TYPEINFO(spool::JobRecord, Q_RELOCATABLE_TYPE);
Q_DECLARE_TYPEINFO(spool::JobEvent, Q_RELOCATABLE_TYPE);

Q_DECLARE_METATYPE(spool::JobRecord)
Q_DECLARE_METATYPE(spool::JobEvent)
