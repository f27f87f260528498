#pragma once

// What the shared-queue tests (tst_sharedqueue, tst_queueoutage, tst_farmrender) stand on: a
// PostgreSQL server and an HTTP fault server of their own, a fresh queue database and folder for
// each test function, and `spoolctl --queue URL run` runners that present themselves as different
// machines ($SPOOL_RUNNER_HOST). Three binaries rather than one, so that none runs for minutes.
#include <csignal>
#include <memory>
#include <sys/prctl.h>
#include <vector>

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include "faultserver.h"
#include "pgserver.h"
#include "spoolctlprocess.h"
#include "store/postgresjobstore.h"

namespace spool::test {

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
        // SIGKILL ends a frozen process too; thawed first, it could finish what it was doing.
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

class SharedQueueFixture : public QObject
{
protected:
    // For initTestCase: the servers, shared by every test function.
    void startServers();
    // For init: a queue database and a folder of the test function's own.
    void freshQueue();

    std::unique_ptr<PostgresJobStore> openStore();
    QList<JobRecord> enqueueSleeps(JobStore &store, int count, int ms);
    std::vector<std::unique_ptr<Runner>> startRunners(int count, int workers, int leaseMs = 1000);
    std::vector<std::unique_ptr<Runner>> startRunnersOn(
        const QStringList &hosts, int workers, int leaseMs = 1000);
    // The queue holds exactly `jobs` jobs, all succeeded.
    void checkEveryJobSucceeded(qint64 jobs);
    // Waits until every runner has ended by itself (they run --until-empty).
    bool waitForRunners(std::vector<std::unique_ptr<Runner>> &runners, int ms);
    // SQL on this test's queue database, as the superuser: what it printed (unaligned).
    QString sql(const QString &query);

    std::unique_ptr<PgServer> m_pg;
    std::unique_ptr<FaultServer> m_http;
    std::unique_ptr<QTemporaryDir> m_dirs;
    QString m_url;
    int m_databases = 0;
};

} // namespace spool::test
