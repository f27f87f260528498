// The store contract, run against both stores; then what only the SQLite store promises
// (persistence, refusing bad files, several connections on one file).
#include <atomic>
#include <thread>

#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "store/memoryjobstore.h"
#include "store/sqlitejobstore.h"
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

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void enqueueIsFifoAndAtomic_data() { storeRows(); }
    void enqueueIsFifoAndAtomic();
    void claimFollowsFifoAndAdmission_data() { storeRows(); }
    void claimFollowsFifoAndAdmission();
    void retryWaitsForItsTime_data() { storeRows(); }
    void retryWaitsForItsTime();
    void finishIsFencedByTheLease_data() { storeRows(); }
    void finishIsFencedByTheLease();
    void heartbeatRenewsAndCarriesStopRequests_data() { storeRows(); }
    void heartbeatRenewsAndCarriesStopRequests();
    void expiredLeaseGoesBackToTheQueue_data() { storeRows(); }
    void expiredLeaseGoesBackToTheQueue();
    void commandsAndTimeline_data() { storeRows(); }
    void commandsAndTimeline();
    void changesSinceARevision_data() { storeRows(); }
    void changesSinceARevision();
    void countsAndPrefixes_data() { storeRows(); }
    void countsAndPrefixes();
    void countsFollowEveryTransition_data() { storeRows(); }
    void countsFollowEveryTransition();

    void sqlitePersistsAcrossReopen();
    void sqliteRefusesBadFiles_data();
    void sqliteRefusesBadFiles();
    void sqliteDataDirProblems();
    void sqliteMissingQueueIsNotCreatedForReading();
    void sqliteGroupCommitUnderConcurrentWriters();
    void sqliteTwoConnectionsNeverClaimOneJobTwice();
    void sqliteNoticesOtherConnections();

private:
    void storeRows();
    std::shared_ptr<JobStore> makeStore();
    std::unique_ptr<SqliteJobStore> openSqlite(const QString &dir);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
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
    auto all = store->query(JobQuery {});
    QVERIFY(all.ok());
    QCOMPARE(all->size(), 4);
    for (qsizetype i = 1; i < all->size(); ++i)
        QVERIFY2(all->at(i - 1).seq < all->at(i).seq, "query returns FIFO order");
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
    QVERIFY(claimed->claimed.at(0).rev > rev
        && claimed->claimed.at(1).rev > claimed->claimed.at(0).rev);
    const qint64 afterClaims = claimed->claimed.at(1).rev;

    auto nothing = store->changesSince(afterClaims);
    QVERIFY(nothing.ok());
    QVERIFY(nothing->changed.isEmpty() && nothing->removed.isEmpty());

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
    QVERIFY(changes->changed.first().rev > afterClaims);
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

void TestStore::sqliteTwoConnectionsNeverClaimOneJobTwice()
{
    auto first = openSqlite(m_dir->path());
    auto second = openSqlite(m_dir->path());
    QVERIFY(first && second);
    constexpr int kJobs = 300;
    QList<NewJob> jobs;
    for (int i = 0; i < kJobs; ++i)
        jobs.append(newJob());
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
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) {
        threads.emplace_back(worker, first.get(), QStringLiteral("a|1|1|%1").arg(i));
        threads.emplace_back(worker, second.get(), QStringLiteral("b|1|1|%1").arg(i));
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(errors.load(), 0);
    QCOMPARE(claimed.size(), kJobs);
    QCOMPARE(QSet<QUuid>(claimed.begin(), claimed.end()).size(), kJobs);
}

void TestStore::sqliteNoticesOtherConnections()
{
    auto watcher = openSqlite(m_dir->path());
    auto writer = openSqlite(m_dir->path());
    QVERIFY(watcher && writer);
    std::atomic<int> notified { 0 };
    watcher->setExternalChangeListener([&] { ++notified; });
    QTest::qWait(100); // let the watcher take its first reading
    QVERIFY(watcher->enqueue({ newJob() }, kNow).ok());
    QTest::qWait(150);
    QCOMPARE(notified.load(), 0); // its own writes do not wake it
    QVERIFY(writer->enqueue({ newJob() }, kNow).ok());
    QTRY_VERIFY_WITH_TIMEOUT(notified.load() >= 1, 2000);
    watcher->setExternalChangeListener(nullptr);
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
