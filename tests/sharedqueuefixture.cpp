#include "sharedqueuefixture.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTest>

namespace spool::test {

void SharedQueueFixture::startServers()
{
    // This process and every spoolctl it starts to queue work are the machine "desk"; runners
    // say which machine they are themselves.
    qputenv("SPOOL_RUNNER_HOST", "desk");
    qunsetenv("PGAPPNAME"); // its connections are the store's "spool"; each runner names its own
    m_pg = std::make_unique<PgServer>();
    QVERIFY2(m_pg->isRunning(), qPrintable(m_pg->error()));
    m_http = std::make_unique<FaultServer>();
    QVERIFY(m_http->isRunning());
}

void SharedQueueFixture::freshQueue()
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

std::unique_ptr<PostgresJobStore> SharedQueueFixture::openStore()
{
    PostgresJobStore::Options options;
    options.url = m_url;
    auto store = PostgresJobStore::open(options);
    if (!store)
        qWarning("%s", qPrintable(store.error().message));
    return store ? std::move(store.value()) : nullptr;
}

QList<JobRecord> SharedQueueFixture::enqueueSleeps(JobStore &store, int count, int ms)
{
    QList<NewJob> jobs;
    for (int i = 0; i < count; ++i)
        jobs.append(NewJob { QUuid::createUuid(), QStringLiteral("sleep"),
            QJsonObject { { QStringLiteral("ms"), ms } }, 20 });
    auto added = store.enqueue(jobs, QDateTime::currentMSecsSinceEpoch());
    return added ? added.value() : QList<JobRecord> {};
}

std::vector<std::unique_ptr<Runner>> SharedQueueFixture::startRunners(
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

std::vector<std::unique_ptr<Runner>> SharedQueueFixture::startRunnersOn(
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

void SharedQueueFixture::checkEveryJobSucceeded(qint64 jobs)
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

bool SharedQueueFixture::waitForRunners(std::vector<std::unique_ptr<Runner>> &runners, int ms)
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

QString SharedQueueFixture::sql(const QString &query)
{
    QString output;
    if (!m_pg->psqlIn(QStringLiteral("q%1").arg(m_databases), query, &output))
        qWarning("%s", qPrintable(m_pg->error()));
    return output;
}

} // namespace spool::test
