// The shared queue with real processes: `spoolctl --queue URL run` runners that present
// themselves as different machines ($SPOOL_RUNNER_HOST) share one PostgreSQL queue on a server
// this test starts. Every job runs to success exactly once through kills and freezes, caps hold
// across machines, and a server restart loses nothing.
#include <csignal>
#include <sys/prctl.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "builtinkinds.h"
#include "faultserver.h"
#include "imagediff.h"
#include "job/jobkindregistry.h"
#include "pgserver.h"
#include "queue/jobqueueimpl.h"
#include "spoolctlprocess.h"
#include "store/postgresjobstore.h"
#include "util/runneridentity.h"
#include "util/tsan.h"

using namespace spool;
using spool::test::maxChannelDifference;

namespace {

// The split renders' size: a picture in parts equals the picture in one piece at any size, and
// this one is rendered twice on one thread each, within the timeouts under TSan on a loaded
// machine (at 640 x 480 and 96 samples its first pass alone took 137 s there). A part must also
// run long enough for killRunnerMidPart to find it running with its progress stored (at each
// heartbeat, every 250 ms): at 48 samples a part of three took 0.2 s in the plain build, and 3 runs
// in 6 found none; at 384 it takes about 1.6 s. Under TSan 48 samples take longer than that.
#ifdef SPOOL_TSAN
constexpr int kSplitRenderSamples = 48;
#else
constexpr int kSplitRenderSamples = 384;
#endif
const QStringList kSplitRenderSize { QStringLiteral("--width"), QStringLiteral("320"),
    QStringLiteral("--height"), QStringLiteral("240"), QStringLiteral("--samples"),
    QString::number(kSplitRenderSamples), QStringLiteral("--threads"), QStringLiteral("1") };

// One machine's runner: `spoolctl run --until-empty` on the shared queue.
class Runner
{
public:
    Runner(QString host, QString url, QString dataDir, int workers, int leaseMs = 1000)
        : m_host(std::move(host))
        , m_url(std::move(url))
        , m_dataDir(std::move(dataDir))
        , m_workers(workers)
        , m_leaseMs(leaseMs)
    { }
    ~Runner() { kill(); }

    void start()
    {
        m_process = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SPOOL_RUNNER_HOST"), m_host);
        env.insert(QStringLiteral("PGAPPNAME"), appName()); // its connections, on the server
        m_process->setProcessEnvironment(env);
        m_process->setProcessChannelMode(QProcess::SeparateChannels);
        m_process->setStandardOutputFile(QProcess::nullDevice());
        m_process->setStandardErrorFile(errorFile());
        // A runner dies with the test: a test process killed mid-run leaves none behind.
        m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        m_process->start(QStringLiteral(SPOOLCTL_PATH),
            { QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--queue"), m_url,
                QStringLiteral("run"), QStringLiteral("--until-empty"), QStringLiteral("--quiet"),
                QStringLiteral("--workers"), QString::number(m_workers),
                QStringLiteral("--lease-ms"), QString::number(m_leaseMs),
                // These tests check what the queue does, not priority (tst_queue does): at the
                // default (low) a render beside two busy loops got a tenth of a core, and a
                // 300 s test ran out of time waiting on the OS scheduler.
                QStringLiteral("--priority"), QStringLiteral("normal") });
        m_process->waitForStarted();
    }
    QString appName() const { return QStringLiteral("spool-") + m_host; }
    // What it said on stderr (kept in its data directory).
    QString errorFile() const { return m_dataDir + QStringLiteral(".stderr"); }
    QString errors() const
    {
        QFile file(errorFile());
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    }
    const QString &host() const { return m_host; }
    bool isRunning() const { return m_process && m_process->state() != QProcess::NotRunning; }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    void signal(int sig) const
    {
        if (isRunning())
            ::kill(static_cast<pid_t>(pid()), sig);
    }
    void kill()
    {
        if (!isRunning())
            return;
        signal(SIGCONT);
        m_process->kill();
        m_process->waitForFinished();
    }
    // Waits for the runner to end by itself; its exit status (-1: still running or crashed).
    int wait(int ms)
    {
        // waitForFinished is false for a process that ended while the event loop ran.
        if (m_process->state() != QProcess::NotRunning && !m_process->waitForFinished(ms))
            return -1;
        return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
    }

private:
    QString m_host;
    QString m_url;
    QString m_dataDir;
    int m_workers;
    int m_leaseMs;
    std::unique_ptr<QProcess> m_process;
};

} // namespace

class TestSharedQueue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void runnerThatEndedWhileWeWaitedHasEnded();
    void threeMachinesRunEveryJobOnce();
    void hostCapHoldsAcrossMachines();
    void serverRestartLosesNothing();
    void serverAwayThirtySecondsLosesNothing();
    void runnerStopsWhenAskedWhileTheServerIsAway();
    void failingClaimsAreAProblemUntilTheyWork();
    void spoolctlSeesOneQueueFromEveryMachine();
    void exportHereImportThere();
    void runnersAreListedWhileTheyWork();
    void pruneForgetsOnlyOldFinishedJobs();
    void failedJobGoesToAnotherMachineFirst();
    void failedJobStaysOnTheOnlyMachine();
    void splitAutoMakesOnePartPerMachine();
    void renderOnAnotherMachineSharesItsPreview();
    void splitRenderAcrossMachinesEqualsTheWholeRender();
    void sceneComesThroughTheQueueWithoutASharedDrive();
    void splitRenderThroughTheQueueSurvivesAKilledRunner();
    void deliveryTakesTheSamplesOfPartsThatRanBesideIt();
    void damagedSceneFileFailsItsRender();
    void sceneOnSharedStorageStaysOutOfTheQueue();
    void sceneTooLargeForTheQueueIsRefused();
    void verifyFullChecksTheServersCertificate();

private:
    std::unique_ptr<PostgresJobStore> openStore();
    QList<JobRecord> enqueueSleeps(JobStore &store, int count, int ms);
    std::vector<std::unique_ptr<Runner>> startRunners(int count, int workers, int leaseMs = 1000);
    std::vector<std::unique_ptr<Runner>> startRunnersOn(
        const QStringList &hosts, int workers, int leaseMs = 1000);
    // The queue holds exactly `jobs` jobs, all succeeded.
    void checkEveryJobSucceeded(qint64 jobs);
    // Waits until every runner has ended by itself (they run --until-empty).
    bool waitForRunners(std::vector<std::unique_ptr<Runner>> &runners, int ms);
    // Ends the server's connections named `appName`; true once the server has let them all go
    // (within 30 s). Whatever their client sent before is then in or out for good.
    bool cutConnections(const QString &appName);
    // Waits for one of `parts` to run on one of `runners` with progress made, then kills that
    // runner (frozen first, so that the part cannot finish while we look) and drops it from
    // `runners`. The part as it was seen; a null id when none was seen within two minutes.
    JobRecord killRunnerMidPart(
        JobStore &store, const QList<QUuid> &parts, std::vector<std::unique_ptr<Runner>> &runners);
    // The machines the job was started on, from its timeline.
    QStringList startedOn(JobStore &store, const QUuid &id);
    // The log lines of job `id` that contain `text`.
    QStringList logged(JobStore &store, const QUuid &id, const QString &text);
    // Queues a job through a JobQueueImpl on the shared queue, as the app does; true once it is
    // in the queue.
    bool queueAsTheAppDoes(const QString &kind, const QJsonObject &params);
    // SQL on this test's queue database, as the superuser: what it printed (unaligned).
    QString sql(const QString &query);
    // A glTF project under `root` as people keep one; the path of its scene.
    static QString makeProject(const QString &root);
    // `spoolctl add render SCENE --out PNG` at 160 x 120 on the shared queue, plus `extra`.
    test::CtlOutput addRender(
        const QString &scene, const QString &png, const QStringList &extra = {});

    std::unique_ptr<test::PgServer> m_pg;
    std::unique_ptr<test::FaultServer> m_http;
    std::unique_ptr<QTemporaryDir> m_dirs;
    QString m_url;
    int m_databases = 0;
};

void TestSharedQueue::initTestCase()
{
    // This process and every spoolctl it starts to queue work are the machine "desk"; runners
    // say which machine they are themselves.
    qputenv("SPOOL_RUNNER_HOST", "desk");
    qunsetenv("PGAPPNAME"); // its connections are the store's "spool"; each runner names its own
    m_pg = std::make_unique<test::PgServer>();
    QVERIFY2(m_pg->isRunning(), qPrintable(m_pg->error()));
    m_http = std::make_unique<test::FaultServer>();
    QVERIFY(m_http->isRunning());
}

void TestSharedQueue::init()
{
    // A test that failed while the server was stopped does not fail every test after it.
    if (!m_pg->isRunning())
        QVERIFY2(m_pg->start(), qPrintable(m_pg->error()));
    const QString name = QStringLiteral("q%1").arg(++m_databases);
    QVERIFY2(m_pg->createDatabase(name), qPrintable(m_pg->error()));
    m_url = m_pg->url(name);
    m_dirs = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dirs->isValid());
}

std::unique_ptr<PostgresJobStore> TestSharedQueue::openStore()
{
    PostgresJobStore::Options options;
    options.url = m_url;
    auto store = PostgresJobStore::open(options);
    if (!store)
        qWarning("%s", qPrintable(store.error().message));
    return store ? std::move(store.value()) : nullptr;
}

QList<JobRecord> TestSharedQueue::enqueueSleeps(JobStore &store, int count, int ms)
{
    QList<NewJob> jobs;
    for (int i = 0; i < count; ++i)
        jobs.append(NewJob { QUuid::createUuid(), QStringLiteral("sleep"),
            QJsonObject { { QStringLiteral("ms"), ms } }, 20 });
    auto added = store.enqueue(jobs, QDateTime::currentMSecsSinceEpoch());
    return added ? added.value() : QList<JobRecord> {};
}

std::vector<std::unique_ptr<Runner>> TestSharedQueue::startRunners(
    int count, int workers, int leaseMs)
{
    std::vector<std::unique_ptr<Runner>> runners;
    for (int i = 0; i < count; ++i) {
        const QString host = QStringLiteral("machine-%1").arg(QChar(u'a' + i));
        runners.push_back(
            std::make_unique<Runner>(host, m_url, m_dirs->filePath(host), workers, leaseMs));
        runners.back()->start();
    }
    return runners;
}

std::vector<std::unique_ptr<Runner>> TestSharedQueue::startRunnersOn(
    const QStringList &hosts, int workers, int leaseMs)
{
    std::vector<std::unique_ptr<Runner>> runners;
    for (const QString &host : hosts) {
        runners.push_back(
            std::make_unique<Runner>(host, m_url, m_dirs->filePath(host), workers, leaseMs));
        runners.back()->start();
    }
    return runners;
}

void TestSharedQueue::checkEveryJobSucceeded(qint64 jobs)
{
    auto store = openStore();
    QVERIFY(store);
    const auto counts = store->counts();
    QVERIFY(counts.ok());
    if (counts->succeeded != jobs) {
        // Which ones did not, and what their timelines say.
        for (const JobRecord &job : store->query(JobQuery {}).value()) {
            if (job.state == JobState::Succeeded)
                continue;
            QStringList events;
            for (const JobEvent &event : store->events(job.id).value())
                events.append(event.event + u' ' + event.detail);
            qWarning("%s %s (%s): %s; %s", qPrintable(job.kind),
                qPrintable(jobStateName(job.state)),
                QJsonDocument(job.params).toJson(QJsonDocument::Compact).constData(),
                qPrintable(job.error), qPrintable(events.join(QStringLiteral(" | "))));
        }
    }
    QCOMPARE(counts->succeeded, jobs);
    QCOMPARE(counts->total(), jobs);
}

bool TestSharedQueue::waitForRunners(std::vector<std::unique_ptr<Runner>> &runners, int ms)
{
    QDeadlineTimer deadline(ms);
    for (auto &runner : runners) {
        const int code = runner->wait(static_cast<int>(qMax<qint64>(1, deadline.remainingTime())));
        if (code == 0)
            continue;
        // Enough to tell a slow queue from a stuck runner or one that gave up.
        qWarning("%s: %s; the queue: %s; its last words: %s", qPrintable(runner->host()),
            runner->isRunning() ? "still running" : qPrintable(QStringLiteral("exit %1").arg(code)),
            qPrintable(sql(QStringLiteral(
                "SELECT string_agg(state || ' ' || n, ', ') FROM (SELECT state, COUNT(*) AS n "
                "FROM spool.jobs GROUP BY state) AS counted"))),
            qPrintable(runner->errors().right(2000)));
        return false;
    }
    return true;
}

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
        int successes = 0;
        const auto events = store->events(record.id);
        QVERIFY(events.ok());
        for (const JobEvent &event : events.value()) {
            successes += event.event == QLatin1String("succeeded");
            recovered += event.event == QLatin1String("recovered");
        }
        QCOMPARE(successes, 1);
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

// The server goes away mid-run (a clean restart, then a crash-like stop for a few seconds):
// the runners wait, connect again, and every job still succeeds.
void TestSharedQueue::serverRestartLosesNothing()
{
    // About 6 s of work for four workers: the server goes away while they are busy.
    constexpr int kJobs = 600;
    auto runners = std::vector<std::unique_ptr<Runner>> {};
    {
        auto store = openStore();
        QVERIFY(store);
        QCOMPARE(enqueueSleeps(*store, kJobs, 40).size(), kJobs);
        runners = startRunners(2, 2);
        // Mid-run means both machines at work: a runner still starting when the server goes
        // away cannot open the queue and exits 1 (on a loaded machine that start takes seconds).
        const auto bothAtWork = [&store] {
            const auto listed = store->runners();
            const auto counts = store->counts();
            return listed.ok() && listed->size() == 2 && counts.ok() && counts->succeeded > 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(bothAtWork(), 60000);
    }
    QVERIFY2(m_pg->restart(), qPrintable(m_pg->error()));
    QTest::qWait(800);
    QVERIFY2(m_pg->stop(QStringLiteral("immediate")), qPrintable(m_pg->error()));
    QTest::qWait(3000);
    QVERIFY2(m_pg->start(), qPrintable(m_pg->error()));
    QVERIFY2(waitForRunners(runners, 180000), "the runners did not empty the queue");
    checkEveryJobSucceeded(kJobs);
}

// The server is away for 30 s (stopped as by a crash): the runner says the queue is unreachable
// (once, not once per request), keeps its jobs, says when the queue works again and finishes
// every job.
void TestSharedQueue::serverAwayThirtySecondsLosesNothing()
{
    constexpr int kJobs = 120; // about 6 s of work for two workers
    auto runners = std::vector<std::unique_ptr<Runner>> {};
    {
        auto store = openStore();
        QVERIFY(store);
        QCOMPARE(enqueueSleeps(*store, kJobs, 100).size(), kJobs);
        runners = startRunners(1, 2, 30000);
        // What the runner said, if it never got going.
        QTRY_VERIFY2_WITH_TIMEOUT(store->counts().ok() && store->counts()->succeeded > 0,
            qPrintable(QStringLiteral("running: %1; stderr: %2")
                           .arg(runners.front()->isRunning())
                           .arg(runners.front()->errors())),
            60000);
    }
    QElapsedTimer away;
    away.start();
    QVERIFY2(m_pg->stop(QStringLiteral("immediate")), qPrintable(m_pg->error()));
    QTRY_VERIFY_WITH_TIMEOUT(
        runners.front()->errors().contains(QStringLiteral("unreachable")), 25000);
    QTest::qWait(30000);
    QVERIFY(runners.front()->isRunning());
    QVERIFY2(m_pg->start(), qPrintable(m_pg->error()));
    QTRY_VERIFY_WITH_TIMEOUT(
        runners.front()->errors().contains(QStringLiteral("the queue works again")), 60000);
    const qint64 outageMs = away.elapsed();
    QVERIFY2(waitForRunners(runners, 180000), "the runner did not empty the queue");
    const QString said = runners.front()->errors();
    qInfo("the runner said, in an outage of %lld ms:\n%s", outageMs, qPrintable(said));
    // Each reason at most once per 30 s of the outage; unthrottled, every request would print
    // one. (A total bound was wrong: the connections fail with several reasons, each of which
    // may be said again after 30 s, and a slow machine stretches the outage; 5 of 6 was usual.)
    QHash<QString, int> times;
    for (const QString &line : said.split(u'\n')) {
        if (line.contains(QLatin1String("unreachable")))
            ++times[line];
    }
    for (auto it = times.cbegin(); it != times.cend(); ++it)
        QVERIFY2(it.value() <= outageMs / 30000 + 1, qPrintable(said));
    checkEveryJobSucceeded(kJobs);
}

// Claims fail while the runner's other writes work: the server refuses the connection its claims
// use (its role may hold one, which the store's writes hold from its start; the listener is
// refused too and polls). The queue says so, and does not say
// it works again because a runner report worked (the window's red line would blink, a runner
// would print the reason again and again); it does once claims work, and the jobs run.
void TestSharedQueue::failingClaimsAreAProblemUntilTheyWork()
{
    {
        auto store = openStore(); // the schema, made by its owner
        QVERIFY(store);
        QCOMPARE(enqueueSleeps(*store, 2, 10).size(), 2);
    }
    const QString role = QStringLiteral("limited_q%1").arg(m_databases);
    QVERIFY2(m_pg->psql(QStringLiteral("CREATE ROLE %1 LOGIN CONNECTION LIMIT 1").arg(role)),
        qPrintable(m_pg->error()));
    QVERIFY2(m_pg->psqlIn(QStringLiteral("q%1").arg(m_databases),
                 QStringLiteral("GRANT USAGE ON SCHEMA spool TO %1; GRANT ALL ON ALL TABLES IN "
                                "SCHEMA spool TO %1; GRANT ALL ON ALL SEQUENCES IN SCHEMA spool "
                                "TO %1")
                     .arg(role)),
        qPrintable(m_pg->error()));
    PostgresJobStore::Options options;
    options.url = QString(m_url).replace(m_pg->user() + u'@', role + u'@');
    auto opened = PostgresJobStore::open(options);
    QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().message));
    auto registry = std::make_shared<JobKindRegistry>();
    const QString data = m_dirs->filePath(QStringLiteral("limited"));
    registerBuiltinKinds(*registry, BuiltinSettings { data, data });
    QueueConfig config;
    config.workers = 1;
    config.workRoot = QDir(data).filePath(QStringLiteral("work"));
    auto store = std::shared_ptr<JobStore>(std::move(opened.value()));
    JobQueueImpl queue(store, registry, config);
    QStringList errors;
    int recoveries = 0;
    connect(&queue, &JobQueue::storageError, this,
        [&](const QString &message) { errors.append(message); });
    connect(&queue, &JobQueue::storageRecovered, this, [&] { ++recoveries; });
    queue.start();
    QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 30000);
    QVERIFY2(errors.first().contains(QStringLiteral("too many connections")),
        qPrintable(errors.first()));
    // A runner report (every 10 s) written after a claim failed: before, it said "works again".
    const qint64 failedAtMs = QDateTime::currentMSecsSinceEpoch();
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const auto runners = store->runners();
            return runners.ok() && runners->size() == 1
                && runners->first().lastSeenAtMs > failedAtMs;
        }(),
        30000);
    // And a claim failed after it (the queue's signals come in the order they were sent).
    const qsizetype seen = errors.size();
    QTRY_VERIFY_WITH_TIMEOUT(errors.size() > seen, 30000);
    QCOMPARE(recoveries, 0);
    QCOMPARE(store->counts()->queued, 2);
    QVERIFY2(m_pg->psql(QStringLiteral("ALTER ROLE %1 CONNECTION LIMIT -1").arg(role)),
        qPrintable(m_pg->error()));
    QTRY_COMPARE_WITH_TIMEOUT(store->counts()->succeeded, qint64(2), 30000);
    QTRY_COMPARE(recoveries, 1); // the signal may still be on its way when the jobs are seen

    queue.stop(StopMode::Release);
    QTRY_VERIFY_WITH_TIMEOUT(queue.isStopped(), 30000);
}

// Asked to stop (SIGTERM) while the server is away, a runner cannot hand its jobs back: it leaves
// after its grace period instead of hanging until the server returns, and the jobs it held run
// again on the next runner once their leases expire.
void TestSharedQueue::runnerStopsWhenAskedWhileTheServerIsAway()
{
    constexpr int kJobs = 40;
    auto store = openStore();
    QVERIFY(store);
    QCOMPARE(enqueueSleeps(*store, kJobs, 300).size(), kJobs);
    auto runners = startRunners(1, 2, 30000);
    Runner &runner = *runners.front();
    QTRY_VERIFY_WITH_TIMEOUT(store->counts().ok() && store->counts()->succeeded > 0, 60000);
    store.reset();
    QVERIFY2(m_pg->stop(QStringLiteral("immediate")), qPrintable(m_pg->error()));
    QTRY_VERIFY_WITH_TIMEOUT(runner.errors().contains(QStringLiteral("unreachable")), 25000);
    runner.signal(SIGTERM);
    // 10 s of grace; the bound only catches a runner that waits for the server.
    const int exitCode = runner.wait(40000);
    QVERIFY2(exitCode == 1,
        qPrintable(QStringLiteral("exit %1: %2").arg(exitCode).arg(runner.errors())));
    QVERIFY2(runner.errors().contains(QStringLiteral("stopped without handing back")),
        qPrintable(runner.errors()));

    QVERIFY2(m_pg->start(), qPrintable(m_pg->error()));
    auto next = startRunners(1, 2, 2000);
    QVERIFY2(waitForRunners(next, 180000), "the next runner did not empty the queue");
    checkEveryJobSucceeded(kJobs);
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
        20000);
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

// With no other machine, a failed job's retries are not held back: three attempts take the
// retry delays (1 s, 2 s), not the 30 s the other machines would be given each time (the bound
// of 45 s is a margin over those 3 s for a loaded machine, and below the 60 s of two windows).
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
    QVERIFY2(waitForRunners(runners, 45000), "the retries waited for another machine");
    QCOMPARE(store->counts()->failed, qint64(1));
}

// `--split auto` counts the machines whose runners are alive on the queue when the render is
// queued: three machines, three parts, and the render they make.
void TestSharedQueue::splitAutoMakesOnePartPerMachine()
{
    auto store = openStore();
    QVERIFY(store);
    // Runners with work waiting (they run until the queue is empty), on a paused queue.
    QVERIFY(store->setQueuePaused(true, QDateTime::currentMSecsSinceEpoch()).ok());
    QCOMPARE(enqueueSleeps(*store, 1, 1).size(), 1);
    auto runners = startRunners(3, 1, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(store->runners()->size(), 3, 60000);
    const auto addAuto = [&](const QString &out, int samples) {
        return test::runSpoolctl(m_dirs->filePath(QStringLiteral("submitter")),
            { QStringLiteral("--queue"), m_url, QStringLiteral("add"), QStringLiteral("render"),
                QStringLiteral("procedural:terrain"), QStringLiteral("--out"), out,
                QStringLiteral("--width"), QStringLiteral("64"), QStringLiteral("--height"),
                QStringLiteral("48"), QStringLiteral("--samples"), QString::number(samples),
                QStringLiteral("--split"), QStringLiteral("auto"), QStringLiteral("--inputs"),
                QStringLiteral("shared-path") },
            60000);
    };
    const QString out = m_dirs->filePath(QStringLiteral("auto.png"));
    const test::CtlOutput added = addAuto(out, 6);
    QCOMPARE(added.exitCode, 0);
    QCOMPARE(added.out.count(QLatin1Char('\n')), 3);
    QCOMPARE(added.err,
        QStringLiteral("spoolctl: note: --split auto is 3: the machines that run the queue now\n"));
    // Never more parts than samples: each part renders some.
    const QString fewer = m_dirs->filePath(QStringLiteral("auto-2-samples.png"));
    const test::CtlOutput capped = addAuto(fewer, 2);
    QCOMPARE(capped.exitCode, 0);
    QCOMPARE(capped.out.count(QLatin1Char('\n')), 2);
    QCOMPARE(capped.err,
        QStringLiteral("spoolctl: note: --split auto is 2: 3 machines run the queue now, and "
                       "there are 2 samples to share\n"));
    QVERIFY(store->setQueuePaused(false, QDateTime::currentMSecsSinceEpoch()).ok());
    QVERIFY2(waitForRunners(runners, 120000), "the runners did not empty the queue");
    QCOMPARE(store->counts()->succeeded, qint64(1 + 3 + 2));
    QCOMPARE(QImage(out).size(), QSize(64, 48));
    QCOMPARE(QImage(fewer).size(), QSize(64, 48));
}

// A render running on another machine is seen live in a window here: its runner shares a small
// picture through the queue (a JPEG, 256 pixels a side at most); only the runner that holds the
// job can write it, and a window asks for it through its own queue.
void TestSharedQueue::renderOnAnotherMachineSharesItsPreview()
{
    const auto added = test::runSpoolctl(m_dirs->filePath(QStringLiteral("submitter")),
        { QStringLiteral("--queue"), m_url, QStringLiteral("add"), QStringLiteral("render"),
            QStringLiteral("procedural:terrain"), QStringLiteral("--out"),
            m_dirs->filePath(QStringLiteral("shared-preview.png")), QStringLiteral("--width"),
            QStringLiteral("640"), QStringLiteral("--height"), QStringLiteral("360"),
            QStringLiteral("--samples"), QStringLiteral("4096"), QStringLiteral("--threads"),
            QStringLiteral("1"), QStringLiteral("--inputs"), QStringLiteral("shared-path") },
        60000);
    QCOMPARE(added.exitCode, 0);
    const QUuid id(added.out.trimmed());
    auto store = openStore();
    QVERIFY(store);
    auto runners = startRunners(1, 1, 30000);
    const auto preview = [&] {
        auto shared = store->sharedPreview(id);
        return shared ? shared.value() : QByteArray();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!preview().isEmpty(), 120000);
    QCOMPARE(QImage::fromData(preview(), "JPEG").size(), QSize(256, 144));

    // A runner that does not hold the job (a stale token) writes nothing.
    JobQuery query;
    query.ids = { id };
    const JobRecord running = store->query(query).value().value(0);
    QCOMPARE(running.state, JobState::Running);
    QVERIFY(store->sharePreview(id, running.leaseToken + 1, QByteArrayLiteral("stale"), 1).ok());
    QVERIFY(preview() != QByteArrayLiteral("stale"));

    // A window on this machine (no workers) asks its queue, which answers off its thread.
    {
        QueueConfig config;
        config.workers = 0;
        JobQueueImpl window(
            std::shared_ptr<JobStore>(openStore()), std::make_shared<JobKindRegistry>(), config);
        window.start();
        QSignalSpy answered(&window, &JobQueue::sharedPreviewReady);
        window.requestSharedPreview(id);
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 30000);
        QCOMPARE(answered.first().at(0).toUuid(), id);
        QVERIFY(!QImage::fromData(answered.first().at(1).toByteArray(), "JPEG").isNull());
        QSignalSpy stopped(&window, &JobQueue::stopped);
        window.stop(StopMode::Release);
        QVERIFY(stopped.wait(30000));
    }
    QVERIFY(store->command(id, JobCommand::Cancel, QDateTime::currentMSecsSinceEpoch()).ok());
    QVERIFY2(waitForRunners(runners, 60000), "the runner did not stop the render");
}

// One picture in three parts across machines whose output folder is the same path. The runner
// holding a part is killed (SIGKILL) while it renders; another machine takes the part over
// after its lease, and the merged picture is the render of one job on one machine.
void TestSharedQueue::splitRenderAcrossMachinesEqualsTheWholeRender()
{
    const QString engine = QStringLiteral(
        "/usr/share/assimp/models/glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb");
    QDir(m_dirs->path()).mkpath(QStringLiteral("out"));
    const QString out = m_dirs->filePath(QStringLiteral("out"));
    const QStringList render = QStringList { QStringLiteral("--queue"), m_url,
        QStringLiteral("add"), QStringLiteral("render"), engine }
        + kSplitRenderSize
        + QStringList { QStringLiteral("--inputs"), QStringLiteral("shared-path") };
    const QString submitter = m_dirs->filePath(QStringLiteral("submitter"));
    const auto whole = test::runSpoolctl(submitter,
        render + QStringList { QStringLiteral("--out"), out + QStringLiteral("/whole.png") });
    QCOMPARE(whole.exitCode, 0);
    const auto split = test::runSpoolctl(submitter,
        render
            + QStringList { QStringLiteral("--out"), out + QStringLiteral("/split.png"),
                QStringLiteral("--split"), QStringLiteral("3") });
    QCOMPARE(split.exitCode, 0);
    QList<QUuid> parts;
    for (const QString &line : split.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        parts.append(QUuid(line));
    QCOMPARE(parts.size(), 3);

    auto runners = startRunners(2, 1);
    auto store = openStore();
    QVERIFY(store);
    const JobRecord victimJob = killRunnerMidPart(*store, parts, runners);
    QVERIFY2(!victimJob.id.isNull(), "no part was seen running");
    QCOMPARE(runners.size(), size_t(1));
    runners.push_back(std::make_unique<Runner>(
        QStringLiteral("machine-c"), m_url, m_dirs->filePath(QStringLiteral("machine-c")), 1));
    runners.back()->start();
    QVERIFY2(waitForRunners(runners, 300000), "the runners did not empty the queue");

    checkEveryJobSucceeded(4);
    int merged = 0;
    for (const JobRecord &job : store->query(JobQuery { parts, {} }).value()) {
        if (!job.output.isEmpty()) {
            ++merged;
            QCOMPARE(job.output, out + QStringLiteral("/split.png"));
        }
    }
    QCOMPARE(merged, 1);
    // The killed part ran again elsewhere.
    const auto retaken = store->query(JobQuery { { victimJob.id }, {} }).value();
    QVERIFY2(retaken.first().attempts >= 2,
        qPrintable(
            QStringLiteral("started on %1").arg(startedOn(*store, victimJob.id).join(u' '))));
    const QImage a(out + QStringLiteral("/whole.png")), b(out + QStringLiteral("/split.png"));
    QCOMPARE(b.size(), QSize(320, 240));
    QVERIFY(maxChannelDifference(a, b) <= 1);
    // Nothing of the parts is left: no samples, no temporary PNG.
    QCOMPARE(QDir(out).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
        (QStringList { QStringLiteral("split.png"), QStringLiteral("whole.png") }));
}

bool TestSharedQueue::cutConnections(const QString &appName)
{
    // Gone is what counts, not what pg_terminate_backend returned: a connection that ended
    // before it was signalled makes it say false.
    const QString named =
        QStringLiteral("FROM pg_stat_activity WHERE application_name = '%1'").arg(appName);
    sql(QStringLiteral("SELECT pg_terminate_backend(pid) ") + named);
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        if (sql(QStringLiteral("SELECT COUNT(*) ") + named) == u"0")
            return true;
        QTest::qWait(10);
    }
    return false;
}

JobRecord TestSharedQueue::killRunnerMidPart(
    JobStore &store, const QList<QUuid> &parts, std::vector<std::unique_ptr<Runner>> &runners)
{
    QDeadlineTimer deadline(120000);
    while (!deadline.hasExpired()) {
        QTest::qWait(20);
        for (const JobRecord &job :
            store.query(JobQuery { parts, { JobState::Running } }).value()) {
            const QString host = job.leaseOwner.section(QLatin1Char('|'), 0, 0);
            for (auto it = runners.begin(); it != runners.end(); ++it) {
                if ((*it)->host() != host || job.progress.done == 0)
                    continue;
                (*it)->signal(SIGSTOP);
                // A finish it sent before it froze may still be on its way to the server (in a
                // socket buffer): cut its connections, then look. Thawed, it connects again.
                if (!cutConnections((*it)->appName()))
                    return {};
                const auto now = store.query(JobQuery { { job.id }, {} }).value();
                if (now.size() == 1 && now.first().state == JobState::Running
                    && now.first().leaseOwner == job.leaseOwner) {
                    qInfo("killed %s while it rendered part %d", qPrintable(host),
                        job.params.value(QStringLiteral("part")).toInt());
                    (*it)->kill();
                    runners.erase(it);
                    return job;
                }
                (*it)->signal(SIGCONT);
            }
        }
    }
    return {};
}

QStringList TestSharedQueue::startedOn(JobStore &store, const QUuid &id)
{
    QStringList hosts;
    for (const JobEvent &event : store.events(id).value()) {
        if (event.event == u"started")
            hosts.append(event.detail.section(QLatin1Char('|'), 0, 0));
    }
    return hosts;
}

QStringList TestSharedQueue::logged(JobStore &store, const QUuid &id, const QString &text)
{
    QStringList lines;
    for (const JobEvent &event : store.events(id).value()) {
        if (event.event == u"log" && event.detail.contains(text))
            lines.append(event.detail);
    }
    return lines;
}

bool TestSharedQueue::queueAsTheAppDoes(const QString &kind, const QJsonObject &params)
{
    auto registry = std::make_shared<JobKindRegistry>();
    const QString app = m_dirs->filePath(QStringLiteral("app"));
    registerBuiltinKinds(*registry, BuiltinSettings { app, app });
    QueueConfig config;
    config.workers = 0; // only queue
    config.workRoot = QDir(app).filePath(QStringLiteral("work"));
    auto store = openStore();
    if (!store)
        return false;
    JobQueueImpl queue(std::shared_ptr<JobStore>(std::move(store)), registry, config);
    QSignalSpy failed(&queue, &JobQueue::commandFailed);
    queue.start();
    auto id = queue.enqueue(kind, params);
    if (!id)
        return false;
    auto look = openStore();
    QDeadlineTimer deadline(60000);
    while (!deadline.hasExpired() && failed.isEmpty()) {
        if (look->query(JobQuery { { id.value() }, {} })->size() == 1)
            return true;
        QTest::qWait(20);
    }
    if (!failed.isEmpty())
        qWarning("%s", qPrintable(failed.first().at(1).toString()));
    return false;
}

QString TestSharedQueue::sql(const QString &query)
{
    QString output;
    if (!m_pg->psqlIn(QStringLiteral("q%1").arg(m_databases), query, &output))
        qWarning("%s", qPrintable(m_pg->error()));
    return output;
}

// The glTF in scenes/, its buffer in scenes/buffers/, its texture in textures/ (read as
// ../textures/...): the layout a runner must rebuild for the model's references to work.
QString TestSharedQueue::makeProject(const QString &root)
{
    const QString from = QStringLiteral("/usr/share/assimp/models/glTF2/BoxTextured-glTF/");
    QDir dir(root);
    if (!dir.mkpath(QStringLiteral("scenes/buffers")) || !dir.mkpath(QStringLiteral("textures")))
        return {};
    QFile in(from + QStringLiteral("BoxTextured.gltf"));
    if (!in.open(QIODevice::ReadOnly))
        return {};
    const QByteArray gltf =
        in.readAll()
            .replace("\"BoxTextured0.bin\"", "\"buffers/BoxTextured0.bin\"")
            .replace("\"CesiumLogoFlat.png\"", "\"../textures/CesiumLogoFlat.png\"");
    const QString scene = dir.filePath(QStringLiteral("scenes/box.gltf"));
    QFile out(scene);
    if (!out.open(QIODevice::WriteOnly) || out.write(gltf) != gltf.size())
        return {};
    out.close();
    if (!QFile::copy(from + QStringLiteral("BoxTextured0.bin"),
            dir.filePath(QStringLiteral("scenes/buffers/BoxTextured0.bin")))
        || !QFile::copy(from + QStringLiteral("CesiumLogoFlat.png"),
            dir.filePath(QStringLiteral("textures/CesiumLogoFlat.png"))))
        return {};
    return scene;
}

test::CtlOutput TestSharedQueue::addRender(
    const QString &scene, const QString &png, const QStringList &extra)
{
    return test::runSpoolctl(m_dirs->filePath(QStringLiteral("submitter")),
        QStringList { QStringLiteral("--queue"), m_url, QStringLiteral("add"),
            QStringLiteral("render"), scene, QStringLiteral("--out"), png,
            QStringLiteral("--width"), QStringLiteral("160"), QStringLiteral("--height"),
            QStringLiteral("120"), QStringLiteral("--samples"), QStringLiteral("4") }
            + extra);
}

// The machine that queues a render keeps its project on its own disk; the runner sees none of
// it. The scene and the files it references travel through the queue, stored once however many
// renders read them, and the runner rebuilds the project's layout from them.
void TestSharedQueue::sceneComesThroughTheQueueWithoutASharedDrive()
{
    const QString scene = makeProject(m_dirs->filePath(QStringLiteral("project")));
    QVERIFY(!scene.isEmpty());
    const QString out = m_dirs->filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(out));
    // The reference: the same render on this machine's own queue.
    const QString local = m_dirs->filePath(QStringLiteral("local"));
    QCOMPARE(test::runSpoolctl(local,
                 { QStringLiteral("add"), QStringLiteral("render"), scene, QStringLiteral("--out"),
                     out + QStringLiteral("/reference.png"), QStringLiteral("--width"),
                     QStringLiteral("160"), QStringLiteral("--height"), QStringLiteral("120"),
                     QStringLiteral("--samples"), QStringLiteral("4") })
                 .exitCode,
        0);
    QCOMPARE(
        test::runSpoolctl(local, { QStringLiteral("run"), QStringLiteral("--until-empty") }, 120000)
            .exitCode,
        0);

    // Render a as the app queues it (from the queue's own thread), b from spoolctl.
    QVERIFY(queueAsTheAppDoes(QStringLiteral("render"),
        QJsonObject { { QStringLiteral("scene"), scene },
            { QStringLiteral("out"), out + QStringLiteral("/a.png") },
            { QStringLiteral("width"), 160 }, { QStringLiteral("height"), 120 },
            { QStringLiteral("samples"), 4 } }));
    const auto split = addRender(
        scene, out + QStringLiteral("/b.png"), { QStringLiteral("--split"), QStringLiteral("2") });
    QCOMPARE(split.exitCode, 0);
    // Nothing runs the queue on this machine yet: the PNG would not come without one.
    QVERIFY2(split.err.contains(QLatin1String("nothing runs the queue on this machine (desk) now")),
        qPrintable(split.err));
    // Two renders (five jobs: a, b in two parts, and a delivery of each), three files: each
    // stored once.
    QCOMPARE(sql(QStringLiteral("SELECT COUNT(*) FROM spool.files")), QStringLiteral("3"));
    QCOMPARE(sql(QStringLiteral("SELECT SUM(size) FROM spool.files")),
        QString::number(QFileInfo(scene).size() + 840 + 2433));

    QVERIFY(QDir(m_dirs->filePath(QStringLiteral("project"))).removeRecursively());
    auto runners = startRunnersOn({ QStringLiteral("machine-a"), QStringLiteral("desk") }, 2);
    QVERIFY2(waitForRunners(runners, 120000), "the runners did not empty the queue");
    checkEveryJobSucceeded(5);
    // Only this machine wrote the PNGs: the deliveries ran here and nowhere else.
    auto store = openStore();
    QVERIFY(store);
    int deliveries = 0;
    for (const JobRecord &job : store->query(JobQuery {}).value()) {
        if (!job.params.value(QStringLiteral("deliver")).toBool())
            continue;
        ++deliveries;
        QStringList hosts = startedOn(*store, job.id); // again after a lease ran out, maybe
        hosts.removeDuplicates();
        QCOMPARE(hosts, QStringList { QStringLiteral("desk") });
        QVERIFY(job.output.endsWith(QLatin1String(".png")));
    }
    QCOMPARE(deliveries, 2);
    const QImage reference(out + QStringLiteral("/reference.png"));
    QVERIFY(!reference.isNull());
    for (const char *name : { "/a.png", "/b.png" }) {
        const QImage image(out + QLatin1String(name));
        QCOMPARE(image.size(), QSize(160, 120));
        QVERIFY2(maxChannelDifference(reference, image) <= 1, name);
    }
    // What the machines fetched is in their caches under its hash, and nothing else is there:
    // the scene's three files (each where a render part ran). The parts' samples are read once,
    // in memory, by the delivery on desk: they are not kept there.
    const QStringList stored =
        sql(QStringLiteral("SELECT hash FROM spool.files")).split(QLatin1Char('\n'));
    QSet<QString> cached;
    for (const QString &machine : { QStringLiteral("machine-a"), QStringLiteral("desk") }) {
        const QDir cache(m_dirs->filePath(machine + QStringLiteral("/shared-files")));
        for (const QString &name : cache.entryList(QDir::Files)) {
            QVERIFY2(stored.contains(name), qPrintable(name));
            cached.insert(name);
        }
    }
    const QStringList sceneFiles = // the parts' samples are 225 KiB each
        sql(QStringLiteral("SELECT hash FROM spool.files WHERE size < 10000"))
            .split(QLatin1Char('\n'));
    QCOMPARE(sceneFiles.size(), 3);
    QCOMPARE(cached, QSet<QString>(sceneFiles.begin(), sceneFiles.end()));
}

// The split render with nothing shared but the queue: the parts' samples travel through it to
// the machine that queued the render. A runner killed mid-part loses nothing: the part runs
// again elsewhere, and the merged picture equals the render in one piece.
void TestSharedQueue::splitRenderThroughTheQueueSurvivesAKilledRunner()
{
    const QString engine = QStringLiteral(
        "/usr/share/assimp/models/glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb");
    const QString out = m_dirs->filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(out));
    const QStringList &size = kSplitRenderSize;
    auto store = openStore();
    QVERIFY(store);
    // This machine's runner first, kept waiting on a paused queue: `add` has nothing to warn of.
    QVERIFY(store->setQueuePaused(true, QDateTime::currentMSecsSinceEpoch()).ok());
    QCOMPARE(enqueueSleeps(*store, 1, 1).size(), 1);
    auto desk = startRunnersOn({ QStringLiteral("desk") }, 1);
    QTRY_COMPARE_WITH_TIMEOUT(store->runners()->size(), 1, 60000);
    const auto whole = addRender(engine, out + QStringLiteral("/whole.png"), size);
    QCOMPARE(whole.exitCode, 0);
    QCOMPARE(whole.err, QString());
    const auto split = addRender(engine, out + QStringLiteral("/split.png"),
        size + QStringList { QStringLiteral("--split"), QStringLiteral("3") });
    QCOMPARE(split.exitCode, 0);
    QList<QUuid> ids;
    for (const QString &line : split.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        ids.append(QUuid(line));
    QCOMPARE(ids.size(), 4); // three parts, then the delivery
    const QUuid delivery = ids.takeLast();

    auto runners = startRunners(2, 1);
    QTRY_COMPARE_WITH_TIMEOUT(store->runners()->size(), 3, 60000); // all three may take a part
    QVERIFY(store->setQueuePaused(false, QDateTime::currentMSecsSinceEpoch()).ok());
    const JobRecord victim = killRunnerMidPart(*store, ids, runners);
    QVERIFY2(!victim.id.isNull(), "no part was seen running");
    runners.push_back(std::make_unique<Runner>(
        QStringLiteral("machine-c"), m_url, m_dirs->filePath(QStringLiteral("machine-c")), 1));
    runners.back()->start();
    QVERIFY2(waitForRunners(runners, 300000), "the runners did not empty the queue");
    QVERIFY2(waitForRunners(desk, 60000), "the delivery did not end");

    checkEveryJobSucceeded(7); // with the sleep that kept this machine's runner waiting
    QVERIFY(store->query(JobQuery { { victim.id }, {} })->first().attempts >= 2);
    QCOMPARE(store->query(JobQuery { { delivery }, {} })->first().output,
        out + QStringLiteral("/split.png"));
    const QImage a(out + QStringLiteral("/whole.png")), b(out + QStringLiteral("/split.png"));
    QCOMPARE(b.size(), QSize(320, 240));
    QVERIFY(maxChannelDifference(a, b) <= 1);
    // Nothing of the parts is left beside the pictures.
    QCOMPARE(QDir(out).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
        (QStringList { QStringLiteral("split.png"), QStringLiteral("whole.png") }));
}

// A part that ran in the process that runs the delivery hands its samples over in memory; the
// delivery fetches from the queue only what ran elsewhere. Either way the picture is the same.
void TestSharedQueue::deliveryTakesTheSamplesOfPartsThatRanBesideIt()
{
    const QString scene = makeProject(m_dirs->filePath(QStringLiteral("project")));
    QVERIFY(!scene.isEmpty());
    const QString out = m_dirs->filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(out));
    const QStringList two { QStringLiteral("--split"), QStringLiteral("2") };
    auto store = openStore();
    QVERIFY(store);
    const auto deliveryOf = [&](const QString &png) {
        for (const JobRecord &job : store->query(JobQuery {}).value()) {
            if (job.params.value(QStringLiteral("deliver")).toBool()
                && job.params.value(QStringLiteral("out")).toString() == png)
                return job;
        }
        return JobRecord {};
    };
    const QString fetched = QStringLiteral("fetched from the queue and added in");

    // Leases of 30 s: a lease lapsed on a busy machine would run a job a second time, and the
    // delivery's second attempt no longer finds in memory what its first took (and logs twice).
    constexpr int kLeaseMs = 30000;
    // Everything on desk, in one runner process: both parts hand theirs over.
    const QString here = out + QStringLiteral("/here.png");
    QCOMPARE(addRender(scene, here, two).exitCode, 0);
    auto desk = startRunnersOn({ QStringLiteral("desk") }, 2, kLeaseMs);
    QVERIFY2(waitForRunners(desk, 120000), "desk did not empty the queue");
    const JobRecord hereDelivery = deliveryOf(here);
    QCOMPARE(hereDelivery.state, JobState::Succeeded);
    QStringList lines = logged(*store, hereDelivery.id, fetched);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.first().contains(QLatin1String("(2 handed over in memory")),
        qPrintable(lines.first()));

    // The parts on machine-a, to the end, before desk runs the delivery: both fetched.
    const QString there = out + QStringLiteral("/there.png");
    const auto queued = addRender(scene, there, two);
    QCOMPARE(queued.exitCode, 0);
    QList<QUuid> parts; // the ids printed, but the delivery's
    for (const QString &line : queued.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        if (QUuid(line) != deliveryOf(there).id)
            parts.append(QUuid(line));
    }
    QCOMPARE(parts.size(), 2);
    auto farm = startRunnersOn({ QStringLiteral("machine-a") }, 2, kLeaseMs);
    QTRY_COMPARE_WITH_TIMEOUT(
        store->query(JobQuery { parts, { JobState::Succeeded } }).value().size(), 2, 120000);
    desk = startRunnersOn({ QStringLiteral("desk") }, 2, kLeaseMs);
    QVERIFY2(waitForRunners(desk, 120000), "desk did not empty the queue");
    QVERIFY2(waitForRunners(farm, 120000), "machine-a did not empty the queue");
    const JobRecord thereDelivery = deliveryOf(there);
    QCOMPARE(thereDelivery.state, JobState::Succeeded);
    lines = logged(*store, thereDelivery.id, fetched);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.first().contains(QLatin1String("(0 handed over in memory")),
        qPrintable(lines.first()));

    const QImage a(here), b(there);
    QCOMPARE(a.size(), QSize(160, 120));
    QCOMPARE(b.size(), QSize(160, 120));
    QCOMPARE(maxChannelDifference(a, b), 0);
}

// A file whose content no longer matches its hash fails the render with the reason, once: the
// same bytes would come back at every try.
void TestSharedQueue::damagedSceneFileFailsItsRender()
{
    const QString scene = makeProject(m_dirs->filePath(QStringLiteral("project")));
    QVERIFY(!scene.isEmpty());
    const QString png = m_dirs->filePath(QStringLiteral("a.png"));
    QCOMPARE(addRender(scene, png, { QStringLiteral("--split"), QStringLiteral("2") }).exitCode, 0);
    // One byte of the model's buffer changed in the queue.
    QCOMPARE(sql(QStringLiteral("UPDATE spool.file_pieces SET data = set_byte(data, 10, "
                                "(get_byte(data, 10) + 1) % 256) WHERE hash = (SELECT hash "
                                "FROM spool.files WHERE size = 840) RETURNING n")),
        QStringLiteral("0"));
    // Leases of 30 s: each attempt is counted below, and a 1 s lease on a loaded machine can run
    // out between two heartbeats (the job then runs again).
    auto runners =
        startRunnersOn({ QStringLiteral("machine-a"), QStringLiteral("desk") }, 1, 30000);
    QVERIFY(waitForRunners(runners, 60000));
    auto store = openStore();
    QVERIFY(store);
    const QList<JobRecord> jobs = store->query(JobQuery {}).value();
    QCOMPARE(jobs.size(), 3); // the two parts and the delivery: all fail, and say why
    for (const JobRecord &job : jobs) {
        QCOMPARE(job.state, JobState::Failed);
        QCOMPARE(job.attempts, 1);
        QVERIFY2(job.error.contains(QLatin1String("is damaged")), qPrintable(job.error));
    }
    QVERIFY(!QFileInfo::exists(png));
    // Both parts' word of their failure stays in the queue: the retry below meets it, stale.
    QCOMPARE(sql(QStringLiteral("SELECT COUNT(*) FROM spool.file_names WHERE name LIKE "
                                "'%/failed-part-%'")),
        QStringLiteral("2"));

    // Repaired, and the render retried (one command for the whole): the delivery waits for the
    // render's new attempt instead of telling the old failure again.
    QCOMPARE(sql(QStringLiteral("UPDATE spool.file_pieces SET data = set_byte(data, 10, "
                                "(get_byte(data, 10) + 255) % 256) WHERE hash = (SELECT hash "
                                "FROM spool.files WHERE size = 840) RETURNING n")),
        QStringLiteral("0"));
    const auto retried = test::runSpoolctl(m_dirs->filePath(QStringLiteral("submitter")),
        { QStringLiteral("--queue"), m_url, QStringLiteral("retry"), idString(jobs.first().id) });
    QCOMPARE(retried.exitCode, 0);
    // Both parts failed, and the delivery told one of them: a failure told before must not end
    // the retried render.
    runners = startRunnersOn({ QStringLiteral("desk") }, 3, 30000);
    QVERIFY(waitForRunners(runners, 60000));
    checkEveryJobSucceeded(3);
    QVERIFY(!QImage(png).isNull());
}

// With --inputs shared-path the queue keeps no files: runners read the path itself.
void TestSharedQueue::sceneOnSharedStorageStaysOutOfTheQueue()
{
    const QString scene = makeProject(m_dirs->filePath(QStringLiteral("project")));
    QVERIFY(!scene.isEmpty());
    const QString png = m_dirs->filePath(QStringLiteral("a.png"));
    QCOMPARE(addRender(scene, png, { QStringLiteral("--inputs"), QStringLiteral("shared-path") })
                 .exitCode,
        0);
    QCOMPARE(sql(QStringLiteral("SELECT COUNT(*) FROM spool.files")), QStringLiteral("0"));
    const auto refused =
        addRender(scene, png, { QStringLiteral("--inputs"), QStringLiteral("nfs") });
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(
        refused.err.contains(QLatin1String("'queue' or 'shared-path'")), qPrintable(refused.err));
    auto runners = startRunners(1, 1);
    QVERIFY(waitForRunners(runners, 60000));
    checkEveryJobSucceeded(1);
    QVERIFY(!QImage(png).isNull());
}

// More than a render may store: refused when queued, with the way out, and nothing stored.
void TestSharedQueue::sceneTooLargeForTheQueueIsRefused()
{
    QDir dir(m_dirs->path());
    QFile gltf(dir.filePath(QStringLiteral("big.gltf")));
    QVERIFY(gltf.open(QIODevice::WriteOnly));
    gltf.write(R"({"asset":{"version":"2.0"},"buffers":[{"uri":"big.bin","byteLength":4}]})");
    gltf.close();
    QFile bin(dir.filePath(QStringLiteral("big.bin")));
    QVERIFY(bin.open(QIODevice::WriteOnly));
    QVERIFY(bin.resize(1100LL * 1024 * 1024)); // sparse: nothing is read before the refusal
    bin.close();
    const auto refused = addRender(gltf.fileName(), dir.filePath(QStringLiteral("a.png")));
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains(QLatin1String("1100.0 MiB"))
            && refused.err.contains(QLatin1String("--inputs shared-path")),
        qPrintable(refused.err));
    QCOMPARE(sql(QStringLiteral("SELECT (SELECT COUNT(*) FROM spool.files) + (SELECT COUNT(*) "
                                "FROM spool.file_pieces) + (SELECT COUNT(*) FROM spool.jobs)")),
        QStringLiteral("0"));
}

QTEST_GUILESS_MAIN(TestSharedQueue)
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

#include "tst_sharedqueue.moc"
