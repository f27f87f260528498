#include "sqlrecord.h"

#include "store/sqlsession.h"

namespace spool::sqlrecord {

const QString kRecordColumns = QStringLiteral(
    "id, seq, kind, params, state, control, attempts, max_attempts, enqueued_at, started_at, "
    "finished_at, not_before, progress_done, progress_total, progress_unit, error, output, "
    "lease_owner, lease_token, lease_expires, avoid_host, avoid_until, rev");
const QString kColumns = kRecordColumns + QStringLiteral(", key");
const QString kRecordPlaceholders =
    QStringLiteral("?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?");
const QString kUpdateAssignments =
    QStringLiteral("state = ?, control = ?, attempts = ?, max_attempts = ?, started_at = ?, "
                   "finished_at = ?, not_before = ?, progress_done = ?, progress_total = ?, "
                   "progress_unit = ?, error = ?, output = ?, lease_owner = ?, lease_token = ?, "
                   "lease_expires = ?, avoid_host = ?, avoid_until = ?, rev = ?");

namespace {

QVariant nullIfZero(qint64 value)
{
    return value == 0 ? QVariant() : QVariant(value);
}

// A NOT NULL text column: a null QString would bind as SQL NULL.
QString notNull(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

} // namespace

QVariant nullIfEmpty(const QString &value)
{
    return value.isEmpty() ? QVariant() : QVariant(value);
}

JobRecord read(const QSqlQuery &q, bool paramsAsText)
{
    return readRow(QtRow(q), paramsAsText);
}

QVariantList insertValues(const JobRecord &r)
{
    return { idString(r.id), r.seq, r.kind, QString::fromUtf8(r.paramsJson()),
        static_cast<int>(r.state), static_cast<int>(r.control), r.attempts, r.maxAttempts,
        r.enqueuedAtMs, nullIfZero(r.startedAtMs), nullIfZero(r.finishedAtMs), r.notBeforeMs,
        r.progress.done, r.progress.total, notNull(r.progress.unit), nullIfEmpty(r.error),
        nullIfEmpty(r.output), nullIfEmpty(r.leaseOwner), r.leaseToken,
        nullIfZero(r.leaseExpiresAtMs), nullIfEmpty(r.avoidHost), r.avoidUntilMs, r.rev };
}

QVariantList updateValues(const JobRecord &r)
{
    return { static_cast<int>(r.state), static_cast<int>(r.control), r.attempts, r.maxAttempts,
        nullIfZero(r.startedAtMs), nullIfZero(r.finishedAtMs), r.notBeforeMs, r.progress.done,
        r.progress.total, notNull(r.progress.unit), nullIfEmpty(r.error), nullIfEmpty(r.output),
        nullIfEmpty(r.leaseOwner), r.leaseToken, nullIfZero(r.leaseExpiresAtMs),
        nullIfEmpty(r.avoidHost), r.avoidUntilMs, r.rev };
}

const QString kCreateRunnersTable =
    QStringLiteral("CREATE TABLE runners (owner TEXT PRIMARY KEY, host TEXT NOT NULL, pid BIGINT "
                   "NOT NULL, workers INTEGER NOT NULL, started_at "
                   "BIGINT NOT NULL, last_seen BIGINT NOT NULL)");

Error reportRunner(SqlSession &db, const RunnerInfo &r)
{
    // Runners that vanished without a word (a machine switched off) are forgotten after a day.
    constexpr qint64 kForgetAfterMs = 24LL * 3600 * 1000;
    if (Error e = db.exec(QStringLiteral("DELETE FROM runners WHERE last_seen < ?"),
            { r.lastSeenAtMs - kForgetAfterMs });
        e.isError())
        return e;
    return db.exec(QStringLiteral("INSERT INTO runners (owner, host, pid, workers, started_at, "
                                  "last_seen) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (owner) DO "
                                  "UPDATE SET workers = excluded.workers, last_seen = "
                                  "excluded.last_seen"),
        { r.owner, r.host, r.pid, r.workers, r.startedAtMs, r.lastSeenAtMs });
}

Error forgetRunner(SqlSession &db, const QString &owner)
{
    return db.exec(QStringLiteral("DELETE FROM runners WHERE owner = ?"), { owner });
}

Error runners(SqlSession &db, QList<RunnerInfo> *out)
{
    out->clear();
    // Jobs running counted from the jobs themselves: a report is up to ten seconds old.
    return db.select(QStringLiteral("SELECT owner, host, pid, workers, (SELECT COUNT(*) FROM jobs "
                                    "WHERE state = 2 AND lease_owner = runners.owner), "
                                    "started_at, last_seen FROM runners ORDER BY host, pid"),
        {}, [&](const QSqlQuery &q) {
            out->append(RunnerInfo { q.value(0).toString(), q.value(1).toString(),
                q.value(2).toLongLong(), q.value(3).toInt(), q.value(4).toInt(),
                q.value(5).toLongLong(), q.value(6).toLongLong() });
        });
}

} // namespace spool::sqlrecord
