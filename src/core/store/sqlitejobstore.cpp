#include "sqlitejobstore.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <sqlite3.h>
#include <sys/stat.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include "job/jobtransitions.h"
#include "store/rowstore.h"
#include "store/sqlitestatements.h"
#include "store/sqlrecord.h"
#include "store/sqlrowstore.h"
#include "store/sqlsession.h"
#include "store/storethread.h"
#include "util/datadir.h"

namespace spool {

QString durabilityName(Durability durability)
{
    switch (durability) {
    case Durability::Normal:
        return QStringLiteral("normal");
    case Durability::Full:
        return QStringLiteral("full");
    case Durability::Invalid:
        break;
    }
    return QString();
}

Durability durabilityFromName(const QString &name)
{
    if (name == durabilityName(Durability::Normal))
        return Durability::Normal;
    if (name == durabilityName(Durability::Full))
        return Durability::Full;
    return Durability::Invalid;
}

namespace {

constexpr qint64 kApplicationId = 0x53504F4C; // "SPOL" in the database header
constexpr int kMaxRemovedRemembered = 10000;
constexpr int kBusyRetries = 6;

using sqlrecord::kColumns;
using sqlrecord::kKeyColumn;
using sqlrecord::kRecordColumns;

// Each step brings the schema to `version`. Never edit a shipped step: add a new one.
struct Migration
{
    int version;
    QStringList statements;
};

const QList<Migration> &migrations()
{
    static const QList<Migration> list {
        { 1,
            {
                QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) "
                               "WITHOUT ROWID"),
                QStringLiteral(
                    "INSERT INTO meta (key, value) VALUES ('rev', 0), ('seq', 0), ('queue_paused', "
                    "0), "
                    "('removed_floor', 0), ('count_1', 0), ('count_2', 0), ('count_3', 0), "
                    "('count_4', 0), ('count_5', 0), ('count_6', 0)"),
                // Rows are keyed by an integer in arrival order, so the jobs that a batch touches
                // share pages; every page a commit dirties is a write.
                QStringLiteral("CREATE TABLE jobs ("
                               " key INTEGER PRIMARY KEY,"
                               " id TEXT NOT NULL UNIQUE,"
                               " seq INTEGER NOT NULL,"
                               " kind TEXT NOT NULL,"
                               " params TEXT NOT NULL,"
                               " state INTEGER NOT NULL,"
                               " control INTEGER NOT NULL DEFAULT 0,"
                               " attempts INTEGER NOT NULL DEFAULT 0,"
                               " max_attempts INTEGER NOT NULL,"
                               " enqueued_at INTEGER NOT NULL,"
                               " started_at INTEGER,"
                               " finished_at INTEGER,"
                               " not_before INTEGER NOT NULL DEFAULT 0,"
                               " progress_done INTEGER NOT NULL DEFAULT 0,"
                               " progress_total INTEGER NOT NULL DEFAULT -1,"
                               " progress_unit TEXT NOT NULL DEFAULT '',"
                               " error TEXT,"
                               " output TEXT,"
                               " lease_owner TEXT,"
                               " lease_token INTEGER NOT NULL DEFAULT 0,"
                               " lease_expires INTEGER,"
                               " rev INTEGER NOT NULL)"),
                QStringLiteral("CREATE UNIQUE INDEX jobs_by_seq ON jobs (seq)"),
                QStringLiteral("CREATE INDEX jobs_by_rev ON jobs (rev)"),
                // Small partial indexes: the queued jobs in FIFO order, the retries waiting for
                // their time, the running jobs. A job enters and leaves each once.
                QStringLiteral("CREATE INDEX jobs_queued ON jobs (seq) WHERE state = 1"),
                QStringLiteral("CREATE INDEX jobs_waiting ON jobs (not_before) WHERE state = 1 AND "
                               "not_before > 0"),
                QStringLiteral("CREATE INDEX jobs_running ON jobs (key) WHERE state = 2"),
                QStringLiteral("CREATE TABLE removed (id TEXT PRIMARY KEY, rev INTEGER NOT NULL) "
                               "WITHOUT ROWID"),
                QStringLiteral("CREATE INDEX removed_by_rev ON removed (rev)"),
                QStringLiteral("CREATE TABLE job_events ("
                               " id INTEGER PRIMARY KEY,"
                               " job_key INTEGER NOT NULL,"
                               " at INTEGER NOT NULL,"
                               " attempt INTEGER NOT NULL,"
                               " event TEXT NOT NULL,"
                               " detail TEXT)"),
                QStringLiteral("CREATE INDEX job_events_by_job ON job_events (job_key, id)"),
            } },
        { 2,
            { sqlrecord::kCreateRunnersTable,
                // Retention (spoolctl prune) finds old finished jobs without reading the rest.
                QStringLiteral("CREATE INDEX jobs_by_finished ON jobs (finished_at)") } },
        { 3,
            { // Where a job's last attempt failed: other machines get it first (JobRecord).
                QStringLiteral("ALTER TABLE jobs ADD COLUMN avoid_host TEXT"),
                QStringLiteral(
                    "ALTER TABLE jobs ADD COLUMN avoid_until INTEGER NOT NULL DEFAULT 0") } },
        { 4,
            { // Which timeline events a row leaves out (transitions::DerivedEvents): a new job
              // both. Rows written before kept all theirs, and the ones not succeeded yet will
              // derive their "succeeded" (the lifecycle no longer returns one).
                QStringLiteral(
                    "ALTER TABLE jobs ADD COLUMN derived_events INTEGER NOT NULL DEFAULT 3"),
                QStringLiteral("UPDATE jobs SET derived_events = CASE WHEN state = 4 THEN 0 ELSE "
                               "2 END") } },
    };
    return list;
}

// The store's connection and its statements, used only on the store's thread.
class Db final : public SqlRowStore
{
public:
    // BEGIN IMMEDIATE holds the whole file: reads need no row locks.
    Db(QString connectionName, QString path)
        : SqlRowStore(std::move(connectionName), QString())
        , m_path(std::move(path))
    { }

    const QString &path() const { return m_path; }

    // Moves only when another connection commits: this one's writes leave it.
    Error othersWrites(qint64 *count) override
    {
        return selectInt(QStringLiteral("PRAGMA data_version"), {}, count);
    }

    bool execDirect(const QString &sql, const QVariantList &binds, Error *e) override
    {
        QSqlError failed;
        if (!m_direct.exec(m_handle, sql, binds, &failed))
            return false;
        if (failed.isValid())
            *e = error(failed, QStringLiteral("write"));
        return true;
    }

    bool selectRecordsDirect(const QString &sql, const QVariantList &binds, const RecordRowFn &row,
        bool paramsAsText, Error *e) override
    {
        QSqlError failed;
        RepeatedTexts repeated;
        const bool ran = m_direct.query(
            m_handle, sql, binds,
            [&](sqlite3_stmt *statement) {
                const SqliteRow columns(statement, &repeated);
                row(sqlrecord::readRow(columns, paramsAsText),
                    columns.integer(sqlrecord::kKeyColumn));
            },
            &failed);
        if (ran && failed.isValid())
            *e = error(failed, QStringLiteral("read"));
        return ran;
    }

    void closing() override
    {
        m_direct.clear();
        m_handle = nullptr;
    }

    // SQLite rolls a whole transaction back by itself after some errors (SQLITE_FULL, IOERR).
    bool inTransaction() const { return !m_handle || sqlite3_get_autocommit(m_handle) == 0; }

    Error open(int busyTimeoutMs)
    {
        create(QStringLiteral("QSQLITE"));
        database().setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(busyTimeoutMs));
        database().setDatabaseName(m_path);
        if (!database().open())
            return error(database().lastError(), QStringLiteral("open"));
        const QVariant handle = database().driver()->handle();
        if (qstrcmp(handle.typeName(), "sqlite3*") == 0)
            m_handle = *static_cast<sqlite3 *const *>(handle.constData());
        return {};
    }

    Error error(const QSqlError &e, const QString &action) const override
    {
        const int code = e.nativeErrorCode().toInt() & 0xff;
        // SQLITE_CORRUPT (11), SQLITE_NOTADB (26), SQLITE_CANTOPEN (14), SQLITE_PERM (3),
        // SQLITE_AUTH (23): the file, not the request, is the problem.
        const bool fileProblem = code == 11 || code == 26 || code == 14 || code == 3 || code == 23;
        QString text = e.databaseText();
        if (text.isEmpty())
            text = e.driverText();
        return makeError(fileProblem ? ErrorCode::Corrupt : ErrorCode::Storage,
            QStringLiteral("cannot %1 the queue database %2: %3").arg(action, m_path, text));
    }

    Error beginImmediate()
    {
        for (int attempt = 0;; ++attempt) {
            QSqlQuery q(database());
            if (q.exec(QStringLiteral("BEGIN IMMEDIATE")))
                break;
            const int code = q.lastError().nativeErrorCode().toInt() & 0xff;
            if (code != 5 /* SQLITE_BUSY */ || attempt + 1 >= kBusyRetries)
                return error(q.lastError(), QStringLiteral("lock"));
        }
        // Every change in the transaction gets its own revision (stamp()); the last one is
        // written back before the commit (storeRev()).
        const Error e =
            selectInt(QStringLiteral("SELECT value FROM meta WHERE key = 'rev'"), {}, &m_lastRev);
        if (e.isError())
            execOnce(QStringLiteral("ROLLBACK"));
        return e;
    }

    // A new revision for one change: two versions of a record never share one, even when
    // their writes land in the same group commit.
    qint64 stamp() { return ++m_lastRev; }

    Error storeRev() { return setMeta(QStringLiteral("rev"), m_lastRev); }

    qint64 meta(const QString &key, Error *e)
    {
        qint64 value = 0;
        *e = selectInt(QStringLiteral("SELECT value FROM meta WHERE key = ?"), { key }, &value);
        return value;
    }

    Error setMeta(const QString &key, qint64 value)
    {
        return exec(QStringLiteral("UPDATE meta SET value = ? WHERE key = ?"), { value, key });
    }

    // Reserves `count` sequence numbers; returns the first.
    Error reserveSeqs(qint64 count, QList<qint64> *seqs) override
    {
        seqs->clear();
        if (Error e = exec(
                QStringLiteral("UPDATE meta SET value = value + ? WHERE key = 'seq'"), { count });
            e.isError())
            return e;
        qint64 last = 0;
        if (Error e =
                selectInt(QStringLiteral("SELECT value FROM meta WHERE key = 'seq'"), {}, &last);
            e.isError())
            return e;
        seqs->reserve(count);
        for (qint64 seq = last - count + 1; seq <= last; ++seq)
            seqs->append(seq);
        return {};
    }

    Error insert(JobRecord &r, qint64 *key) override
    {
        r.rev = stamp();
        if (Error e = exec(QStringLiteral("INSERT INTO jobs (%1) VALUES (%2)")
                               .arg(kRecordColumns, sqlrecord::kRecordPlaceholders),
                sqlrecord::insertValues(r));
            e.isError())
            return e;
        if (Error e = adjustCount(r.state, 1); e.isError())
            return e;
        return selectInt(QStringLiteral("SELECT last_insert_rowid()"), {}, key);
    }

    // Writes the columns a transition can change. Kind, params and id never change; seq only
    // with a manual retry, and an index is only rewritten when its column is in the SET list.
    Error update(JobRecord &r, qint64 key, bool seqChanged)
    {
        r.rev = stamp();
        QVariantList binds = sqlrecord::updateValues(r);
        QString sql = QStringLiteral("UPDATE jobs SET %1").arg(sqlrecord::kUpdateAssignments);
        if (seqChanged) {
            sql += QStringLiteral(", seq = ?");
            binds.append(r.seq);
        }
        sql += QStringLiteral(" WHERE key = ?");
        binds.append(key);
        return exec(sql, binds);
    }

    Error remove(const QUuid &id, qint64 key, JobState state)
    {
        if (Error e = exec(QStringLiteral("DELETE FROM jobs WHERE key = ?"), { key }); e.isError())
            return e;
        if (Error e = exec(QStringLiteral("DELETE FROM job_events WHERE job_key = ?"), { key });
            e.isError())
            return e;
        if (Error e = exec(QStringLiteral("INSERT OR REPLACE INTO removed (id, rev) VALUES (?, ?)"),
                { idString(id), stamp() });
            e.isError())
            return e;
        if (Error e = adjustCount(state, -1); e.isError())
            return e;
        if (++m_removalsSincePrune >= 1000)
            return pruneRemoved();
        return {};
    }

    // Applies a transition outcome to the row `key`, which held `before` until now.
    Error apply(JobRecord &record, const transitions::Outcome &outcome, qint64 key,
        const JobRecord &before) override
    {
        if (outcome.deleteRecord)
            return remove(record.id, key, before.state);
        if (!outcome.changed)
            return {};
        if (Error e = update(record, key, record.seq != before.seq); e.isError())
            return e;
        if (record.state != before.state) {
            if (Error e = adjustCount(before.state, -1); e.isError())
                return e;
            if (Error e = adjustCount(record.state, 1); e.isError())
                return e;
        }
        return addEvents(key, outcome.events);
    }

    // BEGIN IMMEDIATE holds the whole file: one claim at a time already.
    Error lockForClaim() override { return {}; }

    // Ids are stored as lower-case text, all characters below '~': [prefix, prefix~).
    bool idPrefixCondition(
        const QString &prefix, QString *condition, QVariantList *binds) const override
    {
        *condition = QStringLiteral("id >= ? AND id < ?");
        *binds = { prefix, prefix + QLatin1Char('~') };
        return true;
    }

    bool isDuplicateId(const Error &e) const override
    {
        return e.message.contains(QLatin1String("UNIQUE constraint failed: jobs.id"));
    }

    // One statement for a batch (a finish of 128 jobs made 128 reads): the ids as one JSON array.
    Error loadMany(const QList<QUuid> &ids, QHash<QUuid, StoredRow> *rows) override
    {
        if (ids.size() < 2)
            return RowStore::loadMany(ids, rows);
        rows->clear();
        QByteArray list = "[";
        for (const QUuid &id : ids) {
            if (list.size() > 1)
                list += ',';
            list += '"' + id.toByteArray(QUuid::WithoutBraces) + '"';
        }
        list += ']';
        return selectRecords(QStringLiteral("SELECT %1 FROM jobs WHERE id IN (SELECT value FROM "
                                            "json_each(?))")
                                 .arg(sqlrecord::kColumns),
            { QString::fromLatin1(list) }, [&](JobRecord &&record, qint64 key) {
                const QUuid id = record.id;
                rows->insert(id, { std::move(record), key });
            });
    }

    // Jobs per state, kept in meta: counting 100,000 rows on every change would not do. The
    // changes add up here and are written once, before the commit (a batch of 128 finishes
    // made 256 updates of the same two rows); a request rolled back drops its own.
    Error adjustCount(JobState state, int delta)
    {
        m_requestCounts[static_cast<int>(state)] += delta;
        return {};
    }

    void endRequest(bool kept)
    {
        if (kept) {
            for (auto it = m_requestCounts.cbegin(); it != m_requestCounts.cend(); ++it)
                m_txnCounts[it.key()] += it.value();
        }
        m_requestCounts.clear();
    }

    Error storeCounts()
    {
        const QHash<int, qint64> counts = std::exchange(m_txnCounts, {});
        for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
            if (it.value() == 0)
                continue;
            if (Error e = exec(QStringLiteral("UPDATE meta SET value = value + ? WHERE key = ?"),
                    { it.value(), QStringLiteral("count_%1").arg(it.key()) });
                e.isError())
                return e;
        }
        return {};
    }

    void dropCounts()
    {
        m_requestCounts.clear();
        m_txnCounts.clear();
    }

private:
    // Forget old removals; a reader further behind than the floor reloads everything.
    Error pruneRemoved()
    {
        m_removalsSincePrune = 0;
        qint64 count = 0;
        if (Error e = selectInt(QStringLiteral("SELECT COUNT(*) FROM removed"), {}, &count);
            e.isError())
            return e;
        if (count <= kMaxRemovedRemembered)
            return {};
        qint64 floor = 0;
        if (Error e =
                selectInt(QStringLiteral("SELECT rev FROM removed ORDER BY rev LIMIT 1 OFFSET ?"),
                    { count - kMaxRemovedRemembered / 2 }, &floor);
            e.isError())
            return e;
        if (Error e = exec(QStringLiteral("DELETE FROM removed WHERE rev < ?"), { floor });
            e.isError())
            return e;
        return setMeta(QStringLiteral("removed_floor"), floor - 1);
    }

    QString m_path;
    sqlite3 *m_handle = nullptr; // the connection under Qt's driver
    SqliteStatements m_direct; // finalized before the connection closes (members go first)
    qint64 m_lastRev = 0;
    QHash<int, qint64> m_requestCounts; // by state, this request's changes
    QHash<int, qint64> m_txnCounts; // by state, the transaction's kept requests' changes
    int m_removalsSincePrune = 0;
};

// Opens or creates the schema; refuses foreign, newer or unreadable files without touching them.
Error initialize(Db &db, Durability durability)
{
    qint64 appId = 0;
    qint64 version = 0;
    qint64 tables = 0;
    // The first read of the file: a garbage file fails here with "file is not a database".
    if (Error e = db.selectInt(QStringLiteral("PRAGMA application_id"), {}, &appId); e.isError())
        return e;
    if (Error e = db.selectInt(QStringLiteral("PRAGMA user_version"), {}, &version); e.isError())
        return e;
    if (Error e = db.selectInt(QStringLiteral("SELECT COUNT(*) FROM sqlite_master"), {}, &tables);
        e.isError())
        return e;

    const bool fresh = version == 0 && tables == 0;
    if (!fresh && appId != kApplicationId)
        return makeError(ErrorCode::Corrupt,
            QStringLiteral("%1 is not a Spool queue database; it was left untouched")
                .arg(db.path()));
    if (version > SqliteJobStore::kSchemaVersion)
        return makeError(ErrorCode::Corrupt,
            QStringLiteral("%1 was written by a newer Spool (schema %2; this build reads up to "
                           "%3); it was left untouched")
                .arg(db.path())
                .arg(version)
                .arg(SqliteJobStore::kSchemaVersion));

    QString mode;
    if (Error e = db.execOnce(QStringLiteral("PRAGMA journal_mode = WAL"), &mode); e.isError())
        return e;
    if (mode.compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        return makeError(ErrorCode::Storage,
            QStringLiteral("%1: the file system does not support SQLite's WAL mode (got %2)")
                .arg(db.path(), mode));
    const QString sync =
        durability == Durability::Full ? QStringLiteral("FULL") : QStringLiteral("NORMAL");
    if (Error e = db.execOnce(QStringLiteral("PRAGMA synchronous = %1").arg(sync)); e.isError())
        return e;

    if (version < SqliteJobStore::kSchemaVersion && !fresh) {
        // Keep a copy of what the older build wrote before changing it.
        const QString backup = QStringLiteral("%1.schema%2.bak").arg(db.path()).arg(version);
        QFile::remove(backup);
        if (Error e = db.execOnce(
                QStringLiteral("VACUUM INTO '%1'")
                    .arg(QString(backup).replace(QLatin1Char('\''), QLatin1String("''"))));
            e.isError())
            return e;
    }
    for (const Migration &step : migrations()) {
        if (step.version <= version)
            continue;
        if (Error e = db.execOnce(QStringLiteral("BEGIN IMMEDIATE")); e.isError())
            return e;
        // Another process may have migrated while we waited for the lock.
        qint64 current = 0;
        if (Error e = db.selectInt(QStringLiteral("PRAGMA user_version"), {}, &current);
            e.isError()) {
            db.execOnce(QStringLiteral("ROLLBACK"));
            return e;
        }
        if (current >= step.version) {
            db.execOnce(QStringLiteral("COMMIT"));
            version = current;
            continue;
        }
        for (const QString &sql : step.statements) {
            if (Error e = db.execOnce(sql); e.isError()) {
                db.execOnce(QStringLiteral("ROLLBACK"));
                return e;
            }
        }
        if (Error e = db.execOnce(QStringLiteral("PRAGMA application_id = %1").arg(kApplicationId));
            e.isError()) {
            db.execOnce(QStringLiteral("ROLLBACK"));
            return e;
        }
        if (Error e = db.execOnce(QStringLiteral("PRAGMA user_version = %1").arg(step.version));
            e.isError()) {
            db.execOnce(QStringLiteral("ROLLBACK"));
            return e;
        }
        if (Error e = db.execOnce(QStringLiteral("COMMIT")); e.isError()) {
            db.execOnce(QStringLiteral("ROLLBACK"));
            return e;
        }
        version = step.version;
    }
    return {};
}

} // namespace

class SqliteJobStore::Private final : public StoreThread::Backend
{
public:
    explicit Private(const Options &opts, QString dbPath)
        : options(opts)
        , path(std::move(dbPath))
        , thread(this, std::chrono::milliseconds(options.changePollMs))
    { }

    Options options;
    QString path;

    std::mutex listenerMutex;
    std::function<void()> listener;

    // Store thread only.
    std::unique_ptr<Db> db;
    qint64 lastDataVersion = -1;

    StoreThread thread; // last: stops before the members above go

    Error call(bool write, std::function<Error(Db &)> fn)
    {
        return thread.call(write, [this, &fn] { return fn(*db); });
    }

    Error open() override
    {
        static std::atomic<int> counter { 0 };
        db = std::make_unique<Db>(QStringLiteral("spool-store-%1").arg(counter.fetch_add(1)), path);
        if (Error e = db->open(options.busyTimeoutMs); e.isError())
            return e;
        return initialize(*db, options.durability);
    }

    void close() override { db.reset(); }
    SqlSession &session() override { return *db; }

    // One snapshot for all the statements of a read.
    Error beginRead() override { return db->execOnce(QStringLiteral("BEGIN")); }
    void endRead() override { db->execOnce(QStringLiteral("COMMIT")); }
    Error beginWrite() override
    {
        db->dropCounts();
        return db->beginImmediate();
    }

    void endRequest(bool kept) override { db->endRequest(kept); }
    bool inTransaction() override { return db->inTransaction(); }

    Error commitWrite() override
    {
        if (Error e = db->storeCounts(); e.isError())
            return e;
        if (Error e = db->storeRev(); e.isError())
            return e;
        return db->execOnce(QStringLiteral("COMMIT"));
    }

    void rollbackWrite() override
    {
        db->dropCounts();
        db->execOnce(QStringLiteral("ROLLBACK"));
    }

    void idle() override
    {
        std::function<void()> notify;
        {
            std::lock_guard lock(listenerMutex);
            notify = listener;
        }
        if (!notify)
            return;
        qint64 version = 0;
        // Changes only when another connection commits: our own writes do not wake us.
        if (db->selectInt(QStringLiteral("PRAGMA data_version"), {}, &version).isError())
            return;
        const bool changed = lastDataVersion >= 0 && version != lastDataVersion;
        lastDataVersion = version;
        if (changed)
            notify();
    }
};

Result<std::unique_ptr<SqliteJobStore>> SqliteJobStore::open(const Options &options)
{
    if (options.dataDir.isEmpty())
        return makeError(ErrorCode::InvalidInput, QStringLiteral("no data directory given"));
    const QFileInfo dirInfo(options.dataDir);
    const QString path = datadir::databasePath(options.dataDir);
    if (dirInfo.exists() && !dirInfo.isDir())
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("data directory %1 is not a directory").arg(options.dataDir));
    // "No queue here" only when there is none: a folder it may not enter (or a path through a
    // file) is an error, never an empty list.
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0 && errno != ENOENT)
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("cannot look into data directory %1: %2")
                .arg(options.dataDir, qt_error_string(errno)));
    if (!QFileInfo::exists(path)) {
        if (!options.createIfMissing)
            return makeError(ErrorCode::NotFound,
                QStringLiteral("there is no queue in %1").arg(options.dataDir));
        if (!QDir().mkpath(options.dataDir))
            return makeError(ErrorCode::InvalidInput,
                QStringLiteral("cannot create data directory %1").arg(options.dataDir));
    } else {
        const QFileInfo fileInfo(path);
        if (!fileInfo.isFile() || !fileInfo.isReadable())
            return makeError(
                ErrorCode::Corrupt, QStringLiteral("cannot read the queue database %1").arg(path));
    }
    auto d = std::make_unique<Private>(options, path);
    if (Error e = d->thread.start(); e.isError())
        return e;
    return std::unique_ptr<SqliteJobStore>(new SqliteJobStore(std::move(d)));
}

SqliteJobStore::SqliteJobStore(std::unique_ptr<Private> p)
    : d(std::move(p))
{ }

SqliteJobStore::~SqliteJobStore() = default;

QString SqliteJobStore::location() const
{
    return d->path;
}

Error SqliteJobStore::withRows(bool write, const RowsFn &fn)
{
    return d->call(write, [&](Db &db) { return fn(db, db); });
}

Result<QueueCounts> SqliteJobStore::counts()
{
    QueueCounts counts;
    const Error e = d->call(false, [&](Db &db) -> Error {
        counts = QueueCounts {};
        return db.select(QStringLiteral("SELECT key, value FROM meta WHERE key LIKE 'count_%'"), {},
            [&](const QSqlQuery &q) {
                counts.adjust(static_cast<JobState>(q.value(0).toString().mid(6).toInt()),
                    q.value(1).toLongLong());
            });
    });
    if (e.isError())
        return e;
    return counts;
}

Result<bool> SqliteJobStore::queuePaused()
{
    qint64 paused = 0;
    const Error e = d->call(false, [&](Db &db) -> Error {
        return db.selectInt(
            QStringLiteral("SELECT value FROM meta WHERE key = 'queue_paused'"), {}, &paused);
    });
    if (e.isError())
        return e;
    return paused != 0;
}

Result<void> SqliteJobStore::setQueuePaused(bool paused, qint64 nowMs)
{
    Q_UNUSED(nowMs)
    return d->call(true, [&](Db &db) -> Error {
        db.stamp();
        return db.setMeta(QStringLiteral("queue_paused"), paused ? 1 : 0);
    });
}

Result<ChangeSet> SqliteJobStore::changesSince(qint64 rev)
{
    ChangeSet changes;
    const Error e = d->call(false, [&](Db &db) -> Error {
        changes = ChangeSet {};
        Error err;
        changes.rev = db.meta(QStringLiteral("rev"), &err);
        if (err.isError())
            return err;
        changes.queuePaused = db.meta(QStringLiteral("queue_paused"), &err) != 0;
        if (err.isError())
            return err;
        const qint64 floor = db.meta(QStringLiteral("removed_floor"), &err);
        if (err.isError())
            return err;
        changes.fullResync = rev < floor;
        const qint64 since = changes.fullResync ? -1 : rev;
        if (Error e2 = db.selectRecords(
                QStringLiteral("SELECT %1 FROM jobs WHERE rev > ? ORDER BY seq").arg(kColumns),
                { since },
                [&](JobRecord &&record, qint64) { changes.changed.append(std::move(record)); });
            e2.isError())
            return e2;
        if (changes.fullResync)
            return {};
        return db.select(QStringLiteral("SELECT id FROM removed WHERE rev > ?"), { rev },
            [&](const QSqlQuery &q) {
                changes.removed.append(QUuid::fromString(q.value(0).toString()));
            });
    });
    if (e.isError())
        return e;
    return changes;
}

Result<qint64> SqliteJobStore::currentRev()
{
    qint64 rev = 0;
    const Error e = d->call(false, [&](Db &db) -> Error {
        Error err;
        rev = db.meta(QStringLiteral("rev"), &err);
        return err;
    });
    if (e.isError())
        return e;
    return rev;
}

void SqliteJobStore::setExternalChangeListener(std::function<void()> listener)
{
    const bool subscribing = static_cast<bool>(listener);
    {
        std::lock_guard lock(d->listenerMutex);
        d->listener = std::move(listener);
    }
    if (!subscribing)
        return;
    // Take the baseline now: any commit by another connection after this call is reported.
    // The baseline lives on the store thread; a failed read leaves none (the next poll takes it).
    Q_UNUSED(d->call(false, [this](Db &db) {
        const Error e =
            db.selectInt(QStringLiteral("PRAGMA data_version"), {}, &d->lastDataVersion);
        if (e.isError())
            d->lastDataVersion = -1;
        return e;
    }))
}

Result<QString> SqliteJobStore::integrityCheck()
{
    QString verdict;
    const Error e = d->call(false, [&](Db &db) -> Error {
        verdict.clear();
        return db.select(QStringLiteral("PRAGMA integrity_check"), {}, [&](const QSqlQuery &q) {
            if (!verdict.isEmpty())
                verdict += QLatin1Char('\n');
            verdict += q.value(0).toString();
        });
    });
    if (e.isError())
        return e;
    return verdict;
}

} // namespace spool
