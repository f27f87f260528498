#pragma once

// A throwaway PostgreSQL server for one test process: initdb into a temporary folder, started
// on 127.0.0.1 with a free port, stopped and deleted at the end. initdb refuses to run as root,
// so as root the server runs as the `postgres` user that Debian's package creates.
#include <csignal>
#include <grp.h>
#include <memory>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTemporaryDir>

namespace spool::test {

class PgServer
{
public:
    PgServer()
    {
        if (!m_dir.isValid()) {
            m_error = QStringLiteral("no temporary folder");
            return;
        }
        m_data = m_dir.filePath(QStringLiteral("data"));
        if (::geteuid() == 0) {
            const passwd *pw = ::getpwnam("postgres");
            if (!pw) {
                m_error = QStringLiteral("running as root, and there is no postgres user");
                return;
            }
            m_asUser = true;
            m_uid = pw->pw_uid;
            m_gid = pw->pw_gid;
            if (!ownedByServer(m_dir.path())) {
                m_error = QStringLiteral("cannot give the folder to the postgres user");
                return;
            }
        }
        m_port = freePort();
        if (!run(QStringLiteral("initdb"),
                { QStringLiteral("-D"), m_data, QStringLiteral("-U"), user(), QStringLiteral("-A"),
                    QStringLiteral("trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                    QStringLiteral("--no-sync") }))
            return;
        start();
    }
    ~PgServer() { stop(); }
    Q_DISABLE_COPY_MOVE(PgServer)

    bool isRunning() const { return m_running; }
    QString error() const { return m_error; }
    QString user() const { return QStringLiteral("spool_test"); }
    int port() const { return m_port; }
    // A URL for `database` (created by createDatabase, or "postgres").
    QString url(const QString &database = QStringLiteral("postgres")) const
    {
        return QStringLiteral("postgresql://%1@127.0.0.1:%2/%3")
            .arg(user())
            .arg(m_port)
            .arg(database);
    }

    bool createDatabase(const QString &name)
    {
        return psql(QStringLiteral("CREATE DATABASE \"%1\"").arg(name));
    }
    // Runs SQL as the superuser on the "postgres" database.
    bool psql(const QString &sql, QString *output = nullptr)
    {
        return psqlIn(QStringLiteral("postgres"), sql, output);
    }
    bool psqlIn(const QString &database, const QString &sql, QString *output = nullptr)
    {
        QProcess p;
        p.start(QStringLiteral("psql"),
            { QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-A"),
                QStringLiteral("-t"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                QStringLiteral("-d"), url(database), QStringLiteral("-c"), sql });
        if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit
            || p.exitCode() != 0) {
            m_error = QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
            return false;
        }
        if (output)
            *output = QString::fromLocal8Bit(p.readAllStandardOutput()).trimmed();
        return true;
    }

    // The server is this process's child, not pg_ctl's daemon: it is told to stop (SIGQUIT, an
    // immediate shutdown) when this process dies, so that a test killed mid-run leaves no server
    // behind.
    bool start()
    {
        QStringList args { QStringLiteral("-D"), m_data, QStringLiteral("-p"),
            QString::number(m_port), QStringLiteral("-k"), m_dir.path(), QStringLiteral("-c"),
            QStringLiteral("listen_addresses=127.0.0.1"), QStringLiteral("-c"),
            QStringLiteral("max_connections=200") };
        for (const QString &setting : m_settings)
            args << QStringLiteral("-c") << setting;
        m_server = std::make_unique<QProcess>();
        m_server->setProcessChannelMode(QProcess::MergedChannels);
        m_server->setStandardOutputFile(m_dir.filePath(QStringLiteral("log")), QIODevice::Append);
        const bool asUser = m_asUser;
        const uid_t uid = m_uid;
        const gid_t gid = m_gid;
        const pid_t parent = ::getpid();
        m_server->setChildProcessModifier([asUser, uid, gid, parent] {
            if (asUser
                && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0))
                ::_exit(127);
            ::prctl(PR_SET_PDEATHSIG, SIGQUIT); // after setuid, which clears it
            if (::getppid() != parent) // the test died before the line above
                ::_exit(127);
        });
        m_server->start(QStringLiteral(PG_BINDIR "/postgres"), args);
        const bool started = m_server->waitForStarted();
        if (!started)
            m_error = QStringLiteral("postgres did not start: %1").arg(m_server->errorString());
        m_running = started && waitUntilReady();
        if (!m_running)
            stop(QStringLiteral("immediate"));
        return m_running;
    }
    // `mode`: smart, fast (the default of a clean shutdown) or immediate (as if the machine died).
    bool stop(const QString &mode = QStringLiteral("fast"))
    {
        if (!m_server)
            return true;
        const int sig = mode == u"smart" ? SIGTERM : mode == u"immediate" ? SIGQUIT : SIGINT;
        if (m_server->state() != QProcess::NotRunning) {
            ::kill(static_cast<pid_t>(m_server->processId()), sig);
            if (!m_server->waitForFinished(120000)) {
                m_error = QStringLiteral("the server did not stop (%1)").arg(mode);
                return false;
            }
        }
        m_server.reset();
        m_running = false;
        return true;
    }
    bool restart() { return stop() && start(); }
    // Restarts with server settings ("ssl=on", ...) added to the ones it starts with.
    bool restartWith(const QStringList &settings)
    {
        m_settings = settings;
        return restart();
    }
    // A folder the server's user can read (the test's own may be closed to it), and a file put
    // there that only the server may read, as it requires of its private key.
    QString filePath(const QString &name) const { return m_dir.filePath(name); }
    bool giveToServer(const QString &path)
    {
        return ::chmod(QFile::encodeName(path).constData(), 0600) == 0 && ownedByServer(path);
    }

private:
    // As root, the server runs as `postgres`: what it reads is theirs.
    bool ownedByServer(const QString &path) const
    {
        return !m_asUser || ::chown(QFile::encodeName(path).constData(), m_uid, m_gid) == 0;
    }

    // Below the ephemeral range: the server keeps its port across restarts, and while it is
    // stopped an outgoing connection (its source port) or another listen(0) could take one from
    // that range.
    static int freePort()
    {
        int ephemeralLow = 32768;
        QFile range(QStringLiteral("/proc/sys/net/ipv4/ip_local_port_range"));
        if (range.open(QIODevice::ReadOnly))
            ephemeralLow =
                qBound(2048, range.readAll().simplified().split(' ').value(0).toInt(), 65535);
        const int low = qMax(1024, ephemeralLow - 16384);
        for (int tries = 0; tries < 200; ++tries) {
            const auto port = quint16(QRandomGenerator::global()->bounded(low, ephemeralLow));
            QTcpServer probe;
            if (probe.listen(QHostAddress::LocalHost, port))
                return port;
        }
        QTcpServer probe; // a crowded machine: any free port
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    }

    bool run(const QString &tool, const QStringList &args)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        const QString program = QStringLiteral(PG_BINDIR "/") + tool;
        if (m_asUser)
            p.start(QStringLiteral("runuser"),
                QStringList { QStringLiteral("-u"), QStringLiteral("postgres"),
                    QStringLiteral("--"), program }
                    + args);
        else
            p.start(program, args);
        if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit
            || p.exitCode() != 0) {
            m_error = QStringLiteral("%1 failed: %2")
                          .arg(tool, QString::fromLocal8Bit(p.readAll()).trimmed());
            return false;
        }
        return true;
    }

    // Ready as pg_ctl -w sees it: the postmaster.pid that names our process says "ready" (its
    // eighth line); an exit or 60 s without it is a failure, with the server's log as reason.
    bool waitUntilReady()
    {
        const QString pidFile = QDir(m_data).filePath(QStringLiteral("postmaster.pid"));
        const QString pid = QString::number(m_server->processId());
        QDeadlineTimer deadline(60000);
        while (!deadline.hasExpired() && m_server->state() == QProcess::Running) {
            QFile file(pidFile);
            if (file.open(QIODevice::ReadOnly)) {
                const QList<QByteArray> lines = file.readAll().split('\n');
                if (lines.size() > 7 && lines.at(0).trimmed() == pid.toLatin1()
                    && lines.at(7).trimmed() == "ready")
                    return true;
            }
            m_server->waitForFinished(20);
        }
        QFile log(m_dir.filePath(QStringLiteral("log")));
        m_error = QStringLiteral("postgres did not start: %1")
                      .arg(log.open(QIODevice::ReadOnly)
                              ? QString::fromLocal8Bit(log.readAll().right(2000)).trimmed()
                              : QStringLiteral("no log"));
        return false;
    }

    QTemporaryDir m_dir { QDir::temp().filePath(QStringLiteral("spool-pg-XXXXXX")) };
    QString m_data;
    QString m_error;
    QStringList m_settings;
    int m_port = 0;
    bool m_asUser = false;
    uid_t m_uid = 0;
    gid_t m_gid = 0;
    bool m_running = false;
    std::unique_ptr<QProcess> m_server;
};

} // namespace spool::test
