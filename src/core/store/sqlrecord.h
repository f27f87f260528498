#pragma once

#include <QJsonDocument>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include "job/jobrecord.h"
#include "store/jobstore.h"

namespace spool {
class SqlSession;
}

namespace spool::sqlrecord {

// A job's columns, the same in every SQL store, in read() order. `key` (the row's own,
// immutable number) comes last and is not part of the record.
extern const QString kRecordColumns;
extern const QString kColumns; // kRecordColumns, then key
constexpr int kKeyColumn = 23;
// Placeholders for an INSERT of kRecordColumns.
extern const QString kRecordPlaceholders;
// "state = ?, …, rev = ?": what a transition can change, in updateValues() order.
extern const QString kUpdateAssignments;

// A row of kColumns (or kRecordColumns) as a record. `Row` reads a column: text(i), utf8(i),
// uuid(i), integer(i); a NULL reads as empty or 0. One reading for Qt's rows and SQLite's own.
template<typename Row>
JobRecord readRow(const Row &row, bool paramsAsText = false)
{
    JobRecord r;
    r.id = row.uuid(0);
    r.seq = row.integer(1);
    r.kind = row.repeatedText(2);
    if (paramsAsText) {
        r.paramsText = row.utf8(3);
        r.paramsText.squeeze(); // Qt's, from UTF-16 text: room for three bytes a character
    } else {
        r.params = QJsonDocument::fromJson(row.utf8(3)).object();
    }
    r.state = static_cast<JobState>(row.integer(4));
    r.control = static_cast<JobControl>(row.integer(5));
    r.attempts = int(row.integer(6));
    r.maxAttempts = int(row.integer(7));
    r.enqueuedAtMs = row.integer(8);
    r.startedAtMs = row.integer(9);
    r.finishedAtMs = row.integer(10);
    r.notBeforeMs = row.integer(11);
    r.progress.done = row.integer(12);
    r.progress.total = row.integer(13);
    r.progress.unit = row.repeatedText(14);
    r.error = row.text(15);
    r.output = row.text(16);
    r.leaseOwner = row.repeatedText(17);
    r.leaseToken = row.integer(18);
    r.leaseExpiresAtMs = row.integer(19);
    r.avoidHost = row.repeatedText(20);
    r.avoidUntilMs = row.integer(21);
    r.rev = row.integer(22);
    return r;
}

// A row of Qt's, for readRow().
class QtRow final
{
public:
    explicit QtRow(const QSqlQuery &q)
        : m_q(q)
    { }
    QString text(int column) const { return m_q.value(column).toString(); }
    QString repeatedText(int column) const { return text(column); }
    QByteArray utf8(int column) const { return m_q.value(column).toByteArray(); }
    QUuid uuid(int column) const { return QUuid::fromString(text(column)); }
    qint64 integer(int column) const { return m_q.value(column).toLongLong(); }

private:
    const QSqlQuery &m_q;
};

JobRecord read(const QSqlQuery &q, bool paramsAsText = false);
// Text columns that may be NULL are NULL when empty.
QVariant nullIfEmpty(const QString &value);
// The values of an INSERT of kRecordColumns.
QVariantList insertValues(const JobRecord &r);
// The values of kUpdateAssignments.
QVariantList updateValues(const JobRecord &r);

// The runner registry, the same table in both SQL stores.
extern const QString kCreateRunnersTable;
Error reportRunner(SqlSession &db, const RunnerInfo &runner);
Error forgetRunner(SqlSession &db, const QString &owner);
Error runners(SqlSession &db, QList<RunnerInfo> *out);

} // namespace spool::sqlrecord
