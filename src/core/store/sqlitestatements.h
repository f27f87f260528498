#pragma once

#include <functional>
#include <unordered_map>
#include <vector>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QSqlError>
#include <QString>
#include <QUuid>
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
    // The same for a query: each row goes to `row` as it is stepped. Qt's driver first copied
    // every column of a row into a QVariant, and the caller copied it out again.
    bool query(sqlite3 *db, const QString &sql, const QVariantList &binds,
        const std::function<void(sqlite3_stmt *)> &row, QSqlError *error);
    // Finalizes every statement; the connection cannot close while one is left.
    void clear();

private:
    // The statement for `sql` with `binds` bound, or null: when not run (`*handled` false) or
    // failed (`error`).
    sqlite3_stmt *bound(sqlite3 *db, const QString &sql, const QVariantList &binds,
        QSqlError *error, bool *handled);
    struct Hash
    {
        size_t operator()(const QString &s) const { return qHash(s); }
    };
    std::unordered_map<QString, sqlite3_stmt *, Hash> m_statements;
    QList<sqlite3_stmt *> m_stepping; // by query(), innermost last
};

// Texts that many rows of one query share (a kind, a progress unit, a runner's name), each kept
// once: a snapshot of 1,000,000 jobs made two strings a job of the same few words.
class RepeatedTexts final
{
public:
    QString text(int column, QByteArrayView bytes);

private:
    struct Seen
    {
        int column;
        QByteArray bytes;
        QString text;
    };
    std::vector<Seen> m_seen; // a few per column: looked through in order
};

// One row of a statement being stepped, read as sqlrecord::readRow() reads: UTF-8 text straight
// from SQLite, no QVariant on the way. A NULL reads as a null string, empty bytes or 0.
class SqliteRow final
{
public:
    explicit SqliteRow(sqlite3_stmt *statement, RepeatedTexts *repeated = nullptr)
        : m_statement(statement)
        , m_repeated(repeated)
    { }
    QString text(int column) const;
    // A text that other rows likely have too: shared with them when there is a RepeatedTexts.
    QString repeatedText(int column) const;
    QByteArray utf8(int column) const;
    QUuid uuid(int column) const;
    qint64 integer(int column) const;

private:
    QByteArrayView bytes(int column) const; // null for NULL

    sqlite3_stmt *m_statement;
    RepeatedTexts *m_repeated;
};

} // namespace spool
