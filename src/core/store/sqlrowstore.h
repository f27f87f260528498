#pragma once

#include "store/rowstore.h"
#include "store/sqlsession.h"

namespace spool {

// The reads and writes of a job row that are the same SQL in SQLite and PostgreSQL. `rowLock`
// is what a read that is about to change rows adds ("" where the transaction holds the whole
// database, " FOR UPDATE" where it holds rows).
class SqlRowStore : public SqlSession, public RowStore
{
public:
    SqlRowStore(QString connectionName, QString rowLock);

    Error load(const QUuid &id, JobRecord *record, bool *found, qint64 *key) override;
    Error addEvents(qint64 key, const QList<JobEvent> &events) override;
    Error setDerivedEvents(const QList<qint64> &keys, const QList<int> &derived) override;
    Error running(QList<StoredRow> *rows, const QStringList *kinds = nullptr) override;
    Error claimable(qint64 nowMs, qint64 afterSeq, const QStringList &skippedKinds, int limit,
        QList<StoredRow> *page) override;
    Error nextWake(qint64 nowMs, qint64 *atMs) override;

private:
    QString m_rowLock;
};

} // namespace spool
