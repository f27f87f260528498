#pragma once

#include <unordered_map>

#include <QSqlError>
#include <QString>
#include <QVariantList>

struct sqlite3;
struct sqlite3_stmt;

namespace spool {

// Statements that return no rows, run through SQLite's own API with their values bound
// directly (the SQLite library Qt's driver uses: Debian's Qt links the system's). Qt 6.4's
// QSqlResult::bindValue formats a placeholder name and looks it up in a hash for every value it
// binds: that was a third of the CPU of the queue's whole job lifecycle (perf, bench_lifecycle). On
// the connection's own thread, inside its transactions.
class SqliteStatements final
{
public:
    SqliteStatements() = default;
    ~SqliteStatements();
    Q_DISABLE_COPY_MOVE(SqliteStatements)

    // Runs `sql` with `binds` on `db`; false when a value is of a type it does not bind (nothing
    // ran: Qt's path runs it). A failure is in `error`, as Qt's SQLite driver would give it.
    bool exec(sqlite3 *db, const QString &sql, const QVariantList &binds, QSqlError *error);
    // Finalizes every statement; the connection cannot close while one is left.
    void clear();

private:
    struct Hash
    {
        size_t operator()(const QString &s) const { return qHash(s); }
    };
    std::unordered_map<QString, sqlite3_stmt *, Hash> m_statements;
};

} // namespace spool
