#pragma once

#include <functional>
#include <memory>
#include <unordered_map>

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include "job/jobrecord.h"
#include "util/result.h"

namespace spool {

// One database connection with its prepared statements, used on one thread only. The stores
// (SQLite, PostgreSQL) say what an error means; the statements are theirs.
class SqlSession
{
public:
    explicit SqlSession(QString connectionName);
    virtual ~SqlSession();
    Q_DISABLE_COPY_MOVE(SqlSession)

    QSqlDatabase &database() { return m_db; }
    const QSqlDatabase &database() const { return m_db; }
    // Adds the connection (driver "QSQLITE", "QPSQL"); open it through database().
    void create(const QString &driver);
    // Drops the connection and its statements.
    void close();
    // The server is gone: close() will not ask it to free the statements one by one (each
    // failed request would print a warning).
    void markLost() { m_lost = true; }

    // What a failed statement means; `action` is what was tried ("read", "write", "use").
    virtual Error error(const QSqlError &e, const QString &action) const = 0;

    // Executes a statement that returns no rows.
    Error exec(const QString &sql, const QVariantList &binds = {});
    // Executes a query and hands each row to `row`.
    template<typename RowFn>
    Error select(const QString &sql, const QVariantList &binds, RowFn &&row)
    {
        QSqlQuery *q = nullptr;
        if (Error e = run(sql, binds, QStringLiteral("read"), &q); e.isError())
            return e;
        while (q->next())
            row(*q);
        const QSqlError e = q->lastError();
        q->finish();
        if (e.isValid())
            return error(e, QStringLiteral("read"));
        return {};
    }
    Error selectInt(const QString &sql, const QVariantList &binds, qint64 *value);
    // A job's row and its key (sqlrecord::kColumns), for selectRecords().
    using RecordRowFn = std::function<void(JobRecord &&record, qint64 key)>;
    // Executes a query of sqlrecord::kColumns and hands each row's record and key to `row`.
    Error selectRecords(const QString &sql, const QVariantList &binds, const RecordRowFn &row,
        bool paramsAsText = false);
    // Runs a statement that is not cached (schema changes, transaction control, pragmas).
    Error execOnce(const QString &sql, QString *firstValue = nullptr);

protected:
    // A store that can run a statement returning no rows faster than through Qt does so here;
    // false: not run (Qt runs it).
    virtual bool execDirect(const QString &sql, const QVariantList &binds, Error *error)
    {
        Q_UNUSED(sql)
        Q_UNUSED(binds)
        Q_UNUSED(error)
        return false;
    }
    // The same for selectRecords().
    virtual bool selectRecordsDirect(const QString &sql, const QVariantList &binds,
        const RecordRowFn &row, bool paramsAsText, Error *error)
    {
        Q_UNUSED(sql)
        Q_UNUSED(binds)
        Q_UNUSED(row)
        Q_UNUSED(paramsAsText)
        Q_UNUSED(error)
        return false;
    }
    // Before the connection closes: what the store holds on it goes first. Not called when the
    // session is destroyed (a store's own members are gone by then, and free what they hold).
    virtual void closing() { }

private:
    Error prepared(const QString &sql, QSqlQuery **out);
    Error run(
        const QString &sql, const QVariantList &binds, const QString &action, QSqlQuery **out);

    struct QStringHash
    {
        size_t operator()(const QString &s) const { return qHash(s); }
    };

    QString m_name;
    bool m_lost = false;
    QSqlDatabase m_db;
    std::unordered_map<QString, std::unique_ptr<QSqlQuery>, QStringHash> m_statements;
};

} // namespace spool
