#include "sqljobstore.h"

#include <algorithm>

#include <QJsonDocument>
#include <QJsonObject>

#include "store/rowstore.h"
#include "store/sqlrecord.h"
#include "store/sqlsession.h"

namespace spool {

Result<QList<JobRecord>> SqlJobStore::enqueue(const QList<NewJob> &jobs, qint64 nowMs)
{
    QList<JobRecord> records;
    const Error e = withRows(true,
        [&](RowStore &db, SqlSession &) { return rowstore::enqueue(db, jobs, nowMs, &records); });
    if (e.isError())
        return e;
    return records;
}

Result<ClaimResult> SqlJobStore::claim(const ClaimRequest &request)
{
    ClaimResult result;
    const Error e = withRows(
        true, [&](RowStore &db, SqlSession &) { return rowstore::claim(db, request, &result); });
    if (e.isError())
        return e;
    return result;
}

Result<QList<LeaseStatus>> SqlJobStore::heartbeat(
    const QList<Heartbeat> &beats, qint64 nowMs, qint64 leaseMs)
{
    QList<LeaseStatus> statuses;
    const Error e = withRows(true, [&](RowStore &db, SqlSession &) {
        return rowstore::heartbeat(db, beats, nowMs, leaseMs, &statuses);
    });
    if (e.isError())
        return e;
    return statuses;
}

Result<QList<FinishResult>> SqlJobStore::finish(const QList<Completion> &completions, qint64 nowMs)
{
    QList<FinishResult> results;
    const Error e = withRows(true, [&](RowStore &db, SqlSession &) {
        return rowstore::finish(db, completions, nowMs, &results);
    });
    if (e.isError())
        return e;
    return results;
}

Result<FinishAndClaimResult> SqlJobStore::finishAndClaim(
    const QList<Completion> &completions, qint64 nowMs, const ClaimRequest &request)
{
    FinishAndClaimResult result;
    ClaimResult claimed;
    const Error e = withRows(true, [&](RowStore &db, SqlSession &) -> Error {
        if (Error err = rowstore::finish(db, completions, nowMs, &result.finished); err.isError())
            return err;
        return rowstore::claim(db, request, &claimed);
    });
    if (e.isError())
        return e;
    result.claim = std::move(claimed);
    return result;
}

Result<QList<JobRecord>> SqlJobStore::recoverAbandoned(qint64 nowMs)
{
    // Look first without writing: almost always there is nothing to recover.
    bool any = false;
    Error e = withRows(false, [&](RowStore &db, SqlSession &) -> Error {
        QList<StoredRow> running;
        if (Error err = db.running(&running); err.isError())
            return err;
        QString reason;
        any = std::any_of(running.cbegin(), running.cend(), [&](const StoredRow &row) {
            return transitions::needsRecovery(row.first, nowMs, &reason);
        });
        return {};
    });
    if (e.isError())
        return e;
    if (!any)
        return QList<JobRecord> {};
    QList<JobRecord> recovered;
    e = withRows(
        true, [&](RowStore &db, SqlSession &) { return rowstore::recover(db, nowMs, &recovered); });
    if (e.isError())
        return e;
    return recovered;
}

Result<QList<Result<CommandResult>>> SqlJobStore::commandMany(
    const QList<QUuid> &ids, JobCommand command, qint64 nowMs)
{
    QList<Result<CommandResult>> results;
    const Error e = withRows(true, [&](RowStore &db, SqlSession &) {
        return rowstore::command(db, ids, command, nowMs, &results);
    });
    if (e.isError())
        return e;
    return results;
}

namespace {

// `%"name":"value"%` as compact JSON writes it, with LIKE's wildcards escaped.
QString likePattern(const QString &name, const QString &value)
{
    QString pair = QString::fromUtf8(
        QJsonDocument(QJsonObject { { name, value } }).toJson(QJsonDocument::Compact));
    pair = pair.mid(1, pair.size() - 2); // without the braces
    pair.replace(QLatin1Char('!'), QStringLiteral("!!"));
    pair.replace(QLatin1Char('%'), QStringLiteral("!%"));
    pair.replace(QLatin1Char('_'), QStringLiteral("!_"));
    return QLatin1Char('%') + pair + QLatin1Char('%');
}

} // namespace

Result<QList<JobRecord>> SqlJobStore::query(const JobQuery &query)
{
    QString sql = QStringLiteral("SELECT %1 FROM jobs").arg(sqlrecord::kColumns);
    QVariantList binds;
    QStringList where;
    const auto placeholders = [](qsizetype n) {
        return QStringList(n, QStringLiteral("?")).join(QLatin1Char(','));
    };
    if (!query.ids.isEmpty()) {
        where.append(QStringLiteral("id IN (%1)").arg(placeholders(query.ids.size())));
        for (const QUuid &id : query.ids)
            binds.append(idString(id));
    }
    if (!query.states.isEmpty()) {
        where.append(QStringLiteral("state IN (%1)").arg(placeholders(query.states.size())));
        for (JobState state : query.states)
            binds.append(static_cast<int>(state));
    }
    if (query.finishedBeforeMs > 0) {
        where.append(QStringLiteral("finished_at < ?"));
        binds.append(query.finishedBeforeMs);
    }
    if (!query.paramName.isEmpty()) {
        // Params are compact JSON text in both stores: the pair as it is written narrows the
        // rows; matchesParam() below decides.
        where.append(QStringLiteral("params LIKE ? ESCAPE '!'"));
        binds.append(likePattern(query.paramName, query.paramValue));
    }
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY seq");
    if (query.limit >= 0)
        sql += QStringLiteral(" LIMIT %1").arg(query.limit);
    QList<JobRecord> records;
    const Error e = withRows(false, [&](RowStore &, SqlSession &db) {
        records.clear();
        return db.selectRecords(
            sql, binds,
            [&](JobRecord &&record, qint64) {
                if (matchesParam(query, record))
                    records.append(std::move(record));
            },
            query.paramsAsText);
    });
    if (e.isError())
        return e;
    return records;
}

Result<QList<QUuid>> SqlJobStore::findIds(const QString &prefix, int limit)
{
    QList<QUuid> ids;
    const Error e = withRows(false, [&](RowStore &rows, SqlSession &db) -> Error {
        ids.clear();
        QString condition;
        QVariantList binds;
        if (!rows.idPrefixCondition(prefix.toLower(), &condition, &binds))
            return {};
        binds.append(limit);
        return db.select(
            QStringLiteral("SELECT id FROM jobs WHERE %1 ORDER BY id LIMIT ?").arg(condition),
            binds,
            [&](const QSqlQuery &q) { ids.append(QUuid::fromString(q.value(0).toString())); });
    });
    if (e.isError())
        return e;
    return ids;
}

Result<QList<JobEvent>> SqlJobStore::events(const QUuid &id)
{
    QList<JobEvent> events;
    const Error e = withRows(false, [&](RowStore &, SqlSession &db) -> Error {
        events.clear();
        // What the timeline derives from the row (transitions::timeline).
        JobRecord row;
        int derived = 0;
        qint64 key = 0; // row keys start at 1
        if (Error err = db.select(
                QStringLiteral("SELECT key, derived_events, enqueued_at, state, finished_at, "
                               "attempts, output FROM jobs WHERE id = ?"),
                { idString(id) },
                [&](const QSqlQuery &q) {
                    key = q.value(0).toLongLong();
                    derived = q.value(1).toInt();
                    row.enqueuedAtMs = q.value(2).toLongLong();
                    row.state = static_cast<JobState>(q.value(3).toInt());
                    row.finishedAtMs = q.value(4).toLongLong();
                    row.attempts = q.value(5).toInt();
                    row.output = q.value(6).toString();
                });
            err.isError())
            return err;
        if (key == 0)
            return makeError(
                ErrorCode::NotFound, QStringLiteral("no job with id %1").arg(idString(id)));
        QList<JobEvent> stored;
        if (Error err = db.select(QStringLiteral("SELECT at, attempt, event, detail FROM "
                                                 "job_events WHERE job_key = ? ORDER BY id"),
                { key },
                [&](const QSqlQuery &q) {
                    stored.append(JobEvent { q.value(0).toLongLong(), q.value(1).toInt(),
                        q.value(2).toString(), q.value(3).toString() });
                });
            err.isError())
            return err;
        events = transitions::timeline(row, derived, std::move(stored));
        return {};
    });
    if (e.isError())
        return e;
    return events;
}

Result<ImportResult> SqlJobStore::importJobs(const QList<ExportedJob> &jobs, qint64 nowMs)
{
    ImportResult result;
    const Error e = withRows(true,
        [&](RowStore &db, SqlSession &) { return rowstore::importJobs(db, jobs, nowMs, &result); });
    if (e.isError())
        return e;
    return result;
}

Result<void> SqlJobStore::reportRunner(const RunnerInfo &runner)
{
    return withRows(
        true, [&](RowStore &, SqlSession &db) { return sqlrecord::reportRunner(db, runner); });
}

Result<void> SqlJobStore::forgetRunner(const QString &owner)
{
    return withRows(
        true, [&](RowStore &, SqlSession &db) { return sqlrecord::forgetRunner(db, owner); });
}

Result<QList<RunnerInfo>> SqlJobStore::runners()
{
    QList<RunnerInfo> list;
    const Error e =
        withRows(false, [&](RowStore &, SqlSession &db) { return sqlrecord::runners(db, &list); });
    if (e.isError())
        return e;
    return list;
}

} // namespace spool
