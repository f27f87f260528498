#include "postgresjobstore.h"

#include <array>
#include <atomic>
#include <libpq-fe.h>
#include <mutex>
#include <utility>
#include <vector>

#include <QHash>
#include <QJsonDocument>
#include <QMap>
#include <QSet>
#include <QSqlDriver>
#include <QSqlQuery>

#include "store/pgnotifylistener.h"
#include "store/rowstore.h"
#include "store/sqlrecord.h"
#include "store/sqlrowstore.h"
#include "store/sqlsession.h"
#include "store/storethread.h"

namespace spool {

namespace {

using sqlrecord::kColumns;
using sqlrecord::kKeyColumn;
using sqlrecord::kRecordColumns;

constexpr int kCountSlots = 8;
constexpr qint64 kAnalyzeAfterRows = 1000;
constexpr int kMaxRemovedRemembered = 10000;
const QByteArray kChannel = QByteArrayLiteral("spool_changes");

// libpq's own parser decides what a connection string means (URI or key=value).
struct ConnInfo
{
    QList<std::pair<QByteArray, QByteArray>> options; // the ones given, in libpq's order
    QString error;
};

ConnInfo parseConnInfo(const QString &url)
{
    ConnInfo info;
    char *message = nullptr;
    PQconninfoOption *options = PQconninfoParse(url.toUtf8().constData(), &message);
    if (!options) {
        info.error = message ? QString::fromUtf8(message).trimmed()
                             : QStringLiteral("cannot read the queue URL");
        PQfreemem(message);
        return info;
    }
    for (PQconninfoOption *o = options; o->keyword; ++o) {
        if (o->val && *o->val)
            info.options.append({ QByteArray(o->keyword), QByteArray(o->val) });
    }
    PQconninfoFree(options);
    return info;
}

QByteArray quoted(const QByteArray &value)
{
    QByteArray out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + '\'';
}

QByteArray valueOf(const ConnInfo &info, const char *keyword)
{
    for (const auto &[key, value] : info.options) {
        if (key == keyword)
            return value;
    }
    return {};
}

// The key=value string for libpq, with our defaults where the URL is silent.
QByteArray conninfoString(const ConnInfo &info, int connectTimeoutS)
{
    QByteArray out;
    bool timeoutGiven = false;
    for (const auto &[key, value] : info.options) {
        timeoutGiven = timeoutGiven || key == "connect_timeout";
        out += key + '=' + quoted(value) + ' ';
    }
    if (!timeoutGiven)
        out += "connect_timeout=" + QByteArray::number(connectTimeoutS) + ' ';
    // As libpq's own tools do: the URL's application_name or $PGAPPNAME wins, so that an
    // administrator can tell machines apart in pg_stat_activity.
    return out + "fallback_application_name='spool'";
}

QString quotedIdentifier(const QString &name)
{
    return QLatin1Char('"') + QString(name).replace(QLatin1Char('"'), QLatin1String("\"\""))
        + QLatin1Char('"');
}

// Each step brings the schema to `version`. Never edit a shipped step: add a new one.
const QList<QStringList> &migrations()
{
    static const QList<QStringList> steps {
        {
            QStringLiteral("CREATE TABLE meta (key text PRIMARY KEY, value bigint NOT NULL)"),
            QStringLiteral("INSERT INTO meta (key, value) VALUES ('queue_paused', 0), "
                           "('removed_floor', 0)"),
            QStringLiteral("CREATE SEQUENCE job_seq"),
            QStringLiteral("CREATE SEQUENCE job_rev"),
            // txid: the transaction that wrote this version, for the change feed (see
            // changesSince). rev: this version's number, for "newer wins".
            QStringLiteral("CREATE TABLE jobs ("
                           " key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                           " id uuid NOT NULL UNIQUE,"
                           " seq bigint NOT NULL,"
                           " kind text NOT NULL,"
                           " params text NOT NULL,"
                           " state smallint NOT NULL,"
                           " control smallint NOT NULL DEFAULT 0,"
                           " attempts integer NOT NULL DEFAULT 0,"
                           " max_attempts integer NOT NULL,"
                           " enqueued_at bigint NOT NULL,"
                           " started_at bigint,"
                           " finished_at bigint,"
                           " not_before bigint NOT NULL DEFAULT 0,"
                           " progress_done bigint NOT NULL DEFAULT 0,"
                           " progress_total bigint NOT NULL DEFAULT -1,"
                           " progress_unit text NOT NULL DEFAULT '',"
                           " error text,"
                           " output text,"
                           " lease_owner text,"
                           " lease_token bigint NOT NULL DEFAULT 0,"
                           " lease_expires bigint,"
                           " rev bigint NOT NULL,"
                           " txid xid8 NOT NULL DEFAULT pg_current_xact_id())"),
            QStringLiteral("CREATE INDEX jobs_by_seq ON jobs (seq)"),
            QStringLiteral("CREATE INDEX jobs_by_txid ON jobs (txid)"),
            QStringLiteral("CREATE INDEX jobs_by_finished ON jobs (finished_at)"), // retention
            QStringLiteral("CREATE INDEX jobs_by_id_text ON jobs ((id::text COLLATE \"C\"))"),
            // Small partial indexes: queued jobs in FIFO order, retries waiting for their time,
            // running jobs. A job enters and leaves each once.
            QStringLiteral("CREATE INDEX jobs_queued ON jobs (seq) WHERE state = 1"),
            QStringLiteral("CREATE INDEX jobs_waiting ON jobs (not_before) WHERE state = 1 AND "
                           "not_before > 0"),
            QStringLiteral("CREATE INDEX jobs_running ON jobs (key) WHERE state = 2"),
            QStringLiteral("CREATE TABLE removed (id uuid PRIMARY KEY,"
                           " txid xid8 NOT NULL DEFAULT pg_current_xact_id())"),
            QStringLiteral("CREATE INDEX removed_by_txid ON removed (txid)"),
            QStringLiteral("CREATE TABLE job_events ("
                           " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                           " job_key bigint NOT NULL,"
                           " at bigint NOT NULL,"
                           " attempt integer NOT NULL,"
                           " event text NOT NULL,"
                           " detail text)"),
            QStringLiteral("CREATE INDEX job_events_by_job ON job_events (job_key, id)"),
            // Jobs per state, striped over slots so that writers from many connections do not
            // queue up behind one counter row; a reader sums the slots.
            QStringLiteral("CREATE TABLE counts (state smallint, slot smallint, n bigint NOT "
                           "NULL DEFAULT 0, PRIMARY KEY (state, slot))"),
            QStringLiteral("INSERT INTO counts (state, slot) SELECT s, t FROM "
                           "generate_series(1, 6) s, generate_series(0, %1) t")
                .arg(kCountSlots - 1),
            sqlrecord::kCreateRunnersTable,
        },
        {
            // Where a job's last attempt failed: other machines get it first (JobRecord).
            QStringLiteral("ALTER TABLE jobs ADD COLUMN avoid_host text, ADD COLUMN avoid_until "
                           "bigint NOT NULL DEFAULT 0"),
        },
        {
            // The latest preview of each running render, for windows on other machines.
            QStringLiteral("CREATE TABLE previews (job_id uuid PRIMARY KEY, image bytea NOT NULL, "
                           "at bigint NOT NULL)"),
        },
        {
            // Files that jobs read (a render's scene), by content: a file is listed in `files`
            // only once all its pieces are stored. Pieces are stored as they are: models are
            // often compressed already, and compressing the rest would cost more time than it
            // saves on a local network.
            QStringLiteral("CREATE TABLE files (hash text PRIMARY KEY, size bigint NOT NULL, "
                           "pieces integer NOT NULL, at bigint NOT NULL)"),
            QStringLiteral("CREATE TABLE file_pieces (hash text NOT NULL, n integer NOT NULL, "
                           "data bytea NOT NULL, at bigint NOT NULL, PRIMARY KEY (hash, n))"),
            QStringLiteral("ALTER TABLE file_pieces ALTER COLUMN data SET STORAGE EXTERNAL"),
            // Files found by name: "GROUP/part-N", the samples of a render's part.
            QStringLiteral("CREATE TABLE file_names (name text PRIMARY KEY, hash text NOT NULL, "
                           "size bigint NOT NULL, at bigint NOT NULL)"),
        },
        {
            // Every new version of a job row (a claim, a finish) goes into every full index of
            // jobs, and each event into every index of job_events: index upkeep was half the
            // server's work per job. Prefix searches use the id's own index (a uuid sorts as its
            // hex text), retention walks jobs_by_seq (old finished jobs come first), and events
            // are only ever read by job.
            // IF EXISTS: a queue made by a build of the day that step 1 was written lacks
            // jobs_by_finished, and an upgrade must not fail on what is already gone.
            QStringLiteral("DROP INDEX IF EXISTS jobs_by_id_text"),
            QStringLiteral("DROP INDEX IF EXISTS jobs_by_finished"),
            QStringLiteral("ALTER TABLE job_events DROP CONSTRAINT IF EXISTS job_events_pkey"),
        },
        {
            // Rows written queued, ever (new, back in the queue, changed while queued): a claim
            // that finds the sum unchanged knows that no job appeared before the place where it
            // last found only capped hosts' jobs (ClaimRequest::startAfter).
            QStringLiteral("ALTER TABLE counts ADD COLUMN entered bigint NOT NULL DEFAULT 0"),
        },
        {
            // Which timeline events a row leaves out (transitions::DerivedEvents): a new job
            // both. Rows written before kept all theirs, and the ones not succeeded yet will
            // derive their "succeeded" (the lifecycle no longer returns one).
            QStringLiteral(
                "ALTER TABLE jobs ADD COLUMN derived_events smallint NOT NULL DEFAULT 0"),
            QStringLiteral("UPDATE jobs SET derived_events = 2 WHERE state <> 4"),
            QStringLiteral("ALTER TABLE jobs ALTER COLUMN derived_events SET DEFAULT 3"),
        },
    };
    return steps;
}

// The first and last id text (lower-case, with dashes) that start with `prefix`, lower-case;
// false when no id can start so (a character that is not hex, or a dash out of place).
bool uuidPrefixRange(const QString &prefix, QString *low, QString *high)
{
    static const QString shape = QStringLiteral("00000000-0000-0000-0000-000000000000");
    if (prefix.size() > shape.size())
        return false;
    for (qsizetype i = 0; i < prefix.size(); ++i) {
        const QChar c = prefix.at(i);
        const bool hex = (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
        if (shape.at(i) == u'-' ? c != u'-' : !hex)
            return false;
    }
    *low = prefix + shape.mid(prefix.size());
    *high = *low;
    for (qsizetype i = prefix.size(); i < high->size(); ++i) {
        if (high->at(i) == u'0')
            (*high)[i] = u'f';
    }
    return true;
}

// A column written from an array parameter (unnest), and its SQL type.
struct ArrayColumn
{
    const char *name;
    const char *type;
};

// A PostgreSQL array literal of elements already in its syntax ("{1,2}", "{\"a\",NULL}").
QString arrayLiteral(const QStringList &elements)
{
    return QLatin1Char('{') + elements.join(QLatin1Char(',')) + QLatin1Char('}');
}

// The store's connection and its statements, used only on the store's thread.
class PgDb final : public SqlRowStore
{
public:
    // Each writer holds the rows it read to change until it commits.
    PgDb(QString connectionName, QString location)
        : SqlRowStore(std::move(connectionName), QStringLiteral(" FOR UPDATE"))
        , m_location(std::move(location))
    { }

    int backendPid() const { return m_backendPid; }
    // Did this transaction change anything others should hear of? Resets the answer.
    bool takeDirty() { return std::exchange(m_dirty, false); }

    Error open(const QByteArray &conninfo, const QString &schema)
    {
        create(QStringLiteral("QPSQL"));
        database().setConnectOptions(QString::fromUtf8(conninfo));
        if (!database().open())
            return error(database().lastError(), QStringLiteral("reach"));
        qint64 pid = 0;
        if (Error e = selectInt(QStringLiteral("SELECT pg_backend_pid()"), {}, &pid); e.isError())
            return e;
        m_backendPid = static_cast<int>(pid);
        m_slot = static_cast<int>(pid % kCountSlots);
        return execOnce(QStringLiteral("SET search_path TO %1").arg(quotedIdentifier(schema)));
    }

    // The connection is gone when libpq says so; the next request opens a new one.
    bool isBroken() const
    {
        PGconn *conn = nativeConnection();
        return !conn || PQstatus(conn) != CONNECTION_OK;
    }

    // A statement whose last parameter is bytes, sent as they are (QPSQL would write a 4 MiB
    // piece of a file into the statement's text as 8 MiB of hex, built and parsed on both
    // sides); with `out`, the first column of the first row, received as it is. The other
    // parameters are text. On the QPSQL connection, inside its transaction.
    Error execBytes(const char *sql, const QList<QByteArray> &texts, const QByteArray *bytes,
        QByteArray *out = nullptr, bool *found = nullptr)
    {
        PGconn *conn = nativeConnection();
        if (!conn)
            return error(QSqlError(QStringLiteral("no connection"), {}, QSqlError::ConnectionError),
                QStringLiteral("use"));
        std::vector<const char *> values;
        std::vector<int> lengths;
        std::vector<int> formats;
        for (const QByteArray &text : texts) {
            values.push_back(text.constData());
            lengths.push_back(int(text.size()));
            formats.push_back(0);
        }
        if (bytes) {
            values.push_back(bytes->constData());
            lengths.push_back(int(bytes->size()));
            formats.push_back(1);
        }
        PGresult *res = PQexecParams(conn, sql, int(values.size()), nullptr, values.data(),
            lengths.data(), formats.data(), out ? 1 : 0);
        const ExecStatusType status = PQresultStatus(res);
        Error e;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            e = error(QSqlError(QString(), QString::fromUtf8(PQerrorMessage(conn)),
                          PQstatus(conn) == CONNECTION_OK ? QSqlError::StatementError
                                                          : QSqlError::ConnectionError,
                          QString::fromLatin1(state ? state : "")),
                out ? QStringLiteral("read") : QStringLiteral("write"));
        } else if (out && PQntuples(res) > 0) {
            *out = QByteArray(PQgetvalue(res, 0, 0), PQgetlength(res, 0, 0));
            if (found)
                *found = true;
        }
        PQclear(res);
        return e;
    }

    PGconn *nativeConnection() const
    {
        const QVariant v = database().driver() ? database().driver()->handle() : QVariant();
        // The driver's handle is libpq's connection ("pg_conn*": PGconn is a typedef).
        const bool isPgConn =
            qstrcmp(v.typeName(), "pg_conn*") == 0 || qstrcmp(v.typeName(), "PGconn*") == 0;
        if (!database().isOpen() || !isPgConn)
            return nullptr;
        return *static_cast<PGconn *const *>(v.constData());
    }

    Error error(const QSqlError &e, const QString &action) const override
    {
        const QString state = e.nativeErrorCode();
        // libpq's messages run over several lines; a reason is one.
        QString text = e.databaseText().simplified();
        if (text.isEmpty())
            text = e.driverText().simplified();
        if (state == QLatin1String("23505"))
            return makeError(ErrorCode::Storage, QStringLiteral("duplicate id: %1").arg(text));
        // A statement cut off by the server going away ("server closed the connection
        // unexpectedly") comes as a statement error without a state: the connection says it.
        const bool away = e.type() == QSqlError::ConnectionError || state.startsWith(u"08")
            || state == QLatin1String("57P01") || state == QLatin1String("57P02")
            || state == QLatin1String("57P03") || isBroken();
        if (away)
            return makeError(ErrorCode::Storage,
                QStringLiteral("the shared queue is unreachable (%1): %2")
                    .arg(m_location, text.isEmpty() ? QStringLiteral("no connection") : text));
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot %1 the shared queue %2: %3").arg(action, m_location, text));
    }

    // Revisions come from one sequence: unique across records, and growing for each record
    // (its writers take turns on the row lock), which is all "newer wins" needs.
    Error insert(JobRecord &r, qint64 *key) override
    {
        QVariantList values = sqlrecord::insertValues(r);
        values.removeLast(); // rev
        const QString sql =
            QStringLiteral("INSERT INTO jobs (%1) VALUES (%2nextval('job_rev')) RETURNING key, rev")
                .arg(kRecordColumns, sqlrecord::kRecordPlaceholders.chopped(1));
        if (Error e = select(sql, values,
                [&](const QSqlQuery &q) {
                    *key = q.value(0).toLongLong();
                    r.rev = q.value(1).toLongLong();
                });
            e.isError())
            return e;
        noteWritten(r);
        return adjustCount(r.state, 1);
    }

    // One statement for an import's batch, not a round trip a row.
    Error setDerivedEvents(const QList<qint64> &keys, const QList<int> &derived) override
    {
        QStringList keyTexts, values;
        for (qsizetype i = 0; i < keys.size(); ++i) {
            keyTexts.append(number(keys.at(i)));
            values.append(number(derived.at(i)));
        }
        return exec(QStringLiteral("UPDATE jobs SET derived_events = u.d FROM "
                                   "unnest(?::bigint[], ?::smallint[]) AS u(k, d) WHERE key = u.k"),
            { arrayLiteral(keyTexts), arrayLiteral(values) });
    }

    // One INSERT for a batch of new jobs (enqueue made one round trip per job).
    Error insertMany(QList<JobRecord> &records, QList<qint64> *keys, QUuid *duplicate) override
    {
        if (records.size() < 2)
            return RowStore::insertMany(records, keys, duplicate);
        keys->clear();
        QSet<QUuid> ids;
        QStringList idTexts;
        for (const JobRecord &r : std::as_const(records)) {
            if (ids.contains(r.id)) {
                *duplicate = r.id;
                return makeError(
                    ErrorCode::Storage, QStringLiteral("duplicate id: twice in one batch"));
            }
            ids.insert(r.id);
            idTexts.append(idString(r.id));
        }
        if (Error e = select(
                QStringLiteral("SELECT id FROM jobs WHERE id = ANY (?::uuid[]) LIMIT 1"),
                { arrayLiteral(idTexts) },
                [&](const QSqlQuery &q) { *duplicate = QUuid::fromString(q.value(0).toString()); });
            e.isError())
            return e;
        if (!duplicate->isNull())
            return makeError(ErrorCode::Storage, QStringLiteral("duplicate id: exists already"));
        return insertRows(records, keys);
    }

    Error apply(JobRecord &record, const transitions::Outcome &outcome, qint64 key,
        const JobRecord &before) override
    {
        if (outcome.deleteRecord)
            return remove(record.id, key, before.state);
        if (!outcome.changed)
            return {};
        QVariantList binds = sqlrecord::updateValues(record);
        binds.removeLast(); // rev
        QString sql =
            QStringLiteral("UPDATE jobs SET %1nextval('job_rev'), txid = pg_current_xact_id()")
                .arg(sqlrecord::kUpdateAssignments.chopped(1));
        if (record.seq != before.seq) {
            sql += QStringLiteral(", seq = ?");
            binds.append(record.seq);
        }
        sql += QStringLiteral(" WHERE key = ? RETURNING rev");
        binds.append(key);
        m_dirty = true;
        if (Error e = selectInt(sql, binds, &record.rev); e.isError())
            return e;
        noteWritten(record);
        if (record.state != before.state) {
            if (Error e = adjustCount(before.state, -1); e.isError())
                return e;
            if (Error e = adjustCount(record.state, 1); e.isError())
                return e;
        }
        return addEvents(key, outcome.events);
    }

    // One UPDATE for the changed rows of a batch (a round trip per row was what bounded a
    // claim of 128 jobs), and one statement for its removals. A row changed twice goes one by
    // one, each change seeing the one before.
    Error applyMany(const QList<RowChange> &changes) override
    {
        QList<const RowChange *> updates, removals;
        QSet<qint64> keys;
        for (const RowChange &c : changes) {
            if (keys.contains(c.key))
                return RowStore::applyMany(changes);
            keys.insert(c.key);
            if (c.outcome.deleteRecord)
                removals.append(&c);
            else if (c.outcome.changed)
                updates.append(&c);
        }
        if (Error e = removeRows(removals); e.isError())
            return e;
        if (updates.size() == 1)
            return apply(*updates.first()->record, updates.first()->outcome, updates.first()->key,
                updates.first()->before);
        return updates.isEmpty() ? Error() : updateRows(updates);
    }

    // One statement for all, the rows locked in key order (two writers never wait on each
    // other in a circle).
    Error loadMany(const QList<QUuid> &ids, QHash<QUuid, StoredRow> *rows) override
    {
        rows->clear();
        if (ids.isEmpty())
            return {};
        QStringList texts;
        for (const QUuid &id : ids)
            texts.append(idString(id));
        return select(QStringLiteral("SELECT %1 FROM jobs WHERE id = ANY (?::uuid[]) ORDER BY key "
                                     "FOR UPDATE")
                          .arg(kColumns),
            { arrayLiteral(texts) }, [&](const QSqlQuery &q) {
                JobRecord record = sqlrecord::read(q);
                const QUuid id = record.id;
                rows->insert(id, { std::move(record), q.value(kKeyColumn).toLongLong() });
            });
    }

    // Deferred to the commit: one statement for the whole transaction instead of one per event.
    Error addEvents(qint64 key, const QList<JobEvent> &events) override
    {
        for (const JobEvent &event : events)
            m_request.events.append({ key, event });
        return {};
    }

    void endRequest(bool kept)
    {
        if (kept) {
            // Only now: a request rolled back to its savepoint removed no job.
            if (!m_request.removed.isEmpty())
                m_txn.events.removeIf([this](const std::pair<qint64, JobEvent> &e) {
                    return m_request.removed.contains(e.first);
                });
            m_txn.events += m_request.events;
            m_txn.queued += m_request.queued;
            for (auto it = m_request.counts.cbegin(); it != m_request.counts.cend(); ++it)
                m_txn.counts[it.key()] += it.value();
        }
        m_request = Deferred {};
    }

    // Writes what the transaction deferred (counters, timeline events) and, with `notify`, tells
    // the other processes' listeners, before its commit: one statement for all (a data-modifying
    // WITH runs whether it is read or not), not one per state, one for the events and one for the
    // notice. Each is a round trip to a server that may be across a network.
    Error flushDeferred(bool notify)
    {
        Deferred txn = std::exchange(m_txn, Deferred {});
        QStringList parts;
        QVariantList binds;
        QStringList states, deltas, entered;
        constexpr int kQueued = static_cast<int>(JobState::Queued);
        if (txn.queued > 0)
            txn.counts[kQueued] += 0; // its row counts them
        for (auto it = txn.counts.cbegin(); it != txn.counts.cend(); ++it) {
            const qint64 in = it.key() == kQueued ? txn.queued : 0;
            if (it.value() != 0 || in != 0) {
                states.append(QString::number(it.key()));
                deltas.append(QString::number(it.value()));
                entered.append(QString::number(in));
            }
        }
        if (!states.isEmpty()) {
            // The rows are locked in order of state first (`states` is in that order): the
            // UPDATE alone would lock them in the order of its plan, and two transactions on one
            // slot could each wait for the other.
            parts.append(QStringLiteral(
                "locked AS (SELECT state FROM counts WHERE slot = ? AND state = ANY (?::int[]) "
                "ORDER BY state FOR UPDATE), "
                "counted AS (UPDATE counts SET n = n + d.delta, entered = counts.entered + "
                "d.entered FROM unnest(?::int[], ?::bigint[], ?::bigint[]) AS d(state, delta, "
                "entered) JOIN locked USING (state) WHERE counts.state = d.state AND "
                "counts.slot = ?)"));
            binds << m_slot << arrayLiteral(states) << arrayLiteral(states) << arrayLiteral(deltas)
                  << arrayLiteral(entered) << m_slot;
        }
        // A statement per 10,000 events: an import of a million jobs would otherwise send one
        // statement as large as its file. The first goes with the rest, in order before the others.
        constexpr qsizetype kEventsPerStatement = 10000;
        if (!txn.events.isEmpty()) {
            parts.append(QStringLiteral("logged AS (%1)").arg(QLatin1String(kInsertEvents)));
            binds += eventBinds(txn.events.mid(0, kEventsPerStatement));
        }
        if (!parts.isEmpty() || notify) {
            QString sql = parts.isEmpty()
                ? QString()
                : QStringLiteral("WITH ") + parts.join(QStringLiteral(", ")) + u' ';
            if (notify) {
                sql += QStringLiteral("SELECT pg_notify(?, current_schema())");
                binds << QString::fromLatin1(kChannel);
            } else {
                sql += QStringLiteral("SELECT 1");
            }
            if (Error e = exec(sql, binds); e.isError())
                return e;
        }
        for (qsizetype at = kEventsPerStatement; at < txn.events.size();
             at += kEventsPerStatement) {
            if (Error e = exec(QString::fromLatin1(kInsertEvents),
                    eventBinds(txn.events.mid(at, kEventsPerStatement)));
                e.isError())
                return e;
        }
        return {};
    }

    static constexpr const char *kInsertEvents =
        "INSERT INTO job_events (job_key, at, attempt, event, detail) SELECT k, a, n, e, d FROM "
        "unnest(?::bigint[], ?::bigint[], ?::int[], ?::text[], ?::text[]) WITH ORDINALITY AS "
        "t(k, a, n, e, d, o) ORDER BY o";

    static QVariantList eventBinds(const QList<std::pair<qint64, JobEvent>> &events)
    {
        QStringList keys, ats, attempts, names, details;
        for (const auto &[key, event] : events) {
            keys.append(QString::number(key));
            ats.append(QString::number(event.atMs));
            attempts.append(QString::number(event.attempt));
            names.append(arrayElement(event.event));
            details.append(
                event.detail.isEmpty() ? QStringLiteral("NULL") : arrayElement(event.detail));
        }
        return { arrayLiteral(keys), arrayLiteral(ats), arrayLiteral(attempts), arrayLiteral(names),
            arrayLiteral(details) };
    }

    void dropDeferred() { m_request = m_txn = Deferred {}; }

    Error reserveSeqs(qint64 count, QList<qint64> *seqs) override
    {
        seqs->clear();
        return select(
            QStringLiteral("SELECT nextval('job_seq') FROM generate_series(1, ?::bigint)"),
            { count }, [&](const QSqlQuery &q) { seqs->append(q.value(0).toLongLong()); });
    }

    // One claim at a time across every connection to this queue, until the transaction ends.
    Error lockForClaim() override
    {
        return exec(QStringLiteral("SELECT pg_advisory_xact_lock(hashtext(current_schema() || "
                                   "'.claim'))"));
    }

    // A uuid sorts as its bytes, so as its hex text: the prefix is the range from the prefix
    // filled up with zeros to it filled up with f's, on the id's own index.
    bool idPrefixCondition(
        const QString &prefix, QString *condition, QVariantList *binds) const override
    {
        QString low, high;
        if (!uuidPrefixRange(prefix, &low, &high))
            return false;
        *condition = QStringLiteral("id BETWEEN ?::uuid AND ?::uuid");
        *binds = { low, high };
        return true;
    }

    bool isDuplicateId(const Error &e) const override
    {
        return e.message.startsWith(QLatin1String("duplicate id:"));
    }

    Error meta(const QString &key, qint64 *value)
    {
        return selectInt(QStringLiteral("SELECT value FROM meta WHERE key = ?"), { key }, value);
    }

    Error setMeta(const QString &key, qint64 value)
    {
        m_dirty = true;
        return exec(QStringLiteral("UPDATE meta SET value = ? WHERE key = ?"), { value, key });
    }

    // The change-feed position: every change a reader has not seen was written by a
    // transaction at or after the oldest one still running when it last read.
    Error snapshotXmin(qint64 *xmin)
    {
        return selectInt(
            QStringLiteral("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"), {},
            xmin);
    }

private:
    // Claims read rows unlocked (claimable): a row is taken only if no other transaction holds it
    // (a command; waiting for it could deadlock with its other rows) and is still the version
    // read.
    Error applyClaims(QList<RowChange> *changes) override
    {
        QList<const RowChange *> updates;
        for (const RowChange &c : std::as_const(*changes))
            updates.append(&c);
        if (updates.isEmpty())
            return {};
        QSet<qint64> taken;
        if (Error e = updateRows(updates, &taken); e.isError())
            return e;
        changes->removeIf([&](const RowChange &c) { return !taken.contains(c.key); });
        return {};
    }

    // Moves with every job written queued, by any connection, this one's too (counts.entered).
    Error othersWrites(qint64 *count) override
    {
        return selectInt(QStringLiteral("SELECT COALESCE(SUM(entered), 0)::bigint FROM counts "
                                        "WHERE state = 1"),
            {}, count);
    }

    // The revs come from the sequence in the statement, drawn while the rows are locked, so
    // that each row's versions still grow. With `taken`, only rows no other transaction holds
    // and still at the rev read are written (applyClaims); `taken` says which.
    Error updateRows(const QList<const RowChange *> &updates, QSet<qint64> *taken = nullptr)
    {
        std::array<QStringList, kUpdateArrays.size()> columns;
        for (const RowChange *c : updates) {
            const JobRecord &r = *c->record;
            const QStringList row { number(c->key), number(static_cast<int>(r.state)),
                number(static_cast<int>(r.control)), number(r.attempts), number(r.maxAttempts),
                numberOrNull(r.startedAtMs), numberOrNull(r.finishedAtMs), number(r.notBeforeMs),
                number(r.progress.done), number(r.progress.total), arrayElement(r.progress.unit),
                textOrNull(r.error), textOrNull(r.output), textOrNull(r.leaseOwner),
                number(r.leaseToken), numberOrNull(r.leaseExpiresAtMs), textOrNull(r.avoidHost),
                number(r.avoidUntilMs), number(r.seq) };
            for (qsizetype i = 0; i < row.size(); ++i)
                columns[i].append(row.at(i));
        }
        const UnnestArgs args = unnestArgs(columns, kUpdateArrays);
        QStringList assignments;
        for (size_t i = 1; i < kUpdateArrays.size(); ++i) // all but the key
            assignments.append(
                QStringLiteral("%1 = t.%1").arg(QLatin1String(kUpdateArrays[i].name)));
        // The rows are looked up by key on the index ("key = ANY"): joined to unnest() alone,
        // the prepared statement's generic plan guessed 10 rows from unnest and often hashed
        // them against a scan of the whole table (2 ms with 20,000 jobs, auto_explain).
        // Claims: only the rows no other transaction holds and still at the rev read.
        const QString claimsOnly = QStringLiteral(
            "WITH free AS (SELECT key FROM jobs WHERE key = ANY (?::bigint[]) AND (key, rev) IN "
            "(SELECT * FROM unnest(?::bigint[], ?::bigint[])) FOR UPDATE SKIP LOCKED) ");
        const QString sql =
            QStringLiteral(
                "%1UPDATE jobs SET %2, rev = nextval('job_rev'), txid = pg_current_xact_id() "
                "FROM unnest(%3) AS t(%4) WHERE jobs.key = ANY (?::bigint[]) AND jobs.key = "
                "t.key%5 RETURNING jobs.key, jobs.rev")
                .arg(taken ? claimsOnly : QString(), assignments.join(QStringLiteral(", ")),
                    args.casts, args.names,
                    taken ? QStringLiteral(" AND jobs.key IN (SELECT key FROM free)") : QString());
        const QVariant keys = args.binds.first();
        QVariantList binds;
        if (taken) {
            QStringList revs;
            for (const RowChange *c : updates)
                revs.append(number(c->before.rev));
            binds << keys << keys << arrayLiteral(revs);
        }
        binds << args.binds << keys;
        m_dirty = true;
        QHash<qint64, qint64> revs;
        if (Error e = select(sql, binds,
                [&](const QSqlQuery &q) {
                    revs.insert(q.value(0).toLongLong(), q.value(1).toLongLong());
                });
            e.isError())
            return e;
        for (const RowChange *c : updates) {
            if (!revs.contains(c->key)) {
                if (taken)
                    continue; // another transaction holds it, or changed it since it was read
                return makeError(ErrorCode::Storage,
                    QStringLiteral("job %1 vanished while it was written")
                        .arg(idString(c->record->id)));
            }
            if (taken)
                taken->insert(c->key);
            c->record->rev = revs.value(c->key);
            noteWritten(*c->record);
            if (c->record->state != c->before.state) {
                if (Error e = adjustCount(c->before.state, -1); e.isError())
                    return e;
                if (Error e = adjustCount(c->record->state, 1); e.isError())
                    return e;
            }
            if (Error e = addEvents(c->key, c->outcome.events); e.isError())
                return e;
        }
        return {};
    }

    Error insertRows(QList<JobRecord> &records, QList<qint64> *keys)
    {
        std::array<QStringList, kInsertArrays.size()> columns;
        for (const JobRecord &r : std::as_const(records)) {
            const QStringList row { idString(r.id), number(r.seq), arrayElement(r.kind),
                arrayElement(QString::fromUtf8(r.paramsJson())), number(static_cast<int>(r.state)),
                number(static_cast<int>(r.control)), number(r.attempts), number(r.maxAttempts),
                number(r.enqueuedAtMs), numberOrNull(r.startedAtMs), numberOrNull(r.finishedAtMs),
                number(r.notBeforeMs), number(r.progress.done), number(r.progress.total),
                arrayElement(r.progress.unit), textOrNull(r.error), textOrNull(r.output),
                textOrNull(r.leaseOwner), number(r.leaseToken), numberOrNull(r.leaseExpiresAtMs),
                textOrNull(r.avoidHost), number(r.avoidUntilMs) };
            for (qsizetype i = 0; i < row.size(); ++i)
                columns[size_t(i)].append(row.at(i));
        }
        const UnnestArgs args = unnestArgs(columns, kInsertArrays);
        const QString sql =
            QStringLiteral("INSERT INTO jobs (%1, rev) SELECT %1, nextval('job_rev') "
                           "FROM unnest(%2) WITH ORDINALITY AS t(%1, o) ORDER BY o "
                           "RETURNING id, key, rev")
                .arg(args.names, args.casts);
        QHash<QUuid, std::pair<qint64, qint64>> written; // id -> key, rev
        if (Error e = select(sql, args.binds,
                [&](const QSqlQuery &q) {
                    written.insert(QUuid::fromString(q.value(0).toString()),
                        { q.value(1).toLongLong(), q.value(2).toLongLong() });
                });
            e.isError())
            return e;
        for (JobRecord &r : records) {
            // No ON CONFLICT: a speculative insert writes one more WAL record per row, and an id
            // that another connection added since the look fails the statement all the same.
            const auto it = written.constFind(r.id);
            if (it == written.cend())
                return makeError(ErrorCode::Storage, QStringLiteral("a row was not written"));
            keys->append(it->first);
            r.rev = it->second;
            noteWritten(r);
            if (Error e = adjustCount(r.state, 1); e.isError())
                return e;
        }
        return {};
    }

    // What a statement over unnest() needs: one array per column, its casts, its names.
    struct UnnestArgs
    {
        QVariantList binds;
        QString casts; // "?::bigint[], ?::text[], ..."
        QString names; // "key, state, ..."
    };
    template<size_t N>
    static UnnestArgs unnestArgs(
        const std::array<QStringList, N> &columns, const std::array<ArrayColumn, N> &schema)
    {
        UnnestArgs args;
        QStringList casts, names;
        for (size_t i = 0; i < N; ++i) {
            args.binds.append(arrayLiteral(columns[i]));
            casts.append(QStringLiteral("?::%1[]").arg(QLatin1String(schema[i].type)));
            names.append(QLatin1String(schema[i].name));
        }
        args.casts = casts.join(QStringLiteral(", "));
        args.names = names.join(QStringLiteral(", "));
        return args;
    }

    static QString number(qint64 v) { return QString::number(v); }
    static QString numberOrNull(qint64 v)
    {
        return v == 0 ? QStringLiteral("NULL") : QString::number(v);
    }
    static QString textOrNull(const QString &s)
    {
        return s.isEmpty() ? QStringLiteral("NULL") : arrayElement(s);
    }

    // The columns of a new job, in the order insertRows() lists them.
    static constexpr std::array<ArrayColumn, 22> kInsertArrays { { { "id", "uuid" },
        { "seq", "bigint" }, { "kind", "text" }, { "params", "text" }, { "state", "smallint" },
        { "control", "smallint" }, { "attempts", "integer" }, { "max_attempts", "integer" },
        { "enqueued_at", "bigint" }, { "started_at", "bigint" }, { "finished_at", "bigint" },
        { "not_before", "bigint" }, { "progress_done", "bigint" }, { "progress_total", "bigint" },
        { "progress_unit", "text" }, { "error", "text" }, { "output", "text" },
        { "lease_owner", "text" }, { "lease_token", "bigint" }, { "lease_expires", "bigint" },
        { "avoid_host", "text" }, { "avoid_until", "bigint" } } };

    // The columns a transition may change, in the order updateRows() lists them.
    static constexpr std::array<ArrayColumn, 19> kUpdateArrays { { { "key", "bigint" },
        { "state", "smallint" }, { "control", "smallint" }, { "attempts", "integer" },
        { "max_attempts", "integer" }, { "started_at", "bigint" }, { "finished_at", "bigint" },
        { "not_before", "bigint" }, { "progress_done", "bigint" }, { "progress_total", "bigint" },
        { "progress_unit", "text" }, { "error", "text" }, { "output", "text" },
        { "lease_owner", "text" }, { "lease_token", "bigint" }, { "lease_expires", "bigint" },
        { "avoid_host", "text" }, { "avoid_until", "bigint" }, { "seq", "bigint" } } };

    Error remove(const QUuid &id, qint64 key, JobState state)
    {
        if (Error e = exec(QStringLiteral("DELETE FROM jobs WHERE key = ?"), { key }); e.isError())
            return e;
        if (Error e = exec(QStringLiteral("DELETE FROM job_events WHERE job_key = ?"), { key });
            e.isError())
            return e;
        // Events of this transaction not written yet would outlive their job.
        m_request.events.removeIf(
            [key](const std::pair<qint64, JobEvent> &e) { return e.first == key; });
        m_request.removed.insert(key);
        if (Error e = exec(QStringLiteral("INSERT INTO removed (id) VALUES (?) ON CONFLICT (id) DO "
                                          "UPDATE SET txid = pg_current_xact_id()"),
                { idString(id) });
            e.isError())
            return e;
        if (Error e = adjustCount(state, -1); e.isError())
            return e;
        if (++m_removalsSincePrune >= 1000)
            return pruneRemoved();
        return {};
    }

    // Removals of a batch (prune, Clear Finished: thousands of jobs) in one statement, not
    // three for each job: the rows, their timelines, and their ids for the change feed.
    Error removeRows(const QList<const RowChange *> &removals)
    {
        if (removals.size() == 1)
            return remove(removals.first()->record->id, removals.first()->key,
                removals.first()->before.state);
        if (removals.isEmpty())
            return {};
        QStringList keys;
        QSet<qint64> removedKeys;
        for (const RowChange *c : removals) {
            keys.append(number(c->key));
            removedKeys.insert(c->key);
        }
        qint64 count = 0;
        if (Error e = selectInt(
                QStringLiteral(
                    "WITH gone AS (DELETE FROM jobs WHERE key = ANY (?::bigint[]) RETURNING id), "
                    "timeline AS (DELETE FROM job_events WHERE job_key = ANY (?::bigint[])), "
                    "noted AS (INSERT INTO removed (id) SELECT id FROM gone ON CONFLICT (id) DO "
                    "UPDATE SET txid = pg_current_xact_id()) "
                    "SELECT COUNT(*) FROM gone"),
                { arrayLiteral(keys), arrayLiteral(keys) }, &count);
            e.isError())
            return e;
        if (count != removals.size())
            return makeError(ErrorCode::Storage,
                QStringLiteral("%1 of %2 jobs vanished while they were removed")
                    .arg(removals.size() - count)
                    .arg(removals.size()));
        // Events of this transaction not written yet would outlive their jobs.
        const auto ofThoseJobs = [&](const std::pair<qint64, JobEvent> &e) {
            return removedKeys.contains(e.first);
        };
        m_request.events.removeIf(ofThoseJobs);
        m_request.removed += removedKeys;
        for (const RowChange *c : removals) {
            if (Error e = adjustCount(c->before.state, -1); e.isError())
                return e;
        }
        m_removalsSincePrune += int(removals.size());
        if (m_removalsSincePrune >= 1000)
            return pruneRemoved();
        return {};
    }

    // Deferred to the commit: a transaction that claims 100 jobs moves each counter once.
    Error adjustCount(JobState state, int delta)
    {
        m_dirty = true; // every insert, state change and removal passes here
        m_request.counts[static_cast<int>(state)] += delta;
        return {};
    }

    // A text array element in PostgreSQL's array syntax: quoted, with " and \ escaped.
    static QString arrayElement(const QString &text)
    {
        QString out = QStringLiteral("\"");
        for (QChar c : text) {
            if (c == u'"' || c == u'\\')
                out += u'\\';
            out += c;
        }
        return out + u'"';
    }

    struct Deferred
    {
        // state -> change; in order of state, so that every transaction locks the counter rows
        // it changes in one order (two of them may wait, never for each other: no deadlock)
        QMap<int, qint64> counts;
        QList<std::pair<qint64, JobEvent>> events; // (job key, event)
        qint64 queued = 0; // rows written queued (counts.entered)
        // Keys of the rows removed: the kept requests' events of those jobs go once it is kept.
        QSet<qint64> removed;
    };

    void noteWritten(const JobRecord &record)
    {
        if (record.state == JobState::Queued)
            ++m_request.queued;
    }
    Deferred m_request; // the request running now
    Deferred m_txn; // the requests of this transaction that were kept

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
        if (Error e = selectInt(QStringLiteral("SELECT txid::text::bigint FROM removed ORDER BY "
                                               "txid LIMIT 1 OFFSET ?"),
                { count - kMaxRemovedRemembered / 2 }, &floor);
            e.isError())
            return e;
        if (Error e = exec(QStringLiteral("DELETE FROM removed WHERE txid < ?::text::xid8"),
                { QString::number(floor) });
            e.isError())
            return e;
        return exec(QStringLiteral(
                        "UPDATE meta SET value = GREATEST(value, ?) WHERE key = 'removed_floor'"),
            { floor });
    }

    QString m_location;
    int m_backendPid = 0;
    int m_slot = 0;
    int m_removalsSincePrune = 0;
    bool m_dirty = false;
};

// Creates or upgrades the schema; refuses a newer one without touching it.
Error initialize(PgDb &db, const QString &schema, bool createIfMissing)
{
    const QString name = quotedIdentifier(schema);
    qint64 exists = 0;
    if (Error e =
            db.selectInt(QStringLiteral("SELECT COUNT(*) FROM pg_namespace WHERE nspname = ?"),
                { schema }, &exists);
        e.isError())
        return e;
    if (!exists && !createIfMissing)
        return makeError(
            ErrorCode::NotFound, QStringLiteral("there is no queue in schema %1").arg(schema));
    if (Error e = db.execOnce(QStringLiteral("BEGIN")); e.isError())
        return e;
    const auto fail = [&](Error e) {
        db.execOnce(QStringLiteral("ROLLBACK"));
        return e;
    };
    // One process migrates; the others wait here and then find the work done.
    if (Error e =
            db.execOnce(QStringLiteral("SELECT pg_advisory_xact_lock(hashtext('spool-migrate'))"));
        e.isError())
        return fail(e);
    // Only when missing: creating one needs a right on the database that using one does not.
    if (Error e =
            db.selectInt(QStringLiteral("SELECT COUNT(*) FROM pg_namespace WHERE nspname = ?"),
                { schema }, &exists);
        e.isError())
        return fail(e);
    if (!exists) {
        if (Error e = db.execOnce(QStringLiteral("CREATE SCHEMA %1").arg(name)); e.isError())
            return fail(e);
    }
    qint64 hasMeta = 0;
    if (Error e = db.selectInt(QStringLiteral("SELECT COUNT(*) FROM pg_tables WHERE schemaname = "
                                              "? AND tablename = 'meta'"),
            { schema }, &hasMeta);
        e.isError())
        return fail(e);
    qint64 version = 0;
    if (hasMeta) {
        if (Error e = db.meta(QStringLiteral("schema_version"), &version); e.isError())
            return fail(e);
    }
    if (version > PostgresJobStore::kSchemaVersion)
        return fail(makeError(ErrorCode::Corrupt,
            QStringLiteral("schema %1 was written by a newer Spool (schema %2; this build reads up "
                           "to %3); it was left untouched")
                .arg(schema)
                .arg(version)
                .arg(PostgresJobStore::kSchemaVersion)));
    for (int v = static_cast<int>(version) + 1; v <= PostgresJobStore::kSchemaVersion; ++v) {
        for (const QString &sql : migrations().at(v - 1)) {
            if (Error e = db.execOnce(sql); e.isError())
                return fail(e);
        }
        const QString stamp = v == 1
            ? QStringLiteral("INSERT INTO meta (key, value) VALUES ('schema_version', %1)")
            : QStringLiteral("UPDATE meta SET value = %1 WHERE key = 'schema_version'");
        if (Error e = db.execOnce(stamp.arg(v)); e.isError())
            return fail(e);
    }
    return db.execOnce(QStringLiteral("COMMIT"));
}

// A connection to the server and the thread that uses it. The store has two: claims go on
// their own, so that a claim and other writes (finishes above all) run on the server side by
// side instead of in turn; each lane still groups its concurrent writers into one transaction.
class Lane final : public StoreThread::Backend
{
public:
    enum class Opens {
        Schema, // connects when it starts, and creates or upgrades the schema
        AtFirstUse, // connects at its first request (a store that only reads never claims)
    };
    Lane(const PostgresJobStore::Options &options, const QByteArray &conninfo,
        const QString &location, Opens opens, std::function<void(int)> connected)
        : m_options(options)
        , m_conninfo(conninfo)
        , m_location(location)
        , m_opens(opens)
        , m_connected(std::move(connected))
        , m_thread(this, std::chrono::milliseconds(60000))
    { }

    Error start() { return m_thread.start(); }
    size_t waitingRequests() const { return m_thread.waitingRequests(); }
    Error call(bool write, const std::function<Error(PgDb &)> &fn)
    {
        return m_thread.call(write, [this, &fn] { return fn(*m_db); });
    }

    Error open() override
    {
        if (m_opens == Opens::AtFirstUse)
            return {};
        if (Error e = connect(); e.isError())
            return e;
        return initialize(*m_db, m_options.schema, m_options.createIfMissing);
    }

    void close() override { m_db.reset(); }
    SqlSession &session() override { return *m_db; }

    Error beginRead() override
    {
        return begin(QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    }
    void endRead() override
    {
        if (m_db && !m_db->isBroken())
            m_db->execOnce(QStringLiteral("COMMIT"));
    }
    Error beginWrite() override
    {
        if (m_db) // a new connection has nothing deferred
            m_db->dropDeferred();
        // Said, not left to the server's default: each statement of a claim must see what was
        // committed before it (claims read the queue unlocked, one after the other).
        return begin(QStringLiteral("BEGIN ISOLATION LEVEL READ COMMITTED"));
    }

    void endRequest(bool kept) override { m_db->endRequest(kept); }

    Error commitWrite() override
    {
        // The notice is delivered at commit, to the other processes' listeners.
        if (Error e = m_db->flushDeferred(m_db->takeDirty()); e.isError())
            return e;
        return m_db->execOnce(QStringLiteral("COMMIT"));
    }

    void rollbackWrite() override
    {
        if (!m_db)
            return;
        m_db->takeDirty();
        m_db->dropDeferred();
        if (!m_db->isBroken())
            m_db->execOnce(QStringLiteral("ROLLBACK"));
    }

private:
    Error connect()
    {
        if (m_db)
            m_db->markLost();
        static std::atomic<int> counter { 0 };
        m_db = std::make_unique<PgDb>(
            QStringLiteral("spool-pg-%1").arg(counter.fetch_add(1)), m_location);
        if (Error e = m_db->open(m_conninfo, m_options.schema); e.isError())
            return e;
        m_connected(m_db->backendPid());
        return {};
    }

    // A connection that broke is replaced here, before the next transaction; the claim lane's
    // first one is made here too.
    Error begin(const QString &sql)
    {
        if (!m_db || m_db->isBroken()) {
            if (Error e = connect(); e.isError())
                return e;
        }
        return m_db->execOnce(sql);
    }

    const PostgresJobStore::Options &m_options;
    const QByteArray &m_conninfo;
    const QString &m_location;
    const Opens m_opens;
    const std::function<void(int)> m_connected; // with the server process's pid
    std::unique_ptr<PgDb> m_db; // lane thread only
    StoreThread m_thread; // last: stops before the members above go
};

} // namespace

class PostgresJobStore::Private
{
public:
    enum LaneIndex : size_t { kMainLane, kClaimLane, kLanes };
    static_assert(kLanes <= PgNotifyListener::kMaxIgnored, "the listener ignores every lane");

    Private(const Options &opts, QByteArray info, QString where)
        : options(opts)
        , conninfo(std::move(info))
        , location(std::move(where))
    { }

    Options options;
    QByteArray conninfo;
    QString location;

    std::mutex listenerMutex;
    std::unique_ptr<PgNotifyListener> listener;
    std::array<std::atomic<int>, kLanes> backendPids {};

    std::mutex statisticsMutex;
    qint64 added = 0; // rows this process added
    qint64 addedAtAnalyze = 0;
    std::atomic<int> previewsShared { 0 };
    std::atomic<qint64> filesTidiedAtMs { 0 };

    // Last: the lanes' threads stop before the members above go. Both threads start with the
    // store, on the thread that opens it: a lane started by its first claim would be a child of a
    // worker slot and keep the slot's low priority (nice, SCHED_IDLE) for good. The claim lane
    // connects at the first claim (a window or a spoolctl command that only looks never needs
    // it).
    Lane mainLane { options, conninfo, location, Lane::Opens::Schema, connectedFn(kMainLane) };
    Lane claimLane { options, conninfo, location, Lane::Opens::AtFirstUse,
        connectedFn(kClaimLane) };

    Error start()
    {
        if (Error e = mainLane.start(); e.isError())
            return e;
        return claimLane.start();
    }

    Error call(bool write, const std::function<Error(PgDb &)> &fn)
    {
        return mainLane.call(write, fn);
    }

private:
    // Notifications sent by the lanes' own server processes are not news to this process.
    std::function<void(int)> connectedFn(LaneIndex index)
    {
        return [this, index](int pid) {
            backendPids[index].store(pid);
            std::lock_guard lock(listenerMutex);
            if (listener)
                listener->ignoreSender(index, pid);
        };
    }
};

Error PostgresJobStore::checkUrl(const QString &url)
{
    const ConnInfo info = parseConnInfo(url);
    if (!info.error.isEmpty())
        return makeError(
            ErrorCode::InvalidInput, QStringLiteral("bad queue URL: %1").arg(info.error));
    if (!valueOf(info, "password").isEmpty())
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("the queue URL holds a password; put it in ~/.pgpass (or a service "
                           "file) instead, where other users cannot read it"));
    return {};
}

QString PostgresJobStore::displayUrl(const QString &url)
{
    const ConnInfo info = parseConnInfo(url);
    if (!info.error.isEmpty())
        return QStringLiteral("(bad queue URL)");
    QString host = QString::fromUtf8(valueOf(info, "host"));
    if (host.isEmpty())
        host = qEnvironmentVariable("PGHOST", QStringLiteral("localhost"));
    QString port = QString::fromUtf8(valueOf(info, "port"));
    if (port.isEmpty())
        port = qEnvironmentVariable("PGPORT", QStringLiteral("5432"));
    QString name = QString::fromUtf8(valueOf(info, "dbname"));
    if (name.isEmpty())
        name = qEnvironmentVariable("PGDATABASE");
    const QString service = QString::fromUtf8(valueOf(info, "service"));
    if (!service.isEmpty())
        return QStringLiteral("postgresql service %1").arg(service);
    return QStringLiteral("postgresql://%1:%2/%3").arg(host, port, name);
}

Result<std::unique_ptr<PostgresJobStore>> PostgresJobStore::open(const Options &options)
{
    if (Error e = checkUrl(options.url); e.isError())
        return e;
    const QByteArray conninfo =
        conninfoString(parseConnInfo(options.url), qMax(1, options.connectTimeoutS));
    QString location = displayUrl(options.url);
    if (options.schema != QLatin1String("spool"))
        location += QStringLiteral(" (schema %1)").arg(options.schema);
    auto d = std::make_unique<Private>(options, conninfo, location);
    if (Error e = d->start(); e.isError())
        return e;
    return std::unique_ptr<PostgresJobStore>(new PostgresJobStore(std::move(d)));
}

PostgresJobStore::PostgresJobStore(std::unique_ptr<Private> p)
    : d(std::move(p))
{ }

PostgresJobStore::~PostgresJobStore()
{
    std::unique_ptr<PgNotifyListener> listener;
    {
        std::lock_guard lock(d->listenerMutex);
        listener = std::move(d->listener);
    }
}

QString PostgresJobStore::location() const
{
    return d->location;
}

size_t PostgresJobStore::waitingRequests() const
{
    return d->mainLane.waitingRequests();
}

Error PostgresJobStore::withRows(bool write, const RowsFn &fn)
{
    return d->call(write, [&](PgDb &db) { return fn(db, db); });
}

Result<ClaimResult> PostgresJobStore::claim(const ClaimRequest &request)
{
    ClaimResult result;
    const Error e =
        d->claimLane.call(true, [&](PgDb &db) { return rowstore::claim(db, request, &result); });
    if (e.isError())
        return e;
    return result;
}

Result<QList<JobRecord>> PostgresJobStore::enqueue(const QList<NewJob> &jobs, qint64 nowMs)
{
    auto added = SqlJobStore::enqueue(jobs, nowMs);
    if (added)
        noteRowsAdded(added->size());
    return added;
}

Result<ImportResult> PostgresJobStore::importJobs(const QList<ExportedJob> &jobs, qint64 nowMs)
{
    auto imported = SqlJobStore::importJobs(jobs, nowMs);
    if (imported)
        noteRowsAdded(imported->imported);
    return imported;
}

// The planner's row counts come from the last ANALYZE. Autovacuum runs one within a minute or
// so; until then a queue that grew from nearly empty to 20,000 jobs is planned as holding a
// few: each claim then sorted every queued job instead of reading the first ones in order
// (11 ms a claim, measured with auto_explain). So after many rows (doubling: 1,000, 2,000,
// 4,000...) the enqueuer refreshes the statistics itself. A failure only leaves them stale.
void PostgresJobStore::noteRowsAdded(qint64 count)
{
    {
        std::lock_guard lock(d->statisticsMutex);
        d->added += count;
        if (d->added - d->addedAtAnalyze < qMax(kAnalyzeAfterRows, d->addedAtAnalyze))
            return;
        d->addedAtAnalyze = d->added;
    }
    d->call(true, [](PgDb &db) { return db.execOnce(QStringLiteral("ANALYZE jobs")); });
}

Result<void> PostgresJobStore::sharePreview(
    const QUuid &id, qint64 leaseToken, const QByteArray &image, qint64 nowMs)
{
    // Previews of jobs that no longer run are dropped now and then, not one by one as jobs end:
    // the table holds about one row per running job.
    constexpr int kTidyEvery = 64;
    const bool tidy = d->previewsShared.fetch_add(1) % kTidyEvery == kTidyEvery - 1;
    return d->call(true, [&](PgDb &db) -> Error {
        // Only the runner that holds the job writes its picture (a stale one is ignored).
        if (Error e = db.exec(
                QStringLiteral("INSERT INTO previews (job_id, image, at) SELECT id, ?, ? FROM jobs "
                               "WHERE id = ? AND state = 2 AND lease_token = ? ON CONFLICT "
                               "(job_id) DO UPDATE SET image = excluded.image, at = excluded.at"),
                { image, nowMs, idString(id), leaseToken });
            e.isError())
            return e;
        if (!tidy)
            return {};
        return db.exec(QStringLiteral("DELETE FROM previews p WHERE NOT EXISTS (SELECT 1 FROM "
                                      "jobs j WHERE j.id = p.job_id AND j.state = 2)"));
    });
}

Result<QByteArray> PostgresJobStore::sharedPreview(const QUuid &id)
{
    QByteArray image;
    const Error e = d->call(false, [&](PgDb &db) {
        return db.select(QStringLiteral("SELECT image FROM previews WHERE job_id = ?"),
            { idString(id) }, [&](const QSqlQuery &q) { image = q.value(0).toByteArray(); });
    });
    if (e.isError())
        return e;
    return image;
}

Result<bool> PostgresJobStore::touchSharedFile(const QString &hash, qint64 nowMs)
{
    qint64 found = 0;
    const Error e = d->call(true, [&](PgDb &db) {
        return db.selectInt(QStringLiteral("WITH t AS (UPDATE files SET at = GREATEST(at, ?) "
                                           "WHERE hash = ? RETURNING 1) SELECT COUNT(*) FROM t"),
            { nowMs, hash }, &found);
    });
    if (e.isError())
        return e;
    return found > 0;
}

Result<void> PostgresJobStore::addSharedFilePiece(
    const QString &hash, int index, const QByteArray &bytes, qint64 nowMs)
{
    return d->call(true, [&](PgDb &db) {
        // A piece stored is the piece: another machine storing the same content leaves it.
        return db.execBytes("INSERT INTO file_pieces (hash, n, at, data) VALUES ($1, $2, $3, $4) "
                            "ON CONFLICT (hash, n) DO UPDATE SET at = excluded.at",
            { hash.toLatin1(), QByteArray::number(index), QByteArray::number(nowMs) }, &bytes);
    });
}

Result<void> PostgresJobStore::completeSharedFile(const SharedFile &file, qint64 nowMs)
{
    if (Error e = tidySharedFiles(nowMs); e.isError())
        return e;
    const qint64 pieces = (file.size + kSharedFilePiece - 1) / kSharedFilePiece;
    qint64 listed = 0;
    const Error error = d->call(true, [&](PgDb &db) -> Error {
        // Listed only if every piece arrived, with the file's size in all.
        if (Error e = db.exec(QStringLiteral("INSERT INTO files (hash, size, pieces, at) SELECT "
                                             "?, ?, ?, ? FROM (SELECT COUNT(*) AS n, "
                                             "COALESCE(SUM(length(data)), 0) AS bytes FROM "
                                             "file_pieces WHERE hash = ? AND n < ?) p WHERE p.n "
                                             "= ? AND p.bytes = ? ON CONFLICT (hash) DO UPDATE "
                                             "SET at = excluded.at"),
                { file.hash, file.size, pieces, nowMs, file.hash, pieces, pieces, file.size });
            e.isError())
            return e;
        return db.selectInt(
            QStringLiteral("SELECT COUNT(*) FROM files WHERE hash = ?"), { file.hash }, &listed);
    });
    if (error.isError())
        return error;
    if (listed == 0)
        return makeError(ErrorCode::Storage,
            QStringLiteral("the queue did not receive every piece of file %1").arg(file.hash));
    return {};
}

Result<QByteArray> PostgresJobStore::sharedFilePiece(const QString &hash, int index)
{
    QByteArray bytes;
    bool found = false;
    const Error e = d->call(false, [&](PgDb &db) {
        return db.execBytes("SELECT p.data FROM file_pieces p JOIN files f USING (hash) WHERE "
                            "p.hash = $1 AND p.n = $2",
            { hash.toLatin1(), QByteArray::number(index) }, nullptr, &bytes, &found);
    });
    if (e.isError())
        return e;
    if (!found)
        return makeError(ErrorCode::NotFound,
            QStringLiteral("the queue no longer has file %1 (piece %2)").arg(hash).arg(index));
    return bytes;
}

Result<void> PostgresJobStore::nameSharedFile(
    const QString &name, const SharedFile &file, qint64 nowMs)
{
    return d->call(true, [&](PgDb &db) {
        return db.exec(QStringLiteral("INSERT INTO file_names (name, hash, size, at) VALUES (?, "
                                      "?, ?, ?) ON CONFLICT (name) DO UPDATE SET hash = "
                                      "excluded.hash, size = excluded.size, at = excluded.at"),
            { name, file.hash, file.size, nowMs });
    });
}

Result<SharedFile> PostgresJobStore::sharedFileNamed(const QString &name)
{
    SharedFile file;
    const Error e = d->call(false, [&](PgDb &db) {
        return db.select(QStringLiteral("SELECT hash, size FROM file_names WHERE name = ?"),
            { name }, [&](const QSqlQuery &q) {
                file.hash = q.value(0).toString();
                file.size = q.value(1).toLongLong();
            });
    });
    if (e.isError())
        return e;
    return file;
}

Result<void> PostgresJobStore::forgetSharedFileName(const QString &name)
{
    return d->call(true, [&](PgDb &db) {
        return db.exec(QStringLiteral("DELETE FROM file_names WHERE name = ?"), { name });
    });
}

// Files no job names any more go, once their grace time is over, and so do the pieces of
// uploads that never completed. Looked for when a file is added (what makes the tables grow),
// at most once in a while: it reads every job's parameters.
Error PostgresJobStore::tidySharedFiles(qint64 nowMs)
{
    constexpr qint64 kTidyEveryMs = 10 * 60 * 1000;
    const qint64 last = d->filesTidiedAtMs.load();
    if (last != 0 && nowMs - last < kTidyEveryMs)
        return {};
    d->filesTidiedAtMs.store(nowMs);
    const qint64 before = nowMs - kSharedFileGraceMs;
    return d->call(true, [&](PgDb &db) -> Error {
        if (Error e = db.exec(QStringLiteral("DELETE FROM file_names n WHERE n.at < ? AND NOT "
                                             "EXISTS (SELECT 1 FROM jobs j WHERE strpos(j.params, "
                                             "split_part(n.name, '/', 1)) > 0)"),
                { before });
            e.isError())
            return e;
        if (Error e = db.exec(QStringLiteral("DELETE FROM files f WHERE f.at < ? AND NOT EXISTS "
                                             "(SELECT 1 FROM jobs j WHERE strpos(j.params, "
                                             "f.hash) > 0) AND NOT EXISTS (SELECT 1 FROM "
                                             "file_names n WHERE n.hash = f.hash)"),
                { before });
            e.isError())
            return e;
        return db.exec(QStringLiteral("DELETE FROM file_pieces p WHERE p.at < ? AND NOT EXISTS "
                                      "(SELECT 1 FROM files f WHERE f.hash = p.hash)"),
            { before });
    });
}

Result<QueueCounts> PostgresJobStore::counts()
{
    QueueCounts counts;
    const Error e = d->call(false, [&](PgDb &db) -> Error {
        counts = QueueCounts {};
        return db.select(QStringLiteral("SELECT state, SUM(n) FROM counts GROUP BY state"), {},
            [&](const QSqlQuery &q) {
                counts.adjust(static_cast<JobState>(q.value(0).toInt()), q.value(1).toLongLong());
            });
    });
    if (e.isError())
        return e;
    return counts;
}

Result<bool> PostgresJobStore::queuePaused()
{
    qint64 paused = 0;
    const Error e =
        d->call(false, [&](PgDb &db) { return db.meta(QStringLiteral("queue_paused"), &paused); });
    if (e.isError())
        return e;
    return paused != 0;
}

Result<void> PostgresJobStore::setQueuePaused(bool paused, qint64 nowMs)
{
    Q_UNUSED(nowMs)
    return d->call(
        true, [&](PgDb &db) { return db.setMeta(QStringLiteral("queue_paused"), paused ? 1 : 0); });
}

Result<ChangeSet> PostgresJobStore::changesSince(qint64 rev)
{
    ChangeSet changes;
    const Error e = d->call(false, [&](PgDb &db) -> Error {
        changes = ChangeSet {};
        // First statement: the snapshot every read below shares, and the next position.
        if (Error err = db.snapshotXmin(&changes.rev); err.isError())
            return err;
        qint64 paused = 0;
        qint64 floor = 0;
        if (Error err = db.meta(QStringLiteral("queue_paused"), &paused); err.isError())
            return err;
        if (Error err = db.meta(QStringLiteral("removed_floor"), &floor); err.isError())
            return err;
        changes.queuePaused = paused != 0;
        changes.fullResync = rev < floor;
        const QString since = QString::number(changes.fullResync ? 0 : rev);
        if (Error err = db.select(
                QStringLiteral("SELECT %1 FROM jobs WHERE txid >= ?::text::xid8 ORDER BY seq")
                    .arg(kColumns),
                { since }, [&](const QSqlQuery &q) { changes.changed.append(sqlrecord::read(q)); });
            err.isError())
            return err;
        if (changes.fullResync)
            return {};
        return db.select(QStringLiteral("SELECT id FROM removed WHERE txid >= ?::text::xid8"),
            { since }, [&](const QSqlQuery &q) {
                changes.removed.append(QUuid::fromString(q.value(0).toString()));
            });
    });
    if (e.isError())
        return e;
    return changes;
}

Result<qint64> PostgresJobStore::currentRev()
{
    qint64 rev = 0;
    const Error e = d->call(false, [&](PgDb &db) { return db.snapshotXmin(&rev); });
    if (e.isError())
        return e;
    return rev;
}

void PostgresJobStore::setExternalChangeListener(std::function<void()> listener)
{
    std::unique_ptr<PgNotifyListener> old;
    std::lock_guard lock(d->listenerMutex);
    old = std::move(d->listener);
    if (!listener)
        return;
    d->listener = std::make_unique<PgNotifyListener>(d->conninfo, kChannel,
        d->options.schema.toUtf8(), d->options.changePollMs, std::move(listener));
    for (size_t i = 0; i < Private::kLanes; ++i)
        d->listener->ignoreSender(i, d->backendPids[i].load());
}

} // namespace spool
