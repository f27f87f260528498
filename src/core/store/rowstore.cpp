#include "rowstore.h"

#include <QSet>
#include <QtMath>

namespace spool {

Error RowStore::insertMany(QList<JobRecord> &records, QList<qint64> *keys, QUuid *duplicate)
{
    keys->clear();
    for (JobRecord &record : records) {
        qint64 key = 0;
        if (Error e = insert(record, &key); e.isError()) {
            if (isDuplicateId(e))
                *duplicate = record.id;
            return e;
        }
        keys->append(key);
    }
    return {};
}

Error RowStore::applyMany(const QList<RowChange> &changes)
{
    for (const RowChange &c : changes) {
        if (Error e = apply(*c.record, c.outcome, c.key, c.before); e.isError())
            return e;
    }
    return {};
}

Error RowStore::loadMany(const QList<QUuid> &ids, QHash<QUuid, StoredRow> *rows)
{
    rows->clear();
    for (const QUuid &id : ids) {
        StoredRow row;
        bool found = false;
        if (Error e = load(id, &row.first, &found, &row.second); e.isError())
            return e;
        if (found)
            rows->insert(id, row);
    }
    return {};
}

} // namespace spool

namespace spool::rowstore {

Error enqueue(RowStore &db, const QList<NewJob> &jobs, qint64 nowMs, QList<JobRecord> *records)
{
    records->clear();
    QList<qint64> seqs;
    if (Error err = db.reserveSeqs(jobs.size(), &seqs); err.isError())
        return err;
    for (qsizetype i = 0; i < jobs.size(); ++i)
        records->append(transitions::newRecord(jobs.at(i), seqs.at(i), nowMs));
    QList<qint64> keys; // the rows leave out both derived events (the column's default)
    QUuid duplicate;
    if (Error err = db.insertMany(*records, &keys, &duplicate); err.isError()) {
        records->clear();
        if (!duplicate.isNull())
            return makeError(ErrorCode::InvalidInput,
                QStringLiteral("a job with id %1 exists already").arg(idString(duplicate)));
        return err;
    }
    return {};
}

namespace {

// Takes the admitted jobs of one page; sets `stop` when the policies say nothing more may start,
// `refused` when they turned a job down.
Error claimFromPage(RowStore &db, const ClaimRequest &request, qint64 nowMs, QList<StoredRow> &page,
    QStringList &skippedKinds, ClaimResult *result, bool *stop, bool *refused)
{
    QList<RowChange> changes; // written together: one statement for the page's claims
    for (auto &[record, key] : page) {
        if (result->claimed.size() + changes.size() >= request.maxJobs)
            break;
        if (skippedKinds.contains(record.kind))
            continue;
        const Admission verdict = request.admit ? request.admit(record) : Admission::Admit;
        if (verdict == Admission::Stop) {
            *stop = true;
            break;
        }
        if (verdict == Admission::SkipKind)
            skippedKinds.append(record.kind);
        if (verdict == Admission::Skip)
            *refused = true;
        if (verdict != Admission::Admit)
            continue;
        const JobRecord before = record;
        const auto outcome = transitions::claim(record, request.owner, nowMs, request.leaseMs);
        changes.append(RowChange { &record, outcome, key, before });
    }
    const qsizetype chosen = changes.size();
    if (Error err = db.applyClaims(&changes); err.isError())
        return err;
    result->lost += int(chosen - changes.size());
    for (const RowChange &change : std::as_const(changes))
        result->claimed.append(*change.record);
    return {};
}

} // namespace

Error claim(RowStore &db, const ClaimRequest &request, ClaimResult *result)
{
    *result = ClaimResult {};
    if (Error err = db.lockForClaim(); err.isError())
        return err;
    const qint64 nowMs = request.timeOfClaim();
    if (request.seeRunning) {
        QList<StoredRow> running;
        const QStringList *kinds = request.runningKinds ? &*request.runningKinds : nullptr;
        if (Error err = db.running(&running, kinds); err.isError())
            return err;
        for (const auto &row : std::as_const(running))
            request.seeRunning(row.first);
    }
    if (request.startAfter) {
        if (Error err = db.othersWrites(&result->othersWrites); err.isError())
            return err;
        result->startedAfter = request.startAfter(result->othersWrites);
    }
    QStringList skippedKinds;
    qint64 afterSeq = result->startedAfter;
    bool stop = false;
    bool anyRefused = false;
    // The first page is about the claim's size: a runner with one free worker would read 64
    // rows (over the network, for the PostgreSQL store) to take one. A power of two, so that a
    // few statements serve every size (each size is a statement of its own to prepare). Pages
    // after it are full, for a claim that skips many rows (a capped host's backlog).
    int pageSize =
        int(qMin<quint32>(kClaimPageSize, qNextPowerOfTwo(quint32(qMax(1, request.maxJobs) - 1))));
    while (!stop && result->claimed.size() < request.maxJobs) {
        QList<StoredRow> page;
        if (Error err = db.claimable(nowMs, afterSeq, skippedKinds, pageSize, &page); err.isError())
            return err;
        if (!page.isEmpty())
            afterSeq = page.last().first.seq;
        bool refused = false;
        if (Error err =
                claimFromPage(db, request, nowMs, page, skippedKinds, result, &stop, &refused);
            err.isError())
            return err;
        anyRefused = anyRefused || refused;
        if (page.size() < pageSize)
            break;
        // Nor past a job another writer held: its host's later jobs would start before it.
        if (result->lost > 0)
            break;
        // A claim that has jobs does not read on through a capped host's backlog to fill its
        // batch: the next claim starts where that backlog is (ClaimRequest::maxJobs).
        if (refused && !result->claimed.isEmpty())
            break;
        pageSize = kClaimPageSize;
    }
    if (result->claimed.size() < request.maxJobs || (request.wantsWake && anyRefused)) {
        result->wakeCoversRead = true;
        return db.nextWake(nowMs, &result->nextWakeMs);
    }
    return {};
}

Error heartbeat(RowStore &db, const QList<Heartbeat> &beats, qint64 nowMs, qint64 leaseMs,
    QList<LeaseStatus> *statuses)
{
    statuses->clear();
    QList<QUuid> ids;
    for (const Heartbeat &beat : beats)
        ids.append(beat.id);
    QHash<QUuid, StoredRow> rows;
    if (Error err = db.loadMany(ids, &rows); err.isError())
        return err;
    for (const Heartbeat &beat : beats) {
        LeaseStatus status;
        status.id = beat.id;
        if (auto it = rows.find(beat.id); it != rows.end()) {
            JobRecord &record = it->first;
            const JobRecord before = record;
            const auto outcome = transitions::heartbeat(record, beat, nowMs, leaseMs, &status);
            if (Error err = db.apply(record, outcome, it->second, before); err.isError())
                return err;
        }
        statuses->append(status);
    }
    return {};
}

Error finish(
    RowStore &db, const QList<Completion> &completions, qint64 nowMs, QList<FinishResult> *results)
{
    results->clear();
    QList<QUuid> ids;
    for (const Completion &completion : completions)
        ids.append(completion.id);
    QHash<QUuid, StoredRow> rows;
    if (Error err = db.loadMany(ids, &rows); err.isError())
        return err;
    QList<RowChange> changes; // written together: one statement for the batch
    QList<std::pair<qsizetype, const JobRecord *>> written; // result index -> its record
    for (const Completion &completion : completions) {
        FinishResult result;
        result.id = completion.id;
        const auto it = rows.find(completion.id);
        if (it == rows.end()) {
            result.error = makeError(ErrorCode::LeaseLost,
                QStringLiteral("job %1 was removed").arg(idString(completion.id)));
            results->append(result);
            continue;
        }
        JobRecord &record = it->first;
        const JobRecord before = record;
        const auto outcome = transitions::complete(record, completion, nowMs);
        result.error = outcome.error;
        if (!outcome.error.isError()) {
            result.removed = outcome.deleteRecord;
            changes.append(RowChange { &record, outcome, it->second, before });
            written.append({ results->size(), &record });
        }
        results->append(result);
    }
    if (Error err = db.applyMany(changes); err.isError())
        return err;
    for (const auto &[index, record] : std::as_const(written))
        (*results)[index].record = *record;
    return {};
}

Error recover(RowStore &db, qint64 nowMs, QList<JobRecord> *recovered)
{
    recovered->clear();
    QList<StoredRow> running;
    if (Error err = db.running(&running); err.isError())
        return err;
    for (auto &[record, key] : running) {
        QString reason;
        if (!transitions::needsRecovery(record, nowMs, &reason))
            continue;
        // Locks the row; another runner may have finished or recovered it meanwhile.
        bool found = false;
        if (Error err = db.load(record.id, &record, &found, &key); err.isError())
            return err;
        if (!found || !transitions::needsRecovery(record, nowMs, &reason))
            continue;
        const JobRecord before = record;
        const auto outcome = transitions::recover(record, nowMs, reason);
        if (Error err = db.apply(record, outcome, key, before); err.isError())
            return err;
        if (!outcome.deleteRecord)
            recovered->append(record);
    }
    return {};
}

namespace {

// Places at the back of the queue for a command's jobs (Retry), in the order asked: drawn for
// `wanted` jobs the first time one is needed, one round trip for a batch instead of one per job.
// Places not used leave gaps, which the queue's order does not mind.
class QueuePlaces
{
public:
    explicit QueuePlaces(RowStore &db)
        : m_db(db)
    { }
    qint64 take(qint64 wanted)
    {
        if (m_next == m_seqs.size()) {
            m_next = 0;
            m_error = m_db.reserveSeqs(wanted, &m_seqs);
            if (m_error.isError() || m_seqs.isEmpty())
                return 0;
        }
        return m_seqs.at(m_next++);
    }
    const Error &error() const { return m_error; }

private:
    RowStore &m_db;
    QList<qint64> m_seqs;
    qsizetype m_next = 0;
    Error m_error;
};

// The jobs read and written together (prune and Clear Finished name thousands of jobs): on a
// shared queue, a statement for each step instead of a few for each job. The ids are distinct.
Error commandTogether(RowStore &db, const QList<QUuid> &ids, JobCommand command, qint64 nowMs,
    QList<Result<CommandResult>> *results)
{
    QHash<QUuid, StoredRow> rows;
    if (Error err = db.loadMany(ids, &rows); err.isError())
        return err;
    QList<RowChange> changes;
    QList<Error> refusals; // for each id: its refusal, or none when it is in `changes`
    QueuePlaces places(db);
    for (const QUuid &id : ids) {
        const qint64 wanted = ids.size() - refusals.size(); // this job and those after it
        const auto it = rows.find(id);
        if (it == rows.end()) {
            refusals.append(makeError(
                ErrorCode::NotFound, QStringLiteral("no job with id %1").arg(idString(id))));
            continue;
        }
        JobRecord &record = it->first;
        const JobRecord before = record;
        const auto outcome =
            transitions::applyCommand(record, command, nowMs, [&] { return places.take(wanted); });
        if (places.error().isError())
            return places.error();
        refusals.append(outcome.error);
        if (!outcome.error.isError())
            changes.append(RowChange { &record, outcome, it->second, before });
    }
    if (Error err = db.applyMany(changes); err.isError())
        return err;
    qsizetype next = 0; // the changes are in the order of the ids they were made for
    for (const Error &refusal : std::as_const(refusals)) {
        if (refusal.isError()) {
            results->append(refusal);
            continue;
        }
        const RowChange &change = changes.at(next++);
        results->append(CommandResult { change.outcome.deleteRecord, *change.record });
    }
    return {};
}

} // namespace

Error command(RowStore &db, const QList<QUuid> &ids, JobCommand command, qint64 nowMs,
    QList<Result<CommandResult>> *results)
{
    results->clear();
    if (QSet<QUuid>(ids.cbegin(), ids.cend()).size() == ids.size())
        return commandTogether(db, ids, command, nowMs, results);
    // A list that names a job twice goes job by job, each command seeing the one before.
    for (const QUuid &id : ids) {
        if (Error err = commandTogether(db, { id }, command, nowMs, results); err.isError())
            return err;
    }
    return {};
}

namespace {

// One batch of an import: existing ids looked up at once, the new jobs added in one statement.
Error importChunk(RowStore &db, const QList<ExportedJob> &jobs, qint64 nowMs, QSet<QUuid> &taken,
    ImportResult *result)
{
    QList<QUuid> ids;
    for (const ExportedJob &job : jobs)
        ids.append(job.record.id);
    QHash<QUuid, StoredRow> existing;
    if (Error err = db.loadMany(ids, &existing); err.isError())
        return err;
    QList<qsizetype> fresh; // the jobs to add, each id once
    for (qsizetype i = 0; i < jobs.size(); ++i) {
        const QUuid &id = jobs.at(i).record.id;
        if (existing.contains(id) || taken.contains(id)) {
            result->skipped.append(id);
            continue;
        }
        taken.insert(id);
        fresh.append(i);
    }
    if (fresh.isEmpty())
        return {};
    QList<qint64> seqs;
    if (Error err = db.reserveSeqs(fresh.size(), &seqs); err.isError())
        return err;
    QList<JobRecord> records;
    QList<QList<JobEvent>> events;
    for (qsizetype k = 0; k < fresh.size(); ++k) {
        const ExportedJob &job = jobs.at(fresh.at(k));
        events.append(job.events);
        records.append(transitions::imported(job.record, seqs.at(k), nowMs, &events.last()));
    }
    QList<qint64> keys;
    QUuid duplicate;
    if (Error err = db.insertMany(records, &keys, &duplicate); err.isError())
        return err;
    QList<int> derived;
    for (const JobRecord &record : std::as_const(records))
        derived.append(transitions::derivedForImported(record));
    if (Error err = db.setDerivedEvents(keys, derived); err.isError())
        return err;
    for (qsizetype k = 0; k < records.size(); ++k) {
        if (Error err = db.addEvents(keys.at(k), events.at(k)); err.isError())
            return err;
    }
    result->imported += records.size();
    return {};
}

} // namespace

Error importJobs(RowStore &db, const QList<ExportedJob> &jobs, qint64 nowMs, ImportResult *result)
{
    // In batches, as enqueue: a statement per job made importing a million jobs into the shared
    // queue take ten minutes; one statement for all of them would be as large as the file.
    constexpr qsizetype kChunk = 5000;
    *result = ImportResult {};
    QSet<QUuid> taken;
    for (qsizetype at = 0; at < jobs.size(); at += kChunk) {
        if (Error err = importChunk(db, jobs.mid(at, kChunk), nowMs, taken, result); err.isError())
            return err;
    }
    return {};
}

} // namespace spool::rowstore
