#include "sqlitejobstore.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <sys/stat.h>
#include <thread>
#include <unordered_map>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include "job/jobtransitions.h"
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
constexpr int kClaimPageSize = 64;
constexpr int kMaxRemovedRemembered = 10000;
constexpr int kBusyRetries = 6;

// The record's columns, in readRecord() order. `key` (the row's own, immutable number) comes
// last and is not part of the record.
const QString kRecordColumns = QStringLiteral(
    "id, seq, kind, params, state, control, attempts, max_attempts, enqueued_at, started_at, "
    "finished_at, not_before, progress_done, progress_total, progress_unit, error, output, "
    "lease_owner, lease_token, lease_expires, rev");
const QString kColumns = kRecordColumns + QStringLiteral(", key");
constexpr int kKeyColumn = 21;

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
    };
    return list;
}

QVariant nullIfZero(qint64 value)
{
    return value == 0 ? QVariant() : QVariant(value);
}

// A NOT NULL text column: a null QString would bind as SQL NULL.
QString notNull(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

QVariant nullIfEmpty(const QString &value)
{
    return value.isEmpty() ? QVariant() : QVariant(value);
}

JobRecord readRecord(const QSqlQuery &q)
{
    JobRecord r;
    r.id = QUuid::fromString(q.value(0).toString());
    r.seq = q.value(1).toLongLong();
    r.kind = q.value(2).toString();
    r.params = QJsonDocument::fromJson(q.value(3).toByteArray()).object();
    r.state = static_cast<JobState>(q.value(4).toInt());
    r.control = static_cast<JobControl>(q.value(5).toInt());
    r.attempts = q.value(6).toInt();
    r.maxAttempts = q.value(7).toInt();
    r.enqueuedAtMs = q.value(8).toLongLong();
    r.startedAtMs = q.value(9).toLongLong();
    r.finishedAtMs = q.value(10).toLongLong();
    r.notBeforeMs = q.value(11).toLongLong();
    r.progress.done = q.value(12).toLongLong();
    r.progress.total = q.value(13).toLongLong();
    r.progress.unit = q.value(14).toString();
    r.error = q.value(15).toString();
    r.output = q.value(16).toString();
    r.leaseOwner = q.value(17).toString();
    r.leaseToken = q.value(18).toLongLong();
    r.leaseExpiresAtMs = q.value(19).toLongLong();
    r.rev = q.value(20).toLongLong();
    return r;
}

// One connection, used only on the store's thread.
class Db
{
public:
    Db(QString connectionName, QString path)
        : m_name(std::move(connectionName))
        , m_path(std::move(path))
    { }
    Q_DISABLE_COPY_MOVE(Db)
    ~Db()
    {
        m_statements.clear();
        if (m_db.isValid())
            m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }

    const QString &path() const { return m_path; }

    Error open(int busyTimeoutMs)
    {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(busyTimeoutMs));
        m_db.setDatabaseName(m_path);
        if (!m_db.open())
            return error(m_db.lastError(), QStringLiteral("cannot open the queue database"));
        return {};
    }

    Error error(const QSqlError &e, const QString &what) const
    {
        const int code = e.nativeErrorCode().toInt() & 0xff;
        // SQLITE_CORRUPT (11), SQLITE_NOTADB (26), SQLITE_CANTOPEN (14), SQLITE_PERM (3),
        // SQLITE_AUTH (23): the file, not the request, is the problem.
        const bool fileProblem = code == 11 || code == 26 || code == 14 || code == 3 || code == 23;
        QString text = e.databaseText();
        if (text.isEmpty())
            text = e.driverText();
        return makeError(fileProblem ? ErrorCode::Corrupt : ErrorCode::Storage,
            QStringLiteral("%1 %2: %3").arg(what, m_path, text));
    }

    // Executes a statement that returns no rows.
    Error exec(const QString &sql, const QVariantList &binds = {})
    {
        QSqlQuery *q = nullptr;
        if (Error e = prepared(sql, &q); e.isError())
            return e;
        for (int i = 0; i < binds.size(); ++i)
            q->bindValue(i, binds.at(i));
        if (!q->exec())
            return error(q->lastError(), QStringLiteral("cannot write the queue database"));
        q->finish();
        return {};
    }

    // Executes a query and hands each row to `row`.
    template<typename RowFn>
    Error select(const QString &sql, const QVariantList &binds, RowFn &&row)
    {
        QSqlQuery *q = nullptr;
        if (Error e = prepared(sql, &q); e.isError())
            return e;
        for (int i = 0; i < binds.size(); ++i)
            q->bindValue(i, binds.at(i));
        if (!q->exec())
            return error(q->lastError(), QStringLiteral("cannot read the queue database"));
        while (q->next())
            row(*q);
        const QSqlError e = q->lastError();
        q->finish();
        if (e.isValid())
            return error(e, QStringLiteral("cannot read the queue database"));
        return {};
    }

    Error selectInt(const QString &sql, const QVariantList &binds, qint64 *value)
    {
        *value = 0;
        return select(sql, binds, [&](const QSqlQuery &q) { *value = q.value(0).toLongLong(); });
    }

    // Runs a statement that is not cached (schema changes, pragmas that change per call).
    Error execOnce(const QString &sql, QString *firstValue = nullptr)
    {
        QSqlQuery q(m_db);
        if (!q.exec(sql))
            return error(q.lastError(), QStringLiteral("cannot use the queue database"));
        if (firstValue && q.next())
            *firstValue = q.value(0).toString();
        return {};
    }

    Error beginImmediate()
    {
        for (int attempt = 0;; ++attempt) {
            QSqlQuery q(m_db);
            if (q.exec(QStringLiteral("BEGIN IMMEDIATE")))
                break;
            const int code = q.lastError().nativeErrorCode().toInt() & 0xff;
            if (code != 5 /* SQLITE_BUSY */ || attempt + 1 >= kBusyRetries)
                return error(q.lastError(), QStringLiteral("cannot lock the queue database"));
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
    Error reserveSeq(qint64 count, qint64 *first)
    {
        if (Error e = exec(
                QStringLiteral("UPDATE meta SET value = value + ? WHERE key = 'seq'"), { count });
            e.isError())
            return e;
        qint64 last = 0;
        if (Error e =
                selectInt(QStringLiteral("SELECT value FROM meta WHERE key = 'seq'"), {}, &last);
            e.isError())
            return e;
        *first = last - count + 1;
        return {};
    }

    Error load(const QUuid &id, JobRecord *record, bool *found, qint64 *key)
    {
        *found = false;
        return select(QStringLiteral("SELECT %1 FROM jobs WHERE id = ?").arg(kColumns),
            { idString(id) }, [&](const QSqlQuery &q) {
                *record = readRecord(q);
                *key = q.value(kKeyColumn).toLongLong();
                *found = true;
            });
    }

    Error insert(JobRecord &r, qint64 *key)
    {
        r.rev = stamp();
        if (Error e = exec(QStringLiteral("INSERT INTO jobs (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                                          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                               .arg(kRecordColumns),
                { idString(r.id), r.seq, r.kind,
                    QString::fromUtf8(QJsonDocument(r.params).toJson(QJsonDocument::Compact)),
                    static_cast<int>(r.state), static_cast<int>(r.control), r.attempts,
                    r.maxAttempts, r.enqueuedAtMs, nullIfZero(r.startedAtMs),
                    nullIfZero(r.finishedAtMs), r.notBeforeMs, r.progress.done, r.progress.total,
                    notNull(r.progress.unit), nullIfEmpty(r.error), nullIfEmpty(r.output),
                    nullIfEmpty(r.leaseOwner), r.leaseToken, nullIfZero(r.leaseExpiresAtMs),
                    r.rev });
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
        QVariantList binds { static_cast<int>(r.state), static_cast<int>(r.control), r.attempts,
            r.maxAttempts, nullIfZero(r.startedAtMs), nullIfZero(r.finishedAtMs), r.notBeforeMs,
            r.progress.done, r.progress.total, notNull(r.progress.unit), nullIfEmpty(r.error),
            nullIfEmpty(r.output), nullIfEmpty(r.leaseOwner), r.leaseToken,
            nullIfZero(r.leaseExpiresAtMs), r.rev };
        QString sql = QStringLiteral(
            "UPDATE jobs SET state = ?, control = ?, attempts = ?, max_attempts = ?, "
            "started_at = ?, finished_at = ?, not_before = ?, progress_done = ?, "
            "progress_total = ?, progress_unit = ?, error = ?, output = ?, lease_owner = ?, "
            "lease_token = ?, lease_expires = ?, rev = ?");
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

    Error addEvents(qint64 key, const QList<JobEvent> &events)
    {
        for (const JobEvent &ev : events) {
            if (Error e = exec(QStringLiteral("INSERT INTO job_events (job_key, at, attempt, "
                                              "event, detail) VALUES (?, ?, ?, ?, ?)"),
                    { key, ev.atMs, ev.attempt, ev.event, nullIfEmpty(ev.detail) });
                e.isError())
                return e;
        }
        return {};
    }

    // Applies a transition outcome to the row `key`, which held `before` until now.
    Error apply(
        JobRecord &record, const transitions::Outcome &outcome, qint64 key, const JobRecord &before)
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

    // Jobs per state, kept in meta: counting 100,000 rows on every change would not do.
    Error adjustCount(JobState state, int delta)
    {
        return exec(QStringLiteral("UPDATE meta SET value = value + ? WHERE key = ?"),
            { delta, QStringLiteral("count_%1").arg(static_cast<int>(state)) });
    }

private:
    Error prepared(const QString &sql, QSqlQuery **out)
    {
        auto it = m_statements.find(sql);
        if (it == m_statements.end()) {
            // Statements with a variable number of placeholders could grow the cache forever.
            if (m_statements.size() >= 256)
                m_statements.clear();
            auto q = std::make_unique<QSqlQuery>(m_db);
            q->setForwardOnly(true);
            if (!q->prepare(sql))
                return error(q->lastError(), QStringLiteral("cannot use the queue database"));
            it = m_statements.emplace(sql, std::move(q)).first;
        }
        *out = it->second.get();
        return {};
    }

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

    struct QStringHash
    {
        size_t operator()(const QString &s) const { return qHash(s); }
    };

    QString m_name;
    QString m_path;
    QSqlDatabase m_db;
    std::unordered_map<QString, std::unique_ptr<QSqlQuery>, QStringHash> m_statements;
    qint64 m_lastRev = 0;
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

class SqliteJobStore::Private
{
public:
    struct Request
    {
        bool write = false;
        std::function<Error(Db &)> fn;
        std::promise<Error> done;
    };

    Options options;
    QString path;

    std::thread thread;
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Request *> queue;
    bool stopping = false;

    std::mutex listenerMutex;
    std::function<void()> listener;

    // Store thread only.
    std::unique_ptr<Db> db;
    qint64 lastDataVersion = -1;

    Error call(bool write, std::function<Error(Db &)> fn)
    {
        Request request;
        request.write = write;
        request.fn = std::move(fn);
        std::future<Error> result = request.done.get_future();
        {
            std::lock_guard lock(mutex);
            queue.push_back(&request);
        }
        wake.notify_one();
        return result.get();
    }

    void run(std::promise<Error> &opened)
    {
        static std::atomic<int> counter { 0 };
        db = std::make_unique<Db>(QStringLiteral("spool-store-%1").arg(counter.fetch_add(1)), path);
        Error e = db->open(options.busyTimeoutMs);
        if (!e.isError())
            e = initialize(*db, options.durability);
        if (e.isError()) {
            db.reset();
            opened.set_value(e);
            return;
        }
        opened.set_value(Error {});

        const auto pollInterval = std::chrono::milliseconds(qMax(10, options.changePollMs));
        auto nextPoll = std::chrono::steady_clock::now() + pollInterval;
        for (;;) {
            std::vector<Request *> batch;
            {
                std::unique_lock lock(mutex);
                wake.wait_until(lock, nextPoll, [this] { return stopping || !queue.empty(); });
                if (queue.empty() && stopping)
                    break;
                batch.assign(queue.begin(), queue.end());
                queue.clear();
            }
            process(batch);
            if (std::chrono::steady_clock::now() >= nextPoll) {
                pollExternalChanges();
                nextPoll = std::chrono::steady_clock::now() + pollInterval;
            }
        }
        db.reset();
    }

    void process(std::vector<Request *> &batch)
    {
        size_t i = 0;
        while (i < batch.size()) {
            if (!batch[i]->write) {
                runRead(*batch[i]);
                ++i;
                continue;
            }
            size_t end = i;
            while (end < batch.size() && batch[end]->write)
                ++end;
            runWrites(batch, i, end);
            i = end;
        }
    }

    void runRead(Request &request)
    {
        // One snapshot for all the statements of a read.
        Error e = db->execOnce(QStringLiteral("BEGIN"));
        if (!e.isError()) {
            e = request.fn(*db);
            db->execOnce(QStringLiteral("COMMIT"));
        }
        request.done.set_value(e);
    }

    // Group commit: every write request of the batch in one transaction, each in a savepoint.
    void runWrites(std::vector<Request *> &batch, size_t begin, size_t end)
    {
        std::vector<Error> results(end - begin);
        Error txn = db->beginImmediate();
        if (!txn.isError()) {
            for (size_t i = begin; i < end; ++i) {
                Error e = db->execOnce(QStringLiteral("SAVEPOINT request"));
                if (!e.isError()) {
                    e = batch[i]->fn(*db);
                    if (e.isError())
                        db->execOnce(QStringLiteral("ROLLBACK TO request"));
                    db->execOnce(QStringLiteral("RELEASE request"));
                }
                results[i - begin] = e;
            }
            txn = db->storeRev();
            if (!txn.isError())
                txn = db->execOnce(QStringLiteral("COMMIT"));
            if (txn.isError())
                db->execOnce(QStringLiteral("ROLLBACK"));
        }
        for (size_t i = begin; i < end; ++i) {
            const Error &own = results[i - begin];
            batch[i]->done.set_value(txn.isError() ? txn : own);
        }
    }

    void pollExternalChanges()
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
    auto d = std::make_unique<Private>();
    d->options = options;
    d->path = path;
    std::promise<Error> opened;
    std::future<Error> openedResult = opened.get_future();
    Private *raw = d.get();
    d->thread = std::thread([raw, &opened] { raw->run(opened); });
    const Error e = openedResult.get();
    if (e.isError()) {
        d->thread.join();
        return e;
    }
    return std::unique_ptr<SqliteJobStore>(new SqliteJobStore(std::move(d)));
}

SqliteJobStore::SqliteJobStore(std::unique_ptr<Private> p)
    : d(std::move(p))
{ }

SqliteJobStore::~SqliteJobStore()
{
    {
        std::lock_guard lock(d->mutex);
        d->stopping = true;
    }
    d->wake.notify_one();
    d->thread.join();
}

QString SqliteJobStore::location() const
{
    return d->path;
}

Result<QList<JobRecord>> SqliteJobStore::enqueue(const QList<NewJob> &jobs, qint64 nowMs)
{
    QList<JobRecord> records;
    const Error e = d->call(true, [&](Db &db) -> Error {
        records.clear();
        qint64 seq = 0;
        if (Error err = db.reserveSeq(jobs.size(), &seq); err.isError())
            return err;
        for (const NewJob &job : jobs) {
            QList<JobEvent> events;
            JobRecord record = transitions::newRecord(job, seq++, nowMs, &events);
            qint64 key = 0;
            if (Error err = db.insert(record, &key); err.isError()) {
                if (err.message.contains(QLatin1String("UNIQUE constraint failed: jobs.id")))
                    return makeError(ErrorCode::InvalidInput,
                        QStringLiteral("a job with id %1 exists already").arg(idString(job.id)));
                return err;
            }
            if (Error err = db.addEvents(key, events); err.isError())
                return err;
            records.append(record);
        }
        return {};
    });
    if (e.isError())
        return e;
    return records;
}

Result<ClaimResult> SqliteJobStore::claim(const ClaimRequest &request)
{
    ClaimResult result;
    const Error e = d->call(true, [&](Db &db) -> Error {
        result = ClaimResult {};
        QStringList skippedKinds;
        qint64 afterSeq = 0;
        bool stop = false;
        while (!stop && result.claimed.size() < request.maxJobs) {
            QString sql = QStringLiteral(
                "SELECT %1 FROM jobs WHERE state = 1 AND not_before <= ? AND seq > ?")
                              .arg(kColumns);
            QVariantList binds { request.nowMs, afterSeq };
            if (!skippedKinds.isEmpty()) {
                sql += QStringLiteral(" AND kind NOT IN (%1)")
                           .arg(QStringList(skippedKinds.size(), QStringLiteral("?"))
                                    .join(QLatin1Char(',')));
                for (const QString &kind : std::as_const(skippedKinds))
                    binds.append(kind);
            }
            sql += QStringLiteral(" ORDER BY seq LIMIT %1").arg(kClaimPageSize);
            QList<std::pair<JobRecord, qint64>> page;
            if (Error err = db.select(sql, binds,
                    [&](const QSqlQuery &q) {
                        page.append({ readRecord(q), q.value(kKeyColumn).toLongLong() });
                    });
                err.isError())
                return err;
            for (auto &[record, key] : page) {
                afterSeq = record.seq;
                if (skippedKinds.contains(record.kind))
                    continue;
                const Admission verdict = request.admit ? request.admit(record) : Admission::Admit;
                if (verdict == Admission::Stop) {
                    stop = true;
                    break;
                }
                if (verdict == Admission::SkipKind)
                    skippedKinds.append(record.kind);
                if (verdict != Admission::Admit)
                    continue;
                const JobRecord before = record;
                const auto outcome =
                    transitions::claim(record, request.owner, request.nowMs, request.leaseMs);
                if (Error err = db.apply(record, outcome, key, before); err.isError())
                    return err;
                result.claimed.append(record);
                if (result.claimed.size() >= request.maxJobs)
                    break;
            }
            if (page.size() < kClaimPageSize)
                break;
        }
        if (result.claimed.size() < request.maxJobs) {
            return db.selectInt(
                QStringLiteral("SELECT COALESCE(MIN(not_before), 0) FROM jobs "
                               "WHERE state = 1 AND not_before > 0 AND not_before > ?"),
                { request.nowMs }, &result.nextWakeMs);
        }
        return {};
    });
    if (e.isError())
        return e;
    return result;
}

Result<QList<LeaseStatus>> SqliteJobStore::heartbeat(
    const QList<Heartbeat> &beats, qint64 nowMs, qint64 leaseMs)
{
    QList<LeaseStatus> statuses;
    const Error e = d->call(true, [&](Db &db) -> Error {
        statuses.clear();
        for (const Heartbeat &beat : beats) {
            LeaseStatus status;
            status.id = beat.id;
            JobRecord record;
            bool found = false;
            qint64 key = 0;
            if (Error err = db.load(beat.id, &record, &found, &key); err.isError())
                return err;
            if (found) {
                const JobRecord before = record;
                const auto outcome = transitions::heartbeat(record, beat, nowMs, leaseMs, &status);
                if (Error err = db.apply(record, outcome, key, before); err.isError())
                    return err;
            }
            statuses.append(status);
        }
        return {};
    });
    if (e.isError())
        return e;
    return statuses;
}

Result<QList<FinishResult>> SqliteJobStore::finish(
    const QList<Completion> &completions, qint64 nowMs)
{
    QList<FinishResult> results;
    const Error e = d->call(true, [&](Db &db) -> Error {
        results.clear();
        for (const Completion &completion : completions) {
            FinishResult result;
            result.id = completion.id;
            JobRecord record;
            bool found = false;
            qint64 key = 0;
            if (Error err = db.load(completion.id, &record, &found, &key); err.isError())
                return err;
            if (!found) {
                result.error = makeError(ErrorCode::LeaseLost,
                    QStringLiteral("job %1 was removed").arg(idString(completion.id)));
                results.append(result);
                continue;
            }
            const JobRecord before = record;
            const auto outcome = transitions::complete(record, completion, nowMs);
            result.error = outcome.error;
            if (!outcome.error.isError()) {
                if (Error err = db.apply(record, outcome, key, before); err.isError())
                    return err;
                result.removed = outcome.deleteRecord;
                result.record = record;
            }
            results.append(result);
        }
        return {};
    });
    if (e.isError())
        return e;
    return results;
}

Result<QList<JobRecord>> SqliteJobStore::recoverAbandoned(qint64 nowMs)
{
    // Look first without the write lock: almost always there is nothing to recover.
    bool any = false;
    Error e = d->call(false, [&](Db &db) -> Error {
        return db.select(QStringLiteral("SELECT %1 FROM jobs WHERE state = 2").arg(kColumns), {},
            [&](const QSqlQuery &q) {
                QString reason;
                any = any || transitions::needsRecovery(readRecord(q), nowMs, &reason);
            });
    });
    if (e.isError())
        return e;
    if (!any)
        return QList<JobRecord> {};

    QList<JobRecord> recovered;
    e = d->call(true, [&](Db &db) -> Error {
        recovered.clear();
        QList<std::pair<JobRecord, qint64>> running;
        if (Error err =
                db.select(QStringLiteral("SELECT %1 FROM jobs WHERE state = 2").arg(kColumns), {},
                    [&](const QSqlQuery &q) {
                        running.append({ readRecord(q), q.value(kKeyColumn).toLongLong() });
                    });
            err.isError())
            return err;
        for (auto &[record, key] : running) {
            QString reason;
            if (!transitions::needsRecovery(record, nowMs, &reason))
                continue;
            const JobRecord before = record;
            const auto outcome = transitions::recover(record, nowMs, reason);
            if (Error err = db.apply(record, outcome, key, before); err.isError())
                return err;
            if (!outcome.deleteRecord)
                recovered.append(record);
        }
        return {};
    });
    if (e.isError())
        return e;
    return recovered;
}

Result<QList<Result<CommandResult>>> SqliteJobStore::commandMany(
    const QList<QUuid> &ids, JobCommand command, qint64 nowMs)
{
    QList<Result<CommandResult>> results;
    const Error e = d->call(true, [&](Db &db) -> Error {
        results.clear();
        for (const QUuid &id : ids) {
            JobRecord record;
            bool found = false;
            qint64 key = 0;
            if (Error err = db.load(id, &record, &found, &key); err.isError())
                return err;
            if (!found) {
                results.append(makeError(
                    ErrorCode::NotFound, QStringLiteral("no job with id %1").arg(idString(id))));
                continue;
            }
            const JobRecord before = record;
            Error seqError;
            const auto outcome = transitions::applyCommand(record, command, nowMs, [&] {
                qint64 seq = 0;
                seqError = db.reserveSeq(1, &seq);
                return seq;
            });
            if (seqError.isError())
                return seqError;
            if (outcome.error.isError()) {
                results.append(outcome.error);
                continue;
            }
            if (Error err = db.apply(record, outcome, key, before); err.isError())
                return err;
            results.append(CommandResult { outcome.deleteRecord, record });
        }
        return {};
    });
    if (e.isError())
        return e;
    return results;
}

Result<QList<JobRecord>> SqliteJobStore::query(const JobQuery &query)
{
    QList<JobRecord> records;
    const Error e = d->call(false, [&](Db &db) -> Error {
        records.clear();
        QString sql = QStringLiteral("SELECT %1 FROM jobs").arg(kColumns);
        QVariantList binds;
        QStringList where;
        if (!query.ids.isEmpty()) {
            where.append(
                QStringLiteral("id IN (%1)")
                    .arg(
                        QStringList(query.ids.size(), QStringLiteral("?")).join(QLatin1Char(','))));
            for (const QUuid &id : query.ids)
                binds.append(idString(id));
        }
        if (!query.states.isEmpty()) {
            where.append(QStringLiteral("state IN (%1)")
                             .arg(QStringList(query.states.size(), QStringLiteral("?"))
                                      .join(QLatin1Char(','))));
            for (JobState state : query.states)
                binds.append(static_cast<int>(state));
        }
        if (!where.isEmpty())
            sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
        sql += QStringLiteral(" ORDER BY seq");
        if (query.limit >= 0)
            sql += QStringLiteral(" LIMIT %1").arg(query.limit);
        return db.select(sql, binds, [&](const QSqlQuery &q) { records.append(readRecord(q)); });
    });
    if (e.isError())
        return e;
    return records;
}

Result<QList<QUuid>> SqliteJobStore::findIds(const QString &prefix, int limit)
{
    QList<QUuid> ids;
    const QString low = prefix.toLower();
    // Ids are lower-case hex and dashes, all below '~': [prefix, prefix~) is the prefix range.
    const QString high = low + QLatin1Char('~');
    const Error e = d->call(false, [&](Db &db) -> Error {
        ids.clear();
        return db.select(
            QStringLiteral("SELECT id FROM jobs WHERE id >= ? AND id < ? ORDER BY id LIMIT ?"),
            { low, high, limit },
            [&](const QSqlQuery &q) { ids.append(QUuid::fromString(q.value(0).toString())); });
    });
    if (e.isError())
        return e;
    return ids;
}

Result<QList<JobEvent>> SqliteJobStore::events(const QUuid &id)
{
    QList<JobEvent> events;
    const Error e = d->call(false, [&](Db &db) -> Error {
        events.clear();
        JobRecord record;
        bool found = false;
        qint64 key = 0;
        if (Error err = db.load(id, &record, &found, &key); err.isError())
            return err;
        if (!found)
            return makeError(
                ErrorCode::NotFound, QStringLiteral("no job with id %1").arg(idString(id)));
        return db.select(
            QStringLiteral(
                "SELECT at, attempt, event, detail FROM job_events WHERE job_key = ? ORDER BY id"),
            { key }, [&](const QSqlQuery &q) {
                events.append(JobEvent { q.value(0).toLongLong(), q.value(1).toInt(),
                    q.value(2).toString(), q.value(3).toString() });
            });
    });
    if (e.isError())
        return e;
    return events;
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
        if (Error e2 = db.select(
                QStringLiteral("SELECT %1 FROM jobs WHERE rev > ? ORDER BY seq").arg(kColumns),
                { since }, [&](const QSqlQuery &q) { changes.changed.append(readRecord(q)); });
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
