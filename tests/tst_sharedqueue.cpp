// The shared queue with real processes: `spoolctl --queue URL run` runners that present
// themselves as different machines share one PostgreSQL queue on a server this test starts.
// Every job runs to success exactly once through kills and freezes, caps hold across machines,
// and spoolctl on any machine sees the one queue. tst_queueoutage takes the server away;
// tst_farmrender splits renders across the machines.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>

#include "sharedqueuefixture.h"
#include "util/runneridentity.h"

using namespace spool;
using test::Runner;

class TestSharedQueue : public test::SharedQueueFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { startServers(); }
    void init() { freshQueue(); }

    void runnerThatEndedWhileWeWaitedHasEnded();
    void threeMachinesRunEveryJobOnce();
    void hostCapHoldsAcrossMachines();
    void spoolctlSeesOneQueueFromEveryMachine();
    void exportHereImportThere();
    void runnersAreListedWhileTheyWork();
    void pruneForgetsOnlyOldFinishedJobs();
    void failedJobGoesToAnotherMachineFirst();
    void failedJobStaysOnTheOnlyMachine();
    void claimThatWaitedCountsItsLeaseFromTheLock();
    void verifyFullChecksTheServersCertificate();
};

// The tests wait on runners in event loops (QTRY, qWait), where QProcess takes a runner's exit;
// one that ended there has ended, with its exit code.
void TestSharedQueue::runnerThatEndedWhileWeWaitedHasEnded()
{
    auto runners = startRunners(1, 1); // the queue is empty: it ends at once
    QTRY_VERIFY_WITH_TIMEOUT(!runners.front()->isRunning(), 60000);
    QVERIFY(waitForRunners(runners, 1000));
}

// 3,000 short jobs, three machines; meanwhile one runner at a time is killed (SIGKILL, then
// started again) or frozen past its lease (SIGSTOP, SIGCONT). At the end every job has succeeded,
// and exactly once: a runner that lost its lease could not finish the job a second time.
void TestSharedQueue::threeMachinesRunEveryJobOnce()
{
    auto store = openStore();
    QVERIFY(store);
    constexpr int kJobs = 3000;
    const QList<JobRecord> jobs = enqueueSleeps(*store, kJobs, 2);
    QCOMPARE(jobs.size(), kJobs);
    auto runners = startRunners(3, 4);

    auto *random = QRandomGenerator::global();
    int kills = 0;
    int freezes = 0;
    for (int round = 0; round < 8; ++round) {
        QTest::qWait(300 + random->bounded(400));
        Runner &victim = *runners.at(random->bounded(3));
        if (!victim.isRunning())
            break; // the queue is empty
        if (round % 2 == 0) {
            victim.signal(SIGKILL);
            victim.wait(5000);
            victim.start();
            ++kills;
        } else {
            victim.signal(SIGSTOP);
            QTest::qWait(1500); // past its 1 s lease: others take its jobs over
            victim.signal(SIGCONT);
            ++freezes;
        }
    }
    QVERIFY2(waitForRunners(runners, 180000), "the runners did not empty the queue");

    const auto all = store->query(JobQuery {});
    QVERIFY(all.ok());
    QCOMPARE(all->size(), kJobs);
    int recovered = 0;
    for (const JobRecord &record : all.value()) {
        QCOMPARE(record.state, JobState::Succeeded);
        // Every attempt started once and ended once; the last one succeeded.
        int successes = 0, starts = 0, ends = 0;
        const auto events = store->events(record.id);
        QVERIFY(events.ok());
        for (const JobEvent &event : events.value()) {
            successes += event.event == QLatin1String("succeeded");
            recovered += event.event == QLatin1String("recovered");
            starts += event.event == QLatin1String("started");
            static const QStringList endings { QStringLiteral("succeeded"),
                QStringLiteral("recovered"), QStringLiteral("released"), QStringLiteral("failed"),
                QStringLiteral("retry scheduled"), QStringLiteral("canceled"),
                QStringLiteral("paused") };
            ends += endings.contains(event.event);
        }
        QCOMPARE(successes, 1);
        QCOMPARE(events->last().event, QStringLiteral("succeeded"));
        QCOMPARE(starts, ends);
    }
    qInfo("%d kills, %d freezes, %d jobs recovered from lost leases", kills, freezes, recovered);
    QCOMPARE(store->counts()->succeeded, qint64(kJobs));
}

// Per-host cap 2 (the default), three machines with four workers each, 24 slow downloads from
// one host: the server never answers more than two of them at once.
void TestSharedQueue::hostCapHoldsAcrossMachines()
{
    auto store = openStore();
    QVERIFY(store);
    QList<NewJob> jobs;
    for (int i = 0; i < 24; ++i) {
        const QString url = m_http->url(QStringLiteral("/file?size=65536&drip=60&seed=%1").arg(i));
        jobs.append(NewJob { QUuid::createUuid(), QStringLiteral("download"),
            QJsonObject { { QStringLiteral("url"), url },
                { QStringLiteral("out"), m_dirs->filePath(QStringLiteral("%1.bin").arg(i)) } },
            3 });
    }
    QVERIFY(store->enqueue(jobs, QDateTime::currentMSecsSinceEpoch()).ok());
    // The default lease: a runner starved past a 1 s lease on a loaded machine would lose its
    // download to another machine while still fetching it, which is the lease's promise, not a
    // cap's failure.
    auto runners = startRunners(3, 4, 30000);
    QVERIFY2(waitForRunners(runners, 120000), "the runners did not empty the queue");
    QCOMPARE(store->counts()->succeeded, qint64(24));
    const int most = m_http->mostInFlight();
    QVERIFY2(most <= 2, qPrintable(QStringLiteral("%1 downloads from one host at once").arg(most)));
}

// `spoolctl --queue URL` on one machine adds; on another it lists, shows and cancels.
void TestSharedQueue::spoolctlSeesOneQueueFromEveryMachine()
{
    const QStringList onQueue { QStringLiteral("--queue"), m_url };
    const auto added = test::runSpoolctl(m_dirs->filePath(QStringLiteral("a")),
        onQueue
            + QStringList { QStringLiteral("add"), QStringLiteral("sleep"), QStringLiteral("--ms"),
                QStringLiteral("5") });
    QCOMPARE(added.exitCode, 0);
    const QString id = added.out.trimmed();
    const auto listed = test::runSpoolctl(m_dirs->filePath(QStringLiteral("b")),
        onQueue + QStringList { QStringLiteral("list"), QStringLiteral("--json") });
    QCOMPARE(listed.exitCode, 0);
    const QJsonArray jobs = QJsonDocument::fromJson(listed.out.toUtf8()).array();
    QCOMPARE(jobs.size(), 1);
    QCOMPARE(jobs.first().toObject().value(QStringLiteral("id")).toString(), id);
    const auto canceled = test::runSpoolctl(m_dirs->filePath(QStringLiteral("b")),
        onQueue + QStringList { QStringLiteral("cancel"), id.left(8) });
    QCOMPARE(canceled.exitCode, 0);
    const auto shown = test::runSpoolctl(m_dirs->filePath(QStringLiteral("a")),
        onQueue + QStringList { QStringLiteral("show"), id, QStringLiteral("--json") });
    QCOMPARE(QJsonDocument::fromJson(shown.out.toUtf8())
                 .object()
                 .value(QStringLiteral("state"))
                 .toString(),
        QStringLiteral("canceled"));

    // A password in the URL is refused before anything is sent, and not echoed.
    const auto refused = test::runSpoolctl(m_dirs->filePath(QStringLiteral("a")),
        { QStringLiteral("--queue"), QStringLiteral("postgresql://u:hunter2@127.0.0.1/x"),
            QStringLiteral("list") });
    QCOMPARE(refused.exitCode, 2);
    QVERIFY(refused.err.contains(QStringLiteral(".pgpass")));
    QVERIFY(!refused.err.contains(QStringLiteral("hunter2")));
}

// From this machine's own queue to the shared one: the same jobs, ids and states; importing
// twice adds nothing; a file with a bad line adds nothing at all.
void TestSharedQueue::exportHereImportThere()
{
    const QString local = m_dirs->filePath(QStringLiteral("local"));
    QStringList ids;
    for (int i = 0; i < 3; ++i) {
        const auto added = test::runSpoolctl(local,
            { QStringLiteral("add"), QStringLiteral("sleep"), QStringLiteral("--ms"),
                QStringLiteral("5") });
        QCOMPARE(added.exitCode, 0);
        ids.append(added.out.trimmed());
    }
    QCOMPARE(test::runSpoolctl(local, { QStringLiteral("cancel"), ids.first() }).exitCode, 0);
    const QString file = m_dirs->filePath(QStringLiteral("jobs.jsonl"));
    const auto exported =
        test::runSpoolctl(local, { QStringLiteral("export"), QStringLiteral("--out"), file });
    QVERIFY2(exported.exitCode == 0, qPrintable(exported.err));

    const QString there = m_dirs->filePath(QStringLiteral("there"));
    const QStringList onQueue { QStringLiteral("--queue"), m_url };
    const auto imported =
        test::runSpoolctl(there, onQueue + QStringList { QStringLiteral("import"), file });
    QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
    QVERIFY2(imported.out.contains(QStringLiteral("imported 3 jobs")), qPrintable(imported.out));
    const auto listed = test::runSpoolctl(
        there, onQueue + QStringList { QStringLiteral("list"), QStringLiteral("--json") });
    const QJsonArray jobs = QJsonDocument::fromJson(listed.out.toUtf8()).array();
    QCOMPARE(jobs.size(), 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(jobs.at(i).toObject().value(QStringLiteral("id")).toString(), ids.at(i));
    QCOMPARE(jobs.at(0).toObject().value(QStringLiteral("state")).toString(),
        QStringLiteral("canceled"));
    QCOMPARE(
        jobs.at(1).toObject().value(QStringLiteral("state")).toString(), QStringLiteral("queued"));

    const auto twice =
        test::runSpoolctl(there, onQueue + QStringList { QStringLiteral("import"), file });
    QCOMPARE(twice.exitCode, 0);
    QVERIFY2(twice.out.contains(QStringLiteral("imported 0 jobs; 3 were here already")),
        qPrintable(twice.out));

    QFile bad(m_dirs->filePath(QStringLiteral("bad.jsonl")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    QFile good(file);
    QVERIFY(good.open(QIODevice::ReadOnly));
    bad.write(good.readAll().replace(
        ids.at(0).toUtf8(), QUuid::createUuid().toString(QUuid::WithoutBraces).toUtf8()));
    bad.write("{\"id\": \"not a job\"}\n");
    bad.close();
    const auto refused = test::runSpoolctl(
        there, onQueue + QStringList { QStringLiteral("import"), bad.fileName() });
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains(QStringLiteral("line 4")), qPrintable(refused.err));
    const auto after = test::runSpoolctl(
        there, onQueue + QStringList { QStringLiteral("list"), QStringLiteral("--json") });
    QCOMPARE(QJsonDocument::fromJson(after.out.toUtf8()).array().size(), 3);
}

void TestSharedQueue::runnersAreListedWhileTheyWork()
{
    auto store = openStore();
    QVERIFY(store);
    // Long enough to be listed on a slow machine; canceled once seen.
    const QList<JobRecord> jobs = enqueueSleeps(*store, 1, 120000);
    QCOMPARE(jobs.size(), 1);
    Runner runner(QStringLiteral("machine-x"), m_url, m_dirs->filePath(QStringLiteral("x")), 2);
    runner.start();
    QTRY_VERIFY_WITH_TIMEOUT(
        store->query(JobQuery { { jobs.first().id }, {}, -1 })->first().state == JobState::Running,
        60000); // a runner's start takes seconds under TSan on a loaded machine
    const QStringList runnersJson { QStringLiteral("--queue"), m_url, QStringLiteral("runners"),
        QStringLiteral("--json") };
    const auto seen = test::runSpoolctl(m_dirs->filePath(QStringLiteral("y")), runnersJson);
    QCOMPARE(seen.exitCode, 0);
    const QJsonArray list = QJsonDocument::fromJson(seen.out.toUtf8()).array();
    QCOMPARE(list.size(), 1);
    const QJsonObject x = list.first().toObject();
    QCOMPARE(x.value(QStringLiteral("host")).toString(), QStringLiteral("machine-x"));
    QCOMPARE(x.value(QStringLiteral("pid")).toInteger(), runner.pid());
    QCOMPARE(x.value(QStringLiteral("workers")).toInt(), 2);
    QVERIFY(x.value(QStringLiteral("alive")).toBool());
    QCOMPARE(x.value(QStringLiteral("running")).toInt(), 1);
    // On the server its three connections carry the name from $PGAPPNAME; without it, "spool".
    QTRY_COMPARE(sql(QStringLiteral("SELECT COUNT(*) FROM pg_stat_activity WHERE "
                                    "application_name = '%1'")
                         .arg(runner.appName())),
        QStringLiteral("3"));
    QVERIFY(sql(QStringLiteral(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'spool'"))
                .toInt()
        >= 1); // this test's own store
    QVERIFY(store->command(jobs.first().id, JobCommand::Cancel, QDateTime::currentMSecsSinceEpoch())
                .ok());
    QCOMPARE(runner.wait(60000), 0);
    // A runner that ends cleanly takes itself off the list.
    const auto gone = test::runSpoolctl(m_dirs->filePath(QStringLiteral("y")), runnersJson);
    QCOMPARE(QJsonDocument::fromJson(gone.out.toUtf8()).array().size(), 0);
}

void TestSharedQueue::pruneForgetsOnlyOldFinishedJobs()
{
    auto store = openStore();
    QVERIFY(store);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 longAgo = now - 40LL * 86'400'000;
    QCOMPARE(enqueueSleeps(*store, 4, 1).size(), 4);
    // Two finished 40 days ago, one today, one still queued.
    const QString owner = QStringLiteral("machine-z|1|1|u");
    for (qint64 at : { longAgo, longAgo, now }) {
        ClaimRequest claim;
        claim.owner = owner;
        claim.nowMs = at;
        auto claimed = store->claim(claim);
        QVERIFY(claimed.ok() && claimed->claimed.size() == 1);
        const JobRecord &job = claimed->claimed.first();
        QVERIFY(store
                    ->finish({ Completion { job.id, job.leaseToken, RunStatus::Succeeded, true,
                                 false, 0, {}, {}, Progress {}, {} } },
                        at + 10)
                    .ok());
    }
    const QString dir = m_dirs->filePath(QStringLiteral("p"));
    const auto pruned = test::runSpoolctl(dir,
        { QStringLiteral("--queue"), m_url, QStringLiteral("prune"),
            QStringLiteral("--finished-before"), QStringLiteral("30d") });
    QVERIFY2(pruned.exitCode == 0, qPrintable(pruned.err));
    QVERIFY2(
        pruned.out.startsWith(QStringLiteral("removed 2 finished jobs")), qPrintable(pruned.out));
    const QueueCounts counts = store->counts().value();
    QCOMPARE(counts.succeeded, 1);
    QCOMPARE(counts.queued, 1);
    const auto refused = test::runSpoolctl(dir,
        { QStringLiteral("--queue"), m_url, QStringLiteral("prune"),
            QStringLiteral("--finished-before"), QStringLiteral("yesterday") });
    QCOMPARE(refused.exitCode, 2);
    QCOMPARE(store->counts()->total(), 2);
}

// A job whose attempt failed on one machine runs its next attempt on another one that is alive
// with a free worker (a fault of that machine's, a part of a split render), and the machine it
// failed on takes it only if none has within 30 s. Every attempt here fails (HTTP 500): the
// attempts alternate between the two machines.
void TestSharedQueue::failedJobGoesToAnotherMachineFirst()
{
    auto store = openStore();
    QVERIFY(store);
    // Both machines are known to the queue before the first attempt can fail.
    QVERIFY(store->setQueuePaused(true, QDateTime::currentMSecsSinceEpoch()).ok());
    const NewJob job { QUuid::createUuid(), QStringLiteral("download"),
        QJsonObject { { QStringLiteral("url"), m_http->url(QStringLiteral("/status?code=500")) },
            { QStringLiteral("out"), m_dirs->filePath(QStringLiteral("never.bin")) } },
        3 };
    QVERIFY(store->enqueue({ job }, QDateTime::currentMSecsSinceEpoch()).ok());
    auto runners = startRunners(2, 1, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(store->runners()->size(), 2, 60000);
    QVERIFY(store->setQueuePaused(false, QDateTime::currentMSecsSinceEpoch()).ok());
    QVERIFY2(waitForRunners(runners, 120000), "the runners did not empty the queue");

    JobQuery query;
    query.ids = { job.id };
    const auto record = store->query(query);
    QVERIFY(record.ok() && record->size() == 1);
    QCOMPARE(record->first().state, JobState::Failed);
    QCOMPARE(record->first().attempts, 3);
    QStringList hosts;
    for (const JobEvent &event : store->events(job.id).value()) {
        if (event.event == QLatin1String("started"))
            hosts.append(runneridentity::hostOf(event.detail));
    }
    QCOMPARE(hosts.size(), 3);
    QVERIFY2(hosts.at(1) != hosts.at(0) && hosts.at(2) != hosts.at(1),
        qPrintable(hosts.join(QStringLiteral(", "))));
}

// With no other machine, a failed job's retries are not held back: each attempt starts after the
// retry delay (1 s, 2 s), not after the 30 s the other machines would be given. Told by the
// job's own timeline, not by the runner's wall time (its start and exit are slow under TSan).
void TestSharedQueue::failedJobStaysOnTheOnlyMachine()
{
    auto store = openStore();
    QVERIFY(store);
    const NewJob job { QUuid::createUuid(), QStringLiteral("download"),
        QJsonObject { { QStringLiteral("url"), m_http->url(QStringLiteral("/status?code=500")) },
            { QStringLiteral("out"), m_dirs->filePath(QStringLiteral("never.bin")) } },
        3 };
    QVERIFY(store->enqueue({ job }, QDateTime::currentMSecsSinceEpoch()).ok());
    auto runners = startRunners(1, 1, 30000);
    QVERIFY2(waitForRunners(runners, 180000), "the runner did not end");
    QCOMPARE(store->counts()->failed, qint64(1));
    qint64 failedAtMs = -1;
    int starts = 0;
    for (const JobEvent &event : store->events(job.id).value()) {
        if (event.event == QLatin1String("retry scheduled"))
            failedAtMs = event.atMs;
        if (event.event != QLatin1String("started"))
            continue;
        ++starts;
        if (failedAtMs >= 0)
            QVERIFY2(event.atMs - failedAtMs < 30000,
                qPrintable(QStringLiteral("attempt %1 waited %2 ms")
                               .arg(starts)
                               .arg(event.atMs - failedAtMs)));
    }
    QCOMPARE(starts, 3);
}

// A claim that waits for the claim lock (other machines claiming, a slow server) longer than its
// lease counts the lease from when it got the lock. Counted from before the wait, the lease would
// be over when the claim commits, and another machine would take the job back at once. A session
// here holds the lock every claim takes while the runner's first claim waits for it.
void TestSharedQueue::claimThatWaitedCountsItsLeaseFromTheLock()
{
    auto store = openStore();
    QVERIFY(store);
    const QUuid id = enqueueSleeps(*store, 1, 10).first().id;
    const QString schema = sql(QStringLiteral("SELECT table_schema FROM information_schema.tables "
                                              "WHERE table_name = 'jobs'"));
    QVERIFY(!schema.isEmpty());
    const QString lockKey = QStringLiteral("hashtext('%1' || '.claim')").arg(schema);
    qint64 unlockedAt = 0;
    {
        QSqlDatabase holder =
            QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("claimLock"));
        holder.setHostName(QStringLiteral("127.0.0.1"));
        holder.setPort(m_pg->port());
        holder.setUserName(m_pg->user());
        holder.setDatabaseName(QUrl(m_url).path().mid(1));
        QVERIFY2(holder.open(), qPrintable(holder.lastError().text()));
        QSqlQuery query(holder);
        QVERIFY2(query.exec(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(lockKey)),
            qPrintable(query.lastError().text()));
        auto runners = startRunners(1, 1); // 1 s leases
        QTRY_COMPARE_WITH_TIMEOUT(
            sql(QStringLiteral("SELECT count(*) FROM pg_locks "
                               "WHERE locktype = 'advisory' AND NOT granted")),
            QStringLiteral("1"), 60000);
        // The claim has waited longer than its lease when the lock comes free.
        QTest::qWait(1500);
        unlockedAt = QDateTime::currentMSecsSinceEpoch();
        QVERIFY2(query.exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(lockKey)),
            qPrintable(query.lastError().text()));
        QVERIFY2(waitForRunners(runners, 60000), "the runner did not empty the queue");
    }
    QSqlDatabase::removeDatabase(QStringLiteral("claimLock"));
    const JobRecord record = store->query(JobQuery { { id }, {} })->value(0);
    QCOMPARE(jobStateName(record.state), jobStateName(JobState::Succeeded));
    QCOMPARE(record.attempts, 1);
    QVERIFY2(record.startedAtMs >= unlockedAt,
        qPrintable(QStringLiteral("claimed at %1, %2 ms before the lock came free")
                       .arg(record.startedAtMs)
                       .arg(unlockedAt - record.startedAtMs)));
}

namespace {

// Runs openssl in `dir`; the reason when it fails.
QString openssl(const QString &dir, const QStringList &args)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return QStringLiteral("openssl %1: %2")
            .arg(args.join(QLatin1Char(' ')), QString::fromLocal8Bit(p.readAll()));
    return {};
}

// A certificate authority NAME.pem (with NAME.key) that signs nothing yet.
QString makeAuthority(const QString &dir, const QString &name)
{
    return openssl(dir,
        { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
            QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-days"),
            QStringLiteral("1"), QStringLiteral("-subj"), QStringLiteral("/CN=") + name,
            QStringLiteral("-keyout"), name + QStringLiteral(".key"), QStringLiteral("-out"),
            name + QStringLiteral(".pem") });
}

// server.pem and server.key for 127.0.0.1, signed by the authority `ca`.
QString makeServerCertificate(const QString &dir, const QString &ca)
{
    QFile ext(QDir(dir).filePath(QStringLiteral("server.ext")));
    if (!ext.open(QIODevice::WriteOnly) || ext.write("subjectAltName=IP:127.0.0.1\n") < 0)
        return QStringLiteral("cannot write server.ext");
    ext.close();
    if (QString e = openssl(dir,
            { QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                QStringLiteral("-nodes"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                QStringLiteral("-keyout"), QStringLiteral("server.key"), QStringLiteral("-out"),
                QStringLiteral("server.csr") });
        !e.isEmpty())
        return e;
    return openssl(dir,
        { QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
            QStringLiteral("server.csr"), QStringLiteral("-CA"), ca + QStringLiteral(".pem"),
            QStringLiteral("-CAkey"), ca + QStringLiteral(".key"),
            QStringLiteral("-CAcreateserial"), QStringLiteral("-days"), QStringLiteral("1"),
            QStringLiteral("-extfile"), QStringLiteral("server.ext"), QStringLiteral("-out"),
            QStringLiteral("server.pem") });
}

} // namespace

// `sslmode=verify-full` (docs/shared-queue.md) does what libpq promises through Spool: the queue
// opens when the server's certificate is signed by the authority named and made for the host
// connected to, and otherwise it is refused with libpq's reason on one line.
void TestSharedQueue::verifyFullChecksTheServersCertificate()
{
    test::PgServer server;
    QVERIFY2(server.isRunning(), qPrintable(server.error()));
    const QString dir = server.filePath(QString());
    QString error = makeAuthority(dir, QStringLiteral("ca"));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    error = makeAuthority(dir, QStringLiteral("stranger"));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    error = makeServerCertificate(dir, QStringLiteral("ca"));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(server.giveToServer(server.filePath(QStringLiteral("server.key"))));
    QVERIFY(server.giveToServer(server.filePath(QStringLiteral("server.pem"))));
    QVERIFY2(server.restartWith({ QStringLiteral("ssl=on"),
                 QStringLiteral("ssl_cert_file=") + server.filePath(QStringLiteral("server.pem")),
                 QStringLiteral("ssl_key_file=") + server.filePath(QStringLiteral("server.key")) }),
        qPrintable(server.error()));
    QVERIFY2(server.createDatabase(QStringLiteral("tls")), qPrintable(server.error()));

    const auto list = [&](const QString &host, const QString &authority) {
        const QString url = QStringLiteral("postgresql://%1@%2:%3/tls?hostaddr=127.0.0.1&"
                                           "sslmode=verify-full&sslrootcert=%4")
                                .arg(server.user(), host)
                                .arg(server.port())
                                .arg(server.filePath(authority + QStringLiteral(".pem")));
        return test::runSpoolctl(m_dirs->filePath(QStringLiteral("tls")),
            { QStringLiteral("--queue"), url, QStringLiteral("list") }, 60000);
    };
    const test::CtlOutput trusted = list(QStringLiteral("127.0.0.1"), QStringLiteral("ca"));
    QVERIFY2(trusted.exitCode == 0, qPrintable(trusted.err));
    // The same server, an authority that did not sign its certificate.
    const test::CtlOutput stranger = list(QStringLiteral("127.0.0.1"), QStringLiteral("stranger"));
    QVERIFY(stranger.exitCode > 0);
    QVERIFY2(stranger.err.contains(QLatin1String("certificate verify failed")),
        qPrintable(stranger.err));
    QCOMPARE(stranger.err.trimmed().count(QLatin1Char('\n')), 0);
    // The right authority, and a host name the certificate was not made for (the address is
    // still 127.0.0.1: hostaddr).
    const test::CtlOutput otherName = list(QStringLiteral("localhost"), QStringLiteral("ca"));
    QVERIFY(otherName.exitCode > 0);
    QVERIFY2(otherName.err.contains(QLatin1String("does not match host name")),
        qPrintable(otherName.err));
    QCOMPARE(otherName.err.trimmed().count(QLatin1Char('\n')), 0);
}

QTEST_GUILESS_MAIN(TestSharedQueue)
#include "tst_sharedqueue.moc"
