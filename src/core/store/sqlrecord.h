#pragma once

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
