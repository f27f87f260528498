#include "sqlsession.h"

#include "store/sqlrecord.h"

namespace spool {

namespace {
// Statements with a variable number of placeholders could grow the cache forever.
constexpr size_t kMaxStatements = 256;
} // namespace

SqlSession::SqlSession(QString connectionName)
    : m_name(std::move(connectionName))
{ }

SqlSession::~SqlSession()
{
    close();
}

void SqlSession::create(const QString &driver)
{
    close();
    m_db = QSqlDatabase::addDatabase(driver, m_name);
}

void SqlSession::close()
{
    closing();
    if (m_lost) {
        // Without its driver a statement frees only itself (QSqlResult's driver is a weak
        // pointer); no handle but ours holds the connection, so removing it warns of nothing.
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
        m_statements.clear();
        m_lost = false;
        return;
    }
    m_statements.clear();
    if (!m_db.isValid())
        return;
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_name);
}

Error SqlSession::exec(const QString &sql, const QVariantList &binds)
{
    if (Error e; execDirect(sql, binds, &e))
        return e;
    QSqlQuery *q = nullptr;
    if (Error e = run(sql, binds, QStringLiteral("write"), &q); e.isError())
        return e;
    q->finish();
    return {};
}

Error SqlSession::selectInt(const QString &sql, const QVariantList &binds, qint64 *value)
{
    *value = 0;
    return select(sql, binds, [&](const QSqlQuery &q) { *value = q.value(0).toLongLong(); });
}

Error SqlSession::selectRecords(
    const QString &sql, const QVariantList &binds, const RecordRowFn &row, bool paramsAsText)
{
    if (Error e; selectRecordsDirect(sql, binds, row, paramsAsText, &e))
        return e;
    return select(sql, binds, [&](const QSqlQuery &q) {
        row(sqlrecord::read(q, paramsAsText), q.value(sqlrecord::kKeyColumn).toLongLong());
    });
}

Error SqlSession::execOnce(const QString &sql, QString *firstValue)
{
    QSqlQuery q(m_db);
    if (!q.exec(sql))
        return error(q.lastError(), QStringLiteral("use"));
    if (firstValue && q.next())
        *firstValue = q.value(0).toString();
    return {};
}

Error SqlSession::prepared(const QString &sql, QSqlQuery **out)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        if (m_statements.size() >= kMaxStatements)
            m_statements.clear();
        auto q = std::make_unique<QSqlQuery>(m_db);
        q->setForwardOnly(true);
        if (!q->prepare(sql))
            return error(q->lastError(), QStringLiteral("use"));
        it = m_statements.emplace(sql, std::move(q)).first;
    }
    *out = it->second.get();
    return {};
}

Error SqlSession::run(
    const QString &sql, const QVariantList &binds, const QString &action, QSqlQuery **out)
{
    if (Error e = prepared(sql, out); e.isError())
        return e;
    QSqlQuery *q = *out;
    for (int i = 0; i < binds.size(); ++i)
        q->bindValue(i, binds.at(i));
    if (!q->exec())
        return error(q->lastError(), action);
    return {};
}

} // namespace spool
