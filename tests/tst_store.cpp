// The store contract, run against the memory, SQLite and PostgreSQL stores; then what only the
// persistent stores promise (persistence, refusing what they cannot read, several connections
// on one queue, caps across connections).
#include <atomic>
#include <cerrno>
#include <sqlite3.h>
#include <sys/resource.h>
#include <thread>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include "pgserver.h"
#include "store/memoryjobstore.h"
#include "store/postgresjobstore.h"
#include "store/sqlitejobstore.h"
#include "store/sqlitestatements.h"
#include "store/sqlrecord.h"
#include "store/sqlsession.h"
#include "store/storethread.h"
#include "util/datadir.h"
#include "util/result.h"
#include "util/runneridentity.h"

// `for (const auto &e : store->events(id).value())` iterates what value() returns: on a
// temporary Result that must be an owned value, not a reference into the dying temporary.
static_assert(!std::is_reference_v<decltype(std::declval<spool::Result<QList<int>>>().value())>);

using namespace spool;

namespace {

constexpr qint64 kNow = 1'800'000'000'000;
const QString kOtherHostOwner = QStringLiteral("another-host|4242|1|runner");

NewJob newJob(const QString &kind = QStringLiteral("busy"), int maxAttempts = 3)
{
    return NewJob { QUuid::createUuid(), kind, QJsonObject { { QStringLiteral("ms"), 1 } },
        maxAttempts };
}

QList<NewJob> newJobs(int count)
{
    QList<NewJob> jobs;
    jobs.reserve(count);
    for (int i = 0; i < count; ++i)
        jobs.append(newJob());
    return jobs;
}

ClaimRequest claimRequest(const QString &owner, qint64 now, int maxJobs = 1,
    std::function<Admission(const JobRecord &)> admit = {})
{
    ClaimRequest r;
    r.owner = owner;
    r.nowMs = now;
    r.leaseMs = 1000;
    r.maxJobs = maxJobs;
    r.admit = std::move(admit);
    return r;
}

// A second connection to the test's server that holds a job's row (SELECT ... FOR UPDATE) in a
// transaction until let go. The server ends that transaction after `idleTimeoutMs`: a store
// that waited for the row would otherwise wait for the test.
class RowHolder final
{
public:
    explicit RowHolder(const test::PgServer &pg)
        : m_db(QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), kConnection))
    {
        m_db.setHostName(QStringLiteral("127.0.0.1"));
        m_db.setPort(pg.port());
        m_db.setUserName(pg.user());
        m_db.setDatabaseName(QStringLiteral("postgres"));
    }
    ~RowHolder()
    {
        m_db.close();
        m_db = QSqlDatabase(); // the last handle goes before the connection is removed
        QSqlDatabase::removeDatabase(kConnection);
    }
    Q_DISABLE_COPY_MOVE(RowHolder)

    // Empty when the row is held, else why not.
    QString hold(const QString &schema, const QUuid &id, int idleTimeoutMs)
    {
        if (!m_db.open())
            return m_db.lastError().text();
        QSqlQuery q(m_db);
        if (!q.exec(
                QStringLiteral("SET idle_in_transaction_session_timeout = %1").arg(idleTimeoutMs))
            || !m_db.transaction()
            || !q.exec(QStringLiteral("SELECT 1 FROM %1.jobs WHERE id = '%2' FOR UPDATE")
                           .arg(schema, idString(id))))
            return q.lastError().text() + m_db.lastError().text();
        return {};
    }
    bool letGo() { return m_db.rollback(); }

private:
    static inline const QString kConnection = QStringLiteral("holder");
    QSqlDatabase m_db;
};

// The end of a claimed job's attempt: it succeeded, with `output`.
Completion succeeded(const JobRecord &job, const QString &output = {})
{
    return Completion { job.id, job.leaseToken, RunStatus::Succeeded, true, false, 0, {}, output,
        Progress {}, {} };
}

// The names in a job's timeline, in its order (empty when it cannot be read).
QStringList eventNames(JobStore &store, const QUuid &id)
{
    QStringList names;
    auto events = store.events(id);
    if (events)
        for (const JobEvent &e : std::as_const(events.value()))
            names.append(e.event);
    return names;
}

// What a claim of one job is given to count other connections' writes (ClaimRequest::startAfter);
// -1 unless it took one job, which `claimed` gets.
qint64 writesSeenByClaim(JobStore &store, JobRecord *claimed = nullptr)
{
    ClaimRequest request = claimRequest(QStringLiteral("me|1|1|x"), kNow);
    qint64 seen = -1;
    request.startAfter = [&](qint64 writes) {
        seen = writes;
        return qint64(0);
    };
    auto result = store.claim(request);
    if (!result.ok() || result->claimed.size() != 1)
        return -1;
    if (claimed)
        *claimed = result->claimed.first();
    return seen;
}

// Three threads on each of two connections to one queue, each thread its own runner.
template<typename Worker>
void onTwoConnections(JobStore *first, JobStore *second, const Worker &worker)
{
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) {
        threads.emplace_back(worker, first, QStringLiteral("a|1|1|%1").arg(i));
        threads.emplace_back(worker, second, QStringLiteral("b|1|1|%1").arg(i));
    }
    for (auto &t : threads)
        t.join();
}

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

// `request` until it works, three times at most; why the others failed goes to `failures`.
template<typename Request>
auto upToThreeTimes(const Request &request, QStringList *failures)
{
    auto result = request();
    for (int i = 1; i < 3 && !result.ok(); ++i) {
        failures->append(result.error().message);
        result = request();
    }
    if (!result.ok())
        failures->append(result.error().message);
    return result;
}

// A SQLite file of its own opened through Qt's driver, with the handle SQLite's own API takes;
// closed and forgotten when it goes (statements on it must be gone first).
class ScratchSqlite
{
public:
    explicit ScratchSqlite(const QString &name)
        : m_name(name)
        , m_db(QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name))
    {
        m_db.setDatabaseName(m_dir.filePath(QStringLiteral("t.db")));
    }
    ~ScratchSqlite()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    Q_DISABLE_COPY_MOVE(ScratchSqlite)

    bool open() { return m_db.open(); }
    QSqlDatabase &db() { return m_db; }
    sqlite3 *handle() const
    {
        const QVariant handle = m_db.driver()->handle();
        return qstrcmp(handle.typeName(), "sqlite3*") == 0
            ? *static_cast<sqlite3 *const *>(handle.constData())
            : nullptr;
    }

private:
    QTemporaryDir m_dir;
    QString m_name;
    QSqlDatabase m_db;
};

} // namespace

class TestStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void enqueueIsFifoAndAtomic_data() { storeRows(); }
    void enqueueIsFifoAndAtomic();
    void claimFollowsFifoAndAdmission_data() { storeRows(); }
    void claimFollowsFifoAndAdmission();
    void claimWithJobsStopsReadingPastRefusals_data() { storeRows(); }
    void claimWithJobsStopsReadingPastRefusals();
    void claimStartsWhereItIsAsked_data() { storeRows(); }
    void claimStartsWhereItIsAsked();
    void claimShowsTheRunningJobsOfTheKindsAsked_data() { storeRows(); }
    void claimShowsTheRunningJobsOfTheKindsAsked();
    void retryWaitsForItsTime_data() { storeRows(); }
    void retryWaitsForItsTime();
    void finishIsFencedByTheLease_data() { storeRows(); }
    void finishIsFencedByTheLease();
    void finishAndClaimSeesTheRowsAsFinished_data() { storeRows(); }
    void finishAndClaimSeesTheRowsAsFinished();
    void heartbeatRenewsAndCarriesStopRequests_data() { storeRows(); }
    void heartbeatRenewsAndCarriesStopRequests();
    void expiredLeaseGoesBackToTheQueue_data() { storeRows(); }
    void expiredLeaseGoesBackToTheQueue();
    void commandsAndTimeline_data() { storeRows(); }
    void commandsAndTimeline();
    void commandsOnManyJobsAtOnce_data() { storeRows(); }
    void commandsOnManyJobsAtOnce();
    void changesSinceARevision_data() { storeRows(); }
    void changesSinceARevision();
    void countsAndPrefixes_data() { storeRows(); }
    void countsAndPrefixes();
    void batchesAreWrittenWhole_data() { storeRows(); }
    void batchesAreWrittenWhole();
    void countsFollowEveryTransition_data() { storeRows(); }
    void countsFollowEveryTransition();
    void importKeepsIdsStatesAndTimelines_data() { storeRows(); }
    void importKeepsIdsStatesAndTimelines();
    void importOfManyJobsGoesInBatches_data() { storeRows(); }
    void importOfManyJobsGoesInBatches();
    void queryFindsJobsFinishedBefore_data() { storeRows(); }
    void queryFindsJobsByParameter();
    void queryFindsJobsByParameter_data() { storeRows(); }
    void queryFindsJobsFinishedBefore();
    void queryGivesParamsAsTextWhenAsked_data() { storeRows(); }
    void queryGivesParamsAsTextWhenAsked();
    void runnersReportAndForgetThemselves_data() { storeRows(); }
    void runnersReportAndForgetThemselves();

    void sqlitePersistsAcrossReopen();
    void upgradeKeepsOldTimelines_data() { persistentRows(); }
    void upgradeKeepsOldTimelines();
    void sqliteRefusesBadFiles_data();
    void sqliteRefusesBadFiles();
    void sqliteDataDirProblems();
    void sqliteMissingQueueIsNotCreatedForReading();
    void sqliteGroupCommitUnderConcurrentWriters();
    void sqliteCountsLeaveOutFailedRequests();
    void lostTransactionFailsTheRestOfItsBatch();
    void twoConnectionsNeverClaimOneJobTwice_data() { persistentRows(); }
    void twoConnectionsNeverClaimOneJobTwice();
    void capsHoldAcrossConnections_data() { storeRows(); }
    void capsHoldAcrossConnections();
    void noticesOtherConnections_data() { persistentRows(); }
    void noticesOtherConnections();
    void sqliteWritesBindValuesAsQtDoes();
    void sqliteClaimsCountOtherConnectionsWrites();
    void postgresClaimsCountJobsWrittenQueued();
    void postgresClaimsTakeOnlyJobsAsTheyWereRead();
    void postgresUndoneRemovalKeepsEarlierEvents();
    void sqliteReadsRecordsAsQtDoes();
    void sqliteRowsShareRepeatedTexts();

    void postgresPersistsAndRefusesANewerSchema();
    void postgresRefusesBadUrls();
    void postgresUnreachableIsAClearError();
    void postgresReconnectsAfterItsConnectionIsKilled();
    void postgresMissingQueueIsNotCreatedForReading();
    void postgresClaimsKeepTheOpenersPriority();

private:
    void storeRows();
    void persistentRows();
    // The store of the current row; a second call opens another connection to the same queue.
    std::shared_ptr<JobStore> makeStore();
    std::unique_ptr<SqliteJobStore> openSqlite(const QString &dir);
    std::unique_ptr<PostgresJobStore> openPostgres(const QString &schema, bool create = true);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<test::PgServer> m_pg;
    int m_schemaCounter = 0;
    QString m_schema; // this test's queue on the server
};

void TestStore::initTestCase()
{
    qunsetenv("PGAPPNAME"); // this process's connections are the store's "spool"
    m_pg = std::make_unique<test::PgServer>();
    QVERIFY2(m_pg->isRunning(), qPrintable(m_pg->error()));
}

void TestStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_schema = QStringLiteral("t%1").arg(++m_schemaCounter);
}

void TestStore::cleanup()
{
    m_dir.reset();
}

void TestStore::storeRows()
{
    QTest::addColumn<QString>("storeType");
    QTest::newRow("memory") << QStringLiteral("memory");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

void TestStore::persistentRows()
{
    QTest::addColumn<QString>("storeType");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

std::unique_ptr<PostgresJobStore> TestStore::openPostgres(const QString &schema, bool create)
{
    PostgresJobStore::Options options;
    options.url = m_pg->url();
    options.schema = schema;
    options.createIfMissing = create;
    options.changePollMs = 50;
    auto store = PostgresJobStore::open(options);
    if (!store)
        qWarning("%s", qPrintable(store.error().message));
    return store ? std::move(store.value()) : nullptr;
}

std::unique_ptr<SqliteJobStore> TestStore::openSqlite(const QString &dir)
{
    SqliteJobStore::Options options;
    options.dataDir = dir;
    options.changePollMs = 20;
    auto store = SqliteJobStore::open(options);
    if (!store)
        qWarning("%s", qPrintable(store.error().message));
    return store ? std::move(store.value()) : nullptr;
}

std::shared_ptr<JobStore> TestStore::makeStore()
{
    QFETCH(QString, storeType);
    if (storeType == QLatin1String("memory"))
        return std::make_shared<MemoryJobStore>();
    if (storeType == QLatin1String("postgres"))
        return openPostgres(m_schema);
    return openSqlite(m_dir->path());
}

void TestStore::enqueueIsFifoAndAtomic()
{
    auto store = makeStore();
    QVERIFY(store);
    auto first = store->enqueue({ newJob(), newJob(), newJob() }, kNow);
    QVERIFY(first.ok());
    auto second = store->enqueue({ newJob() }, kNow + 1);
    QVERIFY(second.ok());
    QCOMPARE(first->size(), 3);
    QVERIFY(first->at(0).seq < first->at(1).seq && first->at(1).seq < first->at(2).seq);
    QVERIFY(first->at(2).seq < second->first().seq);
    QCOMPARE(first->first().state, JobState::Queued);
    QCOMPARE(first->first().enqueuedAtMs, kNow);

    // A batch with one bad job queues nothing.
    NewJob duplicate = newJob();
    duplicate.id = first->first().id;
    const auto refused = store->enqueue({ newJob(), duplicate }, kNow);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().message.contains(idString(duplicate.id)),
        qPrintable(refused.error().message));
    const NewJob twice = newJob();
    const auto refusedTwice = store->enqueue({ twice, newJob(), twice }, kNow);
    QVERIFY(!refusedTwice.ok());
    QVERIFY2(refusedTwice.error().message.contains(idString(twice.id)),
        qPrintable(refusedTwice.error().message));
    auto all = store->query(JobQuery {});
    QVERIFY(all.ok());
    QCOMPARE(all->size(), 4);
    for (qsizetype i = 1; i < all->size(); ++i)
        QVERIFY2(all->at(i - 1).seq < all->at(i).seq, "query returns FIFO order");
    QCOMPARE(store->counts()->queued, 4); // the refused batches left no count behind
    // Nor a job to claim, and the next batch queues as usual.
    QVERIFY(store->enqueue({ newJob() }, kNow).ok());
    auto claimed = store->claim(claimRequest(QStringLiteral("w|1|1|x"), kNow, 100));
    QVERIFY(claimed.ok());
    QCOMPARE(claimed->claimed.size(), 5);
}

// A batch claim that has jobs does not read a capped host's whole backlog to fill the batch: with
// 1,000 jobs of one host and room for two, each claim read all 1,000 (quadratic over a run).
void TestStore::claimWithJobsStopsReadingPastRefusals()
{
    auto store = makeStore();
    QVERIFY(store);
    constexpr int kJobs = 1000;
    const QList<NewJob> jobs = newJobs(kJobs);
    auto queued = store->enqueue(jobs, kNow);
    QVERIFY(queued.ok());
    int looked = 0;
    auto claimed = store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow, 16,
        [&](const JobRecord &) { return ++looked <= 2 ? Admission::Admit : Admission::Skip; }));
    QVERIFY(claimed.ok());
    QCOMPARE(claimed->claimed.size(), 2);
    // The rest of its page (a store of rows reads a page at once), or as many rows past.
    QVERIFY2(looked <= 2 * kClaimPageSize, qPrintable(QString::number(looked)));

    // A claim that has none reads on: the job it may take can be the last.
    looked = 0;
    auto last =
        store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow, 16, [&](const JobRecord &) {
            return ++looked == kJobs - 2 ? Admission::Admit : Admission::Skip;
        }));
    QVERIFY(last.ok());
    QCOMPARE(last->claimed.size(), 1);
    QCOMPARE(last->claimed.first().id, queued->last().id);
}

void TestStore::claimFollowsFifoAndAdmission()
{
    auto store = makeStore();
    QVERIFY(store);
    auto jobs = store->enqueue(
        { newJob(QStringLiteral("a")), newJob(QStringLiteral("b")), newJob(QStringLiteral("a")),
            newJob(QStringLiteral("b")), newJob(QStringLiteral("a")) },
        kNow);
    QVERIFY(jobs.ok());
    const QString owner = QStringLiteral("me|1|1|x");

    // Nothing may start: nothing is claimed.
    auto none = store->claim(
        claimRequest(owner, kNow, 1, [](const JobRecord &) { return Admission::Stop; }));
    QVERIFY(none.ok());
    QVERIFY(none->claimed.isEmpty());

    // Kind a is at its cap: the first b starts, though an a came first.
    QStringList asked;
    auto b = store->claim(claimRequest(owner, kNow, 1, [&](const JobRecord &r) {
        asked.append(r.kind);
        return r.kind == QLatin1String("a") ? Admission::SkipKind : Admission::Admit;
    }));
    QVERIFY(b.ok());
    QCOMPARE(b->claimed.size(), 1);
    QCOMPARE(b->claimed.first().id, jobs->at(1).id);
    QCOMPARE(asked, (QStringList { QStringLiteral("a"), QStringLiteral("b") }));

    // Two at once, lowest sequence numbers first.
    auto two = store->claim(claimRequest(owner, kNow, 2));
    QVERIFY(two.ok());
    QCOMPARE(two->claimed.size(), 2);
    QCOMPARE(two->claimed.at(0).id, jobs->at(0).id);
    QCOMPARE(two->claimed.at(1).id, jobs->at(2).id);
    for (const JobRecord &r : std::as_const(two->claimed)) {
        QCOMPARE(r.state, JobState::Running);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(r.leaseOwner, owner);
        QCOMPARE(r.leaseExpiresAtMs, kNow + 1000);
    }
    auto stored = store->query(JobQuery { { jobs->at(0).id }, {}, -1 });
    QVERIFY(stored.ok());
    QCOMPARE(stored->first().state, JobState::Running);
}

void TestStore::claimShowsTheRunningJobsOfTheKindsAsked()
{
    auto store = makeStore();
    QVERIFY(store);
    const QString a = QStringLiteral("a"), b = QStringLiteral("b"), c = QStringLiteral("c");
    QVERIFY(store->enqueue({ newJob(a), newJob(b), newJob(c), newJob(a) }, kNow).ok());
    // Two runners run an a, a b and a c.
    QVERIFY(store->claim(claimRequest(QStringLiteral("one|1|1|x"), kNow, 2)).ok());
    QVERIFY(store->claim(claimRequest(QStringLiteral("two|1|1|x"), kNow, 1)).ok());

    const auto seen = [&](std::optional<QStringList> kinds) {
        QStringList running;
        ClaimRequest request = claimRequest(QStringLiteral("three|1|1|x"), kNow, 1,
            [](const JobRecord &) { return Admission::Stop; });
        request.seeRunning = [&](const JobRecord &r) { running.append(r.kind); };
        request.runningKinds = std::move(kinds);
        if (!store->claim(request).ok())
            return QStringList { QStringLiteral("claim failed") };
        running.sort();
        return running;
    };
    QCOMPARE(seen(std::nullopt), (QStringList { a, b, c }));
    QCOMPARE(seen(QStringList { a, c }), (QStringList { a, c }));
    QCOMPARE(seen(QStringList { b, QStringLiteral("none of these") }), QStringList { b });
    QCOMPARE(seen(QStringList {}), QStringList {});
}

void TestStore::claimStartsWhereItIsAsked()
{
    QFETCH(QString, storeType);
    auto store = makeStore();
    QVERIFY(store);
    const QList<NewJob> jobs = newJobs(6);
    auto q = store->enqueue(jobs, kNow);
    QVERIFY(q.ok());
    ClaimRequest request = claimRequest(QStringLiteral("me|1|1|x"), kNow);
    qint64 othersWrites = -1;
    request.startAfter = [&](qint64 writes) {
        othersWrites = writes;
        return q->at(2).seq;
    };
    auto third = store->claim(request);
    QVERIFY(third.ok());
    QCOMPARE(third->claimed.size(), 1);
    QCOMPARE(third->claimed.first().id, q->at(3).id);
    QCOMPARE(third->startedAfter, q->at(2).seq);
    QCOMPARE(othersWrites, third->othersWrites);
    // Back in the queue in its place, due later.
    Completion failed { q->at(3).id, third->claimed.first().leaseToken, RunStatus::Failed, true,
        false, 5000, QStringLiteral("HTTP 503"), QString(), Progress {}, {} };
    QVERIFY(store->finish({ failed }, kNow + 10).ok());

    // A claim that fills its batch past a job turned down tells the wake it would have missed.
    int looked = 0;
    const auto skipFirst = [&](const JobRecord &) {
        return ++looked == 1 ? Admission::Skip : Admission::Admit;
    };
    ClaimRequest past = claimRequest(QStringLiteral("me|1|1|x"), kNow + 20, 1, skipFirst);
    past.startAfter = [&](qint64) { return q->at(1).seq; };
    past.wantsWake = true;
    auto fourth = store->claim(past);
    QVERIFY(fourth.ok());
    QCOMPARE(fourth->claimed.size(), 1);
    QCOMPARE(
        fourth->claimed.first().id, q->at(4).id); // past the one turned down and the one due later
    QVERIFY(fourth->wakeCoversRead);
    QCOMPARE(fourth->nextWakeMs, kNow + 5010);
    // Not asked to, a store of rows does not look (the memory store knows it as it reads).
    looked = 0;
    past.wantsWake = false;
    past.nowMs = kNow + 30;
    auto fifth = store->claim(past);
    QVERIFY(fifth.ok());
    QCOMPARE(fifth->claimed.size(), 1);
    QCOMPARE(fifth->claimed.first().id, q->at(5).id);
    QCOMPARE(fifth->wakeCoversRead, storeType == QLatin1String("memory"));
}

void TestStore::retryWaitsForItsTime()
{
    auto store = makeStore();
    QVERIFY(store);
    auto jobs = store->enqueue({ newJob() }, kNow);
    QVERIFY(jobs.ok());
    auto claimed = store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow));
    QVERIFY(claimed.ok() && claimed->claimed.size() == 1);
    Completion failed { jobs->first().id, claimed->claimed.first().leaseToken, RunStatus::Failed,
        true, false, 5000, QStringLiteral("HTTP 503"), QString(), Progress {}, {} };
    auto finished = store->finish({ failed }, kNow + 10);
    QVERIFY(finished.ok());
    QCOMPARE(finished->first().record.state, JobState::Queued);
    QCOMPARE(finished->first().record.notBeforeMs, kNow + 5010);
    QCOMPARE(finished->first().record.error, QStringLiteral("HTTP 503"));

    auto early = store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow + 5009));
    QVERIFY(early.ok());
    QVERIFY(early->claimed.isEmpty());
    QCOMPARE(early->nextWakeMs, kNow + 5010);
    auto onTime = store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow + 5010));
    QVERIFY(onTime.ok());
    QCOMPARE(onTime->claimed.size(), 1);
    QCOMPARE(onTime->claimed.first().attempts, 2);
}

void TestStore::finishIsFencedByTheLease()
{
    auto store = makeStore();
    QVERIFY(store);
    auto jobs = store->enqueue({ newJob() }, kNow);
    QVERIFY(jobs.ok());
    auto stale = store->claim(claimRequest(kOtherHostOwner, kNow));
    QVERIFY(stale.ok() && stale->claimed.size() == 1);
    // The first runner stalls; its lease expires and a second runner takes the job.
    auto recovered = store->recoverAbandoned(kNow + 1001);
    QVERIFY(recovered.ok());
    QCOMPARE(recovered->size(), 1);
    auto fresh = store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow + 1002));
    QVERIFY(fresh.ok() && fresh->claimed.size() == 1);
    QCOMPARE(fresh->claimed.first().attempts, 2);

    Completion late { jobs->first().id, stale->claimed.first().leaseToken, RunStatus::Succeeded,
        false, false, 0, QString(), QStringLiteral("/stale"), Progress {}, {} };
    auto refused = store->finish({ late }, kNow + 1003);
    QVERIFY(refused.ok());
    QCOMPARE(refused->first().error.code, ErrorCode::LeaseLost);
    auto current = store->query(JobQuery { { jobs->first().id }, {}, -1 });
    QCOMPARE(current->first().state, JobState::Running);
    QCOMPARE(current->first().leaseOwner, QStringLiteral("me|1|1|x"));

    Completion mine = late;
    mine.leaseToken = fresh->claimed.first().leaseToken;
    mine.output = QStringLiteral("/fresh");
    auto accepted = store->finish({ mine }, kNow + 1004);
    QVERIFY(accepted.ok());
    QVERIFY(!accepted->first().error.isError());
    QCOMPARE(accepted->first().record.state, JobState::Succeeded);
    QCOMPARE(accepted->first().record.output, QStringLiteral("/fresh"));
}

// A runner's jobs end and it claims its next ones in one call: the claim sees the rows as the
// finishes left them (the job that ended is not running), and a finish refused by its lease does
// not stop the claim.
void TestStore::finishAndClaimSeesTheRowsAsFinished()
{
    auto store = makeStore();
    QVERIFY(store);
    auto jobs = store->enqueue({ newJob(), newJob(), newJob() }, kNow);
    QVERIFY(jobs.ok());
    const QString me = QStringLiteral("me|1|1|x");
    auto mine = store->claim(claimRequest(me, kNow));
    auto others = store->claim(claimRequest(kOtherHostOwner, kNow));
    QVERIFY(mine.ok() && mine->claimed.size() == 1);
    QVERIFY(others.ok() && others->claimed.size() == 1);

    Completion done { jobs->at(0).id, mine->claimed.first().leaseToken, RunStatus::Succeeded, false,
        false, 0, QString(), QStringLiteral("/done"), Progress {}, {} };
    Completion stale = done;
    stale.id = jobs->at(1).id; // the other runner's: its lease is not ours
    stale.leaseToken = others->claimed.first().leaseToken + 1;
    QList<QUuid> seenRunning;
    ClaimRequest request = claimRequest(me, kNow + 10);
    request.seeRunning = [&](const JobRecord &r) { seenRunning.append(r.id); };
    auto both = store->finishAndClaim({ done, stale }, kNow + 10, request);
    QVERIFY(both.ok());
    QCOMPARE(both->finished.size(), 2);
    QVERIFY(!both->finished.at(0).error.isError());
    QCOMPARE(both->finished.at(0).record.state, JobState::Succeeded);
    QCOMPARE(both->finished.at(1).error.code, ErrorCode::LeaseLost);
    QCOMPARE(seenRunning, QList<QUuid> { jobs->at(1).id });
    QVERIFY(both->claim.ok());
    QCOMPARE(both->claim->claimed.size(), 1);
    QCOMPARE(both->claim->claimed.first().id, jobs->at(2).id);
    QCOMPARE(both->claim->claimed.first().leaseOwner, me);

    auto stored = store->query(JobQuery { { jobs->at(1).id }, {}, -1 });
    QVERIFY(stored.ok());
    QCOMPARE(stored->first().state, JobState::Running);
    QCOMPARE(stored->first().leaseOwner, kOtherHostOwner);
    auto counts = store->counts();
    QVERIFY(counts.ok());
    QCOMPARE(counts->running, 2);
    QCOMPARE(counts->succeeded, 1);
}

void TestStore::heartbeatRenewsAndCarriesStopRequests()
{
    auto store = makeStore();
    QVERIFY(store);
    auto jobs = store->enqueue({ newJob() }, kNow);
    auto claimed = store->claim(claimRequest(kOtherHostOwner, kNow));
    QVERIFY(claimed.ok() && claimed->claimed.size() == 1);
    const JobRecord job = claimed->claimed.first();

    Heartbeat beat { job.id, job.leaseToken, true, Progress { 30, 100, QStringLiteral("ms") },
        { QStringLiteral("halfway there") } };
    auto statuses = store->heartbeat({ beat }, kNow + 900, 1000);
    QVERIFY(statuses.ok());
    QVERIFY(statuses->first().held);
    QCOMPARE(statuses->first().control, JobControl::None);
    // Renewed: not abandoned at the old expiry.
    auto recovered = store->recoverAbandoned(kNow + 1500);
    QVERIFY(recovered.ok());
    QVERIFY(recovered->isEmpty());
    auto stored = store->query(JobQuery { { job.id }, {}, -1 });
    QCOMPARE(stored->first().progress.done, 30);
    QCOMPARE(stored->first().leaseExpiresAtMs, kNow + 1900);

    // Another process asks to cancel: the runner learns it at its next heartbeat.
    auto cancel = store->command(job.id, JobCommand::Cancel, kNow + 1600);
    QVERIFY(cancel.ok());
    QCOMPARE(cancel->record.control, JobControl::Cancel);
    beat.logLines.clear();
    statuses = store->heartbeat({ beat }, kNow + 1700, 1000);
    QVERIFY(statuses.ok());
    QCOMPARE(statuses->first().control, JobControl::Cancel);

    auto events = store->events(job.id);
    QVERIFY(events.ok());
    const bool logged = std::any_of(events->begin(), events->end(), [](const JobEvent &e) {
        return e.event == QLatin1String("log") && e.detail == QLatin1String("halfway there");
    });
    QVERIFY2(logged, "log lines from heartbeats land in the timeline");
}

void TestStore::expiredLeaseGoesBackToTheQueue()
{
    auto store = makeStore();
    QVERIFY(store);
    auto jobs = store->enqueue(
        { newJob(QStringLiteral("busy"), 3), newJob(QStringLiteral("busy"), 1) }, kNow);
    QVERIFY(jobs.ok());
    auto claimed = store->claim(claimRequest(kOtherHostOwner, kNow, 2));
    QVERIFY(claimed.ok() && claimed->claimed.size() == 2);
    auto early = store->recoverAbandoned(kNow + 999);
    QVERIFY(early.ok());
    QVERIFY2(early->isEmpty(), "a runner on another machine keeps its job until the lease expires");
    auto late = store->recoverAbandoned(kNow + 1001);
    QVERIFY(late.ok());
    QCOMPARE(late->size(), 2);
    auto all = store->query(JobQuery {});
    QCOMPARE(all->at(0).state, JobState::Queued);
    QCOMPARE(all->at(0).attempts, 1);
    QVERIFY(all->at(0).error.contains(QLatin1String("lease")));
    QCOMPARE(all->at(1).state, JobState::Failed); // its only attempt died
    QVERIFY(all->at(1).error.contains(QLatin1String("after 1 attempts")));
}

void TestStore::commandsAndTimeline()
{
    auto store = makeStore();
    QVERIFY(store);
    auto jobs = store->enqueue({ newJob(), newJob() }, kNow);
    QVERIFY(jobs.ok());
    const QUuid id = jobs->first().id;

    QCOMPARE(store->command(id, JobCommand::Pause, kNow)->record.state, JobState::Paused);
    auto claim = store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow));
    QCOMPARE(claim->claimed.first().id, jobs->at(1).id); // paused jobs do not start
    QCOMPARE(store->command(id, JobCommand::Resume, kNow)->record.state, JobState::Queued);
    QCOMPARE(store->command(id, JobCommand::Cancel, kNow)->record.state, JobState::Canceled);
    auto retried = store->command(id, JobCommand::Retry, kNow);
    QVERIFY(retried.ok());
    QCOMPARE(retried->record.state, JobState::Queued);
    QVERIFY2(retried->record.seq > jobs->at(1).seq, "a manual retry joins the back of the queue");

    auto refused = store->command(jobs->at(1).id, JobCommand::Retry, kNow);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, ErrorCode::InvalidState);
    auto unknown = store->command(QUuid::createUuid(), JobCommand::Cancel, kNow);
    QVERIFY(!unknown.ok());
    QCOMPARE(unknown.error().code, ErrorCode::NotFound);

    auto events = store->events(id);
    QVERIFY(events.ok());
    QStringList names;
    for (const JobEvent &e : std::as_const(events.value()))
        names.append(e.event);
    QCOMPARE(names,
        (QStringList { QStringLiteral("enqueued"), QStringLiteral("paused"),
            QStringLiteral("resumed"), QStringLiteral("canceled"), QStringLiteral("retried") }));

    auto removed = store->command(id, JobCommand::Remove, kNow);
    QVERIFY(removed.ok() && removed->removed);
    QCOMPARE(store->query(JobQuery { { id }, {}, -1 })->size(), 0);
    QCOMPARE(store->events(id).error().code, ErrorCode::NotFound);
}

// Clear Finished and prune name thousands of jobs in one command; the shared queue reads and
// writes them together. Each job gets its own answer, in the order named.
void TestStore::commandsOnManyJobsAtOnce()
{
    auto store = makeStore();
    QVERIFY(store);
    auto jobs = store->enqueue({ newJob(), newJob(), newJob(), newJob(), newJob() }, kNow);
    QVERIFY(jobs.ok());
    QList<QUuid> ids;
    for (const JobRecord &r : std::as_const(jobs.value()))
        ids.append(r.id);
    // Finished: 0 succeeded, 2 and 4 canceled; 1 and 3 stay queued.
    auto claimed = store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow, 1));
    QVERIFY(claimed.ok() && claimed->claimed.size() == 1);
    const JobRecord &first = claimed->claimed.first();
    QVERIFY(store->finish({ succeeded(first) }, kNow).ok());
    auto canceled = store->commandMany({ ids.at(2), ids.at(4) }, JobCommand::Cancel, kNow);
    QVERIFY(canceled.ok() && canceled->size() == 2);
    QVERIFY(canceled->at(0).ok() && canceled->at(1).ok());
    QCOMPARE(canceled->at(1).value().record.state, JobState::Canceled);
    QVERIFY(canceled->at(1).value().record.rev > jobs->at(4).rev);
    QCOMPARE(store->query(JobQuery { { ids.at(2) }, {}, -1 })->first().rev,
        canceled->at(0).value().record.rev);
    // Events stored for a job that stays (its "enqueued" is not stored).
    QVERIFY(store->command(ids.at(1), JobCommand::Pause, kNow).ok());
    QVERIFY(store->command(ids.at(1), JobCommand::Resume, kNow).ok());

    const qint64 rev = store->currentRev().value();
    const QUuid unknown = QUuid::createUuid();
    auto forgotten =
        store->commandMany({ ids.at(4), ids.at(1), unknown, ids.at(0), ids.at(3), ids.at(2) },
            JobCommand::Forget, kNow + 10);
    QVERIFY(forgotten.ok());
    QCOMPARE(forgotten->size(), 6);
    QVERIFY(forgotten->at(0).ok() && forgotten->at(0).value().removed);
    QCOMPARE(forgotten->at(0).value().record.id, ids.at(4));
    QCOMPARE(forgotten->at(1).error().code, ErrorCode::InvalidState); // queued: not finished
    QCOMPARE(forgotten->at(2).error().code, ErrorCode::NotFound);
    QVERIFY(forgotten->at(3).ok() && forgotten->at(3).value().removed);
    QCOMPARE(forgotten->at(3).value().record.id, ids.at(0));
    QCOMPARE(forgotten->at(4).error().code, ErrorCode::InvalidState);
    QVERIFY(forgotten->at(5).ok() && forgotten->at(5).value().removed);

    auto left = store->query(JobQuery {});
    QVERIFY(left.ok());
    QCOMPARE(left->size(), 2);
    QCOMPARE(left->at(0).id, ids.at(1));
    QCOMPARE(left->at(1).id, ids.at(3));
    for (int gone : { 0, 2, 4 })
        QCOMPARE(store->events(ids.at(gone)).error().code, ErrorCode::NotFound);
    QCOMPARE(eventNames(*store, ids.at(1)), // only the removed ones' went
        (QStringList {
            QStringLiteral("enqueued"), QStringLiteral("paused"), QStringLiteral("resumed") }));
    auto changes = store->changesSince(rev);
    QVERIFY(changes.ok());
    QCOMPARE(QSet<QUuid>(changes->removed.cbegin(), changes->removed.cend()),
        (QSet<QUuid> { ids.at(0), ids.at(2), ids.at(4) }));
    QVERIFY(changes->changed.isEmpty());
    QueueCounts expected;
    expected.adjust(JobState::Queued, 2);
    QVERIFY(store->counts().value() == expected);
    QFETCH(QString, storeType);
    if (storeType == QLatin1String("postgres")) { // no timeline is left without its job
        QString orphans;
        QVERIFY(m_pg->psql(QStringLiteral("SELECT COUNT(*) FROM %1.job_events WHERE job_key NOT "
                                          "IN (SELECT key FROM %1.jobs)")
                               .arg(m_schema),
            &orphans));
        QCOMPARE(orphans.trimmed(), QStringLiteral("0"));
    }

    // A list that names a job twice: each command sees the one before.
    QVERIFY(store->command(ids.at(3), JobCommand::Cancel, kNow + 20).ok());
    auto twice = store->commandMany({ ids.at(3), ids.at(3) }, JobCommand::Retry, kNow + 20);
    QVERIFY(twice.ok() && twice->size() == 2);
    QVERIFY(twice->at(0).ok());
    QCOMPARE(twice->at(1).error().code, ErrorCode::InvalidState); // queued again already
    // Two jobs back in the queue together keep the order they were named in.
    auto retried = store->commandMany({ ids.at(3), ids.at(1) }, JobCommand::Cancel, kNow + 30);
    QVERIFY(retried.ok());
    retried = store->commandMany({ ids.at(3), ids.at(1) }, JobCommand::Retry, kNow + 30);
    QVERIFY(retried.ok() && retried->at(0).ok() && retried->at(1).ok());
    QVERIFY(retried->at(0).value().record.seq < retried->at(1).value().record.seq);
    auto order = store->query(JobQuery {});
    QCOMPARE(order->at(0).id, ids.at(3));
    QCOMPARE(order->at(1).id, ids.at(1));
    // A job removed twice in one list is removed once, and counted once.
    QVERIFY(store->command(ids.at(1), JobCommand::Cancel, kNow + 40).ok());
    auto removedTwice = store->commandMany({ ids.at(1), ids.at(1) }, JobCommand::Forget, kNow + 40);
    QVERIFY(removedTwice.ok() && removedTwice->size() == 2);
    QVERIFY(removedTwice->at(0).ok() && removedTwice->at(0).value().removed);
    QCOMPARE(removedTwice->at(1).error().code, ErrorCode::NotFound);
    QueueCounts one;
    one.adjust(JobState::Queued, 1);
    QVERIFY(store->counts().value() == one);
}

void TestStore::changesSinceARevision()
{
    auto store = makeStore();
    QVERIFY(store);
    auto jobs = store->enqueue({ newJob(), newJob(), newJob() }, kNow);
    QVERIFY(jobs.ok());
    auto start = store->changesSince(0);
    QVERIFY(start.ok());
    QCOMPARE(start->changed.size(), 3);
    const qint64 rev = start->rev;
    // Every change has its own revision, even within one transaction: consumers keep the newest
    // version of a record by comparing revisions, so two versions must never tie.
    QSet<qint64> revs;
    for (const JobRecord &r : std::as_const(jobs.value()))
        revs.insert(r.rev);
    QCOMPARE(revs.size(), 3);
    auto claimed = store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow, 2));
    QVERIFY(claimed.ok() && claimed->claimed.size() == 2);
    QVERIFY(claimed->claimed.at(0).rev > jobs->at(2).rev
        && claimed->claimed.at(1).rev > claimed->claimed.at(0).rev);
    const qint64 lastClaimRev = claimed->claimed.at(1).rev;
    // The position to read from is the store's (a shared store's revisions are not ordered by
    // commit): what a reader saw last, or currentRev().
    auto seen = store->changesSince(rev);
    QVERIFY(seen.ok());
    const qint64 afterClaims = seen->rev;
    QVERIFY(afterClaims >= rev);

    auto nothing = store->changesSince(afterClaims);
    QVERIFY(nothing.ok());
    QVERIFY(nothing->changed.isEmpty() && nothing->removed.isEmpty());
    QVERIFY(store->currentRev().value() >= afterClaims);

    QVERIFY(store->command(jobs->at(1).id, JobCommand::Pause, kNow).ok());
    QVERIFY(store->command(jobs->at(2).id, JobCommand::Remove, kNow).ok());
    QVERIFY(store->setQueuePaused(true, kNow).ok());
    auto changes = store->changesSince(afterClaims);
    QVERIFY(changes.ok());
    QCOMPARE(changes->changed.size(), 1);
    QCOMPARE(changes->changed.first().id, jobs->at(1).id);
    QCOMPARE(
        changes->changed.first().state, JobState::Running); // claimed above: a pause is requested
    QCOMPARE(changes->changed.first().control, JobControl::Pause);
    QVERIFY(changes->changed.first().rev > lastClaimRev);
    QCOMPARE(changes->removed, QList<QUuid> { jobs->at(2).id });
    QVERIFY(changes->queuePaused);
    QVERIFY(changes->rev > afterClaims);
    QVERIFY(store->queuePaused().value());
}

void TestStore::countsAndPrefixes()
{
    auto store = makeStore();
    QVERIFY(store);
    auto jobs = store->enqueue({ newJob(), newJob(), newJob(), newJob() }, kNow);
    QVERIFY(jobs.ok());
    QVERIFY(store->command(jobs->at(0).id, JobCommand::Pause, kNow).ok());
    QVERIFY(store->command(jobs->at(1).id, JobCommand::Cancel, kNow).ok());
    QVERIFY(store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow)).ok());
    auto counts = store->counts();
    QVERIFY(counts.ok());
    QCOMPARE(counts->paused, 1);
    QCOMPARE(counts->canceled, 1);
    QCOMPARE(counts->running, 1);
    QCOMPARE(counts->queued, 1);
    QCOMPARE(counts->active(), 2);

    const QString full = idString(jobs->at(3).id);
    auto found = store->findIds(full.left(8).toUpper(), 2);
    QVERIFY(found.ok());
    QCOMPARE(found->size(), 1);
    QCOMPARE(found->first(), jobs->at(3).id);
    QCOMPARE(store->findIds(QStringLiteral(""), 10)->size(), 4);
    // Through a dash, up to one character short of the whole id.
    for (const qsizetype length : { 9, 14, 35 }) {
        found = store->findIds(full.left(length), 2);
        QVERIFY2(found.ok(), qPrintable(full.left(length)));
        QCOMPARE(found->size(), 1);
        QCOMPARE(found->first(), jobs->at(3).id);
    }
    // What no id can start with finds nothing, and is no error.
    for (const QString &prefix :
        { QStringLiteral("zz"), full.left(8) + u'x', full.left(7) + u'-', full + u'0' }) {
        found = store->findIds(prefix, 2);
        QVERIFY2(found.ok(), qPrintable(prefix));
        QVERIFY2(found->isEmpty(), qPrintable(prefix));
    }
}

// A claim of many jobs and a finish of many are written in one statement by the PostgreSQL
// store: every row gets its own state, text (quotes, backslashes, commas, braces, newlines and
// empty strings survive the arrays) and a rev newer than its last; what is read back is what
// was returned.
void TestStore::batchesAreWrittenWhole()
{
    auto store = makeStore();
    QVERIFY(store);
    const QList<NewJob> jobs = newJobs(40);
    auto added = store->enqueue(jobs, kNow);
    QVERIFY(added.ok());
    const QString owner = QStringLiteral("host \"a\", {b}\\c|1|1|x");
    auto claimed = store->claim(claimRequest(owner, kNow + 10, 40));
    QVERIFY(claimed.ok());
    QCOMPARE(claimed->claimed.size(), 40);
    QSet<qint64> revs;
    for (qsizetype i = 0; i < claimed->claimed.size(); ++i) {
        const JobRecord &r = claimed->claimed.at(i);
        QCOMPARE(r.id, added->at(i).id); // FIFO
        QCOMPARE(r.state, JobState::Running);
        QCOMPARE(r.leaseOwner, owner);
        QVERIFY(r.rev > added->at(i).rev);
        revs.insert(r.rev);
    }
    QCOMPARE(revs.size(), 40);
    QList<Completion> completions;
    for (qsizetype i = 0; i < claimed->claimed.size(); ++i) {
        const JobRecord &r = claimed->claimed.at(i);
        const bool fail = i % 2 == 1;
        completions.append(
            Completion { r.id, r.leaseToken, fail ? RunStatus::Failed : RunStatus::Succeeded, false,
                false, 0, fail ? QStringLiteral("line \"%1\"\nnext, {x} \\ end").arg(i) : QString(),
                fail ? QString() : QStringLiteral("/out/%1, \"q\".txt").arg(i), Progress {}, {} });
    }
    // And a job that is gone: its own error, the others unaffected.
    const QUuid gone = QUuid::createUuid();
    completions.append(
        Completion { gone, 1, RunStatus::Succeeded, false, false, 0, {}, {}, Progress {}, {} });
    auto finished = store->finish(completions, kNow + 20);
    QVERIFY(finished.ok());
    QCOMPARE(finished->size(), 41);
    QCOMPARE(finished->last().id, gone);
    QCOMPARE(finished->last().error.code, ErrorCode::LeaseLost);
    finished->removeLast();
    auto stored = store->query(JobQuery {});
    QVERIFY(stored.ok());
    QHash<QUuid, JobRecord> byId;
    for (const JobRecord &r : std::as_const(stored.value()))
        byId.insert(r.id, r);
    for (qsizetype i = 0; i < finished->size(); ++i) {
        const FinishResult &f = finished->at(i);
        QVERIFY(!f.error.isError());
        QVERIFY(f.record.rev > claimed->claimed.at(i).rev);
        const JobRecord &r = byId.value(f.id);
        QCOMPARE(r.rev, f.record.rev);
        QCOMPARE(r.state, i % 2 ? JobState::Failed : JobState::Succeeded);
        QCOMPARE(r.error, completions.at(i).error);
        QCOMPARE(r.output, completions.at(i).output);
        QCOMPARE(r.finishedAtMs, kNow + 20);
        QCOMPARE(r.leaseOwner, f.record.leaseOwner);
    }
    auto counts = store->counts();
    QVERIFY(counts.ok());
    QCOMPARE(counts->succeeded, qint64(20));
    QCOMPARE(counts->failed, qint64(20));
    QCOMPARE(counts->running, qint64(0));
    auto events = store->events(claimed->claimed.first().id);
    QVERIFY(events.ok());
    QVERIFY(events->size() >= 3); // queued, started, succeeded
}

void TestStore::countsFollowEveryTransition()
{
    // Both stores keep per-state counts up to date instead of counting rows: after any mix of
    // transitions they must equal what the jobs themselves say.
    auto store = makeStore();
    QVERIFY(store);
    QRandomGenerator rng(20261125);
    QList<QUuid> ids;
    qint64 now = kNow;
    for (int step = 0; step < 400; ++step) {
        now += 10;
        switch (rng.bounded(7)) {
        case 0: {
            auto added = store->enqueue({ newJob(), newJob() }, now);
            QVERIFY(added.ok());
            for (const JobRecord &r : std::as_const(added.value()))
                ids.append(r.id);
            break;
        }
        case 1:
            QVERIFY(store
                        ->claim(claimRequest(
                            rng.bounded(2) ? kOtherHostOwner : QStringLiteral("me|1|1|x"), now, 2))
                        .ok());
            break;
        case 2: {
            auto running = store->query(JobQuery { {}, { JobState::Running }, 1 });
            QVERIFY(running.ok());
            if (!running->isEmpty()) {
                const JobRecord &r = running->first();
                const RunStatus status = rng.bounded(2) ? RunStatus::Succeeded : RunStatus::Failed;
                Completion c { r.id, r.leaseToken, status, true, false, 5, QStringLiteral("x"),
                    QString(), Progress {}, {} };
                QVERIFY(store->finish({ c }, now).ok());
            }
            break;
        }
        case 3:
            QVERIFY(store->recoverAbandoned(now + 5000).ok());
            break;
        default:
            if (!ids.isEmpty()) {
                const QUuid id = ids.at(rng.bounded(int(ids.size())));
                const JobCommand command = static_cast<JobCommand>(1 + rng.bounded(5));
                auto result = store->command(id, command, now);
                if (result.ok() && result->removed)
                    ids.removeAll(id);
            }
            break;
        }
        auto all = store->query(JobQuery {});
        QVERIFY(all.ok());
        QueueCounts expected;
        for (const JobRecord &r : std::as_const(all.value()))
            expected.adjust(r.state, 1);
        auto counts = store->counts();
        QVERIFY(counts.ok());
        QVERIFY2(counts.value() == expected, qPrintable(QStringLiteral("step %1").arg(step)));
    }
}

void TestStore::sqlitePersistsAcrossReopen()
{
    QUuid id;
    {
        auto store = openSqlite(m_dir->path());
        QVERIFY(store);
        auto jobs = store->enqueue({ newJob() }, kNow);
        QVERIFY(jobs.ok());
        id = jobs->first().id;
        QVERIFY(store->command(id, JobCommand::Pause, kNow).ok());
        QVERIFY(store->setQueuePaused(true, kNow).ok());
    }
    auto store = openSqlite(m_dir->path());
    QVERIFY(store);
    auto all = store->query(JobQuery {});
    QCOMPARE(all->size(), 1);
    QCOMPARE(all->first().id, id);
    QCOMPARE(all->first().state, JobState::Paused);
    QCOMPARE(all->first().params.value(QStringLiteral("ms")).toInt(), 1);
    QVERIFY(store->queuePaused().value());
    QCOMPARE(store->integrityCheck().value(), QStringLiteral("ok"));

    QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
    raw.setDatabaseName(datadir::databasePath(m_dir->path()));
    QVERIFY(raw.open());
    QSqlQuery q(raw);
    QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
    QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
    QCOMPARE(q.value(0).toInt(), SqliteJobStore::kSchemaVersion);
    q = QSqlQuery();
    raw.close();
    raw = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("peek"));
}

// A queue written before rows left out their "enqueued" and "succeeded" events (SQLite schema 3,
// PostgreSQL 6) stored them as rows: after the upgrade its timelines read as before, nothing
// doubled, and a job that succeeds after it gets its "succeeded" once.
void TestStore::upgradeKeepsOldTimelines()
{
    QFETCH(QString, storeType);
    const bool postgres = storeType == QLatin1String("postgres");
    const QString owner = QStringLiteral("me|1|1|x");
    QList<JobRecord> claimed;
    {
        auto store = makeStore();
        QVERIFY(store);
        QVERIFY(store->enqueue({ newJob(), newJob() }, kNow).ok());
        claimed = store->claim(claimRequest(owner, kNow + 1, 2)).value().claimed;
        QCOMPARE(claimed.size(), 2);
        QVERIFY(
            store->finish({ succeeded(claimed.at(0), QStringLiteral("/out/a")) }, kNow + 2).ok());
    }
    // Back to the old schema, with the rows the old lifecycle wrote.
    const auto oldEvent = [&](int job, qint64 at, int attempt, const char *name,
                              const QString &detail) {
        return QStringLiteral("INSERT INTO job_events (job_key, at, attempt, event, detail) VALUES "
                              "((SELECT key FROM jobs WHERE id = '%1'), %2, %3, '%4', %5)")
            .arg(idString(claimed.at(job).id))
            .arg(at)
            .arg(attempt)
            .arg(QLatin1String(name),
                detail.isEmpty() ? QStringLiteral("NULL") : QStringLiteral("'%1'").arg(detail));
    };
    const QStringList rewind { QStringLiteral("DELETE FROM job_events"),
        oldEvent(0, kNow, 0, "enqueued", {}), oldEvent(0, kNow + 1, 1, "started", owner),
        oldEvent(0, kNow + 2, 1, "succeeded", QStringLiteral("/out/a")),
        oldEvent(1, kNow, 0, "enqueued", {}), oldEvent(1, kNow + 1, 1, "started", owner),
        QStringLiteral("ALTER TABLE jobs DROP COLUMN derived_events"),
        postgres ? QStringLiteral("UPDATE meta SET value = 6 WHERE key = 'schema_version'")
                 : QStringLiteral("PRAGMA user_version = 3") };
    if (postgres) {
        QVERIFY2(m_pg->psql(QStringLiteral("SET search_path = %1; ").arg(m_schema)
                     + rewind.join(QStringLiteral("; "))),
            qPrintable(m_pg->error()));
    } else {
        QSqlDatabase raw =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("rewind"));
        raw.setDatabaseName(datadir::databasePath(m_dir->path()));
        QVERIFY(raw.open());
        for (const QString &sql : rewind) {
            QSqlQuery q(raw);
            QVERIFY2(q.exec(sql), qPrintable(q.lastError().text()));
        }
        raw.close();
        raw = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("rewind"));
    }

    auto store = makeStore(); // upgrades
    QVERIFY(store);
    const QStringList started { QStringLiteral("enqueued"), QStringLiteral("started") };
    const QStringList done = started + QStringList { QStringLiteral("succeeded") };
    QCOMPARE(eventNames(*store, claimed.at(0).id), done);
    QCOMPARE(eventNames(*store, claimed.at(1).id), started);
    QVERIFY(store->finish({ succeeded(claimed.at(1)) }, kNow + 3).ok());
    QCOMPARE(eventNames(*store, claimed.at(1).id), done);
    // A new job's derived events, read back from the row.
    const QUuid fresh = store->enqueue({ newJob() }, kNow + 4).value().first().id;
    QCOMPARE(eventNames(*store, fresh), QStringList { QStringLiteral("enqueued") });
    const JobRecord run = store->claim(claimRequest(owner, kNow + 5)).value().claimed.value(0);
    QCOMPARE(run.id, fresh);
    QVERIFY(store->finish({ succeeded(run, QStringLiteral("/out/b")) }, kNow + 6).ok());
    const QList<JobEvent> timeline = store->events(fresh).value();
    QCOMPARE(timeline.size(), 3);
    QCOMPARE(timeline.at(0).event, QStringLiteral("enqueued"));
    QCOMPARE(timeline.at(0).atMs, kNow + 4);
    QCOMPARE(timeline.at(0).attempt, 0);
    QVERIFY(timeline.at(0).detail.isEmpty());
    QCOMPARE(timeline.at(2).event, QStringLiteral("succeeded"));
    QCOMPARE(timeline.at(2).atMs, kNow + 6);
    QCOMPARE(timeline.at(2).attempt, 1);
    QCOMPARE(timeline.at(2).detail, QStringLiteral("/out/b"));
}

void TestStore::sqliteRefusesBadFiles_data()
{
    QTest::addColumn<QByteArray>("setupSql");
    QTest::addColumn<QByteArray>("garbage");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("garbage") << QByteArray() << QByteArray(4096, 'x')
                             << QStringLiteral("file is not a database");
    QTest::newRow("truncated header")
        << QByteArray() << QByteArray("SQLite format 3\0\x10\0", 19) << QStringLiteral("spool.db");
    QTest::newRow("newer schema") << QByteArray(
        "PRAGMA application_id = 1397772108; PRAGMA user_version = 99; CREATE TABLE x(a);")
                                  << QByteArray() << QStringLiteral("newer Spool (schema 99");
    QTest::newRow("foreign database")
        << QByteArray("CREATE TABLE contacts(name TEXT);") << QByteArray()
        << QStringLiteral("not a Spool queue database");
}

void TestStore::sqliteRefusesBadFiles()
{
    QFETCH(QByteArray, setupSql);
    QFETCH(QByteArray, garbage);
    QFETCH(QString, messagePart);
    const QString path = datadir::databasePath(m_dir->path());
    if (!garbage.isEmpty()) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(garbage);
    } else {
        QSqlDatabase raw =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("setup"));
        raw.setDatabaseName(path);
        QVERIFY(raw.open());
        for (const QByteArray &sql : setupSql.split(';')) {
            if (!sql.trimmed().isEmpty())
                QVERIFY(QSqlQuery(raw).exec(QString::fromUtf8(sql)));
        }
        raw.close();
        raw = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("setup"));
    }
    const QByteArray before = fileHash(path);
    SqliteJobStore::Options options;
    options.dataDir = m_dir->path();
    auto store = SqliteJobStore::open(options);
    QVERIFY(!store.ok());
    QVERIFY2(store.error().message.contains(messagePart), qPrintable(store.error().message));
    QVERIFY2(store.error().message.contains(path), "the error names the file");
    QCOMPARE(store.error().code, ErrorCode::Corrupt);
    QCOMPARE(fileHash(path), before); // never silently replaced
}

void TestStore::sqliteDataDirProblems()
{
    const QString file = m_dir->filePath(QStringLiteral("plain-file"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    SqliteJobStore::Options options;
    options.dataDir = file;
    auto store = SqliteJobStore::open(options);
    QVERIFY(!store.ok());
    QCOMPARE(store.error().code, ErrorCode::InvalidInput);
    QVERIFY(store.error().message.contains(QLatin1String("not a directory")));

    options.dataDir = m_dir->filePath(QStringLiteral("plain-file/below"));
    store = SqliteJobStore::open(options);
    QVERIFY(!store.ok());
    QVERIFY2(store.error().message.contains(QLatin1String("cannot look into data directory")),
        qPrintable(store.error().message));
    QVERIFY(store.error().message.contains(options.dataDir));
    options.createIfMissing = false; // for reading: an error too, never "no queue here"
    store = SqliteJobStore::open(options);
    QVERIFY(!store.ok());
    QCOMPARE(store.error().code, ErrorCode::InvalidInput);
}

void TestStore::sqliteMissingQueueIsNotCreatedForReading()
{
    SqliteJobStore::Options options;
    options.dataDir = m_dir->filePath(QStringLiteral("nothing-here"));
    options.createIfMissing = false;
    auto store = SqliteJobStore::open(options);
    QVERIFY(!store.ok());
    QCOMPARE(store.error().code, ErrorCode::NotFound);
    QVERIFY(!QFileInfo::exists(options.dataDir));
}

void TestStore::sqliteGroupCommitUnderConcurrentWriters()
{
    auto store = openSqlite(m_dir->path());
    QVERIFY(store);
    constexpr int kThreads = 8;
    constexpr int kPerThread = 150;
    std::atomic<int> failures { 0 };
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kPerThread; ++i) {
                if (!store->enqueue({ newJob() }, kNow).ok())
                    ++failures;
            }
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(failures.load(), 0);
    auto all = store->query(JobQuery {});
    QCOMPARE(all->size(), kThreads * kPerThread);
    QSet<qint64> seqs;
    for (const JobRecord &r : std::as_const(all.value()))
        seqs.insert(r.seq);
    QCOMPARE(seqs.size(), kThreads * kPerThread);
}

// Counts per state are written once per transaction; a request rolled back to its savepoint
// (here: its second job's id exists) must take its own count changes with it, while the
// requests that share its transaction keep theirs.
void TestStore::sqliteCountsLeaveOutFailedRequests()
{
    auto store = openSqlite(m_dir->path());
    QVERIFY(store);
    const NewJob existing = newJob();
    QVERIFY(store->enqueue({ existing }, kNow).ok());
    constexpr int kThreads = 6;
    constexpr int kPerThread = 60;
    std::atomic<int> refused { 0 };
    std::atomic<int> wrong { 0 };
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                const bool failing = (i + t) % 3 == 0;
                QList<NewJob> jobs { newJob() };
                if (failing)
                    jobs.append(existing);
                const bool ok = store->enqueue(jobs, kNow).ok();
                refused += !ok;
                wrong += ok == failing;
            }
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(wrong.load(), 0);
    QVERIFY(refused.load() > 0);
    const qint64 jobs = store->query(JobQuery {})->size();
    QCOMPARE(jobs, qint64(1 + kThreads * kPerThread - refused.load()));
    QCOMPARE(store->counts()->queued, jobs);
}

namespace {

// The store thread's view of a SQLite file: a transaction per write batch, as in the store.
class SqliteBackend final : public StoreThread::Backend, public SqlSession
{
public:
    explicit SqliteBackend(QString path)
        : SqlSession(QStringLiteral("backend"))
        , m_path(std::move(path))
    { }
    Error error(const QSqlError &e, const QString &action) const override
    {
        return makeError(ErrorCode::Storage, action + QStringLiteral(": ") + e.text());
    }
    Error open() override
    {
        create(QStringLiteral("QSQLITE"));
        database().setDatabaseName(m_path);
        if (!database().open())
            return error(database().lastError(), QStringLiteral("open"));
        return execOnce(QStringLiteral("CREATE TABLE IF NOT EXISTS t (v INTEGER)"));
    }
    void close() override { SqlSession::close(); }
    SqlSession &session() override { return *this; }
    Error beginRead() override { return execOnce(QStringLiteral("BEGIN")); }
    void endRead() override { execOnce(QStringLiteral("COMMIT")); }
    Error beginWrite() override { return execOnce(QStringLiteral("BEGIN IMMEDIATE")); }
    Error commitWrite() override { return execOnce(QStringLiteral("COMMIT")); }
    void rollbackWrite() override { execOnce(QStringLiteral("ROLLBACK")); }
    bool inTransaction() override
    {
        const QVariant handle = database().driver()->handle();
        return sqlite3_get_autocommit(*static_cast<sqlite3 *const *>(handle.constData())) == 0;
    }

private:
    QString m_path;
};

} // namespace

// SQLite ends a write transaction by itself after some errors (a full disk, an I/O error). The
// requests after it in the batch would each run and commit on their own, and then be told that
// the batch's COMMIT failed: they must fail unrun instead.
void TestStore::lostTransactionFailsTheRestOfItsBatch()
{
    SqliteBackend backend(m_dir->filePath(QStringLiteral("batch.db")));
    StoreThread thread(&backend, std::chrono::milliseconds(200));
    QVERIFY(!thread.start().isError());
    const auto insert = [&] { return backend.exec(QStringLiteral("INSERT INTO t VALUES (1)")); };
    // A batch of its own holds the thread until the next two wait behind it: one batch.
    std::atomic<bool> holding { false };
    std::atomic<bool> release { false };
    std::thread first([&] {
        thread.call(true, [&] {
            holding = true;
            while (!release)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            return insert();
        });
    });
    QTRY_VERIFY(holding.load());
    Error lost, after;
    std::thread second([&] {
        lost = thread.call(true, [&] {
            backend.execOnce(QStringLiteral("ROLLBACK")); // what SQLite does after SQLITE_FULL
            return makeError(ErrorCode::Storage, QStringLiteral("database or disk is full"));
        });
    });
    QTRY_COMPARE(thread.waitingRequests(), size_t(1));
    std::thread third([&] { after = thread.call(true, insert); });
    QTRY_COMPARE(thread.waitingRequests(), size_t(2));
    release = true;
    for (std::thread *t : { &first, &second, &third })
        t->join();
    QVERIFY(lost.isError());
    QVERIFY2(after.isError(), "a request after the lost transaction was reported written");
    qint64 rows = -1;
    QVERIFY(!thread
                 .call(false,
                     [&] {
                         return backend.selectInt(
                             QStringLiteral("SELECT COUNT(*) FROM t"), {}, &rows);
                     })
                 .isError());
    QCOMPARE(rows, qint64(1)); // the first batch's row only
}

void TestStore::importKeepsIdsStatesAndTimelines()
{
    // Made in one queue (memory), brought into the store under test.
    MemoryJobStore source;
    auto made = source.enqueue({ newJob(), newJob(), newJob() }, kNow);
    QVERIFY(made.ok());
    const QString owner = QStringLiteral("me|1|1|x");
    auto claimed = source.claim(claimRequest(owner, kNow + 1, 2));
    QVERIFY(claimed.ok() && claimed->claimed.size() == 2);
    const JobRecord &done = claimed->claimed.at(0);
    QVERIFY(source.finish({ succeeded(done, QStringLiteral("/out/a.png")) }, kNow + 2).ok());
    QList<ExportedJob> exported;
    for (const JobRecord &r : source.query(JobQuery {}).value())
        exported.append(ExportedJob { r, source.events(r.id).value() });

    auto store = makeStore();
    QVERIFY(store);
    QVERIFY(store->enqueue({ newJob() }, kNow).ok()); // already there: imports go behind it
    auto result = store->importJobs(exported, kNow + 10);
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().message));
    QCOMPARE(result->imported, 3);
    QVERIFY(result->skipped.isEmpty());
    const auto all = store->query(JobQuery {}).value();
    QCOMPARE(all.size(), 4);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(all.at(i + 1).id, exported.at(i).record.id); // in the export's order, at the back
    QCOMPARE(all.at(1).state, JobState::Succeeded);
    QCOMPARE(all.at(1).output, QStringLiteral("/out/a.png"));
    QCOMPARE(all.at(2).state, JobState::Queued); // was running: no runner holds it here
    QVERIFY(all.at(2).leaseOwner.isEmpty());
    QCOMPARE(all.at(2).attempts, 0);
    QCOMPARE(all.at(3).state, JobState::Queued);
    const auto events = store->events(all.at(1).id).value();
    QStringList names;
    for (const JobEvent &e : events)
        names.append(e.event);
    QCOMPARE(names,
        (QStringList { QStringLiteral("enqueued"), QStringLiteral("started"),
            QStringLiteral("succeeded"), QStringLiteral("imported") }));
    const QueueCounts counts = store->counts().value();
    QCOMPARE(counts.queued, 3);
    QCOMPARE(counts.succeeded, 1);

    // Again: nothing doubles.
    auto again = store->importJobs(exported, kNow + 20);
    QVERIFY(again.ok());
    QCOMPARE(again->imported, 0);
    QCOMPARE(again->skipped.size(), 3);
    QCOMPARE(store->query(JobQuery {})->size(), 4);
    // Old and new in one batch, one new job twice: each new job once, in the batch's order.
    MemoryJobStore other;
    const QList<JobRecord> more = other.enqueue({ newJob(), newJob() }, kNow).value();
    QList<ExportedJob> mixed { exported.at(0) };
    for (const JobRecord &r : more)
        mixed.append(ExportedJob { r, other.events(r.id).value() });
    mixed.append(mixed.at(1));
    auto both = store->importJobs(mixed, kNow + 25);
    QVERIFY2(both.ok(), both.ok() ? "" : qPrintable(both.error().message));
    QCOMPARE(both->imported, 2);
    QCOMPARE(both->skipped, (QList<QUuid> { exported.at(0).record.id, more.at(0).id }));
    const auto grown = store->query(JobQuery {}).value();
    QCOMPARE(grown.size(), 6);
    QCOMPARE(grown.at(4).id, more.at(0).id);
    QCOMPARE(grown.at(5).id, more.at(1).id);
    QCOMPARE(store->counts()->queued, 5);
    // The imported queued job runs like any other, and its timeline goes on from the one it
    // brought.
    auto next = store->claim(claimRequest(owner, kNow + 30, 3));
    QVERIFY(next.ok());
    QCOMPARE(next->claimed.size(), 3);
    QCOMPARE(next->claimed.at(2).id, all.at(3).id);
    QVERIFY(store->finish({ succeeded(next->claimed.at(2)) }, kNow + 31).ok());
    QCOMPARE(eventNames(*store, all.at(3).id),
        (QStringList { QStringLiteral("enqueued"), QStringLiteral("imported"),
            QStringLiteral("started"), QStringLiteral("succeeded") }));
}

// An import larger than one batch of the stores' (5,000 jobs, 10,000 events a statement): every
// job once, in order, with its timeline; a job listed again in a later batch is skipped.
void TestStore::importOfManyJobsGoesInBatches()
{
    MemoryJobStore source;
    const QList<NewJob> jobs = newJobs(5003);
    const QList<JobRecord> made = source.enqueue(jobs, kNow).value();
    QList<ExportedJob> exported;
    // Three events per job with the one the import adds: a batch's 15,000 go in two statements.
    for (const JobRecord &r : made)
        exported.append(ExportedJob { r,
            source.events(r.id).value()
                + QList<JobEvent> {
                    JobEvent { kNow + 1, 0, QStringLiteral("log"), QStringLiteral("a note") } } });
    exported.append(exported.at(2)); // in the second batch
    auto store = makeStore();
    QVERIFY(store);
    auto result = store->importJobs(exported, kNow + 10);
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().message));
    QCOMPARE(result->imported, qint64(5003));
    QCOMPARE(result->skipped, QList<QUuid> { made.at(2).id });
    const auto all = store->query(JobQuery {}).value();
    QCOMPARE(all.size(), 5003);
    for (qsizetype i = 0; i < all.size(); ++i)
        QCOMPARE(all.at(i).id, made.at(i).id);
    for (const qsizetype i : { qsizetype(0), qsizetype(4999), qsizetype(5000), qsizetype(5002) }) {
        QStringList names;
        for (const JobEvent &e : store->events(made.at(i).id).value())
            names.append(e.event);
        QCOMPARE(names,
            (QStringList {
                QStringLiteral("enqueued"), QStringLiteral("log"), QStringLiteral("imported") }));
    }
    QCOMPARE(store->counts()->queued, 5003);
}

// The parts of one split job are found by their shared parameter: exactly that value, under
// exactly that name, whatever else the params hold (and LIKE's wildcards in the value are text).
void TestStore::queryFindsJobsByParameter()
{
    auto store = makeStore();
    QVERIFY(store);
    const auto job = [](QJsonObject params) {
        return NewJob { QUuid::createUuid(), QStringLiteral("render"), std::move(params), 1 };
    };
    const QString group = QStringLiteral("5a1e7c2b-0d4e-4f6a-9b8c-7d6e5f4a3b2c");
    const QList<NewJob> jobs {
        job({ { QStringLiteral("group"), group }, { QStringLiteral("part"), 1 } }),
        job({ { QStringLiteral("part"), 2 }, { QStringLiteral("group"), group } }),
        job({ { QStringLiteral("group"), group + QStringLiteral("x") } }),
        job({ { QStringLiteral("other"), group } }),
        job({ { QStringLiteral("group"), QStringLiteral("a_%") } }),
        job({ { QStringLiteral("group"), QStringLiteral("abc") } }), job({})
    };
    QVERIFY(store->enqueue(jobs, kNow).ok());
    const auto idsOf = [&](const QString &value) {
        JobQuery query;
        query.paramName = QStringLiteral("group");
        query.paramValue = value;
        QList<QUuid> ids;
        for (const JobRecord &record : store->query(query).value())
            ids.append(record.id);
        return ids;
    };
    QCOMPARE(idsOf(group), (QList<QUuid> { jobs.at(0).id, jobs.at(1).id }));
    QCOMPARE(idsOf(QStringLiteral("a_%")), QList<QUuid> { jobs.at(4).id });
    QCOMPARE(idsOf(QStringLiteral("a%")), QList<QUuid> {});
    QCOMPARE(idsOf(QStringLiteral("nothing")), QList<QUuid> {});
}

void TestStore::queryGivesParamsAsTextWhenAsked()
{
    QFETCH(QString, storeType);
    auto store = makeStore();
    QVERIFY(store);
    const QJsonObject params { { QStringLiteral("url"),
                                   QStringLiteral("http://127.0.0.1:9/r\u00e9sum\u00e9.pdf") },
        { QStringLiteral("group"), QStringLiteral("g1") } };
    const QList<NewJob> jobs { { QUuid::createUuid(), QStringLiteral("download"), params, 1 },
        { QUuid::createUuid(), QStringLiteral("download"), {}, 1 } };
    QVERIFY(store->enqueue(jobs, kNow).ok());
    JobQuery query;
    query.paramsAsText = true;
    const auto records = store->query(query);
    QVERIFY(records.ok());
    QCOMPARE(records->size(), 2);
    for (int i = 0; i < 2; ++i) {
        const JobRecord &r = records->at(i);
        const QJsonObject seen =
            r.paramsText.isEmpty() ? r.params : QJsonDocument::fromJson(r.paramsText).object();
        QCOMPARE(seen, jobs.at(i).params);
        if (storeType == QLatin1String("memory"))
            continue; // it keeps them parsed, and may give them so
        QVERIFY(r.params.isEmpty());
        // Text as it is kept, without room to spare (a conversion from UTF-16 leaves three
        // bytes a character).
        QCOMPARE(r.paramsText.capacity(), r.paramsText.size());
    }
    query.paramName = QStringLiteral("group"); // the filter reads text too
    query.paramValue = QStringLiteral("g1");
    const auto found = store->query(query);
    QVERIFY(found.ok());
    QCOMPARE(found->size(), 1);
    QCOMPARE(found->first().id, jobs.first().id);

    // Such records keep their params when they are written again (an import of them, as copies).
    QList<ExportedJob> exported;
    JobQuery copies;
    for (JobRecord r : records.value()) {
        r.paramsText = r.paramsJson(); // as a viewer holds it (the memory store gives them parsed)
        r.params = QJsonObject();
        r.id = QUuid::createUuid();
        copies.ids.append(r.id);
        exported.append(ExportedJob { r, {} });
    }
    QVERIFY(store->importJobs(exported, kNow).ok());
    const auto copied = store->query(copies);
    QVERIFY(copied.ok());
    QCOMPARE(copied->size(), 2);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(copied->at(i).params, jobs.at(i).params);
}

void TestStore::queryFindsJobsFinishedBefore()
{
    auto store = makeStore();
    QVERIFY(store);
    QVERIFY(store->enqueue({ newJob(), newJob(), newJob() }, kNow).ok());
    const QString owner = QStringLiteral("me|1|1|x");
    for (qint64 at : { kNow + 100, kNow + 200 }) {
        auto claimed = store->claim(claimRequest(owner, at));
        QVERIFY(claimed.ok() && claimed->claimed.size() == 1);
        const JobRecord &job = claimed->claimed.first();
        QVERIFY(store->finish({ succeeded(job) }, at).ok());
    }
    JobQuery query;
    query.finishedBeforeMs = kNow + 200;
    auto old = store->query(query);
    QVERIFY(old.ok());
    QCOMPARE(old->size(), 1); // not the one finished at +200, nor the queued one
    QCOMPARE(old->first().finishedAtMs, kNow + 100);
    query.finishedBeforeMs = kNow + 201;
    query.limit = 1;
    QCOMPARE(store->query(query)->size(), 1);
}

void TestStore::runnersReportAndForgetThemselves()
{
    auto store = makeStore();
    QVERIFY(store);
    RunnerInfo a { QStringLiteral("host-a|10|1|u1"), QStringLiteral("host-a"), 10, 4, 1, kNow,
        kNow };
    RunnerInfo b { QStringLiteral("host-b|20|1|u2"), QStringLiteral("host-b"), 20, 2, 0, kNow,
        kNow };
    QVERIFY(store->reportRunner(a).ok());
    QVERIFY(store->reportRunner(b).ok());
    // What runs under a runner is counted from the jobs, not taken from its last report.
    QVERIFY(store->enqueue({ newJob(), newJob(), newJob() }, kNow).ok());
    QVERIFY(store->claim(claimRequest(a.owner, kNow, 2))->claimed.size() == 2);
    a.lastSeenAtMs = kNow + 5000;
    a.startedAtMs = kNow + 5000; // a later report does not move the start
    QVERIFY(store->reportRunner(a).ok());
    auto list = store->runners();
    QVERIFY(list.ok());
    QCOMPARE(list->size(), 2);
    QCOMPARE(list->at(0).host, QStringLiteral("host-a"));
    QCOMPARE(list->at(0).running, 2);
    QCOMPARE(list->at(1).running, 0);
    QCOMPARE(list->at(0).startedAtMs, kNow);
    QCOMPARE(list->at(0).lastSeenAtMs, kNow + 5000);
    QVERIFY(runnerSeemsAlive(list->at(0), kNow + 5000 + 3 * kRunnerReportMs - 1));
    QVERIFY(!runnerSeemsAlive(list->at(0), kNow + 5000 + 3 * kRunnerReportMs));
    QVERIFY(store->forgetRunner(b.owner).ok());
    QCOMPARE(store->runners()->size(), 1);
}

void TestStore::twoConnectionsNeverClaimOneJobTwice()
{
    auto first = makeStore();
    auto second = makeStore();
    QVERIFY(first && second);
    constexpr int kJobs = 300;
    const QList<NewJob> jobs = newJobs(kJobs);
    QVERIFY(first->enqueue(jobs, kNow).ok());

    std::mutex mutex;
    QList<QUuid> claimed;
    std::atomic<int> errors { 0 };
    const auto worker = [&](JobStore *store, const QString &owner) {
        for (;;) {
            auto r = store->claim(claimRequest(owner, kNow));
            if (!r.ok()) {
                ++errors;
                return;
            }
            if (r->claimed.isEmpty())
                return;
            std::lock_guard lock(mutex);
            claimed.append(r->claimed.first().id);
        }
    };
    onTwoConnections(first.get(), second.get(), worker);
    QCOMPARE(errors.load(), 0);
    QCOMPARE(claimed.size(), kJobs);
    QCOMPARE(QSet<QUuid>(claimed.begin(), claimed.end()).size(), kJobs);
}

// Six claimers on two connections, each admitting a job only while fewer than two jobs of its
// kind run anywhere (what the per-kind and per-host caps do). The store tells each claim what
// runs; at no moment may three run.
void TestStore::capsHoldAcrossConnections()
{
    auto first = makeStore();
    QFETCH(QString, storeType);
    // The memory store is one process's own: its "connections" are one object.
    auto second = storeType == QLatin1String("memory") ? first : makeStore();
    QVERIFY(first && second);
    constexpr int kJobs = 60;
    constexpr int kCap = 2;
    QList<NewJob> jobs;
    for (int i = 0; i < kJobs; ++i)
        jobs.append(newJob(QStringLiteral("download")));
    QVERIFY(first->enqueue(jobs, kNow).ok());

    std::atomic<int> runningNow { 0 };
    std::atomic<int> mostAtOnce { 0 };
    std::atomic<int> done { 0 };
    std::atomic<int> errors { 0 };
    const auto worker = [&](JobStore *store, const QString &owner) {
        while (done.load() < kJobs && errors.load() == 0) {
            int seen = 0;
            ClaimRequest request = claimRequest(owner, kNow, 1, [&](const JobRecord &r) {
                return seen < kCap && r.kind == QLatin1String("download") ? Admission::Admit
                                                                          : Admission::SkipKind;
            });
            request.seeRunning = [&](const JobRecord &r) {
                seen += r.kind == QLatin1String("download");
            };
            auto r = store->claim(request);
            if (!r.ok()) {
                ++errors;
                return;
            }
            if (r->claimed.isEmpty()) {
                std::this_thread::yield();
                continue;
            }
            const int now = ++runningNow;
            int most = mostAtOnce.load();
            while (now > most && !mostAtOnce.compare_exchange_weak(most, now)) { }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            // Counted out before the store hears of it: the count never undercounts.
            --runningNow;
            const JobRecord &job = r->claimed.first();
            if (!store->finish({ succeeded(job) }, kNow).ok())
                ++errors;
            ++done;
        }
    };
    onTwoConnections(first.get(), second.get(), worker);
    QCOMPARE(errors.load(), 0);
    QCOMPARE(done.load(), kJobs);
    QVERIFY2(mostAtOnce.load() <= kCap, qPrintable(QString::number(mostAtOnce.load())));
    QCOMPARE(first->counts()->succeeded, qint64(kJobs));
}

// The SQLite store writes through SQLite's own API (SqliteStatements); each value must land as
// Qt's driver stores it, and a failure must read as the driver's would.
void TestStore::sqliteWritesBindValuesAsQtDoes()
{
    ScratchSqlite scratch(QStringLiteral("bind"));
    QVERIFY(scratch.open());
    QSqlDatabase &db = scratch.db();
    sqlite3 *sqlite = scratch.handle();
    QVERIFY(sqlite);
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE t (n INTEGER PRIMARY KEY, v)")));
    const QVariantList values { QVariant(), QVariant(true), QVariant(-7), QVariant(4000000000u),
        QVariant(qint64(1) << 53), QVariant(2.5), QVariant(QStringLiteral("résumé ✓")),
        QVariant(QString()), QVariant(QStringLiteral("")), QVariant(QByteArray("\0b\xff", 3)),
        QVariant(QByteArray()) };
    SqliteStatements direct;
    const QString insert = QStringLiteral("INSERT INTO t (n, v) VALUES (?, ?)");
    for (int i = 0; i < values.size(); ++i) {
        QSqlError error;
        QVERIFY(direct.exec(sqlite, insert, { i, values.at(i) }, &error));
        QVERIFY2(!error.isValid(), qPrintable(error.text()));
        // The same value through Qt, 100 rows on.
        QSqlQuery viaQt(db);
        QVERIFY(viaQt.prepare(insert));
        viaQt.addBindValue(100 + i);
        viaQt.addBindValue(values.at(i));
        QVERIFY2(viaQt.exec(), qPrintable(viaQt.lastError().text()));
    }
    QVERIFY(q.exec(QStringLiteral("SELECT a.n, typeof(a.v), quote(a.v), typeof(b.v), quote(b.v) "
                                  "FROM t a JOIN t b ON b.n = a.n + 100 ORDER BY a.n")));
    int rows = 0;
    while (q.next()) {
        ++rows;
        const QString where = q.value(0).toString();
        QCOMPARE(q.value(1).toString() + where, q.value(3).toString() + where);
        QCOMPARE(q.value(2).toString() + where, q.value(4).toString() + where);
    }
    QCOMPARE(rows, values.size());

    // A type it does not bind is left to Qt, with nothing run.
    QSqlError error;
    QVERIFY(!direct.exec(sqlite, insert, { 50, QVariant(QDate(2026, 12, 4)) }, &error));
    QVERIFY(!error.isValid());
    // A failure: SQLite's message and code, as the driver gives them (the store reads both).
    QVERIFY(direct.exec(sqlite, insert, { 1, 1 }, &error));
    QVERIFY(error.isValid());
    QCOMPARE(error.nativeErrorCode().toInt() & 0xff, 19); // SQLITE_CONSTRAINT
    QVERIFY2(error.databaseText().contains(QLatin1String("UNIQUE constraint failed")),
        qPrintable(error.databaseText()));
    // The statement is reset after a failure: the next use works.
    QVERIFY(direct.exec(sqlite, insert, { 60, 1 }, &error));
    QVERIFY(!error.isValid());
    direct.clear(); // before the connection closes
}

// Records read through SQLite's API (the store's reads) equal those Qt's driver gives, for
// NULLs, empty and non-ASCII text, large and negative numbers.
// A kind, a unit or a runner's name that many rows have is one string for all rows of a read
// (a snapshot of 1,000,000 jobs held two copies a job of the same few words); past 8 different
// values of a column, each row has its own copy, and every value is still right.
void TestStore::sqliteRowsShareRepeatedTexts()
{
    auto store = openSqlite(m_dir->path());
    QVERIFY(store);
    QList<ExportedJob> jobs;
    for (int i = 0; i < 30; ++i) {
        ExportedJob job;
        job.record.id = QUuid::createUuid();
        job.record.kind = QStringLiteral("kind%1").arg(i % 10);
        job.record.state = JobState::Succeeded;
        job.record.attempts = 1;
        job.record.progress = Progress { 5, 5, QStringLiteral("bytes") };
        job.record.output = QStringLiteral("/out/%1").arg(i);
        jobs.append(job);
    }
    QVERIFY(store->importJobs(jobs, kNow).ok());
    const QList<JobRecord> all = store->query(JobQuery {}).value();
    QCOMPARE(all.size(), jobs.size());
    for (int i = 0; i < all.size(); ++i) {
        QCOMPARE(all.at(i).kind, jobs.at(i).record.kind);
        QCOMPARE(all.at(i).progress.unit, QStringLiteral("bytes"));
        QCOMPARE(all.at(i).output, jobs.at(i).record.output);
        QCOMPARE(all.at(i).progress.unit.constData(), all.at(0).progress.unit.constData());
        if (i >= 10 && i % 10 < 8) // the first 8 kinds are kept
            QCOMPARE(all.at(i).kind.constData(), all.at(i % 10).kind.constData());
    }
    QVERIFY(all.at(10).output.constData() != all.at(0).output.constData());
}

void TestStore::sqliteReadsRecordsAsQtDoes()
{
    ScratchSqlite scratch(QStringLiteral("read"));
    QVERIFY(scratch.open());
    sqlite3 *sqlite = scratch.handle();
    QVERIFY(sqlite);
    QSqlQuery q(scratch.db());
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE jobs (%1)").arg(sqlrecord::kColumns)));
    const QString uuid = idString(QUuid::createUuid());
    const QString text = QStringLiteral("r\u00e9sum\u00e9 \u2713 \U0001F600");
    const QString params = QStringLiteral("{\"url\":\"http://127.0.0.1/\\u00e9\",\"n\":2}");
    const QList<QVariantList> rows {
        { uuid, 1, QStringLiteral("download"), params, 3, 1, 2, 5, qint64(1) << 53, QVariant(), -4,
            0, 12, -1, QStringLiteral(""), text, text, text, 9, QVariant(), text, 7, 8, 42 },
        { uuid, std::numeric_limits<qint64>::max(), text, QStringLiteral("{}"), 1, 0, 0, 1, 0, 0, 0,
            0, 0, 0, QVariant(), QVariant(), QVariant(), QVariant(), 0, 0, QVariant(), 0,
            std::numeric_limits<qint64>::min(), 1 },
    };
    const QString insert =
        QStringLiteral("INSERT INTO jobs VALUES (%1, ?)").arg(sqlrecord::kRecordPlaceholders);
    for (const QVariantList &row : rows) {
        QVERIFY(q.prepare(insert));
        for (const QVariant &value : row)
            q.addBindValue(value);
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
    }
    const QString select = QStringLiteral("SELECT %1 FROM jobs").arg(sqlrecord::kColumns);
    for (const bool asText : { false, true }) {
        QList<std::pair<JobRecord, qint64>> viaQt;
        QVERIFY(q.exec(select));
        while (q.next())
            viaQt.append(
                { sqlrecord::read(q, asText), q.value(sqlrecord::kKeyColumn).toLongLong() });
        QList<std::pair<JobRecord, qint64>> direct;
        SqliteStatements statements;
        QSqlError error;
        qsizetype sameLeftToQt = 0;
        qsizetype otherRan = 0;
        bool innerFailed = false;
        QVERIFY(statements.query(
            sqlite, select, {},
            [&](sqlite3_stmt *statement) {
                const SqliteRow row(statement);
                direct.append(
                    { sqlrecord::readRow(row, asText), row.integer(sqlrecord::kKeyColumn) });
                // A handler that runs statements: the one being stepped is left to Qt's
                // path, another runs, and this one goes on undisturbed.
                QSqlError inner;
                sameLeftToQt += !statements.query(sqlite, select, {}, {}, &inner);
                otherRan += statements.query(
                    sqlite, QStringLiteral("SELECT count(*) FROM jobs"), {}, {}, &inner);
                innerFailed = innerFailed || inner.isValid();
            },
            &error));
        QVERIFY2(!error.isValid(), qPrintable(error.text()));
        QCOMPARE(sameLeftToQt, rows.size());
        QCOMPARE(otherRan, rows.size());
        QVERIFY(!innerFailed);
        statements.clear();
        QCOMPARE(direct.size(), rows.size());
        QCOMPARE(viaQt.size(), rows.size());
        for (qsizetype i = 0; i < rows.size(); ++i) {
            const JobRecord &a = direct.at(i).first;
            const JobRecord &b = viaQt.at(i).first;
            QCOMPARE(direct.at(i).second, viaQt.at(i).second);
            QCOMPARE(a.toJson(), b.toJson());
            QCOMPARE(a.paramsText, b.paramsText);
            QCOMPARE(a.control, b.control);
            QCOMPARE(a.leaseOwner, b.leaseOwner);
            QCOMPARE(a.seq, b.seq);
            QCOMPARE(a.leaseToken, b.leaseToken);
            QCOMPARE(a.leaseExpiresAtMs, b.leaseExpiresAtMs);
            QCOMPARE(a.avoidHost, b.avoidHost);
            QCOMPARE(a.avoidUntilMs, b.avoidUntilMs);
            QCOMPARE(a.notBeforeMs, b.notBeforeMs);
            QCOMPARE(a.rev, b.rev);
        }
        QCOMPARE(direct.at(0).first.error, text);
        QCOMPARE(direct.at(1).first.rev, std::numeric_limits<qint64>::min());
    }
}

void TestStore::noticesOtherConnections()
{
    QFETCH(QString, storeType);
    auto watcher = makeStore();
    auto writer = makeStore();
    QVERIFY(watcher && writer);
    std::atomic<int> notified { 0 };
    watcher->setExternalChangeListener([&] { ++notified; });
    if (storeType == QLatin1String("postgres")) {
        // Once listening it reports once: whatever came before was not heard.
        QTRY_VERIFY_WITH_TIMEOUT(notified.load() >= 1, 10000);
        notified = 0;
    } else {
        QTest::qWait(100); // let the watcher take its first reading
    }
    QVERIFY(watcher->enqueue({ newJob() }, kNow).ok());
    // Also a claim, which the PostgreSQL store makes on a connection of its own.
    QCOMPARE(watcher->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow))->claimed.size(), 1);
    QTest::qWait(150);
    QCOMPARE(notified.load(), 0); // its own writes do not wake it
    QVERIFY(writer->enqueue({ newJob() }, kNow).ok());
    QTRY_VERIFY_WITH_TIMEOUT(notified.load() >= 1, 5000);
    watcher->setExternalChangeListener(nullptr);
}

// What tells a claim that another process changed the queue since its last look (the scheduler's
// memory of the queue's head holds only while it does not move).
void TestStore::sqliteClaimsCountOtherConnectionsWrites()
{
    auto mine = openSqlite(m_dir->path());
    auto other = openSqlite(m_dir->path());
    QVERIFY(mine && other);
    QVERIFY(mine->enqueue({ newJob(), newJob(), newJob() }, kNow).ok());
    const auto writesSeen = [&] { return writesSeenByClaim(*mine); };
    const qint64 first = writesSeen();
    QVERIFY(first >= 0);
    QVERIFY(mine->enqueue({ newJob() }, kNow).ok());
    QCOMPARE(writesSeen(), first); // its own writes (the claim's too) do not count
    QVERIFY(other->enqueue({ newJob() }, kNow).ok());
    const qint64 afterOther = writesSeen();
    QVERIFY2(afterOther >= 0 && afterOther != first, qPrintable(QString::number(afterOther)));
}

// On PostgreSQL the number moves with every job written queued, by any connection: a new job, a
// job back in the queue. A claim or a success writes none and leaves it.
void TestStore::postgresClaimsCountJobsWrittenQueued()
{
    auto mine = openPostgres(m_schema);
    auto other = openPostgres(m_schema);
    QVERIFY(mine && other);
    QVERIFY(mine->enqueue(newJobs(6), kNow).ok());
    JobRecord lastClaimed;
    const auto writesSeen = [&] { return writesSeenByClaim(*mine, &lastClaimed); };
    const auto finish = [&](RunStatus status) {
        const Completion done { lastClaimed.id, lastClaimed.leaseToken, status, true, false, 0,
            QStringLiteral("x"), QString(), Progress {}, {} };
        auto finished = mine->finish({ done }, kNow);
        return finished.ok() && finished->size() == 1 && !finished->first().error.isError();
    };
    const qint64 first = writesSeen();
    QVERIFY(first > 0); // the six queued
    QCOMPARE(writesSeen(), first); // a claim writes no job queued
    QVERIFY(finish(RunStatus::Succeeded));
    QCOMPARE(writesSeen(), first);
    QVERIFY(other->enqueue({ newJob() }, kNow).ok());
    const qint64 afterOther = writesSeen();
    QCOMPARE(afterOther, first + 1);
    QVERIFY(finish(RunStatus::Failed)); // back in the queue, to be tried again
    const qint64 afterRetry = writesSeen();
    QCOMPARE(afterRetry, afterOther + 1);
    // Commands: a pause takes a job out of the queue, a resume puts it back.
    const auto all = other->query(JobQuery {});
    QVERIFY(all.ok());
    QUuid queued;
    for (const JobRecord &record : all.value()) {
        if (record.state == JobState::Queued)
            queued = record.id;
    }
    QVERIFY(!queued.isNull());
    QCOMPARE(other->command(queued, JobCommand::Pause, kNow)->record.state, JobState::Paused);
    const qint64 afterPause = writesSeen();
    QCOMPARE(afterPause, afterRetry);
    QCOMPARE(other->command(queued, JobCommand::Resume, kNow)->record.state, JobState::Queued);
    const qint64 afterResume = writesSeen();
    QCOMPARE(afterResume, afterPause + 1);
    // Jobs whose runner is gone, back in the queue.
    const auto recovered = other->recoverAbandoned(kNow + 1001);
    QVERIFY(recovered.ok());
    const auto requeued = std::count_if(recovered->cbegin(), recovered->cend(),
        [](const JobRecord &record) { return record.state == JobState::Queued; });
    QVERIFY(requeued > 0);
    QCOMPARE(writesSeen(), afterResume + requeued);
}

// The requests of one write transaction each run inside a savepoint; one that fails is rolled
// back to it, and the others are committed. A removal's rows go with that rollback, so the
// events that an earlier request of the transaction gave a removed job (written at the commit)
// must stay too. Here a job is paused, then a removal of it and a running job fails at the
// second (a trigger stands in for any error of a statement), in one transaction: the pause's
// event was dropped with the removal, and the paused job had no "paused" in its timeline.
void TestStore::postgresUndoneRemovalKeepsEarlierEvents()
{
    auto store = openPostgres(m_schema);
    QVERIFY(store);
    auto jobs = store->enqueue(newJobs(3), kNow);
    QVERIFY(jobs.ok());
    auto claimed = store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow, 1));
    QVERIFY(claimed.ok() && claimed->claimed.size() == 1);
    const QUuid running = jobs->at(0).id;
    QCOMPARE(claimed->claimed.first().id, running);
    const QUuid paused = jobs->at(1).id;
    const QUuid held = jobs->at(2).id;
    QVERIFY2(m_pg->psql(QStringLiteral(
                 "CREATE FUNCTION %1.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                 "RAISE EXCEPTION 'refused by the test'; END $$; "
                 "CREATE TRIGGER refuse BEFORE UPDATE ON %1.jobs FOR EACH ROW WHEN (OLD.id = '%2' "
                 "AND NEW.control <> OLD.control) EXECUTE FUNCTION %1.refuse()")
                            .arg(m_schema, idString(running))),
        qPrintable(m_pg->error()));

    // The store's writing connection waits for a row another holds; meanwhile the pause and the
    // removal line up behind it, to run in one transaction once the row is let go.
    RowHolder holder(*m_pg);
    const QString notHeld = holder.hold(m_schema, held, 30000);
    QVERIFY2(notHeld.isEmpty(), qPrintable(notHeld));
    std::atomic<bool> waitedOk { false }, pausedOk { false }, removalFailed { false };
    std::thread waiting, pausing, removing;
    // A failed check lets the row go and waits for the threads: they end once it is let go.
    const auto joinAll = qScopeGuard([&] {
        holder.letGo();
        for (std::thread *t : { &waiting, &pausing, &removing })
            if (t->joinable())
                t->join();
    });
    waiting = std::thread(
        [&] { waitedOk = store->commandMany({ held }, JobCommand::Cancel, kNow).ok(); });
    const auto waits = [&] {
        QString out;
        return m_pg->psql(QStringLiteral("SELECT COUNT(*) FROM pg_stat_activity WHERE "
                                         "wait_event_type = 'Lock'"),
                   &out)
            && out.trimmed() == QLatin1String("1");
    };
    QVERIFY(QTest::qWaitFor(waits, 30000));
    pausing = std::thread([&] {
        auto results = store->commandMany({ paused }, JobCommand::Pause, kNow + 1);
        pausedOk = results.ok() && results->first().ok();
    });
    QTRY_COMPARE(store->waitingRequests(), size_t(1));
    removing = std::thread([&] {
        removalFailed = !store->commandMany({ paused, running }, JobCommand::Remove, kNow + 2).ok();
    });
    QTRY_COMPARE(store->waitingRequests(), size_t(2)); // the pause, then the removal
    QVERIFY(holder.letGo());
    waiting.join();
    pausing.join();
    removing.join();
    QVERIFY(waitedOk);
    QVERIFY(pausedOk);
    QVERIFY(removalFailed);

    auto left = store->query(JobQuery { { paused, running }, {}, -1 });
    QVERIFY(left.ok());
    QCOMPARE(left->size(), 2);
    auto events = store->events(paused);
    QVERIFY(events.ok());
    QStringList names;
    for (const JobEvent &e : std::as_const(events.value()))
        names.append(e.event);
    QCOMPARE(names, QStringList({ QStringLiteral("enqueued"), QStringLiteral("paused") }));
}

// Claims on PostgreSQL read the queue unlocked (locking each row read past a capped host's
// backlog cost a lock per row), then take only the jobs that no other transaction holds and that
// are still as they were read: nothing another writer does is undone, and no claim waits.
void TestStore::postgresClaimsTakeOnlyJobsAsTheyWereRead()
{
    auto store = openPostgres(m_schema);
    QVERIFY(store);
    auto jobs = store->enqueue(newJobs(4), kNow);
    QVERIFY(jobs.ok());
    const QList<JobRecord> queued = jobs.value();
    {
        RowHolder holder(*m_pg);
        // Another transaction holds the third job while the claim runs (a claim that waited for
        // it would fail the test: the server ends that transaction)...
        const QString notHeld = holder.hold(m_schema, queued.at(2).id, 10000);
        QVERIFY2(notHeld.isEmpty(), qPrintable(notHeld));
        // ...and another changes the second once the claim has read it.
        bool changed = false;
        auto claimed = store->claim(
            claimRequest(QStringLiteral("me|1|1|x"), kNow, 4, [&](const JobRecord &job) {
                if (job.id == queued.at(1).id)
                    changed =
                        m_pg->psql(QStringLiteral("UPDATE %1.jobs SET progress_done = 7, rev = "
                                                  "nextval('%1.job_rev') WHERE id = '%2'")
                                       .arg(m_schema, idString(job.id)));
                return Admission::Admit;
            }));
        QVERIFY2(changed, qPrintable(m_pg->error()));
        QVERIFY(claimed.ok());
        QCOMPARE(claimed->claimed.size(), 2);
        QCOMPARE(claimed->claimed.at(0).id, queued.at(0).id);
        QCOMPARE(claimed->claimed.at(1).id, queued.at(3).id);
        QCOMPARE(claimed->lost, 2);
        QVERIFY(holder.letGo());
    }
    // Both are still queued, the change kept, and the next claim takes them.
    auto again = store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow, 4));
    QVERIFY(again.ok());
    QCOMPARE(again->lost, 0);
    QCOMPARE(again->claimed.size(), 2);
    QCOMPARE(again->claimed.at(0).id, queued.at(1).id);
    QCOMPARE(again->claimed.at(0).progress.done, 7);
    QCOMPARE(again->claimed.at(1).id, queued.at(2).id);
    QCOMPARE(store->counts()->running, 4); // the jobs lost wrote nothing
}

void TestStore::postgresPersistsAndRefusesANewerSchema()
{
    QUuid id;
    {
        auto store = openPostgres(m_schema);
        QVERIFY(store);
        auto jobs = store->enqueue({ newJob() }, kNow);
        QVERIFY(jobs.ok());
        id = jobs->first().id;
    }
    {
        auto store = openPostgres(m_schema);
        QVERIFY(store);
        auto all = store->query(JobQuery {});
        QVERIFY(all.ok());
        QCOMPARE(all->size(), 1);
        QCOMPARE(all->first().id, id);
        QCOMPARE(store->counts()->queued, 1);
    }
    QVERIFY2(m_pg->psql(QStringLiteral("UPDATE %1.meta SET value = 99 WHERE key = "
                                       "'schema_version'")
                            .arg(m_schema)),
        qPrintable(m_pg->error()));
    PostgresJobStore::Options options;
    options.url = m_pg->url();
    options.schema = m_schema;
    auto refused = PostgresJobStore::open(options);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, ErrorCode::Corrupt);
    QVERIFY2(refused.error().message.contains(QStringLiteral("newer Spool")),
        qPrintable(refused.error().message));
    QString left;
    QVERIFY(m_pg->psql(QStringLiteral("SELECT COUNT(*) FROM %1.jobs").arg(m_schema), &left));
    QCOMPARE(left, QStringLiteral("1")); // left untouched
}

void TestStore::postgresRefusesBadUrls()
{
    const Error password =
        PostgresJobStore::checkUrl(QStringLiteral("postgresql://u:secret@127.0.0.1/db"));
    QCOMPARE(password.code, ErrorCode::InvalidInput);
    QVERIFY(password.message.contains(QStringLiteral(".pgpass")));
    QVERIFY(!password.message.contains(QStringLiteral("secret")));
    const Error garbage = PostgresJobStore::checkUrl(QStringLiteral("postgresql://[::1"));
    QCOMPARE(garbage.code, ErrorCode::InvalidInput);
    QVERIFY(!PostgresJobStore::checkUrl(m_pg->url()).isError());
    QCOMPARE(
        PostgresJobStore::displayUrl(QStringLiteral("postgresql://u:secret@db.example:6000/q")),
        QStringLiteral("postgresql://db.example:6000/q"));
}

void TestStore::postgresUnreachableIsAClearError()
{
    // A port nobody listens on, on this machine.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    PostgresJobStore::Options options;
    options.url = QStringLiteral("postgresql://spool_test@127.0.0.1:%1/postgres").arg(port);
    auto store = PostgresJobStore::open(options);
    QVERIFY(!store.ok());
    QCOMPARE(store.error().code, ErrorCode::Storage);
    QVERIFY2(store.error().message.contains(QStringLiteral("unreachable"))
            && store.error().message.contains(QString::number(port))
            && !store.error().message.contains(QLatin1Char('\n')),
        qPrintable(store.error().message));
}

void TestStore::postgresReconnectsAfterItsConnectionIsKilled()
{
    auto store = openPostgres(m_schema);
    QVERIFY(store);
    QVERIFY(store->enqueue({ newJob(), newJob() }, kNow).ok());
    // Both connections open: the claims' one too.
    QCOMPARE(store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow))->claimed.size(), 1);
    QVERIFY2(m_pg->psql(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       "WHERE application_name = 'spool'")),
        qPrintable(m_pg->error()));
    // The request that meets the dead connection fails with the reason; the next one connects
    // again. Nothing written is lost.
    QStringList failures;
    const auto added =
        upToThreeTimes([&] { return store->enqueue({ newJob() }, kNow); }, &failures);
    for (const QString &reason : std::as_const(failures))
        QVERIFY2(reason.contains(QStringLiteral("unreachable")), qPrintable(reason));
    QVERIFY(added.ok());
    QVERIFY(failures.size() <= 1);
    QCOMPARE(store->counts()->queued, 2);
    failures.clear();
    const auto claimed = upToThreeTimes(
        [&] { return store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow)); }, &failures);
    for (const QString &reason : std::as_const(failures))
        QVERIFY2(reason.contains(QStringLiteral("unreachable")), qPrintable(reason));
    QVERIFY(claimed.ok());
    QVERIFY(failures.size() <= 1);
    QCOMPARE(claimed->claimed.size(), 1);
    QCOMPARE(store->counts()->running, 2);
}

// Claims run on a connection and thread of their own. The first claim comes from a worker slot,
// which runs at low priority: the claim thread must not inherit that (every claim of the process
// would then wait behind other programs).
void TestStore::postgresClaimsKeepTheOpenersPriority()
{
    auto store = openPostgres(m_schema);
    QVERIFY(store);
    QVERIFY(store->enqueue({ newJob() }, kNow).ok());
    const int base = getpriority(PRIO_PROCESS, 0);
    // The slot's own thread is left out: after join() its /proc entry may stay a moment.
    std::atomic<pid_t> slotTid { 0 };
    const auto threadsAt = [&](int nice) {
        int count = 0;
        for (const QString &tid :
            QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            errno = 0;
            if (tid.toInt() != slotTid.load()
                && getpriority(PRIO_PROCESS, id_t(tid.toInt())) == nice && errno == 0)
                ++count;
        }
        return count;
    };
    const int niceSlot = qMin(base + 10, 19);
    QCOMPARE(threadsAt(niceSlot), 0);
    qsizetype claimed = -1;
    std::thread slot([&] {
        slotTid.store(gettid());
        setpriority(PRIO_PROCESS, 0, niceSlot); // this thread only (Linux)
        auto result = store->claim(claimRequest(QStringLiteral("me|1|1|x"), kNow));
        claimed = result.ok() ? result->claimed.size() : -1;
    });
    slot.join();
    QCOMPARE(claimed, 1);
    QCOMPARE(threadsAt(niceSlot), 0);
}

void TestStore::postgresMissingQueueIsNotCreatedForReading()
{
    auto store = openPostgres(m_schema, false);
    QVERIFY(!store);
    QString schemas;
    QVERIFY(m_pg->psql(
        QStringLiteral("SELECT COUNT(*) FROM pg_namespace WHERE nspname = '%1'").arg(m_schema),
        &schemas));
    QCOMPARE(schemas, QStringLiteral("0"));
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
