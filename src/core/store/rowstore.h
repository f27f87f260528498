#pragma once

#include <utility>

#include <QHash>
#include <QList>
#include <QStringList>

#include "job/jobtransitions.h"
#include "store/jobstore.h"

namespace spool {

// A job row as a SQL store holds it: the record and the row's own immutable key.
using StoredRow = std::pair<JobRecord, qint64>;

// One transition to write: the record (changed in place, its rev set when written), the
// outcome, the row's key and the record as it was.
struct RowChange
{
    JobRecord *record = nullptr;
    transitions::Outcome outcome;
    qint64 key = 0;
    JobRecord before;
};

// What the lifecycle needs from a SQL store's connection, inside its write transaction. The
// SQLite and PostgreSQL stores implement it; the lifecycle code below is written once.
class RowStore
{
public:
    virtual ~RowStore() = default;
    // Loads one job and keeps it from changing until the transaction ends.
    virtual Error load(const QUuid &id, JobRecord *record, bool *found, qint64 *key) = 0;
    // The same for several jobs at once (those that exist), locked in one order.
    virtual Error loadMany(const QList<QUuid> &ids, QHash<QUuid, StoredRow> *rows);
    virtual Error insert(JobRecord &record, qint64 *key) = 0;
    // The same for several new jobs, in one statement where the store can; `keys` in their
    // order. When an id exists already, `duplicate` names it. By default, insert() one by one.
    virtual Error insertMany(QList<JobRecord> &records, QList<qint64> *keys, QUuid *duplicate);
    virtual Error addEvents(qint64 key, const QList<JobEvent> &events) = 0;
    // Which events the rows `keys` leave out of their stored timeline (transitions::
    // DerivedEvents), for rows that are not new jobs: new rows leave out both.
    virtual Error setDerivedEvents(const QList<qint64> &keys, const QList<int> &derived) = 0;
    // Applies a transition's outcome to the row `key`, which held `before` until now.
    virtual Error apply(JobRecord &record, const transitions::Outcome &outcome, qint64 key,
        const JobRecord &before) = 0;
    // The same for several rows, in one statement where the store can (a claim or a finish of
    // a batch): each record gets its new rev. By default, apply() one by one.
    virtual Error applyMany(const QList<RowChange> &changes);
    // Reserves `count` FIFO sequence numbers, ascending (not always contiguous).
    virtual Error reserveSeqs(qint64 count, QList<qint64> *seqs) = 0;
    // Claims are made one at a time across every connection (caps count what others run).
    virtual Error lockForClaim() = 0;
    // Every running job (of every runner), for admission and recovery; with `kinds`, only
    // the jobs of those kinds.
    virtual Error running(QList<StoredRow> *rows, const QStringList *kinds = nullptr) = 0;
    // Up to `limit` queued jobs that may start at `nowMs`, after `afterSeq`, in FIFO order,
    // none of `skippedKinds`: every one committed, none locked (applyClaims takes them).
    virtual Error claimable(qint64 nowMs, qint64 afterSeq, const QStringList &skippedKinds,
        int limit, QList<StoredRow> *page) = 0;
    // The earliest not-before of a queued job that may not start at `nowMs` yet (0: none).
    virtual Error nextWake(qint64 nowMs, qint64 *atMs) = 0;
    // Writes the claims of rows claimable() read. Where those were read unlocked, a row another
    // transaction holds or has changed since is not taken, and leaves `changes`. By default
    // applyMany (the store's lock keeps every row as read).
    virtual Error applyClaims(QList<RowChange> *changes) { return applyMany(*changes); }
    // A number that moves when another process may have put jobs in the queue
    // (ClaimRequest::startAfter); it may move for this one's writes too.
    virtual Error othersWrites(qint64 *count)
    {
        *count = 0;
        return {};
    }
    // Was this insert refused because the id exists?
    virtual bool isDuplicateId(const Error &e) const = 0;
    // The condition (with its binds) that finds the ids starting with `prefix`, lower-case hex
    // and dashes, in the order of the id column; false when no id can start so.
    virtual bool idPrefixCondition(
        const QString &prefix, QString *condition, QVariantList *binds) const = 0;
};

// The store operations of JobStore, on a RowStore, inside one write transaction.
namespace rowstore {

Error enqueue(RowStore &db, const QList<NewJob> &jobs, qint64 nowMs, QList<JobRecord> *records);
Error claim(RowStore &db, const ClaimRequest &request, ClaimResult *result);
Error heartbeat(RowStore &db, const QList<Heartbeat> &beats, qint64 nowMs, qint64 leaseMs,
    QList<LeaseStatus> *statuses);
Error finish(
    RowStore &db, const QList<Completion> &completions, qint64 nowMs, QList<FinishResult> *results);
Error recover(RowStore &db, qint64 nowMs, QList<JobRecord> *recovered);
Error command(RowStore &db, const QList<QUuid> &ids, JobCommand command, qint64 nowMs,
    QList<Result<CommandResult>> *results);
Error importJobs(RowStore &db, const QList<ExportedJob> &jobs, qint64 nowMs, ImportResult *result);

} // namespace rowstore

} // namespace spool
