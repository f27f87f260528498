#include "sqlitestatements.h"

#include <algorithm>
#include <sqlite3.h>

namespace spool {

namespace {

constexpr size_t kMaxStatements = 256; // as SqlSession's cache: placeholders vary with batches

bool bindable(const QVariant &value)
{
    switch (value.metaType().id()) {
    case QMetaType::UnknownType:
    case QMetaType::Bool:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::Double:
    case QMetaType::QString:
    case QMetaType::QByteArray:
        return true;
    default:
        return false;
    }
}

// Binds without copying: the values outlive the statement's step, and the bindings are
// cleared right after it.
int bind(sqlite3_stmt *statement, int at, const QVariant &value)
{
    if (value.isNull()) // also a typed null, as the driver binds it
        return sqlite3_bind_null(statement, at);
    switch (value.metaType().id()) {
    case QMetaType::UnknownType:
        return sqlite3_bind_null(statement, at);
    case QMetaType::Double:
        return sqlite3_bind_double(statement, at, value.toDouble());
    case QMetaType::QString: {
        const auto *text = static_cast<const QString *>(value.constData());
        if (text->isNull())
            return sqlite3_bind_null(statement, at);
        return sqlite3_bind_text16(statement, at, text->unicode(),
            int(text->size() * qsizetype(sizeof(QChar))), SQLITE_STATIC);
    }
    case QMetaType::QByteArray: {
        const auto *bytes = static_cast<const QByteArray *>(value.constData());
        if (bytes->isNull())
            return sqlite3_bind_null(statement, at);
        return sqlite3_bind_blob(
            statement, at, bytes->constData(), int(bytes->size()), SQLITE_STATIC);
    }
    default:
        return sqlite3_bind_int64(statement, at, value.toLongLong());
    }
}

QSqlError failure(sqlite3 *db, int code)
{
    return QSqlError(QString(), QString::fromUtf8(sqlite3_errmsg(db)), QSqlError::StatementError,
        QString::number(code));
}

} // namespace

SqliteStatements::~SqliteStatements()
{
    clear();
}

void SqliteStatements::clear()
{
    for (auto &[sql, statement] : m_statements)
        sqlite3_finalize(statement);
    m_statements.clear();
}

sqlite3_stmt *SqliteStatements::bound(
    sqlite3 *db, const QString &sql, const QVariantList &binds, QSqlError *error, bool *handled)
{
    *error = QSqlError();
    *handled = false;
    if (!db || !std::all_of(binds.cbegin(), binds.cend(), bindable))
        return nullptr;
    auto it = m_statements.find(sql);
    // A row handler that runs statements itself: the one being stepped is neither used again
    // (Qt's path runs it) nor finalized.
    if (it != m_statements.end() && m_stepping.contains(it->second))
        return nullptr;
    if (it == m_statements.end()) {
        if (m_statements.size() >= kMaxStatements && m_stepping.isEmpty())
            clear();
        sqlite3_stmt *statement = nullptr;
        const QByteArray text = sql.toUtf8();
        const char *rest = nullptr;
        const int code = sqlite3_prepare_v3(
            db, text.constData(), int(text.size()), SQLITE_PREPARE_PERSISTENT, &statement, &rest);
        if (code != SQLITE_OK) {
            *error = failure(db, code);
            sqlite3_finalize(statement);
            *handled = true;
            return nullptr;
        }
        // One statement at a time, as through Qt (which refuses more).
        if (!statement || !QByteArray(rest).trimmed().isEmpty()) {
            sqlite3_finalize(statement);
            return nullptr;
        }
        it = m_statements.emplace(sql, statement).first;
    }
    *handled = true;
    sqlite3_stmt *statement = it->second;
    if (sqlite3_bind_parameter_count(statement) != binds.size()) {
        *error = QSqlError(
            QStringLiteral("Parameter count mismatch"), QString(), QSqlError::StatementError);
        return nullptr;
    }
    int code = SQLITE_OK;
    for (int i = 0; i < binds.size() && code == SQLITE_OK; ++i)
        code = bind(statement, i + 1, binds.at(i));
    if (code != SQLITE_OK) {
        *error = failure(db, code);
        sqlite3_clear_bindings(statement);
        return nullptr;
    }
    return statement;
}

bool SqliteStatements::exec(
    sqlite3 *db, const QString &sql, const QVariantList &binds, QSqlError *error)
{
    return query(db, sql, binds, {}, error);
}

bool SqliteStatements::query(sqlite3 *db, const QString &sql, const QVariantList &binds,
    const std::function<void(sqlite3_stmt *)> &row, QSqlError *error)
{
    bool handled = false;
    sqlite3_stmt *statement = bound(db, sql, binds, error, &handled);
    if (!statement)
        return handled;
    int code = SQLITE_OK;
    m_stepping.append(statement);
    do {
        code = sqlite3_step(statement);
        if (code == SQLITE_ROW && row)
            row(statement);
    } while (code == SQLITE_ROW);
    m_stepping.removeLast();
    if (code != SQLITE_DONE)
        *error = failure(db, code);
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    return true;
}

QByteArrayView SqliteRow::bytes(int column) const
{
    // The text first, then its length: the order SQLite asks for.
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
    return text ? QByteArrayView(text, sqlite3_column_bytes(m_statement, column))
                : QByteArrayView();
}

QString SqliteRow::text(int column) const
{
    const QByteArrayView view = bytes(column);
    return view.isNull() ? QString() : QString::fromUtf8(view);
}

QString SqliteRow::repeatedText(int column) const
{
    if (!m_repeated)
        return text(column);
    const QByteArrayView view = bytes(column);
    return view.isNull() ? QString() : m_repeated->text(column, view);
}

QString RepeatedTexts::text(int column, QByteArrayView bytes)
{
    constexpr int kKeptPerColumn = 8; // more different values than that are not "repeated"
    int kept = 0;
    for (const Seen &seen : m_seen) {
        if (seen.column != column)
            continue;
        if (seen.bytes == bytes)
            return seen.text;
        ++kept;
    }
    QString text = QString::fromUtf8(bytes);
    if (kept < kKeptPerColumn)
        m_seen.push_back({ column, bytes.toByteArray(), text });
    return text;
}

QByteArray SqliteRow::utf8(int column) const
{
    return bytes(column).toByteArray();
}

QUuid SqliteRow::uuid(int column) const
{
    return QUuid::fromString(QLatin1StringView(bytes(column)));
}

qint64 SqliteRow::integer(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

} // namespace spool
