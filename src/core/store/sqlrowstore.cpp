#include "sqlrowstore.h"

#include "store/sqlrecord.h"

namespace spool {

using sqlrecord::kColumns;

SqlRowStore::SqlRowStore(QString connectionName, QString rowLock)
    : SqlSession(std::move(connectionName))
    , m_rowLock(std::move(rowLock))
{ }

Error SqlRowStore::load(const QUuid &id, JobRecord *record, bool *found, qint64 *key)
{
    *found = false;
    return selectRecords(
        QStringLiteral("SELECT %1 FROM jobs WHERE id = ?%2").arg(kColumns, m_rowLock),
        { idString(id) }, [&](JobRecord &&row, qint64 rowKey) {
            *record = std::move(row);
            *key = rowKey;
            *found = true;
        });
}

Error SqlRowStore::addEvents(qint64 key, const QList<JobEvent> &events)
{
    for (const JobEvent &ev : events) {
        if (Error e = exec(QStringLiteral("INSERT INTO job_events (job_key, at, attempt, event, "
                                          "detail) VALUES (?, ?, ?, ?, ?)"),
                { key, ev.atMs, ev.attempt, ev.event, sqlrecord::nullIfEmpty(ev.detail) });
            e.isError())
            return e;
    }
    return {};
}

Error SqlRowStore::setDerivedEvents(const QList<qint64> &keys, const QList<int> &derived)
{
    for (qsizetype i = 0; i < keys.size(); ++i) {
        if (Error e = exec(QStringLiteral("UPDATE jobs SET derived_events = ? WHERE key = ?"),
                { derived.at(i), keys.at(i) });
            e.isError())
            return e;
    }
    return {};
}

Error SqlRowStore::running(QList<StoredRow> *rows, const QStringList *kinds)
{
    rows->clear();
    QString sql = QStringLiteral("SELECT %1 FROM jobs WHERE state = 2").arg(kColumns);
    QVariantList binds;
    if (kinds) {
        if (kinds->isEmpty())
            return {};
        QStringList marks;
        for (const QString &kind : *kinds) {
            marks.append(QStringLiteral("?"));
            binds.append(kind);
        }
        sql += QStringLiteral(" AND kind IN (%1)").arg(marks.join(QLatin1Char(',')));
    }
    return selectRecords(sql, binds, [&](JobRecord &&record, qint64 key) {
        rows->append({ std::move(record), key });
    });
}

Error SqlRowStore::claimable(qint64 nowMs, qint64 afterSeq, const QStringList &skippedKinds,
    int limit, QList<StoredRow> *page)
{
    page->clear();
    QString sql =
        QStringLiteral("SELECT %1 FROM jobs WHERE state = 1 AND not_before <= ? AND seq > ?")
            .arg(kColumns);
    QVariantList binds { nowMs, afterSeq };
    for (const QString &kind : skippedKinds) {
        sql += QStringLiteral(" AND kind <> ?");
        binds.append(kind);
    }
    // Unlocked: claims are made one at a time (lockForClaim), and locking each row read past
    // (a capped host's backlog) cost a lock and its WAL record per row.
    sql += QStringLiteral(" ORDER BY seq LIMIT %1").arg(limit);
    return selectRecords(sql, binds, [&](JobRecord &&record, qint64 key) {
        page->append({ std::move(record), key });
    });
}

Error SqlRowStore::nextWake(qint64 nowMs, qint64 *atMs)
{
    return selectInt(QStringLiteral("SELECT COALESCE(MIN(not_before), 0) FROM jobs WHERE state = "
                                    "1 AND not_before > 0 AND not_before > ?"),
        { nowMs }, atMs);
}

} // namespace spool
